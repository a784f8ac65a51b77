/* Address text: strict IPv4/IPv6 parsing and canonical formatting, checked
 * against fixed vectors and against the C library's inet_pton/inet_ntop. */
#include "check.h"
#include "core/mail/inaddr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))

static void test_v4(void)
{
    static const char *const good[] = {"0.0.0.0", "203.0.113.7", "255.255.255.255", "192.0.2.25",
                                       "1.2.3.4"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint8_t a[4], b[4];
        char text[MW_INADDR_TEXT_MAX];
        CHECK(mw_inaddr_parse4(B(good[i]), strlen(good[i]), a));
        CHECK(inet_pton(AF_INET, good[i], b) == 1);
        CHECK(memcmp(a, b, 4) == 0);
        CHECK_EQ_INT(mw_inaddr_format4(a, text), strlen(good[i]));
        CHECK(strcmp(text, good[i]) == 0);
    }
    static const char *const bad[] = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04",
                                      "1..2.3", "1.2.3.4 ", " 1.2.3.4", "1.2.3.", "a.b.c.d",
                                      "203.0.113.999", "1.2.3.4/24", "1234.1.1.1", "0x1.2.3.4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t a[4];
        CHECK(!mw_inaddr_parse4(B(bad[i]), strlen(bad[i]), a));
    }
}

static void test_v6(void)
{
    static const struct {
        const char *in, *canon;
    } good[] = {
        {"::", "::"},
        {"::1", "::1"},
        {"1::", "1::"},
        {"2001:db8::7", "2001:db8::7"},
        {"2001:DB8::25", "2001:db8::25"},
        {"2001:0db8:0000:0000:0000:0000:0000:0042", "2001:db8::42"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},   /* one zero group is not compressed */
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},            /* the longest run */
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},      /* the first of equal runs */
        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
        {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
        {"fe80::1:2", "fe80::1:2"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint8_t a[16], b[16];
        char text[MW_INADDR_TEXT_MAX], want[INET6_ADDRSTRLEN];
        bool ok = mw_inaddr_parse6(B(good[i].in), strlen(good[i].in), a);
        CHECK(ok);
        if (!ok) {
            fprintf(stderr, "  %s\n", good[i].in);
            continue;
        }
        CHECK(inet_pton(AF_INET6, good[i].in, b) == 1);
        CHECK(memcmp(a, b, 16) == 0);
        mw_inaddr_format6(a, text);
        CHECK(strcmp(text, good[i].canon) == 0);
        if (strcmp(text, good[i].canon))
            fprintf(stderr, "  %s -> %s\n", good[i].in, text);
        /* glibc agrees outside ::a.b.c.d, where it still writes the dotted form. */
        inet_ntop(AF_INET6, b, want, sizeof want);
        CHECK(strcmp(text, want) == 0);
    }
    static const char *const bad[] = {"", ":", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7",
                                      "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8", "12345::", "g::",
                                      "[2001:db8::7]", "fe80::1%eth0", "::1.2.3", "::1.2.3.4:5",
                                      "1:2:3:4:5:6:7:1.2.3.4", "2001:db8::7 ", "::256.1.1.1",
                                      "1:2:3:4:5:6:7:8::"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t a[16];
        bool ok = mw_inaddr_parse6(B(bad[i]), strlen(bad[i]), a);
        CHECK(!ok);
        if (ok)
            fprintf(stderr, "  accepted %s\n", bad[i]);
    }
}

/* Random addresses: format, compare with inet_ntop where both use the same
 * rules, and parse back. */
static void test_roundtrip(void)
{
    srand(14);
    for (int n = 0; n < 20000; n++) {
        uint8_t a[16], back[16];
        for (int k = 0; k < 16; k++) {
            int r = rand() % 4;
            a[k] = r < 2 ? 0 : (uint8_t)rand(); /* plenty of zero runs */
        }
        char text[MW_INADDR_TEXT_MAX], want[INET6_ADDRSTRLEN];
        mw_inaddr_format6(a, text);
        CHECK(mw_inaddr_parse6(B(text), strlen(text), back));
        CHECK(memcmp(a, back, 16) == 0);
        static const uint8_t z12[12];
        if (memcmp(a, z12, 12) == 0)
            continue; /* glibc writes ::a.b.c.d here */
        inet_ntop(AF_INET6, a, want, sizeof want);
        if (strcmp(text, want)) {
            check_failed_++;
            fprintf(stderr, "roundtrip: %s vs %s\n", text, want);
        }
    }
}

int main(void)
{
    test_v4();
    test_v6();
    test_roundtrip();
    return CHECK_DONE();
}

/* XCLIENT and XFORWARD: the commands of the lab captures (Postfix 3.7),
 * xtext decoding, every attribute flag, names. */
#include "check.h"
#include "core/smtp/smtp_syntax.h"
#include "core/smtp/smtp_xclient.h"

#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))

typedef struct want_attr {
    mw_xattr_id id;
    const char *name, *value, *decoded;
    unsigned flags;
    mw_xattr_special special;
    const char *addr_text; /* NULL: no address */
    int port;              /* -1: no port */
} want_attr;

/* Parses the command line as the dissector does (verb, then arguments) and
 * compares each attribute; offsets are checked against the line itself. */
static void check_line(const char *line, mw_xcmd_kind kind, const want_attr *w, size_t nw)
{
    mw_smtp_cmd cmd;
    size_t len = strlen(line);
    CHECK(mw_smtp_cmd_parse(B(line), len, &cmd));
    CHECK_EQ_INT(cmd.verb, kind == MW_XCLIENT ? MW_SMTP_XCLIENT : MW_SMTP_XFORWARD);
    uint8_t *dec = malloc(cmd.args.len + 1);
    mw_xattr_iter it;
    mw_xattr a;
    mw_xattr_begin(&it, kind, B(line), cmd.args.off, cmd.args.off + cmd.args.len);
    size_t k = 0;
    unsigned all = 0;
    while (mw_xattr_next(&it, &a, dec)) {
        all |= a.flags;
        if (k >= nw) {
            k++;
            continue;
        }
        const want_attr *e = &w[k++];
        CHECK_EQ_INT(a.id, e->id);
        CHECK_SPAN(line + a.name.off, a.name.len, e->name);
        CHECK_SPAN(line + a.value.off, a.value.len, e->value);
        CHECK_SPAN(dec + a.decoded.off, a.decoded.len, e->decoded);
        CHECK_EQ_INT(a.item.off, a.name.off);
        CHECK_EQ_INT(a.item.len, a.value.off + a.value.len - a.name.off);
        CHECK_EQ_INT(a.flags, e->flags);
        if (a.flags != e->flags)
            fprintf(stderr, "  %s: attribute %zu flags %#x\n", line, k, a.flags);
        CHECK_EQ_INT(a.special, e->special);
        CHECK_EQ_INT(a.addr_valid, e->addr_text != NULL);
        if (e->addr_text)
            CHECK(strcmp(a.addr_text, e->addr_text) == 0);
        CHECK_EQ_INT(a.port_valid, e->port >= 0);
        if (e->port >= 0)
            CHECK_EQ_INT(a.port, e->port);
    }
    CHECK_EQ_INT(k, nw);
    CHECK_EQ_INT(it.count, nw);
    CHECK_EQ_INT(it.flags, all);
    free(dec);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* xclient-postfix.pcapng frames 9, 34, 36, 40, 55. */
static void test_xclient_capture(void)
{
    static const want_attr f9[] = {
        {MW_XATTR_NAME, "NAME", "client.example.net", "client.example.net", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_ADDR, "ADDR", "203.0.113.25", "203.0.113.25", 0, MW_XATTR_PLAIN, "203.0.113.25", -1},
        {MW_XATTR_PORT, "PORT", "50025", "50025", 0, MW_XATTR_PLAIN, NULL, 50025},
        {MW_XATTR_PROTO, "PROTO", "ESMTP", "ESMTP", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_HELO, "HELO", "client.example.net", "client.example.net", 0, MW_XATTR_PLAIN, NULL, -1},
    };
    const char *l9 = "XCLIENT NAME=client.example.net ADDR=203.0.113.25 PORT=50025 PROTO=ESMTP "
                     "HELO=client.example.net";
    check_line(l9, MW_XCLIENT, f9, N(f9));
    /* Offsets in the line: NAME at 8, its value at 13. */
    mw_xattr_iter it;
    mw_xattr a;
    uint8_t dec[128];
    mw_xattr_begin(&it, MW_XCLIENT, B(l9), 8, strlen(l9));
    CHECK(mw_xattr_next(&it, &a, dec));
    CHECK_EQ_INT(a.name.off, 8);
    CHECK_EQ_INT(a.value.off, 13);
    CHECK_EQ_INT(a.decoded.off, 5);
    CHECK(mw_xattr_next(&it, &a, dec));
    CHECK_EQ_INT(a.name.off, 32);
    CHECK_EQ_INT(a.addr_family, 4);
    CHECK(memcmp(a.addr, "\xcb\x00\x71\x19", 4) == 0);
    CHECK(!a.ipv6_prefix);
    CHECK_EQ_INT(it.seen, 1u << MW_XATTR_NAME | 1u << MW_XATTR_ADDR);

    static const want_attr f34[] = {
        {MW_XATTR_UNKNOWN, "COLOUR", "blue", "blue", MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XCLIENT COLOUR=blue", MW_XCLIENT, f34, N(f34));

    static const want_attr f36[] = {
        {MW_XATTR_ADDR, "ADDR", "IPV6:2001:db8::25", "IPV6:2001:db8::25", 0, MW_XATTR_PLAIN, "2001:db8::25", -1},
        {MW_XATTR_NAME, "NAME", "[UNAVAILABLE]", "[UNAVAILABLE]", 0, MW_XATTR_UNAVAILABLE, NULL, -1},
        {MW_XATTR_PORT, "PORT", "50026", "50026", 0, MW_XATTR_PLAIN, NULL, 50026},
    };
    const char *l36 = "XCLIENT ADDR=IPV6:2001:db8::25 NAME=[UNAVAILABLE] PORT=50026";
    check_line(l36, MW_XCLIENT, f36, N(f36));
    mw_xattr_begin(&it, MW_XCLIENT, B(l36), 8, strlen(l36));
    CHECK(mw_xattr_next(&it, &a, dec));
    CHECK(a.ipv6_prefix);
    CHECK_EQ_INT(a.addr_family, 6);

    static const want_attr f40[] = {
        {MW_XATTR_NAME, "NAME", "again.example.net", "again.example.net", 0, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XCLIENT NAME=again.example.net", MW_XCLIENT, f40, N(f40));
    static const want_attr f55[] = {
        {MW_XATTR_ADDR, "ADDR", "203.0.113.27", "203.0.113.27", 0, MW_XATTR_PLAIN, "203.0.113.27", -1},
        {MW_XATTR_NAME, "NAME", "spoofed.example.net", "spoofed.example.net", 0, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XCLIENT ADDR=203.0.113.27 NAME=spoofed.example.net", MW_XCLIENT, f55, N(f55));
}

/* xforward-postfix.pcapng frames 9, 11, 21, 36. */
static void test_xforward_capture(void)
{
    static const want_attr f9[] = {
        {MW_XATTR_NAME, "NAME", "client.example.net", "client.example.net", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_ADDR, "ADDR", "203.0.113.31", "203.0.113.31", 0, MW_XATTR_PLAIN, "203.0.113.31", -1},
        {MW_XATTR_PORT, "PORT", "50031", "50031", 0, MW_XATTR_PLAIN, NULL, 50031},
        {MW_XATTR_PROTO, "PROTO", "ESMTP", "ESMTP", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_HELO, "HELO", "client.example.net", "client.example.net", 0, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XFORWARD NAME=client.example.net ADDR=203.0.113.31 PORT=50031 PROTO=ESMTP "
               "HELO=client.example.net", MW_XFORWARD, f9, N(f9));
    static const want_attr f11[] = {
        {MW_XATTR_IDENT, "IDENT", "4Xq1abc", "4Xq1abc", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_SOURCE, "SOURCE", "REMOTE", "REMOTE", 0, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XFORWARD IDENT=4Xq1abc SOURCE=REMOTE", MW_XFORWARD, f11, N(f11));
    static const want_attr f21[] = {
        {MW_XATTR_ADDR, "ADDR", "IPV6:2001:db8::31", "IPV6:2001:db8::31", 0, MW_XATTR_PLAIN, "2001:db8::31", -1},
        {MW_XATTR_NAME, "NAME", "[UNAVAILABLE]", "[UNAVAILABLE]", 0, MW_XATTR_UNAVAILABLE, NULL, -1},
        {MW_XATTR_SOURCE, "SOURCE", "LOCAL", "LOCAL", 0, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XFORWARD ADDR=IPV6:2001:db8::31 NAME=[UNAVAILABLE] SOURCE=LOCAL", MW_XFORWARD, f21, N(f21));
    static const want_attr f36[] = {
        {MW_XATTR_ADDR, "ADDR", "203.0.113.32", "203.0.113.32", 0, MW_XATTR_PLAIN, "203.0.113.32", -1},
    };
    check_line("XFORWARD ADDR=203.0.113.32", MW_XFORWARD, f36, N(f36));
}

static void test_xtext(void)
{
    static const struct {
        const char *in, *out;
        unsigned flags;
    } v[] = {
        {"", "", 0},
        {"plain.example", "plain.example", 0},
        {"a+2Bb", "a+b", 0},
        {"+3D+20+2B", "= +", 0},
        {"+00", "\0", 0},
        {"+FF", "\xff", 0},
        {"a+2bb", "a+b", MW_XTEXT_LOWER_HEX},
        {"+", "+", MW_XTEXT_BAD_HEX},
        {"+2", "+2", MW_XTEXT_BAD_HEX},
        {"+2G", "+2G", MW_XTEXT_BAD_HEX},
        {"+G2", "+G2", MW_XTEXT_BAD_HEX},
        {"a=b", "a=b", MW_XTEXT_BAD_CHAR},
        {"a\x01", "a\x01", MW_XTEXT_BAD_CHAR},
        {"\x7f", "\x7f", MW_XTEXT_BAD_CHAR},
        {"\xc3\xa9", "\xc3\xa9", MW_XTEXT_BAD_CHAR},
        {"+2b=+", "+=+", MW_XTEXT_LOWER_HEX | MW_XTEXT_BAD_CHAR | MW_XTEXT_BAD_HEX},
    };
    for (size_t i = 0; i < N(v); i++) {
        uint8_t out[32];
        unsigned flags = 99;
        size_t inlen = strlen(v[i].in);
        size_t n = mw_xtext_decode(B(v[i].in), inlen, out, &flags);
        size_t want = strcmp(v[i].in, "+00") == 0 ? 1 : strlen(v[i].out);
        CHECK_EQ_INT(n, want);
        CHECK(n <= inlen);
        CHECK(memcmp(out, v[i].out, want) == 0);
        CHECK_EQ_INT(flags, v[i].flags);
    }
}

static void test_flags(void)
{
    /* XCLIENT-only and XFORWARD-only attributes, each in the other command. */
    static const want_attr xc[] = {
        {MW_XATTR_LOGIN, "LOGIN", "alice", "alice", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_REVERSE_NAME, "REVERSE_NAME", "[TEMPUNAVAIL]", "[TEMPUNAVAIL]", 0, MW_XATTR_TEMPUNAVAIL, NULL, -1},
        {MW_XATTR_DESTADDR, "DESTADDR", "192.0.2.25", "192.0.2.25", 0, MW_XATTR_PLAIN, "192.0.2.25", -1},
        {MW_XATTR_DESTPORT, "DESTPORT", "25", "25", 0, MW_XATTR_PLAIN, NULL, 25},
        {MW_XATTR_SOURCE, "SOURCE", "LOCAL", "LOCAL", MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_IDENT, "IDENT", "abc", "abc", MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XCLIENT LOGIN=alice REVERSE_NAME=[TEMPUNAVAIL] DESTADDR=192.0.2.25 DESTPORT=25 SOURCE=LOCAL "
               "IDENT=abc", MW_XCLIENT, xc, N(xc));
    static const want_attr xf[] = {
        {MW_XATTR_LOGIN, "LOGIN", "alice", "alice", MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_REVERSE_NAME, "reverse_name", "x.example", "x.example", MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_DESTADDR, "DestAddr", "192.0.2.25", "192.0.2.25", MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, "192.0.2.25", -1},
        {MW_XATTR_DESTPORT, "DESTPORT", "25", "25", MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, NULL, 25},
        {MW_XATTR_PROTO, "PROTO", "QMQP", "QMQP", 0, MW_XATTR_PLAIN, NULL, -1}, /* XFORWARD takes any protocol */
    };
    check_line("XFORWARD LOGIN=alice reverse_name=x.example DestAddr=192.0.2.25 DESTPORT=25 PROTO=QMQP",
               MW_XFORWARD, xf, N(xf));

    /* Case, syntax and values. */
    static const want_attr f[] = {
        {MW_XATTR_NAME, "name", "[tempunavail]", "[tempunavail]", 0, MW_XATTR_TEMPUNAVAIL, NULL, -1},
        {MW_XATTR_ADDR, "addr", "ipv6:2001:DB8::1", "ipv6:2001:DB8::1", 0, MW_XATTR_PLAIN, "2001:db8::1", -1},
        {MW_XATTR_PORT, "Port", "[Unavailable]", "[Unavailable]", 0, MW_XATTR_UNAVAILABLE, NULL, -1},
        {MW_XATTR_PROTO, "proto", "smtp", "smtp", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_HELO, "HELO", "[1.2.3.4]", "[1.2.3.4]", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_LOGIN, "LOGIN", "a+2Bb+3Dc", "a+b=c", 0, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_NAME, "NAME", "x.example", "x.example", MW_XATTR_F_DUPLICATE, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XCLIENT name=[tempunavail] addr=ipv6:2001:DB8::1 Port=[Unavailable] proto=smtp HELO=[1.2.3.4] "
               "LOGIN=a+2Bb+3Dc NAME=x.example", MW_XCLIENT, f, N(f));
    static const want_attr bad[] = {
        {MW_XATTR_ADDR, "ADDR", "2001:db8::1", "2001:db8::1", MW_XATTR_F_BAD_ADDR, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_ADDR, "ADDR", "IPV6:1.2.3.4", "IPV6:1.2.3.4", MW_XATTR_F_BAD_ADDR | MW_XATTR_F_DUPLICATE,
         MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_DESTADDR, "DESTADDR", "[203.0.113.1]", "[203.0.113.1]", MW_XATTR_F_BAD_ADDR, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_DESTADDR, "DESTADDR", "[TEMPUNAVAIL]", "[TEMPUNAVAIL]",
         MW_XATTR_F_BAD_ADDR | MW_XATTR_F_DUPLICATE, MW_XATTR_TEMPUNAVAIL, NULL, -1},
        {MW_XATTR_PORT, "PORT", "65536", "65536", MW_XATTR_F_BAD_PORT, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_DESTPORT, "DESTPORT", "", "", MW_XATTR_F_BAD_PORT, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_PROTO, "PROTO", "LMTP", "LMTP", MW_XATTR_F_BAD_VALUE, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_HELO, "HELO", "[TEMPUNAVAIL]", "[TEMPUNAVAIL]", MW_XATTR_F_BAD_VALUE, MW_XATTR_TEMPUNAVAIL, NULL, -1},
        {MW_XATTR_NAME, "NAME", "-bad.example", "-bad.example", MW_XATTR_F_BAD_VALUE, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_REVERSE_NAME, "REVERSE_NAME", "203.0.113.9", "203.0.113.9", MW_XATTR_F_BAD_VALUE,
         MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_LOGIN, "LOGIN", "a+2", "a+2", MW_XATTR_F_BAD_XTEXT, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_HELO, "HELO", "x=y", "x=y", MW_XATTR_F_BAD_XTEXT | MW_XATTR_F_DUPLICATE, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_UNKNOWN, "", "v", "v", MW_XATTR_F_EMPTY_NAME | MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_NAME, "NAME", "", "", MW_XATTR_F_NO_EQUALS | MW_XATTR_F_DUPLICATE, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_UNKNOWN, "JUNK", "", "", MW_XATTR_F_NO_EQUALS | MW_XATTR_F_UNKNOWN, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XCLIENT ADDR=2001:db8::1 ADDR=IPV6:1.2.3.4 DESTADDR=[203.0.113.1] DESTADDR=[TEMPUNAVAIL] "
               "PORT=65536 DESTPORT= PROTO=LMTP HELO=[TEMPUNAVAIL] NAME=-bad.example REVERSE_NAME=203.0.113.9 "
               "LOGIN=a+2 HELO=x=y =v NAME JUNK", MW_XCLIENT, bad, N(bad));
    static const want_attr src[] = {
        {MW_XATTR_SOURCE, "SOURCE", "elsewhere", "elsewhere", MW_XATTR_F_BAD_VALUE, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_IDENT, "IDENT", "q", "q", MW_XATTR_F_SPACING, MW_XATTR_PLAIN, NULL, -1},
        {MW_XATTR_PORT, "PORT", "00025", "00025", MW_XATTR_F_SPACING, MW_XATTR_PLAIN, NULL, 25},
        {MW_XATTR_HELO, "HELO", "h", "h", 0, MW_XATTR_PLAIN, NULL, -1},
    };
    check_line("XFORWARD SOURCE=elsewhere  IDENT=q\tPORT=00025 HELO=h", MW_XFORWARD, src, N(src));

    /* No attributes at all; arguments given without the verb's separator. */
    mw_xattr_iter it;
    mw_xattr a;
    uint8_t dec[16];
    mw_xattr_begin(&it, MW_XCLIENT, B("XCLIENT"), 7, 7);
    CHECK(!mw_xattr_next(&it, &a, dec));
    CHECK_EQ_INT(it.count, 0);
    mw_xattr_begin(&it, MW_XCLIENT, B("XCLIENT  NAME=a"), 7, 15);
    CHECK(mw_xattr_next(&it, &a, dec));
    CHECK_EQ_INT(a.flags, MW_XATTR_F_SPACING);
    CHECK_EQ_INT(a.name.off, 9);
    CHECK(!mw_xattr_next(&it, &a, dec));
    /* Host names: the label and length limits. */
    char host[300];
    memset(host, 'a', sizeof host);
    memcpy(host, "XCLIENT NAME=", 13);
    host[13 + 63] = '\0';
    mw_xattr_begin(&it, MW_XCLIENT, B(host), 8, strlen(host));
    uint8_t big[300];
    CHECK(mw_xattr_next(&it, &a, big));
    CHECK_EQ_INT(a.flags, 0);
    host[13 + 63] = 'a';
    host[13 + 64] = '\0';
    mw_xattr_begin(&it, MW_XCLIENT, B(host), 8, strlen(host));
    CHECK(mw_xattr_next(&it, &a, big));
    CHECK_EQ_INT(a.flags, MW_XATTR_F_BAD_VALUE);
    static const char *const hosts[] = {"a.b", "a-b.c_d", "x", "1host.example", "1.2.3.x", "a.b-", "a..b",
                                        ".a", "a.", "a/b", "123", "1.2.3.4.5", "a.-b"};
    static const bool ok[] = {true, true, true, true, true, false, false,
                              false, false, false, false, false, false};
    for (size_t i = 0; i < N(hosts); i++) {
        char l[64];
        snprintf(l, sizeof l, "XCLIENT NAME=%s", hosts[i]);
        mw_xattr_begin(&it, MW_XCLIENT, B(l), 8, strlen(l));
        CHECK(mw_xattr_next(&it, &a, big));
        CHECK_EQ_INT(!(a.flags & MW_XATTR_F_BAD_VALUE), ok[i]);
    }
}

static void test_names(void)
{
    static const char *const names[] = {"unknown", "NAME", "ADDR", "PORT", "PROTO", "HELO", "LOGIN",
                                        "REVERSE_NAME", "DESTADDR", "DESTPORT", "SOURCE", "IDENT"};
    static const char *const fields[] = {NULL, "name", "addr", "port", "proto", "helo", "login",
                                         "reverse_name", "destaddr", "destport", "source", "ident"};
    static const bool xc[] = {false, true, true, true, true, true, true, true, true, true, false, false};
    static const bool xf[] = {false, true, true, true, true, true, false, false, false, false, true, true};
    CHECK_EQ_INT(N(names), MW_XATTR_COUNT);
    for (unsigned i = 0; i < MW_XATTR_COUNT; i++) {
        CHECK(strcmp(mw_xattr_name((mw_xattr_id)i), names[i]) == 0);
        const char *f = mw_xattr_field((mw_xattr_id)i);
        CHECK(fields[i] ? f && strcmp(f, fields[i]) == 0 : f == NULL);
        CHECK_EQ_INT(mw_xattr_allowed(MW_XCLIENT, (mw_xattr_id)i), xc[i]);
        CHECK_EQ_INT(mw_xattr_allowed(MW_XFORWARD, (mw_xattr_id)i), xf[i]);
    }
    CHECK(strcmp(mw_xattr_name(MW_XATTR_COUNT), "unknown") == 0);
    CHECK(mw_xattr_field(MW_XATTR_COUNT) == NULL);
    CHECK(!mw_xattr_allowed(MW_XCLIENT, MW_XATTR_COUNT));
    CHECK(strcmp(mw_xcmd_name(MW_XCLIENT), "XCLIENT") == 0);
    CHECK(strcmp(mw_xcmd_name(MW_XFORWARD), "XFORWARD") == 0);
    for (unsigned i = 0; i < MW_XATTR_F_COUNT; i++) {
        const char *s = mw_xattr_flag_text(1u << i);
        CHECK(s && s[0]);
        for (unsigned k = 0; k < i; k++)
            CHECK(strcmp(s, mw_xattr_flag_text(1u << k)) != 0);
    }
    CHECK(mw_xattr_flag_text(1u << MW_XATTR_F_COUNT) == NULL);
    CHECK(mw_xattr_flag_text(0) == NULL);
    CHECK(strcmp(mw_xattr_flag_text(MW_XATTR_F_UNKNOWN), "attribute not defined for this command") == 0);
}

int main(void)
{
    test_xtext();
    test_xclient_capture();
    test_xforward_capture();
    test_flags();
    test_names();
    return CHECK_DONE();
}

/* SASL: base64 (valid and every error), each mechanism's message, mechanism names. */
#include "check.h"
#include "core/mail/sasl.h"

#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))

static size_t b64(const char *in, uint8_t *out, size_t cap, const char **err, bool *ok)
{
    size_t n = 0;
    *ok = mw_base64_decode(B(in), strlen(in), out, cap, &n, err);
    return n;
}

static void test_base64(void)
{
    static const struct {
        const char *in, *out;
        size_t outlen;
    } good[] = {
        {"=", "", 0},
        {"TWFu", "Man", 3},
        {"TWE=", "Ma", 2},
        {"TQ==", "M", 1},
        {"AGFsaWNlAHNlY3JldA==", "\0alice\0secret", 13},
        {"VXNlcm5hbWU6", "Username:", 9},
        {"UGFzc3dvcmQ6", "Password:", 9},
        {"+/+/", "\xfb\xff\xbf", 3},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint8_t out[64];
        const char *err;
        bool ok;
        size_t n = b64(good[i].in, out, sizeof out, &err, &ok);
        CHECK(ok);
        CHECK(err == NULL);
        CHECK_EQ_INT(n, good[i].outlen);
        CHECK(memcmp(out, good[i].out, good[i].outlen) == 0);
    }
    static const struct {
        const char *in, *error;
    } bad[] = {
        {"", "empty input"},
        {"TWF", "length not a multiple of 4"},
        {"TW=u", "misplaced padding"},
        {"T===", "misplaced padding"},
        {"====", "misplaced padding"},
        {"TQ==TWFu", "misplaced padding"},
        {"TW u", "invalid character"},
        {"TWF-", "invalid character"},
        {"TWFu\r\n", "length not a multiple of 4"},
        {"TR==", "non-zero pad bits"},
        {"TWF=", "non-zero pad bits"},
        {"==", "length not a multiple of 4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t out[64];
        const char *err;
        bool ok;
        b64(bad[i].in, out, sizeof out, &err, &ok);
        CHECK(!ok);
        CHECK(err && strcmp(err, bad[i].error) == 0);
        if (err && strcmp(err, bad[i].error))
            fprintf(stderr, "  %s: %s\n", bad[i].in, err);
    }
    uint8_t small[2];
    const char *err;
    bool ok;
    b64("TWFu", small, sizeof small, &err, &ok);
    CHECK(!ok);
    CHECK(err && strcmp(err, "output buffer too small") == 0);
    b64("TWFu", NULL, 0, &err, &ok);
    CHECK(!ok);
}

static void test_mechs(void)
{
    static const struct {
        const char *name;
        mw_sasl_mech mech;
        bool clear, bearer;
    } rows[] = {
        {"PLAIN", MW_SASL_PLAIN, true, false},
        {"plain", MW_SASL_PLAIN, true, false},
        {"LOGIN", MW_SASL_LOGIN, true, false},
        {"CRAM-MD5", MW_SASL_CRAM_MD5, false, false},
        {"XOAUTH2", MW_SASL_XOAUTH2, false, true},
        {"OAUTHBEARER", MW_SASL_OAUTHBEARER, false, true},
        {"SCRAM-SHA-1", MW_SASL_SCRAM_SHA_1, false, false},
        {"SCRAM-SHA-1-PLUS", MW_SASL_SCRAM_SHA_1_PLUS, false, false},
        {"SCRAM-SHA-256", MW_SASL_SCRAM_SHA_256, false, false},
        {"scram-sha-256-plus", MW_SASL_SCRAM_SHA_256_PLUS, false, false},
        {"NTLM", MW_SASL_NTLM, false, false},
        {"GSSAPI", MW_SASL_GSSAPI, false, false},
        {"DIGEST-MD5", MW_SASL_DIGEST_MD5, false, false},
        {"EXTERNAL", MW_SASL_EXTERNAL, false, false},
        {"ANONYMOUS", MW_SASL_ANONYMOUS, false, false},
        {"PLAINX", MW_SASL_UNKNOWN, false, false},
        {"", MW_SASL_UNKNOWN, false, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mw_sasl_mech_info m = mw_sasl_mech_classify(B(rows[i].name), strlen(rows[i].name));
        CHECK_EQ_INT(m.mech, rows[i].mech);
        CHECK_EQ_INT(m.cleartext, rows[i].clear);
        CHECK_EQ_INT(m.bearer, rows[i].bearer);
        CHECK(m.name != NULL);
    }
    mw_sasl_mech_info m = mw_sasl_mech_classify(B("cram-md5"), 8);
    CHECK_EQ_INT(strcmp(m.name, "CRAM-MD5"), 0);
}

static void test_plain(void)
{
    uint8_t out[64];
    size_t n;
    const char *err;
    CHECK(mw_base64_decode(B("AGFsaWNlAHNlY3JldA=="), 20, out, sizeof out, &n, &err));
    mw_sasl_plain p;
    CHECK(mw_sasl_plain_parse(out, n, &p));
    CHECK_EQ_INT(p.authzid.len, 0);
    CHECK_SPAN(out + p.authcid.off, p.authcid.len, "alice");
    CHECK_SPAN(out + p.passwd.off, p.passwd.len, "secret");

    static const uint8_t z[] = "admin\0bob\0pw";
    CHECK(mw_sasl_plain_parse(z, sizeof z - 1, &p));
    CHECK_SPAN(z + p.authzid.off, p.authzid.len, "admin");
    CHECK_SPAN(z + p.authcid.off, p.authcid.len, "bob");
    CHECK_SPAN(z + p.passwd.off, p.passwd.len, "pw");

    static const uint8_t empty_pw[] = "\0bob\0";
    CHECK(mw_sasl_plain_parse(empty_pw, sizeof empty_pw - 1, &p));
    CHECK_EQ_INT(p.passwd.len, 0);

    CHECK(!mw_sasl_plain_parse(B("bob\0pw"), 6, &p));
    CHECK(p.error && strcmp(p.error, "fewer than two NUL separators") == 0);
    CHECK(!mw_sasl_plain_parse(B("a\0b\0c\0d"), 7, &p));
    CHECK(p.error && strcmp(p.error, "more than two NUL separators") == 0);
    CHECK(!mw_sasl_plain_parse(B("\0\0pw"), 4, &p));
    CHECK(p.error && strcmp(p.error, "empty authentication identity") == 0);
    CHECK(!p.usable);
    static const uint8_t no_authcid[] = "user\0\0password";
    CHECK(!mw_sasl_plain_parse(no_authcid, sizeof no_authcid - 1, &p));
    CHECK(p.error && strcmp(p.error, "empty authentication identity") == 0);
    CHECK(p.usable);
    CHECK_SPAN(no_authcid + p.user.off, p.user.len, "user");
    CHECK_SPAN(no_authcid + p.passwd.off, p.passwd.len, "password");
    CHECK(mw_sasl_plain_parse(z, sizeof z - 1, &p));
    CHECK(p.usable);
    CHECK_SPAN(z + p.user.off, p.user.len, "bob");
    CHECK(!mw_sasl_plain_parse(B(""), 0, &p));
}

static void test_login(void)
{
    uint8_t out[16];
    size_t n;
    const char *err;
    CHECK(mw_base64_decode(B("VXNlcm5hbWU6"), 12, out, sizeof out, &n, &err));
    CHECK_EQ_INT(mw_sasl_login_prompt_kind(out, n), MW_SASL_LOGIN_USERNAME);
    CHECK(mw_base64_decode(B("UGFzc3dvcmQ6"), 12, out, sizeof out, &n, &err));
    CHECK_EQ_INT(mw_sasl_login_prompt_kind(out, n), MW_SASL_LOGIN_PASSWORD);
    CHECK_EQ_INT(mw_sasl_login_prompt_kind(B("username"), 8), MW_SASL_LOGIN_USERNAME);
    CHECK_EQ_INT(mw_sasl_login_prompt_kind(B("User Name"), 9), MW_SASL_LOGIN_USERNAME);
    CHECK_EQ_INT(mw_sasl_login_prompt_kind(B("Password"), 8), MW_SASL_LOGIN_PASSWORD);
    CHECK_EQ_INT(mw_sasl_login_prompt_kind(B("Passwort:"), 9), MW_SASL_LOGIN_OTHER);
    CHECK_EQ_INT(mw_sasl_login_prompt_kind(B(":"), 1), MW_SASL_LOGIN_OTHER);
    CHECK_EQ_INT(mw_sasl_login_prompt_kind(B(""), 0), MW_SASL_LOGIN_OTHER);
}

static void test_cram(void)
{
    /* RFC 2195's example. */
    const char *r = "tim b913a602c7eda7a495b4e6e7334d3890";
    mw_sasl_cram c;
    CHECK(mw_sasl_cram_parse(B(r), strlen(r), &c));
    CHECK_SPAN(r + c.user.off, c.user.len, "tim");
    CHECK_SPAN(r + c.digest.off, c.digest.len, "b913a602c7eda7a495b4e6e7334d3890");
    r = "tim smith B913A602C7EDA7A495B4E6E7334D3890";
    CHECK(mw_sasl_cram_parse(B(r), strlen(r), &c));
    CHECK_SPAN(r + c.user.off, c.user.len, "tim smith");
    r = "tim b913a602c7eda7a495b4e6e7334d389";
    CHECK(!mw_sasl_cram_parse(B(r), strlen(r), &c));
    r = "tim b913a602c7eda7a495b4e6e7334d389g";
    CHECK(!mw_sasl_cram_parse(B(r), strlen(r), &c));
    r = "b913a602c7eda7a495b4e6e7334d3890";
    CHECK(!mw_sasl_cram_parse(B(r), strlen(r), &c));
    CHECK(c.error && strcmp(c.error, "no space between user and digest") == 0);
    r = " b913a602c7eda7a495b4e6e7334d3890";
    CHECK(!mw_sasl_cram_parse(B(r), strlen(r), &c));
    CHECK(c.error && strcmp(c.error, "empty user") == 0);
    CHECK(!mw_sasl_cram_parse(B(""), 0, &c));
}

static void test_xoauth2(void)
{
    const char *s = "user=someuser@example.com\x01" "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01";
    mw_sasl_oauth o;
    CHECK(mw_sasl_xoauth2_parse(B(s), strlen(s), &o));
    CHECK_SPAN(s + o.authzid.off, o.authzid.len, "someuser@example.com");
    CHECK_SPAN(s + o.token.off, o.token.len, "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
    CHECK_SPAN(s + o.auth.off, o.auth.len, "Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");

    /* The same through base64, as on the wire. */
    const char *w = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";
    uint8_t dec[256];
    size_t n;
    const char *err;
    CHECK(mw_base64_decode(B(w), strlen(w), dec, sizeof dec, &n, &err));
    CHECK(mw_sasl_xoauth2_parse(dec, n, &o));
    CHECK_SPAN(dec + o.authzid.off, o.authzid.len, "someuser@example.com");

    static const struct {
        const char *s, *error;
    } bad[] = {
        {"user=a\x01" "auth=Bearer t\x01", "missing final ^A ^A"},
        {"user=a\x01" "auth=Bearer t", "missing final ^A ^A"},
        {"auth=Bearer t\x01\x01", "missing user="},
        {"user=a\x01\x01", "missing auth="},
        {"user=a\x01" "auth=Basic x\x01\x01", "auth= is not \"Bearer <token>\""},
        {"user=a\x01" "auth=Bearer t\x01\x01x", "bytes after ^A ^A"},
        {"user=a\x01junk\x01\x01", "pair without '='"},
        {"", "missing final ^A ^A"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(!mw_sasl_xoauth2_parse(B(bad[i].s), strlen(bad[i].s), &o));
        CHECK(o.error && strcmp(o.error, bad[i].error) == 0);
        if (o.error && strcmp(o.error, bad[i].error))
            fprintf(stderr, "  row %zu: %s\n", i, o.error);
    }
}

static void test_oauthbearer(void)
{
    /* RFC 7628 3.1's example. */
    const char *s = "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
                    "auth=Bearer vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==\x01\x01";
    mw_sasl_oauth o;
    CHECK(mw_sasl_oauthbearer_parse(B(s), strlen(s), &o));
    CHECK_SPAN(s + o.authzid.off, o.authzid.len, "user@example.com");
    CHECK_SPAN(s + o.host.off, o.host.len, "server.example.com");
    CHECK_SPAN(s + o.port.off, o.port.len, "143");
    CHECK_SPAN(s + o.token.off, o.token.len, "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==");

    s = "n,,\x01" "auth=bearer tok\x01\x01";
    CHECK(mw_sasl_oauthbearer_parse(B(s), strlen(s), &o));
    CHECK_EQ_INT(o.authzid.len, 0);
    CHECK_EQ_INT(o.host.len, 0);
    CHECK_SPAN(s + o.token.off, o.token.len, "tok");

    static const char *bad[] = {
        "", "n,", "x,,\x01" "auth=Bearer t\x01\x01", "n,u=x,\x01" "auth=Bearer t\x01\x01",
        "n,,auth=Bearer t\x01\x01", "n,,\x01host=h\x01\x01", "n,,\x01" "auth=Bearer t\x01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(!mw_sasl_oauthbearer_parse(B(bad[i]), strlen(bad[i]), &o));
        CHECK(o.error != NULL);
    }
}

/* Every prefix of each valid message fails cleanly or parses within bounds
 * (an exact-size heap copy, so the sanitizer build catches over-reads). */
static void test_prefixes(void)
{
    static const char *msgs[] = {
        "n,a=u,\x01host=h\x01port=1\x01" "auth=Bearer t\x01\x01",
        "user=u\x01" "auth=Bearer t\x01\x01",
        "a\0b\0c",
        "tim b913a602c7eda7a495b4e6e7334d3890",
        "AGFsaWNlAHNlY3JldA==",
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        size_t len = i == 2 ? 5 : strlen(msgs[i]);
        for (size_t k = 0; k <= len; k++) {
            uint8_t *m = malloc(k ? k : 1);
            memcpy(m, msgs[i], k);
            mw_sasl_oauth o;
            mw_sasl_plain p;
            mw_sasl_cram c;
            uint8_t out[32];
            size_t n;
            const char *err;
            mw_sasl_oauthbearer_parse(m, k, &o);
            mw_sasl_xoauth2_parse(m, k, &o);
            mw_sasl_plain_parse(m, k, &p);
            mw_sasl_cram_parse(m, k, &c);
            mw_base64_decode(m, k, out, sizeof out, &n, &err);
            mw_sasl_login_prompt_kind(m, k);
            mw_sasl_mech_classify(m, k);
            CHECK(o.token.off + o.token.len <= k || o.token.len == 0);
            free(m);
        }
    }
}

int main(void)
{
    test_base64();
    test_mechs();
    test_plain();
    test_login();
    test_cram();
    test_xoauth2();
    test_oauthbearer();
    test_prefixes();
    return CHECK_DONE();
}

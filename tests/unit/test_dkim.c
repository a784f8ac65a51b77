/* DKIM: the tag parser, both canonicalisations against RFC 6376 3.4.6 (at
 * every split of the body), and messages signed by python3-dkim
 * (tests/unit/data/dkim/gen.py): body hashes, l=, and the signature checked
 * with libgcrypt from the published key (RSA and Ed25519). */
#include "check.h"
#include "check_data.h"
#include "core/mail/dkim.h"
#include "core/mail/dkim_key.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))
#define SPAN(v, sp, want) CHECK_SPAN((const char *)(v) + (sp).off, (sp).len, want)

/* RFC 6376 3.4.6, the canonicalisation examples */
static const char rfc_headers[] = "A: X\r\nB : Y\t\r\n\tZ  \r\n";
static const char rfc_body[] = " C \r\nD \t E\r\n\r\n\r\n";

static void collect(void *ctx, const uint8_t *p, size_t n)
{
    g_byte_array_append(ctx, p, (guint)n);
}

static void body_splits(mw_dkim_canon c, const char *in, const char *want)
{
    size_t n = strlen(in);
    for (size_t cut = 0; cut <= n; cut++) {
        GByteArray *out = g_byte_array_new();
        mw_dkim_body b;
        mw_dkim_body_init(&b, c, collect, out);
        mw_dkim_body_feed(&b, B(in), cut);
        mw_dkim_body_feed(&b, B(in) + cut, n - cut);
        mw_dkim_body_end(&b);
        unsigned before = check_failed_;
        CHECK_SPAN(out->data ? (const char *)out->data : "", out->len, want);
        CHECK_EQ_INT(b.out_len, strlen(want));
        g_byte_array_unref(out);
        if (check_failed_ != before) {
            fprintf(stderr, "  canonicalising \"%s\" split at %zu\n", in, cut);
            return;
        }
    }
}

static void header_canon(mw_dkim_canon c, const char *want)
{
    GByteArray *out = g_byte_array_new();
    size_t pos = 0, len = strlen(rfc_headers);
    for (int k = 0; k < 2; k++) {
        size_t start = pos;
        const char *lf = strchr(rfc_headers + pos, '\n');
        /* The second field is folded: it ends at the last line end. */
        pos = k == 0 ? (size_t)(lf - rfc_headers) + 1 : len;
        mw_dkim_canon_header(c, B(rfc_headers) + start, pos - start, out);
    }
    CHECK_SPAN((const char *)out->data, out->len, want);
    g_byte_array_unref(out);
}

static void test_rfc_examples(void)
{
    header_canon(MW_DKIM_RELAXED, "a:X\r\nb:Y Z\r\n");
    header_canon(MW_DKIM_SIMPLE, rfc_headers);
    body_splits(MW_DKIM_RELAXED, rfc_body, " C\r\nD E\r\n");
    body_splits(MW_DKIM_SIMPLE, rfc_body, " C \r\nD \t E\r\n");
    /* Empty bodies (3.4.3, 3.4.4 and erratum 1384), a missing last line
     * end, bare LF and bare CR. */
    body_splits(MW_DKIM_SIMPLE, "", "\r\n");
    body_splits(MW_DKIM_SIMPLE, "\r\n\r\n", "\r\n");
    body_splits(MW_DKIM_RELAXED, "", "");
    body_splits(MW_DKIM_RELAXED, " \t\r\n\r\n", "");
    body_splits(MW_DKIM_SIMPLE, "abc", "abc\r\n");
    body_splits(MW_DKIM_RELAXED, "a  b  ", "a b\r\n");
    body_splits(MW_DKIM_SIMPLE, "a\nb\r\n", "a\r\nb\r\n");
    body_splits(MW_DKIM_RELAXED, "a\rb\r", "a\rb\r\r\n");
    body_splits(MW_DKIM_SIMPLE, "\r\n\r\nx\r\n\r\n", "\r\n\r\nx\r\n");
}

static void test_parse(void)
{
    const char *v = "v=1; a=rsa-sha256; c=relaxed/simple; d=example.net;\r\n"
                    " s=sel; t=100; x=200; l=42; i=user@sub.example.net; q=dns/txt;\r\n"
                    " h=From : Subject:from; z=x; foo=bar;\r\n"
                    " bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;\r\n"
                    " b= QUJD\r\n REVG ";
    mw_dkim_sig s;
    CHECK(mw_dkim_parse(B(v), strlen(v), &s));
    CHECK_EQ_INT(s.flags, MW_DKIM_HAS_L | MW_DKIM_UNKNOWN_TAG);
    CHECK_EQ_INT(s.present, MW_DKIM_REQUIRED | MW_DKIM_TAG_C | MW_DKIM_TAG_T | MW_DKIM_TAG_X |
                                MW_DKIM_TAG_L | MW_DKIM_TAG_I | MW_DKIM_TAG_Q | MW_DKIM_TAG_Z);
    CHECK_EQ_INT(s.alg, MW_DKIM_RSA_SHA256);
    CHECK_EQ_INT(s.header_canon, MW_DKIM_RELAXED);
    CHECK_EQ_INT(s.body_canon, MW_DKIM_SIMPLE);
    SPAN(v, s.d, "example.net");
    SPAN(v, s.s, "sel");
    SPAN(v, s.i, "user@sub.example.net");
    SPAN(v, s.b, "QUJD\r\n REVG");
    SPAN(v, s.b_region, " QUJD\r\n REVG ");
    CHECK_EQ_INT(s.t_value, 100);
    CHECK_EQ_INT(s.x_value, 200);
    CHECK_EQ_INT(s.l_value, 42);
    CHECK_EQ_INT(s.n_h, 3);
    SPAN(v, s.h_names[0], "From");
    SPAN(v, s.h_names[1], "Subject");
    SPAN(v, s.h_names[2], "from");
    CHECK_EQ_INT(s.bh_len, 32);
    CHECK_SPAN((const char *)s.b_raw, s.b_len, "ABCDEF");
    char *name = mw_dkim_key_name(B(v), &s);
    CHECK(name && strcmp(name, "sel._domainkey.example.net") == 0);
    g_free(name);
    CHECK(!mw_dkim_expired(&s, 200));
    CHECK(mw_dkim_expired(&s, 201));

    struct {
        const char *v;
        unsigned flags;
    } rows[] = {
        {"v=1; a=rsa-sha256; d=x; s=y; h=from; bh=AAAA; b=AAAA", MW_DKIM_BAD_BH_SIZE},
        {"v=2; a=rsa-md5; d=x; s=y; h=to; bh=AAAA; b=AAAA; c=fancy",
         MW_DKIM_BAD_VERSION | MW_DKIM_BAD_ALGORITHM | MW_DKIM_BAD_CANON | MW_DKIM_NO_FROM},
        {"v=1; v=1; a=rsa-sha1; d=x; s=y; h=from; bh=AAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=A*AA",
         MW_DKIM_DUP_TAG | MW_DKIM_BAD_BASE64 | MW_DKIM_WEAK_SHA1},
        {"a=ed25519-sha256; d=x; h=from; t=5; x=5; l=1a; i=u@evil.example; q=http; novalue; 9=x",
         MW_DKIM_MISSING_TAG | MW_DKIM_X_BEFORE_T | MW_DKIM_BAD_NUMBER | MW_DKIM_HAS_L |
             MW_DKIM_I_NOT_IN_D | MW_DKIM_BAD_QUERY | MW_DKIM_SYNTAX},
        {"", MW_DKIM_MISSING_TAG},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        CHECK(!mw_dkim_parse(B(rows[k].v), strlen(rows[k].v), &s));
        CHECK_EQ_INT(s.flags, rows[k].flags);
    }
}

static char *slurp(const char *name, size_t *len)
{
    return check_slurp(MW_TEST_DATA "/dkim", name, len);
}

static void load_key(const char *name, mw_dkim_key *key)
{
    size_t n;
    char *txt = slurp(name, &n);
    CHECK(mw_dkim_key_parse(B(txt), n, key));
    g_free(txt);
}

/* One fixture: its only signature's body hash and signature verdicts. */
static void fixture(const char *name, const mw_dkim_key *key, bool body_ok, mw_dkim_verdict want,
                    unsigned flags, uint64_t unsigned_len)
{
    size_t len;
    char *msg = slurp(name, &len);
    mw_dkim_result r[2];
    CHECK_EQ_INT(mw_dkim_check_message(B(msg), len, r, 2), 1);
    CHECK(r[0].parsed_ok);
    CHECK_EQ_INT(r[0].sig.flags, flags);
    SPAN(msg + r[0].value.off, r[0].sig.d, "example.net"); /* spans are in the value */
    CHECK(r[0].body_checked);
    CHECK_EQ_INT(r[0].body_ok, body_ok);
    CHECK_EQ_INT(r[0].unsigned_len, unsigned_len);
    CHECK(!r[0].l_past_end);
    CHECK_EQ_INT(r[0].h_missing, 1); /* From is signed twice: the second names no field */
    const char *why;
    mw_dkim_verdict v = mw_dkim_verify(&r[0], key, &why);
    if (v != want)
        fprintf(stderr, "%s: verdict %d (%s)\n", name, v, why ? why : "");
    CHECK_EQ_INT(v, want);
    g_free(msg);
}

static void test_fixtures(void)
{
    mw_dkim_key rsa, ed;
    load_key("rsa.txt", &rsa);
    load_key("ed25519.txt", &ed);
    CHECK_EQ_INT(rsa.type, MW_DKIM_KEY_RSA);
    CHECK_EQ_INT(rsa.bits, 2048);
    CHECK_EQ_INT(rsa.e_len, 3);
    CHECK_EQ_INT(ed.type, MW_DKIM_KEY_ED25519);
    CHECK_EQ_INT(ed.bits, 256);
    fixture("rsa-relaxed.eml", &rsa, true, MW_DKIM_SIG_PASS, 0, 0);
    fixture("rsa-simple.eml", &rsa, true, MW_DKIM_SIG_PASS, 0, 0);
    fixture("rsa-sha1.eml", &rsa, true, MW_DKIM_SIG_PASS, MW_DKIM_WEAK_SHA1, 0);
    fixture("ed25519.eml", &ed, true, MW_DKIM_SIG_PASS, 0, 0);
    /* The two held-back empty lines become content once text follows them. */
    fixture("rsa-l-appended.eml", &rsa, true, MW_DKIM_SIG_PASS, MW_DKIM_HAS_L,
            4 + strlen("Appended after signing.\r\n"));
    fixture("body-altered.eml", &rsa, false, MW_DKIM_SIG_PASS, 0, 0);
    fixture("header-altered.eml", &rsa, true, MW_DKIM_SIG_FAIL, 0, 0);
    /* The wrong key type is an error, not a failure. */
    size_t len;
    char *msg = slurp("rsa-relaxed.eml", &len);
    mw_dkim_result r;
    mw_dkim_check_message(B(msg), len, &r, 1);
    const char *why;
    CHECK_EQ_INT(mw_dkim_verify(&r, &ed, &why), MW_DKIM_SIG_ERROR);
    g_free(msg);
    mw_dkim_key_clear(&rsa);
    mw_dkim_key_clear(&ed);
}

static void test_keys(void)
{
    mw_dkim_key k;
    const char *t = "v=DKIM1; k=rsa; t=y; p=";
    CHECK(!mw_dkim_key_parse(B(t), strlen(t), &k));
    CHECK_EQ_INT(k.flags, MW_DKIM_KEY_REVOKED | MW_DKIM_KEY_TESTING);
    mw_dkim_key_clear(&k);
    t = "v=DKIM2; h=sha1; p=QUJD";
    CHECK(!mw_dkim_key_parse(B(t), strlen(t), &k));
    CHECK_EQ_INT(k.flags, MW_DKIM_KEY_BAD_VERSION | MW_DKIM_KEY_SHA1_ONLY | MW_DKIM_KEY_BAD_DER);
    mw_dkim_key_clear(&k);
    t = "k=ed25519; junk; p=QUJD";
    CHECK(!mw_dkim_key_parse(B(t), strlen(t), &k));
    CHECK_EQ_INT(k.flags, MW_DKIM_KEY_SYNTAX | MW_DKIM_KEY_BAD_DER);
    mw_dkim_key_clear(&k);
    t = "v=DKIM1";
    CHECK(!mw_dkim_key_parse(B(t), strlen(t), &k));
    CHECK_EQ_INT(k.flags, MW_DKIM_KEY_NO_P);
    mw_dkim_key_clear(&k);
    /* A bare RSAPublicKey (SEQUENCE { n = 0x00c5.., e = 65537 }). */
    const uint8_t der[] = {0x30, 0x0a, 0x02, 0x03, 0x00, 0xc5, 0x01, 0x02, 0x03, 0x01, 0x00, 0x01};
    gchar *b64 = g_base64_encode(der, sizeof der), *rec = g_strconcat("p=", b64, NULL);
    CHECK(mw_dkim_key_parse(B(rec), strlen(rec), &k));
    CHECK_EQ_INT(k.n_len, 2);
    CHECK_EQ_INT(k.bits, 16);
    CHECK_EQ_INT(k.e_len, 3);
    mw_dkim_key_clear(&k);
    g_free(b64);
    g_free(rec);
}

/* The data to sign, by hand: h= order, bottom-up for repeated names, the
 * signature with b= emptied and no final line end. */
static void test_signed_data(void)
{
    const char *msg = "Received: one\r\n"
                      "Received: two\r\n"
                      "DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y;\r\n"
                      "\th=received:received:received:subject; bh=AAAA; b=QU\r\n JD;\r\n"
                      "Subject:  Hi \r\n"
                      "\r\n"
                      "body\r\n";
    mw_dkim_result r;
    CHECK_EQ_INT(mw_dkim_check_message(B(msg), strlen(msg), &r, 1), 1);
    CHECK_EQ_INT(r.h_missing, 1);
    size_t hdr_end = (size_t)(strstr(msg, "\r\n\r\n") - msg) + 2;
    GByteArray *out = g_byte_array_new();
    mw_dkim_signed_data(B(msg), hdr_end, r.field, r.value, &r.sig, out);
    CHECK_SPAN((const char *)out->data, out->len,
               "Received: two\r\nReceived: one\r\nSubject:  Hi \r\n"
               "DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y;\r\n"
               "\th=received:received:received:subject; bh=AAAA; b=;");
    g_byte_array_unref(out);
    r.sig.header_canon = MW_DKIM_RELAXED;
    out = g_byte_array_new();
    mw_dkim_signed_data(B(msg), hdr_end, r.field, r.value, &r.sig, out);
    CHECK_SPAN((const char *)out->data, out->len,
               "received:two\r\nreceived:one\r\nsubject:Hi\r\n"
               "dkim-signature:v=1; a=rsa-sha256; d=x; s=y; h=received:received:received:subject; bh=AAAA; b=;");
    g_byte_array_unref(out);
}

int main(void)
{
    test_rfc_examples();
    test_parse();
    test_keys();
    test_signed_data();
    test_fixtures();
    return CHECK_DONE();
}

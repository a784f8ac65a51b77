/* DKIM: the tag parser on the input, a keys-file line, both body canonicalisations at a split
 * point against the whole input, header canonicalisation, the check of a
 * whole message, and the key record reader with verification attempts (the
 * input's own key and the lab's RSA and Ed25519 keys), key names and expiry.
 * Spans stay in the value, a split never changes the canonical body, and
 * relaxed output never holds whitespace runs or trailing whitespace. */
#include "fuzz_util.h"
#include "core/mail/dkim.h"
#include "core/mail/dkim_key.h"

/* The lab's published keys: every checked signature is also verified with
 * a well-formed key of each type, so the libgcrypt paths run with real keys
 * whatever the input holds. */
static const char lab_rsa[] =
    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqUp2d7DywuPZhAhKQrByLaJ+COLD"
    "DM3lqGjBoegxlYDiLGjXKFLOZ+sJdr1I+2IaLxAOGiZ5AbaJ0feSxceGFQYKDrauwslxURG8TIpk2dTI55JBX3X54Z"
    "eoAWAFRs8IG5ON9Q822lTTv621e4HHn8GBnNlX+N4enMugunYJ3Hlm0IItRbzoxJjnou01JX3io7MJy6WZr7ehHqPS"
    "nooe8pIu/Fbt5z/sHZ+9HwJXTDvSR/1E06JNXf9iU0+7fCIBqC+NMS8XW47fkHCCz4v8MpVeivimkyvgnaKTXmL9AZ"
    "tjZdmB4AWNrRfuDpTOESHqZcf6/QjOxHiEJOfD+kTSzQIDAQAB";
static const char lab_ed[] =
    "v=DKIM1; k=ed25519; p=whiP58LFQI4SilXNDqAKEQdV9xcvovICeSavScrciTc=";

static void collect(void *ctx, const uint8_t *p, size_t n)
{
    g_byte_array_append(ctx, p, (guint)n);
}

static GByteArray *canon_body(mw_dkim_canon c, const uint8_t *b, size_t n, size_t cut)
{
    GByteArray *out = g_byte_array_new();
    mw_dkim_body s;
    mw_dkim_body_init(&s, c, collect, out);
    mw_dkim_body_feed(&s, b, cut);
    mw_dkim_body_feed(&s, b + cut, n - cut);
    mw_dkim_body_end(&s);
    FZ_CHECK(s.out_len == out->len);
    return out;
}

static void bodies(const uint8_t *b, size_t n, size_t cut)
{
    for (int c = 0; c < 2; c++) {
        GByteArray *whole = canon_body((mw_dkim_canon)c, b, n, n);
        GByteArray *split = canon_body((mw_dkim_canon)c, b, n, cut);
        FZ_CHECK(whole->len == split->len && (whole->len == 0 || memcmp(whole->data, split->data, whole->len) == 0));
        const uint8_t *o = whole->data;
        size_t len = whole->len;
        if (len)
            FZ_CHECK(len >= 2 && o[len - 2] == '\r' && o[len - 1] == '\n');
        if (c == MW_DKIM_RELAXED)
            for (size_t i = 0; i + 1 < len; i++) {
                FZ_CHECK(!(o[i] == ' ' && o[i + 1] == ' '));
                FZ_CHECK(o[i] != '\t');
                FZ_CHECK(!(o[i] == ' ' && o[i + 1] == '\r' && i + 2 < len && o[i + 2] == '\n'));
            }
        g_byte_array_unref(whole);
        g_byte_array_unref(split);
    }
}

static void sig(const uint8_t *v, size_t n)
{
    mw_dkim_sig s;
    (void)mw_dkim_parse(v, n, &s);
    const mw_span *sp[] = {&s.v, &s.a, &s.b, &s.bh, &s.c, &s.d, &s.h, &s.i, &s.l, &s.q, &s.s, &s.t, &s.x, &s.z, &s.b_region};
    for (size_t k = 0; k < sizeof sp / sizeof sp[0]; k++)
        FZ_SPAN_IN(sp[k]->off, sp[k]->len, n);
    FZ_CHECK(s.n_h <= MW_DKIM_MAX_H);
    for (unsigned k = 0; k < s.n_h; k++)
        FZ_SPAN_IN(s.h_names[k].off, s.h_names[k].len, n);
    FZ_CHECK(s.b_len <= MW_DKIM_MAX_SIG && s.bh_len <= sizeof s.bh_raw);
    GByteArray *out = g_byte_array_new();
    mw_dkim_canon_header(MW_DKIM_RELAXED, v, n, out);
    FZ_CHECK(out->len >= 3 && out->data[out->len - 1] == '\n');
    g_byte_array_unref(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size < 2 ? size : 2};
    size_t cut_seed = fz_byte(&r) << 8 | fz_byte(&r);
    size_t skip = size < 2 ? size : 2;
    size_t n = size - skip;
    uint8_t *b = fz_dup(data + skip, n);
    sig(b, n);
    bodies(b, n, n ? cut_seed % (n + 1) : 0);
    mw_dkim_result res[4];
    unsigned got = mw_dkim_check_message(b, n, res, 4);
    mw_dkim_key key, rsa, ed;
    (void)mw_dkim_key_parse(b, n, &key);
    FZ_CHECK(mw_dkim_key_parse((const uint8_t *)lab_rsa, strlen(lab_rsa), &rsa));
    FZ_CHECK(mw_dkim_key_parse((const uint8_t *)lab_ed, strlen(lab_ed), &ed));
    FZ_CHECK(rsa.bits == 2048 && ed.bits == 256);
    for (unsigned k = 0; k < got && k < 4; k++) {
        FZ_SPAN_IN(res[k].field.off, res[k].field.len, n);
        FZ_SPAN_IN(res[k].value.off, res[k].value.len, n);
        FZ_CHECK(res[k].body_hash_len <= 32 && res[k].data_hash_len <= 32);
        const mw_dkim_key *with[] = {&key, &rsa, &ed};
        for (size_t j = 0; j < sizeof with / sizeof with[0]; j++) {
            const char *why = NULL;
            mw_dkim_verdict v = mw_dkim_verify(&res[k], with[j], &why);
            FZ_CHECK(v == MW_DKIM_SIG_PASS || v == MW_DKIM_SIG_FAIL || v == MW_DKIM_SIG_ERROR);
            FZ_CHECK(v == MW_DKIM_SIG_PASS || why != NULL);
        }
        /* The key name comes from the signature's own value. */
        char *kn = mw_dkim_key_name(b + res[k].value.off, &res[k].sig);
        FZ_CHECK(!kn || strstr(kn, "._domainkey.") != NULL);
        g_free(kn);
        (void)mw_dkim_expired(&res[k].sig, 1767225600u);
    }
    mw_dkim_key_clear(&key);
    mw_dkim_key_clear(&rsa);
    mw_dkim_key_clear(&ed);
    mw_span name;
    GByteArray *txt = g_byte_array_new();
    if (mw_dkim_keys_line(b, n, &name, txt)) {
        FZ_SPAN_IN(name.off, name.len, n);
        FZ_CHECK(txt->len <= n);
        (void)mw_dkim_key_parse(txt->data, txt->len, &key);
        mw_dkim_key_clear(&key);
    }
    g_byte_array_unref(txt);
    free(b);
    return 0;
}

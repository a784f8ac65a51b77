/* base64 decoding and the SASL message parsers. */
#include "fuzz_util.h"
#include "core/text/base64.h"
#include "core/mail/sasl.h"

#define SPAN_OK(s, n) FZ_SPAN_IN((s).off, (s).len, (n))

static void parse_decoded(const uint8_t *d, size_t n)
{
    mw_sasl_plain pl;
    (void)mw_sasl_plain_parse(d, n, &pl);
    if (!pl.error) {
        SPAN_OK(pl.authzid, n); SPAN_OK(pl.authcid, n); SPAN_OK(pl.passwd, n);
    }
    (void)mw_sasl_login_prompt_kind(d, n);
    mw_sasl_cram cr;
    if (mw_sasl_cram_parse(d, n, &cr)) {
        SPAN_OK(cr.user, n); SPAN_OK(cr.digest, n);
    }
    mw_sasl_oauth o;
    for (int k = 0; k < 2; k++) {
        bool ok = k ? mw_sasl_oauthbearer_parse(d, n, &o) : mw_sasl_xoauth2_parse(d, n, &o);
        if (ok) {
            SPAN_OK(o.authzid, n); SPAN_OK(o.host, n); SPAN_OK(o.port, n);
            SPAN_OK(o.auth, n); SPAN_OK(o.token, n);
        }
    }
    mw_sasl_mech_info mi = mw_sasl_mech_classify(d, n);
    FZ_CHECK(mi.name != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *in = fz_dup(data, size);
    size_t cap = (size / 4) * 3;
    uint8_t *out = malloc(cap ? cap : 1);
    size_t out_len = 0;
    const char *err = NULL;
    if (mw_base64_decode(in, size, out, cap, &out_len, &err)) {
        FZ_CHECK(out_len <= cap);
        uint8_t *d = fz_dup(out, out_len);
        parse_decoded(d, out_len);
        free(d);
    } else {
        FZ_CHECK(err != NULL);
    }
    /* Too small an output buffer is an error, never an overrun. */
    uint8_t small[2];
    (void)mw_base64_decode(in, size, small, sizeof small, &out_len, &err);
    parse_decoded(in, size);
    free(out);
    free(in);
    return 0;
}

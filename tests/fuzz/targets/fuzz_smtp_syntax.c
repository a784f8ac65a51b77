/* The SMTP line parsers on one line each: every span they return lies in the
 * line, iterators advance and end. */
#include "fuzz_util.h"
#include "core/smtp/smtp_syntax.h"

#define SPAN_OK(s, n) FZ_SPAN_IN((s).off, (s).len, (n))

static void params(const uint8_t *b, size_t n)
{
    size_t pos = 0, last = 0;
    mw_smtp_param p;
    unsigned guard = 0;
    while (mw_smtp_param_next(b, n, &pos, &p)) {
        FZ_CHECK(pos > last || guard == 0);
        FZ_CHECK(pos <= n);
        SPAN_OK(p.keyword, n);
        SPAN_OK(p.value, n);
        last = pos;
        FZ_CHECK(++guard <= n + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    size_t n = size;

    mw_smtp_cmd cmd;
    if (mw_smtp_cmd_parse(b, n, &cmd)) {
        SPAN_OK(cmd.name, n);
        SPAN_OK(cmd.args, n);
        FZ_CHECK(mw_smtp_verb_name(cmd.verb) != NULL);
    }
    mw_smtp_path path;
    for (int k = 0; k < 2; k++) {
        (void)mw_smtp_path_parse(b, n, k ? "TO" : "FROM", &path);
        SPAN_OK(path.addr, n);
        SPAN_OK(path.route, n);
        SPAN_OK(path.params, n);
        params(b + path.params.off, path.params.len);
    }
    params(b, n);
    mw_smtp_bdat bd;
    (void)mw_smtp_bdat_parse(b, n, &bd);
    SPAN_OK(bd.junk, n);
    mw_smtp_auth au;
    (void)mw_smtp_auth_parse(b, n, &au);
    SPAN_OK(au.mech, n);
    SPAN_OK(au.initial, n);
    mw_smtp_reply rp;
    if (mw_smtp_reply_parse(b, n, &rp))
        FZ_CHECK(rp.code >= 200 && rp.code <= 599);
    SPAN_OK(rp.esc, n);
    SPAN_OK(rp.text, n);
    mw_smtp_ehlo_cap cap;
    (void)mw_smtp_ehlo_cap_parse(b, n, &cap);
    SPAN_OK(cap.keyword, n);
    SPAN_OK(cap.params, n);
    size_t pos = 0, last = 0;
    mw_span w;
    while (mw_smtp_word_next(b, n, &pos, &w)) {
        SPAN_OK(w, n);
        FZ_CHECK(pos > last && pos <= n);
        last = pos;
    }
    free(b);
    return 0;
}

/* POP3 command, response and listing parsers. */
#include "fuzz_util.h"
#include "core/pop/pop_syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    size_t n = size;
    mw_pop_command c;
    if (mw_pop_command_parse(b, n, &c)) {
        FZ_SPAN_IN(c.verb_off, c.verb_len, n);
        FZ_SPAN_IN(c.args_off, c.args_len, n);
        FZ_CHECK(c.cmd < MW_POP_CMD_COUNT && mw_pop_cmd_name(c.cmd) != NULL);
        (void)mw_pop_multiline(c.cmd, c.nargs);
        mw_pop_apop a;
        if (mw_pop_apop_parse(b + c.args_off, c.args_len, &a)) {
            FZ_SPAN_IN(a.name_off, a.name_len, c.args_len);
            FZ_SPAN_IN(a.digest_off, a.digest_len, c.args_len);
        }
    }
    mw_pop_response r;
    mw_pop_status st = mw_pop_response_parse(b, n, &r);
    FZ_CHECK(st == r.status);
    FZ_CHECK(r.status_len <= n);
    if (r.has_code)
        FZ_SPAN_IN(r.code_off, r.code_len, n);
    FZ_SPAN_IN(r.text_off, r.text_len, n);
    uint64_t x, y;
    (void)mw_pop_octets(b + r.text_off, r.text_len, &x);
    (void)mw_pop_stat(b + r.text_off, r.text_len, &x, &y);
    (void)mw_pop_list_entry(b, n, &x, &y);
    size_t uo, ul, kl, ao, al;
    if (mw_pop_uidl_entry(b, n, &x, &uo, &ul)) {
        FZ_SPAN_IN(uo, ul, n);
        FZ_CHECK(ul >= 1 && ul <= 70);
    }
    if (mw_pop_capa_line(b, n, &kl, &ao, &al)) {
        FZ_CHECK(kl <= n);
        FZ_SPAN_IN(ao, al, n);
    }
    (void)mw_pop_body_classify(b, n);
    free(b);
    return 0;
}

/* IMAP server line classification: spans in the line, names known. */
#include "fuzz_util.h"
#include "core/imap/imap_response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    mw_imap_response r;
    mw_imap_resp_kind k = mw_imap_server_line(b, size, &r);
    FZ_CHECK(k == r.kind);
    FZ_SPAN_IN(r.tag_off, r.tag_len, size);
    FZ_SPAN_IN(r.number_off, r.number_len, size);
    FZ_SPAN_IN(r.kw_off, r.kw_len, size);
    FZ_SPAN_IN(r.code_off, r.code_len, size);
    FZ_SPAN_IN(r.code_name_off, r.code_name_len, size);
    FZ_SPAN_IN(r.code_args_off, r.code_args_len, size);
    FZ_SPAN_IN(r.text_off, r.text_len, size);
    FZ_CHECK(r.kw < MW_IMAP_KW_COUNT && r.code < MW_IMAP_CODE_COUNT);
    FZ_CHECK(mw_imap_kw_name(r.kw) != NULL && mw_imap_code_name(r.code) != NULL);
    if (r.has_code) {
        FZ_CHECK(r.code_name_off >= r.code_off);
        FZ_CHECK(r.code_name_off + r.code_name_len <= r.code_off + r.code_len);
        FZ_CHECK(mw_imap_code_lookup(b + r.code_name_off, r.code_name_len) == r.code);
    }
    free(b);
    return 0;
}

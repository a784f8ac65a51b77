/* Literal headers at the end of a line, and decimal parsing. */
#include "fuzz_util.h"
#include "core/imap/imap_literal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    uint64_t max = fz_byte(&r) & 1 ? ((uint64_t)fz_u32(&r) << 8) : 0;
    uint8_t *b = fz_dup(r.p, r.n);
    size_t n = r.n;
    mw_imap_lit lit;
    mw_imap_lit_status st = mw_imap_literal_header(b, n, max, &lit);
    FZ_CHECK(st == lit.status);
    FZ_CHECK(mw_imap_lit_status_name(st) != NULL);
    if (st != MW_IMAP_LIT_ABSENT) {
        FZ_SPAN_IN(lit.off, lit.len, n);
        FZ_CHECK(lit.off + lit.len == n); /* only at the very end */
        FZ_CHECK(lit.len <= 42); /* the scan looks back 40 bytes before the "}", plus "{" found there and "~" */
        FZ_CHECK(b[lit.off + lit.len - 1] == '}');
        FZ_SPAN_IN(lit.digits_off, lit.digits_len, n);
        FZ_CHECK(lit.digits_off >= lit.off && lit.digits_off + lit.digits_len <= lit.off + lit.len);
    }
    if (st == MW_IMAP_LIT_OK && max)
        FZ_CHECK(lit.size <= max);
    if (st == MW_IMAP_LIT_INSANE)
        FZ_CHECK(max && lit.size > max);
    if (st == MW_IMAP_LIT_OK && lit.sync == MW_IMAP_LIT_MINUS)
        (void)0; /* {n-} above 4096 is the dissector's call */
    uint64_t v;
    bool ovf = false;
    if (mw_imap_parse_u64(b, n, &v, &ovf)) {
        FZ_CHECK(n > 0 && !ovf);
        /* Round trip: the digits print back (leading zeros aside). */
        char tmp[32];
        int k = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
        size_t lead = 0;
        while (lead + 1 < n && b[lead] == '0')
            lead++;
        FZ_CHECK((size_t)k == n - lead && memcmp(tmp, b + lead, (size_t)k) == 0);
    }
    free(b);
    return 0;
}

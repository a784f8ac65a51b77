/* RFC 5322 header iterator (whole-buffer with eof, and growing prefixes
 * without), the address iterator on each field value, address stripping and
 * RFC 2047 decoding.  Spans stay in the buffer, iterators make progress, and
 * the decoder stays within its documented 2 * len output bound. */
#include "fuzz_util.h"
#include "core/mail/message.h"

static void addresses(const uint8_t *b, mw_span v)
{
    mw_addr_iter it;
    memset(&it, 0, sizeof it);
    mw_addr a;
    size_t last = 0;
    unsigned guard = 0;
    const uint8_t *vb = b + v.off;
    while (mw_addr_next(vb, v.len, &it, &a)) {
        FZ_CHECK(it.pos > last || guard == 0);
        FZ_CHECK(it.pos <= v.len);
        last = it.pos;
        FZ_SPAN_IN(a.display.off, a.display.len, v.len);
        FZ_SPAN_IN(a.addr.off, a.addr.len, v.len);
        FZ_SPAN_IN(a.domain.off, a.domain.len, v.len);
        FZ_SPAN_IN(a.group.off, a.group.len, v.len);
        uint8_t out[64];
        size_t sl = mw_addr_strip(vb, a.addr, out, sizeof out);
        FZ_CHECK(sl <= sizeof out);
        FZ_CHECK(++guard <= v.len + 1);
    }
}

static void decode(const uint8_t *in, size_t len)
{
    size_t cap = 2 * len;
    uint8_t *out = malloc(cap ? cap : 1);
    unsigned flags = 0;
    size_t n = mw_ew_decode(in, len, out, cap, &flags);
    FZ_CHECK(n <= cap);
    FZ_CHECK(!(flags & MW_EW_TRUNCATED));
    free(out);
    /* A small buffer: truncation is reported, never overrun. */
    uint8_t small[7];
    n = mw_ew_decode(in, len, small, sizeof small, &flags);
    FZ_CHECK(n <= sizeof small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    size_t pos = 0;
    unsigned guard = 0;
    for (;;) {
        mw_hdr_field f;
        size_t before = pos;
        mw_hdr_status st = mw_hdr_next(b, size, true, &pos, &f);
        FZ_CHECK(st != MW_HDR_MORE);
        if (st == MW_HDR_EOF) {
            FZ_CHECK(pos == size);
            break;
        }
        FZ_CHECK(pos > before && pos <= size && pos == f.end);
        FZ_SPAN_IN(f.name.off, f.name.len, size);
        FZ_SPAN_IN(f.value.off, f.value.len, size);
        if (st == MW_HDR_END)
            break;
        if (st == MW_HDR_FIELD) {
            (void)mw_hdr_name_is(b, f.name, "From");
            addresses(b, f.value);
            decode(b + f.value.off, f.value.len);
        }
        FZ_CHECK(++guard <= size + 1);
    }
    /* Streaming: a prefix without eof never reads past its end and agrees
     * with the whole buffer on the first field's end when it has one. */
    size_t cut = size / 2;
    uint8_t *p = fz_dup(data, cut);
    size_t ppos = 0;
    mw_hdr_field pf;
    mw_hdr_status ps = mw_hdr_next(p, cut, false, &ppos, &pf);
    if (ps == MW_HDR_MORE)
        FZ_CHECK(ppos == 0);
    else if (ps != MW_HDR_EOF)
        FZ_CHECK(ppos <= cut);
    free(p);
    addresses(b, (mw_span){0, size});
    decode(b, size);
    free(b);
    return 0;
}

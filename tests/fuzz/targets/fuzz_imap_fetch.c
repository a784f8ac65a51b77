/* FETCH msg-att iteration over a server line, resuming after literals the
 * way the dissector does (the literal's octets are skipped in the buffer). */
#include "fuzz_util.h"
#include "core/imap/imap_body.h"
#include "core/imap/imap_fetch.h"
#include "core/imap/imap_response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    /* BODYSTRUCTURE by position from the first "(": spans inside the buffer,
     * parents before their children, depth bounded. */
    {
        const uint8_t *lp = size ? memchr(b, '(', size) : NULL;
        static mw_imap_body body;
        mw_imap_body_parse(b, size, lp ? (size_t)(lp - b) : 0, &body);
        FZ_CHECK(body.n <= MW_IMAP_BODY_MAX_PARTS);
        for (unsigned i = 0; i < body.n; i++) {
            const mw_imap_bpart *pt = &body.part[i];
            FZ_CHECK(pt->parent < (int)i);
            FZ_CHECK(pt->depth <= MW_IMAP_BODY_MAX_DEPTH);
            if (pt->len)
                FZ_SPAN_IN(pt->off, pt->len, size);
            for (int f = 0; f < MW_IMAP_BF_N; f++)
                if (pt->f[f].kind != MW_IMAP_TOK_END)
                    FZ_SPAN_IN(pt->f[f].off, pt->f[f].len, size);
        }
        if (body.complete)
            FZ_CHECK(body.end <= size && b[body.end - 1] == ')');
    }
    mw_imap_response r;
    mw_imap_server_line(b, size, &r);
    size_t start = r.kw == MW_IMAP_KW_FETCH ? r.text_off : 0;
    mw_imap_fetch_iter it;
    if (mw_imap_fetch_begin(&it, b, size, start)) {
        unsigned guard = 0;
        for (;;) {
            mw_imap_fetch_item item;
            int got = mw_imap_fetch_next(&it, &item);
            if (got < 0) {
                FZ_CHECK(it.failed);
                FZ_CHECK(mw_imap_fetch_next(&it, &item) < 0);
                break;
            }
            if (got == 0) {
                if (it.closed)
                    break;
                /* The segment ended in a literal: skip its octets (bounded by
                 * what is left) and the line end, then resume. */
                size_t pos = it.lx.pos;
                while (pos < size && b[pos] != '\n')
                    pos++;
                if (pos >= size)
                    break;
                pos++;
                uint64_t skip = item.value == MW_IMAP_VAL_LITERAL ? item.lit.size : 0;
                if (skip > size - pos)
                    break;
                pos += (size_t)skip;
                /* The next segment is a fresh buffer view starting at pos. */
                mw_imap_fetch_resume(&it, b + pos, size - pos, it.lx.depth);
                if (++guard > 64)
                    break;
                /* Later spans are relative to b + pos; check them there. */
                mw_imap_fetch_item i2;
                int g2 = mw_imap_fetch_next(&it, &i2);
                if (g2 > 0) {
                    FZ_SPAN_IN(i2.name_off, i2.name_len, size - pos);
                    FZ_SPAN_IN(i2.value_off, i2.value_len, size - pos);
                }
                break;
            }
            FZ_SPAN_IN(item.name_off, item.name_len, size);
            FZ_SPAN_IN(item.value_off, item.value_len, size);
            FZ_CHECK(item.att < MW_IMAP_FA_COUNT);
            if (item.has_section) {
                FZ_SPAN_IN(item.section_off, item.section_len, size);
                size_t part = 0;
                (void)mw_imap_section_classify(b + item.section_off, item.section_len, &part);
                FZ_CHECK(part <= item.section_len);
            }
            (void)mw_imap_fetch_content(b, &item);
            (void)mw_imap_fetch_att_lookup(b + item.name_off, item.name_len);
            if (++guard > size + 2)
                FZ_CHECK(!"fetch iterator does not advance");
        }
    }
    free(b);
    return 0;
}

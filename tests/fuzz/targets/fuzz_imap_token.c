/* The IMAP lexer: tokens lie in the segment, it always advances until END or
 * ERROR, depth never passes max_depth, skip_list ends, unquote stays within
 * its output. */
#include "fuzz_util.h"
#include "core/imap/imap_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    unsigned max_depth = fz_byte(&r);
    unsigned depth0 = fz_byte(&r) % 4;
    uint8_t mode = fz_byte(&r);
    uint8_t *b = fz_dup(r.p, r.n);
    size_t n = r.n;
    mw_imap_lexer lx;
    mw_imap_lexer_init(&lx, b, n, 0, depth0, max_depth);
    unsigned limit = max_depth ? max_depth : MW_IMAP_DEPTH_DEFAULT;
    size_t last = 0;
    unsigned guard = 0;
    for (;;) {
        mw_imap_tok t;
        mw_imap_tok_kind k = mw_imap_lex_next(&lx, &t);
        FZ_CHECK(k == t.kind);
        if (k == MW_IMAP_TOK_END || k == MW_IMAP_TOK_ERROR) {
            mw_imap_tok t2;
            FZ_CHECK(mw_imap_lex_next(&lx, &t2) == k || k == MW_IMAP_TOK_END);
            break;
        }
        FZ_SPAN_IN(t.off, t.len, n);
        FZ_CHECK(lx.pos > last && lx.pos <= n);
        last = lx.pos;
        FZ_CHECK(lx.depth <= limit + 4);
        if (k == MW_IMAP_TOK_QUOTED) {
            FZ_CHECK(t.len >= 2 && b[t.off] == '"');
            uint8_t out[16];
            size_t ul = mw_imap_unquote(b + t.off, t.len, out, sizeof out);
            FZ_CHECK(ul <= t.len);
        }
        if (k == MW_IMAP_TOK_LITERAL)
            FZ_CHECK(t.lit.off + t.lit.len <= n);
        if (k == MW_IMAP_TOK_LIST_OPEN && (mode & 1)) {
            mw_imap_tok lt;
            size_t before = lx.pos;
            mw_imap_tok_kind sk = mw_imap_lex_skip_list(&lx, lx.depth, &lt);
            FZ_CHECK(sk == MW_IMAP_TOK_LIST_CLOSE || sk == MW_IMAP_TOK_END || sk == MW_IMAP_TOK_ERROR);
            FZ_CHECK(lx.pos >= before && lx.pos <= n);
            if (sk != MW_IMAP_TOK_LIST_CLOSE)
                break;
            last = lx.pos;
        }
        if (k == MW_IMAP_TOK_ATOM)
            (void)mw_imap_word_eq(b + t.off, t.len, "NIL");
        FZ_CHECK(++guard <= n + 1);
    }
    uint8_t out[8];
    (void)mw_imap_unquote(b, n, out, sizeof out);
    free(b);
    return 0;
}

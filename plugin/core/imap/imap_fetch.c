/* IMAP FETCH response data: see imap_fetch.h. */
#include "core/imap/imap_fetch.h"

#include <string.h>

static const char *const att_names[MW_IMAP_FA_COUNT] = {
    [MW_IMAP_FA_UNKNOWN] = "", [MW_IMAP_FA_CONTINUED] = "",
    [MW_IMAP_FA_UID] = "UID", [MW_IMAP_FA_FLAGS] = "FLAGS",
    [MW_IMAP_FA_INTERNALDATE] = "INTERNALDATE", [MW_IMAP_FA_RFC822_SIZE] = "RFC822.SIZE",
    [MW_IMAP_FA_ENVELOPE] = "ENVELOPE", [MW_IMAP_FA_BODYSTRUCTURE] = "BODYSTRUCTURE",
    [MW_IMAP_FA_BODY] = "BODY", [MW_IMAP_FA_BINARY] = "BINARY",
    [MW_IMAP_FA_BINARY_SIZE] = "BINARY.SIZE", [MW_IMAP_FA_RFC822] = "RFC822",
    [MW_IMAP_FA_RFC822_HEADER] = "RFC822.HEADER", [MW_IMAP_FA_RFC822_TEXT] = "RFC822.TEXT",
    [MW_IMAP_FA_MODSEQ] = "MODSEQ",
};

mw_imap_fetch_att mw_imap_fetch_att_lookup(const uint8_t *name, size_t len)
{
    for (int i = MW_IMAP_FA_UID; i < MW_IMAP_FA_COUNT; i++)
        if (mw_imap_word_eq(name, len, att_names[i]))
            return (mw_imap_fetch_att)i;
    return MW_IMAP_FA_UNKNOWN;
}

bool mw_imap_fetch_begin(mw_imap_fetch_iter *it, const uint8_t *buf, size_t len, size_t start)
{
    mw_imap_tok t;
    *it = (mw_imap_fetch_iter){0};
    mw_imap_lexer_init(&it->lx, buf, len, start, 0, 0);
    if (mw_imap_lex_next(&it->lx, &t) != MW_IMAP_TOK_LIST_OPEN) {
        it->failed = true;
        return false;
    }
    return true;
}

void mw_imap_fetch_resume(mw_imap_fetch_iter *it, const uint8_t *buf, size_t len,
                          unsigned depth)
{
    *it = (mw_imap_fetch_iter){0};
    mw_imap_lexer_init(&it->lx, buf, len, 0, depth, 0);
}

static int fail(mw_imap_fetch_iter *it)
{
    it->failed = true;
    return -1;
}

/* "[section]" and "<origin>" right after the name, no space between. */
static bool section_and_origin(mw_imap_fetch_iter *it, mw_imap_fetch_item *item)
{
    mw_imap_lexer *lx = &it->lx;
    mw_imap_tok t;
    if (lx->pos >= lx->len || lx->buf[lx->pos] != '[')
        return true;
    mw_imap_lex_next(lx, &t);
    item->has_section = true;
    item->section_off = lx->pos;
    unsigned depth = lx->depth;
    do {
        if (mw_imap_lex_next(lx, &t) == MW_IMAP_TOK_END || t.kind == MW_IMAP_TOK_ERROR)
            return false;
    } while (t.kind != MW_IMAP_TOK_SECT_CLOSE || lx->depth != depth);
    item->section_len = t.off - item->section_off;
    if (lx->pos < lx->len && lx->buf[lx->pos] == '<') {
        mw_imap_lex_next(lx, &t);
        if (t.len < 3 || lx->buf[t.off + t.len - 1] != '>' ||
            !mw_imap_parse_u64(lx->buf + t.off + 1, t.len - 2, &item->origin, NULL))
            return false;
        item->has_origin = true;
    }
    return true;
}

static int value(mw_imap_fetch_iter *it, mw_imap_fetch_item *item)
{
    mw_imap_tok t;
    mw_imap_tok_kind k = mw_imap_lex_next(&it->lx, &t);
    item->value_off = t.off;
    item->value_len = t.len;
    switch (k) {
    case MW_IMAP_TOK_NUMBER:
        item->num = t.num;
        item->value = MW_IMAP_VAL_NUMBER;
        return 1;
    case MW_IMAP_TOK_ATOM:
        item->value = MW_IMAP_VAL_ATOM;
        return 1;
    case MW_IMAP_TOK_QUOTED:
        item->value = MW_IMAP_VAL_QUOTED;
        return 1;
    case MW_IMAP_TOK_NIL:
        item->value = MW_IMAP_VAL_NIL;
        return 1;
    case MW_IMAP_TOK_LITERAL:
        item->lit = t.lit;
        item->value = MW_IMAP_VAL_LITERAL;
        return 1;
    case MW_IMAP_TOK_LIST_OPEN:
        item->value = MW_IMAP_VAL_LIST;
        k = mw_imap_lex_skip_list(&it->lx, t.depth, &t);
        if (k == MW_IMAP_TOK_ERROR)
            return fail(it);
        item->value_open = k == MW_IMAP_TOK_END;
        item->value_len = (k == MW_IMAP_TOK_END ? it->lx.len : t.off + t.len) - item->value_off;
        return 1;
    default:
        return fail(it);
    }
}

/* The rest of a list value interrupted by a literal. */
static int continued(mw_imap_fetch_iter *it, mw_imap_fetch_item *item)
{
    mw_imap_tok t;
    item->att = MW_IMAP_FA_CONTINUED;
    item->value = MW_IMAP_VAL_LIST;
    item->value_off = it->lx.pos;
    mw_imap_tok_kind k = mw_imap_lex_skip_list(&it->lx, 2, &t);
    if (k == MW_IMAP_TOK_ERROR)
        return fail(it);
    item->value_open = k == MW_IMAP_TOK_END;
    item->value_len = (item->value_open ? it->lx.len : t.off + t.len) - item->value_off;
    return 1;
}

int mw_imap_fetch_next(mw_imap_fetch_iter *it, mw_imap_fetch_item *item)
{
    *item = (mw_imap_fetch_item){0};
    if (it->failed)
        return -1;
    if (it->closed)
        return 0;
    if (it->lx.depth > 1) {
        /* Inside a value a literal interrupted: nothing more here, or its rest. */
        if (it->lx.pos >= it->lx.len)
            return 0;
        return continued(it, item);
    }
    if (it->lx.depth == 0)
        return fail(it);
    mw_imap_tok t;
    switch (mw_imap_lex_next(&it->lx, &t)) {
    case MW_IMAP_TOK_END:
        return 0;
    case MW_IMAP_TOK_LIST_CLOSE:
        it->closed = true;
        return 0;
    case MW_IMAP_TOK_ATOM:
        break;
    default:
        return fail(it);
    }
    item->name_off = t.off;
    item->name_len = t.len;
    item->att = mw_imap_fetch_att_lookup(it->lx.buf + t.off, t.len);
    if (!section_and_origin(it, item))
        return fail(it);
    return value(it, item);
}

static bool starts_word(const uint8_t *s, size_t len, const char *w, size_t *wl)
{
    size_t n = strlen(w);
    *wl = n;
    return len >= n && mw_imap_word_eq(s, n, w) && (len == n || s[n] == ' ' || s[n] == '(');
}

mw_imap_sect mw_imap_section_classify(const uint8_t *s, size_t len, size_t *part_len)
{
    size_t i = 0, n;
    /* section-part: nz-number *("." nz-number), then "." and a text spec. */
    while (i < len && s[i] >= '1' && s[i] <= '9') {
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i < len && s[i] == '.' && i + 1 < len && s[i + 1] >= '1' && s[i + 1] <= '9')
            i++;
        else
            break;
    }
    *part_len = i;
    if (i == len)
        return i ? MW_IMAP_SECT_PART : MW_IMAP_SECT_WHOLE;
    if (i > 0) {
        if (s[i] != '.')
            return MW_IMAP_SECT_INVALID;
        i++;
        if (mw_imap_word_eq(s + i, len - i, "MIME"))
            return MW_IMAP_SECT_MIME;
    }
    const uint8_t *r = s + i;
    size_t rl = len - i;
    if (mw_imap_word_eq(r, rl, "HEADER"))
        return MW_IMAP_SECT_HEADER;
    if (mw_imap_word_eq(r, rl, "TEXT"))
        return MW_IMAP_SECT_TEXT;
    if (starts_word(r, rl, "HEADER.FIELDS.NOT", &n))
        return MW_IMAP_SECT_HEADER_FIELDS_NOT;
    if (starts_word(r, rl, "HEADER.FIELDS", &n))
        return MW_IMAP_SECT_HEADER_FIELDS;
    return MW_IMAP_SECT_INVALID;
}

mw_imap_sect mw_imap_fetch_content(const uint8_t *buf, const mw_imap_fetch_item *item)
{
    size_t part;
    switch (item->att) {
    case MW_IMAP_FA_RFC822:
        return MW_IMAP_SECT_WHOLE;
    case MW_IMAP_FA_RFC822_HEADER:
        return MW_IMAP_SECT_HEADER;
    case MW_IMAP_FA_RFC822_TEXT:
        return MW_IMAP_SECT_TEXT;
    case MW_IMAP_FA_BODY:
    case MW_IMAP_FA_BINARY:
        if (!item->has_section)
            return MW_IMAP_SECT_INVALID; /* BODY without brackets is a structure */
        return mw_imap_section_classify(buf + item->section_off, item->section_len, &part);
    default:
        return MW_IMAP_SECT_INVALID;
    }
}

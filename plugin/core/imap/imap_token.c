/* IMAP tokens: see imap_token.h. */
#include "core/imap/imap_token.h"

#include <string.h>

bool mw_imap_word_eq(const uint8_t *buf, size_t len, const char *word)
{
    size_t i = 0;
    for (; i < len && word[i]; i++) {
        uint8_t a = buf[i], b = (uint8_t)word[i];
        if (a >= 'a' && a <= 'z')
            a = (uint8_t)(a - 32);
        if (b >= 'a' && b <= 'z')
            b = (uint8_t)(b - 32);
        if (a != b)
            return false;
    }
    return i == len && word[i] == '\0';
}

void mw_imap_lexer_init(mw_imap_lexer *lx, const uint8_t *buf, size_t len, size_t start,
                        unsigned depth, unsigned max_depth)
{
    lx->buf = buf;
    lx->len = len;
    lx->pos = start <= len ? start : len;
    lx->depth = depth;
    lx->max_depth = max_depth ? max_depth : MW_IMAP_DEPTH_DEFAULT;
    lx->failed = false;
}

/* Bytes that end an atom. */
static bool atom_stop(uint8_t c)
{
    return c <= ' ' || c == 0x7f || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' ||
           c == '"';
}

static mw_imap_tok_kind fail(mw_imap_lexer *lx, mw_imap_tok *tok, mw_imap_tok_err err)
{
    lx->failed = true;
    tok->kind = MW_IMAP_TOK_ERROR;
    tok->err = err;
    return MW_IMAP_TOK_ERROR;
}

static mw_imap_tok_kind lex_quoted(mw_imap_lexer *lx, mw_imap_tok *tok)
{
    size_t i = lx->pos + 1;
    for (; i < lx->len; i++) {
        uint8_t c = lx->buf[i];
        if (c == '"')
            break;
        if (c == '\\') {
            if (i + 1 >= lx->len)
                continue; /* the string is unterminated anyway */
            uint8_t e = lx->buf[i + 1];
            tok->flags |= (e == '"' || e == '\\') ? MW_IMAP_TOK_ESCAPED : MW_IMAP_TOK_BAD_ESCAPE;
            i++;
            c = e;
        }
        if (c >= 0x80)
            tok->flags |= MW_IMAP_TOK_8BIT;
        else if (c < ' ' || c == 0x7f)
            tok->flags |= MW_IMAP_TOK_CTL;
    }
    tok->len = (i < lx->len ? i + 1 : lx->len) - tok->off;
    if (i >= lx->len)
        return fail(lx, tok, MW_IMAP_TOK_UNTERMINATED);
    lx->pos = i + 1;
    return tok->kind = MW_IMAP_TOK_QUOTED;
}

/* A "{...}" or "~{...}" at pos: a literal header when well-formed. */
static mw_imap_tok_kind lex_literal(mw_imap_lexer *lx, mw_imap_tok *tok)
{
    size_t open = lx->buf[lx->pos] == '~' ? lx->pos + 1 : lx->pos;
    size_t close = open + 1;
    while (close < lx->len && close - open < 40 && lx->buf[close] != '}' && lx->buf[close] != '{')
        close++;
    if (close >= lx->len || lx->buf[close] != '}') {
        tok->len = 1;
        return fail(lx, tok, MW_IMAP_TOK_BAD_LITERAL);
    }
    tok->len = close + 1 - tok->off;
    mw_imap_literal_header(lx->buf, close + 1, 0, &tok->lit);
    if (tok->lit.status != MW_IMAP_LIT_OK || tok->lit.off != tok->off)
        return fail(lx, tok, MW_IMAP_TOK_BAD_LITERAL);
    lx->pos = close + 1;
    return tok->kind = MW_IMAP_TOK_LITERAL;
}

static mw_imap_tok_kind lex_atom(mw_imap_lexer *lx, mw_imap_tok *tok)
{
    size_t i = lx->pos;
    while (i < lx->len && !atom_stop(lx->buf[i])) {
        if (lx->buf[i] >= 0x80)
            tok->flags |= MW_IMAP_TOK_8BIT;
        i++;
    }
    tok->len = i - tok->off;
    lx->pos = i;
    const uint8_t *a = lx->buf + tok->off;
    if (mw_imap_word_eq(a, tok->len, "NIL"))
        return tok->kind = MW_IMAP_TOK_NIL;
    bool overflow;
    if (mw_imap_parse_u64(a, tok->len, &tok->num, &overflow) || overflow)
        return tok->kind = MW_IMAP_TOK_NUMBER;
    return tok->kind = MW_IMAP_TOK_ATOM;
}

static void skip_spaces(mw_imap_lexer *lx, mw_imap_tok *tok)
{
    size_t start = lx->pos;
    while (lx->pos < lx->len && (lx->buf[lx->pos] == ' ' || lx->buf[lx->pos] == '\t')) {
        if (lx->buf[lx->pos] == '\t')
            tok->flags |= MW_IMAP_TOK_SPACES;
        lx->pos++;
    }
    tok->space_before = lx->pos > start;
    if (lx->pos - start > 1)
        tok->flags |= MW_IMAP_TOK_SPACES;
}

mw_imap_tok_kind mw_imap_lex_next(mw_imap_lexer *lx, mw_imap_tok *tok)
{
    *tok = (mw_imap_tok){0};
    tok->depth = lx->depth;
    if (lx->failed) {
        tok->off = lx->pos;
        return fail(lx, tok, MW_IMAP_TOK_OK);
    }
    skip_spaces(lx, tok);
    tok->off = lx->pos;
    if (lx->pos >= lx->len)
        return tok->kind = MW_IMAP_TOK_END;
    uint8_t c = lx->buf[lx->pos];
    tok->len = 1;
    switch (c) {
    case '(':
        if (lx->depth >= lx->max_depth)
            return fail(lx, tok, MW_IMAP_TOK_TOO_DEEP);
        lx->pos++;
        tok->depth = ++lx->depth;
        return tok->kind = MW_IMAP_TOK_LIST_OPEN;
    case ')':
        if (lx->depth == 0)
            return fail(lx, tok, MW_IMAP_TOK_UNBALANCED);
        lx->pos++;
        tok->depth = --lx->depth;
        return tok->kind = MW_IMAP_TOK_LIST_CLOSE;
    case '[':
        lx->pos++;
        return tok->kind = MW_IMAP_TOK_SECT_OPEN;
    case ']':
        lx->pos++;
        return tok->kind = MW_IMAP_TOK_SECT_CLOSE;
    case '"':
        return lex_quoted(lx, tok);
    case '{':
        return lex_literal(lx, tok);
    case '~':
        if (lx->pos + 1 < lx->len && lx->buf[lx->pos + 1] == '{')
            return lex_literal(lx, tok);
        break;
    default:
        if (c < ' ' || c == 0x7f)
            return fail(lx, tok, MW_IMAP_TOK_BAD_CHAR);
        break;
    }
    return lex_atom(lx, tok);
}

mw_imap_tok_kind mw_imap_lex_skip_list(mw_imap_lexer *lx, unsigned depth, mw_imap_tok *last)
{
    for (;;) {
        mw_imap_tok_kind k = mw_imap_lex_next(lx, last);
        if (k == MW_IMAP_TOK_END || k == MW_IMAP_TOK_ERROR)
            return k;
        if (k == MW_IMAP_TOK_LIST_CLOSE && last->depth < depth)
            return k;
    }
}

size_t mw_imap_unquote(const uint8_t *q, size_t qlen, uint8_t *out, size_t cap)
{
    bool quoted = qlen > 0 && q[0] == '"';
    size_t n = 0;
    for (size_t i = quoted ? 1 : 0; i < qlen; i++) {
        uint8_t c = q[i];
        if (quoted && c == '"')
            break;
        if (quoted && c == '\\' && i + 1 < qlen)
            c = q[++i];
        if (n < cap)
            out[n] = c;
        n++;
    }
    return n;
}

bool mw_imap_next_word(const uint8_t *buf, size_t len, size_t *pos, size_t *off, size_t *wlen)
{
    size_t i = *pos;
    while (i < len && buf[i] != ' ')
        i++;
    *off = *pos;
    *wlen = i - *pos;
    size_t sp = i;
    while (i < len && buf[i] == ' ')
        i++;
    *pos = i;
    return i - sp > 1;
}

void mw_imap_numcount_init(mw_imap_numcount *c)
{
    memset(c, 0, sizeof *c);
}

static void numcount_word_end(mw_imap_numcount *c)
{
    if (c->in_word && c->digits && c->depth == 0) {
        c->count++;
        c->last = c->cur;
    }
    c->in_word = false;
}

void mw_imap_numcount_feed(mw_imap_numcount *c, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = p[i];
        if (b == ' ' || b == '(' || b == ')' || b == '\r' || b == '\n') {
            numcount_word_end(c);
            if (b == '(')
                c->depth++;
            else if (b == ')' && c->depth)
                c->depth--;
            continue;
        }
        if (!c->in_word) {
            c->in_word = true;
            c->digits = true;
            c->cur = 0;
        }
        if (b >= '0' && b <= '9' && c->digits) {
            uint64_t d = (uint64_t)(b - '0');
            if (c->cur > (UINT64_MAX - d) / 10)
                c->digits = false; /* not a number IMAP knows */
            else
                c->cur = c->cur * 10 + d;
        } else {
            c->digits = false;
        }
    }
}

void mw_imap_numcount_end(mw_imap_numcount *c)
{
    numcount_word_end(c);
    c->depth = 0;
}

/* CFWS lexer: see cfws.h. */
#include "core/mail/cfws.h"

#include <string.h>

void mw_lex_init(mw_lex *l, const uint8_t *b, size_t len)
{
    memset(l, 0, sizeof *l);
    l->b = b;
    l->len = len;
}

static bool is_wsp(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* At '(': moves past the matching ')'; nesting depth is counted, not
 * recursed into. */
static void skip_comment(mw_lex *l)
{
    size_t start = ++l->pos;
    unsigned depth = 1;
    while (l->pos < l->len) {
        uint8_t c = l->b[l->pos++];
        if (c == '\\') {
            if (l->pos < l->len)
                l->pos++;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            if (l->n_comments < MW_CFWS_MAX_COMMENTS)
                l->comments[l->n_comments++] = (mw_span){start, l->pos - 1 - start};
            return;
        }
    }
    l->unterminated = true;
    if (l->n_comments < MW_CFWS_MAX_COMMENTS)
        l->comments[l->n_comments++] = (mw_span){start, l->len - start};
}

bool mw_lex_cfws(mw_lex *l)
{
    size_t start = l->pos;
    l->n_comments = 0;
    while (l->pos < l->len) {
        uint8_t c = l->b[l->pos];
        if (is_wsp(c))
            l->pos++;
        else if (c == '(')
            skip_comment(l);
        else
            break;
    }
    return l->pos > start;
}

static bool is_kw(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool mw_lex_keyword(mw_lex *l, mw_span *out)
{
    size_t start = l->pos;
    while (l->pos < l->len && is_kw(l->b[l->pos]))
        l->pos++;
    *out = (mw_span){start, l->pos - start};
    return l->pos > start;
}

bool mw_lex_value(mw_lex *l, const char *stop, mw_span *out)
{
    size_t start = l->pos;
    if (mw_lex_peek(l) == '"') {
        l->pos++;
        size_t in = l->pos;
        while (l->pos < l->len) {
            uint8_t c = l->b[l->pos];
            if (c == '\\') {
                l->pos += l->pos + 1 < l->len ? 2 : 1;
                continue;
            }
            if (c == '"') {
                *out = (mw_span){in, l->pos - in};
                l->pos++;
                return true;
            }
            l->pos++;
        }
        l->unterminated = true;
        *out = (mw_span){in, l->len - in};
        return true;
    }
    while (l->pos < l->len) {
        uint8_t c = l->b[l->pos];
        if (is_wsp(c) || c == ';' || c == '(' || c == 0 || (stop && strchr(stop, c)))
            break;
        l->pos++;
    }
    *out = (mw_span){start, l->pos - start};
    return l->pos > start;
}

bool mw_lex_skip_to_semicolon(mw_lex *l)
{
    while (l->pos < l->len) {
        uint8_t c = l->b[l->pos];
        if (c == ';') {
            l->pos++;
            return true;
        }
        if (c == '(') {
            skip_comment(l);
        } else if (c == '"') {
            mw_span dummy;
            mw_lex_value(l, NULL, &dummy);
        } else {
            l->pos++;
        }
    }
    return false;
}

bool mw_span_is(const uint8_t *b, mw_span s, const char *word)
{
    size_t n = strlen(word);
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = b[s.off + i], w = (uint8_t)word[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        if (w >= 'A' && w <= 'Z')
            w = (uint8_t)(w + 32);
        if (c != w)
            return false;
    }
    return true;
}

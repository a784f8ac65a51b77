/* A small lexer over structured header field values (RFC 5322 3.2.2):
 * whitespace, folding line ends and nested comments (CFWS) skipped, words
 * and quoted strings read as spans of the value.  Shared by the trace header
 * parsers (Authentication-Results, ARC, Received).
 *
 * Lenient where receivers are: an unterminated comment or quoted string
 * runs to the end of the value (flagged), a backslash escapes any byte.
 */
#ifndef MAILWIRE_CORE_CFWS_H
#define MAILWIRE_CORE_CFWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/text/span.h"

/* Comments kept per skip (the rest are skipped, not recorded). */
#define MW_CFWS_MAX_COMMENTS 4

typedef struct mw_lex {
    const uint8_t *b;
    size_t len, pos;
    bool unterminated;   /* a comment or quoted string without its end */
    /* The comments seen by the last mw_lex_cfws call: inner text (without the
     * outer parentheses). */
    mw_span comments[MW_CFWS_MAX_COMMENTS];
    unsigned n_comments;
} mw_lex;

void mw_lex_init(mw_lex *l, const uint8_t *b, size_t len);

/* Skips whitespace, line ends and comments; records the comments.  Returns
 * true when anything was skipped. */
bool mw_lex_cfws(mw_lex *l);

/* The byte at the position (0 at the end). */
static inline uint8_t mw_lex_peek(const mw_lex *l)
{
    return l->pos < l->len ? l->b[l->pos] : 0;
}

static inline bool mw_lex_eat(mw_lex *l, uint8_t c)
{
    if (l->pos < l->len && l->b[l->pos] == c) {
        l->pos++;
        return true;
    }
    return false;
}

/* A keyword: letters, digits, '-', '_' (RFC 8601's Keyword, leniently). */
bool mw_lex_keyword(mw_lex *l, mw_span *out);

/* A value: a quoted string (out is its inside, escapes kept) or a run of
 * bytes up to whitespace, ';', '(' or one of the stop bytes.  False when
 * nothing is there. */
bool mw_lex_value(mw_lex *l, const char *stop, mw_span *out);

/* Moves past the next ';' outside comments and quoted strings (or to the
 * end).  Returns true when a ';' was passed. */
bool mw_lex_skip_to_semicolon(mw_lex *l);

/* Case-insensitive comparison of a span of b with an ASCII word. */
bool mw_span_is(const uint8_t *b, mw_span s, const char *word);

#endif

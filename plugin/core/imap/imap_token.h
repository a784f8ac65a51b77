/* IMAP tokens within one text line (RFC 9051 section 4, formal syntax in 9).
 *
 * The lexer walks a text segment (a line's content, or the text between two
 * literals) and returns atoms, numbers, NIL, quoted strings, list and section
 * brackets and literal placeholders.  Nesting is counted, never recursed, and
 * capped.  Atoms are lenient: any byte that is not a space, a control, a
 * bracket, a brace or a double quote, so flags ("\Seen", "\*"), partials
 * ("<0.100>") and list wildcards ("%", "*") are single atoms.
 */
#ifndef MAILWIRE_CORE_IMAP_TOKEN_H
#define MAILWIRE_CORE_IMAP_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/imap/imap_literal.h"

typedef enum mw_imap_tok_kind {
    MW_IMAP_TOK_END = 0,   /* end of the segment */
    MW_IMAP_TOK_ATOM,
    MW_IMAP_TOK_NUMBER,    /* an atom of digits only; value in num (UINT64_MAX on overflow) */
    MW_IMAP_TOK_NIL,       /* the atom NIL, any case */
    MW_IMAP_TOK_QUOTED,    /* span includes both quotes */
    MW_IMAP_TOK_LIST_OPEN, /* "(": depth is the depth inside it */
    MW_IMAP_TOK_LIST_CLOSE,/* ")": depth is the depth outside it */
    MW_IMAP_TOK_SECT_OPEN, /* "[" */
    MW_IMAP_TOK_SECT_CLOSE,/* "]" */
    MW_IMAP_TOK_LITERAL,   /* a literal header: lit holds its size and form */
    MW_IMAP_TOK_ERROR,     /* see err; the lexer stops here */
} mw_imap_tok_kind;

typedef enum mw_imap_tok_err {
    MW_IMAP_TOK_OK = 0,
    MW_IMAP_TOK_UNTERMINATED, /* a quoted string without its closing quote */
    MW_IMAP_TOK_TOO_DEEP,     /* "(" beyond the lexer's max_depth */
    MW_IMAP_TOK_UNBALANCED,   /* ")" with no open list */
    MW_IMAP_TOK_BAD_LITERAL,  /* "{" that is not a well-formed literal header */
    MW_IMAP_TOK_BAD_CHAR,     /* a control byte outside a quoted string */
} mw_imap_tok_err;

/* Facts about a token. */
enum {
    MW_IMAP_TOK_ESCAPED = 1u << 0,    /* quoted: holds \" or \\ */
    MW_IMAP_TOK_BAD_ESCAPE = 1u << 1, /* quoted: a backslash before another byte */
    MW_IMAP_TOK_8BIT = 1u << 2,       /* bytes >= 0x80 */
    MW_IMAP_TOK_CTL = 1u << 3,        /* quoted: a control byte (NUL, CR, LF...) */
    MW_IMAP_TOK_SPACES = 1u << 4,     /* more than one space, or a tab, before it */
};

typedef struct mw_imap_tok {
    mw_imap_tok_kind kind;
    mw_imap_tok_err err;
    size_t off, len;  /* relative to the lexer's buffer */
    unsigned depth;   /* list depth, see the kinds */
    unsigned flags;   /* MW_IMAP_TOK_* facts */
    bool space_before;/* at least one space separates it from the previous token */
    uint64_t num;     /* NUMBER */
    mw_imap_lit lit;  /* LITERAL, offsets relative to the lexer's buffer */
} mw_imap_tok;

#define MW_IMAP_DEPTH_DEFAULT 32u

typedef struct mw_imap_lexer {
    const uint8_t *buf;
    size_t len, pos;
    unsigned depth;     /* current list depth */
    unsigned max_depth; /* lists deeper than this are an error */
    bool failed;        /* an ERROR was returned: every later call returns it again */
} mw_imap_lexer;

/* Start lexing buf[start..len).  max_depth 0 means MW_IMAP_DEPTH_DEFAULT.
 * depth is the list depth at start (for a segment that follows a literal
 * inside a list). */
void mw_imap_lexer_init(mw_imap_lexer *lx, const uint8_t *buf, size_t len, size_t start,
                        unsigned depth, unsigned max_depth);

/* Next token into *tok; returns tok->kind.  Always advances unless it
 * returns END or ERROR, so a loop until one of them terminates. */
mw_imap_tok_kind mw_imap_lex_next(mw_imap_lexer *lx, mw_imap_tok *tok);

/* Skip the rest of the list whose "(" was just returned (or the current
 * list when already inside one) up to its ")".  Returns the kind that
 * stopped it: LIST_CLOSE, END (the list goes on after a literal or past the
 * segment) or ERROR.  *last gets that token. */
mw_imap_tok_kind mw_imap_lex_skip_list(mw_imap_lexer *lx, unsigned depth, mw_imap_tok *last);

/* Unescape the quoted string q[0..qlen) (quotes included, as a QUOTED token
 * spans it) into out[0..cap).  Returns the unescaped length, which may exceed
 * cap: then out holds its first cap bytes.  A span that does not start with
 * a quote is copied as is. */
size_t mw_imap_unquote(const uint8_t *q, size_t qlen, uint8_t *out, size_t cap);

/* Case-insensitive comparison of buf[0..len) with a NUL-terminated ASCII word. */
bool mw_imap_word_eq(const uint8_t *buf, size_t len, const char *word);

/* The space-delimited word at *pos: its offset and length, with *pos moved
 * past it and the spaces after it.  Returns true when more than one space
 * followed (the grammar allows exactly one). */
bool mw_imap_next_word(const uint8_t *buf, size_t len, size_t *pos, size_t *off, size_t *wlen);

/* The numbers of a SEARCH or SORT response counted over a line that may come
 * in any number of pieces (fragments of an over-long line): numbers outside
 * parentheses (not a CONDSTORE "(MODSEQ n)"), a number cut between two pieces
 * counted once.  Constant memory, linear time. */
typedef struct mw_imap_numcount {
    uint64_t count;
    uint64_t last;      /* the last number counted */
    uint64_t cur;       /* the number being read */
    unsigned depth;
    bool in_word;
    bool digits;        /* the word being read is all digits so far */
} mw_imap_numcount;

void mw_imap_numcount_init(mw_imap_numcount *c);
void mw_imap_numcount_feed(mw_imap_numcount *c, const uint8_t *p, size_t len);
/* The line ended: count the word being read. */
void mw_imap_numcount_end(mw_imap_numcount *c);

#endif

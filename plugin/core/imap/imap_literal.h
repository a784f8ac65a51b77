/* IMAP literal headers: the "{n}" that ends a text line and announces n octets.
 *
 * RFC 9051 section 4.3 (synchronizing {n}), RFC 7888 (LITERAL+ {n+} and
 * LITERAL- {n-}), RFC 3516 section 4.3 (literal8 ~{n}, also ~{n+}).
 * A header only counts at the very end of a line's content: the CRLF after it
 * is where the octets start.
 */
#ifndef MAILWIRE_CORE_IMAP_LITERAL_H
#define MAILWIRE_CORE_IMAP_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mw_imap_lit_status {
    MW_IMAP_LIT_ABSENT = 0,   /* the line does not end in "}" after a "{" */
    MW_IMAP_LIT_OK,           /* a well-formed header; size is valid */
    MW_IMAP_LIT_EMPTY,        /* "{}" (or "{+}", "{-}"): no digits at all */
    MW_IMAP_LIT_LEADING_JUNK, /* bytes before the digits: "{ 1}", "{-1}", "{x5}" */
    MW_IMAP_LIT_NOT_DIGITS,   /* no leading digit, or junk after one: "{abc}", "{1a}" */
    MW_IMAP_LIT_OVERFLOW,     /* more than a uint64 holds; size is UINT64_MAX */
    MW_IMAP_LIT_INSANE,       /* well-formed, but above the caller's bound; size is set */
} mw_imap_lit_status;

typedef enum mw_imap_lit_sync {
    MW_IMAP_LIT_SYNC = 0,  /* {n}: the sender waits for a "+" continuation */
    MW_IMAP_LIT_PLUS,      /* {n+}: LITERAL+, never waits */
    MW_IMAP_LIT_MINUS,     /* {n-}: LITERAL-, never waits, n <= 4096 allowed */
} mw_imap_lit_sync;

typedef struct mw_imap_lit {
    mw_imap_lit_status status;
    mw_imap_lit_sync sync;
    bool binary;           /* "~" prefix: literal8, may carry NUL */
    uint64_t size;         /* the declared octet count (see status) */
    size_t off, len;       /* the header, "~" and braces included, relative to buf */
    size_t digits_off, digits_len; /* the text between the braces, marker excluded */
} mw_imap_lit;

/* Largest size LITERAL- allows without a synchronizing round trip. */
#define MW_IMAP_LITERAL_MINUS_MAX 4096u

/* Look for a literal header at the end of buf[0..len), a text line's content
 * with its line end excluded.  max_size bounds sane sizes (0: no bound).
 * Fills *lit (always) and returns lit->status.  A candidate is the last "{"
 * with only non-brace bytes up to a final "}", at most 40 bytes long, so the
 * cost is constant however long the line is. */
mw_imap_lit_status mw_imap_literal_header(const uint8_t *buf, size_t len, uint64_t max_size,
                                          mw_imap_lit *lit);

/* Parse a decimal uint64 from buf[0..len), all digits, at least one.
 * Returns false on an empty span, a non-digit, or overflow (then *overflow is
 * set when overflow is not NULL). */
bool mw_imap_parse_u64(const uint8_t *buf, size_t len, uint64_t *out, bool *overflow);

/* "ok", "empty", "leading junk", "not digits", "overflow", "insane", "absent". */
const char *mw_imap_lit_status_name(mw_imap_lit_status status);

#endif

/* RFC 5322 message headers: header fields, address lists, RFC 2047 encoded
 * words.
 *
 * Receivers and MUAs accept bare-LF line ends in headers, so the iterator
 * does too and flags them.  Address lists are split on top-level commas only:
 * commas inside quoted strings, comments and angle brackets do not count.
 *
 * Limitations: obsolete syntax beyond source routes and whitespace before the
 * colon is not interpreted; charsets other than UTF-8, US-ASCII and
 * ISO-8859-1 are not converted.
 */
#ifndef MAILWIRE_CORE_MESSAGE_H
#define MAILWIRE_CORE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/text/span.h"

typedef enum mw_hdr_status {
    MW_HDR_FIELD = 0, /* *f is a header field */
    MW_HDR_END,       /* the empty line that ends the header block; f->end is the body start */
    MW_HDR_MORE,      /* the field (or its folding) is not complete in buf: need more bytes */
    MW_HDR_BAD,       /* a line that is neither a field nor a continuation; f->value is it */
    MW_HDR_EOF,       /* *pos == len and eof was set: no more fields, no empty line seen */
} mw_hdr_status;

/* Field flags. */
enum {
    MW_HDR_BARE_LF = 1u << 0,      /* a line of the field ended in a bare LF */
    MW_HDR_FOLDED = 1u << 1,       /* continuation lines (RFC 5322 2.2.3) */
    MW_HDR_WSP_BEFORE_COLON = 1u << 2, /* "Subject : x" (obs-optional) */
    MW_HDR_NO_EOL = 1u << 3,       /* the last line had no line end (eof) */
    MW_HDR_EMPTY_FOLD = 1u << 4,   /* a continuation line of only whitespace */
};

typedef struct mw_hdr_field {
    mw_span name;   /* field name; empty for MW_HDR_BAD */
    mw_span value;  /* raw value: after the colon and leading WSP up to the
                       final line end, folding line ends included */
    size_t end;     /* offset after the field's last line end */
    unsigned flags; /* MW_HDR_* flags */
} mw_hdr_field;

/* Reads the header field at buf[*pos].  On FIELD, BAD and END *pos moves to
 * f->end.  Without eof, a field whose next line is not yet in buf (it might
 * be a continuation) gives MORE and *pos stays; with eof the buffer is all
 * there is.  Lines end at LF, optionally preceded by CR. */
mw_hdr_status mw_hdr_next(const uint8_t *buf, size_t len, bool eof, size_t *pos, mw_hdr_field *f);

/* Case-insensitive comparison of a field name with an ASCII name. */
bool mw_hdr_name_is(const uint8_t *buf, mw_span name, const char *want);

/* Address flags. */
enum {
    MW_ADDR_ANGLE = 1u << 0,       /* "name <addr>" form */
    MW_ADDR_IN_GROUP = 1u << 1,    /* inside "group: ...;" (group span set) */
    MW_ADDR_EMPTY_GROUP = 1u << 2, /* "undisclosed-recipients:;": no addr */
    MW_ADDR_COMMENT = 1u << 3,     /* comments inside addr: use mw_addr_strip */
    MW_ADDR_ROUTE = 1u << 4,       /* "<@a,@b:u@d>": addr excludes the route */
    MW_ADDR_NO_AT = 1u << 5,       /* no '@' outside quotes */
    MW_ADDR_DISPLAY_COMMENT = 1u << 6, /* display taken from a comment "a@b (Name)" */
};

typedef struct mw_addr {
    mw_span display;   /* display name as written (quotes kept), or a comment's text */
    mw_span addr;      /* addr-spec as written, trimmed */
    mw_span domain;    /* after the last '@', up to whitespace, '(' or the end */
    mw_span group;     /* group display name when MW_ADDR_IN_GROUP */
    unsigned flags;    /* MW_ADDR_* */
    const char *error; /* set for an unterminated quote, comment or '<' */
} mw_addr;

/* Iteration state: zero it before the first call. */
typedef struct mw_addr_iter {
    size_t pos;
    bool in_group;
    unsigned members; /* mailboxes seen in the current group */
    mw_span group;
} mw_addr_iter;

/* Returns the next mailbox of an address-list field value buf[0..len)
 * (folding line ends may be inside; they are whitespace), or false at the
 * end.  Each call consumes at least one byte, so a loop always ends. */
bool mw_addr_next(const uint8_t *buf, size_t len, mw_addr_iter *it, mw_addr *a);

/* Copies buf's span s without comments and whitespace outside quoted strings
 * into out (a "clean" addr-spec); returns the length, truncated to cap. */
size_t mw_addr_strip(const uint8_t *buf, mw_span s, uint8_t *out, size_t cap);

/* Encoded-word decoding flags. */
enum {
    MW_EW_DECODED = 1u << 0,    /* at least one encoded word was decoded */
    MW_EW_RAW_CHARSET = 1u << 1, /* a charset other than UTF-8/US-ASCII/ISO-8859-1: bytes left as is */
    MW_EW_MALFORMED = 1u << 2,  /* something looked like an encoded word but was not; kept as text */
    MW_EW_TRUNCATED = 1u << 3,  /* out was too small */
};

/* Decodes unstructured text (a Subject, a display name) for display into
 * out[0..cap): unfolds line ends followed by WSP, decodes RFC 2047 encoded
 * words =?charset?B|Q?text?= (an RFC 2231 "*lang" suffix is ignored), drops
 * whitespace between adjacent encoded words (RFC 2047 6.2) and converts
 * ISO-8859-1 to UTF-8.  Returns the output length; *flags gets MW_EW_*.
 * 2 * len bytes of out always suffice. */
size_t mw_ew_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, unsigned *flags);

#endif

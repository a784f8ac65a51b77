/* MIME header values with parameters (RFC 2045 5.1, RFC 2183): the value
 * before the first ';' and its parameters, with RFC 2231 extended values
 * (charset'language'%XX, numbered continuations) joined and RFC 2047 encoded
 * words inside quoted values decoded.  Every string is NUL-terminated UTF-8.
 *
 * Lenient where readers are: comments anywhere, whitespace around '=' and
 * '/', unquoted values holding spaces or specials (flagged), an unterminated
 * quoted string (flagged).  Limitations: at most MW_MIME_MAX_PARAMS
 * parameters per field and MW_MIME_MAX_SECTIONS continuations per name;
 * RFC 2047 words in charsets other than UTF-8, US-ASCII and ISO-8859-1 are
 * kept as bytes (made valid UTF-8).
 */
#ifndef MAILWIRE_CORE_MIME_PARAM_H
#define MAILWIRE_CORE_MIME_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_MIME_MAX_PARAMS 32
#define MW_MIME_MAX_SECTIONS 64

/* Parameter flags. */
enum {
    MW_PARAM_RFC2231 = 1u << 0,      /* value from name*= or name*N= sections */
    MW_PARAM_RFC2047 = 1u << 1,      /* encoded words decoded */
    MW_PARAM_RAW_CHARSET = 1u << 2,  /* a charset not converted: bytes kept */
    MW_PARAM_GAP = 1u << 3,          /* continuation sections missing */
    MW_PARAM_BAD_PERCENT = 1u << 4,  /* "%" not followed by two hex digits: kept */
    MW_PARAM_BAD_UTF8 = 1u << 5,     /* invalid UTF-8 replaced by U+FFFD */
    MW_PARAM_NUL = 1u << 6,          /* a NUL byte in the value: value stops before it */
    MW_PARAM_BOTH_FORMS = 1u << 7,   /* name= and name*= both present: name*= used */
};

typedef struct mw_mime_param {
    char *name;       /* lower case, without the RFC 2231 "*" and section */
    char *value;      /* decoded, UTF-8 */
    size_t value_len; /* strlen(value) */
    unsigned flags;   /* MW_PARAM_* */
} mw_mime_param;

/* Field flags. */
enum {
    MW_HV_BAD_SYNTAX = 1u << 0,    /* junk where a parameter, '=' or value should be */
    MW_HV_UNTERMINATED = 1u << 1,  /* a quoted string or comment without its end */
    MW_HV_DUP_PARAM = 1u << 2,     /* a parameter name twice: the first is used */
    MW_HV_TOO_MANY = 1u << 3,      /* parameters past MW_MIME_MAX_PARAMS ignored */
    MW_HV_UNQUOTED_SPECIAL = 1u << 4, /* an unquoted value with spaces or specials */
};

typedef struct mw_mime_hvalue {
    char *value;           /* lower case, whitespace and comments removed ("text/plain") */
    mw_mime_param *params; /* in order of first appearance */
    unsigned n_params;
    unsigned flags;        /* MW_HV_* */
} mw_mime_hvalue;

/* Parses a field value v[0..len) (folding line ends allowed) into *out,
 * allocating with GLib; release with mw_mime_hvalue_clear. */
void mw_mime_hvalue_parse(const uint8_t *v, size_t len, mw_mime_hvalue *out);
void mw_mime_hvalue_clear(mw_mime_hvalue *hv);

/* The parameter called name (lower case), or NULL. */
const mw_mime_param *mw_mime_param_find(const mw_mime_hvalue *hv, const char *name);

#endif

/* Authentication-Results (RFC 8601) and ARC-Authentication-Results (RFC 8617
 * 4.1.1: the same payload after "i=N;"): the authserv-id, then per method
 * its name, result, reason and properties (ptype.property=value).
 *
 * Lenient where readers are: comments anywhere (RFC 8601 puts them beside
 * results, "(1024-bit key)"), quoted strings for any value, '_' in
 * keywords, property values holding any byte but whitespace, ';' and '('
 * (base64 header.b=).  A method that does not parse is flagged and skipped
 * up to the next ';', so one bad method does not hide the others.
 * Limitations: at most MW_AR_MAX_PROPS properties per method are recorded
 * (the rest are counted).
 */
#ifndef MAILWIRE_CORE_AUTHRES_H
#define MAILWIRE_CORE_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/text/span.h"

#define MW_AR_MAX_PROPS 8

/* Field and method flags. */
enum {
    MW_AR_SYNTAX = 1u << 0,        /* junk where a method, result or property should be */
    MW_AR_NO_AUTHSERV = 1u << 1,   /* no authserv-id */
    MW_AR_UNTERMINATED = 1u << 2,  /* a comment or quoted string without its end */
    MW_AR_TOO_MANY = 1u << 3,      /* methods or properties past the caller's room: counted only */
    MW_AR_NO_INSTANCE = 1u << 4,   /* ARC-Authentication-Results without a valid i= */
};

typedef struct mw_ar_prop {
    mw_span ptype;     /* "header", "smtp", "body", "policy" */
    mw_span property;  /* "d", "i", "mailfrom" */
    mw_span value;     /* inside the quotes when quoted */
} mw_ar_prop;

typedef struct mw_ar_method {
    mw_span method;    /* "dkim", "spf" (without a "/version") */
    mw_span version;   /* "1" in "dkim/1", empty if none */
    mw_span result;    /* "pass", "fail", "none", ... */
    mw_span reason;    /* reason= value, empty if none */
    mw_span comment;   /* the first comment after the result, empty if none */
    mw_ar_prop props[MW_AR_MAX_PROPS];
    unsigned n_props;  /* recorded */
    unsigned props_total;
    unsigned flags;    /* MW_AR_* for this method */
} mw_ar_method;

typedef struct mw_authres {
    mw_span authserv_id; /* inside the quotes when quoted */
    mw_span version;     /* authres-version digits, empty if none */
    bool has_instance;   /* ARC: i= parsed */
    uint32_t instance;
    bool none;           /* "; none": no authentication was done */
    unsigned n_methods;  /* recorded in the caller's array */
    unsigned methods_total; /* methods in the field, parsed or not */
    unsigned flags;      /* MW_AR_* over the whole field */
} mw_authres;

/* Parses the value v[0..len) (folding allowed) of an Authentication-Results
 * field, or of an ARC-Authentication-Results field when arc is set, into
 * *ar; methods go to methods[0..max).  Returns false when MW_AR_SYNTAX,
 * MW_AR_NO_AUTHSERV or MW_AR_NO_INSTANCE is set. */
bool mw_authres_parse(const uint8_t *v, size_t len, bool arc, mw_authres *ar,
                      mw_ar_method *methods, unsigned max);

/* The value of property ptype.property of m (case-insensitive names), or
 * NULL. */
const mw_ar_prop *mw_ar_prop_find(const uint8_t *v, const mw_ar_method *m, const char *ptype,
                                  const char *property);

#endif

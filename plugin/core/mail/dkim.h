/* DKIM signatures (RFC 6376, RFC 8463) checked against the bytes of a whole
 * message: the DKIM-Signature tag list, both canonicalisations of header
 * fields and body (section 3.4), the body hash with l= compared with bh=,
 * and the data the signature covers (section 3.7: the fields named in h=,
 * bottom-up for repeated names, then the signature field with b= emptied).
 * Verifying the signature itself with a public key is in dkim_key.h.
 *
 * Line ends: a message as delivered has CRLF; a bare LF in the body is
 * taken as a line end (canonical CRLF) and flagged, a bare CR is data.
 * Limitations: at most MW_DKIM_MAX_H names in h= (more: MW_DKIM_TOO_MANY_H)
 * and a signature of at most MW_DKIM_MAX_SIG bytes (8192-bit RSA).
 */
#ifndef MAILWIRE_CORE_DKIM_H
#define MAILWIRE_CORE_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "core/text/span.h"

#define MW_DKIM_MAX_H 64
#define MW_DKIM_MAX_SIG 1024

typedef enum mw_dkim_alg {
    MW_DKIM_ALG_UNKNOWN = 0,
    MW_DKIM_RSA_SHA256,
    MW_DKIM_RSA_SHA1,
    MW_DKIM_ED25519_SHA256,
} mw_dkim_alg;

typedef enum mw_dkim_canon {
    MW_DKIM_SIMPLE = 0,
    MW_DKIM_RELAXED,
} mw_dkim_canon;

/* Tags, one bit each in mw_dkim_sig.present. */
enum {
    MW_DKIM_TAG_V = 1u << 0, MW_DKIM_TAG_A = 1u << 1, MW_DKIM_TAG_B = 1u << 2,
    MW_DKIM_TAG_BH = 1u << 3, MW_DKIM_TAG_C = 1u << 4, MW_DKIM_TAG_D = 1u << 5,
    MW_DKIM_TAG_H = 1u << 6, MW_DKIM_TAG_I = 1u << 7, MW_DKIM_TAG_L = 1u << 8,
    MW_DKIM_TAG_Q = 1u << 9, MW_DKIM_TAG_S = 1u << 10, MW_DKIM_TAG_T = 1u << 11,
    MW_DKIM_TAG_X = 1u << 12, MW_DKIM_TAG_Z = 1u << 13,
};
#define MW_DKIM_REQUIRED \
    (MW_DKIM_TAG_V | MW_DKIM_TAG_A | MW_DKIM_TAG_B | MW_DKIM_TAG_BH | MW_DKIM_TAG_D | MW_DKIM_TAG_H | MW_DKIM_TAG_S)

/* Signature flags: malformed tags (the signature cannot verify: RFC 6376
 * 6.1.1 PERMFAIL) and weak or notable choices. */
enum {
    MW_DKIM_SYNTAX = 1u << 0,        /* a tag-spec without '=', a bad tag name or value character */
    MW_DKIM_DUP_TAG = 1u << 1,       /* a tag twice (RFC 6376 3.2: invalid) */
    MW_DKIM_MISSING_TAG = 1u << 2,   /* v, a, b, bh, d, h or s missing */
    MW_DKIM_BAD_VERSION = 1u << 3,   /* v= other than 1 */
    MW_DKIM_BAD_ALGORITHM = 1u << 4, /* a= not rsa-sha256, rsa-sha1 or ed25519-sha256 */
    MW_DKIM_BAD_CANON = 1u << 5,     /* c= not simple or relaxed (twice) */
    MW_DKIM_BAD_BASE64 = 1u << 6,    /* b= or bh= not base64 */
    MW_DKIM_BAD_BH_SIZE = 1u << 7,   /* bh= not the size of the hash of a= */
    MW_DKIM_BAD_NUMBER = 1u << 8,    /* l=, t= or x= not a decimal number (at most 76 digits; 2^64 caps) */
    MW_DKIM_X_BEFORE_T = 1u << 9,    /* x= not after t= */
    MW_DKIM_I_NOT_IN_D = 1u << 10,   /* the domain of i= is not d= or below it */
    MW_DKIM_NO_FROM = 1u << 11,      /* h= does not name From (RFC 6376 5.4: required) */
    MW_DKIM_TOO_MANY_H = 1u << 12,   /* h= names past MW_DKIM_MAX_H ignored */
    MW_DKIM_BAD_QUERY = 1u << 13,    /* q= other than dns/txt */
    MW_DKIM_SIG_TOO_LONG = 1u << 14, /* b= longer than MW_DKIM_MAX_SIG bytes */
    /* Notable, not malformed: */
    MW_DKIM_WEAK_SHA1 = 1u << 16,    /* rsa-sha1 (RFC 8301: must not be used) */
    MW_DKIM_HAS_L = 1u << 17,        /* l= present: content may be appended unsigned */
    MW_DKIM_UNKNOWN_TAG = 1u << 18,  /* tags not in RFC 6376 (ignored, as the RFC says) */
};
/* The flags that make a signature unverifiable. */
#define MW_DKIM_MALFORMED 0xffffu

typedef struct mw_dkim_sig {
    /* Tag values as written (spans in the value given to mw_dkim_parse). */
    mw_span v, a, b, bh, c, d, h, i, l, q, s, t, x, z;
    unsigned present;        /* MW_DKIM_TAG_* */
    mw_span b_region;        /* b='s value with the whitespace around it: emptied for signing */
    mw_dkim_alg alg;
    mw_dkim_canon header_canon, body_canon;
    uint64_t l_value, t_value, x_value;
    mw_span h_names[MW_DKIM_MAX_H]; /* the names of h=, trimmed */
    unsigned n_h;
    uint8_t bh_raw[64];
    size_t bh_len;
    uint8_t b_raw[MW_DKIM_MAX_SIG];
    size_t b_len;
    unsigned flags;          /* MW_DKIM_* */
} mw_dkim_sig;

/* Parses a DKIM-Signature field value v[0..len) (folding allowed).  Returns
 * true when no MW_DKIM_MALFORMED flag is set. */
bool mw_dkim_parse(const uint8_t *v, size_t len, mw_dkim_sig *sig);

/* The DNS name of the signature's key, "selector._domainkey.domain", from
 * the value v the signature was parsed from (g_malloc'd); NULL without s=
 * or d=. */
char *mw_dkim_key_name(const uint8_t *v, const mw_dkim_sig *sig);

/* True when x= is present and earlier than now (seconds since 1970). */
bool mw_dkim_expired(const mw_dkim_sig *sig, uint64_t now);

/* Canonical form of one header field (section 3.4.1, 3.4.2): field is the
 * raw field from its name through its final line end (if any), appended to
 * out.  Relaxed always ends in CRLF; simple keeps the bytes. */
void mw_dkim_canon_header(mw_dkim_canon c, const uint8_t *field, size_t len, GByteArray *out);

/* Streaming body canonicalisation (section 3.4.3, 3.4.4): feed the body in
 * pieces, end it; canonical bytes go to emit. */
typedef struct mw_dkim_body {
    mw_dkim_canon canon;
    void (*emit)(void *ctx, const uint8_t *p, size_t n);
    void *ctx;
    uint64_t out_len;      /* canonical bytes emitted */
    uint64_t held_crlf;    /* empty lines held back: emitted only if content follows */
    bool line_content;     /* the current line has emitted content */
    bool wsp;              /* relaxed: whitespace held */
    bool cr;               /* a CR held: a line end if LF follows */
    bool bare_lf;          /* a bare LF was taken as a line end */
} mw_dkim_body;

void mw_dkim_body_init(mw_dkim_body *b, mw_dkim_canon c,
                       void (*emit)(void *ctx, const uint8_t *p, size_t n), void *ctx);
void mw_dkim_body_feed(mw_dkim_body *b, const uint8_t *p, size_t n);
void mw_dkim_body_end(mw_dkim_body *b);

/* Body hash of body[0..len) for a signature: canonicalised, cut at l= when
 * given.  Writes the digest (32 or 20 bytes) to out and returns its size, 0
 * if the algorithm is unknown.  *canon_len gets the whole canonical length. */
size_t mw_dkim_body_hash(const uint8_t *body, size_t len, const mw_dkim_sig *sig, uint8_t out[32],
                         uint64_t *canon_len, bool *bare_lf);

/* The data a signature covers (section 3.7): msg[0..hdr_end) is the header
 * block; sig_field is the DKIM-Signature field (name start to its end),
 * sig_value its value, both as spans of msg.  Appends to out. */
void mw_dkim_signed_data(const uint8_t *msg, size_t hdr_end, mw_span sig_field, mw_span sig_value,
                         const mw_dkim_sig *sig, GByteArray *out);

/* One signature of a message, checked as far as the message allows. */
typedef struct mw_dkim_result {
    mw_dkim_sig sig;
    mw_span field;           /* the DKIM-Signature field in the message */
    mw_span value;           /* its value */
    bool parsed_ok;          /* no MW_DKIM_MALFORMED flag */
    bool body_checked;       /* the body hash was computed */
    bool body_ok;            /* and equals bh= */
    uint8_t body_hash[32];
    size_t body_hash_len;
    uint64_t body_canon_len; /* canonical body bytes */
    uint64_t unsigned_len;   /* canonical body bytes past l= */
    bool l_past_end;         /* l= longer than the canonical body (RFC 6376 6.1.3: fail) */
    bool bare_lf;            /* bare LFs in the body */
    uint8_t data_hash[32];   /* hash of mw_dkim_signed_data, what the signature signs */
    size_t data_hash_len;
    unsigned h_missing;      /* names of h= with no field (oversigning: not an error) */
} mw_dkim_result;

/* Finds the DKIM-Signature fields of the whole message msg[0..len), top
 * first, and checks up to max of them into res; returns how many there are. */
unsigned mw_dkim_check_message(const uint8_t *msg, size_t len, mw_dkim_result *res, unsigned max);

#endif

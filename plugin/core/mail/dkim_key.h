/* DKIM public keys (RFC 6376 3.6.1, RFC 8463) and signature verification
 * with libgcrypt.
 *
 * A key record is the TXT text of selector._domainkey.domain (strings of one
 * record joined, as DNS does).  p= holds an RSA key as DER, either a
 * SubjectPublicKeyInfo (what every signer publishes) or a bare RSAPublicKey
 * (what RFC 6376 literally says), or a raw 32-byte Ed25519 key.
 */
#ifndef MAILWIRE_CORE_DKIM_KEY_H
#define MAILWIRE_CORE_DKIM_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mail/dkim.h"

typedef enum mw_dkim_key_type {
    MW_DKIM_KEY_RSA = 0,
    MW_DKIM_KEY_ED25519,
    MW_DKIM_KEY_UNKNOWN,
} mw_dkim_key_type;

/* Key flags. */
enum {
    MW_DKIM_KEY_SYNTAX = 1u << 0,    /* malformed tag list */
    MW_DKIM_KEY_BAD_VERSION = 1u << 1, /* v= present and not DKIM1 */
    MW_DKIM_KEY_NO_P = 1u << 2,      /* no p= */
    MW_DKIM_KEY_REVOKED = 1u << 3,   /* p= empty: the key is revoked */
    MW_DKIM_KEY_BAD_BASE64 = 1u << 4,
    MW_DKIM_KEY_BAD_DER = 1u << 5,   /* p= is not a key of its k= type */
    MW_DKIM_KEY_TESTING = 1u << 6,   /* t=y: the domain is testing DKIM */
    MW_DKIM_KEY_SHA1_ONLY = 1u << 7, /* h= allows only sha1 */
    MW_DKIM_KEY_TOO_LARGE = 1u << 8, /* RSA modulus past 16384 bits or exponent past 64 bits: not used */
};

typedef struct mw_dkim_key {
    mw_dkim_key_type type;
    uint8_t *n, *e;      /* RSA modulus and exponent, big-endian, leading zeros stripped (g_malloc) */
    size_t n_len, e_len;
    uint8_t ed25519[32];
    unsigned bits;       /* RSA modulus size; 256 for Ed25519 */
    unsigned flags;      /* MW_DKIM_KEY_* */
} mw_dkim_key;

/* Parses a key record txt[0..len).  Returns true when the key is usable.
 * Release with mw_dkim_key_clear. */
bool mw_dkim_key_parse(const uint8_t *txt, size_t len, mw_dkim_key *key);
void mw_dkim_key_clear(mw_dkim_key *key);

/* One line of a keys file (the preference mail.dkim.keys_file): a zone-file
 * style record `selector._domainkey.domain [TTL] [IN] TXT "string" ...`.
 * Sets *name (the owner name, a trailing dot dropped) and appends the
 * strings joined, as DNS joins the strings of one record, to txt (quotes
 * and backslash escapes undone).  False for blank lines, '#' or ';'
 * comments and lines that are not TXT records. */
bool mw_dkim_keys_line(const uint8_t *line, size_t len, mw_span *name, GByteArray *txt);

typedef enum mw_dkim_verdict {
    MW_DKIM_SIG_PASS = 0,
    MW_DKIM_SIG_FAIL,      /* the signature does not match the signed data */
    MW_DKIM_SIG_ERROR,     /* cannot be checked: why says what */
} mw_dkim_verdict;

/* Verifies the signature of a checked result (mw_dkim_check_message) with a
 * key; *why gets a short static reason on FAIL and ERROR. */
mw_dkim_verdict mw_dkim_verify(const mw_dkim_result *r, const mw_dkim_key *key, const char **why);

#endif

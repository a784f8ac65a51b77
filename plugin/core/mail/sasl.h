/* SASL decoding for AUTH (SMTP), AUTHENTICATE (IMAP) and AUTH (POP3).
 *
 * Mechanism messages travel base64-encoded (RFC 4954 4); decode them with
 * mw_base64_decode (base64.h), then split the decoded bytes with the parser for the
 * mechanism.  Parsers return spans into the decoded buffer.
 * Implements RFC 4616 (PLAIN), RFC 2195 (CRAM-MD5),
 * RFC 7628 3.1 (OAUTHBEARER), Google's XOAUTH2 and the de-facto LOGIN.
 */
#ifndef MAILWIRE_CORE_SASL_H
#define MAILWIRE_CORE_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/text/base64.h"
#include "core/text/span.h"

typedef enum mw_sasl_mech {
    MW_SASL_UNKNOWN = 0,
    MW_SASL_PLAIN, MW_SASL_LOGIN, MW_SASL_CRAM_MD5, MW_SASL_XOAUTH2, MW_SASL_OAUTHBEARER,
    MW_SASL_SCRAM_SHA_1, MW_SASL_SCRAM_SHA_1_PLUS, MW_SASL_SCRAM_SHA_256,
    MW_SASL_SCRAM_SHA_256_PLUS, MW_SASL_NTLM, MW_SASL_GSSAPI, MW_SASL_DIGEST_MD5,
    MW_SASL_EXTERNAL, MW_SASL_ANONYMOUS,
} mw_sasl_mech;

typedef struct mw_sasl_mech_info {
    mw_sasl_mech mech;
    const char *name;   /* canonical name, "unknown" for MW_SASL_UNKNOWN */
    bool cleartext;     /* the exchange reveals the password itself (PLAIN, LOGIN) */
    bool bearer;        /* the exchange reveals a reusable bearer token (XOAUTH2, OAUTHBEARER) */
} mw_sasl_mech_info;

/* Classifies a mechanism name, case-insensitively. */
mw_sasl_mech_info mw_sasl_mech_classify(const uint8_t *name, size_t len);

typedef struct mw_sasl_plain {
    mw_span authzid, authcid, passwd; /* authzid is empty when not given */
    const char *error;
    /* The spans are set and name someone: user is authcid, or authzid when
     * authcid is empty ("user NUL NUL password": the parse fails with an
     * error, yet servers and analysts still read a user and a password). */
    bool usable;
    mw_span user;
} mw_sasl_plain;

/* Splits decoded PLAIN "authzid NUL authcid NUL passwd"; exactly two NULs. */
bool mw_sasl_plain_parse(const uint8_t *dec, size_t len, mw_sasl_plain *p);

typedef enum mw_sasl_login_prompt {
    MW_SASL_LOGIN_OTHER = 0,
    MW_SASL_LOGIN_USERNAME, /* "Username:" (VXNlcm5hbWU6) */
    MW_SASL_LOGIN_PASSWORD, /* "Password:" (UGFzc3dvcmQ6) */
} mw_sasl_login_prompt;

/* Names a decoded LOGIN server prompt; case-insensitive, with or without the
 * colon, also "User Name". */
mw_sasl_login_prompt mw_sasl_login_prompt_kind(const uint8_t *dec, size_t len);

typedef struct mw_sasl_cram {
    mw_span user, digest;
    const char *error;
} mw_sasl_cram;

/* Splits a decoded CRAM-MD5 response "user SP digest" at the last space; the
 * digest must be 32 hex digits. */
bool mw_sasl_cram_parse(const uint8_t *dec, size_t len, mw_sasl_cram *c);

typedef struct mw_sasl_oauth {
    mw_span authzid;   /* OAUTHBEARER a= (raw, with =2C =3D escapes); XOAUTH2 user= */
    mw_span host, port; /* OAUTHBEARER host= and port=, empty if absent */
    mw_span auth;      /* the whole auth= value, "Bearer tok" */
    mw_span token;     /* after "Bearer " */
    const char *error;
} mw_sasl_oauth;

/* Parses a decoded XOAUTH2 client response
 * "user=U ^A auth=Bearer T ^A ^A". */
bool mw_sasl_xoauth2_parse(const uint8_t *dec, size_t len, mw_sasl_oauth *o);

/* Parses a decoded OAUTHBEARER client response (RFC 7628 3.1):
 * GS2 header "n,a=U," (or "n,,", "y,...") then ^A key=value pairs ^A ^A. */
bool mw_sasl_oauthbearer_parse(const uint8_t *dec, size_t len, mw_sasl_oauth *o);

#endif

/* BODYSTRUCTURE and BODY values (RFC 9051 section 7.5.2) named by position:
 * every body part with its fields, nested multiparts and the bodies of
 * message/rfc822 parts as children, each with its section number.
 *
 * The value must be whole in the buffer (no literal inside it); parts nested
 * deeper than MW_IMAP_BODY_MAX_DEPTH are skipped and flagged, never recursed
 * into, and at most MW_IMAP_BODY_MAX_PARTS parts are kept.
 */
#ifndef MAILWIRE_CORE_IMAP_BODY_H
#define MAILWIRE_CORE_IMAP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/imap/imap_token.h"

#define MW_IMAP_BODY_MAX_DEPTH 16
#define MW_IMAP_BODY_MAX_PARTS 256

/* One field of a part: a token (kind MW_IMAP_TOK_*), or a list (LIST_OPEN,
 * the span from "(" to ")"); kind END when absent. */
typedef struct mw_imap_bfield {
    mw_imap_tok_kind kind;
    size_t off, len;
    uint64_t num;
} mw_imap_bfield;

enum {
    MW_IMAP_BF_TYPE = 0, MW_IMAP_BF_SUBTYPE, MW_IMAP_BF_PARAMS, MW_IMAP_BF_ID,
    MW_IMAP_BF_DESCRIPTION, MW_IMAP_BF_ENCODING, MW_IMAP_BF_SIZE, MW_IMAP_BF_ENVELOPE,
    MW_IMAP_BF_LINES, MW_IMAP_BF_MD5, MW_IMAP_BF_DISPOSITION, MW_IMAP_BF_LANGUAGE,
    MW_IMAP_BF_LOCATION, MW_IMAP_BF_N
};

typedef struct mw_imap_bpart {
    int parent;             /* index of the enclosing part, -1 for the top */
    unsigned depth;         /* 0 for the top */
    char section[64];       /* "1.2.1"; "" for a multipart at the top */
    bool multipart;
    bool message_body;      /* the body of a message/rfc822 part */
    bool too_deep;          /* nested past MW_IMAP_BODY_MAX_DEPTH: skipped */
    unsigned children;
    size_t off, len;        /* the part's list */
    mw_imap_bfield f[MW_IMAP_BF_N];
} mw_imap_bpart;

typedef struct mw_imap_body {
    mw_imap_bpart part[MW_IMAP_BODY_MAX_PARTS];
    unsigned n;
    bool complete;          /* the value's closing ")" was found */
    bool too_deep;          /* some part was nested too deep */
    bool too_many;          /* parts past MW_IMAP_BODY_MAX_PARTS were not kept */
    size_t end;             /* just past the value's ")" when complete */
} mw_imap_body;

/* Parse the body value whose "(" is at buf[start]. */
void mw_imap_body_parse(const uint8_t *buf, size_t len, size_t start, mw_imap_body *out);

#endif

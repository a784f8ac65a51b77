/* ARC header fields (RFC 8617): the tags of ARC-Seal and
 * ARC-Message-Signature that say where a set sits in the chain (i=, cv=,
 * d=, s=), the instance of ARC-Authentication-Results (authres.h parses its
 * payload), and the chain's structure as a validator checks it before any
 * cryptography (RFC 8617 5.2 steps 1-4): sets numbered 1..N, each with all
 * three members once, cv=none on the first seal and pass on the others,
 * and the chain status the newest seal claims.
 */
#ifndef MAILWIRE_CORE_ARC_H
#define MAILWIRE_CORE_ARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/text/span.h"

/* RFC 8617 4.2.1: at most 50 sets. */
#define MW_ARC_MAX_INSTANCE 50

typedef enum mw_arc_kind {
    MW_ARC_SEAL = 0,     /* ARC-Seal */
    MW_ARC_MSG_SIG,      /* ARC-Message-Signature */
    MW_ARC_AUTH_RESULTS, /* ARC-Authentication-Results */
    MW_ARC_KINDS
} mw_arc_kind;

typedef enum mw_arc_cv {
    MW_ARC_CV_ABSENT = 0, /* no cv= (not a seal, or a broken one) */
    MW_ARC_CV_NONE,
    MW_ARC_CV_PASS,
    MW_ARC_CV_FAIL,
    MW_ARC_CV_OTHER,      /* a value RFC 8617 does not define */
} mw_arc_cv;

/* Field flags. */
enum {
    MW_ARC_SYNTAX = 1u << 0,      /* a tag without '=' or a bad tag name */
    MW_ARC_NO_INSTANCE = 1u << 1, /* i= missing or not 1..50 */
    MW_ARC_DUP_TAG = 1u << 2,
};

typedef struct mw_arc_field {
    mw_arc_kind kind;
    uint32_t instance;   /* 0 when missing or invalid */
    mw_span i, cv, d, s, a; /* tag values as written, trimmed */
    mw_arc_cv cv_value;
    unsigned flags;      /* MW_ARC_* */
} mw_arc_field;

/* Parses the tag list of an ARC-Seal or ARC-Message-Signature value
 * v[0..len).  Returns false on MW_ARC_SYNTAX or MW_ARC_NO_INSTANCE. */
bool mw_arc_parse(const uint8_t *v, size_t len, mw_arc_kind kind, mw_arc_field *f);

/* Chain flags. */
enum {
    MW_ARC_CHAIN_CV_FAIL = 1u << 0,    /* the newest seal says cv=fail */
    MW_ARC_CHAIN_GAP = 1u << 1,        /* instances are not exactly 1..N */
    MW_ARC_CHAIN_MISSING = 1u << 2,    /* a set lacks a member */
    MW_ARC_CHAIN_DUP = 1u << 3,        /* a member twice in one set */
    MW_ARC_CHAIN_BAD_CV = 1u << 4,     /* i=1 not cv=none, or a later seal not cv=pass */
    MW_ARC_CHAIN_BAD_FIELD = 1u << 5,  /* a member without a valid instance */
    MW_ARC_CHAIN_EARLIER_FAIL = 1u << 7, /* an older seal says cv=fail (the chain broke then) */
};

typedef enum mw_arc_status {
    MW_ARC_STATUS_NONE = 0, /* no ARC fields */
    MW_ARC_STATUS_PASS,     /* structure sound and the newest seal says pass (or none at i=1) */
    MW_ARC_STATUS_FAIL,     /* anything above */
} mw_arc_status;

typedef struct mw_arc_chain {
    uint32_t sets;          /* highest instance seen (capped at 50) */
    mw_arc_cv newest_cv;    /* cv= of the seal with the highest instance */
    uint32_t first_bad;     /* instance where the structure first breaks, 0 if none */
    unsigned flags;         /* MW_ARC_CHAIN_* */
    mw_arc_status status;
} mw_arc_chain;

/* Checks the structure of the ARC fields f[0..n) of one message. */
void mw_arc_chain_check(const mw_arc_field *f, size_t n, mw_arc_chain *c);

#endif

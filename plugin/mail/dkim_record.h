/* What the first pass decided about one DKIM signature, kept for the
 * capture (file scope) and shown from alone on every pass: the tags as
 * written, the body hash verdict, the signature verdict with its reason and
 * where the key came from.  Shared by the message side (dkim_fields.c) and
 * the key side (dkim_keys.c: keys file, DNS answers, late verdicts). */
#ifndef MAILWIRE_DKIM_RECORD_H
#define MAILWIRE_DKIM_RECORD_H

#include <epan/packet.h>

#include "core/mail/dkim.h"

/* The tags shown, in this order (mail.dkim.* fields). */
enum {
    DKIM_T_V, DKIM_T_A, DKIM_T_C, DKIM_T_D, DKIM_T_S, DKIM_T_H, DKIM_T_BH, DKIM_T_B,
    DKIM_T_L, DKIM_T_T, DKIM_T_X, DKIM_T_I, DKIM_T_COUNT
};

typedef enum dkim_body_verdict { DKIM_BODY_NONE = 0, DKIM_BODY_PASS, DKIM_BODY_FAIL } dkim_body_verdict;
typedef enum dkim_sig_verdict { DKIM_SIG_NO_KEY = 0, DKIM_SIG_PASS, DKIM_SIG_FAIL } dkim_sig_verdict;
typedef enum dkim_key_source { DKIM_KEY_NONE = 0, DKIM_KEY_FILE, DKIM_KEY_DNS } dkim_key_source;

typedef struct dkim_sig_rec {
    guint32 off, len;                 /* the DKIM-Signature field in the message */
    guint32 tag_off[DKIM_T_COUNT], tag_len[DKIM_T_COUNT]; /* in the message */
    const char *tag[DKIM_T_COUNT];    /* values as written, NULL when absent */
    guint32 flags;                    /* MW_DKIM_* of core/mail/dkim.h */
    mw_dkim_alg alg;
    guint64 l_value, t_value, x_value;
    guint64 unsigned_len;             /* canonical body bytes past l= */
    gboolean l_past_end;              /* l= longer than the body */
    gboolean expired;                 /* x= before the capture time of the message */
    dkim_body_verdict body;
    /* The verdict: decided when the message completes, again when a key
     * for it is first seen later in a DNS answer. */
    dkim_sig_verdict verdict;
    const char *reason;               /* file scope */
    const char *key_name;             /* selector._domainkey.domain, NULL without s= or d= */
    dkim_key_source key_source;
    guint32 key_frame;                /* the DNS answer with the key (DKIM_KEY_DNS) */
    guint key_bits;
    guint key_flags;                  /* MW_DKIM_KEY_* */
    gboolean key_rsa;
    guint32 msg_frame;                /* the frame where the message completed */
    struct dkim_pending *pending;     /* what verifying needs, kept until a key comes */
} dkim_sig_rec;

/* What verifying a signature needs once its message bytes are gone: the
 * hash of the signed data and the signature (file scope). */
typedef struct dkim_pending {
    mw_dkim_alg alg;
    guint8 data_hash[32];
    guint data_hash_len;
    guint8 *b;
    guint b_len;
} dkim_pending;

/* One DKIM key record of a DNS answer frame (file scope). */
typedef struct dkim_dns_key {
    const char *name;
    const char *text;       /* the record's strings joined */
    gint off, len;          /* its strings in the frame's data source */
    const char *type;       /* "rsa", "ed25519", "unknown" */
    guint bits;
    guint flags;            /* MW_DKIM_KEY_* */
    const char *problem;    /* why the key cannot be used, NULL if it can */
    gboolean taken;         /* the first key seen for this name: the one used */
    wmem_array_t *verified; /* dkim_sig_rec *: earlier messages decided here */
    wmem_array_t *used_by;  /* dkim_sig_rec *: later messages that used this key */
} dkim_dns_key;

#endif

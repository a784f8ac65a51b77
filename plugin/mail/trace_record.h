/* The record of one message's trace header fields (trace_fields.h): what
 * is shown of them, decided once from the message's bytes and kept for the
 * capture (file scope), so it can be shown again without the bytes.
 * Bounded: at most the *_MAX items below per message, the rest counted.
 * Private to trace_record.c and trace_fields.c.
 */
#ifndef MAILWIRE_TRACE_RECORD_H
#define MAILWIRE_TRACE_RECORD_H

#include "mail/dkim_record.h"

#include <epan/packet.h>

#include "core/mail/arc.h"
#include "core/mail/received.h"
#include "core/mail/trace.h"

/* Trace fields looked at per message: far past any real header block. */
#define SCAN_MAX 1024
/* Shown per message; the rest are counted (and said so by an expert). */
#define HOPS_MAX 32
#define AR_FIELDS_MAX 8
#define AR_METHODS_MAX 32   /* over all Authentication-Results of a message */
#define ARC_FIELDS_MAX 30   /* ten sets */
#define ADDRS_MAX 8         /* Return-Path, Delivered-To, X-Original-To */
/* Bytes kept of one value for display. */
#define TEXT_MAX 256

typedef struct tr_hop {
    guint32 off, len;                 /* the field in the message */
    const char *clause[MW_RCV_CLAUSES]; /* NULL when absent */
    const char *from_info;
    const char *date;                 /* NULL when none */
    const char *tls;                  /* the hint, NULL when none */
    gboolean time_ok;
    gint64 time;
    gint64 back_by;                   /* seconds before the next older dated hop, 0 if not */
    guint32 back_of;                  /* that hop's number */
    guint flags;                      /* MW_RCV_* */
} tr_hop;

typedef struct tr_method {
    const char *method, *result, *reason, *comment;
    const char **props;               /* "ptype.property=value" */
    guint n_props, props_total;
    const char *contradicts;          /* why the DKIM check here fails, NULL if no conflict */
    guint flags;
} tr_method;

typedef struct tr_ar {
    guint32 off, len;
    const char *authserv;
    gboolean none;
    tr_method *m;
    guint n_m, total;
    guint flags;                      /* MW_AR_* */
} tr_ar;

typedef struct tr_arc {
    guint32 off, len;
    mw_arc_kind kind;
    guint32 instance;
    const char *cv, *d, *s;           /* seals and signatures */
    const char *authserv, *results;   /* ARC-Authentication-Results */
    gboolean bad;
} tr_arc;

typedef struct tr_addr {
    guint32 off, len;
    mw_trace_kind kind;
    const char *addr;
} tr_addr;

typedef struct mail_trace {
    guint32 len;                      /* the message's length, to match revisits */
    tr_hop *hops;
    guint n_hops, hops_total, backwards_hidden;
    tr_ar *ars;
    guint n_ars, ars_total, methods_hidden;
    tr_arc *arcs;
    guint n_arcs, arcs_total;
    mw_arc_chain chain;
    tr_addr *addrs;
    guint n_addrs, addrs_total;
    const char *envelope;             /* MAIL FROM when the message came by SMTP/LMTP */
    gboolean rp_compared, rp_match;
    guint rp_index;                   /* the Return-Path compared, in addrs */
    gboolean scan_truncated;
} mail_trace;

/* Reads the trace fields of the message buf[0..len) (whole, or a header
 * block alone: no DKIM body to check then).  envelope is the SMTP/LMTP MAIL
 * FROM of the message (NULL when it came otherwise).  NULL when the message
 * has no trace field: nothing is shown then. */
mail_trace *mail_trace_note(const guint8 *buf, guint len, gboolean whole, const char *envelope,
                            const dkim_sig_rec *dkim_recs, guint n_dkim);

#endif

/* Trace header fields: see trace_fields.h.  The record is built by
 * trace_record.c; this file shows it and registers the fields. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/wmem_scopes.h>

#include "core/mail/arc.h"
#include "core/mail/authres.h"
#include "core/mail/received.h"
#include "core/mail/trace.h"
#include "mail/tap.h"
#include "mail/trace_fields.h"
#include "mail/dkim_fields.h"
#include "mail/trace_record.h"

/* Per-packet keys under the "mail" protocol (pinfo->pool). */
#define KEY_ORDINAL 0x74720001u
#define KEY_ENVELOPE 0x74720002u

static int proto_trace = -1;
static wmem_map_t *records; /* guint64 (frame << 20 | ordinal) -> mail_trace (or no_trace) */

static int hf_trace = -1;
static int hf_rcv = -1;
static int hf_rcv_hops = -1;
static int hf_rcv_hop = -1;
static int hf_rcv_clause[MW_RCV_CLAUSES] = {-1, -1, -1, -1, -1, -1};
static int hf_rcv_from_info = -1;
static int hf_rcv_date = -1;
static int hf_rcv_time = -1;
static int hf_rcv_tls = -1;
static int hf_ar = -1;
static int hf_ar_authserv = -1;
static int hf_ar_method = -1;
static int hf_ar_result = -1;
static int hf_ar_reason = -1;
static int hf_ar_comment = -1;
static int hf_ar_property = -1;
static int hf_arc = -1;
static int hf_arc_header = -1;
static int hf_arc_instance = -1;
static int hf_arc_cv = -1;
static int hf_arc_domain = -1;
static int hf_arc_selector = -1;
static int hf_arc_authserv = -1;
static int hf_arc_results = -1;
static int hf_arc_chain = -1;
static int hf_arc_sets = -1;
static int hf_return_path = -1;
static int hf_envelope_from = -1;
static int hf_return_path_match = -1;
static int hf_delivered_to = -1;
static int hf_original_to = -1;
static int ett_trace = -1;
static int ett_rcv = -1;
static int ett_ar = -1;
static int ett_ar_method = -1;
static int ett_arc = -1;
static int ett_return_path = -1;
static expert_field ei_rcv_backwards = EI_INIT;
static expert_field ei_rcv_malformed = EI_INIT;
static expert_field ei_rcv_summarised = EI_INIT;
static expert_field ei_ar_malformed = EI_INIT;
static expert_field ei_ar_dkim_conflict = EI_INIT;
static expert_field ei_ar_summarised = EI_INIT;
static expert_field ei_arc_broken = EI_INIT;
static expert_field ei_arc_malformed = EI_INIT;
static expert_field ei_arc_summarised = EI_INIT;
static expert_field ei_return_path_mismatch = EI_INIT;

static const char *const arc_names[MW_ARC_KINDS] = {"ARC-Seal", "ARC-Message-Signature",
                                                    "ARC-Authentication-Results"};

/* ---- showing the record ------------------------------------------------------ */

/* Items over the field when its bytes are there, else without a span. */
typedef struct where {
    tvbuff_t *tvb;
    gboolean spans;
    guint len;
} where;

static void at(const where *w, guint32 off, guint32 len, gint *o, gint *l)
{
    if (!w->spans) {
        *o = 0;
        *l = 0;
        return;
    }
    *o = (gint)MIN(off, w->len);
    *l = (gint)MIN(len, w->len - (guint)*o);
}

static void show_hops(const where *w, packet_info *pinfo, proto_tree *tree, const mail_trace *t)
{
    for (guint k = 0; k < t->n_hops; k++) {
        const tr_hop *h = &t->hops[k];
        gint o, l;
        at(w, h->off, h->len, &o, &l);
        proto_item *hi = proto_tree_add_item(tree, hf_rcv, w->tvb, o, l, ENC_NA);
        proto_item_set_text(hi, "Received hop %u of %u:%s%s%s%s%s%s%s", k + 1, t->hops_total,
                             h->clause[MW_RCV_FROM] ? " from " : "",
                             h->clause[MW_RCV_FROM] ? h->clause[MW_RCV_FROM] : "",
                             h->clause[MW_RCV_BY] ? " by " : "",
                             h->clause[MW_RCV_BY] ? h->clause[MW_RCV_BY] : "",
                             h->clause[MW_RCV_WITH] ? " with " : "",
                             h->clause[MW_RCV_WITH] ? h->clause[MW_RCV_WITH] : "",
                             h->tls ? " (TLS)" : "");
        proto_tree *ht = proto_item_add_subtree(hi, ett_rcv);
        proto_item *ni = proto_tree_add_uint(ht, hf_rcv_hop, w->tvb, o, l, k + 1);
        proto_item_set_generated(ni);
        for (int c = 0; c < MW_RCV_CLAUSES; c++) {
            if (!h->clause[c])
                continue;
            proto_tree_add_string(ht, hf_rcv_clause[c], w->tvb, o, l, h->clause[c]);
            if (c == MW_RCV_FROM && h->from_info)
                proto_tree_add_string(ht, hf_rcv_from_info, w->tvb, o, l, h->from_info);
        }
        if (h->tls) {
            proto_item *ti = proto_tree_add_string(ht, hf_rcv_tls, w->tvb, o, l, h->tls);
            proto_item_set_generated(ti);
        }
        proto_item *di = NULL;
        if (h->date)
            di = proto_tree_add_string(ht, hf_rcv_date, w->tvb, o, l, h->date);
        if (h->time_ok) {
            nstime_t ts = {(time_t)h->time, 0};
            di = proto_tree_add_time(ht, hf_rcv_time, w->tvb, o, l, &ts);
            proto_item_set_generated(di);
        }
        if (h->back_by)
            mw_expert_format(pinfo, di ? di : hi, &ei_rcv_backwards,
                                   "Received hop %u is dated %" PRId64 " s before hop %u below "
                                   "it: the chain's dates go backwards (clock skew, or a forged "
                                   "or reordered hop)", k + 1, h->back_by, h->back_of);
        if (h->flags & (MW_RCV_NO_DATE | MW_RCV_BAD_DATE | MW_RCV_UNTERMINATED))
            mw_expert_format(pinfo, hi, &ei_rcv_malformed, "Received hop %u: %s", k + 1,
                                   (h->flags & MW_RCV_NO_DATE)    ? "no date after ';'"
                                   : (h->flags & MW_RCV_BAD_DATE) ? "a date that does not parse"
                                                                  : "a comment without its end");
    }
    if (t->n_hops < t->hops_total)
        mw_expert_format(pinfo, proto_tree_get_parent(tree), &ei_rcv_summarised,
                               "%u of %u Received hops shown; the rest are counted only%s",
                               t->n_hops, t->hops_total,
                               t->backwards_hidden
                                   ? wmem_strdup_printf(pinfo->pool, " (%u of them dated before "
                                                        "the hop below)", t->backwards_hidden)
                                   : "");
}

static void show_ar(const where *w, packet_info *pinfo, proto_tree *tree, const mail_trace *t)
{
    for (guint i = 0; i < t->n_ars; i++) {
        const tr_ar *a = &t->ars[i];
        gint o, l;
        at(w, a->off, a->len, &o, &l);
        GString *sum = g_string_new(NULL);
        for (guint k = 0; k < a->n_m && sum->len < 200; k++)
            g_string_append_printf(sum, " %s=%s", a->m[k].method ? a->m[k].method : "?",
                                   a->m[k].result ? a->m[k].result : "?");
        proto_item *ai = proto_tree_add_item(tree, hf_ar, w->tvb, o, l, ENC_NA);
        proto_item_set_text(ai, "Authentication-Results %u of %u: %s%s%s", i + 1, t->ars_total,
                            a->authserv ? a->authserv : "(no authserv-id)",
                            a->none ? " none" : "", sum->str);
        g_string_free(sum, TRUE);
        proto_tree *at_ = proto_item_add_subtree(ai, ett_ar);
        if (a->authserv)
            proto_tree_add_string(at_, hf_ar_authserv, w->tvb, o, l, a->authserv);
        if (a->flags & (MW_AR_SYNTAX | MW_AR_NO_AUTHSERV | MW_AR_UNTERMINATED))
            mw_expert_format(pinfo, ai, &ei_ar_malformed,
                                   "Malformed Authentication-Results: %s",
                                   (a->flags & MW_AR_NO_AUTHSERV) ? "no authserv-id"
                                   : (a->flags & MW_AR_SYNTAX)
                                       ? "a method, result or property that does not parse "
                                         "(skipped to the next ';')"
                                       : "a comment or quoted string without its end");
        for (guint k = 0; k < a->n_m; k++) {
            const tr_method *m = &a->m[k];
            if (!m->method)
                continue;
            proto_item *mi = proto_tree_add_string(at_, hf_ar_method, w->tvb, o, l, m->method);
            proto_item_append_text(mi, " = %s%s%s%s", m->result ? m->result : "?",
                                   m->comment ? " (" : "", m->comment ? m->comment : "",
                                   m->comment ? ")" : "");
            proto_tree *mt = proto_item_add_subtree(mi, ett_ar_method);
            proto_item *ri = NULL;
            if (m->result)
                ri = proto_tree_add_string(mt, hf_ar_result, w->tvb, o, l, m->result);
            if (m->reason)
                proto_tree_add_string(mt, hf_ar_reason, w->tvb, o, l, m->reason);
            if (m->comment)
                proto_tree_add_string(mt, hf_ar_comment, w->tvb, o, l, m->comment);
            for (guint p = 0; p < m->n_props; p++)
                proto_tree_add_string(mt, hf_ar_property, w->tvb, o, l, m->props[p]);
            if (m->contradicts)
                mw_expert_format(pinfo, ri ? ri : mi, &ei_ar_dkim_conflict,
                                       "Authentication-Results claims dkim=pass, but %s",
                                       m->contradicts);
        }
    }
    if (t->ars_total > t->n_ars || t->methods_hidden)
        mw_expert_format(pinfo, proto_tree_get_parent(tree), &ei_ar_summarised,
                               "%u of %u Authentication-Results fields shown, %u methods past the "
                               "display limit counted only", t->n_ars, t->ars_total,
                               t->methods_hidden);
}

static const char *chain_status(const mw_arc_chain *c)
{
    return c->status == MW_ARC_STATUS_PASS ? "pass" : c->status == MW_ARC_STATUS_FAIL ? "fail"
                                                                                    : "none";
}

/* Every reason the chain is broken, joined (packet scope). */
static const char *chain_why(packet_info *pinfo, const mw_arc_chain *c)
{
    static const struct { unsigned flag; const char *text; } why[] = {
        {MW_ARC_CHAIN_CV_FAIL, "the newest ARC-Seal says cv=fail"},
        {MW_ARC_CHAIN_EARLIER_FAIL, "an older ARC-Seal says cv=fail"},
        {MW_ARC_CHAIN_GAP, "the instances are not numbered 1..N"},
        {MW_ARC_CHAIN_MISSING, "a set lacks one of its three fields"},
        {MW_ARC_CHAIN_DUP, "a set has one of its fields twice"},
        {MW_ARC_CHAIN_BAD_CV, "a seal's cv= is not none at i=1 and pass after it"},
        {MW_ARC_CHAIN_BAD_FIELD, "a field without a valid instance i="},
    };
    wmem_strbuf_t *b = wmem_strbuf_new(pinfo->pool, "");
    for (size_t i = 0; i < G_N_ELEMENTS(why); i++)
        if (c->flags & why[i].flag)
            wmem_strbuf_append_printf(b, "%s%s", wmem_strbuf_get_len(b) ? "; " : "", why[i].text);
    return wmem_strbuf_get_str(b);
}

static void show_arc(const where *w, packet_info *pinfo, proto_tree *tree, const mail_trace *t)
{
    if (!t->arcs_total)
        return;
    for (guint i = 0; i < t->n_arcs; i++) {
        const tr_arc *a = &t->arcs[i];
        gint o, l;
        at(w, a->off, a->len, &o, &l);
        proto_item *ai = proto_tree_add_item(tree, hf_arc, w->tvb, o, l, ENC_NA);
        proto_item_set_text(ai, "%s i=%u%s%s%s%s%s%s", arc_names[a->kind], a->instance,
                            a->cv ? " cv=" : "", a->cv ? a->cv : "", a->d ? " d=" : "",
                            a->d ? a->d : "", a->results ? " " : "", a->results ? a->results : "");
        proto_tree *act = proto_item_add_subtree(ai, ett_arc);
        proto_tree_add_string(act, hf_arc_header, w->tvb, o, l, arc_names[a->kind]);
        if (a->instance)
            proto_tree_add_uint(act, hf_arc_instance, w->tvb, o, l, a->instance);
        if (a->cv)
            proto_tree_add_string(act, hf_arc_cv, w->tvb, o, l, a->cv);
        if (a->d)
            proto_tree_add_string(act, hf_arc_domain, w->tvb, o, l, a->d);
        if (a->s)
            proto_tree_add_string(act, hf_arc_selector, w->tvb, o, l, a->s);
        if (a->authserv)
            proto_tree_add_string(act, hf_arc_authserv, w->tvb, o, l, a->authserv);
        if (a->results)
            proto_tree_add_string(act, hf_arc_results, w->tvb, o, l, a->results);
        if (a->bad)
            mw_expert(pinfo, ai, &ei_arc_malformed);
    }
    proto_item *ci = proto_tree_add_string(tree, hf_arc_chain, w->tvb, 0, 0,
                                           chain_status(&t->chain));
    proto_item_set_generated(ci);
    proto_item *si = proto_tree_add_uint(tree, hf_arc_sets, w->tvb, 0, 0, t->chain.sets);
    proto_item_set_generated(si);
    if (t->chain.status == MW_ARC_STATUS_FAIL)
        mw_expert_format(pinfo, ci, &ei_arc_broken,
                               "ARC chain broken (first at instance %u of %u): %s",
                               t->chain.first_bad, t->chain.sets, chain_why(pinfo, &t->chain));
    if (t->n_arcs < t->arcs_total)
        mw_expert_format(pinfo, ci, &ei_arc_summarised,
                               "%u of %u ARC fields shown; all of them were checked for the "
                               "chain", t->n_arcs, t->arcs_total);
}

static void show_addrs(const where *w, packet_info *pinfo, proto_tree *tree, const mail_trace *t)
{
    for (guint i = 0; i < t->n_addrs; i++) {
        const tr_addr *a = &t->addrs[i];
        gint o, l;
        at(w, a->off, a->len, &o, &l);
        int hf = a->kind == MW_TRACE_RETURN_PATH    ? hf_return_path
                 : a->kind == MW_TRACE_DELIVERED_TO ? hf_delivered_to
                                                    : hf_original_to;
        proto_item *it = proto_tree_add_string(tree, hf, w->tvb, o, l, a->addr);
        if (a->kind != MW_TRACE_RETURN_PATH || !t->rp_compared || i != t->rp_index)
            continue;
        proto_tree *rt = proto_item_add_subtree(it, ett_return_path);
        proto_item *ei = proto_tree_add_string(rt, hf_envelope_from, w->tvb, o, l, t->envelope);
        proto_item_set_generated(ei);
        proto_item *mi = proto_tree_add_boolean(rt, hf_return_path_match, w->tvb, o, l, t->rp_match);
        proto_item_set_generated(mi);
        if (!t->rp_match)
            mw_expert_format(pinfo, it, &ei_return_path_mismatch,
                                   "Return-Path <%s> differs from the SMTP envelope sender "
                                   "MAIL FROM:<%s>", a->addr, t->envelope);
    }
}

static void show(const where *w, packet_info *pinfo, proto_tree *tree, const mail_trace *t)
{
    if (!t || !(t->hops_total || t->ars_total || t->arcs_total || t->addrs_total))
        return;
    proto_item *ti = proto_tree_add_item(tree, hf_trace, w->tvb, 0, 0, ENC_NA);
    proto_item_set_text(ti, "Trace header fields: %u Received hop%s, %u Authentication-Results%s%s",
                        t->hops_total, t->hops_total == 1 ? "" : "s", t->ars_total,
                        t->arcs_total ? ", ARC chain " : "",
                        t->arcs_total ? chain_status(&t->chain) : "");
    proto_tree *tt = proto_item_add_subtree(ti, ett_trace);
    proto_item *hi = proto_tree_add_uint(tt, hf_rcv_hops, w->tvb, 0, 0, t->hops_total);
    proto_item_set_generated(hi);
    if (t->scan_truncated)
        mw_expert_format(pinfo, ti, &ei_rcv_summarised,
                               "More than %u trace header fields: only the first %u were read",
                               SCAN_MAX, SCAN_MAX);
    show_addrs(w, pinfo, tt, t);
    show_hops(w, pinfo, tt, t);
    show_ar(w, pinfo, tt, t);
    show_arc(w, pinfo, tt, t);
}

/* ---- records keyed by message ---------------------------------------------- */

static guint64 next_key(packet_info *pinfo)
{
    guint n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_trace, KEY_ORDINAL));
    p_set_proto_data(pinfo->pool, pinfo, proto_trace, KEY_ORDINAL, GUINT_TO_POINTER(n + 1));
    return ((guint64)pinfo->num << 20) | (n & 0xfffff);
}

/* Where pointers hold 64 bits the key is the map's key itself; else it is
 * allocated. */
#define KEY_IN_POINTER (sizeof(gpointer) >= sizeof(guint64))

static guint key_hash(gconstpointer p)
{
    guint64 k = (guint64)(guintptr)p;
    return (guint)(k ^ (k >> 20) ^ (k >> 32));
}

static gpointer lookup(guint64 k)
{
    return KEY_IN_POINTER ? wmem_map_lookup(records, (gconstpointer)(guintptr)k)
                          : wmem_map_lookup(records, &k);
}

static void insert(guint64 k, gpointer v)
{
    if (KEY_IN_POINTER) {
        wmem_map_insert(records, (gpointer)(guintptr)k, v);
        return;
    }
    guint64 *key = wmem_new(wmem_file_scope(), guint64);
    *key = k;
    wmem_map_insert(records, key, v);
}

/* A message without trace fields (most of them) is recorded as its length
 * alone, in the map's value: odd, which no record's address is. */
static gpointer no_trace(guint len)
{
    return (gpointer)(((guintptr)len << 1) | 1);
}

/* The record v of the map: *t (NULL for a message without trace fields).
 * FALSE when there is none for a message of len bytes. */
static gboolean record_of(gconstpointer v, guint len, const mail_trace **t)
{
    *t = NULL;
    if (!v)
        return FALSE;
    if ((guintptr)v & 1)
        return (guint)((guintptr)v >> 1) == len;
    *t = (const mail_trace *)v;
    return (*t)->len == len;
}

void mail_trace_envelope(packet_info *pinfo, const char *mail_from)
{
    if (proto_trace >= 0)
        p_set_proto_data(pinfo->pool, pinfo, proto_trace, KEY_ENVELOPE,
                         mail_from ? wmem_strdup(pinfo->pool, mail_from) : NULL);
}

void mail_trace_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const guint8 *buf,
                    guint len, gboolean whole)
{
    if (proto_trace < 0)
        return;
    guint64 k = next_key(pinfo);
    const mail_trace *t;
    if (!record_of(lookup(k), len, &t)) {
        guint n_dkim = 0;
        const dkim_sig_rec *dkim = whole ? mail_dkim_next_records(pinfo, buf, len, &n_dkim) : NULL;
        t = mail_trace_note(buf, len, whole,
                            (const char *)p_get_proto_data(pinfo->pool, pinfo, proto_trace,
                                                           KEY_ENVELOPE),
                            dkim, n_dkim);
        insert(k, t ? (gpointer)t : no_trace(len));
    }
    /* the envelope is for this message only */
    p_set_proto_data(pinfo->pool, pinfo, proto_trace, KEY_ENVELOPE, NULL);
    where w = {msg, TRUE, len};
    show(&w, pinfo, tree, t);
}

void mail_trace_add_dropped(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    if (proto_trace < 0)
        return;
    guint64 k = next_key(pinfo);
    const mail_trace *t;
    record_of(lookup(k), 0, &t);
    p_set_proto_data(pinfo->pool, pinfo, proto_trace, KEY_ENVELOPE, NULL);
    where w = {tvb, FALSE, 0};
    show(&w, pinfo, tree, t);
}

void mail_trace_register(int proto)
{
    static gboolean done;
    if (done)
        return;
    done = TRUE;
    proto_trace = proto;
    records = KEY_IN_POINTER
                  ? wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), key_hash,
                                           g_direct_equal)
                  : wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_int64_hash,
                                           g_int64_equal);
    static hf_register_info hf[] = {
        {&hf_trace,
         {"Trace header fields", "mail.trace", FT_NONE, BASE_NONE, NULL, 0x0,
          "Received, Authentication-Results, ARC, Return-Path, Delivered-To", HFILL}},
        {&hf_rcv,
         {"Received hop", "mail.received", FT_NONE, BASE_NONE, NULL, 0x0,
          "One Received field, newest first", HFILL}},
        {&hf_rcv_hops,
         {"Received hops", "mail.received.hops", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Number of Received fields in the message", HFILL}},
        {&hf_rcv_hop,
         {"Hop", "mail.received.hop", FT_UINT32, BASE_DEC, NULL, 0x0,
          "1 for the topmost (newest) Received field", HFILL}},
        {&hf_rcv_clause[MW_RCV_FROM],
         {"From", "mail.received.from", FT_STRING, BASE_NONE, NULL, 0x0,
          "The host the hop received the message from, as it named itself", HFILL}},
        {&hf_rcv_from_info,
         {"From (TCP info)", "mail.received.from_info", FT_STRING, BASE_NONE, NULL, 0x0,
          "The comment after from: the receiver's view (reverse name, [address])", HFILL}},
        {&hf_rcv_clause[MW_RCV_BY],
         {"By", "mail.received.by", FT_STRING, BASE_NONE, NULL, 0x0,
          "The host that received the message", HFILL}},
        {&hf_rcv_clause[MW_RCV_VIA],
         {"Via", "mail.received.via", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_rcv_clause[MW_RCV_WITH],
         {"With", "mail.received.with", FT_STRING, BASE_NONE, NULL, 0x0,
          "Protocol (ESMTP, ESMTPS, ESMTPSA, LMTP, ...)", HFILL}},
        {&hf_rcv_clause[MW_RCV_ID],
         {"Id", "mail.received.id", FT_STRING, BASE_NONE, NULL, 0x0,
          "The receiver's queue id", HFILL}},
        {&hf_rcv_clause[MW_RCV_FOR],
         {"For", "mail.received.for", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_rcv_date,
         {"Date", "mail.received.date", FT_STRING, BASE_NONE, NULL, 0x0,
          "The date after ';', as written", HFILL}},
        {&hf_rcv_time,
         {"Time", "mail.received.time", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC, NULL, 0x0,
          "The date, parsed", HFILL}},
        {&hf_rcv_tls,
         {"TLS hint", "mail.received.tls", FT_STRING, BASE_NONE, NULL, 0x0,
          "What says the hop used TLS: a protocol ending in S or SA, or a comment naming TLS",
          HFILL}},
        {&hf_ar,
         {"Authentication-Results", "mail.authres", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_ar_authserv,
         {"Authserv-id", "mail.authres.authserv_id", FT_STRING, BASE_NONE, NULL, 0x0,
          "The server that did the checks", HFILL}},
        {&hf_ar_method,
         {"Method", "mail.authres.method", FT_STRING, BASE_NONE, NULL, 0x0,
          "dkim, spf, dmarc, arc, auth, ...", HFILL}},
        {&hf_ar_result,
         {"Result", "mail.authres.result", FT_STRING, BASE_NONE, NULL, 0x0,
          "pass, fail, none, neutral, softfail, temperror, permerror, ...", HFILL}},
        {&hf_ar_reason,
         {"Reason", "mail.authres.reason", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_ar_comment,
         {"Comment", "mail.authres.comment", FT_STRING, BASE_NONE, NULL, 0x0,
          "The comment after the result", HFILL}},
        {&hf_ar_property,
         {"Property", "mail.authres.property", FT_STRING, BASE_NONE, NULL, 0x0,
          "ptype.property=value (header.d=example.org)", HFILL}},
        {&hf_arc,
         {"ARC field", "mail.arc", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_arc_header,
         {"Field", "mail.arc.field", FT_STRING, BASE_NONE, NULL, 0x0,
          "ARC-Seal, ARC-Message-Signature or ARC-Authentication-Results", HFILL}},
        {&hf_arc_instance,
         {"Instance", "mail.arc.instance", FT_UINT32, BASE_DEC, NULL, 0x0, "i=", HFILL}},
        {&hf_arc_cv,
         {"Chain validation", "mail.arc.cv", FT_STRING, BASE_NONE, NULL, 0x0,
          "cv= of an ARC-Seal: none, pass or fail", HFILL}},
        {&hf_arc_domain,
         {"Domain", "mail.arc.domain", FT_STRING, BASE_NONE, NULL, 0x0, "d=", HFILL}},
        {&hf_arc_selector,
         {"Selector", "mail.arc.selector", FT_STRING, BASE_NONE, NULL, 0x0, "s=", HFILL}},
        {&hf_arc_authserv,
         {"Authserv-id", "mail.arc.authserv_id", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_arc_results,
         {"Results", "mail.arc.results", FT_STRING, BASE_NONE, NULL, 0x0,
          "method=result of an ARC-Authentication-Results, space separated", HFILL}},
        {&hf_arc_chain,
         {"ARC chain", "mail.arc.chain", FT_STRING, BASE_NONE, NULL, 0x0,
          "pass or fail: the chain's structure (instances 1..N, complete sets, cv=) and the "
          "newest seal's cv=; signatures are not verified", HFILL}},
        {&hf_arc_sets,
         {"ARC sets", "mail.arc.sets", FT_UINT32, BASE_DEC, NULL, 0x0,
          "The highest instance", HFILL}},
        {&hf_return_path,
         {"Return-Path", "mail.trace.return_path", FT_STRING, BASE_NONE, NULL, 0x0,
          "Address, without brackets (empty for <>)", HFILL}},
        {&hf_envelope_from,
         {"Envelope sender", "mail.trace.return_path.envelope", FT_STRING, BASE_NONE, NULL, 0x0,
          "MAIL FROM of the SMTP/LMTP transaction that carried the message", HFILL}},
        {&hf_return_path_match,
         {"Matches the envelope", "mail.trace.return_path.match", FT_BOOLEAN, BASE_NONE, NULL,
          0x0, "Return-Path equals MAIL FROM (case-insensitive)", HFILL}},
        {&hf_delivered_to,
         {"Delivered-To", "mail.trace.delivered_to", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_original_to,
         {"X-Original-To", "mail.trace.original_to", FT_STRING, BASE_NONE, NULL, 0x0,
          "The recipient before aliases and forwarding (Postfix)", HFILL}},
    };
    static gint *ett[] = {&ett_trace, &ett_rcv, &ett_ar, &ett_ar_method, &ett_arc,
                          &ett_return_path};
    static ei_register_info ei[] = {
        {&ei_rcv_backwards,
         {"mail.received.backwards", PI_SEQUENCE, PI_WARN,
          "A Received hop is dated before the hop below it: the dates go backwards", EXPFILL}},
        {&ei_rcv_malformed,
         {"mail.received.malformed", PI_MALFORMED, PI_WARN,
          "Received field without a usable date or with an unterminated comment", EXPFILL}},
        {&ei_rcv_summarised,
         {"mail.received.summarised", PI_PROTOCOL, PI_NOTE,
          "Received hops past the display limit are counted only (or trace fields past the "
          "reading limit skipped)", EXPFILL}},
        {&ei_ar_malformed,
         {"mail.authres.malformed", PI_MALFORMED, PI_WARN,
          "Malformed Authentication-Results", EXPFILL}},
        {&ei_ar_dkim_conflict,
         {"mail.authres.dkim_conflict", PI_SECURITY, PI_WARN,
          "Authentication-Results claims dkim=pass for a signature that fails here", EXPFILL}},
        {&ei_ar_summarised,
         {"mail.authres.summarised", PI_PROTOCOL, PI_NOTE,
          "Authentication-Results past the display limit are counted only", EXPFILL}},
        {&ei_arc_broken,
         {"mail.arc.chain_broken", PI_SECURITY, PI_WARN,
          "ARC chain broken: cv=fail, instances not 1..N, or a set missing a member", EXPFILL}},
        {&ei_arc_malformed,
         {"mail.arc.malformed", PI_MALFORMED, PI_WARN,
          "Malformed ARC field (tag list or instance i=)", EXPFILL}},
        {&ei_arc_summarised,
         {"mail.arc.summarised", PI_PROTOCOL, PI_NOTE,
          "ARC fields past the display limit are counted only", EXPFILL}},
        {&ei_return_path_mismatch,
         {"mail.trace.return_path_mismatch", PI_PROTOCOL, PI_WARN,
          "Return-Path differs from the SMTP envelope sender (MAIL FROM)", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

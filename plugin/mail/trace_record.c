/* The record of a message's trace header fields: see trace_record.h.
 * RFC 5321 4.4 (Received, Return-Path), RFC 8601 (Authentication-Results),
 * RFC 8617 (ARC), parsed by core/mail/{trace,received,authres,arc}. */
#include <wireshark.h>
#include <epan/charsets.h>
#include <epan/wmem_scopes.h>

#include "core/mail/authres.h"
#include "core/mail/cfws.h"
#include "compat.h"
#include "engine/heap.h"
#include "mail/trace_record.h"

/* A span of b for display: folding line ends dropped, tabs as spaces, at
 * most TEXT_MAX bytes, valid UTF-8; g_malloc'd. */
static char *fold(const guint8 *b, mw_span s)
{
    char tmp[TEXT_MAX];
    size_t n = 0;
    gboolean folded = FALSE; /* after a line end: its whitespace becomes one space */
    for (size_t i = 0; i < s.len && n < sizeof tmp; i++) {
        guint8 c = b[s.off + i];
        if (c == '\r' || c == '\n') {
            folded = TRUE;
            continue;
        }
        if (folded && (c == ' ' || c == '\t')) {
            if (n && tmp[n - 1] != ' ')
                tmp[n++] = ' ';
            continue;
        }
        folded = FALSE;
        tmp[n++] = (char)(c == '\t' ? ' ' : c);
    }
    return (char *)get_utf_8_string(NULL, (const guint8 *)tmp, (gint)n);
}

/* Kept texts that recur across messages (host names, "with" protocols,
 * methods and results, addresses) are stored once for the capture. */
static GHashTable *shared;

static mw_wmem_cb_bool free_shared(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_,
                                   void *user_data _U_)
{
    g_hash_table_destroy(shared);
    shared = NULL;
    return FALSE; /* registered again with the next capture's first text */
}

/* u (g_malloc'd, taken) kept for the capture, at its exact size in the
 * arena (many short strings per message); once only when recurring. */
static const char *keep_str(char *u, gboolean recurring)
{
    if (recurring && shared) {
        const char *k = (const char *)g_hash_table_lookup(shared, u);
        if (k) {
            g_free(u);
            return k;
        }
    }
    size_t l = strlen(u);
    char *out = (char *)mw_arena_alloc0(l + 1);
    memcpy(out, u, l);
    g_free(u);
    if (recurring) {
        if (!shared) {
            shared = g_hash_table_new(g_str_hash, g_str_equal);
            wmem_register_callback(wmem_file_scope(), free_shared, NULL);
        }
        g_hash_table_add(shared, out);
    }
    return out;
}

static const char *kept(const guint8 *b, mw_span s, gboolean recurring)
{
    return keep_str(fold(b, s), recurring);
}

static const char *txt(const guint8 *b, mw_span s)
{
    return kept(b, s, TRUE);
}

static const char *txt_or_null(const guint8 *b, mw_span s)
{
    return s.len ? txt(b, s) : NULL;
}

/* For values that seldom recur (dates, queue ids, comments). */
static const char *txt_own_or_null(const guint8 *b, mw_span s)
{
    return s.len ? kept(b, s, FALSE) : NULL;
}

static void note_hops(mail_trace *t, const guint8 *buf, const mw_trace_field *f, unsigned n)
{
    unsigned nr = 0;
    for (unsigned i = 0; i < n; i++)
        nr += f[i].kind == MW_TRACE_RECEIVED;
    if (!nr)
        return;
    mw_received *r = g_new(mw_received, nr);
    const mw_trace_field **rf = g_new(const mw_trace_field *, nr);
    for (unsigned i = 0, k = 0; i < n; i++) {
        if (f[i].kind != MW_TRACE_RECEIVED)
            continue;
        rf[k] = &f[i];
        mw_received_parse(buf + f[i].value.off, f[i].value.len, &r[k++]);
    }
    t->hops_total = nr;
    t->n_hops = MIN(nr, HOPS_MAX);
    t->hops = (tr_hop *)mw_arena_alloc0(t->n_hops * sizeof(tr_hop));
    for (unsigned k = 0; k < nr; k++) {
        /* compare with the next older hop that has a date */
        gint64 by = 0;
        unsigned older = k + 1;
        while (older < nr && !r[older].time_ok)
            older++;
        gboolean back = older < nr && mw_received_backwards(&r[k], &r[older], &by);
        if (k >= t->n_hops) {
            t->backwards_hidden += back;
            continue;
        }
        tr_hop *h = &t->hops[k];
        const guint8 *v = buf + rf[k]->value.off;
        h->off = (guint32)rf[k]->field.off;
        h->len = (guint32)rf[k]->field.len;
        for (int c = 0; c < MW_RCV_CLAUSES; c++)
            h->clause[c] = c == MW_RCV_ID ? txt_own_or_null(v, r[k].clause[c])
                                          : txt_or_null(v, r[k].clause[c]);
        h->from_info = txt_or_null(v, r[k].info[MW_RCV_FROM]);
        h->date = txt_own_or_null(v, r[k].date);
        h->tls = (r[k].flags & MW_RCV_TLS) ? txt(v, r[k].tls) : NULL;
        h->time_ok = r[k].time_ok;
        h->time = r[k].time;
        h->flags = r[k].flags;
        if (back) {
            h->back_by = by;
            h->back_of = older + 1;
        }
    }
    g_free(rf);
    g_free(r);
}

/* Signatures checked for the dkim=pass cross-check (as many as the DKIM
 * fields show). */
#define DKIM_SIGS_MAX 8

/* The DKIM records of one whole message, as the DKIM fields decided them
 * (mail/dkim_fields.c: body hash and signature, with the keys known when
 * the message completed); their tag spans lie in buf. */
typedef struct dkim_check {
    const guint8 *buf;
    gboolean whole;       /* a header block alone has no body to check */
    const dkim_sig_rec *recs;
    guint n_recs;
} dkim_check;

/* Tag t of r as a span of the message (empty when absent). */
static mw_span dkim_tag(const dkim_sig_rec *r, int t)
{
    return (mw_span){r->tag_off[t], r->tag[t] ? r->tag_len[t] : 0};
}

static gboolean dkim_fails(const dkim_sig_rec *r)
{
    return r->verdict == DKIM_SIG_FAIL || r->body == DKIM_BODY_FAIL;
}

static const char *dkim_why(const dkim_sig_rec *r)
{
    if (r->reason)
        return r->reason;
    return r->body == DKIM_BODY_FAIL ? "its body hash does not match the body as delivered"
                                     : "it fails here";
}

/* A dkim=pass claim for a signature the check here fails: matched by
 * header.d (or the domain of header.i) and header.s when given.  Without
 * header.s the claim holds if any signature of that domain passes here, so
 * it conflicts only when all of them fail. */
static const char *dkim_conflict(const guint8 *v, const mw_ar_method *m, const dkim_check *c)
{
    if (!c->whole || !mw_span_is(v, m->method, "dkim") || !mw_span_is(v, m->result, "pass"))
        return NULL;
    const mw_ar_prop *pd = mw_ar_prop_find(v, m, "header", "d");
    const mw_ar_prop *pi = mw_ar_prop_find(v, m, "header", "i");
    const mw_ar_prop *ps = mw_ar_prop_find(v, m, "header", "s");
    mw_span dom = {0, 0};
    if (pd) {
        dom = pd->value;
    } else if (pi) {
        dom = pi->value;
        for (size_t k = 0; k < pi->value.len; k++)
            if (v[pi->value.off + k] == '@')
                dom = (mw_span){pi->value.off + k + 1, pi->value.len - k - 1};
    }
    if (!dom.len)
        return NULL;
    const char *conflict = NULL;
    for (guint i = 0; i < MIN(c->n_recs, DKIM_SIGS_MAX); i++) {
        const dkim_sig_rec *r = &c->recs[i];
        mw_span d = dkim_tag(r, DKIM_T_D), s = dkim_tag(r, DKIM_T_S);
        if (!mw_addr_same(v + dom.off, dom.len, c->buf + d.off, d.len))
            continue;
        if (ps && !mw_addr_same(v + ps->value.off, ps->value.len, c->buf + s.off, s.len))
            continue;
        if (!dkim_fails(r))
            return NULL; /* a matching signature passes here: the claim may be about it */
        if (!conflict) {
            char *dt = fold(c->buf, d), *st = fold(c->buf, s);
            conflict = wmem_strdup_printf(wmem_file_scope(), "the signature d=%s s=%s: %s", dt, st,
                                          dkim_why(r));
            g_free(dt);
            g_free(st);
        }
    }
    return conflict;
}

static void note_ar(mail_trace *t, const guint8 *buf, const mw_trace_field *f,
                    const dkim_check *dkim, mw_ar_method *tmp)
{
    t->ars_total++;
    mw_authres a;
    const guint8 *v = buf + f->value.off;
    mw_authres_parse(v, f->value.len, false, &a, tmp, AR_METHODS_MAX);
    unsigned room = AR_METHODS_MAX;
    for (guint i = 0; i < t->n_ars; i++)
        room -= MIN(room, t->ars[i].n_m);
    if (t->n_ars >= AR_FIELDS_MAX) {
        t->methods_hidden += a.methods_total;
        return;
    }
    tr_ar *r = &t->ars[t->n_ars++];
    r->off = (guint32)f->field.off;
    r->len = (guint32)f->field.len;
    r->authserv = txt_or_null(v, a.authserv_id);
    r->none = a.none;
    r->flags = a.flags;
    r->total = a.methods_total;
    r->n_m = MIN(a.n_methods, room);
    t->methods_hidden += a.methods_total - r->n_m;
    r->m = (tr_method *)mw_arena_alloc0(MAX(r->n_m, 1) * sizeof(tr_method));
    for (guint i = 0; i < r->n_m; i++) {
        const mw_ar_method *m = &tmp[i];
        tr_method *o = &r->m[i];
        o->method = txt_or_null(v, m->method);
        o->result = txt_or_null(v, m->result);
        o->reason = txt_or_null(v, m->reason);
        o->comment = txt_own_or_null(v, m->comment);
        o->flags = m->flags;
        o->n_props = m->n_props;
        o->props_total = m->props_total;
        o->props = (const char **)mw_arena_alloc0(MAX(m->n_props, 1) * sizeof(const char *));
        for (guint k = 0; k < m->n_props; k++) {
            const mw_ar_prop *p = &m->props[k];
            char *pt = fold(v, p->ptype), *pp = fold(v, p->property), *pv = fold(v, p->value);
            o->props[k] = keep_str(g_strdup_printf("%s.%s=%s", pt, pp, pv), TRUE);
            g_free(pt);
            g_free(pp);
            g_free(pv);
        }
        o->contradicts = dkim_conflict(v, m, dkim);
    }
}

static void note_arc(mail_trace *t, const guint8 *buf, const mw_trace_field *f, mw_arc_field *all,
                     mw_ar_method *tmp)
{
    const guint8 *v = buf + f->value.off;
    mw_arc_field a;
    memset(&a, 0, sizeof a);
    const char *authserv = NULL, *results = NULL;
    gboolean bad;
    if (f->kind == MW_TRACE_ARC_AUTH_RESULTS) {
        mw_authres ar;
        bad = !mw_authres_parse(v, f->value.len, true, &ar, tmp, AR_METHODS_MAX);
        a.kind = MW_ARC_AUTH_RESULTS;
        a.instance = ar.has_instance && ar.instance >= 1 && ar.instance <= MW_ARC_MAX_INSTANCE
                         ? ar.instance : 0;
        bad |= !a.instance;
        if (t->n_arcs < ARC_FIELDS_MAX) {
            authserv = txt_or_null(v, ar.authserv_id);
            GString *s = g_string_new(NULL);
            for (guint i = 0; i < ar.n_methods && s->len < TEXT_MAX; i++) {
                char *m = fold(v, tmp[i].method), *r = fold(v, tmp[i].result);
                g_string_append_printf(s, "%s%s=%s", i ? " " : "", m, r);
                g_free(m);
                g_free(r);
            }
            results = wmem_strdup(wmem_file_scope(), s->str);
            g_string_free(s, TRUE);
        }
    } else {
        bad = !mw_arc_parse(v, f->value.len,
                            f->kind == MW_TRACE_ARC_SEAL ? MW_ARC_SEAL : MW_ARC_MSG_SIG, &a);
    }
    all[t->arcs_total++] = a;
    if (t->n_arcs >= ARC_FIELDS_MAX)
        return;
    tr_arc *o = &t->arcs[t->n_arcs++];
    o->off = (guint32)f->field.off;
    o->len = (guint32)f->field.len;
    o->kind = a.kind;
    o->instance = a.instance;
    o->cv = a.kind == MW_ARC_SEAL ? txt_or_null(v, a.cv) : NULL;
    o->d = txt_or_null(v, a.d);
    o->s = txt_or_null(v, a.s);
    o->authserv = authserv;
    o->results = results;
    o->bad = bad;
}

static void note_addr(mail_trace *t, const guint8 *buf, const mw_trace_field *f)
{
    t->addrs_total++;
    if (t->n_addrs >= ADDRS_MAX)
        return;
    const guint8 *v = buf + f->value.off;
    tr_addr *a = &t->addrs[t->n_addrs++];
    a->off = (guint32)f->field.off;
    a->len = (guint32)f->field.len;
    a->kind = f->kind;
    mw_span s;
    if (f->kind == MW_TRACE_RETURN_PATH) {
        a->addr = mw_return_path(v, f->value.len, &s) ? txt(v, s) : txt(v, f->value);
        if (!t->rp_compared && t->envelope) {
            t->rp_compared = TRUE;
            t->rp_index = t->n_addrs - 1;
            t->rp_match = mw_addr_same((const guint8 *)a->addr, strlen(a->addr),
                                       (const guint8 *)t->envelope, strlen(t->envelope));
        }
    } else {
        mw_span all = {0, f->value.len};
        while (all.len && (v[all.off + all.len - 1] == '\n' || v[all.off + all.len - 1] == '\r' ||
                           v[all.off + all.len - 1] == ' ' || v[all.off + all.len - 1] == '\t'))
            all.len--;
        a->addr = txt(v, all);
    }
}

/* A copy for the capture of the first size bytes of tmp (NULL when none);
 * tmp is freed. */
static void *shrink(void *tmp, size_t size)
{
    void *kept = size ? memcpy(mw_arena_alloc0(size), tmp, size) : NULL;
    g_free(tmp);
    return kept;
}

mail_trace *mail_trace_note(const guint8 *buf, guint len, gboolean whole, const char *envelope,
                            const dkim_sig_rec *dkim_recs, guint n_dkim)
{
    if (!buf || !len)
        return NULL;
    /* built here, kept only when the message has trace fields */
    mail_trace tr;
    mail_trace *t = &tr;
    memset(t, 0, sizeof *t);
    t->len = len;
    t->envelope = envelope;
    mw_trace_field *f = g_new(mw_trace_field, SCAN_MAX);
    unsigned total = mw_trace_fields(buf, len, f, SCAN_MAX);
    unsigned n = MIN(total, SCAN_MAX);
    if (!n) {
        g_free(f);
        return NULL;
    }
    t->scan_truncated = total > SCAN_MAX;
    note_hops(t, buf, f, n);
    const dkim_check dkim = {buf, whole, dkim_recs, n_dkim};
    mw_ar_method *tmp = g_new(mw_ar_method, AR_METHODS_MAX);
    mw_arc_field *arcs = g_new(mw_arc_field, n);
    /* filled at their bound, then kept at the size used: most messages
     * have none of them, and the record lives as long as the capture */
    t->ars = g_new0(tr_ar, AR_FIELDS_MAX);
    t->arcs = g_new0(tr_arc, ARC_FIELDS_MAX);
    t->addrs = g_new0(tr_addr, ADDRS_MAX);
    for (unsigned i = 0; i < n; i++) {
        switch (f[i].kind) {
        case MW_TRACE_RECEIVED:
            break;
        case MW_TRACE_AUTH_RESULTS:
            note_ar(t, buf, &f[i], &dkim, tmp);
            break;
        case MW_TRACE_ARC_SEAL:
        case MW_TRACE_ARC_MSG_SIG:
        case MW_TRACE_ARC_AUTH_RESULTS:
            note_arc(t, buf, &f[i], arcs, tmp);
            break;
        default:
            note_addr(t, buf, &f[i]);
            break;
        }
    }
    mw_arc_chain_check(arcs, t->arcs_total, &t->chain);
    t->ars = shrink(t->ars, t->n_ars * sizeof *t->ars);
    t->arcs = shrink(t->arcs, t->n_arcs * sizeof *t->arcs);
    t->addrs = shrink(t->addrs, t->n_addrs * sizeof *t->addrs);
    /* the envelope is shown only beside the Return-Path it was compared with */
    t->envelope = t->rp_compared ? wmem_strdup(wmem_file_scope(), envelope) : NULL;
    g_free(arcs);
    g_free(tmp);
    g_free(f);
    return (mail_trace *)memcpy(mw_arena_alloc0(sizeof *t), t, sizeof *t);
}

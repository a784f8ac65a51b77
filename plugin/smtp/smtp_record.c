/* The record of one SMTP call (see smtp_int.h): parse appends ops while the
 * session logic runs on the first pass; render replays them on every pass.
 * An op names its tree node by index, so render needs no pointer from the
 * first pass other than the file-scope data the ops carry.  A call's record
 * is one file-scope block: 24-byte ops, then the blob of strings, line facts
 * and bytes they refer to by offset.
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/tap.h>

#include "compat.h"
#include "mail/credentials.h"
#include "mail/lineitem.h"
#include "mail/dkim_fields.h"
#include "mail/keep.h"
#include "mail/message_tree.h"
#include "mail/parts.h"
#include "mail/tap.h"
#include "mail/trace_fields.h"
#include "smtp/smtp_int.h"
#include "engine/heap.h"

typedef enum {
    OP_ITEM, OP_UINT, OP_UINT64, OP_STRING, OP_BOOLEAN, OP_TIME, OP_LINK, OP_SUBTREE,
    OP_SET_TEXT, OP_APPEND_TEXT, OP_GENERATED, OP_HIDDEN, OP_SET_LEN, OP_EXPERT, OP_EXPERT_TAP,
    OP_COL, OP_LINE_FACTS, OP_DATA_SOURCE, OP_CALL_DISSECTOR, OP_TAP_COMMAND, OP_TAP_REPLY,
    OP_TAP_CREDENTIAL, OP_TAP_CLIENT, OP_MESSAGE, OP_DATA_TEXTS, OP_HOOK, OP_COMPACT,
} smtp_op_kind;

/* An offset in the record's blob; NO_REF: none (a NULL string). */
typedef gint32 blob_ref;
#define NO_REF (-1)

/* Structs in the blob (8-byte aligned there). */
typedef struct smtp_op_cred {
    const char *mech;    /* static string of the core */
    blob_ref user;
    guint32 user_frame;
} smtp_op_cred;

typedef struct smtp_op_hook {
    smtp_render_fn fn;
    void *data;
} smtp_op_hook;

typedef struct smtp_op_reply {
    const char *verb;    /* static string of the core */
    gboolean has_time;
    nstime_t time;
} smtp_op_reply;

/* Nodes are stored biased by this, to fit the negative SMTP_NODE_*. */
#define NODE_BIAS 3
#define NODE_BITS 23

struct smtp_op {
    guint32 kind : 5;
    guint32 tvb : 4;           /* 0: the call's bytes; n: the call's nth data source
                                * (OP_COMPACT: the index of its show) */
    guint32 node : NODE_BITS;  /* parent, or the item an op acts on, + NODE_BIAS */
    int id;                    /* hf, ett, reply code; OP_EXPERT*, OP_DATA_SOURCE: a text */
    gint off, len;
    union {
        guint64 u;
        blob_ref ref;
        expert_field *ei;
        dissector_handle_t h;
        const guint32 *frame;
        const void *p;         /* OP_HOOK: its smtp_op_hook (file scope) */
    } v;
};

struct smtp_call_rec {
    guint n;
    smtp_op ops[]; /* then the blob */
};


void *smtp_rec(smtp_call *sc, size_t size)
{
    (void)sc;
    return mw_arena_alloc0(size);
}

static blob_ref blob_put(smtp_call *sc, const void *p, size_t n, guint align)
{
    guint at = (sc->blob->len + align - 1) & ~(align - 1);
    g_byte_array_set_size(sc->blob, at);
    g_byte_array_append(sc->blob, (const guint8 *)p, (guint)n);
    return (blob_ref)at;
}

static blob_ref str_put(smtp_call *sc, const char *s)
{
    return s ? blob_put(sc, s, strlen(s) + 1, 1) : NO_REF;
}

static blob_ref vstr_put(smtp_call *sc, const char *fmt, va_list ap)
{
    return str_put(sc, wmem_strdup_vprintf(sc->pinfo->pool, fmt, ap));
}

static guint8 tvb_index(smtp_call *sc, tvbuff_t *tvb)
{
    for (guint i = 0; i < sc->ntvbs; i++)
        if (sc->tvbs[i] == tvb)
            return (guint8)i;
    DISSECTOR_ASSERT_NOT_REACHED();
    return 0;
}

static smtp_op *op_new(smtp_call *sc, guint8 kind, smtp_node node)
{
    /* a call with millions of ops would not be shown anyway */
    DISSECTOR_ASSERT(sc->ops->len < (1u << NODE_BITS) - NODE_BIAS);
    smtp_op o;
    memset(&o, 0, sizeof o);
    o.kind = kind;
    o.node = (guint32)(node + NODE_BIAS);
    g_array_append_val(sc->ops, o);
    return &g_array_index(sc->ops, smtp_op, sc->ops->len - 1);
}

static smtp_node op_item(smtp_call *sc, guint8 kind, smtp_node parent, int hf, tvbuff_t *tvb,
                         gint off, gint len, smtp_op **out)
{
    smtp_op *o = op_new(sc, kind, parent);
    o->id = hf;
    o->tvb = tvb_index(sc, tvb);
    o->off = off;
    o->len = len;
    *out = o;
    return (smtp_node)sc->ops->len - 1;
}

smtp_node so_add_item(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                      guint enc)
{
    smtp_op *o;
    smtp_node n = op_item(sc, OP_ITEM, parent, hf, tvb, off, len, &o);
    o->v.u = enc;
    return n;
}

smtp_node so_add_uint(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                      guint32 v)
{
    smtp_op *o;
    smtp_node n = op_item(sc, OP_UINT, parent, hf, tvb, off, len, &o);
    o->v.u = v;
    return n;
}

smtp_node so_add_uint64(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                        guint64 v)
{
    smtp_op *o;
    smtp_node n = op_item(sc, OP_UINT64, parent, hf, tvb, off, len, &o);
    o->v.u = v;
    return n;
}

smtp_node so_add_uint64_format(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off,
                               gint len, guint64 v, const char *fmt, ...)
{
    /* the item, then its text: what proto_tree_add_uint64_format does */
    smtp_node n = so_add_uint64(sc, parent, hf, tvb, off, len, v);
    smtp_op *o = op_new(sc, OP_SET_TEXT, n);
    va_list ap;
    va_start(ap, fmt);
    o->v.ref = vstr_put(sc, fmt, ap);
    va_end(ap);
    return n;
}

smtp_node so_add_string(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                        const char *v)
{
    blob_ref ref = str_put(sc, v);
    smtp_op *o;
    smtp_node n = op_item(sc, OP_STRING, parent, hf, tvb, off, len, &o);
    o->v.ref = ref;
    return n;
}

smtp_node so_add_boolean(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                         gboolean v)
{
    smtp_op *o;
    smtp_node n = op_item(sc, OP_BOOLEAN, parent, hf, tvb, off, len, &o);
    o->v.u = v ? 1 : 0;
    return n;
}

smtp_node so_add_time(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                      const nstime_t *v)
{
    blob_ref ref = blob_put(sc, v, sizeof *v, 8);
    smtp_op *o;
    smtp_node n = op_item(sc, OP_TIME, parent, hf, tvb, off, len, &o);
    o->v.ref = ref;
    return n;
}

smtp_node so_add_link(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                      const guint32 *frame)
{
    smtp_op *o;
    smtp_node n = op_item(sc, OP_LINK, parent, hf, tvb, off, len, &o);
    o->v.frame = frame;
    return n;
}

smtp_node so_subtree(smtp_call *sc, smtp_node item, int ett)
{
    smtp_op *o = op_new(sc, OP_SUBTREE, item);
    o->id = ett;
    return (smtp_node)sc->ops->len - 1;
}

smtp_node so_parent(smtp_call *sc, smtp_node tree)
{
    if (tree == SMTP_NODE_TREE)
        return SMTP_NODE_ROOT_ITEM;
    if (tree < 0)
        return SMTP_NODE_NONE;
    const smtp_op *o = &g_array_index(sc->ops, smtp_op, tree);
    return o->kind == OP_SUBTREE ? (smtp_node)o->node - NODE_BIAS : SMTP_NODE_NONE;
}

void so_set_text(smtp_call *sc, smtp_node item, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    blob_ref ref = vstr_put(sc, fmt, ap);
    va_end(ap);
    op_new(sc, OP_SET_TEXT, item)->v.ref = ref;
}

void so_append_text(smtp_call *sc, smtp_node item, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    blob_ref ref = vstr_put(sc, fmt, ap);
    va_end(ap);
    op_new(sc, OP_APPEND_TEXT, item)->v.ref = ref;
}

void so_data_texts(smtp_call *sc, smtp_node item, gint n, gboolean col)
{
    smtp_op *o = op_new(sc, OP_DATA_TEXTS, item);
    o->len = n;
    o->id = col ? 1 : 0;
}

void so_set_generated(smtp_call *sc, smtp_node item)
{
    op_new(sc, OP_GENERATED, item);
}

void so_set_hidden(smtp_call *sc, smtp_node item)
{
    op_new(sc, OP_HIDDEN, item);
}

void so_set_len(smtp_call *sc, smtp_node item, gint len)
{
    op_new(sc, OP_SET_LEN, item)->len = len;
}

static void op_expert(smtp_call *sc, smtp_node item, expert_field *ei, gboolean tap, blob_ref text)
{
    smtp_op *o = op_new(sc, tap ? OP_EXPERT_TAP : OP_EXPERT, item);
    o->v.ei = ei;
    o->id = text;
}

void so_expert(smtp_call *sc, smtp_node item, expert_field *ei)
{
    op_expert(sc, item, ei, FALSE, NO_REF);
}

void so_mw_expert(smtp_call *sc, smtp_node item, expert_field *ei)
{
    op_expert(sc, item, ei, TRUE, NO_REF);
}

void so_expert_format(smtp_call *sc, smtp_node item, expert_field *ei, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    blob_ref ref = vstr_put(sc, fmt, ap);
    va_end(ap);
    op_expert(sc, item, ei, FALSE, ref);
}

void so_mw_expert_format(smtp_call *sc, smtp_node item, expert_field *ei, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    blob_ref ref = vstr_put(sc, fmt, ap);
    va_end(ap);
    op_expert(sc, item, ei, TRUE, ref);
}

void so_col(smtp_call *sc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    blob_ref ref = vstr_put(sc, fmt, ap);
    va_end(ap);
    op_new(sc, OP_COL, SMTP_NODE_NONE)->v.ref = ref;
}

void so_line_facts(smtp_call *sc, smtp_node tree, tvbuff_t *tvb, const mw_line_at *l)
{
    /* Only lines with something to show cost a copy of their facts. */
    if (!l->fragment && l->line.eol == MW_EOL_NONE && !l->line.flags)
        return;
    blob_ref ref = blob_put(sc, &l->line, sizeof l->line, 8);
    smtp_op *o = op_new(sc, OP_LINE_FACTS, tree);
    o->tvb = tvb_index(sc, tvb);
    o->off = l->offset;
    o->len = l->fragment ? 1 : 0;
    o->v.ref = ref;
}

tvbuff_t *so_data_source(smtp_call *sc, tvbuff_t *parent, const guint8 *bytes, guint len,
                         const char *name)
{
    DISSECTOR_ASSERT(sc->ntvbs < SMTP_MAX_TVBS);
    blob_ref ref = blob_put(sc, bytes, len, 1);
    blob_ref text = str_put(sc, name);
    smtp_op *o = op_new(sc, OP_DATA_SOURCE, SMTP_NODE_NONE);
    o->tvb = tvb_index(sc, parent);
    o->len = (gint)len;
    o->v.ref = ref;
    o->id = text;
    /* parse reads a copy that lives as long as this packet */
    const guint8 *now = (const guint8 *)wmem_memdup(sc->pinfo->pool, bytes, len);
    tvbuff_t *d = tvb_new_child_real_data(parent, now, len, (gint)len);
    sc->tvbs[sc->ntvbs++] = d;
    return d;
}

void so_call_dissector(smtp_call *sc, dissector_handle_t h, tvbuff_t *tvb, smtp_node tree)
{
    smtp_op *o = op_new(sc, OP_CALL_DISSECTOR, tree);
    o->tvb = tvb_index(sc, tvb);
    o->v.h = h;
}

void so_tap_command(smtp_call *sc, const char *verb)
{
    blob_ref ref = str_put(sc, verb);
    op_new(sc, OP_TAP_COMMAND, SMTP_NODE_NONE)->v.ref = ref;
}

void so_tap_client(smtp_call *sc, const char *client)
{
    blob_ref ref = str_put(sc, client);
    op_new(sc, OP_TAP_CLIENT, SMTP_NODE_NONE)->v.ref = ref;
}

void so_tap_reply(smtp_call *sc, const char *verb, guint code, const nstime_t *cmd_time)
{
    smtp_op_reply r;
    memset(&r, 0, sizeof r);
    r.verb = verb; /* static strings of the core */
    if (cmd_time) {
        r.has_time = TRUE;
        /* field by field: the blob is compared byte for byte (padding stays zero) */
        r.time.secs = cmd_time->secs;
        r.time.nsecs = cmd_time->nsecs;
    }
    blob_ref ref = blob_put(sc, &r, sizeof r, 8);
    smtp_op *o = op_new(sc, OP_TAP_REPLY, SMTP_NODE_NONE);
    o->id = (int)code;
    o->v.ref = ref;
}

void so_tap_credential(smtp_call *sc, const char *user, guint32 user_frame, int hf_secret,
                       const char *mech)
{
    smtp_op_cred c;
    memset(&c, 0, sizeof c);
    c.user = str_put(sc, user);
    c.mech = mech;
    c.user_frame = user_frame;
    blob_ref ref = blob_put(sc, &c, sizeof c, 8);
    smtp_op *o = op_new(sc, OP_TAP_CREDENTIAL, SMTP_NODE_NONE);
    o->id = hf_secret;
    o->v.ref = ref;
}

void so_message(smtp_call *sc, smtp_node tree, const smtp_msg_view *m)
{
    blob_ref ref = blob_put(sc, m, sizeof *m, 8);
    op_new(sc, OP_MESSAGE, tree)->v.ref = ref;
}

void so_render_hook(smtp_call *sc, smtp_node tree, smtp_render_fn fn, void *data)
{
    smtp_op_hook *h = wmem_new0(wmem_file_scope(), smtp_op_hook);
    h->fn = fn;
    h->data = data;
    op_new(sc, OP_HOOK, tree)->v.p = h;
}

void smtp_record_begin(smtp_call *sc, tvbuff_t *tvb)
{
    sc->ops = g_array_new(FALSE, FALSE, sizeof(smtp_op));
    sc->blob = g_byte_array_new();
    sc->tvbs[0] = tvb;
    sc->ntvbs = 1;
    sc->run_op = -1;
}

static smtp_call_rec *record_finish_in(smtp_call *sc, wmem_allocator_t *scope)
{
    smtp_call_rec *r = NULL;
    guint n = sc->ops->len;
    if (n) {
        /* one block per call: the ops, then the blob */
        size_t ops = n * sizeof(smtp_op);
        r = (smtp_call_rec *)wmem_alloc(scope, sizeof *r + ops + sc->blob->len);
        r->n = n;
        memcpy(r->ops, sc->ops->data, ops);
        if (sc->blob->len)
            memcpy((guint8 *)r->ops + ops, sc->blob->data, sc->blob->len);
    }
    g_array_free(sc->ops, TRUE);
    g_byte_array_free(sc->blob, TRUE);
    sc->ops = NULL;
    sc->blob = NULL;
    return r;
}

smtp_call_rec *smtp_record_finish(smtp_call *sc)
{
    return record_finish_in(sc, wmem_file_scope());
}

/* ---- compact lines --------------------------------------------------------
 * The ops of a common line (a RCPT, its 250) cost some hundred bytes, most
 * of them texts the line's bytes give again.  Such a line is dissected as
 * any other on the first pass; then its ops are replaced by one op holding
 * what the session decided (facts) and the line's file-scope record, and
 * render runs the line's show function over the frame's bytes and those,
 * recording into a temporary record that it renders at once: the same
 * items, in the same order, with no session state.  Lines that follow each
 * other with the same facts and records that follow each other in memory
 * (command records come in slabs) extend one op: a pipeline of a million
 * RCPT costs a few ops per segment.  MAILWIRE_SMTP_COMPACT_CHECK=1 in the
 * environment makes the first pass check every replay against the ops it
 * replaces (a development aid: it stops tshark on a difference). */

smtp_mark so_mark(smtp_call *sc)
{
    smtp_mark m;
    m.ops = sc->ops->len;
    m.blob = sc->blob->len;
    m.ntvbs = sc->ntvbs;
    return m;
}

/* The kinds of compact lines, by their index in an op (1..). */
static const smtp_show *shows[8];

static guint show_index(const smtp_show *show)
{
    guint i;
    for (i = 1; i < G_N_ELEMENTS(shows) && shows[i]; i++)
        if (shows[i] == show)
            return i;
    DISSECTOR_ASSERT(i < G_N_ELEMENTS(shows));
    shows[i] = show;
    return i;
}

/* A compact op: tvb holds the show's index, id the facts, off the first
 * line's offset, len the lines of the run, v.p the first line's record. */

/* Runs the n lines of a run as render would, into a temporary record of
 * the packet's pool. */
static smtp_call_rec *replay_record(mw_ctx *ctx, tvbuff_t *tvb, const smtp_show *show,
                                    guint32 facts, gint off, gint n, const guint8 *rec)
{
    smtp_call rc;
    memset(&rc, 0, sizeof rc);
    rc.ctx = ctx;
    rc.pinfo = ctx->pinfo;
    rc.tree = SMTP_NODE_TREE;
    rc.run_op = -1;
    smtp_record_begin(&rc, tvb);
    for (gint i = 0; i < n; i++) {
        gint left = tvb_reported_length_remaining(tvb, off);
        mw_line line;
        if (left <= 0 || !mw_line_scan(tvb_get_ptr(tvb, off, left), (size_t)left, 0, &line))
            break; /* cannot be: each line was found there on the first pass */
        show->fn(&rc, tvb, off, &line, facts, rec);
        off += (gint)(line.len + line.eol_len);
        if (rec)
            rec += show->stride;
    }
    return record_finish_in(&rc, ctx->pinfo->pool);
}

static gboolean same_op(const smtp_call_rec *a, const smtp_op *x, guint xbase,
                        const guint8 *xblob, const smtp_op *y);

void so_compact(smtp_call *sc, smtp_mark m, tvbuff_t *tvb, const mw_line_at *l,
                const smtp_show *show, guint32 facts, const void *rec)
{
    /* only lines whose items are all of the call's own bytes, and that the
     * line scanner finds again where they are */
    if (sc->ntvbs != m.ntvbs || sc->tvbs[0] != tvb || sc->ops->len == m.ops || l->fragment)
        return;
    gint left = tvb_reported_length_remaining(tvb, l->offset);
    mw_line again;
    if (left <= 0 || !mw_line_scan(tvb_get_ptr(tvb, l->offset, left), (size_t)left, 0, &again) ||
        again.len != l->line.len || again.eol_len != l->line.eol_len ||
        again.eol != l->line.eol || again.flags != l->line.flags)
        return;
    static int check = -1;
    if (check < 0)
        check = getenv("MAILWIRE_SMTP_COMPACT_CHECK") != NULL;
    if (check) {
        /* development check: the replay records what the first pass did */
        smtp_call_rec *r = replay_record(sc->ctx, tvb, show, facts, l->offset, 1,
                                         (const guint8 *)rec);
        const smtp_op *first = &g_array_index(sc->ops, smtp_op, m.ops);
        guint n = sc->ops->len - m.ops;
        gboolean same = r && r->n == n;
        for (guint i = 0; same && i < n; i++)
            same = same_op(r, &first[i], m.ops, sc->blob->data, &r->ops[i]);
        if (!same)
            g_error("mailwire: compact SMTP line in frame %u differs from its first pass",
                    sc->pinfo->num);
    }
    g_array_set_size(sc->ops, m.ops);
    g_byte_array_set_size(sc->blob, m.blob);
    guint si = show_index(show);
    gint end = l->offset + (gint)(l->line.len + l->line.eol_len);
    if (sc->run_op >= 0 && (guint)sc->run_op + 1 == m.ops && sc->run_end == l->offset) {
        smtp_op *o = &g_array_index(sc->ops, smtp_op, sc->run_op);
        const guint8 *next = o->v.p ? (const guint8 *)o->v.p + (gsize)o->len * show->stride
                                    : NULL;
        if (o->kind == OP_COMPACT && o->tvb == si && (guint32)o->id == facts &&
            (const void *)next == rec && o->len < G_MAXINT32) {
            o->len++;
            sc->run_end = end;
            return;
        }
    }
    smtp_op *o = op_new(sc, OP_COMPACT, SMTP_NODE_NONE);
    o->tvb = si;
    o->id = (int)facts;
    o->off = l->offset;
    o->len = 1;
    o->v.p = rec;
    sc->run_op = (gint)sc->ops->len - 1;
    sc->run_end = end;
}

/* ---- render -------------------------------------------------------------- */

#define BLOB(rec) ((const guint8 *)&(rec)->ops[(rec)->n])
#define AT(o) (BLOB(rec) + (o)->v.ref)

static const char *str_at(const smtp_call_rec *rec, blob_ref ref)
{
    return ref == NO_REF ? NULL : (const char *)BLOB(rec) + ref;
}

static void render_credential(mw_ctx *ctx, const smtp_call_rec *rec, const smtp_op *o)
{
    const smtp_op_cred *c = (const smtp_op_cred *)(BLOB(rec) + o->v.ref);
    const char *user = str_at(rec, c->user);
    mw_tap_user(ctx, user);
    mw_credentials_tap(&smtp_credentials, ctx->pinfo, user, c->user_frame, o->id,
                       wmem_strdup_printf(ctx->pinfo->pool, "AUTH %s", c->mech ? c->mech : "?"));
}

static void render_message(mw_ctx *ctx, tvbuff_t *tvb, proto_tree *t, const smtp_msg_view *m)
{
    mail_message_facts facts;
    memset(&facts, 0, sizeof facts);
    const guint8 *data = mw_keep_bytes(ctx->pinfo, m->kept);
    gboolean have = data != NULL;
    if (have) {
        tvbuff_t *msg = mail_message_tvb(tvb, ctx->pinfo, data, m->len);
        mail_trace_envelope(ctx->pinfo, m->txn ? m->txn->from : NULL);
        mail_message_add(msg, ctx->pinfo, t, &facts);
    } else if (m->len) {
        mail_trace_add_dropped(tvb, ctx->pinfo, t);
        mw_keep_show_dropped(t, tvb, m->len);
        mail_parts_show_dropped(tvb, ctx->pinfo, t, m->len);
        mail_dkim_dropped(tvb, ctx->pinfo, t);
    }
    if (m->txn)
        smtp_envelope_recap_render(ctx->pinfo, tvb, ctx->tree, m->txn, m->nrcpt,
                                   have ? &facts : NULL);
}

void smtp_render_record(mw_ctx *ctx, tvbuff_t *tvb, const smtp_call_rec *rec)
{
    packet_info *pinfo = ctx->pinfo;
    proto_node **nodes = (proto_node **)wmem_alloc0(pinfo->pool, (rec->n + 1) * sizeof *nodes);
    tvbuff_t *tvbs[SMTP_MAX_TVBS];
    guint ntvbs = 1;
    tvbs[0] = tvb;
#define NODE(b) NODE_((gint)(b) - NODE_BIAS)
#define NODE_(i) ((i) >= 0 ? nodes[i] : (i) == SMTP_NODE_TREE ? ctx->tree \
                 : (i) == SMTP_NODE_ROOT_ITEM ? ctx->root : NULL)
    for (guint i = 0; i < rec->n; i++) {
        const smtp_op *o = &rec->ops[i];
        proto_node *n = NODE(o->node);
        tvbuff_t *ot = tvbs[o->tvb < ntvbs ? o->tvb : 0];
        switch ((smtp_op_kind)o->kind) {
        case OP_ITEM:
            nodes[i] = proto_tree_add_item(n, o->id, ot, o->off, o->len, (guint)o->v.u);
            smtp_dropin_mirror(n, o->id, ot, o->off, o->len, 0, NULL);
            smtp_text_twin(pinfo, nodes[i], o->id, ot, o->off, o->len);
            break;
        case OP_UINT:
            nodes[i] = proto_tree_add_uint(n, o->id, ot, o->off, o->len, (guint32)o->v.u);
            smtp_dropin_mirror(n, o->id, ot, o->off, o->len, o->v.u, NULL);
            break;
        case OP_UINT64:
            nodes[i] = proto_tree_add_uint64(n, o->id, ot, o->off, o->len, o->v.u);
            break;
        case OP_STRING:
            nodes[i] = proto_tree_add_string(n, o->id, ot, o->off, o->len, str_at(rec, o->v.ref));
            smtp_dropin_mirror(n, o->id, ot, o->off, o->len, 0, str_at(rec, o->v.ref));
            break;
        case OP_BOOLEAN:
            nodes[i] = proto_tree_add_boolean(n, o->id, ot, o->off, o->len, (guint32)o->v.u);
            break;
        case OP_TIME:
            nodes[i] = proto_tree_add_time(n, o->id, ot, o->off, o->len, (const nstime_t *)AT(o));
            break;
        case OP_LINK:
            if (*o->v.frame) {
                nodes[i] = proto_tree_add_uint(n, o->id, ot, o->off, o->len, *o->v.frame);
                proto_item_set_generated(nodes[i]);
            }
            break;
        case OP_SUBTREE:
            nodes[i] = n ? proto_item_add_subtree(n, o->id) : NULL;
            break;
        case OP_SET_TEXT:
            if (n)
                proto_item_set_text(n, "%s", str_at(rec, o->v.ref));
            break;
        case OP_APPEND_TEXT:
            if (n)
                proto_item_append_text(n, "%s", str_at(rec, o->v.ref));
            break;
        case OP_DATA_TEXTS:
            if (n)
                proto_item_set_text(n, "Message data: %d bytes", o->len);
            if (o->id)
                col_append_sep_fstr(pinfo->cinfo, COL_INFO, " | ", "C: message data, %d bytes",
                                    o->len);
            break;
        case OP_GENERATED:
            if (n)
                proto_item_set_generated(n);
            break;
        case OP_HIDDEN:
            if (n)
                proto_item_set_hidden(n);
            break;
        case OP_SET_LEN:
            if (n)
                proto_item_set_len(n, o->len);
            break;
        case OP_EXPERT_TAP:
            if (o->id != NO_REF)
                mw_expert_format(pinfo, n, o->v.ei, "%s", str_at(rec, o->id));
            else
                mw_expert(pinfo, n, o->v.ei);
            break;
        case OP_EXPERT:
            if (o->id != NO_REF)
                expert_add_info_format(pinfo, n, o->v.ei, "%s", str_at(rec, o->id));
            else
                expert_add_info(pinfo, n, o->v.ei);
            break;
        case OP_COL:
            col_append_sep_str(pinfo->cinfo, COL_INFO, " | ", str_at(rec, o->v.ref));
            break;
        case OP_LINE_FACTS: {
            mw_line_at l;
            memset(&l, 0, sizeof l);
            l.offset = o->off;
            memcpy(&l.line, AT(o), sizeof l.line);
            l.fragment = o->len != 0;
            mw_add_line_facts(ctx, n, ot, &l);
            break;
        }
        case OP_DATA_SOURCE: {
            tvbuff_t *d = tvb_new_child_real_data(ot, AT(o), (guint)o->len, o->len);
            add_new_data_source(pinfo, d, str_at(rec, o->id));
            if (ntvbs < SMTP_MAX_TVBS)
                tvbs[ntvbs++] = d;
            break;
        }
        case OP_CALL_DISSECTOR:
            call_dissector(o->v.h, ot, pinfo, n);
            break;
        case OP_TAP_CLIENT:
            mw_tap_client(ctx, str_at(rec, o->v.ref));
            break;
        case OP_TAP_COMMAND:
            mw_tap_command(ctx, str_at(rec, o->v.ref));
            break;
        case OP_TAP_REPLY: {
            const smtp_op_reply *r = (const smtp_op_reply *)AT(o);
            mw_tap_reply(ctx, r->verb, NULL, (guint)o->id, r->has_time ? &r->time : NULL);
            break;
        }
        case OP_TAP_CREDENTIAL:
            render_credential(ctx, rec, o);
            break;
        case OP_MESSAGE:
            render_message(ctx, tvb, n, (const smtp_msg_view *)AT(o));
            break;
        case OP_HOOK: {
            const smtp_op_hook *h = (const smtp_op_hook *)o->v.p;
            h->fn(ctx, tvb, n, h->data);
            break;
        }
        case OP_COMPACT: {
            smtp_call_rec *r = o->tvb < G_N_ELEMENTS(shows) && shows[o->tvb]
                                   ? replay_record(ctx, tvb, shows[o->tvb], (guint32)o->id, o->off,
                                                   o->len, (const guint8 *)o->v.p)
                                   : NULL;
            if (r) {
                smtp_render_record(ctx, tvb, r);
                wmem_free(pinfo->pool, r);
            }
            break;
        }
        }
    }
#undef NODE
#undef NODE_
}

/* Whether op y of the replayed record a is op x of the first pass, whose
 * nodes count from xbase and whose blob is xblob. */
static gboolean same_op(const smtp_call_rec *a, const smtp_op *x, guint xbase,
                        const guint8 *xblob, const smtp_op *y)
{
    gint xn = (gint)x->node - NODE_BIAS, yn = (gint)y->node - NODE_BIAS;
    if (xn >= 0)
        xn -= (gint)xbase;
    if (x->kind != y->kind || x->tvb != y->tvb || xn != yn || x->off != y->off ||
        x->len != y->len)
        return FALSE;
    const guint8 *yblob = BLOB(a);
#define XS(r) ((r) == NO_REF ? NULL : (const char *)xblob + (r))
#define YS(r) ((r) == NO_REF ? NULL : (const char *)yblob + (r))
#define SAME_STR(p, q) (g_strcmp0((p), (q)) == 0)
    switch ((smtp_op_kind)x->kind) {
    case OP_STRING:
    case OP_SET_TEXT:
    case OP_APPEND_TEXT:
    case OP_COL:
    case OP_TAP_COMMAND:
    case OP_TAP_CLIENT:
        return x->id == y->id && SAME_STR(XS(x->v.ref), YS(y->v.ref));
    case OP_EXPERT:
    case OP_EXPERT_TAP:
        return x->v.ei == y->v.ei && SAME_STR(XS(x->id), YS(y->id));
    case OP_TIME: {
        const nstime_t *xt = (const nstime_t *)(xblob + x->v.ref);
        const nstime_t *yt = (const nstime_t *)(yblob + y->v.ref);
        return x->id == y->id && nstime_cmp(xt, yt) == 0;
    }
    case OP_LINE_FACTS:
        return !memcmp(xblob + x->v.ref, yblob + y->v.ref, sizeof(mw_line));
    case OP_TAP_REPLY:
        return x->id == y->id &&
               !memcmp(xblob + x->v.ref, yblob + y->v.ref, sizeof(smtp_op_reply));
    case OP_ITEM:
    case OP_UINT:
    case OP_UINT64:
    case OP_BOOLEAN:
    case OP_LINK:
    case OP_SUBTREE:
    case OP_GENERATED:
    case OP_HIDDEN:
    case OP_SET_LEN:
    case OP_DATA_TEXTS:
    case OP_CALL_DISSECTOR:
        return x->id == y->id && x->v.u == y->v.u;
    default:
        return FALSE; /* never replayed */
    }
#undef XS
#undef YS
#undef SAME_STR
}

/* The record of one SMTP call (see smtp_int.h): parse appends ops while the
 * session logic runs on the first pass; render replays them on every pass.
 * An op names its tree node by index, so render needs no pointer from the
 * first pass other than the file-scope data the ops carry.  While parse
 * runs, ops are 24-byte structs and what they refer to (strings, line facts,
 * bytes) is in a blob beside them; the call's stored record is both packed
 * into one block of bytes (see "packed records" below), which render reads
 * forward, op by op.
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
#include "core/text/varint.h"
#include "engine/heap.h"

typedef enum {
    OP_ITEM, OP_UINT, OP_UINT64, OP_STRING, OP_BOOLEAN, OP_TIME, OP_LINK, OP_SUBTREE,
    OP_SET_TEXT, OP_APPEND_TEXT, OP_GENERATED, OP_HIDDEN, OP_SET_LEN, OP_EXPERT, OP_EXPERT_TAP,
    OP_COL, OP_LINE_FACTS, OP_DATA_SOURCE, OP_CALL_DISSECTOR, OP_TAP_COMMAND, OP_TAP_REPLY,
    OP_TAP_CREDENTIAL, OP_TAP_CLIENT, OP_MESSAGE, OP_DATA_TEXTS, OP_HOOK, OP_COMPACT,
    OP_STRING_STATIC, OP_MESSAGE_TEXTS, OP_BDAT_TEXTS,
} smtp_op_kind;
/* an op's kind takes 5 bits, there and in the packed record */
G_STATIC_ASSERT(OP_BDAT_TEXTS < 32);

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
        const void *p;         /* OP_COMPACT: the first line's record;
                                * OP_STRING_STATIC: the string */
    } v;
};

/* The packed record: a varint count of ops, then the ops (see below).  Its
 * bytes are read through a byte pointer; this member is the first. */
struct smtp_call_rec {
    guint8 first;
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

smtp_node so_add_string_static(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off,
                               gint len, const char *v)
{
    smtp_op *o;
    smtp_node n = op_item(sc, OP_STRING_STATIC, parent, hf, tvb, off, len, &o);
    o->v.p = v;
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

void so_message_texts(smtp_call *sc, smtp_node item, guint32 len, gboolean bdat)
{
    smtp_op *o = op_new(sc, OP_MESSAGE_TEXTS, item);
    o->v.u = len;
    o->id = bdat ? 1 : 0;
}

void so_bdat_texts(smtp_call *sc, smtp_node item, gint n, guint64 left)
{
    smtp_op *o = op_new(sc, OP_BDAT_TEXTS, item);
    o->len = n;
    o->v.u = left;
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
    smtp_op_hook h;
    memset(&h, 0, sizeof h);
    h.fn = fn;
    h.data = data;
    blob_ref ref = blob_put(sc, &h, sizeof h, 8);
    op_new(sc, OP_HOOK, tree)->v.ref = ref;
}

void smtp_record_begin(smtp_call *sc, tvbuff_t *tvb)
{
    sc->ops = g_array_new(FALSE, FALSE, sizeof(smtp_op));
    sc->blob = g_byte_array_new();
    sc->tvbs[0] = tvb;
    sc->ntvbs = 1;
    sc->run_op = -1;
}

/* ---- packed records --------------------------------------------------------
 * Most fields of most ops are zero or close to the same field of the op
 * before, so the stored record keeps ops as bytes: a kind byte and a byte
 * saying which fields follow (M_*), as one varint (kind + 32 * mask: one
 * byte for an op with a node and a value only), then those fields as
 * varints, then what the op refers to, inline (no blob, no alignment):
 *   tvb   the index as is
 *   node  0 none, 1 the call's subtree, 2 its root item, else 2 + how many
 *         ops back the node is (most often the op just before)
 *   id    hf and ett: zig-zag difference from the kind's last one; a text
 *         (expert, data source name): the string; else zig-zag
 *   off   zig-zag difference from the last non-zero offset
 *   len   zig-zag
 *   v     by kind: a varint, a string, file-scope pointers as zig-zag
 *         differences from the last one (records of one call lie together),
 *         static ones (experts, the core's texts) from a static anchor, or
 *         the fields of a struct one by one
 * A field left out is zero (a string left out is NULL).  Strings end with
 * their NUL. */

enum { M_NODE = 1, M_V = 2, M_ID = 4, M_OFF = 8, M_LEN = 16, M_TVB = 32 };

/* What pointers into the plugin's own static data are counted from. */
static const guint8 static_anchor;

typedef struct pack_bases {
    gint hf, ett, off;
    guintptr ptr;
} pack_bases;

static void put_u(GByteArray *out, guint64 v)
{
    guint8 b[MW_VARINT_MAX];
    g_byte_array_append(out, b, mw_varint_encode(b, v));
}

static void put_z(GByteArray *out, gint64 v)
{
    put_u(out, mw_varint_zig(v));
}

static void put_str(GByteArray *out, const char *s)
{
    g_byte_array_append(out, (const guint8 *)s, (guint)strlen(s) + 1);
}

static void put_raw_ptr(GByteArray *out, const void *p)
{
    g_byte_array_append(out, (const guint8 *)&p, sizeof p);
}

/* A static pointer, from the anchor. */
static void put_static(GByteArray *out, const void *p)
{
    put_z(out, (gint64)((guintptr)p - (guintptr)&static_anchor));
}

/* A file-scope pointer or NULL, from the last one. */
static void put_near(GByteArray *out, pack_bases *b, const void *p)
{
    if (!p) {
        put_u(out, 0);
        return;
    }
    put_u(out, mw_varint_zig((gint64)((guintptr)p - b->ptr)) + 1);
    b->ptr = (guintptr)p;
}

static gint64 get_z(const guint8 **in)
{
    return mw_varint_unzig(mw_varint_decode(in));
}

static const char *get_str(const guint8 **in)
{
    const char *s = (const char *)*in;
    *in += strlen(s) + 1;
    return s;
}

static const void *get_static(const guint8 **in)
{
    return (const void *)((guintptr)&static_anchor + (guintptr)get_z(in));
}

static const void *get_near(const guint8 **in, pack_bases *b)
{
    guint64 v = mw_varint_decode(in);
    if (!v)
        return NULL;
    b->ptr += (guintptr)mw_varint_unzig(v - 1);
    return (const void *)b->ptr;
}

static gboolean kind_hf(guint kind)
{
    return kind == OP_ITEM || kind == OP_UINT || kind == OP_UINT64 || kind == OP_STRING ||
           kind == OP_BOOLEAN || kind == OP_TIME || kind == OP_LINK || kind == OP_STRING_STATIC;
}

static gboolean kind_id_text(guint kind)
{
    return kind == OP_EXPERT || kind == OP_EXPERT_TAP || kind == OP_DATA_SOURCE;
}

static gboolean kind_v_uint(guint kind)
{
    return kind == OP_ITEM || kind == OP_UINT || kind == OP_UINT64 || kind == OP_BOOLEAN ||
           kind == OP_MESSAGE_TEXTS || kind == OP_BDAT_TEXTS;
}

static gboolean kind_v_str(guint kind)
{
    return kind == OP_STRING || kind == OP_SET_TEXT || kind == OP_APPEND_TEXT || kind == OP_COL ||
           kind == OP_TAP_COMMAND || kind == OP_TAP_CLIENT;
}

/* Kinds whose v is a pointer (else a blob offset, or a value). */
static gboolean kind_v_ptr(guint kind)
{
    return kind == OP_EXPERT || kind == OP_EXPERT_TAP || kind == OP_LINK || kind == OP_COMPACT ||
           kind == OP_CALL_DISSECTOR || kind == OP_STRING_STATIC;
}

static gint *id_base(pack_bases *b, guint kind)
{
    return kind == OP_SUBTREE ? &b->ett : kind_hf(kind) ? &b->hf : NULL;
}

/* Appends ops[from, to) with the blob they refer to; nodes are counted
 * back from each op, so a run packs the same wherever it starts. */
static void pack_ops(GByteArray *out, const smtp_op *ops, guint from, guint to,
                     const guint8 *blob)
{
    pack_bases b;
    memset(&b, 0, sizeof b);
    for (guint i = from; i < to; i++) {
        const smtp_op *o = &ops[i];
        guint kind = o->kind;
        gint node = (gint)o->node - NODE_BIAS;
        guint64 nodec = node >= 0 ? (guint64)(i - (guint)node) + 2 : (guint64)(-node - 1);
        guint8 mask = 0;
        if (o->tvb)
            mask |= M_TVB;
        if (nodec)
            mask |= M_NODE;
        if (kind_id_text(kind) ? o->id != NO_REF : o->id != 0)
            mask |= M_ID;
        if (o->off)
            mask |= M_OFF;
        if (o->len)
            mask |= M_LEN;
        if (kind_v_uint(kind) ? o->v.u != 0
            : kind_v_str(kind) ? o->v.ref != NO_REF
            : kind_v_ptr(kind) ? o->v.p != NULL
                               : TRUE)
            mask |= M_V;
        put_u(out, kind | (guint)mask << 5);
        if (mask & M_TVB)
            put_u(out, o->tvb);
        if (mask & M_NODE)
            put_u(out, nodec);
        if (mask & M_ID) {
            gint *base = id_base(&b, kind);
            if (kind_id_text(kind)) {
                put_str(out, (const char *)blob + o->id);
            } else if (base) {
                put_z(out, (gint64)o->id - *base);
                *base = o->id;
            } else {
                put_z(out, o->id);
            }
        }
        if (mask & M_OFF) {
            put_z(out, (gint64)o->off - b.off);
            b.off = o->off;
        }
        if (mask & M_LEN)
            put_z(out, o->len);
        if (!(mask & M_V))
            continue;
        if (kind_v_uint(kind)) {
            put_u(out, o->v.u);
            continue;
        }
        if (kind_v_str(kind)) {
            put_str(out, (const char *)blob + o->v.ref);
            continue;
        }
        switch ((smtp_op_kind)kind) {
        case OP_EXPERT:
        case OP_EXPERT_TAP:
        case OP_STRING_STATIC:
            put_static(out, o->v.p);
            break;
        case OP_LINK:
        case OP_COMPACT:
            put_near(out, &b, o->v.p);
            break;
        case OP_CALL_DISSECTOR:
            put_raw_ptr(out, o->v.h);
            break;
        case OP_TIME: {
            nstime_t t;
            memcpy(&t, blob + o->v.ref, sizeof t);
            put_z(out, (gint64)t.secs);
            put_z(out, t.nsecs);
            break;
        }
        case OP_LINE_FACTS: {
            mw_line l;
            memcpy(&l, blob + o->v.ref, sizeof l);
            put_u(out, l.len);
            put_u(out, l.eol_len);
            put_u(out, (guint64)l.eol);
            put_u(out, l.flags);
            break;
        }
        case OP_DATA_SOURCE:
            g_byte_array_append(out, blob + o->v.ref, (guint)o->len);
            break;
        case OP_TAP_REPLY: {
            smtp_op_reply r;
            memcpy(&r, blob + o->v.ref, sizeof r);
            put_static(out, r.verb);
            put_u(out, r.has_time ? 1 : 0);
            if (r.has_time) {
                put_z(out, (gint64)r.time.secs);
                put_z(out, r.time.nsecs);
            }
            break;
        }
        case OP_TAP_CREDENTIAL: {
            smtp_op_cred c;
            memcpy(&c, blob + o->v.ref, sizeof c);
            put_u(out, (c.mech ? 1u : 0u) | (c.user != NO_REF ? 2u : 0u));
            if (c.mech)
                put_static(out, c.mech);
            if (c.user != NO_REF)
                put_str(out, (const char *)blob + c.user);
            put_u(out, c.user_frame);
            break;
        }
        case OP_MESSAGE: {
            smtp_msg_view m;
            memcpy(&m, blob + o->v.ref, sizeof m);
            put_near(out, &b, m.kept);
            put_u(out, m.len);
            put_near(out, &b, m.txn);
            put_u(out, m.nrcpt);
            break;
        }
        case OP_HOOK:
            g_byte_array_append(out, blob + o->v.ref, sizeof(smtp_op_hook));
            break;
        default:
            break;
        }
    }
}

/* One op as render reads it back. */
typedef struct unpacked_op {
    guint kind;
    guint tvb;
    smtp_node node;
    int id;
    gint off, len;
    guint64 u;
    const void *p;            /* OP_EXPERT*: expert_field; OP_LINK, OP_COMPACT, OP_CALL_DISSECTOR */
    const char *s;            /* the op's string (NULL: none) */
    const char *text;         /* OP_EXPERT*, OP_DATA_SOURCE: its text (NULL: none) */
    const guint8 *bytes;      /* OP_DATA_SOURCE */
    nstime_t t;
    mw_line line;
    smtp_op_reply reply;
    smtp_msg_view msg;
    smtp_op_hook hook;
    guint32 user_frame;
} unpacked_op;

/* Reads op i at *in, moving *in past it. */
static void unpack_op(const guint8 **in, pack_bases *b, guint i, unpacked_op *d)
{
    memset(d, 0, sizeof *d);
    guint head = (guint)mw_varint_decode(in);
    guint kind = head & 31;
    guint mask = head >> 5;
    d->kind = kind;
    if (mask & M_TVB)
        d->tvb = (guint)mw_varint_decode(in);
    d->node = SMTP_NODE_NONE;
    if (mask & M_NODE) {
        guint64 c = mw_varint_decode(in);
        d->node = c > 2 ? (smtp_node)(i - (guint)(c - 2)) : -(smtp_node)c - 1;
    }
    if (mask & M_ID) {
        gint *base = id_base(b, kind);
        if (kind_id_text(kind)) {
            d->text = get_str(in);
        } else if (base) {
            d->id = *base + (int)get_z(in);
            *base = d->id;
        } else {
            d->id = (int)get_z(in);
        }
    }
    if (mask & M_OFF) {
        d->off = b->off + (gint)get_z(in);
        b->off = d->off;
    }
    if (mask & M_LEN)
        d->len = (gint)get_z(in);
    if (!(mask & M_V))
        return;
    if (kind_v_uint(kind)) {
        d->u = mw_varint_decode(in);
        return;
    }
    if (kind_v_str(kind)) {
        d->s = get_str(in);
        return;
    }
    switch ((smtp_op_kind)kind) {
    case OP_EXPERT:
    case OP_EXPERT_TAP:
        d->p = get_static(in);
        break;
    case OP_STRING_STATIC:
        d->s = (const char *)get_static(in);
        break;
    case OP_LINK:
    case OP_COMPACT:
        d->p = get_near(in, b);
        break;
    case OP_CALL_DISSECTOR:
        d->p = mw_ptr_decode(in);
        break;
    case OP_TIME:
        d->t.secs = (time_t)get_z(in);
        d->t.nsecs = (int)get_z(in);
        break;
    case OP_LINE_FACTS:
        d->line.len = (size_t)mw_varint_decode(in);
        d->line.eol_len = (size_t)mw_varint_decode(in);
        d->line.eol = (mw_eol)mw_varint_decode(in);
        d->line.flags = (unsigned)mw_varint_decode(in);
        break;
    case OP_DATA_SOURCE:
        d->bytes = *in;
        *in += d->len;
        break;
    case OP_TAP_REPLY:
        d->reply.verb = (const char *)get_static(in);
        d->reply.has_time = mw_varint_decode(in) != 0;
        if (d->reply.has_time) {
            d->reply.time.secs = (time_t)get_z(in);
            d->reply.time.nsecs = (int)get_z(in);
        }
        break;
    case OP_TAP_CREDENTIAL: {
        guint64 has = mw_varint_decode(in);
        if (has & 1)
            d->text = (const char *)get_static(in);
        if (has & 2)
            d->s = get_str(in);
        d->user_frame = (guint32)mw_varint_decode(in);
        break;
    }
    case OP_MESSAGE:
        d->msg.kept = (const struct mw_kept *)get_near(in, b);
        d->msg.len = (guint32)mw_varint_decode(in);
        d->msg.txn = (const struct smtp_txn *)get_near(in, b);
        d->msg.nrcpt = (guint32)mw_varint_decode(in);
        break;
    case OP_HOOK:
        memcpy(&d->hook, *in, sizeof d->hook);
        *in += sizeof d->hook;
        break;
    default:
        break;
    }
}

/* The call's ops packed into one block: from the arena for the file-scope
 * record (no per-chunk overhead), else from scope. */
static smtp_call_rec *record_finish_in(smtp_call *sc, wmem_allocator_t *scope)
{
    smtp_call_rec *r = NULL;
    guint n = sc->ops->len;
    if (n) {
        GByteArray *out = g_byte_array_sized_new(n * 8 + sc->blob->len + MW_VARINT_MAX);
        put_u(out, n);
        pack_ops(out, (const smtp_op *)sc->ops->data, 0, n, sc->blob->data);
        r = (smtp_call_rec *)(scope == wmem_file_scope() ? mw_arena_alloc0(out->len)
                                                        : wmem_alloc(scope, out->len));
        memcpy(r, out->data, out->len);
        g_byte_array_free(out, TRUE);
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
    if (i >= G_N_ELEMENTS(shows)) {
        DISSECTOR_ASSERT_NOT_REACHED();
        return 0;
    }
    shows[i] = show;
    return i;
}

/* A compact op: tvb holds the show's index, id the facts, off the first
 * line's offset, len the lines of the run, v.p the first line's record. */

/* Runs the n lines of a run as render would, recording into rc. */
static void replay_ops(mw_ctx *ctx, tvbuff_t *tvb, const smtp_show *show, guint32 facts,
                       gint off, gint n, const guint8 *rec, smtp_call *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->ctx = ctx;
    rc->pinfo = ctx->pinfo;
    rc->tree = SMTP_NODE_TREE;
    rc->run_op = -1;
    smtp_record_begin(rc, tvb);
    for (gint i = 0; i < n; i++) {
        gint left = tvb_reported_length_remaining(tvb, off);
        mw_line line;
        if (left <= 0 || !mw_line_scan(tvb_get_ptr(tvb, off, left), (size_t)left, 0, &line))
            break; /* cannot be: each line was found there on the first pass */
        show->fn(rc, tvb, off, &line, facts, rec);
        off += (gint)(line.len + line.eol_len);
        if (rec)
            rec += show->stride;
    }
}

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
        /* development check: the replay records what the first pass did
         * (packed alike: the same bytes are the same ops, texts included) */
        smtp_call rc;
        replay_ops(sc->ctx, tvb, show, facts, l->offset, 1, (const guint8 *)rec, &rc);
        GByteArray *was = g_byte_array_new(), *now = g_byte_array_new();
        pack_ops(was, (const smtp_op *)sc->ops->data, m.ops, sc->ops->len, sc->blob->data);
        pack_ops(now, (const smtp_op *)rc.ops->data, 0, rc.ops->len, rc.blob->data);
        gboolean same = was->len == now->len && !memcmp(was->data, now->data, was->len);
        g_byte_array_free(was, TRUE);
        g_byte_array_free(now, TRUE);
        g_array_free(rc.ops, TRUE);
        g_byte_array_free(rc.blob, TRUE);
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

static void render_credential(mw_ctx *ctx, const unpacked_op *d)
{
    const char *mech = d->text;
    mw_tap_user(ctx, d->s);
    mw_credentials_tap(&smtp_credentials, ctx->pinfo, d->s, d->user_frame, d->id,
                       wmem_strdup_printf(ctx->pinfo->pool, "AUTH %s", mech ? mech : "?"));
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
        mw_keep_show_dropped(t, tvb, ctx->pinfo, m->kept, m->len);
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
    const guint8 *in = (const guint8 *)rec;
    guint nops = (guint)mw_varint_decode(&in);
    proto_node **nodes = (proto_node **)wmem_alloc0(pinfo->pool, (nops + 1) * sizeof *nodes);
    tvbuff_t *tvbs[SMTP_MAX_TVBS];
    guint ntvbs = 1;
    tvbs[0] = tvb;
    pack_bases b;
    memset(&b, 0, sizeof b);
    unpacked_op op;
    const unpacked_op *o = &op;
#define NODE_(i) ((i) >= 0 ? nodes[i] : (i) == SMTP_NODE_TREE ? ctx->tree \
                 : (i) == SMTP_NODE_ROOT_ITEM ? ctx->root : NULL)
    for (guint i = 0; i < nops; i++) {
        unpack_op(&in, &b, i, &op);
        proto_node *n = NODE_(o->node);
        tvbuff_t *ot = tvbs[o->tvb < ntvbs ? o->tvb : 0];
        switch ((smtp_op_kind)o->kind) {
        case OP_ITEM:
            nodes[i] = proto_tree_add_item(n, o->id, ot, o->off, o->len, (guint)o->u);
            smtp_dropin_mirror(n, o->id, ot, o->off, o->len, 0, NULL);
            smtp_text_twin(pinfo, nodes[i], o->id, ot, o->off, o->len);
            break;
        case OP_UINT:
            nodes[i] = proto_tree_add_uint(n, o->id, ot, o->off, o->len, (guint32)o->u);
            smtp_dropin_mirror(n, o->id, ot, o->off, o->len, o->u, NULL);
            break;
        case OP_UINT64:
            nodes[i] = proto_tree_add_uint64(n, o->id, ot, o->off, o->len, o->u);
            break;
        case OP_STRING:
        case OP_STRING_STATIC:
            nodes[i] = proto_tree_add_string(n, o->id, ot, o->off, o->len, o->s);
            smtp_dropin_mirror(n, o->id, ot, o->off, o->len, 0, o->s);
            break;
        case OP_BOOLEAN:
            nodes[i] = proto_tree_add_boolean(n, o->id, ot, o->off, o->len, (guint32)o->u);
            break;
        case OP_TIME:
            nodes[i] = proto_tree_add_time(n, o->id, ot, o->off, o->len, &o->t);
            break;
        case OP_LINK: {
            const guint32 *frame = (const guint32 *)o->p;
            if (frame && *frame) {
                nodes[i] = proto_tree_add_uint(n, o->id, ot, o->off, o->len, *frame);
                proto_item_set_generated(nodes[i]);
            }
            break;
        }
        case OP_SUBTREE:
            nodes[i] = n ? proto_item_add_subtree(n, o->id) : NULL;
            break;
        case OP_SET_TEXT:
            if (n)
                proto_item_set_text(n, "%s", o->s);
            break;
        case OP_APPEND_TEXT:
            if (n)
                proto_item_append_text(n, "%s", o->s);
            break;
        case OP_DATA_TEXTS:
            if (n)
                proto_item_set_text(n, "Message data: %d bytes", o->len);
            if (o->id)
                col_append_sep_fstr(pinfo->cinfo, COL_INFO, " | ", "C: message data, %d bytes",
                                    o->len);
            break;
        case OP_MESSAGE_TEXTS:
            if (n)
                proto_item_set_text(n, "Message (%u bytes%s)", (guint)o->u,
                                    o->id ? ", from BDAT chunks" : ", unstuffed");
            col_append_sep_fstr(pinfo->cinfo, COL_INFO, " | ", "C: end of message, %u bytes",
                                (guint)o->u);
            break;
        case OP_BDAT_TEXTS:
            if (n)
                proto_item_set_text(n, "BDAT chunk data: %d bytes (%" G_GUINT64_FORMAT
                                    " still to come)", o->len, o->u);
            col_append_sep_fstr(pinfo->cinfo, COL_INFO, " | ", "C: BDAT chunk, %d bytes",
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
            if (o->text)
                mw_expert_format(pinfo, n, (expert_field *)o->p, "%s", o->text);
            else
                mw_expert(pinfo, n, (expert_field *)o->p);
            break;
        case OP_EXPERT:
            if (o->text)
                expert_add_info_format(pinfo, n, (expert_field *)o->p, "%s", o->text);
            else
                expert_add_info(pinfo, n, (expert_field *)o->p);
            break;
        case OP_COL:
            col_append_sep_str(pinfo->cinfo, COL_INFO, " | ", o->s);
            break;
        case OP_LINE_FACTS: {
            mw_line_at l;
            memset(&l, 0, sizeof l);
            l.offset = o->off;
            l.line = o->line;
            l.fragment = o->len != 0;
            mw_add_line_facts(ctx, n, ot, &l);
            break;
        }
        case OP_DATA_SOURCE: {
            tvbuff_t *d = tvb_new_child_real_data(ot, o->bytes, (guint)o->len, o->len);
            add_new_data_source(pinfo, d, o->text);
            if (ntvbs < SMTP_MAX_TVBS)
                tvbs[ntvbs++] = d;
            break;
        }
        case OP_CALL_DISSECTOR:
            call_dissector((dissector_handle_t)o->p, ot, pinfo, n);
            break;
        case OP_TAP_CLIENT:
            mw_tap_client(ctx, o->s);
            break;
        case OP_TAP_COMMAND:
            mw_tap_command(ctx, o->s);
            break;
        case OP_TAP_REPLY:
            mw_tap_reply(ctx, o->reply.verb, NULL, (guint)o->id,
                         o->reply.has_time ? &o->reply.time : NULL);
            break;
        case OP_TAP_CREDENTIAL:
            render_credential(ctx, o);
            break;
        case OP_MESSAGE:
            render_message(ctx, tvb, n, &o->msg);
            break;
        case OP_HOOK:
            if (o->hook.fn)
                o->hook.fn(ctx, tvb, n, o->hook.data);
            break;
        case OP_COMPACT:
            if (o->tvb < G_N_ELEMENTS(shows) && shows[o->tvb]) {
                smtp_call rc;
                replay_ops(ctx, tvb, shows[o->tvb], (guint32)o->id, o->off, o->len,
                           (const guint8 *)o->p, &rc);
                smtp_call_rec *r = record_finish_in(&rc, pinfo->pool);
                if (r) {
                    smtp_render_record(ctx, tvb, r);
                    wmem_free(pinfo->pool, r);
                }
            }
            break;
        }
    }
#undef NODE_
}

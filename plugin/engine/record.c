/* The per-call store: see engine/record.h.  A frame's calls are one
 * file-scope proto data entry of the frame under the protocol's id (key
 * KEY_FRAME_CALLS): its only call, or a list of them; the per-pass counters
 * are packet-scope proto data (keys 0 and 1 of that list). */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto_data.h>

#include "engine/heap.h"
#include "engine/record.h"

#define KEY_CALLS 0
#define KEY_TCP 1
/* file scope */
#define KEY_FRAME_CALLS 1
/* file scope, beside the calls (keys index + 1) */
#define KEY_WITHHELD G_MAXUINT32

/* One is kept per call: rarer facts belong in mw_call_side. */
G_STATIC_ASSERT(sizeof(mw_call) <= 32);

mw_call *mw_call_new(int dir, guint8 kind)
{
    mw_call *c = mw_arena_new0(mw_call);
    c->dir = (guint8)dir;
    c->kind = kind;
    return c;
}

mw_call_side *mw_call_side_get(mw_call *call)
{
    mw_call_side *side = mw_call_sideq(call);
    if (!side) {
        side = mw_arena_new0(mw_call_side);
        side->data = call->ptr; /* the record moves to the side */
        call->ptr = side;
        call->flags |= MW_CF_SIDE;
    }
    return side;
}

mw_call_x *mw_call_x_get(mw_call *call)
{
    mw_call_side *side = mw_call_side_get(call);
    if (!side->x)
        side->x = mw_arena_new0(mw_call_x);
    return side->x;
}

gboolean mw_record_unvisited(packet_info *pinfo)
{
    return !PINFO_FD_VISITED(pinfo);
}

guint mw_record_next_index(const mw_stream_proto *sp, packet_info *pinfo)
{
    guint n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, *sp->proto, KEY_CALLS));
    p_add_proto_data(pinfo->pool, pinfo, *sp->proto, KEY_CALLS, GUINT_TO_POINTER(n + 1));
    return n;
}

gboolean mw_record_had_call(const mw_stream_proto *sp, packet_info *pinfo)
{
    return p_get_proto_data(pinfo->pool, pinfo, *sp->proto, KEY_CALLS) != NULL;
}

void mw_record_mark_tcp(const mw_stream_proto *sp, packet_info *pinfo)
{
    p_add_proto_data(pinfo->pool, pinfo, *sp->proto, KEY_TCP, GUINT_TO_POINTER(1));
}

gboolean mw_record_had_tcp(const mw_stream_proto *sp, packet_info *pinfo)
{
    return p_get_proto_data(pinfo->pool, pinfo, *sp->proto, KEY_TCP) != NULL;
}

/* The calls of a frame that has more than one.  The entry's value is the
 * only call itself when there is one (most frames), else this list with the
 * pointer's low bit set (records are aligned, so that bit is free). */
typedef struct mw_frame_calls {
    guint n, cap;
    mw_call *c[];
} mw_frame_calls;

#define IS_LIST(v) ((GPOINTER_TO_SIZE(v) & 1) != 0)
#define AS_LIST(v) ((mw_frame_calls *)(GPOINTER_TO_SIZE(v) & ~(gsize)1))

mw_call *mw_record_get(const mw_stream_proto *sp, packet_info *pinfo, guint index)
{
    void *v = p_get_proto_data(wmem_file_scope(), pinfo, *sp->proto, KEY_FRAME_CALLS);
    if (!v)
        return NULL;
    if (!IS_LIST(v))
        return index == 0 ? (mw_call *)v : NULL;
    const mw_frame_calls *l = AS_LIST(v);
    return index < l->n ? l->c[index] : NULL;
}

void mw_record_put(const mw_stream_proto *sp, packet_info *pinfo, guint index, mw_call *call)
{
    void *v = p_get_proto_data(wmem_file_scope(), pinfo, *sp->proto, KEY_FRAME_CALLS);
    if (!v && index == 0) {
        p_add_proto_data(wmem_file_scope(), pinfo, *sp->proto, KEY_FRAME_CALLS, call);
        return;
    }
    DISSECTOR_ASSERT(((gsize)call & 1) == 0);
    mw_frame_calls *l;
    if (!v || !IS_LIST(v)) {
        l = (mw_frame_calls *)wmem_alloc(wmem_file_scope(), sizeof *l + 4 * sizeof(mw_call *));
        l->cap = 4;
        l->n = v ? 1 : 0;
        l->c[0] = (mw_call *)v;
    } else {
        l = AS_LIST(v);
    }
    if (index >= l->cap) {
        guint cap = l->cap;
        while (index >= cap)
            cap *= 2;
        l = (mw_frame_calls *)wmem_realloc(wmem_file_scope(), l, sizeof *l + cap * sizeof(mw_call *));
        l->cap = cap;
    }
    while (l->n < index)
        l->c[l->n++] = NULL;
    l->c[index] = call;
    if (index >= l->n)
        l->n = index + 1;
    void *tagged = GSIZE_TO_POINTER(GPOINTER_TO_SIZE(l) | 1);
    if (tagged != v)
        p_set_proto_data(wmem_file_scope(), pinfo, *sp->proto, KEY_FRAME_CALLS, tagged);
}

void mw_record_add_derived(mw_ctx *ctx, int proto, guint32 tag, void *data)
{
    /* render (and any later pass) must not compute results again */
    DISSECTOR_ASSERT(ctx->state != NULL);
    wmem_array_t *list = (wmem_array_t *)p_get_proto_data(wmem_file_scope(), ctx->pinfo, proto, tag);
    if (!list) {
        list = wmem_array_sized_new(wmem_file_scope(), sizeof(void *), 1);
        p_add_proto_data(wmem_file_scope(), ctx->pinfo, proto, tag, list);
    }
    wmem_array_append_one(list, data);
}

guint mw_record_derived_count(packet_info *pinfo, int proto, guint32 tag)
{
    wmem_array_t *list = (wmem_array_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto, tag);
    return list ? wmem_array_get_count(list) : 0;
}

void *mw_record_derived(packet_info *pinfo, int proto, guint32 tag, guint i)
{
    wmem_array_t *list = (wmem_array_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto, tag);
    return list && i < wmem_array_get_count(list) ? *(void **)wmem_array_index(list, i) : NULL;
}

void mw_record_put_withheld(const mw_stream_proto *sp, packet_info *pinfo, gint start, gint len,
                            guint32 seq)
{
    mw_withheld_at *at = wmem_new(wmem_file_scope(), mw_withheld_at);
    at->start = start;
    at->len = len;
    at->seq = seq;
    p_add_proto_data(wmem_file_scope(), pinfo, *sp->proto, KEY_WITHHELD, at);
}

const mw_withheld_at *mw_record_get_withheld(const mw_stream_proto *sp, packet_info *pinfo)
{
    return (const mw_withheld_at *)p_get_proto_data(wmem_file_scope(), pinfo, *sp->proto,
                                                    KEY_WITHHELD);
}

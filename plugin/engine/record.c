/* The per-call store: see engine/record.h.  A frame's calls are one entry
 * of the protocol's frame index (below): its only call, or a list of them;
 * the per-pass counters are packet-scope proto data (keys 0 and 1 of that
 * list). */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto_data.h>

#include "compat.h"
#include "engine/heap.h"
#include "engine/record.h"

#define KEY_CALLS 0
#define KEY_TCP 1
/* file scope */
#define KEY_WITHHELD G_MAXUINT32

/* ---- the frame index ----
 * Per protocol, the frames that have calls, in the order the first pass
 * met them (frame numbers only grow there), each with its value: 12 bytes
 * a frame in fixed chunks, found by binary search.  A file-scope proto data
 * entry would cost a list node, an entry and the allocator's header (some
 * 50 bytes) for every frame of a mail session.  A frame added out of order
 * (not on a first pass in capture order) goes to a hash table instead. */
#define INDEX_CHUNK 4096u
typedef struct index_chunk {
    guint32 frame[INDEX_CHUNK];
    void *v[INDEX_CHUNK];
} index_chunk;

typedef struct frame_index {
    int proto;
    index_chunk **chunks;
    guint nchunks, cap_chunks;
    guint used;             /* entries in the last chunk */
    GHashTable *strays;     /* frame -> value, frames added out of order */
} frame_index;

#define MAX_INDEXES 4
static frame_index indexes[MAX_INDEXES];
static gboolean indexes_registered;

static mw_wmem_cb_bool free_indexes(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_,
                                     void *user_data _U_)
{
    for (guint i = 0; i < MAX_INDEXES; i++) {
        frame_index *fi = &indexes[i];
        for (guint c = 0; c < fi->nchunks; c++)
            g_free(fi->chunks[c]);
        g_free(fi->chunks);
        if (fi->strays)
            g_hash_table_destroy(fi->strays);
        memset(fi, 0, sizeof *fi);
    }
    indexes_registered = FALSE;
    return FALSE; /* registered again with the next capture's first entry */
}

/* The protocol's index (NULL: none yet and create FALSE). */
static frame_index *index_of(int proto, gboolean create)
{
    for (guint i = 0; i < MAX_INDEXES; i++) {
        if (indexes[i].chunks && indexes[i].proto == proto)
            return &indexes[i];
    }
    if (!create)
        return NULL;
    for (guint i = 0; i < MAX_INDEXES; i++) {
        if (!indexes[i].chunks) {
            if (!indexes_registered) {
                wmem_register_callback(wmem_file_scope(), free_indexes, NULL);
                indexes_registered = TRUE;
            }
            frame_index *fi = &indexes[i];
            fi->proto = proto;
            fi->cap_chunks = 16;
            fi->chunks = g_new(index_chunk *, fi->cap_chunks);
            fi->chunks[0] = g_new(index_chunk, 1);
            fi->nchunks = 1;
            fi->used = 0;
            return fi;
        }
    }
    DISSECTOR_ASSERT_NOT_REACHED();
    return NULL;
}

static guint32 last_frame(const frame_index *fi)
{
    return fi->used ? fi->chunks[fi->nchunks - 1]->frame[fi->used - 1] : 0;
}

/* The slot of frame's value (NULL: the frame has none). */
static void **index_slot(frame_index *fi, guint32 frame)
{
    if (!fi)
        return NULL;
    if (fi->strays) {
        void **v = (void **)g_hash_table_lookup(fi->strays, GUINT_TO_POINTER(frame));
        if (v)
            return v;
    }
    if (!fi->used || frame > last_frame(fi))
        return NULL;
    /* the last chunk whose first frame is not after frame */
    guint lo = 0, hi = fi->nchunks;
    while (hi - lo > 1) {
        guint mid = lo + (hi - lo) / 2;
        if (fi->chunks[mid]->frame[0] <= frame)
            lo = mid;
        else
            hi = mid;
    }
    index_chunk *c = fi->chunks[lo];
    guint n = lo == fi->nchunks - 1 ? fi->used : INDEX_CHUNK;
    guint a = 0, b = n;
    while (a < b) {
        guint mid = a + (b - a) / 2;
        if (c->frame[mid] < frame)
            a = mid + 1;
        else
            b = mid;
    }
    return a < n && c->frame[a] == frame ? &c->v[a] : NULL;
}

/* Frame (which has no value yet) gets v. */
static void index_add(frame_index *fi, guint32 frame, void *v)
{
    if (fi->used && frame <= last_frame(fi)) {
        if (!fi->strays)
            fi->strays = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        void **slot = g_new(void *, 1);
        *slot = v;
        g_hash_table_insert(fi->strays, GUINT_TO_POINTER(frame), slot);
        return;
    }
    if (fi->used == INDEX_CHUNK) {
        if (fi->nchunks == fi->cap_chunks) {
            fi->cap_chunks *= 2;
            fi->chunks = g_renew(index_chunk *, fi->chunks, fi->cap_chunks);
        }
        fi->chunks[fi->nchunks++] = g_new(index_chunk, 1);
        fi->used = 0;
    }
    index_chunk *c = fi->chunks[fi->nchunks - 1];
    c->frame[fi->used] = frame;
    c->v[fi->used] = v;
    fi->used++;
}

/* One is kept per call: rarer facts belong in mw_call_side. */
G_STATIC_ASSERT(sizeof(mw_call) <= 24);

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

void mw_call_set_skip(mw_call *call, guint32 skip)
{
    if (skip || mw_call_sideq(call))
        mw_call_side_get(call)->skip = skip;
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
    /* A frame's first visit has no records yet.  tshark -2 -R drops the
     * frames its read filter rejects on the first pass and gives the next
     * frame the same number: what is stored under that number is the
     * dropped frame's, not this one's. */
    if (!PINFO_FD_VISITED(pinfo))
        return NULL;
    void **slot = index_slot(index_of(*sp->proto, FALSE), pinfo->num);
    void *v = slot ? *slot : NULL;
    if (!v)
        return NULL;
    if (!IS_LIST(v))
        return index == 0 ? (mw_call *)v : NULL;
    const mw_frame_calls *l = AS_LIST(v);
    return index < l->n ? l->c[index] : NULL;
}

void mw_record_put(const mw_stream_proto *sp, packet_info *pinfo, guint index, mw_call *call)
{
    frame_index *fi = index_of(*sp->proto, TRUE);
    void **slot = index_slot(fi, pinfo->num);
    void *v = slot ? *slot : NULL;
    if (index == 0 && !PINFO_FD_VISITED(pinfo))
        v = NULL; /* a dropped frame's (see mw_record_get) */
    if (!v && index == 0) {
        if (slot)
            *slot = call;
        else
            index_add(fi, pinfo->num, call);
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
    if (slot)
        *slot = tagged;
    else
        index_add(fi, pinfo->num, tagged);
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

/* Placement of TCP segments by sequence number: see engine/order.h.
 *
 * Each direction has a front (flow->next): the first position not yet
 * placed.  A segment's bytes before the front are a second copy (compared
 * with the first while it is in the window); bytes at the front are placed
 * at once; bytes past it wait, as file-scope copies in a sequence ordered by
 * position, until the hole before them fills or the bounds of flow.h take the
 * hole as missing.  Waiting segments never overlap: a later copy of waiting
 * bytes is compared with them and adds nothing. */
#include <wireshark.h>

#include "engine/order.h"
#include "engine/heap.h"

typedef struct mw_held {
    gint64 off;
    guint len;
    const guint8 *bytes;
    guint32 frame;
    mw_call *call;
} mw_held;

static gint held_cmp(gconstpointer a, gconstpointer b, gpointer user _U_)
{
    gint64 x = ((const mw_held *)a)->off, y = ((const mw_held *)b)->off;
    return x < y ? -1 : x > y;
}

static mw_wmem_cb_bool free_held(wmem_allocator_t *allocator _U_, wmem_cb_event_t event _U_, void *data)
{
    g_sequence_free((GSequence *)data);
    return FALSE;
}

static GSequence *held_seq(mw_flow *flow)
{
    if (!flow->held) {
        flow->held = g_sequence_new(NULL);
        wmem_register_callback(wmem_file_scope(), free_held, flow->held);
    }
    return (GSequence *)flow->held;
}

static mw_held *first_held(const mw_flow *flow)
{
    GSequence *q = (GSequence *)flow->held;
    if (!q || g_sequence_is_empty(q))
        return NULL;
    return (mw_held *)g_sequence_get(g_sequence_get_begin_iter(q));
}

static gint64 pos_of(const mw_flow *flow, guint32 seq)
{
    guint32 at_next = flow->base_seq + (guint32)flow->next;
    return flow->next + (gint32)(seq - at_next);
}

static void start_flow(mw_flow *flow, const mw_seq_start *start, guint32 seq)
{
    if (flow->seq_known)
        return;
    flow->seq_known = TRUE;
    flow->base_seq = start && start->known ? start->seq0 : seq;
    flow->next = 0;
}

/* ---- the comparison window ---- */

static void win_copy_in(mw_window *w, gint64 pos, const guint8 *p, guint n)
{
    while (n) {
        guint at = (guint)(pos & (gint64)(w->cap - 1));
        guint run = MIN(n, w->cap - at);
        memcpy(w->bytes + at, p, run);
        p += run;
        pos += run;
        n -= run;
    }
}

/* Bytes p[0..n) placed at position pos (== flow->next), from frame. */
static void win_put(mw_flow *flow, gint64 pos, const guint8 *p, guint n, guint32 frame)
{
    if (!n)
        return;
    if (!flow->win)
        flow->win = wmem_new0(wmem_file_scope(), mw_window);
    mw_window *w = flow->win;
    w->recent_i = (w->recent_i + 1) % MW_RECENT;
    w->recent_start[w->recent_i] = pos;
    w->recent_end[w->recent_i] = pos + n;
    w->recent_frame[w->recent_i] = frame;
    if (n > MW_COMPARE_WINDOW) {
        p += n - MW_COMPARE_WINDOW;
        pos += n - MW_COMPARE_WINDOW;
        n = MW_COMPARE_WINDOW;
    }
    guint need = MIN(w->len + n, MW_COMPARE_WINDOW);
    if (need > w->cap) {
        guint cap = w->cap ? w->cap : 512;
        while (cap < need)
            cap *= 2;
        guint8 *nb = (guint8 *)mw_heap_realloc(NULL, cap);
        mw_window grown = *w;
        grown.bytes = nb;
        grown.cap = cap;
        /* the old ring's bytes, in at most two runs */
        for (gint64 q = pos - w->len; q < pos;) {
            guint at = (guint)(q & (gint64)(w->cap - 1));
            guint run = (guint)MIN((gint64)(w->cap - at), pos - q);
            win_copy_in(&grown, q, w->bytes + at, run);
            q += run;
        }
        mw_heap_free(w->bytes);
        *w = grown;
    }
    win_copy_in(w, pos, p, n);
    w->len = MIN(w->len + n, w->cap);
}

static void win_reset(mw_flow *flow)
{
    if (flow->win)
        flow->win->len = 0;
}

/* The frame that placed position pos, while it is among the recent ones. */
static guint32 recent_frame(const mw_flow *flow, gint64 pos)
{
    const mw_window *w = flow->win;
    guint32 frame = 0;
    gint64 best = G_MAXINT64;
    if (!w)
        return 0;
    for (guint i = 0; i < MW_RECENT; i++) {
        /* only a delivery that held pos: an older one may have left the ring */
        if (w->recent_frame[i] && w->recent_start[i] <= pos && w->recent_end[i] > pos &&
            w->recent_end[i] < best) {
            best = w->recent_end[i];
            frame = w->recent_frame[i];
        }
    }
    return frame;
}

static void note_conflict(mw_flow *flow, mw_call *call, guint at, guint len, gint64 pos,
                          guint32 first_frame)
{
    mw_call_x *x = mw_call_x_get(call);
    guint64 off = (guint64)(flow->place_delta + pos);
    if (!x->conflict_len) {
        x->conflict_at = at;
        x->conflict_len = len;
        x->conflict_off = off;
        x->conflict_frame = first_frame;
        return;
    }
    guint end = MAX(x->conflict_at + x->conflict_len, at + len);
    if (at < x->conflict_at) {
        x->conflict_off = off;
        x->conflict_at = at;
    }
    x->conflict_len = end - x->conflict_at;
}



/* Positions [s, e) before the front, bytes p (p[0] at segpos). */
static void classify_repeat(mw_flow *flow, mw_call *call, const guint8 *p, gint64 segpos, gint64 s,
                            gint64 e)
{
    mw_call_x *x = mw_call_x_get(call);
    x->rep_len = (guint)(e - segpos);
    gboolean missing = s < 0;
    const mw_lost *l = flow->lost;
    for (guint i = 0; l && i < MW_LOST_RANGES && !missing; i++)
        if (l->to[i] > l->from[i] && s < l->to[i] && e > l->from[i])
            missing = TRUE;
    if (missing) {
        x->repeat = MW_REPEAT_MISSING;
        return;
    }
    x->repeat = MW_REPEAT_DISSECTED;
    x->first_frame = recent_frame(flow, s);
    const mw_window *w = flow->win;
    /* bytes before the window's start are not compared: say so */
    gint64 held_from = w ? flow->next - (gint64)w->len : flow->next;
    if (s < held_from)
        x->uncompared = (guint)(MIN(e, held_from) - s);
    if (!w || !w->len)
        return;
    gint64 a = MAX(s, held_from), first = -1, last = -1;
    for (gint64 q = a; q < e; q++) {
        if (p[q - segpos] != w->bytes[q & (gint64)(w->cap - 1)]) {
            if (first < 0)
                first = q;
            last = q;
        }
    }
    if (first >= 0)
        note_conflict(flow, call, (guint)(first - segpos), (guint)(last - first + 1), first,
                      recent_frame(flow, first));
}

/* Positions [a, b) of the segment repeat those of waiting segment h. */
static void compare_held(mw_flow *flow, mw_call *call, const mw_held *h, const guint8 *p,
                         gint64 segpos, gint64 a, gint64 b)
{
    gint64 first = -1, last = -1;
    for (gint64 q = a; q < b; q++) {
        if (p[q - segpos] != h->bytes[q - h->off]) {
            if (first < 0)
                first = q;
            last = q;
        }
    }
    if (first >= 0) {
        note_conflict(flow, call, (guint)(first - segpos), (guint)(last - first + 1), first, h->frame);
        return;
    }
    mw_call_x *x = mw_call_x_get(call);
    if (x->repeat == MW_REPEAT_NONE) {
        x->repeat = MW_REPEAT_HELD;
        x->dup_of = h->call;
    }
}

static mw_held *new_held(const guint8 *p, gint64 segpos, gint64 a, gint64 b, guint32 frame,
                         mw_call *call)
{
    mw_held *h = wmem_new(wmem_file_scope(), mw_held);
    h->off = a;
    h->len = (guint)(b - a);
    h->bytes = (const guint8 *)wmem_memdup(wmem_file_scope(), p + (a - segpos), h->len);
    h->frame = frame;
    h->call = call;
    return h;
}

/* Keep positions [s, e) (all past the front) until the hole before them
 * fills.  Returns the number of bytes that were not waiting already. */
static guint64 insert_held(mw_flow *flow, mw_call *call, const guint8 *p, gint64 segpos, gint64 s,
                           gint64 e, guint32 frame)
{
    GSequence *q = held_seq(flow);
    mw_held key;
    key.off = s;
    GSequenceIter *it = g_sequence_search(q, &key, held_cmp, NULL);
    gint64 cur = s;
    guint64 added = 0;
    if (!g_sequence_iter_is_begin(it)) {
        mw_held *h = (mw_held *)g_sequence_get(g_sequence_iter_prev(it));
        if (h->off + h->len > cur) {
            gint64 oe = MIN(e, h->off + (gint64)h->len);
            compare_held(flow, call, h, p, segpos, cur, oe);
            cur = oe;
        }
    }
    while (cur < e && !g_sequence_iter_is_end(it)) {
        mw_held *h = (mw_held *)g_sequence_get(it);
        if (h->off >= e)
            break;
        if (h->off > cur) {
            g_sequence_insert_before(it, new_held(p, segpos, cur, h->off, frame, call));
            added += (guint64)(h->off - cur);
        }
        gint64 oe = MIN(e, h->off + (gint64)h->len);
        compare_held(flow, call, h, p, segpos, h->off, oe);
        cur = oe;
        it = g_sequence_iter_next(it);
    }
    if (cur < e) {
        g_sequence_insert_before(it, new_held(p, segpos, cur, e, frame, call));
        added += (guint64)(e - cur);
    }
    if (e > flow->held_end)
        flow->held_end = e;
    return added;
}

/* Place the waiting bytes now at the front, as pieces of call. */
static void drain(mw_flow *flow, mw_call *call, guint32 frame)
{
    GSequence *q = (GSequence *)flow->held;
    if (!q)
        return;
    GArray *pieces = NULL;
    while (!g_sequence_is_empty(q)) {
        GSequenceIter *it = g_sequence_get_begin_iter(q);
        mw_held *h = (mw_held *)g_sequence_get(it);
        if (h->off > flow->next)
            break;
        gint64 end = h->off + (gint64)h->len;
        if (end > flow->next) {
            guint from = (guint)(flow->next - h->off);
            mw_piece piece = {h->bytes + from, h->len - from};
            if (!pieces)
                pieces = g_array_new(FALSE, FALSE, sizeof(mw_piece));
            g_array_append_val(pieces, piece);
            win_put(flow, flow->next, piece.bytes, piece.len, h->frame);
            flow->next = end;
            if (h->call && h->call != call) {
                mw_call_x *hx = mw_call_x_get(h->call);
                if (!hx->released_in)
                    hx->released_in = frame;
            }
        }
        g_sequence_remove(it);
    }
    if (g_sequence_is_empty(q))
        flow->held_end = flow->next;
    if (pieces) {
        mw_call_x *x = mw_call_x_get(call);
        guint n = x->npieces + pieces->len;
        mw_piece *all = wmem_alloc_array(wmem_file_scope(), mw_piece, n);
        if (x->npieces)
            memcpy(all, x->pieces, x->npieces * sizeof(mw_piece));
        memcpy(all + x->npieces, pieces->data, pieces->len * sizeof(mw_piece));
        x->pieces = all;
        x->npieces = n;
        g_array_free(pieces, TRUE);
    }
}

static gboolean over_bounds(const mw_flow *flow)
{
    gint64 span = flow->held_end - flow->next;
    if (span >= (gint64)MW_HOLD_MAX)
        return TRUE;
    if (span < (gint64)MW_HOLD_WINDOW)
        return FALSE;
    /* the receiver lacks the hole too: a retransmission will come */
    if (flow->ack_known && pos_of(flow, flow->peer_ack) <= flow->next)
        return FALSE;
    return TRUE;
}

/* The hole from the front to position to is taken as missing: call c says
 * how many bytes, and later copies of them are known never dissected. */
static void skip_hole(mw_flow *flow, mw_call *c, gint64 to)
{
    if (to <= flow->next)
        return;
    gint64 gap = to - flow->next;
    mw_call_x_get(c)->lost = gap > (gint64)G_MAXUINT32 ? G_MAXUINT32 : (guint32)gap;
    if (!flow->lost)
        flow->lost = mw_arena_new0(mw_lost);
    mw_lost *l = flow->lost;
    l->i = (l->i + 1) % MW_LOST_RANGES;
    l->from[l->i] = flow->next;
    l->to[l->i] = to;
    flow->next = to;
    win_reset(flow);
}

/* Take the hole before the first waiting bytes as missing, and place them. */
static mw_call *release_after_hole(mw_flow *flow, int dir, guint32 frame)
{
    mw_held *h = first_held(flow);
    mw_call *c = mw_call_new(dir, MW_CALL_DATA);
    skip_hole(flow, c, h->off);
    drain(flow, c, frame);
    return c;
}

void mw_order_place(mw_flow *flow, int dir, const mw_seq_start *start, tvbuff_t *tvb, guint32 seq,
                    guint32 frame, GPtrArray *calls)
{
    guint len = tvb_reported_length(tvb);
    mw_call *seg = mw_call_new(dir, MW_CALL_DATA);
    g_ptr_array_add(calls, seg);
    if (len == 0)
        return;
    const guint8 *p = tvb_get_ptr(tvb, 0, len);
    start_flow(flow, start, seq);
    flow->place_delta = (gint64)flow->offset - flow->next;
    gint64 segpos = pos_of(flow, seq), s = segpos, e = segpos + len;
    if (s < flow->next) {
        gint64 re = MIN(e, flow->next);
        classify_repeat(flow, seg, p, segpos, s, re);
        s = re;
    }
    if (s >= e) {
        seg->kind = MW_CALL_REPEAT;
    } else if (s == flow->next) {
        gint64 lim = e;
        mw_held *h0 = first_held(flow);
        if (h0 && h0->off < lim)
            lim = h0->off;
        mw_call_set_skip(seg, (guint32)(s - segpos));
        seg->own_len = (guint32)(lim - s);
        flow->other_owner = FALSE;
        win_put(flow, s, p + (s - segpos), seg->own_len, frame);
        flow->next = lim;
        if (lim < e)
            insert_held(flow, seg, p, segpos, lim, e, frame);
        drain(flow, seg, frame);
    } else {
        seg->kind = insert_held(flow, seg, p, segpos, s, e, frame) ? MW_CALL_HELD : MW_CALL_REPEAT;
    }
    while (first_held(flow) && over_bounds(flow))
        g_ptr_array_add(calls, release_after_hole(flow, dir, frame));
}

void mw_order_consumed(mw_flow *flow, const mw_seq_start *start, guint32 seq, guint len)
{
    if (!len)
        return;
    start_flow(flow, start, seq);
    gint64 e = pos_of(flow, seq) + len;
    if (e <= flow->next)
        return;
    flow->next = e;
    flow->other_owner = TRUE;
    win_reset(flow);
    /* waiting bytes now behind the front were another dissector's too */
    GSequence *q = (GSequence *)flow->held;
    while (q && !g_sequence_is_empty(q)) {
        GSequenceIter *it = g_sequence_get_begin_iter(q);
        mw_held *h = (mw_held *)g_sequence_get(it);
        if (h->off + (gint64)h->len > flow->next)
            break;
        g_sequence_remove(it);
    }
}

void mw_order_ack(mw_flow *flow, guint32 ack)
{
    if (!flow->ack_known || (gint32)(ack - flow->peer_ack) > 0) {
        flow->peer_ack = ack;
        flow->ack_known = TRUE;
    }
}

guint32 mw_order_held_frame(const mw_flow *flow)
{
    GSequence *q = (GSequence *)flow->held;
    guint32 frame = 0;
    if (!q)
        return 0;
    for (GSequenceIter *it = g_sequence_get_begin_iter(q); !g_sequence_iter_is_end(it);
         it = g_sequence_iter_next(it)) {
        const mw_held *h = (const mw_held *)g_sequence_get(it);
        if (!frame || h->frame < frame)
            frame = h->frame;
    }
    return frame;
}

guint32 mw_order_next_frame(const mw_flow *flow)
{
    const mw_held *h = first_held(flow);
    return h ? h->frame : 0;
}

mw_call *mw_order_release_one(mw_flow *flow, int dir, guint32 frame)
{
    mw_held *h = first_held(flow);
    if (!h)
        return NULL;
    mw_call *c = mw_call_new(dir, MW_CALL_DATA);
    skip_hole(flow, c, h->off);
    /* the first waiting segment's bytes only, so that the two directions
     * can be interleaved in capture order */
    guint32 from = h->frame;
    GSequence *q = (GSequence *)flow->held;
    GArray *pieces = g_array_new(FALSE, FALSE, sizeof(mw_piece));
    while (!g_sequence_is_empty(q)) {
        GSequenceIter *it = g_sequence_get_begin_iter(q);
        h = (mw_held *)g_sequence_get(it);
        if (h->off != flow->next || h->frame != from)
            break;
        mw_piece piece = {h->bytes, h->len};
        g_array_append_val(pieces, piece);
        win_put(flow, flow->next, h->bytes, h->len, h->frame);
        flow->next += h->len;
        if (h->call) {
            mw_call_x *hx = mw_call_x_get(h->call);
            if (!hx->released_in)
                hx->released_in = frame;
        }
        g_sequence_remove(it);
    }
    if (g_sequence_is_empty(q))
        flow->held_end = flow->next;
    mw_call_x *x = mw_call_x_get(c);
    x->npieces = pieces->len;
    x->pieces = (mw_piece *)wmem_memdup(wmem_file_scope(), pieces->data, pieces->len * sizeof(mw_piece));
    g_array_free(pieces, TRUE);
    return c;
}

void mw_order_close(mw_flow *flow)
{
    if (!flow->win)
        return;
    mw_heap_free(flow->win->bytes);
    wmem_free(wmem_file_scope(), flow->win);
    flow->win = NULL;
}

gboolean mw_order_complete_at(const mw_flow *flow, guint32 seq)
{
    if (!flow->seq_known || first_held(flow))
        return FALSE;
    /* a FIN takes one sequence number: an RST after it comes one later */
    gint64 at = pos_of(flow, seq);
    return at == flow->next || at == flow->next + 1;
}

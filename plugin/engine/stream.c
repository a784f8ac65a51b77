/* The stream engine shared by the mail dissectors: see stream.h. */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>

#include "engine/stream.h"
#include "mail/tap.h"

static int hf_stream_retransmission = -1;
static int hf_stream_carried = -1;
static int hf_stream_carried_from = -1;
static int hf_stream_continued_in = -1;
static int hf_stream_partial = -1;
static int hf_stream_lost = -1;
static int hf_stream_offset = -1;
static int hf_stream_held = -1;
static int hf_stream_released = -1;
static int hf_stream_released_in = -1;
static expert_field ei_stream_lost = EI_INIT;
static expert_field ei_stream_retransmission = EI_INIT;
static expert_field ei_stream_no_state = EI_INIT;
static expert_field ei_stream_out_of_order = EI_INIT;

/* The protocols using the engine, for the postdissector below. */
#define MW_MAX_STREAM_PROTOS 4
static const mw_stream_proto *stream_protos[MW_MAX_STREAM_PROTOS];
static int hf_tcp_payload_id = -1;
static int hf_tcp_seq_id = -1;

static void remember_proto(const mw_stream_proto *sp)
{
    for (int i = 0; i < MW_MAX_STREAM_PROTOS; i++) {
        if (stream_protos[i] == sp)
            return;
        if (!stream_protos[i]) {
            stream_protos[i] = sp;
            return;
        }
    }
}

/* Engine state of one direction, advanced on the first pass only. */
typedef struct mw_flow {
    gboolean seq_known;
    guint32 next_seq;       /* TCP: first byte not yet fed */
    guint64 offset;         /* stream offset of the next byte */
    guint8 *carry;          /* an incomplete line (file scope) */
    guint carry_len;
    guint32 carry_from;     /* frame the carried line started in */
    void *carry_record;     /* the call that left it (to link forward) */
    gboolean mid_line;      /* an over-long line is being delivered in fragments */
    /* Segments that arrived ahead of a hole, held until it is filled */
    guint8 *held;
    guint held_len;
    guint32 held_seq;
    struct mw_call *held_first, *held_last; /* their calls, to link forward */
} mw_flow;

typedef struct mw_conv {
    address server_addr;
    guint32 server_port;
    gboolean server_known;
    mw_flow flow[2];
    void *state;            /* the protocol's, sp->state_size bytes */
    void *proto_data;       /* mw_stream_conv_data */
} mw_conv;

enum mw_call_kind { MW_CALL_DATA, MW_CALL_RETRANSMISSION, MW_CALL_HELD };

/* Out-of-order bytes held at most; past this the hole is taken as lost. */
#define MW_MAX_HOLD (256u * 1024u)

/* What the first pass stored for one call, so later passes repeat it. */
typedef struct mw_call {
    struct mw_call *next_held; /* HELD calls of one hole, in order */
    gboolean flush;         /* dissects held bytes of the other direction only */
    guint32 released_in;    /* HELD: the frame that dissects these bytes */
    const guint8 *pre;      /* held bytes dissected before this call's own */
    guint pre_len;
    const guint8 *post;     /* held bytes dissected after this call's own */
    guint post_len;
    guint8 kind;
    guint8 dir;
    gboolean mid_line;      /* engine's flag before the call */
    guint skip;             /* leading bytes already seen (partial retransmission) */
    guint32 lost;           /* bytes missing before this call */
    guint64 offset;         /* stream offset of the first new byte */
    const guint8 *carry;    /* bytes of earlier frames that precede this call's */
    guint carry_len;
    guint32 carry_from;
    guint leftover;         /* bytes this call left to the next one */
    guint32 continued_in;   /* the frame that completed them */
    void *state;            /* replay mode: the protocol's state before the call */
    void *rec;              /* records mode: what parse stored for the call */
    guint consumed;         /* records mode: bytes parse consumed */
} mw_call;

static mw_conv *conv_get(const mw_stream_proto *sp, packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    mw_conv *mc = (mw_conv *)conversation_get_proto_data(conv, *sp->proto);
    if (!mc) {
        mc = wmem_new0(wmem_file_scope(), mw_conv);
        mc->state = wmem_alloc0(wmem_file_scope(), sp->state_size);
        if (sp->state_init)
            sp->state_init(mc->state, pinfo);
        conversation_add_proto_data(conv, *sp->proto, mc);
    }
    return mc;
}

void *mw_stream_conv_data(const mw_stream_proto *sp, packet_info *pinfo)
{
    return conv_get(sp, pinfo);
}

void mw_stream_set_server(const mw_stream_proto *sp, packet_info *pinfo, gboolean src_is_server)
{
    mw_conv *mc = conv_get(sp, pinfo);
    if (mc->server_known)
        return;
    copy_address_wmem(wmem_file_scope(), &mc->server_addr, src_is_server ? &pinfo->src : &pinfo->dst);
    mc->server_port = src_is_server ? pinfo->srcport : pinfo->destport;
    mc->server_known = TRUE;
}

/* The server is the side on the port we were registered for; failing that the
 * lower port. */
static int direction(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo)
{
    if (!mc->server_known) {
        gboolean src_is_server;
        if (pinfo->match_uint == pinfo->srcport && pinfo->match_uint != pinfo->destport)
            src_is_server = TRUE;
        else if (pinfo->match_uint == pinfo->destport && pinfo->match_uint != pinfo->srcport)
            src_is_server = FALSE;
        else
            src_is_server = pinfo->srcport < pinfo->destport;
        mw_stream_set_server(sp, pinfo, src_is_server);
    }
    if (pinfo->srcport == mc->server_port && addresses_equal(&pinfo->src, &mc->server_addr))
        return MW_DIR_SERVER;
    return MW_DIR_CLIENT;
}

/* Hand the held bytes to call (before or after its own), linking the calls
 * that brought them to this frame. */
static const guint8 *release_held(mw_flow *flow, guint from, guint *len, guint32 frame)
{
    const guint8 *bytes = flow->held + from;
    *len = flow->held_len - from;
    for (mw_call *c = flow->held_first; c; c = c->next_held)
        c->released_in = frame;
    flow->held = NULL;
    flow->held_len = 0;
    flow->held_first = flow->held_last = NULL;
    return bytes;
}

static void hold(mw_flow *flow, mw_call *call, tvbuff_t *tvb, guint32 seq, guint len)
{
    if (!flow->held) {
        flow->held = (guint8 *)wmem_alloc(wmem_file_scope(), MW_MAX_HOLD);
        flow->held_seq = seq;
        flow->held_first = call;
    } else {
        flow->held_last->next_held = call;
    }
    tvb_memcpy(tvb, flow->held + flow->held_len, 0, len);
    flow->held_len += len;
    flow->held_last = call;
    call->kind = MW_CALL_HELD;
}

/* Place the segment in this direction's stream: a retransmission (nothing
 * new), bytes ahead of a hole (held until the hole fills), or new bytes,
 * possibly after a hole taken as lost and with held bytes around them. */
static void place_segment(mw_flow *flow, mw_call *call, const struct tcpinfo *ti, tvbuff_t *tvb,
                          guint len, guint32 frame)
{
    call->kind = MW_CALL_DATA;
    if (!ti || len == 0)
        return;
    if (!flow->seq_known) {
        flow->seq_known = TRUE;
        flow->next_seq = ti->seq + len;
        return;
    }
    gint32 ahead = (gint32)(ti->seq - flow->next_seq);
    if ((gint32)(ti->seq + len - flow->next_seq) <= 0) {
        call->kind = MW_CALL_RETRANSMISSION;
        return;
    }
    if (ahead > 0) {
        guint32 held_end = flow->held_seq + flow->held_len;
        if (!flow->held || (ti->seq == held_end && flow->held_len + len <= MW_MAX_HOLD)) {
            if (len <= MW_MAX_HOLD) {
                hold(flow, call, tvb, ti->seq, len);
                return;
            }
        } else if ((gint32)(ti->seq - flow->held_seq) >= 0 &&
                   (gint32)(ti->seq + len - held_end) <= 0) {
            call->kind = MW_CALL_RETRANSMISSION;
            return;
        }
        if (flow->held) {
            /* The hole never filled: it is lost; the held bytes go first. */
            call->lost = flow->held_seq - flow->next_seq;
            call->pre = release_held(flow, 0, &call->pre_len, frame);
            flow->next_seq = held_end;
            ahead = (gint32)(ti->seq - flow->next_seq);
            if (ahead > 0) {
                /* Another hole after them: hold this segment anew. */
                call->skip = len;
                hold(flow, call, tvb, ti->seq, len);
                call->kind = MW_CALL_DATA;
                return;
            }
            if (ahead < 0)
                call->skip = (guint)-ahead;
        } else {
            call->lost = (guint32)ahead;
        }
        flow->next_seq = ti->seq + len;
        return;
    }
    call->skip = (guint)-ahead;
    flow->next_seq = ti->seq + len;
    if (flow->held && (gint32)(flow->next_seq - flow->held_seq) >= 0) {
        /* The hole is filled: the held bytes follow this segment's. */
        guint32 held_end = flow->held_seq + flow->held_len;
        guint from = (guint)(flow->next_seq - flow->held_seq);
        if (from < flow->held_len) {
            call->post = release_held(flow, from, &call->post_len, frame);
            flow->next_seq = held_end;
        } else {
            release_held(flow, 0, &call->post_len, frame);
            call->post_len = 0;
        }
    }
}

static guint next_call_index(const mw_stream_proto *sp, packet_info *pinfo)
{
    guint n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, *sp->proto, 0));
    p_add_proto_data(pinfo->pool, pinfo, *sp->proto, 0, GUINT_TO_POINTER(n + 1));
    return n;
}

/* First pass: record the call and advance the engine's flow state. */
static void prepare_call(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo, mw_call *call);

static mw_call *record_call(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo, int dir,
                            const struct tcpinfo *ti, tvbuff_t *tvb)
{
    mw_flow *flow = &mc->flow[dir];
    mw_call *call = wmem_new0(wmem_file_scope(), mw_call);
    call->dir = (guint8)dir;
    place_segment(flow, call, ti, tvb, tvb_reported_length(tvb), pinfo->num);
    if (call->kind == MW_CALL_DATA)
        prepare_call(sp, mc, pinfo, call);
    return call;
}

/* The other direction spoke while this one holds bytes ahead of a hole: the
 * peer has answered, so the hole will not fill in order (the capture lost
 * it).  A call of its own dissects the held bytes in this frame. */
static mw_call *record_flush(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo, int dir,
                             guint len)
{
    mw_flow *flow = &mc->flow[dir];
    if (!flow->held)
        return NULL;
    mw_call *call = wmem_new0(wmem_file_scope(), mw_call);
    call->dir = (guint8)dir;
    call->kind = MW_CALL_DATA;
    call->flush = TRUE;
    call->skip = len;
    call->lost = flow->held_seq - flow->next_seq;
    flow->next_seq = flow->held_seq + flow->held_len;
    call->pre = release_held(flow, 0, &call->pre_len, pinfo->num);
    prepare_call(sp, mc, pinfo, call);
    return call;
}

/* Before the protocol sees a call: account for lost bytes, hand over the
 * carried line, keep a copy of the protocol state. */
static void prepare_call(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo, mw_call *call)
{
    int dir = call->dir;
    mw_flow *flow = &mc->flow[dir];
    if (call->lost) {
        /* The carried line can never be completed: drop it, and let the
         * protocol resynchronise. */
        flow->carry = NULL;
        flow->carry_len = 0;
        flow->mid_line = TRUE; /* the next line starts somewhere unknown */
        flow->offset += call->lost;
        if (sp->gap)
            sp->gap(mc->state, dir, call->lost);
    }
    call->mid_line = flow->mid_line;
    call->offset = flow->offset;
    call->carry = flow->carry;
    call->carry_len = flow->carry_len;
    call->carry_from = flow->carry_from;
    if (flow->carry_record)
        ((mw_call *)flow->carry_record)->continued_in = pinfo->num;
    flow->carry = NULL;
    flow->carry_len = 0;
    flow->carry_record = NULL;
    if (!sp->parse)
        call->state = wmem_memdup(wmem_file_scope(), mc->state, sp->state_size);
}

/* First pass: keep what the protocol did not consume for the next call.
 * flow->offset is the stream offset of the next new byte; a carried line is
 * the carry_len bytes before it. */
static void keep_leftover(mw_flow *flow, mw_call *call, tvbuff_t *data, guint consumed,
                          packet_info *pinfo)
{
    guint len = tvb_reported_length(data);
    guint left = len > consumed ? len - consumed : 0;
    call->leftover = left;
    flow->offset = call->offset + (len - call->carry_len);
    if (left) {
        flow->carry = (guint8 *)tvb_memdup(wmem_file_scope(), data, consumed, left);
        flow->carry_len = left;
        flow->carry_from = consumed < call->carry_len ? call->carry_from : pinfo->num;
        flow->carry_record = call;
    }
}

gboolean mw_next_line(mw_ctx *ctx, tvbuff_t *tvb, gint *offset, mw_line_at *out)
{
    gint len = tvb_reported_length_remaining(tvb, *offset);
    if (len <= 0)
        return FALSE;
    const guint8 *p = tvb_get_ptr(tvb, *offset, len);
    memset(out, 0, sizeof *out);
    out->offset = *offset;
    out->continued = ctx->mid_line;
    if (!mw_line_scan(p, (size_t)len, 0, &out->line)) {
        if (len < MW_MAX_CARRY)
            return FALSE;
        /* Over-long: deliver it as a fragment, keeping a trailing CR back
         * since its LF may follow. */
        out->fragment = TRUE;
        if (p[len - 1] == '\r')
            out->line.len--;
        *offset += (gint)out->line.len;
        ctx->mid_line = TRUE;
        return TRUE;
    }
    *offset += (gint)(out->line.len + out->line.eol_len);
    ctx->mid_line = FALSE;
    return TRUE;
}

static void show_engine_items(mw_ctx *ctx, const mw_call *call, tvbuff_t *data, guint consumed)
{
    proto_item *it;
    if (call->lost) {
        it = proto_tree_add_uint(ctx->tree, hf_stream_lost, data, 0, 0, call->lost);
        proto_item_set_generated(it);
        mw_expert_format(ctx->pinfo, it, &ei_stream_lost,
                               "%u bytes of this direction are missing from the capture before "
                               "this segment; dissection resynchronises on what follows",
                               call->lost);
    }
    if (call->carry_len) {
        it = proto_tree_add_item(ctx->tree, hf_stream_carried, data, 0, (gint)call->carry_len, ENC_NA);
        proto_item_set_generated(it);
        it = proto_tree_add_uint(ctx->tree, hf_stream_carried_from, data, 0, 0, call->carry_from);
        proto_item_set_generated(it);
    }
    if (call->leftover) {
        guint len = tvb_reported_length(data);
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: [partial line]",
                            ctx->dir == MW_DIR_CLIENT ? "C" : "S");
        proto_tree_add_item(ctx->tree, hf_stream_partial, data, consumed, (gint)(len - consumed), ENC_NA);
        if (call->continued_in) {
            proto_item *l = proto_tree_add_uint(ctx->tree, hf_stream_continued_in, data, consumed,
                                                (gint)(len - consumed), call->continued_in);
            proto_item_set_generated(l);
        }
    }
    if (call->pre_len)
        proto_tree_add_item(ctx->tree, hf_stream_released, data, (gint)call->carry_len,
                            (gint)call->pre_len, ENC_NA);
    if (call->post_len)
        proto_tree_add_item(ctx->tree, hf_stream_released, data,
                            (gint)(tvb_reported_length(data) - call->post_len), (gint)call->post_len,
                            ENC_NA);
    it = proto_tree_add_uint64(ctx->tree, hf_stream_offset, data, 0, 0, call->offset);
    proto_item_set_generated(it);
    proto_item_set_hidden(it);
}

static int dissect_retransmission(const mw_stream_proto *sp, tvbuff_t *tvb, packet_info *pinfo,
                                  proto_tree *tree)
{
    proto_item *root = proto_tree_add_item(tree, *sp->proto, tvb, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(root, *sp->ett);
    proto_item *it = proto_tree_add_item(t, hf_stream_retransmission, tvb, 0, -1, ENC_NA);
    mw_expert(pinfo, it, &ei_stream_retransmission);
    col_set_str(pinfo->cinfo, COL_INFO, "Retransmitted data (dissected in its first copy)");
    return tvb_captured_length(tvb);
}

static int dissect_held(const mw_stream_proto *sp, const mw_call *call, tvbuff_t *tvb,
                        packet_info *pinfo, proto_tree *tree)
{
    proto_item *root = proto_tree_add_item(tree, *sp->proto, tvb, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(root, *sp->ett);
    proto_item *it = proto_tree_add_item(t, hf_stream_held, tvb, 0, -1, ENC_NA);
    mw_expert(pinfo, it, &ei_stream_out_of_order);
    if (call->released_in) {
        it = proto_tree_add_uint(t, hf_stream_released_in, tvb, 0, 0, call->released_in);
        proto_item_set_generated(it);
    }
    col_set_str(pinfo->cinfo, COL_INFO, "Out-of-order segment (dissected where the hole before it fills)");
    return tvb_captured_length(tvb);
}

static void dissect_call(const mw_stream_proto *sp, mw_conv *mc, mw_call *call, gboolean first,
                         guint index, gboolean in_tls, tvbuff_t *tvb, packet_info *pinfo,
                         proto_tree *tree);

int mw_stream_dissect(const mw_stream_proto *sp, tvbuff_t *tvb, packet_info *pinfo,
                      proto_tree *tree, void *data)
{
    guint len = tvb_reported_length(tvb);
    /* A segment quoted inside an ICMP error is not part of the stream (its
     * sequence numbers are raw): leave it to the data dissector. */
    if (pinfo->flags.in_error_pkt)
        return 0;
    if (tvb_captured_length(tvb) < len) {
        /* Payload cut by the snapshot length: nothing here can be parsed. */
        return 0;
    }
    /* Bytes out of TLS carry no TCP sequence numbers (and from 4.2 TLS
     * passes its own record as data): only a direct TCP call has tcpinfo. */
    gboolean in_tls = proto_is_frame_protocol(pinfo->layers, "tls");
    const struct tcpinfo *ti = in_tls ? NULL : (const struct tcpinfo *)data;
    remember_proto(sp);
    mw_conv *mc = conv_get(sp, pinfo);
    int dir = direction(sp, mc, pinfo);
    for (;;) {
        guint index = next_call_index(sp, pinfo);
        mw_call *call = (mw_call *)p_get_proto_data(wmem_file_scope(), pinfo, *sp->proto, index + 1);
        gboolean first = FALSE;
        if (!call) {
            if (PINFO_FD_VISITED(pinfo)) {
                /* No call of this frame was recorded: the first pass did not
                 * give it to mailwire (a heuristic claimed the conversation
                 * only later), so it is not ours on this pass either. */
                if (index == 0)
                    return 0;
                proto_item *it = proto_tree_add_item(tree, *sp->proto, tvb, 0, -1, ENC_NA);
                mw_expert(pinfo, it, &ei_stream_no_state);
                return len;
            }
            if (ti)
                call = record_flush(sp, mc, pinfo, 1 - dir, len);
            if (!call)
                call = record_call(sp, mc, pinfo, dir, ti, tvb);
            p_add_proto_data(wmem_file_scope(), pinfo, *sp->proto, index + 1, call);
            first = TRUE;
        }
        dissect_call(sp, mc, call, first, index, in_tls, tvb, pinfo, tree);
        if (!call->flush)
            return len;
    }
}

/* Dissect one recorded call: the same on every pass. */
static void dissect_call(const mw_stream_proto *sp, mw_conv *mc, mw_call *call, gboolean first,
                         guint index, gboolean in_tls, tvbuff_t *tvb, packet_info *pinfo,
                         proto_tree *tree)
{
    guint len = tvb_reported_length(tvb);
    int dir = call->dir;
    col_set_str(pinfo->cinfo, COL_PROTOCOL, sp->label);
    if (call->kind == MW_CALL_RETRANSMISSION) {
        dissect_retransmission(sp, tvb, pinfo, tree);
        return;
    }
    if (call->kind == MW_CALL_HELD) {
        dissect_held(sp, call, tvb, pinfo, tree);
        return;
    }

    /* The bytes to dissect: carried line, held bytes released before this
     * segment's, its new bytes, held bytes released after them. */
    guint fresh_len = call->skip < len ? len - call->skip : 0;
    tvbuff_t *bytes = call->skip ? tvb_new_subset_length(tvb, call->skip < len ? call->skip : len,
                                                         (gint)fresh_len)
                                 : tvb;
    guint total = call->carry_len + call->pre_len + fresh_len + call->post_len;
    if (total != fresh_len) {
        guint8 *joined = (guint8 *)wmem_alloc(pinfo->pool, total);
        guint at = 0;
        if (call->carry_len)
            memcpy(joined + at, call->carry, call->carry_len);
        at += call->carry_len;
        if (call->pre_len)
            memcpy(joined + at, call->pre, call->pre_len);
        at += call->pre_len;
        if (fresh_len)
            tvb_memcpy(bytes, joined + at, 0, fresh_len);
        at += fresh_len;
        if (call->post_len)
            memcpy(joined + at, call->post, call->post_len);
        bytes = tvb_new_child_real_data(tvb, joined, total, total);
        add_new_data_source(pinfo, bytes, call->pre_len || call->post_len ? "Reordered stream"
                                                                          : "Joined line");
    }
    if (fresh_len == 0 && call->pre_len == 0 && call->carry_len == 0 && call->post_len == 0)
        return;

    mw_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.pinfo = pinfo;
    ctx.sp = sp;
    ctx.dir = dir;
    ctx.first_pass = first;
    ctx.tls = in_tls;
    ctx.stream_offset = call->offset - call->carry_len;
    ctx.carried = call->carry_len;
    ctx.carried_from = call->carry_from;
    ctx.call_index = index;
    ctx.mid_line = call->mid_line;
    ctx.root = proto_tree_add_item(tree, *sp->proto, bytes, 0, -1, ENC_NA);
    ctx.tree = proto_item_add_subtree(ctx.root, *sp->ett);

    mw_tap_set_current(sp->label);
    guint consumed;
    if (sp->parse) {
        if (first) {
            ctx.state = mc->state;
            guint parsed = sp->parse(&ctx, bytes);
            call->consumed = MIN(parsed, tvb_reported_length(bytes));
            call->rec = ctx.rec;
        }
        ctx.state = NULL;
        ctx.rec = call->rec;
        ctx.consumed = consumed = call->consumed;
        sp->render(&ctx, bytes);
    } else {
        ctx.state = first ? mc->state : wmem_memdup(pinfo->pool, call->state, sp->state_size);
        consumed = sp->dissect(&ctx, bytes);
        consumed = MIN(consumed, tvb_reported_length(bytes));
    }
    if (first) {
        mw_flow *flow = &mc->flow[dir];
        keep_leftover(flow, call, bytes, consumed, pinfo);
        flow->mid_line = ctx.mid_line;
    }
    show_engine_items(&ctx, call, bytes, consumed);
    if (call->skip && !call->flush) {
        /* the segment's leading bytes repeat what an earlier one carried */
        tvbuff_t *seen = tvb_new_subset_length(tvb, 0, (gint)MIN(call->skip, len));
        proto_item *it = proto_tree_add_item(ctx.tree, hf_stream_retransmission, seen, 0, -1,
                                             ENC_NA);
        mw_expert(pinfo, it, &ei_stream_retransmission);
    }
}

/* TCP keeps retransmitted and out-of-order segments from its subdissectors
 * by default (tcp.no_subdissector_on_error), so a segment that fills a hole
 * would never reach the engine.  This postdissector hands the payload of such
 * a segment of a mail conversation to the engine, which places it by its
 * sequence number like any other. */
static int dissect_withheld_segment(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                    void *data _U_)
{
    if (!tree || pinfo->flags.in_error_pkt || proto_is_frame_protocol(pinfo->layers, "tls"))
        return 0;
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    if (!conv)
        return 0;
    for (int i = 0; i < MW_MAX_STREAM_PROTOS && stream_protos[i]; i++) {
        const mw_stream_proto *sp = stream_protos[i];
        if (!conversation_get_proto_data(conv, *sp->proto) ||
            p_get_proto_data(pinfo->pool, pinfo, *sp->proto, 0))
            continue; /* not ours, or TCP did hand it over */
        GPtrArray *payload = proto_find_first_finfo(tree, hf_tcp_payload_id);
        GPtrArray *seq = proto_find_first_finfo(tree, hf_tcp_seq_id);
        if (!payload || payload->len == 0 || !seq || seq->len == 0)
            return 0;
        field_info *pf = (field_info *)g_ptr_array_index(payload, 0);
        field_info *sf = (field_info *)g_ptr_array_index(seq, 0);
        if (!pf->ds_tvb || pf->length <= 0)
            return 0;
        struct tcpinfo ti;
        memset(&ti, 0, sizeof ti);
        ti.seq = fvalue_get_uinteger(MW_FINFO_FVALUE(sf));
        ti.nxtseq = ti.seq + (guint32)pf->length;
        tvbuff_t *seg = tvb_new_subset_length(tvb, pf->start, pf->length);
        return mw_stream_dissect(sp, seg, pinfo, tree, &ti);
    }
    return 0;
}

void mw_stream_handoff(int proto_mail)
{
    hf_tcp_payload_id = proto_registrar_get_id_byname("tcp.payload");
    hf_tcp_seq_id = proto_registrar_get_id_byname("tcp.seq");
    dissector_handle_t h = create_dissector_handle(dissect_withheld_segment, proto_mail);
    register_postdissector(h);
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    g_array_append_val(wanted, hf_tcp_payload_id);
    g_array_append_val(wanted, hf_tcp_seq_id);
    set_postdissector_wanted_hfids(h, wanted);
}

void mw_stream_register(int proto_mail)
{
    static hf_register_info hf[] = {
        {&hf_stream_retransmission,
         {"Retransmitted data", "mail.stream.retransmission", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes this direction already carried in an earlier segment", HFILL}},
        {&hf_stream_carried,
         {"Line start from an earlier segment", "mail.stream.carried", FT_BYTES, BASE_NONE, NULL,
          0x0, NULL, HFILL}},
        {&hf_stream_carried_from,
         {"Line started in frame", "mail.stream.carried_from", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_stream_continued_in,
         {"Line continues in frame", "mail.stream.continued_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_stream_partial,
         {"Incomplete line (continues in a later segment)", "mail.stream.partial", FT_BYTES,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_stream_lost,
         {"Bytes missing before this segment", "mail.stream.lost", FT_UINT32, BASE_DEC, NULL, 0x0,
          NULL, HFILL}},
        {&hf_stream_held,
         {"Out-of-order data", "mail.stream.out_of_order", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes that arrived ahead of a hole in the stream", HFILL}},
        {&hf_stream_released,
         {"Bytes of earlier out-of-order segments", "mail.stream.released", FT_BYTES, BASE_NONE,
          NULL, 0x0, "Bytes that arrived ahead of a hole, dissected here where it filled", HFILL}},
        {&hf_stream_released_in,
         {"Dissected in frame", "mail.stream.dissected_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The frame whose arrival filled the hole, where these bytes are dissected", HFILL}},
        {&hf_stream_offset,
         {"Stream offset", "mail.stream.offset", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Offset of this call's first new byte in its direction's stream", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_stream_lost,
         {"mail.stream.lost", PI_SEQUENCE, PI_WARN, "Bytes missing from the capture", EXPFILL}},
        {&ei_stream_retransmission,
         {"mail.stream.retransmission", PI_SEQUENCE, PI_NOTE,
          "Retransmitted data: already dissected where it was first seen", EXPFILL}},
        {&ei_stream_out_of_order,
         {"mail.stream.out_of_order", PI_SEQUENCE, PI_NOTE,
          "Segment ahead of a hole in the stream: dissected once the hole is filled", EXPFILL}},
        {&ei_stream_no_state,
         {"mail.stream.no_state", PI_UNDECODED, PI_WARN,
          "No state from the first pass for this call", EXPFILL}},
    };
    proto_register_field_array(proto_mail, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto_mail);
    expert_register_field_array(em, ei, array_length(ei));
}

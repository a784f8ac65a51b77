/* The stream engine's entry point: turns the calls Wireshark makes into
 * recorded calls of the protocol (see stream.h). */
#include <wireshark.h>
#include <epan/dissectors/packet-tcp.h>

#include "engine/stream.h"
#include "engine/carry.h"
#include "engine/conv.h"
#include "engine/order.h"
#include "engine/record.h"
#include "engine/show.h"
#include "engine/withheld.h"
#include "mail/tap.h"
#include "mail/proxyhdr.h"

#define MW_TCP_FLAG_FIN 0x001
#define MW_TCP_FLAG_RST 0x004
#define MW_TCP_FLAG_ACK 0x010

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

static guint own_bytes(const mw_call *call, tvbuff_t *tvb)
{
    guint len = tvb_reported_length(tvb);
    if (mw_call_skip(call) >= len)
        return 0;
    return MIN(call->own_len, len - mw_call_skip(call));
}

/* First pass, before the protocol sees a call: account for missing bytes,
 * hand over the carried line (or only extend it). */
static void prepare_call(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo, mw_call *call,
                         tvbuff_t *tvb)
{
    int dir = call->dir;
    mw_flow *flow = &mc->flow[dir];
    const mw_call_x *x = mw_call_xq(call);
    if (x && x->lost) {
        /* The carried line can never be completed: drop it, and let the
         * protocol resynchronise. */
        flow->carry = NULL;
        flow->mid_line = TRUE; /* the next line starts somewhere unknown */
        flow->offset += x->lost;
        if (sp->gap)
            sp->gap(mw_conv_state(sp, mc, pinfo), dir, x->lost);
    }
    if (flow->mid_line)
        call->flags |= MW_CF_MID_LINE;
    call->offset = flow->offset;
    if (flow->carry) {
        mw_call_side *side = mw_call_side_get(call);
        side->carry = flow->carry;
        side->carry_len = flow->carry->len;
        guint own = own_bytes(call, tvb);
        /* Still no line end: the protocol would leave it all again. */
        if (!side->carry->has_eol && !(x && x->npieces) && own &&
            side->carry_len + own < MW_MAX_CARRY &&
            !mw_bytes_have_eol(tvb_get_ptr(tvb, mw_call_skip(call), own), own))
            call->flags |= MW_CF_CARRY_ONLY;
        else
            side->carry->continued_in = pinfo->num;
    }
}

/* First pass, after the protocol: keep what it did not consume for the next
 * call of the direction.  flow->offset is the stream offset of the next new
 * byte; a carried line is the bytes of its holder before it. */
static void keep_leftover(mw_flow *flow, mw_call *call, tvbuff_t *data, guint consumed,
                          packet_info *pinfo)
{
    guint total = tvb_reported_length(data);
    guint left = total > consumed ? total - consumed : 0;
    mw_carry *carry = mw_call_carry(call);
    guint32 carry_len = mw_call_carry_len(call);
    flow->offset = call->offset + (total - carry_len);
    flow->carry = NULL;
    if (!left)
        return;
    mw_call_side *side = mw_call_side_get(call);
    if (consumed == 0 && carry) {
        /* the same line goes on in its holder */
        mw_carry_append(carry, tvb_get_ptr(data, carry_len, total - carry_len), total - carry_len);
        carry->continued_in = 0;
        side->left = carry;
    } else {
        /* a carried part implies its holder */
        guint32 from = consumed < carry_len && carry ? carry->from : pinfo->num;
        side->left = mw_carry_new(tvb_get_ptr(data, consumed, left), left, from);
    }
    flow->carry = side->left;
}

/* The bytes a DATA call hands the protocol: carried line, the segment's
 * own new bytes, bytes released from a hole. */
static tvbuff_t *call_bytes(const mw_call *call, tvbuff_t *tvb, packet_info *pinfo)
{
    const mw_call_x *x = mw_call_xq(call);
    guint32 carry_len = mw_call_carry_len(call);
    guint own = own_bytes(call, tvb);
    guint npieces = x ? x->npieces : 0;
    if (!carry_len && !npieces) {
        if (mw_call_skip(call) == 0 && own == tvb_reported_length(tvb))
            return tvb;
        return tvb_new_subset_length(tvb, mw_call_skip(call), (gint)own);
    }
    guint total = carry_len + own;
    for (guint i = 0; i < npieces; i++)
        total += x->pieces[i].len;
    guint8 *joined = (guint8 *)wmem_alloc(pinfo->pool, total ? total : 1);
    guint at = 0;
    if (carry_len)
        memcpy(joined, mw_call_carry(call)->bytes, carry_len);
    at += carry_len;
    if (own)
        tvb_memcpy(tvb, joined + at, mw_call_skip(call), own);
    at += own;
    for (guint i = 0; i < npieces; i++) {
        memcpy(joined + at, x->pieces[i].bytes, x->pieces[i].len);
        at += x->pieces[i].len;
    }
    tvbuff_t *bytes = tvb_new_child_real_data(tvb, joined, total, total);
    add_new_data_source(pinfo, bytes, (call->flags & MW_CF_PREFACE) ? "Client's first bytes"
                                      : npieces ? "Reordered stream" : "Joined line");
    return bytes;
}

/* Dissect one recorded call: the same on every pass. */
static void dissect_call(const mw_stream_proto *sp, mw_conv *mc, mw_call *call, gboolean first,
                         guint index, gboolean in_tls, tvbuff_t *tvb, packet_info *pinfo,
                         proto_tree *tree)
{
    int dir = call->dir;
    col_set_str(pinfo->cinfo, COL_PROTOCOL, sp->label);
    if (call->kind != MW_CALL_DATA) {
        mw_show_segment(sp, call, tvb, pinfo, tree);
        return;
    }
    if (call->flags & MW_CF_CARRY_ONLY) {
        guint own = own_bytes(call, tvb);
        tvbuff_t *seg = tvb_new_subset_length(tvb, mw_call_skip(call), (gint)own);
        if (first) {
            mw_flow *flow = &mc->flow[dir];
            mw_call_side *side = mw_call_side_get(call);
            mw_carry_append(side->carry, tvb_get_ptr(seg, 0, own), own);
            side->left = side->carry;
            flow->offset = call->offset + own;
        }
        mw_show_carry_only(sp, call, seg, pinfo, tree, index == 0);
        const mw_call_x *x = mw_call_xq(call);
        if (x && (x->rep_len || x->conflict_len)) {
            proto_item *root = proto_tree_add_item(tree, *sp->proto, tvb, 0, -1, ENC_NA);
            mw_show_repeat(proto_item_add_subtree(root, *sp->ett), pinfo, call, tvb);
        }
        return;
    }
    tvbuff_t *bytes = call_bytes(call, tvb, pinfo);
    const mw_call_x *x = mw_call_xq(call);
    if (tvb_reported_length(bytes) == 0 && !(x && x->lost))
        return;

    mw_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.pinfo = pinfo;
    ctx.sp = sp;
    ctx.dir = dir;
    ctx.tls = in_tls;
    ctx.stream_offset = call->offset - mw_call_carry_len(call);
    ctx.carried = mw_call_carry_len(call);
    ctx.carried_from = mw_call_carry(call) ? mw_call_carry(call)->from : 0;
    ctx.call_index = index;
    ctx.mid_line = (call->flags & MW_CF_MID_LINE) != 0;
    ctx.foreign = (call->flags & MW_CF_PREFACE) && dir != mw_conv_direction(sp, mc, pinfo, NULL);
    ctx.root = proto_tree_add_item(tree, *sp->proto, bytes, 0, -1, ENC_NA);
    ctx.tree = proto_item_add_subtree(ctx.root, *sp->ett);

    mw_tap_set_current(sp->label);
    /* A PROXY header may open the client's stream, whatever the protocol. */
    guint consumed, pre = 0;
    if (dir == MW_DIR_CLIENT && ctx.stream_offset == 0)
        pre = mail_proxy_call(&ctx, bytes, first);
    if (pre == MAIL_PROXY_MORE) {
        consumed = 0; /* carried until the header is complete */
        if (first) {
            call->consumed = 0;
            mw_call_set_data(call, NULL);
        }
    } else {
        tvbuff_t *rest = pre ? tvb_new_subset_remaining(bytes, (gint)pre) : bytes;
        ctx.stream_offset += pre;
        if (first) {
            ctx.state = mw_conv_state(sp, mc, pinfo);
            guint parsed = sp->parse(&ctx, rest); /* once: MIN evaluates twice */
            call->consumed = MIN(parsed, tvb_reported_length(rest));
            mw_call_set_data(call, ctx.rec);
        }
        ctx.state = NULL;
        ctx.rec = mw_call_data(call);
        ctx.consumed = call->consumed;
        sp->render(&ctx, rest);
        consumed = pre + call->consumed;
        if (pre)
            mail_proxy_col(&ctx);
    }
    if (first) {
        mw_flow *flow = &mc->flow[dir];
        keep_leftover(flow, call, bytes, consumed, pinfo);
        flow->mid_line = ctx.mid_line;
    }
    mw_show_call(&ctx, call, bytes, consumed);
    if (call->flags & MW_CF_SIDES)
        mw_show_sides(&ctx);
    if (x && (x->rep_len || x->conflict_len)) {
        /* on the segment's own bytes (the call's may be joined ones) */
        proto_item *root = proto_tree_add_item(tree, *sp->proto, tvb, 0, -1, ENC_NA);
        mw_show_repeat(proto_item_add_subtree(root, *sp->ett), pinfo, call, tvb);
    }
}

/* First pass (or the end of it, see stream.h): store and dissect the new
 * calls of this frame; index is the first one's. */
static void run_new_calls(const mw_stream_proto *sp, mw_conv *mc, GPtrArray *calls, guint index,
                          gboolean in_tls, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    for (guint i = 0; i < calls->len; i++) {
        mw_call *c = (mw_call *)g_ptr_array_index(calls, i);
        if (i) {
            ((mw_call *)g_ptr_array_index(calls, i - 1))->flags |= MW_CF_MORE;
            index = mw_record_next_index(sp, pinfo);
        }
        mw_record_put(sp, pinfo, index, c);
        if (c->kind == MW_CALL_DATA)
            prepare_call(sp, mc, pinfo, c, tvb);
        dissect_call(sp, mc, c, TRUE, index, in_tls, tvb, pinfo, tree);
    }
}

/* First pass, the frame where the conversation was claimed: the client's
 * bytes of an earlier frame that no one claimed then (a PROXY header alone
 * in its segment) are dissected first, as the start of its stream. */
static guint run_preface(const mw_stream_proto *sp, mw_conv *mc, guint index, gboolean in_tls,
                         tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    const mw_preface *p = mc->preface;
    mc->preface_done = TRUE;
    if (mc->flow[MW_DIR_CLIENT].offset || mc->flow[MW_DIR_CLIENT].carry)
        return index;
    mw_call *c = mw_call_new(MW_DIR_CLIENT, MW_CALL_DATA);
    mw_call_set_skip(c, tvb_reported_length(tvb)); /* none of this segment's bytes */
    c->flags |= MW_CF_PREFACE | MW_CF_MORE; /* the segment's own calls follow */
    mw_call_x *x = mw_call_x_get(c);
    x->pieces = wmem_new0(wmem_file_scope(), mw_piece);
    x->pieces->bytes = p->bytes;
    x->pieces->len = p->len;
    x->npieces = 1;
    x->first_frame = p->frame;
    GPtrArray *one = g_ptr_array_new();
    g_ptr_array_add(one, c);
    run_new_calls(sp, mc, one, index, in_tls, tvb, pinfo, tree);
    g_ptr_array_free(one, TRUE);
    return mw_record_next_index(sp, pinfo);
}

/* A revisit after the first pass: if this frame brought the earliest of
 * the bytes the first pass left waiting in the conversation, dissect them
 * all here now, after everything the first pass dissected, the two
 * directions interleaved in the capture order of their segments. */
static GPtrArray *end_of_capture(mw_conv *mc, packet_info *pinfo)
{
    if (mc->end_done)
        return NULL;
    if (!mc->end_known) {
        guint32 a = mw_order_held_frame(&mc->flow[0]), b = mw_order_held_frame(&mc->flow[1]);
        mc->end_frame = a && b ? MIN(a, b) : MAX(a, b);
        mc->end_known = TRUE;
    }
    if (!mc->end_frame || mc->end_frame != pinfo->num)
        return NULL;
    mc->end_done = TRUE;
    GPtrArray *calls = g_ptr_array_new();
    for (;;) {
        guint32 a = mw_order_next_frame(&mc->flow[0]), b = mw_order_next_frame(&mc->flow[1]);
        if (!a && !b)
            break;
        int d = !a ? 1 : !b ? 0 : (a <= b ? 0 : 1);
        mw_call *c = mw_order_release_one(&mc->flow[d], d, pinfo->num);
        c->flags |= MW_CF_END;
        g_ptr_array_add(calls, c);
    }
    return calls;
}

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
    mw_withheld_remember(sp);
    mw_conv *mc = mw_conv_get(sp, pinfo);
    int dir = mw_conv_direction(sp, mc, pinfo, tvb);
    if (ti)
        mw_record_mark_tcp(sp, pinfo);
    guint index = mw_record_next_index(sp, pinfo);
    mw_call *call = mw_record_get(sp, pinfo, index);
    if (!call) {
        if (!mw_record_unvisited(pinfo)) {
            /* No call of this frame was recorded: the first pass did not
             * give it to mailwire (a heuristic claimed the conversation
             * only later), so it is not ours on this pass either. */
            if (index == 0)
                return 0;
            mw_show_no_state(sp, tvb, pinfo, tree);
            return len;
        }
        if (mc->preface && !mc->preface_done)
            index = run_preface(sp, mc, index, in_tls, tvb, pinfo, tree);
        GPtrArray *calls = g_ptr_array_new();
        if (ti) {
            if (ti->flags & MW_TCP_FLAG_ACK)
                mw_order_ack(&mc->flow[1 - dir], ti->lastackseq);
            mw_seq_start st;
            mw_conv_seq_start(pinfo, &st);
            mw_order_place(&mc->flow[dir], dir, &st, tvb, ti->seq, pinfo->num, calls);
        } else {
            mw_call *c = mw_call_new(dir, MW_CALL_DATA);
            c->own_len = len;
            g_ptr_array_add(calls, c);
        }
        if (mc->sides_frame == pinfo->num && calls->len)
            ((mw_call *)g_ptr_array_index(calls, 0))->flags |= MW_CF_SIDES;
        run_new_calls(sp, mc, calls, index, in_tls, tvb, pinfo, tree);
        g_ptr_array_free(calls, TRUE);
        if (ti && (ti->flags & (MW_TCP_FLAG_FIN | MW_TCP_FLAG_RST)))
            mw_conv_flow_ended(sp, mc, dir, ti->seq + len);
        return len;
    }
    /* decided before the stored calls are shown, so that they show where
     * their bytes are dissected */
    GPtrArray *end = ti ? end_of_capture(mc, pinfo) : NULL;
    for (;;) {
        dissect_call(sp, mc, call, FALSE, index, in_tls, tvb, pinfo, tree);
        if (!(call->flags & MW_CF_MORE))
            break;
        index = mw_record_next_index(sp, pinfo);
        mw_call *next = mw_record_get(sp, pinfo, index);
        if (!next)
            break;
        call = next;
    }
    if (end && end->len) {
        call->flags |= MW_CF_MORE;
        run_new_calls(sp, mc, end, mw_record_next_index(sp, pinfo), in_tls, tvb, pinfo, tree);
    }
    if (end)
        g_ptr_array_free(end, TRUE);
    return len;
}

/* The engine's own items: see engine/show.h. */
#include <wireshark.h>
#include <epan/expert.h>

#include "engine/show.h"
#include "mail/tap.h"
#include "engine/text.h"

static int hf_retransmission = -1;
static int hf_first_copy = -1;
static int hf_retransmission_text = -1;
static int hf_conflict_text = -1;
static int hf_not_compared = -1;
static int hf_carried = -1;
static int hf_carried_from = -1;
static int hf_continued_in = -1;
static int hf_partial = -1;
static int hf_carried_text = -1;
static int hf_partial_text = -1;
static int hf_lost = -1;
static int hf_offset = -1;
static int hf_held = -1;
static int hf_released = -1;
static int hf_released_in = -1;
static int hf_preface_from = -1;
static int hf_late = -1;
static int hf_conflict = -1;
static int hf_conflict_offset = -1;
static int hf_conflict_first = -1;
static expert_field ei_lost = EI_INIT;
static expert_field ei_retransmission = EI_INIT;
static expert_field ei_no_state = EI_INIT;
static expert_field ei_out_of_order = EI_INIT;
static expert_field ei_late = EI_INIT;
static expert_field ei_conflict = EI_INIT;
static expert_field ei_sides = EI_INIT;

static void generated_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 v)
{
    proto_item *it = proto_tree_add_uint(tree, hf, tvb, 0, 0, v);
    proto_item_set_generated(it);
}

/* Bytes that are a line's text on the wire: the label shows them as text
 * (escaped, the first MW_SHOW_TEXT_MAX octets), a hidden string twin keeps
 * the text for filters and -T fields beside the bytes field. */
#define MW_SHOW_TEXT_MAX 1024
static void show_as_text(packet_info *pinfo, proto_tree *tree, proto_item *it, int hf_text,
                         tvbuff_t *tvb, gint off, gint len, const char *label)
{
    if (len <= 0)
        return;
    gint n = MIN(len, MW_SHOW_TEXT_MAX);
    const char *s = mw_tvb_format_text(pinfo->pool, tvb, off, n);
    proto_item_set_text(it, "%s: %s%s", label, s, n < len ? "..." : "");
    proto_item *t = proto_tree_add_string(tree, hf_text, tvb, off, n, s);
    proto_item_set_hidden(t);
}

void mw_show_call(mw_ctx *ctx, const mw_call *call, tvbuff_t *data, guint consumed)
{
    proto_item *it;
    const mw_call_x *x = mw_call_xq(call);
    guint len = tvb_reported_length(data);
    if (x && x->lost) {
        it = proto_tree_add_uint(ctx->tree, hf_lost, data, 0, 0, x->lost);
        proto_item_set_generated(it);
        if (call->flags & MW_CF_END)
            mw_expert_format(ctx->pinfo, it, &ei_lost,
                             "%u bytes of this direction are missing from the capture before "
                             "these bytes, which waited for them until the capture ended; "
                             "dissection resynchronises on what follows", x->lost);
        else
            mw_expert_format(ctx->pinfo, it, &ei_lost,
                             "%u bytes of this direction are missing from the capture before "
                             "these bytes; dissection resynchronises on what follows", x->lost);
    }
    guint32 carry_len = mw_call_carry_len(call);
    if (carry_len) {
        it = proto_tree_add_item(ctx->tree, hf_carried, data, 0, (gint)carry_len, ENC_NA);
        proto_item_set_generated(it);
        show_as_text(ctx->pinfo, ctx->tree, it, hf_carried_text, data, 0, (gint)carry_len,
                     "Line start from an earlier segment");
        generated_uint(ctx->tree, hf_carried_from, data, mw_call_carry(call)->from);
    }
    if (consumed < len) {
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: [partial line]",
                            ctx->dir == MW_DIR_CLIENT ? "C" : "S");
        it = proto_tree_add_item(ctx->tree, hf_partial, data, consumed, (gint)(len - consumed), ENC_NA);
        show_as_text(ctx->pinfo, ctx->tree, it, hf_partial_text, data, (gint)consumed,
                     (gint)(len - consumed), "Incomplete line (continues in a later segment)");
        const mw_carry *left = mw_call_left(call);
        if (left && left->continued_in) {
            it = proto_tree_add_uint(ctx->tree, hf_continued_in, data, consumed,
                                     (gint)(len - consumed), left->continued_in);
            proto_item_set_generated(it);
        }
    }
    guint at = carry_len + call->own_len;
    if ((call->flags & MW_CF_PREFACE) && x) { /* a preface call always has its x */
        it = proto_tree_add_uint(ctx->tree, hf_preface_from, data, 0, (gint)len, x->first_frame);
        proto_item_set_generated(it);
    } else if (x && x->npieces && at < len)
        proto_tree_add_item(ctx->tree, hf_released, data, (gint)at, (gint)(len - at), ENC_NA);
    it = proto_tree_add_uint64(ctx->tree, hf_offset, data, 0, 0, call->offset);
    proto_item_set_generated(it);
    proto_item_set_hidden(it);
}

void mw_show_carry_only(const mw_stream_proto *sp, const mw_call *call, tvbuff_t *seg,
                        packet_info *pinfo, proto_tree *tree, gboolean first_of_frame)
{
    proto_item *root = proto_tree_add_item(tree, *sp->proto, seg, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(root, *sp->ett);
    if (first_of_frame)
        col_clear(pinfo->cinfo, COL_INFO);
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, " | ", "%s: [partial line]",
                        call->dir == MW_DIR_CLIENT ? "C" : "S");
    proto_item *it = proto_tree_add_item(t, hf_partial, seg, 0, -1, ENC_NA);
    show_as_text(pinfo, t, it, hf_partial_text, seg, 0, (gint)tvb_reported_length(seg),
                 "Incomplete line (continues in a later segment)");
    const mw_carry *carry = mw_call_carry(call);
    it = proto_tree_add_uint(t, hf_carried_from, seg, 0, 0, carry->from);
    proto_item_set_generated(it);
    proto_item_append_text(it, " (%u bytes before this segment's)", mw_call_carry_len(call));
    if (carry->continued_in)
        generated_uint(t, hf_continued_in, seg, carry->continued_in);
    it = proto_tree_add_uint64(t, hf_offset, seg, 0, 0, call->offset);
    proto_item_set_generated(it);
    proto_item_set_hidden(it);
}

void mw_show_repeat(proto_tree *tree, packet_info *pinfo, const mw_call *call, tvbuff_t *seg)
{
    const mw_call_x *x = mw_call_xq(call);
    guint len = tvb_reported_length(seg);
    proto_item *it;
    if (!x)
        return;
    if (x->rep_len && x->repeat == MW_REPEAT_MISSING) {
        it = proto_tree_add_item(tree, hf_late, seg, 0, (gint)MIN(x->rep_len, len), ENC_NA);
        mw_expert(pinfo, it, &ei_late);
    } else if (x->rep_len && x->repeat == MW_REPEAT_DISSECTED) {
        it = proto_tree_add_item(tree, hf_retransmission, seg, 0, (gint)MIN(x->rep_len, len), ENC_NA);
        show_as_text(pinfo, tree, it, hf_retransmission_text, seg, 0, (gint)MIN(x->rep_len, len),
                     "Retransmitted data");
        if (!x->conflict_len) /* else these bytes are not what was dissected */
            mw_expert(pinfo, it, &ei_retransmission);
        if (x->first_frame)
            generated_uint(tree, hf_first_copy, seg, x->first_frame);
        if (x->uncompared) {
            proto_item_append_text(it, " (%u bytes not compared with the first copy: no longer held)",
                                   x->uncompared);
            generated_uint(tree, hf_not_compared, seg, x->uncompared);
        }
    }
    if (x->conflict_len && x->conflict_at < len) {
        gint clen = (gint)MIN(x->conflict_len, len - x->conflict_at);
        it = proto_tree_add_item(tree, hf_conflict, seg, (gint)x->conflict_at, clen, ENC_NA);
        show_as_text(pinfo, tree, it, hf_conflict_text, seg, (gint)x->conflict_at, clen,
                     "Second copy with different bytes");
        if (x->conflict_frame)
            mw_expert_format(pinfo, it, &ei_conflict,
                             "Bytes at stream offsets %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                             " differ from their first copy in frame %u: receivers may keep "
                             "either version (overlap attack or corruption)",
                             x->conflict_off, x->conflict_off + (guint64)clen - 1,
                             x->conflict_frame);
        else
            mw_expert_format(pinfo, it, &ei_conflict,
                             "Bytes at stream offsets %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                             " differ from their first copy: receivers may keep either version "
                             "(overlap attack or corruption)",
                             x->conflict_off, x->conflict_off + (guint64)clen - 1);
        it = proto_tree_add_uint64(tree, hf_conflict_offset, seg, (gint)x->conflict_at, clen,
                                   x->conflict_off);
        proto_item_set_generated(it);
        if (x->conflict_frame)
            generated_uint(tree, hf_conflict_first, seg, x->conflict_frame);
        col_append_str(pinfo->cinfo, COL_INFO, " [overlap conflict]");
    }
}

void mw_show_segment(const mw_stream_proto *sp, const mw_call *call, tvbuff_t *tvb,
                     packet_info *pinfo, proto_tree *tree)
{
    const mw_call_x *x = mw_call_xq(call);
    proto_item *root = proto_tree_add_item(tree, *sp->proto, tvb, 0, -1, ENC_NA);
    proto_tree *t = proto_item_add_subtree(root, *sp->ett);
    proto_item *it;
    if (call->kind == MW_CALL_HELD || (x && x->repeat == MW_REPEAT_HELD)) {
        /* bytes that wait for a hole, or a copy of such bytes */
        guint32 in = 0;
        if (call->kind == MW_CALL_HELD && x)
            in = x->released_in;
        else if (x && x->dup_of && mw_call_xq(x->dup_of))
            in = mw_call_xq(x->dup_of)->released_in;
        it = proto_tree_add_item(t, hf_held, tvb, 0, -1, ENC_NA);
        mw_expert(pinfo, it, &ei_out_of_order);
        if (in)
            generated_uint(t, hf_released_in, tvb, in);
        if (in == pinfo->num)
            col_set_str(pinfo->cinfo, COL_INFO,
                        "Out-of-order segment (held until the capture ended: dissected here)");
        else if (in)
            col_add_fstr(pinfo->cinfo, COL_INFO, "Out-of-order segment (dissected in frame %u)", in);
        else
            col_set_str(pinfo->cinfo, COL_INFO,
                        "Out-of-order segment (held ahead of a hole: dissected where it fills)");
    } else if (x && x->repeat == MW_REPEAT_MISSING) {
        col_set_str(pinfo->cinfo, COL_INFO, "Late copy of bytes reported missing (not dissected)");
    } else if (x && x->first_frame) {
        col_add_fstr(pinfo->cinfo, COL_INFO, "Retransmitted data (dissected in frame %u)",
                     x->first_frame);
    } else {
        col_set_str(pinfo->cinfo, COL_INFO, "Retransmitted data (dissected in its first copy)");
    }
    if (call->kind == MW_CALL_REPEAT && !(x && x->repeat == MW_REPEAT_HELD))
        mw_show_repeat(t, pinfo, call, tvb);
    else if (x && x->conflict_len) {
        /* only the conflict: the bytes are shown as held above */
        mw_call_x only = *x;
        mw_call_side side = *mw_call_sideq(call);
        mw_call c = *call;
        only.rep_len = 0;
        side.x = &only;
        c.ptr = &side;
        mw_show_repeat(t, pinfo, &c, tvb);
    }
}

void mw_show_sides(mw_ctx *ctx)
{
    if (ctx->dir == MW_DIR_SERVER)
        mw_expert_format(ctx->pinfo, ctx->root, &ei_sides,
                         "The ports make this end the client, but it sent the first bytes as a "
                         "greeting: it is taken as the server (a tunnel or proxy can rewrite ports)");
    else
        mw_expert_format(ctx->pinfo, ctx->root, &ei_sides,
                         "The ports make this end the server, but it opened with a client's "
                         "command: it is taken as the client (a tunnel or proxy can rewrite ports)");
}

void mw_show_no_state(const mw_stream_proto *sp, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    proto_item *it = proto_tree_add_item(tree, *sp->proto, tvb, 0, -1, ENC_NA);
    mw_expert(pinfo, it, &ei_no_state);
}

void mw_show_register(int proto_mail)
{
    static hf_register_info hf[] = {
        {&hf_retransmission,
         {"Retransmitted data", "mail.stream.retransmission", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes this direction already carried in an earlier segment, dissected there", HFILL}},
        {&hf_retransmission_text,
         {"Retransmitted data, as text", "mail.stream.retransmission.text", FT_STRING, BASE_NONE,
          NULL, 0x0, "Escaped where not printable; the first 1024 octets", HFILL}},
        {&hf_conflict_text,
         {"Second copy with different bytes, as text", "mail.stream.conflict.text", FT_STRING,
          BASE_NONE, NULL, 0x0, "Escaped where not printable; the first 1024 octets", HFILL}},
        {&hf_first_copy,
         {"First copy in frame", "mail.stream.first_copy_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The frame whose copy of these bytes was dissected", HFILL}},
        {&hf_not_compared,
         {"Bytes not compared", "mail.stream.not_compared", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Bytes of this copy that were not compared with the dissected copy: that copy's bytes "
          "were older than the comparison window or released when the connection closed",
          HFILL}},
        {&hf_carried,
         {"Line start from an earlier segment", "mail.stream.carried", FT_BYTES, BASE_NONE, NULL,
          0x0, NULL, HFILL}},
        {&hf_carried_from,
         {"Line started in frame", "mail.stream.carried_from", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_continued_in,
         {"Line continues in frame", "mail.stream.continued_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_partial,
         {"Incomplete line (continues in a later segment)", "mail.stream.partial", FT_BYTES,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_carried_text,
         {"Line start from an earlier segment, as text", "mail.stream.carried.text", FT_STRING,
          BASE_NONE, NULL, 0x0, "Escaped where not printable; the first 1024 octets", HFILL}},
        {&hf_partial_text,
         {"Incomplete line, as text", "mail.stream.partial.text", FT_STRING, BASE_NONE, NULL,
          0x0, "Escaped where not printable; the first 1024 octets", HFILL}},
        {&hf_lost,
         {"Bytes missing before this segment", "mail.stream.lost", FT_UINT32, BASE_DEC, NULL, 0x0,
          NULL, HFILL}},
        {&hf_held,
         {"Out-of-order data", "mail.stream.out_of_order", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes that arrived ahead of a hole in the stream", HFILL}},
        {&hf_released,
         {"Bytes of earlier out-of-order segments", "mail.stream.released", FT_BYTES, BASE_NONE,
          NULL, 0x0, "Bytes that arrived ahead of a hole, dissected here where it filled", HFILL}},
        {&hf_released_in,
         {"Dissected in frame", "mail.stream.dissected_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The frame whose arrival filled the hole, where these bytes are dissected", HFILL}},
        {&hf_preface_from,
         {"Client bytes sent in frame", "mail.stream.preface_from", FT_FRAMENUM, BASE_NONE, NULL,
          0x0, "The client sent these bytes (a PROXY header) before anything showed the "
          "session's protocol; they are dissected here, where it did", HFILL}},
        {&hf_offset,
         {"Stream offset", "mail.stream.offset", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Offset of this call's first new byte in its direction's stream", HFILL}},
        {&hf_late,
         {"Late copy of missing bytes", "mail.stream.late", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes of a hole already reported missing from the capture: not dissected", HFILL}},
        {&hf_conflict,
         {"Second copy with different bytes", "mail.stream.conflict", FT_BYTES,
          BASE_SHOW_ASCII_PRINTABLE, NULL, 0x0,
          "Bytes at stream offsets already carried, with other content than the first copy",
          HFILL}},
        {&hf_conflict_offset,
         {"Conflicting stream offset", "mail.stream.conflict_offset", FT_UINT64, BASE_DEC, NULL,
          0x0, "Stream offset of the first byte that differs from the first copy", HFILL}},
        {&hf_conflict_first,
         {"First copy in frame", "mail.stream.conflict_first_in", FT_FRAMENUM, BASE_NONE, NULL,
          0x0, "The frame that carried the first copy of these stream offsets", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_lost,
         {"mail.stream.lost", PI_SEQUENCE, PI_WARN, "Bytes missing from the capture", EXPFILL}},
        {&ei_retransmission,
         {"mail.stream.retransmission", PI_SEQUENCE, PI_NOTE,
          "Retransmitted data: already dissected where it was first seen", EXPFILL}},
        {&ei_out_of_order,
         {"mail.stream.out_of_order", PI_SEQUENCE, PI_NOTE,
          "Segment ahead of a hole in the stream: dissected once the hole is filled", EXPFILL}},
        {&ei_late,
         {"mail.stream.late_copy", PI_SEQUENCE, PI_NOTE,
          "Late copy of bytes already reported missing from the capture: not dissected",
          EXPFILL}},
        {&ei_conflict,
         {"mail.stream.overlap_conflict", PI_SECURITY, PI_WARN,
          "A second copy of stream bytes differs from the first", EXPFILL}},
        {&ei_sides,
         {"mail.stream.sides_from_bytes", PI_PROTOCOL, PI_NOTE,
          "Client and server taken from the bytes (a greeting or a first command), not the ports",
          EXPFILL}},
        {&ei_no_state,
         {"mail.stream.no_state", PI_UNDECODED, PI_WARN,
          "No state from the first pass for this call", EXPFILL}},
    };
    proto_register_field_array(proto_mail, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto_mail);
    expert_register_field_array(em, ei, array_length(ei));
}

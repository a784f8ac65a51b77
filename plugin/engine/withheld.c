/* The postdissector of the engine: see engine/withheld.h.  It reads TCP's
 * fields, which postdissector_wanted_hfids keep in the tree on every pass,
 * with or without a detailed tree (tshark without -V builds one for it). */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>

#include "engine/conv.h"
#include "engine/record.h"
#include "engine/show.h"
#include "engine/withheld.h"

#define MW_MAX_STREAM_PROTOS 4
static const mw_stream_proto *stream_protos[MW_MAX_STREAM_PROTOS];
static dissector_handle_t stream_handles[MW_MAX_STREAM_PROTOS];
static dissector_handle_t tls_handle;
static int hf_tcp_payload_id = -1;
static int hf_tcp_seq_id = -1;
static int hf_tcp_ack_id = -1;
static int hf_tcp_fin_id = -1;
static int hf_tcp_rst_id = -1;
static int hf_frame_protocols_id = -1;
/* TCP's flags of segments it keeps from subdissectors (with its default
 * tcp.no_subdissector_on_error) */
static const char *const withheld_flags[] = {
    "tcp.analysis.retransmission", "tcp.analysis.out_of_order",
    "tcp.analysis.spurious_retransmission", "tcp.analysis.fast_retransmission"};
static int hf_withheld_ids[G_N_ELEMENTS(withheld_flags)];

void mw_withheld_remember(const mw_stream_proto *sp)
{
    for (int i = 0; i < MW_MAX_STREAM_PROTOS; i++) {
        if (stream_protos[i] == sp)
            return;
        if (!stream_protos[i]) {
            stream_protos[i] = sp;
            /* registered under the protocol's filter name */
            stream_handles[i] = find_dissector(proto_get_protocol_filter_name(*sp->proto));
            return;
        }
    }
}

static field_info *first_field(proto_tree *tree, int hf)
{
    if (hf < 0 || !tree)
        return NULL;
    /* The fields are wanted by the postdissector, so the tree indexes them:
     * look them up there rather than search the tree (and allocate). */
    GPtrArray *a = proto_get_finfo_ptr_array(tree, hf);
    return a && a->len ? (field_info *)g_ptr_array_index(a, 0) : NULL;
}

static guint32 field_uint(field_info *f)
{
    return fvalue_get_uinteger(MW_FINFO_FVALUE(f));
}

static gboolean tcp_withheld(proto_tree *tree)
{
    for (guint i = 0; i < G_N_ELEMENTS(withheld_flags); i++)
        if (first_field(tree, hf_withheld_ids[i]))
            return TRUE;
    return FALSE;
}

static gboolean field_set(field_info *f)
{
    return f && fvalue_get_uinteger64(MW_FINFO_FVALUE(f)) != 0;
}

/* frame.protocols is filled from the layers before postdissectors run:
 * append the protocol to its value (a string buffer), so that filters on it
 * find the frames whose bytes mailwire shows.  The field is in the tree
 * whenever something reads it (a shown tree, a filter, a column, -e); it is
 * not among the wanted fields, so that "is frame.protocols read on this
 * pass" keeps its answer (message_tree.c asks it before running IMF) and
 * tshark's protocol hierarchy does not count "frame" as a protocol. */
static void name_in_frame_protocols(proto_tree *tree, const mw_stream_proto *sp)
{
    /* indexed when a filter asks for it; a shown tree or -e has it unindexed,
     * near the top (frame's own subtree): found at once */
    field_info *f = first_field(tree, hf_frame_protocols_id);
    if (!f && hf_frame_protocols_id >= 0 && proto_field_is_referenced(tree, hf_frame_protocols_id)) {
        GPtrArray *a = proto_find_first_finfo(tree, hf_frame_protocols_id);
        f = a->len ? (field_info *)g_ptr_array_index(a, 0) : NULL;
        g_ptr_array_free(a, TRUE);
    }
    if (!f)
        return;
    wmem_strbuf_t *sb = (wmem_strbuf_t *)fvalue_get_strbuf(MW_FINFO_FVALUE(f));
    const char *name = proto_get_protocol_filter_name(*sp->proto);
    if (!sb || strstr(wmem_strbuf_get_str(sb), name))
        return;
    wmem_strbuf_append_printf(sb, ":%s", name);
}

/* Hand a segment to the protocol's handle (its layer, for later dissectors
 * and taps) and name the protocol in frame.protocols. */
static int feed_segment(int i, tvbuff_t *seg, packet_info *pinfo, proto_tree *tree,
                        struct tcpinfo *ti)
{
    const mw_stream_proto *sp = stream_protos[i];
    int done = stream_handles[i] ? call_dissector_only(stream_handles[i], seg, pinfo, tree, ti)
                                 : mw_stream_dissect(sp, seg, pinfo, tree, ti);
    if (done > 0)
        name_in_frame_protocols(tree, sp);
    return done;
}

/* A later pass: feed what the first pass fed, from where it lay in the
 * frame (TCP's fields may be absent from a filtered pass's tree). */
static int refeed_segment(int i, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    const mw_withheld_at *at = mw_record_get_withheld(stream_protos[i], pinfo);
    if (!at || tvb_captured_length_remaining(tvb, at->start) < at->len)
        return 0;
    struct tcpinfo ti;
    memset(&ti, 0, sizeof ti);
    ti.seq = at->seq;
    ti.nxtseq = at->seq + (guint32)at->len;
    return feed_segment(i, tvb_new_subset_length(tvb, at->start, at->len), pinfo, tree, &ti);
}

static int dissect_withheld_segment(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                    void *data _U_)
{
    if (pinfo->flags.in_error_pkt)
        return 0;
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    if (!conv)
        return 0;
    for (int i = 0; i < MW_MAX_STREAM_PROTOS && stream_protos[i]; i++) {
        const mw_stream_proto *sp = stream_protos[i];
        mw_conv *mc = (mw_conv *)conversation_get_proto_data(conv, *sp->proto);
        if (!mc)
            continue;
        if (mw_record_had_tcp(sp, pinfo))
            return 0; /* TCP handed the segment to the engine */
        gboolean first = mw_record_unvisited(pinfo);
        if (!first)
            return mw_record_had_call(sp, pinfo) ? 0 : refeed_segment(i, tvb, pinfo, tree);
        if (!tree)
            return 0; /* TCP's fields are read from the tree */
        int dir = mw_conv_direction(sp, mc, pinfo, NULL);
        field_info *ack = first_field(tree, hf_tcp_ack_id);
        if (first && ack)
            mw_order_ack(&mc->flow[1 - dir], field_uint(ack));
        field_info *pf = first_field(tree, hf_tcp_payload_id);
        field_info *sf = first_field(tree, hf_tcp_seq_id);
        if (!pf || !sf || !pf->ds_tvb || pf->length <= 0) {
            field_info *fin = first_field(tree, hf_tcp_fin_id);
            field_info *rst = first_field(tree, hf_tcp_rst_id);
            if (first && (field_set(fin) || field_set(rst))) {
                mw_order_close(&mc->flow[dir]); /* no more data in this direction */
                if (sf)
                    mw_conv_flow_ended(sp, mc, dir, field_uint(sf));
            }
            return 0;
        }
        guint32 seq = field_uint(sf);
        if (mw_record_had_call(sp, pinfo))
            return 0; /* out of TLS: the TCP bytes were TLS's */
        if (proto_is_frame_protocol(pinfo->layers, "tls") || !tcp_withheld(tree) ||
                   (mc->flow[dir].other_owner && tls_handle &&
                    conversation_get_dissector(conv, pinfo->num) == tls_handle)) {
            /* Another dissector took these bytes (TLS, also a segment of a
             * record it reassembles later), or they repeat TLS's: no hole
             * of the mail stream.  (Withheld segments of a conversation
             * handed to TLS whose bytes still come to mailwire, as when TLS
             * never started, are the mail stream's.) */
            mw_seq_start st;
            mw_conv_seq_start(pinfo, &st);
            mw_order_consumed(&mc->flow[dir], &st, seq, (guint)pf->length);
            return 0;
        }
        /* TCP withheld it: place it like any other, through the protocol's
         * handle (its layer, for later dissectors and taps). */
        struct tcpinfo ti;
        memset(&ti, 0, sizeof ti);
        ti.seq = seq;
        ti.nxtseq = seq + (guint32)pf->length;
        if (ack) {
            ti.lastackseq = field_uint(ack);
            ti.flags = 0x010;
        }
        if (pf->ds_tvb == tvb)
            mw_record_put_withheld(sp, pinfo, pf->start, pf->length, seq);
        return feed_segment(i, tvb_new_subset_length(pf->ds_tvb, pf->start, pf->length), pinfo,
                            tree, &ti);
    }
    return 0;
}

void mw_stream_handoff(int proto_mail)
{
    hf_tcp_payload_id = proto_registrar_get_id_byname("tcp.payload");
    hf_tcp_seq_id = proto_registrar_get_id_byname("tcp.seq");
    hf_tcp_ack_id = proto_registrar_get_id_byname("tcp.ack");
    hf_tcp_fin_id = proto_registrar_get_id_byname("tcp.flags.fin");
    hf_tcp_rst_id = proto_registrar_get_id_byname("tcp.flags.reset");
    hf_frame_protocols_id = proto_registrar_get_id_byname("frame.protocols");
    tls_handle = find_dissector("tls");
    dissector_handle_t h = create_dissector_handle(dissect_withheld_segment, proto_mail);
    register_postdissector(h);
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    int ids[] = {hf_tcp_payload_id, hf_tcp_seq_id, hf_tcp_ack_id, hf_tcp_fin_id, hf_tcp_rst_id};
    for (guint i = 0; i < G_N_ELEMENTS(ids); i++)
        if (ids[i] >= 0)
            g_array_append_val(wanted, ids[i]);
    for (guint i = 0; i < G_N_ELEMENTS(withheld_flags); i++) {
        hf_withheld_ids[i] = proto_registrar_get_id_byname(withheld_flags[i]);
        if (hf_withheld_ids[i] >= 0)
            g_array_append_val(wanted, hf_withheld_ids[i]);
    }
    set_postdissector_wanted_hfids(h, wanted);
}

void mw_stream_register(int proto_mail)
{
    mw_show_register(proto_mail);
    mw_conv_register(proto_mail);
}

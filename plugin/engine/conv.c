/* A mail conversation: see engine/conv.h. */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/prefs.h>
#include <epan/prefs-int.h>
#include <epan/dissectors/packet-tcp.h>

#include "engine/conv.h"
#include "engine/heap.h"

static int preface_proto = -1;

void mw_conv_register(int proto_mail)
{
    preface_proto = proto_mail;
}

void mw_stream_keep_preface(packet_info *pinfo, const guint8 *bytes, guint len)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    if (preface_proto < 0 || !len || conversation_get_proto_data(conv, preface_proto))
        return;
    mw_preface *p = wmem_new0(wmem_file_scope(), mw_preface);
    p->bytes = (const guint8 *)wmem_memdup(wmem_file_scope(), bytes, len);
    p->len = len;
    p->frame = pinfo->num;
    copy_address_wmem(wmem_file_scope(), &p->src, &pinfo->src);
    p->srcport = pinfo->srcport;
    conversation_add_proto_data(conv, preface_proto, p);
}

static const mw_preface *preface_of(conversation_t *conv)
{
    return conv && preface_proto >= 0 ? (const mw_preface *)conversation_get_proto_data(conv, preface_proto)
                                      : NULL;
}

gboolean mw_stream_has_preface(packet_info *pinfo, gboolean *from_src)
{
    const mw_preface *p = preface_of(find_conversation_pinfo(pinfo, 0));
    if (!p)
        return FALSE;
    *from_src = pinfo->srcport == p->srcport && addresses_equal(&pinfo->src, &p->src);
    return TRUE;
}

mw_conv *mw_conv_get(const mw_stream_proto *sp, packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    mw_conv *mc = (mw_conv *)conversation_get_proto_data(conv, *sp->proto);
    if (!mc) {
        mc = wmem_new0(wmem_file_scope(), mw_conv);
        mc->preface = preface_of(conv);
        conversation_add_proto_data(conv, *sp->proto, mc);
    }
    return mc;
}

/* On the heap, not in file scope: a conversation that has ended gives its
 * state back (mw_conv_flow_ended), and the memory goes to later ones. */
void *mw_conv_state(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo)
{
    if (!mc->state) {
        mc->state = mw_heap_realloc(NULL, sp->state_size);
        memset(mc->state, 0, sp->state_size);
        if (sp->state_init)
            sp->state_init(mc->state, pinfo);
        mc->flow[0].ended = mc->flow[1].ended = FALSE;
    }
    return mc->state;
}

void mw_conv_flow_ended(const mw_stream_proto *sp, mw_conv *mc, int dir, guint32 seq)
{
    mw_flow *flow = &mc->flow[dir];
    flow->ended = mw_order_complete_at(flow, seq);
    if (!mc->state || !mc->flow[0].ended || !mc->flow[1].ended)
        return;
    if (sp->state_free)
        sp->state_free(mc->state);
    mw_heap_free(mc->state);
    mc->state = NULL;
}

void *mw_stream_conv_data(const mw_stream_proto *sp, packet_info *pinfo)
{
    return mw_conv_get(sp, pinfo);
}

void mw_stream_set_server(const mw_stream_proto *sp, packet_info *pinfo, gboolean src_is_server)
{
    mw_conv *mc = mw_conv_get(sp, pinfo);
    if (mc->server_known)
        return;
    copy_address_wmem(wmem_file_scope(), &mc->server_addr, src_is_server ? &pinfo->src : &pinfo->dst);
    mc->server_port = src_is_server ? pinfo->srcport : pinfo->destport;
    mc->server_known = TRUE;
}

/* The server is the side that greets or the other side of the one that
 * opens with a command; failing that the side on the port we were
 * registered for, or the lower port. */
int mw_conv_direction(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo, tvbuff_t *tvb)
{
    if (!mc->server_known) {
        gboolean src_is_server;
        if (pinfo->match_uint == pinfo->srcport && pinfo->match_uint != pinfo->destport)
            src_is_server = TRUE;
        else if (pinfo->match_uint == pinfo->destport && pinfo->match_uint != pinfo->srcport)
            src_is_server = FALSE;
        else
            src_is_server = pinfo->srcport < pinfo->destport;
        guint len = tvb ? tvb_captured_length(tvb) : 0;
        int side = sp->first_side && len ? sp->first_side(tvb_get_ptr(tvb, 0, (gint)len), len)
                                         : MW_SIDE_UNKNOWN;
        if (side != MW_SIDE_UNKNOWN && (side == MW_SIDE_SERVER) != src_is_server) {
            src_is_server = !src_is_server;
            mc->sides_frame = pinfo->num;
        }
        mw_stream_set_server(sp, pinfo, src_is_server);
    }
    if (pinfo->srcport == mc->server_port && addresses_equal(&pinfo->src, &mc->server_addr))
        return MW_DIR_SERVER;
    return MW_DIR_CLIENT;
}

/* TCP's flags as packet-tcp.c sets them (tcp_flow_t.static_flags, and
 * tcp_acked.flags of the current segment). */
#define MW_TCP_S_SAW_SYN_OR_SYNACK 0x06
#define MW_TCP_A_LOST_PACKET 0x0002
#define MW_TCP_A_OUT_OF_ORDER 0x0200

static gboolean tcp_relative_seq(void)
{
    /* the preferences are registered once; their values may change */
    static pref_t *a, *r;
    if (!a || !r) {
        module_t *m = prefs_find_module("tcp");
        a = m ? prefs_find_preference(m, "analyze_sequence_numbers") : NULL;
        r = m ? prefs_find_preference(m, "relative_sequence_numbers") : NULL;
    }
    return a && r && prefs_get_bool_value(a, pref_current) && prefs_get_bool_value(r, pref_current);
}

void mw_conv_seq_start(packet_info *pinfo, mw_seq_start *st)
{
    static int proto_tcp = -1;
    st->known = FALSE;
    st->seq0 = 0;
    if (!tcp_relative_seq())
        return;
    if (proto_tcp == -1)
        proto_tcp = proto_get_id_by_filter_name("tcp");
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    struct tcp_analysis *tcpd =
        conv ? (struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp) : NULL;
    if (!tcpd || !tcpd->fwd || !(tcpd->fwd->static_flags & MW_TCP_S_SAW_SYN_OR_SYNACK))
        return;
    if (!tcpd->ta || !(tcpd->ta->flags & (MW_TCP_A_LOST_PACKET | MW_TCP_A_OUT_OF_ORDER)))
        return;
    /* relative sequence numbers: the byte after the SYN is 1 */
    st->known = TRUE;
    st->seq0 = 1;
}

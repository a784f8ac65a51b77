/* The per-call store: see engine/record.h.  Calls are file-scope proto data
 * of the frame under the protocol's id, key index + 1; the per-pass counters
 * are packet-scope proto data (keys 0 and 1 of that list). */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto_data.h>

#include "engine/record.h"

#define KEY_CALLS 0
#define KEY_TCP 1

mw_call *mw_call_new(int dir, guint8 kind)
{
    mw_call *c = wmem_new0(wmem_file_scope(), mw_call);
    c->dir = (guint8)dir;
    c->kind = kind;
    return c;
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

mw_call *mw_record_get(const mw_stream_proto *sp, packet_info *pinfo, guint index)
{
    return (mw_call *)p_get_proto_data(wmem_file_scope(), pinfo, *sp->proto, index + 1);
}

void mw_record_put(const mw_stream_proto *sp, packet_info *pinfo, guint index, mw_call *call)
{
    p_add_proto_data(wmem_file_scope(), pinfo, *sp->proto, index + 1, call);
}

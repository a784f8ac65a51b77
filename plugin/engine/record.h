/* The per-call store: what the first pass decided for each call of a frame,
 * found again on every later pass by (protocol, frame, call index).  The one
 * place of the engine that asks whether this is the first pass. */
#ifndef MAILWIRE_ENGINE_RECORD_H
#define MAILWIRE_ENGINE_RECORD_H

#include "engine/flow.h"

/* The frame is seen for the first time (nothing is stored for it yet). */
gboolean mw_record_unvisited(packet_info *pinfo);
/* This pass: the index of the protocol's next call in this frame (0, 1...). */
guint mw_record_next_index(const mw_stream_proto *sp, packet_info *pinfo);
/* This pass: the protocol had a call in this frame. */
gboolean mw_record_had_call(const mw_stream_proto *sp, packet_info *pinfo);
/* This pass: a TCP segment of this frame went through the engine (not only
 * bytes out of TLS). */
void mw_record_mark_tcp(const mw_stream_proto *sp, packet_info *pinfo);
gboolean mw_record_had_tcp(const mw_stream_proto *sp, packet_info *pinfo);
/* The stored call (NULL: none). */
mw_call *mw_record_get(const mw_stream_proto *sp, packet_info *pinfo, guint index);
void mw_record_put(const mw_stream_proto *sp, packet_info *pinfo, guint index, mw_call *call);

#endif

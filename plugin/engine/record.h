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

/* Results derived once from what a call completes (the MIME walk of a
 * whole message, its DKIM verdicts...), for code that shows them on every
 * pass and has no record of its own to keep them in: parse adds them, in
 * order, to a list of the frame under (proto, tag), both the caller's (tag:
 * a four-letter constant); every pass reads the same list back.  Adding
 * needs the live context of parse (ctx->state set), so a result is computed
 * once whatever the pass. */
void mw_record_add_derived(mw_ctx *ctx, int proto, guint32 tag, void *data);
guint mw_record_derived_count(packet_info *pinfo, int proto, guint32 tag);
void *mw_record_derived(packet_info *pinfo, int proto, guint32 tag, guint i);

/* A segment the postdissector fed on the first pass: where its payload lies
 * in the frame, so later passes feed the same bytes without TCP's fields
 * (a filtered pass may not build them). */
typedef struct mw_withheld_at {
    gint start;
    gint len;
    guint32 seq;
} mw_withheld_at;
void mw_record_put_withheld(const mw_stream_proto *sp, packet_info *pinfo, gint start, gint len,
                            guint32 seq);
const mw_withheld_at *mw_record_get_withheld(const mw_stream_proto *sp, packet_info *pinfo);

#endif

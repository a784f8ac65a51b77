/* The engine's own items (registered under protocol "mail"): what it did
 * with a segment's bytes, shown from the stored call on every pass. */
#ifndef MAILWIRE_ENGINE_SHOW_H
#define MAILWIRE_ENGINE_SHOW_H

#include "engine/flow.h"

void mw_show_register(int proto_mail);

/* Items of a call the protocol saw: missing bytes before it, the carried
 * line, the incomplete line left, bytes released from a hole. */
void mw_show_call(mw_ctx *ctx, const mw_call *call, tvbuff_t *data, guint consumed);
/* The call whose bytes, against the ports, decided which end is the server. */
void mw_show_sides(mw_ctx *ctx);
/* A call whose bytes only extend the carried line (the protocol is not
 * called): seg is the segment's own bytes. */
void mw_show_carry_only(const mw_stream_proto *sp, const mw_call *call, tvbuff_t *seg,
                        packet_info *pinfo, proto_tree *tree, gboolean first_of_frame);
/* The segment's leading bytes that were seen before, and bytes that differ
 * from their first copy; seg is the whole segment. */
void mw_show_repeat(proto_tree *tree, packet_info *pinfo, const mw_call *call, tvbuff_t *seg);
/* A segment with nothing to dissect here: waiting for a hole, or a copy. */
void mw_show_segment(const mw_stream_proto *sp, const mw_call *call, tvbuff_t *tvb,
                     packet_info *pinfo, proto_tree *tree);
/* A revisited frame the first pass stored nothing for. */
void mw_show_no_state(const mw_stream_proto *sp, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

#endif

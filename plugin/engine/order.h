/* Placement of TCP segments by sequence number, one direction (first pass
 * only).  See the bounds in engine/flow.h. */
#ifndef MAILWIRE_ENGINE_ORDER_H
#define MAILWIRE_ENGINE_ORDER_H

#include "engine/flow.h"

/* How the flow's position 0 is chosen for its first segment. */
typedef struct mw_seq_start {
    gboolean known;  /* the stream starts at sequence number seq0 */
    guint32 seq0;
} mw_seq_start;

/* Place the segment tvb (sequence number seq) in flow and append to calls
 * the calls of this frame: first the segment's own (DATA, HELD or REPEAT),
 * then a DATA call for each hole taken as missing and the bytes after it. */
void mw_order_place(mw_flow *flow, int dir, const mw_seq_start *start, tvbuff_t *tvb, guint32 seq,
                    guint32 frame, GPtrArray *calls);

/* Bytes given to another dissector (TLS after STARTTLS): not a hole.
 * flow->other_owner tells that the latest bytes at the front went there. */
void mw_order_consumed(mw_flow *flow, const mw_seq_start *start, guint32 seq, guint len);

/* The peer acknowledged up to ack. */
void mw_order_ack(mw_flow *flow, guint32 ack);

/* Bytes still waiting when the capture ended: the frame of the earliest
 * segment among them (0: none). */
guint32 mw_order_held_frame(const mw_flow *flow);

/* The frame of the first waiting segment in stream order (0: none). */
guint32 mw_order_next_frame(const mw_flow *flow);

/* Dissect the first waiting segment's bytes (the hole before them taken as
 * missing): a DATA call, NULL when nothing waits. */
mw_call *mw_order_release_one(mw_flow *flow, int dir, guint32 frame);

/* Release the comparison window (the direction has ended). */
void mw_order_close(mw_flow *flow);

/* A FIN or RST at sequence number seq (the byte after the segment's data):
 * TRUE when every byte of the direction before it has been placed and none
 * waits, so that no byte of the stream is still to come. */
gboolean mw_order_complete_at(const mw_flow *flow, guint32 seq);

#endif

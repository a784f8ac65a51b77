/* The stream engine's own types: one direction's placement state (flow), the
 * carried line, and what the first pass stores per call.  Not for protocols:
 * they see engine/stream.h only. */
#ifndef MAILWIRE_ENGINE_FLOW_H
#define MAILWIRE_ENGINE_FLOW_H

#include <epan/packet.h>

#include "engine/stream.h"

/* A hole waits for its bytes while the peer has not ACKed past it, and in
 * any case while less than MW_HOLD_WINDOW bytes of later data of its
 * direction have arrived (captures merged from two taps reorder segments
 * whatever the ACKs say).  Past MW_HOLD_MAX of later data it is taken as
 * missing from the capture even when the peer never ACKed it. */
#define MW_HOLD_WINDOW (1u << 20)
#define MW_HOLD_MAX (16u << 20)
/* Recently placed bytes kept per direction, to compare a second copy with
 * the first. */
#define MW_COMPARE_WINDOW 65536u
/* Recent deliveries remembered per direction (the frame of a first copy). */
#define MW_RECENT 16
/* Holes reported missing remembered per direction (a late copy of their
 * bytes was never dissected). */
#define MW_LOST_RANGES 8

/* A line cut by segment boundaries: one growing buffer per line.  Calls
 * refer to it by (holder, length): their carried part is its first bytes. */
typedef struct mw_carry {
    guint8 *bytes;          /* engine/heap.h, grows by doubling */
    guint len, cap;
    guint32 from;           /* the frame the line started in */
    guint32 continued_in;   /* the frame that took the line (0: not yet) */
    gboolean has_eol;       /* a CR or LF among the bytes */
} mw_carry;

/* Delivered bytes other than the segment's own (file-scope copies of
 * segments that waited for a hole). */
typedef struct mw_piece {
    const guint8 *bytes;
    guint len;
} mw_piece;

/* What the segment's bytes before the stream's front were. */
enum mw_repeat {
    MW_REPEAT_NONE,
    MW_REPEAT_DISSECTED, /* a copy of bytes dissected in an earlier frame */
    MW_REPEAT_MISSING,   /* bytes of a hole already reported missing: never dissected */
    MW_REPEAT_HELD       /* a copy of bytes still waiting for a hole */
};

/* The rarer facts of a call, apart to keep mw_call small. */
typedef struct mw_call_x {
    guint32 lost;             /* bytes missing before this call's bytes */
    guint npieces;
    mw_piece *pieces;         /* delivered after the segment's own bytes */
    guint8 repeat;            /* enum mw_repeat of the segment's leading bytes */
    guint rep_len;            /* ... how many (from tvb offset 0) */
    guint32 first_frame;      /* frame of the first copy (0: unknown) */
    guint conflict_at;        /* tvb offset of bytes that differ from the first copy */
    guint conflict_len;
    guint uncompared;         /* repeated bytes no longer held to compare (older than the
                               * window, or the connection was closed) */
    guint64 conflict_off;     /* ... their stream offset */
    guint32 conflict_frame;
    guint32 released_in;      /* held bytes: the frame that dissects them */
    struct mw_call *dup_of;   /* a copy of held bytes: the call holding the first */
} mw_call_x;

enum mw_call_kind {
    MW_CALL_DATA,   /* bytes for the protocol */
    MW_CALL_HELD,   /* the segment's bytes wait for a hole */
    MW_CALL_REPEAT  /* nothing new in the segment */
};

#define MW_CF_MORE 0x01       /* another call of this frame follows */
#define MW_CF_MID_LINE 0x02   /* the engine's mid_line before the call */
#define MW_CF_CARRY_ONLY 0x04 /* the bytes only extend the carried line */
#define MW_CF_END 0x08        /* dissects bytes the first pass left held */
#define MW_CF_SIDES 0x10      /* its bytes, not the ports, decided the sides */
#define MW_CF_PREFACE 0x20    /* client bytes of an earlier frame (mw_preface) */
#define MW_CF_SIDE 0x40       /* the call has a mw_call_side (mw_call.ptr) */

/* The carried line of a call and its rarer facts, apart: most calls have
 * neither, and the call record stays small (many are kept). */
typedef struct mw_call_side {
    mw_carry *carry;        /* the line carried into the call (NULL: none) */
    mw_carry *left;         /* the holder of the incomplete line it left (NULL: none) */
    mw_call_x *x;           /* NULL when none of its facts apply */
    void *data;             /* the protocol's record of the call (see mw_call) */
    guint32 carry_len;      /* bytes of carry before the segment's own */
    guint32 skip;           /* the segment's bytes before its own delivered ones */
} mw_call_side;

/* What the first pass stores per call; later passes repeat it from this.
 * The stream offset shares a word with the kind, direction and flags: 48
 * bits count more bytes than any capture holds. */
typedef struct mw_call {
    guint64 offset : 48;    /* stream offset of the first byte after the carried ones */
    guint64 kind : 2;
    guint64 dir : 1;
    guint64 flags : 8;
    guint32 own_len;        /* the segment's own delivered bytes: tvb [skip, skip + own_len),
                             * skip in the side (0 without one) */
    guint32 consumed;       /* records mode: bytes parse consumed */
    /* The protocol's record of the call; with MW_CF_SIDE the call's side
     * instead, which holds the record (most calls have no side: one
     * pointer serves both). */
    void *ptr;
} mw_call;

/* The comparison window and recent deliveries of one direction. */
typedef struct mw_window {
    guint8 *bytes;          /* ring (engine/heap.h): byte p is bytes[p & (cap - 1)] */
    guint cap, len;         /* valid: the len bytes before the flow's next */
    gint64 recent_start[MW_RECENT], recent_end[MW_RECENT];
    guint32 recent_frame[MW_RECENT];
    guint recent_i;
} mw_window;

/* The latest holes of a direction reported missing: [from, to) positions.
 * Apart from the flow: few directions ever have one. */
typedef struct mw_lost {
    gint64 from[MW_LOST_RANGES], to[MW_LOST_RANGES];
    guint i;
} mw_lost;

/* Placement state of one direction, advanced on the first pass only.
 * Positions are 64-bit: position 0 is the stream's first byte. */
typedef struct mw_flow {
    gboolean seq_known;
    guint32 base_seq;       /* the sequence number of position 0 */
    gint64 next;            /* the first position not yet placed */
    guint64 offset;         /* stream offset the protocol sees for the next byte */
    gint64 place_delta;     /* offset - next when the current segment came */
    void *held;             /* GSequence of mw_held, by position, not overlapping */
    gint64 held_end;
    gboolean ack_known;
    guint32 peer_ack;       /* the peer's latest ACK (this direction's sequence numbers) */
    mw_window *win;
    gboolean other_owner;   /* the latest bytes at the front went to another dissector (TLS) */
    struct mw_lost *lost;   /* holes reported missing (NULL: none yet) */
    mw_carry *carry;        /* the line being carried (NULL: none) */
    gboolean mid_line;      /* an over-long line is being delivered in fragments */
    gboolean ended;         /* a FIN or RST came after every byte before it was placed */
} mw_flow;

mw_call_side *mw_call_side_get(mw_call *call);
mw_call_x *mw_call_x_get(mw_call *call);

/* The call's side (NULL: no carried line, none left, no rarer facts). */
static inline mw_call_side *mw_call_sideq(const mw_call *call)
{
    return (call->flags & MW_CF_SIDE) ? (mw_call_side *)call->ptr : NULL;
}
static inline void *mw_call_data(const mw_call *call)
{
    const mw_call_side *side = mw_call_sideq(call);
    return side ? side->data : call->ptr;
}
static inline void mw_call_set_data(mw_call *call, void *data)
{
    mw_call_side *side = mw_call_sideq(call);
    if (side)
        side->data = data;
    else
        call->ptr = data;
}
static inline const mw_call_x *mw_call_xq(const mw_call *call)
{
    const mw_call_side *side = mw_call_sideq(call);
    return side ? side->x : NULL;
}
static inline mw_carry *mw_call_carry(const mw_call *call)
{
    const mw_call_side *side = mw_call_sideq(call);
    return side ? side->carry : NULL;
}
static inline mw_carry *mw_call_left(const mw_call *call)
{
    const mw_call_side *side = mw_call_sideq(call);
    return side ? side->left : NULL;
}
static inline guint32 mw_call_carry_len(const mw_call *call)
{
    const mw_call_side *side = mw_call_sideq(call);
    return side ? side->carry_len : 0;
}
static inline guint32 mw_call_skip(const mw_call *call)
{
    const mw_call_side *side = mw_call_sideq(call);
    return side ? side->skip : 0;
}
/* Sets the call's skip (a side only when it is not 0). */
void mw_call_set_skip(mw_call *call, guint32 skip);

mw_call *mw_call_new(int dir, guint8 kind);

#endif

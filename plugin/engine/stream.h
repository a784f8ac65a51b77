/* The stream engine shared by the three mail dissectors.
 *
 * A mail session is two byte streams.  The engine turns the calls Wireshark
 * makes (one per TCP segment, or one per decrypted TLS record) into an
 * in-order byte stream per direction, and keeps dissection the same on every
 * pass.  Its parts (plugin/engine/): order.c places segments by sequence
 * number, record.c stores what the first pass decided per call, carry.c
 * keeps a line cut by segment boundaries, withheld.c sees the segments no
 * mailwire dissector is called for, show.c shows the engine's own items.
 *
 *  - Order.  Segments are placed by sequence number per direction.  Bytes
 *    after a hole wait for it while the peer has not ACKed past it (the
 *    receiver lacks them too, so a retransmission will come) and, whatever
 *    the ACKs say, while less than 1 MiB of later data of that direction has
 *    arrived (also where no ACK is seen at all); past 16 MiB they wait no
 *    more.  A late segment that fills a hole within those bounds is dissected
 *    in the frame where it arrives, whatever TCP's analysis calls it (TCP
 *    withholds retransmitted and out-of-order segments from subdissectors:
 *    the engine's postdissector hands them over, on every pass and with or
 *    without a detailed tree).  Only past the bounds is a hole reported as
 *    bytes missing (mail.stream.lost), and dissection goes on after it.
 *  - Copies.  Bytes before the stream's front are a copy: shown as a
 *    retransmission when the bytes were dissected, as a late copy when they
 *    belong to a hole already reported missing, and compared with the first
 *    copy (the last 64 KiB of each direction are kept): different bytes get
 *    a PI_SECURITY overlap-conflict expert naming the stream offsets and the
 *    first copy's frame, with the second copy's bytes shown.
 *  - The end of the capture.  Bytes still waiting when the first pass ends
 *    have had no call to be dissected in.  One pass shows their segments as
 *    held.  On the first revisit of the frame that brought the earliest of
 *    them (in capture order, either direction), the engine dissects them all
 *    there, the two directions interleaved in the capture order of their
 *    segments, each hole before them reported missing: tshark -2 and the GUI
 *    thus show every byte, and the waiting segments link to that frame.
 *    (In a live capture a revisit can come before the end: bytes that arrive
 *    after it for those holes are then late copies.)
 *  - TLS.  After STARTTLS the TLS dissector takes the bytes; the engine is
 *    told of them (no hole) and gets the decrypted records when there are
 *    keys.  Plaintext that follows (TLS never started) is in order.
 *  - Lines.  A line cut by a segment boundary is carried (up to MW_MAX_CARRY
 *    bytes) and joined with the next call of the same direction, so a
 *    protocol sees whole lines; body bytes (DATA, literals, RETR) are never
 *    carried: protocols consume them as they come.  The growing line is one
 *    buffer per line; calls refer to its first bytes.  While it has no CR or
 *    LF and a segment adds none, the protocol is not called again (the call
 *    only extends the line), so a line sent one byte per segment costs
 *    linear time and memory.  TCP is never asked to desegment.
 *
 * Protocols work in records mode: parse runs once per call on the first
 * pass with the live state and stores a record; render shows the call from
 * that record alone on every pass (ctx->state is NULL then), so a revisit of
 * any frame, in any order, runs no session machine and no protocol state is
 * ever copied.  Only the engine's record store (record.c) knows which pass
 * this is.
 */
#ifndef MAILWIRE_STREAM_H
#define MAILWIRE_STREAM_H

#include <epan/packet.h>

#include "core/text/lines.h"

enum { MW_DIR_CLIENT = 0, MW_DIR_SERVER = 1 };

/* Which end sent some bytes, as the bytes themselves show it. */
enum { MW_SIDE_UNKNOWN = 0, MW_SIDE_SERVER, MW_SIDE_CLIENT };

/* A partial line longer than this is handed to the protocol as a fragment. */
#define MW_MAX_CARRY 65536

typedef struct mw_ctx mw_ctx;

typedef struct mw_stream_proto {
    int *proto;        /* the protocol's id */
    int *ett;          /* subtree of its root item */
    const char *label; /* "SMTP", "IMAP", "POP": the Protocol column */
    size_t state_size; /* the protocol's conversation state (one per conversation) */
    /* Set up a new conversation's state (zeroed before the call). */
    void (*state_init)(void *state, packet_info *pinfo);
    /* parse: first pass only, once per call, in stream order.  Runs the
     *   session machine over tvb (from offset 0) with ctx->state live, stores
     *   what it found in a file-scope record and sets ctx->rec to it; returns
     *   the bytes consumed (the rest is an incomplete line the engine
     *   carries).  It adds nothing to the tree, columns, experts or taps, and
     *   may fill links into the records of earlier calls.
     * render: every pass, after parse on the first one.  Shows the call from
     *   ctx->rec alone (tree, columns, experts, taps, data sources);
     *   ctx->state is NULL and no session machine runs. */
    guint (*parse)(mw_ctx *ctx, tvbuff_t *tvb);
    void (*render)(mw_ctx *ctx, tvbuff_t *tvb);
    /* Bytes of direction dir are missing before this call (lost in capture);
     * first pass only.  May be NULL. */
    void (*gap)(void *state, int dir, guint32 missing);
    /* The end that sent buf, the first bytes of a conversation whose sides
     * come from ports: a greeting says the server, an opening command the
     * client (MW_SIDE_UNKNOWN: neither, the ports stand).  Bytes overrule
     * ports, which a tunnel can rewrite (HTTP CONNECT on a port that is not
     * HTTP's gives the tunnel's port to both ends).  May be NULL. */
    int (*first_side)(const guint8 *buf, guint len);
    /* The conversation has ended on the first pass (both directions closed
     * with every byte before their FIN or RST placed): release what the
     * state owns; the engine then frees the state itself.  Records must not
     * point into the state.  Bytes that still come later get a new state.
     * May be NULL when the state owns nothing the capture's end would not
     * free. */
    void (*state_free)(void *state);
} mw_stream_proto;

/* What a protocol's parse and render callbacks get. */
struct mw_ctx {
    packet_info *pinfo;
    proto_tree *tree;       /* the protocol's subtree for this call */
    proto_item *root;       /* its root item */
    void *state;            /* live state in parse; NULL in render */
    int dir;                /* MW_DIR_CLIENT or MW_DIR_SERVER */
    gboolean tls;           /* the bytes came out of TLS */
    guint64 stream_offset;  /* this direction's stream offset of tvb offset 0 */
    guint carried;          /* tvb's first bytes that came from earlier frames */
    guint32 carried_from;   /* the frame those bytes started in */
    guint call_index;       /* which call of this protocol in this frame (0, 1...) */
    const mw_stream_proto *sp;
    /* the call's record (set by parse, read by render) and the bytes parse
     * consumed */
    void *rec;
    guint consumed;
    /* set by mw_next_line when the last line it returned is a fragment of an
     * over-long line, or continues one */
    gboolean mid_line;
    /* the bytes are not from pinfo's source: client bytes of an earlier
     * frame dissected here (mw_stream_keep_preface) */
    gboolean foreign;
};

/* A line found by mw_next_line. */
typedef struct mw_line_at {
    gint offset;        /* in the tvb */
    mw_line line;       /* content length, line end, flags */
    gboolean fragment;  /* no line end: part of an over-long line */
    gboolean continued; /* this line continues a fragment shown earlier */
} mw_line_at;

/* Find the next line at *offset; advance *offset past it.  Returns FALSE when
 * the rest of the tvb is an incomplete line the engine should carry.  A line
 * longer than MW_MAX_CARRY without an end comes back as a fragment. */
gboolean mw_next_line(mw_ctx *ctx, tvbuff_t *tvb, gint *offset, mw_line_at *out);

/* The entry point for a protocol's dissector function. */
int mw_stream_dissect(const mw_stream_proto *sp, tvbuff_t *tvb, packet_info *pinfo,
                      proto_tree *tree, void *data);

/* Mark the conversation's client side (for heuristics that see the client
 * first) so direction is right from the first call. */
void mw_stream_set_server(const mw_stream_proto *sp, packet_info *pinfo, gboolean src_is_server);

/* Bytes the client sent alone before any dissector claimed the conversation
 * (a PROXY header whose protocol only the next segment shows): kept, once
 * per conversation, so that the protocol that claims the conversation later
 * dissects them as the start of the client's stream, in the frame where it
 * claims it. */
void mw_stream_keep_preface(packet_info *pinfo, const guint8 *bytes, guint len);
/* Whether such bytes are kept for pinfo's conversation; *from_src says
 * whether pinfo's source sent them. */
gboolean mw_stream_has_preface(packet_info *pinfo, gboolean *from_src);

/* Shared protocol fields of the engine (registered under proto "mail"). */
void mw_stream_register(int proto_mail);
/* Hooks the engine to TCP segments TCP keeps from subdissectors. */
void mw_stream_handoff(int proto_mail);

/* A per-conversation object owned by the protocol, apart from its state:
 * created once on the first pass, reachable on every pass. */
void *mw_stream_conv_data(const mw_stream_proto *sp, packet_info *pinfo);

#endif

/* A mail conversation as the engine keeps it: the two directions' flows,
 * which side is the server, the protocol's state. */
#ifndef MAILWIRE_ENGINE_CONV_H
#define MAILWIRE_ENGINE_CONV_H

#include "engine/flow.h"
#include "engine/order.h"

/* Client bytes seen before the conversation was claimed (mw_stream_keep_preface). */
typedef struct mw_preface {
    const guint8 *bytes;    /* file scope */
    guint len;
    guint32 frame;          /* where they were sent */
    address src;            /* their sender, the client */
    guint32 srcport;
} mw_preface;

typedef struct mw_conv {
    address server_addr;
    guint32 server_port;
    gboolean server_known;
    guint32 sides_frame;    /* the frame whose bytes overruled the ports (0: none) */
    mw_flow flow[2];
    void *state;            /* the protocol's, sp->state_size bytes (NULL: none yet, or
                             * released when the conversation ended) */
    guint32 end_frame;      /* where bytes the first pass left waiting are dissected */
    gboolean end_known, end_done;
    const mw_preface *preface; /* to dissect before the first call (NULL: none) */
    gboolean preface_done;
} mw_conv;

/* The "mail" protocol id, under which prefaces are kept per conversation. */
void mw_conv_register(int proto_mail);

/* The conversation of pinfo (created on first use). */
mw_conv *mw_conv_get(const mw_stream_proto *sp, packet_info *pinfo);
/* First pass: the protocol's live state (created on first use, and again
 * for bytes that come after the conversation ended). */
void *mw_conv_state(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo);
/* First pass: a FIN or RST of direction dir at sequence number seq (past
 * the segment's data).  Once both directions have ended with every byte
 * placed, the state is released (sp->state_free, then freed). */
void mw_conv_flow_ended(const mw_stream_proto *sp, mw_conv *mc, int dir, guint32 seq);
/* MW_DIR_CLIENT or MW_DIR_SERVER for pinfo's source.  The first call of a
 * conversation decides the sides: from its bytes (tvb, may be NULL) when
 * they show which end sent them, else from the ports. */
int mw_conv_direction(const mw_stream_proto *sp, mw_conv *mc, packet_info *pinfo, tvbuff_t *tvb);
/* Where a direction's stream starts, from TCP's view of this segment: at
 * the byte after the SYN when TCP saw the SYN and finds bytes missing or out
 * of order before this segment (they are still to come); else here. */
void mw_conv_seq_start(packet_info *pinfo, mw_seq_start *st);

#endif

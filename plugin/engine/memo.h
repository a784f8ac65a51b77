/* Facts that code outside the stream engine decides from a frame on its
 * first pass (a message's DKIM verdicts, the DKIM keys of a DNS answer) and
 * reads on every later one, under a key of its own (a frame number, or a
 * frame and an ordinal).  The engine, not the caller, knows which pass this
 * is: a fact missing on a later pass stays missing rather than being
 * decided out of order. */
#ifndef MAILWIRE_ENGINE_MEMO_H
#define MAILWIRE_ENGINE_MEMO_H

#include <epan/packet.h>

typedef struct mw_memo mw_memo;

/* Decides the fact for this frame; NULL stores nothing. */
typedef void *(*mw_memo_decide)(packet_info *pinfo, void *arg);

/* A memo for the capture (emptied when the file scope ends); call at
 * registration. */
mw_memo *mw_memo_new(void);

/* The fact stored under key; when there is none and this is the frame's
 * first pass, decide(pinfo, arg) is stored and returned.  decide NULL (and
 * pinfo NULL too): look up only. */
void *mw_memo_get(mw_memo *m, packet_info *pinfo, guint64 key, mw_memo_decide decide, void *arg);

#endif

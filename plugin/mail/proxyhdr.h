/* The HAProxy PROXY header (v1 or v2) a proxy puts before the first byte of
 * SMTP, IMAP or POP3: found by the stream engine at the start of the
 * client's stream, whichever protocol follows. */
#ifndef MAILWIRE_PROXYHDR_H
#define MAILWIRE_PROXYHDR_H

#include <epan/packet.h>

#include "engine/stream.h"

/* mail_proxy_call: the header is not complete yet (the engine carries). */
#define MAIL_PROXY_MORE G_MAXUINT

/* Called for the call that holds the first bytes of the client's stream.
 * On the first pass (first) the bytes are parsed and the result kept for
 * the frame; on every pass the header is shown under ctx->tree and the
 * claimed client is told to the tap.  Returns the header's length (0: the
 * stream has no header), or MAIL_PROXY_MORE. */
guint mail_proxy_call(mw_ctx *ctx, tvbuff_t *bytes, gboolean first);
/* After the protocol rendered the rest: the header's summary in the Info column. */
void mail_proxy_col(mw_ctx *ctx);

void mail_proxy_register(int proto_mail);

#endif

/* The trace header fields of each delivered message as fields: Received
 * hops (newest first, with TLS hints and dates that go backwards),
 * Authentication-Results methods (with a dkim=pass claim checked against
 * the DKIM body hash here), the ARC sets and their chain, Return-Path against
 * the SMTP envelope sender, Delivered-To and X-Original-To.  Decided when the
 * message is first shown and kept as a small record, so every later showing
 * reads the record, also when the message's bytes are not kept
 * (mail.message.keep off).
 */
#ifndef MAILWIRE_TRACE_FIELDS_H
#define MAILWIRE_TRACE_FIELDS_H

#include <epan/packet.h>

/* The SMTP/LMTP envelope sender (MAIL FROM, "" for the null path) of the
 * message shown next in this packet, for the Return-Path comparison. */
void mail_trace_envelope(packet_info *pinfo, const char *mail_from);

/* Shows the trace fields of the message buf[0..len) held by msg under
 * tree; whole is FALSE for a header block alone (POP3 TOP, IMAP
 * BODY[HEADER]).  Each call is one message of the frame, in the same order
 * on every pass. */
void mail_trace_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const guint8 *buf,
                    guint len, gboolean whole);

/* The same for a message whose bytes were not kept: shown from its record
 * alone, items over tvb without a span. */
void mail_trace_add_dropped(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

void mail_trace_register(int proto);

#endif

/* DKIM-Signature fields of a delivered message (RFC 6376, RFC 8463, RFC
 * 8301): every tag, the body hash checked against the bytes delivered and
 * the signature verified with a key from the keys file or a DNS answer of
 * the capture (dkim_keys.h).  Decided once, on the first pass, where the
 * message completes, and kept as small records: a revisit shows the same
 * verdicts whether or not the message bytes were kept (mail.message.keep). */
#ifndef MAILWIRE_DKIM_FIELDS_H
#define MAILWIRE_DKIM_FIELDS_H

#include <epan/packet.h>

#include "mail/dkim_record.h"

/* A whole message buf[0..len), held by the tvb msg, shown under tree:
 * checked on the first pass, shown from the record on every pass.  Each
 * call is one message of the frame, in the frame's order. */
void mail_dkim_message(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const guint8 *buf,
                       guint len);

/* A whole message of the frame whose bytes were not kept for this revisit:
 * its DKIM records shown under tree (items over tvb, no bytes). */
void mail_dkim_dropped(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

/* The DKIM key records of a DNS answer frame (dkim_keys.c), with the
 * verdicts decided there and links to the messages that used them. */
void mail_dkim_show_dns_keys(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                             wmem_array_t *keys);

void mail_dkim_register(int proto);
void mail_dkim_handoff(void);

#endif

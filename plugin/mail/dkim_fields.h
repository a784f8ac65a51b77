/* DKIM-Signature fields of a delivered message (RFC 6376): signing domain,
 * selector and the body hash checked against the bytes delivered, once per
 * message and kept for the capture.  The signature over the header fields
 * needs the signer's public key; none is read yet, so its verdict is
 * "no key" for every well-formed signature. */
#ifndef MAILWIRE_DKIM_FIELDS_H
#define MAILWIRE_DKIM_FIELDS_H

#include <epan/packet.h>

typedef struct mail_dkim mail_dkim;

/* Checks the DKIM signatures of buf[0..len) (file scope result, NULL when
 * the message has none). */
mail_dkim *mail_dkim_note(const guint8 *buf, guint len);

void mail_dkim_show(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const mail_dkim *d);

void mail_dkim_register(int proto);

#endif

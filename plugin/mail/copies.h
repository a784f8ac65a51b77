/* One message seen several times in a capture (submitted by SMTP, fetched
 * by IMAP, retrieved by POP3): copies are matched by Message-ID or by a
 * keyed digest of the body, linked both ways, and compared: header fields the
 * later copy added or lacks, and the first byte where the bodies differ
 * (read from the earlier copy's kept bytes, mail/keep.h; when messages are
 * not kept, only the 64-byte block holding it, from hashes of the blocks of
 * the body's first 4096 bytes kept here).  Everything is computed when
 * a copy is first walked and kept for the capture; earlier copies get their
 * link to a later one when it arrives.
 * At most 16 copies of one message are linked. */
#ifndef MAILWIRE_COPIES_H
#define MAILWIRE_COPIES_H

#include <epan/packet.h>

typedef struct mail_copy mail_copy;

/* Notes the message buf[0..len) of frame pinfo->num, carried by proto
 * ("SMTP", "IMAP", "POP"), and links it to earlier copies.  Once per
 * message. */
mail_copy *mail_copies_note(packet_info *pinfo, const char *proto, const guint8 *buf, guint len);

/* Shows the links of c and how the copies differ under tree. */
void mail_copies_show(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const mail_copy *c);

void mail_copies_register(int proto);

#endif

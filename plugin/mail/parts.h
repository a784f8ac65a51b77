/* The MIME structure of each delivered message as fields: the walk its
 * protocol noted when the message completed (walk.h), shown part by part
 * under the message with its section, type, disposition, file name,
 * encoding, sizes and hashes of the decoded bytes, on every pass, with or
 * without the message's bytes.  Also decides whether the built-in IMF
 * dissector may be called for the message at all: Wireshark asserts when a
 * frame holds more protocol layers than its tree depth allows, which a deep
 * MIME nesting or hundreds of messages in one frame would reach.
 */
#ifndef MAILWIRE_PARTS_H
#define MAILWIRE_PARTS_H

#include <epan/packet.h>

struct mail_walk;

/* Takes the noted walk of the frame's next whole message, buf[0..len), and
 * queues the message for the taps with it (statistics, Export Objects).
 * NULL when its protocol noted no walk. */
const struct mail_walk *mail_parts_take(packet_info *pinfo, const guint8 *buf, guint len);

/* Shows the parts of a whole message held by msg under tree, from w (as
 * mail_parts_take gave it; NULL shows nothing).  Returns TRUE when the IMF
 * dissector may show it too. */
gboolean mail_parts_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree,
                        const struct mail_walk *w);

/* The same for a whole message of len bytes whose bytes were not kept
 * (mail.message.keep off, a revisit): its items lie at offset 0 of tvb.  The
 * taps get the message all the same, from its walk. */
void mail_parts_show_dropped(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint len);

/* Parts of w that are attachments (MW_PART_ATTACHMENT); 0 for NULL. */
unsigned mail_parts_attachments(const struct mail_walk *w);

/* Registers mail.part.* and mail.message.* under proto; safe to call twice. */
void mail_parts_register(int proto);

#endif

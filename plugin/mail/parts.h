/* The MIME structure of each delivered message as fields: one walk per
 * message (core/mail/mime), kept for the whole capture so a revisit shows
 * the same result without walking again, then shown part by part under the
 * message with its section, type, disposition, file name, encoding, sizes
 * and hashes of the decoded bytes.  Also decides whether the built-in IMF
 * dissector may be called for the message at all: Wireshark asserts when a
 * frame holds more protocol layers than its tree depth allows, which a deep
 * MIME nesting or hundreds of messages in one frame would reach.
 */
#ifndef MAILWIRE_PARTS_H
#define MAILWIRE_PARTS_H

#include <epan/packet.h>

/* Walks (once) and shows the parts of the whole message buf[0..len) held by
 * msg under tree.  Returns TRUE when the IMF dissector may show it too. */
gboolean mail_parts_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const guint8 *buf,
                        guint len);

/* The walk of the message whose bytes start at data, if this dissection of
 * the frame showed it (for the taps, which run after the dissection). */
struct mw_mime_message;
const struct mw_mime_message *mail_parts_of(packet_info *pinfo, const guint8 *data);

/* Parts of m that are attachments (MW_PART_ATTACHMENT); 0 for NULL. */
unsigned mail_parts_attachments(const struct mw_mime_message *m);

/* Registers mail.part.* and mail.message.* under proto; safe to call twice. */
void mail_parts_register(int proto);

#endif

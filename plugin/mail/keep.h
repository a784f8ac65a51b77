/* Whether whole-message bytes are kept for revisits (preference
 * mail.message.keep).  Each protocol collects a message's bytes on the first
 * pass and shows it (IMF subtree, statistics, Export Objects tap) in the call
 * that completes it.  Kept, the bytes stay for revisits (GUI clicks, tshark
 * -2, Export Objects in the GUI); not kept, they are freed right after that
 * first showing and revisits show mail.message.not_kept instead. */
#ifndef MAILWIRE_MAIL_KEEP_H
#define MAILWIRE_MAIL_KEEP_H

#include <epan/packet.h>

/* The preference (default TRUE). */
gboolean mw_keep_messages(void);

/* A completed message's buffer (file scope, cap bytes allocated): trimmed to
 * its len bytes, so a kept message costs its size once. */
guint8 *mw_keep_fit(guint8 *buf, size_t len);

/* The bytes to show a whole message from in this packet, given its buffer
 * *buf (file scope, len bytes).  Kept: *buf itself.  Not kept: a copy in
 * pinfo->pool (the packet's data sources and byte views may read it until
 * the packet is done), *buf freed and set to NULL. */
const guint8 *mw_keep_take(packet_info *pinfo, guint8 **buf, size_t len);

/* A revisit of a message whose bytes were not kept: say so under tree. */
void mw_keep_show_dropped(proto_tree *tree, tvbuff_t *tvb, guint64 len);

/* Registers the preference and mail.message.not_kept under proto "mail". */
void mw_keep_register(int proto_mail);

#endif

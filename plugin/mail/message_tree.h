/* The handoff of a reassembled mail message, shared by the SMTP, IMAP and
 * POP3 dissectors: the message becomes a data source of its own ("Message"),
 * the built-in IMF dissector shows it (MIME and all), and mailwire adds the
 * fields that matter for comparison and filtering as mail.header.*, with
 * addresses in bare form (a@b) so they compare with envelope addresses.
 */
#ifndef MAILWIRE_MESSAGE_TREE_H
#define MAILWIRE_MESSAGE_TREE_H

#include <epan/packet.h>

/* What the header block said, for comparison with an envelope.  Strings are
 * in pinfo->pool. */
typedef struct mail_message_facts {
    gboolean parsed;         /* a header block was found */
    guint from_fields;       /* number of From: fields */
    const char **from;       /* From: mailboxes, bare addresses */
    guint n_from;
    const char **to_cc;      /* To: and Cc: mailboxes, bare addresses */
    guint n_to_cc;
    gboolean has_sender;     /* a Sender: field is present */
    const char *subject;     /* decoded, NULL if none */
} mail_message_facts;

/* Show msg (a tvb holding the whole message, already unstuffed) under tree:
 * mail.header.* items, then the built-in IMF dissector's tree.  msg should be
 * a data source already (add_new_data_source).  out may be NULL. */
void mail_message_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, mail_message_facts *out);

/* The same for part of a message (a header block, a body part): shown the
 * same way, but neither counted nor exported as a message. */
void mail_message_add_part(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree,
                           mail_message_facts *out);

/* A new data source "Message" over len bytes at data (which must live at
 * least as long as the packet, e.g. file scope), child of parent. */
tvbuff_t *mail_message_tvb(tvbuff_t *parent, packet_info *pinfo, const guint8 *data, guint len);

/* Registers mail.header.* under proto (the "mail" protocol); safe to call
 * more than once. */
void mail_message_register(int proto);

#endif

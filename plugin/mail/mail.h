/* The shared "mail" protocol, its heuristics, and the registration entry
 * points of the three mail dissectors. */
#ifndef MAILWIRE_MAIL_H
#define MAILWIRE_MAIL_H

#include <epan/packet.h>
#include <epan/range.h>

void mail_register(void);
void mail_handoff(void);
void smtp_register(void);
void smtp_handoff(void);
void lmtp_register(void);
void lmtp_handoff(void);
void imap_register(void);
void imap_handoff(void);
void pop_register(void);
void pop_handoff(void);

/* The "mail" protocol id: cross-protocol fields (mail.header.*, mail.stream.*). */
extern int proto_mail;

/* Each protocol's heuristic test of a conversation's first bytes: returns
 * TRUE when buf[0..len) opens a session of that protocol, with
 * *src_is_server saying which side sent it. */
gboolean lmtp_looks_like(const guint8 *buf, guint len, gboolean *src_is_server);
gboolean smtp_looks_like(const guint8 *buf, guint len, gboolean *src_is_server);
gboolean imap_looks_like(const guint8 *buf, guint len, gboolean *src_is_server);
gboolean pop_looks_like(const guint8 *buf, guint len, gboolean *src_is_server);

/* The stream engine's first_side test (MW_SIDE_*) of a conversation whose
 * protocol the port already chose: a greeting or an opening command, looser
 * than the heuristic's (no protocol name needed in a greeting). */
int smtp_first_side(const guint8 *buf, guint len); /* SMTP and LMTP */
int imap_first_side(const guint8 *buf, guint len);
int pop_first_side(const guint8 *buf, guint len);

/* Handles for the heuristic to hand a claimed conversation to. */
dissector_handle_t lmtp_handle_get(void);
dissector_handle_t smtp_handle_get(void);
dissector_handle_t imap_handle_get(void);
dissector_handle_t pop_handle_get(void);
void lmtp_set_server(packet_info *pinfo, gboolean src_is_server);
void smtp_set_server(packet_info *pinfo, gboolean src_is_server);
void imap_set_server(packet_info *pinfo, gboolean src_is_server);
void pop_set_server(packet_info *pinfo, gboolean src_is_server);

/* The first line of buf, if it is a plausible protocol line: printable
 * ASCII (8-bit allowed) ended by LF within limit bytes.  Returns its length
 * without the line end, or -1. */
gint mail_first_line(const guint8 *buf, guint len, guint limit);

/* Register h as the application dissector of TLS on the ports in ports,
 * replacing what *registered held (a preference's apply callback). */
void mail_tls_ports_apply(range_t **registered, const range_t *ports, dissector_handle_t h);

#endif

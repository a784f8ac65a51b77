/* Port handles that stay reachable when mailwire is disabled: they call
 * mailwire's dissector while "mail" and the protocol are enabled, and the
 * built-in dissector of the same protocol otherwise. */
#ifndef MAILWIRE_MAIL_FALLBACK_H
#define MAILWIRE_MAIL_FALLBACK_H

#include <epan/packet.h>

typedef enum { MAIL_FB_SMTP, MAIL_FB_IMAP, MAIL_FB_POP, MAIL_FB_COUNT } mail_fb_proto;

void mail_fallback_register(void);
/* The port handle of a protocol: own is mailwire's handle, builtin the name
 * of Wireshark's dissector ("smtp", "imap", "pop"). Call from the handoff. */
dissector_handle_t mail_fallback_handle(mail_fb_proto which, dissector_handle_t own,
                                        const char *builtin);
/* Whether mailwire dissects the protocol now: "mail" and the protocol enabled. */
gboolean mail_fallback_mine(mail_fb_proto which);
/* The protocol that cannot be toggled, for other port handles of the kind. */
int mail_fallback_proto(void);
/* Move the protocol's TCP ports to ports (preference apply). */
void mail_fallback_tcp_ports_apply(mail_fb_proto which, range_t **registered,
                                   const range_t *ports);

#endif

/* The two port preferences every mail protocol has, tcp.port (cleartext,
 * handed back to the built-in dissector when mailwire is disabled) and
 * tls.ports (inside TLS from the first byte), registered and applied the
 * same way for each. */
#ifndef MAILWIRE_MAIL_PORTS_H
#define MAILWIRE_MAIL_PORTS_H

#include <epan/packet.h>
#include <epan/prefs.h>

#include "mail/fallback.h"

typedef struct mail_ports {
    mail_fb_proto which;
    const char *builtin;       /* Wireshark's dissector of the protocol ("imap") */
    range_t *tcp, *tls;        /* the preferences */
    range_t *tcp_applied, *tls_applied;
} mail_ports;

/* Registers tcp.port and tls.ports in module m with their defaults; name is
 * the protocol as the texts say it ("IMAP", "POP3"). */
void mail_ports_register(module_t *m, mail_ports *p, const char *name, const char *tcp_default,
                         const char *tls_default);

/* Moves the protocol to the ports the preferences now say (prefs apply and
 * handoff); own is mailwire's handle of the protocol. */
void mail_ports_apply(mail_ports *p, dissector_handle_t own);

#endif

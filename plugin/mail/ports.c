/* Port preferences of a mail protocol: see ports.h. */
#include "mail/ports.h"

#include <epan/wmem_scopes.h>

#include "mail/mail.h"

void mail_ports_register(module_t *m, mail_ports *p, const char *name, const char *tcp_default,
                         const char *tls_default)
{
    /* Preference texts must outlive the registration: kept for the program. */
    range_convert_str(wmem_epan_scope(), &p->tcp, tcp_default, 65535);
    prefs_register_range_preference(
        m, "tcp.port", g_strdup_printf("%s TCP ports", name),
        g_strdup_printf("TCP ports where %s runs in cleartext (disabling mailwire gives them back "
                        "to the built-in dissector)", name),
        &p->tcp, 65535);
    range_convert_str(wmem_epan_scope(), &p->tls, tls_default, 65535);
    prefs_register_range_preference(
        m, "tls.ports", g_strdup_printf("%s over implicit TLS ports", name),
        g_strdup_printf("TCP ports where %s runs inside TLS from the first byte (dissected after "
                        "decryption)", name),
        &p->tls, 65535);
}

void mail_ports_apply(mail_ports *p, dissector_handle_t own)
{
    /* The ports get the handle that falls back to the built-in dissector. */
    dissector_handle_t port = mail_fallback_handle(p->which, own, p->builtin);
    mail_fallback_tcp_ports_apply(p->which, &p->tcp_applied, p->tcp);
    mail_tls_ports_apply(&p->tls_applied, p->tls, port);
}

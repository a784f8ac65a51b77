/* The port tables hold one handle per port, and mailwire's handles replace the
 * built-in dissectors' there. Disabling a protocol only makes its own handle
 * decline, so the ports are given a handle of a protocol that cannot be
 * toggled; it chooses mailwire or the built-in dissector on every call. */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "mail/fallback.h"
#include "mail/mail.h"

static int proto_mail_ports = -1;

typedef struct {
    dissector_handle_t own;     /* mailwire's dissector */
    dissector_handle_t builtin; /* Wireshark's, NULL if absent */
    dissector_handle_t port;    /* what the port tables hold */
} mail_fb;

static mail_fb fbs[MAIL_FB_COUNT];

gboolean mail_fallback_mine(mail_fb_proto which)
{
    const mail_fb *f = &fbs[which];
    int own = f->own ? dissector_handle_get_protocol_index(f->own) : -1;
    return own >= 0 && proto_is_protocol_enabled(find_protocol_by_id(proto_mail)) &&
           proto_is_protocol_enabled(find_protocol_by_id(own));
}

int mail_fallback_proto(void)
{
    return proto_mail_ports;
}

static int fb_dispatch(mail_fb_proto which, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                       void *data)
{
    dissector_handle_t h = mail_fallback_mine(which) ? fbs[which].own : fbs[which].builtin;
    if (!h)
        return 0;
    return call_dissector_only(h, tvb, pinfo, tree, data);
}

static int fb_smtp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return fb_dispatch(MAIL_FB_SMTP, tvb, pinfo, tree, data);
}

static int fb_imap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return fb_dispatch(MAIL_FB_IMAP, tvb, pinfo, tree, data);
}

static int fb_pop(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return fb_dispatch(MAIL_FB_POP, tvb, pinfo, tree, data);
}

void mail_fallback_register(void)
{
    /* Registered by name: TLS hands decrypted data only to named dissectors. */
    static const dissector_t fns[MAIL_FB_COUNT] = {fb_smtp, fb_imap, fb_pop};
    static const char *const names[MAIL_FB_COUNT] = {"mail.smtp.port", "mail.imap.port",
                                                     "mail.pop.port"};
    proto_mail_ports = proto_register_protocol("mailwire port dispatch (mailwire or the built-in "
                                               "dissector)", "mailwire ports", "mail.ports");
    proto_set_cant_toggle(proto_mail_ports);
    static const char *const descs[MAIL_FB_COUNT] = {
        "SMTP (mailwire; the built-in when mailwire is disabled)",
        "IMAP (mailwire; the built-in when mailwire is disabled)",
        "POP3 (mailwire; the built-in when mailwire is disabled)"};
    for (int i = 0; i < MAIL_FB_COUNT; i++)
        fbs[i].port = register_dissector_with_description(names[i], descs[i], fns[i],
                                                          proto_mail_ports);
}

dissector_handle_t mail_fallback_handle(mail_fb_proto which, dissector_handle_t own,
                                        const char *builtin)
{
    mail_fb *f = &fbs[which];
    if (!f->own) {
        f->own = own;
        f->builtin = find_dissector(builtin);
    }
    return f->port;
}

void mail_fallback_tcp_ports_apply(mail_fb_proto which, range_t **registered, const range_t *ports)
{
    dissector_handle_t h = fbs[which].port;
    if (!h)
        return;
    const range_t *r = *registered;
    for (guint i = 0; r && i < r->nranges; i++)
        for (guint32 p = r->ranges[i].low; p && p <= r->ranges[i].high; p++)
            dissector_delete_uint("tcp.port", p, h);
    for (guint i = 0; ports && i < ports->nranges; i++)
        for (guint32 p = ports->ranges[i].low; p && p <= ports->ranges[i].high; p++)
            dissector_add_uint("tcp.port", p, h);
    wmem_free(wmem_epan_scope(), *registered);
    *registered = ports ? range_copy(wmem_epan_scope(), ports) : NULL;
}

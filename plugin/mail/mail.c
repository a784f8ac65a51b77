/* The shared "mail" protocol: cross-protocol fields, the stream engine's
 * fields, and the TCP heuristic that finds mail sessions on any port. */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/dissectors/packet-tls.h>

#include "mail/fallback.h"
#include "mail/dkim_fields.h"
#include "mail/keep.h"
#include "mail/mail.h"
#include "mail/lineitem.h"
#include "engine/stream.h"
#include "mail/tap.h"
#include "mail/proxyhdr.h"
#include "core/mail/proxy.h"

int proto_mail = -1;

gint mail_first_line(const guint8 *buf, guint len, guint limit)
{
    for (guint i = 0; i < len && i < limit; i++) {
        guint8 c = buf[i];
        if (c == '\n')
            return (gint)((i > 0 && buf[i - 1] == '\r') ? i - 1 : i);
        if (c < 0x20 && c != '\t' && c != '\r')
            return -1;
    }
    return -1;
}

typedef struct mail_candidate {
    gboolean (*looks_like)(const guint8 *buf, guint len, gboolean *src_is_server);
    dissector_handle_t (*handle)(void);
    void (*set_server)(packet_info *pinfo, gboolean src_is_server);
} mail_candidate;

static const mail_candidate candidates[] = {
    {lmtp_looks_like, lmtp_handle_get, lmtp_set_server},
    {smtp_looks_like, smtp_handle_get, smtp_set_server},
    {imap_looks_like, imap_handle_get, imap_set_server},
    {pop_looks_like, pop_handle_get, pop_set_server},
};

/* A valid PROXY header (v1 or v2) at the start of buf: its length, else 0. */
static guint proxy_header_len(const guint8 *buf, guint len)
{
    mw_proxy_header h;
    if (mw_proxy_parse(buf, len, false, &h) != MW_PROXY_HEADER || h.errors)
        return 0;
    return (guint)h.len;
}

/* Claim a TCP conversation on a port of no mail dissector when its first
 * bytes are a greeting or a first command; from then on the conversation is
 * the protocol's.  A PROXY header may come first: followed in its segment by
 * a client's first command, or alone, and then the next bytes decide (the
 * server's greeting, or the client's command); until they do, it claims
 * nothing, so a header before HTTP or anything else stays theirs. */
static mw_heur_bool mail_heuristic(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    guint len = tvb_captured_length(tvb);
    if (len < 4)
        return FALSE;
    const guint8 *buf = tvb_get_ptr(tvb, 0, len);
    gboolean kept_from_src = FALSE;
    gboolean kept = mw_stream_has_preface(pinfo, &kept_from_src);
    guint pre = kept ? 0 : proxy_header_len(buf, len);
    if (pre == len) {
        mw_stream_keep_preface(pinfo, buf, len);
        return FALSE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(candidates); i++) {
        gboolean src_is_server = FALSE;
        if (!candidates[i].looks_like(buf + pre, len - pre, &src_is_server))
            continue;
        /* after a header only its sender's command, or the other end's greeting */
        if ((pre && src_is_server) || (kept && kept_from_src == src_is_server))
            continue;
        dissector_handle_t h = candidates[i].handle();
        conversation_set_dissector(find_or_create_conversation(pinfo), h);
        candidates[i].set_server(pinfo, src_is_server);
        call_dissector_with_data(h, tvb, pinfo, tree, data);
        return TRUE;
    }
    return FALSE;
}

void mail_register(void)
{
    proto_mail = proto_register_protocol("mailwire mail protocols", "mailwire", "mail");
    mw_stream_register(proto_mail);
    mail_fallback_register();
    mw_lineitem_register(proto_mail);
    mw_tap_register(proto_mail);
    mw_keep_register(proto_mail);
    mail_proxy_register(proto_mail);
}

void mail_handoff(void)
{
    mw_stream_handoff(proto_mail);
    mail_dkim_handoff();
    heur_dissector_add("tcp", mail_heuristic, "Mail sessions (SMTP, LMTP, IMAP, POP3) on any port",
                       "mail_tcp", proto_mail, HEURISTIC_ENABLE);
}

static void tls_ports_each(const range_t *r, dissector_handle_t h, void (*fn)(guint, dissector_handle_t))
{
    for (guint i = 0; r && i < r->nranges; i++)
        for (guint32 p = r->ranges[i].low; p <= r->ranges[i].high && p != 0; p++)
            fn(p, h);
}

void mail_tls_ports_apply(range_t **registered, const range_t *ports, dissector_handle_t h)
{
    tls_ports_each(*registered, h, ssl_dissector_delete);
    tls_ports_each(ports, h, ssl_dissector_add);
    wmem_free(wmem_epan_scope(), *registered);
    *registered = range_copy(wmem_epan_scope(), ports);
}

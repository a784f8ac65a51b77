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

/* A valid PROXY header (v1 or v2) at the start of buf: its length (and
 * version), else 0. */
static guint proxy_header_len(const guint8 *buf, guint len, unsigned *version)
{
    mw_proxy_header h;
    if (mw_proxy_parse(buf, len, false, &h) != MW_PROXY_HEADER || h.errors)
        return 0;
    if (version)
        *version = h.version;
    return (guint)h.len;
}

/* Wireshark's own PROXY dissector, where it has one that takes the whole
 * conversation of a header it finds (4.4 and 4.6: its heuristic makes
 * itself the conversation's dissector, so after a header alone in its
 * segment the next bytes would never reach this heuristic).  While a header
 * waits for the bytes that tell its protocol, the conversation is held by a
 * handle of ours that shows the header through that dissector and gives the
 * conversation to it when the bytes are not mail.  This needs this heuristic
 * to be asked before Wireshark's PROXY one, as 4.4 and 4.6 do (the
 * proxy-*-any-port tests show it).  No such dissector (4.0 has a heuristic
 * only, or PROXY is disabled): the header is left to whoever takes it. */
static dissector_handle_t builtin_proxy[2];
static dissector_handle_t waiting_proxy[2];

static dissector_handle_t builtin_proxy_for(unsigned version)
{
    dissector_handle_t h = builtin_proxy[version == 2];
    if (!h)
        return NULL;
    int proto = dissector_handle_get_protocol_index(h);
    return proto_is_protocol_enabled(find_protocol_by_id(proto)) ? h : NULL;
}

/* Claim a TCP conversation on a port of no mail dissector when its first
 * bytes are a greeting or a first command; from then on the conversation is
 * the protocol's.  A PROXY header may come first: followed in its segment by
 * a client's first command, or alone, and then the next bytes decide (the
 * server's greeting, or the client's command); until they do, the
 * conversation waits (dissect_waiting_proxy) or is left alone, so a header
 * before HTTP or anything else stays theirs. */
static mw_heur_bool mail_heuristic(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    guint len = tvb_captured_length(tvb);
    if (len < 4)
        return FALSE;
    const guint8 *buf = tvb_get_ptr(tvb, 0, len);
    gboolean kept_from_src = FALSE;
    gboolean kept = mw_stream_has_preface(pinfo, &kept_from_src);
    unsigned version = 0;
    guint pre = kept ? 0 : proxy_header_len(buf, len, &version);
    if (pre == len) {
        mw_stream_keep_preface(pinfo, buf, len);
        dissector_handle_t shown = builtin_proxy_for(version);
        if (!shown)
            return FALSE;
        conversation_set_dissector(find_or_create_conversation(pinfo), waiting_proxy[version == 2]);
        call_dissector_with_data(shown, tvb, pinfo, tree, data);
        return TRUE;
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

/* The conversation's dissector while a PROXY header waits (see
 * builtin_proxy_for): the header itself goes to Wireshark's dissector; the
 * first bytes after it either claim the conversation for a mail protocol, or
 * give it to Wireshark's dissector, which then dissects them as it would
 * have. */
static int dissect_waiting_proxy(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data,
                                 unsigned version)
{
    guint len = tvb_captured_length(tvb);
    dissector_handle_t builtin = builtin_proxy_for(version);
    if (len && proxy_header_len(tvb_get_ptr(tvb, 0, len), len, NULL) == len && builtin)
        return call_dissector_with_data(builtin, tvb, pinfo, tree, data);
    if (mail_heuristic(tvb, pinfo, tree, data))
        return (int)len;
    if (!builtin)
        return 0;
    conversation_set_dissector(find_or_create_conversation(pinfo), builtin);
    return call_dissector_with_data(builtin, tvb, pinfo, tree, data);
}

static int dissect_waiting_proxy_v1(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissect_waiting_proxy(tvb, pinfo, tree, data, 1);
}

static int dissect_waiting_proxy_v2(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissect_waiting_proxy(tvb, pinfo, tree, data, 2);
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
    builtin_proxy[0] = find_dissector("proxy_v1");
    builtin_proxy[1] = find_dissector("proxy_v2");
    waiting_proxy[0] = create_dissector_handle(dissect_waiting_proxy_v1, proto_mail);
    waiting_proxy[1] = create_dissector_handle(dissect_waiting_proxy_v2, proto_mail);
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

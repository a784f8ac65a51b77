/* TLS around SMTP: STARTTLS (RFC 3207) handed to Wireshark's TLS dissector,
 * which gives the decrypted bytes back to mailwire; plaintext sent after the
 * STARTTLS line or after the server's 220 (command/response injection,
 * CVE-2011-0411 and kin); signs of STARTTLS stripping; and the implicit-TLS
 * ports (RFC 8314), where a server may still answer in plaintext.
 */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "mail/fallback.h"
#include "mail/lineitem.h"
#include "mail/mail.h"
#include "smtp/smtp_int.h"
#include "mail/tap.h"

static int ett_smtp_injected = -1;
static int ett_smtp_injected_line = -1;
static int hf_smtp_starttls_injected = -1;
static int hf_smtp_starttls_injected_line = -1;
static int hf_smtp_starttls_injected_command = -1;
static int hf_smtp_starttls_injected_args = -1;
static int hf_smtp_tls_record = -1;
static int hf_smtp_implicit_plaintext = -1;
static int hf_smtp_no_handshake = -1;

static expert_field ei_smtp_starttls_injection = EI_INIT;
static expert_field ei_smtp_starttls_response_injection = EI_INIT;
static expert_field ei_smtp_starttls_not_used = EI_INIT;
static expert_field ei_smtp_starttls_refused = EI_INIT;
static expert_field ei_smtp_starttls_not_offered = EI_INIT;
static expert_field ei_smtp_implicit_plaintext = EI_INIT;
static expert_field ei_smtp_starttls_no_handshake = EI_INIT;

static dissector_handle_t tls_handle;
static dissector_handle_t implicit_handle;

void smtp_tls_starttls_sent(smtp_call *sc)
{
    mw_smtp_client_starttls_sent(&sc->st->cl);
    sc->tls_line_here = TRUE;
}

void smtp_tls_plaintext_continues(smtp_call *sc, tvbuff_t *tvb, gint offset)
{
    smtp_node it = so_add_item(sc, sc->tree, hf_smtp_no_handshake, tvb, offset, 0, ENC_NA);
    so_set_generated(sc, it);
    so_expert(sc, it, &ei_smtp_starttls_no_handshake);
}

void smtp_tls_reply(smtp_call *sc, smtp_node reply_item, guint code)
{
    smtp_state *st = sc->st;
    if (mw_smtp_client_starttls_reply(&st->cl, code)) {
        if (tls_handle) /* parse runs once: on the first pass */
            ssl_starttls_ack(tls_handle, sc->pinfo, smtp_handle);
        sc->tls_line_here = TRUE;
        return;
    }
    so_expert_format(sc, reply_item, &ei_smtp_starttls_refused,
                           "STARTTLS refused (%u): the session goes on in plaintext; an attacker "
                           "on the path can cause this to strip TLS", code);
}

static gboolean looks_like_tls_record(tvbuff_t *tvb, gint offset)
{
    if (tvb_reported_length_remaining(tvb, offset) < 3)
        return FALSE;
    guint8 t = tvb_get_guint8(tvb, offset);
    return t >= 0x14 && t <= 0x17 && tvb_get_guint8(tvb, offset + 1) == 0x03;
}

/* The verb and arguments of an injected client line, under names of their
 * own (the session never saw them as commands: mail.smtp.command and the
 * envelope leave them out), mirrored to smtp.req.command and
 * smtp.req.parameter as the built-in shows them. */
static void injected_command(smtp_call *sc, smtp_node line, tvbuff_t *tvb, gint off, gint n)
{
    mw_smtp_cmd cmd;
    if (n <= 0 || !mw_smtp_cmd_parse(tvb_get_ptr(tvb, off, n), (size_t)n, &cmd))
        return;
    smtp_node t = so_subtree(sc, line, ett_smtp_injected_line);
    gint vo = off + (gint)cmd.name.off, vl = (gint)cmd.name.len;
    if (cmd.verb != MW_SMTP_UNKNOWN) {
        so_add_string_static(sc, t, hf_smtp_starttls_injected_command, tvb, vo, vl,
                             mw_smtp_verb_name(cmd.verb));
    } else {
        char *up = g_ascii_strup((const char *)tvb_get_ptr(tvb, vo, vl), vl);
        so_add_string(sc, t, hf_smtp_starttls_injected_command, tvb, vo, vl,
                      wmem_strdup(sc->pinfo->pool, up));
        g_free(up);
    }
    if (cmd.args.len)
        so_add_item(sc, t, hf_smtp_starttls_injected_args, tvb, off + (gint)cmd.args.off,
                    (gint)cmd.args.len, ENC_ASCII);
}

/* Plaintext after STARTTLS (client) or after the 220 (server), before TLS. */
gint dissect_smtp_injected(smtp_call *sc, tvbuff_t *tvb, gint offset, gboolean server)
{
    gint len = tvb_reported_length_remaining(tvb, offset);
    if (!server && looks_like_tls_record(tvb, offset)) {
        /* The handshake itself, with the 220 missing from the capture. */
        so_add_item(sc, sc->tree, hf_smtp_tls_record, tvb, offset, len, ENC_NA);
        so_col(sc, "%s", "C: TLS handshake");
        return offset + len;
    }
    smtp_node it = so_add_item(sc, sc->tree, hf_smtp_starttls_injected, tvb, offset, len, ENC_NA);
    so_set_text(sc, it, "Plaintext before TLS: %d bytes", len);
    smtp_node t = so_subtree(sc, it, ett_smtp_injected);
    if (server)
        so_mw_expert(sc, it, &ei_smtp_starttls_response_injection);
    else
        so_mw_expert(sc, it, &ei_smtp_starttls_injection);
    gint off = offset, end = offset + len;
    while (off < end) {
        gint lf = tvb_find_guint8(tvb, off, end - off, '\n');
        gint next = lf < 0 ? end : lf + 1;
        smtp_node li = so_add_item(sc, t, hf_smtp_starttls_injected_line, tvb, off, next - off, ENC_NA);
        gint n = (lf < 0 ? end : lf) - off;
        if (n > 0 && tvb_get_guint8(tvb, off + n - 1) == '\r')
            n--;
        so_set_text(sc, li, "Injected line: %s", mw_tvb_format_text(sc->pinfo->pool, tvb, off, n));
        if (!server)
            injected_command(sc, li, tvb, off, n);
        so_col(sc, "%s: %s (injected before TLS)", server ? "S" : "C",
               mw_line_text(sc->ctx, tvb, off, n));
        off = next;
    }
    return end;
}

gboolean smtp_tls_plaintext_risk(smtp_call *sc, guint8 verb)
{
    smtp_state *st = sc->st;
    if (st->tls || sc->ctx->tls || !st->tx.adv_starttls)
        return FALSE;
    return verb == MW_SMTP_AUTH || verb == MW_SMTP_MAIL;
}

void smtp_tls_plaintext_expert(smtp_call *sc, smtp_node it, guint8 verb)
{
    so_expert_format(sc, it, &ei_smtp_starttls_not_used,
                               "%s in plaintext although the server offered STARTTLS: the client "
                               "did not use it (or it was stripped from the EHLO reply)",
                               mw_smtp_verb_name((mw_smtp_verb)verb));
}

void smtp_tls_ehlo_done(smtp_call *sc, smtp_node it)
{
    smtp_state *st = sc->st;
    if (!st->tx.adv_starttls && !st->tls && !sc->ctx->tls && sc->pinfo->srcport == 587)
        so_expert(sc, it, &ei_smtp_starttls_not_offered);
}

/* ---- implicit-TLS ports -------------------------------------------------- */

/* What each direction of a conversation on an implicit-TLS port carries,
 * decided on its first payload (first pass) and kept. */
typedef struct smtp_implicit {
    guint8 kind[2]; /* 0 undecided, 1 TLS, 2 plaintext SMTP */
    guint32 server_port;
} smtp_implicit;

static wmem_map_t *implicit_convs;

static gboolean plaintext_smtp(tvbuff_t *tvb)
{
    guint len = tvb_captured_length(tvb);
    const guint8 *buf = tvb_get_ptr(tvb, 0, len);
    if (mail_first_line(buf, len, 512) < 3)
        return FALSE;
    mw_smtp_reply r;
    mw_smtp_cmd c;
    gint l = mail_first_line(buf, len, 512);
    return mw_smtp_reply_parse(buf, (size_t)l, &r) ||
           (mw_smtp_cmd_parse(buf, (size_t)l, &c) && c.verb != MW_SMTP_UNKNOWN);
}

static int dissect_smtp_implicit(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (!mail_fallback_mine(MAIL_FB_SMTP)) /* TLS hands the data to the built-in SMTP */
        return call_dissector_with_data(tls_handle, tvb, pinfo, tree, data);
    conversation_t *conv = find_or_create_conversation(pinfo);
    smtp_implicit *im = (smtp_implicit *)wmem_map_lookup(implicit_convs, conv);
    if (!im) {
        im = wmem_new0(wmem_file_scope(), smtp_implicit);
        im->server_port = pinfo->match_uint;
        wmem_map_insert(implicit_convs, conv, im);
    }
    int dir = pinfo->srcport == im->server_port ? MW_DIR_SERVER : MW_DIR_CLIENT;
    if (!im->kind[dir] && tvb_captured_length(tvb) > 0)
        im->kind[dir] = looks_like_tls_record(tvb, 0) || !plaintext_smtp(tvb) ? 1 : 2;
    if (im->kind[dir] != 2)
        return call_dissector_with_data(tls_handle, tvb, pinfo, tree, data);
    proto_item *it = proto_tree_add_item(tree, hf_smtp_implicit_plaintext, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(it);
    expert_add_info(pinfo, it, &ei_smtp_implicit_plaintext);
    return call_dissector_with_data(smtp_handle, tvb, pinfo, tree, data);
}

void smtp_tls_ports_apply(const range_t *ports)
{
    static range_t *registered;
    for (guint i = 0; registered && i < registered->nranges; i++)
        for (guint32 p = registered->ranges[i].low; p && p <= registered->ranges[i].high; p++)
            dissector_delete_uint("tcp.port", p, implicit_handle);
    for (guint i = 0; ports && i < ports->nranges; i++)
        for (guint32 p = ports->ranges[i].low; p && p <= ports->ranges[i].high; p++)
            dissector_add_uint("tcp.port", p, implicit_handle);
    wmem_free(wmem_epan_scope(), registered);
    registered = ports ? range_copy(wmem_epan_scope(), ports) : NULL;
}

void smtp_tls_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_smtp_starttls_injected,
         {"Plaintext before TLS", "mail.smtp.starttls.injected", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes sent in plaintext between STARTTLS and the TLS handshake", HFILL}},
        {&hf_smtp_starttls_injected_line,
         {"Injected line", "mail.smtp.starttls.injected_line", FT_BYTES, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_smtp_starttls_injected_command,
         {"Command", "mail.smtp.starttls.injected_command", FT_STRING, BASE_NONE, NULL, 0x0,
          "Verb of an injected client line, upper case", HFILL}},
        {&hf_smtp_starttls_injected_args,
         {"Arguments", "mail.smtp.starttls.injected_args", FT_STRING, BASE_NONE, NULL, 0x0,
          "Arguments of an injected client line", HFILL}},
        {&hf_smtp_tls_record,
         {"TLS record", "mail.smtp.starttls.tls_record", FT_BYTES, BASE_NONE, NULL, 0x0,
          "TLS bytes on the plaintext stream (the 220 to STARTTLS is not in the capture)",
          HFILL}},
        {&hf_smtp_no_handshake,
         {"Plaintext after STARTTLS was accepted", "mail.smtp.starttls.no_handshake", FT_NONE,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_implicit_plaintext,
         {"Plaintext on an implicit-TLS port", "mail.smtp.tls.plaintext", FT_NONE, BASE_NONE,
          NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_smtp_injected, &ett_smtp_injected_line};
    static ei_register_info ei[] = {
        {&ei_smtp_starttls_injection,
         {"mail.smtp.starttls.injection", PI_SECURITY, PI_ERROR,
          "Plaintext after STARTTLS, before TLS began: a server that buffers it executes it as "
          "if sent inside TLS (command injection)", EXPFILL}},
        {&ei_smtp_starttls_response_injection,
         {"mail.smtp.starttls.response_injection", PI_SECURITY, PI_ERROR,
          "Plaintext after the reply to STARTTLS, before TLS began: a client that buffers it "
          "takes it as replies inside TLS (response injection)", EXPFILL}},
        {&ei_smtp_starttls_not_used,
         {"mail.smtp.starttls.not_used", PI_SECURITY, PI_WARN,
          "Plaintext AUTH or MAIL on a server that offered STARTTLS", EXPFILL}},
        {&ei_smtp_starttls_refused,
         {"mail.smtp.starttls.refused", PI_SECURITY, PI_WARN, "STARTTLS refused", EXPFILL}},
        {&ei_smtp_starttls_not_offered,
         {"mail.smtp.starttls.not_offered", PI_SECURITY, PI_WARN,
          "Submission port 587 without STARTTLS in the EHLO reply: credentials and mail go in "
          "plaintext (or STARTTLS was stripped on the path)", EXPFILL}},
        {&ei_smtp_starttls_no_handshake,
         {"mail.smtp.starttls.no_handshake", PI_SECURITY, PI_WARN,
          "STARTTLS was accepted but the client goes on in plaintext: either the capture holds "
          "decrypted data put back in place, or TLS never started. Dissected as a new session",
          EXPFILL}},
        {&ei_smtp_implicit_plaintext,
         {"mail.smtp.tls.plaintext_on_tls_port", PI_SECURITY, PI_WARN,
          "Plaintext SMTP on an implicit-TLS port: this side does not speak TLS", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
    implicit_convs = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash,
                                            g_direct_equal);
    implicit_handle = register_dissector_with_description(
        "mail.smtp.implicit_tls", "mailwire SMTP on an implicit-TLS port (TLS, or plaintext)",
        dissect_smtp_implicit, mail_fallback_proto()); /* reached even when disabled */
}

void smtp_tls_handoff(void)
{
    tls_handle = find_dissector("tls");
}

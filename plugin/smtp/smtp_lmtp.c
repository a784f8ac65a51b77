/* LMTP (RFC 2033): SMTP between an MTA and the mailbox, run by the SMTP
 * code with the conversation marked as LMTP.  What differs: the client
 * greets with LHLO (read as EHLO), and the end of data earns one reply per
 * accepted recipient, in RCPT order (smtp_data.c queues them). */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/packet.h>
#include <epan/prefs.h>

#include "mail/mail.h"
#include "smtp/smtp_int.h"

#define LMTP_TCP_PORT 24

static int proto_lmtp = -1;
static int ett_lmtp = -1;
static int hf_lmtp_rcpt = -1;
static int hf_lmtp_rcpt_in = -1;
static dissector_handle_t lmtp_handle;

static void lmtp_state_init(void *state, packet_info *pinfo)
{
    smtp_state_init(state, pinfo);
    ((smtp_state *)state)->lmtp = TRUE;
}

static const mw_stream_proto lmtp_stream = {
    .proto = &proto_lmtp,
    .ett = &ett_lmtp,
    .label = "LMTP",
    .state_size = sizeof(smtp_state),
    .state_init = lmtp_state_init,
    .state_free = smtp_state_free,
    .parse = smtp_parse,
    .render = smtp_render,
    .gap = smtp_gap,
    .first_side = smtp_first_side,
};

static int dissect_lmtp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return mw_stream_dissect(&lmtp_stream, tvb, pinfo, tree, data);
}

void smtp_lmtp_reply_links(smtp_call *sc, tvbuff_t *tvb, smtp_node t, const smtp_cmd_rec *c)
{
    const smtp_lmtp_cmd *l = (const smtp_lmtp_cmd *)c;
    smtp_node it = so_add_string(sc, t, hf_lmtp_rcpt, tvb, 0, 0, l->rcpt);
    so_set_generated(sc, it);
    it = so_add_uint(sc, t, hf_lmtp_rcpt_in, tvb, 0, 0, l->rcpt_frame);
    so_set_generated(sc, it);
}

/* A client that opens with LHLO speaks LMTP: the server's greeting alone
 * does not tell LMTP from SMTP. */
gboolean lmtp_looks_like(const guint8 *buf, guint len, gboolean *src_is_server)
{
    gint l = mail_first_line(buf, len, 512);
    if (l >= 5 && g_ascii_strncasecmp((const char *)buf, "LHLO ", 5) == 0) {
        *src_is_server = FALSE;
        return TRUE;
    }
    return FALSE;
}

dissector_handle_t lmtp_handle_get(void)
{
    return lmtp_handle;
}

void lmtp_set_server(packet_info *pinfo, gboolean src_is_server)
{
    mw_stream_set_server(&lmtp_stream, pinfo, src_is_server);
}

void lmtp_register(void)
{
    static hf_register_info hf[] = {
        {&hf_lmtp_rcpt,
         {"Recipient answered", "mail.lmtp.rcpt", FT_STRING, BASE_NONE, NULL, 0x0,
          "The accepted recipient this reply to the end of data is for", HFILL}},
        {&hf_lmtp_rcpt_in,
         {"RCPT in frame", "mail.lmtp.rcpt_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "The RCPT command of that recipient", HFILL}},
    };
    static gint *ett[] = {&ett_lmtp};
    proto_lmtp = proto_register_protocol("Local Mail Transfer Protocol (mailwire)",
                                         "mailwire LMTP", "mail.lmtp");
    proto_register_field_array(proto_lmtp, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    lmtp_handle = register_dissector("mail.lmtp", dissect_lmtp, proto_lmtp);
}

void lmtp_handoff(void)
{
    dissector_add_uint_with_preference("tcp.port", LMTP_TCP_PORT, lmtp_handle);
}

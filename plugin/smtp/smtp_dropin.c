/* The built-in SMTP dissector's field names (smtp.req.command, smtp.response.code,
 * ...), registered by mailwire with the built-in's types so that saved filters,
 * colouring rules and scripts match mailwire's frames too. They are hidden
 * copies of what mailwire shows under its own names: the render mirrors an item
 * of a mapped field as it adds it. */
#include <wireshark.h>
#include <epan/packet.h>

#include "smtp/smtp_int.h"
#include "engine/text.h"

static int hf_req = -1;
static int hf_rsp = -1;
static int hf_req_command = -1;
static int hf_req_parameter = -1;
static int hf_response = -1;
static int hf_response_code = -1;
static int hf_rsp_parameter = -1;
static int hf_auth_username = -1;
static int hf_auth_password = -1;
static int hf_command_line = -1;
static int hf_eom = -1;

/* Text twins: bytes fields that hold text on the wire get a string child, the
 * bytes escaped where not printable, so the tree and -T fields read as text
 * while the bytes fields stay for filters. */
static int hf_text_injected = -1, hf_text_smuggled_line = -1, hf_text_smuggled_body = -1;
static int hf_text_sasl = -1;
static gint ett_text = -1;
static int src_injected = -1, src_smuggled_line = -1, src_smuggled_body = -1, src_sasl = -1;

/* mailwire's own fields, found by name once every file has registered. */
static int src_request = -1, src_command = -1, src_args = -1, src_reply_line = -1;
static int src_reply_code = -1, src_user = -1, src_pass = -1, src_auth_message = -1;
static int src_injected_command = -1, src_injected_args = -1, src_terminator = -1;

static void hide(proto_item *it)
{
    proto_item_set_hidden(it);
}

static void copy(proto_tree *parent, int hf, tvbuff_t *tvb, gint off, gint len, guint enc,
                 const char *s)
{
    if (s)
        hide(proto_tree_add_string(parent, hf, tvb, off, len, s));
    else
        hide(proto_tree_add_item(parent, hf, tvb, off, len, enc));
}

/* label: the item's own label shows the text ("label: text"); with it, or
 * when hidden, the twin is hidden, so the text is said once. */
static void text_twin(packet_info *pinfo, proto_item *item, int hf, tvbuff_t *tvb, gint off,
                      gint len, gboolean line, gboolean hidden, const char *label)
{
    if (line)
        while (len > 0 && (tvb_get_guint8(tvb, off + len - 1) == '\n' ||
                           tvb_get_guint8(tvb, off + len - 1) == '\r'))
            len--;
    const char *text = mw_tvb_format_text(pinfo->pool, tvb, off, len);
    if (label)
        proto_item_set_text(item, "%s: %s", label, text);
    proto_tree *t = proto_item_add_subtree(item, ett_text);
    proto_item *it = proto_tree_add_string(t, hf, tvb, off, len, text);
    if (hidden || label)
        proto_item_set_hidden(it);
}

void smtp_text_twin(packet_info *pinfo, proto_item *item, int hf, tvbuff_t *tvb, gint off, gint len)
{
    if (hf < 0 || !item)
        return;
    /* the labels of injected and smuggled lines show their text already; a
     * smuggled body and a decoded SASL message are labelled with theirs */
    if (hf == src_injected)
        text_twin(pinfo, item, hf_text_injected, tvb, off, len, TRUE, TRUE, NULL);
    else if (hf == src_smuggled_line)
        text_twin(pinfo, item, hf_text_smuggled_line, tvb, off, len, TRUE, TRUE, NULL);
    else if (hf == src_smuggled_body)
        text_twin(pinfo, item, hf_text_smuggled_body, tvb, off, len, FALSE, TRUE,
                  "Smuggled message body");
    else if (hf == src_sasl)
        text_twin(pinfo, item, hf_text_sasl, tvb, off, len, FALSE, TRUE, "Decoded SASL message");
}

/* The reply line last mirrored: its code, mirrored next, adds the parameter. */
static tvbuff_t *reply_tvb;
static gint reply_off, reply_len;

void smtp_dropin_mirror(proto_tree *parent, int hf, tvbuff_t *tvb, gint off, gint len,
                        guint64 u, const char *s)
{
    if (hf < 0 || !parent)
        return;
    if (hf == src_request || hf == src_auth_message) {
        /* a client line: a command (with its line end, as the built-in's),
         * or a SASL message of AUTH's exchange */
        hide(proto_tree_add_boolean(parent, hf_req, tvb, off, 0, TRUE));
        hide(proto_tree_add_item(parent, hf_command_line, tvb, off, len, ENC_ASCII));
    } else if (hf == src_terminator) {
        hide(proto_tree_add_item(parent, hf_eom, tvb, off, len, ENC_NA));
    } else if (hf == src_command) {
        copy(parent, hf_req_command, tvb, off, len, ENC_ASCII, s);
    } else if (hf == src_injected_command) {
        /* a command sent in plaintext after STARTTLS: a client line too */
        hide(proto_tree_add_boolean(parent, hf_req, tvb, off, 0, TRUE));
        copy(parent, hf_req_command, tvb, off, len, ENC_ASCII, s);
    } else if (hf == src_args || hf == src_injected_args) {
        copy(parent, hf_req_parameter, tvb, off, len, ENC_ASCII, s);
    } else if (hf == src_reply_line) {
        hide(proto_tree_add_boolean(parent, hf_rsp, tvb, off, 0, TRUE));
        gint n = len;
        while (n > 0 && (tvb_get_guint8(tvb, off + n - 1) == '\n' ||
                         tvb_get_guint8(tvb, off + n - 1) == '\r'))
            n--;
        hide(proto_tree_add_item(parent, hf_response, tvb, off, n, ENC_ASCII));
        reply_tvb = tvb;
        reply_off = off;
        reply_len = n;
    } else if (hf == src_reply_code) {
        hide(proto_tree_add_uint(parent, hf_response_code, tvb, off, len, (guint32)u));
        /* the built-in's parameter: all after "250 " or "250-", the enhanced
         * status code included */
        if (tvb == reply_tvb && off == reply_off && reply_len >= 4)
            hide(proto_tree_add_item(parent, hf_rsp_parameter, tvb, off + 4, reply_len - 4,
                                     ENC_ASCII));
        reply_tvb = NULL;
    } else if (hf == src_user) {
        copy(parent, hf_auth_username, tvb, off, len, ENC_UTF_8, s);
    } else if (hf == src_pass) {
        copy(parent, hf_auth_password, tvb, off, len, ENC_UTF_8, s);
    }
}

void smtp_dropin_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_req, {"Request", "smtp.req", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
                   "A client line (built-in name)", HFILL}},
        {&hf_rsp, {"Response", "smtp.rsp", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
                   "A server line (built-in name)", HFILL}},
        {&hf_req_command, {"Command", "smtp.req.command", FT_STRING, BASE_NONE, NULL, 0x0,
                           "The verb, upper case (built-in name)", HFILL}},
        {&hf_req_parameter, {"Request parameter", "smtp.req.parameter", FT_STRING, BASE_NONE,
                             NULL, 0x0, "Arguments of the command (built-in name)", HFILL}},
        {&hf_response, {"Response", "smtp.response", FT_STRING, BASE_NONE, NULL, 0x0,
                        "A reply line (built-in name)", HFILL}},
        {&hf_response_code, {"Response code", "smtp.response.code", FT_UINT32, BASE_DEC, NULL,
                             0x0, "Reply code (built-in name)", HFILL}},
        {&hf_rsp_parameter,
         {"Response parameter", "smtp.rsp.parameter", FT_STRING, BASE_NONE, NULL, 0x0,
          "Reply line after the code, enhanced code included (built-in name)", HFILL}},
        {&hf_auth_username, {"Username", "smtp.auth.username", FT_STRING, BASE_NONE, NULL, 0x0,
                             "SASL user name (built-in name)", HFILL}},
        {&hf_auth_password, {"Password", "smtp.auth.password", FT_STRING, BASE_NONE, NULL, 0x0,
                             "SASL password (built-in name)", HFILL}},
        {&hf_command_line, {"Command Line", "smtp.command_line", FT_STRING, BASE_NONE, NULL,
                            0x0, "A client line outside DATA (built-in name)", HFILL}},
        {&hf_eom, {"EOM", "smtp.eom", FT_NONE, BASE_NONE, NULL, 0x0,
                   "The end of the message data (built-in name)", HFILL}},
    };
    static hf_register_info text[] = {
        {&hf_text_injected, {"Text", "mail.smtp.starttls.injected_line.text", FT_STRING,
                             BASE_NONE, NULL, 0x0, "The injected line as text (escaped)", HFILL}},
        {&hf_text_smuggled_line, {"Text", "mail.smtp.smuggled.line.text", FT_STRING, BASE_NONE,
                                  NULL, 0x0, "The smuggled line as text (escaped)", HFILL}},
        {&hf_text_smuggled_body, {"Text", "mail.smtp.smuggled.body.text", FT_STRING, BASE_NONE,
                                  NULL, 0x0, "The smuggled message body as text (escaped)",
                                  HFILL}},
        {&hf_text_sasl, {"Text", "mail.smtp.auth.decoded.text", FT_STRING, BASE_NONE, NULL, 0x0,
                         "The decoded SASL message as text (escaped)", HFILL}},
    };
    static gint *ett[] = {&ett_text};
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_field_array(proto, text, array_length(text));
    proto_register_subtree_array(ett, array_length(ett));
}

void smtp_dropin_handoff(void)
{
    src_request = proto_registrar_get_id_byname("mail.smtp.request");
    src_command = proto_registrar_get_id_byname("mail.smtp.command");
    src_args = proto_registrar_get_id_byname("mail.smtp.command.args");
    src_reply_line = proto_registrar_get_id_byname("mail.smtp.reply.line");
    src_reply_code = proto_registrar_get_id_byname("mail.smtp.reply.code");
    src_auth_message = proto_registrar_get_id_byname("mail.smtp.auth.message");
    src_user = proto_registrar_get_id_byname("mail.smtp.auth.username");
    src_pass = proto_registrar_get_id_byname("mail.smtp.auth.password");
    src_injected = proto_registrar_get_id_byname("mail.smtp.starttls.injected_line");
    src_injected_command = proto_registrar_get_id_byname("mail.smtp.starttls.injected_command");
    src_injected_args = proto_registrar_get_id_byname("mail.smtp.starttls.injected_args");
    src_terminator = proto_registrar_get_id_byname("mail.smtp.data.terminator");
    src_smuggled_line = proto_registrar_get_id_byname("mail.smtp.smuggled.line");
    src_smuggled_body = proto_registrar_get_id_byname("mail.smtp.smuggled.body");
    src_sasl = proto_registrar_get_id_byname("mail.smtp.auth.decoded");
}

/* SMTP (RFC 5321) on the stream engine: commands, replies and the message. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>

#include "lineitem.h"
#include "mail.h"
#include "stream.h"

static int proto_smtp = -1;
static int ett_smtp = -1;
static int ett_smtp_line = -1;

static int hf_smtp_request = -1;
static int hf_smtp_command = -1;
static int hf_smtp_command_args = -1;
static int hf_smtp_response = -1;
static int hf_smtp_reply_code = -1;
static int hf_smtp_reply_text = -1;
static int hf_smtp_data_fragment = -1;
static int hf_smtp_data_terminator = -1;

static expert_field ei_smtp_not_command = EI_INIT;
static expert_field ei_smtp_bad_reply = EI_INIT;

static dissector_handle_t smtp_handle;
static dissector_handle_t tls_handle;

#define SMTP_TCP_PORTS "25,587"
#define SMTP_TLS_PORTS "465"
static range_t *smtp_tls_ports;

typedef enum { SMTP_CLIENT_COMMAND = 0, SMTP_CLIENT_DATA } smtp_client_mode;

/* Conversation state (copied per call by the engine). */
typedef struct smtp_state {
    guint8 client_mode;
    guint8 data_match; /* bytes of "\r\n.\r\n" matched at the end of the last call */
} smtp_state;

static void smtp_state_init(void *state, packet_info *pinfo _U_)
{
    smtp_state *st = (smtp_state *)state;
    st->client_mode = SMTP_CLIENT_COMMAND;
}

/* Advance the strict end-of-DATA matcher over buf; returns the offset just
 * past the terminator, or -1.  The DATA line's own CRLF counts as the first
 * two bytes matched, so an empty message ends at once. */
static gint data_end(smtp_state *st, const guint8 *buf, gint len)
{
    static const guint8 end[] = "\r\n.\r\n";
    guint m = st->data_match;
    for (gint i = 0; i < len; i++) {
        if (buf[i] == end[m]) {
            m++;
        } else {
            m = buf[i] == '\r' ? 1 : 0;
        }
        if (m == 5) {
            st->data_match = 0;
            return i + 1;
        }
    }
    st->data_match = (guint8)m;
    return -1;
}

static gint dissect_data(mw_ctx *ctx, tvbuff_t *tvb, gint offset)
{
    smtp_state *st = (smtp_state *)ctx->state;
    gint len = tvb_reported_length_remaining(tvb, offset);
    const guint8 *p = tvb_get_ptr(tvb, offset, len);
    gint end = data_end(st, p, len);
    gint body = end < 0 ? len : end;
    proto_tree_add_item(ctx->tree, hf_smtp_data_fragment, tvb, offset, body, ENC_NA);
    if (end >= 0) {
        gint term = end >= 3 ? 3 : end;
        proto_tree_add_string(ctx->tree, hf_smtp_data_terminator, tvb, offset + end - term, term,
                              "CRLF.CRLF");
        st->client_mode = SMTP_CLIENT_COMMAND;
        col_append_sep_str(ctx->pinfo->cinfo, COL_INFO, " | ", "C: end of DATA");
    } else {
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "C: DATA, %d bytes", body);
    }
    return offset + body;
}

static void dissect_command(mw_ctx *ctx, tvbuff_t *tvb, const mw_line_at *l)
{
    smtp_state *st = (smtp_state *)ctx->state;
    gint len = (gint)l->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, hf_smtp_request, tvb, l->offset,
                                         len + (gint)l->line.eol_len, ENC_NA);
    proto_item_set_text(it, "Command: %s", mw_line_text(ctx, tvb, l->offset, len));
    proto_tree *t = proto_item_add_subtree(it, ett_smtp_line);
    gint sp = tvb_find_guint8(tvb, l->offset, len, ' ');
    gint verb_len = sp < 0 ? len : sp - l->offset;
    proto_item *verb = proto_tree_add_item(t, hf_smtp_command, tvb, l->offset, verb_len,
                                           ENC_ASCII);
    if (sp >= 0 && len > verb_len + 1)
        proto_tree_add_item(t, hf_smtp_command_args, tvb, sp + 1, len - verb_len - 1, ENC_ASCII);
    mw_add_line_facts(ctx, t, tvb, l);
    if (verb_len == 0 || l->continued || l->fragment)
        expert_add_info(ctx->pinfo, verb, &ei_smtp_not_command);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "C: %s",
                        mw_line_text(ctx, tvb, l->offset, len));
    if (verb_len == 4 && tvb_strncaseeql(tvb, l->offset, "DATA", 4) == 0 && len == 4) {
        st->client_mode = SMTP_CLIENT_DATA;
        st->data_match = 2;
    }
}

static void dissect_reply(mw_ctx *ctx, tvbuff_t *tvb, const mw_line_at *l)
{
    gint len = (gint)l->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, hf_smtp_response, tvb, l->offset,
                                         len + (gint)l->line.eol_len, ENC_NA);
    proto_item_set_text(it, "Reply: %s", mw_line_text(ctx, tvb, l->offset, len));
    proto_tree *t = proto_item_add_subtree(it, ett_smtp_line);
    gboolean ok = len >= 3 && g_ascii_isdigit(tvb_get_guint8(tvb, l->offset)) &&
                  g_ascii_isdigit(tvb_get_guint8(tvb, l->offset + 1)) &&
                  g_ascii_isdigit(tvb_get_guint8(tvb, l->offset + 2)) &&
                  (len == 3 || tvb_get_guint8(tvb, l->offset + 3) == ' ' ||
                   tvb_get_guint8(tvb, l->offset + 3) == '-');
    if (ok) {
        guint32 code = (guint32)strtoul(mw_line_text(ctx, tvb, l->offset, 3), NULL, 10);
        proto_tree_add_uint(t, hf_smtp_reply_code, tvb, l->offset, 3, code);
        if (len > 4)
            proto_tree_add_item(t, hf_smtp_reply_text, tvb, l->offset + 4, len - 4, ENC_ASCII);
    } else {
        expert_add_info(ctx->pinfo, it, &ei_smtp_bad_reply);
    }
    mw_add_line_facts(ctx, t, tvb, l);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: %s",
                        mw_line_text(ctx, tvb, l->offset, len));
}

static guint smtp_dissect(mw_ctx *ctx, tvbuff_t *tvb)
{
    smtp_state *st = (smtp_state *)ctx->state;
    gint offset = 0, len = tvb_reported_length(tvb);
    col_clear(ctx->pinfo->cinfo, COL_INFO);
    while (offset < len) {
        if (ctx->dir == MW_DIR_CLIENT && st->client_mode == SMTP_CLIENT_DATA) {
            offset = dissect_data(ctx, tvb, offset);
            continue;
        }
        mw_line_at l;
        if (!mw_next_line(ctx, tvb, &offset, &l))
            break;
        if (ctx->dir == MW_DIR_CLIENT)
            dissect_command(ctx, tvb, &l);
        else
            dissect_reply(ctx, tvb, &l);
    }
    return (guint)offset;
}

static const mw_stream_proto smtp_stream = {
    .proto = &proto_smtp,
    .ett = &ett_smtp,
    .label = "SMTP",
    .state_size = sizeof(smtp_state),
    .state_init = smtp_state_init,
    .dissect = smtp_dissect,
};

static int dissect_smtp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return mw_stream_dissect(&smtp_stream, tvb, pinfo, tree, data);
}

gboolean smtp_looks_like(const guint8 *buf, guint len, gboolean *src_is_server)
{
    gint l = mail_first_line(buf, len, 512);
    if (l < 4)
        return FALSE;
    if (buf[0] == '2' && buf[1] == '2' && buf[2] == '0' && (buf[3] == ' ' || buf[3] == '-')) {
        /* FTP greets with 220 too: insist on SMTP in the banner. */
        for (gint i = 4; i + 4 <= l; i++) {
            if (g_ascii_strncasecmp((const char *)buf + i, "SMTP", 4) == 0) {
                *src_is_server = TRUE;
                return TRUE;
            }
        }
        return FALSE;
    }
    if (l >= 5 && (g_ascii_strncasecmp((const char *)buf, "EHLO ", 5) == 0 ||
                   g_ascii_strncasecmp((const char *)buf, "HELO ", 5) == 0)) {
        *src_is_server = FALSE;
        return TRUE;
    }
    return FALSE;
}

dissector_handle_t smtp_handle_get(void)
{
    return smtp_handle;
}

void smtp_set_server(packet_info *pinfo, gboolean src_is_server)
{
    mw_stream_set_server(&smtp_stream, pinfo, src_is_server);
}

static void smtp_apply_prefs(void)
{
    static range_t *registered;
    mail_tls_ports_apply(&registered, smtp_tls_ports, smtp_handle);
}

void smtp_register(void)
{
    static hf_register_info hf[] = {
        {&hf_smtp_request,
         {"Command line", "mail.smtp.request", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_command,
         {"Command", "mail.smtp.command", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_command_args,
         {"Arguments", "mail.smtp.command.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_response,
         {"Reply line", "mail.smtp.response", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_reply_code,
         {"Reply code", "mail.smtp.reply.code", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_reply_text,
         {"Reply text", "mail.smtp.reply.text", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_data_fragment,
         {"Message data", "mail.smtp.data.fragment", FT_BYTES, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_smtp_data_terminator,
         {"End of data", "mail.smtp.data.terminator", FT_STRING, BASE_NONE, NULL, 0x0,
          "The bytes that ended the message", HFILL}},
    };
    static gint *ett[] = {&ett_smtp, &ett_smtp_line};
    static ei_register_info ei[] = {
        {&ei_smtp_not_command,
         {"mail.smtp.command.invalid", PI_MALFORMED, PI_WARN, "Not an SMTP command", EXPFILL}},
        {&ei_smtp_bad_reply,
         {"mail.smtp.reply.invalid", PI_MALFORMED, PI_WARN,
          "Not an SMTP reply: a reply starts with a three-digit code", EXPFILL}},
    };
    proto_smtp = proto_register_protocol("Simple Mail Transfer Protocol (mailwire)",
                                         "mailwire SMTP", "mail.smtp");
    proto_register_field_array(proto_smtp, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_smtp);
    expert_register_field_array(em, ei, array_length(ei));

    module_t *m = prefs_register_protocol(proto_smtp, smtp_apply_prefs);
    range_convert_str(wmem_epan_scope(), &smtp_tls_ports, SMTP_TLS_PORTS, 65535);
    prefs_register_range_preference(m, "tls.ports", "SMTP over implicit TLS ports",
                                    "TCP ports where SMTP runs inside TLS from the first byte "
                                    "(dissected after decryption)",
                                    &smtp_tls_ports, 65535);
    smtp_handle = register_dissector("mail.smtp", dissect_smtp, proto_smtp);
}

void smtp_handoff(void)
{
    tls_handle = find_dissector("tls");
    dissector_add_uint_range_with_preference("tcp.port", SMTP_TCP_PORTS, smtp_handle);
    smtp_apply_prefs();
}

/* POP3 (RFC 1939, RFC 2449) on the stream engine: commands, responses and
 * multiline responses to their dot line. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>

#include "lineitem.h"
#include "mail.h"
#include "stream.h"

static int proto_pop = -1;
static int ett_pop = -1;
static int ett_pop_line = -1;

static int hf_pop_request = -1;
static int hf_pop_command = -1;
static int hf_pop_args = -1;
static int hf_pop_response = -1;
static int hf_pop_status = -1;
static int hf_pop_text = -1;
static int hf_pop_body_line = -1;
static int hf_pop_terminator = -1;

static dissector_handle_t pop_handle;

#define POP_TCP_PORTS "110"
#define POP_TLS_PORTS "995"
static range_t *pop_tls_ports;

/* Commands awaiting their response, oldest first: one bit each, set when
 * the response is multiline. */
typedef struct pop_state {
    guint32 pending_multiline;
    guint8 pending;
    gboolean in_multiline;
} pop_state;

static gboolean command_is_multiline(tvbuff_t *tvb, gint offset, gint verb_len, gboolean has_args)
{
    static const char *const always[] = {"RETR", "TOP", "CAPA"};
    static const char *const without_args[] = {"LIST", "UIDL", "AUTH"};
    if (verb_len != 3 && verb_len != 4)
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(always); i++)
        if ((gint)strlen(always[i]) == verb_len && tvb_strncaseeql(tvb, offset, always[i], verb_len) == 0)
            return TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(without_args); i++)
        if (!has_args && (gint)strlen(without_args[i]) == verb_len &&
            tvb_strncaseeql(tvb, offset, without_args[i], verb_len) == 0)
            return TRUE;
    return FALSE;
}

static void dissect_command(mw_ctx *ctx, tvbuff_t *tvb, const mw_line_at *l)
{
    pop_state *st = (pop_state *)ctx->state;
    gint len = (gint)l->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, hf_pop_request, tvb, l->offset,
                                         len + (gint)l->line.eol_len, ENC_NA);
    proto_item_set_text(it, "Command: %s", mw_line_text(ctx, tvb, l->offset, len));
    proto_tree *t = proto_item_add_subtree(it, ett_pop_line);
    gint sp = tvb_find_guint8(tvb, l->offset, len, ' ');
    gint verb_len = sp < 0 ? len : sp - l->offset;
    proto_tree_add_item(t, hf_pop_command, tvb, l->offset, verb_len, ENC_ASCII);
    gboolean has_args = sp >= 0 && len > verb_len + 1;
    if (has_args)
        proto_tree_add_item(t, hf_pop_args, tvb, sp + 1, len - verb_len - 1, ENC_ASCII);
    mw_add_line_facts(ctx, t, tvb, l);
    if (st->pending < 32) {
        if (command_is_multiline(tvb, l->offset, verb_len, has_args))
            st->pending_multiline |= 1u << st->pending;
        st->pending++;
    }
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "C: %s",
                        mw_line_text(ctx, tvb, l->offset, len));
}

static void dissect_response(mw_ctx *ctx, tvbuff_t *tvb, const mw_line_at *l)
{
    pop_state *st = (pop_state *)ctx->state;
    gint len = (gint)l->line.len;
    if (st->in_multiline) {
        gboolean dot = len == 1 && tvb_get_guint8(tvb, l->offset) == '.';
        proto_item *it = proto_tree_add_item(ctx->tree, dot ? hf_pop_terminator : hf_pop_body_line,
                                             tvb, l->offset, len + (gint)l->line.eol_len, ENC_NA);
        mw_add_line_facts(ctx, proto_item_add_subtree(it, ett_pop_line), tvb, l);
        if (dot)
            st->in_multiline = FALSE;
        return;
    }
    proto_item *it = proto_tree_add_item(ctx->tree, hf_pop_response, tvb, l->offset,
                                         len + (gint)l->line.eol_len, ENC_NA);
    proto_item_set_text(it, "Response: %s", mw_line_text(ctx, tvb, l->offset, len));
    proto_tree *t = proto_item_add_subtree(it, ett_pop_line);
    gint sp = tvb_find_guint8(tvb, l->offset, len, ' ');
    gint status_len = sp < 0 ? len : sp - l->offset;
    proto_tree_add_item(t, hf_pop_status, tvb, l->offset, status_len, ENC_ASCII);
    if (sp >= 0 && len > status_len + 1)
        proto_tree_add_item(t, hf_pop_text, tvb, sp + 1, len - status_len - 1, ENC_ASCII);
    mw_add_line_facts(ctx, t, tvb, l);
    gboolean ok = status_len == 3 && tvb_strneql(tvb, l->offset, "+OK", 3) == 0;
    gboolean err = status_len == 4 && tvb_strneql(tvb, l->offset, "-ERR", 4) == 0;
    if ((ok || err) && st->pending) {
        gboolean multi = st->pending_multiline & 1u;
        st->pending_multiline >>= 1;
        st->pending--;
        st->in_multiline = ok && multi;
    }
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: %s",
                        mw_line_text(ctx, tvb, l->offset, len));
}

static guint pop_dissect(mw_ctx *ctx, tvbuff_t *tvb)
{
    gint offset = 0, len = tvb_reported_length(tvb);
    col_clear(ctx->pinfo->cinfo, COL_INFO);
    while (offset < len) {
        mw_line_at l;
        if (!mw_next_line(ctx, tvb, &offset, &l))
            break;
        if (ctx->dir == MW_DIR_CLIENT)
            dissect_command(ctx, tvb, &l);
        else
            dissect_response(ctx, tvb, &l);
    }
    return (guint)offset;
}

static const mw_stream_proto pop_stream = {
    .proto = &proto_pop,
    .ett = &ett_pop,
    .label = "POP",
    .state_size = sizeof(pop_state),
    .dissect = pop_dissect,
};

static int dissect_pop(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return mw_stream_dissect(&pop_stream, tvb, pinfo, tree, data);
}

gboolean pop_looks_like(const guint8 *buf, guint len, gboolean *src_is_server)
{
    gint l = mail_first_line(buf, len, 512);
    if (l < 3)
        return FALSE;
    if (strncmp((const char *)buf, "+OK", 3) == 0 && (l == 3 || buf[3] == ' ')) {
        *src_is_server = TRUE;
        return TRUE;
    }
    static const char *const first[] = {"USER ", "APOP ", "CAPA", "STLS"};
    for (size_t i = 0; i < G_N_ELEMENTS(first); i++) {
        gint wl = (gint)strlen(first[i]);
        if (l >= wl && g_ascii_strncasecmp((const char *)buf, first[i], wl) == 0 &&
            (first[i][wl - 1] == ' ' || l == wl)) {
            *src_is_server = FALSE;
            return TRUE;
        }
    }
    return FALSE;
}

dissector_handle_t pop_handle_get(void)
{
    return pop_handle;
}

void pop_set_server(packet_info *pinfo, gboolean src_is_server)
{
    mw_stream_set_server(&pop_stream, pinfo, src_is_server);
}

static void pop_apply_prefs(void)
{
    static range_t *registered;
    mail_tls_ports_apply(&registered, pop_tls_ports, pop_handle);
}

void pop_register(void)
{
    static hf_register_info hf[] = {
        {&hf_pop_request,
         {"Command line", "mail.pop.request", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_command,
         {"Command", "mail.pop.command", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_args,
         {"Arguments", "mail.pop.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_response,
         {"Response line", "mail.pop.response", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_status,
         {"Status", "mail.pop.status", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_text, {"Text", "mail.pop.text", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_body_line,
         {"Multiline body line", "mail.pop.multiline.line", FT_BYTES, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_pop_terminator,
         {"Multiline terminator", "mail.pop.multiline.terminator", FT_BYTES, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
    };
    static gint *ett[] = {&ett_pop, &ett_pop_line};
    proto_pop = proto_register_protocol("Post Office Protocol 3 (mailwire)", "mailwire POP",
                                        "mail.pop");
    proto_register_field_array(proto_pop, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));

    module_t *m = prefs_register_protocol(proto_pop, pop_apply_prefs);
    range_convert_str(wmem_epan_scope(), &pop_tls_ports, POP_TLS_PORTS, 65535);
    prefs_register_range_preference(m, "tls.ports", "POP3 over implicit TLS ports",
                                    "TCP ports where POP3 runs inside TLS from the first byte "
                                    "(dissected after decryption)",
                                    &pop_tls_ports, 65535);
    pop_handle = register_dissector("mail.pop", dissect_pop, proto_pop);
}

void pop_handoff(void)
{
    dissector_add_uint_range_with_preference("tcp.port", POP_TCP_PORTS, pop_handle);
    pop_apply_prefs();
}

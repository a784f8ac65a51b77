/* SMTP smuggling: every end-of-DATA candidate other than <CR><LF>.<CR><LF>
 * (catalogue rows 1-12, core/dataend.h) is named with the receivers that end
 * the message there, and the bytes after it are shown as such a receiver
 * reads them: commands, and after a DATA among them, a second message's
 * header fields and body.  A strict receiver keeps all of it as message text,
 * so these items are a reading, not the session's real commands.
 */
#include <wireshark.h>
#include <epan/expert.h>

#include "smtp/smtp_int.h"
#include "mail/export.h"
#include "mail/keep.h"
#include "mail/tap.h"
#include "engine/text.h"

static int ett_smtp_smuggled = -1;
static int ett_smtp_smuggled_line = -1;

static int hf_smtp_candidate = -1;
static int hf_smtp_candidate_class = -1;
static int hf_smtp_candidate_who = -1;
static int hf_smtp_smuggled = -1;
static int hf_smtp_smuggled_command = -1;
static int hf_smtp_smuggled_args = -1;
static int hf_smtp_smuggled_from = -1;
static int hf_smtp_smuggled_rcpt = -1;
static int hf_smtp_smuggled_header = -1;
static int hf_smtp_smuggled_body = -1;
static int hf_smtp_smuggled_partial = -1;
static int hf_smtp_smuggled_message = -1;

static expert_field ei_smtp_smuggling[MW_DATAEND_NCLASSES];
static expert_field ei_smtp_smuggled_command = EI_INIT;


void dissect_smtp_candidate(smtp_call *sc, tvbuff_t *tvb, smtp_node t, const smtp_de_event *e)
{
    const char *bytes = mw_dataend_class_bytes(e->cls);
    const char *who = mw_dataend_class_who(e->cls);
    smtp_node it = so_add_string(sc, t, hf_smtp_candidate, tvb, e->tvb_off, e->len, bytes);
    smtp_node ct = so_subtree(sc, it, ett_smtp_smuggled_line);
    smtp_node g = so_add_uint(sc, ct, hf_smtp_candidate_class, tvb, e->tvb_off, e->len, e->cls);
    so_set_generated(sc, g);
    g = so_add_string(sc, ct, hf_smtp_candidate_who, tvb, e->tvb_off, e->len, who);
    so_set_generated(sc, g);
    if (e->began_before)
        so_append_text(sc, it, " (starts in the previous segment)");
    so_mw_expert_format(sc, it, &ei_smtp_smuggling[e->cls],
                           "Non-strict end of data %s, the end of the message for: %s",
                           bytes, who);
    so_col(sc, "C: [smuggling candidate %s]", bytes);
}

static void smuggled_command(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, gint len,
                             smtp_node li)
{
    smtp_state *st = sc->st;
    const guint8 *p = tvb_get_ptr(tvb, off, len);
    mw_smtp_cmd cmd;
    if (!mw_smtp_cmd_parse(p, (size_t)len, &cmd))
        return;
    const char *verb = cmd.verb != MW_SMTP_UNKNOWN
                           ? mw_smtp_verb_name(cmd.verb)
                           : (const char *)tvb_get_string_enc(sc->pinfo->pool, tvb,
                                                              off + (gint)cmd.name.off,
                                                              (gint)cmd.name.len, ENC_ASCII);
    smtp_node v = so_add_string(sc, t, hf_smtp_smuggled_command, tvb, off + (gint)cmd.name.off,
                                          (gint)cmd.name.len, verb);
    if (cmd.args.len)
        so_add_item(sc, t, hf_smtp_smuggled_args, tvb, off + (gint)cmd.args.off,
                            (gint)cmd.args.len, ENC_ASCII);
    if (cmd.verb == MW_SMTP_MAIL || cmd.verb == MW_SMTP_RCPT) {
        mw_smtp_path path;
        const char *kw = cmd.verb == MW_SMTP_MAIL ? "FROM" : "TO";
        if (mw_smtp_path_parse(p + cmd.args.off, cmd.args.len, kw, &path)) {
            const char *addr = path.null_path
                                   ? "<>"
                                   : (const char *)tvb_get_string_enc(sc->pinfo->pool, tvb,
                                                                      off + (gint)(cmd.args.off + path.addr.off),
                                                                      (gint)path.addr.len, ENC_UTF_8);
            smtp_node a = so_add_string(sc, t, cmd.verb == MW_SMTP_MAIL ? hf_smtp_smuggled_from : hf_smtp_smuggled_rcpt,
                                  tvb, off + (gint)(cmd.args.off + path.addr.off), (gint)path.addr.len,
                                  addr);
            so_set_text(sc, a, "%s: %s", cmd.verb == MW_SMTP_MAIL ? "Envelope sender" : "Envelope recipient",
                        addr);
        }
    }
    mw_smtp_smuggle_command(&st->smug, (guint8)cmd.verb);
    so_set_text(sc, v, "Command: %s", verb);
    if (cmd.verb != MW_SMTP_UNKNOWN) {
        so_mw_expert(sc, v, &ei_smtp_smuggled_command);
        so_col(sc, "C: [smuggled %s]", verb);
    }
    so_set_text(sc, li, "Smuggled line: %s", mw_tvb_format_text(sc->pinfo->pool, tvb, off, len));
}

/* The smuggled message as a lenient receiver stores it: the lines after a
 * smuggled DATA, dot-unstuffed, up to the next end of data. */
static void smuggled_message_append(smtp_state *st, const guint8 *p, size_t n)
{
    if (!n)
        return;
    if (!st->smug_msg)
        st->smug_msg = wmem_array_sized_new(wmem_file_scope(), 1, 256);
    guint have = wmem_array_get_count(st->smug_msg);
    const guint8 *raw = (const guint8 *)wmem_array_get_raw(st->smug_msg);
    if ((have == 0 || raw[have - 1] == '\n') && p[0] == '.') {
        p++;
        n--;
    }
    if (n)
        wmem_array_append(st->smug_msg, p, (guint)n);
}

typedef struct smtp_smuggled_view {
    const mw_kept *kept; /* its bytes, as mail.message.keep says (mail/keep.h) */
    guint32 len;
} smtp_smuggled_view;

static void render_smuggled_message(mw_ctx *ctx, tvbuff_t *tvb, proto_tree *tree, void *data)
{
    smtp_smuggled_view *v = (smtp_smuggled_view *)data;
    packet_info *pinfo = ctx->pinfo;
    const guint8 *bytes = mw_keep_bytes(pinfo, v->kept);
    proto_item *it = proto_tree_add_uint(tree, hf_smtp_smuggled_message, tvb, 0, 0, v->len);
    proto_item_set_generated(it);
    if (!bytes)
        return;
    char *name = mw_export_filename_kind("SMTP", pinfo->num, "smuggled", bytes, v->len, NULL);
    /* set, not appended: a long label is then cut on a character boundary */
    proto_item_set_text(it, "Smuggled message: %u bytes, in Export Objects as %s", v->len, name);
    g_free(name);
    mw_tap_smuggled_message(pinfo, "SMTP", bytes, v->len);
}

void smtp_smuggled_message_end(smtp_call *sc, tvbuff_t *tvb, const smtp_de_event *e)
{
    smtp_state *st = sc->st;
    if (!st->smug_msg)
        return;
    /* the line end before the dot is the last line's, as in any message */
    if (!e->began_before && e->len > 0) {
        const guint8 *p = tvb_get_ptr(tvb, e->tvb_off, e->len);
        const guint8 *dot = (const guint8 *)memchr(p, '.', (size_t)e->len);
        if (dot && dot > p)
            wmem_array_append(st->smug_msg, p, (guint)(dot - p));
    }
    smtp_smuggled_view *v = (smtp_smuggled_view *)smtp_rec(sc, sizeof *v);
    v->len = wmem_array_get_count(st->smug_msg);
    if (v->len)
        v->kept = mw_keep_store(sc->pinfo, (guint8 *)wmem_memdup(wmem_file_scope(),
                                                                 wmem_array_get_raw(st->smug_msg),
                                                                 v->len),
                                v->len, TRUE);
    wmem_destroy_array(st->smug_msg);
    st->smug_msg = NULL;
    so_render_hook(sc, sc->tree, render_smuggled_message, v);
}

void dissect_smtp_smuggled(smtp_call *sc, tvbuff_t *tvb, smtp_node tree, gint start, gint end)
{
    smtp_state *st = sc->st;
    smtp_node si = so_add_item(sc, tree, hf_smtp_smuggled, tvb, start, end - start, ENC_NA);
    so_set_text(sc, si, "Smuggled after the %s, as a lenient receiver reads it",
                        mw_dataend_class_bytes((int)st->de_last_cls));
    smtp_node t = so_subtree(sc, si, ett_smtp_smuggled);
    const guint8 *buf = tvb_get_ptr(tvb, 0, end);
    size_t off = (size_t)start;
    gint body_start = -1;
    mw_smtp_smug_line ln;
    for (;;) {
        guint8 phase = st->smug.phase;
        if (!mw_smtp_smuggle_next(&st->smug, buf, &off, (size_t)end, &ln))
            break;
        gint o = (gint)ln.off, next = (gint)ln.next, len = (gint)ln.len;
        if (phase != MW_SMTP_SMUG_IN_COMMANDS)
            smuggled_message_append(st, buf + o, (size_t)(next - o));
        switch ((mw_smtp_smug_kind)ln.kind) {
        case MW_SMTP_SMUG_BODY:
            if (body_start < 0)
                body_start = o;
            break;
        case MW_SMTP_SMUG_PARTIAL: {
            /* A line cut by the segment boundary: shown, not parsed. */
            smtp_node pi = so_add_item(sc, t, hf_smtp_smuggled_partial, tvb, o, next - o, ENC_NA);
            so_set_text(sc, pi, "Smuggled line (cut by the segment's end): %s",
                        mw_tvb_format_text(sc->pinfo->pool, tvb, o, len));
            break;
        }
        case MW_SMTP_SMUG_COMMAND: {
            smtp_node li = so_add_item(sc, t, hf_smtp_smuggled_partial, tvb, o, next - o, ENC_NA);
            smtp_node lt = so_subtree(sc, li, ett_smtp_smuggled_line);
            so_set_text(sc, li, "%s", mw_tvb_format_text(sc->pinfo->pool, tvb, o, len));
            smuggled_command(sc, tvb, lt, o, len, li);
            break;
        }
        case MW_SMTP_SMUG_HEADERS_END: {
            smtp_node li = so_add_item(sc, t, hf_smtp_smuggled_partial, tvb, o, next - o, ENC_NA);
            so_set_text(sc, li, "End of the smuggled message's header fields");
            break;
        }
        case MW_SMTP_SMUG_HEADER: {
            smtp_node li = so_add_item(sc, t, hf_smtp_smuggled_header, tvb, o, len, ENC_UTF_8);
            so_set_text(sc, li, "Smuggled header field: %s",
                        mw_tvb_format_text(sc->pinfo->pool, tvb, o, len));
            break;
        }
        }
    }
    if (body_start >= 0)
        so_add_item(sc, t, hf_smtp_smuggled_body, tvb, body_start, end - body_start, ENC_NA);
}

void smtp_smuggle_register(int proto)
{
    static hf_register_info hf[] = {
        /* candidates */
        {&hf_smtp_candidate,
         {"Non-strict end of data", "mail.smtp.smuggling.candidate", FT_STRING, BASE_NONE, NULL,
          0x0, "Bytes a lenient receiver takes as the end of the message", HFILL}},
        {&hf_smtp_candidate_class,
         {"Catalogue row", "mail.smtp.smuggling.class", FT_UINT8, BASE_DEC, NULL, 0x0,
          "Row of the end-of-data catalogue (1-12)", HFILL}},
        {&hf_smtp_candidate_who,
         {"Receivers that end data here", "mail.smtp.smuggling.receivers", FT_STRING, BASE_NONE,
          NULL, 0x0, NULL, HFILL}},
        /* the lenient reading */
        {&hf_smtp_smuggled,
         {"Smuggled", "mail.smtp.smuggled", FT_NONE, BASE_NONE, NULL, 0x0,
          "Bytes after a non-strict end of data, as a lenient receiver reads them", HFILL}},
        {&hf_smtp_smuggled_command,
         {"Smuggled command", "mail.smtp.smuggled.command", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_smtp_smuggled_args,
         {"Arguments", "mail.smtp.smuggled.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_smuggled_from,
         {"Smuggled envelope sender", "mail.smtp.smuggled.envelope.from", FT_STRING, BASE_NONE,
          NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_smuggled_rcpt,
         {"Smuggled envelope recipient", "mail.smtp.smuggled.envelope.rcpt", FT_STRING,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_smuggled_header,
         {"Smuggled line", "mail.smtp.smuggled.header", FT_STRING, BASE_NONE, NULL, 0x0,
          "A header field of the smuggled message", HFILL}},
        {&hf_smtp_smuggled_body,
         {"Smuggled message body", "mail.smtp.smuggled.body", FT_BYTES, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_smtp_smuggled_partial,
         {"Smuggled bytes", "mail.smtp.smuggled.line", FT_BYTES, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_smtp_smuggled_message,
         {"Smuggled message", "mail.smtp.smuggled.message", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Size of the message a lenient receiver stores after a smuggled DATA (dot-unstuffed), "
          "offered by Export Objects as PROTOCOL-fFRAME-smuggled-FROM-SUBJECT.eml", HFILL}},
    };
    static gint *ett[] = {&ett_smtp_smuggled, &ett_smtp_smuggled_line};
    /* One expert per catalogue row; row 0 (the strict end) has none. */
    static ei_register_info ei[] = {
        {&ei_smtp_smuggling[1], {"mail.smtp.smuggling.lf_dot_lf", PI_SECURITY, PI_WARN,
                                 "End of data candidate <LF>.<LF>", EXPFILL}},
        {&ei_smtp_smuggling[2], {"mail.smtp.smuggling.lf_dot_crlf", PI_SECURITY, PI_WARN,
                                 "End of data candidate <LF>.<CR><LF>", EXPFILL}},
        {&ei_smtp_smuggling[3], {"mail.smtp.smuggling.crlf_dot_lf", PI_SECURITY, PI_WARN,
                                 "End of data candidate <CR><LF>.<LF>", EXPFILL}},
        {&ei_smtp_smuggling[4], {"mail.smtp.smuggling.cr_dot_cr", PI_SECURITY, PI_WARN,
                                 "End of data candidate <CR>.<CR>", EXPFILL}},
        {&ei_smtp_smuggling[5], {"mail.smtp.smuggling.cr_dot_lf", PI_SECURITY, PI_WARN,
                                 "End of data candidate <CR>.<LF>", EXPFILL}},
        {&ei_smtp_smuggling[6], {"mail.smtp.smuggling.lf_dot_cr", PI_SECURITY, PI_WARN,
                                 "End of data candidate <LF>.<CR>", EXPFILL}},
        {&ei_smtp_smuggling[7], {"mail.smtp.smuggling.cr_dot_crlf", PI_SECURITY, PI_WARN,
                                 "End of data candidate <CR>.<CR><LF>", EXPFILL}},
        {&ei_smtp_smuggling[8], {"mail.smtp.smuggling.crlf_dot_cr", PI_SECURITY, PI_WARN,
                                 "End of data candidate <CR><LF>.<CR>", EXPFILL}},
        {&ei_smtp_smuggling[9], {"mail.smtp.smuggling.nul_before_dot", PI_SECURITY, PI_WARN,
                                 "End of data candidate <CR><LF><NUL>.<CR><LF>", EXPFILL}},
        {&ei_smtp_smuggling[10], {"mail.smtp.smuggling.nul_after_dot", PI_SECURITY, PI_WARN,
                                  "End of data candidate <CR><LF>.<NUL><CR><LF>", EXPFILL}},
        {&ei_smtp_smuggling[11], {"mail.smtp.smuggling.crlf_dot_crcrlf", PI_SECURITY, PI_WARN,
                                  "End of data candidate <CR><LF>.<CR><CR><LF>", EXPFILL}},
        {&ei_smtp_smuggling[12], {"mail.smtp.smuggling.crcrlf_dot_crcrlf", PI_SECURITY, PI_WARN,
                                  "End of data candidate <CR><CR><LF>.<CR><CR><LF>", EXPFILL}},
        {&ei_smtp_smuggled_command, {"mail.smtp.smuggling.command", PI_SECURITY, PI_WARN,
                                     "A command after a non-strict end of data: a lenient "
                                     "receiver executes it as part of this session", EXPFILL}},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ei_smtp_smuggling); i++) {
        expert_field z = EI_INIT;
        ei_smtp_smuggling[i] = z;
    }
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

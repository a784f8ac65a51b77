/* POP3 on the stream engine, in records mode: parse feeds each call's bytes
 * to the session machine (core/pop/pop_session) on the first pass and keeps
 * the items it emits as the call's record; render shows commands and
 * responses from those items on every pass and hands body items to
 * pop_multiline.c and credentials to pop_auth.c.
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>

#include "mail/lineitem.h"
#include "mail/fallback.h"
#include "mail/ports.h"
#include "mail/mail.h"
#include "mail/keep.h"
#include "pop/pop.h"
#include "engine/stream.h"
#include "engine/heap.h"
#include "mail/tap.h"
#include "mail/walk.h"

int proto_pop = -1;
static int ett_pop = -1;
int ett_pop_line = -1;

static int hf_pop_request = -1;
static int hf_pop_command = -1;
static int hf_pop_args = -1;
static int hf_pop_response = -1;
static int hf_pop_status = -1;
static int hf_pop_text = -1;
static int hf_pop_resp_code = -1;
static int hf_pop_response_in = -1;
static int hf_pop_response_to = -1;
static int hf_pop_time = -1;
static int hf_pop_answers = -1;
static int hf_pop_state = -1;
static int hf_pop_greeting = -1;
static int hf_pop_pipelined = -1;

static expert_field ei_pop_unmatched = EI_INIT;
static expert_field ei_pop_unexpected_line = EI_INIT;
static expert_field ei_pop_out_of_state = EI_INIT;
static expert_field ei_pop_deleted = EI_INIT;
static expert_field ei_pop_unknown_command = EI_INIT;
static expert_field ei_pop_fifo_full = EI_INIT;
static expert_field ei_pop_before_command = EI_INIT;
static expert_field ei_pop_resync = EI_INIT;

static dissector_handle_t pop_handle;

static mail_ports pop_ports = {.which = MAIL_FB_POP, .builtin = "pop"};
guint pop_message_view_max = 0;

static const value_string session_names[] = {
    {MW_POP_STATE_UNKNOWN, "unknown (greeting not captured)"},
    {MW_POP_STATE_AUTHORIZATION, "AUTHORIZATION"},
    {MW_POP_STATE_TRANSACTION, "TRANSACTION"},
    {MW_POP_STATE_UPDATE, "UPDATE"},
    {0, NULL},
};

const char *pop_cmd_label(guint8 cmd)
{
    return mw_pop_cmd_name((mw_pop_cmd)cmd);
}

void pop_item_line(const mw_pop_item *it, mw_line_at *l)
{
    memset(l, 0, sizeof *l);
    l->offset = (gint)it->off;
    l->line = it->line;
    l->fragment = it->fragment;
    l->continued = it->continued;
}

/* ---- parse: the first pass feeds the session machine ---- */

static void *pop_file_alloc(void *ud, size_t n)
{
    (void)ud;
    return wmem_alloc0(wmem_file_scope(), n);
}

/* Grown buffers (message bodies, the LIST sizes): see mw_keep_grow. */
static void *pop_file_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    return mw_keep_grow(p, n);
}

static const mw_pop_alloc pop_file_scope = {pop_file_alloc, pop_file_realloc, NULL};

static guint pop_parse(mw_ctx *ctx, tvbuff_t *tvb)
{
    mw_pop_session *s = (mw_pop_session *)ctx->state;
    guint len = tvb_reported_length(tvb);
    mw_pop_input in;
    memset(&in, 0, sizeof in);
    in.server = ctx->dir == MW_DIR_SERVER;
    in.tls = ctx->tls;
    in.mid_line = ctx->mid_line;
    in.stream_offset = ctx->stream_offset;
    in.frame = ctx->pinfo->num;
    in.line_from = ctx->carried ? ctx->carried_from : 0;
    in.secs = (int64_t)ctx->pinfo->abs_ts.secs;
    in.nsecs = ctx->pinfo->abs_ts.nsecs;
    in.view_max = pop_message_view_max;
    in.max_carry = MW_MAX_CARRY;
    mw_pop_call call = {NULL, 0, 0};
    bool mid_line = ctx->mid_line;
    size_t used = len ? mw_pop_session_feed(s, tvb_get_ptr(tvb, 0, len), len, &in, &call, &mid_line)
                      : 0;
    ctx->mid_line = mid_line;
    for (guint32 i = 0; i < call.nitems; i++) {
        const mw_pop_item *it = &call.items[i];
        if (it->flags & MW_POP_F_STLS_OK)
            pop_stls_ack(ctx->pinfo);
        mw_pop_multi *m = it->ml;
        if (it->kind == MW_POP_ITEM_BODY_END && (it->flags & MW_POP_F_MESSAGE) && m && m->msg &&
            m->msg_len && m->msg_len <= G_MAXUINT32) {
            /* whole: stored once (or only shown now), as mail.message.keep says */
            m->user = mw_keep_store_grown(ctx->pinfo, m->msg, (guint32)m->msg_len,
                                    it->cmd == MW_POP_CMD_RETR);
            m->msg = NULL;
            m->msg_cap = 0;
            /* a whole message retrieved: its parts and copies, once, from the bytes as kept */
            if (it->cmd == MW_POP_CMD_RETR)
                mail_walk_note(ctx, mw_keep_bytes(ctx->pinfo, (const mw_kept *)m->user),
                               (guint)m->msg_len);
        }
    }
    /* a call that only carries part of a line keeps no record */
    ctx->rec = call.nitems ? (void *)pop_pack(call.items, call.nitems) : NULL;
    if (call.items)
        wmem_free(wmem_file_scope(), call.items);
    return (guint)used;
}

/* ---- render: every pass, from the record alone ---- */

static void render_command(mw_ctx *ctx, const mw_pop_item *r, tvbuff_t *tvb)
{
    mw_line_at l;
    pop_item_line(r, &l);
    gint len = (gint)r->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, hf_pop_request, tvb, l.offset,
                                         len + (gint)r->line.eol_len, ENC_NA);
    proto_tree *t = proto_item_add_subtree(it, ett_pop_line);
    gint sp = len > 0 ? tvb_find_guint8(tvb, l.offset, len, ' ') : -1;
    gint verb_len = sp < 0 ? len : sp - l.offset;
    gint args_off = sp < 0 ? l.offset + len : sp + 1;
    gint args_len = l.offset + len - args_off;
    mw_pop_cmd cmd = (mw_pop_cmd)r->cmd;
    const char *text = cmd == MW_POP_CMD_PASS ? "PASS ********" : mw_line_text_cut(ctx, tvb, l.offset, len);
    if (cmd == MW_POP_CMD_PASS && len > 5)
        text = wmem_strdup_printf(ctx->pinfo->pool, "PASS %s", mw_line_text_cut(ctx, tvb, args_off, args_len));
    proto_item_set_text(it, "Command: %s", text);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "C: %s%s", text,
                        (r->flags & MW_POP_F_STLS_INJECTION) ? " (injected before TLS)" : "");

    proto_tree_add_item(t, hf_pop_command, tvb, l.offset, verb_len, ENC_ASCII);
    if (r->fragment && args_len > MW_LINE_SHOW_OVER)
        proto_tree_add_string(t, hf_pop_args, tvb, args_off, args_len,
                              mw_line_text_cut(ctx, tvb, args_off, args_len));
    else if (args_len > 0)
        proto_tree_add_item(t, hf_pop_args, tvb, args_off, args_len, ENC_ASCII);
    pop_dropin_request(ctx->pinfo, t, tvb, l.offset, len, verb_len, args_off, args_len);
    mw_add_line_facts(ctx, t, tvb, &l);
    pop_longline_show(ctx, t, it, tvb, r);

    if (r->flags & MW_POP_F_STLS_INJECTION) {
        pop_render_stls_injection(ctx, it, TRUE);
        return;
    }
    if (r->flags & MW_POP_F_UNKNOWN_CMD)
        expert_add_info(ctx->pinfo, it, &ei_pop_unknown_command);
    else if (r->flags & MW_POP_F_OUT_OF_STATE)
        expert_add_info_format(ctx->pinfo, it, &ei_pop_out_of_state,
                               "%s is not valid in the %s state", pop_cmd_label(r->cmd),
                               val_to_str_const(r->state, session_names, "?"));
    if (r->flags & MW_POP_F_DELETED)
        expert_add_info_format(ctx->pinfo, it, &ei_pop_deleted,
                               "Message %u was marked deleted earlier in this session", r->msg);

    pop_render_auth_command(ctx, r, t, tvb, args_off, args_len);
    mw_tap_command(ctx, cmd ? pop_cmd_label(r->cmd) : "(unknown)");
    if ((cmd == MW_POP_CMD_USER || cmd == MW_POP_CMD_APOP) && r->auth && r->auth->user[0])
        mw_tap_user(ctx, r->auth->user);

    if (r->ex && r->ex->resp_frame) {
        proto_item *ri = proto_tree_add_uint(t, hf_pop_response_in, tvb, 0, 0, r->ex->resp_frame);
        proto_item_set_generated(ri);
    }
    if (r->n) {
        proto_item *pi = proto_tree_add_uint(t, hf_pop_pipelined, tvb, 0, 0, r->n);
        proto_item_set_generated(pi);
    }
    if (r->flags & MW_POP_F_FIFO_FULL)
        expert_add_info(ctx->pinfo, it, &ei_pop_fifo_full);
    if (r->flags & MW_POP_F_RESYNC)
        expert_add_info_format(ctx->pinfo, it, &ei_pop_resync,
                               "%s (frame %u) got no +OK or -ERR, yet the server spoke and the "
                               "client went on: it took that as the answer; responses are matched "
                               "from this command on", pop_cmd_label(r->retired), r->retired_frame);
}

static void render_response(mw_ctx *ctx, const mw_pop_item *r, tvbuff_t *tvb)
{
    mw_line_at l;
    pop_item_line(r, &l);
    gint len = (gint)r->line.len;
    gint off = l.offset;
    gboolean ok = r->state == MW_POP_OK, err = r->state == MW_POP_ERR;
    gboolean cont = r->state == MW_POP_CONTINUE;

    proto_item *it = proto_tree_add_item(ctx->tree, hf_pop_response, tvb, off,
                                         len + (gint)r->line.eol_len, ENC_NA);
    const char *shown = mw_line_text_cut(ctx, tvb, off, len);
    proto_item_set_text(it, "Response: %s", shown);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: %s%s", shown,
                        (r->flags & MW_POP_F_STLS_INJECTION) ? " (injected before TLS)" : "");
    proto_tree *t = proto_item_add_subtree(it, ett_pop_line);
    gint status_len = ok ? 3 : err ? 4 : cont ? 1 : len;
    gint text_off = off + status_len + (len > status_len ? 1 : 0);
    gint text_len = off + len - text_off;
    if (ok || err || cont)
        proto_tree_add_item(t, hf_pop_status, tvb, off, status_len, ENC_ASCII);
    if ((ok || err) && text_len > 2 && tvb_get_guint8(tvb, text_off) == '[') {
        gint close = tvb_find_guint8(tvb, text_off, text_len, ']');
        if (close > text_off + 1)
            proto_tree_add_item(t, hf_pop_resp_code, tvb, text_off + 1, close - text_off - 1, ENC_ASCII);
    }
    if (r->fragment && text_len > MW_LINE_SHOW_OVER && !cont)
        proto_tree_add_string(t, hf_pop_text, tvb, text_off, text_len,
                              mw_line_text_cut(ctx, tvb, text_off, text_len));
    else if (text_len > 0 && !cont)
        proto_tree_add_item(t, hf_pop_text, tvb, text_off, text_len, ENC_ASCII | ENC_NA);
    pop_dropin_response(t, tvb, off, len, (ok || err || cont) ? status_len : 0, text_off,
                        cont ? 0 : text_len);
    mw_add_line_facts(ctx, t, tvb, &l);
    pop_longline_show(ctx, t, it, tvb, r);

    if (r->flags & MW_POP_F_STLS_INJECTION) {
        pop_render_stls_injection(ctx, it, FALSE);
        return;
    }
    if (r->flags & MW_POP_F_CHALLENGE) {
        pop_render_challenge(ctx, r, t, tvb, text_off, text_len);
        return;
    }
    if (r->flags & MW_POP_F_BEFORE_CMD) {
        guint32 sent = r->ex ? r->ex->req_frame : 0;
        if (r->flags & MW_POP_F_GREETING) {
            proto_item *g = proto_tree_add_boolean(t, hf_pop_greeting, tvb, off, 0, TRUE);
            proto_item_set_generated(g);
            expert_add_info_format(ctx->pinfo, it, &ei_pop_before_command,
                                   "The greeting has no line end: this line began in frame %u, "
                                   "before %s (frame %u) was sent, and runs on into later bytes; "
                                   "it answers no command", r->began, pop_cmd_label(r->cmd), sent);
        } else if (r->first_cmd) {
            expert_add_info_format(ctx->pinfo, it, &ei_pop_before_command,
                                   "A reply before any command: this line began in frame %u, "
                                   "before %s (frame %u) was sent, so it answers nothing "
                                   "(bytes after the greeting, without a line end)",
                                   r->began, pop_cmd_label(r->cmd), sent);
        } else {
            expert_add_info_format(ctx->pinfo, it, &ei_pop_before_command,
                                   "A reply begun in frame %u, before %s (frame %u) was sent: "
                                   "it answers nothing", r->began, pop_cmd_label(r->cmd), sent);
        }
        return;
    }
    if (r->flags & MW_POP_F_UNEXPECTED) {
        if (cont)
            expert_add_info(ctx->pinfo, it, &ei_pop_unexpected_line);
        else
            expert_add_info_format(ctx->pinfo, it, &ei_pop_unexpected_line,
                                   "Neither +OK nor -ERR while %s awaits its response: a client "
                                   "skips or misreads this line",
                                   r->cmd ? pop_cmd_label(r->cmd) : "a command");
        return;
    }
    if (r->flags & MW_POP_F_GREETING) {
        proto_item *g = proto_tree_add_boolean(t, hf_pop_greeting, tvb, off, 0, TRUE);
        proto_item_set_generated(g);
        return;
    }
    if (r->flags & MW_POP_F_UNMATCHED) {
        expert_add_info(ctx->pinfo, it, &ei_pop_unmatched);
        return;
    }
    if (!(r->flags & MW_POP_F_MATCHED))
        return;
    proto_item *ai = proto_tree_add_string(t, hf_pop_answers, tvb, off, 0,
                                           r->cmd ? pop_cmd_label(r->cmd) : "(unknown command)");
    proto_item_set_generated(ai);
    nstime_t req_time = NSTIME_INIT_ZERO;
    if (r->ex) {
        proto_item *ri = proto_tree_add_uint(t, hf_pop_response_to, tvb, off, 0, r->ex->req_frame);
        proto_item_set_generated(ri);
        req_time.secs = (time_t)r->ex->req_secs;
        req_time.nsecs = r->ex->req_nsecs;
        nstime_t d;
        nstime_delta(&d, &ctx->pinfo->abs_ts, &req_time);
        ri = proto_tree_add_time(t, hf_pop_time, tvb, off, 0, &d);
        proto_item_set_generated(ri);
    }
    mw_tap_reply(ctx, r->cmd ? pop_cmd_label(r->cmd) : NULL, ok ? "+OK" : "-ERR", 0,
                 r->ex ? &req_time : NULL);
    if (r->flags & MW_POP_F_MULTILINE)
        pop_render_multiline_start(ctx, r, t, tvb, text_off);
}

static void pop_render(mw_ctx *ctx, tvbuff_t *tvb)
{
    if (ctx->call_index == 0)
        col_clear(ctx->pinfo->cinfo, COL_INFO);
    if (!ctx->rec)
        return;
    mw_pop_call call = {NULL, 0, 0};
    call.nitems = pop_unpack((const pop_packed *)ctx->rec, ctx->pinfo->pool, &call.items);
    const mw_pop_call *rec = &call;
    gboolean info_done = FALSE;
    /* The session state first, as in SMTP and IMAP: the state the call's
     * first command was sent in. */
    for (guint32 i = 0; i < rec->nitems; i++) {
        if (rec->items[i].kind == MW_POP_ITEM_COMMAND) {
            proto_item *si = proto_tree_add_uint(ctx->tree, hf_pop_state, tvb, 0, 0,
                                                 rec->items[i].state);
            proto_item_set_generated(si);
            break;
        }
    }
    for (guint32 i = 0; i < rec->nitems; i++) {
        const mw_pop_item *it = &rec->items[i];
        switch ((mw_pop_item_kind)it->kind) {
        case MW_POP_ITEM_COMMAND:
            render_command(ctx, it, tvb);
            info_done = FALSE;
            break;
        case MW_POP_ITEM_SASL:
            pop_render_sasl(ctx, it, tvb);
            break;
        case MW_POP_ITEM_RESPONSE:
            render_response(ctx, it, tvb);
            info_done = POP_INFO_STATUS;
            break;
        case MW_POP_ITEM_LINE_REST:
            pop_render_line_rest(ctx, it, tvb);
            break;
        default:
            pop_render_body(ctx, it, i + 1 < rec->nitems ? &rec->items[i + 1] : NULL, tvb,
                            &info_done);
            break;
        }
    }
}

/* Bytes lost from the capture: a body in progress can no longer be trusted
 * to end where we would see it; keep waiting for its '.' line. */
static void pop_gap(void *state, int dir, guint32 missing)
{
    (void)state;
    (void)dir;
    (void)missing;
}

static void pop_state_init(void *state, packet_info *pinfo)
{
    (void)pinfo;
    mw_pop_session_init((mw_pop_session *)state, &pop_file_scope);
}

static const mw_stream_proto pop_stream = {
    .proto = &proto_pop,
    .ett = &ett_pop,
    .label = "POP",
    .state_size = sizeof(mw_pop_session),
    .state_init = pop_state_init,
    .parse = pop_parse,
    .render = pop_render,
    .gap = pop_gap,
    .first_side = pop_first_side,
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

int pop_first_side(const guint8 *buf, guint len)
{
    gboolean src_is_server;
    if (!pop_looks_like(buf, len, &src_is_server))
        return MW_SIDE_UNKNOWN;
    return src_is_server ? MW_SIDE_SERVER : MW_SIDE_CLIENT;
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
    mail_ports_apply(&pop_ports, pop_handle);
}

void pop_register(void)
{
    static hf_register_info hf[] = {
        {&hf_pop_request, {"Command line", "mail.pop.request", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_command, {"Command", "mail.pop.command", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_args, {"Arguments", "mail.pop.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_response, {"Response line", "mail.pop.response", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_status, {"Status", "mail.pop.status", FT_STRING, BASE_NONE, NULL, 0x0,
          "+OK, -ERR, or + (a SASL challenge)", HFILL}},
        {&hf_pop_text, {"Text", "mail.pop.text", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_resp_code, {"Response code", "mail.pop.resp_code", FT_STRING, BASE_NONE, NULL, 0x0,
          "Extended response code in brackets (RFC 2449 section 8)", HFILL}},
        {&hf_pop_response_in, {"Response in frame", "mail.pop.response_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, NULL, HFILL}},
        {&hf_pop_response_to, {"Response to frame", "mail.pop.response_to", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, NULL, HFILL}},
        {&hf_pop_time, {"Time since command", "mail.pop.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_pop_answers, {"Response to command", "mail.pop.answers", FT_STRING, BASE_NONE, NULL, 0x0,
          "The outstanding command this response belongs to", HFILL}},
        {&hf_pop_state, {"Session state", "mail.pop.state", FT_UINT8, BASE_DEC, VALS(session_names), 0x0,
          "RFC 1939 state when the command was sent", HFILL}},
        {&hf_pop_greeting, {"Greeting", "mail.pop.greeting", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_pipelined, {"Commands still awaiting a response", "mail.pop.pipelined", FT_UINT32,
          BASE_DEC, NULL, 0x0, "Sent before the earlier commands were answered (RFC 2449 PIPELINING)",
          HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_pop_unmatched, {"mail.pop.response.unmatched", PI_SEQUENCE, PI_WARN,
          "Response with no outstanding command", EXPFILL}},
        {&ei_pop_unexpected_line, {"mail.pop.response.unexpected_line", PI_MALFORMED, PI_WARN,
          "Server line that is neither +OK nor -ERR where a response is due", EXPFILL}},
        {&ei_pop_out_of_state, {"mail.pop.sequence.out_of_state", PI_SEQUENCE, PI_NOTE,
          "Command not valid in the session's current state", EXPFILL}},
        {&ei_pop_deleted, {"mail.pop.sequence.deleted_message", PI_SEQUENCE, PI_NOTE,
          "Command on a message marked deleted earlier in the session", EXPFILL}},
        {&ei_pop_unknown_command, {"mail.pop.command.unknown", PI_PROTOCOL, PI_NOTE,
          "Command not in RFC 1939, 2449, 2595, 5034 or 6856", EXPFILL}},
        {&ei_pop_before_command, {"mail.pop.response.before_command", PI_SEQUENCE, PI_WARN,
          "Server line begun before the command it would answer was sent", EXPFILL}},
        {&ei_pop_resync, {"mail.pop.response.taken_as_answered", PI_SEQUENCE, PI_NOTE,
          "The command before got no status line, yet the client went on", EXPFILL}},
        {&ei_pop_fifo_full, {"mail.pop.pipelined.too_many", PI_SEQUENCE, PI_WARN,
          "More outstanding commands than the dissector tracks: this one is not matched", EXPFILL}},
    };
    static gint *ett[] = {&ett_pop, &ett_pop_line};
    proto_pop = proto_register_protocol("Post Office Protocol 3 (mailwire)", "mailwire POP", "mail.pop");
    pop_dropin_register(proto_pop);
    proto_register_field_array(proto_pop, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_pop);
    expert_register_field_array(em, ei, array_length(ei));
    pop_multiline_register(proto_pop);
    pop_longline_register(proto_pop);
    pop_auth_register(proto_pop);

    module_t *m = prefs_register_protocol(proto_pop, pop_apply_prefs);
    mail_ports_register(m, &pop_ports, "POP3", "110", "995");
    prefs_register_uint_preference(m, "message_view_max", "Largest message shown with its headers (bytes)",
                                   "RETR/TOP messages larger than this are checked (size, terminator, "
                                   "dot-stuffing) but neither kept in memory nor handed to the "
                                   "message view (mail.header.*, IMF); 0 = no limit",
                                   10, &pop_message_view_max);
    pop_handle = register_dissector("mail.pop", dissect_pop, proto_pop);
}

void pop_handoff(void)
{
    pop_apply_prefs();
    pop_multiline_handoff();
    pop_auth_handoff();
}

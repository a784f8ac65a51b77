/* POP3 on the stream engine: commands and responses matched through a FIFO of
 * outstanding commands (clients may pipeline them, RFC 2449), the session
 * state of RFC 1939, and dispatch to the multiline and authentication parts.
 *
 * Capture started mid-session: until the greeting is seen the session state is
 * unknown and nothing is flagged as out of state.  A server line that is
 * neither +OK nor -ERR while no command is outstanding can only be the body of
 * a multiline response whose command was not captured, so it opens an
 * "unknown" multiline body that ends at its '.' line; a +OK/-ERR with nothing
 * outstanding is the greeting if the client has not spoken yet, else an
 * unmatched response.
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>

#include "mail/lineitem.h"
#include "mail/mail.h"
#include "pop/pop.h"
#include "engine/stream.h"
#include "mail/tap.h"

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

static dissector_handle_t pop_handle;

#define POP_TCP_PORTS "110"
#define POP_TLS_PORTS "995"
static range_t *pop_tls_ports;
guint pop_message_view_max = 0;

static const value_string session_names[] = {
    {POP_SESSION_UNKNOWN, "unknown (greeting not captured)"},
    {POP_SESSION_AUTHORIZATION, "AUTHORIZATION"},
    {POP_SESSION_TRANSACTION, "TRANSACTION"},
    {POP_SESSION_UPDATE, "UPDATE"},
    {0, NULL},
};

static const char *const cmd_names[] = {
    "", "USER", "PASS", "APOP", "AUTH", "STLS", "CAPA", "STAT", "LIST", "RETR",
    "DELE", "NOOP", "RSET", "TOP", "UIDL", "QUIT", "UTF8", "LANG",
};

const char *pop_cmd_name(pop_cmd c)
{
    return (size_t)c < G_N_ELEMENTS(cmd_names) ? cmd_names[c] : "";
}

static pop_cmd cmd_lookup(tvbuff_t *tvb, gint off, gint len)
{
    if (len < 3 || len > 4)
        return POP_CMD_UNKNOWN;
    for (size_t i = 1; i < G_N_ELEMENTS(cmd_names); i++)
        if ((gint)strlen(cmd_names[i]) == len && tvb_strncaseeql(tvb, off, cmd_names[i], len) == 0)
            return (pop_cmd)i;
    return POP_CMD_UNKNOWN;
}

/* A +OK to these opens a multiline body (RFC 1939, 2449, 5034, 6856). */
static gboolean cmd_multiline(pop_cmd c, guint nargs)
{
    switch (c) {
    case POP_CMD_RETR: case POP_CMD_TOP: case POP_CMD_CAPA: return TRUE;
    case POP_CMD_LIST: case POP_CMD_UIDL: case POP_CMD_AUTH: case POP_CMD_LANG: return nargs == 0;
    default: return FALSE;
    }
}

pop_pending *pop_fifo_front(pop_state *st)
{
    return st->fifo_count ? &st->fifo[st->fifo_head] : NULL;
}

static void fifo_pop(pop_state *st)
{
    st->fifo_head = (guint8)((st->fifo_head + 1) % POP_FIFO_LEN);
    st->fifo_count--;
}

static gboolean is_deleted(const pop_state *st, guint32 msg)
{
    for (guint i = 0; i < st->ndeleted; i++)
        if (st->deleted[i] == msg)
            return TRUE;
    return FALSE;
}

static gboolean allowed_in(pop_session s, pop_cmd c)
{
    switch (s) {
    case POP_SESSION_AUTHORIZATION:
        return !(c == POP_CMD_STAT || c == POP_CMD_LIST || c == POP_CMD_RETR || c == POP_CMD_DELE ||
                 c == POP_CMD_NOOP || c == POP_CMD_RSET || c == POP_CMD_TOP || c == POP_CMD_UIDL);
    case POP_SESSION_TRANSACTION:
        return !(c == POP_CMD_USER || c == POP_CMD_PASS || c == POP_CMD_APOP || c == POP_CMD_AUTH ||
                 c == POP_CMD_STLS || c == POP_CMD_UTF8);
    case POP_SESSION_UPDATE:
        return FALSE;
    default:
        return TRUE;
    }
}

/* The record of the command dissected as line `n` of this call: created on
 * the first pass, found again later. */
static pop_exchange *exchange_for(mw_ctx *ctx, guint n)
{
    guint32 key = 0x40000000u | (ctx->call_index << 12) | (n & 0xfff);
    pop_exchange *ex = (pop_exchange *)p_get_proto_data(wmem_file_scope(), ctx->pinfo, proto_pop, key);
    if (!ex && ctx->first_pass) {
        ex = wmem_new0(wmem_file_scope(), pop_exchange);
        ex->req_frame = ctx->pinfo->num;
        ex->req_time = ctx->pinfo->abs_ts;
        p_add_proto_data(wmem_file_scope(), ctx->pinfo, proto_pop, key, ex);
    }
    return ex;
}

static guint32 parse_uint(tvbuff_t *tvb, gint off, gint len, gboolean *ok)
{
    guint64 v = 0;
    *ok = len > 0 && len <= 10;
    for (gint i = 0; *ok && i < len; i++) {
        guint8 c = tvb_get_guint8(tvb, off + i);
        if (!g_ascii_isdigit(c))
            *ok = FALSE;
        v = v * 10 + (c - '0');
    }
    if (v > G_MAXUINT32)
        *ok = FALSE;
    return *ok ? (guint32)v : 0;
}

static void dissect_command(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, const mw_line_at *l,
                            guint line_no)
{
    gint len = (gint)l->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, hf_pop_request, tvb, l->offset,
                                         len + (gint)l->line.eol_len, ENC_NA);
    proto_tree *t = proto_item_add_subtree(it, ett_pop_line);
    gint sp = tvb_find_guint8(tvb, l->offset, len, ' ');
    gint verb_len = sp < 0 ? len : sp - l->offset;
    gint args_off = sp < 0 ? l->offset + len : sp + 1;
    gint args_len = l->offset + len - args_off;
    pop_cmd cmd = cmd_lookup(tvb, l->offset, verb_len);
    const char *text = cmd == POP_CMD_PASS ? "PASS ********" : mw_line_text(ctx, tvb, l->offset, len);
    if (cmd == POP_CMD_PASS && len > 5)
        text = wmem_strdup_printf(ctx->pinfo->pool, "PASS %s", mw_line_text(ctx, tvb, args_off, args_len));
    proto_item_set_text(it, "Command: %s", text);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "C: %s", text);

    proto_tree_add_item(t, hf_pop_command, tvb, l->offset, verb_len, ENC_ASCII);
    if (args_len > 0)
        proto_tree_add_item(t, hf_pop_args, tvb, args_off, args_len, ENC_ASCII);
    proto_item *si = proto_tree_add_uint(t, hf_pop_state, tvb, l->offset, 0, st->session);
    proto_item_set_generated(si);
    mw_add_line_facts(ctx, t, tvb, l);

    if (st->stls_requested || st->stls_started) {
        /* Plaintext after STLS: a server that buffers it runs it inside TLS. */
        pop_stls_injection(ctx, it, TRUE);
        return;
    }
    if (cmd == POP_CMD_UNKNOWN)
        expert_add_info(ctx->pinfo, it, &ei_pop_unknown_command);
    else if (!allowed_in((pop_session)st->session, cmd))
        expert_add_info_format(ctx->pinfo, it, &ei_pop_out_of_state,
                               "%s is not valid in the %s state", pop_cmd_name(cmd),
                               val_to_str_const(st->session, session_names, "?"));

    /* Arguments: count them and read the first two as numbers. */
    guint nargs = 0;
    guint32 nums[2] = {0, 0};
    gboolean num_ok[2] = {FALSE, FALSE};
    for (gint a = args_off, end = l->offset + len; a < end;) {
        gint e = tvb_find_guint8(tvb, a, end - a, ' ');
        if (e < 0)
            e = end;
        if (e > a) {
            if (nargs < 2)
                nums[nargs] = parse_uint(tvb, a, e - a, &num_ok[nargs]);
            nargs++;
        }
        a = e + 1;
    }
    if ((cmd == POP_CMD_RETR || cmd == POP_CMD_TOP || cmd == POP_CMD_DELE || cmd == POP_CMD_LIST ||
         cmd == POP_CMD_UIDL) && num_ok[0] && is_deleted(st, nums[0]))
        expert_add_info_format(ctx->pinfo, it, &ei_pop_deleted,
                               "Message %u was marked deleted earlier in this session", nums[0]);

    pop_auth_command(ctx, st, cmd, t, tvb, args_off, args_len);
    mw_tap_command(ctx, cmd ? pop_cmd_name(cmd) : "(unknown)");
    if ((cmd == POP_CMD_USER || cmd == POP_CMD_APOP) && st->user[0])
        mw_tap_user(ctx, st->user);

    pop_exchange *ex = exchange_for(ctx, line_no);
    if (ex && ex->resp_frame) {
        proto_item *ri = proto_tree_add_uint(t, hf_pop_response_in, tvb, 0, 0, ex->resp_frame);
        proto_item_set_generated(ri);
    }
    if (st->fifo_count) {
        proto_item *pi = proto_tree_add_uint(t, hf_pop_pipelined, tvb, 0, 0, st->fifo_count);
        proto_item_set_generated(pi);
    }
    if (st->fifo_count == POP_FIFO_LEN) {
        expert_add_info(ctx->pinfo, it, &ei_pop_fifo_full);
        return;
    }
    pop_pending *p = &st->fifo[(st->fifo_head + st->fifo_count) % POP_FIFO_LEN];
    memset(p, 0, sizeof *p);
    p->cmd = (guint8)cmd;
    p->nargs = (guint8)MIN(nargs, 255);
    p->multiline = cmd_multiline(cmd, nargs);
    p->msg = num_ok[0] ? nums[0] : 0;
    p->top_lines = num_ok[1] ? nums[1] : 0;
    p->ex = ex;
    st->fifo_count++;
    if (cmd == POP_CMD_STLS)
        st->stls_requested = TRUE;
}

static void client_line(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, const mw_line_at *l, guint n)
{
    st->client_spoke = TRUE;
    if (st->sasl_active && !st->stls_started) {
        pop_auth_client_line(ctx, st, tvb, l);
        return;
    }
    dissect_command(ctx, st, tvb, l, n);
}

/* The effects of a response on the session. */
static void apply_response(mw_ctx *ctx, pop_state *st, const pop_pending *p, gboolean ok,
                           proto_tree *t, proto_item *it, tvbuff_t *tvb, gint text_off,
                           gint text_len, gboolean crlf)
{
    pop_cmd cmd = (pop_cmd)p->cmd;
    if (cmd == POP_CMD_AUTH && p->nargs > 0)
        pop_auth_done(st);
    if (cmd == POP_CMD_STLS)
        st->stls_requested = FALSE;
    if (!ok)
        return;
    switch (cmd) {
    case POP_CMD_PASS: case POP_CMD_APOP:
        st->session = POP_SESSION_TRANSACTION;
        break;
    case POP_CMD_AUTH:
        if (p->nargs > 0)
            st->session = POP_SESSION_TRANSACTION;
        break;
    case POP_CMD_QUIT:
        if (st->session == POP_SESSION_TRANSACTION)
            st->session = POP_SESSION_UPDATE;
        break;
    case POP_CMD_STLS:
        pop_stls_ok(ctx, st);
        break;
    case POP_CMD_STAT: {
        gint sp = text_len > 0 ? tvb_find_guint8(tvb, text_off, text_len, ' ') : -1;
        gboolean num_ok;
        guint32 n = parse_uint(tvb, text_off, sp < 0 ? text_len : sp - text_off, &num_ok);
        if (num_ok) {
            st->stat_known = TRUE;
            st->stat_count = n;
            st->stat_deleted_base = st->ndeleted;
        }
        break;
    }
    case POP_CMD_DELE:
        if (p->msg && st->ndeleted < POP_MAX_DELETED && !is_deleted(st, p->msg))
            st->deleted[st->ndeleted++] = p->msg;
        break;
    case POP_CMD_RSET:
        st->ndeleted = 0;
        break;
    default:
        break;
    }
    if (st->session == POP_SESSION_UNKNOWN && !allowed_in(POP_SESSION_AUTHORIZATION, cmd))
        st->session = POP_SESSION_TRANSACTION; /* learnt from a successful transaction command */
    if (p->multiline)
        pop_multiline_start(ctx, st, cmd, p, t, tvb, text_off, text_len, crlf);
    (void)it;
}

static void dissect_response(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, const mw_line_at *l)
{
    gint len = (gint)l->line.len;
    gint off = l->offset;
    gboolean ok = len >= 3 && tvb_strncaseeql(tvb, off, "+OK", 3) == 0 &&
                  (len == 3 || tvb_get_guint8(tvb, off + 3) == ' ');
    gboolean err = len >= 4 && tvb_strncaseeql(tvb, off, "-ERR", 4) == 0 &&
                   (len == 4 || tvb_get_guint8(tvb, off + 4) == ' ');
    gboolean cont = !ok && !err && len >= 1 && tvb_get_guint8(tvb, off) == '+' &&
                    (len == 1 || tvb_get_guint8(tvb, off + 1) == ' ');
    pop_pending *front = pop_fifo_front(st);

    if (!ok && !err && !(cont && st->sasl_active) && !front) {
        /* Nothing outstanding: body of a multiline response not captured. */
        pop_multiline_start(ctx, st, POP_CMD_UNKNOWN, NULL, NULL, tvb, 0, 0, TRUE);
        if (ctx->stream_offset + (guint64)off == 0 && st->session == POP_SESSION_UNKNOWN)
            pop_multiline_partial(ctx, tvb, l); /* the capture may start inside this line */
        else
            pop_multiline_line(ctx, st, tvb, l);
        return;
    }

    proto_item *it = proto_tree_add_item(ctx->tree, hf_pop_response, tvb, off,
                                         len + (gint)l->line.eol_len, ENC_NA);
    proto_item_set_text(it, "Response: %s", mw_line_text(ctx, tvb, off, len));
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: %s", mw_line_text(ctx, tvb, off, len));
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
    if (text_len > 0 && !cont)
        proto_tree_add_item(t, hf_pop_text, tvb, text_off, text_len, ENC_ASCII | ENC_NA);
    mw_add_line_facts(ctx, t, tvb, l);
    gboolean crlf = l->line.eol == MW_EOL_CRLF;

    if (st->stls_started && !ctx->tls) {
        pop_stls_injection(ctx, it, FALSE);
        return;
    }
    if (cont) {
        if (st->sasl_active)
            pop_auth_challenge(ctx, st, t, tvb, text_off, text_len);
        else
            expert_add_info(ctx->pinfo, it, &ei_pop_unexpected_line);
        return;
    }
    if (!ok && !err) {
        expert_add_info_format(ctx->pinfo, it, &ei_pop_unexpected_line,
                               "Neither +OK nor -ERR while %s awaits its response: a client "
                               "skips or misreads this line",
                               front->cmd ? pop_cmd_name((pop_cmd)front->cmd) : "a command");
        return;
    }
    if (!front) {
        if (!st->greeted && !st->client_spoke) {
            st->greeted = TRUE;
            st->session = POP_SESSION_AUTHORIZATION;
            proto_item *g = proto_tree_add_boolean(t, hf_pop_greeting, tvb, off, 0, TRUE);
            proto_item_set_generated(g);
        } else {
            expert_add_info(ctx->pinfo, it, &ei_pop_unmatched);
        }
        return;
    }
    pop_pending p = *front;
    fifo_pop(st);
    proto_item *ai = proto_tree_add_string(t, hf_pop_answers, tvb, off, 0,
                                           p.cmd ? pop_cmd_name((pop_cmd)p.cmd) : "(unknown command)");
    proto_item_set_generated(ai);
    if (p.ex) {
        if (ctx->first_pass && !p.ex->resp_frame)
            p.ex->resp_frame = ctx->pinfo->num;
        proto_item *ri = proto_tree_add_uint(t, hf_pop_response_to, tvb, off, 0, p.ex->req_frame);
        proto_item_set_generated(ri);
        nstime_t d;
        nstime_delta(&d, &ctx->pinfo->abs_ts, &p.ex->req_time);
        ri = proto_tree_add_time(t, hf_pop_time, tvb, off, 0, &d);
        proto_item_set_generated(ri);
    }
    mw_tap_reply(ctx, p.cmd ? pop_cmd_name((pop_cmd)p.cmd) : NULL, ok ? "+OK" : "-ERR", 0,
                 p.ex ? &p.ex->req_time : NULL);
    apply_response(ctx, st, &p, ok, t, it, tvb, text_off, text_len, crlf);
}

/* A status indicator followed by a bare CR (and a byte that is not LF). */
static gboolean status_bare_cr(tvbuff_t *tvb, gint offset, mw_line_at *l)
{
    gint rem = tvb_reported_length_remaining(tvb, offset);
    gint n = rem >= 5 && tvb_strneql(tvb, offset, "+OK\r", 4) == 0 ? 3
             : rem >= 6 && tvb_strneql(tvb, offset, "-ERR\r", 5) == 0 ? 4 : 0;
    if (!n || tvb_get_guint8(tvb, offset + n + 1) == '\n')
        return FALSE;
    memset(l, 0, sizeof *l);
    l->offset = offset;
    return mw_line_scan(tvb_get_ptr(tvb, offset, rem), (size_t)rem, MW_SCAN_CR_ENDS_LINE, &l->line) &&
           l->line.eol == MW_EOL_CR;
}

static guint pop_dissect(mw_ctx *ctx, tvbuff_t *tvb)
{
    pop_state *st = (pop_state *)ctx->state;
    gint offset = 0, len = tvb_reported_length(tvb);
    guint n = 0;
    col_clear(ctx->pinfo->cinfo, COL_INFO);
    if (ctx->tls && st->stls_started) {
        /* TLS is up: the session goes on inside it (RFC 2595). */
        st->stls_started = FALSE;
        st->stls_requested = FALSE;
        st->fifo_count = 0;
    }
    while (offset < len) {
        if (ctx->dir == MW_DIR_SERVER && st->ml_active && st->ml_kind == POP_BODY_MESSAGE) {
            offset = pop_multiline_message(ctx, st, tvb, offset);
            continue;
        }
        mw_line_at l;
        if (ctx->dir == MW_DIR_SERVER && !st->ml_active && status_bare_cr(tvb, offset, &l)) {
            /* "+OK<CR>x": the status line ends at the bare CR for the readers
             * that accept one; its body (if any) is read as bytes. */
            offset += (gint)(l.line.len + l.line.eol_len);
            dissect_response(ctx, st, tvb, &l);
            if (st->ml_active)
                st->ml_kind = POP_BODY_MESSAGE;
            continue;
        }
        if (!mw_next_line(ctx, tvb, &offset, &l))
            break;
        if (ctx->dir == MW_DIR_CLIENT) {
            client_line(ctx, st, tvb, &l, n++);
        } else if (!(st->ml_active && pop_multiline_line(ctx, st, tvb, &l))) {
            dissect_response(ctx, st, tvb, &l);
        }
    }
    return (guint)offset;
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
    pop_state *st = (pop_state *)state;
    st->session = POP_SESSION_UNKNOWN;
}

static const mw_stream_proto pop_stream = {
    .proto = &proto_pop,
    .ett = &ett_pop,
    .label = "POP",
    .state_size = sizeof(pop_state),
    .state_init = pop_state_init,
    .dissect = pop_dissect,
    .gap = pop_gap,
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
        {&hf_pop_request, {"Command line", "mail.pop.request", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_command, {"Command", "mail.pop.command", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_args, {"Arguments", "mail.pop.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_response, {"Response line", "mail.pop.response", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_status, {"Status", "mail.pop.status", FT_STRING, BASE_NONE, NULL, 0x0,
          "+OK, -ERR, or + (a SASL challenge)", HFILL}},
        {&hf_pop_text, {"Text", "mail.pop.text", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_pop_resp_code, {"Response code", "mail.pop.resp_code", FT_STRING, BASE_NONE, NULL, 0x0,
          "Extended response code in brackets (RFC 2449 section 8)", HFILL}},
        {&hf_pop_response_in, {"Response in", "mail.pop.response_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, NULL, HFILL}},
        {&hf_pop_response_to, {"Response to", "mail.pop.response_to", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, NULL, HFILL}},
        {&hf_pop_time, {"Time since command", "mail.pop.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_pop_answers, {"Answers command", "mail.pop.answers", FT_STRING, BASE_NONE, NULL, 0x0,
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
        {&ei_pop_fifo_full, {"mail.pop.pipelined.too_many", PI_SEQUENCE, PI_WARN,
          "More outstanding commands than the dissector tracks: this one is not matched", EXPFILL}},
    };
    static gint *ett[] = {&ett_pop, &ett_pop_line};
    proto_pop = proto_register_protocol("Post Office Protocol 3 (mailwire)", "mailwire POP", "mail.pop");
    proto_register_field_array(proto_pop, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_pop);
    expert_register_field_array(em, ei, array_length(ei));
    pop_multiline_register(proto_pop);
    pop_auth_register(proto_pop);

    module_t *m = prefs_register_protocol(proto_pop, pop_apply_prefs);
    range_convert_str(wmem_epan_scope(), &pop_tls_ports, POP_TLS_PORTS, 65535);
    prefs_register_range_preference(m, "tls.ports", "POP3 over implicit TLS ports",
                                    "TCP ports where POP3 runs inside TLS from the first byte "
                                    "(dissected after decryption)",
                                    &pop_tls_ports, 65535);
    prefs_register_uint_preference(m, "message_view_max", "Largest message shown with its headers (bytes)",
                                   "RETR/TOP messages larger than this are checked (size, terminator, "
                                   "dot-stuffing) but neither kept in memory nor handed to the "
                                   "message view (mail.header.*, IMF); 0 = no limit",
                                   10, &pop_message_view_max);
    pop_handle = register_dissector("mail.pop", dissect_pop, proto_pop);
}

void pop_handoff(void)
{
    dissector_add_uint_range_with_preference("tcp.port", POP_TCP_PORTS, pop_handle);
    pop_apply_prefs();
    pop_multiline_handoff();
    pop_auth_handoff();
}

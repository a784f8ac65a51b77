/* SMTP (RFC 5321) on the stream engine: registration, the per-call loop and
 * the command line.  The other smtp_*.c files hold one concept each (see
 * smtp_int.h).
 *
 * A line longer than the engine's carry limit comes in pieces: its first is
 * dissected as a command (verb, sequence, reply queue; its arguments shown
 * in part), the rest go to smtp_longline.c.  Limitations: SMTP extensions
 * other than those named in the dispatch table are shown as verb and
 * arguments only.
 */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>

#include "engine/heap.h"
#include "mail/lineitem.h"
#include "mail/fallback.h"
#include "mail/mail.h"
#include "mail/message_tree.h"
#include "smtp/smtp_int.h"
#include "mail/tap.h"

int proto_smtp = -1;
dissector_handle_t smtp_handle;
static int ett_smtp = -1;
static int ett_smtp_command = -1;

static int hf_smtp_request = -1;
static int hf_smtp_command = -1;
static int hf_smtp_command_as_written = -1;
static int hf_smtp_command_args = -1;
static int hf_smtp_response_in = -1;
static int hf_smtp_state = -1;
static int hf_smtp_state_tls = -1;

static expert_field ei_smtp_not_command = EI_INIT;
static expert_field ei_smtp_unknown_verb = EI_INIT;
static expert_field ei_smtp_seq_rcpt_no_mail = EI_INIT;
static expert_field ei_smtp_seq_data_no_rcpt = EI_INIT;
static expert_field ei_smtp_seq_nested_mail = EI_INIT;
static expert_field ei_smtp_seq_before_helo = EI_INIT;
static expert_field ei_smtp_seq_after_rejected_data = EI_INIT;
static expert_field ei_smtp_fifo_full = EI_INIT;

static range_t *smtp_tcp_ports;
#define SMTP_TCP_PORTS "25,587"
#define SMTP_TLS_PORTS "465"
static range_t *smtp_tls_ports;

static const value_string smtp_phase_vals[] = {
    {MW_SMTP_PHASE_START, "before HELO/EHLO"},
    {MW_SMTP_PHASE_GREETED, "after HELO/EHLO"},
    {MW_SMTP_PHASE_TRANSACTION, "in a mail transaction"},
    {MW_SMTP_PHASE_DATA, "in DATA"},
    {0, NULL},
};

/* The reply queue grows past its first slots on deep pipelines: on the
 * engine's heap, so that what an ended session does not give back goes
 * with the capture. */
static void *smtp_ring_alloc(size_t n)
{
    return mw_heap_realloc(NULL, n);
}

void smtp_state_init(void *state, packet_info *pinfo _U_)
{
    smtp_state *st = (smtp_state *)state;
    mw_smtp_client_init(&st->cl);
    mw_smtp_replies_init(&st->rp);
    mw_smtp_txn_init(&st->tx);
}

void smtp_state_free(void *state)
{
    mw_smtp_replies_free(&((smtp_state *)state)->rp);
}

/* ---- records and the reply FIFO ---------------------------------------- */

/* Command records per slab: a session of a few commands takes a small
 * one, a pipeline slabs of up to SMTP_CMD_SLAB. */
#define SMTP_CMD_SLAB_FIRST 8
#define SMTP_CMD_SLAB 512

static void smtp_cmd_fill(smtp_call *sc, smtp_cmd_rec *c, guint8 verb)
{
    c->frame = sc->pinfo->num;
    c->ts_secs = (gint64)sc->pinfo->abs_ts.secs;
    c->ts_nsecs = sc->pinfo->abs_ts.nsecs;
    c->verb = verb;
    mw_smtp_replies_command(&sc->st->rp, (uintptr_t)c, verb);
}

smtp_cmd_rec *smtp_cmd_new(smtp_call *sc, guint8 verb)
{
    smtp_state *st = sc->st;
    if (!st->cmd_slab_left) {
        st->cmd_slab_size = st->cmd_slab_size ? MIN(st->cmd_slab_size * 2, SMTP_CMD_SLAB)
                                              : SMTP_CMD_SLAB_FIRST;
        st->cmd_slab = (smtp_cmd_rec *)smtp_rec(sc, st->cmd_slab_size * sizeof(smtp_cmd_rec));
        st->cmd_slab_left = st->cmd_slab_size;
    }
    smtp_cmd_rec *c = st->cmd_slab++;
    st->cmd_slab_left--;
    smtp_cmd_fill(sc, c, verb);
    return c;
}

smtp_cmd_rec *smtp_cmd_new_lmtp(smtp_call *sc, guint8 verb, const char *rcpt,
                                guint32 rcpt_frame)
{
    smtp_lmtp_cmd *l = (smtp_lmtp_cmd *)smtp_rec(sc, sizeof *l);
    l->c.lmtp = 1;
    l->rcpt = rcpt;
    l->rcpt_frame = rcpt_frame;
    smtp_cmd_fill(sc, &l->c, verb);
    return &l->c;
}

void smtp_cmd_show_links(smtp_call *sc, smtp_node t, tvbuff_t *tvb, const smtp_cmd_rec *c)
{
    /* filled in when the reply's frame is parsed */
    so_add_link(sc, t, hf_smtp_response_in, tvb, 0, 0, &c->reply_frame);
}

const char *smtp_verb_label(guint8 verb)
{
    if (verb == SMTP_VERB_END_OF_DATA)
        return "end of DATA";
    if (verb == SMTP_VERB_AUTH_RESPONSE)
        return "AUTH response";
    return mw_smtp_verb_name((mw_smtp_verb)verb);
}

/* ---- commands ------------------------------------------------------------ */

typedef void (*smtp_args_fn)(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint args_off,
                             const guint8 *args, gsize args_len);

static void smtp_cmd_reset(smtp_call *sc, tvbuff_t *tvb _U_, smtp_node t _U_, gint o _U_,
                           const guint8 *a _U_, gsize l _U_)
{
    smtp_message_reset(sc->st);
    mw_smtp_txn_reset(&sc->st->tx, FALSE);
}

static void smtp_cmd_ehlo(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint o, const guint8 *a,
                          gsize l)
{
    smtp_message_reset(sc->st);
    mw_smtp_txn_reset(&sc->st->tx, TRUE);
    (void)tvb, (void)t, (void)o, (void)a, (void)l;
}

static void smtp_cmd_data(smtp_call *sc, tvbuff_t *tvb _U_, smtp_node t _U_, gint o _U_,
                          const guint8 *a _U_, gsize l _U_)
{
    mw_smtp_client_data_sent(&sc->st->cl);
    sc->st->data_frame = sc->pinfo->num;
}

static void smtp_cmd_starttls(smtp_call *sc, tvbuff_t *tvb _U_, smtp_node t _U_, gint o _U_,
                              const guint8 *a _U_, gsize l _U_)
{
    smtp_tls_starttls_sent(sc);
}

/* What a command does beyond verb and arguments. */
static const smtp_args_fn smtp_args_table[] = {
    [MW_SMTP_HELO] = smtp_cmd_ehlo,
    [MW_SMTP_EHLO] = smtp_cmd_ehlo,
    [MW_SMTP_XCLIENT] = dissect_smtp_xclient,
    [MW_SMTP_XFORWARD] = dissect_smtp_xforward,
    [MW_SMTP_MAIL] = dissect_smtp_mail,
    [MW_SMTP_RCPT] = dissect_smtp_rcpt,
    [MW_SMTP_DATA] = smtp_cmd_data,
    [MW_SMTP_RSET] = smtp_cmd_reset,
    [MW_SMTP_STARTTLS] = smtp_cmd_starttls,
    [MW_SMTP_AUTH] = dissect_smtp_auth,
};

static void smtp_bdat_args(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint o, const guint8 *a,
                           gsize l, gboolean *more)
{
    dissect_smtp_bdat(sc, tvb, t, o, a, l, more);
}

/* Octets of a line's start read for its verb when the line is long. */
#define SMTP_VERB_SCAN 512

/* What a command changes when its line is too long to read its arguments:
 * those that need none; MAIL and RCPT with their address cut.  DATA, BDAT,
 * STARTTLS and AUTH change what the client's next bytes are, and a server
 * refuses them with junk after them: they change nothing here. */
static void smtp_long_command_effects(smtp_call *sc, guint8 verb, const guint8 *args,
                                      gsize args_len);

/* What the session decided about a whole command line before the command
 * changed anything, besides its record: all its display needs besides the
 * line's bytes, packed (sequence finding, CF_* << 3). */
typedef struct smtp_cmd_facts {
    guint8 seq;               /* mw_smtp_seq */
    guint8 bits;              /* CF_* */
} smtp_cmd_facts;

enum {
    CF_LMTP = 1 << 0,           /* LMTP: LHLO is a verb */
    CF_CONTINUED = 1 << 1,      /* the line continues a fragment (l->continued) */
    CF_AFTER_REFUSAL = 1 << 2,  /* sent after a refused DATA */
    CF_PLAINTEXT = 1 << 3,      /* MAIL/AUTH in plaintext though STARTTLS was offered */
    CF_FIFO_FULL = 1 << 4,      /* the reply queue was full */
};

/* The command item, its verb and arguments, and the line's own facts;
 * returns the item, its subtree in *t, the verb in *verb and the parse in
 * *cmd (its arguments valid when *verb is known). */
static smtp_node smtp_command_head(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l,
                                   gboolean lmtp, smtp_node *t_out, mw_smtp_cmd *cmd,
                                   guint8 *verb_out)
{
    gint len = (gint)l->line.len;
    const guint8 *p = tvb_get_ptr(tvb, l->offset, len);
    const char *text = mw_line_text_cut(sc->ctx, tvb, l->offset, len);
    /* the first piece of a line longer than the engine's carry limit */
    gboolean first_piece = l->fragment && !l->continued;
    smtp_node it = so_add_item(sc, sc->tree, hf_smtp_request, tvb, l->offset,
                                         len + (gint)l->line.eol_len, ENC_NA);
    so_set_text(sc, it, "Command: %s", text);
    smtp_node t = so_subtree(sc, it, ett_smtp_command);
    so_col(sc, "C: %s", text);

    memset(cmd, 0, sizeof *cmd);
    /* After lost bytes the line may still start cleanly: accept a known verb. */
    gboolean ok = (!l->fragment || first_piece) &&
                  mw_smtp_cmd_parse(p, first_piece ? MIN((size_t)len, SMTP_VERB_SCAN) : (size_t)len,
                                    cmd) &&
                  (!l->continued || cmd->verb != MW_SMTP_UNKNOWN);
    guint8 verb = ok ? (guint8)cmd->verb : MW_SMTP_UNKNOWN;
    /* LMTP's LHLO is EHLO under another name (RFC 2033 4.1) */
    gboolean lhlo = ok && lmtp && cmd->verb == MW_SMTP_UNKNOWN && cmd->name.len == 4 &&
                    g_ascii_strncasecmp((const char *)p + cmd->name.off, "LHLO", 4) == 0;
    if (lhlo)
        verb = MW_SMTP_EHLO;
    if (ok) {
        smtp_node v;
        if (lhlo) {
            v = so_add_string(sc, t, hf_smtp_command, tvb, l->offset + (gint)cmd->name.off,
                              (gint)cmd->name.len, "LHLO");
        } else if (cmd->verb != MW_SMTP_UNKNOWN) {
            v = so_add_string(sc, t, hf_smtp_command, tvb, l->offset + (gint)cmd->name.off,
                                      (gint)cmd->name.len, mw_smtp_verb_name(cmd->verb));
        } else {
            char *up = g_ascii_strup((const char *)p + cmd->name.off, (gssize)cmd->name.len);
            v = so_add_string(sc, t, hf_smtp_command, tvb, l->offset + (gint)cmd->name.off,
                                      (gint)cmd->name.len, wmem_strdup(sc->pinfo->pool, up));
            g_free(up);
            so_expert(sc, v, &ei_smtp_unknown_verb);
        }
        smtp_node w = so_add_item(sc, t, hf_smtp_command_as_written, tvb,
                                            l->offset + (gint)cmd->name.off, (gint)cmd->name.len,
                                            ENC_ASCII);
        so_set_hidden(sc, w);
        so_tap_command(sc, lhlo ? "LHLO"
                           : cmd->verb != MW_SMTP_UNKNOWN ? mw_smtp_verb_name(cmd->verb) : "(unknown)");
        if (first_piece && cmd->args.off < (size_t)len) {
            /* the arguments go on in later pieces: shown in part */
            gint ao = l->offset + (gint)cmd->args.off, al = len - (gint)cmd->args.off;
            so_add_string(sc, t, hf_smtp_command_args, tvb, ao, al,
                          mw_line_text_cut(sc->ctx, tvb, ao, al));
        } else if (cmd->args.len) {
            so_add_item(sc, t, hf_smtp_command_args, tvb, l->offset + (gint)cmd->args.off,
                                (gint)cmd->args.len, ENC_ASCII);
        }
    } else {
        so_expert(sc, it, &ei_smtp_not_command);
    }
    so_line_facts(sc, t, tvb, l);
    if (!l->fragment)
        smtp_longline_check(sc, tvb, t, it, l, verb == MW_SMTP_AUTH ? SMTP_LL_AUTH : SMTP_LL_COMMAND);
    *t_out = t;
    *verb_out = verb;
    return it;
}

/* The session's findings on the command, from its facts. */
static void smtp_command_experts(smtp_call *sc, smtp_node it, guint8 verb,
                                 const smtp_cmd_facts *f)
{
    static expert_field *const ei[] = {
        [MW_SMTP_SEQ_NESTED_MAIL] = &ei_smtp_seq_nested_mail,
        [MW_SMTP_SEQ_BEFORE_HELO] = &ei_smtp_seq_before_helo,
        [MW_SMTP_SEQ_RCPT_NO_MAIL] = &ei_smtp_seq_rcpt_no_mail,
        [MW_SMTP_SEQ_DATA_NO_RCPT] = &ei_smtp_seq_data_no_rcpt,
    };
    if (f->bits & CF_AFTER_REFUSAL)
        so_expert(sc, it, &ei_smtp_seq_after_rejected_data);
    if (f->seq != MW_SMTP_SEQ_OK && f->seq < G_N_ELEMENTS(ei))
        so_expert(sc, it, ei[f->seq]);
    if (f->bits & CF_PLAINTEXT)
        smtp_tls_plaintext_expert(sc, it, verb);
    if (f->bits & CF_FIFO_FULL)
        so_expert(sc, it, &ei_smtp_fifo_full);
}

/* Render: a whole command line whose ops were replaced by its facts. */
static void smtp_command_replay(smtp_call *sc, tvbuff_t *tvb, gint off, const mw_line *line,
                                guint32 packed, const void *rec)
{
    smtp_cmd_facts f;
    f.seq = (guint8)(packed & 7);
    f.bits = (guint8)(packed >> 3);
    mw_line_at l;
    memset(&l, 0, sizeof l);
    l.offset = off;
    l.line = *line;
    l.continued = (f.bits & CF_CONTINUED) != 0;
    smtp_node t;
    mw_smtp_cmd cmd;
    guint8 verb;
    smtp_node it = smtp_command_head(sc, tvb, &l, (f.bits & CF_LMTP) != 0, &t, &cmd, &verb);
    smtp_command_experts(sc, it, verb, &f);
    if (verb == MW_SMTP_MAIL || verb == MW_SMTP_RCPT)
        smtp_args_table[verb](sc, tvb, t, off + (gint)cmd.args.off,
                              tvb_get_ptr(tvb, off, (gint)line->len) + cmd.args.off,
                              cmd.args.len);
    smtp_cmd_show_links(sc, t, tvb, (const smtp_cmd_rec *)rec);
}

static const smtp_show smtp_command_show = {smtp_command_replay, sizeof(smtp_cmd_rec)};

/* Commands whose whole line is shown again from its facts: those whose
 * arguments show nothing the session decides (MAIL and RCPT show their
 * paths only; the rest of what they change is state). */
static gboolean smtp_command_compact(guint8 verb)
{
    switch (verb) {
    case MW_SMTP_BDAT:
    case MW_SMTP_AUTH:
    case MW_SMTP_XCLIENT:
    case MW_SMTP_XFORWARD:
    case MW_SMTP_STARTTLS:
        return FALSE;
    default:
        return TRUE;
    }
}

void dissect_smtp_command_line(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l)
{
    smtp_state *st = sc->st;
    smtp_mark mark = so_mark(sc);
    gint len = (gint)l->line.len;
    const guint8 *p = tvb_get_ptr(tvb, l->offset, len);
    gboolean first_piece = l->fragment && !l->continued;
    smtp_node t;
    mw_smtp_cmd cmd;
    guint8 verb;
    smtp_node it = smtp_command_head(sc, tvb, l, st->lmtp, &t, &cmd, &verb);

    smtp_cmd_facts f;
    memset(&f, 0, sizeof f);
    f.bits = (guint8)((st->lmtp ? CF_LMTP : 0) | (l->continued ? CF_CONTINUED : 0));
    if (mw_smtp_client_after_refusal(&st->cl, verb != MW_SMTP_UNKNOWN))
        f.bits |= CF_AFTER_REFUSAL;
    /* sequence checks of RFC 5321 4.1.4, before the command changes the state */
    f.seq = verb != MW_SMTP_UNKNOWN ? (guint8)mw_smtp_txn_check(&st->tx, verb, st->tls)
                                    : MW_SMTP_SEQ_OK;
    if (smtp_tls_plaintext_risk(sc, verb))
        f.bits |= CF_PLAINTEXT;
    if (mw_smtp_replies_full(&st->rp))
        f.bits |= CF_FIFO_FULL;
    smtp_command_experts(sc, it, verb, &f);
    smtp_cmd_rec *c = smtp_cmd_new(sc, verb);

    if (first_piece) {
        smtp_long_command_effects(sc, verb, p + cmd.args.off, (gsize)len - cmd.args.off);
    } else if (verb == MW_SMTP_BDAT) {
        gboolean more = FALSE;
        smtp_bdat_args(sc, tvb, t, l->offset + (gint)cmd.args.off, p + cmd.args.off,
                       cmd.args.len, &more);
    } else if (verb < G_N_ELEMENTS(smtp_args_table) && smtp_args_table[verb]) {
        smtp_args_table[verb](sc, tvb, t, l->offset + (gint)cmd.args.off, p + cmd.args.off,
                              cmd.args.len);
    }
    smtp_cmd_show_links(sc, t, tvb, c);
    if (first_piece)
        smtp_longline_open(sc, tvb, t, l, verb == MW_SMTP_AUTH ? SMTP_LL_AUTH : SMTP_LL_COMMAND,
                           verb, 0);
    else if (!l->fragment && smtp_command_compact(verb))
        so_compact(sc, mark, tvb, l, &smtp_command_show, (guint32)f.seq | (guint32)f.bits << 3, c);
}

static void smtp_long_command_effects(smtp_call *sc, guint8 verb, const guint8 *args,
                                      gsize args_len)
{
    switch (verb) {
    case MW_SMTP_HELO:
    case MW_SMTP_EHLO:
    case MW_SMTP_RSET:
        smtp_args_table[verb](sc, NULL, SMTP_NODE_NONE, 0, args, 0);
        break;
    case MW_SMTP_MAIL:
    case MW_SMTP_RCPT:
        smtp_longline_envelope(sc, verb, args, args_len);
        break;
    default:
        break;
    }
}

/* ---- the per-call loop --------------------------------------------------- */

static void smtp_show_state(smtp_call *sc, tvbuff_t *tvb)
{
    smtp_node it = so_add_uint(sc, sc->tree, hf_smtp_state, tvb, 0, 0, sc->st->tx.phase);
    so_set_generated(sc, it);
    if (sc->st->tls || sc->ctx->tls) {
        it = so_add_boolean(sc, sc->tree, hf_smtp_state_tls, tvb, 0, 0, TRUE);
        so_set_generated(sc, it);
    }
}

/* The first bytes out of TLS: the session starts again (RFC 3207 4.2). */
static void smtp_enter_tls(smtp_state *st)
{
    st->tls = TRUE;
    mw_smtp_client_restart(&st->cl);
    mw_smtp_replies_restart(&st->rp);
    mw_smtp_txn_restart(&st->tx);
    smtp_message_reset(st);
}

static gboolean smtp_line_is_command(tvbuff_t *tvb, const mw_line_at *l)
{
    mw_smtp_cmd cmd;
    const guint8 *p = tvb_get_ptr(tvb, l->offset, (gint)l->line.len);
    return mw_smtp_cmd_parse(p, MIN(l->line.len, SMTP_VERB_SCAN), &cmd) &&
           cmd.verb != MW_SMTP_UNKNOWN;
}

static gint smtp_client_step(smtp_call *sc, tvbuff_t *tvb, gint offset, gboolean *stop)
{
    smtp_state *st = sc->st;
    mw_line_at l;
    switch ((mw_smtp_client_mode)st->cl.mode) {
    case MW_SMTP_CLIENT_DATA_WAIT:
        /* Body bytes before any reply to DATA: the client did not wait. */
        mw_smtp_client_early(&st->cl);
        smtp_data_begin(sc, st->data_frame);
        return offset;
    case MW_SMTP_CLIENT_DATA:
        return dissect_smtp_data_body(sc, tvb, offset);
    case MW_SMTP_CLIENT_BDAT:
        return dissect_smtp_bdat_chunk(sc, tvb, offset);
    case MW_SMTP_CLIENT_TLS_WAIT:
        if (sc->tls_line_here || !st->cl.starttls_acked)
            return dissect_smtp_injected(sc, tvb, offset, FALSE);
        /* The 220 came in an earlier segment and the client goes on in
         * plaintext: decrypted data put back, or TLS never started. */
        smtp_tls_plaintext_continues(sc, tvb, offset);
        smtp_enter_tls(st);
        return offset;
    default:
        break;
    }
    if (!mw_next_line(sc->ctx, tvb, &offset, &l)) {
        *stop = TRUE;
        return offset;
    }
    if (smtp_longline_rest(sc, tvb, &l))
        return offset;
    if (st->cl.mode == MW_SMTP_CLIENT_AUTH ||
        (st->cl.auth_open && !smtp_line_is_command(tvb, &l))) {
        dissect_smtp_auth_response(sc, tvb, &l); /* 334 missing from the capture: still a response */
        if (l.fragment && !l.continued)
            smtp_longline_open(sc, tvb, sc->tree, &l, SMTP_LL_AUTH, SMTP_VERB_AUTH_RESPONSE, 0);
        else if (!l.fragment)
            smtp_longline_check(sc, tvb, sc->tree, SMTP_NODE_ROOT_ITEM, &l, SMTP_LL_AUTH);
    } else {
        dissect_smtp_command_line(sc, tvb, &l);
    }
    return offset;
}

guint smtp_parse(mw_ctx *ctx, tvbuff_t *tvb)
{
    smtp_state *st = (smtp_state *)ctx->state;
    smtp_call sc;
    memset(&sc, 0, sizeof sc);
    sc.ctx = ctx;
    sc.st = st;
    sc.pinfo = ctx->pinfo;
    sc.tree = SMTP_NODE_TREE;
    smtp_record_begin(&sc, tvb);
    if (ctx->tls && !st->tls)
        smtp_enter_tls(st);
    smtp_show_state(&sc, tvb);

    gint offset = 0, len = tvb_reported_length(tvb);
    smtp_reply_view view = {SMTP_NODE_NONE, 0, FALSE};
    while (offset < len) {
        gboolean stop = FALSE;
        if (ctx->dir == MW_DIR_CLIENT) {
            offset = smtp_client_step(&sc, tvb, offset, &stop);
        } else if (st->cl.starttls_acked && !ctx->tls && !st->tls) {
            offset = dissect_smtp_injected(&sc, tvb, offset, TRUE);
        } else {
            mw_line_at l;
            if (!mw_next_line(ctx, tvb, &offset, &l))
                break;
            if (!smtp_longline_rest(&sc, tvb, &l))
                dissect_smtp_reply_line(&sc, tvb, &l, &view);
        }
        if (stop)
            break;
    }
    ctx->rec = smtp_record_finish(&sc);
    return (guint)offset;
}

void smtp_render(mw_ctx *ctx, tvbuff_t *tvb)
{
    /* a frame's later calls (a client preface, released segments) add to it */
    if (ctx->call_index == 0)
        col_clear(ctx->pinfo->cinfo, COL_INFO);
    if (ctx->rec)
        smtp_render_record(ctx, tvb, (const smtp_call_rec *)ctx->rec);
}

void smtp_gap(void *state, int dir, guint32 missing)
{
    smtp_state *st = (smtp_state *)state;
    st->ll[dir].what = SMTP_LL_NONE; /* the engine resynchronises on a fresh line */
    if (dir == MW_DIR_SERVER) {
        mw_smtp_replies_gap(&st->rp);
        return;
    }
    smtp_data_gap(st, missing);
}

static const mw_stream_proto smtp_stream = {
    .proto = &proto_smtp,
    .ett = &ett_smtp,
    .label = "SMTP",
    .state_size = sizeof(smtp_state),
    .state_init = smtp_state_init,
    .state_free = smtp_state_free,
    .parse = smtp_parse,
    .render = smtp_render,
    .gap = smtp_gap,
    .first_side = smtp_first_side,
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

int smtp_first_side(const guint8 *buf, guint len)
{
    gint l = mail_first_line(buf, len, 512);
    if (l >= 4 && memcmp(buf, "220", 3) == 0 && (buf[3] == ' ' || buf[3] == '-'))
        return MW_SIDE_SERVER;
    if (l >= 5 && (g_ascii_strncasecmp((const char *)buf, "EHLO ", 5) == 0 ||
                   g_ascii_strncasecmp((const char *)buf, "HELO ", 5) == 0 ||
                   g_ascii_strncasecmp((const char *)buf, "LHLO ", 5) == 0))
        return MW_SIDE_CLIENT;
    return MW_SIDE_UNKNOWN;
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
    static range_t *registered, *tcp_registered;
    /* The ports get the handle that falls back to the built-in dissector. */
    dissector_handle_t port = mail_fallback_handle(MAIL_FB_SMTP, smtp_handle, "smtp");
    mail_fallback_tcp_ports_apply(MAIL_FB_SMTP, &tcp_registered, smtp_tcp_ports);
    mail_tls_ports_apply(&registered, smtp_tls_ports, port);
    smtp_tls_ports_apply(smtp_tls_ports);
}

void smtp_register(void)
{
    static hf_register_info hf[] = {
        /* command line */
        {&hf_smtp_request,
         {"Command line", "mail.smtp.request", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_command,
         {"Command", "mail.smtp.command", FT_STRING, BASE_NONE, NULL, 0x0,
          "The verb, upper case", HFILL}},
        {&hf_smtp_command_as_written,
         {"Command as written", "mail.smtp.command.raw", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_smtp_command_args,
         {"Arguments", "mail.smtp.command.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        /* links */
        {&hf_smtp_response_in,
         {"Response in frame", "mail.smtp.response_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, NULL, HFILL}},
        /* session */
        {&hf_smtp_state,
         {"Session state", "mail.smtp.state", FT_UINT8, BASE_DEC, VALS(smtp_phase_vals), 0x0,
          "Where the session stood when this segment began", HFILL}},
        {&hf_smtp_state_tls,
         {"Inside TLS", "mail.smtp.state.tls", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_smtp, &ett_smtp_command};
    static ei_register_info ei[] = {
        {&ei_smtp_not_command,
         {"mail.smtp.command.invalid", PI_MALFORMED, PI_WARN,
          "Not an SMTP command: a command starts with a verb of letters", EXPFILL}},
        {&ei_smtp_unknown_verb,
         {"mail.smtp.command.unknown", PI_PROTOCOL, PI_NOTE, "Verb not defined by RFC 5321 or "
          "the extensions mailwire knows", EXPFILL}},
        {&ei_smtp_seq_rcpt_no_mail,
         {"mail.smtp.sequence.rcpt_without_mail", PI_SEQUENCE, PI_WARN,
          "RCPT with no mail transaction open (no MAIL before it)", EXPFILL}},
        {&ei_smtp_seq_data_no_rcpt,
         {"mail.smtp.sequence.data_without_rcpt", PI_SEQUENCE, PI_WARN,
          "DATA/BDAT with no recipient given in this transaction", EXPFILL}},
        {&ei_smtp_seq_nested_mail,
         {"mail.smtp.sequence.nested_mail", PI_SEQUENCE, PI_WARN,
          "MAIL while a transaction is already open (the server refuses it)", EXPFILL}},
        {&ei_smtp_seq_before_helo,
         {"mail.smtp.sequence.before_helo", PI_SEQUENCE, PI_NOTE,
          "Transaction started before HELO/EHLO", EXPFILL}},
        {&ei_smtp_seq_after_rejected_data,
         {"mail.smtp.sequence.after_rejected_data", PI_SEQUENCE, PI_WARN,
          "Line sent after a refused DATA: the client meant it as message text, the server "
          "reads it as a command", EXPFILL}},
        {&ei_smtp_fifo_full,
         {"mail.smtp.sequence.unanswered", PI_SEQUENCE, PI_NOTE,
          "More than 65536 commands without a reply: the oldest is forgotten (its reply is "
          "shown as answering a forgotten command)", EXPFILL}},
    };
    proto_smtp = proto_register_protocol("Simple Mail Transfer Protocol (mailwire)",
                                         "mailwire SMTP", "mail.smtp");
    proto_register_field_array(proto_smtp, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    mw_smtp_replies_set_allocator(smtp_ring_alloc, mw_heap_free);
    expert_module_t *em = expert_register_protocol(proto_smtp);
    expert_register_field_array(em, ei, array_length(ei));
    mail_message_register(proto_mail);
    smtp_reply_register(proto_smtp);
    smtp_envelope_register(proto_smtp);
    smtp_data_register(proto_smtp);
    smtp_smuggle_register(proto_smtp);
    smtp_auth_register(proto_smtp);
    smtp_tls_register(proto_smtp);
    smtp_dropin_register(proto_smtp);
    smtp_xclient_register(proto_smtp);
    smtp_longline_register(proto_smtp);

    module_t *m = prefs_register_protocol(proto_smtp, smtp_apply_prefs);
    range_convert_str(wmem_epan_scope(), &smtp_tcp_ports, SMTP_TCP_PORTS, 65535);
    prefs_register_range_preference(m, "tcp.port", "SMTP TCP ports",
                                    "TCP ports where SMTP runs in cleartext (disabling mailwire gives them back to the built-in dissector)",
                                    &smtp_tcp_ports, 65535);
    range_convert_str(wmem_epan_scope(), &smtp_tls_ports, SMTP_TLS_PORTS, 65535);
    prefs_register_range_preference(m, "tls.ports", "SMTP over implicit TLS ports",
                                    "TCP ports where SMTP runs inside TLS from the first byte "
                                    "(dissected after decryption)",
                                    &smtp_tls_ports, 65535);
    smtp_handle = register_dissector("mail.smtp", dissect_smtp, proto_smtp);
}

void smtp_handoff(void)
{
    smtp_auth_handoff();
    smtp_tls_handoff();
    smtp_dropin_handoff();
    smtp_apply_prefs();
}

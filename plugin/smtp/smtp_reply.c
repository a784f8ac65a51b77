/* SMTP replies (RFC 5321 4.2): one reply may span lines ("250-...") and
 * segments; it is grouped as one item, matched to the oldest unanswered
 * command (replies come in command order, also under PIPELINING, RFC 2920
 * 3.1), and its code changes the session's state.  Enhanced status codes:
 * RFC 3463; EHLO keywords: RFC 5321 4.1.1.1.
 */
#include <wireshark.h>
#include <epan/expert.h>

#include "mail/lineitem.h"
#include "smtp/smtp_int.h"
#include "mail/tap.h"

static int ett_smtp_reply = -1;
static int ett_smtp_reply_line = -1;
static int ett_smtp_ehlo_cap = -1;

static int hf_smtp_response = -1;
static int hf_smtp_reply_line = -1;
static int hf_smtp_reply_code = -1;
static int hf_smtp_reply_enhanced = -1;
static int hf_smtp_reply_text = -1;
static int hf_smtp_reply_continued_from = -1;
static int hf_smtp_reply_greeting = -1;
static int hf_smtp_response_to = -1;
static int hf_smtp_response_verb = -1;
static int hf_smtp_time = -1;
static int hf_smtp_ehlo_capability = -1;
static int hf_smtp_ehlo_param = -1;

static expert_field ei_smtp_bad_reply = EI_INIT;
static expert_field ei_smtp_reply_unmatched = EI_INIT;
static expert_field ei_smtp_reply_forgotten = EI_INIT;
static expert_field ei_smtp_reply_code_changed = EI_INIT;
static expert_field ei_smtp_esc_mismatch = EI_INIT;
static expert_field ei_smtp_data_refused = EI_INIT;
static expert_field ei_smtp_early_body_refused = EI_INIT;
static expert_field ei_smtp_reply_before_end = EI_INIT;
static expert_field ei_smtp_smuggling_accepted = EI_INIT;

#define CODE_CLASS(c) ((c) / 100)

static void smtp_ehlo_capability(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off,
                                 const guint8 *p, gsize len)
{
    mw_smtp_ehlo_cap cap;
    if (!mw_smtp_ehlo_cap_parse(p, len, &cap) && cap.keyword.len == 0)
        return;
    char *kw = g_ascii_strup((const char *)p + cap.keyword.off, (gssize)cap.keyword.len);
    smtp_node it = so_add_string(sc, t, hf_smtp_ehlo_capability, tvb,
                                           off + (gint)cap.keyword.off, (gint)cap.keyword.len,
                                           wmem_strdup(sc->pinfo->pool, kw));
    smtp_node ct = so_subtree(sc, it, ett_smtp_ehlo_cap);
    if (sc->st)
        mw_smtp_txn_capability(&sc->st->tx, kw);
    g_free(kw);
    size_t pos = 0;
    mw_span w;
    const guint8 *pp = p + cap.params.off;
    while (cap.params.len && mw_smtp_word_next(pp, cap.params.len, &pos, &w))
        so_add_item(sc, ct, hf_smtp_ehlo_param, tvb, off + (gint)(cap.params.off + w.off),
                            (gint)w.len, ENC_ASCII);
}

/* The reply's links back to its command. */
static void smtp_reply_links(smtp_call *sc, tvbuff_t *tvb, smtp_node t, const mw_smtp_reply_rec *r)
{
    if (r->greeting) {
        smtp_node g = so_add_boolean(sc, t, hf_smtp_reply_greeting, tvb, 0, 0, TRUE);
        so_set_generated(sc, g);
        return;
    }
    const smtp_cmd_rec *c = (const smtp_cmd_rec *)r->cmd.tag;
    if (!c)
        return;
    smtp_node it = so_add_uint(sc, t, hf_smtp_response_to, tvb, 0, 0, c->frame);
    so_set_generated(sc, it);
    it = so_add_string(sc, t, hf_smtp_response_verb, tvb, 0, 0, smtp_verb_label(c->verb));
    so_set_generated(sc, it);
    nstime_t d;
    nstime_t ts = smtp_cmd_ts(c);
    nstime_delta(&d, &sc->pinfo->abs_ts, &ts);
    it = so_add_time(sc, t, hf_smtp_time, tvb, 0, 0, &d);
    so_set_generated(sc, it);
    if (c->lmtp)
        smtp_lmtp_reply_links(sc, tvb, t, c);
}

static void smtp_data_reply(smtp_call *sc, smtp_node it, guint code)
{
    smtp_state *st = sc->st;
    if (code == 354) {
        if (mw_smtp_client_354_begins(&st->cl))
            smtp_data_begin(sc, st->data_frame ? st->data_frame : sc->pinfo->num);
        mw_smtp_client_354(&st->cl);
        return;
    }
    switch (mw_smtp_client_data_refused(&st->cl)) {
    case MW_SMTP_REFUSED_EARLY:
        so_expert_format(sc, it, &ei_smtp_early_body_refused,
                         "DATA refused with %u, but the client had already sent message text "
                         "from frame %u on: the server reads those lines as commands",
                         code, st->data_frame);
        smtp_message_reset(st);
        break;
    case MW_SMTP_REFUSED_WAITING:
        so_expert(sc, it, &ei_smtp_data_refused);
        break;
    case MW_SMTP_REFUSED_NONE:
        break;
    }
}

/* A reply while the client is inside a body it was told to send: the server
 * ended the message where mailwire did not. */
static void smtp_reply_in_body(smtp_call *sc, smtp_node it)
{
    smtp_state *st = sc->st;
    if (st->de_last_frame && st->smug_reported != st->de_last_frame) {
        st->smug_reported = st->de_last_frame;
        so_mw_expert_format(sc, it, &ei_smtp_smuggling_accepted,
                               "The server answered before the strict end of data: it took the "
                               "%s in frame %u as the end of the message, and executes what "
                               "follows as commands",
                               mw_dataend_class_bytes((int)st->de_last_cls), st->de_last_frame);
    } else if (!st->de_last_frame) {
        so_expert(sc, it, &ei_smtp_reply_before_end);
    }
    smtp_message_reset(st);
    mw_smtp_client_body_end(&st->cl);
    mw_smtp_txn_abort(&st->tx);
}

/* What the final line of a reply changes. */
static void smtp_reply_effect(smtp_call *sc, tvbuff_t *tvb, smtp_node t, smtp_node it,
                              guint code, mw_smtp_pending cmd)
{
    smtp_state *st = sc->st;
    guint8 verb = cmd.verb;
    mw_smtp_txn_reply(&st->tx, verb, code, cmd.tag);
    switch (verb) {
    case MW_SMTP_EHLO:
        if (CODE_CLASS(code) == 2)
            smtp_tls_ehlo_done(sc, it);
        break;
    case MW_SMTP_DATA:
        smtp_data_reply(sc, it, code);
        break;
    case MW_SMTP_STARTTLS:
        smtp_tls_reply(sc, it, code);
        break;
    case MW_SMTP_AUTH:
    case SMTP_VERB_AUTH_RESPONSE:
        mw_smtp_client_auth_reply(&st->cl, code);
        break;
    case MW_SMTP_XCLIENT:
        smtp_xclient_reply(sc, tvb, t, it, code);
        break;
    default:
        break;
    }
}

/* What the session decided about a one-line reply, besides the command
 * record it answers: the command's verb, RF_* << 8. */
enum {
    RF_GREETING = 1 << 0,
    RF_CODE_CHANGED = 1 << 1,
    RF_UNMATCHED = 1 << 2,
    RF_FORGOTTEN = 1 << 3,
};

/* A reply line as the session sorted it (rr); sc->st is NULL at render,
 * where only what rr says is shown.  Returns FALSE when the session's state
 * added to what is shown (the line cannot be shown again from rr alone). */
static gboolean smtp_reply_line_show(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l,
                                     const mw_smtp_reply_rec *rrp, smtp_reply_view *view)
{
    smtp_state *st = sc->st;
    mw_smtp_reply_rec rr = *rrp;
    gint len = (gint)l->line.len;
    const guint8 *p = tvb_get_ptr(tvb, l->offset, len);
    const char *text = mw_line_text_cut(sc->ctx, tvb, l->offset, len);
    /* the first piece of a line longer than the engine's carry limit: its
     * code is read from it, the rest goes to smtp_longline.c */
    gboolean first_piece = l->fragment && !l->continued;
    const mw_smtp_reply *r = &rr.reply;
    /* A later line of a reply already begun in this frame shows its text
     * only: "S: 250-mx | PIPELINING | SIZE 10240000". */
    if (!rr.opens && view->open && rr.parsed && r->text.len)
        so_col(sc, "%s", mw_line_text_cut(sc->ctx, tvb, l->offset + (gint)r->text.off,
                                          (gint)r->text.len));
    else
        so_col(sc, "S: %s", text);

    if (rr.opens || !view->open) {
        smtp_node it = so_add_item(sc, sc->tree, hf_smtp_response, tvb, l->offset, 0, ENC_NA);
        view->tree = so_subtree(sc, it, ett_smtp_reply);
        view->open = TRUE;
        view->start = l->offset;
        if (!rr.opens) {
            smtp_node c = so_add_uint(sc, view->tree, hf_smtp_reply_continued_from, tvb, 0, 0,
                                      (guint32)rr.tag);
            so_set_generated(sc, c);
        }
    }
    smtp_node reply_item = so_parent(sc, view->tree);
    gint end = l->offset + len + (gint)l->line.eol_len;
    so_set_len(sc, reply_item, end - view->start);
    if (rr.line_no == 1 || view->start == l->offset)
        so_set_text(sc, reply_item, "Reply: %s%s", text, rr.line_no > 1 ? " (continued)" : "");

    smtp_node li = so_add_item(sc, view->tree, hf_smtp_reply_line, tvb, l->offset,
                               end - l->offset, ENC_NA);
    so_set_text(sc, li, "%s", text);
    smtp_node lt = so_subtree(sc, li, ett_smtp_reply_line);
    if (first_piece)
        smtp_longline_open(sc, tvb, lt, l, SMTP_LL_REPLY, 0, rr.parsed ? (guint16)r->code : 0);
    else if (!l->fragment)
        smtp_longline_check(sc, tvb, lt, li, l, SMTP_LL_REPLY);
    if (!rr.parsed) {
        so_expert(sc, li, &ei_smtp_bad_reply);
        so_line_facts(sc, lt, tvb, l);
        if (rr.abandoned)
            view->open = FALSE;
        return TRUE;
    }
    so_add_uint(sc, lt, hf_smtp_reply_code, tvb, l->offset, 3, r->code);
    if (rr.code_changed)
        so_expert(sc, li, &ei_smtp_reply_code_changed);
    if (r->esc.len) {
        smtp_node e = so_add_item(sc, lt, hf_smtp_reply_enhanced, tvb,
                                  l->offset + (gint)r->esc.off, (gint)r->esc.len, ENC_ASCII);
        if (r->esc_mismatch)
            so_expert(sc, e, &ei_smtp_esc_mismatch);
    }
    if (l->fragment && r->text.len > MW_LINE_SHOW_OVER)
        so_add_string(sc, lt, hf_smtp_reply_text, tvb, l->offset + (gint)r->text.off,
                      (gint)r->text.len, mw_line_text_cut(sc->ctx, tvb, l->offset + (gint)r->text.off,
                                                          (gint)r->text.len));
    else if (r->text.len)
        so_add_item(sc, lt, hf_smtp_reply_text, tvb, l->offset + (gint)r->text.off,
                    (gint)r->text.len, ENC_ASCII);
    so_line_facts(sc, lt, tvb, l);
    guint8 verb = rr.cmd.verb;
    if (verb == MW_SMTP_EHLO && r->code == 250 && rr.line_no > 1 && r->text.len) {
        /* a long line's parameters go on in later pieces: its keyword only */
        gsize n = r->text.len;
        if (l->fragment)
            for (n = 0; n < r->text.len && n < MW_LINE_SHOW && p[r->text.off + n] != ' '; n++)
                ;
        smtp_ehlo_capability(sc, tvb, lt, l->offset + (gint)r->text.off, p + r->text.off, n);
    }
    /* a challenge is decoded with the session's mechanism: never replayed */
    gboolean same = !(verb == MW_SMTP_AUTH || verb == SMTP_VERB_AUTH_RESPONSE) || r->code != 334;
    if (!same && st)
        smtp_auth_server_challenge(sc, tvb, lt, l->offset + (gint)r->text.off, (gint)r->text.len);
    if (!rr.final)
        return same;

    /* The final line: the reply is complete. */
    guint before;
    if (rr.line_no > 1)
        so_append_text(sc, reply_item, " [%u lines]", rr.line_no);
    smtp_node rt = view->tree;
    view->open = FALSE; /* further lines start a new reply */
    if (st && rr.in_body) {
        before = sc->ops->len;
        smtp_reply_in_body(sc, reply_item);
        same = sc->ops->len == before;
    } else if (st && rr.popped) {
        /* the forward link of the command, shown in its frame */
        smtp_cmd_rec *c = (smtp_cmd_rec *)rr.popped;
        c->reply_frame = sc->pinfo->num;
        c->reply_code = (guint16)r->code;
        /* 500 is no answer to an end of data: it answers a command, the one
         * smuggled after a fake terminator (OpenSMTPD sends nothing else for
         * the message before it closes) */
        if (c->verb == SMTP_VERB_END_OF_DATA && r->code == 500 && st->smug.owed &&
            st->smug_frame && st->smug_reported != st->smug_frame) {
            (void)mw_smtp_smuggle_owed_reply(&st->smug);
            st->smug_reported = st->smug_frame;
            same = FALSE; /* the verdict is not in the reply's facts */
            so_mw_expert_format(sc, reply_item, &ei_smtp_smuggling_accepted,
                                "The end of data was answered with 500 (command not "
                                "recognised): the server took the %s in frame %u as the end of "
                                "the message and refused the command smuggled after it",
                                mw_dataend_class_bytes((int)st->smug_cls), st->smug_frame);
        }
    } else if (st && rr.unmatched && st->smug.owed) {
        (void)mw_smtp_smuggle_owed_reply(&st->smug);
        same = FALSE; /* at render this would read as unmatched */
        /* one verdict per fake terminator, on the first reply that proves it:
         * the executed command's (Postfix), the refusal of the smuggled
         * DATA as a synchronisation error (Exim), or the error before the
         * server closes (OpenSMTPD); statistics count it once */
        if (st->smug_reported != st->smug_frame) {
            st->smug_reported = st->smug_frame;
            so_mw_expert_format(sc, reply_item, &ei_smtp_smuggling_accepted,
                                "A reply to no visible command: the server took the %s in frame "
                                "%u as the end of the message and answered the commands "
                                "smuggled after it",
                                mw_dataend_class_bytes((int)st->smug_cls), st->smug_frame);
        }
    } else if (rr.forgotten) {
        so_expert(sc, reply_item, &ei_smtp_reply_forgotten);
    } else if (rr.unmatched) {
        so_expert(sc, reply_item, &ei_smtp_reply_unmatched);
    }
    smtp_reply_links(sc, tvb, rt, &rr);
    const smtp_cmd_rec *cmd = (const smtp_cmd_rec *)rr.cmd.tag;
    nstime_t cmd_ts;
    if (cmd)
        cmd_ts = smtp_cmd_ts(cmd);
    so_tap_reply(sc, cmd ? smtp_verb_label(cmd->verb) : rr.greeting ? "(greeting)" : NULL,
                 r->code, cmd ? &cmd_ts : NULL);
    if (cmd && st) {
        before = sc->ops->len;
        smtp_reply_effect(sc, tvb, rt, reply_item, r->code, rr.cmd);
        same = same && sc->ops->len == before;
    }
    return same;
}

/* Render: a one-line reply whose ops were replaced by its facts. */
static void smtp_reply_replay(smtp_call *sc, tvbuff_t *tvb, gint off, const mw_line *line,
                              guint32 packed, const void *rec)
{
    guint bits = packed >> 8;
    mw_line_at l;
    memset(&l, 0, sizeof l);
    l.offset = off;
    l.line = *line;
    mw_smtp_reply_rec rr;
    memset(&rr, 0, sizeof rr);
    rr.parsed = mw_smtp_reply_parse(tvb_get_ptr(tvb, off, (gint)line->len), line->len, &rr.reply);
    rr.opens = TRUE;
    rr.final = TRUE;
    rr.line_no = 1;
    rr.code = (guint16)rr.reply.code;
    rr.tag = sc->pinfo->num;
    rr.greeting = (bits & RF_GREETING) != 0;
    rr.code_changed = (bits & RF_CODE_CHANGED) != 0;
    rr.unmatched = (bits & RF_UNMATCHED) != 0;
    rr.forgotten = (bits & RF_FORGOTTEN) != 0;
    rr.cmd.tag = (uintptr_t)rec;
    rr.cmd.verb = (guint8)(packed & 0xff);
    smtp_reply_view view = {SMTP_NODE_NONE, 0, FALSE};
    (void)smtp_reply_line_show(sc, tvb, &l, &rr, &view);
}

static const smtp_show smtp_reply_show = {smtp_reply_replay, sizeof(smtp_cmd_rec)};

void dissect_smtp_reply_line(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l,
                             smtp_reply_view *view)
{
    smtp_state *st = sc->st;
    smtp_mark mark = so_mark(sc);
    gint len = (gint)l->line.len;
    const guint8 *p = tvb_get_ptr(tvb, l->offset, len);
    mw_smtp_reply_rec rr;
    /* a reply's tag is the frame of its first line */
    mw_smtp_replies_line(&st->rp, p, (size_t)len, l->fragment && l->continued, sc->pinfo->num,
                         mw_smtp_client_body_open(&st->cl), &rr);
    gboolean same = smtp_reply_line_show(sc, tvb, l, &rr, view);
    /* a whole reply of one line, all of it from rr: kept as its facts */
    if (same && !l->fragment && rr.parsed && rr.opens && rr.final && rr.line_no == 1 &&
        !rr.in_body) {
        guint bits = (rr.greeting ? RF_GREETING : 0) | (rr.code_changed ? RF_CODE_CHANGED : 0) |
                     (rr.unmatched ? RF_UNMATCHED : 0) | (rr.forgotten ? RF_FORGOTTEN : 0);
        so_compact(sc, mark, tvb, l, &smtp_reply_show, (guint32)rr.cmd.verb | bits << 8,
                   (const void *)rr.cmd.tag);
    }
}

void smtp_reply_register(int proto)
{
    static hf_register_info hf[] = {
        /* the reply and its lines */
        {&hf_smtp_response,
         {"Reply", "mail.smtp.response", FT_NONE, BASE_NONE, NULL, 0x0,
          "One reply, all its lines", HFILL}},
        {&hf_smtp_reply_line,
         {"Reply line", "mail.smtp.reply.line", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_reply_code,
         {"Reply code", "mail.smtp.reply.code", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_reply_enhanced,
         {"Enhanced status code", "mail.smtp.reply.enhanced", FT_STRING, BASE_NONE, NULL, 0x0,
          "class.subject.detail (RFC 3463)", HFILL}},
        {&hf_smtp_reply_text,
         {"Reply text", "mail.smtp.reply.text", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_reply_continued_from,
         {"Reply started in frame", "mail.smtp.reply.continued_from", FT_FRAMENUM, BASE_NONE,
          NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_reply_greeting,
         {"Greeting", "mail.smtp.reply.greeting", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The server's opening reply", HFILL}},
        /* links */
        {&hf_smtp_response_to,
         {"Response to frame", "mail.smtp.response_to", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, NULL, HFILL}},
        {&hf_smtp_response_verb,
         {"Response to command", "mail.smtp.response_to.command", FT_STRING, BASE_NONE, NULL, 0x0,
          "The command this reply answers", HFILL}},
        {&hf_smtp_time,
         {"Time since command", "mail.smtp.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        /* EHLO */
        {&hf_smtp_ehlo_capability,
         {"Capability", "mail.smtp.ehlo.capability", FT_STRING, BASE_NONE, NULL, 0x0,
          "EHLO keyword, upper case", HFILL}},
        {&hf_smtp_ehlo_param,
         {"Parameter", "mail.smtp.ehlo.param", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_smtp_reply, &ett_smtp_reply_line, &ett_smtp_ehlo_cap};
    static ei_register_info ei[] = {
        {&ei_smtp_bad_reply,
         {"mail.smtp.reply.invalid", PI_MALFORMED, PI_WARN,
          "Not an SMTP reply: a reply starts with a three-digit code 2xx-5xx", EXPFILL}},
        {&ei_smtp_reply_unmatched,
         {"mail.smtp.reply.unmatched", PI_SEQUENCE, PI_NOTE,
          "Reply to no command seen (command missing from the capture, or unsolicited)",
          EXPFILL}},
        {&ei_smtp_reply_forgotten,
         {"mail.smtp.reply.forgotten_command", PI_SEQUENCE, PI_NOTE,
          "Reply to a command sent while more than 65536 were waiting: that command is no "
          "longer tracked, so the reply is not matched with it", EXPFILL}},
        {&ei_smtp_reply_code_changed,
         {"mail.smtp.reply.code_changed", PI_PROTOCOL, PI_WARN,
          "Line of a multi-line reply with a different code (RFC 5321 4.2.1)", EXPFILL}},
        {&ei_smtp_esc_mismatch,
         {"mail.smtp.reply.enhanced_mismatch", PI_PROTOCOL, PI_NOTE,
          "Enhanced status class differs from the reply code's class", EXPFILL}},
        {&ei_smtp_data_refused,
         {"mail.smtp.data.refused", PI_SEQUENCE, PI_NOTE,
          "DATA refused: the client's next lines are read as commands", EXPFILL}},
        {&ei_smtp_early_body_refused,
         {"mail.smtp.data.early_body_refused", PI_SEQUENCE, PI_WARN,
          "DATA refused after the client sent message text", EXPFILL}},
        {&ei_smtp_reply_before_end,
         {"mail.smtp.data.reply_before_end", PI_SEQUENCE, PI_WARN,
          "The server answered before the end of the message data: it stopped reading it",
          EXPFILL}},
        {&ei_smtp_smuggling_accepted,
         {"mail.smtp.smuggling.accepted", PI_SECURITY, PI_ERROR,
          "The server took a non-strict end of data as the end of the message", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

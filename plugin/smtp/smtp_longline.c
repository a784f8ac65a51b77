/* SMTP lines over their RFC 5321 limits (4.5.3.1.4: a command line is at
 * most 512 octets with its CRLF; 4.5.3.1.5: a reply line likewise; RFC 4954
 * 4: AUTH and its SASL responses up to 12288), and lines longer than the
 * engine's carry limit, which it hands over in pieces (stream.h).
 *
 * Such a line is parsed whole: its first piece is dissected as any command,
 * SASL response or reply line (verb or code from its start, a reply matched,
 * a command queued for its reply); the pieces after it are counted and
 * shown in part, never taken for new lines; the last gives the whole line's
 * length, which the first piece shows too (a forward link, filled in when
 * the last piece is parsed).  Nothing is copied: each piece is read where
 * the engine hands it over, and only the direction's counters live on.
 */
#include <wireshark.h>
#include <epan/expert.h>

#include "mail/lineitem.h"
#include "smtp/smtp_int.h"

static int ett_smtp_line_rest = -1;

static int hf_smtp_line_length = -1;
static int hf_smtp_line_ends_in = -1;
static int hf_smtp_line_began_in = -1;
static int hf_smtp_line_rest = -1;

static expert_field ei_smtp_command_too_long = EI_INIT;
static expert_field ei_smtp_reply_too_long = EI_INIT;

/* Octets of the address kept for the transaction of a cut MAIL or RCPT. */
#define SMTP_LL_ADDR_KEEP 64

static guint32 saturate(guint64 v)
{
    return v > G_MAXUINT32 ? G_MAXUINT32 : (guint32)v;
}

static guint64 limit_of(guint8 what)
{
    return what == SMTP_LL_AUTH ? 12288 : 512;
}

static const char *label_of(guint8 what)
{
    switch (what) {
    case SMTP_LL_AUTH: return "SASL response";
    case SMTP_LL_REPLY: return "Reply line";
    default: return "Command line";
    }
}

/* The length of a whole line and, over the limit of its kind, an expert. */
static void show_length(smtp_call *sc, tvbuff_t *tvb, smtp_node t, smtp_node anchor, gint off,
                        gint len, guint8 what, guint64 total)
{
    smtp_node n = so_add_uint(sc, t, hf_smtp_line_length, tvb, off, len, saturate(total));
    so_set_generated(sc, n);
    guint64 limit = limit_of(what);
    if (total <= limit)
        return;
    if (what == SMTP_LL_REPLY)
        so_expert_format(sc, anchor, &ei_smtp_reply_too_long,
                         "Reply line of %" G_GUINT64_FORMAT " octets with its line end, over the "
                         "512 of RFC 5321 4.5.3.1.5: clients may refuse or cut it", total);
    else
        so_expert_format(sc, anchor, &ei_smtp_command_too_long,
                         "%s of %" G_GUINT64_FORMAT " octets with its line end, over the %"
                         G_GUINT64_FORMAT " of %s: servers may refuse it (500) or cut it",
                         label_of(what), total, limit,
                         what == SMTP_LL_AUTH ? "RFC 4954 4" : "RFC 5321 4.5.3.1.4");
}

void smtp_longline_check(smtp_call *sc, tvbuff_t *tvb, smtp_node t, smtp_node anchor,
                         const mw_line_at *l, guint8 what)
{
    guint64 total = (guint64)l->line.len + l->line.eol_len;
    if (total > limit_of(what))
        show_length(sc, tvb, t, anchor, l->offset, (gint)total, what, total);
}

void smtp_longline_open(smtp_call *sc, tvbuff_t *tvb, smtp_node t, const mw_line_at *l,
                        guint8 what, guint8 verb, guint16 code)
{
    smtp_longline *ll = &sc->st->ll[sc->ctx->dir];
    ll->what = what;
    ll->verb = verb;
    ll->code = code;
    ll->first_frame = sc->pinfo->num;
    ll->len = l->line.len;
    ll->rec = (smtp_longline_rec *)smtp_rec(sc, sizeof *ll->rec);
    so_add_link(sc, t, hf_smtp_line_length, tvb, 0, 0, &ll->rec->length);
    so_add_link(sc, t, hf_smtp_line_ends_in, tvb, 0, 0, &ll->rec->end_frame);
}

gboolean smtp_longline_rest(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l)
{
    smtp_longline *ll = &sc->st->ll[sc->ctx->dir];
    if (ll->what == SMTP_LL_NONE)
        return FALSE;
    if (!l->continued) {
        /* the engine started a fresh line: the long one is over */
        ll->what = SMTP_LL_NONE;
        return FALSE;
    }
    gint len = (gint)l->line.len, full = len + (gint)l->line.eol_len;
    gboolean last = !l->fragment;
    ll->len += l->line.len;
    const char *what = label_of(ll->what);
    smtp_node it = so_add_item(sc, sc->tree, hf_smtp_line_rest, tvb, l->offset, full, ENC_NA);
    so_set_text(sc, it, "%s continued (from frame %u): %s", what, ll->first_frame,
                mw_line_text_cut(sc->ctx, tvb, l->offset, len));
    smtp_node t = so_subtree(sc, it, ett_smtp_line_rest);
    smtp_node b = so_add_uint(sc, t, hf_smtp_line_began_in, tvb, 0, 0, ll->first_frame);
    so_set_generated(sc, b);
    so_col(sc, "%s: [%s continued, %d octets%s]", sc->ctx->dir == MW_DIR_CLIENT ? "C" : "S",
           what, len, last ? ", its end" : "");
    so_line_facts(sc, t, tvb, l);
    if (last) {
        guint64 total = ll->len + l->line.eol_len;
        ll->rec->length = saturate(total);
        ll->rec->end_frame = sc->pinfo->num;
        show_length(sc, tvb, t, it, l->offset, full, ll->what, total);
        ll->what = SMTP_LL_NONE;
    }
    return TRUE;
}

/* The address of a cut path: after "FROM:" or "TO:", spaces and '<'. */
static const char *cut_address(smtp_call *sc, const guint8 *args, gsize len)
{
    gsize i = 0;
    while (i < len && i < 16 && args[i] != ':')
        i++;
    if (i < len && args[i] == ':')
        i++;
    while (i < len && args[i] == ' ')
        i++;
    if (i < len && args[i] == '<')
        i++;
    gsize n = 0;
    while (i + n < len && n < SMTP_LL_ADDR_KEEP && args[i + n] != '>')
        n++;
    return wmem_strdup_printf(wmem_file_scope(), "%s...",
                              mw_format_text(sc->pinfo->pool, (const guint8 *)args + i, n));
}

void smtp_longline_envelope(smtp_call *sc, guint8 verb, const guint8 *args, gsize args_len)
{
    smtp_state *st = sc->st;
    smtp_cmd_rec *cmd = (smtp_cmd_rec *)mw_smtp_replies_newest(&st->rp).tag;
    if (verb == MW_SMTP_MAIL) {
        if (!mw_smtp_txn_mail_opens(&st->tx))
            return;
        smtp_txn *txn = smtp_txn_new(sc);
        txn->mail_frame = sc->pinfo->num;
        txn->from = cut_address(sc, args, args_len);
        txn->mail_cmd = cmd;
        smtp_message_reset(st);
        mw_smtp_txn_mail(&st->tx, (uintptr_t)txn, (uintptr_t)cmd);
    } else if (verb == MW_SMTP_RCPT) {
        smtp_txn *txn = SMTP_TXN(st);
        if (!txn)
            return;
        smtp_txn_add_rcpt(txn, cut_address(sc, args, args_len), cmd);
        mw_smtp_txn_rcpt(&st->tx);
    }
}

void smtp_longline_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_smtp_line_length,
         {"Line length", "mail.smtp.line.length", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Octets of the whole line with its line end: on lines over the RFC limit of their kind "
          "and on the first and last pieces of a line longer than 64 KiB", HFILL}},
        {&hf_smtp_line_ends_in,
         {"Line ends in frame", "mail.smtp.line.ends_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "On the first piece of a line longer than 64 KiB: where its last piece is", HFILL}},
        {&hf_smtp_line_began_in,
         {"Line began in frame", "mail.smtp.line.began_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "On a later piece of a line longer than 64 KiB: where the line (its command or reply) "
          "is", HFILL}},
        {&hf_smtp_line_rest,
         {"Line continued", "mail.smtp.line.rest", FT_NONE, BASE_NONE, NULL, 0x0,
          "A later piece of a line longer than 64 KiB, shown in part", HFILL}},
    };
    static gint *ett[] = {&ett_smtp_line_rest};
    static ei_register_info ei[] = {
        {&ei_smtp_command_too_long,
         {"mail.smtp.command.too_long", PI_PROTOCOL, PI_WARN,
          "Command line over 512 octets (RFC 5321 4.5.3.1.4; AUTH: 12288, RFC 4954): servers "
          "may refuse or cut it", EXPFILL}},
        {&ei_smtp_reply_too_long,
         {"mail.smtp.reply.too_long", PI_PROTOCOL, PI_WARN,
          "Reply line over 512 octets (RFC 5321 4.5.3.1.5): clients may refuse or cut it",
          EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

/* The "mail" tap and its queue helpers: see tap.h. */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/export_object.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include "mail/export.h"
#include "mail/tap.h"

static int mail_tap = -1;
static int mail_eo_tap = -1;
static const char *current_label;

int mw_tap_id(void)
{
    return mail_tap;
}

int mw_tap_eo_id(void)
{
    return mail_eo_tap;
}

void mw_tap_set_current(const char *label)
{
    current_label = label;
}

void mw_tap_register(int proto_mail)
{
    mail_tap = register_tap("mail");
    mail_eo_tap = mw_export_register(proto_mail);
}

static mw_tap_rec *rec_new(packet_info *pinfo, mw_tap_kind kind, const char *proto, int dir, gboolean tls)
{
    mw_tap_rec *r = wmem_new0(pinfo->pool, mw_tap_rec);
    r->kind = kind;
    r->proto = proto;
    r->frame = pinfo->num;
    conversation_t *c = find_conversation_pinfo(pinfo, 0);
    r->conv = c ? c->conv_index : 0;
    r->dir = dir;
    r->tls = tls;
    return r;
}

/* The direction for the session table, which reads the endpoints from
 * pinfo: none for bytes pinfo's source did not send (a client preface
 * dissected in a frame of the server). */
static int ctx_dir(const mw_ctx *ctx)
{
    return ctx->foreign ? -1 : ctx->dir;
}

static gboolean listened(void)
{
    return mail_tap >= 0 && have_tap_listener(mail_tap);
}

void mw_tap_command(mw_ctx *ctx, const char *verb)
{
    if (!listened())
        return;
    mw_tap_rec *r = rec_new(ctx->pinfo, MW_TAP_COMMAND, ctx->sp->label, ctx_dir(ctx), ctx->tls);
    char *v = wmem_strdup(ctx->pinfo->pool, verb ? verb : "?");
    for (char *p = v; *p; p++)
        *p = g_ascii_toupper(*p);
    r->verb = v;
    tap_queue_packet(mail_tap, ctx->pinfo, r);
}

void mw_tap_reply(mw_ctx *ctx, const char *verb, const char *status, guint code,
                  const nstime_t *cmd_time)
{
    if (!listened())
        return;
    mw_tap_rec *r = rec_new(ctx->pinfo, MW_TAP_REPLY, ctx->sp->label, ctx_dir(ctx), ctx->tls);
    if (verb) {
        char *v = wmem_strdup(ctx->pinfo->pool, verb);
        for (char *p = v; *p; p++)
            *p = g_ascii_toupper(*p);
        r->verb = v;
    }
    r->status = status ? wmem_strdup(ctx->pinfo->pool, status)
                       : wmem_strdup_printf(ctx->pinfo->pool, "%u", code);
    r->code = code;
    if (cmd_time) {
        r->has_time = TRUE;
        nstime_delta(&r->time, &ctx->pinfo->abs_ts, cmd_time);
    }
    tap_queue_packet(mail_tap, ctx->pinfo, r);
}

void mw_tap_user(mw_ctx *ctx, const char *user)
{
    if (!listened() || !user)
        return;
    mw_tap_rec *r = rec_new(ctx->pinfo, MW_TAP_FACT, ctx->sp->label, ctx_dir(ctx), ctx->tls);
    r->fact = MW_FACT_USER;
    r->user = wmem_strdup(ctx->pinfo->pool, user);
    tap_queue_packet(mail_tap, ctx->pinfo, r);
}

void mw_tap_session_fact(mw_ctx *ctx, mw_tap_fact fact)
{
    if (!listened())
        return;
    mw_tap_rec *r = rec_new(ctx->pinfo, MW_TAP_FACT, ctx->sp->label, ctx_dir(ctx), ctx->tls);
    r->fact = fact;
    tap_queue_packet(mail_tap, ctx->pinfo, r);
}

const char *mw_tap_current(void)
{
    return current_label;
}

void mw_tap_client(mw_ctx *ctx, const char *client)
{
    if (!listened() || !client)
        return;
    mw_tap_rec *r = rec_new(ctx->pinfo, MW_TAP_FACT, ctx->sp->label, ctx_dir(ctx), ctx->tls);
    r->fact = MW_FACT_CLIENT;
    r->client = wmem_strdup(ctx->pinfo->pool, client);
    tap_queue_packet(mail_tap, ctx->pinfo, r);
}

void mw_tap_message(packet_info *pinfo, const char *label, const guint8 *data, guint len,
                    const struct mail_walk *walk)
{
    gboolean stats = listened();
    gboolean eo = mail_eo_tap >= 0 && have_tap_listener(mail_eo_tap);
    if (!stats && !eo)
        return;
    mw_tap_rec *r = rec_new(pinfo, MW_TAP_MESSAGE, label ? label : current_label ? current_label : "mail",
                            -1, FALSE);
    r->data = data;
    r->len = len;
    r->walk = walk;
    if (stats)
        tap_queue_packet(mail_tap, pinfo, r);
    if (eo)
        tap_queue_packet(mail_eo_tap, pinfo, r);
}

void mw_tap_smuggled_message(packet_info *pinfo, const char *label, const guint8 *data, guint len)
{
    if (mail_eo_tap < 0 || !have_tap_listener(mail_eo_tap))
        return;
    mw_tap_rec *r = rec_new(pinfo, MW_TAP_MESSAGE, label, -1, FALSE);
    r->data = data;
    r->len = len;
    r->smuggled = TRUE;
    tap_queue_packet(mail_eo_tap, pinfo, r);
}

/* The protocol an expert belongs to: its name's second part, else the
 * protocol being dissected. */
static const char *expert_proto(const char *name)
{
    if (g_str_has_prefix(name, "mail.smtp."))
        return "SMTP";
    if (g_str_has_prefix(name, "mail.imap."))
        return "IMAP";
    if (g_str_has_prefix(name, "mail.pop."))
        return "POP";
    return current_label ? current_label : "mail";
}

static void queue_anomaly(packet_info *pinfo, expert_field *ei)
{
    if (!listened() || !pinfo || ei->hf <= 0)
        return;
    const char *name = proto_registrar_get_abbrev(ei->hf);
    if (!name)
        return;
    mw_tap_rec *r = rec_new(pinfo, MW_TAP_ANOMALY, expert_proto(name), -1, FALSE);
    r->expert = name;
    tap_queue_packet(mail_tap, pinfo, r);
}

void mw_expert(packet_info *pinfo, proto_item *item, expert_field *ei)
{
    expert_add_info(pinfo, item, ei);
    queue_anomaly(pinfo, ei);
}

void mw_expert_format(packet_info *pinfo, proto_item *item, expert_field *ei, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char *text = g_strdup_vprintf(format, ap);
    va_end(ap);
    expert_add_info_format(pinfo, item, ei, "%s", text);
    g_free(text);
    queue_anomaly(pinfo, ei);
}

/* The "mail" tap: one small record per fact a statistic or an export needs
 * (a command, a matched reply with its time, a completed message, a session
 * fact, an anomaly).  The dissectors queue records through the helpers below;
 * stats.c (tshark -z mail,tree / mail,sessions) and export.c (Export Objects
 * "mail") read them.  Records and their strings live in pinfo->pool. */
#ifndef MAILWIRE_TAP_H
#define MAILWIRE_TAP_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "engine/stream.h"

struct mail_walk;

typedef enum mw_tap_kind {
    MW_TAP_COMMAND,  /* verb */
    MW_TAP_REPLY,    /* verb answered (NULL if unknown), status, code, time */
    MW_TAP_MESSAGE,  /* data, len: a whole message as the client stores it */
    MW_TAP_ANOMALY,  /* expert: the expert info's name */
    MW_TAP_FACT      /* fact (and user for MW_FACT_USER) */
} mw_tap_kind;

typedef enum mw_tap_fact {
    MW_FACT_USER,     /* a user name was sent */
    MW_FACT_STARTTLS, /* STARTTLS/STLS was accepted: TLS follows */
    MW_FACT_SESSION,  /* the session's first line: a session that shows nothing else still counts */
    MW_FACT_CLIENT    /* client: the session's client as a proxy (PROXY, XCLIENT) claims it */
} mw_tap_fact;

typedef struct mw_tap_rec {
    mw_tap_kind kind;
    const char *proto;    /* "SMTP", "IMAP", "POP" */
    guint32 frame;
    guint32 conv;         /* conversation index: one mail session */
    int dir;              /* MW_DIR_CLIENT when the client sent the bytes */
    gboolean tls;         /* the bytes came out of TLS */
    const char *verb;     /* command verb, upper case */
    const char *status;   /* reply: "250", "OK", "NO", "BAD", "+OK", "-ERR" */
    guint code;           /* SMTP reply code, else 0 */
    gboolean has_time;
    nstime_t time;        /* reply: time since its command */
    const char *user;
    const char *client;   /* MW_FACT_CLIENT: "addr:port" ("[v6]:port") */
    mw_tap_fact fact;
    const char *expert;   /* anomaly: expert info name (mail.smtp....) */
    const guint8 *data;   /* message bytes (file scope or packet scope); NULL on a
                           * revisit when they were not kept (mail.message.keep) */
    guint len;
    const struct mail_walk *walk; /* the message's MIME walk (NULL: none was noted) */
    gboolean smuggled;    /* the message a lenient receiver takes after a fake end of data */
} mw_tap_rec;

/* Registers the tap and the export-object table (protocol registration). */
void mw_tap_register(int proto_mail);

int mw_tap_id(void);     /* the "mail" tap */
int mw_tap_eo_id(void);  /* the export-object tap "mail_eo" */

/* Queue helpers.  Each is cheap when nobody listens. */
void mw_tap_command(mw_ctx *ctx, const char *verb);
void mw_tap_reply(mw_ctx *ctx, const char *verb, const char *status, guint code,
                  const nstime_t *cmd_time);
void mw_tap_user(mw_ctx *ctx, const char *user);
void mw_tap_session_fact(mw_ctx *ctx, mw_tap_fact fact);
/* The session's client is the one a proxy claims (MW_FACT_CLIENT). */
void mw_tap_client(mw_ctx *ctx, const char *client);
/* A whole message as the client stores it, on every pass that dissects its
 * last bytes; label is the protocol ("SMTP", "IMAP", "POP"), NULL for the
 * one being dissected.  data must live as long as the packet; it is NULL on
 * a revisit of a message whose bytes were not kept, and the statistics then
 * read the same facts from walk, which every pass has. */
void mw_tap_message(packet_info *pinfo, const char *label, const guint8 *data, guint len,
                    const struct mail_walk *walk);
/* A smuggled message (the bytes a lenient receiver stores as a second
 * message): for Export Objects only, not counted as a message. */
void mw_tap_smuggled_message(packet_info *pinfo, const char *label, const guint8 *data, guint len);

/* expert_add_info / expert_add_info_format that also queue an anomaly
 * record, so statistics count anomalies by name. */
void mw_expert(packet_info *pinfo, proto_item *item, expert_field *ei);
void mw_expert_format(packet_info *pinfo, proto_item *item, expert_field *ei,
                             const char *format, ...) G_GNUC_PRINTF(4, 5);

/* The protocol whose bytes are being dissected now (set by the stream
 * engine), for anomalies the shared code reports. */
void mw_tap_set_current(const char *label);
const char *mw_tap_current(void); /* NULL when none */

#endif

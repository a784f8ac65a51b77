/* What the SMTP files share: the conversation state, the file-scope records
 * that link commands, replies and transactions, and each file's entry points.
 *
 * smtp.c          registration, the per-call loop, command dispatch, sequence
 * smtp_reply.c    replies: multi-line grouping, enhanced codes, EHLO, matching
 * smtp_envelope.c MAIL/RCPT paths and parameters, the transaction recap
 * smtp_data.c     DATA and BDAT bodies, the message buffer and its handoff
 * smtp_smuggle.c  end-of-DATA candidates and what a lenient receiver executes
 * smtp_auth.c     AUTH and the credentials tap
 * smtp_tls.c      STARTTLS, injection, stripping, implicit-TLS ports
 */
#ifndef MAILWIRE_SMTP_INT_H
#define MAILWIRE_SMTP_INT_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "core/body/dataend.h"
#include "core/smtp/smtp_syntax.h"
#include "engine/stream.h"

extern int proto_smtp;
extern dissector_handle_t smtp_handle;

/* What the client's next bytes are. */
typedef enum {
    SMTP_CLIENT_COMMAND = 0, /* command lines */
    SMTP_CLIENT_DATA_WAIT,   /* DATA sent alone, no reply yet: the reply decides */
    SMTP_CLIENT_DATA,        /* DATA body until the strict end */
    SMTP_CLIENT_BDAT,        /* a BDAT chunk: bdat_left bytes */
    SMTP_CLIENT_AUTH,        /* a SASL response line after a 334 */
    SMTP_CLIENT_TLS_WAIT,    /* STARTTLS sent: plaintext now is injection */
} smtp_client_mode;

/* Session phase (mail.smtp.state). */
typedef enum {
    SMTP_PHASE_START = 0,    /* before HELO/EHLO */
    SMTP_PHASE_GREETED,      /* after HELO/EHLO */
    SMTP_PHASE_TRANSACTION,  /* after an accepted MAIL */
    SMTP_PHASE_DATA,         /* in DATA or BDAT */
} smtp_phase;

/* Pseudo-verb for the reply that answers the end of a DATA body. */
#define SMTP_VERB_END_OF_DATA 100
/* Pseudo-verb for a SASL response line. */
#define SMTP_VERB_AUTH_RESPONSE 101

/* A command waiting for its reply (file scope; links set on the first pass). */
typedef struct smtp_cmd_rec {
    guint32 frame;
    nstime_t ts;
    guint8 verb;          /* mw_smtp_verb or SMTP_VERB_* */
    guint32 reply_frame;  /* 0 until its reply is seen */
    guint16 reply_code;
} smtp_cmd_rec;

/* A reply (file scope): created at its first line. */
typedef struct smtp_reply_rec {
    guint32 first_frame;
    smtp_cmd_rec *cmd;    /* the command it answers, NULL if none */
    gboolean greeting;
} smtp_reply_rec;

/* One recipient of a transaction. */
typedef struct smtp_rcpt {
    const char *addr;
    guint32 frame;
    smtp_cmd_rec *cmd;
} smtp_rcpt;

/* A mail transaction (file scope, append-only: the state holds how many
 * recipients it had at each point). */
typedef struct smtp_txn {
    guint32 mail_frame;
    const char *from;     /* address without brackets, "" for the null path */
    gboolean null_sender;
    smtp_cmd_rec *mail_cmd;
    wmem_array_t *rcpts;  /* smtp_rcpt */
} smtp_txn;

/* The message of a transaction, unstuffed, appended on the first pass only. */
typedef struct smtp_msg_buf {
    guint8 *data;
    guint32 len, cap;
} smtp_msg_buf;

#define SMTP_FIFO_SIZE 32

/* Conversation state: flat, copied before every call (see stream.h). */
typedef struct smtp_state {
    guint8 client_mode;       /* smtp_client_mode */
    guint8 phase;             /* smtp_phase */
    gboolean greeted;         /* the server's greeting was seen */
    gboolean tls;             /* bytes now come out of TLS */
    gboolean starttls_acked;  /* 220 to STARTTLS seen: the next bytes are TLS */

    /* commands waiting for replies, oldest first */
    smtp_cmd_rec *fifo[SMTP_FIFO_SIZE];
    guint8 fifo_head, fifo_len;

    /* the server's reply in progress (multi-line) */
    smtp_reply_rec *reply;    /* NULL between replies */
    guint8 reply_verb;        /* verb of the command it answers */
    guint16 reply_code;
    guint16 reply_lines;

    /* EHLO capabilities */
    gboolean ehlo_seen;
    gboolean helo_sent;       /* HELO/EHLO sent (reply or not) */
    gboolean adv_starttls, adv_pipelining, adv_chunking, adv_auth;

    /* transaction */
    smtp_txn *txn;
    guint32 txn_nrcpt;        /* recipients of txn so far */
    guint32 rcpt_ok;          /* recipients accepted */
    gboolean mail_ok;         /* MAIL accepted */
    gboolean data_rejected;   /* the last DATA was refused: body lines are commands */

    /* DATA body */
    gboolean data_early;      /* body bytes were sent before the DATA reply */
    gboolean data_confirmed;  /* 354 seen */
    guint32 data_frame;       /* frame of the DATA/first BDAT command */
    mw_dataend_state de;
    guint32 de_last_cls;      /* last candidate class seen, and where */
    guint32 de_last_frame;
    guint32 gap_bytes;        /* bytes of the message missing from the capture */

    /* what a lenient receiver executes after a candidate */
    gboolean smug_active;
    guint8 smug_phase;        /* 0 commands, 1 headers, 2 body */
    gboolean smug_mid_line;
    guint16 smug_replies;     /* replies a lenient receiver owes to the smuggled commands */
    guint16 smug_owed;        /* after the strict end: such replies not seen yet */
    guint32 smug_frame;       /* frame of the candidate those commands followed */
    guint8 smug_cls;

    /* BDAT */
    guint64 bdat_left;
    gboolean bdat_last;
    guint32 bdat_bare_cr, bdat_bare_lf, bdat_nul;
    gboolean bdat_prev_cr;

    /* the message buffer and its length at this point */
    smtp_msg_buf *msg;
    guint32 msg_len;

    /* AUTH */
    guint8 auth_mech;         /* mw_sasl_mech */
    const char *auth_mech_name; /* static string of the core */
    guint8 auth_step;         /* client responses so far */
    gboolean auth_open;       /* AUTH sent, no final reply yet */
    guint8 auth_prompt;       /* mw_sasl_login_prompt of the last 334 */
    const char *auth_user;    /* file scope, immutable */
    guint32 auth_user_frame;
} smtp_state;

/* One call of the dissector: the engine's context plus the records this
 * call created (first pass) or finds again (later passes), in order. */
typedef struct smtp_call {
    mw_ctx *ctx;
    smtp_state *st;
    packet_info *pinfo;
    proto_tree *tree;
    wmem_array_t *recs;       /* void*, file scope */
    guint rec_next;
    gboolean tls_line_here;   /* STARTTLS or its 220 was in this call */
} smtp_call;

/* The call's next record: created zeroed (size bytes, file scope) on the
 * first pass, the same one again on later passes. */
void *smtp_rec(smtp_call *sc, size_t size);

/* FIFO of commands awaiting replies. */
void smtp_fifo_push(smtp_state *st, smtp_cmd_rec *c);
smtp_cmd_rec *smtp_fifo_pop(smtp_state *st);
smtp_cmd_rec *smtp_fifo_peek(const smtp_state *st);

/* A new command record for verb at this frame, queued for its reply. */
smtp_cmd_rec *smtp_cmd_new(smtp_call *sc, guint8 verb);
/* Links of a command to its reply (response_in, time). */
void smtp_cmd_show_links(smtp_call *sc, proto_tree *t, tvbuff_t *tvb, const smtp_cmd_rec *c);

/* smtp_reply.c: the reply being shown in this call */
typedef struct smtp_reply_view {
    proto_tree *tree;
    gint start;
    gboolean open;
} smtp_reply_view;
void dissect_smtp_reply_line(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l,
                             smtp_reply_view *view);
void smtp_reply_register(int proto);

/* smtp_envelope.c */
void dissect_smtp_mail(smtp_call *sc, tvbuff_t *tvb, proto_tree *t, gint args_off,
                       const guint8 *args, gsize args_len);
void dissect_smtp_rcpt(smtp_call *sc, tvbuff_t *tvb, proto_tree *t, gint args_off,
                       const guint8 *args, gsize args_len);
/* The transaction recap on the frame that completes a message, with the
 * comparison of envelope and headers. */
struct mail_message_facts;
void smtp_envelope_recap(smtp_call *sc, tvbuff_t *tvb, proto_tree *tree,
                         const struct mail_message_facts *facts);
void smtp_envelope_register(int proto);

/* smtp_data.c */
gint dissect_smtp_data_body(smtp_call *sc, tvbuff_t *tvb, gint offset);
gint dissect_smtp_bdat_chunk(smtp_call *sc, tvbuff_t *tvb, gint offset);
void smtp_data_begin(smtp_call *sc, guint32 frame);
void smtp_message_reset(smtp_state *st);
void dissect_smtp_bdat(smtp_call *sc, tvbuff_t *tvb, proto_tree *t, gint args_off,
                       const guint8 *args, gsize args_len, gboolean *more_follows);
void smtp_data_gap(smtp_state *st, guint32 missing);
void smtp_data_register(int proto);

/* smtp_smuggle.c: event list of one body call */
typedef struct smtp_de_event {
    gint tvb_off;             /* start in the tvb (clamped to the body start) */
    gint len;                 /* bytes in this tvb */
    gboolean began_before;    /* the candidate started in an earlier segment */
    guint8 cls;
} smtp_de_event;
void dissect_smtp_candidate(smtp_call *sc, tvbuff_t *tvb, proto_tree *t, const smtp_de_event *e);
void dissect_smtp_smuggled(smtp_call *sc, tvbuff_t *tvb, proto_tree *t, gint start, gint end);
void smtp_smuggle_register(int proto);

/* smtp_auth.c */
void dissect_smtp_auth(smtp_call *sc, tvbuff_t *tvb, proto_tree *t, gint args_off,
                       const guint8 *args, gsize args_len);
void dissect_smtp_auth_response(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l);
void smtp_auth_server_challenge(smtp_call *sc, tvbuff_t *tvb, proto_tree *t, gint off, gint len);
void smtp_auth_register(int proto);
void smtp_auth_handoff(void);

/* smtp_tls.c */
void smtp_tls_starttls_sent(smtp_call *sc);
void smtp_tls_reply(smtp_call *sc, proto_item *reply_item, guint code);
gint dissect_smtp_injected(smtp_call *sc, tvbuff_t *tvb, gint offset, gboolean server);
void smtp_tls_plaintext_continues(smtp_call *sc, tvbuff_t *tvb, gint offset);
void smtp_tls_check_plaintext(smtp_call *sc, proto_item *it, guint8 verb);
void smtp_tls_ehlo_done(smtp_call *sc, proto_item *it);
void smtp_tls_register(int proto);
void smtp_tls_handoff(void);
void smtp_tls_ports_apply(const range_t *ports);

/* smtp.c: dissect one command line (also used for lines after a rejected DATA). */
void dissect_smtp_command_line(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l);
const char *smtp_verb_label(guint8 verb);

#endif

/* POP3 (RFC 1939, RFC 2449, RFC 2595, RFC 5034): what the POP files share.
 *
 *   pop.c            registration, the session state, command/response
 *                    matching through a FIFO of outstanding commands
 *   pop_multiline.c  multiline responses: listings, CAPA, RETR/TOP messages
 *   pop_auth.c       USER/PASS, APOP, AUTH (SASL), STLS
 */
#ifndef MAILWIRE_POP_H
#define MAILWIRE_POP_H

#include <epan/packet.h>

#include "core/body/pop_body.h"
#include "engine/stream.h"

typedef enum pop_cmd {
    POP_CMD_UNKNOWN = 0,
    POP_CMD_USER, POP_CMD_PASS, POP_CMD_APOP, POP_CMD_AUTH, POP_CMD_STLS, POP_CMD_CAPA,
    POP_CMD_STAT, POP_CMD_LIST, POP_CMD_RETR, POP_CMD_DELE, POP_CMD_NOOP, POP_CMD_RSET,
    POP_CMD_TOP, POP_CMD_UIDL, POP_CMD_QUIT, POP_CMD_UTF8, POP_CMD_LANG,
} pop_cmd;

/* Session states of RFC 1939; UNKNOWN when the capture starts mid-session. */
typedef enum pop_session {
    POP_SESSION_UNKNOWN = 0, POP_SESSION_AUTHORIZATION, POP_SESSION_TRANSACTION,
    POP_SESSION_UPDATE,
} pop_session;

/* One command and its response, filled on the first pass (file scope). */
typedef struct pop_exchange {
    guint32 req_frame;
    guint32 resp_frame;
    nstime_t req_time;
} pop_exchange;

/* A multiline response (file scope): written on the first pass only, read on
 * every pass.  The message buffer is append-only. */
typedef struct pop_multi {
    guint32 start_frame;
    guint32 end_frame;     /* frame of the '.' line, 0 until seen */
    guint32 lines;         /* total, once ended */
    gboolean unterminated; /* cut short by a status line, no '.' */
    guint8 *msg;           /* RETR/TOP: the unstuffed message so far */
    guint msg_len, msg_cap;
    gboolean view_skipped;   /* larger than the message view limit: not kept */
    struct pop_sizes *sizes; /* LIST without argument: sizes by message number */
} pop_multi;

/* Sizes learnt from a LIST listing, indexed by message number (file scope,
 * each slot written once on the first pass). */
struct pop_sizes {
    guint32 *size;         /* 0 = not listed */
    guint32 cap;
};
typedef struct pop_sizes pop_sizes;

#define POP_FIFO_LEN 32
#define POP_MAX_DELETED 32
#define POP_MAX_NAME 64

typedef struct pop_pending {
    guint8 cmd;            /* pop_cmd */
    guint8 nargs;
    gboolean multiline;    /* a +OK to it opens a multiline body */
    guint32 msg;           /* first argument as a number (RETR, TOP, DELE, LIST n) */
    guint32 top_lines;     /* TOP's second argument */
    pop_exchange *ex;
} pop_pending;

typedef enum pop_body_kind {
    POP_BODY_LINES = 0,    /* listings, CAPA, mechanism lists, unknown: shown line by line */
    POP_BODY_MESSAGE,      /* RETR, TOP: consumed as bytes, handed to IMF */
} pop_body_kind;

/* The conversation state: flat, copied by the engine before every call. */
typedef struct pop_state {
    pop_pending fifo[POP_FIFO_LEN];
    guint8 fifo_head, fifo_count;
    guint8 session;          /* pop_session */
    gboolean greeted;        /* the greeting was seen */
    gboolean client_spoke;   /* a client line was seen */
    gboolean pipelining;     /* CAPA announced PIPELINING */

    /* multiline body in progress */
    gboolean ml_active;
    guint8 ml_cmd;           /* pop_cmd it answers; UNKNOWN after a resync */
    guint8 ml_kind;          /* pop_body_kind */
    guint32 ml_msg;          /* RETR/TOP message number */
    gboolean ml_octets_known;
    guint64 ml_octets;       /* "+OK n octets" */
    guint32 ml_entries;      /* LIST/UIDL entries, CAPA lines */
    gboolean cr_pending;     /* a "<CR>.<CR>" ended the last call's bytes: */
    guint8 cr_pending_cls;   /* whether it ends the body depends on what follows */
    guint64 cr_pending_pos;  /* body offset of its dot */
    mw_pop_body body;
    pop_multi *ml;

    /* cross-checks */
    gboolean stat_known;
    guint32 stat_count;
    guint8 stat_deleted_base; /* ndeleted when STAT answered */
    pop_sizes *sizes;        /* the latest LIST without argument */
    guint32 deleted[POP_MAX_DELETED];
    guint8 ndeleted;

    /* credentials */
    char user[POP_MAX_NAME]; /* USER's argument, or the SASL LOGIN name */
    guint32 user_frame;      /* frame where the user name was seen */
    guint8 sasl;             /* mw_sasl_mech of the exchange in progress */
    guint8 sasl_step;        /* client responses so far */
    gboolean sasl_active;    /* client lines are SASL responses */

    /* STLS */
    gboolean stls_requested; /* STLS sent, no reply yet */
    gboolean stls_started;   /* +OK seen: only TLS may follow */
} pop_state;

/* pop.c */
extern int proto_pop;
extern guint pop_message_view_max; /* bytes; 0 = no limit */
extern int ett_pop_line;
pop_pending *pop_fifo_front(pop_state *st);
const char *pop_cmd_name(pop_cmd c);

/* pop_multiline.c: start a body after a +OK line (or a resync line). */
void pop_multiline_start(mw_ctx *ctx, pop_state *st, pop_cmd cmd, const pop_pending *p,
                         proto_tree *status_tree, tvbuff_t *tvb, gint text_off, gint text_len,
                         gboolean status_crlf);
/* Dissect one body line (POP_BODY_LINES).  Returns FALSE when the line is not
 * body after all (a listing cut short by a status line): the caller takes it
 * as a response. */
gboolean pop_multiline_line(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, const mw_line_at *l);
/* The first server line of a capture that starts inside a body: shown, not
 * taken as a body line (its start may be missing); the body starts after it. */
void pop_multiline_partial(mw_ctx *ctx, tvbuff_t *tvb, const mw_line_at *l);
/* Consume message bytes (POP_BODY_MESSAGE) from offset; returns the new offset. */
gint pop_multiline_message(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, gint offset);
void pop_multiline_register(int proto);
void pop_multiline_handoff(void);

/* pop_auth.c */
void pop_auth_command(mw_ctx *ctx, pop_state *st, pop_cmd cmd, proto_tree *t, tvbuff_t *tvb,
                      gint args_off, gint args_len);
void pop_auth_client_line(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, const mw_line_at *l);
void pop_auth_challenge(mw_ctx *ctx, pop_state *st, proto_tree *t, tvbuff_t *tvb, gint off, gint len);
void pop_auth_done(pop_state *st);
void pop_stls_ok(mw_ctx *ctx, pop_state *st);
void pop_stls_injection(mw_ctx *ctx, proto_item *it, gboolean client);
void pop_auth_register(int proto);
void pop_auth_handoff(void);

#endif

/* What the SMTP files share: the conversation state, the file-scope records
 * that link commands, replies and transactions, and each file's entry points.
 *
 * smtp.c          registration, parse and render, command dispatch, sequence
 * smtp_record.c   the call's record: ops stored by parse, replayed by render
 * smtp_reply.c    replies: multi-line grouping, enhanced codes, EHLO, matching
 * smtp_envelope.c MAIL/RCPT paths and parameters, the transaction recap
 * smtp_data.c     DATA and BDAT bodies, the message buffer and its handoff
 * smtp_smuggle.c  end-of-DATA candidates and what a lenient receiver executes
 * smtp_auth.c     AUTH and the credentials tap
 * smtp_tls.c      STARTTLS, injection, stripping, implicit-TLS ports
 * smtp_longline.c lines over the RFC limits and over the engine's 64 KiB pieces
 *
 * The session's decisions (reply matching, phase and transaction, client
 * mode, BDAT counting) are made by the pure session machine in
 * core/smtp/smtp_session.h; these files keep the rest of the state and turn
 * what is found into the call's record.
 */
#ifndef MAILWIRE_SMTP_INT_H
#define MAILWIRE_SMTP_INT_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "core/body/dataend.h"
#include "core/smtp/smtp_session.h"
#include "core/smtp/smtp_syntax.h"
#include "engine/stream.h"

extern int proto_smtp;
extern dissector_handle_t smtp_handle;



/* Pseudo-verb for the reply that answers the end of a DATA body. */
#define SMTP_VERB_END_OF_DATA 100
/* Pseudo-verb for a SASL response line. */
#define SMTP_VERB_AUTH_RESPONSE 101

/* A command waiting for its reply (file scope; links set on the first pass).
 * A pipeline of a million RCPT has a million of them: 24 bytes each, taken
 * in slabs (smtp_cmd_new), so that a run of commands is a run of records. */
typedef struct smtp_cmd_rec {
    gint64 ts_secs;       /* the command's time (nstime_t, packed) */
    gint32 ts_nsecs;
    guint32 frame;
    guint32 reply_frame;  /* 0 until its reply is seen */
    guint16 reply_code;
    guint8 verb;          /* mw_smtp_verb or SMTP_VERB_* */
    guint8 lmtp;          /* an smtp_lmtp_cmd */
} smtp_cmd_rec;

/* LMTP: the end of data is answered once per accepted recipient; each such
 * pseudo-command names the recipient and its RCPT frame. */
typedef struct smtp_lmtp_cmd {
    smtp_cmd_rec c;
    const char *rcpt;
    guint32 rcpt_frame;
} smtp_lmtp_cmd;

/* The time of a command. */
static inline nstime_t smtp_cmd_ts(const smtp_cmd_rec *c)
{
    nstime_t t;
    t.secs = (time_t)c->ts_secs;
    t.nsecs = c->ts_nsecs;
    return t;
}

/* One recipient of a transaction (its frame: cmd->frame). */
typedef struct smtp_rcpt {
    const char *addr;
    smtp_cmd_rec *cmd;
} smtp_rcpt;

/* A mail transaction (file scope, append-only: the state holds how many
 * recipients it had at each point).  Most have one recipient: it is kept
 * inline; more move to a buffer of the capture's lifetime (engine/heap.h). */
typedef struct smtp_txn {
    guint32 mail_frame;
    gboolean null_sender;
    const char *from;     /* address without brackets, "" for the null path */
    smtp_cmd_rec *mail_cmd;
    smtp_rcpt *rcpts;     /* rcpt_cap of them: &one, or the buffer */
    guint32 nrcpts, rcpt_cap;
    smtp_rcpt one;
} smtp_txn;

/* A new transaction (from smtp_rec), and its recipients. */
struct smtp_call;
smtp_txn *smtp_txn_new(struct smtp_call *sc);
void smtp_txn_add_rcpt(smtp_txn *txn, const char *addr, smtp_cmd_rec *cmd);
static inline guint smtp_txn_nrcpts(const smtp_txn *txn)
{
    return txn->nrcpts;
}
static inline const smtp_rcpt *smtp_txn_rcpt(const smtp_txn *txn, guint i)
{
    return &txn->rcpts[i];
}

/* The message of a transaction, unstuffed, appended on the first pass only. */
typedef struct smtp_msg_buf {
    guint8 *data;
    guint32 len, cap;
} smtp_msg_buf;


/* A line longer than the engine's carry limit, read in pieces (stream.h):
 * what its first piece was, and its length so far.  The record is file
 * scope: its first piece shows the line's length and end once known. */
typedef struct smtp_longline_rec {
    guint32 length;       /* octets, line end included (saturated); 0 until it ends */
    guint32 end_frame;    /* frame of its last piece; 0 until it ends */
} smtp_longline_rec;

typedef struct smtp_longline {
    guint8 what;          /* SMTP_LL_*: NONE when no long line is open */
    guint8 verb;          /* command: its verb (mw_smtp_verb or SMTP_VERB_*) */
    guint16 code;         /* reply: its code (0 if none) */
    guint32 first_frame;  /* frame of its first piece */
    guint64 len;          /* octets so far, line end excluded */
    smtp_longline_rec *rec;
} smtp_longline;

enum { SMTP_LL_NONE = 0, SMTP_LL_COMMAND, SMTP_LL_AUTH, SMTP_LL_REPLY };

/* The open transaction of a state, or NULL. */
#define SMTP_TXN(st) ((smtp_txn *)(st)->tx.tag)

/* Conversation state: advanced by parse on the first pass only; render never
 * reads it (see stream.h, records mode). */
typedef struct smtp_state {
    gboolean lmtp;            /* LMTP (RFC 2033): LHLO, a reply per recipient */
    mw_smtp_client cl;        /* what the client's next bytes are */
    gboolean tls;             /* bytes now come out of TLS */

    /* commands waiting for replies and the reply in progress */
    mw_smtp_replies rp;

    /* phase, EHLO capabilities, the transaction (its tag: an smtp_txn) */
    mw_smtp_txn tx;

    /* DATA body */
    guint32 data_frame;       /* frame of the DATA/first BDAT command */
    mw_dataend_state de;
    guint32 de_last_cls;      /* last candidate class seen, and where */
    guint32 de_last_frame;
    guint32 gap_bytes;        /* bytes of the message missing from the capture */

    /* what a lenient receiver executes after a candidate */
    mw_smtp_smuggle smug;
    guint32 smug_frame;       /* frame of the candidate those commands followed */
    guint8 smug_cls;
    guint32 smug_reported;    /* the terminator frame already given its accepted verdict */
    wmem_array_t *smug_msg;   /* the smuggled message so far, as a lenient receiver stores it */

    /* BDAT */
    mw_smtp_chunks bdat;

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

    /* the client the last XCLIENT claims (file scope; NULL: none), and its frame */
    const char *xclient;
    guint32 xclient_frame;

    /* a line read in pieces, per direction (MW_DIR_*) */
    smtp_longline ll[2];

    /* command records: the slab being filled, and what is left of it */
    smtp_cmd_rec *cmd_slab;
    guint cmd_slab_left, cmd_slab_size;
    /* envelope addresses: the block being filled, and what is left of it */
    char *str_block;
    guint str_left, str_block_size;
} smtp_state;

/* ---- the call's record ----------------------------------------------------
 * parse runs the session logic once, on the first pass, with the live state;
 * everything it would show is stored, in order, as ops of the call's record
 * (file scope).  render replays the ops on every pass from the record alone:
 * no session state is read there.  Links to later frames are read through
 * pointers into the file-scope command records, which the later frame's
 * parse fills in. */

/* A tree node of the record: an op index, or one of these. */
typedef gint smtp_node;
#define SMTP_NODE_NONE (-1)      /* no item (NULL) */
#define SMTP_NODE_TREE (-2)      /* the call's subtree */
#define SMTP_NODE_ROOT_ITEM (-3) /* the call's root item */

typedef struct smtp_op smtp_op;

/* What render replays for one call: one file-scope block holding the ops,
 * then the bytes they refer to (strings, line facts, data source bytes). */
typedef struct smtp_call_rec smtp_call_rec;

#define SMTP_MAX_TVBS 16

/* One call of the dissector on the first pass: the engine's context, the
 * live state and the ops recorded so far. */
typedef struct smtp_call {
    mw_ctx *ctx;
    smtp_state *st;
    packet_info *pinfo;
    smtp_node tree;           /* the call's subtree */
    GArray *ops;              /* smtp_op */
    GByteArray *blob;         /* what the ops refer to, by offset */
    tvbuff_t *tvbs[SMTP_MAX_TVBS]; /* [0] the call's bytes, then data sources */
    guint ntvbs;
    gboolean tls_line_here;   /* STARTTLS or its 220 was in this call */
    gint run_op;              /* the run of compact lines that ops end with (-1: none) */
    gint run_end;             /* and where its last line ends */
} smtp_call;

/* A new file-scope record object (command, reply, transaction...). */
void *smtp_rec(smtp_call *sc, size_t size);

/* Recording: each mirrors the epan call of the same name. */
smtp_node so_add_item(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                      guint enc);
smtp_node so_add_uint(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                      guint32 v);
smtp_node so_add_uint64(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                        guint64 v);
smtp_node so_add_uint64_format(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off,
                               gint len, guint64 v, const char *fmt, ...) G_GNUC_PRINTF(8, 9);
smtp_node so_add_string(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                        const char *v);
/* The same for a string that lives as long as the program (a literal). */
smtp_node so_add_string_static(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off,
                               gint len, const char *v);
smtp_node so_add_boolean(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                         gboolean v);
smtp_node so_add_time(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                      const nstime_t *v);
/* A frame number read at render time (0: no item): a forward link. */
smtp_node so_add_link(smtp_call *sc, smtp_node parent, int hf, tvbuff_t *tvb, gint off, gint len,
                      const guint32 *frame);
smtp_node so_subtree(smtp_call *sc, smtp_node item, int ett);
smtp_node so_parent(smtp_call *sc, smtp_node tree);
void so_set_text(smtp_call *sc, smtp_node item, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void so_append_text(smtp_call *sc, smtp_node item, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* A body segment's texts, kept as its length: "Message data: n bytes" on
 * item (if any), and with col "C: message data, n bytes" in the Info column. */
void so_data_texts(smtp_call *sc, smtp_node item, gint n, gboolean col);
/* A complete message's texts, kept as its length: "Message (n bytes,
 * unstuffed|from BDAT chunks)" on item and "C: end of message, n bytes" in
 * the Info column (no column text comes between the two). */
void so_message_texts(smtp_call *sc, smtp_node item, guint32 len, gboolean bdat);
/* A BDAT chunk's texts, kept as numbers: "BDAT chunk data: n bytes (left
 * still to come)" on item and "C: BDAT chunk, n bytes" in the Info column
 * (no column text comes between the two). */
void so_bdat_texts(smtp_call *sc, smtp_node item, gint n, guint64 left);
void so_set_generated(smtp_call *sc, smtp_node item);
void so_set_hidden(smtp_call *sc, smtp_node item);
void so_set_len(smtp_call *sc, smtp_node item, gint len);
/* expert_add_info(_format), and mw_expert(_format) (also an anomaly for the tap) */
void so_expert(smtp_call *sc, smtp_node item, expert_field *ei);
void so_expert_format(smtp_call *sc, smtp_node item, expert_field *ei, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
void so_mw_expert(smtp_call *sc, smtp_node item, expert_field *ei);
void so_mw_expert_format(smtp_call *sc, smtp_node item, expert_field *ei, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
void so_col(smtp_call *sc, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void so_line_facts(smtp_call *sc, smtp_node tree, tvbuff_t *tvb, const mw_line_at *l);
/* A data source over a copy of bytes; returns a tvb for parse to read. */
tvbuff_t *so_data_source(smtp_call *sc, tvbuff_t *parent, const guint8 *bytes, guint len,
                         const char *name);
void so_call_dissector(smtp_call *sc, dissector_handle_t h, tvbuff_t *tvb, smtp_node tree);
void so_tap_command(smtp_call *sc, const char *verb);
/* The session's client as a proxy claims it (mail,sessions). */
void so_tap_client(smtp_call *sc, const char *client);
void so_tap_reply(smtp_call *sc, const char *verb, guint code, const nstime_t *cmd_time);
/* A credential: the user fact and the credentials tap. */
void so_tap_credential(smtp_call *sc, const char *user, guint32 user_frame, int hf_secret,
                       const char *mech);

/* The message a call completes, shown at render: its IMF tree under tree
 * and the transaction recap after it. */
typedef struct smtp_msg_view {
    const struct mw_kept *kept; /* the message's bytes (mail/keep.h) */
    guint32 len;
    const struct smtp_txn *txn;
    guint32 nrcpt;
} smtp_msg_view;
void so_message(smtp_call *sc, smtp_node tree, const smtp_msg_view *m);
/* Another file's rendering of file-scope data it stored on the first pass. */
typedef void (*smtp_render_fn)(mw_ctx *ctx, tvbuff_t *tvb, proto_tree *tree, void *data);
void so_render_hook(smtp_call *sc, smtp_node tree, smtp_render_fn fn, void *data);

/* Compact lines (smtp_record.c): a whole line's ops replaced by the facts
 * the session decided (a few bits and one file-scope record), and a run of
 * such lines, one after the other, of the same kind and facts, with their
 * records one after the other, stored as one op. */
typedef struct smtp_mark {
    guint ops, blob, ntvbs;
} smtp_mark;
/* Shows a whole line again at render from the call's bytes: the line at
 * off (as the line scanner finds it there), the facts and the record; it
 * records ops as the first pass did (sc->st is NULL). */
typedef void (*smtp_show_fn)(smtp_call *sc, tvbuff_t *tvb, gint off, const mw_line *line,
                             guint32 facts, const void *rec);
typedef struct smtp_show {
    smtp_show_fn fn;
    size_t stride;            /* from one line's record to the next's in a run */
} smtp_show;
/* Where the call's record stands before a line is dissected. */
smtp_mark so_mark(smtp_call *sc);
/* Replaces the ops recorded since m for the whole line l by one that calls
 * show at render (or extends the run before it).  Nothing changes when the
 * ops refer to more than the call's bytes or the line scanner would not
 * find l at its offset again. */
void so_compact(smtp_call *sc, smtp_mark m, tvbuff_t *tvb, const mw_line_at *l,
                const smtp_show *show, guint32 facts, const void *rec);

/* Render a call's record. */
void smtp_render_record(mw_ctx *ctx, tvbuff_t *tvb, const smtp_call_rec *rec);
/* parse: start recording the call whose bytes are tvb; freeze the ops into
 * the call's record. */
void smtp_record_begin(smtp_call *sc, tvbuff_t *tvb);
smtp_call_rec *smtp_record_finish(smtp_call *sc);
/* smtp_envelope.c: the recap, at render */
struct mail_message_facts;
void smtp_envelope_recap_render(packet_info *pinfo, tvbuff_t *tvb, proto_tree *tree,
                                const struct smtp_txn *txn, guint32 nrcpt,
                                const struct mail_message_facts *facts);

/* A new command record for verb at this frame, queued for its reply. */
smtp_cmd_rec *smtp_cmd_new(smtp_call *sc, guint8 verb);
/* The same for LMTP's end of data, answered for the recipient rcpt. */
smtp_cmd_rec *smtp_cmd_new_lmtp(smtp_call *sc, guint8 verb, const char *rcpt,
                                guint32 rcpt_frame);
/* Links of a command to its reply (response_in, time). */
void smtp_cmd_show_links(smtp_call *sc, smtp_node t, tvbuff_t *tvb, const smtp_cmd_rec *c);

/* smtp_reply.c: the reply being shown in this call */
typedef struct smtp_reply_view {
    smtp_node tree;
    gint start;
    gboolean open;
} smtp_reply_view;
void dissect_smtp_reply_line(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l,
                             smtp_reply_view *view);
void smtp_reply_register(int proto);

/* smtp_envelope.c */
/* A file-scope copy of a short string of the session (envelope addresses). */
const char *smtp_keep_string(smtp_call *sc, const char *s);
void dissect_smtp_mail(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint args_off,
                       const guint8 *args, gsize args_len);
void dissect_smtp_rcpt(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint args_off,
                       const guint8 *args, gsize args_len);
void smtp_envelope_register(int proto);

/* smtp_data.c */
gint dissect_smtp_data_body(smtp_call *sc, tvbuff_t *tvb, gint offset);
gint dissect_smtp_bdat_chunk(smtp_call *sc, tvbuff_t *tvb, gint offset);
void smtp_data_begin(smtp_call *sc, guint32 frame);
void smtp_message_reset(smtp_state *st);
void dissect_smtp_bdat(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint args_off,
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
void dissect_smtp_candidate(smtp_call *sc, tvbuff_t *tvb, smtp_node t, const smtp_de_event *e);
void dissect_smtp_smuggled(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint start, gint end);
/* The end of data e (a candidate or the strict end): a smuggled message read
 * so far ends there (shown and offered to Export Objects in this frame). */
void smtp_smuggled_message_end(smtp_call *sc, tvbuff_t *tvb, const smtp_de_event *e);
void smtp_smuggle_register(int proto);

/* smtp_auth.c */
void dissect_smtp_auth(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint args_off,
                       const guint8 *args, gsize args_len);
void dissect_smtp_auth_response(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l);
void smtp_auth_server_challenge(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, gint len);
void smtp_auth_register(int proto);
void smtp_auth_handoff(void);
/* SMTP as the shared credentials code knows it (tap label, experts). */
extern const struct mw_credentials smtp_credentials;

/* smtp_tls.c */
void smtp_tls_starttls_sent(smtp_call *sc);
void smtp_tls_reply(smtp_call *sc, smtp_node reply_item, guint code);
gint dissect_smtp_injected(smtp_call *sc, tvbuff_t *tvb, gint offset, gboolean server);
void smtp_tls_plaintext_continues(smtp_call *sc, tvbuff_t *tvb, gint offset);
/* MAIL or AUTH in plaintext although the server offered STARTTLS: whether
 * (parse), and its expert. */
gboolean smtp_tls_plaintext_risk(smtp_call *sc, guint8 verb);
void smtp_tls_plaintext_expert(smtp_call *sc, smtp_node it, guint8 verb);
void smtp_tls_ehlo_done(smtp_call *sc, smtp_node it);
void smtp_tls_register(int proto);
void smtp_tls_handoff(void);

/* smtp_dropin.c: the built-in dissector's field names, mirrored at render. */
void smtp_dropin_register(int proto);
void smtp_dropin_handoff(void);
void smtp_dropin_mirror(proto_tree *parent, int hf, tvbuff_t *tvb, gint off, gint len,
                        guint64 u, const char *s);
/* A string child of a bytes item that holds text on the wire. */
void smtp_text_twin(packet_info *pinfo, proto_item *item, int hf, tvbuff_t *tvb, gint off, gint len);
void smtp_tls_ports_apply(const range_t *ports);

/* smtp_xclient.c: Postfix XCLIENT and XFORWARD */
void dissect_smtp_xclient(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint args_off,
                          const guint8 *args, gsize args_len);
void dissect_smtp_xforward(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint args_off,
                           const guint8 *args, gsize args_len);
void smtp_xclient_reply(smtp_call *sc, tvbuff_t *tvb, smtp_node t, smtp_node it, guint code);
void smtp_xclient_register(int proto);

/* smtp_longline.c: long lines.  A first piece (l->fragment, not continued)
 * opens the direction's long line after it is dissected as a command, SASL
 * response or reply (what: SMTP_LL_*); the pieces that continue it go to
 * smtp_longline_rest (TRUE when it took the line), which shows each piece in
 * part and, on the last, the whole line's length and its RFC limit. */
void smtp_longline_open(smtp_call *sc, tvbuff_t *tvb, smtp_node t, const mw_line_at *l,
                        guint8 what, guint8 verb, guint16 code);
gboolean smtp_longline_rest(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l);
/* A whole line over the RFC 5321 limit of its kind (512 octets for command
 * and reply lines, line end included): its length and an expert. */
void smtp_longline_check(smtp_call *sc, tvbuff_t *tvb, smtp_node t, smtp_node anchor,
                         const mw_line_at *l, guint8 what);
/* The first piece of a MAIL or RCPT: the transaction learns of it with its
 * address cut (a path that long is no address a server keeps, RFC 5321
 * 4.5.3.1.3), so the sequence checks and the recap stay right. */
void smtp_longline_envelope(smtp_call *sc, guint8 verb, const guint8 *args, gsize args_len);
void smtp_longline_register(int proto);

/* smtp.c: the stream callbacks, shared with LMTP */
void smtp_state_init(void *state, packet_info *pinfo);
void smtp_state_free(void *state);
guint smtp_parse(mw_ctx *ctx, tvbuff_t *tvb);
void smtp_render(mw_ctx *ctx, tvbuff_t *tvb);
void smtp_gap(void *state, int dir, guint32 missing);

/* smtp_lmtp.c: the LMTP links of a reply to the end of data */
void smtp_lmtp_reply_links(smtp_call *sc, tvbuff_t *tvb, smtp_node t, const smtp_cmd_rec *c);

/* smtp.c: dissect one command line (also used for lines after a rejected DATA). */
void dissect_smtp_command_line(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l);
const char *smtp_verb_label(guint8 verb);

#endif

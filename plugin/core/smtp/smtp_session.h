/* The SMTP session machine, part one: commands waiting for replies and the
 * replies that answer them (RFC 5321 4.2; in command order, also under
 * PIPELINING, RFC 2920 3.1).  Pure C: the caller names each command and
 * reply by a tag of its own (0 is "none") and gets, per reply line, a record
 * of what the line is and which command it answers.
 */
#ifndef MAILWIRE_SMTP_SESSION_H
#define MAILWIRE_SMTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/smtp/smtp_syntax.h"

/* Commands waiting for their replies: the first MW_SMTP_FIFO_SIZE in the
 * state itself, more in a ring that grows up to MW_SMTP_PENDING_MAX (far above
 * what pipelining clients send: a transaction with its recipients).  Past
 * that the oldest is forgotten and counted, so the reply that answers it is
 * said to answer a forgotten command, not matched with a later one. */
#define MW_SMTP_FIFO_SIZE 8
#define MW_SMTP_PENDING_MAX 65536

typedef struct mw_smtp_pending {
    uintptr_t tag;
    uint8_t verb;     /* mw_smtp_verb or a caller's pseudo-verb */
} mw_smtp_pending;

typedef struct mw_smtp_replies {
    mw_smtp_pending fifo[MW_SMTP_FIFO_SIZE];
    mw_smtp_pending *ring; /* malloc'd once more are waiting (NULL: fifo) */
    uint32_t cap;          /* entries of the ring in use (fifo or ring) */
    uint32_t head, len;
    uint32_t forgotten;    /* commands dropped at the limit, not yet answered */
    bool greeted;          /* the server's greeting was seen */
    /* the reply in progress (multi-line) */
    bool open;
    bool greeting;
    uint16_t code;         /* of its first line */
    uint16_t lines;
    uintptr_t tag;         /* the caller's tag for it */
    mw_smtp_pending cmd;   /* the command it answers (tag 0: none) */
} mw_smtp_replies;

/* What one reply line is. */
typedef struct mw_smtp_reply_rec {
    bool parsed;           /* a reply line: code and text (reply below) */
    mw_smtp_reply reply;
    bool opens;            /* the first line of a reply */
    bool abandoned;        /* not a reply line, and nothing open: nothing grouped */
    bool greeting;         /* the reply is the server's greeting */
    bool code_changed;     /* this line's code differs from the first line's */
    bool final;            /* the reply is complete */
    uint16_t line_no;      /* 1 for the first line of the reply */
    uint16_t code;         /* the reply's code (first line; 0 if unparsed) */
    uintptr_t tag;         /* the reply's tag (given with its first line) */
    mw_smtp_pending cmd;   /* the command it answers (tag 0: none) */
    /* final lines only */
    uintptr_t popped;      /* the command taken off the queue (0: none) */
    bool in_body;          /* no command waiting while a message body was open:
                            * the server ended the message itself */
    bool unmatched;        /* no command waiting, no body open */
    bool forgotten;        /* answers a command forgotten at the limit */
} mw_smtp_reply_rec;

void mw_smtp_replies_init(mw_smtp_replies *r);
/* Frees the grown ring (the caller calls it when the session goes). */
void mw_smtp_replies_free(mw_smtp_replies *r);
/* Where grown rings come from and go (malloc and free unless set): one
 * setting for every session. */
void mw_smtp_replies_set_allocator(void *(*alloc)(size_t), void (*release)(void *));

/* A command sent: queued for its reply.  Returns true when the queue was
 * at MW_SMTP_PENDING_MAX (or could not grow) and the oldest command was
 * forgotten. */
bool mw_smtp_replies_command(mw_smtp_replies *r, uintptr_t tag, uint8_t verb);
bool mw_smtp_replies_full(const mw_smtp_replies *r);
/* The newest and the oldest waiting command (tag 0 when none). */
mw_smtp_pending mw_smtp_replies_newest(const mw_smtp_replies *r);
mw_smtp_pending mw_smtp_replies_oldest(const mw_smtp_replies *r);

/* One line of the server (without its line end).  fragment: a piece of an
 * over-long line that does not start it (its code cannot be read; the first
 * piece of such a line is given as a line); tag: the caller's tag should the
 * line open a reply;
 * body_open: the client is inside a message body the server accepted. */
void mw_smtp_replies_line(mw_smtp_replies *r, const uint8_t *line, size_t len, bool fragment,
                          uintptr_t tag, bool body_open, mw_smtp_reply_rec *out);

/* Bytes of the server are missing: the reply in progress cannot complete. */
void mw_smtp_replies_gap(mw_smtp_replies *r);
/* TLS began: the session starts again (RFC 3207 4.2); the greeting stays. */
void mw_smtp_replies_restart(mw_smtp_replies *r);

/* ---- part two: the session phase and the mail transaction ------------- */

typedef enum mw_smtp_phase {
    MW_SMTP_PHASE_START = 0,    /* before HELO/EHLO */
    MW_SMTP_PHASE_GREETED,      /* after HELO/EHLO */
    MW_SMTP_PHASE_TRANSACTION,  /* after an accepted MAIL */
    MW_SMTP_PHASE_DATA,         /* in DATA or BDAT */
} mw_smtp_phase;

/* A command out of the order of RFC 5321 4.1.4. */
typedef enum mw_smtp_seq {
    MW_SMTP_SEQ_OK = 0,
    MW_SMTP_SEQ_NESTED_MAIL,    /* MAIL while a transaction is open */
    MW_SMTP_SEQ_BEFORE_HELO,    /* MAIL before HELO/EHLO (outside TLS) */
    MW_SMTP_SEQ_RCPT_NO_MAIL,   /* RCPT with no transaction */
    MW_SMTP_SEQ_DATA_NO_RCPT,   /* DATA/BDAT with no recipient */
} mw_smtp_seq;

typedef struct mw_smtp_txn {
    uint8_t phase;              /* mw_smtp_phase */
    bool helo_sent;             /* HELO/EHLO sent (reply or not) */
    bool ehlo_seen;             /* HELO/EHLO accepted */
    bool adv_starttls, adv_pipelining, adv_chunking, adv_auth; /* EHLO keywords */
    uintptr_t tag;              /* the caller's tag of the open transaction (0: none) */
    uintptr_t mail_cmd;         /* the tag of the MAIL command that opened it */
    uint32_t nrcpt;             /* recipients given in it */
    uint32_t rcpt_ok;           /* recipients accepted */
    bool mail_ok;               /* its MAIL was accepted */
} mw_smtp_txn;

void mw_smtp_txn_init(mw_smtp_txn *t);
/* Where a command stands in the sequence, before it changes anything. */
mw_smtp_seq mw_smtp_txn_check(const mw_smtp_txn *t, uint8_t verb, bool tls);
/* HELO/EHLO (reset = true) or RSET: the transaction is dropped. */
void mw_smtp_txn_reset(mw_smtp_txn *t, bool helo);
/* MAIL: whether it opens a transaction (a nested MAIL keeps the open one),
 * and opening it under the caller's tag; cmd: the MAIL command's tag in the
 * reply queue. */
bool mw_smtp_txn_mail_opens(const mw_smtp_txn *t);
void mw_smtp_txn_mail(mw_smtp_txn *t, uintptr_t tag, uintptr_t cmd);
/* RCPT with a usable path: counted when a transaction is open. */
bool mw_smtp_txn_rcpt(mw_smtp_txn *t);
/* A keyword of the EHLO reply (upper case). */
void mw_smtp_txn_capability(mw_smtp_txn *t, const char *keyword);
/* The final reply to the command cmd (its tag in the reply queue) of verb.
 * A refused MAIL ends the transaction only if that MAIL opened it: a nested
 * MAIL's 503 leaves the open one alone. */
void mw_smtp_txn_reply(mw_smtp_txn *t, uint8_t verb, unsigned code, uintptr_t cmd);
/* The message body began; it ended (the transaction is over); the server
 * ended it before the strict end (the transaction is gone). */
void mw_smtp_txn_body(mw_smtp_txn *t);
void mw_smtp_txn_end(mw_smtp_txn *t);
void mw_smtp_txn_abort(mw_smtp_txn *t);
/* TLS began: the session starts again (RFC 3207 4.2). */
void mw_smtp_txn_restart(mw_smtp_txn *t);

/* ---- part four: what the client's next bytes are -------------------------- */

typedef enum mw_smtp_client_mode {
    MW_SMTP_CLIENT_COMMAND = 0, /* command lines */
    MW_SMTP_CLIENT_DATA_WAIT,   /* DATA sent alone, no reply yet: the reply decides */
    MW_SMTP_CLIENT_DATA,        /* DATA body until the strict end */
    MW_SMTP_CLIENT_BDAT,        /* a BDAT chunk */
    MW_SMTP_CLIENT_AUTH,        /* a SASL response line after a 334 */
    MW_SMTP_CLIENT_TLS_WAIT,    /* STARTTLS sent: plaintext now is injection */
} mw_smtp_client_mode;

typedef struct mw_smtp_client {
    uint8_t mode;               /* mw_smtp_client_mode */
    bool early;                 /* body bytes were sent before the DATA reply */
    bool confirmed;             /* 354 seen for the body being sent */
    bool rejected;              /* the last DATA was refused: lines sent as text are commands */
    bool auth_open;             /* AUTH sent, no final reply yet */
    bool starttls_acked;        /* 220 to STARTTLS seen: the next bytes are TLS */
} mw_smtp_client;

/* How the server refused a DATA. */
typedef enum mw_smtp_data_refusal {
    MW_SMTP_REFUSED_NONE = 0,   /* no DATA was waiting (a late or repeated reply) */
    MW_SMTP_REFUSED_WAITING,    /* the client waited: nothing was sent */
    MW_SMTP_REFUSED_EARLY,      /* the client had already sent message text */
} mw_smtp_data_refusal;

void mw_smtp_client_init(mw_smtp_client *c);
void mw_smtp_client_data_sent(mw_smtp_client *c);
/* Client bytes while DATA waits for its reply: the body began early. */
void mw_smtp_client_early(mw_smtp_client *c);
/* The body begins (after a 354, or early). */
void mw_smtp_client_body_begin(mw_smtp_client *c);
/* 354: whether it begins the body (DATA was waiting); then confirm it. */
bool mw_smtp_client_354_begins(const mw_smtp_client *c);
void mw_smtp_client_354(mw_smtp_client *c);
/* Any other reply to DATA. */
mw_smtp_data_refusal mw_smtp_client_data_refused(mw_smtp_client *c);
/* A command line while a refused DATA's text may follow: returns true when
 * the line is no command (the client meant it as text). */
bool mw_smtp_client_after_refusal(mw_smtp_client *c, bool known_verb);
/* The body is complete, or the server ended it, or the message was dropped. */
void mw_smtp_client_body_end(mw_smtp_client *c);
/* The body the server accepted is being sent (a reply now ends it). */
bool mw_smtp_client_body_open(const mw_smtp_client *c);
/* BDAT: chunk bytes follow; the chunk is over. */
void mw_smtp_client_chunk(mw_smtp_client *c, bool bytes_follow);
/* AUTH: sent; the final or 334 reply; a response line sent. */
void mw_smtp_client_auth_sent(mw_smtp_client *c);
void mw_smtp_client_auth_reply(mw_smtp_client *c, unsigned code);
void mw_smtp_client_auth_response(mw_smtp_client *c);
/* STARTTLS: sent; its reply (false: refused). */
void mw_smtp_client_starttls_sent(mw_smtp_client *c);
bool mw_smtp_client_starttls_reply(mw_smtp_client *c, unsigned code);
/* TLS began (or plaintext goes on after the 220): commands again. */
void mw_smtp_client_restart(mw_smtp_client *c);

/* ---- part five: what a lenient receiver executes after a non-strict end --- */

typedef enum mw_smtp_smug_phase {
    MW_SMTP_SMUG_IN_COMMANDS = 0, /* command lines */
    MW_SMTP_SMUG_IN_HEADERS,    /* after a smuggled DATA: the second message's fields */
    MW_SMTP_SMUG_IN_BODY,       /* and its body */
} mw_smtp_smug_phase;

typedef enum mw_smtp_smug_kind {
    MW_SMTP_SMUG_PARTIAL = 0,   /* a line cut by the end of the bytes (shown, not read) */
    MW_SMTP_SMUG_COMMAND,       /* a command line */
    MW_SMTP_SMUG_HEADERS_END,   /* the empty line after the smuggled header fields */
    MW_SMTP_SMUG_HEADER,        /* a header field line of the smuggled message */
    MW_SMTP_SMUG_BODY,          /* a body line of it */
} mw_smtp_smug_kind;

typedef struct mw_smtp_smuggle {
    bool active;                /* the body went past a non-strict end */
    uint8_t phase;              /* mw_smtp_smug_phase */
    bool mid_line;              /* the last bytes ended inside a line */
    uint16_t replies;           /* replies a lenient receiver owes to the smuggled commands */
    uint16_t owed;              /* after the strict end: such replies not seen yet */
} mw_smtp_smuggle;

typedef struct mw_smtp_smug_line {
    uint8_t kind;               /* mw_smtp_smug_kind */
    size_t off, next;           /* the line [off, next), its end included */
    size_t len;                 /* its content, line end excluded */
} mw_smtp_smug_line;

/* A new message: nothing smuggled, nothing owed (begin: a new body). */
void mw_smtp_smuggle_reset(mw_smtp_smuggle *s);
void mw_smtp_smuggle_body_begin(mw_smtp_smuggle *s);
/* A non-strict end of data: what follows is read as a lenient receiver does. */
void mw_smtp_smuggle_candidate(mw_smtp_smuggle *s);
/* The strict end: the replies owed are now expected from the server. */
void mw_smtp_smuggle_strict_end(mw_smtp_smuggle *s);
/* The next line of buf[*off, end) as a lenient receiver reads it; advances
 * *off.  False when *off >= end. */
bool mw_smtp_smuggle_next(mw_smtp_smuggle *s, const uint8_t *buf, size_t *off, size_t end,
                          mw_smtp_smug_line *out);
/* A smuggled command line (its verb): the replies it earns; DATA starts a
 * second message. */
void mw_smtp_smuggle_command(mw_smtp_smuggle *s, uint8_t verb);
/* A reply to no visible command: true when it is one a lenient receiver owed. */
bool mw_smtp_smuggle_owed_reply(mw_smtp_smuggle *s);

/* ---- part three: BDAT chunks (RFC 3030) --------------------------------- */

typedef struct mw_smtp_chunks {
    uint64_t left;              /* bytes of the current chunk still to come */
    bool last;                  /* the current chunk is the last */
    /* line-end facts of the message (the chunks joined) */
    uint32_t bare_cr, bare_lf, nul;
    bool prev_cr;
} mw_smtp_chunks;

typedef struct mw_smtp_chunk_step {
    size_t consumed;            /* chunk bytes taken from the buffer */
    bool chunk_done;            /* the chunk is complete: commands follow */
    bool message_done;          /* it was the last chunk: the message is complete */
} mw_smtp_chunk_step;

/* A new message: no chunk, no counts. */
void mw_smtp_bdat_reset(mw_smtp_chunks *b);
/* A BDAT command with a usable size: returns true when chunk bytes follow. */
bool mw_smtp_bdat_begin(mw_smtp_chunks *b, uint64_t size, bool last);
/* Chunk bytes: takes at most what is left of the chunk. */
mw_smtp_chunk_step mw_smtp_bdat_feed(mw_smtp_chunks *b, const uint8_t *buf, size_t len);
/* Bytes of the chunk missing from the capture: returns true when the chunk
 * ended inside them. */
bool mw_smtp_bdat_gap(mw_smtp_chunks *b, uint64_t missing);

#endif

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

/* Commands kept waiting at most; past this the oldest is forgotten (a server
 * that never answers, or a capture of one side only). */
#define MW_SMTP_FIFO_SIZE 32

typedef struct mw_smtp_pending {
    uintptr_t tag;
    uint8_t verb;     /* mw_smtp_verb or a caller's pseudo-verb */
} mw_smtp_pending;

typedef struct mw_smtp_replies {
    mw_smtp_pending fifo[MW_SMTP_FIFO_SIZE];
    uint8_t head, len;
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
} mw_smtp_reply_rec;

void mw_smtp_replies_init(mw_smtp_replies *r);

/* A command sent: queued for its reply.  Returns true when the queue was
 * full and the oldest command was forgotten. */
bool mw_smtp_replies_command(mw_smtp_replies *r, uintptr_t tag, uint8_t verb);
bool mw_smtp_replies_full(const mw_smtp_replies *r);
/* The newest and the oldest waiting command (tag 0 when none). */
mw_smtp_pending mw_smtp_replies_newest(const mw_smtp_replies *r);
mw_smtp_pending mw_smtp_replies_oldest(const mw_smtp_replies *r);

/* One line of the server (without its line end).  fragment: part of an
 * over-long line; tag: the caller's tag should the line open a reply;
 * body_open: the client is inside a message body the server accepted. */
void mw_smtp_replies_line(mw_smtp_replies *r, const uint8_t *line, size_t len, bool fragment,
                          uintptr_t tag, bool body_open, mw_smtp_reply_rec *out);

/* Bytes of the server are missing: the reply in progress cannot complete. */
void mw_smtp_replies_gap(mw_smtp_replies *r);
/* TLS began: the session starts again (RFC 3207 4.2); the greeting stays. */
void mw_smtp_replies_restart(mw_smtp_replies *r);

#endif

/* The IMAP session machine: both directions of one connection, in stream
 * order, with no Wireshark in sight.
 *
 * It frames each direction (imap_frame.h), classifies every text line
 * (command, SASL data, DONE, continuation request, tagged completion,
 * untagged data), keeps the commands in flight and matches completions to
 * them (the oldest command with the tag), follows the session state
 * (RFC 9051 section 3, IDLE, STARTTLS, COMPRESS) and the literal progress,
 * and emits one record per text line, literal chunk or compressed run.  A
 * record says what was found; links to later facts (a command's completion,
 * a literal's end) are written into the command and literal records, which
 * outlive the call (they come from the caller's allocator).
 *
 * What needs the content of lines beyond their kind (FETCH items, LOGIN and
 * SASL credentials, what a literal holds) is left to the caller, who sees
 * each record as it is emitted, before the next one.
 */
#ifndef MAILWIRE_CORE_IMAP_SESSION_H
#define MAILWIRE_CORE_IMAP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/imap/imap_command.h"
#include "core/imap/imap_frame.h"
#include "core/imap/imap_response.h"

enum { MW_IMAP_CLIENT = 0, MW_IMAP_SERVER = 1 };

/* How the capture of a session began: with the server's greeting, or in
 * the middle (the state is then inferred from the first commands and data). */
enum { MW_IMAP_START_UNKNOWN = 0, MW_IMAP_START_GREETED, MW_IMAP_START_MIDSTREAM };

typedef enum mw_imap_sstate {
    MW_IMAP_SS_NOT_AUTH = 0,
    MW_IMAP_SS_AUTH,
    MW_IMAP_SS_SELECTED,
    MW_IMAP_SS_LOGOUT,
} mw_imap_sstate;

/* Where bytes were seen: the caller's frame number and capture time. */
typedef struct mw_imap_when {
    int64_t sec;
    uint32_t frame;
    int32_t nsec;
} mw_imap_when;

/* A command, from the line that sent it; done is filled by its completion. */
typedef struct mw_imap_command_rec {
    const char *tag;
    mw_imap_when sent;
    mw_imap_when done;     /* done.frame 0: no completion (yet) */
    void *user;            /* the caller's */
    mw_imap_cmd cmd;
    mw_imap_kw status;
    bool uid;
    bool reused;           /* its tag was still in flight when it was sent */
    bool forgotten;        /* dropped at the in-flight limit: its completion is not matched */
} mw_imap_command_rec;

/* A literal, from its header; end_frame is filled by its last octet. */
typedef struct mw_imap_literal_rec {
    uint64_t size;
    uint64_t seen;         /* octets gone by, lost ones included */
    uint32_t header_frame;
    uint32_t end_frame;    /* 0: not ended (yet) */
    bool broken;           /* octets of it were lost */
    bool cancelled;        /* a refused synchronizing literal: never sent */
    void *user;            /* the caller's */
} mw_imap_literal_rec;

enum { MW_IMAP_REC_TEXT = 0, MW_IMAP_REC_LITERAL, MW_IMAP_REC_COMPRESSED };

/* What a text line is. */
typedef enum mw_imap_line_kind {
    MW_IMAP_LK_MALFORMED = 0,
    MW_IMAP_LK_COMMAND,
    MW_IMAP_LK_SASL,         /* client data during AUTHENTICATE */
    MW_IMAP_LK_DONE,
    MW_IMAP_LK_UNTAGGED,
    MW_IMAP_LK_TAGGED,
    MW_IMAP_LK_CONTINUATION, /* "+" */
    MW_IMAP_LK_CANCEL,       /* "*" cancelling AUTHENTICATE */
    MW_IMAP_LK_MORE,         /* more of a logical line (after a literal) or of an over-long line */
} mw_imap_line_kind;

/* What a continuation request answers. */
enum { MW_IMAP_CONT_PLAIN = 0, MW_IMAP_CONT_LITERAL, MW_IMAP_CONT_SASL, MW_IMAP_CONT_IDLE };

/* Findings (mw_imap_rec.anomalies). */
enum {
    MW_IMAP_AN_TAG_UNKNOWN = 1u << 0,   /* completion for no command in flight */
    MW_IMAP_AN_INFLIGHT_FULL = 1u << 1, /* the in-flight limit was reached: the oldest was dropped */
    MW_IMAP_AN_WRONG_STATE = 1u << 2,   /* command not allowed in the state it met (eff_state) */
    MW_IMAP_AN_DONE_NOT_IDLE = 1u << 3, /* DONE with no IDLE under way */
    MW_IMAP_AN_PLAINTEXT = 1u << 4,     /* bytes in clear after STARTTLS */
    MW_IMAP_AN_TAG_FORGOTTEN = 1u << 5, /* completion for no command in flight while commands
                                         * dropped at the limit are still owed one */
};

typedef struct mw_imap_rec {
    uint8_t kind;           /* MW_IMAP_REC_* */
    uint8_t dir;            /* MW_IMAP_CLIENT or MW_IMAP_SERVER */
    size_t off, len;        /* in the fed buffer; TEXT: line end excluded */
    /* TEXT */
    size_t eol_len;
    mw_eol eol;
    unsigned line_flags;    /* MW_LINE_* */
    bool fragment;          /* part of an over-long line, no line end */
    bool continued;         /* continues a fragment, or follows lost bytes */
    unsigned segment;       /* > 0: continues a logical line after a literal */
    uint8_t line_kind;      /* mw_imap_line_kind of this line */
    uint8_t logical_kind;   /* mw_imap_line_kind of the logical line it belongs to */
    uint16_t cmd;           /* the logical line's command (client) or keyword (server) */
    uint8_t cont_what;      /* CONTINUATION: MW_IMAP_CONT_* */
    uint8_t eff_state;      /* COMMAND with WRONG_STATE: the state it met */
    uint16_t anomalies;     /* MW_IMAP_AN_* */
    mw_imap_lit lit;        /* the literal header that counts at its end (status ABSENT if none) */
    mw_imap_command_rec *command;      /* begun, completed, let go ("+"), or whose IDLE ends */
    mw_imap_command_rec *untagged_for; /* UNTAGGED: the only command in flight */
    /* TEXT: the literal announced; LITERAL: the literal */
    mw_imap_literal_rec *literal;
    /* LITERAL */
    uint64_t lit_at;        /* offset of the chunk in the literal */
    uint64_t lit_left;      /* octets left before the chunk */
    bool lit_end;           /* the chunk ends the literal */
} mw_imap_rec;

typedef void (*mw_imap_emit_fn)(void *opaque, const mw_imap_rec *rec);

typedef struct mw_imap_sess_cfg {
    /* Memory for command and literal records and the in-flight list; it
     * must live as long as the records are used. release may be NULL. */
    void *(*alloc)(void *opaque, size_t size);
    void (*release)(void *opaque, void *p);
    /* Memory for the command and literal records alone, never released
     * (NULL: alloc).  Zeroed by the session. */
    void *(*rec_alloc)(void *opaque, size_t size);
    void *opaque;
    uint64_t max_literal;   /* literal sizes above this are not followed (0: no bound) */
    size_t max_line;        /* over-long lines come in fragments of this size (0: never) */
    unsigned inflight_max;  /* commands tracked in flight (0: 4096) */
} mw_imap_sess_cfg;

typedef struct mw_imap_sess {
    mw_imap_sess_cfg cfg;
    /* Read-only for the caller. */
    mw_imap_sstate state;
    const mw_imap_command_rec *selected; /* the SELECT/EXAMINE in effect */
    uint64_t uidvalidity;
    uint32_t exists;
    unsigned n_inflight;
    unsigned forgotten;     /* commands dropped at the limit, no completion seen for them */
    bool compressed;        /* COMPRESS accepted: both directions are deflate */
    uint8_t start;          /* MW_IMAP_START_*: how the capture began */
    bool inferred;          /* state was inferred from a mid-stream start */
    bool known;             /* a LOGIN or AUTHENTICATE completion fixed the state */
    uint8_t starttls;       /* 0, 1 STARTTLS sent, 2 accepted */
    const mw_imap_command_rec *auth;  /* AUTHENTICATE under way */
    const mw_imap_command_rec *idle;  /* IDLE under way */
    /* Private. */
    mw_imap_frame fr[2];
    mw_imap_literal_rec *lit[2];
    mw_imap_command_rec *sending;     /* the client's last command */
    uint8_t line_kind[2];
    uint16_t cmd[2];
    bool await_plus;
    mw_imap_command_rec **inflight;
    unsigned inflight_cap;
} mw_imap_sess;

void mw_imap_sess_init(mw_imap_sess *s, const mw_imap_sess_cfg *cfg);
/* Gives back what the session allocated (cfg.release); records stay. */
void mw_imap_sess_free(mw_imap_sess *s);

/* Feed buf[0..len) of direction dir (bytes out of TLS: tls).  Emits a record
 * per text line, literal chunk and compressed run; returns the bytes
 * consumed.  The rest is an unfinished text line: feed it again at the start
 * of the next buffer of that direction.  *mid_line (may be NULL): in, the
 * buffer starts in the middle of a line; out, the next one will. */
size_t mw_imap_sess_feed(mw_imap_sess *s, int dir, const uint8_t *buf, size_t len, bool tls,
                         const mw_imap_when *when, bool *mid_line, mw_imap_emit_fn emit,
                         void *opaque);

/* After COMPRESS: feed the inflated octets of direction dir (the caller
 * inflates, core/imap/imap_inflate.h), framed and recorded like plain ones.
 * Offsets in the records are in buf; the unconsumed rest is an unfinished
 * line to feed again in front of the next inflated octets. */
size_t mw_imap_sess_feed_inflated(mw_imap_sess *s, int dir, const uint8_t *buf, size_t len,
                                  bool tls, const mw_imap_when *when, mw_imap_emit_fn emit,
                                  void *opaque);

/* missing bytes of direction dir were lost before its next buffer. */
void mw_imap_sess_gap(mw_imap_sess *s, int dir, uint64_t missing);

const char *mw_imap_sstate_name(mw_imap_sstate st);

#endif

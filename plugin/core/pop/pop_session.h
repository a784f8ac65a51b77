/* The POP3 session machine (RFC 1939, 2449, 2595, 5034, 6856).
 *
 * It consumes each direction's bytes in stream order, one call at a time, and
 * emits per call a list of items that say what was found: a command, a SASL
 * response, a response, a body line, a stretch of message bytes, the end of
 * a body, each with its span in the call's buffer and the facts a reader needs
 * (anomalies as flags, the command matched, derived values).  It decides
 * everything; whoever shows the items never runs it again.
 *
 * Commands and responses are matched through a FIFO of outstanding commands
 * (clients may pipeline, RFC 2449).  Capture started mid-session: until the
 * greeting is seen the session state is unknown and nothing is flagged as out
 * of state.  A server line that is neither +OK nor -ERR while no command is
 * outstanding can only be the body of a multiline response whose command was
 * not captured: it opens an "unknown" body that ends at its '.' line.
 *
 * Everything that outlives a call (items, exchanges, bodies, the kept message)
 * is allocated through the caller's allocator, so the caller decides its
 * lifetime; the machine never frees.  Links to later calls (the response of a
 * command, the end of a body) are written into the shared objects
 * (mw_pop_exchange, mw_pop_multi) when the later call is fed.
 */
#ifndef MAILWIRE_CORE_POP_SESSION_H
#define MAILWIRE_CORE_POP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/body/dataend.h"
#include "core/pop/pop_syntax.h"
#include "core/text/lines.h"

typedef struct mw_pop_alloc {
    void *(*alloc)(void *ud, size_t n); /* zeroed memory */
    void *(*realloc)(void *ud, void *p, size_t n);
    void *ud;
} mw_pop_alloc;

/* Session states of RFC 1939; UNKNOWN when the capture starts mid-session. */
typedef enum mw_pop_state {
    MW_POP_STATE_UNKNOWN = 0, MW_POP_STATE_AUTHORIZATION, MW_POP_STATE_TRANSACTION,
    MW_POP_STATE_UPDATE,
} mw_pop_state;

/* A command and its response. */
typedef struct mw_pop_exchange {
    uint32_t req_frame;
    uint32_t resp_frame; /* 0 until the response is fed */
    int64_t req_secs;    /* the command's capture time */
    int32_t req_nsecs;
} mw_pop_exchange;

/* A multiline response: its end is filled in when fed. */
typedef struct mw_pop_multi {
    uint32_t start_frame;
    uint32_t end_frame;    /* frame of the '.' line (or the cut), 0 until seen */
    uint32_t lines;        /* body lines, once ended */
    bool unterminated;     /* cut short by a status line, no '.' */
    bool view_skipped;     /* RETR/TOP larger than the view limit: not kept */
    uint8_t *msg;          /* RETR/TOP: the unstuffed message */
    size_t msg_len, msg_cap;
    void *user;            /* the caller's own: what it made of the finished message */
} mw_pop_multi;

/* Credentials facts of a command or SASL response, as they stand after it. */
typedef struct mw_pop_auth {
    uint8_t mech;          /* mw_sasl_mech of the exchange */
    uint8_t step;          /* client responses before this one */
    const char *user;      /* the user name known after this line ("" if none) */
    uint32_t user_frame;   /* where it was seen (0: nowhere) */
} mw_pop_auth;

typedef enum mw_pop_item_kind {
    MW_POP_ITEM_COMMAND = 0, /* a command line */
    MW_POP_ITEM_SASL,        /* a client line inside AUTH: a SASL response or "*" */
    MW_POP_ITEM_RESPONSE,    /* a status line (or a line where one is due) */
    MW_POP_ITEM_BODY_LINE,   /* a line of a listing-type body */
    MW_POP_ITEM_BODY_PARTIAL,/* the capture's first server line, inside a body */
    MW_POP_ITEM_BODY_CUT,    /* a listing ended by a status line, without '.' */
    MW_POP_ITEM_BODY_DATA,   /* RETR/TOP bytes of this call */
    MW_POP_ITEM_BODY_END,    /* the '.' line: the body's facts */
    MW_POP_ITEM_LINE_REST,   /* a later piece of a line longer than max_carry: state holds
                                the kind of its first piece, cmd its command, n its frame */
} mw_pop_item_kind;

/* Item flags: anomalies and facts. */
enum {
    MW_POP_F_UNKNOWN_CMD = 1u << 0,   /* command: not a known verb */
    MW_POP_F_OUT_OF_STATE = 1u << 1,  /* command: not valid in item.state */
    MW_POP_F_DELETED = 1u << 2,       /* command: on message item.msg, deleted earlier */
    MW_POP_F_FIFO_FULL = 1u << 3,     /* command: too many outstanding, not matched */
    MW_POP_F_STLS_INJECTION = 1u << 4,/* plaintext after STLS, before TLS */
    MW_POP_F_GREETING = 1u << 5,      /* response: the greeting */
    MW_POP_F_UNMATCHED = 1u << 6,     /* response: nothing outstanding */
    MW_POP_F_UNEXPECTED = 1u << 7,    /* response: neither +OK nor -ERR where one is due */
    MW_POP_F_CHALLENGE = 1u << 8,     /* response: a SASL challenge */
    MW_POP_F_MATCHED = 1u << 9,       /* response: answers item.cmd (ex may be NULL) */
    MW_POP_F_STLS_OK = 1u << 10,      /* response: +OK to STLS, TLS follows */
    MW_POP_F_OCTETS = 1u << 11,       /* response: item.octets announced; end: likewise */
    MW_POP_F_MULTILINE = 1u << 12,    /* response: opens the body item.ml */
    MW_POP_F_FIRST_IN_CALL = 1u << 13,/* body line: the call's first */
    MW_POP_F_UNKNOWN_BODY = 1u << 14, /* body line: first of a body of no captured command */
    MW_POP_F_CANCELLED = 1u << 15,    /* SASL: "*" */
    MW_POP_F_BAD_ENTRY = 1u << 16,    /* body line: not a LIST/UIDL entry */
    MW_POP_F_STAT_MISMATCH = 1u << 17,/* end: entries differ from STAT */
    MW_POP_F_LIST_SIZE = 1u << 18,    /* end: size differs from LIST's (end.list_size) */
    MW_POP_F_MESSAGE = 1u << 19,      /* end: a RETR/TOP message */
    MW_POP_F_PIPELINING = 1u << 20,   /* body line: CAPA PIPELINING */
    MW_POP_F_BEFORE_CMD = 1u << 21,   /* response: begun (item.began) before the command
                                         due (item.cmd, item.ex) was sent: answers nothing */
    MW_POP_F_RESYNC = 1u << 22,       /* command: the one before (item.retired) got no
                                         status line, yet the server spoke: taken as answered */
};

/* The facts of a finished body. */
typedef struct mw_pop_end {
    uint32_t lines, stuffed, bare_dot;
    uint32_t entries;       /* LIST/UIDL entries */
    int64_t stat_expect;    /* STAT_MISMATCH: what STAT implied */
    uint64_t size;          /* MESSAGE: unstuffed size */
    uint64_t octets;        /* OCTETS: announced */
    uint32_t msg;           /* RETR/TOP message number */
    uint32_t list_size;     /* LIST_SIZE: LIST's size of it */
} mw_pop_end;

/* A line longer than max_carry, read in pieces: filled in when its last
 * piece is fed, so that its first piece can show it. */
typedef struct mw_pop_linelen {
    uint64_t length;       /* octets, line end included */
    uint32_t end_frame;    /* frame of its last piece (0 until then) */
} mw_pop_linelen;

typedef struct mw_pop_item {
    uint8_t kind;          /* mw_pop_item_kind */
    uint8_t cmd;           /* mw_pop_cmd: the command, the one answered, the body's */
    uint8_t state;         /* command: mw_pop_state when sent; response: mw_pop_status */
    uint8_t cls;           /* end: terminator row (core/body/dataend.h) */
    uint8_t nev;           /* candidates in ev (at most MW_POP_MAX_EVENTS; past that
                              the last slot holds the latest) */
    uint32_t flags;        /* MW_POP_F_* */
    size_t off;            /* span in the call's buffer */
    mw_line line;          /* lines: content, line end; data/end: len only */
    bool fragment;         /* an over-long line's fragment */
    bool continued;        /* continues a fragment */
    uint32_t n;            /* command: outstanding before it; body line: entry number;
                              data: line ends; end: lines */
    uint32_t msg;          /* command: the deleted message (DELETED) */
    uint64_t octets;       /* response: announced octets (OCTETS) */
    size_t octets_len;     /* response: the number's bytes at the text start */
    mw_pop_exchange *ex;   /* command, response: the exchange */
    mw_pop_multi *ml;      /* response (MULTILINE), end, data: the body */
    mw_pop_auth *auth;     /* command (USER, PASS, APOP, AUTH), SASL, challenge */
    mw_dataend_event *ev;  /* body line, data: candidate rows that do not end the body
                              (body offsets; one may begin before the item) */
    uint64_t body_off;     /* body line, data: body offset of the item's first byte */
    mw_pop_end *end;       /* end */
    uint32_t began;        /* response (BEFORE_CMD, GREETING): the frame the line began in */
    uint8_t retired;       /* command (RESYNC): the command taken as answered */
    uint32_t retired_frame;/* ... and its frame */
    bool first_cmd;        /* response (BEFORE_CMD): item.cmd is the session's first command */
    mw_pop_linelen *longline; /* the first and later pieces of a line longer than max_carry */
} mw_pop_item;

/* One call's items, in stream order. */
typedef struct mw_pop_call {
    mw_pop_item *items;
    uint32_t nitems;
    size_t consumed;       /* bytes the call consumed */
} mw_pop_call;

/* What the caller tells about a call. */
typedef struct mw_pop_input {
    int server;            /* 1: server to client */
    bool tls;              /* the bytes came out of TLS */
    bool mid_line;         /* the engine's flag: the first bytes continue a fragment */
    uint64_t stream_offset;/* this direction's stream offset of buf[0] */
    uint32_t frame;
    uint32_t line_from;    /* the frame buf's first line began in (0: this one) */
    int64_t secs;          /* capture time */
    int32_t nsecs;
    uint64_t view_max;     /* RETR/TOP larger than this are not kept; 0 = no limit */
    size_t max_carry;      /* a line longer than this without an end comes as a fragment */
} mw_pop_input;

#define MW_POP_FIFO_LEN 32
#define MW_POP_MAX_EVENTS 64
#define MW_POP_MAX_DELETED 32
#define MW_POP_MAX_NAME 64

typedef struct mw_pop_pending {
    uint8_t cmd;           /* mw_pop_cmd */
    uint8_t nargs;
    bool multiline;        /* a +OK to it opens a multiline body */
    uint32_t msg;          /* first argument as a number */
    mw_pop_exchange *ex;
} mw_pop_pending;

typedef enum mw_pop_body_kind {
    MW_POP_BODY_LINES = 0, /* listings, CAPA, mechanism lists, unknown: line by line */
    MW_POP_BODY_MESSAGE,   /* RETR, TOP: consumed as bytes */
} mw_pop_body_kind;

/* The conversation state; zero it and call mw_pop_session_init. */
typedef struct mw_pop_session {
    mw_pop_alloc a;
    mw_pop_pending fifo[MW_POP_FIFO_LEN];
    uint8_t fifo_head, fifo_count;
    uint8_t state;           /* mw_pop_state */
    bool greeted, client_spoke, pipelining;
    bool server_after_front; /* server lines came that did not answer the front command */
    uint32_t ncommands;      /* commands seen */

    /* multiline body in progress */
    bool ml_active;
    uint8_t ml_cmd, ml_kind;
    uint32_t ml_msg;
    bool ml_octets_known;
    uint64_t ml_octets;
    uint32_t ml_entries;
    mw_dataend_state body;   /* the dot-body scanner, POP's line-reader policy */
    uint32_t body_lines;     /* line ends of the body so far */
    mw_pop_multi *ml;

    /* cross-checks */
    bool stat_known;
    uint32_t stat_count;
    uint8_t stat_deleted_base;
    uint32_t *sizes;         /* the latest LIST listing: size by message number */
    uint32_t sizes_cap;
    bool sizes_valid;
    uint32_t deleted[MW_POP_MAX_DELETED];
    uint8_t ndeleted;

    /* credentials */
    char user[MW_POP_MAX_NAME];
    const char *user_kept;   /* the caller-allocated copy of user */
    uint32_t user_frame;
    uint8_t sasl, sasl_step;
    bool sasl_active;

    /* STLS */
    bool stls_requested, stls_started;

    /* a line longer than max_carry in progress, per direction ([1]: server):
     * its first piece was dissected as what it is; the later ones are only
     * counted, never taken for new lines */
    struct {
        bool open;
        uint8_t kind, cmd;   /* the first piece's item kind and command */
        uint32_t first_frame;
        uint64_t len;        /* octets so far, line end excluded */
        mw_pop_linelen *rec;
    } ll[2];
} mw_pop_session;

void mw_pop_session_init(mw_pop_session *s, const mw_pop_alloc *a);

/* Feed one call's bytes buf[0..len) of one direction.  Returns the bytes
 * consumed; the rest is an incomplete line to hand back, prefixed to the next
 * call's bytes.  *mid_line receives the line reader's flag for the next call.
 * The call's items go to *out (allocated through the allocator). */
size_t mw_pop_session_feed(mw_pop_session *s, const uint8_t *buf, size_t len,
                           const mw_pop_input *in, mw_pop_call *out, bool *mid_line);

const char *mw_pop_state_name(mw_pop_state s);

#endif

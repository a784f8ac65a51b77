/* End-of-DATA classification for dot-terminated bodies (SMTP DATA, POP3
 * multiline responses).
 *
 * RFC 5321 4.1.1.4 ends the body only on <CR><LF>.<CR><LF>, but lenient
 * receivers end it on other byte sequences too, and SMTP smuggling hides a
 * second transaction behind one of them.  This scanner reads the body as it
 * arrives, in chunks split anywhere, and reports every candidate terminator of
 * the smuggling catalogue (classes 1-12) and the strict end (class 0), with
 * absolute 64-bit body offsets (offset 0 is the first byte after the reply
 * that opened the body).  It also counts line-level anomalies and can copy the
 * body out with the stuffing dots removed (RFC 5321 4.5.2).
 *
 * Naming rule: every candidate contains exactly one dot, and each dot is named
 * by the longest catalogue row whose bytes stand literally around it; no two
 * rows of equal length can match the same dot, so the name is unique.  Thus
 * <CR><LF>.<CR><LF> is class 0 only (not 2 or 8), <CR><LF>.<LF> is 3 (not 1),
 * <CR>.<CR><LF> is 7 (not 4), <CR><CR><LF>.<CR><CR><LF> is 12 (not 11).  An
 * event's bytes always equal its row's bytes, except at the body start (see
 * MW_DATAEND_AT_START).  <LF>.<CR><CR><LF> matches no longer row than 6, so it
 * is class 6 with length 3.
 *
 * The body starts after a CRLF (the command or status line's), so a body that
 * begins with ".<CR><LF>" is the strict end of an empty message (with
 * start_lf set, after a bare LF).
 *
 * Policies: SMTP's receiver ends the body only at row 0 (the zero state).  A
 * POP3 client reads lines split at LF and ends the body at a line that is
 * exactly "." (MW_DATAEND_POLICY_LINES): rows 0-3 all end it; every other row
 * is a candidate, and a line-start dot that does not end the body is dropped
 * as a stuffing dot, as such a reader does.
 *
 * Lines, for the counters and for unstuffing, end at LF (after CR or bare); a
 * bare CR does not end a line.  A line-start dot that is not part of a
 * candidate terminator is a stuffing dot: it is counted and removed from the
 * unstuffed copy.  A dot that is part of a non-strict candidate stays in the
 * copy, since a strict receiver keeps those bytes as content.
 */
#ifndef MAILWIRE_CORE_DATAEND_H
#define MAILWIRE_CORE_DATAEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Catalogue rows 0-12 (reference: smtp-smuggling.md). */
enum {
    MW_DATAEND_STRICT = 0,      /* <CR><LF>.<CR><LF> */
    MW_DATAEND_LF_LF = 1,       /* <LF>.<LF> */
    MW_DATAEND_LF_CRLF = 2,     /* <LF>.<CR><LF> */
    MW_DATAEND_CRLF_LF = 3,     /* <CR><LF>.<LF> */
    MW_DATAEND_CR_CR = 4,       /* <CR>.<CR> */
    MW_DATAEND_CR_LF = 5,       /* <CR>.<LF> */
    MW_DATAEND_LF_CR = 6,       /* <LF>.<CR> */
    MW_DATAEND_CR_CRLF = 7,     /* <CR>.<CR><LF> */
    MW_DATAEND_CRLF_CR = 8,     /* <CR><LF>.<CR> */
    MW_DATAEND_NUL_BEFORE = 9,  /* <CR><LF><NUL>.<CR><LF> */
    MW_DATAEND_NUL_AFTER = 10,  /* <CR><LF>.<NUL><CR><LF> */
    MW_DATAEND_CRLF_CRCRLF = 11, /* <CR><LF>.<CR><CR><LF> */
    MW_DATAEND_CRCRLF_CRCRLF = 12, /* <CR><CR><LF>.<CR><CR><LF> */
    MW_DATAEND_NCLASSES = 13,
};

/* Event flags. */
enum {
    /* Some leading bytes of the row are the CRLF that precedes the body, so
     * the event starts at offset 0 and is shorter than its row. */
    MW_DATAEND_AT_START = 1u << 0,
    /* Reported by mw_dataend_finish: the stream ended right after it. */
    MW_DATAEND_AT_EOF = 1u << 1,
};

typedef struct mw_dataend_event {
    uint64_t offset; /* absolute body offset of the event's first byte */
    uint8_t cls;     /* MW_DATAEND_* class, 0-12 */
    uint8_t len;     /* bytes, at most 7 */
    uint8_t flags;   /* MW_DATAEND_AT_* */
} mw_dataend_event;

/* Per-message facts, updated as bytes are fed.  Saturate at UINT32_MAX. */
typedef struct mw_dataend_counts {
    uint32_t bare_cr;     /* CR not followed by LF */
    uint32_t bare_lf;     /* LF not preceded by CR */
    uint32_t nul;         /* NUL bytes */
    uint32_t long_lines;  /* lines over 998 octets, line end excluded */
    uint32_t dot_stuffed; /* line-start dots removed by unstuffing */
    uint32_t by_class[MW_DATAEND_NCLASSES]; /* candidates seen, per class */
    uint32_t dot_single;  /* of dot_stuffed: dots not followed by a second dot (".x") */
} mw_dataend_counts;

/* Where the body ends (mw_dataend_state.policy). */
enum {
    MW_DATAEND_POLICY_STRICT = 0, /* SMTP: row 0 only */
    MW_DATAEND_POLICY_LINES = 1,  /* POP3 line reader: rows 0-3 */
};

/* Caller-owned, zero-initialised before the body's first byte; one per body. */
typedef struct mw_dataend_state {
    uint64_t pos;        /* absolute offset of the next byte */
    uint64_t line_len;   /* bytes of the current line so far */
    int hist[3];         /* last three bytes, hist[0] newest; -1 none; zero state = body start */
    bool started;        /* hist holds real bytes or the virtual CRLF */
    bool pending;        /* a dot at dot_pos waits for the bytes after it */
    bool holding;        /* the pending dot starts a line: it and its post bytes are held back */
    bool done;           /* the strict end was seen */
    bool finished;       /* mw_dataend_finish ran */
    uint8_t pre;         /* what precedes the pending dot (internal kind) */
    uint8_t npost;       /* bytes after the pending dot seen so far */
    uint8_t post[3];     /* those bytes */
    uint64_t dot_pos;    /* absolute offset of the pending dot */
    uint64_t end_offset; /* when done: absolute offset just past the strict end */
    mw_dataend_counts counts;
    /* set before the first byte: */
    uint8_t policy;      /* MW_DATAEND_POLICY_* */
    bool start_lf;       /* the line before the body ended in a bare LF, not CRLF */
} mw_dataend_state;

typedef enum mw_dataend_status {
    MW_DATAEND_NEED_MORE = 0, /* whole chunk consumed, no strict end yet */
    MW_DATAEND_PAUSED,        /* the event array or output buffer filled up: feed buf+consumed again */
    MW_DATAEND_END,           /* strict end found; bytes after `consumed` are commands again */
} mw_dataend_status;

typedef struct mw_dataend_result {
    mw_dataend_status status;
    size_t consumed; /* bytes of buf processed */
    size_t nevents;  /* events written to ev[] */
    size_t out_len;  /* bytes written to out[] */
} mw_dataend_result;

/* The most bytes one input byte can release into the unstuffed output: three
 * held-back bytes plus itself. */
#define MW_DATAEND_OUT_SLACK 4

/* Feed buf[0..len), the next bytes of the body, in order.
 *
 * Events (candidates and the strict end) are written to ev[0..ev_cap) in body
 * order; ev may be NULL with ev_cap 0, in which case candidates are only
 * counted.  With ev_cap > 0 the scan pauses right after the byte that fills
 * the array, so each call returns at least that many fresh bytes of progress
 * and the whole body is scanned once (linear time).
 *
 * out, if not NULL, receives the body's content with stuffing dots removed and
 * without the strict end's ".<CR><LF>" (its leading CRLF ends the last line
 * and is content).  Bytes that may be a terminator are held back in the state
 * until decided, so output may lag input by up to three bytes.  The scan
 * pauses when fewer than MW_DATAEND_OUT_SLACK bytes of out remain; give out
 * at least len + MW_DATAEND_OUT_SLACK bytes to never pause on output.
 *
 * After MW_DATAEND_END every call consumes nothing and returns END. */
mw_dataend_result mw_dataend_feed(mw_dataend_state *st, const uint8_t *buf, size_t len,
                                  mw_dataend_event *ev, size_t ev_cap,
                                  uint8_t *out, size_t out_cap);

/* The stream ended (connection closed) before a strict end.  Decides a dot
 * still waiting for bytes after it: writes at most one event (flag AT_EOF)
 * to ev and returns how many; releases held bytes to out (at most 3; the
 * count is stored in *out_len, which may be NULL when out is NULL) and counts
 * a final bare CR.  Later calls do nothing; later feeds are not meaningful. */
size_t mw_dataend_finish(mw_dataend_state *st, mw_dataend_event *ev, size_t ev_cap,
                         uint8_t *out, size_t out_cap, size_t *out_len);

/* Absolute body offset of the event's dot. */
uint64_t mw_dataend_event_dot(const mw_dataend_event *e);

/* Whether the class ends the body under the state's policy (END is
 * returned for it, like for row 0 under the strict policy). */
bool mw_dataend_ends(const mw_dataend_state *st, int cls);

/* "<CR><LF>.<CR><LF>" and so on; NULL outside 0-12. */
const char *mw_dataend_class_bytes(int cls);

/* Who has taken the class as end of data, from the catalogue; NULL outside 0-12. */
const char *mw_dataend_class_who(int cls);

#endif

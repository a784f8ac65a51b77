/* IMAP framing: text lines and the literals between them, across segments.
 *
 * RFC 9051 section 2.2: a command or response is a "logical line" made of
 * text lines; a text line that ends in a literal header ({n}, {n+}, {n-},
 * ~{n}) is followed by exactly n octets, then the same logical line goes on
 * with more text.  The logical line ends at a line end not preceded by a
 * literal header.
 *
 * The framer is a pull parser over a caller-owned, zero-initialised state.
 * Each call returns one event; the caller drives it like this:
 *
 *     size_t pos = 0;
 *     mw_imap_event ev;
 *     while (mw_imap_frame_next(&st, buf, len, &pos, &ev) != MW_IMAP_EV_NEED_MORE)
 *         handle(&ev);            // spans are offsets into buf
 *     // bytes buf[pos..len) are an unfinished text line: feed them again,
 *     // followed by more bytes, as the start of the next buffer.
 *
 * Literal octets are consumed as they come (partial spans are events of
 * their own), so a large literal is never held back.  An unfinished text line
 * is not consumed; the state remembers how much of it was already scanned,
 * so re-feeding it does not rescan it and the whole stream costs linear time.
 *
 * A text line that grows to max_line bytes without a line end (when set) is
 * delivered as a fragment and consumed, so an unbounded line never has to be
 * held; the text after it is marked as continuing it.
 *
 * Limitations: a synchronizing literal that the server refuses (tagged NO or
 * BAD instead of "+") is never sent; the framer cannot see that, so the
 * caller calls mw_imap_frame_cancel_literal() when it does.
 */
#ifndef MAILWIRE_CORE_IMAP_FRAME_H
#define MAILWIRE_CORE_IMAP_FRAME_H

#include "core/imap/imap_literal.h"
#include "core/text/lines.h"

typedef struct mw_imap_frame {
    /* Settings: set before the first call, zero means the default. */
    uint64_t max_literal; /* sizes above this are "insane" and not followed (0: no bound) */
    unsigned scan_opts;   /* MW_SCAN_* for text lines */
    size_t max_line;      /* a pending line this long is delivered as a fragment (0: never) */

    /* Public: the next text starts in the middle of a line (after a fragment;
     * the caller sets it when bytes before the next ones were lost). */
    bool mid_line;

    /* Private. */
    bool in_literal;      /* literal octets are expected next */
    uint64_t lit_left;    /* octets of the current literal still to come */
    uint64_t lit_size;    /* the current literal's declared size */
    unsigned segment;     /* text lines seen so far in the current logical line */
    size_t scanned;       /* bytes of the pending text line already scanned */
    unsigned scan_flags;  /* MW_LINE_* of those bytes */
} mw_imap_frame;

typedef enum mw_imap_ev {
    MW_IMAP_EV_NEED_MORE = 0, /* nothing more in this buffer */
    MW_IMAP_EV_TEXT,          /* a complete text line */
    MW_IMAP_EV_LITERAL,       /* literal octets, possibly only part of them */
} mw_imap_ev;

typedef struct mw_imap_event {
    mw_imap_ev kind;
    size_t off, len;     /* TEXT: content, line end excluded; LITERAL: the octets */
    /* TEXT only. */
    size_t eol_len;
    mw_eol eol;
    unsigned line_flags; /* MW_LINE_* */
    unsigned segment;    /* 0 for the first text line of a logical line */
    mw_imap_lit lit;     /* the literal header ending this text, status ABSENT if none */
    bool line_end;       /* TEXT: this text line ends the logical line */
    bool fragment;       /* TEXT: no line end: part of an over-long line (no literal header) */
    bool continued;      /* TEXT: this text continues a fragment or follows lost bytes */
    /* LITERAL only. */
    uint64_t lit_size;   /* the literal's declared size */
    uint64_t lit_left;   /* octets still to come after this event */
    bool lit_end;        /* this event completes the literal */
} mw_imap_event;

/* Produce the next event from buf[*pos..len) and advance *pos past it.
 * TEXT: a whole line.  If it ends in a literal header with status OK, the next
 * events are LITERAL ones (a {0} literal yields one empty LITERAL event with
 * lit_end set, even with no bytes left); any other status ends the logical
 * line (line_end set), since no peer follows a malformed or insane count.
 * LITERAL: min(remaining, available) octets, at least one unless the literal
 * is empty.  NEED_MORE: *pos is left at the start of an unfinished text line
 * (or at len); ev->len tells how many bytes of it are buffered.
 * The next call must pass a buffer that starts with the bytes at *pos. */
mw_imap_ev mw_imap_frame_next(mw_imap_frame *st, const uint8_t *buf, size_t len, size_t *pos,
                              mw_imap_event *ev);

/* Octets the framer needs before it can say more: the literal's remaining
 * count, or 0 when it waits for a line end (length unknown). */
uint64_t mw_imap_frame_wanted(const mw_imap_frame *st);

/* Bytes of the stream were lost before the next buffer: a literal's count
 * goes on (its octets were among them) or ends, and an unfinished text line
 * is dropped (the next buffer must not start with it); the logical line is
 * over unless the literal goes on.  The next text is marked continued. */
void mw_imap_frame_gap(mw_imap_frame *st, uint64_t missing);

/* Drop the expected literal and end the logical line: for a synchronizing
 * literal the server refused.  No effect outside a literal. */
void mw_imap_frame_cancel_literal(mw_imap_frame *st);

#endif

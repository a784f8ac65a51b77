/* The body of a POP3 multiline response, read as it arrives.
 *
 * RFC 1939 ends a multiline body at a line holding only "." and has the
 * server double every other line-start dot.  Real clients read lines split at
 * LF, so a "." line ends the body whatever line ends surround it; only
 * CRLF "." CRLF is correct.  This scanner takes the body in chunks split
 * anywhere (one byte at a time if need be), keeps a few bits of state between
 * them, and reports:
 *   - the end: the first line that is exactly "." ended by CRLF or a bare
 *     LF, with its class (named as in the end-of-DATA catalogue, rows 0-3);
 *   - candidates that some readers take as an end but line readers do not
 *     (rows 4-8 and 11: dots next to bare CRs);
 *   - body lines, stuffed dots, single line-start dots, bare LFs and CRs;
 *   - optionally the body with the stuffing dots removed, for the message.
 * No byte is read twice, so a body costs time linear in its size.
 */
#ifndef MAILWIRE_CORE_POP_BODY_H
#define MAILWIRE_CORE_POP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* End and candidate classes (rows of the end-of-DATA catalogue). */
enum {
    MW_POP_END_STRICT = 0,   /* <CR><LF>.<CR><LF> */
    MW_POP_END_LF_LF = 1,    /* <LF>.<LF> */
    MW_POP_END_LF_CRLF = 2,  /* <LF>.<CR><LF> */
    MW_POP_END_CRLF_LF = 3,  /* <CR><LF>.<LF> */
    MW_POP_CAND_CR_CR = 4,   /* <CR>.<CR> */
    MW_POP_CAND_CR_LF = 5,   /* <CR>.<LF> */
    MW_POP_CAND_LF_CR = 6,   /* <LF>.<CR> followed by neither LF nor CR */
    MW_POP_CAND_CRLF_CR = 8, /* <CR><LF>.<CR> followed by neither LF nor CR */
    MW_POP_CAND_CRLF_CRCRLF = 11, /* <CR><LF>.<CR><CR>: ".<CR><CR><LF>" folded by some readers */
};

typedef struct mw_pop_body_event {
    uint64_t offset; /* body offset of the dot */
    uint8_t cls;     /* MW_POP_CAND_* */
} mw_pop_body_event;

/* Flat state; zero it, then call mw_pop_body_init, before the first byte. */
typedef struct mw_pop_body {
    uint64_t pos;         /* body bytes consumed so far */
    uint64_t dot_pos;     /* offset of a held line-start dot */
    uint32_t lines;       /* body lines ended so far (the "." line excluded) */
    uint32_t stuffed;     /* ".." line starts undone */
    uint32_t bare_dot;    /* ".x" line starts (x not a dot): the dot is dropped as stuffing */
    uint32_t bare_lf;     /* LF without CR before it */
    uint32_t bare_cr;     /* CR without LF after it */
    uint32_t candidates;  /* candidate events */
    uint8_t dot;          /* 0 none, 1 "." held at line start, 2 ".<CR>" held */
    bool line_start;
    bool prev_crlf;       /* the previous line (or the status line) ended in CRLF */
    bool cr;              /* the last byte was a CR */
    bool cr_dot;          /* the last two bytes were a bare CR and a dot */
    bool ended;
} mw_pop_body;

typedef struct mw_pop_body_result {
    size_t consumed;   /* bytes of the chunk read */
    size_t out_len;    /* bytes written to out */
    size_t nevents;    /* candidate events written */
    bool end;          /* the end was found: consumed stops right after it */
    uint8_t end_class; /* MW_POP_END_* */
    uint64_t end_offset; /* body offset of the end's dot */
} mw_pop_body_result;

/* status_crlf: the status line that opened the body ended in CRLF. */
void mw_pop_body_init(mw_pop_body *st, bool status_crlf);

/* Feed the next chunk.  out (may be NULL) receives the unstuffed content and
 * needs room for len + 1 bytes (a held CR may be released).  The scan stops
 * after the end, or after the byte that fills ev[0..ev_cap) (feed the rest
 * again). */
mw_pop_body_result mw_pop_body_feed(mw_pop_body *st, const uint8_t *buf, size_t len, uint8_t *out,
                                    mw_pop_body_event *ev, size_t ev_cap);

/* "<CR><LF>.<CR><LF>" etc. for the classes above; "?" otherwise. */
const char *mw_pop_body_class_bytes(unsigned cls);

#endif

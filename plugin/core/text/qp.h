/* Streaming quoted-printable decoding of MIME bodies (RFC 2045 6.7), with
 * every deviation reported as a flag.
 *
 * Decoding follows the RFC's advice to readers: "=XY" gives the byte, "="
 * before a line end (optionally after transport whitespace) is a soft line
 * break, trailing whitespace of a line is dropped, and a malformed "=" is
 * kept literally.  Hard line ends are kept as written (CRLF, or a bare LF).
 * A body ending in "=" ends in a soft break (the last line end belongs to
 * the MIME delimiter).  State is bounded: feed a body in chunks of any size.
 */
#ifndef MAILWIRE_CORE_QP_H
#define MAILWIRE_CORE_QP_H

#include <stddef.h>
#include <stdint.h>

/* Deviation flags. */
enum {
    MW_QP_BAD_ESCAPE = 1u << 0,  /* "=" not followed by two hex digits or a line end: kept as is */
    MW_QP_BAD_CHAR = 1u << 1,    /* a control byte, bare CR or 8-bit byte left unencoded */
    MW_QP_LOWER_HEX = 1u << 2,   /* "=3d": lower-case hex (accepted) */
    MW_QP_LONG_LINE = 1u << 3,   /* an encoded line longer than 76 characters */
    MW_QP_TRAILING_WS = 1u << 4, /* whitespace at a line end (dropped) */
    MW_QP_BARE_LF = 1u << 5,     /* a line ended by LF alone */
};
/* The flags that make a body "bad quoted-printable". */
#define MW_QP_ERRORS (MW_QP_BAD_ESCAPE | MW_QP_BAD_CHAR)

/* Whitespace held back until the line shows whether it is trailing. */
#define MW_QP_WS_HOLD 128

typedef struct mw_qp_stream {
    uint8_t state;  /* internal */
    uint8_t hex1;   /* first hex digit of a pending "=X" */
    uint16_t nws;   /* held whitespace bytes */
    uint8_t ws[MW_QP_WS_HOLD];
    uint32_t line;  /* characters on the current encoded line */
    unsigned flags; /* MW_QP_* */
} mw_qp_stream;

void mw_qp_stream_init(mw_qp_stream *s);

/* Decodes in[0..len) into out and returns the bytes written.  out must hold
 * MW_QP_OUT_MAX(len) bytes. */
#define MW_QP_OUT_MAX(len) ((len) + MW_QP_WS_HOLD + 4)
size_t mw_qp_stream_feed(mw_qp_stream *s, const uint8_t *in, size_t len, uint8_t *out);

/* Ends the body: writes what is pending (at most MW_QP_WS_HOLD + 4 bytes). */
size_t mw_qp_stream_end(mw_qp_stream *s, uint8_t *out);

#endif

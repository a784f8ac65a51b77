/* Lenient, streaming base64 decoding of MIME bodies (RFC 2045 6.8), with
 * every deviation reported as a flag.
 *
 * What a mail reader does: line ends and whitespace are skipped, bytes
 * outside the alphabet are ignored, and data after padding starts a new
 * quantum (concatenated encodings).  The decoder does the same so the bytes
 * hashed are the bytes a reader would save, and flags each leniency.
 * State is a few bytes: feed a body in chunks of any size.
 */
#ifndef MAILWIRE_CORE_BASE64_BODY_H
#define MAILWIRE_CORE_BASE64_BODY_H

#include <stddef.h>
#include <stdint.h>

/* Deviation flags. */
enum {
    MW_B64_BAD_CHAR = 1u << 0,  /* a byte outside the alphabet, not whitespace: skipped */
    MW_B64_BAD_PAD = 1u << 1,   /* '=' where no padding can be (quantum position 0 or 1), or too many */
    MW_B64_AFTER_PAD = 1u << 2, /* data after padding: decoded as a new quantum */
    MW_B64_PARTIAL = 1u << 3,   /* the input ended inside a quantum (missing padding or bits lost) */
    MW_B64_PAD_BITS = 1u << 4,  /* non-zero bits under the padding (room to hide data) */
    MW_B64_LONG_LINE = 1u << 5, /* an encoded line longer than 76 characters */
};
/* The flags that make a body "bad base64". */
#define MW_B64_ERRORS (MW_B64_BAD_CHAR | MW_B64_BAD_PAD | MW_B64_AFTER_PAD | MW_B64_PARTIAL)

typedef struct mw_b64_stream {
    uint32_t acc;      /* bits of the current quantum */
    uint8_t q;         /* data characters in the current quantum (0..3) */
    uint8_t pads_left; /* '=' still allowed after the quantum was closed */
    uint8_t closed;    /* the quantum was closed by '=' */
    uint32_t line;     /* characters on the current encoded line */
    unsigned flags;    /* MW_B64_* */
    uint64_t bad_chars; /* bytes skipped as outside the alphabet */
} mw_b64_stream;

void mw_b64_stream_init(mw_b64_stream *s);

/* Decodes in[0..len) into out and returns the bytes written.  out must hold
 * MW_B64_OUT_MAX(len) bytes. */
#define MW_B64_OUT_MAX(len) ((len) / 4 * 3 + 6)
size_t mw_b64_stream_feed(mw_b64_stream *s, const uint8_t *in, size_t len, uint8_t *out);

/* Ends the body: writes what a partial last quantum holds (at most 2 bytes)
 * into out, sets MW_B64_PARTIAL if it was not complete. */
size_t mw_b64_stream_end(mw_b64_stream *s, uint8_t *out);

#endif

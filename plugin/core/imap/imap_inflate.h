/* COMPRESS=DEFLATE (RFC 4978): one direction's raw deflate stream, inflated
 * incrementally across the buffers it comes in.
 *
 * Each direction is one deflate stream (no zlib or gzip wrapper) that the
 * peer flushes with Z_SYNC_FLUSH at its own boundaries, which need not be
 * the capture's segment boundaries: the stream state is kept between calls.
 * Memory is zlib's: the 32 KiB window and the decoder state, whatever the
 * length of the stream.  After an error (or the end of the deflate stream)
 * nothing more is inflated.
 */
#ifndef MAILWIRE_CORE_IMAP_INFLATE_H
#define MAILWIRE_CORE_IMAP_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mw_imap_inflate mw_imap_inflate;

typedef enum mw_imap_inflate_status {
    MW_IMAP_INFLATE_OK = 0, /* all input taken; more may follow */
    MW_IMAP_INFLATE_ERROR,  /* the stream is corrupt: nothing more is inflated */
    MW_IMAP_INFLATE_END,    /* the deflate stream ended; bytes after it are not inflated */
} mw_imap_inflate_status;

/* Receives inflated octets in order, in chunks. */
typedef void (*mw_imap_inflate_out_fn)(void *opaque, const uint8_t *buf, size_t len);

/* A new stream; alloc and release (release may be NULL) back zlib's memory.
 * NULL when zlib cannot be set up. */
mw_imap_inflate *mw_imap_inflate_new(void *(*alloc)(void *opaque, size_t size),
                                     void (*release)(void *opaque, void *p), void *opaque);

/* Inflate in[0..len).  *used (may be NULL): the input octets taken before an
 * error or the stream's end (len when OK).  A stream that failed earlier
 * takes nothing and returns its status again. */
mw_imap_inflate_status mw_imap_inflate_feed(mw_imap_inflate *z, const uint8_t *in, size_t len,
                                            size_t *used, mw_imap_inflate_out_fn out,
                                            void *opaque);

/* The status so far and, after an error, zlib's message for it. */
mw_imap_inflate_status mw_imap_inflate_state(const mw_imap_inflate *z);
const char *mw_imap_inflate_error(const mw_imap_inflate *z);

/* Octets taken and given so far. */
uint64_t mw_imap_inflate_total_in(const mw_imap_inflate *z);
uint64_t mw_imap_inflate_total_out(const mw_imap_inflate *z);

/* Frees zlib's state and the stream. */
void mw_imap_inflate_free(mw_imap_inflate *z);

#endif

/* COMPRESS=DEFLATE: incremental raw inflate of one direction (imap_inflate.h). */
#include "core/imap/imap_inflate.h"

#include <string.h>
#include <zlib.h>

struct mw_imap_inflate {
    z_stream z;
    void *(*alloc)(void *opaque, size_t size);
    void (*release)(void *opaque, void *p);
    void *opaque;
    mw_imap_inflate_status status;
    uint64_t total_in, total_out;
    char err[64];
};

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    mw_imap_inflate *z = (mw_imap_inflate *)opaque;
    if (size && items > (size_t)-1 / size)
        return Z_NULL;
    return z->alloc(z->opaque, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    mw_imap_inflate *z = (mw_imap_inflate *)opaque;
    if (z->release)
        z->release(z->opaque, p);
}

mw_imap_inflate *mw_imap_inflate_new(void *(*alloc)(void *opaque, size_t size),
                                     void (*release)(void *opaque, void *p), void *opaque)
{
    mw_imap_inflate *z = (mw_imap_inflate *)alloc(opaque, sizeof *z);
    if (!z)
        return NULL;
    memset(z, 0, sizeof *z);
    z->alloc = alloc;
    z->release = release;
    z->opaque = opaque;
    z->z.zalloc = z_alloc;
    z->z.zfree = z_free;
    z->z.opaque = z;
    /* -15: raw deflate with the largest window, as RFC 4978 requires. */
    if (inflateInit2(&z->z, -15) != Z_OK) {
        if (release)
            release(opaque, z);
        return NULL;
    }
    return z;
}

mw_imap_inflate_status mw_imap_inflate_feed(mw_imap_inflate *z, const uint8_t *in, size_t len,
                                            size_t *used, mw_imap_inflate_out_fn out,
                                            void *opaque)
{
    if (used)
        *used = 0;
    if (z->status != MW_IMAP_INFLATE_OK)
        return z->status;
    uint8_t buf[16384];
    size_t taken = 0;
    while (taken < len || z->z.avail_out == 0) {
        /* avail_in is a uInt: feed huge buffers in slices. */
        size_t slice = len - taken;
        if (slice > (1u << 30))
            slice = 1u << 30;
        z->z.next_in = (Bytef *)(uintptr_t)(in + taken);
        z->z.avail_in = (uInt)slice;
        z->z.next_out = buf;
        z->z.avail_out = sizeof buf;
        int rc = inflate(&z->z, Z_SYNC_FLUSH);
        size_t got = sizeof buf - z->z.avail_out;
        size_t ate = slice - z->z.avail_in;
        taken += ate;
        z->total_in += ate;
        z->total_out += got;
        if (got)
            out(opaque, buf, got);
        if (rc == Z_STREAM_END) {
            z->status = MW_IMAP_INFLATE_END;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            z->status = MW_IMAP_INFLATE_ERROR;
            const char *m = z->z.msg ? z->z.msg : "inflate failed";
            size_t n = strlen(m);
            if (n >= sizeof z->err)
                n = sizeof z->err - 1;
            memcpy(z->err, m, n);
            z->err[n] = '\0';
            break;
        }
        /* Z_BUF_ERROR, or no progress at all: the input is used up. */
        if (rc == Z_BUF_ERROR || (ate == 0 && got == 0))
            break;
        if (z->z.avail_out != 0 && taken >= len)
            break;
    }
    if (used)
        *used = taken;
    return z->status;
}

mw_imap_inflate_status mw_imap_inflate_state(const mw_imap_inflate *z)
{
    return z->status;
}

const char *mw_imap_inflate_error(const mw_imap_inflate *z)
{
    return z->status == MW_IMAP_INFLATE_ERROR ? z->err
           : z->status == MW_IMAP_INFLATE_END ? "data after the end of the deflate stream"
                                              : NULL;
}

uint64_t mw_imap_inflate_total_in(const mw_imap_inflate *z)
{
    return z->total_in;
}

uint64_t mw_imap_inflate_total_out(const mw_imap_inflate *z)
{
    return z->total_out;
}

void mw_imap_inflate_free(mw_imap_inflate *z)
{
    if (!z)
        return;
    inflateEnd(&z->z);
    if (z->release)
        z->release(z->opaque, z);
}

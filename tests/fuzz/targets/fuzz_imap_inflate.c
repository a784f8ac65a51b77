/* COMPRESS=DEFLATE: the incremental inflater over one direction cut into
 * random chunks must give the same octets and status as over the whole
 * stream, and its output, fed to the session machine as inflated octets with
 * the unfinished line carried in front of the next chunk, must keep every
 * record inside its buffer.
 *
 * Input: byte 0 options (bit 0: deflate the payload first, so valid streams
 * are explored; bit 1: then flip one octet of it at the position in byte 2;
 * bit 2: the server direction), byte 1 the chunk size step, then the payload. */
#include "fuzz_util.h"
#include "core/imap/imap_inflate.h"
#include "core/imap/imap_session.h"

#include <zlib.h>

#define MAXALLOC 65536

typedef struct pool {
    void *p[MAXALLOC];
    size_t n;
} pool;

static void *pool_alloc(void *opaque, size_t size)
{
    pool *pl = (pool *)opaque;
    if (pl->n == MAXALLOC)
        return NULL;
    void *p = calloc(1, size ? size : 1);
    pl->p[pl->n++] = p;
    return p;
}

static void pool_free_all(pool *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        free(pl->p[i]);
    pl->n = 0;
}

typedef struct sink {
    uint8_t *buf;
    size_t len, cap;
} sink;

static void sink_put(void *opaque, const uint8_t *b, size_t n)
{
    sink *s = (sink *)opaque;
    FZ_CHECK(n > 0);
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->buf = realloc(s->buf, s->cap);
    }
    memcpy(s->buf + s->len, b, n);
    s->len += n;
}

static size_t cur_len;

static void on_rec(void *opaque, const mw_imap_rec *x)
{
    (void)opaque;
    FZ_SPAN_IN(x->off, x->len, cur_len);
    if (x->kind == MW_IMAP_REC_TEXT)
        FZ_SPAN_IN(x->off + x->len, x->eol_len, cur_len);
    FZ_CHECK(x->kind != MW_IMAP_REC_COMPRESSED);
}

static size_t deflate_payload(const uint8_t *in, size_t len, uint8_t **out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_SYNC_FLUSH);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    uint8_t opt = fz_byte(&r);
    uint8_t step = fz_byte(&r);
    uint8_t flip = fz_byte(&r);
    if (r.n > (1u << 16))
        return 0;
    uint8_t *stream = NULL;
    size_t slen;
    if (opt & 1) {
        slen = deflate_payload(r.p, r.n, &stream);
        if (!stream)
            return 0;
        if ((opt & 2) && slen)
            stream[flip % slen] ^= (uint8_t)(flip | 1);
    } else {
        stream = fz_dup(r.p, r.n);
        slen = r.n;
    }
    pool pl = {.n = 0};
    /* Whole. */
    sink whole = {0};
    mw_imap_inflate *z = mw_imap_inflate_new(pool_alloc, NULL, &pl);
    FZ_CHECK(z);
    size_t used = 0;
    mw_imap_inflate_status st = mw_imap_inflate_feed(z, stream, slen, &used, sink_put, &whole);
    FZ_CHECK(used <= slen);
    FZ_CHECK(st != MW_IMAP_INFLATE_OK || used == slen);
    FZ_CHECK(mw_imap_inflate_total_out(z) == whole.len);
    mw_imap_inflate_free(z);
    /* In chunks, each inflated chunk fed to the session machine. */
    sink parts = {0};
    z = mw_imap_inflate_new(pool_alloc, NULL, &pl);
    FZ_CHECK(z);
    mw_imap_sess sess;
    mw_imap_sess_cfg cfg = {.alloc = pool_alloc, .opaque = &pl, .max_line = 512};
    mw_imap_sess_init(&sess, &cfg);
    mw_imap_when when = {.frame = 1, .sec = 0, .nsec = 0};
    int dir = (opt & 4) ? MW_IMAP_SERVER : MW_IMAP_CLIENT;
    size_t pos = 0, fed = 0;
    size_t cut = (size_t)(step % 64) + 1;
    mw_imap_inflate_status cst = MW_IMAP_INFLATE_OK;
    while (pos < slen && cst == MW_IMAP_INFLATE_OK) {
        size_t n = slen - pos < cut ? slen - pos : cut;
        cst = mw_imap_inflate_feed(z, stream + pos, n, &used, sink_put, &parts);
        pos += used;
        /* The session sees everything not yet consumed, carry included. */
        cur_len = parts.len - fed;
        if (cur_len == 0)
            continue;
        uint8_t *copy = fz_dup(parts.buf + fed, cur_len);
        fed += mw_imap_sess_feed_inflated(&sess, dir, copy, cur_len, false, &when, on_rec, NULL);
        free(copy);
        cut = cut * 3 % 97 + 1;
    }
    FZ_CHECK(cst == st);
    FZ_CHECK(parts.len == whole.len);
    FZ_CHECK(parts.len == 0 || memcmp(parts.buf, whole.buf, parts.len) == 0);
    mw_imap_inflate_free(z);
    pool_free_all(&pl);
    free(whole.buf);
    free(parts.buf);
    free(stream);
    return 0;
}

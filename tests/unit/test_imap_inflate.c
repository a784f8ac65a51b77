/* COMPRESS=DEFLATE inflate (core/imap/imap_inflate.c): a stream made here
 * with zlib's deflate as RFC 4978 peers do (raw, window 15, Z_SYNC_FLUSH
 * after each command or response) comes back whole however it is cut; the
 * memory is zlib's window and state, whatever the stream's length; a corrupt
 * block stops the stream for good; the end of a stream is reported. */
#include "check.h"
#include "core/imap/imap_inflate.h"

#include <stddef.h>
#include <stdlib.h>
#include <zlib.h>

/* Allocations of one stream: what is held now and the most ever held. */
typedef struct heap {
    size_t now, peak;
} heap;

typedef struct block {
    size_t size;
    max_align_t align[]; /* the caller's bytes */
} block;

static void *h_alloc(void *opaque, size_t n)
{
    heap *h = (heap *)opaque;
    block *b = (block *)malloc(sizeof *b + n);
    if (!b)
        return NULL;
    b->size = n;
    h->now += n;
    if (h->now > h->peak)
        h->peak = h->now;
    return b->align;
}

static void h_release(void *opaque, void *p)
{
    heap *h = (heap *)opaque;
    block *b = (block *)((char *)p - offsetof(block, align));
    h->now -= b->size;
    free(b);
}

/* Collected output. */
typedef struct sink {
    uint8_t *buf;
    size_t len, cap, chunks, biggest;
    int keep; /* 0: only count */
} sink;

static void collect(void *opaque, const uint8_t *buf, size_t len)
{
    sink *s = (sink *)opaque;
    s->chunks++;
    if (len > s->biggest)
        s->biggest = len;
    if (s->keep) {
        if (s->len + len > s->cap) {
            s->cap = (s->len + len) * 2;
            s->buf = (uint8_t *)realloc(s->buf, s->cap);
        }
        memcpy(s->buf + s->len, buf, len);
    }
    s->len += len;
}

/* Deflate msgs one after the other into one raw stream, each ended with a
 * sync flush (finish: the last with Z_FINISH instead). */
static uint8_t *deflate_msgs(const char *const *msgs, size_t n, int finish, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    uint8_t *out = (uint8_t *)malloc(cap);
    for (size_t i = 0; i < n; i++) {
        z.next_in = (Bytef *)(uintptr_t)msgs[i];
        z.avail_in = (uInt)strlen(msgs[i]);
        int flush = finish && i + 1 == n ? Z_FINISH : Z_SYNC_FLUSH;
        do {
            if (cap - len < 4096) {
                cap *= 2;
                out = (uint8_t *)realloc(out, cap);
            }
            z.next_out = out + len;
            z.avail_out = (uInt)(cap - len);
            deflate(&z, flush);
            len = cap - z.avail_out;
        } while (z.avail_out == 0 || z.avail_in > 0);
    }
    deflateEnd(&z);
    *out_len = len;
    return out;
}

static const char *const session[] = {
    "c3 SELECT INBOX\r\n",
    "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nc3 OK [READ-WRITE] done\r\n",
    "c4 FETCH 1 (UID BODY[])\r\n",
    "* 1 FETCH (UID 1 BODY[] {26}\r\nSubject: hi\r\n\r\nA body.\r\n)\r\nc4 OK done\r\n",
    "c5 LOGOUT\r\n",
};

static size_t expected(char *buf, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof session / sizeof session[0]; i++) {
        size_t l = strlen(session[i]);
        if (n + l < cap)
            memcpy(buf + n, session[i], l);
        n += l;
    }
    return n;
}

/* Fed whole, byte by byte and in every two pieces: the same octets. */
static void test_cuts(void)
{
    size_t zlen;
    uint8_t *zs = deflate_msgs(session, sizeof session / sizeof session[0], 0, &zlen);
    char want[512];
    size_t wlen = expected(want, sizeof want);
    for (size_t cut = 0; cut <= zlen; cut++) {
        heap h = {0, 0};
        sink s = {NULL, 0, 0, 0, 0, 1};
        mw_imap_inflate *z = mw_imap_inflate_new(h_alloc, h_release, &h);
        size_t used = 0;
        CHECK(mw_imap_inflate_feed(z, zs, cut, &used, collect, &s) == MW_IMAP_INFLATE_OK);
        CHECK_EQ_INT(used, cut);
        CHECK(mw_imap_inflate_feed(z, zs + cut, zlen - cut, &used, collect, &s) == MW_IMAP_INFLATE_OK);
        CHECK_EQ_INT(used, zlen - cut);
        CHECK_EQ_INT(s.len, wlen);
        CHECK(s.len == wlen && memcmp(s.buf, want, wlen) == 0);
        CHECK_EQ_INT(mw_imap_inflate_total_in(z), zlen);
        CHECK_EQ_INT(mw_imap_inflate_total_out(z), wlen);
        CHECK(mw_imap_inflate_error(z) == NULL);
        mw_imap_inflate_free(z);
        CHECK_EQ_INT(h.now, 0);
        free(s.buf);
    }
    heap h = {0, 0};
    sink s = {NULL, 0, 0, 0, 0, 1};
    mw_imap_inflate *z = mw_imap_inflate_new(h_alloc, h_release, &h);
    for (size_t i = 0; i < zlen; i++)
        CHECK(mw_imap_inflate_feed(z, zs + i, 1, NULL, collect, &s) == MW_IMAP_INFLATE_OK);
    CHECK(s.len == wlen && memcmp(s.buf, want, wlen) == 0);
    mw_imap_inflate_free(z);
    free(s.buf);
    free(zs);
}

/* A long stream (and a bomb: 64 MiB of one octet) inflates in chunks of at
 * most 16 KiB with the memory of a short one: zlib's window and state. */
static void test_memory(void)
{
    enum { MSG = 1 << 16, N = 256 };
    char *msg = (char *)malloc(MSG + 1);
    for (size_t i = 0; i < MSG; i++)
        msg[i] = (char)('a' + (i * 7919u + i / 13u) % 26u);
    msg[MSG] = '\0';
    const char **msgs = (const char **)malloc(N * sizeof *msgs);
    for (size_t i = 0; i < N; i++)
        msgs[i] = msg;
    size_t zlen;
    uint8_t *zs = deflate_msgs(msgs, N, 0, &zlen);
    heap h = {0, 0};
    sink s = {NULL, 0, 0, 0, 0, 0};
    mw_imap_inflate *z = mw_imap_inflate_new(h_alloc, h_release, &h);
    /* one message's worth first: the memory then is all the stream will take */
    size_t first = zlen / N;
    CHECK(mw_imap_inflate_feed(z, zs, first, NULL, collect, &s) == MW_IMAP_INFLATE_OK);
    size_t early_peak = h.peak;
    for (size_t off = first; off < zlen; off += 1448) {
        size_t n = zlen - off < 1448 ? zlen - off : 1448;
        CHECK(mw_imap_inflate_feed(z, zs + off, n, NULL, collect, &s) == MW_IMAP_INFLATE_OK);
    }
    CHECK_EQ_INT(s.len, (size_t)MSG * N);
    CHECK_EQ_INT(h.peak, early_peak);
    CHECK(h.peak <= 64 * 1024); /* 32 KiB window and the decoder's state */
    CHECK(s.biggest <= 16384);
    mw_imap_inflate_free(z);
    CHECK_EQ_INT(h.now, 0);
    free(zs);
    free(msgs);

    /* 64 MiB of one octet deflate to some 64 KiB */
    enum { BOMB = 64 << 20 };
    char *same = (char *)calloc(1, (size_t)BOMB + 1);
    memset(same, 'A', BOMB);
    const char *one[] = {same};
    zs = deflate_msgs(one, 1, 0, &zlen);
    CHECK(zlen < BOMB / 256);
    heap hb = {0, 0};
    sink sb = {NULL, 0, 0, 0, 0, 0};
    z = mw_imap_inflate_new(h_alloc, h_release, &hb);
    size_t used = 0;
    CHECK(mw_imap_inflate_feed(z, zs, zlen, &used, collect, &sb) == MW_IMAP_INFLATE_OK);
    CHECK_EQ_INT(used, zlen);
    CHECK_EQ_INT(sb.len, BOMB);
    CHECK(sb.biggest <= 16384);
    CHECK(hb.peak <= 64 * 1024);
    mw_imap_inflate_free(z);
    free(zs);
    free(same);
    free(msg);
}

/* A block of the reserved type 3: an error with zlib's message; nothing is
 * taken afterwards.  A finished stream: END, and bytes after it left. */
static void test_error_and_end(void)
{
    size_t zlen;
    uint8_t *zs = deflate_msgs(session, 2, 0, &zlen);
    heap h = {0, 0};
    sink s = {NULL, 0, 0, 0, 0, 1};
    mw_imap_inflate *z = mw_imap_inflate_new(h_alloc, h_release, &h);
    size_t first = strlen(session[0]);
    size_t used;
    /* the first command's flushed bytes, then a corrupt block header */
    size_t z1;
    uint8_t *zone = deflate_msgs(session, 1, 0, &z1);
    CHECK(mw_imap_inflate_feed(z, zone, z1, &used, collect, &s) == MW_IMAP_INFLATE_OK);
    CHECK_EQ_INT(s.len, first);
    uint8_t bad[] = {0x07, 0x00, 0x00, 0x00};   /* BFINAL 1, BTYPE 3 */
    CHECK(mw_imap_inflate_feed(z, bad, sizeof bad, &used, collect, &s) == MW_IMAP_INFLATE_ERROR);
    CHECK(used < sizeof bad);
    CHECK(mw_imap_inflate_error(z) != NULL && strstr(mw_imap_inflate_error(z), "block type"));
    CHECK(mw_imap_inflate_feed(z, zs, zlen, &used, collect, &s) == MW_IMAP_INFLATE_ERROR);
    CHECK_EQ_INT(used, 0);
    CHECK_EQ_INT(s.len, first);
    CHECK(mw_imap_inflate_state(z) == MW_IMAP_INFLATE_ERROR);
    mw_imap_inflate_free(z);
    free(zone);
    free(zs);

    zs = deflate_msgs(session, 2, 1, &zlen);
    uint8_t *more = (uint8_t *)malloc(zlen + 3);
    memcpy(more, zs, zlen);
    memcpy(more + zlen, "xyz", 3);
    z = mw_imap_inflate_new(h_alloc, h_release, &h);
    s.len = 0;
    CHECK(mw_imap_inflate_feed(z, more, zlen + 3, &used, collect, &s) == MW_IMAP_INFLATE_END);
    CHECK_EQ_INT(used, zlen);
    CHECK_EQ_INT(s.len, strlen(session[0]) + strlen(session[1]));
    CHECK(mw_imap_inflate_error(z) != NULL);
    mw_imap_inflate_free(z);
    CHECK_EQ_INT(h.now, 0);
    free(more);
    free(zs);
    free(s.buf);
}

int main(void)
{
    test_cuts();
    test_memory();
    test_error_and_end();
    return CHECK_DONE();
}

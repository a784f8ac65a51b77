/* The POP3 session machine over both directions, cut into calls at random
 * points and fed through an engine-like carry (the unconsumed rest of a call
 * is prefixed to the next call of its direction): consumed <= len, every item
 * lies inside its call's buffer, kept messages never exceed their buffers,
 * and nothing is read out of bounds (ASan). */
#include "fuzz_util.h"
#include "core/pop/pop_session.h"

static void **allocs;
static size_t nallocs, capallocs;

static void track(void *p)
{
    if (nallocs == capallocs) {
        capallocs = capallocs ? capallocs * 2 : 256;
        allocs = realloc(allocs, capallocs * sizeof *allocs);
    }
    allocs[nallocs++] = p;
}

static void *fz_alloc(void *ud, size_t n)
{
    (void)ud;
    void *p = calloc(1, n ? n : 1);
    track(p);
    return p;
}

static void *fz_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    void *q = realloc(p, n ? n : 1);
    for (size_t i = 0; p && i < nallocs; i++)
        if (allocs[i] == p) {
            allocs[i] = q;
            return q;
        }
    track(q);
    return q;
}

typedef struct flow {
    uint8_t *carry;
    size_t carry_len;
    uint64_t offset;
    bool mid_line;
} flow;

static void check_call(const mw_pop_call *c, size_t len)
{
    for (uint32_t i = 0; i < c->nitems; i++) {
        const mw_pop_item *it = &c->items[i];
        size_t span = it->line.len + it->line.eol_len;
        FZ_SPAN_IN(it->off, span, len);
        FZ_CHECK(it->kind <= MW_POP_ITEM_LINE_REST);
        if (it->kind == MW_POP_ITEM_LINE_REST)
            FZ_CHECK(it->longline && it->continued && it->state < MW_POP_ITEM_LINE_REST);
        if (it->longline && it->longline->end_frame)
            FZ_CHECK(it->longline->length > 0);
        FZ_CHECK(it->nev <= MW_POP_MAX_EVENTS);
        if (it->ml && it->ml->msg)
            FZ_CHECK(it->ml->msg_len <= it->ml->msg_cap);
        if (it->kind == MW_POP_ITEM_BODY_END)
            FZ_CHECK(it->end && it->cls <= MW_DATAEND_CRCRLF_CRCRLF);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint64_t view_max = data[0] & 0x80 ? 64 : 0;
    size_t nsplit = data[0] % 64;
    if (nsplit + 1 > size)
        nsplit = size - 1;
    fz_reader r = {data + 1, nsplit};
    const uint8_t *p = data + 1 + nsplit;
    size_t len = size - 1 - nsplit;

    mw_pop_alloc a = {fz_alloc, fz_realloc, NULL};
    mw_pop_session s;
    mw_pop_session_init(&s, &a);
    flow fl[2];
    memset(fl, 0, sizeof fl);
    uint32_t frame = 0;
    size_t pos = 0;
    while (pos < len) {
        /* direction and size from the option bytes; the rest to the server */
        uint8_t o = fz_byte(&r);
        int server = r.n || o ? o & 1 : 1;
        size_t chunk = o ? ((size_t)(o >> 1) % (len - pos)) + 1 : len - pos;
        flow *f = &fl[server];
        size_t n = f->carry_len + chunk;
        uint8_t *buf = malloc(n ? n : 1);
        if (f->carry_len)
            memcpy(buf, f->carry, f->carry_len);
        memcpy(buf + f->carry_len, p + pos, chunk);
        mw_pop_input in;
        memset(&in, 0, sizeof in);
        in.server = server;
        in.mid_line = f->mid_line;
        in.stream_offset = f->offset;
        in.frame = ++frame;
        in.view_max = view_max;
        in.max_carry = 256; /* small, so over-long fragments are exercised */
        mw_pop_call call;
        size_t used = mw_pop_session_feed(&s, buf, n, &in, &call, &f->mid_line);
        FZ_CHECK(used <= n);
        FZ_CHECK(call.consumed == used);
        check_call(&call, n);
        free(f->carry);
        f->carry_len = n - used;
        f->carry = f->carry_len ? malloc(f->carry_len) : NULL;
        if (f->carry_len)
            memcpy(f->carry, buf + used, f->carry_len);
        f->offset += used;
        free(buf);
        pos += chunk;
    }
    free(fl[0].carry);
    free(fl[1].carry);
    for (size_t i = 0; i < nallocs; i++)
        free(allocs[i]);
    nallocs = 0;
    return 0;
}

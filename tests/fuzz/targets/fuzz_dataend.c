/* mw_dataend_feed fed at random split points with small event and output
 * buffers.  Checks: consumed <= len; events in strictly increasing offset
 * order, inside the bytes fed, and equal to their catalogue row's bytes; the
 * unstuffed output is never longer than the input; and the split run gives
 * the same events, output and counters as one whole-buffer run. */
#include "fuzz_util.h"
#include "core/body/dataend.h"

static const struct { const char *b; size_t n; } rows[MW_DATAEND_NCLASSES] = {
    {"\r\n.\r\n", 5}, {"\n.\n", 3}, {"\n.\r\n", 4}, {"\r\n.\n", 4}, {"\r.\r", 3},
    {"\r.\n", 3}, {"\n.\r", 3}, {"\r.\r\n", 4}, {"\r\n.\r", 4}, {"\r\n\0.\r\n", 6},
    {"\r\n.\0\r\n", 6}, {"\r\n.\r\r\n", 6}, {"\r\r\n.\r\r\n", 7},
};

typedef struct run {
    mw_dataend_event ev[4096];
    size_t nev;
    uint8_t *out;
    size_t out_len;
    uint64_t consumed;
    bool end;
    mw_dataend_state st;
} run;

static void check_event(const uint8_t *body, uint64_t fed, const mw_dataend_event *e,
                        const mw_dataend_event *prev)
{
    FZ_CHECK(e->cls < MW_DATAEND_NCLASSES);
    FZ_CHECK(mw_dataend_class_bytes(e->cls) != NULL && mw_dataend_class_who(e->cls) != NULL);
    FZ_CHECK(e->len >= 1 && e->len <= 7);
    FZ_CHECK(e->offset + e->len <= fed);
    if (prev)
        FZ_CHECK(e->offset > prev->offset);
    const char *row = rows[e->cls].b;
    size_t rn = rows[e->cls].n;
    FZ_CHECK(e->len <= rn);
    if (e->flags & MW_DATAEND_AT_START) {
        FZ_CHECK(e->offset == 0 && e->len < rn);
        FZ_CHECK(memcmp(body, row + (rn - e->len), e->len) == 0);
    } else {
        FZ_CHECK(e->len == rn);
        FZ_CHECK(memcmp(body + e->offset, row, rn) == 0);
    }
}

/* Feeds body[0..len) in chunks whose sizes come from r (whole when r is
 * NULL; one byte each when bytewise is set). */
static void feed(run *ru, const uint8_t *body, size_t len, fz_reader *r, bool bytewise)
{
    size_t pos = 0;
    while (pos < len && !ru->end && ru->nev < 4000) {
        size_t chunk = bytewise ? 1 : len - pos, ev_cap = 64, out_cap = len + MW_DATAEND_OUT_SLACK;
        if (r) {
            uint8_t c = fz_byte(r);
            if (c)
                chunk = (size_t)c % (len - pos) + 1;
            ev_cap = fz_byte(r) % 4;           /* 0: count only... */
            if (ev_cap == 0)
                ev_cap = 1;                    /* ...but the check needs them */
            out_cap = MW_DATAEND_OUT_SLACK + fz_byte(r) % 8;
        }
        /* The chunk is a heap copy of its exact size: no read past it goes unseen. */
        uint8_t *c = fz_dup(body + pos, chunk);
        size_t cpos = 0;
        while (cpos < chunk) {
            uint8_t *out = malloc(out_cap);
            size_t room = 4000 - ru->nev < ev_cap ? 4000 - ru->nev : ev_cap;
            mw_dataend_result res =
                mw_dataend_feed(&ru->st, c + cpos, chunk - cpos, ru->ev + ru->nev, room, out, out_cap);
            FZ_CHECK(res.consumed <= chunk - cpos);
            FZ_CHECK(res.nevents <= room);
            FZ_CHECK(res.out_len <= out_cap);
            memcpy(ru->out + ru->out_len, out, res.out_len);
            free(out);
            ru->out_len += res.out_len;
            ru->consumed += res.consumed;
            FZ_CHECK(ru->out_len <= ru->consumed);
            for (size_t i = 0; i < res.nevents; i++)
                check_event(body, ru->consumed, &ru->ev[ru->nev + i],
                            ru->nev + i ? &ru->ev[ru->nev + i - 1] : NULL);
            ru->nev += res.nevents;
            cpos += res.consumed;
            if (res.status == MW_DATAEND_END) {
                ru->end = true;
                FZ_CHECK(ru->st.done && ru->st.end_offset == ru->consumed);
                /* After the end nothing more is consumed. */
                mw_dataend_result again = mw_dataend_feed(&ru->st, c, chunk, NULL, 0, NULL, 0);
                FZ_CHECK(again.status == MW_DATAEND_END && again.consumed == 0);
                break;
            }
            if (res.status == MW_DATAEND_NEED_MORE)
                FZ_CHECK(cpos == chunk);
            else
                FZ_CHECK(res.status == MW_DATAEND_PAUSED);
            if (ru->nev >= 4000)
                break;
        }
        free(c);
        pos += cpos;
        if (cpos < chunk)
            break;
    }
    if (!ru->end && ru->nev < 4000 && ru->consumed == len) {
        uint8_t tail[8];
        size_t tl = 0;
        size_t n = mw_dataend_finish(&ru->st, ru->ev + ru->nev, 1, tail, sizeof tail, &tl);
        FZ_CHECK(n <= 1 && tl <= 3);
        memcpy(ru->out + ru->out_len, tail, tl);
        ru->out_len += tl;
        FZ_CHECK(ru->out_len <= ru->consumed);
        if (n)
            check_event(body, ru->consumed, &ru->ev[ru->nev], ru->nev ? &ru->ev[ru->nev - 1] : NULL);
        ru->nev += n;
        FZ_CHECK(mw_dataend_finish(&ru->st, NULL, 0, NULL, 0, NULL) == 0);
    }
}

/* Two runs over the same body found the same. */
static void same(const run *a, const run *b)
{
    if (a->nev >= 4000 || b->nev >= 4000)
        return;
    FZ_CHECK(a->end == b->end);
    FZ_CHECK(a->consumed == b->consumed);
    FZ_CHECK(a->nev == b->nev);
    for (size_t i = 0; i < a->nev; i++) {
        FZ_CHECK(a->ev[i].offset == b->ev[i].offset);
        FZ_CHECK(a->ev[i].cls == b->ev[i].cls && a->ev[i].len == b->ev[i].len);
        FZ_CHECK(a->ev[i].flags == b->ev[i].flags);
    }
    FZ_CHECK(a->out_len == b->out_len);
    FZ_CHECK(memcmp(a->out, b->out, a->out_len) == 0);
    FZ_CHECK(memcmp(&a->st.counts, &b->st.counts, sizeof a->st.counts) == 0);
    FZ_CHECK(a->st.pos == b->st.pos && a->st.line_len == b->st.line_len);
    FZ_CHECK(memcmp(a->st.hist, b->st.hist, sizeof a->st.hist) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t nsplit = data[0] % 64; /* option bytes that drive the split run */
    if (nsplit * 3 + 1 > size)
        nsplit = (size - 1) / 3;
    fz_reader r = {data + 1, nsplit * 3};
    const uint8_t *body = data + 1 + nsplit * 3;
    size_t len = size - 1 - nsplit * 3;

    static run whole, split, bytewise;
    memset(&whole, 0, sizeof whole);
    memset(&split, 0, sizeof split);
    memset(&bytewise, 0, sizeof bytewise);
    whole.out = malloc(len + 8);
    split.out = malloc(len + 8);
    bytewise.out = malloc(len + 8);
    feed(&whole, body, len, NULL, false);
    feed(&split, body, len, &r, false);
    /* one byte at a time never takes the path for runs of plain bytes */
    feed(&bytewise, body, len, NULL, true);
    same(&whole, &split);
    same(&whole, &bytewise);
    free(bytewise.out);
    free(whole.out);
    free(split.out);
    return 0;
}

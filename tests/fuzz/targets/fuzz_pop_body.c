/* mw_pop_body_feed at random split points: consumed <= len, output never
 * longer than the input plus one held CR, candidates in increasing order, and
 * the split run equals one whole-buffer run. */
#include "fuzz_util.h"
#include "core/body/pop_body.h"

typedef struct run {
    mw_pop_body st;
    mw_pop_body_event ev[4096];
    size_t nev;
    uint8_t *out;
    size_t out_len;
    uint64_t consumed;
    bool end;
    uint8_t end_class;
    uint64_t end_offset;
} run;

static void feed(run *ru, const uint8_t *body, size_t len, bool crlf, fz_reader *r)
{
    mw_pop_body_init(&ru->st, crlf);
    size_t pos = 0;
    while (pos < len && !ru->end && ru->nev < 4000) {
        size_t chunk = len - pos, ev_cap = 64;
        if (r) {
            uint8_t c = fz_byte(r);
            if (c)
                chunk = (size_t)c % (len - pos) + 1;
            ev_cap = fz_byte(r) % 3 + 1;
        }
        uint8_t *c = fz_dup(body + pos, chunk);
        uint8_t *out = malloc(chunk + 1);
        size_t room = 4000 - ru->nev < ev_cap ? 4000 - ru->nev : ev_cap;
        mw_pop_body_result res = mw_pop_body_feed(&ru->st, c, chunk, out, ru->ev + ru->nev, room);
        FZ_CHECK(res.consumed <= chunk);
        FZ_CHECK(res.consumed > 0 || chunk == 0);
        FZ_CHECK(res.out_len <= res.consumed + 1);
        FZ_CHECK(res.nevents <= room);
        memcpy(ru->out + ru->out_len, out, res.out_len);
        ru->out_len += res.out_len;
        ru->consumed += res.consumed;
        FZ_CHECK(ru->out_len <= ru->consumed);
        for (size_t i = 0; i < res.nevents; i++) {
            mw_pop_body_event *e = &ru->ev[ru->nev + i];
            FZ_CHECK(e->offset < ru->consumed && body[e->offset] == '.');
            if (ru->nev + i)
                FZ_CHECK(e->offset > ru->ev[ru->nev + i - 1].offset);
            FZ_CHECK(mw_pop_body_class_bytes(e->cls)[0] != '?');
        }
        ru->nev += res.nevents;
        if (res.end) {
            ru->end = true;
            ru->end_class = res.end_class;
            ru->end_offset = res.end_offset;
            FZ_CHECK(res.end_offset < ru->consumed && body[res.end_offset] == '.');
            FZ_CHECK(res.end_class <= MW_POP_END_CRLF_LF);
        } else if (res.consumed < chunk) {
            FZ_CHECK(res.nevents == room);
        }
        free(out);
        free(c);
        pos += res.consumed;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool crlf = data[0] & 0x80;
    size_t nsplit = data[0] % 64;
    if (nsplit * 2 + 1 > size)
        nsplit = (size - 1) / 2;
    fz_reader r = {data + 1, nsplit * 2};
    const uint8_t *body = data + 1 + nsplit * 2;
    size_t len = size - 1 - nsplit * 2;

    static run whole, split;
    memset(&whole, 0, sizeof whole);
    memset(&split, 0, sizeof split);
    whole.out = malloc(len + 2);
    split.out = malloc(len + 2);
    feed(&whole, body, len, crlf, NULL);
    feed(&split, body, len, crlf, &r);
    if (whole.nev < 4000 && split.nev < 4000) {
        FZ_CHECK(whole.end == split.end && whole.consumed == split.consumed);
        FZ_CHECK(whole.end_class == split.end_class && whole.end_offset == split.end_offset);
        FZ_CHECK(whole.nev == split.nev);
        for (size_t i = 0; i < whole.nev; i++)
            FZ_CHECK(whole.ev[i].offset == split.ev[i].offset && whole.ev[i].cls == split.ev[i].cls);
        FZ_CHECK(whole.out_len == split.out_len);
        FZ_CHECK(memcmp(whole.out, split.out, whole.out_len) == 0);
        FZ_CHECK(whole.st.lines == split.st.lines && whole.st.stuffed == split.st.stuffed);
        FZ_CHECK(whole.st.bare_lf == split.st.bare_lf && whole.st.bare_dot == split.st.bare_dot);
    }
    free(whole.out);
    free(split.out);
    return 0;
}

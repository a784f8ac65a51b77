/* The IMAP framer over a stream cut into random chunks, driven as the header
 * says (unfinished line re-fed at the front of the next buffer).  The chunked
 * run must give the same text lines (absolute offsets, ends, literal headers)
 * and the same literal bytes as one whole-buffer run. */
#include "fuzz_util.h"
#include "core/imap/imap_frame.h"

#define MAXREC 2048

typedef struct rec {
    uint8_t kind;
    uint64_t off, len; /* absolute; literal events merged */
    mw_eol eol;
    unsigned line_flags, segment;
    mw_imap_lit_status lit;
    uint64_t lit_size;
    bool line_end;
} rec;

typedef struct run {
    rec r[MAXREC];
    size_t n;
    uint64_t lit_bytes;
} run;

static void record(run *ru, const mw_imap_event *ev, uint64_t base)
{
    if (ev->kind == MW_IMAP_EV_LITERAL) {
        ru->lit_bytes += ev->len;
        if (ru->n && ru->r[ru->n - 1].kind == MW_IMAP_EV_LITERAL &&
            ru->r[ru->n - 1].off + ru->r[ru->n - 1].len == base + ev->off) {
            ru->r[ru->n - 1].len += ev->len;
            return;
        }
    }
    if (ru->n == MAXREC)
        return;
    rec *x = &ru->r[ru->n++];
    memset(x, 0, sizeof *x);
    x->kind = (uint8_t)ev->kind;
    x->off = base + ev->off;
    x->len = ev->len;
    if (ev->kind == MW_IMAP_EV_TEXT) {
        x->eol = ev->eol;
        x->line_flags = ev->line_flags;
        x->segment = ev->segment;
        x->lit = ev->lit.status;
        x->lit_size = ev->lit.size;
        x->line_end = ev->line_end;
    }
}

static void drive(run *ru, mw_imap_frame *st, const uint8_t *s, size_t len, fz_reader *r)
{
    uint64_t base = 0; /* stream offset of buf[0] */
    size_t fed = 0;    /* stream bytes handed over so far */
    uint8_t *carry = NULL;
    size_t carry_len = 0;
    while (fed < len) {
        size_t chunk = len - fed;
        if (r) {
            uint8_t c = fz_byte(r);
            if (c)
                chunk = (size_t)c % chunk + 1;
        }
        size_t blen = carry_len + chunk;
        uint8_t *buf = malloc(blen ? blen : 1);
        if (carry_len)
            memcpy(buf, carry, carry_len);
        memcpy(buf + carry_len, s + fed, chunk);
        free(carry);
        fed += chunk;
        size_t pos = 0, lastpos = 0;
        mw_imap_event ev;
        unsigned guard = 0;
        for (;;) {
            mw_imap_ev k = mw_imap_frame_next(st, buf, blen, &pos, &ev);
            FZ_CHECK(k == ev.kind || k == MW_IMAP_EV_NEED_MORE);
            FZ_CHECK(pos <= blen && pos >= lastpos);
            if (k == MW_IMAP_EV_NEED_MORE)
                break;
            FZ_SPAN_IN(ev.off, ev.len, blen);
            if (k == MW_IMAP_EV_TEXT) {
                FZ_SPAN_IN(ev.off + ev.len, ev.eol_len, blen);
                FZ_CHECK(pos == ev.off + ev.len + ev.eol_len);
                if (ev.lit.status != MW_IMAP_LIT_ABSENT)
                    FZ_CHECK(ev.lit.off + ev.lit.len == ev.off + ev.len); /* relative to buf */
            } else {
                FZ_CHECK(pos == ev.off + ev.len);
                FZ_CHECK(ev.len <= ev.lit_size);
                FZ_CHECK(ev.lit_end == (ev.lit_left == 0));
            }
            /* Progress: an event consumes bytes, except a {0} literal once. */
            FZ_CHECK(pos > lastpos || (k == MW_IMAP_EV_LITERAL && ev.lit_size == 0));
            lastpos = pos;
            record(ru, &ev, base);
            FZ_CHECK(++guard <= 2 * blen + 4);
        }
        (void)mw_imap_frame_wanted(st);
        carry_len = blen - pos;
        carry = fz_dup(buf + pos, carry_len);
        base += pos;
        free(buf);
    }
    free(carry);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    mw_imap_frame a, b;
    memset(&a, 0, sizeof a);
    a.scan_opts = data[0] & 1 ? MW_SCAN_CR_ENDS_LINE : 0;
    a.max_literal = data[0] & 2 ? (uint64_t)data[1] * 37 : 0;
    b = a;
    size_t nsplit = data[2] % 32;
    if (nsplit + 3 > size)
        nsplit = size - 3;
    fz_reader r = {data + 3, nsplit};
    const uint8_t *s = data + 3 + nsplit;
    size_t len = size - 3 - nsplit;
    static run whole, split;
    memset(&whole, 0, sizeof whole);
    memset(&split, 0, sizeof split);
    drive(&whole, &a, s, len, NULL);
    drive(&split, &b, s, len, &r);
    if (whole.n < MAXREC && split.n < MAXREC) {
        FZ_CHECK(whole.lit_bytes == split.lit_bytes);
        FZ_CHECK(whole.n == split.n);
        for (size_t i = 0; i < whole.n; i++) {
            const rec *x = &whole.r[i], *y = &split.r[i];
            FZ_CHECK(x->kind == y->kind && x->off == y->off && x->len == y->len);
            FZ_CHECK(x->eol == y->eol && x->segment == y->segment && x->line_end == y->line_end);
            FZ_CHECK(x->lit == y->lit && x->lit_size == y->lit_size);
            FZ_CHECK(x->line_flags == y->line_flags);
        }
    }
    /* Cancelling a literal outside one does nothing; inside one it ends it. */
    mw_imap_frame_cancel_literal(&a);
    FZ_CHECK(!a.in_literal);
    return 0;
}

/* The IMAP session machine over a two-direction transcript, each message fed
 * whole and again cut into random chunks (an unfinished line carried to the
 * next chunk as the stream engine does): both runs must give the same records
 * (absolute offsets, kinds, links, findings, literal bytes), and every span
 * must lie inside the buffer it was found in.
 *
 * Input: byte 0 options, byte 1 the number of cut bytes that follow, then
 * the transcript; a 0xFF byte switches direction (the server speaks first). */
#include "fuzz_util.h"
#include "core/imap/imap_session.h"

#define MAXREC 4096
#define MAXOBJ 4096

typedef struct rec {
    uint8_t kind, dir, line_kind, logical_kind, cont_what, eff_state;
    uint16_t cmd, anomalies;
    uint64_t off, len;
    unsigned segment;
    int lit_status;
    uint64_t lit_size;
    int command, untagged_for, literal;
} rec;

typedef struct run {
    rec r[MAXREC];
    size_t n;
    const void *cmds[MAXOBJ];
    size_t ncmds;
    const void *lits[MAXOBJ];
    size_t nlits;
    uint64_t base[2];
    size_t buflen;
    void *allocs[65536];
    size_t nallocs;
    bool overflow;
} run;

static int obj_id(const void **tab, size_t *n, const void *p, bool add, bool *overflow)
{
    if (!p)
        return -1;
    for (size_t i = 0; i < *n; i++)
        if (tab[i] == p)
            return (int)i;
    if (!add)
        return -2;
    if (*n == MAXOBJ) {
        *overflow = true;
        return -3;
    }
    tab[*n] = p;
    return (int)(*n)++;
}

static void on_rec(void *opaque, const mw_imap_rec *x)
{
    run *ru = (run *)opaque;
    FZ_SPAN_IN(x->off, x->len, ru->buflen);
    if (x->kind == MW_IMAP_REC_TEXT)
        FZ_SPAN_IN(x->off + x->len, x->eol_len, ru->buflen);
    if (x->kind == MW_IMAP_REC_LITERAL)
        FZ_CHECK(x->len > 0 && x->len <= x->lit_left);
    uint64_t off = ru->base[x->dir] + x->off;
    if (x->kind != MW_IMAP_REC_TEXT && ru->n) {
        /* literal and compressed runs come in pieces that depend on the cuts */
        rec *p = &ru->r[ru->n - 1];
        if (p->kind == x->kind && p->dir == x->dir && p->off + p->len == off) {
            p->len += x->len;
            return;
        }
    }
    if (ru->n == MAXREC) {
        ru->overflow = true;
        return;
    }
    rec *t = &ru->r[ru->n++];
    memset(t, 0, sizeof *t);
    t->kind = x->kind;
    t->dir = x->dir;
    t->off = off;
    t->len = x->len;
    t->line_kind = x->line_kind;
    t->logical_kind = x->logical_kind;
    t->cmd = x->cmd;
    t->cont_what = x->cont_what;
    t->eff_state = x->eff_state;
    t->anomalies = x->anomalies;
    t->segment = x->segment;
    t->lit_status = x->lit.status;
    t->lit_size = x->lit.size;
    bool new_cmd = x->kind == MW_IMAP_REC_TEXT && x->line_kind == MW_IMAP_LK_COMMAND;
    t->command = obj_id(ru->cmds, &ru->ncmds, x->command, new_cmd, &ru->overflow);
    t->untagged_for = obj_id(ru->cmds, &ru->ncmds, x->untagged_for, false, &ru->overflow);
    t->literal = obj_id(ru->lits, &ru->nlits, x->literal, x->kind == MW_IMAP_REC_TEXT, &ru->overflow);
}

static void *fz_alloc(void *opaque, size_t n)
{
    run *ru = (run *)opaque;
    void *p = calloc(1, n ? n : 1);
    if (ru->nallocs < sizeof ru->allocs / sizeof ru->allocs[0])
        ru->allocs[ru->nallocs++] = p;
    else
        ru->overflow = true; /* leaked: the comparison is skipped */
    return p;
}

static void drive(run *ru, uint8_t opts, const uint8_t *s, size_t len, fz_reader *cuts)
{
    mw_imap_sess sess;
    mw_imap_sess_cfg cfg = {.alloc = fz_alloc, .opaque = ru,
                            .max_literal = opts & 1 ? 64 : 0,
                            .inflight_max = opts & 2 ? 3 : 0};
    mw_imap_sess_init(&sess, &cfg);
    uint8_t *carry[2] = {NULL, NULL};
    size_t carry_len[2] = {0, 0};
    int dir = MW_IMAP_SERVER;
    uint32_t frame = 1;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != 0xFF)
            j++;
        /* message s[i..j) of direction dir, fed in chunks */
        size_t at = i;
        while (at < j) {
            size_t chunk = j - at;
            if (cuts) {
                uint8_t c = fz_byte(cuts);
                if (c)
                    chunk = (size_t)c % chunk + 1;
            }
            size_t blen = carry_len[dir] + chunk;
            uint8_t *buf = malloc(blen ? blen : 1);
            if (carry_len[dir])
                memcpy(buf, carry[dir], carry_len[dir]);
            memcpy(buf + carry_len[dir], s + at, chunk);
            free(carry[dir]);
            at += chunk;
            ru->buflen = blen;
            mw_imap_when when = {.frame = frame, .sec = frame, .nsec = 0};
            size_t used = mw_imap_sess_feed(&sess, dir, buf, blen, (opts & 4) != 0, &when, NULL,
                                            on_rec, ru);
            FZ_CHECK(used <= blen);
            carry_len[dir] = blen - used;
            carry[dir] = fz_dup(buf + used, carry_len[dir]);
            ru->base[dir] += used;
            free(buf);
        }
        frame++;
        if (j < len && (opts & 8) && s[j] == 0xFF && j + 1 < len && s[j + 1] == 0xFF) {
            /* two markers: bytes lost in the other direction */
            mw_imap_sess_gap(&sess, 1 - dir, 3);
        }
        dir = 1 - dir;
        i = j + 1;
    }
    free(carry[0]);
    free(carry[1]);
}

static void release(run *ru)
{
    for (size_t i = 0; i < ru->nallocs; i++)
        free(ru->allocs[i]);
    ru->nallocs = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t opts = data[0];
    size_t ncut = data[1] % 64;
    if (ncut + 2 > size)
        ncut = size - 2;
    fz_reader cuts = {data + 2, ncut};
    const uint8_t *s = data + 2 + ncut;
    size_t len = size - 2 - ncut;
    static run whole, split;
    memset(&whole, 0, sizeof whole);
    memset(&split, 0, sizeof split);
    drive(&whole, opts, s, len, NULL);
    drive(&split, opts, s, len, &cuts);
    if (!whole.overflow && !split.overflow) {
        /* Lost bytes make where text resumes depend on the cuts. */
        if (!(opts & 8)) {
            FZ_CHECK(whole.n == split.n);
            for (size_t i = 0; i < whole.n; i++)
                FZ_CHECK(memcmp(&whole.r[i], &split.r[i], sizeof whole.r[i]) == 0);
        }
    }
    release(&whole);
    release(&split);
    return 0;
}

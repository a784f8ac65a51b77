/* End-of-DATA classification: every catalogue row at once, at every split and
 * byte by byte; then every short body over the terminator alphabet against a
 * whole-buffer reference, which also checks counters and unstuffing. */
#include "check.h"
#include "core/body/dataend.h"

#include <stdbool.h>
#include <stdint.h>

/* The rows' raw bytes, as the catalogue gives them in hex. */
static const struct {
    const char *s;
    size_t n;
} raw[MW_DATAEND_NCLASSES] = {
    {"\r\n.\r\n", 5}, {"\n.\n", 3}, {"\n.\r\n", 4}, {"\r\n.\n", 4},
    {"\r.\r", 3}, {"\r.\n", 3}, {"\n.\r", 3}, {"\r.\r\n", 4},
    {"\r\n.\r", 4}, {"\r\n\0.\r\n", 6}, {"\r\n.\0\r\n", 6}, {"\r\n.\r\r\n", 6},
    {"\r\r\n.\r\r\n", 7},
};

#define MAXEV 64
#define MAXOUT 256

typedef struct run {
    mw_dataend_event ev[MAXEV];
    size_t nev;
    uint8_t out[MAXOUT];
    size_t nout;
    bool end;
    size_t consumed; /* total bytes consumed when END came, else all */
    mw_dataend_counts counts;
    bool stuck;
} run;

/* Feed body in chunks: cut == 0 means all at once, cut == SIZE_MAX byte by
 * byte, otherwise two chunks [0,cut) and [cut,n).  ev_cap and out_cap small
 * values force pauses.  Always finishes the stream when no strict end came. */
static void feed_all(const uint8_t *body, size_t n, size_t cut, size_t ev_cap, size_t out_slack, run *r)
{
    mw_dataend_state st;
    memset(&st, 0, sizeof st);
    memset(r, 0, sizeof *r);
    size_t pos = 0;
    while (pos < n && !r->end && !r->stuck) {
        size_t chunk = n - pos;
        if (cut == SIZE_MAX)
            chunk = 1;
        else if (cut && pos < cut)
            chunk = cut - pos;
        size_t done = 0;
        while (done < chunk) {
            mw_dataend_event ev[MAXEV];
            uint8_t out[MAXOUT];
            size_t ocap = out_slack ? out_slack : chunk - done + MW_DATAEND_OUT_SLACK;
            if (ocap > MAXOUT)
                ocap = MAXOUT;
            mw_dataend_result res = mw_dataend_feed(&st, body + pos + done, chunk - done, ev,
                                                    ev_cap, out, ocap);
            for (size_t i = 0; i < res.nevents && r->nev < MAXEV; i++)
                r->ev[r->nev++] = ev[i];
            for (size_t i = 0; i < res.out_len && r->nout < MAXOUT; i++)
                r->out[r->nout++] = out[i];
            done += res.consumed;
            if (res.status == MW_DATAEND_END) {
                r->end = true;
                break;
            }
            if (res.consumed == 0) {
                r->stuck = true;
                break;
            }
        }
        pos += done;
    }
    r->consumed = pos;
    if (!r->end) {
        mw_dataend_event ev[1];
        uint8_t out[4];
        size_t olen = 0;
        size_t k = mw_dataend_finish(&st, ev, 1, out, sizeof out, &olen);
        if (k && r->nev < MAXEV)
            r->ev[r->nev++] = ev[0];
        for (size_t i = 0; i < olen && r->nout < MAXOUT; i++)
            r->out[r->nout++] = out[i];
    }
    r->counts = st.counts;
}

/* Whole-buffer reference: each dot named by the longest row literally around
 * it, with the CRLF that precedes the body in front. */
static int ref_class(const uint8_t *body, size_t n, size_t dot, size_t *start, size_t *len)
{
    int best = -1;
    for (int c = 0; c < MW_DATAEND_NCLASSES; c++) {
        const char *p = memchr(raw[c].s, '.', raw[c].n);
        size_t pre = (size_t)(p - raw[c].s), post = raw[c].n - pre - 1;
        if (dot + post >= n || (best >= 0 && raw[c].n <= raw[best].n))
            continue;
        bool ok = true;
        for (size_t k = 0; k < raw[c].n && ok; k++) {
            long long at = (long long)dot - (long long)pre + (long long)k;
            int b = at >= 0 ? body[at] : (at == -1 ? '\n' : (at == -2 ? '\r' : -1));
            ok = b == (uint8_t)raw[c].s[k];
        }
        if (ok)
            best = c;
    }
    if (best >= 0) {
        size_t pre = (size_t)((const char *)memchr(raw[best].s, '.', raw[best].n) - raw[best].s);
        *start = dot >= pre ? dot - pre : 0;
        *len = raw[best].n - (dot >= pre ? 0 : pre - dot);
    }
    return best;
}

static void ref_run(const uint8_t *body, size_t n, run *r)
{
    memset(r, 0, sizeof *r);
    size_t end = n, content = n;
    bool stuffed[MAXOUT] = {false};
    for (size_t i = 0; i < n; i++) {
        if (body[i] != '.')
            continue;
        size_t s, l;
        int c = ref_class(body, n, i, &s, &l);
        bool line_start = i == 0 || body[i - 1] == '\n';
        if (c < 0) {
            stuffed[i] = line_start;
            continue;
        }
        mw_dataend_event e = {s, (uint8_t)c, (uint8_t)l, 0};
        if (i < 2 && l < raw[c].n)
            e.flags = MW_DATAEND_AT_START;
        /* Decided only by finish: the dot is followed by "\r" or "\r\r" and then EOF. */
        if ((i + 2 == n && body[i + 1] == '\r') ||
            (i + 3 == n && body[i + 1] == '\r' && body[i + 2] == '\r'))
            e.flags |= MW_DATAEND_AT_EOF;
        r->ev[r->nev++] = e;
        r->counts.by_class[c]++;
        if (c == 0) {
            r->end = true;
            end = i + 3;
            content = i;
            break;
        }
    }
    r->consumed = end;
    size_t line = 0;
    for (size_t i = 0; i < end; i++) {
        uint8_t b = body[i];
        int prev = i ? body[i - 1] : '\n';
        if (b == '\r' && (i + 1 == end ? !r->end : body[i + 1] != '\n'))
            r->counts.bare_cr++;
        if (b == '\0')
            r->counts.nul++;
        if (b == '\n') {
            if (prev != '\r')
                r->counts.bare_lf++;
            size_t c = line - (prev == '\r' && line > 0);
            r->counts.long_lines += c > 998;
            line = 0;
        } else {
            line++;
        }
        if (i < content && stuffed[i]) {
            r->counts.dot_stuffed++;
            if (i + 1 >= end || body[i + 1] != '.')
                r->counts.dot_single++;
        } else if (i < content)
            r->out[r->nout++] = b;
    }
    if (!r->end && line > 998)
        r->counts.long_lines++;
}

static bool same_run(const run *a, const run *b)
{
    if (a->nev != b->nev || a->end != b->end || a->consumed != b->consumed || a->nout != b->nout)
        return false;
    for (size_t i = 0; i < a->nev; i++)
        if (a->ev[i].cls != b->ev[i].cls || a->ev[i].offset != b->ev[i].offset ||
            a->ev[i].len != b->ev[i].len || a->ev[i].flags != b->ev[i].flags)
            return false;
    return memcmp(a->out, b->out, a->nout) == 0 &&
           memcmp(&a->counts, &b->counts, sizeof a->counts) == 0 && !a->stuck && !b->stuck;
}

static void dump(const char *what, const uint8_t *body, size_t n, const run *r)
{
    fprintf(stderr, "  %s body:", what);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %02x", body[i]);
    fprintf(stderr, "\n  end=%d consumed=%zu nout=%zu stuffed=%u events:", r->end, r->consumed,
            r->nout, r->counts.dot_stuffed);
    for (size_t i = 0; i < r->nev; i++)
        fprintf(stderr, " (%d@%llu+%d f%d)", r->ev[i].cls, (unsigned long long)r->ev[i].offset,
                r->ev[i].len, r->ev[i].flags);
    fprintf(stderr, "\n");
}

/* Checks one body against the reference: whole, byte by byte, every split
 * (when asked), with pausing event arrays and tight output buffers. */
static bool check_body(const uint8_t *body, size_t n, bool every_split)
{
    run want, got;
    ref_run(body, n, &want);
    size_t cuts[] = {0, SIZE_MAX};
    for (size_t k = 0; k < 2; k++) {
        for (size_t cap = 1; cap <= MAXEV; cap *= 64) {
            feed_all(body, n, cuts[k], cap, cap == 1 ? MW_DATAEND_OUT_SLACK : 0, &got);
            if (!same_run(&got, &want)) {
                dump("want", body, n, &want);
                dump("got", body, n, &got);
                return false;
            }
        }
    }
    for (size_t cut = 1; every_split && cut < n; cut++) {
        feed_all(body, n, cut, 2, 0, &got);
        if (!same_run(&got, &want)) {
            fprintf(stderr, "  split at %zu\n", cut);
            dump("want", body, n, &want);
            dump("got", body, n, &got);
            return false;
        }
    }
    return true;
}

/* Every row placed after ordinary text, followed by commands and the strict end. */
static void test_each_class(void)
{
    for (int c = 0; c < MW_DATAEND_NCLASSES; c++) {
        uint8_t body[64];
        size_t n = 0;
        memcpy(body, "hi", 2);
        n = 2;
        memcpy(body + n, raw[c].s, raw[c].n);
        n += raw[c].n;
        memcpy(body + n, "MAIL\r\n.\r\nQUIT\r\n", 15);
        n += 15;
        static const size_t cuts[] = {0, SIZE_MAX};
        for (size_t k = 0; k < 2 + n - 1; k++) {
            size_t cut = k < 2 ? cuts[k] : k - 1;
            run r;
            feed_all(body, n, cut, 8, 0, &r);
            CHECK(r.end);
            size_t want_events = c == 0 ? 1 : 2;
            CHECK_EQ_INT(r.nev, want_events);
            CHECK_EQ_INT(r.ev[0].cls, c);
            CHECK_EQ_INT(r.ev[0].offset, 2);
            CHECK_EQ_INT(r.ev[0].len, raw[c].n);
            CHECK_EQ_INT(r.ev[0].flags, 0);
            CHECK(memcmp(body + r.ev[0].offset, raw[c].s, raw[c].n) == 0);
            /* The strict end: the body's own one for c > 0. */
            mw_dataend_event last = r.ev[r.nev - 1];
            CHECK_EQ_INT(last.cls, 0);
            if (c == 0) {
                CHECK_EQ_INT(r.consumed, 7);
            } else {
                CHECK_EQ_INT(last.offset, 2 + raw[c].n + 4);
                CHECK_EQ_INT(r.consumed, n - 6); /* "QUIT\r\n" is left for the command parser */
            }
        }
        CHECK(mw_dataend_class_bytes(c) != NULL);
        CHECK(mw_dataend_class_who(c) != NULL);
    }
    CHECK(mw_dataend_class_bytes(-1) == NULL);
    CHECK(mw_dataend_class_bytes(13) == NULL);
    CHECK(mw_dataend_class_who(13) == NULL);
    CHECK_EQ_INT(strcmp(mw_dataend_class_bytes(2), "<LF>.<CR><LF>"), 0);
    CHECK_EQ_INT(strcmp(mw_dataend_class_bytes(12), "<CR><CR><LF>.<CR><CR><LF>"), 0);
}

/* Named overlap cases: exactly one event for each dot. */
static void test_overlaps(void)
{
    static const struct {
        const char *s;
        size_t n;
        int cls;
        size_t off, len;
    } rows[] = {
        {"x\r\n.\r\nMAIL", 11, 0, 1, 5},
        {"x\n.\nMAIL", 8, 1, 1, 3},
        {"x\r\n.\nMAIL", 9, 3, 1, 4},
        {"x\r.\r\nMAIL", 9, 7, 1, 4},
        {"x\r\n\0.\r\nMAIL", 11, 9, 1, 6},
        {"x\r\n.\0\r\nMAIL", 11, 10, 1, 6},
        {"x\r\n.\r\r\nMAIL", 11, 11, 1, 6},
        {"x\r\r\n.\r\r\nMAIL", 12, 12, 1, 7},
        {"x\n.\r\r\nMAIL", 10, 6, 1, 3},   /* no longer row after a bare LF */
        {"x\r.\r\r\nMAIL", 10, 4, 1, 3},
        {"x\r\r\n.\r\nMAIL", 12, 0, 2, 5}, /* CR CR LF . CR LF: still the strict end */
        {"x\r\r\n.\nMAIL", 10, 3, 2, 4},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        run r;
        feed_all((const uint8_t *)rows[i].s, rows[i].n, SIZE_MAX, 8, 0, &r);
        CHECK(r.nev >= 1);
        CHECK_EQ_INT(r.ev[0].cls, rows[i].cls);
        CHECK_EQ_INT(r.ev[0].offset, rows[i].off);
        CHECK_EQ_INT(r.ev[0].len, rows[i].len);
        CHECK_EQ_INT(r.nev, 1);
        CHECK(check_body((const uint8_t *)rows[i].s, rows[i].n, true));
    }
}

/* The body starts after the DATA reply's CRLF. */
static void test_body_start(void)
{
    run r;
    feed_all((const uint8_t *)".\r\nRSET\r\n", 9, 0, 8, 0, &r);
    CHECK(r.end);
    CHECK_EQ_INT(r.consumed, 3);
    CHECK_EQ_INT(r.nev, 1);
    CHECK_EQ_INT(r.ev[0].cls, 0);
    CHECK_EQ_INT(r.ev[0].offset, 0);
    CHECK_EQ_INT(r.ev[0].len, 3);
    CHECK_EQ_INT(r.ev[0].flags, MW_DATAEND_AT_START);
    CHECK_EQ_INT(r.nout, 0);

    feed_all((const uint8_t *)".\nRSET", 6, 0, 8, 0, &r);
    CHECK_EQ_INT(r.nev, 1);
    CHECK_EQ_INT(r.ev[0].cls, 3);
    CHECK_EQ_INT(r.ev[0].len, 2);

    feed_all((const uint8_t *)"\0.\r\nx", 5, 0, 8, 0, &r);
    CHECK_EQ_INT(r.ev[0].cls, 9);
    CHECK_EQ_INT(r.ev[0].len, 4);
    CHECK_EQ_INT(r.ev[0].flags, MW_DATAEND_AT_START);

    /* A leading LF is a bare LF; after it a dot line is class 1. */
    feed_all((const uint8_t *)"\n.\nx", 4, 0, 8, 0, &r);
    CHECK_EQ_INT(r.counts.bare_lf, 2);
    CHECK_EQ_INT(r.ev[0].cls, 1);
    CHECK_EQ_INT(r.ev[0].offset, 0);
    CHECK_EQ_INT(r.ev[0].flags, 0);
}

/* A message with several candidates, stuffed lines and anomalies, then the end. */
static void test_message(void)
{
    static const char body[] =
        "Subject: t\r\n\r\n..dots\r\n.x\r\nbare\nlf\rcr\0nul\r\n"
        "a\n.\nMAIL FROM:<x@y>\r\n\r\n.\r\r\nz\r\n.\r\nQUIT\r\n";
    size_t n = sizeof body - 1;
    run r;
    feed_all((const uint8_t *)body, n, SIZE_MAX, 1, MW_DATAEND_OUT_SLACK, &r);
    CHECK(r.end);
    CHECK_EQ_INT(r.nev, 3);
    CHECK_EQ_INT(r.ev[0].cls, 1);
    CHECK_EQ_INT(r.ev[1].cls, 11);
    CHECK_EQ_INT(r.ev[2].cls, 0);
    CHECK_EQ_INT(r.consumed, n - 6);
    CHECK_EQ_INT(r.counts.dot_stuffed, 2);
    CHECK_EQ_INT(r.counts.bare_lf, 3);
    CHECK_EQ_INT(r.counts.bare_cr, 2); /* "lf\rcr" and the first CR of ".\r\r\n" */
    CHECK_EQ_INT(r.counts.nul, 1);
    CHECK_EQ_INT(r.counts.by_class[1], 1);
    CHECK_EQ_INT(r.counts.by_class[11], 1);
    CHECK_EQ_INT(r.counts.by_class[0], 1);
    static const char content[] =
        "Subject: t\r\n\r\n.dots\r\nx\r\nbare\nlf\rcr\0nul\r\n"
        "a\n.\nMAIL FROM:<x@y>\r\n\r\n.\r\r\nz\r\n";
    CHECK_EQ_INT(r.nout, sizeof content - 1);
    CHECK(memcmp(r.out, content, sizeof content - 1) == 0);
    CHECK(check_body((const uint8_t *)body, n, true));
}

static void test_long_lines(void)
{
    static uint8_t body[2100];
    size_t n = 0;
    memset(body, 'a', 998);
    n = 998;
    memcpy(body + n, "\r\n", 2); /* 998: at the limit */
    n += 2;
    memset(body + n, 'b', 999);
    n += 999;
    memcpy(body + n, "\r\n.\r\n", 5); /* 999: over */
    n += 5;
    run r;
    feed_all(body, n, 0, 4, 0, &r);
    CHECK(r.end);
    CHECK_EQ_INT(r.counts.long_lines, 1);
    feed_all(body, n, 1000, 4, 0, &r);
    CHECK_EQ_INT(r.counts.long_lines, 1);

    /* Bare LF ends a line too; a line over the limit at EOF counts on finish. */
    memset(body, 'c', 999);
    body[999] = '\n';
    memset(body + 1000, 'd', 1000);
    feed_all(body, 2000, SIZE_MAX, 4, 0, &r);
    CHECK(!r.end);
    CHECK_EQ_INT(r.counts.long_lines, 2);
}

/* After the end nothing more is consumed; finish is idempotent. */
static void test_after_end(void)
{
    mw_dataend_state st;
    memset(&st, 0, sizeof st);
    mw_dataend_event ev[2];
    mw_dataend_result r = mw_dataend_feed(&st, (const uint8_t *)"a\r\n.\r\nb", 7, ev, 2, NULL, 0);
    CHECK_EQ_INT(r.status, MW_DATAEND_END);
    CHECK_EQ_INT(r.consumed, 6);
    CHECK_EQ_INT(st.end_offset, 6);
    r = mw_dataend_feed(&st, (const uint8_t *)"x", 1, ev, 2, NULL, 0);
    CHECK_EQ_INT(r.status, MW_DATAEND_END);
    CHECK_EQ_INT(r.consumed, 0);

    /* Candidates are counted without an event array. */
    memset(&st, 0, sizeof st);
    r = mw_dataend_feed(&st, (const uint8_t *)"a\n.\nb\r.\rc", 9, NULL, 0, NULL, 0);
    CHECK_EQ_INT(r.status, MW_DATAEND_NEED_MORE);
    CHECK_EQ_INT(r.consumed, 9);
    CHECK_EQ_INT(r.nevents, 0);
    CHECK_EQ_INT(st.counts.by_class[1], 1);
    CHECK_EQ_INT(st.counts.by_class[4], 1);

    /* A pending <CR><LF>.<CR> at EOF is decided by finish. */
    memset(&st, 0, sizeof st);
    mw_dataend_feed(&st, (const uint8_t *)"a\r\n.\r", 5, ev, 2, NULL, 0);
    size_t k = mw_dataend_finish(&st, ev, 2, NULL, 0, NULL);
    CHECK_EQ_INT(k, 1);
    CHECK_EQ_INT(ev[0].cls, 8);
    CHECK_EQ_INT(ev[0].flags, MW_DATAEND_AT_EOF);
    CHECK_EQ_INT(st.counts.bare_cr, 1);
    CHECK_EQ_INT(mw_dataend_finish(&st, ev, 2, NULL, 0, NULL), 0);
    CHECK_EQ_INT(st.counts.bare_cr, 1);

    /* 64-bit offsets: a state resumed deep into a body. */
    memset(&st, 0, sizeof st);
    mw_dataend_feed(&st, (const uint8_t *)"x", 1, NULL, 0, NULL, 0);
    st.pos = (uint64_t)5 << 32;
    r = mw_dataend_feed(&st, (const uint8_t *)"\r\n.\n", 4, ev, 2, NULL, 0);
    CHECK_EQ_INT(r.nevents, 1);
    CHECK(ev[0].offset == ((uint64_t)5 << 32));
}

/* Every body up to 8 bytes over the bytes that make terminators: against the
 * reference, whole and byte by byte; up to 6 bytes also at every split. */
static void test_exhaustive(void)
{
    static const uint8_t alpha[] = {'\r', '\n', '.', '\0', 'a'};
    unsigned bad = 0, total = 0;
    for (size_t n = 0; n <= 8 && bad < 5; n++) {
        size_t count = 1;
        for (size_t i = 0; i < n; i++)
            count *= 5;
        for (size_t v = 0; v < count && bad < 5; v++) {
            uint8_t body[8];
            size_t x = v;
            for (size_t i = 0; i < n; i++, x /= 5)
                body[i] = alpha[x % 5];
            total++;
            if (!check_body(body, n, n <= 6))
                bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    printf("exhaustive: %u bodies\n", total);
}

/* POP3's line-reader policy: a line that is exactly "." ends the body
 * whatever LF-based line ends surround it (rows 0-3); other rows are
 * candidates, and their line-start dot is dropped as a stuffing dot. */
typedef struct lines_case {
    const char *body;
    size_t len;           /* 0: strlen */
    bool start_lf;
    int end_cls;          /* -1: no end */
    size_t consumed;      /* when ended */
    const char *out;      /* unstuffed content */
    size_t out_len;       /* 0: strlen */
    int cand;             /* a candidate row seen before, -1 none */
    uint32_t single;      /* dots dropped that were not doubled */
} lines_case;

static void test_lines_policy(void)
{
    static const lines_case cases[] = {
        {"a\r\n.\r\nX", 0, false, 0, 6, "a\r\n", 0, -1, 0},
        {"a\n.\nX", 0, false, 1, 4, "a\n", 0, -1, 0},
        {"a\n.\r\nX", 0, false, 2, 5, "a\n", 0, -1, 0},
        {"a\r\n.\nX", 0, false, 3, 5, "a\r\n", 0, -1, 0},
        {".\r\n", 0, true, 2, 3, "", 0, -1, 0},
        {".\r\n", 0, false, 0, 3, "", 0, -1, 0},
        {"a\r\n.\rb\r\n..c\r\n.\r\n", 0, false, 0, 16, "a\r\n\rb\r\n.c\r\n", 0, 8, 1},
        {"a\r.\r\nb\r\n.\r\n", 0, false, 0, 11, "a\r.\r\nb\r\n", 0, 7, 0},
        {"a\r\n\0.\r\n.\r\n", 10, false, 0, 10, "a\r\n\0.\r\n", 7, 9, 0},
        {"a\r\n.x\r\n", 0, false, -1, 0, "a\r\nx\r\n", 0, -1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const lines_case *c = &cases[i];
        size_t n = c->len ? c->len : strlen(c->body);
        size_t want_out = c->out_len ? c->out_len : strlen(c->out);
        for (size_t step = 1; step <= n; step++) {
            mw_dataend_state st;
            memset(&st, 0, sizeof st);
            st.policy = MW_DATAEND_POLICY_LINES;
            st.start_lf = c->start_lf;
            uint8_t out[64];
            size_t nout = 0, pos = 0;
            int end = -1, cand = -1;
            uint64_t dot = 0;
            while (pos < n) {
                size_t k = n - pos < step ? n - pos : step;
                mw_dataend_event ev[4];
                mw_dataend_result r = mw_dataend_feed(&st, (const uint8_t *)c->body + pos, k, ev, 4,
                                                      out + nout, sizeof out - nout);
                nout += r.out_len;
                pos += r.consumed;
                for (size_t e = 0; e < r.nevents; e++) {
                    if (mw_dataend_ends(&st, ev[e].cls)) {
                        end = ev[e].cls;
                        dot = mw_dataend_event_dot(&ev[e]);
                    } else {
                        cand = ev[e].cls;
                    }
                }
                if (r.status == MW_DATAEND_END)
                    break;
            }
            CHECK_EQ_INT(end, c->end_cls);
            CHECK_EQ_INT(cand, c->cand);
            CHECK_EQ_INT(st.counts.dot_single, c->single);
            if (c->end_cls >= 0) {
                CHECK_EQ_INT(pos, c->consumed);
                CHECK_EQ_INT(c->body[dot], '.');
                CHECK(nout == want_out && memcmp(out, c->out, nout) == 0);
            } else {
                CHECK(nout <= want_out && memcmp(out, c->out, nout) == 0);
            }
        }
    }
}

int main(void)
{
    test_each_class();
    test_overlaps();
    test_body_start();
    test_message();
    test_long_lines();
    test_after_end();
    test_exhaustive();
    test_lines_policy();
    return CHECK_DONE();
}

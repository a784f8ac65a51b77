/* IMAP literal headers: every form, every malformed size, and the framer
 * replayed at every split point and byte by byte. */
#include "check.h"
#include "core/imap/imap_frame.h"

#include <stdlib.h>

typedef struct header_row {
    const char *name;
    const char *line;
    uint64_t max;
    mw_imap_lit_status status;
    mw_imap_lit_sync sync;
    bool binary;
    uint64_t size;
    const char *header; /* expected header span, NULL when absent */
} header_row;

static const header_row header_rows[] = {
    {"sync", "a LOGIN {5}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, false, 5, "{5}"},
    {"zero", "A APPEND box {0}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, false, 0, "{0}"},
    {"plus", "A APPEND box {10+}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_PLUS, false, 10, "{10+}"},
    {"minus", "A APPEND box {10-}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_MINUS, false, 10, "{10-}"},
    {"binary", "A APPEND box ~{10}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, true, 10, "~{10}"},
    {"binary plus", "A APPEND box ~{10+}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_PLUS, true, 10, "~{10+}"},
    {"binary minus", "x ~{7-}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_MINUS, true, 7, "~{7-}"},
    {"leading zeros", "x {007}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, false, 7, "{007}"},
    {"only header", "{3}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, false, 3, "{3}"},
    {"fetch body", "* 1 FETCH (BODY[] {342}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, false, 342,
     "{342}"},
    {"uint64 max", "x {18446744073709551615}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, false,
     UINT64_MAX, "{18446744073709551615}"},
    {"4G is valid", "x {4294967296}", 0, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, false, 4294967296u,
     "{4294967296}"},
    {"4G insane", "x {4294967296}", 1u << 30, MW_IMAP_LIT_INSANE, MW_IMAP_LIT_SYNC, false,
     4294967296u, "{4294967296}"},
    {"at bound", "x {1024}", 1024, MW_IMAP_LIT_OK, MW_IMAP_LIT_SYNC, false, 1024, "{1024}"},
    {"overflow", "x {99999999999999999999}", 0, MW_IMAP_LIT_OVERFLOW, MW_IMAP_LIT_SYNC, false,
     UINT64_MAX, "{99999999999999999999}"},
    {"overflow by one", "x {18446744073709551616}", 0, MW_IMAP_LIT_OVERFLOW, MW_IMAP_LIT_SYNC,
     false, UINT64_MAX, "{18446744073709551616}"},
    {"empty", "x {}", 0, MW_IMAP_LIT_EMPTY, MW_IMAP_LIT_SYNC, false, 0, "{}"},
    {"empty plus", "x {+}", 0, MW_IMAP_LIT_EMPTY, MW_IMAP_LIT_PLUS, false, 0, "{+}"},
    {"letters", "x {abc}", 0, MW_IMAP_LIT_NOT_DIGITS, MW_IMAP_LIT_SYNC, false, 0, "{abc}"},
    {"trailing junk", "x {1a}", 0, MW_IMAP_LIT_NOT_DIGITS, MW_IMAP_LIT_SYNC, false, 0, "{1a}"},
    {"space after", "x {1 }", 0, MW_IMAP_LIT_NOT_DIGITS, MW_IMAP_LIT_SYNC, false, 0, "{1 }"},
    {"double plus", "x {1++}", 0, MW_IMAP_LIT_NOT_DIGITS, MW_IMAP_LIT_PLUS, false, 0, "{1++}"},
    {"negative", "x {-1}", 0, MW_IMAP_LIT_LEADING_JUNK, MW_IMAP_LIT_SYNC, false, 0, "{-1}"},
    {"space before", "x { 1}", 0, MW_IMAP_LIT_LEADING_JUNK, MW_IMAP_LIT_SYNC, false, 0, "{ 1}"},
    {"unclosed", "x {1", 0, MW_IMAP_LIT_ABSENT, MW_IMAP_LIT_SYNC, false, 0, NULL},
    {"not at end", "x {1} y", 0, MW_IMAP_LIT_ABSENT, MW_IMAP_LIT_SYNC, false, 0, NULL},
    {"no open", "x 1}", 0, MW_IMAP_LIT_ABSENT, MW_IMAP_LIT_SYNC, false, 0, NULL},
    {"nested brace", "x {{1}}", 0, MW_IMAP_LIT_ABSENT, MW_IMAP_LIT_SYNC, false, 0, NULL},
    {"lone brace", "}", 0, MW_IMAP_LIT_ABSENT, MW_IMAP_LIT_SYNC, false, 0, NULL},
    {"empty line", "", 0, MW_IMAP_LIT_ABSENT, MW_IMAP_LIT_SYNC, false, 0, NULL},
    {"far open", "x {123456789012345678901234567890123456789012345}", 0, MW_IMAP_LIT_ABSENT,
     MW_IMAP_LIT_SYNC, false, 0, NULL},
};

static void test_headers(void)
{
    for (size_t i = 0; i < sizeof header_rows / sizeof header_rows[0]; i++) {
        const header_row *r = &header_rows[i];
        mw_imap_lit lit;
        size_t n = strlen(r->line);
        mw_imap_lit_status s = mw_imap_literal_header((const uint8_t *)r->line, n, r->max, &lit);
        if (s != r->status)
            fprintf(stderr, "row %s: status %s\n", r->name, mw_imap_lit_status_name(s));
        CHECK_EQ_INT(s, r->status);
        CHECK_EQ_INT(lit.status, r->status);
        if (!r->header) {
            CHECK_EQ_INT(lit.len, 0);
            continue;
        }
        CHECK_SPAN(r->line + lit.off, lit.len, r->header);
        CHECK_EQ_INT(lit.off + lit.len, n);
        CHECK_EQ_INT(lit.sync, r->sync);
        CHECK_EQ_INT(lit.binary, r->binary);
        if (s == MW_IMAP_LIT_OK || s == MW_IMAP_LIT_INSANE || s == MW_IMAP_LIT_OVERFLOW)
            CHECK(lit.size == r->size);
    }
    CHECK_EQ_INT(strcmp(mw_imap_lit_status_name(MW_IMAP_LIT_OVERFLOW), "overflow"), 0);
}

static void test_parse_u64(void)
{
    uint64_t v = 1;
    bool of;
    CHECK(mw_imap_parse_u64((const uint8_t *)"0", 1, &v, &of) && v == 0 && !of);
    CHECK(!mw_imap_parse_u64((const uint8_t *)"", 0, &v, &of) && !of);
    CHECK(!mw_imap_parse_u64((const uint8_t *)"1x", 2, &v, &of) && !of);
    CHECK(!mw_imap_parse_u64((const uint8_t *)"18446744073709551616", 20, &v, &of) && of);
    CHECK(mw_imap_parse_u64((const uint8_t *)"18446744073709551615", 20, &v, NULL));
    CHECK(v == UINT64_MAX);
}

/* Feed a stream the way the dissector does: a window from the first
 * unconsumed byte to what has arrived, growing by `step` bytes (or split once
 * at `cut` when step is 0), and write a transcript of the events. */
static size_t transcript(const char *stream, size_t n, size_t step, size_t cut, uint64_t max,
                         char *out, size_t cap)
{
    mw_imap_frame st = {0};
    st.max_literal = max;
    size_t base = 0, have = 0, o = 0;
    size_t lit_start = 0;
    while (have < n || base < n) {
        size_t next = step ? have + step : (have < cut ? cut : n);
        have = next < n ? next : n;
        const uint8_t *buf = (const uint8_t *)stream + base;
        size_t len = have - base, pos = 0;
        mw_imap_event ev;
        while (mw_imap_frame_next(&st, buf, len, &pos, &ev) != MW_IMAP_EV_NEED_MORE) {
            if (ev.kind == MW_IMAP_EV_TEXT) {
                o += (size_t)snprintf(out + o, cap - o, "T%u[%.*s]%s%s%s;", ev.segment,
                                      (int)ev.len, (const char *)buf + ev.off,
                                      mw_eol_name(ev.eol),
                                      ev.lit.status == MW_IMAP_LIT_ABSENT
                                          ? ""
                                          : mw_imap_lit_status_name(ev.lit.status),
                                      ev.line_end ? "." : "");
                lit_start = base + pos;
            } else {
                CHECK(ev.len > 0 || ev.lit_end);
                CHECK_EQ_INT(base + ev.off, lit_start + (ev.lit_size - ev.lit_left - ev.len));
                if (ev.lit_end) {
                    o += (size_t)snprintf(out + o, cap - o, "L<%.*s>;",
                                          (int)(base + pos - lit_start), stream + lit_start);
                }
            }
            if (o >= cap)
                return cap;
        }
        CHECK_EQ_INT(ev.off, pos);
        base += pos;
        if (have == n && pos == len)
            break;
        if (have == n) {
            /* Unterminated text at the very end. */
            o += (size_t)snprintf(out + o, cap - o, "P[%.*s];", (int)(n - base), stream + base);
            break;
        }
    }
    return o;
}

typedef struct frame_row {
    const char *name;
    const char *stream;
    uint64_t max;
    const char *want;
} frame_row;

static const frame_row frame_rows[] = {
    {"plain lines", "a NOOP\r\nb LOGOUT\n", 0, "T0[a NOOP]CRLF.;T0[b LOGOUT]LF.;"},
    {"one literal", "a LOGIN {3}\r\nbob {5}\r\nsecre\r\n", 0,
     "T0[a LOGIN {3}]CRLFok;L<bob>;T1[ {5}]CRLFok;L<secre>;T2[]CRLF.;"},
    {"zero literal", "A APPEND b {0}\r\n\r\nB NOOP\r\n", 0,
     "T0[A APPEND b {0}]CRLFok;L<>;T1[]CRLF.;T0[B NOOP]CRLF.;"},
    {"plus and minus", "A X {2+}\r\nab {2-}\r\ncd ~{3+}\r\n\x01\r\n)\r\n", 0,
     "T0[A X {2+}]CRLFok;L<ab>;T1[ {2-}]CRLFok;L<cd>;T2[ ~{3+}]CRLFok;L<\x01\r\n>;T3[)]CRLF.;"},
    {"literal holds crlf and braces", "* 1 FETCH (BODY[] {13}\r\nx {4}\r\nab\r\n\r\n FLAGS ())\r\n",
     0, "T0[* 1 FETCH (BODY[] {13}]CRLFok;L<x {4}\r\nab\r\n\r\n>;T1[ FLAGS ())]CRLF.;"},
    {"malformed ends line", "a LOGIN {abc}\r\nb NOOP\r\n", 0,
     "T0[a LOGIN {abc}]CRLFnot digits.;T0[b NOOP]CRLF.;"},
    {"overflow ends line", "a X {99999999999999999999}\r\nb\r\n", 0,
     "T0[a X {99999999999999999999}]CRLFoverflow.;T0[b]CRLF.;"},
    {"insane ends line", "a X {4294967296}\r\nb\r\n", 65536,
     "T0[a X {4294967296}]CRLFinsane.;T0[b]CRLF.;"},
    {"unfinished literal", "a X {10}\r\nabc", 0, "T0[a X {10}]CRLFok;"},
    {"unfinished text", "a NOOP\r\nb NO", 0, "T0[a NOOP]CRLF.;P[b NO];"},
    {"header on LF line", "a X {2}\nab\n", 0, "T0[a X {2}]LFok;L<ab>;T1[]LF.;"},
};

static void test_frame(void)
{
    char want[512], got[512];
    for (size_t i = 0; i < sizeof frame_rows / sizeof frame_rows[0]; i++) {
        const frame_row *r = &frame_rows[i];
        size_t n = strlen(r->stream);
        size_t wl = strlen(r->want);
        memcpy(want, r->want, wl);
        for (size_t cut = 0; cut <= n; cut++) {
            size_t gl = transcript(r->stream, n, 0, cut, r->max, got, sizeof got);
            if (gl != wl || memcmp(got, want, wl) != 0) {
                fprintf(stderr, "row %s cut %zu: %.*s\n", r->name, cut, (int)gl, got);
                CHECK(0);
                break;
            }
            CHECK(1);
        }
        for (size_t step = 1; step <= 3; step++) {
            size_t gl = transcript(r->stream, n, step, 0, r->max, got, sizeof got);
            if (gl != wl || memcmp(got, want, wl) != 0)
                fprintf(stderr, "row %s step %zu: %.*s\n", r->name, step, (int)gl, got);
            CHECK(gl == wl && memcmp(got, want, wl) == 0);
        }
    }
}

/* The resumed scan keeps the flags and the CR CR LF of earlier pieces. */
static void test_resume_flags(void)
{
    const char *s = "a\x01 b\r\r\n";
    mw_imap_frame st = {0};
    mw_imap_event ev;
    size_t pos = 0;
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)s, 5, &pos, &ev), MW_IMAP_EV_NEED_MORE);
    CHECK_EQ_INT(pos, 0);
    CHECK_EQ_INT(ev.len, 5);
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)s, 6, &pos, &ev), MW_IMAP_EV_NEED_MORE);
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)s, 7, &pos, &ev), MW_IMAP_EV_TEXT);
    CHECK_EQ_INT(ev.len, 5);
    CHECK_EQ_INT(ev.eol, MW_EOL_CRLF);
    CHECK(ev.line_flags & MW_LINE_CTRL);
    CHECK(ev.line_flags & MW_LINE_CRCRLF);
    CHECK(ev.line_flags & MW_LINE_BARE_CR);
    CHECK_EQ_INT(pos, 7);
}

static void test_wanted_and_cancel(void)
{
    const char *s = "a LOGIN {5}\r\nb NOOP\r\n";
    mw_imap_frame st = {0};
    mw_imap_event ev;
    size_t pos = 0;
    CHECK_EQ_INT(mw_imap_frame_wanted(&st), 0);
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)s, 13, &pos, &ev), MW_IMAP_EV_TEXT);
    CHECK(!ev.line_end);
    CHECK_EQ_INT(ev.lit.size, 5);
    CHECK_SPAN(s + ev.lit.digits_off, ev.lit.digits_len, "5");
    CHECK_EQ_INT(mw_imap_frame_wanted(&st), 5);
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)s, 13, &pos, &ev), MW_IMAP_EV_NEED_MORE);
    /* The server said NO: the literal never comes. */
    mw_imap_frame_cancel_literal(&st);
    CHECK_EQ_INT(mw_imap_frame_wanted(&st), 0);
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)s, strlen(s), &pos, &ev),
                 MW_IMAP_EV_TEXT);
    CHECK_SPAN(s + ev.off, ev.len, "b NOOP");
    CHECK_EQ_INT(ev.segment, 0);
    CHECK(ev.line_end);
    mw_imap_frame_cancel_literal(&st);
    CHECK_EQ_INT(mw_imap_frame_wanted(&st), 0);
}

/* A huge literal is counted, never buffered: 1 MB in 1000-byte pieces. */
static void test_large_literal(void)
{
    mw_imap_frame st = {0};
    const char *hdr = "* 1 FETCH (BODY[] {1000000}\r\n";
    static uint8_t chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    mw_imap_event ev;
    size_t pos = 0;
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)hdr, strlen(hdr), &pos, &ev),
                 MW_IMAP_EV_TEXT);
    uint64_t seen = 0;
    unsigned ends = 0;
    for (int i = 0; i < 1000; i++) {
        pos = 0;
        while (mw_imap_frame_next(&st, chunk, sizeof chunk, &pos, &ev) == MW_IMAP_EV_LITERAL) {
            seen += ev.len;
            ends += ev.lit_end;
        }
    }
    CHECK(seen == 1000000);
    CHECK_EQ_INT(ends, 1);
    CHECK_EQ_INT(mw_imap_frame_wanted(&st), 0);
}

/* Arbitrary bytes never crash the framer and always make progress. */
static void test_noise(void)
{
    uint8_t buf[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        const char alphabet[] = "{}0123456789+-~\r\n ax";
        buf[i] = (uint8_t)alphabet[(x >> 16) % (sizeof alphabet - 1)];
    }
    mw_imap_frame st = {0};
    st.max_literal = 100;
    size_t pos = 0, events = 0;
    mw_imap_event ev;
    while (mw_imap_frame_next(&st, buf, sizeof buf, &pos, &ev) != MW_IMAP_EV_NEED_MORE)
        events++;
    CHECK(events > 10);
    CHECK(pos <= sizeof buf);
    /* Out-of-range position is clamped, not trusted. */
    pos = sizeof buf + 10;
    mw_imap_frame z = {0};
    CHECK_EQ_INT(mw_imap_frame_next(&z, buf, sizeof buf, &pos, &ev), MW_IMAP_EV_NEED_MORE);
    CHECK_EQ_INT(pos, sizeof buf);
}

/* An over-long line comes out in fragments of max_line bytes (a trailing CR
 * kept back); the rest is a line marked continued; a literal header inside a
 * fragment does not count. */
static void test_fragments(void)
{
    mw_imap_frame st = {0};
    st.max_line = 4;
    mw_imap_event ev;
    const char *a = "abc\r";
    size_t pos = 0;
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)a, 3, &pos, &ev), MW_IMAP_EV_NEED_MORE);
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)a, 4, &pos, &ev), MW_IMAP_EV_TEXT);
    CHECK(ev.fragment);
    CHECK(!ev.continued);
    CHECK_EQ_INT(ev.len, 3);
    CHECK_EQ_INT(pos, 3);
    /* the CR kept back is re-fed with what follows */
    const char *b = "\r{2}\r\nxy\r\n";
    pos = 0;
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)b, 2, &pos, &ev), MW_IMAP_EV_NEED_MORE);
    const char *c = "\r{2}\r";
    pos = 0;
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)c, 5, &pos, &ev), MW_IMAP_EV_TEXT);
    CHECK(ev.fragment);
    CHECK(ev.continued);
    CHECK_EQ_INT(ev.lit.status, MW_IMAP_LIT_ABSENT);
    CHECK_EQ_INT(mw_imap_frame_wanted(&st), 0);
    const char *d = "\r\n";
    pos = 0;
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)d, 2, &pos, &ev), MW_IMAP_EV_TEXT);
    CHECK(!ev.fragment);
    CHECK(ev.continued);
    CHECK_EQ_INT(ev.len, 0);
    CHECK(ev.line_end);
    CHECK(!st.mid_line);
}

/* Bytes lost inside a literal shorten it; lost past its end end it, and the
 * text after a loss is marked continued. */
static void test_gap(void)
{
    mw_imap_frame st = {0};
    mw_imap_event ev;
    const char *h = "* 1 FETCH (BODY[] {10}\r\n";
    size_t pos = 0;
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)h, strlen(h), &pos, &ev), MW_IMAP_EV_TEXT);
    mw_imap_frame_gap(&st, 4);
    CHECK_EQ_INT(mw_imap_frame_wanted(&st), 6);
    mw_imap_frame_gap(&st, 100);
    CHECK_EQ_INT(mw_imap_frame_wanted(&st), 0);
    const char *t = "a OK\r\n";
    pos = 0;
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)t, strlen(t), &pos, &ev), MW_IMAP_EV_TEXT);
    CHECK(ev.continued);
    CHECK_EQ_INT(ev.segment, 0);
    CHECK_EQ_INT(mw_imap_frame_next(&st, (const uint8_t *)t, strlen(t), &pos, &ev),
                 MW_IMAP_EV_NEED_MORE);
}

int main(void)
{
    test_fragments();
    test_gap();
    test_headers();
    test_parse_u64();
    test_frame();
    test_resume_flags();
    test_wanted_and_cancel();
    test_large_literal();
    test_noise();
    return CHECK_DONE();
}

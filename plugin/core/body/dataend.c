/* End-of-DATA classification: see dataend.h for the naming rule. */
#include "core/body/dataend.h"

#include <string.h>

/* What stands before a candidate dot. */
enum { PRE_CRLF, PRE_CRCRLF, PRE_LF, PRE_CR, PRE_CRLF_NUL, PRE_NONE };

/* What stands after it. */
enum { POST_CRLF, POST_LF, POST_CR, POST_CRCRLF, POST_NULCRLF, POST_NONE, POST_MORE };

/* Longest row for each (pre, post); -1 where no row matches.  A CR CR LF
 * after the dot is a row of its own only after a CRLF (rows 11, 12); after a
 * bare LF or CR the longest row is the one with a bare CR (6, 4). */
static const signed char class_of[5][5] = {
    /*               CRLF LF  CR CRCRLF NULCRLF */
    [PRE_CRLF]     = {0, 3, 8, 11, 10},
    [PRE_CRCRLF]   = {0, 3, 8, 12, 10},
    [PRE_LF]       = {2, 1, 6, 6, -1},
    [PRE_CR]       = {7, 5, 4, 4, -1},
    [PRE_CRLF_NUL] = {9, -1, -1, -1, -1},
};

/* Bytes before and after the dot in each row. */
static const uint8_t pre_len[MW_DATAEND_NCLASSES] = {2, 1, 1, 2, 1, 1, 1, 1, 2, 3, 2, 2, 3};
static const uint8_t post_len[MW_DATAEND_NCLASSES] = {2, 1, 2, 1, 1, 1, 1, 2, 1, 2, 3, 3, 3};

static const char *const class_bytes[MW_DATAEND_NCLASSES] = {
    "<CR><LF>.<CR><LF>", "<LF>.<LF>", "<LF>.<CR><LF>", "<CR><LF>.<LF>",
    "<CR>.<CR>", "<CR>.<LF>", "<LF>.<CR>", "<CR>.<CR><LF>", "<CR><LF>.<CR>",
    "<CR><LF><NUL>.<CR><LF>", "<CR><LF>.<NUL><CR><LF>", "<CR><LF>.<CR><CR><LF>",
    "<CR><CR><LF>.<CR><CR><LF>",
};

static const char *const class_who[MW_DATAEND_NCLASSES] = {
    "every receiver (the only correct end)",
    "Postfix without smtpd_forbid_bare_newline, Sendmail <= 8.17, Exim <= 4.97",
    ("Postfix, Sendmail, Exim in some setups (CVE-2023-51764/51765/51766; Exim 4.96 with defaults only after bare-LF lines); "
     "passed outbound by Exchange Online and GMX/IONOS"),
    "Exim in some setups (not 4.96 with defaults); a dot-stuffing sender cannot produce it, a raw client can",
    "Cisco Secure Email with \"Clean\" CR/LF handling",
    "receivers that normalise bare CR or LF to CRLF",
    "receivers that normalise bare CR or LF to CRLF",
    "receivers that normalise bare CR or LF to CRLF; Wireshark 4.0's built-in SMTP",
    "receivers that normalise bare CR or LF to CRLF",
    "receivers that strip NUL",
    "receivers that strip NUL",
    "Postfix before Jan 2024 (folded CR+ LF into CRLF)",
    "Postfix before Jan 2024 (folded CR+ LF into CRLF)",
};

const char *mw_dataend_class_bytes(int cls)
{
    return cls >= 0 && cls < MW_DATAEND_NCLASSES ? class_bytes[cls] : NULL;
}

const char *mw_dataend_class_who(int cls)
{
    return cls >= 0 && cls < MW_DATAEND_NCLASSES ? class_who[cls] : NULL;
}

uint64_t mw_dataend_event_dot(const mw_dataend_event *e)
{
    if (e->flags & MW_DATAEND_AT_START)
        return (uint64_t)(e->len - 1 - post_len[e->cls]);
    return e->offset + pre_len[e->cls];
}

bool mw_dataend_ends(const mw_dataend_state *st, int cls)
{
    if (cls == MW_DATAEND_STRICT)
        return true;
    return st->policy == MW_DATAEND_POLICY_LINES && cls >= 0 && cls <= MW_DATAEND_CRLF_LF;
}

static void bump(uint32_t *n)
{
    if (*n != UINT32_MAX)
        (*n)++;
}

/* Reads the line end after a dot; POST_MORE while undecided.  With final set
 * the missing bytes are taken as absent. */
static int post_kind(const uint8_t *p, size_t n, bool final)
{
    if (n == 0)
        return final ? POST_NONE : POST_MORE;
    if (p[0] == '\n')
        return POST_LF;
    if (p[0] == '\r') {
        if (n < 2)
            return final ? POST_CR : POST_MORE;
        if (p[1] == '\n')
            return POST_CRLF;
        if (p[1] != '\r')
            return POST_CR;
        if (n < 3)
            return final ? POST_CR : POST_MORE;
        return p[2] == '\n' ? POST_CRCRLF : POST_CR;
    }
    if (p[0] == '\0') {
        if (n < 3 && !final && (n < 2 || p[1] == '\r'))
            return POST_MORE;
        return n >= 3 && p[1] == '\r' && p[2] == '\n' ? POST_NULCRLF : POST_NONE;
    }
    return POST_NONE;
}

/* What precedes a dot about to be read, from the last three bytes. */
static int pre_kind(const int *hist)
{
    if (hist[0] == '\n') {
        if (hist[1] != '\r')
            return PRE_LF;
        return hist[2] == '\r' ? PRE_CRCRLF : PRE_CRLF;
    }
    if (hist[0] == '\r')
        return PRE_CR;
    if (hist[0] == '\0' && hist[1] == '\n' && hist[2] == '\r')
        return PRE_CRLF_NUL;
    return PRE_NONE;
}

static mw_dataend_event make_event(const mw_dataend_state *st, int cls)
{
    mw_dataend_event e;
    uint64_t back = pre_len[cls];
    e.cls = (uint8_t)cls;
    e.len = (uint8_t)(pre_len[cls] + 1 + post_len[cls]);
    e.flags = 0;
    if (st->dot_pos < back) {
        /* The missing bytes are the CRLF that precedes the body. */
        e.len = (uint8_t)(e.len - (back - st->dot_pos));
        e.offset = 0;
        e.flags = MW_DATAEND_AT_START;
    } else {
        e.offset = st->dot_pos - back;
    }
    return e;
}

/* Output sink with its capacity checked by the caller's pause rule. */
typedef struct sink {
    uint8_t *out;
    size_t cap, len;
} sink;

static void put(sink *s, uint8_t c)
{
    if (s->out && s->len < s->cap)
        s->out[s->len++] = c;
}

/* Decides the pending dot if its post bytes allow; returns the class, -1 for
 * no candidate, or -2 while undecided.  On a decision the held bytes go out. */
static int resolve(mw_dataend_state *st, bool final, sink *s)
{
    int q = post_kind(st->post, st->npost, final);
    if (q == POST_MORE)
        return -2;
    int cls = q == POST_NONE || st->pre == PRE_NONE ? -1 : class_of[st->pre][q];
    if (st->holding && !mw_dataend_ends(st, cls)) {
        /* A line reader drops a line-start dot that does not end the body;
         * a strict receiver keeps the dot of a candidate as content. */
        if (cls < 0 || st->policy == MW_DATAEND_POLICY_LINES) {
            bump(&st->counts.dot_stuffed); /* the stuffing dot is dropped */
            if (st->npost == 0 || st->post[0] != '.')
                bump(&st->counts.dot_single);
        } else {
            put(s, '.');
        }
        for (unsigned i = 0; i < st->npost; i++)
            put(s, st->post[i]);
    }
    if (cls >= 0)
        bump(&st->counts.by_class[cls]);
    st->pending = false;
    st->holding = false;
    return cls;
}

/* Per-byte counters; hist still holds the bytes before c. */
static void count_byte(mw_dataend_state *st, uint8_t c)
{
    mw_dataend_counts *k = &st->counts;
    if (st->hist[0] == '\r' && c != '\n')
        bump(&k->bare_cr);
    if (c == '\0')
        bump(&k->nul);
    if (c != '\n') {
        st->line_len++;
        return;
    }
    if (st->hist[0] != '\r')
        bump(&k->bare_lf);
    uint64_t content = st->line_len;
    if (st->hist[0] == '\r' && content > 0)
        content--;
    if (content > 998)
        bump(&k->long_lines);
    st->line_len = 0;
}

static void push_hist(mw_dataend_state *st, uint8_t c)
{
    st->hist[2] = st->hist[1];
    st->hist[1] = st->hist[0];
    st->hist[0] = c;
    st->pos++;
}

static void start(mw_dataend_state *st)
{
    if (st->started)
        return;
    /* The body follows a CRLF (or a bare LF). */
    st->hist[0] = '\n';
    st->hist[1] = st->start_lf ? -1 : '\r';
    st->hist[2] = -1;
    st->started = true;
}

/* One byte; returns the decided class (>= 0) and sets *e if an event was
 * produced.  The event is made before a new dot can replace the pending one. */
static int step(mw_dataend_state *st, uint8_t c, sink *s, mw_dataend_event *e)
{
    int cls = -1;
    bool sent = false; /* c already went out with released held bytes */
    count_byte(st, c);
    if (st->pending) {
        bool was_holding = st->holding;
        st->post[st->npost++] = c;
        cls = resolve(st, false, s);
        if (cls == -2) {
            if (!was_holding)
                put(s, c);
            push_hist(st, c);
            return -1;
        }
        sent = was_holding;
        if (cls >= 0)
            *e = make_event(st, cls);
        if (mw_dataend_ends(st, cls)) {
            push_hist(st, c);
            return cls;
        }
    }
    if (c == '.') {
        int pre = pre_kind(st->hist);
        if (pre != PRE_NONE) {
            st->pending = true;
            st->pre = (uint8_t)pre;
            st->npost = 0;
            st->dot_pos = st->pos;
            /* A dot that starts a line may be a stuffing dot or the strict end. */
            st->holding = !sent && (pre == PRE_CRLF || pre == PRE_CRCRLF || pre == PRE_LF);
            sent = sent || st->holding;
        }
    }
    if (!sent)
        put(s, c);
    push_hist(st, c);
    return cls;
}

/* Whether any of the eight bytes at p is a CR, LF, dot or NUL: a word has a
 * zero byte exactly when (w - 0x01..01) & ~w & 0x80..80 is not zero, and
 * w ^ c*0x01..01 has one where w holds c.  Eight bytes in a few operations,
 * for the runs of text that make most of a body. */
static bool word_has_special(const uint8_t *p)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t w;
    memcpy(&w, p, sizeof w);
    uint64_t cr = w ^ (ones * '\r'), lf = w ^ (ones * '\n'), dot = w ^ (ones * '.');
    uint64_t z = ((w - ones) & ~w) | ((cr - ones) & ~cr) | ((lf - ones) & ~lf) |
                 ((dot - ones) & ~dot);
    return (z & highs) != 0;
}

/* How many of the next bytes (at most max) step() would only count and pass
 * on: no dot waits, the byte before is no CR (a bare CR is counted at the
 * byte after it), and none of them is a line end, a dot or a NUL.  Most of
 * a body is such runs. */
static size_t plain_run(const mw_dataend_state *st, const uint8_t *p, size_t n, size_t max)
{
    if (st->pending || st->hist[0] == '\r')
        return 0;
    if (n > max)
        n = max;
    size_t k = 0;
    while (n - k >= 8 && !word_has_special(p + k))
        k += 8;
    while (k < n && p[k] != '\r' && p[k] != '\n' && p[k] != '.' && p[k] != '\0')
        k++;
    return k;
}

/* step() for each of a plain run of n >= 2 bytes, at once. */
static void take_plain(mw_dataend_state *st, const uint8_t *p, size_t n, sink *s)
{
    if (s->out) {
        memcpy(s->out + s->len, p, n);
        s->len += n;
    }
    st->line_len += n;
    st->pos += n;
    st->hist[2] = n > 2 ? p[n - 3] : st->hist[0];
    st->hist[1] = p[n - 2];
    st->hist[0] = p[n - 1];
}

mw_dataend_result mw_dataend_feed(mw_dataend_state *st, const uint8_t *buf, size_t len,
                                  mw_dataend_event *ev, size_t ev_cap,
                                  uint8_t *out, size_t out_cap)
{
    mw_dataend_result r = {MW_DATAEND_NEED_MORE, 0, 0, 0};
    sink s = {out, out ? out_cap : 0, 0};
    if (!ev)
        ev_cap = 0;
    if (st->done) {
        r.status = MW_DATAEND_END;
        return r;
    }
    start(st);
    for (size_t i = 0; i < len; i++) {
        if (out && s.cap - s.len < MW_DATAEND_OUT_SLACK) {
            r.status = MW_DATAEND_PAUSED;
            break;
        }
        size_t room = out ? s.cap - s.len - MW_DATAEND_OUT_SLACK + 1 : len - i;
        size_t run = plain_run(st, buf + i, len - i, room);
        if (run > 1) {
            take_plain(st, buf + i, run, &s);
            i += run - 1;
            r.consumed = i + 1;
            continue;
        }
        mw_dataend_event e;
        int cls = step(st, buf[i], &s, &e);
        r.consumed = i + 1;
        if (cls < 0)
            continue;
        if (r.nevents < ev_cap)
            ev[r.nevents++] = e;
        if (mw_dataend_ends(st, cls)) {
            st->done = true;
            st->end_offset = st->pos;
            r.status = MW_DATAEND_END;
            break;
        }
        if (ev_cap && r.nevents == ev_cap && i + 1 < len) {
            r.status = MW_DATAEND_PAUSED;
            break;
        }
    }
    r.out_len = s.len;
    return r;
}

size_t mw_dataend_finish(mw_dataend_state *st, mw_dataend_event *ev, size_t ev_cap,
                         uint8_t *out, size_t out_cap, size_t *out_len)
{
    sink s = {out, out ? out_cap : 0, 0};
    size_t n = 0;
    if (!st->done && !st->finished && st->started) {
        if (st->pending) {
            int cls = resolve(st, true, &s);
            if (cls >= 0 && ev && ev_cap > 0) {
                ev[0] = make_event(st, cls);
                ev[0].flags |= MW_DATAEND_AT_EOF;
                n = 1;
            }
        }
        if (st->hist[0] == '\r' && st->pos > 0)
            bump(&st->counts.bare_cr);
        if (st->line_len > 998)
            bump(&st->counts.long_lines);
        st->line_len = 0;
    }
    st->finished = true;
    if (out_len)
        *out_len = s.len;
    return n;
}

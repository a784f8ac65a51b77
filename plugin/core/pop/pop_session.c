/* The POP3 session machine: see pop_session.h. */
#include "core/pop/pop_session.h"

#include <glib.h>
#include <string.h>

#include "core/mail/sasl.h"
#include "core/text/base64.h"

#define POP_MAX_LISTED 1000000u

void mw_pop_session_init(mw_pop_session *s, const mw_pop_alloc *a)
{
    memset(s, 0, sizeof *s);
    s->a = *a;
    s->state = MW_POP_STATE_UNKNOWN;
    s->user_kept = "";
}

const char *mw_pop_state_name(mw_pop_state st)
{
    switch (st) {
    case MW_POP_STATE_AUTHORIZATION: return "AUTHORIZATION";
    case MW_POP_STATE_TRANSACTION: return "TRANSACTION";
    case MW_POP_STATE_UPDATE: return "UPDATE";
    default: return "unknown (greeting not captured)";
    }
}

/* One call in progress: the buffer and the items found so far. */
typedef struct pop_feed {
    mw_pop_session *s;
    const uint8_t *buf;
    size_t len;
    const mw_pop_input *in;
    mw_pop_item *items;
    uint32_t n, cap;
    bool mid_line;
    bool body_line_seen; /* a body line of this call was already reported */
} pop_feed;

static void *pop_alloc(mw_pop_session *s, size_t n)
{
    return s->a.alloc(s->a.ud, n);
}

static mw_pop_item *item_new(pop_feed *f, mw_pop_item_kind kind, size_t off)
{
    if (f->n == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 8;
        f->items = (mw_pop_item *)g_realloc(f->items, cap * sizeof *f->items);
        memset(f->items + f->cap, 0, (cap - f->cap) * sizeof *f->items);
        f->cap = cap;
    }
    mw_pop_item *it = &f->items[f->n++];
    it->kind = (uint8_t)kind;
    it->off = off;
    return it;
}

typedef struct pop_line {
    size_t off;
    mw_line line;
    bool fragment, continued;
} pop_line;

static mw_pop_item *line_item(pop_feed *f, mw_pop_item_kind kind, const pop_line *l)
{
    mw_pop_item *it = item_new(f, kind, l->off);
    it->line = l->line;
    it->fragment = l->fragment;
    it->continued = l->continued;
    return it;
}

/* The next line at *off, as the engine's line reader delivers it: false when
 * the rest is an incomplete line to carry; a line longer than max_carry
 * without an end comes as a fragment (a trailing CR kept back, its LF may
 * follow). */
static bool next_line(pop_feed *f, size_t *off, pop_line *out)
{
    if (*off >= f->len)
        return false;
    const uint8_t *p = f->buf + *off;
    size_t len = f->len - *off;
    memset(out, 0, sizeof *out);
    out->off = *off;
    out->continued = f->mid_line;
    if (!mw_line_scan(p, len, 0, &out->line)) {
        if (len < f->in->max_carry)
            return false;
        out->fragment = true;
        if (p[len - 1] == '\r')
            out->line.len--;
        *off += out->line.len;
        f->mid_line = true;
        return true;
    }
    *off += out->line.len + out->line.eol_len;
    f->mid_line = false;
    return true;
}

static bool ci_prefix(const uint8_t *p, size_t len, const char *w)
{
    size_t n = strlen(w);
    return len >= n && g_ascii_strncasecmp((const char *)p, w, n) == 0;
}

/* All digits, at most 10 of them, fitting 32 bits. */
static bool parse_u32(const uint8_t *p, size_t len, uint32_t *v)
{
    uint64_t x = 0;
    if (len == 0 || len > 10)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(p[i] - '0');
    }
    if (x > UINT32_MAX)
        return false;
    *v = (uint32_t)x;
    return true;
}

static bool parse_u64(const uint8_t *p, size_t len, uint64_t *v)
{
    if (len == 0 || len > 19)
        return false;
    *v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        *v = *v * 10 + (uint64_t)(p[i] - '0');
    }
    return true;
}

static size_t find_byte(const uint8_t *p, size_t len, uint8_t c)
{
    const uint8_t *q = memchr(p, c, len);
    return q ? (size_t)(q - p) : len;
}

/* ---- the FIFO of outstanding commands and the session state ---- */

static mw_pop_pending *fifo_front(mw_pop_session *s)
{
    return s->fifo_count ? &s->fifo[s->fifo_head] : NULL;
}

static void fifo_pop(mw_pop_session *s)
{
    s->fifo_head = (uint8_t)((s->fifo_head + 1) % MW_POP_FIFO_LEN);
    s->fifo_count--;
}

static bool is_deleted(const mw_pop_session *s, uint32_t msg)
{
    for (unsigned i = 0; i < s->ndeleted; i++)
        if (s->deleted[i] == msg)
            return true;
    return false;
}

static bool allowed_in(mw_pop_state st, mw_pop_cmd c)
{
    switch (st) {
    case MW_POP_STATE_AUTHORIZATION:
        return !(c == MW_POP_CMD_STAT || c == MW_POP_CMD_LIST || c == MW_POP_CMD_RETR ||
                 c == MW_POP_CMD_DELE || c == MW_POP_CMD_NOOP || c == MW_POP_CMD_RSET ||
                 c == MW_POP_CMD_TOP || c == MW_POP_CMD_UIDL);
    case MW_POP_STATE_TRANSACTION:
        return !(c == MW_POP_CMD_USER || c == MW_POP_CMD_PASS || c == MW_POP_CMD_APOP ||
                 c == MW_POP_CMD_AUTH || c == MW_POP_CMD_STLS || c == MW_POP_CMD_UTF8);
    case MW_POP_STATE_UPDATE:
        return false;
    default:
        return true;
    }
}

/* ---- credentials ---- */

/* The user name as shown: valid UTF-8, controls as '.'. */
static void set_user(pop_feed *f, const uint8_t *p, size_t len)
{
    mw_pop_session *s = f->s;
    char raw[MW_POP_MAX_NAME * 2];
    size_t n = len < sizeof raw - 1 ? len : sizeof raw - 1;
    for (size_t i = 0; i < n; i++)
        raw[i] = (char)(p[i] < 0x20 || p[i] == 0x7f ? '.' : p[i]);
    gchar *v = g_utf8_make_valid(raw, (gssize)n);
    g_strlcpy(s->user, v, sizeof s->user);
    g_free(v);
    size_t ul = strlen(s->user);
    char *kept = (char *)pop_alloc(s, ul + 1);
    memcpy(kept, s->user, ul + 1);
    s->user_kept = kept;
    s->user_frame = f->in->frame;
}

static mw_pop_auth *auth_rec(pop_feed *f)
{
    mw_pop_auth *a = (mw_pop_auth *)pop_alloc(f->s, sizeof *a);
    a->mech = f->s->sasl;
    a->step = f->s->sasl_step;
    return a;
}

/* The user and frame as they stand after the line. */
static void auth_done(pop_feed *f, mw_pop_auth *a)
{
    a->user = f->s->user_kept;
    a->user_frame = f->s->user_frame;
}

/* A base64 SASL client response: what it tells about the user. */
static void sasl_response(pop_feed *f, const uint8_t *p, size_t len)
{
    mw_pop_session *s = f->s;
    size_t cap = len / 4 * 3 + 4, n = 0;
    const char *err = NULL;
    uint8_t *d = g_malloc(cap);
    if (len > 0 && mw_base64_decode(p, len, d, cap - 1, &n, &err)) {
        switch ((mw_sasl_mech)s->sasl) {
        case MW_SASL_PLAIN: {
            mw_sasl_plain pl;
            if (mw_sasl_plain_parse(d, n, &pl) || pl.usable)
                set_user(f, d + pl.user.off, pl.user.len);
            break;
        }
        case MW_SASL_LOGIN:
            if (s->sasl_step == 0)
                set_user(f, d, n);
            break;
        case MW_SASL_CRAM_MD5: {
            mw_sasl_cram cr;
            if (mw_sasl_cram_parse(d, n, &cr))
                set_user(f, d + cr.user.off, cr.user.len);
            break;
        }
        case MW_SASL_XOAUTH2: case MW_SASL_OAUTHBEARER: {
            mw_sasl_oauth o;
            bool ok = s->sasl == MW_SASL_XOAUTH2 ? mw_sasl_xoauth2_parse(d, n, &o)
                                                 : mw_sasl_oauthbearer_parse(d, n, &o);
            if (ok && o.authzid.len)
                set_user(f, d + o.authzid.off, o.authzid.len);
            break;
        }
        default:
            break;
        }
    }
    g_free(d);
    if (s->sasl_step < 255)
        s->sasl_step++;
}

static void auth_command(pop_feed *f, mw_pop_item *it, mw_pop_cmd cmd, size_t args_off,
                         size_t args_len)
{
    mw_pop_session *s = f->s;
    const uint8_t *a = f->buf + args_off;
    switch (cmd) {
    case MW_POP_CMD_USER:
        it->auth = auth_rec(f);
        if (args_len > 0)
            set_user(f, a, args_len);
        break;
    case MW_POP_CMD_PASS:
        it->auth = auth_rec(f);
        break;
    case MW_POP_CMD_APOP: {
        it->auth = auth_rec(f);
        size_t name_len = find_byte(a, args_len, ' ');
        if (name_len > 0)
            set_user(f, a, name_len);
        break;
    }
    case MW_POP_CMD_AUTH: {
        if (args_len == 0)
            return; /* the mechanism list */
        size_t mlen = find_byte(a, args_len, ' ');
        s->sasl = (uint8_t)mw_sasl_mech_classify(a, mlen).mech;
        s->sasl_step = 0;
        s->sasl_active = true;
        it->auth = auth_rec(f);
        if (mlen < args_len) {
            size_t ilen = args_len - mlen - 1;
            /* "=" is an empty initial response (RFC 5034) */
            if (ilen > 0 && !(ilen == 1 && a[mlen + 1] == '='))
                sasl_response(f, a + mlen + 1, ilen);
        }
        break;
    }
    default:
        return;
    }
    auth_done(f, it->auth);
}

static void sasl_line(pop_feed *f, const pop_line *l)
{
    mw_pop_item *it = line_item(f, MW_POP_ITEM_SASL, l);
    it->auth = auth_rec(f);
    const uint8_t *p = f->buf + l->off;
    if (l->line.len == 1 && p[0] == '*') {
        it->flags |= MW_POP_F_CANCELLED;
        f->s->sasl_active = false;
    } else {
        sasl_response(f, p, l->line.len);
    }
    auth_done(f, it->auth);
}

/* ---- commands ---- */

static void command(pop_feed *f, const pop_line *l)
{
    mw_pop_session *s = f->s;
    mw_pop_item *it = line_item(f, MW_POP_ITEM_COMMAND, l);
    const uint8_t *p = f->buf + l->off;
    size_t len = l->line.len;
    size_t verb_len = find_byte(p, len, ' ');
    size_t args_off = verb_len < len ? verb_len + 1 : len;
    size_t args_len = len - args_off;
    mw_pop_cmd cmd = verb_len >= 3 && verb_len <= 4 ? mw_pop_cmd_lookup(p, verb_len)
                                                      : MW_POP_CMD_UNKNOWN;
    it->cmd = (uint8_t)cmd;
    it->state = s->state;
    if (s->stls_requested || s->stls_started) {
        /* Plaintext after STLS: a server that buffers it runs it inside TLS. */
        it->flags |= MW_POP_F_STLS_INJECTION;
        return;
    }
    if (cmd == MW_POP_CMD_UNKNOWN)
        it->flags |= MW_POP_F_UNKNOWN_CMD;
    else if (!allowed_in((mw_pop_state)s->state, cmd))
        it->flags |= MW_POP_F_OUT_OF_STATE;

    /* Arguments: count them and read the first two as numbers. */
    unsigned nargs = 0;
    uint32_t nums[2] = {0, 0};
    bool num_ok[2] = {false, false};
    for (size_t a = args_off; a < len;) {
        size_t e = a + find_byte(p + a, len - a, ' ');
        if (e > a) {
            if (nargs < 2)
                num_ok[nargs] = parse_u32(p + a, e - a, &nums[nargs]);
            nargs++;
        }
        a = e + 1;
    }
    if ((cmd == MW_POP_CMD_RETR || cmd == MW_POP_CMD_TOP || cmd == MW_POP_CMD_DELE ||
         cmd == MW_POP_CMD_LIST || cmd == MW_POP_CMD_UIDL) && num_ok[0] && is_deleted(s, nums[0])) {
        it->flags |= MW_POP_F_DELETED;
        it->msg = nums[0];
    }
    auth_command(f, it, cmd, l->off + args_off, args_len);

    /* The client sends its next command once it has read an answer: when the
     * server spoke since the front command without a status line, the client
     * took what it sent as that answer.  Matching goes on from here instead
     * of one off for the rest of the session. */
    mw_pop_pending *front = fifo_front(s);
    if (front && s->server_after_front) {
        it->flags |= MW_POP_F_RESYNC;
        it->retired = front->cmd;
        it->retired_frame = front->ex ? front->ex->req_frame : 0;
        fifo_pop(s);
    }
    s->server_after_front = false;
    s->ncommands++;

    mw_pop_exchange *ex = (mw_pop_exchange *)pop_alloc(s, sizeof *ex);
    ex->req_frame = f->in->frame;
    ex->req_secs = f->in->secs;
    ex->req_nsecs = f->in->nsecs;
    it->ex = ex;
    it->n = s->fifo_count;
    if (s->fifo_count == MW_POP_FIFO_LEN) {
        it->flags |= MW_POP_F_FIFO_FULL;
        return;
    }
    mw_pop_pending *pd = &s->fifo[(s->fifo_head + s->fifo_count) % MW_POP_FIFO_LEN];
    memset(pd, 0, sizeof *pd);
    pd->cmd = (uint8_t)cmd;
    pd->nargs = (uint8_t)(nargs < 255 ? nargs : 255);
    pd->multiline = mw_pop_multiline(cmd, nargs) ||
                    (cmd == MW_POP_CMD_LANG && nargs == 0);
    pd->msg = num_ok[0] ? nums[0] : 0;
    pd->ex = ex;
    s->fifo_count++;
    if (cmd == MW_POP_CMD_STLS)
        s->stls_requested = true;
}

static void client_line(pop_feed *f, const pop_line *l)
{
    f->s->client_spoke = true;
    if (f->s->sasl_active && !f->s->stls_started)
        sasl_line(f, l);
    else
        command(f, l);
}

/* ---- multiline bodies ---- */

static void body_start(pop_feed *f, mw_pop_item *status, mw_pop_cmd cmd, const mw_pop_pending *p,
                       size_t text_off, size_t text_len, bool status_crlf)
{
    mw_pop_session *s = f->s;
    s->ml_active = true;
    s->ml_cmd = (uint8_t)cmd;
    s->ml_kind = (cmd == MW_POP_CMD_RETR || cmd == MW_POP_CMD_TOP) ? MW_POP_BODY_MESSAGE
                                                                  : MW_POP_BODY_LINES;
    s->ml_msg = p ? p->msg : 0;
    s->ml_entries = 0;
    s->ml_octets_known = false;
    memset(&s->body, 0, sizeof s->body);
    s->body.policy = MW_DATAEND_POLICY_LINES;
    s->body.start_lf = !status_crlf;
    s->body_lines = 0;
    s->ml = (mw_pop_multi *)pop_alloc(s, sizeof *s->ml);
    s->ml->start_frame = f->in->frame;
    if (cmd == MW_POP_CMD_LIST) {
        /* a new listing: sizes from here on */
        s->sizes_valid = true;
        if (s->sizes)
            memset(s->sizes, 0, s->sizes_cap * sizeof *s->sizes);
    }
    if (s->ml_kind == MW_POP_BODY_MESSAGE && text_len > 0) {
        /* "+OK 120 octets": the first word, when it is a number */
        const uint8_t *t = f->buf + text_off;
        size_t w = find_byte(t, text_len, ' ');
        s->ml_octets_known = parse_u64(t, w, &s->ml_octets);
        if (status && s->ml_octets_known) {
            status->flags |= MW_POP_F_OCTETS;
            status->octets = s->ml_octets;
            status->octets_len = w;
        }
    }
    if (status) {
        status->flags |= MW_POP_F_MULTILINE;
        status->ml = s->ml;
    }
}

static uint32_t count_lf(const uint8_t *p, size_t n)
{
    uint32_t c = 0;
    for (const uint8_t *q = p, *e = p + n; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
        c++;
    return c;
}

static mw_dataend_event *events_copy(pop_feed *f, const mw_dataend_event *ev, size_t n)
{
    if (n == 0)
        return NULL;
    mw_dataend_event *c = (mw_dataend_event *)pop_alloc(f->s, n * sizeof *c);
    memcpy(c, ev, n * sizeof *c);
    return c;
}

/* The body ended at the dot at body offset dot (row cls): the facts of the
 * whole body.  own_dot: the scanner dropped that dot as a stuffing one (a
 * candidate taken as the end after the scan went past it). */
static mw_pop_item *body_finish(pop_feed *f, size_t term_off, size_t term_len, uint8_t cls,
                                uint64_t dot, bool own_dot)
{
    mw_pop_session *s = f->s;
    mw_pop_item *it = item_new(f, MW_POP_ITEM_BODY_END, term_off);
    it->line.len = term_len;
    it->cmd = s->ml_cmd;
    it->cls = cls;
    it->ml = s->ml;
    mw_pop_end *e = (mw_pop_end *)pop_alloc(s, sizeof *e);
    it->end = e;
    uint32_t dropped = s->body.counts.dot_stuffed - (own_dot ? 1 : 0);
    uint32_t single = s->body.counts.dot_single - (own_dot ? 1 : 0);
    e->lines = s->body_lines;
    e->stuffed = dropped - single;
    e->bare_dot = single;
    e->entries = s->ml_entries;
    e->msg = s->ml_msg;
    it->n = s->body_lines;
    s->ml->end_frame = f->in->frame;
    s->ml->lines = s->body_lines;
    if ((s->ml_cmd == MW_POP_CMD_LIST || s->ml_cmd == MW_POP_CMD_UIDL) && s->stat_known &&
        s->ml_kind == MW_POP_BODY_LINES) {
        int64_t expect = (int64_t)s->stat_count + s->stat_deleted_base - s->ndeleted;
        if (expect != (int64_t)s->ml_entries) {
            it->flags |= MW_POP_F_STAT_MISMATCH;
            e->stat_expect = expect;
        }
    }
    if (s->ml_cmd == MW_POP_CMD_RETR || s->ml_cmd == MW_POP_CMD_TOP) {
        /* The message as the client stores it: body bytes before the '.'
         * line, stuffing dots removed. */
        it->flags |= MW_POP_F_MESSAGE;
        e->size = dot - dropped;
        mw_pop_multi *m = s->ml;
        if (m->msg && m->msg_len > e->size)
            m->msg_len = (size_t)e->size; /* what the scan wrote past the end */
        if (s->ml_octets_known) {
            it->flags |= MW_POP_F_OCTETS;
            e->octets = s->ml_octets;
        }
        if (s->ml_cmd == MW_POP_CMD_RETR && s->sizes_valid && s->ml_msg > 0 &&
            s->ml_msg < s->sizes_cap && s->sizes[s->ml_msg] && s->sizes[s->ml_msg] != e->size) {
            it->flags |= MW_POP_F_LIST_SIZE;
            e->list_size = s->sizes[s->ml_msg];
        }
    }
    s->ml_active = false;
    s->ml = NULL;
    return it;
}

static void listing_entry(pop_feed *f, mw_pop_item *it, const uint8_t *p, size_t len)
{
    mw_pop_session *s = f->s;
    size_t sp = find_byte(p, len, ' ');
    uint64_t msg = 0, size = 0;
    bool ok = parse_u64(p, sp, &msg) && sp + 1 < len && msg <= UINT32_MAX;
    if (s->ml_cmd == MW_POP_CMD_LIST) {
        ok = ok && parse_u64(p + sp + 1, len - sp - 1, &size) && size <= UINT32_MAX;
        if (ok && msg > 0 && msg < POP_MAX_LISTED) {
            if (msg >= s->sizes_cap) {
                uint32_t cap = s->sizes_cap > 64 ? s->sizes_cap : 64;
                while (cap <= msg)
                    cap *= 2;
                s->sizes = (uint32_t *)s->a.realloc(s->a.ud, s->sizes, cap * sizeof *s->sizes);
                memset(s->sizes + s->sizes_cap, 0, (cap - s->sizes_cap) * sizeof *s->sizes);
                s->sizes_cap = cap;
            }
            s->sizes[msg] = (uint32_t)size;
        }
    } else {
        size_t ul = len - sp - 1;
        ok = ok && ul >= 1 && ul <= 70;
        for (size_t i = 0; ok && i < ul; i++)
            ok = p[sp + 1 + i] >= 0x21 && p[sp + 1 + i] <= 0x7e;
    }
    if (!ok)
        it->flags |= MW_POP_F_BAD_ENTRY;
}

static bool is_status(const uint8_t *p, size_t len)
{
    return ci_prefix(p, len, "+OK") || ci_prefix(p, len, "-ERR");
}

/* One line of a listing-type body.  False when it is not body after all (a
 * listing cut short by a status line): the caller takes it as a response. */
static bool body_line(pop_feed *f, const pop_line *l)
{
    mw_pop_session *s = f->s;
    if (!s->ml_active || s->ml_kind != MW_POP_BODY_LINES)
        return false;
    const uint8_t *p = f->buf + l->off;
    size_t len = l->line.len, full = len + l->line.eol_len;
    mw_pop_cmd cmd = (mw_pop_cmd)s->ml_cmd;

    /* A listing cut short: a status line where entries are due, with a later
     * command waiting for it.  The listing never got its '.'. */
    if (cmd != MW_POP_CMD_UNKNOWN && fifo_front(s) && is_status(p, len)) {
        mw_pop_item *it = item_new(f, MW_POP_ITEM_BODY_CUT, l->off);
        it->cmd = (uint8_t)cmd;
        it->ml = s->ml;
        s->ml->end_frame = f->in->frame;
        s->ml->lines = s->body_lines;
        s->ml->unterminated = true;
        s->ml_active = false;
        s->ml = NULL;
        return false;
    }

    uint64_t base_pos = s->body.pos;
    mw_dataend_event ev[8], all[MW_POP_MAX_EVENTS];
    size_t nall = 0, fed = 0;
    mw_dataend_result r;
    do {
        r = mw_dataend_feed(&s->body, p + fed, full - fed, ev, G_N_ELEMENTS(ev), NULL, 0);
        fed += r.consumed;
        if (r.status == MW_DATAEND_END) {
            /* the "." line (its event is the last one) */
            const mw_dataend_event *e = &ev[r.nevents - 1];
            body_finish(f, l->off, full, e->cls, mw_dataend_event_dot(e), false);
            return true;
        }
        for (size_t i = 0; i < r.nevents && nall < G_N_ELEMENTS(all); i++)
            all[nall++] = ev[i];
    } while (fed < full && r.consumed > 0);
    s->body_lines += count_lf(p, full);

    mw_pop_item *it = line_item(f, MW_POP_ITEM_BODY_LINE, l);
    it->cmd = (uint8_t)cmd;
    it->ml = s->ml;
    it->ev = events_copy(f, all, nall);
    it->nev = (uint8_t)nall;
    it->body_off = base_pos;
    if (!f->body_line_seen) {
        f->body_line_seen = true;
        it->flags |= MW_POP_F_FIRST_IN_CALL;
    }
    if (cmd == MW_POP_CMD_UNKNOWN && s->ml_entries == 0)
        it->flags |= MW_POP_F_UNKNOWN_BODY;
    s->ml_entries++;
    it->n = s->ml_entries;
    switch (cmd) {
    case MW_POP_CMD_LIST: case MW_POP_CMD_UIDL:
        listing_entry(f, it, p, len);
        break;
    case MW_POP_CMD_CAPA:
        if (len == 10 && g_ascii_strncasecmp((const char *)p, "PIPELINING", 10) == 0) {
            s->pipelining = true;
            it->flags |= MW_POP_F_PIPELINING;
        }
        break;
    default:
        break;
    }
    return true;
}

/* A dot between bare CRs ends the body for readers that split lines at a
 * bare CR.  Line readers (split at LF) read on, so it is only a candidate;
 * but when the bytes right after it are a status line and a later command is
 * waiting for its response, the server evidently meant it as the end: the
 * body ends there, and the status line answers the next command. */
static bool cr_class(uint8_t cls)
{
    return cls == MW_DATAEND_CR_CR || cls == MW_DATAEND_LF_CR || cls == MW_DATAEND_CRLF_CR;
}

enum { STATUS_NO, STATUS_YES, STATUS_MAYBE };

/* Is a status line at buf[at]?  MAYBE while the bytes there are too few to
 * tell. */
static int status_at(pop_feed *f, size_t at)
{
    if (!fifo_front(f->s) || at > f->len)
        return STATUS_NO;
    const uint8_t *p = f->buf + at;
    size_t rem = f->len - at;
    static const char *const words[] = {"+OK", "-ERR"};
    int verdict = STATUS_NO;
    for (size_t w = 0; w < G_N_ELEMENTS(words); w++) {
        size_t n = strlen(words[w]);
        if (rem >= n && memcmp(p, words[w], n) == 0)
            return STATUS_YES;
        if (rem < n && memcmp(p, words[w], rem) == 0)
            verdict = STATUS_MAYBE;
    }
    return verdict;
}

/* Message bytes (RETR, TOP) from offset; returns the new offset.  *wait:
 * the bytes left decide whether a candidate ends the body and are too few,
 * so they wait for the next call (the engine carries them). */
static size_t body_message(pop_feed *f, size_t offset, bool *wait)
{
    mw_pop_session *s = f->s;
    size_t len = f->len, start = offset;
    uint64_t base_pos = s->body.pos;
    mw_pop_multi *m = s->ml;
    bool keep = s->ml_cmd == MW_POP_CMD_RETR || s->ml_cmd == MW_POP_CMD_TOP;
    uint32_t lines_before = s->body_lines;
    mw_dataend_event ev[MW_POP_MAX_EVENTS];
    size_t nev = 0;
    bool ended = false;
    uint8_t cls = 0;
    uint64_t dot = 0;
    bool own_dot = false;
    size_t term = 0;
    while (offset < len) {
        uint8_t *out = NULL;
        size_t rem = len - offset, out_cap = 0;
        if (keep && !m->view_skipped && f->in->view_max &&
            (uint64_t)m->msg_len + rem > f->in->view_max) {
            m->view_skipped = true; /* too large to keep: the checks go on without it */
            m->msg_len = 0;
        }
        if (keep && !m->view_skipped) {
            size_t need = m->msg_len + rem + MW_DATAEND_OUT_SLACK;
            if (need > m->msg_cap) {
                /* the announced size first (a correct server sends no more),
                 * then doubling */
                size_t cap = m->msg_cap > 4096 ? m->msg_cap : 4096;
                if (m->msg_cap == 0 && s->ml_octets_known && s->ml_octets + 2 >= need &&
                    s->ml_octets < UINT32_MAX / 2)
                    cap = (size_t)s->ml_octets + 2;
                while (cap < need)
                    cap *= 2;
                m->msg = (uint8_t *)s->a.realloc(s->a.ud, m->msg, cap);
                m->msg_cap = cap;
            }
            out = m->msg + m->msg_len;
            out_cap = m->msg_cap - m->msg_len;
        }
        /* one event at a time: each CR candidate may end the body */
        mw_dataend_state before = s->body;
        size_t len_before = out ? m->msg_len : 0;
        mw_dataend_event e;
        mw_dataend_result r = mw_dataend_feed(&s->body, f->buf + offset, rem, &e, 1, out, out_cap);
        if (out)
            m->msg_len += r.out_len;
        if (r.status == MW_DATAEND_END) {
            s->body_lines += count_lf(f->buf + offset, r.consumed) - 1; /* the "." line's own */
            offset += r.consumed;
            ended = true;
            cls = e.cls;
            dot = mw_dataend_event_dot(&e);
            term = dot >= base_pos ? start + (size_t)(dot - base_pos) : start;
            break;
        }
        if (r.nevents && cr_class(e.cls) && mw_dataend_event_dot(&e) + 2 >= base_pos) {
            uint64_t after = mw_dataend_event_dot(&e) + 2; /* past ".<CR>" */
            size_t after_off = start + (size_t)(after - base_pos);
            /* the byte there decided the row, so this feed read it */
            int st = after_off >= offset ? status_at(f, after_off) : STATUS_NO;
            if (st == STATUS_MAYBE) {
                /* Undo this feed and scan only up to the undecided bytes. */
                s->body = before;
                if (out)
                    m->msg_len = len_before;
                size_t n = after_off - offset;
                r = mw_dataend_feed(&s->body, f->buf + offset, n, NULL, 0, out, out_cap);
                if (out)
                    m->msg_len += r.out_len;
                s->body_lines += count_lf(f->buf + offset, n);
                offset = after_off;
                *wait = true;
                break;
            }
            if (st == STATUS_YES) {
                s->body_lines += count_lf(f->buf + offset, after_off - offset);
                ended = true;
                cls = e.cls;
                dot = after - 2;
                own_dot = e.cls != MW_DATAEND_CR_CR; /* a line-start dot, dropped */
                offset = after_off;
                term = after_off >= start + 2 ? after_off - 2 : start;
                break;
            }
        }
        if (r.nevents) {
            if (nev < G_N_ELEMENTS(ev))
                ev[nev++] = e;
            else
                ev[G_N_ELEMENTS(ev) - 1] = e; /* later events overwrite the last slot */
        }
        s->body_lines += count_lf(f->buf + offset, r.consumed);
        offset += r.consumed;
        if (r.consumed == 0)
            break;
    }
    if (!ended)
        term = offset;
    mw_pop_item *di = item_new(f, MW_POP_ITEM_BODY_DATA, start);
    di->line.len = term - start;
    di->cmd = s->ml_cmd;
    di->n = s->body_lines - lines_before;
    di->ml = s->ml;
    di->ev = events_copy(f, ev, nev);
    di->nev = (uint8_t)nev;
    di->body_off = base_pos;
    if (ended)
        body_finish(f, term, offset - term, cls, dot, own_dot);
    return offset;
}

/* ---- responses ---- */

/* The effects of a response on the session. */
static void apply_response(pop_feed *f, mw_pop_item *it, const mw_pop_pending *p, bool ok,
                           size_t text_off, size_t text_len, bool crlf)
{
    mw_pop_session *s = f->s;
    mw_pop_cmd cmd = (mw_pop_cmd)p->cmd;
    if (cmd == MW_POP_CMD_AUTH && p->nargs > 0) {
        s->sasl_active = false;
        s->sasl = MW_SASL_UNKNOWN;
    }
    if (cmd == MW_POP_CMD_STLS)
        s->stls_requested = false;
    if (!ok)
        return;
    switch (cmd) {
    case MW_POP_CMD_PASS: case MW_POP_CMD_APOP:
        s->state = MW_POP_STATE_TRANSACTION;
        break;
    case MW_POP_CMD_AUTH:
        if (p->nargs > 0)
            s->state = MW_POP_STATE_TRANSACTION;
        break;
    case MW_POP_CMD_QUIT:
        if (s->state == MW_POP_STATE_TRANSACTION)
            s->state = MW_POP_STATE_UPDATE;
        break;
    case MW_POP_CMD_STLS:
        s->stls_started = true;
        it->flags |= MW_POP_F_STLS_OK;
        break;
    case MW_POP_CMD_STAT: {
        size_t w = find_byte(f->buf + text_off, text_len, ' ');
        uint32_t n;
        if (parse_u32(f->buf + text_off, w, &n)) {
            s->stat_known = true;
            s->stat_count = n;
            s->stat_deleted_base = s->ndeleted;
        }
        break;
    }
    case MW_POP_CMD_DELE:
        if (p->msg && s->ndeleted < MW_POP_MAX_DELETED && !is_deleted(s, p->msg))
            s->deleted[s->ndeleted++] = p->msg;
        break;
    case MW_POP_CMD_RSET:
        s->ndeleted = 0;
        break;
    default:
        break;
    }
    if (s->state == MW_POP_STATE_UNKNOWN && !allowed_in(MW_POP_STATE_AUTHORIZATION, cmd))
        s->state = MW_POP_STATE_TRANSACTION; /* learnt from a successful transaction command */
    if (p->multiline)
        body_start(f, it, cmd, p, text_off, text_len, crlf);
}

static void response(pop_feed *f, const pop_line *l)
{
    mw_pop_session *s = f->s;
    const uint8_t *p = f->buf + l->off;
    size_t len = l->line.len;
    bool ok = ci_prefix(p, len, "+OK") && (len == 3 || p[3] == ' ');
    bool err = ci_prefix(p, len, "-ERR") && (len == 4 || p[4] == ' ');
    bool cont = !ok && !err && len >= 1 && p[0] == '+' && (len == 1 || p[1] == ' ');
    mw_pop_pending *front = fifo_front(s);

    if (!ok && !err && !(cont && s->sasl_active) && !front) {
        /* Nothing outstanding: body of a multiline response not captured. */
        body_start(f, NULL, MW_POP_CMD_UNKNOWN, NULL, 0, 0, true);
        if (f->in->stream_offset + l->off == 0 && s->state == MW_POP_STATE_UNKNOWN) {
            /* the capture may start inside this line: shown, not counted */
            mw_pop_item *it = line_item(f, MW_POP_ITEM_BODY_PARTIAL, l);
            it->ml = s->ml;
        } else {
            body_line(f, l);
        }
        return;
    }

    mw_pop_item *it = line_item(f, MW_POP_ITEM_RESPONSE, l);
    it->state = ok ? MW_POP_OK : err ? MW_POP_ERR : cont ? MW_POP_CONTINUE : MW_POP_MALFORMED;
    size_t status_len = ok ? 3 : err ? 4 : cont ? 1 : len;
    size_t text_off = l->off + status_len + (len > status_len ? 1 : 0);
    size_t text_len = l->off + len - text_off;
    bool crlf = l->line.eol == MW_EOL_CRLF;

    if (s->stls_started && !f->in->tls) {
        it->flags |= MW_POP_F_STLS_INJECTION;
        return;
    }
    /* A line begun before the command now due was sent cannot answer it: a
     * greeting the server did not end, or bytes it sent after the greeting. */
    if (l->off == 0 && f->in->line_from && front && front->ex &&
        f->in->line_from < front->ex->req_frame) {
        it->began = f->in->line_from;
        it->cmd = front->cmd;
        it->ex = front->ex;
        it->first_cmd = s->ncommands == s->fifo_count;
        if (!s->greeted && ok) {
            s->greeted = true;
            s->state = MW_POP_STATE_AUTHORIZATION;
            it->flags |= MW_POP_F_GREETING | MW_POP_F_BEFORE_CMD;
        } else {
            it->flags |= MW_POP_F_BEFORE_CMD;
        }
        s->server_after_front = true;
        return;
    }
    if (cont) {
        if (!s->sasl_active && front)
            s->server_after_front = true;
        it->flags |= s->sasl_active ? MW_POP_F_CHALLENGE : MW_POP_F_UNEXPECTED;
        if (s->sasl_active) {
            it->auth = auth_rec(f); /* the mechanism decides how the challenge is shown */
            auth_done(f, it->auth);
        }
        return;
    }
    if (!ok && !err) {
        it->flags |= MW_POP_F_UNEXPECTED;
        it->cmd = front->cmd;
        s->server_after_front = true;
        return;
    }
    if (!front) {
        if (!s->greeted && !s->client_spoke) {
            s->greeted = true;
            s->state = MW_POP_STATE_AUTHORIZATION;
            it->flags |= MW_POP_F_GREETING;
        } else {
            it->flags |= MW_POP_F_UNMATCHED;
        }
        return;
    }
    mw_pop_pending pd = *front;
    fifo_pop(s);
    s->server_after_front = false;
    it->flags |= MW_POP_F_MATCHED;
    it->cmd = pd.cmd;
    it->ex = pd.ex;
    if (pd.ex && !pd.ex->resp_frame)
        pd.ex->resp_frame = f->in->frame;
    apply_response(f, it, &pd, ok, text_off, text_len, crlf);
}

/* A status indicator followed by a bare CR (and a byte that is not LF). */
static bool status_bare_cr(pop_feed *f, size_t offset, pop_line *l)
{
    const uint8_t *p = f->buf + offset;
    size_t rem = f->len - offset;
    size_t n = rem >= 5 && memcmp(p, "+OK\r", 4) == 0 ? 3
               : rem >= 6 && memcmp(p, "-ERR\r", 5) == 0 ? 4 : 0;
    if (!n || p[n + 1] == '\n')
        return false;
    memset(l, 0, sizeof *l);
    l->off = offset;
    return mw_line_scan(p, rem, MW_SCAN_CR_ENDS_LINE, &l->line) && l->line.eol == MW_EOL_CR;
}

/* ---- lines longer than max_carry ---- */

/* After a line's first piece is dispatched: its item (the first of those
 * emitted since first_item that covers the piece) gets the line's record. */
static void longline_open(pop_feed *f, const pop_line *l, uint32_t first_item)
{
    mw_pop_session *s = f->s;
    for (uint32_t i = first_item; i < f->n; i++) {
        mw_pop_item *it = &f->items[i];
        if (it->off != l->off || it->kind == MW_POP_ITEM_BODY_CUT)
            continue;
        int d = f->in->server ? 1 : 0;
        s->ll[d].open = true;
        s->ll[d].kind = it->kind;
        s->ll[d].cmd = it->cmd;
        s->ll[d].first_frame = f->in->frame;
        s->ll[d].len = l->line.len;
        s->ll[d].rec = (mw_pop_linelen *)pop_alloc(s, sizeof *s->ll[d].rec);
        it->longline = s->ll[d].rec;
        return;
    }
}

/* A later piece of the open long line. */
static void longline_rest(pop_feed *f, const pop_line *l)
{
    mw_pop_session *s = f->s;
    int d = f->in->server ? 1 : 0;
    mw_pop_item *it = line_item(f, MW_POP_ITEM_LINE_REST, l);
    it->state = s->ll[d].kind;
    it->cmd = s->ll[d].cmd;
    it->n = s->ll[d].first_frame;
    it->longline = s->ll[d].rec;
    s->ll[d].len += l->line.len;
    size_t full = l->line.len + l->line.eol_len;
    if (s->ll[d].kind == MW_POP_ITEM_BODY_LINE && s->ml_active && s->ml_kind == MW_POP_BODY_LINES) {
        /* the body scanner reads the line on (no line end before its last
         * octets, so no candidate ends the body here) */
        mw_dataend_event ev[8];
        size_t fed = 0;
        mw_dataend_result r;
        do {
            r = mw_dataend_feed(&s->body, f->buf + l->off + fed, full - fed, ev, 8, NULL, 0);
            fed += r.consumed;
        } while (fed < full && r.consumed > 0 && r.status != MW_DATAEND_END);
        s->body_lines += count_lf(f->buf + l->off, full);
    }
    if (l->fragment)
        return;
    if (s->ll[d].kind == MW_POP_ITEM_RESPONSE && s->ml_active && s->body.pos == 0)
        s->body.start_lf = l->line.eol != MW_EOL_CRLF; /* the status line's end, now known */
    s->ll[d].rec->length = s->ll[d].len + l->line.eol_len;
    s->ll[d].rec->end_frame = f->in->frame;
    s->ll[d].open = false;
}

size_t mw_pop_session_feed(mw_pop_session *s, const uint8_t *buf, size_t len,
                           const mw_pop_input *in, mw_pop_call *out, bool *mid_line)
{
    pop_feed f;
    memset(&f, 0, sizeof f);
    f.s = s;
    f.buf = buf;
    f.len = len;
    f.in = in;
    f.mid_line = in->mid_line;
    if (in->tls && s->stls_started) {
        /* TLS is up: the session goes on inside it (RFC 2595). */
        s->stls_started = false;
        s->stls_requested = false;
        s->fifo_count = 0;
    }
    size_t offset = 0;
    int d = in->server ? 1 : 0;
    while (offset < len) {
        pop_line l;
        if (s->ll[d].open) {
            if (f.mid_line) {
                if (!next_line(&f, &offset, &l))
                    break;
                longline_rest(&f, &l);
                continue;
            }
            s->ll[d].open = false; /* a fresh line: the long one is over */
        }
        if (in->server && s->ml_active && s->ml_kind == MW_POP_BODY_MESSAGE) {
            bool wait = false;
            offset = body_message(&f, offset, &wait);
            if (wait)
                break;
            continue;
        }
        if (in->server && !s->ml_active && status_bare_cr(&f, offset, &l)) {
            /* "+OK<CR>x": the status line ends at the bare CR for the readers
             * that accept one; its body (if any) is read as bytes. */
            offset += l.line.len + l.line.eol_len;
            response(&f, &l);
            if (s->ml_active)
                s->ml_kind = MW_POP_BODY_MESSAGE;
            continue;
        }
        if (!next_line(&f, &offset, &l))
            break;
        uint32_t first_item = f.n;
        if (!in->server)
            client_line(&f, &l);
        else if (!(s->ml_active && body_line(&f, &l)))
            response(&f, &l);
        if (l.fragment && !l.continued)
            longline_open(&f, &l, first_item);
    }
    /* the call's items, kept at their exact size */
    out->items = NULL;
    out->nitems = f.n;
    if (f.n) {
        out->items = (mw_pop_item *)pop_alloc(s, f.n * sizeof *f.items);
        memcpy(out->items, f.items, f.n * sizeof *f.items);
    }
    g_free(f.items);
    out->consumed = offset;
    *mid_line = f.mid_line;
    return offset;
}

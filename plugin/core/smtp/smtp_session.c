/* The SMTP session machine, part one: see smtp_session.h. */
#include "core/smtp/smtp_session.h"

#include <stdlib.h>
#include <string.h>

void mw_smtp_replies_init(mw_smtp_replies *r)
{
    memset(r, 0, sizeof *r);
    r->cap = MW_SMTP_FIFO_SIZE;
}

static void *(*ring_alloc)(size_t) = malloc;
static void (*ring_free)(void *) = free;

void mw_smtp_replies_set_allocator(void *(*alloc)(size_t), void (*release)(void *))
{
    ring_alloc = alloc;
    ring_free = release;
}

void mw_smtp_replies_free(mw_smtp_replies *r)
{
    ring_free(r->ring);
    r->ring = NULL;
    r->cap = MW_SMTP_FIFO_SIZE;
    r->head = r->len = 0;
}

static mw_smtp_pending *slots(mw_smtp_replies *r)
{
    return r->ring ? r->ring : r->fifo;
}

static const mw_smtp_pending *cslots(const mw_smtp_replies *r)
{
    return r->ring ? r->ring : r->fifo;
}

/* Doubles the ring, oldest first; false when at the limit or out of memory. */
static bool grow(mw_smtp_replies *r)
{
    if (r->cap >= MW_SMTP_PENDING_MAX)
        return false;
    uint32_t cap = r->cap * 2;
    mw_smtp_pending *n = (mw_smtp_pending *)ring_alloc((size_t)cap * sizeof *n);
    if (!n)
        return false;
    const mw_smtp_pending *old = slots(r);
    for (uint32_t i = 0; i < r->len; i++)
        n[i] = old[(r->head + i) % r->cap];
    ring_free(r->ring);
    r->ring = n;
    r->cap = cap;
    r->head = 0;
    return true;
}

bool mw_smtp_replies_full(const mw_smtp_replies *r)
{
    return r->len == r->cap && r->cap >= MW_SMTP_PENDING_MAX;
}

bool mw_smtp_replies_command(mw_smtp_replies *r, uintptr_t tag, uint8_t verb)
{
    bool dropped = false;
    if (r->len == r->cap && !grow(r)) {
        r->head = (r->head + 1) % r->cap;
        r->len--;
        if (r->forgotten < UINT32_MAX)
            r->forgotten++;
        dropped = true;
    }
    mw_smtp_pending *p = &slots(r)[(r->head + r->len) % r->cap];
    p->tag = tag;
    p->verb = verb;
    r->len++;
    return dropped;
}

mw_smtp_pending mw_smtp_replies_newest(const mw_smtp_replies *r)
{
    mw_smtp_pending none = {0, MW_SMTP_UNKNOWN};
    return r->len ? cslots(r)[(r->head + r->len - 1) % r->cap] : none;
}

mw_smtp_pending mw_smtp_replies_oldest(const mw_smtp_replies *r)
{
    mw_smtp_pending none = {0, MW_SMTP_UNKNOWN};
    /* the oldest waiting command was forgotten: no record to name */
    return r->len && !r->forgotten ? cslots(r)[r->head] : none;
}

static mw_smtp_pending pop(mw_smtp_replies *r)
{
    mw_smtp_pending p = mw_smtp_replies_oldest(r);
    if (r->len) {
        r->head = (r->head + 1) % r->cap;
        r->len--;
    }
    return p;
}

void mw_smtp_replies_line(mw_smtp_replies *r, const uint8_t *line, size_t len, bool fragment,
                          uintptr_t tag, bool body_open, mw_smtp_reply_rec *out)
{
    memset(out, 0, sizeof *out);
    /* After lost bytes the line may still start cleanly: try it. */
    out->parsed = !fragment && mw_smtp_reply_parse(line, len, &out->reply);
    if (!r->open) {
        r->open = true;
        r->tag = tag;
        r->lines = 0;
        r->code = out->parsed ? (uint16_t)out->reply.code : 0;
        r->cmd.tag = 0;
        r->cmd.verb = MW_SMTP_UNKNOWN;
        /* 554 and 421 are greetings too: a server refusing the session */
        r->greeting = !r->greeted && out->parsed &&
                      (out->reply.code == 220 || out->reply.code == 554 || out->reply.code == 421);
        if (r->greeting)
            r->greeted = true;
        else
            r->cmd = mw_smtp_replies_oldest(r);
        out->opens = true;
    }
    r->lines++;
    out->line_no = r->lines;
    out->code = r->code;
    out->tag = r->tag;
    out->greeting = r->greeting;
    out->cmd = r->cmd;
    if (!out->parsed) {
        if (r->lines == 1) {
            /* nothing to group: wait for a real reply */
            r->open = false;
            out->abandoned = true;
        }
        return;
    }
    out->code_changed = r->code && out->reply.code != r->code;
    if (out->reply.more)
        return;

    /* The final line: the reply is complete. */
    out->final = true;
    r->open = false;
    if (r->greeting)
        return;
    if (!r->len && body_open) {
        out->in_body = true;
        return;
    }
    if (r->forgotten) {
        /* the oldest commands were dropped at the limit: this answers one */
        r->forgotten--;
        out->forgotten = true;
        return;
    }
    mw_smtp_pending c = pop(r);
    out->popped = c.tag;
    if (c.tag && !out->cmd.tag)
        out->cmd = c;
    if (!c.tag)
        out->unmatched = true;
}

void mw_smtp_replies_gap(mw_smtp_replies *r)
{
    r->open = false;
}

void mw_smtp_replies_restart(mw_smtp_replies *r)
{
    r->len = 0;
    r->forgotten = 0;
    r->open = false;
}

/* ---- part two: the session phase and the mail transaction ---------------- */

void mw_smtp_txn_init(mw_smtp_txn *t)
{
    memset(t, 0, sizeof *t);
}

mw_smtp_seq mw_smtp_txn_check(const mw_smtp_txn *t, uint8_t verb, bool tls)
{
    switch (verb) {
    case MW_SMTP_MAIL:
        if (t->tag && t->mail_ok)
            return MW_SMTP_SEQ_NESTED_MAIL;
        if (!t->helo_sent && !tls)
            return MW_SMTP_SEQ_BEFORE_HELO;
        return MW_SMTP_SEQ_OK;
    case MW_SMTP_RCPT:
        return t->tag ? MW_SMTP_SEQ_OK : MW_SMTP_SEQ_RCPT_NO_MAIL;
    case MW_SMTP_DATA:
    case MW_SMTP_BDAT:
        return t->tag && t->nrcpt ? MW_SMTP_SEQ_OK : MW_SMTP_SEQ_DATA_NO_RCPT;
    default:
        return MW_SMTP_SEQ_OK;
    }
}

void mw_smtp_txn_reset(mw_smtp_txn *t, bool helo)
{
    if (helo)
        t->helo_sent = true;
    t->tag = 0;
    t->nrcpt = 0;
    t->mail_ok = false;
    t->rcpt_ok = 0;
    if (t->phase > MW_SMTP_PHASE_GREETED)
        t->phase = MW_SMTP_PHASE_GREETED;
}

bool mw_smtp_txn_mail_opens(const mw_smtp_txn *t)
{
    return !(t->tag && t->mail_ok);
}

void mw_smtp_txn_mail(mw_smtp_txn *t, uintptr_t tag, uintptr_t cmd)
{
    t->tag = tag;
    t->mail_cmd = cmd;
    t->nrcpt = 0;
    t->rcpt_ok = 0;
    t->mail_ok = false;
}

bool mw_smtp_txn_rcpt(mw_smtp_txn *t)
{
    if (!t->tag)
        return false;
    t->nrcpt++;
    return true;
}

void mw_smtp_txn_capability(mw_smtp_txn *t, const char *kw)
{
    if (!strcmp(kw, "STARTTLS"))
        t->adv_starttls = true;
    else if (!strcmp(kw, "PIPELINING"))
        t->adv_pipelining = true;
    else if (!strcmp(kw, "CHUNKING"))
        t->adv_chunking = true;
    else if (!strcmp(kw, "AUTH"))
        t->adv_auth = true;
}

void mw_smtp_txn_reply(mw_smtp_txn *t, uint8_t verb, unsigned code, uintptr_t cmd)
{
    bool ok = code / 100 == 2;
    switch (verb) {
    case MW_SMTP_HELO:
    case MW_SMTP_EHLO:
        if (ok) {
            t->phase = MW_SMTP_PHASE_GREETED;
            t->ehlo_seen = true;
        }
        break;
    case MW_SMTP_MAIL:
        if (!t->tag || cmd != t->mail_cmd)
            break; /* a nested MAIL, or one whose transaction is gone */
        t->mail_ok = ok;
        if (ok && t->phase < MW_SMTP_PHASE_TRANSACTION)
            t->phase = MW_SMTP_PHASE_TRANSACTION;
        else if (!ok)
            t->tag = 0;
        break;
    case MW_SMTP_RCPT:
        if (ok)
            t->rcpt_ok++;
        break;
    default:
        break;
    }
}

void mw_smtp_txn_body(mw_smtp_txn *t)
{
    t->phase = MW_SMTP_PHASE_DATA;
}

void mw_smtp_txn_end(mw_smtp_txn *t)
{
    t->phase = MW_SMTP_PHASE_GREETED;
    t->tag = 0;
    t->nrcpt = 0;
    t->mail_ok = false;
}

void mw_smtp_txn_abort(mw_smtp_txn *t)
{
    t->tag = 0;
    t->phase = MW_SMTP_PHASE_GREETED;
}

void mw_smtp_txn_restart(mw_smtp_txn *t)
{
    t->ehlo_seen = false;
    t->helo_sent = false;
    t->adv_starttls = t->adv_pipelining = t->adv_chunking = t->adv_auth = false;
    t->tag = 0;
    t->phase = MW_SMTP_PHASE_START;
}

/* ---- part three: BDAT chunks ---------------------------------------------- */

void mw_smtp_bdat_reset(mw_smtp_chunks *b)
{
    memset(b, 0, sizeof *b);
}

bool mw_smtp_bdat_begin(mw_smtp_chunks *b, uint64_t size, bool last)
{
    b->left = size;
    b->last = last;
    return size != 0;
}

mw_smtp_chunk_step mw_smtp_bdat_feed(mw_smtp_chunks *b, const uint8_t *buf, size_t len)
{
    mw_smtp_chunk_step st = {0, false, false};
    size_t n = b->left < (uint64_t)len ? (size_t)b->left : len;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        if (b->prev_cr && c != '\n')
            b->bare_cr++;
        if (c == '\n' && !b->prev_cr)
            b->bare_lf++;
        if (c == 0)
            b->nul++;
        b->prev_cr = c == '\r';
    }
    b->left -= n;
    st.consumed = n;
    if (b->left == 0) {
        st.chunk_done = true;
        /* The message is the chunks joined (RFC 3030 2): a CR that ends a
         * chunk pairs with an LF that starts the next; only the last
         * chunk's final CR is bare for sure. */
        if (b->last) {
            if (b->prev_cr)
                b->bare_cr++, b->prev_cr = false;
            st.message_done = true;
        }
    }
    return st;
}

bool mw_smtp_bdat_gap(mw_smtp_chunks *b, uint64_t missing)
{
    if (missing >= b->left) {
        b->left = 0;
        return true;
    }
    b->left -= missing;
    return false;
}

/* ---- part four: what the client's next bytes are -------------------------- */

void mw_smtp_client_init(mw_smtp_client *c)
{
    memset(c, 0, sizeof *c);
}

void mw_smtp_client_data_sent(mw_smtp_client *c)
{
    c->mode = MW_SMTP_CLIENT_DATA_WAIT;
}

void mw_smtp_client_early(mw_smtp_client *c)
{
    c->early = true;
    c->mode = MW_SMTP_CLIENT_DATA;
}

void mw_smtp_client_body_begin(mw_smtp_client *c)
{
    c->mode = MW_SMTP_CLIENT_DATA;
}

bool mw_smtp_client_354_begins(const mw_smtp_client *c)
{
    return c->mode == MW_SMTP_CLIENT_DATA_WAIT;
}

void mw_smtp_client_354(mw_smtp_client *c)
{
    c->confirmed = c->mode == MW_SMTP_CLIENT_DATA;
    c->early = false;
}

mw_smtp_data_refusal mw_smtp_client_data_refused(mw_smtp_client *c)
{
    mw_smtp_data_refusal r = MW_SMTP_REFUSED_NONE;
    if (c->early) {
        r = MW_SMTP_REFUSED_EARLY;
        c->mode = MW_SMTP_CLIENT_COMMAND;
    } else if (c->mode == MW_SMTP_CLIENT_DATA_WAIT) {
        r = MW_SMTP_REFUSED_WAITING;
        c->mode = MW_SMTP_CLIENT_COMMAND;
    }
    c->early = false;
    c->rejected = true;
    return r;
}

bool mw_smtp_client_after_refusal(mw_smtp_client *c, bool known_verb)
{
    if (!c->rejected)
        return false;
    if (known_verb)
        c->rejected = false;
    return !known_verb;
}

void mw_smtp_client_body_end(mw_smtp_client *c)
{
    c->mode = MW_SMTP_CLIENT_COMMAND;
}

bool mw_smtp_client_body_open(const mw_smtp_client *c)
{
    return c->mode == MW_SMTP_CLIENT_DATA && c->confirmed;
}

void mw_smtp_client_chunk(mw_smtp_client *c, bool bytes_follow)
{
    c->mode = bytes_follow ? MW_SMTP_CLIENT_BDAT : MW_SMTP_CLIENT_COMMAND;
}

void mw_smtp_client_auth_sent(mw_smtp_client *c)
{
    c->auth_open = true;
}

void mw_smtp_client_auth_reply(mw_smtp_client *c, unsigned code)
{
    c->mode = code == 334 ? MW_SMTP_CLIENT_AUTH : MW_SMTP_CLIENT_COMMAND;
    c->auth_open = code == 334;
}

void mw_smtp_client_auth_response(mw_smtp_client *c)
{
    c->mode = MW_SMTP_CLIENT_COMMAND; /* the next line waits for the next 334 */
}

void mw_smtp_client_starttls_sent(mw_smtp_client *c)
{
    c->mode = MW_SMTP_CLIENT_TLS_WAIT;
}

bool mw_smtp_client_starttls_reply(mw_smtp_client *c, unsigned code)
{
    if (code == 220) {
        c->starttls_acked = true;
        return true;
    }
    c->mode = MW_SMTP_CLIENT_COMMAND;
    return false;
}

void mw_smtp_client_restart(mw_smtp_client *c)
{
    c->starttls_acked = false;
    c->mode = MW_SMTP_CLIENT_COMMAND;
}

/* ---- part five: what a lenient receiver executes after a non-strict end ---- */

void mw_smtp_smuggle_reset(mw_smtp_smuggle *s)
{
    s->active = false;
    s->replies = 0;
}

void mw_smtp_smuggle_body_begin(mw_smtp_smuggle *s)
{
    s->owed = 0;
}

void mw_smtp_smuggle_candidate(mw_smtp_smuggle *s)
{
    s->active = true;
    s->phase = MW_SMTP_SMUG_IN_COMMANDS;
    s->mid_line = false;
}

void mw_smtp_smuggle_strict_end(mw_smtp_smuggle *s)
{
    s->active = false;
    s->owed = s->replies;
}

bool mw_smtp_smuggle_next(mw_smtp_smuggle *s, const uint8_t *buf, size_t *off, size_t end,
                          mw_smtp_smug_line *out)
{
    size_t o = *off;
    if (o >= end)
        return false;
    const uint8_t *lf = (const uint8_t *)memchr(buf + o, '\n', end - o);
    size_t stop = lf ? (size_t)(lf - buf) : end;
    out->off = o;
    out->next = lf ? stop + 1 : end;
    out->len = stop - o;
    if (lf && out->len > 0 && buf[stop - 1] == '\r')
        out->len--;
    if (s->phase == MW_SMTP_SMUG_IN_BODY) {
        out->kind = MW_SMTP_SMUG_BODY;
    } else if (s->mid_line || !lf) {
        out->kind = MW_SMTP_SMUG_PARTIAL;
    } else if (s->phase == MW_SMTP_SMUG_IN_COMMANDS) {
        out->kind = MW_SMTP_SMUG_COMMAND;
    } else if (out->len == 0) {
        out->kind = MW_SMTP_SMUG_HEADERS_END;
        s->phase = MW_SMTP_SMUG_IN_BODY;
    } else {
        out->kind = MW_SMTP_SMUG_HEADER;
    }
    if (out->kind == MW_SMTP_SMUG_BODY || out->kind == MW_SMTP_SMUG_PARTIAL)
        s->mid_line = !lf;
    *off = out->next;
    return true;
}

void mw_smtp_smuggle_command(mw_smtp_smuggle *s, uint8_t verb)
{
    if (verb == MW_SMTP_DATA)
        s->phase = MW_SMTP_SMUG_IN_HEADERS;
    /* A lenient receiver answers each such command; after DATA also the
     * smuggled message's end (the strict end it shares with this one). */
    if (verb != MW_SMTP_UNKNOWN && s->replies < UINT16_MAX - 1)
        s->replies += verb == MW_SMTP_DATA ? 2 : 1;
}

bool mw_smtp_smuggle_owed_reply(mw_smtp_smuggle *s)
{
    if (!s->owed)
        return false;
    s->owed--;
    return true;
}

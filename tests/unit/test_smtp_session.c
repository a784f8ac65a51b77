/* The SMTP session machine: transcripts fed whole, split at every point and
 * byte by byte (incomplete lines carried as the stream engine does) give the
 * same records; and the records say what the session did. */
#include "check.h"
#include "core/smtp/smtp_session.h"
#include "core/text/lines.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct step {
    char dir; /* 'C' or 'S' */
    const char *bytes;
} step;

/* One record of the log: a command queued, or a reply line. */
typedef struct logrec {
    char dir;
    uint8_t verb;
    bool dropped;
    mw_smtp_seq seq;
    mw_smtp_reply_rec r;
    mw_smtp_txn tx; /* the transaction after the line */
    mw_smtp_client cl; /* and the client's mode */
    mw_smtp_data_refusal refusal;
    bool after_refusal;
} logrec;

#define VERB_END 100       /* the end of a message body, answered like a command */
#define VERB_AUTH_RESP 101 /* a SASL response line */

#define MAX_LOG 256
#define MAX_CARRY 4096

typedef struct harness {
    mw_smtp_replies rp;
    mw_smtp_txn tx;
    mw_smtp_client cl;
    uintptr_t ntxn;
    uint8_t carry[2][MAX_CARRY];
    size_t carry_len[2];
    uintptr_t ncmd, nline;
    logrec log[MAX_LOG];
    size_t nlog;
} harness;

static void on_line(harness *h, int d, const uint8_t *p, size_t len)
{
    logrec *e = &h->log[h->nlog < MAX_LOG - 1 ? h->nlog++ : h->nlog];
    memset(e, 0, sizeof *e);
    e->dir = d ? 'S' : 'C';
    if (d == 0 && h->cl.mode == MW_SMTP_CLIENT_DATA_WAIT) {
        mw_smtp_client_early(&h->cl);
        mw_smtp_txn_body(&h->tx);
    }
    if (d == 0 && h->cl.mode == MW_SMTP_CLIENT_AUTH) {
        mw_smtp_client_auth_response(&h->cl);
        e->verb = VERB_AUTH_RESP;
        e->dropped = mw_smtp_replies_command(&h->rp, ++h->ncmd, e->verb);
    } else if (d == 0 && h->cl.mode == MW_SMTP_CLIENT_DATA) {
        /* a minimal body: lines up to "." */
        if (len == 1 && p[0] == '.') {
            mw_smtp_client_body_end(&h->cl);
            mw_smtp_txn_end(&h->tx);
            e->verb = VERB_END;
            e->dropped = mw_smtp_replies_command(&h->rp, ++h->ncmd, e->verb);
        }
    } else if (d == 0) {
        mw_smtp_cmd cmd;
        e->verb = mw_smtp_cmd_parse(p, len, &cmd) ? (uint8_t)cmd.verb : MW_SMTP_UNKNOWN;
        e->seq = mw_smtp_txn_check(&h->tx, e->verb, false);
        e->after_refusal = mw_smtp_client_after_refusal(&h->cl, e->verb != MW_SMTP_UNKNOWN);
        e->dropped = mw_smtp_replies_command(&h->rp, ++h->ncmd, e->verb);
        if (e->verb == MW_SMTP_DATA)
            mw_smtp_client_data_sent(&h->cl);
        else if (e->verb == MW_SMTP_AUTH)
            mw_smtp_client_auth_sent(&h->cl);
        else if (e->verb == MW_SMTP_STARTTLS)
            mw_smtp_client_starttls_sent(&h->cl);
        if (e->verb == MW_SMTP_HELO || e->verb == MW_SMTP_EHLO || e->verb == MW_SMTP_RSET)
            mw_smtp_txn_reset(&h->tx, e->verb != MW_SMTP_RSET);
        else if (e->verb == MW_SMTP_MAIL && mw_smtp_txn_mail_opens(&h->tx))
            mw_smtp_txn_mail(&h->tx, ++h->ntxn, h->ncmd);
        else if (e->verb == MW_SMTP_RCPT)
            mw_smtp_txn_rcpt(&h->tx);
    } else {
        mw_smtp_replies_line(&h->rp, p, len, false, ++h->nline, mw_smtp_client_body_open(&h->cl),
                             &e->r);
        const mw_smtp_reply_rec *r = &e->r;
        if (r->parsed && r->cmd.verb == MW_SMTP_EHLO && r->reply.code == 250 && r->line_no > 1) {
            char kw[32];
            size_t n = 0;
            for (size_t i = r->reply.text.off; i < len && p[i] != ' ' && n < sizeof kw - 1; i++)
                kw[n++] = p[i];
            kw[n] = 0;
            mw_smtp_txn_capability(&h->tx, kw);
        }
        if (r->final && r->cmd.tag) {
            mw_smtp_txn_reply(&h->tx, r->cmd.verb, r->reply.code, r->cmd.tag);
            if (r->cmd.verb == MW_SMTP_DATA && r->reply.code == 354) {
                if (mw_smtp_client_354_begins(&h->cl)) {
                    mw_smtp_client_body_begin(&h->cl);
                    mw_smtp_txn_body(&h->tx);
                    h->cl.confirmed = false;
                }
                mw_smtp_client_354(&h->cl);
            } else if (r->cmd.verb == MW_SMTP_DATA) {
                e->refusal = mw_smtp_client_data_refused(&h->cl);
            } else if (r->cmd.verb == MW_SMTP_AUTH || r->cmd.verb == VERB_AUTH_RESP) {
                mw_smtp_client_auth_reply(&h->cl, r->reply.code);
            } else if (r->cmd.verb == MW_SMTP_STARTTLS) {
                mw_smtp_client_starttls_reply(&h->cl, r->reply.code);
            }
        }
        if (r->in_body) {
            mw_smtp_client_body_end(&h->cl);
            mw_smtp_txn_abort(&h->tx);
        }
    }
    e->tx = h->tx;
    e->cl = h->cl;
}

/* Feed one call's bytes of a direction: complete lines go to the machine,
 * the rest is carried to the next call of that direction. */
static void feed(harness *h, int d, const uint8_t *p, size_t n)
{
    uint8_t buf[MAX_CARRY * 2];
    size_t len = h->carry_len[d];
    memcpy(buf, h->carry[d], len);
    memcpy(buf + len, p, n);
    len += n;
    size_t off = 0;
    mw_line l;
    while (off < len && mw_line_scan(buf + off, len - off, 0, &l)) {
        on_line(h, d, buf + off, l.len);
        off += l.len + l.eol_len;
    }
    h->carry_len[d] = len - off;
    memcpy(h->carry[d], buf + off, len - off);
}

/* Run a transcript; step `split` (or every step when split < 0 and
 * chunk > 0) is fed in pieces: cut at `at`, or `chunk` bytes at a time. */
static void run(harness *h, const step *s, size_t nsteps, long split, size_t at, size_t chunk)
{
    memset(h, 0, sizeof *h);
    mw_smtp_replies_init(&h->rp);
    mw_smtp_txn_init(&h->tx);
    mw_smtp_client_init(&h->cl);
    for (size_t i = 0; i < nsteps; i++) {
        const uint8_t *p = (const uint8_t *)s[i].bytes;
        size_t n = strlen(s[i].bytes);
        int d = s[i].dir == 'S';
        if (chunk) {
            for (size_t o = 0; o < n; o += chunk)
                feed(h, d, p + o, n - o < chunk ? n - o : chunk);
        } else if ((long)i == split) {
            feed(h, d, p, at);
            feed(h, d, p + at, n - at);
        } else {
            feed(h, d, p, n);
        }
    }
}

static bool same_rec(const logrec *a, const logrec *b)
{
    const mw_smtp_reply_rec *x = &a->r, *y = &b->r;
    return a->dir == b->dir && a->verb == b->verb && a->dropped == b->dropped &&
           a->seq == b->seq && !memcmp(&a->tx, &b->tx, sizeof a->tx) &&
           !memcmp(&a->cl, &b->cl, sizeof a->cl) && a->refusal == b->refusal &&
           a->after_refusal == b->after_refusal &&
           x->parsed == y->parsed && x->opens == y->opens && x->abandoned == y->abandoned &&
           x->greeting == y->greeting && x->code_changed == y->code_changed &&
           x->final == y->final && x->line_no == y->line_no && x->code == y->code &&
           x->tag == y->tag && x->cmd.tag == y->cmd.tag && x->cmd.verb == y->cmd.verb &&
           x->popped == y->popped && x->in_body == y->in_body && x->unmatched == y->unmatched &&
           x->reply.code == y->reply.code && x->reply.more == y->reply.more &&
           x->reply.text.off == y->reply.text.off && x->reply.text.len == y->reply.text.len;
}

static bool same_log(const harness *a, const harness *b)
{
    if (a->nlog != b->nlog)
        return false;
    for (size_t i = 0; i < a->nlog; i++)
        if (!same_rec(&a->log[i], &b->log[i]))
            return false;
    return true;
}

/* Every split of every step, and byte by byte, against the whole feed. */
static void check_splits(const step *s, size_t nsteps)
{
    static harness ref, h;
    run(&ref, s, nsteps, -1, 0, 0);
    unsigned bad = 0;
    for (size_t i = 0; i < nsteps; i++) {
        size_t n = strlen(s[i].bytes);
        for (size_t at = 0; at <= n; at++) {
            run(&h, s, nsteps, (long)i, at, 0);
            if (!same_log(&ref, &h))
                bad++;
        }
    }
    for (size_t chunk = 1; chunk <= 3; chunk++) {
        run(&h, s, nsteps, -1, 0, chunk);
        if (!same_log(&ref, &h))
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

static const step session[] = {
    {'S', "220 mx.example ESMTP\r\n"},
    {'C', "EHLO client.example\r\n"},
    {'S', "250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n"},
    {'C', "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\n"},
    {'S', "250 ok\r\n250 ok\r\n550 no such user\r\n354 go\r\n"},
    {'S', "250 queued\r\n"},
    {'S', "221 bye\r\n"},
    {'C', "QUIT\r\n"},
    {'S', "221 bye\r\n"},
};

static void test_session(void)
{
    static harness h;
    run(&h, session, sizeof session / sizeof *session, -1, 0, 0);
    /* greeting, EHLO, 3 reply lines, 4 commands, 4 replies, 2 unmatched or
     * matched replies, QUIT and its reply */
    CHECK_EQ_INT(h.nlog, 1 + 1 + 3 + 4 + 4 + 1 + 1 + 1 + 1);
    const logrec *g = &h.log[0];
    CHECK(g->r.greeting && g->r.opens && g->r.final && !g->r.unmatched);
    const logrec *e1 = &h.log[2], *e3 = &h.log[4];
    CHECK(e1->r.opens && !e1->r.final && e1->r.cmd.verb == MW_SMTP_EHLO);
    CHECK_EQ_INT(e3->r.line_no, 3);
    CHECK(e3->r.final && e3->r.popped == 1 && e3->r.tag == e1->r.tag);
    /* pipelined: replies in command order */
    for (int i = 0; i < 4; i++) {
        const logrec *r = &h.log[9 + i];
        CHECK_EQ_INT(r->r.popped, 2 + i);
        CHECK(r->r.final && r->r.opens);
    }
    CHECK_EQ_INT(h.log[11].r.cmd.verb, MW_SMTP_RCPT);
    CHECK_EQ_INT(h.log[12].r.cmd.verb, MW_SMTP_DATA);
    /* no body line was sent: the server ended the message itself; the 221
     * answers nothing visible */
    CHECK(h.log[13].r.in_body && h.log[14].r.unmatched);
    CHECK(h.log[16].r.popped == 6 && h.log[16].r.cmd.verb == MW_SMTP_QUIT);
    check_splits(session, sizeof session / sizeof *session);
}

static const step odd[] = {
    {'S', "garbage\r\n"},                      /* not a reply: abandoned */
    {'S', "220-mx\r\n221 changed\r\n"},        /* code changes inside a reply */
    {'C', "NOOP\r\n"},
    {'S', "250-a\r\nnot a reply\r\n250 b\r\n"}, /* a bad line inside a reply */
};

static void test_odd(void)
{
    static harness h;
    run(&h, odd, sizeof odd / sizeof *odd, -1, 0, 0);
    CHECK_EQ_INT(h.nlog, 7);
    CHECK(h.log[0].r.abandoned && !h.log[0].r.parsed);
    CHECK(h.log[1].r.greeting && h.log[1].r.opens);
    CHECK(h.log[2].r.code_changed && h.log[2].r.final && h.log[2].r.greeting);
    CHECK(h.log[4].r.opens && h.log[4].r.cmd.tag == 1);
    CHECK(!h.log[5].r.parsed && !h.log[5].r.abandoned && h.log[5].r.line_no == 2);
    CHECK(h.log[6].r.final && h.log[6].r.popped == 1 && h.log[6].r.line_no == 3);
    check_splits(odd, sizeof odd / sizeof *odd);
}

static void test_fifo(void)
{
    mw_smtp_replies r;
    mw_smtp_replies_init(&r);
    /* the queue grows past its first slots up to the limit, in order */
    for (uintptr_t i = 1; i <= MW_SMTP_PENDING_MAX; i++)
        CHECK(!mw_smtp_replies_command(&r, i, MW_SMTP_NOOP));
    CHECK(mw_smtp_replies_full(&r));
    CHECK_EQ_INT(mw_smtp_replies_oldest(&r).tag, 1);
    CHECK(mw_smtp_replies_command(&r, 99, MW_SMTP_QUIT)); /* the oldest is forgotten */
    CHECK(mw_smtp_replies_command(&r, 100, MW_SMTP_QUIT));
    CHECK_EQ_INT(mw_smtp_replies_newest(&r).tag, 100);
    mw_smtp_reply_rec rec;
    const uint8_t ok[] = "250 ok";
    /* the first two replies answer the forgotten commands: matched with none */
    mw_smtp_replies_line(&r, ok, 6, false, 1, false, &rec);
    CHECK(rec.final && rec.forgotten && !rec.popped && !rec.unmatched && !rec.cmd.tag);
    mw_smtp_replies_line(&r, ok, 6, false, 1, false, &rec);
    CHECK(rec.forgotten && !rec.popped);
    mw_smtp_replies_line(&r, ok, 6, false, 1, false, &rec);
    CHECK(!rec.greeting && !rec.forgotten && rec.popped == 3); /* no greeting: 250 is none */
    mw_smtp_replies_free(&r);
    mw_smtp_replies_init(&r);
    /* a body open and nothing waiting: the server ended the message */
    mw_smtp_replies_restart(&r);
    mw_smtp_replies_line(&r, ok, 6, false, 2, true, &rec);
    CHECK(rec.in_body && !rec.popped && !rec.unmatched);
    /* a gap closes the reply in progress */
    const uint8_t more[] = "250-a";
    mw_smtp_replies_line(&r, more, 5, false, 3, false, &rec);
    CHECK(rec.opens && !rec.final);
    mw_smtp_replies_gap(&r);
    mw_smtp_replies_line(&r, ok, 6, false, 4, false, &rec);
    CHECK(rec.opens && rec.tag == 4);
    /* a fragment is never a reply line */
    mw_smtp_replies_line(&r, ok, 6, true, 5, false, &rec);
    CHECK(!rec.parsed && rec.abandoned);
}

static const step txn[] = {
    {'S', "220 mx.example ESMTP\r\n"},
    {'C', "MAIL FROM:<early@x>\r\n"},            /* before EHLO */
    {'S', "503 EHLO first\r\n"},
    {'C', "RCPT TO:<a@b>\r\n"},                  /* no transaction */
    {'S', "503 no MAIL\r\n"},
    {'C', "EHLO c\r\n"},
    {'S', "250-mx\r\n250-STARTTLS\r\n250 CHUNKING\r\n"},
    {'C', "MAIL FROM:<a@b>\r\nDATA\r\n"},        /* DATA with no recipient */
    {'S', "250 ok\r\n554 no valid recipients\r\n"},
    {'C', "MAIL FROM:<c@d>\r\n"},                /* nested: MAIL was accepted */
    {'S', "503 nested\r\n"},
    {'C', "RCPT TO:<e@f>\r\nRCPT TO:<g@h>\r\nDATA\r\n"},
    {'S', "250 ok\r\n550 no\r\n354 go\r\n"},
    {'C', "Subject: x\r\n\r\nbody\r\n.\r\n"},
    {'S', "250 queued\r\n"},
    {'C', "RSET\r\nQUIT\r\n"},
    {'S', "250 ok\r\n221 bye\r\n"},
};

static const logrec *find(const harness *h, char dir, size_t nth)
{
    for (size_t i = 0; i < h->nlog; i++)
        if (h->log[i].dir == dir && nth-- == 0)
            return &h->log[i];
    return NULL;
}

static void test_transaction(void)
{
    static harness h;
    run(&h, txn, sizeof txn / sizeof *txn, -1, 0, 0);
    /* client lines that count: MAIL RCPT EHLO MAIL DATA MAIL RCPT RCPT DATA (body) . RSET QUIT */
    const logrec *c;
    CHECK((c = find(&h, 'C', 0)) && c->seq == MW_SMTP_SEQ_BEFORE_HELO && c->tx.tag == 1);
    CHECK((c = find(&h, 'S', 1)) && c->tx.tag == 0);      /* the 503 closed it */
    CHECK((c = find(&h, 'C', 1)) && c->seq == MW_SMTP_SEQ_RCPT_NO_MAIL && c->tx.nrcpt == 0);
    CHECK((c = find(&h, 'C', 2)) && c->tx.helo_sent && c->tx.phase == MW_SMTP_PHASE_START);
    CHECK((c = find(&h, 'S', 5)) && c->tx.ehlo_seen && c->tx.adv_starttls && c->tx.adv_chunking &&
          !c->tx.adv_pipelining && c->tx.phase == MW_SMTP_PHASE_GREETED);
    CHECK((c = find(&h, 'C', 4)) && c->verb == MW_SMTP_DATA && c->seq == MW_SMTP_SEQ_DATA_NO_RCPT);
    CHECK((c = find(&h, 'S', 6)) && c->tx.phase == MW_SMTP_PHASE_TRANSACTION && c->tx.mail_ok);
    CHECK((c = find(&h, 'C', 5)) && c->seq == MW_SMTP_SEQ_NESTED_MAIL && c->tx.tag == 2);
    CHECK((c = find(&h, 'C', 7)) && c->tx.nrcpt == 2);
    CHECK((c = find(&h, 'S', 11)) && c->r.cmd.verb == MW_SMTP_DATA && c->tx.rcpt_ok == 1 &&
          c->tx.phase == MW_SMTP_PHASE_DATA);
    CHECK((c = find(&h, 'S', 12)) && c->r.cmd.verb == VERB_END && c->tx.tag == 0 &&
          c->tx.phase == MW_SMTP_PHASE_GREETED);
    CHECK((c = find(&h, 'S', 14)) && c->r.cmd.verb == MW_SMTP_QUIT);
    check_splits(txn, sizeof txn / sizeof *txn);
}

static void test_tls_restart(void)
{
    mw_smtp_txn t;
    mw_smtp_txn_init(&t);
    mw_smtp_txn_reset(&t, true);
    mw_smtp_txn_capability(&t, "STARTTLS");
    mw_smtp_txn_reply(&t, MW_SMTP_EHLO, 250, 0);
    mw_smtp_txn_restart(&t);
    CHECK(!t.helo_sent && !t.ehlo_seen && !t.adv_starttls && t.phase == MW_SMTP_PHASE_START);
    /* inside TLS a MAIL before EHLO is not flagged (the EHLO went before TLS) */
    CHECK_EQ_INT(mw_smtp_txn_check(&t, MW_SMTP_MAIL, true), MW_SMTP_SEQ_OK);
    /* the server ended a body itself: the transaction is gone */
    mw_smtp_txn_mail(&t, 7, 1);
    mw_smtp_txn_body(&t);
    mw_smtp_txn_abort(&t);
    CHECK(t.tag == 0 && t.phase == MW_SMTP_PHASE_GREETED);
}

/* Chunks fed whole, split at every point and byte by byte: same counts. */
static void chunks_run(const char *const *chunks, const int *last, size_t n, size_t piece,
                       mw_smtp_chunks *out, unsigned *done)
{
    mw_smtp_bdat_reset(out);
    *done = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = (const uint8_t *)chunks[i];
        size_t len = strlen(chunks[i]);
        if (!mw_smtp_bdat_begin(out, len, last[i]))
            continue;
        /* the chunk's bytes, then a command line the feed must not take */
        uint8_t buf[256];
        memcpy(buf, p, len);
        memcpy(buf + len, "QUIT\r\n", 6);
        size_t off = 0;
        while (off < len) {
            size_t avail = piece ? (len + 6 - off < piece ? len + 6 - off : piece) : len + 6 - off;
            mw_smtp_chunk_step st = mw_smtp_bdat_feed(out, buf + off, avail);
            CHECK(st.consumed <= len - off);
            off += st.consumed;
            if (st.message_done)
                (*done)++;
            if (st.chunk_done)
                CHECK_EQ_INT(off, len);
        }
    }
}

static void test_chunks(void)
{
    static const char *const chunks[] = {"a\rb\nc\r", "\nde\r\n", "f\r"};
    static const int last[] = {0, 0, 1};
    mw_smtp_chunks ref, b;
    unsigned ref_done, done;
    chunks_run(chunks, last, 3, 0, &ref, &ref_done);
    CHECK_EQ_INT(ref_done, 1);
    /* CR before b, bare LF before c, the CR LF across chunks pairs, the
     * final CR is bare */
    CHECK_EQ_INT(ref.bare_cr, 2);
    CHECK_EQ_INT(ref.bare_lf, 1);
    CHECK_EQ_INT(ref.nul, 0);
    for (size_t piece = 1; piece <= 8; piece++) {
        chunks_run(chunks, last, 3, piece, &b, &done);
        CHECK(done == ref_done && b.bare_cr == ref.bare_cr && b.bare_lf == ref.bare_lf &&
              b.nul == ref.nul && b.left == 0);
    }
    /* a gap inside a chunk */
    mw_smtp_bdat_reset(&b);
    mw_smtp_bdat_begin(&b, 100, true);
    CHECK(!mw_smtp_bdat_gap(&b, 40));
    CHECK_EQ_INT(b.left, 60);
    CHECK(mw_smtp_bdat_gap(&b, 60));
    /* NUL bytes */
    const uint8_t z[] = {'x', 0, 0, 'y'};
    mw_smtp_bdat_reset(&b);
    mw_smtp_bdat_begin(&b, 4, false);
    mw_smtp_chunk_step zs = mw_smtp_bdat_feed(&b, z, 4);
    CHECK(zs.chunk_done && !zs.message_done && b.nul == 2);
    /* BDAT 0 LAST: no bytes follow */
    CHECK(!mw_smtp_bdat_begin(&b, 0, true));
}

static const step data_modes[] = {
    {'S', "220 mx\r\n"},
    {'C', "EHLO c\r\n"},
    {'S', "250 mx\r\n"},
    {'C', "AUTH LOGIN\r\n"},
    {'S', "334 VXNlcm5hbWU6\r\n"},
    {'C', "dXNlcg==\r\n"},
    {'S', "334 UGFzc3dvcmQ6\r\n"},
    {'C', "cGFzcw==\r\n"},
    {'S', "235 ok\r\n"},
    {'C', "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: early\r\n"},
    {'S', "250 ok\r\n250 ok\r\n554 no\r\n"},      /* DATA refused after early text */
    {'C', "hello\r\nNOOP\r\n"},                    /* text read as a command, then a real one */
    {'S', "500 what\r\n250 ok\r\n"},
    {'C', "STARTTLS\r\n"},
    {'S', "454 not now\r\n"},
    {'C', "QUIT\r\n"},
    {'S', "221 bye\r\n"},
};

static void test_client_modes(void)
{
    static harness h;
    run(&h, data_modes, sizeof data_modes / sizeof *data_modes, -1, 0, 0);
    const logrec *c;
    CHECK((c = find(&h, 'S', 2)) && c->cl.mode == MW_SMTP_CLIENT_AUTH && c->cl.auth_open);
    CHECK((c = find(&h, 'C', 2)) && c->verb == VERB_AUTH_RESP &&
          c->cl.mode == MW_SMTP_CLIENT_COMMAND);
    CHECK((c = find(&h, 'S', 4)) && !c->cl.auth_open && c->r.cmd.verb == VERB_AUTH_RESP);
    /* the text after DATA went early: the body began before the reply */
    CHECK((c = find(&h, 'C', 7)) && c->cl.early && c->cl.mode == MW_SMTP_CLIENT_DATA);
    CHECK((c = find(&h, 'S', 7)) && c->refusal == MW_SMTP_REFUSED_EARLY && c->cl.rejected &&
          c->cl.mode == MW_SMTP_CLIENT_COMMAND);
    CHECK((c = find(&h, 'C', 8)) && c->after_refusal && c->verb == MW_SMTP_UNKNOWN);
    CHECK((c = find(&h, 'C', 9)) && !c->after_refusal && !c->cl.rejected);
    CHECK((c = find(&h, 'S', 10)) && c->r.cmd.verb == MW_SMTP_STARTTLS &&
          c->cl.mode == MW_SMTP_CLIENT_COMMAND && !c->cl.starttls_acked);
    check_splits(data_modes, sizeof data_modes / sizeof *data_modes);
    check_splits(txn, sizeof txn / sizeof *txn);
}

/* What a lenient receiver reads after a non-strict end of data. */
static void test_smuggle(void)
{
    static const char bytes[] = "MAIL FROM:<x@evil>\r\nRCPT TO:<v@victim>\r\nDATA\r\n"
                                "From: ceo@victim\r\n\r\npay now\r\nmore\r\ncut";
    const uint8_t *b = (const uint8_t *)bytes;
    size_t n = strlen(bytes);
    mw_smtp_smuggle sm;
    memset(&sm, 0, sizeof sm);
    mw_smtp_smuggle_reset(&sm);
    mw_smtp_smuggle_body_begin(&sm);
    mw_smtp_smuggle_candidate(&sm);
    static const uint8_t want[] = {MW_SMTP_SMUG_COMMAND,     MW_SMTP_SMUG_COMMAND,
                                   MW_SMTP_SMUG_COMMAND,     MW_SMTP_SMUG_HEADER,
                                   MW_SMTP_SMUG_HEADERS_END, MW_SMTP_SMUG_BODY,
                                   MW_SMTP_SMUG_BODY,        MW_SMTP_SMUG_BODY};
    size_t off = 0, k = 0, covered = 0;
    mw_smtp_smug_line ln;
    while (mw_smtp_smuggle_next(&sm, b, &off, n, &ln)) {
        CHECK(k < sizeof want && ln.kind == want[k]);
        CHECK(ln.off == covered && ln.next > ln.off && ln.len <= ln.next - ln.off);
        covered = ln.next;
        if (ln.kind == MW_SMTP_SMUG_COMMAND) {
            mw_smtp_cmd cmd;
            CHECK(mw_smtp_cmd_parse(b + ln.off, ln.len, &cmd));
            mw_smtp_smuggle_command(&sm, (uint8_t)cmd.verb);
        }
        k++;
    }
    CHECK_EQ_INT(k, sizeof want);
    CHECK_EQ_INT(covered, n);
    CHECK(sm.mid_line && sm.phase == MW_SMTP_SMUG_IN_BODY);
    /* MAIL, RCPT, and DATA with the smuggled message's end */
    CHECK_EQ_INT(sm.replies, 4);
    mw_smtp_smuggle_strict_end(&sm);
    CHECK(!sm.active && sm.owed == 4);
    for (int i = 0; i < 4; i++)
        CHECK(mw_smtp_smuggle_owed_reply(&sm));
    CHECK(!mw_smtp_smuggle_owed_reply(&sm));
    /* a line cut by the end of one segment is shown, not read, in the next */
    mw_smtp_smuggle_candidate(&sm);
    static const char cut[] = "RCPT TO:<a";
    off = 0;
    CHECK(mw_smtp_smuggle_next(&sm, (const uint8_t *)cut, &off, strlen(cut), &ln));
    CHECK(ln.kind == MW_SMTP_SMUG_PARTIAL && sm.mid_line);
    static const char rest[] = "@b>\r\nNOOP\r\n";
    off = 0;
    CHECK(mw_smtp_smuggle_next(&sm, (const uint8_t *)rest, &off, strlen(rest), &ln));
    CHECK(ln.kind == MW_SMTP_SMUG_PARTIAL && !sm.mid_line);
    CHECK(mw_smtp_smuggle_next(&sm, (const uint8_t *)rest, &off, strlen(rest), &ln));
    CHECK(ln.kind == MW_SMTP_SMUG_COMMAND && ln.len == 4);
}

int main(void)
{
    test_session();
    test_odd();
    test_fifo();
    test_transaction();
    test_tls_restart();
    test_chunks();
    test_client_modes();
    test_smuggle();
    return CHECK_DONE();
}

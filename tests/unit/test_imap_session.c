/* The IMAP session machine: transcripts fed whole, byte by byte and cut at
 * every point of every message give the same records (an unfinished line is
 * carried to the next buffer as the stream engine does); and the facts the
 * records state: classification, links, literal progress, state, limits. */
#include <stdlib.h>

#include "check.h"
#include "core/imap/imap_session.h"

typedef struct msg {
    int dir;
    const char *text;
} msg;

#define MAXREC 1024
#define MAXOBJ 512

/* A record with pointers made into ids and offsets into stream offsets. */
typedef struct trec {
    int dir, kind;
    uint64_t off, len;
    int line_kind, logical_kind, cmd, cont_what, eff_state, anomalies, segment;
    int lit_status;
    uint64_t lit_size;
    int command, untagged_for, literal;
    int eol;
} trec;

typedef struct run {
    trec r[MAXREC];
    size_t n;
    const void *cmds[MAXOBJ];
    size_t ncmds;
    const void *lits[MAXOBJ];
    size_t nlits;
    uint64_t base[2];   /* stream offset of the buffer being fed, per direction */
    int dir;
    mw_imap_sess s;
} run;

static int obj_id(const void **tab, size_t *n, const void *p, bool add)
{
    if (!p)
        return -1;
    for (size_t i = 0; i < *n; i++)
        if (tab[i] == p)
            return (int)i;
    if (!add || *n == MAXOBJ)
        return -2;
    tab[*n] = p;
    return (int)(*n)++;
}

static void on_rec(void *opaque, const mw_imap_rec *rec)
{
    run *ru = (run *)opaque;
    uint64_t off = ru->base[rec->dir] + rec->off;
    if (rec->kind != MW_IMAP_REC_TEXT && ru->n) {
        /* literal and compressed runs come in pieces that depend on the cuts */
        trec *p = &ru->r[ru->n - 1];
        if (p->kind == rec->kind && p->dir == rec->dir && p->off + p->len == off) {
            p->len += rec->len;
            return;
        }
    }
    if (ru->n == MAXREC)
        return;
    trec *t = &ru->r[ru->n++];
    memset(t, 0, sizeof *t);
    t->dir = rec->dir;
    t->kind = rec->kind;
    t->off = off;
    t->len = rec->len;
    t->line_kind = rec->line_kind;
    t->logical_kind = rec->logical_kind;
    t->cmd = rec->cmd;
    t->cont_what = rec->cont_what;
    t->eff_state = rec->eff_state;
    t->anomalies = rec->anomalies;
    t->segment = (int)rec->segment;
    t->lit_status = rec->lit.status;
    t->lit_size = rec->lit.size;
    t->eol = rec->eol;
    bool new_cmd = rec->kind == MW_IMAP_REC_TEXT && rec->line_kind == MW_IMAP_LK_COMMAND;
    t->command = obj_id(ru->cmds, &ru->ncmds, rec->command, new_cmd);
    t->untagged_for = obj_id(ru->cmds, &ru->ncmds, rec->untagged_for, false);
    t->literal = obj_id(ru->lits, &ru->nlits, rec->literal, rec->kind == MW_IMAP_REC_TEXT);
}

/* Everything the machine allocates, freed when the next run starts. */
static void **allocs;
static size_t n_allocs, cap_allocs;

static void *test_alloc(void *opaque, size_t n)
{
    (void)opaque;
    if (n_allocs == cap_allocs) {
        cap_allocs = cap_allocs ? cap_allocs * 2 : 64;
        allocs = (void **)realloc(allocs, cap_allocs * sizeof *allocs);
    }
    return allocs[n_allocs++] = calloc(1, n ? n : 1);
}

static void free_all(void)
{
    for (size_t i = 0; i < n_allocs; i++)
        free(allocs[i]);
    n_allocs = 0;
}

static void run_init(run *ru, unsigned inflight_max)
{
    memset(ru, 0, sizeof *ru);
    mw_imap_sess_cfg cfg = {.alloc = test_alloc, .inflight_max = inflight_max, .max_literal = 1u << 30};
    mw_imap_sess_init(&ru->s, &cfg);
}

/* The engine's way: what a call leaves unconsumed is carried and joined to
 * the start of the next call of that direction. */
typedef struct carrier {
    uint8_t buf[2][8192];
    size_t len[2];
} carrier;

static void feed(run *ru, carrier *c, int dir, const uint8_t *p, size_t n, uint32_t frame)
{
    memcpy(c->buf[dir] + c->len[dir], p, n);
    size_t total = c->len[dir] + n;
    mw_imap_when when = {.frame = frame, .sec = frame, .nsec = 0};
    size_t used = mw_imap_sess_feed(&ru->s, dir, c->buf[dir], total, false, &when, NULL, on_rec, ru);
    memmove(c->buf[dir], c->buf[dir] + used, total - used);
    c->len[dir] = total - used;
    ru->base[dir] += used;
}

/* cut_msg < 0: every message whole; cut_at 0: byte by byte; else message
 * cut_msg in two at cut_at. */
static void run_transcript(run *ru, const msg *m, size_t nm, int cut_msg, size_t cut_at,
                           unsigned inflight_max)
{
    static carrier c;
    memset(&c, 0, sizeof c);
    run_init(ru, inflight_max);
    for (size_t i = 0; i < nm; i++) {
        const uint8_t *p = (const uint8_t *)m[i].text;
        size_t n = strlen(m[i].text);
        uint32_t frame = (uint32_t)i + 1;
        if (cut_msg == (int)i && cut_at == 0) {
            for (size_t k = 0; k < n; k++)
                feed(ru, &c, m[i].dir, p + k, 1, frame);
        } else if (cut_msg == (int)i) {
            feed(ru, &c, m[i].dir, p, cut_at, frame);
            feed(ru, &c, m[i].dir, p + cut_at, n - cut_at, frame);
        } else {
            feed(ru, &c, m[i].dir, p, n, frame);
        }
    }
}

static bool same_records(const run *a, const run *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (memcmp(&a->r[i], &b->r[i], sizeof a->r[i]) != 0)
            return false;
    return true;
}

/* Whole, byte by byte, and every cut of every message: the same records.
 * Frame numbers differ with the cuts only in what the records do not hold. */
static void check_splits(const char *name, const msg *m, size_t nm, run *whole)
{
    static run other;
    run_transcript(whole, m, nm, -1, 0, 0);
    for (size_t i = 0; i < nm; i++) {
        size_t n = strlen(m[i].text);
        for (size_t k = 0; k < n; k++) {
            run_transcript(&other, m, nm, (int)i, k, 0);
            bool same = same_records(whole, &other);
            if (!same)
                fprintf(stderr, "%s: message %zu cut at %zu differs\n", name, i, k);
            CHECK(same);
        }
    }
}

static const trec *find_line(const run *ru, int dir, int nth)
{
    for (size_t i = 0; i < ru->n; i++)
        if (ru->r[i].kind == MW_IMAP_REC_TEXT && ru->r[i].dir == dir && nth-- == 0)
            return &ru->r[i];
    return NULL;
}

enum { C = MW_IMAP_CLIENT, S = MW_IMAP_SERVER };

static void test_session(void)
{
    static const msg t[] = {
        {S, "* OK IMAP4rev1 ready\r\n"},
        {C, "a1 LOGIN {5}\r\n"},
        {S, "+ go\r\n"},
        {C, "alice {6}\r\n"},
        {S, "+ go\r\n"},
        {C, "s{e}t!\r\n"},
        {S, "a1 OK done\r\n"},
        {C, "a2 SELECT INBOX\r\n"},
        {S, "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\na2 OK [READ-WRITE] done\r\n"},
        {C, "a3 FETCH 1 (BODY[])\r\n"},
        {S, "* 1 FETCH (BODY[] {12}\r\nab\r\n{3}\r\n\r\nx UID 5)\r\na3 OK done\r\n"},
        {C, "a4 IDLE\r\n"},
        {S, "+ idling\r\n* 4 EXISTS\r\n"},
        {C, "DONE\r\n"},
        {S, "a4 OK idle done\r\n"},
        {C, "a5 LOGOUT\r\n"},
        {S, "* BYE\r\na5 OK bye\r\n"},
    };
    static run ru;
    check_splits("session", t, sizeof t / sizeof t[0], &ru);
    CHECK_EQ_INT(ru.s.state, MW_IMAP_SS_LOGOUT);
    CHECK_EQ_INT(ru.s.n_inflight, 0);
    CHECK_EQ_INT(ru.ncmds, 5);
    CHECK_EQ_INT(ru.nlits, 3);
    /* LOGIN with two literals: the continuations let them go */
    const trec *l = find_line(&ru, C, 0);
    CHECK_EQ_INT(l->line_kind, MW_IMAP_LK_COMMAND);
    CHECK_EQ_INT(l->lit_size, 5);
    const trec *more = find_line(&ru, C, 1);
    CHECK_EQ_INT(more->line_kind, MW_IMAP_LK_MORE);
    CHECK_EQ_INT(more->segment, 1);
    CHECK_EQ_INT(find_line(&ru, S, 1)->cont_what, MW_IMAP_CONT_LITERAL);
    CHECK_EQ_INT(find_line(&ru, S, 1)->command, 0);
    /* the server literal holds a line end and a brace count: counted, not parsed */
    const trec *fetch = find_line(&ru, S, 7);
    CHECK_EQ_INT(fetch->line_kind, MW_IMAP_LK_UNTAGGED);
    CHECK_EQ_INT(fetch->lit_size, 12);
    CHECK_EQ_INT(fetch->untagged_for, 2);
    const trec *after = find_line(&ru, S, 8);
    CHECK_EQ_INT(after->line_kind, MW_IMAP_LK_MORE);
    CHECK_EQ_INT(after->logical_kind, MW_IMAP_LK_UNTAGGED);
    CHECK_EQ_INT(find_line(&ru, S, 9)->line_kind, MW_IMAP_LK_TAGGED);
    CHECK_EQ_INT(find_line(&ru, S, 9)->command, 2);
    /* IDLE: "+" accepted, DONE linked to the IDLE command */
    CHECK_EQ_INT(find_line(&ru, S, 10)->cont_what, MW_IMAP_CONT_IDLE);
    CHECK_EQ_INT(find_line(&ru, S, 10)->command, 3);
    const trec *done = find_line(&ru, C, 6);
    CHECK_EQ_INT(done->line_kind, MW_IMAP_LK_DONE);
    CHECK_EQ_INT(done->command, 3);
    CHECK_EQ_INT(done->anomalies, 0);
    for (size_t i = 0; i < ru.n; i++)
        CHECK_EQ_INT(ru.r[i].anomalies, 0);
    const mw_imap_command_rec *sel = (const mw_imap_command_rec *)ru.cmds[1];
    CHECK_EQ_INT(sel->done.frame, 9);
    CHECK_EQ_INT(sel->status, MW_IMAP_KW_OK);
}

/* A pipeline far beyond 16 commands: every completion finds its command. */
static void test_pipeline(void)
{
    static char cmds[4096], resps[8192];
    size_t a = 0, b = 0;
    for (int i = 1; i <= 300; i++) {
        a += (size_t)snprintf(cmds + a, sizeof cmds - a, "p%d NOOP\r\n", i);
        b += (size_t)snprintf(resps + b, sizeof resps - b, "p%d OK done\r\n", 301 - i);
    }
    msg t[] = {{S, "* PREAUTH ready\r\n"}, {C, cmds}, {S, resps}};
    static run ru;
    run_transcript(&ru, t, 3, -1, 0, 0);
    unsigned findings = 0, tagged = 0;
    for (size_t i = 0; i < ru.n; i++) {
        findings += ru.r[i].anomalies != 0;
        tagged += ru.r[i].line_kind == MW_IMAP_LK_TAGGED && ru.r[i].command >= 0;
    }
    CHECK_EQ_INT(findings, 0);
    CHECK_EQ_INT(tagged, 300);
    CHECK_EQ_INT(ru.s.n_inflight, 0);
    /* byte by byte, the same */
    static run bb;
    run_transcript(&bb, t, 3, 1, 0, 0);
    CHECK(same_records(&ru, &bb));
}

/* At the limit, the oldest command is dropped and the record says so; its
 * completion is then for a tag not in flight, said to be most likely the
 * dropped command's; once that is paid, an unknown tag is unknown again. */
static void test_inflight_limit(void)
{
    static const msg t[] = {
        {C, "a NOOP\r\nb NOOP\r\nc NOOP\r\nd NOOP\r\ne NOOP\r\n"},
        {S, "a OK\r\ne OK\r\nz OK\r\n"},
    };
    static run ru;
    run_transcript(&ru, t, 2, -1, 0, 4);
    CHECK_EQ_INT(find_line(&ru, C, 4)->anomalies, MW_IMAP_AN_INFLIGHT_FULL);
    CHECK_EQ_INT(find_line(&ru, S, 0)->anomalies, MW_IMAP_AN_TAG_FORGOTTEN);
    CHECK_EQ_INT(find_line(&ru, S, 1)->anomalies, 0);
    CHECK_EQ_INT(find_line(&ru, S, 1)->command, 4);
    CHECK_EQ_INT(find_line(&ru, S, 2)->anomalies, MW_IMAP_AN_TAG_UNKNOWN);
}

/* A refused synchronizing literal is never sent: the next client line is a
 * command again.  SASL: challenges, responses, a cancel; STARTTLS; reused
 * tags; a command in the wrong state; plaintext after STARTTLS. */
static void test_refused_and_sasl(void)
{
    static const msg t[] = {
        {S, "* OK ready\r\n"},
        {C, "x1 LOGIN {5}\r\n"},
        {S, "x1 NO no literals\r\n"},
        {C, "x2 AUTHENTICATE PLAIN\r\n"},
        {S, "+ \r\n"},
        {C, "AGJvYgBzZWNyZXQ={9}\r\n"},
        {S, "x2 OK yes\r\n"},
        {C, "x3 SELECT a\r\nx3 SELECT b\r\n"},
        {S, "x3 OK\r\nx3 OK\r\n"},
        {C, "x4 STARTTLS\r\n"},
        {S, "x4 OK begin\r\n"},
        {C, "x5 NOOP\r\n"},
    };
    static run ru;
    check_splits("refused", t, sizeof t / sizeof t[0], &ru);
    CHECK_EQ_INT(find_line(&ru, C, 1)->line_kind, MW_IMAP_LK_COMMAND);
    CHECK(((const mw_imap_literal_rec *)ru.lits[0])->cancelled);
    CHECK_EQ_INT(find_line(&ru, S, 2)->cont_what, MW_IMAP_CONT_SASL);
    CHECK_EQ_INT(find_line(&ru, S, 2)->command, 1); /* the AUTHENTICATE it continues */
    const trec *sasl = find_line(&ru, C, 2);
    CHECK_EQ_INT(sasl->line_kind, MW_IMAP_LK_SASL);
    CHECK_EQ_INT(sasl->lit_status, MW_IMAP_LIT_ABSENT); /* a brace count in SASL data announces nothing */
    CHECK_EQ_INT(find_line(&ru, C, 3)->line_kind, MW_IMAP_LK_COMMAND);
    CHECK(((const mw_imap_command_rec *)ru.cmds[3])->reused);
    CHECK_EQ_INT(find_line(&ru, C, 5)->anomalies, MW_IMAP_AN_WRONG_STATE);
    CHECK_EQ_INT(find_line(&ru, C, 5)->eff_state, MW_IMAP_SS_SELECTED);
    CHECK_EQ_INT(ru.s.starttls, 2);
    CHECK_EQ_INT(find_line(&ru, C, 6)->anomalies, MW_IMAP_AN_PLAINTEXT);
}

/* Lost bytes: a literal's count goes on through them; the text after a loss
 * is marked continued. */
static void test_gap(void)
{
    static run ru;
    run_init(&ru, 0);
    mw_imap_when w = {.frame = 1, .sec = 0, .nsec = 0};
    const char *h = "* 1 FETCH (BODY[] {10}\r\nabc";
    size_t used = mw_imap_sess_feed(&ru.s, S, (const uint8_t *)h, strlen(h), false, &w, NULL, on_rec, &ru);
    CHECK_EQ_INT(used, strlen(h));
    mw_imap_sess_gap(&ru.s, S, 4);
    const mw_imap_literal_rec *l = (const mw_imap_literal_rec *)ru.lits[0];
    CHECK(l->broken);
    CHECK_EQ_INT(l->seen, 7);
    const char *t = "xyz)\r\n";
    ru.base[S] = 100;
    mw_imap_sess_feed(&ru.s, S, (const uint8_t *)t, strlen(t), false, &w, NULL, on_rec, &ru);
    CHECK_EQ_INT(l->end_frame, 1);
    CHECK_EQ_INT(l->seen, 10);
    CHECK_EQ_INT(ru.r[ru.n - 1].line_kind, MW_IMAP_LK_MORE);
}

/* A session captured after its greeting: the state is inferred from the
 * commands and data, without wrong-state findings; with a greeting it is not. */
static void test_midstream(void)
{
    static const msg t[] = {{C, "a5 UID FETCH 1:* (FLAGS)\r\n"}, {S, "* 1 FETCH (UID 7)\r\na5 OK done\r\n"},
                            {C, "a6 IDLE\r\n"}};
    static run ru;
    run_transcript(&ru, t, 3, -1, 0, 0);
    CHECK_EQ_INT(ru.s.start, MW_IMAP_START_MIDSTREAM);
    CHECK(ru.s.inferred);
    CHECK_EQ_INT(ru.s.state, MW_IMAP_SS_SELECTED);
    for (size_t i = 0; i < ru.n; i++)
        CHECK(!(ru.r[i].anomalies & MW_IMAP_AN_WRONG_STATE));
    static const msg g[] = {{S, "* OK ready\r\n"}, {C, "a1 FETCH 1 (FLAGS)\r\n"}};
    run_transcript(&ru, g, 2, -1, 0, 0);
    CHECK_EQ_INT(ru.s.start, MW_IMAP_START_GREETED);
    CHECK(!ru.s.inferred);
    CHECK_EQ_INT(ru.s.state, MW_IMAP_SS_NOT_AUTH);
    CHECK(find_line(&ru, C, 0)->anomalies & MW_IMAP_AN_WRONG_STATE);
    /* COMPRESS before authentication (RFC 4978: a command of the authenticated state) */
    static const msg z[] = {{S, "* OK ready\r\n"}, {C, "a1 COMPRESS DEFLATE\r\n"},
                            {S, "a1 BAD not now\r\n"}, {C, "a2 LOGIN u p\r\n"},
                            {S, "a2 OK in\r\n"}, {C, "a3 COMPRESS DEFLATE\r\n"}};
    run_transcript(&ru, z, 6, -1, 0, 0);
    CHECK(find_line(&ru, C, 0)->anomalies & MW_IMAP_AN_WRONG_STATE);
    CHECK(!(find_line(&ru, C, 2)->anomalies & MW_IMAP_AN_WRONG_STATE));
}

/* Each kind of first line of a mid-stream capture on its own: IDLE and any
 * UID command mean selected, a command of the authenticated state (STATUS)
 * authenticated, selected-state data (EXISTS) selected; a line of the not
 * authenticated state (CAPABILITY) leaves the state as it is. */
static void test_midstream_each(void)
{
    static const struct {
        int dir;
        const char *line;
        mw_imap_sstate want;
        bool inferred;
    } c[] = {
        {C, "b1 IDLE\r\n", MW_IMAP_SS_SELECTED, true},
        {C, "b1 UID SEARCH ALL\r\n", MW_IMAP_SS_SELECTED, true},
        {C, "b1 UID STORE 5 +FLAGS (\\Seen)\r\n", MW_IMAP_SS_SELECTED, true},
        {C, "b1 FETCH 1 (FLAGS)\r\n", MW_IMAP_SS_SELECTED, true},
        {C, "b1 STATUS INBOX (MESSAGES)\r\n", MW_IMAP_SS_AUTH, true},
        {S, "* 12 EXISTS\r\n", MW_IMAP_SS_SELECTED, true},
        {C, "b1 CAPABILITY\r\n", MW_IMAP_SS_NOT_AUTH, false},
    };
    static run ru;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        msg t[1] = {{c[i].dir, c[i].line}};
        run_transcript(&ru, t, 1, -1, 0, 0);
        CHECK_EQ_INT(ru.s.state, c[i].want);
        CHECK(ru.s.inferred == c[i].inferred);
        for (size_t j = 0; j < ru.n; j++)
            CHECK(!(ru.r[j].anomalies & MW_IMAP_AN_WRONG_STATE));
    }
}

int main(void)
{
    test_midstream();
    test_midstream_each();
    test_session();
    test_pipeline();
    test_inflight_limit();
    test_refused_and_sasl();
    test_gap();
    free_all();
    free(allocs);
    return CHECK_DONE();
}

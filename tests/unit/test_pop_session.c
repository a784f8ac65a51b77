/* Unit tests of the POP3 session machine: transcripts fed whole, byte by
 * byte, and split at every point of every segment, through a harness that
 * carries incomplete lines the way the stream engine does; the records must
 * not depend on the segmentation. */
#include "check.h"
#include "core/pop/pop_session.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* ---- an arena for the machine's allocations ---- */

static GPtrArray *arena;

static void *arena_alloc(void *ud, size_t n)
{
    (void)ud;
    void *p = g_malloc0(n ? n : 1);
    g_ptr_array_add(arena, p);
    return p;
}

static void *arena_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    void *q = g_realloc(p, n ? n : 1);
    if (p) {
        for (guint i = 0; i < arena->len; i++)
            if (arena->pdata[i] == p) {
                arena->pdata[i] = q;
                return q;
            }
    }
    g_ptr_array_add(arena, q);
    return q;
}

static const mw_pop_alloc test_alloc = {arena_alloc, arena_realloc, NULL};

/* ---- transcripts ---- */

typedef struct step {
    int server;
    const char *bytes;
} step;

#define END_OF_STEPS {-1, NULL}

static const step session_plain[] = {
    {1, "+OK POP3 ready <1.2@lab>\r\n"},
    {0, "CAPA\r\n"},
    {1, "+OK\r\nUSER\r\nPIPELINING\r\nSASL PLAIN LOGIN\r\n.\r\n"},
    {0, "USER carol\r\n"},
    {1, "+OK\r\n"},
    {0, "PASS secret\r\n"},
    {1, "+OK logged in\r\n"},
    {0, "STAT\r\nLIST\r\nUIDL\r\n"},
    {1, "+OK 2 300\r\n+OK 2 messages\r\n1 120\r\n2 180\r\n.\r\n+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n"},
    {0, "RETR 1\r\n"},
    {1, "+OK 120 octets\r\nSubject: one\r\n\r\n..dot line\r\nbody\r\n"},
    {1, "more body\r\n.x bare\r\n.\r\n"},
    {0, "DELE 1\r\n"},
    {1, "+OK deleted\r\n"},
    {0, "RETR 1\r\nTOP 2 0\r\n"},
    {1, "-ERR no such message\r\n+OK\r\nSubject: two\r\n\r\n.\r\n"},
    {0, "XTND\r\nQUIT\r\n"},
    {1, "-ERR unknown\r\n+OK bye\r\n"},
    END_OF_STEPS,
};

static const step session_auth[] = {
    {1, "+OK ready\r\n"},
    {0, "AUTH PLAIN\r\n"},
    {1, "+ \r\n"},
    {0, "AGNhcm9sAHNlY3JldA==\r\n"},
    {1, "+OK\r\n"},
    {0, "LIST 1\r\nRETR 1\r\n"},
    {1, "+OK 1 50\r\n+OK\nSubject: lf\n\nbody\n.\n"},
    {0, "STLS\r\n"},
    {1, "-ERR not now\r\n"},
    {0, "QUIT\r\n"},
    {1, "+OK\r\n"},
    END_OF_STEPS,
};

/* The greeting is followed by bytes without a line end that run on into the
 * answer to CAPA; the client goes on with USER. */
static const step session_greeting_junk[] = {
    {1, "+OK ready\r\nAAAA"},
    {0, "CAPA\r\n"},
    {1, "AAAA+OK capa\r\nUSER\r\n.\r\n"},
    {0, "USER carol\r\n"},
    {1, "+OK\r\n"},
    {0, "QUIT\r\n"},
    {1, "+OK bye\r\n"},
    END_OF_STEPS,
};

/* Starts inside a body; a listing cut short by a status line. */
static const step session_midway[] = {
    {1, "ne of a body\r\nanother line\r\n.\r\n"},
    {0, "NOOP\r\nLIST\r\nNOOP\r\n"},
    {1, "+OK\r\n+OK\r\n1 10\r\n+OK noop\r\n"},
    {0, "AUTH LOGIN\r\n"},
    {1, "+ VXNlcm5hbWU6\r\n"},
    {0, "Y2Fyb2w=\r\n"},
    {1, "+ UGFzc3dvcmQ6\r\n"},
    {0, "*\r\n"},
    {1, "-ERR cancelled\r\n"},
    END_OF_STEPS,
};

/* Dots next to bare CRs: candidates, taken as the end only where a status
 * line follows while a later command waits. */
static const step session_bare_cr[] = {
    {1, "+OK\r\n"},
    {0, "UIDL\r\nTOP 2 0\r\nRETR 3\r\nNOOP\r\n"},
    {1, "+OK\r1 aaa\r.\r"},
    {1, "+OK\r\nSubject: x\r\n\r\nbody\r.\rstill body\r\n.\r"},
    {1, "+OK 9 octets\r\nSubject: y\r\n\r\n.\r\n+OK\r\n"},
    END_OF_STEPS,
};

/* ---- the harness ---- */

typedef struct flow {
    uint8_t *carry;
    size_t carry_len;
    uint64_t offset; /* stream offset of the carried bytes' start */
    uint32_t carry_from; /* the frame the carried line began in */
    bool mid_line;
} flow;

typedef struct run {
    mw_pop_session s;
    flow f[2];
    GString *out;
    /* message bytes accumulated until the next non-data item */
    bool data_open;
    uint64_t data_start, data_len;
    uint32_t data_lines;
    GString *data_ev;
} run;

static void flush_data(run *r)
{
    if (!r->data_open)
        return;
    /* its length is not printed: a terminator's first bytes belong to the
     * data of the call that carried them (the end item says where it ends) */
    g_string_append_printf(r->out, "DATA @%" G_GUINT64_FORMAT " ends %u%s\n", r->data_start,
                           r->data_lines, r->data_ev->str);
    g_string_truncate(r->data_ev, 0);
    r->data_open = false;
}

static void print_multi(GString *o, const mw_pop_multi *m)
{
    if (!m)
        return;
    g_string_append_printf(o, " ml[%u-%u lines %u cut %d skip %d msg %zu", m->start_frame, m->end_frame,
                           m->lines, m->unterminated, m->view_skipped, m->msg_len);
    if (m->msg)
        g_string_append_printf(o, " \"%.*s\"", (int)m->msg_len, (const char *)m->msg);
    g_string_append(o, "]");
}

/* One item as text, with stream offsets, without what only says how the
 * bytes were cut into calls. */
static void print_item(run *r, const mw_pop_item *it, uint64_t base)
{
    uint64_t at = base + it->off;
    if (it->kind == MW_POP_ITEM_BODY_DATA) {
        if (!r->data_open) {
            r->data_open = true;
            r->data_start = at;
            r->data_len = 0;
            r->data_lines = 0;
        }
        r->data_len += it->line.len;
        r->data_lines += it->n;
        for (unsigned i = 0; i < it->nev; i++)
            g_string_append_printf(r->data_ev, " cand %u@%" G_GINT64_FORMAT "+%u", it->ev[i].cls,
                                   (int64_t)at + (int64_t)(it->ev[i].offset - it->body_off),
                                   it->ev[i].len);
        return;
    }
    flush_data(r);
    GString *o = r->out;
    if (it->kind == MW_POP_ITEM_BODY_END) {
        /* where it ends: its start may lie in an earlier call */
        at += it->line.len;
        g_string_append_printf(o, "END-AT ");
    }
    g_string_append_printf(o, "K%u @%" G_GUINT64_FORMAT " len %zu eol %d/%zu lf %u frag %d cont %d",
                           it->kind, at, it->kind == MW_POP_ITEM_BODY_END ? 0 : it->line.len, it->line.eol, it->line.eol_len,
                           it->line.flags, it->fragment, it->continued);
    g_string_append_printf(o, " cmd %u st %u cls %u flags %x n %u msg %u oct %" G_GUINT64_FORMAT
                           "/%zu", it->cmd, it->state, it->cls,
                           it->flags & ~(uint32_t)MW_POP_F_FIRST_IN_CALL, it->n, it->msg, it->octets,
                           it->octets_len);
    if (it->ex)
        g_string_append_printf(o, " ex[%u->%u]", it->ex->req_frame, it->ex->resp_frame);
    if (it->auth)
        g_string_append_printf(o, " auth[%u %u %s %u]", it->auth->mech, it->auth->step,
                               it->auth->user, it->auth->user_frame);
    for (unsigned i = 0; i < it->nev; i++)
        g_string_append_printf(o, " cand %u@%" G_GINT64_FORMAT "+%u", it->ev[i].cls,
                               (int64_t)at + (int64_t)(it->ev[i].offset - it->body_off),
                               it->ev[i].len);
    if (it->end)
        g_string_append_printf(o, " end[%u %u %u %u %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT
                               " %" G_GUINT64_FORMAT " %u %u]", it->end->lines, it->end->stuffed,
                               it->end->bare_dot, it->end->entries, it->end->stat_expect,
                               it->end->size, it->end->octets, it->end->msg, it->end->list_size);
    print_multi(o, it->ml);
    g_string_append_c(o, '\n');
}

typedef struct kept {
    mw_pop_call call;
    uint64_t base;
} kept;

/* Feed one piece of a step the way the engine does: carried bytes first,
 * the incomplete rest carried on. */
static void feed(run *r, GArray *calls, int server, const uint8_t *p, size_t n, uint32_t frame,
                 uint64_t view_max)
{
    flow *f = &r->f[server];
    uint8_t *buf = g_malloc(f->carry_len + n + 1);
    if (f->carry_len)
        memcpy(buf, f->carry, f->carry_len);
    memcpy(buf + f->carry_len, p, n);
    size_t len = f->carry_len + n;
    mw_pop_input in;
    memset(&in, 0, sizeof in);
    in.server = server;
    in.mid_line = f->mid_line;
    in.stream_offset = f->offset;
    in.frame = frame;
    in.line_from = f->carry_len ? f->carry_from : 0;
    in.secs = frame;
    in.view_max = view_max;
    in.max_carry = 65536;
    kept k;
    k.base = f->offset;
    size_t used = mw_pop_session_feed(&r->s, buf, len, &in, &k.call, &f->mid_line);
    CHECK(used <= len);
    CHECK_EQ_INT(k.call.consumed, used);
    g_array_append_val(calls, k);
    g_free(f->carry);
    if (used >= f->carry_len)
        f->carry_from = frame; /* as the engine: a new line, or the same one left whole */
    f->carry_len = len - used;
    f->carry = f->carry_len ? g_memdup2(buf + used, f->carry_len) : NULL;
    f->offset += used;
    g_free(buf);
}

/* Run a transcript; step `split_step` is cut at `split_at` (0: not cut), or
 * every step is fed byte by byte when bytewise.  Returns the records as text,
 * printed after the whole run so that forward links are in. */
static char *transcript(const step *steps, int split_step, size_t split_at, bool bytewise,
                        uint64_t view_max)
{
    run *r = g_new0(run, 1);
    mw_pop_session_init(&r->s, &test_alloc);
    r->out = g_string_new(NULL);
    r->data_ev = g_string_new(NULL);
    GArray *calls = g_array_new(FALSE, FALSE, sizeof(kept));
    for (int i = 0; steps[i].bytes; i++) {
        const uint8_t *p = (const uint8_t *)steps[i].bytes;
        size_t n = strlen(steps[i].bytes);
        uint32_t frame = (uint32_t)i + 1;
        if (bytewise) {
            for (size_t b = 0; b < n; b++)
                feed(r, calls, steps[i].server, p + b, 1, frame, view_max);
        } else if (i == split_step && split_at > 0 && split_at < n) {
            feed(r, calls, steps[i].server, p, split_at, frame, view_max);
            feed(r, calls, steps[i].server, p + split_at, n - split_at, frame, view_max);
        } else {
            feed(r, calls, steps[i].server, p, n, frame, view_max);
        }
    }
    for (guint c = 0; c < calls->len; c++) {
        kept *k = &g_array_index(calls, kept, c);
        for (uint32_t i = 0; i < k->call.nitems; i++)
            print_item(r, &k->call.items[i], k->base);
    }
    flush_data(r);
    /* every byte was consumed: no line left incomplete */
    CHECK_EQ_INT(r->f[0].carry_len, 0);
    CHECK_EQ_INT(r->f[1].carry_len, 0);
    g_free(r->f[0].carry);
    g_free(r->f[1].carry);
    g_array_free(calls, TRUE);
    g_string_free(r->data_ev, TRUE);
    char *s = g_string_free(r->out, FALSE);
    g_free(r);
    return s;
}

static int nsteps(const step *steps)
{
    int n = 0;
    while (steps[n].bytes)
        n++;
    return n;
}

/* The same records whatever the segmentation. */
static void every_split(const char *name, const step *steps)
{
    char *whole = transcript(steps, -1, 0, false, 0);
    char *bytes = transcript(steps, -1, 0, true, 0);
    if (strcmp(whole, bytes) != 0) {
        fprintf(stderr, "%s: byte by byte differs\n--- whole\n%s--- bytes\n%s", name, whole, bytes);
        CHECK(!"byte by byte");
    } else {
        CHECK(true);
    }
    g_free(bytes);
    for (int i = 0; i < nsteps(steps); i++) {
        size_t n = strlen(steps[i].bytes);
        for (size_t at = 1; at < n; at++) {
            char *cut = transcript(steps, i, at, false, 0);
            if (strcmp(whole, cut) != 0) {
                fprintf(stderr, "%s: step %d cut at %zu differs\n--- whole\n%s--- cut\n%s", name, i,
                        at, whole, cut);
                CHECK(!"split");
                g_free(cut);
                g_free(whole);
                return;
            }
            CHECK(true);
            g_free(cut);
        }
    }
    g_free(whole);
}

/* ---- facts of the records ---- */

typedef struct found {
    mw_pop_item items[256];
    uint64_t at[256];
    unsigned n;
} found;

static void collect(const step *steps, found *fd, uint64_t view_max)
{
    mw_pop_session s;
    mw_pop_session_init(&s, &test_alloc);
    uint64_t off[2] = {0, 0};
    memset(fd, 0, sizeof *fd);
    for (int i = 0; steps[i].bytes; i++) {
        mw_pop_input in;
        memset(&in, 0, sizeof in);
        in.server = steps[i].server;
        in.stream_offset = off[in.server];
        in.frame = (uint32_t)i + 1;
        in.view_max = view_max;
        in.max_carry = 65536;
        mw_pop_call call;
        bool mid = false;
        size_t n = strlen(steps[i].bytes);
        size_t used = mw_pop_session_feed(&s, (const uint8_t *)steps[i].bytes, n, &in, &call, &mid);
        CHECK_EQ_INT(used, n);
        for (uint32_t k = 0; k < call.nitems && fd->n < 256; k++) {
            fd->items[fd->n] = call.items[k];
            fd->at[fd->n++] = off[in.server] + call.items[k].off;
        }
        off[in.server] += used;
    }
}

static const mw_pop_item *find_kind(const found *fd, unsigned kind, unsigned nth)
{
    for (unsigned i = 0; i < fd->n; i++)
        if (fd->items[i].kind == kind && nth-- == 0)
            return &fd->items[i];
    return NULL;
}

static void plain_facts(void)
{
    found fd;
    collect(session_plain, &fd, 0);
    const mw_pop_item *greet = find_kind(&fd, MW_POP_ITEM_RESPONSE, 0);
    CHECK(greet && (greet->flags & MW_POP_F_GREETING));
    /* CAPA body: three lines, PIPELINING seen */
    const mw_pop_item *capa = find_kind(&fd, MW_POP_ITEM_BODY_LINE, 1);
    CHECK(capa && (capa->flags & MW_POP_F_PIPELINING));
    /* PASS: the user from USER, in the AUTHORIZATION state */
    const mw_pop_item *pass = find_kind(&fd, MW_POP_ITEM_COMMAND, 2);
    CHECK(pass && pass->cmd == MW_POP_CMD_PASS && pass->auth && strcmp(pass->auth->user, "carol") == 0);
    CHECK(pass && pass->state == MW_POP_STATE_AUTHORIZATION && pass->auth->user_frame == 4);
    /* STAT, LIST, UIDL pipelined: 0, 1, 2 outstanding before them, answered in frame 9 */
    const mw_pop_item *uidl = find_kind(&fd, MW_POP_ITEM_COMMAND, 5);
    CHECK(uidl && uidl->cmd == MW_POP_CMD_UIDL && uidl->n == 2 && uidl->ex->resp_frame == 9);
    CHECK(uidl && uidl->state == MW_POP_STATE_TRANSACTION);
    /* RETR 1: 120 octets announced, one stuffed dot, one bare dot; LIST said 120 */
    const mw_pop_item *end = NULL;
    for (unsigned i = 0; i < fd.n; i++)
        if (fd.items[i].kind == MW_POP_ITEM_BODY_END && fd.items[i].cmd == MW_POP_CMD_RETR)
            end = &fd.items[i];
    CHECK(end != NULL);
    if (end) {
        CHECK_EQ_INT(end->end->stuffed, 1);
        CHECK_EQ_INT(end->end->bare_dot, 1);
        CHECK_EQ_INT(end->end->lines, 6);
        CHECK(end->flags & MW_POP_F_OCTETS);
        CHECK(end->flags & MW_POP_F_LIST_SIZE);
        CHECK_EQ_INT(end->end->list_size, 120);
        CHECK_EQ_INT(end->cls, MW_DATAEND_STRICT);
        CHECK_SPAN(end->ml->msg, end->ml->msg_len,
                   "Subject: one\r\n\r\n.dot line\r\nbody\r\nmore body\r\nx bare\r\n");
        CHECK_EQ_INT(end->end->size, end->ml->msg_len);
        CHECK_EQ_INT(end->ml->start_frame, 11);
        CHECK_EQ_INT(end->ml->end_frame, 12);
    }
    /* RETR 1 after DELE 1: flagged; XTND unknown */
    const mw_pop_item *again = find_kind(&fd, MW_POP_ITEM_COMMAND, 8);
    CHECK(again && again->cmd == MW_POP_CMD_RETR && (again->flags & MW_POP_F_DELETED) && again->msg == 1);
    const mw_pop_item *xtnd = find_kind(&fd, MW_POP_ITEM_COMMAND, 10);
    CHECK(xtnd && (xtnd->flags & MW_POP_F_UNKNOWN_CMD));
    /* TOP 2 0 answered after the -ERR to RETR */
    const mw_pop_item *top = NULL;
    for (unsigned i = 0; i < fd.n; i++)
        if (fd.items[i].kind == MW_POP_ITEM_RESPONSE && fd.items[i].cmd == MW_POP_CMD_TOP)
            top = &fd.items[i];
    CHECK(top && (top->flags & MW_POP_F_MULTILINE) && top->ml->end_frame == 16);
}

static void auth_facts(void)
{
    found fd;
    collect(session_auth, &fd, 0);
    const mw_pop_item *sasl = find_kind(&fd, MW_POP_ITEM_SASL, 0);
    CHECK(sasl && sasl->auth && strcmp(sasl->auth->user, "carol") == 0 && sasl->auth->user_frame == 4);
    const mw_pop_item *chal = find_kind(&fd, MW_POP_ITEM_RESPONSE, 1);
    CHECK(chal && (chal->flags & MW_POP_F_CHALLENGE));
    /* RETR with bare LFs: <LF>.<LF>, the status line's LF counts as no CRLF */
    const mw_pop_item *end = find_kind(&fd, MW_POP_ITEM_BODY_END, 0);
    CHECK(end && end->cls == MW_DATAEND_LF_LF && end->cmd == MW_POP_CMD_RETR);
    /* STLS refused: the QUIT after it is no injection */
    const mw_pop_item *quit = find_kind(&fd, MW_POP_ITEM_COMMAND, 4);
    CHECK(quit && quit->cmd == MW_POP_CMD_QUIT && !(quit->flags & MW_POP_F_STLS_INJECTION));
    /* a message larger than the view limit is checked, not kept */
    collect(session_auth, &fd, 10);
    end = find_kind(&fd, MW_POP_ITEM_BODY_END, 0);
    CHECK(end && end->ml->view_skipped && end->ml->msg_len == 0 && end->end->size == 18);
}

static void midway_facts(void)
{
    found fd;
    collect(session_midway, &fd, 0);
    CHECK_EQ_INT(fd.items[0].kind, MW_POP_ITEM_BODY_PARTIAL);
    CHECK_EQ_INT(fd.items[1].kind, MW_POP_ITEM_BODY_LINE);
    CHECK(fd.items[1].flags & MW_POP_F_UNKNOWN_BODY);
    const mw_pop_item *cut = find_kind(&fd, MW_POP_ITEM_BODY_CUT, 0);
    CHECK(cut && cut->cmd == MW_POP_CMD_LIST && cut->ml->unterminated && cut->ml->end_frame == 3);
    const mw_pop_item *cancel = find_kind(&fd, MW_POP_ITEM_SASL, 1);
    CHECK(cancel && (cancel->flags & MW_POP_F_CANCELLED));
    const mw_pop_item *login = find_kind(&fd, MW_POP_ITEM_SASL, 0);
    CHECK(login && strcmp(login->auth->user, "carol") == 0 && login->auth->step == 0);
}

/* ---- lines longer than max_carry ---- */

/* Feed steps byte by byte as the engine does with a carry limit of
 * max_carry: items of every call in stream order into fd. */
static void collect_bytewise(const step *steps, size_t max_carry, found *fd)
{
    mw_pop_session s;
    mw_pop_session_init(&s, &test_alloc);
    flow f[2];
    memset(f, 0, sizeof f);
    memset(fd, 0, sizeof *fd);
    for (int i = 0; steps[i].bytes; i++) {
        int d = steps[i].server;
        size_t n = strlen(steps[i].bytes);
        for (size_t b = 0; b < n; b++) {
            uint8_t *buf = g_malloc(f[d].carry_len + 1);
            if (f[d].carry_len)
                memcpy(buf, f[d].carry, f[d].carry_len);
            buf[f[d].carry_len] = (uint8_t)steps[i].bytes[b];
            size_t len = f[d].carry_len + 1;
            mw_pop_input in;
            memset(&in, 0, sizeof in);
            in.server = d;
            in.mid_line = f[d].mid_line;
            in.stream_offset = f[d].offset;
            in.frame = (uint32_t)i + 1;
            in.max_carry = max_carry;
            mw_pop_call call;
            size_t used = mw_pop_session_feed(&s, buf, len, &in, &call, &f[d].mid_line);
            for (uint32_t k = 0; k < call.nitems && fd->n < 256; k++) {
                fd->items[fd->n] = call.items[k];
                fd->at[fd->n++] = f[d].offset + call.items[k].off;
            }
            g_free(f[d].carry);
            f[d].carry_len = len - used;
            f[d].carry = f[d].carry_len ? g_memdup2(buf + used, f[d].carry_len) : NULL;
            f[d].offset += used;
            g_free(buf);
        }
    }
    CHECK_EQ_INT(f[0].carry_len, 0);
    CHECK_EQ_INT(f[1].carry_len, 0);
}

#define X100 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
static const step session_long[] = {
    {1, "+OK ready\r\n"},
    {0, "UIDL 1\r\n"},
    {1, "+OK 1 " X100 "\r\n"},                         /* frame 3: a long status line */
    {0, "UIDL\r\n"},
    {1, "+OK\r\n1 " X100 "\r\n2 b\r\n.\r\n"},      /* frame 5: a long listing line */
    {0, "RETR 1\r\n"},
    {1, "+OK " X100 "\r\nSubject: s\r\n\r\nbody\r\n.\r\n"}, /* frame 7: before a message */
    {0, "NOOP " X100 "\r\n"},                          /* frame 8: a long command */
    {1, "-ERR no\r\n"},
    END_OF_STEPS,
};

/* A line longer than max_carry is one line: its first piece is what it is,
 * the later pieces (LINE_REST) never start a line, and its length is known
 * at its end. */
static void longline_facts(void)
{
    found fd;
    collect_bytewise(session_long, 16, &fd);
    unsigned rest = 0;
    for (unsigned i = 0; i < fd.n; i++) {
        const mw_pop_item *it = &fd.items[i];
        CHECK(!(it->flags & (MW_POP_F_UNEXPECTED | MW_POP_F_UNKNOWN_CMD | MW_POP_F_UNMATCHED)));
        if (it->kind == MW_POP_ITEM_LINE_REST)
            rest++;
    }
    CHECK(rest >= 4 * 6); /* 100 octets and more in pieces of 16, four lines */
    const mw_pop_item *st = find_kind(&fd, MW_POP_ITEM_RESPONSE, 1);
    CHECK(st && st->fragment && st->longline && st->cmd == MW_POP_CMD_UIDL);
    if (st && st->longline) {
        CHECK_EQ_INT(st->longline->length, strlen("+OK 1 " X100 "\r\n"));
        CHECK_EQ_INT(st->longline->end_frame, 3);
    }
    /* the listing: two entries, two lines, whatever the first one's length */
    const mw_pop_item *end = find_kind(&fd, MW_POP_ITEM_BODY_END, 0);
    CHECK(end && end->end);
    if (end && end->end) {
        CHECK_EQ_INT(end->end->entries, 2);
        CHECK_EQ_INT(end->end->lines, 2);
    }
    const mw_pop_item *bl = find_kind(&fd, MW_POP_ITEM_BODY_LINE, 0);
    CHECK(bl && bl->longline && bl->longline->length == strlen("1 " X100 "\r\n"));
    /* RETR after a long status line: the message is the bytes after it */
    end = find_kind(&fd, MW_POP_ITEM_BODY_END, 1);
    CHECK(end && (end->flags & MW_POP_F_MESSAGE));
    if (end && end->end)
        CHECK_EQ_INT(end->end->size, strlen("Subject: s\r\n\r\nbody\r\n"));
    /* the long NOOP is one command, answered by the -ERR after it */
    const mw_pop_item *noop = find_kind(&fd, MW_POP_ITEM_COMMAND, 3);
    CHECK(noop && noop->cmd == MW_POP_CMD_NOOP && noop->ex && noop->ex->resp_frame == 9);
    CHECK(noop && noop->longline && noop->longline->end_frame == 8);
    CHECK(!find_kind(&fd, MW_POP_ITEM_COMMAND, 4));
}

/* collect() with the engine's carry: the frame a carried line began in. */
static void greeting_junk_facts(void)
{
    mw_pop_session s;
    mw_pop_session_init(&s, &test_alloc);
    const step *st = session_greeting_junk;
    uint8_t carry[64];
    size_t carry_len = 0;
    uint32_t carry_from = 0;
    const mw_pop_item *before = NULL, *resync = NULL, *user_ok = NULL;
    for (int i = 0; st[i].bytes; i++) {
        uint8_t buf[128];
        size_t n = strlen(st[i].bytes), len = n;
        mw_pop_input in;
        memset(&in, 0, sizeof in);
        in.server = st[i].server;
        in.frame = (uint32_t)i + 1;
        in.max_carry = 65536;
        if (in.server && carry_len) {
            memcpy(buf, carry, carry_len);
            in.line_from = carry_from;
        }
        size_t pre = in.server ? carry_len : 0;
        memcpy(buf + pre, st[i].bytes, n);
        len = pre + n;
        mw_pop_call call;
        bool mid = false;
        size_t used = mw_pop_session_feed(&s, buf, len, &in, &call, &mid);
        if (in.server) {
            carry_len = len - used;
            memcpy(carry, buf + used, carry_len);
            carry_from = in.frame;
        }
        for (uint32_t k = 0; k < call.nitems; k++) {
            const mw_pop_item *it = &call.items[k];
            if (it->flags & MW_POP_F_BEFORE_CMD)
                before = it;
            if (it->flags & MW_POP_F_RESYNC)
                resync = it;
            if (in.frame == 5 && (it->flags & MW_POP_F_MATCHED))
                user_ok = it;
        }
    }
    CHECK(before && before->began == 1 && before->cmd == MW_POP_CMD_CAPA && before->first_cmd &&
          !(before->flags & MW_POP_F_GREETING));
    CHECK(resync && resync->cmd == MW_POP_CMD_USER && resync->retired == MW_POP_CMD_CAPA &&
          resync->retired_frame == 2);
    CHECK(user_ok && user_ok->cmd == MW_POP_CMD_USER);
}

int main(void)
{
    arena = g_ptr_array_new_with_free_func(g_free);
    plain_facts();
    auth_facts();
    midway_facts();
    longline_facts();
    greeting_junk_facts();
    every_split("greeting-junk", session_greeting_junk);
    every_split("plain", session_plain);
    every_split("auth", session_auth);
    every_split("midway", session_midway);
    every_split("bare-cr", session_bare_cr);
    g_ptr_array_free(arena, TRUE);
    return CHECK_DONE();
}

/* The IMAP session machine: see imap_session.h. */
#include <string.h>

#include "core/imap/imap_session.h"

#define INFLIGHT_DEFAULT 4096

static const char *const sstate_names[] = {
    [MW_IMAP_SS_NOT_AUTH] = "not authenticated", [MW_IMAP_SS_AUTH] = "authenticated",
    [MW_IMAP_SS_SELECTED] = "selected", [MW_IMAP_SS_LOGOUT] = "logout",
};

const char *mw_imap_sstate_name(mw_imap_sstate st)
{
    return (unsigned)st < sizeof sstate_names / sizeof sstate_names[0] ? sstate_names[st] : "?";
}

void mw_imap_sess_init(mw_imap_sess *s, const mw_imap_sess_cfg *cfg)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    if (!s->cfg.inflight_max)
        s->cfg.inflight_max = INFLIGHT_DEFAULT;
}

void mw_imap_sess_free(mw_imap_sess *s)
{
    if (s->inflight && s->cfg.release)
        s->cfg.release(s->cfg.opaque, s->inflight);
    s->inflight = NULL;
    s->n_inflight = s->inflight_cap = 0;
}

/* A record: never released. */
static void *zalloc(mw_imap_sess *s, size_t n)
{
    void *p = s->cfg.rec_alloc ? s->cfg.rec_alloc(s->cfg.opaque, n) : s->cfg.alloc(s->cfg.opaque, n);
    if (p)
        memset(p, 0, n);
    return p;
}

/* ---- commands in flight ---- */

static void inflight_remove(mw_imap_sess *s, unsigned i)
{
    memmove(&s->inflight[i], &s->inflight[i + 1], (s->n_inflight - i - 1) * sizeof s->inflight[0]);
    s->n_inflight--;
}

static bool inflight_add(mw_imap_sess *s, mw_imap_command_rec *r)
{
    if (s->n_inflight == s->inflight_cap) {
        unsigned cap = s->inflight_cap ? s->inflight_cap * 2 : 16;
        mw_imap_command_rec **n = (mw_imap_command_rec **)s->cfg.alloc(s->cfg.opaque, cap * sizeof *n);
        if (!n)
            return false;
        if (s->n_inflight)
            memcpy(n, s->inflight, s->n_inflight * sizeof *n);
        if (s->inflight && s->cfg.release)
            s->cfg.release(s->cfg.opaque, s->inflight);
        s->inflight = n;
        s->inflight_cap = cap;
    }
    s->inflight[s->n_inflight++] = r;
    return true;
}

/* The lowest state a command needs: RFC 9051 sections 6.1 to 6.4; COMPRESS
 * is a command of the authenticated state (RFC 4978 section 5, command-auth). */
static mw_imap_sstate needed_state(mw_imap_cmd cmd, bool *only_not_auth)
{
    *only_not_auth = false;
    switch (cmd) {
    case MW_IMAP_CMD_UNKNOWN: case MW_IMAP_CMD_CAPABILITY: case MW_IMAP_CMD_NOOP:
    case MW_IMAP_CMD_LOGOUT: case MW_IMAP_CMD_ID:
        return MW_IMAP_SS_NOT_AUTH;
    case MW_IMAP_CMD_STARTTLS: case MW_IMAP_CMD_AUTHENTICATE: case MW_IMAP_CMD_LOGIN:
        *only_not_auth = true;
        return MW_IMAP_SS_NOT_AUTH;
    case MW_IMAP_CMD_CHECK: case MW_IMAP_CMD_CLOSE: case MW_IMAP_CMD_UNSELECT:
    case MW_IMAP_CMD_EXPUNGE: case MW_IMAP_CMD_SEARCH: case MW_IMAP_CMD_FETCH:
    case MW_IMAP_CMD_STORE: case MW_IMAP_CMD_COPY: case MW_IMAP_CMD_MOVE: case MW_IMAP_CMD_SORT:
    case MW_IMAP_CMD_THREAD: case MW_IMAP_CMD_ESEARCH:
        return MW_IMAP_SS_SELECTED;
    default:
        return MW_IMAP_SS_AUTH;
    }
}

/* The state the server will be in when it reaches this command: a pipelined
 * LOGIN or SELECT still in flight counts as done. */
static mw_imap_sstate effective_state(const mw_imap_sess *s, const mw_imap_command_rec *self)
{
    mw_imap_sstate st = s->state;
    for (unsigned i = 0; i < s->n_inflight; i++) {
        const mw_imap_command_rec *r = s->inflight[i];
        if (r == self)
            continue;
        if ((r->cmd == MW_IMAP_CMD_LOGIN || r->cmd == MW_IMAP_CMD_AUTHENTICATE) && st < MW_IMAP_SS_AUTH)
            st = MW_IMAP_SS_AUTH;
        if (r->cmd == MW_IMAP_CMD_SELECT || r->cmd == MW_IMAP_CMD_EXAMINE)
            st = MW_IMAP_SS_SELECTED;
    }
    return st;
}

/* A session captured mid-stream starts in no known state: what it shows
 * (a command or data of an authenticated or selected session) says where it
 * is, instead of "not authenticated" and false findings. */
static void infer_state(mw_imap_sess *s, mw_imap_sstate st)
{
    if (s->start != MW_IMAP_START_MIDSTREAM || s->state != MW_IMAP_SS_NOT_AUTH || s->known)
        return;
    s->state = st;
    s->inferred = true;
}

static void command_line(mw_imap_sess *s, mw_imap_rec *rec, const uint8_t *p,
                         const mw_imap_command *c, const mw_imap_when *when)
{
    /* the tag right behind the record, in one block */
    mw_imap_command_rec *r = (mw_imap_command_rec *)zalloc(s, sizeof *r + c->tag_len + 1);
    if (!r)
        return;
    char *tag = (char *)(r + 1);
    memcpy(tag, p + c->tag_off, c->tag_len);
    tag[c->tag_len] = 0;
    r->tag = tag;
    r->cmd = c->cmd;
    r->uid = c->uid;
    r->sent = *when;
    for (unsigned i = 0; i < s->n_inflight; i++)
        if (strcmp(s->inflight[i]->tag, tag) == 0)
            r->reused = true;
    if (s->n_inflight >= s->cfg.inflight_max) {
        rec->anomalies |= MW_IMAP_AN_INFLIGHT_FULL;
        s->inflight[0]->forgotten = true;
        s->forgotten++;
        inflight_remove(s, 0);
    }
    inflight_add(s, r);
    rec->command = r;
    s->sending = r;

    if (s->start == MW_IMAP_START_UNKNOWN)
        s->start = MW_IMAP_START_MIDSTREAM;
    bool only_not_auth;
    mw_imap_sstate need = needed_state(r->cmd, &only_not_auth);
    if (r->uid || r->cmd == MW_IMAP_CMD_IDLE)
        need = MW_IMAP_SS_SELECTED;
    if (!only_not_auth && need > MW_IMAP_SS_NOT_AUTH && effective_state(s, r) == MW_IMAP_SS_NOT_AUTH)
        infer_state(s, need);
    mw_imap_sstate eff = effective_state(s, r);
    bool ok = only_not_auth ? eff == MW_IMAP_SS_NOT_AUTH : (eff != MW_IMAP_SS_LOGOUT && eff >= need);
    if (!ok) {
        rec->anomalies |= MW_IMAP_AN_WRONG_STATE;
        rec->eff_state = (uint8_t)eff;
    }
    switch (r->cmd) {
    case MW_IMAP_CMD_STARTTLS:
        s->starttls = 1;
        break;
    case MW_IMAP_CMD_IDLE:
        s->idle = r;
        break;
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE:
        s->uidvalidity = 0;
        s->exists = 0;
        break;
    case MW_IMAP_CMD_AUTHENTICATE:
        s->auth = r;
        break;
    default:
        break;
    }
}

static void cancel_literal(mw_imap_sess *s, int dir)
{
    if (s->lit[dir])
        s->lit[dir]->cancelled = true;
    s->lit[dir] = NULL;
    mw_imap_frame_cancel_literal(&s->fr[dir]);
}

static void completed(mw_imap_sess *s, const mw_imap_command_rec *r, mw_imap_kw status)
{
    bool ok = status == MW_IMAP_KW_OK;
    switch (r->cmd) {
    case MW_IMAP_CMD_LOGIN: case MW_IMAP_CMD_AUTHENTICATE:
        s->auth = NULL;
        s->known = true;
        if (ok)
            s->state = MW_IMAP_SS_AUTH;
        break;
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE:
        /* OK selects; NO leaves no mailbox selected; BAD changes nothing. */
        if (ok) {
            s->state = MW_IMAP_SS_SELECTED;
            s->selected = r;
        } else if (status == MW_IMAP_KW_NO && s->state == MW_IMAP_SS_SELECTED) {
            s->state = MW_IMAP_SS_AUTH;
            s->selected = NULL;
        }
        break;
    case MW_IMAP_CMD_CLOSE: case MW_IMAP_CMD_UNSELECT:
        if (ok) {
            s->state = MW_IMAP_SS_AUTH;
            s->selected = NULL;
        }
        break;
    case MW_IMAP_CMD_UNAUTHENTICATE:
        if (ok)
            s->state = MW_IMAP_SS_NOT_AUTH;
        break;
    case MW_IMAP_CMD_LOGOUT:
        s->state = MW_IMAP_SS_LOGOUT;
        break;
    case MW_IMAP_CMD_IDLE:
        s->idle = NULL;
        break;
    case MW_IMAP_CMD_COMPRESS:
        if (ok)
            s->compressed = true;
        break;
    case MW_IMAP_CMD_STARTTLS:
        s->starttls = ok ? 2 : 0;
        break;
    default:
        break;
    }
}

static void tagged_line(mw_imap_sess *s, mw_imap_rec *rec, const uint8_t *p,
                        const mw_imap_response *r, const mw_imap_when *when)
{
    mw_imap_command_rec *c = NULL;
    for (unsigned i = 0; i < s->n_inflight; i++) {
        const mw_imap_command_rec *x = s->inflight[i];
        if (strlen(x->tag) == r->tag_len && memcmp(x->tag, p + r->tag_off, r->tag_len) == 0) {
            c = s->inflight[i];
            inflight_remove(s, i);
            break;
        }
    }
    rec->command = c;
    if (!c && s->forgotten) {
        /* most likely the completion of a command dropped at the limit */
        s->forgotten--;
        rec->anomalies |= MW_IMAP_AN_TAG_FORGOTTEN;
        return;
    }
    if (!c) {
        rec->anomalies |= MW_IMAP_AN_TAG_UNKNOWN;
        return;
    }
    if (!c->done.frame) {
        c->done = *when;
        c->status = r->kw;
    }
    /* A refused synchronizing literal is never sent. */
    mw_imap_literal_rec *l = s->lit[MW_IMAP_CLIENT];
    if (s->await_plus && s->sending == c && l && l->size &&
        mw_imap_frame_wanted(&s->fr[MW_IMAP_CLIENT]) == l->size) {
        s->await_plus = false;
        cancel_literal(s, MW_IMAP_CLIENT);
    }
    completed(s, c, r->kw);
}

static void untagged_line(mw_imap_sess *s, mw_imap_rec *rec, const mw_imap_response *r)
{
    if (s->n_inflight == 1)
        rec->untagged_for = s->inflight[0];
    /* A first line that cannot be a greeting begins a mid-stream capture
     * before its data is read, so data of a selected mailbox says so. */
    if (s->start == MW_IMAP_START_UNKNOWN)
        s->start = r->kw == MW_IMAP_KW_OK || r->kw == MW_IMAP_KW_PREAUTH || r->kw == MW_IMAP_KW_BYE
                       ? MW_IMAP_START_GREETED : MW_IMAP_START_MIDSTREAM;
    /* Data only a selected mailbox gets. */
    if (r->kw == MW_IMAP_KW_FETCH || r->kw == MW_IMAP_KW_EXISTS || r->kw == MW_IMAP_KW_EXPUNGE ||
        r->kw == MW_IMAP_KW_RECENT || r->kw == MW_IMAP_KW_VANISHED)
        infer_state(s, MW_IMAP_SS_SELECTED);
    switch (r->kw) {
    case MW_IMAP_KW_PREAUTH: s->state = MW_IMAP_SS_AUTH; break;
    case MW_IMAP_KW_BYE: s->state = MW_IMAP_SS_LOGOUT; break;
    case MW_IMAP_KW_EXISTS: s->exists = r->number > UINT32_MAX ? UINT32_MAX : (uint32_t)r->number; break;
    case MW_IMAP_KW_EXPUNGE: if (s->exists) s->exists--; break;
    default: break;
    }
    if (r->is_status && r->has_code && r->code == MW_IMAP_CODE_UIDVALIDITY && r->code_has_num)
        s->uidvalidity = r->code_num;
}

static void client_text(mw_imap_sess *s, mw_imap_rec *rec, const uint8_t *p, size_t len,
                        const mw_imap_when *when)
{
    mw_imap_command c;
    mw_imap_client_kind kind = mw_imap_client_line(p, len, &c);
    uint8_t *lk = &s->line_kind[MW_IMAP_CLIENT];
    if (s->idle && kind == MW_IMAP_CLIENT_DONE) {
        rec->line_kind = *lk = MW_IMAP_LK_DONE;
        rec->command = (mw_imap_command_rec *)s->idle;
        return;
    }
    if (s->auth) {
        *lk = MW_IMAP_LK_SASL;
        rec->line_kind = kind == MW_IMAP_CLIENT_CANCEL ? MW_IMAP_LK_CANCEL : MW_IMAP_LK_SASL;
        return;
    }
    switch (kind) {
    case MW_IMAP_CLIENT_COMMAND:
        rec->line_kind = *lk = MW_IMAP_LK_COMMAND;
        s->cmd[MW_IMAP_CLIENT] = (uint16_t)c.cmd;
        command_line(s, rec, p, &c, when);
        break;
    case MW_IMAP_CLIENT_DONE:
        rec->line_kind = *lk = MW_IMAP_LK_DONE;
        rec->command = (mw_imap_command_rec *)s->idle;
        if (!s->idle)
            rec->anomalies |= MW_IMAP_AN_DONE_NOT_IDLE;
        break;
    case MW_IMAP_CLIENT_CANCEL:
        rec->line_kind = MW_IMAP_LK_CANCEL;
        break;
    case MW_IMAP_CLIENT_MALFORMED:
    default:
        rec->line_kind = *lk = MW_IMAP_LK_MALFORMED;
        break;
    }
}

static void server_text(mw_imap_sess *s, mw_imap_rec *rec, const uint8_t *p, size_t len,
                        const mw_imap_when *when)
{
    mw_imap_response r;
    uint8_t *lk = &s->line_kind[MW_IMAP_SERVER];
    s->cmd[MW_IMAP_SERVER] = 0;
    switch (mw_imap_server_line(p, len, &r)) {
    case MW_IMAP_RESP_CONTINUATION:
        rec->line_kind = *lk = MW_IMAP_LK_CONTINUATION;
        if (s->await_plus) {
            s->await_plus = false;
            rec->cont_what = MW_IMAP_CONT_LITERAL;
            rec->command = s->sending;
        } else if (s->auth) {
            rec->cont_what = MW_IMAP_CONT_SASL;
            rec->command = (mw_imap_command_rec *)s->auth;
        } else if (s->idle) {
            rec->cont_what = MW_IMAP_CONT_IDLE;
            rec->command = (mw_imap_command_rec *)s->idle;
        }
        break;
    case MW_IMAP_RESP_TAGGED:
        rec->line_kind = *lk = MW_IMAP_LK_TAGGED;
        s->cmd[MW_IMAP_SERVER] = (uint16_t)r.kw;
        tagged_line(s, rec, p, &r, when);
        break;
    case MW_IMAP_RESP_UNTAGGED:
        rec->line_kind = *lk = MW_IMAP_LK_UNTAGGED;
        s->cmd[MW_IMAP_SERVER] = (uint16_t)r.kw;
        untagged_line(s, rec, &r);
        break;
    case MW_IMAP_RESP_MALFORMED:
    default:
        rec->line_kind = *lk = MW_IMAP_LK_MALFORMED;
        break;
    }
}

/* The literal header ending a text line, if it counts. */
static void literal_header(mw_imap_sess *s, int dir, mw_imap_rec *rec, const mw_imap_lit *lit,
                           const mw_imap_when *when)
{
    uint8_t lk = s->line_kind[dir];
    if (lk == MW_IMAP_LK_SASL || lk == MW_IMAP_LK_CONTINUATION) {
        /* SASL data and continuation text are not IMAP syntax: a brace
         * count at their end announces nothing. */
        mw_imap_frame_cancel_literal(&s->fr[dir]);
        return;
    }
    rec->lit = *lit;
    if (lit->status != MW_IMAP_LIT_OK)
        return;
    mw_imap_literal_rec *l = (mw_imap_literal_rec *)zalloc(s, sizeof *l);
    if (!l)
        return;
    l->size = lit->size;
    l->header_frame = when->frame;
    rec->literal = l;
    s->lit[dir] = l;
    if (dir == MW_IMAP_CLIENT && lit->sync == MW_IMAP_LIT_SYNC)
        s->await_plus = true;
    if (lit->size == 0) {
        l->end_frame = when->frame;
        s->lit[dir] = NULL;
    }
}

static void text_event(mw_imap_sess *s, int dir, const uint8_t *buf, const mw_imap_event *ev,
                       bool tls, const mw_imap_when *when, mw_imap_rec *rec)
{
    rec->kind = MW_IMAP_REC_TEXT;
    rec->off = ev->off;
    rec->len = ev->len;
    rec->eol = ev->eol;
    rec->eol_len = ev->eol_len;
    rec->line_flags = ev->line_flags;
    rec->fragment = ev->fragment;
    rec->continued = ev->continued;
    rec->segment = ev->segment;
    if (!tls && s->starttls && (dir == MW_IMAP_CLIENT || s->starttls == 2))
        rec->anomalies |= MW_IMAP_AN_PLAINTEXT;
    if (ev->continued || ev->segment > 0)
        rec->line_kind = MW_IMAP_LK_MORE;
    else if (dir == MW_IMAP_CLIENT)
        client_text(s, rec, buf + ev->off, ev->len, when);
    else
        server_text(s, rec, buf + ev->off, ev->len, when);
    /* The first line that is not the server's greeting: the capture began
     * in the middle of the session (untagged_line marks a greeting;
     * command_line marks a client that speaks first). */
    if (s->start == MW_IMAP_START_UNKNOWN)
        s->start = MW_IMAP_START_MIDSTREAM;
    rec->logical_kind = s->line_kind[dir];
    rec->cmd = s->cmd[dir];
    rec->lit.status = MW_IMAP_LIT_ABSENT;
    if (!ev->fragment && ev->lit.status != MW_IMAP_LIT_ABSENT)
        literal_header(s, dir, rec, &ev->lit, when);
}

static size_t sess_feed(mw_imap_sess *s, int dir, const uint8_t *buf, size_t len, bool tls,
                        const mw_imap_when *when, bool *mid_line, mw_imap_emit_fn emit,
                        void *opaque, bool inflated)
{
    mw_imap_frame *fr = &s->fr[dir];
    if (s->compressed && !inflated) {
        /* All compressed: the framing belongs to the inflated octets. */
        if (len) {
            mw_imap_rec rec;
            memset(&rec, 0, sizeof rec);
            rec.dir = (uint8_t)dir;
            rec.kind = MW_IMAP_REC_COMPRESSED;
            rec.len = len;
            emit(opaque, &rec);
        }
        return len;
    }
    fr->max_literal = s->cfg.max_literal;
    fr->max_line = s->cfg.max_line;
    if (mid_line)
        fr->mid_line = *mid_line;
    size_t pos = 0;
    while (pos < len) {
        mw_imap_rec rec;
        memset(&rec, 0, sizeof rec);
        rec.dir = (uint8_t)dir;
        if (s->compressed && !inflated) {
            rec.kind = MW_IMAP_REC_COMPRESSED;
            rec.off = pos;
            rec.len = len - pos;
            pos = len;
            emit(opaque, &rec);
            break;
        }
        mw_imap_event ev;
        if (mw_imap_frame_next(fr, buf, len, &pos, &ev) == MW_IMAP_EV_NEED_MORE)
            break;
        if (ev.kind == MW_IMAP_EV_LITERAL) {
            mw_imap_literal_rec *l = s->lit[dir];
            if (ev.lit_end)
                s->lit[dir] = NULL;
            if (ev.len == 0)
                continue; /* {0}: ended at its header */
            rec.kind = MW_IMAP_REC_LITERAL;
            rec.off = ev.off;
            rec.len = ev.len;
            rec.literal = l;
            rec.lit_left = ev.lit_left + ev.len;
            rec.lit_at = ev.lit_size - rec.lit_left;
            rec.lit_end = ev.lit_end;
            if (l) {
                l->seen += ev.len;
                if (ev.lit_end)
                    l->end_frame = when->frame;
            }
            emit(opaque, &rec);
            continue;
        }
        text_event(s, dir, buf, &ev, tls, when, &rec);
        emit(opaque, &rec);
    }
    if (mid_line)
        *mid_line = fr->mid_line;
    return pos;
}

size_t mw_imap_sess_feed(mw_imap_sess *s, int dir, const uint8_t *buf, size_t len, bool tls,
                         const mw_imap_when *when, bool *mid_line, mw_imap_emit_fn emit,
                         void *opaque)
{
    return sess_feed(s, dir, buf, len, tls, when, mid_line, emit, opaque, false);
}

size_t mw_imap_sess_feed_inflated(mw_imap_sess *s, int dir, const uint8_t *buf, size_t len,
                                  bool tls, const mw_imap_when *when, mw_imap_emit_fn emit,
                                  void *opaque)
{
    return sess_feed(s, dir, buf, len, tls, when, NULL, emit, opaque, true);
}

void mw_imap_sess_gap(mw_imap_sess *s, int dir, uint64_t missing)
{
    uint64_t left = mw_imap_frame_wanted(&s->fr[dir]);
    mw_imap_literal_rec *l = s->lit[dir];
    if (left && l) {
        l->broken = true;
        l->seen += missing < left ? missing : left;
    }
    mw_imap_frame_gap(&s->fr[dir], missing);
    if (!mw_imap_frame_wanted(&s->fr[dir]))
        s->lit[dir] = NULL;
}

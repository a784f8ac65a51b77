/* POP3 multiline responses: every body runs through the core's pop_body
 * scanner, which finds the '.' line however the body is segmented, names
 * non-strict terminators and undoes dot-stuffing.
 *
 * Listings (LIST, UIDL, CAPA, AUTH's mechanism list, LANG, and bodies of
 * unknown commands) are short lines, shown and parsed one by one.  RETR and
 * TOP bodies are messages: their bytes are consumed as each call brings them
 * (never carried by the engine, never rescanned), shown as one item per call,
 * appended once (first pass) unstuffed to a file-scope buffer, and handed to
 * IMF at the '.' line.
 */
#include <wireshark.h>
#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/show_exception.h>

#include "core/pop/pop_syntax.h"
#include "mail/lineitem.h"
#include "mail/message_tree.h"
#include "pop/pop.h"
#include "mail/tap.h"

static int hf_ml = -1;
static int hf_ml_line = -1;
static int hf_ml_data = -1;
static int hf_ml_lines = -1;
static int hf_ml_terminator = -1;
static int hf_ml_terminator_frame = -1;
static int hf_ml_terminator_class = -1;
static int hf_ml_unterminated = -1;
static int hf_ml_cut_frame = -1;
static int hf_ml_stuffed = -1;
static int hf_ml_partial = -1;
static int hf_view_skipped = -1;
static int hf_list_msg = -1;
static int hf_list_size = -1;
static int hf_uidl_msg = -1;
static int hf_uidl_uid = -1;
static int hf_capa = -1;
static int hf_capa_args = -1;
static int hf_mechanism_offered = -1;
static int hf_retr_octets = -1;
static int hf_msg_size = -1;
static int hf_top_partial = -1;
static int ett_ml = -1;

static expert_field ei_term_lf_lf = EI_INIT;
static expert_field ei_term_lf_crlf = EI_INIT;
static expert_field ei_term_crlf_lf = EI_INIT;
static expert_field ei_term_bare_cr = EI_INIT;
static expert_field ei_term_cr_cr = EI_INIT;
static expert_field ei_term_lf_cr = EI_INIT;
static expert_field ei_term_crlf_cr = EI_INIT;
static expert_field ei_ml_unterminated = EI_INIT;
static expert_field ei_ml_unknown = EI_INIT;
static expert_field ei_ml_bare_dot = EI_INIT;
static expert_field ei_bad_entry = EI_INIT;
static expert_field ei_octets_mismatch = EI_INIT;
static expert_field ei_list_size_mismatch = EI_INIT;
static expert_field ei_list_stat_mismatch = EI_INIT;
static expert_field ei_uidl_stat_mismatch = EI_INIT;


#define POP_MAX_LISTED 1000000u

/* The file-scope record of the multiline response started n-th in this call. */
static pop_multi *multi_for(mw_ctx *ctx)
{
    guint32 ckey = 0x20000000u | ctx->call_index;
    guint n = GPOINTER_TO_UINT(p_get_proto_data(ctx->pinfo->pool, ctx->pinfo, proto_pop, ckey));
    p_add_proto_data(ctx->pinfo->pool, ctx->pinfo, proto_pop, ckey, GUINT_TO_POINTER(n + 1));
    guint32 key = 0x10000000u | (ctx->call_index << 12) | (n & 0xfff);
    pop_multi *m = (pop_multi *)p_get_proto_data(wmem_file_scope(), ctx->pinfo, proto_pop, key);
    if (!m && ctx->first_pass) {
        m = wmem_new0(wmem_file_scope(), pop_multi);
        m->start_frame = ctx->pinfo->num;
        p_add_proto_data(wmem_file_scope(), ctx->pinfo, proto_pop, key, m);
    }
    return m;
}

static gboolean parse_u64(const guint8 *p, gint len, guint64 *v)
{
    if (len <= 0 || len > 19)
        return FALSE;
    *v = 0;
    for (gint i = 0; i < len; i++) {
        if (!g_ascii_isdigit(p[i]))
            return FALSE;
        *v = *v * 10 + (guint64)(p[i] - '0');
    }
    return TRUE;
}

void pop_multiline_start(mw_ctx *ctx, pop_state *st, pop_cmd cmd, const pop_pending *p,
                         proto_tree *status_tree, tvbuff_t *tvb, gint text_off, gint text_len,
                         gboolean status_crlf)
{
    st->ml_active = TRUE;
    st->ml_cmd = (guint8)cmd;
    st->ml_kind = (cmd == POP_CMD_RETR || cmd == POP_CMD_TOP) ? POP_BODY_MESSAGE : POP_BODY_LINES;
    st->ml_msg = p ? p->msg : 0;
    st->ml_entries = 0;
    st->ml_octets_known = FALSE;
    mw_pop_body_init(&st->body, status_crlf);
    st->ml = multi_for(ctx);
    if (cmd == POP_CMD_LIST && ctx->first_pass && st->ml) {
        st->ml->sizes = wmem_new0(wmem_file_scope(), pop_sizes);
    }
    if (cmd == POP_CMD_LIST && st->ml)
        st->sizes = st->ml->sizes;
    if (st->ml_kind == POP_BODY_MESSAGE && text_len > 0) {
        /* "+OK 120 octets": the first word, when it is a number */
        const guint8 *t = tvb_get_ptr(tvb, text_off, text_len);
        gint w = 0;
        while (w < text_len && t[w] != ' ')
            w++;
        st->ml_octets_known = parse_u64(t, w, &st->ml_octets);
        if (st->ml_octets_known && status_tree) {
            proto_item *oi = proto_tree_add_uint64(status_tree, hf_retr_octets, tvb, text_off, w, st->ml_octets);
            (void)oi;
        }
    }
    if (status_tree && st->ml) {
        proto_item *it = proto_tree_add_item(status_tree, hf_ml, tvb, text_off, 0, ENC_NA);
        proto_item_set_text(it, "Multiline response to %s follows", pop_cmd_name(cmd));
        proto_item_set_generated(it);
        proto_tree *t = proto_item_add_subtree(it, ett_ml);
        if (st->ml->end_frame) {
            it = proto_tree_add_uint(t, hf_ml_lines, tvb, text_off, 0, st->ml->lines);
            proto_item_set_generated(it);
            it = proto_tree_add_uint(t, st->ml->unterminated ? hf_ml_cut_frame : hf_ml_terminator_frame,
                                     tvb, text_off, 0, st->ml->end_frame);
            proto_item_set_generated(it);
        }
    }
}

static void add_events(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, guint64 base_pos,
                       const mw_pop_body_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        gint at = ev[i].offset >= base_pos ? base + (gint)(ev[i].offset - base_pos) : base;
        gint avail = tvb_reported_length_remaining(tvb, at);
        proto_item *it = proto_tree_add_string(t, hf_ml_terminator_class, tvb, at, MIN(2, avail),
                                               mw_pop_body_class_bytes(ev[i].cls));
        proto_item_set_generated(it);
        expert_add_info_format(ctx->pinfo, it, &ei_term_bare_cr,
                               "%s inside the body: a reader that takes a bare CR as a line end "
                               "ends the response here and reads what follows as new responses",
                               mw_pop_body_class_bytes(ev[i].cls));
    }
}

/* The '.' line was found: show the facts of the whole body, check it. */
static void finish(mw_ctx *ctx, pop_state *st, proto_tree *t, tvbuff_t *tvb, gint term_off,
                   gint term_len, const mw_pop_body_result *r)
{
    proto_item *ti = proto_tree_add_item(t, hf_ml_terminator, tvb, term_off, term_len, ENC_NA);
    if (term_len == 0)
        proto_item_set_text(ti, "Terminator: in an earlier segment, taken as the end here");
    proto_tree *tt = proto_item_add_subtree(ti, ett_ml);
    proto_item *it = proto_tree_add_string(tt, hf_ml_terminator_class, tvb, term_off, term_len,
                                           mw_pop_body_class_bytes(r->end_class));
    proto_item_set_generated(it);
    it = proto_tree_add_uint(tt, hf_ml_terminator_frame, tvb, term_off, term_len, ctx->pinfo->num);
    proto_item_set_generated(it);
    it = proto_tree_add_uint(t, hf_ml_lines, tvb, term_off, 0, st->body.lines);
    proto_item_set_generated(it);
    if (st->body.stuffed) {
        it = proto_tree_add_uint(t, hf_ml_stuffed, tvb, term_off, 0, st->body.stuffed);
        proto_item_set_generated(it);
    }
    if (st->body.bare_dot)
        expert_add_info_format(ctx->pinfo, ti, &ei_ml_bare_dot,
                               "%u line(s) began with a single '.' that is not a terminator: "
                               "readers drop it as a stuffing dot", st->body.bare_dot);
    switch (r->end_class) {
    case MW_POP_END_LF_LF: expert_add_info(ctx->pinfo, ti, &ei_term_lf_lf); break;
    case MW_POP_END_LF_CRLF: expert_add_info(ctx->pinfo, ti, &ei_term_lf_crlf); break;
    case MW_POP_END_CRLF_LF: expert_add_info(ctx->pinfo, ti, &ei_term_crlf_lf); break;
    case MW_POP_CAND_CR_CR: expert_add_info(ctx->pinfo, ti, &ei_term_cr_cr); break;
    case MW_POP_CAND_LF_CR: expert_add_info(ctx->pinfo, ti, &ei_term_lf_cr); break;
    case MW_POP_CAND_CRLF_CR: expert_add_info(ctx->pinfo, ti, &ei_term_crlf_cr); break;
    default: break;
    }
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: [%s body: %u lines, '.']",
                        st->ml_cmd ? pop_cmd_name((pop_cmd)st->ml_cmd) : "multiline", st->body.lines);
    if (ctx->first_pass && st->ml) {
        st->ml->end_frame = ctx->pinfo->num;
        st->ml->lines = st->body.lines;
    }
    if ((st->ml_cmd == POP_CMD_LIST || st->ml_cmd == POP_CMD_UIDL) && st->stat_known &&
        st->ml_kind == POP_BODY_LINES) {
        gint64 expect = (gint64)st->stat_count + st->stat_deleted_base - st->ndeleted;
        if (expect != (gint64)st->ml_entries)
            expert_add_info_format(ctx->pinfo, ti,
                                   st->ml_cmd == POP_CMD_LIST ? &ei_list_stat_mismatch : &ei_uidl_stat_mismatch,
                                   "%s listed %u messages; STAT said %" PRId64,
                                   pop_cmd_name((pop_cmd)st->ml_cmd), st->ml_entries, expect);
    }
    st->ml_active = FALSE;
    st->ml = NULL;
}

static void listing_entry(mw_ctx *ctx, pop_state *st, proto_tree *t, proto_item *li, tvbuff_t *tvb,
                          gint off, gint len)
{
    const guint8 *p = tvb_get_ptr(tvb, off, len);
    gint sp = 0;
    while (sp < len && p[sp] != ' ')
        sp++;
    guint64 msg = 0, size = 0;
    gboolean ok = parse_u64(p, sp, &msg) && sp + 1 < len && msg <= G_MAXUINT32;
    if (st->ml_cmd == POP_CMD_LIST) {
        ok = ok && parse_u64(p + sp + 1, len - sp - 1, &size) && size <= G_MAXUINT32;
        if (ok) {
            proto_tree_add_uint(t, hf_list_msg, tvb, off, sp, (guint32)msg);
            proto_tree_add_uint(t, hf_list_size, tvb, off + sp + 1, len - sp - 1, (guint32)size);
            pop_sizes *s = st->ml ? st->ml->sizes : NULL;
            if (ctx->first_pass && s && msg > 0 && msg < POP_MAX_LISTED) {
                if (msg >= s->cap) {
                    guint32 cap = MAX(64, s->cap);
                    while (cap <= msg)
                        cap *= 2;
                    s->size = (guint32 *)wmem_realloc(wmem_file_scope(), s->size, cap * sizeof(guint32));
                    memset(s->size + s->cap, 0, (cap - s->cap) * sizeof(guint32));
                    s->cap = cap;
                }
                s->size[msg] = (guint32)size;
            }
        }
    } else {
        gint ul = len - sp - 1;
        ok = ok && ul >= 1 && ul <= 70;
        for (gint i = 0; ok && i < ul; i++)
            ok = p[sp + 1 + i] >= 0x21 && p[sp + 1 + i] <= 0x7e;
        if (ok) {
            proto_tree_add_uint(t, hf_uidl_msg, tvb, off, sp, (guint32)msg);
            proto_tree_add_item(t, hf_uidl_uid, tvb, off + sp + 1, ul, ENC_ASCII);
        }
    }
    if (!ok)
        expert_add_info_format(ctx->pinfo, li, &ei_bad_entry, "Not a %s entry (\"msg %s\")",
                               pop_cmd_name((pop_cmd)st->ml_cmd),
                               st->ml_cmd == POP_CMD_LIST ? "size" : "unique-id");
}

gboolean pop_multiline_line(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, const mw_line_at *l)
{
    if (!st->ml_active || st->ml_kind != POP_BODY_LINES)
        return FALSE;
    gint len = (gint)l->line.len;
    gint full = len + (gint)l->line.eol_len;
    pop_cmd cmd = (pop_cmd)st->ml_cmd;

    /* A listing cut short: a status line where entries are due, with a later
     * command waiting for it.  The listing never got its '.'. */
    if (cmd != POP_CMD_UNKNOWN && pop_fifo_front(st) &&
        ((len >= 3 && tvb_strncaseeql(tvb, l->offset, "+OK", 3) == 0) ||
         (len >= 4 && tvb_strncaseeql(tvb, l->offset, "-ERR", 4) == 0))) {
        proto_item *it = proto_tree_add_item(ctx->tree, hf_ml_unterminated, tvb, l->offset, 0, ENC_NA);
        expert_add_info_format(ctx->pinfo, it, &ei_ml_unterminated,
                               "The %s body ended without its '.' line: the next status line "
                               "answers a later command", pop_cmd_name(cmd));
        if (ctx->first_pass && st->ml) {
            st->ml->end_frame = ctx->pinfo->num;
            st->ml->lines = st->body.lines;
            st->ml->unterminated = TRUE;
        }
        st->ml_active = FALSE;
        st->ml = NULL;
        return FALSE;
    }

    guint64 base_pos = st->body.pos;
    mw_pop_body_event ev[8];
    mw_pop_body_result r;
    gint fed = 0;
    proto_item *li = NULL;
    proto_tree *lt = NULL;
    do {
        r = mw_pop_body_feed(&st->body, tvb_get_ptr(tvb, l->offset + fed, full - fed),
                             (size_t)(full - fed), NULL, ev, G_N_ELEMENTS(ev));
        fed += (gint)r.consumed;
        if (r.end) {
            finish(ctx, st, ctx->tree, tvb, l->offset, full, &r);
            return TRUE;
        }
        if (!li) {
            li = proto_tree_add_item(ctx->tree, hf_ml_line, tvb, l->offset, full, ENC_NA);
            proto_item_set_text(li, "%s: %s", cmd ? pop_cmd_name(cmd) : "Body line",
                                mw_line_text(ctx, tvb, l->offset, len));
            lt = proto_item_add_subtree(li, ett_pop_line);
        }
        add_events(ctx, lt, tvb, l->offset, base_pos, ev, r.nevents);
    } while (fed < full && r.consumed > 0);

    /* one Info entry per call for the body lines it carries */
    guint32 ikey = 0x30000000u | ctx->call_index;
    if (!p_get_proto_data(ctx->pinfo->pool, ctx->pinfo, proto_pop, ikey)) {
        p_add_proto_data(ctx->pinfo->pool, ctx->pinfo, proto_pop, ikey, GUINT_TO_POINTER(1));
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: [%s body from line %u]",
                            cmd ? pop_cmd_name(cmd) : "multiline", st->ml_entries + 1);
    }
    if (cmd == POP_CMD_UNKNOWN && st->ml_entries == 0)
        expert_add_info(ctx->pinfo, li, &ei_ml_unknown);
    st->ml_entries++;
    switch (cmd) {
    case POP_CMD_LIST: case POP_CMD_UIDL:
        listing_entry(ctx, st, lt, li, tvb, l->offset, len);
        break;
    case POP_CMD_CAPA:
    {
        size_t kw = 0, ao = 0, al = 0;
        if (mw_pop_capa_line(tvb_get_ptr(tvb, l->offset, len), (size_t)len, &kw, &ao, &al)) {
            proto_tree_add_item(lt, hf_capa, tvb, l->offset, (gint)kw, ENC_ASCII);
            if (al)
                proto_tree_add_item(lt, hf_capa_args, tvb, l->offset + (gint)ao, (gint)al, ENC_ASCII);
        }
    }
        if (len == 10 && tvb_strncaseeql(tvb, l->offset, "PIPELINING", 10) == 0)
            st->pipelining = TRUE;
        break;
    case POP_CMD_AUTH:
        proto_tree_add_item(lt, hf_mechanism_offered, tvb, l->offset, len, ENC_ASCII);
        break;
    default:
        break;
    }
    mw_add_line_facts(ctx, lt, tvb, l);
    return TRUE;
}

void pop_multiline_partial(mw_ctx *ctx, tvbuff_t *tvb, const mw_line_at *l)
{
    gint full = (gint)(l->line.len + l->line.eol_len);
    proto_item *it = proto_tree_add_item(ctx->tree, hf_ml_partial, tvb, l->offset, full, ENC_NA);
    proto_item_set_text(it, "Line that may have started before the capture: %s",
                        mw_line_text(ctx, tvb, l->offset, (gint)l->line.len));
    expert_add_info(ctx->pinfo, it, &ei_ml_unknown);
    mw_add_line_facts(ctx, proto_item_add_subtree(it, ett_pop_line), tvb, l);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: [body of a command not captured]");
}

/* Hand the unstuffed message to the shared message view (mail.header.*, then
 * IMF).  The buffer is file scope and final. */
static void message_to_imf(mw_ctx *ctx, pop_state *st, proto_tree *tree, tvbuff_t *tvb)
{
    if (st->ml && st->ml->view_skipped) {
        proto_item *it = proto_tree_add_item(tree, hf_view_skipped, tvb, 0, 0, ENC_NA);
        proto_item_set_text(it, "Message not shown: larger than the message view limit "
                                "(mail.pop.message_view_max = %u bytes)", pop_message_view_max);
        proto_item_set_generated(it);
        return;
    }
    if (!st->ml || !st->ml->msg || st->ml->msg_len == 0)
        return;
    tvbuff_t *m = mail_message_tvb(tvb, ctx->pinfo, st->ml->msg, st->ml->msg_len);
    TRY {
        /* RETR moves the whole message; TOP only a part of it. */
        if (st->ml_cmd == POP_CMD_RETR)
            mail_message_add(m, ctx->pinfo, tree, NULL);
        else
            mail_message_add_part(m, ctx->pinfo, tree, NULL);
    }
    CATCH_NONFATAL_ERRORS {
        show_exception(m, ctx->pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
    }
    ENDTRY;
}

static void message_checks(mw_ctx *ctx, pop_state *st, proto_tree *t, proto_item *ti, tvbuff_t *tvb,
                           gint at, const mw_pop_body_result *r)
{
    /* The message as the client stores it: body bytes before the '.' line,
     * stuffing dots removed. */
    guint64 size = r->end_offset - st->body.stuffed - st->body.bare_dot;
    proto_item *it = proto_tree_add_uint64(t, hf_msg_size, tvb, at, 0, size);
    proto_item_set_generated(it);
    if (st->ml_cmd == POP_CMD_TOP) {
        it = proto_tree_add_boolean(t, hf_top_partial, tvb, at, 0, TRUE);
        proto_item_set_generated(it);
        return;
    }
    if (st->ml_octets_known && st->ml_octets != size)
        expert_add_info_format(ctx->pinfo, ti, &ei_octets_mismatch,
                               "+OK announced %" PRIu64 " octets; the message has %" PRIu64 "%s",
                               st->ml_octets, size,
                               size == st->ml_octets + 2 ? " (the server may have added the CRLF "
                                                           "that ends the last line)" : "");
    const pop_sizes *s = st->sizes;
    if (s && st->ml_msg > 0 && st->ml_msg < s->cap && s->size[st->ml_msg] &&
        s->size[st->ml_msg] != size)
        expert_add_info_format(ctx->pinfo, ti, &ei_list_size_mismatch,
                               "LIST gave message %u a size of %u octets; RETR brought %" PRIu64,
                               st->ml_msg, s->size[st->ml_msg], size);
}

/* A '.' between bare CRs ends the body for readers that split lines at a
 * bare CR.  Line readers (split at LF) read on, so it is only a candidate;
 * but when the bytes right after it are a status line and a later command is
 * waiting for its response, the server evidently meant it as the end: the
 * body ends there, and the status line answers the next command. */
static gboolean cr_class(guint8 cls)
{
    return cls == MW_POP_CAND_CR_CR || cls == MW_POP_CAND_LF_CR || cls == MW_POP_CAND_CRLF_CR;
}

static gboolean status_follows(pop_state *st, tvbuff_t *tvb, gint at)
{
    if (!pop_fifo_front(st) || tvb_reported_length_remaining(tvb, at) < 3)
        return FALSE;
    return tvb_strneql(tvb, at, "+OK", 3) == 0 ||
           (tvb_reported_length_remaining(tvb, at) >= 4 && tvb_strneql(tvb, at, "-ERR", 4) == 0);
}

/* The body ends at a CR candidate: undo what the scanner did with the dot and
 * the CR after it (two bytes written out; a dot at line start counted as a
 * stray one). */
static void end_at_cr(pop_state *st, pop_multi *m, gboolean first_pass, guint8 cls, guint64 dot,
                      mw_pop_body_result *r)
{
    if (first_pass && m && m->msg)
        m->msg_len = m->msg_len >= 2 ? m->msg_len - 2 : 0;
    if (cls != MW_POP_CAND_CR_CR && st->body.bare_dot)
        st->body.bare_dot--;
    r->end = TRUE;
    r->end_class = cls;
    r->end_offset = dot;
}

gint pop_multiline_message(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, gint offset)
{
    gint len = tvb_reported_length(tvb);
    gint start = offset;
    guint64 base_pos = st->body.pos;
    gboolean is_msg = st->ml_cmd == POP_CMD_RETR || st->ml_cmd == POP_CMD_TOP;
    pop_multi *m = is_msg ? st->ml : NULL;
    guint32 lines_before = st->body.lines;
    mw_pop_body_event ev[8];
    size_t nev = 0;
    mw_pop_body_result r;
    memset(&r, 0, sizeof r);
    gint term = -1;
    if (st->cr_pending) {
        st->cr_pending = FALSE;
        if (status_follows(st, tvb, offset)) {
            end_at_cr(st, m, ctx->first_pass, st->cr_pending_cls, st->cr_pending_pos, &r);
            term = offset;
        }
    }
    while (!r.end && offset < len) {
        guint8 *out = NULL;
        gint rem = len - offset;
        if (ctx->first_pass && m && !m->view_skipped && pop_message_view_max &&
            (guint64)m->msg_len + (guint64)rem > pop_message_view_max) {
            m->view_skipped = TRUE; /* too large to keep: the checks go on without it */
            m->msg_len = 0;
        }
        if (ctx->first_pass && m && !m->view_skipped) {
            guint need = m->msg_len + (guint)rem + 1;
            if (need > m->msg_cap) {
                /* the announced size first (a correct server sends no more),
                 * then doubling */
                guint cap = MAX(4096, m->msg_cap);
                if (m->msg_cap == 0 && st->ml_octets_known && st->ml_octets + 2 >= need &&
                    st->ml_octets < G_MAXUINT32 / 2)
                    cap = (guint)st->ml_octets + 2;
                while (cap < need)
                    cap *= 2;
                m->msg = (guint8 *)wmem_realloc(wmem_file_scope(), m->msg, cap);
                m->msg_cap = cap;
            }
            out = m->msg + m->msg_len;
        }
        /* one event at a time: each CR candidate may end the body */
        mw_pop_body_event e;
        r = mw_pop_body_feed(&st->body, tvb_get_ptr(tvb, offset, rem), (size_t)rem, out, &e, 1);
        if (out)
            m->msg_len += (guint)r.out_len;
        offset += (gint)r.consumed;
        if (r.nevents) {
            guint64 after = e.offset + 2; /* past ".<CR>" */
            gint after_off = start + (gint)(after - base_pos);
            if (cr_class(e.cls) && after >= base_pos && after_off == len && e.cls == MW_POP_CAND_CR_CR) {
                st->cr_pending = TRUE;
                st->cr_pending_cls = e.cls;
                st->cr_pending_pos = e.offset;
            } else if (cr_class(e.cls) && after >= base_pos && status_follows(st, tvb, after_off)) {
                end_at_cr(st, m, ctx->first_pass, e.cls, e.offset, &r);
                offset = after_off;
                term = MAX(start, after_off - 2);
                break;
            }
            if (nev < G_N_ELEMENTS(ev))
                ev[nev++] = e;
            else
                ev[G_N_ELEMENTS(ev) - 1] = e; /* later events overwrite the last slot */
        }
        if (r.end || r.consumed == 0)
            break;
    }
    if (r.end && term < 0)
        term = r.end_offset >= base_pos ? start + (gint)(r.end_offset - base_pos) : start;
    if (!r.end)
        term = offset;
    proto_tree *dt = ctx->tree;
    proto_item *di = NULL;
    if (term > start) {
        di = proto_tree_add_item(ctx->tree, hf_ml_data, tvb, start, term - start, ENC_NA);
        proto_item_append_text(di, " (%d bytes, %u line ends)", term - start,
                               st->body.lines - lines_before);
        dt = proto_item_add_subtree(di, ett_ml);
    }
    add_events(ctx, dt, tvb, start, base_pos, ev, nev);
    if (!r.end) {
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: [%s data]",
                            pop_cmd_name((pop_cmd)st->ml_cmd));
        return offset;
    }
    pop_state copy = *st; /* finish() clears the body; keep its facts for the checks */
    finish(ctx, st, ctx->tree, tvb, term, offset - term, &r);
    if (!is_msg)
        return offset;
    proto_item *anchor = proto_tree_add_item(ctx->tree, hf_ml, tvb, term, offset - term, ENC_NA);
    proto_item_set_text(anchor, "%s message", pop_cmd_name((pop_cmd)copy.ml_cmd));
    proto_tree *at = proto_item_add_subtree(anchor, ett_ml);
    message_checks(ctx, &copy, at, anchor, tvb, term, &r);
    message_to_imf(ctx, &copy, at, tvb);
    return offset;
}

void pop_multiline_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_ml, {"Multiline response", "mail.pop.multiline", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_ml_line, {"Body line", "mail.pop.multiline.line", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_ml_data, {"Message data", "mail.pop.multiline.data", FT_BYTES, BASE_NONE, NULL, 0x0,
          "RETR/TOP body bytes of this segment, as sent (dot-stuffed)", HFILL}},
        {&hf_ml_lines, {"Body lines", "mail.pop.multiline.lines", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Lines between the status line and the '.' line", HFILL}},
        {&hf_ml_terminator, {"Terminator", "mail.pop.multiline.terminator", FT_BYTES, BASE_NONE, NULL,
          0x0, "The '.' line that ends the body", HFILL}},
        {&hf_ml_terminator_frame, {"Terminator in frame", "mail.pop.multiline.terminator_frame",
          FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_ml_terminator_class, {"Terminator bytes", "mail.pop.multiline.terminator.class",
          FT_STRING, BASE_NONE, NULL, 0x0, "The terminator or candidate with the line ends around it",
          HFILL}},
        {&hf_ml_unterminated, {"Body ended without '.'", "mail.pop.multiline.unterminated", FT_NONE,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_ml_cut_frame, {"Body cut short (no '.') in frame", "mail.pop.multiline.cut_frame",
          FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_ml_stuffed, {"Stuffed dots removed", "mail.pop.multiline.stuffed", FT_UINT32, BASE_DEC,
          NULL, 0x0, NULL, HFILL}},
        {&hf_ml_partial, {"Line that may have started before the capture", "mail.pop.multiline.partial_line",
          FT_NONE, BASE_NONE, NULL, 0x0, "The capture starts inside a body: its first line is shown "
          "but not counted, the body is read from the next line", HFILL}},
        {&hf_view_skipped, {"Message not shown (size limit)", "mail.pop.retr.view_skipped", FT_NONE,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_list_msg, {"Message number", "mail.pop.list.msg", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_list_size, {"Size (octets)", "mail.pop.list.size", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_uidl_msg, {"Message number", "mail.pop.uidl.msg", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_uidl_uid, {"Unique id", "mail.pop.uidl.uid", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_capa, {"Capability", "mail.pop.capa", FT_STRING, BASE_NONE, NULL, 0x0,
          "CAPA keyword (RFC 2449)", HFILL}},
        {&hf_capa_args, {"Capability arguments", "mail.pop.capa.args", FT_STRING, BASE_NONE, NULL, 0x0,
          "What follows the keyword, e.g. SASL's mechanisms", HFILL}},
        {&hf_mechanism_offered, {"SASL mechanism offered", "mail.pop.auth.offered", FT_STRING,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_retr_octets, {"Announced size (octets)", "mail.pop.retr.octets", FT_UINT64, BASE_DEC,
          NULL, 0x0, NULL, HFILL}},
        {&hf_msg_size, {"Message size (unstuffed)", "mail.pop.retr.size", FT_UINT64, BASE_DEC, NULL,
          0x0, NULL, HFILL}},
        {&hf_top_partial, {"Partial message (TOP)", "mail.pop.top.partial", FT_BOOLEAN, BASE_NONE,
          NULL, 0x0, "Headers and the first lines only", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_term_lf_lf, {"mail.pop.multiline.terminator.lf_lf", PI_SECURITY, PI_WARN,
          "<LF>.<LF> ends the body: line readers stop here, a strict CRLF reader does not and reads "
          "on", EXPFILL}},
        {&ei_term_lf_crlf, {"mail.pop.multiline.terminator.lf_crlf", PI_SECURITY, PI_WARN,
          "<LF>.<CR><LF> ends the body: the line before ended in a bare LF, so a strict reader does "
          "not stop here", EXPFILL}},
        {&ei_term_crlf_lf, {"mail.pop.multiline.terminator.crlf_lf", PI_SECURITY, PI_WARN,
          "<CR><LF>.<LF> ends the body: a strict reader does not stop here", EXPFILL}},
        {&ei_term_bare_cr, {"mail.pop.multiline.terminator.bare_cr", PI_SECURITY, PI_WARN,
          "A dot next to bare CRs: readers that take a bare CR as a line end stop here", EXPFILL}},
        {&ei_term_cr_cr, {"mail.pop.multiline.terminator.cr_cr", PI_SECURITY, PI_WARN,
          "<CR>.<CR> taken as the end (a status line follows it and a later command waits): "
          "readers that split lines at LF do not stop here and read the next responses as body",
          EXPFILL}},
        {&ei_term_lf_cr, {"mail.pop.multiline.terminator.lf_cr", PI_SECURITY, PI_WARN,
          "<LF>.<CR> taken as the end (a status line follows it and a later command waits): "
          "readers that split lines at LF do not stop here and read the next responses as body",
          EXPFILL}},
        {&ei_term_crlf_cr, {"mail.pop.multiline.terminator.crlf_cr", PI_SECURITY, PI_WARN,
          "<CR><LF>.<CR> taken as the end (a status line follows it and a later command waits): "
          "readers that split lines at LF do not stop here and read the next responses as body",
          EXPFILL}},
        {&ei_ml_unterminated, {"mail.pop.multiline.unterminated", PI_MALFORMED, PI_ERROR,
          "Multiline body without its '.' line", EXPFILL}},
        {&ei_ml_unknown, {"mail.pop.multiline.unknown", PI_SEQUENCE, PI_NOTE,
          "Server lines with no outstanding command: taken as the body of a multiline response "
          "whose command was not captured, up to its '.' line", EXPFILL}},
        {&ei_ml_bare_dot, {"mail.pop.multiline.bare_dot", PI_MALFORMED, PI_NOTE,
          "Line-start dot not doubled", EXPFILL}},
        {&ei_bad_entry, {"mail.pop.list.bad_entry", PI_MALFORMED, PI_WARN,
          "Listing line that is not an entry", EXPFILL}},
        {&ei_octets_mismatch, {"mail.pop.retr.octets_mismatch", PI_PROTOCOL, PI_WARN,
          "The message's size differs from the octets announced on its +OK line", EXPFILL}},
        {&ei_list_size_mismatch, {"mail.pop.retr.list_size_mismatch", PI_PROTOCOL, PI_WARN,
          "The message's size differs from its size in LIST", EXPFILL}},
        {&ei_list_stat_mismatch, {"mail.pop.list.stat_mismatch", PI_PROTOCOL, PI_WARN,
          "LIST's entry count differs from STAT's message count", EXPFILL}},
        {&ei_uidl_stat_mismatch, {"mail.pop.uidl.stat_mismatch", PI_PROTOCOL, PI_WARN,
          "UIDL's entry count differs from STAT's message count", EXPFILL}},
    };
    static gint *ett[] = {&ett_ml};
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

void pop_multiline_handoff(void)
{
    find_dissector_add_dependency("imf", proto_pop); /* the message view hands to IMF */
}

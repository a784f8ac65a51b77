/* POP3 multiline responses, rendered from the session machine's items.
 *
 * Listings (LIST, UIDL, CAPA, AUTH's mechanism list, LANG, and bodies of
 * unknown commands) are shown line by line.  RETR and TOP bodies are messages:
 * one item per call for their bytes, and at the '.' line the checks of the
 * whole message and the kept unstuffed copy handed to IMF.
 */
#include <wireshark.h>
#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/show_exception.h>

#include "core/pop/pop_syntax.h"
#include "mail/lineitem.h"
#include "mail/dkim_fields.h"
#include "mail/keep.h"
#include "mail/message_tree.h"
#include "mail/parts.h"
#include "pop/pop.h"
#include "mail/tap.h"
#include "mail/trace_fields.h"

#include <stdlib.h>

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
/* One expert per catalogue row a body can hold without ending (rows 4-12). */
static expert_field ei_candidate[MW_DATAEND_NCLASSES] = {
    EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT,
    EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT,
};
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


/* Under a +OK that opens a body.  The body's end, when a later frame holds
 * it, is a forward link filled in by that frame's parse; when this frame
 * holds it, its own item shows it (so it is shown once). */
void pop_render_multiline_start(mw_ctx *ctx, const mw_pop_item *r, proto_tree *status_tree,
                                tvbuff_t *tvb, gint text_off)
{
    if (r->flags & MW_POP_F_OCTETS)
        proto_tree_add_uint64(status_tree, hf_retr_octets, tvb, text_off, (gint)r->octets_len,
                              r->octets);
    proto_item *it = proto_tree_add_item(status_tree, hf_ml, tvb, text_off, 0, ENC_NA);
    proto_item_set_text(it, "Multiline response to %s follows", pop_cmd_label(r->cmd));
    proto_item_set_generated(it);
    const mw_pop_multi *m = r->ml;
    if (m && m->end_frame && m->end_frame != ctx->pinfo->num) {
        proto_tree *t = proto_item_add_subtree(it, ett_ml);
        it = proto_tree_add_uint(t, hf_ml_lines, tvb, text_off, 0, m->lines);
        proto_item_set_generated(it);
        it = proto_tree_add_uint(t, m->unterminated ? hf_ml_cut_frame : hf_ml_terminator_frame,
                                 tvb, text_off, 0, m->end_frame);
        proto_item_set_generated(it);
    }
}

/* Why a reader ends the response at a candidate row; its suffix names the
 * row as SMTP's smuggling experts do. */
static const struct {
    const char *suffix;
    const char *readers;
} candidate_rows[MW_DATAEND_NCLASSES] = {
    [MW_DATAEND_CR_CR] = {"cr_dot_cr", "takes a bare CR as a line end"},
    [MW_DATAEND_CR_LF] = {"cr_dot_lf", "takes a bare CR as a line end"},
    [MW_DATAEND_LF_CR] = {"lf_dot_cr", "takes a bare CR as a line end"},
    [MW_DATAEND_CR_CRLF] = {"cr_dot_crlf", "takes a bare CR as a line end"},
    [MW_DATAEND_CRLF_CR] = {"crlf_dot_cr", "takes a bare CR as a line end"},
    [MW_DATAEND_NUL_BEFORE] = {"nul_before_dot", "strips NUL bytes"},
    [MW_DATAEND_NUL_AFTER] = {"nul_after_dot", "strips NUL bytes"},
    [MW_DATAEND_CRLF_CRCRLF] = {"crlf_dot_crcrlf", "folds CR CR LF into one line end"},
    [MW_DATAEND_CRCRLF_CRCRLF] = {"crcrlf_dot_crcrlf", "folds CR CR LF into one line end"},
};

/* Candidate rows inside the body of item r, which starts at tvb offset base
 * (a row that began in an earlier call is shown from base). */
static void add_events(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const mw_pop_item *r)
{
    for (size_t i = 0; i < r->nev; i++) {
        const mw_dataend_event *e = &r->ev[i];
        unsigned cls = e->cls;
        if (cls >= MW_DATAEND_NCLASSES || !candidate_rows[cls].suffix)
            continue;
        gint at = base, len = e->len;
        if (e->offset >= r->body_off)
            at = base + (gint)(e->offset - r->body_off);
        else
            len -= (gint)MIN(r->body_off - e->offset, (guint64)len);
        gint avail = tvb_reported_length_remaining(tvb, at);
        if (avail < 0) {
            at = base;
            avail = tvb_reported_length_remaining(tvb, at);
        }
        const char *bytes = mw_dataend_class_bytes((int)cls);
        proto_item *it = proto_tree_add_string(t, hf_ml_terminator_class, tvb, at,
                                               MIN(len, avail), bytes);
        proto_item_set_generated(it);
        mw_expert_format(ctx->pinfo, it, &ei_candidate[cls],
                         "%s inside the body: a reader that %s ends the response here and "
                         "reads what follows as new responses", bytes, candidate_rows[cls].readers);
    }
}

/* Hand the unstuffed message to the shared message view (mail.header.*, then
 * IMF).  The buffer is file scope and final. */
static void message_to_imf(mw_ctx *ctx, const mw_pop_item *r, proto_tree *tree, tvbuff_t *tvb)
{
    const mw_pop_multi *m = r->ml;
    if (m && m->view_skipped) {
        proto_item *it = proto_tree_add_item(tree, hf_view_skipped, tvb, 0, 0, ENC_NA);
        proto_item_set_text(it, "Message not shown: larger than the message view limit "
                                "(mail.pop.message_view_max = %u bytes)", pop_message_view_max);
        proto_item_set_generated(it);
        return;
    }
    const mw_kept *k = m ? (const mw_kept *)m->user : NULL;
    const guint8 *data = mw_keep_bytes(ctx->pinfo, k);
    if (!data) {
        if (k && m->msg_len && r->cmd == MW_POP_CMD_RETR) {
            mail_trace_add_dropped(tvb, ctx->pinfo, tree);
            mw_keep_show_dropped(tree, tvb, ctx->pinfo, k, m->msg_len);
            mail_parts_show_dropped(tvb, ctx->pinfo, tree, (guint)m->msg_len);
            mail_dkim_dropped(tvb, ctx->pinfo, tree);
        }
        return;
    }
    tvbuff_t *mt = mail_message_tvb(tvb, ctx->pinfo, data, (guint)m->msg_len);
    TRY {
        /* RETR moves the whole message; TOP only a part of it. */
        if (r->cmd == MW_POP_CMD_RETR)
            mail_message_add(mt, ctx->pinfo, tree, NULL);
        else
            mail_message_add_part(mt, ctx->pinfo, tree, NULL);
    }
    CATCH_NONFATAL_ERRORS {
        show_exception(mt, ctx->pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
    }
    ENDTRY;
}

static void message_checks(mw_ctx *ctx, const mw_pop_item *r, proto_tree *t, proto_item *ti,
                           tvbuff_t *tvb, gint at)
{
    const mw_pop_end *e = r->end;
    proto_item *it = proto_tree_add_uint64(t, hf_msg_size, tvb, at, 0, e->size);
    proto_item_set_generated(it);
    if (r->cmd == MW_POP_CMD_TOP) {
        it = proto_tree_add_boolean(t, hf_top_partial, tvb, at, 0, TRUE);
        proto_item_set_generated(it);
        return;
    }
    if ((r->flags & MW_POP_F_OCTETS) && e->octets != e->size)
        expert_add_info_format(ctx->pinfo, ti, &ei_octets_mismatch,
                               "+OK announced %" PRIu64 " octets; the message has %" PRIu64 "%s",
                               e->octets, e->size,
                               e->size == e->octets + 2 ? " (the server may have added the CRLF "
                                                          "that ends the last line)" : "");
    if (r->flags & MW_POP_F_LIST_SIZE)
        expert_add_info_format(ctx->pinfo, ti, &ei_list_size_mismatch,
                               "LIST gave message %u a size of %u octets; RETR brought %" PRIu64,
                               e->msg, e->list_size, e->size);
}

/* The '.' line: the facts of the whole body. */
static void render_end(mw_ctx *ctx, const mw_pop_item *r, tvbuff_t *tvb, gboolean status_here)
{
    const mw_pop_end *e = r->end;
    gint term_off = (gint)r->off, term_len = (gint)r->line.len;
    proto_item *ti = proto_tree_add_item(ctx->tree, hf_ml_terminator, tvb, term_off, term_len, ENC_NA);
    /* shown as text, with the line ends around the dot; the bytes stay the value */
    if (term_len == 0)
        proto_item_set_text(ti, "Terminator: in an earlier segment, taken as the end here");
    else
        proto_item_set_text(ti, "Terminator: %s", mw_dataend_class_bytes(r->cls));
    proto_tree *tt = proto_item_add_subtree(ti, ett_ml);
    proto_item *it = proto_tree_add_string(tt, hf_ml_terminator_class, tvb, term_off, term_len,
                                           mw_dataend_class_bytes(r->cls));
    proto_item_set_generated(it);
    if (term_len)
        proto_item_set_hidden(it); /* the label above says it */
    it = proto_tree_add_uint(tt, hf_ml_terminator_frame, tvb, term_off, term_len, ctx->pinfo->num);
    proto_item_set_generated(it);
    it = proto_tree_add_uint(ctx->tree, hf_ml_lines, tvb, term_off, 0, e->lines);
    proto_item_set_generated(it);
    if (e->stuffed) {
        it = proto_tree_add_uint(ctx->tree, hf_ml_stuffed, tvb, term_off, 0, e->stuffed);
        proto_item_set_generated(it);
    }
    if (e->bare_dot)
        expert_add_info_format(ctx->pinfo, ti, &ei_ml_bare_dot,
                               "%u line(s) began with a single '.' that is not a terminator: "
                               "readers drop it as a stuffing dot", e->bare_dot);
    switch (r->cls) {
    case MW_DATAEND_LF_LF: mw_expert(ctx->pinfo, ti, &ei_term_lf_lf); break;
    case MW_DATAEND_LF_CRLF: mw_expert(ctx->pinfo, ti, &ei_term_lf_crlf); break;
    case MW_DATAEND_CRLF_LF: mw_expert(ctx->pinfo, ti, &ei_term_crlf_lf); break;
    case MW_DATAEND_CR_CR: mw_expert(ctx->pinfo, ti, &ei_term_cr_cr); break;
    case MW_DATAEND_LF_CR: mw_expert(ctx->pinfo, ti, &ei_term_lf_cr); break;
    case MW_DATAEND_CRLF_CR: mw_expert(ctx->pinfo, ti, &ei_term_crlf_cr); break;
    default: break;
    }
    /* With its status line in the same frame: "S: +OK 4 messages (LIST, 4 lines)". */
    if (status_here)
        col_append_fstr(ctx->pinfo->cinfo, COL_INFO, " (%s, %u lines)",
                        r->cmd ? pop_cmd_label(r->cmd) : "multiline", e->lines);
    else
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: [%s body: %u lines, '.']",
                            r->cmd ? pop_cmd_label(r->cmd) : "multiline", e->lines);
    if (r->flags & MW_POP_F_STAT_MISMATCH)
        expert_add_info_format(ctx->pinfo, ti,
                               r->cmd == MW_POP_CMD_LIST ? &ei_list_stat_mismatch : &ei_uidl_stat_mismatch,
                               "%s listed %u messages; STAT said %" PRId64,
                               pop_cmd_label(r->cmd), e->entries, e->stat_expect);
    if (!(r->flags & MW_POP_F_MESSAGE))
        return;
    proto_item *anchor = proto_tree_add_item(ctx->tree, hf_ml, tvb, term_off, term_len, ENC_NA);
    proto_item_set_text(anchor, "%s message", pop_cmd_label(r->cmd));
    proto_tree *at = proto_item_add_subtree(anchor, ett_ml);
    message_checks(ctx, r, at, anchor, tvb, term_off);
    message_to_imf(ctx, r, at, tvb);
}

static void render_listing_entry(mw_ctx *ctx, const mw_pop_item *r, proto_tree *t, proto_item *li,
                                 tvbuff_t *tvb)
{
    gint off = (gint)r->off, len = (gint)r->line.len;
    if (r->flags & MW_POP_F_BAD_ENTRY) {
        expert_add_info_format(ctx->pinfo, li, &ei_bad_entry, "Not a %s entry (\"msg %s\")",
                               pop_cmd_label(r->cmd),
                               r->cmd == MW_POP_CMD_LIST ? "size" : "unique-id");
        return;
    }
    gint sp = tvb_find_guint8(tvb, off, len, ' ') - off;
    guint32 msg = (guint32)strtoul((const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, off, sp,
                                                                    ENC_ASCII), NULL, 10);
    if (r->cmd == MW_POP_CMD_LIST) {
        proto_tree_add_uint(t, hf_list_msg, tvb, off, sp, msg);
        guint32 size = (guint32)strtoul((const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb,
                                                                          off + sp + 1, len - sp - 1,
                                                                          ENC_ASCII), NULL, 10);
        proto_tree_add_uint(t, hf_list_size, tvb, off + sp + 1, len - sp - 1, size);
    } else {
        proto_tree_add_uint(t, hf_uidl_msg, tvb, off, sp, msg);
        proto_tree_add_item(t, hf_uidl_uid, tvb, off + sp + 1, len - sp - 1, ENC_ASCII);
    }
}

static void render_line(mw_ctx *ctx, const mw_pop_item *r, tvbuff_t *tvb, gboolean *info_done)
{
    mw_line_at l;
    pop_item_line(r, &l);
    gint len = (gint)r->line.len, full = len + (gint)r->line.eol_len;
    proto_item *li = proto_tree_add_item(ctx->tree, hf_ml_line, tvb, l.offset, full, ENC_NA);
    proto_item_set_text(li, "%s: %s", r->cmd ? pop_cmd_label(r->cmd) : "Body line",
                        mw_line_text_cut(ctx, tvb, l.offset, len));
    proto_tree *lt = proto_item_add_subtree(li, ett_pop_line);
    add_events(ctx, lt, tvb, l.offset, r);
    /* one Info entry per call for the body lines it carries */
    if (!*info_done) {
        *info_done = TRUE;
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: [%s body from line %u]",
                            r->cmd ? pop_cmd_label(r->cmd) : "multiline", r->n);
    }
    if (r->flags & MW_POP_F_UNKNOWN_BODY)
        expert_add_info(ctx->pinfo, li, &ei_ml_unknown);
    switch (r->cmd) {
    case MW_POP_CMD_LIST: case MW_POP_CMD_UIDL:
        render_listing_entry(ctx, r, lt, li, tvb);
        break;
    case MW_POP_CMD_CAPA: {
        size_t kw = 0, ao = 0, al = 0;
        if (len > 0 &&
            mw_pop_capa_line(tvb_get_ptr(tvb, l.offset, len), (size_t)len, &kw, &ao, &al)) {
            proto_tree_add_item(lt, hf_capa, tvb, l.offset, (gint)kw, ENC_ASCII);
            if (al)
                proto_tree_add_item(lt, hf_capa_args, tvb, l.offset + (gint)ao, (gint)al, ENC_ASCII);
        }
        break;
    }
    case MW_POP_CMD_AUTH:
        proto_tree_add_item(lt, hf_mechanism_offered, tvb, l.offset, len, ENC_ASCII);
        break;
    default:
        break;
    }
    mw_add_line_facts(ctx, lt, tvb, &l);
    pop_longline_show(ctx, lt, li, tvb, r);
}

static void render_data(mw_ctx *ctx, const mw_pop_item *r, const mw_pop_item *next, tvbuff_t *tvb)
{
    proto_tree *dt = ctx->tree;
    gint start = (gint)r->off, len = (gint)r->line.len;
    if (len > 0) {
        proto_item *di = proto_tree_add_item(ctx->tree, hf_ml_data, tvb, start, len, ENC_NA);
        proto_item_set_text(di, "Message data: %d bytes, %u line ends", len, r->n);
        dt = proto_item_add_subtree(di, ett_ml);
        pop_text_data(ctx->pinfo, dt, tvb, start, len);
    }
    add_events(ctx, dt, tvb, start, r);
    if (!next || next->kind != MW_POP_ITEM_BODY_END)
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: [%s data]", pop_cmd_label(r->cmd));
}

void pop_render_body(mw_ctx *ctx, const mw_pop_item *r, const mw_pop_item *next, tvbuff_t *tvb,
                     gboolean *info_done)
{
    switch ((mw_pop_item_kind)r->kind) {
    case MW_POP_ITEM_BODY_LINE:
        render_line(ctx, r, tvb, info_done);
        break;
    case MW_POP_ITEM_BODY_PARTIAL: {
        mw_line_at l;
        pop_item_line(r, &l);
        gint full = (gint)(r->line.len + r->line.eol_len);
        proto_item *it = proto_tree_add_item(ctx->tree, hf_ml_partial, tvb, l.offset, full, ENC_NA);
        proto_item_set_text(it, "Line that may have started before the capture: %s",
                            mw_line_text(ctx, tvb, l.offset, (gint)r->line.len));
        expert_add_info(ctx->pinfo, it, &ei_ml_unknown);
        mw_add_line_facts(ctx, proto_item_add_subtree(it, ett_pop_line), tvb, &l);
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "S: [body of a command not captured]");
        break;
    }
    case MW_POP_ITEM_BODY_CUT: {
        proto_item *it = proto_tree_add_item(ctx->tree, hf_ml_unterminated, tvb, (gint)r->off, 0, ENC_NA);
        expert_add_info_format(ctx->pinfo, it, &ei_ml_unterminated,
                               "The %s body ended without its '.' line: the next status line "
                               "answers a later command", pop_cmd_label(r->cmd));
        break;
    }
    case MW_POP_ITEM_BODY_DATA:
        render_data(ctx, r, next, tvb);
        break;
    case MW_POP_ITEM_BODY_END:
        render_end(ctx, r, tvb, *info_done == POP_INFO_STATUS);
        break;
    default:
        break;
    }
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
        {&hf_ml_stuffed, {"Dot-stuffed lines", "mail.pop.multiline.stuffed", FT_UINT32, BASE_DEC,
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
    /* the candidate rows, one expert each (rows 0-3 end the body) */
    static ei_register_info cand[] = {
        {&ei_candidate[MW_DATAEND_CR_CR], {"mail.pop.multiline.candidate.cr_dot_cr", PI_SECURITY, PI_WARN,
          "End of body candidate <CR>.<CR>: "
          "a reader that takes a bare CR as a line end stops here", EXPFILL}},
        {&ei_candidate[MW_DATAEND_CR_LF], {"mail.pop.multiline.candidate.cr_dot_lf", PI_SECURITY, PI_WARN,
          "End of body candidate <CR>.<LF>: "
          "a reader that takes a bare CR as a line end stops here", EXPFILL}},
        {&ei_candidate[MW_DATAEND_LF_CR], {"mail.pop.multiline.candidate.lf_dot_cr", PI_SECURITY, PI_WARN,
          "End of body candidate <LF>.<CR>: "
          "a reader that takes a bare CR as a line end stops here", EXPFILL}},
        {&ei_candidate[MW_DATAEND_CR_CRLF], {"mail.pop.multiline.candidate.cr_dot_crlf", PI_SECURITY, PI_WARN,
          "End of body candidate <CR>.<CR><LF>: "
          "a reader that takes a bare CR as a line end stops here", EXPFILL}},
        {&ei_candidate[MW_DATAEND_CRLF_CR], {"mail.pop.multiline.candidate.crlf_dot_cr", PI_SECURITY, PI_WARN,
          "End of body candidate <CR><LF>.<CR>: "
          "a reader that takes a bare CR as a line end stops here", EXPFILL}},
        {&ei_candidate[MW_DATAEND_NUL_BEFORE], {"mail.pop.multiline.candidate.nul_before_dot", PI_SECURITY, PI_WARN,
          "End of body candidate <CR><LF><NUL>.<CR><LF>: "
          "a reader that strips NUL bytes stops here", EXPFILL}},
        {&ei_candidate[MW_DATAEND_NUL_AFTER], {"mail.pop.multiline.candidate.nul_after_dot", PI_SECURITY, PI_WARN,
          "End of body candidate <CR><LF>.<NUL><CR><LF>: "
          "a reader that strips NUL bytes stops here", EXPFILL}},
        {&ei_candidate[MW_DATAEND_CRLF_CRCRLF], {"mail.pop.multiline.candidate.crlf_dot_crcrlf", PI_SECURITY, PI_WARN,
          "End of body candidate <CR><LF>.<CR><CR><LF>: "
          "a reader that folds CR CR LF into one line end stops here", EXPFILL}},
        {&ei_candidate[MW_DATAEND_CRCRLF_CRCRLF], {"mail.pop.multiline.candidate.crcrlf_dot_crcrlf", PI_SECURITY, PI_WARN,
          "End of body candidate <CR><CR><LF>.<CR><CR><LF>: "
          "a reader that folds CR CR LF into one line end stops here", EXPFILL}},
    };
    expert_register_field_array(em, cand, array_length(cand));
}

void pop_multiline_handoff(void)
{
    find_dissector_add_dependency("imf", proto_pop); /* the message view hands to IMF */
}

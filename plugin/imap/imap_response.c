/* IMAP server lines (RFC 9051 sections 7.1 to 7.5): tagged completions with
 * their status and response code, continuation requests, and untagged data:
 * CAPABILITY, FLAGS, EXISTS, RECENT, EXPUNGE, LIST/LSUB, STATUS,
 * SEARCH/ESEARCH and FETCH (imap_fetch.c). */
#include <wireshark.h>
#include <epan/expert.h>

#include "imap/imap.h"
#include "mail/tap.h"
#include "engine/text.h"

static int hf_imap_status = -1;
static int hf_imap_untagged = -1;
static int hf_imap_continuation = -1;
static int hf_imap_continuation_for = -1;
static int hf_imap_resp_number = -1;
static int hf_imap_resp_text = -1;
static int hf_imap_code = -1;
static int hf_imap_code_args = -1;
static int hf_imap_code_value = -1;
static int hf_imap_exists = -1;
static int hf_imap_recent = -1;
static int hf_imap_expunge = -1;
static int hf_imap_list_attr = -1;
static int hf_imap_list_delim = -1;
static int hf_imap_mbox_status_item = -1;
static int hf_imap_mbox_status_value = -1;
static int hf_imap_search_result = -1;
static int hf_imap_search_count = -1;
static int hf_imap_search_sofar = -1;
static int hf_imap_search_more = -1;
static int hf_imap_esearch_item = -1;
static int hf_esearch_min = -1;
static int hf_esearch_max = -1;
static int hf_esearch_count = -1;
static int hf_esearch_all = -1;
static int hf_esearch_modseq = -1;
static int hf_esearch_tag = -1;
static int hf_id_key = -1;
static int hf_id_value = -1;
static int hf_ns_personal = -1;
static int hf_ns_other = -1;
static int hf_ns_shared = -1;
static int hf_ns_delim = -1;
static int hf_enabled = -1;
static int hf_vanished = -1;
static int hf_vanished_earlier = -1;
static int hf_highestmodseq = -1;
static int hf_modified = -1;
static int hf_imap_data = -1;
static expert_field ei_imap_status_bad = EI_INIT;
static expert_field ei_imap_response_malformed = EI_INIT;

typedef void (*untagged_fn)(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len);

static gboolean lex_ok(mw_imap_lexer *lx, mw_imap_tok *tok)
{
    mw_imap_tok_kind k = mw_imap_lex_next(lx, tok);
    return k != MW_IMAP_TOK_END && k != MW_IMAP_TOK_ERROR;
}

static void lex_start(mw_imap_lexer *lx, tvbuff_t *tvb, gint off, gint len)
{
    const guint8 *p;
    imap_line_ptr(tvb, off, len, &p);
    mw_imap_lexer_init(lx, p, (size_t)len, 0, 0, 0);
}

/* Atoms of a list or space-separated run, each as an item of hf. */
static void add_words(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len, int hf)
{
    mw_imap_lexer lx;
    mw_imap_tok tok;
    lex_start(&lx, tvb, off, len);
    while (lex_ok(&lx, &tok))
        if (tok.kind == MW_IMAP_TOK_ATOM || tok.kind == MW_IMAP_TOK_NUMBER ||
            tok.kind == MW_IMAP_TOK_QUOTED || tok.kind == MW_IMAP_TOK_NIL)
            proto_tree_add_string(t, hf, tvb, off + (gint)tok.off, (gint)tok.len,
                                  imap_tok_text(ctx, tvb, off, &tok));
}

static void untagged_capability(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    add_words(ctx, t, tvb, off, len, hf_imap_capability);
}

static void untagged_flags(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    add_words(ctx, t, tvb, off, len, hf_imap_flag);
}

/* LIST/LSUB/XLIST: (attributes) delimiter mailbox [extended data] */
static void untagged_list(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    mw_imap_lexer lx;
    mw_imap_tok tok;
    int field = 0; /* 0 attributes, 1 delimiter, 2 mailbox */
    lex_start(&lx, tvb, off, len);
    while (lex_ok(&lx, &tok) && field < 3) {
        gint o = off + (gint)tok.off, l = (gint)tok.len;
        if (field == 0) {
            if (tok.kind == MW_IMAP_TOK_ATOM && tok.depth == 1)
                proto_tree_add_string(t, hf_imap_list_attr, tvb, o, l, imap_tok_text(ctx, tvb, off, &tok));
            else if (tok.kind == MW_IMAP_TOK_LIST_CLOSE && tok.depth == 0)
                field = 1;
            continue;
        }
        if (field == 1)
            proto_tree_add_string(t, hf_imap_list_delim, tvb, o, l, imap_tok_text(ctx, tvb, off, &tok));
        else if (tok.kind != MW_IMAP_TOK_LITERAL)
            proto_tree_add_string(t, hf_imap_mailbox, tvb, o, l, imap_tok_text(ctx, tvb, off, &tok));
        field++;
    }
}

/* STATUS mailbox (name value ...) */
static void untagged_status(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    mw_imap_lexer lx;
    mw_imap_tok tok, name = {0};
    gboolean have_name = FALSE, mailbox = FALSE;
    lex_start(&lx, tvb, off, len);
    while (lex_ok(&lx, &tok)) {
        if (!mailbox && tok.depth == 0 && tok.kind != MW_IMAP_TOK_LIST_OPEN) {
            mailbox = TRUE;
            if (tok.kind != MW_IMAP_TOK_LITERAL)
                proto_tree_add_string(t, hf_imap_mailbox, tvb, off + (gint)tok.off, (gint)tok.len,
                                      imap_tok_text(ctx, tvb, off, &tok));
            continue;
        }
        if (tok.depth != 1 || (tok.kind != MW_IMAP_TOK_ATOM && tok.kind != MW_IMAP_TOK_NUMBER))
            continue;
        if (!have_name) {
            name = tok;
            have_name = TRUE;
        } else {
            proto_tree_add_string(t, hf_imap_mbox_status_item, tvb, off + (gint)name.off,
                                  (gint)name.len, imap_tok_text(ctx, tvb, off, &name));
            proto_tree_add_uint64(t, hf_imap_mbox_status_value, tvb, off + (gint)tok.off,
                                  (gint)tok.len, tok.num);
            have_name = FALSE;
        }
    }
}

static void untagged_search(mw_ctx *ctx _U_, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    mw_imap_lexer lx;
    mw_imap_tok tok;
    guint shown = 0;
    lex_start(&lx, tvb, off, len);
    while (shown < IMAP_SHOW_NUMBERS && lex_ok(&lx, &tok))
        if (tok.kind == MW_IMAP_TOK_NUMBER && tok.depth == 0) {
            proto_tree_add_uint64(t, hf_imap_search_result, tvb, off + (gint)tok.off, (gint)tok.len,
                                  tok.num);
            shown++;
        }
}

/* The count of a SEARCH/SORT line, at its last piece; the numbers past the
 * first IMAP_SHOW_NUMBERS are counted, not shown. */
void imap_render_search_count(imap_render *rd, proto_tree *t)
{
    const imap_item *ii = rd->it;
    const mw_line_at *l = &ii->l;
    gint off = l->offset, len = (gint)l->line.len;
    if (ii->count_what == IMAP_COUNT_SEARCH_PART) {
        proto_item *p = proto_tree_add_uint64(t, hf_imap_search_sofar, rd->tvb, off, len, ii->count);
        proto_item_set_generated(p);
        return;
    }
    proto_item *c = proto_tree_add_uint64(t, hf_imap_search_count, rd->tvb, off, len, ii->count);
    proto_item_set_generated(c);
    if (ii->count > IMAP_SHOW_NUMBERS) {
        proto_item *m = proto_tree_add_uint64(t, hf_imap_search_more, rd->tvb, off, len,
                                              ii->count - IMAP_SHOW_NUMBERS);
        proto_item_set_generated(m);
    }
}

/* An ESEARCH result (RFC 4731, RFC 7162) by name: MIN, MAX, COUNT, ALL, MODSEQ. */
static void esearch_value(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const guint8 *name,
                          gsize name_len, const mw_imap_tok *v)
{
    while (name_len > 0 && name[name_len - 1] == ' ')
        name_len--;
    gint o = base + (gint)v->off, l = (gint)v->len;
    static const struct { const char *name; int *hf; } nums[] = {
        {"MIN", &hf_esearch_min}, {"MAX", &hf_esearch_max}, {"COUNT", &hf_esearch_count},
        {"MODSEQ", &hf_esearch_modseq},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(nums); i++)
        if (mw_imap_word_eq(name, name_len, nums[i].name)) {
            if (v->kind == MW_IMAP_TOK_NUMBER)
                proto_tree_add_uint64(t, *nums[i].hf, tvb, o, l, v->num);
            return;
        }
    if (mw_imap_word_eq(name, name_len, "ALL") || mw_imap_word_eq(name, name_len, "PARTIAL"))
        proto_tree_add_string(t, hf_esearch_all, tvb, o, l, imap_tok_text(ctx, tvb, base, v));
}

/* ESEARCH [(TAG "x")] [UID] name value ...: each name with its value. */
static void untagged_esearch(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    mw_imap_lexer lx;
    mw_imap_tok tok;
    gint name_off = -1;
    lex_start(&lx, tvb, off, len);
    gboolean tag_next = FALSE;
    while (lex_ok(&lx, &tok)) {
        if (tok.depth == 1 && tok.kind == MW_IMAP_TOK_ATOM)
            tag_next = mw_imap_word_eq(lx.buf + tok.off, tok.len, "TAG");
        else if (tok.depth == 1 && tag_next && tok.kind == MW_IMAP_TOK_QUOTED)
            proto_tree_add_string(t, hf_esearch_tag, tvb, off + (gint)tok.off, (gint)tok.len,
                                  imap_tok_text(ctx, tvb, off, &tok));
        if (tok.depth != 0 || tok.kind == MW_IMAP_TOK_LIST_CLOSE)
            continue;
        gint o = off + (gint)tok.off;
        if (name_off < 0) {
            if (tok.kind == MW_IMAP_TOK_ATOM && !mw_imap_word_eq(lx.buf + tok.off, tok.len, "UID"))
                name_off = o;
            continue;
        }
        proto_item *ei = proto_tree_add_string(t, hf_imap_esearch_item, tvb, name_off,
                                               o + (gint)tok.len - name_off,
                                               mw_tvb_format_text(ctx->pinfo->pool, tvb, name_off,
                                                               o + (gint)tok.len - name_off));
        esearch_value(ctx, proto_item_add_subtree(ei, ett_imap_item), tvb, off, lx.buf + (name_off - off),
                      (gsize)(o - name_off), &tok);
        name_off = -1;
    }
}

/* ID (RFC 2971): ("key" "value" ...) or NIL, the same in the client's
 * command and the server's response. */
void imap_render_id_params(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    mw_imap_lexer lx;
    mw_imap_tok tok;
    proto_item *key = NULL;
    guint i = 0;
    lex_start(&lx, tvb, off, len);
    while (lex_ok(&lx, &tok)) {
        if (tok.depth != 1 || tok.kind == MW_IMAP_TOK_LIST_OPEN || tok.kind == MW_IMAP_TOK_LIST_CLOSE)
            continue;
        gint o = off + (gint)tok.off, l = (gint)tok.len;
        if (i++ % 2 == 0) {
            key = proto_tree_add_string(t, hf_id_key, tvb, o, l, imap_tok_text(ctx, tvb, off, &tok));
        } else {
            const char *v = tok.kind == MW_IMAP_TOK_NIL ? "NIL" : imap_tok_text(ctx, tvb, off, &tok);
            proto_tree_add_string(proto_item_add_subtree(key, ett_imap_item), hf_id_value, tvb, o, l, v);
            proto_item_append_text(key, " = %s", v);
        }
    }
}

/* NAMESPACE (RFC 2342): personal, other users', shared; each NIL or a list
 * of (prefix delimiter ...). */
static void untagged_namespace(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    static int *const hf[] = {&hf_ns_personal, &hf_ns_other, &hf_ns_shared};
    mw_imap_lexer lx;
    mw_imap_tok tok;
    guint group = 0, elem = 0;
    proto_item *pi = NULL;
    lex_start(&lx, tvb, off, len);
    while (lex_ok(&lx, &tok)) {
        if (tok.depth == 0 && tok.kind != MW_IMAP_TOK_LIST_CLOSE) {
            if (tok.kind == MW_IMAP_TOK_NIL)
                group++;
            continue;
        }
        if (tok.kind == MW_IMAP_TOK_LIST_CLOSE && tok.depth == 0) {
            group++;
            continue;
        }
        if (tok.kind == MW_IMAP_TOK_LIST_OPEN && tok.depth == 2) {
            elem = 0;
            continue;
        }
        if (tok.depth != 2 || group >= 3 || tok.kind == MW_IMAP_TOK_LIST_CLOSE)
            continue;
        gint o = off + (gint)tok.off, l = (gint)tok.len;
        const char *v = tok.kind == MW_IMAP_TOK_NIL ? "NIL" : imap_tok_text(ctx, tvb, off, &tok);
        if (elem == 0)
            pi = proto_tree_add_string(t, *hf[group], tvb, o, l, v);
        else if (elem == 1 && pi) {
            proto_tree_add_string(proto_item_add_subtree(pi, ett_imap_item), hf_ns_delim, tvb, o, l, v);
            proto_item_append_text(pi, " (delimiter %s)", v);
        }
        elem++;
    }
}

static void untagged_enabled(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    add_words(ctx, t, tvb, off, len, hf_enabled);
}

/* VANISHED [(EARLIER)] uid-set (RFC 7162 QRESYNC). */
static void untagged_vanished(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    mw_imap_lexer lx;
    mw_imap_tok tok;
    lex_start(&lx, tvb, off, len);
    while (lex_ok(&lx, &tok)) {
        gint o = off + (gint)tok.off, l = (gint)tok.len;
        if (tok.depth == 1 && tok.kind == MW_IMAP_TOK_ATOM &&
            mw_imap_word_eq(lx.buf + tok.off, tok.len, "EARLIER"))
            proto_tree_add_boolean(t, hf_vanished_earlier, tvb, o, l, TRUE);
        else if (tok.depth == 0 && (tok.kind == MW_IMAP_TOK_ATOM || tok.kind == MW_IMAP_TOK_NUMBER))
            proto_tree_add_string(t, hf_vanished, tvb, o, l, imap_tok_text(ctx, tvb, off, &tok));
    }
}

static untagged_fn untagged_table(mw_imap_kw kw)
{
    switch (kw) {
    case MW_IMAP_KW_CAPABILITY: return untagged_capability;
    case MW_IMAP_KW_ENABLED: return untagged_enabled;
    case MW_IMAP_KW_ID: return imap_render_id_params;
    case MW_IMAP_KW_NAMESPACE: return untagged_namespace;
    case MW_IMAP_KW_VANISHED: return untagged_vanished;
    case MW_IMAP_KW_FLAGS: return untagged_flags;
    case MW_IMAP_KW_LIST: case MW_IMAP_KW_LSUB: case MW_IMAP_KW_XLIST: return untagged_list;
    case MW_IMAP_KW_STATUS: return untagged_status;
    case MW_IMAP_KW_SEARCH: case MW_IMAP_KW_SORT: return untagged_search;
    case MW_IMAP_KW_ESEARCH: return untagged_esearch;
    default: return NULL;
    }
}

static void dissect_code(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, const mw_imap_response *r)
{
    proto_item *ci = proto_tree_add_item(t, hf_imap_code, tvb, off + (gint)r->code_name_off,
                                         (gint)r->code_name_len, ENC_ASCII | ENC_NA);
    proto_tree *ct = proto_item_add_subtree(ci, ett_imap_item);
    gint aoff = off + (gint)r->code_args_off, alen = (gint)r->code_args_len;
    if (alen <= 0)
        return;
    proto_tree_add_item(ct, hf_imap_code_args, tvb, aoff, alen, ENC_ASCII | ENC_NA);
    if (r->code_has_num)
        proto_tree_add_uint64(ct, hf_imap_code_value, tvb, aoff, alen, r->code_num);
    if (r->code == MW_IMAP_CODE_CAPABILITY)
        add_words(ctx, ct, tvb, aoff, alen, hf_imap_capability);
    else if (r->code == MW_IMAP_CODE_PERMANENTFLAGS)
        add_words(ctx, ct, tvb, aoff, alen, hf_imap_flag);
    else if (r->code == MW_IMAP_CODE_HIGHESTMODSEQ && r->code_has_num)
        proto_tree_add_uint64(ct, hf_highestmodseq, tvb, aoff, alen, r->code_num);
    else if (r->code == MW_IMAP_CODE_MODIFIED)
        proto_tree_add_item(ct, hf_modified, tvb, aoff, alen, ENC_ASCII | ENC_NA);
}

static void render_continuation(imap_render *rd, proto_tree *t, gint off, gint len,
                                const mw_imap_response *r)
{
    static const char *const what[] = {
        [IMAP_CONT_PLAIN] = "continuation", [IMAP_CONT_LITERAL] = "go ahead with the literal",
        [IMAP_CONT_SASL] = "SASL challenge", [IMAP_CONT_IDLE] = "IDLE accepted",
    };
    const imap_item *ii = rd->it;
    proto_item *it = proto_tree_add_item(t, hf_imap_continuation, rd->tvb, off, len,
                                         ENC_ASCII | ENC_NA);
    if (ii->rec) {
        proto_item *f = proto_tree_add_uint(t, hf_imap_continuation_for, rd->tvb, off, 0,
                                            ii->rec->sent.frame);
        proto_item_set_generated(f);
    }
    if (ii->cont_what == IMAP_CONT_SASL)
        imap_render_sasl_challenge(rd, t, off + (gint)r->text_off, (gint)r->text_len);
    proto_item_append_text(it, " (%s)", what[ii->cont_what]);
}

static void render_tagged(imap_render *rd, proto_tree *t, gint off, const mw_imap_response *r)
{
    mw_ctx *ctx = rd->ctx;
    tvbuff_t *tvb = rd->tvb;
    gint tag_off = off + (gint)r->tag_off, tag_len = (gint)r->tag_len;
    const char *tag = (const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, tag_off, tag_len,
                                                       ENC_ASCII);
    proto_tree_add_string(t, hf_imap_tag, tvb, tag_off, tag_len, tag);
    proto_item *si = proto_tree_add_item(t, hf_imap_status, tvb, off + (gint)r->kw_off,
                                         (gint)r->kw_len, ENC_ASCII | ENC_NA);
    if (r->kw == MW_IMAP_KW_BAD)
        expert_add_info(ctx->pinfo, si, &ei_imap_status_bad);
    if (r->has_code)
        dissect_code(ctx, t, tvb, off, r);
    if (r->text_len)
        proto_tree_add_item(t, hf_imap_resp_text, tvb, off + (gint)r->text_off, (gint)r->text_len,
                            ENC_UTF_8 | ENC_NA);
    imap_render_completion_links(rd, t, tag);
    const imap_cmd_rec *rec = rd->it->rec;
    nstime_t sent;
    if (rec)
        imap_cmd_time(rec, &sent);
    const char *verb = !rec ? NULL : rec->cmd == MW_IMAP_CMD_UNKNOWN ? "(unknown)"
                                                                     : mw_imap_cmd_name(rec->cmd);
    mw_tap_reply(ctx, verb, mw_imap_kw_name(r->kw), 0, rec ? &sent : NULL);
}

static void render_untagged(imap_render *rd, proto_tree *t, gint off, const mw_imap_response *r)
{
    mw_ctx *ctx = rd->ctx;
    tvbuff_t *tvb = rd->tvb;
    if (r->has_number)
        proto_tree_add_uint64(t, hf_imap_resp_number, tvb, off + (gint)r->number_off,
                              (gint)r->number_len, r->number);
    proto_tree_add_item(t, hf_imap_untagged, tvb, off + (gint)r->kw_off, (gint)r->kw_len,
                        ENC_ASCII | ENC_NA);
    gint toff = off + (gint)r->text_off, tlen = (gint)r->text_len;
    if (r->is_status) {
        if (r->kw == MW_IMAP_KW_BAD)
            expert_add_info(ctx->pinfo, rd->line_it, &ei_imap_status_bad);
        if (r->has_code)
            dissect_code(ctx, t, tvb, off, r);
        if (tlen > 0)
            proto_tree_add_item(t, hf_imap_resp_text, tvb, toff, tlen, ENC_UTF_8 | ENC_NA);
    } else if (r->kw == MW_IMAP_KW_EXISTS || r->kw == MW_IMAP_KW_RECENT || r->kw == MW_IMAP_KW_EXPUNGE) {
        int hf = r->kw == MW_IMAP_KW_EXISTS ? hf_imap_exists
                 : r->kw == MW_IMAP_KW_RECENT ? hf_imap_recent : hf_imap_expunge;
        proto_item *n = proto_tree_add_uint64(t, hf, tvb, off + (gint)r->number_off,
                                              (gint)r->number_len, r->number);
        proto_item_set_generated(n);
    } else {
        if (tlen > 0)
            proto_tree_add_item(t, hf_imap_data, tvb, toff, tlen, ENC_UTF_8 | ENC_NA);
        if (r->kw == MW_IMAP_KW_FETCH && tlen > 0) {
            imap_walk w;
            imap_fetch_start(&w);
            imap_fetch_segment(ctx, t, tvb, toff, tlen, &w);
        } else {
            untagged_fn fn = untagged_table(r->kw);
            if (fn && tlen > 0)
                fn(ctx, t, tvb, toff, tlen);
        }
    }
    imap_render_untagged_link(rd, t, off);
}

/* The parse side of a server line the session machine classified: the FETCH
 * walk, SASL challenges, TLS after an accepted STARTTLS. */
void imap_parse_server_line(imap_parse *ps, imap_item *it, gint off, gint len)
{
    imap_dir *ds = ps->ds;
    const guint8 *p;
    imap_line_ptr(ps->tvb, off, len, &p);
    mw_imap_response r;
    memset(&ds->walk, 0, sizeof ds->walk);
    mw_imap_server_line(p, (size_t)len, &r);
    switch (it->line_kind) {
    case IMAP_LINE_CONTINUATION:
        if (it->cont_what == IMAP_CONT_SASL)
            imap_parse_sasl_challenge(ps, it, off + (gint)r.text_off, (gint)r.text_len);
        break;
    case IMAP_LINE_TAGGED:
        if (it->rec && it->rec->cmd == MW_IMAP_CMD_STARTTLS && r.kw == MW_IMAP_KW_OK)
            imap_parse_starttls_done(ps);
        break;
    case IMAP_LINE_UNTAGGED: {
        gint toff = off + (gint)r.text_off, tlen = (gint)r.text_len;
        if (r.kw == MW_IMAP_KW_FETCH && !r.is_status && tlen > 0) {
            imap_fetch_start(&ds->walk);
            imap_fetch_segment(ps->ctx, NULL, ps->tvb, toff, tlen, &ds->walk);
        }
        break;
    }
    default:
        break;
    }
}

void imap_render_server_line(imap_render *rd, proto_tree *t, gint off, gint len)
{
    const guint8 *p;
    imap_line_ptr(rd->tvb, off, len, &p);
    mw_imap_response r;
    mw_imap_server_line(p, (size_t)len, &r);
    switch (rd->it->line_kind) {
    case IMAP_LINE_CONTINUATION:
        render_continuation(rd, t, off, len, &r);
        break;
    case IMAP_LINE_TAGGED:
        render_tagged(rd, t, off, &r);
        break;
    case IMAP_LINE_UNTAGGED:
        render_untagged(rd, t, off, &r);
        break;
    default:
        expert_add_info(rd->ctx->pinfo, rd->line_it, &ei_imap_response_malformed);
        break;
    }
}

void imap_parse_untagged_more(imap_parse *ps, gint off, gint len)
{
    imap_walk *w = &ps->ds->walk;
    if (w->kind == IMAP_WALK_FETCH)
        imap_fetch_segment(ps->ctx, NULL, ps->tvb, off, len, w);
}

void imap_render_untagged_more(imap_render *rd, proto_tree *t, gint off, gint len, imap_walk *w)
{
    if (w->kind == IMAP_WALK_FETCH)
        imap_fetch_segment(rd->ctx, t, rd->tvb, off, len, w);
}

void imap_response_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_imap_status,
         {"Status", "mail.imap.status", FT_STRING, BASE_NONE, NULL, 0x0,
          "OK, NO or BAD of a tagged completion", HFILL}},
        {&hf_imap_untagged,
         {"Untagged response", "mail.imap.untagged", FT_STRING, BASE_NONE, NULL, 0x0,
          "The keyword of an untagged response", HFILL}},
        {&hf_imap_continuation,
         {"Continuation request", "mail.imap.continuation", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_imap_continuation_for,
         {"Continues the command in frame", "mail.imap.continuation.for",
          FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_resp_number,
         {"Message number", "mail.imap.msn", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_resp_text,
         {"Text", "mail.imap.text", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_code,
         {"Response code", "mail.imap.response_code", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_imap_code_args,
         {"Arguments", "mail.imap.response_code.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_imap_code_value,
         {"Value", "mail.imap.response_code.value", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_exists,
         {"Messages in the mailbox", "mail.imap.exists", FT_UINT64, BASE_DEC, NULL, 0x0, NULL,
          HFILL}},
        {&hf_imap_recent,
         {"Recent messages", "mail.imap.recent", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_expunge,
         {"Expunged message number", "mail.imap.expunge", FT_UINT64, BASE_DEC, NULL, 0x0, NULL,
          HFILL}},
        {&hf_imap_list_attr,
         {"Mailbox attribute", "mail.imap.list.attribute", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_imap_list_delim,
         {"Hierarchy delimiter", "mail.imap.list.delimiter", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_imap_mbox_status_item,
         {"Status item", "mail.imap.mailbox_status.item", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_imap_mbox_status_value,
         {"Status value", "mail.imap.mailbox_status.value", FT_UINT64, BASE_DEC, NULL, 0x0,
          NULL, HFILL}},
        {&hf_imap_search_result,
         {"Search result", "mail.imap.search.result", FT_UINT64, BASE_DEC, NULL, 0x0, NULL,
          HFILL}},
        {&hf_imap_search_count,
         {"Numbers in the response", "mail.imap.search.count", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Numbers of the whole SEARCH or SORT line, however long, at its last segment", HFILL}},
        {&hf_imap_search_sofar,
         {"Numbers so far", "mail.imap.search.count_so_far", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Numbers of the SEARCH or SORT line up to the end of this fragment", HFILL}},
        {&hf_imap_search_more,
         {"Numbers not shown as items", "mail.imap.search.not_shown", FT_UINT64, BASE_DEC, NULL,
          0x0, "Numbers past the first 100 of the line: counted, not listed", HFILL}},
        {&hf_esearch_min, {"MIN", "mail.imap.esearch.min", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_esearch_max, {"MAX", "mail.imap.esearch.max", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_esearch_count,
         {"COUNT", "mail.imap.esearch.count", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_esearch_all,
         {"ALL", "mail.imap.esearch.all", FT_STRING, BASE_NONE, NULL, 0x0,
          "The matching messages as a sequence set", HFILL}},
        {&hf_esearch_modseq,
         {"MODSEQ", "mail.imap.esearch.modseq", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_esearch_tag,
         {"Search tag", "mail.imap.esearch.tag", FT_STRING, BASE_NONE, NULL, 0x0,
          "The tag of the command the ESEARCH answers", HFILL}},
        {&hf_id_key, {"ID field", "mail.imap.id.key", FT_STRING, BASE_NONE, NULL, 0x0,
                      "A field name of the ID command or response (RFC 2971): the client's or "
                      "the server's identity", HFILL}},
        {&hf_id_value, {"ID value", "mail.imap.id.value", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_ns_personal,
         {"Personal namespace", "mail.imap.namespace.personal", FT_STRING, BASE_NONE, NULL, 0x0,
          "Prefix of a personal namespace", HFILL}},
        {&hf_ns_other,
         {"Other users' namespace", "mail.imap.namespace.other", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_ns_shared,
         {"Shared namespace", "mail.imap.namespace.shared", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_ns_delim,
         {"Hierarchy delimiter", "mail.imap.namespace.delimiter", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_enabled,
         {"Enabled", "mail.imap.enabled", FT_STRING, BASE_NONE, NULL, 0x0,
          "A capability the ENABLED response turns on", HFILL}},
        {&hf_vanished,
         {"Vanished UIDs", "mail.imap.vanished", FT_STRING, BASE_NONE, NULL, 0x0,
          "UIDs expunged (QRESYNC VANISHED)", HFILL}},
        {&hf_vanished_earlier,
         {"Vanished earlier", "mail.imap.vanished.earlier", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "VANISHED (EARLIER): expunged before this session resynchronised", HFILL}},
        {&hf_highestmodseq,
         {"HIGHESTMODSEQ", "mail.imap.highestmodseq", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_modified,
         {"Modified (not stored)", "mail.imap.modified", FT_STRING, BASE_NONE, NULL, 0x0,
          "The MODIFIED response code's messages (CONDSTORE)", HFILL}},
        {&hf_imap_esearch_item,
         {"ESEARCH result", "mail.imap.esearch.item", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_imap_data,
         {"Data", "mail.imap.data", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_imap_status_bad,
         {"mail.imap.status.bad", PI_PROTOCOL, PI_WARN,
          "BAD: the server rejected a command as a protocol error", EXPFILL}},
        {&ei_imap_response_malformed,
         {"mail.imap.response.malformed", PI_MALFORMED, PI_WARN,
          "Not a server line: neither untagged, continuation nor tagged completion", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

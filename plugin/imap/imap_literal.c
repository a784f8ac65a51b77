/* IMAP literals (RFC 9051 section 4.3, RFC 7888 LITERAL+/LITERAL-, RFC 3516
 * literal8): the header that ends a text line, then exactly n octets,
 * consumed per call as they come.  Message literals (FETCH BODY[], RFC822,
 * BINARY[], APPEND) and header blocks are collected once into a buffer of
 * their declared size and handed at their last octet to the shared message
 * tree (message_tree.h): mail.header.* fields, then the IMF dissector. */
#include <wireshark.h>
#include <epan/expert.h>

#include "imap/imap.h"
#include "mail/trace_fields.h"
#include "mail/tap.h"
#include "mail/dkim_fields.h"
#include "mail/keep.h"
#include "mail/lineitem.h"
#include "mail/message_tree.h"
#include "mail/parts.h"
#include "mail/walk.h"
#include "engine/heap.h"

static int hf_imap_literal = -1;
static int hf_imap_literal_size = -1;
static int hf_imap_literal_type = -1;
static int hf_imap_literal_use = -1;
static int hf_imap_literal_offset = -1;
static int hf_imap_literal_header_in = -1;
static int hf_imap_literal_end_in = -1;
static int hf_imap_literal_text = -1;

/* Octets of a literal shown as text per frame: enough to read a header or a
 * line, bounded so a large message costs no large string. */
#define IMAP_LITERAL_TEXT_MAX 1024
static expert_field ei_imap_literal_size = EI_INIT;
static expert_field ei_imap_literal_truncated = EI_INIT;
static expert_field ei_imap_literal_minus = EI_INIT;
static expert_field ei_imap_literal_lost = EI_INIT;
static expert_field ei_imap_literal_too_big = EI_INIT;

static const char *const use_names[] = {
    [IMAP_LIT_STRING] = "string", [IMAP_LIT_MESSAGE] = "message",
    [IMAP_LIT_HEADER] = "header fields", [IMAP_LIT_TEXT] = "body text",
    [IMAP_LIT_PART] = "body part", [IMAP_LIT_MIME] = "MIME header",
    [IMAP_LIT_USERNAME] = "user name", [IMAP_LIT_PASSWORD] = "password",
};

static gboolean use_is_message(imap_lit_use use)
{
    return use == IMAP_LIT_MESSAGE || use == IMAP_LIT_HEADER || use == IMAP_LIT_MIME;
}

static const char *lit_type_name(const mw_imap_lit *lit)
{
    if (lit->binary)
        return "binary";
    switch (lit->sync) {
    case MW_IMAP_LIT_PLUS: return "non-sync-plus";
    case MW_IMAP_LIT_MINUS: return "non-sync-minus";
    default: return "sync";
    }
}

static void add_size_type(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint hoff, const mw_imap_lit *lit,
                          proto_item **size_it)
{
    *size_it = proto_tree_add_uint64(t, hf_imap_literal_size, tvb, hoff, (gint)lit->len, lit->size);
    proto_tree_add_string(t, hf_imap_literal_type, tvb, hoff, (gint)lit->len, lit_type_name(lit));
    (void)ctx;
}

/* Hand a collected message, header block or MIME header to the shared
 * message tree: mail.header.* fields, then IMF. */
static void imap_message_handoff(mw_ctx *ctx, tvbuff_t *tvb, proto_tree *t, const imap_lit_rec *r)
{
    const guint8 *data = mw_keep_bytes(ctx->pinfo, r->kept);
    if (!data) {
        gboolean whole = r->use == IMAP_LIT_MESSAGE;
        if (whole)
            mail_trace_add_dropped(tvb, ctx->pinfo, t);
        mw_keep_show_dropped(t, tvb, ctx->pinfo, r->kept, r->core->size);
        if (whole) {
            mail_parts_show_dropped(tvb, ctx->pinfo, t, (guint)r->core->size);
            mail_dkim_dropped(tvb, ctx->pinfo, t);
        }
        return;
    }
    tvbuff_t *mt = mail_message_tvb(tvb, ctx->pinfo, data, (guint)r->core->size);
    if (r->use == IMAP_LIT_MESSAGE)
        mail_message_add(mt, ctx->pinfo, t, NULL);
    else
        mail_message_add_part(mt, ctx->pinfo, t, NULL);
}

/* The literal header that ends a text line: what the literal holds (from
 * the walk over the line), and a buffer when its octets are kept. */
void imap_parse_literal_header(imap_parse *ps, imap_item *it, mw_imap_literal_rec *core,
                               imap_lit_use use, const char *label)
{
    imap_dir *ds = ps->ds;
    imap_lit_rec *r = mw_arena_new0(imap_lit_rec);
    r->core = core;
    r->use = use;
    r->label = label;
    gboolean keep = use_is_message(use) ? core->size <= imap_pref_max_message
                                        : core->size <= IMAP_STRING_KEEP;
    /* a message's buffer goes to mw_keep_store_grown when complete */
    if (keep && core->size > 0)
        r->buf = use_is_message(use) ? (guint8 *)mw_keep_grow(NULL, (size_t)core->size)
                                     : (guint8 *)mw_arena_alloc0((size_t)core->size);
    core->user = r;
    it->lit = r;
    ds->lit = core->size ? r : NULL;
    ds->walk.last_lit = NULL;
}

void imap_render_literal_header(imap_render *rd, proto_tree *t)
{
    const imap_item *it = rd->it;
    mw_ctx *ctx = rd->ctx;
    tvbuff_t *tvb = rd->tvb;
    const guint8 *p;
    gint len = imap_line_ptr(tvb, it->l.offset, (gint)it->l.line.len, &p);
    mw_imap_lit lit;
    if (mw_imap_literal_header(p, (size_t)len, imap_pref_max_literal, &lit) == MW_IMAP_LIT_ABSENT)
        return;
    gint hoff = it->l.offset + (gint)lit.off;
    proto_item *size_it;
    if (lit.status != MW_IMAP_LIT_OK || !it->lit) {
        proto_item *si = proto_tree_add_uint64(t, hf_imap_literal_size, tvb, hoff, (gint)lit.len,
                                               lit.size);
        proto_item_set_text(si, "Literal size: %s (%s)",
                            mw_tvb_format_text(ctx->pinfo->pool, tvb, hoff, (gint)lit.len),
                            mw_imap_lit_status_name(lit.status));
        expert_add_info_format(ctx->pinfo, si, &ei_imap_literal_size,
                               "Literal size %s cannot be right (%s): not followed, dissection "
                               "goes on with the next line",
                               mw_tvb_format_text(ctx->pinfo->pool, tvb, hoff, (gint)lit.len),
                               mw_imap_lit_status_name(lit.status));
        return;
    }
    const imap_lit_rec *r = it->lit;
    add_size_type(ctx, t, tvb, hoff, &lit, &size_it);
    proto_item *u = proto_tree_add_string(t, hf_imap_literal_use, tvb, hoff, (gint)lit.len,
                                          r->label ? r->label : use_names[r->use]);
    proto_item_set_generated(u);
    if (lit.sync == MW_IMAP_LIT_MINUS && lit.size > MW_IMAP_LITERAL_MINUS_MAX)
        expert_add_info(ctx->pinfo, size_it, &ei_imap_literal_minus);
    if (use_is_message(r->use) && lit.size > imap_pref_max_message)
        expert_add_info(ctx->pinfo, size_it, &ei_imap_literal_too_big);
    const mw_imap_literal_rec *c = r->core;
    if (c->end_frame && c->end_frame != ctx->pinfo->num) {
        proto_item *e = proto_tree_add_uint(t, hf_imap_literal_end_in, tvb, hoff, 0, c->end_frame);
        proto_item_set_generated(e);
    } else if (imap_capture_read() && !c->end_frame && !c->cancelled && c->size > 0) {
        expert_add_info_format(ctx->pinfo, size_it, &ei_imap_literal_truncated,
                               "The capture ends inside this literal: %" G_GUINT64_FORMAT
                               " of %" G_GUINT64_FORMAT " octets seen", c->seen, c->size);
    }
}

/* Literal octets (part or all of what is left): kept when the literal's
 * octets are collected. */
void imap_parse_literal_body(imap_parse *ps, const mw_imap_rec *rec)
{
    imap_dir *ds = ps->ds;
    imap_lit_rec *r = rec->literal ? (imap_lit_rec *)rec->literal->user : NULL;
    imap_item it;
    memset(&it, 0, sizeof it);
    it.kind = IMAP_ITEM_LITERAL;
    it.off = (gint)rec->off;
    it.len = (gint)rec->len;
    it.lit = r;
    it.lit_left = rec->lit_left;
    it.lit_at = rec->lit_at;
    if (r && r->buf && !r->core->broken)
        tvb_memcpy(ps->tvb, r->buf + rec->lit_at, it.off, (size_t)it.len);
    imap_lit_use use = r ? r->use : IMAP_LIT_STRING;
    if ((use == IMAP_LIT_USERNAME || use == IMAP_LIT_PASSWORD) && rec->lit_end)
        imap_parse_login_literal(ps, &it, it.off, it.len);
    if (rec->lit_end) {
        ds->lit = NULL;
        if (r && r->buf && !r->core->broken && use_is_message(use) &&
            r->core->size <= G_MAXUINT32) {
            /* whole: stored once (or only shown now), as mail.message.keep says */
            r->kept = mw_keep_store_grown(ps->ctx->pinfo, r->buf, (guint32)r->core->size,
                                    use == IMAP_LIT_MESSAGE);
            r->buf = NULL;
            if (use == IMAP_LIT_MESSAGE) /* parts and copies, once, from the bytes as kept */
                mail_walk_note(ps->ctx, mw_keep_bytes(ps->ctx->pinfo, r->kept),
                               (guint)r->core->size);
        }
        ds->walk.last_lit = r && r->buf && !r->core->broken ? r : NULL;
    }
    wmem_array_append_one(ps->items, it);
}

void imap_render_literal_body(imap_render *rd)
{
    const imap_item *li = rd->it;
    mw_ctx *ctx = rd->ctx;
    tvbuff_t *tvb = rd->tvb;
    const imap_lit_rec *r = li->lit;
    gint offset = li->off, take = li->len;
    guint64 size = r ? r->core->size : li->lit_left + li->lit_at, at = li->lit_at;
    imap_lit_use use = r ? r->use : IMAP_LIT_STRING;
    rd->user = li->user;
    rd->user_frame = li->user_frame;
    proto_item *it = proto_tree_add_item(ctx->tree, hf_imap_literal, tvb, offset, take, ENC_NA);
    proto_item_set_text(it, "Literal %s (%s%s%s): octets %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                        " of %" G_GUINT64_FORMAT, use_names[use],
                        r && r->label ? r->label : "", r && r->label ? ", " : "",
                        ctx->dir == MW_DIR_CLIENT ? "client" : "server", at,
                        at + (guint64)take - 1, size);
    rd->line_it = it;
    proto_tree *lt = proto_item_add_subtree(it, ett_imap_item);
    proto_item *o = proto_tree_add_uint64(lt, hf_imap_literal_offset, tvb, offset, 0, at);
    proto_item_set_generated(o);
    if (take > 0) {
        gint tl = MIN(take, IMAP_LITERAL_TEXT_MAX);
        proto_item *ti = mw_add_bytes_text(ctx->pinfo, lt, hf_imap_literal_text, tvb, offset, tl);
        if (ti && tl < take)
            proto_item_append_text(ti, " [the first %d of %d octets here]", tl, take);
    }
    gboolean ends = (guint64)take == li->lit_left;
    /* A user name or password is shown whole where it ends. */
    if ((use == IMAP_LIT_USERNAME || use == IMAP_LIT_PASSWORD) && ends) {
        gboolean whole = r && r->buf && !r->core->broken;
        imap_render_login_literal(rd, lt, offset, take, whole ? r->buf : NULL,
                                  whole ? r->core->size : 0);
    }
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: literal %s, %d octets",
                        ctx->dir == MW_DIR_CLIENT ? "C" : "S", use_names[use], take);
    if (ends) {
        if (!r)
            return;
        if (r->core->header_frame != ctx->pinfo->num) {
            proto_item *h = proto_tree_add_uint(lt, hf_imap_literal_header_in, tvb, 0, 0,
                                                r->core->header_frame);
            proto_item_set_generated(h);
        }
        if (r->core->broken) {
            expert_add_info(ctx->pinfo, it, &ei_imap_literal_lost);
            return;
        }
        if (r->kept)
            imap_message_handoff(ctx, tvb, ctx->tree, r);
    } else if (r && r->core->end_frame) {
        proto_item *e = proto_tree_add_uint(lt, hf_imap_literal_end_in, tvb, offset, 0,
                                            r->core->end_frame);
        proto_item_set_generated(e);
    }
}

void imap_literal_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_imap_literal,
         {"Literal data", "mail.imap.literal", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_literal_size,
         {"Literal size", "mail.imap.literal.size", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Octets the literal header declares", HFILL}},
        {&hf_imap_literal_type,
         {"Literal type", "mail.imap.literal.type", FT_STRING, BASE_NONE, NULL, 0x0,
          "sync {n}, non-sync-plus {n+}, non-sync-minus {n-}, binary ~{n}", HFILL}},
        {&hf_imap_literal_use,
         {"Literal holds", "mail.imap.literal.holds", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the literal's octets are, from the item or argument it is the value of", HFILL}},
        {&hf_imap_literal_offset,
         {"Offset in the literal", "mail.imap.literal.offset", FT_UINT64, BASE_DEC, NULL, 0x0,
          NULL, HFILL}},
        {&hf_imap_literal_header_in,
         {"Literal announced in frame", "mail.imap.literal.header_in", FT_FRAMENUM, BASE_NONE,
          NULL, 0x0, NULL, HFILL}},
        {&hf_imap_literal_end_in,
         {"Literal ends in frame", "mail.imap.literal.end_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_imap_literal_text,
         {"Text", "mail.imap.literal.text", FT_STRING, BASE_NONE, NULL, 0x0,
          "The literal's octets in this frame as text (escaped where not printable; the first "
          "1024 octets of a frame)", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_imap_literal_size,
         {"mail.imap.literal.size.invalid", PI_MALFORMED, PI_ERROR,
          "Literal size out of any sane range: not counted, dissection goes on line by line",
          EXPFILL}},
        {&ei_imap_literal_truncated,
         {"mail.imap.literal.truncated", PI_MALFORMED, PI_WARN,
          "The capture ends inside this literal", EXPFILL}},
        {&ei_imap_literal_minus,
         {"mail.imap.literal.nonsync_too_big", PI_PROTOCOL, PI_WARN,
          "LITERAL- allows non-synchronizing literals of 4096 octets at most", EXPFILL}},
        {&ei_imap_literal_lost,
         {"mail.imap.literal.lost", PI_SEQUENCE, PI_WARN,
          "Bytes of this literal are missing from the capture: the message is not dissected",
          EXPFILL}},
        {&ei_imap_literal_too_big,
         {"mail.imap.literal.not_collected", PI_UNDECODED, PI_NOTE,
          "Message literal larger than the collection limit preference: shown as bytes only",
          EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

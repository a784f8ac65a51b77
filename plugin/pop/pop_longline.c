/* POP3 lines over their limits (RFC 2449 4: a command line is at most 255
 * octets with its CRLF, the first line of a response 512), and lines longer
 * than the engine's carry limit, which the session machine reads in pieces:
 * the first is dissected as what it is (command, response, body line), the
 * later ones are counted and shown in part (items MW_POP_ITEM_LINE_REST),
 * and the last gives the whole line's length, which the first shows too.
 */
#include <wireshark.h>
#include <epan/expert.h>

#include "mail/lineitem.h"
#include "pop/pop.h"

static int ett_pop_line_rest = -1;

static int hf_pop_line_length = -1;
static int hf_pop_line_ends_in = -1;
static int hf_pop_line_began_in = -1;
static int hf_pop_line_rest = -1;

static expert_field ei_pop_command_too_long = EI_INIT;
static expert_field ei_pop_response_too_long = EI_INIT;

static guint32 saturate(guint64 v)
{
    return v > G_MAXUINT32 ? G_MAXUINT32 : (guint32)v;
}

/* The RFC 2449 limit of a line whose first piece is of kind (0: none). */
static guint64 limit_of(guint8 kind)
{
    switch (kind) {
    case MW_POP_ITEM_COMMAND: return 255;
    case MW_POP_ITEM_RESPONSE: return 512;
    default: return 0;
    }
}

static const char *label_of(guint8 kind)
{
    switch (kind) {
    case MW_POP_ITEM_COMMAND: return "Command line";
    case MW_POP_ITEM_SASL: return "SASL response";
    case MW_POP_ITEM_RESPONSE: return "Status line";
    default: return "Body line";
    }
}

static void show_length(mw_ctx *ctx, proto_tree *t, proto_item *anchor, tvbuff_t *tvb, gint off,
                        gint len, guint8 kind, guint64 total)
{
    proto_item *n = proto_tree_add_uint(t, hf_pop_line_length, tvb, off, len, saturate(total));
    proto_item_set_generated(n);
    guint64 limit = limit_of(kind);
    if (!limit || total <= limit)
        return;
    if (kind == MW_POP_ITEM_COMMAND)
        expert_add_info_format(ctx->pinfo, anchor, &ei_pop_command_too_long,
                               "Command line of %" G_GUINT64_FORMAT " octets with its line end, "
                               "over the 255 of RFC 2449 4: servers may refuse or cut it", total);
    else
        expert_add_info_format(ctx->pinfo, anchor, &ei_pop_response_too_long,
                               "Status line of %" G_GUINT64_FORMAT " octets with its line end, "
                               "over the 512 of RFC 2449 4: clients may refuse or cut it", total);
}

void pop_longline_show(mw_ctx *ctx, proto_tree *t, proto_item *anchor, tvbuff_t *tvb,
                       const mw_pop_item *it)
{
    if (it->longline) {
        /* the first piece: the line's length and end, once the first pass
         * has seen them */
        if (it->longline->end_frame) {
            proto_item *n = proto_tree_add_uint(t, hf_pop_line_length, tvb, 0, 0,
                                                saturate(it->longline->length));
            proto_item_set_generated(n);
            n = proto_tree_add_uint(t, hf_pop_line_ends_in, tvb, 0, 0, it->longline->end_frame);
            proto_item_set_generated(n);
        }
        return;
    }
    guint64 total = (guint64)it->line.len + it->line.eol_len;
    guint64 limit = limit_of(it->kind);
    if (!it->fragment && limit && total > limit)
        show_length(ctx, t, anchor, tvb, (gint)it->off, (gint)total, it->kind, total);
}

void pop_render_line_rest(mw_ctx *ctx, const mw_pop_item *r, tvbuff_t *tvb)
{
    mw_line_at l;
    pop_item_line(r, &l);
    gint len = (gint)r->line.len, full = len + (gint)r->line.eol_len;
    const char *what = label_of(r->state);
    proto_item *it = proto_tree_add_item(ctx->tree, hf_pop_line_rest, tvb, l.offset, full, ENC_NA);
    proto_item_set_text(it, "%s continued (from frame %u): %s", what, r->n,
                        mw_line_text_cut(ctx, tvb, l.offset, len));
    proto_tree *t = proto_item_add_subtree(it, ett_pop_line_rest);
    proto_item *b = proto_tree_add_uint(t, hf_pop_line_began_in, tvb, 0, 0, r->n);
    proto_item_set_generated(b);
    gboolean client = ctx->dir == MW_DIR_CLIENT;
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: [%s continued, %d octets%s]",
                        client ? "C" : "S", what, len, r->fragment ? "" : ", its end");
    mw_add_line_facts(ctx, t, tvb, &l);
    if (!r->fragment && r->longline)
        show_length(ctx, t, it, tvb, l.offset, full, r->state, r->longline->length);
}

void pop_longline_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_pop_line_length,
         {"Line length", "mail.pop.line.length", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Octets of the whole line with its line end: on command and status lines over the "
          "RFC 2449 limit and on the first and last pieces of a line longer than 64 KiB", HFILL}},
        {&hf_pop_line_ends_in,
         {"Line ends in frame", "mail.pop.line.ends_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "On the first piece of a line longer than 64 KiB: where its last piece is", HFILL}},
        {&hf_pop_line_began_in,
         {"Line began in frame", "mail.pop.line.began_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "On a later piece of a line longer than 64 KiB: where the line (its command, status "
          "or body line) is", HFILL}},
        {&hf_pop_line_rest,
         {"Line continued", "mail.pop.line.rest", FT_NONE, BASE_NONE, NULL, 0x0,
          "A later piece of a line longer than 64 KiB, shown in part", HFILL}},
    };
    static gint *ett[] = {&ett_pop_line_rest};
    static ei_register_info ei[] = {
        {&ei_pop_command_too_long,
         {"mail.pop.command.too_long", PI_PROTOCOL, PI_WARN,
          "Command line over 255 octets (RFC 2449 4): servers may refuse or cut it", EXPFILL}},
        {&ei_pop_response_too_long,
         {"mail.pop.response.too_long", PI_PROTOCOL, PI_WARN,
          "Status line over 512 octets (RFC 2449 4): clients may refuse or cut it", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

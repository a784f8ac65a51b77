/* Tree items shared by the line-based dissectors: see lineitem.h. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/strutil.h>

#include "engine/text.h"
#include "mail/lineitem.h"
#include "mail/tap.h"

static int hf_line_eol = -1;
static int hf_line_fragment = -1;
static expert_field ei_line_bare_lf = EI_INIT;
static expert_field ei_line_bare_cr_end = EI_INIT;
static expert_field ei_line_bare_cr = EI_INIT;
static expert_field ei_line_nul = EI_INIT;
static expert_field ei_line_ctrl = EI_INIT;
static expert_field ei_line_fragment = EI_INIT;

proto_item *mw_add_line_facts(mw_ctx *ctx, proto_tree *tree, tvbuff_t *tvb, const mw_line_at *l)
{
    proto_item *eol = NULL;
    gint end = l->offset + (gint)l->line.len;
    if (l->fragment) {
        proto_item *f = proto_tree_add_boolean(tree, hf_line_fragment, tvb, l->offset,
                                               (gint)l->line.len, TRUE);
        proto_item_set_generated(f);
        mw_expert(ctx->pinfo, f, &ei_line_fragment);
    }
    if (l->line.eol != MW_EOL_NONE) {
        eol = proto_tree_add_string(tree, hf_line_eol, tvb, end, (gint)l->line.eol_len,
                                    mw_eol_name(l->line.eol));
        if (l->line.eol == MW_EOL_LF)
            mw_expert(ctx->pinfo, eol, &ei_line_bare_lf);
        else if (l->line.eol == MW_EOL_CR)
            mw_expert(ctx->pinfo, eol, &ei_line_bare_cr_end);
    }
    proto_item *anchor = eol ? eol : proto_tree_get_parent(tree);
    if (l->line.flags & MW_LINE_BARE_CR)
        mw_expert(ctx->pinfo, anchor, &ei_line_bare_cr);
    if (l->line.flags & MW_LINE_NUL)
        mw_expert(ctx->pinfo, anchor, &ei_line_nul);
    if (l->line.flags & MW_LINE_CTRL)
        mw_expert(ctx->pinfo, anchor, &ei_line_ctrl);
    return eol;
}

const char *mw_line_text(mw_ctx *ctx, tvbuff_t *tvb, gint offset, gint len)
{
    return mw_tvb_format_text(ctx->pinfo->pool, tvb, offset, len);
}

proto_item *mw_add_bytes_text(packet_info *pinfo, proto_tree *tree, int hf, tvbuff_t *tvb,
                              gint offset, gint len)
{
    if (!proto_field_is_referenced(tree, hf))
        return NULL;
    return mw_tree_add_text(pinfo->pool, tree, hf, tvb, offset, len);
}

const char *mw_line_text_cut(mw_ctx *ctx, tvbuff_t *tvb, gint offset, gint len)
{
    if (len <= MW_LINE_SHOW_OVER)
        return mw_line_text(ctx, tvb, offset, len);
    return wmem_strdup_printf(ctx->pinfo->pool, "%s... [+%d octets]",
                              mw_line_text(ctx, tvb, offset, MW_LINE_SHOW), len - MW_LINE_SHOW);
}

void mw_lineitem_register(int proto_mail)
{
    static hf_register_info hf[] = {
        {&hf_line_eol,
         {"Line end", "mail.line.eol", FT_STRING, BASE_NONE, NULL, 0x0,
          "How the line ended: CRLF (correct), LF or CR (bare)", HFILL}},
        {&hf_line_fragment,
         {"Over-long line fragment", "mail.line.fragment", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Part of a line longer than the dissector joins across segments", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_line_bare_lf,
         {"mail.line.bare_lf", PI_PROTOCOL, PI_WARN,
          "Line ends in a bare LF: the protocol requires CRLF; lenient receivers accept it",
          EXPFILL}},
        {&ei_line_bare_cr_end,
         {"mail.line.bare_cr_end", PI_PROTOCOL, PI_WARN,
          "Line ends in a bare CR: some receivers take it as a line end, others as data",
          EXPFILL}},
        {&ei_line_bare_cr,
         {"mail.line.bare_cr", PI_PROTOCOL, PI_WARN,
          "Bare CR inside the line: receivers disagree on whether it ends the line", EXPFILL}},
        {&ei_line_nul,
         {"mail.line.nul", PI_MALFORMED, PI_WARN,
          "NUL byte inside the line: some receivers strip it, some cut the line there",
          EXPFILL}},
        {&ei_line_ctrl,
         {"mail.line.control", PI_MALFORMED, PI_NOTE, "Control bytes inside the line", EXPFILL}},
        {&ei_line_fragment,
         {"mail.line.too_long", PI_MALFORMED, PI_WARN,
          "Line longer than 64 KiB: read in pieces, parsed whole, shown in part", EXPFILL}},
    };
    proto_register_field_array(proto_mail, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto_mail);
    expert_register_field_array(em, ei, array_length(ei));
}

/* The length of IMAP lines: lines longer than the engine's carry limit come
 * in pieces (a "* SEARCH" of tens of thousands of numbers, a FETCH of
 * thousands of items); the first piece learns the whole line's length and
 * the frame of its last piece once the first pass has read it, every later
 * piece the frame where the line began, and the last the length.  Lines of
 * one piece show their length only when over 8192 octets, the command line
 * length RFC 7162 4 asks servers to accept and clients to stay under.
 */
#include <wireshark.h>

#include "imap/imap.h"

/* RFC 7162 4 (updating RFC 3501): command lines of about 8192 octets. */
#define IMAP_LINE_LONG 8192

static int hf_imap_line_length = -1;
static int hf_imap_line_ends_in = -1;
static int hf_imap_line_began_in = -1;

static guint32 saturate(guint64 v)
{
    return v > G_MAXUINT32 ? G_MAXUINT32 : (guint32)v;
}

void imap_parse_longline(imap_parse *ps, imap_item *it)
{
    imap_dir *ds = ps->ds;
    const mw_line_at *l = &it->l;
    if (!l->continued) {
        ds->ll = NULL;
        if (!l->fragment)
            return;
        ds->ll = wmem_new0(wmem_file_scope(), imap_linelen);
        ds->ll->first_frame = ps->ctx->pinfo->num;
        ds->ll_len = l->line.len;
        it->ll = ds->ll;
        return;
    }
    if (!ds->ll)
        return; /* the line began before lost bytes or before the capture */
    ds->ll_len += l->line.len;
    it->ll = ds->ll;
    if (!l->fragment) {
        ds->ll->length = ds->ll_len + l->line.eol_len;
        ds->ll->end_frame = ps->ctx->pinfo->num;
        ds->ll = NULL;
    }
}

void imap_longline_gap(imap_dir *ds)
{
    ds->ll = NULL;
}

void imap_render_longline(imap_render *rd, proto_tree *t)
{
    const imap_item *ii = rd->it;
    const mw_line_at *l = &ii->l;
    tvbuff_t *tvb = rd->tvb;
    gint full = (gint)l->line.len + (gint)l->line.eol_len;
    proto_item *n;
    if (!ii->ll) {
        if (l->fragment || l->continued || (guint64)full <= IMAP_LINE_LONG)
            return;
        n = proto_tree_add_uint(t, hf_imap_line_length, tvb, l->offset, full, (guint32)full);
        proto_item_set_generated(n);
        return;
    }
    const imap_linelen *ll = ii->ll;
    if (l->continued) {
        n = proto_tree_add_uint(t, hf_imap_line_began_in, tvb, 0, 0, ll->first_frame);
        proto_item_set_generated(n);
    }
    /* the first piece knows the end once the first pass has read it */
    if (!ll->end_frame || (l->continued && l->fragment))
        return;
    n = proto_tree_add_uint(t, hf_imap_line_length, tvb, l->offset, full, saturate(ll->length));
    proto_item_set_generated(n);
    if (!l->continued) {
        n = proto_tree_add_uint(t, hf_imap_line_ends_in, tvb, 0, 0, ll->end_frame);
        proto_item_set_generated(n);
    }
}

void imap_longline_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_imap_line_length,
         {"Line length", "mail.imap.line.length", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Octets of the whole line with its line end: on lines over 8192 octets (RFC 7162 4) "
          "and on the first and last pieces of a line longer than 64 KiB", HFILL}},
        {&hf_imap_line_ends_in,
         {"Line ends in frame", "mail.imap.line.ends_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "On the first piece of a line longer than 64 KiB: where its last piece is", HFILL}},
        {&hf_imap_line_began_in,
         {"Line began in frame", "mail.imap.line.began_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "On a later piece of a line longer than 64 KiB: where the line (its command or "
          "response) is", HFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
}

/* Tree items shared by the line-based dissectors: how a line ended and what
 * is odd inside it. */
#ifndef MAILWIRE_LINEITEM_H
#define MAILWIRE_LINEITEM_H

#include <epan/packet.h>

#include "engine/stream.h"
#include "engine/text.h"

/* Add the line's end (mail.line.eol) and expert infos for its anomalies
 * (bare LF/CR end, bare CR, NUL or control bytes inside, over-long fragment)
 * under tree.  Returns the eol item (NULL when the line has no end). */
proto_item *mw_add_line_facts(mw_ctx *ctx, proto_tree *tree, tvbuff_t *tvb, const mw_line_at *l);

/* The line's text for columns and labels, printable, in packet scope. */
const char *mw_line_text(mw_ctx *ctx, tvbuff_t *tvb, gint offset, gint len);

/* Long lines are parsed whole but shown in part: in labels and columns a
 * line (or piece of one) longer than MW_LINE_SHOW_OVER octets shows its first
 * MW_LINE_SHOW octets and how many more there are.  Field values of whole
 * lines stay whole (filters see them); those of the pieces of a line over
 * 64 KiB are cut the same way. */
#define MW_LINE_SHOW 256
#define MW_LINE_SHOW_OVER 1024
/* mw_line_text, cut as above: "first octets... [+N octets]". */
const char *mw_line_text_cut(mw_ctx *ctx, tvbuff_t *tvb, gint offset, gint len);

/* A string field hf whose value is the bytes tvb[offset, offset+len) as
 * printable text, in packet scope.  Added only where a tree shows it or a
 * filter, column or -e reads it: the first pass without a tree does not
 * escape bulk data (message bodies, literals) only to throw the text away.
 * Returns the item, or NULL. */
proto_item *mw_add_bytes_text(packet_info *pinfo, proto_tree *tree, int hf, tvbuff_t *tvb,
                              gint offset, gint len);

void mw_lineitem_register(int proto_mail);

#endif

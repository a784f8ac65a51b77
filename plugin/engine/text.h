/* Bytes as printable text: what Wireshark's format_text gives (control
 * bytes escaped, UTF-8 kept where printable), faster for ASCII on releases
 * whose labels escape whole values (plugin/compat.h, MW_OWN_TEXT_FORMAT). */
#ifndef MAILWIRE_ENGINE_TEXT_H
#define MAILWIRE_ENGINE_TEXT_H

#include <epan/packet.h>

/* The text of p[0..n), in pool. */
const char *mw_format_text(wmem_allocator_t *pool, const guint8 *p, size_t n);
/* The text of tvb[offset, offset+len), in pool. */
const char *mw_tvb_format_text(wmem_allocator_t *pool, tvbuff_t *tvb, gint offset, gint len);

/* A string field hf over tvb[offset, offset+len) whose value is the text of
 * those bytes (in pool) and whose label is the one Wireshark would give it. */
proto_item *mw_tree_add_text(wmem_allocator_t *pool, proto_tree *tree, int hf, tvbuff_t *tvb,
                             gint offset, gint len);

#endif

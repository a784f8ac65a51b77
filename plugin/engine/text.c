/* Printable text of bytes: see text.h. */
#include <wireshark.h>
#include <epan/proto.h>
#include <epan/strutil.h>

#include "core/text/escape.h"
#include "engine/text.h"

#if MW_OWN_TEXT_FORMAT
/* The escaped ASCII text of p[0..n), or NULL (a byte of 0x80 or more, or
 * more escapes than mail text has). */
static char *ascii_text(wmem_allocator_t *pool, const guint8 *p, size_t n, size_t *out_len)
{
    size_t room = MW_ESCAPE_ROOM(n);
    char *out = (char *)wmem_alloc(pool, room);
    *out_len = mw_escape_ascii(p, n, out, room);
    if (*out_len != MW_ESCAPE_UNDONE)
        return out;
    wmem_free(pool, out);
    return NULL;
}
#endif

const char *mw_format_text(wmem_allocator_t *pool, const guint8 *p, size_t n)
{
#if MW_OWN_TEXT_FORMAT
    size_t len;
    const char *text = ascii_text(pool, p, n, &len);
    if (text)
        return text;
#endif
    return (const char *)format_text(pool, p, n);
}

const char *mw_tvb_format_text(wmem_allocator_t *pool, tvbuff_t *tvb, gint offset, gint len)
{
    return mw_format_text(pool, tvb_get_ptr(tvb, offset, len), (size_t)len);
}

#if MW_OWN_TEXT_FORMAT
/* A string field whose value is printable ASCII, with the label Wireshark
 * would give it.  Its own label code formats the whole value again (which
 * leaves printable ASCII as it is) before keeping ITEM_LABEL_LENGTH octets of
 * it; on a body of many kilobytes that is most of the item's cost.  Same
 * label: "name: value"; when that does not fit, " [truncated]" after the
 * name and the whole cut to 238 octets, where Wireshark cuts it. */
static proto_item *add_ascii_string(proto_tree *tree, int hf, tvbuff_t *tvb, gint offset,
                                    gint len, const char *value, size_t value_len)
{
    static const char mark[] = " [truncated]";
    const char *name = proto_registrar_get_name(hf);
    size_t name_len = strlen(name);
    if (name_len + 2 + value_len < ITEM_LABEL_LENGTH)
        return proto_tree_add_string_format(tree, hf, tvb, offset, len, value, "%s: %s", name,
                                            value);
    /* the cut label: name, mark, ": ", value, 238 octets in all */
    size_t room = ITEM_LABEL_LENGTH - 2;
    if (name_len + sizeof mark - 1 + 2 > room)
        return proto_tree_add_string(tree, hf, tvb, offset, len, value);
    int shown = (int)(room - name_len - (sizeof mark - 1) - 2);
    return proto_tree_add_string_format(tree, hf, tvb, offset, len, value, "%s%s: %.*s", name,
                                        mark, shown, value);
}
#endif

proto_item *mw_tree_add_text(wmem_allocator_t *pool, proto_tree *tree, int hf, tvbuff_t *tvb,
                             gint offset, gint len)
{
    const guint8 *p = tvb_get_ptr(tvb, offset, len);
#if MW_OWN_TEXT_FORMAT
    size_t text_len;
    const char *text = ascii_text(pool, p, (size_t)len, &text_len);
    if (text)
        return add_ascii_string(tree, hf, tvb, offset, len, text, text_len);
#endif
    return proto_tree_add_string(tree, hf, tvb, offset, len,
                                 (const char *)format_text(pool, p, (size_t)len));
}

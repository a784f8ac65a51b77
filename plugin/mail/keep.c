#include "mail/keep.h"

#include <epan/prefs.h>

static mw_pref_bool keep_messages = TRUE;
static int hf_not_kept = -1;

gboolean mw_keep_messages(void)
{
    return keep_messages;
}

guint8 *mw_keep_fit(guint8 *buf, size_t len)
{
    /* growth doubles the buffer: give the slack back (in place for the
     * block allocator, a realloc for large ones) */
    return buf && len ? (guint8 *)wmem_realloc(wmem_file_scope(), buf, len) : buf;
}

const guint8 *mw_keep_take(packet_info *pinfo, guint8 **buf, size_t len)
{
    guint8 *b = *buf;
    if (keep_messages || !b)
        return b;
    guint8 *copy = (guint8 *)wmem_memdup(pinfo->pool, b, len);
    wmem_free(wmem_file_scope(), b);
    *buf = NULL;
    return copy;
}

void mw_keep_show_dropped(proto_tree *tree, tvbuff_t *tvb, guint64 len)
{
    proto_item *it = proto_tree_add_uint64(tree, hf_not_kept, tvb, 0, 0, len);
    proto_item_set_text(it, "Message of %" G_GUINT64_FORMAT " bytes not kept for revisits "
                            "(mail.message.keep is off)", len);
    proto_item_set_generated(it);
}

void mw_keep_register(int proto_mail)
{
    static hf_register_info hf[] = {
        {&hf_not_kept,
         {"Message bytes not kept", "mail.message.not_kept", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Size of a whole message whose bytes were freed after the first pass", HFILL}},
    };
    proto_register_field_array(proto_mail, hf, array_length(hf));
    module_t *m = prefs_register_protocol(proto_mail, NULL);
    prefs_register_bool_preference(m, "message.keep", "Keep whole messages for revisits",
                                   "Keep the bytes of each whole message after the first pass, "
                                   "for its IMF subtree on revisits and Export Objects in the GUI. "
                                   "Off: those bytes are freed once the message is shown, which "
                                   "saves about the size of all messages in memory.",
                                   &keep_messages);
}

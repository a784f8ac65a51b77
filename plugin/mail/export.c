/* Export Objects "mail" (tshark --export-objects mail,DIR; File > Export
 * Objects > mail): see export.h.  The records come from tap.c. */
#include <wireshark.h>
#include <epan/export_object.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include "core/mail/message.h"
#include "mail/export.h"
#include "mail/tap.h"

/* Keep what a person needs to tell files apart (letters and digits of any
 * script, @ . + -); every other run of characters becomes one '_'. */
void mw_export_clean(GString *out, const char *s, gssize n, gsize max_chars)
{
    gsize start = out->len, chars = 0;
    gboolean utf8 = g_utf8_validate(s, n, NULL);
    const char *end = s + n;
    while (s < end && chars < max_chars) {
        gunichar c = utf8 ? g_utf8_get_char(s) : (guchar)*s;
        const char *next = utf8 ? g_utf8_next_char(s) : s + 1;
        gboolean ok = c < 0x80 ? (g_ascii_isalnum((int)c) || c == '@' || c == '.' || c == '+' || c == '-')
                               : utf8 && g_unichar_isalnum(c);
        if (ok)
            g_string_append_len(out, s, next - s);
        else if (out->len > start && out->str[out->len - 1] != '_')
            g_string_append_c(out, '_');
        chars++;
        s = next;
    }
    while (out->len > start && (out->str[out->len - 1] == '_' || out->str[out->len - 1] == '.'))
        g_string_truncate(out, out->len - 1);
}

/* The first From: address and the decoded Subject: of msg's header. */
static void header_facts(const guint8 *msg, guint len, GString *from, GString *subject)
{
    size_t pos = 0;
    while (pos < len) {
        mw_hdr_field f;
        mw_hdr_status s = mw_hdr_next(msg, len, true, &pos, &f);
        if (s != MW_HDR_FIELD)
            break;
        if (!from->len && mw_hdr_name_is(msg, f.name, "From")) {
            mw_addr_iter it;
            mw_addr a;
            memset(&it, 0, sizeof it);
            if (mw_addr_next(msg + f.value.off, f.value.len, &it, &a) && a.addr.len) {
                guint8 clean[256];
                size_t n = mw_addr_strip(msg + f.value.off, a.addr, clean, sizeof clean);
                g_string_append_len(from, (const char *)clean, (gssize)n);
            }
        } else if (!subject->len && mw_hdr_name_is(msg, f.name, "Subject")) {
            guint8 dec[512];
            unsigned fl = 0;
            size_t n = mw_ew_decode(msg + f.value.off, MIN(f.value.len, 255), dec, sizeof dec, &fl);
            g_string_append_len(subject, (const char *)dec, (gssize)n);
        }
    }
}

char *mw_export_filename(const char *proto, guint32 frame, const guint8 *msg, guint len, char **from_out)
{
    return mw_export_filename_kind(proto, frame, NULL, msg, len, from_out);
}

char *mw_export_filename_kind(const char *proto, guint32 frame, const char *kind, const guint8 *msg,
                              guint len, char **from_out)
{
    GString *from = g_string_new(NULL), *subject = g_string_new(NULL);
    header_facts(msg, len, from, subject);
    GString *name = g_string_new(NULL);
    mw_export_clean(name, proto, (gssize)strlen(proto), 8);
    g_string_ascii_down(name);
    g_string_append_printf(name, "-f%u", frame);
    if (kind)
        g_string_append_printf(name, "-%s", kind);
    if (from->len) {
        g_string_append_c(name, '-');
        mw_export_clean(name, from->str, (gssize)from->len, 64);
    }
    if (subject->len) {
        g_string_append_c(name, '-');
        mw_export_clean(name, subject->str, (gssize)subject->len, 64);
    }
    g_string_append(name, ".eml");
    if (from_out)
        *from_out = from->len ? g_strdup(from->str) : NULL;
    g_string_free(from, TRUE);
    g_string_free(subject, TRUE);
    return g_string_free(name, FALSE);
}

static tap_packet_status mail_eo_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                        const void *data, tap_flags_t flags)
{
    (void)edt;
    (void)flags;
    export_object_list_t *list = (export_object_list_t *)tapdata;
    const mw_tap_rec *r = (const mw_tap_rec *)data;
    if (!r || r->kind != MW_TAP_MESSAGE || !r->data)
        return TAP_PACKET_DONT_REDRAW;
    export_object_entry_t *e = g_new0(export_object_entry_t, 1);
    char *from = NULL;
    e->pkt_num = pinfo->num;
    e->filename = mw_export_filename_kind(r->proto, r->frame, r->smuggled ? "smuggled" : NULL,
                                          r->data, r->len, &from);
    e->hostname = from ? from : g_strdup(r->proto);
    e->content_type = g_strdup("message/rfc822");
    e->payload_len = r->len;
    e->payload_data = (guint8 *)g_memdup2(r->data, r->len);
    list->add_entry(list->gui_data, e);
    if (!r->smuggled)
        mw_export_attachments(list, pinfo, r);
    return TAP_PACKET_REDRAW;
}

int mw_export_register(int proto_mail)
{
    return register_export_object(proto_mail, mail_eo_packet, NULL);
}

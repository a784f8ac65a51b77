/* Export Objects "mail": the attachments of each message, decoded, beside
 * the whole .eml (see export.h).  The MIME walk is the one the dissection
 * kept (parts.c); only the bytes of the chosen parts are decoded here. */
#include <wireshark.h>
#include <epan/export_object.h>
#include <epan/packet.h>

#include "core/mail/mime.h"
#include "mail/export.h"
#include "mail/parts.h"
#include "mail/tap.h"
#include "mail/walk.h"

void mw_export_attachments(void *list_, void *pinfo_, const void *rec)
{
    export_object_list_t *list = (export_object_list_t *)list_;
    packet_info *pinfo = (packet_info *)pinfo_;
    const mw_tap_rec *r = (const mw_tap_rec *)rec;
    const mail_walk *m = r->walk;
    if (!m || !r->data)
        return;
    for (unsigned i = 0; i < m->n_parts; i++) {
        const mail_walk_part *p = &m->parts[i];
        if (!(p->flags & MW_PART_ATTACHMENT) || !p->decoded)
            continue;
        GString *name = g_string_new(NULL);
        mw_export_clean(name, r->proto, (gssize)strlen(r->proto), 8);
        g_string_ascii_down(name);
        g_string_append_printf(name, "-f%u-p%s", r->frame, p->section);
        gsize before = name->len;
        g_string_append_c(name, '-');
        if (p->filename)
            mw_export_clean(name, p->filename, (gssize)strlen(p->filename), 96);
        if (name->len == before + 1)
            g_string_append(name, "attachment.bin");
        size_t n = 0;
        export_object_entry_t *e = g_new0(export_object_entry_t, 1);
        e->pkt_num = pinfo->num;
        e->filename = g_string_free(name, FALSE);
        e->hostname = g_strdup(r->proto);
        e->content_type = g_strdup(p->content_type);
        e->payload_data = mail_walk_part_decoded(r->data, r->len, p, &n);
        e->payload_len = n;
        list->add_entry(list->gui_data, e);
    }
}

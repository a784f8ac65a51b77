/* tshark -z mail,files[,FILTER]: every attachment of every message with its
 * section, type, decoded size, hashes, session and frame (see stats.h).  The
 * hashes come from the walk the dissection kept (parts.c). */
#include <wireshark.h>
#include <epan/address.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/to_str.h>

#include "core/mail/mime.h"
#include "mail/parts.h"
#include "mail/stats.h"
#include "mail/tap.h"
#include "mail/walk.h"

typedef struct files_tap {
    GPtrArray *lines; /* g_malloc'd strings, one per attachment */
    char *filter;
} files_tap;

static void hex(char *out, const guint8 *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}

static void files_reset(void *tapdata)
{
    g_ptr_array_set_size(((files_tap *)tapdata)->lines, 0);
}

static tap_packet_status files_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                      const void *data, tap_flags_t flags)
{
    (void)edt, (void)flags;
    files_tap *t = (files_tap *)tapdata;
    const mw_tap_rec *r = (const mw_tap_rec *)data;
    if (!r || r->kind != MW_TAP_MESSAGE)
        return TAP_PACKET_DONT_REDRAW;
    const mail_walk *m = r->walk;
    if (!m)
        return TAP_PACKET_DONT_REDRAW;
    /* The session as its two ends; the direction of the message does not
     * matter here, so the lower port is taken as the server's. */
    gboolean src_server = pinfo->srcport < pinfo->destport;
    char *src = address_to_str(NULL, &pinfo->src), *dst = address_to_str(NULL, &pinfo->dst);
    char *session = src_server ? g_strdup_printf("%s:%u-%s:%u", dst, pinfo->destport, src, pinfo->srcport)
                               : g_strdup_printf("%s:%u-%s:%u", src, pinfo->srcport, dst, pinfo->destport);
    wmem_free(NULL, src);
    wmem_free(NULL, dst);
    gboolean added = FALSE;
    for (unsigned i = 0; i < m->n_parts; i++) {
        const mail_walk_part *p = &m->parts[i];
        if (!(p->flags & MW_PART_ATTACHMENT))
            continue;
        char md5[33], sha1[41], sha256[65];
        hex(md5, p->md5, sizeof p->md5);
        hex(sha1, p->sha1, sizeof p->sha1);
        hex(sha256, p->sha256, sizeof p->sha256);
        if (!p->hashed)
            md5[0] = sha1[0] = sha256[0] = '-', md5[1] = sha1[1] = sha256[1] = 0;
        g_ptr_array_add(t->lines,
                        g_strdup_printf("%-5s %7u %-45s %-7s %9" PRIu64 " %s %s %s %s %s",
                                        r->proto, r->frame, session, p->section, p->decoded_size,
                                        sha256, md5, sha1, p->content_type,
                                        p->filename ? p->filename : "-"));
        added = TRUE;
    }
    g_free(session);
    return added ? TAP_PACKET_REDRAW : TAP_PACKET_DONT_REDRAW;
}

static void files_draw(void *tapdata)
{
    files_tap *t = (files_tap *)tapdata;
    printf("\n====================================================================================================\n");
    printf("Mail attachments (mailwire)%s%s\n", t->filter ? "  Filter: " : "",
           t->filter ? t->filter : "");
    printf("%-5s %7s %-45s %-7s %9s %s\n", "Proto", "Frame", "Session (client-server)", "Section",
           "Size", "SHA-256 MD5 SHA-1 Type Name");
    for (guint i = 0; i < t->lines->len; i++)
        printf("%s\n", (const char *)g_ptr_array_index(t->lines, i));
    printf("====================================================================================================\n");
}

static void files_finish(void *tapdata)
{
    files_tap *t = (files_tap *)tapdata;
    g_ptr_array_free(t->lines, TRUE);
    g_free(t->filter);
    g_free(t);
}

static MW_STAT_TAP_INIT_TYPE files_init(const char *opt_arg, void *userdata)
{
    (void)userdata;
    files_tap *t = g_new0(files_tap, 1);
    t->lines = g_ptr_array_new_with_free_func(g_free);
    const char *filter = NULL;
    if (g_str_has_prefix(opt_arg, "mail,files,"))
        filter = opt_arg + strlen("mail,files,");
    t->filter = filter ? g_strdup(filter) : NULL;
    GString *err = register_tap_listener("mail", t, filter, 0, files_reset, files_packet,
                                         files_draw, files_finish);
    if (err) {
        fprintf(stderr, "tshark: couldn't register mail,files tap: %s\n", err->str);
        g_string_free(err, TRUE);
        files_finish(t);
        MW_STAT_TAP_INIT_DONE(FALSE);
    }
    MW_STAT_TAP_INIT_DONE(TRUE);
}

static stat_tap_ui files_ui = {
    REGISTER_STAT_GROUP_GENERIC, "Mail attachments (mailwire)", "mail,files", files_init, 0, NULL,
};

void mw_stats_files_register(void)
{
    register_stat_tap_ui(&files_ui, NULL);
}

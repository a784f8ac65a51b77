/* Credentials shared by the mail dissectors: see credentials.h. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/tap.h>

#include "compat.h"
#include "core/text/base64.h"
#include "mail/credentials.h"
#include "mail/tap.h"

static int credentials_tap = -1;

tvbuff_t *mw_credentials_decode(const mw_credentials *c, packet_info *pinfo, proto_tree *tree,
                                int hf_raw, tvbuff_t *tvb, gint off, gint len, const char *source)
{
    const char *err = "empty input";
    size_t n = 0;
    if (len > 0) {
        size_t cap = (size_t)len / 4 * 3 + 4;
        guint8 *out = (guint8 *)wmem_alloc(pinfo->pool, cap);
        if (mw_base64_decode(tvb_get_ptr(tvb, off, len), (size_t)len, out, cap, &n, &err)) {
            tvbuff_t *d = tvb_new_child_real_data(tvb, out, (guint)n, (gint)n);
            add_new_data_source(pinfo, d, source);
            return d;
        }
    }
    proto_item *it = proto_tree_add_item(tree, hf_raw, tvb, off, len, ENC_ASCII);
    expert_add_info_format(pinfo, it, c->ei_bad_base64, "SASL data that is not base64 (%s)", err);
    return NULL;
}

const char *mw_credentials_printable(packet_info *pinfo, const guint8 *p, gsize len)
{
    gchar *c0 = (gchar *)wmem_memdup(pinfo->pool, p, len);
    for (gsize i = 0; i < len; i++)
        if ((guchar)c0[i] < 0x20 || c0[i] == 0x7f)
            c0[i] = '.';
    gchar *v = g_utf8_make_valid(c0, (gssize)len);
    for (gchar *c = v; *c; c++)
        if ((guchar)*c < 0x20 || *c == 0x7f)
            *c = '.';
    char *r = wmem_strdup(pinfo->pool, v);
    g_free(v);
    return r;
}

void mw_credentials_secret(const mw_credentials *c, packet_info *pinfo, proto_item *it,
                           gboolean tls, const char *text)
{
    if (tls)
        return;
    if (text)
        mw_expert_format(pinfo, it, c->ei_cleartext, "%s", text);
    else
        mw_expert(pinfo, it, c->ei_cleartext);
}

void mw_credentials_tap(const mw_credentials *c, packet_info *pinfo, const char *user,
                        guint32 user_frame, int hf_secret, const char *info)
{
#if MW_HAVE_CREDENTIALS_TAP
    if (credentials_tap < 0 || !have_tap_listener(credentials_tap))
        return;
    mw_tap_credential *t = wmem_new0(pinfo->pool, mw_tap_credential);
    t->num = pinfo->num;
    t->username_num = user_frame ? user_frame : pinfo->num;
    t->password_hf_id = (unsigned)hf_secret;
    t->username = wmem_strdup(pinfo->pool, user && user[0] ? user : "n.a.");
    t->proto = c->label;
    t->info = wmem_strdup(pinfo->pool, info);
    tap_queue_packet(credentials_tap, pinfo, t);
#else
    (void)c, (void)pinfo, (void)user, (void)user_frame, (void)hf_secret, (void)info;
#endif
}

void mw_credentials_handoff(void)
{
    credentials_tap = find_tap_id("credentials");
}

/* The walk of each whole message, once, in parse: see walk.h. */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/wmem_scopes.h>

#include "compat.h"
#include "core/mail/mime.h"
#include "engine/heap.h"
#include "engine/record.h"
#include "mail/copies.h"
#include "mail/tap.h"
#include "mail/walk.h"

/* The engine's per-frame list the walks are kept in ("MIME"). */
#define WALK_TAG 0x4d494d45u

static int proto_walk = -1;
static mw_pref_bool hashing = TRUE;
/* Short strings many parts share ("text/plain", "base64", "1.2"), kept once
 * per capture. */
static wmem_map_t *interned;

gboolean mail_walk_hashing(void)
{
    return hashing;
}

static const char *intern(const char *s)
{
    if (!s)
        return NULL;
    const char *k = (const char *)wmem_map_lookup(interned, s);
    if (!k) {
        k = wmem_strdup(wmem_file_scope(), s);
        wmem_map_insert(interned, k, (void *)k);
    }
    return k;
}

/* Bytes needed to keep the parameters of p, pointers and strings, rounded
 * up so that the next part's pointers stay aligned. */
static size_t params_size(const mw_mime_part *p)
{
    size_t n = p->content_type.n_params * sizeof(const char *);
    for (unsigned k = 0; k < p->content_type.n_params; k++) {
        const mw_mime_param *pa = &p->content_type.params[k];
        n += strlen(pa->name) + 1 + strlen(pa->value) + 1;
    }
    return (n + 7) & ~(size_t)7;
}

/* Part i of m into out; its parameters into *room (params_size bytes,
 * advanced past them). */
static void keep_part(mail_walk_part *out, const mw_mime_message *m, unsigned i, guint len,
                      guint8 **room)
{
    const mw_mime_part *p = &m->parts[i];
    char section[64];
    mw_mime_part_section(m, i, section, sizeof section);
    out->section = intern(section);
    char *ct = g_strdup_printf("%s/%s", p->type, p->subtype);
    out->content_type = intern(ct);
    g_free(ct);
    out->n_params = p->content_type.n_params;
    if (out->n_params) {
        const char **ptrs = (const char **)(void *)*room;
        char *str = (char *)(ptrs + out->n_params);
        for (unsigned k = 0; k < out->n_params; k++) {
            const mw_mime_param *pa = &p->content_type.params[k];
            size_t nl = strlen(pa->name), vl = strlen(pa->value);
            ptrs[k] = str;
            memcpy(str, pa->name, nl);
            str[nl] = '=';
            memcpy(str + nl + 1, pa->value, vl + 1);
            str += nl + 1 + vl + 1;
        }
        out->params = ptrs;
        *room += params_size(p);
    }
    out->disposition = intern(p->disposition.value);
    out->encoding = intern(p->cte_name);
    out->flags = p->flags;
    out->header_off = (guint32)MIN(p->header.off, len);
    out->body_off = (guint32)MIN(p->body.off, len);
    out->end = (guint32)MIN(MAX(p->body.off + p->body.len, p->header.off + p->header.len), len);
    out->encoded_size = p->encoded_size;
    out->decoded_size = p->decoded_size;
    out->cte = (guint8)p->cte;
    out->container = (p->multipart || p->message) && !p->decoded;
    out->decoded = p->decoded;
    out->hashed = p->hashed;
    if (p->hashed) {
        memcpy(out->md5, p->md5, sizeof out->md5);
        memcpy(out->sha1, p->sha1, sizeof out->sha1);
        memcpy(out->sha256, p->sha256, sizeof out->sha256);
    }
}

const mail_walk *mail_walk_note(mw_ctx *ctx, const guint8 *buf, guint len)
{
    if (!buf)
        return NULL;
    mw_mime_opts o;
    memset(&o, 0, sizeof o);
    o.no_digests = !hashing;
    mw_mime_message m;
    mw_mime_walk(buf, len, &o, &m);
    /* The walk, its parts, their parameters and file names in one record
     * sized to the message, kept until the capture closes. */
    size_t size = sizeof(mail_walk) + (size_t)m.n_parts * sizeof(mail_walk_part);
    for (unsigned i = 0; i < m.n_parts; i++)
        size += params_size(&m.parts[i]) + (m.parts[i].filename
                                                ? strlen(m.parts[i].filename) + 1 : 0);
    mail_walk *w = (mail_walk *)mw_arena_alloc0(size);
    guint8 *room = (guint8 *)&w->parts[m.n_parts];
    w->len = len;
    w->n_parts = m.n_parts;
    w->flags = m.flags;
    memcpy(w->sha256, m.sha256, sizeof w->sha256);
    for (unsigned i = 0; i < m.n_parts; i++) {
        keep_part(&w->parts[i], &m, i, len, &room);
        w->attachments += (m.parts[i].flags & MW_PART_ATTACHMENT) != 0;
    }
    for (unsigned i = 0; i < m.n_parts; i++) {
        if (m.parts[i].filename) {
            size_t n = strlen(m.parts[i].filename) + 1;
            memcpy(room, m.parts[i].filename, n);
            w->parts[i].filename = (const char *)room;
            room += n;
        }
    }
    mw_mime_message_clear(&m);
    w->copy = mail_copies_note(ctx->pinfo, ctx->sp->label, buf, len);
    mw_record_add_derived(ctx, proto_walk, WALK_TAG, w);
    return w;
}

/* How many of the frame's walks this dissection has taken. */
static guint *taken(packet_info *pinfo)
{
    guint *n = (guint *)p_get_proto_data(pinfo->pool, pinfo, proto_walk, WALK_TAG);
    if (!n) {
        n = wmem_new0(pinfo->pool, guint);
        p_add_proto_data(pinfo->pool, pinfo, proto_walk, WALK_TAG, n);
    }
    return n;
}

const mail_walk *mail_walk_take(packet_info *pinfo, guint len)
{
    if (proto_walk < 0)
        return NULL;
    guint *next = taken(pinfo);
    guint n = mw_record_derived_count(pinfo, proto_walk, WALK_TAG);
    /* Messages are shown in the order parse completed them; the length
     * guards against a message shown that parse did not note. */
    for (guint i = *next; i < n; i++) {
        const mail_walk *w = (const mail_walk *)mw_record_derived(pinfo, proto_walk, WALK_TAG, i);
        if (w && w->len == len) {
            *next = i + 1;
            return w;
        }
    }
    return NULL;
}

static void append_sink(void *ctx, const uint8_t *p, size_t n)
{
    g_byte_array_append((GByteArray *)ctx, p, (guint)n);
}

guint8 *mail_walk_part_decoded(const guint8 *msg, guint msg_len, const mail_walk_part *p,
                               size_t *len)
{
    guint off = MIN(p->body_off, msg_len);
    guint n = (guint)MIN(p->encoded_size, (guint64)(msg_len - off));
    GByteArray *a = g_byte_array_sized_new(p->decoded ? (guint)p->decoded_size : n);
    unsigned flags;
    mw_mime_decode((mw_cte)p->cte, msg + off, n, append_sink, a, &flags);
    *len = a->len;
    return g_byte_array_free(a, FALSE);
}

void mail_walk_register(int proto_mail)
{
    proto_walk = proto_mail;
    interned = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_str_hash,
                                      g_str_equal);
    module_t *m = prefs_find_module("mail");
    if (!m)
        m = prefs_register_protocol(proto_mail, NULL);
    prefs_register_bool_preference(m, "message.hash", "Hash messages and their parts",
                                   "MD5, SHA-1 and SHA-256 of each MIME part's decoded bytes and "
                                   "SHA-256 of each whole message (mail.part.md5, .sha1, .sha256, "
                                   "mail.message.sha256). Off: parts are still listed with their "
                                   "sizes and decoding errors, and copies of a message are still "
                                   "matched (by Message-ID or a digest of the body); only those "
                                   "hashes are not computed.",
                                   &hashing);
}

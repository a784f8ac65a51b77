/* Copies of one message across sessions: see copies.h. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/wmem_scopes.h>
#include <gcrypt.h>

#include "core/mail/message.h"
#include "mail/copies.h"
#include "mail/keep.h"

/* Header fields compared per message. */
#define FIELDS_MAX 256
/* Copies linked per group: a capture holding the same message hundreds of
 * times would otherwise grow links (and tree items) with the square. */
#define COPIES_MAX 16
/* Bytes of a body compared when the message's bytes are not kept: a first
 * difference past them is not known.  Bounded, so that large messages still
 * cost little.  With mail.message.keep off (every message) they are kept as
 * one 32-bit hash per block of BODY_BLOCK bytes (4 bytes for 64), which
 * finds the block of the first difference, not its byte; with it on (a
 * message not kept for another reason), as they are. */
#define BODY_PREFIX_MAX 4096
#define BODY_BLOCK 64

typedef struct copy_link {
    const mail_copy *other;
    gboolean later;          /* this copy came after the other */
    const char **added;      /* fields the later copy has and the earlier lacks */
    guint n_added;
    const char **removed;    /* fields the earlier copy has and the later lacks */
    guint n_removed;
    gboolean body_same;
    gint64 first_diff;       /* offset in the body, -1 when not known */
    gboolean diff_block;     /* first_diff starts the BODY_BLOCK bytes holding it */
} copy_link;

struct mail_copy {
    guint32 frame;
    const char *proto;
    const char *message_id;  /* NULL when none */
    guint8 body_sha256[32];
    guint64 body_len;
    const mw_kept *kept;     /* the message's kept bytes (NULL: none), where the body
                                starts, to find the first differing byte */
    guint32 body_off;
    /* without kept bytes, the body's first prefix_len bytes: */
    const guint32 *blocks;   /* keep off: hashes of their blocks */
    const guint8 *prefix;    /* keep on (a message not kept): the bytes */
    guint32 prefix_len;
    const char *fields;      /* n_fields "Name: value", folding collapsed, each
                                ended by NUL, one after the other: one block */
    guint n_fields;
    wmem_array_t *links;     /* copy_link */
};

static int hf_also_in = -1;
static int hf_header_added = -1;
static int hf_header_removed = -1;
static int hf_body_same = -1;
static int hf_body_differs_at = -1;
static int hf_body_differs_in = -1;
static int ett_copy = -1;
static expert_field ei_body_altered = EI_INIT;
static expert_field ei_body_differs = EI_INIT;

static wmem_map_t *by_id;    /* Message-ID -> wmem_array_t of mail_copy* */
static wmem_map_t *by_body;  /* hex SHA-256 of the body -> the same */

static char *collapse(wmem_allocator_t *a, const guint8 *p, size_t n)
{
    char *s = (char *)wmem_alloc(a, n + 1);
    size_t o = 0;
    gboolean space = FALSE;
    for (size_t i = 0; i < n; i++) {
        guint8 c = p[i];
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
            space = TRUE;
            continue;
        }
        if (space && o)
            s[o++] = ' ';
        space = FALSE;
        s[o++] = (char)(c ? c : '?');
    }
    s[o] = 0;
    return s;
}

/* FNV-1a: a change of one byte always changes it. */
static guint32 block_hash(const guint8 *p, size_t n)
{
    guint32 h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Without the earlier body's bytes: the start of the first block of its
 * kept prefix whose hash the later body does not match, -1 when none. */
static gint64 first_block_diff(const mail_copy *earlier, const guint8 *later_body,
                               guint64 later_len)
{
    for (guint32 off = 0, k = 0; off < earlier->prefix_len; off += BODY_BLOCK, k++) {
        guint32 n = MIN(BODY_BLOCK, earlier->prefix_len - off);
        if (later_len < (guint64)off + n ||
            block_hash(later_body + off, n) != earlier->blocks[k])
            return off;
    }
    return -1;
}

/* Fields of a not matched in b (a multiset difference). */
static const char **missing(const mail_copy *a, const mail_copy *b, guint *n)
{
    const char **out = wmem_alloc_array(wmem_file_scope(), const char *, a->n_fields + 1);
    const char **bf = g_new(const char *, b->n_fields + 1);
    gboolean *used = g_new0(gboolean, b->n_fields + 1);
    const char *f = b->fields;
    for (guint j = 0; j < b->n_fields; j++, f += strlen(f) + 1)
        bf[j] = f;
    *n = 0;
    f = a->fields;
    for (guint i = 0; i < a->n_fields; i++, f += strlen(f) + 1) {
        gboolean found = FALSE;
        for (guint j = 0; j < b->n_fields && !found; j++)
            if (!used[j] && strcmp(f, bf[j]) == 0)
                used[j] = found = TRUE;
        if (!found)
            out[(*n)++] = f;
    }
    g_free(used);
    g_free(bf);
    return out;
}

static void link_pair(packet_info *pinfo, mail_copy *earlier, mail_copy *later,
                      const guint8 *later_body)
{
    copy_link l;
    memset(&l, 0, sizeof l);
    l.added = missing(later, earlier, &l.n_added);
    l.removed = missing(earlier, later, &l.n_removed);
    l.body_same = later->body_len == earlier->body_len &&
                  memcmp(later->body_sha256, earlier->body_sha256, 32) == 0;
    l.first_diff = -1;
    /* the earlier body from its message's kept bytes, else from the hashes
     * of the first blocks of it kept here (mail.message.keep off) */
    const guint8 *eb = l.body_same ? NULL : mw_keep_bytes(pinfo, earlier->kept);
    guint64 elen = earlier->body_len;
    if (eb) {
        eb += earlier->body_off;
    } else if (!l.body_same && earlier->prefix) {
        eb = earlier->prefix;
        elen = earlier->prefix_len;
    } else if (!l.body_same && earlier->blocks) {
        l.first_diff = first_block_diff(earlier, later_body, later->body_len);
        if (l.first_diff >= 0) {
            l.diff_block = TRUE;
        } else if (earlier->prefix_len == earlier->body_len) {
            /* the whole earlier body matched: the later one goes on past it */
            l.first_diff = (gint64)earlier->body_len;
        }
    }
    if (eb) {
        guint64 n = MIN(later->body_len, elen), i = 0;
        while (i < n && later_body[i] == eb[i])
            i++;
        /* past the kept prefix, the bodies may still differ anywhere */
        if (i < n || n == later->body_len || elen == earlier->body_len)
            l.first_diff = (gint64)i;
    }
    l.other = earlier;
    l.later = TRUE;
    if (!later->links)
        later->links = wmem_array_new(wmem_file_scope(), sizeof(copy_link));
    wmem_array_append_one(later->links, l);
    l.other = later;
    l.later = FALSE;
    if (!earlier->links)
        earlier->links = wmem_array_new(wmem_file_scope(), sizeof(copy_link));
    wmem_array_append_one(earlier->links, l);
}

static void join(wmem_map_t *map, const char *key, wmem_array_t **group)
{
    wmem_array_t *g = (wmem_array_t *)wmem_map_lookup(map, key);
    if (g && !*group)
        *group = g;
    else if (!g && *group)
        wmem_map_insert(map, key, *group);
}

mail_copy *mail_copies_note(packet_info *pinfo, const char *proto, const guint8 *buf, guint len)
{
    wmem_allocator_t *fs = wmem_file_scope();
    mail_copy *c = wmem_new0(fs, mail_copy);
    c->frame = pinfo->num;
    c->proto = proto ? wmem_strdup(fs, proto) : "mail";
    /* Fields are gathered here and kept in one block: most messages have a
     * few, and no links (made when a copy is found). */
    GByteArray *fields = g_byte_array_new();
    size_t pos = 0;
    gboolean ended = FALSE;
    while (pos < len) {
        mw_hdr_field f;
        mw_hdr_status s = mw_hdr_next(buf, len, true, &pos, &f);
        if (s == MW_HDR_END) {
            ended = TRUE;
            break;
        }
        if (s != MW_HDR_FIELD)
            break;
        if (mw_hdr_name_is(buf, f.name, "Message-ID") && !c->message_id)
            c->message_id = collapse(fs, buf + f.value.off, f.value.len);
        if (c->n_fields < FIELDS_MAX) {
            const char *t = collapse(pinfo->pool, buf + f.name.off,
                                     f.value.off + f.value.len - f.name.off);
            g_byte_array_append(fields, (const guint8 *)t, (guint)strlen(t) + 1);
            c->n_fields++;
        }
    }
    c->fields = fields->len ? (const char *)wmem_memdup(fs, fields->data, fields->len) : NULL;
    g_byte_array_free(fields, TRUE);
    /* No header block: the whole message is the body. */
    size_t body_off = ended ? MIN(pos, len) : (c->n_fields ? len : 0);
    const guint8 *body = buf + body_off;
    c->body_len = len - body_off;
    gcry_md_hash_buffer(GCRY_MD_SHA256, c->body_sha256, body, (size_t)c->body_len);
    c->kept = mw_keep_messages() ? mw_keep_of(pinfo, buf) : NULL;
    c->body_off = (guint32)body_off;
    if (!c->kept && c->body_len && mw_keep_messages()) {
        c->prefix_len = (guint32)MIN(c->body_len, BODY_PREFIX_MAX);
        c->prefix = (const guint8 *)wmem_memdup(fs, body, c->prefix_len);
    } else if (!c->kept && c->body_len) {
        c->prefix_len = (guint32)MIN(c->body_len, BODY_PREFIX_MAX);
        guint32 nb = (c->prefix_len + BODY_BLOCK - 1) / BODY_BLOCK;
        guint32 *blocks = wmem_alloc_array(fs, guint32, nb);
        for (guint32 k = 0; k < nb; k++)
            blocks[k] = block_hash(body + (gsize)k * BODY_BLOCK,
                                   MIN(BODY_BLOCK, c->prefix_len - k * BODY_BLOCK));
        c->blocks = blocks;
    }

    char hex[65];
    for (int i = 0; i < 32; i++)
        g_snprintf(hex + 2 * i, 3, "%02x", c->body_sha256[i]);
    const char *body_key = wmem_strdup(fs, hex);
    wmem_array_t *group = NULL;
    if (c->message_id && c->message_id[0])
        group = (wmem_array_t *)wmem_map_lookup(by_id, c->message_id);
    /* An empty body says nothing about sameness. */
    if (!group && c->body_len)
        group = (wmem_array_t *)wmem_map_lookup(by_body, body_key);
    if (group && wmem_array_get_count(group) >= COPIES_MAX)
        return c; /* counted nowhere else: the first copies say enough */
    if (group) {
        guint n = wmem_array_get_count(group);
        for (guint i = 0; i < n; i++)
            link_pair(pinfo, *(mail_copy **)wmem_array_index(group, i), c, body);
    } else {
        group = wmem_array_new(fs, sizeof(mail_copy *));
    }
    wmem_array_append_one(group, c);
    if (c->message_id && c->message_id[0])
        join(by_id, c->message_id, &group);
    if (c->body_len)
        join(by_body, body_key, &group);
    return c;
}

static gboolean is_fetch(const char *proto)
{
    return strcmp(proto, "IMAP") == 0 || strcmp(proto, "POP") == 0;
}

void mail_copies_show(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const mail_copy *c)
{
    if (!c)
        return;
    guint n = c->links ? wmem_array_get_count(c->links) : 0;
    for (guint i = 0; i < n; i++) {
        const copy_link *l = (const copy_link *)wmem_array_index(c->links, i);
        proto_item *li = proto_tree_add_uint(tree, hf_also_in, msg, 0, 0, l->other->frame);
        proto_item_set_generated(li);
        proto_item_append_text(li, " (%s, %s copy)", l->other->proto, l->later ? "earlier" : "later");
        proto_tree *lt = proto_item_add_subtree(li, ett_copy);
        for (guint k = 0; k < l->n_added; k++)
            proto_item_set_generated(proto_tree_add_string(lt, hf_header_added, msg, 0, 0,
                                                           l->added[k]));
        for (guint k = 0; k < l->n_removed; k++)
            proto_item_set_generated(proto_tree_add_string(lt, hf_header_removed, msg, 0, 0,
                                                           l->removed[k]));
        proto_item *bi = proto_tree_add_boolean(lt, hf_body_same, msg, 0, 0, l->body_same);
        proto_item_set_generated(bi);
        if (l->body_same)
            continue;
        if (l->first_diff >= 0 && l->diff_block) {
            proto_item *di = proto_tree_add_uint64(lt, hf_body_differs_in, msg, 0, 0,
                                                   (guint64)l->first_diff);
            proto_item_set_generated(di);
            proto_item_append_text(di, " (bytes %" PRId64 " to %" PRId64 ")", l->first_diff,
                                   l->first_diff + BODY_BLOCK - 1);
        } else if (l->first_diff >= 0) {
            proto_item_set_generated(proto_tree_add_uint64(lt, hf_body_differs_at, msg, 0, 0,
                                                           (guint64)l->first_diff));
        }
        const char *mine = c->proto, *theirs = l->other->proto;
        gboolean altered = (strcmp(mine, "SMTP") == 0 && is_fetch(theirs)) ||
                           (strcmp(theirs, "SMTP") == 0 && is_fetch(mine));
        const char *at =
            l->first_diff < 0 ? "first difference past the bytes compared"
            : l->diff_block
                ? wmem_strdup_printf(pinfo->pool,
                                     "first difference in bytes %" PRId64 " to %" PRId64
                                     " of the body",
                                     l->first_diff, l->first_diff + BODY_BLOCK - 1)
                : wmem_strdup_printf(pinfo->pool, "first difference at byte %" PRId64
                                     " of the body", l->first_diff);
        expert_add_info_format(pinfo, bi, altered ? &ei_body_altered : &ei_body_differs,
                               "%s copy in frame %u has a different body (%s)%s",
                               theirs, l->other->frame, at,
                               altered ? ": altered between submission and retrieval" : "");
    }
}

void mail_copies_register(int proto)
{
    static gboolean done;
    if (done)
        return;
    done = TRUE;
    by_id = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_str_hash, g_str_equal);
    by_body = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_str_hash,
                                     g_str_equal);
    static hf_register_info hf[] = {
        {&hf_also_in,
         {"Also in frame", "mail.message.also_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "Another copy of this message (same Message-ID or same body) in this capture", HFILL}},
        {&hf_header_added,
         {"Header field added", "mail.message.header_added", FT_STRING, BASE_NONE, NULL, 0x0,
          "A field the later of the two copies has and the earlier lacks", HFILL}},
        {&hf_header_removed,
         {"Header field removed", "mail.message.header_removed", FT_STRING, BASE_NONE, NULL, 0x0,
          "A field the earlier of the two copies has and the later lacks", HFILL}},
        {&hf_body_same,
         {"Same body", "mail.message.body_same", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The bodies (after the header's empty line) are byte for byte the same", HFILL}},
        {&hf_body_differs_at,
         {"Bodies differ at", "mail.message.body_differs_at", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Offset in the body of the first differing byte", HFILL}},
        {&hf_body_differs_in,
         {"Bodies differ in block at", "mail.message.body_differs_in", FT_UINT64, BASE_DEC, NULL,
          0x0,
          "Offset in the body of the 64-byte block holding the first differing byte (the "
          "earlier body's bytes not kept: mail.message.keep off)", HFILL}},
    };
    static gint *ett[] = {&ett_copy};
    static ei_register_info ei[] = {
        {&ei_body_altered,
         {"mail.message.body_altered", PI_SECURITY, PI_WARN,
          "The message was submitted by SMTP with another body than the one fetched", EXPFILL}},
        {&ei_body_differs,
         {"mail.message.body_differs", PI_SEQUENCE, PI_NOTE,
          "Another copy of the message has a different body", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

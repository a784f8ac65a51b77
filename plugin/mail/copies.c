/* Copies of one message across sessions: see copies.h. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/wmem_scopes.h>
#include <gcrypt.h>

#include "core/mail/digest.h"
#include "core/mail/fields_pack.h"
#include "core/mail/message.h"
#include "engine/heap.h"
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
/* Bytes of a body's tag (body_tag_of). */
#define BODY_TAG 16

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

/* What a copy without kept bytes keeps to be compared (mail.message.keep
 * off, or a message not kept): one block of the arena with its data. */
typedef struct copy_unkept {
    const char *fields;      /* n_fields "Name: value", folding collapsed, each ended
                                by NUL, one after the other (fields_len bytes), or
                                their deflated form (core/mail/fields_pack.h) */
    guint32 n_fields;
    guint32 fields_len;
    guint32 fields_zlen;     /* bytes at fields when deflated; 0: as they are */
    /* the body's first prefix_len bytes: */
    guint32 prefix_len;
    const guint32 *blocks;   /* keep off: hashes of their blocks */
    const guint8 *prefix;    /* keep on (a message not kept): the bytes */
} copy_unkept;

struct mail_copy {
    guint32 frame;
    guint32 body_off;        /* where the body starts in the kept bytes */
    guint32 body_len;
    guint8 n_members;        /* in the first copy of a group: copies linked */
    const char *proto;       /* the protocol's static label */
    const char *message_id;  /* NULL when none */
    const mw_kept *kept;     /* the message's kept bytes (NULL: none), to read its
                                fields and find the first differing byte */
    const copy_unkept *unkept; /* NULL when there is nothing more to keep */
    mail_copy *next;         /* the next copy of the group, in arrival order */
    wmem_array_t *links;     /* copy_link */
    guint8 body_tag[BODY_TAG]; /* body_tag_of the body; also the key of by_body */
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

/* Groups of copies, each by its first copy (the others follow it through
 * next): created with the first copy, so a message without copies costs no
 * more than its entries here. */
static wmem_map_t *by_id;    /* Message-ID -> the group's first mail_copy */
static wmem_map_t *by_body;  /* tag of the body (body_tag) -> the same */

static guint tag_hash(gconstpointer k)
{
    guint h;
    memcpy(&h, k, sizeof h);
    return h;
}

static gboolean tag_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, BODY_TAG) == 0;
}

/* The tag that matches bodies: Poly1305 (libgcrypt) under a key drawn once
 * per run.  Nothing shows it and nothing outside this run compares it, so a
 * secret key is enough to make two different bodies with the same tag
 * unforgeable, in less than half the time of a SHA-256 of the body (even
 * with the CPU's SHA extensions).  Where the MAC is refused (FIPS mode), the
 * first half of the body's SHA-256. */
static void body_tag_of(const guint8 *p, size_t n, guint8 out[BODY_TAG])
{
    static guint8 key[32];
    static int have_key = -1; /* -1: not tried yet; 0: no MAC here */
    if (have_key < 0) {
        have_key = 0;
        if (mw_gcrypt_ready() && gcry_mac_get_algo_keylen(GCRY_MAC_POLY1305) == sizeof key) {
            gcry_create_nonce(key, sizeof key);
            have_key = 1;
        }
    }
    gcry_mac_hd_t h;
    if (have_key && gcry_mac_open(&h, GCRY_MAC_POLY1305, 0, NULL) == 0) {
        size_t len = BODY_TAG;
        gboolean ok = gcry_mac_setkey(h, key, sizeof key) == 0 && gcry_mac_write(h, p, n) == 0 &&
                      gcry_mac_read(h, out, &len) == 0 && len == BODY_TAG;
        gcry_mac_close(h);
        if (ok)
            return;
    }
    guint8 sha[32];
    gcry_md_hash_buffer(GCRY_MD_SHA256, sha, p, n);
    memcpy(out, sha, BODY_TAG);
}

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
    const copy_unkept *u = earlier->unkept;
    for (guint32 off = 0, k = 0; off < u->prefix_len; off += BODY_BLOCK, k++) {
        guint32 n = MIN(BODY_BLOCK, u->prefix_len - off);
        if (later_len < (guint64)off + n ||
            block_hash(later_body + off, n) != u->blocks[k])
            return off;
    }
    return -1;
}

/* The header fields of buf[0..len), at most FIELDS_MAX, appended to out as
 * "Name: value", folding collapsed, each ended by NUL.  Returns how many;
 * *end is where the header block ends, *ended whether its empty line came,
 * *message_id (when not NULL) the first Message-ID, for this packet. */
static guint header_fields(packet_info *pinfo, const guint8 *buf, size_t len, GByteArray *out,
                           size_t *end, gboolean *ended, const char **message_id)
{
    guint n = 0;
    size_t pos = 0;
    *ended = FALSE;
    while (pos < len) {
        mw_hdr_field f;
        mw_hdr_status s = mw_hdr_next(buf, len, true, &pos, &f);
        if (s == MW_HDR_END) {
            *ended = TRUE;
            break;
        }
        if (s != MW_HDR_FIELD)
            break;
        if (message_id && mw_hdr_name_is(buf, f.name, "Message-ID") && !*message_id)
            *message_id = collapse(pinfo->pool, buf + f.value.off, f.value.len);
        if (n < FIELDS_MAX) {
            const char *t = collapse(pinfo->pool, buf + f.name.off,
                                     f.value.off + f.value.len - f.name.off);
            g_byte_array_append(out, (const guint8 *)t, (guint)strlen(t) + 1);
            n++;
        }
    }
    *end = pos;
    return n;
}

/* A copy's header fields as one block of n NUL-ended strings. */
typedef struct field_list {
    const char *block;
    guint n;
    gboolean passing;  /* block lives only for this packet */
} field_list;

/* The fields of an earlier copy: kept with it, or read again from its kept
 * bytes (the same reading as when it was noted).  tmp holds them then. */
static field_list fields_of(packet_info *pinfo, const mail_copy *c, GByteArray *tmp)
{
    field_list l = {NULL, 0, FALSE};
    const copy_unkept *u = c->unkept;
    if (u && u->fields && !u->fields_zlen) {
        l.block = u->fields;
        l.n = u->n_fields;
        return l;
    }
    if (u && u->fields) {
        /* cannot fail on a block deflated here; nothing to compare if it did */
        g_byte_array_set_size(tmp, u->fields_len);
        if (mw_fields_inflate((const guint8 *)u->fields, u->fields_zlen, tmp->data,
                              u->fields_len)) {
            l.block = (const char *)tmp->data;
            l.n = u->n_fields;
            l.passing = TRUE;
        }
        return l;
    }
    const guint8 *b = mw_keep_bytes(pinfo, c->kept);
    if (b) {
        size_t end;
        gboolean ended;
        l.n = header_fields(pinfo, b, mw_kept_len(c->kept), tmp, &end, &ended, NULL);
        l.block = (const char *)tmp->data;
        l.passing = TRUE;
    }
    return l;
}

/* Fields of a not matched in b (a multiset difference), in file scope. */
static const char **missing(const field_list *a, const field_list *b, guint *n)
{
    const char **out = wmem_alloc_array(wmem_file_scope(), const char *, a->n + 1);
    const char **bf = g_new(const char *, b->n + 1);
    gboolean *used = g_new0(gboolean, b->n + 1);
    const char *f = b->block;
    for (guint j = 0; j < b->n; j++, f += strlen(f) + 1)
        bf[j] = f;
    *n = 0;
    f = a->block;
    for (guint i = 0; i < a->n; i++, f += strlen(f) + 1) {
        gboolean found = FALSE;
        for (guint j = 0; j < b->n && !found; j++)
            if (!used[j] && strcmp(f, bf[j]) == 0)
                used[j] = found = TRUE;
        if (!found)
            out[(*n)++] = a->passing ? wmem_strdup(wmem_file_scope(), f) : f;
    }
    g_free(used);
    g_free(bf);
    return out;
}

static void link_pair(packet_info *pinfo, mail_copy *earlier, mail_copy *later,
                      const field_list *later_fields, const guint8 *later_body)
{
    copy_link l;
    memset(&l, 0, sizeof l);
    GByteArray *tmp = g_byte_array_new();
    field_list ef = fields_of(pinfo, earlier, tmp);
    l.added = missing(later_fields, &ef, &l.n_added);
    l.removed = missing(&ef, later_fields, &l.n_removed);
    g_byte_array_free(tmp, TRUE);
    l.body_same = later->body_len == earlier->body_len &&
                  memcmp(later->body_tag, earlier->body_tag, BODY_TAG) == 0;
    l.first_diff = -1;
    /* the earlier body from its message's kept bytes, else from the hashes
     * of the first blocks of it kept here (mail.message.keep off) */
    const guint8 *eb = l.body_same ? NULL : mw_keep_bytes(pinfo, earlier->kept);
    const copy_unkept *u = earlier->unkept;
    guint64 elen = earlier->body_len;
    if (eb) {
        eb += earlier->body_off;
    } else if (!l.body_same && u && u->prefix) {
        eb = u->prefix;
        elen = u->prefix_len;
    } else if (!l.body_same && u && u->blocks) {
        l.first_diff = first_block_diff(earlier, later_body, later->body_len);
        if (l.first_diff >= 0) {
            l.diff_block = TRUE;
        } else if (u->prefix_len == earlier->body_len) {
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

mail_copy *mail_copies_note(packet_info *pinfo, const char *proto, const guint8 *buf, guint len)
{
    /* never freed before the capture closes */
    mail_copy *c = mw_arena_new0(mail_copy);
    c->frame = pinfo->num;
    c->proto = proto ? proto : "mail";
    GByteArray *fields = g_byte_array_new();
    size_t pos;
    gboolean ended;
    guint n_fields = header_fields(pinfo, buf, len, fields, &pos, &ended, &c->message_id);
    /* No header block: the whole message is the body. */
    size_t body_off = ended ? MIN(pos, len) : (n_fields ? len : 0);
    const guint8 *body = buf + body_off;
    c->body_len = (guint32)(len - body_off);
    body_tag_of(body, (size_t)c->body_len, c->body_tag);
    c->kept = mw_keep_messages() ? mw_keep_of(pinfo, buf) : NULL;
    c->body_off = (guint32)body_off;
    /* The fields are compared only when a copy comes: with the message's
     * bytes kept, they are read again from them then. */
    gboolean keep_fields = fields->len && !(c->kept && mw_kept_len(c->kept) == len);
    guint32 prefix_len = !c->kept ? (guint32)MIN(c->body_len, BODY_PREFIX_MAX) : 0;
    if (keep_fields || prefix_len) {
        gboolean raw = mw_keep_messages();
        guint32 nb = (prefix_len + BODY_BLOCK - 1) / BODY_BLOCK;
        size_t data = raw ? prefix_len : nb * sizeof(guint32);
        size_t head = (sizeof(copy_unkept) + 7) & ~(size_t)7;
        guint32 zlen = 0;
        guint8 *z = keep_fields ? mw_fields_deflate(fields->data, fields->len, &zlen) : NULL;
        guint32 stored = z ? zlen : keep_fields ? fields->len : 0;
        guint8 *blk = (guint8 *)mw_arena_alloc0(head + data + stored);
        copy_unkept *u = (copy_unkept *)(void *)blk;
        u->prefix_len = prefix_len;
        if (prefix_len && raw) {
            memcpy(blk + head, body, prefix_len);
            u->prefix = blk + head;
        } else if (prefix_len) {
            guint32 *blocks = (guint32 *)(void *)(blk + head);
            for (guint32 k = 0; k < nb; k++)
                blocks[k] = block_hash(body + (gsize)k * BODY_BLOCK,
                                       MIN(BODY_BLOCK, prefix_len - k * BODY_BLOCK));
            u->blocks = blocks;
        }
        if (keep_fields) {
            memcpy(blk + head + data, z ? z : fields->data, stored);
            u->fields = (const char *)(blk + head + data);
            u->n_fields = n_fields;
            u->fields_len = fields->len;
            u->fields_zlen = z ? zlen : 0;
        }
        free(z);
        c->unkept = u;
    }
    if (c->message_id)
        c->message_id = wmem_strdup(wmem_file_scope(), c->message_id);

    gboolean has_id = c->message_id && c->message_id[0];
    mail_copy *group = NULL;
    if (has_id)
        group = (mail_copy *)wmem_map_lookup(by_id, c->message_id);
    /* An empty body says nothing about sameness. */
    if (!group && c->body_len)
        group = (mail_copy *)wmem_map_lookup(by_body, c->body_tag);
    if (group && group->n_members >= COPIES_MAX) {
        g_byte_array_free(fields, TRUE);
        return c; /* counted nowhere else: the first copies say enough */
    }
    if (group) {
        const field_list mine = {(const char *)fields->data, n_fields, TRUE};
        mail_copy *last = group;
        for (mail_copy *m = group; m; m = m->next) {
            link_pair(pinfo, m, c, &mine, body);
            last = m;
        }
        last->next = c;
        group->n_members++;
    } else {
        group = c;
        c->n_members = 1;
    }
    g_byte_array_free(fields, TRUE);
    if (has_id && !wmem_map_lookup(by_id, c->message_id))
        wmem_map_insert(by_id, c->message_id, group);
    if (c->body_len && !wmem_map_lookup(by_body, c->body_tag))
        wmem_map_insert(by_body, c->body_tag, group);
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
    by_body = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), tag_hash, tag_equal);
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

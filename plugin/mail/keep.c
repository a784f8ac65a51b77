/* Kept message bytes: see keep.h. */
#include "compat.h"
#include "mail/keep.h"
#include "engine/heap.h"
#include "mail/keep_file.h"
#include "core/mail/fields_pack.h"

#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <zlib.h>

/* Packet-scope proto data of "mail" under this key: this packet's bytes of
 * each message, both ways. */
#define KEEP_KEY 0x6b656570u
/* Bytes fewer than this are deflated with a preset dictionary of header
 * text (core/mail/fields_pack.h), whose window they fit in. */
#define DICT_MAX 4096
/* Kept bytes up to this many share the arena block of their record. */
#define INLINE_MAX 2048
/* Bytes bound for a keep file on a disk are stored as they are: deflating
 * them would only save disk space, for the time of deflating them on the
 * first pass and inflating them on every revisit.  Bound for a keep file
 * in memory (tmpfs), they are deflated only when their first PROBE bytes
 * deflate to at most two thirds: text does (to a third or less), base64 of
 * compressed or random data does not (three quarters at best), and
 * deflating megabytes of it would cost more time than it saves. */
#define PROBE ((uLongf)16 * 1024)

struct mw_kept {
    guint32 len;    /* the message's bytes */
    guint32 stored; /* bytes stored: len raw, fewer deflated, 0 not kept */
    guint8 *data;   /* in memory (file scope); NULL: not kept, or in the file */
    guint64 at;     /* where they start in the keep file, plus 1; 0: not there */
};

typedef struct keep_packet {
    wmem_map_t *bytes_of; /* mw_kept -> its bytes in this packet */
    wmem_map_t *kept_of;  /* bytes -> mw_kept */
} keep_packet;

static mw_pref_bool keep_messages = TRUE;
static mw_pref_bool keep_in_file = TRUE;
static int proto_keep = -1;
static int hf_not_kept = -1;
static expert_field ei_unreadable = EI_INIT;

gboolean mw_keep_messages(void)
{
    return keep_messages;
}

static keep_packet *this_packet(packet_info *pinfo, gboolean create)
{
    keep_packet *kp = (keep_packet *)p_get_proto_data(pinfo->pool, pinfo, proto_keep, KEEP_KEY);
    if (!kp && create) {
        kp = wmem_new(pinfo->pool, keep_packet);
        kp->bytes_of = wmem_map_new(pinfo->pool, g_direct_hash, g_direct_equal);
        kp->kept_of = wmem_map_new(pinfo->pool, g_direct_hash, g_direct_equal);
        p_add_proto_data(pinfo->pool, pinfo, proto_keep, KEEP_KEY, kp);
    }
    return kp;
}

static void remember(packet_info *pinfo, const mw_kept *k, const guint8 *bytes)
{
    keep_packet *kp = this_packet(pinfo, TRUE);
    wmem_map_insert(kp->bytes_of, (gpointer)k, (gpointer)bytes);
    wmem_map_insert(kp->kept_of, (gpointer)bytes, (gpointer)k);
}

/* Whether n stored bytes go to the keep file (when it takes them): more
 * than share an arena block, with the file wanted. */
static gboolean bound_for_file(guint32 n)
{
    return n > INLINE_MAX && keep_in_file;
}

/* A new record of n stored bytes at src, in the arena: the bytes with it
 * when they are few (larger ones would leave the arena's blocks part
 * empty), else in the keep file, else in file scope. */
static mw_kept *kept_record(const guint8 *src, guint32 n)
{
    mw_kept *k;
    guint64 at;
    if (n <= INLINE_MAX) {
        k = (mw_kept *)mw_arena_alloc0(sizeof *k + n);
        k->data = (guint8 *)(k + 1);
        memcpy(k->data, src, n);
    } else if (bound_for_file(n) && mw_keep_file_put(src, n, &at)) {
        k = mw_arena_new0(mw_kept);
        k->at = at + 1;
    } else {
        k = mw_arena_new0(mw_kept);
        k->data = (guint8 *)wmem_memdup(wmem_file_scope(), src, n);
    }
    k->stored = n;
    return k;
}

/* Deflated bytes (g_malloc'd) when they save an eighth (and at least a
 * byte: a record tells raw from deflated by its length), else NULL.  Below
 * DICT_MAX (header blocks, short messages) with the preset dictionary of
 * header text, which a block this short needs to shrink at all. */
static guint8 *deflated(const guint8 *buf, guint32 len, guint32 *out_len)
{
    if (bound_for_file(len) && mw_keep_file_on_disk())
        return NULL;
    if (len < DICT_MAX) {
        guint32 n = 0;
        guint8 *z = mw_fields_deflate(buf, len, &n);
        if (z && n < len && n <= len - len / 8) {
            guint8 *out = (guint8 *)g_memdup2(z, n);
            free(z);
            *out_len = n;
            return out;
        }
        free(z);
        return NULL;
    }
    uLongf n = compressBound(len);
    guint8 *z = (guint8 *)g_malloc(n);
    if (len > 2 * PROBE && bound_for_file(len) && mw_keep_file_ready()) {
        uLongf probe = n;
        if (compress2(z, &probe, buf, PROBE, 1) != Z_OK || probe > PROBE / 3 * 2) {
            g_free(z);
            return NULL;
        }
    }
    /* level 1: most of the gain for a fraction of the time */
    if (compress2(z, &n, buf, len, 1) == Z_OK && n < len && n <= (uLongf)len - len / 8) {
        *out_len = (guint32)n;
        return z;
    }
    g_free(z);
    return NULL;
}

void *mw_keep_grow(void *buf, size_t n)
{
    return mw_heap_realloc(buf, n);
}

static mw_wmem_cb_bool free_at_packet_end(wmem_allocator_t *pool _U_, wmem_cb_event_t event _U_,
                                          void *buf)
{
    mw_heap_release(buf);
    return FALSE; /* once */
}

/* The grown buffer itself serves this packet's readers, then goes: a copy
 * of a message of megabytes would double its transient cost. */
static const guint8 *for_this_packet(packet_info *pinfo, guint8 *buf)
{
    wmem_register_callback(pinfo->pool, free_at_packet_end, buf);
    return buf;
}

/* The record of buf[0..len) (len > 0), stored as the preferences say: of a
 * whole message with mail.message.keep off, only its length.  Never freed
 * before the capture closes. */
static mw_kept *new_record(const guint8 *buf, guint32 len, gboolean whole)
{
    mw_kept *k;
    if (whole && !keep_messages) {
        k = mw_arena_new0(mw_kept);
    } else {
        guint32 zlen;
        guint8 *z = deflated(buf, len, &zlen);
        k = kept_record(z ? z : buf, z ? zlen : len);
        g_free(z);
    }
    k->len = len;
    return k;
}

/* Whether k's bytes are in memory as they are, to be read there by this
 * packet too (deflated bytes are always fewer). */
static gboolean raw_in_memory(const mw_kept *k)
{
    return k->data && k->stored == k->len;
}

static mw_kept *empty_record(guint32 len)
{
    mw_kept *k = mw_arena_new0(mw_kept);
    k->len = len;
    return k;
}

mw_kept *mw_keep_store_grown(packet_info *pinfo, guint8 *buf, guint32 len, gboolean whole)
{
    if (buf)
        mw_heap_take(buf);
    if (!buf || !len) {
        mw_heap_release(buf);
        return empty_record(len);
    }
    mw_kept *k = new_record(buf, len, whole);
    const guint8 *now;
    if (raw_in_memory(k)) {
        now = k->data;
        mw_heap_release(buf);
    } else {
        now = for_this_packet(pinfo, buf);
    }
    remember(pinfo, k, now);
    return k;
}

mw_kept *mw_keep_store(packet_info *pinfo, guint8 *buf, guint32 len, gboolean whole)
{
    if (!buf || !len) {
        wmem_free(wmem_file_scope(), buf);
        return empty_record(len);
    }
    mw_kept *k = new_record(buf, len, whole);
    const guint8 *now = raw_in_memory(k) ? k->data
                                          : (const guint8 *)wmem_memdup(pinfo->pool, buf, len);
    wmem_free(wmem_file_scope(), buf);
    remember(pinfo, k, now);
    return k;
}

const guint8 *mw_keep_bytes(packet_info *pinfo, const mw_kept *k)
{
    if (!k || !k->len)
        return NULL;
    keep_packet *kp = this_packet(pinfo, FALSE);
    const guint8 *b = kp ? (const guint8 *)wmem_map_lookup(kp->bytes_of, k) : NULL;
    if (b || (!k->data && !k->at))
        return b;
    const guint8 *src = k->data;
    if (k->at) {
        guint8 *read = (guint8 *)wmem_alloc(pinfo->pool, k->stored);
        if (!mw_keep_file_get(k->at - 1, read, k->stored))
            return NULL; /* the file went away under us */
        src = read;
    }
    if (k->stored == k->len) {
        b = src;
    } else {
        guint8 *out = (guint8 *)wmem_alloc(pinfo->pool, k->len);
        uLongf n = k->len;
        gboolean ok = k->len < DICT_MAX ? mw_fields_inflate(src, k->stored, out, k->len)
                                        : uncompress(out, &n, src, k->stored) == Z_OK &&
                                              n == k->len;
        if (!ok)
            return NULL; /* cannot happen: the bytes were deflated here */
        b = out;
    }
    remember(pinfo, k, b);
    return b;
}

guint32 mw_kept_len(const mw_kept *k)
{
    return k ? k->len : 0;
}

const mw_kept *mw_keep_of(packet_info *pinfo, const guint8 *data)
{
    keep_packet *kp = data ? this_packet(pinfo, FALSE) : NULL;
    return kp ? (const mw_kept *)wmem_map_lookup(kp->kept_of, data) : NULL;
}

void mw_keep_show_dropped(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const mw_kept *k,
                          guint64 len)
{
    proto_item *it = proto_tree_add_uint64(tree, hf_not_kept, tvb, 0, 0, len);
    proto_item_set_generated(it);
    if (k && (k->data || k->at)) {
        /* kept, but the keep file failed to give the bytes back */
        proto_item_set_text(it, "Message of %" G_GUINT64_FORMAT " bytes kept for revisits, "
                                "but not readable now", len);
        expert_add_info(pinfo, it, &ei_unreadable);
        return;
    }
    proto_item_set_text(it, "Message of %" G_GUINT64_FORMAT " bytes not kept for revisits "
                            "(mail.message.keep is off)", len);
}

void mw_keep_register(int proto_mail)
{
    static hf_register_info hf[] = {
        {&hf_not_kept,
         {"Message bytes not kept", "mail.message.not_kept", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Size of a whole message whose bytes were freed after the first pass", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_unreadable,
         {"mail.message.keep_unreadable", PI_UNDECODED, PI_WARN,
          "The message's kept bytes could not be read back from the temporary file "
          "(mail.message.keep_file): it is shown without its bytes",
          EXPFILL}},
    };
    proto_keep = proto_mail;
    proto_register_field_array(proto_mail, hf, array_length(hf));
    expert_register_field_array(expert_register_protocol(proto_mail), ei, array_length(ei));
    module_t *m = prefs_register_protocol(proto_mail, NULL);
    prefs_register_bool_preference(m, "message.keep", "Keep whole messages for revisits",
                                   "Keep the bytes of each whole message after the first pass "
                                   "(deflated when that pays), for its IMF subtree on revisits "
                                   "and Export Objects in the GUI. Off: those bytes are freed "
                                   "once the message is shown, which saves about their size "
                                   "in memory.",
                                   &keep_messages);
    prefs_register_bool_preference(m, "message.keep_file", "Keep whole messages in a temporary file",
                                   "Kept message bytes over 2 KiB go to a temporary file (in "
                                   "TMPDIR, removed when the capture closes) rather than memory, "
                                   "as the frames they came from stay in the capture file, and "
                                   "are read back when a revisit shows them. Off, or when the "
                                   "file cannot be written: they stay in memory.",
                                   &keep_in_file);
}

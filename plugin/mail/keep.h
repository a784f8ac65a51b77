/* Whole-message bytes kept for revisits (preference mail.message.keep).
 *
 * Each protocol collects a message's bytes on the first pass and, in parse,
 * hands the finished buffer to mw_keep_store, which decides once what stays:
 * kept, the bytes are stored once for the capture, in memory or, when more
 * than 2 KiB, in the keep file (mail/keep_file.h), deflated when that saves
 * at least an eighth (but for bytes bound for a keep file on a disk); not
 * kept, only their length stays.  Either way the bytes remain readable until
 * the end of that first dissection of the frame, so the call's render shows
 * the message (IMF subtree, statistics, Export Objects tap) the same on
 * every pass where they exist.  Render only reads: mw_keep_bytes gives the
 * bytes for this packet or NULL (not kept, or the keep file failed to
 * read), and revisits then show mail.message.not_kept.  Derived data (MIME
 * parts, copies compared byte by byte) is computed from these bytes, never
 * stored again. */
#ifndef MAILWIRE_MAIL_KEEP_H
#define MAILWIRE_MAIL_KEEP_H

#include <epan/packet.h>

typedef struct mw_kept mw_kept;

/* The preference (default TRUE). */
gboolean mw_keep_messages(void);

/* parse (first pass): buf[0..len) is a finished message, allocated in file
 * scope (any capacity).  Takes buf: stores it as the preference says (whole
 * FALSE: a part or header block, always kept) and frees it.  The bytes stay
 * readable through mw_keep_bytes until this packet's dissection ends. */
mw_kept *mw_keep_store(packet_info *pinfo, guint8 *buf, guint32 len, gboolean whole);

/* A message buffer being filled, grown to n bytes (buf NULL: a new one):
 * g_malloc'd, not file scope (see engine/heap.h), and freed with the
 * capture if it is never stored. */
void *mw_keep_grow(void *buf, size_t n);
/* mw_keep_store for a buffer from mw_keep_grow (taken and freed). */
mw_kept *mw_keep_store_grown(packet_info *pinfo, guint8 *buf, guint32 len, gboolean whole);

/* render: the message's bytes for this packet (valid until it is done), or
 * NULL when they were not kept and this is a revisit.  k may be NULL. */
const guint8 *mw_keep_bytes(packet_info *pinfo, const mw_kept *k);
guint32 mw_kept_len(const mw_kept *k);

/* The kept message whose bytes, as mw_keep_bytes gave them in this packet,
 * start at data (NULL: none). */
const mw_kept *mw_keep_of(packet_info *pinfo, const guint8 *data);


/* A revisit of a message of len bytes that mw_keep_bytes did not give: say
 * so under tree, as not kept, or (k kept in the keep file, which failed to
 * read) as unreadable with an expert item. */
void mw_keep_show_dropped(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const mw_kept *k,
                          guint64 len);

/* Registers the preference and mail.message.not_kept under proto "mail". */
void mw_keep_register(int proto_mail);

#endif

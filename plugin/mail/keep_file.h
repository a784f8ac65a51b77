/* The capture's temporary file of kept message bytes (preference
 * mail.message.keep_file).
 *
 * Kept messages are there for revisits, which read each a few times at
 * most; their bytes (mostly attachments, which no coder shrinks below three
 * quarters) need not sit in memory between those reads, as the frames they
 * came from do not either.  One file per capture, appended to on the first
 * pass and read back on revisits, created in the temporary folder (TMPDIR)
 * when the first bytes come and removed when the capture closes (at once on
 * systems that let an open file be unlinked).  When it cannot be created or
 * written, bytes stay in memory. */
#ifndef MAILWIRE_MAIL_KEEP_FILE_H
#define MAILWIRE_MAIL_KEEP_FILE_H

#include <glib.h>

/* Whether bytes can go to the file (creating it if need be). */
gboolean mw_keep_file_ready(void);

/* mw_keep_file_ready, and the file is on a disk: not on a file system that
 * keeps its files in memory (tmpfs), where its bytes would cost memory. */
gboolean mw_keep_file_on_disk(void);

/* Appends buf[0..n) and sets *at to where it starts.  FALSE (nothing
 * written): no file, or it failed before; bytes stay with the caller. */
gboolean mw_keep_file_put(const guint8 *buf, guint32 n, guint64 *at);

/* Reads n bytes stored at at into out.  FALSE: the read failed. */
gboolean mw_keep_file_get(guint64 at, guint8 *out, guint32 n);

#endif

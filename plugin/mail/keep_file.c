/* The temporary file of kept message bytes: see keep_file.h. */
#include <wireshark.h>
#include <glib/gstdio.h>
#include <epan/wmem_scopes.h>
#ifdef G_OS_UNIX
#include <errno.h>
#include <unistd.h>
#endif
#ifdef __linux__
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

#include "compat.h"
#include "mail/keep_file.h"

#ifdef G_OS_UNIX

static int fd = -1;
static gchar *path;     /* while it could not be unlinked yet */
static guint64 size;    /* bytes appended */
static gboolean failed; /* no file this capture: creating or writing failed */
static gboolean in_memory; /* the file lives on a tmpfs or ramfs */

static void forget_path(void)
{
    if (path && g_unlink(path) == 0) {
        g_free(path);
        path = NULL;
    }
}

static mw_wmem_cb_bool close_at_capture_end(wmem_allocator_t *scope _U_,
                                            wmem_cb_event_t event _U_, void *data _U_)
{
    if (fd >= 0)
        close(fd);
    fd = -1;
    forget_path();
    g_free(path);
    path = NULL;
    size = 0;
    failed = FALSE;
    in_memory = FALSE;
    return FALSE; /* registered again with the next capture's file */
}

/* Whether the file system holding fd keeps its files in memory. */
static gboolean file_in_memory(int file)
{
#ifdef __linux__
    struct statfs fs;
    if (fstatfs(file, &fs) != 0)
        return FALSE;
    unsigned long type = (unsigned long)fs.f_type;
    return type == (unsigned long)TMPFS_MAGIC || type == (unsigned long)RAMFS_MAGIC;
#else
    (void)file;
    return FALSE;
#endif
}

/* Whether bytes can be appended: the file is open and no write failed. */
static gboolean open_file(void)
{
    if (failed)
        return FALSE;
    if (fd >= 0)
        return TRUE;
    /* the next capture tries again, whatever happens here */
    wmem_register_callback(wmem_file_scope(), close_at_capture_end, NULL);
    GError *err = NULL;
    fd = g_file_open_tmp("mailwire-XXXXXX", &path, &err);
    if (fd < 0) {
        g_clear_error(&err);
        failed = TRUE;
        return FALSE;
    }
    /* unlinked now, the file goes with the process whatever happens */
    forget_path();
    in_memory = file_in_memory(fd);
    return TRUE;
}

gboolean mw_keep_file_ready(void)
{
    return open_file();
}

gboolean mw_keep_file_on_disk(void)
{
    return open_file() && !in_memory;
}

gboolean mw_keep_file_put(const guint8 *buf, guint32 n, guint64 *at)
{
    if (!open_file())
        return FALSE;
    guint32 done = 0;
    while (done < n) {
        ssize_t w = pwrite(fd, buf + done, n - done, (off_t)(size + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            /* disk full or the like: what is stored stays readable, what
             * comes next stays in memory */
            failed = TRUE;
            return FALSE;
        }
        done += (guint32)w;
    }
    *at = size;
    size += n;
    return TRUE;
}

gboolean mw_keep_file_get(guint64 at, guint8 *out, guint32 n)
{
    if (fd < 0 || at + n > size)
        return FALSE;
    guint32 done = 0;
    while (done < n) {
        ssize_t r = pread(fd, out + done, n - done, (off_t)(at + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return FALSE;
        done += (guint32)r;
    }
    return TRUE;
}

#else
/* No positioned reads and writes here: kept bytes stay in memory. */
gboolean mw_keep_file_ready(void)
{
    return FALSE;
}

gboolean mw_keep_file_put(const guint8 *buf _U_, guint32 n _U_, guint64 *at _U_)
{
    return FALSE;
}

gboolean mw_keep_file_on_disk(void)
{
    return FALSE;
}

gboolean mw_keep_file_get(guint64 at _U_, guint8 *out _U_, guint32 n _U_)
{
    return FALSE;
}
#endif

/* Helpers of the unit tests that read files (needs GLib) or compare digests
 * (needs core/mail/digest): beside check.h, included after it. */
#ifndef MAILWIRE_CHECK_DATA_H
#define MAILWIRE_CHECK_DATA_H

#include <stdint.h>
#include <stdlib.h>

#include <glib.h>

#include "core/mail/digest.h"

/* The whole file dir/name (g_free it); exits the test when it cannot be
 * read. */
static inline char *check_slurp(const char *dir, const char *name, size_t *len)
{
    char *path = g_build_filename(dir, name, NULL), *buf = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &buf, &n, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    g_free(path);
    *len = n;
    return buf;
}

/* A digest p[0..n) (n at most 32) equals want, in lower-case hex; what says
 * where, on failure. */
static inline void check_hex(const uint8_t *p, size_t n, const char *want, const char *what)
{
    char hex[65];
    mw_hex_lower(p, n, hex);
    if (strcmp(hex, want) == 0) {
        check_passed_++;
    } else {
        check_failed_++;
        fprintf(stderr, "%s %s, want %s\n", what, hex, want);
    }
}

#endif

/* Buffers of the capture's lifetime that grow or are freed before it ends
 * (message buffers, carried lines, comparison windows).  They live in
 * g_malloc'd memory rather than in file scope: a file-scope chunk that is
 * freed or outgrown stays with the file-scope allocator, so growth and
 * churn would add to the peak for good.  Whatever is still allocated when
 * the capture closes is freed with it.  Large ones get pages of their own
 * (see heap.c).  Never g_free one. */
#ifndef MAILWIRE_ENGINE_HEAP_H
#define MAILWIRE_ENGINE_HEAP_H

#include <glib.h>

/* p resized to n bytes (p NULL: a new buffer). */
void *mw_heap_realloc(void *p, size_t n);
/* Frees p now (NULL: nothing). */
void mw_heap_free(void *p);
/* p is the caller's from now on (to free with mw_heap_release): the capture
 * no longer frees it. */
void mw_heap_take(void *p);
/* Frees p, a buffer taken with mw_heap_take (NULL: nothing). */
void mw_heap_release(void *p);

/* Records of the capture's lifetime that are never freed or resized
 * before it ends (per-call records): cut from large blocks, without the
 * per-chunk header and rounding of the file-scope allocator.  Zeroed,
 * 8-byte aligned; all freed when the capture closes. */
void *mw_arena_alloc0(size_t n);
#define mw_arena_new0(type) ((type *)mw_arena_alloc0(sizeof(type)))

#endif

/* Buffers of the capture's lifetime that grow or are freed before it ends
 * (message buffers, carried lines, comparison windows).  They live in
 * g_malloc'd memory rather than in file scope: a file-scope chunk that is
 * freed or outgrown stays with the file-scope allocator, so growth and
 * churn would add to the peak for good.  Whatever is still allocated when
 * the capture closes is freed with it. */
#ifndef MAILWIRE_ENGINE_HEAP_H
#define MAILWIRE_ENGINE_HEAP_H

#include <glib.h>

/* p resized to n bytes (p NULL: a new buffer). */
void *mw_heap_realloc(void *p, size_t n);
/* Frees p now (NULL: nothing). */
void mw_heap_free(void *p);
/* p is the caller's from now on (to g_free): the capture no longer frees it. */
void mw_heap_take(void *p);

#endif

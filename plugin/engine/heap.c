/* Buffers freed with the capture: see engine/heap.h. */
#include <wireshark.h>

#include "compat.h"
#include "engine/heap.h"

/* The live buffers (each owns its memory). */
static GHashTable *live;

static mw_wmem_cb_bool free_live(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_,
                                 void *user_data _U_)
{
    g_hash_table_destroy(live);
    live = NULL;
    return FALSE; /* registered again with the next capture's first buffer */
}

void *mw_heap_realloc(void *p, size_t n)
{
    if (!live) {
        live = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
        wmem_register_callback(wmem_file_scope(), free_live, NULL);
    }
    if (p)
        g_hash_table_steal(live, p);
    void *q = g_realloc(p, n ? n : 1);
    g_hash_table_add(live, q);
    return q;
}

void mw_heap_free(void *p)
{
    if (p && live)
        g_hash_table_remove(live, p);
}

void mw_heap_take(void *p)
{
    if (p && live)
        g_hash_table_steal(live, p);
}

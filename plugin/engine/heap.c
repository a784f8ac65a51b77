/* Buffers freed with the capture: see engine/heap.h. */
#include <wireshark.h>

#include "compat.h"
#include "engine/heap.h"

/* The live buffers (each owns its memory). */
static GHashTable *live;

/* Arena blocks (each starts with the link to the one before). */
#define ARENA_BLOCK (256u * 1024u)
typedef struct arena_block {
    struct arena_block *prev;
} arena_block;
static arena_block *arena;
static gsize arena_used; /* bytes used in the newest block */

static mw_wmem_cb_bool free_arena(wmem_allocator_t *scope _U_, wmem_cb_event_t event _U_,
                                   void *user_data _U_)
{
    while (arena) {
        arena_block *prev = arena->prev;
        g_free(arena);
        arena = prev;
    }
    return FALSE; /* registered again with the next capture's first record */
}

void *mw_arena_alloc0(size_t n)
{
    n = (n + 7) & ~(size_t)7;
    gsize head = (sizeof(arena_block) + 7) & ~(gsize)7;
    if (n > ARENA_BLOCK / 4) {
        /* a large record gets a block of its own, behind the current one */
        arena_block *b = (arena_block *)g_malloc0(head + n);
        if (!arena) {
            wmem_register_callback(wmem_file_scope(), free_arena, NULL);
            b->prev = NULL;
            arena = b;
            arena_used = ARENA_BLOCK; /* full: the next record opens a block */
            return (guint8 *)b + head;
        }
        b->prev = arena->prev;
        arena->prev = b;
        return (guint8 *)b + head;
    }
    if (!arena || arena_used + n > ARENA_BLOCK) {
        if (!arena)
            wmem_register_callback(wmem_file_scope(), free_arena, NULL);
        arena_block *b = (arena_block *)g_malloc(ARENA_BLOCK);
        b->prev = arena;
        arena = b;
        arena_used = head;
    }
    void *p = (guint8 *)arena + arena_used;
    arena_used += n;
    memset(p, 0, n);
    return p;
}

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

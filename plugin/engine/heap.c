/* Buffers freed with the capture: see engine/heap.h. */
#include <wireshark.h>
#ifdef G_OS_UNIX
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "compat.h"
#include "engine/heap.h"

/* The live buffers (each owns its memory). */
static GHashTable *live;

/* Arena blocks (each starts with the link to the one before). */
#define ARENA_BLOCK ((gsize)256 * 1024)
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

/* Every buffer starts with this header: how it was allocated. */
typedef struct heap_head {
    gsize size;   /* bytes asked for, the header's included */
    gsize mapped; /* the mapping's length; 0: from g_malloc */
} heap_head;

/* Buffers this large or larger get pages of their own.  A large buffer from
 * malloc, once freed, raises glibc's dynamic mmap threshold; later large
 * buffers then come from the main heap and leave it in pieces, which stays
 * in the peak.  Pages of their own are given back whole when freed. */
#define HEAP_MAP_MIN ((gsize)128 * 1024)

static heap_head *head_of(void *p)
{
    return (heap_head *)p - 1;
}

#ifdef G_OS_UNIX
static gsize page_round(gsize n)
{
    static gsize page;
    if (!page) {
        long sz = sysconf(_SC_PAGESIZE);
        page = sz > 0 ? (gsize)sz : 4096;
    }
    return (n + page - 1) / page * page;
}

/* A mapping of at least n bytes with its header; NULL when none is given. */
static heap_head *map_new(gsize n)
{
    gsize len = page_round(n);
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    heap_head *h = (heap_head *)m;
    h->size = n;
    h->mapped = len;
    return h;
}

static heap_head *map_resize(heap_head *h, gsize n)
{
    gsize len = page_round(n);
    if (len == h->mapped) {
        h->size = n;
        return h;
    }
#ifdef __linux__
    void *m = mremap(h, h->mapped, len, MREMAP_MAYMOVE);
    if (m == MAP_FAILED)
        return NULL;
    h = (heap_head *)m;
    h->size = n;
    h->mapped = len;
    return h;
#else
    heap_head *nh = map_new(n);
    if (!nh)
        return NULL;
    memcpy(nh + 1, h + 1, MIN(h->size, n) - sizeof *h);
    munmap(h, h->mapped);
    return nh;
#endif
}

static void map_free(heap_head *h)
{
    munmap(h, h->mapped);
}
#else
static heap_head *map_new(gsize n _U_)
{
    return NULL;
}
static heap_head *map_resize(heap_head *h _U_, gsize n _U_)
{
    return NULL;
}
static void map_free(heap_head *h _U_) {}
#endif

void mw_heap_release(void *p)
{
    if (!p)
        return;
    heap_head *h = head_of(p);
    if (h->mapped)
        map_free(h);
    else
        g_free(h);
}

/* p (NULL: none) resized to n bytes, on pages of its own from HEAP_MAP_MIN. */
static void *heap_resize(void *p, size_t n)
{
    gsize total = sizeof(heap_head) + MAX(n, (size_t)1);
    heap_head *h = p ? head_of(p) : NULL;
    heap_head *nh = NULL;
    if (total >= HEAP_MAP_MIN) {
        if (h && h->mapped) {
            nh = map_resize(h, total);
        } else if ((nh = map_new(total)) != NULL && h) {
            memcpy(nh + 1, p, MIN(h->size, total) - sizeof *h);
            g_free(h);
        }
    }
    if (!nh) {
        if (h && h->mapped) {
            /* no pages to be had: from malloc after all */
            nh = (heap_head *)g_malloc(total);
            memcpy(nh + 1, p, MIN(h->size, total) - sizeof *h);
            map_free(h);
        } else {
            nh = (heap_head *)g_realloc(h, total);
        }
        nh->size = total;
        nh->mapped = 0;
    }
    return nh + 1;
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
        live = g_hash_table_new_full(g_direct_hash, g_direct_equal, mw_heap_release, NULL);
        wmem_register_callback(wmem_file_scope(), free_live, NULL);
    }
    if (p)
        g_hash_table_steal(live, p);
    void *q = heap_resize(p, n);
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

/* The carried line: see engine/carry.h. */
#include <wireshark.h>

#include "engine/carry.h"
#include "engine/heap.h"

gboolean mw_bytes_have_eol(const guint8 *p, guint n)
{
    return n && (memchr(p, '\n', n) || memchr(p, '\r', n));
}

mw_carry *mw_carry_new(const guint8 *p, guint n, guint32 from)
{
    mw_carry *c = mw_arena_new0(mw_carry);
    c->from = from;
    mw_carry_append(c, p, n);
    return c;
}

void mw_carry_append(mw_carry *c, const guint8 *p, guint n)
{
    if (!n)
        return;
    if (c->len + n > c->cap) {
        guint cap = c->cap ? c->cap : 64;
        while (cap < c->len + n)
            cap *= 2;
        c->bytes = (guint8 *)mw_heap_realloc(c->bytes, cap);
        c->cap = cap;
    }
    memcpy(c->bytes + c->len, p, n);
    c->len += n;
    if (!c->has_eol)
        c->has_eol = mw_bytes_have_eol(p, n);
}

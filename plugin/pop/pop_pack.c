/* A call's POP items packed for the capture's life: see pop.h. */
#include <wireshark.h>
#include <epan/wmem_scopes.h>

#include "core/text/varint.h"
#include "engine/heap.h"
#include "pop/pop.h"

/* Most of an item's fields are zero for its kind: the packed form holds the
 * five small fields, a mask of the others that are not zero, then those in
 * field order (numbers as base-128 varints, pointers as they are).  A line
 * item takes about 12 bytes instead of the struct's size. */
enum {
    PK_FLAGS = 1u << 0,
    PK_OFF = 1u << 1,
    PK_LEN = 1u << 2,
    PK_EOL = 1u << 3, /* eol_len, eol, fragment, continued in one byte */
    PK_LFLAGS = 1u << 4,
    PK_N = 1u << 5,
    PK_MSG = 1u << 6,
    PK_OCTETS = 1u << 7,
    PK_OCTETS_LEN = 1u << 8,
    PK_EX = 1u << 9,
    PK_ML = 1u << 10,
    PK_AUTH = 1u << 11,
    PK_EV = 1u << 12,
    PK_BODY_OFF = 1u << 13,
    PK_END = 1u << 14,
    PK_BEGAN = 1u << 15,
    PK_RETIRED = 1u << 16,
    PK_RETIRED_FRAME = 1u << 17,
    PK_FIRST_CMD = 1u << 18,
    PK_LONGLINE = 1u << 19,
};

struct pop_packed {
    guint32 nitems;
    guint32 len;
    guint8 data[];
};

static void put_var(GByteArray *b, guint64 v)
{
    guint8 buf[MW_VARINT_MAX];
    g_byte_array_append(b, buf, mw_varint_encode(buf, v));
}

static guint64 get_var(const guint8 **p)
{
    return mw_varint_decode(p);
}

static void put_ptr(GByteArray *b, const void *p)
{
    g_byte_array_append(b, (const guint8 *)&p, sizeof p);
}

static void *get_ptr(const guint8 **p)
{
    return mw_ptr_decode(p);
}

const pop_packed *pop_pack(const mw_pop_item *items, guint32 n)
{
    GByteArray *b = g_byte_array_new();
    for (guint32 i = 0; i < n; i++) {
        const mw_pop_item *it = &items[i];
        guint8 eol = (guint8)(it->line.eol_len | (guint)it->line.eol << 2 |
                              (it->fragment ? 0x10 : 0) | (it->continued ? 0x20 : 0));
        guint32 m = (it->flags ? PK_FLAGS : 0) | (it->off ? PK_OFF : 0) |
                    (it->line.len ? PK_LEN : 0) | (eol ? PK_EOL : 0) |
                    (it->line.flags ? PK_LFLAGS : 0) | (it->n ? PK_N : 0) |
                    (it->msg ? PK_MSG : 0) | (it->octets ? PK_OCTETS : 0) |
                    (it->octets_len ? PK_OCTETS_LEN : 0) | (it->ex ? PK_EX : 0) |
                    (it->ml ? PK_ML : 0) | (it->auth ? PK_AUTH : 0) | (it->ev ? PK_EV : 0) |
                    (it->body_off ? PK_BODY_OFF : 0) | (it->end ? PK_END : 0) |
                    (it->began ? PK_BEGAN : 0) | (it->retired ? PK_RETIRED : 0) |
                    (it->retired_frame ? PK_RETIRED_FRAME : 0) |
                    (it->first_cmd ? PK_FIRST_CMD : 0) | (it->longline ? PK_LONGLINE : 0);
        guint8 head[5] = {it->kind, it->cmd, it->state, it->cls, it->nev};
        g_byte_array_append(b, head, sizeof head);
        put_var(b, m);
        if (m & PK_FLAGS)
            put_var(b, it->flags);
        if (m & PK_OFF)
            put_var(b, it->off);
        if (m & PK_LEN)
            put_var(b, it->line.len);
        if (m & PK_EOL)
            g_byte_array_append(b, &eol, 1);
        if (m & PK_LFLAGS)
            put_var(b, it->line.flags);
        if (m & PK_N)
            put_var(b, it->n);
        if (m & PK_MSG)
            put_var(b, it->msg);
        if (m & PK_OCTETS)
            put_var(b, it->octets);
        if (m & PK_OCTETS_LEN)
            put_var(b, it->octets_len);
        if (m & PK_EX)
            put_ptr(b, it->ex);
        if (m & PK_ML)
            put_ptr(b, it->ml);
        if (m & PK_AUTH)
            put_ptr(b, it->auth);
        if (m & PK_EV)
            put_ptr(b, it->ev);
        if (m & PK_BODY_OFF)
            put_var(b, it->body_off);
        if (m & PK_END)
            put_ptr(b, it->end);
        if (m & PK_BEGAN)
            put_var(b, it->began);
        if (m & PK_RETIRED)
            put_var(b, it->retired);
        if (m & PK_RETIRED_FRAME)
            put_var(b, it->retired_frame);
        if (m & PK_LONGLINE)
            put_ptr(b, it->longline);
    }
    pop_packed *pk = (pop_packed *)mw_arena_alloc0(sizeof *pk + b->len);
    pk->nitems = n;
    pk->len = b->len;
    memcpy(pk->data, b->data, b->len);
    g_byte_array_free(b, TRUE);
    return pk;
}

guint32 pop_unpack(const pop_packed *pk, wmem_allocator_t *a, mw_pop_item **out)
{
    mw_pop_item *items = wmem_alloc0_array(a, mw_pop_item, pk->nitems);
    const guint8 *p = pk->data;
    for (guint32 i = 0; i < pk->nitems; i++) {
        mw_pop_item *it = &items[i];
        it->kind = p[0];
        it->cmd = p[1];
        it->state = p[2];
        it->cls = p[3];
        it->nev = p[4];
        p += 5;
        guint32 m = (guint32)get_var(&p);
        if (m & PK_FLAGS)
            it->flags = (guint32)get_var(&p);
        if (m & PK_OFF)
            it->off = (size_t)get_var(&p);
        if (m & PK_LEN)
            it->line.len = (size_t)get_var(&p);
        if (m & PK_EOL) {
            guint8 e = *p++;
            it->line.eol_len = e & 3;
            it->line.eol = (mw_eol)((e >> 2) & 3);
            it->fragment = (e & 0x10) != 0;
            it->continued = (e & 0x20) != 0;
        }
        if (m & PK_LFLAGS)
            it->line.flags = (unsigned)get_var(&p);
        if (m & PK_N)
            it->n = (guint32)get_var(&p);
        if (m & PK_MSG)
            it->msg = (guint32)get_var(&p);
        if (m & PK_OCTETS)
            it->octets = get_var(&p);
        if (m & PK_OCTETS_LEN)
            it->octets_len = (size_t)get_var(&p);
        if (m & PK_EX)
            it->ex = (mw_pop_exchange *)get_ptr(&p);
        if (m & PK_ML)
            it->ml = (mw_pop_multi *)get_ptr(&p);
        if (m & PK_AUTH)
            it->auth = (mw_pop_auth *)get_ptr(&p);
        if (m & PK_EV)
            it->ev = (mw_dataend_event *)get_ptr(&p);
        if (m & PK_BODY_OFF)
            it->body_off = get_var(&p);
        if (m & PK_END)
            it->end = (mw_pop_end *)get_ptr(&p);
        if (m & PK_BEGAN)
            it->began = (guint32)get_var(&p);
        if (m & PK_RETIRED)
            it->retired = (guint8)get_var(&p);
        if (m & PK_RETIRED_FRAME)
            it->retired_frame = (guint32)get_var(&p);
        it->first_cmd = (m & PK_FIRST_CMD) != 0;
        if (m & PK_LONGLINE)
            it->longline = (mw_pop_linelen *)get_ptr(&p);
    }
    *out = items;
    return pk->nitems;
}

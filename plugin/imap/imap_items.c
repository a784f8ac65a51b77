/* A call's items as kept for the capture: packed one after the other, each
 * unpacked into a whole imap_item to be shown.  Most of an item's fields are
 * zero: the packed form holds a mask of the fields that are not, with the
 * kind in its low two bits, then those (numbers as base-128 varints, signed
 * ones zigzagged, pointers as they are): a literal chunk (most items of a
 * mailbox download: one per segment) takes some 12 to 16 bytes, a text line
 * 10 to 30, an imap_item 152. */
#include <wireshark.h>

#include "core/text/varint.h"
#include "imap/imap.h"

enum { LB_FRAGMENT = 1, LB_CONTINUED = 2 };

/* Fields of a line (LINE) and of a chunk (LITERAL, COMPRESSED), by mask bit:
 * the common ones first, so the mask (with the kind in its low two bits)
 * mostly takes one or two bytes. */
enum {
    L_LINE_KIND, L_CMD, L_LEN, L_END, L_EOL, L_EOL_LEN, L_OFFSET, L_REC, L_UNTAGGED_FOR,
    L_LOGICAL, L_ANOMALIES, L_WALK, L_LIT, L_USER_FRAME, L_USER, L_SESSION_FIRST,
    L_CONT_WHAT, L_EFF_STATE, L_SASL_MECH, L_SASL_STEP, L_SASL_PROMPT, L_COUNT_WHAT, L_LBITS,
    L_FLAGS, L_START, L_LL, L_COUNT,
};
enum { C_LEN, C_LIT, C_LIT_AT, C_OFF, C_LIT_LEFT, C_USER_FRAME, C_USER };

/* A line's end is mostly CRLF: kept as its difference from that. */
#define EOL_USUAL MW_EOL_CRLF
#define EOL_LEN_USUAL 2

typedef struct packer {
    guint8 *out; /* NULL: only count */
    gsize n;
} packer;

static void put_byte(packer *pk, guint8 c)
{
    if (pk->out)
        pk->out[pk->n] = c;
    pk->n++;
}

static void put_var(packer *pk, guint64 v)
{
    guint8 buf[MW_VARINT_MAX];
    unsigned n = mw_varint_encode(buf, v);
    for (unsigned i = 0; i < n; i++)
        put_byte(pk, buf[i]);
}

static guint64 zig(gint64 v)
{
    return mw_varint_zig(v);
}

static void put_ptr(packer *pk, const void *p)
{
    if (pk->out)
        memcpy(pk->out + pk->n, &p, sizeof p);
    pk->n += sizeof p;
}

static guint64 get_var(const guint8 **in)
{
    return mw_varint_decode(in);
}

static gint64 get_zig(const guint8 **in)
{
    return mw_varint_unzig(mw_varint_decode(in));
}

static void *get_ptr(const guint8 **in)
{
    return mw_ptr_decode(in);
}

#define BIT(b) ((guint32)1 << (b))
#define SET(b, v) m |= (v) ? BIT(b) : 0
#define PUTV(b, v) if (m & BIT(b)) put_var(pk, (guint64)(v))
#define PUTZ(b, v) if (m & BIT(b)) put_var(pk, zig((gint64)(v)))
#define PUTP(b, v) if (m & BIT(b)) put_ptr(pk, (v))

/* A chunk of a literal whose record is known: what is left before it
 * follows from the literal's size and the chunk's offset; kept as the
 * difference (mostly none). */
static guint64 left_diff(const imap_item *it)
{
    return it->lit ? it->lit_left - (it->lit->core->size - it->lit_at) : it->lit_left;
}

static void pack_one(packer *pk, const imap_item *it)
{
    guint32 m = 0;
    if (it->kind == IMAP_ITEM_LINE) {
        guint8 lbits = (it->l.fragment ? LB_FRAGMENT : 0) | (it->l.continued ? LB_CONTINUED : 0);
        guint32 l_len = (guint32)it->l.line.len; /* a call's bytes fit a tvb */
        guint eol = (guint)it->l.line.eol ^ EOL_USUAL;
        guint64 eol_len = (guint64)it->l.line.eol_len ^ EOL_LEN_USUAL;
        SET(L_LINE_KIND, it->line_kind); SET(L_LOGICAL, it->logical); SET(L_CMD, it->cmd);
        SET(L_CONT_WHAT, it->cont_what); SET(L_EFF_STATE, it->eff_state);
        SET(L_SASL_MECH, it->sasl_mech); SET(L_SASL_STEP, it->sasl_step);
        SET(L_SASL_PROMPT, it->sasl_prompt); SET(L_SESSION_FIRST, it->session_first);
        SET(L_COUNT_WHAT, it->count_what); SET(L_LBITS, lbits); SET(L_EOL, eol);
        SET(L_EOL_LEN, eol_len); SET(L_ANOMALIES, it->anomalies);
        SET(L_FLAGS, it->l.line.flags); SET(L_OFFSET, it->l.offset); SET(L_LEN, l_len);
        SET(L_START, it->start); SET(L_END, it->end); SET(L_LL, it->ll);
        SET(L_UNTAGGED_FOR, it->untagged_for); SET(L_USER_FRAME, it->user_frame);
        SET(L_WALK, it->walk); SET(L_REC, it->rec); SET(L_LIT, it->lit); SET(L_USER, it->user);
        SET(L_COUNT, it->count);
        put_var(pk, ((guint64)m << 2) | it->kind);
        PUTV(L_LINE_KIND, it->line_kind); PUTV(L_LOGICAL, it->logical); PUTV(L_CMD, it->cmd);
        PUTV(L_CONT_WHAT, it->cont_what); PUTV(L_EFF_STATE, it->eff_state);
        PUTV(L_SASL_MECH, it->sasl_mech); PUTV(L_SASL_STEP, it->sasl_step);
        PUTV(L_SASL_PROMPT, it->sasl_prompt); PUTV(L_SESSION_FIRST, it->session_first);
        PUTV(L_COUNT_WHAT, it->count_what); PUTV(L_LBITS, lbits); PUTV(L_EOL, eol);
        PUTV(L_EOL_LEN, eol_len); PUTV(L_ANOMALIES, it->anomalies);
        PUTV(L_FLAGS, it->l.line.flags); PUTZ(L_OFFSET, it->l.offset); PUTV(L_LEN, l_len);
        PUTZ(L_START, it->start); PUTZ(L_END, it->end); PUTP(L_LL, it->ll);
        PUTV(L_UNTAGGED_FOR, it->untagged_for); PUTV(L_USER_FRAME, it->user_frame);
        PUTP(L_WALK, it->walk); PUTP(L_REC, it->rec); PUTP(L_LIT, it->lit);
        PUTP(L_USER, it->user); PUTV(L_COUNT, it->count);
    } else {
        guint64 left = left_diff(it);
        SET(C_OFF, it->off); SET(C_LEN, it->len); SET(C_USER_FRAME, it->user_frame);
        SET(C_LIT, it->lit); SET(C_USER, it->user); SET(C_LIT_AT, it->lit_at);
        SET(C_LIT_LEFT, left);
        put_var(pk, ((guint64)m << 2) | it->kind);
        PUTZ(C_OFF, it->off); PUTZ(C_LEN, it->len); PUTV(C_USER_FRAME, it->user_frame);
        PUTP(C_LIT, it->lit); PUTP(C_USER, it->user); PUTV(C_LIT_AT, it->lit_at);
        PUTV(C_LIT_LEFT, left);
    }
}

gsize imap_items_packed_size(const imap_item *items, guint n)
{
    packer pk = {NULL, 0};
    for (guint i = 0; i < n; i++)
        pack_one(&pk, &items[i]);
    return pk.n;
}

void imap_items_pack(guint8 *out, const imap_item *items, guint n)
{
    packer pk = {out, 0};
    for (guint i = 0; i < n; i++)
        pack_one(&pk, &items[i]);
}

#define GETV(b, lv, type) if (m & BIT(b)) lv = (type)get_var(&in)
#define GETZ(b, lv, type) if (m & BIT(b)) lv = (type)get_zig(&in)
#define GETP(b, lv, type) if (m & BIT(b)) lv = (type)get_ptr(&in)

const guint8 *imap_items_unpack(const guint8 *in, imap_item *it)
{
    memset(it, 0, sizeof *it);
    guint64 head = get_var(&in);
    it->kind = (guint8)(head & 3);
    guint32 m = (guint32)(head >> 2);
    if (it->kind == IMAP_ITEM_LINE) {
        guint8 lbits = 0;
        GETV(L_LINE_KIND, it->line_kind, guint8); GETV(L_LOGICAL, it->logical, guint8);
        GETV(L_CMD, it->cmd, guint8); GETV(L_CONT_WHAT, it->cont_what, guint8);
        GETV(L_EFF_STATE, it->eff_state, guint8); GETV(L_SASL_MECH, it->sasl_mech, guint8);
        GETV(L_SASL_STEP, it->sasl_step, guint8); GETV(L_SASL_PROMPT, it->sasl_prompt, guint8);
        GETV(L_SESSION_FIRST, it->session_first, guint8);
        GETV(L_COUNT_WHAT, it->count_what, guint8); GETV(L_LBITS, lbits, guint8);
        guint eol = 0;
        guint64 eol_len = 0;
        GETV(L_EOL, eol, guint); GETV(L_EOL_LEN, eol_len, guint64);
        it->l.line.eol = (mw_eol)(eol ^ EOL_USUAL);
        it->l.line.eol_len = (size_t)(eol_len ^ EOL_LEN_USUAL);
        GETV(L_ANOMALIES, it->anomalies, guint16); GETV(L_FLAGS, it->l.line.flags, unsigned);
        GETZ(L_OFFSET, it->l.offset, gint); GETV(L_LEN, it->l.line.len, size_t);
        GETZ(L_START, it->start, gint); GETZ(L_END, it->end, gint);
        GETP(L_LL, it->ll, const imap_linelen *);
        GETV(L_UNTAGGED_FOR, it->untagged_for, guint32);
        GETV(L_USER_FRAME, it->user_frame, guint32);
        GETP(L_WALK, it->walk, const imap_walk *); GETP(L_REC, it->rec, const imap_cmd_rec *);
        GETP(L_LIT, it->lit, imap_lit_rec *); GETP(L_USER, it->user, const char *);
        GETV(L_COUNT, it->count, guint64);
        it->l.fragment = (lbits & LB_FRAGMENT) != 0;
        it->l.continued = (lbits & LB_CONTINUED) != 0;
    } else {
        GETZ(C_OFF, it->off, gint); GETZ(C_LEN, it->len, gint);
        GETV(C_USER_FRAME, it->user_frame, guint32); GETP(C_LIT, it->lit, imap_lit_rec *);
        GETP(C_USER, it->user, const char *); GETV(C_LIT_AT, it->lit_at, guint64);
        guint64 left = 0;
        GETV(C_LIT_LEFT, left, guint64);
        it->lit_left = it->lit ? left + (it->lit->core->size - it->lit_at) : left;
    }
    return in;
}

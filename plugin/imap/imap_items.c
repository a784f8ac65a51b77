/* A call's items as kept for the capture: packed one after the other, a
 * literal chunk or compressed run in 48 bytes and a text line in 96 (an
 * imap_item is 152), each unpacked into a whole imap_item to be shown.
 * Literal chunks are most items of a mailbox download: one per segment. */
#include <wireshark.h>

#include "imap/imap.h"

typedef struct packed_chunk {
    guint8 kind;
    gint off, len;
    guint32 user_frame;
    imap_lit_rec *lit;
    const char *user;
    guint64 lit_at, lit_left;
} packed_chunk;

enum { LB_FRAGMENT = 1, LB_CONTINUED = 2 };

typedef struct packed_line {
    guint8 kind, line_kind, logical, cmd, cont_what, eff_state, sasl_mech, sasl_step;
    guint8 sasl_prompt, session_first, count_what, lbits, eol, eol_len;
    guint16 anomalies;
    guint32 l_flags;
    gint l_offset;
    guint32 l_len;
    gint start, end;
    guint32 untagged_for, user_frame;
    const imap_linelen *ll; /* where a chunk keeps off and len */
    const imap_walk *walk;
    const imap_cmd_rec *rec;
    imap_lit_rec *lit;
    const char *user;
    guint64 count;
} packed_line;

static gsize packed_size(const imap_item *it)
{
    return it->kind == IMAP_ITEM_LINE ? sizeof(packed_line) : sizeof(packed_chunk);
}

gsize imap_items_packed_size(const imap_item *items, guint n)
{
    gsize total = 0;
    for (guint i = 0; i < n; i++)
        total += packed_size(&items[i]);
    return total;
}

void imap_items_pack(guint8 *out, const imap_item *items, guint n)
{
    for (guint i = 0; i < n; i++) {
        const imap_item *it = &items[i];
        if (it->kind == IMAP_ITEM_LINE) {
            packed_line p;
            memset(&p, 0, sizeof p);
            p.kind = it->kind;
            p.line_kind = it->line_kind;
            p.logical = it->logical;
            p.cmd = it->cmd;
            p.cont_what = it->cont_what;
            p.eff_state = it->eff_state;
            p.sasl_mech = it->sasl_mech;
            p.sasl_step = it->sasl_step;
            p.sasl_prompt = it->sasl_prompt;
            p.session_first = it->session_first;
            p.count_what = it->count_what;
            p.lbits = (it->l.fragment ? LB_FRAGMENT : 0) | (it->l.continued ? LB_CONTINUED : 0);
            p.eol = (guint8)it->l.line.eol;
            p.eol_len = (guint8)it->l.line.eol_len;
            p.anomalies = it->anomalies;
            p.l_flags = it->l.line.flags;
            p.l_offset = it->l.offset;
            p.l_len = (guint32)it->l.line.len; /* a call's bytes fit a tvb */
            p.start = it->start;
            p.end = it->end;
            p.ll = it->ll;
            p.untagged_for = it->untagged_for;
            p.user_frame = it->user_frame;
            p.walk = it->walk;
            p.rec = it->rec;
            p.lit = it->lit;
            p.user = it->user;
            p.count = it->count;
            memcpy(out, &p, sizeof p);
        } else {
            packed_chunk p;
            memset(&p, 0, sizeof p);
            p.kind = it->kind;
            p.off = it->off;
            p.len = it->len;
            p.user_frame = it->user_frame;
            p.lit = it->lit;
            p.user = it->user;
            p.lit_at = it->lit_at;
            p.lit_left = it->lit_left;
            memcpy(out, &p, sizeof p);
        }
        out += packed_size(it);
    }
}

const guint8 *imap_items_unpack(const guint8 *in, imap_item *it)
{
    memset(it, 0, sizeof *it);
    if (in[0] == IMAP_ITEM_LINE) {
        const packed_line *p = (const packed_line *)in;
        it->kind = p->kind;
        it->line_kind = p->line_kind;
        it->logical = p->logical;
        it->cmd = p->cmd;
        it->cont_what = p->cont_what;
        it->eff_state = p->eff_state;
        it->sasl_mech = p->sasl_mech;
        it->sasl_step = p->sasl_step;
        it->sasl_prompt = p->sasl_prompt;
        it->session_first = p->session_first;
        it->count_what = p->count_what;
        it->l.fragment = (p->lbits & LB_FRAGMENT) != 0;
        it->l.continued = (p->lbits & LB_CONTINUED) != 0;
        it->l.line.eol = (mw_eol)p->eol;
        it->l.line.eol_len = p->eol_len;
        it->anomalies = p->anomalies;
        it->l.line.flags = p->l_flags;
        it->l.offset = p->l_offset;
        it->l.line.len = p->l_len;
        it->start = p->start;
        it->end = p->end;
        it->ll = p->ll;
        it->untagged_for = p->untagged_for;
        it->user_frame = p->user_frame;
        it->walk = p->walk;
        it->rec = p->rec;
        it->lit = p->lit;
        it->user = p->user;
        it->count = p->count;
        return in + sizeof *p;
    }
    const packed_chunk *p = (const packed_chunk *)in;
    it->kind = p->kind;
    it->off = p->off;
    it->len = p->len;
    it->user_frame = p->user_frame;
    it->lit = p->lit;
    it->user = p->user;
    it->lit_at = p->lit_at;
    it->lit_left = p->lit_left;
    return in + sizeof *p;
}

/* The body of a POP3 multiline response: see pop_body.h. */
#include "core/body/pop_body.h"

#include <string.h>

void mw_pop_body_init(mw_pop_body *st, bool status_crlf)
{
    memset(st, 0, sizeof *st);
    st->line_start = true;
    st->prev_crlf = status_crlf;
}

static bool add_event(mw_pop_body *st, mw_pop_body_event *ev, size_t cap, size_t *n,
                      uint64_t offset, uint8_t cls)
{
    st->candidates++;
    if (*n < cap) {
        ev[*n].offset = offset;
        ev[*n].cls = cls;
        (*n)++;
    }
    return cap > 0 && *n == cap;
}

mw_pop_body_result mw_pop_body_feed(mw_pop_body *st, const uint8_t *buf, size_t len, uint8_t *out,
                                    mw_pop_body_event *ev, size_t ev_cap)
{
    mw_pop_body_result r;
    memset(&r, 0, sizeof r);
    size_t i = 0;
    bool pause = false;
    while (i < len && !st->ended && !pause) {
        uint8_t c = buf[i++];
        st->pos++;
        if (st->dot == 1) {
            if (c == '\n' || c == '\r') {
                if (c == '\r') {
                    st->dot = 2;
                    continue;
                }
                st->ended = true;
                r.end = true;
                r.end_class = st->prev_crlf ? MW_POP_END_CRLF_LF : MW_POP_END_LF_LF;
                r.end_offset = st->dot_pos;
                st->bare_lf++;
                break;
            }
            /* Not the end: the line-start dot is dropped as stuffing. */
            if (c == '.')
                st->stuffed++;
            else
                st->bare_dot++;
            st->dot = 0;
            st->line_start = false;
            if (c == '.') {
                if (out)
                    out[r.out_len++] = c;
                continue;
            }
        } else if (st->dot == 2) {
            st->dot = 0;
            if (c == '\n') {
                st->ended = true;
                r.end = true;
                r.end_class = st->prev_crlf ? MW_POP_END_STRICT : MW_POP_END_LF_CRLF;
                r.end_offset = st->dot_pos;
                break;
            }
            /* ".<CR>x": the CR is bare; the dot was stuffing to a line reader. */
            st->bare_dot++;
            st->bare_cr++;
            uint8_t cls = c == '\r' ? MW_POP_CAND_CRLF_CRCRLF
                          : st->prev_crlf ? MW_POP_CAND_CRLF_CR : MW_POP_CAND_LF_CR;
            pause = add_event(st, ev, ev_cap, &r.nevents, st->dot_pos, cls);
            if (out)
                out[r.out_len++] = '\r';
            st->line_start = false;
            st->cr = false;
        } else if (st->line_start && c == '.') {
            st->dot = 1;
            st->dot_pos = st->pos - 1;
            continue;
        }
        /* An ordinary byte. */
        st->line_start = false;
        if (c == '\n') {
            if (st->cr_dot)
                pause = add_event(st, ev, ev_cap, &r.nevents, st->pos - 2, MW_POP_CAND_CR_LF) || pause;
            st->cr_dot = false;
            if (!st->cr)
                st->bare_lf++;
            st->prev_crlf = st->cr;
            st->cr = false;
            st->lines++;
            st->line_start = true;
        } else if (c == '\r') {
            if (st->cr)
                st->bare_cr++;
            if (st->cr_dot)
                pause = add_event(st, ev, ev_cap, &r.nevents, st->pos - 2, MW_POP_CAND_CR_CR) || pause;
            st->cr_dot = false;
            st->cr = true;
        } else {
            if (st->cr)
                st->bare_cr++;
            st->cr_dot = st->cr && c == '.';
            st->cr = false;
        }
        if (out)
            out[r.out_len++] = c;
    }
    r.consumed = i;
    return r;
}

const char *mw_pop_body_class_bytes(unsigned cls)
{
    switch (cls) {
    case MW_POP_END_STRICT: return "<CR><LF>.<CR><LF>";
    case MW_POP_END_LF_LF: return "<LF>.<LF>";
    case MW_POP_END_LF_CRLF: return "<LF>.<CR><LF>";
    case MW_POP_END_CRLF_LF: return "<CR><LF>.<LF>";
    case MW_POP_CAND_CR_CR: return "<CR>.<CR>";
    case MW_POP_CAND_CR_LF: return "<CR>.<LF>";
    case MW_POP_CAND_LF_CR: return "<LF>.<CR>";
    case MW_POP_CAND_CRLF_CR: return "<CR><LF>.<CR>";
    case MW_POP_CAND_CRLF_CRCRLF: return "<CR><LF>.<CR><CR><LF>";
    default: return "?";
    }
}

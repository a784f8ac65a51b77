/* IMAP framing across segments: see imap_frame.h. */
#include "core/imap/imap_frame.h"

static mw_imap_ev literal_event(mw_imap_frame *st, size_t avail, size_t *pos, mw_imap_event *ev)
{
    size_t take = st->lit_left < (uint64_t)avail ? (size_t)st->lit_left : avail;
    if (take == 0 && st->lit_left != 0) {
        ev->off = *pos;
        return MW_IMAP_EV_NEED_MORE;
    }
    ev->kind = MW_IMAP_EV_LITERAL;
    ev->off = *pos;
    ev->len = take;
    st->lit_left -= take;
    ev->lit_size = st->lit_size;
    ev->lit_left = st->lit_left;
    ev->lit_end = st->lit_left == 0;
    if (ev->lit_end)
        st->in_literal = false;
    *pos += take;
    return MW_IMAP_EV_LITERAL;
}

/* Scan the pending text line from where the last call stopped.  A trailing
 * CR is left unscanned: its LF may be the next byte. */
static bool scan_text(mw_imap_frame *st, const uint8_t *p, size_t avail, mw_line *line)
{
    size_t from = st->scanned <= avail ? st->scanned : 0;
    unsigned prev = from ? st->scan_flags : 0;
    if (mw_line_scan(p + from, avail - from, st->scan_opts, line)) {
        /* A CRLF right at the resume point may close a CR CR LF. */
        if (line->eol == MW_EOL_CRLF && line->len == 0 && from > 0 && p[from - 1] == '\r')
            line->flags |= MW_LINE_CRCRLF;
        line->len += from;
        line->flags |= prev;
        st->scanned = 0;
        st->scan_flags = 0;
        return true;
    }
    size_t upto = avail;
    if (upto > from && p[upto - 1] == '\r')
        upto--;
    /* Bytes before a trailing CR hold no line end, so their flags are plain. */
    st->scan_flags = prev | mw_bytes_flags(p + from, upto - from);
    st->scanned = upto;
    line->len = avail;
    return false;
}

mw_imap_ev mw_imap_frame_next(mw_imap_frame *st, const uint8_t *buf, size_t len, size_t *pos,
                              mw_imap_event *ev)
{
    *ev = (mw_imap_event){0};
    if (*pos > len)
        *pos = len;
    size_t avail = len - *pos;
    if (st->in_literal)
        return literal_event(st, avail, pos, ev);

    mw_line line;
    if (!scan_text(st, buf + *pos, avail, &line)) {
        ev->off = *pos;
        ev->len = avail;
        if (st->max_line == 0 || avail < st->max_line)
            return MW_IMAP_EV_NEED_MORE;
        /* Over-long: deliver what is there as a fragment, keeping a trailing
         * CR back since its LF may follow. */
        size_t take = avail;
        if (buf[*pos + take - 1] == '\r')
            take--;
        ev->kind = MW_IMAP_EV_TEXT;
        ev->len = take;
        ev->line_flags = mw_bytes_flags(buf + *pos, take);
        ev->segment = st->segment;
        ev->fragment = true;
        ev->continued = st->mid_line;
        st->mid_line = true;
        st->scanned = 0;
        st->scan_flags = 0;
        *pos += take;
        return MW_IMAP_EV_TEXT;
    }
    ev->kind = MW_IMAP_EV_TEXT;
    ev->continued = st->mid_line;
    st->mid_line = false;
    ev->off = *pos;
    ev->len = line.len;
    ev->eol = line.eol;
    ev->eol_len = line.eol_len;
    ev->line_flags = line.flags;
    ev->segment = st->segment;
    mw_imap_literal_header(buf + *pos, line.len, st->max_literal, &ev->lit);
    ev->lit.off += *pos;
    ev->lit.digits_off += *pos;
    if (ev->lit.status == MW_IMAP_LIT_OK) {
        st->in_literal = true;
        st->lit_left = ev->lit.size;
        st->lit_size = ev->lit.size;
        st->segment++;
    } else {
        ev->line_end = true;
        st->segment = 0;
    }
    if (ev->lit.status == MW_IMAP_LIT_ABSENT)
        ev->lit.off = ev->lit.digits_off = 0;
    *pos += line.len + line.eol_len;
    return MW_IMAP_EV_TEXT;
}

uint64_t mw_imap_frame_wanted(const mw_imap_frame *st)
{
    return st->in_literal ? st->lit_left : 0;
}

void mw_imap_frame_gap(mw_imap_frame *st, uint64_t missing)
{
    st->scanned = 0;
    st->scan_flags = 0;
    st->mid_line = true;
    if (st->in_literal && st->lit_left > missing) {
        st->lit_left -= missing;
        return;
    }
    st->in_literal = false;
    st->lit_left = 0;
    st->segment = 0;
}

void mw_imap_frame_cancel_literal(mw_imap_frame *st)
{
    if (!st->in_literal)
        return;
    st->in_literal = false;
    st->lit_left = 0;
    st->segment = 0;
}

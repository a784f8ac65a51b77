/* RFC 5322 header fields and address lists: see message.h.  The encoded-word
 * decoder is in encword.c. */
#include "core/mail/message.h"

#include <string.h>

#define NONE ((size_t)-1)

static mw_span span(size_t off, size_t len)
{
    mw_span s = {off, len};
    return s;
}

static bool is_wsp(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Whitespace in an address list, folding line ends included. */
static bool is_fws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Index of the LF ending the line at buf[from], or len. */
static size_t find_lf(const uint8_t *buf, size_t len, size_t from)
{
    const uint8_t *p = from < len ? memchr(buf + from, '\n', len - from) : NULL;
    return p ? (size_t)(p - buf) : len;
}

/* End of a line's content: before the LF and a CR in front of it. */
static size_t content_end(const uint8_t *buf, size_t line, size_t lf, size_t len, unsigned *flags)
{
    if (lf == len)
        return len;
    if (lf > line && buf[lf - 1] == '\r')
        return lf - 1;
    *flags |= MW_HDR_BARE_LF;
    return lf;
}

bool mw_hdr_name_is(const uint8_t *buf, mw_span name, const char *want)
{
    size_t n = strlen(want);
    if (name.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = buf[name.off + i], b = (uint8_t)want[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (uint8_t)(b + 32);
        if (a != b)
            return false;
    }
    return true;
}

/* Name of the field on the line [start, cend): the colon's index or NONE. */
static size_t field_colon(const uint8_t *buf, size_t start, size_t cend, mw_hdr_field *f)
{
    size_t i = start;
    while (i < cend && buf[i] > 32 && buf[i] < 127 && buf[i] != ':')
        i++;
    size_t name_end = i;
    while (i < cend && is_wsp(buf[i]))
        i++;
    if (i == cend || buf[i] != ':' || name_end == start)
        return NONE;
    if (i > name_end)
        f->flags |= MW_HDR_WSP_BEFORE_COLON;
    f->name = span(start, name_end - start);
    return i;
}

mw_hdr_status mw_hdr_next(const uint8_t *buf, size_t len, bool eof, size_t *pos, mw_hdr_field *f)
{
    memset(f, 0, sizeof *f);
    size_t start = *pos;
    if (start >= len)
        return eof ? MW_HDR_EOF : MW_HDR_MORE;
    size_t lf = find_lf(buf, len, start);
    if (lf == len && !eof)
        return MW_HDR_MORE;
    size_t cend = content_end(buf, start, lf, len, &f->flags);
    if (lf == len)
        f->flags |= MW_HDR_NO_EOL;
    size_t next = lf < len ? lf + 1 : len;
    if (cend == start && lf < len) {
        f->end = *pos = next;
        return MW_HDR_END;
    }
    size_t colon = is_wsp(buf[start]) ? NONE : field_colon(buf, start, cend, f);
    if (colon == NONE) {
        f->name = span(start, 0);
        f->value = span(start, cend - start);
        f->end = *pos = next;
        return MW_HDR_BAD;
    }
    size_t v = colon + 1;
    while (v < cend && is_wsp(buf[v]))
        v++;
    /* RFC 5322 2.2.3: a line starting with WSP continues the field. */
    while (next < len && is_wsp(buf[next])) {
        size_t l2 = find_lf(buf, len, next);
        if (l2 == len && !eof)
            return MW_HDR_MORE;
        f->flags |= MW_HDR_FOLDED;
        cend = content_end(buf, next, l2, len, &f->flags);
        size_t k = next;
        while (k < cend && is_wsp(buf[k]))
            k++;
        if (k == cend)
            f->flags |= MW_HDR_EMPTY_FOLD;
        if (l2 == len)
            f->flags |= MW_HDR_NO_EOL;
        next = l2 < len ? l2 + 1 : len;
    }
    if (next == len && !eof && !(f->flags & MW_HDR_NO_EOL))
        return MW_HDR_MORE; /* the next line might continue this field */
    f->value = span(v, cend > v ? cend - v : 0);
    f->end = *pos = next;
    return MW_HDR_FIELD;
}

/* Skips a quoted string, comment or domain literal opening at buf[i];
 * returns the index after its close, or len with *err set. */
static size_t skip_nested(const uint8_t *buf, size_t len, size_t i, const char **err)
{
    uint8_t open = buf[i], close = open == '"' ? '"' : open == '(' ? ')' : ']';
    unsigned depth = 1;
    for (i++; i < len; i++) {
        uint8_t c = buf[i];
        if (c == '\\') {
            i++;
            continue;
        }
        if (c == close && --depth == 0)
            return i + 1;
        if (open == '(' && c == '(')
            depth++;
    }
    *err = open == '"' ? "unterminated quoted string"
           : open == '(' ? "unterminated comment" : "unterminated domain literal";
    return len;
}

/* One list element: [start, end) up to a top-level ',' or ';'. */
typedef struct elem {
    size_t end;
    size_t lt, gt;    /* top-level '<' and its '>' */
    size_t colon;     /* first ':' outside quotes, comments and <> */
    size_t cmt_open, cmt_close; /* last top-level comment, parentheses included */
    const char *error;
} elem;

static void scan_elem(const uint8_t *buf, size_t len, size_t i, elem *e)
{
    e->lt = e->gt = e->colon = e->cmt_open = NONE;
    e->cmt_close = 0;
    e->error = NULL;
    bool angle = false;
    while (i < len) {
        uint8_t c = buf[i];
        if (c == '"' || c == '(' || c == '[') {
            size_t j = skip_nested(buf, len, i, &e->error);
            if (c == '(' && !angle) {
                e->cmt_open = i;
                e->cmt_close = j;
            }
            i = j;
            continue;
        }
        if (c == '<' && e->lt == NONE) {
            e->lt = i;
            angle = true;
        } else if (c == '>' && angle) {
            e->gt = i;
            angle = false;
        } else if (c == ':' && !angle && e->colon == NONE) {
            e->colon = i;
        } else if ((c == ',' || c == ';') && !angle) {
            break;
        }
        i++;
    }
    e->end = i;
    if (angle && !e->error)
        e->error = "missing '>'";
}

static mw_span trim(const uint8_t *buf, size_t a, size_t b)
{
    while (a < b && is_fws(buf[a]))
        a++;
    while (b > a && is_fws(buf[b - 1]))
        b--;
    return span(a, b - a);
}

/* Domain: after the last '@' outside quotes, up to whitespace or '('. */
static void find_domain(const uint8_t *buf, mw_addr *a)
{
    size_t at = NONE, end = a->addr.off + a->addr.len;
    const char *err = NULL;
    for (size_t i = a->addr.off; i < end;) {
        if (buf[i] == '"' || buf[i] == '(') {
            i = skip_nested(buf, end, i, &err);
            continue;
        }
        if (buf[i] == '@')
            at = i;
        i++;
    }
    if (at == NONE) {
        a->flags |= MW_ADDR_NO_AT;
        return;
    }
    size_t d = at + 1;
    while (d < end && !is_fws(buf[d]) && buf[d] != '(')
        d++;
    a->domain = span(at + 1, d - at - 1);
}

static void fill_mailbox(const uint8_t *buf, size_t start, const elem *e, mw_addr *a)
{
    a->error = e->error;
    if (e->lt != NONE) {
        a->flags |= MW_ADDR_ANGLE;
        a->display = trim(buf, start, e->lt);
        a->addr = trim(buf, e->lt + 1, e->gt != NONE ? e->gt : e->end);
        const uint8_t *p = buf + a->addr.off;
        if (a->addr.len && p[0] == '@') {
            const uint8_t *colon = memchr(p, ':', a->addr.len);
            if (colon) {
                size_t skip = (size_t)(colon - p) + 1;
                a->flags |= MW_ADDR_ROUTE;
                a->addr = trim(buf, a->addr.off + skip, a->addr.off + a->addr.len);
            }
        }
    } else {
        a->addr = trim(buf, start, e->end);
        if (e->cmt_open != NONE) {
            a->flags |= MW_ADDR_COMMENT | MW_ADDR_DISPLAY_COMMENT;
            a->display = trim(buf, e->cmt_open + 1, e->cmt_close - 1 > e->cmt_open ? e->cmt_close - 1 : e->cmt_open + 1);
        }
    }
    /* Comments inside the angle brackets or the bare addr-spec. */
    if (memchr(buf + a->addr.off, '(', a->addr.len))
        a->flags |= MW_ADDR_COMMENT;
    find_domain(buf, a);
}

bool mw_addr_next(const uint8_t *buf, size_t len, mw_addr_iter *it, mw_addr *a)
{
    memset(a, 0, sizeof *a);
    for (;;) {
        size_t i = it->pos;
        while (i < len && (is_fws(buf[i]) || buf[i] == ','))
            i++;
        it->pos = i;
        if (i >= len)
            return false;
        if (buf[i] == ';') {
            it->pos = i + 1;
            if (!it->in_group)
                continue; /* a stray ';' */
            it->in_group = false;
            if (it->members > 0)
                continue;
            a->flags = MW_ADDR_EMPTY_GROUP | MW_ADDR_IN_GROUP;
            a->group = it->group;
            return true;
        }
        elem e;
        scan_elem(buf, len, i, &e);
        if (!it->in_group && e.colon != NONE && (e.lt == NONE || e.colon < e.lt)) {
            /* RFC 5322 3.4: group = display-name ":" [group-list] ";" */
            it->group = trim(buf, i, e.colon);
            it->in_group = true;
            it->members = 0;
            it->pos = e.colon + 1;
            continue;
        }
        it->pos = e.end > i ? e.end : i + 1;
        fill_mailbox(buf, i, &e, a);
        if (it->in_group) {
            a->flags |= MW_ADDR_IN_GROUP;
            a->group = it->group;
            it->members++;
        }
        return true;
    }
}

size_t mw_addr_strip(const uint8_t *buf, mw_span s, uint8_t *out, size_t cap)
{
    size_t n = 0, end = s.off + s.len;
    const char *err = NULL;
    for (size_t i = s.off; i < end;) {
        uint8_t c = buf[i];
        if (c == '(') {
            i = skip_nested(buf, end, i, &err);
            continue;
        }
        if (is_fws(c)) {
            i++;
            continue;
        }
        size_t j = c == '"' ? skip_nested(buf, end, i, &err) : i + 1;
        for (; i < j && n < cap; i++)
            out[n++] = buf[i];
        i = j;
    }
    return n;
}

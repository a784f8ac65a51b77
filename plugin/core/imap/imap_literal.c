/* IMAP literal headers: see imap_literal.h. */
#include "core/imap/imap_literal.h"

/* Longest header considered: "~{" + 20 digits + marker + "}" fits with room
 * for a few junk bytes, so "{ 1}" is reported rather than ignored. */
#define HEADER_MAX 40

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

bool mw_imap_parse_u64(const uint8_t *buf, size_t len, uint64_t *out, bool *overflow)
{
    uint64_t v = 0;
    if (overflow)
        *overflow = false;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(buf[i]))
            return false;
        unsigned d = (unsigned)(buf[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            if (overflow)
                *overflow = true;
            *out = UINT64_MAX;
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Classify the bytes between the braces once the marker is stripped. */
static mw_imap_lit_status classify_digits(const uint8_t *d, size_t n, uint64_t *size)
{
    bool overflow;
    if (n == 0)
        return MW_IMAP_LIT_EMPTY;
    if (mw_imap_parse_u64(d, n, size, &overflow))
        return MW_IMAP_LIT_OK;
    if (overflow)
        return MW_IMAP_LIT_OVERFLOW;
    if (!is_digit(d[0])) {
        for (size_t i = 1; i < n; i++)
            if (is_digit(d[i]))
                return MW_IMAP_LIT_LEADING_JUNK;
    }
    return MW_IMAP_LIT_NOT_DIGITS;
}

mw_imap_lit_status mw_imap_literal_header(const uint8_t *buf, size_t len, uint64_t max_size,
                                          mw_imap_lit *lit)
{
    *lit = (mw_imap_lit){0};
    if (len < 2 || buf[len - 1] != '}')
        return MW_IMAP_LIT_ABSENT;
    size_t stop = len > HEADER_MAX ? len - HEADER_MAX : 0;
    size_t open = len - 1;
    while (open > stop && buf[open - 1] != '{' && buf[open - 1] != '}')
        open--;
    if (open == 0 || buf[open - 1] != '{')
        return MW_IMAP_LIT_ABSENT;
    open--; /* now at the "{" */

    size_t d_off = open + 1, d_len = len - 1 - d_off;
    if (d_len > 0 && (buf[d_off + d_len - 1] == '+' || buf[d_off + d_len - 1] == '-')) {
        lit->sync = buf[d_off + d_len - 1] == '+' ? MW_IMAP_LIT_PLUS : MW_IMAP_LIT_MINUS;
        d_len--;
    }
    lit->binary = open > 0 && buf[open - 1] == '~';
    lit->off = lit->binary ? open - 1 : open;
    lit->len = len - lit->off;
    lit->digits_off = d_off;
    lit->digits_len = d_len;
    lit->status = classify_digits(buf + d_off, d_len, &lit->size);
    if (lit->status == MW_IMAP_LIT_OK && max_size != 0 && lit->size > max_size)
        lit->status = MW_IMAP_LIT_INSANE;
    return lit->status;
}

const char *mw_imap_lit_status_name(mw_imap_lit_status status)
{
    switch (status) {
    case MW_IMAP_LIT_OK:
        return "ok";
    case MW_IMAP_LIT_EMPTY:
        return "empty";
    case MW_IMAP_LIT_LEADING_JUNK:
        return "leading junk";
    case MW_IMAP_LIT_NOT_DIGITS:
        return "not digits";
    case MW_IMAP_LIT_OVERFLOW:
        return "overflow";
    case MW_IMAP_LIT_INSANE:
        return "insane";
    case MW_IMAP_LIT_ABSENT:
        break;
    }
    return "absent";
}

/* RFC 2047 encoded words, decoded for display: see mw_ew_decode in message.h. */
#include "core/text/base64.h"
#include "core/mail/message.h"

#include <string.h>

enum { CS_UTF8, CS_LATIN1, CS_RAW };

typedef struct ew {
    size_t end;         /* after "?=" */
    size_t text, tlen;  /* the encoded text */
    uint8_t enc;        /* 'B' or 'Q' */
    int charset;
} ew;

static bool eq_nocase(const uint8_t *p, size_t n, const char *s)
{
    if (n != strlen(s))
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] + 32) : p[i];
        if (c != (uint8_t)s[i])
            return false;
    }
    return true;
}

static int classify_charset(const uint8_t *p, size_t n)
{
    const uint8_t *star = memchr(p, '*', n); /* RFC 2231 language suffix */
    if (star)
        n = (size_t)(star - p);
    if (eq_nocase(p, n, "utf-8") || eq_nocase(p, n, "utf8") || eq_nocase(p, n, "us-ascii"))
        return CS_UTF8;
    if (eq_nocase(p, n, "iso-8859-1") || eq_nocase(p, n, "iso_8859-1") || eq_nocase(p, n, "latin1"))
        return CS_LATIN1;
    return CS_RAW;
}

/* RFC 2047 2: "=?" charset "?" encoding "?" encoded-text "?=", no spaces. */
static bool parse_ew(const uint8_t *in, size_t len, size_t i, ew *w)
{
    if (i + 1 >= len || in[i] != '=' || in[i + 1] != '?')
        return false;
    size_t cs = i + 2, k = cs;
    while (k < len && in[k] != '?' && in[k] > 32 && in[k] < 127)
        k++;
    if (k == cs || k + 2 >= len || in[k] != '?' || in[k + 2] != '?')
        return false;
    uint8_t e = in[k + 1] & (uint8_t)~0x20;
    if (e != 'B' && e != 'Q')
        return false;
    size_t t = k + 3, j = t;
    while (j < len && in[j] != '?' && in[j] > 32 && in[j] < 127)
        j++;
    if (j + 1 >= len || in[j] != '?' || in[j + 1] != '=')
        return false;
    w->charset = classify_charset(in + cs, k - cs);
    w->enc = e;
    w->text = t;
    w->tlen = j - t;
    w->end = j + 2;
    return true;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c &= (uint8_t)~0x20;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Q encoding (RFC 2047 4.2) into out; false on a bad "=XX" or no room. */
static bool decode_q(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *olen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '=') {
            if (i + 2 >= n)
                return false;
            int h = hexval(p[i + 1]), l = hexval(p[i + 2]);
            if (h < 0 || l < 0)
                return false;
            c = (uint8_t)(h << 4 | l);
            i += 2;
        } else if (c == '_') {
            c = ' ';
        }
        if (o == cap)
            return false;
        out[o++] = c;
    }
    *olen = o;
    return true;
}

/* Widens ISO-8859-1 bytes out[0..n) to UTF-8 in place; false if no room. */
static bool latin1_to_utf8(uint8_t *out, size_t n, size_t cap, size_t *olen)
{
    size_t high = 0;
    for (size_t i = 0; i < n; i++)
        high += out[i] >= 0x80;
    if (cap - n < high)
        return false;
    size_t w = n + high;
    *olen = w;
    for (size_t i = n; i-- > 0;) {
        uint8_t c = out[i];
        if (c < 0x80) {
            out[--w] = c;
        } else {
            out[--w] = (uint8_t)(0x80 | (c & 0x3f));
            out[--w] = (uint8_t)(0xc0 | (c >> 6));
        }
    }
    return true;
}

/* Decodes one word into out; false if its text is not valid for its encoding
 * (the caller then keeps the word as written). */
static bool decode_word(const uint8_t *in, const ew *w, uint8_t *out, size_t cap, size_t *olen,
                        unsigned *flags)
{
    const char *err;
    size_t n = 0;
    bool ok = w->enc == 'B' ? mw_base64_decode(in + w->text, w->tlen, out, cap, &n, &err)
                            : decode_q(in + w->text, w->tlen, out, cap, &n);
    if (!ok)
        return false;
    if (w->charset == CS_LATIN1)
        return latin1_to_utf8(out, n, cap, olen);
    if (w->charset == CS_RAW)
        *flags |= MW_EW_RAW_CHARSET;
    *olen = n;
    return true;
}

/* Length of a line end followed by WSP at in[i] (a fold), or 0. */
static size_t fold_len(const uint8_t *in, size_t len, size_t i)
{
    size_t k = i;
    if (k < len && in[k] == '\r')
        k++;
    if (k < len && in[k] == '\n' && k + 1 < len && (in[k + 1] == ' ' || in[k + 1] == '\t'))
        return k + 1 - i;
    return 0;
}

size_t mw_ew_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, unsigned *flags)
{
    size_t o = 0;
    bool after_ew = false; /* the last thing emitted was an encoded word */
    *flags = 0;
    for (size_t i = 0; i < len;) {
        size_t f = fold_len(in, len, i);
        if (after_ew && (f || in[i] == ' ' || in[i] == '\t')) {
            /* RFC 2047 6.2: whitespace between encoded words is dropped. */
            size_t j = i;
            while (j < len && (fold_len(in, len, j) || in[j] == ' ' || in[j] == '\t'))
                j += fold_len(in, len, j) ? fold_len(in, len, j) : 1;
            ew w;
            if (parse_ew(in, len, j, &w)) {
                i = j;
                continue;
            }
            after_ew = false;
            continue;
        }
        if (f) {
            i += f; /* RFC 5322 2.2.3 unfolding: drop the line end, keep the WSP */
            continue;
        }
        ew w;
        size_t n;
        if (parse_ew(in, len, i, &w) && decode_word(in, &w, out + o, cap - o, &n, flags)) {
            o += n;
            *flags |= MW_EW_DECODED;
            after_ew = true;
            i = w.end;
            continue;
        }
        if (in[i] == '=' && i + 1 < len && in[i + 1] == '?')
            *flags |= MW_EW_MALFORMED;
        if (o == cap) {
            *flags |= MW_EW_TRUNCATED;
            break;
        }
        out[o++] = in[i++];
        after_ew = false;
    }
    return o;
}

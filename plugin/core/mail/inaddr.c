/* Address text: see inaddr.h. */
#include "core/mail/inaddr.h"

#include <stdio.h>
#include <string.h>

bool mw_inaddr_parse4(const uint8_t *buf, size_t len, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || buf[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < len && buf[i] >= '0' && buf[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(buf[i++] - '0');
        size_t n = i - start;
        /* "01" is octal to inet_aton and decimal to others: refuse it. */
        if (n == 0 || v > 255 || (n > 1 && buf[start] == '0'))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == len;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool mw_inaddr_parse6(const uint8_t *buf, size_t len, uint8_t out[16])
{
    uint8_t w[16];
    size_t n = 0;          /* bytes written to w */
    long gap = -1;         /* position of "::" in w, or -1 */
    size_t i = 0;
    if (len >= 2 && buf[0] == ':' && buf[1] == ':') {
        gap = 0;
        i = 2;
        if (i == len) {
            memset(out, 0, 16);
            return true;
        }
    } else if (len >= 1 && buf[0] == ':') {
        return false;
    }
    for (;;) {
        size_t start = i;
        unsigned v = 0;
        while (i < len && hexval(buf[i]) >= 0 && i - start < 5)
            v = (v << 4) | (unsigned)hexval(buf[i++]);
        size_t digits = i - start;
        if (i < len && buf[i] == '.') {
            /* An embedded IPv4 address ends the text. */
            if (n > 12 || digits == 0 || !mw_inaddr_parse4(buf + start, len - start, w + n))
                return false;
            n += 4;
            break;
        }
        if (digits == 0 || digits > 4 || n > 14)
            return false;
        w[n++] = (uint8_t)(v >> 8);
        w[n++] = (uint8_t)v;
        if (i == len)
            break;
        if (buf[i] != ':')
            return false;
        i++;
        if (i < len && buf[i] == ':') {
            if (gap >= 0)
                return false;
            gap = (long)n;
            i++;
            if (i == len)
                break;
        } else if (i == len) {
            return false; /* a trailing single ':' */
        }
    }
    if (gap >= 0) {
        if (n > 14)
            return false; /* "::" must stand for at least one group */
        size_t tail = n - (size_t)gap;
        memset(out, 0, 16);
        memcpy(out, w, (size_t)gap);
        memcpy(out + 16 - tail, w + gap, tail);
        return true;
    }
    if (n != 16)
        return false;
    memcpy(out, w, 16);
    return true;
}

size_t mw_inaddr_format4(const uint8_t in[4], char *out)
{
    return (size_t)snprintf(out, MW_INADDR_TEXT_MAX, "%u.%u.%u.%u", in[0], in[1], in[2], in[3]);
}

size_t mw_inaddr_format6(const uint8_t in[16], char *out)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(in, mapped, 12) == 0) {
        size_t n = (size_t)snprintf(out, MW_INADDR_TEXT_MAX, "::ffff:");
        return n + mw_inaddr_format4(in + 12, out + n);
    }
    unsigned g[8];
    for (int k = 0; k < 8; k++)
        g[k] = (unsigned)in[2 * k] << 8 | in[2 * k + 1];
    /* The longest run of two or more zero groups, the first of equals. */
    int best = -1, best_len = 1;
    for (int k = 0; k < 8;) {
        if (g[k] != 0) {
            k++;
            continue;
        }
        int e = k;
        while (e < 8 && g[e] == 0)
            e++;
        if (e - k > best_len) {
            best = k;
            best_len = e - k;
        }
        k = e;
    }
    size_t n = 0;
    for (int k = 0; k < 8; k++) {
        if (k == best) {
            out[n++] = ':';
            if (k == 0)
                out[n++] = ':';
            k += best_len - 1;
            continue;
        }
        n += (size_t)snprintf(out + n, MW_INADDR_TEXT_MAX - n, "%x", g[k]);
        if (k < 7)
            out[n++] = ':';
    }
    out[n] = '\0';
    return n;
}

/* Lenient streaming base64 for MIME bodies: see base64_body.h. */
#include "core/text/base64_body.h"

#include <string.h>

#include "core/text/base64.h"

void mw_b64_stream_init(mw_b64_stream *s)
{
    memset(s, 0, sizeof *s);
}

/* Writes the bytes of a quantum of q data characters (2 or 3) closed early;
 * acc holds q * 6 bits.  Extra low bits must be zero. */
static size_t close_short(mw_b64_stream *s, uint8_t *out)
{
    if (s->q == 2) {
        if (s->acc & 0xf)
            s->flags |= MW_B64_PAD_BITS;
        out[0] = (uint8_t)(s->acc >> 4);
        return 1;
    }
    if (s->q == 3) {
        if (s->acc & 0x3)
            s->flags |= MW_B64_PAD_BITS;
        out[0] = (uint8_t)(s->acc >> 10);
        out[1] = (uint8_t)(s->acc >> 2);
        return 2;
    }
    return 0;
}

/* mw_base64_value of every byte, for the four-at-a-time path. */
static const int8_t value_of[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

size_t mw_b64_stream_feed(mw_b64_stream *s, const uint8_t *in, size_t len, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        /* Most of a body is whole quanta of four data characters: decoded
         * at once, with what the byte-at-a-time path would count. */
        while (s->q == 0 && !s->closed && len - i >= 4) {
            int a = value_of[in[i]], b = value_of[in[i + 1]], c = value_of[in[i + 2]],
                d = value_of[in[i + 3]];
            if ((a | b | c | d) < 0)
                break;
            uint32_t acc = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
            if (s->line < 77 && s->line + 4 >= 77)
                s->flags |= MW_B64_LONG_LINE;
            s->line += 4;
            i += 4;
        }
        if (i == len)
            break;
        uint8_t c = in[i];
        if (c == '\n') {
            s->line = 0;
            continue;
        }
        if (c == '\r' || c == ' ' || c == '\t')
            continue;
        if (++s->line == 77)
            s->flags |= MW_B64_LONG_LINE;
        if (c == '=') {
            if (s->closed) {
                if (s->pads_left)
                    s->pads_left--;
                else
                    s->flags |= MW_B64_BAD_PAD;
                continue;
            }
            if (s->q < 2) {
                /* Nothing to pad: a lone character's 6 bits cannot make a byte. */
                s->flags |= MW_B64_BAD_PAD | (s->q ? MW_B64_PARTIAL : 0);
                s->q = 0;
                s->acc = 0;
                continue;
            }
            s->pads_left = s->q == 2 ? 1 : 0;
            o += close_short(s, out + o);
            s->q = 0;
            s->acc = 0;
            s->closed = 1;
            continue;
        }
        int v = mw_base64_value(c);
        if (v < 0) {
            s->flags |= MW_B64_BAD_CHAR;
            s->bad_chars++;
            continue;
        }
        if (s->closed) {
            s->flags |= MW_B64_AFTER_PAD;
            if (s->pads_left)
                s->flags |= MW_B64_PARTIAL; /* "QQ=" then data: one pad missing */
            s->closed = 0;
            s->pads_left = 0;
        }
        s->acc = s->acc << 6 | (uint32_t)v;
        if (++s->q == 4) {
            out[o++] = (uint8_t)(s->acc >> 16);
            out[o++] = (uint8_t)(s->acc >> 8);
            out[o++] = (uint8_t)s->acc;
            s->q = 0;
            s->acc = 0;
        }
    }
    return o;
}

size_t mw_b64_stream_end(mw_b64_stream *s, uint8_t *out)
{
    size_t o = 0;
    if (s->q)
        s->flags |= MW_B64_PARTIAL;
    o = close_short(s, out);
    if (s->closed && s->pads_left)
        s->flags |= MW_B64_PARTIAL;
    s->q = 0;
    s->acc = 0;
    s->closed = 0;
    s->pads_left = 0;
    return o;
}

/* xtext decoding: see xtext.h. */
#include "core/smtp/xtext.h"

static int hexval(uint8_t c, unsigned *flags)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') {
        *flags |= MW_XTEXT_LOWER_HEX;
        return c - 'a' + 10;
    }
    return -1;
}

size_t mw_xtext_decode(const uint8_t *in, size_t len, uint8_t *out, unsigned *flags)
{
    size_t n = 0;
    *flags = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (c == '+') {
            unsigned f = 0;
            int hi = i + 1 < len ? hexval(in[i + 1], &f) : -1;
            int lo = i + 2 < len ? hexval(in[i + 2], &f) : -1;
            if (hi >= 0 && lo >= 0) {
                *flags |= f;
                out[n++] = (uint8_t)(hi << 4 | lo);
                i += 2;
                continue;
            }
            *flags |= MW_XTEXT_BAD_HEX;
        } else if (c < '!' || c > '~' || c == '=') {
            *flags |= MW_XTEXT_BAD_CHAR;
        }
        out[n++] = c;
    }
    return n;
}

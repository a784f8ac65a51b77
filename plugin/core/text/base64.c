/* Strict base64 decoding: see base64.h. */
#include "core/text/base64.h"

static bool fail(const char **error, const char *why)
{
    *error = why;
    return false;
}

bool mw_base64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                      size_t *out_len, const char **error)
{
    *out_len = 0;
    *error = NULL;
    if (len == 1 && in[0] == '=')
        return true; /* RFC 4954 4: the empty response */
    if (len == 0)
        return fail(error, "empty input");
    if (len % 4 != 0)
        return fail(error, "length not a multiple of 4");
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        size_t pad = 0;
        uint32_t acc = 0;
        for (size_t k = 0; k < 4; k++) {
            uint8_t c = in[i + k];
            if (c == '=' && last && k >= 2) {
                pad++;
                acc <<= 6;
                continue;
            }
            int v = mw_base64_value(c);
            if (v < 0)
                return fail(error, c == '=' ? "misplaced padding" : "invalid character");
            if (pad)
                return fail(error, "misplaced padding");
            acc = acc << 6 | (uint32_t)v;
        }
        if ((pad == 1 && (acc & 0xff)) || (pad == 2 && (acc & 0xffff)))
            return fail(error, "non-zero pad bits");
        size_t bytes = 3 - pad;
        if (out_cap - n < bytes)
            return fail(error, "output buffer too small");
        for (size_t k = 0; k < bytes; k++)
            out[n++] = (uint8_t)(acc >> (16 - 8 * k));
    }
    *out_len = n;
    return true;
}

/* Strict base64 decoding (RFC 4648 4), for SASL messages and RFC 2047
 * encoded words. */
#ifndef MAILWIRE_CORE_BASE64_H
#define MAILWIRE_CORE_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of a character of the base64 alphabet (A-Z a-z 0-9 + /), -1
 * for any other byte ('=' included).  Inline: decoders call it per byte. */
static inline int mw_base64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes strict base64 (alphabet A-Z a-z 0-9 + /, '=' padding to a multiple
 * of four, zero pad bits) into out[0..out_cap).  A lone "=" is the empty
 * response and decodes to nothing.  Returns true with *out_len set; false
 * with *error set ("invalid character", "length not a multiple of 4",
 * "misplaced padding", "non-zero pad bits", "output buffer too small",
 * "empty input").  (len / 4) * 3 bytes of out always suffice. */
bool mw_base64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                      size_t *out_len, const char **error);

#endif

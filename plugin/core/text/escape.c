/* Printable text of ASCII bytes: see escape.h. */
#include "core/text/escape.h"

#include <stdbool.h>
#include <string.h>

/* True when none of the eight bytes at p is below 0x20 or above 0x7e. */
static bool word_printable(const uint8_t *p)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t w;
    memcpy(&w, p, sizeof w);
    uint64_t below_space = (w - ones * 0x20) & ~w & highs;
    uint64_t above_tilde = ((w + ones * (0x7f - 0x7e)) | w) & highs;
    return (below_space | above_tilde) == 0;
}

/* The letter format_text escapes a control byte with, or 0 (octal). */
static char letter_of(uint8_t c)
{
    switch (c) {
    case '\a': return 'a';
    case '\b': return 'b';
    case '\f': return 'f';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    case '\v': return 'v';
    default: return 0;
    }
}

size_t mw_escape_ascii(const uint8_t *in, size_t len, char *out, size_t room)
{
    size_t o = 0;
    size_t i = 0;
    if (room == 0)
        return MW_ESCAPE_UNDONE;
    /* room - o - 1 characters may still be written (one is for the NUL) */
    while (i < len) {
        size_t free_chars = room - o - 1;
        if (len - i >= 8 && free_chars >= 8 && word_printable(in + i)) {
            memcpy(out + o, in + i, 8);
            o += 8;
            i += 8;
            continue;
        }
        uint8_t c = in[i++];
        if (c >= 0x80)
            return MW_ESCAPE_UNDONE;
        char letter = letter_of(c);
        size_t need = c >= 0x20 && c < 0x7f ? 1 : letter ? 2 : 4;
        if (need > free_chars)
            return MW_ESCAPE_UNDONE;
        if (need == 1) {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '\\';
        if (letter) {
            out[o++] = letter;
            continue;
        }
        out[o++] = (char)('0' + ((c >> 6) & 3));
        out[o++] = (char)('0' + ((c >> 3) & 7));
        out[o++] = (char)('0' + (c & 7));
    }
    out[o] = '\0';
    return o;
}

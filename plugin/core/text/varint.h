/* Unsigned LEB128 varints and raw pointers in byte strings: the packed
 * per-call records of IMAP and POP3 store their non-zero fields this way. */
#ifndef MAILWIRE_CORE_VARINT_H
#define MAILWIRE_CORE_VARINT_H

#include <stdint.h>
#include <string.h>

/* Longest encoding of a 64-bit value. */
#define MW_VARINT_MAX 10

/* Writes v to out (MW_VARINT_MAX bytes of room); returns the bytes used. */
static inline unsigned mw_varint_encode(uint8_t *out, uint64_t v)
{
    unsigned n = 0;
    do {
        uint8_t c = (uint8_t)(v & 0x7f);
        v >>= 7;
        out[n++] = v ? (uint8_t)(c | 0x80) : c;
    } while (v);
    return n;
}

/* Reads one value and moves *in past it (the bytes are trusted: they were
 * written by mw_varint_encode). */
static inline uint64_t mw_varint_decode(const uint8_t **in)
{
    uint64_t v = 0;
    for (unsigned sh = 0;; sh += 7) {
        uint8_t c = *(*in)++;
        v |= (uint64_t)(c & 0x7f) << sh;
        if (!(c & 0x80))
            return v;
    }
}

/* Signed values with small magnitudes in few bytes (zig-zag). */
static inline uint64_t mw_varint_zig(int64_t v)
{
    return ((uint64_t)v << 1) ^ (0 - (uint64_t)(v < 0)); /* all ones when negative */
}

static inline int64_t mw_varint_unzig(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline void *mw_ptr_decode(const uint8_t **in)
{
    void *p;
    memcpy(&p, *in, sizeof p);
    *in += sizeof p;
    return p;
}

#endif

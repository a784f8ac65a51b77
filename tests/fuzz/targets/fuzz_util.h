/* Shared helpers of the core fuzz targets: invariant checks that abort (so
 * libFuzzer records the input) and a tiny byte reader for options and split
 * points taken from the front of the input. */
#ifndef MAILWIRE_FUZZ_UTIL_H
#define MAILWIRE_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond)                                                              \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* A span [off, off+len) lies inside a buffer of size total. */
#define FZ_SPAN_IN(off, len, total) FZ_CHECK((off) <= (total) && (len) <= (total) - (off))

/* Reads option bytes from the front of the input; 0 when exhausted. */
typedef struct fz_reader {
    const uint8_t *p;
    size_t n;
} fz_reader;

static inline uint8_t fz_byte(fz_reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static inline uint32_t fz_u32(fz_reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = (v << 8) | fz_byte(r);
    return v;
}

/* A heap copy of exactly n bytes, so ASan catches any read past the end. */
static inline uint8_t *fz_dup(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (n)
        memcpy(d, p, n);
    return d;
}

#endif

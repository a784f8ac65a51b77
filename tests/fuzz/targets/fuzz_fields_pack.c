/* Header text deflated with the preset dictionary: whatever deflates comes
 * back byte for byte and is shorter; any bytes handed to the inflater, with
 * any length claimed, are refused or give exactly that many bytes.  The
 * first input byte chooses: even, deflate the rest; odd, inflate the rest
 * after a two-byte length. */
#include "fuzz_util.h"
#include "core/mail/fields_pack.h"

#include <stdlib.h>

static void round_trip(const uint8_t *b, size_t n)
{
    uint32_t zlen = 0;
    uint8_t *z = mw_fields_deflate(b, (uint32_t)n, &zlen);
    if (!z)
        return;
    FZ_CHECK(zlen < n);
    uint8_t *out = (uint8_t *)malloc(n);
    FZ_CHECK(mw_fields_inflate(z, zlen, out, (uint32_t)n));
    FZ_CHECK(memcmp(out, b, n) == 0);
    /* the length is part of the block: one byte more or less is refused */
    FZ_CHECK(!mw_fields_inflate(z, zlen, out, (uint32_t)n - 1));
    free(out);
    free(z);
}

static void inflate_any(const uint8_t *b, size_t n)
{
    if (n < 2)
        return;
    uint32_t want = (uint32_t)b[0] << 8 | b[1];
    uint8_t *out = (uint8_t *)malloc(want + 1);
    out[want] = 0xA5; /* a guard the inflater must not write */
    (void)mw_fields_inflate(b + 2, (uint32_t)(n - 2), out, want);
    FZ_CHECK(out[want] == 0xA5);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size || size > 65536)
        return 0;
    uint8_t *b = fz_dup(data + 1, size - 1);
    if (data[0] & 1)
        inflate_any(b, size - 1);
    else
        round_trip(b, size - 1);
    free(b);
    return 0;
}

/* Deflated header field blocks: what goes in comes out byte for byte, a
 * block that would not shrink is left as it is, and a cut or misread block
 * is refused rather than shown wrong. */
#include "check.h"
#include "core/mail/fields_pack.h"

#include <stdlib.h>
#include <string.h>

/* A fields block as copies.c builds it: "Name: value", each NUL-ended. */
static const char block[] =
    "Return-Path: <alice@example.test>\0"
    "Received: from client.example.test (client.example.test [192.0.2.10]) by "
    "mx.example.test with ESMTPS id 4Xy1; Tue, 4 Jun 2024 09:15:02 +0000\0"
    "From: Alice <alice@example.test>\0To: Bob <bob@example.test>\0"
    "Subject: Quarterly figures\0Date: Tue, 4 Jun 2024 09:15:00 +0000\0"
    "Message-ID: <20240604091500.1234@example.test>\0MIME-Version: 1.0\0"
    "Content-Type: text/plain; charset=utf-8\0";

static void test_round_trip(void)
{
    uint32_t len = sizeof block - 1, zlen = 0;
    uint8_t *z = mw_fields_deflate((const uint8_t *)block, len, &zlen);
    CHECK(z != NULL);
    if (!z)
        return;
    /* the dictionary is what makes a block this small worth deflating */
    CHECK(zlen < len * 2 / 3);
    uint8_t *out = malloc(len);
    CHECK(mw_fields_inflate(z, zlen, out, len));
    CHECK(memcmp(out, block, len) == 0);
    /* read as a longer or shorter block: refused */
    uint8_t *big = malloc(len + 1);
    CHECK(!mw_fields_inflate(z, zlen, big, len + 1));
    CHECK(!mw_fields_inflate(z, zlen, out, len - 1));
    /* cut short: refused */
    CHECK(!mw_fields_inflate(z, zlen / 2, out, len));
    free(big);
    free(out);
    free(z);
}

/* Every stream is independent of the ones before (the deflater is reused). */
static void test_many(void)
{
    char buf[512];
    for (int i = 0; i < 200; i++) {
        int n = snprintf(buf, sizeof buf, "Subject: message %d%c", i * 7919, 0);
        n += snprintf(buf + n, sizeof buf - (size_t)n, "Message-ID: <%d@example.test>%c", i, 0);
        uint32_t zlen = 0;
        uint8_t *z = mw_fields_deflate((const uint8_t *)buf, (uint32_t)n, &zlen);
        if (!z)
            continue; /* nothing saved: kept as it is */
        CHECK(zlen < (uint32_t)n);
        uint8_t out[512];
        CHECK(mw_fields_inflate(z, zlen, out, (uint32_t)n));
        CHECK(memcmp(out, buf, (size_t)n) == 0);
        free(z);
    }
}

/* Bytes no dictionary knows (every value, no repeats) do not shrink. */
static void test_incompressible(void)
{
    uint8_t raw[256];
    uint32_t x = 2463534242u;
    for (int i = 0; i < 256; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        raw[i] = (uint8_t)x;
    }
    uint32_t zlen = 0;
    CHECK(mw_fields_deflate(raw, sizeof raw, &zlen) == NULL);
    CHECK(mw_fields_deflate(raw, 1, &zlen) == NULL);
}

int main(void)
{
    test_round_trip();
    test_many();
    test_incompressible();
    return CHECK_DONE();
}

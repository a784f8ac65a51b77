/* xtext (RFC 3461 4): printable ASCII with "+XX" hex escapes, used by
 * XCLIENT and XFORWARD attribute values and by DSN ENVID and ORCPT. */
#ifndef MAILWIRE_CORE_XTEXT_H
#define MAILWIRE_CORE_XTEXT_H

#include <stddef.h>
#include <stdint.h>

/* Decoding flags; each marks bytes a strict decoder would refuse. */
enum {
    MW_XTEXT_BAD_HEX = 1u << 0,   /* '+' without two hex digits after it: kept as written */
    MW_XTEXT_LOWER_HEX = 1u << 1, /* "+2b": lower-case hex (RFC 3461 wants upper), decoded anyway */
    MW_XTEXT_BAD_CHAR = 1u << 2,  /* a byte outside '!'..'~', or a bare '=': kept as written */
};

/* Decodes in[0..len) into out, which must have room for len bytes (the
 * decoded text is never longer); returns the decoded length and sets
 * *flags to the MW_XTEXT_* found (0 for clean xtext). */
size_t mw_xtext_decode(const uint8_t *in, size_t len, uint8_t *out, unsigned *flags);

#endif

/* libgcrypt set-up for the core's hashes and signatures, and hex output. */
#ifndef MAILWIRE_CORE_DIGEST_H
#define MAILWIRE_CORE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes libgcrypt usable: inside Wireshark it is already initialised (then
 * this does nothing); in tests and fuzzers this initialises it.  Returns
 * false if the library is too old. */
bool mw_gcrypt_ready(void);

/* Writes 2 * n lower-case hex digits and a NUL to out. */
void mw_hex_lower(const uint8_t *p, size_t n, char *out);

#endif

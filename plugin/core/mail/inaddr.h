/* IPv4 and IPv6 addresses as text, both ways, for the PROXY header and the
 * XCLIENT/XFORWARD attributes: strict parsing (what inet_pton accepts, so a
 * claimed client means one address only) and canonical formatting
 * (dotted quad; RFC 5952 for IPv6, lower case, the longest run of zero
 * groups compressed, ::ffff:a.b.c.d for IPv4-mapped addresses).
 */
#ifndef MAILWIRE_CORE_INADDR_H
#define MAILWIRE_CORE_INADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the longest text either formatter writes, with its NUL. */
#define MW_INADDR_TEXT_MAX 46

/* "a.b.c.d": four decimal octets 0-255, no leading zeros, nothing else. */
bool mw_inaddr_parse4(const uint8_t *buf, size_t len, uint8_t out[4]);

/* RFC 4291 2.2 text: 1-4 hex digits per group, at most one "::", an
 * optional dotted quad in the last 32 bits; no brackets, no zone ("%eth0"). */
bool mw_inaddr_parse6(const uint8_t *buf, size_t len, uint8_t out[16]);

/* Canonical text into out (at least MW_INADDR_TEXT_MAX bytes); returns its length. */
size_t mw_inaddr_format4(const uint8_t in[4], char *out);
size_t mw_inaddr_format6(const uint8_t in[16], char *out);

#endif

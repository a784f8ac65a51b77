/* Header text kept for the capture (the fields a copy is compared by, header
 * blocks and short messages kept whole), deflated with a preset dictionary
 * of common header text: a block of a few hundred bytes alone hardly
 * compresses, but most of it is field names and tokens every message has. */
#ifndef MAILWIRE_CORE_MAIL_FIELDS_PACK_H
#define MAILWIRE_CORE_MAIL_FIELDS_PACK_H

#include <stdbool.h>
#include <stdint.h>

/* raw[0..len) deflated (malloc'd, *out_len bytes), or NULL when that saves
 * nothing. */
uint8_t *mw_fields_deflate(const uint8_t *raw, uint32_t len, uint32_t *out_len);

/* Inflates z[0..zlen) into out[0..raw_len); false when z is not the
 * deflated form of exactly raw_len bytes. */
bool mw_fields_inflate(const uint8_t *z, uint32_t zlen, uint8_t *out, uint32_t raw_len);

#endif

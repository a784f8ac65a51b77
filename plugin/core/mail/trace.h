/* The trace header fields of a message (RFC 5321 4.4, RFC 5322 3.6.7,
 * RFC 8601, RFC 8617): which fields of the header block they are, in header
 * order (newest first), and the small helpers that compare them with the
 * SMTP envelope.  Each kind's syntax is parsed by received.h, authres.h and
 * arc.h.
 */
#ifndef MAILWIRE_CORE_TRACE_H
#define MAILWIRE_CORE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/text/span.h"

typedef enum mw_trace_kind {
    MW_TRACE_RECEIVED = 0,
    MW_TRACE_AUTH_RESULTS,
    MW_TRACE_ARC_SEAL,
    MW_TRACE_ARC_MSG_SIG,
    MW_TRACE_ARC_AUTH_RESULTS,
    MW_TRACE_RETURN_PATH,
    MW_TRACE_DELIVERED_TO,
    MW_TRACE_X_ORIGINAL_TO,
    MW_TRACE_KINDS
} mw_trace_kind;

typedef struct mw_trace_field {
    mw_trace_kind kind;
    mw_span field;  /* name through the last line end */
    mw_span value;  /* the raw value (folding kept) */
} mw_trace_field;

/* Finds the trace fields in the header block of msg[0..len) (up to the
 * empty line, or a line that is not a field), in order; records up to max in
 * out and returns how many there are in all. */
unsigned mw_trace_fields(const uint8_t *msg, size_t len, mw_trace_field *out, unsigned max);

/* The address of a Return-Path value ("<a@b>", "<>", or leniently a bare
 * a@b), without brackets, comments or surrounding whitespace.  False when
 * there is none to take. */
bool mw_return_path(const uint8_t *v, size_t len, mw_span *addr);

/* Whether two mailbox addresses are the same: the domain compared without
 * case (RFC 5321 2.4), the local part too, as receivers do in practice. */
bool mw_addr_same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif

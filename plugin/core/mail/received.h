/* Received trace fields (RFC 5321 4.4, RFC 5322 3.6.7): the clauses from,
 * by, via, with, id and for, the date after the last ';', and hints that the
 * hop used TLS (a "with" protocol of RFC 3848 ending in S or SA, a comment
 * naming TLS, Postfix's "using TLSv1.3").  Also RFC 5322 dates, so a chain
 * of hops can be checked for dates that go backwards.
 *
 * Lenient where real servers are: a clause value runs over every word up to
 * the next clause keyword (Exchange writes "with Microsoft SMTP Server"),
 * comments anywhere, clauses in any order, a missing date (flagged).
 */
#ifndef MAILWIRE_CORE_RECEIVED_H
#define MAILWIRE_CORE_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/text/span.h"

/* Flags. */
enum {
    MW_RCV_TLS = 1u << 0,        /* the hop says it used TLS */
    MW_RCV_AUTH = 1u << 1,       /* the "with" protocol says the client authenticated (…A) */
    MW_RCV_NO_DATE = 1u << 2,    /* no ';' date */
    MW_RCV_BAD_DATE = 1u << 3,   /* a date that does not parse */
    MW_RCV_STRAY = 1u << 4,      /* words before the first clause keyword */
    MW_RCV_DUP = 1u << 5,        /* a clause twice (the first is kept) */
    MW_RCV_UNTERMINATED = 1u << 6, /* a comment without its end */
};

typedef enum mw_rcv_clause {
    MW_RCV_FROM = 0, MW_RCV_BY, MW_RCV_VIA, MW_RCV_WITH, MW_RCV_ID, MW_RCV_FOR, MW_RCV_CLAUSES
} mw_rcv_clause;

typedef struct mw_received {
    mw_span clause[MW_RCV_CLAUSES]; /* values as written, empty when absent */
    mw_span info[MW_RCV_CLAUSES];   /* the first comment after each value (TCP-info of from) */
    mw_span date;                   /* after the last ';', trimmed */
    mw_span tls;                    /* what says TLS: the "with" value or a comment */
    bool time_ok;
    int64_t time;                   /* the date in seconds since 1970 (UTC) */
    unsigned flags;                 /* MW_RCV_* */
} mw_received;

/* Parses the value v[0..len) of a Received field (folding allowed). */
void mw_received_parse(const uint8_t *v, size_t len, mw_received *r);

/* RFC 5322 3.3 date-time (with the obsolete zone names of 4.3, a missing
 * second, a two- or three-digit year, a trailing comment) to seconds since
 * 1970 UTC.  False when it does not parse. */
bool mw_date_parse(const uint8_t *s, size_t len, int64_t *out);

/* Hops are in header order (newest first).  True when the newer hop is
 * dated before the older one (the chain goes backwards there); *by gets the
 * difference in seconds.  False when either date is unknown. */
bool mw_received_backwards(const mw_received *newer, const mw_received *older, int64_t *by);

#endif

/* Postfix XCLIENT and XFORWARD command arguments (XCLIENT_README,
 * XFORWARD_README): "NAME=value" attributes separated by spaces, names
 * case-insensitive, values xtext-encoded.
 *
 * XCLIENT changes who the server thinks the client is (an accepted one is
 * answered by a new 220 greeting); XFORWARD only changes what the server
 * logs.  The iterator splits the arguments, decodes each value, checks it
 * against its attribute and flags what Postfix would refuse.  Spans are
 * offsets into the caller's buffer, so they map to tvb offsets:
 *
 *     uint8_t *dec = g_malloc(args.len ? args.len : 1);
 *     mw_xattr_iter it;
 *     mw_xattr a;
 *     mw_xattr_begin(&it, MW_XCLIENT, line, args.off, args.off + args.len);
 *     while (mw_xattr_next(&it, &a, dec))
 *         ... a.name, a.value (as written), dec + a.decoded.off (decoded) ...
 *     if (it.count == 0) ... no attribute at all ...
 */
#ifndef MAILWIRE_CORE_SMTP_XCLIENT_H
#define MAILWIRE_CORE_SMTP_XCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mail/inaddr.h"
#include "core/smtp/xtext.h"
#include "core/text/span.h"

typedef enum mw_xcmd_kind {
    MW_XCLIENT = 0,
    MW_XFORWARD = 1,
} mw_xcmd_kind;

typedef enum mw_xattr_id {
    MW_XATTR_UNKNOWN = 0,
    MW_XATTR_NAME,         /* client host name (both) */
    MW_XATTR_ADDR,         /* client address, IPv6 as "IPV6:..." (both) */
    MW_XATTR_PORT,         /* client port (both) */
    MW_XATTR_PROTO,        /* SMTP or ESMTP (both) */
    MW_XATTR_HELO,         /* HELO/EHLO argument (both) */
    MW_XATTR_LOGIN,        /* SASL login name (XCLIENT) */
    MW_XATTR_REVERSE_NAME, /* name from the reverse lookup alone (XCLIENT) */
    MW_XATTR_DESTADDR,     /* server address the client connected to (XCLIENT) */
    MW_XATTR_DESTPORT,     /* server port (XCLIENT) */
    MW_XATTR_SOURCE,       /* LOCAL or REMOTE origin (XFORWARD) */
    MW_XATTR_IDENT,        /* queue id at the previous hop (XFORWARD) */
    MW_XATTR_COUNT
} mw_xattr_id;

/* "NAME", ...; "unknown" for MW_XATTR_UNKNOWN. */
const char *mw_xattr_name(mw_xattr_id id);
/* Lower case, for field names mail.smtp.xclient.<attr>: "name", "reverse_name"; NULL for unknown. */
const char *mw_xattr_field(mw_xattr_id id);
/* Whether the command defines the attribute (Postfix refuses the others). */
bool mw_xattr_allowed(mw_xcmd_kind kind, mw_xattr_id id);
/* "XCLIENT" or "XFORWARD". */
const char *mw_xcmd_name(mw_xcmd_kind kind);

/* Attribute flags. */
enum {
    MW_XATTR_F_UNKNOWN = 1u << 0,    /* not an attribute of this command (unknown, or the other command's) */
    MW_XATTR_F_NO_EQUALS = 1u << 1,  /* a word without '=' */
    MW_XATTR_F_EMPTY_NAME = 1u << 2, /* "=value" */
    MW_XATTR_F_DUPLICATE = 1u << 3,  /* the attribute was given earlier in the same command */
    MW_XATTR_F_BAD_XTEXT = 1u << 4,  /* the value is not clean xtext (xtext_flags says how) */
    MW_XATTR_F_BAD_ADDR = 1u << 5,   /* ADDR/DESTADDR: not IPv4, "IPV6:" + IPv6, or [UNAVAILABLE] */
    MW_XATTR_F_BAD_PORT = 1u << 6,   /* PORT/DESTPORT: not 1-5 digits up to 65535, or [UNAVAILABLE] */
    MW_XATTR_F_BAD_VALUE = 1u << 7,  /* XCLIENT PROTO not SMTP/ESMTP; SOURCE not LOCAL/REMOTE;
                                        NAME/REVERSE_NAME not a host name; [TEMPUNAVAIL] where
                                        only NAME and REVERSE_NAME allow it */
    MW_XATTR_F_SPACING = 1u << 8,    /* preceded by other than exactly one SP */
};
#define MW_XATTR_F_COUNT 9

/* Short text for one flag bit ("unknown attribute"); NULL if unknown. */
const char *mw_xattr_flag_text(unsigned bit);

typedef enum mw_xattr_special {
    MW_XATTR_PLAIN = 0,
    MW_XATTR_UNAVAILABLE, /* "[UNAVAILABLE]" (any case): the proxy does not know it */
    MW_XATTR_TEMPUNAVAIL, /* "[TEMPUNAVAIL]": a lookup failed for now (NAME, REVERSE_NAME) */
} mw_xattr_special;

typedef struct mw_xattr {
    mw_xattr_id id;
    mw_span item;          /* "name=value" as written */
    mw_span name;          /* the name as written, any case */
    mw_span value;         /* after '=', xtext as written; empty without '=' */
    bool has_equals;
    mw_span decoded;       /* the decoded value: offset into the dec buffer, not buf */
    unsigned flags;        /* MW_XATTR_F_* */
    unsigned xtext_flags;  /* MW_XTEXT_* */
    mw_xattr_special special;
    /* ADDR, DESTADDR */
    bool ipv6_prefix;      /* the value starts with "IPV6:" (any case) */
    bool addr_valid;
    unsigned addr_family;  /* 4 or 6 when addr_valid */
    uint8_t addr[16];      /* network order; 4 bytes used for IPv4 */
    char addr_text[MW_INADDR_TEXT_MAX]; /* canonical, without "IPV6:": the client the server sees */
    /* PORT, DESTPORT */
    bool port_valid;
    uint16_t port;
} mw_xattr;

typedef struct mw_xattr_iter {
    mw_xcmd_kind kind;
    const uint8_t *buf;
    size_t start, pos, end;
    unsigned count;        /* attributes returned so far */
    uint32_t seen;         /* 1 << id for each known attribute returned */
    unsigned flags;        /* OR of the flags of the attributes returned */
} mw_xattr_iter;

/* Starts on the arguments buf[start..end) of an XCLIENT or XFORWARD line. */
void mw_xattr_begin(mw_xattr_iter *it, mw_xcmd_kind kind, const uint8_t *buf, size_t start, size_t end);

/* The next attribute, or false at the end.  dec must have room for
 * end - start bytes and is shared by all calls of one walk: each decoded
 * value lands at dec + a->decoded.off (the value's own offset from start),
 * so the values of earlier attributes stay valid. */
bool mw_xattr_next(mw_xattr_iter *it, mw_xattr *a, uint8_t *dec);

#endif

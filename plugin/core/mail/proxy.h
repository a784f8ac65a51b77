/* HAProxy PROXY protocol header, versions 1 and 2 (HAProxy's
 * proxy-protocol.txt), as a proxy sends it at the start of the client's
 * stream, before the first byte of SMTP, IMAP or POP3.
 *
 * mw_proxy_parse looks at the first bytes of the client stream and says
 * whether they are a header, could still become one, or are not one.  All
 * spans are offsets from the start of the buffer given, so they map to tvb
 * offsets.  A header with errors is still a header (status HEADER, errors
 * set): a receiver would have refused the connection, an analyst wants to
 * see why.  Only use_addresses says whether the claimed client counts.
 */
#ifndef MAILWIRE_CORE_PROXY_H
#define MAILWIRE_CORE_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mail/inaddr.h"
#include "core/text/span.h"

#define MW_PROXY_V1_MAX 107   /* a v1 line, CRLF included, is never longer */
#define MW_PROXY_V2_FIXED 16  /* signature, version/command, family, length */
#define MW_PROXY_V2_SIG_LEN 12
extern const uint8_t mw_proxy_v2_sig[MW_PROXY_V2_SIG_LEN]; /* "\r\n\r\n\0\r\nQUIT\n" */

typedef enum mw_proxy_status {
    MW_PROXY_NEED_MORE = 0, /* a prefix of a header (or nothing yet): call again with more bytes */
    MW_PROXY_NONE,          /* not a PROXY header: the stream starts with the protocol itself */
    MW_PROXY_HEADER,        /* a header of hdr->len bytes, errors or not */
} mw_proxy_status;

typedef enum mw_proxy_command {
    MW_PROXY_CMD_LOCAL = 0, /* v2 only: the proxy's own connection (health check); addresses ignored */
    MW_PROXY_CMD_PROXY = 1, /* relayed on behalf of the client in src (v1 is always PROXY) */
} mw_proxy_command;

typedef enum mw_proxy_family {
    MW_PROXY_AF_UNSPEC = 0, /* v1 UNKNOWN */
    MW_PROXY_AF_INET = 1,   /* v1 TCP4 */
    MW_PROXY_AF_INET6 = 2,  /* v1 TCP6 */
    MW_PROXY_AF_UNIX = 3,
} mw_proxy_family;

typedef enum mw_proxy_transport {
    MW_PROXY_TP_UNSPEC = 0,
    MW_PROXY_TP_STREAM = 1, /* v1 TCP4/TCP6 */
    MW_PROXY_TP_DGRAM = 2,
} mw_proxy_transport;

/* Header errors (mw_proxy_header.errors).  Any of them means a receiver
 * following the specification drops the connection. */
enum {
    MW_PROXY_E_TRUNCATED = 1u << 0,   /* the stream ended inside the header (at_end) */
    MW_PROXY_E_V1_TOO_LONG = 1u << 1, /* no LF within 107 bytes: len is 107 */
    MW_PROXY_E_V1_BARE_LF = 1u << 2,  /* the line ends in LF without CR */
    MW_PROXY_E_V1_SPACING = 1u << 3,  /* a separator other than exactly one SP */
    MW_PROXY_E_V1_PROTO = 1u << 4,    /* protocol missing or not TCP4, TCP6, UNKNOWN */
    MW_PROXY_E_V1_MISSING = 1u << 5,  /* TCP4/TCP6 with fewer than four fields after it */
    MW_PROXY_E_V1_EXTRA = 1u << 6,    /* TCP4/TCP6 with more than four fields after it */
    MW_PROXY_E_SRC_ADDR = 1u << 7,    /* v1: not an address of the family (missing, bad, IPv6 in brackets) */
    MW_PROXY_E_DST_ADDR = 1u << 8,
    MW_PROXY_E_SRC_PORT = 1u << 9,    /* v1: not decimal 0-65535 without leading zeros */
    MW_PROXY_E_DST_PORT = 1u << 10,
    MW_PROXY_E_V2_VERSION = 1u << 11, /* version nibble not 2: nothing after the fixed part is parsed */
    MW_PROXY_E_V2_COMMAND = 1u << 12, /* command nibble neither LOCAL (0) nor PROXY (1) */
    MW_PROXY_E_V2_FAMILY = 1u << 13,  /* family/transport byte not one of 0x00 0x11 0x12 0x21 0x22 0x31 0x32 */
    MW_PROXY_E_V2_ADDR_LEN = 1u << 14,/* length shorter than the family's addresses (12, 36, 216) */
    MW_PROXY_E_V2_TLV = 1u << 15,     /* some TLV or SSL sub-TLV has errors (mw_proxy_tlv.errors) */
    MW_PROXY_E_V2_CRC32C = 1u << 16,  /* the CRC32C TLV does not match the header */
};
#define MW_PROXY_E_COUNT 17

/* Short text for one error bit ("v1 line longer than 107 bytes"); NULL if unknown. */
const char *mw_proxy_error_text(unsigned bit);

/* Room for a UNIX path of 108 bytes, every byte escaped as \xHH, and a NUL. */
#define MW_PROXY_ADDR_TEXT_MAX (4 * 108 + 2)

typedef struct mw_proxy_addr {
    mw_span span;     /* v1: the field as written; v2: the raw bytes (4, 16 or 108) */
    bool valid;       /* v1: parsed for the family; v2: present */
    uint8_t bin[16];  /* network order; 4 bytes used for INET */
    /* Canonical text when valid ("203.0.113.7", "2001:db8::7", no brackets);
     * for UNIX the path up to its NUL, non-printable bytes as \xHH, an
     * abstract socket (leading NUL) as "@name".  Empty when not valid. */
    char text[MW_PROXY_ADDR_TEXT_MAX];
} mw_proxy_addr;

typedef struct mw_proxy_port {
    mw_span span;     /* v1: the field as written; v2: the 2 raw bytes */
    bool valid;
    uint16_t value;
} mw_proxy_port;

typedef struct mw_proxy_header {
    unsigned version;      /* 1 or 2 (a v2 header with another version nibble still says 2) */
    size_t len;            /* header bytes from buf[0]; the mail protocol starts at buf[len] */
    unsigned errors;       /* MW_PROXY_E_* */
    /* The header is valid, says PROXY, and carries an INET, INET6 or UNIX
     * address pair: the session's client is src.  False for LOCAL, v1
     * UNKNOWN, v2 UNSPEC, and any error. */
    bool use_addresses;
    mw_proxy_command command;
    mw_proxy_family family;       /* as far as known; UNSPEC when unknown */
    mw_proxy_transport transport;
    mw_proxy_addr src, dst;
    mw_proxy_port srcport, dstport; /* not for UNIX */

    /* v1 */
    mw_span v1_proto;      /* "TCP4", "TCP6", "UNKNOWN" or whatever stands there */
    mw_span v1_rest;       /* after "UNKNOWN ": receivers ignore it; empty otherwise */
    mw_span line_end;      /* CRLF or LF; empty when too long or truncated */

    /* v2 */
    uint8_t ver_cmd;       /* buf[12]: version << 4 | command, as sent */
    uint8_t fam;           /* buf[13]: family << 4 | transport, as sent */
    uint16_t v2_len;       /* buf[14..15]: length of what follows the fixed 16 bytes */
    mw_span payload;       /* the v2_len bytes after the fixed part (clipped when truncated) */
    mw_span addr_block;    /* the family's addresses (12, 36, 216 bytes or empty) */
    mw_span tlvs;          /* from the end of the address block to the end of the header;
                              empty for UNSPEC, whose payload receivers ignore unread */
    unsigned tlv_count;    /* top-level TLVs */
    bool has_crc32c;       /* a well-formed CRC32C TLV was found */
    uint32_t crc32c, crc32c_computed; /* as sent; over the header with the TLV's value zeroed */
} mw_proxy_header;

/* Parses the start of a client stream, buf[0..len).  at_end says no more
 * bytes will come (FIN, end of capture): a partial header is then returned as
 * HEADER with MW_PROXY_E_TRUNCATED rather than NEED_MORE.  v1 is recognised
 * by "PROXY" followed by SP, CR or LF; v2 by its 12-byte signature. */
mw_proxy_status mw_proxy_parse(const uint8_t *buf, size_t len, bool at_end, mw_proxy_header *hdr);

/* "LOCAL"/"PROXY", "UNSPEC"/"AF_INET"/..., "UNSPEC"/"STREAM"/"DGRAM"; "unknown" otherwise. */
const char *mw_proxy_command_name(unsigned command);
const char *mw_proxy_family_name(unsigned family);
const char *mw_proxy_transport_name(unsigned transport);

/* v2 TLV types. */
enum {
    MW_PP2_TYPE_ALPN = 0x01,
    MW_PP2_TYPE_AUTHORITY = 0x02,
    MW_PP2_TYPE_CRC32C = 0x03,
    MW_PP2_TYPE_NOOP = 0x04,
    MW_PP2_TYPE_UNIQUE_ID = 0x05,
    MW_PP2_TYPE_SSL = 0x20,
    MW_PP2_SUBTYPE_SSL_VERSION = 0x21,
    MW_PP2_SUBTYPE_SSL_CN = 0x22,
    MW_PP2_SUBTYPE_SSL_CIPHER = 0x23,
    MW_PP2_SUBTYPE_SSL_SIG_ALG = 0x24,
    MW_PP2_SUBTYPE_SSL_KEY_ALG = 0x25,
    MW_PP2_SUBTYPE_SSL_GROUP = 0x26,
    MW_PP2_SUBTYPE_SSL_SIG_SCHEME = 0x27,
    MW_PP2_SUBTYPE_SSL_CLIENT_CERT = 0x28, /* DER */
    MW_PP2_TYPE_NETNS = 0x30,
    MW_PP2_TYPE_AWS = 0xea,   /* custom range, but common enough to name (VPC endpoint) */
    MW_PP2_TYPE_AZURE = 0xee, /* custom range (private endpoint link id) */
};
/* SSL TLV client bits. */
enum {
    MW_PP2_CLIENT_SSL = 0x01,
    MW_PP2_CLIENT_CERT_CONN = 0x02,
    MW_PP2_CLIENT_CERT_SESS = 0x04,
};

/* TLV errors (mw_proxy_tlv.errors). */
enum {
    MW_PROXY_TLV_E_OVERRUN = 1u << 0, /* type/length or value runs past the header (or the SSL value) */
    MW_PROXY_TLV_E_LENGTH = 1u << 1,  /* a length the type forbids: CRC32C not 4, SSL under 5, UNIQUE_ID over 128 */
    MW_PROXY_TLV_E_CRC32C = 1u << 2,  /* the checksum does not match */
};

typedef struct mw_proxy_tlv {
    uint8_t type;
    uint16_t length;       /* as sent */
    mw_span span;          /* type, length and value, clipped to the region */
    mw_span value;         /* clipped to the region */
    const char *name;      /* "ALPN", ..., "SSL_VERSION", "AWS", "AZURE", or "custom" (0xE0-0xEF),
                              "experimental" (0xF0-0xF7), "future" (0xF8-0xFF), "unassigned" */
    unsigned errors;       /* MW_PROXY_TLV_E_* */
    /* An SSL sub-type at the top level or a top-level type inside SSL: named
     * after its usual place; receivers ignore it, so it is no error. */
    bool misplaced;
    /* SSL (value at least 5 bytes) */
    uint8_t ssl_client;    /* MW_PP2_CLIENT_* bits */
    uint32_t ssl_verify;   /* 0: the client's certificate was verified */
    mw_span ssl_subs;      /* the sub-TLVs: walk them with mw_proxy_tlv_begin_ssl */
    /* CRC32C (value of 4 bytes) */
    uint32_t crc32c, crc32c_computed;
} mw_proxy_tlv;

typedef struct mw_proxy_tlv_iter {
    size_t pos, end;
    bool in_ssl;
} mw_proxy_tlv_iter;

/* Walks the top-level TLVs of a v2 header hdr parsed from buf:
 *   mw_proxy_tlv_begin(&hdr, &it); while (mw_proxy_tlv_next(buf, &hdr, &it, &t)) ...
 * A TLV that overruns is returned once, clipped and flagged, and ends the walk. */
void mw_proxy_tlv_begin(const mw_proxy_header *hdr, mw_proxy_tlv_iter *it);
/* Walks the sub-TLVs of an SSL TLV. */
void mw_proxy_tlv_begin_ssl(const mw_proxy_tlv *ssl, mw_proxy_tlv_iter *it);
bool mw_proxy_tlv_next(const uint8_t *buf, const mw_proxy_header *hdr, mw_proxy_tlv_iter *it,
                       mw_proxy_tlv *t);

/* The name of a type; in_ssl for sub-TLVs of SSL. */
const char *mw_proxy_tlv_name(uint8_t type, bool in_ssl);

/* CRC32C (Castagnoli), as the CRC32C TLV uses it. */
uint32_t mw_crc32c(uint32_t crc, const uint8_t *buf, size_t len);

#endif

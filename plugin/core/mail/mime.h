/* The MIME structure of a whole message (RFC 2045, 2046, 2183, 2231): one
 * linear walk that lists every part with its byte spans, content type,
 * disposition, file name, transfer encoding, encoded and decoded sizes and
 * the MD5, SHA-1 and SHA-256 of its decoded bytes, plus a SHA-256 of the
 * whole message.
 *
 * The walk reads each line once and keeps the open multiparts on an explicit
 * stack bounded by the nesting limit; a delimiter of an outer multipart ends
 * every inner part still open (as readers do).  Bodies are decoded in small
 * chunks straight into the hashes, so memory does not grow with the message.
 * A delimiter line is "--" boundary, optional "--", optional blanks, then
 * CRLF, LF or the end of the message (as strict as Python's email package:
 * a line with more text after the boundary is not one, and is flagged); the
 * line end before a delimiter belongs to it (RFC 2046 5.1.1).  message/rfc822 and
 * message/global parts in an identity encoding are walked as nested messages.
 *
 * Limitations: parts past opts.max_parts are skipped (MW_MIME_PART_LIMIT);
 * container parts past opts.max_depth are hashed as opaque leaves
 * (MW_PART_DEPTH_LIMIT); uuencode and other encodings are not decoded
 * (MW_PART_UNKNOWN_CTE: the bytes are hashed as they are).
 */
#ifndef MAILWIRE_CORE_MIME_H
#define MAILWIRE_CORE_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mail/mime_param.h"
#include "core/text/span.h"

#define MW_MIME_DEFAULT_MAX_DEPTH 16
#define MW_MIME_DEFAULT_MAX_PARTS 1000

typedef struct mw_mime_opts {
    unsigned max_depth; /* deepest part that may hold parts (0: the default); at most 255 */
    unsigned max_parts; /* parts recorded at most (0: the default) */
    bool no_hashes;     /* skip decoding and hashing (sizes stay 0) */
    bool no_digests;    /* decode (sizes, decoding errors) but compute no digest */
} mw_mime_opts;

typedef enum mw_cte {
    MW_CTE_7BIT = 0, /* also when the field is absent */
    MW_CTE_8BIT,
    MW_CTE_BINARY,
    MW_CTE_QP,
    MW_CTE_BASE64,
    MW_CTE_OTHER, /* cte_name says which; not decoded */
} mw_cte;

/* Part flags: anomalies and facts an analyst filters on. */
enum {
    MW_PART_BAD_BASE64 = 1u << 0,     /* base64 body with MW_B64_ERRORS (decode_flags) */
    MW_PART_BAD_QP = 1u << 1,         /* quoted-printable body with MW_QP_ERRORS */
    MW_PART_UNCLOSED = 1u << 2,       /* multipart whose close delimiter never came */
    MW_PART_NO_PARTS = 1u << 3,       /* multipart in which its boundary never appears */
    MW_PART_DEPTH_LIMIT = 1u << 4,    /* would hold parts past the nesting limit: kept opaque */
    MW_PART_DECEPTIVE_NAME = 1u << 5, /* file name hides its real extension (filename_flags) */
    MW_PART_NO_BOUNDARY = 1u << 6,    /* multipart without a usable boundary: kept opaque */
    MW_PART_BAD_CONTENT_TYPE = 1u << 7, /* Content-Type without type/subtype: default used */
    MW_PART_DUP_FIELD = 1u << 8,      /* Content-Type, -Disposition or -Transfer-Encoding twice: first used */
    MW_PART_DUP_PARAM = 1u << 9,      /* a parameter twice, or both name= and name*= */
    MW_PART_UNKNOWN_CTE = 1u << 10,   /* a transfer encoding other than the five of RFC 2045 */
    MW_PART_ENCODED_CONTAINER = 1u << 11, /* multipart or message/rfc822 with base64 or QP */
    MW_PART_NAME_MISMATCH = 1u << 12, /* Content-Type name= differs from Content-Disposition filename= */
    MW_PART_BAD_HEADER = 1u << 13,    /* a header line that is no field: the body starts there */
    MW_PART_NO_BODY = 1u << 14,       /* no empty line after the header fields */
    MW_PART_BOUNDARY_LOOKALIKE = 1u << 15, /* multipart: a line starts with its delimiter but goes on */
    MW_PART_BAD_PARAMS = 1u << 16,    /* malformed parameter syntax (MW_HV_* of a field) */
    MW_PART_ATTACHMENT = 1u << 17,    /* not a multipart; disposition "attachment" or a file name
                                         (a forwarded message/rfc822 counts, as the .eml it is) */
};

typedef struct mw_mime_part {
    unsigned index;      /* in document order; 0 is the message itself */
    int parent;          /* index of the container, -1 for the message */
    unsigned depth;      /* 0 for the message */
    unsigned n_children;
    unsigned number;     /* position among its container's parts, from 1 (0 for the message) */
    mw_span header;      /* the header fields, up to the empty line (excluded) */
    mw_span body;        /* after the empty line, up to the line end before the next delimiter */
    mw_span preamble;    /* multipart: before the first delimiter */
    mw_span epilogue;    /* multipart: after the close delimiter */
    bool multipart;      /* walked as a multipart: its parts follow */
    bool message;        /* walked as an encapsulated message: its part follows */
    char *type, *subtype;     /* lower case: "text", "plain" (defaults applied) */
    mw_mime_hvalue content_type; /* the field as parsed (value "" when absent) */
    mw_mime_hvalue disposition;  /* value NULL when absent */
    char *filename;      /* UTF-8: filename= of the disposition, else name= of the type; or NULL */
    unsigned filename_flags; /* MW_FN_* */
    mw_cte cte;
    char *cte_name;      /* lower case as written, or NULL when absent */
    bool decoded;        /* a leaf whose body was decoded: decoded_size, decode_flags */
    bool hashed;         /* ... and hashed: md5, sha1, sha256 */
    uint64_t encoded_size;   /* body.len */
    uint64_t decoded_size;
    unsigned decode_flags;   /* MW_B64_* or MW_QP_* */
    uint8_t md5[16], sha1[20], sha256[32];
    unsigned flags;      /* MW_PART_* */
} mw_mime_part;

/* Message flags. */
enum {
    MW_MIME_DEPTH_LIMIT = 1u << 0, /* some part reached the nesting limit */
    MW_MIME_PART_LIMIT = 1u << 1,  /* parts past max_parts were not recorded */
    MW_MIME_NO_HASH = 1u << 2,     /* libgcrypt unusable: no hashes */
    MW_MIME_HASH_OFF = 1u << 3,    /* opts.no_digests: no hashes, message sha256 unset */
};

typedef struct mw_mime_message {
    mw_mime_part *parts; /* n_parts entries, document order */
    unsigned n_parts;
    unsigned flags;      /* MW_MIME_* */
    unsigned all_part_flags; /* OR of every part's flags */
    uint8_t sha256[32];  /* of the whole message as given */
} mw_mime_message;

/* Walks msg[0..len), the whole message as delivered (headers and body),
 * into *out; opts may be NULL for the defaults.  Release with
 * mw_mime_message_clear. */
void mw_mime_walk(const uint8_t *msg, size_t len, const mw_mime_opts *opts, mw_mime_message *out);
void mw_mime_message_clear(mw_mime_message *m);

/* Writes the IMAP section number of part i (RFC 3501 6.4.5: "2.1.3") to
 * out[0..cap), NUL-terminated and cut to fit: "" for the message itself;
 * the message inside a message/rfc822 part shares that part's number and
 * its parts number below it ("3.1"), as FETCH BODY[...] does. */
void mw_mime_part_section(const mw_mime_message *m, unsigned i, char *out, size_t cap);

/* Decodes body[0..len) in encoding cte (identity for all but base64 and
 * quoted-printable) to sink, in chunks of at most a few KiB; returns the
 * decoded size and sets *decode_flags (MW_B64_* or MW_QP_*). */
typedef void (*mw_mime_sink)(void *ctx, const uint8_t *p, size_t n);
uint64_t mw_mime_decode(mw_cte cte, const uint8_t *body, size_t len, mw_mime_sink sink, void *ctx,
                        unsigned *decode_flags);

/* The decoded bytes of part p of msg (what Export Objects saves), in a
 * g_malloc'd buffer of *len bytes. */
uint8_t *mw_mime_part_decoded(const uint8_t *msg, const mw_mime_part *p, size_t *len);

#endif

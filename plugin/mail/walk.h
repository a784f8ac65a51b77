/* What the MIME walk of one whole message leaves for every pass.  The walk
 * (core/mail/mime) runs once, in the protocol's parse, when the message
 * completes; its results are kept compact (strings, sizes, hashes and
 * spans, no message bytes and no parse structures) in the engine's per-frame
 * store, so revisits show them whether or not the message's bytes were kept
 * (mail.message.keep).  The copies of the message (copies.h) are noted at
 * the same time. */
#ifndef MAILWIRE_WALK_H
#define MAILWIRE_WALK_H

#include <epan/packet.h>

#include "engine/stream.h"

struct mail_copy;

typedef struct mail_walk_part {
    const char *section;      /* IMAP section number ("" for the message itself) */
    const char *content_type; /* "type/subtype", lower case, defaults applied */
    const char **params;      /* "name=value", decoded; n_params of them */
    const char *disposition;  /* NULL when absent */
    const char *filename;     /* UTF-8, NULL when none */
    const char *encoding;     /* transfer encoding as written, lower case; NULL: absent */
    guint64 encoded_size, decoded_size;
    guint32 n_params;
    guint32 flags;            /* MW_PART_* */
    guint32 header_off;       /* in the message: the header fields, */
    guint32 body_off, end;    /* the body, the end of the part */
    guint8 cte;               /* mw_cte (export decodes with it) */
    guint8 container;         /* a multipart or an encapsulated message */
    guint8 decoded;           /* decoded_size and the decoding errors are known */
    guint8 hashed;            /* md5, sha1, sha256 are set */
    guint8 md5[16], sha1[20], sha256[32];
} mail_walk_part;

/* One block per message, its parts included. */
typedef struct mail_walk {
    guint32 len;              /* bytes of the message */
    guint32 n_parts;          /* parts recorded, the message itself included */
    guint32 attachments;      /* parts with MW_PART_ATTACHMENT */
    guint32 flags;            /* MW_MIME_* */
    guint8 sha256[32];        /* of the whole message (unset with MW_MIME_NO_HASH or _HASH_OFF) */
    struct mail_copy *copy;   /* links to the other copies */
    mail_walk_part parts[];
} mail_walk;

/* parse: walks the whole message buf[0..len) the call completes and keeps
 * the result for every pass (file scope). */
const mail_walk *mail_walk_note(mw_ctx *ctx, const guint8 *buf, guint len);

/* Any pass: the walk of the frame's next whole message of len bytes, in the
 * order parse noted them (each is taken once per dissection of the frame);
 * NULL when none was noted. */
const mail_walk *mail_walk_take(packet_info *pinfo, guint len);

/* The decoded bytes of part p of the message msg (g_malloc'd, *len bytes). */
guint8 *mail_walk_part_decoded(const guint8 *msg, guint msg_len, const mail_walk_part *p,
                               size_t *len);

/* The preference mail.message.hash (default TRUE): digests of parts and
 * messages.  Registered by mail_walk_register, with the "mail" module. */
gboolean mail_walk_hashing(void);
void mail_walk_register(int proto_mail);

#endif

/* IMAP dissector internals shared by the imap*.c files.
 *
 * imap.c           registration, the per-call loop, text lines and their dispatch
 * imap_tags.c      commands and completions: the per-conversation tag table, links, timing
 * imap_literal.c   literal headers and bodies, message accumulation and the IMF handoff
 * imap_response.c  server lines: tagged completions, response codes, untagged data
 * imap_fetch.c     FETCH data items, ENVELOPE, BODYSTRUCTURE
 * imap_state.c     session state, IDLE, STARTTLS, COMPRESS, commands per state
 * imap_auth.c      LOGIN and AUTHENTICATE credentials
 *
 * The conversation state (imap_state) is flat and copied by the stream engine
 * before every call; its pointers only lead to file-scope records whose
 * parse-relevant fields never change after creation (see stream.h).
 */
#ifndef MAILWIRE_IMAP_H
#define MAILWIRE_IMAP_H

#include <epan/packet.h>

#include "core/imap/imap_command.h"
#include "core/imap/imap_literal.h"
#include "core/imap/imap_response.h"
#include "core/imap/imap_token.h"
#include "engine/stream.h"

typedef enum imap_session {
    IMAP_SESS_NOT_AUTH = 0,
    IMAP_SESS_AUTH,
    IMAP_SESS_SELECTED,
    IMAP_SESS_LOGOUT,
} imap_session;

/* What a literal's octets are, decided when its header is read. */
typedef enum imap_lit_use {
    IMAP_LIT_STRING = 0, /* an ordinary string argument or value */
    IMAP_LIT_MESSAGE,    /* a whole message: FETCH BODY[] RFC822 BINARY[], APPEND */
    IMAP_LIT_HEADER,     /* a header block: BODY[HEADER], HEADER.FIELDS, RFC822.HEADER */
    IMAP_LIT_TEXT,       /* a body without its header: BODY[TEXT], RFC822.TEXT */
    IMAP_LIT_PART,       /* a body part: BODY[1.2] */
    IMAP_LIT_MIME,       /* a part's MIME header: BODY[1.MIME] */
    IMAP_LIT_USERNAME,   /* LOGIN user */
    IMAP_LIT_PASSWORD,   /* LOGIN password */
} imap_lit_use;

/* A command seen from the client, file scope.  Created on the first pass;
 * tag, cmd, frame and mailbox never change afterwards; the completion fields
 * are filled on the first pass when the completion is seen (display only). */
typedef struct imap_cmd_rec {
    const char *tag;
    mw_imap_cmd cmd;
    gboolean uid;
    guint32 frame;
    nstime_t time;
    const char *mailbox;    /* SELECT/EXAMINE argument, else NULL */
    gboolean reused;        /* its tag was still in flight when it was sent */
    guint32 done_frame;     /* the tagged completion, 0 while none */
    nstime_t done_time;
    mw_imap_kw status;
    guint64 stream_off;     /* the client stream offset of its line (finds it again) */
    struct imap_cmd_rec *next_in_frame;
} imap_cmd_rec;

/* A literal, file scope: created at its header on the first pass. */
typedef struct imap_lit_rec {
    guint64 size;
    imap_lit_use use;
    const char *label;      /* e.g. "BODY[HEADER.FIELDS (FROM)]" */
    guint8 *buf;            /* accumulated octets (messages, headers, short strings) */
    guint64 have;           /* octets appended so far (first pass) */
    gboolean broken;        /* bytes of it were lost from the capture */
    guint32 header_frame;
    guint32 end_frame;      /* the frame of its last octet; 0: never ended */
    gboolean cancelled;     /* a refused synchronizing literal: never sent */
} imap_lit_rec;

/* Walk of the tokens of a logical line across its literals. */
struct imap_lit_rec;
#define IMAP_WALK_DEPTH 12
typedef enum imap_walk_kind {
    IMAP_WALK_NONE = 0,
    IMAP_WALK_ARGS,  /* a client command's arguments */
    IMAP_WALK_FETCH, /* an untagged FETCH's msg-att list */
} imap_walk_kind;

typedef struct imap_walk {
    guint8 kind;            /* imap_walk_kind */
    guint8 depth;           /* list depth at the start of the next segment */
    guint8 item;            /* FETCH: the item whose value is being read */
    guint8 expect_value;    /* FETCH: at depth 1, a value (not a name) comes next */
    guint8 item_depth;      /* FETCH: depth where the current value started */
    guint16 arg;            /* ARGS: depth-0 arguments seen */
    guint8 pos[IMAP_WALK_DEPTH]; /* elements seen in each open list */
    guint16 multi;          /* BODYSTRUCTURE: bit d, the list at depth d began with a list */
    guint16 strseen;        /* BODYSTRUCTURE: bit d, a non-list element came at depth d */
    guint16 part;           /* BODYSTRUCTURE: bit d, the list at depth d is a body part */
    guint8 addr_n;          /* FETCH ENVELOPE: parts of an address open at the segment end */
    const struct imap_lit_rec *last_lit; /* the literal just before this segment, if kept */
    imap_lit_use next_use;  /* the use of the literal ending this segment */
    const char *next_label;
} imap_walk;

/* One direction's framing state. */
typedef struct imap_dir {
    guint64 lit_left;       /* octets of the current literal still to come */
    imap_lit_rec *lit;      /* the current literal */
    gboolean in_logical;    /* a literal ended: the next text continues the logical line */
    guint8 line_kind;       /* IMAP_LINE_*: what the logical line is */
    guint8 cmd;             /* client: the command; server: the keyword (mw_imap_kw) */
    imap_cmd_rec *rec;      /* client: the command being sent */
    guint8 frag_tail;       /* IMAP_FRAG_*: how the last fragment of an over-long line ended */
    imap_walk walk;
} imap_dir;

/* The token cut at the end of a fragment of an over-long line. */
enum { IMAP_FRAG_CLEAN = 0, IMAP_FRAG_ATOM, IMAP_FRAG_QUOTED, IMAP_FRAG_QUOTED_ESC };

enum { IMAP_LINE_NONE = 0, IMAP_LINE_COMMAND, IMAP_LINE_SASL, IMAP_LINE_DONE,
       IMAP_LINE_UNTAGGED, IMAP_LINE_TAGGED, IMAP_LINE_CONTINUATION };

#define IMAP_INFLIGHT 16

/* Per-conversation records, file scope. */
typedef struct imap_conv {
    wmem_map_t *by_frame; /* frame number -> first imap_cmd_rec sent in it */
    wmem_map_t *lits;     /* stream offset * 2 + dir of a literal header -> imap_lit_rec */
} imap_conv;

typedef struct imap_state {
    imap_dir d[2];
    imap_conv *conv;                 /* file-scope tag table */
    guint8 session;                  /* imap_session */
    const imap_cmd_rec *selected;    /* the SELECT/EXAMINE in effect */
    guint64 uidvalidity;
    guint32 exists;
    imap_cmd_rec *inflight[IMAP_INFLIGHT]; /* sent, not yet completed, oldest first */
    guint n_inflight;
    imap_cmd_rec *auth;              /* AUTHENTICATE under way */
    guint8 auth_mech;                /* mw_sasl_mech */
    guint8 auth_step;                /* client responses seen */
    guint8 auth_prompt;              /* mw_sasl_login_prompt: what the last challenge asked */
    const char *auth_user;           /* user name for a secret still to come (see imap_auth.c) */
    guint32 auth_user_frame;
    imap_cmd_rec *idle;              /* IDLE under way */
    nstime_t idle_start;
    gboolean await_plus;             /* the client sent a synchronizing literal header */
    guint8 starttls;                 /* 0, 1 = STARTTLS sent, 2 = accepted */
    gboolean compressed;             /* COMPRESS DEFLATE accepted */
} imap_state;

/* Shared fields (registered in imap.c). */
extern int proto_imap;
extern int hf_imap_tag;
extern int hf_imap_mailbox;
extern int hf_imap_capability;
extern int hf_imap_flag;
extern int hf_imap_number;
extern int hf_imap_string;
extern gint ett_imap_item;
extern dissector_handle_t imap_handle;

/* Preferences. */
extern guint64 imap_pref_max_literal;
extern guint64 imap_pref_max_message;

/* Short string literals are kept so a value split by them reads whole. */
#define IMAP_STRING_KEEP 1024

/* Token helpers. */
const char *imap_tok_text(mw_ctx *ctx, tvbuff_t *tvb, gint base, const mw_imap_tok *t);
gint imap_line_ptr(tvbuff_t *tvb, gint off, gint len, const guint8 **p);

/* imap_tags.c */
imap_conv *imap_conv_new(void);
imap_cmd_rec *imap_cmd_begin(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, const char *tag,
                             gint tag_off, gint tag_len, const mw_imap_command *c);
imap_cmd_rec *imap_cmd_complete(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, const char *tag,
                                gint tag_off, gint tag_len, mw_imap_kw status);
void imap_cmd_link_untagged(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off);
void imap_tags_register(int proto);

/* imap_literal.c */
void imap_literal_header(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint line_off,
                         const mw_imap_lit *lit, imap_lit_use use, const char *label);
gint imap_literal_body(mw_ctx *ctx, tvbuff_t *tvb, gint offset);
void imap_literal_gap(imap_state *st, int dir, guint32 missing);
void imap_literal_cancel(mw_ctx *ctx, int dir);
void imap_literal_register(int proto);

/* imap_response.c */
void dissect_imap_server_line(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len);
void dissect_imap_untagged_more(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len);
void imap_response_register(int proto);

/* imap_fetch.c */
void imap_fetch_start(imap_walk *w);
void dissect_imap_fetch_segment(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                                imap_walk *w);
void imap_fetch_register(int proto);

/* imap_state.c */
void imap_state_show(mw_ctx *ctx);
void imap_state_command(mw_ctx *ctx, proto_item *it, const imap_cmd_rec *rec);
void imap_state_completed(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint end,
                          const imap_cmd_rec *rec, mw_imap_kw status);
void imap_state_untagged(mw_ctx *ctx, const mw_imap_response *r);
gboolean dissect_imap_done(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len);
void imap_state_plaintext_check(mw_ctx *ctx, proto_item *it);
gint dissect_imap_compressed(mw_ctx *ctx, tvbuff_t *tvb, gint offset);
void imap_state_register(int proto);

/* imap_auth.c */
void dissect_imap_login_arg(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base,
                            const mw_imap_tok *tok, guint arg);
void imap_auth_login_begin(mw_ctx *ctx);
/* whole: the literal's octets when it ends in this call, else NULL. */
void dissect_imap_login_literal(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                                imap_lit_use use, const guint8 *whole, guint64 whole_len);
void dissect_imap_authenticate(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                               imap_cmd_rec *rec);
void dissect_imap_sasl_line(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len);
void dissect_imap_sasl_challenge(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len);
void imap_auth_register(int proto);
void imap_auth_handoff(void);

#endif

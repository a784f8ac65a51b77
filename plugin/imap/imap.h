/* IMAP dissector internals shared by the imap*.c files.
 *
 * imap.c           registration, the per-call records, text lines and their dispatch
 * imap_tags.c      commands and completions: in-flight tags, links, timing
 * imap_literal.c   literal headers and bodies, message accumulation and the IMF handoff
 * imap_response.c  server lines: tagged completions, response codes, untagged data
 * imap_fetch.c     FETCH data items, ENVELOPE, BODYSTRUCTURE
 * imap_state.c     session state, IDLE, STARTTLS, COMPRESS, commands per state
 * imap_auth.c      LOGIN and AUTHENTICATE credentials
 *
 * IMAP runs in the engine's records mode (stream.h).  The session machine
 * (core/imap/imap_session.c: framing, line kinds, tags in flight, literal
 * progress, session state) runs on the first pass and emits records.  Each
 * file here has a parse side (imap_parse_*: first pass, adds what needs the
 * line's content: FETCH and argument walks, credentials; touches no tree)
 * and a render side (imap_render_*: every pass, reads only the items, the
 * bytes and the file-scope command and literal records they point to).  A
 * fact learnt later (a completion, a literal's end) is written into those
 * records when it is parsed.
 */
#ifndef MAILWIRE_IMAP_H
#define MAILWIRE_IMAP_H

#include <epan/packet.h>

#include "core/imap/imap_command.h"
#include "core/imap/imap_inflate.h"
#include "core/imap/imap_session.h"
#include "core/imap/imap_literal.h"
#include "core/imap/imap_response.h"
#include "core/imap/imap_token.h"
#include "engine/stream.h"

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

/* A command: the session machine's record (core/imap/imap_session.h); user
 * holds the mailbox a SELECT or EXAMINE names. */
typedef mw_imap_command_rec imap_cmd_rec;

/* What the epan layer keeps of a literal beside the session machine's record
 * (core, reached through core->user). */
typedef struct imap_lit_rec {
    const mw_imap_literal_rec *core; /* size, progress, header and end frames */
    imap_lit_use use;
    const char *label;      /* e.g. "BODY[HEADER.FIELDS (FROM)]" */
    guint8 *buf;            /* octets being collected (messages, headers), or short strings */
    const struct mw_kept *kept; /* a message, header block or MIME header, once whole */
} imap_lit_rec;

/* Walk of the tokens of a logical line across its literals. */
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
    guint32 items;          /* FETCH: data items named so far */
    const struct imap_lit_rec *last_lit; /* the literal just before this segment, if kept */
    imap_lit_use next_use;  /* the use of the literal ending this segment */
    const char *next_label;
} imap_walk;

/* A line longer than the carry limit, read in pieces (imap_longline.c):
 * filled in when its last piece is read; file scope, shared by its pieces. */
typedef struct imap_linelen {
    guint64 length;         /* octets of the whole line with its line end */
    guint32 first_frame;    /* where the line began */
    guint32 end_frame;      /* where its last piece is; 0 until then */
} imap_linelen;

/* One direction's state of the parse side beside the session machine. */
typedef struct imap_dir {
    imap_lit_rec *lit;      /* the current literal */
    guint8 frag_tail;       /* IMAP_FRAG_*: how the last fragment of an over-long line ended */
    imap_walk walk;
    /* COMPRESS: the direction's deflate stream (file scope), the end of the
     * last call's inflated octets that is an unfinished line (points into
     * that call's record), and whether inflating stopped for good. */
    mw_imap_numcount nc;    /* SEARCH/SORT: numbers of the line so far, across fragments */
    mw_imap_inflate *z;
    const guint8 *zcarry;
    guint zcarry_len;
    gboolean zdead;
    imap_linelen *ll;       /* the over-long line under way, if any */
    guint64 ll_len;         /* its octets so far, without the line end */
} imap_dir;

/* The token cut at the end of a fragment of an over-long line. */
enum { IMAP_FRAG_CLEAN = 0, IMAP_FRAG_ATOM, IMAP_FRAG_QUOTED, IMAP_FRAG_QUOTED_ESC };

/* What a text line is: the session machine's kinds. */
enum { IMAP_LINE_NONE = MW_IMAP_LK_MALFORMED, IMAP_LINE_COMMAND = MW_IMAP_LK_COMMAND,
       IMAP_LINE_SASL = MW_IMAP_LK_SASL, IMAP_LINE_DONE = MW_IMAP_LK_DONE,
       IMAP_LINE_UNTAGGED = MW_IMAP_LK_UNTAGGED, IMAP_LINE_TAGGED = MW_IMAP_LK_TAGGED,
       IMAP_LINE_CONTINUATION = MW_IMAP_LK_CONTINUATION, IMAP_LINE_CANCEL = MW_IMAP_LK_CANCEL,
       IMAP_LINE_MORE = MW_IMAP_LK_MORE };

/* Commands in flight are tracked up to this many; past it the oldest is
 * dropped and an expert says so, instead of false findings. */
#define IMAP_INFLIGHT_MAX 4096

/* What a continuation request answers. */
enum { IMAP_CONT_PLAIN = MW_IMAP_CONT_PLAIN, IMAP_CONT_LITERAL = MW_IMAP_CONT_LITERAL,
       IMAP_CONT_SASL = MW_IMAP_CONT_SASL, IMAP_CONT_IDLE = MW_IMAP_CONT_IDLE };

/* Findings of a line (imap_item.anomalies): the session machine's, and one
 * of the epan layer. */
enum {
    IMAP_AN_TAG_UNKNOWN = MW_IMAP_AN_TAG_UNKNOWN,
    IMAP_AN_INFLIGHT_FULL = MW_IMAP_AN_INFLIGHT_FULL,
    IMAP_AN_WRONG_STATE = MW_IMAP_AN_WRONG_STATE,
    IMAP_AN_DONE_NOT_IDLE = MW_IMAP_AN_DONE_NOT_IDLE,
    IMAP_AN_PLAINTEXT = MW_IMAP_AN_PLAINTEXT,
    IMAP_AN_TAG_FORGOTTEN = MW_IMAP_AN_TAG_FORGOTTEN,
    IMAP_AN_LIT_HEADER = 1u << 8,   /* the line ends in a literal header that counts */
};

enum { IMAP_ITEM_LINE = 0, IMAP_ITEM_LITERAL, IMAP_ITEM_COMPRESSED };

/* One record per text line, literal chunk or compressed run of a call: what
 * the first pass found, enough for every pass to show it. */
typedef struct imap_item {
    guint8 kind;            /* IMAP_ITEM_* */
    guint8 line_kind;       /* LINE: IMAP_LINE_* */
    guint8 logical;         /* LINE: continues a logical line after a literal */
    guint8 cmd;             /* LINE: client, the command; server, the keyword */
    guint8 cont_what;       /* LINE continuation: IMAP_CONT_* */
    guint8 eff_state;       /* LINE command: the state it met (mw_imap_sstate) */
    guint8 sasl_mech;       /* SASL: the mechanism (mw_sasl_mech) */
    guint8 sasl_step;       /* SASL: client responses before this one */
    guint8 sasl_prompt;     /* SASL LOGIN: what the last challenge asked */
    guint16 anomalies;      /* IMAP_AN_* */
    mw_line_at l;           /* LINE: the line as found (span, line end, fragment) */
    gint start, end;        /* LINE: the part that is tokenized, from l.offset */
    gint off, len;          /* LITERAL, COMPRESSED: span in the call's tvb */
    const imap_walk *walk;  /* LINE: the walk at its start when it goes on one; else NULL */
    const imap_cmd_rec *rec;/* the command begun, completed, let go, or whose IDLE ends */
    imap_lit_rec *lit;      /* LINE: the literal announced; LITERAL: the literal */
    guint64 lit_at;         /* LITERAL: offset of the chunk in the literal */
    guint64 lit_left;       /* LITERAL: octets left before the chunk */
    guint32 untagged_for;   /* LINE untagged: the only command in flight, else 0 */
    const char *user;       /* LOGIN/SASL: the user name known before this item */
    guint32 user_frame;
    guint8 session_first;   /* LINE: the session's first line (taps the session) */
    guint8 count_what;      /* IMAP_COUNT_*: what count is */
    guint64 count;          /* SEARCH/SORT: numbers of the whole line up to this piece */
    const imap_linelen *ll; /* LINE: a piece of a line longer than the carry limit */
} imap_item;

/* Numbers a SEARCH or SORT line shows as items; the rest are only counted. */
#define IMAP_SHOW_NUMBERS 100
enum { IMAP_COUNT_NONE = 0, IMAP_COUNT_SEARCH_PART, IMAP_COUNT_SEARCH };

/* COMPRESS: what the call's compressed run inflated to (file scope; its
 * first zcarried octets are an unfinished line of earlier calls) and the
 * items found in it.  Apart from imap_call: few calls have it. */
typedef struct imap_zcall {
    guint inflated_len;
    guint zcarried;
    guint n_zitems;
    const char *zerr;             /* IMAP_Z_ERROR: zlib's message */
    const guint8 *inflated;
    const guint8 *zitems;         /* packed */
} imap_zcall;

/* The mailbox in effect as a call began: shared by the calls of a session
 * while it does not change (file scope). */
typedef struct imap_snap {
    const imap_cmd_rec *selected; /* the SELECT/EXAMINE in effect */
    guint64 uidvalidity;
    guint32 exists;
} imap_snap;

/* The record of one call: one block (the arena): this header; in the
 * selected state, a pointer to its imap_snap; when zstatus is not
 * IMAP_Z_NONE, a pointer to its imap_zcall; then its items packed
 * (imap_items.c).  Read them with imap_call_snap, imap_call_z and
 * imap_call_items. */
typedef struct imap_call {
    guint8 session;               /* mw_imap_sstate before the call */
    guint8 start;                 /* MW_IMAP_START_*: how the capture of the session began */
    guint8 inferred;              /* the state was inferred (mid-stream start) */
    guint8 zstatus;               /* IMAP_Z_* */
    guint32 n_items;
} imap_call;

/* What follows the header: the pointers the call has, then the items. */
static inline gsize imap_call_slots(const imap_call *c)
{
    return ((c->session == MW_IMAP_SS_SELECTED) + (c->zstatus != 0)) * sizeof(void *);
}

/* The mailbox state (NULL outside the selected state). */
static inline const imap_snap *imap_call_snap(const imap_call *c)
{
    const imap_snap *s = NULL;
    if (c->session == MW_IMAP_SS_SELECTED)
        memcpy(&s, c + 1, sizeof s);
    return s;
}

/* COMPRESS: the call's imap_zcall, NULL when zstatus is IMAP_Z_NONE. */
static inline const imap_zcall *imap_call_z(const imap_call *c)
{
    const imap_zcall *z = NULL;
    if (c->zstatus)
        memcpy(&z, (const guint8 *)(c + 1) + (c->session == MW_IMAP_SS_SELECTED) * sizeof(void *),
               sizeof z);
    return z;
}

static inline const guint8 *imap_call_items(const imap_call *c)
{
    return (const guint8 *)(c + 1) + imap_call_slots(c);
}

/* imap_items.c: items packed for keeping, unpacked to be shown. */
gsize imap_items_packed_size(const imap_item *items, guint n);
void imap_items_pack(guint8 *out, const imap_item *items, guint n);
/* Fills *it from the packed item at in; returns the next one. */
const guint8 *imap_items_unpack(const guint8 *in, imap_item *it);

enum {
    IMAP_Z_NONE = 0, /* nothing compressed in the call */
    IMAP_Z_OK,       /* the compressed run inflated */
    IMAP_Z_ERROR,    /* inflating failed in this call */
    IMAP_Z_DEAD,     /* inflating failed earlier (or bytes were lost): not inflated */
};

typedef struct imap_state {
    mw_imap_sess sess;               /* the session machine (core) */
    imap_dir d[2];
    guint8 auth_mech;                /* mw_sasl_mech */
    guint8 auth_step;                /* client responses seen */
    guint8 auth_prompt;              /* mw_sasl_login_prompt: what the last challenge asked */
    const char *auth_user;           /* user name for a secret still to come (file scope) */
    const imap_snap *snap;           /* the last mailbox state recorded, shared while unchanged */
    gboolean session_seen;           /* a line of the session has been recorded */
    guint32 auth_user_frame;
} imap_state;

/* Parse side: the call being parsed. */
typedef struct imap_parse {
    mw_ctx *ctx;
    imap_state *st;
    imap_dir *ds;
    tvbuff_t *tvb;          /* the call's bytes, or the inflated octets */
    wmem_array_t *items;
    gint z_off, z_len;      /* the compressed run of the call (z_off -1: none) */
} imap_parse;

/* Render side: the call being shown. */
typedef struct imap_render {
    mw_ctx *ctx;
    tvbuff_t *tvb;
    const imap_item *it;
    proto_item *line_it;    /* the item of the line */
    const char *user;       /* LOGIN: the user name so far in this item */
    guint32 user_frame;
} imap_render;

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
/* The capture has been read once: a link still missing is missing for good. */
gboolean imap_capture_read(void);

/* imap_tags.c */
void imap_render_command_links(imap_render *rd, proto_tree *t);
void imap_render_completion_links(imap_render *rd, proto_tree *t, const char *tag);
void imap_render_untagged_link(imap_render *rd, proto_tree *t, gint off);
void imap_cmd_time(const imap_cmd_rec *r, nstime_t *t);
void imap_tags_register(int proto);

/* imap_literal.c */
void imap_parse_literal_header(imap_parse *ps, imap_item *it, mw_imap_literal_rec *core,
                               imap_lit_use use, const char *label);
void imap_parse_literal_body(imap_parse *ps, const mw_imap_rec *rec);
void imap_render_literal_header(imap_render *rd, proto_tree *t);
void imap_render_literal_body(imap_render *rd);
void imap_literal_register(int proto);

/* imap_response.c */
void imap_parse_server_line(imap_parse *ps, imap_item *it, gint off, gint len);
void imap_parse_untagged_more(imap_parse *ps, gint off, gint len);
void imap_render_server_line(imap_render *rd, proto_tree *t, gint off, gint len);
void imap_render_untagged_more(imap_render *rd, proto_tree *t, gint off, gint len, imap_walk *w);
void imap_render_search_count(imap_render *rd, proto_tree *t);
/* ID parameters: each field name with its value below it. */
void imap_render_id_params(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len);
void imap_response_register(int proto);

/* imap_fetch.c */
void imap_fetch_start(imap_walk *w);
/* t NULL: parse side (advance the walk, name the literal that ends the
 * segment); else show the segment's tokens. */
void imap_fetch_segment(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                        imap_walk *w);
void imap_fetch_register(int proto);

/* imap_state.c */
/* The call's state; its mailbox state (NULL outside the selected state). */
const imap_snap *imap_state_snapshot(imap_state *st, imap_call *call);
void imap_render_state(mw_ctx *ctx, const imap_call *call);
void imap_render_state_command(imap_render *rd);
void imap_parse_starttls_done(imap_parse *ps);
void imap_render_done(imap_render *rd, proto_tree *t, gint off, gint len);
void imap_render_plaintext_check(imap_render *rd);
void imap_render_compressed(imap_render *rd, const imap_call *call);
void imap_state_register(int proto);

/* imap_auth.c */
void imap_parse_login_arg(imap_parse *ps, gint base, const mw_imap_tok *tok, guint arg);
void imap_render_login_arg(imap_render *rd, proto_tree *t, gint base, const mw_imap_tok *tok,
                           guint arg);
void imap_parse_login_begin(imap_parse *ps);
void imap_parse_login_literal(imap_parse *ps, imap_item *it, gint off, gint len);
/* whole: the literal's octets when it ends in this chunk, else NULL. */
void imap_render_login_literal(imap_render *rd, proto_tree *t, gint off, gint len,
                               const guint8 *whole, guint64 whole_len);
void imap_parse_authenticate(imap_parse *ps, imap_item *it, gint off, gint len);
void imap_render_authenticate(imap_render *rd, proto_tree *t, gint off, gint len);
void imap_parse_sasl_line(imap_parse *ps, imap_item *it, gint off, gint len);
void imap_render_sasl_line(imap_render *rd, proto_tree *t, gint off, gint len);
void imap_parse_sasl_challenge(imap_parse *ps, imap_item *it, gint off, gint len);
void imap_render_sasl_challenge(imap_render *rd, proto_tree *t, gint off, gint len);
void imap_auth_register(int proto);
void imap_auth_handoff(void);

/* imap_longline.c: the length of lines over 8192 octets or in pieces */
void imap_parse_longline(imap_parse *ps, imap_item *it);
void imap_longline_gap(imap_dir *ds);
void imap_render_longline(imap_render *rd, proto_tree *t);
void imap_longline_register(int proto);

/* imap_dropin.c: the built-in dissector's field names, hidden on each line */
void imap_dropin_register(int proto);
void imap_dropin_line(packet_info *pinfo, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                      gboolean client);
/* imap.isrequest, once per call. */
void imap_dropin_call(proto_tree *t, tvbuff_t *tvb, gboolean client);
/* imap.line: a line with its line end. */
void imap_dropin_text(proto_tree *t, tvbuff_t *tvb, gint off, gint len);
/* imap.request.folder: the mailbox a command names, decoded. */
void imap_dropin_folder(proto_tree *t, tvbuff_t *tvb, gint off, gint len, const char *mailbox);
/* imap.response_in on a command; imap.response_to and imap.time on its completion. */
void imap_dropin_response_in(proto_tree *t, tvbuff_t *tvb, guint32 frame);
void imap_dropin_response_to(proto_tree *t, tvbuff_t *tvb, guint32 frame, const nstime_t *delta);
/* LOGIN's user name or password, under the built-in's names */
void imap_dropin_login(proto_tree *t, tvbuff_t *tvb, gint off, gint len, const char *value,
                       gboolean password);

#endif

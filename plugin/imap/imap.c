/* IMAP (RFC 9051, RFC 3501) on the stream engine: registration, the records
 * of a call, text lines and client command lines.
 *
 * The session machine (core/imap/imap_session.c) frames the call's bytes
 * into text lines and literal octets (consumed as they come, so any literal
 * size costs linear time) and decides what each is; parse_record() stores
 * its records as imap_items with what the epan side adds, and
 * imap_render_call() shows them.  See imap.h for the other files.
 *
 * After COMPRESS DEFLATE (RFC 4978) each direction's run is inflated on the
 * first pass with the direction's own deflate stream (core/imap/imap_inflate.h);
 * the inflated octets are kept once in the call's record, fed to the same
 * session machine, and shown as the "Inflated IMAP" data source.  An
 * unfinished inflated line is carried by this parse to the next call.
 *
 * Limitations: SASL security layers are not decoded.
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/strutil.h>
#include <epan/packet.h>
#include <epan/prefs.h>

#include "imap/imap.h"
#include "mail/lineitem.h"
#include "mail/fallback.h"
#include "mail/ports.h"
#include "mail/mail.h"
#include "mail/tap.h"
#include "mail/message_tree.h"
#include "engine/heap.h"

int proto_imap = -1;
static int ett_imap = -1;
static int ett_imap_line = -1;
gint ett_imap_item = -1;

static int hf_imap_request = -1;
static int hf_imap_response = -1;
int hf_imap_tag = -1;
static int hf_imap_command = -1;
static int hf_imap_uid = -1;
static int hf_imap_args = -1;
static int hf_imap_continued = -1;
static int hf_imap_cancel = -1;
int hf_imap_mailbox = -1;
int hf_imap_capability = -1;
int hf_imap_flag = -1;
int hf_imap_number = -1;
int hf_imap_string = -1;

static expert_field ei_imap_command_malformed = EI_INIT;
static expert_field ei_imap_command_unknown = EI_INIT;

dissector_handle_t imap_handle;

static mail_ports imap_ports = {.which = MAIL_FB_IMAP, .builtin = "imap"};

guint64 imap_pref_max_literal = G_GUINT64_CONSTANT(0xffffffff); /* below 4 GiB */
guint64 imap_pref_max_message = G_GUINT64_CONSTANT(128) << 20;
static guint pref_max_literal_mib = 4096;
static guint pref_max_message_mib = 128;

gint imap_line_ptr(tvbuff_t *tvb, gint off, gint len, const guint8 **p)
{
    *p = len > 0 ? tvb_get_ptr(tvb, off, len) : (const guint8 *)"";
    return len;
}

const char *imap_tok_text(mw_ctx *ctx, tvbuff_t *tvb, gint base, const mw_imap_tok *t)
{
    gint off = base + (gint)t->off, len = (gint)t->len;
    if (t->kind == MW_IMAP_TOK_QUOTED && len >= 2) {
        const guint8 *p = tvb_get_ptr(tvb, off, len);
        guint8 *out = (guint8 *)wmem_alloc(ctx->pinfo->pool, (gsize)len + 1);
        size_t n = mw_imap_unquote(p, (size_t)len, out, (size_t)len);
        return mw_format_text(ctx->pinfo->pool, out,
                              n > (size_t)len ? (size_t)len : n);
    }
    return mw_line_text(ctx, tvb, off, len);
}

static gboolean capture_read;

gboolean imap_capture_read(void)
{
    return capture_read;
}

static void imap_capture_start(void)
{
    capture_read = FALSE;
}

static void imap_capture_done(void)
{
    capture_read = TRUE;
}

/* Arguments of a client command, one text segment at a time: depth-0
 * arguments are counted across literals so LOGIN's password and APPEND's
 * message are recognised wherever they sit.  The parse side decides what
 * the literal ending the segment holds and keeps the LOGIN user name. */
static void parse_client_args(imap_parse *ps, gint off, gint len, guint8 cmd)
{
    imap_dir *ds = ps->ds;
    imap_walk *w = &ds->walk;
    const guint8 *p;
    imap_line_ptr(ps->tvb, off, len, &p);
    mw_imap_lexer lx;
    mw_imap_lexer_init(&lx, p, (size_t)len, 0, w->depth, 0);
    mw_imap_tok tok;
    while (mw_imap_lex_next(&lx, &tok) != MW_IMAP_TOK_END && tok.kind != MW_IMAP_TOK_ERROR) {
        gboolean top = tok.depth == 0 && tok.kind != MW_IMAP_TOK_LIST_CLOSE &&
                       tok.kind != MW_IMAP_TOK_SECT_CLOSE;
        guint arg = w->arg;
        if (top && tok.kind != MW_IMAP_TOK_SECT_OPEN)
            w->arg++;
        if (!top)
            continue;
        if (cmd == MW_IMAP_CMD_LOGIN) {
            if (tok.kind == MW_IMAP_TOK_LITERAL)
                w->next_use = arg == 0 ? IMAP_LIT_USERNAME : IMAP_LIT_PASSWORD;
            else
                imap_parse_login_arg(ps, off, &tok, arg);
        } else if (tok.kind == MW_IMAP_TOK_LITERAL && cmd == MW_IMAP_CMD_APPEND && arg >= 1) {
            w->next_use = IMAP_LIT_MESSAGE;
            w->next_label = "APPEND message";
        }
    }
    w->depth = (guint8)MIN(lx.depth, 255u);
}

/* Which argument of cmd is a mailbox (COPY and MOVE: the destination after
 * the message set; LIST and LSUB: the pattern after the reference), or -1. */
static gint mailbox_arg(guint8 cmd)
{
    switch (cmd) {
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE: case MW_IMAP_CMD_CREATE:
    case MW_IMAP_CMD_DELETE: case MW_IMAP_CMD_RENAME: case MW_IMAP_CMD_STATUS:
    case MW_IMAP_CMD_APPEND: case MW_IMAP_CMD_SUBSCRIBE: case MW_IMAP_CMD_UNSUBSCRIBE:
        return 0;
    case MW_IMAP_CMD_LIST: case MW_IMAP_CMD_LSUB: case MW_IMAP_CMD_COPY: case MW_IMAP_CMD_MOVE:
        return 1;
    default:
        return -1;
    }
}

/* The render side of the same walk (w: a copy of the walk at the segment's
 * start): mailbox and LOGIN arguments. */
static void render_client_args(imap_render *rd, proto_tree *t, gint off, gint len, imap_walk *w,
                               guint8 cmd)
{
    mw_ctx *ctx = rd->ctx;
    tvbuff_t *tvb = rd->tvb;
    const guint8 *p;
    imap_line_ptr(tvb, off, len, &p);
    mw_imap_lexer lx;
    mw_imap_lexer_init(&lx, p, (size_t)len, 0, w->depth, 0);
    mw_imap_tok tok;
    while (mw_imap_lex_next(&lx, &tok) != MW_IMAP_TOK_END && tok.kind != MW_IMAP_TOK_ERROR) {
        gboolean top = tok.depth == 0 && tok.kind != MW_IMAP_TOK_LIST_CLOSE &&
                       tok.kind != MW_IMAP_TOK_SECT_CLOSE;
        guint arg = w->arg;
        if (top && tok.kind != MW_IMAP_TOK_SECT_OPEN)
            w->arg++;
        if (!top)
            continue;
        if (cmd == MW_IMAP_CMD_LOGIN) {
            if (tok.kind != MW_IMAP_TOK_LITERAL)
                imap_render_login_arg(rd, t, off, &tok, arg);
        } else if (tok.kind == MW_IMAP_TOK_LITERAL && cmd == MW_IMAP_CMD_APPEND && arg >= 1) {
            /* the message literal: shown where its octets are */
        } else if ((gint)arg == mailbox_arg(cmd) && tok.kind != MW_IMAP_TOK_LITERAL &&
                   tok.kind != MW_IMAP_TOK_LIST_OPEN) {
            const char *name = imap_tok_text(ctx, tvb, off, &tok);
            proto_tree_add_string(t, hf_imap_mailbox, tvb, off + (gint)tok.off, (gint)tok.len,
                                  name);
            /* LIST and LSUB name a pattern, not a mailbox */
            if (cmd != MW_IMAP_CMD_LIST && cmd != MW_IMAP_CMD_LSUB)
                imap_dropin_folder(t, tvb, off + (gint)tok.off, (gint)tok.len, name);
        }
    }
    w->depth = (guint8)MIN(lx.depth, 255u);
}

static void walk_args_start(imap_walk *w)
{
    memset(w, 0, sizeof *w);
    w->kind = IMAP_WALK_ARGS;
}

/* The mailbox argument a SELECT or EXAMINE names, for the session state. */
static const char *first_arg_text(tvbuff_t *tvb, gint off, gint len)
{
    if (len <= 0)
        return NULL;
    const guint8 *p;
    imap_line_ptr(tvb, off, len, &p);
    mw_imap_lexer lx;
    mw_imap_lexer_init(&lx, p, (size_t)len, 0, 0, 0);
    mw_imap_tok tok;
    mw_imap_lex_next(&lx, &tok);
    if (tok.kind == MW_IMAP_TOK_QUOTED) {
        guint8 *out = (guint8 *)wmem_alloc(wmem_file_scope(), tok.len + 1);
        size_t n = mw_imap_unquote(p + tok.off, tok.len, out, tok.len);
        out[MIN(n, tok.len)] = 0;
        return (const char *)out;
    }
    if (tok.kind == MW_IMAP_TOK_ATOM || tok.kind == MW_IMAP_TOK_NUMBER || tok.kind == MW_IMAP_TOK_NIL)
        return (const char *)tvb_get_string_enc(wmem_file_scope(), tvb, off + (gint)tok.off,
                                                (gint)tok.len, ENC_UTF_8);
    return tok.kind == MW_IMAP_TOK_LITERAL ? "(literal)" : NULL;
}

/* The arguments of a command line, where they are. */
static gint command_args(const mw_imap_command *c, gint off, gint len, gint *args_off)
{
    *args_off = off + (gint)c->args_off;
    gint args_len = (gint)c->args_len;
    if (c->args_off == 0 || *args_off + args_len > off + len)
        args_len = 0;
    return args_len;
}

/* A command line the session machine recorded (it->rec): the mailbox a
 * SELECT names, the walk over its arguments, credentials. */
static void parse_client_command(imap_parse *ps, imap_item *it, gint off, gint len)
{
    imap_dir *ds = ps->ds;
    const guint8 *p;
    imap_line_ptr(ps->tvb, off, len, &p);
    mw_imap_command c;
    mw_imap_client_line(p, (size_t)len, &c);
    walk_args_start(&ds->walk);
    gint args_off, args_len = command_args(&c, off, len, &args_off);
    imap_cmd_rec *rec = (imap_cmd_rec *)it->rec;
    if (rec && (c.cmd == MW_IMAP_CMD_SELECT || c.cmd == MW_IMAP_CMD_EXAMINE))
        rec->user = (void *)first_arg_text(ps->tvb, args_off, args_len);
    if (c.cmd == MW_IMAP_CMD_LOGIN)
        imap_parse_login_begin(ps);
    if (c.cmd == MW_IMAP_CMD_AUTHENTICATE)
        imap_parse_authenticate(ps, it, args_off, args_len);
    else if (args_len > 0)
        parse_client_args(ps, args_off, args_len, (guint8)c.cmd);
}

static void render_client_command(imap_render *rd, proto_tree *t, gint off, gint len,
                                  const mw_imap_command *c)
{
    mw_ctx *ctx = rd->ctx;
    tvbuff_t *tvb = rd->tvb;
    gint tag_off = off + (gint)c->tag_off, tag_len = (gint)c->tag_len;
    const char *tag = (const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, tag_off, tag_len,
                                                       ENC_ASCII);
    proto_tree_add_string(t, hf_imap_tag, tvb, tag_off, tag_len, tag);
    if (c->uid)
        proto_tree_add_boolean(t, hf_imap_uid, tvb, off + (gint)c->uid_off, (gint)c->uid_len, TRUE);
    proto_item *ci = proto_tree_add_item(t, hf_imap_command, tvb, off + (gint)c->name_off,
                                         (gint)c->name_len, ENC_ASCII | ENC_NA);
    if (c->uid)
        proto_item_append_text(ci, " (UID %s)", mw_imap_cmd_name(c->cmd));
    if (c->cmd == MW_IMAP_CMD_UNKNOWN)
        expert_add_info(ctx->pinfo, ci, &ei_imap_command_unknown);
    gint args_off, args_len = command_args(c, off, len, &args_off);
    if (args_len > 0)
        proto_tree_add_item(t, hf_imap_args, tvb, args_off, args_len, ENC_ASCII | ENC_NA);
    imap_render_command_links(rd, t);
    mw_tap_command(ctx, c->cmd == MW_IMAP_CMD_UNKNOWN ? "(unknown)" : mw_imap_cmd_name(c->cmd));
    imap_render_state_command(rd);
    if (c->cmd == MW_IMAP_CMD_LOGIN) {
        rd->user = NULL;
        rd->user_frame = 0;
    }
    if (c->cmd == MW_IMAP_CMD_AUTHENTICATE) {
        imap_render_authenticate(rd, t, args_off, args_len);
    } else if (c->cmd == MW_IMAP_CMD_ID && args_len > 0) {
        imap_render_id_params(ctx, t, tvb, args_off, args_len);
    } else if (args_len > 0) {
        imap_walk w;
        walk_args_start(&w);
        render_client_args(rd, t, args_off, args_len, &w, (guint8)c->cmd);
    }
}

static const imap_walk *keep_walk(const imap_walk *w)
{
    imap_walk *k = mw_arena_new0(imap_walk);
    *k = *w;
    return k;
}

static void parse_client_text(imap_parse *ps, imap_item *it, gint off, gint len)
{
    imap_dir *ds = ps->ds;
    switch (it->line_kind) {
    case IMAP_LINE_MORE:
        if (ds->walk.kind == IMAP_WALK_ARGS) {
            it->walk = keep_walk(&ds->walk);
            parse_client_args(ps, off, len, it->cmd);
        }
        break;
    case IMAP_LINE_SASL:
        imap_parse_sasl_line(ps, it, off, len);
        break;
    case IMAP_LINE_COMMAND:
        parse_client_command(ps, it, off, len);
        break;
    case IMAP_LINE_NONE:
        memset(&ds->walk, 0, sizeof ds->walk);
        break;
    default:
        break;
    }
}

static void render_client_text(imap_render *rd, proto_tree *t, gint off, gint len)
{
    const imap_item *it = rd->it;
    tvbuff_t *tvb = rd->tvb;
    switch (it->line_kind) {
    case IMAP_LINE_MORE:
        proto_tree_add_boolean(t, hf_imap_continued, tvb, off, 0, TRUE);
        if (it->walk) {
            imap_walk w = *it->walk;
            render_client_args(rd, t, off, len, &w, it->cmd);
        }
        return;
    case IMAP_LINE_DONE:
        imap_render_done(rd, t, off, len);
        return;
    case IMAP_LINE_SASL:
        imap_render_sasl_line(rd, t, off, len);
        return;
    case IMAP_LINE_CANCEL:
        proto_tree_add_boolean(t, hf_imap_cancel, tvb, off, len, TRUE);
        return;
    default:
        break;
    }
    const guint8 *p;
    imap_line_ptr(tvb, off, len, &p);
    mw_imap_command c;
    mw_imap_client_line(p, (size_t)len, &c);
    if (it->line_kind == IMAP_LINE_COMMAND) {
        render_client_command(rd, t, off, len, &c);
        return;
    }
    if (c.tag_len > 0 && !(c.flags & MW_IMAP_CMDF_BAD_TAG))
        proto_tree_add_item(t, hf_imap_tag, tvb, off + (gint)c.tag_off, (gint)c.tag_len,
                            ENC_ASCII | ENC_NA);
    expert_add_info(rd->ctx->pinfo, rd->line_it, &ei_imap_command_malformed);
}

/* Over-long lines come in fragments cut anywhere (stream.h).  The walks over
 * command arguments and FETCH data go on across them: each fragment is
 * tokenized up to its last space or parenthesis outside a quoted string (or
 * the end of its last complete quoted string); the token cut by the
 * boundary is skipped at the start of the next fragment, so only that one
 * token is not shown as an item. */
static gboolean frag_sep(guint8 c)
{
    return c == ' ' || c == '(' || c == ')';
}

/* Octets at the start of a continuing fragment that finish the cut token. */
static gint frag_skip(const guint8 *p, gint len, guint8 *tail)
{
    gint i = 0;
    if (*tail == IMAP_FRAG_QUOTED_ESC) {
        if (len == 0)
            return 0;
        i = 1;
        *tail = IMAP_FRAG_QUOTED;
    }
    if (*tail == IMAP_FRAG_QUOTED) {
        for (; i < len; i++) {
            if (p[i] == '\\') {
                if (i + 1 >= len) {
                    *tail = IMAP_FRAG_QUOTED_ESC;
                    return len;
                }
                i++;
            } else if (p[i] == '"') {
                *tail = IMAP_FRAG_ATOM;
                i++;
                break;
            }
        }
        if (*tail != IMAP_FRAG_ATOM)
            return len;
    }
    if (*tail == IMAP_FRAG_ATOM) {
        while (i < len && !frag_sep(p[i]) && p[i] != '"')
            i++;
        if (i >= len)
            return len;
    }
    *tail = IMAP_FRAG_CLEAN;
    return i;
}

/* Where tokenizing a fragment stops; sets *tail for the next fragment. */
static gint frag_safe_end(const guint8 *p, gint start, gint len, guint8 *tail)
{
    gboolean quoted = FALSE, esc = FALSE;
    gint safe = start;
    for (gint i = start; i < len; i++) {
        guint8 c = p[i];
        if (quoted) {
            if (c == '\\') {
                if (i + 1 >= len)
                    esc = TRUE;
                i++;
            } else if (c == '"') {
                quoted = FALSE;
                safe = i + 1;
            }
        } else if (c == '"') {
            quoted = TRUE;
        } else if (frag_sep(c)) {
            safe = i + 1;
        }
    }
    *tail = quoted ? (esc ? IMAP_FRAG_QUOTED_ESC : IMAP_FRAG_QUOTED)
                   : safe < len ? IMAP_FRAG_ATOM : IMAP_FRAG_CLEAN;
    return safe;
}

/* A text line the session machine recorded: the walks over its tokens (what
 * a literal at its end holds), credentials, the part an over-long line's
 * fragment can be tokenized on. */
static void parse_text_line(imap_parse *ps, const mw_imap_rec *rec)
{
    mw_ctx *ctx = ps->ctx;
    imap_state *st = ps->st;
    imap_dir *ds = ps->ds;
    gboolean client = ctx->dir == MW_DIR_CLIENT;
    imap_item it;
    memset(&it, 0, sizeof it);
    it.kind = IMAP_ITEM_LINE;
    it.l.offset = (gint)rec->off;
    it.l.line.len = rec->len;
    it.l.line.eol_len = rec->eol_len;
    it.l.line.eol = rec->eol;
    it.l.line.flags = rec->line_flags;
    it.l.fragment = rec->fragment;
    it.l.continued = rec->continued;
    it.logical = rec->segment > 0;
    it.line_kind = rec->line_kind;
    it.cmd = (guint8)rec->cmd;
    it.cont_what = rec->cont_what;
    it.eff_state = rec->eff_state;
    it.anomalies = rec->anomalies;
    it.rec = rec->command;
    it.untagged_for = rec->untagged_for ? rec->untagged_for->sent.frame : 0;
    if (client) {
        it.user = st->auth_user;
        it.user_frame = st->auth_user_frame;
    }
    const mw_line_at *l = &it.l;
    gint off = l->offset, len = (gint)l->line.len;
    /* The walk names the literal that ends this line, if any. */
    ds->walk.next_use = IMAP_LIT_STRING;
    ds->walk.next_label = NULL;
    const guint8 *p;
    imap_line_ptr(ps->tvb, off, len, &p);
    gint start = 0, end = len;
    if (l->continued)
        start = frag_skip(p, len, &ds->frag_tail);
    if (l->fragment) {
        end = frag_safe_end(p, start, len, &ds->frag_tail);
        if (end == 0 && !l->continued)
            end = len; /* no separator at all: the first fragment is read as it is */
    } else {
        ds->frag_tail = IMAP_FRAG_CLEAN;
    }
    it.start = start;
    it.end = end;
    if (!st->session_seen) {
        st->session_seen = TRUE;
        it.session_first = 1;
    }
    /* SEARCH/SORT numbers are counted over the whole line, whatever its
     * length and however many fragments it comes in. */
    if (!client && (it.cmd == MW_IMAP_KW_SEARCH || it.cmd == MW_IMAP_KW_SORT) &&
        (l->continued ? rec->logical_kind : rec->line_kind) == IMAP_LINE_UNTAGGED) {
        if (!l->continued)
            mw_imap_numcount_init(&ds->nc);
        mw_imap_numcount_feed(&ds->nc, p, (size_t)len);
        if (!l->fragment)
            mw_imap_numcount_end(&ds->nc);
        it.count = ds->nc.count;
        it.count_what = l->fragment ? IMAP_COUNT_SEARCH_PART : IMAP_COUNT_SEARCH;
    }
    if (!l->continued) {
        if (client) {
            parse_client_text(ps, &it, off, end);
        } else if (it.line_kind == IMAP_LINE_MORE) {
            if (ds->walk.kind == IMAP_WALK_FETCH)
                it.walk = keep_walk(&ds->walk);
            imap_parse_untagged_more(ps, off, end);
        } else {
            imap_parse_server_line(ps, &it, off, end);
        }
    } else if (start < end) {
        if (client && rec->logical_kind == IMAP_LINE_COMMAND && ds->walk.kind == IMAP_WALK_ARGS) {
            it.walk = keep_walk(&ds->walk);
            parse_client_args(ps, off + start, end - start, it.cmd);
        } else if (!client && rec->logical_kind == IMAP_LINE_UNTAGGED &&
                   ds->walk.kind == IMAP_WALK_FETCH) {
            it.walk = keep_walk(&ds->walk);
            imap_parse_untagged_more(ps, off + start, end - start);
        }
    }
    if (rec->lit.status != MW_IMAP_LIT_ABSENT) {
        it.anomalies |= IMAP_AN_LIT_HEADER;
        if (rec->literal)
            imap_parse_literal_header(ps, &it, rec->literal, ds->walk.next_use, ds->walk.next_label);
    }
    imap_parse_longline(ps, &it);
    wmem_array_append_one(ps->items, it);
}

/* One record of the session machine, as it is emitted. */
static void parse_record(void *opaque, const mw_imap_rec *rec)
{
    imap_parse *ps = (imap_parse *)opaque;
    imap_item it;
    switch (rec->kind) {
    case MW_IMAP_REC_TEXT:
        parse_text_line(ps, rec);
        break;
    case MW_IMAP_REC_LITERAL:
        imap_parse_literal_body(ps, rec);
        break;
    case MW_IMAP_REC_COMPRESSED:
    default:
        memset(&it, 0, sizeof it);
        it.kind = IMAP_ITEM_COMPRESSED;
        it.off = (gint)rec->off;
        it.len = (gint)rec->len;
        wmem_array_append_one(ps->items, it);
        /* Inflated once the session machine is done with the call. */
        ps->z_off = it.off;
        ps->z_len = it.len;
        break;
    }
}

static void render_text_line(imap_render *rd)
{
    mw_ctx *ctx = rd->ctx;
    tvbuff_t *tvb = rd->tvb;
    const imap_item *ii = rd->it;
    const mw_line_at *l = &ii->l;
    gboolean client = ctx->dir == MW_DIR_CLIENT;
    gint off = l->offset, len = (gint)l->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, client ? hf_imap_request : hf_imap_response,
                                         tvb, off, len + (gint)l->line.eol_len, ENC_NA);
    const char *text = mw_line_text(ctx, tvb, off, len);
    gboolean cont = ii->logical || l->continued;
    proto_item_set_text(it, "%s%s: %s", client ? "Command" : "Response",
                        cont ? " (continued)" : "", text);
    proto_tree *t = proto_item_add_subtree(it, ett_imap_line);
    rd->line_it = it;
    rd->user = ii->user;
    rd->user_frame = ii->user_frame;
    imap_render_plaintext_check(rd);
    if (ii->session_first)
        mw_tap_session_fact(ctx, MW_FACT_SESSION);
    gint start = ii->start, end = ii->end;
    imap_dropin_text(t, tvb, off, len + (gint)l->line.eol_len);
    if (!cont && ii->line_kind != IMAP_LINE_MORE)
        imap_dropin_line(ctx->pinfo, t, tvb, off, len, client);
    if (!l->continued) {
        if (client) {
            render_client_text(rd, t, off, end);
        } else if (ii->line_kind == IMAP_LINE_MORE) {
            if (ii->walk) {
                imap_walk w = *ii->walk;
                imap_render_untagged_more(rd, t, off, end, &w);
            }
        } else {
            imap_render_server_line(rd, t, off, end);
        }
    } else if (start < end && ii->walk) {
        imap_walk w = *ii->walk;
        if (client)
            render_client_args(rd, t, off + start, end - start, &w, ii->cmd);
        else
            imap_render_untagged_more(rd, t, off + start, end - start, &w);
    }
    if (ii->count_what)
        imap_render_search_count(rd, t);
    if (ii->anomalies & IMAP_AN_LIT_HEADER)
        imap_render_literal_header(rd, t);
    imap_render_longline(rd, t);
    mw_add_line_facts(ctx, t, tvb, l);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: %s%s", client ? "C" : "S", text,
                        (ii->anomalies & IMAP_AN_PLAINTEXT) ? " (injected before TLS)" : "");
}

static void *sess_alloc(void *opaque _U_, size_t n)
{
    return wmem_alloc(wmem_file_scope(), n);
}

/* Command and literal records live as long as the capture: the arena. */
static void *sess_rec_alloc(void *opaque _U_, size_t n)
{
    return mw_arena_alloc0(n);
}

static void sess_release(void *opaque _U_, void *p)
{
    wmem_free(wmem_file_scope(), p);
}

/* What one call may inflate to: a deflate bomb stops here, not in memory. */
#define IMAP_INFLATE_MAX_CALL (64u << 20)

typedef struct inflate_sink {
    wmem_array_t *out;
    gboolean over;
} inflate_sink;

static void inflated_append(void *opaque, const uint8_t *buf, size_t len)
{
    inflate_sink *k = (inflate_sink *)opaque;
    if (k->over || wmem_array_get_count(k->out) + len > IMAP_INFLATE_MAX_CALL) {
        k->over = TRUE;
        return;
    }
    wmem_array_append(k->out, buf, (guint)len);
}

/* COMPRESS: inflate the call's compressed run buf[0..len) with the
 * direction's stream and run the session machine over the inflated octets,
 * after the unfinished line the last call left. */
static void parse_inflate(imap_parse *ps, imap_call *call, imap_zcall *zc, const guint8 *buf,
                          gsize len)
{
    imap_dir *ds = ps->ds;
    if (!ds->z && !ds->zdead) {
        ds->z = mw_imap_inflate_new(sess_alloc, sess_release, NULL);
        if (!ds->z) {
            ds->zdead = TRUE;
            call->zstatus = IMAP_Z_ERROR;
            zc->zerr = "zlib could not be set up";
            return;
        }
    }
    if (ds->zdead) {
        call->zstatus = IMAP_Z_DEAD;
        return;
    }
    if (mw_imap_inflate_state(ds->z) != MW_IMAP_INFLATE_OK) {
        /* The deflate stream ended in an earlier call: these cannot be inflated. */
        call->zstatus = IMAP_Z_ERROR;
        zc->zerr = mw_imap_inflate_error(ds->z);
        ds->zdead = TRUE;
        return;
    }
    wmem_array_t *out = wmem_array_sized_new(ps->ctx->pinfo->pool, 1, ds->zcarry_len + (guint)len * 3 + 64);
    if (ds->zcarry_len)
        wmem_array_append(out, ds->zcarry, ds->zcarry_len);
    size_t used = 0;
    inflate_sink sink = {out, FALSE};
    mw_imap_inflate_status zs = mw_imap_inflate_feed(ds->z, buf, len, &used, inflated_append, &sink);
    call->zstatus = IMAP_Z_OK;
    if (sink.over) {
        /* Kept up to the bound and dissected; the direction is not inflated further. */
        call->zstatus = IMAP_Z_ERROR;
        zc->zerr = "a segment inflates to more than 64 MiB";
        ds->zdead = TRUE;
    } else if (zs == MW_IMAP_INFLATE_ERROR || (zs == MW_IMAP_INFLATE_END && used < len)) {
        /* A stream that ends exactly at the end of the run (a final block
         * at LOGOUT) is no error; anything after its end is. */
        call->zstatus = IMAP_Z_ERROR;
        zc->zerr = wmem_strdup(wmem_file_scope(), mw_imap_inflate_error(ds->z));
        ds->zdead = TRUE;
    }
    guint n = wmem_array_get_count(out);
    if (n == ds->zcarry_len && !ds->zdead)
        return; /* nothing new (a deflate block not yet complete): the carry waits, uncopied */
    zc->zcarried = ds->zcarry_len;
    ds->zcarry = NULL;
    ds->zcarry_len = 0;
    if (n == 0)
        return;
    guint8 *data = (guint8 *)wmem_memdup(wmem_file_scope(), wmem_array_get_raw(out), n);
    zc->inflated = data;
    zc->inflated_len = n;
    tvbuff_t *ztvb = tvb_new_real_data(data, n, (gint)n);
    wmem_array_t *zitems = wmem_array_sized_new(ps->ctx->pinfo->pool, sizeof(imap_item), 4);
    ps->tvb = ztvb;
    ps->items = zitems;
    mw_imap_when when = {.frame = ps->ctx->pinfo->num,
                         .sec = (int64_t)ps->ctx->pinfo->abs_ts.secs,
                         .nsec = ps->ctx->pinfo->abs_ts.nsecs};
    used = mw_imap_sess_feed_inflated(&ps->st->sess, ps->ctx->dir, data, n, ps->ctx->tls,
                                             &when, parse_record, ps);
    tvb_free(ztvb);
    if (used < n && !ds->zdead) {
        ds->zcarry = data + used;
        ds->zcarry_len = n - (guint)used;
    }
    zc->n_zitems = wmem_array_get_count(zitems);
    if (zc->n_zitems) {
        const imap_item *zi = (const imap_item *)wmem_array_get_raw(zitems);
        guint8 *packed = (guint8 *)wmem_alloc(wmem_file_scope(),
                                              imap_items_packed_size(zi, zc->n_zitems));
        imap_items_pack(packed, zi, zc->n_zitems);
        zc->zitems = packed;
    }
}

/* First pass, once per call: run the session over the call's bytes and
 * store what was found. */
static guint imap_parse_call(mw_ctx *ctx, tvbuff_t *tvb)
{
    imap_state *st = (imap_state *)ctx->state;
    imap_parse ps = {ctx, st, &st->d[ctx->dir], tvb,
                     wmem_array_sized_new(ctx->pinfo->pool, sizeof(imap_item), 4), -1, 0};
    size_t len = tvb_reported_length(tvb);
    const guint8 *buf = len ? tvb_get_ptr(tvb, 0, (gint)len) : NULL;
    imap_call head; /* kept below, in one block with its items */
    imap_call *call = &head;
    memset(call, 0, sizeof *call);
    const imap_snap *snap = imap_state_snapshot(st, call);
    mw_imap_when when = {.frame = ctx->pinfo->num, .sec = (int64_t)ctx->pinfo->abs_ts.secs,
                         .nsec = ctx->pinfo->abs_ts.nsecs};
    gboolean mid = ctx->mid_line; /* the engine sets it after lost bytes */
    bool mid_line = mid != FALSE;
    st->sess.cfg.max_literal = imap_pref_max_literal;
    gint offset = (gint)mw_imap_sess_feed(&st->sess, ctx->dir, buf, len, ctx->tls, &when,
                                          &mid_line, parse_record, &ps);
    ctx->mid_line = st->sess.compressed ? FALSE : mid_line;
    /* Whether the session began before the capture is known from its first line. */
    if (call->start == MW_IMAP_START_UNKNOWN)
        call->start = st->sess.start;
    wmem_array_t *plain = ps.items; /* parse_inflate moves ps to the inflated items */
    const imap_zcall *z = NULL;
    if (ps.z_off >= 0) {
        imap_zcall zc;
        memset(&zc, 0, sizeof zc);
        parse_inflate(&ps, call, &zc, buf + ps.z_off, (gsize)ps.z_len);
        z = (const imap_zcall *)wmem_memdup(wmem_file_scope(), &zc, sizeof zc);
    }
    guint n = wmem_array_get_count(plain);
    const imap_item *items = (const imap_item *)wmem_array_get_raw(plain);
    gsize packed = imap_items_packed_size(items, n);
    /* parse_inflate always sets zstatus: the slot for z is there when z is */
    gsize slots = imap_call_slots(call);
    imap_call *kept = (imap_call *)mw_arena_alloc0(sizeof *kept + slots + packed);
    *kept = head;
    kept->n_items = n;
    guint8 *p = (guint8 *)(kept + 1);
    if (snap) {
        memcpy(p, &snap, sizeof snap);
        p += sizeof snap;
    }
    if (z) {
        memcpy(p, &z, sizeof z);
        p += sizeof z;
    }
    imap_items_pack(p, items, n);
    ctx->rec = kept;
    return (guint)offset;
}

/* Every pass: show the call from its record. */
static void imap_render_call(mw_ctx *ctx, tvbuff_t *tvb)
{
    const imap_call *call = (const imap_call *)ctx->rec;
    if (ctx->call_index == 0)
        col_clear(ctx->pinfo->cinfo, COL_INFO);
    if (!call)
        return;
    imap_dropin_call(ctx->tree, tvb, ctx->dir == MW_DIR_CLIENT);
    imap_render_state(ctx, call);
    imap_render rd;
    memset(&rd, 0, sizeof rd);
    rd.ctx = ctx;
    rd.tvb = tvb;
    imap_item item;
    rd.it = &item;
    const guint8 *p = imap_call_items(call);
    for (guint i = 0; i < call->n_items; i++) {
        p = imap_items_unpack(p, &item);
        switch (rd.it->kind) {
        case IMAP_ITEM_LINE: render_text_line(&rd); break;
        case IMAP_ITEM_LITERAL: imap_render_literal_body(&rd); break;
        case IMAP_ITEM_COMPRESSED: imap_render_compressed(&rd, call); break;
        default: break;
        }
    }
    const imap_zcall *z = imap_call_z(call);
    if (!z || !z->inflated_len)
        return;
    /* The inflated octets are a data source of their own; their items are
     * shown on it exactly as plain ones. */
    tvbuff_t *ztvb = tvb_new_child_real_data(tvb, z->inflated, z->inflated_len,
                                             (gint)z->inflated_len);
    add_new_data_source(ctx->pinfo, ztvb, "Inflated IMAP");
    rd.tvb = ztvb;
    p = z->zitems;
    for (guint i = 0; i < z->n_zitems; i++) {
        p = imap_items_unpack(p, &item);
        switch (rd.it->kind) {
        case IMAP_ITEM_LINE: render_text_line(&rd); break;
        case IMAP_ITEM_LITERAL: imap_render_literal_body(&rd); break;
        default: break;
        }
    }
}

static void imap_state_init(void *state, packet_info *pinfo _U_)
{
    imap_state *st = (imap_state *)state;
    mw_imap_sess_cfg cfg = {
        .alloc = sess_alloc,
        .release = sess_release,
        .rec_alloc = sess_rec_alloc,
        .max_literal = imap_pref_max_literal,
        .max_line = MW_MAX_CARRY,
        .inflight_max = IMAP_INFLIGHT_MAX,
    };
    mw_imap_sess_init(&st->sess, &cfg);
}

static void imap_state_free(void *state)
{
    imap_state *st = (imap_state *)state;
    mw_imap_sess_free(&st->sess);
    for (int dir = 0; dir < 2; dir++)
        mw_imap_inflate_free(st->d[dir].z);
}

static void imap_gap(void *state, int dir, guint32 missing)
{
    imap_state *st = (imap_state *)state;
    mw_imap_sess_gap(&st->sess, dir, missing);
    /* A deflate stream cannot go on over lost bytes. */
    if (st->sess.compressed)
        st->d[dir].zdead = TRUE;
    imap_longline_gap(&st->d[dir]);
    if (!mw_imap_frame_wanted(&st->sess.fr[dir]))
        st->d[dir].lit = NULL;
}

static const mw_stream_proto imap_stream = {
    .proto = &proto_imap,
    .ett = &ett_imap,
    .label = "IMAP",
    .state_size = sizeof(imap_state),
    .state_init = imap_state_init,
    .state_free = imap_state_free,
    .parse = imap_parse_call,
    .render = imap_render_call,
    .gap = imap_gap,
    .first_side = imap_first_side,
};

static int dissect_imap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return mw_stream_dissect(&imap_stream, tvb, pinfo, tree, data);
}

static gboolean contains_nocase(const guint8 *buf, gint len, const char *word)
{
    gint wl = (gint)strlen(word);
    for (gint i = 0; i + wl <= len; i++)
        if (g_ascii_strncasecmp((const char *)buf + i, word, wl) == 0)
            return TRUE;
    return FALSE;
}

gboolean imap_looks_like(const guint8 *buf, guint len, gboolean *src_is_server)
{
    gint l = mail_first_line(buf, len, 1024);
    if (l < 4)
        return FALSE;
    if ((g_ascii_strncasecmp((const char *)buf, "* OK ", 5) == 0 ||
         g_ascii_strncasecmp((const char *)buf, "* PREAUTH ", 10) == 0) &&
        contains_nocase(buf, l, "IMAP")) {
        *src_is_server = TRUE;
        return TRUE;
    }
    static const char *const first[] = {" CAPABILITY", " LOGIN ", " STARTTLS", " AUTHENTICATE "};
    gint sp = 0;
    while (sp < l && buf[sp] != ' ' && buf[sp] > 0x20 && buf[sp] < 0x7f && buf[sp] != '*')
        sp++;
    if (sp == 0 || sp >= l)
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(first); i++) {
        gint wl = (gint)strlen(first[i]);
        gint cmp = wl <= l - sp ? wl : l - sp;
        if (cmp >= wl - 1 && g_ascii_strncasecmp((const char *)buf + sp, first[i], cmp) == 0 &&
            (cmp == wl || first[i][wl - 1] == ' ')) {
            *src_is_server = FALSE;
            return TRUE;
        }
    }
    return FALSE;
}

int imap_first_side(const guint8 *buf, guint len)
{
    gint l = mail_first_line(buf, len, 1024);
    if (l >= 5 && (g_ascii_strncasecmp((const char *)buf, "* OK ", 5) == 0 ||
                   g_ascii_strncasecmp((const char *)buf, "* BYE ", 6) == 0 ||
                   g_ascii_strncasecmp((const char *)buf, "* PREAUTH ", 10) == 0))
        return MW_SIDE_SERVER;
    gboolean src_is_server;
    if (!imap_looks_like(buf, len, &src_is_server))
        return MW_SIDE_UNKNOWN;
    return src_is_server ? MW_SIDE_SERVER : MW_SIDE_CLIENT;
}

dissector_handle_t imap_handle_get(void)
{
    return imap_handle;
}

void imap_set_server(packet_info *pinfo, gboolean src_is_server)
{
    mw_stream_set_server(&imap_stream, pinfo, src_is_server);
}

static void imap_apply_prefs(void)
{
    mail_ports_apply(&imap_ports, imap_handle);
    imap_pref_max_literal = ((guint64)pref_max_literal_mib << 20) - 1;
    imap_pref_max_message = (guint64)pref_max_message_mib << 20;
}

void imap_register(void)
{
    static hf_register_info hf[] = {
        /* lines */
        {&hf_imap_request,
         {"Request line", "mail.imap.request", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_response,
         {"Response line", "mail.imap.response", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_continued,
         {"Continues the logical line after a literal", "mail.imap.continued", FT_BOOLEAN,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        /* commands */
        {&hf_imap_tag, {"Tag", "mail.imap.tag", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_command,
         {"Command", "mail.imap.command", FT_STRING, BASE_NONE, NULL, 0x0,
          "The command name; for UID commands the inner command", HFILL}},
        {&hf_imap_uid,
         {"UID command", "mail.imap.uid", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The command came as UID <command>: numbers are UIDs", HFILL}},
        {&hf_imap_args,
         {"Arguments", "mail.imap.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_cancel,
         {"AUTHENTICATE cancelled", "mail.imap.auth.cancel", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        /* shared data */
        {&hf_imap_mailbox,
         {"Mailbox", "mail.imap.mailbox", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_capability,
         {"Capability", "mail.imap.capability", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_flag, {"Flag", "mail.imap.flag", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_number,
         {"Number", "mail.imap.number", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_string,
         {"String", "mail.imap.string", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_imap, &ett_imap_line, &ett_imap_item};
    static ei_register_info ei[] = {
        {&ei_imap_command_malformed,
         {"mail.imap.command.malformed", PI_MALFORMED, PI_WARN,
          "Not a command line: no valid tag and command name", EXPFILL}},
        {&ei_imap_command_unknown,
         {"mail.imap.command.unknown", PI_PROTOCOL, PI_NOTE, "Command name not known", EXPFILL}},
    };
    proto_imap = proto_register_protocol("Internet Message Access Protocol (mailwire)",
                                         "mailwire IMAP", "mail.imap");
    imap_dropin_register(proto_imap);
    proto_register_field_array(proto_imap, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_imap);
    expert_register_field_array(em, ei, array_length(ei));
    imap_tags_register(proto_imap);
    imap_literal_register(proto_imap);
    imap_response_register(proto_imap);
    imap_fetch_register(proto_imap);
    imap_state_register(proto_imap);
    imap_auth_register(proto_imap);
    imap_longline_register(proto_imap);
    mail_message_register(proto_mail);

    module_t *m = prefs_register_protocol(proto_imap, imap_apply_prefs);
    mail_ports_register(m, &imap_ports, "IMAP", "143", "993");
    prefs_register_uint_preference(m, "literal.max_mib", "Largest sane literal (MiB)",
                                   "A literal header announcing this much or more is reported as "
                                   "invalid and not followed: dissection goes on line by line",
                                   10, &pref_max_literal_mib);
    prefs_register_uint_preference(m, "message.max_mib", "Largest message handed to IMF (MiB)",
                                   "Message literals up to this size are collected and "
                                   "dissected as messages; larger ones are shown as bytes only",
                                   10, &pref_max_message_mib);
    imap_handle = register_dissector("mail.imap", dissect_imap, proto_imap);
    register_init_routine(imap_capture_start);
    register_postseq_cleanup_routine(imap_capture_done);
}

void imap_handoff(void)
{
    imap_apply_prefs();
    imap_auth_handoff();
}

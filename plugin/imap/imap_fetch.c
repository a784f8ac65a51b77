/* IMAP FETCH data (RFC 9051 section 7.5.2): the msg-att list of an untagged
 * FETCH, walked token by token across its literals.  Simple items become
 * fields; ENVELOPE fields and BODYSTRUCTURE parts become subtrees; a literal
 * gets its meaning (message, header fields, text, part) from the item name
 * and section it is the value of. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/strutil.h>

#include "core/imap/imap_body.h"
#include "core/mail/message.h"
#include "imap/imap.h"
#include "mail/tap.h"
#include "engine/text.h"

static int hf_fetch_item = -1;
static int hf_fetch_uid = -1;
static int hf_fetch_internaldate = -1;
static int hf_fetch_size = -1;
static int hf_fetch_modseq = -1;
static int hf_fetch_count = -1;
static int hf_fetch_section = -1;
static int hf_fetch_envelope = -1;
static int hf_fetch_bodystructure = -1;
static int hf_fetch_part = -1;
static int hf_env[10] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
static gint ett_fetch_envelope = -1;
static gint ett_fetch_body = -1;
static expert_field ei_fetch_malformed = EI_INIT;
static expert_field ei_body_too_deep = EI_INIT;
static expert_field ei_body_too_many = EI_INIT;
static int hf_body_part = -1;
static int hf_body_section = -1;
static int hf_body_type = -1;
static int hf_body_subtype = -1;
static int hf_body_children = -1;
static int hf_body_param_name = -1;
static int hf_body_param_value = -1;
static int hf_body_id = -1;
static int hf_body_description = -1;
static int hf_body_encoding = -1;
static int hf_body_size = -1;
static int hf_body_lines = -1;
static int hf_body_md5 = -1;
static int hf_body_disposition = -1;
static int hf_body_disp_param_name = -1;
static int hf_body_disp_param_value = -1;
static int hf_body_language = -1;
static int hf_body_location = -1;
static int hf_body_env_subject = -1;
static int hf_body_filename = -1;
static gint ett_body_part = -1;

enum fetch_item {
    FI_UNKNOWN = 0, FI_UID, FI_FLAGS, FI_INTERNALDATE, FI_SIZE, FI_ENVELOPE, FI_BODYSTRUCTURE,
    FI_SECTION, FI_RFC822, FI_RFC822_HEADER, FI_RFC822_TEXT, FI_MODSEQ, FI_OTHER
};

static const struct { const char *name; enum fetch_item item; } item_names[] = {
    {"UID", FI_UID}, {"FLAGS", FI_FLAGS}, {"INTERNALDATE", FI_INTERNALDATE},
    {"RFC822.SIZE", FI_SIZE}, {"ENVELOPE", FI_ENVELOPE}, {"BODYSTRUCTURE", FI_BODYSTRUCTURE},
    {"BODY", FI_BODYSTRUCTURE}, {"BINARY", FI_SECTION}, {"RFC822", FI_RFC822},
    {"RFC822.HEADER", FI_RFC822_HEADER}, {"RFC822.TEXT", FI_RFC822_TEXT}, {"MODSEQ", FI_MODSEQ},
};

void imap_fetch_start(imap_walk *w)
{
    memset(w, 0, sizeof *w);
    w->kind = IMAP_WALK_FETCH;
}

/* What a section's octets are: "" a message, ...HEADER... a header block. */
static imap_lit_use section_use(const guint8 *s, gsize len)
{
    if (len == 0)
        return IMAP_LIT_MESSAGE;
    gsize word = len;
    while (word > 0 && s[word - 1] != '.')
        word--;
    const guint8 *last = s + word;
    gsize ll = len - word;
    for (gsize i = 0; i + 6 <= len; i++)
        if (g_ascii_strncasecmp((const char *)s + i, "HEADER", 6) == 0)
            return IMAP_LIT_HEADER;
    if (mw_imap_word_eq(last, ll, "TEXT"))
        return IMAP_LIT_TEXT;
    if (mw_imap_word_eq(last, ll, "MIME"))
        return IMAP_LIT_MIME;
    return IMAP_LIT_PART;
}

static imap_lit_use item_use(const imap_walk *w, const guint8 *sect, gsize sect_len)
{
    switch (w->item) {
    case FI_RFC822: return IMAP_LIT_MESSAGE;
    case FI_RFC822_HEADER: return IMAP_LIT_HEADER;
    case FI_RFC822_TEXT: return IMAP_LIT_TEXT;
    case FI_SECTION: return section_use(sect, sect_len);
    default: return IMAP_LIT_STRING;
    }
}

/* A name "BODY[sect]<partial>": returns the item, moves the lexer past the
 * section and partial, and sets *sect_off/len (inside the brackets). */
static enum fetch_item read_name(mw_imap_lexer *lx, const mw_imap_tok *name, size_t *end,
                                 size_t *sect_off, size_t *sect_len)
{
    enum fetch_item item = FI_OTHER;
    for (size_t i = 0; i < G_N_ELEMENTS(item_names); i++)
        if (mw_imap_word_eq(lx->buf + name->off, name->len, item_names[i].name))
            item = item_names[i].item;
    *end = name->off + name->len;
    *sect_off = *sect_len = 0;
    if (lx->pos >= lx->len || lx->buf[lx->pos] != '[')
        return item;
    mw_imap_tok tok;
    *sect_off = lx->pos + 1;
    while (mw_imap_lex_next(lx, &tok) != MW_IMAP_TOK_END && tok.kind != MW_IMAP_TOK_ERROR)
        if (tok.kind == MW_IMAP_TOK_SECT_CLOSE)
            break;
    *sect_len = tok.off > *sect_off ? tok.off - *sect_off : 0;
    *end = tok.off + tok.len;
    if (lx->pos < lx->len && lx->buf[lx->pos] == '<') {
        mw_imap_lexer peek = *lx;
        if (mw_imap_lex_next(&peek, &tok) == MW_IMAP_TOK_ATOM && !tok.space_before) {
            *lx = peek;
            *end = tok.off + tok.len;
        }
    }
    return FI_SECTION;
}

/* Unstructured text with RFC 2047 encoded words decoded (as SMTP's headers). */
static const char *ew_text(mw_ctx *ctx, const char *in)
{
    size_t n = strlen(in);
    if (!strstr(in, "=?"))
        return in;
    guint8 *out = (guint8 *)wmem_alloc(ctx->pinfo->pool, 2 * n + 1);
    unsigned flags = 0;
    size_t m = mw_ew_decode((const uint8_t *)in, n, out, 2 * n, &flags);
    out[m] = '\0';
    return (const char *)out;
}

/* One ENVELOPE token: fields at depth 2, addresses (name adl mailbox host)
 * at depth 4 collected into "name <mailbox@host>". */
typedef struct env_addr {
    const char *part[4];
    guint n;
    gint off;
} env_addr;

static void envelope_token(mw_ctx *ctx, proto_tree *et, tvbuff_t *tvb, gint base,
                           const mw_imap_tok *tok, imap_walk *w, env_addr *a)
{
    guint field = w->pos[2] - 1u;
    if (field >= 10)
        return;
    if (tok->depth == 2 && tok->kind != MW_IMAP_TOK_LIST_OPEN && tok->kind != MW_IMAP_TOK_LIST_CLOSE) {
        if (tok->kind != MW_IMAP_TOK_NIL && tok->kind != MW_IMAP_TOK_LITERAL) {
            const char *v = imap_tok_text(ctx, tvb, base, tok);
            if (field == 1) /* the subject: RFC 2047 words decoded as in headers */
                v = ew_text(ctx, v);
            proto_tree_add_string(et, hf_env[field], tvb, base + (gint)tok->off, (gint)tok->len, v);
        }
        return;
    }
    if (tok->kind == MW_IMAP_TOK_LIST_OPEN && tok->depth == 4) {
        memset(a, 0, sizeof *a);
        a->off = base + (gint)tok->off;
    } else if (tok->depth == 4 && tok->kind != MW_IMAP_TOK_LIST_CLOSE && a->n < 4) {
        a->part[a->n++] = tok->kind == MW_IMAP_TOK_NIL || tok->kind == MW_IMAP_TOK_LITERAL
                              ? NULL : imap_tok_text(ctx, tvb, base, tok);
    } else if (tok->kind == MW_IMAP_TOK_LIST_CLOSE && tok->depth == 3 && a->off >= 0 && a->n == 4) {
        gint end = base + (gint)(tok->off + tok->len);
        if (a->part[0])
            a->part[0] = ew_text(ctx, a->part[0]);
        const char *addr = wmem_strdup_printf(ctx->pinfo->pool, "%s%s<%s@%s>",
                                              a->part[0] ? a->part[0] : "", a->part[0] ? " " : "",
                                              a->part[2] ? a->part[2] : "", a->part[3] ? a->part[3] : "");
        proto_tree_add_string(et, hf_env[field], tvb, a->off, end - a->off, addr);
        a->off = -1;
    }
}

/* The literal that ended the previous segment inside an ENVELOPE: a field
 * (depth 2) or a part of an address (depth 4) that goes on in this one. */
static void envelope_literal(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, imap_walk *w,
                             env_addr *a)
{
    const imap_lit_rec *r = w->last_lit;
    const char *text =
        mw_format_text(ctx->pinfo->pool, r->buf, (size_t)r->core->size);
    guint field = w->pos[2] - 1u;
    if (w->depth == 2 && field < 10) {
        proto_item *it = proto_tree_add_string(t, hf_env[field], tvb, off, 0, text);
        proto_item_append_text(it, " (from a literal)");
    } else if (w->depth == 4 && w->addr_n > 0 && w->addr_n <= 4) {
        a->n = w->addr_n;
        a->part[a->n - 1] = text;
        a->off = off;
    }
}

/* One BODYSTRUCTURE token.  Every list is a node.  A body part is the
 * value's own list, or a list inside a multipart before its subtype; a
 * multipart is a list that begins with a list, named by its first string. */
static void body_token(proto_tree **stack, guint32 *opened, tvbuff_t *tvb, gint base,
                       const mw_imap_tok *tok, imap_walk *w, mw_ctx *ctx)
{
    guint d = tok->depth;
    if (tok->kind == MW_IMAP_TOK_LIST_OPEN && d < IMAP_WALK_DEPTH) {
        *opened |= 1u << d;
        guint16 parent = (guint16)(1u << (d - 1));
        if (w->pos[d - 1] == 1)
            w->multi |= parent;
        w->multi &= (guint16)~(1u << d);
        w->strseen &= (guint16)~(1u << d);
        gboolean part = d == 2 || ((w->multi & parent) && !(w->strseen & parent));
        w->part = (guint16)(part ? (w->part | (1u << d)) : (w->part & ~(1u << d)));
        proto_item *it = proto_tree_add_item(stack[d - 1], hf_fetch_part, tvb, base + (gint)tok->off,
                                             1, ENC_NA);
        proto_item_set_text(it, part ? "Part" : "List");
        stack[d] = proto_item_add_subtree(it, ett_fetch_body);
        return;
    }
    if (d == 0 || d >= IMAP_WALK_DEPTH || tok->kind == MW_IMAP_TOK_LIST_CLOSE)
        return;
    /* Only lists opened in this segment are nodes (the walk advances the
     * same way whether or not a tree is built). */
    if (!(*opened & (1u << d)))
        return;
    guint p = w->pos[d] - 1;
    gboolean first_string = !(w->strseen & (1u << d));
    w->strseen |= (guint16)(1u << d);
    proto_item *node = proto_tree_get_parent(stack[d]);
    if (!node || !stack[d])
        return;
    const char *s = imap_tok_text(ctx, tvb, base, tok);
    gboolean single = (w->part & (1u << d)) && !(w->multi & (1u << d));
    if ((w->multi & (1u << d)) && first_string && tok->kind == MW_IMAP_TOK_QUOTED)
        proto_item_set_text(node, "%s: multipart/%s", d == 2 ? "Body structure" : "Part", s);
    else if (single && p == 0 && tok->kind == MW_IMAP_TOK_QUOTED)
        proto_item_append_text(node, ": %s", s);
    else if (single && p == 1 && tok->kind == MW_IMAP_TOK_QUOTED)
        proto_item_append_text(node, "/%s", s);
    proto_tree_add_string(stack[d], hf_imap_string, tvb, base + (gint)tok->off, (gint)tok->len, s);
}

/* A token of the value as text (quotes removed); NULL for NIL. */
static const char *bfield_text(mw_ctx *ctx, tvbuff_t *tvb, gint base, const mw_imap_bfield *f)
{
    if (f->kind != MW_IMAP_TOK_QUOTED && f->kind != MW_IMAP_TOK_ATOM && f->kind != MW_IMAP_TOK_NUMBER)
        return NULL;
    mw_imap_tok t;
    memset(&t, 0, sizeof t);
    t.kind = f->kind;
    t.off = f->off;
    t.len = f->len;
    return imap_tok_text(ctx, tvb, base, &t);
}

static void add_bstring(mw_ctx *ctx, proto_tree *t, int hf, tvbuff_t *tvb, gint base,
                        const mw_imap_bfield *f)
{
    const char *v = bfield_text(ctx, tvb, base, f);
    if (v)
        proto_tree_add_string(t, hf, tvb, base + (gint)f->off, (gint)f->len, v);
}

/* The elements of a list field, in order: each string (or nested list) at
 * its first level to fn. */
typedef void (*elem_fn)(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const mw_imap_tok *tok,
                        guint i, void *opaque);

static void each_elem(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const guint8 *p,
                      const mw_imap_bfield *f, elem_fn fn, void *opaque)
{
    if (f->kind != MW_IMAP_TOK_LIST_OPEN)
        return;
    mw_imap_lexer lx;
    mw_imap_tok tok;
    mw_imap_lexer_init(&lx, p, f->off + f->len, f->off, 0, 4096);
    if (mw_imap_lex_next(&lx, &tok) != MW_IMAP_TOK_LIST_OPEN)
        return;
    guint i = 0;
    while (mw_imap_lex_next(&lx, &tok) != MW_IMAP_TOK_END && tok.kind != MW_IMAP_TOK_ERROR) {
        if (tok.kind == MW_IMAP_TOK_LIST_CLOSE)
            break;
        fn(ctx, t, tvb, base, &tok, i++, opaque);
        if (tok.kind == MW_IMAP_TOK_LIST_OPEN) {
            mw_imap_tok last;
            if (mw_imap_lex_skip_list(&lx, tok.depth, &last) != MW_IMAP_TOK_LIST_CLOSE)
                break;
        }
    }
}

/* A file name parameter as a reader sees it: RFC 2231 charset''%XX for a
 * name ending in "*", else RFC 2047 encoded words (common, though MIME does
 * not allow them in parameters). */
static const char *param_decode(mw_ctx *ctx, const char *v, gboolean ext)
{
    if (!ext)
        return ew_text(ctx, v);
    const char *q = strchr(v, '\'');
    const char *q2 = q ? strchr(q + 1, '\'') : NULL;
    if (!q2)
        return v;
    gboolean latin1 = g_ascii_strncasecmp(v, "iso-8859-1", (gsize)(q - v)) == 0 && q - v == 10;
    GByteArray *b = g_byte_array_new();
    for (const char *c = q2 + 1; *c; c++) {
        guint8 o = (guint8)*c;
        if (*c == '%' && g_ascii_isxdigit(c[1]) && g_ascii_isxdigit(c[2])) {
            o = (guint8)(g_ascii_xdigit_value(c[1]) * 16 + g_ascii_xdigit_value(c[2]));
            c += 2;
        }
        g_byte_array_append(b, &o, 1);
    }
    const char *out;
    if (latin1) {
        gchar *u = g_convert((const gchar *)b->data, (gssize)b->len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
        out = u ? wmem_strdup(ctx->pinfo->pool, u) : v;
        g_free(u);
    } else {
        out = mw_format_text(ctx->pinfo->pool, b->data, b->len);
    }
    g_byte_array_free(b, TRUE);
    return out;
}

typedef struct param_ctx {
    int hf_name, hf_value;
    mw_imap_tok name;
} param_ctx;

/* ("name" "value" ...): name and value fields, names lower case as MIME has them. */
static void param_elem(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const mw_imap_tok *tok,
                       guint i, void *opaque)
{
    param_ctx *pc = (param_ctx *)opaque;
    if (i % 2 == 0) {
        pc->name = *tok;
        return;
    }
    if (pc->name.kind != MW_IMAP_TOK_QUOTED && pc->name.kind != MW_IMAP_TOK_ATOM)
        return;
    const char *n = imap_tok_text(ctx, tvb, base, &pc->name);
    proto_item *ni = proto_tree_add_string(t, pc->hf_name, tvb, base + (gint)pc->name.off,
                                           (gint)pc->name.len, n);
    if (tok->kind == MW_IMAP_TOK_QUOTED || tok->kind == MW_IMAP_TOK_ATOM ||
        tok->kind == MW_IMAP_TOK_NUMBER) {
        const char *v = imap_tok_text(ctx, tvb, base, tok);
        proto_item_append_text(ni, " = %s", v);
        proto_tree_add_string(t, pc->hf_value, tvb, base + (gint)tok->off, (gint)tok->len, v);
        if (!g_ascii_strcasecmp(n, "filename") || !g_ascii_strcasecmp(n, "filename*") ||
            !g_ascii_strcasecmp(n, "name") || !g_ascii_strcasecmp(n, "name*")) {
            gboolean ext = n[strlen(n) - 1] == '*';
            proto_item *fi = proto_tree_add_string(t, hf_body_filename, tvb, base + (gint)tok->off,
                                                   (gint)tok->len, param_decode(ctx, v, ext));
            proto_item_set_generated(fi);
        }
    }
}

static void add_params(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const guint8 *p,
                       const mw_imap_bfield *f, int hf_name, int hf_value)
{
    param_ctx pc;
    memset(&pc, 0, sizeof pc);
    pc.hf_name = hf_name;
    pc.hf_value = hf_value;
    each_elem(ctx, t, tvb, base, p, f, param_elem, &pc);
}

/* ("attachment" ("filename" "x")): the type (its parameters are added apart). */
static void disp_elem(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const mw_imap_tok *tok,
                      guint i, void *opaque _U_)
{
    if (i == 0 && (tok->kind == MW_IMAP_TOK_QUOTED || tok->kind == MW_IMAP_TOK_ATOM))
        proto_tree_add_string(t, hf_body_disposition, tvb, base + (gint)tok->off, (gint)tok->len,
                              imap_tok_text(ctx, tvb, base, tok));
}

/* A language: one string or a list of them. */
static void lang_elem(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const mw_imap_tok *tok,
                      guint i _U_, void *opaque _U_)
{
    if (tok->kind == MW_IMAP_TOK_QUOTED || tok->kind == MW_IMAP_TOK_ATOM)
        proto_tree_add_string(t, hf_body_language, tvb, base + (gint)tok->off, (gint)tok->len,
                              imap_tok_text(ctx, tvb, base, tok));
}

/* The envelope of a message/rfc822 part: its subject (second element). */
static void env_elem(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const mw_imap_tok *tok,
                     guint i, void *opaque _U_)
{
    if (i == 1 && (tok->kind == MW_IMAP_TOK_QUOTED || tok->kind == MW_IMAP_TOK_ATOM))
        proto_tree_add_string(t, hf_body_env_subject, tvb, base + (gint)tok->off, (gint)tok->len,
                              ew_text(ctx, imap_tok_text(ctx, tvb, base, tok)));
}

/* Every part of a parsed BODYSTRUCTURE as a subtree under its parent's. */
static void render_body(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base, const guint8 *p,
                        const mw_imap_body *b)
{
    proto_tree **trees = wmem_alloc_array(ctx->pinfo->pool, proto_tree *, b->n ? b->n : 1);
    for (unsigned i = 0; i < b->n; i++) {
        const mw_imap_bpart *pt = &b->part[i];
        proto_tree *parent = pt->parent < 0 ? t : trees[pt->parent];
        const char *sect = pt->section[0] == '\0' ? "(top)"
                           : pt->message_body && pt->multipart
                               ? wmem_strdup_printf(ctx->pinfo->pool, "%s.(body)", pt->section)
                               : pt->section;
        const char *type = pt->multipart ? "multipart" : bfield_text(ctx, tvb, base, &pt->f[MW_IMAP_BF_TYPE]);
        const char *sub = bfield_text(ctx, tvb, base, &pt->f[MW_IMAP_BF_SUBTYPE]);
        const char *mime = wmem_strdup_printf(ctx->pinfo->pool, "%s/%s", type ? wmem_ascii_strdown(ctx->pinfo->pool, type, -1) : "?",
                                              sub ? wmem_ascii_strdown(ctx->pinfo->pool, sub, -1) : "?");
        proto_item *pi = proto_tree_add_string_format(parent, hf_body_part, tvb, base + (gint)pt->off,
                                                      (gint)pt->len,
                                                      wmem_strdup_printf(ctx->pinfo->pool, "%s %s", sect, mime),
                                                      "Part %s: %s", sect, mime);
        proto_tree *st = trees[i] = proto_item_add_subtree(pi, ett_body_part);
        proto_tree_add_string(st, hf_body_section, tvb, base + (gint)pt->off, 0, sect);
        if (pt->too_deep) {
            proto_item_append_text(pi, " (nested too deep: not named)");
            mw_expert(ctx->pinfo, pi, &ei_body_too_deep);
            continue;
        }
        if (pt->multipart) {
            proto_tree_add_string(st, hf_body_type, tvb, base + (gint)pt->off, 1, "multipart");
            add_bstring(ctx, st, hf_body_subtype, tvb, base, &pt->f[MW_IMAP_BF_SUBTYPE]);
            proto_item *c = proto_tree_add_uint(st, hf_body_children, tvb, base + (gint)pt->off, 0,
                                                pt->children);
            proto_item_set_generated(c);
        } else {
            add_bstring(ctx, st, hf_body_type, tvb, base, &pt->f[MW_IMAP_BF_TYPE]);
            add_bstring(ctx, st, hf_body_subtype, tvb, base, &pt->f[MW_IMAP_BF_SUBTYPE]);
        }
        add_params(ctx, st, tvb, base, p, &pt->f[MW_IMAP_BF_PARAMS], hf_body_param_name,
                   hf_body_param_value);
        add_bstring(ctx, st, hf_body_id, tvb, base, &pt->f[MW_IMAP_BF_ID]);
        add_bstring(ctx, st, hf_body_description, tvb, base, &pt->f[MW_IMAP_BF_DESCRIPTION]);
        add_bstring(ctx, st, hf_body_encoding, tvb, base, &pt->f[MW_IMAP_BF_ENCODING]);
        const mw_imap_bfield *f = &pt->f[MW_IMAP_BF_SIZE];
        if (f->kind == MW_IMAP_TOK_NUMBER)
            proto_tree_add_uint64(st, hf_body_size, tvb, base + (gint)f->off, (gint)f->len, f->num);
        each_elem(ctx, st, tvb, base, p, &pt->f[MW_IMAP_BF_ENVELOPE], env_elem, NULL);
        f = &pt->f[MW_IMAP_BF_LINES];
        if (f->kind == MW_IMAP_TOK_NUMBER)
            proto_tree_add_uint64(st, hf_body_lines, tvb, base + (gint)f->off, (gint)f->len, f->num);
        add_bstring(ctx, st, hf_body_md5, tvb, base, &pt->f[MW_IMAP_BF_MD5]);
        f = &pt->f[MW_IMAP_BF_DISPOSITION];
        if (f->kind == MW_IMAP_TOK_LIST_OPEN) {
            each_elem(ctx, st, tvb, base, p, f, disp_elem, NULL);
            /* its parameters: the list inside */
            mw_imap_lexer lx;
            mw_imap_tok tok;
            mw_imap_lexer_init(&lx, p, f->off + f->len, f->off, 0, 4096);
            mw_imap_lex_next(&lx, &tok);
            while (mw_imap_lex_next(&lx, &tok) != MW_IMAP_TOK_END && tok.kind != MW_IMAP_TOK_ERROR) {
                if (tok.kind == MW_IMAP_TOK_LIST_OPEN && tok.depth == 2) {
                    mw_imap_tok last;
                    if (mw_imap_lex_skip_list(&lx, tok.depth, &last) != MW_IMAP_TOK_LIST_CLOSE)
                        break;
                    mw_imap_bfield pf = {MW_IMAP_TOK_LIST_OPEN, tok.off, last.off + last.len - tok.off, 0};
                    add_params(ctx, st, tvb, base, p, &pf, hf_body_disp_param_name,
                               hf_body_disp_param_value);
                    break;
                }
            }
        }
        f = &pt->f[MW_IMAP_BF_LANGUAGE];
        if (f->kind == MW_IMAP_TOK_LIST_OPEN)
            each_elem(ctx, st, tvb, base, p, f, lang_elem, NULL);
        else
            add_bstring(ctx, st, hf_body_language, tvb, base, f);
        add_bstring(ctx, st, hf_body_location, tvb, base, &pt->f[MW_IMAP_BF_LOCATION]);
    }
    if (b->too_many && b->n)
        mw_expert(ctx->pinfo, proto_tree_get_parent(t), &ei_body_too_many);
}

static void simple_value(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base,
                         const mw_imap_tok *tok, enum fetch_item item)
{
    gint o = base + (gint)tok->off, l = (gint)tok->len;
    switch (item) {
    case FI_UID: proto_tree_add_uint64(t, hf_fetch_uid, tvb, o, l, tok->num); break;
    case FI_SIZE: proto_tree_add_uint64(t, hf_fetch_size, tvb, o, l, tok->num); break;
    case FI_INTERNALDATE:
        proto_tree_add_string(t, hf_fetch_internaldate, tvb, o, l, imap_tok_text(ctx, tvb, base, tok));
        break;
    default: break;
    }
}

void imap_fetch_segment(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                        imap_walk *w)
{
    const guint8 *p;
    imap_line_ptr(tvb, off, len, &p);
    mw_imap_lexer lx;
    mw_imap_lexer_init(&lx, p, (size_t)len, 0, w->depth, 0);
    mw_imap_tok tok;
    proto_tree *stack[IMAP_WALK_DEPTH];
    proto_tree *vt = t; /* the current value's subtree */
    env_addr addr = {{0}, 0, -1};
    guint32 opened = 0;
    for (guint i = 0; i < IMAP_WALK_DEPTH; i++)
        stack[i] = t;
    if (w->item == FI_ENVELOPE && w->last_lit)
        envelope_literal(ctx, t, tvb, off, w, &addr);
    w->last_lit = NULL;
    while (mw_imap_lex_next(&lx, &tok) != MW_IMAP_TOK_END) {
        if (tok.kind == MW_IMAP_TOK_ERROR) {
            if (t)
                expert_add_info(ctx->pinfo, proto_tree_get_parent(t), &ei_fetch_malformed);
            break;
        }
        guint d = tok.kind == MW_IMAP_TOK_LIST_OPEN ? tok.depth - 1 : tok.depth;
        if (d < IMAP_WALK_DEPTH && tok.kind != MW_IMAP_TOK_LIST_CLOSE)
            w->pos[d]++;
        if (tok.kind == MW_IMAP_TOK_LIST_OPEN && tok.depth < IMAP_WALK_DEPTH)
            w->pos[tok.depth] = 0;
        if (tok.depth == 0) {
            /* the msg-att list's own parentheses; at its end, the items it held */
            if (t && tok.kind == MW_IMAP_TOK_LIST_CLOSE) {
                proto_item *c = proto_tree_add_uint(t, hf_fetch_count, tvb, off + (gint)tok.off,
                                                    (gint)tok.len, w->items);
                proto_item_set_generated(c);
            }
            continue;
        }
        if (!w->expect_value) {
            if (tok.depth != 1 || tok.kind != MW_IMAP_TOK_ATOM)
                continue;
            size_t end, so, sl;
            w->item = (guint8)read_name(&lx, &tok, &end, &so, &sl);
            w->expect_value = 1;
            w->items++;
            const char *name = mw_tvb_format_text(ctx->pinfo->pool, tvb, off + (gint)tok.off,
                                                             (gint)(end - tok.off));
            proto_tree_add_string(t, w->item == FI_SECTION ? hf_fetch_section : hf_fetch_item, tvb,
                                  off + (gint)tok.off, (gint)(end - tok.off), name);
            w->next_use = item_use(w, p + so, sl);
            /* the parse side keeps the label with the literal record */
            w->next_label = t ? name : wmem_strdup(wmem_file_scope(), name);
            continue;
        }
        if (tok.depth == 1 && tok.kind != MW_IMAP_TOK_LIST_OPEN) {
            if (tok.kind != MW_IMAP_TOK_LIST_CLOSE)
                simple_value(ctx, t, tvb, off, &tok, (enum fetch_item)w->item);
            w->expect_value = 0;
            continue;
        }
        if (tok.kind == MW_IMAP_TOK_LIST_OPEN && tok.depth == 2) {
            int hf = w->item == FI_ENVELOPE ? hf_fetch_envelope
                     : w->item == FI_BODYSTRUCTURE ? hf_fetch_bodystructure : -1;
            if (hf != -1) {
                proto_item *vi = proto_tree_add_item(t, hf, tvb, off + (gint)tok.off, 1, ENC_NA);
                vt = proto_item_add_subtree(vi, w->item == FI_ENVELOPE ? ett_fetch_envelope : ett_fetch_body);
                stack[2] = vt;
                opened |= 1u << 2;
                if (w->item == FI_BODYSTRUCTURE) {
                    /* A value whole in this segment is named part by part;
                     * one cut by a literal or a fragment is walked token by
                     * token below.  Parse and render skip it alike. */
                    mw_imap_body *b = wmem_new(ctx->pinfo->pool, mw_imap_body);
                    mw_imap_body_parse(p, (size_t)len, tok.off, b);
                    if (b->complete) {
                        proto_item_set_len(vi, (gint)(b->end - tok.off));
                        if (t)
                            render_body(ctx, vt, tvb, off, p, b);
                        lx.pos = b->end;
                        lx.depth = tok.depth - 1;
                        w->expect_value = 0;
                        continue;
                    }
                    w->multi = w->strseen = 0;
                    w->part = 1u << 2;
                    continue;
                }
            }
        }
        switch (w->item) {
        case FI_FLAGS:
            if (tok.kind == MW_IMAP_TOK_ATOM)
                proto_tree_add_string(t, hf_imap_flag, tvb, off + (gint)tok.off, (gint)tok.len,
                                      imap_tok_text(ctx, tvb, off, &tok));
            break;
        case FI_MODSEQ:
            if (tok.kind == MW_IMAP_TOK_NUMBER)
                proto_tree_add_uint64(t, hf_fetch_modseq, tvb, off + (gint)tok.off, (gint)tok.len, tok.num);
            break;
        case FI_ENVELOPE:
            envelope_token(ctx, vt, tvb, off, &tok, w, &addr);
            break;
        case FI_BODYSTRUCTURE:
            body_token(stack, &opened, tvb, off, &tok, w, ctx);
            break;
        default:
            break;
        }
        if (tok.kind == MW_IMAP_TOK_LIST_CLOSE && tok.depth == 1)
            w->expect_value = 0;
    }
    w->addr_n = addr.off >= 0 ? (guint8)addr.n : 0;
    if (tok.kind == MW_IMAP_TOK_LITERAL && w->expect_value && tok.depth != 1)
        w->next_use = IMAP_LIT_STRING;
    w->depth = (guint8)MIN(lx.depth, 255u);
}

void imap_fetch_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_fetch_item, {"Data item", "mail.imap.fetch.item", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_fetch_uid, {"UID", "mail.imap.fetch.uid", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_fetch_internaldate,
         {"Internal date", "mail.imap.fetch.internaldate", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_fetch_size,
         {"RFC822.SIZE", "mail.imap.fetch.rfc822_size", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_fetch_count,
         {"Data items", "mail.imap.fetch.count", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Data items of the FETCH response, counted at its closing parenthesis", HFILL}},
        {&hf_fetch_modseq, {"MODSEQ", "mail.imap.fetch.modseq", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_fetch_section,
         {"Body section", "mail.imap.fetch.section", FT_STRING, BASE_NONE, NULL, 0x0,
          "BODY[...] or BINARY[...] as the server names it", HFILL}},
        {&hf_fetch_envelope,
         {"Envelope", "mail.imap.fetch.envelope", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_fetch_bodystructure,
         {"Body structure", "mail.imap.fetch.bodystructure", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_fetch_part,
         {"Body list", "mail.imap.fetch.bodystructure.list", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_part,
         {"Body part", "mail.imap.body.part", FT_STRING, BASE_NONE, NULL, 0x0,
          "A part of a BODYSTRUCTURE: its section number and MIME type (\"1.2 text/html\"; "
          "\"(top)\" for a multipart message, \"N.(body)\" for the multipart body of part N)",
          HFILL}},
        {&hf_body_section,
         {"Section", "mail.imap.body.section", FT_STRING, BASE_NONE, NULL, 0x0,
          "The part's section number as BODY[...] names it", HFILL}},
        {&hf_body_type, {"Type", "mail.imap.body.type", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_subtype,
         {"Subtype", "mail.imap.body.subtype", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_children,
         {"Parts", "mail.imap.body.parts", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Parts a multipart holds", HFILL}},
        {&hf_body_param_name,
         {"Parameter", "mail.imap.body.param", FT_STRING, BASE_NONE, NULL, 0x0,
          "A Content-Type parameter's name", HFILL}},
        {&hf_body_param_value,
         {"Parameter value", "mail.imap.body.param.value", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_body_id, {"Content-ID", "mail.imap.body.id", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_description,
         {"Content-Description", "mail.imap.body.description", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_body_encoding,
         {"Content-Transfer-Encoding", "mail.imap.body.encoding", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_body_size,
         {"Size (octets)", "mail.imap.body.size", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_body_lines,
         {"Lines", "mail.imap.body.lines", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_body_md5, {"Content-MD5", "mail.imap.body.md5", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_disposition,
         {"Disposition", "mail.imap.body.disposition", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_disp_param_name,
         {"Disposition parameter", "mail.imap.body.disposition.param", FT_STRING, BASE_NONE, NULL,
          0x0, NULL, HFILL}},
        {&hf_body_disp_param_value,
         {"Disposition parameter value", "mail.imap.body.disposition.param.value", FT_STRING,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_language,
         {"Language", "mail.imap.body.language", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_location,
         {"Location", "mail.imap.body.location", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_body_filename,
         {"File name", "mail.imap.body.filename", FT_STRING, BASE_NONE, NULL, 0x0,
          "A name or filename parameter decoded (RFC 2231 charset''%XX, or RFC 2047 words)", HFILL}},
        {&hf_body_env_subject,
         {"Enclosed message subject", "mail.imap.body.envelope.subject", FT_STRING, BASE_NONE, NULL,
          0x0, "The subject in the envelope of a message/rfc822 part", HFILL}},
        {&hf_env[0], {"Date", "mail.imap.fetch.envelope.date", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[1], {"Subject", "mail.imap.fetch.envelope.subject", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[2], {"From", "mail.imap.fetch.envelope.from", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[3], {"Sender", "mail.imap.fetch.envelope.sender", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[4], {"Reply-To", "mail.imap.fetch.envelope.reply_to", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[5], {"To", "mail.imap.fetch.envelope.to", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[6], {"Cc", "mail.imap.fetch.envelope.cc", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[7], {"Bcc", "mail.imap.fetch.envelope.bcc", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[8], {"In-Reply-To", "mail.imap.fetch.envelope.in_reply_to", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_env[9], {"Message-ID", "mail.imap.fetch.envelope.message_id", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_fetch_envelope, &ett_fetch_body, &ett_body_part};
    static ei_register_info ei[] = {
        {&ei_fetch_malformed,
         {"mail.imap.fetch.malformed", PI_MALFORMED, PI_WARN,
          "FETCH data that does not tokenize: the rest of the line is not parsed", EXPFILL}},
        {&ei_body_too_deep,
         {"mail.imap.body.too_deep", PI_PROTOCOL, PI_WARN,
          "Body parts nested deeper than 16 levels: the part is not named further", EXPFILL}},
        {&ei_body_too_many,
         {"mail.imap.body.too_many", PI_PROTOCOL, PI_WARN,
          "More than 256 body parts: the rest are not named", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

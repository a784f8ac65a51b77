/* The MIME walk: see mime.h. */
#include "core/mail/mime.h"
#include "core/mail/digest.h"
#include "core/mail/message.h"
#include "core/mail/mime_filename.h"
#include "core/text/base64_body.h"
#include "core/text/qp.h"

#include <gcrypt.h>
#include <glib.h>
#include <string.h>

enum { FR_LEAF, FR_MULTI, FR_MESSAGE };

/* An open part on the walk's stack. */
typedef struct frame {
    unsigned part;
    uint8_t kind;     /* FR_* */
    bool seen_delim;  /* multipart: a delimiter was seen */
    bool closed;      /* multipart: the close delimiter was seen (epilogue) */
    const char *bnd;  /* multipart: its boundary */
    size_t blen;
} frame;

typedef struct walk {
    const uint8_t *m;
    size_t len;
    mw_mime_opts o;
    mw_mime_message *out;
    unsigned cap;    /* parts allocated */
    frame *stack;
    unsigned top;    /* frames in use */
    bool can_hash;
} walk;

/* Header fields of one part that the walk reads. */
typedef struct fields {
    mw_span ct, cd, cte;
    bool has_ct, has_cd, has_cte;
} fields;

#define CHUNK 4096

static mw_mime_part *part(walk *w, unsigned i)
{
    return &w->out->parts[i];
}

static mw_span span(size_t off, size_t len)
{
    mw_span s = {off, len};
    return s;
}

/* If the line at p is a delimiter of an open multipart, returns its stack
 * index and sets *close and *next (the start of the following line); else -1. */
static int match_delim(walk *w, size_t p, bool *close, size_t *next)
{
    const uint8_t *m = w->m;
    size_t len = w->len;
    if (p + 2 > len || m[p] != '-' || m[p + 1] != '-')
        return -1;
    for (int k = (int)w->top - 1; k >= 0; k--) {
        frame *f = &w->stack[k];
        if (f->kind != FR_MULTI || f->closed)
            continue;
        if (f->blen > len - p - 2 || memcmp(m + p + 2, f->bnd, f->blen) != 0)
            continue;
        size_t q = p + 2 + f->blen;
        bool c = false;
        if (q + 2 <= len && m[q] == '-' && m[q + 1] == '-') {
            c = true;
            q += 2;
        }
        while (q < len && (m[q] == ' ' || m[q] == '\t'))
            q++;
        if (q + 1 < len && m[q] == '\r' && m[q + 1] == '\n') {
            q += 2;
        } else if (q < len && m[q] == '\n') {
            q++;
        } else if (q != len) {
            part(w, f->part)->flags |= MW_PART_BOUNDARY_LOOKALIKE;
            continue;
        }
        *close = c;
        *next = q;
        return k;
    }
    return -1;
}

static unsigned new_part(walk *w, int parent, unsigned depth)
{
    mw_mime_message *out = w->out;
    if (out->n_parts == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 8;
        out->parts = g_renew(mw_mime_part, out->parts, w->cap);
    }
    unsigned i = out->n_parts++;
    mw_mime_part *pt = part(w, i);
    memset(pt, 0, sizeof *pt);
    pt->index = i;
    pt->parent = parent;
    pt->depth = depth;
    if (parent >= 0)
        pt->number = ++part(w, (unsigned)parent)->n_children;
    return i;
}

/* The line end before a delimiter line at p belongs to the delimiter. */
static size_t before_line_end(const uint8_t *m, size_t p)
{
    if (p > 0 && m[p - 1] == '\n')
        p--;
    if (p > 0 && m[p - 1] == '\r')
        p--;
    return p;
}

static void note_field(walk *w, unsigned i, const mw_hdr_field *f, fields *fl)
{
    const uint8_t *m = w->m;
    mw_span *dst = NULL;
    bool *has = NULL;
    if (mw_hdr_name_is(m, f->name, "content-type")) {
        dst = &fl->ct;
        has = &fl->has_ct;
    } else if (mw_hdr_name_is(m, f->name, "content-disposition")) {
        dst = &fl->cd;
        has = &fl->has_cd;
    } else if (mw_hdr_name_is(m, f->name, "content-transfer-encoding")) {
        dst = &fl->cte;
        has = &fl->has_cte;
    } else {
        return;
    }
    if (*has) {
        part(w, i)->flags |= MW_PART_DUP_FIELD;
        return;
    }
    *has = true;
    *dst = f->value;
}

/* Reads the header fields of part i at off; sets its header span and body
 * start and returns where the line scan goes on. */
static size_t read_headers(walk *w, unsigned i, size_t off, fields *fl)
{
    size_t p = off;
    for (;;) {
        bool close;
        size_t next;
        mw_hdr_field f;
        size_t q = p;
        mw_hdr_status st = p < w->len && match_delim(w, p, &close, &next) < 0
                               ? mw_hdr_next(w->m, w->len, true, &q, &f)
                               : MW_HDR_EOF;
        mw_mime_part *pt = part(w, i);
        switch (st) {
        case MW_HDR_FIELD:
            note_field(w, i, &f, fl);
            p = q;
            continue;
        case MW_HDR_END:
            pt->header = span(off, p - off);
            pt->body = span(q, 0);
            return q;
        case MW_HDR_BAD:
            pt->flags |= MW_PART_BAD_HEADER;
            pt->header = span(off, p - off);
            pt->body = span(p, 0);
            return p;
        default:
            /* The end of the message or a delimiter: no empty line, no body;
             * the line end before a delimiter belongs to the delimiter. */
            pt->flags |= MW_PART_NO_BODY;
            if (p < w->len) {
                p = before_line_end(w->m, p);
                p = p < off ? off : p;
            }
            pt->header = span(off, p - off);
            pt->body = span(p, 0);
            return p;
        }
    }
}

static bool identity_cte(mw_cte c)
{
    return c == MW_CTE_7BIT || c == MW_CTE_8BIT || c == MW_CTE_BINARY;
}

static mw_cte cte_of(const char *s)
{
    if (strcmp(s, "7bit") == 0)
        return MW_CTE_7BIT;
    if (strcmp(s, "8bit") == 0)
        return MW_CTE_8BIT;
    if (strcmp(s, "binary") == 0)
        return MW_CTE_BINARY;
    if (strcmp(s, "quoted-printable") == 0)
        return MW_CTE_QP;
    if (strcmp(s, "base64") == 0)
        return MW_CTE_BASE64;
    return MW_CTE_OTHER;
}

static unsigned hv_flags(const mw_mime_hvalue *hv)
{
    unsigned f = 0;
    if (hv->flags & MW_HV_DUP_PARAM)
        f |= MW_PART_DUP_PARAM;
    for (unsigned k = 0; k < hv->n_params; k++)
        if (hv->params[k].flags & MW_PARAM_BOTH_FORMS)
            f |= MW_PART_DUP_PARAM;
    if (hv->flags & (MW_HV_BAD_SYNTAX | MW_HV_UNTERMINATED | MW_HV_TOO_MANY))
        f |= MW_PART_BAD_PARAMS;
    return f;
}

static void parse_field(walk *w, mw_span s, mw_mime_hvalue *hv)
{
    mw_mime_hvalue_parse(w->m + s.off, s.len, hv);
}

/* Content type, disposition, file name and encoding of part i; decides
 * whether it is walked as a container. */
static void classify(walk *w, unsigned i, const fields *fl)
{
    mw_mime_part *pt = part(w, i);
    bool digest = pt->parent >= 0 && strcmp(part(w, (unsigned)pt->parent)->subtype, "digest") == 0 &&
                  strcmp(part(w, (unsigned)pt->parent)->type, "multipart") == 0;
    if (fl->has_ct) {
        parse_field(w, fl->ct, &pt->content_type);
        pt->flags |= hv_flags(&pt->content_type);
        const char *v = pt->content_type.value, *slash = strchr(v, '/');
        if (slash && slash > v && slash[1] && !strchr(slash + 1, '/')) {
            pt->type = g_strndup(v, (gsize)(slash - v));
            pt->subtype = g_strdup(slash + 1);
        } else {
            pt->flags |= MW_PART_BAD_CONTENT_TYPE;
        }
    } else {
        pt->content_type.value = g_strdup("");
    }
    if (!pt->type) {
        pt->type = g_strdup(digest ? "message" : "text");
        pt->subtype = g_strdup(digest ? "rfc822" : "plain");
    }
    if (fl->has_cd) {
        parse_field(w, fl->cd, &pt->disposition);
        pt->flags |= hv_flags(&pt->disposition);
    }
    if (fl->has_cte) {
        mw_mime_hvalue hv;
        parse_field(w, fl->cte, &hv);
        pt->cte_name = hv.value;
        hv.value = NULL;
        mw_mime_hvalue_clear(&hv);
        pt->cte = cte_of(pt->cte_name);
        if (pt->cte == MW_CTE_OTHER)
            pt->flags |= MW_PART_UNKNOWN_CTE;
    }
    const mw_mime_param *fn = fl->has_cd ? mw_mime_param_find(&pt->disposition, "filename") : NULL;
    const mw_mime_param *nm = mw_mime_param_find(&pt->content_type, "name");
    if (fn && nm && strcmp(fn->value, nm->value) != 0)
        pt->flags |= MW_PART_NAME_MISMATCH;
    if (fn || nm) {
        pt->filename = g_strdup(fn ? fn->value : nm->value);
        pt->filename_flags = mw_filename_check(pt->filename, strlen(pt->filename));
        if ((pt->filename_flags & MW_FN_DECEPTIVE) || ((fn ? fn : nm)->flags & MW_PARAM_NUL))
            pt->flags |= MW_PART_DECEPTIVE_NAME;
    }

    bool room = pt->depth < w->o.max_depth;
    if (strcmp(pt->type, "multipart") == 0) {
        const mw_mime_param *b = mw_mime_param_find(&pt->content_type, "boundary");
        if (!identity_cte(pt->cte))
            pt->flags |= MW_PART_ENCODED_CONTAINER;
        if (!b || b->value_len == 0)
            pt->flags |= MW_PART_NO_BOUNDARY;
        else if (!room)
            pt->flags |= MW_PART_DEPTH_LIMIT;
        else
            pt->multipart = true;
    } else if (strcmp(pt->type, "message") == 0 &&
               (strcmp(pt->subtype, "rfc822") == 0 || strcmp(pt->subtype, "global") == 0)) {
        if (!identity_cte(pt->cte))
            pt->flags |= MW_PART_ENCODED_CONTAINER;
        else if (!room)
            pt->flags |= MW_PART_DEPTH_LIMIT;
        else
            pt->message = true;
    }
    if (pt->flags & MW_PART_DEPTH_LIMIT)
        w->out->flags |= MW_MIME_DEPTH_LIMIT;
    if (!pt->multipart &&
        ((pt->disposition.value && strcmp(pt->disposition.value, "attachment") == 0) || pt->filename))
        pt->flags |= MW_PART_ATTACHMENT;
}

static void push(walk *w, unsigned i, uint8_t kind)
{
    frame *f = &w->stack[w->top++];
    memset(f, 0, sizeof *f);
    f->part = i;
    f->kind = kind;
    if (kind == FR_MULTI) {
        const mw_mime_param *b = mw_mime_param_find(&part(w, i)->content_type, "boundary");
        f->bnd = b->value;
        f->blen = b->value_len;
    }
}

/* Starts a part (and the message inside a message/rfc822) at off; returns
 * where the line scan goes on. */
static size_t start_part(walk *w, size_t off, int parent, unsigned depth)
{
    for (;;) {
        if (w->out->n_parts >= w->o.max_parts) {
            w->out->flags |= MW_MIME_PART_LIMIT;
            return off;
        }
        unsigned i = new_part(w, parent, depth);
        fields fl;
        memset(&fl, 0, sizeof fl);
        size_t body = read_headers(w, i, off, &fl);
        classify(w, i, &fl);
        mw_mime_part *pt = part(w, i);
        bool close;
        size_t next;
        if (pt->flags & MW_PART_NO_BODY)
            pt->multipart = pt->message = false; /* nothing inside to walk */
        if (pt->message && (body >= w->len || match_delim(w, body, &close, &next) >= 0))
            pt->message = false; /* an empty body: no message inside */
        if (pt->multipart) {
            push(w, i, FR_MULTI);
            return body;
        }
        if (!pt->message) {
            push(w, i, FR_LEAF);
            return body;
        }
        push(w, i, FR_MESSAGE);
        off = body;
        parent = (int)i;
        depth++;
    }
}

uint64_t mw_mime_decode(mw_cte cte, const uint8_t *body, size_t len, mw_mime_sink sink, void *ctx,
                        unsigned *decode_flags)
{
    uint8_t buf[MW_QP_OUT_MAX(CHUNK) > MW_B64_OUT_MAX(CHUNK) ? MW_QP_OUT_MAX(CHUNK) : MW_B64_OUT_MAX(CHUNK)];
    uint64_t total = 0;
    *decode_flags = 0;
    if (cte != MW_CTE_BASE64 && cte != MW_CTE_QP) {
        if (len)
            sink(ctx, body, len);
        return len;
    }
    mw_b64_stream b;
    mw_qp_stream q;
    mw_b64_stream_init(&b);
    mw_qp_stream_init(&q);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        size_t o = cte == MW_CTE_BASE64 ? mw_b64_stream_feed(&b, body + off, n, buf)
                                        : mw_qp_stream_feed(&q, body + off, n, buf);
        if (o)
            sink(ctx, buf, o);
        total += o;
        off += n;
    }
    size_t o = cte == MW_CTE_BASE64 ? mw_b64_stream_end(&b, buf) : mw_qp_stream_end(&q, buf);
    if (o)
        sink(ctx, buf, o);
    *decode_flags = cte == MW_CTE_BASE64 ? b.flags : q.flags;
    return total + o;
}

static void append_sink(void *ctx, const uint8_t *p, size_t n)
{
    g_byte_array_append(ctx, p, (guint)n);
}

uint8_t *mw_mime_part_decoded(const uint8_t *msg, const mw_mime_part *p, size_t *len)
{
    GByteArray *a = g_byte_array_sized_new(p->decoded ? (guint)p->decoded_size : (guint)p->body.len);
    unsigned flags;
    mw_mime_decode(p->cte, msg + p->body.off, p->body.len, append_sink, a, &flags);
    *len = a->len;
    return g_byte_array_free(a, FALSE);
}

static void hash_sink(void *ctx, const uint8_t *p, size_t n)
{
    gcry_md_write(*(gcry_md_hd_t *)ctx, p, n);
}

static void count_sink(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx, (void)p, (void)n;
}

static void note_decode_errors(mw_mime_part *pt)
{
    if (pt->cte == MW_CTE_BASE64 && (pt->decode_flags & MW_B64_ERRORS))
        pt->flags |= MW_PART_BAD_BASE64;
    if (pt->cte == MW_CTE_QP && (pt->decode_flags & MW_QP_ERRORS))
        pt->flags |= MW_PART_BAD_QP;
}

/* Decodes the body of part i in chunks straight into the three hashes (or
 * only counts the decoded bytes with opts.no_digests). */
static void decode_and_hash(walk *w, unsigned i)
{
    mw_mime_part *pt = part(w, i);
    pt->encoded_size = pt->body.len;
    if (w->o.no_hashes)
        return;
    if (w->o.no_digests || !w->can_hash) {
        pt->decoded_size = mw_mime_decode(pt->cte, w->m + pt->body.off, pt->body.len, count_sink,
                                          NULL, &pt->decode_flags);
        note_decode_errors(pt);
        pt->decoded = true;
        return;
    }
    gcry_md_hd_t h;
    if (gcry_md_open(&h, GCRY_MD_SHA256, 0) != 0)
        return;
    bool md5 = gcry_md_enable(h, GCRY_MD_MD5) == 0;
    bool sha1 = gcry_md_enable(h, GCRY_MD_SHA1) == 0;
    pt->decoded_size = mw_mime_decode(pt->cte, w->m + pt->body.off, pt->body.len, hash_sink, &h,
                                      &pt->decode_flags);
    note_decode_errors(pt);
    memcpy(pt->sha256, gcry_md_read(h, GCRY_MD_SHA256), 32);
    if (sha1)
        memcpy(pt->sha1, gcry_md_read(h, GCRY_MD_SHA1), 20);
    if (md5)
        memcpy(pt->md5, gcry_md_read(h, GCRY_MD_MD5), 16);
    pt->decoded = pt->hashed = true;
    gcry_md_close(h);
}

/* Closes the top frame: its part ends at end, or where its (empty) body
 * starts if that is later; returns where it ended, so its container ends
 * there or later. */
static size_t pop(walk *w, size_t end)
{
    frame *f = &w->stack[--w->top];
    mw_mime_part *pt = part(w, f->part);
    if (end < pt->body.off) {
        /* The empty line ending the headers was the delimiter's line end:
         * an empty body where the headers end. */
        size_t hdr_end = pt->header.off + pt->header.len;
        pt->body.off = end < hdr_end ? hdr_end : end;
        end = pt->body.off;
    }
    pt->body.len = end - pt->body.off;
    pt->encoded_size = pt->body.len;
    if (f->kind == FR_MULTI) {
        if (!f->seen_delim) {
            pt->flags |= MW_PART_NO_PARTS;
            pt->preamble = pt->body;
        }
        if (!f->closed)
            pt->flags |= MW_PART_UNCLOSED;
        else
            pt->epilogue.len = end > pt->epilogue.off ? end - pt->epilogue.off : 0;
        return end;
    }
    decode_and_hash(w, f->part); /* a leaf, or the bytes of an encapsulated message */
    return end;
}

void mw_mime_walk(const uint8_t *msg, size_t len, const mw_mime_opts *opts, mw_mime_message *out)
{
    memset(out, 0, sizeof *out);
    walk w;
    memset(&w, 0, sizeof w);
    w.m = msg;
    w.len = len;
    if (opts)
        w.o = *opts;
    if (w.o.max_depth == 0 || w.o.max_depth > 255)
        w.o.max_depth = w.o.max_depth ? 255 : MW_MIME_DEFAULT_MAX_DEPTH;
    if (w.o.max_parts == 0)
        w.o.max_parts = MW_MIME_DEFAULT_MAX_PARTS;
    w.out = out;
    w.can_hash = mw_gcrypt_ready();
    if (!w.can_hash)
        out->flags |= MW_MIME_NO_HASH;
    else if (w.o.no_digests)
        out->flags |= MW_MIME_HASH_OFF;
    else
        gcry_md_hash_buffer(GCRY_MD_SHA256, out->sha256, msg, len);
    w.stack = g_new(frame, w.o.max_depth + 2);

    size_t p = start_part(&w, 0, -1, 0);
    while (p < len) {
        bool close;
        size_t next;
        int k = match_delim(&w, p, &close, &next);
        if (k < 0) {
            const uint8_t *lf = memchr(msg + p, '\n', len - p);
            p = lf ? (size_t)(lf - msg) + 1 : len;
            continue;
        }
        size_t end = before_line_end(msg, p);
        while (w.top > (unsigned)k + 1)
            end = pop(&w, end);
        frame *f = &w.stack[k];
        mw_mime_part *mp = part(&w, f->part);
        if (!f->seen_delim) {
            f->seen_delim = true;
            mp->preamble = span(mp->body.off, end > mp->body.off ? end - mp->body.off : 0);
        }
        if (close) {
            f->closed = true;
            mp->epilogue = span(next, 0);
            p = next;
            continue;
        }
        p = start_part(&w, next, (int)f->part, mp->depth + 1);
    }
    size_t end = len;
    while (w.top)
        end = pop(&w, end);
    g_free(w.stack);
    /* The walk is kept for the capture: give back the unused slots (most
     * messages have one or two parts, the first allocation holds 8). */
    if (out->n_parts && out->n_parts < w.cap)
        out->parts = g_renew(mw_mime_part, out->parts, out->n_parts);
    for (unsigned i = 0; i < out->n_parts; i++)
        out->all_part_flags |= out->parts[i].flags;
}

void mw_mime_part_section(const mw_mime_message *m, unsigned i, char *out, size_t cap)
{
    /* Numbers from the part up to the message, then written top down. */
    unsigned nums[256 + 2], n = 0;
    for (int k = (int)i; k >= 0 && m->parts[k].parent >= 0 && n < sizeof nums / sizeof nums[0];
         k = m->parts[k].parent) {
        const mw_mime_part *up = &m->parts[m->parts[k].parent];
        if (up->message)
            continue; /* the encapsulated message shares its container's number */
        nums[n++] = m->parts[k].number;
    }
    GString *s = g_string_new(NULL);
    while (n > 0)
        g_string_append_printf(s, s->len ? ".%u" : "%u", nums[--n]);
    g_strlcpy(out, s->str, cap);
    g_string_free(s, TRUE);
}

void mw_mime_message_clear(mw_mime_message *m)
{
    for (unsigned i = 0; i < m->n_parts; i++) {
        mw_mime_part *pt = &m->parts[i];
        g_free(pt->type);
        g_free(pt->subtype);
        mw_mime_hvalue_clear(&pt->content_type);
        mw_mime_hvalue_clear(&pt->disposition);
        g_free(pt->filename);
        g_free(pt->cte_name);
    }
    g_free(m->parts);
    memset(m, 0, sizeof *m);
}

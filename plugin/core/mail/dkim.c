/* DKIM-Signature tags, canonicalisation, body hash and signed data: see
 * dkim.h. */
#include "core/mail/dkim.h"
#include "core/mail/digest.h"
#include "core/mail/message.h"
#include "core/text/base64.h"

#include <gcrypt.h>
#include <string.h>

static bool is_fws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static mw_span span(size_t off, size_t len)
{
    mw_span s = {off, len};
    return s;
}

static bool span_is(const uint8_t *v, mw_span s, const char *want)
{
    return s.len == strlen(want) && g_ascii_strncasecmp((const char *)v + s.off, want, s.len) == 0;
}

typedef struct tag_slot {
    const char *name;
    unsigned bit;
    size_t offset; /* of the mw_span in mw_dkim_sig */
} tag_slot;

static const tag_slot tags[] = {
    {"v", MW_DKIM_TAG_V, offsetof(mw_dkim_sig, v)},   {"a", MW_DKIM_TAG_A, offsetof(mw_dkim_sig, a)},
    {"b", MW_DKIM_TAG_B, offsetof(mw_dkim_sig, b)},   {"bh", MW_DKIM_TAG_BH, offsetof(mw_dkim_sig, bh)},
    {"c", MW_DKIM_TAG_C, offsetof(mw_dkim_sig, c)},   {"d", MW_DKIM_TAG_D, offsetof(mw_dkim_sig, d)},
    {"h", MW_DKIM_TAG_H, offsetof(mw_dkim_sig, h)},   {"i", MW_DKIM_TAG_I, offsetof(mw_dkim_sig, i)},
    {"l", MW_DKIM_TAG_L, offsetof(mw_dkim_sig, l)},   {"q", MW_DKIM_TAG_Q, offsetof(mw_dkim_sig, q)},
    {"s", MW_DKIM_TAG_S, offsetof(mw_dkim_sig, s)},   {"t", MW_DKIM_TAG_T, offsetof(mw_dkim_sig, t)},
    {"x", MW_DKIM_TAG_X, offsetof(mw_dkim_sig, x)},   {"z", MW_DKIM_TAG_Z, offsetof(mw_dkim_sig, z)},
};

/* Removes FWS from a tag value and base64-decodes it into out. */
static bool decode_b64(const uint8_t *v, mw_span s, uint8_t *out, size_t cap, size_t *olen)
{
    uint8_t *tmp = g_malloc(s.len + 1);
    size_t n = 0;
    for (size_t k = 0; k < s.len; k++)
        if (!is_fws(v[s.off + k]))
            tmp[n++] = v[s.off + k];
    const char *err;
    bool ok = n > 0 && mw_base64_decode(tmp, n, out, cap, olen, &err);
    g_free(tmp);
    return ok;
}

static bool number(const uint8_t *v, mw_span s, uint64_t *out)
{
    if (s.len == 0 || s.len > 76)
        return false;
    uint64_t n = 0;
    for (size_t k = 0; k < s.len; k++) {
        uint8_t c = v[s.off + k];
        if (!is_digit(c))
            return false;
        n = n > (UINT64_MAX - 9) / 10 ? UINT64_MAX : n * 10 + (uint64_t)(c - '0');
    }
    *out = n;
    return true;
}

static void parse_canon(const uint8_t *v, mw_dkim_sig *sig)
{
    mw_span c = sig->c;
    const uint8_t *slash = memchr(v + c.off, '/', c.len);
    mw_span hs = slash ? span(c.off, (size_t)(slash - (v + c.off))) : c;
    mw_span bs = slash ? span(hs.off + hs.len + 1, c.len - hs.len - 1) : span(0, 0);
    if (span_is(v, hs, "relaxed"))
        sig->header_canon = MW_DKIM_RELAXED;
    else if (!span_is(v, hs, "simple"))
        sig->flags |= MW_DKIM_BAD_CANON;
    if (!slash)
        return;
    if (span_is(v, bs, "relaxed"))
        sig->body_canon = MW_DKIM_RELAXED;
    else if (!span_is(v, bs, "simple"))
        sig->flags |= MW_DKIM_BAD_CANON;
}

static void parse_h(const uint8_t *v, mw_dkim_sig *sig)
{
    size_t i = sig->h.off, end = sig->h.off + sig->h.len;
    bool from = false;
    while (i <= end) {
        size_t a = i;
        while (i < end && v[i] != ':')
            i++;
        size_t b = i;
        while (a < b && is_fws(v[a]))
            a++;
        while (b > a && is_fws(v[b - 1]))
            b--;
        if (a == b)
            sig->flags |= MW_DKIM_SYNTAX;
        else if (sig->n_h == MW_DKIM_MAX_H)
            sig->flags |= MW_DKIM_TOO_MANY_H;
        else
            sig->h_names[sig->n_h++] = span(a, b - a);
        if (span_is(v, span(a, b - a), "from"))
            from = true;
        i++;
    }
    if (!from)
        sig->flags |= MW_DKIM_NO_FROM;
}

/* i= must be in d= or below it (RFC 6376 3.5). */
static void check_i(const uint8_t *v, mw_dkim_sig *sig)
{
    const uint8_t *p = v + sig->i.off, *at = NULL;
    for (size_t k = 0; k < sig->i.len; k++)
        if (p[k] == '@')
            at = p + k;
    if (!at) {
        sig->flags |= MW_DKIM_SYNTAX;
        return;
    }
    size_t dl = sig->i.len - (size_t)(at + 1 - p), d = sig->d.len;
    const uint8_t *dom = at + 1;
    bool ok = dl == d ? g_ascii_strncasecmp((const char *)dom, (const char *)v + sig->d.off, d) == 0
                      : dl > d && dom[dl - d - 1] == '.' &&
                            g_ascii_strncasecmp((const char *)dom + dl - d, (const char *)v + sig->d.off, d) == 0;
    if (!ok)
        sig->flags |= MW_DKIM_I_NOT_IN_D;
}

static void finish(const uint8_t *v, mw_dkim_sig *sig)
{
    if ((sig->present & MW_DKIM_REQUIRED) != MW_DKIM_REQUIRED)
        sig->flags |= MW_DKIM_MISSING_TAG;
    if ((sig->present & MW_DKIM_TAG_V) && !span_is(v, sig->v, "1"))
        sig->flags |= MW_DKIM_BAD_VERSION;
    size_t hash_len = 0;
    if (sig->present & MW_DKIM_TAG_A) {
        if (span_is(v, sig->a, "rsa-sha256")) {
            sig->alg = MW_DKIM_RSA_SHA256;
            hash_len = 32;
        } else if (span_is(v, sig->a, "rsa-sha1")) {
            sig->alg = MW_DKIM_RSA_SHA1;
            sig->flags |= MW_DKIM_WEAK_SHA1;
            hash_len = 20;
        } else if (span_is(v, sig->a, "ed25519-sha256")) {
            sig->alg = MW_DKIM_ED25519_SHA256;
            hash_len = 32;
        } else {
            sig->flags |= MW_DKIM_BAD_ALGORITHM;
        }
    }
    if (sig->present & MW_DKIM_TAG_C)
        parse_canon(v, sig);
    if ((sig->present & MW_DKIM_TAG_BH) &&
        !decode_b64(v, sig->bh, sig->bh_raw, sizeof sig->bh_raw, &sig->bh_len))
        sig->flags |= MW_DKIM_BAD_BASE64;
    else if ((sig->present & MW_DKIM_TAG_BH) && hash_len && sig->bh_len != hash_len)
        sig->flags |= MW_DKIM_BAD_BH_SIZE;
    if (sig->present & MW_DKIM_TAG_B) {
        if (sig->b.len / 4 * 3 > MW_DKIM_MAX_SIG + 3 * 64)
            sig->flags |= MW_DKIM_SIG_TOO_LONG;
        else if (!decode_b64(v, sig->b, sig->b_raw, sizeof sig->b_raw, &sig->b_len))
            sig->flags |= MW_DKIM_BAD_BASE64;
    }
    if (sig->present & MW_DKIM_TAG_H)
        parse_h(v, sig);
    if ((sig->present & MW_DKIM_TAG_L)) {
        sig->flags |= MW_DKIM_HAS_L;
        if (!number(v, sig->l, &sig->l_value))
            sig->flags |= MW_DKIM_BAD_NUMBER;
    }
    if ((sig->present & MW_DKIM_TAG_T) && !number(v, sig->t, &sig->t_value))
        sig->flags |= MW_DKIM_BAD_NUMBER;
    if ((sig->present & MW_DKIM_TAG_X) && !number(v, sig->x, &sig->x_value))
        sig->flags |= MW_DKIM_BAD_NUMBER;
    if ((sig->present & MW_DKIM_TAG_T) && (sig->present & MW_DKIM_TAG_X) && sig->x_value <= sig->t_value)
        sig->flags |= MW_DKIM_X_BEFORE_T;
    if ((sig->present & MW_DKIM_TAG_I) && (sig->present & MW_DKIM_TAG_D))
        check_i(v, sig);
    if ((sig->present & MW_DKIM_TAG_Q) && !span_is(v, sig->q, "dns/txt"))
        sig->flags |= MW_DKIM_BAD_QUERY;
}

bool mw_dkim_parse(const uint8_t *v, size_t len, mw_dkim_sig *sig)
{
    memset(sig, 0, sizeof *sig);
    size_t i = 0;
    while (i < len) {
        while (i < len && is_fws(v[i]))
            i++;
        if (i == len)
            break;
        if (v[i] == ';') {
            sig->flags |= MW_DKIM_SYNTAX; /* an empty tag-spec */
            i++;
            continue;
        }
        size_t n0 = i;
        if (is_alpha(v[i]))
            while (i < len && (is_alpha(v[i]) || is_digit(v[i]) || v[i] == '_'))
                i++;
        size_t n1 = i;
        while (i < len && is_fws(v[i]))
            i++;
        if (n1 == n0 || i == len || v[i] != '=') {
            sig->flags |= MW_DKIM_SYNTAX;
            while (i < len && v[i] != ';')
                i++;
            i++;
            continue;
        }
        size_t region = ++i;
        while (i < len && v[i] != ';')
            i++;
        size_t rend = i, a = region, b = rend;
        while (a < b && is_fws(v[a]))
            a++;
        while (b > a && is_fws(v[b - 1]))
            b--;
        for (size_t k = a; k < b; k++)
            if (!is_fws(v[k]) && (v[k] < 0x21 || v[k] > 0x7e))
                sig->flags |= MW_DKIM_SYNTAX;
        i++;
        const tag_slot *slot = NULL;
        for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++)
            if (strlen(tags[k].name) == n1 - n0 && memcmp(tags[k].name, v + n0, n1 - n0) == 0)
                slot = &tags[k];
        if (!slot) {
            sig->flags |= MW_DKIM_UNKNOWN_TAG;
            continue;
        }
        if (sig->present & slot->bit) {
            sig->flags |= MW_DKIM_DUP_TAG;
            continue;
        }
        sig->present |= slot->bit;
        *(mw_span *)((char *)sig + slot->offset) = span(a, b - a);
        if (slot->bit == MW_DKIM_TAG_B)
            sig->b_region = span(region, rend - region);
    }
    finish(v, sig);
    return (sig->flags & MW_DKIM_MALFORMED) == 0;
}

char *mw_dkim_key_name(const uint8_t *v, const mw_dkim_sig *sig)
{
    if (!(sig->present & MW_DKIM_TAG_S) || !(sig->present & MW_DKIM_TAG_D))
        return NULL;
    return g_strdup_printf("%.*s._domainkey.%.*s", (int)sig->s.len, (const char *)v + sig->s.off,
                           (int)sig->d.len, (const char *)v + sig->d.off);
}

bool mw_dkim_expired(const mw_dkim_sig *sig, uint64_t now)
{
    return (sig->present & MW_DKIM_TAG_X) && !(sig->flags & MW_DKIM_BAD_NUMBER) && sig->x_value < now;
}

/* ---- canonicalisation ---- */

void mw_dkim_canon_header(mw_dkim_canon c, const uint8_t *field, size_t len, GByteArray *out)
{
    if (c == MW_DKIM_SIMPLE) {
        g_byte_array_append(out, field, (guint)len);
        return;
    }
    const uint8_t *colon = memchr(field, ':', len);
    size_t nlen = colon ? (size_t)(colon - field) : len;
    size_t nend = nlen;
    while (nend > 0 && (field[nend - 1] == ' ' || field[nend - 1] == '\t'))
        nend--;
    for (size_t k = 0; k < nend; k++) {
        uint8_t ch = field[k] >= 'A' && field[k] <= 'Z' ? (uint8_t)(field[k] + 32) : field[k];
        g_byte_array_append(out, &ch, 1);
    }
    g_byte_array_append(out, (const guint8 *)":", 1);
    bool wsp = false, any = false;
    for (size_t k = nlen + 1; k < len; k++) {
        uint8_t ch = field[k];
        if (ch == '\r' || ch == '\n')
            continue; /* unfolding; the final line end is added below */
        if (ch == ' ' || ch == '\t') {
            wsp = true;
            continue;
        }
        if (wsp && any)
            g_byte_array_append(out, (const guint8 *)" ", 1);
        wsp = false;
        any = true;
        g_byte_array_append(out, &ch, 1);
    }
    g_byte_array_append(out, (const guint8 *)"\r\n", 2);
}

void mw_dkim_body_init(mw_dkim_body *b, mw_dkim_canon c,
                       void (*emit)(void *ctx, const uint8_t *p, size_t n), void *ctx)
{
    memset(b, 0, sizeof *b);
    b->canon = c;
    b->emit = emit;
    b->ctx = ctx;
}

static void out(mw_dkim_body *b, const uint8_t *p, size_t n)
{
    b->emit(b->ctx, p, n);
    b->out_len += n;
}

/* Content bytes of the current line (no line end, no relaxed whitespace). */
static void content(mw_dkim_body *b, const uint8_t *p, size_t n)
{
    for (; b->held_crlf; b->held_crlf--)
        out(b, (const uint8_t *)"\r\n", 2);
    if (b->wsp) {
        out(b, (const uint8_t *)" ", 1);
        b->wsp = false;
    }
    out(b, p, n);
    b->line_content = true;
}

static void line_end(mw_dkim_body *b)
{
    b->wsp = false; /* relaxed: trailing whitespace goes */
    if (b->line_content)
        out(b, (const uint8_t *)"\r\n", 2);
    else
        b->held_crlf++; /* an empty line: only counts if content follows */
    b->line_content = false;
}

/* Bytes passed on as they are: everything but line ends and, in relaxed,
 * whitespace. */
static bool plain(const mw_dkim_body *b, uint8_t c)
{
    return c != '\r' && c != '\n' && (b->canon == MW_DKIM_SIMPLE || (c != ' ' && c != '\t'));
}

void mw_dkim_body_feed(mw_dkim_body *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        if (b->cr) {
            b->cr = false;
            if (c == '\n') {
                line_end(b);
                i++;
                continue;
            }
            content(b, (const uint8_t *)"\r", 1); /* a bare CR is data */
        }
        if (plain(b, c)) {
            /* A run at once: the hash sees few large writes. */
            size_t j = i + 1;
            while (j < n && plain(b, p[j]))
                j++;
            content(b, p + i, j - i);
            i = j;
            continue;
        }
        if (c == '\r') {
            b->cr = true;
        } else if (c == '\n') {
            b->bare_lf = true;
            line_end(b);
        } else {
            b->wsp = true; /* relaxed whitespace */
        }
        i++;
    }
}

void mw_dkim_body_end(mw_dkim_body *b)
{
    if (b->cr) {
        b->cr = false;
        content(b, (const uint8_t *)"\r", 1);
    }
    if (b->line_content)
        line_end(b); /* the last line had no line end: one is added */
    else if (b->out_len == 0 && b->canon == MW_DKIM_SIMPLE)
        out(b, (const uint8_t *)"\r\n", 2); /* an empty body is one CRLF (3.4.3) */
}

typedef struct hash_sink {
    gcry_md_hd_t md;
    bool limited;
    uint64_t left; /* bytes l= still allows */
} hash_sink;

static void hash_emit(void *ctx, const uint8_t *p, size_t n)
{
    hash_sink *h = ctx;
    if (h->limited) {
        if (h->left < n)
            n = (size_t)h->left;
        h->left -= n;
    }
    if (n)
        gcry_md_write(h->md, p, n);
}

static int md_algo(mw_dkim_alg a)
{
    return a == MW_DKIM_RSA_SHA1 ? GCRY_MD_SHA1 : a == MW_DKIM_ALG_UNKNOWN ? 0 : GCRY_MD_SHA256;
}

size_t mw_dkim_body_hash(const uint8_t *body, size_t len, const mw_dkim_sig *sig, uint8_t out32[32],
                         uint64_t *canon_len, bool *bare_lf)
{
    int algo = md_algo(sig->alg);
    *canon_len = 0;
    *bare_lf = false;
    if (!algo || !mw_gcrypt_ready())
        return 0;
    hash_sink h = {NULL, (sig->present & MW_DKIM_TAG_L) != 0, sig->l_value};
    if (gcry_md_open(&h.md, algo, 0) != 0)
        return 0;
    mw_dkim_body b;
    mw_dkim_body_init(&b, sig->body_canon, hash_emit, &h);
    mw_dkim_body_feed(&b, body, len);
    mw_dkim_body_end(&b);
    size_t n = gcry_md_get_algo_dlen(algo);
    memcpy(out32, gcry_md_read(h.md, algo), n);
    gcry_md_close(h.md);
    *canon_len = b.out_len;
    *bare_lf = b.bare_lf;
    return n;
}

/* ---- the data to sign ---- */

typedef struct hdr_ref {
    mw_span name, field;
    bool used;
} hdr_ref;

static GArray *header_fields(const uint8_t *msg, size_t hdr_end)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(hdr_ref));
    size_t pos = 0;
    mw_hdr_field f;
    mw_hdr_status st;
    while ((st = mw_hdr_next(msg, hdr_end, true, &pos, &f)) == MW_HDR_FIELD || st == MW_HDR_BAD) {
        if (st == MW_HDR_BAD)
            continue;
        hdr_ref r = {f.name, span(f.name.off, f.end - f.name.off), false};
        g_array_append_val(a, r);
    }
    return a;
}

static bool name_eq(const uint8_t *a, mw_span sa, const uint8_t *b, mw_span sb)
{
    return sa.len == sb.len && g_ascii_strncasecmp((const char *)a + sa.off, (const char *)b + sb.off, sa.len) == 0;
}

/* Appends the signed fields named by h= (value spans in sigv) to out;
 * returns how many names had no field left. */
static unsigned signed_fields(const uint8_t *msg, GArray *fields, const uint8_t *sigv,
                              const mw_dkim_sig *sig, GByteArray *out)
{
    unsigned missing = 0;
    for (unsigned k = 0; k < sig->n_h; k++) {
        bool found = false;
        for (guint j = fields->len; j-- > 0;) {
            hdr_ref *r = &g_array_index(fields, hdr_ref, j);
            if (r->used || !name_eq(msg, r->name, sigv, sig->h_names[k]))
                continue;
            r->used = true;
            mw_dkim_canon_header(sig->header_canon, msg + r->field.off, r->field.len, out);
            found = true;
            break;
        }
        missing += !found;
    }
    return missing;
}

/* The signature field with b= emptied, canonicalised, without its final line end. */
static void signature_field(const uint8_t *msg, mw_span sig_field, mw_span sig_value,
                            const mw_dkim_sig *sig, GByteArray *out)
{
    GByteArray *f = g_byte_array_new();
    size_t cut = sig_value.off + sig->b_region.off, cut_end = cut + sig->b_region.len;
    size_t fend = sig_field.off + sig_field.len;
    if (!(sig->present & MW_DKIM_TAG_B))
        cut = cut_end = fend;
    g_byte_array_append(f, msg + sig_field.off, (guint)(cut - sig_field.off));
    g_byte_array_append(f, msg + cut_end, (guint)(fend - cut_end));
    guint before = out->len;
    mw_dkim_canon_header(sig->header_canon, f->data, f->len, out);
    g_byte_array_unref(f);
    guint n = out->len;
    if (n >= before + 1 && out->data[n - 1] == '\n')
        n--;
    if (n >= before + 1 && out->data[n - 1] == '\r')
        n--;
    g_byte_array_set_size(out, n);
}

void mw_dkim_signed_data(const uint8_t *msg, size_t hdr_end, mw_span sig_field, mw_span sig_value,
                         const mw_dkim_sig *sig, GByteArray *out)
{
    GArray *fields = header_fields(msg, hdr_end);
    signed_fields(msg, fields, msg + sig_value.off, sig, out);
    g_array_free(fields, TRUE);
    signature_field(msg, sig_field, sig_value, sig, out);
}

unsigned mw_dkim_check_message(const uint8_t *msg, size_t len, mw_dkim_result *res, unsigned max)
{
    size_t pos = 0, body = len, hdr_end = len;
    unsigned n = 0;
    mw_hdr_field f;
    for (;;) {
        size_t start = pos;
        mw_hdr_status st = mw_hdr_next(msg, len, true, &pos, &f);
        if (st == MW_HDR_END) {
            hdr_end = start;
            body = pos;
            break;
        }
        if (st != MW_HDR_FIELD && st != MW_HDR_BAD) {
            hdr_end = body = len;
            break;
        }
        if (st == MW_HDR_BAD) {
            /* Not a field: the header block ends here for a verifier too. */
            hdr_end = body = start;
            break;
        }
        if (!mw_hdr_name_is(msg, f.name, "dkim-signature"))
            continue;
        if (n < max) {
            mw_dkim_result *r = &res[n];
            memset(r, 0, sizeof *r);
            r->field = span(f.name.off, f.end - f.name.off);
            r->value = f.value;
            /* The whole value region after the colon: b= may be emptied
             * anywhere in it, leading whitespace included. */
            r->parsed_ok = mw_dkim_parse(msg + f.value.off, f.value.len, &r->sig);
        }
        n++;
    }
    GArray *fields = header_fields(msg, hdr_end);
    for (unsigned k = 0; k < n && k < max; k++) {
        mw_dkim_result *r = &res[k];
        const mw_dkim_sig *sig = &r->sig;
        if (sig->alg == MW_DKIM_ALG_UNKNOWN)
            continue;
        r->body_hash_len = mw_dkim_body_hash(msg + body, len - body, sig, r->body_hash,
                                             &r->body_canon_len, &r->bare_lf);
        r->body_checked = r->body_hash_len > 0;
        r->body_ok = r->body_checked && r->body_hash_len == sig->bh_len &&
                     memcmp(r->body_hash, sig->bh_raw, sig->bh_len) == 0;
        if (sig->present & MW_DKIM_TAG_L) {
            if (sig->l_value > r->body_canon_len)
                r->l_past_end = true;
            else
                r->unsigned_len = r->body_canon_len - sig->l_value;
        }
        for (guint j = 0; j < fields->len; j++)
            g_array_index(fields, hdr_ref, j).used = false;
        GByteArray *data = g_byte_array_new();
        r->h_missing = signed_fields(msg, fields, msg + r->value.off, sig, data);
        signature_field(msg, r->field, r->value, sig, data);
        int algo = md_algo(sig->alg);
        if (mw_gcrypt_ready()) {
            gcry_md_hash_buffer(algo, r->data_hash, data->data ? data->data : (const guint8 *)"", data->len);
            r->data_hash_len = gcry_md_get_algo_dlen(algo);
        }
        g_byte_array_unref(data);
    }
    g_array_free(fields, TRUE);
    return n;
}

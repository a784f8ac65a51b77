/* MIME header values and parameters, RFC 2231 and RFC 2047 decoding: see
 * mime_param.h. */
#include "core/mail/mime_param.h"
#include "core/mail/message.h"

#include <glib.h>
#include <string.h>

#define MAX_RAW (MW_MIME_MAX_PARAMS * 4)

typedef struct raw_param {
    const uint8_t *name;
    size_t name_len;
    GByteArray *value; /* unquoted */
} raw_param;

typedef struct lex {
    const uint8_t *v;
    size_t len, i;
    unsigned flags;
} lex;

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Skips whitespace and (nested) comments. */
static void skip_cfws(lex *l)
{
    while (l->i < l->len) {
        uint8_t c = l->v[l->i];
        if (is_ws(c)) {
            l->i++;
            continue;
        }
        if (c != '(')
            return;
        unsigned depth = 0;
        while (l->i < l->len) {
            c = l->v[l->i++];
            if (c == '\\' && l->i < l->len)
                l->i++;
            else if (c == '(')
                depth++;
            else if (c == ')' && --depth == 0)
                break;
        }
        if (depth)
            l->flags |= MW_HV_UNTERMINATED;
    }
}

/* Reads a quoted string at v[i] == '"' into out: backslash escapes undone,
 * folding line ends dropped. */
static void read_quoted(lex *l, GByteArray *out)
{
    l->i++;
    while (l->i < l->len) {
        uint8_t c = l->v[l->i++];
        if (c == '"')
            return;
        if (c == '\\' && l->i < l->len)
            c = l->v[l->i++];
        else if (c == '\r' || c == '\n')
            continue;
        g_byte_array_append(out, &c, 1);
    }
    l->flags |= MW_HV_UNTERMINATED;
}

static void skip_to_semicolon(lex *l)
{
    while (l->i < l->len && l->v[l->i] != ';') {
        if (l->v[l->i] == '"') {
            GByteArray *junk = g_byte_array_new();
            read_quoted(l, junk);
            g_byte_array_unref(junk);
        } else {
            l->i++;
        }
    }
}

static bool is_tspecial(uint8_t c)
{
    return c <= ' ' || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* An unquoted value: up to ';' or a comment, trailing whitespace trimmed. */
static void read_token(lex *l, GByteArray *out)
{
    size_t start = l->i;
    while (l->i < l->len && l->v[l->i] != ';' && l->v[l->i] != '(')
        l->i++;
    size_t end = l->i;
    while (end > start && is_ws(l->v[end - 1]))
        end--;
    for (size_t k = start; k < end; k++) {
        uint8_t c = l->v[k];
        if (c == '\r' || c == '\n')
            continue;
        if (is_tspecial(c))
            l->flags |= MW_HV_UNQUOTED_SPECIAL;
        g_byte_array_append(out, &c, 1);
    }
}

/* The value before the parameters, lower case, whitespace and comments out. */
static char *main_value(lex *l)
{
    GString *s = g_string_new(NULL);
    while (l->i < l->len && l->v[l->i] != ';') {
        uint8_t c = l->v[l->i];
        if (is_ws(c) || c == '(') {
            skip_cfws(l);
        } else if (c == '"') {
            GByteArray *q = g_byte_array_new();
            read_quoted(l, q);
            for (guint k = 0; k < q->len; k++)
                g_string_append_c(s, (char)lower(q->data[k]));
            g_byte_array_unref(q);
        } else {
            g_string_append_c(s, (char)lower(c));
            l->i++;
        }
    }
    return g_string_free(s, FALSE);
}

/* Splits the raw parameters out of the value; returns how many. */
static unsigned read_params(lex *l, raw_param *raw)
{
    unsigned n = 0;
    while (l->i < l->len) {
        if (l->v[l->i] == ';') {
            l->i++;
            continue;
        }
        skip_cfws(l);
        if (l->i >= l->len)
            break;
        if (l->v[l->i] == ';')
            continue;
        size_t start = l->i;
        while (l->i < l->len && !is_ws(l->v[l->i]) && !strchr("=;(\"", l->v[l->i]))
            l->i++;
        size_t name_end = l->i;
        skip_cfws(l);
        if (name_end == start || l->i >= l->len || l->v[l->i] != '=') {
            l->flags |= MW_HV_BAD_SYNTAX;
            skip_to_semicolon(l);
            continue;
        }
        l->i++;
        skip_cfws(l);
        GByteArray *val = g_byte_array_new();
        if (l->i < l->len && l->v[l->i] == '"')
            read_quoted(l, val);
        else
            read_token(l, val);
        skip_cfws(l);
        if (l->i < l->len && l->v[l->i] != ';') {
            l->flags |= MW_HV_BAD_SYNTAX;
            skip_to_semicolon(l);
        }
        if (n == MAX_RAW) {
            l->flags |= MW_HV_TOO_MANY;
            g_byte_array_unref(val);
            continue;
        }
        raw[n].name = l->v + start;
        raw[n].name_len = name_end - start;
        raw[n].value = val;
        n++;
    }
    return n;
}

/* The RFC 2231 shape of a name: base length, section (-1: none), extended. */
static size_t name_shape(const raw_param *r, long *section, bool *ext)
{
    *section = -1;
    *ext = false;
    const uint8_t *star = memchr(r->name, '*', r->name_len);
    if (!star)
        return r->name_len;
    size_t base = (size_t)(star - r->name), k = base + 1;
    if (k == r->name_len) {
        *ext = true;
        return base;
    }
    long sec = 0;
    size_t digits = 0;
    while (k < r->name_len && r->name[k] >= '0' && r->name[k] <= '9' && digits < 6) {
        sec = sec * 10 + (r->name[k] - '0');
        k++;
        digits++;
    }
    if (digits == 0 || (digits > 1 && r->name[base + 1] == '0'))
        return r->name_len; /* not RFC 2231: a plain name holding '*' */
    if (k < r->name_len && r->name[k] == '*') {
        *ext = true;
        k++;
    }
    if (k != r->name_len) {
        *ext = false;
        return r->name_len;
    }
    *section = sec;
    return base;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void percent_decode(const uint8_t *p, size_t n, GByteArray *out, unsigned *flags)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(p[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(p[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                c = (uint8_t)(hi << 4 | lo);
                i += 2;
            } else {
                *flags |= MW_PARAM_BAD_PERCENT;
            }
        }
        g_byte_array_append(out, &c, 1);
    }
}

static bool ascii_ieq(const char *a, size_t n, const char *b)
{
    return strlen(b) == n && g_ascii_strncasecmp(a, b, n) == 0;
}

/* Converts bytes in charset to UTF-8 in place when GLib knows the charset. */
static void to_utf8(GByteArray *b, const char *cs, size_t cs_len, unsigned *flags)
{
    if (b->len == 0 || cs_len == 0 || ascii_ieq(cs, cs_len, "utf-8") || ascii_ieq(cs, cs_len, "utf8") ||
        ascii_ieq(cs, cs_len, "us-ascii"))
        return;
    char *name = g_strndup(cs, cs_len);
    gsize written = 0;
    gchar *u = g_convert((const gchar *)b->data, (gssize)b->len, "UTF-8", name, NULL, &written, NULL);
    g_free(name);
    if (!u) {
        *flags |= MW_PARAM_RAW_CHARSET;
        return;
    }
    g_byte_array_set_size(b, 0);
    g_byte_array_append(b, (const guint8 *)u, (guint)written);
    g_free(u);
}

/* Joins the RFC 2231 pieces of one name (sec[0..n), single: name*=) into out. */
static void join_2231(raw_param **sec, unsigned nsec, const bool *ext, GByteArray *out,
                      unsigned *flags)
{
    const char *cs = NULL;
    size_t cs_len = 0;
    for (unsigned k = 0; k < nsec; k++) {
        if (!sec[k]) {
            *flags |= MW_PARAM_GAP;
            continue;
        }
        const uint8_t *p = sec[k]->value->data;
        size_t n = sec[k]->value->len;
        if (n == 0)
            continue;
        if (k == 0 && ext[k]) {
            /* charset'language'value */
            const uint8_t *q1 = memchr(p, '\'', n);
            const uint8_t *q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - p)) : NULL;
            if (q2) {
                cs = (const char *)p;
                cs_len = (size_t)(q1 - p);
                n -= (size_t)(q2 + 1 - p);
                p = q2 + 1;
            }
        }
        if (ext[k])
            percent_decode(p, n, out, flags);
        else
            g_byte_array_append(out, p, (guint)n);
    }
    to_utf8(out, cs, cs_len, flags);
}

/* Finishes a value: NUL noted, invalid UTF-8 replaced, NUL-terminated copy. */
static void finish_value(GByteArray *b, mw_mime_param *p)
{
    size_t n = b->len;
    const uint8_t *nul = n ? memchr(b->data, 0, n) : NULL;
    if (nul) {
        p->flags |= MW_PARAM_NUL;
        n = (size_t)(nul - b->data);
    }
    if (n == 0) {
        p->value = g_strdup(""); /* GByteArray data may be NULL */
        p->value_len = 0;
        return;
    }
    if (!g_utf8_validate((const gchar *)b->data, (gssize)n, NULL)) {
        p->flags |= MW_PARAM_BAD_UTF8;
        p->value = g_utf8_make_valid((const gchar *)b->data, (gssize)n);
        p->value_len = strlen(p->value);
        return;
    }
    p->value = g_strndup((const gchar *)b->data, n);
    p->value_len = n;
}

/* Builds the parameter of base name raw[first] from every raw entry. */
static void build_param(raw_param *raw, unsigned nraw, unsigned first, size_t base_len,
                        mw_mime_param *p, unsigned *hv_flags)
{
    raw_param *plain = NULL, *sec[MW_MIME_MAX_SECTIONS] = {0};
    bool ext[MW_MIME_MAX_SECTIONS] = {0};
    unsigned nsec = 0;
    bool any2231 = false;
    for (unsigned k = first; k < nraw; k++) {
        long s;
        bool e;
        size_t bl = name_shape(&raw[k], &s, &e);
        if (bl != base_len || g_ascii_strncasecmp((const char *)raw[k].name,
                                                  (const char *)raw[first].name, bl) != 0)
            continue;
        if (s < 0 && !e) {
            if (plain)
                *hv_flags |= MW_HV_DUP_PARAM;
            else
                plain = &raw[k];
            continue;
        }
        any2231 = true;
        if (s < 0)
            s = 0; /* name*= is a one-section value */
        if (s >= MW_MIME_MAX_SECTIONS) {
            *hv_flags |= MW_HV_TOO_MANY;
            continue;
        }
        if (sec[s]) {
            *hv_flags |= MW_HV_DUP_PARAM;
            continue;
        }
        sec[s] = &raw[k];
        ext[s] = e;
        if ((unsigned)s + 1 > nsec)
            nsec = (unsigned)s + 1;
    }
    p->name = g_ascii_strdown((const gchar *)raw[first].name, (gssize)base_len);
    GByteArray *b = g_byte_array_new();
    if (any2231) {
        p->flags |= MW_PARAM_RFC2231;
        if (plain)
            p->flags |= MW_PARAM_BOTH_FORMS;
        join_2231(sec, nsec, ext, b, &p->flags);
    } else if (plain) { /* raw[first] is plain when no section form is seen */
        const uint8_t *v = plain->value->data;
        size_t n = plain->value->len;
        if (n >= 2 && g_strstr_len((const gchar *)v, (gssize)n, "=?")) {
            g_byte_array_set_size(b, (guint)(2 * n));
            unsigned ef = 0;
            size_t got = mw_ew_decode(v, n, b->data, 2 * n, &ef);
            g_byte_array_set_size(b, (guint)got);
            if (ef & MW_EW_DECODED)
                p->flags |= MW_PARAM_RFC2047;
            if (ef & MW_EW_RAW_CHARSET)
                p->flags |= MW_PARAM_RAW_CHARSET;
        } else {
            g_byte_array_append(b, v, (guint)n);
        }
    }
    finish_value(b, p);
    g_byte_array_unref(b);
}

void mw_mime_hvalue_parse(const uint8_t *v, size_t len, mw_mime_hvalue *out)
{
    memset(out, 0, sizeof *out);
    lex l = {v, len, 0, 0};
    skip_cfws(&l);
    out->value = main_value(&l);
    raw_param *raw = g_new0(raw_param, MAX_RAW);
    unsigned nraw = read_params(&l, raw);
    out->params = g_new0(mw_mime_param, MW_MIME_MAX_PARAMS);
    for (unsigned k = 0; k < nraw; k++) {
        long s;
        bool e;
        size_t bl = name_shape(&raw[k], &s, &e);
        bool seen = false;
        for (unsigned j = 0; j < k && !seen; j++) {
            long s2;
            bool e2;
            size_t bl2 = name_shape(&raw[j], &s2, &e2);
            seen = bl2 == bl && g_ascii_strncasecmp((const char *)raw[j].name,
                                                    (const char *)raw[k].name, bl) == 0;
        }
        if (seen)
            continue;
        if (out->n_params == MW_MIME_MAX_PARAMS) {
            l.flags |= MW_HV_TOO_MANY;
            break;
        }
        build_param(raw, nraw, k, bl, &out->params[out->n_params++], &l.flags);
    }
    for (unsigned k = 0; k < nraw; k++)
        g_byte_array_unref(raw[k].value);
    g_free(raw);
    out->flags = l.flags;
}

void mw_mime_hvalue_clear(mw_mime_hvalue *hv)
{
    for (unsigned k = 0; k < hv->n_params; k++) {
        g_free(hv->params[k].name);
        g_free(hv->params[k].value);
    }
    g_free(hv->params);
    g_free(hv->value);
    memset(hv, 0, sizeof *hv);
}

const mw_mime_param *mw_mime_param_find(const mw_mime_hvalue *hv, const char *name)
{
    for (unsigned k = 0; k < hv->n_params; k++)
        if (strcmp(hv->params[k].name, name) == 0)
            return &hv->params[k];
    return NULL;
}

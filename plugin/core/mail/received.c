/* Received trace fields and RFC 5322 dates: see received.h. */
#include "core/mail/received.h"

#include <string.h>

#include "core/mail/cfws.h"

static const char *const clause_names[MW_RCV_CLAUSES] = {"from", "by", "via", "with", "id", "for"};

static bool is_wsp(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static mw_span trim(const uint8_t *v, size_t a, size_t b)
{
    while (a < b && is_wsp(v[a]))
        a++;
    while (b > a && is_wsp(v[b - 1]))
        b--;
    return (mw_span){a, b - a};
}

/* The last ';' outside comments and quoted strings, or len. */
static size_t last_semicolon(const uint8_t *v, size_t len)
{
    size_t last = len;
    unsigned depth = 0;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = v[i];
        if (c == '\\') {
            i++;
        } else if (quoted) {
            quoted = c != '"';
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && depth) {
            depth--;
        } else if (!depth && c == '"') {
            quoted = true;
        } else if (!depth && c == ';') {
            last = i;
        }
    }
    return last;
}

/* A comment that names TLS: "TLS" not inside a longer word (TLSv1.3 and
 * TLS1_2 count), or STARTTLS. */
static bool comment_says_tls(const uint8_t *v, mw_span s)
{
    for (size_t i = 0; i + 3 <= s.len; i++) {
        const uint8_t *p = v + s.off + i;
        if (p[0] != 'T' || p[1] != 'L' || p[2] != 'S')
            continue;
        if (i == 0 || !is_alpha(p[-1]))
            return true;
        if (i >= 5 && memcmp(p - 5, "START", 5) == 0)
            return true;
    }
    return false;
}

/* RFC 3848 and the IANA mail transmission types: ...S is TLS, ...A is
 * authenticated. */
static void with_flags(const uint8_t *v, mw_span w, mw_received *r)
{
    static const char *const tls[] = {"ESMTPS", "ESMTPSA", "LMTPS", "LMTPSA", "UTF8SMTPS",
                                      "UTF8SMTPSA", "UTF8LMTPS", "UTF8LMTPSA"};
    static const char *const auth[] = {"ESMTPA", "ESMTPSA", "LMTPA", "LMTPSA", "UTF8SMTPA",
                                       "UTF8SMTPSA", "UTF8LMTPA", "UTF8LMTPSA"};
    for (size_t i = 0; i < sizeof tls / sizeof tls[0]; i++)
        if (mw_span_is(v, w, tls[i])) {
            if (!(r->flags & MW_RCV_TLS))
                r->tls = w; /* a comment saying which TLS says more */
            r->flags |= MW_RCV_TLS;
        }
    for (size_t i = 0; i < sizeof auth / sizeof auth[0]; i++)
        if (mw_span_is(v, w, auth[i]))
            r->flags |= MW_RCV_AUTH;
}

/* One word of a clause: an angle address (up to '>') or a run up to
 * whitespace or '('. */
static bool word(mw_lex *l, mw_span *w)
{
    size_t start = l->pos;
    if (mw_lex_peek(l) == '<') {
        while (l->pos < l->len && l->b[l->pos] != '>')
            l->pos++;
        if (l->pos < l->len)
            l->pos++;
    } else {
        while (l->pos < l->len && !is_wsp(l->b[l->pos]) && l->b[l->pos] != '(')
            l->pos++;
    }
    *w = (mw_span){start, l->pos - start};
    return l->pos > start;
}

void mw_received_parse(const uint8_t *v, size_t len, mw_received *r)
{
    memset(r, 0, sizeof *r);
    size_t semi = last_semicolon(v, len);
    if (semi < len) {
        r->date = trim(v, semi + 1, len);
        r->time_ok = mw_date_parse(v + r->date.off, r->date.len, &r->time);
        if (!r->time_ok)
            r->flags |= MW_RCV_BAD_DATE;
    } else {
        r->flags |= MW_RCV_NO_DATE;
    }
    mw_lex l;
    mw_lex_init(&l, v, semi);
    int cur = -1;        /* the clause being read */
    bool have[MW_RCV_CLAUSES] = {false};
    bool skip = false;   /* a repeated clause: its words are not kept */
    while (l.pos < semi) {
        mw_lex_cfws(&l);
        for (unsigned k = 0; k < l.n_comments; k++) {
            mw_span c = l.comments[k];
            if (!(r->flags & MW_RCV_TLS) && comment_says_tls(v, c)) {
                r->flags |= MW_RCV_TLS;
                r->tls = c;
            }
            if (cur >= 0 && !skip && r->clause[cur].len && !r->info[cur].len)
                r->info[cur] = c;
        }
        if (l.pos >= semi)
            break;
        mw_span w;
        if (!word(&l, &w)) {
            l.pos++; /* a lone byte that starts no word (cannot happen; keeps progress) */
            continue;
        }
        int kw = -1;
        for (int k = 0; k < MW_RCV_CLAUSES; k++)
            if (mw_span_is(v, w, clause_names[k]))
                kw = k;
        /* a keyword starts a clause unless the current one still wants its
         * value ("for for@example.org" is a value) */
        if (kw >= 0 && !(cur >= 0 && !skip && !r->clause[cur].len)) {
            cur = kw;
            skip = have[kw];
            if (skip)
                r->flags |= MW_RCV_DUP;
            have[kw] = true;
            continue;
        }
        if (cur < 0) {
            r->flags |= MW_RCV_STRAY;
            continue;
        }
        if (skip)
            continue;
        if (!r->clause[cur].len)
            r->clause[cur] = w;
        else if (!r->info[cur].len) /* words after a comment stay out of the value */
            r->clause[cur].len = w.off + w.len - r->clause[cur].off;
    }
    if (l.unterminated)
        r->flags |= MW_RCV_UNTERMINATED;
    if (r->clause[MW_RCV_WITH].len)
        with_flags(v, r->clause[MW_RCV_WITH], r);
}

bool mw_received_backwards(const mw_received *newer, const mw_received *older, int64_t *by)
{
    if (!newer->time_ok || !older->time_ok || newer->time >= older->time)
        return false;
    *by = older->time - newer->time;
    return true;
}

/* ---- RFC 5322 3.3 dates ------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9; /* March is 0 */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

typedef struct dlex {
    const uint8_t *s;
    size_t len, pos;
} dlex;

static void dskip(dlex *d)
{
    mw_lex l;
    mw_lex_init(&l, d->s, d->len);
    l.pos = d->pos;
    mw_lex_cfws(&l);
    d->pos = l.pos;
}

static bool dnum(dlex *d, unsigned min_digits, unsigned max_digits, unsigned *out, unsigned *ndig)
{
    unsigned n = 0, k = 0;
    while (d->pos < d->len && d->s[d->pos] >= '0' && d->s[d->pos] <= '9' && k < max_digits) {
        n = n * 10 + (unsigned)(d->s[d->pos++] - '0');
        k++;
    }
    if (ndig)
        *ndig = k;
    *out = n;
    return k >= min_digits;
}

static size_t dalpha(dlex *d, char *out, size_t cap)
{
    size_t k = 0;
    while (d->pos < d->len && is_alpha(d->s[d->pos])) {
        uint8_t c = d->s[d->pos++];
        if (k + 1 < cap)
            out[k++] = (char)(c | 0x20);
    }
    out[k] = 0;
    return k;
}

bool mw_date_parse(const uint8_t *s, size_t len, int64_t *out)
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    dlex d = {s, len, 0};
    char w[8];
    dskip(&d);
    size_t save = d.pos;
    if (dalpha(&d, w, sizeof w)) {
        /* day-of-week: its name is not checked against the date */
        dskip(&d);
        if (d.pos < len && s[d.pos] == ',')
            d.pos++;
        dskip(&d);
    } else {
        d.pos = save;
    }
    unsigned day, year, hh, mm, ss = 0, nd;
    if (!dnum(&d, 1, 2, &day, NULL) || day < 1 || day > 31)
        return false;
    dskip(&d);
    if (dalpha(&d, w, sizeof w) != 3)
        return false;
    unsigned mon = 0;
    for (unsigned i = 0; i < 12; i++)
        if (strcmp(w, months[i]) == 0)
            mon = i + 1;
    if (!mon)
        return false;
    dskip(&d);
    if (!dnum(&d, 2, 4, &year, &nd))
        return false;
    if (nd == 2)
        year += year < 50 ? 2000 : 1900;
    else if (nd == 3)
        year += 1900;
    dskip(&d);
    if (!dnum(&d, 1, 2, &hh, NULL) || hh > 23)
        return false;
    dskip(&d);
    if (d.pos >= len || s[d.pos++] != ':')
        return false;
    dskip(&d);
    if (!dnum(&d, 2, 2, &mm, NULL) || mm > 59)
        return false;
    dskip(&d);
    if (d.pos < len && s[d.pos] == ':') {
        d.pos++;
        dskip(&d);
        if (!dnum(&d, 2, 2, &ss, NULL) || ss > 60)
            return false;
        dskip(&d);
    }
    int64_t offset = 0; /* seconds east of UTC */
    if (d.pos < len && (s[d.pos] == '+' || s[d.pos] == '-')) {
        int sign = s[d.pos++] == '-' ? -1 : 1;
        unsigned z;
        if (!dnum(&d, 4, 4, &z, NULL) || z % 100 > 59)
            return false;
        offset = sign * (int64_t)((z / 100) * 3600 + (z % 100) * 60);
    } else if (dalpha(&d, w, sizeof w)) {
        static const struct { const char *name; int hours; } zones[] = {
            {"ut", 0}, {"utc", 0}, {"gmt", 0}, {"z", 0}, {"est", -5}, {"edt", -4}, {"cst", -6},
            {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7},
        };
        bool known = strlen(w) == 1; /* military zones: taken as -0000 (RFC 5322 4.3) */
        for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
            if (strcmp(w, zones[i].name) == 0) {
                offset = zones[i].hours * 3600;
                known = true;
            }
        if (!known)
            return false;
    }
    /* a missing zone is taken as UTC; anything after it but comments is junk */
    dskip(&d);
    if (d.pos < len)
        return false;
    *out = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss - offset;
    return true;
}

/* SMTP command and reply syntax: see smtp_syntax.h. */
#include "core/smtp/smtp_syntax.h"

#include <string.h>

static const char *const verb_names[] = {
    [MW_SMTP_UNKNOWN] = "unknown", [MW_SMTP_HELO] = "HELO", [MW_SMTP_EHLO] = "EHLO",
    [MW_SMTP_MAIL] = "MAIL", [MW_SMTP_RCPT] = "RCPT", [MW_SMTP_DATA] = "DATA",
    [MW_SMTP_BDAT] = "BDAT", [MW_SMTP_RSET] = "RSET", [MW_SMTP_VRFY] = "VRFY",
    [MW_SMTP_EXPN] = "EXPN", [MW_SMTP_HELP] = "HELP", [MW_SMTP_NOOP] = "NOOP",
    [MW_SMTP_QUIT] = "QUIT", [MW_SMTP_STARTTLS] = "STARTTLS", [MW_SMTP_AUTH] = "AUTH",
    [MW_SMTP_ETRN] = "ETRN", [MW_SMTP_ATRN] = "ATRN", [MW_SMTP_XCLIENT] = "XCLIENT",
    [MW_SMTP_XFORWARD] = "XFORWARD",
};
#define NVERBS (sizeof verb_names / sizeof verb_names[0])

const char *mw_smtp_verb_name(mw_smtp_verb verb)
{
    return (size_t)verb < NVERBS ? verb_names[verb] : verb_names[0];
}

static uint8_t upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c;
}

static bool is_alpha(uint8_t c)
{
    c = upper(c);
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Case-insensitive comparison of buf[0..n) with an upper-case word. */
static bool word_eq(const uint8_t *buf, size_t n, const char *word)
{
    size_t wl = strlen(word);
    if (n != wl)
        return false;
    for (size_t i = 0; i < n; i++)
        if (upper(buf[i]) != (uint8_t)word[i])
            return false;
    return true;
}

static mw_span span(size_t off, size_t len)
{
    mw_span s = {off, len};
    return s;
}

bool mw_smtp_cmd_parse(const uint8_t *buf, size_t len, mw_smtp_cmd *cmd)
{
    memset(cmd, 0, sizeof *cmd);
    size_t i = 0;
    while (i < len && is_alpha(buf[i]))
        i++;
    if (i == 0 || (i < len && !is_ws(buf[i])))
        return false;
    cmd->name = span(0, i);
    for (size_t v = 1; v < NVERBS; v++)
        if (word_eq(buf, i, verb_names[v]))
            cmd->verb = (mw_smtp_verb)v;
    size_t ws = i;
    while (i < len && is_ws(buf[i]))
        i++;
    if (i - ws > 1 || (i > ws && buf[ws] == '\t'))
        cmd->flags |= MW_SMTP_CMD_EXTRA_SPACE;
    size_t end = len;
    while (end > i && is_ws(buf[end - 1]))
        end--;
    if (end < len || (i == len && i > ws))
        cmd->flags |= MW_SMTP_CMD_TRAILING_SPACE;
    cmd->args = span(i, end - i);
    return true;
}

/* Skips a quoted string starting at buf[i] == '"'; returns the index after
 * its closing quote, or len when unterminated (*ok false). */
static size_t skip_quoted(const uint8_t *buf, size_t len, size_t i, bool *ok)
{
    for (i++; i < len; i++) {
        if (buf[i] == '\\') {
            i++;
            continue;
        }
        if (buf[i] == '"') {
            *ok = true;
            return i + 1;
        }
    }
    *ok = false;
    return len;
}

/* Finds the end of a path's mailbox: the first unquoted byte of stop (or end). */
static size_t scan_mailbox(const uint8_t *buf, size_t len, size_t i, const char *stop,
                           mw_smtp_path *p)
{
    bool ok = true;
    while (i < len && (buf[i] == 0 || !strchr(stop, buf[i]))) {
        if (buf[i] == '"') {
            p->flags |= MW_SMTP_PATH_QUOTED;
            i = skip_quoted(buf, len, i, &ok);
            if (!ok)
                p->error = "unterminated quoted local part";
            continue;
        }
        i++;
    }
    return i;
}

/* Splits "<@a,@b:u@d>" contents into route and mailbox; sets flags. */
static void split_route(const uint8_t *buf, mw_smtp_path *p)
{
    size_t o = p->addr.off, n = p->addr.len;
    if (n == 0 || buf[o] != '@')
        return;
    size_t colon = 0;
    while (colon < n && buf[o + colon] != ':')
        colon++;
    if (colon == n) {
        p->error = "source route without ':'";
        return;
    }
    p->flags |= MW_SMTP_PATH_ROUTE;
    p->route = span(o, colon);
    p->addr = span(o + colon + 1, n - colon - 1);
}

static void check_domain(const uint8_t *buf, mw_smtp_path *p)
{
    bool ok = true;
    size_t o = p->addr.off, end = o + p->addr.len;
    for (size_t i = o; i < end;) {
        if (buf[i] == '"') {
            i = skip_quoted(buf, end, i, &ok);
            continue;
        }
        if (buf[i] == '@')
            return;
        i++;
    }
    if (p->addr.len)
        p->flags |= MW_SMTP_PATH_NO_DOMAIN;
}

bool mw_smtp_path_parse(const uint8_t *buf, size_t len, const char *keyword, mw_smtp_path *p)
{
    memset(p, 0, sizeof *p);
    size_t kl = strlen(keyword);
    if (len < kl || !word_eq(buf, kl, keyword)) {
        p->error = "missing keyword";
        return false;
    }
    size_t i = kl;
    if (i >= len || buf[i] != ':') {
        p->error = "missing ':' after keyword";
        return false;
    }
    i++;
    if (i < len && is_ws(buf[i]))
        p->flags |= MW_SMTP_PATH_SPACE_AFTER_COLON;
    while (i < len && is_ws(buf[i]))
        i++;
    if (i == len) {
        p->error = "missing path";
        return false;
    }
    size_t end;
    if (buf[i] == '<') {
        end = scan_mailbox(buf, len, i + 1, ">", p);
        if (end == len) {
            p->error = p->error ? p->error : "missing '>'";
            return false;
        }
        p->addr = span(i + 1, end - i - 1);
        end++;
    } else {
        p->flags |= MW_SMTP_PATH_NO_BRACKETS;
        end = scan_mailbox(buf, len, i, " \t", p);
        p->addr = span(i, end - i);
    }
    if (p->error)
        return false;
    split_route(buf, p);
    p->null_path = p->addr.len == 0 && !(p->flags & MW_SMTP_PATH_ROUTE);
    check_domain(buf, p);
    if (end < len && !is_ws(buf[end])) {
        p->error = "text right after the path";
        return false;
    }
    while (end < len && is_ws(buf[end]))
        end++;
    p->params = span(end, len - end);
    return p->error == NULL;
}

bool mw_smtp_word_next(const uint8_t *buf, size_t len, size_t *pos, mw_span *word)
{
    size_t i = *pos;
    while (i < len && is_ws(buf[i]))
        i++;
    size_t start = i;
    while (i < len && !is_ws(buf[i]))
        i++;
    *pos = i;
    *word = span(start, i - start);
    return i > start;
}

bool mw_smtp_param_next(const uint8_t *buf, size_t len, size_t *pos, mw_smtp_param *p)
{
    mw_span w;
    memset(p, 0, sizeof *p);
    if (!mw_smtp_word_next(buf, len, pos, &w))
        return false;
    size_t eq = 0;
    while (eq < w.len && buf[w.off + eq] != '=')
        eq++;
    p->keyword = span(w.off, eq);
    if (eq < w.len) {
        p->has_value = true;
        p->value = span(w.off + eq + 1, w.len - eq - 1);
    }
    return true;
}

bool mw_smtp_bdat_parse(const uint8_t *buf, size_t len, mw_smtp_bdat *b)
{
    memset(b, 0, sizeof *b);
    size_t pos = 0;
    mw_span w;
    if (!mw_smtp_word_next(buf, len, &pos, &w)) {
        b->error = "missing chunk size";
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < w.len; i++) {
        uint8_t c = buf[w.off + i];
        if (!is_digit(c)) {
            b->error = "chunk size is not a number";
            b->junk = w;
            return false;
        }
        unsigned d = (unsigned)(c - '0');
        if (v > (UINT64_MAX - d) / 10) {
            b->error = "chunk size overflows 64 bits";
            b->junk = w;
            return false;
        }
        v = v * 10 + d;
    }
    b->size = v;
    if (mw_smtp_word_next(buf, len, &pos, &w)) {
        if (!word_eq(buf + w.off, w.len, "LAST")) {
            b->error = "expected LAST after chunk size";
            b->junk = span(w.off, len - w.off);
            return false;
        }
        b->last = true;
        mw_span extra;
        if (mw_smtp_word_next(buf, len, &pos, &extra)) {
            b->error = "text after LAST";
            b->junk = span(extra.off, len - extra.off);
            return false;
        }
    }
    return true;
}

bool mw_smtp_auth_parse(const uint8_t *buf, size_t len, mw_smtp_auth *a)
{
    memset(a, 0, sizeof *a);
    size_t pos = 0;
    if (!mw_smtp_word_next(buf, len, &pos, &a->mech)) {
        a->error = "missing mechanism";
        return false;
    }
    if (mw_smtp_word_next(buf, len, &pos, &a->initial)) {
        a->has_initial = true;
        mw_span extra;
        if (mw_smtp_word_next(buf, len, &pos, &extra)) {
            a->error = "text after the initial response";
            return false;
        }
    }
    return true;
}

/* 1-3 digits at buf[*i]; advances *i. */
static bool esc_number(const uint8_t *buf, size_t len, size_t *i, unsigned *v)
{
    size_t start = *i;
    *v = 0;
    while (*i < len && is_digit(buf[*i]) && *i - start < 3)
        *v = *v * 10 + (unsigned)(buf[(*i)++] - '0');
    return *i > start && !(*i < len && is_digit(buf[*i]));
}

/* Splits an enhanced status code off the start of buf[off..len). */
static void parse_esc(const uint8_t *buf, size_t len, size_t off, mw_smtp_reply *r)
{
    size_t i = off;
    unsigned cls, subj, det;
    if (i >= len || (buf[i] != '2' && buf[i] != '4' && buf[i] != '5'))
        return;
    cls = (unsigned)(buf[i++] - '0');
    if (i >= len || buf[i] != '.' || (++i, !esc_number(buf, len, &i, &subj)))
        return;
    if (i >= len || buf[i] != '.' || (++i, !esc_number(buf, len, &i, &det)))
        return;
    if (i < len && buf[i] != ' ')
        return;
    r->esc = span(off, i - off);
    r->esc_class = cls;
    r->esc_subject = subj;
    r->esc_detail = det;
    r->esc_mismatch = cls != r->code / 100;
    if (i < len)
        i++;
    r->text = span(i, len - i);
}

bool mw_smtp_reply_parse(const uint8_t *buf, size_t len, mw_smtp_reply *r)
{
    memset(r, 0, sizeof *r);
    size_t n = 0;
    while (n < len && is_digit(buf[n]))
        n++;
    if (n == 0) {
        r->error = "no reply code";
        return false;
    }
    if (n != 3) {
        r->error = "reply code is not three digits";
        return false;
    }
    r->code = (unsigned)(buf[0] - '0') * 100 + (unsigned)(buf[1] - '0') * 10 +
              (unsigned)(buf[2] - '0');
    if (len > 3 && buf[3] != ' ' && buf[3] != '-') {
        r->error = "reply code not followed by ' ' or '-'";
        return false;
    }
    r->sep = len > 3 ? (char)buf[3] : 0;
    r->more = r->sep == '-';
    r->text = span(len > 3 ? 4 : 3, len > 3 ? len - 4 : 0);
    if (r->code < 200 || r->code > 599) {
        r->error = "reply code out of range";
        return false;
    }
    parse_esc(buf, len, r->text.off, r);
    return true;
}

bool mw_smtp_ehlo_cap_parse(const uint8_t *buf, size_t len, mw_smtp_ehlo_cap *c)
{
    memset(c, 0, sizeof *c);
    size_t pos = 0;
    if (!mw_smtp_word_next(buf, len, &pos, &c->keyword)) {
        c->error = "empty capability line";
        return false;
    }
    const uint8_t *k = buf + c->keyword.off;
    for (size_t i = 0; i < c->keyword.len; i++) {
        bool ok = is_alpha(k[i]) || is_digit(k[i]) || (i > 0 && k[i] == '-');
        if (!ok) {
            c->error = "capability keyword is not alphanumerics and '-'";
            return false;
        }
    }
    while (pos < len && is_ws(buf[pos]))
        pos++;
    size_t end = len;
    while (end > pos && is_ws(buf[end - 1]))
        end--;
    c->params = span(pos, end - pos);
    return true;
}

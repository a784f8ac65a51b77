/* XCLIENT and XFORWARD attributes: see smtp_xclient.h. */
#include "core/smtp/smtp_xclient.h"

#include <string.h>

static const struct {
    const char *name, *field;
    bool xclient, xforward;
} attrs[MW_XATTR_COUNT] = {
    [MW_XATTR_UNKNOWN] = {"unknown", NULL, false, false},
    [MW_XATTR_NAME] = {"NAME", "name", true, true},
    [MW_XATTR_ADDR] = {"ADDR", "addr", true, true},
    [MW_XATTR_PORT] = {"PORT", "port", true, true},
    [MW_XATTR_PROTO] = {"PROTO", "proto", true, true},
    [MW_XATTR_HELO] = {"HELO", "helo", true, true},
    [MW_XATTR_LOGIN] = {"LOGIN", "login", true, false},
    [MW_XATTR_REVERSE_NAME] = {"REVERSE_NAME", "reverse_name", true, false},
    [MW_XATTR_DESTADDR] = {"DESTADDR", "destaddr", true, false},
    [MW_XATTR_DESTPORT] = {"DESTPORT", "destport", true, false},
    [MW_XATTR_SOURCE] = {"SOURCE", "source", false, true},
    [MW_XATTR_IDENT] = {"IDENT", "ident", false, true},
};

const char *mw_xattr_name(mw_xattr_id id)
{
    return (unsigned)id < MW_XATTR_COUNT ? attrs[id].name : "unknown";
}

const char *mw_xattr_field(mw_xattr_id id)
{
    return (unsigned)id < MW_XATTR_COUNT ? attrs[id].field : NULL;
}

bool mw_xattr_allowed(mw_xcmd_kind kind, mw_xattr_id id)
{
    if ((unsigned)id >= MW_XATTR_COUNT)
        return false;
    return kind == MW_XCLIENT ? attrs[id].xclient : attrs[id].xforward;
}

const char *mw_xcmd_name(mw_xcmd_kind kind)
{
    return kind == MW_XCLIENT ? "XCLIENT" : "XFORWARD";
}

static const char *const flag_texts[MW_XATTR_F_COUNT] = {
    "attribute not defined for this command",
    "attribute without '='",
    "attribute name missing before '='",
    "attribute repeated in one command",
    "value is not valid xtext",
    "address is neither IPv4 nor IPV6: followed by IPv6",
    "port is not a number from 0 to 65535",
    "value not allowed for this attribute",
    "attributes not separated by exactly one space",
};

const char *mw_xattr_flag_text(unsigned bit)
{
    for (unsigned i = 0; i < MW_XATTR_F_COUNT; i++)
        if (bit == 1u << i)
            return flag_texts[i];
    return NULL;
}

static uint8_t upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c;
}

static bool eq_nocase(const uint8_t *p, size_t n, const char *word)
{
    if (n != strlen(word))
        return false;
    for (size_t i = 0; i < n; i++)
        if (upper(p[i]) != (uint8_t)word[i])
            return false;
    return true;
}

static mw_span span(size_t off, size_t len)
{
    mw_span s = {off, len};
    return s;
}

static bool is_sep(uint8_t c)
{
    return c == ' ' || c == '\t';
}

void mw_xattr_begin(mw_xattr_iter *it, mw_xcmd_kind kind, const uint8_t *buf, size_t start, size_t end)
{
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->buf = buf;
    it->start = it->pos = start;
    it->end = end;
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (upper(c) >= 'A' && upper(c) <= 'Z');
}

/* A host name as Postfix takes one: labels of letters, digits, '-' and '_',
 * 1-63 bytes, no '-' at either end; 255 bytes at most; not digits and dots
 * only (that would read as an address). */
static bool valid_hostname(const uint8_t *p, size_t n)
{
    if (n == 0 || n > 255)
        return false;
    size_t label = 0;
    bool non_numeric = false;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (label == 0 || label > 63 || p[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!is_alnum(p[i]) && p[i] != '-' && p[i] != '_')
            return false;
        if (label == 0 && p[i] == '-')
            return false;
        if (p[i] < '0' || p[i] > '9')
            non_numeric = true;
        label++;
    }
    return non_numeric;
}

static bool parse_port(const uint8_t *p, size_t n, uint16_t *out)
{
    if (n == 0 || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static void check_value(mw_xcmd_kind kind, mw_xattr *a, const uint8_t *d, size_t n)
{
    if (eq_nocase(d, n, "[UNAVAILABLE]"))
        a->special = MW_XATTR_UNAVAILABLE;
    else if (eq_nocase(d, n, "[TEMPUNAVAIL]"))
        a->special = MW_XATTR_TEMPUNAVAIL;
    if (a->special == MW_XATTR_TEMPUNAVAIL && a->id != MW_XATTR_NAME && a->id != MW_XATTR_REVERSE_NAME) {
        a->flags |= a->id == MW_XATTR_ADDR || a->id == MW_XATTR_DESTADDR ? MW_XATTR_F_BAD_ADDR
                    : a->id == MW_XATTR_PORT || a->id == MW_XATTR_DESTPORT ? MW_XATTR_F_BAD_PORT
                                                                           : MW_XATTR_F_BAD_VALUE;
        return;
    }
    if (a->special != MW_XATTR_PLAIN)
        return;
    switch (a->id) {
    case MW_XATTR_ADDR:
    case MW_XATTR_DESTADDR:
        if (n >= 5 && eq_nocase(d, 5, "IPV6:")) {
            a->ipv6_prefix = true;
            if (mw_inaddr_parse6(d + 5, n - 5, a->addr)) {
                a->addr_valid = true;
                a->addr_family = 6;
                mw_inaddr_format6(a->addr, a->addr_text);
            }
        } else if (mw_inaddr_parse4(d, n, a->addr)) {
            a->addr_valid = true;
            a->addr_family = 4;
            mw_inaddr_format4(a->addr, a->addr_text);
        }
        if (!a->addr_valid)
            a->flags |= MW_XATTR_F_BAD_ADDR;
        break;
    case MW_XATTR_PORT:
    case MW_XATTR_DESTPORT:
        a->port_valid = parse_port(d, n, &a->port);
        if (!a->port_valid)
            a->flags |= MW_XATTR_F_BAD_PORT;
        break;
    case MW_XATTR_PROTO:
        if (kind == MW_XCLIENT && !eq_nocase(d, n, "SMTP") && !eq_nocase(d, n, "ESMTP"))
            a->flags |= MW_XATTR_F_BAD_VALUE;
        break;
    case MW_XATTR_SOURCE:
        if (!eq_nocase(d, n, "LOCAL") && !eq_nocase(d, n, "REMOTE"))
            a->flags |= MW_XATTR_F_BAD_VALUE;
        break;
    case MW_XATTR_NAME:
    case MW_XATTR_REVERSE_NAME:
        if (!valid_hostname(d, n))
            a->flags |= MW_XATTR_F_BAD_VALUE;
        break;
    default:
        break;
    }
}

bool mw_xattr_next(mw_xattr_iter *it, mw_xattr *a, uint8_t *dec)
{
    const uint8_t *buf = it->buf;
    size_t i = it->pos, sep = i;
    while (i < it->end && is_sep(buf[i]))
        i++;
    if (i >= it->end) {
        it->pos = it->end;
        return false;
    }
    memset(a, 0, sizeof *a);
    size_t nsep = i - sep;
    /* The first attribute follows the verb's separator, which is not ours. */
    if (it->count == 0 ? nsep != 0 : !(nsep == 1 && buf[sep] == ' '))
        a->flags |= MW_XATTR_F_SPACING;
    size_t start = i;
    while (i < it->end && !is_sep(buf[i]))
        i++;
    it->pos = i;
    a->item = span(start, i - start);
    const uint8_t *eq = memchr(buf + start, '=', i - start);
    size_t name_end = eq ? (size_t)(eq - buf) : i;
    a->name = span(start, name_end - start);
    a->has_equals = eq != NULL;
    a->value = eq ? span(name_end + 1, i - name_end - 1) : span(i, 0);
    if (!eq)
        a->flags |= MW_XATTR_F_NO_EQUALS;
    if (a->name.len == 0)
        a->flags |= MW_XATTR_F_EMPTY_NAME;
    for (unsigned k = 1; k < MW_XATTR_COUNT; k++)
        if (eq_nocase(buf + a->name.off, a->name.len, attrs[k].name))
            a->id = (mw_xattr_id)k;
    if (!mw_xattr_allowed(it->kind, a->id))
        a->flags |= MW_XATTR_F_UNKNOWN;
    if (a->id != MW_XATTR_UNKNOWN) {
        if (it->seen & (1u << a->id))
            a->flags |= MW_XATTR_F_DUPLICATE;
        it->seen |= 1u << a->id;
    }
    size_t doff = a->value.off - it->start;
    size_t dlen = mw_xtext_decode(buf + a->value.off, a->value.len, dec + doff, &a->xtext_flags);
    a->decoded = span(doff, dlen);
    if (a->xtext_flags)
        a->flags |= MW_XATTR_F_BAD_XTEXT;
    if (eq && a->id != MW_XATTR_UNKNOWN)
        check_value(it->kind, a, dec + doff, dlen);
    it->count++;
    it->flags |= a->flags;
    return true;
}

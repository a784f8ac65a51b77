/* SASL decoding: see sasl.h. */
#include "core/mail/sasl.h"

#include <string.h>

static bool fail(const char **error, const char *why)
{
    *error = why;
    return false;
}

static uint8_t upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c;
}

static bool eq_nocase(const uint8_t *buf, size_t n, const char *word)
{
    if (n != strlen(word))
        return false;
    for (size_t i = 0; i < n; i++)
        if (upper(buf[i]) != upper((uint8_t)word[i]))
            return false;
    return true;
}

static const mw_sasl_mech_info mechs[] = {
    {MW_SASL_UNKNOWN, "unknown", false, false},
    {MW_SASL_PLAIN, "PLAIN", true, false},
    {MW_SASL_LOGIN, "LOGIN", true, false},
    {MW_SASL_CRAM_MD5, "CRAM-MD5", false, false},
    {MW_SASL_XOAUTH2, "XOAUTH2", false, true},
    {MW_SASL_OAUTHBEARER, "OAUTHBEARER", false, true},
    {MW_SASL_SCRAM_SHA_1, "SCRAM-SHA-1", false, false},
    {MW_SASL_SCRAM_SHA_1_PLUS, "SCRAM-SHA-1-PLUS", false, false},
    {MW_SASL_SCRAM_SHA_256, "SCRAM-SHA-256", false, false},
    {MW_SASL_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS", false, false},
    {MW_SASL_NTLM, "NTLM", false, false},
    {MW_SASL_GSSAPI, "GSSAPI", false, false},
    {MW_SASL_DIGEST_MD5, "DIGEST-MD5", false, false},
    {MW_SASL_EXTERNAL, "EXTERNAL", false, false},
    {MW_SASL_ANONYMOUS, "ANONYMOUS", false, false},
};

mw_sasl_mech_info mw_sasl_mech_classify(const uint8_t *name, size_t len)
{
    for (size_t i = 1; i < sizeof mechs / sizeof mechs[0]; i++)
        if (eq_nocase(name, len, mechs[i].name))
            return mechs[i];
    return mechs[0];
}

static mw_span span(size_t off, size_t len)
{
    mw_span s = {off, len};
    return s;
}

/* Index of the first c in buf[from..len), or len. */
static size_t find(const uint8_t *buf, size_t len, size_t from, uint8_t c)
{
    while (from < len && buf[from] != c)
        from++;
    return from;
}

bool mw_sasl_plain_parse(const uint8_t *dec, size_t len, mw_sasl_plain *p)
{
    memset(p, 0, sizeof *p);
    size_t a = find(dec, len, 0, 0);
    size_t b = a < len ? find(dec, len, a + 1, 0) : len;
    if (b >= len)
        return fail(&p->error, "fewer than two NUL separators");
    if (find(dec, len, b + 1, 0) < len)
        return fail(&p->error, "more than two NUL separators");
    p->authzid = span(0, a);
    p->authcid = span(a + 1, b - a - 1);
    p->passwd = span(b + 1, len - b - 1);
    p->user = p->authcid.len ? p->authcid : p->authzid;
    p->usable = p->user.len > 0;
    if (p->authcid.len == 0)
        return fail(&p->error, "empty authentication identity");
    return true;
}

mw_sasl_login_prompt mw_sasl_login_prompt_kind(const uint8_t *dec, size_t len)
{
    if (len > 0 && dec[len - 1] == ':')
        len--;
    if (eq_nocase(dec, len, "Username") || eq_nocase(dec, len, "User Name"))
        return MW_SASL_LOGIN_USERNAME;
    if (eq_nocase(dec, len, "Password"))
        return MW_SASL_LOGIN_PASSWORD;
    return MW_SASL_LOGIN_OTHER;
}

static bool is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool mw_sasl_cram_parse(const uint8_t *dec, size_t len, mw_sasl_cram *c)
{
    memset(c, 0, sizeof *c);
    size_t sp = len;
    while (sp > 0 && dec[sp - 1] != ' ')
        sp--;
    if (sp == 0)
        return fail(&c->error, "no space between user and digest");
    c->user = span(0, sp - 1);
    c->digest = span(sp, len - sp);
    if (c->digest.len != 32)
        return fail(&c->error, "digest is not 32 hex digits");
    for (size_t i = sp; i < len; i++)
        if (!is_hex(dec[i]))
            return fail(&c->error, "digest is not 32 hex digits");
    if (c->user.len == 0)
        return fail(&c->error, "empty user");
    return true;
}

/* Does buf[off..off+n) start with the prefix?  Case-sensitive unless nocase. */
static bool has_prefix(const uint8_t *buf, mw_span s, const char *prefix, bool nocase)
{
    size_t pl = strlen(prefix);
    if (s.len < pl)
        return false;
    return nocase ? eq_nocase(buf + s.off, pl, prefix) : memcmp(buf + s.off, prefix, pl) == 0;
}

/* Sets auth and token from an auth= value; the scheme is case-insensitive (RFC 6750 2.1). */
static void bearer(const uint8_t *dec, mw_span value, mw_sasl_oauth *o)
{
    o->auth = value;
    if (has_prefix(dec, value, "Bearer ", true))
        o->token = span(value.off + 7, value.len - 7);
}

/* Walks ^A-separated key=value pairs in dec[from..len), which must end with
 * ^A ^A; stores the keys the mechanism defines (XOAUTH2: user, auth;
 * OAUTHBEARER: host, port, auth) and skips others. */
static bool kvpairs(const uint8_t *dec, size_t len, size_t from, mw_sasl_oauth *o,
                    bool xoauth2)
{
    size_t i = from;
    for (;;) {
        size_t end = find(dec, len, i, 0x01);
        if (end == len)
            return fail(&o->error, "missing final ^A ^A");
        if (end == i)
            break; /* the empty pair: ^A ^A ends the list */
        mw_span kv = span(i, end - i);
        size_t eq = find(dec, end, i, '=');
        mw_span val = span(eq + 1, eq < end ? end - eq - 1 : 0);
        if (eq == end)
            return fail(&o->error, "pair without '='");
        if (xoauth2 && has_prefix(dec, kv, "user=", false))
            o->authzid = val;
        else if (has_prefix(dec, kv, "auth=", false))
            bearer(dec, val, o);
        else if (!xoauth2 && has_prefix(dec, kv, "host=", false))
            o->host = val;
        else if (!xoauth2 && has_prefix(dec, kv, "port=", false))
            o->port = val;
        i = end + 1;
    }
    if (i + 1 != len)
        return fail(&o->error, "bytes after ^A ^A");
    if (o->auth.len == 0)
        return fail(&o->error, "missing auth=");
    if (o->token.len == 0)
        return fail(&o->error, "auth= is not \"Bearer <token>\"");
    return true;
}

bool mw_sasl_xoauth2_parse(const uint8_t *dec, size_t len, mw_sasl_oauth *o)
{
    memset(o, 0, sizeof *o);
    if (!kvpairs(dec, len, 0, o, true))
        return false;
    if (o->authzid.len == 0)
        return fail(&o->error, "missing user=");
    return true;
}

bool mw_sasl_oauthbearer_parse(const uint8_t *dec, size_t len, mw_sasl_oauth *o)
{
    memset(o, 0, sizeof *o);
    /* gs2-header = gs2-cbind-flag "," [ "a=" saslname ] "," */
    if (len < 3 || (dec[0] != 'n' && dec[0] != 'y' && dec[0] != 'p'))
        return fail(&o->error, "bad GS2 header");
    size_t c1 = find(dec, len, 0, ',');
    size_t c2 = c1 < len ? find(dec, len, c1 + 1, ',') : len;
    if (c2 >= len)
        return fail(&o->error, "bad GS2 header");
    mw_span az = span(c1 + 1, c2 - c1 - 1);
    if (az.len > 0) {
        if (!has_prefix(dec, az, "a=", false))
            return fail(&o->error, "bad GS2 header");
        o->authzid = span(az.off + 2, az.len - 2);
    }
    if (c2 + 1 >= len || dec[c2 + 1] != 0x01)
        return fail(&o->error, "missing ^A after GS2 header");
    mw_span keep = o->authzid;
    bool ok = kvpairs(dec, len, c2 + 2, o, false);
    o->authzid = keep;
    return ok;
}

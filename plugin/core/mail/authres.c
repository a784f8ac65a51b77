/* Authentication-Results: see authres.h.  RFC 8601 2.2 grammar:
 *   [CFWS] authserv-id [CFWS authres-version] (no-result / 1*resinfo)
 *   resinfo = [CFWS] ";" methodspec [CFWS reasonspec] [CFWS 1*propspec]
 */
#include "core/mail/authres.h"

#include <string.h>

#include "core/mail/cfws.h"

static bool all_digits(const uint8_t *b, mw_span s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (b[s.off + i] < '0' || b[s.off + i] > '9')
            return false;
    return true;
}

/* "i=N;" at the start of an ARC-Authentication-Results value. */
static bool arc_instance(mw_lex *l, mw_authres *ar)
{
    mw_lex_cfws(l);
    mw_span k, n;
    if (!mw_lex_keyword(l, &k) || !mw_span_is(l->b, k, "i"))
        return false;
    mw_lex_cfws(l);
    if (!mw_lex_eat(l, '='))
        return false;
    mw_lex_cfws(l);
    if (!mw_lex_keyword(l, &n) || !all_digits(l->b, n) || n.len > 9)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n.len; i++)
        v = v * 10 + (uint32_t)(l->b[n.off + i] - '0');
    ar->instance = v;
    ar->has_instance = true;
    mw_lex_cfws(l);
    return mw_lex_eat(l, ';');
}

/* methodspec [reasonspec] [propspecs], up to the next ';' or the end.
 * Returns false on junk (the caller skips to the next ';'). */
static bool method(mw_lex *l, mw_ar_method *m)
{
    mw_lex_cfws(l);
    if (!mw_lex_keyword(l, &m->method))
        return false;
    mw_lex_cfws(l);
    if (mw_lex_eat(l, '/')) {
        mw_lex_cfws(l);
        if (!mw_lex_keyword(l, &m->version))
            return false;
        mw_lex_cfws(l);
    }
    if (!mw_lex_eat(l, '='))
        return false;
    mw_lex_cfws(l);
    if (!mw_lex_keyword(l, &m->result))
        return false;
    mw_lex_cfws(l);
    if (l->n_comments)
        m->comment = l->comments[0];
    for (;;) {
        uint8_t c = mw_lex_peek(l);
        if (c == ';' || l->pos >= l->len)
            return true;
        mw_span kw, prop, val;
        if (!mw_lex_keyword(l, &kw))
            return false;
        mw_lex_cfws(l);
        if (mw_lex_eat(l, '=')) {
            /* reasonspec; other "name=value" forms are not in the grammar */
            if (!mw_span_is(l->b, kw, "reason"))
                return false;
            mw_lex_cfws(l);
            if (!mw_lex_value(l, NULL, &val))
                return false;
            m->reason = val;
            mw_lex_cfws(l);
            continue;
        }
        if (!mw_lex_eat(l, '.'))
            return false;
        mw_lex_cfws(l);
        if (!mw_lex_keyword(l, &prop))
            return false;
        mw_lex_cfws(l);
        if (!mw_lex_eat(l, '='))
            return false;
        mw_lex_cfws(l);
        /* pvalue: a value or [local-part] "@" domain; an empty value is
         * taken as written (seen from some filters). */
        if (!mw_lex_value(l, NULL, &val))
            val = (mw_span){l->pos, 0};
        if (m->n_props < MW_AR_MAX_PROPS)
            m->props[m->n_props++] = (mw_ar_prop){kw, prop, val};
        else
            m->flags |= MW_AR_TOO_MANY;
        m->props_total++;
        mw_lex_cfws(l);
    }
}

bool mw_authres_parse(const uint8_t *v, size_t len, bool arc, mw_authres *ar,
                      mw_ar_method *methods, unsigned max)
{
    memset(ar, 0, sizeof *ar);
    mw_lex l;
    mw_lex_init(&l, v, len);
    if (arc && !arc_instance(&l, ar)) {
        ar->flags |= MW_AR_NO_INSTANCE;
        /* a bad "i=...;" is skipped; without one the payload starts at once */
        mw_lex_init(&l, v, len);
        mw_span k;
        mw_lex_cfws(&l);
        bool has_i = mw_lex_keyword(&l, &k) && mw_span_is(v, k, "i");
        mw_lex_cfws(&l);
        has_i = has_i && mw_lex_eat(&l, '=');
        l.pos = 0;
        if (has_i && !mw_lex_skip_to_semicolon(&l))
            l.pos = 0;
    }
    mw_lex_cfws(&l);
    if (mw_lex_peek(&l) == ';' || !mw_lex_value(&l, NULL, &ar->authserv_id))
        ar->flags |= MW_AR_NO_AUTHSERV;
    mw_lex_cfws(&l);
    if (mw_lex_peek(&l) >= '0' && mw_lex_peek(&l) <= '9') {
        mw_span ver;
        mw_lex_keyword(&l, &ver);
        if (all_digits(v, ver))
            ar->version = ver;
        else
            ar->flags |= MW_AR_SYNTAX;
        mw_lex_cfws(&l);
    }
    if (l.pos < len && mw_lex_peek(&l) != ';') {
        ar->flags |= MW_AR_SYNTAX;
        mw_lex_skip_to_semicolon(&l);
    } else {
        mw_lex_eat(&l, ';');
    }
    /* "; none" */
    {
        mw_lex save = l;
        mw_span kw;
        mw_lex_cfws(&l);
        if (mw_lex_keyword(&l, &kw) && mw_span_is(v, kw, "none")) {
            mw_lex_cfws(&l);
            if (l.pos >= len) {
                ar->none = true;
                ar->flags |= l.unterminated ? MW_AR_UNTERMINATED : 0;
                return !(ar->flags & (MW_AR_SYNTAX | MW_AR_NO_AUTHSERV | MW_AR_NO_INSTANCE));
            }
        }
        l = save;
    }
    while (l.pos < len) {
        mw_lex_cfws(&l);
        if (l.pos >= len)
            break;
        if (mw_lex_eat(&l, ';'))
            continue; /* an empty resinfo: "a; ; b" */
        mw_ar_method tmp = {0};
        mw_ar_method *m = ar->n_methods < max ? &methods[ar->n_methods] : &tmp;
        memset(m, 0, sizeof *m);
        size_t before = l.pos;
        bool ok = method(&l, m);
        ar->methods_total++;
        if (!ok) {
            m->flags |= MW_AR_SYNTAX;
            ar->flags |= MW_AR_SYNTAX;
            mw_lex_skip_to_semicolon(&l);
            if (l.pos == before)
                break;
        } else {
            mw_lex_eat(&l, ';');
        }
        if (l.unterminated)
            m->flags |= MW_AR_UNTERMINATED;
        if (m == &tmp)
            ar->flags |= MW_AR_TOO_MANY;
        else
            ar->n_methods++;
    }
    if (l.unterminated)
        ar->flags |= MW_AR_UNTERMINATED;
    return !(ar->flags & (MW_AR_SYNTAX | MW_AR_NO_AUTHSERV | MW_AR_NO_INSTANCE));
}

const mw_ar_prop *mw_ar_prop_find(const uint8_t *v, const mw_ar_method *m, const char *ptype,
                                  const char *property)
{
    for (unsigned i = 0; i < m->n_props; i++)
        if (mw_span_is(v, m->props[i].ptype, ptype) && mw_span_is(v, m->props[i].property, property))
            return &m->props[i];
    return NULL;
}

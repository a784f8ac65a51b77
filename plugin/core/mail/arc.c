/* ARC header fields: see arc.h. */
#include "core/mail/arc.h"

#include <string.h>

#include "core/mail/cfws.h"

static bool is_fws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static mw_span trim(const uint8_t *v, size_t a, size_t b)
{
    while (a < b && is_fws(v[a]))
        a++;
    while (b > a && is_fws(v[b - 1]))
        b--;
    return (mw_span){a, b - a};
}

static bool tag_name_ok(const uint8_t *v, mw_span t)
{
    if (!t.len)
        return false;
    for (size_t i = 0; i < t.len; i++) {
        uint8_t c = v[t.off + i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '_')))
            return false;
    }
    return true;
}

static void set_tag(mw_arc_field *f, mw_span *slot, mw_span val)
{
    if (slot->len || slot->off)
        f->flags |= MW_ARC_DUP_TAG;
    *slot = val;
}

bool mw_arc_parse(const uint8_t *v, size_t len, mw_arc_kind kind, mw_arc_field *f)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    bool have_i = false;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && v[end] != ';')
            end++;
        size_t eq = pos;
        while (eq < end && v[eq] != '=')
            eq++;
        mw_span whole = trim(v, pos, end);
        if (whole.len) {
            if (eq == end) {
                f->flags |= MW_ARC_SYNTAX;
            } else {
                mw_span name = trim(v, pos, eq), val = trim(v, eq + 1, end);
                if (!tag_name_ok(v, name))
                    f->flags |= MW_ARC_SYNTAX;
                else if (mw_span_is(v, name, "i")) {
                    set_tag(f, &f->i, val);
                    have_i = true;
                } else if (mw_span_is(v, name, "cv"))
                    set_tag(f, &f->cv, val);
                else if (mw_span_is(v, name, "d"))
                    set_tag(f, &f->d, val);
                else if (mw_span_is(v, name, "s"))
                    set_tag(f, &f->s, val);
                else if (mw_span_is(v, name, "a"))
                    set_tag(f, &f->a, val);
            }
        }
        pos = end < len ? end + 1 : len;
    }
    if (have_i && f->i.len && f->i.len <= 2) {
        uint32_t n = 0;
        bool digits = true;
        for (size_t k = 0; k < f->i.len; k++) {
            uint8_t c = v[f->i.off + k];
            digits &= c >= '0' && c <= '9';
            n = n * 10 + (uint32_t)(c - '0');
        }
        if (digits && n >= 1 && n <= MW_ARC_MAX_INSTANCE)
            f->instance = n;
    }
    if (!f->instance)
        f->flags |= MW_ARC_NO_INSTANCE;
    if (kind == MW_ARC_SEAL) {
        if (!f->cv.len)
            f->cv_value = MW_ARC_CV_ABSENT;
        else if (mw_span_is(v, f->cv, "none"))
            f->cv_value = MW_ARC_CV_NONE;
        else if (mw_span_is(v, f->cv, "pass"))
            f->cv_value = MW_ARC_CV_PASS;
        else if (mw_span_is(v, f->cv, "fail"))
            f->cv_value = MW_ARC_CV_FAIL;
        else
            f->cv_value = MW_ARC_CV_OTHER;
    }
    return !(f->flags & (MW_ARC_SYNTAX | MW_ARC_NO_INSTANCE));
}

static void broken(mw_arc_chain *c, uint32_t at, unsigned flag)
{
    c->flags |= flag;
    if (!c->first_bad || (at && at < c->first_bad))
        c->first_bad = at ? at : 1;
}

void mw_arc_chain_check(const mw_arc_field *f, size_t n, mw_arc_chain *c)
{
    memset(c, 0, sizeof *c);
    if (!n)
        return;
    /* count[i][kind]: members per instance */
    uint8_t count[MW_ARC_MAX_INSTANCE + 1][MW_ARC_KINDS];
    mw_arc_cv cv[MW_ARC_MAX_INSTANCE + 1];
    memset(count, 0, sizeof count);
    memset(cv, 0, sizeof cv);
    for (size_t k = 0; k < n; k++) {
        if (!f[k].instance) {
            broken(c, 0, MW_ARC_CHAIN_BAD_FIELD);
            continue;
        }
        uint32_t i = f[k].instance;
        if (count[i][f[k].kind] < 255)
            count[i][f[k].kind]++;
        if (f[k].kind == MW_ARC_SEAL)
            cv[i] = f[k].cv_value;
        if (i > c->sets)
            c->sets = i;
    }
    for (uint32_t i = 1; i <= c->sets; i++) {
        unsigned present = 0;
        for (int k = 0; k < MW_ARC_KINDS; k++) {
            present += count[i][k] != 0;
            if (count[i][k] > 1)
                broken(c, i, MW_ARC_CHAIN_DUP);
        }
        if (present == 0)
            broken(c, i, MW_ARC_CHAIN_GAP);
        else if (present < MW_ARC_KINDS)
            broken(c, i, MW_ARC_CHAIN_MISSING);
        if (count[i][MW_ARC_SEAL]) {
            if (i < c->sets && cv[i] == MW_ARC_CV_FAIL)
                broken(c, i, MW_ARC_CHAIN_EARLIER_FAIL);
            else if (i == 1 ? cv[i] != MW_ARC_CV_NONE
                            : cv[i] != MW_ARC_CV_PASS && cv[i] != MW_ARC_CV_FAIL)
                broken(c, i, MW_ARC_CHAIN_BAD_CV);
        }
    }
    c->newest_cv = c->sets ? cv[c->sets] : MW_ARC_CV_ABSENT;
    if (c->newest_cv == MW_ARC_CV_FAIL)
        broken(c, c->sets, MW_ARC_CHAIN_CV_FAIL);
    if (!c->sets && c->flags)
        c->status = MW_ARC_STATUS_FAIL;
    else
        c->status = c->flags ? MW_ARC_STATUS_FAIL : MW_ARC_STATUS_PASS;
}

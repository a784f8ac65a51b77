/* Trace header parsers: the trace field scan over a header block, then each
 * field's parser (Received, Authentication-Results, ARC, Return-Path) and
 * the ARC chain check; also every parser over the whole input as one value.
 * Spans stay inside their value, counts within their bounds. */
#include "fuzz_util.h"
#include "core/mail/arc.h"
#include "core/mail/authres.h"
#include "core/mail/received.h"
#include "core/mail/trace.h"

#define METHODS 4
#define FIELDS 16

static void check_authres(const uint8_t *v, size_t len, bool arc)
{
    mw_authres a;
    mw_ar_method m[METHODS];
    (void)mw_authres_parse(v, len, arc, &a, m, METHODS);
    FZ_CHECK(a.n_methods <= METHODS && a.n_methods <= a.methods_total);
    FZ_CHECK(a.methods_total <= len);
    FZ_SPAN_IN(a.authserv_id.off, a.authserv_id.len, len);
    FZ_SPAN_IN(a.version.off, a.version.len, len);
    for (unsigned i = 0; i < a.n_methods; i++) {
        FZ_SPAN_IN(m[i].method.off, m[i].method.len, len);
        FZ_SPAN_IN(m[i].version.off, m[i].version.len, len);
        FZ_SPAN_IN(m[i].result.off, m[i].result.len, len);
        FZ_SPAN_IN(m[i].reason.off, m[i].reason.len, len);
        FZ_SPAN_IN(m[i].comment.off, m[i].comment.len, len);
        FZ_CHECK(m[i].n_props <= MW_AR_MAX_PROPS && m[i].n_props <= m[i].props_total);
        for (unsigned k = 0; k < m[i].n_props; k++) {
            FZ_SPAN_IN(m[i].props[k].ptype.off, m[i].props[k].ptype.len, len);
            FZ_SPAN_IN(m[i].props[k].property.off, m[i].props[k].property.len, len);
            FZ_SPAN_IN(m[i].props[k].value.off, m[i].props[k].value.len, len);
        }
        (void)mw_ar_prop_find(v, &m[i], "header", "d");
    }
}

static void check_received(const uint8_t *v, size_t len)
{
    mw_received r;
    mw_received_parse(v, len, &r);
    for (int k = 0; k < MW_RCV_CLAUSES; k++) {
        FZ_SPAN_IN(r.clause[k].off, r.clause[k].len, len);
        FZ_SPAN_IN(r.info[k].off, r.info[k].len, len);
    }
    FZ_SPAN_IN(r.date.off, r.date.len, len);
    FZ_SPAN_IN(r.tls.off, r.tls.len, len);
    int64_t by;
    if (mw_received_backwards(&r, &r, &by))
        FZ_CHECK(0);
}

static void check_arc(const uint8_t *v, size_t len, mw_arc_kind kind, mw_arc_field *f)
{
    (void)mw_arc_parse(v, len, kind, f);
    FZ_CHECK(f->instance <= MW_ARC_MAX_INSTANCE);
    FZ_SPAN_IN(f->i.off, f->i.len, len);
    FZ_SPAN_IN(f->cv.off, f->cv.len, len);
    FZ_SPAN_IN(f->d.off, f->d.len, len);
    FZ_SPAN_IN(f->s.off, f->s.len, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    mw_trace_field f[FIELDS];
    unsigned n = mw_trace_fields(b, size, f, FIELDS);
    mw_arc_field arcs[FIELDS];
    size_t n_arc = 0;
    for (unsigned i = 0; i < n && i < FIELDS; i++) {
        FZ_SPAN_IN(f[i].field.off, f[i].field.len, size);
        FZ_SPAN_IN(f[i].value.off, f[i].value.len, size);
        const uint8_t *v = b + f[i].value.off;
        size_t len = f[i].value.len;
        mw_span a;
        switch (f[i].kind) {
        case MW_TRACE_RECEIVED: check_received(v, len); break;
        case MW_TRACE_AUTH_RESULTS: check_authres(v, len, false); break;
        case MW_TRACE_ARC_AUTH_RESULTS: {
            mw_authres ar;
            mw_ar_method m[1];
            mw_authres_parse(v, len, true, &ar, m, 1);
            arcs[n_arc] = (mw_arc_field){.kind = MW_ARC_AUTH_RESULTS,
                                         .instance = ar.has_instance && ar.instance <= 50
                                                         ? ar.instance : 0};
            n_arc++;
            break;
        }
        case MW_TRACE_ARC_SEAL: check_arc(v, len, MW_ARC_SEAL, &arcs[n_arc++]); break;
        case MW_TRACE_ARC_MSG_SIG: check_arc(v, len, MW_ARC_MSG_SIG, &arcs[n_arc++]); break;
        default:
            if (mw_return_path(v, len, &a))
                FZ_SPAN_IN(a.off, a.len, len);
            break;
        }
    }
    mw_arc_chain c;
    mw_arc_chain_check(arcs, n_arc, &c);
    FZ_CHECK(c.sets <= MW_ARC_MAX_INSTANCE && c.first_bad <= c.sets + 1);
    /* the whole input as one value of each kind */
    check_received(b, size);
    check_authres(b, size, false);
    check_authres(b, size, true);
    mw_arc_field one;
    check_arc(b, size, MW_ARC_SEAL, &one);
    int64_t t;
    (void)mw_date_parse(b, size, &t);
    mw_span a;
    if (mw_return_path(b, size, &a))
        FZ_SPAN_IN(a.off, a.len, size);
    (void)mw_addr_same(b, size / 2, b + size / 2, size - size / 2);
    free(b);
    return 0;
}

/* The PROXY header parser on the first bytes of a client stream: spans lie
 * in the header, TLV walks end inside their region, a prefix of the input
 * never decides otherwise than the whole, addresses round-trip as text. */
#include "fuzz_util.h"
#include "core/mail/proxy.h"

#define SPAN_OK(s, n) FZ_SPAN_IN((s).off, (s).len, (n))

static void check_addr(const mw_proxy_header *h, const mw_proxy_addr *a, size_t n)
{
    FZ_CHECK(memchr(a->text, 0, sizeof a->text) != NULL);
    if (!a->valid)
        return;
    SPAN_OK(a->span, n);
    uint8_t bin[16];
    if (h->family == MW_PROXY_AF_INET) {
        FZ_CHECK(mw_inaddr_parse4((const uint8_t *)a->text, strlen(a->text), bin));
        FZ_CHECK(memcmp(bin, a->bin, 4) == 0);
    } else if (h->family == MW_PROXY_AF_INET6) {
        FZ_CHECK(mw_inaddr_parse6((const uint8_t *)a->text, strlen(a->text), bin));
        FZ_CHECK(memcmp(bin, a->bin, 16) == 0);
    }
}

static void walk(const uint8_t *b, const mw_proxy_header *h, mw_proxy_tlv_iter *it, size_t lo, size_t hi,
                 unsigned depth, unsigned *count)
{
    mw_proxy_tlv t;
    size_t last = lo;
    while (mw_proxy_tlv_next(b, h, it, &t)) {
        (*count)++;
        FZ_CHECK(t.span.off == last);
        FZ_CHECK(t.span.len >= 1);
        FZ_CHECK(t.span.off >= lo && t.span.off + t.span.len <= hi);
        FZ_CHECK(t.value.off + t.value.len <= hi);
        FZ_CHECK(t.name != NULL);
        FZ_CHECK(!(t.errors & MW_PROXY_TLV_E_OVERRUN) || t.span.off + t.span.len == hi);
        last = t.span.off + t.span.len;
        if (depth == 0 && t.type == MW_PP2_TYPE_SSL && t.errors == 0) {
            mw_proxy_tlv_iter si;
            unsigned sub = 0;
            mw_proxy_tlv_begin_ssl(&t, &si);
            walk(b, h, &si, t.ssl_subs.off, t.ssl_subs.off + t.ssl_subs.len, 1, &sub);
        }
    }
    FZ_CHECK(last == hi || lo == hi);
}

static void check_header(const uint8_t *b, size_t n, const mw_proxy_header *h)
{
    FZ_CHECK(h->len >= 1 && h->len <= n);
    FZ_CHECK(h->version == 1 || h->version == 2);
    size_t L = h->len;
    SPAN_OK(h->v1_proto, L);
    SPAN_OK(h->v1_rest, L);
    SPAN_OK(h->line_end, L);
    SPAN_OK(h->payload, L);
    SPAN_OK(h->addr_block, L);
    SPAN_OK(h->tlvs, L);
    SPAN_OK(h->srcport.span, L);
    SPAN_OK(h->dstport.span, L);
    check_addr(h, &h->src, L);
    check_addr(h, &h->dst, L);
    if (h->version == 1)
        FZ_CHECK(L <= MW_PROXY_V1_MAX);
    else if (!(h->errors & MW_PROXY_E_TRUNCATED))
        FZ_CHECK(L == MW_PROXY_V2_FIXED + h->v2_len);
    if (h->use_addresses)
        FZ_CHECK(h->errors == 0 && h->src.valid && h->dst.valid);
    for (unsigned i = 0; i < 32; i++)
        if (h->errors & (1u << i))
            FZ_CHECK(mw_proxy_error_text(1u << i) != NULL);
    FZ_CHECK(mw_proxy_family_name(h->family) != NULL);
    if (h->version == 2 && h->tlvs.len && !(h->errors & MW_PROXY_E_TRUNCATED)) {
        mw_proxy_tlv_iter it;
        unsigned count = 0;
        mw_proxy_tlv_begin(h, &it);
        walk(b, h, &it, h->tlvs.off, h->tlvs.off + h->tlvs.len, 0, &count);
        FZ_CHECK(count == h->tlv_count);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = fz_dup(data, size);
    mw_proxy_header h, h2, p;
    mw_proxy_status st = mw_proxy_parse(b, size, false, &h);
    mw_proxy_status st2 = mw_proxy_parse(b, size, false, &h2);
    FZ_CHECK(st == st2 && memcmp(&h, &h2, sizeof h) == 0);
    if (st == MW_PROXY_HEADER)
        check_header(b, size, &h);
    mw_proxy_status ste = mw_proxy_parse(b, size, true, &h2);
    FZ_CHECK(ste != MW_PROXY_NEED_MORE);
    if (st != MW_PROXY_NEED_MORE)
        FZ_CHECK(ste == st && memcmp(&h, &h2, sizeof h) == 0);
    if (ste == MW_PROXY_HEADER)
        check_header(b, size, &h2);

    /* Prefixes: undecided before the header's end, the same header after. */
    size_t L = st == MW_PROXY_HEADER ? h.len : 0;
    size_t ks[] = {0, 1, 5, 6, 11, 12, 15, 16, 17, 28, 52, 107, 108, L ? L - 1 : 0, L, L + 1,
                   size / 2, size ? size - 1 : 0};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        size_t k = ks[i];
        if (k > size)
            continue;
        mw_proxy_status sp = mw_proxy_parse(b, k, false, &p);
        if (st == MW_PROXY_HEADER) {
            if (k < L) {
                FZ_CHECK(sp == MW_PROXY_NEED_MORE);
            } else {
                FZ_CHECK(sp == MW_PROXY_HEADER && p.len == L && p.errors == h.errors);
                FZ_CHECK(memcmp(&p, &h, sizeof h) == 0);
            }
        } else if (st == MW_PROXY_NONE) {
            FZ_CHECK(sp != MW_PROXY_HEADER);
        } else {
            FZ_CHECK(sp == MW_PROXY_NEED_MORE);
        }
        if (mw_proxy_parse(b, k, true, &p) == MW_PROXY_HEADER)
            check_header(b, k, &p);
    }
    free(b);
    return 0;
}

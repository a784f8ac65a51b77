/* The MIME walk (with limits taken from the input), the streaming base64 and
 * quoted-printable decoders at a split point, header values with parameters
 * and the file name check.  Spans stay in the message, parts form a tree in
 * document order, decoded sizes respect their encodings, and a split never
 * changes what a decoder produces. */
#include "fuzz_util.h"
#include "core/mail/mime.h"
#include "core/mail/mime_filename.h"
#include "core/mail/mime_param.h"
#include "core/text/base64_body.h"
#include "core/text/qp.h"

#include <glib.h>

static void walk(const uint8_t *b, size_t size, unsigned depth, unsigned parts)
{
    mw_mime_opts o = {.max_depth = depth, .max_parts = parts};
    mw_mime_message m;
    mw_mime_walk(b, size, &o, &m);
    FZ_CHECK(m.n_parts >= 1);
    unsigned eff_depth = depth ? depth : MW_MIME_DEFAULT_MAX_DEPTH;
    for (unsigned i = 0; i < m.n_parts; i++) {
        const mw_mime_part *p = &m.parts[i];
        FZ_CHECK(p->index == i);
        FZ_CHECK(p->parent < (int)i);
        FZ_CHECK(p->depth <= eff_depth);
        if (p->parent >= 0)
            FZ_CHECK(p->depth == m.parts[p->parent].depth + 1);
        FZ_SPAN_IN(p->header.off, p->header.len, size);
        FZ_SPAN_IN(p->body.off, p->body.len, size);
        FZ_SPAN_IN(p->preamble.off, p->preamble.len, size);
        FZ_SPAN_IN(p->epilogue.off, p->epilogue.len, size);
        FZ_CHECK(p->header.off + p->header.len <= p->body.off);
        FZ_CHECK(p->type && p->subtype && p->content_type.value);
        if (p->parent >= 0) {
            const mw_mime_part *q = &m.parts[p->parent];
            FZ_CHECK(q->multipart || q->message);
            FZ_CHECK(p->header.off >= q->body.off);
            FZ_CHECK(p->body.off + p->body.len <= q->body.off + q->body.len);
        }
        FZ_CHECK(p->encoded_size == p->body.len);
        if (p->hashed && p->cte == MW_CTE_BASE64)
            FZ_CHECK(p->decoded_size <= p->encoded_size / 4 * 3 + 2);
        else if (p->hashed && p->cte == MW_CTE_QP)
            FZ_CHECK(p->decoded_size <= p->encoded_size);
        else if (p->hashed)
            FZ_CHECK(p->decoded_size == p->encoded_size);
        FZ_CHECK(!(p->multipart && p->hashed));
        char sec[16];
        mw_mime_part_section(&m, i, sec, sizeof sec);
        FZ_CHECK(strlen(sec) < sizeof sec);
        if (p->parent >= 0)
            FZ_CHECK(p->number >= 1 && p->number <= m.parts[p->parent].n_children);
        if (p->hashed) {
            size_t dl;
            uint8_t *dec = mw_mime_part_decoded(b, p, &dl);
            FZ_CHECK(dl == p->decoded_size);
            g_free(dec);
        }
        if (p->filename)
            FZ_CHECK(strlen(p->filename) < 4 * size + 8);
    }
    mw_mime_message_clear(&m);
}

static void decoders(const uint8_t *b, size_t size, size_t cut)
{
    uint8_t *whole = malloc(MW_QP_OUT_MAX(size) + MW_B64_OUT_MAX(size));
    uint8_t *split = malloc(MW_QP_OUT_MAX(size) + MW_B64_OUT_MAX(size) + MW_QP_OUT_MAX(0));
    size_t a = 0, c = 0;
    mw_b64_stream s1, s2;
    mw_b64_stream_init(&s1);
    mw_b64_stream_init(&s2);
    a += mw_b64_stream_feed(&s1, b, size, whole);
    a += mw_b64_stream_end(&s1, whole + a);
    c += mw_b64_stream_feed(&s2, b, cut, split);
    c += mw_b64_stream_feed(&s2, b + cut, size - cut, split + c);
    c += mw_b64_stream_end(&s2, split + c);
    FZ_CHECK(a == c && memcmp(whole, split, a) == 0 && s1.flags == s2.flags);
    FZ_CHECK(a <= size / 4 * 3 + 2);
    /* one byte at a time never takes the four-at-a-time path */
    mw_b64_stream s3;
    mw_b64_stream_init(&s3);
    c = 0;
    for (size_t i = 0; i < size; i++)
        c += mw_b64_stream_feed(&s3, b + i, 1, split + c);
    c += mw_b64_stream_end(&s3, split + c);
    FZ_CHECK(a == c && memcmp(whole, split, a) == 0 && s1.flags == s3.flags);
    FZ_CHECK(s1.bad_chars == s3.bad_chars && s1.line == s3.line);

    mw_qp_stream q1, q2;
    mw_qp_stream_init(&q1);
    mw_qp_stream_init(&q2);
    a = mw_qp_stream_feed(&q1, b, size, whole);
    a += mw_qp_stream_end(&q1, whole + a);
    c = mw_qp_stream_feed(&q2, b, cut, split);
    c += mw_qp_stream_feed(&q2, b + cut, size - cut, split + c);
    c += mw_qp_stream_end(&q2, split + c);
    FZ_CHECK(a == c && memcmp(whole, split, a) == 0 && q1.flags == q2.flags);
    FZ_CHECK(a <= size);
    free(whole);
    free(split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size < 3 ? size : 3};
    unsigned depth = fz_byte(&r) % 8;
    unsigned parts = fz_byte(&r) % 64;
    size_t cut_seed = fz_byte(&r);
    size_t skip = size < 3 ? size : 3;
    const uint8_t *in = data + skip;
    size_t n = size - skip;
    uint8_t *b = fz_dup(in, n);
    walk(b, n, depth, parts);
    walk(b, n, 0, 0);
    decoders(b, n, n ? cut_seed % (n + 1) : 0);
    mw_mime_hvalue hv;
    mw_mime_hvalue_parse(b, n, &hv);
    FZ_CHECK(hv.value && hv.n_params <= MW_MIME_MAX_PARAMS);
    for (unsigned k = 0; k < hv.n_params; k++) {
        FZ_CHECK(strlen(hv.params[k].value) == hv.params[k].value_len);
        (void)mw_filename_check(hv.params[k].value, hv.params[k].value_len);
    }
    mw_mime_hvalue_clear(&hv);
    free(b);
    return 0;
}

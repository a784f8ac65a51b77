/* The MIME walk over messages built here: spans, types, parameters, file
 * names (RFC 2231, RFC 2047), encodings, sizes, every hash (known values from
 * md5sum, sha1sum and sha256sum of the decoded bytes), and each anomaly. */
#include "check.h"
#include "check_data.h"
#include "core/mail/digest.h"
#include "core/mail/mime.h"
#include "core/mail/mime_filename.h"
#include "core/text/base64_body.h"
#include "core/text/qp.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))
#define SP(msg, sp, want) CHECK_SPAN((const char *)(msg) + (sp).off, (sp).len, want)

#define HEX_LINE_(n) #n
#define HEX_LINE(n) HEX_LINE_(n)
#define HEX(p, want) check_hex((p), sizeof(p), (want), __FILE__ ":" HEX_LINE(__LINE__) ": hash")
#define STR(got, want) CHECK((got) && strcmp((got), (want)) == 0)

static void hashes(const mw_mime_part *p, const char *md5, const char *sha1, const char *sha256)
{
    CHECK(p->hashed);
    HEX(p->md5, md5);
    HEX(p->sha1, sha1);
    HEX(p->sha256, sha256);
}

static const char mixed[] =
    "From: a@example.org\r\n"
    "Subject: test\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Caf=C3=A9 soft=\r\n"
    "break   \r\n"
    "end\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=inner (a comment)\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>hi</p>\r\n"
    "--inner--\r\n"
    "--outer \t\r\n"
    "Content-Type: application/octet-stream; name=\"r.bin\"\r\n"
    "Content-Disposition: attachment;\r\n"
    " filename*0*=utf-8''%E2%82%AC;\r\n"
    " filename*1=\"uro report.pdf\"\r\n"
    "Content-Transfer-Encoding: BASE64\r\n"
    "\r\n"
    "SGVsbG8s\r\n"
    "IHdvcmxkIQ==\r\n"
    "--outer--\r\n"
    "epilogue\r\n";

static void test_mixed(void)
{
    mw_mime_message m;
    size_t len = strlen(mixed);
    mw_mime_walk(B(mixed), len, NULL, &m);
    CHECK_EQ_INT(m.n_parts, 5);
    CHECK_EQ_INT(m.flags, 0);
    HEX(m.sha256, "ef199b5a8961f23d5f0889470a9fd1834c3264776eca85479ef3935aa9fe8151");
    if (m.n_parts != 5)
        return;
    const mw_mime_part *p = &m.parts[0];
    CHECK_EQ_INT(p->index, 0);
    CHECK_EQ_INT(p->parent, -1);
    CHECK_EQ_INT(p->depth, 0);
    CHECK_EQ_INT(p->n_children, 3);
    CHECK(p->multipart && !p->message && !p->hashed);
    STR(p->type, "multipart");
    STR(p->subtype, "mixed");
    STR(p->content_type.value, "multipart/mixed");
    CHECK_EQ_INT(p->content_type.n_params, 1);
    STR(mw_mime_param_find(&p->content_type, "boundary")->value, "outer");
    CHECK(p->disposition.value == NULL);
    CHECK(p->filename == NULL);
    CHECK(p->cte_name == NULL);
    CHECK_EQ_INT(p->cte, MW_CTE_7BIT);
    SP(mixed, p->header, "From: a@example.org\r\nSubject: test\r\nMIME-Version: 1.0\r\n"
                         "Content-Type: multipart/mixed; boundary=\"outer\"\r\n");
    CHECK_EQ_INT(p->body.off + p->body.len, len);
    SP(mixed, p->preamble, "preamble");
    SP(mixed, p->epilogue, "epilogue\r\n");
    CHECK_EQ_INT(p->encoded_size, p->body.len);
    CHECK_EQ_INT(p->flags, 0);

    p = &m.parts[1];
    CHECK_EQ_INT(p->parent, 0);
    CHECK_EQ_INT(p->depth, 1);
    STR(p->type, "text");
    STR(p->subtype, "plain");
    STR(mw_mime_param_find(&p->content_type, "charset")->value, "utf-8");
    STR(p->cte_name, "quoted-printable");
    CHECK_EQ_INT(p->cte, MW_CTE_QP);
    SP(mixed, p->header, "Content-Type: text/plain; charset=utf-8\r\n"
                         "Content-Transfer-Encoding: quoted-printable\r\n");
    SP(mixed, p->body, "Caf=C3=A9 soft=\r\nbreak   \r\nend");
    CHECK_EQ_INT(p->encoded_size, 30);
    CHECK_EQ_INT(p->decoded_size, 20);
    CHECK_EQ_INT(p->decode_flags, MW_QP_TRAILING_WS);
    CHECK_EQ_INT(p->flags, 0);
    hashes(p, "17ef04b41deb1d8f833277fdd18e876a", "b580b629f349db4b82ba3e8331c17433466102ad",
           "e54545bff9d752c8504e49569f3b27eb4564bde90fe9c7afdb587ecd7b73ffb6");

    p = &m.parts[2];
    CHECK_EQ_INT(p->parent, 0);
    CHECK_EQ_INT(p->n_children, 1);
    CHECK(p->multipart);
    STR(p->subtype, "alternative");
    STR(mw_mime_param_find(&p->content_type, "boundary")->value, "inner");
    SP(mixed, p->preamble, "");
    SP(mixed, p->body, "--inner\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--inner--");
    SP(mixed, p->epilogue, "");
    CHECK_EQ_INT(p->flags, 0);

    p = &m.parts[3];
    CHECK_EQ_INT(p->parent, 2);
    CHECK_EQ_INT(p->depth, 2);
    STR(p->type, "text");
    STR(p->subtype, "html");
    SP(mixed, p->body, "<p>hi</p>");
    CHECK_EQ_INT(p->decoded_size, 9);
    CHECK_EQ_INT(p->flags, 0);
    hashes(p, "343fc7b27c1b966b623aa483c880210c", "b6dbcb4239597a3b0cf0e1c5331212711687659a",
           "0a4735281db700223af63abc387c351f64ea6961a1ef955631df08d96169e772");

    p = &m.parts[4];
    CHECK_EQ_INT(p->parent, 0);
    CHECK_EQ_INT(p->depth, 1);
    STR(p->type, "application");
    STR(p->subtype, "octet-stream");
    STR(p->disposition.value, "attachment");
    STR(p->filename, "\xe2\x82\xacuro report.pdf");
    CHECK_EQ_INT(p->disposition.params[0].flags, MW_PARAM_RFC2231);
    CHECK_EQ_INT(p->filename_flags, 0);
    STR(p->cte_name, "base64");
    CHECK_EQ_INT(p->cte, MW_CTE_BASE64);
    SP(mixed, p->body, "SGVsbG8s\r\nIHdvcmxkIQ==");
    CHECK_EQ_INT(p->encoded_size, 22);
    CHECK_EQ_INT(p->decoded_size, 13);
    CHECK_EQ_INT(p->decode_flags, 0);
    CHECK_EQ_INT(p->flags, MW_PART_NAME_MISMATCH | MW_PART_ATTACHMENT);
    hashes(p, "6cd3556deb0da54bca060b4c39479839", "943a702d06f34599aee1f8da8ef9f7296031d699",
           "315f5bdb76d078c43b8ac0064e4a0164612b1fce77c869345bfc94c75894edd3");
    CHECK_EQ_INT(m.all_part_flags, MW_PART_NAME_MISMATCH | MW_PART_ATTACHMENT);
    size_t dl;
    uint8_t *dec = mw_mime_part_decoded(B(mixed), &m.parts[4], &dl);
    CHECK_SPAN((const char *)dec, dl, "Hello, world!");
    g_free(dec);
    dec = mw_mime_part_decoded(B(mixed), &m.parts[1], &dl);
    CHECK_SPAN((const char *)dec, dl, "Caf\xc3\xa9 softbreak\r\nend");
    g_free(dec);
    mw_mime_message_clear(&m);
}

static const char anomalies[] =
    "Content-Type: multipart/mixed; boundary=b1\r\n"
    "\r\n"
    "--b1x is not a delimiter\r\n"
    "--b1\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename=\"=?UTF-8?B?aW52b2ljZS5wZGYuZXhl?=\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "SGVs!bG8=\r\n"
    "QQ\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; name*=UTF-8''invoice%E2%80%AEfdp.exe\r\n"
    "Content-Transfer-Encoding: Quoted-Printable\r\n"
    "\r\n"
    "a=ZZb=4\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: x@y\r\n"
    "Subject: inner\r\n"
    "\r\n"
    "Inner body.\r\n"
    "--b1\r\n"
    "Content-Type: multipart/related; boundary=\"never\"\r\n"
    "\r\n"
    "--never\r\n"
    "\r\n"
    "unterminated\r\n";

static void test_anomalies(void)
{
    mw_mime_message m;
    size_t len = strlen(anomalies);
    mw_mime_walk(B(anomalies), len, NULL, &m);
    CHECK_EQ_INT(m.n_parts, 7);
    CHECK_EQ_INT(m.flags, 0);
    if (m.n_parts != 7)
        return;
    const mw_mime_part *p = &m.parts[0];
    CHECK_EQ_INT(p->n_children, 4);
    CHECK_EQ_INT(p->flags, MW_PART_BOUNDARY_LOOKALIKE | MW_PART_UNCLOSED);
    SP(anomalies, p->preamble, "--b1x is not a delimiter");
    SP(anomalies, p->epilogue, "");

    p = &m.parts[1];
    STR(p->filename, "invoice.pdf.exe");
    CHECK_EQ_INT(p->disposition.params[0].flags, MW_PARAM_RFC2047);
    CHECK_EQ_INT(p->filename_flags, MW_FN_DOUBLE_EXT);
    SP(anomalies, p->body, "SGVs!bG8=\r\nQQ");
    CHECK_EQ_INT(p->decode_flags, MW_B64_BAD_CHAR | MW_B64_AFTER_PAD | MW_B64_PARTIAL);
    CHECK_EQ_INT(p->decoded_size, 6);
    hashes(p, "52ee02b2dd8a11597c3c345672e95f47", "d4356ede7829fb4f365b96921a1d08616c06a0f7",
           "6b76542baa012693dc7f5338ecd2ca9aaeb5e2cc6d745f048c9ae1a6045c797d");
    CHECK_EQ_INT(p->flags, MW_PART_BAD_BASE64 | MW_PART_DECEPTIVE_NAME | MW_PART_ATTACHMENT);

    p = &m.parts[2];
    STR(p->filename, "invoice\xe2\x80\xae" "fdp.exe");
    CHECK_EQ_INT(p->filename_flags, MW_FN_BIDI);
    STR(p->cte_name, "quoted-printable");
    SP(anomalies, p->body, "a=ZZb=4");
    CHECK_EQ_INT(p->decode_flags, MW_QP_BAD_ESCAPE);
    CHECK_EQ_INT(p->decoded_size, 7);
    CHECK_EQ_INT(p->flags, MW_PART_BAD_QP | MW_PART_DECEPTIVE_NAME | MW_PART_ATTACHMENT);
    hashes(p, "7ae4ca2f8dc21cab1bbb2a7d1e586859", "d8b2efdd367e47f59da6bff6a5387818330e6fd2",
           "dac43bb6b460f71aeba8c8bda9507e3318a79029b6f2be111fe7391895b6e10f");

    p = &m.parts[3];
    CHECK(p->message && !p->multipart);
    CHECK_EQ_INT(p->n_children, 1);
    SP(anomalies, p->body, "From: x@y\r\nSubject: inner\r\n\r\nInner body.");
    hashes(p, "1a6bc8dcde6574d2d6d1725e0ea989e7", "9e6320cdb86a1f4816028f3d45c4188dfb9f942b",
           "dd1242f36328fd64b95a7561914475625e22cb6dae6585fec581321d8a5c2a9a");
    CHECK_EQ_INT(p->flags, 0);

    p = &m.parts[4];
    CHECK_EQ_INT(p->parent, 3);
    CHECK_EQ_INT(p->depth, 2);
    CHECK_EQ_INT(p->number, 1);
    char sec[32];
    mw_mime_part_section(&m, 4, sec, sizeof sec);
    CHECK(strcmp(sec, "3") == 0);
    mw_mime_part_section(&m, 6, sec, sizeof sec);
    CHECK(strcmp(sec, "4.1") == 0);
    mw_mime_part_section(&m, 0, sec, sizeof sec);
    CHECK(strcmp(sec, "") == 0);
    mw_mime_part_section(&m, 6, sec, 2);
    CHECK(strcmp(sec, "4") == 0);
    SP(anomalies, p->header, "From: x@y\r\nSubject: inner\r\n");
    SP(anomalies, p->body, "Inner body.");
    STR(p->type, "text");
    hashes(p, "4b2b2f83a3f863e196b9092492763166", "9d2dc53b139308a85e58a7a80a40dc32aaf48181",
           "5ea47d0833b81a9d3058427952796ca9742a99cb7869de39e20062f9b609f149");

    p = &m.parts[5];
    CHECK(p->multipart);
    CHECK_EQ_INT(p->parent, 0);
    CHECK_EQ_INT(p->flags, MW_PART_UNCLOSED);
    p = &m.parts[6];
    CHECK_EQ_INT(p->parent, 5);
    SP(anomalies, p->header, "");
    SP(anomalies, p->body, "unterminated\r\n");
    CHECK_EQ_INT(p->flags, 0);
    mw_mime_message_clear(&m);
}

/* The same message with bare LF line ends (as some stores keep it): the
 * same structure; the base64 part decodes to the same bytes. */
static void test_bare_lf(void)
{
    GString *lf = g_string_new(NULL);
    for (const char *c = mixed; *c; c++)
        if (*c != '\r')
            g_string_append_c(lf, *c);
    mw_mime_message m;
    mw_mime_walk(B(lf->str), lf->len, NULL, &m);
    CHECK_EQ_INT(m.n_parts, 5);
    if (m.n_parts == 5) {
        SP(lf->str, m.parts[0].preamble, "preamble");
        SP(lf->str, m.parts[3].body, "<p>hi</p>");
        SP(lf->str, m.parts[4].body, "SGVsbG8s\nIHdvcmxkIQ==");
        hashes(&m.parts[4], "6cd3556deb0da54bca060b4c39479839", "943a702d06f34599aee1f8da8ef9f7296031d699",
               "315f5bdb76d078c43b8ac0064e4a0164612b1fce77c869345bfc94c75894edd3");
        STR(m.parts[4].filename, "\xe2\x82\xacuro report.pdf");
        CHECK_EQ_INT(m.parts[1].decode_flags, MW_QP_TRAILING_WS | MW_QP_BARE_LF);
        CHECK_EQ_INT(m.parts[1].decoded_size, 19); /* "Caf\xc3\xa9 softbreak\nend" */
    }
    mw_mime_message_clear(&m);
    g_string_free(lf, TRUE);
}

/* Nesting past the limit is kept opaque and flagged; parts past the part
 * limit are not recorded. */
static void test_limits(void)
{
    const char *msg =
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n"
        "--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
        "--c\r\n\r\nleaf\r\n--c--\r\n"
        "--b--\r\n"
        "--a\r\n\r\nsecond\r\n--a--\r\n";
    mw_mime_opts o = {.max_depth = 2};
    mw_mime_message m;
    mw_mime_walk(B(msg), strlen(msg), &o, &m);
    CHECK_EQ_INT(m.n_parts, 4);
    CHECK_EQ_INT(m.flags, MW_MIME_DEPTH_LIMIT);
    if (m.n_parts == 4) {
        CHECK_EQ_INT(m.parts[2].depth, 2);
        CHECK(!m.parts[2].multipart && m.parts[2].hashed);
        CHECK_EQ_INT(m.parts[2].flags, MW_PART_DEPTH_LIMIT);
        SP(msg, m.parts[2].body, "--c\r\n\r\nleaf\r\n--c--");
        CHECK_EQ_INT(m.parts[3].parent, 0);
        SP(msg, m.parts[3].body, "second");
    }
    mw_mime_message_clear(&m);

    mw_mime_opts o2 = {.max_parts = 2};
    mw_mime_walk(B(msg), strlen(msg), &o2, &m);
    CHECK_EQ_INT(m.n_parts, 2);
    CHECK_EQ_INT(m.flags, MW_MIME_PART_LIMIT);
    mw_mime_message_clear(&m);

    /* Deep nesting far past the limit: bounded stack, one flag. */
    GString *deep = g_string_new(NULL);
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(deep, "Content-Type: multipart/mixed; boundary=x%d\r\n\r\n--x%d\r\n", i, i);
    mw_mime_walk(B(deep->str), deep->len, NULL, &m);
    CHECK_EQ_INT(m.n_parts, MW_MIME_DEFAULT_MAX_DEPTH + 1);
    CHECK_EQ_INT(m.flags, MW_MIME_DEPTH_LIMIT);
    mw_mime_message_clear(&m);
    g_string_free(deep, TRUE);
}

/* A plain message, no MIME at all; no body; a header line that is no field;
 * defaults; multipart without boundary; unknown encoding; no hashes. */
static void test_simple(void)
{
    mw_mime_message m;
    const char *msg = "Subject: x\r\n\r\nbody\r\n";
    mw_mime_walk(B(msg), strlen(msg), NULL, &m);
    CHECK_EQ_INT(m.n_parts, 1);
    STR(m.parts[0].type, "text");
    STR(m.parts[0].subtype, "plain");
    STR(m.parts[0].content_type.value, "");
    SP(msg, m.parts[0].body, "body\r\n");
    CHECK_EQ_INT(m.parts[0].decoded_size, 6);
    CHECK_EQ_INT(m.parts[0].flags, 0);
    mw_mime_message_clear(&m);

    msg = "Subject: x\r\nContent-Type: text\r\nContent-Type: image/png\r\nnot a field\r\nmore\r\n";
    mw_mime_walk(B(msg), strlen(msg), NULL, &m);
    CHECK_EQ_INT(m.parts[0].flags, MW_PART_BAD_CONTENT_TYPE | MW_PART_DUP_FIELD | MW_PART_BAD_HEADER);
    STR(m.parts[0].type, "text");
    SP(msg, m.parts[0].body, "not a field\r\nmore\r\n");
    mw_mime_message_clear(&m);

    msg = "Content-Type: multipart/mixed\r\nContent-Transfer-Encoding: x-uue\r\n";
    mw_mime_opts o = {.no_hashes = true};
    mw_mime_walk(B(msg), strlen(msg), &o, &m);
    CHECK_EQ_INT(m.parts[0].flags, MW_PART_NO_BOUNDARY | MW_PART_UNKNOWN_CTE |
                                       MW_PART_ENCODED_CONTAINER | MW_PART_NO_BODY);
    CHECK_EQ_INT(m.parts[0].cte, MW_CTE_OTHER);
    STR(m.parts[0].cte_name, "x-uue");
    CHECK(!m.parts[0].hashed);
    CHECK_EQ_INT(m.parts[0].body.len, 0);
    mw_mime_message_clear(&m);

    /* no_digests: bodies decoded for their sizes and errors, nothing hashed. */
    msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
          "Content-Transfer-Encoding: base64\r\n\r\nQUJD*\r\n--b--\r\n";
    mw_mime_opts nd = {.no_digests = true};
    mw_mime_walk(B(msg), strlen(msg), &nd, &m);
    CHECK_EQ_INT(m.n_parts, 2);
    CHECK(m.flags & MW_MIME_HASH_OFF);
    CHECK(m.parts[1].decoded && !m.parts[1].hashed);
    CHECK_EQ_INT(m.parts[1].decoded_size, 3);
    CHECK(m.parts[1].flags & MW_PART_BAD_BASE64);
    HEX(m.parts[1].sha256, "0000000000000000000000000000000000000000000000000000000000000000");
    HEX(m.sha256, "0000000000000000000000000000000000000000000000000000000000000000");
    mw_mime_message_clear(&m);

    /* Two delimiters in a row: an empty part between them, inside its parent. */
    msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\n\r\nx\r\n--b--\r\n";
    mw_mime_walk(B(msg), strlen(msg), NULL, &m);
    CHECK_EQ_INT(m.n_parts, 3);
    CHECK_EQ_INT(m.parts[1].flags, MW_PART_NO_BODY);
    CHECK_EQ_INT(m.parts[1].body.len, 0);
    CHECK_EQ_INT(m.parts[1].decoded_size, 0);
    CHECK(m.parts[1].body.off <= m.parts[0].body.off + m.parts[0].body.len);
    SP(msg, m.parts[2].header, "");
    SP(msg, m.parts[2].body, "x");
    CHECK_EQ_INT(m.parts[0].flags, 0);
    mw_mime_message_clear(&m);

    /* A message that is one attachment. */
    msg = "Content-Disposition: attachment; filename=a.txt\r\n\r\nx";
    mw_mime_walk(B(msg), strlen(msg), NULL, &m);
    CHECK_EQ_INT(m.parts[0].flags, MW_PART_ATTACHMENT);
    STR(m.parts[0].filename, "a.txt");
    mw_mime_message_clear(&m);

    /* multipart/digest: parts default to message/rfc822. */
    msg = "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: s\r\n\r\nb\r\n--d--\r\n";
    mw_mime_walk(B(msg), strlen(msg), NULL, &m);
    CHECK_EQ_INT(m.n_parts, 3);
    STR(m.parts[1].type, "message");
    STR(m.parts[1].subtype, "rfc822");
    CHECK(m.parts[1].message);
    SP(msg, m.parts[2].body, "b");
    mw_mime_message_clear(&m);
}

/* Every split of the decoders gives the same bytes and flags. */
static void splits(bool qp, const char *in, const char *want, unsigned want_flags)
{
    size_t n = strlen(in);
    for (size_t cut = 0; cut <= n; cut++) {
        uint8_t out[512];
        size_t o = 0;
        unsigned flags;
        if (qp) {
            mw_qp_stream s;
            mw_qp_stream_init(&s);
            o += mw_qp_stream_feed(&s, B(in), cut, out + o);
            o += mw_qp_stream_feed(&s, B(in) + cut, n - cut, out + o);
            o += mw_qp_stream_end(&s, out + o);
            flags = s.flags;
        } else {
            mw_b64_stream s;
            mw_b64_stream_init(&s);
            o += mw_b64_stream_feed(&s, B(in), cut, out + o);
            o += mw_b64_stream_feed(&s, B(in) + cut, n - cut, out + o);
            o += mw_b64_stream_end(&s, out + o);
            flags = s.flags;
        }
        unsigned before = check_failed_;
        CHECK_SPAN(out, o, want);
        CHECK_EQ_INT(flags, want_flags);
        if (check_failed_ != before) {
            fprintf(stderr, "  decoding \"%s\" split at %zu\n", in, cut);
            return;
        }
    }
}

static void test_decoders(void)
{
    splits(false, "SGVsbG8=", "Hello", 0);
    splits(false, "SGVs\r\n bG8h", "Hello!", 0);
    splits(false, "SGVsbA==", "Hell", 0);
    splits(false, "SGVsbB==", "Hell", MW_B64_PAD_BITS);
    splits(false, "SGVsbA", "Hell", MW_B64_PARTIAL);
    splits(false, "SGVsbA=", "Hell", MW_B64_PARTIAL);
    splits(false, "SGVsbA===", "Hell", MW_B64_BAD_PAD);
    splits(false, "S=GVs", "\x19[", MW_B64_BAD_PAD | MW_B64_PARTIAL);
    splits(false, "SGVs*bG8=", "Hello", MW_B64_BAD_CHAR);
    splits(false, "QQ==QQ==", "AA", MW_B64_AFTER_PAD);
    splits(false, "QUJDQUJD"
                  "QUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJDQUJD",
           "ABCABCABCABCABCABCABCABCABCABCABCABCABCABCABCABCABCABCABCABC", MW_B64_LONG_LINE);
    splits(true, "plain text", "plain text", 0);
    splits(true, "a=3D=3db", "a==b", MW_QP_LOWER_HEX);
    splits(true, "soft=\r\nbreak=  \r\n!", "softbreak!", 0);
    splits(true, "line  \r\nnext\t\r\n", "line\r\nnext\r\n", MW_QP_TRAILING_WS);
    splits(true, "lf\nx=\ny", "lf\nxy", MW_QP_BARE_LF);
    splits(true, "a=G1b", "a=G1b", MW_QP_BAD_ESCAPE);
    splits(true, "a=1", "a=1", MW_QP_BAD_ESCAPE);
    splits(true, "end=", "end", 0);
    splits(true, "end  ", "end", MW_QP_TRAILING_WS);
    splits(true, "a\rb", "a\rb", MW_QP_BAD_CHAR);
    splits(true, "caf\xe9", "caf\xe9", MW_QP_BAD_CHAR);
    splits(true, "a = b", "a = b", MW_QP_BAD_ESCAPE);
}

static void test_filenames(void)
{
    struct {
        const char *name;
        unsigned flags;
    } rows[] = {
        {"report.pdf", 0},
        {"invoice.pdf.exe", MW_FN_DOUBLE_EXT},
        {"INVOICE.PDF.SCR", MW_FN_DOUBLE_EXT},
        {"photo.jpg      .js", MW_FN_DOUBLE_EXT | MW_FN_PADDED},
        {"setup.v2.exe", 0},
        {"archive.tar.gz", 0},
        {"invoice\xe2\x80\xae" "fdp.exe", MW_FN_BIDI},
        {"a\xe2\x80\x8b.txt", MW_FN_INVISIBLE},
        {"a\tb.txt", MW_FN_CONTROL},
        {"../../etc/passwd", MW_FN_PATH},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_EQ_INT(mw_filename_check(rows[i].name, strlen(rows[i].name)), rows[i].flags);
}

/* Header values: parameters, RFC 2231 charsets, continuations, gaps,
 * duplicates, comments, unterminated quotes. */
static void test_params(void)
{
    mw_mime_hvalue hv;
    const char *v = "Text/Plain (c) ; charset = \"us-ascii\" (comment); format=flowed;;";
    mw_mime_hvalue_parse(B(v), strlen(v), &hv);
    STR(hv.value, "text/plain");
    CHECK_EQ_INT(hv.n_params, 2);
    STR(hv.params[0].name, "charset");
    STR(hv.params[0].value, "us-ascii");
    STR(hv.params[1].name, "format");
    STR(hv.params[1].value, "flowed");
    CHECK_EQ_INT(hv.flags, 0);
    mw_mime_hvalue_clear(&hv);

    v = "attachment; FILENAME*=iso-8859-1'fr'caf%E9.txt; filename=\"plain.txt\"";
    mw_mime_hvalue_parse(B(v), strlen(v), &hv);
    STR(hv.params[0].name, "filename");
    STR(hv.params[0].value, "caf\xc3\xa9.txt");
    CHECK_EQ_INT(hv.params[0].flags, MW_PARAM_RFC2231 | MW_PARAM_BOTH_FORMS);
    mw_mime_hvalue_clear(&hv);

    v = "attachment; filename*2=c; filename*0=a; filename*3*=%ZZ%00x";
    mw_mime_hvalue_parse(B(v), strlen(v), &hv);
    STR(hv.params[0].value, "ac%ZZ");
    CHECK_EQ_INT(hv.params[0].flags,
                 MW_PARAM_RFC2231 | MW_PARAM_GAP | MW_PARAM_BAD_PERCENT | MW_PARAM_NUL);
    mw_mime_hvalue_clear(&hv);

    v = "inline; filename=a; filename=b; junk; x=\"open";
    mw_mime_hvalue_parse(B(v), strlen(v), &hv);
    STR(hv.value, "inline");
    CHECK_EQ_INT(hv.n_params, 2);
    STR(hv.params[0].value, "a");
    STR(hv.params[1].value, "open");
    CHECK_EQ_INT(hv.flags, MW_HV_DUP_PARAM | MW_HV_BAD_SYNTAX | MW_HV_UNTERMINATED);
    mw_mime_hvalue_clear(&hv);

    v = "attachment; filename=my file.pdf; name*=x-unknown-cs''%FF";
    mw_mime_hvalue_parse(B(v), strlen(v), &hv);
    STR(hv.params[0].value, "my file.pdf");
    STR(hv.params[1].value, "\xef\xbf\xbd");
    CHECK_EQ_INT(hv.params[1].flags, MW_PARAM_RFC2231 | MW_PARAM_RAW_CHARSET | MW_PARAM_BAD_UTF8);
    CHECK_EQ_INT(hv.flags, MW_HV_UNQUOTED_SPECIAL);
    mw_mime_hvalue_clear(&hv);
}

int main(void)
{
    test_mixed();
    test_anomalies();
    test_bare_lf();
    test_limits();
    test_simple();
    test_decoders();
    test_filenames();
    test_params();
    return CHECK_DONE();
}

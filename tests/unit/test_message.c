/* Message headers: fields and folding with CRLF and bare LF, every split of a
 * header block, every address-list form, encoded words. */
#include "check.h"
#include "core/mail/message.h"

#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))
#define S(buf, sp, want) CHECK_SPAN((const char *)(buf) + (sp).off, (sp).len, want)

static void test_fields(void)
{
    const char *h = "From: a@b\r\nSubject: hello\r\n world\r\nX-Lf: bare\nX-Fold:\n\tx\nTo : c@d\r\n\r\nbody\r\n";
    size_t len = strlen(h), pos = 0;
    mw_hdr_field f;
    CHECK_EQ_INT(mw_hdr_next(B(h), len, false, &pos, &f), MW_HDR_FIELD);
    S(h, f.name, "From");
    S(h, f.value, "a@b");
    CHECK_EQ_INT(f.flags, 0);
    CHECK(mw_hdr_name_is(B(h), f.name, "from"));
    CHECK(!mw_hdr_name_is(B(h), f.name, "fro"));
    CHECK_EQ_INT(mw_hdr_next(B(h), len, false, &pos, &f), MW_HDR_FIELD);
    S(h, f.name, "Subject");
    S(h, f.value, "hello\r\n world");
    CHECK_EQ_INT(f.flags, MW_HDR_FOLDED);
    CHECK_EQ_INT(mw_hdr_next(B(h), len, false, &pos, &f), MW_HDR_FIELD);
    S(h, f.name, "X-Lf");
    S(h, f.value, "bare");
    CHECK_EQ_INT(f.flags, MW_HDR_BARE_LF);
    CHECK_EQ_INT(mw_hdr_next(B(h), len, false, &pos, &f), MW_HDR_FIELD);
    S(h, f.name, "X-Fold");
    S(h, f.value, "\n\tx");
    CHECK_EQ_INT(f.flags, MW_HDR_BARE_LF | MW_HDR_FOLDED);
    CHECK_EQ_INT(mw_hdr_next(B(h), len, false, &pos, &f), MW_HDR_FIELD);
    S(h, f.name, "To");
    S(h, f.value, "c@d");
    CHECK_EQ_INT(f.flags, MW_HDR_WSP_BEFORE_COLON);
    CHECK_EQ_INT(mw_hdr_next(B(h), len, false, &pos, &f), MW_HDR_END);
    CHECK_EQ_INT(pos, len - 6);
    CHECK_EQ_INT(f.end, len - 6);

    /* A bare-LF header block and its empty line. */
    const char *lf = "A: 1\nB: 2\n\nbody";
    pos = 0;
    len = strlen(lf);
    CHECK_EQ_INT(mw_hdr_next(B(lf), len, false, &pos, &f), MW_HDR_FIELD);
    CHECK_EQ_INT(mw_hdr_next(B(lf), len, false, &pos, &f), MW_HDR_FIELD);
    S(lf, f.value, "2");
    CHECK_EQ_INT(mw_hdr_next(B(lf), len, false, &pos, &f), MW_HDR_END);
    CHECK_EQ_INT(f.flags, MW_HDR_BARE_LF);
    CHECK_EQ_INT(pos, 11);

    /* Bad lines: no colon, a continuation with no field, an empty name. */
    const char *bad = "no colon here\r\n continued\r\n: x\r\nOk: y\r\n\r\n";
    pos = 0;
    len = strlen(bad);
    CHECK_EQ_INT(mw_hdr_next(B(bad), len, false, &pos, &f), MW_HDR_BAD);
    S(bad, f.value, "no colon here");
    CHECK_EQ_INT(mw_hdr_next(B(bad), len, false, &pos, &f), MW_HDR_BAD);
    S(bad, f.value, " continued");
    CHECK_EQ_INT(mw_hdr_next(B(bad), len, false, &pos, &f), MW_HDR_BAD);
    CHECK_EQ_INT(mw_hdr_next(B(bad), len, false, &pos, &f), MW_HDR_FIELD);
    S(bad, f.value, "y");
    CHECK_EQ_INT(mw_hdr_next(B(bad), len, false, &pos, &f), MW_HDR_END);

    /* Incomplete input, then the same at end of stream. */
    const char *part = "Subject: x\r\n";
    pos = 0;
    CHECK_EQ_INT(mw_hdr_next(B(part), strlen(part), false, &pos, &f), MW_HDR_MORE);
    CHECK_EQ_INT(pos, 0);
    CHECK_EQ_INT(mw_hdr_next(B(part), strlen(part), true, &pos, &f), MW_HDR_FIELD);
    CHECK_EQ_INT(mw_hdr_next(B(part), strlen(part), true, &pos, &f), MW_HDR_EOF);
    pos = 0;
    CHECK_EQ_INT(mw_hdr_next(B("Subj"), 4, false, &pos, &f), MW_HDR_MORE);
    CHECK_EQ_INT(mw_hdr_next(B("Subject: x"), 10, true, &pos, &f), MW_HDR_FIELD);
    CHECK_EQ_INT(f.flags, MW_HDR_NO_EOL);
    S("Subject: x", f.value, "x");
    pos = 0;
    CHECK_EQ_INT(mw_hdr_next(B(""), 0, false, &pos, &f), MW_HDR_MORE);

    /* A fold of only whitespace; an empty value. */
    const char *ws = "A:\r\n   \r\n b\r\nB:\r\n\r\n";
    pos = 0;
    len = strlen(ws);
    CHECK_EQ_INT(mw_hdr_next(B(ws), len, false, &pos, &f), MW_HDR_FIELD);
    CHECK(f.flags & MW_HDR_EMPTY_FOLD);
    CHECK_EQ_INT(mw_hdr_next(B(ws), len, false, &pos, &f), MW_HDR_FIELD);
    S(ws, f.name, "B");
    CHECK_EQ_INT(f.value.len, 0);
}

/* Every split of a header block gives the same fields when the caller waits
 * for more on MORE, as a dissector does. */
static void test_header_splits(void)
{
    const char *h = "From: \"A, B\" <a@b>\r\nSubject: one\r\n two\nTo: c@d\n\r\nbody";
    size_t n = strlen(h);
    for (size_t cut = 0; cut <= n; cut++) {
        size_t pos = 0, fields = 0, avail = cut;
        bool end = false;
        for (int round = 0; round < 2 && !end; round++, avail = n) {
            mw_hdr_field f;
            mw_hdr_status st;
            while ((st = mw_hdr_next(B(h), avail, false, &pos, &f)) == MW_HDR_FIELD)
                fields++;
            end = st == MW_HDR_END;
        }
        CHECK_EQ_INT(fields, 3);
        CHECK(end);
        CHECK_EQ_INT(pos, n - 4);
    }
}

typedef struct want_addr {
    const char *display, *addr, *domain, *group;
    unsigned flags;
} want_addr;

static void check_list(const char *v, const want_addr *w, size_t nw)
{
    mw_addr_iter it;
    memset(&it, 0, sizeof it);
    mw_addr a;
    size_t k = 0;
    while (mw_addr_next(B(v), strlen(v), &it, &a)) {
        if (k >= nw) {
            k++;
            continue;
        }
        S(v, a.display, w[k].display);
        S(v, a.addr, w[k].addr);
        S(v, a.domain, w[k].domain);
        S(v, a.group, w[k].group);
        CHECK_EQ_INT(a.flags, w[k].flags);
        CHECK(a.error == NULL);
        k++;
    }
    CHECK_EQ_INT(k, nw);
}

static void test_addresses(void)
{
    const unsigned A = MW_ADDR_ANGLE, G = MW_ADDR_IN_GROUP;
    {
        want_addr w[] = {{"", "a@b", "b", "", 0}};
        check_list("a@b", w, 1);
    }
    {
        want_addr w[] = {{"Name", "a@b.example", "b.example", "", A}};
        check_list("Name <a@b.example>", w, 1);
    }
    {
        want_addr w[] = {{"\"Quoted, Name\"", "a@b", "b", "", A}, {"", "c@d", "d", "", 0}};
        check_list("\"Quoted, Name\" <a@b>, c@d", w, 2);
    }
    {
        want_addr w[] = {{"c, d", "a@b (c, d)", "b", "", MW_ADDR_COMMENT | MW_ADDR_DISPLAY_COMMENT},
                         {"", "e@f", "f", "", 0}};
        check_list("a@b (c, d), e@f", w, 2);
    }
    {
        /* Nested comments with escapes. */
        want_addr w[] = {{"x (y, \\) z) w", "a@b (x (y, \\) z) w)", "b", "",
                          MW_ADDR_COMMENT | MW_ADDR_DISPLAY_COMMENT}};
        check_list("a@b (x (y, \\) z) w)", w, 1);
    }
    {
        want_addr w[] = {{"", "", "", "undisclosed-recipients", G | MW_ADDR_EMPTY_GROUP}};
        check_list("undisclosed-recipients:;", w, 1);
    }
    {
        want_addr w[] = {{"", "a@b", "b", "grp", G}, {"", "c@d", "d", "grp", G}, {"", "e@f", "f", "", 0}};
        check_list("grp: a@b, c@d; e@f", w, 3);
    }
    {
        want_addr w[] = {{"Ann", "a@b", "b", "Team \"x:y\"", G | A}};
        check_list("Team \"x:y\": Ann <a@b>;", w, 1);
    }
    {
        want_addr w[] = {{"", "u@d", "d", "", A | MW_ADDR_ROUTE}};
        check_list("<@a,@b:u@d>", w, 1);
    }
    {
        want_addr w[] = {{"", "\"a,b>c\"@d", "d", "", A}};
        check_list("<\"a,b>c\"@d>", w, 1);
    }
    {
        want_addr w[] = {{"", "local", "", "", MW_ADDR_NO_AT}};
        check_list("local", w, 1);
    }
    {
        /* Folded across lines, commas only between mailboxes. */
        want_addr w[] = {{"=?utf-8?Q?J=C3=B6rg?=", "j@x", "x", "", A}, {"Bob", "b@y", "y", "", A}};
        check_list("=?utf-8?Q?J=C3=B6rg?= <j@x>,\r\n Bob <b@y>", w, 2);
    }
    {
        want_addr w[] = {{"", "a@[1.2.3.4]", "[1.2.3.4]", "", 0}, {"", "b@c", "c", "", 0}};
        check_list(" , a@[1.2.3.4],, b@c ,", w, 2);
    }
    {
        want_addr w[] = {{"", "a@b", "b", "", 0}};
        check_list("; a@b", w, 1); /* a stray ';' is skipped */
    }
    /* Errors are reported on the mailbox and iteration still ends. */
    const char *errs[] = {"Name <a@b", "\"unterminated <a@b>", "a@b (open", "x@[1.2", "g: a@b"};
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        mw_addr_iter it;
        memset(&it, 0, sizeof it);
        mw_addr a;
        size_t n = 0;
        bool err = false;
        while (mw_addr_next(B(errs[i]), strlen(errs[i]), &it, &a) && n < 10) {
            n++;
            err = err || a.error;
        }
        CHECK(n >= 1 && n < 10);
        CHECK(err || i == 4);
    }
    /* Strip comments and whitespace to a clean addr-spec. */
    const char *v = "(lead) john . (c) doe @ (x) example.org (trail)";
    mw_span s = {0, strlen(v)};
    uint8_t out[64];
    size_t n = mw_addr_strip(B(v), s, out, sizeof out);
    CHECK_SPAN(out, n, "john.doe@example.org");
    v = "\"a b\"@c";
    s.len = strlen(v);
    n = mw_addr_strip(B(v), s, out, sizeof out);
    CHECK_SPAN(out, n, "\"a b\"@c");
    n = mw_addr_strip(B(v), s, out, 3);
    CHECK_EQ_INT(n, 3);
}

static void check_ew(const char *in, const char *want, unsigned want_flags)
{
    uint8_t out[256];
    unsigned flags;
    size_t n = mw_ew_decode(B(in), strlen(in), out, sizeof out, &flags);
    CHECK_SPAN(out, n, want);
    CHECK_EQ_INT(flags, want_flags);
}

static void test_encoded_words(void)
{
    const unsigned D = MW_EW_DECODED;
    check_ew("plain text", "plain text", 0);
    check_ew("=?utf-8?B?SsO2cmc=?=", "J\xc3\xb6rg", D);
    check_ew("=?UTF-8?b?SsO2cmc=?=", "J\xc3\xb6rg", D);
    check_ew("=?iso-8859-1?Q?J=F6rg_M=FCller?=", "J\xc3\xb6rg M\xc3\xbcller", D);
    check_ew("=?ISO-8859-1?B?SvZyZw==?=", "J\xc3\xb6rg", D);
    check_ew("=?us-ascii?Q?a_b?=", "a b", D);
    check_ew("=?utf-8*en?Q?hi?=", "hi", D);
    /* RFC 2047 8's examples of adjacent words. */
    check_ew("(=?ISO-8859-1?Q?a?=)", "(a)", D);
    check_ew("(=?ISO-8859-1?Q?a?= b)", "(a b)", D);
    check_ew("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)", D);
    check_ew("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)", D);
    check_ew("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)", D);
    check_ew("(=?ISO-8859-1?Q?a_b?=)", "(a b)", D);
    check_ew("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)", D | MW_EW_RAW_CHARSET);
    /* Unfolding of plain text keeps the WSP. */
    check_ew("one\r\n two\n\tthree", "one two\tthree", 0);
    /* Unknown charset: bytes left as they are, flagged. */
    check_ew("=?koi8-r?B?8NLJ18XU?=", "\xf0\xd2\xc9\xd7\xc5\xd4", D | MW_EW_RAW_CHARSET);
    /* Malformed words stay as written. */
    check_ew("=?utf-8?B?!!!?=", "=?utf-8?B?!!!?=", MW_EW_MALFORMED);
    check_ew("=?utf-8?Q?=ZZ?=", "=?utf-8?Q?=ZZ?=", MW_EW_MALFORMED);
    check_ew("=?utf-8?X?abc?=", "=?utf-8?X?abc?=", MW_EW_MALFORMED);
    check_ew("=?utf-8?Q?abc", "=?utf-8?Q?abc", MW_EW_MALFORMED);
    check_ew("=?utf-8?Q?a=", "=?utf-8?Q?a=", MW_EW_MALFORMED);
    check_ew("a = b ?= c", "a = b ?= c", 0);
    /* A word with a space inside is not a word. */
    check_ew("=?utf-8?Q?a b?=", "=?utf-8?Q?a b?=", MW_EW_MALFORMED);
    /* Text then word then text: spaces outside adjacent words stay. */
    check_ew("Re: =?utf-8?Q?caf=C3=A9?= time", "Re: caf\xc3\xa9 time", D);

    /* Truncation. */
    uint8_t out[4];
    unsigned flags;
    size_t n = mw_ew_decode(B("abcdefgh"), 8, out, sizeof out, &flags);
    CHECK_EQ_INT(n, 4);
    CHECK(flags & MW_EW_TRUNCATED);
}

/* Every prefix of tricky inputs stays in bounds (exact-size heap copies, so
 * the sanitizer build catches over-reads); output fits 2 * len. */
static void test_prefixes(void)
{
    static const char *ins[] = {
        "=?iso-8859-1?Q?=FF=FF?= =?utf-8?B?SsO2cmc=?=\r\n =?x?Q?a?=",
        "g: \"a\\\"\" (c (d) \\) <@r:x@y>, [a\\]b]@z;",
        "A: b\r\n c\nD:e\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof ins / sizeof ins[0]; i++) {
        size_t len = strlen(ins[i]);
        for (size_t k = 0; k <= len; k++) {
            uint8_t *m = malloc(k ? k : 1);
            memcpy(m, ins[i], k);
            uint8_t *out = malloc(2 * k + 1);
            unsigned flags;
            size_t n = mw_ew_decode(m, k, out, 2 * k, &flags);
            CHECK(n <= 2 * k && !(flags & MW_EW_TRUNCATED));
            mw_addr_iter it;
            memset(&it, 0, sizeof it);
            mw_addr a;
            unsigned guard = 0;
            while (mw_addr_next(m, k, &it, &a) && guard++ < 100)
                CHECK(a.addr.off + a.addr.len <= k && a.display.off + a.display.len <= k);
            CHECK(guard < 100);
            size_t pos = 0;
            mw_hdr_field f;
            mw_hdr_status st;
            guard = 0;
            while ((st = mw_hdr_next(m, k, true, &pos, &f)) != MW_HDR_EOF && st != MW_HDR_END &&
                   guard++ < 100)
                CHECK(f.value.off + f.value.len <= k);
            CHECK(guard < 100);
            free(out);
            free(m);
        }
    }
}

int main(void)
{
    test_fields();
    test_header_splits();
    test_addresses();
    test_encoded_words();
    test_prefixes();
    return CHECK_DONE();
}

/* SMTP syntax: commands, every path form, ESMTP parameters, BDAT, AUTH,
 * every reply form, EHLO capabilities. */
#include "check.h"
#include "core/smtp/smtp_syntax.h"

#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))
#define S(buf, sp, want) CHECK_SPAN((buf) + (sp).off, (sp).len, want)

static void test_commands(void)
{
    static const struct {
        const char *line;
        mw_smtp_verb verb;
        const char *args;
        unsigned flags;
    } rows[] = {
        {"HELO x", MW_SMTP_HELO, "x", 0},
        {"ehlo client.example", MW_SMTP_EHLO, "client.example", 0},
        {"MAIL FROM:<a@b>", MW_SMTP_MAIL, "FROM:<a@b>", 0},
        {"Rcpt TO:<c@d>", MW_SMTP_RCPT, "TO:<c@d>", 0},
        {"DATA", MW_SMTP_DATA, "", 0},
        {"BDAT 10 LAST", MW_SMTP_BDAT, "10 LAST", 0},
        {"RSET", MW_SMTP_RSET, "", 0},
        {"VRFY u", MW_SMTP_VRFY, "u", 0},
        {"EXPN list", MW_SMTP_EXPN, "list", 0},
        {"HELP", MW_SMTP_HELP, "", 0},
        {"NOOP", MW_SMTP_NOOP, "", 0},
        {"quit", MW_SMTP_QUIT, "", 0},
        {"StartTLS", MW_SMTP_STARTTLS, "", 0},
        {"AUTH PLAIN", MW_SMTP_AUTH, "PLAIN", 0},
        {"ETRN @example.org", MW_SMTP_ETRN, "@example.org", 0},
        {"ATRN a.example", MW_SMTP_ATRN, "a.example", 0},
        {"XCLIENT ADDR=1.2.3.4", MW_SMTP_XCLIENT, "ADDR=1.2.3.4", 0},
        {"XFORWARD NAME=x", MW_SMTP_XFORWARD, "NAME=x", 0},
        {"XYZZY foo", MW_SMTP_UNKNOWN, "foo", 0},
        {"MAIL  FROM:<a@b>", MW_SMTP_MAIL, "FROM:<a@b>", MW_SMTP_CMD_EXTRA_SPACE},
        {"MAIL\tFROM:<a@b>", MW_SMTP_MAIL, "FROM:<a@b>", MW_SMTP_CMD_EXTRA_SPACE},
        {"QUIT ", MW_SMTP_QUIT, "", MW_SMTP_CMD_TRAILING_SPACE},
        {"NOOP x  ", MW_SMTP_NOOP, "x", MW_SMTP_CMD_TRAILING_SPACE},
        {"DATAX", MW_SMTP_UNKNOWN, "", 0},
        {"STARTTLSX", MW_SMTP_UNKNOWN, "", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mw_smtp_cmd c;
        const char *l = rows[i].line;
        CHECK(mw_smtp_cmd_parse(B(l), strlen(l), &c));
        CHECK_EQ_INT(c.verb, rows[i].verb);
        S(l, c.args, rows[i].args);
        CHECK_EQ_INT(c.flags, rows[i].flags);
    }
    mw_smtp_cmd c;
    CHECK(!mw_smtp_cmd_parse(B(""), 0, &c));
    CHECK(!mw_smtp_cmd_parse(B(" MAIL"), 5, &c));
    CHECK(!mw_smtp_cmd_parse(B("MAIL:x"), 6, &c));
    CHECK(!mw_smtp_cmd_parse(B("\x01\x02"), 2, &c));
    CHECK(mw_smtp_cmd_parse(B("mail from:<x>"), 13, &c));
    S("mail from:<x>", c.name, "mail");
    CHECK_EQ_INT(strcmp(mw_smtp_verb_name(MW_SMTP_STARTTLS), "STARTTLS"), 0);
    CHECK_EQ_INT(strcmp(mw_smtp_verb_name(MW_SMTP_UNKNOWN), "unknown"), 0);
    CHECK_EQ_INT(strcmp(mw_smtp_verb_name((mw_smtp_verb)999), "unknown"), 0);
}

static void test_paths(void)
{
    static const struct {
        const char *args, *kw;
        bool ok;
        const char *addr, *route, *params;
        bool null;
        unsigned flags;
    } rows[] = {
        {"FROM:<a@b>", "FROM", true, "a@b", "", "", false, 0},
        {"from:<a@b>", "FROM", true, "a@b", "", "", false, 0},
        {"FROM: <a@b>", "FROM", true, "a@b", "", "", false, MW_SMTP_PATH_SPACE_AFTER_COLON},
        {"FROM:a@b", "FROM", true, "a@b", "", "", false, MW_SMTP_PATH_NO_BRACKETS},
        {"FROM:a@b SIZE=5", "FROM", true, "a@b", "", "SIZE=5", false, MW_SMTP_PATH_NO_BRACKETS},
        {"FROM:<>", "FROM", true, "", "", "", true, 0},
        {"FROM:<> BODY=8BITMIME", "FROM", true, "", "", "BODY=8BITMIME", true, 0},
        {"TO:<@a,@b:u@d>", "TO", true, "u@d", "@a,@b", "", false, MW_SMTP_PATH_ROUTE},
        {"TO:<\"john smith\"@d>", "TO", true, "\"john smith\"@d", "", "", false, MW_SMTP_PATH_QUOTED},
        {"TO:<\"a>b\"@d> NOTIFY=NEVER", "TO", true, "\"a>b\"@d", "", "NOTIFY=NEVER", false,
         MW_SMTP_PATH_QUOTED},
        {"TO:<\"a\\\"b\"@d>", "TO", true, "\"a\\\"b\"@d", "", "", false, MW_SMTP_PATH_QUOTED},
        {"TO:<postmaster>", "TO", true, "postmaster", "", "", false, MW_SMTP_PATH_NO_DOMAIN},
        {"TO:<\"x@y\">", "TO", true, "\"x@y\"", "", "", false,
         MW_SMTP_PATH_QUOTED | MW_SMTP_PATH_NO_DOMAIN},
        {"FROM:<a@b>  SIZE=1000 BODY=8BITMIME", "FROM", true, "a@b", "", "SIZE=1000 BODY=8BITMIME",
         false, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mw_smtp_path p;
        const char *a = rows[i].args;
        bool ok = mw_smtp_path_parse(B(a), strlen(a), rows[i].kw, &p);
        CHECK_EQ_INT(ok, rows[i].ok);
        CHECK(p.error == NULL);
        S(a, p.addr, rows[i].addr);
        S(a, p.route, rows[i].route);
        S(a, p.params, rows[i].params);
        CHECK_EQ_INT(p.null_path, rows[i].null);
        CHECK_EQ_INT(p.flags, rows[i].flags);
    }
    static const struct {
        const char *args, *error;
    } bad[] = {
        {"FROM<a@b>", "missing ':' after keyword"},
        {"TO:<a@b>", "missing keyword"},
        {"FROM:", "missing path"},
        {"FROM:   ", "missing path"},
        {"FROM:<a@b", "missing '>'"},
        {"FROM:<\"a>b@c", "unterminated quoted local part"},
        {"FROM:<a@b>SIZE=1", "text right after the path"},
        {"FROM:<@a,@b>", "source route without ':'"},
        {"FROM", "missing ':' after keyword"},
        {"FROM:<a\0b", "missing '>'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mw_smtp_path p;
        const char *a = bad[i].args;
        size_t n = strlen(a);
        if (i == 9)
            n = 9;
        CHECK(!mw_smtp_path_parse(B(a), n, "FROM", &p));
        CHECK(p.error != NULL && strcmp(p.error, bad[i].error) == 0);
        if (p.error && strcmp(p.error, bad[i].error) != 0)
            fprintf(stderr, "  row %zu: %s\n", i, p.error);
    }
}

static void test_params(void)
{
    const char *s = "SIZE=1000 BODY=8BITMIME  SMTPUTF8 RET= ";
    size_t pos = 0, n = strlen(s);
    mw_smtp_param p;
    CHECK(mw_smtp_param_next(B(s), n, &pos, &p));
    S(s, p.keyword, "SIZE");
    S(s, p.value, "1000");
    CHECK(p.has_value);
    CHECK(mw_smtp_param_next(B(s), n, &pos, &p));
    S(s, p.keyword, "BODY");
    S(s, p.value, "8BITMIME");
    CHECK(mw_smtp_param_next(B(s), n, &pos, &p));
    S(s, p.keyword, "SMTPUTF8");
    CHECK(!p.has_value);
    CHECK_EQ_INT(p.value.len, 0);
    CHECK(mw_smtp_param_next(B(s), n, &pos, &p));
    S(s, p.keyword, "RET");
    CHECK(p.has_value);
    CHECK_EQ_INT(p.value.len, 0);
    CHECK(!mw_smtp_param_next(B(s), n, &pos, &p));
    pos = 0;
    CHECK(!mw_smtp_param_next(B(""), 0, &pos, &p));

    /* Parameters straight from a parsed path. */
    const char *a = "FROM:<a@b> SIZE=5";
    mw_smtp_path path;
    CHECK(mw_smtp_path_parse(B(a), strlen(a), "FROM", &path));
    pos = 0;
    CHECK(mw_smtp_param_next(B(a) + path.params.off, path.params.len, &pos, &p));
    CHECK_SPAN(a + path.params.off + p.value.off, p.value.len, "5");
}

static void test_bdat(void)
{
    static const struct {
        const char *args;
        bool ok;
        uint64_t size;
        bool last;
        const char *error, *junk;
    } rows[] = {
        {"1000", true, 1000, false, NULL, ""},
        {"0 LAST", true, 0, true, NULL, ""},
        {"42 last", true, 42, true, NULL, ""},
        {"42  LaSt", true, 42, true, NULL, ""},
        {"18446744073709551615", true, UINT64_MAX, false, NULL, ""},
        {"18446744073709551616", false, 0, false, "chunk size overflows 64 bits", "18446744073709551616"},
        {"99999999999999999999999", false, 0, false, "chunk size overflows 64 bits",
         "99999999999999999999999"},
        {"", false, 0, false, "missing chunk size", ""},
        {"   ", false, 0, false, "missing chunk size", ""},
        {"-1", false, 0, false, "chunk size is not a number", "-1"},
        {"+1", false, 0, false, "chunk size is not a number", "+1"},
        {"12a LAST", false, 0, false, "chunk size is not a number", "12a"},
        {"12 LASTX", false, 12, false, "expected LAST after chunk size", "LASTX"},
        {"12 foo bar", false, 12, false, "expected LAST after chunk size", "foo bar"},
        {"12 LAST x", false, 12, true, "text after LAST", "x"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mw_smtp_bdat b;
        const char *a = rows[i].args;
        CHECK_EQ_INT(mw_smtp_bdat_parse(B(a), strlen(a), &b), rows[i].ok);
        CHECK(b.size == rows[i].size);
        CHECK_EQ_INT(b.last, rows[i].last);
        if (rows[i].error)
            CHECK(b.error && strcmp(b.error, rows[i].error) == 0);
        else
            CHECK(b.error == NULL);
        S(a, b.junk, rows[i].junk);
    }
}

static void test_auth(void)
{
    mw_smtp_auth a;
    const char *s = "PLAIN AGFAYg==";
    CHECK(mw_smtp_auth_parse(B(s), strlen(s), &a));
    S(s, a.mech, "PLAIN");
    S(s, a.initial, "AGFAYg==");
    CHECK(a.has_initial);
    s = "LOGIN";
    CHECK(mw_smtp_auth_parse(B(s), strlen(s), &a));
    S(s, a.mech, "LOGIN");
    CHECK(!a.has_initial);
    s = "EXTERNAL =";
    CHECK(mw_smtp_auth_parse(B(s), strlen(s), &a));
    S(s, a.initial, "=");
    CHECK(!mw_smtp_auth_parse(B(""), 0, &a));
    CHECK(a.error != NULL);
    s = "PLAIN abc def";
    CHECK(!mw_smtp_auth_parse(B(s), strlen(s), &a));
    CHECK(a.error != NULL);
}

static void test_replies(void)
{
    static const struct {
        const char *line;
        bool ok;
        unsigned code;
        char sep;
        const char *esc, *text;
        unsigned cls, subj, det;
    } rows[] = {
        {"250 OK", true, 250, ' ', "", "OK", 0, 0, 0},
        {"250-SIZE 1000", true, 250, '-', "", "SIZE 1000", 0, 0, 0},
        {"250", true, 250, 0, "", "", 0, 0, 0},
        {"220-multi", true, 220, '-', "", "multi", 0, 0, 0},
        {"354 Go", true, 354, ' ', "", "Go", 0, 0, 0},
        {"550 5.7.1 text", true, 550, ' ', "5.7.1", "text", 5, 7, 1},
        {"250 2.1.0", true, 250, ' ', "2.1.0", "", 2, 1, 0},
        {"451-4.123.999 try later", true, 451, '-', "4.123.999", "try later", 4, 123, 999},
        {"250 2.1.0000 x", true, 250, ' ', "", "2.1.0000 x", 0, 0, 0},
        {"250 3.1.0 x", true, 250, ' ', "", "3.1.0 x", 0, 0, 0},
        {"250 2.1 x", true, 250, ' ', "", "2.1 x", 0, 0, 0},
        {"250 2.1.0x", true, 250, ' ', "", "2.1.0x", 0, 0, 0},
        {"250 2..0 x", true, 250, ' ', "", "2..0 x", 0, 0, 0},
        {"250 ", true, 250, ' ', "", "", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mw_smtp_reply r;
        const char *l = rows[i].line;
        CHECK_EQ_INT(mw_smtp_reply_parse(B(l), strlen(l), &r), rows[i].ok);
        CHECK_EQ_INT(r.code, rows[i].code);
        CHECK_EQ_INT(r.sep, rows[i].sep);
        CHECK_EQ_INT(r.more, rows[i].sep == '-');
        S(l, r.esc, rows[i].esc);
        S(l, r.text, rows[i].text);
        CHECK_EQ_INT(r.esc_class, rows[i].cls);
        CHECK_EQ_INT(r.esc_subject, rows[i].subj);
        CHECK_EQ_INT(r.esc_detail, rows[i].det);
        CHECK(r.error == NULL);
    }
    mw_smtp_reply r;
    CHECK(mw_smtp_reply_parse(B("550 2.0.0 odd"), 13, &r));
    CHECK(r.esc_mismatch);
    CHECK(mw_smtp_reply_parse(B("550 5.0.0 ok"), 12, &r));
    CHECK(!r.esc_mismatch);
    static const struct {
        const char *line, *error;
    } bad[] = {
        {"25", "reply code is not three digits"},
        {"2500 x", "reply code is not three digits"},
        {"abc", "no reply code"},
        {"", "no reply code"},
        {"250x", "reply code not followed by ' ' or '-'"},
        {"199 x", "reply code out of range"},
        {"600 x", "reply code out of range"},
        {" 250 x", "no reply code"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *l = bad[i].line;
        CHECK(!mw_smtp_reply_parse(B(l), strlen(l), &r));
        CHECK(r.error && strcmp(r.error, bad[i].error) == 0);
    }
}

static void test_ehlo(void)
{
    mw_smtp_ehlo_cap c;
    const char *s = "SIZE 1000";
    CHECK(mw_smtp_ehlo_cap_parse(B(s), strlen(s), &c));
    S(s, c.keyword, "SIZE");
    S(s, c.params, "1000");
    s = "AUTH PLAIN LOGIN XOAUTH2 ";
    CHECK(mw_smtp_ehlo_cap_parse(B(s), strlen(s), &c));
    S(s, c.keyword, "AUTH");
    S(s, c.params, "PLAIN LOGIN XOAUTH2");
    size_t pos = 0;
    mw_span w;
    const uint8_t *pb = B(s) + c.params.off;
    const char *want[] = {"PLAIN", "LOGIN", "XOAUTH2"};
    for (int i = 0; i < 3; i++) {
        CHECK(mw_smtp_word_next(pb, c.params.len, &pos, &w));
        CHECK_SPAN(pb + w.off, w.len, want[i]);
    }
    CHECK(!mw_smtp_word_next(pb, c.params.len, &pos, &w));
    s = "8BITMIME";
    CHECK(mw_smtp_ehlo_cap_parse(B(s), strlen(s), &c));
    S(s, c.keyword, "8BITMIME");
    CHECK_EQ_INT(c.params.len, 0);
    s = "X-EXPS GSSAPI";
    CHECK(mw_smtp_ehlo_cap_parse(B(s), strlen(s), &c));
    S(s, c.keyword, "X-EXPS");
    s = "-BAD";
    CHECK(!mw_smtp_ehlo_cap_parse(B(s), strlen(s), &c));
    s = "AUTH=LOGIN PLAIN"; /* old Outlook form: not a valid keyword */
    CHECK(!mw_smtp_ehlo_cap_parse(B(s), strlen(s), &c));
    CHECK(!mw_smtp_ehlo_cap_parse(B(""), 0, &c));
}

/* No input can make a parser read outside it: every prefix of some nasty
 * lines (run under the sanitizers). */
static void test_prefixes(void)
{
    static const char *lines[] = {
        "MAIL FROM:<\"a\\", "RCPT TO:<@a,@b:\"x\\\">y\"@z> A=B C", "550 5.7.", "BDAT 1844674407370955161",
        "250-AUTH=PLAIN", "AUTH PLAIN =",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        size_t n = strlen(lines[i]);
        for (size_t k = 0; k <= n; k++) {
            uint8_t *copy = (uint8_t *)malloc(k ? k : 1);
            memcpy(copy, lines[i], k);
            mw_smtp_cmd c;
            mw_smtp_path p;
            mw_smtp_bdat b;
            mw_smtp_auth a;
            mw_smtp_reply r;
            mw_smtp_ehlo_cap e;
            mw_smtp_cmd_parse(copy, k, &c);
            const uint8_t *args = copy + c.args.off;
            mw_smtp_path_parse(args, c.args.len, "FROM", &p);
            CHECK(p.addr.off + p.addr.len <= c.args.len);
            mw_smtp_path_parse(args, c.args.len, "TO", &p);
            CHECK(p.addr.off + p.addr.len <= c.args.len && p.params.off + p.params.len <= c.args.len);
            mw_smtp_path_parse(copy, k, "FROM", &p);
            mw_smtp_bdat_parse(copy, k, &b);
            mw_smtp_auth_parse(copy, k, &a);
            mw_smtp_reply_parse(copy, k, &r);
            mw_smtp_ehlo_cap_parse(copy, k, &e);
            CHECK(p.addr.off + p.addr.len <= k && p.params.off + p.params.len <= k);
            free(copy);
        }
    }
}

int main(void)
{
    test_commands();
    test_paths();
    test_params();
    test_bdat();
    test_auth();
    test_replies();
    test_ehlo();
    test_prefixes();
    return CHECK_DONE();
}

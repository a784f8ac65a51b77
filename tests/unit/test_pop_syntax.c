/* POP3 syntax: commands, responses, multiline decision, entries, dots. */
#include "check.h"
#include "core/pop/pop_syntax.h"

#define U(s) (const uint8_t *)(s), strlen(s)

typedef struct cmd_row {
    const char *line;
    bool ok;
    mw_pop_cmd cmd;
    unsigned nargs;
    bool extra;
    const char *verb, *args;
} cmd_row;

static const cmd_row cmd_rows[] = {
    {"USER alice", true, MW_POP_CMD_USER, 1, false, "USER", "alice"},
    {"pass secret word", true, MW_POP_CMD_PASS, 2, false, "pass", "secret word"},
    {"STAT", true, MW_POP_CMD_STAT, 0, false, "STAT", ""},
    {"LIST", true, MW_POP_CMD_LIST, 0, false, "LIST", ""},
    {"LIST 2", true, MW_POP_CMD_LIST, 1, false, "LIST", "2"},
    {"TOP 1 10", true, MW_POP_CMD_TOP, 2, false, "TOP", "1 10"},
    {"Retr  3", true, MW_POP_CMD_RETR, 1, true, "Retr", "3"},
    {"UIDL 1 ", true, MW_POP_CMD_UIDL, 1, true, "UIDL", "1 "},
    {" QUIT", true, MW_POP_CMD_QUIT, 0, true, "QUIT", ""},
    {"AUTH PLAIN dGVzdA==", true, MW_POP_CMD_AUTH, 2, false, "AUTH", "PLAIN dGVzdA=="},
    {"XTND XMIT", true, MW_POP_CMD_UNKNOWN, 1, false, "XTND", "XMIT"},
    {"UTF8", true, MW_POP_CMD_UTF8, 0, false, "UTF8", ""},
    {"LANG fr", true, MW_POP_CMD_LANG, 1, false, "LANG", "fr"},
    {"", false, MW_POP_CMD_UNKNOWN, 0, false, "", ""},
    {"   ", false, MW_POP_CMD_UNKNOWN, 0, true, "", ""},
};

static void test_commands(void)
{
    for (size_t i = 0; i < sizeof cmd_rows / sizeof cmd_rows[0]; i++) {
        const cmd_row *r = &cmd_rows[i];
        mw_pop_command c;
        CHECK_EQ_INT(mw_pop_command_parse(U(r->line), &c), r->ok);
        CHECK_EQ_INT(c.cmd, r->cmd);
        CHECK_EQ_INT(c.nargs, r->nargs);
        CHECK_EQ_INT(c.extra_space, r->extra);
        CHECK_SPAN(r->line + c.verb_off, c.verb_len, r->verb);
        CHECK_SPAN(r->line + c.args_off, c.args_len, r->args);
    }
    for (int i = 1; i < MW_POP_CMD_COUNT; i++) {
        const char *n = mw_pop_cmd_name((mw_pop_cmd)i);
        CHECK_EQ_INT(mw_pop_cmd_lookup(U(n)), i);
    }
    CHECK_EQ_INT(strcmp(mw_pop_cmd_name((mw_pop_cmd)99), ""), 0);
}

typedef struct resp_row {
    const char *line;
    mw_pop_status status;
    bool deviant;
    const char *code; /* NULL: none */
    const char *text;
} resp_row;

static const resp_row resp_rows[] = {
    {"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", MW_POP_OK, false, NULL,
     "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"},
    {"+OK", MW_POP_OK, false, NULL, ""},
    {"+OK ", MW_POP_OK, false, NULL, ""},
    {"-ERR [IN-USE] Do you have another POP session running?", MW_POP_ERR, false, "IN-USE",
     "Do you have another POP session running?"},
    {"-ERR [SYS/TEMP]", MW_POP_ERR, false, "SYS/TEMP", ""},
    {"-ERR [not a code", MW_POP_ERR, false, NULL, "[not a code"},
    {"+ok fine", MW_POP_OK, true, NULL, "fine"},
    {"-Err no", MW_POP_ERR, true, NULL, "no"},
    {"+ dGVzdA==", MW_POP_CONTINUE, false, NULL, "dGVzdA=="},
    {"+ ", MW_POP_CONTINUE, false, NULL, ""},
    {"+", MW_POP_CONTINUE, false, NULL, ""},
    {"+OKAY", MW_POP_MALFORMED, false, NULL, "+OKAY"},
    {"-ERROR", MW_POP_MALFORMED, false, NULL, "-ERROR"},
    {"OK", MW_POP_MALFORMED, false, NULL, "OK"},
    {"", MW_POP_MALFORMED, false, NULL, ""},
};

static void test_responses(void)
{
    for (size_t i = 0; i < sizeof resp_rows / sizeof resp_rows[0]; i++) {
        const resp_row *r = &resp_rows[i];
        mw_pop_response p;
        CHECK_EQ_INT(mw_pop_response_parse(U(r->line), &p), r->status);
        CHECK_EQ_INT(p.case_deviant, r->deviant);
        CHECK_EQ_INT(p.has_code, r->code != NULL);
        if (r->code)
            CHECK_SPAN(r->line + p.code_off, p.code_len, r->code);
        CHECK_SPAN(r->line + p.text_off, p.text_len, r->text);
    }
}

static void test_numbers(void)
{
    uint64_t a = 0, b = 0;
    CHECK(mw_pop_octets(U("120 octets"), &a) && a == 120);
    CHECK(mw_pop_octets(U("120 OCTETS follow"), &a) && a == 120);
    CHECK(mw_pop_octets(U("7"), &a) && a == 7);
    CHECK(!mw_pop_octets(U("message follows"), &a));
    CHECK(!mw_pop_octets(U("12 bytes"), &a));
    CHECK(!mw_pop_octets(U("99999999999999999999 octets"), &a));
    CHECK(!mw_pop_octets(U(""), &a));
    CHECK(mw_pop_stat(U("2 320"), &a, &b) && a == 2 && b == 320);
    CHECK(mw_pop_stat(U("0 0 extra"), &a, &b) && a == 0 && b == 0);
    CHECK(!mw_pop_stat(U("2"), &a, &b));
    CHECK(!mw_pop_stat(U("2 "), &a, &b));
    CHECK(!mw_pop_stat(U("x 3"), &a, &b));
    CHECK(mw_pop_list_entry(U("1 120"), &a, &b) && a == 1 && b == 120);
    CHECK(!mw_pop_list_entry(U("1 12x"), &a, &b));
    size_t off, len;
    const char *u = "2 QhdPYR:00WBw1Ph7x7";
    CHECK(mw_pop_uidl_entry(U(u), &a, &off, &len) && a == 2);
    CHECK_SPAN(u + off, len, "QhdPYR:00WBw1Ph7x7");
    CHECK(!mw_pop_uidl_entry(U("2 caf\xc3\xa9"), &a, &off, &len));
    CHECK(!mw_pop_uidl_entry(U("2"), &a, &off, &len));
    CHECK(!mw_pop_uidl_entry(U("2 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                             &a, &off, &len)); /* 71 bytes */
}

static void test_multiline(void)
{
    CHECK(mw_pop_multiline(MW_POP_CMD_LIST, 0));
    CHECK(!mw_pop_multiline(MW_POP_CMD_LIST, 1));
    CHECK(mw_pop_multiline(MW_POP_CMD_UIDL, 0));
    CHECK(!mw_pop_multiline(MW_POP_CMD_UIDL, 1));
    CHECK(mw_pop_multiline(MW_POP_CMD_RETR, 1));
    CHECK(mw_pop_multiline(MW_POP_CMD_TOP, 2));
    CHECK(mw_pop_multiline(MW_POP_CMD_CAPA, 0));
    CHECK(mw_pop_multiline(MW_POP_CMD_AUTH, 0));
    CHECK(!mw_pop_multiline(MW_POP_CMD_AUTH, 1));
    CHECK(!mw_pop_multiline(MW_POP_CMD_STAT, 0));
    CHECK(!mw_pop_multiline(MW_POP_CMD_USER, 1));
    CHECK(!mw_pop_multiline(MW_POP_CMD_UNKNOWN, 0));
}

static void test_capa_apop(void)
{
    size_t kw, off, len;
    const char *s = "SASL PLAIN LOGIN";
    CHECK(mw_pop_capa_line(U(s), &kw, &off, &len));
    CHECK_SPAN(s, kw, "SASL");
    CHECK_SPAN(s + off, len, "PLAIN LOGIN");
    CHECK(mw_pop_capa_line(U("TOP"), &kw, &off, &len) && kw == 3 && len == 0);
    CHECK(!mw_pop_capa_line(U(""), &kw, &off, &len));

    mw_pop_apop a;
    const char *ap = "mrose c4c9334bac560ecc979e58001b3e22fb";
    CHECK(mw_pop_apop_parse(U(ap), &a) && a.digest_ok);
    CHECK_SPAN(ap + a.name_off, a.name_len, "mrose");
    CHECK_SPAN(ap + a.digest_off, a.digest_len, "c4c9334bac560ecc979e58001b3e22fb");
    CHECK(mw_pop_apop_parse(U("mrose c4c9334bac560ecc979e58001b3e22fX"), &a) && !a.digest_ok);
    CHECK(mw_pop_apop_parse(U("mrose c4c9"), &a) && !a.digest_ok);
    CHECK(mw_pop_apop_parse(U("mrose c4c9334bac560ecc979e58001b3e22fb x"), &a) && !a.digest_ok);
    CHECK(!mw_pop_apop_parse(U("mrose"), &a));
    CHECK(!mw_pop_apop_parse(U("mrose "), &a));
    CHECK(!mw_pop_apop_parse(U(""), &a));
}

static void test_body_lines(void)
{
    CHECK_EQ_INT(mw_pop_body_classify(U(".")), MW_POP_BODY_END);
    CHECK_EQ_INT(mw_pop_body_classify(U("..x")), MW_POP_BODY_STUFFED);
    CHECK_EQ_INT(mw_pop_body_classify(U("..")), MW_POP_BODY_STUFFED);
    CHECK_EQ_INT(mw_pop_body_classify(U(".x")), MW_POP_BODY_BARE_DOT);
    CHECK_EQ_INT(mw_pop_body_classify(U(". ")), MW_POP_BODY_BARE_DOT);
    CHECK_EQ_INT(mw_pop_body_classify(U("x.")), MW_POP_BODY_PLAIN);
    CHECK_EQ_INT(mw_pop_body_classify(U("")), MW_POP_BODY_PLAIN);
}

/* Every prefix of every row stays inside its bytes. */
static void test_prefixes(void)
{
    for (size_t i = 0; i < sizeof resp_rows / sizeof resp_rows[0]; i++) {
        const char *s = resp_rows[i].line;
        for (size_t cut = 0; cut <= strlen(s); cut++) {
            mw_pop_response p;
            mw_pop_response_parse((const uint8_t *)s, cut, &p);
            CHECK(p.text_off + p.text_len <= cut && p.code_off + p.code_len <= cut);
        }
    }
    for (size_t i = 0; i < sizeof cmd_rows / sizeof cmd_rows[0]; i++) {
        const char *s = cmd_rows[i].line;
        for (size_t cut = 0; cut <= strlen(s); cut++) {
            mw_pop_command c;
            mw_pop_command_parse((const uint8_t *)s, cut, &c);
            CHECK(c.args_off + c.args_len <= cut && c.verb_off + c.verb_len <= cut);
        }
    }
}

int main(void)
{
    test_commands();
    test_responses();
    test_numbers();
    test_multiline();
    test_capa_apop();
    test_body_lines();
    test_prefixes();
    return CHECK_DONE();
}

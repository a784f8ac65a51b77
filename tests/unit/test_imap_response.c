/* IMAP server lines: untagged, continuation, tagged, response codes. */
#include "check.h"
#include "core/imap/imap_response.h"

/* kind/keyword/number/code name|args/text, as one string per row. */
static size_t describe(const char *s, char *out, size_t cap)
{
    static const char kinds[] = "*+TX";
    mw_imap_response r;
    mw_imap_server_line((const uint8_t *)s, strlen(s), &r);
    size_t o = (size_t)snprintf(out, cap, "%c %.*s %.*s", kinds[r.kind], (int)r.tag_len,
                                s + r.tag_off, (int)r.kw_len, s + r.kw_off);
    if (r.has_number)
        o += (size_t)snprintf(out + o, cap - o, " #%llu", (unsigned long long)r.number);
    if (r.has_code)
        o += (size_t)snprintf(out + o, cap - o, " [%.*s|%.*s]", (int)r.code_name_len,
                              s + r.code_name_off, (int)r.code_args_len, s + r.code_args_off);
    o += (size_t)snprintf(out + o, cap - o, " <%.*s> %#x", (int)r.text_len, s + r.text_off,
                          r.flags);
    return o;
}

typedef struct resp_row {
    const char *line, *want;
} resp_row;

static const resp_row resp_rows[] = {
    {"* 12 FETCH (UID 5)", "* * FETCH #12 <(UID 5)> 0"},
    {"* 3 EXISTS", "* * EXISTS #3 <> 0"},
    {"* 0 RECENT", "* * RECENT #0 <> 0"},
    {"* 7 EXPUNGE", "* * EXPUNGE #7 <> 0"},
    {"* OK [UIDVALIDITY 3857529045] UIDs valid", "* * OK [UIDVALIDITY|3857529045] <UIDs valid> 0"},
    {"* OK [UIDNEXT 4392] Predicted next UID", "* * OK [UIDNEXT|4392] <Predicted next UID> 0"},
    {"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
     "* * OK [PERMANENTFLAGS|(\\Deleted \\Seen \\*)] <Limited> 0"},
    {"* OK [ALERT] System shutdown in 10 minutes",
     "* * OK [ALERT|] <System shutdown in 10 minutes> 0"},
    {"* OK IMAP4rev1 ready", "* * OK <IMAP4rev1 ready> 0"},
    {"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi", "* * PREAUTH [CAPABILITY|IMAP4rev1 IDLE] <hi> 0"},
    {"* BYE Autologout", "* * BYE <Autologout> 0"},
    {"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN",
     "* * CAPABILITY <IMAP4rev1 STARTTLS AUTH=PLAIN> 0"},
    {"* LIST (\\Noselect) \"/\" foo", "* * LIST <(\\Noselect) \"/\" foo> 0"},
    {"* SEARCH 2 84 882", "* * SEARCH <2 84 882> 0"},
    {"* SEARCH", "* * SEARCH <> 0"},
    {"* ESEARCH (TAG \"A1\") UID COUNT 3", "* * ESEARCH <(TAG \"A1\") UID COUNT 3> 0"},
    {"* FLAGS (\\Answered \\Seen)", "* * FLAGS <(\\Answered \\Seen)> 0"},
    {"* STATUS blurdybloop (MESSAGES 231)", "* * STATUS <blurdybloop (MESSAGES 231)> 0"},
    {"* XWEIRD thing", "* * XWEIRD <thing> 0"},
    {"+ idling", "+ +  <idling> 0"},
    {"+ ", "+ +  <> 0"},
    {"+", "+ +  <> 0"},
    {"+dGVzdA==", "+ +  <dGVzdA==> 0x40"},
    {"a001 OK LOGIN completed", "T a001 OK <LOGIN completed> 0"},
    {"A142 OK [READ-WRITE] SELECT completed", "T A142 OK [READ-WRITE|] <SELECT completed> 0"},
    {"A003 OK [APPENDUID 38505 3955] APPEND completed",
     "T A003 OK [APPENDUID|38505 3955] <APPEND completed> 0"},
    {"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done",
     "T A004 OK [COPYUID|38505 304,319:320 3956:3958] <Done> 0"},
    {"A5 NO [TRYCREATE] No such mailbox", "T A5 NO [TRYCREATE|] <No such mailbox> 0"},
    {"A6 bad Command unknown", "T A6 bad <Command unknown> 0"},
    {"a OK [REFERRAL \"imap://x/]\"] quoted bracket",
     "T a OK [REFERRAL|\"imap://x/]\"] <quoted bracket> 0"},
    {"a OK [ALERT unclosed", "T a OK <[ALERT unclosed> 0x10"},
    {"a OK [] empty code", "T a OK [|] <empty code> 0"},
    {"A7 FETCH done", "X A7 FETCH <done> 0x8"},
    {"A8", "X A8  <> 0x4"},
    {"+tag OK", "+ +  <tag OK> 0x40"},
    {") OK", "X ) OK <> 0x2"},
    {"*", "X *  <> 0x4"},
    {"*  3  EXISTS", "* * EXISTS #3 <> 0x20"},
    {"* 99999999999999999999 EXISTS", "* * EXISTS #18446744073709551615 <> 0x80"},
    {"", "X   <> 0x1"},
};

static void test_rows(void)
{
    char got[256];
    for (size_t i = 0; i < sizeof resp_rows / sizeof resp_rows[0]; i++) {
        size_t n = describe(resp_rows[i].line, got, sizeof got);
        if (n != strlen(resp_rows[i].want) || memcmp(got, resp_rows[i].want, n) != 0)
            fprintf(stderr, "line \"%s\"\n", resp_rows[i].line);
        CHECK_SPAN(got, n, resp_rows[i].want);
    }
}

static void test_fields(void)
{
    const char *s = "A142 OK [UIDNEXT 4392] done";
    mw_imap_response r;
    CHECK_EQ_INT(mw_imap_server_line((const uint8_t *)s, strlen(s), &r), MW_IMAP_RESP_TAGGED);
    CHECK_EQ_INT(r.kw, MW_IMAP_KW_OK);
    CHECK(r.is_status);
    CHECK_EQ_INT(r.code, MW_IMAP_CODE_UIDNEXT);
    CHECK(r.code_has_num);
    CHECK_EQ_INT(r.code_num, 4392);
    CHECK_SPAN(s + r.code_off, r.code_len, "[UIDNEXT 4392]");

    s = "* OK [READ-ONLY] x";
    mw_imap_server_line((const uint8_t *)s, strlen(s), &r);
    CHECK_EQ_INT(r.code, MW_IMAP_CODE_READ_ONLY);
    CHECK(!r.code_has_num);
    s = "* OK [X-CUSTOM 5] x";
    mw_imap_server_line((const uint8_t *)s, strlen(s), &r);
    CHECK_EQ_INT(r.code, MW_IMAP_CODE_UNKNOWN);
    CHECK(r.code_has_num);

    s = "* 5 FETCH (FLAGS ())";
    mw_imap_server_line((const uint8_t *)s, strlen(s), &r);
    CHECK_EQ_INT(r.kw, MW_IMAP_KW_FETCH);
    CHECK(!r.is_status);
    CHECK_SPAN(s + r.number_off, r.number_len, "5");

    for (int i = 1; i < MW_IMAP_KW_COUNT; i++) {
        const char *n = mw_imap_kw_name((mw_imap_kw)i);
        CHECK_EQ_INT(mw_imap_kw_lookup((const uint8_t *)n, strlen(n)), i);
    }
    for (int i = 1; i < MW_IMAP_CODE_COUNT; i++) {
        const char *n = mw_imap_code_name((mw_imap_code)i);
        CHECK_EQ_INT(mw_imap_code_lookup((const uint8_t *)n, strlen(n)), i);
    }
    CHECK_EQ_INT(strcmp(mw_imap_kw_name((mw_imap_kw)500), ""), 0);
    CHECK_EQ_INT(strcmp(mw_imap_code_name((mw_imap_code)500), ""), 0);
}

/* Every prefix of every row stays inside its bytes. */
static void test_prefixes(void)
{
    for (size_t i = 0; i < sizeof resp_rows / sizeof resp_rows[0]; i++) {
        const char *s = resp_rows[i].line;
        for (size_t cut = 0; cut <= strlen(s); cut++) {
            mw_imap_response r;
            mw_imap_server_line((const uint8_t *)s, cut, &r);
            CHECK(r.tag_off + r.tag_len <= cut && r.kw_off + r.kw_len <= cut &&
                  r.text_off + r.text_len <= cut && r.code_off + r.code_len <= cut &&
                  r.code_args_off + r.code_args_len <= cut);
        }
    }
}

int main(void)
{
    test_rows();
    test_fields();
    test_prefixes();
    return CHECK_DONE();
}

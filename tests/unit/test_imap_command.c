/* IMAP client lines: tags, commands, UID, DONE. */
#include "check.h"
#include "core/imap/imap_command.h"

#include "core/imap/imap_token.h"

typedef struct cmd_row {
    const char *name, *line;
    mw_imap_client_kind kind;
    mw_imap_cmd cmd;
    bool uid;
    unsigned flags;
    const char *tag, *cname, *args;
} cmd_row;

static const cmd_row cmd_rows[] = {
    {"noop", "a001 NOOP", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_NOOP, false, 0, "a001", "NOOP", ""},
    {"dot tag", ". CAPABILITY", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_CAPABILITY, false, 0, ".",
     "CAPABILITY", ""},
    {"dotted tag", "A1.b login bob pw", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_LOGIN, false,
     MW_IMAP_CMDF_LOWERCASE, "A1.b", "login", "bob pw"},
    {"bracket tag", "a] NOOP", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_NOOP, false, 0, "a]", "NOOP",
     ""},
    {"uid fetch", "A2 UID FETCH 1:* (FLAGS)", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_FETCH, true, 0,
     "A2", "FETCH", "1:* (FLAGS)"},
    {"uid lower", "A2 uid move 4 Trash", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_MOVE, true,
     MW_IMAP_CMDF_LOWERCASE, "A2", "move", "4 Trash"},
    {"uid expunge", "x UID EXPUNGE 3", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_EXPUNGE, true, 0, "x",
     "EXPUNGE", "3"},
    {"uid bad", "x UID LOGIN a b", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_LOGIN, true,
     MW_IMAP_CMDF_UID_BAD, "x", "LOGIN", "a b"},
    {"uid alone", "x UID", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_UNKNOWN, true,
     MW_IMAP_CMDF_UID_BAD | MW_IMAP_CMDF_NO_COMMAND, "x", "", ""},
    {"unknown", "t XAPPLEPUSHSERVICE aps", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_UNKNOWN, false, 0,
     "t", "XAPPLEPUSHSERVICE", "aps"},
    {"append literal", "A3 APPEND INBOX (\\Seen) {310}", MW_IMAP_CLIENT_COMMAND,
     MW_IMAP_CMD_APPEND, false, 0, "A3", "APPEND", "INBOX (\\Seen) {310}"},
    {"idle", "a IDLE", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_IDLE, false, 0, "a", "IDLE", ""},
    {"done", "DONE", MW_IMAP_CLIENT_DONE, MW_IMAP_CMD_UNKNOWN, false, 0, "", "", ""},
    {"done lower", "done", MW_IMAP_CLIENT_DONE, MW_IMAP_CMD_UNKNOWN, false, 0, "", "", ""},
    {"done is a tag here", "DONE NOOP", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_NOOP, false, 0,
     "DONE", "NOOP", ""},
    {"cancel", "*", MW_IMAP_CLIENT_CANCEL, MW_IMAP_CMD_UNKNOWN, false, 0, "", "", ""},
    {"plus tag", "+ NOOP", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_NOOP, false,
     MW_IMAP_CMDF_BAD_TAG, "+", "NOOP", ""},
    {"paren tag", ") NOOP", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_NOOP, false,
     MW_IMAP_CMDF_BAD_TAG, ")", "NOOP", ""},
    {"star tag", "* NOOP", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_NOOP, false,
     MW_IMAP_CMDF_BAD_TAG, "*", "NOOP", ""},
    {"plus in tag", "a+b NOOP", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_NOOP, false,
     MW_IMAP_CMDF_BAD_TAG, "a+b", "NOOP", ""},
    {"8bit tag", "\xc3\xa9 NOOP", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_NOOP, false,
     MW_IMAP_CMDF_BAD_TAG, "\xc3\xa9", "NOOP", ""},
    {"tag only", "a1", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_UNKNOWN, false,
     MW_IMAP_CMDF_NO_COMMAND, "a1", "", ""},
    {"tag space", "a1 ", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_UNKNOWN, false,
     MW_IMAP_CMDF_NO_COMMAND, "a1", "", ""},
    {"empty", "", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_UNKNOWN, false, MW_IMAP_CMDF_EMPTY, "",
     "", ""},
    {"spaces", "  ", MW_IMAP_CLIENT_MALFORMED, MW_IMAP_CMD_UNKNOWN, false,
     MW_IMAP_CMDF_EMPTY | MW_IMAP_CMDF_EXTRA_SPACE, "", "", ""},
    {"double space", "a  SELECT  INBOX", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_SELECT, false,
     MW_IMAP_CMDF_EXTRA_SPACE, "a", "SELECT", "INBOX"},
    {"leading space", " a NOOP", MW_IMAP_CLIENT_COMMAND, MW_IMAP_CMD_NOOP, false,
     MW_IMAP_CMDF_EXTRA_SPACE, "a", "NOOP", ""},
};

static void test_rows(void)
{
    for (size_t i = 0; i < sizeof cmd_rows / sizeof cmd_rows[0]; i++) {
        const cmd_row *r = &cmd_rows[i];
        mw_imap_command c;
        mw_imap_client_kind k = mw_imap_client_line((const uint8_t *)r->line, strlen(r->line), &c);
        if (k != r->kind || c.flags != r->flags || c.cmd != r->cmd)
            fprintf(stderr, "row %s: kind %d flags %#x cmd %d\n", r->name, k, c.flags, c.cmd);
        CHECK_EQ_INT(k, r->kind);
        CHECK_EQ_INT(c.cmd, r->cmd);
        CHECK_EQ_INT(c.uid, r->uid);
        CHECK_EQ_INT(c.flags, r->flags);
        CHECK_SPAN(r->line + c.tag_off, c.tag_len, r->tag);
        CHECK_SPAN(r->line + c.name_off, c.name_len, r->cname);
        CHECK_SPAN(r->line + c.args_off, c.args_len, r->args);
        if (r->uid)
            CHECK(mw_imap_word_eq((const uint8_t *)r->line + c.uid_off, c.uid_len, "UID"));
    }
}

static void test_table(void)
{
    for (int i = 1; i < MW_IMAP_CMD_COUNT; i++) {
        const char *n = mw_imap_cmd_name((mw_imap_cmd)i);
        CHECK(n[0] != '\0');
        CHECK_EQ_INT(mw_imap_cmd_lookup((const uint8_t *)n, strlen(n)), i);
    }
    CHECK_EQ_INT(strcmp(mw_imap_cmd_name(MW_IMAP_CMD_UNKNOWN), ""), 0);
    CHECK_EQ_INT(strcmp(mw_imap_cmd_name((mw_imap_cmd)999), ""), 0);
    CHECK_EQ_INT(mw_imap_cmd_lookup((const uint8_t *)"getquotaroot", 12),
                 MW_IMAP_CMD_GETQUOTAROOT);
    CHECK(mw_imap_cmd_takes_uid(MW_IMAP_CMD_STORE));
    CHECK(!mw_imap_cmd_takes_uid(MW_IMAP_CMD_SELECT));
    CHECK(mw_imap_tag_valid((const uint8_t *)".", 1));
    CHECK(!mw_imap_tag_valid((const uint8_t *)"", 0));
    CHECK(!mw_imap_tag_valid((const uint8_t *)"a{", 2));
    CHECK(!mw_imap_tag_valid((const uint8_t *)"a%", 2));
}

/* Every prefix of every row parses with spans inside it. */
static void test_prefixes(void)
{
    for (size_t i = 0; i < sizeof cmd_rows / sizeof cmd_rows[0]; i++) {
        const char *s = cmd_rows[i].line;
        for (size_t cut = 0; cut <= strlen(s); cut++) {
            mw_imap_command c;
            mw_imap_client_line((const uint8_t *)s, cut, &c);
            CHECK(c.tag_off + c.tag_len <= cut && c.name_off + c.name_len <= cut &&
                  c.args_off + c.args_len <= cut);
        }
    }
}

int main(void)
{
    test_rows();
    test_table();
    test_prefixes();
    return CHECK_DONE();
}

/* IMAP client lines: see imap_command.h. */
#include "core/imap/imap_command.h"

#include "core/imap/imap_token.h"

static const char *const cmd_names[MW_IMAP_CMD_COUNT] = {
    [MW_IMAP_CMD_UNKNOWN] = "",
    [MW_IMAP_CMD_CAPABILITY] = "CAPABILITY", [MW_IMAP_CMD_NOOP] = "NOOP",
    [MW_IMAP_CMD_LOGOUT] = "LOGOUT", [MW_IMAP_CMD_STARTTLS] = "STARTTLS",
    [MW_IMAP_CMD_AUTHENTICATE] = "AUTHENTICATE", [MW_IMAP_CMD_LOGIN] = "LOGIN",
    [MW_IMAP_CMD_SELECT] = "SELECT", [MW_IMAP_CMD_EXAMINE] = "EXAMINE",
    [MW_IMAP_CMD_CREATE] = "CREATE", [MW_IMAP_CMD_DELETE] = "DELETE",
    [MW_IMAP_CMD_RENAME] = "RENAME", [MW_IMAP_CMD_SUBSCRIBE] = "SUBSCRIBE",
    [MW_IMAP_CMD_UNSUBSCRIBE] = "UNSUBSCRIBE", [MW_IMAP_CMD_LIST] = "LIST",
    [MW_IMAP_CMD_LSUB] = "LSUB", [MW_IMAP_CMD_NAMESPACE] = "NAMESPACE",
    [MW_IMAP_CMD_STATUS] = "STATUS", [MW_IMAP_CMD_APPEND] = "APPEND",
    [MW_IMAP_CMD_CHECK] = "CHECK", [MW_IMAP_CMD_CLOSE] = "CLOSE",
    [MW_IMAP_CMD_UNSELECT] = "UNSELECT", [MW_IMAP_CMD_EXPUNGE] = "EXPUNGE",
    [MW_IMAP_CMD_SEARCH] = "SEARCH", [MW_IMAP_CMD_FETCH] = "FETCH",
    [MW_IMAP_CMD_STORE] = "STORE", [MW_IMAP_CMD_COPY] = "COPY", [MW_IMAP_CMD_MOVE] = "MOVE",
    [MW_IMAP_CMD_IDLE] = "IDLE", [MW_IMAP_CMD_ENABLE] = "ENABLE", [MW_IMAP_CMD_ID] = "ID",
    [MW_IMAP_CMD_COMPRESS] = "COMPRESS", [MW_IMAP_CMD_GETQUOTAROOT] = "GETQUOTAROOT",
    [MW_IMAP_CMD_GETQUOTA] = "GETQUOTA", [MW_IMAP_CMD_SETQUOTA] = "SETQUOTA",
    [MW_IMAP_CMD_GETACL] = "GETACL", [MW_IMAP_CMD_SETACL] = "SETACL",
    [MW_IMAP_CMD_DELETEACL] = "DELETEACL", [MW_IMAP_CMD_LISTRIGHTS] = "LISTRIGHTS",
    [MW_IMAP_CMD_MYRIGHTS] = "MYRIGHTS", [MW_IMAP_CMD_GETMETADATA] = "GETMETADATA",
    [MW_IMAP_CMD_SETMETADATA] = "SETMETADATA", [MW_IMAP_CMD_SORT] = "SORT",
    [MW_IMAP_CMD_THREAD] = "THREAD", [MW_IMAP_CMD_ESEARCH] = "ESEARCH",
    [MW_IMAP_CMD_NOTIFY] = "NOTIFY", [MW_IMAP_CMD_UNAUTHENTICATE] = "UNAUTHENTICATE",
    [MW_IMAP_CMD_REPLACE] = "REPLACE", [MW_IMAP_CMD_XLIST] = "XLIST",
};

mw_imap_cmd mw_imap_cmd_lookup(const uint8_t *name, size_t len)
{
    for (int i = 1; i < MW_IMAP_CMD_COUNT; i++)
        if (mw_imap_word_eq(name, len, cmd_names[i]))
            return (mw_imap_cmd)i;
    return MW_IMAP_CMD_UNKNOWN;
}

const char *mw_imap_cmd_name(mw_imap_cmd cmd)
{
    return (unsigned)cmd < MW_IMAP_CMD_COUNT ? cmd_names[cmd] : "";
}

bool mw_imap_cmd_takes_uid(mw_imap_cmd cmd)
{
    switch (cmd) {
    case MW_IMAP_CMD_COPY: case MW_IMAP_CMD_MOVE: case MW_IMAP_CMD_FETCH:
    case MW_IMAP_CMD_SEARCH: case MW_IMAP_CMD_STORE: case MW_IMAP_CMD_EXPUNGE:
    case MW_IMAP_CMD_SORT: case MW_IMAP_CMD_THREAD: case MW_IMAP_CMD_REPLACE:
        return true;
    default:
        return false;
    }
}

/* ASTRING-CHAR minus "+": CHAR except atom-specials, "]" allowed. */
static bool tag_char(uint8_t c)
{
    if (c <= ' ' || c >= 0x7f)
        return false;
    return c != '(' && c != ')' && c != '{' && c != '%' && c != '*' && c != '"' && c != '\\' &&
           c != '+';
}

bool mw_imap_tag_valid(const uint8_t *buf, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!tag_char(buf[i]))
            return false;
    return true;
}

/* The word at *pos and the spaces after it; flags extra spaces. */
static void next_word(const uint8_t *buf, size_t len, size_t *pos, size_t *off, size_t *wlen,
                      unsigned *flags)
{
    if (mw_imap_next_word(buf, len, pos, off, wlen))
        *flags |= MW_IMAP_CMDF_EXTRA_SPACE;
}

static bool has_lower(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] >= 'a' && buf[i] <= 'z')
            return true;
    return false;
}

mw_imap_client_kind mw_imap_client_line(const uint8_t *buf, size_t len, mw_imap_command *c)
{
    *c = (mw_imap_command){0};
    if (mw_imap_word_eq(buf, len, "DONE"))
        return c->kind = MW_IMAP_CLIENT_DONE;
    if (len == 1 && buf[0] == '*')
        return c->kind = MW_IMAP_CLIENT_CANCEL;
    size_t pos = 0;
    while (pos < len && buf[pos] == ' ') {
        pos++;
        c->flags |= MW_IMAP_CMDF_EXTRA_SPACE;
    }
    if (pos == len) {
        c->flags |= MW_IMAP_CMDF_EMPTY;
        return c->kind = MW_IMAP_CLIENT_MALFORMED;
    }
    next_word(buf, len, &pos, &c->tag_off, &c->tag_len, &c->flags);
    if (!mw_imap_tag_valid(buf + c->tag_off, c->tag_len))
        c->flags |= MW_IMAP_CMDF_BAD_TAG;
    next_word(buf, len, &pos, &c->name_off, &c->name_len, &c->flags);
    c->cmd = mw_imap_cmd_lookup(buf + c->name_off, c->name_len);
    if (c->cmd == MW_IMAP_CMD_UNKNOWN && mw_imap_word_eq(buf + c->name_off, c->name_len, "UID")) {
        c->uid = true;
        c->uid_off = c->name_off;
        c->uid_len = c->name_len;
        next_word(buf, len, &pos, &c->name_off, &c->name_len, &c->flags);
        c->cmd = mw_imap_cmd_lookup(buf + c->name_off, c->name_len);
        if (!mw_imap_cmd_takes_uid(c->cmd))
            c->flags |= MW_IMAP_CMDF_UID_BAD;
    }
    if (has_lower(buf + c->name_off, c->name_len) || has_lower(buf + c->uid_off, c->uid_len))
        c->flags |= MW_IMAP_CMDF_LOWERCASE;
    c->args_off = pos;
    c->args_len = len - pos;
    if (c->name_len == 0)
        c->flags |= MW_IMAP_CMDF_NO_COMMAND;
    bool bad = c->flags & (MW_IMAP_CMDF_BAD_TAG | MW_IMAP_CMDF_NO_COMMAND);
    return c->kind = bad ? MW_IMAP_CLIENT_MALFORMED : MW_IMAP_CLIENT_COMMAND;
}

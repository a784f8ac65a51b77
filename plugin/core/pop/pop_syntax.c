/* POP3 syntax: see pop_syntax.h. */
#include "core/pop/pop_syntax.h"

#include "core/imap/imap_literal.h"
#include "core/imap/imap_token.h"

static const char *const cmd_names[MW_POP_CMD_COUNT] = {
    [MW_POP_CMD_UNKNOWN] = "", [MW_POP_CMD_USER] = "USER", [MW_POP_CMD_PASS] = "PASS",
    [MW_POP_CMD_APOP] = "APOP", [MW_POP_CMD_STAT] = "STAT", [MW_POP_CMD_LIST] = "LIST",
    [MW_POP_CMD_RETR] = "RETR", [MW_POP_CMD_DELE] = "DELE", [MW_POP_CMD_NOOP] = "NOOP",
    [MW_POP_CMD_RSET] = "RSET", [MW_POP_CMD_QUIT] = "QUIT", [MW_POP_CMD_TOP] = "TOP",
    [MW_POP_CMD_UIDL] = "UIDL", [MW_POP_CMD_CAPA] = "CAPA", [MW_POP_CMD_STLS] = "STLS",
    [MW_POP_CMD_AUTH] = "AUTH", [MW_POP_CMD_UTF8] = "UTF8", [MW_POP_CMD_LANG] = "LANG",
};

mw_pop_cmd mw_pop_cmd_lookup(const uint8_t *verb, size_t len)
{
    for (int i = 1; i < MW_POP_CMD_COUNT; i++)
        if (mw_imap_word_eq(verb, len, cmd_names[i]))
            return (mw_pop_cmd)i;
    return MW_POP_CMD_UNKNOWN;
}

const char *mw_pop_cmd_name(mw_pop_cmd cmd)
{
    return (unsigned)cmd < MW_POP_CMD_COUNT ? cmd_names[cmd] : "";
}

/* Length of the run of non-space bytes at buf[0..len). */
static size_t word_len(const uint8_t *buf, size_t len)
{
    size_t i = 0;
    while (i < len && buf[i] != ' ')
        i++;
    return i;
}

static size_t spaces(const uint8_t *buf, size_t len)
{
    size_t i = 0;
    while (i < len && buf[i] == ' ')
        i++;
    return i;
}

bool mw_pop_command_parse(const uint8_t *buf, size_t len, mw_pop_command *c)
{
    *c = (mw_pop_command){0};
    size_t pos = spaces(buf, len);
    c->extra_space = pos > 0;
    if (pos == len)
        return false;
    c->verb_off = pos;
    c->verb_len = word_len(buf + pos, len - pos);
    c->cmd = mw_pop_cmd_lookup(buf + pos, c->verb_len);
    pos += c->verb_len;
    size_t sp = spaces(buf + pos, len - pos);
    c->extra_space |= sp > 1;
    pos += sp;
    c->args_off = pos;
    c->args_len = len - pos;
    while (pos < len) {
        c->nargs++;
        pos += word_len(buf + pos, len - pos);
        sp = spaces(buf + pos, len - pos);
        c->extra_space |= sp > 1 || (sp > 0 && pos + sp == len);
        pos += sp;
    }
    return true;
}

static bool starts_ci(const uint8_t *buf, size_t len, const char *word, size_t n)
{
    return len >= n && mw_imap_word_eq(buf, n, word);
}

/* "[CODE]" at the start of text (RFC 2449 section 8): only codes are
 * bracketed words, so a "[" with no "]" before a space is plain text. */
static void resp_code(const uint8_t *buf, size_t len, size_t pos, mw_pop_response *r)
{
    if (pos < len && buf[pos] == '[') {
        size_t i = pos + 1;
        while (i < len && buf[i] != ']' && buf[i] != ' ')
            i++;
        if (i < len && buf[i] == ']') {
            r->has_code = true;
            r->code_off = pos + 1;
            r->code_len = i - pos - 1;
            pos = i + 1;
            pos += spaces(buf + pos, len - pos) > 0 ? 1 : 0;
        }
    }
    r->text_off = pos;
    r->text_len = len - pos;
}

mw_pop_status mw_pop_response_parse(const uint8_t *buf, size_t len, mw_pop_response *r)
{
    *r = (mw_pop_response){0};
    size_t n;
    if (starts_ci(buf, len, "+OK", 3)) {
        r->status = MW_POP_OK;
        n = 3;
    } else if (starts_ci(buf, len, "-ERR", 4)) {
        r->status = MW_POP_ERR;
        n = 4;
    } else if (len >= 1 && buf[0] == '+' && (len == 1 || buf[1] == ' ')) {
        r->status = MW_POP_CONTINUE;
        r->status_len = 1;
        r->text_off = len > 1 ? 2 : 1;
        r->text_len = len - r->text_off;
        return r->status;
    } else {
        r->text_len = len;
        return r->status = MW_POP_MALFORMED;
    }
    /* "+OKAY" is not "+OK": the indicator must end the line or meet a space. */
    if (n < len && buf[n] != ' ') {
        r->text_len = len;
        return r->status = MW_POP_MALFORMED;
    }
    r->status_len = n;
    r->case_deviant = buf[1] > 'Z' || buf[2] > 'Z' || (n == 4 && buf[3] > 'Z');
    resp_code(buf, len, n < len ? n + 1 : n, r);
    return r->status;
}

bool mw_pop_octets(const uint8_t *text, size_t len, uint64_t *octets)
{
    size_t w = word_len(text, len);
    if (!mw_imap_parse_u64(text, w, octets, NULL))
        return false;
    size_t pos = w + spaces(text + w, len - w);
    if (pos == len)
        return true;
    size_t w2 = word_len(text + pos, len - pos);
    return mw_imap_word_eq(text + pos, w2, "octets");
}

/* Two numbers separated by spaces at the start of buf; the rest is free. */
static bool two_numbers(const uint8_t *buf, size_t len, uint64_t *a, uint64_t *b, size_t *b_end)
{
    size_t w = word_len(buf, len);
    if (!mw_imap_parse_u64(buf, w, a, NULL))
        return false;
    size_t pos = w + spaces(buf + w, len - w);
    if (pos == w)
        return false;
    size_t w2 = word_len(buf + pos, len - pos);
    if (b && !mw_imap_parse_u64(buf + pos, w2, b, NULL))
        return false;
    if (b_end)
        *b_end = pos;
    return w2 > 0;
}

bool mw_pop_stat(const uint8_t *text, size_t len, uint64_t *count, uint64_t *size)
{
    return two_numbers(text, len, count, size, NULL);
}

bool mw_pop_list_entry(const uint8_t *buf, size_t len, uint64_t *msg, uint64_t *size)
{
    return two_numbers(buf, len, msg, size, NULL);
}

bool mw_pop_uidl_entry(const uint8_t *buf, size_t len, uint64_t *msg, size_t *uid_off,
                       size_t *uid_len)
{
    size_t at;
    if (!two_numbers(buf, len, msg, NULL, &at))
        return false;
    size_t w = word_len(buf + at, len - at);
    if (w > 70)
        return false;
    for (size_t i = at; i < at + w; i++)
        if (buf[i] < 0x21 || buf[i] > 0x7e)
            return false;
    *uid_off = at;
    *uid_len = w;
    return true;
}

bool mw_pop_multiline(mw_pop_cmd cmd, unsigned nargs)
{
    switch (cmd) {
    case MW_POP_CMD_LIST:
    case MW_POP_CMD_UIDL:
    case MW_POP_CMD_AUTH:
        return nargs == 0;
    case MW_POP_CMD_RETR:
    case MW_POP_CMD_TOP:
    case MW_POP_CMD_CAPA:
        return true;
    default:
        return false;
    }
}

bool mw_pop_capa_line(const uint8_t *buf, size_t len, size_t *kw_len, size_t *args_off,
                      size_t *args_len)
{
    size_t w = word_len(buf, len);
    if (w == 0)
        return false;
    *kw_len = w;
    size_t pos = w + spaces(buf + w, len - w);
    *args_off = pos;
    *args_len = len - pos;
    return true;
}

static bool is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool mw_pop_apop_parse(const uint8_t *args, size_t len, mw_pop_apop *a)
{
    *a = (mw_pop_apop){0};
    a->name_len = word_len(args, len);
    size_t pos = a->name_len + spaces(args + a->name_len, len - a->name_len);
    if (a->name_len == 0 || pos == a->name_len)
        return false;
    a->digest_off = pos;
    a->digest_len = word_len(args + pos, len - pos);
    if (a->digest_len == 0)
        return false;
    a->digest_ok = a->digest_len == 32 && pos + 32 == len;
    for (size_t i = 0; a->digest_ok && i < 32; i++)
        a->digest_ok = is_hex(args[pos + i]);
    return true;
}

mw_pop_body_line mw_pop_body_classify(const uint8_t *buf, size_t len)
{
    if (len == 0 || buf[0] != '.')
        return MW_POP_BODY_PLAIN;
    if (len == 1)
        return MW_POP_BODY_END;
    return buf[1] == '.' ? MW_POP_BODY_STUFFED : MW_POP_BODY_BARE_DOT;
}

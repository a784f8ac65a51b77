/* IMAP server lines: see imap_response.h. */
#include "core/imap/imap_response.h"

#include "core/imap/imap_command.h"
#include "core/imap/imap_literal.h"
#include "core/imap/imap_token.h"

static const char *const kw_names[MW_IMAP_KW_COUNT] = {
    [MW_IMAP_KW_UNKNOWN] = "", [MW_IMAP_KW_OK] = "OK", [MW_IMAP_KW_NO] = "NO",
    [MW_IMAP_KW_BAD] = "BAD", [MW_IMAP_KW_BYE] = "BYE", [MW_IMAP_KW_PREAUTH] = "PREAUTH",
    [MW_IMAP_KW_CAPABILITY] = "CAPABILITY", [MW_IMAP_KW_LIST] = "LIST",
    [MW_IMAP_KW_LSUB] = "LSUB", [MW_IMAP_KW_STATUS] = "STATUS", [MW_IMAP_KW_SEARCH] = "SEARCH",
    [MW_IMAP_KW_ESEARCH] = "ESEARCH", [MW_IMAP_KW_FLAGS] = "FLAGS",
    [MW_IMAP_KW_EXISTS] = "EXISTS", [MW_IMAP_KW_RECENT] = "RECENT",
    [MW_IMAP_KW_EXPUNGE] = "EXPUNGE", [MW_IMAP_KW_FETCH] = "FETCH",
    [MW_IMAP_KW_NAMESPACE] = "NAMESPACE", [MW_IMAP_KW_ENABLED] = "ENABLED",
    [MW_IMAP_KW_ID] = "ID", [MW_IMAP_KW_QUOTA] = "QUOTA", [MW_IMAP_KW_QUOTAROOT] = "QUOTAROOT",
    [MW_IMAP_KW_ACL] = "ACL", [MW_IMAP_KW_MYRIGHTS] = "MYRIGHTS",
    [MW_IMAP_KW_LISTRIGHTS] = "LISTRIGHTS", [MW_IMAP_KW_METADATA] = "METADATA",
    [MW_IMAP_KW_SORT] = "SORT", [MW_IMAP_KW_THREAD] = "THREAD",
    [MW_IMAP_KW_VANISHED] = "VANISHED", [MW_IMAP_KW_XLIST] = "XLIST",
};

static const char *const code_names[MW_IMAP_CODE_COUNT] = {
    [MW_IMAP_CODE_UNKNOWN] = "", [MW_IMAP_CODE_ALERT] = "ALERT",
    [MW_IMAP_CODE_BADCHARSET] = "BADCHARSET", [MW_IMAP_CODE_CAPABILITY] = "CAPABILITY",
    [MW_IMAP_CODE_PARSE] = "PARSE", [MW_IMAP_CODE_PERMANENTFLAGS] = "PERMANENTFLAGS",
    [MW_IMAP_CODE_READ_ONLY] = "READ-ONLY", [MW_IMAP_CODE_READ_WRITE] = "READ-WRITE",
    [MW_IMAP_CODE_TRYCREATE] = "TRYCREATE", [MW_IMAP_CODE_UIDNEXT] = "UIDNEXT",
    [MW_IMAP_CODE_UIDVALIDITY] = "UIDVALIDITY", [MW_IMAP_CODE_UNSEEN] = "UNSEEN",
    [MW_IMAP_CODE_APPENDUID] = "APPENDUID", [MW_IMAP_CODE_COPYUID] = "COPYUID",
    [MW_IMAP_CODE_UIDNOTSTICKY] = "UIDNOTSTICKY", [MW_IMAP_CODE_HIGHESTMODSEQ] = "HIGHESTMODSEQ",
    [MW_IMAP_CODE_NOMODSEQ] = "NOMODSEQ", [MW_IMAP_CODE_MODIFIED] = "MODIFIED",
    [MW_IMAP_CODE_CLOSED] = "CLOSED", [MW_IMAP_CODE_UNAVAILABLE] = "UNAVAILABLE",
    [MW_IMAP_CODE_AUTHENTICATIONFAILED] = "AUTHENTICATIONFAILED",
    [MW_IMAP_CODE_AUTHORIZATIONFAILED] = "AUTHORIZATIONFAILED",
    [MW_IMAP_CODE_EXPIRED] = "EXPIRED", [MW_IMAP_CODE_PRIVACYREQUIRED] = "PRIVACYREQUIRED",
    [MW_IMAP_CODE_CONTACTADMIN] = "CONTACTADMIN", [MW_IMAP_CODE_NOPERM] = "NOPERM",
    [MW_IMAP_CODE_INUSE] = "INUSE", [MW_IMAP_CODE_EXPUNGEISSUED] = "EXPUNGEISSUED",
    [MW_IMAP_CODE_CORRUPTION] = "CORRUPTION", [MW_IMAP_CODE_SERVERBUG] = "SERVERBUG",
    [MW_IMAP_CODE_CLIENTBUG] = "CLIENTBUG", [MW_IMAP_CODE_CANNOT] = "CANNOT",
    [MW_IMAP_CODE_LIMIT] = "LIMIT", [MW_IMAP_CODE_OVERQUOTA] = "OVERQUOTA",
    [MW_IMAP_CODE_ALREADYEXISTS] = "ALREADYEXISTS", [MW_IMAP_CODE_NONEXISTENT] = "NONEXISTENT",
    [MW_IMAP_CODE_REFERRAL] = "REFERRAL", [MW_IMAP_CODE_COMPRESSIONACTIVE] = "COMPRESSIONACTIVE",
    [MW_IMAP_CODE_TOOBIG] = "TOOBIG", [MW_IMAP_CODE_UNKNOWN_CTE] = "UNKNOWN-CTE",
};

static int lookup(const char *const *names, int count, const uint8_t *name, size_t len)
{
    for (int i = 1; i < count; i++)
        if (mw_imap_word_eq(name, len, names[i]))
            return i;
    return 0;
}

mw_imap_kw mw_imap_kw_lookup(const uint8_t *name, size_t len)
{
    return (mw_imap_kw)lookup(kw_names, MW_IMAP_KW_COUNT, name, len);
}

const char *mw_imap_kw_name(mw_imap_kw kw)
{
    return (unsigned)kw < MW_IMAP_KW_COUNT ? kw_names[kw] : "";
}

mw_imap_code mw_imap_code_lookup(const uint8_t *name, size_t len)
{
    return (mw_imap_code)lookup(code_names, MW_IMAP_CODE_COUNT, name, len);
}

const char *mw_imap_code_name(mw_imap_code code)
{
    return (unsigned)code < MW_IMAP_CODE_COUNT ? code_names[code] : "";
}

/* The word at *pos and the spaces after it; flags extra spaces. */
static void word(const uint8_t *buf, size_t len, size_t *pos, size_t *off, size_t *wlen,
                 unsigned *flags)
{
    if (mw_imap_next_word(buf, len, pos, off, wlen))
        *flags |= MW_IMAP_RESPF_EXTRA_SPACE;
}

/* The "]" closing a code at buf[open], skipping quoted strings and lists;
 * len when there is none. */
static size_t code_end(const uint8_t *buf, size_t len, size_t open)
{
    unsigned depth = 0;
    bool quoted = false;
    for (size_t i = open + 1; i < len; i++) {
        uint8_t c = buf[i];
        if (quoted) {
            if (c == '\\' && i + 1 < len)
                i++;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && depth > 0) {
            depth--;
        } else if (c == ']' && depth == 0) {
            return i;
        }
    }
    return len;
}

/* resp-text at pos: ["[" code [SP args] "]" SP] text (section 9). */
static void resp_text(const uint8_t *buf, size_t len, size_t pos, mw_imap_response *r)
{
    if (pos < len && buf[pos] == '[') {
        size_t close = code_end(buf, len, pos);
        if (close == len) {
            r->flags |= MW_IMAP_RESPF_CODE_OPEN;
        } else {
            r->has_code = true;
            r->code_off = pos;
            r->code_len = close + 1 - pos;
            size_t i = pos + 1;
            while (i < close && buf[i] != ' ')
                i++;
            r->code_name_off = pos + 1;
            r->code_name_len = i - (pos + 1);
            r->code = mw_imap_code_lookup(buf + r->code_name_off, r->code_name_len);
            r->code_args_off = i < close ? i + 1 : close;
            r->code_args_len = close - r->code_args_off;
            r->code_has_num =
                mw_imap_parse_u64(buf + r->code_args_off, r->code_args_len, &r->code_num, NULL);
            pos = close + 1;
            if (pos < len && buf[pos] == ' ')
                pos++;
        }
    }
    r->text_off = pos;
    r->text_len = len - pos;
}

static void untagged(const uint8_t *buf, size_t len, size_t pos, mw_imap_response *r)
{
    size_t off, wlen;
    word(buf, len, &pos, &off, &wlen, &r->flags);
    bool overflow;
    if (wlen > 0 && buf[off] >= '0' && buf[off] <= '9') {
        r->has_number = true;
        r->number_off = off;
        r->number_len = wlen;
        if (!mw_imap_parse_u64(buf + off, wlen, &r->number, &overflow) && overflow)
            r->flags |= MW_IMAP_RESPF_NUM_OVERFLOW;
        word(buf, len, &pos, &off, &wlen, &r->flags);
    }
    r->kw_off = off;
    r->kw_len = wlen;
    r->kw = mw_imap_kw_lookup(buf + off, wlen);
    if (wlen == 0) {
        r->flags |= MW_IMAP_RESPF_NO_KEYWORD;
        r->kind = MW_IMAP_RESP_MALFORMED;
    }
    r->is_status = r->kw >= MW_IMAP_KW_OK && r->kw <= MW_IMAP_KW_PREAUTH && !r->has_number;
    if (r->is_status) {
        resp_text(buf, len, pos, r);
    } else {
        r->text_off = pos;
        r->text_len = len - pos;
    }
}

mw_imap_resp_kind mw_imap_server_line(const uint8_t *buf, size_t len, mw_imap_response *r)
{
    *r = (mw_imap_response){0};
    if (len == 0) {
        r->flags |= MW_IMAP_RESPF_EMPTY;
        return r->kind = MW_IMAP_RESP_MALFORMED;
    }
    if (buf[0] == '+') {
        r->kind = MW_IMAP_RESP_CONTINUATION;
        r->tag_len = 1;
        r->text_off = len > 1 && buf[1] == ' ' ? 2 : 1;
        if (r->text_off == 1 && len > 1)
            r->flags |= MW_IMAP_RESPF_NO_SPACE;
        r->text_len = len - r->text_off;
        return r->kind;
    }
    size_t pos = 0;
    word(buf, len, &pos, &r->tag_off, &r->tag_len, &r->flags);
    if (r->tag_len == 1 && buf[0] == '*') {
        r->kind = MW_IMAP_RESP_UNTAGGED;
        untagged(buf, len, pos, r);
        return r->kind;
    }
    r->kind = MW_IMAP_RESP_TAGGED;
    if (!mw_imap_tag_valid(buf + r->tag_off, r->tag_len))
        r->flags |= MW_IMAP_RESPF_BAD_TAG;
    word(buf, len, &pos, &r->kw_off, &r->kw_len, &r->flags);
    r->kw = mw_imap_kw_lookup(buf + r->kw_off, r->kw_len);
    if (r->kw_len == 0)
        r->flags |= MW_IMAP_RESPF_NO_KEYWORD;
    else if (r->kw != MW_IMAP_KW_OK && r->kw != MW_IMAP_KW_NO && r->kw != MW_IMAP_KW_BAD)
        r->flags |= MW_IMAP_RESPF_BAD_STATUS;
    r->is_status = true;
    resp_text(buf, len, pos, r);
    if (r->flags & (MW_IMAP_RESPF_BAD_TAG | MW_IMAP_RESPF_NO_KEYWORD | MW_IMAP_RESPF_BAD_STATUS))
        r->kind = MW_IMAP_RESP_MALFORMED;
    return r->kind;
}

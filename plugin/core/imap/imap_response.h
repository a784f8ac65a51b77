/* IMAP server lines: untagged data, continuations, tagged completions
 * (RFC 9051 sections 7.1 to 7.5 and 9: response, resp-text, resp-text-code).
 */
#ifndef MAILWIRE_CORE_IMAP_RESPONSE_H
#define MAILWIRE_CORE_IMAP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mw_imap_resp_kind {
    MW_IMAP_RESP_UNTAGGED = 0, /* "* ..." */
    MW_IMAP_RESP_CONTINUATION, /* "+ ..." */
    MW_IMAP_RESP_TAGGED,       /* "tag OK|NO|BAD ..." */
    MW_IMAP_RESP_MALFORMED,    /* see flags */
} mw_imap_resp_kind;

/* The keyword of an untagged response, or the status of a tagged one. */
typedef enum mw_imap_kw {
    MW_IMAP_KW_UNKNOWN = 0,
    MW_IMAP_KW_OK, MW_IMAP_KW_NO, MW_IMAP_KW_BAD, MW_IMAP_KW_BYE, MW_IMAP_KW_PREAUTH,
    MW_IMAP_KW_CAPABILITY, MW_IMAP_KW_LIST, MW_IMAP_KW_LSUB, MW_IMAP_KW_STATUS,
    MW_IMAP_KW_SEARCH, MW_IMAP_KW_ESEARCH, MW_IMAP_KW_FLAGS, MW_IMAP_KW_EXISTS,
    MW_IMAP_KW_RECENT, MW_IMAP_KW_EXPUNGE, MW_IMAP_KW_FETCH, MW_IMAP_KW_NAMESPACE,
    MW_IMAP_KW_ENABLED, MW_IMAP_KW_ID, MW_IMAP_KW_QUOTA, MW_IMAP_KW_QUOTAROOT, MW_IMAP_KW_ACL,
    MW_IMAP_KW_MYRIGHTS, MW_IMAP_KW_LISTRIGHTS, MW_IMAP_KW_METADATA, MW_IMAP_KW_SORT,
    MW_IMAP_KW_THREAD, MW_IMAP_KW_VANISHED, MW_IMAP_KW_XLIST,
    MW_IMAP_KW_COUNT
} mw_imap_kw;

/* Response codes, "[CODE args]" (RFC 9051 section 7.1 and extensions). */
typedef enum mw_imap_code {
    MW_IMAP_CODE_UNKNOWN = 0,
    MW_IMAP_CODE_ALERT, MW_IMAP_CODE_BADCHARSET, MW_IMAP_CODE_CAPABILITY, MW_IMAP_CODE_PARSE,
    MW_IMAP_CODE_PERMANENTFLAGS, MW_IMAP_CODE_READ_ONLY, MW_IMAP_CODE_READ_WRITE,
    MW_IMAP_CODE_TRYCREATE, MW_IMAP_CODE_UIDNEXT, MW_IMAP_CODE_UIDVALIDITY, MW_IMAP_CODE_UNSEEN,
    MW_IMAP_CODE_APPENDUID, MW_IMAP_CODE_COPYUID, MW_IMAP_CODE_UIDNOTSTICKY,
    MW_IMAP_CODE_HIGHESTMODSEQ, MW_IMAP_CODE_NOMODSEQ, MW_IMAP_CODE_MODIFIED, MW_IMAP_CODE_CLOSED,
    MW_IMAP_CODE_UNAVAILABLE, MW_IMAP_CODE_AUTHENTICATIONFAILED,
    MW_IMAP_CODE_AUTHORIZATIONFAILED, MW_IMAP_CODE_EXPIRED, MW_IMAP_CODE_PRIVACYREQUIRED,
    MW_IMAP_CODE_CONTACTADMIN, MW_IMAP_CODE_NOPERM, MW_IMAP_CODE_INUSE,
    MW_IMAP_CODE_EXPUNGEISSUED, MW_IMAP_CODE_CORRUPTION, MW_IMAP_CODE_SERVERBUG,
    MW_IMAP_CODE_CLIENTBUG, MW_IMAP_CODE_CANNOT, MW_IMAP_CODE_LIMIT, MW_IMAP_CODE_OVERQUOTA,
    MW_IMAP_CODE_ALREADYEXISTS, MW_IMAP_CODE_NONEXISTENT, MW_IMAP_CODE_REFERRAL,
    MW_IMAP_CODE_COMPRESSIONACTIVE, MW_IMAP_CODE_TOOBIG, MW_IMAP_CODE_UNKNOWN_CTE,
    MW_IMAP_CODE_COUNT
} mw_imap_code;

/* Facts about a server line. */
enum {
    MW_IMAP_RESPF_EMPTY = 1u << 0,        /* nothing on the line */
    MW_IMAP_RESPF_BAD_TAG = 1u << 1,      /* tagged: the tag is not a valid tag */
    MW_IMAP_RESPF_NO_KEYWORD = 1u << 2,   /* nothing after "*", the number or the tag */
    MW_IMAP_RESPF_BAD_STATUS = 1u << 3,   /* tagged: not OK, NO or BAD */
    MW_IMAP_RESPF_CODE_OPEN = 1u << 4,    /* "[" without its "]" */
    MW_IMAP_RESPF_EXTRA_SPACE = 1u << 5,  /* more than one space between parts */
    MW_IMAP_RESPF_NO_SPACE = 1u << 6,     /* "+" with text but no space ("+text") */
    MW_IMAP_RESPF_NUM_OVERFLOW = 1u << 7, /* the message number overflows */
};

typedef struct mw_imap_response {
    mw_imap_resp_kind kind;
    unsigned flags;            /* MW_IMAP_RESPF_* */
    mw_imap_kw kw;             /* keyword, or status for tagged and status responses */
    bool is_status;            /* OK NO BAD BYE PREAUTH: a resp-text follows */
    size_t tag_off, tag_len;   /* tagged: the tag; untagged and continuation: "*" or "+" */
    bool has_number;           /* "* n KEYWORD" */
    uint64_t number;
    size_t number_off, number_len;
    size_t kw_off, kw_len;     /* the keyword or status word */
    /* Status responses: optional code, then text. */
    bool has_code;
    mw_imap_code code;
    size_t code_off, code_len;           /* the whole "[...]" */
    size_t code_name_off, code_name_len; /* e.g. "UIDVALIDITY" */
    size_t code_args_off, code_args_len; /* e.g. "3857529045"; empty when none */
    bool code_has_num;                   /* the args are one number (UIDNEXT, UNSEEN...) */
    uint64_t code_num;
    /* Status: resp-text after the code; continuation: text or base64;
     * other untagged: the data after the keyword. */
    size_t text_off, text_len;
} mw_imap_response;

/* Classify a server line's content buf[0..len), line end excluded, and fill
 * *r (always).  Returns r->kind.  Only the first text segment of a logical
 * line is parsed: data after a literal is the caller's to continue. */
mw_imap_resp_kind mw_imap_server_line(const uint8_t *buf, size_t len, mw_imap_response *r);

mw_imap_kw mw_imap_kw_lookup(const uint8_t *name, size_t len);
const char *mw_imap_kw_name(mw_imap_kw kw);
mw_imap_code mw_imap_code_lookup(const uint8_t *name, size_t len);
const char *mw_imap_code_name(mw_imap_code code);

#endif

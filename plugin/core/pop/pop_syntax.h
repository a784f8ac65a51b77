/* POP3 syntax: commands, responses, and which responses are multiline.
 *
 * RFC 1939 (POP3), RFC 2449 (CAPA, response codes), RFC 2595 (STLS),
 * RFC 5034 (AUTH), RFC 6856 (UTF8, LANG).
 */
#ifndef MAILWIRE_CORE_POP_SYNTAX_H
#define MAILWIRE_CORE_POP_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mw_pop_cmd {
    MW_POP_CMD_UNKNOWN = 0,
    MW_POP_CMD_USER, MW_POP_CMD_PASS, MW_POP_CMD_APOP, MW_POP_CMD_STAT, MW_POP_CMD_LIST,
    MW_POP_CMD_RETR, MW_POP_CMD_DELE, MW_POP_CMD_NOOP, MW_POP_CMD_RSET, MW_POP_CMD_QUIT,
    MW_POP_CMD_TOP, MW_POP_CMD_UIDL, MW_POP_CMD_CAPA, MW_POP_CMD_STLS, MW_POP_CMD_AUTH,
    MW_POP_CMD_UTF8, MW_POP_CMD_LANG,
    MW_POP_CMD_COUNT
} mw_pop_cmd;

typedef struct mw_pop_command {
    mw_pop_cmd cmd;
    size_t verb_off, verb_len;
    size_t args_off, args_len; /* after the verb and its spaces; may be empty */
    unsigned nargs;            /* space-separated arguments */
    bool extra_space;          /* more than one space somewhere, or a leading one */
} mw_pop_command;

/* Parse a command line's content buf[0..len), line end excluded.  Returns
 * false when there is no verb at all (empty or only spaces). */
bool mw_pop_command_parse(const uint8_t *buf, size_t len, mw_pop_command *c);

mw_pop_cmd mw_pop_cmd_lookup(const uint8_t *verb, size_t len);
const char *mw_pop_cmd_name(mw_pop_cmd cmd);

typedef enum mw_pop_status {
    MW_POP_OK = 0,       /* "+OK" */
    MW_POP_ERR,          /* "-ERR" */
    MW_POP_CONTINUE,     /* "+ " or "+": a SASL challenge (RFC 5034) */
    MW_POP_MALFORMED,    /* none of these */
} mw_pop_status;

typedef struct mw_pop_response {
    mw_pop_status status;
    bool case_deviant;        /* "+ok", "-err": accepted, not canonical */
    size_t status_len;        /* bytes of the status indicator */
    bool has_code;            /* "[RESP-CODE]" at the start of the text (RFC 2449 section 8) */
    size_t code_off, code_len; /* inside the brackets, e.g. "SYS/TEMP" */
    size_t text_off, text_len; /* after the code; for CONTINUE the base64 */
} mw_pop_response;

/* Parse a response line's content buf[0..len).  Returns r->status. */
mw_pop_status mw_pop_response_parse(const uint8_t *buf, size_t len, mw_pop_response *r);

/* "+OK 120 octets" (RETR, TOP): the first word of the text when it is a
 * number followed by "octets" (any case) or the end.  Returns false if not. */
bool mw_pop_octets(const uint8_t *text, size_t len, uint64_t *octets);

/* STAT: "count size" at the start of the text. */
bool mw_pop_stat(const uint8_t *text, size_t len, uint64_t *count, uint64_t *size);

/* Whether a successful (+OK) response to cmd with nargs arguments is
 * multiline: LIST and UIDL without argument, RETR, TOP, CAPA, and AUTH
 * without argument (the mechanism list).  Unknown commands say false:
 * extensions that CAPA announces as multiline are the caller's business. */
bool mw_pop_multiline(mw_pop_cmd cmd, unsigned nargs);

/* LIST entry "msg size" or UIDL entry "msg uid" (also the single-line +OK
 * text of LIST n / UIDL n).  uid is 1..70 bytes of 0x21..0x7E (RFC 1939). */
bool mw_pop_list_entry(const uint8_t *buf, size_t len, uint64_t *msg, uint64_t *size);
bool mw_pop_uidl_entry(const uint8_t *buf, size_t len, uint64_t *msg, size_t *uid_off,
                       size_t *uid_len);

/* CAPA line: keyword and the arguments after it (may be empty).  Returns
 * false for an empty line. */
bool mw_pop_capa_line(const uint8_t *buf, size_t len, size_t *kw_len, size_t *args_off,
                      size_t *args_len);

/* APOP arguments "name digest": the digest must be 32 hex digits (MD5). */
typedef struct mw_pop_apop {
    size_t name_off, name_len, digest_off, digest_len;
    bool digest_ok;
} mw_pop_apop;
bool mw_pop_apop_parse(const uint8_t *args, size_t len, mw_pop_apop *a);

typedef enum mw_pop_body_line {
    MW_POP_BODY_PLAIN = 0, /* a line to take as is */
    MW_POP_BODY_STUFFED,   /* "..x": drop the first dot */
    MW_POP_BODY_END,       /* "." alone: the terminator */
    MW_POP_BODY_BARE_DOT,  /* ".x": a dot not doubled; lenient readers drop it */
} mw_pop_body_line;

/* Classify a multiline body line's content (line end excluded). */
mw_pop_body_line mw_pop_body_classify(const uint8_t *buf, size_t len);

#endif

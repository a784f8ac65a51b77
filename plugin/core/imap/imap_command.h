/* IMAP client lines: tag, command name, arguments (RFC 9051 section 6).
 *
 * A client line is "tag SP command [SP args]".  "UID cmd" is unwrapped to the
 * inner command with uid set (section 6.4.9).  Some client lines are not
 * commands: IDLE's "DONE" (RFC 2177) and "*" cancelling AUTHENTICATE are
 * recognised; a SASL response line (base64) cannot be told from a command by
 * its bytes, so the caller, which knows an AUTHENTICATE is under way, must not
 * classify those lines here.
 */
#ifndef MAILWIRE_CORE_IMAP_COMMAND_H
#define MAILWIRE_CORE_IMAP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mw_imap_cmd {
    MW_IMAP_CMD_UNKNOWN = 0,
    MW_IMAP_CMD_CAPABILITY, MW_IMAP_CMD_NOOP, MW_IMAP_CMD_LOGOUT, MW_IMAP_CMD_STARTTLS,
    MW_IMAP_CMD_AUTHENTICATE, MW_IMAP_CMD_LOGIN, MW_IMAP_CMD_SELECT, MW_IMAP_CMD_EXAMINE,
    MW_IMAP_CMD_CREATE, MW_IMAP_CMD_DELETE, MW_IMAP_CMD_RENAME, MW_IMAP_CMD_SUBSCRIBE,
    MW_IMAP_CMD_UNSUBSCRIBE, MW_IMAP_CMD_LIST, MW_IMAP_CMD_LSUB, MW_IMAP_CMD_NAMESPACE,
    MW_IMAP_CMD_STATUS, MW_IMAP_CMD_APPEND, MW_IMAP_CMD_CHECK, MW_IMAP_CMD_CLOSE,
    MW_IMAP_CMD_UNSELECT, MW_IMAP_CMD_EXPUNGE, MW_IMAP_CMD_SEARCH, MW_IMAP_CMD_FETCH,
    MW_IMAP_CMD_STORE, MW_IMAP_CMD_COPY, MW_IMAP_CMD_MOVE, MW_IMAP_CMD_IDLE,
    MW_IMAP_CMD_ENABLE, MW_IMAP_CMD_ID, MW_IMAP_CMD_COMPRESS, MW_IMAP_CMD_GETQUOTAROOT,
    MW_IMAP_CMD_GETQUOTA, MW_IMAP_CMD_SETQUOTA, MW_IMAP_CMD_GETACL, MW_IMAP_CMD_SETACL,
    MW_IMAP_CMD_DELETEACL, MW_IMAP_CMD_LISTRIGHTS, MW_IMAP_CMD_MYRIGHTS,
    MW_IMAP_CMD_GETMETADATA, MW_IMAP_CMD_SETMETADATA, MW_IMAP_CMD_SORT, MW_IMAP_CMD_THREAD,
    MW_IMAP_CMD_ESEARCH, MW_IMAP_CMD_NOTIFY, MW_IMAP_CMD_UNAUTHENTICATE, MW_IMAP_CMD_REPLACE,
    MW_IMAP_CMD_XLIST,
    MW_IMAP_CMD_COUNT
} mw_imap_cmd;

typedef enum mw_imap_client_kind {
    MW_IMAP_CLIENT_COMMAND = 0, /* tag and command name found */
    MW_IMAP_CLIENT_DONE,        /* "DONE": ends IDLE */
    MW_IMAP_CLIENT_CANCEL,      /* "*": cancels an AUTHENTICATE exchange */
    MW_IMAP_CLIENT_MALFORMED,   /* see the MW_IMAP_CMDF_* flags */
} mw_imap_client_kind;

/* Facts about a client line. */
enum {
    MW_IMAP_CMDF_EMPTY = 1u << 0,       /* nothing on the line */
    MW_IMAP_CMDF_BAD_TAG = 1u << 1,     /* the tag has a byte a tag may not hold */
    MW_IMAP_CMDF_NO_COMMAND = 1u << 2,  /* a tag and nothing after it */
    MW_IMAP_CMDF_EXTRA_SPACE = 1u << 3, /* more than one space between parts, or leading */
    MW_IMAP_CMDF_UID_BAD = 1u << 4,     /* UID before a command it does not apply to */
    MW_IMAP_CMDF_LOWERCASE = 1u << 5,   /* the command name is not all upper case */
};

typedef struct mw_imap_command {
    mw_imap_client_kind kind;
    mw_imap_cmd cmd;      /* the inner command when uid is set */
    bool uid;             /* "UID" came first */
    unsigned flags;       /* MW_IMAP_CMDF_* */
    size_t tag_off, tag_len;
    size_t name_off, name_len; /* the (inner) command name */
    size_t uid_off, uid_len;   /* the "UID" word when uid is set */
    size_t args_off, args_len; /* everything after the name and its space; may be empty */
} mw_imap_command;

/* Classify a client line's content buf[0..len), line end excluded, and fill
 * *c (always).  Returns c->kind. */
mw_imap_client_kind mw_imap_client_line(const uint8_t *buf, size_t len, mw_imap_command *c);

/* True when buf[0..len) is a valid tag: one or more ASTRING-CHARs other than
 * "+" (RFC 9051 section 9: tag), so "." and "A1.b" are tags, "+" , ")" and "*"
 * are not. */
bool mw_imap_tag_valid(const uint8_t *buf, size_t len);

/* Command for a name (case-insensitive); MW_IMAP_CMD_UNKNOWN when not known. */
mw_imap_cmd mw_imap_cmd_lookup(const uint8_t *name, size_t len);

/* Upper-case name of a command, "" for UNKNOWN. */
const char *mw_imap_cmd_name(mw_imap_cmd cmd);

/* True when "UID cmd" is defined for cmd (COPY MOVE FETCH SEARCH STORE
 * EXPUNGE SORT THREAD). */
bool mw_imap_cmd_takes_uid(mw_imap_cmd cmd);

#endif

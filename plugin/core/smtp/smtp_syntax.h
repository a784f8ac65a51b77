/* SMTP command and reply syntax (RFC 5321 4.1, RFC 3030 BDAT, RFC 4954 AUTH,
 * RFC 3463 enhanced status codes).
 *
 * Every parser takes one line without its line end (see lines.h) and returns
 * spans into it.  Parsers accept what real servers accept, flag each
 * deviation, and on unusable syntax set `error` to a short reason.
 */
#ifndef MAILWIRE_CORE_SMTP_SYNTAX_H
#define MAILWIRE_CORE_SMTP_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/text/span.h"

typedef enum mw_smtp_verb {
    MW_SMTP_UNKNOWN = 0,
    MW_SMTP_HELO, MW_SMTP_EHLO, MW_SMTP_MAIL, MW_SMTP_RCPT, MW_SMTP_DATA,
    MW_SMTP_BDAT, MW_SMTP_RSET, MW_SMTP_VRFY, MW_SMTP_EXPN, MW_SMTP_HELP,
    MW_SMTP_NOOP, MW_SMTP_QUIT, MW_SMTP_STARTTLS, MW_SMTP_AUTH, MW_SMTP_ETRN,
    MW_SMTP_ATRN, MW_SMTP_XCLIENT, MW_SMTP_XFORWARD,
} mw_smtp_verb;

/* Command flags. */
enum {
    MW_SMTP_CMD_EXTRA_SPACE = 1u << 0, /* more than one SP, or a TAB, before the arguments */
    MW_SMTP_CMD_TRAILING_SPACE = 1u << 1, /* whitespace at the end of the line */
};

typedef struct mw_smtp_cmd {
    mw_smtp_verb verb; /* UNKNOWN for a verb not in the list */
    mw_span name;      /* the verb as written */
    mw_span args;      /* after the separating whitespace, trailing whitespace removed */
    unsigned flags;    /* MW_SMTP_CMD_* */
} mw_smtp_cmd;

/* Parses a command line.  Returns false (cmd->verb UNKNOWN, empty spans) for
 * an empty line or one whose first word is not letters only; true otherwise,
 * also for unknown verbs (name holds them).  Verbs are case-insensitive. */
bool mw_smtp_cmd_parse(const uint8_t *buf, size_t len, mw_smtp_cmd *cmd);

/* "MAIL", "STARTTLS", ...; "unknown" for MW_SMTP_UNKNOWN. */
const char *mw_smtp_verb_name(mw_smtp_verb verb);

/* Path flags. */
enum {
    MW_SMTP_PATH_SPACE_AFTER_COLON = 1u << 0, /* "FROM: <a@b>" */
    MW_SMTP_PATH_NO_BRACKETS = 1u << 1,       /* "FROM:a@b" */
    MW_SMTP_PATH_ROUTE = 1u << 2,             /* "<@a,@b:u@d>" (obsolete source route) */
    MW_SMTP_PATH_QUOTED = 1u << 3,            /* quoted local part */
    MW_SMTP_PATH_NO_DOMAIN = 1u << 4,         /* no '@' outside quotes ("<postmaster>") */
};

typedef struct mw_smtp_path {
    mw_span addr;      /* the mailbox, without brackets and source route; empty for "<>" */
    mw_span route;     /* the source route without its ':', empty if none */
    mw_span params;    /* ESMTP parameters after the path, empty if none */
    bool null_path;    /* "<>" */
    unsigned flags;    /* MW_SMTP_PATH_* */
    const char *error; /* NULL, or why the path cannot be used */
} mw_smtp_path;

/* Parses MAIL or RCPT arguments, buf = "FROM:<a@b> SIZE=10" with keyword
 * "FROM" (or "TO").  Returns true when error is NULL.  Quotes are honoured,
 * so '>' and spaces inside a quoted local part do not end the path. */
bool mw_smtp_path_parse(const uint8_t *buf, size_t len, const char *keyword, mw_smtp_path *p);

typedef struct mw_smtp_param {
    mw_span keyword; /* "SIZE" */
    mw_span value;   /* "1000"; empty if no '=' */
    bool has_value;  /* a '=' was present (the value may still be empty) */
} mw_smtp_param;

/* Iterates ESMTP parameters (RFC 5321 4.1.2 esmtp-param) separated by spaces:
 * start with *pos = 0 on the params span's bytes; returns false when none is
 * left.  Each call advances *pos past one parameter. */
bool mw_smtp_param_next(const uint8_t *buf, size_t len, size_t *pos, mw_smtp_param *p);

typedef struct mw_smtp_bdat {
    uint64_t size;     /* chunk size; valid when error is NULL */
    bool last;         /* "LAST", case-insensitive */
    mw_span junk;      /* what could not be parsed, if anything */
    const char *error; /* NULL, or the reason */
} mw_smtp_bdat;

/* Parses BDAT arguments "<size> [LAST]".  The size must be decimal digits
 * and fit 64 bits (18446744073709551615 at most).  Returns error == NULL. */
bool mw_smtp_bdat_parse(const uint8_t *buf, size_t len, mw_smtp_bdat *b);

typedef struct mw_smtp_auth {
    mw_span mech;           /* "PLAIN" */
    mw_span initial;        /* initial response ("=" for an empty one), empty if absent */
    bool has_initial;
    const char *error;
} mw_smtp_auth;

/* Parses AUTH arguments "<mechanism> [initial-response]" (RFC 4954 4). */
bool mw_smtp_auth_parse(const uint8_t *buf, size_t len, mw_smtp_auth *a);

typedef struct mw_smtp_reply {
    unsigned code;     /* 200-599 when error is NULL */
    char sep;          /* '-', ' ', or 0 when the line ends after the code */
    bool more;         /* '-': more lines of this reply follow */
    mw_span esc;       /* enhanced status code "5.7.1", empty if absent */
    unsigned esc_class, esc_subject, esc_detail;
    bool esc_mismatch; /* the code's class differs from the reply code's first digit */
    mw_span text;      /* after the separator and the enhanced code */
    const char *error;
} mw_smtp_reply;

/* Parses one reply line: three digits, first 2-5, then '-', ' ' or the end;
 * an enhanced status code class.subject.detail (class 2, 4 or 5; 1-3 digits
 * each) at the start of the text is split out.  Returns error == NULL. */
bool mw_smtp_reply_parse(const uint8_t *buf, size_t len, mw_smtp_reply *r);

typedef struct mw_smtp_ehlo_cap {
    mw_span keyword;   /* "SIZE" */
    mw_span params;    /* "1000"; empty if none */
    const char *error; /* keyword not alphanumerics and '-' starting alphanumeric */
} mw_smtp_ehlo_cap;

/* Parses the text of an EHLO reply line after the first (RFC 5321 4.1.1.1
 * ehlo-line).  Iterate the params with mw_smtp_word_next. */
bool mw_smtp_ehlo_cap_parse(const uint8_t *buf, size_t len, mw_smtp_ehlo_cap *c);

/* Iterates space-separated words of buf[*pos..len); false when none is left. */
bool mw_smtp_word_next(const uint8_t *buf, size_t len, size_t *pos, mw_span *word);

#endif

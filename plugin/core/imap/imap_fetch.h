/* IMAP FETCH response data: the msg-att list of "* n FETCH (...)"
 * (RFC 9051 section 7.5.2, RFC 3516 BINARY, RFC 7162 MODSEQ).
 *
 * The iterator walks "name value" pairs of one text segment.  A value that is
 * a literal ends the segment: the caller consumes the literal (see
 * imap_frame.h) and resumes on the next segment with the lexer depth it had.
 * A list value with a literal inside (an ENVELOPE subject, say) is reported
 * with value_open set and finished, on resume, by a CONTINUED item.
 */
#ifndef MAILWIRE_CORE_IMAP_FETCH_H
#define MAILWIRE_CORE_IMAP_FETCH_H

#include "core/imap/imap_token.h"

typedef enum mw_imap_fetch_att {
    MW_IMAP_FA_UNKNOWN = 0,
    MW_IMAP_FA_CONTINUED, /* the rest of a list value that a literal interrupted */
    MW_IMAP_FA_UID, MW_IMAP_FA_FLAGS, MW_IMAP_FA_INTERNALDATE, MW_IMAP_FA_RFC822_SIZE,
    MW_IMAP_FA_ENVELOPE, MW_IMAP_FA_BODYSTRUCTURE, MW_IMAP_FA_BODY, MW_IMAP_FA_BINARY,
    MW_IMAP_FA_BINARY_SIZE, MW_IMAP_FA_RFC822, MW_IMAP_FA_RFC822_HEADER, MW_IMAP_FA_RFC822_TEXT,
    MW_IMAP_FA_MODSEQ,
    MW_IMAP_FA_COUNT
} mw_imap_fetch_att;

typedef enum mw_imap_value {
    MW_IMAP_VAL_NONE = 0, /* missing */
    MW_IMAP_VAL_NUMBER, MW_IMAP_VAL_ATOM, MW_IMAP_VAL_QUOTED, MW_IMAP_VAL_NIL,
    MW_IMAP_VAL_LIST,     /* span from "(" to ")" (or to the segment end if value_open) */
    MW_IMAP_VAL_LITERAL,  /* the value is the literal announced by lit */
} mw_imap_value;

typedef struct mw_imap_fetch_item {
    mw_imap_fetch_att att;
    size_t name_off, name_len;
    bool has_section;
    size_t section_off, section_len; /* inside the brackets */
    bool has_origin;                 /* "<n>" after the section */
    uint64_t origin;
    mw_imap_value value;
    size_t value_off, value_len;
    uint64_t num;                    /* NUMBER */
    mw_imap_lit lit;                 /* LITERAL */
    bool value_open;                 /* LIST: it goes on after a literal */
} mw_imap_fetch_item;

typedef struct mw_imap_fetch_iter {
    mw_imap_lexer lx;
    bool closed; /* the msg-att list's ")" was seen */
    bool failed;
} mw_imap_fetch_iter;

/* Start at buf[start], which should be the "(" after "FETCH" (r->text_off of
 * mw_imap_server_line).  Returns false when it is not a "(". */
bool mw_imap_fetch_begin(mw_imap_fetch_iter *it, const uint8_t *buf, size_t len, size_t start);

/* Continue on the segment that follows a literal; depth is it->lx.depth as
 * the previous segment left it. */
void mw_imap_fetch_resume(mw_imap_fetch_iter *it, const uint8_t *buf, size_t len,
                          unsigned depth);

/* Next item: 1 with *item filled, 0 at the end of the segment or of the list
 * (it->closed tells which), -1 on malformed data (it->failed stays set). */
int mw_imap_fetch_next(mw_imap_fetch_iter *it, mw_imap_fetch_item *item);

mw_imap_fetch_att mw_imap_fetch_att_lookup(const uint8_t *name, size_t len);

typedef enum mw_imap_sect {
    MW_IMAP_SECT_WHOLE = 0,      /* BODY[], BINARY[], RFC822: the whole message */
    MW_IMAP_SECT_HEADER,         /* HEADER, RFC822.HEADER */
    MW_IMAP_SECT_HEADER_FIELDS,  /* HEADER.FIELDS (...) */
    MW_IMAP_SECT_HEADER_FIELDS_NOT,
    MW_IMAP_SECT_TEXT,           /* TEXT, RFC822.TEXT */
    MW_IMAP_SECT_MIME,           /* n.MIME: a part's MIME header */
    MW_IMAP_SECT_PART,           /* n or n.m: a part's content */
    MW_IMAP_SECT_INVALID,
} mw_imap_sect;

/* Classify a section spec (the bytes inside the brackets).  *part_len gets
 * the length of the leading part number ("1.2"), 0 for none. */
mw_imap_sect mw_imap_section_classify(const uint8_t *s, size_t len, size_t *part_len);

/* What a body-carrying item holds: RFC822 and friends by name, BODY and
 * BINARY by section.  MW_IMAP_SECT_INVALID for other items. */
mw_imap_sect mw_imap_fetch_content(const uint8_t *buf, const mw_imap_fetch_item *item);

#endif

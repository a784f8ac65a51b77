/* Line scanning with line-ending classification.
 *
 * Mail protocols are CRLF-terminated lines, but real receivers also accept a
 * bare LF and some a bare CR.  The scanner accepts what receivers accept and
 * says exactly how each line ended, so the dissector can name every deviation.
 */
#ifndef MAILWIRE_CORE_LINES_H
#define MAILWIRE_CORE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mw_eol {
    MW_EOL_NONE = 0, /* no line end in the buffer (yet) */
    MW_EOL_CRLF,     /* the only correct one */
    MW_EOL_LF,       /* bare LF */
    MW_EOL_CR,       /* bare CR, only with MW_SCAN_CR_ENDS_LINE */
} mw_eol;

/* Facts about a line's content (line end excluded). */
enum {
    MW_LINE_BARE_CR = 1u << 0, /* a CR that is not part of the line end */
    MW_LINE_NUL = 1u << 1,     /* a NUL byte */
    MW_LINE_8BIT = 1u << 2,    /* a byte >= 0x80 */
    MW_LINE_CTRL = 1u << 3,    /* another control byte (not TAB) */
    MW_LINE_CRCRLF = 1u << 4,  /* the line ends in CR CR LF */
};

/* Scanner options. */
enum {
    MW_SCAN_CR_ENDS_LINE = 1u << 0, /* a CR followed by a byte other than LF ends the line */
};

typedef struct mw_line {
    size_t len;     /* content bytes, line end excluded */
    size_t eol_len; /* bytes of the line end: 0, 1 or 2 */
    mw_eol eol;
    unsigned flags; /* MW_LINE_* */
} mw_line;

/* Scan one line at buf[0..len).  Returns true with *line set when a line end
 * was found; false when the buffer ends first (line->len = len, eol NONE): the
 * caller needs more bytes.  A CR as the last byte is never taken as a bare CR
 * end, since the next byte may be its LF. */
bool mw_line_scan(const uint8_t *buf, size_t len, unsigned opts, mw_line *line);

/* Facts about buf[0..len) as MW_LINE_* flags (no line end inside expected). */
unsigned mw_bytes_flags(const uint8_t *buf, size_t len);

/* "CRLF", "LF", "CR" or "none". */
const char *mw_eol_name(mw_eol eol);

#endif

/* Line scanning with line-ending classification: see lines.h. */
#include "core/text/lines.h"

#include <string.h>

/* Per-byte class for the content flags: 0 for ordinary printable bytes. */
static unsigned byte_flag(uint8_t c)
{
    if (c >= 0x20 && c < 0x7f)
        return 0;
    if (c >= 0x80)
        return MW_LINE_8BIT;
    if (c == '\t')
        return 0;
    if (c == '\0')
        return MW_LINE_NUL;
    if (c == '\r')
        return MW_LINE_BARE_CR;
    return MW_LINE_CTRL;
}

unsigned mw_bytes_flags(const uint8_t *buf, size_t len)
{
    unsigned flags = 0;
    for (size_t i = 0; i < len; i++)
        flags |= byte_flag(buf[i]);
    return flags;
}

static bool finish(mw_line *line, size_t len, size_t eol_len, mw_eol eol, unsigned flags)
{
    line->len = len;
    line->eol_len = eol_len;
    line->eol = eol;
    line->flags = flags;
    return eol != MW_EOL_NONE;
}

bool mw_line_scan(const uint8_t *buf, size_t len, unsigned opts, mw_line *line)
{
    unsigned flags = 0;
    bool cr_pending = false; /* the previous byte was a CR not yet classified */
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        if (c == '\n') {
            if (cr_pending) {
                if (i > 1 && buf[i - 2] == '\r')
                    flags |= MW_LINE_CRCRLF;
                return finish(line, i - 1, 2, MW_EOL_CRLF, flags);
            }
            return finish(line, i, 1, MW_EOL_LF, flags);
        }
        if (cr_pending) {
            if (opts & MW_SCAN_CR_ENDS_LINE)
                return finish(line, i - 1, 1, MW_EOL_CR, flags);
            flags |= MW_LINE_BARE_CR;
        }
        cr_pending = c == '\r';
        if (!cr_pending)
            flags |= byte_flag(c);
    }
    if (cr_pending)
        flags |= MW_LINE_BARE_CR;
    return finish(line, len, 0, MW_EOL_NONE, flags);
}

const char *mw_eol_name(mw_eol eol)
{
    switch (eol) {
    case MW_EOL_CRLF:
        return "CRLF";
    case MW_EOL_LF:
        return "LF";
    case MW_EOL_CR:
        return "CR";
    case MW_EOL_NONE:
        break;
    }
    return "none";
}

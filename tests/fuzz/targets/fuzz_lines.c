/* mw_line_scan: every line found lies in the buffer, its end bytes are what
 * its eol kind says, and its flags match mw_bytes_flags of its content. */
#include "fuzz_util.h"
#include "core/text/lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    unsigned opts = fz_byte(&r) & 1u ? MW_SCAN_CR_ENDS_LINE : 0;
    uint8_t *buf = fz_dup(r.p, r.n);
    size_t len = r.n, pos = 0;
    while (pos < len) {
        mw_line line;
        bool got = mw_line_scan(buf + pos, len - pos, opts, &line);
        if (!got) {
            FZ_CHECK(line.eol == MW_EOL_NONE && line.len == len - pos);
            (void)mw_bytes_flags(buf + pos, len - pos);
            break;
        }
        FZ_SPAN_IN(line.len, line.eol_len, len - pos);
        const uint8_t *e = buf + pos + line.len;
        switch (line.eol) {
        case MW_EOL_CRLF: FZ_CHECK(line.eol_len == 2 && e[0] == '\r' && e[1] == '\n'); break;
        case MW_EOL_LF: FZ_CHECK(line.eol_len == 1 && e[0] == '\n'); break;
        case MW_EOL_CR:
            FZ_CHECK(opts & MW_SCAN_CR_ENDS_LINE);
            FZ_CHECK(line.eol_len == 1 && e[0] == '\r');
            break;
        default: FZ_CHECK(!"line found without an end");
        }
        FZ_CHECK(memchr(buf + pos, '\n', line.len) == NULL);
        unsigned f = mw_bytes_flags(buf + pos, line.len);
        FZ_CHECK((f & ~(unsigned)MW_LINE_CRCRLF) == (line.flags & ~(unsigned)MW_LINE_CRCRLF));
        FZ_CHECK(mw_eol_name(line.eol) != NULL);
        pos += line.len + line.eol_len;
    }
    free(buf);
    return 0;
}

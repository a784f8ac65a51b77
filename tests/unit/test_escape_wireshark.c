/* The ASCII escaper against Wireshark's own format_text, on the releases
 * where the plugin uses it in format_text's place (plugin/compat.h):
 * random ASCII of every length up to 64, and where they part (8-bit bytes)
 * the escaper says so. */
#include <stdlib.h>

#include <wireshark.h>
#include <epan/strutil.h>

#include "check.h"
#include "core/text/escape.h"

int main(void)
{
    uint8_t buf[72];
    char got[400];
    unsigned bad = 0, compared = 0;
    srand(11);
    for (int round = 0; round < 3000; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            int r = rand() % 100;
            buf[i] = (uint8_t)(r < 85 ? 0x20 + rand() % 95 : r < 97 ? rand() % 0x20
                                                                    : 0x7f + rand() % 0x81);
        }
        size_t len = (size_t)(rand() % 65);
        size_t n = mw_escape_ascii(buf, len, got, sizeof got);
        gboolean ascii = TRUE;
        for (size_t i = 0; i < len; i++)
            ascii &= buf[i] < 0x80;
        if (!ascii) {
            bad += n != MW_ESCAPE_UNDONE;
            continue;
        }
        char *want = (char *)format_text(NULL, (const guchar *)buf, len);
        compared++;
        if (n != strlen(want) || strcmp(got, want) != 0) {
            bad++;
            fprintf(stderr, "differs: got \"%s\", want \"%s\"\n", got, want);
        }
        wmem_free(NULL, want);
    }
    CHECK(compared > 1000);
    CHECK_EQ_INT(bad, 0);
    return CHECK_DONE();
}

/* The ASCII escaper: the text format_text gives, for every byte below 0x80,
 * at every length and alignment; UNDONE for 8-bit bytes and for text that
 * outgrows its room. */
#include <stdlib.h>

#include "check.h"
#include "core/text/escape.h"

/* format_text's rule for one byte below 0x80, written out plainly. */
static size_t reference(const uint8_t *in, size_t len, char *out, size_t room)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        const char *letter = NULL;
        switch (c) {
        case 7: letter = "\\a"; break;
        case 8: letter = "\\b"; break;
        case 9: letter = "\\t"; break;
        case 10: letter = "\\n"; break;
        case 11: letter = "\\v"; break;
        case 12: letter = "\\f"; break;
        case 13: letter = "\\r"; break;
        default: break;
        }
        if (c >= 0x20 && c <= 0x7e)
            out[o++] = (char)c;
        else if (letter)
            o += (size_t)snprintf(out + o, room - o, "%s", letter);
        else
            o += (size_t)snprintf(out + o, room - o, "\\%03o", c);
    }
    out[o] = '\0';
    return o;
}

static void test_examples(void)
{
    char out[64];
    CHECK_EQ_INT(mw_escape_ascii((const uint8_t *)"", 0, out, sizeof out), 0);
    CHECK(strcmp(out, "") == 0);
    const char *line = "MAIL FROM:<a@b>\r\n";
    size_t n = mw_escape_ascii((const uint8_t *)line, strlen(line), out, sizeof out);
    CHECK_EQ_INT(n, 19);
    CHECK(strcmp(out, "MAIL FROM:<a@b>\\r\\n") == 0);
    const uint8_t ctl[] = {0, 0x1b, 0x7f, '\\', '\t', '\v', '\a', '\b', '\f'};
    n = mw_escape_ascii(ctl, sizeof ctl, out, sizeof out);
    CHECK(strcmp(out, "\\000\\033\\177\\\\t\\v\\a\\b\\f") == 0);
    CHECK_EQ_INT(n, strlen("\\000\\033\\177\\\\t\\v\\a\\b\\f"));
    const char *utf8 = "caf\xc3\xa9 ok ok ok";
    CHECK_EQ_INT(mw_escape_ascii((const uint8_t *)utf8, strlen(utf8), out, sizeof out),
                 MW_ESCAPE_UNDONE);
    uint8_t high[16];
    memset(high, 'a', sizeof high);
    high[15] = 0xff; /* in the second word, after a plain first word */
    CHECK_EQ_INT(mw_escape_ascii(high, sizeof high, out, sizeof out), MW_ESCAPE_UNDONE);
}

/* Room: a text that fits exactly is done; one octet less of room is not. */
static void test_room(void)
{
    char out[256];
    const char *s = "ab\r\ncd\r\n"; /* 12 characters of text */
    CHECK_EQ_INT(mw_escape_ascii((const uint8_t *)s, 8, out, sizeof out), 12);
    const uint8_t nul[40] = {0}; /* 160 characters, more than any mail room */
    CHECK_EQ_INT(mw_escape_ascii(nul, sizeof nul, out, MW_ESCAPE_ROOM(sizeof nul)),
                 MW_ESCAPE_UNDONE);
    CHECK_EQ_INT(mw_escape_ascii(nul, sizeof nul, out, 161), 160);
    CHECK(out[160] == '\0');
    CHECK_EQ_INT(mw_escape_ascii(nul, sizeof nul, out, 160), MW_ESCAPE_UNDONE);
}

/* Random ASCII, mostly printable with line ends and a few controls, at every
 * length up to 64 and every alignment. */
static void test_random(void)
{
    uint8_t buf[80];
    char got[400], want[400];
    srand(7);
    unsigned bad = 0;
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            int r = rand() % 100;
            buf[i] = (uint8_t)(r < 80 ? 0x20 + rand() % 95 : r < 90 ? "\r\n"[rand() % 2]
                                                                    : rand() % 0x80);
        }
        for (size_t start = 0; start < 8; start++) {
            for (size_t len = 0; len + start <= 72; len++) {
                size_t w = reference(buf + start, len, want, sizeof want);
                size_t g = mw_escape_ascii(buf + start, len, got, sizeof got);
                if (g != w || strcmp(got, want) != 0)
                    bad++;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    test_examples();
    test_room();
    test_random();
    return CHECK_DONE();
}

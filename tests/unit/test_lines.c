/* Line scanning: every line end, every content flag, every split point. */
#include "check.h"
#include "core/text/lines.h"

static mw_line scan(const char *s, unsigned opts, bool *complete)
{
    mw_line line;
    *complete = mw_line_scan((const uint8_t *)s, strlen(s), opts, &line);
    return line;
}

static void test_line_ends(void)
{
    bool ok;
    mw_line l = scan("EHLO x\r\nQUIT\r\n", 0, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 6);
    CHECK_EQ_INT(l.eol, MW_EOL_CRLF);
    CHECK_EQ_INT(l.eol_len, 2);
    CHECK_EQ_INT(l.flags, 0);

    l = scan("EHLO x\nQUIT", 0, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 6);
    CHECK_EQ_INT(l.eol, MW_EOL_LF);
    CHECK_EQ_INT(l.eol_len, 1);

    l = scan("\r\n", 0, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 0);
    CHECK_EQ_INT(l.eol, MW_EOL_CRLF);

    l = scan("\n", 0, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 0);
    CHECK_EQ_INT(l.eol, MW_EOL_LF);
}

static void test_bare_cr(void)
{
    bool ok;
    /* Without the option a bare CR stays inside the line and is flagged. */
    mw_line l = scan("a\rb\r\n", 0, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 3);
    CHECK_EQ_INT(l.eol, MW_EOL_CRLF);
    CHECK(l.flags & MW_LINE_BARE_CR);

    /* With it, the CR ends the line. */
    l = scan("a\rb\r\n", MW_SCAN_CR_ENDS_LINE, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 1);
    CHECK_EQ_INT(l.eol, MW_EOL_CR);
    CHECK_EQ_INT(l.eol_len, 1);

    /* A CR as the last byte is pending: its LF may come in the next segment. */
    l = scan("abc\r", MW_SCAN_CR_ENDS_LINE, &ok);
    CHECK(!ok);
    CHECK_EQ_INT(l.len, 4);
    CHECK_EQ_INT(l.eol, MW_EOL_NONE);

    /* CR CR LF: a CRLF end with a bare CR before it. */
    l = scan("x\r\r\n", 0, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 2);
    CHECK_EQ_INT(l.eol, MW_EOL_CRLF);
    CHECK(l.flags & MW_LINE_CRCRLF);
    CHECK(l.flags & MW_LINE_BARE_CR);

    l = scan("x\r\r\n", MW_SCAN_CR_ENDS_LINE, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 1);
    CHECK_EQ_INT(l.eol, MW_EOL_CR);
}

static void test_content_flags(void)
{
    bool ok;
    mw_line l = scan("a\0b\r\n", 0, &ok);
    /* strlen stops at the NUL: scan explicitly. */
    const uint8_t nul[] = {'a', 0, 'b', '\r', '\n'};
    ok = mw_line_scan(nul, sizeof nul, 0, &l);
    CHECK(ok);
    CHECK_EQ_INT(l.len, 3);
    CHECK(l.flags & MW_LINE_NUL);

    l = scan("caf\xc3\xa9\tx\r\n", 0, &ok);
    CHECK(ok);
    CHECK_EQ_INT(l.flags, MW_LINE_8BIT);

    l = scan("a\x01\r\n", 0, &ok);
    CHECK(l.flags & MW_LINE_CTRL);
    CHECK_EQ_INT(mw_bytes_flags((const uint8_t *)"plain text", 10), 0);
}

static void test_incomplete(void)
{
    bool ok;
    mw_line l = scan("", 0, &ok);
    CHECK(!ok);
    CHECK_EQ_INT(l.len, 0);
    l = scan("no end", 0, &ok);
    CHECK(!ok);
    CHECK_EQ_INT(l.len, 6);
}

/* Every split of a CRLF stream gives the same lines when fed piece by piece
 * the way the dissector does: scan, and on incomplete wait for more. */
static void test_every_split(void)
{
    const char *stream = "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\nDATA\r\n";
    size_t n = strlen(stream);
    for (size_t cut = 0; cut <= n; cut++) {
        size_t off = 0, lines = 0, avail = cut;
        for (int round = 0; round < 2; round++) {
            mw_line l;
            while (off < avail && mw_line_scan((const uint8_t *)stream + off, avail - off, 0, &l)) {
                off += l.len + l.eol_len;
                lines++;
            }
            avail = n;
        }
        CHECK_EQ_INT(lines, 3);
        CHECK_EQ_INT(off, n);
    }
}

int main(void)
{
    test_line_ends();
    test_bare_cr();
    test_content_flags();
    test_incomplete();
    test_every_split();
    CHECK_EQ_INT(strcmp(mw_eol_name(MW_EOL_LF), "LF"), 0);
    return CHECK_DONE();
}

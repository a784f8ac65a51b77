/* Unit tests of the POP3 multiline body scanner. */
#include "check.h"
#include "core/body/pop_body.h"

#include <string.h>

/* Feed s in chunks of `step` bytes; collect output; return the end result. */
static mw_pop_body_result run(const char *s, size_t step, bool status_crlf, mw_pop_body *st,
                              char *out, size_t *out_len, size_t *consumed, unsigned *ncand)
{
    mw_pop_body_init(st, status_crlf);
    size_t len = strlen(s), pos = 0;
    *out_len = 0;
    *ncand = 0;
    mw_pop_body_result r;
    memset(&r, 0, sizeof r);
    while (pos < len) {
        size_t n = len - pos < step ? len - pos : step;
        mw_pop_body_event ev[2];
        r = mw_pop_body_feed(st, (const uint8_t *)s + pos, n, (uint8_t *)out + *out_len, ev, 2);
        *out_len += r.out_len;
        *ncand += (unsigned)r.nevents;
        pos += r.consumed;
        if (r.end)
            break;
    }
    *consumed = pos;
    return r;
}

static void strict_any_split(void)
{
    const char *s = "1 120\r\n..dot\r\n.x\r\n.\r\nNEXT";
    for (size_t step = 1; step < 30; step++) {
        mw_pop_body st;
        char out[64];
        size_t ol, consumed;
        unsigned nc;
        mw_pop_body_result r = run(s, step, true, &st, out, &ol, &consumed, &nc);
        CHECK(r.end);
        CHECK_EQ_INT(r.end_class, MW_POP_END_STRICT);
        CHECK_EQ_INT(consumed, strlen(s) - 4);
        CHECK_EQ_INT(r.end_offset, 18);
        CHECK_EQ_INT(st.lines, 3);
        CHECK_EQ_INT(st.stuffed, 1);
        CHECK_EQ_INT(st.bare_dot, 1);
        CHECK_SPAN(out, ol, "1 120\r\n.dot\r\nx\r\n");
        CHECK_EQ_INT(nc, 0);
    }
}

static void empty_body(void)
{
    mw_pop_body st;
    char out[8];
    size_t ol, consumed;
    unsigned nc;
    mw_pop_body_result r = run(".\r\n", 1, true, &st, out, &ol, &consumed, &nc);
    CHECK(r.end);
    CHECK_EQ_INT(r.end_class, MW_POP_END_STRICT);
    CHECK_EQ_INT(st.lines, 0);
    CHECK_EQ_INT(ol, 0);
    r = run(".\n", 1, false, &st, out, &ol, &consumed, &nc);
    CHECK(r.end);
    CHECK_EQ_INT(r.end_class, MW_POP_END_LF_LF);
}

static void lenient_ends(void)
{
    mw_pop_body st;
    char out[64];
    size_t ol, consumed;
    unsigned nc;
    mw_pop_body_result r = run("a\n.\r\nb", 3, true, &st, out, &ol, &consumed, &nc);
    CHECK(r.end);
    CHECK_EQ_INT(r.end_class, MW_POP_END_LF_CRLF);
    CHECK_EQ_INT(st.bare_lf, 1);
    CHECK_EQ_INT(consumed, 5);
    r = run("a\r\n.\nb", 2, true, &st, out, &ol, &consumed, &nc);
    CHECK(r.end);
    CHECK_EQ_INT(r.end_class, MW_POP_END_CRLF_LF);
    r = run("a\n.\nb", 1, true, &st, out, &ol, &consumed, &nc);
    CHECK_EQ_INT(r.end_class, MW_POP_END_LF_LF);
    CHECK_EQ_INT(st.lines, 1);
}

static void cr_candidates(void)
{
    mw_pop_body st;
    char out[128];
    size_t ol, consumed;
    unsigned nc;
    /* <CR>.<CR>, <CR>.<LF>, .<CR>x after CRLF, .<CR><CR><LF>, then the end. */
    const char *s = "a\r.\rb\r\nc\r.\n.\rz\r\n.\r\r\n.\r\n";
    mw_pop_body_result r = run(s, 1, true, &st, out, &ol, &consumed, &nc);
    CHECK(r.end);
    CHECK_EQ_INT(r.end_class, MW_POP_END_STRICT);
    CHECK_EQ_INT(nc, 4);
    CHECK_EQ_INT(st.candidates, 4);
    CHECK_SPAN(out, ol, "a\r.\rb\r\nc\r.\n\rz\r\n\r\r\n");
    /* crlf-garbage's server line: no end inside. */
    r = run("+\r\r..\r\r..x\r\r\n.\r\r\t\t'\nx\n", 1, false, &st, out, &ol, &consumed, &nc);
    CHECK(!r.end);
    CHECK_EQ_INT(st.lines, 3);
}

int main(void)
{
    strict_any_split();
    empty_body();
    lenient_ends();
    cr_candidates();
    return CHECK_DONE();
}

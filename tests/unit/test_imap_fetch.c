/* IMAP FETCH items: values of each kind, sections, literals across segments. */
#include "check.h"
#include "core/imap/imap_body.h"
#include "core/imap/imap_fetch.h"

/* name[section]<origin>=value per item, "|" at a segment end, "." at ")". */
static size_t walk(mw_imap_fetch_iter *it, const char *s, char *out, size_t cap)
{
    static const char vk[] = "-naqNLl";
    mw_imap_fetch_item item;
    size_t o = 0;
    int r = 0;
    while (o < cap - 128 && (r = mw_imap_fetch_next(it, &item)) == 1) {
        o += (size_t)snprintf(out + o, cap - o, "%.*s", (int)item.name_len, s + item.name_off);
        if (item.has_section)
            o += (size_t)snprintf(out + o, cap - o, "[%.*s]", (int)item.section_len,
                                  s + item.section_off);
        if (item.has_origin)
            o += (size_t)snprintf(out + o, cap - o, "<%llu>", (unsigned long long)item.origin);
        o += (size_t)snprintf(out + o, cap - o, "=%c:%.*s%s ", vk[item.value],
                              (int)item.value_len, s + item.value_off,
                              item.value_open ? "..." : "");
    }
    o += (size_t)snprintf(out + o, cap - o, "%s", r < 0 ? "!" : it->closed ? "." : "|");
    return o;
}

typedef struct fetch_row {
    const char *in, *want;
} fetch_row;

static const fetch_row fetch_rows[] = {
    {"(UID 5 FLAGS (\\Seen \\Answered) RFC822.SIZE 4286)",
     "UID=n:5 FLAGS=L:(\\Seen \\Answered) RFC822.SIZE=n:4286 ."},
    {"(INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" MODSEQ (624))",
     "INTERNALDATE=q:\"17-Jul-1996 02:44:25 -0700\" MODSEQ=L:(624) ."},
    {"(BODY[] {342}", "BODY[]=l:{342} |"},
    {"(BODY[HEADER.FIELDS (FROM TO)] {50}", "BODY[HEADER.FIELDS (FROM TO)]=l:{50} |"},
    {"(BODY[1.2.MIME]<0> \"x\")", "BODY[1.2.MIME]<0>=q:\"x\" ."},
    {"(BINARY[1] ~{3}", "BINARY[1]=l:~{3} |"},
    {"(BODY[TEXT] NIL)", "BODY[TEXT]=N:NIL ."},
    {"(RFC822.HEADER {10}", "RFC822.HEADER=l:{10} |"},
    {"(ENVELOPE (\"date\" {5}", "ENVELOPE=L:(\"date\" {5}... |"},
    {"(BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))",
     "BODYSTRUCTURE=L:(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92) ."},
    {"(X-GM-MSGID 1278455344230334865)", "X-GM-MSGID=n:1278455344230334865 ."},
    {"()", "."},
    {"UID 5", "!"},
    {"(UID", "!"},
    {"(BODY[HEADER", "!"},
    {"(BODY[]<x> NIL)", "!"},
    {"(\"UID\" 5)", "!"},
    {"(UID 5))", "UID=n:5 ."},
};

static void test_rows(void)
{
    char got[512];
    for (size_t i = 0; i < sizeof fetch_rows / sizeof fetch_rows[0]; i++) {
        const char *s = fetch_rows[i].in;
        mw_imap_fetch_iter it;
        mw_imap_fetch_begin(&it, (const uint8_t *)s, strlen(s), 0);
        size_t n = walk(&it, s, got, sizeof got);
        if (n != strlen(fetch_rows[i].want) || memcmp(got, fetch_rows[i].want, n) != 0)
            fprintf(stderr, "in %s\n", s);
        CHECK_SPAN(got, n, fetch_rows[i].want);
    }
}

/* "* 1 FETCH (UID 9 BODY[] {5}" literal ")" and an ENVELOPE interrupted. */
static void test_segments(void)
{
    char got[256];
    const char *line = "* 1 FETCH (UID 9 BODY[] {5}";
    mw_imap_fetch_iter it;
    CHECK(mw_imap_fetch_begin(&it, (const uint8_t *)line, strlen(line), 10));
    size_t n = walk(&it, line, got, sizeof got);
    CHECK_SPAN(got, n, "UID=n:9 BODY[]=l:{5} |");
    unsigned depth = it.lx.depth;
    CHECK_EQ_INT(depth, 1);
    const char *next = " FLAGS (\\Seen))";
    mw_imap_fetch_resume(&it, (const uint8_t *)next, strlen(next), depth);
    n = walk(&it, next, got, sizeof got);
    CHECK_SPAN(got, n, "FLAGS=L:(\\Seen) .");

    const char *env = "(ENVELOPE (\"d\" {3}";
    mw_imap_fetch_begin(&it, (const uint8_t *)env, strlen(env), 0);
    walk(&it, env, got, sizeof got);
    depth = it.lx.depth;
    CHECK_EQ_INT(depth, 2);
    const char *rest = " NIL ((NIL NIL \"a\" \"b\")) NIL) UID 4)";
    mw_imap_fetch_resume(&it, (const uint8_t *)rest, strlen(rest), depth);
    n = walk(&it, rest, got, sizeof got);
    CHECK_SPAN(got, n, "=L: NIL ((NIL NIL \"a\" \"b\")) NIL) UID=n:4 .");

    /* A resume at depth 0 has no list to be in. */
    mw_imap_fetch_resume(&it, (const uint8_t *)"x", 1, 0);
    n = walk(&it, "x", got, sizeof got);
    CHECK_SPAN(got, n, "!");
}

static void test_sections(void)
{
    typedef struct {
        const char *s;
        mw_imap_sect want;
        size_t part;
    } row;
    static const row rows[] = {
        {"", MW_IMAP_SECT_WHOLE, 0},
        {"HEADER", MW_IMAP_SECT_HEADER, 0},
        {"header", MW_IMAP_SECT_HEADER, 0},
        {"HEADER.FIELDS (FROM TO)", MW_IMAP_SECT_HEADER_FIELDS, 0},
        {"HEADER.FIELDS.NOT (X)", MW_IMAP_SECT_HEADER_FIELDS_NOT, 0},
        {"TEXT", MW_IMAP_SECT_TEXT, 0},
        {"1", MW_IMAP_SECT_PART, 1},
        {"1.2.10", MW_IMAP_SECT_PART, 6},
        {"1.2.MIME", MW_IMAP_SECT_MIME, 3},
        {"2.HEADER", MW_IMAP_SECT_HEADER, 1},
        {"2.TEXT", MW_IMAP_SECT_TEXT, 1},
        {"MIME", MW_IMAP_SECT_INVALID, 0},
        {"0", MW_IMAP_SECT_INVALID, 0},
        {"1.", MW_IMAP_SECT_INVALID, 1},
        {"1x", MW_IMAP_SECT_INVALID, 1},
        {"HEADERX", MW_IMAP_SECT_INVALID, 0},
        {"HEADER.FIELDSX", MW_IMAP_SECT_INVALID, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t part = 99;
        mw_imap_sect k =
            mw_imap_section_classify((const uint8_t *)rows[i].s, strlen(rows[i].s), &part);
        if (k != rows[i].want)
            fprintf(stderr, "section \"%s\": %d\n", rows[i].s, k);
        CHECK_EQ_INT(k, rows[i].want);
        CHECK_EQ_INT(part, rows[i].part);
    }
}

static void test_content(void)
{
    static const struct {
        const char *s;
        mw_imap_sect want;
    } rows[] = {
        {"(RFC822 {3}", MW_IMAP_SECT_WHOLE},   {"(RFC822.HEADER {3}", MW_IMAP_SECT_HEADER},
        {"(RFC822.TEXT {3}", MW_IMAP_SECT_TEXT}, {"(BODY[] {3}", MW_IMAP_SECT_WHOLE},
        {"(BINARY[] {3}", MW_IMAP_SECT_WHOLE}, {"(BODY[1.MIME] {3}", MW_IMAP_SECT_MIME},
        {"(BODY (\"TEXT\"))", MW_IMAP_SECT_INVALID}, {"(UID 3)", MW_IMAP_SECT_INVALID},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        mw_imap_fetch_iter it;
        mw_imap_fetch_item item;
        mw_imap_fetch_begin(&it, (const uint8_t *)rows[i].s, strlen(rows[i].s), 0);
        CHECK_EQ_INT(mw_imap_fetch_next(&it, &item), 1);
        CHECK_EQ_INT(mw_imap_fetch_content((const uint8_t *)rows[i].s, &item), rows[i].want);
    }
    CHECK_EQ_INT(mw_imap_fetch_att_lookup((const uint8_t *)"rfc822.size", 11),
                 MW_IMAP_FA_RFC822_SIZE);
    CHECK_EQ_INT(mw_imap_fetch_att_lookup((const uint8_t *)"", 0), MW_IMAP_FA_UNKNOWN);
}

/* Every prefix of every row terminates with spans inside it. */
static void test_prefixes(void)
{
    for (size_t i = 0; i < sizeof fetch_rows / sizeof fetch_rows[0]; i++) {
        const char *s = fetch_rows[i].in;
        for (size_t cut = 0; cut <= strlen(s); cut++) {
            uint8_t copy[128];
            memcpy(copy, s, cut);
            mw_imap_fetch_iter it;
            mw_imap_fetch_item item;
            mw_imap_fetch_begin(&it, copy, cut, 0);
            unsigned steps = 0;
            while (mw_imap_fetch_next(&it, &item) == 1 && steps < 100) {
                CHECK(item.value_off + item.value_len <= cut);
                CHECK(item.section_off + item.section_len <= cut);
                steps++;
            }
            CHECK(steps < 100);
        }
    }
}

/* BODYSTRUCTURE parts by position: a message/rfc822 with a multipart body. */
static void test_body_parts(void)
{
    static const char v[] =
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 1 NIL NIL NIL NIL)"
        "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 99 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL)"
        " ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"html\" NIL NIL NIL \"7bit\" 2 1)"
        " \"alternative\") 9) \"mixed\" (\"boundary\" \"b\") NIL (\"en\") NIL) tail";
    static mw_imap_body b;
    mw_imap_body_parse((const uint8_t *)v, strlen(v), 0, &b);
    CHECK(b.complete);
    CHECK(b.n == 6);
    CHECK(strcmp(b.part[5].section, "2.2") == 0);
    CHECK(strcmp(b.part[0].section, "") == 0 && b.part[0].multipart && b.part[0].children == 2);
    CHECK(strcmp(b.part[1].section, "1") == 0 && b.part[1].f[MW_IMAP_BF_LINES].num == 1);
    CHECK(strcmp(b.part[2].section, "2") == 0 && b.part[2].f[MW_IMAP_BF_LINES].num == 9);
    CHECK(strcmp(b.part[3].section, "2") == 0 && b.part[3].message_body && b.part[3].multipart);
    CHECK(strcmp(b.part[4].section, "2.1") == 0 && b.part[4].parent == 3);
    CHECK(b.part[0].f[MW_IMAP_BF_LANGUAGE].kind == MW_IMAP_TOK_LIST_OPEN);
    CHECK(v[b.end - 1] == ')' && strncmp(v + b.end, " tail", 5) == 0);
    /* Nesting past the bound is skipped, not recursed into. */
    char deep[4096];
    size_t n = 0;
    for (int i = 0; i < 40; i++)
        deep[n++] = '(';
    n += (size_t)sprintf(deep + n, "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1");
    for (int i = 0; i < 40; i++)
        n += (size_t)sprintf(deep + n, " \"mixed\")");
    mw_imap_body_parse((const uint8_t *)deep, n, 0, &b);
    CHECK(b.complete && b.too_deep);
    CHECK(b.n == MW_IMAP_BODY_MAX_DEPTH + 1);
    /* Cut before its end: not complete. */
    mw_imap_body_parse((const uint8_t *)v, 40, 0, &b);
    CHECK(!b.complete);
}

int main(void)
{
    test_body_parts();
    test_rows();
    test_segments();
    test_sections();
    test_content();
    test_prefixes();
    return CHECK_DONE();
}

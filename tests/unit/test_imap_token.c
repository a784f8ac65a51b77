/* IMAP tokens: one row per byte pattern, written as a compact transcript. */
#include "check.h"
#include "core/imap/imap_token.h"

/* One letter per kind, then the token text. */
static size_t lex_all(const char *s, unsigned max_depth, char *out, size_t cap)
{
    static const char letter[] = "EANn\"()[]LX";
    mw_imap_lexer lx;
    mw_imap_tok t;
    size_t o = 0;
    mw_imap_lexer_init(&lx, (const uint8_t *)s, strlen(s), 0, 0, max_depth);
    do {
        mw_imap_lex_next(&lx, &t);
        o += (size_t)snprintf(out + o, cap - o, "%s%c%u:%.*s", o ? " " : "", letter[t.kind],
                              t.depth, (int)t.len, s + t.off);
        if (t.kind == MW_IMAP_TOK_ERROR)
            o += (size_t)snprintf(out + o, cap - o, "#%d", (int)t.err);
    } while (t.kind != MW_IMAP_TOK_END && t.kind != MW_IMAP_TOK_ERROR && o < cap);
    return o;
}

typedef struct lex_row {
    const char *name, *in, *want;
} lex_row;

static const lex_row lex_rows[] = {
    {"empty", "", "E0:"},
    {"atoms", "FLAGS \\Seen $Junk", "A0:FLAGS A0:\\Seen A0:$Junk E0:"},
    {"number and nil", "12 nil NIL 007", "N0:12 n0:nil n0:NIL N0:007 E0:"},
    {"quoted", "\"a b\" \"\"", "\"0:\"a b\" \"0:\"\" E0:"},
    {"escapes", "\"say \\\"hi\\\" \\\\\" x", "\"0:\"say \\\"hi\\\" \\\\\" A0:x E0:"},
    {"list", "(\\Seen \\Answered)", "(1:( A1:\\Seen A1:\\Answered )0:) E0:"},
    {"section", "BODY[HEADER.FIELDS (FROM TO)]<0>",
     "A0:BODY [0:[ A0:HEADER.FIELDS (1:( A1:FROM A1:TO )0:) ]0:] A0:<0> E0:"},
    {"literal", "a LOGIN {5}", "A0:a A0:LOGIN L0:{5} E0:"},
    {"literal8 plus", "(~{3+}", "(1:( L1:~{3+} E1:"},
    {"depth 5", "(((((x)))))",
     "(1:( (2:( (3:( (4:( (5:( A5:x )4:) )3:) )2:) )1:) )0:) E0:"},
    {"too deep", "((((((x", "(1:( (2:( (3:( (4:( (5:( X5:(#2"},
    {"unbalanced", "a)", "A0:a X0:)#3"},
    {"unterminated", "\"abc", "X0:\"abc#1"},
    {"escaped end", "\"abc\\\"", "X0:\"abc\\\"#1"},
    {"bad literal", "{abc}", "X0:{abc}#4"},
    {"unclosed literal", "x {12", "A0:x X0:{#4"},
    {"tilde atom", "~x", "A0:~x E0:"},
    {"control", "a \x01", "A0:a X0:\x01#5"},
    {"wildcards", "\"\" %/* *", "\"0:\"\" A0:%/* A0:* E0:"},
    {"adjacent", "(a)(b)", "(1:( A1:a )0:) (1:( A1:b )0:) E0:"},
    {"8bit atom", "caf\xc3\xa9", "A0:caf\xc3\xa9 E0:"},
    {"big number", "99999999999999999999", "N0:99999999999999999999 E0:"},
};

static void test_rows(void)
{
    char got[512];
    for (size_t i = 0; i < sizeof lex_rows / sizeof lex_rows[0]; i++) {
        const lex_row *r = &lex_rows[i];
        size_t n = lex_all(r->in, 5, got, sizeof got);
        if (n != strlen(r->want) || memcmp(got, r->want, n) != 0)
            fprintf(stderr, "row %s: got %.*s\n", r->name, (int)n, got);
        CHECK_SPAN(got, n, r->want);
    }
}

static void test_token_facts(void)
{
    mw_imap_lexer lx;
    mw_imap_tok t;
    const char *s = "\"a\\\"b\"  \"c\\d\" \"\x80\x01\" 99999999999999999999 {7}";
    mw_imap_lexer_init(&lx, (const uint8_t *)s, strlen(s), 0, 0, 0);
    CHECK_EQ_INT(lx.max_depth, MW_IMAP_DEPTH_DEFAULT);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_QUOTED);
    CHECK_EQ_INT(t.flags, MW_IMAP_TOK_ESCAPED);
    CHECK(!t.space_before);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_QUOTED);
    CHECK_EQ_INT(t.flags, MW_IMAP_TOK_BAD_ESCAPE | MW_IMAP_TOK_SPACES);
    CHECK(t.space_before);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_QUOTED);
    CHECK_EQ_INT(t.flags, MW_IMAP_TOK_8BIT | MW_IMAP_TOK_CTL);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_NUMBER);
    CHECK(t.num == UINT64_MAX);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_LITERAL);
    CHECK_EQ_INT(t.lit.size, 7);
    CHECK_EQ_INT(t.lit.off, t.off);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_END);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_END);

    /* After an error every call returns the error again, without moving. */
    mw_imap_lexer_init(&lx, (const uint8_t *)")x", 2, 0, 0, 0);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_ERROR);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_ERROR);
    CHECK_EQ_INT(lx.pos, 0);

    /* A segment after a literal inside a list starts at that depth. */
    mw_imap_lexer_init(&lx, (const uint8_t *)" x))", 4, 0, 2, 0);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_ATOM);
    CHECK_EQ_INT(t.depth, 2);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_LIST_CLOSE);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_LIST_CLOSE);
    CHECK_EQ_INT(t.depth, 0);

    /* Start past the end is clamped. */
    mw_imap_lexer_init(&lx, (const uint8_t *)"x", 1, 5, 0, 0);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_END);
}

static void test_skip_list(void)
{
    const char *s = "(a (b \"c)\" (d)) e) f (g {3}";
    mw_imap_lexer lx;
    mw_imap_tok t;
    mw_imap_lexer_init(&lx, (const uint8_t *)s, strlen(s), 0, 0, 0);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_LIST_OPEN);
    CHECK_EQ_INT(mw_imap_lex_skip_list(&lx, t.depth, &t), MW_IMAP_TOK_LIST_CLOSE);
    CHECK_EQ_INT(t.off, 17);
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_ATOM);
    CHECK_SPAN(s + t.off, t.len, "f");
    CHECK_EQ_INT(mw_imap_lex_next(&lx, &t), MW_IMAP_TOK_LIST_OPEN);
    CHECK_EQ_INT(mw_imap_lex_skip_list(&lx, t.depth, &t), MW_IMAP_TOK_END);
    CHECK_EQ_INT(lx.depth, 1);
}

static void test_unquote(void)
{
    uint8_t out[16];
    const char *q = "\"say \\\"hi\\\" \\\\\"";
    size_t n = mw_imap_unquote((const uint8_t *)q, strlen(q), out, sizeof out);
    CHECK_SPAN(out, n, "say \"hi\" \\");
    /* Too small a buffer: the full length is returned, the prefix written. */
    n = mw_imap_unquote((const uint8_t *)q, strlen(q), out, 3);
    CHECK_EQ_INT(n, 10);
    CHECK_SPAN(out, 3, "say");
    n = mw_imap_unquote((const uint8_t *)"\"\"", 2, out, sizeof out);
    CHECK_EQ_INT(n, 0);
    n = mw_imap_unquote((const uint8_t *)"atom", 4, out, sizeof out);
    CHECK_SPAN(out, n, "atom");
    /* Unterminated or cut after a backslash: no overread. */
    n = mw_imap_unquote((const uint8_t *)"\"ab\\", 4, out, sizeof out);
    CHECK_SPAN(out, n, "ab\\");
    n = mw_imap_unquote((const uint8_t *)"\"", 1, out, sizeof out);
    CHECK_EQ_INT(n, 0);
    n = mw_imap_unquote(NULL, 0, NULL, 0);
    CHECK_EQ_INT(n, 0);
}

static void test_word_eq(void)
{
    CHECK(mw_imap_word_eq((const uint8_t *)"fetch", 5, "FETCH"));
    CHECK(!mw_imap_word_eq((const uint8_t *)"fetc", 4, "FETCH"));
    CHECK(!mw_imap_word_eq((const uint8_t *)"fetchx", 6, "FETCH"));
    CHECK(mw_imap_word_eq((const uint8_t *)"", 0, ""));
}

/* Every prefix of every row lexes without reading past its end. */
static void test_prefixes(void)
{
    for (size_t i = 0; i < sizeof lex_rows / sizeof lex_rows[0]; i++) {
        const char *s = lex_rows[i].in;
        size_t n = strlen(s);
        for (size_t cut = 0; cut <= n; cut++) {
            uint8_t copy[128];
            memcpy(copy, s, cut);
            mw_imap_lexer lx;
            mw_imap_tok t;
            mw_imap_lexer_init(&lx, copy, cut, 0, 0, 3);
            unsigned steps = 0;
            while (mw_imap_lex_next(&lx, &t) != MW_IMAP_TOK_END && t.kind != MW_IMAP_TOK_ERROR)
                steps++;
            CHECK(steps <= cut);
            CHECK(t.off + t.len <= cut);
        }
    }
}

/* SEARCH numbers counted over a line cut anywhere. */
static void test_numcount(void)
{
    const char *line = "* SEARCH 1 22 333 (MODSEQ 917) 4444 x5 55555\r\n";
    size_t n = strlen(line);
    for (size_t cut = 0; cut <= n; cut++) {
        mw_imap_numcount c;
        mw_imap_numcount_init(&c);
        mw_imap_numcount_feed(&c, (const uint8_t *)line, cut);
        mw_imap_numcount_feed(&c, (const uint8_t *)line + cut, n - cut);
        mw_imap_numcount_end(&c);
        CHECK(c.count == 5);
        CHECK(c.last == 55555);
    }
    mw_imap_numcount c;
    mw_imap_numcount_init(&c);
    mw_imap_numcount_feed(&c, (const uint8_t *)"* SEARCH 7", 10);
    mw_imap_numcount_end(&c);
    CHECK(c.count == 1 && c.last == 7);
}

int main(void)
{
    test_numcount();
    test_rows();
    test_token_facts();
    test_skip_list();
    test_unquote();
    test_word_eq();
    test_prefixes();
    return CHECK_DONE();
}

/* BODYSTRUCTURE named by position (imap_body.h): recursive descent over the
 * tokens, bounded in depth and parts. */
#include "core/imap/imap_body.h"

#include <stdio.h>
#include <string.h>

typedef struct bparse {
    mw_imap_lexer lx;
    mw_imap_tok tok;    /* the current token */
    mw_imap_body *out;
    bool failed;
} bparse;

static void advance(bparse *bp)
{
    if (mw_imap_lex_next(&bp->lx, &bp->tok) == MW_IMAP_TOK_END ||
        bp->tok.kind == MW_IMAP_TOK_ERROR || bp->tok.kind == MW_IMAP_TOK_LITERAL)
        bp->failed = true;
}

/* Take the current token or list (up to its ")") as a field. */
static void take(bparse *bp, mw_imap_bfield *f)
{
    if (bp->failed)
        return;
    f->kind = bp->tok.kind;
    f->off = bp->tok.off;
    f->len = bp->tok.len;
    f->num = bp->tok.num;
    if (bp->tok.kind == MW_IMAP_TOK_LIST_OPEN) {
        mw_imap_tok last;
        if (mw_imap_lex_skip_list(&bp->lx, bp->tok.depth, &last) != MW_IMAP_TOK_LIST_CLOSE) {
            bp->failed = true;
            return;
        }
        f->len = last.off + last.len - f->off;
    }
    advance(bp);
}

static bool at_close(const bparse *bp)
{
    return bp->failed || bp->tok.kind == MW_IMAP_TOK_LIST_CLOSE;
}

static bool word_is(const uint8_t *buf, const mw_imap_bfield *f, const char *w)
{
    if (f->kind == MW_IMAP_TOK_QUOTED && f->len >= 2)
        return mw_imap_word_eq(buf + f->off + 1, f->len - 2, w);
    return f->kind == MW_IMAP_TOK_ATOM && mw_imap_word_eq(buf + f->off, f->len, w);
}

static void child_section(char *dst, size_t cap, const char *parent, unsigned k)
{
    if (parent[0])
        snprintf(dst, cap, "%s.%u", parent, k);
    else
        snprintf(dst, cap, "%u", k);
}

/* The current token is the part's "(".  section: its number ("" for a
 * multipart at the top or the multipart body of a message). */
static void parse_part(bparse *bp, int parent, unsigned depth, const char *section, bool message_body)
{
    mw_imap_body *out = bp->out;
    mw_imap_bpart scratch, *pt = &scratch;
    int idx = -1;
    if (out->n < MW_IMAP_BODY_MAX_PARTS) {
        idx = (int)out->n++;
        pt = &out->part[idx];
    } else {
        out->too_many = true;
    }
    memset(pt, 0, sizeof *pt);
    pt->parent = parent;
    pt->depth = depth;
    pt->message_body = message_body;
    snprintf(pt->section, sizeof pt->section, "%s", section);
    pt->off = bp->tok.off;
    unsigned open_depth = bp->tok.depth;
    if (depth >= MW_IMAP_BODY_MAX_DEPTH) {
        /* Named no further: skipped whole. */
        pt->too_deep = out->too_deep = true;
        mw_imap_bfield f = {0};
        take(bp, &f);
        pt->len = f.len;
        return;
    }
    advance(bp);
    if (!bp->failed && bp->tok.kind == MW_IMAP_TOK_LIST_OPEN) {
        pt->multipart = true;
        while (!bp->failed && bp->tok.kind == MW_IMAP_TOK_LIST_OPEN) {
            char cs[64];
            child_section(cs, sizeof cs, section, ++pt->children);
            parse_part(bp, idx, depth + 1, cs, false);
        }
        take(bp, &pt->f[MW_IMAP_BF_SUBTYPE]);
        static const int ext[] = {MW_IMAP_BF_PARAMS, MW_IMAP_BF_DISPOSITION, MW_IMAP_BF_LANGUAGE,
                                  MW_IMAP_BF_LOCATION};
        for (size_t i = 0; i < sizeof ext / sizeof ext[0] && !at_close(bp); i++)
            take(bp, &pt->f[ext[i]]);
    } else {
        static const int head[] = {MW_IMAP_BF_TYPE, MW_IMAP_BF_SUBTYPE, MW_IMAP_BF_PARAMS,
                                   MW_IMAP_BF_ID, MW_IMAP_BF_DESCRIPTION, MW_IMAP_BF_ENCODING,
                                   MW_IMAP_BF_SIZE};
        for (size_t i = 0; i < sizeof head / sizeof head[0] && !at_close(bp); i++)
            take(bp, &pt->f[head[i]]);
        const uint8_t *buf = bp->lx.buf;
        if (word_is(buf, &pt->f[MW_IMAP_BF_TYPE], "message") &&
            (word_is(buf, &pt->f[MW_IMAP_BF_SUBTYPE], "rfc822") ||
             word_is(buf, &pt->f[MW_IMAP_BF_SUBTYPE], "global")) && !at_close(bp)) {
            take(bp, &pt->f[MW_IMAP_BF_ENVELOPE]);
            if (!at_close(bp) && bp->tok.kind == MW_IMAP_TOK_LIST_OPEN) {
                pt->children = 1;
                /* The body of a message: a multipart keeps the message's
                 * number, anything else is its part 1. */
                mw_imap_lexer peek = bp->lx;
                mw_imap_tok nt;
                bool multi = mw_imap_lex_next(&peek, &nt) == MW_IMAP_TOK_LIST_OPEN;
                char cs[64];
                if (multi)
                    snprintf(cs, sizeof cs, "%s", section);
                else
                    child_section(cs, sizeof cs, section, 1);
                parse_part(bp, idx, depth + 1, cs, true);
            }
            if (!at_close(bp))
                take(bp, &pt->f[MW_IMAP_BF_LINES]);
        } else if (word_is(buf, &pt->f[MW_IMAP_BF_TYPE], "text") && !at_close(bp)) {
            take(bp, &pt->f[MW_IMAP_BF_LINES]);
        }
        static const int ext[] = {MW_IMAP_BF_MD5, MW_IMAP_BF_DISPOSITION, MW_IMAP_BF_LANGUAGE,
                                  MW_IMAP_BF_LOCATION};
        for (size_t i = 0; i < sizeof ext / sizeof ext[0] && !at_close(bp); i++)
            take(bp, &pt->f[ext[i]]);
    }
    /* Extensions not known yet. */
    while (!at_close(bp)) {
        mw_imap_bfield f = {0};
        take(bp, &f);
    }
    if (bp->failed || bp->tok.depth + 1 != open_depth) {
        bp->failed = true;
        return;
    }
    pt->len = bp->tok.off + bp->tok.len - pt->off;
    advance(bp); /* past ")"; failing here is the caller's concern */
}

void mw_imap_body_parse(const uint8_t *buf, size_t len, size_t start, mw_imap_body *out)
{
    memset(out, 0, sizeof *out);
    if (start >= len || buf[start] != '(')
        return;
    bparse bp;
    memset(&bp, 0, sizeof bp);
    bp.out = out;
    /* Deep enough that nesting past MW_IMAP_BODY_MAX_DEPTH is skipped, not an error. */
    mw_imap_lexer_init(&bp.lx, buf, len, start, 0, 4096);
    advance(&bp);
    if (bp.failed || bp.tok.kind != MW_IMAP_TOK_LIST_OPEN)
        return;
    mw_imap_lexer peek = bp.lx;
    mw_imap_tok nt;
    bool multi = mw_imap_lex_next(&peek, &nt) == MW_IMAP_TOK_LIST_OPEN;
    parse_part(&bp, -1, 0, multi ? "" : "1", false);
    /* Whole when the top part's ")" was read (what follows may be the end
     * of the buffer). */
    if (out->n > 0 && out->part[0].len > 0) {
        out->complete = true;
        out->end = out->part[0].off + out->part[0].len;
    }
}

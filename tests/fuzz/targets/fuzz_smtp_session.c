/* The SMTP session machine on arbitrary transcripts: lines starting with 'C'
 * are the client's (without the 'C'), others the server's.  Fed whole and
 * again in pieces of a size taken from the first byte, the records are the
 * same; queue, phase and line numbers stay in range.  The same bytes read as
 * smuggled text are tiled by the lines of the lenient reading. */
#include "fuzz_util.h"
#include "core/smtp/smtp_session.h"
#include "core/text/lines.h"

typedef struct fz_sess {
    mw_smtp_replies rp;
    mw_smtp_txn tx;
    mw_smtp_chunks ch;
    bool in_chunk;
    uintptr_t ncmd, nline, ntxn;
    uint64_t digest;  /* of every record, in order */
} fz_sess;

static void mix(fz_sess *s, uint64_t v)
{
    s->digest = (s->digest ^ v) * 0x100000001b3ull;
}

static void line(fz_sess *s, const uint8_t *p, size_t n)
{
    if (n && p[0] == 'C') {
        mw_smtp_cmd cmd;
        uint8_t verb = mw_smtp_cmd_parse(p + 1, n - 1, &cmd) ? (uint8_t)cmd.verb : MW_SMTP_UNKNOWN;
        mix(s, mw_smtp_txn_check(&s->tx, verb, false));
        mix(s, mw_smtp_replies_command(&s->rp, ++s->ncmd, verb));
        if (verb == MW_SMTP_EHLO || verb == MW_SMTP_RSET)
            mw_smtp_txn_reset(&s->tx, verb == MW_SMTP_EHLO);
        else if (verb == MW_SMTP_MAIL && mw_smtp_txn_mail_opens(&s->tx))
            mw_smtp_txn_mail(&s->tx, ++s->ntxn, s->ncmd);
        else if (verb == MW_SMTP_RCPT)
            mw_smtp_txn_rcpt(&s->tx);
        else if (verb == MW_SMTP_BDAT) {
            mw_smtp_bdat b;
            mw_smtp_bdat_parse(p + 1 + cmd.args.off, cmd.args.len, &b);
            if (!b.error && b.size < 64)
                s->in_chunk = mw_smtp_bdat_begin(&s->ch, b.size, b.last);
        }
    } else {
        mw_smtp_reply_rec r;
        mw_smtp_replies_line(&s->rp, p, n, false, ++s->nline, false, &r);
        FZ_CHECK(r.line_no >= 1);
        FZ_CHECK(r.popped <= s->ncmd && r.cmd.tag <= s->ncmd);
        FZ_CHECK(!r.final || r.popped || r.greeting || r.unmatched || r.in_body || r.forgotten);
        if (r.parsed) {
            FZ_SPAN_IN(r.reply.text.off, r.reply.text.len, n);
            FZ_SPAN_IN(r.reply.esc.off, r.reply.esc.len, n);
        }
        if (r.final && r.cmd.tag)
            mw_smtp_txn_reply(&s->tx, r.cmd.verb, r.reply.code, r.cmd.tag);
        mix(s, ((uint64_t)r.tag << 32) ^ ((uint64_t)r.popped << 16) ^ r.line_no ^
                   ((uint64_t)r.final << 60) ^ ((uint64_t)r.code << 40));
    }
    FZ_CHECK(s->rp.len <= s->rp.cap && s->rp.cap <= MW_SMTP_PENDING_MAX);
    FZ_CHECK(s->tx.phase <= MW_SMTP_PHASE_DATA);
    mix(s, s->tx.phase ^ ((uint64_t)s->tx.nrcpt << 8) ^ ((uint64_t)s->tx.tag << 40));
}

/* Feed the transcript in pieces of `piece` bytes (0: whole), carrying an
 * incomplete line; chunk bytes of BDAT are consumed as they come. */
static uint64_t run(const uint8_t *b, size_t n, size_t piece)
{
    fz_sess s;
    memset(&s, 0, sizeof s);
    mw_smtp_replies_init(&s.rp);
    mw_smtp_txn_init(&s.tx);
    mw_smtp_bdat_reset(&s.ch);
    uint8_t *buf = (uint8_t *)malloc(n + 1);
    size_t have = 0;
    for (size_t o = 0; o < n;) {
        size_t k = piece && piece < n - o ? piece : n - o;
        memcpy(buf + have, b + o, k);
        have += k;
        o += k;
        size_t off = 0;
        for (;;) {
            if (s.in_chunk) {
                mw_smtp_chunk_step st = mw_smtp_bdat_feed(&s.ch, buf + off, have - off);
                off += st.consumed;
                if (!st.chunk_done)
                    break;
                mix(&s, s.ch.bare_cr ^ ((uint64_t)s.ch.bare_lf << 20) ^
                            ((uint64_t)s.ch.nul << 40) ^ ((uint64_t)st.message_done << 62));
                s.in_chunk = false;
                continue;
            }
            mw_line l;
            if (off >= have || !mw_line_scan(buf + off, have - off, 0, &l))
                break;
            line(&s, buf + off, l.len);
            off += l.len + l.eol_len;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
    }
    free(buf);
    mw_smtp_replies_free(&s.rp);
    return s.digest;
}

/* The lenient reading after a candidate: lines tile the bytes, in pieces. */
static void smuggle(const uint8_t *b, size_t n, size_t piece)
{
    mw_smtp_smuggle sm;
    memset(&sm, 0, sizeof sm);
    mw_smtp_smuggle_candidate(&sm);
    size_t covered = 0;
    for (size_t start = 0; start < n; start += piece) {
        size_t end = start + piece < n ? start + piece : n;
        size_t off = start;
        mw_smtp_smug_line ln;
        while (mw_smtp_smuggle_next(&sm, b, &off, end, &ln)) {
            FZ_CHECK(ln.off == covered && ln.next > ln.off && ln.next <= end);
            FZ_CHECK(ln.len <= ln.next - ln.off);
            covered = ln.next;
            mw_smtp_cmd cmd;
            if (ln.kind == MW_SMTP_SMUG_COMMAND && mw_smtp_cmd_parse(b + ln.off, ln.len, &cmd))
                mw_smtp_smuggle_command(&sm, (uint8_t)cmd.verb);
            FZ_CHECK(sm.phase <= MW_SMTP_SMUG_IN_BODY);
        }
    }
    FZ_CHECK(covered == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    size_t piece = (size_t)fz_byte(&r) % 9 + 1;
    uint64_t whole = run(r.p, r.n, 0);
    FZ_CHECK(run(r.p, r.n, piece) == whole);
    smuggle(r.p, r.n, piece);
    return 0;
}

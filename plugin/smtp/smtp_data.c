/* The message body: DATA (RFC 5321 4.1.1.4, dot-terminated and dot-stuffed)
 * and BDAT (RFC 3030, counted chunks).  Body bytes are consumed as each
 * segment comes (never carried, never rescanned): DATA through the core's
 * end-of-DATA classifier, which also unstuffs; the content is appended once
 * (first pass) to a buffer per message and handed to the message tree on the
 * frame that completes the message.
 */
#include <wireshark.h>
#include <epan/expert.h>

#include "mail/keep.h"
#include "mail/message_tree.h"
#include "mail/walk.h"
#include "smtp/smtp_int.h"
#include "engine/text.h"

/* A BDAT size above this is taken as a resynchronisation point, not a count. */
#define SMTP_BDAT_ABSURD G_GUINT64_CONSTANT(0xFFFFFFFF)

static int ett_smtp_data = -1;
static int ett_smtp_message = -1;

static int hf_smtp_data_fragment = -1;
static int hf_smtp_data_terminator = -1;
static int hf_smtp_data_size = -1;
static int hf_smtp_data_dot_stuffed = -1;
static int hf_smtp_data_early = -1;
static int hf_smtp_message = -1;
static int hf_smtp_bdat_size = -1;
static int hf_smtp_bdat_last = -1;
static int hf_smtp_bdat_chunk = -1;
static int hf_smtp_bdat_left = -1;

static expert_field ei_smtp_data_bare_cr = EI_INIT;
static expert_field ei_smtp_data_bare_lf = EI_INIT;
static expert_field ei_smtp_data_nul = EI_INIT;
static expert_field ei_smtp_data_long_line = EI_INIT;
static expert_field ei_smtp_data_incomplete = EI_INIT;
static expert_field ei_smtp_data_early = EI_INIT;
static expert_field ei_smtp_bdat_bad_size = EI_INIT;
static expert_field ei_smtp_bdat_bare_cr = EI_INIT;
static expert_field ei_smtp_bdat_bare_lf = EI_INIT;
static expert_field ei_smtp_bdat_nul = EI_INIT;

void smtp_message_reset(smtp_state *st)
{
    st->msg = NULL;
    st->msg_len = 0;
    st->gap_bytes = 0;
    mw_smtp_bdat_reset(&st->bdat);
    st->cl.confirmed = FALSE;
    mw_smtp_smuggle_reset(&st->smug);
    st->de_last_frame = 0;
    if (st->smug_msg) {
        wmem_destroy_array(st->smug_msg);
        st->smug_msg = NULL;
    }
}

/* The message buffer of this transaction, created at its first body byte. */
static void smtp_msg_open(smtp_call *sc)
{
    smtp_state *st = sc->st;
    if (st->msg)
        return;
    st->msg = (smtp_msg_buf *)smtp_rec(sc, sizeof(smtp_msg_buf));
    st->msg_len = 0;
}

static void smtp_msg_append(smtp_call *sc, const guint8 *p, guint32 n)
{
    smtp_state *st = sc->st;
    smtp_msg_buf *m = st->msg;
    if (!n || !m)
        return;
    if (m->len + n > m->cap) {
        guint32 cap = MAX(m->cap * 2, 256);
        while (cap < m->len + n)
            cap *= 2;
        m->data = (guint8 *)mw_keep_grow(m->data, cap);
        m->cap = cap;
    }
    memcpy(m->data + m->len, p, n);
    m->len += n;
    st->msg_len += n;
}

void smtp_data_begin(smtp_call *sc, guint32 frame)
{
    smtp_state *st = sc->st;
    smtp_message_reset(st);
    memset(&st->de, 0, sizeof st->de);
    mw_smtp_smuggle_body_begin(&st->smug);
    mw_smtp_client_body_begin(&st->cl);
    mw_smtp_txn_body(&st->tx);
    st->data_frame = frame;
    smtp_msg_open(sc);
}

void smtp_data_gap(smtp_state *st, guint32 missing)
{
    if (st->cl.mode == MW_SMTP_CLIENT_BDAT) {
        st->gap_bytes += missing;
        if (mw_smtp_bdat_gap(&st->bdat, missing))
            mw_smtp_client_chunk(&st->cl, FALSE);
    } else if (st->cl.mode == MW_SMTP_CLIENT_DATA) {
        st->gap_bytes += missing;
    }
}

static void smtp_count_expert(smtp_call *sc, smtp_node it, expert_field *ei, guint32 n,
                              const char *one, const char *many)
{
    if (n)
        so_mw_expert_format(sc, it, ei, "%u %s in this message", n, n == 1 ? one : many);
}

/* The frame that completes a message: hand it over and show the
 * transaction. */
static void smtp_message_end(smtp_call *sc, tvbuff_t *tvb, smtp_node anchor, gboolean bdat)
{
    smtp_state *st = sc->st;
    if (bdat) {
        smtp_count_expert(sc, anchor, &ei_smtp_bdat_bare_cr, st->bdat.bare_cr, "bare CR", "bare CRs");
        smtp_count_expert(sc, anchor, &ei_smtp_bdat_bare_lf, st->bdat.bare_lf, "bare LF", "bare LFs");
        smtp_count_expert(sc, anchor, &ei_smtp_bdat_nul, st->bdat.nul, "NUL byte", "NUL bytes");
    } else {
        const mw_dataend_counts *c = &st->de.counts;
        smtp_count_expert(sc, anchor, &ei_smtp_data_bare_cr, c->bare_cr, "bare CR", "bare CRs");
        smtp_count_expert(sc, anchor, &ei_smtp_data_bare_lf, c->bare_lf, "bare LF", "bare LFs");
        smtp_count_expert(sc, anchor, &ei_smtp_data_nul, c->nul, "NUL byte", "NUL bytes");
        smtp_count_expert(sc, anchor, &ei_smtp_data_long_line, c->long_lines,
                          "line over 998 octets (RFC 5322 2.1.1)",
                          "lines over 998 octets (RFC 5322 2.1.1)");
    }
    if (st->gap_bytes)
        so_expert_format(sc, anchor, &ei_smtp_data_incomplete,
                               "%u bytes of this message are missing from the capture",
                               st->gap_bytes);
    smtp_node mi = so_add_item(sc, sc->tree, hf_smtp_message, tvb, 0, 0, ENC_NA);
    so_set_generated(sc, mi);
    so_message_texts(sc, mi, st->msg_len, bdat);
    smtp_node mt = so_subtree(sc, mi, ett_smtp_message);
    smtp_node sz = so_add_uint(sc, mt, hf_smtp_data_size, tvb, 0, 0, st->msg_len);
    so_set_generated(sc, sz);
    if (!bdat) {
        /* lines the client began with ".." (RFC 5321 4.5.2), as POP3 counts them */
        const mw_dataend_counts *c = &st->de.counts;
        smtp_node ds = so_add_uint(sc, mt, hf_smtp_data_dot_stuffed, tvb, 0, 0,
                                   c->dot_stuffed - c->dot_single);
        so_set_generated(sc, ds);
    }

    /* the IMF tree and the recap are shown at render, from these */
    smtp_msg_view v;
    memset(&v, 0, sizeof v);
    if (st->msg && st->msg_len) {
        /* decided here, once: kept (perhaps deflated) or only shown now */
        v.kept = mw_keep_store_grown(sc->pinfo, st->msg->data, st->msg_len, TRUE);
        st->msg->data = NULL;
        st->msg->cap = 0;
        v.len = st->msg_len;
        /* parts and copies, once, from the bytes as kept (copies read them) */
        mail_walk_note(sc->ctx, mw_keep_bytes(sc->pinfo, v.kept), v.len);
    }
    v.txn = SMTP_TXN(st);
    v.nrcpt = v.txn ? MIN(st->tx.nrcpt, smtp_txn_nrcpts(v.txn)) : 0;
    so_message(sc, mt, &v);
}

/* ---- DATA ---------------------------------------------------------------- */

#define SMTP_EV_CAP 16
/* Output buffer of one scan step (the scan pauses when it fills). */
#define SMTP_SCAN_OUT 16384

/* Feed the body bytes to the classifier; returns the bytes consumed and
 * fills the events, mapped to the tvb. */
static gint smtp_data_scan(smtp_call *sc, tvbuff_t *tvb, gint offset, wmem_array_t *events,
                           gboolean *ended)
{
    smtp_state *st = sc->st;
    gint len = tvb_reported_length_remaining(tvb, offset);
    const guint8 *buf = tvb_get_ptr(tvb, offset, len);
    guint64 pos0 = st->de.pos;
    /* The unstuffed bytes go to the message through a bounded buffer: a
     * segment of many small messages must not cost its remaining length
     * for each of them. */
    size_t cap = (size_t)MIN(len, SMTP_SCAN_OUT) + MW_DATAEND_OUT_SLACK + 4;
    guint8 *out = (guint8 *)wmem_alloc(sc->pinfo->pool, cap);
    size_t done = 0;
    mw_dataend_event ev[SMTP_EV_CAP];
    *ended = FALSE;
    for (;;) {
        mw_dataend_result r = mw_dataend_feed(&st->de, buf + done, (size_t)len - done, ev,
                                              SMTP_EV_CAP, out, cap);
        done += r.consumed;
        smtp_msg_append(sc, out, (guint32)r.out_len);
        for (size_t i = 0; i < r.nevents; i++) {
            smtp_de_event e;
            e.cls = ev[i].cls;
            e.began_before = ev[i].offset < pos0;
            guint64 skip = e.began_before ? pos0 - ev[i].offset : 0;
            e.tvb_off = offset + (gint)(ev[i].offset + skip - pos0);
            e.len = ev[i].len > skip ? (gint)(ev[i].len - skip) : 0;
            wmem_array_append_one(events, e);
        }
        if (r.status == MW_DATAEND_END) {
            *ended = TRUE;
            break;
        }
        if (r.status == MW_DATAEND_NEED_MORE || (r.consumed == 0 && r.nevents == 0 &&
                                                 r.out_len == 0))
            break;
    }
    wmem_free(sc->pinfo->pool, out);
    return (gint)done;
}

/* The reply (SMTP) or replies (LMTP) the end of data waits for.  LMTP
 * answers once per accepted recipient, in RCPT order (RFC 2033 4.2); the
 * RCPT replies came before the 354 that let the body be sent. */
static void smtp_end_of_data_commands(smtp_call *sc, tvbuff_t *tvb)
{
    smtp_state *st = sc->st;
    const smtp_txn *txn = SMTP_TXN(st);
    guint queued = 0;
    if (st->lmtp && txn) {
        guint n = MIN(st->tx.nrcpt, smtp_txn_nrcpts(txn));
        for (guint i = 0; i < n; i++) {
            const smtp_rcpt *r = smtp_txn_rcpt(txn, i);
            if (!r->cmd || r->cmd->reply_code / 100 != 2)
                continue;
            smtp_cmd_rec *end = smtp_cmd_new_lmtp(sc, SMTP_VERB_END_OF_DATA, r->addr,
                                                  r->cmd->frame);
            smtp_cmd_show_links(sc, sc->tree, tvb, end);
            queued++;
        }
    }
    if (!queued) {
        smtp_cmd_rec *end = smtp_cmd_new(sc, SMTP_VERB_END_OF_DATA);
        smtp_cmd_show_links(sc, sc->tree, tvb, end);
    }
}

gint dissect_smtp_data_body(smtp_call *sc, tvbuff_t *tvb, gint offset)
{
    smtp_state *st = sc->st;
    wmem_array_t *events = wmem_array_new(sc->pinfo->pool, sizeof(smtp_de_event));
    gboolean ended;
    gboolean smug_at_start = st->smug.active;
    gint n = smtp_data_scan(sc, tvb, offset, events, &ended);
    smtp_node fi = so_add_item(sc, sc->tree, hf_smtp_data_fragment, tvb, offset, n, ENC_NA);
    so_data_texts(sc, fi, n, FALSE);
    smtp_node ft = so_subtree(sc, fi, ett_smtp_data);
    if (st->cl.early && !st->cl.confirmed) {
        smtp_node e = so_add_boolean(sc, ft, hf_smtp_data_early, tvb, offset, n, TRUE);
        so_set_generated(sc, e);
        so_expert(sc, e, &ei_smtp_data_early);
    }

    /* Candidates, and between them what a lenient receiver executes. */
    gint cur = offset;
    smtp_node term = SMTP_NODE_NONE;
    st->smug.active = smug_at_start;
    for (guint i = 0; i < wmem_array_get_count(events); i++) {
        const smtp_de_event *e = (const smtp_de_event *)wmem_array_index(events, i);
        if (st->smug.active && e->tvb_off > cur)
            dissect_smtp_smuggled(sc, tvb, sc->tree, cur, e->tvb_off);
        smtp_smuggled_message_end(sc, tvb, e);
        if (e->cls == MW_DATAEND_STRICT) {
            term = so_add_string_static(sc, ft, hf_smtp_data_terminator, tvb, e->tvb_off,
                                        e->len, "CRLF.CRLF");
            st->smug.active = FALSE;
            break;
        }
        dissect_smtp_candidate(sc, tvb, ft, e);
        st->de_last_cls = e->cls;
        st->de_last_frame = sc->pinfo->num;
        mw_smtp_smuggle_candidate(&st->smug);
        cur = e->tvb_off + e->len;
    }
    if (!ended) {
        if (st->smug.active && offset + n > cur)
            dissect_smtp_smuggled(sc, tvb, sc->tree, cur, offset + n);
        so_data_texts(sc, SMTP_NODE_NONE, n, TRUE);
        return offset + n;
    }
    smtp_message_end(sc, tvb, term != SMTP_NODE_NONE ? term : fi, FALSE);
    smtp_end_of_data_commands(sc, tvb);
    /* Replies beyond the visible commands will be those of a lenient
     * receiver that executed the smuggled ones. */
    mw_smtp_smuggle_strict_end(&st->smug);
    st->smug_frame = st->de_last_frame;
    st->smug_cls = (guint8)st->de_last_cls;
    sc->ctx->mid_line = FALSE; /* the terminator ended a line: commands start afresh */
    mw_smtp_client_body_end(&st->cl);
    mw_smtp_txn_end(&st->tx);
    smtp_message_reset(st);
    return offset + n;
}

/* ---- BDAT ---------------------------------------------------------------- */

static void smtp_bdat_complete(smtp_call *sc, tvbuff_t *tvb, smtp_node anchor)
{
    smtp_state *st = sc->st;
    smtp_message_end(sc, tvb, anchor, TRUE);
    mw_smtp_txn_end(&st->tx);
    smtp_message_reset(st);
}

void dissect_smtp_bdat(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *args,
                       gsize len, gboolean *more)
{
    smtp_state *st = sc->st;
    mw_smtp_bdat b;
    mw_smtp_bdat_parse(args, len, &b);
    *more = FALSE;
    if (b.error || b.size > SMTP_BDAT_ABSURD) {
        /* Not fetched from the bytes: the text is no 64-bit integer. */
        smtp_node it = so_add_uint64_format(
            sc, t, hf_smtp_bdat_size, tvb, off, (gint)len, b.error ? 0 : b.size, "Chunk size: %s",
            mw_tvb_format_text(sc->pinfo->pool, tvb, off, (gint)len));
        so_expert_format(sc, it, &ei_smtp_bdat_bad_size,
                               "BDAT size %s: %s; the following bytes are read as command lines",
                               mw_tvb_format_text(sc->pinfo->pool, tvb, off, (gint)len),
                               b.error ? b.error : "too large to be a real chunk");
        return;
    }
    so_add_uint64(sc, t, hf_smtp_bdat_size, tvb, off, (gint)len, b.size);
    if (b.last)
        so_add_boolean(sc, t, hf_smtp_bdat_last, tvb, off, (gint)len, TRUE);
    if (!st->msg) {
        smtp_message_reset(st);
        smtp_msg_open(sc);
        st->data_frame = sc->pinfo->num;
    }
    mw_smtp_txn_body(&st->tx);
    if (mw_smtp_bdat_begin(&st->bdat, b.size, b.last)) {
        mw_smtp_client_chunk(&st->cl, TRUE);
        *more = TRUE;
    } else if (b.last) {
        smtp_bdat_complete(sc, tvb, so_parent(sc, t));
    }
}

gint dissect_smtp_bdat_chunk(smtp_call *sc, tvbuff_t *tvb, gint offset)
{
    smtp_state *st = sc->st;
    gint rem = tvb_reported_length_remaining(tvb, offset);
    const guint8 *p = tvb_get_ptr(tvb, offset, rem);
    mw_smtp_chunk_step step = mw_smtp_bdat_feed(&st->bdat, p, (size_t)rem);
    gint n = (gint)step.consumed;
    smtp_node it = so_add_item(sc, sc->tree, hf_smtp_bdat_chunk, tvb, offset, n, ENC_NA);
    so_bdat_texts(sc, it, n, st->bdat.left);
    smtp_node ct = so_subtree(sc, it, ett_smtp_data);
    smtp_node l = so_add_uint64(sc, ct, hf_smtp_bdat_left, tvb, offset, n, st->bdat.left);
    so_set_generated(sc, l);
    smtp_msg_append(sc, p, (guint32)n);
    sc->ctx->mid_line = FALSE; /* a chunk is counted: the next command starts after it */
    if (step.chunk_done)
        mw_smtp_client_chunk(&st->cl, FALSE);
    if (step.message_done)
        smtp_bdat_complete(sc, tvb, it);
    return offset + n;
}

void smtp_data_register(int proto)
{
    static hf_register_info hf[] = {
        /* DATA */
        {&hf_smtp_data_fragment,
         {"Message data", "mail.smtp.data.fragment", FT_BYTES, BASE_NONE, NULL, 0x0,
          "DATA body bytes of this segment, as sent (dot-stuffed)", HFILL}},
        {&hf_smtp_data_terminator,
         {"End of data", "mail.smtp.data.terminator", FT_STRING, BASE_NONE, NULL, 0x0,
          "The bytes that ended the message (RFC 5321: only CRLF.CRLF)", HFILL}},
        {&hf_smtp_data_early,
         {"Sent before the DATA reply", "mail.smtp.data.early", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The client sent message text without waiting for 354", HFILL}},
        {&hf_smtp_message,
         {"Message", "mail.smtp.message", FT_NONE, BASE_NONE, NULL, 0x0,
          "The whole message, reassembled", HFILL}},
        {&hf_smtp_data_size,
         {"Message size", "mail.smtp.data.size", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Bytes of the message after dot-unstuffing", HFILL}},
        {&hf_smtp_data_dot_stuffed,
         {"Dot-stuffed lines", "mail.smtp.data.dot_stuffed", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Lines of the message the client began with an extra '.' (removed by unstuffing)",
          HFILL}},
        /* BDAT */
        {&hf_smtp_bdat_size,
         {"Chunk size", "mail.smtp.bdat.size", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_bdat_last,
         {"Last chunk", "mail.smtp.bdat.last", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_bdat_chunk,
         {"BDAT chunk data", "mail.smtp.bdat.chunk", FT_BYTES, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_smtp_bdat_left,
         {"Chunk bytes still to come", "mail.smtp.bdat.left", FT_UINT64, BASE_DEC, NULL, 0x0,
          NULL, HFILL}},
    };
    static gint *ett[] = {&ett_smtp_data, &ett_smtp_message};
    static ei_register_info ei[] = {
        {&ei_smtp_data_bare_cr,
         {"mail.smtp.data.bare_cr", PI_PROTOCOL, PI_WARN,
          "Bare CR in the message: receivers disagree on line ends (smuggling material)",
          EXPFILL}},
        {&ei_smtp_data_bare_lf,
         {"mail.smtp.data.bare_lf", PI_PROTOCOL, PI_WARN,
          "Bare LF in the message: receivers disagree on line ends (smuggling material)",
          EXPFILL}},
        {&ei_smtp_data_nul,
         {"mail.smtp.data.nul", PI_PROTOCOL, PI_WARN, "NUL bytes in the message", EXPFILL}},
        {&ei_smtp_data_long_line,
         {"mail.smtp.data.long_line", PI_PROTOCOL, PI_NOTE,
          "Lines over 998 octets: receivers may wrap or refuse them", EXPFILL}},
        {&ei_smtp_data_incomplete,
         {"mail.smtp.data.incomplete", PI_SEQUENCE, PI_WARN,
          "Bytes of the message are missing from the capture", EXPFILL}},
        {&ei_smtp_data_early,
         {"mail.smtp.data.unconfirmed", PI_SEQUENCE, PI_NOTE,
          "Message text sent before the server accepted DATA (RFC 2920 forbids pipelining "
          "past DATA)", EXPFILL}},
        {&ei_smtp_bdat_bad_size,
         {"mail.smtp.bdat.bad_size", PI_MALFORMED, PI_ERROR, "Unusable BDAT chunk size",
          EXPFILL}},
        {&ei_smtp_bdat_bare_cr,
         {"mail.smtp.bdat.bare_cr", PI_PROTOCOL, PI_WARN,
          "Bare CR inside BDAT chunks: no terminator with BDAT, but line ends change if the "
          "message is relayed with DATA",
          EXPFILL}},
        {&ei_smtp_bdat_bare_lf,
         {"mail.smtp.bdat.bare_lf", PI_PROTOCOL, PI_WARN,
          "Bare LF inside BDAT chunks: no terminator with BDAT, but line ends change if the "
          "message is relayed with DATA",
          EXPFILL}},
        {&ei_smtp_bdat_nul,
         {"mail.smtp.bdat.nul", PI_PROTOCOL, PI_NOTE, "NUL bytes inside BDAT chunks", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

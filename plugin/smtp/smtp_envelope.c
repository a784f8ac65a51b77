/* The SMTP envelope (RFC 5321 4.1.1.2-3, 4.1.2): MAIL FROM and RCPT TO
 * paths and their ESMTP parameters, the transaction they build, and on the
 * frame that completes a message the envelope again beside the message's own
 * From:/To:/Cc:, with what differs between the two.
 */
#include <wireshark.h>
#include <epan/expert.h>

#include "engine/heap.h"
#include "mail/message_tree.h"
#include "smtp/smtp_int.h"
#include "engine/text.h"

/* Recipients listed one by one in the recap of a message's last frame, and
 * named in the Bcc note: a transaction may carry a million, which would put
 * more items in one frame than Wireshark takes.  Every RCPT is still shown
 * (and filterable) in its own frame, and counted here and in statistics. */
#define RECAP_RCPT_SHOWN 1000
#define BCC_NAMED 20

static int ett_smtp_param = -1;
static int ett_smtp_envelope = -1;

static int hf_smtp_envelope_from = -1;
static int hf_smtp_envelope_rcpt = -1;
static int hf_smtp_envelope_null_sender = -1;
static int hf_smtp_envelope_route = -1;
static int hf_smtp_param = -1;
static int hf_smtp_param_name = -1;
static int hf_smtp_param_value = -1;
static int hf_smtp_envelope = -1;
static int hf_smtp_envelope_mail_frame = -1;
static int hf_smtp_envelope_rcpt_frame = -1;
static int hf_smtp_envelope_rcpt_reply = -1;
static int hf_smtp_envelope_rcpt_count = -1;

static expert_field ei_smtp_path_invalid = EI_INIT;
static expert_field ei_smtp_path_lenient = EI_INIT;
static expert_field ei_smtp_env_from_domain = EI_INIT;
static expert_field ei_smtp_env_bcc = EI_INIT;
static expert_field ei_smtp_env_from_missing = EI_INIT;
static expert_field ei_smtp_env_from_repeated = EI_INIT;
static expert_field ei_smtp_env_from_multiple = EI_INIT;
static expert_field ei_smtp_env_rcpt_summarised = EI_INIT;

static void smtp_params(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *p,
                        size_t len)
{
    size_t pos = 0;
    mw_smtp_param prm;
    while (mw_smtp_param_next(p, len, &pos, &prm)) {
        gint start = off + (gint)prm.keyword.off;
        gint end = prm.has_value ? off + (gint)(prm.value.off + prm.value.len) : start + (gint)prm.keyword.len;
        smtp_node it = so_add_item(sc, t, hf_smtp_param, tvb, start, end - start, ENC_NA);
        so_set_text(sc, it, "Parameter: %s",
                    mw_tvb_format_text(sc->pinfo->pool, tvb, start, end - start));
        smtp_node pt = so_subtree(sc, it, ett_smtp_param);
        char *kw = g_ascii_strup((const char *)p + prm.keyword.off, (gssize)prm.keyword.len);
        so_add_string(sc, pt, hf_smtp_param_name, tvb, start, (gint)prm.keyword.len,
                              wmem_strdup(sc->pinfo->pool, kw));
        g_free(kw);
        if (prm.has_value)
            so_add_item(sc, pt, hf_smtp_param_value, tvb, off + (gint)prm.value.off,
                                (gint)prm.value.len, ENC_UTF_8);
    }
}

/* Shows a path; returns the address (file scope when keep) or NULL. */
static const char *smtp_path(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *p,
                             gsize len, const char *keyword, int hf, gboolean *null_path)
{
    mw_smtp_path path;
    mw_smtp_path_parse(p, len, keyword, &path);
    *null_path = path.null_path;
    if (path.error) {
        smtp_node it = so_add_item(sc, t, hf, tvb, off, (gint)len, ENC_UTF_8);
        so_expert_format(sc, it, &ei_smtp_path_invalid, "Unusable %s path: %s",
                               keyword, path.error);
        return NULL;
    }
    /* kept for the transaction on the first pass; a replay (no state) shows it only */
    const char *addr = "<>";
    if (!path.null_path) {
        addr = (const char *)tvb_get_string_enc(sc->pinfo->pool, tvb, off + (gint)path.addr.off,
                                                (gint)path.addr.len, ENC_UTF_8);
        if (sc->st)
            addr = smtp_keep_string(sc, addr);
    }
    smtp_node it = so_add_string(sc, t, hf, tvb, off + (gint)path.addr.off,
                                           path.null_path ? 0 : (gint)path.addr.len, addr);
    if (path.null_path) {
        smtp_node n = so_add_boolean(sc, t, hf_smtp_envelope_null_sender, tvb, off, (gint)len, TRUE);
        so_set_generated(sc, n);
    }
    if (path.route.len)
        so_add_item(sc, t, hf_smtp_envelope_route, tvb, off + (gint)path.route.off,
                            (gint)path.route.len, ENC_ASCII);
    if (path.flags & (MW_SMTP_PATH_SPACE_AFTER_COLON | MW_SMTP_PATH_NO_BRACKETS))
        so_expert_format(sc, it, &ei_smtp_path_lenient, "%s path %s (RFC 5321 "
                               "4.1.2 requires \"%s:<address>\"; lenient servers accept it)",
                               keyword,
                               (path.flags & MW_SMTP_PATH_NO_BRACKETS) ? "without angle brackets"
                                                                       : "with a space after the colon",
                               keyword);
    if (path.params.len)
        smtp_params(sc, tvb, t, off + (gint)path.params.off, p + path.params.off, path.params.len);
    return addr;
}

/* Addresses of a transaction are many and short: copied into shared
 * file-scope blocks rather than allocated one by one (blocks grow from
 * SMTP_STR_BLOCK_FIRST, so that a short session takes little). */
#define SMTP_STR_BLOCK_FIRST 256
#define SMTP_STR_BLOCK 16384

const char *smtp_keep_string(smtp_call *sc, const char *s)
{
    smtp_state *st = sc->st;
    size_t n = strlen(s) + 1;
    if (n > SMTP_STR_BLOCK / 8)
        return wmem_strdup(wmem_file_scope(), s);
    if (n > st->str_left) {
        st->str_block_size = st->str_block_size ? MIN(st->str_block_size * 2, SMTP_STR_BLOCK)
                                                : SMTP_STR_BLOCK_FIRST;
        if (n > st->str_block_size)
            return wmem_strdup(wmem_file_scope(), s);
        st->str_block = (char *)wmem_alloc(wmem_file_scope(), st->str_block_size);
        st->str_left = st->str_block_size;
    }
    char *d = st->str_block;
    memcpy(d, s, n);
    st->str_block += n;
    st->str_left -= (guint)n;
    return d;
}

static smtp_cmd_rec *smtp_last_cmd(const smtp_state *st)
{
    return (smtp_cmd_rec *)mw_smtp_replies_newest(&st->rp).tag;
}

void dissect_smtp_mail(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *p,
                       gsize len)
{
    smtp_state *st = sc->st;
    gboolean null_path = FALSE;
    const char *addr = smtp_path(sc, tvb, t, off, p, len, "FROM", hf_smtp_envelope_from, &null_path);
    if (!st)
        return; /* render: shown again from the line's bytes */
    if (!mw_smtp_txn_mail_opens(&st->tx))
        return; /* nested MAIL: the server keeps the open transaction */
    smtp_txn *txn = smtp_txn_new(sc);
    txn->mail_frame = sc->pinfo->num;
    txn->from = addr ? addr : "";
    txn->null_sender = null_path;
    txn->mail_cmd = smtp_last_cmd(st);
    smtp_message_reset(st);
    mw_smtp_txn_mail(&st->tx, (uintptr_t)txn, (uintptr_t)txn->mail_cmd);
}

void dissect_smtp_rcpt(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *p,
                       gsize len)
{
    smtp_state *st = sc->st;
    gboolean null_path = FALSE;
    const char *addr = smtp_path(sc, tvb, t, off, p, len, "TO", hf_smtp_envelope_rcpt, &null_path);
    if (!st)
        return; /* render: shown again from the line's bytes */
    smtp_txn *txn = SMTP_TXN(st);
    if (!txn || !addr)
        return;
    smtp_txn_add_rcpt(txn, addr, smtp_last_cmd(st));
    mw_smtp_txn_rcpt(&st->tx);
}

smtp_txn *smtp_txn_new(smtp_call *sc)
{
    smtp_txn *txn = (smtp_txn *)smtp_rec(sc, sizeof *txn);
    txn->rcpts = &txn->one;
    txn->rcpt_cap = 1;
    return txn;
}

void smtp_txn_add_rcpt(smtp_txn *txn, const char *addr, smtp_cmd_rec *cmd)
{
    if (txn->nrcpts == txn->rcpt_cap) {
        DISSECTOR_ASSERT(txn->rcpt_cap <= G_MAXUINT32 / 2);
        guint32 cap = txn->rcpt_cap * 2;
        smtp_rcpt *more = (smtp_rcpt *)mw_heap_realloc(txn->rcpts == &txn->one ? NULL
                                                                              : txn->rcpts,
                                                       cap * sizeof *more);
        if (txn->rcpts == &txn->one)
            more[0] = txn->one;
        txn->rcpts = more;
        txn->rcpt_cap = cap;
    }
    smtp_rcpt *r = &txn->rcpts[txn->nrcpts++];
    r->addr = addr;
    r->cmd = cmd;
}

static const char *addr_domain(const char *a)
{
    const char *at = a ? strrchr(a, '@') : NULL;
    return at ? at + 1 : NULL;
}

static gboolean addr_in(const char *a, const mail_message_facts *f)
{
    for (guint i = 0; i < f->n_to_cc; i++)
        if (!g_ascii_strcasecmp(a, f->to_cc[i]))
            return TRUE;
    return FALSE;
}

/* Envelope against headers (RFC 5322 3.6.2: From: once; Sender: when From:
 * has several mailboxes). */
static void smtp_envelope_compare(packet_info *pinfo, proto_item *it, const smtp_txn *txn,
                                  guint nrcpt, const mail_message_facts *f)
{
    if (f->from_fields == 0)
        expert_add_info(pinfo, it, &ei_smtp_env_from_missing);
    else if (f->from_fields > 1)
        expert_add_info_format(pinfo, it, &ei_smtp_env_from_repeated,
                               "The message has %u From: fields (RFC 5322 allows one): readers "
                               "may show either", f->from_fields);
    /* More mailboxes than From: fields: some field names several (two
     * fields of one mailbox each are the repeated case above). */
    if (f->n_from > 1 && f->n_from > f->from_fields && !f->has_sender)
        expert_add_info_format(pinfo, it, &ei_smtp_env_from_multiple,
                               "From: names %u mailboxes and there is no Sender: (RFC 5322 "
                               "3.6.2 requires one)", f->n_from);
    const char *ed = txn->null_sender ? NULL : addr_domain(txn->from);
    const char *hd = f->n_from ? addr_domain(f->from[0]) : NULL;
    if (ed && hd && g_ascii_strcasecmp(ed, hd))
        expert_add_info_format(pinfo, it, &ei_smtp_env_from_domain,
                               "Envelope sender domain %s differs from the From: domain %s: "
                               "the reader sees a sender the envelope does not name", ed, hd);
    if (!f->parsed)
        return;
    wmem_strbuf_t *bcc = wmem_strbuf_new(pinfo->pool, "");
    guint nbcc = 0;
    for (guint i = 0; i < nrcpt; i++) {
        const smtp_rcpt *r = smtp_txn_rcpt(txn, i);
        if (addr_in(r->addr, f))
            continue;
        if (nbcc < BCC_NAMED)
            wmem_strbuf_append_printf(bcc, "%s%s", nbcc ? ", " : "", r->addr);
        nbcc++;
    }
    if (nbcc > BCC_NAMED)
        wmem_strbuf_append_printf(bcc, " and %u more", nbcc - BCC_NAMED);
    if (nbcc)
        expert_add_info_format(pinfo, it, &ei_smtp_env_bcc,
                               "%u envelope recipient%s not in To:/Cc: (Bcc, list or forward): %s",
                               nbcc, nbcc > 1 ? "s" : "", wmem_strbuf_get_str(bcc));
}

/* At render, from the transaction's records: nrcpt recipients of txn. */
void smtp_envelope_recap_render(packet_info *pinfo, tvbuff_t *tvb, proto_tree *tree,
                                const smtp_txn *txn, guint32 nrcpt,
                                const mail_message_facts *facts)
{
    proto_item *it = proto_tree_add_item(tree, hf_smtp_envelope, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(it);
    proto_item_set_text(it, "Envelope: from %s to %u recipient%s", txn->null_sender ? "<>" : txn->from,
                        nrcpt, nrcpt == 1 ? "" : "s");
    proto_tree *et = proto_item_add_subtree(it, ett_smtp_envelope);
    proto_item *g = proto_tree_add_string(et, hf_smtp_envelope_from, tvb, 0, 0, txn->from);
    proto_item_set_generated(g);
    if (txn->null_sender) {
        g = proto_tree_add_boolean(et, hf_smtp_envelope_null_sender, tvb, 0, 0, TRUE);
        proto_item_set_generated(g);
    }
    g = proto_tree_add_uint(et, hf_smtp_envelope_mail_frame, tvb, 0, 0, txn->mail_frame);
    proto_item_set_generated(g);
    guint known = MIN(nrcpt, smtp_txn_nrcpts(txn));
    g = proto_tree_add_uint(et, hf_smtp_envelope_rcpt_count, tvb, 0, 0, known);
    proto_item_set_generated(g);
    if (known > RECAP_RCPT_SHOWN)
        expert_add_info_format(pinfo, it, &ei_smtp_env_rcpt_summarised,
                               "%u of %u envelope recipients listed here; every one is shown in "
                               "its RCPT frame (mail.smtp.envelope.rcpt there), and statistics count "
                               "each RCPT", RECAP_RCPT_SHOWN, known);
    for (guint i = 0; i < known && i < RECAP_RCPT_SHOWN; i++) {
        const smtp_rcpt *r = smtp_txn_rcpt(txn, i);
        g = proto_tree_add_string(et, hf_smtp_envelope_rcpt, tvb, 0, 0, r->addr);
        proto_item_set_generated(g);
        proto_tree *rt = proto_item_add_subtree(g, ett_smtp_envelope);
        if (!r->cmd)
            continue;
        g = proto_tree_add_uint(rt, hf_smtp_envelope_rcpt_frame, tvb, 0, 0, r->cmd->frame);
        proto_item_set_generated(g);
        /* the command record's reply link, filled when its reply was parsed */
        if (r->cmd->reply_frame) {
            g = proto_tree_add_uint(rt, hf_smtp_envelope_rcpt_reply, tvb, 0, 0, r->cmd->reply_code);
            proto_item_set_generated(g);
        }
    }
    if (facts)
        smtp_envelope_compare(pinfo, it, txn, MIN(nrcpt, smtp_txn_nrcpts(txn)), facts);
}

void smtp_envelope_register(int proto)
{
    static hf_register_info hf[] = {
        /* paths */
        {&hf_smtp_envelope_from,
         {"Envelope sender", "mail.smtp.envelope.from", FT_STRING, BASE_NONE, NULL, 0x0,
          "MAIL FROM address without brackets; <> for the null sender", HFILL}},
        {&hf_smtp_envelope_rcpt,
         {"Envelope recipient", "mail.smtp.envelope.rcpt", FT_STRING, BASE_NONE, NULL, 0x0,
          "RCPT TO address without brackets", HFILL}},
        {&hf_smtp_envelope_null_sender,
         {"Null sender", "mail.smtp.envelope.null_sender", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "MAIL FROM:<> (bounces and notifications)", HFILL}},
        {&hf_smtp_envelope_route,
         {"Source route", "mail.smtp.envelope.route", FT_STRING, BASE_NONE, NULL, 0x0,
          "Obsolete source route (RFC 5321 4.1.2), ignored by servers", HFILL}},
        /* ESMTP parameters */
        {&hf_smtp_param,
         {"Parameter", "mail.smtp.param", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_param_name,
         {"Name", "mail.smtp.param.name", FT_STRING, BASE_NONE, NULL, 0x0,
          "SIZE, BODY, SMTPUTF8, RET, ENVID, NOTIFY, ORCPT, AUTH ...", HFILL}},
        {&hf_smtp_param_value,
         {"Value", "mail.smtp.param.value", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        /* the recap on the message's last frame */
        {&hf_smtp_envelope,
         {"Envelope", "mail.smtp.envelope", FT_NONE, BASE_NONE, NULL, 0x0,
          "The transaction this message was sent in", HFILL}},
        {&hf_smtp_envelope_mail_frame,
         {"MAIL in frame", "mail.smtp.envelope.mail_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_smtp_envelope_rcpt_frame,
         {"RCPT in frame", "mail.smtp.envelope.rcpt_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_smtp_envelope_rcpt_count,
         {"Recipients", "mail.smtp.envelope.rcpt_count", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Envelope recipients of the transaction (all of them, also those not listed)", HFILL}},
        {&hf_smtp_envelope_rcpt_reply,
         {"Reply code", "mail.smtp.envelope.rcpt_reply", FT_UINT16, BASE_DEC, NULL, 0x0,
          "The server's answer to this RCPT", HFILL}},
    };
    static gint *ett[] = {&ett_smtp_param, &ett_smtp_envelope};
    static ei_register_info ei[] = {
        {&ei_smtp_path_invalid,
         {"mail.smtp.envelope.invalid_path", PI_MALFORMED, PI_WARN, "Unusable path", EXPFILL}},
        {&ei_smtp_path_lenient,
         {"mail.smtp.envelope.lenient_path", PI_PROTOCOL, PI_NOTE, "Path syntax outside RFC 5321",
          EXPFILL}},
        {&ei_smtp_env_from_domain,
         {"mail.smtp.envelope.from_domain_differs", PI_SECURITY, PI_NOTE,
          "Envelope sender domain differs from the From: domain", EXPFILL}},
        {&ei_smtp_env_bcc,
         {"mail.smtp.envelope.rcpt_not_in_headers", PI_PROTOCOL, PI_NOTE,
          "Envelope recipients not in To:/Cc:", EXPFILL}},
        {&ei_smtp_env_from_missing,
         {"mail.smtp.envelope.header_from_missing", PI_PROTOCOL, PI_WARN,
          "The message has no From: field (RFC 5322 3.6 requires one)", EXPFILL}},
        {&ei_smtp_env_from_repeated,
         {"mail.smtp.envelope.header_from_repeated", PI_SECURITY, PI_WARN,
          "More than one From: field", EXPFILL}},
        {&ei_smtp_env_from_multiple,
         {"mail.smtp.envelope.header_from_multiple", PI_PROTOCOL, PI_WARN,
          "Several From: mailboxes and no Sender:", EXPFILL}},
        {&ei_smtp_env_rcpt_summarised,
         {"mail.smtp.envelope.rcpt_summarised", PI_PROTOCOL, PI_NOTE,
          "More envelope recipients than the recap lists: the rest are counted", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

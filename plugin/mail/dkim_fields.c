/* DKIM-Signature fields: see dkim_fields.h. */
#include <wireshark.h>
#include <epan/charsets.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/wmem_scopes.h>

#include "core/mail/dkim.h"
#include "mail/dkim_fields.h"

/* Signatures checked per message (a message rarely carries more than 3). */
#define SIGS_MAX 8

typedef struct dkim_one {
    guint32 off, len;        /* the DKIM-Signature field in the message */
    const char *domain, *selector;
    gboolean parsed_ok;
    gboolean body_checked, body_ok;
    guint64 unsigned_len;
    gboolean has_l;
} dkim_one;

struct mail_dkim {
    guint n;                 /* signatures in the message */
    guint kept;
    dkim_one sigs[SIGS_MAX];
};

static int hf_dkim = -1;
static int hf_dkim_domain = -1;
static int hf_dkim_selector = -1;
static int hf_dkim_body_hash = -1;
static int hf_dkim_signature = -1;
static int hf_dkim_unsigned = -1;
static int ett_dkim = -1;
static expert_field ei_dkim_body_altered = EI_INIT;
static expert_field ei_dkim_appended = EI_INIT;
static expert_field ei_dkim_malformed = EI_INIT;

static const char *span_str(const guint8 *buf, size_t base, mw_span s)
{
    return (const char *)get_utf_8_string(wmem_file_scope(), buf + base + s.off, (gint)s.len);
}

mail_dkim *mail_dkim_note(const guint8 *buf, guint len)
{
    mw_dkim_result *res = g_new0(mw_dkim_result, SIGS_MAX);
    unsigned n = mw_dkim_check_message(buf, len, res, SIGS_MAX);
    mail_dkim *d = NULL;
    if (n) {
        d = wmem_new0(wmem_file_scope(), mail_dkim);
        d->n = n;
        d->kept = MIN(n, SIGS_MAX);
        for (guint i = 0; i < d->kept; i++) {
            const mw_dkim_result *r = &res[i];
            dkim_one *o = &d->sigs[i];
            o->off = (guint32)r->field.off;
            o->len = (guint32)r->field.len;
            o->domain = span_str(buf, r->value.off, r->sig.d);
            o->selector = span_str(buf, r->value.off, r->sig.s);
            o->parsed_ok = r->parsed_ok;
            o->body_checked = r->body_checked;
            o->body_ok = r->body_ok && !r->l_past_end;
            o->unsigned_len = r->unsigned_len;
            o->has_l = (r->sig.present & MW_DKIM_TAG_L) != 0;
        }
    }
    g_free(res);
    return d;
}

void mail_dkim_show(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const mail_dkim *d)
{
    if (!d)
        return;
    guint len = tvb_reported_length(msg);
    for (guint i = 0; i < d->kept; i++) {
        const dkim_one *o = &d->sigs[i];
        gint off = (gint)MIN(o->off, len), n = (gint)MIN(o->len, len - (guint)off);
        proto_item *di = proto_tree_add_item(tree, hf_dkim, msg, off, n, ENC_NA);
        proto_item_set_text(di, "DKIM signature %u of %u: d=%s s=%s", i + 1, d->n, o->domain,
                            o->selector);
        proto_tree *dt = proto_item_add_subtree(di, ett_dkim);
        proto_tree_add_string(dt, hf_dkim_domain, msg, off, n, o->domain);
        proto_tree_add_string(dt, hf_dkim_selector, msg, off, n, o->selector);
        if (!o->parsed_ok) {
            proto_item *si = proto_tree_add_string(dt, hf_dkim_signature, msg, off, n, "fail");
            expert_add_info(pinfo, si, &ei_dkim_malformed);
            continue;
        }
        if (o->body_checked) {
            proto_item *bi = proto_tree_add_string(dt, hf_dkim_body_hash, msg, off, n,
                                                   o->body_ok ? "pass" : "fail");
            if (!o->body_ok)
                expert_add_info(pinfo, bi, &ei_dkim_body_altered);
        }
        if (o->has_l) {
            proto_item *ui = proto_tree_add_uint64(dt, hf_dkim_unsigned, msg, off, n,
                                                   o->unsigned_len);
            if (o->unsigned_len)
                expert_add_info_format(pinfo, ui, &ei_dkim_appended,
                                       "%" PRIu64 " body bytes past l= are not signed: content "
                                       "may have been appended after signing", o->unsigned_len);
        }
        proto_item *si = proto_tree_add_string(dt, hf_dkim_signature, msg, off, n, "no key");
        proto_item_set_generated(si);
    }
}

void mail_dkim_register(int proto)
{
    static gboolean done;
    if (done)
        return;
    done = TRUE;
    static hf_register_info hf[] = {
        {&hf_dkim, {"DKIM signature", "mail.dkim", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_dkim_domain,
         {"Signing domain", "mail.dkim.domain", FT_STRING, BASE_NONE, NULL, 0x0, "d=", HFILL}},
        {&hf_dkim_selector,
         {"Selector", "mail.dkim.selector", FT_STRING, BASE_NONE, NULL, 0x0, "s=", HFILL}},
        {&hf_dkim_body_hash,
         {"Body hash", "mail.dkim.body_hash", FT_STRING, BASE_NONE, NULL, 0x0,
          "pass or fail: bh= against the body as delivered (canonicalised, l= honoured)", HFILL}},
        {&hf_dkim_signature,
         {"Signature", "mail.dkim.signature", FT_STRING, BASE_NONE, NULL, 0x0,
          "pass, fail or no key", HFILL}},
        {&hf_dkim_unsigned,
         {"Unsigned body bytes", "mail.dkim.unsigned", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Canonical body bytes past l=", HFILL}},
    };
    static gint *ett[] = {&ett_dkim};
    static ei_register_info ei[] = {
        {&ei_dkim_body_altered,
         {"mail.dkim.body_altered", PI_SECURITY, PI_WARN,
          "DKIM body hash mismatch: the body was altered after signing", EXPFILL}},
        {&ei_dkim_appended,
         {"mail.dkim.appended", PI_SECURITY, PI_WARN,
          "Body bytes past l= are not signed: content may have been appended", EXPFILL}},
        {&ei_dkim_malformed,
         {"mail.dkim.malformed", PI_MALFORMED, PI_WARN,
          "Malformed DKIM-Signature: it cannot verify", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

/* DKIM-Signature fields: see dkim_fields.h. */
#include <wireshark.h>
#include <epan/charsets.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/wmem_scopes.h>

#include "core/mail/dkim.h"
#include "core/mail/dkim_key.h"
#include "engine/memo.h"
#include "mail/dkim_fields.h"
#include "mail/dkim_keys.h"

/* Signatures kept per message (a message rarely carries more than 3). */
#define SIGS_MAX 8
/* Per-dissection count of whole messages in a frame (pinfo->pool data of
 * the mail protocol under this key). */
#define ORDINAL_KEY 0x444b494du

typedef struct mail_dkim {
    guint n;                 /* signatures in the message */
    guint kept;
    dkim_sig_rec sigs[SIGS_MAX];
} mail_dkim;

static int proto_dkim = -1;
static mw_memo *messages; /* guint64 (frame << 20 | ordinal) -> mail_dkim */

static int hf_dkim = -1;
static int hf_tag[DKIM_T_COUNT];
static int hf_body_hash = -1;
static int hf_unsigned = -1;
static int hf_signature = -1;
static int hf_reason = -1;
static int hf_key_source = -1;
static int hf_key_frame = -1;
static int hf_message_frame = -1;
static int hf_key = -1;
static int hf_key_name = -1;
static int hf_key_type = -1;
static int hf_key_bits = -1;
static int hf_key_used_by = -1;
static int ett_dkim = -1;
static int ett_key = -1;
static expert_field ei_body_altered = EI_INIT;
static expert_field ei_appended = EI_INIT;
static expert_field ei_malformed = EI_INIT;
static expert_field ei_failed = EI_INIT;
static expert_field ei_expired = EI_INIT;
static expert_field ei_weak_length = EI_INIT;
static expert_field ei_weak_sha1 = EI_INIT;
static expert_field ei_short_key = EI_INIT;
static expert_field ei_no_key = EI_INIT;
static expert_field ei_key_problem = EI_INIT;

static const char *const verdict_names[] = {"no key", "pass", "fail"};

/* ---- the first pass: check and record ---- */

/* A tag value for display: base64 loses its folding whitespace, other
 * values have each run of folding whitespace made one space. */
static const char *tag_text(const guint8 *p, size_t n, gboolean b64)
{
    GString *g = g_string_sized_new(n);
    gboolean ws = FALSE;
    for (size_t i = 0; i < n; i++) {
        guint8 c = p[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ws = TRUE;
            continue;
        }
        if (ws && !b64 && g->len)
            g_string_append_c(g, ' ');
        ws = FALSE;
        g_string_append_c(g, (gchar)c);
    }
    const char *s = (const char *)get_utf_8_string(wmem_file_scope(), (const guint8 *)g->str,
                                                   (gint)g->len);
    g_string_free(g, TRUE);
    return s;
}

static void record_sig(packet_info *pinfo, const guint8 *buf, const mw_dkim_result *r,
                       dkim_sig_rec *s)
{
    const mw_dkim_sig *sig = &r->sig;
    const guint8 *v = buf + r->value.off;
    const struct {
        unsigned bit;
        mw_span span;
    } tags[DKIM_T_COUNT] = {
        [DKIM_T_V] = {MW_DKIM_TAG_V, sig->v}, [DKIM_T_A] = {MW_DKIM_TAG_A, sig->a},
        [DKIM_T_C] = {MW_DKIM_TAG_C, sig->c}, [DKIM_T_D] = {MW_DKIM_TAG_D, sig->d},
        [DKIM_T_S] = {MW_DKIM_TAG_S, sig->s}, [DKIM_T_H] = {MW_DKIM_TAG_H, sig->h},
        [DKIM_T_BH] = {MW_DKIM_TAG_BH, sig->bh}, [DKIM_T_B] = {MW_DKIM_TAG_B, sig->b},
        [DKIM_T_L] = {MW_DKIM_TAG_L, sig->l}, [DKIM_T_T] = {MW_DKIM_TAG_T, sig->t},
        [DKIM_T_X] = {MW_DKIM_TAG_X, sig->x}, [DKIM_T_I] = {MW_DKIM_TAG_I, sig->i},
    };
    s->off = (guint32)r->field.off;
    s->len = (guint32)r->field.len;
    for (int k = 0; k < DKIM_T_COUNT; k++) {
        if (!(sig->present & tags[k].bit))
            continue;
        s->tag_off[k] = (guint32)(r->value.off + tags[k].span.off);
        s->tag_len[k] = (guint32)tags[k].span.len;
        s->tag[k] = tag_text(v + tags[k].span.off, tags[k].span.len,
                             k == DKIM_T_B || k == DKIM_T_BH);
    }
    s->flags = sig->flags;
    s->alg = sig->alg;
    s->l_value = sig->l_value;
    s->t_value = sig->t_value;
    s->x_value = sig->x_value;
    s->unsigned_len = r->unsigned_len;
    s->l_past_end = r->l_past_end;
    s->expired = mw_dkim_expired(sig, pinfo->abs_ts.secs > 0 ? (uint64_t)pinfo->abs_ts.secs : 0);
    s->body = !r->body_checked ? DKIM_BODY_NONE
              : r->body_ok && !r->l_past_end ? DKIM_BODY_PASS : DKIM_BODY_FAIL;
    s->msg_frame = pinfo->num;
    char *kn = mw_dkim_key_name(v, sig);
    if (kn) {
        s->key_name = (const char *)get_utf_8_string(wmem_file_scope(), (const guint8 *)kn,
                                                     (gint)strlen(kn));
        g_free(kn);
    }
    if (r->parsed_ok && r->data_hash_len) {
        dkim_pending *p = wmem_new0(wmem_file_scope(), dkim_pending);
        p->alg = sig->alg;
        memcpy(p->data_hash, r->data_hash, r->data_hash_len);
        p->data_hash_len = (guint)r->data_hash_len;
        p->b = (guint8 *)wmem_memdup(wmem_file_scope(), sig->b_raw, sig->b_len ? sig->b_len : 1);
        p->b_len = (guint)sig->b_len;
        s->pending = p;
    }
    mail_dkim_keys_decide(pinfo, s);
}

static mail_dkim *check(packet_info *pinfo, const guint8 *buf, guint len)
{
    mw_dkim_result *res = g_new0(mw_dkim_result, SIGS_MAX);
    unsigned n = mw_dkim_check_message(buf, len, res, SIGS_MAX);
    mail_dkim *d = NULL;
    if (n) {
        d = wmem_new0(wmem_file_scope(), mail_dkim);
        d->n = n;
        d->kept = MIN(n, SIGS_MAX);
        for (guint i = 0; i < d->kept; i++)
            record_sig(pinfo, buf, &res[i], &d->sigs[i]);
    }
    g_free(res);
    return d;
}

/* The key of this dissection's next whole message in the frame. */
static guint64 next_message(packet_info *pinfo)
{
    guint n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_dkim, ORDINAL_KEY));
    p_add_proto_data(pinfo->pool, pinfo, proto_dkim, ORDINAL_KEY, GUINT_TO_POINTER(n + 1));
    return ((guint64)pinfo->num << 20) | (n & 0xfffff);
}

/* ---- showing ---- */

static void malformed(packet_info *pinfo, proto_item *it, guint32 f)
{
    static const struct {
        guint32 bit;
        const char *text;
    } why[] = {
        {MW_DKIM_SYNTAX, "a tag without '=' or with bad characters"},
        {MW_DKIM_DUP_TAG, "a tag given twice"},
        {MW_DKIM_MISSING_TAG, "a required tag (v, a, b, bh, d, h, s) missing"},
        {MW_DKIM_BAD_VERSION, "v= is not 1"},
        {MW_DKIM_BAD_ALGORITHM, "a= is not rsa-sha256, rsa-sha1 or ed25519-sha256"},
        {MW_DKIM_BAD_CANON, "c= is not simple or relaxed"},
        {MW_DKIM_BAD_BASE64, "b= or bh= is not base64"},
        {MW_DKIM_BAD_BH_SIZE, "bh= is not the size of the hash of a="},
        {MW_DKIM_BAD_NUMBER, "l=, t= or x= is not a decimal number"},
        {MW_DKIM_X_BEFORE_T, "x= is not after t="},
        {MW_DKIM_I_NOT_IN_D, "i= is not in the domain of d="},
        {MW_DKIM_NO_FROM, "h= does not name From"},
        {MW_DKIM_TOO_MANY_H, "h= names more fields than are checked"},
        {MW_DKIM_BAD_QUERY, "q= is not dns/txt"},
        {MW_DKIM_SIG_TOO_LONG, "b= is longer than any key makes"},
    };
    GString *g = g_string_new(NULL);
    for (size_t k = 0; k < G_N_ELEMENTS(why); k++)
        if (f & why[k].bit)
            g_string_append_printf(g, "%s%s", g->len ? "; " : "", why[k].text);
    expert_add_info_format(pinfo, it, &ei_malformed, "Malformed DKIM-Signature (%s): it cannot "
                           "verify", g->str);
    g_string_free(g, TRUE);
}

static gboolean all_digits(const char *s)
{
    if (!s || !*s)
        return FALSE;
    for (; *s; s++)
        if (!g_ascii_isdigit(*s))
            return FALSE;
    return TRUE;
}

static proto_item *add_time(proto_tree *t, int hf, tvbuff_t *tvb, gint off, gint len, guint64 v)
{
    nstime_t ts;
    ts.secs = (time_t)MIN(v, (guint64)G_MAXINT32 * 64); /* far future stays printable */
    ts.nsecs = 0;
    return proto_tree_add_time(t, hf, tvb, off, len, &ts);
}

/* The verdict items of s: body hash, unsigned bytes, signature, reason, key. */
static void show_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *dt, gint off, gint n,
                         const dkim_sig_rec *s, gboolean on_key_frame)
{
    proto_item *it;
    if (s->body != DKIM_BODY_NONE) {
        it = proto_tree_add_string(dt, hf_body_hash, tvb, off, n,
                                   s->body == DKIM_BODY_PASS ? "pass" : "fail");
        proto_item_set_generated(it);
        if (s->body == DKIM_BODY_FAIL && !on_key_frame)
            expert_add_info(pinfo, it, &ei_body_altered);
    }
    if (s->tag[DKIM_T_L] && !s->l_past_end && !(s->flags & MW_DKIM_BAD_NUMBER)) {
        it = proto_tree_add_uint64(dt, hf_unsigned, tvb, off, n, s->unsigned_len);
        proto_item_set_generated(it);
        if (s->unsigned_len && !on_key_frame)
            expert_add_info_format(pinfo, it, &ei_appended,
                                   "%" PRIu64 " body bytes past l= are not signed: content may "
                                   "have been appended after signing", s->unsigned_len);
    }
    proto_item *si = proto_tree_add_string(dt, hf_signature, tvb, off, n, verdict_names[s->verdict]);
    proto_item_set_generated(si);
    if (s->verdict == DKIM_SIG_FAIL && s->body != DKIM_BODY_FAIL &&
        !(s->flags & MW_DKIM_MALFORMED))
        expert_add_info_format(pinfo, si, &ei_failed, "DKIM signature fails: %s", s->reason);
    else if (s->verdict == DKIM_SIG_NO_KEY)
        expert_add_info(pinfo, si, &ei_no_key);
    if (s->reason) {
        it = proto_tree_add_string(dt, hf_reason, tvb, off, n, s->reason);
        proto_item_set_generated(it);
    }
    if (s->key_source != DKIM_KEY_NONE) {
        it = proto_tree_add_string(dt, hf_key_source, tvb, off, n,
                                   s->key_source == DKIM_KEY_DNS ? "DNS" : "keys file");
        proto_item_set_generated(it);
        if (s->key_source == DKIM_KEY_DNS && !on_key_frame) {
            it = proto_tree_add_uint(dt, hf_key_frame, tvb, off, n, s->key_frame);
            proto_item_set_generated(it);
        }
        if (s->key_bits) {
            it = proto_tree_add_uint(dt, hf_key_bits, tvb, off, n, s->key_bits);
            proto_item_set_generated(it);
            if (s->key_rsa && s->key_bits < 1024)
                expert_add_info_format(pinfo, it, &ei_short_key,
                                       "RSA key of %u bits: shorter than 1024 bits, which RFC "
                                       "8301 says verifiers must not accept", s->key_bits);
        }
    }
}

static void show_sig(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const mail_dkim *d,
                     guint i, gboolean have_msg)
{
    const dkim_sig_rec *s = &d->sigs[i];
    guint len = tvb_captured_length(tvb);
    gint off = have_msg ? (gint)MIN(s->off, len) : 0;
    gint n = have_msg ? (gint)MIN(s->len, len - (guint)off) : 0;
    proto_item *di = proto_tree_add_item(tree, hf_dkim, tvb, off, n, ENC_NA);
    proto_item_set_text(di, "DKIM signature %u of %u: d=%s s=%s a=%s: %s", i + 1, d->n,
                        s->tag[DKIM_T_D] ? s->tag[DKIM_T_D] : "?",
                        s->tag[DKIM_T_S] ? s->tag[DKIM_T_S] : "?",
                        s->tag[DKIM_T_A] ? s->tag[DKIM_T_A] : "?", verdict_names[s->verdict]);
    if (!have_msg)
        proto_item_set_generated(di);
    proto_tree *dt = proto_item_add_subtree(di, ett_dkim);
    if (s->flags & MW_DKIM_MALFORMED)
        malformed(pinfo, di, s->flags);
    for (int k = 0; k < DKIM_T_COUNT; k++) {
        const char *v = s->tag[k];
        if (!v)
            continue;
        gint to = have_msg ? (gint)MIN(s->tag_off[k], len) : 0;
        gint tn = have_msg ? (gint)MIN(s->tag_len[k], len - (guint)to) : 0;
        proto_item *it;
        if (k == DKIM_T_L || k == DKIM_T_T || k == DKIM_T_X) {
            if (!all_digits(v))
                continue; /* said by the malformed expert */
            guint64 num = k == DKIM_T_L ? s->l_value : k == DKIM_T_T ? s->t_value : s->x_value;
            it = k == DKIM_T_L ? proto_tree_add_uint64(dt, hf_tag[k], tvb, to, tn, num)
                               : add_time(dt, hf_tag[k], tvb, to, tn, num);
        } else {
            it = proto_tree_add_string(dt, hf_tag[k], tvb, to, tn, v);
        }
        if (!have_msg)
            proto_item_set_generated(it);
        if (k == DKIM_T_X && s->expired)
            expert_add_info(pinfo, it, &ei_expired);
        if (k == DKIM_T_L)
            expert_add_info(pinfo, it, &ei_weak_length);
        if (k == DKIM_T_A && s->alg == MW_DKIM_RSA_SHA1)
            expert_add_info(pinfo, it, &ei_weak_sha1);
    }
    show_verdict(tvb, pinfo, dt, off, n, s, FALSE);
}

static void show(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const mail_dkim *d,
                 gboolean have_msg)
{
    for (guint i = 0; d && i < d->kept; i++)
        show_sig(tvb, pinfo, tree, d, i, have_msg);
}

/* The key of this dissection's next whole message, without taking it. */
static guint64 peek_message(packet_info *pinfo)
{
    guint n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_dkim, ORDINAL_KEY));
    return ((guint64)pinfo->num << 20) | (n & 0xfffff);
}

typedef struct message_bytes {
    const guint8 *buf;
    guint len;
} message_bytes;

static void *check_message(packet_info *pinfo, void *arg)
{
    const message_bytes *m = (const message_bytes *)arg;
    return check(pinfo, m->buf, m->len);
}

/* The record of the frame's next whole message: decided here on the first
 * pass (once), looked up on later ones. */
static mail_dkim *decide(packet_info *pinfo, const guint8 *buf, guint len)
{
    message_bytes m = {buf, len};
    return (mail_dkim *)mw_memo_get(messages, pinfo, peek_message(pinfo),
                                    buf ? check_message : NULL, &m);
}

const dkim_sig_rec *mail_dkim_next_records(packet_info *pinfo, const guint8 *buf, guint len,
                                           guint *n)
{
    const mail_dkim *d = proto_dkim >= 0 ? decide(pinfo, buf, len) : NULL;
    *n = d ? d->kept : 0;
    return d ? d->sigs : NULL;
}

void mail_dkim_message(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const guint8 *buf,
                       guint len)
{
    const mail_dkim *d = decide(pinfo, buf, len);
    next_message(pinfo);
    show(msg, pinfo, tree, d, TRUE);
}

void mail_dkim_dropped(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    guint64 k = next_message(pinfo);
    show(tvb, pinfo, tree, (const mail_dkim *)mw_memo_get(messages, NULL, k, NULL, NULL), FALSE);
}

void mail_dkim_show_dns_keys(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                             wmem_array_t *keys)
{
    for (guint i = 0; i < wmem_array_get_count(keys); i++) {
        const dkim_dns_key *d = *(const dkim_dns_key **)wmem_array_index(keys, i);
        gint len = (gint)tvb_captured_length(tvb);
        gint off = MIN(MAX(d->off, 0), len), n = MIN(MAX(d->len, 0), len - off);
        proto_item *ki = proto_tree_add_item(tree, hf_key, tvb, off, n, ENC_NA);
        proto_item_set_text(ki, "DKIM key %s: %s, %u bits%s", d->name, d->type, d->bits,
                            d->taken ? "" : " (not used: another key for this name was taken)");
        proto_item_set_generated(ki);
        proto_tree *kt = proto_item_add_subtree(ki, ett_key);
        proto_item *it = proto_tree_add_string(kt, hf_key_name, tvb, off, n, d->name);
        proto_item_set_generated(it);
        it = proto_tree_add_string(kt, hf_key_type, tvb, off, n, d->type);
        proto_item_set_generated(it);
        it = proto_tree_add_uint(kt, hf_key_bits, tvb, off, n, d->bits);
        proto_item_set_generated(it);
        if (d->problem)
            expert_add_info_format(pinfo, ki, &ei_key_problem, "DKIM key unusable: %s", d->problem);
        else if (d->flags & MW_DKIM_KEY_TESTING)
            expert_add_info_format(pinfo, ki, &ei_key_problem,
                                   "DKIM key in testing mode (t=y): verifiers may treat failures "
                                   "as unsigned");
        if (strcmp(d->type, "rsa") == 0 && d->bits && d->bits < 1024)
            expert_add_info_format(pinfo, it, &ei_short_key,
                                   "RSA key of %u bits: shorter than 1024 bits, which RFC 8301 "
                                   "says verifiers must not accept", d->bits);
        /* Messages seen before this answer: their verdict is decided here. */
        for (guint j = 0; j < wmem_array_get_count(d->verified); j++) {
            const dkim_sig_rec *s = *(const dkim_sig_rec **)wmem_array_index(d->verified, j);
            proto_item *si = proto_tree_add_item(kt, hf_dkim, tvb, off, n, ENC_NA);
            proto_item_set_text(si, "DKIM signature of the message in frame %u: d=%s s=%s: %s",
                                s->msg_frame, s->tag[DKIM_T_D] ? s->tag[DKIM_T_D] : "?",
                                s->tag[DKIM_T_S] ? s->tag[DKIM_T_S] : "?",
                                verdict_names[s->verdict]);
            proto_item_set_generated(si);
            proto_tree *st = proto_item_add_subtree(si, ett_dkim);
            it = proto_tree_add_uint(st, hf_message_frame, tvb, off, n, s->msg_frame);
            proto_item_set_generated(it);
            if (s->tag[DKIM_T_D]) {
                it = proto_tree_add_string(st, hf_tag[DKIM_T_D], tvb, off, n, s->tag[DKIM_T_D]);
                proto_item_set_generated(it);
            }
            if (s->tag[DKIM_T_S]) {
                it = proto_tree_add_string(st, hf_tag[DKIM_T_S], tvb, off, n, s->tag[DKIM_T_S]);
                proto_item_set_generated(it);
            }
            show_verdict(tvb, pinfo, st, off, n, s, TRUE);
        }
        /* Messages seen after it that used it: links written on the first
         * pass into this earlier frame's record. */
        for (guint j = 0; j < wmem_array_get_count(d->used_by); j++) {
            const dkim_sig_rec *s = *(const dkim_sig_rec **)wmem_array_index(d->used_by, j);
            it = proto_tree_add_uint(kt, hf_key_used_by, tvb, off, n, s->msg_frame);
            proto_item_set_generated(it);
        }
    }
}

void mail_dkim_handoff(void)
{
    mail_dkim_keys_handoff();
}

void mail_dkim_register(int proto)
{
    static gboolean done;
    if (done)
        return;
    done = TRUE;
    proto_dkim = proto;
    for (int k = 0; k < DKIM_T_COUNT; k++)
        hf_tag[k] = -1;
    static hf_register_info hf[] = {
        {&hf_dkim, {"DKIM signature", "mail.dkim", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_tag[DKIM_T_V],
         {"Version", "mail.dkim.version", FT_STRING, BASE_NONE, NULL, 0x0, "v=", HFILL}},
        {&hf_tag[DKIM_T_A],
         {"Algorithm", "mail.dkim.algorithm", FT_STRING, BASE_NONE, NULL, 0x0,
          "a=: rsa-sha256, ed25519-sha256 or rsa-sha1", HFILL}},
        {&hf_tag[DKIM_T_C],
         {"Canonicalization", "mail.dkim.canonicalization", FT_STRING, BASE_NONE, NULL, 0x0,
          "c=: header/body, simple or relaxed (default simple/simple)", HFILL}},
        {&hf_tag[DKIM_T_D],
         {"Signing domain", "mail.dkim.domain", FT_STRING, BASE_NONE, NULL, 0x0, "d=", HFILL}},
        {&hf_tag[DKIM_T_S],
         {"Selector", "mail.dkim.selector", FT_STRING, BASE_NONE, NULL, 0x0, "s=", HFILL}},
        {&hf_tag[DKIM_T_H],
         {"Signed header fields", "mail.dkim.headers", FT_STRING, BASE_NONE, NULL, 0x0,
          "h=: the names of the signed header fields", HFILL}},
        {&hf_tag[DKIM_T_BH],
         {"Body hash as signed", "mail.dkim.bh", FT_STRING, BASE_NONE, NULL, 0x0,
          "bh= (base64, folding whitespace removed)", HFILL}},
        {&hf_tag[DKIM_T_B],
         {"Signature data", "mail.dkim.b", FT_STRING, BASE_NONE, NULL, 0x0,
          "b= (base64, folding whitespace removed)", HFILL}},
        {&hf_tag[DKIM_T_L],
         {"Body length limit", "mail.dkim.length", FT_UINT64, BASE_DEC, NULL, 0x0,
          "l=: canonical body bytes the signature covers", HFILL}},
        {&hf_tag[DKIM_T_T],
         {"Signed at", "mail.dkim.timestamp", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC, NULL, 0x0,
          "t=", HFILL}},
        {&hf_tag[DKIM_T_X],
         {"Expires at", "mail.dkim.expiration", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_UTC, NULL, 0x0,
          "x=", HFILL}},
        {&hf_tag[DKIM_T_I],
         {"Signing identity", "mail.dkim.identity", FT_STRING, BASE_NONE, NULL, 0x0, "i=", HFILL}},
        {&hf_body_hash,
         {"Body hash", "mail.dkim.body_hash", FT_STRING, BASE_NONE, NULL, 0x0,
          "pass or fail: bh= against the body as delivered (canonicalised, l= honoured)", HFILL}},
        {&hf_unsigned,
         {"Unsigned body bytes", "mail.dkim.unsigned", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Canonical body bytes past l=", HFILL}},
        {&hf_signature,
         {"Signature", "mail.dkim.signature", FT_STRING, BASE_NONE, NULL, 0x0,
          "pass, fail or no key: the DKIM verdict (RFC 6376 6.1: the body hash and the signature "
          "over the signed header fields)", HFILL}},
        {&hf_reason,
         {"Reason", "mail.dkim.reason", FT_STRING, BASE_NONE, NULL, 0x0,
          "Why the signature passes, fails or cannot be checked", HFILL}},
        {&hf_key_source,
         {"Key from", "mail.dkim.key_source", FT_STRING, BASE_NONE, NULL, 0x0,
          "keys file (preference mail.dkim.keys_file) or DNS (an answer in this capture)", HFILL}},
        {&hf_key_frame,
         {"Key in frame", "mail.dkim.key_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The DNS answer that gave the key", HFILL}},
        {&hf_message_frame,
         {"Message in frame", "mail.dkim.message_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The message whose signature was verified with this DNS answer's key", HFILL}},
        {&hf_key, {"DKIM key", "mail.dkim.key", FT_NONE, BASE_NONE, NULL, 0x0,
                   "A DKIM key record in a DNS answer (selector._domainkey.domain TXT)", HFILL}},
        {&hf_key_name, {"Key name", "mail.dkim.key.name", FT_STRING, BASE_NONE, NULL, 0x0,
                        "selector._domainkey.domain", HFILL}},
        {&hf_key_type, {"Key type", "mail.dkim.key.type", FT_STRING, BASE_NONE, NULL, 0x0,
                        "k=: rsa or ed25519", HFILL}},
        {&hf_key_bits, {"Key size (bits)", "mail.dkim.key.bits", FT_UINT32, BASE_DEC, NULL, 0x0,
                        "RSA modulus size; 256 for Ed25519", HFILL}},
        {&hf_key_used_by, {"Key used by the message in frame", "mail.dkim.key.used_by",
                           FT_FRAMENUM, BASE_NONE, NULL, 0x0,
                           "A later message whose signature was verified with this key", HFILL}},
    };
    static gint *ett[] = {&ett_dkim, &ett_key};
    static ei_register_info ei[] = {
        {&ei_body_altered,
         {"mail.dkim.body_altered", PI_SECURITY, PI_WARN,
          "DKIM body hash mismatch: the body was altered after signing", EXPFILL}},
        {&ei_appended,
         {"mail.dkim.appended", PI_SECURITY, PI_WARN,
          "Body bytes past l= are not signed: content may have been appended", EXPFILL}},
        {&ei_malformed,
         {"mail.dkim.malformed", PI_MALFORMED, PI_WARN,
          "Malformed DKIM-Signature: it cannot verify", EXPFILL}},
        {&ei_failed,
         {"mail.dkim.failed", PI_SECURITY, PI_WARN,
          "DKIM signature fails: the signed header fields were altered or the key does not fit",
          EXPFILL}},
        {&ei_expired,
         {"mail.dkim.expired", PI_PROTOCOL, PI_WARN,
          "DKIM signature expired: x= is before the capture time", EXPFILL}},
        {&ei_weak_length,
         {"mail.dkim.weak.length", PI_SECURITY, PI_NOTE,
          "l= limits the signed body: content can be appended without breaking the signature",
          EXPFILL}},
        {&ei_weak_sha1,
         {"mail.dkim.weak.sha1", PI_SECURITY, PI_WARN,
          "rsa-sha1: RFC 8301 says signers must not use it and verifiers must not accept it",
          EXPFILL}},
        {&ei_short_key,
         {"mail.dkim.weak.short_key", PI_SECURITY, PI_WARN,
          "RSA key shorter than 1024 bits (RFC 8301: not to be accepted)", EXPFILL}},
        {&ei_no_key,
         {"mail.dkim.no_key", PI_PROTOCOL, PI_NOTE,
          "No DKIM key for this signature in the keys file or a DNS answer seen so far",
          EXPFILL}},
        {&ei_key_problem,
         {"mail.dkim.key.problem", PI_PROTOCOL, PI_WARN,
          "DKIM key record that cannot be used as it is", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
    messages = mw_memo_new();
    mail_dkim_keys_register(proto);
}

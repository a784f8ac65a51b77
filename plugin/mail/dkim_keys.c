/* DKIM keys and verdicts: see dkim_keys.h. */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/wmem_scopes.h>

#include "compat.h"
#include "core/mail/dkim_key.h"
#include "engine/memo.h"
#include "mail/dkim_fields.h"
#include "mail/dkim_keys.h"

/* The key used for a name: from the keys file (frame 0), else the first
 * DNS answer that carried one (its usable records first). */
typedef struct key_ent {
    mw_dkim_key key;
    gboolean usable;
    guint32 frame;
} key_ent;

static const char *keys_file = "";

static int hf_dns_name = -1, hf_dns_type = -1, hf_dns_txt = -1;
static int dns_keys_proto = -1;

static GHashTable *keys;        /* lower-case name -> key_ent (g_malloc) */
static GHashTable *waiting;     /* lower-case name -> GPtrArray of dkim_sig_rec * (file scope) */
static mw_memo *dns_frames;  /* frame number -> wmem_array_t of dkim_dns_key * */

static void key_ent_free(gpointer p)
{
    key_ent *k = (key_ent *)p;
    mw_dkim_key_clear(&k->key);
    g_free(k);
}

static const char *key_problem(guint flags, gboolean usable, mw_dkim_key_type type)
{
    if (flags & MW_DKIM_KEY_REVOKED)
        return "the key is revoked (empty p=)";
    if (flags & MW_DKIM_KEY_BAD_VERSION)
        return "the key record's v= is not DKIM1";
    if (flags & MW_DKIM_KEY_NO_P)
        return "the key record has no p=";
    if (flags & MW_DKIM_KEY_BAD_BASE64)
        return "the key record's p= is not base64";
    if (flags & MW_DKIM_KEY_BAD_DER)
        return "the key record's p= is not a key of its k= type";
    if (flags & MW_DKIM_KEY_TOO_LARGE)
        return "the key is too large to be used";
    if (type == MW_DKIM_KEY_UNKNOWN)
        return "the key record's k= is not rsa or ed25519";
    if (!usable)
        return "the key record is not usable";
    return NULL;
}

static key_ent *key_add(const guint8 *txt, size_t len, guint32 frame)
{
    key_ent *k = g_new0(key_ent, 1);
    k->usable = mw_dkim_key_parse(txt, len, &k->key);
    k->frame = frame;
    return k;
}

static void read_keys_file(void)
{
    if (!keys_file || !*keys_file)
        return;
    gchar *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(keys_file, &text, &len, NULL))
        return; /* a missing file gives no keys, as an empty one */
    gchar **lines = g_strsplit(text, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        mw_span name;
        GByteArray *txt = g_byte_array_new();
        if (mw_dkim_keys_line((const guint8 *)*l, strlen(*l), &name, txt)) {
            gchar *n = g_ascii_strdown(*l + name.off, (gssize)name.len);
            if (!g_hash_table_contains(keys, n))
                g_hash_table_insert(keys, n, key_add(txt->data, txt->len, 0));
            else
                g_free(n);
        }
        g_byte_array_unref(txt);
    }
    g_strfreev(lines);
    g_free(text);
}

static void keys_init(void)
{
    keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, key_ent_free);
    waiting = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)g_ptr_array_unref);
    read_keys_file();
}

static void keys_cleanup(void)
{
    /* The records the tables point into are file scope: only the tables go. */
    if (keys)
        g_hash_table_destroy(keys);
    if (waiting)
        g_hash_table_destroy(waiting);
    keys = waiting = NULL;
}

/* ---- verdicts ---- */

static mw_dkim_verdict verify(const dkim_pending *p, const mw_dkim_key *key, const char **why)
{
    mw_dkim_result *r = g_new0(mw_dkim_result, 1);
    r->parsed_ok = TRUE;
    r->sig.alg = p->alg;
    memcpy(r->sig.b_raw, p->b, p->b_len);
    r->sig.b_len = p->b_len;
    memcpy(r->data_hash, p->data_hash, p->data_hash_len);
    r->data_hash_len = p->data_hash_len;
    mw_dkim_verdict v = mw_dkim_verify(r, key, why);
    g_free(r);
    return v;
}

static const char *where(const dkim_sig_rec *s)
{
    if (s->key_source == DKIM_KEY_DNS)
        return wmem_strdup_printf(wmem_file_scope(), "the DNS answer in frame %u", s->key_frame);
    return "the keys file";
}

/* Sets s's verdict from what the message showed and the key k (NULL: none
 * known yet). */
static void decide(dkim_sig_rec *s, const key_ent *k)
{
    wmem_allocator_t *fs = wmem_file_scope();
    s->verdict = DKIM_SIG_FAIL;
    if (k) {
        s->key_source = k->frame ? DKIM_KEY_DNS : DKIM_KEY_FILE;
        s->key_frame = k->frame;
        s->key_bits = k->key.bits;
        s->key_flags = k->key.flags;
        s->key_rsa = k->key.type == MW_DKIM_KEY_RSA;
    }
    if (s->flags & MW_DKIM_MALFORMED) {
        s->reason = "malformed DKIM-Signature: it cannot verify";
        return;
    }
    mw_dkim_verdict hv = MW_DKIM_SIG_ERROR;
    const char *why = NULL;
    if (k && k->usable && s->pending)
        hv = verify(s->pending, &k->key, &why);
    if (s->l_past_end) {
        s->reason = "l= is longer than the body: signed body bytes are missing";
        return;
    }
    if (s->body == DKIM_BODY_FAIL) {
        s->reason = hv == MW_DKIM_SIG_PASS
                        ? "body hash mismatch: the body was altered after signing (the signature "
                          "over the header fields is valid)"
                    : hv == MW_DKIM_SIG_FAIL
                        ? "body hash mismatch, and the signature over the header fields does not "
                          "verify either"
                        : "body hash mismatch: the body was altered after signing";
        return;
    }
    if (s->expired) {
        s->reason = "the signature has expired: x= is before the capture time";
        return;
    }
    if (!k) {
        s->verdict = DKIM_SIG_NO_KEY;
        s->reason = wmem_strdup_printf(fs, "no key for %s in the keys file or a DNS answer seen "
                                           "so far", s->key_name ? s->key_name : "(no s= or d=)");
        return;
    }
    const char *problem = key_problem(k->key.flags, k->usable, k->key.type);
    if (problem) {
        s->reason = wmem_strdup_printf(fs, "%s (from %s)", problem, where(s));
        return;
    }
    if (k->key.type == MW_DKIM_KEY_RSA && k->key.bits < 1024) {
        s->reason = wmem_strdup_printf(fs, "RSA key of %u bits (from %s): RFC 8301 says verifiers "
                                           "must not accept keys shorter than 1024 bits; the "
                                           "signature itself %s", k->key.bits, where(s),
                                       hv == MW_DKIM_SIG_PASS ? "verifies" : "does not verify");
        return;
    }
    if (hv == MW_DKIM_SIG_PASS) {
        s->verdict = DKIM_SIG_PASS;
        s->reason = wmem_strdup_printf(fs, "verified with the key from %s", where(s));
    } else if (hv == MW_DKIM_SIG_FAIL) {
        s->reason = wmem_strdup_printf(fs, "the signature does not match the signed header fields "
                                           "(key from %s): a signed header field was altered "
                                           "after signing", where(s));
    } else {
        s->reason = wmem_strdup_printf(fs, "%s (key from %s)", why ? why : "cannot verify",
                                       where(s));
    }
}

static void drop_pending(dkim_sig_rec *s)
{
    if (!s->pending)
        return;
    wmem_free(wmem_file_scope(), s->pending->b);
    wmem_free(wmem_file_scope(), s->pending);
    s->pending = NULL;
}

static wmem_array_t *frame_keys(guint32 frame)
{
    return (wmem_array_t *)mw_memo_get(dns_frames, NULL, frame, NULL, NULL);
}

/* The DNS record of frame for name (NULL: none). */
static dkim_dns_key *frame_key(guint32 frame, const char *name)
{
    wmem_array_t *a = frame_keys(frame);
    for (guint i = 0; a && i < wmem_array_get_count(a); i++) {
        dkim_dns_key *r = *(dkim_dns_key **)wmem_array_index(a, i);
        if (r->taken && g_ascii_strcasecmp(r->name, name) == 0)
            return r;
    }
    return NULL;
}

void mail_dkim_keys_decide(packet_info *pinfo _U_, dkim_sig_rec *s)
{
    if (!keys || !s->key_name || (s->flags & MW_DKIM_MALFORMED)) {
        decide(s, NULL);
        return;
    }
    gchar *n = g_ascii_strdown(s->key_name, -1);
    key_ent *k = (key_ent *)g_hash_table_lookup(keys, n);
    decide(s, k);
    if (k)
        drop_pending(s);
    if (k && k->frame) {
        dkim_dns_key *r = frame_key(k->frame, n);
        if (r) /* the key's frame links back to this message on revisits */
            wmem_array_append_one(r->used_by, s);
    }
    if (k) {
        g_free(n);
        return;
    }
    GPtrArray *w = (GPtrArray *)g_hash_table_lookup(waiting, n);
    if (!w) {
        w = g_ptr_array_new();
        g_hash_table_insert(waiting, n, w);
    } else {
        g_free(n);
    }
    g_ptr_array_add(w, s);
}

/* ---- DNS answers ---- */

typedef struct rr_at {
    tvbuff_t *ds;
    gint start;
    const char *name;
    guint type;
    gint txt_off, txt_len;
    GString *txt;
} rr_at;

static gint rr_cmp(gconstpointer a, gconstpointer b)
{
    const rr_at *x = (const rr_at *)a, *y = (const rr_at *)b;
    if (x->ds != y->ds)
        return x->ds < y->ds ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The resource record (in rrs, sorted) that holds the item at (ds, start). */
static rr_at *rr_of(GArray *rrs, tvbuff_t *ds, gint start)
{
    rr_at *best = NULL;
    for (guint i = 0; i < rrs->len; i++) {
        rr_at *r = &g_array_index(rrs, rr_at, i);
        if (r->ds == ds && r->start <= start)
            best = r;
    }
    return best;
}

/* First pass: the DKIM key records of this frame's DNS answers. */
static wmem_array_t *read_answers(proto_tree *tree, packet_info *pinfo)
{
    GPtrArray *names = proto_get_finfo_ptr_array(tree, hf_dns_name);
    GPtrArray *txts = proto_get_finfo_ptr_array(tree, hf_dns_txt);
    if (!names || !names->len || !txts || !txts->len)
        return NULL;
    GArray *rrs = g_array_new(FALSE, TRUE, sizeof(rr_at));
    for (guint i = 0; i < names->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(names, i);
        rr_at r = {fi->ds_tvb, fi->start, fvalue_get_string(MW_FINFO_FVALUE(fi)), 0, -1, 0, NULL};
        g_array_append_val(rrs, r); /* every record: each is a boundary */
    }
    g_array_sort(rrs, rr_cmp);
    GPtrArray *types = proto_get_finfo_ptr_array(tree, hf_dns_type);
    for (guint i = 0; types && i < types->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(types, i);
        rr_at *r = rr_of(rrs, fi->ds_tvb, fi->start);
        if (r && !r->type)
            r->type = fvalue_get_uinteger(MW_FINFO_FVALUE(fi));
    }
    for (guint i = 0; i < txts->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(txts, i);
        rr_at *r = rr_of(rrs, fi->ds_tvb, fi->start);
        if (!r || r->type != 16)
            continue;
        const char *s = fvalue_get_string(MW_FINFO_FVALUE(fi));
        if (!r->txt) {
            r->txt = g_string_new(NULL);
            r->txt_off = fi->start;
        }
        g_string_append(r->txt, s ? s : "");
        r->txt_len = fi->start + fi->length - r->txt_off;
    }
    wmem_array_t *out = NULL;
    for (guint i = 0; i < rrs->len; i++) {
        rr_at *r = &g_array_index(rrs, rr_at, i);
        if (!r->txt)
            continue;
        if (r->name && strstr(r->name, "._domainkey.")) {
            dkim_dns_key *k = wmem_new0(wmem_file_scope(), dkim_dns_key);
            k->name = wmem_strdup(wmem_file_scope(), r->name);
            k->text = wmem_strdup(wmem_file_scope(), r->txt->str);
            k->off = r->txt_off;
            k->len = r->txt_len;
            k->verified = wmem_array_new(wmem_file_scope(), sizeof(dkim_sig_rec *));
            k->used_by = wmem_array_new(wmem_file_scope(), sizeof(dkim_sig_rec *));
            if (!out)
                out = wmem_array_new(wmem_file_scope(), sizeof(dkim_dns_key *));
            wmem_array_append_one(out, k);
        }
        g_string_free(r->txt, TRUE);
    }
    g_array_free(rrs, TRUE);
    (void)pinfo;
    return out;
}

/* First pass: a record becomes the key of its name unless one is known
 * already; messages waiting for it are decided here.  Usable records of the
 * frame are taken before unusable ones (RFC 6376 3.6.2.2 lets a verifier
 * choose among several records). */
static void take_keys(packet_info *pinfo, wmem_array_t *recs)
{
    guint n = wmem_array_get_count(recs);
    key_ent **parsed = g_new0(key_ent *, n);
    for (guint i = 0; i < n; i++) {
        dkim_dns_key *d = *(dkim_dns_key **)wmem_array_index(recs, i);
        key_ent *k = parsed[i] = key_add((const guint8 *)d->text, strlen(d->text), pinfo->num);
        d->type = k->key.type == MW_DKIM_KEY_RSA       ? "rsa"
                  : k->key.type == MW_DKIM_KEY_ED25519 ? "ed25519"
                                                       : "unknown";
        d->bits = k->key.bits;
        d->flags = k->key.flags;
        d->problem = key_problem(k->key.flags, k->usable, k->key.type);
    }
    for (int usable = 1; usable >= 0; usable--) {
        for (guint i = 0; i < n; i++) {
            key_ent *k = parsed[i];
            if (!k || k->usable != (gboolean)usable)
                continue;
            parsed[i] = NULL;
            dkim_dns_key *d = *(dkim_dns_key **)wmem_array_index(recs, i);
            gchar *nm = g_ascii_strdown(d->name, -1);
            if (!keys || g_hash_table_contains(keys, nm)) {
                key_ent_free(k);
                g_free(nm);
                continue;
            }
            d->taken = TRUE;
            g_hash_table_insert(keys, g_strdup(nm), k);
            GPtrArray *w = (GPtrArray *)g_hash_table_lookup(waiting, nm);
            for (guint j = 0; w && j < w->len; j++) {
                dkim_sig_rec *s = (dkim_sig_rec *)g_ptr_array_index(w, j);
                decide(s, k);
                drop_pending(s);
                wmem_array_append_one(d->verified, s);
            }
            if (w)
                g_hash_table_remove(waiting, nm);
            g_free(nm);
        }
    }
    for (guint i = 0; i < n; i++)
        if (parsed[i])
            key_ent_free(parsed[i]);
    g_free(parsed);
}

/* The first pass: the frame's DKIM key records, the keys taken. */
static void *note_answers(packet_info *pinfo, void *tree)
{
    wmem_array_t *recs = read_answers((proto_tree *)tree, pinfo);
    if (recs)
        take_keys(pinfo, recs);
    return recs;
}

static int dissect_dns_keys(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    wmem_array_t *recs = (wmem_array_t *)mw_memo_get(dns_frames, pinfo, pinfo->num,
                                                     tree ? note_answers : NULL, tree);
    if (recs)
        mail_dkim_show_dns_keys(tvb, pinfo, tree, recs);
    return 0;
}

void mail_dkim_keys_register(int proto)
{
    module_t *m = prefs_find_module("mail");
    if (!m)
        m = prefs_register_protocol(proto, NULL);
    prefs_register_filename_preference(m, "dkim.keys_file", "DKIM keys file",
                                       "DKIM public keys, one zone-file line each: "
                                       "selector._domainkey.domain TXT \"v=DKIM1; k=rsa; p=...\" "
                                       "(several quoted strings are joined, as DNS does). Keys "
                                       "from DNS answers in the capture are used as well.",
                                       &keys_file, FALSE);
    register_init_routine(keys_init);
    register_cleanup_routine(keys_cleanup);
    dns_frames = mw_memo_new();
    dns_keys_proto = proto;
}

void mail_dkim_keys_handoff(void)
{
    hf_dns_name = proto_registrar_get_id_byname("dns.resp.name");
    hf_dns_type = proto_registrar_get_id_byname("dns.resp.type");
    hf_dns_txt = proto_registrar_get_id_byname("dns.txt");
    if (dns_keys_proto < 0 || hf_dns_name < 0 || hf_dns_type < 0 || hf_dns_txt < 0)
        return; /* no DNS dissector: keys come from the keys file only */
    dissector_handle_t h = create_dissector_handle(dissect_dns_keys, dns_keys_proto);
    register_postdissector(h);
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    int ids[] = {hf_dns_name, hf_dns_type, hf_dns_txt};
    for (guint i = 0; i < G_N_ELEMENTS(ids); i++)
        g_array_append_val(wanted, ids[i]);
    set_postdissector_wanted_hfids(h, wanted);
}

/* IMAP credentials: LOGIN (RFC 9051 section 6.2.3) with its user name and
 * password as atoms, quoted strings (escapes undone) or literals, and
 * AUTHENTICATE (section 6.2.2, SASL-IR RFC 4959) with PLAIN, LOGIN, CRAM-MD5,
 * XOAUTH2 and OAUTHBEARER decoded from base64 in both directions.
 * A password or token seen outside TLS is a cleartext-credentials warning. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/strutil.h>

#include "imap.h"
#include "tap.h"

typedef enum imap_auth_mech {
    MECH_OTHER = 0, MECH_PLAIN, MECH_LOGIN, MECH_CRAM_MD5, MECH_XOAUTH2, MECH_OAUTHBEARER
} imap_auth_mech;

static int hf_auth_mechanism = -1;
static int hf_auth_username = -1;
static int hf_auth_password = -1;
static int hf_auth_authzid = -1;
static int hf_auth_token = -1;
static int hf_auth_response = -1;
static int hf_auth_decoded = -1;
static int hf_auth_challenge = -1;
static expert_field ei_auth_cleartext = EI_INIT;
static expert_field ei_auth_base64 = EI_INIT;

static void cleartext_check(mw_ctx *ctx, proto_item *it)
{
    if (!ctx->tls)
        mw_expert(ctx->pinfo, it, &ei_auth_cleartext);
}

static proto_item *add_secret(mw_ctx *ctx, proto_tree *t, int hf, tvbuff_t *tvb, gint off, gint len,
                              const char *value)
{
    proto_item *it = proto_tree_add_string(t, hf, tvb, off, len, value);
    cleartext_check(ctx, it);
    return it;
}

void dissect_imap_login_arg(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint base,
                            const mw_imap_tok *tok, guint arg)
{
    if (arg > 1 || tok->kind == MW_IMAP_TOK_LIST_OPEN)
        return;
    const char *v = imap_tok_text(ctx, tvb, base, tok);
    gint o = base + (gint)tok->off, l = (gint)tok->len;
    if (arg == 0) {
        proto_tree_add_string(t, hf_auth_username, tvb, o, l, v);
        mw_tap_user(ctx, v);
    } else
        add_secret(ctx, t, hf_auth_password, tvb, o, l, v);
}

void dissect_imap_login_literal(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                                imap_lit_use use)
{
    const char *v = (const char *)tvb_format_text(ctx->pinfo->pool, tvb, off, len);
    if (use == IMAP_LIT_USERNAME) {
        proto_tree_add_string(t, hf_auth_username, tvb, off, len, v);
        mw_tap_user(ctx, v);
    } else
        add_secret(ctx, t, hf_auth_password, tvb, off, len, v);
}

static imap_auth_mech mech_lookup(const guint8 *p, gsize len)
{
    static const struct { const char *n; imap_auth_mech m; } mechs[] = {
        {"PLAIN", MECH_PLAIN}, {"LOGIN", MECH_LOGIN}, {"CRAM-MD5", MECH_CRAM_MD5},
        {"XOAUTH2", MECH_XOAUTH2}, {"OAUTHBEARER", MECH_OAUTHBEARER},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(mechs); i++)
        if (mw_imap_word_eq(p, len, mechs[i].n))
            return mechs[i].m;
    return MECH_OTHER;
}

/* Decode base64 text; NULL when it is not base64.  "=" is an empty response. */
static guint8 *b64(mw_ctx *ctx, tvbuff_t *tvb, gint off, gint len, gsize *out_len)
{
    *out_len = 0;
    if (len == 1 && tvb_get_guint8(tvb, off) == '=')
        return (guint8 *)wmem_strdup(ctx->pinfo->pool, "");
    for (gint i = 0; i < len; i++) {
        guint8 c = tvb_get_guint8(tvb, off + i);
        if (!g_ascii_isalnum(c) && c != '+' && c != '/' && c != '=')
            return NULL;
    }
    if (len % 4 != 0)
        return NULL;
    gchar *s = (gchar *)tvb_get_string_enc(ctx->pinfo->pool, tvb, off, len, ENC_ASCII);
    g_base64_decode_inplace(s, out_len);
    s[*out_len] = 0;
    return (guint8 *)s;
}

static const char *fmt(mw_ctx *ctx, const guint8 *p, gsize len)
{
    return (const char *)format_text(ctx->pinfo->pool, p, len);
}

/* key=value\x01... (XOAUTH2, OAUTHBEARER): the value of key, or NULL. */
static const char *kv(mw_ctx *ctx, const guint8 *p, gsize len, const char *key, gsize *vlen,
                      const guint8 **vp)
{
    gsize kl = strlen(key);
    for (gsize i = 0; i + kl <= len; i++) {
        if ((i == 0 || p[i - 1] == 0x01 || p[i - 1] == ',') && memcmp(p + i, key, kl) == 0) {
            gsize e = i + kl;
            while (e < len && p[e] != 0x01 && p[e] != ',')
                e++;
            *vp = p + i + kl;
            *vlen = e - i - kl;
            return fmt(ctx, p + i + kl, e - i - kl);
        }
    }
    return NULL;
}

/* One decoded client response of the mechanism under way. */
static void sasl_response(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                          const guint8 *d, gsize dl)
{
    imap_state *st = (imap_state *)ctx->state;
    proto_item_set_generated(proto_tree_add_string(t, hf_auth_decoded, tvb, off, len, fmt(ctx, d, dl)));
    const guint8 *nul1 = (const guint8 *)memchr(d, 0, dl), *nul2 = NULL, *vp;
    gsize vl;
    const char *v;
    switch ((imap_auth_mech)st->auth_mech) {
    case MECH_PLAIN:
        if (nul1)
            nul2 = (const guint8 *)memchr(nul1 + 1, 0, dl - (gsize)(nul1 + 1 - d));
        if (!nul2)
            break;
        if (nul1 > d)
            proto_tree_add_string(t, hf_auth_authzid, tvb, off, len, fmt(ctx, d, (gsize)(nul1 - d)));
        proto_tree_add_string(t, hf_auth_username, tvb, off, len, fmt(ctx, nul1 + 1, (gsize)(nul2 - nul1 - 1)));
        add_secret(ctx, t, hf_auth_password, tvb, off, len, fmt(ctx, nul2 + 1, dl - (gsize)(nul2 + 1 - d)));
        break;
    case MECH_LOGIN:
        if (st->auth_step == 0)
            proto_tree_add_string(t, hf_auth_username, tvb, off, len, fmt(ctx, d, dl));
        else if (st->auth_step == 1)
            add_secret(ctx, t, hf_auth_password, tvb, off, len, fmt(ctx, d, dl));
        break;
    case MECH_CRAM_MD5: {
        const guint8 *sp = (const guint8 *)memchr(d, ' ', dl);
        if (!sp)
            break;
        proto_tree_add_string(t, hf_auth_username, tvb, off, len, fmt(ctx, d, (gsize)(sp - d)));
        proto_tree_add_string(t, hf_auth_response, tvb, off, len, fmt(ctx, sp + 1, dl - (gsize)(sp + 1 - d)));
        break;
    }
    case MECH_XOAUTH2: case MECH_OAUTHBEARER:
        v = kv(ctx, d, dl, st->auth_mech == MECH_XOAUTH2 ? "user=" : "a=", &vl, &vp);
        if (v)
            proto_tree_add_string(t, hf_auth_username, tvb, off, len, v);
        v = kv(ctx, d, dl, "auth=", &vl, &vp);
        if (v)
            add_secret(ctx, t, hf_auth_token, tvb, off, len, v);
        break;
    default:
        break;
    }
    st->auth_step++;
}

void dissect_imap_authenticate(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                               imap_cmd_rec *rec)
{
    imap_state *st = (imap_state *)ctx->state;
    st->auth = rec;
    st->auth_step = 0;
    st->auth_mech = MECH_OTHER;
    if (len <= 0)
        return;
    gint sp = tvb_find_guint8(tvb, off, len, ' ');
    gint ml = sp < 0 ? len : sp - off;
    proto_tree_add_item(t, hf_auth_mechanism, tvb, off, ml, ENC_ASCII | ENC_NA);
    st->auth_mech = (guint8)mech_lookup(tvb_get_ptr(tvb, off, ml), (gsize)ml);
    if (sp < 0)
        return;
    gsize dl;
    guint8 *d = b64(ctx, tvb, sp + 1, off + len - sp - 1, &dl);
    if (d)
        sasl_response(ctx, t, tvb, sp + 1, off + len - sp - 1, d, dl);
    else
        expert_add_info(ctx->pinfo, proto_tree_get_parent(t), &ei_auth_base64);
}

void dissect_imap_sasl_line(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    gsize dl;
    guint8 *d = b64(ctx, tvb, off, len, &dl);
    proto_tree_add_item(t, hf_auth_response, tvb, off, len, ENC_ASCII | ENC_NA);
    if (d)
        sasl_response(ctx, t, tvb, off, len, d, dl);
    else
        expert_add_info(ctx->pinfo, proto_tree_get_parent(t), &ei_auth_base64);
}

void dissect_imap_sasl_challenge(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    gsize dl;
    guint8 *d = len > 0 ? b64(ctx, tvb, off, len, &dl) : NULL;
    if (d)
        proto_item_set_generated(proto_tree_add_string(t, hf_auth_challenge, tvb, off, len, fmt(ctx, d, dl)));
}

void imap_auth_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_auth_mechanism,
         {"SASL mechanism", "mail.imap.auth.mechanism", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_username,
         {"User name", "mail.imap.auth.username", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_password,
         {"Password", "mail.imap.auth.password", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_authzid,
         {"Authorization identity", "mail.imap.auth.authzid", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_token,
         {"Bearer token", "mail.imap.auth.token", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_response,
         {"SASL response", "mail.imap.auth.response", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_decoded,
         {"Decoded SASL response", "mail.imap.auth.decoded", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_challenge,
         {"Decoded SASL challenge", "mail.imap.auth.challenge", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_auth_cleartext,
         {"mail.imap.auth.cleartext", PI_SECURITY, PI_WARN,
          "Credentials sent in clear: anyone on the path can read them", EXPFILL}},
        {&ei_auth_base64,
         {"mail.imap.auth.bad_base64", PI_MALFORMED, PI_WARN, "SASL data that is not base64", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

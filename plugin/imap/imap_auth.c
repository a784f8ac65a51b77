/* IMAP credentials: LOGIN (RFC 9051 section 6.2.3) with its user name and
 * password as atoms, quoted strings (escapes undone) or literals, and
 * AUTHENTICATE (section 6.2.2, SASL-IR RFC 4959) decoded with core/base64 and
 * core/sasl in both directions (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER;
 * NTLM and GSSAPI blobs go to Wireshark's own dissectors).  A password or
 * token seen outside TLS is a cleartext-credentials warning; every password
 * or token feeds the shared "credentials" tap (tshark -z credentials). */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/strutil.h>
#include <epan/tap.h>

#include "core/text/base64.h"
#include "core/mail/sasl.h"
#include "imap/imap.h"
#include "mail/credentials.h"
#include "mail/tap.h"
#include "engine/text.h"

static int ett_auth = -1;
static int hf_auth_mechanism = -1;
static int hf_auth_username = -1;
static int hf_auth_password = -1;
static int hf_auth_authzid = -1;
static int hf_auth_token = -1;
static int hf_auth_digest = -1;
static int hf_auth_response = -1;
static int hf_auth_decoded = -1;
static int hf_auth_challenge = -1;
static expert_field ei_auth_cleartext = EI_INIT;
static expert_field ei_auth_base64 = EI_INIT;
static expert_field ei_auth_bad_message = EI_INIT;

static dissector_handle_t ntlmssp_handle;
static dissector_handle_t gssapi_handle;

static const mw_credentials imap_credentials = {"IMAP", &ei_auth_cleartext, &ei_auth_base64};

static void cleartext_check(mw_ctx *ctx, proto_item *it)
{
    mw_credentials_secret(&imap_credentials, ctx->pinfo, it, ctx->tls, NULL);
}

/* One credential for tshark -z credentials. */
static void tap_credential(mw_ctx *ctx, const char *user, guint32 user_frame, int hf_secret,
                           const char *info)
{
    mw_credentials_tap(&imap_credentials, ctx->pinfo, user, user_frame, hf_secret, info);
}

/* Parse side: remember the user name for a secret that comes later (a
 * LOGIN literal, a SASL LOGIN step); items carry it to the render side. */
static void keep_user(imap_parse *ps, const char *user)
{
    ps->st->auth_user = wmem_strdup(wmem_file_scope(), user);
    ps->st->auth_user_frame = ps->ctx->pinfo->num;
}

static void forget_user(imap_state *st)
{
    st->auth_user = NULL;
    st->auth_user_frame = 0;
}

static void login_user(imap_render *rd, proto_tree *t, gint off, gint len, const char *v)
{
    proto_tree_add_string(t, hf_auth_username, rd->tvb, off, len, v);
    imap_dropin_login(t, rd->tvb, off, len, v, FALSE);
    rd->user = v;
    rd->user_frame = rd->ctx->pinfo->num;
    mw_tap_user(rd->ctx, v);
}

static void login_password(imap_render *rd, proto_tree *t, gint off, gint len, const char *v)
{
    mw_ctx *ctx = rd->ctx;
    cleartext_check(ctx, proto_tree_add_string(t, hf_auth_password, rd->tvb, off, len, v));
    imap_dropin_login(t, rd->tvb, off, len, v, TRUE);
    if (rd->user && rd->user_frame != ctx->pinfo->num)
        proto_item_set_generated(proto_tree_add_string(t, hf_auth_username, rd->tvb, off, 0, rd->user));
    tap_credential(ctx, rd->user, rd->user_frame, hf_auth_password, "LOGIN");
}

void imap_parse_login_begin(imap_parse *ps)
{
    forget_user(ps->st);
}

void imap_parse_login_arg(imap_parse *ps, gint base, const mw_imap_tok *tok, guint arg)
{
    if (arg != 0 || tok->kind == MW_IMAP_TOK_LIST_OPEN)
        return;
    keep_user(ps, imap_tok_text(ps->ctx, ps->tvb, base, tok));
}

void imap_render_login_arg(imap_render *rd, proto_tree *t, gint base, const mw_imap_tok *tok,
                           guint arg)
{
    if (arg > 1 || tok->kind == MW_IMAP_TOK_LIST_OPEN)
        return;
    const char *v = imap_tok_text(rd->ctx, rd->tvb, base, tok);
    gint o = base + (gint)tok->off, l = (gint)tok->len;
    if (arg == 0)
        login_user(rd, t, o, l, v);
    else
        login_password(rd, t, o, l, v);
}

static const char *login_literal_text(mw_ctx *ctx, tvbuff_t *tvb, gint off, gint len,
                                      const guint8 *whole, guint64 whole_len)
{
    return whole ? mw_format_text(ctx->pinfo->pool, whole, (size_t)whole_len)
                 : mw_tvb_format_text(ctx->pinfo->pool, tvb, off, len);
}

void imap_parse_login_literal(imap_parse *ps, imap_item *it, gint off, gint len)
{
    const imap_lit_rec *r = it->lit;
    it->user = ps->st->auth_user;
    it->user_frame = ps->st->auth_user_frame;
    if (!r || r->use != IMAP_LIT_USERNAME)
        return;
    gboolean whole = r->buf && !r->core->broken;
    keep_user(ps, login_literal_text(ps->ctx, ps->tvb, off, len, whole ? r->buf : NULL,
                                     whole ? r->core->size : 0));
}

void imap_render_login_literal(imap_render *rd, proto_tree *t, gint off, gint len,
                               const guint8 *whole, guint64 whole_len)
{
    const char *v = login_literal_text(rd->ctx, rd->tvb, off, len, whole, whole_len);
    if (rd->it->lit->use == IMAP_LIT_USERNAME)
        login_user(rd, t, off, len, v);
    else
        login_password(rd, t, off, len, v);
}

/* Decode base64 at tvb[off, len); NULL when it is not base64 (*err says why). */
static guint8 *sasl_base64(mw_ctx *ctx, tvbuff_t *tvb, gint off, gint len, size_t *n,
                           const char **err)
{
    const guint8 *p = len > 0 ? tvb_get_ptr(tvb, off, len) : (const guint8 *)"";
    size_t cap = (size_t)len / 4 * 3 + 3;
    guint8 *out = (guint8 *)wmem_alloc(ctx->pinfo->pool, cap);
    *n = 0;
    *err = NULL;
    /* An empty line is an empty response (RFC 9051 section 6.2.2). */
    if (len > 0 && !mw_base64_decode(p, (size_t)len, out, cap, n, err))
        return NULL;
    return out;
}

/* Render side: the decoded bytes as a new data source; NULL with an expert
 * (when anchor is set) when it is not base64. */
static tvbuff_t *sasl_decode(mw_ctx *ctx, proto_item *anchor, tvbuff_t *tvb, gint off, gint len,
                             const char *source)
{
    size_t n;
    const char *err;
    guint8 *out = sasl_base64(ctx, tvb, off, len, &n, &err);
    if (!out) {
        if (anchor)
            expert_add_info_format(ctx->pinfo, anchor, &ei_auth_base64, "SASL data that is not "
                                   "base64 (%s)", err ? err : "?");
        return NULL;
    }
    tvbuff_t *d = tvb_new_child_real_data(tvb, out, (guint)n, (gint)n);
    add_new_data_source(ctx->pinfo, d, source);
    return d;
}

static const char *dstr(mw_ctx *ctx, tvbuff_t *d, mw_span s)
{
    return (const char *)tvb_get_string_enc(ctx->pinfo->pool, d, (gint)s.off, (gint)s.len, ENC_UTF_8);
}

static void bad_message(mw_ctx *ctx, proto_item *it, const char *mech, const char *err)
{
    expert_add_info_format(ctx->pinfo, it, &ei_auth_bad_message, "Not a valid %s message: %s",
                           mech, err ? err : "unknown");
}

static const char *auth_info(mw_ctx *ctx, const char *mech)
{
    return wmem_strdup_printf(ctx->pinfo->pool, "AUTHENTICATE %s", mech);
}

/* SASL LOGIN: whether the response at this step is the password. */
static gboolean login_is_password(guint prompt, guint step)
{
    return prompt == MW_SASL_LOGIN_PASSWORD || (prompt == MW_SASL_LOGIN_OTHER && step == 1);
}

/* Parse side of one client response, base64 at tvb[off, len): the step and
 * the user name a later password is shown with. */
static void parse_sasl_response(imap_parse *ps, gint off, gint len)
{
    imap_state *st = ps->st;
    size_t n;
    const char *err;
    guint8 *p = sasl_base64(ps->ctx, ps->tvb, off, len, &n, &err);
    if (!p)
        return;
    guint step = st->auth_step++;
    if (st->auth_mech == MW_SASL_LOGIN && !login_is_password(st->auth_prompt, step) && step < 2)
        keep_user(ps, mw_format_text(ps->ctx->pinfo->pool, p, n));
}

/* One client response as the item recorded it (mechanism, step, prompt). */
static void render_sasl_response(imap_render *rd, proto_tree *t, gint off, gint len)
{
    mw_ctx *ctx = rd->ctx;
    const imap_item *ii = rd->it;
    tvbuff_t *d = sasl_decode(ctx, proto_tree_get_parent(t), rd->tvb, off, len, "SASL (decoded)");
    if (!d)
        return;
    guint dl = tvb_reported_length(d);
    const guint8 *p = dl ? tvb_get_ptr(d, 0, (gint)dl) : (const guint8 *)"";
    proto_item *di = proto_tree_add_string(t, hf_auth_decoded, d, 0, (gint)dl,
                                           mw_format_text(ctx->pinfo->pool, p, dl));
    proto_item_set_generated(di);
    proto_tree *dt = proto_item_add_subtree(di, ett_auth);
    guint step = ii->sasl_step;
    proto_item *it;
    switch ((mw_sasl_mech)ii->sasl_mech) {
    case MW_SASL_PLAIN: {
        mw_sasl_plain pl;
        if (!mw_sasl_plain_parse(p, dl, &pl)) {
            bad_message(ctx, di, "PLAIN", pl.error);
            if (!pl.usable)
                break;
        }
        if (pl.authzid.len)
            proto_tree_add_string(dt, hf_auth_authzid, d, (gint)pl.authzid.off, (gint)pl.authzid.len,
                                  dstr(ctx, d, pl.authzid));
        const char *user = dstr(ctx, d, pl.user);
        proto_tree_add_string(dt, hf_auth_username, d, (gint)pl.user.off, (gint)pl.user.len, user);
        it = proto_tree_add_string(dt, hf_auth_password, d, (gint)pl.passwd.off, (gint)pl.passwd.len,
                                   dstr(ctx, d, pl.passwd));
        cleartext_check(ctx, it);
        tap_credential(ctx, user, 0, hf_auth_password, auth_info(ctx, "PLAIN"));
        break;
    }
    case MW_SASL_LOGIN: {
        gboolean password = login_is_password(ii->sasl_prompt, step);
        mw_span all = {0, dl};
        const char *v = dstr(ctx, d, all);
        if (!password && step < 2) {
            proto_tree_add_string(dt, hf_auth_username, d, 0, (gint)dl, v);
        } else if (password) {
            cleartext_check(ctx, proto_tree_add_string(dt, hf_auth_password, d, 0, (gint)dl, v));
            if (ii->user)
                proto_item_set_generated(proto_tree_add_string(dt, hf_auth_username, d, 0, 0,
                                                               ii->user));
            tap_credential(ctx, ii->user, ii->user_frame, hf_auth_password,
                           auth_info(ctx, "LOGIN"));
        }
        break;
    }
    case MW_SASL_CRAM_MD5: {
        mw_sasl_cram c;
        if (!mw_sasl_cram_parse(p, dl, &c)) {
            bad_message(ctx, di, "CRAM-MD5", c.error);
            break;
        }
        proto_tree_add_string(dt, hf_auth_username, d, (gint)c.user.off, (gint)c.user.len, dstr(ctx, d, c.user));
        proto_tree_add_string(dt, hf_auth_digest, d, (gint)c.digest.off, (gint)c.digest.len,
                              dstr(ctx, d, c.digest));
        break;
    }
    case MW_SASL_XOAUTH2:
    case MW_SASL_OAUTHBEARER: {
        mw_sasl_oauth o;
        gboolean x = ii->sasl_mech == MW_SASL_XOAUTH2;
        if (!(x ? mw_sasl_xoauth2_parse(p, dl, &o) : mw_sasl_oauthbearer_parse(p, dl, &o))) {
            if (step == 0)
                bad_message(ctx, di, x ? "XOAUTH2" : "OAUTHBEARER", o.error);
            break; /* a later response may be the empty answer to an error */
        }
        const char *user = o.authzid.len ? dstr(ctx, d, o.authzid) : NULL;
        if (user)
            proto_tree_add_string(dt, hf_auth_username, d, (gint)o.authzid.off, (gint)o.authzid.len, user);
        it = proto_tree_add_string(dt, hf_auth_token, d, (gint)o.token.off, (gint)o.token.len,
                                   dstr(ctx, d, o.token));
        cleartext_check(ctx, it);
        tap_credential(ctx, user, 0, hf_auth_token, auth_info(ctx, x ? "XOAUTH2" : "OAUTHBEARER"));
        break;
    }
    case MW_SASL_NTLM:
        if (ntlmssp_handle && dl)
            call_dissector(ntlmssp_handle, d, ctx->pinfo, dt);
        break;
    case MW_SASL_GSSAPI:
        if (gssapi_handle && dl)
            call_dissector(gssapi_handle, d, ctx->pinfo, dt);
        break;
    default:
        break;
    }
}

static void sasl_snapshot(const imap_state *st, imap_item *it)
{
    it->sasl_mech = st->auth_mech;
    it->sasl_step = st->auth_step;
    it->sasl_prompt = st->auth_prompt;
    it->user = st->auth_user;
    it->user_frame = st->auth_user_frame;
}

void imap_parse_authenticate(imap_parse *ps, imap_item *it, gint off, gint len)
{
    imap_state *st = ps->st;
    tvbuff_t *tvb = ps->tvb;
    st->auth_step = 0;
    st->auth_mech = MW_SASL_UNKNOWN;
    st->auth_prompt = MW_SASL_LOGIN_OTHER;
    forget_user(st);
    sasl_snapshot(st, it);
    if (len <= 0)
        return;
    gint sp = tvb_find_guint8(tvb, off, len, ' ');
    gint ml = sp < 0 ? len : sp - off;
    mw_sasl_mech_info info = mw_sasl_mech_classify(tvb_get_ptr(tvb, off, ml), (size_t)ml);
    st->auth_mech = (guint8)info.mech;
    if (sp < 0) {
        sasl_snapshot(st, it);
        return;
    }
    /* An initial LOGIN response is the user name. */
    if (info.mech == MW_SASL_LOGIN)
        st->auth_prompt = MW_SASL_LOGIN_USERNAME;
    sasl_snapshot(st, it);
    parse_sasl_response(ps, sp + 1, off + len - sp - 1);
    st->auth_prompt = MW_SASL_LOGIN_OTHER;
}

void imap_render_authenticate(imap_render *rd, proto_tree *t, gint off, gint len)
{
    tvbuff_t *tvb = rd->tvb;
    if (len <= 0)
        return;
    gint sp = tvb_find_guint8(tvb, off, len, ' ');
    gint ml = sp < 0 ? len : sp - off;
    proto_item *m = proto_tree_add_item(t, hf_auth_mechanism, tvb, off, ml, ENC_ASCII | ENC_NA);
    if (rd->it->sasl_mech == MW_SASL_UNKNOWN)
        proto_item_append_text(m, " (not decoded)");
    if (sp < 0)
        return;
    render_sasl_response(rd, t, sp + 1, off + len - sp - 1);
}

void imap_parse_sasl_line(imap_parse *ps, imap_item *it, gint off, gint len)
{
    sasl_snapshot(ps->st, it);
    parse_sasl_response(ps, off, len);
}

void imap_render_sasl_line(imap_render *rd, proto_tree *t, gint off, gint len)
{
    proto_tree_add_item(t, hf_auth_response, rd->tvb, off, len, ENC_ASCII | ENC_NA);
    render_sasl_response(rd, t, off, len);
}

/* NTLM and GSSAPI challenges go to their own dissectors. */
static gboolean challenge_handed_on(guint mech, size_t n)
{
    return n && ((mech == MW_SASL_NTLM && ntlmssp_handle) || (mech == MW_SASL_GSSAPI && gssapi_handle));
}

void imap_parse_sasl_challenge(imap_parse *ps, imap_item *it, gint off, gint len)
{
    imap_state *st = ps->st;
    it->sasl_mech = st->auth_mech;
    if (len <= 0)
        return;
    size_t n;
    const char *err;
    guint8 *p = sasl_base64(ps->ctx, ps->tvb, off, len, &n, &err);
    if (!p || challenge_handed_on(st->auth_mech, n))
        return;
    if (st->auth_mech == MW_SASL_LOGIN)
        st->auth_prompt = (guint8)mw_sasl_login_prompt_kind(p, n);
}

void imap_render_sasl_challenge(imap_render *rd, proto_tree *t, gint off, gint len)
{
    mw_ctx *ctx = rd->ctx;
    guint mech = rd->it->sasl_mech;
    if (len <= 0)
        return;
    /* A challenge that is not base64 is human-readable text: no expert. */
    tvbuff_t *d = sasl_decode(ctx, NULL, rd->tvb, off, len, "SASL challenge (decoded)");
    if (!d)
        return;
    guint n = tvb_reported_length(d);
    const guint8 *p = n ? tvb_get_ptr(d, 0, (gint)n) : (const guint8 *)"";
    if (challenge_handed_on(mech, n)) {
        call_dissector(mech == MW_SASL_NTLM ? ntlmssp_handle : gssapi_handle, d, ctx->pinfo, t);
        return;
    }
    const char *text = mw_format_text(ctx->pinfo->pool, p, n);
    proto_item_set_generated(proto_tree_add_string(t, hf_auth_challenge, d, 0, (gint)n, text));
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
        {&hf_auth_digest,
         {"CRAM-MD5 digest", "mail.imap.auth.digest", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_response,
         {"SASL response", "mail.imap.auth.response", FT_STRING, BASE_NONE, NULL, 0x0,
          "As sent (base64)", HFILL}},
        {&hf_auth_decoded,
         {"Decoded SASL response", "mail.imap.auth.decoded", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_challenge,
         {"Decoded SASL challenge", "mail.imap.auth.challenge", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_auth};
    static ei_register_info ei[] = {
        {&ei_auth_cleartext,
         {"mail.imap.auth.cleartext", PI_SECURITY, PI_WARN,
          "Credentials sent without TLS: anyone on the path can read and reuse them", EXPFILL}},
        {&ei_auth_base64,
         {"mail.imap.auth.bad_base64", PI_MALFORMED, PI_WARN, "SASL data that is not base64", EXPFILL}},
        {&ei_auth_bad_message,
         {"mail.imap.auth.bad_message", PI_MALFORMED, PI_WARN,
          "SASL message not valid for its mechanism", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

void imap_auth_handoff(void)
{
    mw_credentials_handoff();
    ntlmssp_handle = find_dissector("ntlmssp");
    gssapi_handle = find_dissector("gssapi");
}

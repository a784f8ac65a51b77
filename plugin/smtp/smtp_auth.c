/* SMTP AUTH (RFC 4954): the mechanism, the initial response, the server's
 * 334 challenges and the client's responses, decoded with core/sasl: user
 * names, passwords and bearer tokens are always shown decoded.  NTLM and
 * GSSAPI blobs go to Wireshark's own dissectors.  Credentials feed the shared
 * "credentials" tap.
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/tap.h>

#include "compat.h"
#include "core/text/base64.h"
#include "core/mail/sasl.h"
#include "mail/lineitem.h"
#include "smtp/smtp_int.h"
#include "mail/credentials.h"
#include "mail/tap.h"

static int ett_smtp_auth = -1;
static int hf_smtp_auth_mechanism = -1;
static int hf_smtp_auth_response = -1;
static int hf_smtp_auth_decoded = -1;
static int hf_smtp_auth_username = -1;
static int hf_smtp_auth_authzid = -1;
static int hf_smtp_auth_password = -1;
static int hf_smtp_auth_token = -1;
static int hf_smtp_auth_digest = -1;
static int hf_smtp_auth_challenge = -1;
static int hf_smtp_auth_cancel = -1;

static expert_field ei_smtp_auth_cleartext = EI_INIT;
static expert_field ei_smtp_auth_bad_base64 = EI_INIT;
static expert_field ei_smtp_auth_bad_message = EI_INIT;

static dissector_handle_t ntlmssp_handle;
static dissector_handle_t gssapi_handle;

const mw_credentials smtp_credentials = {"SMTP", &ei_smtp_auth_cleartext, &ei_smtp_auth_bad_base64};

typedef struct smtp_auth_user {
    const char *name; /* file scope */
} smtp_auth_user;

/* Decode base64 at tvb[off, len) into a new data source; NULL on error (with
 * an expert on it). */
static tvbuff_t *smtp_auth_decode(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, gint len)
{
    const guint8 *p = tvb_get_ptr(tvb, off, len);
    size_t cap = (size_t)len / 4 * 3 + 3;
    guint8 *out = (guint8 *)wmem_alloc(sc->pinfo->pool, cap);
    size_t n = 0;
    const char *err = NULL;
    if (!mw_base64_decode(p, (size_t)len, out, cap, &n, &err)) {
        smtp_node it = so_add_item(sc, t, hf_smtp_auth_response, tvb, off, len, ENC_ASCII);
        so_expert_format(sc, it, &ei_smtp_auth_bad_base64, "Not base64 (%s)", err);
        return NULL;
    }
    return so_data_source(sc, tvb, out, (guint)n, "SASL (decoded)");
}

static void smtp_auth_credential(smtp_call *sc, const char *user, guint32 user_frame, int hf_secret)
{
    so_tap_credential(sc, user, user_frame, hf_secret, sc->st->auth_mech_name);
}

static smtp_node smtp_auth_secret(smtp_call *sc, smtp_node t, tvbuff_t *d, mw_span s, int hf)
{
    smtp_node it = so_add_item(sc, t, hf, d, (gint)s.off, (gint)s.len, ENC_UTF_8);
    if (!sc->ctx->tls && !sc->st->tls)
        so_mw_expert(sc, it, &ei_smtp_auth_cleartext);
    return it;
}

/* Remember the user name for a secret sent in a later frame (LOGIN). */
static const char *smtp_auth_keep_user(smtp_call *sc, tvbuff_t *d, mw_span s)
{
    smtp_auth_user *u = (smtp_auth_user *)smtp_rec(sc, sizeof *u);
    u->name = (const char *)tvb_get_string_enc(wmem_file_scope(), d, (gint)s.off, (gint)s.len,
                                               ENC_UTF_8);
    sc->st->auth_user = u->name;
    sc->st->auth_user_frame = sc->pinfo->num;
    return u->name;
}

static void smtp_auth_bad(smtp_call *sc, smtp_node it, const char *mech, const char *err)
{
    so_expert_format(sc, it, &ei_smtp_auth_bad_message, "Not a valid %s message: %s",
                           mech, err ? err : "unknown");
}

/* One client message of the exchange, decoded, by mechanism. */
static void smtp_auth_client_message(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, gint len)
{
    smtp_state *st = sc->st;
    if (len == 1 && tvb_get_guint8(tvb, off) == '*') {
        so_add_boolean(sc, t, hf_smtp_auth_cancel, tvb, off, 1, TRUE);
        return;
    }
    tvbuff_t *d = smtp_auth_decode(sc, tvb, t, off, len);
    if (!d)
        return;
    guint dl = tvb_reported_length(d);
    const guint8 *p = dl ? tvb_get_ptr(d, 0, dl) : (const guint8 *)"";
    smtp_node di = so_add_item(sc, t, hf_smtp_auth_decoded, d, 0, dl, ENC_NA);
    smtp_node dt = so_subtree(sc, di, ett_smtp_auth);
    int step = st->auth_step++;
    switch ((mw_sasl_mech)st->auth_mech) {
    case MW_SASL_PLAIN: {
        mw_sasl_plain pl;
        if (!mw_sasl_plain_parse(p, dl, &pl)) {
            smtp_auth_bad(sc, di, "PLAIN", pl.error);
            if (!pl.usable)
                break;
        }
        if (pl.authzid.len)
            so_add_item(sc, dt, hf_smtp_auth_authzid, d, (gint)pl.authzid.off, (gint)pl.authzid.len, ENC_UTF_8);
        so_add_item(sc, dt, hf_smtp_auth_username, d, (gint)pl.user.off, (gint)pl.user.len, ENC_UTF_8);
        smtp_auth_secret(sc, dt, d, pl.passwd, hf_smtp_auth_password);
        smtp_auth_credential(sc, (const char *)tvb_get_string_enc(sc->pinfo->pool, d, (gint)pl.user.off,
                                                    (gint)pl.user.len, ENC_UTF_8),
                             0, hf_smtp_auth_password);
        break;
    }
    case MW_SASL_LOGIN: {
        mw_span all = {0, dl};
        gboolean password = st->auth_prompt == MW_SASL_LOGIN_PASSWORD ||
                            (st->auth_prompt == MW_SASL_LOGIN_OTHER && step == 1);
        if (!password) {
            so_add_item(sc, dt, hf_smtp_auth_username, d, 0, dl, ENC_UTF_8);
            smtp_auth_keep_user(sc, d, all);
        } else {
            smtp_auth_secret(sc, dt, d, all, hf_smtp_auth_password);
            if (st->auth_user) {
                smtp_node u = so_add_string(sc, dt, hf_smtp_auth_username, d, 0, 0, st->auth_user);
                so_set_generated(sc, u);
            }
            smtp_auth_credential(sc, st->auth_user, st->auth_user_frame, hf_smtp_auth_password);
        }
        break;
    }
    case MW_SASL_CRAM_MD5: {
        mw_sasl_cram c;
        if (!mw_sasl_cram_parse(p, dl, &c)) {
            smtp_auth_bad(sc, di, "CRAM-MD5", c.error);
            break;
        }
        so_add_item(sc, dt, hf_smtp_auth_username, d, (gint)c.user.off, (gint)c.user.len, ENC_UTF_8);
        so_add_item(sc, dt, hf_smtp_auth_digest, d, (gint)c.digest.off, (gint)c.digest.len, ENC_ASCII);
        /* Not the password, but with the challenge it can be attacked
         * offline: listed like other hashed credentials. */
        smtp_auth_credential(sc, (const char *)tvb_get_string_enc(sc->pinfo->pool, d, (gint)c.user.off,
                                                    (gint)c.user.len, ENC_UTF_8),
                             0, hf_smtp_auth_digest);
        break;
    }
    case MW_SASL_XOAUTH2:
    case MW_SASL_OAUTHBEARER: {
        mw_sasl_oauth o;
        gboolean ok = st->auth_mech == MW_SASL_XOAUTH2 ? mw_sasl_xoauth2_parse(p, dl, &o)
                                                       : mw_sasl_oauthbearer_parse(p, dl, &o);
        if (!ok) {
            smtp_auth_bad(sc, di, st->auth_mech == MW_SASL_XOAUTH2 ? "XOAUTH2" : "OAUTHBEARER", o.error);
            break;
        }
        if (o.authzid.len)
            so_add_item(sc, dt, hf_smtp_auth_username, d, (gint)o.authzid.off, (gint)o.authzid.len, ENC_UTF_8);
        smtp_auth_secret(sc, dt, d, o.token, hf_smtp_auth_token);
        smtp_auth_credential(sc, o.authzid.len ? (const char *)tvb_get_string_enc(sc->pinfo->pool, d, (gint)o.authzid.off,
                                                                     (gint)o.authzid.len, ENC_UTF_8)
                                               : NULL,
                             0, hf_smtp_auth_token);
        break;
    }
    case MW_SASL_NTLM:
        if (ntlmssp_handle && dl)
            so_call_dissector(sc, ntlmssp_handle, d, dt);
        break;
    case MW_SASL_GSSAPI:
        if (gssapi_handle && dl)
            so_call_dissector(sc, gssapi_handle, d, dt);
        break;
    default:
        break;
    }
}

void dissect_smtp_auth(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *args,
                       gsize len)
{
    smtp_state *st = sc->st;
    mw_smtp_auth a;
    if (!mw_smtp_auth_parse(args, len, &a) && a.mech.len == 0)
        return;
    mw_sasl_mech_info info = mw_sasl_mech_classify(args + a.mech.off, a.mech.len);
    char *up = g_ascii_strup((const char *)args + a.mech.off, (gssize)a.mech.len);
    smtp_node m = so_add_string(sc, t, hf_smtp_auth_mechanism, tvb, off + (gint)a.mech.off,
                                          (gint)a.mech.len, wmem_strdup(sc->pinfo->pool, up));
    g_free(up);
    if (info.mech == MW_SASL_UNKNOWN)
        so_append_text(sc, m, " (not decoded)");
    st->auth_mech = (guint8)info.mech;
    st->auth_mech_name = info.name;
    st->auth_step = 0;
    mw_smtp_client_auth_sent(&st->cl);
    st->auth_prompt = MW_SASL_LOGIN_OTHER;
    st->auth_user = NULL;
    st->auth_user_frame = 0;
    if (a.has_initial) {
        /* An initial LOGIN response is the user name (RFC 4954 4). */
        st->auth_prompt = info.mech == MW_SASL_LOGIN ? MW_SASL_LOGIN_USERNAME : MW_SASL_LOGIN_OTHER;
        smtp_auth_client_message(sc, tvb, t, off + (gint)a.initial.off, (gint)a.initial.len);
    }
}

void dissect_smtp_auth_response(smtp_call *sc, tvbuff_t *tvb, const mw_line_at *l)
{
    gint len = (gint)l->line.len;
    /* The item spans the line end too; its value is the line without it. */
    /* a piece of a line over 64 KiB is kept and shown in part */
    const char *shown = mw_line_text_cut(sc->ctx, tvb, l->offset, len);
    smtp_node it = so_add_string(sc, sc->tree, hf_smtp_auth_response, tvb, l->offset,
                                           len + (gint)l->line.eol_len,
                                           l->fragment ? shown
                                           : (const char *)tvb_get_string_enc(sc->pinfo->pool, tvb,
                                                                              l->offset, len,
                                                                              ENC_ASCII));
    so_set_text(sc, it, "AUTH response: %s", shown);
    smtp_node t = so_subtree(sc, it, ett_smtp_auth);
    so_col(sc, "C: %s", shown);
    smtp_cmd_rec *c = smtp_cmd_new(sc, SMTP_VERB_AUTH_RESPONSE);
    mw_smtp_client_auth_response(&sc->st->cl);
    if (len == 0) {
        /* An empty response is valid (zero bytes); with XOAUTH2/OAUTHBEARER it
         * is the client's acknowledgment of an error challenge (RFC 7628 3.2.3). */
        guint8 m = sc->st->auth_mech;
        so_append_text(sc, it, (m == MW_SASL_XOAUTH2 || m == MW_SASL_OAUTHBEARER)
                                       ? " (empty: acknowledges the server's error)"
                                       : " (empty)");
        sc->st->auth_step++;
    } else {
        smtp_auth_client_message(sc, tvb, t, l->offset, len);
    }
    smtp_cmd_show_links(sc, t, tvb, c);
}

void smtp_auth_server_challenge(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, gint len)
{
    smtp_state *st = sc->st;
    if (len <= 0)
        return;
    const guint8 *p = tvb_get_ptr(tvb, off, len);
    size_t cap = (size_t)len / 4 * 3 + 3;
    guint8 *out = (guint8 *)wmem_alloc(sc->pinfo->pool, cap);
    size_t n = 0;
    const char *err = NULL;
    if (!mw_base64_decode(p, (size_t)len, out, cap, &n, &err))
        return; /* a human-readable 334 text */
    tvbuff_t *d = so_data_source(sc, tvb, out, (guint)n, "SASL challenge (decoded)");
    if (st->auth_mech == MW_SASL_NTLM && ntlmssp_handle && n) {
        so_call_dissector(sc, ntlmssp_handle, d, t);
        return;
    }
    if (st->auth_mech == MW_SASL_GSSAPI && gssapi_handle && n) {
        so_call_dissector(sc, gssapi_handle, d, t);
        return;
    }
    so_add_item(sc, t, hf_smtp_auth_challenge, d, 0, (gint)n, ENC_UTF_8);
    if (st->auth_mech == MW_SASL_LOGIN)
        st->auth_prompt = (guint8)mw_sasl_login_prompt_kind(out, n);
}

void smtp_auth_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_smtp_auth_mechanism,
         {"AUTH mechanism", "mail.smtp.auth.mechanism", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_smtp_auth_response,
         {"SASL message", "mail.smtp.auth.message", FT_STRING, BASE_NONE, NULL, 0x0,
          "As sent (base64)", HFILL}},
        {&hf_smtp_auth_decoded,
         {"Decoded", "mail.smtp.auth.decoded", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_auth_username,
         {"User name", "mail.smtp.auth.username", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_auth_authzid,
         {"Authorization identity", "mail.smtp.auth.authzid", FT_STRING, BASE_NONE, NULL, 0x0,
          NULL, HFILL}},
        {&hf_smtp_auth_password,
         {"Password", "mail.smtp.auth.password", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_auth_token,
         {"Bearer token", "mail.smtp.auth.token", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_smtp_auth_digest,
         {"CRAM-MD5 digest", "mail.smtp.auth.digest", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_smtp_auth_challenge,
         {"Server challenge", "mail.smtp.auth.challenge", FT_STRING, BASE_NONE, NULL, 0x0,
          "334 text, decoded", HFILL}},
        {&hf_smtp_auth_cancel,
         {"Exchange cancelled", "mail.smtp.auth.cancel", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The client answered \"*\"", HFILL}},
    };
    static gint *ett[] = {&ett_smtp_auth};
    static ei_register_info ei[] = {
        {&ei_smtp_auth_cleartext,
         {"mail.smtp.auth.cleartext", PI_SECURITY, PI_WARN,
          "Credentials sent without TLS: anyone on the path can read and reuse them", EXPFILL}},
        {&ei_smtp_auth_bad_base64,
         {"mail.smtp.auth.bad_base64", PI_MALFORMED, PI_WARN, "SASL message is not base64",
          EXPFILL}},
        {&ei_smtp_auth_bad_message,
         {"mail.smtp.auth.bad_message", PI_MALFORMED, PI_WARN, "SASL message not valid for its "
          "mechanism", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

void smtp_auth_handoff(void)
{
    ntlmssp_handle = find_dissector("ntlmssp");
    gssapi_handle = find_dissector("gssapi");
    mw_credentials_handoff();
}

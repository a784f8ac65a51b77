/* POP3 credentials and STLS, rendered from the session machine's items:
 * USER/PASS, APOP, AUTH with its SASL exchange (RFC 5034: "+ " challenges,
 * base64 responses, "*" to cancel; the mechanism and step come from the
 * record), the switch to TLS after "+OK" to STLS (RFC 2595), and plaintext
 * that follows STLS before TLS flagged as injection.  NTLM and GSSAPI blobs,
 * both ways, go to Wireshark's own dissectors. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "core/mail/sasl.h"
#include "mail/credentials.h"
#include "mail/lineitem.h"
#include "mail/mail.h"
#include "pop/pop.h"
#include "mail/tap.h"

static int hf_auth_username = -1;
static int hf_auth_password = -1;
static int hf_auth_mechanism = -1;
static int hf_auth_response = -1;
static int hf_auth_challenge = -1;
static int hf_auth_token = -1;
static int hf_auth_digest = -1;
static int hf_auth_cancelled = -1;
static int hf_apop_digest = -1;
static int hf_stls_plaintext = -1;

static expert_field ei_auth_cleartext = EI_INIT;
static expert_field ei_auth_bad_base64 = EI_INIT;
static expert_field ei_apop_bad_digest = EI_INIT;
static expert_field ei_stls_injection = EI_INIT;

static dissector_handle_t tls_handle;
static dissector_handle_t ntlmssp_handle;
static dissector_handle_t gssapi_handle;

static const mw_credentials pop_credentials = {"POP3", &ei_auth_cleartext, &ei_auth_bad_base64};

static proto_item *add_secret(mw_ctx *ctx, proto_tree *t, int hf, tvbuff_t *tvb, gint off, gint len,
                              const char *value, gboolean generated)
{
    proto_item *it = proto_tree_add_string(t, hf, tvb, off, len, value);
    if (generated)
        proto_item_set_generated(it);
    mw_credentials_secret(&pop_credentials, ctx->pinfo, it, ctx->tls, NULL);
    return it;
}

static void add_username(proto_tree *t, tvbuff_t *tvb, gint off, gint len, const char *name,
                         gboolean generated)
{
    proto_item *it = proto_tree_add_string(t, hf_auth_username, tvb, off, len, name);
    if (generated)
        proto_item_set_generated(it);
}

/* A span of the decoded bytes: its item and its value. */
static void add_decoded(mw_ctx *ctx, proto_tree *t, int hf, tvbuff_t *d, mw_span sp, gboolean secret)
{
    const char *v = mw_credentials_printable(ctx->pinfo, tvb_get_ptr(d, (gint)sp.off, (gint)sp.len),
                                             sp.len);
    if (secret)
        add_secret(ctx, t, hf, d, (gint)sp.off, (gint)sp.len, v, FALSE);
    else
        add_username(t, d, (gint)sp.off, (gint)sp.len, v, FALSE);
}

static void tap_credential(mw_ctx *ctx, const mw_pop_auth *a, int hf_secret, const char *info)
{
    mw_credentials_tap(&pop_credentials, ctx->pinfo, a->user, a->user_frame, hf_secret, info);
}

/* The dissector of an NTLM or GSSAPI blob (NULL: shown as text). */
static dissector_handle_t blob_dissector(guint8 mech, gsize n)
{
    if (!n)
        return NULL;
    if (mech == MW_SASL_NTLM)
        return ntlmssp_handle;
    if (mech == MW_SASL_GSSAPI)
        return gssapi_handle;
    return NULL;
}

/* One client response of the SASL exchange, decoded into a data source of
 * its own and parsed by core/sasl with the mechanism and step the record
 * holds. */
static void sasl_response(mw_ctx *ctx, const mw_pop_auth *a, proto_tree *t, tvbuff_t *tvb, gint off,
                          gint len)
{
    tvbuff_t *d = mw_credentials_decode(&pop_credentials, ctx->pinfo, t, hf_auth_response, tvb, off,
                                        len, "SASL (decoded)");
    if (!d)
        return;
    gsize n = tvb_reported_length(d);
    if (blob_dissector(a->mech, n)) {
        call_dissector(blob_dissector(a->mech, n), d, ctx->pinfo, t);
        return;
    }
    const guint8 *p = n ? tvb_get_ptr(d, 0, (gint)n) : (const guint8 *)"";
    /* escaped like IMAP's and SMTP's (a NUL shows as \000) */
    proto_item *ri = proto_tree_add_string(t, hf_auth_response, tvb, off, len,
                                           mw_format_text(ctx->pinfo->pool, p, n));
    proto_item_set_generated(ri);
    mw_span all = {0, n};
    switch ((mw_sasl_mech)a->mech) {
    case MW_SASL_PLAIN: {
        mw_sasl_plain pl;
        if (mw_sasl_plain_parse(p, n, &pl) || pl.usable) {
            add_decoded(ctx, t, hf_auth_username, d, pl.user, FALSE);
            add_decoded(ctx, t, hf_auth_password, d, pl.passwd, TRUE);
            tap_credential(ctx, a, hf_auth_password, "AUTH PLAIN");
        }
        break;
    }
    case MW_SASL_LOGIN:
        if (a->step == 0) {
            add_decoded(ctx, t, hf_auth_username, d, all, FALSE);
        } else if (a->step == 1) {
            add_decoded(ctx, t, hf_auth_password, d, all, TRUE);
            tap_credential(ctx, a, hf_auth_password, "AUTH LOGIN");
        }
        break;
    case MW_SASL_CRAM_MD5: {
        mw_sasl_cram cr;
        if (mw_sasl_cram_parse(p, n, &cr)) {
            add_decoded(ctx, t, hf_auth_username, d, cr.user, FALSE);
            proto_item *it = proto_tree_add_string(
                t, hf_auth_digest, d, (gint)cr.digest.off, (gint)cr.digest.len,
                mw_credentials_printable(ctx->pinfo, p + cr.digest.off, cr.digest.len));
            mw_credentials_secret(&pop_credentials, ctx->pinfo, it, ctx->tls,
                                  "CRAM-MD5 response sent without TLS: the user name is "
                                  "visible and the digest with its challenge is open to an "
                                  "offline dictionary attack on the password");
            tap_credential(ctx, a, hf_auth_digest, "AUTH CRAM-MD5");
        }
        break;
    }
    case MW_SASL_XOAUTH2: case MW_SASL_OAUTHBEARER: {
        mw_sasl_oauth o;
        gboolean ok = a->mech == MW_SASL_XOAUTH2 ? mw_sasl_xoauth2_parse(p, n, &o)
                                                 : mw_sasl_oauthbearer_parse(p, n, &o);
        if (ok) {
            if (o.authzid.len)
                add_decoded(ctx, t, hf_auth_username, d, o.authzid, FALSE);
            add_decoded(ctx, t, hf_auth_token, d, o.token, TRUE);
            tap_credential(ctx, a, hf_auth_token, a->mech == MW_SASL_XOAUTH2 ? "AUTH XOAUTH2"
                                                                             : "AUTH OAUTHBEARER");
        }
        break;
    }
    default:
        break;
    }
}

void pop_render_auth_command(mw_ctx *ctx, const mw_pop_item *r, proto_tree *t, tvbuff_t *tvb,
                             gint args_off, gint args_len)
{
    const mw_pop_auth *a = r->auth;
    if (!a)
        return;
    switch ((mw_pop_cmd)r->cmd) {
    case MW_POP_CMD_USER:
        if (args_len > 0)
            add_username(t, tvb, args_off, args_len,
                         (const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, args_off, args_len,
                                                          ENC_UTF_8), FALSE);
        break;
    case MW_POP_CMD_PASS:
        if (a->user && a->user[0]) {
            proto_item *it = proto_tree_add_string(t, hf_auth_username, tvb, args_off, 0, a->user);
            proto_item_set_generated(it);
        }
        add_secret(ctx, t, hf_auth_password, tvb, args_off, args_len,
                   (const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, args_off, MAX(args_len, 0),
                                                    ENC_UTF_8), FALSE);
        tap_credential(ctx, a, hf_auth_password, "USER/PASS");
        break;
    case MW_POP_CMD_APOP: {
        gint sp = args_len > 0 ? tvb_find_guint8(tvb, args_off, args_len, ' ') : -1;
        gint name_len = sp < 0 ? args_len : sp - args_off;
        if (name_len > 0)
            add_username(t, tvb, args_off, name_len,
                         (const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, args_off, name_len,
                                                          ENC_UTF_8), FALSE);
        gint dlen = sp < 0 ? 0 : args_off + args_len - sp - 1;
        proto_item *di = dlen > 0 ? proto_tree_add_item(t, hf_apop_digest, tvb, sp + 1, dlen, ENC_ASCII)
                                  : NULL;
        gboolean ok = dlen == 32;
        for (gint i = 0; ok && i < dlen; i++)
            ok = g_ascii_isxdigit(tvb_get_guint8(tvb, sp + 1 + i));
        if (!ok)
            expert_add_info(ctx->pinfo, di ? di : proto_tree_get_parent(t), &ei_apop_bad_digest);
        if (dlen > 0)
            mw_credentials_secret(&pop_credentials, ctx->pinfo, di, ctx->tls,
                                  "APOP sent without TLS: the user name is visible and the digest "
                                  "with the greeting's timestamp is open to an offline dictionary "
                                  "attack on the password");
        if (dlen > 0)
            tap_credential(ctx, a, hf_apop_digest, "APOP");
        break;
    }
    case MW_POP_CMD_AUTH: {
        if (args_len <= 0)
            break; /* the mechanism list */
        gint sp = tvb_find_guint8(tvb, args_off, args_len, ' ');
        gint mlen = sp < 0 ? args_len : sp - args_off;
        proto_tree_add_item(t, hf_auth_mechanism, tvb, args_off, mlen, ENC_ASCII);
        if (sp >= 0) {
            gint ilen = args_off + args_len - sp - 1;
            /* "=" is an empty initial response (RFC 5034) */
            if (ilen > 0 && !(ilen == 1 && tvb_get_guint8(tvb, sp + 1) == '='))
                sasl_response(ctx, a, t, tvb, sp + 1, ilen);
        }
        break;
    }
    default:
        break;
    }
}

void pop_render_sasl(mw_ctx *ctx, const mw_pop_item *r, tvbuff_t *tvb)
{
    mw_line_at l;
    pop_item_line(r, &l);
    gint len = (gint)r->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, proto_pop, tvb, l.offset,
                                         len + (gint)r->line.eol_len, ENC_NA);
    proto_item_set_text(it, "SASL response: %s", mw_line_text_cut(ctx, tvb, l.offset, len));
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "C: [SASL response]");
    proto_tree *t = proto_item_add_subtree(it, ett_pop_line);
    if (r->flags & MW_POP_F_CANCELLED) {
        proto_item *c = proto_tree_add_boolean(t, hf_auth_cancelled, tvb, l.offset, 1, TRUE);
        proto_item_set_generated(c);
    } else if (r->auth) {
        sasl_response(ctx, r->auth, t, tvb, l.offset, len);
    }
    mw_add_line_facts(ctx, t, tvb, &l);
}

void pop_render_challenge(mw_ctx *ctx, const mw_pop_item *r, proto_tree *t, tvbuff_t *tvb, gint off,
                          gint len)
{
    if (len <= 0)
        return;
    tvbuff_t *d = mw_credentials_decode(&pop_credentials, ctx->pinfo, t, hf_auth_challenge, tvb, off,
                                        len, "SASL challenge (decoded)");
    if (!d)
        return;
    gsize n = tvb_reported_length(d);
    dissector_handle_t blob = r->auth ? blob_dissector(r->auth->mech, n) : NULL;
    if (blob) {
        call_dissector(blob, d, ctx->pinfo, t);
        return;
    }
    proto_item *it = proto_tree_add_string(
        t, hf_auth_challenge, tvb, off, len,
        mw_format_text(ctx->pinfo->pool, n ? tvb_get_ptr(d, 0, (gint)n) : (const guint8 *)"", n));
    proto_item_set_generated(it);
}

void pop_stls_ack(packet_info *pinfo)
{
    if (tls_handle)
        ssl_starttls_ack(tls_handle, pinfo, pop_handle_get());
}

void pop_render_stls_injection(mw_ctx *ctx, proto_item *it, gboolean client)
{
    proto_item *f = proto_tree_add_boolean(proto_item_get_subtree(it), hf_stls_plaintext, NULL, 0, 0, TRUE);
    proto_item_set_generated(f);
    if (client)
        mw_expert(ctx->pinfo, it, &ei_stls_injection);
    else
        mw_expert_format(ctx->pinfo, it, &ei_stls_injection,
                         "Plaintext after the reply to STLS, before TLS began: a client that "
                         "buffers it takes it as replies inside TLS (response injection)");
}

void pop_auth_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_auth_username, {"User name", "mail.pop.auth.username", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_password, {"Password", "mail.pop.auth.password", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_mechanism, {"SASL mechanism", "mail.pop.auth.mechanism", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_response, {"Decoded SASL response", "mail.pop.auth.response", FT_STRING, BASE_NONE,
          NULL, 0x0, NULL, HFILL}},
        {&hf_auth_challenge, {"Decoded SASL challenge", "mail.pop.auth.challenge", FT_STRING,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_token, {"Bearer token", "mail.pop.auth.token", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_digest, {"CRAM-MD5 digest", "mail.pop.auth.digest", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_cancelled, {"Exchange cancelled by the client", "mail.pop.auth.cancelled", FT_BOOLEAN,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_apop_digest, {"APOP digest", "mail.pop.apop.digest", FT_STRING, BASE_NONE, NULL, 0x0,
          "MD5 of the greeting's timestamp and the shared secret", HFILL}},
        {&hf_stls_plaintext, {"Plaintext after STLS", "mail.pop.stls.plaintext", FT_BOOLEAN,
          BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_auth_cleartext, {"mail.pop.auth.cleartext", PI_SECURITY, PI_WARN,
          "Credentials sent without TLS: anyone on the path can read and reuse them", EXPFILL}},
        {&ei_auth_bad_base64, {"mail.pop.auth.bad_base64", PI_MALFORMED, PI_WARN,
          "SASL data that is not base64", EXPFILL}},
        {&ei_apop_bad_digest, {"mail.pop.apop.bad_digest", PI_MALFORMED, PI_WARN,
          "APOP digest is not 32 hex digits", EXPFILL}},
        {&ei_stls_injection, {"mail.pop.stls.injection", PI_SECURITY, PI_ERROR,
          "Plaintext after STLS, before TLS began: a server that buffers it executes it as if "
          "sent inside TLS (command injection)", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

void pop_auth_handoff(void)
{
    tls_handle = find_dissector_add_dependency("tls", proto_pop);
    ntlmssp_handle = find_dissector("ntlmssp");
    gssapi_handle = find_dissector("gssapi");
    mw_credentials_handoff();
}

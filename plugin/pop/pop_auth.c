/* POP3 credentials and STLS, rendered from the session machine's items:
 * USER/PASS, APOP, AUTH with its SASL exchange (RFC 5034: "+ " challenges,
 * base64 responses, "*" to cancel; the mechanism and step come from the
 * record), the switch to TLS after "+OK" to STLS (RFC 2595), and plaintext
 * that follows STLS before TLS flagged as injection. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "core/mail/sasl.h"
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
static int credentials_tap = -1;

/* Decode base64 text at tvb[off, off+len) into packet scope (core/base64,
 * strict); NULL with *err set if it is not base64. */
static guint8 *b64_decode(mw_ctx *ctx, tvbuff_t *tvb, gint off, gint len, gsize *out_len,
                          const char **err)
{
    if (len <= 0) {
        *err = "empty input";
        return NULL;
    }
    size_t cap = (size_t)len / 4 * 3 + 4;
    guint8 *out = (guint8 *)wmem_alloc(ctx->pinfo->pool, cap);
    size_t n = 0;
    if (!mw_base64_decode(tvb_get_ptr(tvb, off, len), (size_t)len, out, cap - 1, &n, err))
        return NULL;
    out[n] = 0;
    *out_len = n;
    return out;
}

/* Queue a record for the credentials tap (tshark -z credentials). */
static void tap_credential(mw_ctx *ctx, const mw_pop_auth *a, int hf_secret, const char *info)
{
#if MW_HAVE_CREDENTIALS_TAP
    if (credentials_tap < 0 || !have_tap_listener(credentials_tap))
        return;
    mw_tap_credential *c = wmem_new0(ctx->pinfo->pool, mw_tap_credential);
    c->num = ctx->pinfo->num;
    c->username_num = a->user_frame ? a->user_frame : ctx->pinfo->num;
    c->password_hf_id = (unsigned)hf_secret;
    c->username = wmem_strdup(ctx->pinfo->pool, a->user && a->user[0] ? a->user : "n.a.");
    c->proto = "POP3";
    c->info = wmem_strdup(ctx->pinfo->pool, info);
    tap_queue_packet(credentials_tap, ctx->pinfo, c);
#else
    (void)ctx, (void)a, (void)hf_secret, (void)info;
#endif
}

/* Decoded SASL bytes as a field value: valid UTF-8, controls shown as '.'. */
static const char *printable(mw_ctx *ctx, const guint8 *p, gsize len)
{
    gchar *c0 = (gchar *)wmem_memdup(ctx->pinfo->pool, p, len);
    for (gsize i = 0; i < len; i++)
        if ((guchar)c0[i] < 0x20 || c0[i] == 0x7f)
            c0[i] = '.';
    gchar *v = g_utf8_make_valid(c0, (gssize)len);
    for (gchar *c = v; *c; c++)
        if ((guchar)*c < 0x20 || *c == 0x7f)
            *c = '.';
    char *r = wmem_strdup(ctx->pinfo->pool, v);
    g_free(v);
    return r;
}

static proto_item *add_secret(mw_ctx *ctx, proto_tree *t, int hf, tvbuff_t *tvb, gint off, gint len,
                              const char *value, gboolean generated)
{
    proto_item *it = proto_tree_add_string(t, hf, tvb, off, len, value);
    if (generated)
        proto_item_set_generated(it);
    if (!ctx->tls)
        mw_expert(ctx->pinfo, it, &ei_auth_cleartext);
    return it;
}

static void add_username(proto_tree *t, tvbuff_t *tvb, gint off, gint len, const char *name,
                         gboolean generated)
{
    proto_item *it = proto_tree_add_string(t, hf_auth_username, tvb, off, len, name);
    if (generated)
        proto_item_set_generated(it);
}

static const char *span_text(mw_ctx *ctx, const guint8 *d, mw_span sp)
{
    return printable(ctx, d + sp.off, sp.len);
}

/* One decoded client response of the SASL exchange (parsed by core/sasl). */
static void sasl_response(mw_ctx *ctx, const mw_pop_auth *a, proto_tree *t, tvbuff_t *tvb, gint off,
                          gint len)
{
    gsize n = 0;
    const char *err = NULL;
    guint8 *d = b64_decode(ctx, tvb, off, len, &n, &err);
    if (!d) {
        proto_item *it = proto_tree_add_item(t, hf_auth_response, tvb, off, len, ENC_ASCII);
        expert_add_info_format(ctx->pinfo, it, &ei_auth_bad_base64, "SASL data that is not base64 (%s)", err);
        return;
    }
    proto_item *ri = proto_tree_add_string(t, hf_auth_response, tvb, off, len, printable(ctx, d, n));
    proto_item_set_generated(ri);
    switch ((mw_sasl_mech)a->mech) {
    case MW_SASL_PLAIN: {
        mw_sasl_plain pl;
        if (mw_sasl_plain_parse(d, n, &pl)) {
            add_username(t, tvb, off, len, span_text(ctx, d, pl.authcid), TRUE);
            add_secret(ctx, t, hf_auth_password, tvb, off, len, span_text(ctx, d, pl.passwd), TRUE);
            tap_credential(ctx, a, hf_auth_password, "AUTH PLAIN");
        }
        break;
    }
    case MW_SASL_LOGIN:
        if (a->step == 0) {
            add_username(t, tvb, off, len, printable(ctx, d, n), TRUE);
        } else if (a->step == 1) {
            add_secret(ctx, t, hf_auth_password, tvb, off, len, printable(ctx, d, n), TRUE);
            tap_credential(ctx, a, hf_auth_password, "AUTH LOGIN");
        }
        break;
    case MW_SASL_CRAM_MD5: {
        mw_sasl_cram cr;
        if (mw_sasl_cram_parse(d, n, &cr)) {
            add_username(t, tvb, off, len, span_text(ctx, d, cr.user), TRUE);
            proto_item *it = proto_tree_add_string(t, hf_auth_digest, tvb, off, len, span_text(ctx, d, cr.digest));
            proto_item_set_generated(it);
            if (!ctx->tls)
                expert_add_info_format(ctx->pinfo, it, &ei_auth_cleartext,
                                       "CRAM-MD5 response sent without TLS: the user name is "
                                       "visible and the digest with its challenge is open to an "
                                       "offline dictionary attack on the password");
            tap_credential(ctx, a, hf_auth_digest, "AUTH CRAM-MD5");
        }
        break;
    }
    case MW_SASL_XOAUTH2: case MW_SASL_OAUTHBEARER: {
        mw_sasl_oauth o;
        gboolean ok = a->mech == MW_SASL_XOAUTH2 ? mw_sasl_xoauth2_parse(d, n, &o)
                                                 : mw_sasl_oauthbearer_parse(d, n, &o);
        if (ok) {
            if (o.authzid.len)
                add_username(t, tvb, off, len, span_text(ctx, d, o.authzid), TRUE);
            add_secret(ctx, t, hf_auth_token, tvb, off, len, span_text(ctx, d, o.token), TRUE);
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
        if (dlen > 0 && !ctx->tls)
            expert_add_info_format(ctx->pinfo, di, &ei_auth_cleartext,
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
    proto_item_set_text(it, "SASL response: %s", mw_line_text(ctx, tvb, l.offset, len));
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

void pop_render_challenge(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    if (len <= 0)
        return;
    gsize n = 0;
    const char *err = NULL;
    guint8 *d = b64_decode(ctx, tvb, off, len, &n, &err);
    if (!d) {
        proto_item *it = proto_tree_add_item(t, hf_auth_challenge, tvb, off, len, ENC_ASCII);
        expert_add_info_format(ctx->pinfo, it, &ei_auth_bad_base64, "SASL data that is not base64 (%s)", err);
        return;
    }
    proto_item *it = proto_tree_add_string(t, hf_auth_challenge, tvb, off, len, printable(ctx, d, n));
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
    mw_expert_format(ctx->pinfo, it, &ei_stls_injection,
                           client ? "Client plaintext after STLS, before TLS: a server that buffers "
                                    "it runs it as if it came inside TLS"
                                  : "Server plaintext after +OK to STLS, before TLS: a client that "
                                    "buffers it takes it as a response inside TLS");
}

void pop_auth_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_auth_username, {"User name", "mail.pop.auth.username", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_password, {"Password", "mail.pop.auth.password", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_mechanism, {"SASL mechanism", "mail.pop.auth.mechanism", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_auth_response, {"SASL response (decoded)", "mail.pop.auth.response", FT_STRING, BASE_NONE,
          NULL, 0x0, NULL, HFILL}},
        {&hf_auth_challenge, {"SASL challenge (decoded)", "mail.pop.auth.challenge", FT_STRING,
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
          "Credentials sent without TLS", EXPFILL}},
        {&ei_auth_bad_base64, {"mail.pop.auth.bad_base64", PI_MALFORMED, PI_WARN,
          "SASL data that is not base64", EXPFILL}},
        {&ei_apop_bad_digest, {"mail.pop.apop.bad_digest", PI_MALFORMED, PI_WARN,
          "APOP digest is not 32 hex digits", EXPFILL}},
        {&ei_stls_injection, {"mail.pop.stls.injection", PI_SECURITY, PI_ERROR,
          "Plaintext after STLS before TLS", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

void pop_auth_handoff(void)
{
    tls_handle = find_dissector_add_dependency("tls", proto_pop);
    credentials_tap = find_tap_id("credentials");
}

/* POP3 credentials and STLS: USER/PASS, APOP, AUTH with its SASL exchange
 * (RFC 5034: "+ " challenges, base64 responses, "*" to cancel), and the switch
 * to TLS after "+OK" to STLS (RFC 2595), with plaintext that follows STLS
 * before TLS flagged as injection. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "lineitem.h"
#include "mail.h"
#include "pop.h"
#include "tap.h"

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

static pop_sasl mech_lookup(tvbuff_t *tvb, gint off, gint len)
{
    static const struct { const char *name; pop_sasl m; } mechs[] = {
        {"PLAIN", POP_SASL_PLAIN}, {"LOGIN", POP_SASL_LOGIN}, {"CRAM-MD5", POP_SASL_CRAM_MD5},
        {"XOAUTH2", POP_SASL_XOAUTH2},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(mechs); i++)
        if ((gint)strlen(mechs[i].name) == len && tvb_strncaseeql(tvb, off, mechs[i].name, len) == 0)
            return mechs[i].m;
    return POP_SASL_OTHER;
}

/* Decode base64 text at tvb[off, off+len) into packet scope; NULL if it is
 * not base64. */
static guint8 *b64_decode(mw_ctx *ctx, tvbuff_t *tvb, gint off, gint len, gsize *out_len)
{
    if (len <= 0 || len % 4 != 0)
        return NULL;
    char *s = (char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, off, len, ENC_ASCII);
    for (gint i = 0; i < len; i++) {
        char c = s[i];
        if (!(g_ascii_isalnum(c) || c == '+' || c == '/' || (c == '=' && i >= len - 2)))
            return NULL;
    }
    guchar *d = g_base64_decode(s, out_len);
    guint8 *r = (guint8 *)wmem_memdup(ctx->pinfo->pool, d, *out_len + 1);
    r[*out_len] = 0;
    g_free(d);
    return r;
}

/* Decoded SASL bytes as a field value: valid UTF-8, controls shown as '.'. */
static const char *printable(mw_ctx *ctx, const guint8 *p, gsize len)
{
    gchar *v = g_utf8_make_valid((const gchar *)p, (gssize)len);
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

static void add_username(pop_state *st, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                         const char *name, gboolean generated)
{
    proto_item *it = proto_tree_add_string(t, hf_auth_username, tvb, off, len, name);
    if (generated)
        proto_item_set_generated(it);
    g_strlcpy(st->user, name, sizeof st->user);
}

/* One decoded client response of the SASL exchange. */
static void sasl_response(mw_ctx *ctx, pop_state *st, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    gsize n = 0;
    guint8 *d = b64_decode(ctx, tvb, off, len, &n);
    if (!d) {
        proto_item *it = proto_tree_add_item(t, hf_auth_response, tvb, off, len, ENC_ASCII);
        expert_add_info(ctx->pinfo, it, &ei_auth_bad_base64);
        return;
    }
    proto_item *ri = proto_tree_add_string(t, hf_auth_response, tvb, off, len, printable(ctx, d, n));
    proto_item_set_generated(ri);
    switch ((pop_sasl)st->sasl) {
    case POP_SASL_PLAIN: {
        /* authzid NUL authcid NUL passwd */
        const guint8 *z1 = memchr(d, 0, n);
        const guint8 *z2 = z1 ? memchr(z1 + 1, 0, n - (gsize)(z1 + 1 - d)) : NULL;
        if (z2) {
            add_username(st, t, tvb, off, len, printable(ctx, z1 + 1, (gsize)(z2 - z1 - 1)), TRUE);
            add_secret(ctx, t, hf_auth_password, tvb, off, len,
                       printable(ctx, z2 + 1, n - (gsize)(z2 + 1 - d)), TRUE);
        }
        break;
    }
    case POP_SASL_LOGIN:
        if (st->sasl_step == 0)
            add_username(st, t, tvb, off, len, printable(ctx, d, n), TRUE);
        else if (st->sasl_step == 1)
            add_secret(ctx, t, hf_auth_password, tvb, off, len, printable(ctx, d, n), TRUE);
        break;
    case POP_SASL_CRAM_MD5: {
        const guint8 *sp = memchr(d, ' ', n);
        if (sp) {
            add_username(st, t, tvb, off, len, printable(ctx, d, (gsize)(sp - d)), TRUE);
            proto_item *it = proto_tree_add_string(t, hf_auth_digest, tvb, off, len,
                                                   printable(ctx, sp + 1, n - (gsize)(sp + 1 - d)));
            proto_item_set_generated(it);
        }
        break;
    }
    case POP_SASL_XOAUTH2: {
        /* "user=" name ^A "auth=Bearer " token ^A ^A */
        gchar **parts = g_strsplit((const gchar *)d, "\001", 0);
        for (gchar **p = parts; *p; p++) {
            if (g_str_has_prefix(*p, "user="))
                add_username(st, t, tvb, off, len, printable(ctx, (const guint8 *)*p + 5, strlen(*p + 5)), TRUE);
            else if (g_str_has_prefix(*p, "auth="))
                add_secret(ctx, t, hf_auth_token, tvb, off, len,
                           printable(ctx, (const guint8 *)*p + 5, strlen(*p + 5)), TRUE);
        }
        g_strfreev(parts);
        break;
    }
    default:
        break;
    }
    if (st->sasl_step < 255)
        st->sasl_step++;
}

void pop_auth_command(mw_ctx *ctx, pop_state *st, pop_cmd cmd, proto_tree *t, tvbuff_t *tvb,
                      gint args_off, gint args_len)
{
    switch (cmd) {
    case POP_CMD_USER:
        if (args_len > 0)
            add_username(st, t, tvb, args_off, args_len,
                         (const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, args_off, args_len,
                                                          ENC_UTF_8), FALSE);
        break;
    case POP_CMD_PASS:
        if (st->user[0]) {
            proto_item *it = proto_tree_add_string(t, hf_auth_username, tvb, args_off, 0, st->user);
            proto_item_set_generated(it);
        }
        add_secret(ctx, t, hf_auth_password, tvb, args_off, args_len,
                   (const char *)tvb_get_string_enc(ctx->pinfo->pool, tvb, args_off, MAX(args_len, 0),
                                                    ENC_UTF_8), FALSE);
        break;
    case POP_CMD_APOP: {
        gint sp = args_len > 0 ? tvb_find_guint8(tvb, args_off, args_len, ' ') : -1;
        gint name_len = sp < 0 ? args_len : sp - args_off;
        if (name_len > 0)
            add_username(st, t, tvb, args_off, name_len,
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
        break;
    }
    case POP_CMD_AUTH: {
        if (args_len <= 0)
            break; /* the mechanism list */
        gint sp = tvb_find_guint8(tvb, args_off, args_len, ' ');
        gint mlen = sp < 0 ? args_len : sp - args_off;
        proto_tree_add_item(t, hf_auth_mechanism, tvb, args_off, mlen, ENC_ASCII);
        st->sasl = (guint8)mech_lookup(tvb, args_off, mlen);
        st->sasl_step = 0;
        st->sasl_active = TRUE;
        if (sp >= 0) {
            gint ilen = args_off + args_len - sp - 1;
            /* "=" is an empty initial response (RFC 5034) */
            if (ilen > 0 && !(ilen == 1 && tvb_get_guint8(tvb, sp + 1) == '='))
                sasl_response(ctx, st, t, tvb, sp + 1, ilen);
        }
        break;
    }
    default:
        break;
    }
}

void pop_auth_client_line(mw_ctx *ctx, pop_state *st, tvbuff_t *tvb, const mw_line_at *l)
{
    gint len = (gint)l->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, proto_pop, tvb, l->offset,
                                         len + (gint)l->line.eol_len, ENC_NA);
    proto_item_set_text(it, "SASL response: %s", mw_line_text(ctx, tvb, l->offset, len));
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "C: [SASL response]");
    proto_tree *t = proto_item_add_subtree(it, ett_pop_line);
    if (len == 1 && tvb_get_guint8(tvb, l->offset) == '*') {
        proto_item *c = proto_tree_add_boolean(t, hf_auth_cancelled, tvb, l->offset, 1, TRUE);
        proto_item_set_generated(c);
        st->sasl_active = FALSE;
    } else {
        sasl_response(ctx, st, t, tvb, l->offset, len);
    }
    mw_add_line_facts(ctx, t, tvb, l);
}

void pop_auth_challenge(mw_ctx *ctx, pop_state *st, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    (void)st;
    if (len <= 0)
        return;
    gsize n = 0;
    guint8 *d = b64_decode(ctx, tvb, off, len, &n);
    if (!d) {
        proto_item *it = proto_tree_add_item(t, hf_auth_challenge, tvb, off, len, ENC_ASCII);
        expert_add_info(ctx->pinfo, it, &ei_auth_bad_base64);
        return;
    }
    proto_item *it = proto_tree_add_string(t, hf_auth_challenge, tvb, off, len, printable(ctx, d, n));
    proto_item_set_generated(it);
}

void pop_auth_done(pop_state *st)
{
    st->sasl_active = FALSE;
    st->sasl = POP_SASL_NONE;
}

void pop_stls_ok(mw_ctx *ctx, pop_state *st)
{
    st->stls_started = TRUE;
    if (tls_handle)
        ssl_starttls_ack(tls_handle, ctx->pinfo, pop_handle_get());
}

void pop_stls_injection(mw_ctx *ctx, proto_item *it, gboolean client)
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
}

/* The PROXY header shown and its claimed client told to the tap: see
 * proxyhdr.h.  The parsing is core/mail/proxy.c. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>

#include "core/mail/proxy.h"
#include "mail/proxyhdr.h"
#include "mail/tap.h"

/* The key of the header's record among the frame's "mail" proto data. */
#define PROXY_KEY 0x50524f58u

static int proto_mail_id = -1;
static int ett_proxy = -1;
static int ett_proxy_tlv = -1;
static int hf_proxy = -1;
static int hf_proxy_version = -1;
static int hf_proxy_command = -1;
static int hf_proxy_family = -1;
static int hf_proxy_transport = -1;
static int hf_proxy_v1_proto = -1;
static int hf_proxy_length = -1;
static int hf_proxy_src = -1;
static int hf_proxy_dst = -1;
static int hf_proxy_srcport = -1;
static int hf_proxy_dstport = -1;
static int hf_proxy_client = -1;
static int hf_proxy_tlv = -1;
static int hf_proxy_tlv_type = -1;
static int hf_proxy_tlv_length = -1;
static int hf_proxy_tlv_value = -1;
static int hf_proxy_tlv_text = -1;
static int hf_proxy_ssl_client = -1;
static int hf_proxy_ssl_verify = -1;
static int hf_proxy_crc32c = -1;

static expert_field ei_proxy_bad = EI_INIT;
static expert_field ei_proxy_tlv_bad = EI_INIT;
static expert_field ei_proxy_client = EI_INIT;
static expert_field ei_proxy_no_client = EI_INIT;

typedef struct proxy_rec {
    mw_proxy_status status;
    mw_proxy_header hdr;
    char *client;      /* "addr:port" when the claimed client counts, else NULL */
} proxy_rec;

static gboolean tlv_is_text(guint8 type, gboolean in_ssl)
{
    if (in_ssl)
        return type == MW_PP2_SUBTYPE_SSL_VERSION || type == MW_PP2_SUBTYPE_SSL_CN ||
               type == MW_PP2_SUBTYPE_SSL_CIPHER || type == MW_PP2_SUBTYPE_SSL_SIG_ALG ||
               type == MW_PP2_SUBTYPE_SSL_KEY_ALG || type == MW_PP2_SUBTYPE_SSL_GROUP ||
               type == MW_PP2_SUBTYPE_SSL_SIG_SCHEME;
    return type == MW_PP2_TYPE_ALPN || type == MW_PP2_TYPE_AUTHORITY ||
           type == MW_PP2_TYPE_NETNS || type == MW_PP2_TYPE_AWS || type == MW_PP2_TYPE_AZURE;
}

static void show_tlvs(packet_info *pinfo, tvbuff_t *tvb, proto_tree *tree, const guint8 *buf,
                      const mw_proxy_header *h, mw_proxy_tlv_iter *it, int depth)
{
    mw_proxy_tlv t;
    while (mw_proxy_tlv_next(buf, h, it, &t)) {
        gboolean in_ssl = it->in_ssl;
        proto_item *ti = proto_tree_add_item(tree, hf_proxy_tlv, tvb, (gint)t.span.off,
                                             (gint)t.span.len, ENC_NA);
        proto_item_set_text(ti, "TLV: %s (0x%02x), %u bytes", t.name, t.type, t.length);
        proto_tree *tt = proto_item_add_subtree(ti, ett_proxy_tlv);
        proto_tree_add_uint(tt, hf_proxy_tlv_type, tvb, (gint)t.span.off, 1, t.type);
        proto_tree_add_uint(tt, hf_proxy_tlv_length, tvb, (gint)t.span.off + 1,
                            t.span.len >= 3 ? 2 : 0, t.length);
        if (t.value.len)
            proto_tree_add_item(tt, hf_proxy_tlv_value, tvb, (gint)t.value.off, (gint)t.value.len,
                                ENC_NA);
        if (t.value.len && tlv_is_text(t.type, in_ssl))
            proto_tree_add_item(tt, hf_proxy_tlv_text, tvb, (gint)t.value.off, (gint)t.value.len,
                                ENC_UTF_8);
        if (t.type == MW_PP2_TYPE_CRC32C && !in_ssl && t.value.len == 4)
            proto_tree_add_uint(tt, hf_proxy_crc32c, tvb, (gint)t.value.off, 4, t.crc32c);
        if (t.errors)
            expert_add_info_format(pinfo, ti, &ei_proxy_tlv_bad, "TLV %s: %s", t.name,
                                   (t.errors & MW_PROXY_TLV_E_OVERRUN) ? "runs past the header"
                                   : (t.errors & MW_PROXY_TLV_E_CRC32C) ? "checksum does not match"
                                   : "length not allowed for its type");
        if (t.type == MW_PP2_TYPE_SSL && !in_ssl && t.value.len >= 5 && depth == 0) {
            proto_tree_add_uint(tt, hf_proxy_ssl_client, tvb, (gint)t.value.off, 1, t.ssl_client);
            proto_tree_add_uint(tt, hf_proxy_ssl_verify, tvb, (gint)t.value.off + 1, 4,
                                t.ssl_verify);
            mw_proxy_tlv_iter sub;
            mw_proxy_tlv_begin_ssl(&t, &sub);
            show_tlvs(pinfo, tvb, tt, buf, h, &sub, depth + 1);
        }
    }
}

static void show_header(mw_ctx *ctx, tvbuff_t *tvb, const proxy_rec *r)
{
    packet_info *pinfo = ctx->pinfo;
    const mw_proxy_header *h = &r->hdr;
    proto_item *ti = proto_tree_add_item(ctx->tree, hf_proxy, tvb, 0, (gint)h->len, ENC_NA);
    proto_item_set_text(ti, "PROXY protocol v%u header, %u bytes", h->version, (guint)h->len);
    proto_tree *t = proto_item_add_subtree(ti, ett_proxy);
    proto_tree_add_uint(t, hf_proxy_version, tvb, h->version == 2 ? 12 : 0,
                        h->version == 2 ? 1 : 5, h->version);
    if (h->version == 1) {
        if (h->v1_proto.len)
            proto_tree_add_item(t, hf_proxy_v1_proto, tvb, (gint)h->v1_proto.off,
                                (gint)h->v1_proto.len, ENC_ASCII);
    } else if (!(h->errors & MW_PROXY_E_V2_VERSION)) {
        proto_tree_add_string(t, hf_proxy_command, tvb, 12, 1, mw_proxy_command_name(h->command));
        proto_tree_add_string(t, hf_proxy_family, tvb, 13, 1, mw_proxy_family_name(h->family));
        proto_tree_add_string(t, hf_proxy_transport, tvb, 13, 1,
                              mw_proxy_transport_name(h->transport));
        if (h->len >= MW_PROXY_V2_FIXED)
            proto_tree_add_uint(t, hf_proxy_length, tvb, 14, 2, h->v2_len);
    }
    if (h->src.valid)
        proto_tree_add_string(t, hf_proxy_src, tvb, (gint)h->src.span.off, (gint)h->src.span.len,
                              h->src.text);
    if (h->dst.valid)
        proto_tree_add_string(t, hf_proxy_dst, tvb, (gint)h->dst.span.off, (gint)h->dst.span.len,
                              h->dst.text);
    if (h->srcport.valid)
        proto_tree_add_uint(t, hf_proxy_srcport, tvb, (gint)h->srcport.span.off,
                            (gint)h->srcport.span.len, h->srcport.value);
    if (h->dstport.valid)
        proto_tree_add_uint(t, hf_proxy_dstport, tvb, (gint)h->dstport.span.off,
                            (gint)h->dstport.span.len, h->dstport.value);
    for (unsigned i = 0; i < MW_PROXY_E_COUNT; i++)
        if (h->errors & (1u << i))
            mw_expert_format(pinfo, ti, &ei_proxy_bad,
                             "Bad PROXY header: %s (a receiver refuses the connection)",
                             mw_proxy_error_text(1u << i));
    if (h->version == 2 && h->tlvs.len) {
        const guint8 *buf = tvb_get_ptr(tvb, 0, (gint)h->len);
        mw_proxy_tlv_iter it;
        mw_proxy_tlv_begin(h, &it);
        show_tlvs(pinfo, tvb, t, buf, h, &it, 0);
    }
    if (r->client) {
        proto_item *c = proto_tree_add_string(t, hf_proxy_client, tvb, 0, 0, r->client);
        proto_item_set_generated(c);
        expert_add_info_format(pinfo, c, &ei_proxy_client,
                               "The session's client is %s, as the proxy claims (the TCP peer "
                               "is the proxy)", r->client);
        mw_tap_client(ctx, r->client);
    } else if (!h->errors) {
        expert_add_info(pinfo, ti, &ei_proxy_no_client);
    }
}

guint mail_proxy_call(mw_ctx *ctx, tvbuff_t *bytes, gboolean first)
{
    packet_info *pinfo = ctx->pinfo;
    proxy_rec *r;
    if (first) {
        guint len = tvb_captured_length(bytes);
        proxy_rec found;
        memset(&found, 0, sizeof found);
        found.status = mw_proxy_parse(tvb_get_ptr(bytes, 0, (gint)len), len, false, &found.hdr);
        /* most streams start without one: they keep nothing */
        if (found.status == MW_PROXY_NONE)
            return 0;
        r = (proxy_rec *)wmem_memdup(wmem_file_scope(), &found, sizeof found);
        if (r->status == MW_PROXY_HEADER && r->hdr.use_addresses) {
            const mw_proxy_header *h = &r->hdr;
            if (h->family == MW_PROXY_AF_UNIX)
                r->client = wmem_strdup(wmem_file_scope(), h->src.text);
            else
                r->client = wmem_strdup_printf(wmem_file_scope(),
                                               h->family == MW_PROXY_AF_INET6 ? "[%s]:%u" : "%s:%u",
                                               h->src.text, h->srcport.value);
        }
        p_add_proto_data(wmem_file_scope(), pinfo, proto_mail_id, PROXY_KEY, r);
    } else {
        r = (proxy_rec *)p_get_proto_data(wmem_file_scope(), pinfo, proto_mail_id, PROXY_KEY);
        if (!r)
            return 0;
    }
    if (r->status == MW_PROXY_NEED_MORE)
        return MAIL_PROXY_MORE;
    if (r->status != MW_PROXY_HEADER)
        return 0;
    show_header(ctx, bytes, r);
    return (guint)r->hdr.len;
}

void mail_proxy_col(mw_ctx *ctx)
{
    const proxy_rec *r =
        (const proxy_rec *)p_get_proto_data(wmem_file_scope(), ctx->pinfo, proto_mail_id, PROXY_KEY);
    if (!r || r->status != MW_PROXY_HEADER)
        return;
    const char *info = col_get_text(ctx->pinfo->cinfo, COL_INFO);
    const char *what = r->client ? r->client : r->hdr.errors ? "bad header" : "no client address";
    if (info && *info)
        col_prepend_fstr(ctx->pinfo->cinfo, COL_INFO, "C: PROXY v%u (%s) | ", r->hdr.version, what);
    else
        col_add_fstr(ctx->pinfo->cinfo, COL_INFO, "C: PROXY v%u (%s)", r->hdr.version, what);
}

void mail_proxy_register(int proto_mail)
{
    static hf_register_info hf[] = {
        {&hf_proxy,
         {"PROXY header", "mail.proxy", FT_NONE, BASE_NONE, NULL, 0x0,
          "HAProxy PROXY protocol header before the mail protocol", HFILL}},
        {&hf_proxy_version,
         {"Version", "mail.proxy.version", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_command,
         {"Command", "mail.proxy.command", FT_STRING, BASE_NONE, NULL, 0x0,
          "v2: PROXY (relayed for a client) or LOCAL (the proxy's own connection)", HFILL}},
        {&hf_proxy_family,
         {"Address family", "mail.proxy.family", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_transport,
         {"Transport", "mail.proxy.transport", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_v1_proto,
         {"Protocol", "mail.proxy.v1.proto", FT_STRING, BASE_NONE, NULL, 0x0,
          "v1: TCP4, TCP6 or UNKNOWN", HFILL}},
        {&hf_proxy_length,
         {"Length", "mail.proxy.length", FT_UINT16, BASE_DEC, NULL, 0x0,
          "v2: bytes after the fixed 16", HFILL}},
        {&hf_proxy_src,
         {"Source address", "mail.proxy.src", FT_STRING, BASE_NONE, NULL, 0x0,
          "The client the proxy claims (IPv6 without brackets)", HFILL}},
        {&hf_proxy_dst,
         {"Destination address", "mail.proxy.dst", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_srcport,
         {"Source port", "mail.proxy.srcport", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_dstport,
         {"Destination port", "mail.proxy.dstport", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_client,
         {"Session client", "mail.proxy.client", FT_STRING, BASE_NONE, NULL, 0x0,
          "The client the session is taken to be from", HFILL}},
        {&hf_proxy_tlv,
         {"TLV", "mail.proxy.tlv", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_tlv_type,
         {"Type", "mail.proxy.tlv.type", FT_UINT8, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_tlv_length,
         {"Length", "mail.proxy.tlv.length", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_tlv_value,
         {"Value", "mail.proxy.tlv.value", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_proxy_tlv_text,
         {"Text", "mail.proxy.tlv.text", FT_STRING, BASE_NONE, NULL, 0x0,
          "The value of a text TLV (ALPN, AUTHORITY, SSL version, CN...)", HFILL}},
        {&hf_proxy_ssl_client,
         {"SSL client flags", "mail.proxy.tlv.ssl.client", FT_UINT8, BASE_HEX, NULL, 0x0, NULL,
          HFILL}},
        {&hf_proxy_ssl_verify,
         {"SSL verify result", "mail.proxy.tlv.ssl.verify", FT_UINT32, BASE_DEC, NULL, 0x0,
          "0: the client's certificate was verified", HFILL}},
        {&hf_proxy_crc32c,
         {"CRC32C", "mail.proxy.tlv.crc32c", FT_UINT32, BASE_HEX, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_proxy, &ett_proxy_tlv};
    static ei_register_info ei[] = {
        {&ei_proxy_bad,
         {"mail.proxy.bad", PI_MALFORMED, PI_ERROR, "Bad PROXY header", EXPFILL}},
        {&ei_proxy_tlv_bad,
         {"mail.proxy.tlv.bad", PI_MALFORMED, PI_WARN, "Bad PROXY TLV", EXPFILL}},
        {&ei_proxy_client,
         {"mail.proxy.client_set", PI_SECURITY, PI_NOTE,
          "The session's client identity is set by the proxy", EXPFILL}},
        {&ei_proxy_no_client,
         {"mail.proxy.no_client", PI_PROTOCOL, PI_NOTE,
          "PROXY header without a client address (LOCAL, UNKNOWN or UNSPEC): the TCP peer is "
          "the client", EXPFILL}},
    };
    proto_mail_id = proto_mail;
    proto_register_field_array(proto_mail, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_mail);
    expert_register_field_array(em, ei, array_length(ei));
}

/* Postfix XCLIENT and XFORWARD: a proxy or content filter tells the server
 * who the real client is.  Each attribute is a field
 * mail.smtp.xclient.<attr> / mail.smtp.xforward.<attr> (decoded value);
 * an XCLIENT answered by a new 220 greeting makes the claimed client the
 * session's (the session restarts: EHLO again).  XFORWARD only changes what
 * the server logs.  The attribute syntax is core/smtp/smtp_xclient.c. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>

#include "core/smtp/smtp_xclient.h"
#include "smtp/smtp_int.h"

static int ett_smtp_xattr = -1;
static int hf_xattr[2][MW_XATTR_COUNT];
static int hf_xattr_unknown[2] = {-1, -1};
static int hf_xclient_client = -1;
static int hf_xclient_from = -1;

static expert_field ei_xattr_bad = EI_INIT;
static expert_field ei_xclient_identity = EI_INIT;

static void dissect_xattrs(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *args,
                           gsize len, mw_xcmd_kind kind)
{
    smtp_state *st = sc->st;
    guint8 *dec = (guint8 *)wmem_alloc(sc->pinfo->pool, len ? len : 1);
    mw_xattr_iter it;
    mw_xattr a;
    const char *addr = NULL;
    gboolean addr6 = FALSE;
    gint port = -1;
    mw_xattr_begin(&it, kind, args, 0, len);
    while (mw_xattr_next(&it, &a, dec)) {
        gint io = off + (gint)a.item.off, il = (gint)a.item.len;
        const char *value = wmem_strndup(sc->pinfo->pool, (const char *)dec + a.decoded.off,
                                         a.decoded.len);
        smtp_node n;
        if (a.id != MW_XATTR_UNKNOWN && mw_xattr_allowed(kind, a.id) && hf_xattr[kind][a.id] > 0)
            n = so_add_string(sc, t, hf_xattr[kind][a.id], tvb, io, il, value);
        else
            n = so_add_string(sc, t, hf_xattr_unknown[kind], tvb, io, il,
                              wmem_strndup(sc->pinfo->pool, (const char *)args + a.item.off,
                                           a.item.len));
        for (unsigned b = 0; b < MW_XATTR_F_COUNT; b++)
            if (a.flags & (1u << b))
                so_expert_format(sc, n, &ei_xattr_bad, "%s attribute %.*s: %s",
                                 mw_xcmd_name(kind), (int)MIN(a.name.len, 64),
                                 (const char *)args + a.name.off, mw_xattr_flag_text(1u << b));
        if (a.id == MW_XATTR_ADDR && a.addr_valid) {
            addr = wmem_strdup(sc->pinfo->pool, a.addr_text);
            addr6 = a.addr_family == 6;
        }
        if (a.id == MW_XATTR_PORT && a.port_valid)
            port = a.port;
    }
    if (kind != MW_XCLIENT)
        return;
    /* The client this XCLIENT claims; it counts once the server greets anew. */
    st->xclient = NULL;
    st->xclient_frame = sc->pinfo->num;
    if (addr)
        st->xclient = port < 0 ? wmem_strdup(wmem_file_scope(), addr)
                      : wmem_strdup_printf(wmem_file_scope(), addr6 ? "[%s]:%d" : "%s:%d", addr,
                                           port);
}

void dissect_smtp_xclient(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *args,
                          gsize len)
{
    dissect_xattrs(sc, tvb, t, off, args, len, MW_XCLIENT);
}

void dissect_smtp_xforward(smtp_call *sc, tvbuff_t *tvb, smtp_node t, gint off, const guint8 *args,
                           gsize len)
{
    dissect_xattrs(sc, tvb, t, off, args, len, MW_XFORWARD);
}

/* Postfix answers an accepted XCLIENT with a new 220 greeting, as if the
 * claimed client had just connected: the session starts again. */
void smtp_xclient_reply(smtp_call *sc, tvbuff_t *tvb, smtp_node t, smtp_node it, guint code)
{
    smtp_state *st = sc->st;
    if (code != 220)
        return;
    mw_smtp_txn_restart(&st->tx);
    if (!st->xclient)
        return;
    smtp_node c = so_add_string(sc, t, hf_xclient_client, tvb, 0, 0, st->xclient);
    so_set_generated(sc, c);
    smtp_node f = so_add_uint(sc, t, hf_xclient_from, tvb, 0, 0, st->xclient_frame);
    so_set_generated(sc, f);
    so_expert_format(sc, it, &ei_xclient_identity,
                     "XCLIENT accepted: from here the session's client is %s, as the proxy "
                     "claims (the TCP peer is the proxy)", st->xclient);
    so_tap_client(sc, st->xclient);
}

void smtp_xclient_register(int proto)
{
    /* one string field per attribute of each command, named in lower case */
    GArray *hf = g_array_new(FALSE, TRUE, sizeof(hf_register_info));
    for (int k = 0; k < 2; k++) {
        const char *cmd = k == MW_XCLIENT ? "xclient" : "xforward";
        for (int id = 0; id < MW_XATTR_COUNT; id++) {
            hf_xattr[k][id] = -1;
            if (id == MW_XATTR_UNKNOWN || !mw_xattr_allowed((mw_xcmd_kind)k, (mw_xattr_id)id))
                continue;
            hf_register_info r = {
                &hf_xattr[k][id],
                {g_strdup_printf("%s %s", mw_xcmd_name((mw_xcmd_kind)k),
                                 mw_xattr_name((mw_xattr_id)id)),
                 g_strdup_printf("mail.smtp.%s.%s", cmd, mw_xattr_field((mw_xattr_id)id)),
                 FT_STRING, BASE_NONE, NULL, 0x0, "The attribute's value, xtext decoded", HFILL}};
            g_array_append_val(hf, r);
        }
        hf_register_info u = {
            &hf_xattr_unknown[k],
            {g_strdup_printf("%s attribute not defined", mw_xcmd_name((mw_xcmd_kind)k)),
             g_strdup_printf("mail.smtp.%s.unknown", cmd), FT_STRING, BASE_NONE, NULL, 0x0,
             "An attribute the command does not define, as written (the server refuses it)",
             HFILL}};
        g_array_append_val(hf, u);
    }
    hf_register_info fixed[] = {
        {&hf_xclient_client,
         {"Session client (XCLIENT)", "mail.smtp.xclient.client", FT_STRING, BASE_NONE, NULL,
          0x0, "The client the session is from after an accepted XCLIENT", HFILL}},
        {&hf_xclient_from,
         {"XCLIENT in frame", "mail.smtp.xclient.frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
    };
    g_array_append_vals(hf, fixed, G_N_ELEMENTS(fixed));
    /* registered field arrays must outlive registration */
    guint n = hf->len;
    hf_register_info *all = (hf_register_info *)g_array_free(hf, FALSE);
    proto_register_field_array(proto, all, (int)n);

    static gint *ett[] = {&ett_smtp_xattr};
    proto_register_subtree_array(ett, array_length(ett));
    static ei_register_info ei[] = {
        {&ei_xattr_bad,
         {"mail.smtp.xclient.bad_attribute", PI_PROTOCOL, PI_WARN,
          "XCLIENT/XFORWARD attribute the server refuses", EXPFILL}},
        {&ei_xclient_identity,
         {"mail.smtp.xclient.identity", PI_SECURITY, PI_NOTE,
          "The session's client identity is set by the proxy (XCLIENT)", EXPFILL}},
    };
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

/* IMAP (RFC 9051, RFC 3501) on the stream engine: tagged commands, responses
 * and literals counted to the octet in both directions. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>

#include "lineitem.h"
#include "mail.h"
#include "stream.h"

static int proto_imap = -1;
static int ett_imap = -1;
static int ett_imap_line = -1;

static int hf_imap_request = -1;
static int hf_imap_response = -1;
static int hf_imap_tag = -1;
static int hf_imap_command = -1;
static int hf_imap_status = -1;
static int hf_imap_args = -1;
static int hf_imap_literal_size = -1;
static int hf_imap_literal = -1;

static expert_field ei_imap_literal_size = EI_INIT;

static dissector_handle_t imap_handle;

#define IMAP_TCP_PORTS "143"
#define IMAP_TLS_PORTS "993"
static range_t *imap_tls_ports;

/* A literal larger than this is taken as a mistake, not a size. */
#define IMAP_LITERAL_MAX G_GUINT64_CONSTANT(0x100000000000)

typedef struct imap_state {
    guint64 literal_left[2]; /* octets of a literal still to come, per direction */
} imap_state;

/* The literal header {n} / {n+} / {n-} / ~{n} ending a line, or -1. */
static gint64 literal_at_end(tvbuff_t *tvb, gint offset, gint len)
{
    if (len < 3 || tvb_get_guint8(tvb, offset + len - 1) != '}')
        return -1;
    gint i = offset + len - 2;
    if (tvb_get_guint8(tvb, i) == '+' || tvb_get_guint8(tvb, i) == '-')
        i--;
    guint64 n = 0, scale = 1;
    gint digits = 0;
    for (; i > offset && g_ascii_isdigit(tvb_get_guint8(tvb, i)); i--, digits++) {
        if (digits >= 19)
            return -2;
        n += (guint64)(tvb_get_guint8(tvb, i) - '0') * scale;
        scale *= 10;
    }
    if (digits == 0 || tvb_get_guint8(tvb, i) != '{')
        return -1;
    return n > IMAP_LITERAL_MAX ? -2 : (gint64)n;
}

static gint dissect_literal(mw_ctx *ctx, tvbuff_t *tvb, gint offset)
{
    imap_state *st = (imap_state *)ctx->state;
    gint avail = tvb_reported_length_remaining(tvb, offset);
    gint take = st->literal_left[ctx->dir] < (guint64)avail ? (gint)st->literal_left[ctx->dir] : avail;
    proto_tree_add_item(ctx->tree, hf_imap_literal, tvb, offset, take, ENC_NA);
    st->literal_left[ctx->dir] -= (guint64)take;
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: literal, %d bytes",
                        ctx->dir == MW_DIR_CLIENT ? "C" : "S", take);
    return offset + take;
}

static void dissect_line(mw_ctx *ctx, tvbuff_t *tvb, const mw_line_at *l)
{
    imap_state *st = (imap_state *)ctx->state;
    gboolean client = ctx->dir == MW_DIR_CLIENT;
    gint len = (gint)l->line.len;
    proto_item *it = proto_tree_add_item(ctx->tree, client ? hf_imap_request : hf_imap_response,
                                         tvb, l->offset, len + (gint)l->line.eol_len, ENC_NA);
    proto_item_set_text(it, "%s: %s", client ? "Request" : "Response",
                        mw_line_text(ctx, tvb, l->offset, len));
    proto_tree *t = proto_item_add_subtree(it, ett_imap_line);
    if (!l->continued) {
        gint sp1 = tvb_find_guint8(tvb, l->offset, len, ' ');
        gint tag_len = sp1 < 0 ? len : sp1 - l->offset;
        proto_tree_add_item(t, hf_imap_tag, tvb, l->offset, tag_len, ENC_ASCII);
        if (sp1 >= 0) {
            gint rest = l->offset + len - (sp1 + 1);
            gint sp2 = tvb_find_guint8(tvb, sp1 + 1, rest, ' ');
            gint word = sp2 < 0 ? rest : sp2 - (sp1 + 1);
            proto_tree_add_item(t, client ? hf_imap_command : hf_imap_status, tvb, sp1 + 1, word,
                                ENC_ASCII);
            if (sp2 >= 0)
                proto_tree_add_item(t, hf_imap_args, tvb, sp2 + 1, l->offset + len - sp2 - 1,
                                    ENC_ASCII);
        }
    }
    gint64 lit = literal_at_end(tvb, l->offset, len);
    if (lit >= 0) {
        proto_tree_add_uint64(t, hf_imap_literal_size, tvb, l->offset, len, (guint64)lit);
        st->literal_left[ctx->dir] = (guint64)lit;
    } else if (lit == -2) {
        expert_add_info(ctx->pinfo, it, &ei_imap_literal_size);
    }
    mw_add_line_facts(ctx, t, tvb, l);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: %s", client ? "C" : "S",
                        mw_line_text(ctx, tvb, l->offset, len));
}

static guint imap_dissect(mw_ctx *ctx, tvbuff_t *tvb)
{
    imap_state *st = (imap_state *)ctx->state;
    gint offset = 0, len = tvb_reported_length(tvb);
    col_clear(ctx->pinfo->cinfo, COL_INFO);
    while (offset < len) {
        if (st->literal_left[ctx->dir]) {
            offset = dissect_literal(ctx, tvb, offset);
            continue;
        }
        mw_line_at l;
        if (!mw_next_line(ctx, tvb, &offset, &l))
            break;
        dissect_line(ctx, tvb, &l);
    }
    return (guint)offset;
}

static void imap_gap(void *state, int dir, guint32 missing)
{
    imap_state *st = (imap_state *)state;
    st->literal_left[dir] = st->literal_left[dir] > missing ? st->literal_left[dir] - missing : 0;
}

static const mw_stream_proto imap_stream = {
    .proto = &proto_imap,
    .ett = &ett_imap,
    .label = "IMAP",
    .state_size = sizeof(imap_state),
    .dissect = imap_dissect,
    .gap = imap_gap,
};

static int dissect_imap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return mw_stream_dissect(&imap_stream, tvb, pinfo, tree, data);
}

static gboolean contains_nocase(const guint8 *buf, gint len, const char *word)
{
    gint wl = (gint)strlen(word);
    for (gint i = 0; i + wl <= len; i++)
        if (g_ascii_strncasecmp((const char *)buf + i, word, wl) == 0)
            return TRUE;
    return FALSE;
}

gboolean imap_looks_like(const guint8 *buf, guint len, gboolean *src_is_server)
{
    gint l = mail_first_line(buf, len, 1024);
    if (l < 4)
        return FALSE;
    if ((g_ascii_strncasecmp((const char *)buf, "* OK ", 5) == 0 ||
         g_ascii_strncasecmp((const char *)buf, "* PREAUTH ", 10) == 0) &&
        contains_nocase(buf, l, "IMAP")) {
        *src_is_server = TRUE;
        return TRUE;
    }
    static const char *const first[] = {" CAPABILITY", " LOGIN ", " STARTTLS", " AUTHENTICATE "};
    gint sp = 0;
    while (sp < l && buf[sp] != ' ' && buf[sp] > 0x20 && buf[sp] < 0x7f && buf[sp] != '*')
        sp++;
    if (sp == 0 || sp >= l)
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(first); i++) {
        gint wl = (gint)strlen(first[i]);
        gint cmp = wl <= l - sp ? wl : l - sp;
        if (cmp >= wl - 1 && g_ascii_strncasecmp((const char *)buf + sp, first[i], cmp) == 0 &&
            (cmp == wl || first[i][wl - 1] == ' ')) {
            *src_is_server = FALSE;
            return TRUE;
        }
    }
    return FALSE;
}

dissector_handle_t imap_handle_get(void)
{
    return imap_handle;
}

void imap_set_server(packet_info *pinfo, gboolean src_is_server)
{
    mw_stream_set_server(&imap_stream, pinfo, src_is_server);
}

static void imap_apply_prefs(void)
{
    static range_t *registered;
    mail_tls_ports_apply(&registered, imap_tls_ports, imap_handle);
}

void imap_register(void)
{
    static hf_register_info hf[] = {
        {&hf_imap_request,
         {"Request line", "mail.imap.request", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_response,
         {"Response line", "mail.imap.response", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_tag, {"Tag", "mail.imap.tag", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_command,
         {"Command", "mail.imap.command", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_status,
         {"Status or response", "mail.imap.status", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_imap_args,
         {"Arguments", "mail.imap.args", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_imap_literal_size,
         {"Literal size", "mail.imap.literal.size", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Octets the literal header declares", HFILL}},
        {&hf_imap_literal,
         {"Literal data", "mail.imap.literal", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_imap, &ett_imap_line};
    static ei_register_info ei[] = {
        {&ei_imap_literal_size,
         {"mail.imap.literal.size.invalid", PI_MALFORMED, PI_ERROR,
          "Literal size out of any sane range: not counted, dissection goes on line by line",
          EXPFILL}},
    };
    proto_imap = proto_register_protocol("Internet Message Access Protocol (mailwire)",
                                         "mailwire IMAP", "mail.imap");
    proto_register_field_array(proto_imap, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_imap);
    expert_register_field_array(em, ei, array_length(ei));

    module_t *m = prefs_register_protocol(proto_imap, imap_apply_prefs);
    range_convert_str(wmem_epan_scope(), &imap_tls_ports, IMAP_TLS_PORTS, 65535);
    prefs_register_range_preference(m, "tls.ports", "IMAP over implicit TLS ports",
                                    "TCP ports where IMAP runs inside TLS from the first byte "
                                    "(dissected after decryption)",
                                    &imap_tls_ports, 65535);
    imap_handle = register_dissector("mail.imap", dissect_imap, proto_imap);
}

void imap_handoff(void)
{
    dissector_add_uint_range_with_preference("tcp.port", IMAP_TCP_PORTS, imap_handle);
    imap_apply_prefs();
}

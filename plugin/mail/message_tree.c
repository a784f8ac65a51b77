/* The message handoff shared by the mail dissectors: see message_tree.h.
 * RFC 5322 3.6 (originator, destination, identification fields), RFC 2047
 * (encoded words), parsed by core/message.
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include <epan/charsets.h>

#include "core/mail/message.h"
#include "mail/dkim_fields.h"
#include "mail/message_tree.h"
#include "mail/parts.h"
#include "mail/trace_fields.h"

static int ett_mail_header = -1;
static int ett_mail_header_addr = -1;
static int hf_mail_header = -1;
static int hf_mail_header_from = -1;
static int hf_mail_header_sender = -1;
static int hf_mail_header_reply_to = -1;
static int hf_mail_header_to = -1;
static int hf_mail_header_cc = -1;
static int hf_mail_header_bcc = -1;
static int hf_mail_header_name = -1;
static int hf_mail_header_group = -1;
static int hf_mail_header_subject = -1;
static int hf_mail_header_date = -1;
static int hf_mail_header_message_id = -1;
static int hf_mail_header_count = -1;
static expert_field ei_mail_header_bare_lf = EI_INIT;
static expert_field ei_mail_header_bad_line = EI_INIT;
static expert_field ei_mail_header_bad_addr = EI_INIT;
static expert_field ei_mail_header_raw_charset = EI_INIT;

static dissector_handle_t imf_handle;
static int proto_imf = -1;
static int hf_frame_protocols = -1;

typedef struct addr_field {
    const char *name;
    int *hf;
    gboolean to_cc;   /* counts as a visible recipient */
    gboolean from;
} addr_field;

static const addr_field addr_fields[] = {
    {"From", &hf_mail_header_from, FALSE, TRUE},
    {"Sender", &hf_mail_header_sender, FALSE, FALSE},
    {"Reply-To", &hf_mail_header_reply_to, FALSE, FALSE},
    {"To", &hf_mail_header_to, TRUE, FALSE},
    {"Cc", &hf_mail_header_cc, TRUE, FALSE},
    {"Bcc", &hf_mail_header_bcc, FALSE, FALSE},
};

typedef struct text_field {
    const char *name;
    int *hf;
} text_field;

static const text_field text_fields[] = {
    {"Subject", &hf_mail_header_subject},
    {"Date", &hf_mail_header_date},
    {"Message-ID", &hf_mail_header_message_id},
};

/* Unfolded, decoded text of buf[s] in the packet pool. */
static const char *decoded(packet_info *pinfo, const guint8 *buf, mw_span s, unsigned *flags)
{
    size_t cap = 2 * s.len + 1;
    guint8 *out = (guint8 *)wmem_alloc(pinfo->pool, cap);
    size_t n = mw_ew_decode(buf + s.off, s.len, out, cap - 1, flags);
    out[n] = 0;
    /* The decoder leaves bytes of unknown charsets as they are: make the
     * string valid UTF-8 for display. */
    return (const char *)get_utf_8_string(pinfo->pool, out, (gint)n);
}

static void add_addresses(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const guint8 *buf,
                          const mw_hdr_field *f, const addr_field *af, wmem_array_t *from,
                          wmem_array_t *to_cc)
{
    mw_addr_iter iter;
    mw_addr a;
    memset(&iter, 0, sizeof iter);
    const guint8 *v = buf + f->value.off;
    while (mw_addr_next(v, f->value.len, &iter, &a)) {
        if (a.flags & MW_ADDR_EMPTY_GROUP) {
            proto_tree_add_item(tree, hf_mail_header_group, msg, (gint)(f->value.off + a.group.off),
                                (gint)a.group.len, ENC_UTF_8);
            continue;
        }
        guint8 clean[512];
        size_t n = mw_addr_strip(v, a.addr, clean, sizeof clean - 1);
        clean[n] = 0;
        const char *addr = (const char *)get_utf_8_string(pinfo->pool, clean, (gint)n);
        proto_item *it = proto_tree_add_string(tree, *af->hf, msg, (gint)(f->value.off + a.addr.off),
                                               (gint)a.addr.len, addr);
        if (a.error)
            expert_add_info_format(pinfo, it, &ei_mail_header_bad_addr, "Address not parsed "
                                   "cleanly: %s", a.error);
        if (a.display.len) {
            proto_tree *at = proto_item_add_subtree(it, ett_mail_header_addr);
            unsigned fl = 0;
            const char *name = decoded(pinfo, v, a.display, &fl);
            size_t nl = strlen(name);
            if (nl >= 2 && name[0] == '"' && name[nl - 1] == '"') {
                /* a quoted string: a quoted pair (\" or \\) stands for its character */
                char *u = (char *)wmem_alloc(pinfo->pool, nl);
                size_t k = 0;
                for (size_t i = 1; i + 1 < nl; i++) {
                    if (name[i] == '\\' && i + 2 < nl)
                        i++;
                    u[k++] = name[i];
                }
                u[k] = 0;
                name = u;
            }
            proto_tree_add_string(at, hf_mail_header_name, msg, (gint)(f->value.off + a.display.off),
                                  (gint)a.display.len, name);
            /* appended text is cut at the label's length byte-wise: cut it
             * here on a character boundary instead */
            size_t used = strlen(proto_registrar_get_name(*af->hf)) + 2 + strlen(addr) + 3;
            size_t room = used + 4 < ITEM_LABEL_LENGTH ? ITEM_LABEL_LENGTH - 1 - used : 0;
            if (strlen(name) > room) {
                const char *end = name + (room > 3 ? room - 3 : 0);
                while (end > name && ((guchar)*end & 0xC0) == 0x80)
                    end--;
                name = wmem_strdup_printf(pinfo->pool, "%.*s...", (int)(end - name), name);
            }
            proto_item_append_text(it, " (%s)", name);
        }
        if (af->from && from)
            wmem_array_append_one(from, addr);
        if (af->to_cc && to_cc)
            wmem_array_append_one(to_cc, addr);
    }
}

static void add_field(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const guint8 *buf,
                      const mw_hdr_field *f, mail_message_facts *facts, wmem_array_t *from,
                      wmem_array_t *to_cc)
{
    for (size_t i = 0; i < G_N_ELEMENTS(addr_fields); i++) {
        if (!mw_hdr_name_is(buf, f->name, addr_fields[i].name))
            continue;
        if (addr_fields[i].from)
            facts->from_fields++;
        if (addr_fields[i].hf == &hf_mail_header_sender)
            facts->has_sender = TRUE;
        add_addresses(msg, pinfo, tree, buf, f, &addr_fields[i], from, to_cc);
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(text_fields); i++) {
        if (!mw_hdr_name_is(buf, f->name, text_fields[i].name))
            continue;
        unsigned fl = 0;
        const char *text = decoded(pinfo, buf, f->value, &fl);
        proto_item *it = proto_tree_add_string(tree, *text_fields[i].hf, msg, (gint)f->value.off,
                                               (gint)f->value.len, text);
        if (fl & MW_EW_RAW_CHARSET)
            expert_add_info(pinfo, it, &ei_mail_header_raw_charset);
        if (text_fields[i].hf == &hf_mail_header_subject && !facts->subject)
            facts->subject = text;
        return;
    }
}

static void message_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree,
                        mail_message_facts *out, gboolean whole);

void mail_message_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, mail_message_facts *out)
{
    message_add(msg, pinfo, tree, out, TRUE);
}

void mail_message_add_part(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree,
                           mail_message_facts *out)
{
    message_add(msg, pinfo, tree, out, FALSE);
}

/* Wireshark's IMF dissector only shows the message: its tree, the Info
 * column, the protocol in frame.protocols, what it hands to taps (Export
 * Objects, expert infos).  A pass that wants none of these, tshark's first
 * pass of -2 without a filter on IMF, would build all that to throw it away. */
static gboolean imf_shows(packet_info *pinfo, proto_tree *tree)
{
    if (!imf_handle) {
        imf_handle = find_dissector("imf");
        proto_imf = proto_get_id_by_filter_name("imf");
        hf_frame_protocols = proto_registrar_get_id_byname("frame.protocols");
    }
    if (!imf_handle)
        return FALSE;
    return pinfo->cinfo || tap_listeners_require_dissection() ||
           (proto_imf >= 0 && proto_field_is_referenced(tree, proto_imf)) ||
           (hf_frame_protocols >= 0 && proto_field_is_referenced(tree, hf_frame_protocols));
}

static void message_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree,
                        mail_message_facts *out, gboolean whole)
{
    mail_message_facts local = {0};
    mail_message_facts *facts = out ? out : &local;
    memset(facts, 0, sizeof *facts);
    guint len = tvb_reported_length(msg);
    const guint8 *buf = len ? tvb_get_ptr(msg, 0, len) : NULL;
    /* queued first, so that an exception below does not lose it */
    const struct mail_walk *w = buf && whole ? mail_parts_take(pinfo, buf, len) : NULL;
    proto_item *hi = proto_tree_add_item(tree, hf_mail_header, msg, 0, 0, ENC_NA);
    proto_tree *ht = proto_item_add_subtree(hi, ett_mail_header);
    wmem_array_t *from = wmem_array_new(pinfo->pool, sizeof(const char *));
    wmem_array_t *to_cc = wmem_array_new(pinfo->pool, sizeof(const char *));
    size_t pos = 0;
    guint nfields = 0;
    gboolean bare_lf = FALSE;
    while (buf && pos < len) {
        mw_hdr_field f;
        mw_hdr_status s = mw_hdr_next(buf, len, true, &pos, &f);
        if (s == MW_HDR_END || s == MW_HDR_EOF || s == MW_HDR_MORE)
            break;
        if (s == MW_HDR_BAD) {
            /* Not a header line: the header block ends here (the body
             * started without an empty line, or the block is broken). */
            proto_item *b = proto_tree_add_item(ht, hf_mail_header_count, msg, (gint)f.value.off,
                                                (gint)f.value.len, ENC_NA);
            expert_add_info(pinfo, b, &ei_mail_header_bad_line);
            break;
        }
        nfields++;
        bare_lf |= (f.flags & MW_HDR_BARE_LF) != 0;
        add_field(msg, pinfo, ht, buf, &f, facts, from, to_cc);
    }
    facts->parsed = nfields > 0;
    proto_item_set_len(hi, (gint)MIN(pos, len));
    proto_item_set_text(hi, "Message header fields: %u", nfields);
    if (bare_lf)
        expert_add_info(pinfo, hi, &ei_mail_header_bare_lf);
    facts->n_from = wmem_array_get_count(from);
    facts->from = (const char **)wmem_array_get_raw(from);
    facts->n_to_cc = wmem_array_get_count(to_cc);
    facts->to_cc = (const char **)wmem_array_get_raw(to_cc);
    if (buf)
        mail_trace_add(msg, pinfo, tree, buf, len, whole);

    gboolean imf_ok = TRUE;
    if (buf && whole) {
        imf_ok = mail_parts_add(msg, pinfo, tree, w);
        mail_dkim_message(msg, pinfo, tree, buf, len);
    }
    if (len && imf_ok && imf_shows(pinfo, tree)) {
        col_append_str(pinfo->cinfo, COL_INFO, " | ");
        col_set_fence(pinfo->cinfo, COL_INFO);
        call_dissector(imf_handle, msg, pinfo, tree);
    }
}

tvbuff_t *mail_message_tvb(tvbuff_t *parent, packet_info *pinfo, const guint8 *data, guint len)
{
    tvbuff_t *t = tvb_new_child_real_data(parent, data, len, len);
    add_new_data_source(pinfo, t, "Message");
    return t;
}

void mail_message_register(int proto)
{
    static gboolean done;
    if (done)
        return;
    done = TRUE;
    mail_parts_register(proto);
    mail_dkim_register(proto);
    static hf_register_info hf[] = {
        {&hf_mail_header,
         {"Message header fields", "mail.header", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        /* addresses, bare (a@b), one item per mailbox */
        {&hf_mail_header_from,
         {"From", "mail.header.from", FT_STRING, BASE_NONE, NULL, 0x0, "From: mailbox address",
          HFILL}},
        {&hf_mail_header_sender,
         {"Sender", "mail.header.sender", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mail_header_reply_to,
         {"Reply-To", "mail.header.reply_to", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mail_header_to,
         {"To", "mail.header.to", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mail_header_cc,
         {"Cc", "mail.header.cc", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mail_header_bcc,
         {"Bcc", "mail.header.bcc", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mail_header_name,
         {"Display name", "mail.header.display_name", FT_STRING, BASE_NONE, NULL, 0x0,
          "Decoded display name of the mailbox", HFILL}},
        {&hf_mail_header_group,
         {"Empty group", "mail.header.group", FT_STRING, BASE_NONE, NULL, 0x0,
          "A group with no members (undisclosed-recipients:;)", HFILL}},
        /* text */
        {&hf_mail_header_subject,
         {"Subject", "mail.header.subject", FT_STRING, BASE_NONE, NULL, 0x0,
          "Subject, encoded words decoded", HFILL}},
        {&hf_mail_header_date,
         {"Date", "mail.header.date", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mail_header_message_id,
         {"Message-ID", "mail.header.message_id", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mail_header_count,
         {"Line that is not a header field", "mail.header.bad_line", FT_BYTES, BASE_NONE, NULL,
          0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_mail_header, &ett_mail_header_addr};
    static ei_register_info ei[] = {
        {&ei_mail_header_bare_lf,
         {"mail.header.bare_lf", PI_PROTOCOL, PI_NOTE,
          "Header lines end in bare LF: IMF and strict readers do not see these fields",
          EXPFILL}},
        {&ei_mail_header_bad_line,
         {"mail.header.not_a_field", PI_MALFORMED, PI_NOTE,
          "A line in the header block that is no field: readers disagree on where the body "
          "starts", EXPFILL}},
        {&ei_mail_header_bad_addr,
         {"mail.header.bad_address", PI_MALFORMED, PI_NOTE, "Address not parsed cleanly",
          EXPFILL}},
        {&ei_mail_header_raw_charset,
         {"mail.header.raw_charset", PI_PROTOCOL, PI_CHAT,
          "Encoded word in a charset shown as raw bytes", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
    mail_trace_register(proto);
}

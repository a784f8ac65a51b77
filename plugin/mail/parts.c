/* Parts of a delivered message: see parts.h.  RFC 2045 (transfer
 * encodings), RFC 2046 (multipart), RFC 2183 (disposition), RFC 2231 and
 * RFC 2047 (file names), decoded and hashed by core/mail/mime. */
#include <wireshark.h>
#include <epan/charsets.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/wmem_scopes.h>

#include "core/mail/mime.h"
#include "mail/copies.h"
#include "mail/parts.h"
#include "mail/tap.h"
#include "mail/walk.h"

/* Parts shown one by one per message; the rest are summarised (counted). */
#define PARTS_SHOWN_MAX 64
/* Messages handed to IMF per frame: each adds several protocol layers. */
#define IMF_PER_FRAME_MAX 16
/* Protocol layers a frame may hold before IMF is no longer called: well
 * below the default tree depth limit (256) that Wireshark asserts on. */
#define LAYERS_MAX 96

static int proto_parts = -1;
static int hf_message_sha256 = -1;
static int hf_message_parts = -1;
static int hf_message_attachments = -1;
static int hf_part = -1;
static int hf_part_section = -1;
static int hf_part_content_type = -1;
static int hf_part_param = -1;
static int hf_part_disposition = -1;
static int hf_part_filename = -1;
static int hf_part_encoding = -1;
static int hf_part_encoded_size = -1;
static int hf_part_size = -1;
static int hf_part_md5 = -1;
static int hf_part_sha1 = -1;
static int hf_part_sha256 = -1;
static int ett_parts = -1;
static int ett_part = -1;
static expert_field ei_bad_base64 = EI_INIT;
static expert_field ei_bad_qp = EI_INIT;
static expert_field ei_unclosed = EI_INIT;
static expert_field ei_deceptive_name = EI_INIT;
static expert_field ei_depth_limit = EI_INIT;
static expert_field ei_part_limit = EI_INIT;
static expert_field ei_summarised = EI_INIT;
static expert_field ei_imf_skipped = EI_INIT;

/* Per-dissection facts of this frame: how many whole messages it showed
 * (the IMF limit counts them). */
typedef struct frame_count {
    guint n;
} frame_count;

static frame_count *this_frame(packet_info *pinfo)
{
    frame_count *c = (frame_count *)p_get_proto_data(pinfo->pool, pinfo, proto_parts, 0);
    if (!c) {
        c = wmem_new0(pinfo->pool, frame_count);
        p_add_proto_data(pinfo->pool, pinfo, proto_parts, 0, c);
    }
    return c;
}

unsigned mail_parts_attachments(const mail_walk *w)
{
    return w ? w->attachments : 0;
}

static const char *hex(packet_info *pinfo, const guint8 *p, size_t n)
{
    char *s = (char *)wmem_alloc(pinfo->pool, 2 * n + 1);
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * n] = 0;
    return s;
}

static const char *utf8(packet_info *pinfo, const char *s)
{
    return (const char *)get_utf_8_string(pinfo->pool, (const guint8 *)s, (gint)strlen(s));
}

/* Part i of w under tree.  msg holds the message's bytes when have_bytes;
 * otherwise (not kept) items lie at offset 0 of msg, without length. */
static void add_part(tvbuff_t *msg, gboolean have_bytes, packet_info *pinfo, proto_tree *tree,
                     const mail_walk *w, unsigned i)
{
    const mail_walk_part *p = &w->parts[i];
    gint hdr = have_bytes ? (gint)p->header_off : 0;
    gint body = have_bytes ? (gint)p->body_off : 0;
    gint span = have_bytes ? (gint)(p->end - p->header_off) : 0;
    proto_item *pi = proto_tree_add_item(tree, hf_part, msg, hdr, span, ENC_NA);
    proto_item_set_text(pi, "Part %s: %s%s%s%s", p->section[0] ? p->section : "(message)",
                        utf8(pinfo, p->content_type), p->filename ? " \"" : "",
                        p->filename ? utf8(pinfo, p->filename) : "", p->filename ? "\"" : "");
    proto_tree *pt = proto_item_add_subtree(pi, ett_part);
    proto_tree_add_string(pt, hf_part_section, msg, hdr, 0, p->section);
    proto_tree_add_string(pt, hf_part_content_type, msg, hdr, 0, utf8(pinfo, p->content_type));
    for (unsigned k = 0; k < p->n_params; k++)
        proto_tree_add_string(pt, hf_part_param, msg, hdr, 0, utf8(pinfo, p->params[k]));
    if (p->disposition)
        proto_tree_add_string(pt, hf_part_disposition, msg, hdr, 0, utf8(pinfo, p->disposition));
    if (p->filename) {
        proto_item *fi = proto_tree_add_string(pt, hf_part_filename, msg, hdr, 0,
                                               utf8(pinfo, p->filename));
        if (p->flags & MW_PART_DECEPTIVE_NAME)
            expert_add_info(pinfo, fi, &ei_deceptive_name);
    }
    if (p->flags & MW_PART_UNCLOSED)
        expert_add_info(pinfo, pi, &ei_unclosed);
    if (p->flags & MW_PART_DEPTH_LIMIT)
        expert_add_info(pinfo, pi, &ei_depth_limit);
    if (p->container)
        return;
    proto_tree_add_string(pt, hf_part_encoding, msg, hdr, 0,
                          p->encoding ? utf8(pinfo, p->encoding) : "7bit");
    proto_tree_add_uint64(pt, hf_part_encoded_size, msg, body, 0, p->encoded_size);
    if (!p->decoded)
        return;
    proto_item *si = proto_tree_add_uint64(pt, hf_part_size, msg, body, 0, p->decoded_size);
    if (p->flags & MW_PART_BAD_BASE64)
        expert_add_info(pinfo, si, &ei_bad_base64);
    if (p->flags & MW_PART_BAD_QP)
        expert_add_info(pinfo, si, &ei_bad_qp);
    if (!p->hashed)
        return;
    proto_tree_add_string(pt, hf_part_md5, msg, body, 0, hex(pinfo, p->md5, sizeof p->md5));
    proto_tree_add_string(pt, hf_part_sha1, msg, body, 0, hex(pinfo, p->sha1, sizeof p->sha1));
    proto_tree_add_string(pt, hf_part_sha256, msg, body, 0,
                          hex(pinfo, p->sha256, sizeof p->sha256));
}

/* The message's walk under tree: its hash, counts, copies, DKIM, parts. */
static proto_item *show_walk(tvbuff_t *msg, gboolean have_bytes, packet_info *pinfo,
                             proto_tree *tree, const mail_walk *w)
{
    gboolean digest = !(w->flags & (MW_MIME_NO_HASH | MW_MIME_HASH_OFF));
    proto_item *mi = proto_tree_add_string(tree, hf_message_sha256, msg, 0,
                                           have_bytes ? (gint)w->len : 0,
                                           digest ? hex(pinfo, w->sha256, sizeof w->sha256) : "");
    if (!digest)
        proto_item_append_text(mi, " (%s)", (w->flags & MW_MIME_HASH_OFF)
                                                ? "not computed: mail.message.hash is off"
                                                : "no hash library");
    proto_tree *pt = proto_item_add_subtree(mi, ett_parts);
    proto_item *ci = proto_tree_add_uint(pt, hf_message_parts, msg, 0, 0, w->n_parts);
    proto_item_set_generated(ci);
    ci = proto_tree_add_uint(pt, hf_message_attachments, msg, 0, 0, w->attachments);
    proto_item_set_generated(ci);
    if (w->flags & MW_MIME_PART_LIMIT)
        expert_add_info(pinfo, mi, &ei_part_limit);
    mail_copies_show(msg, pinfo, pt, w->copy);
    /* Parts are listed flat (the section number says where each sits), so a
     * deep nesting does not deepen the tree. */
    unsigned shown = MIN(w->n_parts, PARTS_SHOWN_MAX);
    for (unsigned i = 0; i < shown; i++)
        add_part(msg, have_bytes, pinfo, pt, w, i);
    if (shown < w->n_parts)
        expert_add_info_format(pinfo, mi, &ei_summarised,
                               "%u of %u parts shown; the rest are counted only (%u attachments "
                               "in all)", shown, w->n_parts, w->attachments);
    return mi;
}

const mail_walk *mail_parts_take(packet_info *pinfo, const guint8 *buf, guint len)
{
    const mail_walk *w = mail_walk_take(pinfo, len);
    mw_tap_message(pinfo, NULL, buf, len, w);
    return w;
}

void mail_parts_show_dropped(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint len)
{
    if (!len)
        return;
    const mail_walk *w = mail_parts_take(pinfo, NULL, len);
    if (w)
        show_walk(tvb, FALSE, pinfo, tree, w);
}

gboolean mail_parts_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const mail_walk *w)
{
    frame_count *fc = this_frame(pinfo);
    guint ordinal = fc->n++;
    if (!w)
        return TRUE; /* not a message its protocol noted: IMF alone shows it */
    proto_item *mi = show_walk(msg, TRUE, pinfo, tree, w);

    /* IMF nests a protocol layer per MIME level and per message. */
    const char *why = NULL;
    if (w->flags & MW_MIME_DEPTH_LIMIT)
        why = "its MIME structure nests deeper than the limit";
    else if (ordinal > IMF_PER_FRAME_MAX)
        return FALSE; /* said once, on the first one left out */
    else if (ordinal == IMF_PER_FRAME_MAX)
        why = "this frame already shows the most messages it may; nor are the frame's later "
              "ones (all are still counted in statistics and export)";
    else if (wmem_list_count(pinfo->layers) > LAYERS_MAX)
        why = "this frame already holds the most protocol layers it may";
    if (why) {
        expert_add_info_format(pinfo, mi, &ei_imf_skipped,
                               "Message not handed to the IMF dissector: %s (message %u of the "
                               "frame)", why, ordinal + 1);
        return FALSE;
    }
    return TRUE;
}

void mail_parts_register(int proto)
{
    static gboolean done;
    if (done)
        return;
    done = TRUE;
    proto_parts = proto;
    mail_copies_register(proto);
    mail_walk_register(proto);
    static hf_register_info hf[] = {
        {&hf_message_sha256,
         {"Message SHA-256", "mail.message.sha256", FT_STRING, BASE_NONE, NULL, 0x0,
          "SHA-256 of the whole message as delivered (lower-case hex; empty when the preference "
          "mail.message.hash is off)", HFILL}},
        {&hf_message_parts,
         {"MIME parts", "mail.message.parts", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Number of MIME parts, the message itself included", HFILL}},
        {&hf_message_attachments,
         {"Attachments", "mail.message.attachments", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Parts with a file name or disposition attachment", HFILL}},
        {&hf_part,
         {"Part", "mail.part", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_part_section,
         {"Section", "mail.part.section", FT_STRING, BASE_NONE, NULL, 0x0,
          "IMAP section number of the part (empty for the message itself)", HFILL}},
        {&hf_part_content_type,
         {"Content type", "mail.part.content_type", FT_STRING, BASE_NONE, NULL, 0x0,
          "type/subtype, lower case, defaults applied", HFILL}},
        {&hf_part_param,
         {"Content type parameter", "mail.part.param", FT_STRING, BASE_NONE, NULL, 0x0,
          "name=value, decoded", HFILL}},
        {&hf_part_disposition,
         {"Disposition", "mail.part.disposition", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_part_filename,
         {"File name", "mail.part.filename", FT_STRING, BASE_NONE, NULL, 0x0,
          "RFC 2231 and RFC 2047 decoded", HFILL}},
        {&hf_part_encoding,
         {"Transfer encoding", "mail.part.encoding", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_part_encoded_size,
         {"Encoded size", "mail.part.encoded_size", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Bytes of the body as carried", HFILL}},
        {&hf_part_size,
         {"Decoded size", "mail.part.size", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Bytes of the body once decoded", HFILL}},
        {&hf_part_md5,
         {"MD5", "mail.part.md5", FT_STRING, BASE_NONE, NULL, 0x0,
          "Of the decoded bytes (not with mail.message.hash off)", HFILL}},
        {&hf_part_sha1,
         {"SHA-1", "mail.part.sha1", FT_STRING, BASE_NONE, NULL, 0x0,
          "Of the decoded bytes (not with mail.message.hash off)", HFILL}},
        {&hf_part_sha256,
         {"SHA-256", "mail.part.sha256", FT_STRING, BASE_NONE, NULL, 0x0,
          "Of the decoded bytes (not with mail.message.hash off)", HFILL}},
    };
    static gint *ett[] = {&ett_parts, &ett_part};
    static ei_register_info ei[] = {
        {&ei_bad_base64,
         {"mail.part.bad_base64", PI_MALFORMED, PI_WARN,
          "Base64 body with characters, padding or a length readers disagree on", EXPFILL}},
        {&ei_bad_qp,
         {"mail.part.bad_qp", PI_MALFORMED, PI_WARN,
          "Quoted-printable body with invalid escapes or characters", EXPFILL}},
        {&ei_unclosed,
         {"mail.part.unclosed", PI_MALFORMED, PI_WARN,
          "Multipart whose close delimiter never comes", EXPFILL}},
        {&ei_deceptive_name,
         {"mail.part.deceptive_name", PI_SECURITY, PI_WARN,
          "File name hides its real extension (bidirectional or invisible characters, double "
          "extension, padding)", EXPFILL}},
        {&ei_depth_limit,
         {"mail.part.depth_limit", PI_PROTOCOL, PI_WARN,
          "Part nested past the limit: kept as one opaque leaf", EXPFILL}},
        {&ei_part_limit,
         {"mail.message.part_limit", PI_PROTOCOL, PI_WARN,
          "More parts than are recorded: the rest were not walked", EXPFILL}},
        {&ei_summarised,
         {"mail.message.parts_summarised", PI_PROTOCOL, PI_NOTE,
          "Parts past the display limit are counted only", EXPFILL}},
        {&ei_imf_skipped,
         {"mail.message.imf_skipped", PI_PROTOCOL, PI_NOTE,
          "Message not handed to the IMF dissector", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

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
#include "core/mail/mime_filename.h"
#include "core/text/base64_body.h"
#include "core/text/qp.h"
#include "mail/copies.h"
#include "mail/parts.h"
#include "mail/tap.h"

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

/* The walk of one message, kept for the capture. */
typedef struct parts_rec {
    guint len;
    mw_mime_message m;
    mail_copy *copy;  /* links to the other copies (file scope) */
} parts_rec;

/* Per-dissection count of whole messages in this frame: the walk is keyed by
 * (frame, ordinal), which is the same on every pass since the dissectors
 * show a frame's messages in the same order each time. */
typedef struct frame_count {
    guint n;
    wmem_map_t *by_data; /* message bytes -> parts_rec, for the taps */
} frame_count;

static wmem_map_t *walks; /* guint64 (frame << 20 | ordinal) -> parts_rec */

static mw_wmem_cb_bool free_rec(wmem_allocator_t *a _U_, wmem_cb_event_t ev _U_, void *data)
{
    parts_rec *r = (parts_rec *)data;
    mw_mime_message_clear(&r->m);
    g_free(r);
    return FALSE;
}

static frame_count *this_frame(packet_info *pinfo)
{
    frame_count *c = (frame_count *)p_get_proto_data(pinfo->pool, pinfo, proto_parts, 0);
    if (!c) {
        c = wmem_new0(pinfo->pool, frame_count);
        c->by_data = wmem_map_new(pinfo->pool, g_direct_hash, g_direct_equal);
        p_add_proto_data(pinfo->pool, pinfo, proto_parts, 0, c);
    }
    return c;
}

const mw_mime_message *mail_parts_of(packet_info *pinfo, const guint8 *data)
{
    if (proto_parts < 0 || !data)
        return NULL;
    const parts_rec *r = (const parts_rec *)wmem_map_lookup(this_frame(pinfo)->by_data, data);
    return r ? &r->m : NULL;
}

unsigned mail_parts_attachments(const mw_mime_message *m)
{
    unsigned n = 0;
    for (unsigned i = 0; m && i < m->n_parts; i++)
        n += (m->parts[i].flags & MW_PART_ATTACHMENT) != 0;
    return n;
}

static const parts_rec *walk_once(packet_info *pinfo, guint ordinal, const guint8 *buf, guint len)
{
    guint64 k = ((guint64)pinfo->num << 20) | (ordinal & 0xfffff);
    parts_rec *r = (parts_rec *)wmem_map_lookup(walks, &k);
    if (r && r->len == len)
        return r;
    guint64 *key = wmem_new(wmem_file_scope(), guint64);
    *key = k;
    r = g_new0(parts_rec, 1);
    r->len = len;
    mw_mime_walk(buf, len, NULL, &r->m);
    r->copy = mail_copies_note(pinfo, mw_tap_current(), buf, len);
    wmem_register_callback(wmem_file_scope(), free_rec, r);
    wmem_map_insert(walks, key, r);
    return r;
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

static void add_part(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const mw_mime_message *m,
                     unsigned i, guint len)
{
    const mw_mime_part *p = &m->parts[i];
    char section[64];
    mw_mime_part_section(m, i, section, sizeof section);
    /* The span of the part: its header and body, within the message. */
    guint off = (guint)MIN(p->header.off, len);
    guint end = (guint)MIN(MAX(p->body.off + p->body.len, p->header.off + p->header.len), len);
    const char *ctype = wmem_strdup_printf(pinfo->pool, "%s/%s", p->type, p->subtype);
    proto_item *pi = proto_tree_add_item(tree, hf_part, msg, (gint)off, (gint)(end - off), ENC_NA);
    proto_item_set_text(pi, "Part %s: %s%s%s%s", section[0] ? section : "(message)",
                        utf8(pinfo, ctype), p->filename ? " \"" : "",
                        p->filename ? utf8(pinfo, p->filename) : "", p->filename ? "\"" : "");
    proto_tree *pt = proto_item_add_subtree(pi, ett_part);
    proto_tree_add_string(pt, hf_part_section, msg, (gint)off, 0, section);
    proto_tree_add_string(pt, hf_part_content_type, msg, (gint)p->header.off, 0, utf8(pinfo, ctype));
    for (unsigned k = 0; k < p->content_type.n_params; k++) {
        const mw_mime_param *pa = &p->content_type.params[k];
        proto_tree_add_string(pt, hf_part_param, msg, (gint)p->header.off, 0,
                              utf8(pinfo, wmem_strdup_printf(pinfo->pool, "%s=%s", pa->name,
                                                             pa->value)));
    }
    if (p->disposition.value)
        proto_tree_add_string(pt, hf_part_disposition, msg, (gint)p->header.off, 0,
                              utf8(pinfo, p->disposition.value));
    if (p->filename) {
        proto_item *fi = proto_tree_add_string(pt, hf_part_filename, msg, (gint)p->header.off, 0,
                                               utf8(pinfo, p->filename));
        if (p->flags & MW_PART_DECEPTIVE_NAME)
            expert_add_info(pinfo, fi, &ei_deceptive_name);
    }
    if (p->flags & MW_PART_UNCLOSED)
        expert_add_info(pinfo, pi, &ei_unclosed);
    if (p->flags & MW_PART_DEPTH_LIMIT)
        expert_add_info(pinfo, pi, &ei_depth_limit);
    if ((p->multipart || p->message) && !p->hashed)
        return;
    proto_tree_add_string(pt, hf_part_encoding, msg, (gint)p->header.off, 0,
                          p->cte_name ? utf8(pinfo, p->cte_name) : "7bit");
    proto_tree_add_uint64(pt, hf_part_encoded_size, msg, (gint)MIN(p->body.off, len), 0,
                          p->encoded_size);
    if (!p->hashed)
        return;
    proto_item *si = proto_tree_add_uint64(pt, hf_part_size, msg, (gint)MIN(p->body.off, len), 0,
                                           p->decoded_size);
    if (p->flags & MW_PART_BAD_BASE64)
        expert_add_info(pinfo, si, &ei_bad_base64);
    if (p->flags & MW_PART_BAD_QP)
        expert_add_info(pinfo, si, &ei_bad_qp);
    if (m->flags & MW_MIME_NO_HASH)
        return;
    proto_tree_add_string(pt, hf_part_md5, msg, (gint)MIN(p->body.off, len), 0,
                          hex(pinfo, p->md5, sizeof p->md5));
    proto_tree_add_string(pt, hf_part_sha1, msg, (gint)MIN(p->body.off, len), 0,
                          hex(pinfo, p->sha1, sizeof p->sha1));
    proto_tree_add_string(pt, hf_part_sha256, msg, (gint)MIN(p->body.off, len), 0,
                          hex(pinfo, p->sha256, sizeof p->sha256));
}

gboolean mail_parts_add(tvbuff_t *msg, packet_info *pinfo, proto_tree *tree, const guint8 *buf,
                        guint len)
{
    frame_count *fc = this_frame(pinfo);
    guint ordinal = fc->n++;
    const parts_rec *r = walk_once(pinfo, ordinal, buf, len);
    wmem_map_insert(fc->by_data, (void *)buf, (void *)r);
    const mw_mime_message *m = &r->m;
    proto_item *mi = proto_tree_add_string(tree, hf_message_sha256, msg, 0, (gint)len,
                                           (m->flags & MW_MIME_NO_HASH)
                                               ? "" : hex(pinfo, m->sha256, sizeof m->sha256));
    proto_tree *pt = proto_item_add_subtree(mi, ett_parts);
    unsigned attachments = mail_parts_attachments(m);
    proto_item *ci = proto_tree_add_uint(pt, hf_message_parts, msg, 0, 0, m->n_parts);
    proto_item_set_generated(ci);
    ci = proto_tree_add_uint(pt, hf_message_attachments, msg, 0, 0, attachments);
    proto_item_set_generated(ci);
    if (m->flags & MW_MIME_PART_LIMIT)
        expert_add_info(pinfo, mi, &ei_part_limit);
    mail_copies_show(msg, pinfo, pt, r->copy);
    /* Parts are listed flat (the section number says where each sits), so a
     * deep nesting does not deepen the tree. */
    unsigned shown = MIN(m->n_parts, PARTS_SHOWN_MAX);
    for (unsigned i = 0; i < shown; i++)
        add_part(msg, pinfo, pt, m, i, len);
    if (shown < m->n_parts)
        expert_add_info_format(pinfo, mi, &ei_summarised,
                               "%u of %u parts shown; the rest are counted only (%u attachments "
                               "in all)", shown, m->n_parts, attachments);

    /* IMF nests a protocol layer per MIME level and per message. */
    const char *why = NULL;
    if (m->flags & MW_MIME_DEPTH_LIMIT)
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
    walks = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_int64_hash,
                                   g_int64_equal);
    static hf_register_info hf[] = {
        {&hf_message_sha256,
         {"Message SHA-256", "mail.message.sha256", FT_STRING, BASE_NONE, NULL, 0x0,
          "SHA-256 of the whole message as delivered (lower-case hex)", HFILL}},
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
         {"MD5", "mail.part.md5", FT_STRING, BASE_NONE, NULL, 0x0, "Of the decoded bytes", HFILL}},
        {&hf_part_sha1,
         {"SHA-1", "mail.part.sha1", FT_STRING, BASE_NONE, NULL, 0x0, "Of the decoded bytes",
          HFILL}},
        {&hf_part_sha256,
         {"SHA-256", "mail.part.sha256", FT_STRING, BASE_NONE, NULL, 0x0, "Of the decoded bytes",
          HFILL}},
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

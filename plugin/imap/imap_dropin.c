/* The built-in IMAP dissector's field names (imap.request.command, ...),
 * registered by mailwire with the built-in's types so that saved filters,
 * colouring rules and scripts match mailwire's frames too: hidden items on
 * each call, each line, the first line of each request and response, the
 * mailbox a command names, LOGIN's arguments and the links between a
 * command and its completion, with the built-in's values. */
#include <wireshark.h>
#include <epan/packet.h>

#include "imap/imap.h"

static int hf_request = -1;
static int hf_request_tag = -1;
static int hf_request_command = -1;
static int hf_request_command_uid = -1;
static int hf_request_username = -1;
static int hf_request_password = -1;
static int hf_response = -1;
static int hf_response_tag = -1;
static int hf_response_status = -1;
static int hf_isrequest = -1;
static int hf_line = -1;
static int hf_tag = -1;
static int hf_command = -1;
static int hf_response_command = -1;
static int hf_request_folder = -1;
static int hf_response_in = -1;
static int hf_response_to = -1;
static int hf_time = -1;

static void hide(proto_item *it)
{
    proto_item_set_hidden(it);
}

/* Length of the token at off (up to a space or the end). */
static gint token_len(tvbuff_t *tvb, gint off, gint end)
{
    gint sp = off < end ? tvb_find_guint8(tvb, off, end - off, ' ') : -1;
    return (sp < 0 ? end : sp) - off;
}

static const char *upper(packet_info *pinfo, tvbuff_t *tvb, gint off, gint len)
{
    char *s = (char *)tvb_get_string_enc(pinfo->pool, tvb, off, len, ENC_ASCII);
    for (char *c = s; *c; c++)
        *c = g_ascii_toupper(*c);
    return s;
}

void imap_dropin_call(proto_tree *t, tvbuff_t *tvb, gboolean client)
{
    hide(proto_tree_add_boolean(t, hf_isrequest, tvb, 0, 0, client));
}

void imap_dropin_text(proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    hide(proto_tree_add_item(t, hf_line, tvb, off, len, ENC_ASCII));
}

void imap_dropin_line(packet_info *pinfo, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                      gboolean client)
{
    gint end = off + len;
    gint tag_len = token_len(tvb, off, end);
    if (tag_len <= 0)
        return;
    /* the built-in's request and response are the whole line, tag included */
    hide(proto_tree_add_item(t, client ? hf_request : hf_response, tvb, off, len, ENC_ASCII));
    gint rest = off + tag_len + 1;
    hide(proto_tree_add_item(t, client ? hf_request_tag : hf_response_tag, tvb, off, tag_len,
                             ENC_ASCII));
    hide(proto_tree_add_item(t, hf_tag, tvb, off, tag_len, ENC_ASCII));
    if (rest >= end)
        return;
    gint word_len = token_len(tvb, rest, end);
    if (word_len <= 0)
        return;
    const char *word = upper(pinfo, tvb, rest, word_len);
    gint next = rest + word_len + 1;
    gint next_len = next < end ? token_len(tvb, next, end) : 0;
    if (client) {
        /* imap.command is the word after the tag, UID included */
        hide(proto_tree_add_string(t, hf_command, tvb, rest, word_len, word));
        /* UID FETCH, UID STORE...: the built-in names the command after UID
         * and says it is a UID command */
        if (!strcmp(word, "UID") && next_len > 0) {
            hide(proto_tree_add_boolean(t, hf_request_command_uid, tvb, rest, word_len, TRUE));
            hide(proto_tree_add_string(t, hf_request_command, tvb, next, next_len,
                                       upper(pinfo, tvb, next, next_len)));
        } else {
            hide(proto_tree_add_string(t, hf_request_command, tvb, rest, word_len, word));
        }
        return;
    }
    if (!strcmp(word, "OK") || !strcmp(word, "NO") || !strcmp(word, "BAD") ||
        !strcmp(word, "BYE") || !strcmp(word, "PREAUTH"))
        hide(proto_tree_add_string(t, hf_response_status, tvb, rest, word_len, word));
    /* A response's command, as written: a tagged one's third word ("a1 OK
     * LOGIN completed", as the built-in reads it); an untagged one's keyword,
     * after its number if it has one ("* 3 EXISTS", "* FLAGS (...)"); none
     * for a continuation request ("+ idling"). */
    guint8 first = tvb_get_guint8(tvb, off);
    if (tag_len == 1 && first == '+')
        return;
    gint cmd_off = next, cmd_len = next_len;
    if (tag_len == 1 && first == '*' && !g_ascii_isdigit(word[0])) {
        cmd_off = rest;
        cmd_len = word_len;
    }
    if (cmd_len > 0) {
        hide(proto_tree_add_item(t, hf_response_command, tvb, cmd_off, cmd_len, ENC_ASCII));
        hide(proto_tree_add_item(t, hf_command, tvb, cmd_off, cmd_len, ENC_ASCII));
    }
}

void imap_dropin_folder(proto_tree *t, tvbuff_t *tvb, gint off, gint len, const char *mailbox)
{
    hide(proto_tree_add_string(t, hf_request_folder, tvb, off, len, mailbox));
}

void imap_dropin_response_in(proto_tree *t, tvbuff_t *tvb, guint32 frame)
{
    hide(proto_tree_add_uint(t, hf_response_in, tvb, 0, 0, frame));
}

void imap_dropin_response_to(proto_tree *t, tvbuff_t *tvb, guint32 frame, const nstime_t *delta)
{
    hide(proto_tree_add_uint(t, hf_response_to, tvb, 0, 0, frame));
    hide(proto_tree_add_time(t, hf_time, tvb, 0, 0, delta));
}

void imap_dropin_login(proto_tree *t, tvbuff_t *tvb, gint off, gint len, const char *value,
                       gboolean password)
{
    hide(proto_tree_add_string(t, password ? hf_request_password : hf_request_username, tvb, off,
                               len, value));
}

void imap_dropin_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_request, {"Request", "imap.request", FT_STRINGZ, BASE_NONE, NULL, 0x0,
                       "Request line, tag included (built-in name)", HFILL}},
        {&hf_request_tag, {"Request Tag", "imap.request_tag", FT_STRINGZ, BASE_NONE, NULL, 0x0,
                           "Tag of the request (built-in name)", HFILL}},
        {&hf_request_command,
         {"Request Command", "imap.request.command", FT_STRINGZ, BASE_NONE, NULL, 0x0,
          "Command, upper case; after UID the next word (built-in name)", HFILL}},
        {&hf_request_command_uid, {"Request isUID", "imap.request.command.uid", FT_BOOLEAN,
                                   BASE_NONE, NULL, 0x0,
                                   "A UID command: UID FETCH, UID STORE... (built-in name)",
                                   HFILL}},
        {&hf_request_username, {"Request Username", "imap.request.username", FT_STRINGZ,
                                BASE_NONE, NULL, 0x0, "LOGIN's user name (built-in name)",
                                HFILL}},
        {&hf_request_password, {"Request Password", "imap.request.password", FT_STRINGZ,
                                BASE_NONE, NULL, 0x0, "LOGIN's password (built-in name)",
                                HFILL}},
        {&hf_response, {"Response", "imap.response", FT_STRINGZ, BASE_NONE, NULL, 0x0,
                        "Response line, tag included (built-in name)", HFILL}},
        {&hf_response_tag, {"Response Tag", "imap.response_tag", FT_STRINGZ, BASE_NONE, NULL,
                            0x0, "Tag, * or + (built-in name)", HFILL}},
        {&hf_response_status, {"Response Status", "imap.response.status", FT_STRINGZ, BASE_NONE,
                               NULL, 0x0, "OK, NO, BAD, BYE or PREAUTH (built-in name)", HFILL}},
        {&hf_isrequest, {"Request", "imap.isrequest", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
                         "The client's bytes (built-in name)", HFILL}},
        {&hf_line, {"Line", "imap.line", FT_STRINGZ, BASE_NONE, NULL, 0x0,
                    "A line, its line end included (built-in name)", HFILL}},
        {&hf_tag, {"Tag", "imap.tag", FT_STRINGZ, BASE_NONE, NULL, 0x0,
                   "Tag of a request or response, * or + (built-in name)", HFILL}},
        {&hf_command, {"Command", "imap.command", FT_STRINGZ, BASE_NONE, NULL, 0x0,
                       "Request: word after the tag; response: its command (built-in name)",
                       HFILL}},
        {&hf_response_command, {"Response Command", "imap.response.command", FT_STRINGZ,
                                BASE_NONE, NULL, 0x0, "Command word of a response (built-in name)",
                                HFILL}},
        {&hf_request_folder, {"Request Folder", "imap.request.folder", FT_STRINGZ, BASE_NONE,
                              NULL, 0x0, "The mailbox a command names, decoded (built-in name)",
                              HFILL}},
        {&hf_response_in, {"Response In", "imap.response_in", FT_FRAMENUM, BASE_NONE,
                           FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
                           "The frame of the tagged completion (built-in name)", HFILL}},
        {&hf_response_to, {"Request In", "imap.response_to", FT_FRAMENUM, BASE_NONE,
                           FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
                           "The frame of the command this completes (built-in name)", HFILL}},
        {&hf_time, {"Response Time", "imap.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
                    "Time between the command and its tagged completion (built-in name)",
                    HFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
}

/* The built-in POP dissector's field names (pop.request.command, ...),
 * registered by mailwire with the built-in's types so that saved filters,
 * colouring rules and scripts match mailwire's frames too: hidden copies of
 * what the command and response lines show. */
#include <wireshark.h>
#include <epan/packet.h>

#include "mail/lineitem.h"
#include "pop/pop.h"

static int hf_request = -1;
static int hf_request_command = -1;
static int hf_request_parameter = -1;
static int hf_response = -1;
static int hf_response_indicator = -1;
static int hf_response_description = -1;

/* The message data as text (escaped where not printable); the bytes field
 * mail.pop.multiline.data stays for filters. */
static int hf_data_text = -1;

void pop_text_data(packet_info *pinfo, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    mw_add_bytes_text(pinfo, t, hf_data_text, tvb, off, len);
}

static void hide(proto_item *it)
{
    proto_item_set_hidden(it);
}

void pop_dropin_request(packet_info *pinfo, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                        gint verb_len, gint args_off, gint args_len)
{
    hide(proto_tree_add_item(t, hf_request, tvb, off, len, ENC_ASCII));
    if (verb_len > 0) {
        /* Upper case, as filters write the verb. */
        char *verb = (char *)tvb_get_string_enc(pinfo->pool, tvb, off, verb_len, ENC_ASCII);
        for (char *c = verb; *c; c++)
            *c = g_ascii_toupper(*c);
        hide(proto_tree_add_string(t, hf_request_command, tvb, off, verb_len, verb));
    }
    if (args_len > 0)
        hide(proto_tree_add_item(t, hf_request_parameter, tvb, args_off, args_len, ENC_ASCII));
}

void pop_dropin_response(proto_tree *t, tvbuff_t *tvb, gint off, gint len, gint status_len,
                         gint text_off, gint text_len)
{
    hide(proto_tree_add_item(t, hf_response, tvb, off, len, ENC_ASCII));
    if (status_len > 0 && status_len <= len)
        hide(proto_tree_add_item(t, hf_response_indicator, tvb, off, status_len, ENC_ASCII));
    if (text_len > 0)
        hide(proto_tree_add_item(t, hf_response_description, tvb, text_off, text_len, ENC_ASCII));
}

void pop_dropin_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_request, {"Request", "pop.request", FT_STRING, BASE_NONE, NULL, 0x0,
                       "A command line (built-in name)", HFILL}},
        {&hf_request_command, {"Request command", "pop.request.command", FT_STRING, BASE_NONE,
                               NULL, 0x0, "The command, upper case (built-in name)", HFILL}},
        {&hf_request_parameter, {"Request parameter", "pop.request.parameter", FT_STRING,
                                 BASE_NONE, NULL, 0x0, "Arguments (built-in name)", HFILL}},
        {&hf_response, {"Response", "pop.response", FT_STRING, BASE_NONE, NULL, 0x0,
                        "A status line (built-in name)", HFILL}},
        {&hf_response_indicator, {"Response indicator", "pop.response.indicator", FT_STRING,
                                  BASE_NONE, NULL, 0x0, "+OK, -ERR or + (built-in name)", HFILL}},
        {&hf_response_description, {"Response description", "pop.response.description",
                                    FT_STRING, BASE_NONE, NULL, 0x0,
                                    "Text after the indicator (built-in name)", HFILL}},
    };
    static hf_register_info text[] = {
        {&hf_data_text, {"Text", "mail.pop.multiline.data.text", FT_STRING, BASE_NONE, NULL, 0x0,
                         "The message data of this segment as text (escaped)", HFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_field_array(proto, text, array_length(text));
}

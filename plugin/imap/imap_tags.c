/* IMAP commands and their tagged completions (RFC 9051 section 2.2.1):
 * the commands in flight, links both ways with the elapsed time, pipelined
 * and out-of-order completions.
 *
 * The session machine (core/imap/imap_session.c) keeps the commands in
 * flight and decides which command a completion closes; it writes the
 * completion into the command's record, so the command's frame links
 * forward to it.  This file shows those links. */
#include <wireshark.h>
#include <epan/expert.h>

#include "imap/imap.h"


static int hf_imap_response_in = -1;
static int hf_imap_response_to = -1;
static int hf_imap_time = -1;
static int hf_imap_untagged_for = -1;
static expert_field ei_imap_tag_reused = EI_INIT;
static expert_field ei_imap_tag_unknown = EI_INIT;
static expert_field ei_imap_command_unanswered = EI_INIT;
static expert_field ei_imap_inflight_overflow = EI_INIT;
static expert_field ei_imap_tag_forgotten = EI_INIT;

void imap_cmd_time(const imap_cmd_rec *r, nstime_t *t)
{
    t->secs = (time_t)r->sent.sec;
    t->nsecs = r->sent.nsec;
}

void imap_render_command_links(imap_render *rd, proto_tree *t)
{
    const imap_item *it = rd->it;
    const imap_cmd_rec *r = it->rec;
    packet_info *pinfo = rd->ctx->pinfo;
    proto_item *ti = rd->line_it;
    if (it->anomalies & IMAP_AN_INFLIGHT_FULL)
        expert_add_info_format(pinfo, ti, &ei_imap_inflight_overflow,
                               "More than %u commands in flight: the oldest is no longer "
                               "matched with its completion", IMAP_INFLIGHT_MAX);
    if (!r)
        return;
    if (r->reused)
        expert_add_info_format(pinfo, ti, &ei_imap_tag_reused,
                               "Tag \"%s\" is reused while a command with it is still in "
                               "flight: its completion is ambiguous", r->tag);
    if (r->done.frame) {
        proto_item *l = proto_tree_add_uint(t, hf_imap_response_in, rd->tvb, 0, 0, r->done.frame);
        proto_item_set_generated(l);
        imap_dropin_response_in(t, rd->tvb, r->done.frame);
    } else if (imap_capture_read() && r->cmd != MW_IMAP_CMD_LOGOUT && !r->forgotten) {
        expert_add_info(pinfo, ti, &ei_imap_command_unanswered);
    }
}

void imap_render_completion_links(imap_render *rd, proto_tree *t, const char *tag)
{
    const imap_cmd_rec *r = rd->it->rec;
    packet_info *pinfo = rd->ctx->pinfo;
    if (rd->it->anomalies & IMAP_AN_TAG_FORGOTTEN) {
        expert_add_info_format(pinfo, rd->line_it, &ei_imap_tag_forgotten,
                               "Completion for tag \"%s\", which no command in flight carries "
                               "while commands dropped past the limit of %u in flight are owed "
                               "one: most likely theirs, not matched", tag, IMAP_INFLIGHT_MAX);
        return;
    }
    if (rd->it->anomalies & IMAP_AN_TAG_UNKNOWN) {
        expert_add_info_format(pinfo, rd->line_it, &ei_imap_tag_unknown,
                               "Completion for tag \"%s\", which no command in flight carries "
                               "(command not captured, or a forged completion)", tag);
        return;
    }
    if (!r)
        return;
    proto_item *l = proto_tree_add_uint(t, hf_imap_response_to, rd->tvb, 0, 0, r->sent.frame);
    proto_item_set_generated(l);
    nstime_t delta, sent;
    imap_cmd_time(r, &sent);
    nstime_delta(&delta, &pinfo->abs_ts, &sent);
    l = proto_tree_add_time(t, hf_imap_time, rd->tvb, 0, 0, &delta);
    proto_item_set_generated(l);
    imap_dropin_response_to(t, rd->tvb, r->sent.frame, &delta);
}

void imap_render_untagged_link(imap_render *rd, proto_tree *t, gint off)
{
    if (!rd->it->untagged_for)
        return;
    proto_item *l = proto_tree_add_uint(t, hf_imap_untagged_for, rd->tvb, off, 0,
                                        rd->it->untagged_for);
    proto_item_set_generated(l);
}

void imap_tags_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_imap_response_in,
         {"Response in frame", "mail.imap.response_in", FT_FRAMENUM,
          BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
          "The frame of the tagged completion of this command", HFILL}},
        {&hf_imap_response_to,
         {"Response to frame", "mail.imap.response_to", FT_FRAMENUM,
          BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, NULL, HFILL}},
        {&hf_imap_time,
         {"Time since command", "mail.imap.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
          "Time between the command and its tagged completion", HFILL}},
        {&hf_imap_untagged_for,
         {"Untagged data during the command in frame", "mail.imap.untagged.command_in",
          FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "The only command in flight when this untagged response came", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_imap_tag_reused,
         {"mail.imap.tag.reused", PI_SEQUENCE, PI_WARN, "Tag reused while in flight", EXPFILL}},
        {&ei_imap_tag_unknown,
         {"mail.imap.tag.unknown", PI_SEQUENCE, PI_WARN, "Completion for an unknown tag",
          EXPFILL}},
        {&ei_imap_command_unanswered,
         {"mail.imap.command.unanswered", PI_SEQUENCE, PI_NOTE,
          "The capture holds no tagged completion for this command", EXPFILL}},
        {&ei_imap_inflight_overflow,
         {"mail.imap.command.inflight_overflow", PI_SEQUENCE, PI_NOTE,
          "More commands in flight than tracked: the oldest is no longer matched", EXPFILL}},
        {&ei_imap_tag_forgotten,
         {"mail.imap.tag.forgotten", PI_SEQUENCE, PI_NOTE,
          "Completion most likely for a command dropped at the in-flight limit", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

/* IMAP commands and their tagged completions (RFC 9051 section 2.2.1):
 * the commands in flight, links both ways with the elapsed time, pipelined
 * and out-of-order completions.
 *
 * The parse side keeps the in-flight list in the session state (oldest
 * first, grown as needed up to IMAP_INFLIGHT_MAX) and decides which command a
 * completion closes (the oldest with that tag); it writes the completion
 * into the command's record, so the command's frame links forward to it. */
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

static void inflight_remove(imap_state *st, guint i)
{
    memmove(&st->inflight[i], &st->inflight[i + 1],
            (st->n_inflight - i - 1) * sizeof st->inflight[0]);
    st->n_inflight--;
}

static void inflight_add(imap_state *st, imap_cmd_rec *r)
{
    if (st->n_inflight == st->inflight_cap) {
        guint cap = st->inflight_cap ? st->inflight_cap * 2 : 16;
        imap_cmd_rec **n = wmem_alloc_array(wmem_file_scope(), imap_cmd_rec *, cap);
        if (st->n_inflight)
            memcpy(n, st->inflight, st->n_inflight * sizeof *n);
        wmem_free(wmem_file_scope(), st->inflight);
        st->inflight = n;
        st->inflight_cap = cap;
    }
    st->inflight[st->n_inflight++] = r;
}

imap_cmd_rec *imap_parse_command(imap_parse *ps, imap_item *it, const char *tag,
                                 const mw_imap_command *c)
{
    imap_state *st = ps->st;
    packet_info *pinfo = ps->ctx->pinfo;
    imap_cmd_rec *r = wmem_new0(wmem_file_scope(), imap_cmd_rec);
    r->tag = wmem_strdup(wmem_file_scope(), tag);
    r->cmd = c->cmd;
    r->uid = c->uid;
    r->frame = pinfo->num;
    r->time = pinfo->abs_ts;
    for (guint i = 0; i < st->n_inflight; i++)
        if (strcmp(st->inflight[i]->tag, tag) == 0)
            r->reused = TRUE;
    if (st->n_inflight >= IMAP_INFLIGHT_MAX) {
        it->anomalies |= IMAP_AN_INFLIGHT_FULL;
        inflight_remove(st, 0);
    }
    inflight_add(st, r);
    it->rec = r;
    return r;
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
    if (r->done_frame) {
        proto_item *l = proto_tree_add_uint(t, hf_imap_response_in, rd->tvb, 0, 0, r->done_frame);
        proto_item_set_generated(l);
    } else if (imap_capture_read() && r->cmd != MW_IMAP_CMD_LOGOUT) {
        expert_add_info(pinfo, ti, &ei_imap_command_unanswered);
    }
}

imap_cmd_rec *imap_parse_completion(imap_parse *ps, imap_item *it, const char *tag,
                                    mw_imap_kw status)
{
    imap_state *st = ps->st;
    imap_cmd_rec *r = NULL;
    for (guint i = 0; i < st->n_inflight; i++) {
        if (strcmp(st->inflight[i]->tag, tag) == 0) {
            r = st->inflight[i];
            inflight_remove(st, i);
            break;
        }
    }
    it->rec = r;
    if (!r) {
        it->anomalies |= IMAP_AN_TAG_UNKNOWN;
        return NULL;
    }
    if (!r->done_frame) {
        r->done_frame = ps->ctx->pinfo->num;
        r->done_time = ps->ctx->pinfo->abs_ts;
        r->status = status;
    }
    return r;
}

void imap_render_completion_links(imap_render *rd, proto_tree *t, const char *tag)
{
    const imap_cmd_rec *r = rd->it->rec;
    packet_info *pinfo = rd->ctx->pinfo;
    if (rd->it->anomalies & IMAP_AN_TAG_UNKNOWN) {
        expert_add_info_format(pinfo, rd->line_it, &ei_imap_tag_unknown,
                               "Completion for tag \"%s\", which no command in flight carries "
                               "(command not captured, or a forged completion)", tag);
        return;
    }
    if (!r)
        return;
    proto_item *l = proto_tree_add_uint(t, hf_imap_response_to, rd->tvb, 0, 0, r->frame);
    proto_item_set_generated(l);
    nstime_t delta;
    nstime_delta(&delta, &pinfo->abs_ts, &r->time);
    l = proto_tree_add_time(t, hf_imap_time, rd->tvb, 0, 0, &delta);
    proto_item_set_generated(l);
}

void imap_parse_untagged_link(imap_parse *ps, imap_item *it)
{
    if (ps->st->n_inflight == 1)
        it->untagged_for = ps->st->inflight[0]->frame;
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
         {"Completed in frame", "mail.imap.response_in", FT_FRAMENUM,
          BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
          "The frame of the tagged completion of this command", HFILL}},
        {&hf_imap_response_to,
         {"Completes the command in frame", "mail.imap.response_to", FT_FRAMENUM,
          BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, NULL, HFILL}},
        {&hf_imap_time,
         {"Time since the command", "mail.imap.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
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
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

/* IMAP commands and their tagged completions (RFC 9051 section 2.2.1):
 * a per-conversation table of command records, links both ways with the
 * elapsed time, pipelined and out-of-order completions.
 *
 * Records are created on the first pass and found again on later passes by
 * frame and stream offset.  Which command a completion closes is decided
 * from the in-flight list in the copied state (oldest command with that tag),
 * so every pass decides the same. */
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

imap_conv *imap_conv_new(void)
{
    imap_conv *c = wmem_new0(wmem_file_scope(), imap_conv);
    c->by_frame = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    c->lits = wmem_map_new(wmem_file_scope(), g_int64_hash, g_int64_equal);
    return c;
}

static imap_cmd_rec *find_rec(imap_conv *c, guint32 frame, guint64 stream_off)
{
    imap_cmd_rec *r = (imap_cmd_rec *)wmem_map_lookup(c->by_frame, GUINT_TO_POINTER(frame));
    while (r && r->stream_off != stream_off)
        r = r->next_in_frame;
    return r;
}

static imap_cmd_rec *new_rec(mw_ctx *ctx, const char *tag, const mw_imap_command *c, guint64 soff)
{
    imap_state *st = (imap_state *)ctx->state;
    imap_cmd_rec *r = wmem_new0(wmem_file_scope(), imap_cmd_rec);
    r->tag = wmem_strdup(wmem_file_scope(), tag);
    r->cmd = c->cmd;
    r->uid = c->uid;
    r->frame = ctx->pinfo->num;
    r->time = ctx->pinfo->abs_ts;
    r->stream_off = soff;
    for (guint i = 0; i < st->n_inflight; i++)
        if (strcmp(st->inflight[i]->tag, tag) == 0)
            r->reused = TRUE;
    gpointer key = GUINT_TO_POINTER(ctx->pinfo->num);
    imap_cmd_rec *first = (imap_cmd_rec *)wmem_map_lookup(st->conv->by_frame, key);
    if (!first) {
        wmem_map_insert(st->conv->by_frame, key, r);
    } else {
        while (first->next_in_frame)
            first = first->next_in_frame;
        first->next_in_frame = r;
    }
    return r;
}

static void inflight_remove(imap_state *st, guint i)
{
    memmove(&st->inflight[i], &st->inflight[i + 1],
            (st->n_inflight - i - 1) * sizeof st->inflight[0]);
    st->n_inflight--;
}

imap_cmd_rec *imap_cmd_begin(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, const char *tag,
                             gint tag_off, gint tag_len, const mw_imap_command *c)
{
    imap_state *st = (imap_state *)ctx->state;
    guint64 soff = ctx->stream_offset + (guint64)tag_off;
    (void)tag_len;
    imap_cmd_rec *r = ctx->first_pass ? new_rec(ctx, tag, c, soff)
                                      : find_rec(st->conv, ctx->pinfo->num, soff);
    if (!r)
        return NULL;
    if (st->n_inflight == IMAP_INFLIGHT) {
        expert_add_info(ctx->pinfo, proto_tree_get_parent(t), &ei_imap_inflight_overflow);
        inflight_remove(st, 0);
    }
    st->inflight[st->n_inflight++] = r;
    proto_item *ti = proto_tree_get_parent(t);
    if (r->reused)
        expert_add_info_format(ctx->pinfo, ti, &ei_imap_tag_reused,
                               "Tag \"%s\" is reused while a command with it is still in "
                               "flight: its completion is ambiguous", r->tag);
    if (r->done_frame) {
        proto_item *it = proto_tree_add_uint(t, hf_imap_response_in, tvb, 0, 0, r->done_frame);
        proto_item_set_generated(it);
    } else if (!ctx->first_pass && r->cmd != MW_IMAP_CMD_LOGOUT) {
        expert_add_info(ctx->pinfo, ti, &ei_imap_command_unanswered);
    }
    return r;
}

imap_cmd_rec *imap_cmd_complete(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, const char *tag,
                                gint tag_off, gint tag_len, mw_imap_kw status)
{
    imap_state *st = (imap_state *)ctx->state;
    imap_cmd_rec *r = NULL;
    for (guint i = 0; i < st->n_inflight; i++) {
        if (strcmp(st->inflight[i]->tag, tag) == 0) {
            r = st->inflight[i];
            inflight_remove(st, i);
            break;
        }
    }
    if (!r) {
        proto_item *ti = proto_tree_get_parent(t);
        expert_add_info_format(ctx->pinfo, ti, &ei_imap_tag_unknown,
                               "Completion for tag \"%s\", which no command in flight carries "
                               "(command not captured, or a forged completion)", tag);
        (void)tvb;
        (void)tag_off;
        (void)tag_len;
        return NULL;
    }
    if (ctx->first_pass && !r->done_frame) {
        r->done_frame = ctx->pinfo->num;
        r->done_time = ctx->pinfo->abs_ts;
        r->status = status;
    }
    proto_item *it = proto_tree_add_uint(t, hf_imap_response_to, tvb, 0, 0, r->frame);
    proto_item_set_generated(it);
    nstime_t delta;
    nstime_delta(&delta, &ctx->pinfo->abs_ts, &r->time);
    it = proto_tree_add_time(t, hf_imap_time, tvb, 0, 0, &delta);
    proto_item_set_generated(it);
    return r;
}

void imap_cmd_link_untagged(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off)
{
    imap_state *st = (imap_state *)ctx->state;
    if (st->n_inflight != 1)
        return;
    proto_item *it = proto_tree_add_uint(t, hf_imap_untagged_for, tvb, off, 0,
                                         st->inflight[0]->frame);
    proto_item_set_generated(it);
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

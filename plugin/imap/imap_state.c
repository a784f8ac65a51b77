/* IMAP session state (RFC 9051 section 3): not authenticated, authenticated,
 * selected, logout; the commands each state allows; IDLE (RFC 2177);
 * STARTTLS (section 6.2.1) and its plaintext-injection check; COMPRESS
 * (RFC 4978), after which both directions are deflate streams. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "imap/imap.h"
#include "engine/heap.h"
#include "mail/tap.h"

static int hf_state = -1;
static int hf_state_mailbox = -1;
static int hf_state_uidvalidity = -1;
static int hf_state_exists = -1;
static int hf_idle_done = -1;
static int hf_idle_duration = -1;
static int hf_idle_command_in = -1;
static int hf_compressed = -1;
static int hf_inflated_len = -1;
static int hf_state_midstream = -1;
static expert_field ei_inflate_error = EI_INIT;
static int hf_tls_injected = -1;
static expert_field ei_state_command = EI_INIT;
static expert_field ei_starttls_injection = EI_INIT;
static expert_field ei_done_not_idle = EI_INIT;

static dissector_handle_t tls_handle;

const imap_snap *imap_state_snapshot(imap_state *st, imap_call *call)
{
    call->session = (guint8)st->sess.state;
    call->start = st->sess.start;
    call->inferred = st->sess.inferred;
    if (call->session != MW_IMAP_SS_SELECTED)
        return NULL; /* shown only in the selected state */
    const imap_snap *s = st->snap;
    if (!s || s->selected != st->sess.selected || s->uidvalidity != st->sess.uidvalidity ||
        s->exists != st->sess.exists) {
        imap_snap *n = mw_arena_new0(imap_snap);
        n->selected = st->sess.selected;
        n->uidvalidity = st->sess.uidvalidity;
        n->exists = st->sess.exists;
        st->snap = s = n;
    }
    return s;
}

void imap_render_state(mw_ctx *ctx, const imap_call *call)
{
    const char *name = mw_imap_sstate_name((mw_imap_sstate)call->session);
    if (call->start == MW_IMAP_START_MIDSTREAM && call->session == MW_IMAP_SS_NOT_AUTH &&
        !call->inferred)
        name = "unknown";
    proto_item *it = proto_tree_add_string(ctx->tree, hf_state, NULL, 0, 0, name);
    proto_item_set_generated(it);
    if (call->start == MW_IMAP_START_MIDSTREAM) {
        proto_item *m = proto_tree_add_boolean(ctx->tree, hf_state_midstream, NULL, 0, 0, TRUE);
        proto_item_set_generated(m);
        if (call->inferred)
            proto_item_append_text(it, " (inferred: the capture began mid-session)");
        else if (call->session == MW_IMAP_SS_NOT_AUTH)
            proto_item_append_text(it, " (the capture began mid-session)");
    }
    if (call->session != MW_IMAP_SS_SELECTED)
        return;
    proto_tree *t = proto_item_add_subtree(it, ett_imap_item);
    const imap_snap *s = imap_call_snap(call);
    if (s->selected && s->selected->user)
        proto_item_set_generated(proto_tree_add_string(t, hf_state_mailbox, NULL, 0, 0,
                                                       (const char *)s->selected->user));
    if (s->uidvalidity)
        proto_item_set_generated(proto_tree_add_uint64(t, hf_state_uidvalidity, NULL, 0, 0, s->uidvalidity));
    proto_item_set_generated(proto_tree_add_uint(t, hf_state_exists, NULL, 0, 0, s->exists));
}

void imap_render_state_command(imap_render *rd)
{
    const imap_item *it = rd->it;
    if ((it->anomalies & IMAP_AN_WRONG_STATE) && it->rec)
        expert_add_info_format(rd->ctx->pinfo, rd->line_it, &ei_state_command,
                               "%s is not allowed in the %s state", mw_imap_cmd_name(it->rec->cmd),
                               mw_imap_sstate_name((mw_imap_sstate)it->eff_state));
}

/* STARTTLS accepted, outside TLS: TLS takes the conversation from the next
 * bytes on. */
void imap_parse_starttls_done(imap_parse *ps)
{
    if (ps->ctx->tls)
        return;
    if (!tls_handle)
        tls_handle = find_dissector("tls");
    if (tls_handle)
        ssl_starttls_ack(tls_handle, ps->ctx->pinfo, imap_handle);
}

void imap_render_done(imap_render *rd, proto_tree *t, gint off, gint len)
{
    const imap_cmd_rec *idle = rd->it->rec;
    proto_item *it = proto_tree_add_boolean(t, hf_idle_done, rd->tvb, off, len, TRUE);
    if (!idle) {
        expert_add_info(rd->ctx->pinfo, it, &ei_done_not_idle);
        return;
    }
    nstime_t d, start;
    imap_cmd_time(idle, &start);
    nstime_delta(&d, &rd->ctx->pinfo->abs_ts, &start);
    proto_item_set_generated(proto_tree_add_time(t, hf_idle_duration, rd->tvb, off, 0, &d));
    proto_item_set_generated(proto_tree_add_uint(t, hf_idle_command_in, rd->tvb, off, 0, idle->sent.frame));
}

void imap_render_plaintext_check(imap_render *rd)
{
    if (!(rd->it->anomalies & IMAP_AN_PLAINTEXT))
        return;
    proto_item *it = rd->line_it;
    proto_item *f = proto_tree_add_boolean(proto_item_get_subtree(it) ? proto_item_get_subtree(it)
                                                                      : rd->ctx->tree,
                                           hf_tls_injected, NULL, 0, 0, TRUE);
    proto_item_set_generated(f);
    if (rd->ctx->dir == MW_DIR_CLIENT)
        mw_expert(rd->ctx->pinfo, it, &ei_starttls_injection);
    else
        mw_expert_format(rd->ctx->pinfo, it, &ei_starttls_injection,
                         "Plaintext after the reply to STARTTLS, before TLS began: a client that "
                         "buffers it takes it as replies inside TLS (response injection)");
}

void imap_render_compressed(imap_render *rd, const imap_call *call)
{
    mw_ctx *ctx = rd->ctx;
    static const imap_zcall none;
    const imap_zcall *z = imap_call_z(call);
    if (!z)
        z = &none;
    const char *who = ctx->dir == MW_DIR_CLIENT ? "C" : "S";
    proto_item *it = proto_tree_add_item(ctx->tree, hf_compressed, rd->tvb, rd->it->off,
                                         rd->it->len, ENC_NA);
    switch (call->zstatus) {
    case IMAP_Z_OK:
        proto_item_append_text(it, ", inflated to %u octets", z->inflated_len - z->zcarried);
        break;
    case IMAP_Z_ERROR:
        proto_item_append_text(it, ", inflate error: %s", z->zerr ? z->zerr : "?");
        mw_expert_format(ctx->pinfo, it, &ei_inflate_error, "Inflate error: %s",
                      z->zerr ? z->zerr : "?");
        break;
    case IMAP_Z_DEAD:
    default:
        proto_item_append_text(it, ", not inflated (after an inflate error or lost bytes)");
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: compressed, %d octets", who,
                            rd->it->len);
        break;
    }
    if (call->zstatus == IMAP_Z_OK || call->zstatus == IMAP_Z_ERROR) {
        proto_item *c = proto_tree_add_uint(ctx->tree, hf_inflated_len, rd->tvb, rd->it->off,
                                            rd->it->len, z->inflated_len - z->zcarried);
        proto_item_set_generated(c);
    }
    if (call->zstatus == IMAP_Z_ERROR)
        col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: inflate error", who);
}

void imap_state_register(int proto)
{
    static hf_register_info hf[] = {
        {&hf_state, {"Session state", "mail.imap.state", FT_STRING, BASE_NONE, NULL, 0x0,
                     "The state before this segment's first line", HFILL}},
        {&hf_state_mailbox,
         {"Selected mailbox", "mail.imap.state.mailbox", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_state_uidvalidity,
         {"UIDVALIDITY", "mail.imap.state.uidvalidity", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_state_exists,
         {"Messages in the mailbox", "mail.imap.state.exists", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_idle_done, {"IDLE ended (DONE)", "mail.imap.idle.done", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_idle_duration,
         {"IDLE duration", "mail.imap.idle.duration", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_idle_command_in,
         {"IDLE started in frame", "mail.imap.idle.command_in", FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_compressed,
         {"Compressed data (COMPRESS DEFLATE)", "mail.imap.compressed", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Deflate-compressed octets after COMPRESS was accepted; what they inflate to is the "
          "Inflated IMAP data source", HFILL}},
        {&hf_state_midstream,
         {"Captured mid-session", "mail.imap.state.midstream", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The capture began after the greeting: the state is inferred from the commands and data "
          "seen (FETCH, IDLE or UID commands mean authenticated and selected)", HFILL}},
        {&hf_inflated_len,
         {"Inflated octets", "mail.imap.inflated.len", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Octets the compressed run of this segment inflated to", HFILL}},
        {&hf_tls_injected,
         {"Plaintext after STARTTLS", "mail.imap.starttls.plaintext", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Bytes sent in clear after STARTTLS, before TLS", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_inflate_error,
         {"mail.imap.inflate.error", PI_MALFORMED, PI_ERROR,
          "The deflate stream cannot be inflated: the rest of this direction is shown as "
          "compressed data", EXPFILL}},
        {&ei_state_command,
         {"mail.imap.command.wrong_state", PI_SEQUENCE, PI_NOTE,
          "Command not allowed in the session state", EXPFILL}},
        {&ei_starttls_injection,
         {"mail.imap.starttls.injection", PI_SECURITY, PI_ERROR,
          "Plaintext after STARTTLS, before TLS began: a server that buffers it executes it as "
          "if sent inside TLS (command injection)", EXPFILL}},
        {&ei_done_not_idle,
         {"mail.imap.idle.done_without_idle", PI_SEQUENCE, PI_NOTE,
          "DONE with no IDLE under way", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

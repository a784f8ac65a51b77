/* IMAP session state (RFC 9051 section 3): not authenticated, authenticated,
 * selected, logout; the commands each state allows; IDLE (RFC 2177);
 * STARTTLS (section 6.2.1) and its plaintext-injection check; COMPRESS
 * (RFC 4978), after which both directions are deflate streams. */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/dissectors/packet-tls-utils.h>

#include "imap/imap.h"
#include "mail/tap.h"

static int hf_state = -1;
static int hf_state_mailbox = -1;
static int hf_state_uidvalidity = -1;
static int hf_state_exists = -1;
static int hf_idle_done = -1;
static int hf_idle_duration = -1;
static int hf_idle_command_in = -1;
static int hf_compressed = -1;
static int hf_tls_injected = -1;
static expert_field ei_state_command = EI_INIT;
static expert_field ei_starttls_injection = EI_INIT;
static expert_field ei_done_not_idle = EI_INIT;

static dissector_handle_t tls_handle;

static const char *const session_names[] = {
    [IMAP_SESS_NOT_AUTH] = "not authenticated", [IMAP_SESS_AUTH] = "authenticated",
    [IMAP_SESS_SELECTED] = "selected", [IMAP_SESS_LOGOUT] = "logout",
};

void imap_state_show(mw_ctx *ctx)
{
    imap_state *st = (imap_state *)ctx->state;
    proto_item *it = proto_tree_add_string(ctx->tree, hf_state, NULL, 0, 0, session_names[st->session]);
    proto_item_set_generated(it);
    if (st->session != IMAP_SESS_SELECTED)
        return;
    proto_tree *t = proto_item_add_subtree(it, ett_imap_item);
    if (st->selected && st->selected->mailbox)
        proto_item_set_generated(proto_tree_add_string(t, hf_state_mailbox, NULL, 0, 0, st->selected->mailbox));
    if (st->uidvalidity)
        proto_item_set_generated(proto_tree_add_uint64(t, hf_state_uidvalidity, NULL, 0, 0, st->uidvalidity));
    proto_item_set_generated(proto_tree_add_uint(t, hf_state_exists, NULL, 0, 0, st->exists));
}

/* The lowest state a command needs: RFC 9051 sections 6.1 to 6.4. */
static imap_session needed_state(mw_imap_cmd cmd, gboolean *only_not_auth)
{
    *only_not_auth = FALSE;
    switch (cmd) {
    case MW_IMAP_CMD_UNKNOWN: case MW_IMAP_CMD_CAPABILITY: case MW_IMAP_CMD_NOOP:
    case MW_IMAP_CMD_LOGOUT: case MW_IMAP_CMD_ID: case MW_IMAP_CMD_COMPRESS:
        return IMAP_SESS_NOT_AUTH;
    case MW_IMAP_CMD_STARTTLS: case MW_IMAP_CMD_AUTHENTICATE: case MW_IMAP_CMD_LOGIN:
        *only_not_auth = TRUE;
        return IMAP_SESS_NOT_AUTH;
    case MW_IMAP_CMD_CHECK: case MW_IMAP_CMD_CLOSE: case MW_IMAP_CMD_UNSELECT:
    case MW_IMAP_CMD_EXPUNGE: case MW_IMAP_CMD_SEARCH: case MW_IMAP_CMD_FETCH:
    case MW_IMAP_CMD_STORE: case MW_IMAP_CMD_COPY: case MW_IMAP_CMD_MOVE: case MW_IMAP_CMD_SORT:
    case MW_IMAP_CMD_THREAD: case MW_IMAP_CMD_ESEARCH:
        return IMAP_SESS_SELECTED;
    default:
        return IMAP_SESS_AUTH;
    }
}

/* The state the server will be in when it reaches this command: a pipelined
 * LOGIN or SELECT still in flight counts as done. */
static imap_session effective_state(const imap_state *st, const imap_cmd_rec *self)
{
    imap_session s = (imap_session)st->session;
    for (guint i = 0; i < st->n_inflight; i++) {
        const imap_cmd_rec *r = st->inflight[i];
        if (r == self)
            continue;
        if ((r->cmd == MW_IMAP_CMD_LOGIN || r->cmd == MW_IMAP_CMD_AUTHENTICATE) && s < IMAP_SESS_AUTH)
            s = IMAP_SESS_AUTH;
        if (r->cmd == MW_IMAP_CMD_SELECT || r->cmd == MW_IMAP_CMD_EXAMINE)
            s = IMAP_SESS_SELECTED;
    }
    return s;
}

void imap_state_command(mw_ctx *ctx, proto_item *it, const imap_cmd_rec *rec)
{
    imap_state *st = (imap_state *)ctx->state;
    if (!rec)
        return;
    gboolean only_not_auth;
    imap_session need = needed_state(rec->cmd, &only_not_auth);
    imap_session eff = effective_state(st, rec);
    gboolean ok = only_not_auth ? eff == IMAP_SESS_NOT_AUTH
                                : (eff != IMAP_SESS_LOGOUT && eff >= need);
    if (!ok)
        expert_add_info_format(ctx->pinfo, it, &ei_state_command,
                               "%s is not allowed in the %s state", mw_imap_cmd_name(rec->cmd),
                               session_names[eff]);
    switch (rec->cmd) {
    case MW_IMAP_CMD_STARTTLS:
        st->starttls = 1;
        break;
    case MW_IMAP_CMD_IDLE:
        st->idle = (imap_cmd_rec *)rec;
        st->idle_start = ctx->pinfo->abs_ts;
        break;
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE:
        st->uidvalidity = 0;
        st->exists = 0;
        break;
    default:
        break;
    }
}

void imap_state_completed(mw_ctx *ctx, proto_tree *t _U_, tvbuff_t *tvb _U_, gint end _U_,
                          const imap_cmd_rec *rec, mw_imap_kw status)
{
    imap_state *st = (imap_state *)ctx->state;
    if (!rec)
        return;
    gboolean ok = status == MW_IMAP_KW_OK;
    switch (rec->cmd) {
    case MW_IMAP_CMD_LOGIN: case MW_IMAP_CMD_AUTHENTICATE:
        st->auth = NULL;
        if (ok)
            st->session = IMAP_SESS_AUTH;
        break;
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE:
        /* OK selects; NO leaves no mailbox selected; BAD changes nothing. */
        if (ok) {
            st->session = IMAP_SESS_SELECTED;
            st->selected = rec;
        } else if (status == MW_IMAP_KW_NO && st->session == IMAP_SESS_SELECTED) {
            st->session = IMAP_SESS_AUTH;
            st->selected = NULL;
        }
        break;
    case MW_IMAP_CMD_CLOSE: case MW_IMAP_CMD_UNSELECT:
        if (ok) {
            st->session = IMAP_SESS_AUTH;
            st->selected = NULL;
        }
        break;
    case MW_IMAP_CMD_UNAUTHENTICATE:
        if (ok)
            st->session = IMAP_SESS_NOT_AUTH;
        break;
    case MW_IMAP_CMD_LOGOUT:
        st->session = IMAP_SESS_LOGOUT;
        break;
    case MW_IMAP_CMD_IDLE:
        st->idle = NULL;
        break;
    case MW_IMAP_CMD_COMPRESS:
        if (ok)
            st->compressed = TRUE;
        break;
    case MW_IMAP_CMD_STARTTLS:
        st->starttls = ok ? 2 : 0;
        if (ok && ctx->first_pass && !ctx->tls) {
            if (!tls_handle)
                tls_handle = find_dissector("tls");
            if (tls_handle)
                ssl_starttls_ack(tls_handle, ctx->pinfo, imap_handle);
        }
        break;
    default:
        break;
    }
}

void imap_state_untagged(mw_ctx *ctx, const mw_imap_response *r)
{
    imap_state *st = (imap_state *)ctx->state;
    switch (r->kw) {
    case MW_IMAP_KW_PREAUTH: st->session = IMAP_SESS_AUTH; break;
    case MW_IMAP_KW_BYE: st->session = IMAP_SESS_LOGOUT; break;
    case MW_IMAP_KW_EXISTS: st->exists = (guint32)MIN(r->number, G_MAXUINT32); break;
    case MW_IMAP_KW_EXPUNGE: if (st->exists) st->exists--; break;
    default: break;
    }
    if (r->is_status && r->has_code && r->code == MW_IMAP_CODE_UIDVALIDITY && r->code_has_num)
        st->uidvalidity = r->code_num;
}

gboolean dissect_imap_done(mw_ctx *ctx, proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    imap_state *st = (imap_state *)ctx->state;
    proto_item *it = proto_tree_add_boolean(t, hf_idle_done, tvb, off, len, TRUE);
    if (!st->idle) {
        expert_add_info(ctx->pinfo, it, &ei_done_not_idle);
        return FALSE;
    }
    nstime_t d;
    nstime_delta(&d, &ctx->pinfo->abs_ts, &st->idle_start);
    proto_item_set_generated(proto_tree_add_time(t, hf_idle_duration, tvb, off, 0, &d));
    proto_item_set_generated(proto_tree_add_uint(t, hf_idle_command_in, tvb, off, 0, st->idle->frame));
    return TRUE;
}

void imap_state_plaintext_check(mw_ctx *ctx, proto_item *it)
{
    imap_state *st = (imap_state *)ctx->state;
    if (ctx->tls || st->starttls == 0)
        return;
    if (ctx->dir == MW_DIR_SERVER && st->starttls != 2)
        return;
    proto_item *f = proto_tree_add_boolean(proto_item_get_subtree(it) ? proto_item_get_subtree(it)
                                                                      : ctx->tree,
                                           hf_tls_injected, NULL, 0, 0, TRUE);
    proto_item_set_generated(f);
    mw_expert(ctx->pinfo, it, &ei_starttls_injection);
}

gint dissect_imap_compressed(mw_ctx *ctx, tvbuff_t *tvb, gint offset)
{
    gint len = tvb_reported_length_remaining(tvb, offset);
    proto_tree_add_item(ctx->tree, hf_compressed, tvb, offset, len, ENC_NA);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: compressed, %d octets",
                        ctx->dir == MW_DIR_CLIENT ? "C" : "S", len);
    return offset + len;
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
          "Deflate-compressed octets after COMPRESS was accepted: not decoded", HFILL}},
        {&hf_tls_injected,
         {"Plaintext after STARTTLS", "mail.imap.starttls.plaintext", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Bytes sent in clear after STARTTLS, before TLS", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_state_command,
         {"mail.imap.command.wrong_state", PI_SEQUENCE, PI_NOTE,
          "Command not allowed in the session state", EXPFILL}},
        {&ei_starttls_injection,
         {"mail.imap.starttls.injection", PI_SECURITY, PI_ERROR,
          "Plaintext after STARTTLS before TLS: a peer that buffers it would act on it as if it "
          "came inside TLS (command or response injection)", EXPFILL}},
        {&ei_done_not_idle,
         {"mail.imap.idle.done_without_idle", PI_SEQUENCE, PI_NOTE,
          "DONE with no IDLE under way", EXPFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}

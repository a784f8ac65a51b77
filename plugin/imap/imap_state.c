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

void imap_state_snapshot(const imap_state *st, imap_call *call)
{
    call->session = st->session;
    call->selected = st->selected;
    call->uidvalidity = st->uidvalidity;
    call->exists = st->exists;
}

void imap_render_state(mw_ctx *ctx, const imap_call *call)
{
    proto_item *it = proto_tree_add_string(ctx->tree, hf_state, NULL, 0, 0, session_names[call->session]);
    proto_item_set_generated(it);
    if (call->session != IMAP_SESS_SELECTED)
        return;
    proto_tree *t = proto_item_add_subtree(it, ett_imap_item);
    if (call->selected && call->selected->mailbox)
        proto_item_set_generated(proto_tree_add_string(t, hf_state_mailbox, NULL, 0, 0, call->selected->mailbox));
    if (call->uidvalidity)
        proto_item_set_generated(proto_tree_add_uint64(t, hf_state_uidvalidity, NULL, 0, 0, call->uidvalidity));
    proto_item_set_generated(proto_tree_add_uint(t, hf_state_exists, NULL, 0, 0, call->exists));
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

void imap_parse_state_command(imap_parse *ps, imap_item *it, const imap_cmd_rec *rec)
{
    imap_state *st = ps->st;
    if (!rec)
        return;
    gboolean only_not_auth;
    imap_session need = needed_state(rec->cmd, &only_not_auth);
    imap_session eff = effective_state(st, rec);
    gboolean ok = only_not_auth ? eff == IMAP_SESS_NOT_AUTH
                                : (eff != IMAP_SESS_LOGOUT && eff >= need);
    if (!ok) {
        it->anomalies |= IMAP_AN_WRONG_STATE;
        it->eff_state = (guint8)eff;
    }
    switch (rec->cmd) {
    case MW_IMAP_CMD_STARTTLS:
        st->starttls = 1;
        break;
    case MW_IMAP_CMD_IDLE:
        st->idle = (imap_cmd_rec *)rec;
        break;
    case MW_IMAP_CMD_SELECT: case MW_IMAP_CMD_EXAMINE:
        st->uidvalidity = 0;
        st->exists = 0;
        break;
    default:
        break;
    }
}

void imap_render_state_command(imap_render *rd)
{
    const imap_item *it = rd->it;
    if ((it->anomalies & IMAP_AN_WRONG_STATE) && it->rec)
        expert_add_info_format(rd->ctx->pinfo, rd->line_it, &ei_state_command,
                               "%s is not allowed in the %s state", mw_imap_cmd_name(it->rec->cmd),
                               session_names[it->eff_state]);
}

void imap_parse_state_completed(imap_parse *ps, const imap_cmd_rec *rec, mw_imap_kw status)
{
    imap_state *st = ps->st;
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
        if (ok && !ps->ctx->tls) {
            if (!tls_handle)
                tls_handle = find_dissector("tls");
            if (tls_handle)
                ssl_starttls_ack(tls_handle, ps->ctx->pinfo, imap_handle);
        }
        break;
    default:
        break;
    }
}

void imap_parse_state_untagged(imap_parse *ps, const mw_imap_response *r)
{
    imap_state *st = ps->st;
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

void imap_parse_done(imap_parse *ps, imap_item *it)
{
    it->rec = ps->st->idle;
    if (!it->rec)
        it->anomalies |= IMAP_AN_DONE_NOT_IDLE;
}

void imap_render_done(imap_render *rd, proto_tree *t, gint off, gint len)
{
    const imap_cmd_rec *idle = rd->it->rec;
    proto_item *it = proto_tree_add_boolean(t, hf_idle_done, rd->tvb, off, len, TRUE);
    if (!idle) {
        expert_add_info(rd->ctx->pinfo, it, &ei_done_not_idle);
        return;
    }
    nstime_t d;
    nstime_delta(&d, &rd->ctx->pinfo->abs_ts, &idle->time);
    proto_item_set_generated(proto_tree_add_time(t, hf_idle_duration, rd->tvb, off, 0, &d));
    proto_item_set_generated(proto_tree_add_uint(t, hf_idle_command_in, rd->tvb, off, 0, idle->frame));
}

void imap_parse_plaintext_check(imap_parse *ps, imap_item *it)
{
    imap_state *st = ps->st;
    if (ps->ctx->tls || st->starttls == 0)
        return;
    if (ps->ctx->dir == MW_DIR_SERVER && st->starttls != 2)
        return;
    it->anomalies |= IMAP_AN_PLAINTEXT;
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
    mw_expert(rd->ctx->pinfo, it, &ei_starttls_injection);
}

void imap_render_compressed(imap_render *rd)
{
    mw_ctx *ctx = rd->ctx;
    proto_tree_add_item(ctx->tree, hf_compressed, rd->tvb, rd->it->off, rd->it->len, ENC_NA);
    col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, " | ", "%s: compressed, %d octets",
                        ctx->dir == MW_DIR_CLIENT ? "C" : "S", rd->it->len);
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

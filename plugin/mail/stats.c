/* Statistics over the "mail" tap: see stats.h. */
#include <wireshark.h>
#include <epan/address.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/to_str.h>

#include "mail/parts.h"
#include "mail/stats.h"
#include "mail/tap.h"

/* What a session showed, for counting each session once. */
enum {
    SESS_SEEN = 1u << 0,
    SESS_TLS = 1u << 1,
    SESS_STARTTLS = 1u << 2,
    SESS_CLEARTEXT_AUTH = 1u << 3,
};

static gboolean is_cleartext_auth(const char *expert)
{
    return expert && g_str_has_suffix(expert, ".auth.cleartext");
}

static gboolean is_starttls_ok(const mw_tap_rec *r)
{
    if (r->kind != MW_TAP_REPLY || !r->verb)
        return FALSE;
    if (strcmp(r->verb, "STARTTLS") != 0 && strcmp(r->verb, "STLS") != 0)
        return FALSE;
    return r->code == 220 || (r->status && (!strcmp(r->status, "OK") || !strcmp(r->status, "+OK")));
}

/* Flags this record newly sets on its session. */
static guint session_update(GHashTable *seen, const mw_tap_rec *r)
{
    guint old = GPOINTER_TO_UINT(g_hash_table_lookup(seen, GUINT_TO_POINTER(r->conv)));
    guint now = old | SESS_SEEN;
    if (r->tls)
        now |= SESS_TLS;
    if (is_starttls_ok(r))
        now |= SESS_STARTTLS;
    if (r->kind == MW_TAP_ANOMALY && is_cleartext_auth(r->expert))
        now |= SESS_CLEARTEXT_AUTH;
    if (now != old)
        g_hash_table_insert(seen, GUINT_TO_POINTER(r->conv), GUINT_TO_POINTER(now));
    return now & ~old;
}

/* ---- the stats tree ------------------------------------------------------ */

static const char st_name[] = "Mail (mailwire): SMTP, IMAP, POP3";
static const char *const st_protos[] = {"SMTP", "IMAP", "POP"};
static int st_proto_node[G_N_ELEMENTS(st_protos)];
static GHashTable *tree_sessions;

static void mail_tree_init(stats_tree *st)
{
    for (size_t i = 0; i < G_N_ELEMENTS(st_protos); i++)
        st_proto_node[i] = stats_tree_create_node(st, st_protos[i], 0, STAT_DT_INT, TRUE);
    if (tree_sessions)
        g_hash_table_remove_all(tree_sessions);
    else
        tree_sessions = g_hash_table_new(g_direct_hash, g_direct_equal);
}

static void mail_tree_cleanup(stats_tree *st)
{
    (void)st;
    if (tree_sessions) {
        g_hash_table_destroy(tree_sessions);
        tree_sessions = NULL;
    }
}

/* A node that has children (found by name under its parent). */
static int branch(stats_tree *st, int parent, const char *name)
{
    return tick_stat_node(st, name, parent, TRUE);
}

static void leaf(stats_tree *st, int parent, const char *name)
{
    tick_stat_node(st, name, parent, FALSE);
}

static tap_packet_status mail_tree_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt,
                                          const void *data, tap_flags_t flags)
{
    (void)pinfo, (void)edt, (void)flags;
    const mw_tap_rec *r = (const mw_tap_rec *)data;
    if (!r || !r->proto || !tree_sessions)
        return TAP_PACKET_DONT_REDRAW;
    int proto = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(st_protos); i++)
        if (strcmp(r->proto, st_protos[i]) == 0)
            proto = st_proto_node[i];
    if (proto < 0)
        return TAP_PACKET_DONT_REDRAW;
    /* The protocol node counts every tick of its children (a percentage is a
     * node's count over its parent's: a node counting sessions above children
     * counting commands showed 600 %), so its children's shares add up to
     * 100 %; sessions are a child. */
    guint fresh = session_update(tree_sessions, r);
    int ticks = 0;
    if (fresh & SESS_SEEN) {
        leaf(st, proto, "Sessions");
        ticks++;
    }
    if (fresh & SESS_TLS) {
        leaf(st, branch(st, proto, "Sessions with"), "TLS (decrypted)");
        ticks++;
    }
    if (fresh & SESS_STARTTLS) {
        leaf(st, branch(st, proto, "Sessions with"), "STARTTLS accepted");
        ticks++;
    }
    if (fresh & SESS_CLEARTEXT_AUTH) {
        leaf(st, branch(st, proto, "Sessions with"), "cleartext credentials");
        ticks++;
    }

    switch (r->kind) {
    case MW_TAP_COMMAND:
        leaf(st, branch(st, proto, "Commands"), r->verb ? r->verb : "?");
        ticks++;
        break;
    case MW_TAP_REPLY:
        leaf(st, branch(st, proto, "Replies"), r->status ? r->status : "?");
        if (r->has_time && r->verb) {
            float ms = (float)nstime_to_msec(&r->time);
            int rt = avg_stat_node_add_value_float(st, "Response time (ms)", proto, TRUE, ms);
            avg_stat_node_add_value_float(st, r->verb, rt, FALSE, ms);
            ticks++;
        }
        ticks++;
        break;
    case MW_TAP_MESSAGE: {
        tick_stat_node(st, "Messages", proto, FALSE);
        unsigned atts = mail_parts_attachments(r->walk);
        if (atts)
            increase_stat_node(st, "Attachments", proto, FALSE, (int)atts);
        ticks += 1 + (int)atts;
        break;
    }
    case MW_TAP_ANOMALY:
        leaf(st, branch(st, proto, "Anomalies"), r->expert ? r->expert : "?");
        ticks++;
        break;
    case MW_TAP_FACT:
        if (r->fact == MW_FACT_USER && r->user) {
            leaf(st, branch(st, proto, "Users"), r->user);
            ticks++;
        }
        break;
    }
    if (ticks)
        stats_tree_manip_node_int(MN_INCREASE, st, r->proto, 0, TRUE, ticks);
    return TAP_PACKET_REDRAW;
}

/* ---- tshark -z mail,sessions ---------------------------------------------- */

typedef struct mail_session {
    guint32 conv;
    const char *proto;
    char *client, *server;   /* "addr:port", g_malloc'd */
    gboolean claimed;        /* client: as a proxy claims it */
    char *user;
    guint flags;
    guint commands, messages, attachments, anomalies;
    guint64 bytes;
    guint32 first, last;
} mail_session;

typedef struct sessions_tap {
    GHashTable *by_conv;     /* conv -> mail_session*, owned */
    GPtrArray *order;        /* in order of first frame */
    char *filter;
} sessions_tap;

static void session_free(gpointer p)
{
    mail_session *s = (mail_session *)p;
    g_free(s->client);
    g_free(s->server);
    g_free(s->user);
    g_free(s);
}

static char *endpoint(const address *a, guint32 port)
{
    char *addr = address_to_str(NULL, a);
    char *s = a->type == AT_IPv6 ? g_strdup_printf("[%s]:%u", addr, port)
                                 : g_strdup_printf("%s:%u", addr, port);
    wmem_free(NULL, addr);
    return s;
}

static void sessions_reset(void *tapdata)
{
    sessions_tap *t = (sessions_tap *)tapdata;
    g_ptr_array_set_size(t->order, 0);
    g_hash_table_remove_all(t->by_conv);
}

static tap_packet_status sessions_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                         const void *data, tap_flags_t flags)
{
    (void)edt, (void)flags;
    sessions_tap *t = (sessions_tap *)tapdata;
    const mw_tap_rec *r = (const mw_tap_rec *)data;
    if (!r)
        return TAP_PACKET_DONT_REDRAW;
    mail_session *s = (mail_session *)g_hash_table_lookup(t->by_conv, GUINT_TO_POINTER(r->conv));
    if (!s) {
        s = g_new0(mail_session, 1);
        s->conv = r->conv;
        s->proto = r->proto;
        s->first = r->frame;
        g_hash_table_insert(t->by_conv, GUINT_TO_POINTER(r->conv), s);
        g_ptr_array_add(t->order, s);
    }
    s->last = r->frame;
    if (!s->server && (r->dir == MW_DIR_CLIENT || r->dir == MW_DIR_SERVER)) {
        gboolean from_client = r->dir == MW_DIR_CLIENT;
        if (!s->claimed)
            s->client = endpoint(from_client ? &pinfo->src : &pinfo->dst,
                                 from_client ? pinfo->srcport : pinfo->destport);
        s->server = endpoint(from_client ? &pinfo->dst : &pinfo->src,
                             from_client ? pinfo->destport : pinfo->srcport);
    }
    if (r->tls)
        s->flags |= SESS_TLS;
    if (is_starttls_ok(r))
        s->flags |= SESS_STARTTLS;
    switch (r->kind) {
    case MW_TAP_COMMAND:
        s->commands++;
        break;
    case MW_TAP_MESSAGE:
        s->messages++;
        s->attachments += mail_parts_attachments(r->walk);
        s->bytes += r->len;
        break;
    case MW_TAP_ANOMALY:
        s->anomalies++;
        if (is_cleartext_auth(r->expert))
            s->flags |= SESS_CLEARTEXT_AUTH;
        break;
    case MW_TAP_FACT:
        if (r->fact == MW_FACT_USER && r->user && !s->user)
            s->user = g_strdup(r->user);
        if (r->fact == MW_FACT_CLIENT && r->client) {
            /* the client a proxy speaks for, not the proxy */
            g_free(s->client);
            s->client = g_strdup(r->client);
            s->claimed = TRUE;
        }
        break;
    default:
        break;
    }
    return TAP_PACKET_REDRAW;
}

static const char *session_security(guint flags)
{
    if (flags & SESS_STARTTLS)
        return flags & SESS_CLEARTEXT_AUTH ? "STARTTLS,clear-auth" : "STARTTLS";
    if (flags & SESS_TLS)
        return "TLS";
    return flags & SESS_CLEARTEXT_AUTH ? "none,clear-auth" : "none";
}

static void sessions_draw(void *tapdata)
{
    sessions_tap *t = (sessions_tap *)tapdata;
    printf("\n====================================================================================================\n");
    printf("Mail sessions (mailwire)%s%s\n", t->filter ? "  Filter: " : "", t->filter ? t->filter : "");
    printf("%-5s %-23s %-23s %-20s %-19s %5s %5s %5s %9s %5s %s\n", "Proto", "Client", "Server",
           "User", "Security", "Cmds", "Msgs", "Atts", "MsgBytes", "Anom", "Frames");
    for (guint i = 0; i < t->order->len; i++) {
        const mail_session *s = (const mail_session *)g_ptr_array_index(t->order, i);
        printf("%-5s %-23s %-23s %-20s %-19s %5u %5u %5u %9" PRIu64 " %5u %u-%u\n", s->proto,
               s->client ? s->client : "?", s->server ? s->server : "?", s->user ? s->user : "-",
               session_security(s->flags), s->commands, s->messages, s->attachments, s->bytes,
               s->anomalies, s->first, s->last);
    }
    printf("====================================================================================================\n");
}

static void sessions_finish(void *tapdata)
{
    sessions_tap *t = (sessions_tap *)tapdata;
    g_ptr_array_free(t->order, TRUE);
    g_hash_table_destroy(t->by_conv);
    g_free(t->filter);
    g_free(t);
}

static MW_STAT_TAP_INIT_TYPE sessions_init(const char *opt_arg, void *userdata)
{
    (void)userdata;
    sessions_tap *t = g_new0(sessions_tap, 1);
    t->by_conv = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, session_free);
    t->order = g_ptr_array_new();
    const char *filter = NULL;
    if (g_str_has_prefix(opt_arg, "mail,sessions,"))
        filter = opt_arg + strlen("mail,sessions,");
    t->filter = filter ? g_strdup(filter) : NULL;
    GString *err = register_tap_listener("mail", t, filter, 0, sessions_reset, sessions_packet,
                                         sessions_draw, sessions_finish);
    if (err) {
        fprintf(stderr, "tshark: couldn't register mail,sessions tap: %s\n", err->str);
        g_string_free(err, TRUE);
        sessions_finish(t);
        MW_STAT_TAP_INIT_DONE(FALSE);
    }
    MW_STAT_TAP_INIT_DONE(TRUE);
}

static stat_tap_ui sessions_ui = {
    REGISTER_STAT_GROUP_GENERIC, "Mail sessions (mailwire)", "mail,sessions", sessions_init, 0, NULL,
};

void mw_stats_register(void)
{
    stats_tree_register_plugin("mail", "mail", st_name, 0, mail_tree_packet, mail_tree_init,
                               mail_tree_cleanup);
    register_stat_tap_ui(&sessions_ui, NULL);
    mw_stats_files_register();
}

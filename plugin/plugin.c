/* Entry points: the only file that knows how Wireshark loads plugins. */
#include <wireshark.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "compat.h"
#include "mail/mail.h"
#include "mail/stats.h"

#if MW_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = MAILWIRE_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
#if MW_WS_AT_LEAST(4, 2)
WS_DLL_PUBLIC uint32_t plugin_describe(void);
uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

static void register_protocols(void)
{
    mail_register();
    smtp_register();
    lmtp_register();
    imap_register();
    pop_register();
}

static void register_handoffs(void)
{
    mail_handoff();
    smtp_handoff();
    lmtp_handoff();
    imap_handoff();
    pop_handoff();
}

void plugin_register(void)
{
    static proto_plugin plugin;
    plugin.register_protoinfo = register_protocols;
    plugin.register_handoff = register_handoffs;
    proto_register_plugin(&plugin);
    /* Statistics register with the taps, after the protocols. */
    static tap_plugin taps;
    taps.register_tap_listener = mw_stats_register;
    tap_register_plugin(&taps);
}

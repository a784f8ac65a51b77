/* IMAP dissector (placeholder while the skeleton is laid). */
#include <wireshark.h>
#include <epan/packet.h>
#include "mail.h"

static int proto_imap = -1;

void imap_register(void)
{
    proto_imap = proto_register_protocol("mailwire IMAP", "mail.imap", "mail.imap");
}

void imap_handoff(void)
{
}

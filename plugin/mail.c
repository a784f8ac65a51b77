/* The shared "mail" protocol (placeholder while the skeleton is laid). */
#include <wireshark.h>
#include <epan/packet.h>
#include "mail.h"

static int proto_mail = -1;

void mail_register(void)
{
    proto_mail = proto_register_protocol("mailwire", "mail", "mail");
}

void mail_handoff(void)
{
}

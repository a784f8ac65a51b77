/* SMTP dissector (placeholder while the skeleton is laid). */
#include <wireshark.h>
#include <epan/packet.h>
#include "mail.h"

static int proto_smtp = -1;

void smtp_register(void)
{
    proto_smtp = proto_register_protocol("mailwire SMTP", "mail.smtp", "mail.smtp");
}

void smtp_handoff(void)
{
}

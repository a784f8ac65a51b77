/* POP dissector (placeholder while the skeleton is laid). */
#include <wireshark.h>
#include <epan/packet.h>
#include "mail.h"

static int proto_pop = -1;

void pop_register(void)
{
    proto_pop = proto_register_protocol("mailwire POP", "mail.pop", "mail.pop");
}

void pop_handoff(void)
{
}

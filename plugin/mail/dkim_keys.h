/* DKIM public keys for the verdicts of dkim_fields.c, from two places:
 *  - the preference mail.dkim.keys_file, read when a capture is opened
 *    (zone-file lines `selector._domainkey.domain TXT "v=DKIM1; ..."`);
 *  - DNS TXT answers for selector._domainkey.domain in the capture itself,
 *    read from Wireshark's DNS dissector by a postdissector (dns.resp.name,
 *    dns.resp.type, dns.txt; the strings of one record joined).
 * A message whose key is not known yet when it completes waits for it: the
 * first DNS answer for its key name decides the verdict there, shows it on
 * the DNS frame and links both frames.  Everything is decided on the first
 * pass and kept; later passes show the records. */
#ifndef MAILWIRE_DKIM_KEYS_H
#define MAILWIRE_DKIM_KEYS_H

#include <epan/packet.h>

#include "mail/dkim_record.h"

/* First pass, where the message completes: decides s's verdict with the key
 * known now for s->key_name, or leaves it "no key" and waiting for one. */
void mail_dkim_keys_decide(packet_info *pinfo, dkim_sig_rec *s);

void mail_dkim_keys_register(int proto);
void mail_dkim_keys_handoff(void);

#endif

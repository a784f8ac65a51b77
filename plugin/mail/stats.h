/* Statistics over the "mail" tap (tap.h):
 *  - the stats tree "mail" (tshark -z mail,tree; Statistics menu): per
 *    protocol, commands by verb, replies by code/status, response time per
 *    command, anomalies by expert name, sessions with TLS/STARTTLS/cleartext
 *    AUTH, messages moved;
 *  - tshark -z mail,sessions: one line per mail session;
 *  - tshark -z mail,files: one line per attachment with its hashes
 *    (stats_files.c).  */
#ifndef MAILWIRE_STATS_H
#define MAILWIRE_STATS_H

void mw_stats_register(void);
void mw_stats_files_register(void);

#endif

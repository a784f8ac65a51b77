/* The shared "mail" protocol and the registration entry points of the three
 * mail dissectors. */
#ifndef MAILWIRE_MAIL_H
#define MAILWIRE_MAIL_H

void mail_register(void);
void mail_handoff(void);
void smtp_register(void);
void smtp_handoff(void);
void imap_register(void);
void imap_handoff(void);
void pop_register(void);
void pop_handoff(void);

#endif

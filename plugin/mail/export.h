/* Export Objects "mail": every whole message SMTP, IMAP or POP3 moved, as
 * the client stores it (SMTP/POP3 dot-unstuffed, IMAP literal octets). */
#ifndef MAILWIRE_EXPORT_H
#define MAILWIRE_EXPORT_H

#include <glib.h>

/* Registers the table under proto "mail"; returns the "mail_eo" tap. */
int mw_export_register(int proto_mail);

/* The file name for a message: proto-fFRAME-FROM-SUBJECT.eml, every byte
 * outside [A-Za-z0-9@._+-] replaced, parts cut short.  g_free() it. */
char *mw_export_filename(const char *proto, guint32 frame, const guint8 *msg, guint len, char **from);

#endif

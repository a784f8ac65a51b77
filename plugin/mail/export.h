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
/* The same with kind after the frame (proto-fFRAME-KIND-FROM-SUBJECT.eml),
 * e.g. "smuggled"; NULL for none. */
char *mw_export_filename_kind(const char *proto, guint32 frame, const char *kind, const guint8 *msg,
                              guint len, char **from);

/* Appends s[0..n) to out keeping what a person needs to tell files apart
 * (letters and digits of any script, @ . + -), at most max_chars
 * characters; every other run becomes one '_'. */
void mw_export_clean(GString *out, const char *s, gssize n, gsize max_chars);

/* Adds one entry per attachment of the message of tap record rec (a
 * const mw_tap_rec *), decoded, to list (an export_object_list_t *):
 * proto-fFRAME-pSECTION-NAME (export_parts.c). */
void mw_export_attachments(void *list, void *pinfo, const void *rec);

#endif

/* Bytes as printable text, the way Wireshark's format_text shows them, for
 * the common case of mail text: bytes below 0x80.
 *
 * Printable ASCII stays as it is; a control byte becomes a backslash escape
 * (\a \b \f \n \r \t \v, any other as three octal digits, DEL as \177).
 * Wireshark's formatter does the same one byte at a time; here a run of
 * printable bytes is copied eight at a time, which is most of a message.
 * A byte of 0x80 or more (UTF-8, or not) is left to Wireshark: the caller
 * falls back to format_text for the whole text, as it does when the text
 * outgrows the room it gave (a text of mostly control bytes). */
#ifndef MAILWIRE_CORE_ESCAPE_H
#define MAILWIRE_CORE_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/* Room that holds the text of len bytes of mail: an eighth more for the
 * escapes of line ends (two characters each) and a NUL.  Every byte escaped
 * would take four times len. */
#define MW_ESCAPE_ROOM(len) ((size_t)(len) + (size_t)(len) / 8 + 16)
/* Returned when a byte of 0x80 or more was met or the text did not fit
 * (out holds nothing useful then). */
#define MW_ESCAPE_UNDONE ((size_t)-1)

/* Writes the text of in[0..len) and a NUL into out (room bytes) and returns
 * its length without the NUL, or MW_ESCAPE_UNDONE. */
size_t mw_escape_ascii(const uint8_t *in, size_t len, char *out, size_t room);

#endif

/* Attachment names that hide what they are: the tricks a sender uses so a
 * reader sees one extension and the system runs another. */
#ifndef MAILWIRE_CORE_MIME_FILENAME_H
#define MAILWIRE_CORE_MIME_FILENAME_H

#include <stddef.h>

enum {
    MW_FN_BIDI = 1u << 0,       /* a bidirectional control (U+202A-202E, U+2066-2069, U+200E/F):
                                   "invoice<RLO>fdp.exe" displays as "invoiceexe.pdf" */
    MW_FN_DOUBLE_EXT = 1u << 1, /* a document extension before an executable one: "invoice.pdf.exe" */
    MW_FN_INVISIBLE = 1u << 2,  /* zero-width characters (U+200B-200D, U+2060, U+FEFF) */
    MW_FN_PADDED = 1u << 3,     /* a run of 5 or more spaces pushing the extension out of view */
    MW_FN_CONTROL = 1u << 4,    /* a control character (a NUL cuts the name for some readers) */
    MW_FN_PATH = 1u << 5,       /* a '/' or '\\' (directory parts or traversal) */
};
/* The flags that make a name hide its real extension. */
#define MW_FN_DECEPTIVE (MW_FN_BIDI | MW_FN_DOUBLE_EXT | MW_FN_INVISIBLE | MW_FN_PADDED | MW_FN_CONTROL)

/* Checks a UTF-8 file name name[0..len); returns MW_FN_* flags. */
unsigned mw_filename_check(const char *name, size_t len);

/* True if ext[0..len) (no dot, any case) is an extension Windows or a
 * common runtime executes on open. */
int mw_filename_ext_is_executable(const char *ext, size_t len);

#endif

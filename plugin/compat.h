/* Every difference between the Wireshark releases mailwire builds against
 * (4.0, 4.4, 4.6) lives here, so no other file needs a version #if. */
#ifndef MAILWIRE_COMPAT_H
#define MAILWIRE_COMPAT_H

#include <ws_version.h>

#define MW_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* The record of the shared "credentials" tap (tshark -z credentials).  Its
 * header is not installed by the 4.0, 4.4 or 4.6 development packages
 * (ui/tap-credentials.h in 4.0, epan/credentials.h later); the layout is the
 * same in all three, so one declaration serves. */
#if MW_WS_AT_LEAST(4, 0) && !MW_WS_AT_LEAST(4, 8)
typedef struct mw_tap_credential {
    unsigned num;            /* frame of the password */
    unsigned username_num;   /* frame of the user name */
    unsigned password_hf_id; /* field that holds the password */
    char *username;
    const char *proto;
    char *info;
} mw_tap_credential;
#define MW_HAVE_CREDENTIALS_TAP 1
#else
#define MW_HAVE_CREDENTIALS_TAP 0
#endif

#endif

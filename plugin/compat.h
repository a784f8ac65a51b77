/* Every difference between the Wireshark releases mailwire builds against
 * (4.0, 4.4, 4.6) lives here, so no other file needs a version #if. */
#ifndef MAILWIRE_COMPAT_H
#define MAILWIRE_COMPAT_H

#include <ws_version.h>

#define MW_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

#endif

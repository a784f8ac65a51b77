/* A byte range of the caller's buffer: the core's results point into the
 * input instead of copying, so they map 1:1 to tvb offsets. */
#ifndef MAILWIRE_CORE_SPAN_H
#define MAILWIRE_CORE_SPAN_H

#include <stddef.h>

typedef struct mw_span {
    size_t off; /* from the start of the buffer given to the parser */
    size_t len;
} mw_span;

#endif

/* The carried line: one growing buffer per line (see mw_carry in flow.h). */
#ifndef MAILWIRE_ENGINE_CARRY_H
#define MAILWIRE_ENGINE_CARRY_H

#include "engine/flow.h"

/* A new line holder starting with p[0..n), begun in frame from. */
mw_carry *mw_carry_new(const guint8 *p, guint n, guint32 from);
/* The line goes on: append p[0..n).  Calls that refer to the holder keep
 * their (holder, length): their bytes are its unchanged prefix. */
void mw_carry_append(mw_carry *c, const guint8 *p, guint n);
/* A CR or LF among p[0..n). */
gboolean mw_bytes_have_eol(const guint8 *p, guint n);

#endif

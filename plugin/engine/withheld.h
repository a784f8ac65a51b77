/* Segments of a mail conversation that reach no mailwire dissector: TCP
 * withholds retransmitted and out-of-order segments from subdissectors
 * (tcp.no_subdissector_on_error), and after STARTTLS the TLS dissector takes
 * the bytes.  A postdissector sees every frame: it hands the first kind to
 * the engine, tells it of the second (no hole), and reads the peer's ACKs. */
#ifndef MAILWIRE_ENGINE_WITHHELD_H
#define MAILWIRE_ENGINE_WITHHELD_H

#include "engine/flow.h"

/* A protocol using the engine (called on each of its calls). */
void mw_withheld_remember(const mw_stream_proto *sp);

#endif

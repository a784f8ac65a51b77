/* POP3 (RFC 1939, RFC 2449, RFC 2595, RFC 5034): what the POP files share.
 *
 * The session machine is core/pop/pop_session (pure C): the first pass feeds
 * it each call's bytes and stores the items it emits as the call's record;
 * every pass renders the call from that record alone.
 *
 *   pop.c            registration, parse (feeds the machine), render of
 *                    commands and responses
 *   pop_multiline.c  render of multiline bodies: listings, CAPA, RETR/TOP
 *                    messages handed to IMF
 *   pop_auth.c       render of USER/PASS, APOP, AUTH (SASL), STLS
 *   pop_pack.c       the call's items packed as its record
 */
#ifndef MAILWIRE_POP_H
#define MAILWIRE_POP_H

#include <epan/packet.h>

#include "core/pop/pop_session.h"
#include "engine/stream.h"

/* pop.c */
extern int proto_pop;
extern guint pop_message_view_max; /* bytes; 0 = no limit */
extern int ett_pop_line;
const char *pop_cmd_label(guint8 cmd); /* "RETR", "" when unknown */
/* The engine's view of an item's line, for mw_add_line_facts. */
void pop_item_line(const mw_pop_item *it, mw_line_at *l);

/* pop_pack.c: a call's items as kept for the capture's life (most of an
 * item's fields are zero; the packed form holds the others only) */
typedef struct pop_packed pop_packed;
const pop_packed *pop_pack(const mw_pop_item *items, guint32 n); /* file scope */
/* The items again, allocated in a; returns their number. */
guint32 pop_unpack(const pop_packed *pk, wmem_allocator_t *a, mw_pop_item **out);

/* pop_multiline.c */
/* Under a +OK that opens a body: the body's summary and forward links. */
void pop_render_multiline_start(mw_ctx *ctx, const mw_pop_item *it, proto_tree *status_tree,
                                tvbuff_t *tvb, gint text_off);
/* A body item (line, partial, cut, data, end); next is the item after it in
 * the call (NULL if last). */
void pop_render_body(mw_ctx *ctx, const mw_pop_item *it, const mw_pop_item *next, tvbuff_t *tvb,
                     gboolean *info_done);
/* *info_done: FALSE, TRUE (the body's Info entry is there), or this: the status
 * line that opened the body is in the same call. */
#define POP_INFO_STATUS 2
void pop_multiline_register(int proto);
void pop_multiline_handoff(void);

/* pop_auth.c */
void pop_render_auth_command(mw_ctx *ctx, const mw_pop_item *it, proto_tree *t, tvbuff_t *tvb,
                             gint args_off, gint args_len);
void pop_render_sasl(mw_ctx *ctx, const mw_pop_item *it, tvbuff_t *tvb);
void pop_render_challenge(mw_ctx *ctx, const mw_pop_item *it, proto_tree *t, tvbuff_t *tvb, gint off,
                          gint len);
void pop_render_stls_injection(mw_ctx *ctx, proto_item *it, gboolean client);
/* +OK to STLS, first pass: TLS takes the conversation over. */
void pop_stls_ack(packet_info *pinfo);
void pop_auth_register(int proto);
void pop_auth_handoff(void);

/* pop_longline.c: lines over the RFC 2449 limits and over 64 KiB */
/* Under a command, status or body line: on the first piece of a long line its
 * length and end; on a whole line over its limit, its length and an expert. */
void pop_longline_show(mw_ctx *ctx, proto_tree *t, proto_item *anchor, tvbuff_t *tvb,
                       const mw_pop_item *it);
/* A later piece of a long line (MW_POP_ITEM_LINE_REST). */
void pop_render_line_rest(mw_ctx *ctx, const mw_pop_item *it, tvbuff_t *tvb);
void pop_longline_register(int proto);

/* pop_dropin.c: the built-in dissector's field names, hidden on each line */
void pop_dropin_register(int proto);
void pop_text_data(packet_info *pinfo, proto_tree *t, tvbuff_t *tvb, gint off, gint len);
void pop_dropin_request(packet_info *pinfo, proto_tree *t, tvbuff_t *tvb, gint off, gint len,
                        gint verb_len, gint args_off, gint args_len);
void pop_dropin_response(proto_tree *t, tvbuff_t *tvb, gint off, gint len, gint status_len,
                         gint text_off, gint text_len);

#endif

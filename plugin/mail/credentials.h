/* Credentials, shared by the mail dissectors: the record for Wireshark's
 * "credentials" tap (tshark -z credentials), SASL base64 decoded into a data
 * source of its own, and the cleartext-credentials expert on secrets sent
 * without TLS.  Each protocol describes itself once (mw_credentials) and
 * keeps its own expert names (mail.<proto>.auth.cleartext, ...bad_base64),
 * registered in its own file. */
#ifndef MAILWIRE_CREDENTIALS_H
#define MAILWIRE_CREDENTIALS_H

#include <epan/packet.h>
#include <epan/expert.h>

typedef struct mw_credentials {
    const char *label;           /* the tap's protocol column: "SMTP", "IMAP", "POP3" */
    expert_field *ei_cleartext;  /* a secret sent without TLS */
    expert_field *ei_bad_base64; /* SASL data that is not base64 */
} mw_credentials;

/* SASL base64 text at tvb[off, off+len) decoded into a new data source named
 * source (e.g. "SASL (decoded)").  Not base64: the text is shown as hf_raw
 * under tree with the bad-base64 expert, and NULL is returned. */
tvbuff_t *mw_credentials_decode(const mw_credentials *c, packet_info *pinfo, proto_tree *tree,
                                int hf_raw, tvbuff_t *tvb, gint off, gint len, const char *source);

/* Decoded bytes as a field value: valid UTF-8, control bytes shown as '.'
 * (packet scope). */
const char *mw_credentials_printable(packet_info *pinfo, const guint8 *p, gsize len);

/* A secret (password, token, digest) was shown as item it: the cleartext
 * expert when the bytes did not come out of TLS; text (may be NULL for the
 * expert's summary) says what an eavesdropper gains. */
void mw_credentials_secret(const mw_credentials *c, packet_info *pinfo, proto_item *it,
                           gboolean tls, const char *text);

/* One row of the credentials tap: the user (NULL: unknown) and the frame it
 * was seen in (0: this one), the field of the secret, what kind of login. */
void mw_credentials_tap(const mw_credentials *c, packet_info *pinfo, const char *user,
                        guint32 user_frame, int hf_secret, const char *info);

/* Looks the tap up; called from each protocol's handoff (once is enough). */
void mw_credentials_handoff(void);

#endif

/* DKIM key records, a small DER reader and signature checks: see
 * dkim_key.h. */
#include "core/mail/dkim_key.h"
#include "core/mail/digest.h"
#include "core/text/base64.h"

#include <gcrypt.h>
#include <glib.h>
#include <string.h>

/* ---- a DER reader for the two RSA key shapes ---- */

typedef struct der {
    const uint8_t *p;
    size_t n;
} der;

/* Reads one element of tag want at d; its content goes to *inner. */
static bool der_take(der *d, uint8_t want, der *inner)
{
    if (d->n < 2 || d->p[0] != want)
        return false;
    size_t len = d->p[1], hdr = 2;
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 4 || d->n < 2 + k)
            return false;
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = len << 8 | d->p[2 + i];
        hdr += k;
    }
    if (len > d->n - hdr)
        return false;
    inner->p = d->p + hdr;
    inner->n = len;
    d->p += hdr + len;
    d->n -= hdr + len;
    return true;
}

static bool der_uint(der *d, uint8_t **out, size_t *out_len)
{
    der v;
    if (!der_take(d, 0x02, &v) || v.n == 0 || (v.p[0] & 0x80))
        return false; /* not a positive INTEGER */
    while (v.n > 1 && v.p[0] == 0) {
        v.p++;
        v.n--;
    }
    *out = g_malloc(v.n);
    memcpy(*out, v.p, v.n);
    *out_len = v.n;
    return true;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static bool rsa_public_key(der d, mw_dkim_key *key)
{
    der seq;
    if (!der_take(&d, 0x30, &seq) || !der_uint(&seq, &key->n, &key->n_len))
        return false;
    return der_uint(&seq, &key->e, &key->e_len);
}

static const uint8_t rsa_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};

/* SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { OID, params }, BIT STRING } */
static bool spki(der d, mw_dkim_key *key)
{
    der seq, alg, oid, bits;
    if (!der_take(&d, 0x30, &seq) || !der_take(&seq, 0x30, &alg) || !der_take(&alg, 0x06, &oid))
        return false;
    if (oid.n != sizeof rsa_oid || memcmp(oid.p, rsa_oid, oid.n) != 0)
        return false;
    if (!der_take(&seq, 0x03, &bits) || bits.n < 1 || bits.p[0] != 0)
        return false;
    der inner = {bits.p + 1, bits.n - 1};
    return rsa_public_key(inner, key);
}

static unsigned bit_length(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    unsigned b = (unsigned)(n - 1) * 8;
    for (uint8_t top = p[0]; top; top >>= 1)
        b++;
    return b;
}

/* ---- the key record ---- */

static bool is_fws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool value_is(const uint8_t *v, size_t n, const char *want)
{
    return n == strlen(want) && g_ascii_strncasecmp((const char *)v, want, n) == 0;
}

static void decode_p(const uint8_t *v, size_t n, mw_dkim_key *key)
{
    uint8_t *tmp = g_malloc(n + 1), *raw = g_malloc(n + 1);
    size_t m = 0, rl = 0;
    for (size_t k = 0; k < n; k++)
        if (!is_fws(v[k]))
            tmp[m++] = v[k];
    const char *err;
    if (m == 0) {
        key->flags |= MW_DKIM_KEY_REVOKED;
    } else if (!mw_base64_decode(tmp, m, raw, n + 1, &rl, &err)) {
        key->flags |= MW_DKIM_KEY_BAD_BASE64;
    } else if (key->type == MW_DKIM_KEY_ED25519) {
        if (rl == 32) {
            memcpy(key->ed25519, raw, 32);
            key->bits = 256;
        } else {
            key->flags |= MW_DKIM_KEY_BAD_DER;
        }
    } else if (key->type == MW_DKIM_KEY_RSA) {
        der d = {raw, rl};
        bool ok = spki(d, key);
        if (!ok) {
            g_free(key->n);
            key->n = NULL;
            ok = rsa_public_key(d, key);
        }
        if (!ok)
            key->flags |= MW_DKIM_KEY_BAD_DER;
        else if (key->n_len > 16384 / 8 || key->e_len > 8)
            key->flags |= MW_DKIM_KEY_TOO_LARGE; /* bounds the cost of one check */
        else
            key->bits = bit_length(key->n, key->n_len);
    }
    g_free(tmp);
    g_free(raw);
}

bool mw_dkim_key_parse(const uint8_t *txt, size_t len, mw_dkim_key *key)
{
    memset(key, 0, sizeof *key);
    const uint8_t *p_val = NULL;
    size_t p_len = 0, i = 0;
    bool has_p = false;
    while (i < len) {
        while (i < len && (is_fws(txt[i]) || txt[i] == ';'))
            i++;
        if (i == len)
            break;
        size_t n0 = i;
        while (i < len && txt[i] != '=' && txt[i] != ';' && !is_fws(txt[i]))
            i++;
        size_t n1 = i;
        while (i < len && is_fws(txt[i]))
            i++;
        if (i == len || txt[i] != '=') {
            key->flags |= MW_DKIM_KEY_SYNTAX;
            while (i < len && txt[i] != ';')
                i++;
            continue;
        }
        size_t a = ++i;
        while (i < len && txt[i] != ';')
            i++;
        size_t b = i;
        while (a < b && is_fws(txt[a]))
            a++;
        while (b > a && is_fws(txt[b - 1]))
            b--;
        const uint8_t *name = txt + n0, *v = txt + a;
        size_t nl = n1 - n0, vl = b - a;
        if (value_is(name, nl, "v") && !value_is(v, vl, "DKIM1"))
            key->flags |= MW_DKIM_KEY_BAD_VERSION;
        else if (value_is(name, nl, "k"))
            key->type = value_is(v, vl, "rsa") ? MW_DKIM_KEY_RSA
                        : value_is(v, vl, "ed25519") ? MW_DKIM_KEY_ED25519 : MW_DKIM_KEY_UNKNOWN;
        else if (value_is(name, nl, "t") && memchr(v, 'y', vl))
            key->flags |= MW_DKIM_KEY_TESTING;
        else if (value_is(name, nl, "h") && value_is(v, vl, "sha1"))
            key->flags |= MW_DKIM_KEY_SHA1_ONLY;
        else if (value_is(name, nl, "p") && !has_p) {
            has_p = true;
            p_val = v;
            p_len = vl;
        }
    }
    if (!has_p)
        key->flags |= MW_DKIM_KEY_NO_P;
    else
        decode_p(p_val, p_len, key);
    return key->type != MW_DKIM_KEY_UNKNOWN && key->bits > 0 &&
           !(key->flags & (MW_DKIM_KEY_BAD_VERSION | MW_DKIM_KEY_REVOKED));
}

void mw_dkim_key_clear(mw_dkim_key *key)
{
    g_free(key->n);
    g_free(key->e);
    memset(key, 0, sizeof *key);
}

/* ---- keys files ---- */

static size_t skip_blank(const uint8_t *p, size_t len, size_t i)
{
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i;
}

static size_t word_end(const uint8_t *p, size_t len, size_t i)
{
    while (i < len && !(p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i;
}

bool mw_dkim_keys_line(const uint8_t *line, size_t len, mw_span *name, GByteArray *txt)
{
    size_t i = skip_blank(line, len, 0);
    if (i == len || line[i] == '#' || line[i] == ';')
        return false;
    size_t n0 = i, n1 = word_end(line, len, i);
    /* Optional TTL and class, then TXT. */
    bool txt_seen = false;
    i = n1;
    for (int k = 0; k < 3 && !txt_seen; k++) {
        i = skip_blank(line, len, i);
        size_t e = word_end(line, len, i);
        if (e - i == 3 && g_ascii_strncasecmp((const char *)line + i, "TXT", 3) == 0)
            txt_seen = true;
        i = e;
    }
    if (!txt_seen)
        return false;
    name->off = n0;
    name->len = n1 - n0 - (n1 > n0 + 1 && line[n1 - 1] == '.');
    bool any = false;
    for (;;) {
        i = skip_blank(line, len, i);
        if (i >= len || line[i] != '"')
            break;
        i++;
        while (i < len && line[i] != '"') {
            if (line[i] == '\\' && i + 1 < len)
                i++;
            g_byte_array_append(txt, line + i, 1);
            i++;
        }
        if (i < len)
            i++; /* the closing quote; an unclosed string ends the line */
        any = true;
    }
    if (!any && i < len) {
        size_t e = word_end(line, len, i); /* one unquoted string */
        g_byte_array_append(txt, line + i, (guint)(e - i));
        any = true;
    }
    return any;
}

/* ---- verification ---- */

static mw_dkim_verdict error(const char **why, const char *text)
{
    *why = text;
    return MW_DKIM_SIG_ERROR;
}

mw_dkim_verdict mw_dkim_verify(const mw_dkim_result *r, const mw_dkim_key *key, const char **why)
{
    const mw_dkim_sig *sig = &r->sig;
    *why = NULL;
    if (!r->parsed_ok)
        return error(why, "malformed signature");
    if (!r->data_hash_len || !mw_gcrypt_ready())
        return error(why, "no hash of the signed data");
    if (key->bits == 0)
        return error(why, "unusable key");
    bool ed = sig->alg == MW_DKIM_ED25519_SHA256;
    if (ed != (key->type == MW_DKIM_KEY_ED25519))
        return error(why, "key type does not match a=");
    gcry_sexp_t pk = NULL, data = NULL, sv = NULL;
    gcry_error_t e;
    if (ed) {
        if (sig->b_len != 64)
            return error(why, "ed25519 signature not 64 bytes");
        e = gcry_sexp_build(&pk, NULL, "(public-key (ecc (curve Ed25519) (flags eddsa) (q %b)))",
                            32, key->ed25519);
        /* RFC 8463: Ed25519 signs the SHA-256 hash of the data. */
        if (!e)
            e = gcry_sexp_build(&data, NULL, "(data (flags eddsa) (hash-algo sha512) (value %b))",
                                (int)r->data_hash_len, r->data_hash);
        if (!e)
            e = gcry_sexp_build(&sv, NULL, "(sig-val (eddsa (r %b) (s %b)))", 32, sig->b_raw, 32,
                                sig->b_raw + 32);
    } else {
        /* Unsigned big-endian integers: %b would read them as two's complement. */
        gcry_mpi_t n = NULL, ex = NULL;
        e = gcry_mpi_scan(&n, GCRYMPI_FMT_USG, key->n, key->n_len, NULL);
        if (!e)
            e = gcry_mpi_scan(&ex, GCRYMPI_FMT_USG, key->e, key->e_len, NULL);
        if (!e)
            e = gcry_sexp_build(&pk, NULL, "(public-key (rsa (n %m) (e %m)))", n, ex);
        gcry_mpi_release(n);
        gcry_mpi_release(ex);
        if (!e)
            e = gcry_sexp_build(&data, NULL, "(data (flags pkcs1) (hash %s %b))",
                                sig->alg == MW_DKIM_RSA_SHA1 ? "sha1" : "sha256",
                                (int)r->data_hash_len, r->data_hash);
        if (!e)
            e = gcry_sexp_build(&sv, NULL, "(sig-val (rsa (s %b)))", (int)sig->b_len, sig->b_raw);
    }
    mw_dkim_verdict v;
    if (e) {
        v = error(why, "libgcrypt rejected the key or signature");
    } else if (gcry_pk_verify(sv, data, pk) == 0) {
        v = MW_DKIM_SIG_PASS;
    } else {
        *why = "signature does not match the signed header fields";
        v = MW_DKIM_SIG_FAIL;
    }
    gcry_sexp_release(pk);
    gcry_sexp_release(data);
    gcry_sexp_release(sv);
    return v;
}

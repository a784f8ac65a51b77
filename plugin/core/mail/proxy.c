/* PROXY protocol header: see proxy.h. */
#include "core/mail/proxy.h"

#include <stdio.h>
#include <string.h>

const uint8_t mw_proxy_v2_sig[MW_PROXY_V2_SIG_LEN] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                                      0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

static const char *const error_texts[MW_PROXY_E_COUNT] = {
    "stream ends inside the PROXY header",
    "v1 line longer than 107 bytes",
    "v1 line ends in LF without CR",
    "v1 fields not separated by exactly one space",
    "v1 protocol missing or not TCP4, TCP6 or UNKNOWN",
    "v1 address or port fields missing",
    "v1 fields after the destination port",
    "bad or missing source address",
    "bad or missing destination address",
    "bad or missing source port",
    "bad or missing destination port",
    "v2 version is not 2",
    "v2 command is neither LOCAL nor PROXY",
    "v2 address family or transport undefined",
    "v2 length too short for the address family",
    "v2 TLV malformed",
    "v2 CRC32C checksum mismatch",
};

const char *mw_proxy_error_text(unsigned bit)
{
    for (unsigned i = 0; i < MW_PROXY_E_COUNT; i++)
        if (bit == 1u << i)
            return error_texts[i];
    return NULL;
}

const char *mw_proxy_command_name(unsigned command)
{
    return command == MW_PROXY_CMD_LOCAL ? "LOCAL" : command == MW_PROXY_CMD_PROXY ? "PROXY" : "unknown";
}

const char *mw_proxy_family_name(unsigned family)
{
    static const char *const names[] = {"UNSPEC", "AF_INET", "AF_INET6", "AF_UNIX"};
    return family < 4 ? names[family] : "unknown";
}

const char *mw_proxy_transport_name(unsigned transport)
{
    static const char *const names[] = {"UNSPEC", "STREAM", "DGRAM"};
    return transport < 3 ? names[transport] : "unknown";
}

static mw_span span(size_t off, size_t len)
{
    mw_span s = {off, len};
    return s;
}

/* CRC32C, reflected polynomial 0x82F63B78; bitwise is fast enough for
 * headers of at most 64 KiB seen once per session. */
uint32_t mw_crc32c(uint32_t crc, const uint8_t *buf, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= buf[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* ---- version 1 ---- */

static bool span_is(const uint8_t *buf, mw_span s, const char *word)
{
    return s.len == strlen(word) && memcmp(buf + s.off, word, s.len) == 0;
}

static bool parse_port(const uint8_t *p, size_t n, uint16_t *out)
{
    if (n == 0 || n > 5 || (n > 1 && p[0] == '0'))
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static void v1_addr(const uint8_t *buf, mw_span s, mw_proxy_family fam, mw_proxy_addr *a)
{
    a->span = s;
    if (fam == MW_PROXY_AF_INET && mw_inaddr_parse4(buf + s.off, s.len, a->bin)) {
        a->valid = true;
        mw_inaddr_format4(a->bin, a->text);
    } else if (fam == MW_PROXY_AF_INET6 && mw_inaddr_parse6(buf + s.off, s.len, a->bin)) {
        a->valid = true;
        mw_inaddr_format6(a->bin, a->text);
    }
}

static void v1_port(const uint8_t *buf, mw_span s, mw_proxy_port *p)
{
    p->span = s;
    p->valid = parse_port(buf + s.off, s.len, &p->value);
}

static void parse_v1(const uint8_t *buf, size_t content_end, mw_proxy_header *h)
{
    /* Fields after "PROXY", split at runs of SP. */
    mw_span f[6];
    size_t nf = 0, i = 5;
    while (i < content_end) {
        size_t sp = i;
        while (i < content_end && buf[i] == ' ')
            i++;
        /* Two spaces, "PROXYTCP4", or a space before the line end. */
        if (i - sp != 1 || i == content_end)
            h->errors |= MW_PROXY_E_V1_SPACING;
        if (i == content_end)
            break;
        size_t start = i;
        while (i < content_end && buf[i] != ' ')
            i++;
        if (nf < 6)
            f[nf] = span(start, i - start);
        nf++;
        if (nf == 1 && span_is(buf, f[0], "UNKNOWN")) {
            /* Receivers ignore everything up to the line end, spacing included. */
            h->errors &= ~(unsigned)MW_PROXY_E_V1_SPACING;
            size_t rest = i < content_end ? i + 1 : content_end;
            h->v1_rest = span(rest, content_end - rest);
            break;
        }
    }
    if (nf == 0) {
        h->errors |= MW_PROXY_E_V1_PROTO;
        return;
    }
    h->v1_proto = f[0];
    if (span_is(buf, f[0], "UNKNOWN"))
        return;
    if (span_is(buf, f[0], "TCP4"))
        h->family = MW_PROXY_AF_INET;
    else if (span_is(buf, f[0], "TCP6"))
        h->family = MW_PROXY_AF_INET6;
    else
        h->errors |= MW_PROXY_E_V1_PROTO;
    if (h->family != MW_PROXY_AF_UNSPEC)
        h->transport = MW_PROXY_TP_STREAM;
    if (nf < 5)
        h->errors |= MW_PROXY_E_V1_MISSING;
    if (nf > 5)
        h->errors |= MW_PROXY_E_V1_EXTRA;
    if (nf > 1) v1_addr(buf, f[1], h->family, &h->src);
    if (nf > 2) v1_addr(buf, f[2], h->family, &h->dst);
    if (nf > 3) v1_port(buf, f[3], &h->srcport);
    if (nf > 4) v1_port(buf, f[4], &h->dstport);
    if (h->errors & MW_PROXY_E_V1_PROTO)
        return; /* fields of an unknown protocol cannot be judged */
    if (!h->src.valid) h->errors |= MW_PROXY_E_SRC_ADDR;
    if (!h->dst.valid) h->errors |= MW_PROXY_E_DST_ADDR;
    if (!h->srcport.valid) h->errors |= MW_PROXY_E_SRC_PORT;
    if (!h->dstport.valid) h->errors |= MW_PROXY_E_DST_PORT;
}

static mw_proxy_status v1(const uint8_t *buf, size_t len, bool at_end, mw_proxy_header *h)
{
    h->version = 1;
    h->command = MW_PROXY_CMD_PROXY;
    size_t lim = len < MW_PROXY_V1_MAX ? len : MW_PROXY_V1_MAX;
    const uint8_t *lf = memchr(buf, '\n', lim);
    size_t content_end;
    if (lf) {
        size_t at = (size_t)(lf - buf);
        h->len = at + 1;
        if (at > 0 && buf[at - 1] == '\r') {
            content_end = at - 1;
        } else {
            content_end = at;
            h->errors |= MW_PROXY_E_V1_BARE_LF;
        }
        h->line_end = span(content_end, h->len - content_end);
    } else if (len >= MW_PROXY_V1_MAX) {
        h->len = content_end = MW_PROXY_V1_MAX;
        h->errors |= MW_PROXY_E_V1_TOO_LONG;
    } else if (at_end) {
        h->len = content_end = len;
        h->errors |= MW_PROXY_E_TRUNCATED;
    } else {
        return MW_PROXY_NEED_MORE;
    }
    parse_v1(buf, content_end, h);
    return MW_PROXY_HEADER;
}

/* ---- version 2 ---- */

static void unix_text(const uint8_t *p, char *out)
{
    size_t n = 0, i = 0;
    if (p[0] == 0) {
        out[n++] = '@'; /* Linux abstract namespace */
        i = 1;
    }
    for (; i < 108 && p[i]; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            out[n++] = (char)p[i];
        else
            n += (size_t)snprintf(out + n, 5, "\\x%02x", p[i]);
    }
    out[n] = '\0';
}

static void v2_addrs(const uint8_t *buf, size_t off, mw_proxy_header *h)
{
    size_t alen = h->family == MW_PROXY_AF_INET ? 4 : h->family == MW_PROXY_AF_INET6 ? 16 : 108;
    h->src.span = span(off, alen);
    h->dst.span = span(off + alen, alen);
    h->src.valid = h->dst.valid = true;
    if (h->family == MW_PROXY_AF_UNIX) {
        unix_text(buf + off, h->src.text);
        unix_text(buf + off + alen, h->dst.text);
        return;
    }
    memcpy(h->src.bin, buf + off, alen);
    memcpy(h->dst.bin, buf + off + alen, alen);
    if (alen == 4) {
        mw_inaddr_format4(h->src.bin, h->src.text);
        mw_inaddr_format4(h->dst.bin, h->dst.text);
    } else {
        mw_inaddr_format6(h->src.bin, h->src.text);
        mw_inaddr_format6(h->dst.bin, h->dst.text);
    }
    size_t po = off + 2 * alen;
    h->srcport.span = span(po, 2);
    h->dstport.span = span(po + 2, 2);
    h->srcport.valid = h->dstport.valid = true;
    h->srcport.value = (uint16_t)(buf[po] << 8 | buf[po + 1]);
    h->dstport.value = (uint16_t)(buf[po + 2] << 8 | buf[po + 3]);
}

static mw_proxy_status v2(const uint8_t *buf, size_t len, bool at_end, mw_proxy_header *h)
{
    h->version = 2;
    if (len < MW_PROXY_V2_FIXED) {
        if (!at_end)
            return MW_PROXY_NEED_MORE;
        h->len = len;
        h->errors |= MW_PROXY_E_TRUNCATED;
        return MW_PROXY_HEADER;
    }
    h->ver_cmd = buf[12];
    h->fam = buf[13];
    h->v2_len = (uint16_t)(buf[14] << 8 | buf[15]);
    size_t total = MW_PROXY_V2_FIXED + (size_t)h->v2_len;
    bool truncated = len < total;
    if (truncated && !at_end)
        return MW_PROXY_NEED_MORE;
    h->len = truncated ? len : total;
    if (truncated)
        h->errors |= MW_PROXY_E_TRUNCATED;
    h->payload = span(MW_PROXY_V2_FIXED, h->len - MW_PROXY_V2_FIXED);
    if (h->ver_cmd >> 4 != 2) {
        h->errors |= MW_PROXY_E_V2_VERSION;
        return MW_PROXY_HEADER;
    }
    h->command = (mw_proxy_command)(h->ver_cmd & 0x0f);
    if (h->command > MW_PROXY_CMD_PROXY)
        h->errors |= MW_PROXY_E_V2_COMMAND;
    unsigned famn = h->fam >> 4, tp = h->fam & 0x0f;
    /* Defined: 0x00 and family 1-3 with transport 1-2; nothing else. */
    if (!(h->fam == 0x00 || (famn >= 1 && famn <= 3 && tp >= 1 && tp <= 2)))
        h->errors |= MW_PROXY_E_V2_FAMILY;
    if (famn > 3)
        return MW_PROXY_HEADER; /* the address block's size is unknown */
    h->family = (mw_proxy_family)famn;
    h->transport = tp <= 2 ? (mw_proxy_transport)tp : MW_PROXY_TP_UNSPEC;
    static const size_t block[] = {0, 12, 36, 216};
    size_t ab = block[famn];
    if (h->v2_len < ab) {
        h->errors |= MW_PROXY_E_V2_ADDR_LEN;
        return MW_PROXY_HEADER;
    }
    if (famn == MW_PROXY_AF_UNSPEC)
        return MW_PROXY_HEADER; /* receivers ignore whatever follows: no addresses, no TLVs */
    if (truncated && h->len < MW_PROXY_V2_FIXED + ab)
        return MW_PROXY_HEADER;
    h->addr_block = span(MW_PROXY_V2_FIXED, ab);
    v2_addrs(buf, MW_PROXY_V2_FIXED, h);
    h->tlvs = span(MW_PROXY_V2_FIXED + ab, h->len - MW_PROXY_V2_FIXED - ab);
    if (truncated)
        return MW_PROXY_HEADER; /* TLVs of a cut header would all look broken */

    mw_proxy_tlv_iter it;
    mw_proxy_tlv t;
    mw_proxy_tlv_begin(h, &it);
    while (mw_proxy_tlv_next(buf, h, &it, &t)) {
        h->tlv_count++;
        unsigned errs = t.errors;
        if (t.type == MW_PP2_TYPE_SSL && !(t.errors & (MW_PROXY_TLV_E_OVERRUN | MW_PROXY_TLV_E_LENGTH))) {
            mw_proxy_tlv_iter si;
            mw_proxy_tlv st;
            mw_proxy_tlv_begin_ssl(&t, &si);
            while (mw_proxy_tlv_next(buf, h, &si, &st))
                errs |= st.errors;
        }
        if (errs)
            h->errors |= MW_PROXY_E_V2_TLV;
        if (t.type == MW_PP2_TYPE_CRC32C && !(t.errors & (MW_PROXY_TLV_E_OVERRUN | MW_PROXY_TLV_E_LENGTH))
            && !h->has_crc32c) {
            h->has_crc32c = true;
            h->crc32c = t.crc32c;
            h->crc32c_computed = t.crc32c_computed;
            if (t.errors & MW_PROXY_TLV_E_CRC32C)
                h->errors |= MW_PROXY_E_V2_CRC32C;
        }
    }
    return MW_PROXY_HEADER;
}

/* ---- TLVs ---- */

const char *mw_proxy_tlv_name(uint8_t type, bool in_ssl)
{
    if (in_ssl) {
        switch (type) {
        case MW_PP2_SUBTYPE_SSL_VERSION: return "SSL_VERSION";
        case MW_PP2_SUBTYPE_SSL_CN: return "SSL_CN";
        case MW_PP2_SUBTYPE_SSL_CIPHER: return "SSL_CIPHER";
        case MW_PP2_SUBTYPE_SSL_SIG_ALG: return "SSL_SIG_ALG";
        case MW_PP2_SUBTYPE_SSL_KEY_ALG: return "SSL_KEY_ALG";
        case MW_PP2_SUBTYPE_SSL_GROUP: return "SSL_GROUP";
        case MW_PP2_SUBTYPE_SSL_SIG_SCHEME: return "SSL_SIG_SCHEME";
        case MW_PP2_SUBTYPE_SSL_CLIENT_CERT: return "SSL_CLIENT_CERT";
        default: break;
        }
    } else {
        switch (type) {
        case MW_PP2_TYPE_ALPN: return "ALPN";
        case MW_PP2_TYPE_AUTHORITY: return "AUTHORITY";
        case MW_PP2_TYPE_CRC32C: return "CRC32C";
        case MW_PP2_TYPE_NOOP: return "NOOP";
        case MW_PP2_TYPE_UNIQUE_ID: return "UNIQUE_ID";
        case MW_PP2_TYPE_SSL: return "SSL";
        case MW_PP2_TYPE_NETNS: return "NETNS";
        case MW_PP2_TYPE_AWS: return "AWS";
        case MW_PP2_TYPE_AZURE: return "AZURE";
        default: break;
        }
    }
    if (type >= 0xe0 && type <= 0xef)
        return "custom";
    if (type >= 0xf0 && type <= 0xf7)
        return "experimental";
    if (type >= 0xf8)
        return "future";
    return "unassigned";
}

void mw_proxy_tlv_begin(const mw_proxy_header *hdr, mw_proxy_tlv_iter *it)
{
    it->pos = hdr->tlvs.off;
    it->end = hdr->tlvs.off + hdr->tlvs.len;
    it->in_ssl = false;
}

void mw_proxy_tlv_begin_ssl(const mw_proxy_tlv *ssl, mw_proxy_tlv_iter *it)
{
    it->pos = ssl->ssl_subs.off;
    it->end = ssl->ssl_subs.off + ssl->ssl_subs.len;
    it->in_ssl = true;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool mw_proxy_tlv_next(const uint8_t *buf, const mw_proxy_header *hdr, mw_proxy_tlv_iter *it,
                       mw_proxy_tlv *t)
{
    if (it->pos >= it->end)
        return false;
    memset(t, 0, sizeof *t);
    size_t p = it->pos, room = it->end - p;
    t->type = buf[p];
    t->name = mw_proxy_tlv_name(t->type, it->in_ssl);
    /* A sub-type of SSL outside it, or a top-level type inside it. */
    const char *other = mw_proxy_tlv_name(t->type, !it->in_ssl);
    if (t->type < 0xe0 && strcmp(t->name, "unassigned") == 0 && strcmp(other, "unassigned") != 0) {
        t->misplaced = true;
        t->name = other;
    }
    if (room < 3) {
        t->errors |= MW_PROXY_TLV_E_OVERRUN;
        t->span = span(p, room);
        t->value = span(p + room, 0);
        it->pos = it->end;
        return true;
    }
    t->length = (uint16_t)(buf[p + 1] << 8 | buf[p + 2]);
    size_t vlen = t->length;
    if (vlen > room - 3) {
        t->errors |= MW_PROXY_TLV_E_OVERRUN;
        vlen = room - 3;
    }
    t->span = span(p, 3 + vlen);
    t->value = span(p + 3, vlen);
    it->pos = (t->errors & MW_PROXY_TLV_E_OVERRUN) ? it->end : p + 3 + vlen;
    if (it->in_ssl || (t->errors & MW_PROXY_TLV_E_OVERRUN))
        return true;
    switch (t->type) {
    case MW_PP2_TYPE_CRC32C:
        if (t->length != 4) {
            t->errors |= MW_PROXY_TLV_E_LENGTH;
            break;
        }
        t->crc32c = be32(buf + t->value.off);
        {
            static const uint8_t zero[4] = {0, 0, 0, 0};
            uint32_t c = mw_crc32c(0, buf, t->value.off);
            c = mw_crc32c(c, zero, 4);
            c = mw_crc32c(c, buf + t->value.off + 4, hdr->len - t->value.off - 4);
            t->crc32c_computed = c;
        }
        if (t->crc32c != t->crc32c_computed)
            t->errors |= MW_PROXY_TLV_E_CRC32C;
        break;
    case MW_PP2_TYPE_UNIQUE_ID:
        if (t->length > 128)
            t->errors |= MW_PROXY_TLV_E_LENGTH;
        break;
    case MW_PP2_TYPE_SSL:
        if (t->length < 5) {
            t->errors |= MW_PROXY_TLV_E_LENGTH;
            break;
        }
        t->ssl_client = buf[t->value.off];
        t->ssl_verify = be32(buf + t->value.off + 1);
        t->ssl_subs = span(t->value.off + 5, t->length - 5);
        break;
    default:
        break;
    }
    return true;
}

/* ---- detection ---- */

static mw_proxy_status finish(mw_proxy_status st, mw_proxy_header *h)
{
    h->use_addresses = st == MW_PROXY_HEADER && h->errors == 0 && h->command == MW_PROXY_CMD_PROXY
                       && h->family != MW_PROXY_AF_UNSPEC;
    return st;
}

mw_proxy_status mw_proxy_parse(const uint8_t *buf, size_t len, bool at_end, mw_proxy_header *hdr)
{
    memset(hdr, 0, sizeof *hdr);
    if (len == 0)
        return at_end ? MW_PROXY_NONE : MW_PROXY_NEED_MORE;
    static const char v1sig[] = "PROXY";
    size_t n = len < 5 ? len : 5;
    if (memcmp(buf, v1sig, n) == 0) {
        if (len == 5)
            return at_end ? finish(v1(buf, len, at_end, hdr), hdr) : MW_PROXY_NEED_MORE;
        if (len < 5)
            return at_end ? MW_PROXY_NONE : MW_PROXY_NEED_MORE;
        if (buf[5] == ' ' || buf[5] == '\r' || buf[5] == '\n')
            return finish(v1(buf, len, at_end, hdr), hdr);
        return MW_PROXY_NONE;
    }
    n = len < MW_PROXY_V2_SIG_LEN ? len : MW_PROXY_V2_SIG_LEN;
    if (memcmp(buf, mw_proxy_v2_sig, n) != 0)
        return MW_PROXY_NONE;
    if (len < MW_PROXY_V2_SIG_LEN)
        return at_end ? MW_PROXY_NONE : MW_PROXY_NEED_MORE;
    return finish(v2(buf, len, at_end, hdr), hdr);
}

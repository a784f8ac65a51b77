/* PROXY protocol v1 and v2: the headers of the lab captures (Postfix and
 * Dovecot behind PROXY headers), every split point, every error flag, TLVs. */
#include "check.h"
#include "core/mail/proxy.h"

#include <stdint.h>
#include <stdlib.h>

#define B(s) ((const uint8_t *)(s))

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2)
        out[n++] = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
    return n;
}

static mw_proxy_status parse_s(const char *s, bool at_end, mw_proxy_header *h)
{
    return mw_proxy_parse(B(s), strlen(s), at_end, h);
}

/* Every proper prefix needs more bytes; with at_end it is NONE before the
 * marker is complete and a truncated header after. */
static void check_prefixes(const uint8_t *buf, size_t len, size_t marker)
{
    mw_proxy_header h;
    for (size_t k = 0; k < len; k++) {
        mw_proxy_status st = mw_proxy_parse(buf, k, false, &h);
        CHECK_EQ_INT(st, MW_PROXY_NEED_MORE);
        st = mw_proxy_parse(buf, k, true, &h);
        if (k < marker) {
            CHECK_EQ_INT(st, MW_PROXY_NONE);
        } else {
            CHECK_EQ_INT(st, MW_PROXY_HEADER);
            CHECK(h.errors & MW_PROXY_E_TRUNCATED);
            CHECK_EQ_INT(h.len, k);
            CHECK(!h.use_addresses);
        }
    }
    /* The whole header, alone and followed by the mail protocol. */
    uint8_t more[2048];
    memcpy(more, buf, len);
    memcpy(more + len, "220 ready\r\n", 11);
    CHECK_EQ_INT(mw_proxy_parse(buf, len, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.len, len);
    CHECK_EQ_INT(mw_proxy_parse(more, len + 11, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.len, len);
}

static void check_addr(const uint8_t *buf, const mw_proxy_addr *a, size_t off, size_t len,
                       const char *text)
{
    CHECK(a->valid);
    CHECK_EQ_INT(a->span.off, off);
    CHECK_EQ_INT(a->span.len, len);
    CHECK(strcmp(a->text, text) == 0);
    if (strcmp(a->text, text))
        fprintf(stderr, "  text %s, want %s\n", a->text, text);
    (void)buf;
}

static void check_port(const mw_proxy_port *p, size_t off, size_t len, unsigned value)
{
    CHECK(p->valid);
    CHECK_EQ_INT(p->span.off, off);
    CHECK_EQ_INT(p->span.len, len);
    CHECK_EQ_INT(p->value, value);
}

/* v1 lines of proxy-postfix-ipv4 (frames 4, 26), proxy-postfix-ipv6 (4, 48),
 * proxy-dovecot-imap-pop (4, 42). */
static void test_v1_captures(void)
{
    static const struct {
        const char *hex, *src, *dst;
        unsigned sport, dport;
        mw_proxy_family fam;
    } v[] = {
        {"50524f58592054435034203230332e302e3131332e37203139322e302e322e32352034303030312032350d0a",
         "203.0.113.7", "192.0.2.25", 40001, 25, MW_PROXY_AF_INET},
        {"50524f5859205443503620323030313a6462383a3a3720323030313a6462383a3a32352034303030322032350d0a",
         "2001:db8::7", "2001:db8::25", 40002, 25, MW_PROXY_AF_INET6},
        {"50524f5859205443503620323030313a6462383a3a313720323030313a6462383a3a32352034303031312032350d0a",
         "2001:db8::17", "2001:db8::25", 40011, 25, MW_PROXY_AF_INET6},
        {"50524f58592054435034203230332e302e3131332e3137203139322e302e322e32352034303031322032350d0a",
         "203.0.113.17", "192.0.2.25", 40012, 25, MW_PROXY_AF_INET},
        {"50524f58592054435034203230332e302e3131332e3431203139322e302e322e313433203430303431203134330d0a",
         "203.0.113.41", "192.0.2.143", 40041, 143, MW_PROXY_AF_INET},
        {"50524f58592054435034203230332e302e3131332e3433203139322e302e322e313433203430303433203134330d0a",
         "203.0.113.43", "192.0.2.143", 40043, 143, MW_PROXY_AF_INET},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t buf[256];
        size_t n = unhex(v[i].hex, buf);
        mw_proxy_header h;
        CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
        CHECK_EQ_INT(h.version, 1);
        CHECK_EQ_INT(h.len, n);
        CHECK_EQ_INT(h.errors, 0);
        CHECK(h.use_addresses);
        CHECK_EQ_INT(h.command, MW_PROXY_CMD_PROXY);
        CHECK_EQ_INT(h.family, v[i].fam);
        CHECK_EQ_INT(h.transport, MW_PROXY_TP_STREAM);
        CHECK_EQ_INT(h.v1_proto.off, 6);
        CHECK_EQ_INT(h.v1_proto.len, 4);
        CHECK_EQ_INT(h.v1_rest.len, 0);
        CHECK_EQ_INT(h.line_end.off, n - 2);
        CHECK_EQ_INT(h.line_end.len, 2);
        size_t so = 11, sl = strlen(v[i].src), dl = strlen(v[i].dst);
        check_addr(buf, &h.src, so, sl, v[i].src);
        check_addr(buf, &h.dst, so + sl + 1, dl, v[i].dst);
        size_t po = so + sl + 1 + dl + 1;
        size_t pl = (size_t)snprintf(NULL, 0, "%u", v[i].sport);
        check_port(&h.srcport, po, pl, v[i].sport);
        check_port(&h.dstport, po + pl + 1, n - 2 - (po + pl + 1), v[i].dport);
        CHECK_EQ_INT(h.src.bin[0], v[i].fam == MW_PROXY_AF_INET ? 203 : 0x20);
        CHECK_EQ_INT(h.tlv_count, 0);
        check_prefixes(buf, n, 5);
    }
}

/* proxy-postfix-bad-header: what Postfix refused. */
static void test_v1_bad_captures(void)
{
    uint8_t buf[256];
    mw_proxy_header h;
    /* t0: 203.0.113.999 */
    size_t n = unhex("50524f58592054435034203230332e302e3131332e393939203139322e302e322e3235203430303231"
                     "2032350d0a", buf);
    CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_SRC_ADDR);
    CHECK(!h.use_addresses);
    CHECK(!h.src.valid);
    CHECK_EQ_INT(h.src.span.off, 11);
    CHECK_EQ_INT(h.src.span.len, 13);
    CHECK(h.src.text[0] == '\0');
    check_addr(buf, &h.dst, 25, 10, "192.0.2.25");
    check_port(&h.srcport, 36, 5, 40021);
    check_port(&h.dstport, 42, 2, 25);
    /* t2: "PROXY UNKNOWN\r\n": valid, but no client claimed (Postfix refused it all the same) */
    n = unhex("50524f585920554e4b4e4f574e0d0a", buf);
    CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, 0);
    CHECK_EQ_INT(h.len, 15);
    CHECK(!h.use_addresses);
    CHECK_EQ_INT(h.family, MW_PROXY_AF_UNSPEC);
    CHECK_EQ_INT(h.transport, MW_PROXY_TP_UNSPEC);
    CHECK_SPAN(buf + h.v1_proto.off, h.v1_proto.len, "UNKNOWN");
    CHECK_EQ_INT(h.v1_rest.len, 0);
    CHECK(!h.src.valid && !h.dst.valid && !h.srcport.valid && !h.dstport.valid);
    /* t4: no destination port */
    n = unhex("50524f58592054435034203230332e302e3131332e3233203139322e302e322e32352034303032330d0a", buf);
    CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_V1_MISSING | MW_PROXY_E_DST_PORT);
    check_addr(buf, &h.src, 11, 12, "203.0.113.23");
    check_addr(buf, &h.dst, 24, 10, "192.0.2.25");
    check_port(&h.srcport, 35, 5, 40023);
    CHECK(!h.dstport.valid);
    CHECK_EQ_INT(h.dstport.span.len, 0);
    /* t1: no header at all */
    CHECK_EQ_INT(parse_s("EHLO client.lab.test\r\n", false, &h), MW_PROXY_NONE);
}

static void test_v1_errors(void)
{
    static const struct {
        const char *line;
        unsigned errors;
        size_t len; /* 0: the whole line */
    } v[] = {
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", 0, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 0 65535\r\n", 0, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", MW_PROXY_E_V1_BARE_LF, 0},
        {"PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", MW_PROXY_E_V1_SPACING, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", MW_PROXY_E_V1_SPACING, 0},
        {"PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", MW_PROXY_E_V1_SPACING, 0},
        {"PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n",
         MW_PROXY_E_V1_MISSING | MW_PROXY_E_SRC_ADDR | MW_PROXY_E_DST_ADDR | MW_PROXY_E_DST_PORT, 0},
        {"PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", MW_PROXY_E_V1_PROTO, 0},
        {"PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", MW_PROXY_E_V1_PROTO, 0},
        {"PROXY\r\n", MW_PROXY_E_V1_PROTO, 0},
        {"PROXY \r\n", MW_PROXY_E_V1_SPACING | MW_PROXY_E_V1_PROTO, 0},
        {"PROXY\n", MW_PROXY_E_V1_BARE_LF | MW_PROXY_E_V1_PROTO, 0},
        {"PROXY TCP4\r\n", MW_PROXY_E_V1_MISSING | MW_PROXY_E_SRC_ADDR | MW_PROXY_E_DST_ADDR
                               | MW_PROXY_E_SRC_PORT | MW_PROXY_E_DST_PORT, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", MW_PROXY_E_V1_EXTRA, 0},
        {"PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n", MW_PROXY_E_SRC_ADDR, 0},
        {"PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", MW_PROXY_E_SRC_ADDR, 0},
        {"PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n", MW_PROXY_E_SRC_ADDR, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7 1 2\r\n", MW_PROXY_E_DST_ADDR, 0},
        {"PROXY TCP6 [2001:db8::1] 2001:db8::2 1 2\r\n", MW_PROXY_E_SRC_ADDR, 0},
        {"PROXY TCP6 2001:db8::1 1.2.3.4 1 2\r\n", MW_PROXY_E_DST_ADDR, 0},
        {"PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", MW_PROXY_E_SRC_ADDR, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", MW_PROXY_E_SRC_PORT, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 0443 2\r\n", MW_PROXY_E_SRC_PORT, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", MW_PROXY_E_SRC_PORT, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 x\r\n", MW_PROXY_E_DST_PORT, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 123456\r\n", MW_PROXY_E_DST_PORT, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", MW_PROXY_E_DST_PORT, 0},
        {"PROXY UNKNOWN\r\n", 0, 0},
        {"PROXY UNKNOWN 1.2.3.4  junk  \r\n", 0, 0},
        {"PROXY UNKNOWN\n", MW_PROXY_E_V1_BARE_LF, 0},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2", MW_PROXY_E_TRUNCATED, 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        mw_proxy_header h;
        mw_proxy_status st = parse_s(v[i].line, true, &h);
        CHECK_EQ_INT(st, MW_PROXY_HEADER);
        CHECK_EQ_INT(h.errors, v[i].errors);
        CHECK_EQ_INT(h.len, v[i].len ? v[i].len : strlen(v[i].line));
        CHECK_EQ_INT(h.use_addresses, v[i].errors == 0 && strncmp(v[i].line + 6, "UNKNOWN", 7) != 0);
        if (h.errors != v[i].errors)
            fprintf(stderr, "  %s: errors %#x\n", v[i].line, h.errors);
    }
    mw_proxy_header h;
    const char *unknown = "PROXY UNKNOWN 1.2.3.4  junk  \r\n";
    parse_s(unknown, false, &h);
    CHECK_SPAN(unknown + h.v1_rest.off, h.v1_rest.len, "1.2.3.4  junk  ");
    parse_s("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", false, &h);
    CHECK_EQ_INT(h.line_end.off, 30);
    CHECK_EQ_INT(h.line_end.len, 1);
    CHECK(h.src.valid && h.dstport.valid);
    /* The longest legal line (104 bytes) and one past 107 without a line end. */
    const char *longest = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                          "65535 65535\r\n";
    CHECK_EQ_INT(strlen(longest), 104);
    CHECK_EQ_INT(parse_s(longest, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, 0);
    CHECK(strcmp(h.dst.text, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == 0);
    char big[200];
    memset(big, 'x', sizeof big);
    memcpy(big, "PROXY TCP4 ", 11);
    CHECK_EQ_INT(mw_proxy_parse(B(big), 106, false, &h), MW_PROXY_NEED_MORE);
    CHECK_EQ_INT(mw_proxy_parse(B(big), 107, false, &h), MW_PROXY_HEADER);
    CHECK(h.errors & MW_PROXY_E_V1_TOO_LONG);
    CHECK_EQ_INT(h.len, 107);
    CHECK_EQ_INT(h.line_end.len, 0);
    CHECK_EQ_INT(mw_proxy_parse(B(big), sizeof big, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.len, 107);
    /* A line end at byte 107 is inside the limit; at byte 108 it is not. */
    big[105] = '\r';
    big[106] = '\n';
    CHECK_EQ_INT(mw_proxy_parse(B(big), sizeof big, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.len, 107);
    CHECK(!(h.errors & MW_PROXY_E_V1_TOO_LONG));
    big[105] = 'x';
    big[106] = '\r';
    big[107] = '\n';
    CHECK_EQ_INT(mw_proxy_parse(B(big), sizeof big, false, &h), MW_PROXY_HEADER);
    CHECK(h.errors & MW_PROXY_E_V1_TOO_LONG);
    /* Canonical text for IPv6 written otherwise; the span keeps what was written. */
    parse_s("PROXY TCP6 2001:DB8:0:0:0:0:0:7 ::1 1 2\r\n", false, &h);
    CHECK_EQ_INT(h.errors, 0);
    CHECK(strcmp(h.src.text, "2001:db8::7") == 0);
    CHECK_EQ_INT(h.src.span.len, 20);
    CHECK(strcmp(h.dst.text, "::1") == 0);
}

static void test_detect(void)
{
    mw_proxy_header h;
    CHECK_EQ_INT(mw_proxy_parse(B(""), 0, false, &h), MW_PROXY_NEED_MORE);
    CHECK_EQ_INT(mw_proxy_parse(B(""), 0, true, &h), MW_PROXY_NONE);
    CHECK_EQ_INT(parse_s("P", false, &h), MW_PROXY_NEED_MORE);
    CHECK_EQ_INT(parse_s("PROXY", false, &h), MW_PROXY_NEED_MORE);
    CHECK_EQ_INT(parse_s("PROXY", true, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_TRUNCATED | MW_PROXY_E_V1_PROTO);
    CHECK_EQ_INT(parse_s("PROXYFOO\r\n", false, &h), MW_PROXY_NONE);
    CHECK_EQ_INT(parse_s("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", false, &h), MW_PROXY_NONE);
    CHECK_EQ_INT(parse_s("220 mail.lab.test ESMTP\r\n", false, &h), MW_PROXY_NONE);
    CHECK_EQ_INT(parse_s("* OK ready\r\n", false, &h), MW_PROXY_NONE);
    CHECK_EQ_INT(parse_s("\r\n", false, &h), MW_PROXY_NEED_MORE);
    CHECK_EQ_INT(parse_s("\r\n", true, &h), MW_PROXY_NONE);
    CHECK_EQ_INT(parse_s("\r\nEHLO x\r\n", false, &h), MW_PROXY_NONE);
    CHECK_EQ_INT(parse_s("\r\n\r\n", false, &h), MW_PROXY_NEED_MORE);
    CHECK_EQ_INT(mw_proxy_parse(mw_proxy_v2_sig, 12, false, &h), MW_PROXY_NEED_MORE);
    CHECK_EQ_INT(mw_proxy_parse(mw_proxy_v2_sig, 12, true, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.version, 2);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_TRUNCATED);
    CHECK_EQ_INT(h.len, 12);
}

/* A v2 header: signature, ver_cmd, fam, then payload (length filled in). */
static size_t v2(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const uint8_t *pl, size_t n)
{
    memcpy(out, mw_proxy_v2_sig, 12);
    out[12] = ver_cmd;
    out[13] = fam;
    out[14] = (uint8_t)(n >> 8);
    out[15] = (uint8_t)n;
    memcpy(out + 16, pl, n);
    return 16 + n;
}

static void test_v2_captures(void)
{
    uint8_t buf[512];
    mw_proxy_header h;
    mw_proxy_tlv_iter it;
    mw_proxy_tlv t;
    /* proxy-postfix-ipv4 frame 40: TCP over IPv4 with AUTHORITY and UNIQUE_ID. */
    size_t n = unhex("0d0a0d0a000d0a515549540a21110028c6336409c00002199c43001902000d6d61696c2e6c61622e74"
                     "657374050009636f6e6e2d30303031", buf);
    CHECK_EQ_INT(n, 56);
    CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.version, 2);
    CHECK_EQ_INT(h.len, 56);
    CHECK_EQ_INT(h.errors, 0);
    CHECK(h.use_addresses);
    CHECK_EQ_INT(h.command, MW_PROXY_CMD_PROXY);
    CHECK_EQ_INT(h.family, MW_PROXY_AF_INET);
    CHECK_EQ_INT(h.transport, MW_PROXY_TP_STREAM);
    CHECK_EQ_INT(h.ver_cmd, 0x21);
    CHECK_EQ_INT(h.fam, 0x11);
    CHECK_EQ_INT(h.v2_len, 40);
    CHECK_EQ_INT(h.payload.off, 16);
    CHECK_EQ_INT(h.payload.len, 40);
    CHECK_EQ_INT(h.addr_block.off, 16);
    CHECK_EQ_INT(h.addr_block.len, 12);
    check_addr(buf, &h.src, 16, 4, "198.51.100.9");
    check_addr(buf, &h.dst, 20, 4, "192.0.2.25");
    check_port(&h.srcport, 24, 2, 40003);
    check_port(&h.dstport, 26, 2, 25);
    CHECK_EQ_INT(h.tlvs.off, 28);
    CHECK_EQ_INT(h.tlvs.len, 28);
    CHECK_EQ_INT(h.tlv_count, 2);
    CHECK(!h.has_crc32c);
    mw_proxy_tlv_begin(&h, &it);
    CHECK(mw_proxy_tlv_next(buf, &h, &it, &t));
    CHECK_EQ_INT(t.type, MW_PP2_TYPE_AUTHORITY);
    CHECK(strcmp(t.name, "AUTHORITY") == 0);
    CHECK_EQ_INT(t.length, 13);
    CHECK_EQ_INT(t.span.off, 28);
    CHECK_EQ_INT(t.span.len, 16);
    CHECK_SPAN(buf + t.value.off, t.value.len, "mail.lab.test");
    CHECK_EQ_INT(t.errors, 0);
    CHECK(!t.misplaced);
    CHECK(mw_proxy_tlv_next(buf, &h, &it, &t));
    CHECK_EQ_INT(t.type, MW_PP2_TYPE_UNIQUE_ID);
    CHECK(strcmp(t.name, "UNIQUE_ID") == 0);
    CHECK_EQ_INT(t.span.off, 44);
    CHECK_SPAN(buf + t.value.off, t.value.len, "conn-0001");
    CHECK(!mw_proxy_tlv_next(buf, &h, &it, &t));
    check_prefixes(buf, n, 12);

    /* proxy-postfix-ipv4 frame 62: TCP over IPv6, no TLVs. */
    n = unhex("0d0a0d0a000d0a515549540a2121002420010db800000000000000000000000920010db8000000000000"
              "0000000000259c440019", buf);
    CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.len, 52);
    CHECK_EQ_INT(h.errors, 0);
    CHECK(h.use_addresses);
    CHECK_EQ_INT(h.family, MW_PROXY_AF_INET6);
    check_addr(buf, &h.src, 16, 16, "2001:db8::9");
    check_addr(buf, &h.dst, 32, 16, "2001:db8::25");
    check_port(&h.srcport, 48, 2, 40004);
    check_port(&h.dstport, 50, 2, 25);
    CHECK_EQ_INT(h.tlvs.len, 0);
    CHECK_EQ_INT(h.tlv_count, 0);
    check_prefixes(buf, n, 12);

    /* proxy-postfix-ipv4 frame 76: LOCAL, UNSPEC, length 0. */
    n = unhex("0d0a0d0a000d0a515549540a20000000", buf);
    CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.len, 16);
    CHECK_EQ_INT(h.errors, 0);
    CHECK(!h.use_addresses);
    CHECK_EQ_INT(h.command, MW_PROXY_CMD_LOCAL);
    CHECK_EQ_INT(h.family, MW_PROXY_AF_UNSPEC);
    CHECK_EQ_INT(h.transport, MW_PROXY_TP_UNSPEC);
    CHECK(!h.src.valid && !h.srcport.valid);
    CHECK_EQ_INT(h.addr_block.len, 0);
    check_prefixes(buf, n, 12);

    /* proxy-postfix-ipv6 frame 26 and proxy-dovecot-imap-pop frame 23: IPv6 with TLVs. */
    static const struct {
        const char *hex, *src, *dst;
        unsigned sport, dport;
    } six[] = {
        {"0d0a0d0a000d0a515549540a2121004020010db800000000000000000000001920010db8000000000000000000"
         "0000259c4d001902000d6d61696c2e6c61622e74657374050009636f6e6e2d30303031",
         "2001:db8::19", "2001:db8::25", 40013, 25},
        {"0d0a0d0a000d0a515549540a2121004020010db800000000000000000000004220010db8000000000000000000"
         "0001109c6a006e02000d6d61696c2e6c61622e74657374050009636f6e6e2d30303031",
         "2001:db8::42", "2001:db8::110", 40042, 110},
    };
    for (size_t i = 0; i < 2; i++) {
        n = unhex(six[i].hex, buf);
        CHECK_EQ_INT(n, 80);
        CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
        CHECK_EQ_INT(h.len, 80);
        CHECK_EQ_INT(h.errors, 0);
        CHECK(h.use_addresses);
        CHECK_EQ_INT(h.v2_len, 64);
        check_addr(buf, &h.src, 16, 16, six[i].src);
        check_addr(buf, &h.dst, 32, 16, six[i].dst);
        check_port(&h.srcport, 48, 2, six[i].sport);
        check_port(&h.dstport, 50, 2, six[i].dport);
        CHECK_EQ_INT(h.tlvs.off, 52);
        CHECK_EQ_INT(h.tlvs.len, 28);
        CHECK_EQ_INT(h.tlv_count, 2);
        mw_proxy_tlv_begin(&h, &it);
        CHECK(mw_proxy_tlv_next(buf, &h, &it, &t));
        CHECK_SPAN(buf + t.value.off, t.value.len, "mail.lab.test");
        CHECK(mw_proxy_tlv_next(buf, &h, &it, &t));
        CHECK_SPAN(buf + t.value.off, t.value.len, "conn-0001");
        CHECK(!mw_proxy_tlv_next(buf, &h, &it, &t));
        check_prefixes(buf, n, 12);
    }

    /* proxy-postfix-bad-header frame 28: version 3, length 12. */
    n = unhex("0d0a0d0a000d0a515549540a3111000c000000000000000000000000", buf);
    CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.version, 2);
    CHECK_EQ_INT(h.len, 28);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_V2_VERSION);
    CHECK(!h.use_addresses);
    CHECK_EQ_INT(h.ver_cmd, 0x31);
    CHECK_EQ_INT(h.payload.len, 12);
    CHECK(!h.src.valid);
    CHECK_EQ_INT(h.addr_block.len, 0);
}

static void test_v2_errors(void)
{
    uint8_t buf[1024], pl[512];
    mw_proxy_header h;
    static const uint8_t inet[12] = {192, 0, 2, 1, 192, 0, 2, 2, 0x30, 0x39, 0, 25};
    size_t n;
    /* Commands, families and transports. */
    static const struct {
        uint8_t vc, fam;
        unsigned errors;
        bool use;
    } cf[] = {
        {0x21, 0x11, 0, true},
        {0x21, 0x12, 0, true},   /* UDP over IPv4 */
        {0x20, 0x11, 0, false},  /* LOCAL: addresses shown, not used */
        {0x22, 0x11, MW_PROXY_E_V2_COMMAND, false},
        {0x2f, 0x11, MW_PROXY_E_V2_COMMAND, false},
        {0x21, 0x10, MW_PROXY_E_V2_FAMILY, false},
        {0x21, 0x13, MW_PROXY_E_V2_FAMILY, false},
        {0x21, 0x01, MW_PROXY_E_V2_FAMILY, false}, /* UNSPEC: the 12 bytes are opaque */
        {0x21, 0x41, MW_PROXY_E_V2_FAMILY, false},
        {0x21, 0x00, 0, false},  /* PROXY with UNSPEC: nothing claimed */
        {0x11, 0x11, MW_PROXY_E_V2_VERSION, false},
        {0x01, 0x11, MW_PROXY_E_V2_VERSION, false},
    };
    for (size_t i = 0; i < sizeof cf / sizeof cf[0]; i++) {
        n = v2(buf, cf[i].vc, cf[i].fam, inet, 12);
        CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
        CHECK_EQ_INT(h.errors, cf[i].errors);
        CHECK_EQ_INT(h.use_addresses, cf[i].use);
        CHECK_EQ_INT(h.len, 28);
        if (h.errors != cf[i].errors)
            fprintf(stderr, "  %02x %02x: %#x\n", cf[i].vc, cf[i].fam, h.errors);
    }
    n = v2(buf, 0x20, 0x11, inet, 12);
    mw_proxy_parse(buf, n, false, &h);
    check_addr(buf, &h.src, 16, 4, "192.0.2.1");
    check_port(&h.srcport, 24, 2, 12345);
    n = v2(buf, 0x21, 0x12, inet, 12);
    mw_proxy_parse(buf, n, false, &h);
    CHECK_EQ_INT(h.transport, MW_PROXY_TP_DGRAM);
    n = v2(buf, 0x21, 0x41, inet, 12);
    mw_proxy_parse(buf, n, false, &h);
    CHECK_EQ_INT(h.family, MW_PROXY_AF_UNSPEC);
    CHECK_EQ_INT(h.tlvs.len, 0);
    CHECK_EQ_INT(h.payload.len, 12);
    /* A length shorter than the family's addresses. */
    static const struct {
        uint8_t fam;
        size_t len;
    } al[] = {{0x11, 11}, {0x21, 12}, {0x21, 35}, {0x31, 215}, {0x11, 0}};
    for (size_t i = 0; i < sizeof al / sizeof al[0]; i++) {
        memset(pl, 0, sizeof pl);
        n = v2(buf, 0x21, al[i].fam, pl, al[i].len);
        CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
        CHECK_EQ_INT(h.errors, MW_PROXY_E_V2_ADDR_LEN);
        CHECK(!h.src.valid);
        CHECK_EQ_INT(h.len, n);
    }
    /* UNIX stream sockets, a path and an abstract name. */
    memset(pl, 0, 216);
    memcpy(pl, "/run/haproxy/front.sock", 23);
    memcpy(pl + 108, "\0post\\fix\x01", 11);
    n = v2(buf, 0x21, 0x31, pl, 216);
    CHECK_EQ_INT(mw_proxy_parse(buf, n, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, 0);
    CHECK(h.use_addresses);
    CHECK_EQ_INT(h.family, MW_PROXY_AF_UNIX);
    check_addr(buf, &h.src, 16, 108, "/run/haproxy/front.sock");
    check_addr(buf, &h.dst, 124, 108, "@post\\x5cfix\\x01");
    CHECK(!h.srcport.valid && !h.dstport.valid);
    CHECK_EQ_INT(h.tlvs.off, 232);
    CHECK_EQ_INT(h.tlvs.len, 0);
    /* A full 108-byte path with every byte escaped fits the text buffer. */
    memset(pl, 0xff, 108);
    n = v2(buf, 0x21, 0x32, pl, 216);
    mw_proxy_parse(buf, n, false, &h);
    CHECK_EQ_INT(strlen(h.src.text), 4 * 108);
    CHECK_EQ_INT(h.transport, MW_PROXY_TP_DGRAM);
    /* Truncated at the end of the stream: addresses if they are complete. */
    n = v2(buf, 0x21, 0x11, inet, 12);
    CHECK_EQ_INT(mw_proxy_parse(buf, 20, true, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_TRUNCATED);
    CHECK(!h.src.valid);
    CHECK_EQ_INT(h.payload.len, 4);
    memcpy(pl, inet, 12);
    memcpy(pl + 12, "\x02\x00\x05hello", 8);
    n = v2(buf, 0x21, 0x11, pl, 20);
    CHECK_EQ_INT(mw_proxy_parse(buf, n - 2, true, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_TRUNCATED);
    CHECK(h.src.valid);
    CHECK_EQ_INT(h.tlv_count, 0);
    CHECK_EQ_INT(h.tlvs.len, 6);
}

/* Builds INET addresses plus the given TLV bytes and parses it. */
static size_t with_tlvs(uint8_t *buf, const uint8_t *tlvs, size_t n, mw_proxy_header *h)
{
    static const uint8_t inet[12] = {198, 51, 100, 1, 192, 0, 2, 25, 0x9c, 0x40, 0, 25};
    uint8_t pl[1024];
    memcpy(pl, inet, 12);
    memcpy(pl + 12, tlvs, n);
    size_t len = v2(buf, 0x21, 0x11, pl, 12 + n);
    CHECK_EQ_INT(mw_proxy_parse(buf, len, false, h), MW_PROXY_HEADER);
    return len;
}

static void test_tlvs(void)
{
    uint8_t buf[1200], tl[1024];
    mw_proxy_header h;
    mw_proxy_tlv_iter it, si;
    mw_proxy_tlv t, st;

    CHECK_EQ_INT(mw_crc32c(0, B("123456789"), 9), 0xe3069283u);
    CHECK_EQ_INT(mw_crc32c(mw_crc32c(0, B("1234"), 4), B("56789"), 5), 0xe3069283u);

    /* Every named type, the ranges, an SSL TLV with all its sub-types. */
    size_t n = 0;
    memcpy(tl + n, "\x01\x00\x02h2", 5); n += 5;
    memcpy(tl + n, "\x04\x00\x00", 3); n += 3;
    memcpy(tl + n, "\x30\x00\x04" "blue", 7); n += 7;
    memcpy(tl + n, "\xe5\x00\x01x", 4); n += 4;
    memcpy(tl + n, "\xf1\x00\x00", 3); n += 3;
    memcpy(tl + n, "\xf9\x00\x00", 3); n += 3;
    memcpy(tl + n, "\x06\x00\x00", 3); n += 3;
    memcpy(tl + n, "\x21\x00\x03TLS", 6); n += 6; /* an SSL sub-type at the top level */
    static const uint8_t ssl[] = {0x20, 0x00, 0x2c, 0x07, 0x00, 0x00, 0x00, 0x00,
                                  0x21, 0x00, 0x07, 'T', 'L', 'S', 'v', '1', '.', '3',
                                  0x22, 0x00, 0x03, 'b', 'o', 'b',
                                  0x23, 0x00, 0x06, 'A', 'E', 'S', '1', '2', '8',
                                  0x24, 0x00, 0x03, 'R', 'S', 'A',
                                  0x25, 0x00, 0x02, 'E', 'C',
                                  0x01, 0x00, 0x00};  /* ALPN inside SSL */
    CHECK_EQ_INT(sizeof ssl, 3 + 0x2c);
    memcpy(tl + n, ssl, sizeof ssl); n += sizeof ssl;
    size_t crc_at = n;
    memcpy(tl + n, "\x03\x00\x04\0\0\0\0", 7); n += 7;
    size_t len = with_tlvs(buf, tl, n, &h);
    /* The checksum computed with the field zeroed, then stored. */
    uint32_t c = mw_crc32c(0, buf, len);
    size_t cv = 16 + 12 + crc_at + 3;
    buf[cv] = (uint8_t)(c >> 24); buf[cv + 1] = (uint8_t)(c >> 16);
    buf[cv + 2] = (uint8_t)(c >> 8); buf[cv + 3] = (uint8_t)c;
    CHECK_EQ_INT(mw_proxy_parse(buf, len, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, 0);
    CHECK(h.use_addresses);
    CHECK_EQ_INT(h.tlv_count, 10);
    CHECK(h.has_crc32c);
    CHECK_EQ_INT(h.crc32c, c);
    CHECK_EQ_INT(h.crc32c_computed, c);
    static const struct {
        uint8_t type;
        const char *name;
        uint16_t length;
        bool misplaced;
    } want[] = {{0x01, "ALPN", 2, false}, {0x04, "NOOP", 0, false}, {0x30, "NETNS", 4, false},
                {0xe5, "custom", 1, false}, {0xf1, "experimental", 0, false},
                {0xf9, "future", 0, false}, {0x06, "unassigned", 0, false},
                {0x21, "SSL_VERSION", 3, true}, {0x20, "SSL", 0x2c, false}, {0x03, "CRC32C", 4, false}};
    mw_proxy_tlv_begin(&h, &it);
    size_t off = 28;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK(mw_proxy_tlv_next(buf, &h, &it, &t));
        CHECK_EQ_INT(t.type, want[i].type);
        CHECK(strcmp(t.name, want[i].name) == 0);
        CHECK_EQ_INT(t.length, want[i].length);
        CHECK_EQ_INT(t.misplaced, want[i].misplaced);
        CHECK_EQ_INT(t.errors, 0);
        CHECK_EQ_INT(t.span.off, off);
        CHECK_EQ_INT(t.span.len, 3 + want[i].length);
        CHECK_EQ_INT(t.value.off, off + 3);
        CHECK_EQ_INT(t.value.len, want[i].length);
        off += 3 + want[i].length;
        if (t.type == MW_PP2_TYPE_NETNS)
            CHECK_SPAN(buf + t.value.off, t.value.len, "blue");
        if (t.type == MW_PP2_TYPE_ALPN)
            CHECK_SPAN(buf + t.value.off, t.value.len, "h2");
        if (t.type == MW_PP2_TYPE_CRC32C) {
            CHECK_EQ_INT(t.crc32c, c);
            CHECK_EQ_INT(t.crc32c_computed, c);
        }
        if (t.type != MW_PP2_TYPE_SSL)
            continue;
        CHECK_EQ_INT(t.ssl_client, MW_PP2_CLIENT_SSL | MW_PP2_CLIENT_CERT_CONN | MW_PP2_CLIENT_CERT_SESS);
        CHECK_EQ_INT(t.ssl_verify, 0);
        CHECK_EQ_INT(t.ssl_subs.off, t.value.off + 5);
        CHECK_EQ_INT(t.ssl_subs.len, 0x2c - 5);
        static const struct {
            uint8_t type;
            const char *name, *value;
            bool misplaced;
        } sub[] = {{0x21, "SSL_VERSION", "TLSv1.3", false}, {0x22, "SSL_CN", "bob", false},
                   {0x23, "SSL_CIPHER", "AES128", false}, {0x24, "SSL_SIG_ALG", "RSA", false},
                   {0x25, "SSL_KEY_ALG", "EC", false}, {0x01, "ALPN", "", true}};
        mw_proxy_tlv_begin_ssl(&t, &si);
        for (size_t k = 0; k < sizeof sub / sizeof sub[0]; k++) {
            CHECK(mw_proxy_tlv_next(buf, &h, &si, &st));
            CHECK_EQ_INT(st.type, sub[k].type);
            CHECK(strcmp(st.name, sub[k].name) == 0);
            CHECK_EQ_INT(st.misplaced, sub[k].misplaced);
            CHECK_EQ_INT(st.errors, 0);
            CHECK_SPAN(buf + st.value.off, st.value.len, sub[k].value);
        }
        CHECK(!mw_proxy_tlv_next(buf, &h, &si, &st));
    }
    CHECK(!mw_proxy_tlv_next(buf, &h, &it, &t));

    /* The same header with one byte changed: the checksum no longer matches. */
    buf[20] ^= 1;
    CHECK_EQ_INT(mw_proxy_parse(buf, len, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_V2_TLV | MW_PROXY_E_V2_CRC32C);
    CHECK(!h.use_addresses);
    CHECK(h.has_crc32c);
    CHECK_EQ_INT(h.crc32c, c);
    CHECK(h.crc32c_computed != c);
    mw_proxy_tlv_begin(&h, &it);
    while (mw_proxy_tlv_next(buf, &h, &it, &t))
        CHECK_EQ_INT(t.errors, t.type == MW_PP2_TYPE_CRC32C ? MW_PROXY_TLV_E_CRC32C : 0);

    /* Malformed TLVs, one at a time. */
    static const struct {
        const char *bytes;
        size_t n;
        unsigned tlv_errors, sub_errors;
        size_t count;
    } bad[] = {
        {"\x02\x00\x05mail", 7, MW_PROXY_TLV_E_OVERRUN, 0, 1},      /* value past the header */
        {"\x02\x00", 2, MW_PROXY_TLV_E_OVERRUN, 0, 1},              /* no room for the length */
        {"\x02", 1, MW_PROXY_TLV_E_OVERRUN, 0, 1},
        {"\x04\x00\x00\x02", 4, MW_PROXY_TLV_E_OVERRUN, 0, 2},      /* a good NOOP, then a stub */
        {"\x03\x00\x03\0\0\0", 6, MW_PROXY_TLV_E_LENGTH, 0, 1},     /* CRC32C of 3 bytes */
        {"\x03\x00\x05\0\0\0\0\0", 8, MW_PROXY_TLV_E_LENGTH, 0, 1},
        {"\x20\x00\x04\0\0\0\0", 7, MW_PROXY_TLV_E_LENGTH, 0, 1},   /* SSL under 5 bytes */
        {"\x20\x00\x08\x01\0\0\0\0\x21\x00\x09", 11, 0, MW_PROXY_TLV_E_OVERRUN, 1}, /* sub-TLV overruns SSL */
        {"\x20\x00\x06\x01\0\0\0\0\x21", 9, 0, MW_PROXY_TLV_E_OVERRUN, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        len = with_tlvs(buf, B(bad[i].bytes), bad[i].n, &h);
        CHECK_EQ_INT(h.errors, MW_PROXY_E_V2_TLV);
        CHECK(!h.use_addresses);
        CHECK_EQ_INT(h.tlv_count, bad[i].count);
        CHECK_EQ_INT(h.len, len);
        mw_proxy_tlv_begin(&h, &it);
        size_t got = 0;
        unsigned errs = 0, sub_errs = 0;
        while (mw_proxy_tlv_next(buf, &h, &it, &t)) {
            got++;
            errs |= t.errors;
            CHECK(t.span.off + t.span.len <= len);
            CHECK(t.value.off + t.value.len <= len);
            if (t.type == MW_PP2_TYPE_SSL && t.errors == 0) {
                mw_proxy_tlv_begin_ssl(&t, &si);
                while (mw_proxy_tlv_next(buf, &h, &si, &st)) {
                    sub_errs |= st.errors;
                    CHECK(st.value.off + st.value.len <= t.value.off + t.value.len);
                }
            }
        }
        CHECK_EQ_INT(got, bad[i].count);
        CHECK_EQ_INT(errs, bad[i].tlv_errors);
        CHECK_EQ_INT(sub_errs, bad[i].sub_errors);
    }
    /* UNIQUE_ID: 128 bytes is the most. */
    memset(tl, 'u', sizeof tl);
    memcpy(tl, "\x05\x00\x80", 3);
    with_tlvs(buf, tl, 3 + 128, &h);
    CHECK_EQ_INT(h.errors, 0);
    memcpy(tl, "\x05\x00\x81", 3);
    with_tlvs(buf, tl, 3 + 129, &h);
    CHECK_EQ_INT(h.errors, MW_PROXY_E_V2_TLV);
    mw_proxy_tlv_begin(&h, &it);
    CHECK(mw_proxy_tlv_next(buf, &h, &it, &t));
    CHECK_EQ_INT(t.errors, MW_PROXY_TLV_E_LENGTH);
    /* UNSPEC: what follows the fixed part is opaque, not TLVs. */
    len = v2(buf, 0x20, 0x00, B("\x04\x00\x09z"), 4);
    CHECK_EQ_INT(mw_proxy_parse(buf, len, false, &h), MW_PROXY_HEADER);
    CHECK_EQ_INT(h.errors, 0);
    CHECK_EQ_INT(h.payload.len, 4);
    CHECK_EQ_INT(h.tlvs.len, 0);
    CHECK_EQ_INT(h.tlv_count, 0);
}

static void test_names(void)
{
    for (unsigned i = 0; i < MW_PROXY_E_COUNT; i++) {
        const char *s = mw_proxy_error_text(1u << i);
        CHECK(s != NULL && s[0] != '\0');
        for (unsigned k = 0; k < i; k++)
            CHECK(strcmp(s, mw_proxy_error_text(1u << k)) != 0);
    }
    CHECK(mw_proxy_error_text(1u << MW_PROXY_E_COUNT) == NULL);
    CHECK(mw_proxy_error_text(3) == NULL);
    CHECK(mw_proxy_error_text(0) == NULL);
    CHECK(strcmp(mw_proxy_error_text(MW_PROXY_E_V1_TOO_LONG), "v1 line longer than 107 bytes") == 0);
    CHECK(strcmp(mw_proxy_command_name(0), "LOCAL") == 0);
    CHECK(strcmp(mw_proxy_command_name(1), "PROXY") == 0);
    CHECK(strcmp(mw_proxy_command_name(2), "unknown") == 0);
    CHECK(strcmp(mw_proxy_family_name(0), "UNSPEC") == 0);
    CHECK(strcmp(mw_proxy_family_name(1), "AF_INET") == 0);
    CHECK(strcmp(mw_proxy_family_name(2), "AF_INET6") == 0);
    CHECK(strcmp(mw_proxy_family_name(3), "AF_UNIX") == 0);
    CHECK(strcmp(mw_proxy_family_name(4), "unknown") == 0);
    CHECK(strcmp(mw_proxy_transport_name(0), "UNSPEC") == 0);
    CHECK(strcmp(mw_proxy_transport_name(1), "STREAM") == 0);
    CHECK(strcmp(mw_proxy_transport_name(2), "DGRAM") == 0);
    CHECK(strcmp(mw_proxy_transport_name(3), "unknown") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x20, false), "SSL") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x20, true), "unassigned") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x02, false), "AUTHORITY") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x03, false), "CRC32C") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x05, false), "UNIQUE_ID") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0xef, true), "custom") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0xef, false), "custom") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0xea, false), "AWS") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0xee, false), "AZURE") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x26, true), "SSL_GROUP") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x27, true), "SSL_SIG_SCHEME") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x28, true), "SSL_CLIENT_CERT") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x29, true), "unassigned") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x28, false), "unassigned") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0xf7, false), "experimental") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0xff, false), "future") == 0);
    CHECK(strcmp(mw_proxy_tlv_name(0x00, false), "unassigned") == 0);
}

int main(void)
{
    test_detect();
    test_v1_captures();
    test_v1_bad_captures();
    test_v1_errors();
    test_v2_captures();
    test_v2_errors();
    test_tlvs();
    test_names();
    return CHECK_DONE();
}

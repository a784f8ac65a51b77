#!/usr/bin/env python3
"""Print valid NTLMSSP NEGOTIATE, CHALLENGE and AUTHENTICATE messages (MS-NLMP 2.2.1) and a
GSS-API initial token (RFC 2743 3.1) that carries SPNEGO (RFC 4178) with the NEGOTIATE inside, each
base64 on a line of its own, for crafted SASL captures.  The values are fixed (user "alice",
domain "EXAMPLE", workstation "WS01"), so the output never changes; the responses are well formed
but not computed from a password.
"""
import base64
import struct

SIG = b"NTLMSSP\0"
FLAGS = 0xE2888215  # UNICODE, REQUEST_TARGET, NTLM, ALWAYS_SIGN, ESS, TARGET_INFO, VERSION, 128, KEY_EXCH, 56
VERSION = bytes([10, 0]) + struct.pack("<H", 19041) + bytes([0, 0, 0, 15])  # Windows 10, NTLM rev 15


def u16(s):
    return s.encode("utf-16-le")


def field(data, off):
    return struct.pack("<HHI", len(data), len(data), off)


def av_pairs(pairs):
    out = b""
    for k, v in pairs:
        out += struct.pack("<HH", k, len(v)) + v
    return out + struct.pack("<HH", 0, 0)  # MsvAvEOL


def negotiate():
    flags = 0xE2088297
    return SIG + struct.pack("<I", 1) + struct.pack("<I", flags) + field(b"", 40) + field(b"", 40) + VERSION


def challenge():
    target = u16("EXAMPLE")
    info = av_pairs([(2, u16("EXAMPLE")), (1, u16("MAIL")), (4, u16("example.net")),
                     (3, u16("mail.example.net")), (7, struct.pack("<Q", 133000000000000000))])
    off = 56
    return (SIG + struct.pack("<I", 2) + field(target, off) + struct.pack("<I", FLAGS) +
            bytes.fromhex("0123456789abcdef") + bytes(8) + field(info, off + len(target)) + VERSION +
            target + info)


def authenticate():
    domain, user, ws = u16("EXAMPLE"), u16("alice"), u16("WS01")
    blob = (bytes([1, 1, 0, 0]) + bytes(4) + struct.pack("<Q", 133000000000000000) +
            bytes.fromhex("a1b2c3d4e5f60718") + bytes(4) +
            av_pairs([(2, u16("EXAMPLE")), (1, u16("MAIL")), (6, struct.pack("<I", 2))]) + bytes(4))
    nt = bytes.fromhex("00112233445566778899aabbccddeeff") + blob
    lm = bytes(24)
    key = bytes.fromhex("fedcba98765432100123456789abcdef")
    off = 88  # header with version and MIC
    parts = [lm, nt, domain, user, ws, key]
    fields, at = b"", off
    for p in parts:
        fields += field(p, at)
        at += len(p)
    return (SIG + struct.pack("<I", 3) + fields + struct.pack("<I", FLAGS) + VERSION + bytes(16) +
            b"".join(parts))


def der(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(lb)]) + lb + body


def spnego_init(mech_token):
    spnego_oid = der(0x06, bytes.fromhex("2b0601050502"))
    ntlm_oid = der(0x06, bytes.fromhex("2b0601040182370202 0a".replace(" ", "")))
    neg = der(0x30, der(0xA0, der(0x30, ntlm_oid)) + der(0xA2, der(0x04, mech_token)))
    return der(0x60, spnego_oid + der(0xA0, neg))


for name, msg in (("negotiate", negotiate()), ("challenge", challenge()),
                  ("authenticate", authenticate()), ("gssapi-spnego", spnego_init(negotiate()))):
    print(name, base64.b64encode(msg).decode())

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Craft captures/dkim-dns-odd-keys.pcap: DNS answers with DKIM key records
that a verifier must not take as they are, or must read with care.

    /usr/bin/python3 captures/lab/dkim/dns-odd-keys.py

Each answer is a UDP datagram from 127.0.0.53:53 (raw IPv4, no checksums),
built with dnspython; timestamps are fixed, so the file is the same on every
run.  Frames (odd frames are the queries, even ones the answers):
  2   revoked._domainkey.lab.test: p= empty (the key is revoked)
  4   baddata._domainkey.lab.test: p= is base64 but no RSA key
  6   dsa._domainkey.lab.test: k=dsa, an unknown key type
  8   testing._domainkey.lab.test: the ed25519 key of the lab with t=y
  10  two records in one answer: spf (not DKIM, ignored) and
      three._domainkey.lab.test, the lab's rsa2026 key in three strings
  12  ed2026._domainkey.lab.test twice in one answer, one record unusable:
      the usable one is used, whatever the order
"""
import os
import re
import struct

import dns.message
import dns.rrset

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "dkim-dns-odd-keys.pcap")


def lab_key(name):
    with open(os.path.join(HERE, "dkim.keys")) as f:
        for line in f:
            if line.startswith(name + "._domainkey."):
                return "".join(re.findall(r'"([^"]*)"', line))
    raise SystemExit("no key %s in dkim.keys" % name)


def txt(*strings):
    return " ".join('"%s"' % s for s in strings)


RSA = lab_key("rsa2026")
ED = lab_key("ed2026")
ANSWERS = [
    ("revoked._domainkey.lab.test", [txt("v=DKIM1; k=rsa; p=")]),
    ("baddata._domainkey.lab.test", [txt("v=DKIM1; k=rsa; p=AAAAAAAA")]),
    ("dsa._domainkey.lab.test", [txt("v=DKIM1; k=dsa; p=AAAAAAAA")]),
    ("testing._domainkey.lab.test", [txt(ED.replace("v=DKIM1;", "v=DKIM1; t=y;"))]),
    ("three._domainkey.lab.test", [txt(RSA[:120], RSA[120:250], RSA[250:])],
     ("lab.test", [txt("v=spf1 -all")])),
    ("ed2026._domainkey.lab.test", [txt(ED), txt(ED.replace("p=", "p=AAAA"))]),
]


def ip_udp(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                      bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    hdr = hdr[:10] + struct.pack("!H", ~s & 0xffff) + hdr[12:]
    return hdr + udp


def main():
    frames = []
    for k, spec in enumerate(ANSWERS):
        name, records = spec[0], spec[1]
        q = dns.message.make_query(name, "TXT")
        q.id = 0x1000 + k
        r = dns.message.make_response(q)
        r.answer.append(dns.rrset.from_text_list(name + ".", 300, "IN", "TXT", records))
        for extra in spec[2:]:
            r.answer.append(dns.rrset.from_text_list(extra[0] + ".", 300, "IN", "TXT", extra[1]))
        port = 40000 + k
        frames.append(ip_udp("127.0.0.1", "127.0.0.53", port, 53, q.to_wire()))
        frames.append(ip_udp("127.0.0.53", "127.0.0.1", 53, port, r.to_wire()))
    with open(OUT, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
        for i, p in enumerate(frames):
            f.write(struct.pack("<IIII", 1767225600 + i, 0, len(p), len(p)) + p)


if __name__ == "__main__":
    main()

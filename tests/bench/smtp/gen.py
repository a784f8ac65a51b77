#!/usr/bin/env python3
"""Write pcap files of SMTP sessions for timing the dissector (stdlib only).

    gen.py OUTDIR [--small-sessions N] [--sizes 8,64]

Files written:
  smtp-small.pcap       N sessions (default 1000) on port 25, each EHLO, MAIL,
                        RCPT, DATA, a ~2 KB message, QUIT
  smtp-NNmb.pcap        one session whose message is NN MiB, for each size

Every session is a proper TCP conversation (handshake, FIN): the client's
message goes in 1448-octet segments with consistent seq/ack, the server
acknowledges every second segment, replies are one segment each.  Checksums
are left zero (Wireshark does not verify them by default).
"""
import argparse
import os
import struct
import sys

MSS = 1448
LINKTYPE_ETHERNET = 1


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        self.t = 1_700_000_000.0

    def frame(self, data, dt=0.00002):
        self.t += dt
        sec = int(self.t)
        usec = int((self.t - sec) * 1e6)
        self.f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
        self.f.write(data)

    def close(self):
        self.f.close()


def ip_checksum(h):
    s = sum(struct.unpack("!10H", h))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


ETH_C2S = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
ETH_S2C = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"


class Tcp:
    """One TCP conversation between a client and port 25."""

    def __init__(self, pcap, n):
        self.p = pcap
        self.cip = bytes([10, 1, (n >> 8) & 0xFF, n & 0xFF])
        self.sip = bytes([10, 2, 0, 25])
        self.cport = 20000 + n % 40000
        self.sport = 25
        self.cseq = 1000 + n * 7
        self.sseq = 5000 + n * 13
        self.ipid = 0

    def _seg(self, from_client, flags, payload=b""):
        if from_client:
            src, dst, sp, dp, seq, ack, eth = (self.cip, self.sip, self.cport, self.sport,
                                               self.cseq, self.sseq, ETH_C2S)
        else:
            src, dst, sp, dp, seq, ack, eth = (self.sip, self.cip, self.sport, self.cport,
                                               self.sseq, self.cseq, ETH_S2C)
        if flags == 0x02:
            ack = 0  # a SYN acknowledges nothing
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, 65535, 0, 0)
        self.ipid = (self.ipid + 1) & 0xFFFF
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, self.ipid, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
        self.p.frame(eth + ip + tcp + payload)
        adv = len(payload) + (1 if flags & 0x03 else 0)  # SYN/FIN take one
        if from_client:
            self.cseq += adv
        else:
            self.sseq += adv

    def open(self):
        self._seg(True, 0x02)
        self._seg(False, 0x12)
        self._seg(True, 0x10)

    def close(self):
        self._seg(True, 0x11)
        self._seg(False, 0x11)
        self._seg(True, 0x10)

    def client(self, data):
        """Client bytes in MSS segments; the server ACKs every second one."""
        n = 0
        for off in range(0, len(data), MSS):
            self._seg(True, 0x18, data[off:off + MSS])
            n += 1
            if n % 2 == 0:
                self._seg(False, 0x10)
        if n % 2:
            self._seg(False, 0x10)

    def server(self, data):
        self._seg(False, 0x18, data)
        self._seg(True, 0x10)


def body_block():
    """About 64 KiB of message text: plain lines, some starting with a dot."""
    lines = []
    for i in range(850):
        if i % 97 == 0:
            lines.append(b"..a line that starts with a dot (stuffed) %05d" % i)
        else:
            lines.append(b"Line %05d of the benchmark message, plain ASCII text for the body." % i)
    return b"\r\n".join(lines) + b"\r\n"


def message(size, n):
    head = (b"From: Alice <alice@bench.test>\r\nTo: Bob <bob@bench.test>\r\n"
            b"Subject: benchmark message %d\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            b"Message-ID: <bench-%d@bench.test>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=us-ascii\r\n\r\n" % (n, n))
    block = body_block()
    reps = max(0, size - len(head)) // len(block) + 1
    body = (block * reps)[:max(0, size - len(head))]
    cut = body.rfind(b"\r\n")
    body = body[:cut + 2] if cut >= 0 else b""
    return head + body  # already dot-stuffed, ends with CRLF


def session(pcap, n, size):
    t = Tcp(pcap, n)
    t.open()
    t.server(b"220 mx.bench.test ESMTP\r\n")
    t.client(b"EHLO client%d.bench.test\r\n" % n)
    t.server(b"250-mx.bench.test\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250 8BITMIME\r\n")
    t.client(b"MAIL FROM:<alice@bench.test>\r\n")
    t.server(b"250 2.1.0 Ok\r\n")
    t.client(b"RCPT TO:<bob@bench.test>\r\n")
    t.server(b"250 2.1.5 Ok\r\n")
    t.client(b"DATA\r\n")
    t.server(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    t.client(message(size, n) + b".\r\n")
    t.server(b"250 2.0.0 Ok: queued as B%07d\r\n" % n)
    t.client(b"QUIT\r\n")
    t.server(b"221 2.0.0 Bye\r\n")
    t.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--small-sessions", type=int, default=1000)
    ap.add_argument("--sizes", default="8,64", help="MiB sizes of the single-message files")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    path = os.path.join(a.outdir, "smtp-small.pcap")
    p = Pcap(path)
    for n in range(a.small_sessions):
        session(p, n, 2048)
    p.close()
    print(path)
    for mb in [int(x) for x in a.sizes.split(",") if x]:
        path = os.path.join(a.outdir, f"smtp-{mb}mb.pcap")
        p = Pcap(path)
        session(p, 1, mb << 20)
        p.close()
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Write a pcap of one IMAP session on port 143 that FETCHes one message of
a chosen size as a single BODY[] literal, for timing dissectors.

The session: greeting, LOGIN, SELECT, UID FETCH 1 BODY[], LOGOUT.  The
server sends the literal in full-size segments (default 1448 octets, the
payload of a 1500-octet MTU with TCP timestamps); the client acknowledges
every second segment.  Sequence and acknowledgement numbers are exact, so
TCP analysis sees no loss or retransmission.  Python standard library only.

    gen_fetch_literal.py --size-mib 8 --out /tmp/imap-fetch-8m.pcap
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from pcapbytes import PCAP_HEADER, ipv4_tcp  # noqa: E402

CLIENT = (bytes([192, 0, 2, 10]), 50143)
SERVER = (bytes([192, 0, 2, 20]), 143)
MAC_C = bytes.fromhex("020000000010")
MAC_S = bytes.fromhex("020000000020")


class Writer:
    """Ethernet/IPv4/TCP frames into a classic pcap file."""

    def __init__(self, out):
        self.out = out
        self.t = 1736150400.0  # 2025-01-06
        self.ipid = 1
        out.write(PCAP_HEADER)

    def frame(self, src, dst, smac, dmac, seq, ack, flags, payload=b""):
        tcp_len = 20
        tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          (tcp_len // 4) << 4, flags, 65535, 0, 0)
        # The TCP checksum is left 0 (as with checksum offload); Wireshark
        # does not check it by default.
        ip = ipv4_tcp(src[0], dst[0], tcp_len + len(payload), self.ipid)
        self.ipid += 1
        pkt = dmac + smac + b"\x08\x00" + ip + tcp + payload
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6))
        self.out.write(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)))
        self.out.write(pkt)
        self.t += 0.00001


class Session:
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01

    def __init__(self, w):
        self.w = w
        self.cseq = 1000
        self.sseq = 500000

    def handshake(self):
        w = self.w
        w.frame(CLIENT, SERVER, MAC_C, MAC_S, self.cseq, 0, self.SYN)
        w.frame(SERVER, CLIENT, MAC_S, MAC_C, self.sseq, self.cseq + 1, self.SYN | self.ACK)
        self.cseq += 1
        self.sseq += 1
        w.frame(CLIENT, SERVER, MAC_C, MAC_S, self.cseq, self.sseq, self.ACK)

    def client(self, data, mss=1448):
        for i in range(0, len(data), mss):
            chunk = data[i:i + mss]
            self.w.frame(CLIENT, SERVER, MAC_C, MAC_S, self.cseq, self.sseq, self.ACK | self.PSH, chunk)
            self.cseq += len(chunk)

    def client_ack(self):
        self.w.frame(CLIENT, SERVER, MAC_C, MAC_S, self.cseq, self.sseq, self.ACK)

    def server(self, data, mss):
        """Send data in segments of at most mss octets, acked every second one."""
        n = 0
        data = memoryview(data)
        for i in range(0, len(data), mss):
            chunk = data[i:i + mss]
            self.w.frame(SERVER, CLIENT, MAC_S, MAC_C, self.sseq, self.cseq, self.ACK | self.PSH, chunk)
            self.sseq += len(chunk)
            n += 1
            if n % 2 == 0:
                self.client_ack()
        if n % 2:
            self.client_ack()

    def close(self):
        w = self.w
        w.frame(SERVER, CLIENT, MAC_S, MAC_C, self.sseq, self.cseq, self.FIN | self.ACK)
        self.sseq += 1
        w.frame(CLIENT, SERVER, MAC_C, MAC_S, self.cseq, self.sseq, self.FIN | self.ACK)
        self.cseq += 1
        w.frame(SERVER, CLIENT, MAC_S, MAC_C, self.sseq, self.cseq, self.ACK)


def message(size):
    """An RFC 5322 message of exactly size octets: header, then 76-octet lines."""
    head = (b"From: Alice Example <alice@lab.test>\r\n"
            b"To: bob@lab.test\r\n"
            b"Subject: Bench message of %d octets\r\n"
            b"Date: Mon, 06 Jan 2025 09:00:00 +0000\r\n"
            b"Message-ID: <bench-%d@lab.test>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=us-ascii\r\n"
            b"\r\n") % (size, size)
    line = (b"The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopq" + b"\r\n")
    body_len = size - len(head)
    if body_len < 0:
        raise SystemExit("size too small for the header")
    reps = body_len // len(line)
    body = line * reps
    rest = body_len - len(body)
    if rest >= 2:
        body += b"x" * (rest - 2) + b"\r\n"
    elif rest == 1:
        body += b"\n"
    msg = head + body
    assert len(msg) == size
    return msg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mib", type=float, required=True, help="literal size in MiB")
    ap.add_argument("--mss", type=int, default=1448, help="server segment payload (octets)")
    ap.add_argument("--out", required=True, help="pcap file to write")
    a = ap.parse_args()
    size = int(a.size_mib * 1024 * 1024)
    msg = message(size)
    with open(a.out, "wb", buffering=1 << 22) as f:
        w = Writer(f)
        s = Session(w)
        s.handshake()
        s.server(b"* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] bench ready\r\n", a.mss)
        s.client(b"a1 LOGIN bob secret\r\n")
        s.server(b"a1 OK Logged in\r\n", a.mss)
        s.client(b"a2 SELECT INBOX\r\n")
        s.server(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                 b"* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1736150400] UIDs valid\r\n"
                 b"* OK [UIDNEXT 2] Predicted next UID\r\n"
                 b"a2 OK [READ-WRITE] Select completed\r\n", a.mss)
        s.client(b"a3 UID FETCH 1 (UID RFC822.SIZE BODY[])\r\n")
        # The FETCH response: its first line, the literal and the closing
        # parenthesis and completion, as one byte stream cut into segments.
        resp = (b"* 1 FETCH (UID 1 RFC822.SIZE %d BODY[] {%d}\r\n" % (size, size) + msg +
                b")\r\na3 OK Fetch completed\r\n")
        s.server(resp, a.mss)
        s.client(b"a4 LOGOUT\r\n")
        s.server(b"* BYE Logging out\r\na4 OK Logout completed\r\n", a.mss)
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

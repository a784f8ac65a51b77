#!/usr/bin/env python3
"""Write a POP3 capture (pcap, port 110) for benchmarks: a session whose RETR
brings a message of about SIZE bytes, in 1448-byte server segments with
correct TCP sequence and acknowledgement numbers.

    gen_pop_retr.py SIZE_MB OUT.pcap

The message is text with headers, dot-stuffed lines now and then, and a
base64 part, so the body scanner, unstuffing and the message view all work.
Python standard library only; the capture is written where OUT says (keep it
out of the repository).
"""
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from pcapbytes import PCAP_HEADER, checksum, ipv4_tcp  # noqa: E402

MSS = 1448
CLIENT = (b"\x0a\x00\x00\x01", 40110)
SERVER = (b"\x0a\x00\x00\x02", 110)


class Writer:
    def __init__(self, f):
        self.f = f
        self.t = 1736150400.0
        self.seq = {CLIENT: 1000, SERVER: 500000}
        f.write(PCAP_HEADER)

    def packet(self, src, dst, flags, payload=b""):
        seq, ack = self.seq[src], self.seq[dst]
        tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, 65535, 0, 0)
        ip = ipv4_tcp(src[0], dst[0], len(tcp) + len(payload))
        pseudo = src[0] + dst[0] + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp + payload)) + tcp[18:]
        frame = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + tcp + payload
        self.t += 0.00001
        sec = int(self.t)
        self.f.write(struct.pack("<IIII", sec, int((self.t - sec) * 1e6), len(frame), len(frame)))
        self.f.write(frame)
        self.seq[src] += len(payload) + (1 if flags & 0x03 else 0)

    def send(self, src, data):
        dst = SERVER if src == CLIENT else CLIENT
        for i in range(0, len(data), MSS):
            self.packet(src, dst, 0x18, data[i:i + MSS])
            if i // MSS % 2 == 1:
                self.packet(dst, src, 0x10)  # an ACK every other segment, as on a wire
        if len(data) <= MSS or (len(data) - 1) // MSS % 2 == 0:
            self.packet(dst, src, 0x10)


def message(size):
    head = (b"Date: Mon, 06 Jan 2025 09:00:00 +0000\r\nFrom: Bench <bench@lab.test>\r\n"
            b"To: Bob <bob@lab.test>\r\nSubject: POP benchmark message\r\n"
            b"Message-ID: <pop-bench@lab.test>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
            b"Content-Type: text/plain\r\n\r\n")
    text = []
    n = 0
    while n < size // 2:
        line = b"line %07d: the quick brown fox jumps over the lazy dog.\r\n" % len(text)
        if len(text) % 1000 == 999:
            line = b".leading dot line\r\n"
        text.append(line)
        n += len(line)
    body = b"".join(text)
    att = base64.encodebytes(bytes(range(256)) * ((size - n) // 342 + 1)).replace(b"\n", b"\r\n")
    return head + body + b"--b\r\nContent-Type: application/octet-stream\r\n" \
        b"Content-Transfer-Encoding: base64\r\n\r\n" + att + b"--b--\r\n"


def stuff(msg):
    lines = msg.split(b"\r\n")
    return b"\r\n".join(b"." + l if l.startswith(b".") else l for l in lines)


def main():
    size = int(float(sys.argv[1]) * 1024 * 1024)
    msg = message(size)
    with open(sys.argv[2], "wb") as f:
        w = Writer(f)
        w.packet(CLIENT, SERVER, 0x02)
        w.seq[SERVER] -= 0  # SYN+ACK from the server's initial sequence
        w.packet(SERVER, CLIENT, 0x12)
        w.packet(CLIENT, SERVER, 0x10)
        talk = [(b"", b"+OK POP3 bench ready\r\n"), (b"USER bob\r\n", b"+OK\r\n"),
                (b"PASS secret\r\n", b"+OK Logged in.\r\n"), (b"STAT\r\n", b"+OK 1 %d\r\n" % len(msg)),
                (b"RETR 1\r\n", b"+OK %d octets\r\n" % len(msg) + stuff(msg) + b".\r\n"),
                (b"QUIT\r\n", b"+OK Bye.\r\n")]
        for cmd, resp in talk:
            if cmd:
                w.send(CLIENT, cmd)
            w.send(SERVER, resp)
    print("%s: message %d bytes" % (sys.argv[2], len(msg)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Hostile and broken mail traffic as pcapng files with proper TCP.

    gen.py OUTDIR [NAME...]          write the named cases (default: the small ones)
    gen.py --list                    list the cases, small and big

Every case is a made-up conversation between 192.0.2.1 (client) and
192.0.2.25 (server) with real TCP numbering: handshake, sequence and
acknowledgement numbers, checksums.  After the hostile part most cases go on
with normal commands on the same connection, so a test can check that
dissection resumes.  The small cases are committed as captures/hostile-*.pcapng
(regenerate them with `gen.py captures`); the big ones are made at test time
(tests/hostile/run-big.sh).  Standard library only.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pcapbytes import checksum as csum, ipv4_tcp  # noqa: E402

CLIENT_IP, SERVER_IP = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 25])
MSS = 1400


class Pcapng:
    """Writes Ethernet frames into a pcapng file, one microsecond apart."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.t = 1700000000 * 1000000
        shb_body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
        self._block(0x0A0D0D0A, shb_body)
        self._block(1, struct.pack("<HHI", 1, 0, 262144))  # Ethernet, snaplen

    def _block(self, btype, body):
        pad = (-len(body)) % 4
        total = 12 + len(body) + pad
        self.f.write(struct.pack("<II", btype, total) + body + b"\0" * pad + struct.pack("<I", total))

    def frame(self, data):
        self.t += 1000
        hi, lo = self.t >> 32, self.t & 0xFFFFFFFF
        self._block(6, struct.pack("<IIIII", 0, hi, lo, len(data), len(data)) + data)

    def close(self):
        self.f.close()


class Conn:
    """One TCP connection; c()/s() send data from the client/server side."""

    def __init__(self, out, sport, dport, handshake=True, cseq=1000, sseq=5000):
        self.out, self.sport, self.dport = out, sport, dport
        self.seq = {"c": cseq, "s": sseq}
        if handshake:
            self._seg("c", b"", 0x02)
            self.seq["c"] += 1
            self._seg("s", b"", 0x12)
            self.seq["s"] += 1
            self._seg("c", b"", 0x10)

    def _seg(self, d, payload, flags=0x18, seq=None, write=True, ack=None):
        src, dst = (CLIENT_IP, SERVER_IP) if d == "c" else (SERVER_IP, CLIENT_IP)
        sp, dp = (self.sport, self.dport) if d == "c" else (self.dport, self.sport)
        other = "s" if d == "c" else "c"
        seq = self.seq[d] if seq is None else seq
        if ack is None:
            ack = self.seq[other]
        if flags == 0x02:
            ack = 0
        if flags == 0x02:
            flags_v = 0x02
        else:
            flags_v = flags | 0x10
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags_v,
                          65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp + payload)) + tcp[18:]
        ip = ipv4_tcp(src, dst, len(tcp) + len(payload), ipid=1)
        eth = (b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01") if d == "c" else (b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02")
        if write:
            self.out.frame(eth + b"\x08\x00" + ip + tcp + payload)
        return eth + b"\x08\x00" + ip + tcp + payload

    def send(self, d, data, seg=MSS):
        for i in range(0, len(data), seg):
            chunk = data[i:i + seg]
            self._seg(d, chunk)
            self.seq[d] += len(chunk)

    def c(self, data, seg=MSS):
        self.send("c", data, seg)

    def s(self, data, seg=MSS):
        self.send("s", data, seg)

    def lose(self, d, data):
        """The bytes were sent but the capture missed them."""
        self.seq[d] += len(data)

    def retransmit(self, d, data):
        """Send data, then the same segment again."""
        start = self.seq[d]
        self.send(d, data)
        self._seg(d, data, seq=start)

    def out_of_order(self, d, first, second):
        """Two segments whose second part arrives before the first."""
        start = self.seq[d]
        self._seg(d, second, seq=start + len(first))
        self._seg(d, first, seq=start)
        self.seq[d] += len(first) + len(second)

    def close(self):
        self._seg("c", b"", 0x11)
        self.seq["c"] += 1
        self._seg("s", b"", 0x11)
        self.seq["s"] += 1
        self._seg("c", b"", 0x10)


def smtp_start(w, port=25, sport=40000):
    k = Conn(w, sport, port)
    k.s(b"220 mx.example.test ESMTP\r\n")
    k.c(b"EHLO client.example.test\r\n")
    k.s(b"250-mx.example.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 8BITMIME\r\n")
    return k


def smtp_to_data(k):
    """alice to bob, up to the 354 that opens the message."""
    k.c(b"MAIL FROM:<alice@example.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<bob@example.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"DATA\r\n")
    k.s(b"354 End data with <CR><LF>.<CR><LF>\r\n")


def imap_start(w, sport=40100):
    k = Conn(w, sport, 143)
    k.s(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n")
    k.c(b"a1 LOGIN user pass\r\n")
    k.s(b"a1 OK logged in\r\n")
    return k


def pop_start(w, sport=40200):
    k = Conn(w, sport, 110)
    k.s(b"+OK POP3 ready\r\n")
    k.c(b"USER user\r\n")
    k.s(b"+OK\r\n")
    k.c(b"PASS pass\r\n")
    k.s(b"+OK logged in\r\n")
    return k


TLS_CLIENT_HELLO = bytes.fromhex(
    "16030100a5010000a10303" + "11" * 32 + "00" + "0020" + "c02bc02fc02cc030cca9cca8c013c014009c009d002f0035000a1301"
    "13021303" + "0100" + "0056" + "000000150013000010" + "6d782e6578616d706c652e74657374"[:32]
    + "000a00080006001d00170018" + "000b00020100" + "000d0012001004030804040105030805050108060601"
    + "00170000")
JUNK = bytes((i * 73 + 41) & 0xFF for i in range(600)) + b"\x00\xff\xfe\r\x00\n"


# ---- small cases: committed as captures/hostile-*.pcapng ----

def smtp_midsession(w):
    # No handshake, no greeting: the capture starts inside a transaction.
    k = Conn(w, 40001, 25, handshake=False)
    k.c(b"RCPT TO:<bob@example.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"DATA\r\n")
    k.s(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    k.c(b"Subject: mid\r\n\r\nbody\r\n.\r\n")
    k.s(b"250 2.0.0 Ok: queued\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")


def smtp_lost(w):
    k = smtp_start(w)
    k.c(b"MAIL FROM:<alice@example.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.lose("c", b"RCPT TO:<bob@example.test>\r\nDATA\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.lose("s", b"354 End data with <CR><LF>.<CR><LF>\r\n")
    k.c(b"Subject: x\r\n\r\nbody\r\n.\r\n")
    k.s(b"250 2.0.0 Ok: queued\r\n")
    k.c(b"NOOP\r\n")
    k.s(b"250 2.0.0 Ok\r\n")
    k.close()


def imap_midsession(w):
    k = Conn(w, 40101, 143, handshake=False)
    k.s(b"* 3 EXISTS\r\n")
    k.s(b"b7 OK [READ-WRITE] SELECT completed\r\n")
    k.c(b"b8 FETCH 1 (FLAGS)\r\n")
    k.s(b"* 1 FETCH (FLAGS (\\Seen))\r\nb8 OK done\r\n")
    k.c(b"b9 NOOP\r\n")
    k.s(b"b9 OK done\r\n")


def imap_lost(w):
    k = imap_start(w)
    k.c(b"a2 SELECT INBOX\r\n")
    k.lose("s", b"* 1 EXISTS\r\n* 1 FETCH (BODY[] {20}\r\n")
    k.s(b"abcdefghij1234567890)\r\na2 OK done\r\n")
    k.c(b"a3 APPEND INBOX {30+}\r\n")
    k.lose("c", b"0123456789" * 2)
    k.c(b"0123456789\r\n")
    k.s(b"a3 OK appended\r\n")
    k.c(b"a4 NOOP\r\n")
    k.s(b"a4 OK done\r\n")
    k.close()


def pop_midsession(w):
    k = Conn(w, 40201, 110, handshake=False)
    k.s(b"From: a@example.test\r\n\r\nbody line\r\n.\r\n")
    k.c(b"DELE 1\r\n")
    k.s(b"+OK deleted\r\n")
    k.c(b"STAT\r\n")
    k.s(b"+OK 0 0\r\n")


def pop_lost(w):
    k = pop_start(w)
    k.c(b"RETR 1\r\n")
    k.s(b"+OK 60 octets\r\nFrom: a@example.test\r\n")
    k.lose("s", b"Subject: lost\r\n\r\nbody\r\n")
    k.s(b"more body\r\n.\r\n")
    k.c(b"NOOP\r\n")
    k.s(b"+OK\r\n")
    k.close()


def smtp_retrans_ooo(w):
    k = smtp_start(w)
    k.retransmit("c", b"MAIL FROM:<alice@example.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.out_of_order("c", b"RCPT TO:<bob@exa", b"mple.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.retransmit("s", b"250 2.1.5 Ok\r\n")
    k.c(b"NOOP\r\n")
    k.s(b"250 2.0.0 Ok\r\n")
    k.close()


def junk_on(w, port, sport, normal, reply):
    k = Conn(w, sport, port)
    k.s({25: b"220 mx.example.test ESMTP\r\n", 143: b"* OK ready\r\n", 110: b"+OK ready\r\n"}[port])
    k.c(JUNK + b"\r\n")
    k.s(reply)
    k.c(normal)
    k.s({25: b"250 2.0.0 Ok\r\n", 143: b"n1 OK done\r\n", 110: b"+OK\r\n"}[port])
    k.close()
    k = Conn(w, sport + 1, port)
    k.s({25: b"220 mx.example.test ESMTP\r\n", 143: b"* OK ready\r\n", 110: b"+OK ready\r\n"}[port])
    k.c(TLS_CLIENT_HELLO)
    k.s(reply)
    k.c(normal)
    k.s({25: b"250 2.0.0 Ok\r\n", 143: b"n1 OK done\r\n", 110: b"+OK\r\n"}[port])
    k.close()


def smtp_junk_tls(w):
    junk_on(w, 25, 40300, b"NOOP\r\n", b"500 5.5.2 Error: bad syntax\r\n")


def imap_junk_tls(w):
    junk_on(w, 143, 40310, b"n1 NOOP\r\n", b"* BAD Error in IMAP command\r\n")


def pop_junk_tls(w):
    junk_on(w, 110, 40320, b"NOOP\r\n", b"-ERR Unknown command\r\n")


def smtp_http(w):
    k = Conn(w, 40400, 25)
    k.s(b"220 mx.example.test ESMTP\r\n")
    k.c(b"GET / HTTP/1.1\r\nHost: mx.example.test\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n")
    k.s(b"500 5.5.2 Error: bad syntax\r\n500 5.5.2 Error: bad syntax\r\n500 5.5.2 Error: bad syntax\r\n"
        b"500 5.5.2 Error: bad syntax\r\n")
    k.c(b"EHLO client.example.test\r\n")
    k.s(b"250 mx.example.test\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()


def imap_huge_literals(w):
    k = imap_start(w)
    k.c(b"a2 APPEND INBOX {4294967296}\r\n")
    k.s(b"a2 NO [TOOBIG] message too large\r\n")
    k.c(b"a3 APPEND INBOX {99999999999999999999}\r\n")
    k.s(b"a3 BAD invalid literal size\r\n")
    k.c(b"a4 NOOP\r\n")
    k.s(b"a4 OK done\r\n")
    k.close()


def smtp_bdat_huge(w):
    k = smtp_start(w)
    k.c(b"MAIL FROM:<alice@example.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<bob@example.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"BDAT 18446744073709551615 LAST\r\n")
    k.s(b"552 5.3.4 Message size exceeds fixed limit\r\n")
    k.c(b"RSET\r\n")
    k.s(b"250 2.0.0 Ok\r\n")
    k.c(b"NOOP\r\n")
    k.s(b"250 2.0.0 Ok\r\n")
    k.close()


def imap_deep_nesting(w):
    k = imap_start(w)
    k.c(b"a1s SELECT INBOX\r\n")
    k.s(b"* 1 EXISTS\r\na1s OK [READ-WRITE] done\r\n")
    k.c(b"a2 FETCH 1 (BODYSTRUCTURE)\r\n")
    k.s(b"* 1 FETCH (BODYSTRUCTURE " + b"(" * 10000 + b")" * 10000 + b")\r\na2 OK done\r\n")
    k.c(b"a3 NOOP\r\n")
    k.s(b"a3 OK done\r\n")
    k.close()


def imap_pipeline(w):
    """40 commands in flight at once, completed in reverse order."""
    k = imap_start(w)
    k.c(b"".join(b"p%d NOOP\r\n" % i for i in range(1, 41)))
    k.s(b"".join(b"p%d OK done\r\n" % i for i in range(40, 0, -1)))
    k.c(b"a9 LOGOUT\r\n")
    k.s(b"* BYE\r\na9 OK bye\r\n")
    k.close()


def smtp_data_no_end(w):
    k = smtp_start(w)
    smtp_to_data(k)
    k.c(b"Subject: never ends\r\n\r\n" + b"line of body text\r\n" * 200)
    # The capture ends here: no terminator, no reply, no FIN.


# ---- big cases: generated at test time ----

def smtp_long_line(w):
    k = smtp_start(w)
    k.c(b"MAIL FROM:<" + b"a" * (10 * 1024 * 1024))  # 10 MB, no line end yet
    k.c(b"\r\n")
    k.s(b"500 5.5.0 Line too long\r\n")
    k.c(b"NOOP\r\n")
    k.s(b"250 2.0.0 Ok\r\n")
    k.close()


def smtp_pipelined_100k(w):
    k = smtp_start(w)
    k.c(b"NOOP\r\n" * 100000, seg=65000)
    k.s(b"250 2.0.0 Ok\r\n" * 100000, seg=65000)
    k.c(b"HELP\r\n")
    k.s(b"214 2.0.0 Ok\r\n")
    k.close()


def smtp_tiny_segments(w):
    k = smtp_start(w)
    data = (b"NOOP\r\n" * 166666)[:999990]
    k.c(data, seg=1)  # a million 1-byte segments (999 990 of them)
    k.s(b"250 2.0.0 Ok\r\n")
    k.c(b"HELP\r\n")
    k.s(b"214 2.0.0 Ok\r\n")
    k.close()


SMALL = {
    "hostile-smtp-midsession": smtp_midsession, "hostile-smtp-lost": smtp_lost,
    "hostile-imap-midsession": imap_midsession, "hostile-imap-lost": imap_lost,
    "hostile-pop-midsession": pop_midsession, "hostile-pop-lost": pop_lost,
    "hostile-smtp-retrans-ooo": smtp_retrans_ooo,
    "hostile-smtp-junk-tls": smtp_junk_tls, "hostile-imap-junk-tls": imap_junk_tls,
    "hostile-pop-junk-tls": pop_junk_tls, "hostile-smtp-http": smtp_http,
    "hostile-imap-huge-literals": imap_huge_literals, "hostile-smtp-bdat-huge": smtp_bdat_huge,
    "hostile-imap-deep-nesting": imap_deep_nesting, "hostile-smtp-data-no-end": smtp_data_no_end,
    "hostile-imap-pipeline": imap_pipeline,
}
# The shapes at 1x and 2x for tests/bench/shapes/run.sh (not listed).
BENCH = {}
BIG = {
    "hostile-big-smtp-long-line": smtp_long_line,
    "hostile-big-smtp-pipelined-100k": smtp_pipelined_100k,
    "hostile-big-smtp-tiny-segments": smtp_tiny_segments,
}


def _more_cases():
    """The TCP ordering cases live beside this file (tcp_cases.py)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import tcp_cases  # noqa: E402
    SMALL.update(tcp_cases.cases(sys.modules[__name__]))
    BIG.update(tcp_cases.big_cases(sys.modules[__name__]))
    import mime_cases  # noqa: E402
    SMALL.update(mime_cases.cases(sys.modules[__name__]))
    import shape_cases  # noqa: E402
    SMALL.update(shape_cases.cases(sys.modules[__name__]))
    BIG.update(shape_cases.big_cases(sys.modules[__name__]))
    BENCH.update(shape_cases.bench_cases(sys.modules[__name__]))
    import longline_cases  # noqa: E402
    SMALL.update(longline_cases.cases(sys.modules[__name__]))
    BIG.update(longline_cases.big_cases(sys.modules[__name__]))
    import compress_cases  # noqa: E402
    SMALL.update(compress_cases.cases(sys.modules[__name__]))


def main(argv):
    _more_cases()
    if argv[1:2] == ["--list"]:
        print("\n".join(list(SMALL) + list(BIG)))
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir, names = argv[1], argv[2:] or list(SMALL)
    os.makedirs(outdir, exist_ok=True)
    for name in names:
        fn = SMALL.get(name) or BIG.get(name) or BENCH.get(name)
        if fn is None:
            print(f"unknown case {name}", file=sys.stderr)
            return 2
        w = Pcapng(os.path.join(outdir, name + ".pcapng"))
        fn(w)
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

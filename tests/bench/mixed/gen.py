#!/usr/bin/env python3
"""Write a realistic mixed mail capture of a chosen size (classic pcap).

    gen.py --size 256M --seed 1 OUT.pcap

Thousands of SMTP (25), IMAP (143) and POP3 (110) sessions, many open at once
and interleaved segment by segment, over Ethernet/IPv4/TCP with a three-way
handshake, correct sequence and acknowledgement numbers, delayed ACKs,
1448-byte segments and FIN in both directions.  Message sizes are spread on a
log scale from 1 KB to several MB (most small, a few large MIME attachments).

What the sessions exercise:
  SMTP  EHLO with PIPELINING; MAIL/RCPT.../DATA sent in one write, replies in
        one write; dot-stuffed bodies; several messages per session; QUIT.
  IMAP  LOGIN, SELECT, UID FETCH responses with three literals each
        (header fields, header, text), APPEND with a synchronising {n}
        literal (continuation request) and with a LITERAL+ {n+} literal, LOGOUT.
  POP3  USER/PASS, LIST and UIDL multi-line responses, RETR with dot-stuffed
        lines, DELE, QUIT.

Deterministic for a given --seed and --size.  Python 3 standard library only.
TCP checksums are left zero (as in captures taken with checksum offload);
IPv4 header checksums are correct.
"""
import argparse
import base64
import math
import random
import struct
import sys

MSS = 1448
ACTIVE = 48              # sessions open at the same time (fewer below 48 MB)
BUFFER = 8 << 20         # write in large chunks

PCAP_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
REC = struct.Struct("<IIII")
ETH_IP = struct.Struct("!6s6sHBBHHHBBH4s4s")
TCP = struct.Struct("!HHIIBBHHH")
MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")

F_FIN, F_SYN, F_PSH, F_ACK = 0x01, 0x02, 0x08, 0x10

WORDS = (b"the of and to in is that for it as with was on be by at this have from or an "
         b"are not but had they which one you were all we when there can more would "
         b"meeting report invoice delivery schedule quarterly budget attached please "
         b"regards thanks review draft update project team server mailbox archive "
         b"Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod").split()


def parse_size(text):
    m = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().rstrip("B")
    if t and t[-1] in m:
        return int(float(t[:-1]) * m[t[-1]])
    return int(t)


class Pools:
    """Large blocks of text lines and base64 lines that bodies are cut from."""

    def __init__(self, rnd):
        lines = []
        total = 0
        while total < (2 << 20):
            n = rnd.randint(3, 14)
            line = b" ".join(rnd.choice(WORDS) for _ in range(n))
            r = rnd.random()
            if r < 0.03:
                line = b"." + line            # needs dot-stuffing
            elif r < 0.035:
                line = b"."                    # a lone dot inside the text
            elif r < 0.06:
                line = b""
            lines.append(line)
            total += len(line) + 2
        self.text = b"\r\n".join(lines) + b"\r\n"
        raw = rnd.randbytes(6 << 20)
        self.b64 = base64.encodebytes(raw).replace(b"\n", b"\r\n")

    @staticmethod
    def cut(pool, rnd, n):
        """About n bytes of whole CRLF lines from pool."""
        out = []
        have = 0
        while have < n:
            start = pool.find(b"\r\n", rnd.randrange(len(pool) // 2)) + 2
            chunk = pool[start:start + (n - have)]
            end = chunk.rfind(b"\r\n")
            if end < 0:
                chunk = pool[start:pool.find(b"\r\n", start) + 2]
            else:
                chunk = chunk[:end + 2]
            out.append(chunk)
            have += len(chunk)
        return b"".join(out)


def message_size(rnd):
    # log-normal around 8 KB, clamped to 1 KB .. 6 MB: most mail is small, a
    # few messages carry attachments of several MB.
    s = int(math.exp(rnd.gauss(math.log(8192), 1.6)))
    return max(1024, min(s, 6 << 20))


def make_message(rnd, pools, n, serial):
    frm = b"user%d@example.org" % rnd.randrange(5000)
    to = b"user%d@example.net" % rnd.randrange(5000)
    hdr = (b"Return-Path: <" + frm + b">\r\n"
           b"Received: from client.example.org (client.example.org [192.0.2.%d])\r\n"
           b"\tby mx.example.net with ESMTP id %08X; Mon, 3 Jun 2024 10:%02d:%02d +0000\r\n"
           % (rnd.randrange(1, 255), serial, rnd.randrange(60), rnd.randrange(60)) +
           b"From: Sender " + str(serial).encode() + b" <" + frm + b">\r\n"
           b"To: <" + to + b">\r\n"
           b"Subject: =?UTF-8?B?UmVwb3J0?= " + rnd.choice(WORDS) + b" " + rnd.choice(WORDS) + b"\r\n"
           b"Date: Mon, 3 Jun 2024 10:00:00 +0000\r\n"
           b"Message-ID: <%d.%d@example.org>\r\n" % (serial, rnd.randrange(1 << 30)) +
           b"MIME-Version: 1.0\r\n")
    if n < 32768:
        body = pools.cut(pools.text, rnd, max(n - len(hdr) - 40, 200))
        return hdr + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    bnd = b"=_part_%d" % serial
    text = pools.cut(pools.text, rnd, 2000)
    att = pools.cut(pools.b64, rnd, max(n - len(hdr) - 2400, 1000))
    return (hdr + b"Content-Type: multipart/mixed; boundary=\"" + bnd + b"\"\r\n\r\n"
            b"--" + bnd + b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
            b"--" + bnd + b"\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + att + b"--" + bnd + b"--\r\n")


def dot_stuff(msg):
    if msg.startswith(b"."):
        msg = b"." + msg
    return msg.replace(b"\r\n.", b"\r\n..")


C, S = 0, 1


def smtp_session(rnd, pools, serial):
    w = [(S, b"220 mx.example.net ESMTP ready\r\n"),
         (C, b"EHLO client%d.example.org\r\n" % serial),
         (S, b"250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
             b"250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8\r\n")]
    for i in range(rnd.choice((1, 1, 1, 2, 3))):
        msg = make_message(rnd, pools, message_size(rnd), serial * 8 + i)
        nrcpt = rnd.choice((1, 1, 2, 3))
        cmds = b"MAIL FROM:<user%d@example.org> SIZE=%d\r\n" % (serial, len(msg))
        cmds += b"".join(b"RCPT TO:<r%d.%d@example.net>\r\n" % (serial, k) for k in range(nrcpt))
        w.append((C, cmds + b"DATA\r\n"))
        w.append((S, b"250 2.1.0 Ok\r\n" + b"250 2.1.5 Ok\r\n" * nrcpt +
                  b"354 End data with <CR><LF>.<CR><LF>\r\n"))
        w.append((C, dot_stuff(msg) + b".\r\n"))
        w.append((S, b"250 2.0.0 Ok: queued as %X\r\n" % rnd.randrange(1 << 40)))
    w.append((C, b"QUIT\r\n"))
    w.append((S, b"221 2.0.0 Bye\r\n"))
    return 25, w


def imap_session(rnd, pools, serial):
    w = [(S, b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
             b"AUTH=PLAIN] Dovecot ready.\r\n"),
         (C, b"a1 LOGIN user%d secret%d\r\n" % (serial, serial)),
         (S, b"a1 OK [CAPABILITY IMAP4rev1 UIDPLUS MOVE] Logged in\r\n"),
         (C, b"a2 SELECT INBOX\r\n")]
    nmsg = rnd.randint(1, 4)
    w.append((S, b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                 b"* %d EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1717400000] UIDs valid\r\n"
                 b"* OK [UIDNEXT %d] Predicted next UID\r\n"
                 b"a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"
                 % (nmsg, 100 + nmsg)))
    tag = 3
    for i in range(nmsg):
        msg = make_message(rnd, pools, message_size(rnd), serial * 8 + i)
        split = msg.index(b"\r\n\r\n") + 4
        head, text = msg[:split], msg[split:]
        subj = head[head.index(b"Subject:"):]
        subj = subj[:subj.index(b"\r\n") + 2] + b"\r\n"
        w.append((C, b"a%d UID FETCH %d (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)] "
                     b"BODY.PEEK[HEADER] BODY.PEEK[TEXT])\r\n" % (tag, 100 + i)))
        w.append((S, b"* %d FETCH (UID %d RFC822.SIZE %d FLAGS (\\Seen) "
                     b"BODY[HEADER.FIELDS (SUBJECT)] {%d}\r\n" % (i + 1, 100 + i, len(msg), len(subj))
                  + subj + b" BODY[HEADER] {%d}\r\n" % len(head) + head
                  + b" BODY[TEXT] {%d}\r\n" % len(text) + text + b")\r\n"
                  + b"a%d OK Fetch completed (0.002 + 0.000 secs).\r\n" % tag))
        tag += 1
    if rnd.random() < 0.5:
        msg = make_message(rnd, pools, message_size(rnd), serial * 8 + 6)
        w.append((C, b"a%d APPEND Sent (\\Seen) {%d}\r\n" % (tag, len(msg))))
        w.append((S, b"+ OK\r\n"))
        w.append((C, msg + b"\r\n"))
        w.append((S, b"a%d OK [APPENDUID 1717400000 %d] Append completed.\r\n" % (tag, 200 + serial)))
        tag += 1
    if rnd.random() < 0.3:
        msg = make_message(rnd, pools, message_size(rnd), serial * 8 + 7)
        w.append((C, b"a%d APPEND Drafts (\\Draft) {%d+}\r\n" % (tag, len(msg)) + msg + b"\r\n"))
        w.append((S, b"a%d OK [APPENDUID 1717400001 %d] Append completed.\r\n" % (tag, 300 + serial)))
        tag += 1
    w.append((C, b"a%d LOGOUT\r\n" % tag))
    w.append((S, b"* BYE Logging out\r\na%d OK Logout completed.\r\n" % tag))
    return 143, w


def pop_session(rnd, pools, serial):
    msgs = [make_message(rnd, pools, message_size(rnd), serial * 8 + i)
            for i in range(rnd.randint(1, 3))]
    w = [(S, b"+OK Dovecot ready.\r\n"),
         (C, b"USER user%d\r\n" % serial), (S, b"+OK\r\n"),
         (C, b"PASS secret%d\r\n" % serial), (S, b"+OK Logged in.\r\n"),
         (C, b"LIST\r\n"),
         (S, b"+OK %d messages:\r\n" % len(msgs) +
          b"".join(b"%d %d\r\n" % (i + 1, len(m)) for i, m in enumerate(msgs)) + b".\r\n"),
         (C, b"UIDL\r\n"),
         (S, b"+OK\r\n" + b"".join(b"%d %08x%08x\r\n" % (i + 1, serial, i)
                                   for i in range(len(msgs))) + b".\r\n")]
    for i, m in enumerate(msgs):
        w.append((C, b"RETR %d\r\n" % (i + 1)))
        w.append((S, b"+OK %d octets\r\n" % len(m) + dot_stuff(m) + b".\r\n"))
        w.append((C, b"DELE %d\r\n" % (i + 1)))
        w.append((S, b"+OK Marked to be deleted.\r\n"))
    w.append((C, b"QUIT\r\n"))
    w.append((S, b"+OK Logging out, messages deleted.\r\n"))
    return 110, w


def ip_checksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Session:
    """One TCP connection: yields its packets one at a time."""

    def __init__(self, rnd, serial, port, writes):
        self.cip = bytes((10, 1 + (serial >> 16) % 200, (serial >> 8) & 255, 1 + serial % 250))
        self.sip = bytes((192, 0, 2, {25: 25, 143: 143, 110: 110}[port]))
        self.cport = 1024 + (serial * 7919) % 60000
        self.sport = port
        self.seq = [rnd.getrandbits(32), rnd.getrandbits(32)]
        self.ipid = [rnd.getrandbits(16), rnd.getrandbits(16)]
        self.writes = writes
        self.it = self.packets()

    def packet(self, d, flags, payload=b""):
        if d == C:
            src, dst, sp, dp, sm, dm = self.cip, self.sip, self.cport, self.sport, MAC_C, MAC_S
        else:
            src, dst, sp, dp, sm, dm = self.sip, self.cip, self.sport, self.cport, MAC_S, MAC_C
        seq = self.seq[d]
        ack = self.seq[1 - d] if flags & F_ACK else 0
        iplen = 40 + len(payload)
        self.ipid[d] = (self.ipid[d] + 1) & 0xFFFF
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, iplen, self.ipid[d], 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
        tcp = TCP.pack(sp, dp, seq, ack, 5 << 4, flags, 65160, 0, 0)
        self.seq[d] = (seq + len(payload) + (1 if flags & (F_SYN | F_FIN) else 0)) & 0xFFFFFFFF
        return dm + sm + b"\x08\x00" + ip + tcp + payload

    def packets(self):
        yield self.packet(C, F_SYN)
        yield self.packet(S, F_SYN | F_ACK)
        yield self.packet(C, F_ACK)
        for d, data in self.writes:
            n = len(data)
            segs = 0
            for off in range(0, n, MSS):
                last = off + MSS >= n
                yield self.packet(d, F_ACK | (F_PSH if last else 0), data[off:off + MSS])
                segs += 1
                if segs % 2 == 0 and not last:
                    yield self.packet(1 - d, F_ACK)          # delayed ACK
            if segs % 2 == 1 and n > MSS:
                yield self.packet(1 - d, F_ACK)
        yield self.packet(C, F_FIN | F_ACK)
        yield self.packet(S, F_FIN | F_ACK)
        yield self.packet(C, F_ACK)


def generate(out, size, seed):
    rnd = random.Random(seed)
    pools = Pools(rnd)
    kinds = (smtp_session, smtp_session, imap_session, imap_session, pop_session)
    active = []
    serial = 0
    written = len(PCAP_HDR)
    buf = [PCAP_HDR]
    buffered = written
    t_us = 1717400000 * 1000000
    frames = 0
    counts = {25: 0, 143: 0, 110: 0}
    opening = True
    while active or opening:
        while opening and len(active) < max(4, min(ACTIVE, size >> 20)):
            serial += 1
            port, writes = rnd.choice(kinds)(rnd, pools, serial)
            counts[port] += 1
            active.append(Session(rnd, serial, port, writes))
        i = rnd.randrange(len(active))
        s = active[i]
        for _ in range(rnd.randint(1, 6)):
            pkt = next(s.it, None)
            if pkt is None:
                active[i] = active[-1]
                active.pop()
                break
            t_us += rnd.randint(5, 120)
            rec = REC.pack(t_us // 1000000, t_us % 1000000, len(pkt), len(pkt)) + pkt
            buf.append(rec)
            buffered += len(rec)
            frames += 1
        if opening and written + buffered >= size:
            opening = False
        if buffered >= BUFFER:
            out.write(b"".join(buf))
            written += buffered
            buf, buffered = [], 0
    out.write(b"".join(buf))
    written += buffered
    return written, frames, counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="64M", help="target file size (e.g. 4M, 256M, 1G)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("out")
    a = ap.parse_args()
    with open(a.out, "wb", buffering=0) as f:
        written, frames, counts = generate(f, parse_size(a.size), a.seed)
    print(f"{a.out}: {written} bytes, {frames} frames, sessions smtp {counts[25]} "
          f"imap {counts[143]} pop {counts[110]}", file=sys.stderr)


if __name__ == "__main__":
    main()

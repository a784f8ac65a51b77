#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Clients for the plumbing captures: LMTP, PROXY v1/v2, XCLIENT, XFORWARD.

Run inside the lab's network namespace by make.sh: `plumblab.py SCENARIO`.
Raw clients send each send() with one sendall() on a TCP_NODELAY socket, so
each lands in one TCP segment (all are far below the MSS).
"""
import ipaddress
import poplib
import smtplib
import socket
import struct
import sys
import time
import imaplib

PF = "127.0.0.1"        # Postfix, no proxy, XCLIENT/XFORWARD not authorized
PF_PROXY = "127.0.0.5"  # Postfix and Dovecot listeners behind a PROXY header
PF_PROXY6 = "::1"
PF_XCLIENT = "127.0.0.6"
LMTP = "127.0.0.1"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def message(subject, to="bob@lab.test", sender="alice@lab.test", n=1):
    return ("From: Alice <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
            "Date: Tue, 06 Jan 2026 10:%02d:00 +0000\r\n"
            "Message-ID: <plumb-%d@lab.test>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            "This message is part of the plumbing lab.\r\n"
            "%s\r\n" % (sender, to, subject, n, n, subject)).encode()


class Raw:
    """Exact bytes out, replies in as they come."""

    def __init__(self, host, port, src=None, greet=True, family=None):
        fam = family or (socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if src:
            self.s.bind((src, 0))
        self.s.settimeout(10)
        self.s.connect((host, port))
        self.buf = b""
        if greet:
            self.reply()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        log("C:", data[:160])
        self.s.sendall(data)

    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("server closed; have %r" % self.buf)
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        log("S:", ln)
        return ln

    def reply(self):
        """One SMTP/LMTP reply (all its lines)."""
        lines = [self.line()]
        while len(lines[-1]) >= 4 and lines[-1][3:4] == b"-":
            lines.append(self.line())
        return lines

    def code(self):
        return int(self.reply()[-1][:3])

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.code()

    def until_closed(self):
        """Whatever the server still sends until it closes (or 6 s pass)."""
        self.s.settimeout(6)
        try:
            while True:
                self._fill()
        except (EOFError, socket.timeout, ConnectionResetError):
            pass
        log("S(rest):", self.buf)
        self.s.close()

    def close(self):
        self.s.close()


def smtp_transaction(c, subject, n, rcpt="bob@lab.test", ehlo="client.lab.test"):
    """EHLO, MAIL, RCPT, DATA, message, QUIT, each after the previous reply."""
    c.send("EHLO %s\r\n" % ehlo)
    c.reply()
    assert c.cmd("MAIL FROM:<alice@lab.test>") == 250
    assert c.cmd("RCPT TO:<%s>" % rcpt) == 250
    assert c.cmd("DATA") == 354
    c.send(message(subject, to=rcpt, n=n) + b".\r\n")
    assert c.code() == 250
    c.cmd("QUIT")
    c.close()


def smtp_short(c, ehlo="client.lab.test"):
    c.send("EHLO %s\r\n" % ehlo)
    c.reply()
    c.cmd("QUIT")
    c.close()


# ------------------------------------------------------------------- LMTP
def postfix_lmtp():
    """A real client to Postfix, which delivers to Dovecot over LMTP (port 24):
    three recipients, one unknown to Dovecot."""
    with smtplib.SMTP(PF, 25, local_hostname="client.lab.test") as s:
        s.sendmail("sender@example.net", ["alice@lab.test", "ghost@lab.test", "bob@lab.test"],
                   message("LMTP from Postfix: three recipients, one unknown", to="alice@lab.test", n=1))


def lmtp_smtplib():
    """Python's smtplib.LMTP: one accepted and one refused recipient, then a
    transaction whose only recipient is refused (smtplib sends RSET)."""
    s = smtplib.LMTP(LMTP, 24, local_hostname="client.lab.test")
    s.set_debuglevel(1)
    refused = s.sendmail("sender@example.net", ["carol@lab.test", "ghost@lab.test"],
                         message("LMTP from smtplib", to="carol@lab.test", n=2))
    log("refused:", refused)
    try:
        s.sendmail("sender@example.net", ["nobody@lab.test"], message("nobody home", n=3))
    except smtplib.SMTPRecipientsRefused as e:
        log("all refused:", e.recipients)
    s.quit()


def lmtp_pipelined():
    """Raw LMTP with PIPELINING: MAIL, four RCPT (one refused) and DATA in one
    segment; after the message one reply per accepted recipient; then a
    pipelined transaction with no valid recipient (DATA refused)."""
    c = Raw(LMTP, 24)
    c.send("LHLO client.lab.test\r\n")
    assert b"PIPELINING" in b"".join(c.reply())
    c.send("MAIL FROM:<sender@example.net>\r\nRCPT TO:<alice@lab.test>\r\nRCPT TO:<ghost@lab.test>\r\n"
           "RCPT TO:<bob@lab.test>\r\nRCPT TO:<dave@lab.test>\r\nDATA\r\n")
    codes = [c.code() for _ in range(6)]
    log("pipelined replies:", codes)
    c.send(message("LMTP pipelined: four recipients, one refused", to="alice@lab.test", n=4) + b".\r\n")
    per_rcpt = [c.reply() for _ in range(3)]   # alice, bob, dave
    log("after data:", per_rcpt)
    c.send("MAIL FROM:<sender@example.net>\r\nRCPT TO:<ghost@lab.test>\r\nRCPT TO:<nobody@lab.test>\r\nDATA\r\n")
    log("second:", [c.code() for _ in range(4)])
    c.cmd("QUIT")
    c.close()


# ------------------------------------------------------------------ PROXY
V2_SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def proxy_v1(src, dst, sport, dport):
    fam = "TCP6" if ":" in src else "TCP4"
    return ("PROXY %s %s %s %d %d\r\n" % (fam, src, dst, sport, dport)).encode()


def tlv(t, value):
    return struct.pack("!BH", t, len(value)) + value


def proxy_v2(src, dst, sport, dport, tlvs=b"", command=0x1):
    if src is None:   # LOCAL: no addresses
        return V2_SIG + bytes([0x20 | 0x0, 0x00]) + struct.pack("!H", len(tlvs)) + tlvs
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    fam = 0x11 if a.version == 4 else 0x21          # TCP over IPv4 / IPv6
    body = a.packed + b.packed + struct.pack("!HH", sport, dport) + tlvs
    return V2_SIG + bytes([0x20 | command, fam]) + struct.pack("!H", len(body)) + body


TLVS = tlv(0x02, b"mail.lab.test") + tlv(0x05, b"conn-0001")   # AUTHORITY, UNIQUE_ID


def proxied(host, port, header):
    c = Raw(host, port, greet=False)
    c.send(header)
    c.reply()
    return c


def proxy_postfix_ipv4():
    """PROXY headers on an IPv4 connection to Postfix (127.0.0.5:25)."""
    smtp_transaction(proxied(PF_PROXY, 25, proxy_v1("203.0.113.7", "192.0.2.25", 40001, 25)),
                     "via PROXY v1 TCP4", 11)
    smtp_short(proxied(PF_PROXY, 25, proxy_v1("2001:db8::7", "2001:db8::25", 40002, 25)))
    smtp_transaction(proxied(PF_PROXY, 25, proxy_v2("198.51.100.9", "192.0.2.25", 40003, 25, TLVS)),
                     "via PROXY v2 TCP4 with TLVs", 12)
    smtp_short(proxied(PF_PROXY, 25, proxy_v2("2001:db8::9", "2001:db8::25", 40004, 25)))
    smtp_short(proxied(PF_PROXY, 25, proxy_v2(None, None, 0, 0)))          # LOCAL


def proxy_postfix_ipv6():
    """PROXY headers on an IPv6 connection to Postfix ([::1]:25)."""
    smtp_transaction(proxied(PF_PROXY6, 25, proxy_v1("2001:db8::17", "2001:db8::25", 40011, 25)),
                     "via PROXY v1 TCP6 over IPv6", 13)
    smtp_transaction(proxied(PF_PROXY6, 25, proxy_v2("2001:db8::19", "2001:db8::25", 40013, 25, TLVS)),
                     "via PROXY v2 TCP6 over IPv6", 14)
    smtp_short(proxied(PF_PROXY6, 25, proxy_v1("203.0.113.17", "192.0.2.25", 40012, 25)))


def proxy_postfix_bad():
    """What Postfix does with a missing or malformed PROXY header."""
    for header in (b"PROXY TCP4 203.0.113.999 192.0.2.25 40021 25\r\n",     # bad address
                   b"EHLO client.lab.test\r\n",                               # no header
                   b"PROXY UNKNOWN\r\n",                                      # v1 UNKNOWN
                   V2_SIG + b"\x31\x11\x00\x0c" + bytes(12),                 # v2, version 3
                   b"PROXY TCP4 203.0.113.23 192.0.2.25 40023\r\n"):          # a port missing
        c = Raw(PF_PROXY, 25, greet=False)
        c.send(header)
        try:
            c.reply()
            c.send("EHLO client.lab.test\r\n")
            c.reply()
            c.cmd("QUIT")
        except (EOFError, socket.timeout, ConnectionResetError) as e:
            log("closed:", e)
        c.until_closed()
    c = Raw(PF_PROXY, 25, greet=False)          # nothing at all: the server times out
    c.until_closed()


def proxy_dovecot():
    """IMAP and POP3 behind PROXY headers (Dovecot haproxy = yes on 127.0.0.5)."""
    c = Raw(PF_PROXY, 143, greet=False)
    c.send(proxy_v1("203.0.113.41", "192.0.2.143", 40041, 143))
    c.line()
    c.send("a1 LOGIN bob bob-pw\r\n"); c.line()
    c.send("a2 SELECT INBOX\r\n")
    while not c.line().startswith(b"a2 "):
        pass
    c.send("a3 LOGOUT\r\n")
    c.until_closed()
    c = Raw(PF_PROXY, 110, greet=False)
    c.send(proxy_v2("2001:db8::42", "2001:db8::110", 40042, 110, TLVS))
    c.line()
    for cmd in ("USER carol", "PASS carol-pw", "STAT", "QUIT"):
        c.send(cmd + "\r\n"); c.line()
    c.close()
    # From a source outside haproxy_trusted_networks (127.0.0.0/29).
    c = Raw(PF_PROXY, 143, src="127.0.0.9", greet=False)
    c.send(proxy_v1("203.0.113.43", "192.0.2.143", 40043, 143))
    c.until_closed()


# ------------------------------------------------------------ XCLIENT/XFORWARD
def xclient():
    c = Raw(PF_XCLIENT, 25)
    c.send("EHLO relay.lab.test\r\n"); c.reply()
    c.send("XCLIENT NAME=client.example.net ADDR=203.0.113.25 PORT=50025 PROTO=ESMTP"
           " HELO=client.example.net\r\n")
    c.reply()                                        # a new 220 greeting
    smtp_transaction(c, "after XCLIENT", 21, ehlo="client.example.net")
    c = Raw(PF_XCLIENT, 25)
    c.send("EHLO relay.lab.test\r\n"); c.reply()
    c.send("XCLIENT COLOUR=blue\r\n"); c.reply()     # an unknown attribute
    c.send("XCLIENT ADDR=IPV6:2001:db8::25 NAME=[UNAVAILABLE] PORT=50026\r\n"); c.reply()
    c.send("EHLO client6.example.net\r\n"); c.reply()
    # The claimed client is not an authorized XCLIENT host: a second XCLIENT is refused.
    c.send("XCLIENT NAME=again.example.net\r\n"); c.reply()
    c.cmd("QUIT"); c.close()
    c = Raw(PF, 25)                                  # a listener that does not authorize us
    c.send("EHLO relay.lab.test\r\n"); c.reply()
    c.send("XCLIENT ADDR=203.0.113.27 NAME=spoofed.example.net\r\n"); c.reply()
    c.cmd("QUIT"); c.close()


def xforward():
    c = Raw(PF_XCLIENT, 25)
    c.send("EHLO relay.lab.test\r\n"); c.reply()
    assert c.cmd("XFORWARD NAME=client.example.net ADDR=203.0.113.31 PORT=50031 PROTO=ESMTP"
                 " HELO=client.example.net") == 250
    assert c.cmd("XFORWARD IDENT=4Xq1abc SOURCE=REMOTE") == 250
    assert c.cmd("MAIL FROM:<alice@lab.test>") == 250
    assert c.cmd("RCPT TO:<bob@lab.test>") == 250
    assert c.cmd("DATA") == 354
    c.send(message("after XFORWARD", n=31) + b".\r\n"); c.code()
    c.cmd("XFORWARD ADDR=IPV6:2001:db8::31 NAME=[UNAVAILABLE] SOURCE=LOCAL")
    c.cmd("QUIT"); c.close()
    c = Raw(PF, 25)
    c.send("EHLO relay.lab.test\r\n"); c.reply()
    c.cmd("XFORWARD ADDR=203.0.113.32")
    c.cmd("QUIT"); c.close()


if __name__ == "__main__":
    globals()[sys.argv[1].replace("-", "_")]()

#!/usr/bin/env python3
"""IMAP client that speaks COMPRESS=DEFLATE (RFC 4978), for the lab capture.

usage: compressclient.py MSGDIR FACTS FETCHED
Python's imaplib has no COMPRESS, so this is a raw-socket client: after the
tagged OK to COMPRESS DEFLATE every byte each way is a raw deflate stream
(zlib wbits -15); each client send is compressed and ended with Z_SYNC_FLUSH,
so one send is one flushed block and (below the MSS) one TCP segment.
A second, uncompressed connection APPENDs a message while the first IDLEs.
FACTS receives the tags, commands and literal sizes in order (plain text);
FETCHED receives the literal of the FETCH BODY[] exactly as received.
"""
import os, re, socket, sys, time, zlib

HOST, PORT = "127.0.0.1", 143
LOGIN = 'LOGIN bob "pa ss\\"word"'
MSGDIR, FACTS, FETCHED = sys.argv[1:4]
facts = open(FACTS, "w")


def fact(line):
    facts.write(line + "\n")
    facts.flush()


def msg(name):
    with open(os.path.join(MSGDIR, name), "rb") as f:
        return f.read()


class Conn:
    def __init__(self, name):
        self.name = name
        self.s = socket.create_connection((HOST, PORT), timeout=15)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.comp = self.decomp = None
        self.sent_plain = self.sent_wire = self.recv_plain = self.recv_wire = 0

    def start_compression(self):
        # Anything the server sent after the tagged OK is already compressed.
        self.comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.decomp = zlib.decompressobj(-15)
        self.sent_plain = self.sent_wire = self.recv_plain = self.recv_wire = 0
        rest, self.buf = self.buf, b""
        if rest:
            self.recv_wire += len(rest)
            self.buf = self.decomp.decompress(rest)
            self.recv_plain += len(self.buf)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        wire = data
        if self.comp:
            wire = self.comp.compress(data) + self.comp.flush(zlib.Z_SYNC_FLUSH)
        self.sent_plain += len(data)
        self.sent_wire += len(wire)
        self.s.sendall(wire)

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError(f"{self.name}: closed; have {self.buf[-200:]!r}")
        self.recv_wire += len(d)
        if self.decomp:
            d = self.decomp.decompress(d)
        self.recv_plain += len(d)
        self.buf += d

    def until(self, regex):
        r = re.compile(regex, re.M)
        while True:
            m = r.search(self.buf)
            if m:
                out, self.buf = self.buf[:m.end()], self.buf[m.end():]
                sys.stdout.write(f"[{self.name}] " + out.decode("latin-1"))
                return out
            self.fill()

    def tagged(self, tag):
        return self.until(rb"^" + tag.encode() + rb" (OK|NO|BAD)[^\r\n]*\r\n")

    def cmd(self, tag, text):
        fact(f"{self.name} C {tag} {text}")
        self.send(f"{tag} {text}\r\n")
        out = self.tagged(tag)
        fact(f"{self.name} S " + out.splitlines()[-1].decode("latin-1"))
        return out


a = Conn("A")
greet = a.until(rb"\r\n")
fact("A S " + greet.decode().rstrip())
a.cmd("c1", LOGIN)
a.cmd("c2", "COMPRESS DEFLATE")
a.start_compression()
fact("A -- both directions deflated from here (raw deflate, wbits -15)")
a.cmd("c3", "SELECT INBOX")
out = a.cmd("c4", "FETCH 1 (UID RFC822.SIZE BODY[])")
m = re.search(rb"BODY\[\] \{(\d+)\}\r\n", out)
n = int(m.group(1))
literal = out[m.end():m.end() + n]
assert len(literal) == n
with open(FETCHED, "wb") as f:
    f.write(literal)
fact(f"A S literal: FETCH 1 BODY[] {{{n}}}")

app = msg("imap-compress-append.eml")
fact(f"A C c5 APPEND INBOX (\\Seen) {{{len(app)}}}  (synchronizing literal, imap-compress-append.eml)")
a.send(b"c5 APPEND INBOX (\\Seen) {%d}\r\n" % len(app))
cont = a.until(rb"^\+[^\r\n]*\r\n")
fact("A S " + cont.decode().rstrip())
time.sleep(0.15)
a.send(app + b"\r\n")
out = a.tagged("c5")
fact("A S " + out.splitlines()[-1].decode())

fact("A C c6 IDLE")
a.send("c6 IDLE\r\n")
cont = a.until(rb"^\+[^\r\n]*\r\n")
fact("A S " + cont.decode().rstrip())
time.sleep(0.5)

b = Conn("B")                      # second connection, no COMPRESS
greet = b.until(rb"\r\n")
fact("B S " + greet.decode().rstrip())
b.cmd("d1", LOGIN)
new = msg("imap-compress-idle-new.eml")
fact(f"B C d2 APPEND INBOX {{{len(new)}}}  (synchronizing literal, imap-compress-idle-new.eml)")
b.send(b"d2 APPEND INBOX {%d}\r\n" % len(new))
b.until(rb"^\+[^\r\n]*\r\n")
b.send(new + b"\r\n")
out = b.tagged("d2")
fact("B S " + out.splitlines()[-1].decode())
b.cmd("d3", "LOGOUT")
b.s.close()

ex = a.until(rb"^\* \d+ EXISTS\r\n")
fact("A S (pushed during IDLE) " + ex.splitlines()[-1].decode())
time.sleep(0.5)
fact("A C DONE")
a.send("DONE\r\n")
out = a.tagged("c6")
for l in out.splitlines():
    fact("A S " + l.decode())
a.cmd("c7", "FETCH 4 (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
a.cmd("c8", "LOGOUT")
a.s.close()
fact(f"A totals after COMPRESS: client sent {a.sent_plain} bytes inflated / {a.sent_wire} on the wire; "
     f"server sent {a.recv_plain} bytes inflated / {a.recv_wire} on the wire")

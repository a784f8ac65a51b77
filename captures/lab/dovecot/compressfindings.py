#!/usr/bin/env python3
"""IMAP client for compress-findings.sh: what a plain session's findings are
made of, sent after COMPRESS DEFLATE (RFC 4978), so that each can be checked
in the inflated stream.

usage: compressfindings.py FACTS
Raw socket, fixed tags; every client send after the tagged OK to COMPRESS is
deflated (raw, wbits -15) and ended with Z_SYNC_FLUSH.
  f1 LOGIN (in clear), f2 COMPRESS DEFLATE (in clear), then deflated:
  f3 FETCH 1 (FLAGS) before any SELECT (wrong state: BAD), f4 XYZZY (unknown: BAD),
  f5 SELECT INBOX, f6 UID SEARCH UID 1,3,...,19999 (a command line of 54 464
  octets), f7 NOOP and f7 NOOP in one send (a tag reused while in flight), f8 LOGOUT
FACTS receives each command and the server's lines, inflated.
"""
import re, socket, sys, zlib

facts = open(sys.argv[1], "w")
s = socket.create_connection(("127.0.0.1", 143), timeout=15)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf = b""
comp = decomp = None


def send(data):
    if comp:
        data = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
    s.sendall(data)


def until(regex):
    global buf
    r = re.compile(regex, re.M)
    while True:
        m = r.search(buf)
        if m:
            out, buf = buf[:m.end()], buf[m.end():]
            for line in out.decode("latin-1").splitlines():
                facts.write("S " + line + "\n")
            return out
        d = s.recv(65536)
        if not d:
            raise EOFError(buf[-200:])
        buf += decomp.decompress(d) if decomp else d


def cmd(tag, text, show=None):
    facts.write(f"C {tag} {show or text}\n")
    send(f"{tag} {text}\r\n".encode())
    return until(rb"^" + tag.encode() + rb" (OK|NO|BAD)[^\r\n]*\r\n")


until(rb"\r\n")
cmd("f1", 'LOGIN bob "pa ss\\"word"')
cmd("f2", "COMPRESS DEFLATE")
comp = zlib.compressobj(6, zlib.DEFLATED, -15)
decomp = zlib.decompressobj(-15)
buf, rest = b"", buf
if rest:
    buf = decomp.decompress(rest)
facts.write("-- both directions deflated from here\n")
cmd("f3", "FETCH 1 (FLAGS)")
cmd("f4", "XYZZY")
cmd("f5", "SELECT INBOX")
uids = ",".join(str(i) for i in range(1, 20000, 2))
line = f"f6 UID SEARCH UID {uids}\r\n"
cmd("f6", "UID SEARCH UID " + uids, show=f"UID SEARCH UID 1,3,...,19999 ({len(line)} octets with its CRLF)")
facts.write("C f7 NOOP + f7 NOOP (one send)\n")
send(b"f7 NOOP\r\nf7 NOOP\r\n")
until(rb"^f7 (OK|NO|BAD)[^\r\n]*\r\n")
until(rb"^f7 (OK|NO|BAD)[^\r\n]*\r\n")
cmd("f8", "LOGOUT")
s.close()

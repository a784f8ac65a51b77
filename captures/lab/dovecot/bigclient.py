#!/usr/bin/env python3
"""Raw-socket IMAP clients (fixed tags) for bigbox.sh.

usage: bigclient.py warm|search|bodystructure RESPONSES
Writes every byte the server sent to RESPONSES (for the facts).
warm:          LOGIN, SELECT (Dovecot indexes the Maildir), LOGOUT: run before recording
search:        s1 LOGIN, s2 SELECT INBOX, s3 UID SEARCH ALL, s4 SEARCH FLAGGED,
               s5 UID SEARCH RETURN (MIN MAX COUNT) ALL (ESEARCH), s6 LOGOUT
bodystructure: b1 LOGIN, b2 SELECT INBOX, b3 FETCH 1:* (UID BODYSTRUCTURE),
               b4 FETCH 1:* (BODY), b5 LOGOUT
"""
import re, socket, sys

mode, out = sys.argv[1], sys.argv[2]
s = socket.create_connection(("127.0.0.1", 143), timeout=120)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf = b""
log = open(out, "wb")


def until(regex):
    global buf
    r = re.compile(regex, re.M)
    while True:
        m = r.search(buf)
        if m:
            got, buf = buf[:m.end()], buf[m.end():]
            log.write(got)
            return got
        d = s.recv(1 << 20)
        if not d:
            raise EOFError(buf[-200:])
        buf += d


def cmd(tag, text):
    s.sendall(f"{tag} {text}\r\n".encode())
    got = until(rb"^" + tag.encode() + rb" (OK|NO|BAD)[^\r\n]*\r\n")
    print(f"{tag} {text}: {len(got)} bytes, {got.splitlines()[-1].decode()}")
    return got


until(rb"\r\n")
if mode == "warm":
    cmd("w1", 'LOGIN bob "pa ss\\"word"')
    cmd("w2", "SELECT INBOX")
    cmd("w3", "LOGOUT")
elif mode == "search":
    cmd("s1", 'LOGIN bob "pa ss\\"word"')
    cmd("s2", "SELECT INBOX")
    cmd("s3", "UID SEARCH ALL")
    cmd("s4", "SEARCH FLAGGED")
    cmd("s5", "UID SEARCH RETURN (MIN MAX COUNT) ALL")
    cmd("s6", "LOGOUT")
elif mode == "bodystructure":
    cmd("b1", 'LOGIN bob "pa ss\\"word"')
    cmd("b2", "SELECT INBOX")
    cmd("b3", "FETCH 1:* (UID BODYSTRUCTURE)")
    cmd("b4", "FETCH 1:* (BODY)")
    cmd("b5", "LOGOUT")
s.close()

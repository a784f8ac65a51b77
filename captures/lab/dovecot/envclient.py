#!/usr/bin/env python3
"""Raw-socket IMAP client (fixed tags) for envelope.sh: a client ID with its
own key/value pairs, and the ENVELOPE of a message whose address fields and
subject hold RFC 2047 encoded words.

usage: envclient.py warm|envelope RESPONSES
Writes every byte the server sent to RESPONSES (for the facts).
warm:     LOGIN, SELECT (Dovecot indexes the Maildir), LOGOUT: run before recording
envelope: n1 ID ("name" "mailwire-lab" "version" "2.0" "os" "Linux"), n2 LOGIN,
          n3 SELECT INBOX, n4 FETCH 1 (UID ENVELOPE),
          n5 UID SEARCH UID 1,3,5,...,3999 (a command line of 9 464 octets with its CRLF,
          over the 8192 of RFC 7162 4, that Dovecot accepts), n6 LOGOUT
"""
import re, socket, sys

mode, out = sys.argv[1], sys.argv[2]
s = socket.create_connection(("127.0.0.1", 143), timeout=60)
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
else:
    cmd("n1", 'ID ("name" "mailwire-lab" "version" "2.0" "os" "Linux")')
    cmd("n2", 'LOGIN bob "pa ss\\"word"')
    cmd("n3", "SELECT INBOX")
    cmd("n4", "FETCH 1 (UID ENVELOPE)")
    uids = ",".join(str(i) for i in range(1, 4000, 2))
    cmd("n5", "UID SEARCH UID " + uids)
    cmd("n6", "LOGOUT")
s.close()
log.close()

#!/usr/bin/env python3
"""Raw-socket IMAP client (fixed tags) for extensions.sh: the IMAP extensions
Dovecot announces, one command each.

usage: extclient.py warm|extensions RESPONSES
Writes every byte the server sent to RESPONSES (for the facts).
warm:       LOGIN, SELECT (Dovecot indexes the Maildir), LOGOUT: run before recording
extensions: e1 ID, e2 LOGIN, e3 NAMESPACE, e4 ENABLE CONDSTORE QRESYNC,
            e5 SELECT INBOX (CONDSTORE), e6 UID SEARCH RETURN (MIN MAX COUNT ALL) ALL,
            e7 UID STORE 2 +FLAGS (\\Flagged), e8 UID FETCH 1:* (FLAGS MODSEQ),
            e9 UID STORE 3 +FLAGS.SILENT (\\Deleted), e10 EXPUNGE (answered by VANISHED),
            e11 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED), e12 LOGOUT
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
    cmd("e1", 'ID ("name" "mailwire-lab" "version" "1.0")')
    cmd("e2", 'LOGIN bob "pa ss\\"word"')
    cmd("e3", "NAMESPACE")
    cmd("e4", "ENABLE CONDSTORE QRESYNC")
    cmd("e5", "SELECT INBOX (CONDSTORE)")
    cmd("e6", "UID SEARCH RETURN (MIN MAX COUNT ALL) ALL")
    cmd("e7", "UID STORE 2 +FLAGS (\\Flagged)")
    cmd("e8", "UID FETCH 1:* (FLAGS MODSEQ)")
    cmd("e9", "UID STORE 3 +FLAGS.SILENT (\\Deleted)")
    cmd("e10", "EXPUNGE")
    cmd("e11", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    cmd("e12", "LOGOUT")
s.close()

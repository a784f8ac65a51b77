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
import sys

from rawimap import RawImap

mode, out = sys.argv[1], sys.argv[2]
imap = RawImap(out, timeout=120)
cmd = imap.cmd

imap.greeting()
if mode == "warm":
    imap.warm()
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
imap.close()

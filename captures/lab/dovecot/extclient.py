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
import sys

from rawimap import RawImap

mode, out = sys.argv[1], sys.argv[2]
imap = RawImap(out, timeout=60)
cmd = imap.cmd

imap.greeting()
if mode == "warm":
    imap.warm()
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
imap.close()

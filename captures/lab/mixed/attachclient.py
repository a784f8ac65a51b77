#!/usr/bin/env python3
"""Real clients for the attachments capture: submit by SMTP, fetch by IMAP and POP3.

usage: attachclient.py smtp|fetch MESSAGE OUTDIR
smtp:  smtplib to 127.0.0.1:25: EHLO, MAIL FROM alice, RCPT TO bob and carol, DATA.
fetch: imaplib as bob: LOGIN, SELECT, FETCH 1 (UID RFC822.SIZE BODYSTRUCTURE),
       FETCH 1 BODY.PEEK[], FETCH 1 BODY.PEEK[2] (the PDF part alone), LOGOUT;
       then poplib as carol: USER, PASS, STAT, LIST, UIDL, RETR 1, QUIT.
       OUTDIR receives imap-body.eml, imap-bodystructure.txt, imap-part2.b64, pop-retr.eml.
"""
import imaplib, os, poplib, smtplib, sys

HOST = "127.0.0.1"
mode, message, out = sys.argv[1:4]

if mode == "smtp":
    data = open(message, "rb").read()
    with smtplib.SMTP(HOST, 25, local_hostname="client.lab.test") as s:
        s.ehlo()
        refused = s.sendmail("alice@lab.test", ["bob@lab.test", "carol@lab.test"], data)
        print("refused:", refused)
        s.quit()
    sys.exit(0)

M = imaplib.IMAP4(HOST, 143)
M.login("bob", 'pa ss"word')
M.select("INBOX")
typ, d = M.fetch("1", "(UID RFC822.SIZE BODYSTRUCTURE)")
open(os.path.join(out, "imap-bodystructure.txt"), "wb").write(d[0] if isinstance(d[0], bytes) else d[0][0])
typ, d = M.fetch("1", "(BODY.PEEK[])")
open(os.path.join(out, "imap-body.eml"), "wb").write(d[0][1])
typ, d = M.fetch("1", "(BODY.PEEK[2])")
open(os.path.join(out, "imap-part2.b64"), "wb").write(d[0][1])
M.logout()

P = poplib.POP3(HOST, 110)
P.user("carol")
P.pass_("carol-pw")
P.stat()
P.list()
P.uidl()
resp, lines, octets = P.retr(1)
# poplib strips CRLF and un-stuffs dots: rebuild the message as delivered
open(os.path.join(out, "pop-retr.eml"), "wb").write(b"".join(l + b"\r\n" for l in lines))
print("RETR octets", octets)
P.quit()

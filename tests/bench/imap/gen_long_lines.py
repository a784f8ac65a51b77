#!/usr/bin/env python3
"""Write captures/imap-long-lines.pcap: IMAP lines longer than the stream
engine's 64 KiB carry limit, which reach the dissector in fragments cut
anywhere, each followed by a message literal:

  - APPEND with a flag list of about 80 KiB of keywords, then the message;
  - a FETCH response whose first item is a list of about 80 KiB of quoted
    strings (so quoted strings are cut at fragment boundaries), then UID 9
    and BODY[] with the message;
  - a FETCH response with FLAGS of about 100 KiB of keywords, then UID 10
    and RFC822 with the message.

    gen_long_lines.py --out captures/imap-long-lines.pcap
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_fetch_literal import Session, Writer  # noqa: E402


def message(subject):
    return (b"From: Alice Example <alice@lab.test>\r\nTo: bob@lab.test\r\n"
            b"Subject: " + subject + b"\r\nMessage-ID: <long-lines@lab.test>\r\n\r\n"
            b"A short body.\r\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    mss = 1448
    with open(a.out, "wb") as f:
        s = Session(Writer(f))
        s.handshake()
        s.server(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n", mss)
        s.client(b"a1 LOGIN bob secret\r\n")
        s.server(b"a1 OK Logged in\r\n", mss)
        s.client(b"a2 SELECT INBOX\r\n")
        s.server(b"* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\na2 OK [READ-WRITE] done\r\n", mss)

        m1 = message(b"Appended after a long flag list")
        kws = b" ".join(b"kw%05d" % i for i in range(10000))  # 79,999 octets
        s.client(b"a3 APPEND INBOX (\\Seen " + kws + b") {%d+}\r\n" % len(m1) + m1 + b"\r\n")
        s.server(b"a3 OK [APPENDUID 7 9] done\r\n", mss)

        s.client(b"a4 UID FETCH 9:10 (X-LABELS UID BODY[] RFC822 FLAGS)\r\n")
        m2 = message(b"Fetched after long quoted labels")
        labels = b" ".join(b'"label \\"%05d\\" with spaces and (parens)"' % i for i in range(2000))
        m3 = message(b"Fetched after a long FLAGS list")
        flags = b" ".join(b"$Kw%06d" % i for i in range(12000))
        s.server(b"* 1 FETCH (X-LABELS (" + labels + b") UID 9 BODY[] {%d}\r\n" % len(m2) + m2 +
                 b")\r\n* 2 FETCH (FLAGS (\\Seen " + flags + b") UID 10 RFC822 {%d}\r\n" % len(m3) +
                 m3 + b")\r\na4 OK Fetch completed\r\n", mss)
        s.client(b"a5 LOGOUT\r\n")
        s.server(b"* BYE bye\r\na5 OK done\r\n", mss)
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

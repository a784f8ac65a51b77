#!/usr/bin/env python3
"""Fill a Maildir with COUNT small messages, straight into cur/ (deterministic).

usage: gen-bigbox.py MAILDIR COUNT
Message n (1-based) is about 250 bytes, with CRLF line ends; its file name
starts with a timestamp that grows with n, so Dovecot gives it UID n.  Every
1000th message is flagged (maildir flag F), the rest have no flag.
"""
import os, sys

md, count = sys.argv[1], int(sys.argv[2])
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(md, d), exist_ok=True)
base = 1735689600                      # 2025-01-01 00:00:00 UTC
for n in range(1, count + 1):
    t = base + n * 60
    flags = "F" if n % 1000 == 0 else ""
    body = (f"Date: Wed, 01 Jan 2025 00:00:00 +0000\r\n"
            f"From: Sensor {n % 97} <sensor{n % 97}@lab.test>\r\n"
            f"To: Bob Example <bob@lab.test>\r\n"
            f"Subject: Reading {n}\r\n"
            f"Message-ID: <reading-{n}@lab.test>\r\n"
            f"\r\n"
            f"Reading number {n} of {count}.\r\n").encode()
    path = os.path.join(md, "cur", f"{t}.M{n}P1.mail.lab.test:2,{flags}")
    with open(path, "wb") as f:
        f.write(body)
    os.utime(path, (t, t))

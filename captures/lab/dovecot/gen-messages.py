#!/usr/bin/env python3
"""Write the source messages used by the IMAP/POP3 captures.

The files are committed under captures/lab/messages/; this script documents how
they were made and remakes them byte-identically (everything is deterministic).
Every message uses CRLF line ends, as stored and sent by the server.
The ~2 MB message is stored gzip-compressed (imap-pop-large-2mb.eml.gz) to keep
the repository small; gunzip gives the exact bytes sent on the wire.
"""
import gzip, hashlib, os, random, sys, base64

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "messages")


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def write(name, data, gz=False):
    path = os.path.join(OUT, name)
    if gz:
        with open(path, "wb") as f:
            # mtime=0 and no file name: the .gz itself is reproducible too
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as g:
                g.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    print(f"{name}: {len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()}")


MSGS = {}

MSGS["imap-inbox-1.eml"] = crlf("""\
Return-Path: <alice@lab.test>
Date: Mon, 06 Jan 2025 09:15:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>
Subject: Lab message one
Message-ID: <imap-inbox-1@lab.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello Bob,

This is the first message of the IMAP lab mailbox.
A line that looks like a command:
a1 LOGOUT
* 1 EXISTS
And a line with a lone dot follows:
.
End.
""")

MSGS["imap-inbox-2.eml"] = crlf("""\
Date: Tue, 07 Jan 2025 10:00:00 +0100
From: "Carol \\"CJ\\" Jones" <carol@lab.test>
To: alice@lab.test, bob@lab.test
Cc: Dave <dave@lab.test>
Subject: =?UTF-8?Q?Caf=C3=A9_menu_=E2=80=93_multipart?=
Message-ID: <imap-inbox-2@lab.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt-boundary-42"

This is a multi-part message in MIME format.

--alt-boundary-42
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 menu: soup {5} and bread.
Braces {12} and parentheses (like these) are in the text on purpose.

--alt-boundary-42
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><body><p>Caf=C3=A9 menu: soup {5} and bread.</p></body></html>

--alt-boundary-42--
""")

att = bytes(range(256)) * 8   # 2048 bytes of binary data
b64 = base64.encodebytes(att).decode().replace("\n", "\r\n")
MSGS["imap-inbox-3.eml"] = crlf("""\
Date: Wed, 08 Jan 2025 11:30:00 -0500
From: Erin <erin@lab.test>
To: Bob Example <bob@lab.test>
Subject: Report with attachment
Message-ID: <imap-inbox-3@lab.test>
In-Reply-To: <imap-inbox-1@lab.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mix-7"

--mix-7
Content-Type: text/plain; charset=us-ascii

The report is attached.

--mix-7
Content-Type: application/octet-stream; name="report.bin"
Content-Disposition: attachment; filename="report.bin"
Content-Transfer-Encoding: base64

""") + b64.encode() + crlf("""\
--mix-7--
""")

MSGS["imap-append-sync.eml"] = crlf("""\
Date: Thu, 09 Jan 2025 08:00:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>
Subject: Appended with a synchronizing literal
Message-ID: <imap-append-sync@lab.test>

This body holds lines that look like IMAP protocol:
a1 LOGOUT
a2 SELECT INBOX
* 5 EXISTS
+ go ahead
a3 OK done {10}
They are message data inside the literal, not commands.
""")

MSGS["imap-append-nonsync.eml"] = crlf("""\
Date: Thu, 09 Jan 2025 08:05:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>
Subject: Appended with a non-synchronizing literal (LITERAL+)
Message-ID: <imap-append-nonsync@lab.test>

Sent with {n+}: the client did not wait for a continuation.
b1 LOGOUT
""")

MSGS["imap-append-binary.eml"] = crlf("""\
Date: Thu, 09 Jan 2025 08:10:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>
Subject: Appended with a literal8 (BINARY)
Message-ID: <imap-append-binary@lab.test>
MIME-Version: 1.0
Content-Type: application/octet-stream
Content-Transfer-Encoding: binary

""") + bytes(range(1, 256)) + b"\x00\x00\r\n" + crlf("""\
c1 LOGOUT
""")

MSGS["imap-idle-new.eml"] = crlf("""\
Date: Fri, 10 Jan 2025 12:00:00 +0000
From: Frank <frank@lab.test>
To: Bob Example <bob@lab.test>
Subject: Arrived during IDLE
Message-ID: <imap-idle-new@lab.test>

This message was appended by a second connection while the first was idling.
""")

MSGS["pop-1.eml"] = crlf("""\
Return-Path: <alice@lab.test>
Date: Mon, 06 Jan 2025 09:15:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>
Subject: POP lab message one
Message-ID: <pop-1@lab.test>

First message.
Second line.
Third line.
Fourth line.
""")

MSGS["pop-2-dots.eml"] = crlf("""\
Date: Tue, 07 Jan 2025 10:00:00 +0000
From: Carol <carol@lab.test>
To: Bob Example <bob@lab.test>
Subject: Lines starting with dots
Message-ID: <pop-2-dots@lab.test>

Line 1 of the body.
Line 2 of the body.
Line 3 of the body.
.
..
...
.hidden file name at start of line
. a dot and a space
.. two dots then text
Last line after the dots.
""")

MSGS["pop-3.eml"] = crlf("""\
Date: Wed, 08 Jan 2025 11:30:00 +0000
From: Dave <dave@lab.test>
To: Bob Example <bob@lab.test>
Subject: POP lab message three
Message-ID: <pop-3@lab.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Grüße aus dem Labor.
+OK this line looks like a POP3 reply
-ERR so does this one
""")

MSGS["pop-4.eml"] = crlf("""\
Date: Thu, 09 Jan 2025 12:00:00 +0000
From: Erin <erin@lab.test>
To: Bob Example <bob@lab.test>
Subject: POP lab message four
Message-ID: <pop-4@lab.test>

Short.
""")


def large():
    """About 2 MB: a text part and a base64 attachment of a CSV file."""
    rnd = random.Random(20250106)
    rows = ["id,timestamp,sensor,value,status"]
    i = 0
    while sum(len(r) + 2 for r in rows) < 1_080_000:
        i += 1
        rows.append(f"{i},2025-01-06T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z,"
                    f"sensor-{rnd.randrange(1, 64):02d},{rnd.uniform(-40, 120):.3f},"
                    f"{rnd.choice(['ok', 'ok', 'ok', 'warn', 'fail'])}")
    csv = ("\r\n".join(rows) + "\r\n").encode()
    text_lines = []
    for n in range(1, 9001):
        text_lines.append(f"Line {n:05d}: the quick brown fox jumps over the lazy dog.")
        if n % 1000 == 0:
            text_lines.append(".")          # lone dot lines: POP3 must dot-stuff them
            text_lines.append(".leading dot line")
    head = crlf("""\
Date: Mon, 06 Jan 2025 09:00:00 +0000
From: Sensor Hub <hub@lab.test>
To: Bob Example <bob@lab.test>
Subject: Large message (about 2 MB)
Message-ID: <imap-pop-large@lab.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="large-boundary"

--large-boundary
Content-Type: text/plain; charset=us-ascii

""") + crlf("\n".join(text_lines) + "\n") + crlf("""\

--large-boundary
Content-Type: text/csv; name="readings.csv"
Content-Disposition: attachment; filename="readings.csv"
Content-Transfer-Encoding: base64

""")
    body = base64.encodebytes(csv).replace(b"\n", b"\r\n")
    return head + body + crlf("--large-boundary--\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, data in MSGS.items():
        write(name, data)
    write("imap-pop-large-2mb.eml.gz", large(), gz=True)

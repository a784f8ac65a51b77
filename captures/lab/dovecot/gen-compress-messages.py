#!/usr/bin/env python3
"""Write the source messages of the COMPRESS=DEFLATE capture (deterministic).

imap-compress-fetch.eml   seeded as UID 1 and fetched whole (BODY[]) after COMPRESS:
                          a text part and a 4 KiB base64 attachment of pseudo-random
                          bytes, so the compressed FETCH spans several TCP segments
imap-compress-seed-2.eml  seeded as UID 2
imap-compress-append.eml  sent by the compressed connection with APPEND {N}
imap-compress-idle-new.eml appended by a second (plain) connection during IDLE
Every message uses CRLF line ends, as Dovecot sends them.
"""
import base64, hashlib, os, random, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "messages")


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()}")


rng = random.Random(4978)                       # RFC 4978: COMPRESS
blob = bytes(rng.getrandbits(8) for _ in range(4096))
b64 = base64.encodebytes(blob).decode("ascii")   # 76-column lines

write("imap-compress-fetch.eml", crlf(f"""\
Date: Wed, 08 Jan 2025 10:00:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>
Subject: Compressed fetch: report with attachment
Message-ID: <compress-fetch-1@lab.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_cmp_1"

--=_cmp_1
Content-Type: text/plain; charset=us-ascii

Bob,

the quarterly numbers are attached.  This text repeats itself on purpose,
so that deflate has something to chew on:
the quarterly numbers are attached, the quarterly numbers are attached.

Alice

--=_cmp_1
Content-Type: application/octet-stream; name="numbers.bin"
Content-Disposition: attachment; filename="numbers.bin"
Content-Transfer-Encoding: base64

{b64}
--=_cmp_1--
"""))

write("imap-compress-seed-2.eml", crlf("""\
Date: Wed, 08 Jan 2025 11:00:00 +0000
From: Carol Example <carol@lab.test>
To: Bob Example <bob@lab.test>
Subject: Second seeded message
Message-ID: <compress-seed-2@lab.test>

Just a second message in the box.
"""))

write("imap-compress-append.eml", crlf("""\
Date: Wed, 08 Jan 2025 12:00:00 +0000
From: Bob Example <bob@lab.test>
To: Alice Example <alice@lab.test>
Subject: Appended through a compressed stream
Message-ID: <compress-append-3@lab.test>

This message went up as an APPEND literal inside COMPRESS=DEFLATE.
Line two.
Line three, the last one.
"""))

write("imap-compress-idle-new.eml", crlf("""\
Date: Wed, 08 Jan 2025 13:00:00 +0000
From: Dave Example <dave@lab.test>
To: Bob Example <bob@lab.test>
Subject: Arrived during IDLE
Message-ID: <compress-idle-4@lab.test>

Delivered by another connection while the first one was idling.
"""))

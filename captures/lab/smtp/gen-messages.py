#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the source messages of the SMTP captures to captures/lab/messages/smtp-*.

Each file holds the exact message bytes a client sent, before any dot-stuffing
(and, for the smuggling rows, the pieces the payload is built from).  Output is
deterministic: running this again gives the same bytes.
"""
import base64
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "messages")


def crlf(text):
    return text.replace("\n", "\r\n").encode()


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


rnd = random.Random(20240101)
attach = bytes(rnd.randrange(256) for _ in range(300))
att_b64 = "\n".join(base64.b64encode(attach).decode()[i:i + 76] for i in range(0, 400, 76))

write("smtp-plain-session.eml", crlf(f"""From: Alice Example <alice@lab.test>
To: Bob Builder <bob@lab.test>
Cc: "Carol, C." <carol@lab.test>
Subject: =?UTF-8?Q?Caf=C3=A9_men=C3=BC?= for the =?UTF-8?B?d2Vla2VuZA==?=
Date: Mon, 23 Nov 2026 10:00:00 +0000
Message-ID: <plain-session-1@client.lab.test>
X-Lab-Folded: this header value is folded
 onto a second line
\tand a third one that starts with a tab
MIME-Version: 1.0
Content-Type: multipart/mixed;
 boundary="=_mailwire_lab_0001"

This is a multi-part message in MIME format.

--=_mailwire_lab_0001
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Hello Bob,

the next line starts with a dot and is dot-stuffed on the wire:
.hidden behind a dot
..two dots here
.
(the line above is a single dot; on the wire it is "..")

Alice

--=_mailwire_lab_0001
Content-Type: application/octet-stream; name="lab-data.bin"
Content-Disposition: attachment; filename="lab-data.bin"
Content-Transfer-Encoding: base64

{att_b64}
--=_mailwire_lab_0001--
"""))

write("smtp-pipelining.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>, Carol <carol@lab.test>
Subject: pipelined transaction
Date: Mon, 23 Nov 2026 10:01:00 +0000
Message-ID: <pipelining-1@client.lab.test>

MAIL FROM, two RCPT TO and DATA went in one segment;
this message, its final dot and QUIT go in one segment too.
"""))

write("smtp-mismatch-1-bcc.eml", crlf("""From: "Lab Bank Security" <security@lab.test>
To: Bob <bob@lab.test>
Cc: Carol <carol@lab.test>
Subject: Please confirm your account
Date: Mon, 23 Nov 2026 10:02:00 +0000
Message-ID: <mismatch-1@pay.example.net>

The envelope sender is billing@pay.example.net, the From: domain is lab.test.
dave@lab.test got this as a blind copy: he is in RCPT TO only.
"""))

write("smtp-mismatch-2-two-from-lines.eml", crlf("""From: Alice <alice@lab.test>
From: Lab Bank <security@lab.test>
To: Bob <bob@lab.test>
Subject: two From header fields
Date: Mon, 23 Nov 2026 10:03:00 +0000
Message-ID: <mismatch-2@client.lab.test>

This message has two From: header fields (RFC 5322 allows one).
"""))

write("smtp-mismatch-3-two-mailboxes.eml", crlf("""From: Alice <alice@lab.test>, Lab Bank <security@lab.test>
To: Bob <bob@lab.test>
Subject: one From with two mailboxes and no Sender
Date: Mon, 23 Nov 2026 10:04:00 +0000
Message-ID: <mismatch-3@client.lab.test>

From: lists two mailboxes and there is no Sender: field (RFC 5322 requires one).
"""))

write("smtp-mismatch-4-no-from.eml", crlf("""To: Bob <bob@lab.test>
Subject: no From header field
Date: Mon, 23 Nov 2026 10:05:00 +0000
Message-ID: <mismatch-4@client.lab.test>

This message has no From: header field at all.
"""))

# Smuggling: the outer message ends without a line end (the variant supplies it),
# the hidden message ends without one too (the final CRLF.CRLF supplies it).
write("smtp-smuggle-outer.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: quarterly figures
Date: Mon, 23 Nov 2026 10:06:00 +0000
Message-ID: <smuggle-outer@client.lab.test>

Hi Bob, the figures are attached in the next mail."""))

write("smtp-smuggle-hidden.eml", crlf("""From: CEO <ceo@lab.test>
To: Bob <bob@lab.test>
Subject: urgent wire transfer
Date: Mon, 23 Nov 2026 10:06:01 +0000
Message-ID: <smuggle-hidden@client.lab.test>

Bob, please wire the money today. This message was smuggled."""))

long_line = ("0123456789" * 120)  # 1200 octets
write("smtp-odd-body.eml",
      crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: bare CR, bare LF, NUL and a long line
Date: Mon, 23 Nov 2026 10:07:00 +0000
Message-ID: <odd-body@client.lab.test>

""") + b"bare CR here:\rthen text after it\r\n"
      + b"bare LF here:\nthen text after it\r\n"
      + b"NUL bytes here:\x00\x00 and one more:\x00 end\r\n"
      + b"a dot after a bare LF:\n.not a terminator\r\n"
      + b"a 1200-octet line follows\r\n"
      + long_line.encode() + b"\r\n"
      + b"last line\r\n")

write("smtp-bdat-split.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: BDAT in three chunks
Date: Mon, 23 Nov 2026 10:08:00 +0000
Message-ID: <bdat-split@client.lab.test>

BDAT is counted, so nothing is dot-stuffed:
.this line starts with a dot and is sent as is
.
the line above is a single dot, inside the message
""" + "".join("filler line %02d to spread the message over three chunks of BDAT\n" % i
              for i in range(12))))

write("smtp-bdat-coalesced-1.eml",
      crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: BDAT pipelined with bare line ends
Date: Mon, 23 Nov 2026 10:09:00 +0000
Message-ID: <bdat-coalesced-1@client.lab.test>

""") + b"a bare LF inside a chunk:\n.\nlooks like a terminator in DATA but is not in BDAT\r\n"
      + b"a bare CR:\r.\rsame\r\n"
      + b"last line\r\n")

write("smtp-bdat-coalesced-2.eml", crlf("""From: Alice <alice@lab.test>
To: Carol <carol@lab.test>
Subject: BDAT after RSET
Date: Mon, 23 Nov 2026 10:09:30 +0000
Message-ID: <bdat-coalesced-2@client.lab.test>

The first attempt at this message was abandoned with RSET after one chunk.
"""))

write("smtp-auth-plain.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: sent after AUTH PLAIN in clear
Date: Mon, 23 Nov 2026 10:10:00 +0000
Message-ID: <auth-plain@client.lab.test>

Authenticated as alice, over a connection without TLS.
"""))

write("smtp-starttls.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: sent inside STARTTLS
Date: Mon, 23 Nov 2026 10:11:00 +0000
Message-ID: <starttls@client.lab.test>

This transaction ran inside TLS after STARTTLS on port 25.
.a dot-stuffed line inside TLS
"""))

write("smtp-465-implicit-tls.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: sent over implicit TLS on 465
Date: Mon, 23 Nov 2026 10:12:00 +0000
Message-ID: <implicit-tls@client.lab.test>

curl sent this over smtps.
"""))

write("smtp-587-submission.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: submission with STARTTLS
Date: Mon, 23 Nov 2026 10:13:00 +0000
Message-ID: <submission@client.lab.test>

Submitted on 587 after STARTTLS and AUTH PLAIN.
"""))

write("smtp-587-no-starttls.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: submission without STARTTLS
Date: Mon, 23 Nov 2026 10:14:00 +0000
Message-ID: <submission-notls@client.lab.test>

The server offered no STARTTLS, the password went in clear.
"""))

write("smtp-data-rejected-body.eml", crlf("""From: Alice <alice@lab.test>
To: Nobody <nobody@lab.test>
Subject: the server refused DATA

This body follows a 554 reply to DATA, so each line is read as a command.
"""))

write("smtp-data-rejected-ok.eml", crlf("""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: after RSET
Date: Mon, 23 Nov 2026 10:15:00 +0000
Message-ID: <data-rejected-ok@client.lab.test>

The valid transaction after RSET.
"""))

# About 2 MB: a text part and a base64 part of pseudo-random bytes.
big = random.Random(4242)
text = "".join("line %06d: the quick brown fox jumps over the lazy dog %08x\n" % (i, big.getrandbits(32))
               for i in range(25000))
blob = base64.b64encode(bytes(big.getrandbits(8) for _ in range(300000))).decode()
blob = "\n".join(blob[i:i + 76] for i in range(0, len(blob), 76))
write("smtp-large-message.eml", crlf(f"""From: Alice <alice@lab.test>
To: Bob <bob@lab.test>
Subject: a large message
Date: Mon, 23 Nov 2026 10:16:00 +0000
Message-ID: <large@client.lab.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mailwire_lab_big"

--=_mailwire_lab_big
Content-Type: text/plain; charset=us-ascii

{text}
--=_mailwire_lab_big
Content-Type: application/octet-stream; name="random.bin"
Content-Disposition: attachment; filename="random.bin"
Content-Transfer-Encoding: base64

{blob}
--=_mailwire_lab_big--
"""))

#!/usr/bin/env python3
"""Write the messages of the nested-BODYSTRUCTURE capture (deterministic).

imap-nested-2.eml  multipart/mixed: multipart/alternative (text/plain, text/html), then an
                   application/pdf part carrying every optional field BODYSTRUCTURE has:
                   Content-ID, Content-Description, Content-MD5, Content-Disposition with
                   parameters, Content-Language (two tags), Content-Location
imap-nested-3.eml  a single part: text/plain; charset=iso-8859-1; format=flowed, 8bit
imap-nested-4.eml  message/rfc822 inside message/rfc822 (a forward of a forward), the
                   innermost message multipart/alternative
imap-nested-5.eml  multipart/signed (text/plain + application/pgp-signature)
Message 1 of the mailbox is mixed-attachments.eml (made by ../mixed/gen-attachments.py).
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


rng = random.Random(3501)
pdf = b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(600)) + b"\n%%EOF\n"
pdf64 = base64.encodebytes(pdf).decode()
md5 = base64.b64encode(hashlib.md5(pdf).digest()).decode()

write("imap-nested-2.eml", crlf(f"""\
Date: Thu, 09 Jan 2025 10:00:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>
Subject: Every optional BODYSTRUCTURE field
Message-ID: <nested-2@lab.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b2-outer"; x-note="outer"
Content-Language: en

--b2-outer
Content-Type: multipart/alternative; boundary="b2-alt"

--b2-alt
Content-Type: text/plain; charset=us-ascii; format=flowed
Content-Transfer-Encoding: 7bit

Plain text version.
Second line.

--b2-alt
Content-Type: text/html; charset=us-ascii
Content-Transfer-Encoding: 7bit

<p>HTML version.</p>

--b2-alt--

--b2-outer
Content-Type: application/pdf; name="spec.pdf"
Content-ID: <spec-pdf@lab.test>
Content-Description: The specification, version 2
Content-Transfer-Encoding: base64
Content-MD5: {md5}
Content-Disposition: attachment; filename="spec.pdf"; size={len(pdf)}
Content-Language: en, de
Content-Location: http://docs.lab.test/spec.pdf

{pdf64}
--b2-outer--
"""))

latin = ("Date: Thu, 09 Jan 2025 11:00:00 +0000\n"
         "From: Carol Example <carol@lab.test>\n"
         "To: Bob Example <bob@lab.test>\n"
         "Subject: A single part in Latin-1\n"
         "Message-ID: <nested-3@lab.test>\n"
         "MIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=iso-8859-1; format=flowed\n"
         "Content-Transfer-Encoding: 8bit\n"
         "\n"
         "Grüße aus Köln, ça va?\n"
         "Zweite Zeile.\n").replace("\n", "\r\n").encode("latin-1")
write("imap-nested-3.eml", latin)

write("imap-nested-4.eml", crlf("""\
Date: Thu, 09 Jan 2025 12:00:00 +0000
From: Dave Example <dave@lab.test>
To: Bob Example <bob@lab.test>
Subject: Fwd: Fwd: the original
Message-ID: <nested-4@lab.test>
MIME-Version: 1.0
Content-Type: message/rfc822

Date: Wed, 08 Jan 2025 12:00:00 +0000
From: Carol Example <carol@lab.test>
To: Dave Example <dave@lab.test>
Subject: Fwd: the original
Message-ID: <nested-4-middle@lab.test>
MIME-Version: 1.0
Content-Type: message/rfc822

Date: Tue, 07 Jan 2025 12:00:00 +0000
From: Alice Example <alice@lab.test>
To: Carol Example <carol@lab.test>
Subject: the original
Message-ID: <nested-4-inner@lab.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b4"

--b4
Content-Type: text/plain; charset=us-ascii

The original text.

--b4
Content-Type: text/html; charset=us-ascii

<p>The original text.</p>

--b4--
"""))

write("imap-nested-5.eml", crlf("""\
Date: Thu, 09 Jan 2025 13:00:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>
Subject: Signed
Message-ID: <nested-5@lab.test>
MIME-Version: 1.0
Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature";
 boundary="b5"

--b5
Content-Type: text/plain; charset=us-ascii

Signed text.

--b5
Content-Type: application/pgp-signature; name="signature.asc"
Content-Description: OpenPGP digital signature
Content-Disposition: attachment; filename="signature.asc"

-----BEGIN PGP SIGNATURE-----

iQEzBAEBCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmd/AAAACgkQAAAAAAAA
=AAAA
-----END PGP SIGNATURE-----

--b5--
"""))

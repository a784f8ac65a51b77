#!/usr/bin/env python3
"""Write the message with attachments of the SMTP -> IMAP/POP3 capture (deterministic).

    gen-attachments.py [OUTDIR]      (default captures/lab/messages)

Writes OUTDIR/mixed-attachments.eml (CRLF line ends) and, under
OUTDIR/mixed-attachments/, the decoded bytes of every leaf part, named
"part-<IMAP part number><extension>", then prints one line per part:
IMAP part number, content type, disposition, file name (decoded), transfer
encoding, encoded size (octets of the part's body in the message, without the
CRLF before the next boundary: what IMAP BODYSTRUCTURE counts), decoded size,
MD5, SHA-1 and SHA-256 of the decoded bytes.  Last, the whole message's size
and hashes.

Structure (IMAP part numbers):
  multipart/mixed
    1    multipart/alternative
    1.1    text/plain; charset=utf-8, quoted-printable (a line starting with ".")
    1.2    multipart/related
    1.2.1    text/html; charset=utf-8, quoted-printable
    1.2.2    image/png, base64, inline, filename logo.png, Content-ID
    2    application/pdf, base64, attachment report-2025-Q1.pdf (PDF-like binary)
    3    text/plain, quoted-printable, attachment, RFC 2231 filename*=utf-8''...
         "Résumé – été 2025.txt"
    4    application/vnd...sheet, base64, attachment, RFC 2047 encoded-word
         filename "Übersicht Q1.xlsx" (as many mail programs write it)
    5    text/csv, 7bit, attachment, RFC 2231 continuations filename*0*/filename*1*
         "données-2025-日本語.csv"
    6    message/rfc822, attachment forwarded.eml
    6.1    text/plain (inside the forwarded message's multipart/mixed)
    6.2    application/octet-stream, base64, attachment inner.bin
"""
import base64, hashlib, os, random, struct, sys, urllib.parse, zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "messages")
PARTS = os.path.join(OUT, "mixed-attachments")
rng = random.Random(2231)


def rand(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def b64(data):
    s = base64.b64encode(data)
    return b"\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def qp(data):
    """Quoted-printable (RFC 2045) of bytes whose line breaks are CRLF."""
    out = []
    for line in data.split(b"\r\n"):
        enc = []
        for i, c in enumerate(line):
            last = i == len(line) - 1
            if (33 <= c <= 126 and c != 61) or (c in (9, 32) and not last):
                enc.append(chr(c))
            else:
                enc.append("=%02X" % c)
        cur, lines = "", []
        for tok in enc:
            if len(cur) + len(tok) > 75:
                lines.append(cur + "=")
                cur = ""
            cur += tok
        lines.append(cur)
        out.append("\r\n".join(lines))
    return "\r\n".join(out).encode("ascii")


def png(w=16, h=16):
    raw = b"".join(b"\0" + b"".join(bytes((x * 16 % 256, y * 16 % 256, 160)) for x in range(w))
                   for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def pdf():
    body = rand(9000)
    head = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
            + b"3 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body))
    return head + body + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# ------------------------------------------------------------------ leaf contents
plain = crlf("""\
Hello Bob, hello Carol,

the Q1 report is attached (PDF), with my résumé for the summer and the
overview spreadsheet.  Prices rose by 5 % = more than planned; this line is long enough that quoted-printable has to break it with a soft line break.
. This line starts with a dot: SMTP stuffs it, IMAP does not, POP3 does.
Trailing space here 
Grüße, Alice
""")
html = crlf("""\
<html><body>
<p>Hello Bob, hello Carol,</p>
<p>the Q1 report is attached. Grüße, Alice</p>
<p><img src="cid:logo@lab.test" alt="logo"></p>
</body></html>
""")
logo = png()
report = pdf()
resume = crlf("""\
Résumé – été 2025
=================
Name: Alice Example
Skills: SMTP, IMAP, POP3, MIME (RFC 2045–2049), naïve Bayes, façades
Ünïcödé everywhere: ½ ¼ ¾ € ™ — “quotes”
""")
sheet = b"PK\x03\x04\x14\x00\x06\x00" + rand(3000)
csv = crlf("""\
id;name;amount
1;données;12.50
2;日本語;7.25
""")
inner_bin = rand(1200)
inner_text = crlf("""\
This is the forwarded message's own text.
""")

# ------------------------------------------------------------------ structure
inner_msg = (crlf("""\
Date: Tue, 07 Jan 2025 08:00:00 +0000
From: Dave Example <dave@lab.test>
To: Alice Example <alice@lab.test>
Subject: The original, forwarded
Message-ID: <inner-forwarded@lab.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_inner"

--=_inner
Content-Type: text/plain; charset=us-ascii

""") + inner_text + crlf("""
--=_inner
Content-Type: application/octet-stream; name="inner.bin"
Content-Disposition: attachment; filename="inner.bin"
Content-Transfer-Encoding: base64

""") + b64(inner_bin) + crlf("""
--=_inner--
"""))

resume_name = "Résumé – été 2025.txt"
rfc2231 = "utf-8''" + urllib.parse.quote(resume_name, safe="")
sheet_name = "Übersicht Q1.xlsx"
rfc2047 = "=?utf-8?B?" + base64.b64encode(sheet_name.encode()).decode() + "?="
csv_name = "données-2025-日本語.csv"
c0 = "utf-8''" + urllib.parse.quote("données-2025-", safe="")
c1 = urllib.parse.quote("日本語.csv", safe="")

# (part number, content type, disposition, file name, encoding, encoded body, decoded bytes, headers)
leaves = [
    ("1.1", "text/plain", "", "", "quoted-printable", qp(plain), plain,
     'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n'),
    ("1.2.1", "text/html", "", "", "quoted-printable", qp(html), html,
     'Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n'),
    ("1.2.2", "image/png", "inline", "logo.png", "base64", b64(logo), logo,
     'Content-Type: image/png; name="logo.png"\nContent-Transfer-Encoding: base64\n'
     'Content-ID: <logo@lab.test>\nContent-Disposition: inline; filename="logo.png"\n'),
    ("2", "application/pdf", "attachment", "report-2025-Q1.pdf", "base64", b64(report), report,
     'Content-Type: application/pdf; name="report-2025-Q1.pdf"\n'
     'Content-Disposition: attachment; filename="report-2025-Q1.pdf"\nContent-Transfer-Encoding: base64\n'),
    ("3", "text/plain", "attachment", resume_name, "quoted-printable", qp(resume), resume,
     f"Content-Type: text/plain; charset=utf-8; name*={rfc2231}\n"
     f"Content-Disposition: attachment;\n filename*={rfc2231}\nContent-Transfer-Encoding: quoted-printable\n"),
    ("4", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment", sheet_name,
     "base64", b64(sheet), sheet,
     f'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;\n name="{rfc2047}"\n'
     f'Content-Disposition: attachment; filename="{rfc2047}"\nContent-Transfer-Encoding: base64\n'),
    ("5", "text/csv", "attachment", csv_name, "8bit", csv, csv,
     f"Content-Type: text/csv; charset=utf-8\n"
     f"Content-Disposition: attachment;\n filename*0*={c0};\n filename*1*={c1}\nContent-Transfer-Encoding: 8bit\n"),
    ("6", "message/rfc822", "attachment", "forwarded.eml", "7bit", inner_msg, inner_msg,
     'Content-Type: message/rfc822\nContent-Disposition: attachment; filename="forwarded.eml"\n'),
]
inner_leaves = [
    ("6.1", "text/plain", "", "", "7bit", inner_text, inner_text, ""),
    ("6.2", "application/octet-stream", "attachment", "inner.bin", "base64", b64(inner_bin), inner_bin, ""),
]
by = {l[0]: l for l in leaves}


def part(num):
    l = by[num]
    return crlf(l[7]) + b"\r\n" + l[5]


msg = crlf("""\
Date: Wed, 08 Jan 2025 09:30:00 +0000
From: Alice Example <alice@lab.test>
To: Bob Example <bob@lab.test>, Carol Example <carol@lab.test>
Subject: =?utf-8?Q?Q1_report_=E2=80=93_r=C3=A9sum=C3=A9_and_overview?=
Message-ID: <mixed-attachments-1@lab.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_outer"

This is a multi-part message in MIME format.
--=_outer
Content-Type: multipart/alternative; boundary="=_alt"

--=_alt
""") + part("1.1") + crlf("""
--=_alt
Content-Type: multipart/related; boundary="=_rel"; type="text/html"

--=_rel
""") + part("1.2.1") + crlf("""
--=_rel
""") + part("1.2.2") + crlf("""
--=_rel--

--=_alt--

--=_outer
""") + part("2") + crlf("""
--=_outer
""") + part("3") + crlf("""
--=_outer
""") + part("4") + crlf("""
--=_outer
""") + part("5") + crlf("""
--=_outer
""") + part("6") + crlf("""
--=_outer--
""")

for line in msg.split(b"\r\n"):
    assert len(line) <= 998, "line too long for SMTP"

os.makedirs(PARTS, exist_ok=True)
with open(os.path.join(OUT, "mixed-attachments.eml"), "wb") as f:
    f.write(msg)
H = lambda d: (hashlib.md5(d).hexdigest(), hashlib.sha1(d).hexdigest(), hashlib.sha256(d).hexdigest())
print("# part | content type | disposition | file name | encoding | encoded size | decoded size | md5 | sha1 | sha256 | file")
for num, ctype, disp, name, enc, encoded, decoded, _ in leaves + inner_leaves:
    ext = os.path.splitext(name)[1] if name else {"text/plain": ".txt", "text/html": ".html"}[ctype]
    fname = f"part-{num}{ext}"
    with open(os.path.join(PARTS, fname), "wb") as f:
        f.write(decoded)
    md5, sha1, sha256 = H(decoded)
    print(f"part {num} | {ctype} | {disp or '-'} | {name or '-'} | {enc} | {len(encoded)} | {len(decoded)} | "
          f"{md5} | {sha1} | {sha256} | mixed-attachments/{fname}")
md5, sha1, sha256 = H(msg)
print(f"message mixed-attachments.eml | size {len(msg)} | md5 {md5} | sha1 {sha1} | sha256 {sha256}")

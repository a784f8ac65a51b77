"""MIME cases for gen.py: decoding errors, deceptive names, deep nesting,
and many messages in one frame (which must not reach Wireshark's tree depth
limit).  Standard library only."""


def _msg(body_headers, body):
    return (b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: t\r\n"
            b"MIME-Version: 1.0\r\n" + body_headers + b"\r\n" + body)


def _mixed(parts, close=True):
    out = b"".join(b"--b1\r\n" + p + b"\r\n" for p in parts)
    return out + (b"--b1--\r\n" if close else b"")


BAD_MESSAGES = [
    # base64 with a character outside the alphabet and a stray pad
    _msg(b'Content-Type: multipart/mixed; boundary="b1"\r\n',
         _mixed([b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                 b'Content-Disposition: attachment; filename="a.bin"\r\n\r\nQUJD*RA==QUJD']))
    ,
    # quoted-printable with an escape that is no hex pair
    _msg(b'Content-Type: multipart/mixed; boundary="b1"\r\n',
         _mixed([b"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                 b'Content-Disposition: attachment; filename="b.txt"\r\n\r\nabc=ZZdef=4']))
    ,
    # a boundary that never closes
    _msg(b'Content-Type: multipart/mixed; boundary="b1"\r\n',
         _mixed([b"Content-Type: text/plain\r\n\r\nno end"], close=False)),
    # a file name that hides its extension (RLO) and a double extension
    _msg(b'Content-Type: multipart/mixed; boundary="b1"\r\n',
         _mixed([b"Content-Type: application/octet-stream\r\n"
                 b"Content-Disposition: attachment; filename*=utf-8''invoice%E2%80%AEfdp.exe\r\n"
                 b"\r\nMZ",
                 b"Content-Type: application/octet-stream\r\n"
                 b'Content-Disposition: attachment; filename="invoice.pdf.exe"\r\n\r\nMZ'])),
]


def _deep(n):
    head = b"".join(b'Content-Type: multipart/mixed; boundary="d%d"\r\n\r\n--d%d\r\n' % (i, i)
                    for i in range(n))
    tail = b"".join(b"\r\n--d%d--\r\n" % i for i in reversed(range(n)))
    return (b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: deep\r\n"
            b"MIME-Version: 1.0\r\n" + head + b"Content-Type: text/plain\r\n\r\nleaf" + tail)


def _data(k, msg):
    k.c(b"MAIL FROM:<alice@example.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<bob@example.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"DATA\r\n")
    k.s(b"354 go on\r\n")
    k.c(msg + b"\r\n.\r\n")
    k.s(b"250 2.0.0 Ok queued\r\n")


def smtp_mime_errors(g):
    def case(w):
        k = g.smtp_start(w)
        for m in BAD_MESSAGES:
            _data(k, m)
        _data(k, _deep(1500))
        k.c(b"QUIT\r\n")
        k.s(b"221 Bye\r\n")
        k.close()
    return case


def imap_many_messages(g):
    def case(w):
        k = g.imap_start(w)
        k.c(b"a1s SELECT INBOX\r\n")
        k.s(b"* 600 EXISTS\r\na1s OK [READ-WRITE] done\r\n")
        k.c(b"a2 FETCH 1:600 BODY[]\r\n")
        m = b"Subject: m\r\n\r\nx\r\n"
        resp = b"".join(b"* %d FETCH (BODY[] {%d}\r\n%s)\r\n" % (i, len(m), m)
                        for i in range(1, 601))
        k.s(resp + b"a2 OK done\r\n", seg=len(resp) + 64)
        k.c(b"a3 NOOP\r\n")
        k.s(b"a3 OK done\r\n")
        k.close()
    return case


ALTERED_HEAD = (b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: invoice\r\n"
                b"Message-ID: <altered-1@example.test>\r\n\r\n")


def smtp_pop_altered(g):
    """Submitted by SMTP, then retrieved by POP3 with another bank account."""
    def case(w):
        k = g.smtp_start(w)
        _data(k, ALTERED_HEAD + b"Please pay to account 1111.\r\n")
        k.c(b"QUIT\r\n")
        k.s(b"221 Bye\r\n")
        k.close()
        k = g.pop_start(w)
        k.c(b"RETR 1\r\n")
        k.s(b"+OK\r\nReturn-Path: <alice@example.test>\r\n" + ALTERED_HEAD
            + b"Please pay to account 9999.\r\n.\r\n")
        k.c(b"QUIT\r\n")
        k.s(b"+OK bye\r\n")
        k.close()
    return case


# The same decoding errors in messages fetched by IMAP and retrieved by POP3
# (the walk runs for whole messages of all three protocols), with the name
# tricks and base64 faults the SMTP case leaves out.
FETCHED = [
    # base64 cut inside a quantum; a name with zero-width spaces; a name
    # padded with spaces to push ".exe" out of view
    _msg(b'Content-Type: multipart/mixed; boundary="b1"\r\n',
         _mixed([b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                 b'Content-Disposition: attachment; filename="cut.bin"\r\n\r\nQUJDREVGR',
                 b"Content-Type: application/octet-stream\r\n"
                 b"Content-Disposition: attachment; filename*=utf-8''payroll%E2%80%8B%E2%80%8B.xlsx\r\n"
                 b"\r\nPK",
                 b"Content-Type: application/octet-stream\r\n"
                 b'Content-Disposition: attachment; filename="statement                    .exe"'
                 b"\r\n\r\nMZ"])),
    # quoted-printable with a bare "=" escape cut short, in a multipart that
    # never closes
    _msg(b'Content-Type: multipart/mixed; boundary="b1"\r\n',
         _mixed([b"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                 b'Content-Disposition: attachment; filename="notes.txt"\r\n\r\nline=0D=0Aend=G'],
                close=False)),
]


def imap_pop_mime_errors(g):
    def case(w):
        k = g.imap_start(w)
        k.c(b"a2 SELECT INBOX\r\n")
        k.s(b"* 2 EXISTS\r\na2 OK [READ-WRITE] done\r\n")
        for i, m in enumerate(FETCHED, 1):
            k.c(b"a%d FETCH %d BODY[]\r\n" % (i + 2, i))
            k.s(b"* %d FETCH (BODY[] {%d}\r\n%s)\r\na%d OK done\r\n" % (i, len(m), m, i + 2))
        k.c(b"a9 LOGOUT\r\n")
        k.s(b"* BYE\r\na9 OK done\r\n")
        k.close()
        k = g.pop_start(w)
        for i, m in enumerate([BAD_MESSAGES[0], _deep(40)], 1):
            k.c(b"RETR %d\r\n" % i)
            k.s(b"+OK\r\n" + m + b"\r\n.\r\n")
        k.c(b"QUIT\r\n")
        k.s(b"+OK bye\r\n")
        k.close()
    return case


def cases(g):
    return {"hostile-smtp-pop-altered": smtp_pop_altered(g),
            "hostile-smtp-mime-errors": smtp_mime_errors(g),
            "hostile-imap-pop-mime-errors": imap_pop_mime_errors(g),
            "hostile-imap-many-messages": imap_many_messages(g)}

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""SMTP clients (and two small scripted servers) that produce mailwire's SMTP captures.

Run inside the lab's network namespace by make-all.sh: `smtplab.py SCENARIO`.
Environment: LAB_MSG (captures/lab/messages), LAB_KEYLOG (TLS key log to append to),
LAB_CERT / LAB_KEY (server certificate for the scripted servers).

Raw scenarios write each `send()` with one sendall() on a TCP_NODELAY socket, so each
lands in one TCP segment as long as it is shorter than the MSS (1448 here).
"""
import base64
import hashlib
import hmac
import os
import select
import smtplib
import socket
import ssl
import sys
import time

MSG = os.environ.get("LAB_MSG", os.path.join(os.path.dirname(__file__), "..", "messages"))
KEYLOG = os.environ.get("LAB_KEYLOG", "/tmp/lab-keylog.txt")
USER, PASS = "alice", "wonderland-Secret1"
PF = "127.0.0.1"          # Postfix, smtpd_forbid_bare_newline=no
PF_REJECT = "127.0.0.3"   # Postfix, smtpd_forbid_bare_newline=reject
PF_NORMALIZE = "127.0.0.4"
PF_NOTLS = "127.0.0.2"    # submission on 587 with TLS off
FAKE = "127.0.0.9"        # scripted servers


def msg(name):
    with open(os.path.join(MSG, name), "rb") as f:
        return f.read()


def client_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.keylog_filename = KEYLOG
    return ctx


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Raw:
    """A raw SMTP client: sends exactly the bytes given, reads replies as they come."""

    def __init__(self, host, port=25, src=None):
        self.s = socket.socket()
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if src:
            self.s.bind((src, 0))
        self.s.connect((host, port))
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        log("C:", data[:200])
        self.s.sendall(data)

    def _fill(self, timeout=10):
        r, _, _ = select.select([self.s], [], [], timeout)
        if not r:
            return False
        d = self.s.recv(65536)
        if not d:
            raise EOFError("server closed")
        self.buf += d
        return True

    def reply(self, timeout=10):
        """One complete (possibly multi-line) reply."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                if not self._fill(timeout):
                    raise TimeoutError("no reply; got %r" % lines)
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                log("S:", lines)
                return lines

    def code(self, timeout=10):
        return int(self.reply(timeout)[-1][:3])

    def drain(self, quiet=1.5):
        """Every reply that arrives until the server has been quiet for `quiet` seconds."""
        out = []
        while True:
            while b"\r\n" in self.buf:
                out.append(self.reply())
            try:
                if not self._fill(quiet):
                    return out
            except EOFError:  # a server that answers and closes (Exim, OpenSMTPD)
                return out

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.code()

    def ehlo(self, name="client.lab.test"):
        self.send("EHLO %s\r\n" % name)
        self.ehlo_lines = self.reply()
        return self.ehlo_lines

    def starttls(self, ctx=None):
        self.s = (ctx or client_ctx()).wrap_socket(self.s, server_hostname="mail.lab.test")

    def quit(self):
        try:
            self.cmd("QUIT")
        except EOFError:
            pass
        self.s.close()


def expect(got, want):
    if got != want:
        raise SystemExit("unexpected reply %r, wanted %r" % (got, want))


# 1. A plain session from Python's smtplib (a real client library: EHLO, SIZE, dot-stuffing).
def plain_session():
    m = msg("smtp-plain-session.eml")
    with smtplib.SMTP(PF, 25, local_hostname="client.lab.test") as s:
        s.ehlo()
        s.sendmail("alice@lab.test", ["bob@lab.test", "carol@lab.test"], m)


# 2. PIPELINING: MAIL/RCPT/RCPT/DATA in one segment; message, dot and QUIT in one segment.
def pipelining():
    c = Raw(PF)
    assert b"PIPELINING" in b"".join(c.ehlo())
    c.send("MAIL FROM:<alice@lab.test>\r\nRCPT TO:<bob@lab.test>\r\n"
           "RCPT TO:<carol@lab.test>\r\nDATA\r\n")
    codes = [int(r[-1][:3]) for r in (c.reply(), c.reply(), c.reply(), c.reply())]
    expect(codes, [250, 250, 250, 354])
    c.send(msg("smtp-pipelining.eml") + b".\r\nQUIT\r\n")
    expect(c.code(), 250)
    expect(c.code(), 221)
    c.s.close()


# 3. Envelope/header mismatches in one smtplib session, four transactions.
def envelope_mismatch():
    with smtplib.SMTP(PF, 25, local_hostname="relay.pay.example.net") as s:
        s.ehlo()
        s.sendmail("billing@pay.example.net",
                   ["bob@lab.test", "carol@lab.test", "dave@lab.test"],
                   msg("smtp-mismatch-1-bcc.eml"))
        s.sendmail("alice@lab.test", ["bob@lab.test"], msg("smtp-mismatch-2-two-from-lines.eml"))
        s.sendmail("alice@lab.test", ["bob@lab.test"], msg("smtp-mismatch-3-two-mailboxes.eml"))
        s.sendmail("alice@lab.test", ["bob@lab.test"], msg("smtp-mismatch-4-no-from.eml"))


# 4. Smuggling: message, variant terminator, MAIL/RCPT/DATA, hidden message, CRLF.CRLF, one segment.
SMUGGLE = {
    1: ("lf-dot-lf", b"\n.\n"),
    2: ("lf-dot-crlf", b"\n.\r\n"),
    3: ("crlf-dot-lf", b"\r\n.\n"),
    4: ("cr-dot-cr", b"\r.\r"),
    5: ("cr-dot-lf", b"\r.\n"),
    6: ("lf-dot-cr", b"\n.\r"),
    7: ("cr-dot-crlf", b"\r.\r\n"),
    8: ("crlf-dot-cr", b"\r\n.\r"),
    9: ("crlf-nul-dot-crlf", b"\r\n\x00.\r\n"),
    10: ("crlf-dot-nul-crlf", b"\r\n.\x00\r\n"),
    11: ("crlf-dot-cr-crlf", b"\r\n.\r\r\n"),
    12: ("crcrlf-dot-crcrlf", b"\r\r\n.\r\r\n"),
}
SMUGGLED_CMDS = b"MAIL FROM:<ceo@lab.test>\r\nRCPT TO:<bob@lab.test>\r\nDATA\r\n"


def smuggle_payload(row):
    return (msg("smtp-smuggle-outer.eml") + SMUGGLE[row][1] + SMUGGLED_CMDS +
            msg("smtp-smuggle-hidden.eml") + b"\r\n.\r\n")


def smuggle_one(row, host=PF):
    c = Raw(host)
    c.ehlo()
    expect(c.cmd("MAIL FROM:<alice@lab.test>"), 250)
    expect(c.cmd("RCPT TO:<bob@lab.test>"), 250)
    expect(c.cmd("DATA"), 354)
    p = smuggle_payload(row)
    assert len(p) < 1400
    c.send(p)
    got = c.drain()
    log("row %d on %s: %r" % (row, host, got))
    try:
        c.quit()
    except (EOFError, TimeoutError, OSError):
        pass


def smuggle(row, host=PF):
    smuggle_one(int(row), host)


def smuggle_rows(host, *rows):
    """Several variants against one server, one connection each; "lf-only" is smuggle_lf_only."""
    for r in rows:
        if r == "lf-only":
            smuggle_lf_only(host)
        else:
            smuggle_one(int(r), host)


# 4a. A message whose lines all end in bare LF, then <LF>.<LF>, the smuggled commands and
# message (bare LF too), and a proper <CR><LF>.<CR><LF>: Exim 4.96 ends this message at the
# <LF>.<LF> (it takes LF as the line end of a message that uses it throughout).
def smuggle_lf_only(host=PF):
    c = Raw(host)
    c.ehlo()
    expect(c.cmd("MAIL FROM:<alice@lab.test>"), 250)
    expect(c.cmd("RCPT TO:<bob@lab.test>"), 250)
    expect(c.cmd("DATA"), 354)
    lf = lambda b: b.replace(b"\r\n", b"\n")
    p = (lf(msg("smtp-smuggle-outer.eml")) + b"\n.\n" + lf(SMUGGLED_CMDS) +
         lf(msg("smtp-smuggle-hidden.eml")) + b"\r\n.\r\n")
    assert len(p) < 1400
    c.send(p)
    got = c.drain()
    log("lf-only on %s: %r" % (host, got))
    try:
        c.quit()
    except (EOFError, TimeoutError, OSError):
        pass


def smuggle_strict(*rows):
    for r in rows:
        smuggle_one(int(r), PF_REJECT)


def smuggle_normalize(*rows):
    for r in rows:
        smuggle_one(int(r), PF_NORMALIZE)


# 4b. Bare CR, bare LF, NUL and a 1200-octet line inside a body ended properly.
def odd_body():
    c = Raw(PF)
    c.ehlo()
    expect(c.cmd("MAIL FROM:<alice@lab.test>"), 250)
    expect(c.cmd("RCPT TO:<bob@lab.test>"), 250)
    expect(c.cmd("DATA"), 354)
    c.send(msg("smtp-odd-body.eml") + b".\r\n")
    expect(c.code(), 250)
    c.quit()


# 5. BDAT.
def bdat_split():
    m = msg("smtp-bdat-split.eml")
    # chunk 1 ends with CR, chunk 2 begins with LF: the CRLF is split across chunks
    cut1 = m.index(b"\r\n", 200) + 1
    cut2 = cut1 + 400
    chunks = [m[:cut1], m[cut1:cut2], m[cut2:]]
    c = Raw(PF)
    assert b"CHUNKING" in b"".join(c.ehlo())
    expect(c.cmd("MAIL FROM:<alice@lab.test>"), 250)
    expect(c.cmd("RCPT TO:<bob@lab.test>"), 250)
    # chunk 1: the BDAT line and its data in two segments
    c.send("BDAT %d\r\n" % len(chunks[0]))
    time.sleep(0.3)
    c.send(chunks[0])
    expect(c.code(), 250)
    # chunk 2 and 3: BDAT line and data in one segment each
    c.send(b"BDAT %d\r\n" % len(chunks[1]) + chunks[1])
    expect(c.code(), 250)
    c.send(b"BDAT %d LAST\r\n" % len(chunks[2]) + chunks[2])
    expect(c.code(), 250)
    c.quit()
    log("chunks:", [len(x) for x in chunks])


def bdat_coalesced():
    m1 = msg("smtp-bdat-coalesced-1.eml")
    m2 = msg("smtp-bdat-coalesced-2.eml")
    cut = len(m1) // 2
    c = Raw(PF)
    c.ehlo()
    c.send(b"MAIL FROM:<alice@lab.test>\r\nRCPT TO:<bob@lab.test>\r\n"
           b"BDAT %d\r\n" % cut + m1[:cut] +
           b"BDAT %d LAST\r\n" % (len(m1) - cut) + m1[cut:])
    got = c.drain()
    log("coalesced:", got)
    # second transaction: one chunk, then RSET instead of LAST
    c.send(b"MAIL FROM:<alice@lab.test>\r\nRCPT TO:<carol@lab.test>\r\n"
           b"BDAT %d\r\n" % 60 + m2[:60])
    c.drain()
    expect(c.cmd("RSET"), 250)
    # third transaction: the whole second message, pipelined
    c.send(b"MAIL FROM:<alice@lab.test>\r\nRCPT TO:<carol@lab.test>\r\n"
           b"BDAT %d LAST\r\n" % len(m2) + m2)
    c.drain()
    c.quit()


# 6. AUTH against Postfix + Dovecot SASL, in clear.
def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def auth_plain():
    # session 1: wrong password, initial response
    c = Raw(PF)
    c.ehlo()
    expect(c.cmd("AUTH PLAIN " + b64("\0%s\0wrong-Password" % USER)), 535)
    c.quit()
    # session 2: no initial response, then 334 and the credentials, then a transaction
    c = Raw(PF)
    c.ehlo()
    expect(c.cmd("AUTH PLAIN"), 334)
    expect(c.cmd(b64("\0%s\0%s" % (USER, PASS))), 235)
    expect(c.cmd("MAIL FROM:<alice@lab.test> AUTH=<alice@lab.test>"), 250)
    expect(c.cmd("RCPT TO:<bob@lab.test>"), 250)
    expect(c.cmd("DATA"), 354)
    c.send(msg("smtp-auth-plain.eml") + b".\r\n")
    expect(c.code(), 250)
    c.quit()
    # session 3: initial response with an authorization identity
    c = Raw(PF)
    c.ehlo()
    expect(c.cmd("AUTH PLAIN " + b64("%s\0%s\0%s" % (USER, USER, PASS))), 235)
    c.quit()


def auth_login():
    c = Raw(PF)
    c.ehlo()
    c.send("AUTH LOGIN\r\n")
    r = c.reply()
    assert base64.b64decode(r[0][4:]) == b"Username:", r
    c.send(b64(USER) + "\r\n")
    r = c.reply()
    assert base64.b64decode(r[0][4:]) == b"Password:", r
    expect(c.cmd(b64(PASS)), 235)
    c.quit()
    # cancelled exchange: "*" answers the 334
    c = Raw(PF)
    c.ehlo()
    expect(c.cmd("AUTH LOGIN " + b64(USER)), 334)
    expect(c.cmd("*"), 501)
    c.quit()


def auth_cram_md5():
    c = Raw(PF)
    c.ehlo()
    c.send("AUTH CRAM-MD5\r\n")
    r = c.reply()
    challenge = base64.b64decode(r[0][4:])
    digest = hmac.new(PASS.encode(), challenge, hashlib.md5).hexdigest()
    expect(c.cmd(b64("%s %s" % (USER, digest))), 235)
    c.quit()


# 6b. XOAUTH2 / OAUTHBEARER against a scripted server (Dovecot needs an OAuth2 backend).
TOKEN = "ya29.a0AfB_byC3lAbT0kEnN0tReAl-mailwire-lab-0123456789abcdefghijklmnopqrstuvwxyz"


def auth_oauth():
    c = Raw(FAKE)
    c.ehlo()
    # XOAUTH2 with an expired token: 334 with a JSON error, empty line, 535
    ir = b64("user=alice@lab.test\x01auth=Bearer expired-%s\x01\x01" % TOKEN)
    c.send("AUTH XOAUTH2 %s\r\n" % ir)
    r = c.reply()
    log("error challenge:", base64.b64decode(r[0][4:]))
    expect(c.cmd(""), 535)
    # XOAUTH2 accepted
    ir = b64("user=alice@lab.test\x01auth=Bearer %s\x01\x01" % TOKEN)
    expect(c.cmd("AUTH XOAUTH2 " + ir), 235)
    c.quit()
    c = Raw(FAKE)
    c.ehlo()
    ir = b64("n,a=alice@lab.test,\x01host=mail.lab.test\x01port=25\x01auth=Bearer %s\x01\x01" % TOKEN)
    expect(c.cmd("AUTH OAUTHBEARER " + ir), 235)
    c.quit()


def oauth_server():
    """Scripted server: advertises AUTH XOAUTH2 OAUTHBEARER, answers 235 unless the token is 'expired-'."""
    ls = listen(FAKE)
    for _ in range(2):
        s, _ = ls.accept()
        srv = LineServer(s)
        srv.say(b"220 mx.lab.test ESMTP scripted lab server\r\n")
        while True:
            line = srv.line()
            if line is None:
                break
            verb = line.split(b" ", 1)[0].upper()
            if verb == b"EHLO":
                srv.say(b"250-mx.lab.test\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n"
                        b"250-AUTH LOGIN PLAIN XOAUTH2 OAUTHBEARER\r\n250-ENHANCEDSTATUSCODES\r\n"
                        b"250-PIPELINING\r\n250 SMTPUTF8\r\n")
            elif verb == b"AUTH":
                ir = base64.b64decode(line.split(b" ")[2])
                if b"Bearer expired-" in ir:
                    err = b'{"status":"401","schemes":"Bearer","scope":"https://mail.lab.test/"}'
                    srv.say(b"334 " + base64.b64encode(err) + b"\r\n")
                    srv.line()
                    srv.say(b"535-5.7.8 Username and Password not accepted.\r\n"
                            b"535 5.7.8 Token expired or revoked. lab\r\n")
                else:
                    srv.say(b"235 2.7.0 Accepted\r\n")
            elif verb == b"QUIT":
                srv.say(b"221 2.0.0 closing connection lab\r\n")
                break
            else:
                srv.say(b"502 5.5.1 Unrecognized command. lab\r\n")
        s.close()


def listen(host, port=25):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(5)
    open(os.environ.get("LAB_READY", "/dev/null"), "w").close()
    return ls


class LineServer:
    def __init__(self, s):
        self.s = s
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def say(self, data):
        self.s.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                return None
            self.buf += d
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line


# 7. STARTTLS.
def starttls():
    with smtplib.SMTP(PF, 25, local_hostname="client.lab.test") as s:
        s.ehlo()
        s.starttls(context=client_ctx())
        s.ehlo()
        s.user, s.password = USER, PASS
        s.auth("PLAIN", s.auth_plain)
        s.sendmail("alice@lab.test", ["bob@lab.test"], msg("smtp-starttls.eml"))


def starttls_injection():
    for extra in ("RSET\r\n", "MAIL FROM:<x@y>\r\n"):
        c = Raw(PF)
        c.ehlo()
        c.send("STARTTLS\r\n" + extra)
        expect(c.code(), 220)
        time.sleep(0.3)
        c.starttls()
        c.buf = b""
        c.ehlo()
        c.quit()
    # a scripted server that injects a reply after its 220 to STARTTLS
    c = Raw(FAKE)
    c.ehlo()
    c.send("STARTTLS\r\n")
    deadline = time.time() + 3
    while b"250 injected\r\n" not in c.buf and time.time() < deadline:
        c._fill(0.5)
    log("before TLS:", c.buf)
    c.buf = b""      # a safe client drops what it read before the handshake
    c.starttls()
    c.ehlo()
    c.quit()


def inject_server():
    ls = listen(FAKE)
    s, _ = ls.accept()
    srv = LineServer(s)
    srv.say(b"220 mx.lab.test ESMTP scripted lab server\r\n")
    tls = False
    while True:
        line = srv.line()
        if line is None:
            break
        verb = line.split(b" ", 1)[0].upper()
        if verb == b"EHLO":
            srv.say(b"250-mx.lab.test\r\n250-PIPELINING\r\n" +
                    (b"" if tls else b"250-STARTTLS\r\n") + b"250 8BITMIME\r\n")
        elif verb == b"STARTTLS":
            srv.say(b"220 ready\r\n250 injected\r\n")      # both lines in one segment
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(os.environ["LAB_CERT"], os.environ["LAB_KEY"])
            srv.s = ctx.wrap_socket(srv.s, server_side=True)
            srv.buf = b""
            tls = True
        elif verb == b"QUIT":
            srv.say(b"221 2.0.0 Bye\r\n")
            break
        else:
            srv.say(b"502 5.5.1 Unrecognized command\r\n")
    s.close()


# 9. Submission on 587 with STARTTLS (smtplib), see make-all.sh for curl/swaks.
def submission():
    with smtplib.SMTP(PF, 587, local_hostname="client.lab.test") as s:
        s.ehlo()
        s.starttls(context=client_ctx())
        s.ehlo()
        s.user, s.password = USER, PASS
        s.auth("PLAIN", s.auth_plain)
        s.sendmail("alice@lab.test", ["bob@lab.test"], msg("smtp-587-submission.eml"))


# 10. Rejected commands and a rejected DATA whose body the client sends anyway.
def data_rejected():
    c = Raw(PF)
    c.ehlo()
    expect(c.cmd("RCPT TO:<bob@lab.test>"), 503)          # RCPT before MAIL
    expect(c.cmd("DATA"), 503)                            # DATA before MAIL
    expect(c.cmd("MAIL FROM:<alice@lab.test>"), 250)
    expect(c.cmd("DATA"), 554)                            # DATA without RCPT
    expect(c.cmd("RCPT TO:<nobody@lab.test>"), 550)       # unknown user
    expect(c.cmd("DATA"), 554)                            # no valid recipients
    body = msg("smtp-data-rejected-body.eml")
    c.send(body + b".\r\n")                               # client goes on regardless
    try:
        log("replies to the body:", c.drain(2.5))          # Postfix: 221 "I can break rules, too"
    except EOFError:
        log("server closed the connection")
    c.s.close()
    # second connection: a rejected and an accepted RCPT, RSET, then a valid transaction
    c = Raw(PF)
    c.ehlo()
    expect(c.cmd("MAIL FROM:<alice@lab.test>"), 250)
    expect(c.cmd("RCPT TO:<nobody@lab.test>"), 550)
    expect(c.cmd("RSET"), 250)
    expect(c.cmd("MAIL FROM:<alice@lab.test>"), 250)
    expect(c.cmd("RCPT TO:<bob@lab.test>"), 250)
    expect(c.cmd("DATA"), 354)
    c.send(msg("smtp-data-rejected-ok.eml") + b".\r\n")
    expect(c.code(), 250)
    c.quit()


# 11. A large message via smtplib.
def large():
    with smtplib.SMTP(PF, 25, local_hostname="client.lab.test") as s:
        s.ehlo()
        s.sendmail("alice@lab.test", ["bob@lab.test"], msg("smtp-large-message.eml"))


if __name__ == "__main__":
    globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])

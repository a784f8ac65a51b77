#!/usr/bin/env python3
"""Clients for the IMAP/POP3 lab captures (run inside the lab namespace).

usage: labclient.py SCENARIO MSGDIR KEYLOG
Real clients (imaplib, poplib) where they do what we want; a raw socket client
(class Raw) where exact bytes and segmenting matter (literals, pipelining,
injection, SASL exchanges, errors).  Every send is one send() call with
TCP_NODELAY, so one send is one TCP segment when it is below the MSS.
"""
import base64, hashlib, hmac, imaplib, os, poplib, re, socket, ssl, sys, time

HOST = "127.0.0.1"
BOB, BOB_PW = "bob", 'pa ss"word'
CAROL, CAROL_PW = "carol", "carol-pw"
SCEN, MSGDIR, KEYLOG = sys.argv[1], sys.argv[2], sys.argv[3]


def msg(name):
    with open(os.path.join(MSGDIR, name), "rb") as f:
        return f.read()


def tls_ctx():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.keylog_filename = KEYLOG
    return ctx


def pause(t=0.15):
    time.sleep(t)


class Raw:
    def __init__(self, port, tls=False):
        self.s = socket.create_connection((HOST, port), timeout=15)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            self.starttls()
        self.buf = b""

    def starttls(self):
        self.s = tls_ctx().wrap_socket(self.s, server_hostname="mail.lab.test")

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)

    def until(self, regex, flags=re.M):
        """Read until regex matches the buffer; return and consume through the match."""
        r = re.compile(regex, flags)
        while True:
            m = r.search(self.buf)
            if m:
                out, self.buf = self.buf[:m.end()], self.buf[m.end():]
                sys.stdout.write(out.decode("latin-1"))
                return out
            d = self.s.recv(65536)
            if not d:
                raise EOFError(f"closed waiting for {regex!r}; have {self.buf[-200:]!r}")
            self.buf += d

    def drain(self, quiet=0.4):
        """Read whatever arrives until the line is quiet (for broken servers)."""
        self.s.settimeout(quiet)
        out = b""
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    break
                out += d
        except socket.timeout:
            pass
        self.s.settimeout(15)
        sys.stdout.write(out.decode("latin-1"))
        return out

    # IMAP: send a command, read until its tagged completion
    def cmd(self, tag, text):
        self.send(f"{tag} {text}\r\n")
        return self.until(rb"^" + tag.encode() + rb" (OK|NO|BAD)[^\r\n]*\r\n")

    # POP3
    def line(self):
        return self.until(rb"\r\n")

    def pop(self, text, multi=False):
        self.send(text + "\r\n")
        first = self.line()
        if multi and first.startswith(b"+OK"):
            return first + self.until(rb"(^|\r\n)\.\r\n")
        return first

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


# ---------------------------------------------------------------- IMAP

def imap_login_select_fetch():
    M = imaplib.IMAP4(HOST, 143)
    M.login(BOB, BOB_PW)            # imaplib sends the password as "pa ss\"word"
    M.capability()
    M.list()
    M.select("INBOX")
    M.fetch("1:3", "(FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE "
                   "BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BODY.PEEK[TEXT])")
    M.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE)")
    M.store("2", "+FLAGS", r"(\Deleted)")
    M.expunge()
    M.close()
    M.logout()


def imap_copy_move():
    M = imaplib.IMAP4(HOST, 143)
    M.login(BOB, BOB_PW)
    M.create("Archive")
    M.create('"Sent Items"')
    M.select("INBOX")
    M.copy("1:2", "Archive")
    M.uid("COPY", "3", '"Sent Items"')
    M.uid("MOVE", "1", "Archive")
    M.status('"Sent Items"', "(MESSAGES)")
    M.close()
    M.logout()


def imap_login_literal():
    c = Raw(143)
    c.line()
    u, p = BOB.encode(), BOB_PW.encode()
    c.send(b"a1 LOGIN {%d}\r\n" % len(u))
    c.until(rb"^\+[^\r\n]*\r\n")
    c.send(u + b" {%d}\r\n" % len(p))
    c.until(rb"^\+[^\r\n]*\r\n")
    c.send(p + b"\r\n")
    c.until(rb"^a1 (OK|NO|BAD)[^\r\n]*\r\n")
    c.cmd("a2", "LOGOUT")
    c.close()


def imap_fetch_large():
    M = imaplib.IMAP4(HOST, 143)
    M.login(BOB, BOB_PW)
    M.select("INBOX")
    typ, data = M.fetch("1", "(UID RFC822.SIZE BODY[])")
    body = data[0][1]
    print(f"fetched {len(body)} bytes", file=sys.stderr)
    M.logout()


def imap_append():
    c = Raw(143)
    c.line()
    c.cmd("a1", 'LOGIN bob "pa ss\\"word"')
    c.cmd("a2", "CAPABILITY")
    m1 = msg("imap-append-sync.eml")
    c.send(b"a3 APPEND INBOX (\\Seen) \"09-Jan-2025 08:00:00 +0000\" {%d}\r\n" % len(m1))
    c.until(rb"^\+[^\r\n]*\r\n")
    pause()
    c.send(m1 + b"\r\n")
    c.until(rb"^a3 (OK|NO|BAD)[^\r\n]*\r\n")
    m2 = msg("imap-append-nonsync.eml")
    c.send(b"a4 APPEND INBOX {%d+}\r\n" % len(m2))
    pause()                       # separate segment, but no continuation awaited
    c.send(m2 + b"\r\n")
    c.until(rb"^a4 (OK|NO|BAD)[^\r\n]*\r\n")
    m3 = msg("imap-append-binary.eml")
    c.send(b"a5 APPEND INBOX ~{%d}\r\n" % len(m3))
    c.until(rb"^(\+|a5 )[^\r\n]*\r\n")
    pause()
    c.send(m3 + b"\r\n")
    c.until(rb"^a5 (OK|NO|BAD)[^\r\n]*\r\n")
    c.cmd("a6", "SELECT INBOX")
    c.cmd("a7", "FETCH 1:* (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    c.cmd("a8", "LOGOUT")
    c.close()


def imap_pipelined():
    c = Raw(143)
    c.line()
    c.cmd("p1", 'LOGIN bob "pa ss\\"word"')
    c.cmd("p2", "SELECT INBOX")
    c.send("a1 NOOP\r\na2 STATUS INBOX (MESSAGES)\r\na3 FETCH 1 FLAGS\r\na4 SEARCH ALL\r\n")
    c.until(rb"^a4 (OK|NO|BAD)[^\r\n]*\r\n")
    c.cmd("p3", "LOGOUT")
    c.close()


def imap_idle():
    a = Raw(143)
    a.line()
    a.cmd("i1", 'LOGIN bob "pa ss\\"word"')
    a.cmd("i2", "SELECT INBOX")
    a.send("i3 IDLE\r\n")
    a.until(rb"^\+[^\r\n]*\r\n")
    pause(0.5)
    # second connection delivers a message
    b = Raw(143)
    b.line()
    b.cmd("d1", 'LOGIN bob "pa ss\\"word"')
    m = msg("imap-idle-new.eml")
    b.send(b"d2 APPEND INBOX {%d}\r\n" % len(m))
    b.until(rb"^\+[^\r\n]*\r\n")
    b.send(m + b"\r\n")
    b.until(rb"^d2 (OK|NO|BAD)[^\r\n]*\r\n")
    b.cmd("d3", "LOGOUT")
    b.close()
    a.until(rb"^\* \d+ EXISTS\r\n")
    pause(0.5)
    a.drain(0.3)
    a.send("DONE\r\n")
    a.until(rb"^i3 (OK|NO|BAD)[^\r\n]*\r\n")
    a.cmd("i4", "LOGOUT")
    a.close()


def imap_starttls():
    M = imaplib.IMAP4(HOST, 143)
    M.capability()
    M.starttls(ssl_context=tls_ctx())
    M.capability()
    M.login(BOB, BOB_PW)
    M.select("INBOX")
    M.fetch("1", "(FLAGS BODY.PEEK[])")
    M.logout()


def imap_993_tls():
    M = imaplib.IMAP4_SSL(HOST, 993, ssl_context=tls_ctx())
    M.login(BOB, BOB_PW)
    M.select("INBOX")
    M.fetch("1", "(FLAGS BODY.PEEK[])")
    M.logout()


def imap_starttls_injection():
    c = Raw(143)
    c.line()
    c.send("a STARTTLS\r\nb LOGIN x y\r\n")
    c.until(rb"^a (OK|NO|BAD)[^\r\n]*\r\n")
    try:
        c.starttls()
        c.buf = b""
        c.send("c CAPABILITY\r\n")
        c.until(rb"^c (OK|NO|BAD)[^\r\n]*\r\n")
        c.cmd("d", "LOGOUT")
    except (ssl.SSLError, OSError, EOFError) as e:
        print(f"TLS after injection: {e!r}", file=sys.stderr)
    c.close()


def imap_authenticate():
    b64 = lambda s: base64.b64encode(s.encode() if isinstance(s, str) else s).decode()
    plain = b64(f"\0{BOB}\0{BOB_PW}")
    # 1: SASL-IR
    c = Raw(143); c.line()
    c.cmd("a1", f"AUTHENTICATE PLAIN {plain}")
    c.cmd("a2", "LOGOUT"); c.close()
    # 2: PLAIN via continuation
    c = Raw(143); c.line()
    c.send("b1 AUTHENTICATE PLAIN\r\n")
    c.until(rb"^\+[^\r\n]*\r\n")
    c.send(plain + "\r\n")
    c.until(rb"^b1 (OK|NO|BAD)[^\r\n]*\r\n")
    c.cmd("b2", "LOGOUT"); c.close()
    # 3: LOGIN
    c = Raw(143); c.line()
    c.send("c1 AUTHENTICATE LOGIN\r\n")
    c.until(rb"^\+[^\r\n]*\r\n")
    c.send(b64(BOB) + "\r\n")
    c.until(rb"^\+[^\r\n]*\r\n")
    c.send(b64(BOB_PW) + "\r\n")
    c.until(rb"^c1 (OK|NO|BAD)[^\r\n]*\r\n")
    c.cmd("c2", "LOGOUT"); c.close()
    # 4: CRAM-MD5
    c = Raw(143); c.line()
    c.send("d1 AUTHENTICATE CRAM-MD5\r\n")
    ch = c.until(rb"^\+[^\r\n]*\r\n")
    challenge = base64.b64decode(ch[2:].strip())
    digest = hmac.new(BOB_PW.encode(), challenge, hashlib.md5).hexdigest()
    c.send(b64(f"{BOB} {digest}") + "\r\n")
    c.until(rb"^d1 (OK|NO|BAD)[^\r\n]*\r\n")
    c.cmd("d2", "LOGOUT"); c.close()
    # 5: PLAIN cancelled by the client with "*"
    c = Raw(143); c.line()
    c.send("e1 AUTHENTICATE PLAIN\r\n")
    c.until(rb"^\+[^\r\n]*\r\n")
    c.send("*\r\n")
    c.until(rb"^e1 (OK|NO|BAD)[^\r\n]*\r\n")
    c.cmd("e2", "LOGOUT"); c.close()


def imap_errors():
    c = Raw(143); c.line()
    c.cmd("e1", "SELECT INBOX")                 # not authenticated yet
    c.cmd("e2", "FROBNICATE now")               # unknown command
    c.cmd("e3", "LOGIN bob wrong-password")     # NO [AUTHENTICATIONFAILED]
    c.cmd("e4", 'LOGIN bob "pa ss\\"word"')
    c.cmd("e5", "FETCH 1 FLAGS")                # authenticated, nothing selected
    c.cmd("e6", "SELECT")                       # missing argument
    c.cmd("e7", "SELECT NoSuchFolder")          # NO [NONEXISTENT]
    c.cmd("e8", "SELECT INBOX")
    c.cmd("e9", "FETCH 99 FLAGS")               # no such message
    c.cmd("e10", "FETCH 1 (FLAGS")              # unbalanced parenthesis
    c.cmd("e11", "LOGOUT")
    c.close()


# ---------------------------------------------------------------- POP3

def pop_user_pass():
    P = poplib.POP3(HOST, 110)
    P.user(CAROL)
    P.pass_(CAROL_PW)
    P.stat()
    P.list()
    P.uidl()
    P.list(1)
    P.top(1, 0)
    P.top(2, 3)
    P.retr(2)                       # the message with lines starting with '.'
    P.dele(1)
    P.quit()


def pop_retr_large():
    c = Raw(110); c.line()
    c.pop(f"USER {CAROL}"); c.pop(f"PASS {CAROL_PW}")
    c.pop("STAT")
    c.pop("LIST", True)
    c.send("RETR 1\r\n")
    c.line()
    big = c.until(rb"\r\n\.\r\n")
    sys.stdout.write("\n")
    print(f"RETR 1: {len(big)} bytes on the wire", file=sys.stderr)
    c.pop("NOOP")
    c.pop("RETR 2", True)
    c.pop("QUIT")
    c.close()


def pop_pipelined():
    c = Raw(110); c.line()
    c.pop("CAPA", True)
    c.pop(f"USER {CAROL}"); c.pop(f"PASS {CAROL_PW}")
    c.send("STAT\r\nLIST\r\nUIDL\r\nRETR 1\r\n")
    c.line()                                    # STAT
    c.line(); c.until(rb"\r\n\.\r\n")           # LIST
    c.line(); c.until(rb"\r\n\.\r\n")           # UIDL
    c.line(); c.until(rb"\r\n\.\r\n")           # RETR 1
    c.pop("QUIT")
    c.close()


def pop_stls():
    P = poplib.POP3(HOST, 110)
    P.capa()
    P.stls(context=tls_ctx())
    P.capa()
    P.user(CAROL)
    P.pass_(CAROL_PW)
    P.list()
    P.retr(1)
    P.quit()


def pop_stls_injection():
    c = Raw(110); c.line()
    c.send("STLS\r\nUSER x\r\n")
    c.line()
    try:
        c.starttls()
        c.buf = b""
        c.pop("CAPA", True)
        c.pop("QUIT")
    except (ssl.SSLError, OSError, EOFError) as e:
        print(f"TLS after injection: {e!r}", file=sys.stderr)
    c.close()


def pop_auth():
    b64 = lambda s: base64.b64encode(s.encode()).decode()
    plain = b64(f"\0{CAROL}\0{CAROL_PW}")
    # 1: AUTH with no argument lists mechanisms, then AUTH PLAIN with initial response
    c = Raw(110); c.line()
    c.pop("CAPA", True)
    c.pop("AUTH", True)
    c.pop(f"AUTH PLAIN {plain}")
    c.pop("STAT")
    c.pop("QUIT"); c.close()
    # 2: AUTH PLAIN with "+ " continuation
    c = Raw(110); c.line()
    c.send("AUTH PLAIN\r\n"); c.line()
    c.pop(plain)
    c.pop("QUIT"); c.close()
    # 3: AUTH LOGIN
    c = Raw(110); c.line()
    c.send("AUTH LOGIN\r\n"); c.line()
    c.send(b64(CAROL) + "\r\n"); c.line()
    c.pop(b64(CAROL_PW))
    c.pop("QUIT"); c.close()
    # 4: AUTH CRAM-MD5
    c = Raw(110); c.line()
    c.send("AUTH CRAM-MD5\r\n")
    ch = c.line()
    challenge = base64.b64decode(ch[2:].strip())
    digest = hmac.new(CAROL_PW.encode(), challenge, hashlib.md5).hexdigest()
    c.pop(b64(f"{CAROL} {digest}"))
    c.pop("QUIT"); c.close()
    # 5: APOP with the greeting's timestamp
    c = Raw(110)
    g = c.line()
    m = re.search(rb"<[^>]+>", g)
    if m:
        d = hashlib.md5(m.group(0) + CAROL_PW.encode()).hexdigest()
        c.pop(f"APOP {CAROL} {d}")
        c.pop("STAT")
    else:
        print("no APOP timestamp in greeting", file=sys.stderr)
    c.pop("QUIT"); c.close()
    # 6: AUTH PLAIN cancelled with "*"
    c = Raw(110); c.line()
    c.send("AUTH PLAIN\r\n"); c.line()
    c.pop("*")
    c.pop("QUIT"); c.close()


def pop_errors():
    c = Raw(110); c.line()
    c.pop("RETR 1")                             # before authentication
    c.pop("STAT")
    c.pop(f"USER {CAROL}")
    c.pop("PASS wrong-password")                # -ERR [AUTH]
    c.pop(f"USER {CAROL}")
    c.pop(f"PASS {CAROL_PW}")
    c.pop("FROBNICATE")                         # unknown command
    c.pop("DELE 1")
    c.pop("RETR 1", True)                       # -ERR: deleted
    c.pop("DELE 1")                             # -ERR: already deleted
    c.pop("LIST 9")                             # -ERR: no such message
    c.pop("RSET")
    c.pop("RETR 1", True)                       # back after RSET
    c.pop("QUIT")
    c.close()


def pop_anomalous_client():
    """Raw client for the scripted server: reads until quiet, never trusts terminators."""
    c = Raw(110)
    c.drain()
    for cmd in ["USER bob", "PASS secret", "STAT", "LIST", "RETR 1", "RETR 2", "RETR 3",
                "TOP 1 0", "UIDL", "TOP 2 0", "RETR 4", "LIST 2", "QUIT"]:
        c.send(cmd + "\r\n")
        c.drain()
    c.close()


if __name__ == "__main__":
    globals()[SCEN]()

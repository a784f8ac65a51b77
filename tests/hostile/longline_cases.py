"""Lines far over the engine's 64 KiB carry limit (used by gen.py).

SMTP: a 200 KiB EHLO reply line (one line of a multi-line reply), a 200 KiB
RCPT command, a 200 KiB reply line to it, a 200 KiB line inside DATA (body,
not a command); once in 1 KiB segments, once in 10-byte segments (without
the body line; made at test time).  POP3: a 200 KiB single-line response, a
multiline listing holding a 200 KiB line, a 200 KiB status line before a RETR
body, a 200 KiB command.  After each long line the session goes on with
ordinary commands, each answered; at the end a command and a reply just over
their RFC limits, whole.
"""

KIB200 = 200 * 1024


def fill(prefix, suffix, total, ch=b"x"):
    """prefix + filler + suffix, total bytes long."""
    return prefix + ch * (total - len(prefix) - len(suffix)) + suffix


def smtp_long_lines(g, seg, body=True):
    def case(w):
        k = g.Conn(w, 40300 if seg > 10 else 40301, 25)
        k.s(b"220 mx.example.test ESMTP\r\n")
        k.c(b"EHLO client.example.test\r\n")
        k.s(b"250-mx.example.test\r\n")
        k.s(fill(b"250-X-LONG ", b"\r\n", KIB200, b"p"), seg=seg)  # 204 800 bytes with CRLF
        k.s(b"250-PIPELINING\r\n250 8BITMIME\r\n")
        k.c(b"MAIL FROM:<alice@example.test>\r\n")
        k.s(b"250 2.1.0 Ok\r\n")
        k.c(fill(b"RCPT TO:<", b"@example.test>\r\n", KIB200, b"r"), seg=seg)
        k.s(fill(b"550 5.1.1 <", b"@example.test>: Recipient address rejected\r\n", KIB200, b"r"),
            seg=seg)
        k.c(b"RCPT TO:<bob@example.test>\r\n")
        k.s(b"250 2.1.5 Ok\r\n")
        k.c(b"DATA\r\n")
        k.s(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        msg = b"From: alice@example.test\r\nSubject: long body line\r\n\r\n"
        if body:
            msg += fill(b"MAIL FROM:<", b">\r\n", KIB200, b"b")  # body text, not a command
        msg += b"last line\r\n.\r\n"
        k.c(msg, seg=seg if seg > 10 else 1400)
        k.s(b"250 2.0.0 Ok: queued as LONG1\r\n")
        k.c(b"NOOP\r\n")
        k.s(b"250 2.0.0 Ok\r\n")
        k.c(fill(b"NOOP ", b"\r\n", 600, b"m"))           # over 512, in one segment
        k.s(fill(b"250 2.0.0 ", b"\r\n", 700, b"k"))
        k.c(b"QUIT\r\n")
        k.s(b"221 2.0.0 Bye\r\n")
        k.close()
    return case


def pop_long_lines(g):
    def case(w):
        k = g.pop_start(w, sport=40302)
        k.c(b"UIDL 1\r\n")
        k.s(fill(b"+OK 1 ", b"\r\n", KIB200, b"u"), seg=1024)            # single-line response
        k.c(b"UIDL\r\n")
        k.s(b"+OK\r\n" + fill(b"1 ", b"\r\n", KIB200, b"v") + b"2 short-uid\r\n.\r\n",
            seg=1024)                                                       # multiline, one long line
        k.c(b"RETR 2\r\n")
        msg = b"From: alice@example.test\r\nSubject: after a long status line\r\n\r\nbody\r\n"
        k.s(fill(b"+OK ", b"\r\n", KIB200, b"o") + msg + b".\r\n", seg=1024)
        k.c(fill(b"NOOP ", b"\r\n", KIB200, b"n"), seg=1024)                # long command
        k.s(b"-ERR Noise after NOOP\r\n")
        k.c(b"LIST\r\n")
        k.s(b"+OK 2 messages\r\n1 120\r\n2 130\r\n.\r\n")
        k.c(fill(b"NOOP ", b"\r\n", 300, b"q"))           # over 255, in one segment
        k.s(fill(b"+OK ", b"\r\n", 600, b"w"))           # over 512
        k.c(b"QUIT\r\n")
        k.s(b"+OK Bye\r\n")
        k.close()
    return case


def cases(g):
    """The small ones, committed as captures/hostile-*.pcapng."""
    return {"hostile-smtp-long-lines-1k": smtp_long_lines(g, 1024),
            "hostile-pop-long-lines": pop_long_lines(g)}


def big_cases(g):
    """Too big to commit (61 459 frames): made at test time by ctest."""
    return {"hostile-smtp-long-lines-10b": smtp_long_lines(g, 10, body=False)}

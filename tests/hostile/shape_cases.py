"""Input shapes made to hide a message or a command (used by gen.py).

Each shape puts a great many protocol units where Wireshark takes few: many
whole transactions or literals in one TCP segment, deep MIME nesting, a
million recipients, long lines in tiny segments.  Where a shape carries
messages, the last one comes from another sender (other@elsewhere.test), so
a test can check that it is dissected like the first.  `scale` multiplies
the size (the benchmark runs 1x and 2x).  Standard library only.
"""

OTHER = b"other@elsewhere.test"
SEG_MAX = 65000  # one TCP segment, below the IPv4 64 KB limit

TINY = b"Subject: m\r\n\r\nx\r\n"


def _reply_block(k, lines):
    k.s(b"".join(lines), seg=SEG_MAX)


def _pipelined(g, w, sport, n, blocks, transaction, replies):
    """blocks times: n transactions in one client segment, then their replies
    in one server segment; the very last transaction from another sender."""
    k = g.smtp_start(w, sport=sport)
    for b in range(blocks):
        out, rs = [], []
        for i in range(n):
            last = b == blocks - 1 and i == n - 1
            out.append(transaction(OTHER if last else b"a@example.test", b * n + i))
            rs += replies
        k.c(b"".join(out), seg=SEG_MAX)  # one segment at 600 (about 60 KB)
        _reply_block(k, rs)
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()


def _bdat(sender, i):
    msg = b"From: %s\r\n\r\n%d\r\n" % (sender, i)
    return (b"MAIL FROM:<%s>\r\nRCPT TO:<b@example.test>\r\nBDAT %d LAST\r\n%s"
            % (sender, len(msg), msg))


def _data(sender, i):
    return (b"MAIL FROM:<%s>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nFrom: %s\r\n\r\n%d\r\n.\r\n"
            % (sender, sender, i))


def smtp_bdat_600(g, w, n=600, blocks=1):
    """n MAIL/RCPT/BDAT LAST transactions in one client segment."""
    _pipelined(g, w, 41000, n, blocks, _bdat,
               [b"250 2.1.0 Ok\r\n", b"250 2.1.5 Ok\r\n", b"250 2.0.0 Ok queued\r\n"])


def smtp_data_600(g, w, n=600, blocks=1):
    """n MAIL/RCPT/DATA/./ transactions in one client segment."""
    _pipelined(g, w, 41010, n, blocks, _data,
               [b"250 2.1.0 Ok\r\n", b"250 2.1.5 Ok\r\n", b"354 go on\r\n",
                b"250 2.0.0 Ok queued\r\n"])


def imap_fetch_600(g, w, n=600, blocks=1):
    """n `* i FETCH (BODY[] {1} x)` responses in one server segment (blocks
    times, one FETCH command each)."""
    k = g.imap_start(w, sport=41020)
    k.c(b"a2 SELECT INBOX\r\n")
    k.s(b"* %d EXISTS\r\na2 OK [READ-WRITE] done\r\n" % n)
    for b in range(blocks):
        k.c(b"f%d FETCH 1:%d BODY[]\r\n" % (b, n))
        k.s(b"".join(b"* %d FETCH (BODY[] {1}\r\nx)\r\n" % i for i in range(1, n + 1)), seg=SEG_MAX)
        k.s(b"f%d OK done\r\n" % b)
    k.c(b"a4 NOOP\r\n")
    k.s(b"a4 OK done\r\n")
    k.close()


def imap_pipeline_5000(g, w, n=5000):
    """n commands in flight at once (past the tracking limit of 4096), then
    their completions in order."""
    k = g.imap_start(w, sport=41060)
    k.c(b"".join(b"p%d NOOP\r\n" % i for i in range(1, n + 1)), seg=SEG_MAX)
    k.s(b"".join(b"p%d OK done\r\n" % i for i in range(1, n + 1)), seg=SEG_MAX)
    k.c(b"a9 LOGOUT\r\n")
    k.s(b"* BYE\r\na9 OK bye\r\n")
    k.close()


def _deep(n, sender=b"alice@example.test"):
    head = b"".join(b'Content-Type: multipart/mixed; boundary="d%d"\r\n\r\n--d%d\r\n' % (i, i)
                    for i in range(n))
    tail = b"".join(b"\r\n--d%d--\r\n" % i for i in reversed(range(n)))
    return (b"From: " + sender + b"\r\nTo: bob@example.test\r\nSubject: deep %d\r\n" % n
            + b"MIME-Version: 1.0\r\n" + head + b"Content-Type: text/plain\r\n\r\nleaf" + tail)


def _transaction(k, sender, msg):
    k.c(b"MAIL FROM:<" + sender + b">\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<bob@example.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"DATA\r\n")
    k.s(b"354 go on\r\n")
    k.c(msg + b"\r\n.\r\n", seg=SEG_MAX)
    k.s(b"250 2.0.0 Ok queued\r\n")


def smtp_mime_deep(g, w, depths=(600, 2000), copies=1):
    """Messages nested 600 and 2000 deep, each in one segment where it fits,
    then a plain message from another sender; the same over IMAP."""
    k = g.smtp_start(w, sport=41030)
    for d in list(depths) * copies:
        _transaction(k, b"alice@example.test", _deep(d))
    _transaction(k, OTHER, b"From: " + OTHER + b"\r\nSubject: after\r\n\r\nplain\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()
    k = g.imap_start(w, sport=41031)
    k.c(b"a2 SELECT INBOX\r\n")
    k.s(b"* 2 EXISTS\r\na2 OK [READ-WRITE] done\r\n")
    k.c(b"a3 FETCH 1:2 BODY[]\r\n")
    m1 = _deep(depths[-1])
    m2 = b"From: " + OTHER + b"\r\nSubject: after\r\n\r\nplain\r\n"
    k.s(b"* 1 FETCH (BODY[] {%d}\r\n%s)\r\n* 2 FETCH (BODY[] {%d}\r\n%s)\r\na3 OK done\r\n"
        % (len(m1), m1, len(m2), m2), seg=SEG_MAX)
    k.c(b"a4 LOGOUT\r\n")
    k.s(b"* BYE\r\na4 OK bye\r\n")
    k.close()


def smtp_million_rcpt(g, w, n=1000000):
    """One transaction with n RCPT (pipelined in 64 KB segments), then a
    second transaction from another sender."""
    k = g.smtp_start(w, sport=41040)
    k.c(b"MAIL FROM:<alice@example.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"".join(b"RCPT TO:<r%d@example.test>\r\n" % i for i in range(n)), seg=SEG_MAX)
    k.s(b"250 2.1.5 Ok\r\n" * n, seg=SEG_MAX)
    k.c(b"DATA\r\n")
    k.s(b"354 go on\r\n")
    k.c(b"Subject: many\r\n\r\nbody\r\n.\r\n")
    k.s(b"250 2.0.0 Ok queued\r\n")
    _transaction(k, OTHER, b"From: " + OTHER + b"\r\nSubject: after\r\n\r\nplain\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()


def smtp_long_lines_small_segments(g, w, size=65000, seg=10):
    """Four lines of `size` bytes sent in `seg`-byte segments: a long EHLO
    argument, a long MAIL address, a long header line and a long body line;
    then a message from another sender."""
    k = g.Conn(w, 41050, 25)
    k.s(b"220 mx.example.test ESMTP\r\n")
    k.c(b"EHLO " + b"h" * (size - 7) + b"\r\n", seg=seg)
    k.s(b"250-mx.example.test\r\n250 PIPELINING\r\n")
    k.c(b"MAIL FROM:<" + b"a" * (size - 14) + b">\r\n", seg=seg)
    k.s(b"501 5.1.7 Bad sender address syntax\r\n")
    k.c(b"MAIL FROM:<alice@example.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<bob@example.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"DATA\r\n")
    k.s(b"354 go on\r\n")
    msg = (b"Subject: " + b"s" * (size - 11) + b"\r\n\r\n" + b"b" * (size - 2) + b"\r\n")
    k.c(msg + b".\r\n", seg=seg)
    k.s(b"250 2.0.0 Ok queued\r\n")
    _transaction(k, OTHER, b"From: " + OTHER + b"\r\nSubject: after\r\n\r\nplain\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()


def _scaled(fn, g, **kw):
    return lambda w: fn(g, w, **kw)


def cases(g):
    """The small ones, committed as captures/hostile-*.pcapng."""
    return {
        "hostile-smtp-bdat-600": _scaled(smtp_bdat_600, g),
        "hostile-smtp-data-600": _scaled(smtp_data_600, g),
        "hostile-imap-fetch-600": _scaled(imap_fetch_600, g),
        "hostile-smtp-mime-deep": _scaled(smtp_mime_deep, g),
        "hostile-imap-pipeline-5000": _scaled(imap_pipeline_5000, g),
    }


def big_cases(g):
    """Made at test time (run-big.sh) and by the benchmark (1x and 2x)."""
    return {
        "hostile-big-smtp-million-rcpt": _scaled(smtp_million_rcpt, g),
        "hostile-big-smtp-long-lines-10b": _scaled(smtp_long_lines_small_segments, g),
    }


def bench_cases(g):
    """Every shape at 1x and 2x for tests/bench/shapes/run.sh: the shapes of
    one segment repeated (50 and 100 segments of 600), the rest grown."""
    out = {}
    for mult in (1, 2):
        out["shape-bdat-%dx" % mult] = _scaled(smtp_bdat_600, g, blocks=50 * mult)
        out["shape-data-%dx" % mult] = _scaled(smtp_data_600, g, blocks=50 * mult)
        out["shape-fetch-%dx" % mult] = _scaled(imap_fetch_600, g, blocks=50 * mult)
        out["shape-mime-deep-%dx" % mult] = _scaled(smtp_mime_deep, g, copies=10,
                                                    depths=(600 * mult, 2000 * mult))
        out["shape-million-rcpt-%dx" % mult] = _scaled(smtp_million_rcpt, g, n=1000000 * mult)
        out["shape-long-lines-%dx" % mult] = _scaled(smtp_long_lines_small_segments, g,
                                                     size=65000 * mult)
    return out

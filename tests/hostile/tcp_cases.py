"""TCP ordering cases of the hostile catalogue (used by gen.py).

Segments lost and retransmitted much later, moved later in capture order,
sent in reverse order, copies of the same sequence numbers with other bytes,
and STARTTLS followed by a TLS record over several segments or by junk.
Each case with a message also writes the message (as exported) to
OUTDIR/lab/messages/<case>.eml for the export checks of tests/stats/check.py.
"""
import os

PURE_ACK = 0x10


def message(subject, size):
    """A message of about size bytes, lines of text, no line starting with a dot."""
    head = (b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: " + subject.encode()
            + b"\r\nMessage-ID: <" + subject.replace(" ", "-").encode() + b"@example.test>\r\n\r\n")
    lines, n = [], 0
    while len(head) + n < size:
        line = b"line %06d of the body, some words to fill it up to a usual length\r\n" % len(lines)
        lines.append(line)
        n += len(line)
    return head + b"".join(lines)


def save_message(w, name, msg):
    d = os.path.join(os.path.dirname(w.f.name), "lab", "messages")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".eml"), "wb") as f:
        f.write(msg)


def chunks(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def send_with_losses(k, d, data, lost, delay, mss=1400):
    """Send data from side d in MSS segments; the segments whose index is in
    lost are missed by the capture and retransmitted `delay` segments later.
    The peer ACKs every second segment with the highest in-order byte it
    holds (duplicate ACKs while a segment is missing)."""
    other = "s" if d == "c" else "c"
    base = k.seq[d]
    segs = chunks(data, mss)
    starts = [base + i * mss for i in range(len(segs))]
    have = set()

    def acked():
        a = base
        for i, s in enumerate(segs):
            if i not in have:
                break
            a = starts[i] + len(s)
        return a

    due = {}
    for i, s in enumerate(segs):
        if i in lost:
            due.setdefault(i + delay, []).append(i)
        else:
            k._seg(d, s, seq=starts[i])
            have.add(i)
        for j in due.pop(i, []):
            k._seg(d, segs[j], seq=starts[j])
            have.add(j)
        if i % 2:
            k._seg(other, b"", PURE_ACK, ack=acked())
    for i in sorted(due):
        for j in due[i]:
            k._seg(d, segs[j], seq=starts[j])
            have.add(j)
    k._seg(other, b"", PURE_ACK, ack=acked())
    k.seq[d] = base + len(data)


def send_moved(k, d, data, moved, by, mss=1400):
    """Send data from side d; the segments in moved appear `by` segments later
    in capture order, after ACKs of the peer that cover them (the capture
    recorded them late, as when two taps are merged)."""
    other = "s" if d == "c" else "c"
    base = k.seq[d]
    segs = chunks(data, mss)
    starts = [base + i * mss for i in range(len(segs))]
    late = {}
    for i, s in enumerate(segs):
        if i in moved:
            late.setdefault(i + by, []).append(i)
        else:
            k._seg(d, s, seq=starts[i])
        # the receiver got every segment in time: its ACK covers all so far
        k._seg(other, b"", PURE_ACK, ack=starts[i] + len(s))
        for j in late.pop(i, []):
            k._seg(d, segs[j], seq=starts[j])
    for i in sorted(late):
        for j in late[i]:
            k._seg(d, segs[j], seq=starts[j])
    k.seq[d] = base + len(data)


def send_reversed(k, d, parts):
    """Send each part as one segment, the last first."""
    base = k.seq[d]
    starts, at = [], base
    for p in parts:
        starts.append(at)
        at += len(p)
    for p, s in reversed(list(zip(parts, starts))):
        k._seg(d, p, seq=s)
    k.seq[d] = at


def pop_late_retrans(g, w):
    # A RETR whose lost server segments are retransmitted 20-50 frames
    # later, after later data and the client's duplicate ACKs.
    msg = message("Late retransmissions", 100000)
    save_message(w, "hostile-pop-late-retrans", msg)
    k = g.pop_start(w, sport=40220)
    k.c(b"RETR 1\r\n")
    data = b"+OK %d octets\r\n" % len(msg) + msg + b".\r\n"
    send_with_losses(k, "s", data, lost={5, 6, 30, 31, 32, 60}, delay=12)
    k.c(b"QUIT\r\n")
    k.s(b"+OK bye\r\n")
    k.close()


def smtp_moved(g, w):
    # The client's DATA segments 3, 4 and 20 appear 10-15 segments (20-30
    # frames) later in capture order, after the server's ACKs of them.
    msg = message("Moved segments", 40000)
    save_message(w, "hostile-smtp-moved", msg)
    k = g.smtp_start(w, sport=40020)
    g.smtp_to_data(k)
    send_moved(k, "c", msg + b".\r\n", moved={3, 4}, by=12)
    k.s(b"250 2.0.0 Ok: queued\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()


def smtp_reverse(g, w):
    # Pipelined commands and the message body, each sent as segments that
    # arrive last first.
    msg = message("Reverse order", 6000)
    save_message(w, "hostile-smtp-reverse", msg)
    k = g.smtp_start(w, sport=40030)
    send_reversed(k, "c", [b"MAIL FROM:<alice@example.test>\r\n", b"RCPT TO:<bob@example.test>\r\n",
                           b"RCPT TO:<carol@example.test>\r\n", b"DATA\r\n"])
    k.s(b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
    send_reversed(k, "c", chunks(msg + b".\r\n", 1400))
    k.s(b"250 2.0.0 Ok: queued\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()


def smtp_overlap_conflict(g, w):
    # The same sequence numbers carried twice with other bytes: a whole
    # segment (MAIL FROM alice, then mallory) and a partial overlap (the
    # second RCPT segment starts 4 bytes early with other bytes).
    k = g.smtp_start(w, sport=40040)
    start = k.seq["c"]
    k.c(b"MAIL FROM:<alice@example.test>\r\n")
    k._seg("c", b"MAIL FROM:<mallory@badco.test>\r\n", seq=start)
    k.s(b"250 2.1.0 Ok\r\n")
    start = k.seq["c"]
    k._seg("c", b"RCPT TO:<bob@exa", seq=start)
    k._seg("c", b"@evil.test>\r\n", seq=start + 12)
    k.seq["c"] = start + 12 + len(b"@evil.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.retransmit("c", b"NOOP\r\n")
    k.s(b"250 2.0.0 Ok\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()


def imap_overlap_conflict(g, w):
    # IMAP: a command sent twice over the same sequence numbers with another
    # mailbox, then a server line whose copy changes the tagged status.
    k = g.imap_start(w, sport=40140)
    start = k.seq["c"]
    k.c(b"a2 SELECT INBOX\r\n")
    k._seg("c", b"a2 SELECT Trash\r\n", seq=start)
    start = k.seq["s"]
    k.s(b"* 3 EXISTS\r\na2 OK [READ-WRITE] SELECT completed\r\n")
    k._seg("s", b"* 9 EXISTS\r\na2 NO [READ-WRITE] SELECT completed\r\n", seq=start)
    k.c(b"a3 LOGOUT\r\n")
    k.s(b"* BYE\r\na3 OK done\r\n")
    k.close()


def pop_overlap_conflict(g, w):
    # POP3: a RETR sent twice with another message number, and a message line
    # of the multiline response carried again with other bytes.
    k = g.pop_start(w, sport=40240)
    start = k.seq["c"]
    k.c(b"RETR 1\r\n")
    k._seg("c", b"RETR 7\r\n", seq=start)
    k.s(b"+OK 37 octets\r\nSubject: hello\r\n\r\n")
    start = k.seq["s"]
    k.s(b"pay alice 100 EUR\r\n")
    k._seg("s", b"pay eve 9999 EUR\r\n", seq=start)
    k.s(b".\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"+OK bye\r\n")
    k.close()


def smtp_copy_unheld(g, w):
    # Copies of bytes no longer held to compare: the MAIL FROM segment sent
    # again with other bytes after a message of 70 000 bytes (past the 64 KiB
    # window), and the QUIT segment sent again after both FINs.
    k = g.smtp_start(w, sport=51060)
    start = k.seq["c"]
    g.smtp_to_data(k)
    line = b"x" * 68 + b"\r\n"
    k.c(b"Subject: big\r\n\r\n" + line * 1000 + b".\r\n")
    k.s(b"250 2.0.0 Ok: queued\r\n")
    k._seg("c", b"MAIL FROM:<mallory@badco.test>\r\n", seq=start)
    quit_at = k.seq["c"]
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()
    k._seg("c", b"QUIT\r\n", seq=quit_at)


def tls_record(ctype, body):
    return bytes([ctype, 3, 3]) + len(body).to_bytes(2, "big") + body


def client_hello(size):
    """A TLS 1.2 ClientHello of about size bytes (a padding extension)."""
    ext_pad = b"\x00\x15" + (size).to_bytes(2, "big") + b"\0" * size
    exts = ext_pad
    body = (b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\x00\x04\xc0\x2b\xc0\x2f" + b"\x01\x00"
            + len(exts).to_bytes(2, "big") + exts)
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return tls_record(22, hs)


def server_hello():
    body = b"\x03\x03" + b"\x22" * 32 + b"\x00" + b"\xc0\x2f" + b"\x00" + b"\x00\x00"
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    return tls_record(22, hs)


def smtp_starttls_tls_span(g, w):
    # After STARTTLS, a ClientHello record of about 3000 bytes over three
    # in-order segments; nothing out of order anywhere.
    k = g.Conn(w, 40050, 25)
    k.s(b"220 mx.example.test ESMTP\r\n")
    k.c(b"EHLO client.example.test\r\n")
    k.s(b"250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    k.c(b"STARTTLS\r\n")
    k.s(b"220 2.0.0 Ready to start TLS\r\n")
    k.c(client_hello(3000), seg=1000)
    k.s(server_hello())
    k.c(tls_record(23, b"\x5a" * 2500), seg=1000)
    k.s(tls_record(23, b"\xa5" * 300))
    k.close()


def smtp_starttls_junk(g, w):
    # STARTTLS is accepted, then 3000 bytes that are no TLS, then plaintext
    # commands: the commands are dissected.
    k = g.Conn(w, 40060, 25)
    k.s(b"220 mx.example.test ESMTP\r\n")
    k.c(b"EHLO client.example.test\r\n")
    k.s(b"250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    k.c(b"STARTTLS\r\n")
    k.s(b"220 2.0.0 Ready to start TLS\r\n")
    junk = bytes((i * 37 + 11) % 94 + 33 for i in range(2998)) + b"\r\n"
    k.c(junk, seg=1000)
    k.s(b"500 5.5.2 Error: bad syntax\r\n")
    k.c(b"MAIL FROM:<alice@example.test>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<bob@example.test>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()


def smtp_moved_past_window(g, w):
    # One DATA segment appears 1000 segments (1.4 MB) later, after ACKs that
    # cover it: past the 1 MiB window its hole is reported missing, and the
    # late copy is shown as such (its bytes were never dissected).
    k = g.smtp_start(w, sport=40070)
    g.smtp_to_data(k)
    send_moved(k, "c", message("Moved past the window", 1600000) + b".\r\n", moved={10}, by=1000)
    k.s(b"250 2.0.0 Ok: queued\r\n")
    k.c(b"NOOP\r\n")
    k.s(b"250 2.0.0 Ok\r\n")
    k.close()


def big_cases(g):
    """The big ones (made at test time by run-big.sh)."""
    return {"hostile-big-smtp-moved-past-window": lambda w: smtp_moved_past_window(g, w)}


def cases(g):
    """name -> writer(w), bound to gen.py's module g."""
    table = {
        "hostile-pop-late-retrans": pop_late_retrans,
        "hostile-smtp-moved": smtp_moved,
        "hostile-smtp-reverse": smtp_reverse,
        "hostile-smtp-overlap-conflict": smtp_overlap_conflict,
        "hostile-imap-overlap-conflict": imap_overlap_conflict,
        "hostile-pop-overlap-conflict": pop_overlap_conflict,
        "hostile-smtp-copy-unheld": smtp_copy_unheld,
        "hostile-smtp-starttls-tls-span": smtp_starttls_tls_span,
        "hostile-smtp-starttls-junk": smtp_starttls_junk,
    }
    return {name: (lambda w, fn=fn: fn(g, w)) for name, fn in table.items()}

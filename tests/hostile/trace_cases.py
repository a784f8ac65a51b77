#!/usr/bin/env python3
"""Crafted trace header fields (Received, Authentication-Results, ARC,
Return-Path, Delivered-To) carried by SMTP DATA and BDAT, POP3 RETR and TOP,
and IMAP FETCH, for the cases a lab's real servers do not produce: hop dates
that go backwards, an Authentication-Results that claims dkim=pass for a
signature whose body hash fails, a broken ARC chain, a Return-Path that is
not the envelope sender, and more hops and methods than are shown.

    trace_cases.py OUTDIR        writes OUTDIR/trace-headers.pcapng

Uses the TCP writer of gen.py (same folder); cases() has gen.py's case
interface, so gen.py can take these cases too.  Standard library only.
"""
import base64
import hashlib
import os
import sys

# Message 1: what an analyst looks for.  The DKIM signature is well formed
# but its bh= (32 zero bytes) does not match the body, while the receiving
# server's Authentication-Results says dkim=pass for it.  Hop 1 (10:00) is
# dated before hop 2 below it (10:05).  The ARC chain's newest seal says
# cv=fail and set 1 lacks its ARC-Message-Signature.  Return-Path is not the
# envelope sender alice@example.org.
ZERO_BH = base64.b64encode(bytes(32)).decode()
FAKE_B = base64.b64encode(bytes(range(64))).decode()
MSG1 = (
    "Return-Path: <bounce@evil.example>\r\n"
    "Delivered-To: bob@example.net\r\n"
    "X-Original-To: bob+invoices@example.net\r\n"
    "Received: from mx2.example.net (mx2.example.net [192.0.2.26])\r\n"
    "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n"
    "\t key-exchange X25519 server-signature RSA-PSS (2048 bits))\r\n"
    "\t(No client certificate requested)\r\n"
    "\tby mx.example.net (Postfix) with ESMTPS id 4AAA111\r\n"
    "\tfor <bob@example.net>; Sun,  6 Dec 2026 10:00:00 +0000 (UTC)\r\n"
    "Received: from relay.example.org (relay.example.org [198.51.100.5])\r\n"
    "\tby mx2.example.net (Postfix) with ESMTP id 4BBB222;\r\n"
    "\tSun,  6 Dec 2026 10:05:00 +0000 (UTC)\r\n"
    "Received: from laptop.example.org ([203.0.113.7])\r\n"
    "\tby relay.example.org with ESMTPSA id 77;\r\n"
    "\tSun, 6 Dec 2026 10:59:00 +0100\r\n"
    "Authentication-Results: mx.example.net;\r\n"
    "\tdkim=pass (2048-bit key; unprotected) header.d=example.org\r\n"
    "\t header.i=@example.org header.s=sel1 header.b=AbCdEfGh;\r\n"
    "\tspf=pass (mx.example.net: domain of alice@example.org designates\r\n"
    "\t 198.51.100.5 as permitted sender) smtp.mailfrom=alice@example.org;\r\n"
    "\tdmarc=pass (p=reject dis=none) header.from=example.org\r\n"
    "ARC-Seal: i=2; a=rsa-sha256; t=1796551200; cv=fail; d=lists.example.com;\r\n"
    "\ts=arc1; b=" + FAKE_B + "\r\n"
    "ARC-Message-Signature: i=2; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    "\td=lists.example.com; s=arc1; h=from:to:subject; bh=" + ZERO_BH + ";\r\n"
    "\tb=" + FAKE_B + "\r\n"
    "ARC-Authentication-Results: i=2; lists.example.com;\r\n"
    "\tdkim=fail header.d=example.org; spf=pass smtp.mailfrom=alice@example.org\r\n"
    "ARC-Seal: i=1; a=rsa-sha256; t=1796551100; cv=none; d=example.org; s=arc0;\r\n"
    "\tb=" + FAKE_B + "\r\n"
    "ARC-Authentication-Results: i=1; example.org; spf=pass\r\n"
    "\tsmtp.mailfrom=alice@example.org\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;\r\n"
    "\ts=sel1; h=from:to:subject:date; bh=" + ZERO_BH + ";\r\n"
    "\tb=" + FAKE_B + "\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: Bob <bob@example.net>\r\n"
    "Subject: Invoice 2026-12\r\n"
    "Date: Sun, 6 Dec 2026 10:58:30 +0100\r\n"
    "Message-ID: <trace-1@example.org>\r\n"
    "\r\n"
    "Please pay the attached invoice.\r\n"
)


BODY2 = "Nothing new this week.\r\n"
# relaxed body canonicalisation leaves this body as it is
GOOD_BH = base64.b64encode(hashlib.sha256(BODY2.encode()).digest()).decode()


def msg2():
    """A list message: 40 hops forward in time (more than are shown), a
    sound one-set ARC chain, 35 Authentication-Results methods (more than
    are shown), a Return-Path that is the envelope sender.  Two signatures
    of lists.example.com: s=new matches the body, s=old does not; the
    dkim=pass claim names no selector, so the passing one may be meant and
    there is no conflict."""
    hops = []
    for k in range(40):
        # header order is newest first: hop k is 40 - k minutes past 9:00
        minute = 40 - k
        hops.append("Received: from h%d.example.com (h%d.example.com [192.0.2.%d])\r\n"
                    "\tby h%d.example.com with ESMTP id Q%03d;\r\n"
                    "\tSun, 6 Dec 2026 09:%02d:00 +0000\r\n" % (k + 1, k + 1, k + 1, k, k, minute))
    methods = ";\r\n\t".join("x-check%d=pass" % i for i in range(33))
    return (
        "Return-Path: <News@Lists.Example.com>\r\n"
        "Delivered-To: carol@example.net\r\n"
        + "".join(hops) +
        "Authentication-Results: mx.example.net; dkim=pass header.d=lists.example.com;\r\n"
        "\tspf=pass smtp.mailfrom=news@lists.example.com;\r\n"
        "\t" + methods + "\r\n"
        "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=lists.example.com; s=arc1; b=" + FAKE_B + "\r\n"
        "ARC-Message-Signature: i=1; a=rsa-sha256; d=lists.example.com; s=arc1;\r\n"
        "\th=from; bh=" + ZERO_BH + "; b=" + FAKE_B + "\r\n"
        "ARC-Authentication-Results: i=1; lists.example.com; dkim=none\r\n"
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=lists.example.com; s=old;\r\n"
        "\th=from:to:subject; bh=" + ZERO_BH + "; b=" + FAKE_B + "\r\n"
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=lists.example.com; s=new;\r\n"
        "\th=from:to:subject; bh=" + GOOD_BH + "; b=" + FAKE_B + "\r\n"
        "From: News <news@lists.example.com>\r\n"
        "To: carol@example.net\r\n"
        "Subject: Weekly news\r\n"
        "Date: Sun, 6 Dec 2026 09:00:00 +0000\r\n"
        "Message-ID: <trace-2@lists.example.com>\r\n"
        "\r\n" + BODY2
    )


def trace_headers(w, gen):
    m1 = MSG1.encode()
    m2 = msg2().encode()
    header1 = m1[:m1.index(b"\r\n\r\n") + 4]

    # SMTP: message 1 by DATA, message 2 by BDAT
    k = gen.smtp_start(w)
    k.c(b"MAIL FROM:<alice@example.org>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<bob@example.net>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"DATA\r\n")
    k.s(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    k.c(m1 + b".\r\n")
    k.s(b"250 2.0.0 Ok: queued as 4AAA111\r\n")
    k.c(b"MAIL FROM:<news@lists.example.com>\r\n")
    k.s(b"250 2.1.0 Ok\r\n")
    k.c(b"RCPT TO:<carol@example.net>\r\n")
    k.s(b"250 2.1.5 Ok\r\n")
    k.c(b"BDAT %d LAST\r\n" % len(m2) + m2)
    k.s(b"250 2.0.0 Ok: queued as 4CCC333\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"221 2.0.0 Bye\r\n")
    k.close()

    # POP3: RETR of message 1, TOP of message 2 (its header block)
    k = gen.pop_start(w)
    k.c(b"RETR 1\r\n")
    k.s(b"+OK %d octets\r\n" % len(m1) + m1 + b".\r\n")
    k.c(b"TOP 2 0\r\n")
    header2 = m2[:m2.index(b"\r\n\r\n") + 4]
    k.s(b"+OK\r\n" + header2 + b".\r\n")
    k.c(b"QUIT\r\n")
    k.s(b"+OK bye\r\n")
    k.close()

    # IMAP: the whole message 1, then its header block alone
    k = gen.imap_start(w)
    k.c(b"a2 SELECT INBOX\r\n")
    k.s(b"* 2 EXISTS\r\na2 OK [READ-WRITE] SELECT completed\r\n")
    k.c(b"a3 FETCH 1 (BODY[])\r\n")
    k.s(b"* 1 FETCH (BODY[] {%d}\r\n" % len(m1) + m1 + b")\r\na3 OK FETCH completed\r\n")
    k.c(b"a4 FETCH 1 (BODY[HEADER])\r\n")
    k.s(b"* 1 FETCH (BODY[HEADER] {%d}\r\n" % len(header1) + header1 +
        b")\r\na4 OK FETCH completed\r\n")
    k.c(b"a5 LOGOUT\r\n")
    k.s(b"* BYE\r\na5 OK LOGOUT completed\r\n")
    k.close()


def cases(gen):
    return {"trace-headers": lambda w: trace_headers(w, gen)}


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gen  # noqa: E402
    os.makedirs(argv[1], exist_ok=True)
    for name, fn in cases(gen).items():
        w = gen.Pcapng(os.path.join(argv[1], name + ".pcapng"))
        fn(w)
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

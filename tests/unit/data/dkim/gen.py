#!/usr/bin/python3
"""Makes the DKIM fixtures of tests/unit/test_dkim.c with Debian's python3-dkim
(dkimpy): keys from openssl (made once, kept), then messages signed with them,
each checked by dkimpy's own verifier before it is written.

    cd tests/unit/data/dkim && /usr/bin/python3 gen.py

Files: rsa.key (PEM), rsa.txt and ed25519.txt (the DNS TXT records), and
<case>.eml, one message per case as delivered (CRLF line ends)."""
import base64
import os
import subprocess

import dkim

DOMAIN = b"example.net"


def openssl(*args, inp=None):
    return subprocess.run(["openssl", *args], input=inp, check=True, capture_output=True).stdout


def keys():
    if not os.path.exists("rsa.key"):
        openssl("genrsa", "-out", "rsa.key", "2048")
    if not os.path.exists("ed25519.key"):
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.key")
    rsa_pem = open("rsa.key", "rb").read()
    rsa_der = openssl("pkey", "-in", "rsa.key", "-pubout", "-outform", "DER")
    ed_priv_der = openssl("pkey", "-in", "ed25519.key", "-outform", "DER")
    ed_pub_der = openssl("pkey", "-in", "ed25519.key", "-pubout", "-outform", "DER")
    ed_seed, ed_pub = ed_priv_der[-32:], ed_pub_der[-32:]
    rsa_txt = b"v=DKIM1; k=rsa; p=" + base64.b64encode(rsa_der)
    ed_txt = b"v=DKIM1; k=ed25519; p=" + base64.b64encode(ed_pub)
    open("rsa.txt", "wb").write(rsa_txt + b"\n")
    open("ed25519.txt", "wb").write(ed_txt + b"\n")
    return rsa_pem, rsa_txt, base64.b64encode(ed_seed), ed_txt


MESSAGE = (
    b"Received: from a.example.net by b.example.org; Mon, 7 Dec 2026 10:00:00 +0000\r\n"
    b"From: Alice <alice@example.net>\r\n"
    b"To: Bob <bob@example.org>\r\n"
    b"Subject: The quarterly\r\n"
    b"  report \t \r\n"
    b"Date: Mon, 7 Dec 2026 09:59:00 +0000\r\n"
    b"Message-ID: <fixture-1@example.net>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=us-ascii\r\n"
    b"\r\n"
    b"Hello Bob,   \r\n"
    b"\r\n"
    b"  the numbers\tare in.  \r\n"
    b"..a line that was dot-stuffed on the wire\r\n"
    b"\r\n"
    b"\r\n"
)


def sign(msg, selector, key, canon, alg=b"rsa-sha256", length=False):
    sig = dkim.sign(msg, selector, DOMAIN, key, canonicalize=canon, signature_algorithm=alg,
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"from"],
                    length=length)
    return sig + msg


def verify(msg, txt, selector):
    def dns(name, timeout=5):
        return txt if name == selector + b"._domainkey." + DOMAIN + b"." else None
    return dkim.verify(msg, dnsfunc=dns)


def main():
    rsa, rsa_txt, ed, ed_txt = keys()
    cases = {}
    cases["rsa-relaxed"] = sign(MESSAGE, b"rsa", rsa, (b"relaxed", b"relaxed"))
    cases["rsa-simple"] = sign(MESSAGE, b"rsa", rsa, (b"simple", b"simple"))
    cases["rsa-sha1"] = sign(MESSAGE, b"rsa", rsa, (b"relaxed", b"simple"), alg=b"rsa-sha1")
    cases["ed25519"] = sign(MESSAGE, b"ed", ed, (b"relaxed", b"relaxed"), alg=b"ed25519-sha256")
    signed_l = sign(MESSAGE, b"rsa", rsa, (b"relaxed", b"relaxed"), length=True)
    for name, m in cases.items():
        sel = b"ed" if name == "ed25519" else b"rsa"
        assert verify(m, ed_txt if sel == b"ed" else rsa_txt, sel), name
    assert verify(signed_l, rsa_txt, b"rsa")
    cases["rsa-l-appended"] = signed_l + b"Appended after signing.\r\n"
    assert verify(cases["rsa-l-appended"], rsa_txt, b"rsa")
    cases["body-altered"] = cases["rsa-relaxed"].replace(b"numbers", b"NUMBERS")
    cases["header-altered"] = cases["rsa-relaxed"].replace(b"The quarterly", b"The annual")
    assert not verify(cases["body-altered"], rsa_txt, b"rsa")
    assert not verify(cases["header-altered"], rsa_txt, b"rsa")
    for name, m in cases.items():
        open(name + ".eml", "wb").write(m)


main()

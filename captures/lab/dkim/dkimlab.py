#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""DKIM lab: signed messages, their keys, the clients that send and fetch them,
and the verdicts of python3-dkim (Debian's package) for every signature.

    dkimlab.py messages              sign captures/lab/messages/dkim-*.eml (deterministic)
    dkimlab.py keys                  write dkim.keys; print the dnsmasq TXT records
    dkimlab.py send NAME...          one SMTP session to Postfix, one transaction per message
    dkimlab.py imap OUTDIR           fetch bob's mailbox over IMAP, save each message
    dkimlab.py pop OUTDIR            fetch carol's mailbox over POP3, save each message
    dkimlab.py dns-session           DNS before, SMTP, then python3-dkim verifies with DNS
    dkimlab.py verdicts FILE...      python3-dkim's verdicts for each signature of each file

Must run with Debian's /usr/bin/python3 (python3-dkim, python3-nacl, python3-dnspython).
The signing time is fixed (t=) so the messages are the same on every run.
"""
import base64
import imaplib
import os
import poplib
import random
import re
import smtplib
import subprocess
import sys
import time
import types

import dkim
from dkim.canonicalization import CanonicalizationPolicy

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")
MSGDIR = os.path.join(HERE, "..", "messages")
DOMAIN = b"lab.test"
RSA_SEL, ED_SEL = b"rsa2026", b"ed2026"
SHORT_SEL = b"rsa768"            # a 768-bit key: too short (RFC 8301)
SIGN_TIME = 1767225600          # 2026-01-01T00:00:00Z
EXPIRES = SIGN_TIME + 3600       # x= of dkim-expired: an hour after signing
PF, DV = "127.0.0.1", "127.0.0.1"

# python3-dkim writes t= from time.time(): pin it.
dkim.time = types.SimpleNamespace(time=lambda: SIGN_TIME)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def key(name):
    with open(os.path.join(KEYS, name), "rb") as f:
        return f.read()


def rsa_p(name="rsa2026"):
    pem = key(name + ".public.pem").decode()
    return "".join(l for l in pem.splitlines() if "-----" not in l)


def ed_p():
    return key("ed2026.public").decode().strip()


def txt_strings():
    """The TXT records as lists of strings (the RSA one split in two, as a
    record longer than 255 bytes must be)."""
    rsa = "v=DKIM1; k=rsa; p=" + rsa_p()
    return {
        "rsa2026._domainkey.lab.test": [rsa[:200], rsa[200:]],
        "ed2026._domainkey.lab.test": ["v=DKIM1; k=ed25519; p=" + ed_p()],
        "rsa768._domainkey.lab.test": ["v=DKIM1; k=rsa; p=" + rsa_p("rsa768")],
    }


def keys_file_lookup(path=os.path.join(HERE, "dkim.keys")):
    """A dnsfunc for python3-dkim reading the keys file (strings joined)."""
    table = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, rtype, rest = line.split(None, 2)
            assert rtype == "TXT"
            table[name.lower().rstrip(".")] = "".join(re.findall(r'"([^"]*)"', rest)).encode()

    def lookup(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        return table.get(name.lower().rstrip("."))
    return lookup


def dns_lookup(name, timeout=5):
    """A dnsfunc for python3-dkim asking the lab's dnsmasq (127.0.0.1:53) only."""
    import dns.resolver
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    if isinstance(name, bytes):
        name = name.decode()
    a = r.resolve(name, "TXT", raise_on_no_answer=False, lifetime=timeout)
    for rr in a.response.answer:
        if rr.rdtype == dns.rdatatype.TXT:
            return b"".join(list(rr.items)[0].strings)
    return None


# ---------------------------------------------------------------- messages
def headers(subject, msgid, to="Bob <bob@lab.test>", extra=""):
    return ("From: Alice Example <alice@lab.test>\r\n"
            "To: %s\r\nCc: carol@lab.test\r\n"
            "Subject: %s\r\n"
            "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
            "Message-ID: <%s@lab.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n%s"
            "\r\n" % (to, subject, msgid, extra)).encode()


BODY_PLAIN = (b"Hello Bob,\r\n"
              b"\r\n"
              b"the invoice for January is 100 EUR, payable to account 1234.\r\n"
              b"Regards,\r\n"
              b"Alice\r\n")

# Lines that start with a dot (dot-stuffed on the wire), trailing spaces and
# tabs, runs of inner whitespace, and empty lines at the end of the body.
BODY_EDGES = (b"Edge cases for body canonicalisation:\r\n"
              b".\r\n"
              b"..\r\n"
              b".hidden line that starts with a dot\r\n"
              b"trailing spaces   \r\n"
              b"trailing tab\t\r\n"
              b"inner   runs \t of   whitespace\r\n"
              b" leading space\r\n"
              b"\r\n"
              b"last text line\r\n"
              b"\r\n"
              b"\r\n"
              b"\r\n")


def sign(msg, sel, algo, canon, length=False, expires=None):
    priv = key("ed2026.private") if sel == ED_SEL else key(sel.decode() + ".private.pem")
    gen = dkim.DKIM.gen_header
    if expires:
        # python3-dkim writes no x=: add it to the tags before b=, so it is signed.
        def gen_header(self, fields, *a, **k):
            fields = [f for f in fields if f[0] != b"b"] + [(b"x", str(expires).encode()),
                                                            (b"b", b"0" * 60)]
            return gen(self, fields, *a, **k)
        dkim.DKIM.gen_header = gen_header
    try:
        return dkim.sign(msg, sel, DOMAIN, priv, canonicalize=canon, signature_algorithm=algo,
                         include_headers=[b"from", b"to", b"cc", b"subject", b"date",
                                          b"message-id", b"mime-version", b"content-type"],
                         length=length)
    finally:
        dkim.DKIM.gen_header = gen


RR, SS = (b"relaxed", b"relaxed"), (b"simple", b"simple")
RSA, ED = (RSA_SEL, b"rsa-sha256"), (ED_SEL, b"ed25519-sha256")
SHA1, SHORT = (RSA_SEL, b"rsa-sha1"), (SHORT_SEL, b"rsa-sha256")


def build():
    """name -> bytes, in the order they are sent."""
    out = {}

    def signed(name, subject, body, who, canon, length=False, extra="", expires=None):
        m = headers(subject, name, extra=extra) + body
        return sign(m, who[0], who[1], canon, length, expires) + m

    out["dkim-rsa-relaxed"] = signed("dkim-rsa-relaxed", "DKIM  rsa-sha256   relaxed/relaxed",
                                     BODY_PLAIN, RSA, RR)
    out["dkim-rsa-simple"] = signed("dkim-rsa-simple", "DKIM rsa-sha256 simple/simple",
                                    BODY_PLAIN, RSA, SS)
    out["dkim-ed25519"] = signed("dkim-ed25519", "DKIM ed25519-sha256 relaxed/relaxed",
                                 BODY_PLAIN, ED, RR)
    m = headers("DKIM two signatures: ed25519 and rsa", "dkim-dual") + BODY_PLAIN
    m = sign(m, RSA_SEL, b"rsa-sha256", RR) + m
    out["dkim-dual"] = sign(m, ED_SEL, b"ed25519-sha256", RR) + m
    out["dkim-body-edges-simple"] = signed("dkim-body-edges-simple", "DKIM body edges simple/simple",
                                           BODY_EDGES, RSA, SS)
    out["dkim-body-edges-relaxed"] = signed("dkim-body-edges-relaxed",
                                            "DKIM body edges relaxed/relaxed", BODY_EDGES, RSA, RR)
    # Tampered after signing.
    m = signed("dkim-body-altered", "DKIM body altered after signing", BODY_PLAIN, RSA, RR)
    out["dkim-body-altered"] = m.replace(b"100 EUR, payable to account 1234",
                                         b"900 EUR, payable to account 6666")
    m = signed("dkim-length-appended", "DKIM l= with content appended", BODY_PLAIN, RSA, RR,
               length=True)
    out["dkim-length-appended"] = m + (b"\r\nP.S. New bank details: account 6666.\r\n"
                                       b"This paragraph was appended after signing.\r\n")
    m = signed("dkim-header-altered", "DKIM header altered after signing", BODY_PLAIN, RSA, RR)
    out["dkim-header-altered"] = m.replace(b"Subject: DKIM header altered after signing",
                                           b"Subject: URGENT: header altered after signing")
    # Weak or broken signatures, each valid over its bytes except the last.
    out["dkim-weak-sha1"] = signed("dkim-weak-sha1", "DKIM rsa-sha1", BODY_PLAIN, SHA1, RR)
    out["dkim-weak-short-key"] = signed("dkim-weak-short-key", "DKIM 768-bit RSA key",
                                        BODY_PLAIN, SHORT, RR)
    out["dkim-expired"] = signed("dkim-expired", "DKIM x= an hour after t=", BODY_PLAIN, RSA, RR,
                                 expires=EXPIRES)
    m = signed("dkim-malformed", "DKIM tag given twice", BODY_PLAIN, RSA, RR)
    out["dkim-malformed"] = m.replace(b"d=lab.test;", b"d=lab.test; d=example.test;", 1)
    return out


VALID = ["dkim-rsa-relaxed", "dkim-rsa-simple", "dkim-ed25519", "dkim-dual",
         "dkim-body-edges-simple", "dkim-body-edges-relaxed"]
TAMPERED = ["dkim-body-altered", "dkim-length-appended", "dkim-header-altered"]
WEAK = ["dkim-weak-sha1", "dkim-weak-short-key", "dkim-expired", "dkim-malformed"]


def write_messages():
    for name, m in build().items():
        with open(os.path.join(MSGDIR, name + ".eml"), "wb") as f:
            f.write(m)


def write_keys():
    with open(os.path.join(HERE, "dkim.keys"), "w") as f:
        f.write("# DKIM public keys of the lab (test keys; private keys in keys/), in the format of\n"
                "# the preference mail.dkim.keys_file: name TXT \"string\" [\"string\"...]\n")
        for name, strings in txt_strings().items():
            f.write("%s TXT %s\n" % (name, " ".join('"%s"' % s for s in strings)))
    for name, strings in txt_strings().items():
        print("%s,%s" % (name, ",".join('"%s"' % s for s in strings)))


def read_message(name):
    with open(os.path.join(MSGDIR, name + ".eml"), "rb") as f:
        return f.read()


# ----------------------------------------------------------------- clients
def wait_delivered(timeout=10):
    """Wait until Postfix's queue (LAB_PF_QUEUE) is empty, so the mailboxes
    get the messages in the order they were sent."""
    q = os.environ.get("LAB_PF_QUEUE")
    if not q:
        return
    end = time.time() + timeout
    while time.time() < end:
        if not any(files for sub in ("incoming", "active", "maildrop")
                   for _, _, files in os.walk(os.path.join(q, sub))):
            return
        time.sleep(0.05)
    log("queue not empty after %d s" % timeout)


def send(names, rcpts=("bob@lab.test", "carol@lab.test")):
    with smtplib.SMTP(PF, 25, local_hostname="signer.lab.test") as s:
        s.ehlo()
        for n in names:
            s.sendmail("alice@lab.test", list(rcpts), read_message(n))
            wait_delivered()


def imap_fetch(outdir):
    random.seed(2026)               # imaplib draws its tag prefix at random: pin it
    c = imaplib.IMAP4(DV, 143)
    c.login("bob", "bob-pw")
    c.select("INBOX", readonly=True)
    typ, data = c.fetch("1:*", "(UID BODY.PEEK[])")
    n = 0
    for item in data:
        if isinstance(item, tuple):
            n += 1
            with open(os.path.join(outdir, "imap-%d.eml" % n), "wb") as f:
                f.write(item[1])
    c.logout()


def pop_fetch(outdir):
    c = poplib.POP3(DV, 110)
    c.user("carol")
    c.pass_("carol-pw")
    count = c.stat()[0]
    for i in range(1, count + 1):
        lines = c.retr(i)[1]
        with open(os.path.join(outdir, "pop-%d.eml" % i), "wb") as f:
            f.write(b"".join(l + b"\r\n" for l in lines))
    c.quit()


def dns_session():
    """A receiver's order of events: the ed25519 key is looked up (dig) before
    the message arrives, the rsa key (python3-dkim's own lookup) after its end
    of data."""
    subprocess.run(["dig", "@127.0.0.1", "+norecurse", "TXT", "ed2026._domainkey.lab.test"],
                   check=True, stdout=sys.stderr)
    with smtplib.SMTP(PF, 25, local_hostname="signer.lab.test") as s:
        s.ehlo()
        s.sendmail("alice@lab.test", ["dave@lab.test"], read_message("dkim-dual"))
    d = dkim.DKIM(read_message("dkim-dual"))
    ok = d.verify(idx=1, dnsfunc=dns_lookup)          # idx 1: the rsa signature
    log("python3-dkim, rsa signature with the key from DNS:", ok)
    if not ok:
        sys.exit(1)


# ---------------------------------------------------------------- verdicts
class HeadersOnly(dkim.DKIM):
    """python3-dkim's check of b= alone (the bh= comparison skipped)."""

    def verify_sig_process(self, sig, include_headers, sig_header, dnsfunc):
        sig = dict(sig)
        sig.pop(b"bh", None)
        return super().verify_sig_process(sig, include_headers, sig_header, dnsfunc)


def checked(d, idx, dnsfunc):
    """(True, "") or (False, python3-dkim's reason)."""
    try:
        return bool(d.verify(idx=idx, dnsfunc=dnsfunc)), ""
    except dkim.DKIMException as e:
        return False, str(e).split(" (")[0]


def verdicts(msg, dnsfunc):
    """One dict per DKIM-Signature of msg, in header order."""
    d = dkim.DKIM(msg)
    sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
    out = []
    for i, raw in enumerate(sigs):
        try:
            tags = dkim.util.parse_tag_value(raw)
        except dkim.util.InvalidTagValueList as e:
            out.append({"malformed": "%s: %s" % (type(e).__name__, e)})
            continue
        policy = CanonicalizationPolicy.from_c_value(tags.get(b"c", b"simple/simple"))
        body = policy.canonicalize_body(d.body)
        signed = body[:int(tags[b"l"])] if b"l" in tags else body
        bh = dkim.HASH_ALGORITHMS[tags[b"a"]](signed).digest()
        bh_ok = bh == base64.b64decode(re.sub(rb"\s+", b"", tags[b"bh"]))
        ok, why = checked(dkim.DKIM(msg), i, dnsfunc)
        hdr_ok, _ = checked(HeadersOnly(msg), i, dnsfunc)
        out.append({
            "s": tags[b"s"].decode(), "d": tags[b"d"].decode(), "a": tags[b"a"].decode(),
            "c": tags.get(b"c", b"simple/simple").decode(),
            "l": int(tags[b"l"]) if b"l" in tags else None,
            "body_hash": "pass" if bh_ok else "fail",
            "signature": "pass" if ok else "fail",
            "why": why,
            "b_over_headers": "pass" if hdr_ok else "fail",
            "canon_body_len": len(body),
            "unsigned": max(0, len(body) - int(tags[b"l"])) if b"l" in tags else 0,
        })
    return out


def print_verdicts(files):
    look = keys_file_lookup()
    for path in files:
        with open(path, "rb") as f:
            msg = f.read()
        for i, v in enumerate(verdicts(msg, look)):
            if "malformed" in v:
                print("%s sig%d malformed signature=fail why=%r" % (os.path.basename(path), i + 1,
                                                                    v["malformed"]))
                continue
            print("%s sig%d s=%s a=%s c=%s l=%s body_hash=%s signature=%s b_over_headers=%s "
                  "canon_body_len=%d unsigned=%d%s" % (
                      os.path.basename(path), i + 1, v["s"], v["a"], v["c"], v["l"], v["body_hash"],
                      v["signature"], v["b_over_headers"], v["canon_body_len"], v["unsigned"],
                      " why=" + repr(v["why"]) if v["why"] else ""))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "messages":
        write_messages()
    elif cmd == "keys":
        write_keys()
    elif cmd == "send":
        send(args)
    elif cmd == "imap":
        imap_fetch(args[0])
    elif cmd == "pop":
        pop_fetch(args[0])
    elif cmd == "dns-session":
        dns_session()
    elif cmd == "verdicts":
        print_verdicts(args)
    else:
        raise SystemExit(__doc__)

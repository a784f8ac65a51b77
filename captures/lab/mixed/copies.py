#!/usr/bin/env python3
"""Facts of the attachments capture: parts and hashes, the copies and how they differ.

usage: copies.py SUBMITTED.eml OUTDIR PARTS.txt MAILLOG CAPTURE.pcapng  (writes to stdout)
OUTDIR holds what attachclient.py fetched; PARTS.txt is gen-attachments.py's output.
"""
import base64, hashlib, re, subprocess, sys

sub_path, out, parts, maillog, capture = sys.argv[1:6]
sub = open(sub_path, "rb").read()
imap = open(f"{out}/imap-body.eml", "rb").read()
pop = open(f"{out}/pop-retr.eml", "rb").read()
bs = open(f"{out}/imap-bodystructure.txt", "rb").read().decode()
part2 = open(f"{out}/imap-part2.b64", "rb").read()


def hashes(d):
    return (f"size {len(d)} md5 {hashlib.md5(d).hexdigest()} sha1 {hashlib.sha1(d).hexdigest()} "
            f"sha256 {hashlib.sha256(d).hexdigest()}")


def split(m):
    i = m.index(b"\r\n\r\n")
    return m[:i + 2], m[i + 4:]


def fields(head):
    out, cur = [], None
    for line in head.split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t") and out:
            out[-1] += b"\r\n" + line
        else:
            out.append(line)
    return out


def diff(a, b, an, bn):
    fa, fb = fields(split(a)[0]), fields(split(b)[0])
    added = [f for f in fb if f not in fa]
    removed = [f for f in fa if f not in fb]
    for f in added:
        print(f"  added in {bn}: {f.decode('latin-1')!s}".replace("\r\n", "\\r\\n"))
    for f in removed:
        print(f"  removed from {an}: {f.decode('latin-1')}".replace("\r\n", "\\r\\n"))
    ba, bb = split(a)[1], split(b)[1]
    if ba == bb:
        print(f"  body (after the header's empty line): identical, {len(ba)} bytes")
    else:
        k = next((i for i in range(min(len(ba), len(bb))) if ba[i] != bb[i]), min(len(ba), len(bb)))
        print(f"  body differs first at byte {k}")
    if not added and not removed and ba == bb:
        print("  identical")


print("# mixed-smtp-imap-pop-attachments.pcapng: facts for assertions (written by attachments.sh)")
print("# Postfix", subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True,
                                  text=True).stdout.strip(),
      "(virtual delivery to Maildir), Dovecot",
      subprocess.run(["dovecot", "--version"], capture_output=True, text=True).stdout.split()[0])
print()
print("## The submitted message: captures/lab/messages/mixed-attachments.eml (gen-attachments.py)")
print("SMTP: MAIL FROM:<alice@lab.test>, RCPT TO:<bob@lab.test>, RCPT TO:<carol@lab.test>, DATA (smtplib)")
print(f"submitted {hashes(sub)}")
dots = sum(1 for l in sub.split(b"\r\n") if l.startswith(b"."))
print(f"lines starting with '.': {dots} (dot-stuffed in DATA and in POP3 RETR, not in IMAP)")
print()
print("## Leaf parts (decoded bytes keep CRLF line ends; files under captures/lab/messages/)")
print(open(parts).read().rstrip())
print()
print("## Copies (Postfix's virtual(8) stores LF line ends; Dovecot sends CRLF)")
print(f"IMAP copy (bob, FETCH 1 BODY.PEEK[] literal): {hashes(imap)}")
diff(sub, imap, "submitted", "IMAP copy")
print(f"POP3 copy (carol, RETR 1, un-stuffed, without the final .CRLF): {hashes(pop)}")
diff(sub, pop, "submitted", "POP3 copy")
print("IMAP copy vs POP3 copy:")
diff(imap, pop, "IMAP copy", "POP3 copy")
print()
print("## IMAP FETCH 1 BODY.PEEK[2] (the PDF part, still base64)")
enc = None
m = re.search(rb'filename="report-2025-Q1.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n(.*?)\r\n--=_outer',
              sub, re.S)
enc = m.group(1)
print(f"literal {len(part2)} bytes, identical to the part's body in the submitted message: {part2 == enc}")
print(f"decoded {hashes(base64.b64decode(part2))}")
print()
print("## IMAP BODYSTRUCTURE as Dovecot sent it (FETCH 1 (UID RFC822.SIZE BODYSTRUCTURE))")
print(bs)
print()
print("## The same, part by part (bodystructure.py; fields named by their position)")
import os, tempfile
with tempfile.NamedTemporaryFile("wb", delete=False) as t:
    t.write(b"* " + re.sub(r"^(\d+) ", r"\1 FETCH ", bs).encode() + b"\r\n")
print(subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dovecot",
                                                   "bodystructure.py"), t.name],
                     capture_output=True, text=True, check=True).stdout.rstrip())
os.unlink(t.name)
print()
print("## Postfix log")
for l in open(maillog):
    if re.search(r"postfix/(smtpd|cleanup|qmgr|virtual)\[", l) and ("status=" in l or "message-id" in l
                                                                    or "from=" in l):
        print(l.rstrip())
print()
print("## Frames with TCP payload (first line of each)")
r = subprocess.run(["tshark", "-r", capture, "-Y", "tcp.len > 0", "-T", "fields", "-e", "frame.number",
                    "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.len", "-e", "tcp.payload"],
                   capture_output=True, text=True)
for line in r.stdout.splitlines():
    n, sp, dp, ln, pay = line.split("\t")
    first = bytes.fromhex(pay.replace(":", "")).split(b"\r\n")[0][:90].decode("latin-1")
    print(f"frame {n} {sp}->{dp} len {ln}: {first!r}")

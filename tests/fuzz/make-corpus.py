#!/usr/bin/env python3
"""Build the seed corpora of the core fuzz targets from the project's captures.

    make-corpus.py [--captures DIR] [--out DIR] [--max-files N] [--max-bytes B]

Reads every captures/*.pcapng with `tshark -T fields -e tcp.payload`, joins
each TCP stream's bytes per direction (client = the side talking to port 25,
465, 587, 110, 143, 993, 995 or the side that did not open with a greeting),
and writes, per target, small seed files into corpus/<target>/: command and
reply lines for the line parsers, stream prefixes for the framers, DATA and
RETR bodies for the body scanners, message headers for the message target,
stream starts for the PROXY header target, XCLIENT/XFORWARD lines for theirs.
--only names the targets to add seeds to.
Targets that read option bytes from the front of the input get zero bytes
there (whole-buffer mode).  Seeds are named by content hash, so runs are
repeatable and duplicates vanish.  TLS streams give little but are harmless.
"""
import argparse
import collections
import glob
import hashlib
import os
import re
import subprocess

SMTP_PORTS = {25, 465, 587, 2525}
IMAP_PORTS = {143, 993}
POP_PORTS = {110, 995}
PROXY_V2_SIG = b"\r\n\r\n\x00\r\nQUIT\n"
# Option bytes at the front of each target's input (see tests/fuzz/targets).
PREFIX = {"fuzz_lines": 1, "fuzz_fields_pack": 1, "fuzz_dataend": 1, "fuzz_pop_session": 1, "fuzz_imap_frame": 3,
          "fuzz_imap_literal": 1, "fuzz_imap_token": 3}


def streams(path):
    out = subprocess.run(
        ["tshark", "-r", path, "-Y", "tcp.len > 0", "-T", "fields", "-e", "tcp.stream",
         "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.payload"],
        capture_output=True, text=True, check=False).stdout
    st = collections.OrderedDict()
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or not parts[3]:
            continue
        sid, sp, dp, hexdata = parts
        sp, dp = int(sp), int(dp)
        server_port = dp if dp in SMTP_PORTS | IMAP_PORTS | POP_PORTS else sp
        d = "c" if dp == server_port else "s"
        s = st.setdefault(sid, {"port": server_port, "c": bytearray(), "s": bytearray()})
        s[d] += bytes.fromhex(hexdata.replace(":", ""))
    return st.values()


def lines(data, n=200):
    return [l for l in re.split(rb"(?<=\n)", bytes(data)) if l][:n]


class Corpus:
    def __init__(self, out, max_files, max_bytes):
        self.out, self.max_files, self.max_bytes = out, max_files, max_bytes
        self.only = None
        self.count = collections.Counter()

    def add(self, target, data):
        if self.only and target not in self.only:
            return
        if not data or self.count[target] >= self.max_files:
            return
        data = b"\0" * PREFIX.get(target, 0) + bytes(data[:self.max_bytes])
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        name = os.path.join(d, hashlib.sha1(data).hexdigest()[:16])
        if not os.path.exists(name):
            with open(name, "wb") as f:
                f.write(data)
            self.count[target] += 1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--captures", default=os.path.join(here, "..", "..", "captures"))
    ap.add_argument("--out", default=os.path.join(here, "corpus"))
    ap.add_argument("--max-files", type=int, default=40)
    ap.add_argument("--max-bytes", type=int, default=2048)
    ap.add_argument("--only", help="comma-separated targets to add seeds to (default: all)")
    a = ap.parse_args()
    c = Corpus(a.out, a.max_files, a.max_bytes)
    c.only = set(a.only.split(",")) if a.only else None
    for path in sorted(glob.glob(os.path.join(a.captures, "*.pcapng"))):
        for s in streams(path):
            cl, sv, port = s["c"], s["s"], s["port"]
            # A PROXY header starts the client's bytes; the stream prefix is the
            # seed, with the mail protocol after it.
            if cl.startswith(b"PROXY") or cl.startswith(PROXY_V2_SIG):
                c.add("fuzz_proxy", cl[:512])
            elif os.path.basename(path).startswith("proxy-"):
                c.add("fuzz_proxy", cl[:64])  # what a server without a header sees
            for l in lines(cl, 40):
                c.add("fuzz_lines", l)
            if port in SMTP_PORTS:
                for l in lines(cl):
                    c.add("fuzz_smtp_syntax", l.rstrip(b"\r\n"))
                    if l[:8].upper() in (b"XCLIENT ", b"XFORWARD"):
                        c.add("fuzz_smtp_xclient", l.rstrip(b"\r\n"))
                    if l[:5].upper() == b"AUTH ":
                        c.add("fuzz_sasl", l.split()[-1])
                for l in lines(sv):
                    c.add("fuzz_smtp_syntax", l.rstrip(b"\r\n"))
                m = re.search(rb"(?i)\r?\nDATA\r?\n", bytes(cl))
                if m:
                    body = bytes(cl[m.end():])
                    c.add("fuzz_dataend", body)
                    c.add("fuzz_message", body)
                    head = body.find(b"\r\n\r\n")
                    if head > 0:
                        c.add("fuzz_fields_pack", body[:head + 4])
                    c.add("fuzz_lines", body)
                for l in lines(cl):
                    if re.fullmatch(rb"[A-Za-z0-9+/=]{4,}\r?\n", l):
                        c.add("fuzz_sasl", l.rstrip(b"\r\n"))
            elif port in IMAP_PORTS:
                c.add("fuzz_imap_frame", cl)
                c.add("fuzz_imap_frame", sv)
                for l in lines(cl):
                    l = l.rstrip(b"\r\n")
                    c.add("fuzz_imap_command", l)
                    c.add("fuzz_imap_token", l)
                    c.add("fuzz_imap_literal", l)
                for l in lines(sv):
                    l = l.rstrip(b"\r\n")
                    c.add("fuzz_imap_response", l)
                    c.add("fuzz_imap_token", l)
                    if b" FETCH " in l:
                        c.add("fuzz_imap_fetch", l)
                    if l.endswith(b"}"):
                        c.add("fuzz_imap_literal", l)
            elif port in POP_PORTS:
                for l in lines(cl):
                    c.add("fuzz_pop_syntax", l.rstrip(b"\r\n"))
                for l in lines(sv):
                    c.add("fuzz_pop_syntax", l.rstrip(b"\r\n"))
                m = re.search(rb"\+OK[^\n]*\n", bytes(sv[sv.find(b"\n") + 1:]) if b"\n" in sv else b"")
                for mm in re.finditer(rb"\+OK[^\n]*octets[^\n]*\n|\+OK[^\n]*\n(?=[A-Za-z-]+:)", bytes(sv)):
                    body = bytes(sv[mm.end():])
                    c.add("fuzz_pop_session", body)
                    c.add("fuzz_message", body)
                del m
    for t, n in sorted(c.count.items()):
        print(f"{t}: {n} new seeds")


if __name__ == "__main__":
    main()

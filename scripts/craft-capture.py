#!/usr/bin/env python3
"""Craft a small TCP capture from a transcript, through text2pcap.

Transcript format, one TCP segment per line:
    # comment
    C: EHLO client.example\r\n      client -> server
    S: 250 ok\r\n                    server -> client
Escapes \\r \\n \\t \\\\ and \\xHH are decoded; nothing else is added, so a
line end must be written out (that is how bare LF and friends are made).

Usage: craft-capture.py TRANSCRIPT OUT.pcapng [--port 25] [--client-port 40000]
The capture has no handshake: the mail dissectors are found by server port.
A capture for the heuristic (no mail port on either side) needs a client port
that no Wireshark release claims: 40000 is SAP NI's from 4.4, so those use
--client-port 51000.
Timestamps are fixed (one millisecond apart) so the output is reproducible.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def decode(text):
    def repl(m):
        s = m.group(0)
        table = {"\\r": "\r", "\\n": "\n", "\\t": "\t", "\\\\": "\\"}
        if s in table:
            return table[s]
        return chr(int(s[2:], 16))
    return re.sub(r"\\x[0-9a-fA-F]{2}|\\[rnt\\]", repl, text).encode("latin-1")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("transcript")
    ap.add_argument("out")
    ap.add_argument("--port", type=int, default=25)
    ap.add_argument("--client-port", type=int, default=40000)
    args = ap.parse_args()

    segments = []
    with open(args.transcript, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"([CS]): ?(.*)$", line)
            if not m:
                sys.exit(f"{args.transcript}:{lineno}: expected 'C: ...' or 'S: ...'")
            segments.append((m.group(1), decode(m.group(2))))
    if not segments:
        sys.exit(f"{args.transcript}: no segments")

    # text2pcap -D: "I" packets go srcip:srcport -> dstip:dstport, "O" the other way.
    dump = []
    for i, (side, payload) in enumerate(segments):
        direction = "I" if side == "C" else "O"
        dump.append(f"{direction} 2024-01-01T00:00:{i // 1000:02d}.{i % 1000:03d}000Z")
        for off in range(0, len(payload), 16):
            chunk = payload[off:off + 16]
            dump.append(f"{off:06x} " + " ".join(f"{b:02x}" for b in chunk))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as tmp:
        tmp.write("\n".join(dump) + "\n")
    try:
        subprocess.run(["text2pcap", "-q", "-D", "-t", "ISO", "-F", "pcapng",
                        "-4", "192.0.2.10,192.0.2.25",
                        "-T", f"{args.client_port},{args.port}", tmp.name, args.out],
                       check=True)
    finally:
        os.unlink(tmp.name)


if __name__ == "__main__":
    main()

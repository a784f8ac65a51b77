#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""List the frames of a lab capture that carry payload, one line each:

    frames.py CAPTURE

frame number, stream (t = TCP, u = UDP), source and destination (address
and port), payload length, and the payload's first line (text; a binary
start, like a PROXY v2 header, as hex; several lines joined by |).  Uses
tshark's fields only (no mail dissector is needed), run as nobody when run
as root.  The .facts files of the labs quote this listing.
"""
import os
import subprocess
import sys

FIELDS = ["frame.number", "tcp.stream", "udp.stream", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.payload", "udp.payload"]


def show(payload, width=96):
    if payload.startswith(b"\r\n\r\n\x00\r\nQUIT\n"):
        return "PROXY v2 header %d bytes: %s" % (len(payload), payload.hex())
    if payload[:1] and payload[0] < 0x20 and payload[:1] not in (b"\r", b"\n", b"\t"):
        return "binary: " + payload[:48].hex()
    lines = payload.decode("latin-1").split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    text = " | ".join(lines)
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= width else text[:width] + "..."


def main():
    cap = sys.argv[1]
    cmd = ["tshark", "-r", cap, "-n", "-T", "fields", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    env = dict(os.environ, HOME="/tmp")
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    for row in out.splitlines():
        v = dict(zip(FIELDS, row.split("\t")))
        hexpay = v["tcp.payload"] or v["udp.payload"]
        if not hexpay:
            continue
        payload = bytes.fromhex(hexpay.replace(":", ""))
        stream = "t" + v["tcp.stream"] if v["tcp.stream"] else "u" + v["udp.stream"]
        sport = v["tcp.srcport"] or v["udp.srcport"]
        dport = v["tcp.dstport"] or v["udp.dstport"]
        src = v["ip.src"] or "[%s]" % v["ipv6.src"]
        dst = v["ip.dst"] or "[%s]" % v["ipv6.dst"]
        if payload and stream.startswith("u"):
            text = "DNS %d bytes" % len(payload)
        else:
            text = show(payload)
        print("%5s %-4s %s:%s > %s:%s len=%d  %s" % (v["frame.number"], stream, src, sport, dst, dport,
                                                      len(payload), text))


if __name__ == "__main__":
    main()

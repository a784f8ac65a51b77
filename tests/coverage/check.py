#!/usr/bin/env python3
"""Nothing lost, provably: every TCP payload byte of a mail stream is shown by
some mailwire item.

    check.py [--plugin build/mailwire.so] [--sanitized ON|OFF] [-v] CAPTURE|DIR...

Each capture goes through `tshark -2 -T pdml` with the plugin (see
tests/dissect/tshark_env.py).  A TCP stream is a mail stream when some frame
of it has a mailwire protocol (mail.smtp, mail.imap, mail.pop).  For every
frame of a mail stream with TCP payload:

  - frames whose payload TCP hands to no subdissector (retransmission or
    out-of-order flags with the default tcp.no_subdissector_on_error) are
    listed apart: that is TCP's choice, not a gap of mailwire;
  - frames before the stream's first mailwire frame that another dissector
    took (an HTTP CONNECT and its answer before a tunnelled session, a PROXY
    header that Wireshark's PROXY dissector shows in its own frame while
    mailwire dissects it where the session's protocol showed) are listed
    apart: the connection's start before the mail session;
  - frames that carry TLS (STARTTLS or implicit TLS), or a part of a TLS
    record that TCP reassembles in a later frame, are counted and skipped:
    their bytes are TLS records, shown by the TLS dissector;
  - otherwise the payload bytes must be covered by items below the mailwire
    protocol items of the frame (the protocol item itself does not count:
    it spans everything by construction).  Items are placed on the frame's
    bytes as follows.  PDML gives an item's position in its own data source
    and its bytes (value); an item of the frame's data source must show the
    frame's bytes at its position (an item of another data source, such as a
    decoded message or base64, does not match and is left out with its
    subtree).  When the stream engine joined the start of a line carried
    from an earlier segment with this segment ("Joined line", marked by
    mail.stream.carried), positions are in the joined bytes: the carried part
    belongs to the earlier frame (where mail.stream.partial covered it), the
    rest maps onto this frame's payload.  Engine items count: a
    retransmission is covered by mail.stream.retransmission, an incomplete
    line at the end of a segment by mail.stream.partial.

Prints one line per capture, then the uncovered ranges per frame (offset in
the TCP payload, length, protocol, the first bytes).  Exit status 1 when a
byte is uncovered or a frame of a mail stream has no mailwire item at all
(unless it is TLS), 2 when tshark fails.
"""
import argparse
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dissect"))
import tshark_env  # noqa: E402

MAIL_PROTOS = ("mail.smtp", "mail.imap", "mail.pop")
# With its default preference tcp.no_subdissector_on_error, TCP hands no
# payload of these segments to any subdissector.
TCP_WITHHELD = ("tcp.analysis.retransmission", "tcp.analysis.out_of_order",
                "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission")
CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def find_captures(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                out += [os.path.join(root, f) for f in sorted(files) if f.endswith(CAPTURE_EXT)]
        else:
            out.append(p)
    return sorted(out)


def merge(ranges):
    ranges.sort()
    out = []
    for a, b in ranges:
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


class Frame:
    def __init__(self, num):
        self.num = num
        self.stream = None
        self.payload_pos = None
        self.payload = b""
        self.tls = False
        self.tcp_error = None   # TCP's analysis flag when it withholds the payload
        self.reassembled_in = None  # a PDU of another dissector (TLS) ends in that frame
        self.mail = []          # (proto name, element)
        self.other = None       # another dissector's protocol after TCP


def frame_of(packet):
    f = None
    for proto in packet.findall("proto"):
        name = proto.get("name")
        if name == "geninfo":
            num = proto.find("field[@name='num']")
            f = Frame(int(num.get("show")))
        elif name == "tcp" and f is not None and f.stream is None:
            for fld in proto.iter("field"):
                n = fld.get("name")
                if n == "tcp.stream":
                    f.stream = int(fld.get("show"))
                elif n == "tcp.reassembled_in":
                    f.reassembled_in = int(fld.get("show"))
                elif n in TCP_WITHHELD and f.tcp_error is None:
                    f.tcp_error = n
                elif n == "tcp.payload" and f.payload_pos is None:
                    f.payload_pos = int(fld.get("pos"))
                    f.payload = bytes.fromhex(fld.get("value", ""))
        elif name == "tls":
            f.tls = True
        elif name in MAIL_PROTOS:
            f.mail.append((name, proto))
        elif f is not None and f.stream is not None and f.other is None and \
                name not in ("data", "mail", "_ws.malformed", "fake-field-wrapper"):
            f.other = name
    return f


def covered_ranges(frame, name, root):
    """Frame-payload ranges [a, b) (offsets in the TCP payload) shown by items
    below one mailwire protocol item."""
    payload = frame.payload
    plen = len(payload)
    carried = root.find("field[@name='mail.stream.carried']")
    released = root.findall("field[@name='mail.stream.released']")
    if carried is not None or released:
        # joined bytes: carried line, held bytes released before this
        # segment's, the segment's new bytes, held bytes released after them
        c = int(carried.get("size")) if carried is not None else 0
        pre = sum(int(r.get("size")) for r in released if int(r.get("pos")) == c)
        post = sum(int(r.get("size")) for r in released if int(r.get("pos")) != c)
        joined_len = int(root.get("size"))
        fresh = joined_len - c - pre - post
        skip = plen - fresh
        # joined offset o >= c + pre is payload offset o - (c + pre) + skip
        shift = skip - (c + pre)
        lo = c + pre
    else:
        shift = -frame.payload_pos
        lo = frame.payload_pos
    out = []

    def walk(elem):
        for child in elem:
            if child.tag not in ("field", "proto"):
                continue
            size = int(child.get("size", "0") or 0)
            pos = child.get("pos")
            if size > 0 and pos is not None:
                pos = int(pos)
                a = pos + shift
                value = child.get("value")
                if pos < lo or a < 0 or a + size > plen:
                    # carried or released bytes of other frames, or another
                    # data source: keep only the part over this segment's bytes
                    a0, a1 = max(a, lo + shift, 0), min(a + size, plen)
                    if a1 <= a0 or (pos >= lo and a >= plen):
                        continue
                    a, size = a0, a1 - a0
                    value = None
                if value:
                    want = bytes.fromhex(value) if len(value) == 2 * size else None
                    if want is not None and payload[a:a + len(want)] != want:
                        continue                        # another data source: skip subtree
                out.append([a, a + size])
            walk(child)

    walk(root)
    return out


def check_capture(env, path, verbose):
    cap = env.capture(path)
    p = env.popen(["-2", "-r", cap, "-T", "pdml"])
    frames = {}
    mail_streams = set()
    for _, elem in ET.iterparse(p.stdout, events=("end",)):
        if elem.tag != "packet":
            continue
        f = frame_of(elem)
        if f is not None and f.stream is not None and f.payload:
            if f.mail:
                mail_streams.add(f.stream)
                f.ranges = []
                for name, root in f.mail:
                    f.ranges += covered_ranges(f, name, root)
                f.protos = sorted({n for n, _ in f.mail})
                f.mail = None
            frames[f.num] = f
        elem.clear()
    err = p.stderr.read().decode("utf-8", "replace")
    rc = p.wait()
    problems = tshark_env.run_problems(rc, err)
    result = {"frames": 0, "bytes": 0, "tls": 0, "uncovered": [], "withheld": [], "before": []}
    first_mail = {}
    for num in sorted(frames):
        f = frames[num]
        if f.mail is None and f.stream not in first_mail:
            first_mail[f.stream] = num
    for num in sorted(frames):
        f = frames[num]
        if f.stream not in mail_streams:
            continue
        if f.mail is not None and f.other and num < first_mail[f.stream]:
            result["before"].append((num, len(f.payload), f.other))
            continue
        if f.tls or (f.mail is not None and f.reassembled_in):
            result["tls"] += 1
            continue
        result["frames"] += 1
        result["bytes"] += len(f.payload)
        if f.mail is not None and f.tcp_error:
            # TCP did not call any subdissector: not a mailwire gap
            result["withheld"].append((num, len(f.payload), f.tcp_error))
            continue
        if f.mail is not None:      # no mailwire item in this frame
            result["uncovered"].append((num, 0, len(f.payload), "no mailwire item", f.payload[:24]))
            continue
        pos = 0
        for a, b in merge(f.ranges):
            if a > pos:
                result["uncovered"].append((num, pos, a - pos, "/".join(f.protos), f.payload[pos:a][:24]))
            pos = max(pos, b)
        if pos < len(f.payload):
            result["uncovered"].append((num, pos, len(f.payload) - pos, "/".join(f.protos),
                                        f.payload[pos:][:24]))
    return result, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plugin", default=os.path.join(HERE, "..", "..", "build", "mailwire.so"))
    ap.add_argument("--sanitized", default="OFF")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--max-report", type=int, default=20, help="uncovered ranges shown per capture")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    captures = find_captures(a.paths)
    if not captures:
        tshark_env.fail_exit("no captures found")
    bad = failed = 0
    with tshark_env.TsharkEnv(a.plugin, sanitized=tshark_env.on_off(a.sanitized)) as env:
        env.check_plugin_loaded()
        for path in captures:
            try:
                r, problems = check_capture(env, path, a.verbose)
            except (ET.ParseError, tshark_env.Failure) as e:
                print(f"FAIL {path}: {e}")
                failed += 1
                continue
            unc = r["uncovered"]
            nbytes = sum(u[2] for u in unc)
            status = "ok  " if not unc else "GAPS"
            if problems:
                status = "FAIL"
                failed += 1
            print(f"{status} {os.path.basename(path)}: {r['frames']} mail frames, {r['bytes']} payload "
                  f"bytes, {nbytes} uncovered in {len(unc)} ranges"
                  + (f", {r['tls']} TLS frames skipped" if r["tls"] else "")
                  + (f", {len(r['withheld'])} frames withheld by TCP" if r["withheld"] else "")
                  + (f", {len(r['before'])} frames of other protocols before the session"
                     if r["before"] else ""))
            for pr in problems:
                print(f"     {pr}")
            for num, off, n, proto, head in unc[:a.max_report]:
                print(f"     frame {num} payload offset {off} length {n} ({proto}): {head!r}")
            for num, n, why in r["withheld"][:a.max_report]:
                print(f"     frame {num}: {n} payload bytes not handed to mailwire by TCP ({why})")
            if len(unc) > a.max_report:
                print(f"     ... {len(unc) - a.max_report} more ranges")
            if unc:
                bad += 1
    print(f"{len(captures)} captures, {bad} with uncovered bytes, {failed} failed")
    sys.exit(2 if failed else 1 if bad else 0)


if __name__ == "__main__":
    main()

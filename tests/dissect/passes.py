#!/usr/bin/env python3
"""Check that two passes show what one pass shows, each fact once, plus links.

    passes.py --plugin build/mailwire.so --captures captures [--sanitized OFF] GLOB...

For each capture matching a GLOB in --captures, every mailwire field (name and
value) of every frame is counted in a one-pass run and in a two-pass run
(tshark -2).  The counts must be equal, except that the two-pass run may add
the forward links a later frame fills in (LINKS), each a fact the one-pass
run did not show in that frame.  A records-mode protocol
renders every pass from what the first pass stored, so any other difference
is a fact decided twice or lost.  One exception: bytes still waiting for a
hole when the capture ends are shown as held in one pass and dissected on the
first revisit (plugin/engine/stream.h), so a frame that holds them in one pass
may show their dissection with -2.  Exit 0 when all captures match, 1 otherwise,
2 when the environment is broken.
"""
import collections
import fnmatch
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_env  # noqa: E402

# Fields that point at (or summarise) a later frame: known only on later passes.
LINKS = {
    "mail.pop.response_in", "mail.pop.multiline", "mail.pop.multiline.lines",
    "mail.pop.multiline.terminator_frame", "mail.pop.multiline.cut_frame",
    "mail.stream.continued_in", "mail.stream.dissected_in",
    # the first piece of a line longer than 64 KiB: its length and last piece
    "mail.smtp.line.length", "mail.smtp.line.ends_in",
    "mail.pop.line.length", "mail.pop.line.ends_in",
}


def is_link(name):
    return name in LINKS or name.endswith(".response_in")


def facts(env, cap, two):
    rc, out, err = env.run(["-r", cap, "-T", "pdml"] + (["-2"] if two else []))
    problems = tshark_env.run_problems(rc, err, out)
    if problems:
        raise tshark_env.Failure("; ".join(problems))
    per_frame = {}
    for pkt in ET.fromstring(out).findall("packet"):
        num = None
        seen = collections.Counter()
        for f in pkt.iter("field"):
            name = f.get("name", "")
            if name == "num" and num is None:
                num = f.get("show")
            if name.startswith("mail."):
                seen[(name, f.get("show"))] += 1
        per_frame[num] = seen
    return per_frame


def check(env, cap, name):
    one, two = facts(env, cap, False), facts(env, cap, True)
    bad = []
    for frame in one:
        two_f = two.get(frame, collections.Counter())
        held_at_end = (any(k[0] == "mail.stream.out_of_order" for k in one[frame]) and
                       any(k[0] == "mail.stream.released" for k in two_f))
        # a link is new on later passes; the same fact twice is not
        extra = {k: v for k, v in (two_f - one[frame]).items()
                 if not held_at_end and (not is_link(k[0]) or one[frame][k])}
        missing = dict(one[frame] - two_f)
        if extra or missing:
            bad.append(f"frame {frame}: only with -2 {extra}, only in one pass {missing}")
    return bad[:10], f"{len(one)} frames"


def names_from(captures, globs):
    return sorted(n for n in os.listdir(captures)
                  if n.endswith((".pcap", ".pcapng")) and any(fnmatch.fnmatch(n, g) for g in globs))


if __name__ == "__main__":
    sys.exit(tshark_env.check_captures(check, names_from))

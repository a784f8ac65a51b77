#!/usr/bin/env python3
"""The taps give the same entries with mail.message.keep on or off, in one pass or two.

    keep_passes.py --plugin mailwire.so --captures DIR [--sanitized ON|OFF] CAPTURE...

For each capture, tshark runs four times (keep on / off, without and with -2)
with `-z mail,tree -z mail,sessions -z mail,files -z credentials`; the four
outputs must be the same.  The statistics read the records the first pass
stored (the MIME walk of each message among them), never the message bytes
kept for revisits, so freeing those bytes changes nothing here.  One known
difference is allowed between one pass and two (plugin/engine/stream.h):
bytes still waiting for a hole when the capture ends are dissected on the
first revisit, so for the captures in HELD only the runs of the same number
of passes are compared.  Exit 0 when all match, 1 otherwise, 2 when the
environment is broken.
"""
import difflib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dissect"))
import tshark_env  # noqa: E402

STATS = ["mail,tree", "mail,sessions", "mail,files", "credentials"]
# Captures that end with bytes held behind a hole.
HELD = {"hostile-smtp-lost.pcapng", "hostile-imap-lost.pcapng", "hostile-pop-lost.pcapng"}


def check(env, cap, name):
    outs, problems = {}, []
    for two in (False, True):
        for keep in (True, False):
            args = ["-r", cap, "-q", "-o", f"mail.message.keep:{'TRUE' if keep else 'FALSE'}"]
            args += ["-2"] if two else []
            for s in STATS:
                args += ["-z", s]
            rc, out, err = env.run(args)
            problems += tshark_env.run_problems(rc, err, out)
            outs[(two, keep)] = out
    pairs = [((two, True), (two, False)) for two in (False, True)]
    if name not in HELD:
        pairs.append(((False, True), (True, True)))
    for ref, other in pairs:
        if outs[ref] != outs[other]:
            diff = difflib.unified_diff(outs[ref].splitlines(), outs[other].splitlines(),
                                        lineterm="", n=0)
            problems.append(f"{label(ref)} and {label(other)} differ:\n    " +
                            "\n    ".join(list(diff)[2:22]))
    alike = "keep on and off alike in each" if name in HELD else "all four outputs alike"
    return problems, f"{alike} ({len(outs[(False, True)].splitlines())} lines)"


def label(k):
    two, keep = k
    return f"[keep {'on' if keep else 'off'}, {'-2' if two else 'one pass'}]"


if __name__ == "__main__":
    sys.exit(tshark_env.check_captures(check))

#!/usr/bin/env python3
"""A read filter on the first pass (tshark -2 -R) keeps the frames a display filter keeps.

    read_filter.py --plugin mailwire.so --captures DIR [--sanitized ON|OFF] CAPTURE...

tshark -2 -R drops the frames its filter rejects on the first pass and gives
the next frame the number of the dropped one, so what mailwire stored under
a number may be a dropped frame's.  For each capture, the commands, replies,
tags and message hashes that `-2 -R FILTER` shows must be those `-2 -Y
FILTER` shows, in the same order (frame numbers differ: -R renumbers).
Exit 0 when all match, 1 otherwise, 2 when the environment is broken.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_env  # noqa: E402

FILTER = ("mail.smtp.command || mail.smtp.reply.code || mail.imap.tag || mail.pop.command"
          " || mail.message.sha256")
FIELDS = ["mail.smtp.command", "mail.smtp.reply.code", "mail.imap.tag", "mail.pop.command",
          "mail.message.sha256"]


def check(env, cap, name):
    outs, problems = {}, []
    for opt in ("-R", "-Y"):
        args = ["-r", cap, "-2", opt, FILTER, "-T", "fields"]
        for f in FIELDS:
            args += ["-e", f]
        rc, out, err = env.run(args)
        problems += tshark_env.run_problems(rc, err, out)
        outs[opt] = out
    if not outs["-Y"].strip():
        problems.append("the display filter matched nothing")
    if outs["-R"] != outs["-Y"]:
        problems.append("-R shows:\n" + outs["-R"] + "-Y shows:\n" + outs["-Y"])
    return problems, f"{len(outs['-Y'].splitlines())} frames alike"


if __name__ == "__main__":
    sys.exit(tshark_env.check_captures(check))

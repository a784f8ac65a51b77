#!/usr/bin/env python3
"""The built-in dissectors' field names carry, on mailwire's frames, the values the built-ins give.

    dropin_parity.py --plugin mailwire.so --captures DIR [--sanitized ON|OFF] CAPTURE...

Each capture (clean sessions the built-in SMTP, IMAP and POP3 dissectors read
right) is read twice with -2: with mailwire, and with --disable-protocol mail,
which gives the built-ins their ports back; frame numbers are the same.  For
every frame and every name below, each value the built-in gives must be among
mailwire's, with the differences README states: commands compared without
case, a reply line compared without its CRLF, pop.request and pop.response
(the built-in's are empty strings) not compared, nor the built-in's
imap.request.folder of a SEARCH (a search key) and imap.line of a line over
8192 octets (mailwire shows it in pieces).  Exit 0 when all hold, 1
otherwise, 2 when the environment is broken.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_env  # noqa: E402

FIELDS = [
    "smtp.req", "smtp.rsp", "smtp.req.command", "smtp.req.parameter", "smtp.response",
    "smtp.response.code", "smtp.rsp.parameter",
    "imap.request", "imap.request_tag", "imap.request.command", "imap.request.command.uid",
    "imap.response_tag", "imap.response.status",
    "imap.isrequest", "imap.line", "imap.tag", "imap.command", "imap.response.command",
    "imap.request.folder", "imap.response_in", "imap.response_to", "imap.time",
    "smtp.command_line",
    "pop.request.command", "pop.request.parameter", "pop.response.indicator",
    "pop.response.description",
]
CASELESS = {"smtp.req.command", "imap.request.command", "imap.command", "pop.request.command"}
SEP = "\x1f"
# mailwire shows a line longer than this in pieces (README, long lines)
LINE_LIMIT = 8192


def skipped(field, value, builtin_cols):
    """Built-in values README lists as the built-in's own mistakes."""
    if field == "imap.line":
        return len(value) > LINE_LIMIT
    if field == "imap.request.folder":
        # the built-in takes SEARCH's first key, or the word after UID, for a folder
        commands = {v.upper() for v in builtin_cols[FIELDS.index("imap.request.command")]}
        return "SEARCH" in commands
    return False


def shown(values):
    return sorted(v if len(v) <= 80 else v[:77] + "..." for v in values)


def values(env, cap, extra):
    args = ["-r", cap, "-2", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=" + SEP,
            "-e", "frame.number"] + extra
    for f in FIELDS:
        args += ["-e", f]
    rc, out, err = env.run(args)
    problems = tshark_env.run_problems(rc, err, out)
    frames = {}
    for line in out.splitlines():
        cols = line.split("\t")
        frames[cols[0]] = [set(v for v in c.split(SEP) if v) for c in cols[1:]]
    return frames, problems


def norm(field, v):
    if field in CASELESS:
        v = v.upper()
    if field == "smtp.response":
        v = v.replace("\\r\\n", "")
    return v


def check(env, cap, name):
    mw, problems = values(env, cap, [])
    builtin, more = values(env, cap, ["--disable-protocol", "mail"])
    problems += more
    compared = 0
    for frame, cols in builtin.items():
        for i, field in enumerate(FIELDS):
            want = {norm(field, v) for v in (cols[i] if i < len(cols) else set())
                    if not skipped(field, v, cols)}
            if not want:
                continue
            got_cols = mw.get(frame, [])
            got = {norm(field, v) for v in (got_cols[i] if i < len(got_cols) else set())}
            compared += 1
            if not want <= got:
                problems.append(f"frame {frame} {field}: the built-in gives {shown(want)}, "
                                f"mailwire {shown(got)}")
    if not compared:
        problems.append("the built-in dissectors gave none of the names")
    if len(problems) > 20:
        problems = problems[:20] + [f"... and {len(problems) - 20} more"]
    return problems, f"{compared} built-in values found on mailwire's frames"


if __name__ == "__main__":
    sys.exit(tshark_env.check_captures(check))

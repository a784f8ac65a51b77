#!/usr/bin/env python3
"""Check the Wireshark configuration profile in profile/ with tshark and the built plugin.

    profile-check.py --plugin build/mailwire.so [--profile profile] [--captures captures]

The profile is installed as "mailwire" in a private HOME (tshark runs as nobody
under root, see tests/dissect/tshark_env.py), then:
  - `tshark -C mailwire` loads it without a complaint on stderr;
  - its custom columns show the expected values on known frames;
  - every coloring rule and every filter button compiles and runs (tshark -Y);
  - each filter button matches the frames its lab is about.
Exit status 0 when all holds, 1 when a check failed, 2 when the environment is broken.
"""
import argparse
import os
import re
import shutil
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "dissect"))
import tshark_env  # noqa: E402

# (capture, frame, {column title: value}) shown by `tshark -C mailwire`
COLUMNS = [
    ("smtp-plain-session.pcapng", 9, {"Command": "MAIL", "Envelope from": "alice@lab.test"}),
    ("smtp-plain-session.pcapng", 18, {"Reply": "250"}),
    ("smtp-plain-session.pcapng", 17, {"Subject": "Café menü for the weekend"}),
    ("imap-login-select-fetch.pcapng", 18, {"Command": "SELECT", "IMAP tag": "KNCF4"}),
    ("pop-user-pass.pcapng", 29, {"Command": "RETR"}),
]
# filter button label -> (capture, frames it must match; None: at least one)
BUTTON_FRAMES = {
    "Envelope": ("smtp-envelope-mismatch-bcc.pcapng", None),
    "STARTTLS": ("smtp-starttls-injection.pcapng", None),
    "Injection": ("smtp-starttls-injection.pcapng", [9, 31, 56]),
    "Credentials": ("smtp-auth-plain.pcapng", None),
    "Smuggling": ("smtp-smuggle-02-lf-dot-crlf.pcapng", [15]),
    "IMAP literals": ("imap-login-literal.pcapng", None),
    "POP multiline": ("pop-user-pass.pcapng", None),
    "Errors": ("imap-errors.pcapng", None),
}
UAT_FIELD_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def uat_unescape(s):
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s).replace("\\\\", "\\")


def column_titles(path):
    """The titles of gui.column.format in a preferences file, in order."""
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^gui\.column\.format:\s*((?:\s*\"[^\"]*\",\s*\"[^\"]*\",?)+)", text, re.M)
    if not m:
        raise ValueError("preferences: no gui.column.format")
    quoted = re.findall(r'"([^"]*)"', m.group(1))
    return quoted[0::2]


def read_colorfilters(path):
    rules = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^!?@([^@]*)@(.*)@\[\d+,\d+,\d+\]\[\d+,\d+,\d+\]$", line)
        if not m:
            raise ValueError(f"colorfilters: not a rule: {line}")
        rules.append((m.group(1), m.group(2)))
    return rules


def read_buttons(path):
    buttons = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cols = [uat_unescape(c) for c in UAT_FIELD_RE.findall(line)]
        if len(cols) != 4 or cols[0] not in ("TRUE", "FALSE"):
            raise ValueError(f"dfilter_buttons: not a record of 4 quoted fields: {line}")
        buttons.append((cols[1], cols[2]))
    return buttons


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--profile", default=os.path.join(TOP, "profile"))
    ap.add_argument("--captures", default=os.path.join(TOP, "captures"))
    args = ap.parse_args()
    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    try:
        env = tshark_env.TsharkEnv(args.plugin)
    except tshark_env.Failure as e:
        tshark_env.fail_exit(str(e))
    try:
        dst = os.path.join(env.home, ".config", "wireshark", "profiles", "mailwire")
        shutil.copytree(args.profile, dst)
        env._fix_permissions()
        env.check_plugin_loaded()
        cap = lambda name: env.capture(os.path.join(args.captures, name))  # noqa: E731

        rc, out, err = env.run(["-C", "mailwire", "-r", cap("smtp-plain-session.pcapng"), "-c", "1"])
        check(rc == 0 and not err.strip(), f"tshark -C mailwire loads the profile (rc {rc}, stderr {err.strip()!r})")

        # -T tabs prints the profile's columns in order (tshark puts an arrow
        # between source and destination as a column of its own); the titles
        # are read from the profile, so this works on every Wireshark release
        # (the _ws.col.<title> fields of 4.0 are gone in 4.2).
        titles = column_titles(os.path.join(args.profile, "preferences"))
        for capture, frame, want in COLUMNS:
            rc, out, err = env.run(["-C", "mailwire", "-r", cap(capture), "-2", "-Y",
                                    f"frame.number == {frame}", "-T", "tabs"])
            values = [v.strip() for v in out.rstrip("\n").split("\t")] if rc == 0 else []
            if len(values) == len(titles) + 1:
                del values[titles.index("Source") + 1]
            got = dict(zip(titles, values)) if len(values) == len(titles) else {}
            for t in want:
                check(got.get(t) == want[t],
                      f"{capture} frame {frame}: column {t!r} is {want[t]!r} (got {got.get(t)!r}; rc {rc} {err.strip()})")

        probe = cap("smtp-plain-session.pcapng")
        rules = read_colorfilters(os.path.join(args.profile, "colorfilters"))
        buttons = read_buttons(os.path.join(args.profile, "dfilter_buttons"))
        for kind, name, expr in [("coloring rule", n, e) for n, e in rules] + \
                                [("filter button", n, e) for n, e in buttons]:
            rc, out, err = env.run(["-r", probe, "-Y", expr])
            check(rc == 0 and not err.strip(), f"{kind} {name!r} compiles: {expr} (rc {rc} {err.strip()})")

        for label, expr in buttons:
            if label not in BUTTON_FRAMES:
                check(False, f"filter button {label!r} has no expected frames in {__file__}")
                continue
            capture, frames = BUTTON_FRAMES[label]
            rc, out, err = env.run(["-r", cap(capture), "-2", "-Y", expr, "-T", "fields", "-e", "frame.number"])
            got = [int(x) for x in out.split()] if rc == 0 else []
            if frames is None:
                check(bool(got), f"filter button {label!r} matches frames in {capture} (got {got})")
            else:
                check(got == frames, f"filter button {label!r} matches frames {frames} of {capture} (got {got})")
    except (tshark_env.Failure, ValueError, OSError) as e:
        tshark_env.fail_exit(str(e))
    finally:
        env.close()
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Check the Wireshark configuration profile in profile/ with tshark and the built plugin.

    profile-check.py --plugin build/mailwire.so [--profile profile] [--captures captures]

The profile is installed as "mailwire" in a private HOME (tshark runs as nobody
under root, see tests/dissect/tshark_env.py), then:
  - `tshark -C mailwire` loads it without a complaint on stderr;
  - its custom columns show the expected values on known frames;
  - every coloring rule and every filter button compiles and runs (tshark -Y);
  - each filter button matches the frames its lab is about;
  - the colouring rules colour known frames with the rule meant for them
    (tshark --color, frame.coloring_rule.name): accepted smuggling first;
  - the column widths in recent: one per column of preferences, in its order,
    under the key Wireshark 4.0 looks them up by ("%Cus:FIELDS" for a custom
    column; 4.4 and later go by position), wide enough for the values named
    in WIDTH_SAMPLES, and all columns before Info within a 1280-pixel screen.
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
    "Smuggling accepted": ("smtp-smuggle-02-lf-dot-crlf.pcapng", [16]),
    "IMAP literals": ("imap-login-literal.pcapng", None),
    "POP multiline": ("pop-user-pass.pcapng", None),
    "Errors": ("imap-errors.pcapng", None),
}
# (capture, frame, name of the colouring rule that must colour it)
COLORED = [
    ("smtp-smuggle-02-lf-dot-crlf.pcapng", 16, "mailwire: SMTP smuggling accepted by the server"),
    ("smtp-smuggle-02-lf-dot-crlf.pcapng", 15, "mailwire: SMTP smuggling"),
    ("smtp-smuggle-04-cr-dot-cr.pcapng", 16, "mailwire: SMTP"),
    ("smtp-starttls-injection.pcapng", 9, "mailwire: STARTTLS/STLS injection"),
]
# The packet list's font is monospace (DejaVu Sans Mono at Wireshark's default size:
# 7.8 pixels a character, measured under Xvfb) and a cell needs about 10 pixels more.
CHAR_PX, CELL_PX = 7.8, 10
# column title -> values from the lab captures that must show whole
WIDTH_SAMPLES = {
    "Command": ["AUTHENTICATE", "STARTTLS"],
    "Reply": ["250,250,354", "-ERR", "BAD"],
    "IMAP tag": ["KNCF10"],
    "Envelope from": ["billing@pay.example.net"],
    "Subject": ["Café menü for the weekend"],
}
SCREEN_PX = 1280
# the vertical scroll bar and the packet map beside the packet list, and what is
# left for at least the start of Info
SCROLL_PX, INFO_MIN_PX = 50, 170
UAT_FIELD_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def uat_unescape(s):
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s).replace("\\\\", "\\")


def column_titles(path):
    """The titles of gui.column.format in a preferences file, in order."""
    return [t for t, _ in column_formats(path)]


def column_formats(path):
    """(title, format) of gui.column.format in a preferences file, in order."""
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^gui\.column\.format:\s*((?:\s*\"[^\"]*\",\s*\"[^\"]*\",?)+)", text, re.M)
    if not m:
        raise ValueError("preferences: no gui.column.format")
    quoted = re.findall(r'"([^"]*)"', m.group(1))
    return list(zip(quoted[0::2], quoted[1::2]))


def column_widths(path):
    """(format key, width) of column.width in a recent file, in order."""
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^column\.width:\s*((?:\s*\"[^\"]*\",\s*\"[^\"]*\",?)+)", text, re.M)
    if not m:
        raise ValueError("recent: no column.width")
    quoted = re.findall(r'"([^"]*)"', m.group(1))
    return [(k, int(w)) for k, w in zip(quoted[0::2], quoted[1::2])]


def width_key(fmt):
    """The key Wireshark 4.0 gives a column in recent: the format, or for a custom
    column "%Cus:" and its fields (without occurrence and resolution)."""
    if fmt.startswith("%Cus:"):
        return "%Cus:" + fmt[len("%Cus:"):].split(":")[0]
    return fmt


def check_widths(profile, check):
    formats = column_formats(os.path.join(profile, "preferences"))
    widths = column_widths(os.path.join(profile, "recent"))
    check(len(widths) == len(formats), f"recent: {len(widths)} column widths for {len(formats)} columns")
    for (title, fmt), (key, _) in zip(formats, widths):
        check(key == width_key(fmt), f"recent: the width of column {title!r} is under {width_key(fmt)!r} (got {key!r})")
    px = {title: w for (title, _), (_, w) in zip(formats, widths)}
    for title, samples in WIDTH_SAMPLES.items():
        need = max(round(len(v) * CHAR_PX) + CELL_PX for v in samples)
        check(px.get(title, 0) >= need, f"column {title!r} is {px.get(title)} px, wide enough for "
              f"{samples} ({need} px)")
    before_info = sum(w for (title, _), (_, w) in zip(formats, widths) if title != "Info")
    room = SCREEN_PX - SCROLL_PX - INFO_MIN_PX
    check(before_info <= room, f"the columns before Info take {before_info} px, at most {room} px so that "
          f"they and {INFO_MIN_PX} px of Info fit a {SCREEN_PX}-pixel screen")


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
    check = tshark_env.Checklist()
    env = tshark_env.env_or_exit(args.plugin)
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

        for capture, frame, rule in COLORED:
            rc, out, err = env.run(["-C", "mailwire", "--color", "-r", cap(capture), "-2", "-Y",
                                    f"frame.number == {frame}", "-T", "fields", "-e", "frame.coloring_rule.name"])
            check(rc == 0 and out.strip() == rule,
                  f"{capture} frame {frame} is coloured by {rule!r} (got {out.strip()!r}; rc {rc} {err.strip()})")

        check_widths(args.profile, check)
    except (tshark_env.Failure, ValueError, OSError) as e:
        tshark_env.fail_exit(str(e))
    finally:
        env.close()
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Check assertion files (tests/dissect/*.assert) against tshark with the built plugin.

    run.py --plugin build/mailwire.so --captures captures --sanitized OFF a.assert [b.assert ...]

Each assertion file names one capture and states facts about its dissection:

    capture smtp-plain-session.pcapng            # first line; a file in --captures
    pref mail.message.keep:FALSE                 # tshark -o for every run of this file
    pref mail.dkim.keys_file:{captures}/lab/dkim/dkim.keys   # a file under --captures (a copy
                                                 # tshark can read is passed)
    frame 11 mail.smtp.command == "MAIL"         # some occurrence of the field has this value
    frame 11 mail.smtp.reply.code == 250         # bare numbers compare numerically
    frame 11 has mail.smtp.data.terminator       # the field (or protocol) is present
    frame 11 lacks mail.smtp.smuggled.command    # absent
    frame 11 expert mail.smtp.smuggling.lf_dot_crlf
    frame 11 noexpert mail.line.bare_lf
    frame 11 count mail.smtp.command == 3        # number of occurrences
    frame 15 under mail.imap.body.part == "1.2.2 image/png" mail.imap.body.size == 636
                                                 # a field with this value whose nearest
                                                 # enclosing FIELD (in the tree) has that value
    frame 12 source "Inflated IMAP" == 17        # a data source of the frame and its length
                                                 # (as tshark -x names it; "lacks-source NAME")
    filter "mail.smtp.envelope.from != mail.header.from" frames 14 17
    filter "mail.smtp.smuggled.command" frames none
    noexpert-anywhere mail.stream.no_state       # no frame has this expert info
    expert-anywhere mail.line.bare_lf            # some frame has it

tshark runs once per capture with -2 -T pdml (two passes, full tree); each
filter line runs tshark -2 -Y FILTER.  Every run also fails on a crash, a
non-zero exit, a sanitizer report, "Dissector bug" or a malformed-packet
exception in a mailwire protocol.  Exit status: 0 when every file passed, 1
when an assertion failed, 2 when the environment is broken.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_env  # noqa: E402
from tshark_env import Failure  # noqa: E402

TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')
NUMBER_RE = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|\d+(\.\d+)?([eE][+-]?\d+)?)$")


class Str(str):
    """A quoted value from an assertion file (compared as a string)."""


class Assertion:
    def __init__(self, line, kind, frame=None, field=None, value=None, frames=None, expr=None):
        self.line, self.kind, self.frame, self.field = line, kind, frame, field
        self.value, self.frames, self.expr = value, frames, expr


class ParseError(Exception):
    pass


def tokenize(text):
    tokens = []
    for m in TOKEN_RE.finditer(text):
        tok = m.group(0)
        if tok.startswith("#"):
            break
        if tok.startswith('"'):
            if len(tok) < 2 or not tok.endswith('"'):
                raise ParseError("unterminated string")
            tokens.append(Str(re.sub(r"\\(.)", r"\1", tok[1:-1])))
        else:
            tokens.append(tok)
    return tokens


def parse_value(tok):
    if isinstance(tok, Str):
        return tok
    if NUMBER_RE.match(tok):
        return parse_number(tok)
    return Str(tok)


def parse_number(text):
    text = text.strip()
    # Booleans show as 1/0 in Wireshark 4.0 and True/False from 4.4.
    if text in ("True", "False"):
        return int(text == "True")
    try:
        return int(text, 0)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def parse_frame(tok):
    if not tok.isdigit() or int(tok) < 1:
        raise ParseError(f"bad frame number {tok!r}")
    return int(tok)


def parse_file(path):
    """Returns (capture name, [Assertion], [tshark -o values])."""
    capture = None
    assertions = []
    prefs = []
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                t = tokenize(raw)
                if not t:
                    continue
                where = f"{path}:{lineno}"
                if t[0] == "capture":
                    if capture is not None or assertions:
                        raise ParseError("'capture' must be the first line, once")
                    if len(t) != 2:
                        raise ParseError("usage: capture FILE")
                    capture = str(t[1])
                    continue
                if capture is None:
                    raise ParseError("the first line must be 'capture FILE'")
                if t[0] == "pref":
                    if len(t) != 2 or ":" not in t[1]:
                        raise ParseError("usage: pref NAME:VALUE")
                    prefs += ["-o", str(t[1])]
                    continue
                if t[0] == "frame":
                    if len(t) < 3:
                        raise ParseError("frame N ...")
                    n = parse_frame(t[1])
                    rest = t[2:]
                    if rest[0] in ("has", "lacks", "expert", "noexpert") and len(rest) == 2:
                        assertions.append(Assertion(where, rest[0], n, rest[1]))
                    elif rest[0] == "count" and len(rest) == 4 and rest[2] == "==":
                        c = parse_number(rest[3])
                        if not isinstance(c, int) or isinstance(rest[3], Str):
                            raise ParseError(f"count wants a whole number, not {rest[3]!r}")
                        assertions.append(Assertion(where, "count", n, rest[1], c))
                    elif rest[0] == "under" and len(rest) == 7 and rest[2] == "==" and \
                            rest[5] == "==":
                        assertions.append(Assertion(where, "under", n, rest[4], parse_value(rest[6]),
                                                    expr=(rest[1], parse_value(rest[3]))))
                    elif rest[0] == "source" and len(rest) == 4 and rest[2] == "==":
                        n_bytes = parse_number(rest[3])
                        if not isinstance(n_bytes, int) or isinstance(rest[3], Str):
                            raise ParseError(f"source wants a length in octets, not {rest[3]!r}")
                        assertions.append(Assertion(where, "source", n, str(rest[1]), n_bytes))
                    elif rest[0] == "lacks-source" and len(rest) == 2:
                        assertions.append(Assertion(where, "lacks-source", n, str(rest[1])))
                    elif len(rest) == 3 and rest[1] == "==":
                        assertions.append(Assertion(where, "eq", n, rest[0], parse_value(rest[2])))
                    else:
                        raise ParseError("expected: frame N FIELD == VALUE | has/lacks FIELD | "
                                         "expert/noexpert NAME | count FIELD == N | "
                                         "under FIELD == VALUE FIELD == VALUE | "
                                         "source NAME == LEN | lacks-source NAME")
                elif t[0] == "filter":
                    if len(t) < 4 or not isinstance(t[1], Str) or t[2] != "frames":
                        raise ParseError('usage: filter "EXPR" frames N... | none')
                    if t[3:] == ["none"]:
                        frames = set()
                    else:
                        frames = {parse_frame(x) for x in t[3:]}
                    assertions.append(Assertion(where, "filter", expr=str(t[1]), frames=frames))
                elif t[0] in ("noexpert-anywhere", "expert-anywhere") and len(t) == 2:
                    assertions.append(Assertion(where, t[0], field=t[1]))
                else:
                    raise ParseError(f"unknown assertion {t[0]!r}")
            except ParseError as e:
                raise ParseError(f"{path}:{lineno}: {e}: {raw.strip()}")
    if capture is None:
        raise ParseError(f"{path}: no 'capture' line")
    return capture, assertions, prefs


class Dissection:
    """What one tshark -T pdml run showed: fields and experts per wanted frame."""

    def __init__(self):
        self.frames = 0
        self.fields = {}            # frame -> {field name -> [shown values]}
        self.experts = {}           # frame -> set of expert names (wanted frames only)
        self.nested = {}            # frame -> [(name, show, ((name, show) of each enclosing item))]
        self.experts_anywhere = {}  # expert name -> first frame
        self.mail_malformed = []    # (frame, text)
        self.other_malformed = []
        self.dissector_bugs = []


def read_pdml(stream, wanted):
    """Parse PDML incrementally, keeping details only for frames in wanted."""
    d = Dissection()
    stack = []          # element names from <packet> down
    shown = []          # (name, show) of the same elements
    nested = None
    frame = None
    fields = experts = None
    pending = []        # (name, show) before frame.number is known
    for event, elem in ET.iterparse(stream, events=("start", "end")):
        tag = elem.tag
        if event == "start":
            if tag == "packet":
                stack, shown, frame, pending = [], [], None, []
                fields, experts, nested = {}, set(), []
                continue
            if tag not in ("field", "proto"):
                continue
            name = elem.get("name", "")
            parent = stack[-1] if stack else ""
            stack.append(name)
            show = elem.get("show")
            if show is None:
                show = ""
            if name == "frame.number" and frame is None:
                frame = int(show)
            if name:
                fields.setdefault(name, []).append(show)
                nested.append((name, show, tuple(shown)))
            shown.append((name, show))
            if parent == "_ws.expert" and name and not name.startswith("_ws.expert"):
                experts.add(name)
            if name.startswith("_ws.malformed") or tag == "proto" and name == "_ws.malformed":
                text = elem.get("showname") or show
                pending.append(text)
        else:
            if tag in ("field", "proto"):
                if stack:
                    stack.pop()
                    shown.pop()
            elif tag == "packet":
                d.frames += 1
                fnum = frame if frame is not None else d.frames
                if fnum in wanted:
                    d.fields[fnum] = fields
                    d.experts[fnum] = experts
                    d.nested[fnum] = nested
                for e in experts:
                    d.experts_anywhere.setdefault(e, fnum)
                for text in pending:
                    if "Dissector bug" in text:
                        d.dissector_bugs.append((fnum, text))
                    elif tshark_env.MAIL_MALFORMED_RE.search(text):
                        d.mail_malformed.append((fnum, text))
                    elif tshark_env.ANY_MALFORMED_RE.search(text):
                        d.other_malformed.append((fnum, text))
                elem.clear()
    return d


SOURCE_RE = re.compile(r"^(\S.*) \((\d+) bytes\):$")


def data_sources(env, cap, prefs, wanted):
    """{frame: {source name: length}} for the wanted frames, from tshark -x
    (which names the sources of a frame that has more than one)."""
    cmd = ["-n", "-2", "-r", cap, "-P", "-x", "-o", 'gui.column.format:"No.","%m"'] + prefs
    rc, out, err = env.run(cmd)
    probs = tshark_env.run_problems(rc, err, out)
    if probs:
        raise Failure("tshark -x: " + "; ".join(probs))
    got, frame = {}, None
    for line in out.splitlines():
        if re.match(r"^\s*\d+$", line):
            frame = int(line)
            continue
        m = SOURCE_RE.match(line)
        if m and frame in wanted:
            got.setdefault(frame, {})[m.group(1)] = int(m.group(2))
    return got


def fmt(v):
    return f'"{v}"' if isinstance(v, str) else str(v)


def value_matches(expected, shown):
    if isinstance(expected, Str):
        return shown == expected
    got = parse_number(shown)
    return got is not None and got == expected


class FileResult:
    def __init__(self, path):
        self.path, self.ran, self.passed, self.messages = path, 0, 0, []

    def ok(self):
        self.ran += 1
        self.passed += 1

    def fail(self, msg):
        self.ran += 1
        self.messages.append(msg)


def check_file(env, path, captures_dir, verbose):
    res = FileResult(path)
    try:
        capname, assertions, prefs = parse_file(path)
    except (ParseError, OSError) as e:
        res.messages.append(f"{e}")
        return res, True
    cap_path = capname if os.path.isabs(capname) else os.path.join(captures_dir, capname)
    cap = env.capture(cap_path)
    prefs = [re.sub(r"\{captures\}/(\S+)", lambda m: env.capture(os.path.join(captures_dir, m.group(1))), p)
             for p in prefs]

    wanted = {a.frame for a in assertions if a.frame is not None}
    with tempfile.TemporaryFile() as errf:
        proc = subprocess.Popen(env.command(["-n", "-2", "-r", cap, "-T", "pdml"] + prefs),
                                stdout=subprocess.PIPE, stderr=errf, cwd=env.home)
        try:
            d = read_pdml(proc.stdout, wanted)
            parse_error = None
        except ET.ParseError as e:
            parse_error = e
            d = None
            proc.stdout.read()
        rc = proc.wait()
        errf.seek(0)
        err = errf.read().decode("utf-8", "replace")
    problems = tshark_env.run_problems(rc, err)
    if parse_error is not None:
        problems.append(f"tshark's PDML did not parse: {parse_error}")
    if d is not None:
        for fnum, text in d.dissector_bugs:
            problems.append(f"frame {fnum}: {text}")
        for fnum, text in d.mail_malformed:
            problems.append(f"frame {fnum}: malformed-packet exception in a mail protocol: {text}")
    if problems:
        res.messages.append(f"{path}: tshark run over {capname} failed:\n  " + "\n  ".join(problems)
                            + ("\n  stderr:\n" + tshark_env.stderr_excerpt(err) if err.strip() else ""))
        return res, True
    if verbose:
        print(f"  {capname}: {d.frames} frames")
        for fnum, text in d.other_malformed:
            print(f"  note: frame {fnum}: {text} (not a mailwire protocol)")

    source_frames = {a.frame for a in assertions if a.kind in ("source", "lacks-source")}
    sources = data_sources(env, cap, prefs, source_frames) if source_frames else {}
    for a in assertions:
        if a.kind in ("source", "lacks-source"):
            have = sources.get(a.frame, {})
            names = ", ".join(f'"{k}" ({v})' for k, v in sorted(have.items())) or "none named"
            if a.kind == "lacks-source":
                if a.field in have:
                    res.fail(f"{a.line}: frame {a.frame}: source \"{a.field}\": expected absent; "
                             f"sources {names}")
                else:
                    res.ok()
            elif have.get(a.field) == a.value:
                res.ok()
            else:
                res.fail(f"{a.line}: frame {a.frame}: source \"{a.field}\" of {a.value} octets; "
                         f"sources {names}")
            continue
        if a.kind == "filter":
            rc, out, err = env.run(["-n", "-2", "-r", cap, "-Y", a.expr, "-T", "fields",
                                    "-e", "frame.number"] + prefs)
            probs = tshark_env.run_problems(rc, err, out)
            if probs:
                res.fail(f"{a.line}: filter \"{a.expr}\": " + "; ".join(probs)
                         + ("\n" + tshark_env.stderr_excerpt(err, 10) if err.strip() else ""))
                continue
            got = {int(x) for x in out.split() if x.isdigit()}
            if got == a.frames:
                res.ok()
            else:
                exp = " ".join(map(str, sorted(a.frames))) or "none"
                act = " ".join(map(str, sorted(got))) or "none"
                res.fail(f"{a.line}: filter \"{a.expr}\": expected frames {exp}; actual frames {act}")
            continue
        if a.kind in ("noexpert-anywhere", "expert-anywhere"):
            first = d.experts_anywhere.get(a.field)
            if (first is None) == (a.kind == "noexpert-anywhere"):
                res.ok()
            elif first is not None:
                res.fail(f"{a.line}: {a.kind} {a.field}: present (first in frame {first})")
            else:
                res.fail(f"{a.line}: {a.kind} {a.field}: in no frame of {d.frames}")
            continue
        if a.frame > d.frames:
            res.fail(f"{a.line}: frame {a.frame}: the capture has only {d.frames} frames")
            continue
        fields = d.fields.get(a.frame, {})
        experts = d.experts.get(a.frame, set())
        values = fields.get(a.field, [])
        shown = "[" + ", ".join(f'"{v}"' for v in values) + "]"
        if a.kind == "eq":
            if any(value_matches(a.value, v) for v in values):
                res.ok()
            else:
                res.fail(f"{a.line}: frame {a.frame}: {a.field}: expected == {fmt(a.value)}; "
                         f"actual values {shown if values else '(field absent)'}")
        elif a.kind == "has":
            if values:
                res.ok()
            else:
                res.fail(f"{a.line}: frame {a.frame}: {a.field}: expected present; actual absent")
        elif a.kind == "lacks":
            if not values:
                res.ok()
            else:
                res.fail(f"{a.line}: frame {a.frame}: {a.field}: expected absent; actual values {shown}")
        elif a.kind == "count":
            if len(values) == a.value:
                res.ok()
            else:
                res.fail(f"{a.line}: frame {a.frame}: {a.field}: expected count {a.value}; "
                         f"actual count {len(values)} {shown}")
        elif a.kind == "under":
            outer, outer_value = a.expr
            within = []
            for name, show, encl in d.nested.get(a.frame, []):
                if name != a.field or not value_matches(a.value, show):
                    continue
                near = next((v for n, v in reversed(encl) if n == outer), None)
                within.append(near)
                if near is not None and value_matches(outer_value, near):
                    break
            else:
                where = ", ".join('"%s"' % w if w is not None else "(none)" for w in within)
                res.fail(f"{a.line}: frame {a.frame}: {a.field} == {fmt(a.value)} within "
                         f"{outer} == {fmt(outer_value)}: " +
                         (f"it is within {outer} {where}" if within else "no such field"))
                continue
            res.ok()
        elif a.kind in ("expert", "noexpert"):
            present = a.field in experts
            if present == (a.kind == "expert"):
                res.ok()
            else:
                seen = ", ".join(sorted(experts)) or "none"
                res.fail(f"{a.line}: frame {a.frame}: expert {a.field}: expected "
                         f"{'present' if a.kind == 'expert' else 'absent'}; "
                         f"experts in the frame: {seen}")
    return res, False


def main():
    ap = argparse.ArgumentParser(description="Check mailwire dissection assertion files.")
    ap.add_argument("--plugin", required=True, help="the built mailwire.so")
    ap.add_argument("--captures", help="folder of the captures (default: <repo>/captures)")
    ap.add_argument("--sanitized", default="OFF",
                    help="ON: the plugin was built with ASan/UBSan: preload their runtimes")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="+", metavar="FILE.assert")
    args = ap.parse_args()
    captures = args.captures or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "captures")

    try:
        sanitized = tshark_env.on_off(args.sanitized)
        env = tshark_env.TsharkEnv(args.plugin, sanitized=sanitized, tshark=args.tshark)
    except (Failure, ValueError) as e:
        tshark_env.fail_exit(str(e))
    broken = failed = False
    try:
        try:
            line = env.check_plugin_loaded()
        except Failure as e:
            tshark_env.fail_exit(str(e))
        if args.verbose:
            print(f"plugin: {line}" + (" (sanitized)" if sanitized else ""))
        for path in args.files:
            try:
                res, env_broken = check_file(env, path, captures, args.verbose)
            except Failure as e:
                res, env_broken = FileResult(path), True
                res.messages.append(f"{path}: {e}")
            for m in res.messages:
                print(f"FAIL {m}")
            name = os.path.basename(path)
            if env_broken:
                print(f"{name}: not checked ({res.ran} assertions ran)")
                broken = True
            elif res.ran == 0:
                print(f"{name}: 0 assertions: an assertion file must assert something")
                failed = True
            else:
                print(f"{name}: {res.ran} assertions ran, {res.passed} passed, "
                      f"{res.ran - res.passed} failed")
                failed |= res.passed != res.ran
    finally:
        env.close()
    sys.exit(2 if broken else 1 if failed else 0)


if __name__ == "__main__":
    main()

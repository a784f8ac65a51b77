#!/usr/bin/env python3
"""Check the lab guide (captures/README.md) against tshark with the built plugin.

    check.py --plugin build/mailwire.so [--guide captures/README.md] [--captures captures]
             [--expect-failures N]

The guide writes what a filter finds as a claim, explained to its readers in
"How to read this guide":

    `FILTER` → 9, 31 and 56        (also "→ frame 35", "→ frames 23-27", "→ none")

The claim is about the capture named last before it (`name.pcapng`); in an
answer, about the capture its question names (or the one in force there).
Checked:
  1. claims: the filter compiles and `tshark -2 -Y FILTER` matches exactly
     those frames of that capture;
  2. frame numbers: every frame the guide names in its text ("frame 16",
     "frames 23-27", "frames 6 and 9") is matched by some claim on the same
     capture, so no frame number stands in the text without a filter that
     pins down what it holds;
  3. every other display filter in backticks compiles;
  4. the commands: a ```python block is saved under the file name given just
     before it; the indented command lines (python3 ..., tshark ...) run in
     that order in a folder with the captures they name; a tshark line whose
     comment says "# nothing" or "# N frames" prints that many packet lines;
     an inline `tshark -r CAPTURE ...` runs and prints something.
With --expect-failures N (the test's own test) it succeeds only when exactly N
checks fail. Exit status: 0 when all holds, 1 when a check failed, 2 when the
environment is broken.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "dissect"))
import tshark_env  # noqa: E402

NUMS = r"\d+(?:\s*-\s*\d+)?(?:(?:\s*,\s*|\s+and\s+|\s+or\s+)\d+(?:\s*-\s*\d+)?)*"
CAPTURE_RE = re.compile(r"`([A-Za-z0-9._-]+\.pcap(?:ng)?)`")
ARROW_RE = re.compile(r"\s*→\s*(?:frames?\s+)?(none|" + NUMS + r")")
MENTION_RE = re.compile(r"\b[Ff]rames?:?\s+(" + NUMS + r")")
# a code span may wrap onto the next line (markdown reads the line break as a space)
SPAN_RE = re.compile(r"`([^`]+)`")
FILTER_START_RE = re.compile(r"^!?\s*\(?\s*(count\(|len\(|mail\b|frame\.|tcp\.|tls\b|_ws\.|imf\b"
                             r"|smtp\.|imap\.|pop\.|ip\.)")
COMMAND_LINE_RE = re.compile(r"^ {4,}((?:python3|tshark) .*)$")
ITEM_RE = re.compile(r"^(\d+)\. ", re.M)


def numbers(text):
    """'9, 31 and 56' / '23-27' -> [9, 31, 56] / [23, ..., 27]"""
    out = []
    for part in re.split(r"\s*,\s*|\s+and\s+|\s+or\s+", text.strip()):
        m = re.match(r"(\d+)\s*-\s*(\d+)$", part)
        if m:
            out.extend(range(int(m.group(1)), int(m.group(2)) + 1))
        else:
            out.append(int(part))
    return out


def strip_code(text):
    """The guide's text without fenced blocks and indented command lines
    (blanked, so that positions and line numbers stay)."""
    lines = text.split("\n")
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            lines[i] = ""
        elif fenced or COMMAND_LINE_RE.match(line):
            lines[i] = ""
    return "\n".join(lines)


class Guide:
    """Claims, frame mentions, filters and commands of one guide file."""

    def __init__(self, path):
        self.path = path
        self.text = open(path, encoding="utf-8").read()
        self.claims = []      # (line, capture, filter, frames or [])
        self.mentions = []    # (line, capture, [frames], text)
        self.filters = []     # (line, filter): compile only
        self.stray_arrows = []  # lines with an arrow that is not part of a claim
        self.inline_commands = []   # (line, command)
        self.scripts = {}     # file name -> text
        self.command_lines = []     # (line, command line with its comment)
        self._parse()

    def line_of(self, pos):
        return self.text.count("\n", 0, pos) + 1

    def _parse(self):
        prose = strip_code(self.text)
        starts = [m.start() for m in re.finditer(r"^## ", prose, re.M)] + [len(prose)]
        if starts[0] != 0:
            starts.insert(0, 0)
        for a, b in zip(starts, starts[1:]):
            self._parse_section(prose, a, b)
        self._parse_code()

    def _contexts(self, prose, a, b):
        """Sorted list of (position, capture) where the capture in force changes."""
        section = prose[a:b]
        caps = [(a + m.start(), m.group(1)) for m in CAPTURE_RE.finditer(section)]
        q = re.search(r"^Questions\s*$", section, re.M)
        ans = re.search(r"^Answers\s*$", section, re.M)
        if not (q and ans and q.start() < ans.start()):
            return caps

        def items(lo, hi):
            found = [m for m in ITEM_RE.finditer(section, lo, hi)]
            return {int(m.group(1)): (a + m.start(), a + (found[i + 1].start() if i + 1 < len(found) else hi))
                    for i, m in enumerate(found)}
        questions = items(q.end(), ans.start())
        answers = items(ans.end(), len(section))
        extra = []
        for k, (s, e) in answers.items():
            if k not in questions:
                continue
            qs, qe = questions[k]
            before = [c for p, c in caps if p < qe]
            if before:
                extra.append((s, before[-1]))
        return sorted(caps + extra)

    def _parse_section(self, prose, a, b):
        ctx = self._contexts(prose, a, b)

        def capture_at(pos):
            cur = None
            for p, c in ctx:
                if p <= pos:
                    cur = c
                else:
                    break
            return cur

        section = prose[a:b]
        # code spans pair left to right; a span followed by an arrow is a claim
        spans = [(m.start(), m.end(), " ".join(m.group(1).split())) for m in SPAN_RE.finditer(section)]
        claimed = []
        for s, e, span in spans:
            m = ARROW_RE.match(section, e)
            if not m:
                continue
            frames = [] if m.group(1) == "none" else numbers(m.group(1))
            self.claims.append((self.line_of(a + s), capture_at(a + s), span, frames))
            claimed.append((s, m.end()))
        # blank the claims so that "→ frames 9, 31" is not read again as a mention
        blank = list(section)
        for s, e in claimed:
            blank[s:e] = " " * (e - s)
        blank = "".join(blank)
        for m in MENTION_RE.finditer(blank):
            pos = a + m.start()
            self.mentions.append((self.line_of(pos), capture_at(pos), numbers(m.group(1)),
                                  " ".join(m.group(0).split())))
        for s, e, span in spans:
            if any(cs <= s < ce for cs, ce in claimed):
                continue
            pos = a + s
            if span.startswith("tshark ") and " -r " in span and not re.search(r"\b[A-Z]{3,}\b", span):
                self.inline_commands.append((self.line_of(pos), span))
            elif FILTER_START_RE.match(span) and ".pcap" not in span:
                self.filters.append((self.line_of(pos), span))
        # an arrow outside code spans that no claim consumed is a claim gone wrong
        for m in re.finditer("→", blank):
            if not any(s <= m.start() < e for s, e, _ in spans):
                self.stray_arrows.append(self.line_of(a + m.start()))

    def _parse_code(self):
        lines = self.text.split("\n")
        fenced, lang, body, start = False, "", [], 0
        for i, line in enumerate(lines):
            s = line.strip()
            if s.startswith("```"):
                if not fenced:
                    fenced, lang, body, start = True, s[3:].strip(), [], i
                else:
                    fenced = False
                    if lang == "python":
                        before = "\n".join(lines[max(0, start - 3):start])
                        names = re.findall(r"`([\w.-]+\.py)`", before)
                        if names:
                            indent = min((len(x) - len(x.lstrip()) for x in body if x.strip()), default=0)
                            self.scripts[names[-1]] = "\n".join(x[indent:] for x in body) + "\n"
                continue
            if fenced:
                body.append(line)
                continue
            m = COMMAND_LINE_RE.match(line)
            if m:
                self.command_lines.append((i + 1, m.group(1).strip()))


class Checker:
    def __init__(self, env, guide, captures):
        self.env, self.guide, self.captures = env, guide, captures
        self.failures = []
        self.workdir = os.path.join(env.home, "guide")
        os.makedirs(self.workdir)
        self.probe = env.capture(os.path.join(captures, "quickstart-smtp.pcapng"))

    def check(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            self.failures.append(what)

    def where(self, line):
        return f"{os.path.basename(self.guide.path)}:{line}"

    def capture_path(self, name):
        for d in (self.captures, self.workdir):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return self.env.capture(p) if d == self.captures else p
        return None

    def compiles(self, exprs):
        """The subset of exprs that do not compile (bisecting an || of them)."""
        if not exprs:
            return []
        rc, _, err = self.env.run(["-r", self.probe, "-c", "1", "-Y",
                                   " || ".join(f"({e})" for e in exprs)])
        if rc == 0 and not err.strip():
            return []
        if len(exprs) == 1:
            return [(exprs[0], err.strip().splitlines()[0] if err.strip() else f"rc {rc}")]
        half = len(exprs) // 2
        return self.compiles(exprs[:half]) + self.compiles(exprs[half:])

    def run_commands(self):
        for name, text in self.guide.scripts.items():
            with open(os.path.join(self.workdir, name), "w", encoding="utf-8") as f:
                f.write(text)
        for line, cmd in self.guide.command_lines:
            try:
                args = shlex.split(cmd, comments=True)
            except ValueError as e:
                self.check(False, f"{self.where(line)}: command does not parse: {cmd} ({e})")
                continue
            comment = cmd.split("#", 1)[1].strip() if "#" in cmd else ""
            for a in args:
                src = os.path.join(self.captures, a)
                if a.endswith((".pcapng", ".pcap")) and os.path.isfile(src) and \
                        not os.path.exists(os.path.join(self.workdir, a)):
                    shutil.copyfile(src, os.path.join(self.workdir, a))
            self.env._fix_permissions()
            if args[0] == "python3":
                p = subprocess.run([sys.executable] + args[1:], cwd=self.workdir,
                                   capture_output=True, text=True)
                self.env._fix_permissions()
                self.check(p.returncode == 0, f"{self.where(line)}: {' '.join(args)} runs "
                           f"(rc {p.returncode} {p.stderr.strip()[-300:]})")
                continue
            p = subprocess.run(self.env.command(args[1:]), cwd=self.workdir,
                               capture_output=True, text=True)
            out = [x for x in p.stdout.splitlines() if x.strip()]
            ok = p.returncode == 0 and not tshark_env.run_problems(p.returncode, p.stderr, p.stdout)
            want = None
            if re.match(r"nothing\b", comment):
                want = 0
            else:
                m = re.match(r"(\d+) frames?\b", comment)
                if m:
                    want = int(m.group(1))
            if want is None:
                self.check(ok and bool(out), f"{self.where(line)}: {' '.join(args)} runs and prints "
                           f"(rc {p.returncode}, {len(out)} lines {p.stderr.strip()[:300]})")
            else:
                self.check(ok and len(out) == want, f"{self.where(line)}: {' '.join(args)} prints {want} "
                           f"packet lines (got {len(out)}, rc {p.returncode} {p.stderr.strip()[:300]})")

    def run_inline(self):
        for line, cmd in self.guide.inline_commands:
            args = shlex.split(cmd)
            for i, a in enumerate(args):
                if a.endswith((".pcapng", ".pcap")):
                    p = self.capture_path(a)
                    if p is None:
                        self.check(False, f"{self.where(line)}: `{cmd}`: no capture {a}")
                        break
                    args[i] = p
            else:
                rc, out, err = self.env.run(args[1:])
                self.check(rc == 0 and bool(out.strip()) and not tshark_env.run_problems(rc, err, out),
                           f"{self.where(line)}: `{cmd}` runs and prints (rc {rc} {err.strip()[:300]})")

    def run_claims(self):
        covered = {}
        for line, capture, expr, frames in self.guide.claims:
            if capture is None:
                self.check(False, f"{self.where(line)}: `{expr}`: no capture named before this claim")
                continue
            path = self.capture_path(capture)
            if path is None:
                self.check(False, f"{self.where(line)}: `{expr}`: capture {capture} not found")
                continue
            rc, out, err = self.env.run(["-n", "-2", "-r", path, "-Y", expr,
                                         "-T", "fields", "-e", "frame.number"])
            probs = tshark_env.run_problems(rc, err, out)
            got = [int(x) for x in out.split()] if rc == 0 else None
            # a mentioned frame is backed only by a claim that names it and holds for it
            covered.setdefault(capture, set()).update(set(got or []) & set(frames))
            self.check(not probs and got == frames,
                       f"{self.where(line)}: {capture}: `{expr}` → {frames or 'none'}"
                       + ("" if got == frames and not probs else
                          f" (got {got}; {'; '.join(probs)} {err.strip()[:300]})"))
        for line, capture, frames, text in self.guide.mentions:
            if capture is None:
                self.check(False, f"{self.where(line)}: '{text}' names a frame but no capture before it")
                continue
            missing = [f for f in frames if f not in covered.get(capture, set())]
            self.check(not missing, f"{self.where(line)}: {capture}: '{text}': "
                       + (f"frame(s) {missing} matched by no claim on this capture" if missing
                          else "each frame is matched by a claim"))

    def run(self):
        print(f"{self.guide.path}: {len(self.guide.claims)} claims, {len(self.guide.mentions)} frame "
              f"mentions, {len(self.guide.filters)} other filters, {len(self.guide.command_lines)} "
              f"command lines, {len(self.guide.inline_commands)} inline commands")
        for line in self.guide.stray_arrows:
            self.check(False, f"{self.where(line)}: an arrow that is not a claim (write `FILTER` → FRAMES)")
        exprs = sorted({e for _, e in self.guide.filters} | {e for _, _, e, _ in self.guide.claims})
        bad = dict(self.compiles(exprs))
        for line, e in self.guide.filters:
            if e in bad:
                self.check(False, f"{self.where(line)}: `{e}` does not compile: {bad[e]}")
        print(f"     {len(exprs) - len(bad)} of {len(exprs)} display filters compile")
        self.run_commands()
        self.run_inline()
        self.run_claims()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--guide", default=os.path.join(TOP, "captures", "README.md"))
    ap.add_argument("--captures", default=os.path.join(TOP, "captures"))
    ap.add_argument("--expect-failures", type=int, default=None)
    args = ap.parse_args()
    try:
        guide = Guide(args.guide)
        env = tshark_env.TsharkEnv(args.plugin)
    except (tshark_env.Failure, OSError) as e:
        tshark_env.fail_exit(str(e))
    try:
        env.check_plugin_loaded()
        checker = Checker(env, guide, args.captures)
        checker.run()
    except (tshark_env.Failure, OSError) as e:
        tshark_env.fail_exit(str(e))
    finally:
        env.close()
    n = len(checker.failures)
    print(f"{n} failed")
    if args.expect_failures is not None:
        ok = n == args.expect_failures
        print(f"{'ok' if ok else 'FAIL'}: expected {args.expect_failures} failures, got {n}")
        return 0 if ok else 1
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Run the built plugin over whole folders of captures and look for trouble.

    survey.py --plugin build-asan/mailwire.so --sanitized ON DIR_OR_FILE...

Each capture goes through tshark -2 -T pdml (two passes, the full tree as
-V builds it) as uid 65534 with WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 and, for a
sanitizer build, the ASan/UBSan runtimes preloaded.  Prints one table row per
capture: frames, frames with a mailwire protocol, mailwire expert infos by
severity.  Fails on a crash, a sanitizer report, "Dissector bug", a
malformed-packet exception in a mailwire protocol, or a non-zero exit
(except a capture file that is cut short, which is only noted).
"""
import argparse
import concurrent.futures
import os
import sys
import tempfile
import subprocess
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_env  # noqa: E402

CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")
MAIL_PROTOS = ("mail.smtp", "mail.imap", "mail.pop")
SEVERITY = {0x00100000: "comment", 0x00200000: "chat", 0x00400000: "note",
            0x00600000: "warn", 0x00800000: "error"}
CUT_SHORT = "cut short in the middle of a packet"


class Row:
    def __init__(self, path):
        self.path = path
        self.frames = self.mail_frames = 0
        self.experts = {s: 0 for s in SEVERITY.values()}
        self.other_malformed = {}   # protocol -> exceptions
        self.problems = []
        self.notes = []
        self.seconds = 0.0


def survey_one(env, path, timeout):
    row = Row(path)
    t0 = time.monotonic()
    cap = env.capture(path)
    with tempfile.TemporaryFile() as errf:
        proc = subprocess.Popen(env.command(["-n", "-2", "-r", cap, "-T", "pdml"]),
                                stdout=subprocess.PIPE, stderr=errf, cwd=env.home)
        stack = []
        expert = None          # [name, severity] of the _ws.expert being read
        in_mail = False
        try:
            for event, elem in ET.iterparse(proc.stdout, events=("start", "end")):
                if time.monotonic() - t0 > timeout:
                    proc.kill()
                    row.problems.append(f"timed out after {timeout} s")
                    break
                tag = elem.tag
                if event == "start":
                    if tag == "packet":
                        stack, in_mail = [], False
                    elif tag in ("field", "proto"):
                        name = elem.get("name", "")
                        parent = stack[-1] if stack else ""
                        stack.append(name)
                        if tag == "proto" and name in MAIL_PROTOS:
                            in_mail = True
                        if name == "_ws.expert":
                            expert = [None, None]
                        elif parent == "_ws.expert" and expert is not None:
                            if name == "_ws.expert.severity":
                                expert[1] = tshark_env_int(elem.get("show"))
                            elif not name.startswith("_ws.expert"):
                                expert[0] = name
                        if name.startswith("_ws.malformed"):
                            text = elem.get("showname") or elem.get("show") or ""
                            if "Dissector bug" in text:
                                row.problems.append(f"frame {row.frames + 1}: {text}")
                            elif tshark_env.MAIL_MALFORMED_RE.search(text):
                                row.problems.append(f"frame {row.frames + 1}: malformed-packet "
                                                    f"exception in a mail protocol: {text}")
                            else:
                                m = tshark_env.ANY_MALFORMED_RE.search(text)
                                if m:   # an exception in another protocol
                                    row.other_malformed[m.group(1)] = \
                                        row.other_malformed.get(m.group(1), 0) + 1
                else:
                    if tag in ("field", "proto"):
                        name = stack.pop() if stack else ""
                        if name == "_ws.expert" and expert is not None:
                            if expert[0] and expert[0].startswith("mail"):
                                sev = SEVERITY.get(expert[1], "note")
                                row.experts[sev] += 1
                            expert = None
                    elif tag == "packet":
                        row.frames += 1
                        row.mail_frames += in_mail
                        elem.clear()
        except ET.ParseError as e:
            row.problems.append(f"tshark's PDML did not parse: {e}")
        if proc.stdout:
            proc.stdout.read()
        rc = proc.wait()
        errf.seek(0)
        err = errf.read().decode("utf-8", "replace")
    problems = tshark_env.run_problems(rc, err)
    if rc > 0 and CUT_SHORT in err and not [p for p in problems if "exited" not in p]:
        row.notes.append("capture file cut short (tshark exit status %d)" % rc)
        problems = []
    row.problems.extend(problems)
    if row.problems and err.strip():
        row.problems.append("stderr:\n" + tshark_env.stderr_excerpt(err, 40))
    row.seconds = time.monotonic() - t0
    return row


def tshark_env_int(text):
    try:
        return int(text or "", 0)
    except ValueError:
        return None


def collect(paths, quick_limit):
    found = []
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                full = os.path.join(p, name)
                if os.path.isfile(full) and name.endswith(CAPTURE_EXT):
                    found.append(full)
        elif os.path.isfile(p):
            found.append(p)
        else:
            print(f"note: {p}: no such file or folder, skipped")
    if quick_limit:
        skipped = [f for f in found if os.path.getsize(f) > quick_limit]
        if skipped:
            print(f"note: quick mode: {len(skipped)} capture(s) over {quick_limit // 1024} KiB skipped")
        found = [f for f in found if os.path.getsize(f) <= quick_limit]
    return found


def main():
    ap = argparse.ArgumentParser(description="Survey captures with the built mailwire plugin.")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--sanitized", default="OFF")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--quick", action="store_true", help="skip captures over 256 KiB")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per capture")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("paths", nargs="+", metavar="DIR_OR_CAPTURE")
    args = ap.parse_args()

    captures = collect(args.paths, 256 * 1024 if args.quick else 0)
    if not captures:
        tshark_env.fail_exit("no captures found in " + " ".join(args.paths))
    try:
        env = tshark_env.TsharkEnv(args.plugin, tshark_env.on_off(args.sanitized), args.tshark)
    except (tshark_env.Failure, ValueError) as e:
        tshark_env.fail_exit(str(e))
    try:
        try:
            line = env.check_plugin_loaded()
        except tshark_env.Failure as e:
            tshark_env.fail_exit(str(e))
        print(f"plugin: {line.split()[0]} from {env.plugin_dir}"
              + (" (ASan/UBSan runtimes preloaded)" if env.sanitized else ""))
        for c in captures:      # copy first, serially
            env.capture(c)
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            rows = list(pool.map(lambda c: survey_one(env, c, args.timeout), captures))
    finally:
        env.close()

    width = max(len(os.path.basename(r.path)) for r in rows)
    head = (f"{'capture':<{width}} {'frames':>7} {'mail':>7} {'error':>6} {'warn':>6} "
            f"{'note':>6} {'chat':>6} {'secs':>6}  result")
    print(head)
    print("-" * len(head))
    bad = 0
    tot = Row("total")
    for r in rows:
        ok = not r.problems
        bad += not ok
        tot.frames += r.frames
        tot.mail_frames += r.mail_frames
        for k in tot.experts:
            tot.experts[k] += r.experts[k]
        e = r.experts
        print(f"{os.path.basename(r.path):<{width}} {r.frames:>7} {r.mail_frames:>7} {e['error']:>6} "
              f"{e['warn']:>6} {e['note']:>6} {e['chat']:>6} {r.seconds:>6.1f}  "
              f"{'ok' if ok else 'FAIL'}"
              + "".join(f"; {n}" for n in r.notes)
              + "".join(f"; {n} malformed-packet exception(s) in {proto} (not mailwire)"
                        for proto, n in sorted(r.other_malformed.items())))
    e = tot.experts
    print("-" * len(head))
    print(f"{'total':<{width}} {tot.frames:>7} {tot.mail_frames:>7} {e['error']:>6} {e['warn']:>6} "
          f"{e['note']:>6} {e['chat']:>6}")
    for r in rows:
        for p in r.problems:
            print(f"FAIL {r.path}: {p}")
    print(f"{len(rows)} captures, {len(rows) - bad} clean, {bad} with problems")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks of the mail statistics and Export Objects over the lab captures.

    check.py --plugin mailwire.so --captures DIR [--sanitized ON|OFF] CASE

CASE is one of the names in CASES below: "tree-*" run `tshark -q -z mail,tree`
and check node counts (a node is named by its path, "SMTP/Commands/MAIL");
"sessions-*" run `-z mail,sessions` and look for a line; "export-*" run
`--export-objects mail,DIR` and compare every file, byte for byte, with the
lab's source message.  Python 3 standard library only.
"""
import argparse
import filecmp
import gzip
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dissect"))
import tshark_env  # noqa: E402

M = "lab/messages/"

CASES = {
    "tree-smtp-plain-session": ("smtp-plain-session.pcapng", {
        "SMTP/Sessions": 1, "SMTP/Commands/EHLO": 1, "SMTP/Commands/MAIL": 1, "SMTP/Commands/RCPT": 2,
        "SMTP/Commands/DATA": 1, "SMTP/Commands/QUIT": 1, "SMTP/Replies/250": 5,
        "SMTP/Replies/220": 1, "SMTP/Replies/354": 1, "SMTP/Replies/221": 1,
        "SMTP/Response time (ms)": 7, "SMTP/Response time (ms)/RCPT": 2,
        "SMTP/Response time (ms)/END OF DATA": 1, "SMTP/Messages": 1, "IMAP": 0, "POP": 0,
        "SMTP/Anomalies": None}),
    "tree-imap-login-select-fetch": ("imap-login-select-fetch.pcapng", {
        "IMAP/Sessions": 1, "IMAP/Commands/LOGIN": 1, "IMAP/Commands/FETCH": 2, "IMAP/Commands/SELECT": 1,
        "IMAP/Replies/OK": 11, "IMAP/Response time (ms)/FETCH": 2, "IMAP/Users/bob": 1,
        "IMAP/Anomalies/mail.imap.auth.cleartext": 1,
        "IMAP/Sessions with/cleartext credentials": 1, "IMAP/Messages": None}),
    "tree-pop-user-pass": ("pop-user-pass.pcapng", {
        "POP/Sessions": 1, "POP/Commands/USER": 1, "POP/Commands/PASS": 1, "POP/Commands/RETR": 1,
        "POP/Commands/TOP": 2, "POP/Replies/+OK": 11, "POP/Response time (ms)/RETR": 1,
        "POP/Users/carol": 1, "POP/Anomalies/mail.pop.auth.cleartext": 1, "POP/Messages": 1}),
    "tree-smtp-starttls": ("smtp-starttls.pcapng", {
        "SMTP/Sessions with/STARTTLS accepted": 1, "SMTP/Sessions with/TLS (decrypted)": 1,
        "SMTP/Users/alice": 1, "SMTP/Sessions with/cleartext credentials": None}),
    "tree-smtp-smuggle-02": ("smtp-smuggle-02-lf-dot-crlf.pcapng", {
        "SMTP/Anomalies/mail.smtp.smuggling.lf_dot_crlf": 1}),
    # The server executed the smuggled commands: one event, however many replies.
    "tree-smtp-smuggle-01": ("smtp-smuggle-01-lf-dot-lf.pcapng", {
        "SMTP/Anomalies/mail.smtp.smuggling.accepted": 1, "SMTP/Sessions": 1}),
    # Bare LF, bare CR and NUL inside a message: each counted once per message.
    "tree-smtp-data-bare": ("smtp-data-bare-cr-lf-nul-longline.pcapng", {
        "SMTP/Sessions": 1, "SMTP/Anomalies/mail.smtp.data.bare_lf": 1,
        "SMTP/Anomalies/mail.smtp.data.bare_cr": 1, "SMTP/Anomalies/mail.smtp.data.nul": 1}),
    "sessions-pop-user-pass": ("pop-user-pass.pcapng", [
        r"^POP\s+127\.0\.0\.1:\d+\s+127\.0\.0\.1:110\s+carol\s+none,clear-auth\s+11\s+1\s+355\s+1\s+\d+-\d+$"]),
    "sessions-imap-993-tls": ("imap-993-tls.pcapng", [
        r"^IMAP\s+\S+\s+127\.0\.0\.1:993\s+bob\s+TLS\s+\d+\s+1\s+438\s",
        r"^IMAP\s+\S+\s+127\.0\.0\.1:993\s+\S+\s+TLS\s+\d+\s+1\s+787\s"]),
    # A session that holds only the server's greeting still counts.
    "sessions-imap-greeting-only": ("imap-greeting-only.pcapng", [
        r"^IMAP\s+127\.0\.0\.1:52830\s+127\.0\.0\.1:143\s+-\s+none\s+0\s+0\s+0\s+0\s+4-4$"]),
    "tree-imap-greeting-only": ("imap-greeting-only.pcapng", {
        "IMAP/Sessions": 1, "IMAP/Commands": None, "IMAP/Replies": None, "SMTP": 0, "POP": 0}),
    # Captured after SELECT: FETCH and NOOP counted, the session from its first frame.
    "sessions-imap-midsession": ("hostile-imap-midsession.pcapng", [
        r"^IMAP\s+192\.0\.2\.1:40101\s+192\.0\.2\.25:143\s+-\s+none\s+2\s+0\s+0\s+0\s+1-6$"]),
    "export-smtp-plain-session": ("smtp-plain-session.pcapng", {
        "smtp-f17-alice@lab.test-Café_menü_for_the_weekend.eml": M + "smtp-plain-session.eml"}),
    "export-smtp-large-message": ("smtp-large-message.pcapng", {
        "smtp-f1747-alice@lab.test-a_large_message.eml": M + "smtp-large-message.eml"}),
    "export-imap-fetch-large": ("imap-fetch-large.pcapng", {
        "imap-f1558-hub@lab.test-Large_message_about_2_MB.eml": M + "imap-pop-large-2mb.eml.gz"}),
    "export-pop-retr-large": ("pop-retr-large.pcapng", {
        "pop-f1444-hub@lab.test-Large_message_about_2_MB.eml": M + "imap-pop-large-2mb.eml.gz",
        "pop-f1451-alice@lab.test-POP_lab_message_one.eml": M + "pop-1.eml"}),
    "export-pop-user-pass": ("pop-user-pass.pcapng", {
        "pop-f31-carol@lab.test-Lines_starting_with_dots.eml": M + "pop-2-dots.eml"}),
    "export-imap-append": ("imap-append.pcapng", {
        "imap-f16-alice@lab.test-Appended_with_a_synchronizing_literal.eml": M + "imap-append-sync.eml",
        "imap-f22-alice@lab.test-Appended_with_a_non-synchronizing_literal_LITERAL+.eml":
            M + "imap-append-nonsync.eml",
        "imap-f29-alice@lab.test-Appended_with_a_literal8_BINARY.eml": M + "imap-append-binary.eml"}),
    "export-smtp-bdat-coalesced": ("smtp-bdat-coalesced.pcapng", {
        "smtp-f9-alice@lab.test-BDAT_pipelined_with_bare_line_ends.eml": M + "smtp-bdat-coalesced-1.eml",
        "smtp-f18-alice@lab.test-BDAT_after_RSET.eml": M + "smtp-bdat-coalesced-2.eml"}),
    # hostile TCP order (tests/hostile/tcp_cases.py writes the messages)
    "export-hostile-pop-late-retrans": ("hostile-pop-late-retrans.pcapng", {
        "pop-f117-alice@example.test-Late_retransmissions.eml": M + "hostile-pop-late-retrans.eml"}),
    "export-hostile-smtp-moved": ("hostile-smtp-moved.pcapng", {
        "smtp-f69-alice@example.test-Moved_segments.eml": M + "hostile-smtp-moved.eml"}),
    "export-hostile-smtp-reverse": ("hostile-smtp-reverse.pcapng", {
        "smtp-f16-alice@example.test-Reverse_order.eml": M + "hostile-smtp-reverse.eml"}),
    # FETCH and APPEND literals read from the inflated COMPRESS=DEFLATE stream.
    "export-imap-compress-deflate": ("imap-compress-deflate.pcapng", {
        "imap-f21-alice@lab.test-Compressed_fetch_report_with_attachment.eml":
            M + "imap-compress-fetch.eml",
        "imap-f27-bob@lab.test-Appended_through_a_compressed_stream.eml": M + "imap-compress-append.eml",
        "imap-f46-dave@lab.test-Arrived_during_IDLE.eml": M + "imap-compress-idle-new.eml"}),
}


def parse_tree(text):
    """{"SMTP/Commands/MAIL": count} from the stats tree's text output."""
    nodes, stack, inside = {}, [], False
    for line in text.splitlines():
        if line.startswith("Topic / Item"):
            inside = True
            continue
        if not inside or not line.strip() or line.startswith("---"):
            continue
        depth = len(line) - len(line.lstrip(" "))
        cols = re.split(r"\s{2,}", line.strip())
        if len(cols) < 2 or not cols[1].isdigit():
            continue
        del stack[depth:]
        stack.append(cols[0])
        nodes["/".join(stack)] = int(cols[1])
        # A node's share of its parent: never above 100 %.
        pct = re.search(r"\s(\d+(?:\.\d+)?)%", line)
        if pct and float(pct.group(1)) > 100.0:
            nodes.setdefault("percent over 100", []).append("/".join(stack))
    return nodes


def source_bytes(captures, rel):
    path = os.path.join(captures, rel)
    if path.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", required=True)
    ap.add_argument("--sanitized", default="OFF")
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    capture, want = CASES[a.case]
    errors = []
    with tshark_env.TsharkEnv(a.plugin, tshark_env.on_off(a.sanitized)) as env:
        env.check_plugin_loaded()
        cap = env.capture(os.path.join(a.captures, capture))
        if a.case.startswith("export-"):
            out_dir = os.path.join(env.home, "export")
            rc, out, err = env.run(["-r", cap, "-q", "--export-objects", f"mail,{out_dir}"])
            files = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
            for name in sorted(set(files) - set(want)):
                errors.append(f"unexpected file {name}")
            for name, src in sorted(want.items()):
                if name not in files:
                    errors.append(f"missing {name} (have: {', '.join(files) or 'none'})")
                    continue
                with open(os.path.join(out_dir, name), "rb") as f:
                    got = f.read()
                exp = source_bytes(a.captures, src)
                if got != exp:
                    errors.append(f"{name}: {len(got)} bytes, {src} has {len(exp)}; first difference "
                                  f"at byte {first_difference(got, exp)}")
                else:
                    print(f"ok   {name} == {src} ({len(got)} bytes)")
        elif a.case.startswith("sessions-"):
            rc, out, err = env.run(["-r", cap, "-q", "-z", "mail,sessions"])
            lines = out.splitlines()
            for rx in want:
                if not any(re.search(rx, l) for l in lines):
                    errors.append(f"no session line matches {rx}")
            print(out)
        else:
            rc, out, err = env.run(["-r", cap, "-q", "-z", "mail,tree"])
            nodes = parse_tree(out)
            for path in nodes.pop("percent over 100", []):
                errors.append(f"{path}: percentage above 100 %")
            for path, n in want.items():
                got = nodes.get(path)
                if got != n:
                    errors.append(f"{path}: want {'absent' if n is None else n}, got "
                                  f"{'absent' if got is None else got}")
                else:
                    print(f"ok   {path} = {'absent' if n is None else n}")
        errors += tshark_env.run_problems(rc, err, out or "")
    for e in errors:
        print("FAIL " + e)
    print(f"{a.case}: {'FAILED' if errors else 'passed'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

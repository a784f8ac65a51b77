#!/usr/bin/env python3
"""Disabling mailwire gives the built-in dissectors their ports back.

    fallback.py --plugin build/mailwire.so [--captures captures]

For each capture (cleartext, STARTTLS and implicit-TLS ports of SMTP, IMAP and
POP3), tshark runs with mailwire enabled, with --disable-protocol mail and
with --disable-protocol mail.<proto>.  Enabled: every frame with a mail layer
has mailwire's (mail.smtp, ...) and none has the built-in's.  Disabled: the
built-in dissector (smtp, imap, pop) shows its own request field and no
frame has a mailwire protocol layer.  Exit status 0 when all hold.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_env  # noqa: E402

CASES = [
    ("smtp-starttls.pcapng", "smtp", "smtp.req.command"),
    ("smtp-465-implicit-tls.pcapng", "smtp", "smtp.req.command"),
    ("imap-login-select-fetch.pcapng", "imap", "imap.request.command"),
    ("imap-993-tls.pcapng", "imap", "imap.request.command"),
    ("pop-user-pass.pcapng", "pop", "pop.request.command"),
    ("pop-995-tls.pcapng", "pop", "pop.request.command"),
]


def layers(env, cap, extra, field):
    rc, out, err = env.run(["-n", "-2", "-r", cap] + extra +
                           ["-T", "fields", "-E", "separator=\t", "-e", "frame.protocols",
                            "-e", field])
    probs = tshark_env.run_problems(rc, err, out)
    if probs:
        raise tshark_env.Failure("; ".join(probs) + "\n" + tshark_env.stderr_excerpt(err, 10))
    rows = []
    for line in out.splitlines():
        cols = line.split("\t") + [""]
        rows.append((cols[0].split(":"), cols[1]))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "captures"))
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--sanitized", default="OFF")
    args = ap.parse_args()
    failures, ran = [], 0
    try:
        with tshark_env.TsharkEnv(args.plugin, sanitized=tshark_env.on_off(args.sanitized),
                                  tshark=args.tshark) as env:
            env.check_plugin_loaded()
            for capname, builtin, field in CASES:
                cap = env.capture(os.path.join(args.captures, capname))
                mine = "mail." + builtin
                for extra in ([], ["--disable-protocol", "mail"],
                              ["--disable-protocol", mine]):
                    ran += 1
                    rows = layers(env, cap, extra, field)
                    what = f"{capname} {' '.join(extra) or '(mailwire enabled)'}"
                    has_mine = any(mine in ls for ls, _ in rows)
                    has_builtin = any(builtin in ls for ls, _ in rows)
                    if not extra:
                        if not has_mine or has_builtin:
                            failures.append(f"{what}: expected {mine} and no {builtin} layer")
                        continue
                    if has_mine or any(l.startswith("mail.") and l != "mail.ports"
                                       for ls, _ in rows for l in ls):
                        failures.append(f"{what}: a mailwire layer is still there")
                    if not has_builtin or not any(v for ls, v in rows if builtin in ls):
                        failures.append(f"{what}: the built-in {builtin} does not show {field}")
    except tshark_env.Failure as e:
        print(f"environment: {e}", file=sys.stderr)
        return 2
    for f in failures:
        print("FAIL " + f)
    print(f"fallback: {ran} runs, {ran - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

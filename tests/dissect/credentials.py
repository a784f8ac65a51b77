#!/usr/bin/env python3
"""Check that `tshark -z credentials` lists the SMTP, POP3 and IMAP credentials.

    credentials.py --plugin build/mailwire.so --captures captures [--sanitized OFF]

For each capture below, the rows (packet, protocol, user name, info) the
credentials tap prints must be exactly the expected ones.  Exit 0 when all
match, 1 on a mismatch, 2 when the environment is broken.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_env  # noqa: E402

EXPECTED = {
    "smtp-auth-plain.pcapng": [("9", "SMTP", "alice", "AUTH PLAIN"),
                               ("29", "SMTP", "alice", "AUTH PLAIN"),
                               ("53", "SMTP", "alice", "AUTH PLAIN")],
    "smtp-auth-login.pcapng": [("13", "SMTP", "alice", "AUTH LOGIN")],
    "smtp-auth-cram-md5.pcapng": [("11", "SMTP", "alice", "AUTH CRAM-MD5")],
    "smtp-auth-xoauth2-oauthbearer.pcapng": [("9", "SMTP", "alice@lab.test", "AUTH XOAUTH2"),
                                             ("13", "SMTP", "alice@lab.test", "AUTH XOAUTH2"),
                                             ("28", "SMTP", "alice@lab.test", "AUTH OAUTHBEARER")],
    "smtp-starttls.pcapng": [("17", "SMTP", "alice", "AUTH PLAIN")],
    "smtp-465-implicit-tls.pcapng": [("17", "SMTP", "alice", "AUTH PLAIN")],
    "smtp-587-submission.pcapng": [("17", "SMTP", "alice", "AUTH PLAIN")],
    "smtp-587-no-starttls.pcapng": [("9", "SMTP", "alice", "AUTH PLAIN")],
    "smtp-auth-plain-no-authcid.pcapng": [("4", "SMTP", "alice", "AUTH PLAIN")],
    "smtp-plain-session.pcapng": [],
    "pop-user-pass.pcapng": [("9", "POP3", "carol", "USER/PASS")],
    "pop-auth-plain.pcapng": [("12", "POP3", "carol", "AUTH PLAIN"),
                              ("30", "POP3", "carol", "AUTH PLAIN"),
                              ("47", "POP3", "carol", "AUTH LOGIN"),
                              ("62", "POP3", "carol", "AUTH CRAM-MD5"),
                              ("74", "POP3", "carol", "APOP")],
    "pop-errors.pcapng": [("15", "POP3", "carol", "USER/PASS"),
                          ("21", "POP3", "carol", "USER/PASS")],
    "pop-995-tls.pcapng": [("17", "POP3", "carol", "USER/PASS")],
    "pop-stls-injection.pcapng": [],
    # LOGIN and AUTHENTICATE PLAIN sent after COMPRESS DEFLATE (crafted)
    "hostile-imap-compress-preauth.pcapng": [("9", "IMAP", "alice", "LOGIN"),
                                             ("13", "IMAP", "alice", "AUTHENTICATE PLAIN")],
}


def rows(text):
    """The table rows of the credentials tap's output."""
    out = []
    for line in text.splitlines():
        cols = line.split()
        if len(cols) >= 4 and cols[0].isdigit():
            out.append((cols[0], cols[1], cols[2], " ".join(cols[3:])))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", required=True)
    ap.add_argument("--sanitized", default="OFF")
    a = ap.parse_args()
    failed = 0
    try:
        with tshark_env.TsharkEnv(a.plugin, sanitized=tshark_env.on_off(a.sanitized)) as env:
            env.check_plugin_loaded()
            for name, want in EXPECTED.items():
                cap = env.capture(os.path.join(a.captures, name))
                rc, out, err = env.run(["-r", cap, "-q", "-z", "credentials"])
                problems = tshark_env.run_problems(rc, err, out)
                got = rows(out)
                if problems or got != want:
                    failed += 1
                    print(f"FAIL {name}: expected {want}, got {got}" +
                          "".join("\n  " + p for p in problems))
                else:
                    print(f"ok   {name}: {len(got)} credential row(s)")
    except tshark_env.Failure as e:
        tshark_env.fail_exit(str(e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Kept message bytes wait in a temporary file, and revisits read them back.

    keep_file.py --plugin mailwire.so --gen tests/bench/mixed/gen.py
                 --pread-fails libmailwire_pread_fails.so [--sanitized ON|OFF]

Over a mixed capture written by the benchmark generator (16 MB: SMTP, IMAP
and POP3 sessions, messages up to megabytes, base64 attachments), tshark runs
`-2 -V` and `-2 --export-objects mail` three ways, and `-2 -V` a fourth:

  file      mail.message.keep_file on, TMPDIR a writable folder;
  memory    mail.message.keep_file off;
  fallback  keep_file on but TMPDIR a folder that does not exist (no file
            can be made, so the bytes stay in memory);
  full      keep_file on, but files may not grow past 1 MiB (ulimit -f, with
            SIGXFSZ ignored): a write fails with the file part full, and what
            comes after stays in memory.
  tmpfs     keep_file on, TMPDIR a folder on a tmpfs (/dev/shm, when it is
            one): the file's bytes are memory there, so text is deflated
            on the way (on a disk, bytes go to the file as they are).

The trees and the exported folders must be the same, and the second pass
must show the messages (IMF trees, no mail.message.not_kept).  Without
sanitizers (whose allocator makes peak memory meaningless), the file run's
peak RSS must be below the three others by at least a quarter of the bytes
exported as messages: those bytes were in the file, not in memory (the
peaks are taken first, while this process is small: a child's peak starts
from its parent's size).  The TMPDIR folder must be empty afterwards (the file is unlinked).

A fifth `-2 -V` run, 'unreadable', preloads a library whose positioned reads
all fail (a failing disk): every message whose bytes went to the file must
then be shown, in place of its IMF tree, as kept but not readable, with the
expert mail.message.keep_unreadable, and never as not kept.
Exit 0 when all hold, 1 otherwise, 2 when the environment is broken.
"""
import argparse
import atexit
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile

import tshark_env

SIZE = "16M"


def command(env, args, fsize_kib=None):
    """tshark's command line, under a file size limit when one is given."""
    cmd = env.command(args)
    if fsize_kib:
        cmd = ["sh", "-c", f'trap "" XFSZ; ulimit -f {fsize_kib * 2}; exec "$@"', "sh"] + cmd
    return cmd


def run(env, args, fsize_kib=None):
    """(returncode, stdout, stderr) of one tshark run."""
    p = subprocess.run(command(env, args, fsize_kib), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=env.home, timeout=1800)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def peak_kib(env, args, fsize_kib=None):
    """(exit status, peak RSS in KiB) of one tshark run.  A child's peak
    starts from the resident size of the process it was forked from, so
    this is measured while this process is still small (see main)."""
    p = subprocess.Popen(command(env, args, fsize_kib), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, cwd=env.home)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage.ru_maxrss


def tmpfs(path):
    """Whether path is the mount point of a tmpfs (/proc/mounts)."""
    try:
        with open("/proc/mounts") as fh:
            return any(f[1] == path and f[2] == "tmpfs"
                       for f in (line.split() for line in fh) if len(f) > 2)
    except OSError:
        return False


def tree_of(folder):
    """name -> SHA-256 of every file under folder."""
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, folder)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--pread-fails", required=True)
    ap.add_argument("--sanitized", default="OFF")
    a = ap.parse_args()
    sanitized = tshark_env.on_off(a.sanitized)
    check = tshark_env.Checklist()
    try:
        with tshark_env.TsharkEnv(a.plugin, sanitized) as env:
            env.check_plugin_loaded()
            raw = os.path.join(env.home, "mixed.pcap")
            subprocess.run([sys.executable, a.gen, "--size", SIZE, "--seed", "1", raw],
                           check=True, stdout=subprocess.DEVNULL)
            cap = env.capture(raw)
            tmp = os.path.join(env.home, "tmp")
            os.mkdir(tmp)
            os.chmod(tmp, 0o777)
            ways = {
                "file": (tmp, "TRUE", None),
                "memory": (tmp, "FALSE", None),
                "fallback": (os.path.join(env.home, "no-such-folder"), "TRUE", None),
                "full": (tmp, "TRUE", 1024),
            }
            shm = None
            if tmpfs("/dev/shm"):
                shm = tempfile.mkdtemp(prefix="mailwire-keep-", dir="/dev/shm")
                atexit.register(shutil.rmtree, shm, True)  # also when a check raises
                os.chmod(shm, 0o777)
                ways["tmpfs"] = (shm, "TRUE", None)
            else:
                print("note: /dev/shm is not a tmpfs here; the 'tmpfs' way is not run")
            def opts(way):
                tmpdir, on, _ = ways[way]
                env.env["TMPDIR"] = tmpdir
                return ["-r", cap, "-2", "-o", f"mail.message.keep_file:{on}"]

            trees, exports, peaks = {}, {}, {}
            if not sanitized:
                # first, while this process holds no tree
                for way, (_, _, fsize) in ways.items():
                    if way == "tmpfs":
                        continue  # the file's memory is outside the process
                    rc, peaks[way] = peak_kib(env, opts(way) + ["-V"], fsize)
                    check(rc == 0, f"{way}: measured run exited 0 (got {rc})")
                own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                check(own * 2 < min(peaks.values()),
                      f"this process's peak ({own} KiB) is far below tshark's, which it bounds "
                      "from below")
            for way, (_, _, fsize) in ways.items():
                rc, out, err = run(env, opts(way) + ["-V"], fsize)
                problems = tshark_env.run_problems(rc, err, out)
                check(not problems, f"{way}: tshark -2 -V ran cleanly"
                      + ("" if not problems else ": " + "; ".join(problems)))
                trees[way] = out
                if fsize:
                    continue  # exported messages would be cut at the limit
                dest = os.path.join(env.home, "export-" + way)
                os.mkdir(dest)
                os.chmod(dest, 0o777)
                rc, out, err = env.run(opts(way) + ["-q", "--export-objects", f"mail,{dest}"])
                problems = tshark_env.run_problems(rc, err, out)
                check(not problems, f"{way}: tshark -2 --export-objects ran cleanly"
                      + ("" if not problems else ": " + "; ".join(problems)))
                exports[way] = tree_of(dest)

            env.env["TMPDIR"] = tmp
            preload = env.env.get("LD_PRELOAD")
            env.env["LD_PRELOAD"] = ":".join(x for x in (preload, os.path.abspath(a.pread_fails))
                                             if x)
            rc, bad, err = run(env, ["-r", cap, "-2", "-V"])
            env.env.pop("LD_PRELOAD")
            if preload:
                env.env["LD_PRELOAD"] = preload
            problems = tshark_env.run_problems(rc, err, bad)
            check(not problems, "unreadable: tshark -2 -V ran cleanly"
                  + ("" if not problems else ": " + "; ".join(problems)))
            unreadable = bad.count("bytes kept for revisits, but not readable now")
            experts = bad.count("[Expert Info (Warning/Undecoded): The message's kept bytes could "
                                "not be read back")
            imf_bad = bad.count("Internet Message Format")
            imf = trees["file"].count("Internet Message Format")
            check(unreadable >= 100 and experts == unreadable,
                  f"unreadable: {unreadable} messages shown as unreadable, each with the expert "
                  f"({experts}; want >= 100)")
            check(imf_bad + unreadable == imf,
                  f"unreadable: each of them in place of an IMF tree ({imf_bad} IMF trees + "
                  f"{unreadable} = {imf_bad + unreadable}, want {imf})")
            check("not kept for revisits" not in bad, "unreadable: no message is shown as not kept")

            check(imf >= 100, f"the second pass shows the messages' IMF trees ({imf}, want >= 100)")
            check("not kept for revisits" not in trees["file"],
                  "no message is shown as not kept on the second pass")
            for way in [w for w in ("memory", "fallback", "full", "tmpfs") if w in ways]:
                check(trees[way] == trees["file"], f"-2 -V output of '{way}' is the same as 'file'")
            for way in [w for w in ("memory", "fallback", "tmpfs") if w in ways]:
                check(exports[way] == exports["file"],
                      f"exported objects of '{way}' are the same as 'file' ({len(exports['file'])} files)")
            emls = [f for f in exports["file"] if f.endswith(".eml")]
            check(len(emls) >= 100, f"the second pass exports the messages ({len(emls)}, want >= 100)")
            check(os.listdir(tmp) == [], f"TMPDIR is empty afterwards ({os.listdir(tmp)})")
            if shm:
                check(os.listdir(shm) == [], f"the tmpfs TMPDIR is empty afterwards ({os.listdir(shm)})")
            if not sanitized:
                msg_kib = sum(os.path.getsize(os.path.join(env.home, "export-file", f))
                              for f in emls) // 1024
                for way in ("memory", "fallback", "full"):
                    saved = peaks[way] - peaks["file"]
                    check(saved >= msg_kib // 4,
                          f"peak RSS with the file is {saved} KiB below '{way}' "
                          f"({peaks['file']} against {peaks[way]} KiB; messages {msg_kib} KiB, "
                          f"want at least a quarter of that)")
    except (tshark_env.Failure, subprocess.CalledProcessError) as e:
        tshark_env.fail_exit(str(e))
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())

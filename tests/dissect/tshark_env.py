"""Running tshark with a freshly built mailwire plugin, and judging its output.

Shared by run.py (assertion files) and survey.py (the crash/sanitizer survey
over whole folders of captures).  Python 3 standard library only.

tshark ignores the personal plugin folder when it runs as root, so under root
it runs as uid/gid 65534 (nobody) through setpriv, with a private HOME that
holds the plugin and a copy of each capture (so nothing else of the machine
needs to be readable by nobody).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

NOBODY = 65534

# Any of these in tshark's stderr means a sanitizer caught something.
SANITIZER_RE = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)"
    r"|runtime error:"
    r"|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)"
    r"|AddressSanitizer:DEADLYSIGNAL"
    r"|ASan runtime does not come first")
DISSECTOR_BUG_RE = re.compile(r"Dissector bug")
# Exceptions shown as "[Malformed Packet: <short name>]"; ours are "mailwire ...".
# (A bare hidden "Malformed Packet" item only marks an expert info of the
# PI_MALFORMED group: that is a finding of the dissector, not an exception.)
MAIL_MALFORMED_RE = re.compile(r"Malformed Packet: (mailwire[^\]\n]*)")
ANY_MALFORMED_RE = re.compile(r"Malformed Packet: ([^\]\n]*)")


class Failure(Exception):
    """Something is wrong with the environment or with tshark's run."""


def on_off(text):
    t = str(text).strip().upper()
    if t in ("ON", "1", "YES", "TRUE", "Y"):
        return True
    if t in ("OFF", "0", "NO", "FALSE", "N", ""):
        return False
    raise ValueError(f"not ON/OFF: {text!r}")


def tshark_abi(tshark="tshark"):
    """'X.Y' of the installed tshark: the plugin folder's version name."""
    out = subprocess.run([tshark, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"TShark \(Wireshark\) (\d+)\.(\d+)", out)
    if not m:
        raise Failure(f"cannot read the version from '{tshark} --version':\n{out}")
    return f"{m.group(1)}.{m.group(2)}"


def sanitizer_preload():
    """The ASan and UBSan runtimes of the compiler the plugin was built with."""
    libs = []
    for name in ("libasan.so", "libubsan.so"):
        try:
            path = subprocess.run(["gcc", "-print-file-name=" + name], capture_output=True,
                                  text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError) as e:
            raise Failure(f"cannot ask gcc for {name}: {e}")
        if not os.path.isabs(path) or not os.path.exists(path):
            raise Failure(f"sanitizer runtime {name} not found (gcc says {path!r}); "
                          "install the compiler's sanitizer runtimes")
        libs.append(os.path.realpath(path))
    return ":".join(libs)


class TsharkEnv:
    """A private HOME with the plugin installed, and a way to run tshark in it."""

    def __init__(self, plugin, sanitized=False, tshark="tshark"):
        if not os.path.isfile(plugin):
            raise Failure(f"plugin not found: {plugin}")
        self.tshark = shutil.which(tshark) or tshark
        self.sanitized = sanitized
        self.as_nobody = os.geteuid() == 0
        self.abi = tshark_abi(self.tshark)
        self.home = tempfile.mkdtemp(prefix="mailwire-home-")
        self.plugin_dir = os.path.join(self.home, ".local/lib/wireshark/plugins", self.abi, "epan")
        os.makedirs(self.plugin_dir)
        self.plugin = os.path.join(self.plugin_dir, os.path.basename(plugin))
        shutil.copyfile(plugin, self.plugin)
        self.capdir = os.path.join(self.home, "captures")
        os.makedirs(self.capdir)
        # No extcap helpers: they are not needed to read files, and some of
        # them hang when the sanitizer runtimes are preloaded into them.
        self.extcap_dir = os.path.join(self.home, "no-extcap")
        os.makedirs(self.extcap_dir)
        self._copies = {}
        self.env = {
            "HOME": self.home,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "WIRESHARK_ABORT_ON_DISSECTOR_BUG": "1",
            "WIRESHARK_EXTCAP_DIR": self.extcap_dir,
        }
        if sanitized:
            self.env["LD_PRELOAD"] = sanitizer_preload()
            self.env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
            self.env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
        self._fix_permissions()

    def _fix_permissions(self):
        for root, dirs, files in os.walk(self.home):
            for name in dirs + files:
                p = os.path.join(root, name)
                os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
                if self.as_nobody:
                    os.chown(p, NOBODY, NOBODY)
        os.chmod(self.home, 0o755)
        if self.as_nobody:
            os.chown(self.home, NOBODY, NOBODY)

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def capture(self, path):
        """A copy of the capture that tshark (maybe as nobody) can read."""
        path = os.path.abspath(path)
        if path not in self._copies:
            if not os.path.isfile(path):
                raise Failure(f"capture not found: {path}")
            dst = os.path.join(self.capdir, f"{len(self._copies)}-{os.path.basename(path)}")
            shutil.copyfile(path, dst)
            os.chmod(dst, 0o644)
            if self.as_nobody:
                os.chown(dst, NOBODY, NOBODY)
            self._copies[path] = dst
        return self._copies[path]

    def command(self, args):
        env = ["env", "-i"] + [f"{k}={v}" for k, v in self.env.items()]
        cmd = env + [self.tshark] + list(args)
        if self.as_nobody:
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] + cmd
        return cmd

    def run(self, args, stdout=subprocess.PIPE, timeout=1800):
        """Run tshark; returns (returncode, stdout text or None, stderr text)."""
        p = subprocess.run(self.command(args), stdout=stdout, stderr=subprocess.PIPE,
                           cwd=self.home, timeout=timeout)
        out = p.stdout.decode("utf-8", "replace") if isinstance(p.stdout, bytes) else None
        return p.returncode, out, p.stderr.decode("utf-8", "replace")

    def popen(self, args):
        return subprocess.Popen(self.command(args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=self.home)

    def check_plugin_loaded(self):
        """Fail loudly unless tshark -G plugins lists our copy of the plugin."""
        rc, out, err = self.run(["-G", "plugins"], timeout=300)
        problems = run_problems(rc, err, out)
        for line in out.splitlines():
            cols = line.split("\t")
            if cols and cols[0].strip() == os.path.basename(self.plugin) and \
                    cols[-1].strip() == self.plugin:
                if problems:
                    break
                return line.strip()
        name = os.path.basename(self.plugin)
        for line in out.splitlines():
            cols = line.split("\t")
            if cols and cols[0].strip() == name and cols[-1].strip() != self.plugin:
                problems.append(f"another {name} is loaded instead: {cols[-1].strip()} (the global "
                                "plugin folder is read before personal ones; remove that copy)")
        raise Failure("tshark does not list the plugin from "
                      f"{self.plugin_dir}\n--- tshark -G plugins (rc {rc}):\n{out}"
                      f"--- stderr:\n{err}" + "".join("\n" + p for p in problems))


def env_or_exit(plugin, sanitized=False):
    """A TsharkEnv, or exit 2 (a broken environment) when it cannot be made."""
    try:
        return TsharkEnv(plugin, sanitized)
    except Failure as e:
        fail_exit(str(e))


class Checklist:
    """Named checks printed as they are made ("ok   ..." or "FAIL ..."); the
    failed ones are kept in failures."""

    def __init__(self):
        self.failures = []

    def __call__(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            self.failures.append(what)

    def exit_code(self):
        """Says how many failed; 1 when any did, else 0."""
        print(f"{len(self.failures)} failed")
        return 1 if self.failures else 0


def run_problems(rc, stderr, stdout=""):
    """What is wrong with one tshark run: crash, exit status, sanitizer, dissector bug."""
    problems = []
    if rc < 0:
        problems.append(f"tshark was killed by signal {-rc} (crash)")
    elif rc != 0:
        problems.append(f"tshark exited with status {rc}")
    for line in stderr.splitlines():
        if SANITIZER_RE.search(line):
            problems.append("sanitizer report in stderr: " + line.strip())
            break
    for text, where in ((stderr, "stderr"), (stdout or "", "output")):
        m = DISSECTOR_BUG_RE.search(text)
        if m:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            problems.append(f"'Dissector bug' in {where}: " + text[start:end if end > 0 else None].strip())
    return problems


def stderr_excerpt(stderr, limit=60):
    lines = stderr.rstrip().splitlines()
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more lines)"]
    return "\n".join("    " + line for line in lines)


def fail_exit(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(2)


def check_captures(check, names_from=None):
    """The main of a script that checks captures one by one.

    Reads --plugin, --captures, --sanitized and the capture names (or, with
    names_from, whatever names_from(captures_dir, args) makes of them); for
    each capture calls check(env, path, name), which returns (problems, note):
    prints "ok   NAME: note" or "FAIL NAME" with the problems.  Returns the
    exit status: 0 when every capture passed, 1 otherwise (2, through
    fail_exit, when the environment is broken)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", required=True)
    ap.add_argument("--sanitized", default="OFF")
    ap.add_argument("capture", nargs="+")
    a = ap.parse_args()
    names = names_from(a.captures, a.capture) if names_from else a.capture
    failed = 0
    try:
        with TsharkEnv(a.plugin, on_off(a.sanitized)) as env:
            env.check_plugin_loaded()
            for name in names:
                problems, note = check(env, env.capture(os.path.join(a.captures, name)), name)
                if problems:
                    failed += 1
                    print(f"FAIL {name}\n  " + "\n  ".join(problems))
                else:
                    print(f"ok   {name}: {note}")
    except Failure as e:
        fail_exit(str(e))
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0

#!/usr/bin/env python3
"""Write docs/fields.md, the reference of every mailwire field and expert info.

    python3 docs/gen-fields.py --plugin build/mailwire.so            # rewrite docs/fields.md
    python3 docs/gen-fields.py --plugin build/mailwire.so --check    # compare, exit 1 on a difference

Fields come from `tshark -G fields` run with the plugin (as nobody under
root, with a private HOME: tests/dissect/tshark_env.py).  Wireshark 4.0's
tshark has no report of expert infos, but it registers each one as an FT_NONE
field named by its text; this script takes the names and texts from tshark and
only the group and severity from the registration tables in plugin/**/*.c.  Every
expert info found in the sources must be listed by tshark and the other way
round, so neither side can drift silently.
"""
import argparse
import difflib
import glob
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "dissect"))
import tshark_env  # noqa: E402

OUT = os.path.join(TOP, "docs", "fields.md")
REGEN = "python3 docs/gen-fields.py --plugin build/mailwire.so"

# { "mail.x.y", PI_GROUP, PI_SEVERITY, ...   inside ei_register_info tables
EI_RE = re.compile(r'\{\s*"(mail\.[A-Za-z0-9_.]+)"\s*,\s*(PI_[A-Z_]+)\s*,\s*(PI_[A-Z_]+)\s*,')

# "Name", "mail.x.y", FT_...   inside hf_register_info tables
HF_RE = re.compile(r'"(mail\.[A-Za-z0-9_.]+)"\s*,\s*FT_[A-Z0-9_]+')
STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')

GROUPS = [
    ("mail.smtp", "SMTP (`mail.smtp`)"),
    ("mail.imap", "IMAP (`mail.imap`)"),
    ("mail.pop", "POP3 (`mail.pop`)"),
    ("mail.lmtp", "LMTP (`mail.lmtp`): the SMTP fields apply, these are its own"),
    ("mail.proxy", "PROXY protocol header (`mail.proxy`), before any of the three protocols"),
    ("mail.header", "Message header fields (`mail.header`), shared by the three protocols"),
    ("mail.message", "Whole messages (`mail.message`): hash, MIME summary, copies in other sessions"),
    ("mail.part", "MIME parts and attachments (`mail.part`): type, file name, sizes, hashes"),
    ("mail.dkim", "DKIM signatures (`mail.dkim`): domain, selector, body hash"),
    ("mail.trace", "Trace header fields (`mail.trace`): Return-Path against the envelope, "
                   "Delivered-To, X-Original-To"),
    ("mail.received", "Received hops (`mail.received`): from, by, via, with, id, for, date, TLS"),
    ("mail.authres", "Authentication-Results (`mail.authres`): authserv-id, methods, results"),
    ("mail.arc", "ARC sets and chain (`mail.arc`): instance, cv=, d=, s="),
    ("mail", "Stream engine and lines (`mail.stream`, `mail.line`), shared by the three protocols"),
]
GROUP_TEXT = {"PI_SECURITY": "Security", "PI_MALFORMED": "Malformed", "PI_SEQUENCE": "Sequence",
              "PI_PROTOCOL": "Protocol", "PI_UNDECODED": "Undecoded", "PI_REASSEMBLE": "Reassemble",
              "PI_RESPONSE_CODE": "Response code", "PI_REQUEST_CODE": "Request code",
              "PI_CHECKSUM": "Checksum", "PI_COMMENTS_GROUP": "Comment", "PI_DECRYPTION": "Decryption",
              "PI_ASSUMPTION": "Assumption", "PI_DEPRECATED": "Deprecated", "PI_DEBUG": "Debug"}
SEVERITY_TEXT = {"PI_ERROR": "Error", "PI_WARN": "Warning", "PI_NOTE": "Note", "PI_CHAT": "Chat",
                 "PI_COMMENT": "Comment"}


def group_of(abbrev):
    for prefix, _ in GROUPS:
        if abbrev == prefix or abbrev.startswith(prefix + "."):
            return prefix
    return "mail"


def source_experts():
    """{name: (group, severity)} from plugin/**/*.c, and the number of EXPFILL seen."""
    experts, fills, hf_names = {}, 0, set()
    for path in sorted(glob.glob(os.path.join(TOP, "plugin", "**", "*.c"), recursive=True)):
        text = open(path, encoding="utf-8").read()
        fills += text.count("EXPFILL")
        hf_names.update(HF_RE.findall(text))
        for m in EI_RE.finditer(text):
            name, group, sev = m.groups()
            if name in experts:
                raise tshark_env.Failure(f"expert info {name} registered twice (second in {path})")
            end = text.find("EXPFILL", m.end())
            summary = "".join(re.sub(r'\\(.)', r'\1', lit)
                              for lit in STRING_RE.findall(text[m.end():end]))
            experts[name] = (group, sev, summary)
    if fills != len(experts):
        raise tshark_env.Failure(
            f"plugin/**/*.c has {fills} EXPFILL but {len(experts)} entries of the form "
            '{"mail....", PI_GROUP, PI_SEVERITY, ...}: write every ei_register_info entry that way')
    return experts, hf_names


def cell(text):
    return (text or "").replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def generate(env):
    rc, out, err = env.run(["-G", "fields"], timeout=300)
    # (stdout is the glossary, which itself names "Dissector bug": judge only status and stderr)
    problems = tshark_env.run_problems(rc, err)
    if problems:
        raise tshark_env.Failure("tshark -G fields: " + "; ".join(problems) + "\n" + err)
    rc, ftypes_out, err = env.run(["-G", "ftypes"], timeout=300)
    ftype_names = {}
    for line in ftypes_out.splitlines():
        cols = line.split("\t")
        if len(cols) >= 2:
            ftype_names[cols[0]] = cols[1]

    protocols, fields, dropins = {}, {}, {}
    for line in out.splitlines():
        cols = line.split("\t")
        if cols[0] == "P" and len(cols) >= 3 and (cols[2] == "mail" or cols[2].startswith("mail.")):
            protocols[cols[2]] = cols[1]
        elif cols[0] == "F" and len(cols) >= 8 and cols[2].startswith("mail."):
            fields[cols[2]] = {"name": cols[1], "type": cols[3], "blurb": cols[7]}
    if "mail.smtp" not in protocols:
        raise tshark_env.Failure("tshark -G fields lists no mail.smtp protocol: is the plugin loaded?")

    experts, hf_names = source_experts()
    missing = sorted(n for n in experts if n not in fields)
    if missing:
        raise tshark_env.Failure("expert infos in plugin/**/*.c that tshark does not list (stale build?): "
                                 + ", ".join(missing))
    # tshark lists a name once: where a field and an expert info share it, the
    # field is listed and the expert text comes from the source; elsewhere the
    # source text must be what tshark says (a check of the parsing above).
    expert_text, shared = {}, set()
    for name, (_, _, summary) in experts.items():
        if name in hf_names:
            shared.add(name)
        elif fields[name]["name"] != summary:
            raise tshark_env.Failure(f"expert info {name}: text in plugin/**/*.c {summary!r} differs from "
                                     f"tshark's {fields[name]['name']!r}")
        expert_text[name] = fields[name]["name"] if name not in shared else summary

    lines = [
        "# mailwire field reference",
        "",
        f"<!-- Generated by docs/gen-fields.py from `tshark -G fields` of Wireshark {env.abi} with the plugin loaded;",
        f"     do not edit by hand. Regenerate: {REGEN} -->",
        "",
        "Every display-filter field and every expert info that mailwire registers, grouped by",
        "protocol. Use a field name in a display filter (`mail.smtp.command == \"MAIL\"`), as a",
        "column (right-click in the packet details, Apply as Column), or with `tshark -T fields -e`.",
        "An expert info is also a field: `mail.smtp.smuggling.command` as a filter finds the frames",
        "that carry it.",
        "",
    ]
    counts = []
    for prefix, title in GROUPS:
        mine = sorted(a for a in fields if group_of(a) == prefix)
        plain = [a for a in mine if a not in experts or a in shared]
        eis = [a for a in mine if a in experts]
        counts.append(f"{title.split(' (')[0]}: {len(plain)} fields, {len(eis)} expert infos")
        lines += [f"## {title}", ""]
        if prefix in protocols:
            lines += [f"Protocol `{prefix}`: {protocols[prefix]}.", ""]
        if plain:
            lines += ["### Fields", "", "| Field | Type | Name | Description |", "|---|---|---|---|"]
            for a in plain:
                f = fields[a]
                ftype = ftype_names.get(f["type"], f["type"])
                lines.append(f"| `{a}` | {cell(ftype)} | {cell(f['name'])} | {cell(f['blurb'])} |")
            lines.append("")
        if eis:
            lines += ["### Expert infos", "", "| Expert info | Group | Severity | Text |",
                      "|---|---|---|---|"]
            for a in eis:
                group, sev, _ = experts[a]
                note = " (also the name of a field)" if a in shared else ""
                lines.append(f"| `{a}` | {GROUP_TEXT.get(group, group)} | {SEVERITY_TEXT.get(sev, sev)} "
                             f"| {cell(expert_text[a])}{note} |")
            lines.append("")
    # tshark -G fields lists a name once (the built-in's): mailwire's copies of
    # the built-in names are read from plugin/*/*_dropin.c.
    for path in sorted(glob.glob(os.path.join(TOP, "plugin", "*", "*_dropin.c"))):
        proto = "mail." + os.path.basename(os.path.dirname(path))
        with open(path, encoding="utf-8") as f:
            src = f.read()
        for m in re.finditer(r'\{"([^"]*)",\s*"([a-z]+\.[a-z._]+)",\s*(FT_\w+),[^"]*"([^"]*)"', src):
            dropins[m.group(2)] = {"name": m.group(1), "type": m.group(3), "blurb": m.group(4),
                                   "proto": proto}
    if dropins:
        lines += ["## Built-in field names, also set by mailwire", "",
                  "The built-in SMTP, IMAP and POP dissectors' names, with the built-in's types, as",
                  "hidden items on mailwire's lines: saved filters and colouring rules that use them",
                  "match mailwire's frames too.", "",
                  "| Field | Type | Set by | Description |", "|---|---|---|---|"]
        for a in sorted(dropins):
            f = dropins[a]
            ftype = ftype_names.get(f["type"], f["type"])
            lines.append(f"| `{a}` | {cell(ftype)} | `{f['proto']}` | {cell(f['blurb'])} |")
        lines.append("")
        counts.append(f"Built-in field names: {len(dropins)}")
    lines[11:11] = [f"- {c}" for c in counts] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plugin", default=os.path.join(TOP, "build", "mailwire.so"))
    ap.add_argument("--check", action="store_true", help="compare with docs/fields.md instead of writing it")
    ap.add_argument("--output", default=OUT)
    args = ap.parse_args()
    try:
        with tshark_env.TsharkEnv(args.plugin) as env:
            env.check_plugin_loaded()
            text = generate(env)
    except tshark_env.Failure as e:
        tshark_env.fail_exit(str(e))
    if not args.check:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(args.output, TOP)} ({text.count(chr(10))} lines)")
        return 0
    try:
        old = open(args.output, encoding="utf-8").read()
    except OSError:
        old = ""
    m = re.search(r"tshark -G fields` of Wireshark (\d+\.\d+)", old)
    if m and m.group(1) != env.abi:
        # type names and version-dependent registrations differ between releases
        print(f"SKIP: docs/fields.md was generated with Wireshark {m.group(1)}, this is {env.abi}")
        return 77
    if old == text:
        print(f"{os.path.relpath(args.output, TOP)} is up to date")
        return 0
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                               "docs/fields.md (committed)", "docs/fields.md (generated)"))
    print(f"\nFAIL: docs/fields.md differs from the plugin's fields. Regenerate it from the repository root:\n"
          f"    {REGEN}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

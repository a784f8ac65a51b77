#!/usr/bin/env python3
"""Parse IMAP FETCH responses' BODYSTRUCTURE and list every part by position.

    bodystructure.py RESPONSES     (the server's bytes; prints one line per part)

Each "* N FETCH (... BODYSTRUCTURE (...))" gives lines such as
  msg 1 part 1.2.2 image/png | params (name "logo.png") | id "<logo@lab.test>" | description NIL |
      encoding "base64" | size 636 | lines - | md5 NIL | disposition ("inline" ("filename" "logo.png")) |
      language NIL | location NIL
  msg 1 part (top) multipart/mixed | params (boundary "=_outer") | disposition NIL | language NIL | location NIL
Part numbers are IMAP's (RFC 3501 section 6.4.5): a multipart's children are .1, .2 ...; the
body of a message/rfc822 part N is N.1 ... when multipart (the multipart itself shown as
N.(body)), N.1 when not; the top multipart is (top).  Fields are named by their position in the BODYSTRUCTURE list.
"""
import re, sys

TOK = re.compile(rb'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|\{(\d+)\}\r\n|([^\s()"{]+))')


def parse(buf, pos):
    """Parse one value at pos; returns (value, new pos).  Lists are Python lists, NIL is None."""
    m = TOK.match(buf, pos)
    if not m:
        raise ValueError(f"bad token at {pos}: {buf[pos:pos + 40]!r}")
    if m.group(1):
        out, pos = [], m.end()
        while True:
            m2 = re.compile(rb"\s*\)").match(buf, pos)
            if m2:
                return out, m2.end()
            v, pos = parse(buf, pos)
            out.append(v)
    if m.group(2):
        raise ValueError("unexpected )")
    if m.group(3) is not None:
        return ("s", re.sub(rb"\\(.)", rb"\1", m.group(3)).decode("utf-8", "replace")), m.end()
    if m.group(4):
        n = int(m.group(4))
        return ("s", buf[m.end():m.end() + n].decode("utf-8", "replace")), m.end() + n
    a = m.group(5).decode()
    return (None if a.upper() == "NIL" else ("a", a)), m.end()


def show(v):
    if v is None:
        return "NIL"
    if isinstance(v, list):
        return "(" + " ".join(show(x) for x in v) + ")"
    return '"' + v[1] + '"' if v[0] == "s" else v[1]


def low(v):
    return v[1].lower() if v and not isinstance(v, list) else ""


def ext(names, vals):
    return " | ".join(f"{n} {show(vals[i]) if i < len(vals) else '-'}" for i, n in enumerate(names))


def walk(msg, num, body, out):
    if isinstance(body[0], list):                         # multipart
        i = 0
        while i < len(body) and isinstance(body[i], list):
            i += 1
        kids, rest = body[:i], body[i:]
        label = num or "(top)"
        out.append(f"msg {msg} part {label} multipart/{low(rest[0])} | {len(kids)} children | " +
                   ext(["params", "disposition", "language", "location"], rest[1:]))
        base = num.replace(".(body)", "")
        for k, kid in enumerate(kids, 1):
            walk(msg, f"{base}.{k}" if base else str(k), kid, out)
        return
    num = num or "1"
    t, st = low(body[0]), low(body[1])
    fields = ["params", "id", "description", "encoding", "size"]
    vals = body[2:7]
    rest = body[7:]
    if t == "text":
        fields.append("lines")
        vals.append(rest[0] if rest else None)
        rest = rest[1:]
    elif t == "message" and st in ("rfc822", "global"):
        env, inner, lines = rest[0], rest[1], rest[2]
        rest = rest[3:]
        fields += ["envelope.subject", "lines"]
        vals += [env[1], lines]
    names = fields + ["md5", "disposition", "language", "location"]
    vals = vals + rest
    out.append(f"msg {msg} part {num} {t}/{st} | " + ext(names, vals))
    if t == "message" and st in ("rfc822", "global"):
        if isinstance(inner[0], list):
            walk(msg, num + ".(body)", inner, out)
        else:
            walk(msg, num + ".1", inner, out)


def main():
    buf = open(sys.argv[1], "rb").read()
    for m in re.finditer(rb"^\* (\d+) FETCH \(", buf, re.M):
        msg = int(m.group(1))
        items, _ = parse(buf, m.end() - 1)
        for i in range(0, len(items) - 1, 2):
            if low(items[i]) == "bodystructure":
                out = []
                body = items[i + 1]
                walk(msg, "", body, out)
                print("\n".join(out))


if __name__ == "__main__":
    main()

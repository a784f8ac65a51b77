#!/usr/bin/env python3
"""The Elasticsearch/OpenSearch index template for mailwire's -T ek output (README).

    check.py --plugin build/mailwire.so [--captures captures]

With tshark and the built plugin (as nobody under root, tests/dissect/tshark_env.py):
  - `tshark -G elastic-mapping --elastic-mapping-filter mail,mail.smtp,mail.imap,mail.pop`
    runs and prints JSON (what it gets wrong for -T ek is printed as notes);
  - scripts/es-template.py turns it into a template that is JSON without repeated keys and
    maps every field mailwire registers (`tshark -G fields`, all but labels) under the key
    and the layer -T ek writes it with, keeping the types tshark gave;
  - the -T ek documents of lab captures, as the README makes them, hold no mailwire value
    the template does not map, numbers where it says long or double, and bulk action lines
    for an index its pattern matches.
Exit status 0 when all holds, 1 when a check failed, 2 when the environment is broken.
"""
import argparse
import collections
import fnmatch
import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "dissect"))
sys.path.insert(0, os.path.join(TOP, "scripts"))
import tshark_env  # noqa: E402
import importlib.util  # noqa: E402

spec = importlib.util.spec_from_file_location("es_template", os.path.join(TOP, "scripts", "es-template.py"))
es_template = importlib.util.module_from_spec(spec)
spec.loader.exec_module(es_template)

CAPTURES = ["smtp-plain-session.pcapng", "smtp-smuggle-02-lf-dot-crlf.pcapng",
            "smtp-starttls-injection.pcapng", "imap-login-select-fetch.pcapng",
            "imap-append.pcapng", "pop-user-pass.pcapng", "pop-anomalous-terminators.pcapng"]
# the README's command, but the file
EK_ARGS = ["-2", "-Y", "mail.smtp || mail.imap || mail.pop", "-T", "ek",
           "-J", "frame ip ipv6 tcp mail.smtp mail.imap mail.pop"]


def strict_json(text):
    """Parse JSON, failing on a repeated key (as Elasticsearch does)."""
    def hook(pairs):
        seen = collections.Counter(k for k, _ in pairs)
        dup = [k for k, n in seen.items() if n > 1]
        if dup:
            raise ValueError(f"repeated key(s) {dup}")
        return dict(pairs)
    return json.loads(text, object_pairs_hook=hook)


def walk(node, prefix=""):
    """(key, value) of every leaf of one -T ek layer; objects nest (expert infos, the IMF
    tree) and may come as lists of objects."""
    items = node if isinstance(node, list) else [node]
    for item in items:
        if not isinstance(item, dict):
            yield prefix.rstrip("."), item
            continue
        for k, v in item.items():
            if isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, dict) for x in v)):
                yield from walk(v, prefix + k + ".")
            else:
                yield prefix + k, v


def mapped_type(props, dotted):
    """The type the template gives a leaf; "not indexed" under a disabled object."""
    node = {"properties": props}
    for part in dotted.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            return None
        if node.get("enabled") is False:
            return "not indexed"
    return node.get("type")


def present(v):
    return any(x is not None for x in v) if isinstance(v, list) else v is not None


def value_fits(t, v):
    for x in (v if isinstance(v, list) else [v]):
        if x is None:
            continue
        if t in ("long", "integer", "short", "byte"):
            if isinstance(x, bool) or not re.fullmatch(r"-?\d+", str(x)):
                return False
        elif t == "double":
            try:
                float(x)
            except ValueError:
                return False
        elif t == "boolean" and not isinstance(x, bool):
            return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--captures", default=os.path.join(TOP, "captures"))
    args = ap.parse_args()
    check = tshark_env.Checklist()
    env = tshark_env.env_or_exit(args.plugin)
    try:
        env.check_plugin_loaded()
        rc, mapping, err = env.run(["-G", "elastic-mapping", "--elastic-mapping-filter",
                                    ",".join(es_template.PROTOS)])
        check(rc == 0, f"tshark -G elastic-mapping runs (rc {rc} {err.strip()[:300]})")
        try:
            json.loads(mapping)
            check(True, "tshark's mapping is JSON")
        except ValueError as e:
            check(False, f"tshark's mapping is JSON ({e})")
        try:
            strict_json(mapping)
        except ValueError as e:
            print(f"note tshark's mapping as such: {e} (Elasticsearch rejects repeated keys)")
        layers = es_template.read_mapping(mapping)
        dotted = sorted(k for k in layers if "." in k)
        if dotted:
            print(f"note tshark's mapping names layers {dotted}; -T ek writes them with underscores")

        rc, fields, err = env.run(["-G", "fields"])
        check(rc == 0, f"tshark -G fields runs (rc {rc})")
        ours = es_template.read_fields(fields)
        check(len(ours) > 100, f"tshark -G fields lists mailwire's fields ({len(ours)})")

        text = json.dumps(es_template.build(mapping, fields, "packets-*"), indent=2)
        try:
            tpl = strict_json(text)
            check(True, "the template is JSON without repeated keys")
        except ValueError as e:
            tshark_env.fail_exit(f"the template is not strict JSON: {e}")
        props = tpl["template"]["mappings"]["properties"]["layers"]["properties"]

        missing, changed = [], []
        for name, ftype, proto in ours:
            if ftype in es_template.SKIP_TYPES:
                continue
            key = es_template.ek_field(proto, name)
            where = ["mail_smtp", "mail_imap", "mail_pop", "mail"] if proto == "mail" else [es_template.ek_layer(proto)]
            for layer in where:
                t = props.get(layer, {}).get("properties", {}).get(key, {}).get("type")
                if t is None:
                    missing.append(f"{layer}.{key} ({ftype})")
                gave = layers.get(proto, {}).get(key, {}).get("type")
                # deliberate: seconds as double, not date; hex text as keyword, not a number
                if t and gave and t != gave and ftype not in ("FT_RELATIVE_TIME", "FT_BYTES"):
                    changed.append(f"{layer}.{key}: {t}, tshark says {gave}")
        n = sum(1 for _, t, _ in ours if t not in es_template.SKIP_TYPES)
        check(not missing, f"the template maps all {n} mailwire fields that carry a value"
              + (f"; missing: {missing[:20]}" if missing else ""))
        check(not changed, "the template keeps tshark's types" + (f"; changed: {changed}" if changed else ""))

        pattern = tpl["index_patterns"][0]
        unmapped, wrong, docs, actions = collections.Counter(), [], 0, []
        for capture in CAPTURES:
            rc, out, err = env.run(["-r", env.capture(os.path.join(args.captures, capture))] + EK_ARGS)
            check(rc == 0, f"tshark -T ek {capture} (rc {rc} {err.strip()[:200]})")
            for line in out.splitlines():
                if not line.strip():
                    continue
                d = json.loads(line.replace(',"_type":"doc"', ""))
                if "index" in d:
                    actions.append(d)
                    continue
                docs += 1
                for layer, body in d.get("layers", {}).items():
                    if not layer.startswith("mail"):
                        continue
                    for key, value in walk(body):
                        if not present(value):
                            continue    # labels and expert names: nothing to index
                        t = mapped_type(props, f"{layer}.{key}")
                        if t is None:
                            unmapped[f"{layer}.{key}"] += 1
                        elif not value_fits(t, value):
                            wrong.append(f"{capture}: {layer}.{key} = {value!r} is not {t}")
        check(docs > 50, f"-T ek wrote documents for the lab captures ({docs})")
        check(not unmapped, "every mailwire value in the documents has a mapping"
              + (f"; unmapped: {dict(unmapped.most_common())}" if unmapped else ""))
        check(not wrong, "every value fits its mapped type" + (f"; {wrong[:10]}" if wrong else ""))
        bad = [a for a in actions if set(a) != {"index"} or set(a["index"]) != {"_index"}
               or not fnmatch.fnmatch(a["index"]["_index"], pattern)]
        check(actions and not bad, f"{len(actions)} bulk action lines index into {pattern} without _type"
              + (f"; {bad[:3]}" if bad else ""))
    except (tshark_env.Failure, OSError, KeyError) as e:
        tshark_env.fail_exit(f"{type(e).__name__}: {e}")
    finally:
        env.close()
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""An Elasticsearch/OpenSearch index template for mailwire's `tshark -T ek` output.

    python3 scripts/es-template.py > mailwire-template.json
    python3 scripts/es-template.py --mapping MAPPING.json --fields FIELDS.txt > mailwire-template.json

Starts from `tshark -G elastic-mapping --elastic-mapping-filter mail,mail.smtp,mail.imap,mail.pop`
(run by this script, or read from --mapping) and `tshark -G fields` (or --fields), and fixes
what keeps that mapping from matching the documents `tshark -T ek` writes (Wireshark 4.0):
  - it can name a protocol twice (duplicate JSON keys, which Elasticsearch rejects): merged;
  - its protocol keys have dots ("mail.smtp"), which Elasticsearch reads as an object path,
    while -T ek writes "mail_smtp": renamed;
  - the fields of the shared protocol "mail" (line ends, stream facts) sit in -T ek inside the
    SMTP, IMAP and POP3 layers: mapped there too;
  - it leaves out text and byte fields, which "dynamic": false would then not index: mapped
    as keyword; relative times (seconds) as double rather than date;
  - tshark maps byte fields as "byte" (a number) although -T ek writes them as hex text:
    mapped as keyword;
  - expert infos (message, severity, group) and a few fields of frame, IP and TCP to find a
    session by; Wireshark's IMF tree, nested in each message's layer, is kept but not indexed.
Writes a composable index template for the indices -T ek names (packets-YYYY-MM-DD).
Run it as the user whose tshark loads mailwire (tshark run as root ignores personal plugins).
"""
import argparse
import json
import subprocess
import sys

PROTOS = ["mail", "mail.smtp", "mail.imap", "mail.pop"]
SKIP_TYPES = {"FT_NONE", "FT_PROTOCOL"}
KEYWORD = {"type": "keyword", "ignore_above": 8191}   # 8191 characters stay under Lucene's 32766 bytes
BY_TYPE = {
    "FT_BOOLEAN": {"type": "boolean"},
    "FT_FRAMENUM": {"type": "long"},
    "FT_RELATIVE_TIME": {"type": "double"},
    "FT_ABSOLUTE_TIME": {"type": "date"},
    "FT_IPv4": {"type": "ip"},
    "FT_IPv6": {"type": "ip"},
    "FT_FLOAT": {"type": "double"},
    "FT_DOUBLE": {"type": "double"},
}
for bits in ("8", "16", "24", "32", "40", "48", "56", "64"):
    BY_TYPE["FT_UINT" + bits] = {"type": "long"}
    BY_TYPE["FT_INT" + bits] = {"type": "long"}
# where to find a session: kept small on purpose
CONTEXT = {
    "frame": {"frame_frame_number": {"type": "long"}, "frame_frame_time_epoch": {"type": "double"},
              "frame_frame_protocols": KEYWORD},
    "ip": {"ip_ip_src": {"type": "ip"}, "ip_ip_dst": {"type": "ip"}},
    "ipv6": {"ipv6_ipv6_src": {"type": "ip"}, "ipv6_ipv6_dst": {"type": "ip"}},
    "tcp": {"tcp_tcp_stream": {"type": "long"}, "tcp_tcp_srcport": {"type": "long"},
            "tcp_tcp_dstport": {"type": "long"}},
}
EXPERT = {"properties": {"_ws_expert__ws_expert_message": KEYWORD,
                         "_ws_expert__ws_expert_severity": {"type": "long"},
                         "_ws_expert__ws_expert_group": {"type": "long"}}}


def ek_layer(proto):
    return proto.replace(".", "_")


def ek_field(proto, field):
    """The key -T ek gives a field: its protocol and its name, dots made underscores."""
    return ek_layer(proto) + "_" + field.replace(".", "_")


def read_mapping(text):
    """tshark's mapping as {layer: {ek field: mapping}}; a layer named twice keeps the
    fields of both (the JSON is read as lists of pairs so that no repeated key is lost)."""
    def get(pairs, key):
        return [v for k, v in pairs if k == key]
    raw = json.loads(text, object_pairs_hook=lambda pairs: pairs)
    layers = {}
    for mappings in get(raw, "mappings"):
        for props in get(mappings, "properties"):
            for lay in get(props, "layers"):
                for lprops in get(lay, "properties"):
                    for layer_name, layer in lprops:
                        for fprops in get(layer, "properties"):
                            for fname, ftype in fprops:
                                layers.setdefault(layer_name, {})[fname] = dict(ftype)
    return layers


# The built-in dissectors' field names mailwire registers too (plugin/*/*_dropin.c):
# tshark -G fields lists each name once, under the built-in protocol, but -T ek
# writes mailwire's copies in mailwire's layers (mail_smtp.mail_smtp_smtp_req_command).
DROPIN = {
    "smtp": ["smtp.req", "smtp.rsp", "smtp.req.command", "smtp.req.parameter", "smtp.response",
             "smtp.response.code", "smtp.rsp.parameter", "smtp.auth.username", "smtp.auth.password",
             "smtp.command_line", "smtp.eom"],
    "imap": ["imap.request", "imap.request_tag", "imap.request.command",
             "imap.request.command.uid", "imap.request.username", "imap.request.password",
             "imap.response", "imap.response_tag", "imap.response.status", "imap.isrequest",
             "imap.line", "imap.tag", "imap.command", "imap.response.command",
             "imap.request.folder", "imap.response_in", "imap.response_to", "imap.time"],
    "pop": ["pop.request", "pop.request.command", "pop.request.parameter", "pop.response",
            "pop.response.indicator", "pop.response.description"],
}


def read_fields(text):
    """mailwire's fields from `tshark -G fields`: [(name, type, protocol)]."""
    out = []
    for line in text.splitlines():
        c = line.split("\t")
        if len(c) >= 5 and c[0] == "F" and c[4] in PROTOS:
            out.append((c[2], c[3], c[4]))
        elif len(c) >= 5 and c[0] == "F" and c[2] in DROPIN.get(c[4], ()):
            out.append((c[2], c[3], "mail." + c[4]))
    return out


def build(mapping_text, fields_text, pattern):
    tshark_types = {}
    for layer, fields in read_mapping(mapping_text).items():
        for fname, ftype in fields.items():
            tshark_types[fname] = ftype
    fields = read_fields(fields_text)
    if not fields:
        raise SystemExit("es-template: tshark -G fields lists no mailwire field: is the plugin loaded? "
                         "(tshark run as root ignores personal plugin folders)")
    per_proto = {p: {} for p in PROTOS}
    for name, ftype, proto in fields:
        if ftype in SKIP_TYPES:
            continue
        key = ek_field(proto, name)
        if ftype in BY_TYPE and ftype not in ("FT_RELATIVE_TIME", "FT_BYTES") and key in tshark_types:
            m = tshark_types[key]
        elif ftype in BY_TYPE:
            m = BY_TYPE[ftype]
        else:
            m = KEYWORD
        per_proto[proto][key] = m
    layers = {}
    for proto in PROTOS[1:]:
        props = dict(per_proto[proto])
        props.update(per_proto["mail"])        # shared fields nest in each protocol's tree
        props["_ws_expert"] = EXPERT
        # Wireshark's IMF tree of each message nests here: kept in _source, not indexed
        # (mailwire's own mail.header.* fields are)
        props["imf"] = {"type": "object", "enabled": False}
        layers[ek_layer(proto)] = {"properties": dict(sorted(props.items()))}
    layers["mail"] = {"properties": dict(sorted(per_proto["mail"].items()))}
    for layer, props in CONTEXT.items():
        layers[layer] = {"properties": props}
    return {
        "index_patterns": [pattern],
        "template": {
            "settings": {"index.mapping.total_fields.limit": 10000},
            "mappings": {
                "dynamic": False,
                "properties": {"timestamp": {"type": "date"}, "layers": {"properties": layers}},
            },
        },
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mapping", help="output of tshark -G elastic-mapping --elastic-mapping-filter "
                    + ",".join(PROTOS))
    ap.add_argument("--fields", help="output of tshark -G fields")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--index-pattern", default="packets-*")
    args = ap.parse_args()

    def tshark(*a):
        return subprocess.run([args.tshark] + list(a), capture_output=True, text=True, check=True).stdout
    mapping = open(args.mapping).read() if args.mapping else \
        tshark("-G", "elastic-mapping", "--elastic-mapping-filter", ",".join(PROTOS))
    fields = open(args.fields).read() if args.fields else tshark("-G", "fields")
    json.dump(build(mapping, fields, args.index_pattern), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

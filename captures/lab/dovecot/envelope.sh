#!/bin/bash
# An IMAP capture of a client ID and of an ENVELOPE whose address fields and
# subject hold RFC 2047 encoded words, inside the lab's private network
# namespace (loopback only).  Run as root:
#   captures/lab/dovecot/envelope.sh
#   imap-envelope-2047: n1 ID (name, version, os), n2 LOGIN, n3 SELECT INBOX,
#                       n4 FETCH 1 (UID ENVELOPE) of imap-envelope-2047.eml,
#                       n5 UID SEARCH UID 1,3,...,3999 (a command line over 8192 octets), n6 LOGOUT
# The server's lines go to captures/lab/dovecot/NAME.facts.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/dovecot-lab.sh"
NAME=imap-envelope-2047

lab_ns_up
lab_make_cert
dv_write_conf
dv_seed bob "$MSG_DIR/imap-envelope-2047.eml"
chmod -R a+rX "$LAB_WORK"
dv_start

lab_in_ns python3 "$HERE/envclient.py" warm /dev/null >/dev/null || lab_die "warm-up failed"
tmp=$LAB_WORK/$NAME.pcapng
lab_log "recording $NAME"
lab_capture_start "$tmp" "tcp port 143"
lab_in_ns python3 "$HERE/envclient.py" envelope "$LAB_WORK/$NAME.resp" >"$LAB_WORK/$NAME.log" 2>&1 ||
    { cat "$LAB_WORK/$NAME.log" >&2; lab_die "$NAME: client failed"; }
lab_capture_stop
chmod 644 "$tmp"
mv "$tmp" "$CAPTURES_DIR/$NAME.pcapng"
{
    echo "# $NAME.pcapng: facts for assertions (written by envelope.sh)"
    echo "# mailbox: imap-envelope-2047.eml (captures/lab/messages), UID 1"
    echo "# tags: n1 ID (\"name\" \"mailwire-lab\" \"version\" \"2.0\" \"os\" \"Linux\"), n2 LOGIN, n3 SELECT INBOX,"
    echo "#       n4 FETCH 1 (UID ENVELOPE), n5 UID SEARCH UID 1,3,...,3999, n6 LOGOUT"
    python3 -c 'n = len(("n5 UID SEARCH UID " + ",".join(str(i) for i in range(1, 4000, 2)) + "\r\n").encode()); print(f"# n5 command line: {n} octets with its CRLF")' 
    echo "## The header fields of the message, decoded by Python's email package (independently of mailwire)"
    python3 - "$MSG_DIR/imap-envelope-2047.eml" <<'PY'
import email, email.header, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
for h in ("Subject", "From", "Sender", "Reply-To", "To", "Cc"):
    print(f"{h}: {email.header.make_header(email.header.decode_header(m[h]))}")
PY
    echo "## The server's lines as sent (the greeting and the CAPABILITY lists left out)"
    tr -d '\r' <"$LAB_WORK/$NAME.resp" | grep -v '^\* OK \[CAPABILITY\|^\* CAPABILITY'
} >"$HERE/$NAME.facts"

dv_stop
lab_log "done"

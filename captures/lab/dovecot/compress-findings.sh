#!/bin/bash
# IMAP COMPRESS=DEFLATE from a real Dovecot (imap_zlib), with what makes the
# findings of a plain session sent inside the deflated stream: a command in
# the wrong state, an unknown command (both answered BAD), a command line of
# 54 464 octets, a tag reused while in flight.  Inside the lab's private
# network namespace (loopback only).  Run as root:
#   captures/lab/dovecot/compress-findings.sh
# Writes captures/imap-compress-findings.pcapng and its facts
# (captures/lab/dovecot/imap-compress-findings.facts).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/dovecot-lab.sh"

NAME=imap-compress-findings
python3 "$HERE/gen-compress-messages.py" >/dev/null

lab_ns_up
lab_make_cert
dv_write_conf
cat >>"$DV_CONF" <<'CONF'
# COMPRESS=DEFLATE after login (the plugin is a post-login one)
protocol imap {
  mail_plugins = $mail_plugins imap_zlib
}
CONF
chmod -R a+rX "$LAB_WORK"
dv_start
dv_seed bob "$MSG_DIR/imap-compress-seed-2.eml"

tmp=$LAB_WORK/$NAME.pcapng
lab_log "recording $NAME"
lab_capture_start "$tmp" "tcp port 143"
lab_in_ns python3 "$HERE/compressfindings.py" "$LAB_WORK/client.facts" \
    >"$LAB_WORK/client.log" 2>&1 || { cat "$LAB_WORK/client.log" >&2; lab_die "client failed"; }
lab_capture_stop
chmod 644 "$tmp"
mv "$tmp" "$CAPTURES_DIR/$NAME.pcapng"
{
    echo "# $NAME.pcapng: facts for assertions (written by compress-findings.sh)"
    echo "# Dovecot $(dovecot --version | cut -d' ' -f1), imap_zlib; user bob; client compressfindings.py"
    echo "# mailbox: imap-compress-seed-2.eml (captures/lab/messages), UID 1"
    echo
    echo "## Commands (C) and the server's lines (S) in order, inflated (the CAPABILITY lists cut)"
    cut -c1-200 "$LAB_WORK/client.facts"
    echo
    echo "## Per frame (inflated by deflate-tool.py with Python's zlib, independently of mailwire)"
    python3 "$HERE/deflate-tool.py" facts "$CAPTURES_DIR/$NAME.pcapng"
} >"$HERE/$NAME.facts"

dv_stop
lab_log "done"

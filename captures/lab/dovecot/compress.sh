#!/bin/bash
# IMAP COMPRESS=DEFLATE (RFC 4978) from a real Dovecot with the imap_zlib plugin
# (Debian's dovecot-imapd ships lib30_imap_zlib_plugin.so), inside the lab's
# private network namespace (loopback only).  Run as root:
#   captures/lab/dovecot/compress.sh
# Writes captures/imap-compress-deflate.pcapng and its facts
# (captures/lab/dovecot/imap-compress-deflate.facts), then the crafted
# captures/imap-compress-corrupt.pcapng (one server segment of the real capture
# made an invalid deflate block) and imap-compress-corrupt.facts.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/dovecot-lab.sh"

NAME=imap-compress-deflate
BAD=imap-compress-corrupt
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
MSGS=$LAB_WORK/messages
mkdir -p "$MSGS"
cp "$MSG_DIR"/imap-compress-*.eml "$MSGS"/
chmod -R a+rX "$LAB_WORK"
dv_start
dv_seed bob "$MSGS/imap-compress-fetch.eml" "$MSGS/imap-compress-seed-2.eml"

tmp=$LAB_WORK/$NAME.pcapng
lab_log "recording $NAME"
lab_capture_start "$tmp" "tcp port 143"
lab_in_ns python3 "$HERE/compressclient.py" "$MSGS" "$LAB_WORK/client.facts" "$LAB_WORK/fetched.eml" \
    >"$LAB_WORK/client.log" 2>&1 || { cat "$LAB_WORK/client.log" >&2; lab_die "client failed"; }
lab_capture_stop
chmod 644 "$tmp"
mv "$tmp" "$CAPTURES_DIR/$NAME.pcapng"

cmp -s "$LAB_WORK/fetched.eml" "$MSGS/imap-compress-fetch.eml" ||
    lab_die "the fetched message differs from imap-compress-fetch.eml"
FACTS=$HERE/$NAME.facts
{
    echo "# $NAME.pcapng: facts for assertions (written by compress.sh)"
    echo "# Dovecot $(dovecot --version | cut -d' ' -f1), imap_zlib; user bob; client compressclient.py"
    echo
    echo "## Commands and responses in order (A = compressed connection, B = plain second connection)"
    cat "$LAB_WORK/client.facts"
    echo
    echo "## The fetched message (FETCH 1 BODY[] literal) is byte-identical to captures/lab/messages/imap-compress-fetch.eml"
    f=$LAB_WORK/fetched.eml
    echo "size $(stat -c %s "$f")"
    echo "md5 $(md5sum <"$f" | cut -d' ' -f1)"
    echo "sha1 $(sha1sum <"$f" | cut -d' ' -f1)"
    echo "sha256 $(sha256sum <"$f" | cut -d' ' -f1)"
    a=$MSGS/imap-compress-append.eml
    echo "## The APPEND literal is captures/lab/messages/imap-compress-append.eml: size $(stat -c %s "$a") sha256 $(sha256sum <"$a" | cut -d' ' -f1)"
    echo
    echo "## Per frame (inflated by deflate-tool.py with Python's zlib, independently of mailwire)"
    python3 "$HERE/deflate-tool.py" facts "$CAPTURES_DIR/$NAME.pcapng"
} >"$FACTS"

lab_log "crafting $BAD"
{
    echo "# $BAD.pcapng: crafted from $NAME.pcapng by deflate-tool.py corrupt (compress.sh)"
    python3 "$HERE/deflate-tool.py" corrupt "$CAPTURES_DIR/$NAME.pcapng" "$CAPTURES_DIR/$BAD.pcapng" ||
        lab_die "crafting failed"
    echo "# Everything else is byte-identical to $NAME.pcapng: the client side inflates to the end;"
    echo "# the server side cannot be inflated from that frame on."
    echo
    python3 "$HERE/deflate-tool.py" facts "$CAPTURES_DIR/$BAD.pcapng"
} >"$HERE/$BAD.facts"
chmod 644 "$CAPTURES_DIR/$BAD.pcapng"

dv_stop
[ -n "${LAB_DOVECOT_LOG:-}" ] && cp "$DV_DIR/dovecot.log" "$LAB_DOVECOT_LOG"
lab_log "done"

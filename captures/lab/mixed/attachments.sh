#!/bin/bash
# One message with attachments followed across protocols: submitted by SMTP to a
# real Postfix (virtual delivery into Dovecot's Maildirs for bob and carol), then
# fetched by IMAP (bob) and by POP3 (carol) from a real Dovecot, all in one
# capture, inside the lab's private network namespace (loopback only).  Run as root:
#   captures/lab/mixed/attachments.sh
# Writes captures/mixed-smtp-imap-pop-attachments.pcapng and
# captures/lab/mixed/mixed-smtp-imap-pop-attachments.facts (attachment names,
# sizes and hashes from gen-attachments.py; how Postfix and Dovecot changed the
# message on the way).  Nothing under /etc is changed.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/../dovecot/dovecot-lab.sh"
. "$HERE/../smtp/servers.sh"
# One Dovecot serves IMAP, POP3 and Postfix's SASL socket.
DC_DIR=$DV_DIR

NAME=mixed-smtp-imap-pop-attachments
MSG=$MSG_DIR/mixed-attachments.eml
FACTS=$HERE/$NAME.facts
python3 "$HERE/gen-attachments.py" >"$LAB_WORK.parts" || lab_die "generator failed"

lab_ns_up
mv "$LAB_WORK.parts" "$LAB_WORK/parts.txt"
lab_make_cert
dv_write_conf
cat >>"$DV_CONF" <<CONF
service auth {
  unix_listener $DV_DIR/auth-client {
    mode = 0666
  }
}
CONF
pf_write_config
# Postfix's virtual(8) delivers straight into the Maildirs Dovecot reads.
printf '%s\n' "bob@lab.test bob/Maildir/" "carol@lab.test carol/Maildir/" >"$PF_DIR/etc/vmailbox"
postconf -c "$PF_DIR/etc" -e "virtual_mailbox_base = $DV_DIR/home"
dv_seed bob
dv_seed carol
chmod -R a+rX "$LAB_WORK"
dv_start
lab_in_ns postfix -c "$PF_DIR/etc" start 2>"$LAB_WORK/postfix-start.log" ||
    { cat "$LAB_WORK/postfix-start.log" >&2; lab_die "postfix did not start"; }
trap 'lab_in_ns postfix -c "$PF_DIR/etc" stop 2>/dev/null; dv_stop; lab_ns_down' EXIT
for _ in $(seq 50); do lab_in_ns ss -Hltn 'sport = :25' | grep -q 127.0.0.1 && break; sleep 0.1; done

OUT=$LAB_WORK/out
mkdir -p "$OUT"
tmp=$LAB_WORK/$NAME.pcapng
lab_log "recording $NAME"
lab_capture_start "$tmp" "tcp port 25 or tcp port 143 or tcp port 110"
lab_in_ns python3 "$HERE/attachclient.py" smtp "$MSG" "$OUT" >"$LAB_WORK/smtp.log" 2>&1 ||
    { cat "$LAB_WORK/smtp.log" >&2; lab_die "SMTP client failed"; }
# Wait for both deliveries before fetching.
for _ in $(seq 100); do
    [ "$(find "$DV_DIR/home/bob/Maildir/new" "$DV_DIR/home/carol/Maildir/new" -type f | wc -l)" = 2 ] && break
    sleep 0.1
done
sleep 0.5
lab_in_ns python3 "$HERE/attachclient.py" fetch "$MSG" "$OUT" >"$LAB_WORK/fetch.log" 2>&1 ||
    { cat "$LAB_WORK/fetch.log" >&2; lab_die "IMAP/POP3 client failed"; }
lab_capture_stop
chmod 644 "$tmp"
mv "$tmp" "$CAPTURES_DIR/$NAME.pcapng"
cp "$PF_DIR/maillog" "$LAB_WORK/maillog.txt"

python3 "$HERE/copies.py" "$MSG" "$OUT" "$LAB_WORK/parts.txt" "$LAB_WORK/maillog.txt" \
    "$CAPTURES_DIR/$NAME.pcapng" >"$FACTS" || lab_die "facts failed"
lab_log "done"

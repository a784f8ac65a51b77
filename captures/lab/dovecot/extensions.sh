#!/bin/bash
# An IMAP capture of the extensions a real Dovecot announces, inside the lab's
# private network namespace (loopback only).  Run as root:
#   captures/lab/dovecot/extensions.sh
#   imap-dovecot-extensions: ID, NAMESPACE, ENABLE CONDSTORE QRESYNC (ENABLED),
#                            SELECT (CONDSTORE) with HIGHESTMODSEQ, an ESEARCH
#                            (UID SEARCH RETURN (MIN MAX COUNT ALL)), FETCH with
#                            MODSEQ, VANISHED after EXPUNGE and VANISHED (EARLIER)
#                            after UID FETCH (CHANGEDSINCE 1 VANISHED)
# The server's lines go to captures/lab/dovecot/NAME.facts.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/dovecot-lab.sh"
NAME=imap-dovecot-extensions

python3 "$HERE/gen-messages.py" >/dev/null
lab_ns_up
lab_make_cert
dv_write_conf
dv_seed bob "$MSG_DIR"/imap-inbox-{1,2,3}.eml
chmod -R a+rX "$LAB_WORK"
dv_start

lab_in_ns python3 "$HERE/extclient.py" warm /dev/null >/dev/null || lab_die "warm-up failed"
tmp=$LAB_WORK/$NAME.pcapng
lab_log "recording $NAME"
lab_capture_start "$tmp" "tcp port 143"
lab_in_ns python3 "$HERE/extclient.py" extensions "$LAB_WORK/$NAME.resp" >"$LAB_WORK/$NAME.log" 2>&1 ||
    { cat "$LAB_WORK/$NAME.log" >&2; lab_die "$NAME: client failed"; }
lab_capture_stop
chmod 644 "$tmp"
mv "$tmp" "$CAPTURES_DIR/$NAME.pcapng"
{
    echo "# $NAME.pcapng: facts for assertions (written by extensions.sh)"
    echo "# mailbox: imap-inbox-{1,2,3}.eml (captures/lab/messages), UIDs 1-3"
    echo "# tags: e1 ID, e2 LOGIN, e3 NAMESPACE, e4 ENABLE CONDSTORE QRESYNC, e5 SELECT INBOX (CONDSTORE),"
    echo "#       e6 UID SEARCH RETURN (MIN MAX COUNT ALL) ALL, e7 UID STORE 2 +FLAGS (\\Flagged),"
    echo "#       e8 UID FETCH 1:* (FLAGS MODSEQ), e9 UID STORE 3 +FLAGS.SILENT (\\Deleted), e10 EXPUNGE,"
    echo "#       e11 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED), e12 LOGOUT"
    echo "## The server's lines as sent (the greeting and the CAPABILITY lists left out)"
    tr -d '\r' <"$LAB_WORK/$NAME.resp" | grep -v '^\* OK \[CAPABILITY\|^\* CAPABILITY'
} >"$HERE/$NAME.facts"

dv_stop
lab_log "done"

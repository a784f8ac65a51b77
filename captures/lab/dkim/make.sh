#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Record the DKIM captures: messages signed with python3-dkim (committed test
# keys in keys/), sent to a real Postfix, delivered over LMTP to Dovecot and
# fetched over IMAP and POP3; and a capture with the key's DNS answer (dnsmasq
# inside the namespace).  Run as root:  captures/lab/dkim/make.sh [NAME...]
# Needs the packages of captures/lab/setup.sh.  Prints python3-dkim's verdict
# for every signature, as sent and as fetched; LAB_LOG_DIR=DIR keeps them with
# the server logs and the fetched messages.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/../plumbing/servers.sh"
WANT=" ${*:-} "
want() { [ "$WANT" = "  " ] || [[ "$WANT" == *" $1 "* ]]; }
DK="$PL_PY $HERE/dkimlab.py"

# The messages and the keys file are committed; regenerating them gives the same bytes.
$DK messages
mapfile -t TXT < <($DK keys)

lab_ns_up
pl_servers_up
pl_dns_up "${TXT[@]}"
trap 'pl_servers_down; lab_ns_down' EXIT
FETCHED=$LAB_WORK/fetched
mkdir -p "$FETCHED"
chmod 755 "$LAB_WORK" "$FETCHED"

dk() { lab_in_ns env LAB_PF_QUEUE="$PF_DIR/queue" $DK "$@"; }
# rec NAME FILTER STEP...: record STEP as captures/NAME.pcapng; a sending step
# that is not wanted still runs, unrecorded, so the mailboxes are always full.
rec() {
    local name=$1 filter=$2; shift 2
    if want "$name"; then pl_record "$name" "$filter" dk "$@"
    elif [ "$1" = send ]; then dk "$@" >/dev/null 2>&1 || lab_die "$name: sending failed"
    fi
}

rec dkim-smtp-valid    "tcp port 25" send dkim-rsa-relaxed dkim-rsa-simple dkim-ed25519 dkim-dual \
                                          dkim-body-edges-simple dkim-body-edges-relaxed
rec dkim-smtp-tampered "tcp port 25" send dkim-body-altered dkim-length-appended dkim-header-altered
rec dkim-imap-fetch    "tcp port 143" imap "$FETCHED"
rec dkim-pop-retr      "tcp port 110" pop "$FETCHED"
rec dkim-dns-key       "tcp port 25 or udp port 53" dns-session
# Last, so the mailboxes fetched above hold only the messages before it.
rec dkim-smtp-weak     "tcp port 25" send dkim-weak-sha1 dkim-weak-short-key dkim-expired \
                                          dkim-malformed

lab_log "python3-dkim verdicts, messages as sent:"
$DK verdicts "$CAPTURES_DIR"/lab/messages/dkim-*.eml | tee "$LAB_WORK/verdicts.txt"
if ls "$FETCHED"/*.eml >/dev/null 2>&1; then
    lab_log "python3-dkim verdicts, messages as fetched over IMAP (bob) and POP3 (carol):"
    $DK verdicts "$FETCHED"/*.eml | tee -a "$LAB_WORK/verdicts.txt"
fi
if [ -n "${LAB_LOG_DIR:-}" ]; then cp -r "$FETCHED" "$LAB_WORK/verdicts.txt" "$LAB_WORK/dnsmasq.log" "$LAB_LOG_DIR/"; fi
lab_log "done"

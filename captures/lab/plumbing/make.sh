#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Record the plumbing captures (LMTP, PROXY v1/v2, XCLIENT, XFORWARD) from a
# real Postfix and Dovecot inside a private network namespace (loopback only).
# Run as root:  captures/lab/plumbing/make.sh [NAME...]   (none = all)
# What IMAP and POP3 find in the mailboxes (proxy-dovecot-imap-pop) comes from
# the deliveries of the captures recorded before it in a full run.
# Needs the packages of captures/lab/setup.sh.  LAB_LOG_DIR=DIR keeps the
# server log lines and the client's transcript of each capture.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/servers.sh"
WANT=" ${*:-} "
want() { [ "$WANT" = "  " ] || [[ "$WANT" == *" $1 "* ]]; }

lab_ns_up
pl_servers_up
trap 'pl_servers_down; lab_ns_down' EXIT

py() { lab_in_ns "$PL_PY" "$HERE/plumblab.py" "$1"; }
rec() { local name=$1 filter=$2; shift 2; want "$name" && pl_record "$name" "$filter" py "$@"; }

rec lmtp-postfix-to-dovecot   "tcp port 25 or tcp port 24" postfix-lmtp
rec lmtp-dovecot-smtplib      "tcp port 24"                lmtp-smtplib
rec lmtp-dovecot-pipelined    "tcp port 24"                lmtp-pipelined
rec proxy-postfix-ipv4        "tcp port 25 and host 127.0.0.5" proxy-postfix-ipv4
rec proxy-postfix-ipv6        "tcp port 25 and ip6"        proxy-postfix-ipv6
rec proxy-postfix-bad-header  "tcp port 25 and host 127.0.0.5" proxy-postfix-bad
rec proxy-dovecot-imap-pop    "host 127.0.0.5 and (tcp port 143 or tcp port 110)" proxy-dovecot
rec xclient-postfix           "tcp port 25"                xclient
rec xforward-postfix          "tcp port 25"                xforward

# What the mailboxes got (Received headers show whom Postfix took as the client).
if [ -n "${LAB_LOG_DIR:-}" ]; then cp -r "$DV_DIR/home" "$LAB_LOG_DIR/mailboxes"; fi
lab_log "done"

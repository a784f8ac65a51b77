#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate mailwire's SMTP captures (captures/smtp-*.pcapng) from a real Postfix
# (with Dovecot's auth service for SASL), real clients (Python smtplib, curl, swaks),
# raw-socket clients and two small scripted servers, all inside a private network
# namespace.  Usage: make-all.sh [NAME...]   (NAME = capture name without .pcapng;
# none = all).  Set LAB_LOG_DIR to keep the Postfix log lines of each capture.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../common.sh"
. "$HERE/servers.sh"
OUT=$CAPTURES_DIR
WANT=" $* "

python3 "$HERE/gen-messages.py"
lab_ns_up
lab_servers_up
trap 'lab_servers_down; lab_ns_down' EXIT
mkdir -p "$LAB_WORK/logs"

py() {
    lab_in_ns env LAB_MSG="$CAPTURES_DIR/lab/messages" LAB_KEYLOG="$KEYLOG" \
        LAB_CERT="$LAB_WORK/cert.pem" LAB_KEY="$LAB_WORK/key.pem" LAB_READY="${READY:-/dev/null}" \
        python3 "$HERE/smtplab.py" "$@"
}

# Scripted server in the background (127.0.0.9:25); returns once it listens.
fake_server() {
    READY=$LAB_WORK/ready.$1
    rm -f "$READY"
    READY=$READY py "$1" &
    FAKE_PID=$!
    for _ in $(seq 50); do [ -e "$READY" ] && return 0; sleep 0.1; done
    lab_die "scripted server $1 did not start"
}

# capture NAME FILTER COMMAND...: record COMMAND's traffic to $OUT/NAME.pcapng.
capture() {
    local name=$1 filter=$2 file lines
    shift 2
    [ "$WANT" = "  " ] || [[ $WANT == *" $name "* ]] || return 0
    file=$OUT/$name.pcapng
    KEYLOG=$LAB_WORK/$name.keys
    rm -f "$KEYLOG"
    lab_log "recording $name"
    lines=$(wc -l <"$PF_DIR/maillog")
    lab_capture_start "$file" "$filter"
    FAKE_PID=
    "$@" || lab_log "$name: client failed"
    [ -z "$FAKE_PID" ] || wait "$FAKE_PID"
    pf_wait_queue
    lab_capture_stop
    if [ -s "$KEYLOG" ]; then lab_inject_keys "$file" "$KEYLOG"; fi
    chmod 644 "$file"
    tail -n +"$((lines + 1))" "$PF_DIR/maillog" >"$LAB_WORK/logs/$name.log"
    if [ -n "${LAB_LOG_DIR:-}" ]; then mkdir -p "$LAB_LOG_DIR"; cp "$LAB_WORK/logs/$name.log" "$LAB_LOG_DIR/"; fi
}

P25="tcp port 25"

capture smtp-plain-session "$P25" py plain-session
capture smtp-pipelining "$P25" py pipelining
capture smtp-envelope-mismatch-bcc "$P25" py envelope-mismatch

rows=(x lf-dot-lf lf-dot-crlf crlf-dot-lf cr-dot-cr cr-dot-lf lf-dot-cr cr-dot-crlf crlf-dot-cr
      crlf-nul-dot-crlf crlf-dot-nul-crlf crlf-dot-cr-crlf crcrlf-dot-crcrlf)
for r in $(seq 1 12); do
    capture "$(printf 'smtp-smuggle-%02d-%s' "$r" "${rows[$r]}")" "$P25" py smuggle "$r"
done
capture smtp-smuggle-postfix-reject "$P25" py smuggle-strict 1 2 3 5 11 12 4
capture smtp-smuggle-postfix-normalize "$P25" py smuggle-normalize 1 5 11 12
capture smtp-data-bare-cr-lf-nul-longline "$P25" py odd-body

capture smtp-bdat-split "$P25" py bdat-split
capture smtp-bdat-coalesced "$P25" py bdat-coalesced

capture smtp-auth-plain "$P25" py auth-plain
capture smtp-auth-login "$P25" py auth-login
capture smtp-auth-cram-md5 "$P25" py auth-cram-md5
oauth() { fake_server oauth-server; py auth-oauth; }
capture smtp-auth-xoauth2-oauthbearer "$P25" oauth

capture smtp-starttls "$P25" py starttls
injection() { fake_server inject-server; py starttls-injection; }
capture smtp-starttls-injection "$P25" injection

# curl over implicit TLS; its EHLO name comes from the URL's path.
curl_465() {
    lab_in_ns env SSLKEYLOGFILE="$KEYLOG" curl -sS -k --url "smtps://127.0.0.1:465/client.lab.test" \
        --user "$LAB_USER:$LAB_PASS" --login-options AUTH=PLAIN \
        --mail-from alice@lab.test --mail-rcpt bob@lab.test \
        --upload-file "$CAPTURES_DIR/lab/messages/smtp-465-implicit-tls.eml"
}
capture smtp-465-implicit-tls "tcp port 465" curl_465

capture smtp-587-submission "tcp port 587" py submission
swaks_587() {
    lab_in_ns swaks --server 127.0.0.2 --port 587 --ehlo client.lab.test \
        --from alice@lab.test --to bob@lab.test -a PLAIN -au "$LAB_USER" -ap "$LAB_PASS" \
        --data "$CAPTURES_DIR/lab/messages/smtp-587-no-starttls.eml" >"$LAB_WORK/swaks.log" 2>&1
}
capture smtp-587-no-starttls "tcp port 587" swaks_587

capture smtp-data-rejected "$P25" py data-rejected
capture smtp-large-message "$P25" py large

lab_log "delivered: $(find "$PF_DIR/mail" -type f -path '*/new/*' | wc -l) messages"
if [ -n "${LAB_LOG_DIR:-}" ]; then cp -r "$PF_DIR/mail" "$LAB_LOG_DIR/"; fi

#!/bin/bash
# Regenerate the IMAP and POP3 captures from a real Dovecot inside a private
# network namespace (loopback only).  Run as root from anywhere:
#   captures/lab/dovecot/make-all.sh            # all captures
#   captures/lab/dovecot/make-all.sh imap-idle  # only the named ones
# On exit the namespace, Dovecot and the work directory are removed.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../common.sh"
. "$HERE/dovecot-lab.sh"

WANT=" ${*:-} "
want() { [ "$WANT" = "  " ] || [[ "$WANT" == *" $1 "* ]]; }

lab_ns_up
# No segmentation offload on the namespace's loopback: what is captured is what
# a 1500-byte-MTU wire would carry (segments of at most 1448 payload bytes).
lab_make_cert
dv_write_conf

MSGS=$LAB_WORK/messages
mkdir -p "$MSGS"
cp "$MSG_DIR"/*.eml "$MSGS"/
gzip -dc "$MSG_DIR/imap-pop-large-2mb.eml.gz" >"$MSGS/imap-pop-large-2mb.eml"
IMAP_INBOX=("$MSGS/imap-inbox-1.eml" "$MSGS/imap-inbox-2.eml" "$MSGS/imap-inbox-3.eml")
POP_BOX=("$MSGS/pop-1.eml" "$MSGS/pop-2-dots.eml" "$MSGS/pop-3.eml" "$MSGS/pop-4.eml")
LARGE=$MSGS/imap-pop-large-2mb.eml
chmod -R a+rX "$LAB_WORK"

# record NAME FILTER COMMAND...: capture COMMAND's traffic into captures/NAME.pcapng;
# $KEYS is the client key log; it is embedded when the client wrote one.
record() {
    local name=$1 filter=$2; shift 2
    local tmp=$LAB_WORK/$name.pcapng
    KEYS=$LAB_WORK/$name.keys
    rm -f "$KEYS"
    lab_log "recording $name"
    lab_capture_start "$tmp" "$filter"
    "$@" >"$LAB_WORK/$name.client.log" 2>&1 || { cat "$LAB_WORK/$name.client.log" >&2; lab_log "$name: client failed"; }
    lab_capture_stop
    [ -s "$KEYS" ] && lab_inject_keys "$tmp" "$KEYS"
    chmod 644 "$tmp"
    mv "$tmp" "$CAPTURES_DIR/$name.pcapng"
}
client() { lab_in_ns python3 "$HERE/labclient.py" "$1" "$MSGS" "$KEYS"; }

# --- scripted POP3 server first, while port 110 is free (Dovecot not yet started)
if want pop-anomalous-terminators; then
    anomalous() {
        lab_in_ns python3 "$HERE/pop-anomalous-server.py" >"$LAB_WORK/fake.log" 2>&1 &
        local spid=$!
        for _ in $(seq 50); do grep -q ready "$LAB_WORK/fake.log" 2>/dev/null && break; sleep 0.1; done
        client pop_anomalous_client
        wait $spid
    }
    record pop-anomalous-terminators "tcp port 110" anomalous
fi

dv_start

# ------------------------------------------------------------------- IMAP
if want imap-login-select-fetch; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-login-select-fetch "tcp port 143" client imap_login_select_fetch
fi
if want imap-copy-move; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-copy-move "tcp port 143" client imap_copy_move
fi
if want imap-login-literal; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-login-literal "tcp port 143" client imap_login_literal
fi
if want imap-fetch-large; then
    dv_seed bob "$LARGE"
    record imap-fetch-large "tcp port 143" client imap_fetch_large
fi
if want imap-append; then
    dv_seed bob
    record imap-append "tcp port 143" client imap_append
fi
if want imap-pipelined; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-pipelined "tcp port 143" client imap_pipelined
fi
if want imap-idle; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-idle "tcp port 143" client imap_idle
fi
if want imap-starttls; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-starttls "tcp port 143" client imap_starttls
fi
if want imap-starttls-injection; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-starttls-injection "tcp port 143" client imap_starttls_injection
fi
if want imap-993-tls; then
    dv_seed bob "${IMAP_INBOX[@]}"
    # connection 1: imaplib (LOGIN, SELECT, FETCH, LOGOUT);
    # connection 2: curl (its own choice of SASL mechanism: CRAM-MD5; SELECT, UID FETCH, LOGOUT)
    curl993() {
        client imap_993_tls || return 1
        lab_in_ns env SSLKEYLOGFILE="$KEYS" curl -sS -k \
            -u 'bob:pa ss"word' 'imaps://127.0.0.1:993/INBOX/;UID=2' -o "$LAB_WORK/curl-imap.out"
    }
    record imap-993-tls "tcp port 993" curl993
fi
if want imap-authenticate-plain; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-authenticate-plain "tcp port 143" client imap_authenticate
fi
if want imap-errors; then
    dv_seed bob "${IMAP_INBOX[@]}"
    record imap-errors "tcp port 143" client imap_errors
fi

# ------------------------------------------------------------------- POP3
if want pop-user-pass; then
    dv_seed carol "${POP_BOX[@]}"
    record pop-user-pass "tcp port 110" client pop_user_pass
fi
if want pop-retr-large || want pop-midsession-retr; then
    dv_seed carol "$LARGE" "$MSGS/pop-1.eml"
    record pop-retr-large "tcp port 110" client pop_retr_large
fi
if want pop-midsession-retr; then
    # Keep the frames from late in the ~2 MB RETR 1 onwards: the first server
    # segment whose relative TCP sequence number is >= 1,960,000 (about 40 kB
    # before the end of the RETR data), then NOOP, RETR 2 and QUIT.
    src=$CAPTURES_DIR/pop-retr-large.pcapng
    first=$(tshark -r "$src" -Y 'tcp.srcport == 110 && tcp.seq >= 1960000' -T fields -e frame.number | head -1)
    [ -n "$first" ] || lab_die "cannot find the cut point"
    lab_log "pop-midsession-retr: frames $first- of pop-retr-large.pcapng"
    editcap -r "$src" "$CAPTURES_DIR/pop-midsession-retr.pcapng" "$first-1000000"
    chmod 644 "$CAPTURES_DIR/pop-midsession-retr.pcapng"
fi
if want pop-pipelined; then
    dv_seed carol "${POP_BOX[@]}"
    record pop-pipelined "tcp port 110" client pop_pipelined
fi
if want pop-stls; then
    dv_seed carol "${POP_BOX[@]}"
    record pop-stls "tcp port 110" client pop_stls
fi
if want pop-stls-injection; then
    dv_seed carol "${POP_BOX[@]}"
    record pop-stls-injection "tcp port 110" client pop_stls_injection
fi
if want pop-995-tls; then
    dv_seed carol "${POP_BOX[@]}"
    # openssl s_client as the client; -crlf turns the typed LF into CRLF
    sclient995() {
        { sleep 1; for l in "USER carol" "PASS carol-pw" "STAT" "LIST" "UIDL" "RETR 3" "QUIT"; do
              printf '%s\n' "$l"; sleep 0.4; done; sleep 1; } |
        lab_in_ns openssl s_client -connect 127.0.0.1:995 -servername mail.lab.test \
            -keylogfile "$KEYS" -quiet -crlf
    }
    record pop-995-tls "tcp port 995" sclient995
fi
if want pop-auth-plain; then
    dv_seed carol "${POP_BOX[@]}"
    record pop-auth-plain "tcp port 110" client pop_auth
fi
if want pop-errors; then
    dv_seed carol "${POP_BOX[@]}"
    record pop-errors "tcp port 110" client pop_errors
fi

dv_stop
# LAB_DOVECOT_LOG=FILE keeps a copy of the Dovecot log (the work dir is removed on exit)
[ -n "${LAB_DOVECOT_LOG:-}" ] && cp "$DV_DIR/dovecot.log" "$LAB_DOVECOT_LOG"
lab_log "done"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Record the SMTP smuggling verdicts of Exim and OpenSMTPD (captures/smtp-smuggle-exim-*.pcapng,
# captures/smtp-smuggle-opensmtpd-*.pcapng) from the real servers of Debian 12 (exim4-daemon-light
# 4.96, opensmtpd 6.8.0p2) without installing them: the packages are fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into the work directory, and each server runs
# from there inside the lab's network namespace, in a private mount namespace that gives it the
# system users it was built for (copies of /etc/passwd and /etc/group with them added), an
# /etc/resolv.conf naming only the namespace's loopback, and (OpenSMTPD) an empty /var of its
# own for the queue and control socket it has compiled in.  Nothing outside the work directory
# is changed, and nothing is installed.
# Usage: peers.sh [NAME...]   (NAME = capture name without .pcapng; none = all)
# PEERS_DEBS=DIR uses the .deb files already in DIR instead of downloading them.
# LAB_LOG_DIR=DIR keeps the servers' logs.
#
# Listeners: 127.0.0.7:25 Exim (queue_only, no host lookups, PIPELINING advertised as by default),
#            127.0.0.8:25 OpenSMTPD (no PIPELINING; mail for lab.test accepted, never relayed).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../common.sh"
OUT=$CAPTURES_DIR
WANT=" $* "
EXIM=127.0.0.7
OSMTPD=127.0.0.8
ROOT=$LAB_WORK/root
ETC=$LAB_WORK/etc
PKGS="exim4-daemon-light exim4-base exim4-config opensmtpd libidn12"

python3 "$HERE/gen-messages.py"
lab_ns_up
mkdir -p "$LAB_WORK/logs" "$ROOT" "$ETC"

# The packages, unpacked (not installed).
debs=${PEERS_DEBS:-$LAB_WORK/debs}
if [ -z "${PEERS_DEBS:-}" ]; then
    mkdir -p "$debs"
    (cd "$debs" && apt-get download $PKGS) >"$LAB_WORK/logs/apt.log" 2>&1 ||
        lab_die "apt-get download failed (see $LAB_WORK/logs/apt.log)"
fi
for p in $PKGS; do
    deb=$(ls "$debs"/"${p}"_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || lab_die "no $p package in $debs"
    dpkg-deb -x "$deb" "$ROOT"
done
LIBS=$ROOT/usr/lib/x86_64-linux-gnu

# System users the binaries look up by name before reading any configuration.
free_id() {
    local id=$1
    while getent passwd "$id" >/dev/null || getent group "$id" >/dev/null; do id=$((id - 1)); done
    echo "$id"
}
cp /etc/passwd "$ETC/passwd"; cp /etc/group "$ETC/group"
id=64999
for u in Debian-exim opensmtpd opensmtpq; do
    id=$(free_id "$id")
    echo "$u:x:$id:$id::/nonexistent:/usr/sbin/nologin" >>"$ETC/passwd"
    echo "$u:x:$id:" >>"$ETC/group"
    eval "uid_${u//-/_}=$id"
    id=$((id - 1))
done
echo "nameserver 127.0.0.1" >"$ETC/resolv.conf"

# run_private COMMAND...: in the namespace, with the users and resolver above.
run_private() {
    lab_in_ns unshare -m --propagation private sh -c '
        mount --bind "$1/passwd" /etc/passwd && mount --bind "$1/group" /etc/group &&
        mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 1
        if [ "$2" = var ]; then
            mount -t tmpfs tmpfs /var || exit 1
            mkdir -p /var/run /var/spool/smtpd /var/lib/opensmtpd/empty /var/mail
            chmod 711 /var/spool/smtpd
        fi
        shift 2; exec "$@"' private "$ETC" "$@"
}

# Exim: its own spool and log; no DNS (host_lookup empty, no dnslookup router, queue_only).
EX=$LAB_WORK/exim
mkdir -p "$EX/spool" "$EX/log"
chown -R "$uid_Debian_exim:$uid_Debian_exim" "$EX"
cat >"$EX/exim.conf" <<CF
primary_hostname = mx.lab.test
spool_directory = $EX/spool
log_file_path = $EX/log/%slog
local_interfaces = $EXIM
daemon_smtp_ports = 25
host_lookup =
rfc1413_hosts =
rfc1413_query_timeout = 0s
domainlist local_domains = lab.test
queue_only = true
acl_smtp_rcpt = acl_rcpt
begin acl
acl_rcpt:
  accept domains = +local_domains
  deny message = relay not permitted
begin routers
begin transports
CF
run_private novar env LD_LIBRARY_PATH="$LIBS" "$ROOT/usr/sbin/exim4" -C "$EX/exim.conf" -bdf \
    >"$LAB_WORK/logs/exim.out" 2>&1 &

# OpenSMTPD: mail for lab.test is accepted for two virtual users and handed to a command that
# discards it (its delivery helpers are not unpacked, so delivery fails after the session: the
# session is what is recorded); nothing is relayed.
OS=$LAB_WORK/opensmtpd
mkdir -p "$OS"
printf 'alice@lab.test nobody\nbob@lab.test nobody\n' >"$OS/vusers"
cat >"$OS/smtpd.conf" <<CF
table vusers file:$OS/vusers
listen on $OSMTPD port 25 hostname mx.lab.test
action "drop" mda "/bin/cat >/dev/null" virtual <vusers>
match from any for domain "lab.test" action "drop"
CF
run_private var env LD_LIBRARY_PATH="$LIBS" "$ROOT/usr/sbin/smtpd" -d -f "$OS/smtpd.conf" \
    >"$LAB_WORK/logs/opensmtpd.log" 2>&1 &

for addr in $EXIM $OSMTPD; do
    for _ in $(seq 50); do
        lab_in_ns ss -ltn "src $addr:25" | grep -q LISTEN && continue 2
        sleep 0.1
    done
    tail -n 5 "$LAB_WORK"/logs/exim.out "$LAB_WORK"/logs/opensmtpd.log >&2
    lab_die "no server listens on $addr:25"
done

py() {
    lab_in_ns env LAB_MSG="$CAPTURES_DIR/lab/messages" python3 "$HERE/smtplab.py" "$@"
}

capture() {
    local name=$1 filter=$2 file
    shift 2
    [ "$WANT" = "  " ] || [[ $WANT == *" $name "* ]] || return 0
    file=$OUT/$name.pcapng
    lab_log "recording $name"
    lab_capture_start "$file" "$filter"
    "$@" 2>"$LAB_WORK/logs/$name.client" || lab_log "$name: client failed"
    lab_capture_stop
    chmod 644 "$file"
}

# Exim 4.96 keeps a message with CRLF line ends whole whatever bare-LF terminator it holds, and
# ends a message whose lines all end in bare LF at <LF>.<LF>; the smuggled MAIL and RCPT are then
# accepted and the smuggled DATA, with its message already sent behind it, is refused as a
# synchronisation error (554) before Exim closes.
capture smtp-smuggle-exim-lf-only "host $EXIM and tcp port 25" py smuggle-rows $EXIM lf-only
capture smtp-smuggle-exim-one-message "host $EXIM and tcp port 25" py smuggle-rows $EXIM 1 2 3
# OpenSMTPD 6.8.0p2 ends the message at <LF>.<LF>, <LF>.<CR><LF> and <CR><LF>.<LF> and at <LF>.<LF>
# after bare-LF lines; the smuggled MAIL, pipelined without PIPELINING, is answered
# "500 5.5.1 Invalid command: Pipelining not supported" and the connection closed, the message
# dropped.  <CR>.<CR> is part of the message.
capture smtp-smuggle-opensmtpd-lf-dot-crlf "host $OSMTPD and tcp port 25" py smuggle-rows $OSMTPD 2
capture smtp-smuggle-opensmtpd-rows "host $OSMTPD and tcp port 25" py smuggle-rows $OSMTPD 1 3 lf-only 4

if [ -n "${LAB_LOG_DIR:-}" ]; then
    mkdir -p "$LAB_LOG_DIR"
    cp "$LAB_WORK"/logs/* "$LAB_LOG_DIR/"; cp "$EX"/log/* "$LAB_LOG_DIR/" 2>/dev/null
fi

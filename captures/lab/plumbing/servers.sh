# SPDX-License-Identifier: GPL-2.0-or-later
# A whole private mail system for the plumbing and DKIM labs: Postfix receives,
# delivers over LMTP (TCP, so it can be captured) to Dovecot, which serves the
# mailboxes over IMAP and POP3; dnsmasq answers DNS for the lab's keys.
# Source after ../common.sh and lab_ns_up.  Nothing under /etc is read or
# changed: every server has its own configuration, state and log in $LAB_WORK,
# and no server looks anything up in the DNS of the machine.
#
# Addresses (all on the namespace's loopback):
#   127.0.0.1:25    smtpd, no proxy, XCLIENT/XFORWARD not authorized
#   127.0.0.5:25    smtpd with smtpd_upstream_proxy_protocol = haproxy
#   [::1]:25        smtpd with smtpd_upstream_proxy_protocol = haproxy
#   127.0.0.6:25    smtpd with smtpd_authorized_xclient_hosts and
#                   smtpd_authorized_xforward_hosts = 127.0.0.0/8
#   127.0.0.1:24    Dovecot LMTP (Postfix's virtual_transport), also [::1]:24
#   127.0.0.1:143   Dovecot IMAP, 127.0.0.1:110 POP3 (no TLS)
#   127.0.0.5:143   Dovecot IMAP, 127.0.0.5:110 POP3, both haproxy = yes,
#                   haproxy_trusted_networks = 127.0.0.0/29 ::1
#   127.0.0.1:53    dnsmasq (only the TXT records given to pl_dns_up)
# Mailboxes (Postfix accepts all five; Dovecot knows four, so LMTP refuses
# ghost@lab.test): alice bob carol dave ghost @lab.test.
# Dovecot users: alice bob carol dave, password "<user>-pw".

PF_DIR=$LAB_WORK/postfix
DV_DIR=$LAB_WORK/dovecot
PL_PY=/usr/bin/python3        # Debian's python3, with python3-dkim
PL_UID=65534                  # nobody: mailboxes are owned by it
PL_GID=65534

pl_write_postfix() {
    mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data"
    chown postfix:postfix "$PF_DIR/data"
    printf '%s\n' "alice@lab.test ok" "bob@lab.test ok" "carol@lab.test ok" \
        "dave@lab.test ok" "ghost@lab.test ok" "postmaster@lab.test ok" >"$PF_DIR/etc/vmailbox"
    cat >"$PF_DIR/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $LAB_WORK
myhostname = mail.lab.test
mydomain = lab.test
myorigin = lab.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128
disable_dns_lookups = yes
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtpd_peername_lookup = no
default_transport = error:lab has no outbound mail
relay_transport = error:lab has no outbound mail
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = lab.test
virtual_mailbox_maps = texthash:$PF_DIR/etc/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:24
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)
biff = no
notify_classes =
smtpd_upstream_proxy_timeout = 3s
message_size_limit = 20480000
CF
    cat >"$PF_DIR/etc/master.cf" <<'CF'
127.0.0.1:smtp    inet n - n - - smtpd
127.0.0.5:smtp    inet n - n - - smtpd -o syslog_name=postfix/haproxy -o smtpd_upstream_proxy_protocol=haproxy
[::1]:smtp        inet n - n - - smtpd -o syslog_name=postfix/haproxy6 -o smtpd_upstream_proxy_protocol=haproxy
127.0.0.6:smtp    inet n - n - - smtpd -o syslog_name=postfix/xclient -o smtpd_authorized_xclient_hosts=127.0.0.0/8 -o smtpd_authorized_xforward_hosts=127.0.0.0/8
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CF
}

pl_write_dovecot() {
    mkdir -p "$DV_DIR/run" "$DV_DIR/state" "$DV_DIR/home"
    : >"$DV_DIR/passwd"
    for u in alice bob carol dave; do
        echo "$u:{PLAIN}$u-pw:$PL_UID:$PL_GID::$DV_DIR/home/$u::" >>"$DV_DIR/passwd"
        mkdir -p "$DV_DIR/home/$u"
    done
    chown -R $PL_UID:$PL_GID "$DV_DIR/home"
    chmod 644 "$DV_DIR/passwd"
    cat >"$DV_DIR/dovecot.conf" <<CF
# mailwire lab: Dovecot $(dovecot --version | cut -d' ' -f1): IMAP, POP3, LMTP, no TLS
protocols = imap pop3 lmtp
base_dir = $DV_DIR/run
state_dir = $DV_DIR/state
instance_name = mwlab-plumbing
log_path = $DV_DIR/dovecot.log
info_log_path = $DV_DIR/dovecot.log
hostname = mail.lab.test
login_greeting = Dovecot ready.
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
auth_verbose = yes
auth_use_winbind = no
haproxy_trusted_networks = 127.0.0.0/29 ::1
mail_location = maildir:~/Maildir
mail_uid = $PL_UID
mail_gid = $PL_GID
first_valid_uid = 1
first_valid_gid = 1
default_login_user = dovenull
default_internal_user = dovecot
import_environment = TZ
postmaster_address = postmaster@lab.test
lmtp_rcpt_check_quota = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DV_DIR/passwd
}
userdb {
  driver = passwd-file
  args = $DV_DIR/passwd
}
service anvil {
  chroot =
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 143
  }
  inet_listener imap_haproxy {
    address = 127.0.0.5
    port = 143
    haproxy = yes
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = 110
  }
  inet_listener pop3_haproxy {
    address = 127.0.0.5
    port = 110
    haproxy = yes
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1 ::1
    port = 24
  }
}
CF
}

# pl_dns_up NAME,"TEXT"[,"TEXT"...]...: dnsmasq on 127.0.0.1:53 answering
# only these TXT records (several strings per record as written); nothing is
# forwarded.  The records go through a configuration file of its own, where
# dnsmasq reads the quotes (on its command line they would be kept as data).
pl_dns_up() {
    local r
    for r in "$@"; do echo "txt-record=$r"; done >"$LAB_WORK/dnsmasq.conf"
    lab_in_ns dnsmasq --conf-file="$LAB_WORK/dnsmasq.conf" --no-resolv --no-hosts --no-poll \
        --listen-address=127.0.0.1 --bind-interfaces --port=53 --user=nobody --group=nogroup \
        --pid-file="$LAB_WORK/dnsmasq.pid" --log-facility="$LAB_WORK/dnsmasq.log" --log-queries ||
        lab_die "dnsmasq did not start"
}

pl_servers_up() {
    # The IPv6 listeners need ::1 on the namespace's loopback (the kernel adds
    # it when lo comes up, unless IPv6 is disabled).
    lab_in_ns ip -6 addr show dev lo | grep -q '::1/128' || ip -n "$LAB_NS" addr add ::1/128 dev lo ||
        lab_die "no ::1 in the namespace"
    pl_write_postfix
    pl_write_dovecot
    lab_in_ns env TZ=UTC dovecot -c "$DV_DIR/dovecot.conf" || { cat "$DV_DIR/dovecot.log" >&2; lab_die "dovecot did not start"; }
    lab_in_ns postfix -c "$PF_DIR/etc" start 2>"$LAB_WORK/postfix-start.log" ||
        { cat "$LAB_WORK/postfix-start.log" "$PF_DIR/maillog" >&2; lab_die "postfix did not start"; }
    for _ in $(seq 50); do
        lab_in_ns ss -Hltn | grep -q '127.0.0.6:25' && lab_in_ns ss -Hltn | grep -q '127.0.0.1:24' && return 0
        sleep 0.1
    done
    lab_in_ns ss -Hltn >&2
    lab_die "servers not listening"
}

pl_servers_down() {
    lab_in_ns postfix -c "$PF_DIR/etc" stop 2>/dev/null
    [ -f "$DV_DIR/run/master.pid" ] && lab_in_ns dovecot -c "$DV_DIR/dovecot.conf" stop 2>/dev/null
    [ -s "$LAB_WORK/dnsmasq.pid" ] && kill "$(cat "$LAB_WORK/dnsmasq.pid")" 2>/dev/null
    sleep 0.5
}

# Wait until Postfix's queue is empty (everything handed to LMTP or bounced).
pl_wait_queue() {
    for _ in $(seq 100); do
        [ -z "$(find "$PF_DIR/queue/incoming" "$PF_DIR/queue/active" "$PF_DIR/queue/maildrop" -type f 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    lab_log "queue not empty"
}

# pl_record NAME FILTER COMMAND...: capture COMMAND's traffic into
# captures/NAME.pcapng; the Postfix and Dovecot log lines written meanwhile go
# to $LAB_WORK/logs/NAME.log (kept in LAB_LOG_DIR when set).
pl_record() {
    local name=$1 filter=$2 tmp pfl dvl
    shift 2
    tmp=$LAB_WORK/$name.pcapng
    mkdir -p "$LAB_WORK/logs"
    pfl=$(wc -l <"$PF_DIR/maillog"); dvl=$(wc -l <"$DV_DIR/dovecot.log")
    lab_log "recording $name"
    lab_capture_start "$tmp" "$filter"
    "$@" >"$LAB_WORK/logs/$name.client" 2>&1 || { cat "$LAB_WORK/logs/$name.client" >&2; lab_log "$name: client failed"; }
    pl_wait_queue
    lab_capture_stop
    sleep 0.3
    { tail -n +"$((pfl + 1))" "$PF_DIR/maillog"; tail -n +"$((dvl + 1))" "$DV_DIR/dovecot.log"; } >"$LAB_WORK/logs/$name.log"
    if [ -n "${LAB_LOG_DIR:-}" ]; then mkdir -p "$LAB_LOG_DIR"; cp "$LAB_WORK/logs/$name".* "$LAB_LOG_DIR/"; fi
    chmod 644 "$tmp"
    mv "$tmp" "$CAPTURES_DIR/$name.pcapng"
}

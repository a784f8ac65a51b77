# Private Postfix and Dovecot (auth only) for the SMTP lab.
# Source after ../common.sh and lab_ns_up.  Nothing under /etc is changed: both
# servers get their own configuration, queue, state and log under $LAB_WORK.
#
# Addresses (all on the namespace's loopback):
#   127.0.0.1:25   smtpd, STARTTLS offered, AUTH in clear allowed,
#                  smtpd_forbid_bare_newline=no (Debian 3.7.11's default)
#   127.0.0.1:465  smtpd, implicit TLS (wrapper mode)
#   127.0.0.1:587  submission, STARTTLS offered, AUTH
#   127.0.0.2:587  submission with TLS off: no STARTTLS, AUTH PLAIN in clear
#   127.0.0.3:25   smtpd with smtpd_forbid_bare_newline=reject, no exclusions
#   127.0.0.4:25   smtpd with smtpd_forbid_bare_newline=normalize, no exclusions
# Mailboxes: alice, bob, carol, dave, postmaster @lab.test (virtual, Maildir).
# SASL user alice / wonderland-Secret1 via Dovecot's auth socket.

PF_DIR=$LAB_WORK/postfix
DC_DIR=$LAB_WORK/dovecot
LAB_USER=alice
LAB_PASS=wonderland-Secret1

pf_write_config() {
    mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data" "$PF_DIR/mail"
    chown postfix:postfix "$PF_DIR/data"
    chown nobody:nogroup "$PF_DIR/mail"
    cp "$LAB_WORK/cert.pem" "$LAB_WORK/key.pem" "$PF_DIR/etc/"
    chmod 600 "$PF_DIR/etc/key.pem"
    printf '%s\n' "alice@lab.test alice/" "bob@lab.test bob/" "carol@lab.test carol/" \
        "dave@lab.test dave/" "postmaster@lab.test postmaster/" >"$PF_DIR/etc/vmailbox"
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
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
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
virtual_mailbox_base = $PF_DIR/mail
virtual_mailbox_maps = texthash:$PF_DIR/etc/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_banner = \$myhostname ESMTP Postfix (Debian/GNU)
biff = no
notify_classes =
smtpd_tls_cert_file = $PF_DIR/etc/cert.pem
smtpd_tls_key_file = $PF_DIR/etc/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DC_DIR/auth-client
smtpd_forbid_bare_newline = no
message_size_limit = 20480000
CF
    cat >"$PF_DIR/etc/master.cf" <<'CF'
smtp              inet n - n - - smtpd
127.0.0.3:smtp    inet n - n - - smtpd -o smtpd_forbid_bare_newline=reject -o smtpd_forbid_bare_newline_exclusions=
127.0.0.4:smtp    inet n - n - - smtpd -o smtpd_forbid_bare_newline=normalize -o smtpd_forbid_bare_newline_exclusions=
smtps             inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
submission        inet n - n - - smtpd -o syslog_name=postfix/submission
127.0.0.2:submission inet n - n - - smtpd -o syslog_name=postfix/submission-notls -o smtpd_tls_security_level=none
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
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
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CF
}

dc_write_config() {
    mkdir -p "$DC_DIR/run" "$DC_DIR/state"
    # CRAM-MD5 needs the plaintext password on the server side.
    echo "$LAB_USER@lab.test:{PLAIN}$LAB_PASS" >"$DC_DIR/passwd"
    echo "$LAB_USER:{PLAIN}$LAB_PASS" >>"$DC_DIR/passwd"
    chmod 644 "$DC_DIR/passwd"
    cat >"$DC_DIR/dovecot.conf" <<CF
base_dir = $DC_DIR/run
state_dir = $DC_DIR/state
log_path = $DC_DIR/log
protocols = none
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DC_DIR/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $DC_DIR/auth-client {
    mode = 0666
  }
}
CF
}

lab_servers_up() {
    lab_make_cert
    pf_write_config
    dc_write_config
    lab_in_ns dovecot -c "$DC_DIR/dovecot.conf" || lab_die "dovecot did not start"
    lab_in_ns postfix -c "$PF_DIR/etc" start 2>"$LAB_WORK/postfix-start.log" ||
        { cat "$LAB_WORK/postfix-start.log" >&2; cat "$PF_DIR/maillog" >&2 2>/dev/null; lab_die "postfix did not start"; }
    for _ in $(seq 50); do
        lab_in_ns ss -Hltn 'sport = :25' | grep -q 127.0.0.1 && [ -S "$DC_DIR/auth-client" ] && return 0
        sleep 0.1
    done
    lab_die "servers not listening"
}

lab_servers_down() {
    lab_in_ns postfix -c "$PF_DIR/etc" stop 2>/dev/null
    [ -s "$DC_DIR/run/master.pid" ] && kill "$(cat "$DC_DIR/run/master.pid")" 2>/dev/null
    sleep 0.5
}

# Wait until the queue is empty (everything delivered to the Maildirs).
pf_wait_queue() {
    for _ in $(seq 50); do
        [ -z "$(find "$PF_DIR/queue/incoming" "$PF_DIR/queue/active" "$PF_DIR/queue/maildrop" -type f 2>/dev/null)" ] && return 0
        sleep 0.2
    done
}

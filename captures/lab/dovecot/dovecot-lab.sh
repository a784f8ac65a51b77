# Dovecot for the IMAP/POP3 lab: its own config, run dir, users and maildirs,
# all under $LAB_WORK.  Source after captures/lab/common.sh and lab_ns_up.

DV_DIR=$LAB_WORK/dovecot
DV_CONF=$DV_DIR/dovecot.conf
MSG_DIR=$CAPTURES_DIR/lab/messages
DV_UID=65534          # nobody: mail processes run unprivileged
DV_GID=65534

# Users: passwords stored in plaintext ({PLAIN}) so CRAM-MD5 and APOP work.
#   bob   pa ss"word    (space and double quote: must be sent as an IMAP quoted string with escapes)
#   carol carol-pw
dv_write_conf() {
    mkdir -p "$DV_DIR/run" "$DV_DIR/state" "$DV_DIR/home"
    cat >"$DV_DIR/passwd" <<PW
bob:{PLAIN}pa ss"word:$DV_UID:$DV_GID::$DV_DIR/home/bob::
carol:{PLAIN}carol-pw:$DV_UID:$DV_GID::$DV_DIR/home/carol::
PW
    cat >"$DV_CONF" <<CONF
# mailwire lab: Dovecot $(dovecot --version | cut -d' ' -f1), IMAP + POP3 on 127.0.0.1 only
protocols = imap pop3
listen = 127.0.0.1
base_dir = $DV_DIR/run
state_dir = $DV_DIR/state
instance_name = mwlab-dovecot
log_path = $DV_DIR/dovecot.log
info_log_path = $DV_DIR/dovecot.log
hostname = mail.lab.test
login_greeting = Dovecot ready.
login_trusted_networks = 127.0.0.0/8
auth_use_winbind = no
auth_mechanisms = plain login cram-md5 apop
disable_plaintext_auth = no
auth_verbose = yes
ssl = yes
ssl_cert = <$LAB_WORK/cert.pem
ssl_key = <$LAB_WORK/key.pem
ssl_min_protocol = TLSv1.2
mail_location = maildir:~/Maildir
mail_uid = $DV_UID
mail_gid = $DV_GID
first_valid_uid = 1
first_valid_gid = 1
default_login_user = dovenull
default_internal_user = dovecot
import_environment = TZ
pop3_uidl_format = %08Xu%08Xv
imap_idle_notify_interval = 2 mins
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
CONF
}

dv_start() {
    lab_in_ns env TZ=UTC dovecot -c "$DV_CONF" || { cat "$DV_DIR/dovecot.log" >&2; lab_die "dovecot did not start"; }
    for _ in $(seq 50); do
        lab_in_ns python3 -c 'import socket; socket.create_connection(("127.0.0.1",143),1).close(); socket.create_connection(("127.0.0.1",110),1).close()' 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$DV_DIR/dovecot.log" >&2; lab_die "dovecot not listening"
}

dv_stop() {
    [ -f "$DV_DIR/run/master.pid" ] || return 0
    lab_in_ns dovecot -c "$DV_CONF" stop 2>/dev/null
    for _ in $(seq 50); do [ -f "$DV_DIR/run/master.pid" ] || break; sleep 0.1; done
}

# dv_seed USER FILE...: replace USER's maildir with these messages, in order
# (UID 1, 2, ...), each with a fixed INTERNALDATE (file mtime).
dv_seed() {
    local user=$1; shift
    local md=$DV_DIR/home/$user/Maildir n=0 t f
    rm -rf "$DV_DIR/home/$user"
    mkdir -p "$md/cur" "$md/new" "$md/tmp"
    for f in "$@"; do
        n=$((n + 1)); t=$((1736150400 + n * 3600))     # 2025-01-06 + n hours
        case $f in
            *.gz) gzip -dc "$f" >"$md/cur/$t.M${n}P1.mail.lab.test:2," ;;
            *)    cp "$f" "$md/cur/$t.M${n}P1.mail.lab.test:2," ;;
        esac
        touch -d "@$t" "$md/cur/$t.M${n}P1.mail.lab.test:2,"
    done
    chown -R $DV_UID:$DV_GID "$DV_DIR/home/$user"
}


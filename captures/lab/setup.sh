#!/bin/bash
# Install what the lab scripts need (Debian 12), as root:
#   captures/lab/setup.sh
# Services are not started by the packages where policy-rc.d forbids it; the
# lab scripts run their own Postfix and Dovecot with their own configuration
# inside a private network namespace, and never use the system's instances.
set -eu
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# Postfix's package asks for a mail setup: none is needed (the lab writes its own main.cf).
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends \
    iproute2 tshark wireshark-common openssl python3 \
    postfix dovecot-core dovecot-imapd dovecot-pop3d \
    swaks curl </dev/null
# COMPRESS=DEFLATE (compress.sh) needs Dovecot's imap_zlib plugin, shipped by dovecot-imapd.
ls /usr/lib/dovecot/modules/lib30_imap_zlib_plugin.so >/dev/null

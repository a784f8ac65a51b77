#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what the lab scripts (captures/lab/*/make*.sh) need on Debian 12, as
# root, non-interactively.  Postfix is installed unconfigured ("No
# configuration"): the labs run it with their own configuration directory and
# never use /etc/postfix.  dnsmasq-base brings no service.  Where the init
# system starts Dovecot on install, it is stopped again: the labs start their
# own servers inside a private network namespace.
set -euo pipefail

packages=(
    # servers
    postfix dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dnsmasq-base
    # clients, capture and DKIM tools
    swaks curl openssl bind9-dnsutils python3 python3-dkim python3-nacl python3-dnspython
    tshark wireshark-common iproute2
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "lab setup: all ${#packages[@]} packages are installed"
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "lab setup: missing ${missing[*]}; run as root" >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
if command -v systemctl >/dev/null && systemctl is-active --quiet dovecot 2>/dev/null; then
    systemctl stop dovecot
fi
# COMPRESS=DEFLATE (dovecot/compress.sh) needs Dovecot's imap_zlib plugin, shipped by dovecot-imapd.
ls /usr/lib/dovecot/modules/lib30_imap_zlib_plugin.so >/dev/null
echo "lab setup: done"

#!/usr/bin/env bash
# scripts/setup-deps.sh: install what building and testing mailwire needs on
# Debian 12 (bookworm; Wireshark 4.0).  Non-interactive; run as root.
# Does nothing when every package is already installed (MAILWIRE_DEPS_FORCE=1
# runs apt-get anyway).
set -euo pipefail

packages=(
    # build
    cmake build-essential pkg-config libwireshark-dev wireshark-dev tshark
    libgcrypt20-dev libglib2.0-dev zlib1g-dev
    # tests: the dissection test driver and capture survey (python3), running
    # tshark as another user (setpriv from util-linux), crafting captures
    # (text2pcap, in wireshark-common), the version matrix (git, ws-env tools)
    python3 util-linux wireshark-common git ca-certificates
    # sanitizer and fuzzing builds with clang
    clang libclang-rt-14-dev
    # the GUI smoke test and screenshots; benchmark timing
    xvfb xauth wireshark-qt xdotool x11-utils imagemagick time
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ "${MAILWIRE_DEPS_FORCE:-0}" != 1 ]; then
    echo "setup-deps: all ${#packages[@]} packages are installed"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "setup-deps: missing packages: ${missing[*]}; run as root (sudo bash $0)" >&2
    exit 2
fi
echo "setup-deps: installing: ${missing[*]:-${packages[*]}}"
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture: answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}" </dev/null
echo "setup-deps: done"

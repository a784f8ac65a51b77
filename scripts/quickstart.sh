#!/usr/bin/env bash
# scripts/quickstart.sh: install the dependencies, build mailwire (Release),
# install it into the personal plugin folder of the user who ran sudo, and
# show the bundled SMTP capture captures/quickstart-smtp.pcapng dissected by
# it: one line per packet, then one frame's tree.
#   Usage, as root:              bash scripts/quickstart.sh
#          as a user with sudo:  sudo bash scripts/quickstart.sh
#
# Run by root without sudo (no SUDO_USER), the plugin goes into root's
# personal folder, which tshark ignores when it runs as root: the capture is
# then shown by tshark running as nobody with a temporary HOME holding the
# plugin.  (A copy in the system plugin folder would be loaded before any
# personal one, also by the tests, which would then not see the build under
# test; see README.md for -DMAILWIRE_INSTALL_SYSTEM=ON if you want one.)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "quickstart: it installs packages: run it as root (bash scripts/quickstart.sh) or with sudo (sudo bash scripts/quickstart.sh)" >&2; exit 2; }

bash scripts/setup-deps.sh

user=${SUDO_USER:-root}
[ "$user" != root ] || user=root
home=$(getent passwd "$user" | cut -d: -f6)
[ -n "$home" ] && [ -d "$home" ] || { echo "quickstart: no home folder for $user" >&2; exit 2; }

echo "== building (Release) in build-release/"
HOME="$home" cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DMAILWIRE_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)"

echo "== installing into the personal plugin folder of $user"
# the folders the install creates must belong to the user
created=()
for d in .local .local/lib .local/lib/wireshark .config .config/wireshark .config/wireshark/profiles; do
    [ -e "$home/$d" ] || created+=("$home/$d")
done
HOME="$home" cmake --install build-release | grep -v '^-- Install configuration'
abi=$(tshark --version 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
plugdir="$home/.local/lib/wireshark/plugins/$abi/epan"
if [ "$user" != root ]; then
    group=$(id -gn "$user")
    for d in "${created[@]}"; do chown -R "$user:$group" "$d"; done
    chown -R "$user:$group" "$home/.local/lib/wireshark" "$home/.config/wireshark/profiles/mailwire"
    # the build folder too, so that the user can rebuild without sudo
    [ "$(stat -c %U .)" != "$user" ] || chown -R "$user:$group" build-release
fi

cap=captures/quickstart-smtp.pcapng
frame=10   # the message: data, terminator, headers, envelope
# a copy every user can read, wherever the repository is
show=$(mktemp -d /tmp/mailwire-quickstart.XXXXXX)
trap 'rm -rf "$show"' EXIT
cp "$cap" "$show/"; chmod 755 "$show"; chmod 644 "$show/$(basename "$cap")"
capcopy="$show/$(basename "$cap")"

if [ "$user" != root ]; then
    runas=(runuser -u "$user" -- env HOME="$home")
    how="as $user, plugin from $plugdir"
else
    mkdir -p "$show/home/.local/lib/wireshark/plugins/$abi/epan"
    cp "$plugdir/mailwire.so" "$show/home/.local/lib/wireshark/plugins/$abi/epan/"
    chown -R 65534:65534 "$show/home"
    runas=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$show/home")
    how="as nobody (tshark run by root ignores personal plugins), plugin copied from $plugdir"
fi
if ! "${runas[@]}" tshark -G plugins 2>/dev/null | grep -q 'mailwire\.so'; then
    echo "quickstart: tshark does not load the plugin ($how)" >&2; exit 1
fi
echo "== tshark -r $cap -2   (one line per packet; $how)"
echo
"${runas[@]}" tshark -r "$capcopy" -2
echo
echo "== tshark -r $cap -2 -O mail.smtp -Y \"frame.number == $frame\"   (the mailwire tree of frame $frame)"
echo
"${runas[@]}" tshark -r "$capcopy" -2 -O mail.smtp -Y "frame.number == $frame"
echo
echo "mailwire is installed in $plugdir."
if [ "$user" != root ]; then
    echo "Wireshark and tshark run by $user show it (Help > About > Plugins lists mailwire.so)."
else
    echo "Wireshark and tshark running as root ignore personal plugin folders: run them as an ordinary"
    echo "user with the plugin in that user's ~/.local/lib/wireshark/plugins/$abi/epan/ (sudo bash"
    echo "scripts/quickstart.sh from that user's account puts it there), or install it system-wide (README.md)."
fi
echo "The profile \"mailwire\" (columns, colouring, filter buttons) is in $home/.config/wireshark/profiles/mailwire:"
echo "choose it in Wireshark under Edit > Configuration Profiles, or run tshark -C mailwire."

#!/usr/bin/env bash
# tests/gui/screenshots.sh: the real Wireshark GUI with the plugin and the
# "mailwire" profile, under Xvfb.
#
#   tests/gui/screenshots.sh [--plugin build/mailwire.so] [--out docs/screenshots]
#       opens three captures, selects a frame, expands the mailwire tree and
#       saves one PNG per capture; then the statistics window (Statistics >
#       Mail) of a capture of all three protocols.
#   tests/gui/screenshots.sh --smoke [--plugin build/mailwire.so]
#       the smoke test: Wireshark starts with the plugin and the profile, opens
#       a capture with a mailwire display filter, shows no dialog (an invalid
#       filter, a profile error or a plugin error each open one), and the
#       process has the plugin from its personal folder mapped (/proc/PID/maps).
#
# Needs Xvfb, wireshark (wireshark-qt), xdotool and ImageMagick (import,
# convert): apt-get install -y xvfb wireshark-qt xdotool imagemagick.
# Exits 77 (skipped) when one is missing.  Run by root, Wireshark runs as
# nobody (it ignores personal plugin folders when run as root) with a private
# HOME holding the plugin, the profile and copies of the captures.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
plugin=$top/build/mailwire.so
out=$top/docs/screenshots
smoke=0
while [ $# -gt 0 ]; do
    case $1 in
        --plugin) plugin=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --smoke) smoke=1; shift ;;
        *) echo "usage: $0 [--smoke] [--plugin mailwire.so] [--out dir]" >&2; exit 2 ;;
    esac
done

for tool in Xvfb wireshark tshark xdotool import convert; do
    command -v "$tool" >/dev/null || {
        echo "SKIP: $tool not found (apt-get install -y xvfb wireshark-qt xdotool imagemagick)"; exit 77; }
done
[ -f "$plugin" ] || { echo "FAIL: plugin not found: $plugin" >&2; exit 2; }

W=1280 H=900   # the 1280-pixel screen the profile's column widths are made for
abi=$(tshark --version 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
home=$(mktemp -d /tmp/mailwire-gui.XXXXXX)
xvfb_pid='' ws_pid=''
cleanup() {
    [ -z "$ws_pid" ] || kill "$ws_pid" 2>/dev/null || true
    [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$home"
}
trap cleanup EXIT

# --- the private HOME: plugin, profile (with a fixed layout), captures
mkdir -p "$home/.local/lib/wireshark/plugins/$abi/epan" "$home/.config/wireshark/profiles" \
         "$home/captures" "$home/run"
cp "$plugin" "$home/.local/lib/wireshark/plugins/$abi/epan/mailwire.so"
cp -r "$top/profile" "$home/.config/wireshark/profiles/mailwire"
# the screenshots' layout: no bytes pane, a short packet list, a window the size of the screen
cat >> "$home/.config/wireshark/profiles/mailwire/recent" <<EOF
gui.byte_view_show: FALSE
gui.geometry_main_upper_pane: 250
EOF
cat > "$home/.config/wireshark/recent_common" <<EOF
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: $W
gui.geometry_main_height: $H
gui.geometry_main_maximized: FALSE
EOF
cp "$top"/captures/*.pcapng "$home/captures/"
chmod 700 "$home/run"; chmod 755 "$home"
runas=()
if [ "$(id -u)" = 0 ]; then
    chown -R 65534:65534 "$home"
    runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

# --- a private X display, ready when a client can talk to it (its socket
# alone is not proof: a server that dies right after making it leaves it
# behind); another display number is tried when one does not come up.
# -noreset: by default the server resets when its last client leaves (here
# the readiness probe), and a client that connects during that reset is
# refused ("could not connect to display").
n=89
xvfb_pid=
for attempt in 1 2 3; do
    n=$((n + 1))
    while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 "${W}x${H}x24" -nolisten tcp -noreset >"$home/xvfb.log" 2>&1 &
    xvfb_pid=$!
    export DISPLAY=":$n"
    up=
    for _ in $(seq 100); do
        kill -0 "$xvfb_pid" 2>/dev/null || break
        if xdotool getdisplaygeometry >/dev/null 2>&1; then up=1; break; fi
        sleep 0.1
    done
    [ -n "$up" ] && break
    echo "Xvfb on :$n did not come up (attempt $attempt):"; cat "$home/xvfb.log"
    kill "$xvfb_pid" 2>/dev/null || true
    xvfb_pid=
done
[ -n "$xvfb_pid" ] || { echo "FAIL: Xvfb did not start"; exit 2; }

# start_wireshark CAPTURE ARGS...: start it and wait for its main window
# (titled with the capture's file name); sets ws_pid and ws_win.  Started
# again (up to three times) when it exits unable to reach the display.
start_wireshark() {
    local cap=$1 try
    shift
    for try in 1 2 3; do
        start_wireshark_once "$cap" "$@"
        if [ -n "$ws_win" ] || kill -0 "$ws_pid" 2>/dev/null ||
            ! grep -q 'could not connect to display' "$home/wireshark.log"; then
            break
        fi
        echo "Wireshark could not connect to $DISPLAY (attempt $try); starting it again"
        sleep 1
    done
}

start_wireshark_once() {
    local cap=$1; shift
    "${runas[@]}" env -i HOME="$home" DISPLAY="$DISPLAY" PATH=/usr/bin:/bin LANG=C.UTF-8 \
        XDG_RUNTIME_DIR="$home/run" WIRESHARK_EXTCAP_DIR="$home/run" \
        wireshark -C mailwire -r "$home/captures/$cap" "$@" >"$home/wireshark.log" 2>&1 &
    ws_pid=$!   # setpriv and env exec: this is Wireshark's pid
    ws_win=
    for _ in $(seq 150); do
        ws_win=$(xdotool search --onlyvisible --name "^$cap\$" 2>/dev/null | head -n 1 || true)
        [ -n "$ws_win" ] && break
        kill -0 "$ws_pid" 2>/dev/null || break
        sleep 0.2
    done
    sleep 2   # let it finish drawing and dissecting
}

stop_wireshark() {
    kill "$ws_pid" 2>/dev/null || true
    wait "$ws_pid" 2>/dev/null || true
    ws_pid=
}

# every visible top-level window with a title, but the main one
other_windows() {
    local w name
    for w in $(xdotool search --onlyvisible --name '.' 2>/dev/null); do
        [ "$w" = "$ws_win" ] && continue
        name=$(xdotool getwindowname "$w" 2>/dev/null || true)
        [ -n "$name" ] && echo "$w '$name'"
    done
    return 0
}

if [ "$smoke" = 1 ]; then
    cap=smtp-smuggle-02-lf-dot-crlf.pcapng
    start_wireshark "$cap" -Y "mail.smtp.smuggling.candidate"
    fail=0
    if ! kill -0 "$ws_pid" 2>/dev/null; then
        echo "FAIL: Wireshark exited"; fail=1
    elif [ -z "$ws_win" ]; then
        echo "FAIL: no main window titled $cap (the capture did not open)"; fail=1
    else
        echo "ok   main window '$cap' open with display filter mail.smtp.smuggling.candidate"
    fi
    dialogs=$(other_windows)
    if [ -n "$dialogs" ]; then
        echo "FAIL: other windows (a dialog?): $dialogs"; fail=1
        import -window root "$home/smoke.png" 2>/dev/null && cp "$home/smoke.png" /tmp/mailwire-gui-smoke.png &&
            echo "     screen saved in /tmp/mailwire-gui-smoke.png"
    else
        echo "ok   no dialog window"
    fi
    so="$home/.local/lib/wireshark/plugins/$abi/epan/mailwire.so"
    if [ -r "/proc/$ws_pid/maps" ] && grep -qF "$so" "/proc/$ws_pid/maps"; then
        echo "ok   the Wireshark process maps $so"
    else
        echo "FAIL: the Wireshark process does not map $so"; fail=1
    fi
    stop_wireshark
    if [ "$fail" != 0 ]; then echo "--- Wireshark's output:"; cat "$home/wireshark.log"; exit 1; fi
    echo "GUI smoke test passed"
    exit 0
fi

# shot NAME CAPTURE FRAME FILTER UPS [KEY...]: select FRAME, scroll the packet
# list so that it shows, select the mailwire item of the details (the last
# top-level item, or UPS items above it when a message tree follows), expand
# it with all its subtrees, press the KEYs (to collapse a long subtree), save NAME.png.
mkdir -p "$out"
shot() {
    local name=$1 cap=$2 frame=$3 filter=$4 ups=$5
    shift 5
    start_wireshark "$cap" -g "$frame" -Y "$filter"
    [ -n "$ws_win" ] || { echo "FAIL: $cap did not open"; cat "$home/wireshark.log"; exit 1; }
    [ -z "$(other_windows)" ] || { echo "FAIL: a dialog is open: $(other_windows)"; exit 1; }
    # the wheel over the packet list: the selected row moves up from the bottom edge
    xdotool mousemove --sync 700 200 click 5 click 5
    sleep 0.3
    # the first row of the packet details (under the 250-pixel packet list)
    xdotool mousemove --sync 150 420 click 1
    sleep 0.5
    xdotool key --window "$ws_win" End
    for _ in $(seq "$ups"); do xdotool key --window "$ws_win" Up; done
    sleep 0.3
    xdotool key --window "$ws_win" shift+Right   # View > Expand Subtrees
    sleep 0.5
    [ $# = 0 ] || xdotool key --delay 150 --window "$ws_win" "$@"
    sleep 1.5
    import -window "$ws_win" "$home/$name.raw.png"
    convert "$home/$name.raw.png" -colors 256 -strip "PNG8:$out/$name.png"
    stop_wireshark
    echo "wrote $out/$name.png ($(stat -c %s "$out/$name.png") bytes)"
}

shot smtp-smuggling smtp-smuggle-02-lf-dot-crlf.pcapng 15 "mail.smtp" 0
# a FETCH response whose literals cross segments; the session state folded
shot imap-literals imap-login-select-fetch.pcapng 24 "mail.imap" 0 Down Left
# envelope vs header: collapse the message (4th row under the SMTP item) to show the envelope
shot smtp-envelope-vs-header smtp-envelope-mismatch-bcc.pcapng 19 "mail.smtp" 0 Down Down Down Down Left

# the statistics window (Statistics > Mail (mailwire), the menu's last item, clicked):
# every percentage is a share of its parent line
stats_shot() {
    local name=$1 cap=$2 w=
    start_wireshark "$cap"
    [ -n "$ws_win" ] || { echo "FAIL: $cap did not open"; cat "$home/wireshark.log"; exit 1; }
    xdotool mousemove --sync 325 10 click 1   # Statistics
    sleep 1
    xdotool key Up Return                     # its last item
    for _ in $(seq 50); do
        w=$(xdotool search --onlyvisible --name 'Mail \(mailwire\)' 2>/dev/null | grep -vx "$ws_win" | head -n 1 || true)
        [ -n "$w" ] && break
        sleep 0.2
    done
    [ -n "$w" ] || { echo "FAIL: no statistics window: $(other_windows)"; exit 1; }
    xdotool windowmove --sync "$w" 0 0 windowsize --sync "$w" 1000 880 2>/dev/null || true
    sleep 2
    # every branch open
    xdotool mousemove --sync 200 120 click 1 key Home shift+Right
    sleep 1
    import -window "$w" "$home/$name.raw.png"
    convert "$home/$name.raw.png" -colors 256 -strip "PNG8:$out/$name.png"
    stop_wireshark
    echo "wrote $out/$name.png ($(stat -c %s "$out/$name.png") bytes)"
}
stats_shot mail-statistics mixed-smtp-imap-pop-attachments.pcapng

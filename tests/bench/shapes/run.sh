#!/bin/bash
# Peak memory and time of tshark on the hostile input shapes, mailwire against
# the built-in dissectors, at 1x and 2x the size.
#
#   tests/bench/shapes/run.sh [-p PLUGIN] [-r REPEAT] [SHAPE...]
#
# SHAPE is one of bdat data fetch mime-deep million-rcpt long-lines (default:
# all), made by tests/hostile/shape_cases.py (bench_cases):
#   bdat          600 MAIL/RCPT/BDAT n LAST transactions pipelined in one segment (2x: 1200)
#   data          the same with DATA ... . (2x: 1200)
#   fetch         600 `* n FETCH (BODY[] {1} x)` in one segment (2x: 1200)
#   mime-deep     messages nested 600 and 2000 deep, over SMTP and IMAP (2x: 1200 and 4000)
#   million-rcpt  one transaction with 1 000 000 RCPT (2x: 2 000 000)
#   long-lines    four 65 000-byte lines in 10-byte segments (2x: 130 000 bytes)
# Every shape ends with a message from another sender.
#
# Each capture goes through `tshark -2 -V > /dev/null` under /usr/bin/time -v,
# as uid 65534 with a private HOME: "mailwire" has build/mailwire.so in its
# personal plugin folder, "built-in" has none (Wireshark's smtp, imap, imf).
# The fastest of REPEAT runs (default 2) is kept, with its peak RSS.  "startup"
# is tshark on a capture of one frame; "net" times are the wall times less it.
# Printed per shape: peak MiB of both and their ratio (goal <= 1.5), the net
# times at 1x and 2x and their ratio (goal <= 2.3).  Captures are written to
# $MW_BENCH_DIR (default /var/tmp/mw-bench-shapes), never into the repository.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
plugin=$src/build/mailwire.so
repeat=2
while getopts "p:r:" o; do
    case $o in
    p) plugin=$OPTARG ;;
    r) repeat=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(bdat data fetch mime-deep million-rcpt long-lines)
[ -f "$plugin" ] || { echo "no plugin at $plugin (cmake --build build)"; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install -y time)"; exit 2; }
dir=${MW_BENCH_DIR:-/var/tmp/mw-bench-shapes}
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ver=$(tshark --version 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\..*/\1/p')
mkdir -p "$work/mw/.local/lib/wireshark/plugins/$ver/epan" "$work/builtin"
cp "$plugin" "$work/mw/.local/lib/wireshark/plugins/$ver/epan/"
chmod -R a+rX "$work" "$dir"

# as_user HOME: the command prefix that runs tshark unprivileged with HOME
as_user() {
    if [ "$(id -u)" = 0 ]; then
        echo setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$1"
    else
        echo env HOME="$1"
    fi
}

# run HOME CAPTURE: prints "seconds peak_kib" of the fastest of $repeat runs
# (time measures the process setpriv and env replace themselves with: tshark)
run() {
    local home=$1 cap=$2 best="" i s k
    for ((i = 0; i < repeat; i++)); do
        # shellcheck disable=SC2046
        /usr/bin/time -f "%e %M" -o "$work/time" $(as_user "$home") tshark -r "$cap" -2 -V \
            >/dev/null 2>"$work/err" || echo "tshark failed on $cap: $(tail -2 "$work/err")" >&2
        read -r s k < <(tail -1 "$work/time")
        if [ -z "$best" ] || awk -v a="$s" -v b="${best% *}" 'BEGIN{exit !(a < b)}'; then
            best="$s $k"
        fi
    done
    echo "$best"
}

gen() { # name
    local cap=$dir/$1.pcapng
    [ -f "$cap" ] || python3 "$src/tests/hostile/gen.py" "$dir" "$1" || exit 2
    chmod a+r "$cap"
    echo "$cap"
}

# startup: a capture of one frame (the handshake's SYN of a case)
editcap -r "$(gen hostile-smtp-bdat-600)" "$dir/startup.pcapng" 1 2>/dev/null
chmod a+r "$dir/startup.pcapng"
read -r su_mw _ <<<"$(run "$work/mw" "$dir/startup.pcapng")"
read -r su_bi _ <<<"$(run "$work/builtin" "$dir/startup.pcapng")"
echo "load: $(uptime | sed 's/.*load/load/')"
echo "startup: mailwire ${su_mw} s, built-in ${su_bi} s (taken off the net times)"
printf '%-13s %-4s %7s %9s %9s %9s %9s %9s\n' shape size frames "mw MiB" "bi MiB" "mem x" \
    "mw net s" "bi net s"
for shape in "${shapes[@]}"; do
    declare -A t=()
    for mult in 1 2; do
        cap=$(gen "shape-$shape-${mult}x")
        frames=$(capinfos -c -M "$cap" 2>/dev/null | sed -n 's/.*: *\([0-9]*\)$/\1/p')
        read -r mw_s mw_k <<<"$(run "$work/mw" "$cap")"
        read -r bi_s bi_k <<<"$(run "$work/builtin" "$cap")"
        mw_net=$(awk -v a="$mw_s" -v b="$su_mw" 'BEGIN{d=a-b; printf "%.2f", d < 0.01 ? 0.01 : d}')
        bi_net=$(awk -v a="$bi_s" -v b="$su_bi" 'BEGIN{d=a-b; printf "%.2f", d < 0.01 ? 0.01 : d}')
        t[$mult]=$mw_net
        printf '%-13s %-4s %7s %9.1f %9.1f %9.2f %9s %9s\n' "$shape" "${mult}x" "$frames" \
            "$(awk -v k="$mw_k" 'BEGIN{print k/1024}')" "$(awk -v k="$bi_k" 'BEGIN{print k/1024}')" \
            "$(awk -v a="$mw_k" -v b="$bi_k" 'BEGIN{print a/b}')" "$mw_net" "$bi_net"
    done
    printf '%-13s mailwire net time 2x/1x: %.2f\n' "$shape" \
        "$(awk -v a="${t[2]}" -v b="${t[1]}" 'BEGIN{print a/b}')"
    unset t
done
echo "load: $(uptime | sed 's/.*load/load/')"

#!/bin/bash
# Time tshark -2 -V over generated SMTP captures with mailwire and with
# Wireshark's built-in SMTP dissector, in one run.
#
#   tests/bench/smtp/run.sh [--plugin build/mailwire.so] [--out DIR] [--small-sessions N] [--sizes 8,64]
#
# Each capture is read twice by the same tshark: once with a private HOME
# holding the plugin (mailwire owns port 25), once with an empty private HOME
# (the built-in SMTP owns port 25).  Under root tshark runs as nobody, since
# it ignores personal plugins as root.  Needs /usr/bin/time (Debian: time).
# Prints wall time and peak RSS per run, the mailwire/built-in ratios, and
# how time grows from the 8 MiB to the 64 MiB message (target: <= 9).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
plugin=$root/build/mailwire.so
out=${TMPDIR:-/tmp}/mailwire-bench-smtp
small=1000
sizes=8,64
while [ $# -gt 0 ]; do
    case $1 in
    --plugin) plugin=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --small-sessions) small=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (apt-get install -y time)" >&2; exit 2; }
[ -f "$plugin" ] || { echo "plugin not found: $plugin (build first)" >&2; exit 2; }

echo "generating captures in $out ..."
python3 "$here/gen.py" "$out" --small-sessions "$small" --sizes "$sizes" >/dev/null

abi=$(tshark --version 2>/dev/null | sed -n 's/^TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p' | head -1)
work=$(mktemp -d "${TMPDIR:-/tmp}/mailwire-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home-mailwire/.local/lib/wireshark/plugins/$abi/epan" "$work/home-builtin" \
         "$work/no-extcap" "$work/caps"
cp "$plugin" "$work/home-mailwire/.local/lib/wireshark/plugins/$abi/epan/"
files=(smtp-small.pcap)
IFS=, read -r -a mbs <<<"$sizes"
for mb in "${mbs[@]}"; do files+=("smtp-${mb}mb.pcap"); done
for f in "${files[@]}"; do cp "$out/$f" "$work/caps/"; done
chmod -R a+rX "$work"
as_user=()
if [ "$(id -u)" = 0 ]; then
    chown -R 65534:65534 "$work"
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

tshark_in() { # HOME ARGS...
    local home=$1; shift
    "${as_user[@]}" env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
        WIRESHARK_EXTCAP_DIR="$work/no-extcap" tshark "$@"
}

tshark_in "$work/home-mailwire" -G plugins | grep -q "mailwire" ||
    { echo "tshark does not load the plugin from the private HOME" >&2; exit 2; }
if tshark_in "$work/home-builtin" -G plugins | grep -q "mailwire"; then
    echo "a mailwire plugin is installed globally: the built-in run would not be the built-in" >&2
    exit 2
fi

declare -A wall rss
measure() { # KEY HOME FILE
    local key=$1 home=$2 file=$3 t=$work/time.txt
    if ! /usr/bin/time -v -o "$t" "${as_user[@]}" env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin \
            LANG=C.UTF-8 WIRESHARK_EXTCAP_DIR="$work/no-extcap" \
            tshark -2 -V -r "$work/caps/$file" >/dev/null 2>"$work/stderr.txt"; then
        echo "tshark failed ($key):" >&2; cat "$work/stderr.txt" >&2; exit 1
    fi
    wall[$key]=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$t")
    rss[$key]=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$t")
    printf '  %-22s %-9s %8s s %7s MB\n' "$file" "${key%%:*}" "${wall[$key]}" "${rss[$key]}"
}

echo "tshark $abi, -2 -V, output to /dev/null"
for f in "${files[@]}"; do
    measure "mailwire:$f" "$work/home-mailwire" "$f"
    measure "builtin:$f" "$work/home-builtin" "$f"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
printf '| %-18s | %10s | %8s | %10s | %8s | %10s | %9s |\n' capture "mailwire s" "MW MB" "built-in s" "BI MB" "time ratio" "RSS ratio"
printf '|%s|\n' "--------------------|------------|----------|------------|----------|------------|-----------"
for f in "${files[@]}"; do
    printf '| %-18s | %10s | %8s | %10s | %8s | %10s | %9s |\n' "$f" \
        "${wall[mailwire:$f]}" "${rss[mailwire:$f]}" "${wall[builtin:$f]}" "${rss[builtin:$f]}" \
        "$(ratio "${wall[mailwire:$f]}" "${wall[builtin:$f]}")" \
        "$(ratio "${rss[mailwire:$f]}" "${rss[builtin:$f]}")"
done
if [[ " ${mbs[*]} " == *" 8 "* && " ${mbs[*]} " == *" 64 "* ]]; then
    echo
    for k in mailwire builtin; do
        echo "$k: time(64 MiB)/time(8 MiB) = $(ratio "${wall[$k:smtp-64mb.pcap]}" "${wall[$k:smtp-8mb.pcap]}")" \
             "(target <= 9), RSS(64)/RSS(8) = $(ratio "${rss[$k:smtp-64mb.pcap]}" "${rss[$k:smtp-8mb.pcap]}")"
    done
fi

#!/bin/sh
# Times tshark on IMAP FETCH literals of 8, 64 and 256 MiB (captures made by
# gen_fetch_literal.py): mailwire against Wireshark's built-in IMAP dissector
# on 8 MiB, then mailwire alone on 64 and 256 MiB.  Each run is
#     tshark -2 -V -r CAPTURE > /dev/null
# under /usr/bin/time -v, as the unprivileged user nobody (tshark run as root
# ignores personal plugins) with a private HOME: one holding the plugin, one
# without it (the built-in dissector).  Prints wall time and peak RSS, the
# ratio built-in/mailwire on 8 MiB (target >= 10) and time(64)/time(8)
# (target <= 9: the cost must grow linearly with the literal).
#
# Usage: tests/bench/imap/run.sh [path/to/mailwire.so]
# Environment:
#   BENCH_DIR      where captures are generated and kept (default: a new
#                  directory under ${TMPDIR:-/tmp}; never inside the repository)
#   BENCH_256      "V" (default) times -V on 256 MiB too; "fields" times
#                  -T fields -e mail.imap.literal.size instead; "skip" skips it
#   BENCH_TIMEOUT  seconds allowed per run (default 1800)
# Needs root (to switch to nobody), python3, tshark and /usr/bin/time
# (Debian/Ubuntu: apt-get install -y time).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
plugin=${1:-$repo/build/mailwire.so}
mode256=${BENCH_256:-V}
timeout_s=${BENCH_TIMEOUT:-1800}

. "$here/../common.sh"
bench_require "$plugin"

dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mailwire-imap-bench.XXXXXX")}
mkdir -p "$dir"
chmod 755 "$dir"

# Private HOMEs: with the plugin, and without it.
bench_homes "$plugin"
bench_check_homes

for mib in 8 64 256; do
    f="$dir/imap-fetch-${mib}m.pcap"
    [ "$mib" = 256 ] && [ "$mode256" = skip ] && continue
    if [ ! -s "$f" ]; then
        echo "generating $f" >&2
        python3 "$here/gen_fetch_literal.py" --size-mib "$mib" --out "$f"
    fi
    chmod 644 "$f"
done

results=$(mktemp)
bench_tmp="$bench_tmp $results"

# run LABEL HOME MIB TSHARK-ARGS...: one timed run; appends
# "label mib seconds kbytes status" to $results.
run() {
    label=$1 h=$2 mib=$3
    shift 3
    f="$dir/imap-fetch-${mib}m.pcap"
    log=$(mktemp)
    status=ok
    if ! /usr/bin/time -v -o "$log" timeout "$timeout_s" \
        setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$h" \
        tshark -2 -r "$f" "$@" > /dev/null 2>&1; then
        status=failed
        grep -q "Exit status: 124" "$log" && status="timeout(${timeout_s}s)"
    fi
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" |
           awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    rm -f "$log"
    echo "$label $mib $wall $rss $status $*" >> "$results"
    printf '%-9s %4s MiB  %9.2f s  %8d MB  %s  (%s)\n' "$label" "$mib" "$wall" "$((rss / 1024))" \
        "$status" "$*" >&2
}

echo "captures in $dir" >&2
run mailwire "$home_mw" 8 -V
run built-in "$home_bi" 8 -V
run mailwire "$home_mw" 64 -V
case $mode256 in
V) run mailwire "$home_mw" 256 -V ;;
fields) run mailwire "$home_mw" 256 -T fields -e mail.imap.literal.size ;;
esac

echo
printf '%-10s %-8s %12s %14s  %-8s %s\n' dissector literal "wall (s)" "peak RSS (MB)" status "tshark -2 -r F ..."
while read -r label mib wall rss status args; do
    printf '%-10s %4s MiB %12.2f %14d  %-8s %s\n' "$label" "$mib" "$wall" "$((rss / 1024))" "$status" "$args"
done < "$results"

t() { awk -v l="$1" -v m="$2" '$1 == l && $2 == m { print $3 }' "$results"; }
m8=$(t mailwire 8)
b8=$(t built-in 8)
m64=$(t mailwire 64)
echo
awk -v b="$b8" -v m="$m8" 'BEGIN { r = m > 0 ? b / m : 0;
    printf "built-in / mailwire on 8 MiB: %.1f (target >= 10: %s)\n", r, (r >= 10 ? "met" : "NOT met") }'
awk -v a="$m64" -v m="$m8" 'BEGIN { r = m > 0 ? a / m : 0;
    printf "mailwire time(64 MiB) / time(8 MiB): %.2f (target <= 9: %s)\n", r, (r <= 9 ? "met" : "NOT met") }'

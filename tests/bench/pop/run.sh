#!/bin/bash
# POP3 RETR benchmark: mailwire against Wireshark's built-in POP dissector.
#
#   tests/bench/pop/run.sh [BUILD_DIR] [OUT_DIR]
#
# Makes two captures (RETR of 8 MB and 64 MB, 1448-byte segments) in OUT_DIR
# (default: a temporary directory, never the repository) and times
# `tshark -2 -V -r F > /dev/null` on each: with mailwire (the plugin in a
# private HOME) and with the built-in pop (a HOME without the plugin).  tshark
# runs as nobody, since tshark as root ignores personal plugins.  Needs
# /usr/bin/time (Debian/Ubuntu: apt-get install -y time).
# Prints wall time and peak RSS per run, the ratio built-in/mailwire, and
# mailwire's time(64)/time(8) (linear scaling is 8; the target is <= 9).
# MAILWIRE_BENCH_EXTRA="-o mail.pop.message_view_max:0" adds a third column
# for mailwire with that option (e.g. the message view switched off).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../../../build}
OUT=${2:-$(mktemp -d /tmp/mailwire-bench-pop.XXXXXX)}
. "$HERE/../common.sh"
bench_require "$BUILD/mailwire.so"
mkdir -p "$OUT"
chmod 755 "$OUT"

bench_homes "$BUILD/mailwire.so" "$OUT"
H_MW=$home_mw
H_WS=$home_bi
mkdir -p "$OUT/scratch"
chown -R nobody "$OUT/scratch"
bench_check_homes

for mb in 8 64; do
    [ -f "$OUT/pop-retr-${mb}mb.pcap" ] || python3 "$HERE/gen_pop_retr.py" "$mb" "$OUT/pop-retr-${mb}mb.pcap" >/dev/null
    chmod 644 "$OUT/pop-retr-${mb}mb.pcap"
done

# run LABEL HOME FILE [tshark options...] -> "wall_seconds peak_rss_kb"
run() {
    local home=$1 file=$2; shift 2
    as_nobody "$home" /usr/bin/time -f "%e %M" -o "$OUT/scratch/time.txt" \
        tshark -2 -V -r "$file" "$@" > /dev/null 2>"$OUT/scratch/stderr.txt" || {
        echo "tshark failed:" >&2; cat "$OUT/scratch/stderr.txt" >&2; exit 1; }
    cat "$OUT/scratch/time.txt"
}

declare -A T M
EXTRA=${MAILWIRE_BENCH_EXTRA:-}
printf "%-6s %-44s %10s %12s\n" size dissector "wall (s)" "peak RSS (MB)"
for mb in 8 64; do
    f=$OUT/pop-retr-${mb}mb.pcap
    cols=("mailwire" "built-in")
    [ -n "$EXTRA" ] && cols+=("mailwire $EXTRA")
    for c in "${cols[@]}"; do
        case $c in
            mailwire) read -r t m < <(run "$H_MW" "$f") ;;
            built-in) read -r t m < <(run "$H_WS" "$f") ;;
            *) read -r t m < <(run "$H_MW" "$f" $EXTRA) ;;
        esac
        T[$mb,$c]=$t; M[$mb,$c]=$m
        printf "%-6s %-44s %10s %12d\n" "${mb}MB" "$c" "$t" $((m / 1024))
    done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
for mb in 8 64; do
    echo "${mb}MB built-in/mailwire: time $(ratio "${T[$mb,built-in]}" "${T[$mb,mailwire]}"), peak RSS $(ratio "${M[$mb,built-in]}" "${M[$mb,mailwire]}")"
done
echo "mailwire time(64)/time(8): $(ratio "${T[64,mailwire]}" "${T[8,mailwire]}") (target <= 9)"
if [ -n "$EXTRA" ]; then
    echo "mailwire $EXTRA time(64)/time(8): $(ratio "${T[64,mailwire $EXTRA]}" "${T[8,mailwire $EXTRA]}")"
fi
echo "captures in $OUT"

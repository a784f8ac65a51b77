#!/bin/sh
# Peak memory and time of one long SMTP command line sent one byte per TCP
# segment (8, 16, 32 and 64 KB lines by default): mailwire against
# Wireshark's built-in SMTP dissector.  Each run is
#     tshark -2 -V -r CAPTURE > /dev/null
# under /usr/bin/time -v, as the unprivileged user nobody (tshark run as root
# ignores personal plugins) with a private HOME: one holding the plugin, one
# without it (the built-in dissector).  A carried line is kept once per line,
# not copied per segment, so mailwire's memory must grow linearly with the
# line (target: within 1.5x the built-in's peak on 64 KB).  A benchmark, not
# a test: it prints a table and exits 0.
#
# Usage: tests/bench/longline/run.sh [path/to/mailwire.so] [KB...]
# Environment: BENCH_DIR (default: a new directory under ${TMPDIR:-/tmp}).
# Needs root (to switch to nobody), python3, tshark and /usr/bin/time.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
plugin=${1:-$repo/build/mailwire.so}
[ $# -gt 0 ] && shift
sizes=${*:-8 16 32 64}

. "$here/../common.sh"
bench_require "$plugin"

dir=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mailwire-longline.XXXXXX")}
mkdir -p "$dir"
chmod 755 "$dir"
bench_homes "$plugin"

# seconds and peak KiB of one run: "S KIB"
measure() {
    h=$1
    f=$2
    as_nobody "$h" /usr/bin/time -v tshark -2 -V -r "$f" >/dev/null 2>"$dir/time.txt" || true
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                    for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%s ", s }
                /Maximum resident set size/ { print $2 }' "$dir/time.txt"
}

printf '%-6s %10s %12s %12s %12s %12s %7s\n' KB frames mw_s mw_peak_MiB bi_s bi_peak_MiB ratio
for kb in $sizes; do
    f="$dir/smtp-line-${kb}k-1byte.pcap"
    if [ ! -f "$f" ]; then
        python3 - "$repo/tests/hostile" "$f" "$kb" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import gen
w = gen.Pcapng(sys.argv[2])
k = gen.smtp_start(w)
n = int(sys.argv[3]) * 1024
k.c(b"MAIL FROM:<" + b"a" * (n - 13) + b">\r\n", seg=1)
k.s(b"500 5.5.0 Line too long\r\n")
k.c(b"QUIT\r\n")
k.s(b"221 2.0.0 Bye\r\n")
k.close()
w.close()
PY
        chmod 644 "$f"
    fi
    set -- $(measure "$home_mw" "$f")
    mw_s=$1 mw_kib=$2
    set -- $(measure "$home_bi" "$f")
    bi_s=$1 bi_kib=$2
    awk -v kb="$kb" -v fr=$((kb * 1024 + 20)) -v ms="$mw_s" -v mk="$mw_kib" -v bs="$bi_s" -v bk="$bi_kib" \
        'BEGIN { printf "%-6s %10d %12.2f %12.1f %12.2f %12.1f %7.2f\n", kb, fr, ms, mk / 1024, bs, bk / 1024, mk / bk }'
done

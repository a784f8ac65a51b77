#!/bin/bash
# Capture-level fuzzing: mutate every capture and dissect the mutants with the
# sanitizer-built plugin.
#
#   tests/fuzz/mutate-captures.sh [-p PLUGIN] [-o OUTDIR] [-s MAXBYTES] [N] [DIR...]
#
# For each *.pcapng / *.pcap in captures/ and the DIRs given: N mutation rounds
# (default 2), each making four mutants with random seeds: byte errors
# (editcap -E 0.01..0.05), a snaplen cut (editcap -s), a frame range
# (editcap -r) and a reordered copy (pcap_shuffle.py: adjacent swaps, dropped
# frames).  Each mutant goes through `tshark -2 -V` as uid nobody with ASan +
# UBSan preloaded, WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 and `timeout 60`.
# Counts iterations, crashes (signal or sanitizer exit), hangs (timeout),
# sanitizer reports and dissector bugs; failing mutants and their output are
# kept in OUTDIR/failures.  Captures over MAXBYTES (default 4 MiB) are skipped.
# PLUGIN defaults to build-san/mailwire.so.  Exit status 1 when anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
plugin=$src/build-san/mailwire.so
out=""
maxbytes=$((4 * 1024 * 1024))
while getopts "p:o:s:" o; do
    case $o in
    p) plugin=$OPTARG ;;
    o) out=$OPTARG ;;
    s) maxbytes=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
n=${1:-2}
shift || true
dirs=("$src/captures" "$@")
[ -f "$plugin" ] || { echo "no plugin at $plugin (build with -DMAILWIRE_SANITIZE=ON into build-san)"; exit 2; }
[ -n "$out" ] || out=$(dirname "$plugin")/mutate-work
mkdir -p "$out/failures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home/.local/lib/wireshark/plugins/4.0/epan"
for v in 4.2 4.4 4.6; do mkdir -p "$home/.local/lib/wireshark/plugins/$v/epan"; done
ver=$(tshark --version | sed -n '1s/.* \([0-9]*\.[0-9]*\)\..*/\1/p')
mkdir -p "$home/.local/lib/wireshark/plugins/$ver/epan"
cp "$plugin" "$home/.local/lib/wireshark/plugins/$ver/epan/"
chmod -R a+rX "$work"
chmod 777 "$work"
preload="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"

iters=0 crashes=0 hangs=0 sanreports=0 bugs=0
summary() {
    echo "mutate-captures: $iters runs, $crashes crashes, $hangs hangs, $sanreports sanitizer reports, $bugs dissector bugs"
}
# A long run may be stopped at any time (kill -TERM): it still reports.
trap 'summary; exit 3' TERM INT
run_one() { # mutant label
    local m=$1 label=$2 log=$work/log rc
    chmod a+r "$m"
    iters=$((iters + 1))
    setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$home" LD_PRELOAD="$preload" \
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 \
        timeout 60 tshark -r "$m" -2 -V >/dev/null 2>"$log"
    rc=$?
    local bad=""
    if [ $rc -eq 124 ]; then
        hangs=$((hangs + 1)); bad=hang
    elif grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer' "$log"; then
        sanreports=$((sanreports + 1)); bad=sanitizer
    elif grep -q 'Dissector bug' "$log"; then
        bugs=$((bugs + 1)); bad=dissector-bug
    elif [ $rc -ge 128 ] || [ $rc -eq 134 ]; then
        crashes=$((crashes + 1)); bad=crash
    elif [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
        # tshark exits 2 on a cut-short file, which truncation makes on purpose.
        crashes=$((crashes + 1)); bad="exit$rc"
    fi
    if [ -n "$bad" ]; then
        local keep=$out/failures/$bad-$label
        cp "$m" "$keep.pcap"
        cp "$log" "$keep.log"
        echo "FAIL $bad $label (kept $keep.pcap)"
    fi
}

# Convert each capture once; then round after round over all of them, so a
# long run stopped early has still covered every capture.
caps=()
idx=0
for d in "${dirs[@]}"; do
    for cap in "$d"/*.pcapng "$d"/*.pcap; do
        [ -f "$cap" ] || continue
        [ "$(stat -c %s "$cap")" -le "$maxbytes" ] || continue
        base=$(basename "$cap"); base=${base%.*}
        editcap -F pcap "$cap" "$work/orig-$idx.pcap" 2>/dev/null || continue
        caps+=("$idx:$base")
        idx=$((idx + 1))
    done
done
for ((i = 0; i < n; i++)); do
    for entry in "${caps[@]}"; do
        k=${entry%%:*} base=${entry#*:}
        orig=$work/orig-$k.pcap
        nframes=$(capinfos -c -M "$orig" 2>/dev/null | sed -n 's/.*: *\([0-9]*\)$/\1/p')
        nframes=${nframes:-1}
        seed=$RANDOM$RANDOM
        p=$(printf '0.0%d' $((1 + seed % 5)))
        editcap -E "$p" --seed "$seed" "$orig" "$work/m.pcap" 2>/dev/null &&
            run_one "$work/m.pcap" "$base-E$p-seed$seed"
        snap=$((54 + seed % 400))
        editcap -s "$snap" "$orig" "$work/m.pcap" 2>/dev/null &&
            run_one "$work/m.pcap" "$base-s$snap"
        a=$((1 + seed % nframes)); b=$((a + (seed / 7) % (nframes + 1)))
        editcap -r "$orig" "$work/m.pcap" "$a-$b" 2>/dev/null &&
            run_one "$work/m.pcap" "$base-r$a-$b"
        python3 "$here/pcap_shuffle.py" "$orig" "$work/m.pcap" "$seed" 0.05 0.02 &&
            run_one "$work/m.pcap" "$base-shuffle$seed"
    done
    echo "round $((i + 1)) done: $iters runs so far"
done
summary
[ $((crashes + hangs + sanreports + bugs)) -eq 0 ]

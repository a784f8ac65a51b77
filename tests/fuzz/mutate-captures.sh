#!/bin/bash
# Capture-level fuzzing: mutate every capture and dissect the mutants with the
# sanitizer-built plugin.
#
#   tests/fuzz/mutate-captures.sh [-p PLUGIN] [-o OUTDIR] [-s MAXBYTES] [-t SECONDS]
#                                 [-j JOBS] [-q] [N] [DIR...]
#
# Captures: every *.pcapng / *.pcap in captures/, in ../shared/captures-public/
# beside the repository when it is there, and in the DIRs given.  N mutation
# rounds (default 2) over all of them, each making five mutants per capture
# with random seeds, kind by kind over all captures: byte errors (editcap -E 0.01..0.05), a snaplen cut
# (editcap -s), a frame range (editcap -r), a reordered copy (pcap_shuffle.py:
# adjacent swaps, dropped frames) and an overlapped copy (pcap_shuffle.py:
# segments sent again later with other bytes over the same or a partly
# overlapping range, or identical).  -q makes one mutant per capture and
# round instead, its kind turning with the round, and dissects the mutants of
# eight captures joined in one file (mergecap -a), so a short run still sees
# every capture.  -t stops starting mutants after SECONDS (a long run is
# `-t 600 1000000`: rounds until the time is up); -j runs JOBS tshark at once
# (default 1).
#
# Each mutant goes through `tshark -2 -V` as uid nobody with ASan + UBSan
# preloaded, WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 and `timeout 60`.  Counts runs,
# crashes (signal or sanitizer exit), hangs (timeout), sanitizer reports and
# dissector bugs; failing mutants and their output are kept in
# OUTDIR/failures.  Captures over MAXBYTES (default 4 MiB) are skipped.
# PLUGIN defaults to build-san/mailwire.so.  Exit status 1 when anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
plugin=$src/build-san/mailwire.so
out=""
maxbytes=$((4 * 1024 * 1024))
limit=0
jobs=1
quick=0
while getopts "p:o:s:t:j:q" o; do
    case $o in
    p) plugin=$OPTARG ;;
    o) out=$OPTARG ;;
    s) maxbytes=$OPTARG ;;
    t) limit=$OPTARG ;;
    j) jobs=$OPTARG ;;
    q) quick=1 ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
n=${1:-2}
shift || true
dirs=("$src/captures")
[ -d "$src/../shared/captures-public" ] && dirs+=("$(cd "$src/../shared/captures-public" && pwd)")
dirs+=("$@")
[ -f "$plugin" ] || { echo "no plugin at $plugin (build with -DMAILWIRE_SANITIZE=ON into build-san)"; exit 2; }
[ -n "$out" ] || out=$(dirname "$plugin")/mutate-work
mkdir -p "$out/failures"
work=$(mktemp -d)
home=$work/home
mkdir -p "$home/.local/lib/wireshark/plugins/4.0/epan" "$work/res" "$work/runs" "$work/m"
for v in 4.2 4.4 4.6; do mkdir -p "$home/.local/lib/wireshark/plugins/$v/epan"; done
ver=$(tshark --version 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\..*/\1/p')
mkdir -p "$home/.local/lib/wireshark/plugins/$ver/epan"
cp "$plugin" "$home/.local/lib/wireshark/plugins/$ver/epan/"
chmod -R a+rX "$work"
chmod 777 "$work" "$work/m"
preload="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
if [ "$(id -u)" = 0 ]; then
    as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
    as_nobody=()
fi
start=$(date +%s)

summary() {
    local runs crashes hangs sanreports bugs
    runs=$(find "$work/res" -type f | wc -l)
    count() { grep -lx "$1" -r "$work/res" 2>/dev/null | wc -l; }
    crashes=$(( $(count crash) + $(grep -l '^exit' -r "$work/res" 2>/dev/null | wc -l) ))
    hangs=$(count hang) sanreports=$(count sanitizer) bugs=$(count dissector-bug)
    echo "mutate-captures: $runs mutants over ${#caps[@]} captures" \
        "($(find "$work/runs" -type f | wc -l) tshark runs) in $(( $(date +%s) - start )) s," \
        "$crashes crashes, $hangs hangs, $sanreports sanitizer reports, $bugs dissector bugs"
    by_kind=""
    for k in "${kinds[@]}"; do
        by_kind="$by_kind $k=$(find "$work/res" -type f -name "*-$k" | wc -l)"
    done
    echo "mutants by kind:$by_kind"
    [ $((crashes + hangs + sanreports + bugs)) -eq 0 ]
}
finish() {
    wait
    summary
    local rc=$?
    rm -rf "$work"
    exit $rc
}
# A long run may be stopped at any time (kill -TERM): it still reports.
trap 'finish' TERM INT

# run_one MUTANT LABEL ID KIND: dissect, classify into $work/res/ID-KIND, keep failures.
run_one() {
    local m=$1 label=$2 id=$3 kind=$4 log=$1.log rc bad=ok
    chmod a+r "$m"
    "${as_nobody[@]}" env HOME="$home" LD_PRELOAD="$preload" \
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 \
        timeout 60 tshark -r "$m" -2 -V >/dev/null 2>"$log"
    rc=$?
    if [ $rc -eq 124 ]; then
        bad=hang
    elif grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer' "$log"; then
        bad=sanitizer
    elif grep -q 'Dissector bug' "$log"; then
        bad=dissector-bug
    elif [ $rc -ge 128 ] || [ $rc -eq 134 ]; then
        bad=crash
    elif [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
        # tshark exits 2 on a cut-short file, which truncation makes on purpose.
        bad="exit$rc"
    fi
    echo "$bad" >"$work/res/$id-$kind"
    : >"$work/runs/$id"
    if [ "$bad" != ok ]; then
        local keep=$out/failures/$bad-$label
        cp "$m" "$keep.pcap"
        cp "$log" "$keep.log"
        echo "FAIL $bad $label (kept $keep.pcap)"
    fi
    rm -f "$m" "$log"
}

# mutate KIND ORIG OUT SEED NFRAMES: writes the mutant, prints its label suffix.
mutate() {
    local kind=$1 orig=$2 m=$3 seed=$4 nframes=$5 p snap a b
    case $kind in
    E) p=$(printf '0.0%d' $((1 + seed % 5)))
       editcap -E "$p" --seed "$seed" "$orig" "$m" 2>/dev/null && echo "E$p-seed$seed" ;;
    s) snap=$((54 + seed % 400))
       editcap -s "$snap" "$orig" "$m" 2>/dev/null && echo "s$snap" ;;
    r) a=$((1 + seed % nframes)); b=$((a + (seed / 7) % (nframes + 1)))
       editcap -r "$orig" "$m" "$a-$b" 2>/dev/null && echo "r$a-$b" ;;
    shuffle) python3 "$here/pcap_shuffle.py" "$orig" "$m" "$seed" 0.05 0.02 && echo "shuffle$seed" ;;
    overlap) python3 "$here/pcap_shuffle.py" "$orig" "$m" "$seed" 0.01 0 0.1 && echo "overlap$seed" ;;
    esac
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
        nframes=$(capinfos -c -M "$work/orig-$idx.pcap" 2>/dev/null | sed -n 's/.*: *\([0-9]*\)$/\1/p')
        caps+=("$idx:${nframes:-1}:$base")
        idx=$((idx + 1))
    done
done
# The quick mode's batch: mutants joined into one capture, dissected at once
# (one result per mutant kind in it, so the counts stay per mutant).
batch=() blabel="" bkinds=""
run_batch() {
    [ ${#batch[@]} -gt 0 ] || return 0
    local m=$work/m/batch-$id.pcapng
    mergecap -a -w "$m" "${batch[@]}" 2>/dev/null && rm -f "${batch[@]}" &&
        (run_one "$m" "batch${blabel:0:200}" "$id" batch
         r=$(cat "$work/res/$id-batch"); rm -f "$work/res/$id-batch"
         for kd in $bkinds; do echo "$r" >"$work/res/$id-$RANDOM$RANDOM-$kd"; done) &
    batch=() blabel="" bkinds=""
}

# Kind by kind over all captures (reordering and overlaps first), so a run
# stopped by its time limit has given every capture those mutations.
kinds=(overlap shuffle E s r)
id=0
for ((i = 0; i < n; i++)); do
    if [ "$quick" = 1 ]; then
        passes=(quick)
    else
        passes=("${kinds[@]}")
    fi
    for pass in "${passes[@]}"; do
    for entry in "${caps[@]}"; do
        k=${entry%%:*} rest=${entry#*:}
        nframes=${rest%%:*} base=${rest#*:}
        if [ "$quick" = 1 ]; then
            these=("${kinds[$(((k + i) % 5))]}")
        else
            these=("$pass")
        fi
        for kind in "${these[@]}"; do
            if [ "$limit" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$limit" ]; then
                echo "time limit of $limit s reached in round $((i + 1))"
                finish
            fi
            while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
                wait -n
            done
            m=$work/m/$id.pcap
            seed=$RANDOM$RANDOM # drawn here: a background job would repeat the parent's
            if [ "$quick" = 1 ]; then
                suffix=$(mutate "$kind" "$work/orig-$k.pcap" "$m" "$seed" "$nframes") || continue
                batch+=("$m")
                blabel="$blabel+$base-$suffix"
                bkinds="$bkinds $kind"
                [ ${#batch[@]} -ge 8 ] && run_batch
            else
                suffix=$(mutate "$kind" "$work/orig-$k.pcap" "$m" "$seed" "$nframes") &&
                    run_one "$m" "$base-$suffix" "$id" "$kind" &
            fi
            id=$((id + 1))
        done
    done
    done
    run_batch
    wait
    echo "round $((i + 1)) done: $(find "$work/res" -type f | wc -l) mutants so far"
done
finish

#!/bin/bash
# Build the core fuzz targets with clang (ASan + UBSan + libFuzzer) and run
# each for SECONDS, several at a time.
#
#   tests/fuzz/run-core.sh [SECONDS] [TARGET...]      (default 60 s, all targets)
#
# Environment: BUILD (default build-fuzz), CC (default clang-14 or clang),
# JOBS (targets run at once, default nproc/2).  The working corpus of each
# target starts from tests/fuzz/corpus/<target> and grows in
# $BUILD/fuzz-work/corpus/<target>; crashes and timeouts are kept in
# $BUILD/fuzz-work/artifacts/.  Prints one line per target (executions,
# crashes, timeouts, OOMs) and exits non-zero if any target failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
secs=${1:-60}
shift || true
build=${BUILD:-$src/build-fuzz}
cc=${CC:-$(command -v clang-14 || command -v clang)}
jobs=${JOBS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}

cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DMAILWIRE_FUZZ=ON >/dev/null || exit 2
cmake --build "$build" -j"$(nproc)" >"$build/fuzz-build.log" 2>&1 || { tail -30 "$build/fuzz-build.log"; exit 2; }

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in "$here"/targets/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
work=$build/fuzz-work
mkdir -p "$work/artifacts" "$work/logs"

run_one() {
    local t=$1
    mkdir -p "$work/corpus/$t"
    [ -d "$here/corpus/$t" ] && cp -n "$here/corpus/$t"/* "$work/corpus/$t/" 2>/dev/null
    # -fork keeps going after a crash so one finding does not end the run.
    "$build/tests/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
        "$work/corpus/$t" >"$work/logs/$t.log" 2>&1
    echo $? >"$work/logs/$t.rc"
}

running=0
for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

fail=0
printf '%-20s %12s %8s %8s %6s %6s %s\n' target execs exec/s crashes tmout oom corpus
for t in "${targets[@]}"; do
    log=$work/logs/$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    crashes=$(ls "$work/artifacts/$t-crash-"* 2>/dev/null | wc -l)
    touts=$(ls "$work/artifacts/$t-timeout-"* 2>/dev/null | wc -l)
    ooms=$(ls "$work/artifacts/$t-oom-"* 2>/dev/null | wc -l)
    ncorp=$(ls "$work/corpus/$t" | wc -l)
    printf '%-20s %12s %8s %8s %6s %6s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$crashes" "$touts" "$ooms" "$ncorp"
    if [ "$(cat "$work/logs/$t.rc")" != 0 ] || [ $((crashes + touts + ooms)) -gt 0 ]; then
        fail=1
        grep -m3 -E 'ERROR|invariant failed|SUMMARY' "$log" | sed "s/^/    $t: /"
    fi
done
exit $fail

#!/usr/bin/env bash
# run.sh SECONDS FUZZ_DIR NAME... - runs the libFuzzer harnesses
# FUZZ_DIR/fuzz_NAME for SECONDS each, two at a time (the machine has two
# cores), and prints one line per harness: executions, executions per second,
# corpus size, coverage (libFuzzer's cov: edges), the slowest input in whole
# seconds, peak memory, and the verdict; then the wall time.
#
# Each harness starts from its committed seed corpus tests/fuzz/corpus/NAME/
# (read only) and writes what it finds to FUZZ_DIR/work/NAME/; a crash, a
# sanitizer report, a leak (-detect_leaks stays on), an input slower than
# 10 s (-timeout) or above 2 GiB (-rss_limit_mb) stops that harness and saves
# the input as FUZZ_DIR/artifacts/NAME-crash-... (or -timeout-, -leak-,
# -oom-); its log is FUZZ_DIR/logs/NAME.log.  A dictionary
# tests/fuzz/NAME.dict is used when present.  Exit status 1 when any harness
# failed.  The harnesses' temporary files go to one directory made here
# (in /dev/shm when it exists, else $TMPDIR or /tmp) and removed at the end.
set -uo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 3 ] || { echo "usage: $0 SECONDS FUZZ_DIR NAME..." >&2; exit 2; }
secs=$1 dir=$2
shift 2
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: SECONDS must be a whole number >= 1" >&2; exit 2; }
mkdir -p "$dir/work" "$dir/artifacts" "$dir/logs"
shm=/dev/shm; [ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$shm/codesim-fuzz-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

one() {   # one NAME: runs it, prints its summary line
    local name=$1 bin=$dir/fuzz_$1 log=$dir/logs/$1.log dict=()
    mkdir -p "$dir/work/$name"
    [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
    local start=$(date +%s%N)
    TMPDIR=$tmp "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/$name-" "${dict[@]}" \
        "$dir/work/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1
    local rc=$? ms=$((($(date +%s%N) - start) / 1000000))
    local runs eps rss cov corp slow
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    slow=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    local verdict="0 crashes"
    if [ "$rc" -ne 0 ]; then
        verdict="FAILED (exit $rc): $(grep -m1 -E 'ERROR:|runtime error|property violated|Test unit written' "$log")"
    fi
    printf '%-13s %5d.%d s %9s execs %6s execs/s  corpus %4s  cov %4s  slowest %2s s  rss %4s MB  %s\n' \
        "$name" $((ms / 1000)) $((ms % 1000 / 100)) "${runs:-?}" "${eps:-?}" "${corp:-?}" \
        "${cov:-?}" "${slow:-?}" "${rss:-?}" "$verdict"
    [ "$rc" -eq 0 ] || { tail -n 40 "$log" | sed "s/^/  $name| /"; return 1; }
}
export -f one
export dir secs tmp

start=$(date +%s%N)
parallel --will-cite --keep-order -j 2 one ::: "$@"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
total=0
for name in "$@"; do
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/logs/$name.log" | tail -n 1)
    total=$((total + ${n:-0}))
done
printf 'fuzz: %d harnesses, %d s each, %d executions, %s in %d.%d s wall\n' $# "$secs" \
    "$total" "$([ $rc -eq 0 ] && echo 'no crash, hang, leak or sanitizer report' || echo FAILED)" \
    $((ms / 1000)) $((ms % 1000 / 100))
exit $(( rc != 0 ))

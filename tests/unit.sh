#!/usr/bin/env bash
# unit.sh RUN_TESTS - `make unit`: the layering check, then the unit suites
# of RUN_TESTS (tests/main.c marks them: no codesim binary spawned, no
# Verilator, yosys or valgrind) two at a time, one summary line per suite and
# the whole output of a suite that fails; prints the time taken.
#
# Leak checking is off: LeakSanitizer runs at the exit of every forked test
# and doubles the time.  ASan and UBSan stay on; `make test` runs the same
# suites with leak checking.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 RUN_TESTS" >&2; exit 2; }
run_tests=$1
start=$(date +%s%N)

suite() {   # runs one suite quietly; prints everything when it fails
    local out rc
    out=$("$run_tests" "$1" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ]; then
        printf '%-9s %s\n' "$1" "$(tail -n 1 <<<"$out")"
    else
        printf '%s\n%s: FAILED (exit %d)\n' "$out" "$1" "$rc"
    fi
    return "$rc"
}
export -f suite
export run_tests
export ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}

rc=0
tests/check_layers.sh && echo "layers    no upward includes" || rc=1
suites=$("$run_tests" --list --unit) || exit 1
parallel --will-cite --group -j 2 suite ::: $suites || rc=1

ms=$((($(date +%s%N) - start) / 1000000))
printf 'make unit: %s in %d.%d s\n' "$([ $rc -eq 0 ] && echo passed || echo FAILED)" \
    $((ms / 1000)) $((ms % 1000 / 100))
exit $rc

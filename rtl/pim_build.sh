#!/usr/bin/env bash
# pim_build.sh OUTDIR LANES FP NG NS NA
#
# Verilates rtl/pim_unit.v for one unit configuration (LANES 1..64, FP 0 =
# int8 or 1 = fp16, NG/NS/NA register entries 1..16) and links it with the C
# shim into OUTDIR/libvpim.so (exports only vpim_api(); see pim_shim.h).
#
# Safe to run concurrently, also for the same OUTDIR: the build works in a
# temporary sibling directory and moves the finished library into place with
# one rename(2).  Quiet on success except one line naming the output.
set -euo pipefail

me="pim_build.sh"
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -eq 6 ] || die "usage: $0 OUTDIR LANES FP NG NS NA"
outdir=$1 LANES=$2 FP=$3 NG=$4 NS=$5 NA=$6

num() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
        die "$1 must be an integer in $3..$4 (got '$2')"; }
num LANES "$LANES" 1 64
num FP "$FP" 0 1
num NG "$NG" 1 16
num NS "$NS" 1 16
num NA "$NA" 1 16

command -v verilator >/dev/null 2>&1 ||
    die "verilator not found in PATH (install Verilator 5.x, e.g. apt-get install verilator)"
command -v g++ >/dev/null 2>&1 || die "g++ not found in PATH"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vroot=$(verilator --getenv VERILATOR_ROOT 2>/dev/null) || vroot=""
[ -n "$vroot" ] && [ -f "$vroot/include/verilated.cpp" ] ||
    die "cannot find the Verilator runtime (verilator --getenv VERILATOR_ROOT gave '$vroot')"

mkdir -p "$outdir" || die "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)
tmp=$(mktemp -d "$(dirname "$outdir")/.$(basename "$outdir").vpim-build.XXXXXX") ||
    die "cannot create a temporary directory next to $outdir"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
log="$tmp/build.log"

fail() {
    echo "$me: error: $1 (LANES=$LANES FP=$FP NG=$NG NS=$NS NA=$NA); log follows:" >&2
    tail -n 40 "$log" >&2
    exit 1
}

cxx=(g++ -std=gnu++17 -O2 -fPIC -pthread -faligned-new -fcf-protection=none
     -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=0 -DVM_TRACE_FST=0 -DVM_TRACE_VCD=0
     -I"$here" -I"$tmp/obj" -I"$vroot/include" -I"$vroot/include/vltstd")

# The Verilator runtime does not depend on the configuration: compile it in
# the background while Verilator runs.
( "${cxx[@]}" -c "$vroot/include/verilated.cpp" -o "$tmp/verilated.o" &&
  "${cxx[@]}" -c "$vroot/include/verilated_threads.cpp" -o "$tmp/verilated_threads.o"
) >"$tmp/runtime.log" 2>&1 &
rt_pid=$!

if ! verilator --cc "$here/pim_unit.v" --top-module pim_unit \
        -GLANES="$LANES" -GFP="$FP" -GNG="$NG" -GNS="$NS" -GNA="$NA" \
        -CFLAGS "-fPIC -O2" \
        -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2" \
        --build -j 2 -Mdir "$tmp/obj" >"$log" 2>&1; then
    wait "$rt_pid" || true
    fail "verilator failed"
fi
if ! wait "$rt_pid"; then
    cat "$tmp/runtime.log" >>"$log"
    fail "compiling the Verilator runtime failed"
fi

printf '{ global: vpim_api; local: *; };\n' >"$tmp/exports.map"
"${cxx[@]}" -shared \
    -DVPIM_LANES="$LANES" -DVPIM_FP="$FP" -DVPIM_NG="$NG" -DVPIM_NS="$NS" -DVPIM_NA="$NA" \
    "$here/pim_shim.cpp" "$tmp/verilated.o" "$tmp/verilated_threads.o" \
    "$tmp/obj/Vpim_unit__ALL.a" \
    -Wl,--version-script="$tmp/exports.map" -Wl,--no-undefined \
    -o "$tmp/libvpim.so" -latomic >>"$log" 2>&1 || fail "linking the shim failed"

mv -f "$tmp/libvpim.so" "$outdir/libvpim.so" || fail "cannot move the library into $outdir"
echo "built $outdir/libvpim.so (LANES=$LANES FP=$FP NG=$NG NS=$NS NA=$NA)"

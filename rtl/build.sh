#!/usr/bin/env bash
# build.sh OUTDIR R C AW BW ACCW
#
# Verilates rtl/systolic.v for one array shape and links it with the C shim
# into OUTDIR/libvsystolic.so (exports only vsys_api(); see systolic_shim.h).
#
# Safe to run concurrently, also for the same OUTDIR: each build works in its
# own temporary directory next to OUTDIR and the finished library is moved
# into place with one rename(2), so readers see either the old or the new
# complete file.  Quiet on success except one line naming the output.
set -euo pipefail

me="build.sh"
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -eq 6 ] || die "usage: $0 OUTDIR R C AW BW ACCW"
outdir=$1 R=$2 C=$3 AW=$4 BW=$5 ACCW=$6

num() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
        die "$1 must be an integer in $3..$4 (got '$2')"; }
num R "$R" 1 256
num C "$C" 1 256
num AW "$AW" 1 16
num BW "$BW" 1 16
num ACCW "$ACCW" 2 32

command -v verilator >/dev/null 2>&1 ||
    die "verilator not found in PATH (install Verilator 5.x, e.g. apt-get install verilator)"
command -v g++ >/dev/null 2>&1 || die "g++ not found in PATH"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vroot=$(verilator --getenv VERILATOR_ROOT 2>/dev/null) || vroot=""
[ -n "$vroot" ] && [ -f "$vroot/include/verilated.cpp" ] ||
    die "cannot find the Verilator runtime (verilator --getenv VERILATOR_ROOT gave '$vroot')"

mkdir -p "$outdir" || die "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)
# Temp dir is a sibling of OUTDIR: same file system, so the final mv is an
# atomic rename, and nothing half-built ever appears inside OUTDIR.
tmp=$(mktemp -d "$(dirname "$outdir")/.$(basename "$outdir").vsys-build.XXXXXX") ||
    die "cannot create a temporary directory next to $outdir"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM    # run the EXIT trap (clean-up) on ^C / kill too
log="$tmp/build.log"

fail() {
    echo "$me: error: $1 (R=$R C=$C AW=$AW BW=$BW ACCW=$ACCW); log follows:" >&2
    tail -n 40 "$log" >&2
    exit 1
}

# Flags for everything compiled here, matching what Verilator's own
# makefile (verilated.mk) uses for the model, plus -fPIC for the .so.
cxx=(g++ -std=gnu++17 -O2 -fPIC -pthread -faligned-new -fcf-protection=none
     -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=0 -DVM_TRACE_FST=0 -DVM_TRACE_VCD=0
     -I"$here" -I"$tmp/obj" -I"$vroot/include" -I"$vroot/include/vltstd")

# 1. The Verilator runtime does not depend on the shape: compile it in the
#    background while Verilator verilates and runs its own make -j 2.
( "${cxx[@]}" -c "$vroot/include/verilated.cpp" -o "$tmp/verilated.o" &&
  "${cxx[@]}" -c "$vroot/include/verilated_threads.cpp" -o "$tmp/verilated_threads.o"
) >"$tmp/runtime.log" 2>&1 &
rt_pid=$!

# 2. Verilate and compile the model into obj/Vsystolic_top__ALL.a.
#    Verilator's makefile appends OPT_FAST (-Os by default) after CFLAGS,
#    so the optimisation level is set through its make variables too.
#    --output-split* cut the (fully unrolled) PE grid into several files and
#    functions: g++ compiles those in parallel and far faster than one huge
#    function (16x16: 14 s -> 9 s, 32x32: 54 s -> 19 s), at equal run speed.
if ! verilator --cc "$here/systolic.v" --top-module systolic_top \
        -GR="$R" -GC="$C" -GAW="$AW" -GBW="$BW" -GACCW="$ACCW" \
        -CFLAGS "-fPIC -O2" \
        -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2" \
        --output-split 20000 --output-split-cfuncs 2000 \
        --build -j 2 -Mdir "$tmp/obj" >"$log" 2>&1; then
    wait "$rt_pid" || true
    fail "verilator failed"
fi
if ! wait "$rt_pid"; then
    cat "$tmp/runtime.log" >>"$log"
    fail "compiling the Verilator runtime failed"
fi

# 3. Link the shim, the model and the runtime into one shared object.  The
#    version script keeps everything but vsys_api local, so libraries of
#    different shapes can be loaded into one process.
printf '{ global: vsys_api; local: *; };\n' >"$tmp/exports.map"
"${cxx[@]}" -shared \
    -DVSYS_R="$R" -DVSYS_C="$C" -DVSYS_AW="$AW" -DVSYS_BW="$BW" -DVSYS_ACCW="$ACCW" \
    "$here/systolic_shim.cpp" "$tmp/verilated.o" "$tmp/verilated_threads.o" \
    "$tmp/obj/Vsystolic_top__ALL.a" \
    -Wl,--version-script="$tmp/exports.map" -Wl,--no-undefined \
    -o "$tmp/libvsystolic.so" -latomic >>"$log" 2>&1 || fail "linking the shim failed"

mv -f "$tmp/libvsystolic.so" "$outdir/libvsystolic.so" || fail "cannot move the library into $outdir"
echo "built $outdir/libvsystolic.so (R=$R C=$C AW=$AW BW=$BW ACCW=$ACCW)"

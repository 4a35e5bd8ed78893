#!/usr/bin/env bash
# lut_build.sh OUTDIR TM TN TK G P AW SYM
#
# Verilates rtl/lut_tc.v for one LUT-unit shape and links it with the C shim
# into OUTDIR/libvlut.so (exports only vlut_api(); see lut_shim.h).  Same
# scheme as rtl/build.sh: a private temporary directory next to OUTDIR and one
# atomic rename, so concurrent builds of one shape are safe.
set -euo pipefail

me="lut_build.sh"
die() { echo "$me: error: $*" >&2; exit 1; }

[ $# -eq 8 ] || die "usage: $0 OUTDIR TM TN TK G P AW SYM"
outdir=$1 TM=$2 TN=$3 TK=$4 G=$5 P=$6 AW=$7 SYM=$8

num() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
        die "$1 must be an integer in $3..$4 (got '$2')"; }
num TM "$TM" 1 64
num TN "$TN" 1 1024
num G "$G" 1 8
num TK "$TK" "$G" 4096
[ $((TK % G)) -eq 0 ] || die "TK must be a multiple of G (got TK=$TK G=$G)"
num P "$P" 1 4
num AW "$AW" 2 16
num SYM "$SYM" 0 1

command -v verilator >/dev/null 2>&1 ||
    die "verilator not found in PATH (install Verilator 5.x, e.g. apt-get install verilator)"
command -v g++ >/dev/null 2>&1 || die "g++ not found in PATH"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vroot=$(verilator --getenv VERILATOR_ROOT 2>/dev/null) || vroot=""
[ -n "$vroot" ] && [ -f "$vroot/include/verilated.cpp" ] ||
    die "cannot find the Verilator runtime (verilator --getenv VERILATOR_ROOT gave '$vroot')"

mkdir -p "$outdir" || die "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)
tmp=$(mktemp -d "$(dirname "$outdir")/.$(basename "$outdir").vlut-build.XXXXXX") ||
    die "cannot create a temporary directory next to $outdir"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
log="$tmp/build.log"
shape="TM=$TM TN=$TN TK=$TK G=$G P=$P AW=$AW SYM=$SYM"

fail() {
    echo "$me: error: $1 ($shape); log follows:" >&2
    tail -n 40 "$log" >&2
    exit 1
}

cxx=(g++ -std=gnu++17 -O1 -fPIC -pthread -faligned-new -fcf-protection=none
     -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=0 -DVM_TRACE_FST=0 -DVM_TRACE_VCD=0
     -I"$here" -I"$tmp/obj" -I"$vroot/include" -I"$vroot/include/vltstd")

# The Verilator runtime does not depend on the shape: it is compiled once per
# Verilator version into a directory beside OUTDIR (made atomically, so
# concurrent builds either find it or make their own copy), in the
# background while Verilator builds the model.
rtdir="$(dirname "$outdir")/.vlut-runtime-$(verilator --version | tr -cd '0-9.')"
rt_pid=""
if [ ! -f "$rtdir/verilated_threads.o" ]; then
    ( mkdir -p "$tmp/rt" &&
      "${cxx[@]}" -c "$vroot/include/verilated.cpp" -o "$tmp/rt/verilated.o" &&
      "${cxx[@]}" -c "$vroot/include/verilated_threads.cpp" -o "$tmp/rt/verilated_threads.o" &&
      { mv -T "$tmp/rt" "$rtdir" 2>/dev/null || true; }
    ) >"$tmp/runtime.log" 2>&1 &
    rt_pid=$!
fi

# Test shapes are small: -O1 compiles fastest at a run speed that is plenty.
if ! verilator --cc "$here/lut_tc.v" --top-module lut_top \
        -GTM="$TM" -GTN="$TN" -GTK="$TK" -GG="$G" -GP="$P" -GAW="$AW" -GSYM="$SYM" \
        -CFLAGS "-fPIC -O1" \
        -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O1 OPT_GLOBAL=-O1" \
        --build -j 2 -Mdir "$tmp/obj" >"$log" 2>&1; then
    [ -z "$rt_pid" ] || wait "$rt_pid" || true
    fail "verilator failed"
fi
if [ -n "$rt_pid" ] && ! wait "$rt_pid"; then
    cat "$tmp/runtime.log" >>"$log"
    fail "compiling the Verilator runtime failed"
fi
# Our own copy when another build won the race to create $rtdir.
rto="$rtdir"
[ -f "$rto/verilated_threads.o" ] || rto="$tmp/rt"

printf '{ global: vlut_api; local: *; };\n' >"$tmp/exports.map"
"${cxx[@]}" -shared \
    -DVLUT_TM="$TM" -DVLUT_TN="$TN" -DVLUT_TK="$TK" -DVLUT_G="$G" -DVLUT_P="$P" \
    -DVLUT_AW="$AW" -DVLUT_SYM="$SYM" \
    "$here/lut_shim.cpp" "$rto/verilated.o" "$rto/verilated_threads.o" \
    "$tmp/obj/Vlut_top__ALL.a" \
    -Wl,--version-script="$tmp/exports.map" -Wl,--no-undefined \
    -o "$tmp/libvlut.so" -latomic >>"$log" 2>&1 || fail "linking the shim failed"

mv -f "$tmp/libvlut.so" "$outdir/libvlut.so" || fail "cannot move the library into $outdir"
echo "built $outdir/libvlut.so ($shape)"

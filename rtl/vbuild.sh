#!/usr/bin/env bash
# vbuild.sh OUTDIR SOURCE TOP SHIM LIB SYMBOL OPT GPARAMS DEFINES SHAPE
#
# Builds one configuration of a Verilated block into OUTDIR/LIB: verilates
# rtl/SOURCE (top module TOP, Verilog parameters GPARAMS, e.g. "-GR=8 -GC=8"),
# compiles it with Verilator's own make at -OPT, and links it with rtl/SHIM
# (compiled with the macros DEFINES, e.g. "-DVSYS_R=8 ...") and the Verilator
# runtime into a shared library that exports only SYMBOL, so libraries of
# different configurations load into one process.  SHAPE names the
# configuration in messages.  The block scripts (build.sh, lut_build.sh,
# pim_build.sh) check their parameters and call this.
#
# Safe to run concurrently, also for the same OUTDIR: each build works in its
# own temporary directory next to OUTDIR and the finished library is moved
# into place with one rename(2), so readers see either the old or the new
# complete file.  The Verilator runtime does not depend on the configuration:
# it is compiled once per Verilator version and -O level into a directory
# beside OUTDIR (made atomically; a build that loses the race uses its own
# copy), in the background while Verilator builds the model.  Quiet on
# success except one line naming the output.
#
# No path reaches a shell or a makefile: OUTDIR (the cache, which may hold
# spaces, ';' or '$(...)') and this script's directory are only ever single
# arguments.  Verilator's own --build would run `make -C MDIR` through
# system(3), and its makefiles refuse a directory with a space and expand
# '$' in included dependency files, so Verilator only writes the C++ and its
# makefile (without .d files) into a fresh directory of a safe name under
# $TMPDIR (or /tmp), and this script runs make there with an argument list.
set -euo pipefail

me=${VBUILD_NAME:-vbuild.sh}
die() { echo "$me: error: $*" >&2; exit 1; }
[ $# -eq 10 ] || die "usage: $0 OUTDIR SOURCE TOP SHIM LIB SYMBOL OPT GPARAMS DEFINES SHAPE"
outdir=$1 src=$2 top=$3 shim=$4 lib=$5 sym=$6 opt=$7 shape=${10}
read -r -a gparams <<<"$8"
read -r -a defines <<<"$9"

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
tmp=$(mktemp -d "$(dirname "$outdir")/.$(basename "$outdir").build.XXXXXX") ||
    die "cannot create a temporary directory next to $outdir"
# Verilator's make directory: its name is only [A-Za-z0-9/._-], so neither a
# shell nor make ever sees a character it would interpret.
safe='^[A-Za-z0-9/._-]+$'
tmproot=${TMPDIR:-/tmp}
[[ $tmproot =~ $safe ]] || tmproot=/tmp
mdir=$(mktemp -d "$tmproot/codesim-vobj.XXXXXX") || { rm -rf "$tmp"; die "cannot create a temporary directory in $tmproot"; }
[[ $mdir =~ $safe ]] || { rm -rf "$tmp" "$mdir"; die "temporary directory $mdir has an unsafe name"; }
trap 'rm -rf "$tmp" "$mdir"' EXIT
trap 'exit 130' INT TERM    # run the EXIT trap (clean-up) on ^C / kill too
log="$tmp/build.log"

fail() {
    echo "$me: error: $1 ($shape); log follows:" >&2
    tail -n 40 "$log" >&2
    exit 1
}

# Flags for everything compiled here, matching what Verilator's own
# makefile (verilated.mk) uses for the model, plus -fPIC for the .so.
cxx=(g++ -std=gnu++17 "-$opt" -fPIC -pthread -faligned-new -fcf-protection=none
     -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=0 -DVM_TRACE_FST=0 -DVM_TRACE_VCD=0
     -I"$here" -I"$mdir" -I"$vroot/include" -I"$vroot/include/vltstd")

rtdir="$(dirname "$outdir")/.vruntime-$(verilator --version | tr -cd '0-9.')-$opt"
rt_pid=""
if [ ! -f "$rtdir/verilated_threads.o" ]; then
    ( mkdir -p "$tmp/rt" &&
      "${cxx[@]}" -c "$vroot/include/verilated.cpp" -o "$tmp/rt/verilated.o" &&
      "${cxx[@]}" -c "$vroot/include/verilated_threads.cpp" -o "$tmp/rt/verilated_threads.o" &&
      { mv -T "$tmp/rt" "$rtdir" 2>/dev/null || true; }
    ) >"$tmp/runtime.log" 2>&1 &
    rt_pid=$!
fi

# Verilate into MDIR, then compile the model into MDIR/V<top>__ALL.a with
# Verilator's makefile (what --build would run, minus the shell).  Verilator's
# makefile appends OPT_FAST (-Os by default) after CFLAGS, so the level is
# set through its make variables too.  --output-split* cut large unrolled
# designs (a PE grid) into pieces g++ compiles in parallel and far faster
# (16x16 array: 14 s -> 9 s, 32x32: 54 s -> 19 s), at equal run speed.
# Verilator reads the sources relative to this script's directory, whose
# path it would otherwise expand ('$VAR' in a file name is an environment
# variable to it).
if ! { ( cd "$here" && verilator --cc "$src" -I. --top-module "$top" "${gparams[@]}" \
          -CFLAGS "-fPIC -$opt" --no-MMD \
          --output-split 20000 --output-split-cfuncs 2000 \
          -Mdir "$mdir" ) >"$log" 2>&1 &&
        make -C "$mdir" -f "V$top.mk" -j 2 "OPT_FAST=-$opt" OPT_SLOW=-O1 "OPT_GLOBAL=-$opt" \
          "V${top}__ALL.a" >>"$log" 2>&1; }; then
    [ -z "$rt_pid" ] || wait "$rt_pid" || true
    fail "verilating or compiling the model failed"
fi
if [ -n "$rt_pid" ] && ! wait "$rt_pid"; then
    cat "$tmp/runtime.log" >>"$log"
    fail "compiling the Verilator runtime failed"
fi
rto="$rtdir"
[ -f "$rto/verilated_threads.o" ] || rto="$tmp/rt"

printf '{ global: %s; local: *; };\n' "$sym" >"$tmp/exports.map"
"${cxx[@]}" -shared "${defines[@]}" \
    "$here/$shim" "$rto/verilated.o" "$rto/verilated_threads.o" "$mdir/V${top}__ALL.a" \
    -Wl,--version-script="$tmp/exports.map" -Wl,--no-undefined \
    -o "$tmp/$lib" -latomic >>"$log" 2>&1 || fail "linking the shim failed"

mv -f "$tmp/$lib" "$outdir/$lib" || fail "cannot move the library into $outdir"
echo "built $outdir/$lib ($shape)"

#!/usr/bin/env bash
# check_install.sh - `make install` into a temporary PREFIX, then the whole
# PREFIX moved elsewhere: the moved binary must find its data in the moved
# PREFIX/share/codesim (not in this checkout, which it was compiled in) and
# build Verilated libraries into the user's cache, never below PREFIX
# (sim/io/paths.h).  Run by `make test`; needs build/codesim.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "check_install: FAIL: $*" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/codesim-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"${MAKE:-make}" --no-print-directory install PREFIX="$tmp/prefix" >/dev/null
mv "$tmp/prefix" "$tmp/moved"
bin=$tmp/moved/bin/codesim
share=$tmp/moved/share/codesim
# A technology node only the moved tree has: found only if the binary looks there.
cp "$share/reports/tech/45nm.yaml" "$share/reports/tech/moved.yaml"
touch "$tmp/stamp"

cd "$tmp"
unset CODESIM_DATA CODESIM_CACHE XDG_CACHE_HOME
export HOME=$tmp/home

"$bin" --help | grep -qxF "in effect: data directory $share" ||
    fail "--help does not name $share as the data directory"
"$bin" run --workload "$share/traces/transformer.csv" --hw "$share/configs/default.yaml" \
    --tech moved --db "$tmp/r.db" >run.out 2>&1 || { cat run.out; fail "run --tech moved"; }
grep -q '^stored as run 1 in ' run.out || fail "run stored nothing"
"$bin" area --tech moved >area.out 2>&1 || { cat area.out; fail "area --tech moved"; }
"$bin" area >area.out 2>&1 || { cat area.out; fail "area (default node)"; }
grep -q '^total ' area.out || fail "area printed no total"

# $CODESIM_DATA comes first.
if CODESIM_DATA=$tmp/nowhere "$bin" area >err.out 2>&1; then fail "CODESIM_DATA ignored"; fi
grep -qF "$tmp/nowhere/reports/tech/45nm.yaml" err.out || { cat err.out; fail "CODESIM_DATA ignored"; }

# Verilated libraries: built from the installed rtl/ into ~/.cache/codesim.
"$bin" rtlcheck --block pim --lanes 2 --prec int8 --grf 2 --srf 2 --acc 2 --cols 4 \
    --trials 3 --db "$tmp/r.db" >rtl.out 2>&1 || { cat rtl.out; fail "rtlcheck from the install"; }
grep -q '^rtlcheck: 3 cases, 0 cycle mismatches, 0 value mismatches$' rtl.out ||
    { cat rtl.out; fail "rtlcheck summary"; }
[ -f "$HOME/.cache/codesim/pim/pim_l2_fp0_g2_s2_a2/libvpim.so" ] ||
    fail "the library is not in ~/.cache/codesim"
written=$(find "$tmp/moved" -newer "$tmp/stamp" -print)
[ -z "$written" ] || fail "wrote below PREFIX: $written"

echo "install: make install, moved PREFIX: run, area and rtlcheck find their data"

#!/bin/sh
# synth_timing.sh CODESIM OUT - `make synth-timing` (mk/teng.mk): the
# components of rtl/synth/parts.v through `codesim synth --top`, their
# longest paths in gate levels beside models/te_cost.h's laws, then the
# engines' own teng_core against the timing and area models.
set -eu
B=$1 OUT=$2
PARTS=$(dirname "$0")/parts.v
mkdir -p "$OUT"
rc=0
lv() { t=$1; shift; "$B" synth --out "$OUT" --top "$t" --verilog "$PARTS" "$@" 2>&1 | sed -n 's/.* \([0-9.]*\) um^2 (NanGate.*longest path \([0-9]*\) gates.*/\2 gate levels, \1 um^2/p'; }
part() {   # part TOP LAW PARAM...
    top=$1 law=$2; shift 2
    got=$(lv "$top" $(for p in "$@"; do printf -- '--param %s ' "$p"; done))
    echo "synth-timing: $top $*: $got (te_cost.h law: $law levels)"
}
for w in 8 16 32; do part addw $((2 * w - 2)) W=$w; done
for n in 4 8 16; do part mulw $((4 * n - 3)) N=$n M=$n; done
part fmaw "$((2 * 16 - 3)) + 2 + 2 x 16 = 63" N=8 W=32
part dot2 "29 + 4 = 33" N=8
part csa3 3 W=32
part booth_row 5 N=8
part booth_row 5 N=16
# The OPT1 PE's Booth term (te_booth_neg_levels, n + 2 for n >= 4): the row
# behind a full negation of the multiplicand; outside 10% fails.
for n in 4 8 16; do
    got=$(lv booth_negrow --param N=$n)
    law=$((n + 2))
    echo "synth-timing: booth_negrow N=$n: $got (te_cost.h law: $law levels)"
    l=${got%% gate levels*}
    [ -n "$l" ] && [ $((10 * (l > law ? l - law : law - l))) -le "$l" ] ||
        { echo "synth-timing: booth_negrow N=$n: outside 10% of the law"; rc=1; }
done
for d in 1 2 4; do
    for x in false true; do
        printf 'name: t\ncube:\n  rows: 1\n  cols: 1\n  depth: %s\n  compressed: %s\n' "$d" "$x" > "$OUT/cube_$d$x.yaml"
        "$B" synth --compare cube --hw "$OUT/cube_$d$x.yaml" --tech yosys45 --out "$OUT" || rc=1
    done
done
exit $rc

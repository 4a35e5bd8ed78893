#!/bin/sh
# paper_synth.sh CODESIM PAPER_DIR N OUT - `make paper-synth`: the HPCA 2025
# paper's public Verilog (a checkout of
# github.com/wqzustc/High-Performance-Tensor-Processing-Engines, never copied
# into this repository) through `codesim synth --top` (rtl/synth/top.ys,
# NanGate 45 nm X1 cell areas, ltp gate levels), MAC-based against OPT1:
# the N x N OS arrays (with the model of each, --compare array /
# array+opt1 on yosys45, exit non-zero beyond 10%), the 3D cubes at N = 2
# and, when N <= 4, at N (--compare cube+mac / cube+opt1, the same; N x N x
# N PEs) and the WS PEs (the repository has no OPT1 WS top).  For each pair
# it prints the area ratio at one clock and the area efficiency at each
# design's own fmax, (area_mac x levels_mac) / (area_opt1 x levels_opt1),
# levels being the longest path into a flip-flop in unit gate delays: from
# yosys, and for the compared pairs from the models too.
# rtl/synth/dw02_tree.v stands in for DesignWare's DW02_tree.
set -eu
B=$1 P=$2/OPT1 N=$3 OUT=$4
DW=$(dirname "$0")/dw02_tree.v
mkdir -p "$OUT"
printf 'name: paper_os\narray:\n  rows: %s\n  cols: %s\n  dataflow: os\n  acc_bits: 32\n  fixed_dataflow: true\n' \
    "$N" "$N" > "$OUT/os.yaml"
rc=0
# synth NAME ARGS...: runs codesim synth, keeps its output in $OUT/NAME.txt
synth() {
    name=$1; shift
    "$B" synth --out "$OUT" "$@" > "$OUT/$name.txt" 2>&1 || { echo "paper-synth: $name: failed or outside 10%:"; rc=1; }
    cat "$OUT/$name.txt"
}
um2() { sed -n 's/.* \([0-9.]*\) um^2 (NanGate.*/\1/p' "$OUT/$1.txt"; }
lvl() { sed -n 's/.*(\([0-9]*\) into flip-flops), yosys.*/\1/p' "$OUT/$1.txt"; }
mum2() { sed -n 's/^model: .*: \([0-9.]*\) um^2, .*/\1/p' "$OUT/$1.txt"; }
mlvl() { sed -n 's/^model: longest path [0-9]* gates (\([0-9]*\) into flip-flops).*/\1/p' "$OUT/$1.txt"; }
pair() {   # pair TITLE MAC OPT1 PAPER_X
    awk -v t="$1" -v am="$(um2 "$2")" -v ao="$(um2 "$3")" -v lm="$(lvl "$2")" -v lo="$(lvl "$3")" -v p="$4" 'BEGIN {
        printf "paper-synth: %s: MAC %.1f um^2, %d levels; OPT1 %.1f um^2, %d levels: %.3fx at one clock, %.3fx area efficiency at each fmax (paper: %s)\n",
               t, am, lm, ao, lo, am / ao, (am * lm) / (ao * lo), p }'
}
mpair() {  # mpair TITLE MAC OPT1 PAPER_X: the same from the models' lines
    awk -v t="$1" -v am="$(mum2 "$2")" -v ao="$(mum2 "$3")" -v lm="$(mlvl "$2")" -v lo="$(mlvl "$3")" -v p="$4" 'BEGIN {
        if (am == "" || ao == "" || lm == "" || lo == "") { printf "paper-synth: %s, model: no model lines\n", t; exit }
        printf "paper-synth: %s, model: MAC %.1f um^2, %d levels; OPT1 %.1f um^2, %d levels: %.3fx at one clock, %.3fx area efficiency at each fmax (paper: %s)\n",
               t, am, lm, ao, lo, am / ao, (am * lm) / (ao * lo), p }'
}
v() { for f in "$@"; do printf -- '--verilog\n%s\n' "$f"; done; }
d=$P/systolic_array_os
set -- $(v "$d"/array_mac_based/*.v)
synth os_mac --top top "$@" --param A_H="$N" --param B_W="$N" --compare array --hw "$OUT/os.yaml" --tech yosys45
set -- $(v "$d"/array_opt1_based/*.v)
synth os_opt1 --top top --sv "$@" --verilog "$DW" --param A_H="$N" --param B_W="$N" --compare array+opt1 --hw "$OUT/os.yaml" --tech yosys45
pair "OS ${N}x${N} array" os_mac os_opt1 1.27x
mpair "OS ${N}x${N} array" os_mac os_opt1 1.27x
# The cubes: yosys takes about 5 s (MAC) and 10 s (OPT1) at N = 2, 25 s and
# 55-80 s at N = 4; N = 8 (512 PEs) is left out.
d=$P/cube
cube_ns=2
[ "$N" -gt 2 ] && [ "$N" -le 4 ] && cube_ns="2 $N"
[ "$N" -gt 4 ] && echo "paper-synth: cubes at N = 2 only (N = $N: N^3 PEs take yosys too long here)"
for c in $cube_ns; do
    set -- $(v "$d"/array_mac_based/*.v)
    synth cube${c}_mac --top top "$@" --param N="$c" --compare cube+mac --tech yosys45
    set -- $(v "$d"/array_opt1_based/*.v)
    synth cube${c}_opt1 --top top --sv "$@" --verilog "$DW" --param N="$c" --compare cube+opt1 --tech yosys45
    pair "${c}x${c}x${c} cube" cube${c}_mac cube${c}_opt1 1.28x
    mpair "${c}x${c}x${c} cube" cube${c}_mac cube${c}_opt1 1.28x
done
d=$P/systolic_array_ws
synth ws_mac --top PE --verilog "$d/array_mac_based/PE.v" --param ACC_WIDTH=18
set -- $(v "$d"/array_opt1_based/*.v)
synth ws_opt1 --top PE --sv "$@" --verilog "$DW" --param ACC_WIDTH=18
pair "WS PE (18-bit partial sums)" ws_mac ws_opt1 "1.27x for the systolic arrays"
exit $rc

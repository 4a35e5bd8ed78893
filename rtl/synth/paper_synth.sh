#!/bin/sh
# paper_synth.sh CODESIM PAPER_DIR N OUT - `make paper-synth`: the HPCA 2025
# paper's public Verilog (a checkout of
# github.com/wqzustc/High-Performance-Tensor-Processing-Engines, never copied
# into this repository) through `codesim synth --top` (rtl/synth/top.ys,
# NanGate 45 nm X1 cell areas, ltp gate levels), MAC-based against OPT1:
# the N x N OS arrays (with the model of each, --compare array /
# array+opt1 on yosys45, exit non-zero beyond 10%), the 2x2x2 3D cubes and
# the WS PEs (the repository has no OPT1 WS top).  For each pair it prints
# the area ratio at one clock and the area efficiency at each design's own
# fmax, (area_mac x levels_mac) / (area_opt1 x levels_opt1), levels being
# the longest path into a flip-flop in unit gate delays.
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
pair() {   # pair TITLE MAC OPT1 PAPER_X
    awk -v t="$1" -v am="$(um2 "$2")" -v ao="$(um2 "$3")" -v lm="$(lvl "$2")" -v lo="$(lvl "$3")" -v p="$4" 'BEGIN {
        printf "paper-synth: %s: MAC %.1f um^2, %d levels; OPT1 %.1f um^2, %d levels: %.3fx at one clock, %.3fx area efficiency at each fmax (paper: %s)\n",
               t, am, lm, ao, lo, am / ao, (am * lm) / (ao * lo), p }'
}
v() { for f in "$@"; do printf -- '--verilog\n%s\n' "$f"; done; }
d=$P/systolic_array_os
set -- $(v "$d"/array_mac_based/*.v)
synth os_mac --top top "$@" --param A_H="$N" --param B_W="$N" --compare array --hw "$OUT/os.yaml" --tech yosys45
set -- $(v "$d"/array_opt1_based/*.v)
synth os_opt1 --top top --sv "$@" --verilog "$DW" --param A_H="$N" --param B_W="$N" --compare array+opt1 --hw "$OUT/os.yaml" --tech yosys45
pair "OS ${N}x${N} array" os_mac os_opt1 1.27x
d=$P/cube
set -- $(v "$d"/array_mac_based/*.v)
synth cube_mac --top top "$@" --param N=2
set -- $(v "$d"/array_opt1_based/*.v)
synth cube_opt1 --top top --sv "$@" --verilog "$DW" --param N=2
pair "2x2x2 cube" cube_mac cube_opt1 1.28x
d=$P/systolic_array_ws
synth ws_mac --top PE --verilog "$d/array_mac_based/PE.v" --param ACC_WIDTH=18
set -- $(v "$d"/array_opt1_based/*.v)
synth ws_opt1 --top PE --sv "$@" --verilog "$DW" --param ACC_WIDTH=18
pair "WS PE (18-bit partial sums)" ws_mac ws_opt1 "1.27x for the systolic arrays"
exit $rc

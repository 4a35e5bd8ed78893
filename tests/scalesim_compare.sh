#!/bin/bash
# scalesim_compare.sh CODESIM PEER_DIR OUT_DIR TOPOLOGY...  (`make compare-scalesim`)
#
# Runs every topology through SCALE-Sim v2 (../shared/peers/scale-sim-v2,
# Debian's /usr/bin/python3) and through `codesim run` in SCALE-Sim
# accounting, for os/ws/is on 8x8, 32x32 and 128x128 arrays, USER and CALC,
# and prints one table row per (dataflow, array, mode): layers compared,
# layers with equal Total Cycles and Stall Cycles, the wall time of each tool
# and the speed ratio, all measured in this run.  A topology whose header is
# Layer,M,N,K runs the peer with -i gemm.  A peer run longer than
# SCALESIM_TIMEOUT seconds (default 600) is stopped and counted as not
# compared.
#
# Speed, per layer file (one topology CSV and one .cfg): the same two input
# files into both tools, each tool's whole process timed by the shell
# ($EPOCHREALTIME around the command, nothing else inside), COMPARE_REPS runs
# of each (default 3), alternating peer and codesim so that both see the same
# machine load, and the median taken; the file's ratio is the peer's median
# over codesim's.  A row's "peer s" and "codesim s" are the sums of its files'
# medians and "speedup" their ratio; "min/file" is the row's smallest
# per-file ratio.  OUT_DIR/speed.txt lists every file's medians and ratio.
# "cpu x" is the ratio of the two tools' total CPU time (user + system of
# the whole process and its children, from the shell's `times`, 1 ms
# resolution) over the row's runs: on a loaded machine a process of a few
# milliseconds waits for the scheduler (4 ms ticks here) longer than it runs,
# which the wall-time ratio counts against the shorter process.
# The last line is
#   compare: SCALE-Sim A/B layers equal, Cx faster (slowest layer file Dx)
# (C over all files' medians, D the smallest per-file ratio) and
# build/compare/scalesim.txt keeps A B C D for the combined summary.
set -u
codesim=$1 peer=$2 out=$3
shift 3
py=/usr/bin/python3
timeout_s=${SCALESIM_TIMEOUT:-600}
reps=${COMPARE_REPS:-3}
mkdir -p "$out"
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
                                              else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
tot_layers=0 tot_equal=0 tot_peer=0 tot_cs=0 min_all="" min_case="" cpu_peer=0 cpu_cs=0
# children's user + system seconds from a `times` output file (line 2)
cpu_of() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
                          printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }
: > "$out/speed.txt"
printf '%-4s %-8s %-5s %7s %7s %10s %10s %9s %9s %7s\n' df array mode layers equal 'peer s' 'codesim s' \
  'speedup' 'min/file' 'cpu x'
for df in os ws is; do
  for dim in 8 32 128; do
    for mode in USER CALC; do
      layers=0 equal=0 tp=0 tc=0 min_row="" rcp=0 rcc=0
      for topo in "$@"; do
        name=$(basename "$topo" .csv)
        d="$out/$df-$dim-$mode-$name"
        rm -rf "$d" && mkdir -p "$d"
        cat > "$d/c.cfg" <<EOC
[general]
run_name = r

[architecture_presets]
ArrayHeight: $dim
ArrayWidth: $dim
IfmapSramSzkB: 64
FilterSramSzkB: 64
OfmapSramSzkB: 64
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Bandwidth : 10
Dataflow : $df
MemoryBanks: 1

[run_presets]
InterfaceBandwidth: $mode
EOC
        gemm=()
        head -1 "$topo" | grep -qiE '^[^,]*, *M *,' && gemm=(-i gemm)
        pw=() cw=() prc=0 crc=0
        for ((rep = 1; rep <= reps && prc == 0 && crc == 0; rep++)); do
          times > "$d/times0"
          t0=$EPOCHREALTIME
          timeout "$timeout_s" env PYTHONPATH="$peer" PYTHONDONTWRITEBYTECODE=1 \
            "$py" "$peer/scalesim/scale.py" -c "$d/c.cfg" -t "$topo" "${gemm[@]}" -p "$d/peer$rep" \
            >"$d/peer.log" 2>&1
          prc=$?
          t1=$EPOCHREALTIME
          times > "$d/times1"
          t1b=$EPOCHREALTIME
          "$codesim" run --hw "$d/c.cfg" --workload "$topo" --csv "$d/codesim$rep" >"$d/codesim.log" 2>&1
          crc=$?
          t2=$EPOCHREALTIME
          times > "$d/times2"
          pw+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
          cw+=("$(awk -v a="$t1b" -v b="$t2" 'BEGIN { printf "%.6f", b - a }')")
          c0=$(cpu_of "$d/times0") c1=$(cpu_of "$d/times1") c2=$(cpu_of "$d/times2")
          rcp=$(awk -v a="$rcp" -v x="$c0" -v y="$c1" 'BEGIN { print a + y - x }')
          rcc=$(awk -v a="$rcc" -v x="$c1" -v y="$c2" 'BEGIN { print a + y - x }')
        done
        if [ $prc -ne 0 ] || [ ! -f "$d/peer1/r/COMPUTE_REPORT.csv" ]; then
          echo "  $df $dim $mode $name: SCALE-Sim did not finish (exit $prc, limit ${timeout_s}s)" >&2
          continue
        fi
        if [ $crc -ne 0 ]; then
          echo "  $df $dim $mode $name: codesim failed: $(tail -1 "$d/codesim.log")" >&2
          continue
        fi
        n=$(($(wc -l < "$d/peer1/r/COMPUTE_REPORT.csv") - 1))
        e=$(paste -d'|' <(cut -d, -f2,3 "$d/peer1/r/COMPUTE_REPORT.csv" | tail -n +2) \
                        <(cut -d, -f2,3 "$d/codesim1/COMPUTE_REPORT.csv" | tail -n +2) |
            awk -F'|' '$1 == $2' | wc -l)
        [ "$e" -ne "$n" ] && echo "  $df $dim $mode $name: $((n - e)) of $n layers differ (see $d)" >&2
        layers=$((layers + n)) equal=$((equal + e))
        pm=$(printf '%s\n' "${pw[@]}" | median) cm=$(printf '%s\n' "${cw[@]}" | median)
        r=$(awk -v p="$pm" -v c="$cm" 'BEGIN { printf "%.1f", (c > 0) ? p / c : 0 }')
        printf '%s %s %s %s peer %s codesim %s ratio %s (runs: peer %s; codesim %s)\n' $df ${dim}x$dim \
          $mode "$name" "$pm" "$cm" "$r" "${pw[*]}" "${cw[*]}" >> "$out/speed.txt"
        tp=$(awk -v a="$tp" -v b="$pm" 'BEGIN { print a + b }')
        tc=$(awk -v a="$tc" -v b="$cm" 'BEGIN { print a + b }')
        if [ -z "$min_row" ] || awk -v x="$r" -v m="$min_row" 'BEGIN { exit !(x < m) }'; then
          min_row=$r
        fi
        if [ -z "$min_all" ] || awk -v x="$r" -v m="$min_all" 'BEGIN { exit !(x < m) }'; then
          min_all=$r min_case="$df ${dim}x$dim $mode $name"
        fi
      done
      ratio=$(awk -v p="$tp" -v c="$tc" 'BEGIN { printf "%.0f", (c > 0) ? p / c : 0 }')
      cr=$(awk -v p="$rcp" -v c="$rcc" 'BEGIN { printf "%.0f", (c > 0) ? p / c : 0 }')
      printf '%-4s %-8s %-5s %7d %7d %10.2f %10.3f %8sx %8sx %6sx\n' $df ${dim}x$dim $mode $layers $equal \
        $tp $tc $ratio "${min_row:-0}" "$cr"
      cpu_peer=$(awk -v a="$cpu_peer" -v b="$rcp" 'BEGIN { print a + b }')
      cpu_cs=$(awk -v a="$cpu_cs" -v b="$rcc" 'BEGIN { print a + b }')
      tot_layers=$((tot_layers + layers)) tot_equal=$((tot_equal + equal))
      tot_peer=$(awk -v a="$tot_peer" -v b="$tp" 'BEGIN { print a + b }')
      tot_cs=$(awk -v a="$tot_cs" -v b="$tc" 'BEGIN { print a + b }')
    done
  done
done
ratio=$(awk -v p="$tot_peer" -v c="$tot_cs" 'BEGIN { printf "%.0f", (c > 0) ? p / c : 0 }')
min_all=${min_all:-0}
mkdir -p build/compare
printf '%d %d %s %s\n' $tot_equal $tot_layers $ratio "$min_all" > build/compare/scalesim.txt
echo "whole-process wall time, median of $reps run(s) each: SCALE-Sim $tot_peer s, codesim $tot_cs s; slowest layer file: $min_case (per file: $out/speed.txt)"
echo "whole-process CPU time, all runs: SCALE-Sim $cpu_peer s, codesim $cpu_cs s ($(awk -v p="$cpu_peer" -v c="$cpu_cs" 'BEGIN { printf "%.0f", (c > 0) ? p / c : 0 }')x)"
printf 'compare: SCALE-Sim %d/%d layers equal, %sx faster (slowest layer file %sx)\n' $tot_equal \
  $tot_layers $ratio "$min_all"
[ "$tot_equal" -eq "$tot_layers" ]

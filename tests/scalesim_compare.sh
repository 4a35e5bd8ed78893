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
# compared.  The last line is
#   compare: SCALE-Sim A/B layers equal, Cx faster
# and build/compare/scalesim.txt keeps A B C for the combined summary.
set -u
codesim=$1 peer=$2 out=$3
shift 3
py=/usr/bin/python3
timeout_s=${SCALESIM_TIMEOUT:-600}
mkdir -p "$out"
now() { date +%s.%N; }
tot_layers=0 tot_equal=0 tot_peer=0 tot_cs=0
printf '%-4s %-8s %-5s %7s %7s %10s %10s %9s\n' df array mode layers equal 'peer s' 'codesim s' 'speedup'
for df in os ws is; do
  for dim in 8 32 128; do
    for mode in USER CALC; do
      layers=0 equal=0 tp=0 tc=0
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
        t0=$(now)
        timeout "$timeout_s" env PYTHONPATH="$peer" PYTHONDONTWRITEBYTECODE=1 \
          "$py" "$peer/scalesim/scale.py" -c "$d/c.cfg" -t "$topo" "${gemm[@]}" -p "$d/peer" \
          >"$d/peer.log" 2>&1
        prc=$?
        t1=$(now)
        "$codesim" run --hw "$d/c.cfg" --workload "$topo" --csv "$d/codesim" >"$d/codesim.log" 2>&1
        crc=$?
        t2=$(now)
        if [ $prc -ne 0 ] || [ ! -f "$d/peer/r/COMPUTE_REPORT.csv" ]; then
          echo "  $df $dim $mode $name: SCALE-Sim did not finish (exit $prc, limit ${timeout_s}s)" >&2
          continue
        fi
        if [ $crc -ne 0 ]; then
          echo "  $df $dim $mode $name: codesim failed: $(tail -1 "$d/codesim.log")" >&2
          continue
        fi
        n=$(($(wc -l < "$d/peer/r/COMPUTE_REPORT.csv") - 1))
        e=$(paste -d'|' <(cut -d, -f2,3 "$d/peer/r/COMPUTE_REPORT.csv" | tail -n +2) \
                        <(cut -d, -f2,3 "$d/codesim/COMPUTE_REPORT.csv" | tail -n +2) |
            awk -F'|' '$1 == $2' | wc -l)
        [ "$e" -ne "$n" ] && echo "  $df $dim $mode $name: $((n - e)) of $n layers differ (see $d)" >&2
        layers=$((layers + n)) equal=$((equal + e))
        tp=$(echo "$tp + $t1 - $t0" | bc -l) tc=$(echo "$tc + $t2 - $t1" | bc -l)
      done
      ratio=$(echo "if ($tc > 0) $tp / $tc else 0" | bc -l)
      printf '%-4s %-8s %-5s %7d %7d %10.2f %10.3f %8.0fx\n' $df ${dim}x$dim $mode $layers $equal $tp $tc $ratio
      tot_layers=$((tot_layers + layers)) tot_equal=$((tot_equal + equal))
      tot_peer=$(echo "$tot_peer + $tp" | bc -l) tot_cs=$(echo "$tot_cs + $tc" | bc -l)
    done
  done
done
ratio=$(echo "if ($tot_cs > 0) $tot_peer / $tot_cs else 0" | bc -l)
mkdir -p build/compare
printf '%d %d %.0f\n' $tot_equal $tot_layers $ratio > build/compare/scalesim.txt
printf 'compare: SCALE-Sim %d/%d layers equal, %.0fx faster\n' $tot_equal $tot_layers $ratio
[ "$tot_equal" -eq "$tot_layers" ]

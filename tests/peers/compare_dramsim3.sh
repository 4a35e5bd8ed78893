#!/usr/bin/env bash
# compare_dramsim3.sh - codesim's DRAMsim3-like controller against DRAMsim3
# itself on the same traffic: five patterns (seq, rand, rw, bank, gemm; see
# tests/peers/dramsim3_drive.cpp) x offered rates, for DRAMsim3's HBM2 and
# GDDR6 device files and codesim's presets of the same names with
# `controller: dramsim3`.
#
#   compare_dramsim3.sh DRIVE CODESIM PEERS N "RATES" "DEVICES" [PATTERNS]
#
# DRIVE    build/peers/dramsim3_drive (mk/dramsim3.mk)
# CODESIM  the codesim binary
# PEERS    the copy of DRAMsim3 holding configs/ (build/peers/DRAMsim3)
# N        requests per run; RATES e.g. "0.05 0.5 0" (0 = saturation);
# DEVICES  e.g. "HBM2_8Gb_x128 GDDR6_8Gb_x16"; PATTERNS default all five.
#
# Total cycles, on both sides: the later of the cycle the last read's data
# returned and the cycle the last request entered a queue (DRAMsim3 posts
# writes and leaves the last few in its buffer; see the driver).
#
# Wall time, the same on both sides: the driver writes the trace first
# (untimed), then the whole DRAMsim3 process that reads that trace file and
# runs it (dramsim3_drive CONFIG --trace FILE; start-up, configuration, trace
# parsing and simulation) is timed against the whole `codesim dram` process
# on the same file (start-up, trace parsing, simulation, and codesim's
# independent timing checker, which DRAMsim3 has no counterpart of).  Each is
# run COMPARE_REPS times (default 1; `make compare` uses 3), alternating, and
# the median is taken; a case's speed ratio is DRAMsim3's median over
# codesim's.  "ds3 sim s" is DRAMsim3's simulation alone as the driver times
# it inside the process (the earlier definition of this script).  The last
# summary line adds both tools' total CPU time (user + system, the shell's
# `times`) over all runs, which a loaded machine does not inflate.
#
# Prints one row per run and the closing line
#   compare: DRAMsim3 D/E runs within 2%, Fx faster (slowest trace Gx)
# where F is the sum of DRAMsim3's medians over the sum of codesim's and G the
# smallest per-trace ratio.  Exit status 1 when a run differs by more than 2%
# or codesim's timing checker reports a violation.
set -u
drive=$1 codesim=$2 peers=$3 n=$4 rates=$5 devices=$6
patterns=${7:-"seq rand rw bank gemm"}
reps=${COMPARE_REPS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
                                              else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-14s %-5s %6s %12s %12s %8s %9s %9s %9s %7s\n' device pattern rate dramsim3 codesim diff \
  "ds3 s" "ds3 sim s" "codesim s" speedup
total=0 within=0 bad=0 ds_sum=0 cs_sum=0 min_ratio="" min_case="" cpu_ds=0 cpu_cs=0
# children's user + system seconds from a `times` output file (line 2)
cpu_of() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
                          printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }
for dev in $devices; do
  for pat in $patterns; do
    for rate in $rates; do
      ini="$peers/configs/$dev.ini"
      "$drive" "$ini" "$pat" "$rate" "$n" 1 "$tmp" "$tmp/t.trace" gen >"$tmp/gen.out" 2>&1 ||
        { echo "compare: $dev $pat $rate: driver failed: $(tail -1 "$tmp/gen.out")" >&2; exit 1; }
      : > "$tmp/ds.walls"; : > "$tmp/ds.sims"; : > "$tmp/cs.walls"
      for ((rep = 1; rep <= reps; rep++)); do
        times > "$tmp/times0"
        t0=$EPOCHREALTIME
        "$drive" "$ini" --trace "$tmp/t.trace" "$tmp" >"$tmp/ds.out" 2>&1
        drc=$?
        t1=$EPOCHREALTIME
        times > "$tmp/times1"
        out=$(grep '^dramsim3 ' "$tmp/ds.out")
        [ $drc -eq 0 ] && [ -n "$out" ] ||
          { echo "compare: $dev $pat $rate: driver failed: $(tail -1 "$tmp/ds.out")" >&2; exit 1; }
        read -r _ ds_end _ _ ds_sim ref_first <<< "$out"
        if [ $rep -eq 1 ]; then
          printf 'dram:\n  preset: %s\n  controller: dramsim3\n  refresh_first: %s\n' "$dev" \
            "$ref_first" > "$tmp/hw.yaml"
        fi
        times > "$tmp/times2"
        t2=$EPOCHREALTIME
        "$codesim" dram --hw "$tmp/hw.yaml" --trace "$tmp/t.trace" >"$tmp/cs.out" 2>&1
        crc=$?
        t3=$EPOCHREALTIME
        times > "$tmp/times3"
        c0=$(cpu_of "$tmp/times0") c1=$(cpu_of "$tmp/times1") c2=$(cpu_of "$tmp/times2") c3=$(cpu_of "$tmp/times3")
        cpu_ds=$(awk -v a="$cpu_ds" -v x="$c0" -v y="$c1" 'BEGIN { print a + y - x }')
        cpu_cs=$(awk -v a="$cpu_cs" -v x="$c2" -v y="$c3" 'BEGIN { print a + y - x }')
        [ $rep -eq 1 ] && { cs_rc=$crc; cp "$tmp/cs.out" "$tmp/cs1.out"; }
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >> "$tmp/ds.walls"
        echo "$ds_sim" >> "$tmp/ds.sims"
        awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.6f\n", b - a }' >> "$tmp/cs.walls"
      done
      # a non-zero exit is a timing violation or a failure: reported below
      [ "$cs_rc" -eq 0 ] || grep -q '^timing check:' "$tmp/cs1.out" ||
        { echo "compare: $dev $pat $rate: codesim dram failed: $(tail -1 "$tmp/cs1.out")" >&2; bad=1; }
      cs=$(cat "$tmp/cs1.out")
      ds_wall=$(median < "$tmp/ds.walls") ds_simm=$(median < "$tmp/ds.sims")
      cs_wall=$(median < "$tmp/cs.walls")
      ends=$(grep '^ends:' <<< "$cs")
      rd=$(sed 's/.*last read data at cycle \([0-9]*\).*/\1/' <<< "$ends")
      q=$(sed 's/.*last request queued at cycle \([0-9]*\).*/\1/' <<< "$ends")
      cs_end=$(( rd > q ? rd : q ))
      diff=$(awk -v c="$cs_end" -v d="$ds_end" 'BEGIN { printf "%+.2f", 100 * (c - d) / d }')
      ratio=$(awk -v c="$cs_wall" -v d="$ds_wall" 'BEGIN { printf "%.1f", (c > 0) ? d / c : 0 }')
      ok=$(awk -v x="$diff" 'BEGIN { print (x <= 2 && x >= -2) ? 1 : 0 }')
      total=$((total + 1))
      within=$((within + ok))
      [ "$ok" = 1 ] || bad=1
      grep -q '^timing check:  0 violations' <<< "$cs" || { echo "compare: $dev $pat $rate: timing violations" >&2; bad=1; }
      ds_sum=$(awk -v a="$ds_sum" -v b="$ds_wall" 'BEGIN { print a + b }')
      cs_sum=$(awk -v a="$cs_sum" -v b="$cs_wall" 'BEGIN { print a + b }')
      if [ -z "$min_ratio" ] || awk -v r="$ratio" -v m="$min_ratio" 'BEGIN { exit !(r < m) }'; then
        min_ratio=$ratio min_case="$dev $pat $rate"
      fi
      printf '%-14s %-5s %6s %12s %12s %7s%% %9.4f %9.4f %9.4f %6sx\n' "$dev" "$pat" "$rate" "$ds_end" \
        "$cs_end" "$diff" "$ds_wall" "$ds_simm" "$cs_wall" "$ratio"
    done
  done
done
speed=$(awk -v d="$ds_sum" -v c="$cs_sum" 'BEGIN { printf "%.1f", (c > 0) ? d / c : 0 }')
mkdir -p build/compare
printf '%d %d %s %s\n' "$within" "$total" "$speed" "$min_ratio" > build/compare/dramsim3.txt
echo "whole-process wall time, median of $reps run(s) each: DRAMsim3 ${ds_sum} s, codesim ${cs_sum} s; slowest trace: $min_case"
echo "whole-process CPU time, all runs: DRAMsim3 $cpu_ds s, codesim $cpu_cs s ($(awk -v d="$cpu_ds" -v c="$cpu_cs" 'BEGIN { printf "%.1f", (c > 0) ? d / c : 0 }')x)"
echo "compare: DRAMsim3 $within/$total runs within 2%, ${speed}x faster (slowest trace ${min_ratio}x)"
exit $bad

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
# writes and leaves the last few in its buffer; see the driver).  Wall time:
# DRAMsim3's simulation alone (measured inside the driver, without trace
# generation) against the whole codesim process (trace parsing and the
# independent timing checker included).
#
# Prints one row per run and the closing line
#   compare: DRAMsim3 D/E runs within 2%, Fx faster (slowest trace Gx)
# Exit status 1 when a run differs by more than 2% or codesim's timing
# checker reports a violation.
set -u
drive=$1 codesim=$2 peers=$3 n=$4 rates=$5 devices=$6
patterns=${7:-"seq rand rw bank gemm"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-14s %-5s %6s %12s %12s %8s %9s %9s %7s\n' device pattern rate dramsim3 codesim diff \
  "ds3 s" "codesim s" speedup
total=0 within=0 bad=0 ds_sum=0 cs_sum=0 min_ratio=""
for dev in $devices; do
  for pat in $patterns; do
    for rate in $rates; do
      out=$("$drive" "$peers/configs/$dev.ini" "$pat" "$rate" "$n" 1 "$tmp" "$tmp/t.trace" 2>&1 |
            grep '^dramsim3 ') || { echo "compare: $dev $pat $rate: driver failed" >&2; exit 1; }
      read -r _ ds_end _ _ ds_wall ref_first <<< "$out"
      printf 'dram:\n  preset: %s\n  controller: dramsim3\n  refresh_first: %s\n' "$dev" \
        "$ref_first" > "$tmp/hw.yaml"
      t0=$EPOCHREALTIME
      cs=$("$codesim" dram --hw "$tmp/hw.yaml" --trace "$tmp/t.trace") ||
        { echo "compare: $dev $pat $rate: codesim dram failed" >&2; bad=1; }
      t1=$EPOCHREALTIME
      ends=$(grep '^ends:' <<< "$cs")
      rd=$(sed 's/.*last read data at cycle \([0-9]*\).*/\1/' <<< "$ends")
      q=$(sed 's/.*last request queued at cycle \([0-9]*\).*/\1/' <<< "$ends")
      cs_end=$(( rd > q ? rd : q ))
      cs_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
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
        min_ratio=$ratio
      fi
      printf '%-14s %-5s %6s %12s %12s %7s%% %9s %9s %6sx\n' "$dev" "$pat" "$rate" "$ds_end" \
        "$cs_end" "$diff" "$ds_wall" "$cs_wall" "$ratio"
    done
  done
done
speed=$(awk -v d="$ds_sum" -v c="$cs_sum" 'BEGIN { printf "%.1f", (c > 0) ? d / c : 0 }')
mkdir -p build/compare
printf '%d %d %s %s\n' "$within" "$total" "$speed" "$min_ratio" > build/compare/dramsim3.txt
echo "compare: DRAMsim3 $within/$total runs within 2%, ${speed}x faster (slowest trace ${min_ratio}x)"
exit $bad

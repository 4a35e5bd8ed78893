#!/usr/bin/env bash
# pim_build.sh OUTDIR LANES FP NG NS NA
#
# Builds the Verilated PIM unit (rtl/pim_unit.v) for one configuration (LANES
# 1..64, FP 0 = int8 or 1 = fp16, NG/NS/NA register entries 1..16) into
# OUTDIR/libvpim.so, which exports only vpim_api() (see pim_shim.h), through
# rtl/vbuild.sh at -O2.
set -euo pipefail
me="pim_build.sh"
die() { echo "$me: error: $*" >&2; exit 1; }
[ $# -eq 6 ] || die "usage: $0 OUTDIR LANES FP NG NS NA"
outdir=$1 LANES=$2 FP=$3 NG=$4 NS=$5 NA=$6
num() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
        die "$1 must be an integer in $3..$4 (got '$2')"; }
num LANES "$LANES" 1 64
num FP "$FP" 0 1
num NG "$NG" 1 16
num NS "$NS" 1 16
num NA "$NA" 1 16
VBUILD_NAME=$me exec "$(dirname "${BASH_SOURCE[0]}")/vbuild.sh" "$outdir" pim_unit.v pim_unit \
    pim_shim.cpp libvpim.so vpim_api O2 \
    "-GLANES=$LANES -GFP=$FP -GNG=$NG -GNS=$NS -GNA=$NA" \
    "-DVPIM_LANES=$LANES -DVPIM_FP=$FP -DVPIM_NG=$NG -DVPIM_NS=$NS -DVPIM_NA=$NA" \
    "LANES=$LANES FP=$FP NG=$NG NS=$NS NA=$NA"

#!/usr/bin/env bash
# build.sh OUTDIR R C AW BW ACCW [AF BF [OSD [CMP [WOR]]]]
#
# AF / BF: operand formats, 0 integer or E*16+M for a minifloat ExMy.
# OSD: OS drain, 0 serial (default), 1 overlapped (array.os_drain).
# CMP: 1 for compressed-accumulation PEs (array.compressed), default 0.
# Both 1: the overlapped drain's shadow set holds sum and carry words.
# WOR: WS/IS output, 1 registered (default), 0 unregistered
# (array.ws_out_reg: false; not with CMP = 1).
# Builds the Verilated systolic array (rtl/systolic.v) for one shape into
# OUTDIR/libvsystolic.so, which exports only vsys_api() (see systolic_shim.h),
# through rtl/vbuild.sh at -O2.
set -euo pipefail
me="build.sh"
die() { echo "$me: error: $*" >&2; exit 1; }
[ $# -eq 6 ] || [ $# -eq 8 ] || [ $# -eq 9 ] || [ $# -eq 10 ] || [ $# -eq 11 ] ||
    die "usage: $0 OUTDIR R C AW BW ACCW [AF BF [OSD [CMP [WOR]]]]"
outdir=$1 R=$2 C=$3 AW=$4 BW=$5 ACCW=$6 AF=${7:-0} BF=${8:-0} OSD=${9:-0} CMP=${10:-0} WOR=${11:-1}
num() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
        die "$1 must be an integer in $3..$4 (got '$2')"; }
num R "$R" 1 256
num C "$C" 1 256
num AW "$AW" 1 16
num BW "$BW" 1 16
num ACCW "$ACCW" 2 32
num AF "$AF" 0 127
num BF "$BF" 0 127
num OSD "$OSD" 0 1
num CMP "$CMP" 0 1
num WOR "$WOR" 0 1
[ "$CMP" -eq 0 ] || [ "$WOR" -eq 1 ] || die "WOR=0 needs CMP=0 (array.ws_out_reg with compressed PEs)"
VBUILD_NAME=$me exec "$(dirname "${BASH_SOURCE[0]}")/vbuild.sh" "$outdir" systolic.v systolic_top \
    systolic_shim.cpp libvsystolic.so vsys_api O2 \
    "-GR=$R -GC=$C -GAW=$AW -GBW=$BW -GACCW=$ACCW -GAF=$AF -GBF=$BF -GOSD=$OSD -GCMP=$CMP -GWOR=$WOR" \
    "-DVSYS_R=$R -DVSYS_C=$C -DVSYS_AW=$AW -DVSYS_BW=$BW -DVSYS_ACCW=$ACCW -DVSYS_AF=$AF -DVSYS_BF=$BF -DVSYS_OSD=$OSD -DVSYS_CMP=$CMP -DVSYS_WOR=$WOR" \
    "R=$R C=$C AW=$AW BW=$BW ACCW=$ACCW AF=$AF BF=$BF OSD=$OSD CMP=$CMP WOR=$WOR"

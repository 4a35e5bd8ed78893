#!/usr/bin/env bash
# teng_build.sh OUTDIR R C D AW BW ACCW CMP [AF BF]
#
# AF / BF: operand formats, 0 integer or E*16+M for a minifloat ExMy.
#
# Builds the Verilated tensor engine (rtl/tensor_engine.v, teng_top) for one
# shape into OUTDIR/libvteng.so, which exports only vteng_api() (see
# teng_shim.h), through rtl/vbuild.sh at -O2.
set -euo pipefail
me="teng_build.sh"
die() { echo "$me: error: $*" >&2; exit 1; }
[ $# -eq 8 ] || [ $# -eq 10 ] || die "usage: $0 OUTDIR R C D AW BW ACCW CMP [AF BF]"
outdir=$1 R=$2 C=$3 D=$4 AW=$5 BW=$6 ACCW=$7 CMP=$8 AF=${9:-0} BF=${10:-0}
num() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
        die "$1 must be an integer in $3..$4 (got '$2')"; }
num R "$R" 1 64
num C "$C" 1 64
num D "$D" 1 64
num AW "$AW" 1 16
num BW "$BW" 1 16
num ACCW "$ACCW" 2 32
num CMP "$CMP" 0 1
num AF "$AF" 0 127
num BF "$BF" 0 127
VBUILD_NAME=$me exec "$(dirname "${BASH_SOURCE[0]}")/vbuild.sh" "$outdir" tensor_engine.v teng_top \
    teng_shim.cpp libvteng.so vteng_api O2 \
    "-GR=$R -GC=$C -GD=$D -GAW=$AW -GBW=$BW -GACCW=$ACCW -GCMP=$CMP -GAF=$AF -GBF=$BF" \
    "-DVTENG_R=$R -DVTENG_C=$C -DVTENG_D=$D -DVTENG_AW=$AW -DVTENG_BW=$BW -DVTENG_ACCW=$ACCW -DVTENG_CMP=$CMP -DVTENG_AF=$AF -DVTENG_BF=$BF" \
    "R=$R C=$C D=$D AW=$AW BW=$BW ACCW=$ACCW CMP=$CMP AF=$AF BF=$BF"

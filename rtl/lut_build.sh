#!/usr/bin/env bash
# lut_build.sh OUTDIR TM TN TK G P AW SYM
#
# Builds the Verilated LUT unit (rtl/lut_tc.v) for one shape into
# OUTDIR/libvlut.so, which exports only vlut_api() (see lut_shim.h), through
# rtl/vbuild.sh.  Test shapes are small: -O1 compiles fastest at a run speed
# that is plenty.
set -euo pipefail
me="lut_build.sh"
die() { echo "$me: error: $*" >&2; exit 1; }
[ $# -eq 8 ] || die "usage: $0 OUTDIR TM TN TK G P AW SYM"
outdir=$1 TM=$2 TN=$3 TK=$4 G=$5 P=$6 AW=$7 SYM=$8
num() { [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
        die "$1 must be an integer in $3..$4 (got '$2')"; }
num TM "$TM" 1 64
num TN "$TN" 1 1024
num G "$G" 1 8
num TK "$TK" "$G" 4096
[ $((TK % G)) -eq 0 ] || die "TK must be a multiple of G (got TK=$TK G=$G)"
num P "$P" 1 4
num AW "$AW" 2 16
num SYM "$SYM" 0 1
VBUILD_NAME=$me exec "$(dirname "${BASH_SOURCE[0]}")/vbuild.sh" "$outdir" lut_tc.v lut_top \
    lut_shim.cpp libvlut.so vlut_api O1 \
    "-GTM=$TM -GTN=$TN -GTK=$TK -GG=$G -GP=$P -GAW=$AW -GSYM=$SYM" \
    "-DVLUT_TM=$TM -DVLUT_TN=$TN -DVLUT_TK=$TK -DVLUT_G=$G -DVLUT_P=$P -DVLUT_AW=$AW -DVLUT_SYM=$SYM" \
    "TM=$TM TN=$TN TK=$TK G=$G P=$P AW=$AW SYM=$SYM"

#!/usr/bin/env bash
# vlib_args.sh OUTDIR ARGS... - a stand-in RTL build script for
# tests/test_harness.c: writes its arguments, one per line, to OUTDIR/args,
# says something on standard output, and fails (it builds no library).
set -eu
mkdir -p "$1"
printf '%s\n' "$@" > "$1/args"
echo "vlib_args: not building anything"
exit 3

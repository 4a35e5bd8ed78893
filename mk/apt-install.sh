#!/bin/bash
# mk/apt-install.sh WHO PACKAGE... - install missing Debian packages for a
# make rule (deps, scalesim-deps).  WHO prefixes every message.  Runs apt-get
# as root, through sudo when not root, and fails with one line when neither
# is possible.  The packages are passed as arguments, never through a shell.
set -u
who=$1; shift
[ $# -gt 0 ] || exit 0
if [ "$(id -u)" = 0 ]; then sudo=()
elif command -v sudo >/dev/null 2>&1; then sudo=(sudo)
else echo "$who: missing $*: run 'make $who' as root or install them with apt-get" >&2; exit 1; fi
echo "$who: installing $*"
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null &&
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 \
    install -y -qq --no-install-recommends "$@" >/dev/null ||
  { echo "$who: apt-get install $* failed" >&2; exit 1; }

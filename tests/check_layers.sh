#!/usr/bin/env bash
# check_layers.sh - fails when a quoted #include points up the layers.
#
# The layers, lowest first (ARCHITECTURE.md): a file may include files of
# its own layer and of lower layers only.
#   models < mapper < sim/io < sim/cost < sim/run < sim/db < sim/harness
#          < sim/explore < sim/cli < tests
# rtl/ (the C interfaces of the Verilated libraries, rtl/*_shim.h) sits with
# sim/harness, which loads those libraries.  "version.h" is generated into
# build/ by the Makefile and may be included anywhere it is needed.
#
# Prints one line per offending include,
#   FILE:LINE: includes PATH (layer X may not include layer Y)
# and exits 1 if there is any.  Run by `make unit` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -d '' files < <(find models mapper sim tests -name '*.[ch]' -print0 | sort -z)
awk '
function layer(p) {
    if (p ~ /^models\//) return "models"
    if (p ~ /^mapper\//) return "mapper"
    if (p ~ /^sim\/(io|cost|run|db|harness|explore|cli)\//) {
        split(p, part, "/")
        return "sim/" part[2]
    }
    if (p ~ /^rtl\//) return "rtl"
    if (p ~ /^tests\//) return "tests"
    return ""
}
# "sim/db/../io/config.h" -> "sim/io/config.h"
function normalize(p,    n, i, k, part, out, res) {
    n = split(p, part, "/")
    k = 0
    for (i = 1; i <= n; i++) {
        if (part[i] == "." || part[i] == "") continue
        if (part[i] == ".." && k > 0 && out[k] != "..") { k--; continue }
        out[++k] = part[i]
    }
    res = ""
    for (i = 1; i <= k; i++) res = res (i > 1 ? "/" : "") out[i]
    return res
}
function exists(p,    line, r) {
    r = (getline line < p)
    close(p)
    return r >= 0
}
BEGIN {
    n = split("models mapper sim/io sim/cost sim/run sim/db sim/harness sim/explore sim/cli tests",
              order, " ")
    for (i = 1; i <= n; i++) rank[order[i]] = i
    rank["rtl"] = rank["sim/harness"]
    bad = 0
}
FNR == 1 {
    from = layer(FILENAME)
    if (!(from in rank)) {
        printf "%s: in no layer (add its folder to tests/check_layers.sh)\n", FILENAME
        bad++
    }
    dir = FILENAME
    sub(/\/[^\/]*$/, "", dir)
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
    inc = $0
    sub(/^[^"]*"/, "", inc)
    sub(/".*$/, "", inc)
    if (inc == "version.h") next
    target = normalize(dir "/" inc)
    if (!exists(target)) {
        printf "%s:%d: includes %s (no such file)\n", FILENAME, FNR, target
        bad++
        next
    }
    to = layer(target)
    if (!(to in rank) || (from in rank && rank[to] > rank[from])) {
        printf "%s:%d: includes %s (layer %s may not include layer %s)\n", FILENAME, FNR,
               target, from, (to == "" ? "outside the layers" : to)
        bad++
    }
}
END { exit (bad > 0) }
' "${files[@]}"

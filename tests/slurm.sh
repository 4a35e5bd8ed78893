#!/usr/bin/env bash
# slurm.sh BIN - `make test-slurm`: codesim sweep --slurm on a real Slurm
# cluster of one node on this machine.  Starts munged, slurmctld and slurmd
# from Debian's munge, slurmctld and slurmd packages with their state, logs,
# sockets and configuration in a scratch directory (nothing under /etc is
# changed), submits the sweep's job array and merge job with the script
# `codesim sweep --slurm` prints, waits for them, and checks that the merged
# database holds every point of the sweep exactly once and equals the
# points of an unsharded run.  Stops the daemons it started (their pids) on
# exit, also on failure.  Needs root (slurmd runs jobs as their user).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 CODESIM" >&2; exit 2; }
bin=$(readlink -f "$1")
root=$PWD
fail() { echo "test-slurm: FAIL: $*" >&2; for l in "$tmp"/*.log; do echo "== $l" >&2; tail -20 "$l" >&2; done; exit 1; }
[ "$(id -u)" = 0 ] || { echo "test-slurm: needs root (slurmd)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/codesim-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# munge: a key of our own, its socket in the scratch directory.
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/work"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$tmp/munge"; chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --key-file="$tmp/munge/munge.key" \
    --socket="$tmp/munge/munge.socket" --pid-file="$tmp/munge/munged.pid" \
    --log-file="$tmp/munged.log" --seed-file="$tmp/munge/seed" >>"$tmp/munged.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$tmp/munge/munge.socket" ] || fail "munged did not start"

# Two free TCP ports for slurmctld and slurmd.
read -r cport dport < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
cpus=$(nproc)
cat > "$tmp/slurm.conf" <<CONF
ClusterName=codesim
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$cport
SlurmdPort=$dport
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" >>"$tmp/slurmctld.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >>"$tmp/slurmd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break
    sleep 0.3
done
sinfo -h -o '%T' | grep -qE '^(idle|mixed|allocated)' || fail "the node did not come up: $(sinfo 2>&1)"

# The sweep: 24 points of tests/data/tiny.csv in 4 shards.
cat > "$tmp/work/s.yaml" <<YAML
name: slurm
workloads: [$root/tests/data/tiny.csv]
params:
  array.rows: [4, 8]
  array.cols: {from: 2, to: 8, times: 2}
  array.dataflow: [os, ws]
  sram.ifmap_kib: {from: 4, to: 8, step: 4}
YAML
cd "$tmp/work"
"$bin" sweep s.yaml --slurm --shards 4 --db all.db > job.sh
out=$(bash job.sh) || fail "submitting: $out"
echo "test-slurm: $out"
for _ in $(seq 600); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.5
done
[ -z "$(squeue -h)" ] || fail "jobs still queued after 300 s: $(squeue)"
[ -f all.db ] || fail "no merged database (job outputs: $(cat ./*.out 2>/dev/null))"
n=$(sqlite3 all.db 'SELECT count(*) FROM sweep_points')
distinct=$(sqlite3 all.db 'SELECT count(DISTINCT config_hash || workload_hash) FROM sweep_points')
[ "$n" = 24 ] && [ "$distinct" = 24 ] || fail "merged database: $n points, $distinct distinct (want 24)"
shards=$(ls all.db.shard*.db | wc -l)
[ "$shards" = 4 ] || fail "$shards shard databases (want 4)"
# The same points as one unsharded run, result for result.
"$bin" sweep s.yaml --db one.db >/dev/null 2>&1
q='SELECT group_concat(config_hash || workload_hash || total_cycles, ",") FROM (SELECT * FROM sweep_points ORDER BY config_hash)'
[ "$(sqlite3 all.db "$q")" = "$(sqlite3 one.db "$q")" ] || fail "merged points differ from an unsharded run"
echo "test-slurm: 4 shards as a Slurm job array on a one-node cluster, merged: 24 of 24 points, each once"

#!/bin/sh
# mk/neupims.sh CODESIM OUTDIR [NEUPIMS_HW [GPU_HW]] - the NeuPIMs paper's
# comparison (make neupims).  NEUPIMS_HW (default configs/neupims.yaml) and
# GPU_HW (default configs/a100.yaml) swap a machine, to show what a
# configuration difference does (README, "NeuPIMs comparison").
#
# For GPT-3 7B, 13B, 30B and 175B (traces/models/gpt3-*.json) at batch 256
# and 512, one decode step over a 512-token context on each device of a
# tensor-parallel group of 4, in four modes:
#   gpu          configs/a100.yaml  (A100 roofline, --mode gpu)
#   npu          configs/neupims.yaml --mode npu          (NPU-only)
#   pim-blocked  configs/neupims.yaml --mode pim-blocked  (naive NPU+PIM)
#   neupims      configs/neupims.yaml --mode neupims      (dual row buffers +
#                                                          sub-batch interleaving)
# Throughput is decode tokens/s of the group: batch / time per output token
# (the NeuPIMs simulator times generation iterations; prefill is not part of
# its throughput).  Why these settings (README, "NeuPIMs comparison"):
#   batch 256, 512   sub-batch interleaving is enabled at batch >= 256 (NeuPIMs
#                    repo README, "Baselines"); 512 is the next power of two
#   context 512      half of max_seq_len 1024 (NeuPIMs repo
#                    configs/system_configs/sub-batch-on.json): the mean
#                    context of requests spread evenly over 1..1024
#   TP 4             n_tp 4 in the repo's gpt3-7B/13B/30B configs (175B: n_tp 8
#                    with n_pp 4 there; pipeline parallelism is not modelled,
#                    so 175B runs at TP 4 like the others)
#   fp16             precision 2 bytes (systolic_ws_128x128_dev.json)
# The paper's ratios (ASPLOS 2024 abstract): NeuPIMs over NPU-only 2.4x, over
# naive NPU+PIM 1.6x, over GPU-only 3x.
set -eu
bin=$1
out=$2
hw=${3:-configs/neupims.yaml}
gpu=${4:-configs/a100.yaml}
mkdir -p "$out"
db=$out/neupims.db
rm -f "$db"
tpot() { # model batch hw mode -> ms per decode step
    # codesim's stderr is kept; when the run fails it is printed as it is
    # (on success it holds the run's notes only, which would break the
    # table), and the run names itself.
    r=$("$bin" run --model "traces/models/gpt3-$1.json" --hw "$3" --mode "$4" --batch "$2" \
        --prompt 512 --gen 2 --w-bits 16 --a-bits 16 --kv-bits 16 --db "$db" 2>"$out/stderr.txt") || {
        cat "$out/stderr.txt" >&2
        echo "mk/neupims.sh: gpt3-$1 batch $2 --mode $4 on $3 failed" >&2
        return 1
    }
    printf '%s\n' "$r" |
        awk '/^time per output token/ { print $5; found = 1 } END { if (!found) exit 1 }' || {
        echo "mk/neupims.sh: gpt3-$1 batch $2 --mode $4: no 'time per output token' line" >&2
        return 1
    }
}
printf '%-9s %5s %10s %10s %11s %10s  %-16s %-16s %-16s\n' model batch "gpu tok/s" "npu tok/s" \
    "blocked" "neupims" "vs NPU (paper)" "vs NPU+PIM" "vs GPU"
# The runs into a file first: a failed run stops the script (set -e) with
# make reporting the error, instead of a shorter table from a pipeline whose
# status is the last command's.
rows=$out/rows.txt
: > "$rows"
for model in 7b 13b 30b 175b; do
    for batch in 256 512; do
        g=$(tpot $model $batch "$gpu" gpu)
        n=$(tpot $model $batch "$hw" npu)
        b=$(tpot $model $batch "$hw" pim-blocked)
        p=$(tpot $model $batch "$hw" neupims)
        echo "$model $batch $g $n $b $p" >> "$rows"
    done
done
awk '
{
    tg = 1000 * $2 / $3; tn = 1000 * $2 / $4; tb = 1000 * $2 / $5; tp = 1000 * $2 / $6
    rn = tp / tn; rb = tp / tb; rg = tp / tg
    ln += log(rn); lb += log(rb); lg += log(rg); k++
    printf "gpt3-%-4s %5d %10.0f %10.0f %11.0f %10.0f  %5.2fx (2.4x)    %5.2fx (1.6x)    %5.2fx (3x)\n",
        $1, $2, tg, tn, tb, tp, rn, rb, rg
}
END {
    if (k == 0) exit 1
    printf "neupims: vs NPU-only %.2fx (paper 2.4x), vs NPU+PIM %.2fx (paper 1.6x), vs GPU %.2fx (paper 3x)\n",
        exp(ln / k), exp(lb / k), exp(lg / k)
}' "$rows"

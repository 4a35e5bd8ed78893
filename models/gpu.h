/* gpu.h - a GPU as a roofline with measured efficiencies (the `gpu:`
 * section of the hardware YAML): the baseline of `--mode gpu`.
 *
 * Each op of the LLM (sim/run/npu.c) runs after the previous one; an op
 * doing `flops` floating-point operations and moving `bytes` between HBM and
 * the chip (each operand and result once: the mapper's compulsory bytes)
 * with `launches` kernel launches (eager_kernels below; 1 by default) takes
 *
 *     t = max(flops / (peak * gemm_eff), bytes / (hbm * gemv_eff))
 *
 *         + launches x kernel_overhead_us
 *
 * gemm_eff is the fraction of the peak tensor throughput a large GEMM
 * reaches, gemv_eff the fraction of the HBM bandwidth a memory-bound kernel
 * (GEMV, attention over the KV cache, element-wise ops) reaches.  Both are
 * measurements, not fits: see configs/a100.yaml for the sources.
 *
 * kernel_overhead_us (default 0: the roofline) is a fixed time added to every
 * kernel launch: the launch and framework (e.g. PyTorch eager) cost of one
 * op, which dominates batch-1 decode of small models.  The term is added,
 * not overlapped with the previous kernel's execution: the bound for a host
 * that launches each kernel after the previous one finished
 * (configs/t4_eager.yaml gives the source of its value).
 *
 * eager_kernels says how many launches a lowered op of the LLM costs:
 *   ops      (default) one per op (GEMM/GEMV, norm, softmax, element-wise
 *            op, KV append: one each, per layer), so a run pays
 *            ops x kernel_overhead_us;
 *   hf-gpt2  the CUDA kernels and copies that Hugging Face transformers'
 *            GPT-2 (GPT2LMHeadModel.generate, greedy, eager PyTorch,
 *            batch 1) launches for the op, counted from its source: GELU
 *            "gelu_new" is 8 element-wise kernels, the attention's scale,
 *            causal mask and padding mask 4 more around the softmax plus a
 *            host-to-device copy, the KV cache two torch.cat; each step
 *            adds 27 kernels and a device-to-host copy outside the layers
 *            (position ids, the mask, the embeddings, argmax, generate()'s
 *            bookkeeping): 340 launches per GPT-2 small token where `ops`
 *            counts 159 (the table in gpu.c gives each with its source
 *            line).  An op with no launch there (prefill's KV append: the
 *            cache is a view of the qkv output) takes no time; the others
 *            keep their one roofline term (the extra kernels are
 *            element-wise on one token's vectors at batch 1).  The table is
 *            GPT-2's: ops GPT-2 does not have (rope, gated FFNs, MoE) count
 *            one launch each, other models' ops of GPT-2's names (act,
 *            softmax, ...) GPT-2's counts.
 *
 * Not modelled: caches (every byte comes from HBM once), tile and wave
 * quantization beyond what gemm_eff averages, host work that launches no
 * kernel (views, Python), overlap of host and GPU. */
#ifndef CODESIM_GPU_H
#define CODESIM_GPU_H

#include <stddef.h>
#include <stdint.h>

/* Launches per lowered op (eager_kernels above). */
typedef enum { GPU_EAGER_OPS = 0, GPU_EAGER_HF_GPT2 = 1 } gpu_eager_t;

typedef struct {
    double peak_tflops;       /* dense fp16 tensor-core peak, 10^12 FLOP/s */
    double hbm_gbytes_per_s;  /* HBM peak, 10^9 bytes/s */
    double gemm_eff;          /* 0 < . <= 1 */
    double gemv_eff;          /* 0 < . <= 1 */
    double kernel_overhead_us; /* >= 0, added to every kernel launch */
    gpu_eager_t eager_kernels; /* launches per op */
} gpu_cfg_t;

/* A100 SXM4 80GB (configs/a100.yaml gives the sources). */
void gpu_defaults(gpu_cfg_t *c);
int gpu_cfg_check(const gpu_cfg_t *c, char *err, size_t errlen);
/* One key of the `gpu:` section: peak_tflops, hbm_gbytes_per_s, gemm_eff,
 * gemv_eff, kernel_overhead_us, eager_kernels (ops, hf-gpt2).  -1 with err
 * "KEY: reason". */
int gpu_cfg_set(gpu_cfg_t *c, const char *key, const char *val, char *err, size_t errlen);
/* The name of an eager_kernels value ("ops", "hf-gpt2"). */
const char *gpu_eager_name(gpu_eager_t e);

/* Launches of the lowered op `op` (mapper/ops.c's names: "qkv", "act",
 * "lm_head", ...) in a decode step (decode != 0) or the prefill step. */
unsigned gpu_op_launches(gpu_eager_t e, const char *op, int decode);
/* Nanoseconds of that op by the formula above: its roofline term, plus
 * launches x kernel_overhead_us; 0 when it launches nothing. */
double gpu_op_ns(const gpu_cfg_t *c, const char *op, int decode, uint64_t flops, uint64_t bytes);

#endif

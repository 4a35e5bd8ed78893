/* gpu.h - a GPU as a roofline with measured efficiencies (the `gpu:`
 * section of the hardware YAML): the baseline of `--mode gpu`.
 *
 * Each op of the LLM (sim/run/npu.c) runs as one kernel after the previous
 * one; a kernel doing `flops` floating-point operations and moving `bytes`
 * between HBM and the chip (each operand and result once: the mapper's
 * compulsory bytes) takes
 *
 *     t = max(flops / (peak * gemm_eff), bytes / (hbm * gemv_eff))
 *
 *         + kernel_overhead_us
 *
 * gemm_eff is the fraction of the peak tensor throughput a large GEMM
 * reaches, gemv_eff the fraction of the HBM bandwidth a memory-bound kernel
 * (GEMV, attention over the KV cache, element-wise ops) reaches.  Both are
 * measurements, not fits: see configs/a100.yaml for the sources.
 *
 * kernel_overhead_us (default 0: the roofline) is a fixed time added to every
 * kernel: the launch and framework (e.g. PyTorch eager) cost of one op,
 * which dominates batch-1 decode of small models.  One lowered op of the LLM
 * is one kernel (GEMM/GEMV, norm, softmax, element-wise op, KV append: one
 * each, per layer), so a run pays kernels x kernel_overhead_us.  The term is
 * added, not overlapped with the previous kernel's execution: the bound for
 * a host that launches each kernel after the previous one finished
 * (configs/t4_eager.yaml gives the source of its value).  Not modelled:
 * caches (every byte comes from HBM once), tile and wave quantization beyond
 * what gemm_eff averages, a framework's extra kernels (copies, casts). */
#ifndef CODESIM_GPU_H
#define CODESIM_GPU_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double peak_tflops;       /* dense fp16 tensor-core peak, 10^12 FLOP/s */
    double hbm_gbytes_per_s;  /* HBM peak, 10^9 bytes/s */
    double gemm_eff;          /* 0 < . <= 1 */
    double gemv_eff;          /* 0 < . <= 1 */
    double kernel_overhead_us; /* >= 0, added to every kernel */
} gpu_cfg_t;

/* A100 SXM4 80GB (configs/a100.yaml gives the sources). */
void gpu_defaults(gpu_cfg_t *c);
int gpu_cfg_check(const gpu_cfg_t *c, char *err, size_t errlen);
/* One key of the `gpu:` section: peak_tflops, hbm_gbytes_per_s, gemm_eff,
 * gemv_eff, kernel_overhead_us.  -1 with err "KEY: reason". */
int gpu_cfg_set(gpu_cfg_t *c, const char *key, const char *val, char *err, size_t errlen);

/* Nanoseconds of one kernel, by the formula above (overhead included). */
double gpu_kernel_ns(const gpu_cfg_t *c, uint64_t flops, uint64_t bytes);

#endif

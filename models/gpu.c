/* gpu.c - roofline GPU with measured efficiencies (see gpu.h). */
#include "gpu.h"

#include "link.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void gpu_defaults(gpu_cfg_t *c)
{
    /* NVIDIA A100 SXM4 80GB datasheet: 312 TFLOPS dense fp16 tensor,
     * 2039 GB/s HBM2e.  Efficiencies: configs/a100.yaml. */
    c->peak_tflops = 312.0;
    c->hbm_gbytes_per_s = 2039.0;
    c->gemm_eff = 0.869;
    c->gemv_eff = 0.88;
    c->kernel_overhead_us = 0; /* the roofline: no launch overhead */
    c->eager_kernels = GPU_EAGER_OPS;
}

int gpu_cfg_check(const gpu_cfg_t *c, char *err, size_t errlen)
{
    if (!(c->peak_tflops > 0) || !(c->hbm_gbytes_per_s > 0)) {
        snprintf(err, errlen, "%s: must be positive",
                 !(c->peak_tflops > 0) ? "peak_tflops" : "hbm_gbytes_per_s");
        return -1;
    }
    if (!(c->gemm_eff > 0 && c->gemm_eff <= 1) || !(c->gemv_eff > 0 && c->gemv_eff <= 1)) {
        snprintf(err, errlen, "%s: must be in (0, 1]",
                 !(c->gemm_eff > 0 && c->gemm_eff <= 1) ? "gemm_eff" : "gemv_eff");
        return -1;
    }
    if (!(c->kernel_overhead_us >= 0 && c->kernel_overhead_us <= 1e6)) {
        snprintf(err, errlen, "kernel_overhead_us: must be in [0, 1e6]");
        return -1;
    }
    if (c->eager_kernels != GPU_EAGER_OPS && c->eager_kernels != GPU_EAGER_HF_GPT2) {
        snprintf(err, errlen, "eager_kernels: must be ops or hf-gpt2");
        return -1;
    }
    return 0;
}

const char *gpu_eager_name(gpu_eager_t e)
{
    return e == GPU_EAGER_HF_GPT2 ? "hf-gpt2" : "ops";
}

int gpu_cfg_set(gpu_cfg_t *c, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "eager_kernels") == 0) {
        const int hf = strcmp(val, "hf-gpt2") == 0;
        if (!hf && strcmp(val, "ops") != 0) {
            snprintf(err, errlen, "%s: unknown value '%s' (ops, hf-gpt2)", key, val);
            return -1;
        }
        c->eager_kernels = hf ? GPU_EAGER_HF_GPT2 : GPU_EAGER_OPS;
        return 0;
    }
    static const char *const keys[] = {"peak_tflops", "hbm_gbytes_per_s", "gemm_eff", "gemv_eff",
                                       "kernel_overhead_us"};
    double *const dst[] = {&c->peak_tflops, &c->hbm_gbytes_per_s, &c->gemm_eff, &c->gemv_eff,
                           &c->kernel_overhead_us};
    const double lo[] = {1e-9, 1e-9, 1e-9, 1e-9, 0};
    const double hi[] = {1e7, 1e9, 1, 1, 1e6};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return link_parse_real(key, val, lo[i], hi[i], dst[i], err, errlen);
    snprintf(err, errlen,
             "%s: unknown key (peak_tflops, hbm_gbytes_per_s, gemm_eff, gemv_eff, "
             "kernel_overhead_us, eager_kernels)",
             key);
    return -1;
}

static double roofline_ns(const gpu_cfg_t *c, uint64_t flops, uint64_t bytes)
{
    /* TFLOPS = 10^3 FLOP/ns; GB/s = 1 byte/ns. */
    const double tc = (double)flops / (c->peak_tflops * 1e3 * c->gemm_eff);
    const double tm = (double)bytes / (c->hbm_gbytes_per_s * c->gemv_eff);
    return tc > tm ? tc : tm;
}

/* CUDA launches (kernels, plus the host<->device copies, which cost a
 * launch and a stream synchronization each) of Hugging Face transformers'
 * GPT-2 at batch 1: `model.generate(input_ids, max_new_tokens=N)` (greedy
 * search, the GPT-2 configs' default; no logits processor applies), eager
 * PyTorch 2.x on CUDA, fp16 or fp32 (the same kernels: GPT-2 does not upcast
 * the attention scores unless reorder_and_upcast_attn, default false).
 * Counted from transformers 4.33.0.dev0 (main of August 2023, between the
 * v4.32 and v4.34 releases; read from an unmodified copy, GitHub
 * BoyuanJackChen/transformers-v4.32 commit 35a34d9; v4.34.0 itself could
 * not be read): src/transformers/models/gpt2/modeling_gpt2.py
 * (M:line), generation/utils.py (G:line), activations.py (A:line),
 * pytorch_utils.py (P:line); PyTorch's ATen CUDA code for what an op
 * launches (aten/src/ATen/native/cuda/: Blas.cpp addmm_out_cuda_impl,
 * layer_norm_kernel.cu, ScanUtils.cuh scan_dim, Shape.cu cat).
 *
 * Per decoder layer (GPT2Block.forward M:377, GPT2Attention M:290, _attn
 * M:182, GPT2MLP M:353), decode step / prefill step:
 *   norm_attn   ln_1 (M:389): LayerNorm, one vectorized kernel          1 / 1
 *   qkv         c_attn: Conv1D = torch.addmm(bias, x, W) (P:106); cuBLASLt
 *               with the bias in its epilogue: one kernel.  split and
 *               _split_heads (view, permute) launch nothing                 1 / 1
 *   kv_append   torch.cat((past_key, key)), same for value (M:320-321); in
 *               prefill layer_past is None: no cat, K and V stay views    2 / 0
 *   qk          torch.matmul(query, key.transpose) (M:183): one batched
 *               GEMM on strided views, no copy                              1 / 1
 *   softmax     attn_weights / torch.full([], sqrt(d), device=...) (M:186):
 *               a fill and a divide; mask_value = torch.full([], min)
 *               .to(device) (M:201): made on the host, one host-to-device
 *               copy (pageable: cudaMemcpyAsync + stream sync; later
 *               versions make it on the device: a fill, the same count);
 *               torch.where(causal_mask, w, mask_value) (M:202); w +
 *               attention_mask (M:206); softmax (M:208): 5 kernels + 1 copy.
 *               .type(value.dtype) is a no-op, dropout in eval launches
 *               nothing                                                     6 / 6
 *   sv          torch.matmul(attn_weights, value) (M:218)                   1 / 1
 *   o_proj      _merge_heads permute().contiguous() (M:286): a copy in
 *               prefill, none in decode (one query token: the permuted
 *               [1,1,H,d] tensor is already contiguous); c_proj addmm      1 / 2
 *   residual_attn  attn_output + residual (M:401)                           1 / 1
 *   norm_ffn    ln_2 (M:426)                                                1 / 1
 *   fc1         c_fc addmm                                                  1 / 1
 *   act         NewGELUActivation (A:56): 0.5 * x, pow(x, 3), 0.044715 *,
 *               x +, sqrt(2/pi) *, tanh, 1.0 +, the product: 8 kernels     8 / 8
 *   fc2         c_proj addmm                                                1 / 1
 *   residual_ffn  residual + feed_forward (M:429)                           1 / 1
 *   -> 26 launches per layer in decode, 25 in prefill (25 kernels and one
 *      copy / 24 and one copy); codesim lowers the layer to 13 ops.
 * Per step, outside the layers:
 *   embed       prepare_inputs_for_generation (M:1021): attention_mask
 *               .long() (no-op) .cumsum(-1) (cub scan: init + scan
 *               kernels), - 1, attention_mask == 0, masked_fill_: 5;
 *               GPT2Model (M:822-823): the mask's .to(dtype), 1.0 - mask,
 *               * finfo.min: 3; wte(input_ids), wpe(position_ids), their
 *               sum (M:843-845): 3                                        11 / 11
 *   norm_final  ln_f (M:926)                                                1 / 1
 *   lm_head     the tied LM head (M:1098; Linear, no bias: one GEMM), then
 *               greedy search's loop (G:2435-2514): argmax (G:2484);
 *               next_tokens * unfinished + pad * (1 - unfinished) (G:2490):
 *               4; torch.cat of the input ids (G:2493); the attention
 *               mask's new_ones + cat (G:792): 2; the EOS test tile, ne,
 *               prod, mul (G:2503): 4; unfinished.max() == 0 (G:2507): 2,
 *               and its bool() reads the result back (a device-to-host
 *               copy + sync); the stopping criteria compare Python ints  16 / 16
 *   -> 28 launches per step (27 kernels, one copy); GPT-2 small: 12 x 26 +
 *      28 = 340 per decode token where codesim lowers 159 ops.
 * Not counted: generate()'s one-time setup before the first step, cuBLAS
 * split-K reduction kernels (the library's choice per shape), the
 * semaphore memset of a multi-block reduction (argmax over the vocabulary),
 * and Conv1D's second kernel where addmm does not use cuBLASLt (the bias
 * copied into the output first, then the GEMM): 4 more per layer on Windows
 * builds, CUDA < 11.4, and later PyTorch releases, whose addmm also wants
 * more than one row in mat1 for cuBLASLt (batch-1 decode has one). */
static const struct {
    const char *op;
    unsigned char decode, prefill;
} hf_gpt2[] = {
    {"norm_attn", 1, 1},     {"qkv", 1, 1},      {"kv_append", 2, 0}, {"qk", 1, 1},
    {"softmax", 6, 6},       {"sv", 1, 1},       {"o_proj", 1, 2},    {"residual_attn", 1, 1},
    {"norm_ffn", 1, 1},      {"fc1", 1, 1},      {"act", 8, 8},       {"fc2", 1, 1},
    {"residual_ffn", 1, 1},  {"embed", 11, 11},  {"norm_final", 1, 1}, {"lm_head", 16, 16},
};

unsigned gpu_op_launches(gpu_eager_t e, const char *op, int decode)
{
    if (e == GPU_EAGER_HF_GPT2)
        for (size_t i = 0; i < sizeof hf_gpt2 / sizeof hf_gpt2[0]; i++)
            if (strcmp(op, hf_gpt2[i].op) == 0)
                return decode ? hf_gpt2[i].decode : hf_gpt2[i].prefill;
    return 1;
}

double gpu_op_ns(const gpu_cfg_t *c, const char *op, int decode, uint64_t flops, uint64_t bytes)
{
    const unsigned n = gpu_op_launches(c->eager_kernels, op, decode);
    return n ? roofline_ns(c, flops, bytes) + n * c->kernel_overhead_us * 1e3 : 0;
}

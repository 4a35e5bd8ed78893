/* ops.h - one inference run (prefill + decode steps) decomposed into the
 * operations of each decoder block.
 *
 * Run convention (as Hugging Face generate with max_new_tokens = gen): the
 * prefill runs the prompt of `prompt` tokens for each of `batch` sequences,
 * fills the KV cache and produces the first new token from the last prompt
 * position; decode steps s = 1 .. gen-1 each run one token per sequence whose
 * KV context is prompt + s - 1 cached positions, attend over prompt + s keys
 * (the cache plus the token itself) and append one K/V entry per layer.
 *
 * When all decoder blocks of a step are identical the list holds one
 * block's ops per step with repeat = layers; when they differ (MoE routing
 * differs per layer, dense and MoE layers mix, windows differ per layer) it
 * holds every layer's block in order, each with repeat = 1.  Embedding,
 * final norm and LM head have repeat = 1.  GEMM convention as everywhere in codesim: O[M][N] = A[M][K] x
 * B[K][N], per instance; `count` independent instances (batch x KV heads for
 * attention).  With GQA the query heads that share one KV head are stacked
 * along M, so one instance reads its K/V once.
 */
#ifndef CODESIM_MAPPER_OPS_H
#define CODESIM_MAPPER_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct {
    uint64_t batch;       /* sequences */
    uint64_t prompt;      /* prompt tokens per sequence */
    uint64_t gen;         /* new tokens per sequence (1 = prefill only) */
    uint32_t wbits;       /* weight width */
    uint32_t abits;       /* activation width (GEMM inputs and outputs) */
    uint32_t kvbits;      /* KV-cache width */
} mapper_run_t;

#define MAPPER_MAX_BITS 16u
#define MAPPER_MAX_BATCH 65536u
/* Tokens in one step of an MoE model (batch x prompt at prefill): the
 * largest GEMM M any unit takes (SYSTOLIC_MAX_GEMM_DIM, LUT_MAX_GEMM_DIM,
 * tensor_engine's 2^24).  Checked before routing, which visits each token. */
#define MAPPER_MAX_STEP_TOKENS (1ull << 24)

/* 0, or -1 with "FIELD: reason" (field = the CLI option name without "--"):
 * zero sizes, widths outside 1..16, prompt + gen beyond the model's positions,
 * an MoE step of more than MAPPER_MAX_STEP_TOKENS tokens. */
int mapper_run_check(const mapper_run_t *r, const mapper_model_t *m, char *err, size_t errlen);

typedef enum { MAPPER_GEMM, MAPPER_GEMV, MAPPER_VECTOR } mapper_kind_t;
typedef enum { MAPPER_PREFILL, MAPPER_DECODE } mapper_phase_t;

/* Where an op runs (chosen by mapper_place(), mapper/tiling.h): vector ops
 * on the vector unit; weight GEMM/GEMVs with 1..4-bit weights on the LUT
 * tensor core when the hardware has one (models/lut_tc.h); decode attention
 * GEMVs (qk, sv) on PIM when the hardware has it (models/pim_gemv.h);
 * every other GEMM/GEMV on the core's tensor engine when the hardware has
 * one (ADDERTREE, CUBE, MATRIX2D: MAPPER_UNIT_TE + te_kind_t, models/
 * tensor_engine.h) and the op's widths fit it, else on the systolic array.
 * LINK and GPU are never
 * chosen by the mapper: sim/run/npu.c books a tensor-parallel all-reduce on
 * the device link, and every op of `--mode gpu` on the GPU. */
typedef enum {
    MAPPER_UNIT_SYSTOLIC, MAPPER_UNIT_VECTOR, MAPPER_UNIT_LUT, MAPPER_UNIT_PIM,
    MAPPER_UNIT_LINK, MAPPER_UNIT_GPU,
    MAPPER_UNIT_ADDERTREE, MAPPER_UNIT_CUBE, MAPPER_UNIT_MATRIX2D   /* in te_kind_t order */
} mapper_unit_t;
#define MAPPER_UNIT_TE MAPPER_UNIT_ADDERTREE
#define MAPPER_UNIT_IS_TE(u) ((u) >= MAPPER_UNIT_ADDERTREE && (u) <= MAPPER_UNIT_MATRIX2D)

typedef enum {   /* loop orders, outer to inner */
    MAPPER_MNK, MAPPER_MKN, MAPPER_NMK, MAPPER_NKM, MAPPER_KMN, MAPPER_KNM, MAPPER_ORDERS
} mapper_order_t;

/* The cost of a GEMM/GEMV on its unit.  Systolic: the searched tiling.
 * Tensor engine: the searched tiling with the engine's fold (R x C x D) in
 * place of the array's R x C (mapper/tiling.c); utilization MACs / (R*C*D
 * * cycles).
 * LUT: the unit tiles the GEMM itself; tm/tn/tk = the LUT's tile, order =
 * mkn (its fixed loop order), tiles = lut_runs per instance: 1, or the
 * column blocks when min(tm, M) rows of all N outputs overflow the LUT's
 * output buffer (mapper/tiling.c); cycles and dram_bytes the sum of those
 * lut_runs (LUT_FAST, with memory stalls).
 * PIM: one pim_gemv_time kernel: tiles = 1, no tile sizes, cycles in DRAM
 * command-clock cycles (tCK of the dram: section, NOT array cycles),
 * dram_bytes the matrix bytes moved from the row buffers into the PIM units
 * inside the banks (nothing crosses the channel but x and the results). */
typedef struct {
    uint64_t tm, tn, tk;           /* tile sizes (PIM: 0) */
    mapper_order_t order;
    int resident;                  /* 1: A, B and O tiles each fit one buffer half;
                                      0: the whole GEMM as one tile, chunked by the engine
                                      (array and tensor engines; 0 on LUT and PIM) */
    uint64_t tiles;                /* tiles per instance (LUT: runs; PIM: 1) */
    uint64_t cycles;               /* all instances (PIM: DRAM clock cycles) */
    uint64_t dram_bytes;           /* all instances, read + write (PIM: inside the banks) */
    uint64_t compulsory_bytes;     /* A, B and O each moved once (PIM: each K/V matrix once) */
    double utilization;            /* systolic: MACs / (R * C * cycles); LUT: lookups /
                                      (tm * tn * cycles); PIM: useful / executed lane MACs */
} mapper_tiling_t;

typedef struct {
    char name[16];                 /* qkv, rope, qk, softmax, ... */
    mapper_phase_t phase;
    uint32_t step;                 /* 0 prefill, s for decode step s */
    uint32_t repeat;               /* identical copies: the layers, or 1 */
    mapper_kind_t kind;
    uint64_t m, n, k;              /* GEMM/GEMV per instance; vector: m rows x n */
    uint64_t count;                /* instances */
    uint32_t abits, bbits, obits;  /* A operand, B operand, output */
    int b_weight;                  /* B is a weight matrix (else activation / KV) */
    int b_ternary;                 /* B holds ternary weights {-1, 0, +1} (BitNet b1.58)
                                      as 2-bit codes; 0 for every other op */
    uint64_t flops;                /* one copy, all instances */
    uint64_t bytes_read, bytes_written; /* one copy, at the run's widths */
    mapper_unit_t unit;
    mapper_tiling_t tiling;        /* GEMM/GEMV only, filled by the mapper */
} mapper_op_t;

typedef struct {
    mapper_op_t *ops;
    size_t count, cap;
} mapper_ops_t;

/* Builds the op list (mapper_run_check first).  -1 with err on a bad run or
 * out of memory. */
int mapper_ops_build(const mapper_model_t *m, const mapper_run_t *r, mapper_ops_t *out,
                     char *err, size_t errlen);
void mapper_ops_free(mapper_ops_t *o);

/* Routed experts run in one step (0 = prefill) summed over the layers: the
 * instances of its moe_gate_up ops (each one expert of one layer). */
uint64_t mapper_experts_touched(const mapper_ops_t *o, uint32_t step);

const char *mapper_kind_name(mapper_kind_t k);
const char *mapper_phase_name(mapper_phase_t p);
const char *mapper_unit_name(mapper_unit_t u);
const char *mapper_order_name(mapper_order_t o);

#endif

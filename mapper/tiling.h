/* tiling.h - placement of ops on the hardware's units, the tiling search
 * for GEMMs and GEMVs on the systolic array, and the cost of the ops placed
 * on the LUT tensor core and on PIM (see mapper_place).
 *
 * A tiling cuts O[M][N] = A[M][K] x B[K][N] into tiles tm x tn x tk visited
 * in one of six loop orders.  Each tile is one GEMM run by the engine
 * (models/engine.c, ENGINE_FAST) from a cold start, tiles back to back: the
 * cycles of a tiling are the sum of its tiles' engine cycles (tiles of equal
 * shape are costed once and multiplied) plus the time the DRAM channel needs
 * to read partial sums back when K is split and the output cannot stay on
 * chip.  DRAM traffic follows the loop order (see tiling.c).
 *
 * A tiling is legal when one A, one B and one O tile each fit one half of the
 * double-buffered ifmap, filter and ofmap scratchpads (resident tiles), or
 * when it is the whole GEMM as one tile and the engine can run it with its
 * own chunking and reuse rules (no per-tile cold start, more re-fetches).
 * The search enumerates
 * legal tile sizes (multiples of the array size by powers of two, the same
 * sizes balanced over the dimension, and the whole dimension), orders the
 * candidates by a closed-form lower bound on cycles and runs the engine only
 * while the bound can still beat the best found: minimum cycles, then
 * minimum DRAM bytes, then fewest tiles.  Results are memoized per shape, so
 * identical layers and identical decode steps cost one search.
 */
#ifndef CODESIM_MAPPER_TILING_H
#define CODESIM_MAPPER_TILING_H

#include <stddef.h>
#include <stdint.h>

#include "../models/pim_gemv.h"
#include "../models/hw.h"
#include "ops.h"

typedef struct mapper_ctx mapper_ctx_t;

/* The context keeps a copy of hw's fields (not its text). NULL on OOM. */
mapper_ctx_t *mapper_ctx_new(const hw_cfg_t *hw);
void mapper_ctx_free(mapper_ctx_t *c);

typedef struct {
    uint64_t searches;        /* distinct GEMM shapes searched */
    uint64_t memo_hits;       /* ops answered from the shape memo */
    uint64_t legal;           /* legal tile sizes enumerated */
    uint64_t candidates;      /* of those, costed on the engine (the rest pruned by the bound) */
    uint64_t engine_runs;     /* tile GEMMs run on the engine */
    uint64_t lut_runs;        /* distinct (shape, weight width) runs on the LUT model */
    uint64_t pim_runs;        /* distinct GEMV shapes timed on the PIM model */
} mapper_stats_t;
void mapper_ctx_stats(const mapper_ctx_t *c, mapper_stats_t *s);

/* The unit an op runs on, first match:
 *  - vector ops: MAPPER_UNIT_VECTOR (no vector block is modeled in the
 *    mapper: its cycles are the DRAM streaming time of its operands);
 *  - weight GEMM/GEMVs with 1..4-bit weights (ternary included), when the
 *    hardware has a lut: section, the activations fit its a_bits and the LUT
 *    accepts the shape (lut_gemm_check): MAPPER_UNIT_LUT;
 *  - decode attention GEMVs (qk, sv: kind GEMV with a K/V operand), when the
 *    hardware has a pim: section, both operands fit the PIM element width and
 *    the K/V matrices fit the banks (pim_gemv_check): MAPPER_UNIT_PIM;
 *  - every other GEMM/GEMV whose widths fit the tensor engine's in_bits and
 *    w_bits, when the hardware has one (addertree:, cube:, matrix2d:; the
 *    last present in that order, as for layer runs): MAPPER_UNIT_TE + kind;
 *  - every other GEMM/GEMV: MAPPER_UNIT_SYSTOLIC.
 * An op the LUT or PIM cannot take falls back to the engine, then the
 * array.  Returns -1 with "op NAME: reason" when it lands on the array and
 * its widths exceed the array's. */
int mapper_place(const mapper_ctx_t *c, const mapper_op_t *op, mapper_unit_t *unit, char *err,
                 size_t errlen);

/* The LUT run of a weight op: hw's lut: section with the op's weight width
 * and quantization (ternary: LUT_WQ_TERNARY; 1 bit: LUT_WQ_SYM, the binary
 * {-1, +1} grid; 2..4 bits: LUT_WQ_ZP with zp = 2^(bits-1), two's-complement
 * codes), and the GEMM of one instance.  Shared by the mapper's costing and
 * the NPU's lowering (sim/run/npu.c) so both see the same unit. */
void mapper_lut_cfg(const hw_cfg_t *hw, const mapper_op_t *op, lut_cfg_t *cfg, lut_gemm_t *g);

/* Costs op (any shape: sim/run/npu.c passes each core's slice) on the LUT as
 * mapper_map does, into op->tiling, and gives the same runs' cycles without
 * memory stalls in *compute (all instances), for sim/run/npu.c, which times
 * memory on its own DRAM channel.  Memoized with mapper_map's LUT costs.
 * -1 with err when the LUT cannot run the op. */
int mapper_cost_lut(mapper_ctx_t *c, mapper_op_t *op, uint64_t *compute, char *err,
                    size_t errlen);

/* The PIM kernel of a decode attention op: hw's pim: units on its dram:
 * device, blocked mode without host traffic (the kernel alone), and one GEMV
 * per query vector: groups = count x m, the matrix n x k (qk: the keys x
 * head_dim K cache; sv: V transposed, head_dim x keys), as sim/run/npu.c lays
 * the KV cache out in the banks. */
void mapper_pim_cfg(const hw_cfg_t *hw, const mapper_op_t *op, pim_gemv_cfg_t *cfg,
                    pim_gemv_t *g);

/* Costs one given tiling (tm, tn, tk, order set in t) of `count` instances of
 * g; fills the rest of t.  Any tile sizes are accepted that the engine can
 * run (legal or not): tests use it to cost a naive tiling.  -1 with err when
 * the engine refuses a tile. */
int mapper_cost_tiling(mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t count,
                       mapper_tiling_t *t, char *err, size_t errlen);

/* Searches the best legal tiling of count instances of g on the array.  -1
 * with err "no tiling of MxNxK fits ..." when none is legal. */
int mapper_tile_gemm(mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t count,
                     mapper_tiling_t *best, char *err, size_t errlen);
/* The same on `unit`: MAPPER_UNIT_SYSTOLIC, or the machine's tensor engine
 * (MAPPER_UNIT_TE + its kind; tile sizes on its R x C x D fold, costed by
 * te_run_layer).  -1 with err when the machine has no such engine, or with
 * te_fold_check's "KIND.FIELD: ..." when one fold does not fit the
 * scratchpads. */
int mapper_tile_unit(mapper_ctx_t *c, mapper_unit_t unit, const systolic_gemm_t *g,
                     uint64_t count, mapper_tiling_t *best, char *err, size_t errlen);

/* Places every op and costs it on its unit: the tiling search on the array,
 * one lut_run (LUT_FAST) on the LUT, one pim_gemv_time on PIM, each memoized
 * per shape (see mapper_tiling_t for what the fields mean per unit).
 * err: "op NAME (phase step S): reason". */
int mapper_map(mapper_ctx_t *c, mapper_ops_t *ops, char *err, size_t errlen);

/* Whether t's A, B and O tiles each fit one buffer half (resident tiles). */
int mapper_tiling_fits(const mapper_ctx_t *c, const mapper_tiling_t *t);

#endif

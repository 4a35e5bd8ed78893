/* tiling.h - placement of ops on the hardware's units and the tiling search
 * for GEMMs and GEMVs on the systolic array.
 *
 * A tiling cuts O[M][N] = A[M][K] x B[K][N] into tiles tm x tn x tk visited
 * in one of six loop orders.  Each tile is one GEMM run by the engine
 * (sim/engine.c, ENGINE_FAST) from a cold start, tiles back to back: the
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

#include "../sim/config.h"
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
} mapper_stats_t;
void mapper_ctx_stats(const mapper_ctx_t *c, mapper_stats_t *s);

/* The unit an op runs on.  Vector ops go to MAPPER_UNIT_VECTOR (no vector
 * block is modeled yet: its cycles are the DRAM streaming time of its
 * operands), GEMM/GEMV to the systolic array.  Not placed yet: LUT (low-bit
 * weight GEMMs, once models/lut_tc exists) and PIM (decode attention GEMVs,
 * once models/pim exists); this function is where they will be chosen.
 * Returns -1 with "op NAME: reason" when the op's widths exceed the array's. */
int mapper_place(const mapper_ctx_t *c, const mapper_op_t *op, mapper_unit_t *unit, char *err,
                 size_t errlen);

/* Costs one given tiling (tm, tn, tk, order set in t) of `count` instances of
 * g; fills the rest of t.  Any tile sizes are accepted that the engine can
 * run (legal or not): tests use it to cost a naive tiling.  -1 with err when
 * the engine refuses a tile. */
int mapper_cost_tiling(mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t count,
                       mapper_tiling_t *t, char *err, size_t errlen);

/* Searches the best legal tiling of count instances of g.  -1 with err
 * "no tiling of MxNxK fits ..." when none is legal. */
int mapper_tile_gemm(mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t count,
                     mapper_tiling_t *best, char *err, size_t errlen);

/* Places and tiles every op.  err: "op NAME (phase step S): reason". */
int mapper_map(mapper_ctx_t *c, mapper_ops_t *ops, char *err, size_t errlen);

/* Whether t's A, B and O tiles each fit one buffer half (resident tiles). */
int mapper_tiling_fits(const mapper_ctx_t *c, const mapper_tiling_t *t);

#endif

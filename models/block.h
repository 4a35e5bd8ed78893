/* block.h - the block table: every hardware block a machine can have, one
 * row each.  Every list over blocks (defaults, the sections a hardware file
 * may hold, validation, canonical text, area, which unit runs a layer) is a
 * loop over hw_blocks[], so a new block is its own model files plus one row
 * in block.c (README, "Adding a block", walks through the LUT unit's row).
 *
 * Like Lua's luaL_Reg list (linit.c) or Ramulator 2's registered
 * implementations: the table is static and constant; state lives in the
 * hw_cfg_t the rows read and write. */
#ifndef CODESIM_BLOCK_H
#define CODESIM_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "hw.h"
#include "power.h"
#include "tech.h"

/* One GEMM of a layer workload: O[m][n] = A[m][k] x B[k][n], with weights
 * of w_bits (0: the array's own width) quantized as wq. */
typedef struct {
    uint64_t m, n, k;
    uint32_t w_bits;          /* 0, or 1..4 (ternary: 2 with wq = LUT_WQ_TERNARY) */
    lut_wq_t wq;
    const engine_conv_t *conv; /* a convolution row's shape, NULL for a GEMM */
} hw_op_t;

typedef struct hw_block {
    const char *section;   /* its hardware-file section, e.g. "lut" */
    const char *what;      /* one line for --help and notes */
    /* The block's presence flag in hw_cfg_t (has_pim, has_lut), or NULL when
     * every machine has the block.  A section sets it; `enabled: false`
     * clears it. */
    int *(*present)(hw_cfg_t *hw);
    /* A key applied before the others wherever it stands (dram: preset). */
    const char *first;
    void (*defaults)(hw_cfg_t *hw);
    /* One key of the section, as text; -1 with err "KEY: reason".  NULL:
     * the section's keys are typed fields of sim/io/config.c's key table
     * (array, sram: shared with SCALE-Sim .cfg files). */
    int (*set)(hw_cfg_t *hw, const char *key, const char *val, char *err, size_t errlen);
    /* Range and consistency checks; -1 with err "FIELD: reason". */
    int (*check)(const hw_cfg_t *hw, char *err, size_t errlen);
    /* The section in canonical YAML (every field, fixed order). */
    void (*write)(const hw_cfg_t *hw, char *buf, size_t size, size_t *n);
    /* Area of one instance into out; per_core: each NPU core has one. */
    int (*area)(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                size_t errlen);
    int per_core;
    /* A matrix unit: whether it takes op (the last row that does runs it),
     * and runs it: stats in the array's terms (engine.h) and the energy of
     * its events added to energy. */
    int (*takes)(const hw_cfg_t *hw, const hw_op_t *op);
    int (*run)(const hw_cfg_t *hw, const hw_op_t *op, engine_path_t path, layer_stats_t *st,
               power_breakdown_t *energy, const tech_t *t, char *err, size_t errlen);
} hw_block_t;

extern const hw_block_t hw_blocks[];
extern const size_t hw_nblocks;

const hw_block_t *hw_block_find(const char *section);
/* Whether hw has the block (present flag set, or no flag). */
int hw_block_present(const hw_block_t *b, const hw_cfg_t *hw);

/* Every present block's check, in table order; err "SECTION.FIELD: reason". */
int hw_blocks_check(const hw_cfg_t *hw, char *err, size_t errlen);
/* Every present block's section, in table order, after "name: ...". */
size_t hw_blocks_write(const hw_cfg_t *hw, char *buf, size_t size);
/* Area of the machine: per-core blocks x npu.cores, then the others. */
int hw_blocks_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                   size_t errlen);
/* The matrix unit that runs op: the last present row (the most
 * specialised) whose takes() says yes.  Never NULL: the array, the first
 * row, takes every op. */
const hw_block_t *hw_block_for_op(const hw_cfg_t *hw, const hw_op_t *op);

/* Appends printf-style text to buf (size bytes, *n used), truncating. */
void hw_append(char *buf, size_t size, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif

/* rtlcheck.h - the one RTL cross-check driver (`codesim rtlcheck`).
 *
 * For each of T random cases the driver has the block draw the case, runs
 * it on the block's C model and on its Verilated RTL, and compares the
 * cycle counts, the port activity of every cycle (ports.h) and the output
 * values (the block compares model, RTL and an independent reference).
 * Every case is logged to the results database (db_record_rtlcheck); a
 * mismatching case gets a line on the log stream; the summary ends with
 *
 *   rtlcheck: <cases> cases, <c> cycle mismatches, <v> value mismatches
 *
 * An RTL run that fails (no done in time, an out-of-range address) is
 * reported with its reason and counted as a mismatch: RTL cycles 0, its
 * outputs zero, port activity differing.
 *
 * A block takes part through one rtlcheck_block_t of callbacks
 * (systolic_rtl.h, lut_rtl.h, pim_rtl.h); its configuration and case
 * buffers live in the context its open() returns. */
#ifndef CODESIM_RTLCHECK_H
#define CODESIM_RTLCHECK_H

#include <stdint.h>
#include <stdio.h>

#include "../../models/systolic.h"
#include "ports.h"

typedef struct rtlcheck_block {
    const char *name;   /* "systolic", "lut", "pim": --block and rtl_checks.block */
    /* Loads the RTL for the configuration cfg (the block's own type) and
     * makes the context every other callback gets.  NULL with err. */
    void *(*open)(const void *cfg, char *err, size_t errlen);
    void (*close)(void *ctx);
    /* Draws the next case from rng; dims receives what the database logs as
     * m, n, k.  0, or the exit status to stop with: 2 when the case is not
     * valid for the configuration, 1 on other failures (err says why). */
    int (*draw)(void *ctx, uint64_t *rng, uint64_t dims[3], char *err, size_t errlen);
    /* Runs the case on the C model.  -1 with err (the check stops). */
    int (*run_model)(void *ctx, ports_rec_t *rec, char *err, size_t errlen);
    /* Runs the case on the RTL, given the model's cycle count for the time
     * limit.  -1 with err when the RTL fails; its outputs are then zero. */
    int (*run_rtl)(void *ctx, uint64_t model_cycles, ports_rec_t *rec, char *err,
                   size_t errlen);
    /* Output values in which the model, the RTL and the reference disagree. */
    uint64_t (*compare)(void *ctx);
    /* The case for the mismatch line, e.g. " M=3 N=5 K=8" (leading blank). */
    void (*describe)(const void *ctx, char *out, size_t n);
} rtlcheck_block_t;

typedef struct {
    const rtlcheck_block_t *block;
    const void *cfg;              /* given to block->open */
    const systolic_cfg_t *array;  /* rtl_checks shape columns (systolic); NULL otherwise */
    const char *params;           /* rtl_checks.params; may be NULL */
    const char *title;            /* "os 8x8, memory-port activity": first summary line */
    uint64_t trials, seed;
    const char *db_path;
} rtlcheck_t;

/* Runs the check: opens the database and the block, runs the cases, logs
 * them, prints the mismatch lines and errors ("codesim rtlcheck: ...") to
 * log and the two summary lines to out.  Returns the exit status: 0 when
 * every case agreed, 2 when a case was refused, 1 otherwise. */
int rtlcheck_run(const rtlcheck_t *chk, FILE *out, FILE *log);

/* The random cases: a xorshift64* generator whose state the caller keeps
 * (rtlcheck_rng_seed spreads a user's seed over it), and a GEMM dimension
 * around an array or tile size `base`: 1, base, 2 x base, base + 1, odd
 * sizes up to 3 x base, and one draw in ten up to far x base. */
uint64_t rtlcheck_rng_seed(uint64_t seed);
uint64_t rtlcheck_rng_next(uint64_t *s);
uint64_t rtlcheck_rand_dim(uint64_t *rng, uint64_t base, uint64_t far);

/* One random GEMM case's buffers, as the array and tensor-engine checks
 * use them: A (m x k), B (k x n), and the model's, the RTL's and the
 * reference's m x n outputs. */
typedef struct {
    int32_t *a, *b, *om, *orr, *oref;
} rtlcheck_gemm_bufs_t;

/* Frees what bufs held and allocates them for an m x n x k case.  0, or 1
 * with err "out of memory" (the draw hook's return convention). */
int rtlcheck_gemm_bufs_alloc(rtlcheck_gemm_bufs_t *bufs, uint64_t m, uint64_t n, uint64_t k,
                             char *err, size_t errlen);
void rtlcheck_gemm_bufs_free(rtlcheck_gemm_bufs_t *bufs);

#endif

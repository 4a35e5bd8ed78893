/* systolic_rtl.h - the Verilated systolic array (rtl/systolic.v), loaded as
 * a shared library per shape and driven cycle by cycle with this file as its
 * memory; the same run on the C model's cycle-by-cycle array; and the
 * array's glue for the rtlcheck driver.  Missing shapes are built on demand
 * by rtl/build.sh into rtl/ of the build directory (sim/io/paths.h: a
 * checkout's build/, else a user cache). */
#ifndef CODESIM_SYSTOLIC_RTL_H
#define CODESIM_SYSTOLIC_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/systolic.h"
#include "../../rtl/systolic_shim.h"
#include "ports.h"
#include "rtlcheck.h"

typedef struct systolic_rtl systolic_rtl_t;

/* The array's ports in a ports_rec_t. */
enum { SYSTOLIC_PORT_A, SYSTOLIC_PORT_B, SYSTOLIC_PORT_O, SYSTOLIC_PORT_O_ACC };

/* Loads the library for cfg's shape and widths, building it when absent or
 * stale; with api not NULL drives that table instead (a C stand-in, for
 * tests).  NULL with err on failure (verilator missing, build failed, ...). */
systolic_rtl_t *systolic_rtl_open(const systolic_cfg_t *cfg, const vsys_api_t *api, char *err,
                                  size_t errlen);
void systolic_rtl_close(systolic_rtl_t *r);

/* Runs one GEMM (dataflow df) with a, b as memory; out receives O.  -1 with
 * err when the RTL does not finish within max_cycles or drives an address
 * outside A, B or O (checked before use; the run stops there). */
int systolic_rtl_run(systolic_rtl_t *r, systolic_dataflow_t df, const systolic_gemm_t *g,
                     const int32_t *a, const int32_t *b, int32_t *out, uint64_t max_cycles,
                     ports_rec_t *rec, char *err, size_t errlen);

/* The same record for the C model's cycle-by-cycle array. */
int systolic_rtl_model_run(const systolic_cfg_t *cfg, const systolic_gemm_t *g, const int32_t *a,
                           const int32_t *b, int32_t *out, ports_rec_t *rec);

/* rtlcheck: random GEMMs (dimensions not fixed are drawn around the array
 * size, K up to 12 times it), values also against the naive GEMM. */
typedef struct {
    systolic_cfg_t array;
    uint64_t m, n, k;          /* fixed dimensions; 0 = drawn per case */
    const vsys_api_t *api;     /* NULL: the Verilated library (see systolic_rtl_open) */
} systolic_rtlcheck_cfg_t;

extern const rtlcheck_block_t systolic_rtlcheck;

#endif

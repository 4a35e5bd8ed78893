/* lut_rtl.h - the Verilated LUT unit (rtl/lut_tc.v), loaded per shape with
 * dlopen and driven cycle by cycle with this file as its memory, as
 * systolic_rtl.c does for the array; the same run on the C model; and the
 * unit's glue for the rtlcheck driver.  Missing shapes are built on demand
 * by rtl/lut_build.sh into lut/ of the build directory (sim/io/paths.h). */
#ifndef CODESIM_LUT_RTL_H
#define CODESIM_LUT_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/lut_tc.h"
#include "../../rtl/lut_shim.h"
#include "ports.h"
#include "rtlcheck.h"

typedef struct lut_rtl lut_rtl_t;

/* The unit's ports in a ports_rec_t. */
enum { LUT_PORT_A, LUT_PORT_W, LUT_PORT_O, LUT_PORT_O_ACC };

/* Loads (building when absent or stale) the library for cfg's shape, into
 * lut/lut_m<TM>_n<TN>_k<TK>_g<G>_p<P>_a<AW>_s<SYM>; with api not NULL
 * drives that table instead (a C stand-in, for tests). */
lut_rtl_t *lut_rtl_open(const lut_cfg_t *cfg, const vlut_api_t *api, char *err, size_t errlen);
void lut_rtl_close(lut_rtl_t *r);

/* Runs one GEMM on the RTL (cz, sh from cfg's weight quantization); out
 * receives O.  -1 with err when no done within max_cycles or when the RTL
 * drives an address outside A, the packed weights or O (checked before
 * use; the run stops there). */
int lut_rtl_run(lut_rtl_t *r, const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *a,
                const uint8_t *packed, int32_t *out, uint64_t max_cycles, ports_rec_t *rec,
                char *err, size_t errlen);

/* The same record for the C model's cycle-by-cycle unit. */
int lut_rtl_model_run(const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *a,
                      const uint8_t *packed, int32_t *out, ports_rec_t *rec);

/* rtlcheck: random low-bit GEMMs (dimensions not fixed drawn around the
 * tile, up to 6 times it); with mixed, each case picks sym or zp and a zero
 * point at random.  Values also against a plain integer GEMM on the
 * dequantized weights. */
typedef struct {
    lut_cfg_t lut;
    int ternary, mixed;
    uint64_t m, n, k;          /* fixed dimensions; 0 = drawn per case */
    const vlut_api_t *api;     /* NULL: the Verilated library (see lut_rtl_open) */
} lut_rtlcheck_cfg_t;

extern const rtlcheck_block_t lut_rtlcheck;

#endif

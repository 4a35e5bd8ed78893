/* lut_rtl.h - the Verilated LUT unit (rtl/lut_tc.v), loaded per shape with
 * dlopen and driven cycle by cycle with this file as its memory, as
 * sim/rtl.c does for the systolic array.  Missing shapes are built on demand
 * by rtl/lut_build.sh into lut/ of the build directory (sim/io/paths.h). */
#ifndef CODESIM_LUT_RTL_H
#define CODESIM_LUT_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/lut_tc.h"

typedef struct rtl_lut rtl_lut_t;

/* Library directory name for cfg's shape:
 * lut_m<TM>_n<TN>_k<TK>_g<G>_p<P>_a<AW>_s<SYM>. */
void rtl_lut_shape_name(const lut_cfg_t *cfg, char *out, size_t n);

/* Loads (building when absent or stale) the library for cfg's shape. */
rtl_lut_t *rtl_lut_open(const lut_cfg_t *cfg, char *err, size_t errlen);
void rtl_lut_close(rtl_lut_t *r);

/* What a run did at the memory ports. */
typedef struct {
    uint64_t cycles;            /* rising edges from the start edge to done */
    uint64_t a_reads, w_reads, o_writes, o_acc_writes;
    uint64_t trace_hash;        /* FNV-1a over cycle, port, lane, address (and data written) */
} rtl_lut_activity_t;

/* Runs one GEMM on the RTL (cz, sh from cfg's weight quantization); out
 * receives O.  -1 with err when no done within max_cycles. */
int rtl_lut_run(rtl_lut_t *r, const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *a,
                const uint8_t *packed, int32_t *out, uint64_t max_cycles,
                rtl_lut_activity_t *act, char *err, size_t errlen);

/* The same record for the C model's cycle-by-cycle unit. */
int rtl_lut_model_run(const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *a,
                      const uint8_t *packed, int32_t *out, rtl_lut_activity_t *act);

#endif

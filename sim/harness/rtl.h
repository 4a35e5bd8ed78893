/* rtl.h - the Verilated systolic array (rtl/systolic.v), loaded as a shared
 * library per shape and driven cycle by cycle with this file as its memory.
 * Missing shapes are built on demand by rtl/build.sh into rtl/ of the build
 * directory (sim/io/paths.h: a checkout's build/, else a user cache). */
#ifndef CODESIM_RTL_H
#define CODESIM_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/systolic.h"

typedef struct rtl_systolic rtl_systolic_t;

/* Loads the library for cfg's shape and widths, building it when absent.
 * NULL with err on failure (verilator missing, build failed, ...). */
rtl_systolic_t *rtl_systolic_open(const systolic_cfg_t *cfg, char *err, size_t errlen);
void rtl_systolic_close(rtl_systolic_t *r);

/* What a run did, as seen at the RTL's memory ports. */
typedef struct {
    uint64_t cycles;              /* rising edges from the start edge to done */
    uint64_t a_reads, b_reads, o_writes, o_acc_writes;
    uint64_t trace_hash;          /* FNV-1a over every access: cycle, port, lane, address, data */
} rtl_activity_t;

/* Runs one GEMM (dataflow from cfg) with a, b as memory; out receives O.
 * -1 with err when the RTL does not finish within max_cycles. */
int rtl_systolic_run(rtl_systolic_t *r, systolic_dataflow_t df, const systolic_gemm_t *g,
                     const int32_t *a, const int32_t *b, int32_t *out, uint64_t max_cycles,
                     rtl_activity_t *act, char *err, size_t errlen);

/* The same activity record for the C model's cycle-by-cycle array. */
int rtl_model_run(const systolic_cfg_t *cfg, const systolic_gemm_t *g, const int32_t *a,
                  const int32_t *b, int32_t *out, rtl_activity_t *act);

#endif

/* engine.h - runs one GEMM layer on the configured hardware: the systolic
 * array fed from double-buffered scratchpads by a DRAM channel.
 *
 * Two paths give the same numbers: ENGINE_CYCLE ticks every PE and every DMA
 * byte; ENGINE_FAST uses the closed-form fold timing and event arithmetic on
 * the same step plan.  Tests hold them equal. */
#ifndef CODESIM_ENGINE_H
#define CODESIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "hw.h"
#include "memchan.h"

typedef enum { ENGINE_FAST = 0, ENGINE_CYCLE = 1 } engine_path_t;

typedef struct {
    uint64_t total_cycles;     /* compute_cycles + stall_cycles */
    uint64_t compute_cycles;   /* cycles the array advanced */
    uint64_t stall_cycles;     /* cycles waiting for operands or write-back */
    uint64_t macs;             /* useful multiply-accumulates: M*N*K */
    uint64_t folds, steps;
    uint64_t ifmap_reads, ifmap_writes;   /* element accesses */
    uint64_t filter_reads, filter_writes;
    uint64_t ofmap_reads, ofmap_writes;
    uint64_t dram_read_bytes, dram_write_bytes;
    /* Of dram_read_bytes, the ifmap's and the filter's (the rest is partial
     * sums read back); both 0 from units that do not split their reads. */
    uint64_t dram_ifmap_bytes, dram_filter_bytes;
    /* The first and the last cycle in which each operand's bytes move on the
     * DRAM channel, [0] ifmap reads, [1] filter reads, [2] ofmap writes, in
     * the layer's own cycles (cycle 0 accepts the command; memchan.h says
     * which cycles a transfer occupies).  dram_times 0: not recorded (a unit
     * without a DMA timeline); an operand that moved no byte has first
     * LAYER_NO_CYCLE and last 0.  Partial sums read back are in none of
     * them.  On several cores: the earliest first and latest last of the
     * slices (which all start at cycle 0). */
    int dram_times;
    uint64_t dram_first[3], dram_last[3];
    /* The same for the array's scratchpad accesses: the first and last
     * cycle it reads [0] the ifmap, [1] the filter and [2] writes the ofmap
     * (its read and write ports, systolic.h); sram_times 0: not recorded
     * (the LUT unit, the tensor engines). */
    int sram_times;
    uint64_t sram_first[3], sram_last[3];
    double utilization;        /* macs / (R*C*total_cycles) */
} layer_stats_t;

#define LAYER_NO_CYCLE UINT64_MAX

typedef struct {
    char name[64];
    uint64_t m, n, k;
    systolic_dataflow_t dataflow;
    const char *unit;          /* the unit that ran it: "systolic" or "lut" (static
                                  text); NULL is stored as "systolic" */
    layer_stats_t stats;
} layer_result_t;

/* Most steps (chunks of folds) the cycle path takes, which ticks each of
 * them; a larger layer is refused there with an error.  The fast path
 * finishes runs of identical folds by arithmetic (engine.c), so its work does
 * not grow with the number of folds; it refuses a layer only if its timing
 * never becomes periodic within this many walked steps, or when a count
 * does not fit 64 bits (cycles: 2^62). */
#define ENGINE_MAX_STEPS_LOG2 26
#define ENGINE_MAX_STEPS (1ull << ENGINE_MAX_STEPS_LOG2)

const char *engine_path_name(engine_path_t p);

/* Runs one GEMM (on the fixed-rate channel whatever hw->dma.timing says:
 * engine_run_layer is the layer path that honours it, and the one that
 * records the DRAM and SRAM spans: here dram_times and sram_times are 0, so
 * that the mapper's many GEMMs do not pay for them).  With ENGINE_CYCLE and a, b, out non-NULL the array also
 * computes out = a x b (values); with NULL operands it feeds zeros.
 * Returns 0, or -1 with "field: reason" in err (for example a tile that does
 * not fit the scratchpads, a count that does not fit in 64 bits, or more
 * than ENGINE_MAX_STEPS steps on the cycle path); nothing is simulated then. */
int engine_run_gemm(const hw_cfg_t *hw, const systolic_gemm_t *g, engine_path_t path,
                    const int32_t *a, const int32_t *b, int32_t *out,
                    layer_stats_t *st, char *err, size_t errlen);

/* A convolution as the array runs it: M = Eh x Ew output pixels (raster
 * order), N = filters, K = fh x fw x channels, with Eh = (h - fh) / stride
 * + 1 and Ew = (w - fw) / stride + 1 (no padding). */
typedef struct {
    uint64_t h, w, fh, fw, channels, stride;
} engine_conv_t;

/* engine_run_gemm for one layer of a run: conv (NULL for a GEMM) lets the
 * ifmap be read as the unique input tensor when hw->conv_unique is set
 * (array.conv_reads: unique), and the DRAM traffic is timed as hw->dma.timing
 * says (dram.timing: controller runs on the fast path only).  trace (NULL:
 * none) observes the controller's requests.
 *
 * array.conv_reads: unique.  The DMA writes input rows (all channels, the
 * touched columns) into the ifmap buffer and the array's operand feed
 * expands the windows on chip.  Input rows and columns touched: Ht = (Eh -
 * 1) x min(stride, fh) + fh, Wt = (Ew - 1) x min(stride, fw) + fw; the
 * unique ifmap is U = Ht x Wt x channels elements.
 *  - U fits one half of the ifmap buffer: every input row is read once.  A
 *    fetch of the output pixels p0..p1 reads the rows the windows of output
 *    rows up to p1's need that earlier fetches of the same K range did not
 *    (rows are kept on chip), so a layer reads exactly U elements.
 *  - Otherwise every fetch reads the region its pixels' windows touch: fh
 *    rows x the touched columns when p0..p1 lie in one output row, else the
 *    touched rows of their output rows x Wt; or the im2col tile when that is
 *    smaller.  Rows shared with the previous fetch are read again (halo).
 *  A fetch of K rows k0 .. k0+kr-1 reads floor(x (k0+kr) / K) - floor(x k0 /
 *  K) of a region of x elements, so the K ranges of a region add up to it.
 *  Every fetch is walked (no periodic shortcut), as with the controller. */
int engine_run_layer(const hw_cfg_t *hw, const systolic_gemm_t *g, const engine_conv_t *conv,
                     engine_path_t path, const mem_trace_t *trace, layer_stats_t *st,
                     char *err, size_t errlen);

#endif

/* scalesim.h - SCALE-Sim v2 accounting (issue 17): the numbers SCALE-Sim v2
 * (scalesim-project/scale-sim-v2 at 22f88b17f1dd) reports for one layer,
 * reproduced from its documented flow, not a hardware model.
 *
 * SCALE-Sim turns a layer into three address matrices (ifmap im2col, filter,
 * ofmap), lays each fold out as a skewed "demand" matrix with one row per
 * cycle, and pushes the rows through a double-buffered scratchpad: two read
 * buffers (ifmap, filter) and one write buffer (ofmap), each with its own
 * backing port of `Bandwidth` words per cycle (USER) or an estimate (CALC:
 * 10 words per read port, ArrayWidth for the write port, reads never stall,
 * DRAM reads and cycles from its estimate of when each half would be fetched).
 * The reported "Total Cycles" is the service cycle of the last demand row,
 * i.e. the index of the last cycle (rows - 1) plus stalls; the first fill of
 * each read buffer is issued at negative cycles (free) and the final ofmap
 * write-back happens after it (uncounted).  Which of these no array can
 * realize is written down in README.md, "SCALE-Sim accounting".
 *
 * Word size is 1 byte throughout (SCALE-Sim's word_size = 1). */
#ifndef CODESIM_SCALESIM_H
#define CODESIM_SCALESIM_H

#include <stddef.h>
#include <stdint.h>

typedef enum { SCALESIM_OS, SCALESIM_WS, SCALESIM_IS } scalesim_df_t;

typedef struct {
    uint32_t rows, cols;                 /* ArrayHeight, ArrayWidth */
    uint64_t ifmap_bytes, filter_bytes, ofmap_bytes; /* *SramSzkB x 1024 */
    uint64_t ifmap_off, filter_off, ofmap_off; /* *Offset (word addresses) */
    uint32_t bandwidth;                  /* Bandwidth, words/cycle (USER) */
    int user_bw;                         /* 1: USER, 0: CALC */
    scalesim_df_t df;
} scalesim_cfg_t;

/* One convolution as SCALE-Sim reads it (a GEMM row M,N,K arrives as
 * ifmap M x K, filter 1 x K, 1 channel, N filters, stride 1).  Depthwise
 * "DP" rows are split by the caller (scalesim_layer_split). */
typedef struct {
    uint64_t ifmap_h, ifmap_w, filt_h, filt_w, channels, filters, stride;
} scalesim_layer_t;

typedef struct {
    uint64_t total_cycles, stall_cycles;
    double overall_util, mapping_eff, compute_util;          /* percent */
    int64_t sram_start[3], sram_stop[3];                     /* ifmap, filter, ofmap */
    uint64_t sram_access[3];
    int64_t dram_start[3], dram_stop[3];
    uint64_t dram_access[3];
    int dram_valid;                     /* 0 where SCALE-Sim itself would stop (a CALC
                                           estimate dividing by zero): columns left empty */
} scalesim_stats_t;

/* Output size with SCALE-Sim's ceiling: ceil((in - f + s) / s). */
uint64_t scalesim_ofmap_dim(uint64_t in, uint64_t f, uint64_t s);

int scalesim_cfg_check(const scalesim_cfg_t *cfg, char *err, size_t errlen);

/* Limits of one layer (scalesim.c, check_size): the rows and addresses the
 * flow walks (about 10^8 a second, so a minute or so), and the bytes it keeps. */
#define SCALESIM_MAX_WORK (1ull << 33)
#define SCALESIM_MAX_BYTES (1ull << 31)

/* Runs one layer; -1 with err on bad shapes or above the limits. */
int scalesim_run_layer(const scalesim_cfg_t *cfg, const scalesim_layer_t *layer,
                       scalesim_stats_t *st, char *err, size_t errlen);

#endif

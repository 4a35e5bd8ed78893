/* workload.h - layer CSVs: codesim's own and SCALE-Sim's topology files. */
#ifndef CODESIM_WORKLOAD_H
#define CODESIM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "../../mapper/model.h"
#include "../../models/lut_tc.h"
#include "../../models/scalesim.h"

typedef struct {
    char name[64];
    uint64_t m, n, k;       /* O[M][N] = A[M][K] x B[K][N] */
    unsigned line;          /* line in the source file */
    uint32_t w_bits;        /* low-bit weights: code bits 1..4 (2 for ternary);
                               0: int8 weights (the systolic array) */
    lut_wq_t wq;            /* with w_bits: LUT_WQ_ZP (default), LUT_WQ_SYM or
                               LUT_WQ_TERNARY */
    /* The row as SCALE-Sim reads it (its accounting mode, models/scalesim.h):
     * a conv row's fields, or a GEMM row as SCALE-Sim's -i gemm maps it
     * (ifmap M x K, filter 1 x K, 1 channel, N filters, stride 1). */
    scalesim_layer_t shape;
    int conv;               /* the row was a convolution row */
} layer_t;

typedef struct {
    layer_t *layers;
    size_t count;
    char *text;             /* the file exactly as read, owned */
} workload_t;

/* Loads a layer CSV.  Accepted forms (header row first, fields may carry
 * spaces, a trailing comma is allowed):
 *   GEMM:  Layer,M,N,K[,w_bits[,wq]]  (w_bits and wq in any order after
 *          Layer, both optional, their fields may be empty or left off at
 *          the end of a row):
 *            w_bits  1, 2, 3, 4 or ternary: the layer's weights are that
 *                    narrow (it runs on a LUT unit when the hardware has one);
 *                    empty: int8 weights
 *            wq      sym or zp (default zp): the weight grid, see
 *                    models/lut_tc.h; only with a numeric w_bits
 *   conv:  Layer name,IFMAP Height,IFMAP Width,Filter Height,Filter Width,
 *          Channels,Num Filter,Strides   -> M = output pixels, N = filters,
 *                                           K = Fh*Fw*Channels
 * On error returns -1 and err holds "FILE:LINE: FIELD: reason". */
int workload_load(const char *path, workload_t *wl, char *err, size_t errlen);
void workload_free(workload_t *wl);

/* Reads and parses a model config.json (mapper/model.h) from path. */
int workload_model_load(const char *path, mapper_model_t *m, char *err, size_t errlen);

/* Reads an MoE routing trace for model m: a CSV with the header
 * step,layer,expert,tokens and one row per (step, layer, expert) that
 * received tokens (absent rows: 0); step 0 is the prefill, s the decode
 * step s; layers and experts count from 0.  '#' lines are comments.
 * Whether the counts fit a run (each MoE layer's row sums to the step's
 * tokens x top_k) is checked when the run's ops are built.  -1 with err
 * "FILE:LINE: FIELD: reason". */
int workload_routing_load(const char *path, const mapper_model_t *m, mapper_routing_t *rt,
                          char *err, size_t errlen);
void workload_routing_free(mapper_routing_t *rt);

#endif

/* sweep.h - design-space sweep files: parameter ranges or sets over
 * hardware fields plus a list of workloads, expanded into points.
 *
 * Sweep file (YAML; sweeps/gpt2_systolic.yaml):
 *   name: gpt2-systolic              # 1..63 printable characters
 *   hw: ../configs/default.yaml      # optional base config (default: built-in)
 *   workloads: [../traces/transformer.csv]
 *   path: fast                       # optional: fast (default) | cycle
 *   tech: 45nm                       # optional: technology node of the area and
 *                                    # energy columns (reports/tech/NODE.yaml)
 *   params:                          # any field hw_set() knows, by dotted key
 *     array.rows: [8, 16, 32]        # a set: each value as in a hardware file
 *     array.cols: {from: 8, to: 128, times: 2}   # geometric range 8,16,..,128
 *     sram.ifmap_kib: {from: 64, to: 256, step: 64}  # arithmetic (step 1 default)
 *     array.dataflow: [os, ws, is]
 *   llm:                             # optional: run options of model workloads
 *     batch: 8                       # sequences (default 1)
 *     prompt: 128                    # prompt tokens (default 512)
 *     gen: 4                         # new tokens, the first from prefill (default 2)
 *     mode: auto                     # auto (default): neupims when the point has
 *                                    # PIM, else npu; or npu, pim-blocked, neupims,
 *                                    # gpu, pimgpt
 *     wbits: 8                       # widths (default: the model's native wbits,
 *     abits: 8                       # abits and kvbits 8), as codesim run --model
 *     kvbits: 8
 * File paths are relative to the sweep file's directory.
 *
 * A workload is a layer CSV or, when its name ends in .json, a model
 * config.json (traces/models/) run with the llm: options.  Every point runs
 * through sim_run (sim/run/run.h) on the point's whole machine (npu.cores,
 * lut.*, pim.enabled, dram.* ...), exactly as codesim run --workload or
 * codesim run --model runs it.
 * Its workload hash covers the file's bytes and the llm: options, so
 * changing batch/prompt/gen/mode/widths reruns the points.
 *
 * Points are the product of every parameter's values and the workloads:
 * index = ((v0 * n1 + v1) * n2 + v2 ...) * nworkloads + w, the last
 * parameter varying fastest.  Every point's config is validated at load, so
 * an unknown key, an empty or contradictory range, a value given twice, two
 * keys for one field (sram.ifmap_kib and sram.ifmap_bytes) or a value out of
 * range is an error "FILE:LINE: KEY: reason" before anything runs. */
#ifndef CODESIM_SWEEP_H
#define CODESIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "../io/config.h"
#include "../../models/engine.h"
#include "../run/npu.h"
#include "../run/run.h"
#include "../io/workload.h"
#include "../../models/power.h"
#include "../../models/tech.h"

/* A sweep of more points than this is refused (a typo like step: 1 over
 * bytes would otherwise run for days). */
#define SWEEP_MAX_POINTS 1000000
#define SWEEP_MAX_VALUES 100000   /* values of one parameter */

typedef struct {
    char key[64];       /* as written, e.g. "sram.ifmap_kib" */
    unsigned line;
    char **values;      /* texts as hw_set() takes them */
    size_t nvalues, cap;
} sweep_param_t;

typedef struct {
    char *file;         /* as resolved (relative to the cwd or absolute) */
    unsigned line;
    workload_t wl;      /* a model: no layers, text = the config.json */
    int is_model;       /* a .json model config: the point runs npu_run */
    mapper_model_t model;
    char hash[17];      /* FNV-1a 64 of the file's bytes (and, for a model, the
                         * llm: options as "batch=B prompt=L ...") */
} sweep_workload_t;

/* The llm: section. */
typedef struct {
    uint64_t batch, prompt, gen;
    uint32_t wbits;     /* 0: the model's native width */
    uint32_t abits, kvbits;
    char mode[16];      /* auto, npu, pim-blocked, neupims, gpu or pimgpt */
    unsigned line;      /* of llm:, 0 when absent */
    unsigned key_line[7]; /* of batch, prompt, gen, mode, wbits, abits, kvbits */
} sweep_llm_t;

typedef struct {
    char name[64];
    char *path;                 /* the sweep file */
    char *text;                 /* as read */
    engine_path_t engine_path;
    hw_cfg_t base;              /* hw: file or the defaults */
    tech_t tech;                /* tech: node (default 45nm) */
    sweep_param_t *params;
    size_t nparams;
    sweep_workload_t *workloads;
    size_t nworkloads;
    sweep_llm_t llm;
    size_t npoints;
} sweep_t;

int sweep_load(const char *path, sweep_t *sw, char *err, size_t errlen);
void sweep_free(sweep_t *sw);

typedef struct {
    size_t index;
    size_t workload;            /* index into sw->workloads */
    hw_cfg_t hw;                /* owns no text */
    char config_hash[17];       /* hw_hash() with the name cleared */
} sweep_point_t;

/* Builds point index (< sw->npoints); validated at load, so it fails only
 * on an index out of range. */
int sweep_point(const sweep_t *sw, size_t index, sweep_point_t *pt, char *err, size_t errlen);

/* Point index's swept values as "array.rows=8 array.cols=16", whole
 * (sweep_points.params; a fixed 512-byte buffer once cut a sweep of 30
 * parameters).  malloc'd, for the caller to free; NULL when out of memory or
 * index is out of range. */
char *sweep_params_text(const sweep_t *sw, size_t index);

/* Runs one point through the one simulation entry point (sim_run): the
 * same machine and workload give what codesim run gives.  res as sim_run's. */
int sweep_run(const sweep_t *sw, const sweep_point_t *pt, sim_result_t *res, char *err,
              size_t errlen);

/* The run options of a model workload's points (wbits resolved). */
void sweep_llm_run(const sweep_t *sw, const sweep_workload_t *w, mapper_run_t *r);

/* Area and energy of a point, as the database stores them: the result's
 * totals, derived figures and both breakdowns. */
typedef struct {
    double area_mm2, energy_pj, tops, tops_per_w, tops_per_mm2;
    size_t nbreakdown;
    struct {
        char kind[16];
        char component[32];
        double value;
    } breakdown[2 * POWER_MAX_ITEMS];
} sweep_costs_t;

void sweep_costs(const sim_result_t *res, sweep_costs_t *c);

/* Pareto filter over n points, both coordinates minimized: keep[i] = 1 when
 * no other point is at most as large in both and smaller in one.  Equal
 * points all stay.  O(n log n); returns -1 on out of memory. */
int sweep_pareto(const double *x, const double *y, size_t n, int *keep);

/* FNV-1a 64 of len bytes as 16 hex digits. */
void sweep_hash_bytes(const void *p, size_t len, char out[17]);

#endif

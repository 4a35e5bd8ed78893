/* run.h - the one simulation entry point: a machine (hw_cfg_t, every block
 * of models/block.h) and a workload in, one result out.  Every command that
 * simulates a machine (run, sweep, area, bench) calls sim_run(),
 * so two commands given the same machine and workload agree to the cycle,
 * the um^2 and the pJ.
 *
 * Workloads:
 *  - a layer list (sim/io/workload.h): each layer runs on the machine's
 *    matrix unit that takes it (hw_block_for_op: the LUT unit for low-bit
 *    weights when the machine has one, else the array), one layer after the
 *    other.  On a machine of several NPU cores each layer is split over the
 *    cores (its columns N, or its rows M when it has more rows than
 *    columns); each core's slice runs on its own array and scratchpads with
 *    its share of the DRAM channel (bytes_per_cycle / slices: a
 *    first-come-first-served channel under equal demand), and the layer
 *    takes as long as its slowest slice.  A layer runs on as many cores as
 *    make it fastest (a memory-bound layer may be faster on fewer: each
 *    slice re-reads the operand that is not split), so more cores are never
 *    slower.  With one core this is exactly the single-array simulation.
 *  - an LLM (mapper/model.h + mapper_run_t): prefill and every decode step
 *    on the NPU (sim/run/npu.h), with PIM when the machine has it and the
 *    mode asks for it.
 *
 * Costs: area is what the machine has (hw_blocks_area: every present block,
 * per-core blocks times the cores), energy what the run used (each op's
 * events priced by the block that ran it), and time is at the machine's
 * clock, npu.freq_mhz. */
#ifndef CODESIM_RUN_H
#define CODESIM_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../mapper/model.h"
#include "../../mapper/ops.h"
#include "../../models/block.h"
#include "../../models/engine.h"
#include "../../models/power.h"
#include "../../models/tech.h"
#include "../io/workload.h"
#include "npu.h"

typedef enum { SIM_LAYERS = 0, SIM_MODEL = 1 } sim_kind_t;

typedef struct {
    sim_kind_t kind;
    const workload_t *layers;      /* SIM_LAYERS */
    const mapper_model_t *model;   /* SIM_MODEL, with run */
    mapper_run_t run;              /* wbits 0: the model's native width */
    engine_path_t path;            /* SIM_LAYERS: fast or cycle */
    const char *mode;              /* SIM_MODEL: auto (NULL), npu, pim-blocked, neupims */
    FILE *timeline;                /* SIM_MODEL: Chrome trace of prefill + decode steps */
} sim_workload_t;

#define SIM_MAX_NOTES 8

typedef struct {
    sim_kind_t kind;
    engine_path_t path;
    npu_mode_t mode;               /* SIM_MODEL */
    mapper_run_t run;              /* SIM_MODEL, wbits resolved */
    /* SIM_LAYERS: one entry per layer, in workload order. */
    layer_result_t *layers;
    size_t nlayers;
    layer_stats_t total;           /* sums; utilization cycle-weighted */
    /* SIM_MODEL */
    npu_result_t npu;
    /* Both kinds. */
    uint64_t cycles;               /* the whole run, at clock_mhz */
    uint64_t macs;
    uint64_t pes;                  /* MAC units: rows x cols x cores */
    double clock_mhz;              /* npu.freq_mhz */
    power_breakdown_t area;        /* um^2, every block the machine has */
    power_breakdown_t energy;      /* pJ, what the run used */
    power_metrics_t metrics;
    double wall_seconds;           /* host time of the simulation */
    /* Things the machine has that this workload does not use, and other
     * remarks the commands print on stderr. */
    char notes[SIM_MAX_NOTES][200];
    size_t nnotes;
} sim_result_t;

/* Runs wl on hw, priced on tech.  -1 with err "[FILE:LINE: ]what: reason"
 * (for a layer: "LINE: layer NAME: [lut.]reason"; the caller prefixes the
 * workload's file name). */
int sim_run(const hw_cfg_t *hw, const tech_t *tech, const sim_workload_t *wl, sim_result_t *res,
            char *err, size_t errlen);
void sim_result_free(sim_result_t *res);

/* The NPU mode of an LLM run on hw: mode NULL or "auto" picks npu without
 * PIM; with PIM, neupims when each of its two sub-batches still fills the
 * array's rows (batch >= 2 x rows), else pim-blocked.  -1 with err
 * "mode: reason" for an unknown mode or a PIM mode on a machine without. */
int sim_mode(const hw_cfg_t *hw, const char *mode, uint64_t batch, npu_mode_t *out, char *err,
             size_t errlen);

/* One step of an LLM run alone (npu_step), on the machine and in the mode
 * sim_run would use for the same run (mode_s as sim_mode's, chosen by
 * run->batch): its cycles at npu.freq_mhz.  The serving simulator's
 * iteration cost (sim/run/serve.h). */
int sim_model_step(const hw_cfg_t *hw, const mapper_model_t *model, const mapper_run_t *run,
                   const char *mode_s, uint32_t step, uint64_t *cycles, char *err,
                   size_t errlen);

/* The machine's area alone (hw_blocks_area) with the derived figures of a
 * run of no events. */
int sim_area(const hw_cfg_t *hw, const tech_t *tech, power_breakdown_t *area, char *err,
             size_t errlen);

#endif

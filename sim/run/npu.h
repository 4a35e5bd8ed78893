/* npu.h - end-to-end LLM inference on a multi-core NPU, with or without PIM.
 *
 * The machine: `cores` NPU cores, each with the configured systolic array
 * (hw.array, hw.sram) as its matrix unit and a vector unit (models/vector.h);
 * all cores share one DRAM channel of hw.dma.bytes_per_cycle through their
 * DMA engines.  With PIM, the DRAM's banks also compute GEMVs
 * (models/pim_gemv.h).
 *
 * Lowering (one decoder block's op list from the mapper, instantiated once
 * per layer, per step):
 *  - GEMM/GEMV on the systolic array: the mapper's tiling gives the tiles and
 *    their DRAM traffic; tiles are spread evenly over the cores; each core
 *    runs its share as `chunks` pairs of (DMA load on the shared DRAM channel,
 *    compute on its matrix unit).  A load may start once the compute two
 *    chunks earlier on that core has finished (double buffering), so loads
 *    overlap compute and prefetch the next op's tiles.  Compute cycles are the
 *    array's closed-form cycles of the tiles (models/systolic.c); memory time
 *    is the DRAM channel's, shared by all cores.  Loads carry all of the
 *    tiling's DRAM bytes, reads and write-backs alike.
 *  - GEMM/GEMV the mapper placed on the LUT tensor core (1..4-bit weights,
 *    with a lut: section) run on the same matrix units, each core's slice as
 *    one LUT GEMM: the LUT's compute cycles and lut_run DRAM bytes
 *    (mapper_cost_lut), chunked by the slice's tiles of N.
 *  - Vector ops (norms, softmax, RoPE, activations, residual adds) run on
 *    the cores' vector units, rows split over the cores, on chip.
 *  - Decode attention (qk, sv) with PIM runs as one PIM GEMV kernel per op
 *    (pim_gemv_time), converted from DRAM clock cycles to NPU cycles.
 *  - Every op waits for the previous op of its sequence (data dependency).
 *
 * Modes:
 *  NPU_ONLY         attention GEMVs on the systolic arrays, KV cache over DMA.
 *  NPU_PIM_BLOCKED  attention on PIM; the PIM kernel holds the DRAM channel,
 *                   so DMA waits while PIM computes (one row buffer).
 *  NPU_PIM_NEUPIMS  dual row buffers: PIM runs beside DMA; the batch is split
 *                   into two sub-batches whose op sequences interleave, so
 *                   one sub-batch's attention on PIM overlaps the other's
 *                   GEMMs on the NPU (NeuPIMs' sub-batch interleaving).
 *  NPU_GPU          no NPU: every op is one kernel on the machine's gpu:
 *                   section (models/gpu.h), one after the other.
 *  NPU_PIMGPT       PIM-GPT (Wu, Wang, Lu, arXiv 2310.09385): every GEMM and
 *                   GEMV, weights and attention, prefill and decode, is a PIM
 *                   kernel (pim_gemv_time, the matrix split by rows over
 *                   channels, then over the banks of each channel, all banks
 *                   in lockstep); the NPU is the small controller ASIC: its
 *                   cores' vector units run every other op (norms, softmax,
 *                   GELU, residual adds) at npu.freq_mhz and the arrays stay
 *                   idle.  Weights never cross the bus; only the input
 *                   vectors (PIM_WR_GB) and results (PIM_RD_RES) do, inside
 *                   the PIM kernel's time.  Not modelled: writing the new K/V
 *                   rows into the banks, the ASIC's instruction issue.
 * Prefill runs on the NPU in every NPU mode.
 *
 * Per-unit time: a PIM kernel's time is booked on `pim` in every mode; in
 * pim-blocked the kernel also holds the DRAM channel (DMA waits), but that
 * time is not counted as DMA busy time on `dram`.
 *
 * Tensor parallelism (a link: section with devices = N > 1, models/link.h): the run is one
 * of N identical devices, each with 1/N of the heads, FFN width and
 * vocabulary (the weights split per device); after o_proj and the FFN's
 * down projection (fc2 or down) an all-reduce of the op's output runs on the
 * `link` unit (op "allreduce") and the next op waits for it.  Counts (MACs,
 * DRAM bytes, events, energy) are one device's; times and tokens/s are the
 * group's.  N = 1 is exactly the single-device simulation.
 */
#ifndef CODESIM_NPU_H
#define CODESIM_NPU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../mapper/model.h"
#include "../../mapper/ops.h"
#include "../../models/pim_gemv.h"
#include "../../models/npu.h"
#include "../../models/power.h"
#include "../io/config.h"

typedef enum {
    NPU_ONLY = 0, NPU_PIM_BLOCKED = 1, NPU_PIM_NEUPIMS = 2, NPU_GPU = 3, NPU_PIMGPT = 4
} npu_mode_t;

const char *npu_mode_name(npu_mode_t m);
/* The tensor-parallel group's size: link.devices with a link: section, else 1. */
uint32_t npu_devices(const hw_cfg_t *hw);
int npu_mode_parse(const char *s, npu_mode_t *m);

typedef struct {
    char name[32];
    uint64_t busy;           /* cycles, all steps */
    double utilization;      /* busy / total cycles */
} npu_unit_stat_t;

typedef struct {
    char name[16];           /* mapper op name */
    mapper_phase_t phase;
    mapper_unit_t unit;      /* where it ran */
    uint64_t cycles;         /* unit-busy cycles of its commands, all layers and steps */
    uint64_t macs;
} npu_op_stat_t;

typedef struct {
    uint64_t prefill_cycles;   /* prefill, to the first token */
    uint64_t decode_cycles;    /* all decode steps */
    uint64_t decode_steps;
    uint64_t timeline_decode_steps; /* decode steps written to the timeline file, if any */
    uint64_t total_cycles;
    double ttft_s, tpot_s, tokens_per_s;
    uint64_t macs;             /* multiply-accumulates executed */
    uint64_t mapper_flops;     /* the mapper's FLOPs of its GEMM/GEMV ops (with bias adds) */
    uint64_t dram_bytes;       /* moved by the NPU's DMA */
    double dram_gbps;          /* dram_bytes over the run's time */
    uint64_t commands;
    uint64_t link_bytes;       /* all-reduced by one device (tensor parallelism) */
    /* Mixture-of-Experts (0 for a dense model): parameters in the checkpoint
     * and used per token; routed experts run (each one expert of one layer)
     * in the prefill and per decode step on average, of expert_slots =
     * MoE layers x experts.  Only these experts' weights are streamed. */
    uint64_t params_total, params_active;
    uint64_t experts_prefill, expert_slots;
    double experts_per_decode_step;
    /* What energy needs (models/power.h, power_npu_energy): array MACs and
     * the array's buffer accesses from systolic_count of every tile shape
     * tiled_compute costs, LUT MACs and lut_count of each LUT run (each core
     * slice's column blocks), vector element-passes, DMA bytes (=
     * dram_bytes) and the PIM kernels' stats, all layers and steps. */
    power_npu_events_t events;
    npu_unit_stat_t *units;
    size_t nunits;
    npu_op_stat_t *ops;
    size_t nops;
} npu_result_t;

typedef struct {
    const hw_cfg_t *hw;
    npu_cfg_t npu;
    npu_mode_t mode;
    const pim_gemv_cfg_t *pim;  /* required for pim-blocked and neupims */
} npu_hw_t;

/* Decode steps drawn on a timeline after the prefill (the file grows with
 * every step; 16 show the steady state). */
#define NPU_TIMELINE_DECODE_STEPS 16

/* Simulates prefill and every decode step of run r of model m.  With
 * timeline non-NULL, writes the prefill and the first decode steps (up to
 * NPU_TIMELINE_DECODE_STEPS; res->timeline_decode_steps says how many) as
 * Chrome trace-event JSON.  -1 with err on bad input or an op that does not fit. */
int npu_run(const npu_hw_t *hw, const mapper_model_t *m, const mapper_run_t *r,
            npu_result_t *res, FILE *timeline, char *err, size_t errlen);
void npu_result_free(npu_result_t *res);

/* The cycles of one step of run r alone (0 = the prefill, s = decode step
 * s), simulated exactly as npu_run simulates it: npu_run's prefill_cycles
 * for step 0, its step s's share of decode_cycles otherwise.  For serving
 * (sim/run/serve.h), which costs iterations one shape at a time. */
int npu_step(const npu_hw_t *hw, const mapper_model_t *m, const mapper_run_t *r, uint32_t step,
             uint64_t *cycles, char *err, size_t errlen);

#endif

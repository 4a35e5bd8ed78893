/* run.c - the one simulation entry point (run.h). */
#include "run.h"

#include "../../models/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note(sim_result_t *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(sim_result_t *res, const char *fmt, ...)
{
    if (res->nnotes >= SIM_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->notes[res->nnotes++], sizeof res->notes[0], fmt, ap);
    va_end(ap);
}

int sim_mode(const hw_cfg_t *hw, const char *mode_s, uint64_t batch, npu_mode_t *out, char *err,
             size_t errlen)
{
    /* Below batch 2 x rows, NeuPIMs' sub-batches would half-fill the array
     * (or the rows of the tensor engine that runs the GEMMs in its place):
     * splitting the batch doubles the GEMM passes and re-reads every weight,
     * so pim-blocked is faster. */
    uint64_t rows = hw->array.rows;
    for (int k = 0; k < TE_KINDS; k++)
        if (hw->has_te[k])
            rows = hw->te[k].rows;
    npu_mode_t mode = !hw->has_pim               ? (hw->has_gpu ? NPU_GPU : NPU_ONLY)
                      : batch >= 2ull * rows    ? NPU_PIM_NEUPIMS
                                                 : NPU_PIM_BLOCKED;
    if (mode_s && strcmp(mode_s, "auto") != 0 && npu_mode_parse(mode_s, &mode) != 0) {
        snprintf(err, errlen,
                 "mode: '%.40s' is not auto, npu, pim-blocked, neupims, gpu or pimgpt", mode_s);
        return -1;
    }
    if ((mode == NPU_PIM_BLOCKED || mode == NPU_PIM_NEUPIMS || mode == NPU_PIMGPT) &&
        !hw->has_pim) {
        snprintf(err, errlen, "mode: %s needs a pim: section", npu_mode_name(mode));
        return -1;
    }
    if (mode == NPU_GPU && !hw->has_gpu) {
        snprintf(err, errlen, "mode: gpu needs a gpu: section (configs/a100.yaml)");
        return -1;
    }
    *out = mode;
    return 0;
}

int sim_area(const hw_cfg_t *hw, const tech_t *tech, power_breakdown_t *area, char *err,
             size_t errlen)
{
    power_init(area);
    return hw_blocks_area(tech, hw, area, err, errlen);
}

/* ---- layer workloads ---------------------------------------------------- */

/* The bound of every stored count: SQLite integers are signed 64-bit. */
#define DB_MAX "2^63 - 1, the largest count the results database stores (signed 64 bits)"

/* Sums s into t; cycles as the caller decides.  Returns 0, or -1 with
 * "what: ... exceed 2^63 - 1 ..." in err when a sum would wrap or pass DB_MAX. */
static int add_counts(layer_stats_t *t, const layer_stats_t *s, const char *what, char *err,
                      size_t errlen)
{
    const int over = util_acc_u64(&t->macs, s->macs) | util_acc_u64(&t->folds, s->folds) |
                     util_acc_u64(&t->steps, s->steps) |
                     util_acc_u64(&t->ifmap_reads, s->ifmap_reads) |
                     util_acc_u64(&t->ifmap_writes, s->ifmap_writes) |
                     util_acc_u64(&t->filter_reads, s->filter_reads) |
                     util_acc_u64(&t->filter_writes, s->filter_writes) |
                     util_acc_u64(&t->ofmap_reads, s->ofmap_reads) |
                     util_acc_u64(&t->ofmap_writes, s->ofmap_writes) |
                     util_acc_u64(&t->dram_read_bytes, s->dram_read_bytes) |
                     util_acc_u64(&t->dram_write_bytes, s->dram_write_bytes) |
                     util_acc_u64(&t->dram_ifmap_bytes, s->dram_ifmap_bytes) |
                     util_acc_u64(&t->dram_filter_bytes, s->dram_filter_bytes);
    /* t only grows, so this bounds every count summed into it as well */
    const uint64_t most = (uint64_t)INT64_MAX;
    if (over || t->macs > most || t->folds > most || t->steps > most || t->ifmap_reads > most ||
        t->ifmap_writes > most || t->filter_reads > most || t->filter_writes > most ||
        t->ofmap_reads > most || t->ofmap_writes > most || t->dram_read_bytes > most ||
        t->dram_write_bytes > most || t->dram_ifmap_bytes > most || t->dram_filter_bytes > most) {
        snprintf(err, errlen, "%s: the summed MACs, accesses or DRAM bytes exceed " DB_MAX, what);
        return -1;
    }
    return 0;
}

/* Every count of a run is stored as SQLite's signed 64-bit integer: refuse,
 * before simulating anything, a layer whose MACs (M*N*K), or the layers'
 * MACs summed up to it, exceed 2^63 - 1.  (The units' own checks allow up to
 * 2^64 - 1; cycles are kept below 2^62 by the models.) */
static int check_macs(const workload_t *w, char *err, size_t errlen)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < w->count; i++) {
        const layer_t *l = &w->layers[i];
        uint64_t mn, mnk;
        if (util_mul_u64(l->m, l->n, &mn) || util_mul_u64(mn, l->k, &mnk) ||
            mnk > (uint64_t)INT64_MAX) {
            snprintf(err, errlen, "%u: layer %s: M*N*K: %" PRIu64 " x %" PRIu64 " x %" PRIu64
                     " = %.4g MACs exceeds " DB_MAX, l->line, l->name, l->m, l->n, l->k,
                     (double)l->m * (double)l->n * (double)l->k);
            return -1;
        }
        if (util_acc_u64(&sum, mnk) || sum > (uint64_t)INT64_MAX) {
            snprintf(err, errlen, "%u: layer %s: MACs: the layers' MACs summed up to this one "
                     "exceed " DB_MAX, l->line, l->name);
            return -1;
        }
    }
    return 0;
}

/* One layer cut into `parts` slices on as many cores, sharing the DRAM
 * channel (run.h): slice c gets dim/parts columns (or rows) and
 * bytes_per_cycle/parts bytes per cycle, the first dim%parts slices one more
 * column and the first bpc%parts one more byte, so the largest slices get
 * the most bandwidth (dram.timing: controller: channels/parts channels of
 * the device each, its controller's queues and banks with them).  energy
 * may be NULL (no pricing). */
static int run_slices(const hw_cfg_t *hw, const tech_t *t, const hw_op_t *op, engine_path_t path,
                      const hw_block_t *unit, uint64_t parts, int along_n, layer_stats_t *st,
                      power_breakdown_t *energy, char *err, size_t errlen)
{
    const uint32_t cores = hw->npu.cores ? hw->npu.cores : 1;
    const uint64_t dim = along_n ? op->n : op->m;
    const uint32_t bpc = hw->dma.bytes_per_cycle;
    memset(st, 0, sizeof *st);
    double busy = 0;
    int times = 1, stimes = 1;
    uint64_t first[3], last[3] = {0, 0, 0}, sfirst[3], slast[3] = {0, 0, 0};
    for (int op = 0; op < 3; op++)
        first[op] = sfirst[op] = LAYER_NO_CYCLE;
    for (uint64_t c = 0; c < parts; c++) {
        hw_cfg_t slice_hw = *hw;
        slice_hw.text = NULL;
        /* (the LUT unit's run takes its channel from slice_hw.dma too) */
        slice_hw.dma.bytes_per_cycle = (uint32_t)(bpc / parts + (c < bpc % parts ? 1 : 0));
        /* dram.timing: controller: each slice has its own channels/parts
         * channels (run_layer picks parts that divide them) */
        if (hw->dma.timing == DMA_CONTROLLER)
            slice_hw.dram.dev.channels = (uint32_t)(hw->dram.dev.channels / parts);
        hw_op_t part = *op;
        const uint64_t size = dim / parts + (c < dim % parts ? 1 : 0);
        if (along_n)
            part.n = size;
        else
            part.m = size;
        layer_stats_t s;
        if (unit->run(&slice_hw, &part, path, &s, energy, t, err, errlen) != 0)
            return -1;
        if (add_counts(st, &s, "slices", err, errlen) != 0)
            return -1;
        busy += s.utilization * (double)s.total_cycles;
        /* the slices start together at cycle 0: the layer's operand spans
         * run from the earliest slice's first byte to the latest's last */
        times &= s.dram_times;
        stimes &= s.sram_times;
        for (int op = 0; op < 3; op++) {
            first[op] = util_min_u64(first[op], s.dram_first[op]);
            last[op] = util_max_u64(last[op], s.dram_last[op]);
            sfirst[op] = util_min_u64(sfirst[op], s.sram_first[op]);
            slast[op] = util_max_u64(slast[op], s.sram_last[op]);
        }
        if (s.total_cycles > st->total_cycles) {
            st->total_cycles = s.total_cycles;
            st->compute_cycles = s.compute_cycles;
        }
    }
    st->stall_cycles = st->total_cycles - st->compute_cycles;
    st->utilization = st->total_cycles ? busy / ((double)cores * (double)st->total_cycles) : 0;
    st->dram_times = times;
    st->sram_times = stimes;
    for (int op = 0; op < 3; op++) {
        st->dram_first[op] = times ? first[op] : 0;
        st->dram_last[op] = times ? last[op] : 0;
        st->sram_first[op] = stimes ? sfirst[op] : 0;
        st->sram_last[op] = stimes ? slast[op] : 0;
    }
    return 0;
}

/* One layer on the machine.  On several cores it runs on as many of them
 * as make it fastest: each slice reads all of the operand that is not split,
 * over a narrower share of the channel, so a memory-bound layer can be
 * faster on fewer cores.  The count is chosen on the fast path (both paths
 * give the same numbers), from 1 to min(cores, the split dimension,
 * bytes_per_cycle); ties go to fewer cores.  With one core this is the
 * single-array simulation. */
static int run_layer(const hw_cfg_t *hw, const tech_t *t, const hw_op_t *op, engine_path_t path,
                     const hw_block_t *unit, layer_stats_t *st, power_breakdown_t *energy,
                     char *err, size_t errlen)
{
    const uint32_t cores = hw->npu.cores ? hw->npu.cores : 1;
    if (cores == 1)
        return unit->run(hw, op, path, st, energy, t, err, errlen);
    const int ctrl = hw->dma.timing == DMA_CONTROLLER;
    /* Split the output columns, or the rows when there are more of them (a
     * convolution read as its unique ifmap: the columns, so that each slice
     * keeps the whole image). */
    const int along_n = op->n >= op->m || (op->conv && hw->conv_unique);
    const uint64_t dim = along_n ? op->n : op->m;
    uint64_t most = cores;
    if (most > dim)
        most = dim;
    if (!ctrl && most > hw->dma.bytes_per_cycle)
        most = hw->dma.bytes_per_cycle; /* every slice needs a byte per cycle */
    if (ctrl && most > hw->dram.dev.channels)
        most = hw->dram.dev.channels;   /* every slice needs a channel */
    uint64_t best = 1, best_cycles = UINT64_MAX;
    for (uint64_t parts = 1; parts <= most; parts++) {
        if (ctrl && hw->dram.dev.channels % parts != 0)
            continue; /* channels are a power of two: so are the parts */
        layer_stats_t s;
        if (run_slices(hw, t, op, ENGINE_FAST, unit, parts, along_n, &s, NULL, err, errlen) != 0)
            return -1;
        if (s.total_cycles < best_cycles) {
            best_cycles = s.total_cycles;
            best = parts;
        }
    }
    return run_slices(hw, t, op, path, unit, best, along_n, st, energy, err, errlen);
}

static int run_layers(const hw_cfg_t *hw, const tech_t *t, const sim_workload_t *wl,
                      sim_result_t *res, char *err, size_t errlen)
{
    const workload_t *w = wl->layers;
    if (check_macs(w, err, errlen) != 0)
        return -1;
    res->layers = calloc(w->count ? w->count : 1, sizeof *res->layers);
    if (!res->layers) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    res->nlayers = w->count;
    int lowbit = 0, on_lut = 0;
    double busy = 0;
    for (size_t i = 0; i < w->count; i++) {
        const layer_t *l = &w->layers[i];
        const engine_conv_t cv = {l->shape.ifmap_h, l->shape.ifmap_w, l->shape.filt_h,
                                  l->shape.filt_w,  l->shape.channels, l->shape.stride};
        const hw_op_t op = {l->m, l->n, l->k, l->w_bits, l->wq, l->conv ? &cv : NULL};
        const hw_block_t *unit = hw_block_for_op(hw, &op);
        layer_result_t *r = &res->layers[i];
        snprintf(r->name, sizeof r->name, "%s", l->name);
        r->m = l->m;
        r->n = l->n;
        r->k = l->k;
        r->dataflow = hw->array.dataflow;
        r->unit = strcmp(unit->section, "array") == 0 ? "systolic" : unit->section;
        lowbit |= l->w_bits != 0;
        on_lut |= strcmp(unit->section, "lut") == 0;
        char why[400];
        if (run_layer(hw, t, &op, wl->path, unit, &r->stats, &res->energy, why, sizeof why)) {
            snprintf(err, errlen, "%u: layer %s: %s%s", l->line, l->name,
                     strcmp(r->unit, "systolic") ? r->unit : "",
                     strcmp(r->unit, "systolic") ? "." : "");
            const size_t n = strlen(err);
            snprintf(err + n, errlen > n ? errlen - n : 0, "%s", why);
            return -1;
        }
        const layer_stats_t *s = &r->stats;
        busy += s->utilization * (double)s->total_cycles;
        if ((util_acc_u64(&res->total.total_cycles, s->total_cycles) |
             util_acc_u64(&res->total.compute_cycles, s->compute_cycles) |
             util_acc_u64(&res->total.stall_cycles, s->stall_cycles)) != 0 ||
            res->total.total_cycles > (uint64_t)INT64_MAX) {
            snprintf(err, errlen, "%u: layer %s: total cycles: the sum over the layers so far "
                     "exceeds " DB_MAX, l->line, l->name);
            return -1;
        }
        char what[96];
        snprintf(what, sizeof what, "%u: layer %s: totals", l->line, l->name);
        if (add_counts(&res->total, s, what, err, errlen) != 0)
            return -1;
    }
    res->total.utilization =
        res->total.total_cycles ? busy / (double)res->total.total_cycles : 0;
    res->cycles = res->total.total_cycles;
    res->macs = res->total.macs;
    if (hw->has_pim)
        note(res, "pim: the PIM units take no part in a layer workload (their area is counted)");
    if (hw->has_link && hw->link.devices > 1)
        note(res, "link: a layer workload runs on one device (tensor parallelism is for --model)");
    if (hw->has_gpu)
        note(res, "gpu: a layer workload runs on the NPU (the gpu: section is for --model "
                  "--mode gpu)");
    if (hw->has_lut && !on_lut)
        note(res, "lut: no layer has low-bit weights (a w_bits column); the LUT unit stays idle "
                  "(its area is counted)");
    if (lowbit && !hw->has_lut)
        note(res, "layers with a w_bits run on the array as dequantize-then-MAC (the machine has "
                  "no LUT unit)");
    return 0;
}

/* ---- LLM workloads ------------------------------------------------------ */

static int run_model(const hw_cfg_t *hw, const tech_t *t, const sim_workload_t *wl,
                     sim_result_t *res, char *err, size_t errlen)
{
    res->run = wl->run;
    if (!res->run.wbits)
        res->run.wbits = wl->model->native_wbits;
    if (sim_mode(hw, wl->mode, res->run.batch, &res->mode, err, errlen) != 0)
        return -1;
    pim_gemv_cfg_t pim;
    power_npu_pim_cfg(hw, res->mode == NPU_PIM_NEUPIMS ? PIM_DUAL : PIM_BLOCKED, &pim);
    const npu_hw_t nh = {hw, hw->npu, res->mode, hw->has_pim ? &pim : NULL};
    if (npu_run(&nh, wl->model, &res->run, &res->npu, wl->timeline, err, errlen) != 0)
        return -1;
    if (power_npu_energy(t, hw, &res->npu.events, &res->energy, err, errlen) != 0)
        return -1;
    res->cycles = res->npu.total_cycles;
    res->macs = res->npu.macs;
    if (res->mode == NPU_GPU) {
        /* The gpu: section has no area or energy model; the NPU blocks'
         * would describe a machine that did not run. */
        power_init(&res->area);
        power_init(&res->energy);
        note(res, "gpu: a roofline of the gpu: section (models/gpu.h): time only, no energy "
                  "or area");
    }
    if (hw->has_pim && (res->mode == NPU_ONLY || res->mode == NPU_GPU))
        note(res, "pim: mode %s leaves the PIM units idle (their area is counted)",
             npu_mode_name(res->mode));
    if (hw->has_lut && res->npu.events.lut_runs == 0)
        note(res, "lut: no op has 1-4 bit weights at W%u; the LUT unit stays idle (its area is "
                  "counted)", res->run.wbits);
    /* The mapper uses the last present engine (mapper/tiling.c). */
    int used = -1;
    for (int k = 0; k < TE_KINDS; k++)
        if (hw->has_te[k])
            used = k;
    for (int k = 0; k < used; k++)
        if (hw->has_te[k])
            note(res, "%s: an LLM run maps its GEMMs onto the %s; this engine stays idle (its "
                      "area is counted)", te_kind_name((te_kind_t)k), te_kind_name((te_kind_t)used));
    if (used >= 0 && res->npu.events.te_tiles == 0)
        note(res, "%s: no GEMM of this run went to the engine (mode %s, or widths beyond its "
                  "in_bits/w_bits); it stays idle (its area is counted)",
             te_kind_name((te_kind_t)used), npu_mode_name(res->mode));
    return 0;
}

int sim_model_step(const hw_cfg_t *hw, const mapper_model_t *model, const mapper_run_t *run,
                   const char *mode_s, uint32_t step, uint64_t *cycles, char *err, size_t errlen)
{
    mapper_run_t r = *run;
    if (!r.wbits)
        r.wbits = model->native_wbits;
    npu_mode_t mode;
    if (sim_mode(hw, mode_s, r.batch, &mode, err, errlen) != 0)
        return -1;
    pim_gemv_cfg_t pim;
    power_npu_pim_cfg(hw, mode == NPU_PIM_NEUPIMS ? PIM_DUAL : PIM_BLOCKED, &pim);
    const npu_hw_t nh = {hw, hw->npu, mode, hw->has_pim ? &pim : NULL};
    return npu_step(&nh, model, &r, step, cycles, err, errlen);
}

/* Notes on what the hardware file set that no workload of this kind uses. */
static void machine_notes(const hw_cfg_t *hw, int wl_layers, sim_result_t *res)
{
    const hw_block_t *dram = hw_block_find("dram");
    if (wl_layers && hw->dma.timing == DMA_CONTROLLER && hw->npu.cores > 1)
        note(res, "dram.timing: controller: a layer on P cores gives each core %u/P of the "
                  "channels (P a power of two)", hw->dram.dev.channels);
    if (wl_layers && hw->dma.timing == DMA_CONTROLLER) {
        const dram_cfg_t *d = &hw->dram.dev;
        note(res, "dram.timing: controller: the array's DMA transfers are timed on the %s "
                  "controller (%u units, %.1f GB/s peak, tCK %u ps) at the NPU's %u MHz",
             d->preset[0] ? d->preset : "custom", dram_units(d),
             dram_peak_bytes_per_s(d) / 1e9, d->tck_ps, hw->npu.freq_mhz);
    }
    if (numfmt_is_float(&hw->array.in_fmt)) {
        const uint32_t pb = numfmt_product_bits(&hw->array.in_fmt, &hw->array.w_fmt);
        if (pb > hw->array.acc_bits)
            note(res, "array: one minifloat product spans up to %u bits; acc_bits %u keeps sums "
                      "modulo 2^%u (as the RTL does), so large values wrap", pb,
                 hw->array.acc_bits, hw->array.acc_bits);
    }
    int te = 0;
    for (int k = 0; k < TE_KINDS; k++) {
        te |= hw->has_te[k];
        const te_cfg_t *c = &hw->te[k];
        if (hw->has_te[k] && numfmt_is_float(&c->in_fmt) &&
            numfmt_product_bits(&c->in_fmt, &c->w_fmt) > c->acc_bits)
            note(res, "%s: one minifloat product spans up to %u bits; acc_bits %u keeps sums "
                      "modulo 2^%u (as the RTL does), so large values wrap",
                 te_kind_name((te_kind_t)k), numfmt_product_bits(&c->in_fmt, &c->w_fmt),
                 c->acc_bits, c->acc_bits);
    }
    if (wl_layers && hw->conv_unique && te)
        note(res, "array.conv_reads: unique applies to the array; a tensor engine reads a conv "
                  "layer's im2col matrix");
    if (wl_layers && hw->dma.timing == DMA_CONTROLLER && te)
        note(res, "dram.timing: controller times the array's layers; a tensor engine keeps the "
                  "fixed-rate channel (dram.bytes_per_cycle)");
    if (wl_layers && hw->dma.timing == DMA_CONTROLLER && hw->has_lut)
        note(res, "dram.timing: controller times the array's layers; the LUT unit keeps the "
                  "fixed-rate channel (dram.bytes_per_cycle)");
    if (!wl_layers && hw->dma.timing == DMA_CONTROLLER)
        note(res, "dram.timing: controller times layer workloads; an LLM run keeps the "
                  "fixed-rate channel (dram.bytes_per_cycle)");
    if (dram && (hw->block_keys >> (dram - hw_blocks) & 1) && !hw->has_pim &&
        !(wl_layers && hw->dma.timing == DMA_CONTROLLER))
        note(res, "dram: the device and controller keys (preset, timings, mapping...) time PIM "
                  "and codesim dram; this machine has no PIM, so the run uses "
                  "dram.bytes_per_cycle only (dram.timing: controller times a layer workload "
                  "on them)");
    for (size_t i = 0; i < hw_nblocks; i++) {
        const hw_block_t *b = &hw_blocks[i];
        if ((hw->sections >> i & 1) && !hw_block_present(b, hw))
            note(res, "%s: the section says enabled: false; the machine has no such block and "
                      "its other keys are not used", b->section);
    }
    if (hw->ignored[0])
        note(res, "SCALE-Sim keys accepted but not modelled: %s", hw->ignored);
}

/* Every term of a breakdown and its total is a finite number: a NaN or an
 * infinity would print as "inf"/"-nan" and drop out of --json (jansson
 * refuses them), so it is an error naming the term.  The technology table's
 * range (sim/cost/tech_file.c) keeps this from happening; this is the
 * check that it did. */
static int check_finite(const power_breakdown_t *b, const char *what, const char *unit,
                        const tech_t *t, char *err, size_t errlen)
{
    for (size_t i = 0; i <= b->n; i++) {
        const double v = i < b->n ? b->item[i].value : b->total;
        if (!isfinite(v)) {
            snprintf(err, errlen, "%s: %s: %g %s is not a finite number (technology table %s)",
                     what, i < b->n ? b->item[i].name : "total", v, unit, t->node);
            return -1;
        }
    }
    return 0;
}

int sim_run(const hw_cfg_t *hw, const tech_t *tech, const sim_workload_t *wl, sim_result_t *res,
            char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->kind = wl->kind;
    res->path = wl->path;
    res->clock_mhz = hw->npu.freq_mhz;
    power_init(&res->energy);
    if (sim_area(hw, tech, &res->area, err, errlen) != 0)
        return -1;
    const double t0 = util_now_s();
    int rc;
    if (wl->kind == SIM_LAYERS) {
        if (!wl->layers) {
            snprintf(err, errlen, "workload: no layers given");
            return -1;
        }
        rc = run_layers(hw, tech, wl, res, err, errlen);
    } else {
        if (!wl->model) {
            snprintf(err, errlen, "workload: no model given");
            return -1;
        }
        if (wl->path == ENGINE_CYCLE) {
            snprintf(err, errlen, "path: an LLM runs on the NPU's event schedule; --path cycle "
                                  "is for layer workloads");
            return -1;
        }
        rc = run_model(hw, tech, wl, res, err, errlen);
    }
    res->wall_seconds = util_now_s() - t0;
    if (rc != 0)
        return -1;
    machine_notes(hw, wl->kind == SIM_LAYERS, res);
    /* Peak: the array's PEs, or the MACs per cycle of the engine that runs
     * the full-width GEMMs in its place (the last present kind). */
    uint64_t per_core = (uint64_t)hw->array.rows * hw->array.cols;
    for (int k = 0; k < TE_KINDS; k++)
        if (hw->has_te[k])
            per_core = (uint64_t)hw->te[k].rows * hw->te[k].cols * hw->te[k].depth;
    res->pes = per_core * (hw->npu.cores ? hw->npu.cores : 1);
    tech_t at = *tech;
    at.clock_mhz = res->clock_mhz; /* the machine's clock, not the table's */
    power_metrics(&at, res->macs, res->cycles, res->pes, res->energy.total, res->area.total,
                  &res->metrics);
    if (check_finite(&res->energy, "energy", "pJ", tech, err, errlen) != 0 ||
        check_finite(&res->area, "area", "um^2", tech, err, errlen) != 0)
        return -1;
    return 0;
}

void sim_result_free(sim_result_t *res)
{
    if (!res)
        return;
    free(res->layers);
    res->layers = NULL;
    npu_result_free(&res->npu);
}

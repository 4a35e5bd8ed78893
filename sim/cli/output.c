/* output.c - a simulation result as a table, JSON, CSV and database rows
 * (output.h). */
#include "cli.h"
#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../io/config.h"
#include "../io/escape.h"
#include "../io/outfile.h"
#include "../run/acct.h"

/* ---- terminal ---------------------------------------------------------- */

static void print_row(FILE *f, const char *name, const char *unit, uint64_t m, uint64_t n, uint64_t k,
                      const layer_stats_t *s)
{
    char nb[256], ub[64];
    fprintf(f, "%-18s %-8s %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10" PRIu64
           " %6.1f %14" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
           esc_text(nb, sizeof nb, name), esc_text(ub, sizeof ub, unit), m, n, k, s->total_cycles, s->compute_cycles, s->stall_cycles,
           100.0 * s->utilization, s->macs, s->ifmap_reads, s->filter_reads,
           s->dram_read_bytes, s->dram_write_bytes);
}

/* One table of every component with its area (mm^2) and energy (in
 * energy_unit: "uJ" for layer runs, "mJ" for LLM runs), then the derived
 * figures. */
static void print_costs(FILE *f, const tech_t *t, const sim_result_t *r, int mj)
{
    const power_breakdown_t *area = &r->area, *energy = &r->energy;
    const double escale = mj ? 1e-9 : 1e-6;
    if (area->n == 0 && energy->n == 0) {
        fprintf(f, "\nenergy and area: not modelled for this machine (--mode gpu is a time "
                   "roofline)\nTOPS %.4f\n", r->metrics.tops);
        return;
    }
    fprintf(f, "\nenergy and area on %s (models/power.h):\n%-20s %12s %14s %7s\n", t->node, "component",
           "area_mm2", mj ? "energy_mJ" : "energy_uJ", "energy%");
    for (size_t i = 0; i < area->n + energy->n; i++) {
        const int is_area = i < area->n;
        const char *name = is_area ? area->item[i].name : energy->item[i - area->n].name;
        if (!is_area && power_get(area, name) != 0)
            continue; /* printed with its area */
        char a[24] = "-", e[24] = "-", pc[16] = "-";
        for (size_t j = 0; j < area->n; j++)
            if (!strcmp(area->item[j].name, name))
                snprintf(a, sizeof a, "%.6f", area->item[j].value * 1e-6);
        for (size_t j = 0; j < energy->n; j++)
            if (!strcmp(energy->item[j].name, name)) {
                snprintf(e, sizeof e, "%.6f", energy->item[j].value * escale);
                if (energy->total > 0)
                    snprintf(pc, sizeof pc, "%.1f", 100.0 * energy->item[j].value / energy->total);
            }
        char nb[160];
        fprintf(f, "%-20s %12s %14s %7s\n", esc_text(nb, sizeof nb, name), a, e, pc);
    }
    fprintf(f, "%-20s %12.6f %14.6f\n", "total", area->total * 1e-6, energy->total * escale);
    const power_metrics_t *m = &r->metrics;
    fprintf(f, "TOPS %.4f (peak %.4f)  TOPS/W %.4f  TOPS/mm^2 %.5f  power %.4f W  at %.0f MHz\n",
           m->tops, m->peak_tops, m->tops_per_w, m->tops_per_mm2, m->power_w, r->clock_mhz);
}

static void print_layers(FILE *f, const out_ctx_t *c, const sim_result_t *r)
{
    const hw_cfg_t *hw = c->hw;
    char hn[256];
    fprintf(f, "codesim %s: %s, ", c->cmd, esc_text(hn, sizeof hn, hw->name));
    if (hw->npu.cores > 1)
        fprintf(f, "%u cores x ", hw->npu.cores);
    fprintf(f, "%ux%u %s array", hw->array.rows, hw->array.cols,
           systolic_dataflow_name(hw->array.dataflow));
    if (hw->has_lut)
        fprintf(f, ", %ux%ux%u LUT unit (g=%u)", hw->lut.tm, hw->lut.tn, hw->lut.tk, hw->lut.g);
    fprintf(f, ", %s path\n", engine_path_name(r->path));
    fprintf(f, "%-18s %-8s %6s %6s %6s %12s %12s %10s %6s %14s %12s %12s %12s %12s\n", "layer", "unit",
           "M", "N", "K", "cycles", "compute", "stall", "util%", "MACs", "ifmap_rd", "filter_rd",
           "dram_rd_B", "dram_wr_B");
    for (size_t i = 0; i < r->nlayers; i++) {
        const layer_result_t *l = &r->layers[i];
        print_row(f, l->name, l->unit, l->m, l->n, l->k, &l->stats);
    }
    const layer_stats_t *s = &r->total;
    fprintf(f, "%-18s %-8s %6s %6s %6s %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %6.1f %14" PRIu64
            " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
            "total", "", "", "", "", s->total_cycles, s->compute_cycles, s->stall_cycles,
            100.0 * s->utilization, s->macs, s->ifmap_reads, s->filter_reads, s->dram_read_bytes,
            s->dram_write_bytes);
}

static void print_model(FILE *f, const out_ctx_t *c, const sim_result_t *r)
{
    const hw_cfg_t *hw = c->hw;
    const npu_result_t *res = &r->npu;
    char mn[256], hn[256], eng[64] = "";
    for (int k = 0; k < TE_KINDS; k++) /* the engine the mapper uses: the last present */
        if (hw->has_te[k])
            snprintf(eng, sizeof eng, " + %ux%ux%u %s", hw->te[k].rows, hw->te[k].cols,
                     hw->te[k].depth, te_kind_name((te_kind_t)k));
    fprintf(f, "codesim %s: %s on %s: %u core(s) x %ux%u %s array%s at %u MHz, mode %s\n", c->cmd,
           esc_text(mn, sizeof mn, c->model_name ? c->model_name : "model"),
           esc_text(hn, sizeof hn, hw->name), hw->npu.cores, hw->array.rows,
           hw->array.cols, systolic_dataflow_name(hw->array.dataflow), eng, hw->npu.freq_mhz,
           npu_mode_name(r->mode));
    fprintf(f, "batch %" PRIu64 ", prompt %" PRIu64 ", %" PRIu64 " new tokens, W%u A%u KV%u\n",
           r->run.batch, r->run.prompt, r->run.gen, r->run.wbits, r->run.abits, r->run.kvbits);
    fprintf(f, "time to first token   %12.3f ms  (prefill %" PRIu64 " cycles)\n", res->ttft_s * 1e3,
           res->prefill_cycles);
    if (res->decode_steps)
        fprintf(f, "time per output token %12.3f ms  (%" PRIu64 " decode steps, %" PRIu64
                   " cycles)\n", res->tpot_s * 1e3, res->decode_steps, res->decode_cycles);
    else
        fprintf(f, "time per output token %12s     (no decode step)\n", "-");
    fprintf(f, "throughput            %12.1f tokens/s\n", res->tokens_per_s);
    fprintf(f, "DRAM by DMA           %12.3f GB  (%.1f GB/s)\n", (double)res->dram_bytes / 1e9,
           res->dram_gbps);
    fprintf(f, "MACs executed         %12.4g  (the mapper's GEMM FLOPs: %.4g)\n", (double)res->macs,
           (double)res->mapper_flops);
    if (res->expert_slots)
        fprintf(f, "MoE params            %12.4g total, %.4g active per token; experts run: "
                "prefill %" PRIu64 ", %.1f per decode step (of %" PRIu64 " layer x expert)\n",
                (double)res->params_total, (double)res->params_active, res->experts_prefill,
                res->experts_per_decode_step, res->expert_slots);
    fprintf(f, "\n%-16s %14s %8s\n", "unit", "busy cycles", "util%");
    for (size_t i = 0; i < res->nunits; i++)
        fprintf(f, "%-16s %14" PRIu64 " %8.1f\n", res->units[i].name, res->units[i].busy,
               100.0 * res->units[i].utilization);
    fprintf(f, "\n%-8s %-14s %-9s %16s %16s\n", "phase", "op", "unit", "cycles", "MACs");
    char on[160];
    for (size_t i = 0; i < res->nops; i++)
        fprintf(f, "%-8s %-14s %-9s %16" PRIu64 " %16" PRIu64 "\n",
               mapper_phase_name(res->ops[i].phase), esc_text(on, sizeof on, res->ops[i].name),
               mapper_unit_name(res->ops[i].unit), res->ops[i].cycles, res->ops[i].macs);
}

void out_print(FILE *f, const out_ctx_t *c, const sim_result_t *r)
{
    if (r->kind == SIM_LAYERS)
        print_layers(f, c, r);
    else
        print_model(f, c, r);
    print_costs(f, c->tech, r, r->kind == SIM_MODEL);
}

void out_notes(const char *cmd, const sim_result_t *r)
{
    for (size_t i = 0; i < r->nnotes; i++)
        cli_err("codesim %s: note: %s\n", cmd, r->notes[i]);
}

size_t out_breakdown_rows(const sim_result_t *r, db_breakdown_t *rows)
{
    size_t n = 0;
    for (size_t i = 0; i < r->energy.n; i++)
        rows[n++] = (db_breakdown_t){"energy_pj", r->energy.item[i].name, r->energy.item[i].value};
    for (size_t i = 0; i < r->area.n; i++)
        rows[n++] = (db_breakdown_t){"area_um2", r->area.item[i].name, r->area.item[i].value};
    return n;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *u64(uint64_t v)
{
    return json_integer((json_int_t)v);
}

static json_t *breakdown_json(const power_breakdown_t *b)
{
    json_t *o = json_object();
    for (size_t i = 0; i < b->n; i++)
        json_object_set_new(o, b->item[i].name, json_real(b->item[i].value));
    return o;
}

static json_t *layer_json(const char *name, const char *unit, uint64_t m, uint64_t n, uint64_t k,
                          const layer_stats_t *s)
{
    return json_pack_ex(NULL, 0,
                        "{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:o, s:o, "
                        "s:o, s:o, s:o, s:o, s:o, s:o}",
                        "name", esc_json_string(name), "unit", unit, "m", u64(m), "n", u64(n),
                        "k", u64(k),
                        "total_cycles", u64(s->total_cycles), "compute_cycles",
                        u64(s->compute_cycles), "stall_cycles", u64(s->stall_cycles), "macs",
                        u64(s->macs), "folds", u64(s->folds), "steps", u64(s->steps),
                        "utilization", s->utilization, "ifmap_reads", u64(s->ifmap_reads),
                        "ifmap_writes", u64(s->ifmap_writes), "filter_reads",
                        u64(s->filter_reads), "filter_writes", u64(s->filter_writes),
                        "ofmap_reads", u64(s->ofmap_reads), "ofmap_writes", u64(s->ofmap_writes),
                        "dram_read_bytes", u64(s->dram_read_bytes), "dram_write_bytes",
                        u64(s->dram_write_bytes));
}

static json_t *result_json(const out_ctx_t *c, const sim_result_t *r)
{
    const hw_cfg_t *hw = c->hw;
    char hash[17];
    hw_hash(hw, hash);
    const power_metrics_t *m = &r->metrics;
    json_t *doc = json_pack_ex(
        NULL, 0, "{s:s, s:s, s:{s:o, s:s, s:I, s:I, s:I, s:s, s:f}, s:o, s:o, s:s}", "codesim",
        CODESIM_VERSION, "kind", r->kind == SIM_LAYERS ? "layers" : "model", "hw", "name",
        esc_json_string(hw->name), "hash", hash, "cores", (json_int_t)hw->npu.cores, "rows",
        (json_int_t)hw->array.rows, "cols", (json_int_t)hw->array.cols, "dataflow",
        systolic_dataflow_name(hw->array.dataflow), "clock_mhz", r->clock_mhz, "workload",
        esc_json_string(c->workload_file ? c->workload_file : ""), "tech",
        esc_json_string(c->tech->node), "path",
        r->kind == SIM_LAYERS ? engine_path_name(r->path) : "npu");
    if (!doc)
        return NULL;
    json_t *tot = json_pack_ex(NULL, 0, "{s:o, s:o, s:o, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
                               "cycles", u64(r->cycles), "macs", u64(r->macs), "pes",
                               u64(r->pes), "seconds", m->seconds, "area_um2", r->area.total,
                               "energy_pj", r->energy.total, "tops", m->tops, "peak_tops",
                               m->peak_tops, "tops_per_w", m->tops_per_w, "tops_per_mm2",
                               m->tops_per_mm2, "power_w", m->power_w);
    json_object_set_new(doc, "totals", tot);
    if (r->kind == SIM_LAYERS) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->nlayers; i++) {
            const layer_result_t *l = &r->layers[i];
            /* Only out of memory fails here (names pass esc_json_string), and
             * then the whole document does: a layer is never dropped. */
            if (json_array_append_new(a, layer_json(l->name, l->unit, l->m, l->n, l->k,
                                                    &l->stats)) != 0) {
                json_decref(a);
                json_decref(doc);
                return NULL;
            }
        }
        json_object_set_new(doc, "layers", a);
    } else {
        const npu_result_t *n = &r->npu;
        json_t *units = json_array(), *ops = json_array();
        for (size_t i = 0; i < n->nunits; i++)
            json_array_append_new(units, json_pack("{s:o, s:o, s:f}", "name",
                                                   esc_json_string(n->units[i].name),
                                                   "busy", u64(n->units[i].busy), "utilization",
                                                   n->units[i].utilization));
        for (size_t i = 0; i < n->nops; i++)
            json_array_append_new(ops, json_pack("{s:s, s:o, s:s, s:o, s:o}", "phase",
                                                 mapper_phase_name(n->ops[i].phase), "op",
                                                 esc_json_string(n->ops[i].name), "unit",
                                                 mapper_unit_name(n->ops[i].unit), "cycles",
                                                 u64(n->ops[i].cycles), "macs",
                                                 u64(n->ops[i].macs)));
        json_t *llm = json_pack_ex(
            NULL, 0,
            "{s:o, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:f, s:o, s:f, s:o, s:o, "
            "s:o}",
            "model", esc_json_string(c->model_name ? c->model_name : ""), "mode",
            npu_mode_name(r->mode), "batch",
            u64(r->run.batch), "prompt", u64(r->run.prompt), "gen", u64(r->run.gen), "wbits",
            (json_int_t)r->run.wbits, "abits", (json_int_t)r->run.abits, "kvbits",
            (json_int_t)r->run.kvbits, "prefill_cycles", u64(n->prefill_cycles),
            "decode_cycles", u64(n->decode_cycles), "decode_steps", u64(n->decode_steps),
            "ttft_s", n->ttft_s, "tpot_s",
            n->decode_steps ? json_real(n->tpot_s) : json_null(), "tokens_per_s", n->tokens_per_s,
            "dram_bytes", u64(n->dram_bytes), "units", units, "ops", ops);
        if (llm && n->expert_slots)
            json_object_set_new(llm, "moe", json_pack("{s:o, s:o, s:o, s:f, s:o}",
                                                      "params_total", u64(n->params_total),
                                                      "params_active", u64(n->params_active),
                                                      "experts_prefill", u64(n->experts_prefill),
                                                      "experts_per_decode_step",
                                                      n->experts_per_decode_step, "expert_slots",
                                                      u64(n->expert_slots)));
        json_object_set_new(doc, "llm", llm);
    }
    json_object_set_new(doc, "area_um2", breakdown_json(&r->area));
    json_object_set_new(doc, "energy_pj", breakdown_json(&r->energy));
    json_t *notes = json_array();
    for (size_t i = 0; i < r->nnotes; i++)
        json_array_append_new(notes, esc_json_string(r->notes[i]));
    json_object_set_new(doc, "notes", notes);
    if (c->run_id)
        json_object_set_new(doc, "run_id", json_integer(c->run_id));
    return doc;
}

int out_json(const out_ctx_t *c, const sim_result_t *r, FILE *f, const char *path, char *err,
             size_t errlen)
{
    json_t *doc = result_json(c, r);
    if (!doc) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    const size_t flags = JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17);
    errno = EIO;
    const int rc = json_dumpf(doc, f, flags) == 0 && fputc('\n', f) != EOF && fflush(f) == 0 ? 0 : -1;
    json_decref(doc);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- CSV ----------------------------------------------------------------- */

/* ceil(a/d) x d, 0 when it does not fit in 64 bits */
static uint64_t padded(uint64_t a, uint64_t d)
{
    const uint64_t q = a / d + (a % d != 0);
    return q > UINT64_MAX / d ? 0 : q * d;
}

/* A layer's SCALE-Sim report row from codesim's own timing.  SCALE-Sim's
 * definitions (scalesim/single_layer_sim.py, scalesim/compute/
 * systolic_compute_{os,ws,is}.py):
 *   Overall Util %      = num_compute x 100 / (total_cycles x num_mac_unit)
 *                         -> MACs x 100 / (total cycles x PEs, all cores)
 *   Mapping Efficiency %= mean over folds of rows_used x cols_used / (R x C)
 *                         x 100; summed over the folds of one GEMM that is
 *                         a x b / (ceil(a/R) R x ceil(b/C) C) with (a, b) the
 *                         dims the dataflow maps on rows and columns (OS:
 *                         M, N; WS: K, N; IS: K, M; models/systolic.c)
 *   Compute Util %      = mean over folds of mac_used x T / (R x C x
 *                         cycles_this_fold) x 100, i.e. useful MACs over
 *                         PE-cycles while the array computes; codesim sums
 *                         it over the layer: MACs x 100 / (compute cycles x
 *                         PEs) (stall cycles excluded, as SCALE-Sim's fold
 *                         cycles exclude them)
 *   Layers on another unit (LUT, tensor engine): Overall Util is that unit's
 *   own utilization (the run's table), Compute Util the same over compute
 *   cycles, Mapping Efficiency empty.
 *   SRAM accesses       ifmap and filter element reads, ofmap element writes
 *   DRAM accesses       bytes: ifmap and filter bytes fetched, ofmap bytes
 *                       written back (LUT unit: activations or tables, and
 *                       weight planes).  Start/Stop Cycle: the first and
 *                       last cycle the operand's bytes move on the DRAM
 *                       channel, in the layer's own cycles from 0
 *                       (layer_stats_t), as SCALE-Sim's first and last
 *                       line of its DRAM trace count from the layer's
 *                       start; BW = bytes / (stop - start + 1), SCALE-Sim's
 *                       division.  Empty, with BW = bytes / total cycles,
 *                       for a unit without a DMA timeline (the tensor
 *                       engines' roofline) and for an operand that moved no
 *                       byte.  SRAM start/stop: the first and last cycle the
 *                       array's ports read the ifmap and the filter and
 *                       write the ofmap (systolic layers; empty on the LUT
 *                       unit and the tensor engines). */
static void ss_row_from_layer(const hw_cfg_t *hw, const sim_result_t *r, const layer_result_t *l,
                              ss_report_row_t *o)
{
    const layer_stats_t *s = &l->stats;
    memset(o, 0, sizeof *o);
    o->total_cycles = s->total_cycles;
    o->stall_cycles = s->stall_cycles;
    if (strcmp(l->unit, "systolic") != 0) {
        /* a LUT unit or tensor engine: its own utilization (the run's table;
         * models/engine.h), no systolic folds to map */
        o->overall_util = 100.0 * s->utilization;
        o->compute_util = s->compute_cycles ? o->overall_util * (double)s->total_cycles /
                                                  (double)s->compute_cycles
                                            : 0;
        o->no_mapping = 1;
    } else {
        const double pes = (double)r->pes;
        o->overall_util = s->total_cycles && pes > 0
                              ? (double)s->macs * 100.0 / ((double)s->total_cycles * pes)
                              : 0;
        o->compute_util = s->compute_cycles && pes > 0
                              ? (double)s->macs * 100.0 / ((double)s->compute_cycles * pes)
                              : 0;
    }
    const uint64_t R = hw->array.rows, C = hw->array.cols;
    uint64_t a = l->m, b = l->n;
    if (hw->array.dataflow == SYSTOLIC_WS) {
        a = l->k;
    } else if (hw->array.dataflow == SYSTOLIC_IS) {
        a = l->k;
        b = l->m;
    }
    const uint64_t pa = R ? padded(a, R) : 0, pb = C ? padded(b, C) : 0;
    if (pa && pb && !o->no_mapping)
        o->mapping_eff = (double)a / (double)pa * ((double)b / (double)pb) * 100.0;
    /* cycles stay below 2^62 (engine.h): they fit the signed fields */
    o->sram_times = s->sram_times;
    for (int op = 0; op < 3 && s->sram_times; op++) {
        o->sram_start[op] = (int64_t)s->sram_first[op];
        o->sram_stop[op] = (int64_t)s->sram_last[op];
    }
    o->sram_access[0] = s->ifmap_reads;
    o->sram_access[1] = s->filter_reads;
    o->sram_access[2] = s->ofmap_writes;
    /* every unit splits its reads (models/engine.h); a split that could not
     * be counted (0 of a nonzero read) leaves the fields empty */
    const int split = s->dram_ifmap_bytes + s->dram_filter_bytes > 0 || s->dram_read_bytes == 0;
    o->dram_valid[0] = o->dram_valid[1] = split;
    o->dram_valid[2] = 1;
    o->dram_access[0] = s->dram_ifmap_bytes;
    o->dram_access[1] = s->dram_filter_bytes;
    o->dram_access[2] = s->dram_write_bytes;
    for (int op = 0; op < 3; op++) {
        o->dram_times[op] = s->dram_times && s->dram_first[op] != LAYER_NO_CYCLE;
        o->dram_start[op] = o->dram_times[op] ? (int64_t)s->dram_first[op] : 0;
        o->dram_stop[op] = o->dram_times[op] ? (int64_t)s->dram_last[op] : 0;
    }
}

static int ss_csv(const out_ctx_t *c, const sim_result_t *r, FILE *const out[3], char *err,
                  size_t errlen)
{
    ss_report_row_t *rows = r->nlayers ? calloc(r->nlayers, sizeof *rows) : NULL;
    if (r->nlayers && !rows)
        return snprintf(err, errlen, "out of memory"), -1;
    for (size_t i = 0; i < r->nlayers; i++)
        ss_row_from_layer(c->hw, r, &r->layers[i], &rows[i]);
    ss_report_fwrite(rows, r->nlayers, out);
    free(rows);
    return 0;
}

const char *const out_csv_files[OUT_CSV_FILES] = {
    "COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv",
    "LAYERS_REPORT.csv",  "DRAM_REPORT.csv",      "ACCESS_REPORT.csv",
    "UNITS_REPORT.csv",   "COST_REPORT.csv"};

/* Which of out_csv_files a result of this kind writes. */
static int csv_writes(sim_kind_t kind, size_t i)
{
    static const unsigned layers = 0xbf, model = 0xc1; /* bits: out_csv_files[] indexes */
    return ((kind == SIM_LAYERS ? layers : model) >> i) & 1u;
}

int out_csv_begin(out_csv_t *o, sim_kind_t kind, const char *dir, char *err, size_t errlen)
{
    *o = (out_csv_t){.kind = kind};
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%.200s: cannot create the directory (%s)", dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < OUT_CSV_FILES; i++) {
        if (!csv_writes(kind, i))
            continue;
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, out_csv_files[i]) >= sizeof path) {
            snprintf(err, errlen, "%.200s: path too long", dir);
            out_csv_abort(o);
            return -1;
        }
        if (io_out_begin(&o->f[i], path, err, errlen) != 0) {
            out_csv_abort(o);
            return -1;
        }
    }
    return 0;
}

int out_csv_write(out_csv_t *o, const out_ctx_t *c, const sim_result_t *r, char *err,
                  size_t errlen)
{
    FILE *f;
    if (r->kind != o->kind) {
        snprintf(err, errlen, "--csv: prepared for the other kind of run");
        return -1;
    }
    if (r->kind == SIM_LAYERS) {
        FILE *const ss[3] = {o->f[0].f, o->f[1].f, o->f[2].f};
        if (ss_csv(c, r, ss, err, errlen))
            return -1;
        f = o->f[3].f; /* LAYERS_REPORT.csv */
        fprintf(f, "Layer,Unit,M,N,K,Total cycles,Compute cycles,Stall cycles,Utilization %%,"
                   "MACs,Folds,Steps\n");
        for (size_t i = 0; i < r->nlayers; i++) {
            const layer_result_t *l = &r->layers[i];
            const layer_stats_t *s = &l->stats;
            esc_csv(f, l->name);
            fputc(',', f);
            esc_csv(f, l->unit);
            fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                       ",%.6f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
                    l->m, l->n, l->k, s->total_cycles, s->compute_cycles,
                    s->stall_cycles, 100.0 * s->utilization, s->macs, s->folds, s->steps);
        }
        f = o->f[4].f; /* DRAM_REPORT.csv */
        fprintf(f, "Layer,DRAM read bytes,DRAM write bytes,Avg DRAM read bytes/cycle,"
                   "Avg DRAM write bytes/cycle\n");
        for (size_t i = 0; i < r->nlayers; i++) {
            const layer_stats_t *s = &r->layers[i].stats;
            const double cyc = s->total_cycles ? (double)s->total_cycles : 1.0;
            esc_csv(f, r->layers[i].name);
            fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%.6f,%.6f\n", s->dram_read_bytes, s->dram_write_bytes, (double)s->dram_read_bytes / cyc,
                    (double)s->dram_write_bytes / cyc);
        }
        f = o->f[5].f; /* ACCESS_REPORT.csv */
        fprintf(f, "Layer,Ifmap reads,Ifmap writes,Filter reads,Filter writes,Ofmap reads,"
                   "Ofmap writes\n");
        for (size_t i = 0; i < r->nlayers; i++) {
            const layer_stats_t *s = &r->layers[i].stats;
            esc_csv(f, r->layers[i].name);
            fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
                    s->ifmap_reads, s->ifmap_writes, s->filter_reads,
                    s->filter_writes, s->ofmap_reads, s->ofmap_writes);
        }
    } else {
        const npu_result_t *n = &r->npu;
        f = o->f[0].f; /* COMPUTE_REPORT.csv */
        fprintf(f, "Phase,Op,Unit,Cycles,MACs\n");
        for (size_t i = 0; i < n->nops; i++) {
            fprintf(f, "%s,", mapper_phase_name(n->ops[i].phase));
            esc_csv(f, n->ops[i].name);
            fprintf(f, ",%s,%" PRIu64 ",%" PRIu64 "\n", mapper_unit_name(n->ops[i].unit),
                    n->ops[i].cycles, n->ops[i].macs);
        }
        f = o->f[6].f; /* UNITS_REPORT.csv */
        fprintf(f, "Unit,Busy cycles,Utilization %%\n");
        for (size_t i = 0; i < n->nunits; i++)
            fprintf(f, "%s,%" PRIu64 ",%.6f\n", n->units[i].name, n->units[i].busy,
                    100.0 * n->units[i].utilization);
    }
    f = o->f[7].f; /* COST_REPORT.csv */
    fprintf(f, "Kind,Component,Value\n");
    for (size_t i = 0; i < r->area.n; i++) {
        fputs("area_um2,", f);
        esc_csv(f, r->area.item[i].name);
        fprintf(f, ",%.17g\n", r->area.item[i].value);
    }
    for (size_t i = 0; i < r->energy.n; i++) {
        fputs("energy_pj,", f);
        esc_csv(f, r->energy.item[i].name);
        fprintf(f, ",%.17g\n", r->energy.item[i].value);
    }
    for (size_t i = 0; i < OUT_CSV_FILES; i++)
        if (o->f[i].f && io_out_check(&o->f[i], err, errlen) != 0)
            return -1;
    return 0;
}

int out_csv_commit(out_csv_t *o, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < OUT_CSV_FILES; i++)
        if (o->f[i].f && rc == 0)
            rc = io_out_commit(&o->f[i], err, errlen);
    out_csv_abort(o);
    return rc;
}

void out_csv_abort(out_csv_t *o)
{
    for (size_t i = 0; i < OUT_CSV_FILES; i++)
        io_out_abort(&o->f[i]);
}

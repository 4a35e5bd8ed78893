/* cmd_run.c - `codesim run`: a layer workload on one hardware config. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/power.h"
#include "../../models/tech.h"
#include "cli.h"
#include "../io/config.h"
#include "../db/db.h"
#include "../../models/engine.h"
#include "../io/workload.h"
#include "../cost/tech_file.h"

static const char run_usage[] =
    "usage: codesim run --workload FILE [--hw FILE] [--db FILE] [--path fast|cycle]\n"
    "                   [--tech NODE]\n"
    "       codesim run --model FILE ...   (LLM inference; see codesim run --model x --help)\n"
    "\n"
    "Simulates every layer of a workload on the hardware, prices it (area of the\n"
    "hardware and energy of the run's events by component, TOPS, TOPS/W,\n"
    "TOPS/mm^2; models/power.h) and stores the run with both breakdowns.\n"
    "\n"
    "  --hw FILE        hardware config: codesim YAML (see configs/default.yaml and\n"
    "                   configs/lut.yaml) or a SCALE-Sim .cfg; default: the built-in\n"
    "                   32x32 config\n"
    "  --workload FILE  layer CSV: 'Layer,M,N,K[,w_bits,wq]' rows or SCALE-Sim\n"
    "                   convolution rows; a layer with a w_bits (1..4 or ternary) runs\n"
    "                   on the LUT unit when the hardware has a lut: section, else on\n"
    "                   the array with its weights dequantized to int8\n"
    "  --db FILE        SQLite results database (default results.db)\n"
    "  --path P         fast (closed form, default) or cycle (every PE, every cycle;\n"
    "                   on the LUT unit every lookup PE); both give the same numbers\n"
    "  --tech NODE      technology table of the area and energy: 45nm (default),\n"
    "                   28nm, 7nm or a technology YAML file (reports/tech/)\n";

static void print_row(const char *name, const char *unit, uint64_t m, uint64_t n, uint64_t k,
                      const layer_stats_t *s)
{
    printf("%-18s %-8s %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10" PRIu64
           " %6.1f %14" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
           name, unit, m, n, k, s->total_cycles, s->compute_cycles, s->stall_cycles,
           100.0 * s->utilization, s->macs, s->ifmap_reads, s->filter_reads,
           s->dram_read_bytes, s->dram_write_bytes);
}

/* Runs one low-bit layer on the LUT unit and reports it in the systolic
 * layer's terms, so the table, the totals and the layers rows of the
 * database read the same for both units.  The mapping (lut_stats_t ->
 * layer_stats_t):
 *   total/compute/stall_cycles  the same quantities (stall: waiting on DRAM)
 *   macs                        M*N*K, the multiply-adds the lookups replace
 *   folds                       tiles (one MOVE per tile.m x tile.n x tile.k)
 *   steps                       operand-delivery steps
 *   ifmap_reads                 activation elements read by the precompute
 *   filter_reads                packed weight words read (one g-bit word of
 *                               one bit-plane each, not weight elements)
 *   ofmap_reads / ofmap_writes  output read-modify-write reads / writes
 *   dram_read/write_bytes       the same quantities
 *   utilization                 lookups / (tile.m*tile.n lookup PEs x cycles)
 *   ifmap_writes, filter_writes 0: the unit counts its buffer fills as DRAM
 *                               bytes only
 * The events with no column here (table reads and writes, adds, shifts...)
 * are in lut_stats_t; `codesim lutcompare` prints them. */
static void lut_layer_cfg(const hw_cfg_t *hw, const layer_t *l, lut_cfg_t *cfg)
{
    *cfg = hw->lut;
    cfg->w_bits = l->w_bits;
    cfg->wq = l->wq;
    cfg->zp = 1u << (l->w_bits - 1);   /* zp weights are two's-complement codes */
}

static int run_lut_layer(const hw_cfg_t *hw, const layer_t *l, engine_path_t path,
                         layer_stats_t *st, lut_stats_t *lsp, char *err, size_t errlen)
{
    lut_cfg_t cfg;
    lut_layer_cfg(hw, l, &cfg);
    const lut_gemm_t g = {l->m, l->n, l->k};
    lut_stats_t ls;
    if (lut_run(&cfg, &g, path == ENGINE_CYCLE ? LUT_CYCLE : LUT_FAST, NULL, NULL, NULL, &ls,
                err, errlen) != 0)
        return -1;
    memset(st, 0, sizeof *st);
    st->total_cycles = ls.total_cycles;
    st->compute_cycles = ls.compute_cycles;
    st->stall_cycles = ls.stall_cycles;
    st->macs = ls.macs;
    st->folds = ls.move_cycles;
    st->steps = ls.steps;
    st->ifmap_reads = ls.act_reads;
    st->filter_reads = ls.weight_reads;
    st->ofmap_reads = ls.out_acc_reads;
    st->ofmap_writes = ls.out_writes;
    st->dram_read_bytes = ls.dram_read_bytes;
    st->dram_write_bytes = ls.dram_write_bytes;
    st->utilization =
        (double)ls.table_reads / ((double)cfg.tm * cfg.tn * (double)ls.total_cycles);
    *lsp = ls;
    return 0;
}

/* The area and energy of a run, both breakdowns as the database stores them. */
typedef struct {
    power_breakdown_t area, energy;
    power_metrics_t m;
    db_breakdown_t rows[2 * POWER_MAX_ITEMS];
    size_t nrows;
} run_costs_t;

/* Prints one table of every component with its area (mm^2) and energy (uJ),
 * then the derived figures. */
static void print_costs(const tech_t *t, const run_costs_t *c)
{
    printf("\nenergy and area on %s (models/power.h):\n%-20s %12s %12s\n", t->node, "component",
           "area_mm2", "energy_uJ");
    for (size_t i = 0; i < c->area.n + c->energy.n; i++) {
        const char *name = i < c->area.n ? c->area.item[i].name
                                         : c->energy.item[i - c->area.n].name;
        if (i >= c->area.n && power_get(&c->area, name) != 0)
            continue; /* printed with its area */
        char a[16] = "-", e[16] = "-";
        for (size_t j = 0; j < c->area.n; j++)
            if (!strcmp(c->area.item[j].name, name))
                snprintf(a, sizeof a, "%.6f", c->area.item[j].value * 1e-6);
        for (size_t j = 0; j < c->energy.n; j++)
            if (!strcmp(c->energy.item[j].name, name))
                snprintf(e, sizeof e, "%.6f", c->energy.item[j].value * 1e-6);
        printf("%-20s %12s %12s\n", name, a, e);
    }
    printf("%-20s %12.6f %12.6f\n", "total", c->area.total * 1e-6, c->energy.total * 1e-6);
    printf("TOPS %.4f (peak %.4f)  TOPS/W %.4f  TOPS/mm^2 %.5f  power %.4f W\n", c->m.tops,
           c->m.peak_tops, c->m.tops_per_w, c->m.tops_per_mm2, c->m.power_w);
}

static void cost_rows(run_costs_t *c)
{
    c->nrows = 0;
    for (size_t i = 0; i < c->energy.n; i++)
        c->rows[c->nrows++] = (db_breakdown_t){"energy_pj", c->energy.item[i].name,
                                               c->energy.item[i].value};
    for (size_t i = 0; i < c->area.n; i++)
        c->rows[c->nrows++] = (db_breakdown_t){"area_um2", c->area.item[i].name,
                                               c->area.item[i].value};
}

int cmd_run(int argc, char **argv)
{
    /* With a model, the run is end-to-end LLM inference (sim/cmd_llm.c). */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--model") || !strncmp(argv[i], "--model=", 8))
            return cmd_run_llm(argc, argv);
    const char *hw_path = NULL, *wl_path = NULL, *db_path = "results.db", *path_s = "fast";
    const char *node = "45nm";
    static const struct option opts[] = {
        {"hw", required_argument, 0, 'h'},     {"workload", required_argument, 0, 'w'},
        {"db", required_argument, 0, 'd'},     {"path", required_argument, 0, 'p'},
        {"tech", required_argument, 0, 't'},   {"help", no_argument, 0, 'H'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'h': hw_path = optarg; break;
        case 'w': wl_path = optarg; break;
        case 'd': db_path = optarg; break;
        case 'p': path_s = optarg; break;
        case 't': node = optarg; break;
        case 'H': fputs(run_usage, stdout); return 0;
        default: fputs(run_usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "codesim run: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!wl_path) {
        fprintf(stderr, "codesim run: --workload: missing (see codesim run --help)\n");
        return 2;
    }
    engine_path_t path;
    if (!strcmp(path_s, "fast")) {
        path = ENGINE_FAST;
    } else if (!strcmp(path_s, "cycle")) {
        path = ENGINE_CYCLE;
    } else {
        fprintf(stderr, "codesim run: --path: '%s' is not fast or cycle\n", path_s);
        return 2;
    }

    char err[512];
    hw_cfg_t hw;
    workload_t wl = {0};
    db_t *db = NULL;
    layer_result_t *res = NULL;
    run_costs_t *costs = NULL;
    tech_t tech;
    int rc = 1;
    char tech_file[600];
    tech_path(node, tech_file, sizeof tech_file);
    if (tech_load(tech_file, &tech, err, sizeof err) != 0) {
        fprintf(stderr, "codesim run: --tech: %s\n", err);
        return 1;
    }
    if (hw_path) {
        if (hw_load(hw_path, &hw, err, sizeof err) != 0) {
            fprintf(stderr, "codesim run: %s\n", err);
            return 1;
        }
    } else {
        hw_defaults(&hw);
    }
    if (workload_load(wl_path, &wl, err, sizeof err) != 0) {
        fprintf(stderr, "codesim run: %s\n", err);
        goto out;
    }
    /* Open the database before simulating: a bad database fails fast. */
    if (db_open(db_path, &db, err, sizeof err) != 0) {
        fprintf(stderr, "codesim run: %s\n", err);
        goto out;
    }
    res = calloc(wl.count, sizeof *res);
    costs = calloc(1, sizeof *costs);
    if (!res || !costs) {
        fprintf(stderr, "codesim run: out of memory\n");
        goto out;
    }
    /* The area of what is configured: the array and its scratchpads, and
     * the LUT unit when there is one. */
    power_init(&costs->area);
    power_init(&costs->energy);
    if (power_systolic_area(&tech, &hw, &costs->area, err, sizeof err) != 0 ||
        (hw.has_lut && power_lut_area(&tech, &hw.lut, &costs->area, err, sizeof err) != 0)) {
        fprintf(stderr, "codesim run: area on %s: %s\n", tech.node, err);
        goto out;
    }
    const double t0 = cli_now();
    for (size_t i = 0; i < wl.count; i++) {
        const layer_t *l = &wl.layers[i];
        const systolic_gemm_t g = {l->m, l->n, l->k};
        layer_result_t *r = &res[i];
        snprintf(r->name, sizeof r->name, "%s", l->name);
        r->m = l->m;
        r->n = l->n;
        r->k = l->k;
        r->dataflow = hw.array.dataflow;
        /* Low-bit weights go to the LUT unit when there is one.  Without
         * one they run on the array as dequantize-then-MAC: the weights are
         * expanded to the array's w_bits (int8 in the default config) before
         * the filter buffer, so the layer costs what an int8 layer does (the
         * dequantizer is pipelined with the DMA, see lut_dequant_cost()). */
        const int on_lut = l->w_bits && hw.has_lut;
        r->unit = on_lut ? "lut" : "systolic";
        lut_stats_t ls;
        if (on_lut ? run_lut_layer(&hw, l, path, &r->stats, &ls, err, sizeof err)
                   : engine_run_gemm(&hw, &g, path, NULL, NULL, NULL, &r->stats, err,
                                     sizeof err)) {
            fprintf(stderr, "codesim run: %s:%u: layer %s: %s%s\n", wl_path, l->line, l->name,
                    on_lut ? "lut." : "", err);
            goto out;
        }
        /* A LUT layer is priced from its own events (table reads, adds,
         * shifts...: lut_stats_t), not from the layer_stats_t mapping. */
        lut_cfg_t lc;
        if (on_lut)
            lut_layer_cfg(&hw, l, &lc);
        if (on_lut ? power_lut_energy(&tech, &lc, &ls, &costs->energy, err, sizeof err)
                   : power_systolic_energy(&tech, &hw, &r->stats, &costs->energy, err,
                                           sizeof err)) {
            fprintf(stderr, "codesim run: %s:%u: layer %s: energy: %s\n", wl_path, l->line,
                    l->name, err);
            goto out;
        }
    }
    const double wall = cli_now() - t0;

    printf("codesim run: %s, %ux%u %s array", hw.name, hw.array.rows, hw.array.cols,
           systolic_dataflow_name(hw.array.dataflow));
    if (hw.has_lut)
        printf(", %ux%ux%u LUT unit (g=%u)", hw.lut.tm, hw.lut.tn, hw.lut.tk, hw.lut.g);
    printf(", %s path\n", engine_path_name(path));
    printf("%-18s %-8s %6s %6s %6s %12s %12s %10s %6s %14s %12s %12s %12s %12s\n", "layer", "unit",
           "M", "N", "K", "cycles", "compute", "stall", "util%", "MACs", "ifmap_rd", "filter_rd",
           "dram_rd_B", "dram_wr_B");
    /* util% of the total: the cycle-weighted mean of the layers' (for an
     * array-only run, all MACs over R*C*cycles as before). */
    layer_stats_t tot = {0};
    double busy = 0;
    for (size_t i = 0; i < wl.count; i++) {
        const layer_result_t *r = &res[i];
        print_row(r->name, r->unit, r->m, r->n, r->k, &r->stats);
        busy += r->stats.utilization * (double)r->stats.total_cycles;
        tot.total_cycles += r->stats.total_cycles;
        tot.compute_cycles += r->stats.compute_cycles;
        tot.stall_cycles += r->stats.stall_cycles;
        tot.macs += r->stats.macs;
        tot.ifmap_reads += r->stats.ifmap_reads;
        tot.filter_reads += r->stats.filter_reads;
        tot.dram_read_bytes += r->stats.dram_read_bytes;
        tot.dram_write_bytes += r->stats.dram_write_bytes;
    }
    tot.utilization = busy / (double)tot.total_cycles;
    printf("%-18s %-8s %6s %6s %6s %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %6.1f %14" PRIu64
           " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
           "total", "", "", "", "", tot.total_cycles, tot.compute_cycles, tot.stall_cycles,
           100.0 * tot.utilization, tot.macs, tot.ifmap_reads, tot.filter_reads,
           tot.dram_read_bytes, tot.dram_write_bytes);

    power_metrics(&tech, tot.macs, tot.total_cycles, (uint64_t)hw.array.rows * hw.array.cols,
                  costs->energy.total, costs->area.total, &costs->m);
    print_costs(&tech, costs);
    cost_rows(costs);

    const db_run_t run = {engine_path_name(path), hw_path, &hw, wl_path, &wl, wall};
    int64_t run_id;
    if (db_record_run_costs(db, &run, res, wl.count, costs->rows, costs->nrows, &run_id, err,
                            sizeof err) != 0) {
        fprintf(stderr, "codesim run: %s: %s\n", db_path, err);
        goto out;
    }
    printf("stored as run %lld in %s (simulated in %.3f s)\n", (long long)run_id, db_path,
           wall);
    rc = 0;
out:
    free(costs);
    free(res);
    db_close(db);
    workload_free(&wl);
    hw_free(&hw);
    return rc;
}

/* cmd_llm.c - `codesim run --model`: end-to-end LLM inference (prefill and
 * batched decode) on the NPU, with or without PIM (sim/npu.c). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../io/config.h"
#include "../db/db.h"
#include "../../models/power.h"
#include "../../models/tech.h"
#include "../run/npu.h"
#include "../explore/sweep.h"
#include "../io/textfile.h"
#include "../io/workload.h"
#include "../cost/tech_file.h"
#include "../io/paths.h"

static const char llm_usage[] =
    "usage: codesim run --model FILE [--hw FILE] [--batch B] [--prompt L] [--gen G]\n"
    "                   [--mode npu|pim-blocked|neupims] [--wbits W] [--abits A]\n"
    "                   [--kvbits V] [--timeline FILE] [--tech NODE] [--db FILE]\n"
    "\n"
    "Simulates LLM inference end to end: the prefill of B prompts of L tokens and\n"
    "G-1 batched decode steps, on the NPU of the hardware config (npu: cores, clock,\n"
    "vector unit; array: the matrix unit of each core; dram: the shared channel)\n"
    "and, with a pim: section, on PIM.  Reports time to first token, time per output\n"
    "token, tokens/s, the utilization of every unit, DRAM bandwidth and cycles per\n"
    "op, the energy by component and area of the hardware with TOPS, TOPS/W and\n"
    "TOPS/mm^2 (models/power.h), and stores the run with both breakdowns.\n"
    "\n"
    "  --model FILE     Hugging Face config.json (traces/models/ ships several)\n"
    "  --hw FILE        hardware YAML (default: the built-in config, one core, no PIM)\n"
    "  --batch B        sequences (default 1)     --prompt L  prompt tokens (default 512)\n"
    "  --gen G          new tokens per sequence, the first from prefill (default 2)\n"
    "  --mode M         npu: no PIM; pim-blocked: attention on PIM, DMA waits while\n"
    "                   PIM computes; neupims: dual row buffers and sub-batch\n"
    "                   interleaving.  Default (auto): npu without a pim: section;\n"
    "                   with one, neupims when each half batch fills the array's\n"
    "                   rows (B >= 2 x rows), else pim-blocked\n"
    "  --wbits, --abits, --kvbits  widths (default 8; 2 for ternary models' weights)\n"
    "  --timeline FILE  Chrome trace-event JSON of the prefill and the first decode\n"
    "                   step: open it in https://ui.perfetto.dev or chrome://tracing\n"
    "  --tech NODE      technology table of the area and energy: 45nm (default),\n"
    "                   28nm, 7nm or a technology YAML file (reports/tech/)\n"
    "  --db FILE        results database (default results.db)\n";

int llm_hw(const hw_cfg_t *hw, const char *mode_s, uint64_t batch, llm_hw_t *out, char *err,
           size_t errlen)
{
    /* auto: without PIM, npu.  With PIM, neupims when each of its two
     * sub-batches still fills the array's rows (the decode GEMMs' M is the
     * batch); below that, splitting the batch doubles the GEMM passes and
     * re-reads every weight, so pim-blocked is faster. */
    npu_mode_t mode = !hw->has_pim                      ? NPU_ONLY
                      : batch >= 2ull * hw->array.rows ? NPU_PIM_NEUPIMS
                                                        : NPU_PIM_BLOCKED;
    if (mode_s && strcmp(mode_s, "auto") != 0 && npu_mode_parse(mode_s, &mode) != 0) {
        snprintf(err, errlen, "mode: '%.40s' is not npu, pim-blocked or neupims", mode_s);
        return -1;
    }
    if (mode != NPU_ONLY && !hw->has_pim) {
        snprintf(err, errlen, "mode: %s needs a pim: section", npu_mode_name(mode));
        return -1;
    }
    memset(out, 0, sizeof *out);
    power_npu_pim_cfg(hw, mode == NPU_PIM_NEUPIMS ? PIM_DUAL : PIM_BLOCKED, &out->pim);
    out->nh = (npu_hw_t){hw, hw->npu, mode, hw->has_pim ? &out->pim : NULL};
    return 0;
}

/* Energy and area of an LLM run, both breakdowns as the database stores them. */
typedef struct {
    power_breakdown_t area, energy;
    power_metrics_t m;
    db_breakdown_t rows[2 * POWER_MAX_ITEMS];
    size_t nrows;
} llm_costs_t;

static int llm_costs(const tech_t *t, const hw_cfg_t *hw, const npu_result_t *res,
                     llm_costs_t *c, char *err, size_t errlen)
{
    power_init(&c->area);
    power_init(&c->energy);
    if (power_npu_area(t, hw, &c->area, err, errlen) != 0 ||
        power_npu_energy(t, hw, &res->events, &c->energy, err, errlen) != 0)
        return -1;
    /* Time at the NPU's clock, not the technology table's. */
    tech_t at = *t;
    at.clock_mhz = hw->npu.freq_mhz;
    power_metrics(&at, res->macs, res->total_cycles,
                  (uint64_t)hw->array.rows * hw->array.cols * hw->npu.cores, c->energy.total,
                  c->area.total, &c->m);
    c->nrows = 0;
    for (size_t i = 0; i < c->energy.n; i++)
        c->rows[c->nrows++] = (db_breakdown_t){"energy_pj", c->energy.item[i].name,
                                               c->energy.item[i].value};
    for (size_t i = 0; i < c->area.n; i++)
        c->rows[c->nrows++] = (db_breakdown_t){"area_um2", c->area.item[i].name,
                                               c->area.item[i].value};
    return 0;
}

/* One table of every component with its area (mm^2) and energy (mJ), then
 * the derived figures. */
static void print_llm_costs(const tech_t *t, const llm_costs_t *c)
{
    printf("\nenergy and area on %s (models/power.h):\n%-20s %12s %14s %7s\n", t->node,
           "component", "area_mm2", "energy_mJ", "energy%");
    for (size_t i = 0; i < c->area.n + c->energy.n; i++) {
        const int is_area = i < c->area.n;
        const char *name = is_area ? c->area.item[i].name : c->energy.item[i - c->area.n].name;
        if (!is_area) {
            size_t j = 0;
            while (j < c->area.n && strcmp(c->area.item[j].name, name))
                j++;
            if (j < c->area.n)
                continue; /* printed with its area */
        }
        char a[24] = "-", e[24] = "-", pc[16] = "-";
        for (size_t j = 0; j < c->area.n; j++)
            if (!strcmp(c->area.item[j].name, name))
                snprintf(a, sizeof a, "%.4f", c->area.item[j].value * 1e-6);
        for (size_t j = 0; j < c->energy.n; j++)
            if (!strcmp(c->energy.item[j].name, name)) {
                snprintf(e, sizeof e, "%.4f", c->energy.item[j].value * 1e-9);
                if (c->energy.total > 0)
                    snprintf(pc, sizeof pc, "%.1f",
                             100.0 * c->energy.item[j].value / c->energy.total);
            }
        printf("%-20s %12s %14s %7s\n", name, a, e, pc);
    }
    printf("%-20s %12.4f %14.4f\n", "total", c->area.total * 1e-6, c->energy.total * 1e-9);
    printf("TOPS %.4f (peak %.4f)  TOPS/W %.4f  TOPS/mm^2 %.5f  power %.3f W\n", c->m.tops,
           c->m.peak_tops, c->m.tops_per_w, c->m.tops_per_mm2, c->m.power_w);
}

int cmd_run_llm(int argc, char **argv)
{
    const char *model_path = NULL, *hw_path = NULL, *db_path = "results.db", *mode_s = NULL;
    const char *timeline_path = NULL, *node = "45nm";
    uint64_t batch = 1, prompt = 512, gen = 2, wbits = 0, abits = 8, kvbits = 8;
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"hw", required_argument, 0, 'h'},
        {"batch", required_argument, 0, 'b'}, {"prompt", required_argument, 0, 'p'},
        {"gen", required_argument, 0, 'g'},   {"mode", required_argument, 0, 'M'},
        {"wbits", required_argument, 0, 'w'}, {"abits", required_argument, 0, 'a'},
        {"kvbits", required_argument, 0, 'k'}, {"timeline", required_argument, 0, 't'},
        {"db", required_argument, 0, 'd'},    {"tech", required_argument, 0, 'T'},
        {"help", no_argument, 0, 'H'},
        {0, 0, 0, 0}};
    int c, bad = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'h': hw_path = optarg; break;
        case 'd': db_path = optarg; break;
        case 'M': mode_s = optarg; break;
        case 't': timeline_path = optarg; break;
        case 'T': node = optarg; break;
        case 'b': bad |= cli_uint("run", "batch", optarg, 1, 65536, &batch); break;
        case 'p': bad |= cli_uint("run", "prompt", optarg, 1, 1 << 20, &prompt); break;
        case 'g': bad |= cli_uint("run", "gen", optarg, 1, 1 << 20, &gen); break;
        case 'w': bad |= cli_uint("run", "wbits", optarg, 1, 16, &wbits); break;
        case 'a': bad |= cli_uint("run", "abits", optarg, 1, 16, &abits); break;
        case 'k': bad |= cli_uint("run", "kvbits", optarg, 1, 16, &kvbits); break;
        case 'H': fputs(llm_usage, stdout); return 0;
        default: fputs(llm_usage, stderr); return 2;
        }
    }
    if (bad)
        return 2;
    if (optind < argc) {
        fprintf(stderr, "codesim run: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }

    char err[512];
    hw_cfg_t hw;
    mapper_model_t model;
    workload_t wl = {0};
    db_t *db = NULL;
    npu_result_t res = {0};
    FILE *tl = NULL;
    int rc = 1;
    tech_t tech;
    char tech_file[600];
    tech_path(node, tech_file, sizeof tech_file);
    if (tech_load(tech_file, &tech, err, sizeof err) != 0) {
        fprintf(stderr, "codesim run: --tech: %s\n", err);
        return 1;
    }
    if (hw_path ? hw_load(hw_path, &hw, err, sizeof err) : (hw_defaults(&hw), 0)) {
        fprintf(stderr, "codesim run: %s\n", err);
        return 1;
    }
    llm_hw_t lh;
    if (llm_hw(&hw, mode_s, batch, &lh, err, sizeof err) != 0) {
        fprintf(stderr, "codesim run: --%s (%s)\n", err, hw_path ? hw_path : "built-in config");
        rc = 2;
        goto out;
    }
    const npu_mode_t mode = lh.nh.mode;
    if (!model_path) {
        fprintf(stderr, "codesim run: --model: missing\n");
        rc = 2;
        goto out;
    }
    size_t len;
    if (workload_model_load(model_path, &model, err, sizeof err) != 0 ||
        !(wl.text = textfile_read(model_path, &len, err, sizeof err))) {
        fprintf(stderr, "codesim run: %s\n", err);
        goto out;
    }
    /* Open the database before simulating: a bad database fails fast. */
    if (db_open(db_path, &db, err, sizeof err) != 0) {
        fprintf(stderr, "codesim run: %s\n", err);
        goto out;
    }
    if (timeline_path && !(tl = fopen(timeline_path, "w"))) {
        fprintf(stderr, "codesim run: %s: cannot write the timeline\n", timeline_path);
        goto out;
    }
    const mapper_run_t run = {batch, prompt, gen,
                              (uint32_t)(wbits ? wbits : model.native_wbits), (uint32_t)abits,
                              (uint32_t)kvbits};
    const double t0 = cli_now();
    if (npu_run(&lh.nh, &model, &run, &res, tl, err, sizeof err) != 0) {
        fprintf(stderr, "codesim run: %s: %s\n", model_path, err);
        goto out;
    }
    const double wall = cli_now() - t0;
    if (tl) {
        const int bad_close = fclose(tl) != 0;
        tl = NULL;
        if (bad_close) {
            fprintf(stderr, "codesim run: %s: cannot write the timeline\n", timeline_path);
            goto out;
        }
    }

    printf("codesim run: %s on %s: %u core(s) x %ux%u %s array at %u MHz, mode %s\n", model.name,
           hw.name, hw.npu.cores, hw.array.rows, hw.array.cols,
           systolic_dataflow_name(hw.array.dataflow), hw.npu.freq_mhz, npu_mode_name(mode));
    printf("batch %" PRIu64 ", prompt %" PRIu64 ", %" PRIu64 " new tokens, W%u A%u KV%u\n", batch,
           prompt, gen, run.wbits, run.abits, run.kvbits);
    printf("time to first token   %12.3f ms  (prefill %" PRIu64 " cycles)\n", res.ttft_s * 1e3,
           res.prefill_cycles);
    printf("time per output token %12.3f ms  (%" PRIu64 " decode steps, %" PRIu64 " cycles)\n",
           res.tpot_s * 1e3, res.decode_steps, res.decode_cycles);
    printf("throughput            %12.1f tokens/s\n", res.tokens_per_s);
    printf("DRAM by DMA           %12.3f GB  (%.1f GB/s)\n", (double)res.dram_bytes / 1e9,
           res.dram_gbps);
    printf("MACs executed         %12.4g  (the mapper's GEMM FLOPs: %.4g)\n", (double)res.macs,
           (double)res.mapper_flops);
    printf("\n%-16s %14s %8s\n", "unit", "busy cycles", "util%");
    for (size_t i = 0; i < res.nunits; i++)
        printf("%-16s %14" PRIu64 " %8.1f\n", res.units[i].name, res.units[i].busy,
               100.0 * res.units[i].utilization);
    printf("\n%-8s %-14s %-9s %16s %16s\n", "phase", "op", "unit", "cycles", "MACs");
    for (size_t i = 0; i < res.nops; i++)
        printf("%-8s %-14s %-9s %16" PRIu64 " %16" PRIu64 "\n", mapper_phase_name(res.ops[i].phase),
               res.ops[i].name, mapper_unit_name(res.ops[i].unit), res.ops[i].cycles,
               res.ops[i].macs);
    if (timeline_path)
        printf("\ntimeline of the prefill and the first decode step: %s\n"
               "(open it in https://ui.perfetto.dev or chrome://tracing)\n",
               timeline_path);

    llm_costs_t costs;
    if (llm_costs(&tech, &hw, &res, &costs, err, sizeof err) != 0) {
        fprintf(stderr, "codesim run: energy on %s: %s\n", tech.node, err);
        goto out;
    }
    print_llm_costs(&tech, &costs);

    const db_run_t dbrun = {"npu", hw_path, &hw, model_path, &wl, wall};
    const db_llm_t llm = {model.name, npu_mode_name(mode), &run, &hw.npu};
    int64_t id;
    if (db_record_llm_costs(db, &dbrun, &llm, &res, costs.rows, costs.nrows, &id, err,
                            sizeof err) != 0) {
        fprintf(stderr, "codesim run: %s: %s\n", db_path, err);
        goto out;
    }
    printf("stored as run %lld in %s (simulated in %.3f s)\n", (long long)id, db_path, wall);
    rc = 0;
out:
    if (tl)
        fclose(tl);
    npu_result_free(&res);
    db_close(db);
    free(wl.text);
    hw_free(&hw);
    return rc;
}

/* bench: wall time to simulate one decode step of Llama-2-7B at batch 32
 * and context 2048 on configs/npu_pim.yaml (4 cores, HBM2 with PIM), as the
 * time of prefill + one decode step minus the time of the prefill alone. */
int bench_npu(void)
{
    char err[512], hw_file[4096], model_file[4096];
    hw_cfg_t hw;
    mapper_model_t model;
    io_data_path("configs/npu_pim.yaml", hw_file, sizeof hw_file);
    io_data_path("traces/models/llama-2-7b.json", model_file, sizeof model_file);
    if (hw_load(hw_file, &hw, err, sizeof err) != 0 ||
        workload_model_load(model_file, &model, err, sizeof err) != 0) {
        fprintf(stderr, "bench npu: %s\n", err);
        return 1;
    }
    printf("\ncodesim bench: one Llama-2-7B decode step, batch 32, context 2048, %u cores + PIM\n",
           hw.npu.cores);
    printf("%-12s %14s %14s %16s\n", "mode", "prefill s", "decode step s", "TPOT (simulated)");
    int rc = 0;
    for (int m = NPU_ONLY; m <= NPU_PIM_NEUPIMS && rc == 0; m++) {
        llm_hw_t lh;
        if (llm_hw(&hw, npu_mode_name((npu_mode_t)m), 32, &lh, err, sizeof err) != 0) {
            fprintf(stderr, "bench npu: %s\n", err);
            rc = 1;
            break;
        }
        const npu_hw_t nh = lh.nh;
        double t[2];
        npu_result_t res = {0};
        for (int gen = 1; gen <= 2 && rc == 0; gen++) {
            const mapper_run_t run = {32, 2048, (uint64_t)gen, 8, 8, 8};
            const double t0 = cli_now();
            if (npu_run(&nh, &model, &run, &res, NULL, err, sizeof err) != 0) {
                fprintf(stderr, "bench npu: %s\n", err);
                rc = 1;
            }
            t[gen - 1] = cli_now() - t0;
            if (gen == 1)
                npu_result_free(&res);
        }
        if (rc == 0)
            printf("%-12s %14.3f %14.3f %13.3f ms\n", npu_mode_name((npu_mode_t)m), t[0],
                   t[1] - t[0], res.tpot_s * 1e3);
        npu_result_free(&res);
    }
    hw_free(&hw);
    return rc;
}

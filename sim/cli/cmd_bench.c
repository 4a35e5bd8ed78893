/* cmd_bench.c - `codesim bench`: simulated cycles per second of the fast
 * path, the cycle-by-cycle path and the Verilated RTL on the same GEMMs. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../io/config.h"
#include "../../models/engine.h"
#include "../../models/lut_tc.h"
#include "../harness/systolic_rtl.h"
#include "../cost/tech_file.h"
#include "../io/workload.h"
#include "../run/run.h"

#include "../io/paths.h"

static const char bench_usage[] =
    "usage: codesim bench [--rows R] [--cols C] [--m M] [--n N] [--k K] [--no-rtl] [--process] [--ctrl]\n"
    "\n"
    "Times one GEMM (default 256 x 256 x 256 on a 16 x 16 array) in each dataflow\n"
    "on the fast path, the cycle-by-cycle path (which also computes the values) and\n"
    "the Verilated RTL, and prints simulated cycles per second and their ratios.\n"
    "\n"
    "  --rows R, --cols C   array shape (default 16 x 16)\n"
    "  --m M, --n N, --k K  GEMM dimensions (default 256 each)\n"
    "  --no-rtl             leave out the Verilated RTL (default: timed too)\n"
    "  --process            only the whole-process timings (start-up, a SCALE-Sim layer\n"
    "                       file, a DRAM trace; the last part of the full bench)\n"
    "  --ctrl               only dram.timing: controller against the fixed channel\n"
    "                       (ResNet-18, a 7B decoder layer at decode; part of the full bench)\n"
    "\n"
    "EXAMPLES\n"
    "  codesim bench\n"
    "  codesim bench --rows 32 --cols 32 --m 512 --n 512 --k 512 --no-rtl\n"
    "  codesim bench --process\n";

/* One thing to time: the fast path, the cycle path or the RTL on one GEMM. */
typedef struct {
    enum { RUN_FAST, RUN_CYCLE, RUN_RTL } what;
    const hw_cfg_t *hw;
    const systolic_gemm_t *g;
    const int32_t *a, *b;
    int32_t *o;
    systolic_rtl_t *rtl;
    uint64_t cycles;      /* simulated array cycles of one run */
    int failed;
    char err[512];
} bench_run_t;

static int run_once(bench_run_t *r)
{
    layer_stats_t st;
    ports_rec_t act;
    switch (r->what) {
    case RUN_FAST:
    case RUN_CYCLE: {
        const int cyc = r->what == RUN_CYCLE;
        if (engine_run_gemm(r->hw, r->g, cyc ? ENGINE_CYCLE : ENGINE_FAST, cyc ? r->a : NULL,
                            cyc ? r->b : NULL, cyc ? r->o : NULL, &st, r->err, sizeof r->err))
            return -1;
        r->cycles = st.compute_cycles;
        return 0;
    }
    case RUN_RTL:
        if (systolic_rtl_run(r->rtl, r->hw->array.dataflow, r->g, r->a, r->b, r->o,
                             4 * r->cycles + 1000, &act, r->err, sizeof r->err))
            return -1;
        r->cycles = act.cycles;
        return 0;
    }
    return -1;
}

/* Repeats the run until min_s seconds have passed, for a timing well above
 * the clock's resolution; *cps = simulated cycles per second. */
static int per_second(bench_run_t *r, double min_s, double *cps)
{
    uint64_t reps = 0;
    double t;
    const double t0 = util_now_s();
    do {
        if (run_once(r) != 0) {
            r->failed = 1;
            return -1;
        }
        reps++;
        t = util_now_s() - t0;
    } while (t < min_s);
    *cps = (double)r->cycles * (double)reps / t;
    return 0;
}

/* bench (issue 14): wall time of one 2^24 x 2^24 x 2^15 layer (2^32 folds
 * of 16 steps each) on a 256 x 256 array, fast path, per dataflow: the fast
 * path finishes runs of identical folds by arithmetic, so this takes
 * milliseconds, not the hours of walking 2^36 steps. */
static int bench_huge_layer(void)
{
    hw_cfg_t hw;
    hw_defaults(&hw);
    hw.array.rows = hw.array.cols = 256;
    hw.sram = (sram_cfg_t){1 << 20, 1 << 20, 1 << 22};
    const systolic_gemm_t g = {1ull << 24, 1ull << 24, 1ull << 15};
    printf("codesim bench: 2^24 x 2^24 x 2^15 layer on 256 x 256, fast path\n");
    int rc = 0;
    for (int df = SYSTOLIC_OS; df <= SYSTOLIC_IS && rc == 0; df++) {
        hw.array.dataflow = (systolic_dataflow_t)df;
        layer_stats_t st;
        char err[256];
        const double t0 = util_now_s();
        rc = engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err, sizeof err);
        const double ms = (util_now_s() - t0) * 1e3;
        if (rc != 0)
            cli_err("codesim bench: %s\n", err);
        else
            printf("%-4s %.4g steps, %.4g cycles in %.3f ms\n",
                   systolic_dataflow_name((systolic_dataflow_t)df), (double)st.steps,
                   (double)st.total_cycles, ms);
    }
    hw_free(&hw);
    if (rc == 0) {
        /* The LUT unit: 2^15 x 2^16 x 2^16 in 1 x 1 x 4 tiles, about 2^45 steps. */
        lut_cfg_t c;
        lut_defaults(&c);
        c.tm = c.tn = 1;
        c.tk = c.g;
        c.table_entries = lut_entries(&c);
        const lut_gemm_t lg = {1u << 15, 1u << 16, 1u << 16};
        lut_stats_t ls;
        char err[256];
        const double t0 = util_now_s();
        rc = lut_run(&c, &lg, LUT_FAST, NULL, NULL, NULL, &ls, err, sizeof err);
        const double ms = (util_now_s() - t0) * 1e3;
        if (rc != 0)
            cli_err("codesim bench: %s\n", err);
        else
            printf("lut  2^15 x 2^16 x 2^16 in 1x1x%u tiles: %.4g steps, %.4g cycles in %.3f ms\n",
                   c.tk, (double)ls.steps, (double)ls.total_cycles, ms);
    }
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    uint64_t rows = 16, cols = 16, m = 256, n = 256, k = 256;
    int no_rtl = 0, process_only = 0;
    static const struct option opts[] = {
        {"rows", required_argument, 0, 'r'}, {"cols", required_argument, 0, 'c'},
        {"m", required_argument, 0, 'M'},    {"n", required_argument, 0, 'N'},
        {"k", required_argument, 0, 'K'},    {"no-rtl", no_argument, 0, 'x'},
        {"process", no_argument, 0, 'P'},    {"ctrl", no_argument, 0, 'C'},
        {"help", no_argument, 0, 'H'},       {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = cli_getopt("bench", argc, argv, opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'r': bad = cli_uint("bench", "rows", optarg, 1, SYSTOLIC_MAX_DIM, &rows); break;
        case 'c': bad = cli_uint("bench", "cols", optarg, 1, SYSTOLIC_MAX_DIM, &cols); break;
        case 'M': bad = cli_uint("bench", "m", optarg, 1, 4096, &m); break;
        case 'N': bad = cli_uint("bench", "n", optarg, 1, 4096, &n); break;
        case 'K': bad = cli_uint("bench", "k", optarg, 1, 4096, &k); break;
        case 'x': no_rtl = 1; break;
        case 'P': process_only = 1; break;
        case 'C': return bench_ctrl() ? 1 : 0;
        case 'H': fputs(bench_usage, stdout); return 0;
        default: return 2;
        }
        if (bad)
            return 2;
    }
    if (process_only)
        return bench_process();
    hw_cfg_t hw;
    hw_defaults(&hw);
    hw.array.rows = (uint32_t)rows;
    hw.array.cols = (uint32_t)cols;
    const systolic_gemm_t g = {m, n, k};
    int32_t *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b);
    int32_t *o = malloc(m * n * sizeof *o);
    if (!a || !b || !o) {
        cli_err("codesim bench: out of memory\n");
        free(a);
        free(b);
        free(o);
        return 1;
    }
    uint64_t s = 88172645463325252ull;
    for (uint64_t i = 0; i < m * k; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        a[i] = (int8_t)s;
    }
    for (uint64_t i = 0; i < k * n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        b[i] = (int8_t)s;
    }
    printf("codesim bench: %" PRIu64 " x %" PRIu64 " x %" PRIu64 " GEMM on a %" PRIu64 " x %" PRIu64
           " array (simulated array cycles per wall-clock second)\n",
           m, n, k, rows, cols);
    printf("%-4s %12s %14s %14s %14s %12s %12s\n", "df", "cycles", "fast cyc/s", "cycle cyc/s",
           "rtl cyc/s", "fast/rtl", "cycle/rtl");
    bench_run_t r = {.hw = &hw, .g = &g, .a = a, .b = b, .o = o};
    int rc = 0;
    for (int df = SYSTOLIC_OS; df <= SYSTOLIC_IS && rc == 0; df++) {
        hw.array.dataflow = (systolic_dataflow_t)df;
        double fast_cps, cyc_cps, rtl_cps = 0;
        r.what = RUN_FAST;
        if (per_second(&r, 0.2, &fast_cps) != 0)
            break;
        const uint64_t cycles = r.cycles;
        r.what = RUN_CYCLE;
        if (per_second(&r, 0.5, &cyc_cps) != 0)
            break;
        if (!no_rtl) {
            if (!r.rtl) {
                r.rtl = systolic_rtl_open(&hw.array, NULL, r.err, sizeof r.err);
                if (!r.rtl) {
                    rc = 1;
                    break;
                }
            }
            r.what = RUN_RTL;
            if (per_second(&r, 0.5, &rtl_cps) != 0)
                break;
        }
        printf("%-4s %12" PRIu64 " %14.3g %14.3g %14.3g %12.0f %12.1f\n",
               systolic_dataflow_name((systolic_dataflow_t)df), cycles, fast_cps, cyc_cps, rtl_cps,
               rtl_cps > 0 ? fast_cps / rtl_cps : 0.0, rtl_cps > 0 ? cyc_cps / rtl_cps : 0.0);
    }
    rc |= r.failed;
    if (rc)
        cli_err("codesim bench: %s\n", r.err);
    systolic_rtl_close(r.rtl);
    hw_free(&hw);
    free(a);
    free(b);
    free(o);
    if (rc == 0 && bench_huge_layer() != 0)
        rc = 1;
    if (rc == 0 && bench_dram() != 0)
        rc = 1;
    if (rc == 0 && bench_ctrl() != 0)
        rc = 1;
    if (rc == 0 && bench_map() != 0)
        rc = 1;
    if (rc == 0 && bench_pim() != 0)
        rc = 1;
    if (rc == 0 && bench_npu() != 0)
        rc = 1;
    if (rc == 0 && bench_moe() != 0)
        rc = 1;
    if (rc == 0 && bench_serve() != 0)
        rc = 1;
    if (rc == 0 && bench_lut() != 0)
        rc = 1;
    if (rc == 0)
        rc = bench_sweep();
    if (rc == 0 && bench_process() != 0)
        rc = 1;
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
        cli_err("bench npu: %s\n", err);
        return 1;
    }
    tech_t tech;
    char tech_file[600];
    tech_path("45nm", tech_file, sizeof tech_file);
    if (tech_load(tech_file, &tech, err, sizeof err) != 0) {
        cli_err("bench npu: %s\n", err);
        hw_free(&hw);
        return 1;
    }
    printf("\ncodesim bench: one Llama-2-7B decode step, batch 32, context 2048, %u cores + PIM\n",
           hw.npu.cores);
    printf("%-12s %14s %14s %16s\n", "mode", "prefill s", "decode step s", "TPOT (simulated)");
    int rc = 0;
    for (int m = NPU_ONLY; m <= NPU_PIM_NEUPIMS && rc == 0; m++) {
        double t[2];
        sim_result_t res = {0};
        for (int gen = 1; gen <= 2 && rc == 0; gen++) {
            const sim_workload_t wl = {SIM_MODEL, NULL, &model, {32, 2048, (uint64_t)gen, 8, 8, 8},
                                       ENGINE_FAST, npu_mode_name((npu_mode_t)m), NULL};
            const double t0 = util_now_s();
            if (sim_run(&hw, &tech, &wl, &res, err, sizeof err) != 0) {
                cli_err("bench npu: %s\n", err);
                rc = 1;
            }
            t[gen - 1] = util_now_s() - t0;
            if (gen == 1)
                sim_result_free(&res);
        }
        if (rc == 0)
            printf("%-12s %14.3f %14.3f %13.3f ms\n", npu_mode_name((npu_mode_t)m), t[0],
                   t[1] - t[0], res.npu.tpot_s * 1e3);
        sim_result_free(&res);
    }
    hw_free(&hw);
    return rc;
}

/* bench: wall time to simulate one decode step of Mixtral-8x7B and of
 * DeepSeek-V2-Lite (MoE, MLA) at batch 32 and context 2048 on
 * configs/npu_pim.yaml, measured as bench_npu does (prefill + one step minus
 * the prefill).  Target: each under 2 s on one core (issue 11). */
int bench_moe(void)
{
    static const char *const models[] = {"mixtral-8x7b", "deepseek-v2-lite"};
    char err[512], hw_file[4096], model_file[4096], rel[128];
    hw_cfg_t hw;
    tech_t tech;
    char tech_file[600];
    io_data_path("configs/npu_pim.yaml", hw_file, sizeof hw_file);
    tech_path("45nm", tech_file, sizeof tech_file);
    if (hw_load(hw_file, &hw, err, sizeof err) != 0) {
        cli_err("bench moe: %s\n", err);
        return 1;
    }
    if (tech_load(tech_file, &tech, err, sizeof err) != 0) {
        cli_err("bench moe: %s\n", err);
        hw_free(&hw);
        return 1;
    }
    printf("\ncodesim bench: one MoE decode step, batch 32, context 2048, %u cores + PIM "
           "(target < 2 s each)\n", hw.npu.cores);
    printf("%-18s %12s %14s %16s %16s\n", "model", "prefill s", "decode step s",
           "TPOT (simulated)", "experts/step");
    int rc = 0;
    for (size_t i = 0; i < sizeof models / sizeof models[0] && rc == 0; i++) {
        mapper_model_t model;
        snprintf(rel, sizeof rel, "traces/models/%s.json", models[i]);
        io_data_path(rel, model_file, sizeof model_file);
        if (workload_model_load(model_file, &model, err, sizeof err) != 0) {
            cli_err("bench moe: %s\n", err);
            rc = 1;
            break;
        }
        /* the best of two runs each: the prefill dominates and the
         * difference is small next to the noise of a shared machine */
        double t[2] = {1e30, 1e30};
        sim_result_t res = {0};
        for (int rep = 0; rep < 4 && rc == 0; rep++) {
            const int gen = 1 + rep % 2;
            const sim_workload_t wl = {SIM_MODEL, NULL, &model, {32, 2048, (uint64_t)gen, 8, 8, 8},
                                       ENGINE_FAST, NULL, NULL};
            sim_result_free(&res);
            const double t0 = util_now_s();
            if (sim_run(&hw, &tech, &wl, &res, err, sizeof err) != 0) {
                cli_err("bench moe: %s: %s\n", models[i], err);
                rc = 1;
            }
            const double dt = util_now_s() - t0;
            t[gen - 1] = dt < t[gen - 1] ? dt : t[gen - 1];
        }
        if (rc == 0)
            printf("%-18s %12.3f %14.3f %13.3f ms %16.1f\n", models[i], t[0], t[1] - t[0],
                   res.npu.tpot_s * 1e3, res.npu.experts_per_decode_step);
        sim_result_free(&res);
    }
    hw_free(&hw);
    return rc;
}

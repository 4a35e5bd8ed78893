/* cmd_bench.c - `codesim bench`: simulated cycles per second of the fast
 * path, the cycle-by-cycle path and the Verilated RTL on the same GEMMs. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "engine.h"
#include "rtl.h"

static const char bench_usage[] =
    "usage: codesim bench [--rows R] [--cols C] [--m M] [--n N] [--k K] [--no-rtl]\n"
    "\n"
    "Times one GEMM (default 256 x 256 x 256 on a 16 x 16 array) in each dataflow\n"
    "on the fast path, the cycle-by-cycle path (which also computes the values) and\n"
    "the Verilated RTL, and prints simulated cycles per second and their ratios.\n";

int cmd_bench(int argc, char **argv)
{
    uint64_t rows = 16, cols = 16, m = 256, n = 256, k = 256;
    int no_rtl = 0;
    static const struct option opts[] = {
        {"rows", required_argument, 0, 'r'}, {"cols", required_argument, 0, 'c'},
        {"m", required_argument, 0, 'M'},    {"n", required_argument, 0, 'N'},
        {"k", required_argument, 0, 'K'},    {"no-rtl", no_argument, 0, 'x'},
        {"help", no_argument, 0, 'H'},       {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'r': bad = cli_uint("bench", "rows", optarg, 1, SYSTOLIC_MAX_DIM, &rows); break;
        case 'c': bad = cli_uint("bench", "cols", optarg, 1, SYSTOLIC_MAX_DIM, &cols); break;
        case 'M': bad = cli_uint("bench", "m", optarg, 1, 4096, &m); break;
        case 'N': bad = cli_uint("bench", "n", optarg, 1, 4096, &n); break;
        case 'K': bad = cli_uint("bench", "k", optarg, 1, 4096, &k); break;
        case 'x': no_rtl = 1; break;
        case 'H': fputs(bench_usage, stdout); return 0;
        default: fputs(bench_usage, stderr); return 2;
        }
        if (bad)
            return 2;
    }
    hw_cfg_t hw;
    hw_defaults(&hw);
    hw.array.rows = (uint32_t)rows;
    hw.array.cols = (uint32_t)cols;
    const systolic_gemm_t g = {m, n, k};
    int32_t *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b);
    int32_t *o = malloc(m * n * sizeof *o);
    if (!a || !b || !o) {
        fprintf(stderr, "codesim bench: out of memory\n");
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
    char err[512];
    int rc = 0;
    rtl_systolic_t *rtl = NULL;
    for (int df = SYSTOLIC_OS; df <= SYSTOLIC_IS && rc == 0; df++) {
        hw.array.dataflow = (systolic_dataflow_t)df;
        layer_stats_t st;
        /* Fast path: repeat until the timing is well above clock resolution. */
        uint64_t reps = 0;
        double t0 = cli_now(), t_fast;
        do {
            if (engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err, sizeof err)) {
                rc = 1;
                break;
            }
            reps++;
            t_fast = cli_now() - t0;
        } while (t_fast < 0.2);
        if (rc)
            break;
        const uint64_t cycles = st.compute_cycles;
        const double fast_cps = (double)cycles * (double)reps / t_fast;
        /* Cycle path (values included), repeated for a stable time. */
        double t_cyc;
        reps = 0;
        t0 = cli_now();
        do {
            if (engine_run_gemm(&hw, &g, ENGINE_CYCLE, a, b, o, &st, err, sizeof err)) {
                rc = 1;
                break;
            }
            reps++;
            t_cyc = cli_now() - t0;
        } while (t_cyc < 0.5);
        if (rc)
            break;
        const double cyc_cps = (double)st.compute_cycles * (double)reps / t_cyc;
        double rtl_cps = 0;
        if (!no_rtl) {
            if (!rtl) {
                hw.array.dataflow = SYSTOLIC_OS;
                rtl = rtl_systolic_open(&hw.array, err, sizeof err);
                hw.array.dataflow = (systolic_dataflow_t)df;
                if (!rtl) {
                    rc = 1;
                    break;
                }
            }
            rtl_activity_t act;
            double t_rtl;
            reps = 0;
            t0 = cli_now();
            do {
                if (rtl_systolic_run(rtl, (systolic_dataflow_t)df, &g, a, b, o, 4 * cycles + 1000,
                                     &act, err, sizeof err)) {
                    rc = 1;
                    break;
                }
                reps++;
                t_rtl = cli_now() - t0;
            } while (t_rtl < 0.5);
            if (rc)
                break;
            rtl_cps = (double)act.cycles * (double)reps / t_rtl;
        }
        printf("%-4s %12" PRIu64 " %14.3g %14.3g %14.3g %12.0f %12.1f\n",
               systolic_dataflow_name((systolic_dataflow_t)df), cycles, fast_cps, cyc_cps, rtl_cps,
               rtl_cps > 0 ? fast_cps / rtl_cps : 0.0, rtl_cps > 0 ? cyc_cps / rtl_cps : 0.0);
    }
    if (rc)
        fprintf(stderr, "codesim bench: %s\n", err);
    rtl_systolic_close(rtl);
    hw_free(&hw);
    free(a);
    free(b);
    free(o);
    return rc;
}

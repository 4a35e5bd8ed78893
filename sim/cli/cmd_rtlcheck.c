/* cmd_rtlcheck.c - `codesim rtlcheck`: random GEMMs on the C model's
 * cycle-by-cycle array and on the Verilated RTL; values, cycle counts and the
 * memory-port activity of every cycle must agree, and values must equal the
 * naive reference GEMM. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../db/db.h"
#include "../harness/rtl.h"

static const char rtlcheck_usage[] =
    "usage: codesim rtlcheck --block systolic --rows R --cols C --dataflow os|ws|is\n"
    "       codesim rtlcheck --block pim ...   (see codesim rtlcheck --block pim --help)\n"
    "       codesim rtlcheck --block lut ...   (see codesim rtlcheck --block lut --help)\n"
    "                        [--m M --n N --k K] [--trials T] [--seed S] [--db FILE]\n"
    "                        [--in-bits B] [--w-bits B] [--acc-bits B]\n"
    "\n"
    "Runs T random cases on the C model and on the Verilated RTL of an R x C array\n"
    "(built on first use per shape) and compares output values (also against a\n"
    "naive GEMM), cycle counts, and every cycle's memory reads and writes.\n"
    "Dimensions left out are drawn at random per case: 1, multiples of the array,\n"
    "odd sizes, and K far larger than the array.  Every case is logged to the\n"
    "database.  The last line is\n"
    "  rtlcheck: <cases> cases, <c> cycle mismatches, <v> value mismatches\n"
    "and the exit status is non-zero on any mismatch.\n"
    "\n"
    "  --trials T   cases to run (default 100)      --seed S   random seed (default 1)\n"
    "  --in-bits, --w-bits  operand widths (default 8), --acc-bits (default 32)\n"
    "  --db FILE    results database (default results.db)\n";

static void fill(uint64_t *rng, int32_t *x, uint64_t n, uint32_t bits)
{
    for (uint64_t i = 0; i < n; i++)
        x[i] = systolic_wrap((int64_t)cli_rng_next(rng), bits);
}

int cmd_rtlcheck(int argc, char **argv)
{
    const char *block = NULL, *df_s = NULL, *db_path = "results.db";
    uint64_t rows = 0, cols = 0, m = 0, n = 0, k = 0, trials = 100, seed = 1;
    uint64_t in_bits = 8, w_bits = 8, acc_bits = 32;
    static const struct option opts[] = {
        {"block", required_argument, 0, 'b'},  {"rows", required_argument, 0, 'r'},
        {"cols", required_argument, 0, 'c'},   {"dataflow", required_argument, 0, 'f'},
        {"m", required_argument, 0, 'M'},      {"n", required_argument, 0, 'N'},
        {"k", required_argument, 0, 'K'},      {"trials", required_argument, 0, 't'},
        {"seed", required_argument, 0, 's'},   {"db", required_argument, 0, 'd'},
        {"in-bits", required_argument, 0, 'i'}, {"w-bits", required_argument, 0, 'w'},
        {"acc-bits", required_argument, 0, 'a'}, {"help", no_argument, 0, 'H'},
        {0, 0, 0, 0}};
    /* Blocks other than the systolic array have their own checks. */
    for (int i = 1; i < argc; i++)
        if ((!strcmp(argv[i], "--block") && i + 1 < argc && !strcmp(argv[i + 1], "pim")) ||
            !strcmp(argv[i], "--block=pim"))
            return rtlcheck_pim(argc, argv);
    for (int i = 1; i < argc; i++)
        if ((!strcmp(argv[i], "--block") && i + 1 < argc && !strcmp(argv[i + 1], "lut")) ||
            !strcmp(argv[i], "--block=lut"))
            return rtlcheck_lut(argc, argv);
    int c, bad = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *o = NULL;
        uint64_t *dst = NULL, lo = 1, hi = SYSTOLIC_MAX_DIM;
        switch (c) {
        case 'b': block = optarg; break;
        case 'f': df_s = optarg; break;
        case 'd': db_path = optarg; break;
        case 'r': o = "rows"; dst = &rows; break;
        case 'c': o = "cols"; dst = &cols; break;
        case 'M': o = "m"; dst = &m; hi = 1 << 14; break;
        case 'N': o = "n"; dst = &n; hi = 1 << 14; break;
        case 'K': o = "k"; dst = &k; hi = 1 << 14; break;
        case 't': o = "trials"; dst = &trials; hi = 1000000; break;
        case 's': o = "seed"; dst = &seed; lo = 0; hi = UINT64_MAX; break;
        case 'i': o = "in-bits"; dst = &in_bits; hi = SYSTOLIC_MAX_OPERAND_BITS; break;
        case 'w': o = "w-bits"; dst = &w_bits; hi = SYSTOLIC_MAX_OPERAND_BITS; break;
        case 'a': o = "acc-bits"; dst = &acc_bits; lo = 2; hi = SYSTOLIC_MAX_ACC_BITS; break;
        case 'H': fputs(rtlcheck_usage, stdout); return 0;
        default: fputs(rtlcheck_usage, stderr); return 2;
        }
        if (dst && cli_uint("rtlcheck", o, optarg, lo, hi, dst) != 0)
            bad = 1;
    }
    if (bad)
        return 2;
    if (!block || strcmp(block, "systolic") != 0) {
        fprintf(stderr, "codesim rtlcheck: --block: '%s' is not a block with RTL (systolic, pim, lut)\n",
                block ? block : "");
        return 2;
    }
    systolic_cfg_t cfg = {(uint32_t)rows, (uint32_t)cols, SYSTOLIC_OS, (uint32_t)in_bits,
                          (uint32_t)w_bits, (uint32_t)acc_bits};
    if (!rows || !cols) {
        fprintf(stderr, "codesim rtlcheck: --%s: missing\n", rows ? "cols" : "rows");
        return 2;
    }
    if (!df_s || systolic_dataflow_parse(df_s, &cfg.dataflow) != 0) {
        fprintf(stderr, "codesim rtlcheck: --dataflow: '%s' is not os, ws or is\n",
                df_s ? df_s : "");
        return 2;
    }

    char err[512];
    db_t *db = NULL;
    if (db_open(db_path, &db, err, sizeof err) != 0) {
        fprintf(stderr, "codesim rtlcheck: %s\n", err);
        return 1;
    }
    rtl_systolic_t *rtl = rtl_systolic_open(&cfg, err, sizeof err);
    if (!rtl) {
        fprintf(stderr, "codesim rtlcheck: %s\n", err);
        db_close(db);
        return 1;
    }
    db_rtl_case_t *cases = calloc(trials, sizeof *cases);
    uint64_t rng = cli_rng_seed(seed);
    uint64_t cyc_bad = 0, val_bad = 0, port_bad = 0, ran = 0;
    const uint64_t base = rows > cols ? rows : cols;
    int rc = cases ? 0 : 1;
    for (uint64_t t = 0; t < trials && rc == 0; t++) {
        /* far: K up to 12x the array */
        const systolic_gemm_t g = {m ? m : cli_rand_dim(&rng, base, 12),
                                   n ? n : cli_rand_dim(&rng, base, 12),
                                   k ? k : cli_rand_dim(&rng, base, 12)};
        int32_t *a = malloc(g.m * g.k * sizeof *a), *b = malloc(g.k * g.n * sizeof *b);
        int32_t *om = malloc(g.m * g.n * sizeof *om), *orr = malloc(g.m * g.n * sizeof *orr);
        int32_t *oref = malloc(g.m * g.n * sizeof *oref);
        rtl_activity_t am, ar;
        if (!a || !b || !om || !orr || !oref) {
            fprintf(stderr, "codesim rtlcheck: out of memory\n");
            rc = 1;
        } else {
            fill(&rng, a, g.m * g.k, cfg.in_bits);
            fill(&rng, b, g.k * g.n, cfg.w_bits);
            systolic_reference_gemm(&cfg, &g, a, b, oref);
            if (rtl_model_run(&cfg, &g, a, b, om, &am) != 0 ||
                rtl_systolic_run(rtl, cfg.dataflow, &g, a, b, orr, 4 * am.cycles + 1000, &ar,
                                 err, sizeof err) != 0) {
                fprintf(stderr, "codesim rtlcheck: case %" PRIu64 ": %s\n", t, err);
                ar.cycles = 0;
                memset(orr, 0, g.m * g.n * sizeof *orr);
            }
            uint64_t vm = 0;
            for (uint64_t i = 0; i < g.m * g.n; i++)
                vm += om[i] != orr[i] || om[i] != oref[i];
            const int ports = am.a_reads == ar.a_reads && am.b_reads == ar.b_reads &&
                              am.o_writes == ar.o_writes && am.o_acc_writes == ar.o_acc_writes &&
                              am.trace_hash == ar.trace_hash;
            cases[t] = (db_rtl_case_t){g.m, g.n, g.k, am.cycles, ar.cycles, vm, ports};
            cyc_bad += am.cycles != ar.cycles;
            val_bad += vm != 0;
            port_bad += !ports;
            ran++;
            if (am.cycles != ar.cycles || vm || !ports)
                fprintf(stderr,
                        "rtlcheck: case %" PRIu64 " M=%" PRIu64 " N=%" PRIu64 " K=%" PRIu64
                        ": model %" PRIu64 " cycles, RTL %" PRIu64 " cycles, %" PRIu64
                        " values differ, port activity %s\n",
                        t, g.m, g.n, g.k, am.cycles, ar.cycles, vm, ports ? "equal" : "DIFFERS");
        }
        free(a);
        free(b);
        free(om);
        free(orr);
        free(oref);
    }
    rtl_systolic_close(rtl);
    if (ran) {
        const db_rtl_check_t chk = {"systolic", &cfg, NULL, seed, cyc_bad, val_bad, port_bad};
        int64_t id;
        if (db_record_rtlcheck(db, &chk, cases, ran, &id, err, sizeof err) != 0) {
            fprintf(stderr, "codesim rtlcheck: %s: %s\n", db_path, err);
            rc = 1;
        }
    }
    free(cases);
    db_close(db);
    printf("rtlcheck: %s %ux%u, memory-port activity equal every cycle in %" PRIu64
           " of %" PRIu64 " cases\n",
           systolic_dataflow_name(cfg.dataflow), cfg.rows, cfg.cols, ran - port_bad, ran);
    printf("rtlcheck: %" PRIu64 " cases, %" PRIu64 " cycle mismatches, %" PRIu64
           " value mismatches\n",
           ran, cyc_bad, val_bad);
    return rc != 0 || cyc_bad || val_bad || port_bad || ran < trials ? 1 : 0;
}

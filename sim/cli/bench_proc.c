/* bench_proc.c - `codesim bench`: whole codesim processes, as a user (and
 * `make compare`, issue 17) starts them: the start-up alone, a SCALE-Sim
 * layer file and a DRAM trace, each the median wall time of several runs of
 * this very binary, spawned with an argument vector (sim/io/spawn.h).  The
 * inputs are written to a temporary directory first (the same kinds of
 * files tests/scalesim_compare.sh and tests/peers/compare_dramsim3.sh feed
 * both tools), so the numbers move only when codesim does. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../../models/dram.h"
#include "../../models/dram_ctrl.h"
#include "../../models/util.h"
#include "../io/outfile.h"
#include "../io/spawn.h"

#define BENCH_RUNS 5
#define BENCH_START_RUNS 21
#define BENCH_TRACE_REQS 100000u

static int cmp_dbl(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median wall time of `runs` runs of argv (output to /dev/null); -1 with
 * err when a run fails. */
static int median_wall(const char *const argv[], int runs, double *out, char *err, size_t errlen)
{
    double t[BENCH_START_RUNS];
    if (runs > BENCH_START_RUNS)
        runs = BENCH_START_RUNS;
    for (int i = 0; i < runs; i++) {
        const double t0 = util_now_s();
        const int rc = io_spawn(argv, "/dev/null", err, errlen);
        t[i] = util_now_s() - t0;
        if (rc != 0) {
            if (rc > 0)
                snprintf(err, errlen, "codesim %s: exit status %d", argv[1], rc);
            return -1;
        }
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_dbl);
    *out = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    return 0;
}

/* BENCH_TRACE_REQS reads of HBM2_8Gb_x128 bursts, all at cycle 0 (the
 * saturation case of the DRAMsim3 comparison): consecutive or random. */
static int write_trace(const char *path, int random, char *err, size_t errlen)
{
    dram_ctrl_cfg_t cfg;
    dram_ctrl_defaults(&cfg);
    if (dram_ctrl_cfg_set(&cfg, "preset", "HBM2_8Gb_x128", err, errlen))
        return -1;
    const uint64_t bb = dram_burst_bytes(&cfg.dev), bursts = dram_capacity(&cfg.dev) / bb;
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; i < BENCH_TRACE_REQS; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        fprintf(f, "0 0x%" PRIx64 " R\n", (random ? s % bursts : i % bursts) * bb);
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int bench_process(void)
{
    char self[4096], dir[] = "/tmp/codesim-bench-XXXXXX", err[512] = "";
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        cli_err("bench process: /proc/self/exe: %s\n", strerror(errno));
        return 1;
    }
    self[n] = '\0';
    if (!mkdtemp(dir)) {
        cli_err("bench process: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    char cfg[64], sample[64], gemm[64], hw[64], seq[64], rnd[64];
    snprintf(cfg, sizeof cfg, "%s/c.cfg", dir);
    snprintf(sample, sizeof sample, "%s/sample.csv", dir);
    snprintf(gemm, sizeof gemm, "%s/gemm.csv", dir);
    snprintf(hw, sizeof hw, "%s/hw.yaml", dir);
    snprintf(seq, sizeof seq, "%s/seq.trace", dir);
    snprintf(rnd, sizeof rnd, "%s/rand.trace", dir);
    /* tests/scalesim_compare.sh's configuration on its smallest array, the
     * rows of tests/data/scalesim_sample.csv and SCALE-Sim's own
     * topologies/GEMM_mnk/test_mnk_input.csv */
    int rc = io_out_write_text(cfg,
                        "[general]\nrun_name = r\n\n[architecture_presets]\nArrayHeight: 8\n"
                        "ArrayWidth: 8\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\n"
                        "IfmapOffset: 0\nFilterOffset: 10000000\nOfmapOffset: 20000000\n"
                        "Bandwidth : 10\nDataflow : os\nMemoryBanks: 1\n\n[run_presets]\n"
                        "InterfaceBandwidth: USER\n",
                        err, sizeof err);
    rc = rc ? rc
            : io_out_write_text(sample,
                         "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                         "Channels, Num Filter, Strides,\nConv16_dw,14,14,3,3,1,1,2,\n"
                         "LSTM1,  1, 100,    1, 100,      1,      4,     1,\n"
                         "Embedding/Pooling,128,16,1,16,1,24,1,\n"
                         "Character_Language_Modelling_gate_x, 1, 1, 1, 1, 256, 4, 1,\n"
                         "ConvDP, 9, 9, 3, 3, 3, 1, 1,\n",
                         err, sizeof err);
    rc = rc ? rc : io_out_write_text(gemm, "Layer Name, M, N, K,\nTest 1, 128, 64, 256,\n", err, sizeof err);
    rc = rc ? rc
            : io_out_write_text(hw, "dram:\n  preset: HBM2_8Gb_x128\n  controller: dramsim3\n", err,
                         sizeof err);
    rc = rc ? rc : write_trace(seq, 0, err, sizeof err);
    rc = rc ? rc : write_trace(rnd, 1, err, sizeof err);
    const struct {
        const char *what;
        const char *argv[8];
        int runs;
    } cases[] = {
        {"start-up (codesim --version)", {self, "--version", NULL}, BENCH_START_RUNS},
        {"layer file: 5 SCALE-Sim rows (7 layers), 8x8 OS USER",
         {self, "run", "--hw", cfg, "--workload", sample, NULL},
         BENCH_RUNS},
        {"layer file: GEMM 128x64x256, 8x8 OS USER",
         {self, "run", "--hw", cfg, "--workload", gemm, NULL},
         BENCH_RUNS},
        {"trace: 100,000 sequential reads, HBM2, dramsim3",
         {self, "dram", "--hw", hw, "--trace", seq, NULL},
         BENCH_RUNS},
        {"trace: 100,000 random reads, HBM2, dramsim3",
         {self, "dram", "--hw", hw, "--trace", rnd, NULL},
         BENCH_RUNS},
    };
    if (rc == 0) {
        printf("\ncodesim bench: whole codesim processes as make compare times them (median wall "
               "time of %d runs; start-up %d)\n",
               BENCH_RUNS, BENCH_START_RUNS);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0] && rc == 0; i++) {
            double t;
            rc = median_wall(cases[i].argv, cases[i].runs, &t, err, sizeof err);
            if (rc == 0)
                printf("%-54s %10.2f ms\n", cases[i].what, t * 1e3);
        }
    }
    if (rc != 0)
        cli_err("bench process: %s\n", err);
    const char *files[] = {cfg, sample, gemm, hw, seq, rnd};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i]);
    rmdir(dir);
    return rc ? 1 : 0;
}

/* test_memreal.c - memory realism in a layer run (issue 17 item 3):
 *  - dram.timing: controller: the engine's DRAM transfers, written out as a
 *    request trace and replayed by `codesim dram` (an independent driver of
 *    the controller), end on the same cycles; the layer takes at least its
 *    bytes over the device's peak bandwidth; the controller's shortcuts,
 *    memchan's steady-state jumps among them, give the reference walk's
 *    (dram.slow) cycles, requests and counts;
 *  - array.conv_reads: unique: the ifmap elements fetched equal a naive
 *    count of the input elements the convolution's loop nest touches;
 *  - depthwise (DP) rows: the MACs equal the naive loop nest's;
 *  - each operand's first and last DRAM cycle (layer_stats_t dram_first,
 *    dram_last): the fast path's equal those the cycle path's channel moves
 *    byte by byte (fixed), or those a walk over the controller's request
 *    trace finds; its first and last SRAM cycle equal those the cycle
 *    path's array ports show; slices on several cores give the earliest
 *    first and the latest last; the LUT unit's fast path equals its cycle
 *    path; the LUT
 *    unit's and the tensor engines' per-operand DRAM reads add up to their
 *    reads and equal counts made here from the shapes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../models/dram.h"
#include "../models/engine.h"
#include "../models/lut_tc.h"
#include "../models/memchan.h"
#include "../models/periodic.h"
#include "../models/te_cost.h"
#include "../sim/cost/tech_file.h"
#include "../sim/io/config.h"
#include "../sim/io/workload.h"
#include "../sim/run/run.h"
#include "tests.h"

static hw_cfg_t small_hw(uint32_t r, uint32_t c, systolic_dataflow_t df, uint64_t ifb,
                         uint64_t fb, uint64_t ob)
{
    hw_cfg_t hw;
    hw_defaults(&hw);
    hw.array.rows = r;
    hw.array.cols = c;
    hw.array.dataflow = df;
    hw.sram = (sram_cfg_t){ifb, fb, ob};
    return hw;
}

/* Writes text as DIR/NAME and loads it as a workload into wl. */
static void load_workload_text(const char *dir, const char *name, const char *text,
                               workload_t *wl)
{
    char path[512], err[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    test_write(path, text);
    ck_assert_msg(workload_load(path, wl, err, sizeof err) == 0, "%s", err);
}

/* Runs the layers of wl on hw through sim_run, priced on the 45nm table. */
static void run_layers(const hw_cfg_t *hw, const workload_t *wl, sim_result_t *res)
{
    char path[512], err[400];
    tech_t tech;
    tech_path("45nm", path, sizeof path);
    ck_assert_msg(tech_load(path, &tech, err, sizeof err) == 0, "%s", err);
    sim_workload_t w = {SIM_LAYERS, wl, NULL, {0}, ENGINE_FAST, NULL, NULL};
    ck_assert_msg(sim_run(hw, &tech, &w, res, err, sizeof err) == 0, "%s", err);
}

/* ---- controller timing against a `codesim dram` replay ------------------ */

typedef struct {
    FILE *f;
    uint64_t reqs, rd_done, wr_done;
} rec_t;

static void rec_req(void *ctx, uint64_t cycle, uint64_t addr, int write)
{
    rec_t *r = ctx;
    fprintf(r->f, "%" PRIu64 " 0x%" PRIx64 " %s\n", cycle, addr, write ? "W" : "R");
    r->reqs++;
}

static void rec_done(void *ctx, uint64_t done, int write)
{
    rec_t *r = ctx;
    uint64_t *d = write ? &r->wr_done : &r->rd_done;
    if (done > *d)
        *d = done;
}

/* Runs `codesim dram --trace trace` (an argument vector, no shell) and
 * reads its "ends:" line. */
static void replay(const char *dir, const char *trace, uint64_t *rd, uint64_t *wr)
{
    char path[512], line[512];
    snprintf(path, sizeof path, "%s/out", dir);
    char *argv[] = {"codesim", "dram", "--trace", (char *)trace, NULL};
    ck_assert_msg(test_codesim_argv(argv, path) == 0, "codesim dram failed (%s)", path);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    int found = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "ends: last read data at cycle %" SCNu64
                         ", last write data at cycle %" SCNu64, rd, wr) == 2)
            found = 1;
    fclose(f);
    ck_assert_msg(found, "no ends: line from codesim dram");
}

START_TEST(controller_run_equals_codesim_dram_on_its_request_stream)
{
    /* OS chunked, WS with partial sums in and out (reads and writes mixed),
     * IS, and a memory-bound GEMV. */
    static const struct {
        systolic_dataflow_t df;
        uint64_t m, n, k, ifb, fb, ob;
    } cases[] = {
        {SYSTOLIC_OS, 70, 50, 300, 2048, 2048, 8192},
        {SYSTOLIC_WS, 90, 40, 64, 4096, 4096, 1024},
        {SYSTOLIC_IS, 60, 33, 100, 4096, 4096, 65536},
        {SYSTOLIC_WS, 1, 512, 1024, 65536, 65536, 65536},
    };
    char dir[] = "/tmp/codesim-memreal-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hw_cfg_t hw = small_hw(8, 8, cases[i].df, cases[i].ifb, cases[i].fb, cases[i].ob);
        char err[400];
        ck_assert_msg(hw_set(&hw, "dram.timing", "controller", err, sizeof err) == 0, "%s", err);
        char trace[256];
        snprintf(trace, sizeof trace, "%s/t%zu.trace", dir, i);
        rec_t r = {fopen(trace, "w"), 0, 0, 0};
        ck_assert_ptr_nonnull(r.f);
        const mem_trace_t tr = {rec_req, rec_done, &r};
        const systolic_gemm_t g = {cases[i].m, cases[i].n, cases[i].k};
        layer_stats_t st;
        ck_assert_msg(engine_run_layer(&hw, &g, NULL, ENGINE_FAST, &tr, &st, err, sizeof err) == 0,
                      "%s", err);
        fclose(r.f);
        /* every byte moved in whole bursts */
        const uint64_t burst = dram_burst_bytes(&hw.dram.dev);
        ck_assert_uint_ge(r.reqs * burst, st.dram_read_bytes + st.dram_write_bytes);
        uint64_t rd = 0, wr = 0;
        replay(dir, trace, &rd, &wr);
        ck_assert_msg(rd == r.rd_done && wr == r.wr_done,
                      "case %zu: engine ends reads %" PRIu64 " writes %" PRIu64
                      ", codesim dram %" PRIu64 " %" PRIu64, i, r.rd_done, r.wr_done, rd, wr);
        /* the layer cannot beat the device's peak bandwidth: 10^6 ps per
         * NPU cycle at freq_mhz, so bytes <= total x peak / (freq x 10^6) */
        const double peak = dram_peak_bytes_per_s(&hw.dram.dev);
        const double bound = (double)(st.dram_read_bytes + st.dram_write_bytes) /
                             (peak / (hw.npu.freq_mhz * 1e6));
        ck_assert_msg((double)st.total_cycles >= bound, "case %zu: %" PRIu64 " cycles < %.1f",
                      i, st.total_cycles, bound);
        /* the last write ends the layer when the array finished before it */
        const uint64_t wr_npu = (wr * hw.dram.dev.tck_ps * hw.npu.freq_mhz + 999999) / 1000000;
        ck_assert_uint_ge(st.total_cycles, wr_npu);
    }
    test_rmtree(dir);
}
END_TEST

START_TEST(controller_timing_refuses_the_cycle_path_and_keeps_fixed_results)
{
    hw_cfg_t hw = small_hw(8, 8, SYSTOLIC_OS, 4096, 4096, 4096);
    const systolic_gemm_t g = {40, 30, 50};
    layer_stats_t a, b;
    char err[400];
    ck_assert_msg(engine_run_layer(&hw, &g, NULL, ENGINE_FAST, NULL, &a, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &b, err, sizeof err),
                     0);
    ck_assert_uint_eq(a.total_cycles, b.total_cycles);
    ck_assert_int_eq(hw_set(&hw, "dram.timing", "controller", err, sizeof err), 0);
    ck_assert_int_eq(engine_run_layer(&hw, &g, NULL, ENGINE_CYCLE, NULL, &a, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "dram.timing"));
    ck_assert_int_eq(hw_set(&hw, "dram.timing", "slow", err, sizeof err), -1);
}
END_TEST

/* ---- the controller's shortcuts against its slow walk ------------------- */

/* Every request and transfer end of a run, folded into counts and a hash. */
typedef struct {
    uint64_t reqs, dones, hash;
} fold_t;

static void fold_mix(fold_t *f, uint64_t v)
{
    f->hash = (f->hash ^ v) * 0x100000001b3ull; /* FNV-1a, 64 bits */
}

static void fold_req(void *ctx, uint64_t cycle, uint64_t addr, int write)
{
    fold_t *f = ctx;
    f->reqs++;
    fold_mix(f, cycle);
    fold_mix(f, addr * 2 + (uint64_t)write);
}

static void fold_done(void *ctx, uint64_t done, int write)
{
    fold_t *f = ctx;
    f->dones++;
    fold_mix(f, done * 2 + (uint64_t)write);
}

static uint64_t lcg(uint64_t *s, uint64_t lo, uint64_t hi)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (*s >> 33) % (hi - lo + 1);
}

/* Runs one layer on the default walk (slow 0) or the reference walk. */
static void run_walk(const hw_cfg_t *hw, const systolic_gemm_t *g, const engine_conv_t *cv,
                     int slow, layer_stats_t *st, fold_t *f)
{
    hw_cfg_t h = *hw;
    h.dram.slow = slow;
    *f = (fold_t){0, 0, 0xcbf29ce484222325ull};
    const mem_trace_t tr = {fold_req, fold_done, f};
    char err[400];
    ck_assert_msg(engine_run_layer(&h, g, cv, ENGINE_FAST, &tr, st, err, sizeof err) == 0, "%s",
                  err);
}

/* Random GEMMs, GEMVs and convolutions on every dataflow, on HBM2 and
 * GDDR6 with the default, the close-page FCFS, the DRAMsim3-like and an
 * open-page FCFS controller with 4-entry queues: the shortcuts give the slow walk's cycles, stalls, bytes,
 * request stream and transfer ends. */
START_TEST(controller_shortcuts_equal_the_slow_walk)
{
    static const char *const presets[] = {"HBM2", "GDDR6"};
    static const systolic_dataflow_t dfs[] = {SYSTOLIC_OS, SYSTOLIC_WS, SYSTOLIC_IS};
    uint64_t seed = 20261202;
    for (int i = 0; i < 32; i++) {
        hw_cfg_t hw = small_hw((uint32_t)lcg(&seed, 4, 16), (uint32_t)lcg(&seed, 4, 16),
                               dfs[i % 3], 1024 * lcg(&seed, 2, 16), 1024 * lcg(&seed, 2, 16),
                               1024 * lcg(&seed, 1, 8));
        char err[400];
        ck_assert_int_eq(hw_set(&hw, "dram.timing", "controller", err, sizeof err), 0);
        ck_assert_msg(hw_set(&hw, "dram.preset", presets[i % 2], err, sizeof err) == 0, "%s", err);
        const int ctl = (i / 2) % 4;
        if (ctl == 3) { /* open page, FCFS, short queues: pushes wait for room */
            ck_assert_msg(hw_set(&hw, "dram.scheduler", "fcfs", err, sizeof err) == 0, "%s",
                          err);
            ck_assert_msg(hw_set(&hw, "dram.queue_depth", "4", err, sizeof err) == 0, "%s", err);
        } else if (ctl == 1) {
            ck_assert_msg(hw_set(&hw, "dram.page_policy", "close", err, sizeof err) == 0, "%s",
                          err);
            ck_assert_msg(hw_set(&hw, "dram.scheduler", "fcfs", err, sizeof err) == 0, "%s",
                          err);
        } else if (ctl == 2) {
            ck_assert_msg(hw_set(&hw, "dram.controller", "dramsim3", err, sizeof err) == 0, "%s",
                          err);
        }
        systolic_gemm_t g;
        engine_conv_t cv, *conv = NULL;
        const int kind = (i / 6) % 3;
        if (kind == 0) { /* GEMM */
            g = (systolic_gemm_t){lcg(&seed, 8, 120), lcg(&seed, 8, 120), lcg(&seed, 8, 300)};
        } else if (kind == 1) { /* GEMV */
            g = (systolic_gemm_t){1, lcg(&seed, 64, 1024), lcg(&seed, 64, 1024)};
        } else { /* convolution */
            cv = (engine_conv_t){lcg(&seed, 6, 16), lcg(&seed, 6, 16), 3, 3, lcg(&seed, 1, 16),
                                 lcg(&seed, 1, 2)};
            const uint64_t eh = (cv.h - cv.fh) / cv.stride + 1, ew = (cv.w - cv.fw) / cv.stride + 1;
            g = (systolic_gemm_t){eh * ew, lcg(&seed, 4, 64), cv.fh * cv.fw * cv.channels};
            conv = &cv;
        }
        layer_stats_t fast, slow;
        fold_t ff, fs;
        run_walk(&hw, &g, conv, 0, &fast, &ff);
        run_walk(&hw, &g, conv, 1, &slow, &fs);
        ck_assert_msg(fast.total_cycles == slow.total_cycles &&
                          fast.stall_cycles == slow.stall_cycles &&
                          fast.compute_cycles == slow.compute_cycles &&
                          fast.dram_read_bytes == slow.dram_read_bytes &&
                          fast.dram_write_bytes == slow.dram_write_bytes,
                      "case %d (%s, ctl %d, %" PRIu64 "x%" PRIu64 "x%" PRIu64 "): cycles %" PRIu64
                      " vs %" PRIu64 ", stalls %" PRIu64 " vs %" PRIu64,
                      i, presets[i % 2], ctl, g.m, g.n, g.k, fast.total_cycles,
                      slow.total_cycles, fast.stall_cycles, slow.stall_cycles);
        ck_assert_uint_gt(fs.reqs, 0);
        ck_assert_msg(ff.reqs == fs.reqs && ff.dones == fs.dones && ff.hash == fs.hash,
                      "case %d: request stream or transfer ends differ (%" PRIu64 " vs %" PRIu64
                      " requests)", i, ff.reqs, fs.reqs);
    }
}
END_TEST

/* Long transfers straight to the channel: reads of tensors of up to a few
 * MB and write-backs, on controllers with refresh due every few thousand
 * cycles, so that runs repeat (the steady-state shortcut of memchan.h fires:
 * `skipped` counts its bursts) and refreshes fall inside them.  The default
 * walk must give the reference walk's ready cycles, request stream,
 * transfer ends and every controller count. */
START_TEST(controller_runs_finished_by_arithmetic_equal_the_slow_walk)
{
    static const struct {
        const char *preset, *key, *val, *key2, *val2;
        int fires; /* the shortcut must skip bursts here (bank queues: never) */
    } set[] = {
        {"HBM2", NULL, NULL, NULL, NULL, 1},
        {"GDDR6", NULL, NULL, NULL, NULL, 1},
        {"HBM3", "refresh_first", "1000", NULL, NULL, 1},
        {"HBM2", "mapping", "RoCoBaBgCh", NULL, NULL, 1},
        {"HBM2", "mapping", "RoChBaCoBg", NULL, NULL, 1}, /* a run in one unit */
        {"HBM2", "page_policy", "close", "scheduler", "fcfs", 1},
        {"HBM2", "scheduler", "fcfs", "queue_depth", "4", 1},
        {"HBM2", "write_queue_depth", "16", "write_idle", "4", 1},
        {"HBM2", "controller", "dramsim3", NULL, NULL, 0},
    };
    uint64_t seed = 7;
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
        hw_cfg_t hw;
        hw_defaults(&hw);
        char err[400], key[64];
        ck_assert_int_eq(hw_set(&hw, "dram.timing", "controller", err, sizeof err), 0);
        ck_assert_msg(hw_set(&hw, "dram.preset", set[i].preset, err, sizeof err) == 0, "%s", err);
        for (int k = 0; k < 2; k++) {
            const char *kk = k ? set[i].key2 : set[i].key, *vv = k ? set[i].val2 : set[i].val;
            if (!kk)
                continue;
            snprintf(key, sizeof key, "dram.%s", kk);
            ck_assert_msg(hw_set(&hw, key, vv, err, sizeof err) == 0, "%s: %s", key, err);
        }
        const uint64_t tensor[MEM_STREAMS] = {3u << 20, 5u << 20, 2u << 20, 0};
        memchan_t m[2];
        fold_t f[2];
        uint64_t ready[2][12];
        for (int slow = 0; slow < 2; slow++) {
            uint64_t sd = seed;
            hw.dram.slow = slow;
            f[slow] = (fold_t){0, 0, 0xcbf29ce484222325ull};
            const mem_trace_t tr = {fold_req, fold_done, &f[slow]};
            ck_assert_msg(memchan_init(&m[slow], &hw.dma, &hw.dram, hw.npu.freq_mhz, tensor, &tr,
                                       err, sizeof err) == 0, "%s", err);
            uint64_t at = 0;
            for (int x = 0; x < 12; x++) {
                uint64_t b[MEM_STREAMS] = {0};
                if (x % 3 == 2) {
                    b[MEM_O_WR] = 1024 * lcg(&sd, 1, 160);
                } else {
                    b[MEM_A] = x % 4 ? 0 : 1024 * lcg(&sd, 1, 300);
                    b[MEM_B] = 1024 * lcg(&sd, 16, 700) + lcg(&sd, 0, 100);
                    b[MEM_O_RD] = x % 5 ? 0 : 1024 * lcg(&sd, 1, 64);
                }
                ck_assert_msg(memchan_issue(&m[slow], at, b, &ready[slow][x], err, sizeof err) ==
                                  0, "%s", err);
                at = ready[slow][x] + lcg(&sd, 0, 3000);
            }
        }
        ck_assert_msg(!memcmp(ready[0], ready[1], sizeof ready[0]), "set %zu: ready cycles differ",
                      i);
        ck_assert_msg(f[0].reqs == f[1].reqs && f[0].dones == f[1].dones && f[0].hash == f[1].hash,
                      "set %zu: request stream or transfer ends differ", i);
        ck_assert_msg(!memcmp(&m[0].c.st, &m[1].c.st, sizeof m[0].c.st),
                      "set %zu: controller counts differ (reads %" PRIu64 "/%" PRIu64
                      ", hits %" PRIu64 "/%" PRIu64 ", REF %" PRIu64 "/%" PRIu64 ")",
                      i, m[0].c.st.reads, m[1].c.st.reads, m[0].c.st.hits, m[1].c.st.hits,
                      m[0].c.st.cmds[DRAM_REF], m[1].c.st.cmds[DRAM_REF]);
        ck_assert_uint_gt(m[1].c.st.cmds[DRAM_REF], 10);
        ck_assert_uint_eq(m[1].skipped, 0);
        if (set[i].fires)
            ck_assert_msg(m[0].skipped > f[0].reqs / 4,
                          "set %zu: %" PRIu64 " of %" PRIu64 " bursts skipped", i, m[0].skipped,
                          f[0].reqs);
        memchan_free(&m[0]);
        memchan_free(&m[1]);
        hw_free(&hw);
        seed += 11;
    }
}
END_TEST

/* ---- unique ifmap reads against a naive count --------------------------- */

typedef struct {
    uint64_t h, w, fh, fw, c, s;
} conv_t;

/* Input elements the loop nest for (y, x) for (fy, fx, ch) touches. */
static uint64_t naive_unique(const conv_t *v)
{
    const uint64_t eh = (v->h - v->fh) / v->s + 1, ew = (v->w - v->fw) / v->s + 1;
    unsigned char *seen = calloc(v->h * v->w * v->c, 1);
    ck_assert_ptr_nonnull(seen);
    uint64_t n = 0;
    for (uint64_t y = 0; y < eh; y++)
        for (uint64_t x = 0; x < ew; x++)
            for (uint64_t fy = 0; fy < v->fh; fy++)
                for (uint64_t fx = 0; fx < v->fw; fx++)
                    for (uint64_t ch = 0; ch < v->c; ch++) {
                        unsigned char *e = &seen[((y * v->s + fy) * v->w + x * v->s + fx) * v->c + ch];
                        n += !*e;
                        *e = 1;
                    }
    free(seen);
    return n;
}

static const conv_t convs[] = {
    {9, 11, 3, 3, 2, 1}, {12, 10, 3, 3, 3, 2}, {15, 13, 5, 5, 1, 3}, {10, 10, 2, 2, 4, 2},
    {11, 9, 1, 1, 3, 2}, {20, 18, 7, 7, 2, 2}, {8, 30, 3, 1, 5, 1},
};

START_TEST(unique_ifmap_reads_equal_the_naive_count)
{
    const systolic_dataflow_t dfs[] = {SYSTOLIC_OS, SYSTOLIC_WS, SYSTOLIC_IS};
    const uint32_t arrays[][2] = {{4, 4}, {3, 5}, {8, 2}};
    for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++) {
        const conv_t *v = &convs[i];
        const engine_conv_t cv = {v->h, v->w, v->fh, v->fw, v->c, v->s};
        const uint64_t eh = (v->h - v->fh) / v->s + 1, ew = (v->w - v->fw) / v->s + 1;
        const systolic_gemm_t g = {eh * ew, 5, v->fh * v->fw * v->c};
        const uint64_t want = naive_unique(v);
        for (size_t d = 0; d < 3; d++)
            for (size_t a = 0; a < 3; a++) {
                char err[400], what[96];
                snprintf(what, sizeof what, "conv %zu %s %ux%u", i,
                         systolic_dataflow_name(dfs[d]), arrays[a][0], arrays[a][1]);
                /* resident: the unique ifmap fits one half of the buffer */
                hw_cfg_t hw = small_hw(arrays[a][0], arrays[a][1], dfs[d], 1 << 16, 1 << 16,
                                       1 << 16);
                ck_assert_int_eq(hw_set(&hw, "array.conv_reads", "unique", err, sizeof err), 0);
                layer_stats_t u, uc, im;
                ck_assert_msg(engine_run_layer(&hw, &g, &cv, ENGINE_FAST, NULL, &u, err,
                                               sizeof err) == 0, "%s: %s", what, err);
                ck_assert_msg(u.ifmap_writes == want, "%s: fetched %" PRIu64 ", naive %" PRIu64,
                              what, u.ifmap_writes, want);
                /* the cycle path moves the same bytes on the same plan */
                ck_assert_msg(engine_run_layer(&hw, &g, &cv, ENGINE_CYCLE, NULL, &uc, err,
                                               sizeof err) == 0, "%s: %s", what, err);
                ck_assert_uint_eq(uc.total_cycles, u.total_cycles);
                ck_assert_uint_eq(uc.dram_read_bytes, u.dram_read_bytes);
                /* not resident: halo re-reads, between the unique count and im2col */
                hw.sram.ifmap_bytes = 2 * (want / 3 + 64);
                ck_assert_msg(engine_run_layer(&hw, &g, &cv, ENGINE_FAST, NULL, &u, err,
                                               sizeof err) == 0, "%s: %s", what, err);
                hw.conv_unique = 0;
                ck_assert_msg(engine_run_layer(&hw, &g, &cv, ENGINE_FAST, NULL, &im, err,
                                               sizeof err) == 0, "%s: %s", what, err);
                ck_assert_msg(u.ifmap_writes >= want && u.ifmap_writes <= im.ifmap_writes,
                              "%s: halo %" PRIu64 " not in [%" PRIu64 ", %" PRIu64 "]", what,
                              u.ifmap_writes, want, im.ifmap_writes);
            }
    }
}
END_TEST

/* ---- depthwise MACs against the naive loop nest ------------------------- */

START_TEST(depthwise_macs_equal_the_naive_loop_nest)
{
    char dir[256];
    test_tmpdir(dir, sizeof dir, "memreal");
    workload_t wl;
    /* depth multiplier 1 and 2 (Num Filter per channel) */
    load_workload_text(dir, "dw.csv",
                       "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                       "Channels, Num Filter, Strides,\nConvDP1, 14, 12, 3, 3, 6, 1, 1,\nConvDP2, "
                       "13, 13, 5, 5, 4, 2, 2,\nPW, 12, 10, 1, 1, 6, 8, 1,\n",
                       &wl);
    /* naive: for every output pixel, channel and multiplier, the window */
    static const uint64_t dims[3][7] = {
        {14, 12, 3, 3, 6, 1, 1}, {13, 13, 5, 5, 4, 2, 2}, {12, 10, 1, 1, 6, 8, 1}};
    uint64_t want = 0;
    for (int l = 0; l < 3; l++) {
        const uint64_t *d = dims[l];
        const int dw = l < 2;
        for (uint64_t y = 0; y + d[2] <= d[0]; y += d[6])
            for (uint64_t x = 0; x + d[3] <= d[1]; x += d[6])
                for (uint64_t o = 0; o < (dw ? d[4] * d[5] : d[5]); o++)
                    for (uint64_t fy = 0; fy < d[2]; fy++)
                        for (uint64_t fx = 0; fx < d[3]; fx++)
                            want += dw ? 1 : d[4]; /* a dense layer sums every channel */
    }
    hw_cfg_t hw;
    hw_defaults(&hw);
    for (int unique = 0; unique < 2; unique++) {
        hw.conv_unique = unique;
        sim_result_t res;
        run_layers(&hw, &wl, &res);
        ck_assert_uint_eq(res.nlayers, 6 + 4 + 1);
        ck_assert_uint_eq(res.macs, want);
        sim_result_free(&res);
    }
    workload_free(&wl);
    test_rmtree(dir);
}
END_TEST

START_TEST(controller_slices_get_their_share_of_the_channels)
{
    char dir[256], err[400];
    test_tmpdir(dir, sizeof dir, "memreal");
    workload_t wl;
    load_workload_text(dir, "g.csv", "Layer,M,N,K\ng,8,256,512\n", &wl);
    hw_cfg_t hw = small_hw(8, 8, SYSTOLIC_WS, 1 << 14, 1 << 14, 1 << 14);
    ck_assert_int_eq(hw_set(&hw, "npu.cores", "4", err, sizeof err), 0);
    ck_assert_int_eq(hw_set(&hw, "dram.timing", "controller", err, sizeof err), 0);
    sim_result_t res;
    run_layers(&hw, &wl, &res);
    /* The layer takes as long as its slowest slice: one of P equal slices
     * (N = 256 / P) on one core with channels / P channels, for some P in
     * 1, 2, 4 (8 channels). */
    int found = 0;
    for (uint32_t parts = 1; parts <= 4; parts *= 2) {
        hw_cfg_t one = hw;
        one.dram.dev.channels = hw.dram.dev.channels / parts;
        const systolic_gemm_t g = {8, 256 / parts, 512};
        layer_stats_t st;
        ck_assert_msg(engine_run_layer(&one, &g, NULL, ENGINE_FAST, NULL, &st, err, sizeof err) ==
                          0, "%s", err);
        found |= st.total_cycles == res.layers[0].stats.total_cycles;
    }
    ck_assert_msg(found, "%" PRIu64 " cycles are no slice's", res.layers[0].stats.total_cycles);
    sim_result_free(&res);
    workload_free(&wl);
    test_rmtree(dir);
}
END_TEST

/* A channel whose first transfer comes late (after many tREFI): the device
 * ran from cycle 0, refreshing, so the transfer ends where `codesim dram`
 * ends the same request stream (its clock from 0), and a late transfer
 * takes as long as the same transfer at cycle 0 give or take a refresh;
 * starting the clock at the arrival issued every REF owed since 0 at once
 * there. */
START_TEST(a_late_first_transfer_ends_where_codesim_dram_ends_it)
{
    char dir[256];
    test_tmpdir(dir, sizeof dir, "memlate");
    const uint64_t ats[] = {0, 1000, 5000000, 123456789, 1ull << 40};
    uint64_t span0 = 0;
    for (size_t i = 0; i < sizeof ats / sizeof ats[0]; i++) {
        hw_cfg_t hw;
        hw_defaults(&hw);
        char err[400], trace[512];
        ck_assert_msg(hw_set(&hw, "dram.timing", "controller", err, sizeof err) == 0, "%s", err);
        snprintf(trace, sizeof trace, "%s/late%zu.trace", dir, i);
        rec_t r = {fopen(trace, "w"), 0, 0, 0};
        ck_assert_ptr_nonnull(r.f);
        const mem_trace_t tr = {rec_req, rec_done, &r};
        const uint64_t tensor[MEM_STREAMS] = {1u << 20, 1u << 20, 1u << 20, 0};
        memchan_t m;
        ck_assert_msg(memchan_init(&m, &hw.dma, &hw.dram, hw.npu.freq_mhz, tensor, &tr, err,
                                   sizeof err) == 0, "%s", err);
        const uint64_t rd[MEM_STREAMS] = {0, 64u << 10, 0, 0}, wr[MEM_STREAMS] = {0, 0, 0, 8192};
        uint64_t ready = 0, done = 0;
        ck_assert_msg(memchan_issue(&m, ats[i], rd, &ready, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(memchan_issue(&m, ready, wr, &done, err, sizeof err) == 0, "%s", err);
        const uint64_t refs = m.c.st.cmds[DRAM_REF];
        memchan_free(&m);
        fclose(r.f);
        hw_free(&hw);
        uint64_t drd = 0, dwr = 0;
        replay(dir, trace, &drd, &dwr);
        ck_assert_msg(drd == r.rd_done && dwr == r.wr_done,
                      "first transfer at %" PRIu64 ": memchan ends %" PRIu64 "/%" PRIu64
                      ", codesim dram %" PRIu64 "/%" PRIu64, ats[i], r.rd_done, r.wr_done, drd,
                      dwr);
        const uint64_t span = done - ats[i];
        if (i == 0)
            span0 = span;
        /* a few REFs may fall inside the transfer, never the backlog */
        ck_assert_msg(span <= span0 + span0 / 2, "at %" PRIu64 ": %" PRIu64
                      " cycles against %" PRIu64 " at 0 (%" PRIu64 " REFs)", ats[i], span,
                      span0, refs);
    }
    test_rmtree(dir);
}
END_TEST

/* ---- each operand's first and last DRAM cycle ----------------------------- */

/* want's and got's first and last cycle of each operand, DRAM (sram 0) or
 * SRAM (sram 1), are equal and both recorded. */
static void expect_span_kind(const layer_stats_t *want, const layer_stats_t *got, int sram,
                             const char *what)
{
    static const char *const name[2][3] = {{"ifmap DRAM", "filter DRAM", "ofmap DRAM"},
                                           {"ifmap read SRAM", "filter read SRAM",
                                            "ofmap write SRAM"}};
    ck_assert_int_eq(sram ? want->sram_times : want->dram_times, 1);
    ck_assert_int_eq(sram ? got->sram_times : got->dram_times, 1);
    const uint64_t *wf = sram ? want->sram_first : want->dram_first;
    const uint64_t *wl = sram ? want->sram_last : want->dram_last;
    const uint64_t *gf = sram ? got->sram_first : got->dram_first;
    const uint64_t *gl = sram ? got->sram_last : got->dram_last;
    for (int op = 0; op < 3; op++)
        ck_assert_msg(wf[op] == gf[op] && wl[op] == gl[op],
                      "%s: %s cycles %" PRIu64 "..%" PRIu64 ", expected %" PRIu64 "..%" PRIu64,
                      what, name[sram][op], gf[op], gl[op], wf[op], wl[op]);
}

static void expect_spans(const layer_stats_t *want, const layer_stats_t *got, const char *what)
{
    expect_span_kind(want, got, 0, what);
}

static void expect_sram_spans(const layer_stats_t *want, const layer_stats_t *got,
                              const char *what)
{
    expect_span_kind(want, got, 1, what);
}

/* Random GEMMs on os/ws/is (OS drains serial or overlapped, WS/IS outputs
 * registered or not), small arrays, scratchpads that chunk the folds (down
 * to one stream element a chunk) or hold whole operands, 1..40 bytes per
 * cycle, and one layer whose first output write lies in a middle chunk of
 * its first fold: the fast path (events, runs of identical steps finished by
 * arithmetic) gives each operand's first and last DRAM cycle that the cycle
 * path observes by ticking its channel byte by byte, and the first and last
 * cycle the cycle path's array ports read the ifmap and filter and write the
 * ofmap; an operand with DRAM bytes has a span, one without has none. */
START_TEST(fast_path_spans_equal_the_cycle_paths_channel_and_ports)
{
    uint64_t seed = 0x5eed0001;
    int long_runs = 0;
    /* one stream element a chunk: the first output write lies in a middle
     * chunk of fold 0 (WS) or, its drain overlapped, of fold 1 (OS) */
    static const struct {
        systolic_dataflow_t df;
        uint64_t m, n, k;
    } mid[] = {{SYSTOLIC_WS, 200, 8, 8}, {SYSTOLIC_OS, 3, 16, 64}};
    for (int t = 0; t < 162; t++) {
        const int fixed = t >= 160;
        const systolic_dataflow_t df = fixed ? mid[t - 160].df : (systolic_dataflow_t)(t % 3);
        const uint32_t r = fixed ? 8 : (uint32_t)lcg(&seed, 2, 8);
        const uint32_t c = fixed ? 8 : (uint32_t)lcg(&seed, 2, 8);
        const uint64_t big = lcg(&seed, 0, 1), tiny = t >= 120;
        const uint64_t ifb = fixed ? 16 : big ? 1 << 16 : lcg(&seed, tiny ? 4 : 256, 2048);
        const uint64_t fb = fixed ? 4096 : big ? 1 << 16 : lcg(&seed, tiny ? 4 : 256, 2048);
        hw_cfg_t hw = small_hw(r, c, df, ifb, fb, 1 << 12);
        hw.dma.bytes_per_cycle = fixed ? 64 : (uint32_t)lcg(&seed, 1, 40);
        hw.array.os_drain = lcg(&seed, 0, 1) || t == 161 ? SYSTOLIC_DRAIN_OVERLAP
                                                         : SYSTOLIC_DRAIN_SERIAL;
        hw.array.ws_out_unreg = (int)lcg(&seed, 0, 1);
        systolic_gemm_t g;
        g.m = fixed ? mid[t - 160].m : lcg(&seed, 1, 90);
        g.n = fixed ? mid[t - 160].n : lcg(&seed, 1, 90);
        g.k = fixed ? mid[t - 160].k : lcg(&seed, 1, 90);
        layer_stats_t fast, cyc;
        char err[400], what[160];
        snprintf(what, sizeof what, "case %d: %s %ux%u %" PRIu64 "x%" PRIu64 "x%" PRIu64
                 " at %u B/cycle, sram %" PRIu64 "/%" PRIu64, t, systolic_dataflow_name(df), r,
                 c, g.m, g.n, g.k, hw.dma.bytes_per_cycle, ifb, fb);
        if (engine_run_layer(&hw, &g, NULL, ENGINE_FAST, NULL, &fast, err, sizeof err) != 0) {
            ck_assert_msg(!fixed, "%s: %s", what, err);
            continue; /* a tile that does not fit: both paths refuse it */
        }
        ck_assert_msg(engine_run_layer(&hw, &g, NULL, ENGINE_CYCLE, NULL, &cyc, err,
                                       sizeof err) == 0, "%s: %s", what, err);
        expect_spans(&cyc, &fast, what);
        expect_sram_spans(&cyc, &fast, what);
        const uint64_t bytes[3] = {fast.dram_ifmap_bytes, fast.dram_filter_bytes,
                                   fast.dram_write_bytes};
        for (int op = 0; op < 3; op++) {
            if (bytes[op] == 0) {
                ck_assert_uint_eq(fast.dram_first[op], LAYER_NO_CYCLE);
                continue;
            }
            /* no more than the channel's bytes per cycle over the span */
            ck_assert_uint_le(fast.dram_first[op], fast.dram_last[op]);
            ck_assert_uint_lt(fast.dram_last[op], fast.total_cycles);
            ck_assert_uint_le(bytes[op], (fast.dram_last[op] - fast.dram_first[op] + 1) *
                                             hw.dma.bytes_per_cycle);
        }
        long_runs |= fast.steps >= 64; /* runs finished by arithmetic */
    }
    ck_assert(long_runs);
}
END_TEST

/* A walk over the controller's request trace: each transfer's requests
 * arrive at one DRAM cycle (trace.req) and it ends at trace.done; an
 * operand's span runs from the NPU cycle its first transfer arrives in to
 * the last NPU cycle before its last transfer's data is usable.  The
 * operands' regions are 1 MB-aligned in the order A, B, O (memchan.h): with
 * every tensor below 1 MB, address / 1 MB names the operand. */
typedef struct {
    uint64_t tck_ps, freq_mhz;
    uint64_t arrive, mask;           /* the transfer in flight */
    uint64_t first[3], last[3];
} span_walk_t;

static void span_req(void *ctx, uint64_t cycle, uint64_t addr, int write)
{
    span_walk_t *w = ctx;
    const uint64_t region = addr >> 20;
    ck_assert_uint_le(region, 2);
    w->arrive = cycle;
    if (write)
        w->mask |= 4;
    else if (region < 2)
        w->mask |= 1u << region; /* partial sums read back (region 2) are in no operand */
}

static void span_done(void *ctx, uint64_t done, int write)
{
    span_walk_t *w = ctx;
    (void)write;
    const uint64_t ps_arrive = w->arrive * w->tck_ps * w->freq_mhz,
                   ps_done = done * w->tck_ps * w->freq_mhz;
    const uint64_t f = ps_arrive / 1000000, l = (ps_done + 999999) / 1000000 - 1;
    for (int op = 0; op < 3; op++)
        if (w->mask >> op & 1) {
            if (f < w->first[op])
                w->first[op] = f;
            if (l > w->last[op])
                w->last[op] = l;
        }
    w->mask = 0;
}

START_TEST(controller_dram_spans_equal_a_walk_over_its_requests)
{
    uint64_t seed = 0x5eed0002;
    for (int t = 0; t < 24; t++) {
        const systolic_dataflow_t df = (systolic_dataflow_t)(t % 3);
        const uint64_t ifb = lcg(&seed, 1024, 8192), fb = lcg(&seed, 1024, 8192);
        hw_cfg_t hw = small_hw(8, 8, df, ifb, fb, 4096);
        char err[400], what[160];
        ck_assert_msg(hw_set(&hw, "dram.timing", "controller", err, sizeof err) == 0, "%s", err);
        if (t % 2)
            ck_assert_int_eq(hw_set(&hw, "npu.freq_mhz", "700", err, sizeof err), 0);
        systolic_gemm_t g;
        g.m = lcg(&seed, 1, 120);
        g.n = lcg(&seed, 1, 120);
        g.k = lcg(&seed, 1, 200);
        snprintf(what, sizeof what, "case %d: %s %" PRIu64 "x%" PRIu64 "x%" PRIu64, t,
                 systolic_dataflow_name(df), g.m, g.n, g.k);
        span_walk_t w = {.tck_ps = hw.dram.dev.tck_ps, .freq_mhz = hw.npu.freq_mhz};
        for (int op = 0; op < 3; op++)
            w.first[op] = LAYER_NO_CYCLE;
        const mem_trace_t tr = {span_req, span_done, &w};
        layer_stats_t st;
        if (engine_run_layer(&hw, &g, NULL, ENGINE_FAST, &tr, &st, err, sizeof err) != 0)
            continue;
        layer_stats_t want = st;
        for (int op = 0; op < 3; op++) {
            want.dram_first[op] = w.first[op];
            want.dram_last[op] = w.last[op];
        }
        expect_spans(&want, &st, what);
        ck_assert_uint_ne(st.dram_first[0], LAYER_NO_CYCLE);
        ck_assert_uint_ne(st.dram_first[2], LAYER_NO_CYCLE);
        hw_free(&hw);
    }
}
END_TEST

/* The LUT unit: activations (fused: the tables) and weight planes add up
 * to its DRAM reads and equal the counts its delivery rules give from the
 * shapes (lut_tc.h): every (row tile, K tile) pair's activations once, M x K
 * x ceil(a_bits / 8) bytes (fused: M x sum over K tiles of ceil(kl / g)
 * tables of E entries of ceil(entry bits / 8) bytes); every column step's
 * planes ceil(ceil(kl / g) x nl x P x g / 8) bytes per row tile, once in
 * all when the packed weights fit half the weight buffer (but the second
 * request, issued at cycle 0, is fetched again when it is the next row
 * tile's).  The fast path's per-operand DRAM cycles equal the cycle
 * path's. */
START_TEST(lut_dram_reads_split_per_operand_and_match_the_shapes)
{
    uint64_t seed = 0x5eed0003;
    for (int t = 0; t < 80; t++) {
        lut_cfg_t cfg;
        lut_defaults(&cfg);
        cfg.g = t % 2 ? 4 : 2;
        cfg.w_bits = (uint32_t)lcg(&seed, 1, 4);
        cfg.wq = LUT_WQ_ZP;
        cfg.zp = 0;
        cfg.fused = (int)lcg(&seed, 0, 1);
        cfg.sym_table = (int)lcg(&seed, 0, 1);
        cfg.tm = (uint32_t)lcg(&seed, 1, 4);
        cfg.tn = (uint32_t)lcg(&seed, 1, 8);
        cfg.tk = 8 * (uint32_t)lcg(&seed, 1, 3);
        cfg.w_buf_bytes = lcg(&seed, 0, 1) ? 1 << 16 : 64;
        cfg.dma.bytes_per_cycle = (uint32_t)lcg(&seed, 1, 16);
        lut_gemm_t g;
        g.m = lcg(&seed, 1, 40);
        g.n = lcg(&seed, 1, 40);
        g.k = lcg(&seed, 1, 60);
        char err[400], what[200];
        snprintf(what, sizeof what, "case %d: %" PRIu64 "x%" PRIu64 "x%" PRIu64 " g %u W%u "
                 "fused %d tile %ux%ux%u", t, g.m, g.n, g.k, cfg.g, cfg.w_bits, cfg.fused,
                 cfg.tm, cfg.tn, cfg.tk);
        lut_stats_t fast, cyc;
        if (lut_run(&cfg, &g, LUT_FAST, NULL, NULL, NULL, &fast, err, sizeof err) != 0) {
            ck_assert_msg(strstr(err, "w_buf_bytes") != NULL, "%s: %s", what, err);
            continue; /* a weight tile larger than half the small buffer */
        }
        ck_assert_msg(lut_run(&cfg, &g, LUT_CYCLE, NULL, NULL, NULL, &cyc, err, sizeof err) == 0,
                      "%s: %s", what, err);
        /* the count from the shapes */
        const uint64_t MT = (g.m + cfg.tm - 1) / cfg.tm, NT = (g.n + cfg.tn - 1) / cfg.tn,
                       KT = (g.k + cfg.tk - 1) / cfg.tk;
        const uint64_t P = cfg.w_bits, E = cfg.sym_table ? 1u << (cfg.g - 1) : 1u << cfg.g;
        const uint64_t ebits = cfg.a_bits + (cfg.g == 4 ? 2 : 1);
        uint64_t act = 0, w_tile = 0;
        for (uint64_t kt = 0; kt < KT; kt++) {
            const uint64_t kl = g.k - kt * cfg.tk < cfg.tk ? g.k - kt * cfg.tk : cfg.tk;
            const uint64_t gt = (kl + cfg.g - 1) / cfg.g;
            act += cfg.fused ? g.m * gt * E * ((ebits + 7) / 8) : g.m * kl * ((cfg.a_bits + 7) / 8);
            for (uint64_t nt = 0; nt < NT; nt++) {
                const uint64_t nl = g.n - nt * cfg.tn < cfg.tn ? g.n - nt * cfg.tn : cfg.tn;
                w_tile += (gt * nl * P * cfg.g + 7) / 8;
            }
        }
        const uint64_t packed = ((g.k + cfg.g - 1) / cfg.g * g.n * P * cfg.g + 7) / 8;
        const int whole = packed <= cfg.w_buf_bytes / 2;
        const uint64_t w = whole ? w_tile * (KT * NT == 1 && MT >= 2 ? 2 : 1) : w_tile * MT;
        ck_assert_msg(fast.dram_act_bytes == act && fast.dram_w_bytes == w,
                      "%s: activations %" PRIu64 " weights %" PRIu64 ", counted %" PRIu64
                      " and %" PRIu64, what, fast.dram_act_bytes, fast.dram_w_bytes, act, w);
        ck_assert_uint_eq(fast.dram_act_bytes + fast.dram_w_bytes, fast.dram_read_bytes);
        ck_assert_uint_eq(cyc.dram_act_bytes, act);
        ck_assert_uint_eq(cyc.dram_w_bytes, w);
        for (int op = 0; op < 3; op++) {
            ck_assert_msg(fast.dram_first[op] == cyc.dram_first[op] &&
                              fast.dram_last[op] == cyc.dram_last[op],
                          "%s: operand %d DRAM cycles %" PRIu64 "..%" PRIu64 " fast, %" PRIu64
                          "..%" PRIu64 " cycle", what, op, fast.dram_first[op],
                          fast.dram_last[op], cyc.dram_first[op], cyc.dram_last[op]);
            ck_assert_uint_le(fast.dram_first[op], fast.dram_last[op]);
            ck_assert_uint_lt(fast.dram_last[op], fast.total_cycles);
        }
    }
}
END_TEST

/* The tensor engines: A and B bytes add up to the DRAM reads and equal the
 * traffic rule of te_cost.h counted from the shapes: A once when an R-row
 * panel (R x K) fits half the ifmap scratchpad, else once per column fold
 * (ceil(N / C)); B once when it fits half the filter scratchpad, else once
 * per row fold (ceil(M / R)).  They have no DMA timeline: no spans. */
START_TEST(tensor_engine_dram_reads_split_per_operand_and_match_the_shapes)
{
    uint64_t seed = 0x5eed0004;
    for (int t = 0; t < 60; t++) {
        const te_kind_t kind = (te_kind_t)(t % TE_KINDS);
        const uint64_t ifb = lcg(&seed, 0, 1) ? 1 << 20 : 2048;
        const uint64_t fb = lcg(&seed, 0, 1) ? 1 << 20 : 2048;
        hw_cfg_t hw = small_hw(8, 8, SYSTOLIC_OS, ifb, fb, 1 << 20);
        const te_cfg_t *e = &hw.te[kind];
        te_gemm_t g;
        g.m = lcg(&seed, 1, 300);
        g.n = lcg(&seed, 1, 300);
        g.k = lcg(&seed, 1, 300);
        layer_stats_t st;
        char err[400];
        if (te_run_layer(&hw, kind, &g, &st, NULL, NULL, err, sizeof err) != 0)
            continue;
        const uint64_t ab = (e->in_bits + 7) / 8, bb = (e->w_bits + 7) / 8;
        const uint64_t cf = (g.n + e->cols - 1) / e->cols, rf = (g.m + e->rows - 1) / e->rows;
        const uint64_t a = g.m * g.k * ab * (e->rows * g.k * ab <= hw.sram.ifmap_bytes / 2 ? 1 : cf);
        const uint64_t b = g.k * g.n * bb * (g.k * g.n * bb <= hw.sram.filter_bytes / 2 ? 1 : rf);
        ck_assert_msg(st.dram_ifmap_bytes == a && st.dram_filter_bytes == b,
                      "case %d (%s %" PRIu64 "x%" PRIu64 "x%" PRIu64 "): A %" PRIu64 " B %" PRIu64
                      ", counted %" PRIu64 " and %" PRIu64, t, te_kind_name(kind), g.m, g.n, g.k,
                      st.dram_ifmap_bytes, st.dram_filter_bytes, a, b);
        ck_assert_uint_eq(st.dram_ifmap_bytes + st.dram_filter_bytes, st.dram_read_bytes);
        ck_assert_int_eq(st.dram_times, 0);
        hw_free(&hw);
    }
}
END_TEST

/* A run finished by arithmetic keeps a mark (the cycle of an operand's last
 * DRAM byte) where a unit-by-unit walk leaves it, also when that event's
 * last occurrence lies in the skipped units: a recurrence whose odd units
 * move an operand and even ones do not (period 2, the phase its exact
 * state), so a jump lands before an even unit, and when that is the run's
 * last the operand's last move was skipped. */
typedef struct {
    uint64_t t, free, phase, moved, mark;
    periodic_state_t ps;
} mark_rec_t;

static int mark_unit(void *ctx, uint64_t u)
{
    mark_rec_t *x = ctx;
    (void)u;
    if (x->phase == 1) {
        const uint64_t start = x->t > x->free ? x->t : x->free;
        x->free = start + 4;
        x->mark = start + 3; /* the operand's last byte moves in start .. start+3 */
        x->moved += 4;
        x->t += 7;
    } else {
        x->t += 5;
    }
    x->phase ^= 1;
    return 0;
}

START_TEST(periodic_marks_equal_a_unit_by_unit_walk)
{
    for (uint64_t n = 1; n <= 40; n++) {
        mark_rec_t a = {.t = 1}, b = {.t = 1};
        a.ps = (periodic_state_t){.ref = &a.t, .times = {&a.free}, .ntimes = 1,
                                  .exact = {&a.phase}, .nexact = 1, .sums = {&a.moved},
                                  .nsums = 1, .marks = {&a.mark}, .nmarks = 1};
        char err[200];
        ck_assert_int_eq(periodic_run(&a.ps, 0, n, 1, mark_unit, &a, err, sizeof err), 0);
        for (uint64_t u = 0; u < n; u++)
            mark_unit(&b, u);
        ck_assert_msg(a.t == b.t && a.moved == b.moved && a.mark == b.mark,
                      "%" PRIu64 " units: cycle %" PRIu64 " mark %" PRIu64 ", walked %" PRIu64
                      " and %" PRIu64, n, a.t, a.mark, b.t, b.mark);
    }
}
END_TEST

/* On several cores a layer's spans run from its earliest slice's first
 * cycle to its latest slice's last (the slices start together): the run's
 * spans equal those of the slices run one by one for the core count whose
 * slowest slice is the layer's time (slices as run.h cuts them). */
START_TEST(slices_spans_are_the_earliest_first_and_the_latest_last)
{
    char dir[256], err[400];
    test_tmpdir(dir, sizeof dir, "memslice");
    workload_t wl;
    load_workload_text(dir, "g.csv", "Layer,M,N,K\ng,40,250,96\n", &wl);
    hw_cfg_t hw = small_hw(8, 8, SYSTOLIC_OS, 1 << 12, 1 << 12, 1 << 12);
    hw.dma.bytes_per_cycle = 64; /* compute-bound: it runs on more than one core */
    ck_assert_int_eq(hw_set(&hw, "npu.cores", "4", err, sizeof err), 0);
    sim_result_t res;
    run_layers(&hw, &wl, &res);
    const layer_stats_t *got = &res.layers[0].stats;
    int found = 0;
    for (uint64_t parts = 1; parts <= 4 && !found; parts++) {
        layer_stats_t want = {0};
        want.dram_times = want.sram_times = 1;
        for (int op = 0; op < 3; op++)
            want.dram_first[op] = want.sram_first[op] = LAYER_NO_CYCLE;
        uint64_t slowest = 0;
        for (uint64_t c = 0; c < parts; c++) {
            hw_cfg_t one = hw;
            one.npu.cores = 1;
            one.dma.bytes_per_cycle = (uint32_t)(64 / parts + (c < 64 % parts ? 1 : 0));
            const systolic_gemm_t g = {40, 250 / parts + (c < 250 % parts ? 1 : 0), 96};
            layer_stats_t st;
            ck_assert_msg(engine_run_layer(&one, &g, NULL, ENGINE_FAST, NULL, &st, err,
                                           sizeof err) == 0, "%s", err);
            slowest = st.total_cycles > slowest ? st.total_cycles : slowest;
            for (int op = 0; op < 3; op++) {
                if (st.dram_first[op] < want.dram_first[op])
                    want.dram_first[op] = st.dram_first[op];
                if (st.dram_last[op] > want.dram_last[op])
                    want.dram_last[op] = st.dram_last[op];
                if (st.sram_first[op] < want.sram_first[op])
                    want.sram_first[op] = st.sram_first[op];
                if (st.sram_last[op] > want.sram_last[op])
                    want.sram_last[op] = st.sram_last[op];
            }
        }
        if (slowest != got->total_cycles)
            continue;
        found = 1;
        ck_assert_uint_ge(parts, 2);
        char what[64];
        snprintf(what, sizeof what, "%" PRIu64 " slices", parts);
        expect_spans(&want, got, what);
        expect_sram_spans(&want, got, what);
    }
    ck_assert_msg(found, "%" PRIu64 " cycles are no core count's", got->total_cycles);
    sim_result_free(&res);
    workload_free(&wl);
    test_rmtree(dir);
}
END_TEST

Suite *memreal_suite(void)
{
    Suite *s = suite_create("memreal");
    TCase *tc = tcase_create("memreal");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, controller_run_equals_codesim_dram_on_its_request_stream);
    tcase_add_test(tc, controller_timing_refuses_the_cycle_path_and_keeps_fixed_results);
    tcase_add_test(tc, controller_shortcuts_equal_the_slow_walk);
    tcase_add_test(tc, controller_runs_finished_by_arithmetic_equal_the_slow_walk);
    tcase_add_test(tc, unique_ifmap_reads_equal_the_naive_count);
    tcase_add_test(tc, depthwise_macs_equal_the_naive_loop_nest);
    tcase_add_test(tc, controller_slices_get_their_share_of_the_channels);
    tcase_add_test(tc, a_late_first_transfer_ends_where_codesim_dram_ends_it);
    tcase_add_test(tc, periodic_marks_equal_a_unit_by_unit_walk);
    tcase_add_test(tc, fast_path_spans_equal_the_cycle_paths_channel_and_ports);
    tcase_add_test(tc, controller_dram_spans_equal_a_walk_over_its_requests);
    tcase_add_test(tc, slices_spans_are_the_earliest_first_and_the_latest_last);
    tcase_add_test(tc, lut_dram_reads_split_per_operand_and_match_the_shapes);
    tcase_add_test(tc, tensor_engine_dram_reads_split_per_operand_and_match_the_shapes);
    suite_add_tcase(s, tc);
    return s;
}

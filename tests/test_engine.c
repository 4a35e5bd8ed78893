/* test_engine.c - the engine's fast path against its cycle-by-cycle path, the
 * DMA channel's two forms against each other, and DRAM traffic and stalls
 * against hand-derived numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/dma.h"
#include "../models/engine.h"
#include "tests.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static hw_cfg_t hw_of(uint32_t r, uint32_t c, systolic_dataflow_t df, uint64_t ifb, uint64_t fb,
                      uint64_t ob, uint32_t bw)
{
    hw_cfg_t hw;
    memset(&hw, 0, sizeof hw);
    hw.array = (systolic_cfg_t){r, c, df, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
    hw.sram = (sram_cfg_t){ifb, fb, ob};
    hw.dma.bytes_per_cycle = bw;
    return hw;
}

#define EQ(field) ck_assert_msg(f.field == c.field, "%s: fast %llu, cycle %llu (%s)", #field, \
                                (unsigned long long)f.field, (unsigned long long)c.field, what)

START_TEST(fast_path_equals_cycle_path_on_random_shapes_and_memories)
{
    uint64_t seed = 0xfeed + 7919 * (uint64_t)_i;
    for (int trial = 0; trial < 40; trial++) {
        const uint32_t r = 1 + rnd(&seed) % 12, cc = 1 + rnd(&seed) % 12;
        const systolic_dataflow_t df = (systolic_dataflow_t)(rnd(&seed) % 3);
        /* Buffers from "everything fits" down to a few stream elements. */
        const uint64_t scale = 1ull << (rnd(&seed) % 12);
        hw_cfg_t hw = hw_of(r, cc, df, 64 * r * scale + 2 * r * 4, 64 * cc * scale + 2 * cc * 4,
                            2 * r * cc * 4 + 8 * cc * 4 * scale, 1 + rnd(&seed) % 64);
        if (trial & 1) /* OS: the overlapped drain's last fold is the longer one */
            hw.array.os_drain = SYSTOLIC_DRAIN_OVERLAP;
        if (trial & 2) /* WS/IS: array.ws_out_reg: false, one cycle less per fold */
            hw.array.ws_out_unreg = 1;
        const uint64_t base = r > cc ? r : cc;
        const systolic_gemm_t g = {1 + rnd(&seed) % (4 * base), 1 + rnd(&seed) % (4 * base),
                                   1 + rnd(&seed) % (8 * base)};
        layer_stats_t f, c;
        char err[256], what[160];
        snprintf(what, sizeof what, "%s%s%s %ux%u M=%llu N=%llu K=%llu bufs %llu/%llu/%llu bw %u",
                 systolic_dataflow_name(df), hw.array.os_drain ? " overlap" : "",
                 hw.array.ws_out_unreg ? " unreg-out" : "", r, cc, (unsigned long long)g.m,
                 (unsigned long long)g.n, (unsigned long long)g.k,
                 (unsigned long long)hw.sram.ifmap_bytes, (unsigned long long)hw.sram.filter_bytes,
                 (unsigned long long)hw.sram.ofmap_bytes, hw.dma.bytes_per_cycle);
        const int rf = engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &f, err, sizeof err);
        const int rc = engine_run_gemm(&hw, &g, ENGINE_CYCLE, NULL, NULL, NULL, &c, err, sizeof err);
        ck_assert_int_eq(rf, rc);
        if (rf != 0)
            continue; /* both refused the same impossible tiling */
        EQ(total_cycles);
        EQ(compute_cycles);
        EQ(stall_cycles);
        EQ(macs);
        EQ(steps);
        EQ(ifmap_reads);
        EQ(ifmap_writes);
        EQ(filter_reads);
        EQ(filter_writes);
        EQ(ofmap_reads);
        EQ(ofmap_writes);
        EQ(dram_read_bytes);
        EQ(dram_write_bytes);
        ck_assert(f.total_cycles >= f.compute_cycles);
        /* The channel cannot move more than bytes_per_cycle per cycle. */
        ck_assert(f.total_cycles * hw.dma.bytes_per_cycle >= f.dram_read_bytes + f.dram_write_bytes);
    }
}
END_TEST

START_TEST(dma_event_form_equals_cycle_form)
{
    uint64_t seed = 42 + (uint64_t)_i;
    const dma_cfg_t cfg = {1 + (uint32_t)(rnd(&seed) % 16), DMA_FIXED};
    dma_fast_t fast;
    dma_t cyc;
    dma_fast_init(&fast, &cfg);
    ck_assert_int_eq(dma_init(&cyc, &cfg), 0);
    enum { N = 200 };
    uint64_t at[N], bytes[N], expect[N], got[N];
    uint64_t t = 0;
    for (int i = 0; i < N; i++) {
        t += rnd(&seed) % 20;
        at[i] = t;
        bytes[i] = 1 + rnd(&seed) % 100;
        expect[i] = dma_fast_issue(&fast, at[i], bytes[i]);
        got[i] = 0;
    }
    int next = 0;
    for (uint64_t x = 0; next < N || dma_pending(&cyc); x++) {
        while (next < N && at[next] == x) {
            ck_assert_int_eq(dma_push(&cyc, x, bytes[next], (uint64_t)next), 0);
            next++;
        }
        uint64_t tag;
        if (dma_tick(&cyc, x, &tag))
            got[tag] = x + 1;
    }
    dma_free(&cyc);
    for (int i = 0; i < N; i++)
        ck_assert_uint_eq(got[i], expect[i]);
}
END_TEST

START_TEST(single_fold_stall_matches_hand_count)
{
    /* OS 4x4, M=N=4, K=8, 1 byte/cycle, ample buffers: the one step fetches
     * A (4x8) and B (8x4) = 64 bytes, ready at cycle 64; it computes for
     * K+2R+C-1 = 19 cycles to cycle 83; the 4x4 int32 outputs (64 bytes)
     * are written back by cycle 147.  Compute = 1 + 19. */
    hw_cfg_t hw = hw_of(4, 4, SYSTOLIC_OS, 1024, 1024, 1024, 1);
    const systolic_gemm_t g = {4, 4, 8};
    layer_stats_t st;
    char err[128];
    for (int p = 0; p < 2; p++) {
        ck_assert_int_eq(engine_run_gemm(&hw, &g, (engine_path_t)p, NULL, NULL, NULL, &st, err,
                                         sizeof err), 0);
        ck_assert_uint_eq(st.total_cycles, 147);
        ck_assert_uint_eq(st.compute_cycles, 20);
        ck_assert_uint_eq(st.stall_cycles, 127);
        ck_assert_uint_eq(st.dram_read_bytes, 64);
        ck_assert_uint_eq(st.dram_write_bytes, 64);
    }
}
END_TEST

START_TEST(traffic_is_compulsory_when_operands_fit)
{
    /* With buffers holding everything, every operand byte crosses DRAM once
     * and every output once, in every dataflow. */
    const systolic_gemm_t g = {37, 45, 53};
    for (int df = 0; df < 3; df++) {
        hw_cfg_t hw = hw_of(8, 6, (systolic_dataflow_t)df, 1 << 20, 1 << 20, 1 << 20, 16);
        layer_stats_t st;
        char err[128];
        ck_assert_int_eq(engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err,
                                         sizeof err), 0);
        ck_assert_uint_eq(st.dram_read_bytes, g.m * g.k + g.k * g.n);
        ck_assert_uint_eq(st.dram_write_bytes, 4 * g.m * g.n);
        ck_assert_uint_eq(st.macs, g.m * g.n * g.k);
    }
}
END_TEST

START_TEST(small_buffers_add_non_compulsory_traffic)
{
    /* OS with an ifmap buffer too small for all of A: A is fetched again for
     * every column fold, so reads exceed the compulsory bytes. */
    const systolic_gemm_t g = {64, 64, 256};
    hw_cfg_t hw = hw_of(8, 8, SYSTOLIC_OS, 2048, 1 << 20, 1 << 20, 16);
    layer_stats_t st;
    char err[128];
    ck_assert_int_eq(engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err, sizeof err),
                     0);
    /* A: 64x256 bytes, fetched for each of the 8 column folds; B once. */
    ck_assert_uint_eq(st.dram_read_bytes, 8 * 64 * 256 + 256 * 64);
}
END_TEST

START_TEST(consecutive_folds_reuse_a_resident_tile)
{
    /* OS 8x8, 64x64x64: all of A (4 KiB) does not fit half the 1 KiB ifmap
     * buffer, but one 8x64 row tile (512 B) does, and the 8 column folds of a
     * row tile run back to back: each A byte is fetched once.  B fits whole. */
    const systolic_gemm_t g = {64, 64, 64};
    hw_cfg_t hw = hw_of(8, 8, SYSTOLIC_OS, 1024, 1 << 20, 1 << 20, 16);
    layer_stats_t st;
    char err[128];
    ck_assert_int_eq(engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err, sizeof err),
                     0);
    ck_assert_uint_eq(st.dram_read_bytes, 64 * 64 + 64 * 64);
    ck_assert_uint_eq(st.ifmap_writes, 64 * 64);
}
END_TEST

START_TEST(stalls_do_not_change_values)
{
    uint64_t seed = 5;
    for (int df = 0; df < 4; df++) { /* 3: OS with the overlapped drain */
        hw_cfg_t hw = hw_of(4, 5, (systolic_dataflow_t)(df % 3), 64, 64, 256, 3);
        if (df == 3)
            hw.array.os_drain = SYSTOLIC_DRAIN_OVERLAP;
        const systolic_gemm_t g = {13, 11, 29};
        int32_t a[13 * 29], b[29 * 11], o[13 * 11], ref[13 * 11];
        for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
            a[i] = (int8_t)rnd(&seed);
        for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
            b[i] = (int8_t)rnd(&seed);
        layer_stats_t st;
        char err[128];
        ck_assert_int_eq(engine_run_gemm(&hw, &g, ENGINE_CYCLE, a, b, o, &st, err, sizeof err), 0);
        ck_assert(st.stall_cycles > 0);
        systolic_reference_gemm(&hw.array, &g, a, b, ref);
        ck_assert_mem_eq(o, ref, sizeof o);
    }
}
END_TEST

START_TEST(impossible_tiling_is_refused_with_the_buffer_named)
{
    hw_cfg_t hw = hw_of(32, 32, SYSTOLIC_WS, 1024, 1024, 1 << 20, 8);
    const systolic_gemm_t g = {64, 64, 64};
    layer_stats_t st;
    char err[256];
    /* A 32x32 stationary weight tile needs 1 KiB; half the filter buffer is 512 B. */
    ck_assert_int_eq(engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "sram.filter") != NULL, "%s", err);
    hw = hw_of(32, 32, SYSTOLIC_OS, 16, 1 << 20, 1 << 20, 8);
    ck_assert_int_eq(engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "sram") != NULL, "%s", err);
}
END_TEST

/* Issue 14: counts that do not fit in 64 bits are refused by both paths
 * before anything runs (a 2^24-cube is 2^72 MACs); more than ENGINE_MAX_STEPS
 * steps only by the cycle path, which ticks each of them. */
START_TEST(counts_beyond_64_bits_and_steps_beyond_the_limit_are_refused)
{
    const uint64_t D = SYSTOLIC_MAX_GEMM_DIM;
    const struct {
        hw_cfg_t hw;
        systolic_gemm_t g;
        const char *what;
    } c[] = {
        {hw_of(1, 1, SYSTOLIC_OS, 1 << 20, 1 << 20, 1 << 20, 8), {D, D, D}, "M*N*K"},
        {hw_of(256, 256, SYSTOLIC_OS, 1ull << 36, 1ull << 36, 1ull << 36, 8), {D, 1 << 18, D},
         "M*N*K"},
        {hw_of(256, 256, SYSTOLIC_WS, 1 << 20, 1 << 20, 1 << 20, 8), {D, 65792, D}, "M*N*K"},
        {hw_of(1, 1, SYSTOLIC_OS, 1 << 20, 1 << 20, 1 << 20, 8), {D, D, 65534}, "compute cycles"},
    };
    ck_assert_uint_eq(ENGINE_MAX_STEPS, 8192ull * 8192);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        for (int path = 0; path < 2; path++) {
            layer_stats_t st;
            char err[256] = "";
            ck_assert_int_eq(engine_run_gemm(&c[i].hw, &c[i].g, (engine_path_t)path, NULL, NULL,
                                             NULL, &st, err, sizeof err),
                             -1);
            ck_assert_msg(strstr(err, c[i].what) != NULL, "case %zu: %s", i, err);
        }
    /* 8193 x 8192 folds of one step: one step over the cycle path's limit. */
    const hw_cfg_t hw = hw_of(1, 1, SYSTOLIC_OS, 1 << 20, 1 << 20, 1 << 20, 8);
    const systolic_gemm_t g = {8193, 8192, 4};
    layer_stats_t st;
    char err[256] = "";
    ck_assert_int_eq(engine_run_gemm(&hw, &g, ENGINE_CYCLE, NULL, NULL, NULL, &st, err, sizeof err),
                     -1);
    ck_assert_msg(strstr(err, "2^26") != NULL, "%s", err);
}
END_TEST

/* Issue 14: the fast path finishes runs of identical chunks, folds and outer
 * tiles by arithmetic once its timing state repeats.  Small arrays, many
 * folds and chunks (so every run is long), buffers from roomy to tight and
 * bandwidth from starved to ample: every count equals the cycle path's, which
 * is checked against the RTL. */
START_TEST(fast_path_runs_finished_by_arithmetic_equal_the_cycle_path)
{
    uint64_t seed = 0xc0ffee + 104729 * (uint64_t)_i;
    int compared = 0;
    for (int trial = 0; trial < 30; trial++) {
        const uint32_t r = 1 + rnd(&seed) % 3, cc = 1 + rnd(&seed) % 3;
        const systolic_dataflow_t df = (systolic_dataflow_t)(trial % 3);
        const uint64_t scale = 1 + rnd(&seed) % 8;
        const uint32_t bw = (trial & 4) ? 64 : 1 + rnd(&seed) % 8; /* ample or stalling */
        hw_cfg_t hw = hw_of(r, cc, df, 2 * r * scale + (rnd(&seed) % 2) * 4096,
                            2 * cc * scale + (rnd(&seed) % 2) * 4096,
                            2 * r * cc * 4 + 8 * cc * scale * (1 + rnd(&seed) % 4), bw);
        const systolic_gemm_t g = {1 + rnd(&seed) % 40, 1 + rnd(&seed) % 40,
                                   1 + rnd(&seed) % 60};
        if (trial & 8)
            hw.array.os_drain = SYSTOLIC_DRAIN_OVERLAP;
        layer_stats_t f, c;
        char err[256], what[160];
        snprintf(what, sizeof what, "%s%s %ux%u M=%llu N=%llu K=%llu bufs %llu/%llu/%llu bw %u",
                 systolic_dataflow_name(df), hw.array.os_drain ? " overlap" : "", r, cc, (unsigned long long)g.m,
                 (unsigned long long)g.n, (unsigned long long)g.k,
                 (unsigned long long)hw.sram.ifmap_bytes, (unsigned long long)hw.sram.filter_bytes,
                 (unsigned long long)hw.sram.ofmap_bytes, hw.dma.bytes_per_cycle);
        const int rf = engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &f, err, sizeof err);
        const int rc = engine_run_gemm(&hw, &g, ENGINE_CYCLE, NULL, NULL, NULL, &c, err, sizeof err);
        ck_assert_msg(rf == rc, "%s: %s", what, err);
        if (rf != 0)
            continue;
        compared++;
        EQ(total_cycles);
        EQ(compute_cycles);
        EQ(stall_cycles);
        EQ(macs);
        EQ(folds);
        EQ(steps);
        EQ(ifmap_reads);
        EQ(ifmap_writes);
        EQ(filter_reads);
        EQ(filter_writes);
        EQ(ofmap_reads);
        EQ(ofmap_writes);
        EQ(dram_read_bytes);
        EQ(dram_write_bytes);
    }
    ck_assert_int_ge(compared, 20);
}
END_TEST

/* Issue 14: a layer of 2^36 steps (2^32 folds of 16 chunks) on a 256 x 256
 * array runs on the fast path (it was refused above 2^26 steps, and before
 * that ran for minutes) with counts equal to their closed forms. */
START_TEST(huge_layer_runs_on_the_fast_path_with_closed_form_counts)
{
    const uint64_t M = 1ull << 24, N = 1ull << 24, K = 1ull << 15, R = 256, C = 256;
    for (int df = 0; df < 3; df++) {
        const hw_cfg_t hw = hw_of(256, 256, (systolic_dataflow_t)df, 1 << 20, 1 << 20, 1 << 22,
                                  df == 1 ? 4 : 1024);
        const systolic_gemm_t g = {M, N, K};
        layer_stats_t st;
        char err[256] = "";
        ck_assert_msg(engine_run_gemm(&hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err,
                                      sizeof err) == 0,
                      "%s: %s", systolic_dataflow_name((systolic_dataflow_t)df), err);
        ck_assert_uint_eq(st.macs, M * N * K);
        /* systolic.h: fold cycles OS K + (R+C-2) + (R+1); WS M + R + (R+C-1);
         * IS N + R + (R+C-1); one command cycle. */
        const uint64_t folds = df == 0 ? (M / R) * (N / C) : df == 1 ? (N / C) * (K / R)
                                                                    : (M / C) * (K / R);
        const uint64_t fold = df == 0 ? K + (R + C - 2) + (R + 1) : (df == 1 ? M : N) + 2 * R + C - 1;
        ck_assert_uint_eq(st.folds, folds);
        ck_assert_uint_eq(st.compute_cycles, 1 + folds * fold);
        const uint64_t bytes = st.dram_read_bytes + st.dram_write_bytes;
        ck_assert(st.total_cycles >= st.compute_cycles);
        ck_assert(st.total_cycles >= bytes / hw.dma.bytes_per_cycle);
        /* Never worse than computing and moving every request one after the other. */
        ck_assert(st.total_cycles <= st.compute_cycles + bytes / hw.dma.bytes_per_cycle +
                                          3 * st.steps);
        if (df == 0) {
            /* OS, chunked folds (K = 2^15 > 2048 elements per half buffer):
             * every fold fetches its R x K tile of A and K x C tile of B;
             * each output (int32) is written once. */
            ck_assert_uint_eq(st.steps, folds * 16);
            ck_assert_uint_eq(st.ifmap_writes, folds * R * K);
            ck_assert_uint_eq(st.filter_writes, folds * C * K);
            ck_assert_uint_eq(st.dram_read_bytes, 2 * folds * R * K);
            ck_assert_uint_eq(st.dram_write_bytes, M * N * 4);
            ck_assert_uint_eq(st.ofmap_reads, M * N);
        }
    }
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("paths");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, fast_path_equals_cycle_path_on_random_shapes_and_memories, 0, 10);
    tcase_add_loop_test(tc, dma_event_form_equals_cycle_form, 0, 5);
    tcase_add_test(tc, single_fold_stall_matches_hand_count);
    tcase_add_test(tc, traffic_is_compulsory_when_operands_fit);
    tcase_add_test(tc, small_buffers_add_non_compulsory_traffic);
    tcase_add_test(tc, consecutive_folds_reuse_a_resident_tile);
    tcase_add_test(tc, stalls_do_not_change_values);
    tcase_add_test(tc, impossible_tiling_is_refused_with_the_buffer_named);
    tcase_add_test(tc, counts_beyond_64_bits_and_steps_beyond_the_limit_are_refused);
    tcase_add_loop_test(tc, fast_path_runs_finished_by_arithmetic_equal_the_cycle_path, 0, 8);
    tcase_add_test(tc, huge_layer_runs_on_the_fast_path_with_closed_form_counts);
    suite_add_tcase(s, tc);
    return s;
}

/* test_systolic.c - the cycle-by-cycle array against a naive GEMM and against
 * its closed-form cycle and access counts. */
#include <stdlib.h>
#include <string.h>

#include "../models/systolic.h"
#include "tests.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct {
    uint64_t cycles, a_reads, b_reads, o_writes, o_acc;
} seen_t;

/* Runs the array on random operands; checks values against the reference. */
static void run_case(const systolic_cfg_t *cfg, const systolic_gemm_t *g, uint64_t *seed,
                     seen_t *seen)
{
    int32_t *a = malloc(g->m * g->k * sizeof *a), *b = malloc(g->k * g->n * sizeof *b);
    int32_t *o = malloc(g->m * g->n * sizeof *o), *ref = malloc(g->m * g->n * sizeof *ref);
    ck_assert(a && b && o && ref);
    for (uint64_t i = 0; i < g->m * g->k; i++)
        a[i] = systolic_wrap((int64_t)rnd(seed), cfg->in_bits);
    for (uint64_t i = 0; i < g->k * g->n; i++)
        b[i] = systolic_wrap((int64_t)rnd(seed), cfg->w_bits);
    memset(o, 0x5a, g->m * g->n * sizeof *o);
    systolic_reference_gemm(cfg, g, a, b, ref);
    systolic_array_t *sa = systolic_array_new(cfg);
    ck_assert_ptr_nonnull(sa);
    systolic_array_start(sa, g, a, b, o);
    systolic_ports_t p;
    memset(seen, 0, sizeof *seen);
    while (systolic_array_step(sa, &p)) {
        seen->cycles++;
        for (uint32_t l = 0; l < p.lanes; l++) {
            seen->a_reads += p.a_addr[l] != SYSTOLIC_NO_ACCESS;
            seen->b_reads += p.b_addr[l] != SYSTOLIC_NO_ACCESS;
        }
        for (uint32_t j = 0; j < cfg->cols; j++) {
            if (p.o_addr[j] != SYSTOLIC_NO_ACCESS) {
                seen->o_writes++;
                seen->o_acc += p.o_acc != 0;
            }
        }
    }
    /* The array's own counters (used by the engine) equal what its ports showed. */
    systolic_access_t acc;
    systolic_array_access(sa, &acc);
    ck_assert_uint_eq(acc.ifmap_reads, seen->a_reads);
    ck_assert_uint_eq(acc.filter_reads, seen->b_reads);
    ck_assert_uint_eq(acc.ofmap_writes, seen->o_writes);
    ck_assert_uint_eq(acc.ofmap_acc_reads, seen->o_acc);
    systolic_array_free(sa);
    for (uint64_t i = 0; i < g->m * g->n; i++)
        ck_assert_msg(o[i] == ref[i], "%s %ux%u M=%llu N=%llu K=%llu: O[%llu] = %d, reference %d",
                      systolic_dataflow_name(cfg->dataflow), cfg->rows, cfg->cols,
                      (unsigned long long)g->m, (unsigned long long)g->n,
                      (unsigned long long)g->k, (unsigned long long)i, o[i], ref[i]);
    free(a);
    free(b);
    free(o);
    free(ref);
}

static void check_counts(const systolic_cfg_t *cfg, const systolic_gemm_t *g, const seen_t *s)
{
    systolic_counts_t c;
    ck_assert_int_eq(systolic_count(cfg, g, &c, NULL, 0), 0);
    ck_assert_uint_eq(s->cycles, c.compute_cycles);
    ck_assert_uint_eq(s->a_reads, c.ifmap_reads);
    ck_assert_uint_eq(s->b_reads, c.filter_reads);
    ck_assert_uint_eq(s->o_writes, c.ofmap_writes);
    ck_assert_uint_eq(s->o_acc, c.ofmap_acc_reads);
}

START_TEST(values_equal_naive_gemm_in_every_dataflow_and_shape)
{
    static const uint32_t shapes[][2] = {{1, 1}, {4, 4}, {8, 3}, {3, 8}, {1, 6}, {7, 1}, {16, 16}};
    uint64_t seed = 0x1234567 + (uint64_t)_i;
    const systolic_dataflow_t df = (systolic_dataflow_t)(_i % 3);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const systolic_cfg_t cfg = {shapes[s][0], shapes[s][1], df, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
        for (int trial = 0; trial < 12; trial++) {
            const uint64_t base = cfg.rows > cfg.cols ? cfg.rows : cfg.cols;
            systolic_gemm_t g = {1 + rnd(&seed) % (3 * base), 1 + rnd(&seed) % (3 * base),
                                 1 + rnd(&seed) % (3 * base)};
            if (trial == 0)
                g = (systolic_gemm_t){1, 1, 1};
            if (trial == 1)
                g.k = 10 * base + 3; /* K much larger than the array */
            seen_t seen;
            run_case(&cfg, &g, &seed, &seen);
            check_counts(&cfg, &g, &seen);
        }
    }
}
END_TEST

START_TEST(narrow_widths_wrap_like_the_reference)
{
    uint64_t seed = 99;
    for (int df = 0; df < 3; df++) {
        const systolic_cfg_t cfg = {5, 4, (systolic_dataflow_t)df, 4, 6, 12, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
        const systolic_gemm_t g = {9, 11, 37};
        seen_t seen;
        run_case(&cfg, &g, &seed, &seen);
        check_counts(&cfg, &g, &seen);
    }
}
END_TEST

/* array.compressed: the carry-save PE gives the naive GEMM's values (the
 * reference wraps once at the end; the PE never resolves a carry until the
 * value leaves its column) and the MAC PE's cycles and accesses (the closed
 * form), in every dataflow, on shapes with one row or column, narrow
 * accumulators where carries run off the top, and minifloat operands. */
START_TEST(compressed_pe_equals_naive_gemm_and_mac_schedule)
{
    static const uint32_t shapes[][2] = {{1, 1}, {4, 3}, {1, 5}, {6, 1}, {8, 8}};
    static const uint32_t widths[][3] = {{8, 8, 32}, {4, 6, 12}, {16, 16, 32}, {3, 5, 7}};
    uint64_t seed = 0xc0ffee + (uint64_t)_i;
    const systolic_dataflow_t df = (systolic_dataflow_t)(_i % 3);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
            const systolic_cfg_t cfg = {shapes[s][0], shapes[s][1], df, widths[w][0],
                                        widths[w][1], widths[w][2], {0, 0, 0}, {0, 0, 0},
                                        SYSTOLIC_DRAIN_SERIAL, 1, 0};
            for (int trial = 0; trial < 4; trial++) {
                const uint64_t base = cfg.rows > cfg.cols ? cfg.rows : cfg.cols;
                systolic_gemm_t g = {1 + rnd(&seed) % (3 * base), 1 + rnd(&seed) % (3 * base),
                                     1 + rnd(&seed) % (3 * base)};
                if (trial == 1)
                    g.k = 10 * base + 3;
                seen_t seen;
                run_case(&cfg, &g, &seed, &seen);
                check_counts(&cfg, &g, &seen);
            }
        }
    /* e4m3 x e5m2: products up to 2^30 units, so sums carry past bit 31. */
    systolic_cfg_t fp = {3, 4, df, 8, 8, 32, {4, 3, NUMFMT_OCP_E4M3}, {5, 2, NUMFMT_IEEE},
                         SYSTOLIC_DRAIN_SERIAL, 1, 0};
    const systolic_gemm_t g = {7, 9, 29};
    seen_t seen;
    run_case(&fp, &g, &seed, &seen);
    check_counts(&fp, &g, &seen);
    fp.acc_bits = 20;
    run_case(&fp, &g, &seed, &seen);
}
END_TEST

START_TEST(cycle_formula_matches_hand_count)
{
    /* Hand-derived: OS on 4x4, 8x8x8 -> 4 folds of K+2R+C-1 = 8+8+4-1 = 19
     * cycles, plus the command cycle. */
    systolic_cfg_t cfg = {4, 4, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
    systolic_gemm_t g = {8, 8, 8};
    systolic_counts_t c;
    ck_assert_int_eq(systolic_count(&cfg, &g, &c, NULL, 0), 0);
    ck_assert_uint_eq(c.compute_cycles, 1 + 4 * 19);
    /* WS: ceil(8/4) * ceil(8/4) = 4 folds of R + M+R+C-1 = 4 + 15 = 19. */
    cfg.dataflow = SYSTOLIC_WS;
    ck_assert_int_eq(systolic_count(&cfg, &g, &c, NULL, 0), 0);
    ck_assert_uint_eq(c.compute_cycles, 1 + 4 * 19);
    /* IS on 2 x 3: ceil(M/3) = 3 column folds x ceil(K/2) = 4 k folds of
     * 2 + (8 + 2 + 3 - 1) = 14 cycles. */
    cfg = (systolic_cfg_t){2, 3, SYSTOLIC_IS, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
    ck_assert_int_eq(systolic_count(&cfg, &g, &c, NULL, 0), 0);
    ck_assert_uint_eq(c.compute_cycles, 1 + 12 * 14);
}
END_TEST

START_TEST(wrap_is_twos_complement)
{
    ck_assert_int_eq(systolic_wrap(127, 8), 127);
    ck_assert_int_eq(systolic_wrap(128, 8), -128);
    ck_assert_int_eq(systolic_wrap(-129, 8), 127);
    ck_assert_int_eq(systolic_wrap(0xffffffffll, 32), -1);
    ck_assert_int_eq(systolic_wrap(3, 2), -1);
    ck_assert_int_eq(systolic_wrap(-1, 1), -1);
}
END_TEST

START_TEST(config_out_of_range_is_refused_with_the_field)
{
    char err[128];
    systolic_cfg_t cfg = {0, 4, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
    ck_assert_int_eq(systolic_cfg_check(&cfg, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "rows"));
    cfg.rows = 257;
    ck_assert_int_eq(systolic_cfg_check(&cfg, err, sizeof err), -1);
    cfg.rows = 4;
    cfg.acc_bits = 33;
    ck_assert_int_eq(systolic_cfg_check(&cfg, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "acc_bits"));
    cfg.acc_bits = 32;
    ck_assert_int_eq(systolic_cfg_check(&cfg, err, sizeof err), 0);
    const systolic_gemm_t g = {0, 1, 1};
    ck_assert_int_eq(systolic_gemm_check(&g, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "M"));
    ck_assert_ptr_null(systolic_array_new(&(systolic_cfg_t){4, 0, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0}));
}
END_TEST

/* array.os_drain: overlap against serial, on the cycle-by-cycle array.
 * By hand (models/systolic.h): a serial OS fold is FEED (K+R+C-2) then DRAIN
 * (R+1).  Overlapped, fold f+1's FEED t=0 captures fold f's sums into v_reg
 * and they drain during that FEED, which is K+R+C-2 >= R cycles long, so no
 * fold waits; only the last fold's DRAIN (R+1) is not hidden.  With F folds
 * (ceil(M/R) x ceil(N/C)):
 *   serial - overlap = F(R+1) - (R+1) = (F-1)(R+1),
 * the refill cost being the one unhidden drain, R+1.  The expected savings
 * below are that formula worked by hand per shape; the 5x1 K=1 shape is the
 * tight one (fold = drain = 5 cycles).  Values are checked against the naive
 * GEMM and the closed-form count against the cycle count. */
START_TEST(overlapped_os_drain_saves_folds_times_r_plus_1_less_the_last_drain)
{
    static const struct {
        uint32_t r, c;
        uint64_t m, n, k, saving;
    } cases[] = {
        {4, 4, 9, 10, 3, 40},     /* F = 3 x 3 = 9:  8 x 5 */
        {8, 8, 8, 8, 100, 0},     /* F = 1: nothing to hide */
        {5, 1, 12, 3, 1, 48},     /* F = 3 x 3 = 9:  8 x 6, K = 1 < R */
        {3, 7, 20, 15, 2, 80},    /* F = 7 x 3 = 21: 20 x 4, K < R */
        {16, 4, 33, 9, 5, 136},   /* F = 3 x 3 = 9:  8 x 17 */
        {2, 3, 2, 30, 40, 27},    /* F = 1 x 10:     9 x 3 */
    };
    uint64_t seed = 77;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        systolic_cfg_t cfg = {cases[i].r, cases[i].c, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0},
                              SYSTOLIC_DRAIN_SERIAL, 0, 0};
        const systolic_gemm_t g = {cases[i].m, cases[i].n, cases[i].k};
        seen_t ser, ovl;
        run_case(&cfg, &g, &seed, &ser);
        cfg.os_drain = SYSTOLIC_DRAIN_OVERLAP;
        run_case(&cfg, &g, &seed, &ovl);
        ck_assert_msg(ser.cycles - ovl.cycles == cases[i].saving,
                      "%ux%u M=%llu N=%llu K=%llu: serial %llu, overlap %llu cycles, want %llu saved",
                      cfg.rows, cfg.cols, (unsigned long long)g.m, (unsigned long long)g.n,
                      (unsigned long long)g.k, (unsigned long long)ser.cycles,
                      (unsigned long long)ovl.cycles, (unsigned long long)cases[i].saving);
        /* Same traffic, only earlier. */
        ck_assert_uint_eq(ovl.a_reads, ser.a_reads);
        ck_assert_uint_eq(ovl.b_reads, ser.b_reads);
        ck_assert_uint_eq(ovl.o_writes, ser.o_writes);
        systolic_counts_t c;
        ck_assert_int_eq(systolic_count(&cfg, &g, &c, NULL, 0), 0);
        ck_assert_uint_eq(c.compute_cycles, ovl.cycles);
        /* Compressed PEs (array.compressed): the shadow set holds the carry
         * words too; values against the naive GEMM (run_case), the same
         * schedule as the MAC PE's overlapped drain. */
        cfg.compressed = 1;
        seen_t cmp;
        run_case(&cfg, &g, &seed, &cmp);
        ck_assert_uint_eq(cmp.cycles, ovl.cycles);
        ck_assert_uint_eq(cmp.a_reads, ovl.a_reads);
        ck_assert_uint_eq(cmp.b_reads, ovl.b_reads);
        ck_assert_uint_eq(cmp.o_writes, ovl.o_writes);
    }
    /* WS and IS ignore the option. */
    for (int df = 1; df < 3; df++) {
        systolic_cfg_t cfg = {4, 3, (systolic_dataflow_t)df, 8, 8, 32, {0, 0, 0}, {0, 0, 0},
                              SYSTOLIC_DRAIN_OVERLAP, 0, 0};
        const systolic_gemm_t g = {9, 7, 10};
        seen_t ovl, ser;
        run_case(&cfg, &g, &seed, &ovl);
        cfg.os_drain = SYSTOLIC_DRAIN_SERIAL;
        run_case(&cfg, &g, &seed, &ser);
        ck_assert_uint_eq(ovl.cycles, ser.cycles);
    }
}
END_TEST

/* array.ws_out_reg: false against true, on the cycle-by-cycle array.  By
 * hand (models/systolic.h): a WS/IS fold is LOAD (R) then FEED (S+R+C-1),
 * its last cycle writing the bottom row's registered sum; unregistered, the
 * sum leaves as it is formed and FEED is S+R+C-2: one cycle less per fold,
 * F = ceil(N/C) ceil(K/R) (WS) or ceil(M/C) ceil(K/R) (IS).  The savings
 * below are F worked by hand per shape; R = 1 (the lane feeds the bottom
 * PE directly) is counted.  Values against the naive GEMM (run_case), the
 * closed-form count against the cycle count; OS is left alone; compressed
 * PEs are refused. */
START_TEST(unregistered_ws_is_output_saves_one_cycle_per_fold)
{
    static const struct {
        uint32_t r, c;
        systolic_dataflow_t df;
        uint64_t m, n, k, saving;
    } cases[] = {
        {4, 3, SYSTOLIC_WS, 9, 7, 10, 9},   /* ceil(7/3) x ceil(10/4) = 3 x 3 */
        {4, 3, SYSTOLIC_IS, 9, 7, 10, 9},   /* ceil(9/3) x ceil(10/4) = 3 x 3 */
        {1, 5, SYSTOLIC_WS, 6, 12, 3, 9},   /* ceil(12/5) x 3 = 3 x 3, R = 1 */
        {1, 4, SYSTOLIC_IS, 5, 6, 2, 4},    /* ceil(5/4) x 2 = 2 x 2, R = 1 */
        {5, 1, SYSTOLIC_IS, 4, 6, 11, 12},  /* 4 x ceil(11/5) = 4 x 3 */
        {8, 8, SYSTOLIC_WS, 8, 8, 8, 1},    /* one fold */
        {3, 7, SYSTOLIC_WS, 1, 20, 9, 9},   /* ceil(20/7) x 3 = 3 x 3, M = 1 */
    };
    uint64_t seed = 91;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        systolic_cfg_t cfg = {cases[i].r, cases[i].c, cases[i].df, 8, 8, 32, {0, 0, 0}, {0, 0, 0},
                              SYSTOLIC_DRAIN_SERIAL, 0, 0};
        const systolic_gemm_t g = {cases[i].m, cases[i].n, cases[i].k};
        seen_t reg, unr;
        run_case(&cfg, &g, &seed, &reg);
        cfg.ws_out_unreg = 1;
        ck_assert_int_eq(systolic_cfg_check(&cfg, NULL, 0), 0);
        run_case(&cfg, &g, &seed, &unr);
        ck_assert_msg(reg.cycles - unr.cycles == cases[i].saving,
                      "%s %ux%u M=%llu N=%llu K=%llu: registered %llu, unregistered %llu cycles, "
                      "want %llu saved",
                      systolic_dataflow_name(cfg.dataflow), cfg.rows, cfg.cols,
                      (unsigned long long)g.m, (unsigned long long)g.n, (unsigned long long)g.k,
                      (unsigned long long)reg.cycles, (unsigned long long)unr.cycles,
                      (unsigned long long)cases[i].saving);
        ck_assert_uint_eq(unr.a_reads, reg.a_reads);
        ck_assert_uint_eq(unr.b_reads, reg.b_reads);
        ck_assert_uint_eq(unr.o_writes, reg.o_writes);
        ck_assert_uint_eq(unr.o_acc, reg.o_acc);
        check_counts(&cfg, &g, &unr);
        /* narrow wrapping accumulator, same schedule */
        cfg.in_bits = 4, cfg.w_bits = 6, cfg.acc_bits = 12;
        seen_t nar;
        run_case(&cfg, &g, &seed, &nar);
        ck_assert_uint_eq(nar.cycles, unr.cycles);
    }
    /* The first case in full by hand: 1 + 9 x (4 + 9+4+3-2) = 163. */
    systolic_cfg_t cfg = {4, 3, SYSTOLIC_WS, 8, 8, 32, {0, 0, 0}, {0, 0, 0},
                          SYSTOLIC_DRAIN_SERIAL, 0, 1};
    systolic_counts_t c;
    ck_assert_int_eq(systolic_count(&cfg, &(systolic_gemm_t){9, 7, 10}, &c, NULL, 0), 0);
    ck_assert_uint_eq(c.compute_cycles, 163);
    /* OS ignores the option. */
    cfg.dataflow = SYSTOLIC_OS;
    const systolic_gemm_t g = {9, 7, 10};
    seen_t a, b;
    run_case(&cfg, &g, &seed, &a);
    cfg.ws_out_unreg = 0;
    run_case(&cfg, &g, &seed, &b);
    ck_assert_uint_eq(a.cycles, b.cycles);
    /* Compressed PEs: the carry-propagate add would join the path: refused. */
    char err[256];
    cfg.dataflow = SYSTOLIC_WS;
    cfg.ws_out_unreg = 1;
    cfg.compressed = 1;
    ck_assert_int_eq(systolic_cfg_check(&cfg, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "ws_out_reg"));
}
END_TEST

Suite *systolic_suite(void)
{
    Suite *s = suite_create("systolic");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, values_equal_naive_gemm_in_every_dataflow_and_shape, 0, 6);
    tcase_add_test(tc, narrow_widths_wrap_like_the_reference);
    tcase_add_loop_test(tc, compressed_pe_equals_naive_gemm_and_mac_schedule, 0, 3);
    tcase_add_test(tc, cycle_formula_matches_hand_count);
    tcase_add_test(tc, overlapped_os_drain_saves_folds_times_r_plus_1_less_the_last_drain);
    tcase_add_test(tc, unregistered_ws_is_output_saves_one_cycle_per_fold);
    tcase_add_test(tc, wrap_is_twos_complement);
    tcase_add_test(tc, config_out_of_range_is_refused_with_the_field);
    suite_add_tcase(s, tc);
    return s;
}

/* test_tensor_engine.c - the adder-tree, 3D-cube and 2D-matrix engines
 * (models/tensor_engine.h, models/te_cost.h) and array.fixed_dataflow.
 *
 * References: a naive triple loop (te_reference_gemm's own arithmetic is
 * re-derived here in the test as naive_gemm, independent of the model),
 * cycle counts worked out by hand from the schedule in tensor_engine.h,
 * layer times and areas computed by hand from the component list in
 * te_cost.h, and the RTL (suite teng_rtl: rtlcheck through the real
 * binary, 200 random cases per engine and PE option). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../models/block.h"
#include "../models/te_cost.h"
#include "../models/tensor_engine.h"
#include "../sim/io/config.h"
#include "tests.h"

static int32_t wrap(int64_t v, uint32_t bits)
{
    const uint64_t m = (1ull << bits) - 1, s = 1ull << (bits - 1);
    return (int32_t)(int64_t)((((uint64_t)v & m) ^ s) - s);
}

/* The test's own GEMM: exact products summed in 64 bits, wrapped once. */
static void naive_gemm(const te_cfg_t *c, uint64_t M, uint64_t N, uint64_t K, const int32_t *a,
                       const int32_t *b, int32_t *o)
{
    for (uint64_t m = 0; m < M; m++)
        for (uint64_t n = 0; n < N; n++) {
            int64_t s = 0;
            for (uint64_t k = 0; k < K; k++)
                s += (int64_t)a[m * K + k] * b[k * N + n];
            o[m * N + n] = wrap(s, c->acc_bits);
        }
}

/* Runs the cycle model; returns its cycles. */
static uint64_t run_model(const te_cfg_t *c, const te_gemm_t *g, const int32_t *a,
                          const int32_t *b, int32_t *o)
{
    te_engine_t *e = te_engine_new(c);
    ck_assert_ptr_nonnull(e);
    te_engine_start(e, g, a, b, o);
    uint64_t cyc = 0;
    te_ports_t p;
    while (te_engine_step(e, &p))
        cyc++;
    te_engine_free(e);
    return cyc;
}

START_TEST(test_values_match_naive_gemm_every_kind_and_pe)
{
    uint64_t rng = 12345;
    for (int kind = 0; kind < TE_KINDS; kind++)
        for (int cmp = 0; cmp < 2; cmp++)
            for (int trial = 0; trial < 20; trial++) {
                te_cfg_t c;
                te_defaults((te_kind_t)kind, &c);
                c.rows = kind == TE_ADDERTREE ? 1 : 1 + trial % 4;
                c.cols = 1 + (trial * 7) % 5;
                c.depth = kind == TE_MATRIX2D ? 1 : 1 + trial % 5;
                c.compressed = cmp;
                c.acc_bits = trial % 3 ? 32 : 9;   /* 9 bits: wraps often */
                c.in_bits = 2 + trial % 7;
                c.w_bits = 3 + trial % 6;
                ck_assert_int_eq(te_cfg_check(&c, (char[64]){0}, 64), 0);
                const te_gemm_t g = {1 + trial % 9, 1 + (trial * 5) % 11, 1 + (trial * 3) % 13};
                int32_t *a = malloc(g.m * g.k * 4), *b = malloc(g.k * g.n * 4),
                        *o = calloc(g.m * g.n, 4), *r = malloc(g.m * g.n * 4);
                for (uint64_t i = 0; i < g.m * g.k; i++)
                    a[i] = wrap((int64_t)(rng = rng * 6364136223846793005ull + 1) >> 17, c.in_bits);
                for (uint64_t i = 0; i < g.k * g.n; i++)
                    b[i] = wrap((int64_t)(rng = rng * 6364136223846793005ull + 1) >> 17, c.w_bits);
                run_model(&c, &g, a, b, o);
                naive_gemm(&c, g.m, g.n, g.k, a, b, r);
                for (uint64_t i = 0; i < g.m * g.n; i++)
                    ck_assert_msg(o[i] == r[i], "%s cmp=%d trial %d: O[%llu] = %d, want %d",
                                  te_kind_name((te_kind_t)kind), cmp, trial,
                                  (unsigned long long)i, o[i], r[i]);
                free(a), free(b), free(o), free(r);
            }
}
END_TEST

/* 2x2x2 cube, M=3 N=3 K=5: folds ceil(3/2)^2 = 4, k-steps ceil(5/2) = 3 per
 * fold, 12 steps; accept + 12 reads + accumulate + write = 15 cycles. */
START_TEST(test_cycles_by_hand_and_closed_form)
{
    te_cfg_t c;
    te_defaults(TE_CUBE, &c);
    c.rows = c.cols = c.depth = 2;
    const te_gemm_t g = {3, 3, 5};
    ck_assert_uint_eq(run_model(&c, &g, NULL, NULL, NULL), 15);
    te_counts_t n;
    char err[128];
    ck_assert_int_eq(te_count(&c, &g, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n.compute_cycles, 15);
    ck_assert_uint_eq(n.a_reads, 3 * 5 * 2);   /* A read once per column fold */
    ck_assert_uint_eq(n.b_reads, 5 * 3 * 2);   /* B once per row fold */
    /* closed form against the cycle model on many shapes */
    for (uint32_t d = 1; d <= 4; d++)
        for (uint64_t k = 1; k <= 9; k += 2) {
            te_cfg_t e;
            te_defaults(TE_ADDERTREE, &e);
            e.cols = 3, e.depth = d;
            const te_gemm_t h = {4, 7, k};
            ck_assert_int_eq(te_count(&e, &h, &n, err, sizeof err), 0);
            ck_assert_uint_eq(run_model(&e, &h, NULL, NULL, NULL), n.compute_cycles);
        }
}
END_TEST

START_TEST(test_shape_rules_name_the_field)
{
    te_cfg_t c;
    char err[160];
    te_defaults(TE_ADDERTREE, &c);
    c.rows = 2;
    ck_assert_int_eq(te_cfg_check(&c, err, sizeof err), -1);
    ck_assert_msg(!strncmp(err, "rows: 2,", 8), "%s", err);
    te_defaults(TE_MATRIX2D, &c);
    c.depth = 4;
    ck_assert_int_eq(te_cfg_check(&c, err, sizeof err), -1);
    ck_assert_msg(!strncmp(err, "depth: 4,", 9), "%s", err);
    te_defaults(TE_CUBE, &c);
    c.acc_bits = 40;
    ck_assert_int_eq(te_cfg_check(&c, err, sizeof err), -1);
    ck_assert_str_eq(err, "acc_bits: 40 is outside 2..32");
}
END_TEST

static char scratch[64];

static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void setup(void)
{
    test_tmpdir(scratch, sizeof scratch, "teng");
}

static void teardown(void)
{
    test_rmtree(scratch);
}

/* A cube: section makes the machine's full-width layers run on the cube;
 * the layer time is the roofline worked out by hand. */
START_TEST(test_cube_section_runs_layers)
{
    const char *p = write_file("c.yaml", "name: c\ncube:\n  rows: 4\n  cols: 4\n  depth: 8\n"
                                         "  compressed: true\ndram:\n  bytes_per_cycle: 16\n");
    hw_cfg_t hw;
    char err[256];
    ck_assert_msg(hw_load(p, &hw, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(hw.has_te[TE_CUBE], 1);
    char *text = hw_canonical(&hw);
    ck_assert_ptr_nonnull(strstr(text, "cube:\n  rows: 4\n  cols: 4\n  depth: 8\n"));
    ck_assert_ptr_nonnull(strstr(text, "  compressed: true\n"));
    free(text);
    const hw_op_t op = {64, 32, 128, 0, 0, NULL};
    const hw_block_t *u = hw_block_for_op(&hw, &op);
    ck_assert_str_eq(u->section, "cube");
    layer_stats_t st;
    ck_assert_msg(u->run(&hw, &op, ENGINE_FAST, &st, NULL, NULL, err, sizeof err) == 0, "%s", err);
    /* compute: folds 16 x 8 = 128, k-steps 16 each: 2048 + 3.  DRAM: A 64x128
     * once (a 4-row panel fits), B 128x32 once (fits), O 64x32x4 bytes:
     * 8192 + 4096 + 8192 = 20480 B / 16 = 1280 cycles < compute. */
    ck_assert_uint_eq(st.compute_cycles, 2051);
    ck_assert_uint_eq(st.total_cycles, 2051);
    ck_assert_uint_eq(st.dram_read_bytes, 8192 + 4096);
    ck_assert_uint_eq(st.dram_write_bytes, 8192);
    hw_free(&hw);
}
END_TEST

START_TEST(test_bad_engine_keys_are_refused_with_file_and_field)
{
    hw_cfg_t hw;
    char err[256];
    const char *p = write_file("b.yaml", "name: b\naddertree:\n  rows: 3\n");
    ck_assert_int_eq(hw_load(p, &hw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "addertree.rows: 3") != NULL, "%s", err);
    p = write_file("b2.yaml", "name: b\ncube:\n  compressed: maybe\n");
    ck_assert_int_eq(hw_load(p, &hw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "compressed") != NULL && strstr(err, "b2.yaml") != NULL, "%s", err);
    p = write_file("b3.yaml", "name: b\narray:\n  fixed_dataflow: perhaps\n");
    ck_assert_int_eq(hw_load(p, &hw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "fixed_dataflow") != NULL && strstr(err, "perhaps") != NULL, "%s",
                  err);
    /* array.compressed: a boolean; written back only when set; refused
     * beside fixed_dataflow (no such PE in the area model) */
    p = write_file("b4.yaml", "name: b\narray:\n  compressed: sometimes\n");
    ck_assert_int_eq(hw_load(p, &hw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "compressed") != NULL && strstr(err, "sometimes") != NULL, "%s",
                  err);
    p = write_file("b5.yaml", "name: b\narray:\n  compressed: true\n  fixed_dataflow: true\n");
    ck_assert_int_eq(hw_load(p, &hw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "array.compressed") != NULL, "%s", err);
    p = write_file("b6.yaml", "name: b\narray:\n  compressed: true\n");
    ck_assert_msg(hw_load(p, &hw, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(hw.array.compressed, 1);
    char *text = hw_canonical(&hw);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "array:") != NULL && strstr(text, "  compressed: true\n") != NULL,
                  "%s", text);
    free(text);
    hw_free(&hw);
}
END_TEST

/* Area by hand on a table of round numbers (te_cost.h's component list):
 * a 2x2x2 MAC cube of 8-bit operands and 16-bit accumulator. */
START_TEST(test_grid_area_by_hand)
{
    tech_t t;
    memset(&t, 0, sizeof t);
    t.a.int8_mul = 100, t.a.int32_mul = 1600;   /* power law: exponent 1 in a*b */
    t.a.int8_add = 8, t.a.int16_add = 16, t.a.int32_add = 32;
    t.a.reg_bit = 2, t.a.mux_bit = 1;
    te_cfg_t c;
    te_defaults(TE_CUBE, &c);
    c.rows = c.cols = c.depth = 2;
    c.acc_bits = 16;
    /* 4 PEs: 2 muls (100 each), 1 tree adder of 17 bits (17), acc adder 16,
     * 16 reg bits (32), 32 mux bits (32): 4 x 297 = 1188 */
    const double mac = te_grid_um2(&t, &c, NULL);
    ck_assert_msg(fabs(mac - 1188) < 1e-6, "MAC grid %.3f, want 1188", mac);
    c.compressed = 1;
    /* + per PE: the final adder 16, a 15-bit carry word (30) with an
     * enable mux bit each (15): 61 */
    const double cmp = te_grid_um2(&t, &c, NULL);
    ck_assert_msg(fabs(cmp - (1188 + 4 * 61)) < 1e-6, "compressed grid %.3f", cmp);
}
END_TEST

/* fixed_dataflow drops the dataflow-select muxes: a 16x16 int8 OS array
 * prices below the flexible PE by exactly what power_grid_fixed_um2's list
 * leaves out, worked out here from the 45 nm table's unit areas. */
START_TEST(test_fixed_dataflow_area)
{
    tech_t t;
    memset(&t, 0, sizeof t);
    t.a.int8_mul = 100, t.a.int32_mul = 1600;
    t.a.int8_add = 8, t.a.int16_add = 16, t.a.int32_add = 32;
    t.a.reg_bit = 2, t.a.mux_bit = 1;
    systolic_cfg_t a = {4, 4, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
    /* 16 muls 1600, 16 adders 512, regs (16x32 + 4x3x8 x2 + 8x8) = 768 bits
     * 1536, clear mux 512 bits 512: 4160 */
    const double fixed = power_grid_fixed_um2(&t, &a, NULL);
    ck_assert_msg(fabs(fixed - 4160) < 1e-6, "fixed OS grid %.3f, want 4160", fixed);
    ck_assert(fixed < power_grid_um2(&t, 4, 4, 8, 8, 32, NULL));
}
END_TEST

Suite *tensor_engine_suite(void)
{
    Suite *s = suite_create("tensor_engine");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, test_values_match_naive_gemm_every_kind_and_pe);
    tcase_add_test(tc, test_cycles_by_hand_and_closed_form);
    tcase_add_test(tc, test_shape_rules_name_the_field);
    tcase_add_test(tc, test_grid_area_by_hand);
    tcase_add_test(tc, test_fixed_dataflow_area);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("machine");
    tcase_add_checked_fixture(tm, setup, teardown);
    tcase_add_test(tm, test_cube_section_runs_layers);
    tcase_add_test(tm, test_bad_engine_keys_are_refused_with_file_and_field);
    suite_add_tcase(s, tm);
    return s;
}

/* test_teng_rtl.c - the tensor engines' RTL cross-check: the real binary's
 * `codesim rtlcheck --block addertree|cube|matrix2d` against the Verilated
 * rtl/tensor_engine.v, 200 random cases per engine and PE option (GEMM
 * sizes 1, multiples of the engine, non-multiples and far larger), on small
 * shapes whose libraries mk/teng.mk builds ahead.  Values (also against the
 * naive GEMM), cycle counts and every cycle's port activity must agree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../models/te_cost.h"
#include "tests.h"

static const struct {
    const char *block;
    const char *args;
} cases[] = {
    {"addertree", "--rows 1 --cols 3 --depth 4 --compressed 0"},
    {"addertree", "--rows 1 --cols 3 --depth 4 --compressed 1"},
    {"cube", "--rows 2 --cols 3 --depth 2 --compressed 0"},
    {"cube", "--rows 2 --cols 3 --depth 2 --compressed 1 --acc-bits 12 --in-bits 5"},
    {"matrix2d", "--rows 3 --cols 2 --depth 1 --compressed 0"},
    {"matrix2d", "--rows 3 --cols 2 --depth 1 --compressed 1 --w-bits 4"},
};

START_TEST(test_rtlcheck_200_cases)
{
    expect_rtlcheck(cases[_i].block, cases[_i].args, 200, 7 + (unsigned)_i, "activity",
                    "rows=");
}
END_TEST

static const char *bin(void)
{
    const char *b = getenv("CODESIM_BIN");
    return b && *b ? b : "build/codesim";
}

/* Runs cmd; returns its exit status and its output's last line in last. */
static int run(const char *cmd, char *last, size_t n)
{
    char full[4096], line[1024];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    ck_assert_ptr_nonnull(p);
    last[0] = 0;
    while (fgets(line, sizeof line, p))
        snprintf(last, n, "%s", line);
    const int rc = pclose(p);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The area model of each engine's PE grid, MAC-based and compressed,
 * against yosys synthesis of rtl/tensor_engine.v's teng_core priced with
 * NanGate cells, on the yosys-calibrated component table (within 10%,
 * `codesim synth` exits non-zero otherwise), and the timing model's path
 * lengths (te_pe_levels) against yosys' `ltp -noff` on the same netlist,
 * overall and into the flip-flops (within 10% too). */
static const char *const synth_cfgs[] = {"cube_false", "cube_true", "matrix2d_false",
                                         "matrix2d_true"};

START_TEST(test_synth_engine_grid_within_10_percent)
{
    char cmd[512], last[1024], dir[] = "/tmp/codesim-tsyn-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char kind[32];
    snprintf(kind, sizeof kind, "%s", synth_cfgs[_i]);
    *strchr(kind, '_') = 0;
    snprintf(cmd, sizeof cmd,
             "%s synth --compare %s --hw tests/data/teng_%s.yaml --tech yosys45 --out %s", bin(),
             kind, synth_cfgs[_i], dir);
    const int rc = run(cmd, last, sizeof last);
    /* The exit status covers the area line (the last) and the timing
     * line before it. */
    ck_assert_msg(rc == 0 && strstr(last, "PE grid on yosys45") != NULL &&
                      strstr(last, "against synthesis") != NULL,
                  "%s: exit %d: %s", synth_cfgs[_i], rc, last);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The paper's public Verilog (not in this repository): with
 * CODESIM_PAPER_DIR naming a checkout of
 * github.com/wqzustc/High-Performance-Tensor-Processing-Engines, its 2x2
 * MAC-based OS array synthesizes through `codesim synth --top` and the
 * fixed-dataflow array model on the yosys-measured table is within 10% of
 * it (measured -6.75%); without it the test says so and passes. */
START_TEST(test_synth_paper_os_array_when_present)
{
    const char *pd = getenv("CODESIM_PAPER_DIR");
    char pe[512], top[512];
    struct stat sb;
    snprintf(pe, sizeof pe, "%s/OPT1/systolic_array_os/array_mac_based/pe.v", pd ? pd : "");
    snprintf(top, sizeof top, "%s/OPT1/systolic_array_os/array_mac_based/top.v", pd ? pd : "");
    if (!pd || stat(pe, &sb) != 0 || stat(top, &sb) != 0) {
        fprintf(stderr, "teng_rtl: skipped the paper's Verilog: set CODESIM_PAPER_DIR to a "
                        "checkout of wqzustc/High-Performance-Tensor-Processing-Engines\n");
        return;
    }
    char cmd[2048], last[1024], dir[] = "/tmp/codesim-tsyn-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "printf 'name: os2\\narray:\\n  rows: 2\\n  cols: 2\\n  fixed_dataflow: true\\n' > "
             "%s/os2.yaml && %s synth --top top --verilog %s --verilog %s --param A_H=2 "
             "--param B_W=2 --compare array --hw %s/os2.yaml --tech yosys45 --out %s",
             dir, bin(), pe, top, dir, dir);
    const int rc = run(cmd, last, sizeof last);
    ck_assert_msg(rc == 0 && strstr(last, "2x2 os array grid (fixed dataflow)") != NULL,
                  "exit %d: %s", rc, last);
    fprintf(stderr, "teng_rtl: paper 2x2 MAC OS array: %s", last);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The OPT1 PE's Booth-generator law (te_booth_neg_levels: a radix-4 Booth
 * row behind a full negation of the n-bit multiplicand, n + 2 levels)
 * against yosys' longest path through rtl/synth/parts.v booth_negrow, our
 * own Verilog of that structure (the paper's generator is measured by
 * `make paper-synth`, which needs its checkout), at three widths, within
 * 10% as the engines' timing; and the textbook row (booth_row) stays
 * shorter at 8 bits, so the law is not a constant the flow would also give
 * without the negation chain. */
START_TEST(test_synth_booth_negrow_levels_law)
{
    static const unsigned widths[] = {4, 8, 16};
    char cmd[512], last[1024], dir[] = "/tmp/codesim-tsyn-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    unsigned textbook = 0;
    for (size_t i = 0; i <= sizeof widths / sizeof widths[0]; i++) {
        const int tb = i == sizeof widths / sizeof widths[0];
        const unsigned n = tb ? 8 : widths[i];
        snprintf(cmd, sizeof cmd,
                 "%s synth --top %s --verilog rtl/synth/parts.v --param N=%u --out %s", bin(),
                 tb ? "booth_row" : "booth_negrow", n, dir);
        const int rc = run(cmd, last, sizeof last);
        const char *lp = strstr(last, "longest path ");
        unsigned got = 0;
        ck_assert_msg(rc == 0 && lp && sscanf(lp, "longest path %u gates", &got) == 1,
                      "N=%u: exit %d: %s", n, rc, last);
        if (tb) {
            textbook = got;
            break;
        }
        const unsigned law = te_booth_neg_levels(n);
        ck_assert_msg(fabs((double)law - got) <= 0.10 * got,
                      "booth_negrow N=%u: yosys %u levels, te_booth_neg_levels %u", n, got, law);
    }
    ck_assert_msg(textbook > 0 && textbook < te_booth_neg_levels(8),
                  "booth_row N=8: %u levels, not below booth_negrow's", textbook);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* codesim synth --ratios (no yosys): one row per engine and the systolic
 * array, each with the paper's ratio (HPCA 2025, as quoted in issue 16)
 * beside the model's, and the model's area efficiency at each PE's own
 * fmax above 1 (the compressed PE's shorter loop outweighs its larger
 * area, as the paper finds) while at one clock it is below 1. */
START_TEST(test_synth_ratios_beside_paper)
{
    static const struct {
        const char *engine;
        double paper;
    } want[] = {{"systolic", 1.27}, {"addertree", 1.56}, {"cube", 1.28}, {"matrix2d", 1.44}};
    char full[512], line[1024];
    snprintf(full, sizeof full, "%s synth --ratios --tech yosys45 2>&1", bin());
    FILE *p = popen(full, "r");
    ck_assert_ptr_nonnull(p);
    int seen[4] = {0};
    while (fgets(line, sizeof line, p)) {
        char name[32], shape[32], os[8];
        double mac, cmp, one, model, paper;
        unsigned lm, lc;
        int n = sscanf(line, "%31s %31s %lf %lf %u %u %lf %lf %lf", name, shape, &mac, &cmp, &lm,
                       &lc, &one, &model, &paper);
        if (n != 9) /* the systolic row's shape is "32x32 os" */
            n = sscanf(line, "%31s %31s %7s %lf %lf %u %u %lf %lf %lf", name, shape, os, &mac,
                       &cmp, &lm, &lc, &one, &model, &paper) - 1;
        if (n != 9)
            continue;
        for (int i = 0; i < 4; i++)
            if (!strcmp(name, want[i].engine)) {
                seen[i] = 1;
                ck_assert_msg(fabs(paper - want[i].paper) < 1e-9, "%s", line);
                ck_assert_msg(one < 1.0 && model > 1.0 && lc < lm, "%s", line);
            }
    }
    ck_assert_int_eq(pclose(p), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(seen[i], "no row for %s", want[i].engine);
}
END_TEST

Suite *teng_rtl_suite(void)
{
    Suite *s = suite_create("teng_rtl");
    TCase *tc = tcase_create("rtlcheck");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_rtlcheck_200_cases, 0, (int)(sizeof cases / sizeof cases[0]));
    suite_add_tcase(s, tc);
    TCase *ts = tcase_create("synth");
    tcase_set_timeout(ts, 600);
    tcase_add_loop_test(ts, test_synth_engine_grid_within_10_percent, 0,
                        (int)(sizeof synth_cfgs / sizeof synth_cfgs[0]));
    tcase_add_test(ts, test_synth_paper_os_array_when_present);
    tcase_add_test(ts, test_synth_booth_negrow_levels_law);
    tcase_add_test(ts, test_synth_ratios_beside_paper);
    suite_add_tcase(s, ts);
    return s;
}

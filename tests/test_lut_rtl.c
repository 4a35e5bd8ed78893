/* test_lut_rtl.c - the LUT unit's RTL cross-check: the real binary's
 * `codesim rtlcheck --block lut` against the Verilated rtl/lut_tc.v, 200
 * random cases per weight width (W1..W4 and ternary), each with and without
 * table symmetrization, on small tiles of different g, activation widths and
 * shapes; GEMM sizes include 1, multiples of the tile, non-multiples and far
 * larger (see rtlcheck_rand_dim in sim/harness/rtlcheck.c).  Values (also against a plain
 * integer GEMM on dequantized weights), cycle counts and every cycle's port
 * activity must agree.  Then the CLI's bad-input contract and lutcompare. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests.h"

/* The libraries mk/lut.mk builds ahead (TEST_PREREQS). */
static const struct {
    const char *wbits;
    unsigned tm, tn, tk, g, a_bits;
} shapes[] = {
    {"1", 3, 5, 8, 4, 8},
    {"2", 2, 7, 6, 2, 8},
    {"3", 3, 4, 6, 3, 5},
    {"4", 4, 3, 8, 4, 8},
    {"ternary", 2, 6, 10, 5, 8},
};

/* Runs `codesim ARGS` with output into dir/out; returns the exit status,
 * fills all (the whole output) and last (its last line). */
static int run(const char *dir, const char *args, char *all, size_t n, char *last, size_t ln)
{
    char path[256];
    snprintf(path, sizeof path, "%s/out", dir);
    const int rc = test_sh(path, "%s %s", test_bin(), args);
    test_read_lines(path, all, n, last, ln);
    return rc;
}

static void rtlcheck(unsigned shape, int sym, const char *extra, unsigned trials, unsigned seed)
{
    char args[512], params[32];
    snprintf(args, sizeof args,
             "--w-bits %s --tile-m %u --tile-n %u --tile-k %u --g %u --a-bits %u --sym-table %d %s",
             shapes[shape].wbits, shapes[shape].tm, shapes[shape].tn, shapes[shape].tk,
             shapes[shape].g, shapes[shape].a_bits, sym, extra);
    snprintf(params, sizeof params, "sym_table=%d", sym);
    expect_rtlcheck("lut", args, trials, seed, "memory-port activity equal every cycle in", params);
}

START_TEST(model_equals_rtl_on_200_random_cases)
{
    /* _i: shape (weight width) x symmetrization. */
    rtlcheck((unsigned)_i / 2, _i % 2, "", 200, 500 + (unsigned)_i);
}
END_TEST

START_TEST(model_equals_rtl_on_edge_shapes)
{
    rtlcheck((unsigned)_i, 1, "--m 1 --n 1 --k 1", 1, 7);
    rtlcheck((unsigned)_i, 0, "--m 7 --n 11 --k 150 --wq zp --zp 0", 2, 8);
}
END_TEST

/* Bad input: one line naming the option or field, exit status 2. */
static void expect_refusal(const char *args, const char *needle)
{
    char dir[64];
    test_tmpdir(dir, sizeof dir, "lutbad");
    char cmd[1024], all[4096], last[512];
    if (strncmp(args, "rtlcheck", 8) == 0)
        snprintf(cmd, sizeof cmd, "%s --db %s/r.db", args, dir);
    else
        snprintf(cmd, sizeof cmd, "%s", args);
    const int rc = run(dir, cmd, all, sizeof all, last, sizeof last);
    ck_assert_msg(rc == 2, "'%s' exited %d:\n%s", args, rc, all);
    ck_assert_msg(strstr(all, needle) != NULL, "'%s': want '%s' in:\n%s", args, needle, all);
    ck_assert_msg(strchr(all, '\n') == all + strlen(all) - 1, "not one line:\n%s", all);
    test_rmtree(dir);
}

START_TEST(cli_rejects_bad_input_in_one_line)
{
    expect_refusal("rtlcheck --block lut --w-bits 5", "--w-bits: 5 is outside 1..4");
    expect_refusal("rtlcheck --block lut --w-bits two", "--w-bits: 'two'");
    expect_refusal("rtlcheck --block lut --g 8 --tile-k 8 --table-entries 100",
                   "codesim rtlcheck: --g: 8 needs 128 table entries per row");
    expect_refusal("rtlcheck --block lut --g 3 --tile-k 8", "codesim rtlcheck: --tile-k: 8 is not a multiple of g = 3");
    expect_refusal("rtlcheck --block lut --tile-k 16 --table-entries 40",
                   "codesim rtlcheck: --tile-k: a 3 x 16 tile needs 96 table entries");
    expect_refusal("rtlcheck --block lut --wq half", "--wq: 'half'");
    expect_refusal("rtlcheck --block lut --w-bits 2 --wq zp --zp 4", "codesim rtlcheck: --zp: 4 is outside 0..3");
    expect_refusal("rtlcheck --block lut --fused 1", "--fused");
    expect_refusal("lutcompare --w-bits 0", "--w-bits: 0 is outside 1..4");
    expect_refusal("lutcompare --g 8 --tile-m 16", "codesim lutcompare: lut.g: 8 needs");
    expect_refusal("lutcompare --m 64 --n 4096 --k 8388608", "codesim lutcompare: --k: ");
}
END_TEST

START_TEST(lutcompare_prints_three_machines_side_by_side)
{
    char dir[64];
    test_tmpdir(dir, sizeof dir, "lutcmp");
    char cmd[1024], all[16384], last[512], csv[300];
    snprintf(csv, sizeof csv, "%s/wl.csv", dir);
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    fputs("Layer,M,N,K\ngemv,1,512,256\ngemm,64,256,128\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "lutcompare --workload %s --w-bits ternary", csv);
    const int rc = run(dir, cmd, all, sizeof all, last, sizeof last);
    ck_assert_msg(rc == 0, "%s", all);
    ck_assert_msg(strstr(all, "gemv           lut") && strstr(all, "gemv           dq+mac") &&
                      strstr(all, "gemm           int8"),
                  "%s", all);
    ck_assert_msg(strstr(all, "dequant_ops=131072"), "256 x 512 weights dequantized:\n%s", all);
    ck_assert_msg(strncmp(last, "total cycles: lut ", 18) == 0, "%s", all);
    test_rmtree(dir);
}
END_TEST

/* The dq+mac row's dram_rd_B, the "why" text's dq+mac traffic and the
 * bytes its energy is priced on are one number: a decode GEMV (M = 1, each
 * weight read once) of N x K = 4096 x 4096 2-bit weights reads the int8
 * run's bytes less the N x K one-byte weights plus N x K x 2 / 8 bytes.  The
 * row used to show the int8 run's 16,781,312 B beside "4.21 MB" in the
 * text. */
START_TEST(lutcompare_dqmac_row_is_the_traffic_it_is_priced_on)
{
    char dir[] = "/tmp/codesim-lutcmp-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[1024], last[512];
    static char all[16384];
    snprintf(cmd, sizeof cmd, "lutcompare --m 1 --n 4096 --k 4096 --w-bits 2");
    ck_assert_int_eq(run(dir, cmd, all, sizeof all, last, sizeof last), 0);
    unsigned long long cyc[3], comp, stall, rd[3], wr[3];
    double area, pj;
    const char *unit[3] = {"lut", "dq+mac", "int8"};
    for (int i = 0; i < 3; i++) {
        char want[32];
        snprintf(want, sizeof want, "\ngemm           %s ", unit[i]);
        const char *row = strstr(all, want);
        ck_assert_msg(row != NULL, "no %s row in:\n%s", unit[i], all);
        char u[16];
        ck_assert_int_eq(sscanf(row + 1, "gemm %15s %llu %llu %llu %llu %llu %lf %lf", u, &cyc[i],
                                &comp, &stall, &rd[i], &wr[i], &area, &pj), 8);
    }
    const unsigned long long nk = 4096ull * 4096;
    ck_assert_uint_eq(rd[1], rd[2] - nk + nk * 2 / 8);
    ck_assert_uint_eq(wr[1], wr[2]);
    ck_assert_uint_eq(cyc[1], cyc[2]); /* dq+mac's cycles are the int8 run's, as it says */
    double lut_mb, dq_mb;
    const char *t = strstr(all, "the LUT unit moves ");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(sscanf(t, "the LUT unit moves %lf MB to and from DRAM against %lf MB", &lut_mb,
                            &dq_mb), 2);
    char a[32], b[32];
    snprintf(a, sizeof a, "%.2f", (double)(rd[1] + wr[1]) * 1e-6);
    snprintf(b, sizeof b, "%.2f", dq_mb);
    ck_assert_str_eq(a, b);
    snprintf(a, sizeof a, "%.2f", (double)(rd[0] + wr[0]) * 1e-6);
    snprintf(b, sizeof b, "%.2f", lut_mb);
    ck_assert_str_eq(a, b);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *lut_rtl_suite(void)
{
    Suite *s = suite_create("lut_rtl");
    TCase *tc = tcase_create("crosscheck");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, model_equals_rtl_on_200_random_cases, 0, 10);
    tcase_add_loop_test(tc, model_equals_rtl_on_edge_shapes, 0, 5);
    tcase_add_test(tc, cli_rejects_bad_input_in_one_line);
    tcase_add_test(tc, lutcompare_prints_three_machines_side_by_side);
    suite_add_tcase(s, tc);
    /* No RTL: CK_RUN_CASE=lutcompare runs it alone. */
    tc = tcase_create("lutcompare");
    tcase_add_test(tc, lutcompare_dqmac_row_is_the_traffic_it_is_priced_on);
    suite_add_tcase(s, tc);
    return s;
}

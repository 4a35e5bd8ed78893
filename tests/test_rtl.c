/* test_rtl.c - the RTL cross-check: `codesim rtlcheck` on three array shapes
 * (square, tall, wide) and narrow operand widths, 200 random cases per
 * dataflow each, against the Verilated rtl/systolic.v.  Cases include M, N or
 * K of 1, sizes that are not multiples of the array and K far larger than
 * it (see rtlcheck_rand_dim in sim/harness/rtlcheck.c); values, cycle counts and every
 * cycle's memory-port activity must agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../sim/io/spawn.h"
#include "tests.h"

static const struct {
    unsigned rows, cols, in_bits, w_bits, acc_bits;
} shapes[] = {
    {8, 8, 8, 8, 32},   /* square */
    {12, 5, 8, 8, 32},  /* tall */
    {5, 12, 8, 8, 32},  /* wide */
    {4, 3, 4, 6, 12},   /* narrow operands, 12-bit accumulator that wraps */
};
static const char *const dataflows[] = {"os", "ws", "is"};

/* One rtlcheck of array shape `shape` in dataflow df. */
static void rtlcheck(const char *extra, unsigned shape, const char *df, unsigned trials,
                     unsigned seed)
{
    char args[512];
    snprintf(args, sizeof args,
             "--rows %u --cols %u --dataflow %s --in-bits %u --w-bits %u --acc-bits %u %s",
             shapes[shape].rows, shapes[shape].cols, df, shapes[shape].in_bits,
             shapes[shape].w_bits, shapes[shape].acc_bits, extra);
    expect_rtlcheck("systolic", args, trials, seed, "memory-port activity equal every cycle in",
                    NULL);
}

START_TEST(model_equals_rtl_on_200_random_cases)
{
    rtlcheck("", (unsigned)_i / 3, dataflows[_i % 3], 200, 1000 + (unsigned)_i);
}
END_TEST

START_TEST(model_equals_rtl_on_edge_shapes)
{
    /* Fixed shapes: all ones, and K far larger than the array. */
    rtlcheck("--m 1 --n 1 --k 1", 0, dataflows[_i], 1, 7);
    rtlcheck("--m 9 --n 17 --k 300", 1, dataflows[_i], 2, 8);
}
END_TEST

/* array.os_drain: overlap (rtl/systolic.v OSD = 1; full run: make
 * osdrain-rtlcheck): random OS cases on a 4x3 array (M, N, K drawn around
 * it, K = 1 and K < R included), and K = 1 on a 5x1 array, where a fold
 * (K+R+C-2 = 5 cycles) is exactly as long as the drain it hides: the last
 * row leaves in the next capture's cycle (models/systolic.h). */
START_TEST(overlapped_os_drain_equals_rtl)
{
    expect_rtlcheck("systolic", "--rows 4 --cols 3 --dataflow os --os-drain overlap", 40, 31,
                    "memory-port activity equal every cycle in", "os_drain=overlap");
    expect_rtlcheck("systolic", "--rows 5 --cols 1 --dataflow os --os-drain overlap --k 1", 15, 32,
                    "memory-port activity equal every cycle in", "os_drain=overlap");
}
END_TEST

/* An RTL cache ($CODESIM_CACHE) whose path holds a space, ';' and '$(...)'
 * builds and checks like any other, and nothing in it runs as a command.
 * Verilator's own --build ran `make -C DIR` through a shell (the new-user
 * report's `touch PWN2` ran) and its makefile refuses a directory with a
 * space; rtl/vbuild.sh now makes in a directory of a safe name. */
START_TEST(rtl_builds_in_a_cache_path_a_shell_would_split)
{
    ck_assert_msg(access("PWN2", F_OK) != 0, "remove the stale ./PWN2 first");
    const char *bin = getenv("CODESIM_BIN") && *getenv("CODESIM_BIN") ? getenv("CODESIM_BIN")
                                                                      : "build/codesim";
    char dir[] = "/tmp/codesim-rtlcache-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cache[256], db[256], log[256], out[8192], err[512];
    snprintf(cache, sizeof cache, "%s/c;$(touch PWN2) sp", dir);
    snprintf(db, sizeof db, "%s/x.db", dir);
    snprintf(log, sizeof log, "%s/out", dir);
    ck_assert_int_eq(mkdir(cache, 0755), 0);
    setenv("CODESIM_CACHE", cache, 1);
    const char *const argv[] = {bin,    "rtlcheck", "--block",    "systolic", "--rows", "2",
                                "--cols", "2",      "--dataflow", "os",       "--trials", "3",
                                "--db",   db,       NULL};
    const int rc = io_spawn(argv, log, err, sizeof err);
    FILE *f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    out[fread(out, 1, sizeof out - 1, f)] = 0;
    fclose(f);
    ck_assert_msg(rc == 0 && strstr(out, "rtlcheck: 3 cases, 0 cycle mismatches, 0 value "
                                         "mismatches") != NULL,
                  "exit %d: %s", rc, out);
    ck_assert_msg(access("PWN2", F_OK) != 0, "the cache path ran `touch PWN2`");
    const char *const rm[] = {"rm", "-rf", dir, NULL};
    ck_assert_int_eq(io_spawn(rm, NULL, err, sizeof err), 0);
}
END_TEST

Suite *rtl_suite(void)
{
    Suite *s = suite_create("rtl");
    TCase *tc = tcase_create("crosscheck");
    tcase_set_timeout(tc, 900);
    tcase_add_loop_test(tc, model_equals_rtl_on_200_random_cases, 0, 12);
    tcase_add_loop_test(tc, model_equals_rtl_on_edge_shapes, 0, 3);
    suite_add_tcase(s, tc);
    TCase *od = tcase_create("os_drain");
    tcase_set_timeout(od, 300);
    tcase_add_test(od, overlapped_os_drain_equals_rtl);
    suite_add_tcase(s, od);
    TCase *cp = tcase_create("cache_path");
    tcase_set_timeout(cp, 300);
    tcase_add_test(cp, rtl_builds_in_a_cache_path_a_shell_would_split);
    suite_add_tcase(s, cp);
    return s;
}

/* test_rtl.c - the RTL cross-check: `codesim rtlcheck` on three array shapes
 * (square, tall, wide) and narrow operand widths, 200 random cases per
 * dataflow each, against the Verilated rtl/systolic.v.  Cases include M, N or
 * K of 1, sizes that are not multiples of the array and K far larger than
 * it (see rtlcheck_rand_dim in sim/harness/rtlcheck.c); values, cycle counts and every
 * cycle's memory-port activity must agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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
    return s;
}

/* test_pim_rtl.c - the PIM unit's RTL cross-check: `codesim rtlcheck --block
 * pim` on two unit configurations (16 fp16 lanes with HBM-PIM's 8-entry
 * register files; 5 int8 lanes with odd register counts), random command
 * sequences of up to 48 commands with idle cycles, random rows including fp16
 * subnormals, zeros, infinities and NaNs.  Read-back values must agree bit for
 * bit between model, RTL and the independent reference, and cycle counts and
 * every cycle's port activity between model and RTL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests.h"

static void rtlcheck_pim_run(const char *args, unsigned trials, unsigned seed)
{
    expect_rtlcheck("pim", args, trials, seed, "port activity equal every cycle in", "");
}

START_TEST(fp16_unit_equals_rtl_on_250_random_sequences)
{
    rtlcheck_pim_run("--lanes 16 --prec fp16 --grf 8 --srf 8 --acc 8 --cols 32", 250, 11);
}
END_TEST

START_TEST(int8_unit_equals_rtl_on_250_random_sequences)
{
    rtlcheck_pim_run("--lanes 5 --prec int8 --grf 4 --srf 2 --acc 3 --cols 7", 250, 12);
}
END_TEST

Suite *pim_rtl_suite(void)
{
    Suite *s = suite_create("pim_rtl");
    TCase *tc = tcase_create("crosscheck");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, fp16_unit_equals_rtl_on_250_random_sequences);
    tcase_add_test(tc, int8_unit_equals_rtl_on_250_random_sequences);
    suite_add_tcase(s, tc);
    return s;
}

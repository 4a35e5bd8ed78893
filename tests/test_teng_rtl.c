/* test_teng_rtl.c - the tensor engines' RTL cross-check: the real binary's
 * `codesim rtlcheck --block addertree|cube|matrix2d` against the Verilated
 * rtl/tensor_engine.v, 200 random cases per engine and PE option (GEMM
 * sizes 1, multiples of the engine, non-multiples and far larger), on small
 * shapes whose libraries mk/teng.mk builds ahead.  Values (also against the
 * naive GEMM), cycle counts and every cycle's port activity must agree. */
#include <stdio.h>

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

Suite *teng_rtl_suite(void)
{
    Suite *s = suite_create("teng_rtl");
    TCase *tc = tcase_create("rtlcheck");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_rtlcheck_200_cases, 0, (int)(sizeof cases / sizeof cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

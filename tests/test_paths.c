/* test_paths.c - where the binary looks for its data and builds Verilated
 * libraries (sim/io/paths.h): each step of both search orders, set up with
 * environment variables and scratch directories.  The step that finds
 * PREFIX/share/codesim beside an installed binary is run by
 * tests/check_install.sh on a real `make install`.  Each test runs in its own
 * forked process, so setenv() does not leak into other tests. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/io/paths.h"
#include "tests.h"

START_TEST(codesim_data_comes_first_and_is_taken_as_given)
{
    char out[256];
    setenv("CODESIM_DATA", "/no/such/dir", 1);
    ck_assert_int_eq(io_data_dir(out, sizeof out), 0);
    ck_assert_str_eq(out, "/no/such/dir");
    ck_assert_int_eq(io_data_path("reports/tech/45nm.yaml", out, sizeof out), 0);
    ck_assert_str_eq(out, "/no/such/dir/reports/tech/45nm.yaml");
}
END_TEST

/* The test runner is build/run_tests in a checkout: its data directory is
 * the checkout, found through /proc/self/exe. */
START_TEST(a_binary_in_build_finds_its_checkout)
{
    unsetenv("CODESIM_DATA");
    char out[PATH_MAX], want[PATH_MAX], exe[PATH_MAX];
    ck_assert_int_eq(io_data_dir(out, sizeof out), 0);
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert_int_gt(n, 0);
    exe[n] = 0;
    *strrchr(exe, '/') = 0;   /* .../build */
    *strrchr(exe, '/') = 0;   /* the checkout */
    ck_assert_str_eq(out, exe);
    ck_assert_ptr_nonnull(realpath(CODESIM_ROOT, want));
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(io_data_path("reports/tech/45nm.yaml", out, sizeof out), 0);
    ck_assert_int_eq(access(out, R_OK), 0);
}
END_TEST

START_TEST(a_short_buffer_gives_minus_one_and_an_empty_string)
{
    char out[8] = "junk";
    setenv("CODESIM_DATA", "/a/long/directory", 1);
    ck_assert_int_eq(io_data_dir(out, sizeof out), -1);
    ck_assert_str_eq(out, "");
    strcpy(out, "junk");
    ck_assert_int_eq(io_data_path("x", out, sizeof out), -1);
    ck_assert_str_eq(out, "");
    setenv("CODESIM_CACHE", "/a/long/cache", 1);
    strcpy(out, "junk");
    ck_assert_int_eq(io_build_dir(out, sizeof out), -1);
    ck_assert_str_eq(out, "");
}
END_TEST

/* CODESIM_CACHE, then a writable <data>/build, then $XDG_CACHE_HOME/codesim
 * (absolute only), then ~/.cache/codesim, then <data>/build. */
START_TEST(build_dir_search_order)
{
    char dir[64], out[PATH_MAX], want[PATH_MAX];
    test_tmpdir(dir, sizeof dir, "paths");
    setenv("CODESIM_DATA", dir, 1);
    setenv("CODESIM_CACHE", "/my/cache", 1);
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    setenv("HOME", "/home/u", 1);
    ck_assert_int_eq(io_build_dir(out, sizeof out), 0);
    ck_assert_str_eq(out, "/my/cache");

    unsetenv("CODESIM_CACHE");
    ck_assert_int_eq(io_build_dir(out, sizeof out), 0);
    ck_assert_str_eq(out, "/xdg/codesim");   /* no <data>/build yet */
    snprintf(want, sizeof want, "%s/build", dir);
    ck_assert_int_eq(mkdir(want, 0755), 0);
    ck_assert_int_eq(io_build_dir(out, sizeof out), 0);
    ck_assert_str_eq(out, want);
    if (getuid() != 0) {   /* root writes anywhere */
        ck_assert_int_eq(chmod(want, 0555), 0);
        ck_assert_int_eq(io_build_dir(out, sizeof out), 0);
        ck_assert_str_eq(out, "/xdg/codesim");
        ck_assert_int_eq(chmod(want, 0755), 0);
    }
    ck_assert_int_eq(rmdir(want), 0);

    setenv("XDG_CACHE_HOME", "relative", 1);   /* ignored, as the XDG spec says */
    ck_assert_int_eq(io_build_dir(out, sizeof out), 0);
    ck_assert_str_eq(out, "/home/u/.cache/codesim");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    ck_assert_int_eq(io_build_dir(out, sizeof out), 0);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *paths_suite(void)
{
    Suite *s = suite_create("paths");
    TCase *tc = tcase_create("search");
    tcase_add_test(tc, codesim_data_comes_first_and_is_taken_as_given);
    tcase_add_test(tc, a_binary_in_build_finds_its_checkout);
    tcase_add_test(tc, a_short_buffer_gives_minus_one_and_an_empty_string);
    tcase_add_test(tc, build_dir_search_order);
    suite_add_tcase(s, tc);
    return s;
}

/* test_dramsim3.c - codesim's DRAMsim3-like controller against DRAMsim3
 * itself (../shared/peers/DRAMsim3, built unmodified under build/peers by
 * mk/dramsim3.mk, which `make test` runs first).  The reference is the peer
 * simulator's own cycle count on the same requests
 * (tests/peers/dramsim3_drive.cpp writes the trace it feeds DRAMsim3), for
 * DRAMsim3's HBM2_8Gb_x128 and GDDR6_8Gb_x16 device files against codesim's
 * presets of the same names with `controller: dramsim3`.
 *
 * A sample within the `make test` budget: four patterns at 50% load and at
 * saturation on 20,000 requests, and the one-bank pattern (a row conflict per
 * request, so millions of cycles) on 3,000; `make compare` runs every
 * pattern and rate on 100,000 (tests/peers/compare_dramsim3.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

#define DRIVE "build/peers/dramsim3_drive"

/* Runs the comparison; asserts exit 0 and "K/K runs within 2%". */
static void compare(const char *n, const char *rates, const char *patterns, int runs)
{
    ck_assert_msg(access(DRIVE, X_OK) == 0,
                  DRIVE " is missing: `make dramsim3` builds DRAMsim3 and the driver");
    const char *bin = getenv("CODESIM_BIN") && *getenv("CODESIM_BIN") ? getenv("CODESIM_BIN")
                                                                      : "build/codesim";
    char dir[] = "/tmp/codesim-ds3-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "tests/peers/compare_dramsim3.sh " DRIVE " %s build/peers/DRAMsim3 %s '%s' "
             "'HBM2_8Gb_x128 GDDR6_8Gb_x16' '%s' > %s/out 2>&1",
             bin, n, rates, patterns, dir);
    const int rc = system(cmd);
    char path[128], line[512], last[512] = "", all[16384] = "";
    snprintf(path, sizeof path, "%s/out", dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        snprintf(last, sizeof last, "%s", line);
        if (strlen(all) + strlen(line) < sizeof all)
            strcat(all, line);
    }
    fclose(f);
    fputs(all, stdout);
    char want[64];
    snprintf(want, sizeof want, "compare: DRAMsim3 %d/%d runs within 2%%", runs, runs);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "comparison failed:\n%s", all);
    ck_assert_msg(strncmp(last, want, strlen(want)) == 0, "want '%s' in:\n%s", want, all);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(four_patterns_at_half_load_and_saturation_within_2_percent_of_dramsim3)
{
    compare("20000", "0.5 0", "seq rand rw gemm", 16);
}
END_TEST

START_TEST(one_bank_conflicts_within_2_percent_of_dramsim3)
{
    compare("3000", "0", "bank", 2);
}
END_TEST

Suite *dramsim3_suite(void)
{
    Suite *s = suite_create("dramsim3");
    TCase *tc = tcase_create("dramsim3");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, four_patterns_at_half_load_and_saturation_within_2_percent_of_dramsim3);
    tcase_add_test(tc, one_bank_conflicts_within_2_percent_of_dramsim3);
    suite_add_tcase(s, tc);
    return s;
}

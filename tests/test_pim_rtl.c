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
    char dir[] = "/tmp/codesim-pimrtl-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    const char *bin = getenv("CODESIM_BIN") ? getenv("CODESIM_BIN") : "build/codesim";
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s rtlcheck --block pim %s --trials %u --seed %u --db %s/r.db > %s/out 2>&1", bin,
             args, trials, seed, dir, dir);
    const int rc = system(cmd);
    char path[128], line[512], last[512] = "", all[8192] = "";
    snprintf(path, sizeof path, "%s/out", dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        strcpy(last, line);
        if (strlen(all) + strlen(line) < sizeof all)
            strcat(all, line);
    }
    fclose(f);
    char want[128];
    snprintf(want, sizeof want, "rtlcheck: %u cases, 0 cycle mismatches, 0 value mismatches\n",
             trials);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "rtlcheck failed:\n%s", all);
    ck_assert_str_eq(last, want);
    ck_assert_msg(strstr(all, "port activity equal every cycle in") != NULL, "%s", all);
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s/r.db \"SELECT count(*) FROM rtl_cases JOIN rtl_checks ON rtl_checks.id = rtl_cases.check_id "
             "WHERE block = 'pim' AND model_cycles = rtl_cycles AND rtl_cases.value_mismatches = 0 AND "
             "counts_match = 1\"",
             dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
    pclose(p);
    ck_assert_int_eq(atoi(line), (int)trials);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
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

/* support.c - helpers shared by the Check suites. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests.h"

void expect_rtlcheck(const char *block, const char *args, unsigned trials, unsigned seed,
                     const char *activity, const char *params_like)
{
    char dir[] = "/tmp/codesim-rtlcheck-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    const char *bin = getenv("CODESIM_BIN") && *getenv("CODESIM_BIN") ? getenv("CODESIM_BIN")
                                                                      : "build/codesim";
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s rtlcheck --block %s %s --trials %u --seed %u --db %s/r.db > %s/out 2>&1", bin,
             block, args, trials, seed, dir, dir);
    const int rc = system(cmd);
    char path[128], line[512], last[512] = "", all[8192] = "";
    snprintf(path, sizeof path, "%s/out", dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        snprintf(last, sizeof last, "%s", line);
        if (strlen(all) + strlen(line) < sizeof all)
            strcat(all, line);
    }
    fclose(f);
    char want[128];
    snprintf(want, sizeof want, "rtlcheck: %u cases, 0 cycle mismatches, 0 value mismatches\n",
             trials);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "rtlcheck failed:\n%s", all);
    ck_assert_str_eq(last, want);
    ck_assert_msg(strstr(all, activity) != NULL, "no '%s' in:\n%s", activity, all);
    /* Every case is logged under its block (and parameters), all matching. */
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s/r.db \"SELECT count(*) FROM rtl_cases JOIN rtl_checks ON id = check_id "
             "WHERE block = '%s' AND params LIKE '%%%s%%' AND model_cycles = rtl_cycles AND "
             "rtl_cases.value_mismatches = 0 AND counts_match = 1\"",
             dir, block, params_like ? params_like : "");
    if (!params_like) /* systolic checks store no params (NULL) */
        snprintf(cmd, sizeof cmd,
                 "sqlite3 %s/r.db \"SELECT count(*) FROM rtl_cases JOIN rtl_checks ON id = "
                 "check_id WHERE block = '%s' AND model_cycles = rtl_cycles AND "
                 "rtl_cases.value_mismatches = 0 AND counts_match = 1\"",
                 dir, block);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
    pclose(p);
    ck_assert_int_eq(atoi(line), (int)trials);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

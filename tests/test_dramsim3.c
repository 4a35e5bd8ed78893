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
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../models/dram.h"
#include "../models/dram_ctrl.h"
#include "tests.h"

#define DRIVE "build/peers/dramsim3_drive"

/* Runs the comparison; asserts exit 0 and "K/K runs within 2%". */
static void compare(const char *n, const char *rates, const char *patterns, int runs)
{
    ck_assert_msg(access(DRIVE, X_OK) == 0,
                  DRIVE " is missing: `make dramsim3` builds DRAMsim3 and the driver");
    char dir[64];
    test_tmpdir(dir, sizeof dir, "ds3");
    char path[128], last[512], all[16384];
    snprintf(path, sizeof path, "%s/out", dir);
    const int rc = test_sh(path,
                           "tests/peers/compare_dramsim3.sh " DRIVE " %s build/peers/DRAMsim3 %s "
                           "'%s' 'HBM2_8Gb_x128 GDDR6_8Gb_x16' '%s'",
                           test_bin(), n, rates, patterns);
    test_read_lines(path, all, sizeof all, last, sizeof last);
    fputs(all, stdout);
    char want[64];
    snprintf(want, sizeof want, "compare: DRAMsim3 %d/%d runs within 2%%", runs, runs);
    ck_assert_msg(rc == 0, "comparison failed:\n%s", all);
    ck_assert_msg(strncmp(last, want, strlen(want)) == 0, "want '%s' in:\n%s", want, all);
    test_rmtree(dir);
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

/* ---- presets against DRAMsim3's device files ------------------------------------ */

/* One value of an .ini file (DRAMsim3's INIReader format: "key = value",
 * ';' starts a comment); -1 when absent.  Keys are unique across sections in
 * the files used here. */
static double ini_get(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: cannot open (../shared/peers is missing?)", path);
    char line[256];
    double v = -1;
    while (fgets(line, sizeof line, f)) {
        char *semi = strchr(line, ';');
        if (semi)
            *semi = 0;
        char k[64], val[64];
        if (sscanf(line, " %63[^= \t] = %63s", k, val) == 2 && !strcmp(k, key)) {
            if (!strcasecmp(val, "false"))
                v = 0;
            else if (!strcasecmp(val, "true"))
                v = 1;
            else
                v = atof(val);
        }
    }
    fclose(f);
    return v;
}

static uint32_t ini_or(const char *path, const char *key, uint32_t dflt)
{
    const double v = ini_get(path, key);
    return v < 0 ? dflt : (uint32_t)v;
}

/* Each preset named after a DRAMsim3 file holds that file's values as
 * DRAMsim3 applies them (src/configuration.cc, src/timing.cc): GDDR columns
 * x BL and HBM columns x 2; burst cycles BL/2, or BL/16 for GDDR6; tRC =
 * tRAS + tRP; column spacing max(burst, tCCD); with bank groups disabled one
 * group and the _S timings; defaults tRTP 5, tRTRS 2, t32AW 330 (GDDR). */
START_TEST(presets_hold_the_values_of_dramsim3_device_files)
{
    static const char *const names[] = {"HBM2_8Gb_x128", "GDDR6_8Gb_x16", "DDR4_8Gb_x8_3200"};
    for (size_t p = 0; p < sizeof names / sizeof names[0]; p++) {
        char path[256];
        snprintf(path, sizeof path, "../shared/peers/DRAMsim3/configs/%s.ini", names[p]);
        dram_ctrl_cfg_t c;
        char err[200];
        dram_ctrl_defaults(&c);
        ck_assert_int_eq(dram_ctrl_cfg_set(&c, "preset", names[p], err, sizeof err), 0);
        const dram_cfg_t *g = &c.dev;
        const int gddr = !strncmp(names[p], "GDDR", 4), hbm = !strncmp(names[p], "HBM", 3);
        const uint32_t bl = ini_or(path, "BL", 0), burst = gddr ? bl / 16 : bl / 2;
        const int bg_on = ini_or(path, "bankgroup_enable", 1) != 0;
        const uint32_t bgs = ini_or(path, "bankgroups", 0), bpg = ini_or(path, "banks_per_group", 0);
        ck_assert_uint_eq(g->bank_groups, bg_on ? bgs : 1);
        ck_assert_uint_eq(g->banks_per_group, bg_on ? bpg : bgs * bpg);
        ck_assert_uint_eq(g->rows, ini_or(path, "rows", 0));
        ck_assert_uint_eq(g->columns, ini_or(path, "columns", 0) * (gddr ? bl : hbm ? 2 : 1));
        ck_assert_uint_eq(g->bus_bits, ini_or(path, "bus_width", 0));
        ck_assert_uint_eq(g->burst_length, bl);
        ck_assert_uint_eq(g->channels, ini_or(path, "channels", 0));
        ck_assert_uint_eq(g->tck_ps, (uint32_t)(ini_get(path, "tCK") * 1000 + 0.5));
        ck_assert_uint_eq(g->tBL, burst);
        ck_assert_uint_eq(g->tCL, ini_or(path, "CL", 0));
        ck_assert_uint_eq(g->tCWL, ini_or(path, "CWL", 0));
        ck_assert_uint_eq(g->tRCD, ini_or(path, "tRCD", ini_or(path, "tRCDRD", 0)));
        ck_assert_uint_eq(g->tRP, ini_or(path, "tRP", 0));
        ck_assert_uint_eq(g->tRAS, ini_or(path, "tRAS", 0));
        ck_assert_uint_eq(g->tRC, g->tRAS + g->tRP);
        const uint32_t ccd_s = ini_or(path, "tCCD_S", 0), ccd_l = ini_or(path, "tCCD_L", 0);
        ck_assert_uint_eq(g->tCCD_S, ccd_s > burst ? ccd_s : burst);
        ck_assert_uint_eq(g->tCCD_L, bg_on ? (ccd_l > burst ? ccd_l : burst) : g->tCCD_S);
        ck_assert_uint_eq(g->tRRD_S, ini_or(path, "tRRD_S", 0));
        ck_assert_uint_eq(g->tRRD_L, bg_on ? ini_or(path, "tRRD_L", 0) : g->tRRD_S);
        ck_assert_uint_eq(g->tWTR_S, ini_or(path, "tWTR_S", 0));
        ck_assert_uint_eq(g->tWTR_L, bg_on ? ini_or(path, "tWTR_L", 0) : g->tWTR_S);
        ck_assert_uint_eq(g->tFAW, ini_or(path, "tFAW", 0));
        ck_assert_uint_eq(g->tWR, ini_or(path, "tWR", 0));
        ck_assert_uint_eq(g->tRTP, ini_or(path, "tRTP", 5));
        ck_assert_uint_eq(g->tREFI, ini_or(path, "tREFI", 0));
        ck_assert_uint_eq(g->tRFC, ini_or(path, "tRFC", 0));
        ck_assert_uint_eq(g->tRTRS, ini_or(path, "tRTRS", 2));
        ck_assert_uint_eq(g->t32AW, gddr ? ini_or(path, "t32AW", 330) : 0);
        ck_assert_uint_eq(g->dual_cmd, hbm ? ini_or(path, "hbm_dual_cmd", 1) : 0);
    }
}
END_TEST

Suite *dramsim3_suite(void)
{
    Suite *s = suite_create("dramsim3");
    TCase *tc = tcase_create("dramsim3");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, presets_hold_the_values_of_dramsim3_device_files);
    tcase_add_test(tc, four_patterns_at_half_load_and_saturation_within_2_percent_of_dramsim3);
    tcase_add_test(tc, one_bank_conflicts_within_2_percent_of_dramsim3);
    suite_add_tcase(s, tc);
    return s;
}

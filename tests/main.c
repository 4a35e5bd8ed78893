/* main.c - runs the Check suites; the closing line is Check's summary.
 *
 *   run_tests               every suite (`make test`)
 *   run_tests --unit        the unit suites: no codesim binary spawned, no
 *                           Verilator, yosys or valgrind, seconds each
 *   run_tests SUITE...      the named suites, in table order
 *   run_tests --list [--unit]  prints the names instead (`make unit` runs
 *                           the unit suites two at a time) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* Every suite, once.  unit = 1: the suite only calls library code (no
 * $CODESIM_BIN, no RTL build, no yosys), so `make unit` runs it. */
static const struct {
    const char *name;   /* as suite_create() names it */
    Suite *(*make)(void);
    int unit;
} suites[] = {
    {"systolic", systolic_suite, 1},
    {"engine", engine_suite, 1},
    {"config", config_suite, 1},
    {"workload", workload_suite, 1},
    {"db", db_suite, 1},
    {"mapper", mapper_suite, 1},
    {"sched", sched_suite, 1},
    {"vector", vector_suite, 1},
    {"npu", npu_suite, 1},
    {"engmap", engmap_suite, 1},
    {"neupims", neupims_suite, 1},
    {"families", families_suite, 1},
    {"llm", llm_suite, 0},
    {"cli", cli_suite, 0},
    {"clifiles", clifiles_suite, 0},
    {"cliclean", cliclean_suite, 0},
    {"machine", machine_suite, 0},
    {"harness", harness_suite, 1},
    {"rtl", rtl_suite, 0},
    {"sweep", sweep_suite, 0},
    {"report", report_suite, 0},
    {"help", help_suite, 0},
    {"dram", dram_suite, 1},
    {"dramsim3", dramsim3_suite, 0},
    {"power", power_suite, 0},
    {"pim", pim_suite, 1},
    {"pim_rtl", pim_rtl_suite, 0},
    {"lut", lut_suite, 1},
    {"lut_rtl", lut_rtl_suite, 0},
    {"tensor_engine", tensor_engine_suite, 1},
    {"teng_rtl", teng_rtl_suite, 0},
    {"paths", paths_suite, 1},
    {"spawn", spawn_suite, 1},
    {"numfmt", numfmt_suite, 1},
    {"numfmt_rtl", numfmt_rtl_suite, 0},
    {"pimgpt", pimgpt_suite, 1},
    {"serve", serve_suite, 1},
    {"scalesim", scalesim_suite, 0},
    {"memreal", memreal_suite, 0},
    {"untrusted", untrusted_suite, 0},
};
#define N_SUITES (sizeof suites / sizeof suites[0])

int main(int argc, char **argv)
{
    int pick[N_SUITES] = {0}, unit = 0, list = 0, named = 0;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--unit")) {
            unit = 1;
        } else if (!strcmp(argv[a], "--list")) {
            list = 1;
        } else {
            size_t i = 0;
            while (i < N_SUITES && strcmp(argv[a], suites[i].name))
                i++;
            if (i == N_SUITES) {
                fprintf(stderr, "run_tests: unknown suite '%s'; suites:", argv[a]);
                for (i = 0; i < N_SUITES; i++)
                    fprintf(stderr, " %s", suites[i].name);
                fprintf(stderr, " (or --unit, --list)\n");
                return 2;
            }
            pick[i] = named = 1;
        }
    }
    for (size_t i = 0; i < N_SUITES; i++)
        pick[i] |= !named && (!unit || suites[i].unit);
    SRunner *sr = NULL;
    for (size_t i = 0; i < N_SUITES; i++) {
        if (!pick[i])
            continue;
        if (list)
            puts(suites[i].name);
        else if (!sr)
            sr = srunner_create(suites[i].make());
        else
            srunner_add_suite(sr, suites[i].make());
    }
    if (list)
        return EXIT_SUCCESS;
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

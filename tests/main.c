/* main.c - runs every Check suite; the closing line is Check's summary. */
#include <stdlib.h>

#include "tests.h"

int main(void)
{
    SRunner *sr = srunner_create(systolic_suite());
    srunner_add_suite(sr, engine_suite());
    srunner_add_suite(sr, config_suite());
    srunner_add_suite(sr, workload_suite());
    srunner_add_suite(sr, db_suite());
    srunner_add_suite(sr, mapper_suite());
    srunner_add_suite(sr, sched_suite());
    srunner_add_suite(sr, vector_suite());
    srunner_add_suite(sr, npu_suite());
    srunner_add_suite(sr, llm_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, machine_suite());
    srunner_add_suite(sr, harness_suite());
    srunner_add_suite(sr, rtl_suite());
    srunner_add_suite(sr, sweep_suite());
    srunner_add_suite(sr, dram_suite());
    srunner_add_suite(sr, power_suite());
    srunner_add_suite(sr, pim_suite());
    srunner_add_suite(sr, pim_rtl_suite());
    srunner_add_suite(sr, lut_suite());
    srunner_add_suite(sr, lut_rtl_suite());
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

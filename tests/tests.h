/* tests.h - the Check suites, one per block; tests/main.c runs them. */
#ifndef CODESIM_TESTS_H
#define CODESIM_TESTS_H

#include <check.h>

Suite *systolic_suite(void);   /* tests/test_systolic.c */
Suite *engine_suite(void);     /* tests/test_engine.c */
Suite *config_suite(void);     /* tests/test_config.c */
Suite *workload_suite(void);   /* tests/test_workload.c */
Suite *db_suite(void);         /* tests/test_db.c */
Suite *cli_suite(void);        /* tests/test_cli.c */
Suite *clifiles_suite(void);   /* tests/test_clifiles.c: outputs, databases, file errors */
Suite *rtl_suite(void);        /* tests/test_rtl.c: RTL cross-checks */
Suite *harness_suite(void);    /* tests/test_harness.c: RTL address checks, no RTL built */
Suite *sweep_suite(void);      /* tests/test_sweep.c: sweeps, merge, pareto */
Suite *report_suite(void);     /* tests/test_report.c: report plots drawn in Chromium */
Suite *help_suite(void);       /* tests/test_help.c: one command-line convention */
Suite *power_suite(void);      /* tests/test_power.c: tech tables, energy, area vs yosys */
Suite *pim_suite(void);        /* tests/test_pim.c */
Suite *pim_rtl_suite(void);    /* tests/test_pim_rtl.c: RTL cross-checks */
Suite *lut_suite(void);        /* tests/test_lut.c */
Suite *lut_rtl_suite(void);    /* tests/test_lut_rtl.c: RTL cross-checks */
Suite *dram_suite(void);       /* tests/test_dram.c */
Suite *mapper_suite(void);     /* tests/test_mapper.c */
Suite *sched_suite(void);      /* tests/test_sched.c */
Suite *npu_suite(void);        /* tests/test_npu.c */
Suite *engmap_suite(void);     /* tests/test_engmap.c */
Suite *families_suite(void);  /* tests/test_families.c: decoder families, MoE, MLA */
Suite *llm_suite(void);        /* tests/test_llm.c: codesim run --model */
Suite *vector_suite(void);     /* tests/test_vector.c */
Suite *paths_suite(void);      /* tests/test_paths.c: data and build directories */
Suite *spawn_suite(void);      /* tests/test_spawn.c: running tools without a shell */
Suite *neupims_suite(void);    /* tests/test_neupims.c: TP, GPU baseline, PIM reporting */
Suite *numfmt_suite(void);     /* tests/test_numfmt.c: minifloat operands */
Suite *numfmt_rtl_suite(void); /* tests/test_numfmt.c: the same on the RTL */
Suite *pimgpt_suite(void);     /* tests/test_pimgpt.c: --mode pimgpt */
Suite *serve_suite(void);       /* tests/test_serve.c: LLM serving (issue 15) */
Suite *dramsim3_suite(void);   /* tests/test_dramsim3.c: against DRAMsim3 (build/peers) */
Suite *scalesim_suite(void);   /* tests/test_scalesim.c: SCALE-Sim accounting vs SCALE-Sim v2 */
Suite *tensor_engine_suite(void); /* tests/test_tensor_engine.c: adder tree, cube, 2D matrix */
Suite *teng_rtl_suite(void);   /* tests/test_teng_rtl.c: their RTL cross-checks, synth */
Suite *machine_suite(void);    /* tests/test_machine.c: one machine, one answer in every command */
Suite *memreal_suite(void);    /* tests/test_memreal.c: controller-timed and unique-ifmap layer runs */

/* tests/support.c: runs `$CODESIM_BIN rtlcheck --block BLOCK ARGS --trials T
 * --seed S` into a scratch database and asserts exit 0, the closing line
 * "rtlcheck: T cases, 0 cycle mismatches, 0 value mismatches", the phrase
 * `activity` in the output, and T logged cases of BLOCK (whose params
 * contain params_like, unless NULL) with equal cycles, values and counts. */
void expect_rtlcheck(const char *block, const char *args, unsigned trials, unsigned seed,
                     const char *activity, const char *params_like);

#endif

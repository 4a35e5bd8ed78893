/* tests.h - the Check suites, one per block; tests/main.c runs them. */
#ifndef CODESIM_TESTS_H
#define CODESIM_TESTS_H

#include <check.h>
#include <stddef.h>

Suite *systolic_suite(void);   /* tests/test_systolic.c */
Suite *engine_suite(void);     /* tests/test_engine.c */
Suite *config_suite(void);     /* tests/test_config.c */
Suite *workload_suite(void);   /* tests/test_workload.c */
Suite *db_suite(void);         /* tests/test_db.c */
Suite *cli_suite(void);        /* tests/test_cli.c */
Suite *clifiles_suite(void);   /* tests/test_clifiles.c: outputs, databases, file errors */
Suite *cliclean_suite(void);   /* tests/test_cliclean.c: new-user pass 3 command-line defects */
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
Suite *untrusted_suite(void);  /* tests/test_untrusted.c: non-UTF-8 names, crafted databases */

/* ---- tests/support.c: scaffolding shared by the suites ---- */

/* The codesim binary the suites run: $CODESIM_BIN when set and not empty,
 * else CODESIM_ROOT/build/codesim. */
const char *test_bin(void);

/* A fresh scratch directory /tmp/codesim-TAG-XXXXXX, its name into dir (len
 * bytes); fails the test when it cannot be made. */
void test_tmpdir(char *dir, size_t len, const char *tag);

/* Removes dir and everything below it (rm -rf with an argument vector, no
 * shell); fails the test when rm fails. */
void test_rmtree(const char *dir);

/* Runs the shell command the format makes (the test's own text), stdout and
 * stderr into out_path; returns the exit status, -1 when it did not exit. */
int test_sh(const char *out_path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs the shell command the format makes through popen: its stdout (and
 * stderr when err2out, else stderr is dropped) into buf, NUL-terminated and
 * cut at len - 1 bytes; returns the exit status, 128 + N when signal N ended
 * it. */
int test_popen(char *buf, size_t len, int err2out, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes text into path (created or truncated); fails the test when it
 * cannot. */
void test_write(const char *path, const char *text);

/* path's text into buf (NUL-terminated, cut at len - 1 bytes); fails the
 * test when the file cannot be read.  Returns buf. */
char *test_slurp(const char *path, char *buf, size_t len);

/* path's lines: as many whole lines as fit into all (n bytes), and its last
 * line into last (ln bytes). */
void test_read_lines(const char *path, char *all, size_t n, char *last, size_t ln);

/* Runs `codesim ARGS` (ARGS split by the shell) from the source tree
 * (CODESIM_ROOT), stdout into DIR/stdout and stderr into DIR/stderr, read
 * back into out and err; with err NULL, stderr goes into DIR/stdout and out
 * too.  Returns the exit status, -1 when it did not exit. */
int test_codesim(const char *dir, const char *args, char *out, size_t outlen, char *err,
                 size_t errlen);

/* Runs the codesim binary with the argument vector argv (argv[0] is replaced
 * by test_bin(), the vector ends with NULL), no shell, stdout and stderr
 * into out_path; returns the exit status, -1 when a signal ended it. */
int test_codesim_argv(char *const argv[], const char *out_path);

/* Runs the codesim binary with args (NULL-terminated, after the binary; no
 * shell), stdout and stderr into DIR/log, read back into out; returns the
 * exit status, -1 when a signal ended it. */
int test_codesim_args(const char *dir, char *out, size_t outlen, const char *const *args);

/* Runs `$CODESIM_BIN rtlcheck --block BLOCK ARGS --trials T --seed S` into
 * a scratch database and asserts exit 0, the closing line
 * "rtlcheck: T cases, 0 cycle mismatches, 0 value mismatches", the phrase
 * `activity` in the output, and T logged cases of BLOCK (whose params
 * contain params_like, unless NULL) with equal cycles, values and counts. */
void expect_rtlcheck(const char *block, const char *args, unsigned trials, unsigned seed,
                     const char *activity, const char *params_like);

#endif

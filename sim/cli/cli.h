/* cli.h - the codesim commands (sim/cli/cmd_*.c) and their shared helpers.
 * Only these functions print and choose exit codes. */
#ifndef CODESIM_CLI_H
#define CODESIM_CLI_H

#include <stdint.h>

#include "../../models/util.h" /* util_now_s: wall times */

int cmd_run(int argc, char **argv);
int bench_npu(void);                     /* sim/cli/cmd_bench.c */
int cmd_rtlcheck(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_sweep(int argc, char **argv);   /* sim/cli/cmd_sweep.c */
int cmd_pareto(int argc, char **argv);  /* sim/cli/cmd_pareto.c */
int cmd_report(int argc, char **argv);  /* sim/cli/cmd_report.c */
int cmd_db(int argc, char **argv);      /* sim/cli/cmd_db.c */
int bench_sweep(void);                  /* sim/cli/cmd_sweep.c: 200-point GPT-2 sweep, points/s */
int cmd_area(int argc, char **argv);   /* sim/cli/cmd_area.c */
int cmd_synth(int argc, char **argv);  /* sim/cli/cmd_area.c */
int rtlcheck_pim(int argc, char **argv);   /* sim/cli/cmd_pim.c: codesim rtlcheck --block pim */
int cmd_pimgemv(int argc, char **argv);    /* sim/cli/cmd_pim.c */
int bench_pim(void);                       /* sim/cli/cmd_pim.c */
int rtlcheck_lut(int argc, char **argv);   /* sim/cli/cmd_lut.c: codesim rtlcheck --block lut */
int rtlcheck_teng(int argc, char **argv);  /* sim/cli/cmd_teng.c: --block addertree|cube|matrix2d */
int cmd_lutcompare(int argc, char **argv); /* sim/cli/cmd_lut.c */
int bench_lut(void);                       /* sim/cli/cmd_lut.c */
int cmd_dram(int argc, char **argv);  /* sim/cli/cmd_dram.c */
int bench_dram(void);                  /* sim/cli/cmd_dram.c: DRAM commands per second */
int cmd_map(int argc, char **argv);     /* sim/cli/cmd_map.c */
int bench_map(void);                    /* sim/cli/cmd_map.c: mapping time, for codesim bench */

/* Parses a whole decimal number in [lo, hi]; prints "codesim CMD: --OPT: reason"
 * and returns -1 otherwise. */
int cli_uint(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
             uint64_t *out);

#endif

/* cli.h - the codesim commands (sim/cli/cmd_*.c) and their shared helpers.
 * Only these functions print and choose exit codes. */
#ifndef CODESIM_CLI_H
#define CODESIM_CLI_H

#include <stdint.h>

#include "../../models/util.h" /* util_now_s: wall times */
#include "../db/db.h"

int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);   /* sim/cli/cmd_serve.c */
int bench_serve(void);                  /* sim/cli/cmd_serve.c: 10,000 requests */
int bench_npu(void);                     /* sim/cli/cmd_bench.c */
int bench_moe(void);                     /* sim/cli/cmd_bench.c: Mixtral, DeepSeek-V2-Lite */
int bench_ctrl(void);  /* sim/cli/bench_ctrl.c: dram.timing: controller against fixed */
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
int bench_process(void); /* sim/cli/bench_proc.c: start-up, a layer file, a trace */
int cmd_map(int argc, char **argv);     /* sim/cli/cmd_map.c */
int bench_map(void);                    /* sim/cli/cmd_map.c: mapping time, for codesim bench */

/* Prints "codesim CMD: --FLAG: reason" for a block's check message
 * "KEY: reason" (models' cfg checks), naming the command-line flag that sets
 * KEY: in_format -> --a-format, w_format -> --w-format, in_bits -> --in-bits,
 * wbits/abits/kvbits -> --w-bits/--a-bits/--kv-bits, other underscores
 * become dashes.  A message without "KEY: " is printed as
 * it is. */
void cli_flag_err(const char *cmd, const char *msg);

/* fprintf(stderr, fmt, ...) with the text escaped (sim/io/escape.h) except
 * line breaks: an error that echoes input (a file name, a value, a name from
 * a database) cannot send control sequences or invalid UTF-8 to the
 * terminal.  Every command prints its errors and notes through this. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A file a command names: an input it reads or an output it writes (the
 * results database counts as an output). */
typedef struct {
    const char *opt;  /* "--json", "--model" ... */
    const char *path; /* NULL (not given) is skipped; "-" (standard output) only
                       * clashes with another output "-" */
    int output;
} cli_file_t;
/* Refuses, before anything is read or simulated, two of the n files that
 * are one file where either is written: an output over an input would
 * destroy the input, two outputs would overwrite each other.  Files that
 * exist are compared by device and inode (so a link or another spelling is
 * caught; a character or block device never clashes), others by their
 * normalized path (the directory's realpath and the name).  -1 after
 * printing one line "codesim CMD: OPT: PATH is also the OPT2 input" (or
 * "... output", or "... is the results database (--db)"), or for an empty
 * output path "codesim CMD: OPT: empty path". */
int cli_check_files(const char *cmd, const cli_file_t *f, size_t n);

/* Every command that opens the database: db_open_waiting, so a write waits
 * for another process's lock as long as it takes (a finished simulation's
 * results are never lost to a lock), with "codesim CMD: FILE: another
 * process holds the write lock; waiting ..." on stderr once, after 3 s. */
int cli_db_open(const char *cmd, const char *path, db_t **db, char *err, size_t errlen);
/* cli_db_open for commands that only read (report, pareto): db_open_read. */
int cli_db_open_read(const char *cmd, const char *path, db_t **db, char *err, size_t errlen);

/* getopt_long(argc, argv, "", opts, longindex) for command CMD, with
 * getopt's own messages off: a missing value prints
 * "codesim CMD: --flag: needs a value", an unknown option
 * "codesim CMD: unknown option '--x' (codesim CMD --help lists them)", a
 * value given to a flag that takes none "codesim CMD: --flag: takes no
 * value", each one line, and returns '?' (the command then exits 2, its
 * usage-error code). */
struct option;
int cli_getopt(const char *cmd, int argc, char **argv, const struct option *opts, int *longindex);

/* rtlcheck's work bound.  Each of --m, --n, --k is at most
 * CLI_RTLCHECK_MAX_DIM (the random draws reach 12 x a side of at most 256,
 * 3072; README's and the tests' largest given K is 300), and the
 * multiply-accumulates the given dimensions ask for, times --trials, at most
 * CLI_RTLCHECK_MAX_MACS (2^32: the documented uses ask for at most 91,800;
 * --m --n --k 16384 once ran 4.4e12 MACs through Verilator, 2.1 GB and days).
 * A dimension left out (0) is drawn per case and counts as 1.  Prints
 * "codesim rtlcheck: --m M --n N --k K x --trials T: ... more than ..." and
 * returns -1 when over. */
#define CLI_RTLCHECK_MAX_DIM 4096u
#define CLI_RTLCHECK_MAX_MACS (1ull << 32)
int cli_rtlcheck_work(uint64_t m, uint64_t n, uint64_t k, uint64_t trials);

/* Parses a whole decimal number in [lo, hi]; prints "codesim CMD: --OPT: reason"
 * and returns -1 otherwise. */
int cli_uint(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
             uint64_t *out);

/* A progress line for a command that may run long: "codesim CMD: WHAT...
 * 12.5 s" on stderr, first drawn after CLI_PROGRESS_AFTER_S seconds and
 * redrawn twice a second, only when stderr is a terminal (a log or a pipe
 * gets nothing); cli_progress_stop erases it.  NULL (nothing shown) when
 * stderr is not a terminal; stop accepts NULL.  The simulation gives no
 * fraction done, so the line shows the time elapsed. */
#define CLI_PROGRESS_AFTER_S 1.0
typedef struct cli_progress cli_progress_t;
cli_progress_t *cli_progress_start(const char *cmd, const char *what);
void cli_progress_stop(cli_progress_t *p);

#endif

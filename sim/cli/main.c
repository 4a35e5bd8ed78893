/* main.c - the codesim command line: dispatch to sim/cli/cmd_*.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../io/paths.h"
#include "../io/textfile.h"
#include "cli.h"
#include "version.h"

#ifndef CODESIM_VERSION
#define CODESIM_VERSION "0.0.0"
#endif

/* Every command: its name, its entry point and the line `codesim --help`
 * prints for it (continuation lines start with spaces).  The dispatch and the
 * help list are both loops over this table. */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"run", cmd_run,
     "simulate a layer workload or an LLM (--model) on a hardware config, store\n"
     "            the results"},
    {"serve", cmd_serve, "serve an LLM request stream: continuous batching, paged KV cache"},
    {"rtlcheck", cmd_rtlcheck, "run random GEMMs on the C model and the Verilated RTL, compare"},
    {"map", cmd_map, "map an LLM (config.json) onto the hardware: ops, tiling, trace"},
    {"bench", cmd_bench, "measure simulation speed of the fast path, the cycle path and RTL"},
    {"sweep", cmd_sweep, "run every point of a design-space sweep file, resumable, on all cores"},
    {"pareto", cmd_pareto, "list the Pareto-optimal sweep points for two metrics"},
    {"report", cmd_report,
     "an HTML report of a database (Vega-Lite plots), SVG/PDF figures, CSV\n"
     "            and Markdown tables"},
    {"db", cmd_db, "db merge OUT IN...: merge results databases without duplicates"},
    {"dram", cmd_dram, "run a memory trace on the DRAM controller and device model"},
    {"lutcompare", cmd_lutcompare,
     "a low-bit GEMM on the LUT tensor core vs dequantize-then-MAC and int8"},
    {"pimgemv", cmd_pimgemv, "a GEMV on DRAM PIM vs the host over the bus; blocked vs dual row buffers"},
    {"area", cmd_area, "area and energy breakdowns, TOPS/W and TOPS/mm^2 on a technology node"},
    {"synth", cmd_synth,
     "the area model against yosys synthesis of the RTL's PE grid or any Verilog\n"
     "            top"},
};

static void print_commands(FILE *f)
{
    fputs("commands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        size_t n = strlen(commands[i].name);
        fprintf(f, "  %s%*s%s\n", commands[i].name, n < 10 ? (int)(10 - n) : 2, "",
                commands[i].summary);
    }
    fputs("  version   print the version and git revision\n", f);
}

static const char usage_head[] =
    "usage: codesim COMMAND [options]\n"
    "\n"
    "A cycle-accurate simulator of accelerator blocks, cross-checked against RTL.\n"
    "\n";

static const char usage[] =
    "\n"
    "`codesim COMMAND --help` describes the options of a command.\n"
    "\n"
    "environment:\n"
    "  CODESIM_DATA   the data directory: technology tables (reports/tech/), RTL\n"
    "                 sources (rtl/), example configs/, traces/ and sweeps/.  Default:\n"
    "                 PREFIX/share/codesim beside an installed PREFIX/bin/codesim, the\n"
    "                 checkout of a checkout's build/codesim, else the source tree\n"
    "                 this binary was built from\n"
    "  CODESIM_CACHE  where Verilated RTL libraries are built on first use.  Default:\n"
    "                 the data directory's build/ when writable (a checkout), else\n"
    "                 $XDG_CACHE_HOME/codesim or ~/.cache/codesim\n"
    "  CODESIM_MAX_INPUT_MB  the largest input file read, in MiB (1..1048576).\n"
    "                 Default: 256\n";

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_head, stderr);
        print_commands(stderr);
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        char data[4096], build[4096];
        io_data_dir(data, sizeof data);
        io_build_dir(build, sizeof build);
        fputs(usage_head, stdout);
        print_commands(stdout);
        printf("%s\nin effect: data directory %s\n           RTL builds in  %s\n", usage, data,
               build);
        return 0;
    }
    /* --help (or -h) anywhere after the command, before a "--", shows the
     * command's help whatever else is given: `codesim run --model X --help`,
     * `codesim db merge --help`.  rtlcheck keeps its --block, whose help
     * differs per block. */
    char *help_argv[6];
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") != 0 && strcmp(argv[i], "-h") != 0)
            continue;
        int n = 0;
        help_argv[n++] = argv[0];
        help_argv[n++] = argv[1];
        for (int j = 2; j + 1 < argc && !strcmp(cmd, "rtlcheck"); j++)
            if (!strcmp(argv[j], "--block")) {
                help_argv[n++] = argv[j];
                help_argv[n++] = argv[j + 1];
                break;
            }
        help_argv[n++] = "--help";
        help_argv[n] = NULL;
        argc = n;
        argv = help_argv;
        break;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        if (argc > 2 && !strcmp(argv[2], "--help")) {
            fputs("usage: codesim version\n"
                  "\n"
                  "Prints codesim's version and the git revision it was built from (with\n"
                  "-dirty when the tree had uncommitted changes).  Takes no options; none is\n"
                  "required.  codesim --version is the same.\n"
                  "\n"
                  "EXAMPLES\n"
                  "  codesim version\n",
                  stdout);
            return 0;
        }
        if (argc > 2) {
            cli_err("codesim version: unexpected argument '%s'\n", argv[2]);
            return 2;
        }
        printf("codesim %s (%s)\n", CODESIM_VERSION, CODESIM_GIT_REV);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name)) {
            /* Once, as the environment's error: else the first file read
             * (often a default, such as --tech's table) got the blame. */
            char err[160];
            if (textfile_check_env(err, sizeof err) != 0) {
                cli_err("codesim: %s\n", err);
                return 2;
            }
            return commands[i].run(argc - 1, argv + 1);
        }
    cli_err("codesim: unknown command '%s' (see codesim --help)\n", cmd);
    return 2;
}

int main(int argc, char **argv)
{
    const int rc = dispatch(argc, argv);
    /* Results printed to a full disk or a closed descriptor are lost: say
     * so and fail, rather than exit 0 with nothing written.  fflush reports
     * what is still buffered; ferror what an earlier write already lost. */
    errno = 0;
    const int flush_failed = fflush(stdout) != 0;
    if (flush_failed || ferror(stdout)) {
        cli_err("codesim: writing standard output: %s\n",
                strerror(flush_failed && errno ? errno : EIO));
        return rc ? rc : 1;
    }
    return rc;
}

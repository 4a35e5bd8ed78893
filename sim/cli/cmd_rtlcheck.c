/* cmd_rtlcheck.c - `codesim rtlcheck`: picks the block's flag parser by
 * --block (the LUT unit's and the PIM unit's are in cmd_lut.c and
 * cmd_pim.c) and parses the systolic array's flags here; the check itself
 * is the one driver in sim/harness/rtlcheck.c with the block's glue. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../harness/systolic_rtl.h"
#include "../../models/util.h"

static const char rtlcheck_usage[] =
    "usage: codesim rtlcheck --block systolic --rows R --cols C --dataflow os|ws|is\n"
    "       codesim rtlcheck --block pim ...   (see codesim rtlcheck --block pim --help)\n"
    "       codesim rtlcheck --block lut ...   (see codesim rtlcheck --block lut --help)\n"
    "       codesim rtlcheck --block addertree|cube|matrix2d ...   (see --block cube --help)\n"
    "                        [--m M --n N --k K] [--trials T] [--seed S] [--db FILE]\n"
    "                        [--a-bits B] [--w-bits B] [--acc-bits B]\n"
    "                        [--a-format F --w-format F] [--os-drain serial|overlap]\n"
    "                        [--compressed 0|1] [--ws-out-reg 0|1]\n"
    "\n"
    "Runs T random cases on the C model and on the Verilated RTL of an R x C array\n"
    "(built on first use per shape) and compares output values (also against a\n"
    "naive GEMM), cycle counts, and every cycle's memory reads and writes.\n"
    "Dimensions left out are drawn at random per case: 1, multiples of the array,\n"
    "odd sizes, and K far larger than the array.  Every case is logged to the\n"
    "database.  The last line is\n"
    "  rtlcheck: <cases> cases, <c> cycle mismatches, <v> value mismatches\n"
    "and the exit status is non-zero on any mismatch.\n"
    "\n"
    "  --block B    systolic, pim or lut (required)\n"
    "  --rows R, --cols C  array shape (required)\n"
    "  --dataflow D os, ws or is (required)\n"
    "  --m, --n, --k  GEMM dimensions (default: drawn per case)\n"
    "  --trials T   cases to run (default 100)      --seed S   random seed (default 1)\n"
    "  --a-bits, --w-bits  activation and weight widths (default 8),\n"
    "  --acc-bits   accumulator width (default 32)\n"
    "  --a-format, --w-format  int (default) or a minifloat: e4m3, e5m2 (OCP fp8),\n"
    "               eXmY with 1+X+Y in 3..8 (sets the operand's bits)\n"
    "  --os-drain D serial (default) or overlap: the OS array drains each fold\n"
    "               during the next one (array.os_drain; its own RTL build)\n"
    "  --compressed X  1: compressed-accumulation PEs (array.compressed), 0 (default):\n"
    "               MAC-based (its own RTL build; with --os-drain overlap too)\n"
    "  --ws-out-reg X  0: WS/IS bottom row's sum leaves unregistered, one cycle less\n"
    "               per fold (array.ws_out_reg: false; its own RTL build), 1 (default)\n"
    "  --db FILE    results database (default results.db)\n"
    "\n"
    "EXAMPLES\n"
    "  codesim rtlcheck --block systolic --rows 8 --cols 8 --dataflow os --trials 100\n"
    "  codesim rtlcheck --block systolic --rows 4 --cols 3 --dataflow ws --a-bits 4 --w-bits 6 \\\n"
    "      --acc-bits 12\n"
    "  codesim rtlcheck --block systolic --rows 4 --cols 3 --dataflow os --a-format e4m3 \\\n"
    "      --w-format e5m2 --trials 200\n"
    "  codesim rtlcheck --block systolic --rows 8 --cols 8 --dataflow os --os-drain overlap \\\n"
    "      --trials 200\n"
    "  codesim rtlcheck --block pim --help\n";

int cmd_rtlcheck(int argc, char **argv)
{
    const char *block = NULL, *df_s = NULL, *db_path = "results.db";
    const char *fmt_s[2] = {NULL, NULL}, *osd_s = NULL;
    uint64_t rows = 0, cols = 0, m = 0, n = 0, k = 0, trials = 100, seed = 1;
    uint64_t in_bits = 8, w_bits = 8, acc_bits = 32, compressed = 0, ws_out_reg = 1;
    static const struct option opts[] = {
        {"block", required_argument, 0, 'b'},  {"rows", required_argument, 0, 'r'},
        {"cols", required_argument, 0, 'c'},   {"dataflow", required_argument, 0, 'f'},
        {"m", required_argument, 0, 'M'},      {"n", required_argument, 0, 'N'},
        {"k", required_argument, 0, 'K'},      {"trials", required_argument, 0, 't'},
        {"seed", required_argument, 0, 's'},   {"db", required_argument, 0, 'd'},
        {"a-bits", required_argument, 0, 'i'}, {"w-bits", required_argument, 0, 'w'},
        {"in-bits", required_argument, 0, 'i'}, /* hidden alias of --a-bits */
        {"acc-bits", required_argument, 0, 'a'}, {"help", no_argument, 0, 'H'},
        {"a-format", required_argument, 0, 'I'}, {"w-format", required_argument, 0, 'W'},
        {"in-format", required_argument, 0, 'I'}, /* hidden alias of --a-format */
        {"os-drain", required_argument, 0, 'D'},
        {"compressed", required_argument, 0, 'X'},
        {"ws-out-reg", required_argument, 0, 'O'},
        {0, 0, 0, 0}};
    /* Blocks other than the systolic array parse their own flags. */
    static const struct {
        const char *block;
        int (*parse_and_run)(int argc, char **argv);
    } others[] = {{"pim", rtlcheck_pim},         {"lut", rtlcheck_lut},
                  {"addertree", rtlcheck_teng}, {"cube", rtlcheck_teng},
                  {"matrix2d", rtlcheck_teng}};
    for (size_t b = 0; b < ARRAY_LEN(others); b++)
        for (int i = 1; i < argc; i++)
            if ((!strcmp(argv[i], "--block") && i + 1 < argc &&
                 !strcmp(argv[i + 1], others[b].block)) ||
                (!strncmp(argv[i], "--block=", 8) && !strcmp(argv[i] + 8, others[b].block)))
                return others[b].parse_and_run(argc, argv);
    int c;
    optind = 1;
    while ((c = cli_getopt("rtlcheck", argc, argv, opts, NULL)) != -1) {
        const char *o = NULL;
        uint64_t *dst = NULL, lo = 1, hi = SYSTOLIC_MAX_DIM;
        switch (c) {
        case 'b': block = optarg; break;
        case 'f': df_s = optarg; break;
        case 'd': db_path = optarg; break;
        case 'I': fmt_s[0] = optarg; break;
        case 'W': fmt_s[1] = optarg; break;
        case 'D': osd_s = optarg; break;
        case 'r': o = "rows"; dst = &rows; break;
        case 'c': o = "cols"; dst = &cols; break;
        case 'M': o = "m"; dst = &m; hi = CLI_RTLCHECK_MAX_DIM; break;
        case 'N': o = "n"; dst = &n; hi = CLI_RTLCHECK_MAX_DIM; break;
        case 'K': o = "k"; dst = &k; hi = CLI_RTLCHECK_MAX_DIM; break;
        case 't': o = "trials"; dst = &trials; hi = 1000000; break;
        case 's': o = "seed"; dst = &seed; lo = 0; hi = UINT64_MAX; break;
        case 'i': o = "a-bits"; dst = &in_bits; hi = SYSTOLIC_MAX_OPERAND_BITS; break;
        case 'w': o = "w-bits"; dst = &w_bits; hi = SYSTOLIC_MAX_OPERAND_BITS; break;
        case 'a': o = "acc-bits"; dst = &acc_bits; lo = 2; hi = SYSTOLIC_MAX_ACC_BITS; break;
        case 'X': o = "compressed"; dst = &compressed; lo = 0; hi = 1; break;
        case 'O': o = "ws-out-reg"; dst = &ws_out_reg; lo = 0; hi = 1; break;
        case 'H': fputs(rtlcheck_usage, stdout); return 0;
        default: return 2;
        }
        if (dst && cli_uint("rtlcheck", o, optarg, lo, hi, dst) != 0)
            return 2; /* the first bad value alone: one line */
    }
    if (cli_rtlcheck_work(m, n, k, trials) != 0)
        return 2;
    if (!block) {
        cli_err("codesim rtlcheck: --block: missing (systolic, pim, lut, addertree, cube or "
                "matrix2d; see codesim rtlcheck --help)\n");
        return 2;
    }
    if (strcmp(block, "systolic") != 0) {
        cli_err("codesim rtlcheck: --block: '%s' is not a block with RTL (systolic, pim, lut, "
                "addertree, cube, matrix2d)\n",
                block ? block : "");
        return 2;
    }
    systolic_cfg_t cfg = {(uint32_t)rows, (uint32_t)cols, SYSTOLIC_OS, (uint32_t)in_bits,
                          (uint32_t)w_bits, (uint32_t)acc_bits, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL,
                          (int)compressed, !ws_out_reg};
    for (int i = 0; i < 2; i++) {
        numfmt_t *f = i ? &cfg.w_fmt : &cfg.in_fmt;
        char why[160];
        if (fmt_s[i] && numfmt_parse(fmt_s[i], f, why, sizeof why) != 0) {
            cli_err("codesim rtlcheck: --%s-format: %s\n", i ? "w" : "a", why);
            return 2;
        }
        if (numfmt_is_float(f))
            *(i ? &cfg.w_bits : &cfg.in_bits) = numfmt_bits(f);
    }
    if (osd_s && systolic_os_drain_parse(osd_s, &cfg.os_drain) != 0) {
        cli_err("codesim rtlcheck: --os-drain: '%s' is not serial or overlap\n", osd_s);
        return 2;
    }
    if (!rows || !cols) { /* before the shape check: 0 is "not given", not a bad value */
        cli_err("codesim rtlcheck: --%s: missing (see codesim rtlcheck --help)\n",
                rows ? "cols" : "rows");
        return 2;
    }
    char why[160];
    if (systolic_cfg_check(&cfg, why, sizeof why) != 0) {
        cli_flag_err("rtlcheck", why);
        return 2;
    }
    if (!df_s) {
        cli_err("codesim rtlcheck: --dataflow: missing (os, ws or is)\n");
        return 2;
    }
    if (systolic_dataflow_parse(df_s, &cfg.dataflow) != 0) {
        cli_err("codesim rtlcheck: --dataflow: '%s' is not os, ws or is\n",
                df_s ? df_s : "");
        return 2;
    }

    const systolic_rtlcheck_cfg_t chk_cfg = {cfg, m, n, k, NULL};
    char title[96];
    const int osd = cfg.os_drain == SYSTOLIC_DRAIN_OVERLAP;
    snprintf(title, sizeof title, "%s %ux%u%s%s%s, memory-port activity",
             systolic_dataflow_name(cfg.dataflow), cfg.rows, cfg.cols,
             cfg.compressed ? " compressed" : "", osd ? " (overlapped OS drain)" : "",
             cfg.ws_out_unreg ? " (unregistered WS/IS output)" : "");
    const rtlcheck_t chk = {&systolic_rtlcheck, &chk_cfg, &chk_cfg.array,
                            osd                ? "os_drain=overlap"
                            : cfg.compressed   ? "compressed=1"
                            : cfg.ws_out_unreg ? "ws_out_reg=false"
                                               : NULL,
                            title, trials, seed, db_path};
    return rtlcheck_run(&chk, stdout, stderr);
}

/* cmd_teng.c - `codesim rtlcheck --block addertree|cube|matrix2d`: the
 * tensor engines' flags; the check is the one driver in
 * sim/harness/rtlcheck.c with the engines' glue (sim/harness/teng_rtl.c). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../harness/teng_rtl.h"

static const char rtlcheck_teng_usage[] =
    "usage: codesim rtlcheck --block addertree|cube|matrix2d [--rows R] [--cols C]\n"
    "                        [--depth D] [--compressed 0|1] [--in-bits B] [--w-bits B]\n"
    "                        [--acc-bits A] [--m M --n N --k K] [--trials T] [--seed S]\n"
    "                        [--a-format F --w-format F] [--db FILE]\n"
    "\n"
    "Runs T random GEMMs on the C model of the engine (models/tensor_engine.h) and\n"
    "on its Verilated RTL (rtl/tensor_engine.v, built on first use per shape) and\n"
    "compares output values (also against a naive GEMM), cycle counts and every\n"
    "cycle's reads and writes.  Shapes: addertree has rows 1 (C dot-product units\n"
    "of D inputs), matrix2d has depth 1 (R x C MAC PEs), cube is R x C x D.\n"
    "Defaults are the kind's hardware-file defaults.  --compressed 1 selects the\n"
    "compressed-accumulation PE (sum and carry apart until the write).  The last\n"
    "line is\n"
    "  rtlcheck: <cases> cases, <c> cycle mismatches, <v> value mismatches\n"
    "and the exit status is non-zero on any mismatch.\n"
    "\n"
    "  --a-format, --w-format  int (default) or a minifloat for both operands: e4m3,\n"
    "               e5m2 (OCP fp8), eXmY with 1+X+Y in 3..8 (sets the operand's bits)\n"
    "  --trials T (default 200)  --seed S (default 1)  --db FILE (default results.db)\n";

int rtlcheck_teng(int argc, char **argv)
{
    const char *db_path = "results.db", *block = NULL, *fmt_s[2] = {NULL, NULL};
    uint64_t trials = 200, seed = 1, m = 0, n = 0, k = 0;
    uint64_t v[7] = {0};   /* rows cols depth in w acc compressed; 0 = the default */
    int given[7] = {0};
    static const struct option opts[] = {
        {"block", required_argument, 0, 'b'},    {"rows", required_argument, 0, 0},
        {"cols", required_argument, 0, 1},       {"depth", required_argument, 0, 2},
        {"in-bits", required_argument, 0, 3},    {"w-bits", required_argument, 0, 4},
        {"acc-bits", required_argument, 0, 5},   {"compressed", required_argument, 0, 6},
        {"m", required_argument, 0, 'M'},        {"n", required_argument, 0, 'N'},
        {"k", required_argument, 0, 'K'},        {"trials", required_argument, 0, 't'},
        {"seed", required_argument, 0, 's'},     {"db", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'H'},           {"a-format", required_argument, 0, 'I'},
        {"w-format", required_argument, 0, 'W'}, {0, 0, 0, 0}};
    static const struct {
        const char *name;
        uint64_t lo, hi;
    } lim[7] = {{"rows", 1, TE_MAX_DIM},         {"cols", 1, TE_MAX_DIM},
                {"depth", 1, TE_MAX_DIM},        {"in-bits", 1, TE_MAX_OPERAND_BITS},
                {"w-bits", 1, TE_MAX_OPERAND_BITS}, {"acc-bits", 2, TE_MAX_ACC_BITS},
                {"compressed", 0, 1}};
    /* Option errors name the block (rtlcheck dispatched here on it). */
    char cmd[64] = "rtlcheck";
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--block") && i + 1 < argc)
            snprintf(cmd, sizeof cmd, "rtlcheck --block %.40s", argv[i + 1]);
        else if (!strncmp(argv[i], "--block=", 8))
            snprintf(cmd, sizeof cmd, "rtlcheck --block %.40s", argv[i] + 8);
    int c, bad = 0;
    optind = 1;
    while (!bad && (c = cli_getopt(cmd, argc, argv, opts, NULL)) != -1) {
        const char *o = NULL;
        uint64_t *dst = NULL, lo = 1, hi = 1 << 14;
        switch (c) {
        case 'b': block = optarg; break;
        case 'd': db_path = optarg; break;
        case 'I': fmt_s[0] = optarg; break;
        case 'W': fmt_s[1] = optarg; break;
        case 'M': o = "m"; dst = &m; hi = CLI_RTLCHECK_MAX_DIM; break;
        case 'N': o = "n"; dst = &n; hi = CLI_RTLCHECK_MAX_DIM; break;
        case 'K': o = "k"; dst = &k; hi = CLI_RTLCHECK_MAX_DIM; break;
        case 't': o = "trials"; dst = &trials; hi = 1000000; break;
        case 's': o = "seed"; dst = &seed; lo = 0; hi = UINT64_MAX; break;
        case 'H': fputs(rtlcheck_teng_usage, stdout); return 0;
        default:
            if (c >= 0 && c < 7) {
                o = lim[c].name, dst = &v[c], lo = lim[c].lo, hi = lim[c].hi;
                given[c] = 1;
                break;
            }
            return 2;
        }
        if (dst && cli_uint("rtlcheck", o, optarg, lo, hi, dst) != 0)
            bad = 1;
    }
    if (bad || cli_rtlcheck_work(m, n, k, trials) != 0)
        return 2;
    te_kind_t kind;
    if (!block || te_kind_parse(block, &kind) != 0) {
        fprintf(stderr, "codesim rtlcheck: --block: '%s' is not addertree, cube or matrix2d\n",
                block ? block : "");
        return 2;
    }
    te_cfg_t e;
    te_defaults(kind, &e);
    uint32_t *f[6] = {&e.rows, &e.cols, &e.depth, &e.in_bits, &e.w_bits, &e.acc_bits};
    for (int i = 0; i < 6; i++)
        if (given[i])
            *f[i] = (uint32_t)v[i];
    if (given[6])
        e.compressed = (int)v[6];
    char err[256];
    for (int i = 0; i < 2; i++) {
        static const char *const key[2] = {"in_format", "w_format"};
        if (fmt_s[i] && te_cfg_set(&e, key[i], fmt_s[i], err, sizeof err) != 0) {
            fprintf(stderr, "codesim rtlcheck: --%s-format: %s\n", i ? "w" : "a", err);
            return 2;
        }
    }
    if (te_cfg_check(&e, err, sizeof err) != 0) {
        cli_flag_err("rtlcheck", err);
        return 2;
    }
    const teng_rtlcheck_cfg_t chk_cfg = {e, m, n, k, NULL};
    char params[200], title[160], fa[16], fb[16], fmts[64] = "";
    numfmt_name(&e.in_fmt, fa, sizeof fa);
    numfmt_name(&e.w_fmt, fb, sizeof fb);
    if (numfmt_is_float(&e.in_fmt))
        snprintf(fmts, sizeof fmts, " in_format=%s w_format=%s", fa, fb);
    snprintf(params, sizeof params, "rows=%u cols=%u depth=%u in_bits=%u w_bits=%u acc_bits=%u "
             "compressed=%d%s", e.rows, e.cols, e.depth, e.in_bits, e.w_bits, e.acc_bits,
             e.compressed, fmts);
    snprintf(title, sizeof title, "%s %ux%ux%u %s PE%s%s%s%s, memory-port activity",
             te_kind_name(kind), e.rows, e.cols, e.depth, e.compressed ? "compressed" : "MAC",
             fmts[0] ? " " : "", fmts[0] ? fa : "", fmts[0] ? " x " : "", fmts[0] ? fb : "");
    const rtlcheck_t chk = {&teng_rtlcheck[kind], &chk_cfg, NULL, params, title, trials, seed,
                            db_path};
    return rtlcheck_run(&chk, stdout, stderr);
}

/* cmd_area.c - `codesim area`: area and energy breakdowns of a hardware
 * config over a technology table; `codesim synth`: the area model against
 * yosys synthesis of the RTL's PE grid at several sizes. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../models/power.h"
#include "../../models/block.h"
#include "../../models/te_cost.h"
#include "../../models/tech.h"
#include "cli.h"
#include "../io/escape.h"
#include "../db/db.h"
#include "../io/config.h"
#include "../../models/engine.h"
#include "../io/workload.h"
#include "../cost/tech_file.h"
#include "../io/paths.h"
#include "../io/spawn.h"
#include "../io/textfile.h"
#include "../run/run.h"
#include "output.h"

static const char area_usage[] =
    "usage: codesim area [--hw FILE] [--tech NODE] [--workload FILE]\n"
    "\n"
    "Prints the area breakdown of the machine (every block it has, per-core blocks\n"
    "times npu.cores); with a workload, also the energy breakdown of running it\n"
    "(fast path) and TOPS, TOPS/W, TOPS/mm^2 at npu.freq_mhz: the numbers codesim\n"
    "run prints for the same machine and workload.\n"
    "\n"
    "  --hw FILE        hardware config (default: the built-in 32x32 config)\n"
    "  --tech NODE      45nm (default), 28nm, 7nm, or a technology YAML file\n"
    "                   (reports/tech/*.yaml describes the format and sources)\n"
    "  --workload FILE  layer CSV, as for codesim run\n"
    "\n"
    "EXAMPLES\n"
    "  codesim area --hw configs/default.yaml\n"
    "  codesim area --hw configs/npu_pim.yaml --tech 7nm --workload traces/transformer.csv\n";

static void print_breakdown(const char *title, const char *unit, double scale,
                            const power_breakdown_t *b, double per, const char *per_unit)
{
    printf("%-16s %14s %7s", title, unit, "%");
    if (per_unit)
        printf(" %10s", per_unit);
    printf("\n");
    for (size_t i = 0; i <= b->n; i++) {
        const char *name = i < b->n ? b->item[i].name : "total";
        const double v = i < b->n ? b->item[i].value : b->total;
        printf("%-16s %14.4f %7.2f", name, v * scale, b->total > 0 ? 100.0 * v / b->total : 0.0);
        if (per_unit)
            printf(" %10.4f", per > 0 ? v / per : 0.0);
        printf("\n");
    }
}

static int load_tech(const char *cmd, const char *node, tech_t *t)
{
    char path[600], err[512];
    if (!*node) { /* not "reports/tech/.yaml: cannot open" */
        cli_err("codesim %s: --tech: empty (a node such as 45nm, or a tech YAML file)\n", cmd);
        return -1;
    }
    tech_path(node, path, sizeof path);
    if (tech_load(path, t, err, sizeof err) != 0) {
        cli_err("codesim %s: %s\n", cmd, err);
        return -1;
    }
    return 0;
}

int cmd_area(int argc, char **argv)
{
    const char *hw_path = NULL, *wl_path = NULL, *node = "45nm";
    static const struct option opts[] = {{"hw", required_argument, 0, 'h'},
                                         {"tech", required_argument, 0, 't'},
                                         {"workload", required_argument, 0, 'w'},
                                         {"help", no_argument, 0, 'H'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = cli_getopt("area", argc, argv, opts, NULL)) != -1) {
        switch (c) {
        case 'h': hw_path = optarg; break;
        case 't': node = optarg; break;
        case 'w': wl_path = optarg; break;
        case 'H': fputs(area_usage, stdout); return 0;
        default: return 2;
        }
    }
    if (optind < argc) {
        cli_err("codesim area: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    char err[512];
    tech_t tech;
    hw_cfg_t hw;
    workload_t wl = {0};
    int rc = 1;
    if (load_tech("area", node, &tech) != 0)
        return 1;
    if (hw_path) {
        if (hw_load(hw_path, &hw, err, sizeof err) != 0) {
            cli_err("codesim area: %s\n", err);
            return 1;
        }
    } else {
        hw_defaults(&hw);
    }
    const size_t wlen = wl_path ? strlen(wl_path) : 0;
    if (wlen > 5 && !strcmp(wl_path + wlen - 5, ".json")) {
        cli_err("codesim area: --workload: %s: a model config; area takes a layer CSV "
                        "(an LLM run prints its area and energy: codesim run --model)\n", wl_path);
        goto out;
    }
    if (wl_path && workload_load(wl_path, &wl, err, sizeof err) != 0) {
        cli_err("codesim area: %s\n", err);
        goto out;
    }
    /* The machine's area, and with a workload the run through the one
     * simulation entry point (the numbers codesim run prints).  Simulate
     * before printing anything: a layer that does not fit fails with one
     * line and no partial report. */
    sim_result_t res = {0};
    if (wl_path) {
        const sim_workload_t w = {SIM_LAYERS, &wl, NULL, {0}, ENGINE_FAST, NULL, NULL};
        if (sim_run(&hw, &tech, &w, &res, err, sizeof err) != 0) {
            cli_err("codesim area: %s:%s\n", wl_path, err);
            goto out;
        }
    } else if (sim_area(&hw, &tech, &res.area, err, sizeof err) != 0) {
        cli_err("codesim area: %s\n", err);
        goto out;
    }
    char hn[256];
    printf("codesim area: %s, ", esc_text(hn, sizeof hn, hw.name));
    if (hw.npu.cores > 1)
        printf("%u cores x ", hw.npu.cores);
    printf("%ux%u %s array, %u/%u/%u-bit", hw.array.rows, hw.array.cols,
           systolic_dataflow_name(hw.array.dataflow), hw.array.in_bits, hw.array.w_bits,
           hw.array.acc_bits);
    if (hw.has_lut)
        printf(", %ux%ux%u LUT unit", hw.lut.tm, hw.lut.tn, hw.lut.tk);
    if (hw.has_pim)
        printf(", PIM");
    printf(", on %s at %u MHz\n", tech.node, hw.npu.freq_mhz);
    print_breakdown("area", "mm^2", 1e-6, &res.area, 0, NULL);
    if (wl_path) {
        printf("\nworkload %s: %zu layers, %" PRIu64 " cycles, %" PRIu64 " MACs\n", wl_path,
               wl.count, res.cycles, res.macs);
        print_breakdown("energy", "uJ", 1e-6, &res.energy, (double)res.macs, "pJ/MAC");
        const power_metrics_t *m = &res.metrics;
        printf("\ntime %.6f s  power %.3f W  TOPS %.4f (peak %.4f)  TOPS/W %.4f  TOPS/mm^2 %.5f\n",
               m->seconds, m->power_w, m->tops, m->peak_tops, m->tops_per_w, m->tops_per_mm2);
        out_notes("area", &res);
    }
    sim_result_free(&res);
    rc = 0;
out:
    workload_free(&wl);
    hw_free(&hw);
    return rc;
}

/* ---- codesim synth ---------------------------------------------------- */

static const char synth_usage[] =
    "usage: codesim synth [--sizes N,N,...] [--bits B] [--acc-bits A] [--tech NODE]\n"
    "                     [--out DIR] [--db FILE] [--tolerance T]\n"
    "\n"
    "Synthesizes the N x N PE grid of rtl/systolic.v (rtl/synth/systolic_grid.v,\n"
    "rtl/synth/grid.ys) with yosys for every size, prices the cells with NanGate\n"
    "45 nm X1 areas, and compares the area ratio of each size to the smallest size\n"
    "with the area model's ratio (models/power.h).  Writes DIR/synth.csv; exits\n"
    "non-zero when a ratio differs by more than T (relative).\n"
    "\n"
    "  --sizes LIST     grid sizes N (N x N PEs), increasing (default 1,2,4,8,16)\n"
    "  --bits B         operand width, both operands (default 8)\n"
    "  --acc-bits A     accumulator width (default 32)\n"
    "  --tech NODE      technology table of the model (default 45nm)\n"
    "  --out DIR        where the yosys logs and synth.csv go (default build/area)\n"
    "  --db FILE        results database (default results.db)\n"
    "  --tolerance T    allowed relative ratio difference (default 0.15)\n"
    "\n"
    "       codesim synth --top NAME --verilog FILE [--verilog FILE...] [--sv]\n"
    "                     [--param NAME=VALUE...] [--compare BLOCK [--hw FILE]]\n"
    "       codesim synth --compare addertree|cube|matrix2d [--hw FILE]\n"
    "\n"
    "Synthesizes any Verilog top the same way (rtl/synth/top.ys: asynchronous-reset\n"
    "flip-flops are kept and priced as DFFR_X1/DFFS_X1) and prints its cell area;\n"
    "with --compare, also the model's area of that block of the machine (--hw, else\n"
    "the built-in one) and the deviation, exiting non-zero beyond --tolerance\n"
    "(default 0.10 here).  BLOCK: array (its PE grid; array.fixed_dataflow picks\n"
    "the fixed-dataflow PE), array+opt1 (the OS grid with the HPCA 2025 paper's\n"
    "OPT1 PE: Booth partial products into a carry-save tree), cube+mac and\n"
    "cube+opt1 (the paper's N x N x N cube, MAC-based or OPT1 PEs, sized by the\n"
    "top's --param N, WIDTH, ACC_WIDTH, no --hw), an engine kind (its\n"
    "PE grid, teng_core of rtl/tensor_engine.v, synthesized with the machine's\n"
    "engine as parameters when no --verilog is given), or KIND+opreg (grid and\n"
    "operand registers).  Engines also get the timing model's path lengths against\n"
    "yosys' `ltp -noff` (longest path, and longest path into a flip-flop).  Each\n"
    "--verilog must be a readable regular file within CODESIM_MAX_INPUT_MB; a failing\n"
    "yosys' first ERROR line is in the message; --sizes does not apply here.\n"
    "\n"
    "       codesim synth --ratios [--hw FILE] [--tech NODE]\n"
    "\n"
    "Prints each engine's (and the systolic array's) area efficiency, MACs per cycle\n"
    "x fmax / area, compressed-accumulation PE over MAC-based PE, from the area\n"
    "model and the timing model (fmax: 1 / the PE's longest path in gate levels),\n"
    "beside the ratio at one clock and the HPCA 2025 paper's, and why they differ.\n"
    "\n"
    "EXAMPLES\n"
    "  codesim synth --sizes 1,2,4 --out build/area\n"
    "  codesim synth --sizes 1,2,4,8,16 --bits 8 --acc-bits 32 --tolerance 0.15\n"
    "  codesim synth --compare cube --hw tests/data/teng_cube_true.yaml --tech yosys45\n"
    "  codesim synth --ratios\n";

/* Liberty-free cell area model for yosys' generic gates: the area of the
 * NanGate FreePDK45 Open Cell Library (2010) X1 cell of the same function,
 * in um^2.  $_DFF_P_ is DFF_X1 (reset and enable are gates after
 * dfflegalize). */
static const struct {
    const char *cell;
    double um2;
} cell_area[] = {
    {"$_NOT_", 0.532},  /* INV_X1 */
    {"$_BUF_", 0.798},  /* BUF_X1 */
    {"$_AND_", 1.064},  /* AND2_X1 */
    {"$_NAND_", 0.798}, /* NAND2_X1 */
    {"$_OR_", 1.064},   /* OR2_X1 */
    {"$_NOR_", 0.798},  /* NOR2_X1 */
    {"$_XOR_", 1.596},  /* XOR2_X1 */
    {"$_XNOR_", 1.596}, /* XNOR2_X1 */
    {"$_MUX_", 1.862},  /* MUX2_X1 */
    {"$_DFF_P_", 4.522},   /* DFF_X1 */
    {"$_DFF_PN0_", 5.32},  /* DFFR_X1 (asynchronous reset, active low) */
    {"$_DFF_PP0_", 5.852}, /* DFFR_X1 + INV_X1 (active-high reset) */
    {"$_DFF_PN1_", 5.32},  /* DFFS_X1 (asynchronous set, active low) */
    {"$_DFF_PP1_", 5.852}  /* DFFS_X1 + INV_X1 (active-high set) */
};

typedef struct {
    uint32_t n;
    uint64_t cells, dffs;
    /* `ltp -noff` after the mapping: gates on the longest path, and on the
     * longest path into a flip-flop (outputs dropped); 0 if not run. */
    uint64_t levels, reg_levels;
    int nltp;
    double synth_um2, model_um2, seconds;
} synth_row_t;

/* Reads the last `stat` report in a yosys log: its "     $_AND_   272"
 * lines.  `synth` prints a report of its own earlier in the log, with cells
 * that later passes replace, so each "Printing statistics." header starts
 * the count afresh. */
static int read_stat(const char *path, synth_row_t *r, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[256], unknown[64] = "";
    int found = 0, stats = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "Printing statistics.")) {
            stats = 1;
            r->cells = r->dffs = 0;
            r->levels = r->reg_levels = 0;
            r->nltp = 0;
            r->synth_um2 = 0;
            found = 0;
            unknown[0] = 0;
            continue;
        }
        char cell[64];
        unsigned long long cnt;
        const char *lp = strstr(line, "Longest topological path in ");
        if (lp && (lp = strstr(lp, "(length=")) && sscanf(lp, "(length=%llu)", &cnt) == 1) {
            if (r->nltp++ == 0)
                r->levels = cnt;
            else
                r->reg_levels = cnt;
            continue;
        }
        if (sscanf(line, " %63s %llu", cell, &cnt) != 2 || strncmp(cell, "$_", 2))
            continue;
        size_t i = 0;
        while (i < sizeof cell_area / sizeof cell_area[0] && strcmp(cell_area[i].cell, cell))
            i++;
        found = 1;
        if (i == sizeof cell_area / sizeof cell_area[0]) {
            if (!unknown[0])
                snprintf(unknown, sizeof unknown, "%s", cell);
            continue;
        }
        r->cells += cnt;
        if (!strncmp(cell, "$_DFF_", 6))
            r->dffs += cnt;
        r->synth_um2 += (double)cnt * cell_area[i].um2;
    }
    fclose(f);
    if (!found && !stats) {
        snprintf(err, errlen, "%s: no yosys statistics", path);
        return -1;
    }
    if (unknown[0]) {
        snprintf(err, errlen, "%s: cell %s: not in the cell area model", path, unknown);
        return -1;
    }
    return 0;
}

/* Writes DIR/NAME to out (PATH_MAX bytes); -1 when it does not fit, never a
 * truncated path. */
static int join_path(char *out, const char *dir, const char *name)
{
    const int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
    return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* Synthesizes the n x n grid with its log in log (which read_stat reads).
 *
 * Nothing reaches a shell, and no path is written into a yosys command
 * either: yosys splits commands at ';' and spaces and runs "!..." through
 * the shell, so a path inside a script could still run a command.  The
 * Verilog files are file arguments after "--" (so that a path beginning
 * with '-' is no option), read with read_verilog (-f verilog; yosys' own
 * choice for .v, `read -vlog2k`, elaborates differently and changes the
 * cell counts); the commands, given with -p and run after the files are
 * read, are the grid's parameters (chparam), the text of rtl/synth/grid.ys
 * and `stat`. */
static int run_yosys(const char *log, uint32_t n, uint32_t bits, uint32_t acc, char *err,
                     size_t errlen)
{
    char sys_v[PATH_MAX], grid_v[PATH_MAX], grid_ys[PATH_MAX];
    if (io_data_path("rtl/systolic.v", sys_v, sizeof sys_v) != 0 ||
        io_data_path("rtl/synth/systolic_grid.v", grid_v, sizeof grid_v) != 0 ||
        io_data_path("rtl/synth/grid.ys", grid_ys, sizeof grid_ys) != 0) {
        snprintf(err, errlen, "data directory: path too long (at most %d bytes in all)",
                 PATH_MAX - 1);
        return -1;
    }
    size_t len;
    char *flow = textfile_read(grid_ys, &len, err, errlen);
    if (!flow)
        return -1;
    const size_t cap = len + 128;
    char *cmds = malloc(cap);
    if (!cmds) {
        free(flow);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(cmds, cap, "chparam -set R %u -set C %u -set OPW %u -set ACCW %u systolic_grid\n%s\n"
             "stat\n", n, n, bits, acc, flow);
    free(flow);
    const char *const argv[] = {"yosys", "-q", "-l", log, "-f", "verilog", "-p", cmds, "--",
                                sys_v, grid_v, NULL};
    /* The console output is the log's warnings and errors again. */
    const int rc = io_spawn(argv, "/dev/null", err, errlen);
    free(cmds);
    if (rc < 0) {
        if (!strcmp(err, "yosys: not found"))
            snprintf(err, errlen, "yosys: not found (Debian package yosys)");
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "yosys failed on the %ux%u grid, see %s", n, n, log);
        return -1;
    }
    return 0;
}

static int parse_sizes(const char *s, uint32_t *sizes, size_t *count)
{
    size_t n = 0;
    char buf[256], *save = NULL;
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf) {
        cli_err("codesim synth: --sizes: too long (at most %zu bytes)\n", sizeof buf - 1);
        return -1;
    }
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (n == 16 || cli_uint("synth", "sizes", tok, 1, 64, &v) != 0)
            return -1;
        if (n && v <= sizes[n - 1]) {
            cli_err("codesim synth: --sizes: must increase\n");
            return -1;
        }
        sizes[n++] = (uint32_t)v;
    }
    if (n < 2) {
        cli_err("codesim synth: --sizes: needs at least two sizes\n");
        return -1;
    }
    *count = n;
    return 0;
}

/* ---- codesim synth --top: any Verilog top against the model ------------- */

#define SYNTH_MAX_FILES 32
#define SYNTH_MAX_PARAMS 16

typedef struct {
    const char *files[SYNTH_MAX_FILES];
    size_t nfiles;
    const char *top;
    char params[SYNTH_MAX_PARAMS][96];   /* "NAME VALUE" (chparam -set), checked */
    size_t nparams;
    int sv;                              /* read as SystemVerilog */
    const char *compare;                 /* block whose model area to compare, or NULL */
    const char *hw_path;
} synth_top_t;

/* An identifier yosys takes as one word: [A-Za-z_][A-Za-z0-9_$]*. */
static int is_ident(const char *s)
{
    if (!*s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '$'))
            return 0;
    return 1;
}

/* --param NAME=VALUE: an identifier and a whole number, so that nothing
 * else reaches the yosys command text. */
static int add_param(synth_top_t *st, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[64];
    if (st->nparams == SYNTH_MAX_PARAMS) {
        fprintf(stderr, "codesim synth: --param: at most %d\n", SYNTH_MAX_PARAMS);
        return -1;
    }
    if (!eq || (size_t)(eq - arg) >= sizeof name) {
        fprintf(stderr, "codesim synth: --param: '%s' is not NAME=VALUE\n", arg);
        return -1;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = 0;
    uint64_t v;
    if (!is_ident(name)) {
        fprintf(stderr, "codesim synth: --param: '%s' is not a parameter name\n", name);
        return -1;
    }
    if (cli_uint("synth", "param", eq + 1, 0, UINT32_MAX, &v) != 0)
        return -1;
    snprintf(st->params[st->nparams++], sizeof st->params[0], "%s %llu", name,
             (unsigned long long)v);
    return 0;
}

static int run_yosys_top(const synth_top_t *st, const char *log, char *err, size_t errlen)
{
    char flow_path[PATH_MAX];
    if (io_data_path("rtl/synth/top.ys", flow_path, sizeof flow_path) != 0) {
        snprintf(err, errlen, "data directory: path too long");
        return -1;
    }
    size_t len;
    char *flow = textfile_read(flow_path, &len, err, errlen);
    if (!flow)
        return -1;
    const size_t cap = len + 256 + SYNTH_MAX_PARAMS * 80;
    char *cmds = malloc(cap);
    if (!cmds) {
        free(flow);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    cmds[0] = 0;
    if (st->nparams) {
        hw_append(cmds, cap, &n, "chparam");
        for (size_t i = 0; i < st->nparams; i++)
            hw_append(cmds, cap, &n, " -set %s", st->params[i]);
        hw_append(cmds, cap, &n, " %s\n", st->top);
    }
    hw_append(cmds, cap, &n, "synth -flatten -top %s -noalumacc -noabc\n%s\nstat\nltp -noff\n"
              "setattr -set keep 1 t:$_DFF_*\ndelete -output\nopt_clean\nltp -noff\n",
              st->top, flow);
    free(flow);
    const char *argv[SYNTH_MAX_FILES + 12];
    size_t a = 0;
    argv[a++] = "yosys";
    argv[a++] = "-q";
    argv[a++] = "-l";
    argv[a++] = log;
    argv[a++] = "-f";
    argv[a++] = st->sv ? "verilog -sv" : "verilog";
    argv[a++] = "-p";
    argv[a++] = cmds;
    argv[a++] = "--";
    for (size_t i = 0; i < st->nfiles; i++)
        argv[a++] = st->files[i];
    argv[a] = NULL;
    const int rc = io_spawn(argv, "/dev/null", err, errlen);
    free(cmds);
    if (rc < 0) {
        if (!strcmp(err, "yosys: not found"))
            snprintf(err, errlen, "yosys: not found (Debian package yosys)");
        return -1;
    }
    if (rc != 0) {
        /* The reason is yosys' first ERROR line (a missing module, an
         * unknown --param); lifted into the one-line message, escaped. */
        char first[512] = "", line[512], shown[600];
        FILE *lf = fopen(log, "r");
        while (lf && fgets(line, sizeof line, lf)) {
            const char *e = strstr(line, "ERROR:");
            if (e) {
                snprintf(first, sizeof first, "%s", e);
                first[strcspn(first, "\r\n")] = 0;
                break;
            }
        }
        if (lf)
            fclose(lf);
        if (first[0])
            snprintf(err, errlen, "yosys failed on top %s: %s (see %s)", st->top,
                     esc_text(shown, sizeof shown, first), log);
        else
            snprintf(err, errlen, "yosys failed on top %s, see %s", st->top, log);
        return -1;
    }
    return 0;
}

/* Each --verilog before yosys sees it: a regular file (a device or FIFO
 * would hang yosys or grow it without bound), readable, within
 * CODESIM_MAX_INPUT_MB and without NUL bytes, as every other input. */
static int check_verilog(const char *path, char *err, size_t errlen)
{
    struct stat sb;
    char shown[PATH_MAX];
    esc_text(shown, sizeof shown, path);
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "--verilog: %s: cannot open: %s", shown, strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "--verilog: %s: not a regular file", shown);
        return -1;
    }
    size_t len;
    char why[PATH_MAX + 150]; /* fits in err (PATH_MAX + 200) after the prefix */
    char *text = textfile_read(path, &len, why, sizeof why);
    if (!text) {
        snprintf(err, errlen, "--verilog: %s", why);
        return -1;
    }
    free(text);
    return 0;
}

/* --compare cube+mac / cube+opt1: the HPCA 2025 paper's 3D cube
 * (power_cube_paper_um2).  Its size and widths are the top's own
 * parameters, read from --param as yosys gets them, with the defaults of
 * the paper's OPT1/cube/array_*_based/top.v where not given: N = 8,
 * WIDTH = 8, ACC_WIDTH = 2 WIDTH + ceil(log2 N); so model and synthesis
 * always see one design. */
static int is_paper_cube(const char *compare)
{
    return !strcmp(compare, "cube+mac") || !strcmp(compare, "cube+opt1");
}

static int paper_cube_params(const synth_top_t *st, uint32_t *n, uint32_t *w, uint32_t *acc,
                             char *err, size_t errlen)
{
    unsigned long long v[3] = {8, 8, 0};
    int given_acc = 0;
    static const char *const names[3] = {"N", "WIDTH", "ACC_WIDTH"};
    for (size_t i = 0; i < st->nparams; i++) {
        char name[64];
        unsigned long long x;
        if (sscanf(st->params[i], "%63s %llu", name, &x) != 2)
            continue;
        for (int j = 0; j < 3; j++)
            if (!strcmp(name, names[j])) {
                v[j] = x;
                given_acc |= j == 2;
            }
    }
    if (v[0] < 1 || v[0] > 256 || v[1] < 2 || v[1] > 16) {
        snprintf(err, errlen, "--compare %s: --param N=%llu WIDTH=%llu: N must be 1..256 and "
                              "WIDTH 2..16", st->compare, v[0], v[1]);
        return -1;
    }
    if (!strcmp(st->compare, "cube+opt1") && v[1] != 8) {
        snprintf(err, errlen, "--compare cube+opt1: --param WIDTH=%llu: the paper's opt1_mac.v "
                              "takes 8-bit operands only", v[1]);
        return -1;
    }
    if (!given_acc) {
        unsigned long long lg = 0;
        while ((1ull << lg) < v[0])
            lg++;
        v[2] = 2 * v[1] + lg;
    }
    if (v[2] < 2 * v[1] || v[2] > 64) {
        snprintf(err, errlen, "--compare %s: --param ACC_WIDTH=%llu: must be 2 x WIDTH (%llu) .. "
                              "64", st->compare, v[2], 2 * v[1]);
        return -1;
    }
    *n = (uint32_t)v[0], *w = (uint32_t)v[1], *acc = (uint32_t)v[2];
    return 0;
}

/* The model's area of what --compare names, on the machine of --hw (or the
 * built-in one): "array" is the PE grid (power_grid_um2, or
 * power_grid_fixed_um2 with array.fixed_dataflow), an engine kind its PE
 * grid (te_grid_um2: teng_core) or, with --compare KIND+opreg, the grid and
 * its operand registers (te_area: teng_top without the address logic). */
static int model_area(const synth_top_t *st, const tech_t *t, double *um2, te_levels_t *lv,
                      char *what, size_t wlen, char *err, size_t errlen)
{
    memset(lv, 0, sizeof *lv);
    if (is_paper_cube(st->compare)) {
        const int opt1 = !strcmp(st->compare, "cube+opt1");
        uint32_t n, w, acc;
        if (st->hw_path) {
            snprintf(err, errlen, "--compare %s: the paper's cube is sized by its top's "
                                  "parameters (--param N=, WIDTH=, ACC_WIDTH=), not by --hw",
                     st->compare);
            return -1;
        }
        if (paper_cube_params(st, &n, &w, &acc, err, errlen) != 0)
            return -1;
        *um2 = power_cube_paper_um2(t, n, w, acc, opt1, NULL);
        te_cube_paper_levels(w, acc, opt1, lv);
        snprintf(what, wlen, "the paper's %ux%ux%u %s cube (%u-bit operands, %u-bit partial "
                 "sums)", n, n, n, opt1 ? "OPT1" : "MAC-based", w, acc);
        return 0;
    }
    hw_cfg_t hw;
    if (st->hw_path) {
        if (hw_load(st->hw_path, &hw, err, errlen) != 0)
            return -1;
    } else {
        hw_defaults(&hw);
    }
    int rc = 0;
    te_kind_t k;
    char base[32];
    snprintf(base, sizeof base, "%s", st->compare);
    char *plus = strchr(base, '+');
    const int opreg = plus && !strcmp(plus, "+opreg");
    if (plus)
        *plus = 0;
    if (!strcmp(base, "array") && !plus) {
        const systolic_cfg_t *a = &hw.array;
        *um2 = hw.fixed_dataflow ? power_grid_fixed_um2(t, a, NULL)
               : a->compressed   ? power_grid_cmp_um2(t, a, NULL)
                                 : power_grid_um2(t, a->rows, a->cols, a->in_bits, a->w_bits,
                                                  a->acc_bits, NULL);
        te_array_pe_levels(a, hw.fixed_dataflow, 0, lv);
        snprintf(what, wlen, "%ux%u %s array grid%s", a->rows, a->cols,
                 systolic_dataflow_name(a->dataflow),
                 hw.fixed_dataflow ? " (fixed dataflow)"
                 : a->compressed   ? " (compressed)"
                                   : "");
    } else if (!strcmp(base, "array") && plus && !strcmp(plus + 1, "opt1")) {
        const systolic_cfg_t *a = &hw.array;
        if (a->dataflow != SYSTOLIC_OS) {
            snprintf(err, errlen, "--compare array+opt1: the paper's OPT1 array is "
                                  "output-stationary (array.dataflow: os)");
            rc = -1;
        } else {
            *um2 = power_grid_opt1_um2(t, a, NULL);
            te_array_pe_levels(a, 1, 1, lv);
            snprintf(what, wlen, "%ux%u os array grid with the paper's OPT1 PE", a->rows,
                     a->cols);
        }
    } else if (te_kind_parse(base, &k) == 0 && (!plus || opreg)) {
        const te_cfg_t *e = &hw.te[k];
        power_breakdown_t b;
        power_init(&b);
        te_pe_levels(e, lv);
        if (opreg) {
            rc = te_area(t, e, &b, err, errlen);
            *um2 = b.total;
        } else {
            *um2 = te_grid_um2(t, e, NULL);
        }
        snprintf(what, wlen, "%ux%ux%u %s %s PE grid%s", e->rows, e->cols, e->depth,
                 te_kind_name(k), e->compressed ? "compressed" : "MAC",
                 opreg ? " + operand registers" : "");
    } else {
        snprintf(err, errlen, "--compare: '%s' is not array, array+opt1, cube+mac, cube+opt1, "
                              "addertree, cube or matrix2d (optionally KIND+opreg)", st->compare);
        rc = -1;
    }
    hw_free(&hw);
    return rc;
}

static int synth_top(synth_top_t *st, const char *node, const char *out, double tol)
{
    char err[PATH_MAX + 200];
    char teng_v[PATH_MAX];
    tech_t tech;
    if (load_tech("synth", node, &tech) != 0)
        return 1;
    if (st->compare && is_paper_cube(st->compare)) {
        /* Refused before yosys runs: no Verilog, a --hw, bad parameters. */
        uint32_t n, w, acc;
        if (!st->nfiles || !st->top) {
            fprintf(stderr, "codesim synth: --compare %s: give the paper's cube Verilog "
                            "(--top top --verilog FILE...; rtl/synth/paper_synth.sh)\n",
                    st->compare);
            return 2;
        }
        if (st->hw_path) {
            fprintf(stderr, "codesim synth: --compare %s: the paper's cube is sized by its "
                            "top's parameters (--param N=, WIDTH=, ACC_WIDTH=), not by --hw\n",
                    st->compare);
            return 2;
        }
        if (paper_cube_params(st, &n, &w, &acc, err, sizeof err) != 0) {
            fprintf(stderr, "codesim synth: %s\n", err);
            return 2;
        }
    }
    /* An engine compared without --verilog: our own teng_core with the
     * machine's engine as parameters. */
    te_kind_t k;
    char base[32];
    snprintf(base, sizeof base, "%s", st->compare ? st->compare : "");
    if (strchr(base, '+'))
        *strchr(base, '+') = 0;
    if (!st->nfiles && st->compare && te_kind_parse(base, &k) == 0) {
        hw_cfg_t hw;
        if (st->hw_path) {
            if (hw_load(st->hw_path, &hw, err, sizeof err) != 0) {
                fprintf(stderr, "codesim synth: %s\n", err);
                return 1;
            }
        } else {
            hw_defaults(&hw);
        }
        const te_cfg_t *e = &hw.te[k];
        if (numfmt_is_float(&e->in_fmt)) {
            /* teng_core takes packed minifloat operands from teng_top's
             * lane decoders; its grid alone is not the machine's engine. */
            fprintf(stderr, "codesim synth: --compare %s: a minifloat engine (%s.in_format) is "
                            "not synthesized alone; use an integer engine\n", st->compare,
                    te_kind_name(k));
            hw_free(&hw);
            return 2;
        }
        char p[7][48];
        snprintf(p[0], sizeof p[0], "R=%u", e->rows);
        snprintf(p[1], sizeof p[1], "C=%u", e->cols);
        snprintf(p[2], sizeof p[2], "D=%u", e->depth);
        snprintf(p[3], sizeof p[3], "AW=%u", e->in_bits);
        snprintf(p[4], sizeof p[4], "BW=%u", e->w_bits);
        snprintf(p[5], sizeof p[5], "ACCW=%u", e->acc_bits);
        snprintf(p[6], sizeof p[6], "CMP=%d", e->compressed);
        hw_free(&hw);
        st->nparams = 0;
        for (int i = 0; i < 7; i++)
            if (add_param(st, p[i]) != 0)
                return 2;
        if (io_data_path("rtl/tensor_engine.v", teng_v, sizeof teng_v) != 0) {
            fprintf(stderr, "codesim synth: data directory: path too long\n");
            return 1;
        }
        st->files[st->nfiles++] = teng_v;
        if (strchr(st->compare, '+')) {
            fprintf(stderr, "codesim synth: --compare %s: give the Verilog (--verilog, --top); "
                            "rtl/tensor_engine.v's grid is KIND alone\n", st->compare);
            return 2;
        }
        if (!st->top)
            st->top = "teng_core";
    }
    if (st->compare && strcmp(base, "array") != 0 && te_kind_parse(base, &k) != 0) {
        cli_err("codesim synth: --compare: '%s' is not array, array+opt1, cube+mac, cube+opt1, "
                "addertree, cube or matrix2d (optionally KIND+opreg)\n", st->compare);
        return 2;
    }
    if (!st->top || !st->nfiles) {
        fprintf(stderr, "codesim synth: --top needs --verilog FILE (and --compare KIND alone "
                        "synthesizes rtl/tensor_engine.v)\n");
        return 2;
    }
    if (!is_ident(st->top)) {
        fprintf(stderr, "codesim synth: --top: '%s' is not a module name\n", st->top);
        return 2;
    }
    for (size_t i = 0; i < st->nfiles; i++)
        if (check_verilog(st->files[i], err, sizeof err) != 0) {
            cli_err("codesim synth: %s\n", err);
            return 2;
        }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "codesim synth: %s: %s\n", out, strerror(errno));
        return 1;
    }
    char name[96], log[PATH_MAX];
    /* One log per design: top, parameters and files in the name's hash. */
    uint64_t h = util_fnv1a(UTIL_FNV_INIT, st->params, sizeof st->params);
    for (size_t i = 0; i < st->nfiles; i++)
        h = util_fnv1a(h, st->files[i], strlen(st->files[i]) + 1);
    snprintf(name, sizeof name, "top_%.40s_%016llx.log", st->top, (unsigned long long)h);
    if (join_path(log, out, name) != 0) {
        fprintf(stderr, "codesim synth: --out: path too long\n");
        return 2;
    }
    synth_row_t r = {0};
    const double t0 = util_now_s();
    if (run_yosys_top(st, log, err, sizeof err) != 0 || read_stat(log, &r, err, sizeof err) != 0) {
        fprintf(stderr, "codesim synth: %s\n", err);
        return 1;
    }
    r.seconds = util_now_s() - t0;
    printf("codesim synth: top %s (", st->top);
    for (size_t i = 0; i < st->nparams; i++)
        printf("%s%s", i ? ", " : "", st->params[i]);
    printf(")%s: %" PRIu64 " cells, %" PRIu64 " flip-flops, %.1f um^2 (NanGate 45 nm X1 cells), "
           "longest path %" PRIu64 " gates (%" PRIu64 " into flip-flops), yosys %.1f s\n",
           st->nparams ? "" : "", r.cells, r.dffs, r.synth_um2, r.levels, r.reg_levels, r.seconds);
    if (!st->compare)
        return 0;
    double model;
    char what[160];
    te_levels_t lv;
    if (model_area(st, &tech, &model, &lv, what, sizeof what, err, sizeof err) != 0) {
        fprintf(stderr, "codesim synth: %s\n", err);
        return 1;
    }
    int bad = 0;
    /* First the timing model (te_cost.h) against ltp's counts. */
    if (lv.path && r.levels && r.reg_levels) {
        const double dp = (double)lv.path / (double)r.levels - 1.0,
                     dl = (double)lv.loop / (double)r.reg_levels - 1.0;
        printf("model: longest path %u gates (%u into flip-flops), %+.2f%% (%+.2f%%) against "
               "synthesis (tolerance %.0f%%)\n", lv.path, lv.loop, 100.0 * dp, 100.0 * dl,
               100.0 * tol);
        /* Held to the tolerance on the engines (codesim's own teng_core);
         * for an array and the paper's cube, printed only. */
        if (strncmp(st->compare, "array", 5) != 0 && !is_paper_cube(st->compare))
            bad |= fabs(dp) > tol || fabs(dl) > tol;
    }
    /* The area line last (tests read it). */
    const double dev = model / r.synth_um2 - 1.0;
    printf("model: %s on %s: %.1f um^2, %+.2f%% against synthesis (tolerance %.0f%%)\n", what,
           tech.node, model, 100.0 * dev, 100.0 * tol);
    bad |= fabs(dev) > tol;
    return bad ? 1 : 0;
}

/* codesim synth --ratios: the area-efficiency ratio of the compressed-
 * accumulation PE over the MAC-based PE for each engine of the machine (the
 * kind's defaults when it has none), from the area model and the timing
 * model (te_cost.h): efficiency = MACs per cycle x fmax / area, with both
 * PEs finishing a k-step per cycle (R x C x D MACs) and fmax the inverse of
 * the PE's longest path into its flip-flops (the accumulation loop), so the
 * ratio is (area_mac x loop_mac) / (area_cmp x loop_cmp).  Beside it the
 * ratio at one clock (area alone) and the HPCA 2025 paper's (Wang et al., as
 * quoted in issue 16: 1.27x systolic, 1.28x 3D cube, 1.56x adder tree, 1.44x
 * 2D matrix). */
static int synth_ratios(const char *node, const char *hw_path)
{
    static const double paper[TE_KINDS] = {[TE_ADDERTREE] = 1.56, [TE_CUBE] = 1.28,
                                           [TE_MATRIX2D] = 1.44};
    tech_t tech;
    char err[512];
    hw_cfg_t hw;
    if (load_tech("synth", node, &tech) != 0)
        return 1;
    if (hw_path) {
        if (hw_load(hw_path, &hw, err, sizeof err) != 0) {
            fprintf(stderr, "codesim synth: %s\n", err);
            return 1;
        }
    } else {
        hw_defaults(&hw);
    }
    printf("codesim synth: area efficiency (MACs/cycle x fmax / area), compressed-accumulation PE "
           "over MAC-based PE;\narea model on %s, fmax from the timing model's longest path into "
           "the PE's flip-flops (unit gates)\n", tech.node);
    printf("%-10s %-9s %11s %11s %8s %8s %9s %9s %8s\n", "engine", "shape", "mac_um2", "cmp_um2",
           "mac_lvl", "cmp_lvl", "1clock_x", "model_x", "paper_x");
    te_levels_t lm, lo; /* the systolic row's, quoted below */
    {
        /* The systolic row: the machine's array as the paper's fixed-
         * dataflow OS array, MAC-based PE against its OPT1 PE. */
        systolic_cfg_t a = hw.array;
        a.dataflow = SYSTOLIC_OS;
        const double mac = power_grid_fixed_um2(&tech, &a, NULL);
        const double opt = power_grid_opt1_um2(&tech, &a, NULL);
        te_array_pe_levels(&a, 1, 0, &lm);
        te_array_pe_levels(&a, 1, 1, &lo);
        char shape[32];
        snprintf(shape, sizeof shape, "%ux%u os", a.rows, a.cols);
        printf("%-10s %-9s %11.1f %11.1f %8u %8u %9.3f %9.3f %8.2f\n", "systolic", shape, mac, opt,
               lm.loop, lo.loop, mac / opt, mac * lm.loop / (opt * lo.loop), 1.27);
    }
    {
        /* The array row: rtl/systolic.v's multi-dataflow PE grid, MAC-based
         * (power_grid_um2) against compressed (array.compressed,
         * power_grid_cmp_um2), at the machine's shape and widths. */
        systolic_cfg_t a = hw.array;
        a.os_drain = SYSTOLIC_DRAIN_SERIAL;
        te_levels_t am, lc;
        char shape[32];
        snprintf(shape, sizeof shape, "%ux%u", a.rows, a.cols);
        a.compressed = 0;
        const double mac = power_grid_um2(&tech, a.rows, a.cols, a.in_bits, a.w_bits, a.acc_bits,
                                          NULL);
        te_array_pe_levels(&a, 0, 0, &am);
        a.compressed = 1;
        const double cmp = power_grid_cmp_um2(&tech, &a, NULL);
        te_array_pe_levels(&a, 0, 0, &lc);
        printf("%-10s %-9s %11.1f %11.1f %8u %8u %9.3f %9.3f %8.2f\n", "array", shape, mac, cmp,
               am.loop, lc.loop, mac / cmp, mac * am.loop / (cmp * lc.loop), 1.27);
    }
    te_levels_t pcm, pco;   /* the papercube row's levels, for the notes */
    {
        /* The papercube row: the paper's own 3D cube (power_cube_paper_um2)
         * at the size and widths of its top.v (OPT1/cube/array_*_based:
         * N = 8, WIDTH = 8, ACC_WIDTH = 2 x 8 + 3), MAC-based against OPT1;
         * not a block of the machine, so --hw does not change it. */
        const double mac = power_cube_paper_um2(&tech, 8, 8, 19, 0, NULL);
        const double opt = power_cube_paper_um2(&tech, 8, 8, 19, 1, NULL);
        te_cube_paper_levels(8, 19, 0, &pcm);
        te_cube_paper_levels(8, 19, 1, &pco);
        printf("%-10s %-9s %11.1f %11.1f %8u %8u %9.3f %9.3f %8.2f\n", "papercube", "8x8x8", mac,
               opt, pcm.loop, pco.loop, mac / opt, mac * pcm.loop / (opt * pco.loop), 1.28);
    }
    for (int k = 0; k < TE_KINDS; k++) {
        te_cfg_t e = hw.te[k];
        char shape[32];
        te_levels_t em, lc;
        snprintf(shape, sizeof shape, "%ux%ux%u", e.rows, e.cols, e.depth);
        e.compressed = 0;
        const double mac = te_grid_um2(&tech, &e, NULL);
        te_pe_levels(&e, &em);
        e.compressed = 1;
        const double cmp = te_grid_um2(&tech, &e, NULL);
        te_pe_levels(&e, &lc);
        printf("%-10s %-9s %11.1f %11.1f %8u %8u %9.3f %9.3f %8.2f\n",
               te_kind_name((te_kind_t)k), shape, mac, cmp, em.loop, lc.loop, mac / cmp,
               mac * em.loop / (cmp * lc.loop), paper[k]);
    }
    printf("what is still different:\n"
           "- the paper's ratios come from Design Compiler on SAED32 at each design's best\n"
           "  clock, with sized cells and real gate delays; here fmax is 1 / (unit gate\n"
           "  levels) of yosys' generic gates, with no flip-flop overhead, wires or sizing,\n"
           "  and the area does not grow as timing tightens (it does under Design Compiler).\n"
           "  The paper repository's own Design Compiler reports (area at the shortest\n"
           "  clock period that met timing, MAC over OPT1) give 1.45x for the OS PE\n"
           "  (1449 um^2 at 1.667 ns, 1499 at 1.11), 2.18x for the 16x16 OS array\n"
           "  (376683 at 6.5, 362483 at 3.1) and 1.49x for the 8x8x8 cube (498012 at 6.3,\n"
           "  524725 at 4.0).\n"
           "- codesim's compressed PE keeps each multiplier's own carry-propagate add and\n"
           "  adds a 3:2 row; the paper's OPT1 PE feeds Booth partial products straight\n"
           "  into a 6:2 carry-save tree (no carry-propagate add anywhere in the loop),\n"
           "  which is both shorter and smaller than a multiplier plus a 3:2 row.\n"
           "- the final carry-propagate add s + c is at the write, off the loop (assumed\n"
           "  pipelined; its %u levels would otherwise set the clock).\n"
           "- systolic: the paper's OPT1 PE (Booth rows into a carry-save tree, no\n"
           "  carry-propagate add; power_grid_opt1_um2); rtl/systolic.v has no such PE.\n"
           "  Its levels follow the paper's Verilog: the Booth generator negates the\n"
           "  multiplicand in full through a serial OR chain before its selects\n"
           "  (%u levels at in_bits %u, where a textbook row leaving the +1 to the tree\n"
           "  is 5), 3 per layer of 3:2 rows, and the clear; at 8-bit operands\n"
           "  10 + 9 + 1 = 20, what yosys measures on the paper's 4x4 and 8x8 OS arrays\n"
           "  (make paper-synth PAPER_DIR=... prints the synthesized ratios; the paper's\n"
           "  Verilog is 8-bit only).  The timing term: in unit gates the MAC PE's loop\n"
           "  (multiplier and ripple adders) is %.1fx OPT1's (%u / %u levels), where the\n"
           "  Design Compiler clocks above (real cell delays, timing-driven synthesis)\n"
           "  differ 1.5x for the PE and 2.1x for the 16x16 array.\n"
           "- systolic and array differ in structure, so the rows are not one\n"
           "  comparison twice: OPT1 is an OS-only fixed-dataflow PE with no\n"
           "  multiplier (Booth rows straight into a 6:2 tree) whose sum and carry words\n"
           "  leave the array unresolved (2 x acc_bits result bits per PE, no s + c adder\n"
           "  in the design or its price); array.compressed (rtl/systolic.v CMP) keeps a\n"
           "  full multiplier with its own carry-propagate add, adds a 3:2 row, runs\n"
           "  OS, WS and IS with their selects, and pays one s + c adder per column.\n"
           "- array: rtl/systolic.v's PE with array.compressed: its sum and carry words\n"
           "  both move down the column (the OS drain, the WS/IS partial-sum chain), and\n"
           "  the carry-propagate add leaves the PE for one per column at the bottom edge.\n"
           "- papercube: the paper's own cube (N^3 single-multiply PEs, partial sums\n"
           "  chained along one axis, OPT1's as sum and carry; --compare cube+mac /\n"
           "  cube+opt1) differs from 1.28x two ways that pull apart: its levels (%u\n"
           "  against %u, within 10%% of yosys' on the paper's Verilog) carry no flip-\n"
           "  flop overhead, which favours OPT1's short loop (the repository's Design\n"
           "  Compiler clocks differ 6.44 / 3.89 ns = 1.66x); at one clock the model is\n"
           "  below synthesis (yosys 0.95x at N = 2, 0.87x at 8; Design Compiler 0.94x\n"
           "  at 8): it prices OPT1's two clear gates a bit as mux bits, the MAC's reset\n"
           "  flip-flops as plain ones.  yosys' own areas and levels give 1.74x at N = 8.\n",
           te_add_levels(hw.te[0].acc_bits), te_booth_neg_levels(hw.array.in_bits),
           hw.array.in_bits,
           (double)lm.loop / lo.loop, lm.loop, lo.loop, pcm.loop, pco.loop);
    hw_free(&hw);
    return 0;
}

int cmd_synth(int argc, char **argv)
{
    const char *sizes_s = "1,2,4,8,16", *node = "45nm", *out = "build/area";
    const char *db_path = "results.db";
    uint64_t bits = 8, acc = 32;
    double tol = 0.15;
    static const struct option opts[] = {
        {"sizes", required_argument, 0, 's'}, {"bits", required_argument, 0, 'b'},
        {"acc-bits", required_argument, 0, 'a'}, {"tech", required_argument, 0, 't'},
        {"out", required_argument, 0, 'o'}, {"tolerance", required_argument, 0, 'T'},
        {"db", required_argument, 0, 'd'},  {"help", no_argument, 0, 'H'},
        {"top", required_argument, 0, 'P'},  {"verilog", required_argument, 0, 'V'},
        {"param", required_argument, 0, 'G'}, {"sv", no_argument, 0, 'S'},
        {"compare", required_argument, 0, 'C'}, {"hw", required_argument, 0, 'W'},
        {"ratios", no_argument, 0, 'R'},     {0, 0, 0, 0}};
    int ratios = 0;
    synth_top_t st = {0};
    int tol_given = 0, sizes_given = 0;
    int c;
    optind = 1;
    while ((c = cli_getopt("synth", argc, argv, opts, NULL)) != -1) {
        switch (c) {
        case 's': sizes_s = optarg; sizes_given = 1; break;
        case 'b': if (cli_uint("synth", "bits", optarg, 1, 16, &bits)) return 2; break;
        case 'a': if (cli_uint("synth", "acc-bits", optarg, 2, 32, &acc)) return 2; break;
        case 't': node = optarg; break;
        case 'o': out = optarg; break;
        case 'd': db_path = optarg; break;
        case 'T': {
            char *end;
            tol = strtod(optarg, &end);
            if (end == optarg || *end || !(tol > 0 && tol < 1)) {
                cli_err("codesim synth: --tolerance: '%s' is not in (0, 1)\n", optarg);
                return 2;
            }
            break;
        }
        case 'P': st.top = optarg; break;
        case 'V':
            if (st.nfiles == SYNTH_MAX_FILES) {
                fprintf(stderr, "codesim synth: --verilog: at most %d files\n", SYNTH_MAX_FILES);
                return 2;
            }
            st.files[st.nfiles++] = optarg;
            break;
        case 'G': if (add_param(&st, optarg) != 0) return 2; break;
        case 'S': st.sv = 1; break;
        case 'C': st.compare = optarg; break;
        case 'W': st.hw_path = optarg; break;
        case 'R': ratios = 1; break;
        case 'H': fputs(synth_usage, stdout); return 0;
        default: return 2;
        }
        tol_given |= c == 'T';
    }
    if (optind < argc) {
        cli_err("codesim synth: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (ratios)
        return synth_ratios(node, st.hw_path);
    if ((st.top || st.nfiles || st.compare) && sizes_given) {
        cli_err("codesim synth: --sizes sizes the built-in grid; it does not apply with "
                "--top/--verilog/--compare\n");
        return 2;
    }
    if (st.top || st.nfiles || st.compare)
        return synth_top(&st, node, out, tol_given ? tol : 0.10);
    /* Every file synth writes is DIR/NAME with NAME at most 32 bytes
     * (grid_64_b16_acc32.log, synth.csv.tmp): a longer --out is refused
     * here, before anything is made, rather than cut short in a buffer. */
    if (strlen(out) + 32 >= PATH_MAX) {
        cli_err("codesim synth: --out: path too long (%zu bytes; at most %d)\n",
                strlen(out), PATH_MAX - 33);
        return 2;
    }
    uint32_t sizes[16];
    size_t ns;
    if (parse_sizes(sizes_s, sizes, &ns) != 0)
        return 2;
    tech_t tech;
    if (load_tech("synth", node, &tech) != 0)
        return 1;
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        cli_err("codesim synth: %s: %s\n", out, strerror(errno));
        return 1;
    }
    char err[PATH_MAX + 200];
    /* Open the database before synthesizing: a bad database fails fast. */
    db_t *db = NULL;
    if (cli_db_open("synth", db_path, &db, err, sizeof err) != 0) {
        cli_err("codesim synth: %s\n", err);
        return 1;
    }
    synth_row_t rows[16];
    for (size_t i = 0; i < ns; i++) {
        synth_row_t *r = &rows[i];
        char name[32], log[PATH_MAX];
        snprintf(name, sizeof name, "grid_%u_b%u_acc%u.log", sizes[i], (unsigned)bits,
                 (unsigned)acc);
        join_path(log, out, name); /* fits: checked above */
        const double t0 = util_now_s();
        r->n = sizes[i];
        if (run_yosys(log, sizes[i], (uint32_t)bits, (uint32_t)acc, err, sizeof err) != 0 ||
            read_stat(log, r, err, sizeof err) != 0) {
            cli_err("codesim synth: %s\n", err);
            db_close(db);
            return 1;
        }
        r->seconds = util_now_s() - t0;
        r->model_um2 = power_grid_um2(&tech, sizes[i], sizes[i], (uint32_t)bits, (uint32_t)bits,
                                      (uint32_t)acc, NULL);
        cli_err("synth: %ux%u grid: %" PRIu64 " cells in %.1f s\n", sizes[i], sizes[i],
                r->cells, r->seconds);
    }

    /* Write the CSV beside, then rename: an interrupted run keeps the old one. */
    char csv[PATH_MAX], tmp[PATH_MAX];
    join_path(csv, out, "synth.csv"); /* fits: checked above */
    join_path(tmp, out, "synth.csv.tmp");
    FILE *f = fopen(tmp, "w");
    if (!f) {
        cli_err("codesim synth: %s: %s\n", tmp, strerror(errno));
        db_close(db);
        return 1;
    }
    db_synth_size_t rec[16];
    /* synth.csv columns: grid size, widths, yosys cell and flip-flop counts,
     * synthesized area (NanGate 45 nm cell areas, um^2), model area on the
     * chosen node (um^2), both as ratios to the smallest size, and
     * model_ratio / synth_ratio - 1. */
    fprintf(f, "rows,cols,bits,acc_bits,cells,dffs,synth_um2,model_um2,tech,synth_ratio,"
               "model_ratio,deviation,yosys_seconds\n");
    printf("codesim synth: PE grid of rtl/systolic.v, %u-bit operands, %u-bit accumulator, model "
           "on %s\n",
           (unsigned)bits, (unsigned)acc, tech.node);
    printf("%-7s %9s %7s %14s %14s %11s %11s %9s\n", "grid", "cells", "dffs", "synth_um2",
           "model_um2", "synth_x", "model_x", "dev%");
    int bad = 0;
    for (size_t i = 0; i < ns; i++) {
        const synth_row_t *r = &rows[i];
        const double sr = r->synth_um2 / rows[0].synth_um2, mr = r->model_um2 / rows[0].model_um2;
        const double dev = mr / sr - 1.0;
        bad += fabs(dev) > tol;
        rec[i] = (db_synth_size_t){r->n, r->n, r->cells, r->dffs, r->synth_um2, r->model_um2,
                                   sr, mr, dev, r->seconds};
        fprintf(f, "%u,%u,%u,%u,%" PRIu64 ",%" PRIu64 ",%.3f,%.3f,%s,%.6f,%.6f,%.6f,%.2f\n", r->n,
                r->n, (unsigned)bits, (unsigned)acc, r->cells, r->dffs, r->synth_um2,
                r->model_um2, tech.node, sr, mr, dev, r->seconds);
        char grid[16];
        snprintf(grid, sizeof grid, "%ux%u", r->n, r->n);
        printf("%-7s %9" PRIu64 " %7" PRIu64 " %14.1f %14.1f %11.4f %11.4f %+9.2f\n", grid,
               r->cells, r->dffs, r->synth_um2, r->model_um2, sr, mr, 100.0 * dev);
    }
    if (fclose(f) != 0 || rename(tmp, csv) != 0) {
        cli_err("codesim synth: %s: %s\n", csv, strerror(errno));
        unlink(tmp);
        db_close(db);
        return 1;
    }
    const db_synth_t chk = {"systolic_grid", tech.node, (uint32_t)bits, (uint32_t)acc, tol,
                            (uint64_t)bad};
    int64_t id;
    const int stored = db_record_synth(db, &chk, rec, ns, &id, err, sizeof err);
    db_close(db);
    if (stored != 0) {
        cli_err("codesim synth: %s: %s\n", db_path, err);
        return 1;
    }
    printf("synth: %zu sizes, %d ratios outside %.0f%%, written to %s and stored as check %lld "
           "in %s\n",
           ns, bad, 100.0 * tol, csv, (long long)id, db_path);
    return bad ? 1 : 0;
}

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
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'h': hw_path = optarg; break;
        case 't': node = optarg; break;
        case 'w': wl_path = optarg; break;
        case 'H': fputs(area_usage, stdout); return 0;
        default: fputs(area_usage, stderr); return 2;
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
    "                     [--out DIR] [--tolerance T]\n"
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
    "EXAMPLES\n"
    "  codesim synth --sizes 1,2,4 --out build/area\n"
    "  codesim synth --sizes 1,2,4,8,16 --bits 8 --acc-bits 32 --tolerance 0.15\n";

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
    {"$_DFF_P_", 4.522} /* DFF_X1 */
};

typedef struct {
    uint32_t n;
    uint64_t cells, dffs;
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
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "Printing statistics.")) {
            r->cells = r->dffs = 0;
            r->synth_um2 = 0;
            found = 0;
            unknown[0] = 0;
            continue;
        }
        char cell[64];
        unsigned long long cnt;
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
        if (!strcmp(cell, "$_DFF_P_"))
            r->dffs += cnt;
        r->synth_um2 += (double)cnt * cell_area[i].um2;
    }
    fclose(f);
    if (!found) {
        snprintf(err, errlen, "%s: no cells in yosys statistics", path);
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
        if (n == 16 || cli_uint("synth", "--sizes", tok, 1, 64, &v) != 0)
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
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': sizes_s = optarg; break;
        case 'b': if (cli_uint("synth", "--bits", optarg, 1, 16, &bits)) return 2; break;
        case 'a': if (cli_uint("synth", "--acc-bits", optarg, 2, 32, &acc)) return 2; break;
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
        case 'H': fputs(synth_usage, stdout); return 0;
        default: fputs(synth_usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        cli_err("codesim synth: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
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

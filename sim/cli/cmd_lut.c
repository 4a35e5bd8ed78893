/* cmd_lut.c - the LUT tensor core's commands:
 *   rtlcheck_lut    `codesim rtlcheck --block lut ...`: parses the unit's flags
 *                   and runs the rtlcheck driver (sim/harness/rtlcheck.c) with
 *                   the unit's glue (sim/harness/lut_rtl.c)
 *   cmd_lutcompare  `codesim lutcompare`: one low-bit workload on the LUT
 *                   unit, a dequantize-then-MAC systolic baseline and a plain
 *                   int8 systolic array, side by side
 *   bench_lut       simulated cycles per second of the three LUT paths */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/power.h"
#include "../../models/tech.h"
#include "cli.h"
#include "../io/config.h"
#include "../db/db.h"
#include "../../models/engine.h"
#include "../harness/lut_rtl.h"
#include "../io/workload.h"
#include "../cost/tech_file.h"

int rtlcheck_lut(int argc, char **argv);
/* The unit for one layer: a workload row's own w_bits and wq (as codesim run
 * takes them, models/block.c) over the --w-bits/--wq options. */
static lut_cfg_t layer_cfg(const lut_cfg_t *cfg, const layer_t *l, int zp_set)
{
    lut_cfg_t c = *cfg;
    if (l->w_bits) {
        c.w_bits = l->w_bits;
        c.wq = l->wq;
        if (!zp_set)
            c.zp = 1u << (l->w_bits - 1);
    }
    return c;
}

int cmd_lutcompare(int argc, char **argv);
int bench_lut(void);

/* Weight widths accepted on the command line: 1..4 or "ternary". */
static int parse_wbits(const char *cmd, const char *s, lut_cfg_t *cfg, int *ternary)
{
    if (strcmp(s, "ternary") == 0) {
        *ternary = 1;
        cfg->wq = LUT_WQ_TERNARY;
        cfg->w_bits = 2;
        return 0;
    }
    uint64_t v;
    if (cli_uint(cmd, "w-bits", s, 1, LUT_MAX_PLANES, &v) != 0)
        return -1;
    *ternary = 0;
    cfg->w_bits = (uint32_t)v;
    if (cfg->wq == LUT_WQ_TERNARY)
        cfg->wq = LUT_WQ_ZP;
    return 0;
}

/* Shared LUT-unit options; returns 1 when c was one of them (bad set on error). */
enum {
    O_TM = 1000, O_TN, O_TK, O_G, O_WB, O_WQ, O_ZP, O_SYMT, O_AB, O_FUSED, O_TABLE, O_BW,
    O_SCALE, O_OBUF, O_WBUF
};
#define LUT_LONGOPTS                                                                   \
    {"tile-m", required_argument, 0, O_TM}, {"tile-n", required_argument, 0, O_TN},    \
    {"tile-k", required_argument, 0, O_TK}, {"g", required_argument, 0, O_G},          \
    {"w-bits", required_argument, 0, O_WB}, {"wq", required_argument, 0, O_WQ},        \
    {"zp", required_argument, 0, O_ZP}, {"sym-table", required_argument, 0, O_SYMT},   \
    {"a-bits", required_argument, 0, O_AB}, {"in-bits", required_argument, 0, O_AB},   \
    {"fused", required_argument, 0, O_FUSED},                                          \
    {"table-entries", required_argument, 0, O_TABLE},                                  \
    {"bytes-per-cycle", required_argument, 0, O_BW},                                   \
    {"scale-group", required_argument, 0, O_SCALE},                                    \
    {"out-buf-kib", required_argument, 0, O_OBUF},                                     \
    {"w-buf-kib", required_argument, 0, O_WBUF}

static int lut_option(const char *cmd, int c, const char *arg, lut_cfg_t *cfg, int *ternary,
                      int *wq_mixed, int *table_set, int *bad)
{
    uint64_t v = 0;
    switch (c) {
    case O_TM: *bad |= cli_uint(cmd, "tile-m", arg, 1, LUT_MAX_TM, &v) != 0; cfg->tm = (uint32_t)v; return 1;
    case O_TN: *bad |= cli_uint(cmd, "tile-n", arg, 1, LUT_MAX_TN, &v) != 0; cfg->tn = (uint32_t)v; return 1;
    case O_TK: *bad |= cli_uint(cmd, "tile-k", arg, 1, LUT_MAX_TK, &v) != 0; cfg->tk = (uint32_t)v; return 1;
    case O_G: *bad |= cli_uint(cmd, "g", arg, 1, LUT_MAX_G, &v) != 0; cfg->g = (uint32_t)v; return 1;
    case O_AB: *bad |= cli_uint(cmd, "a-bits", arg, 2, LUT_MAX_A_BITS, &v) != 0; cfg->a_bits = (uint32_t)v; return 1;
    case O_ZP: *bad |= cli_uint(cmd, "zp", arg, 0, 15, &v) != 0; cfg->zp = (uint32_t)v; return 1;
    case O_SYMT: *bad |= cli_uint(cmd, "sym-table", arg, 0, 1, &v) != 0; cfg->sym_table = (int)v; return 1;
    case O_FUSED: *bad |= cli_uint(cmd, "fused", arg, 0, 1, &v) != 0; cfg->fused = (int)v; return 1;
    case O_TABLE:
        *bad |= cli_uint(cmd, "table-entries", arg, 1, UINT32_MAX, &v) != 0;
        cfg->table_entries = (uint32_t)v;
        *table_set = 1;
        return 1;
    case O_BW:
        *bad |= cli_uint(cmd, "bytes-per-cycle", arg, 1, DMA_MAX_BYTES_PER_CYCLE, &v) != 0;
        cfg->dma.bytes_per_cycle = (uint32_t)v;
        return 1;
    case O_SCALE: *bad |= cli_uint(cmd, "scale-group", arg, 0, 1u << 24, &v) != 0; cfg->scale_group = (uint32_t)v; return 1;
    case O_OBUF:
        *bad |= cli_uint(cmd, "out-buf-kib", arg, 1, 1u << 24, &v) != 0;
        cfg->out_buf_bytes = v * 1024;
        return 1;
    case O_WBUF:
        *bad |= cli_uint(cmd, "w-buf-kib", arg, 1, 1u << 24, &v) != 0;
        cfg->w_buf_bytes = v * 1024;
        return 1;
    case O_WB:
        *bad |= parse_wbits(cmd, arg, cfg, ternary) != 0;
        return 1;
    case O_WQ:
        if (wq_mixed && strcmp(arg, "mixed") == 0) {
            *wq_mixed = 1;
        } else if (lut_wq_parse(arg, &cfg->wq) != 0 || cfg->wq == LUT_WQ_TERNARY) {
            cli_err("codesim %s: --wq: '%s' is not sym or zp%s (ternary: --w-bits ternary)\n",
                    cmd, arg, wq_mixed ? " or mixed" : "");
            *bad = 1;
        } else if (wq_mixed) {
            *wq_mixed = 0;
        }
        return 1;
    default:
        return 0;
    }
}

/* Table buffer sized to the tile unless given. */
static void size_table(lut_cfg_t *cfg, int table_set)
{
    if (!table_set && cfg->g >= 1 && cfg->g <= LUT_MAX_G && cfg->tk >= cfg->g)
        cfg->table_entries = cfg->tm * (cfg->tk / cfg->g) * lut_entries(cfg);
}

static void cfg_params(const lut_cfg_t *cfg, int ternary, int mixed, char *out, size_t n)
{
    char wb[16];
    snprintf(wb, sizeof wb, "%u", cfg->w_bits);
    snprintf(out, n, "tm=%u tn=%u tk=%u g=%u wbits=%s wq=%s sym_table=%d a_bits=%u", cfg->tm,
             cfg->tn, cfg->tk, cfg->g, ternary ? "ternary" : wb,
             ternary ? "ternary" : mixed ? "mixed" : lut_wq_name(cfg->wq), cfg->sym_table,
             cfg->a_bits);
}

static const char rtlcheck_lut_usage[] =
    "usage: codesim rtlcheck --block lut [--tile-m TM --tile-n TN --tile-k TK] [--g G]\n"
    "                        [--w-bits 1|2|3|4|ternary] [--wq sym|zp|mixed] [--sym-table 0|1]\n"
    "                        [--a-bits B] [--m M --n N --k K] [--trials T] [--seed S] [--db FILE]\n"
    "\n"
    "Runs T random low-bit GEMMs on the LUT unit's C model and on its Verilated RTL\n"
    "(built on first use per shape into build/lut/) and compares output values (also\n"
    "against a plain integer GEMM on the dequantized weights), cycle counts and\n"
    "every cycle's memory-port activity.  Defaults: a 3 x 5 x 8 tile, g = 4, W2,\n"
    "--wq mixed (each case picks sym or zp with a random zero point), symmetrized\n"
    "tables, int8 activations.  Dimensions left out are drawn per case: 1, the tile,\n"
    "twice the tile, tile + 1, odd sizes and far larger.  The last line is\n"
    "  rtlcheck: <cases> cases, <c> cycle mismatches, <v> value mismatches\n"
    "and the exit status is non-zero on any mismatch.\n"
    "\n"
    "EXAMPLES\n"
    "  codesim rtlcheck --block lut --trials 50\n"
    "  codesim rtlcheck --block lut --w-bits 2 --wq sym --m 4 --n 16 --k 64\n";

int rtlcheck_lut(int argc, char **argv)
{
    const char *db_path = "results.db";
    lut_cfg_t cfg;
    lut_defaults(&cfg);
    cfg.tm = 3, cfg.tn = 5, cfg.tk = 8;
    int ternary = 0, mixed = 1, table_set = 0, bad = 0;
    uint64_t m = 0, n = 0, k = 0, trials = 100, seed = 1;
    static const struct option opts[] = {
        {"block", required_argument, 0, 'b'}, {"m", required_argument, 0, 'M'},
        {"n", required_argument, 0, 'N'},     {"k", required_argument, 0, 'K'},
        {"trials", required_argument, 0, 't'}, {"seed", required_argument, 0, 's'},
        {"db", required_argument, 0, 'd'},    {"help", no_argument, 0, 'H'},
        LUT_LONGOPTS,                         {0, 0, 0, 0}};
    int c, zp_set = 0;
    optind = 1;
    while (!bad && (c = cli_getopt("rtlcheck --block lut", argc, argv, opts, NULL)) != -1) {
        zp_set |= c == O_ZP;
        if (lut_option("rtlcheck", c, optarg, &cfg, &ternary, &mixed, &table_set, &bad))
            continue;
        switch (c) {
        case 'b':
            if (strcmp(optarg, "lut") != 0) {
                cli_err("codesim rtlcheck: --block: '%s' is not lut\n", optarg);
                bad = 1;
            }
            break;
        case 'd': db_path = optarg; break;
        case 'M': bad |= cli_uint("rtlcheck", "m", optarg, 1, CLI_RTLCHECK_MAX_DIM, &m) != 0; break;
        case 'N': bad |= cli_uint("rtlcheck", "n", optarg, 1, CLI_RTLCHECK_MAX_DIM, &n) != 0; break;
        case 'K': bad |= cli_uint("rtlcheck", "k", optarg, 1, CLI_RTLCHECK_MAX_DIM, &k) != 0; break;
        case 't': bad |= cli_uint("rtlcheck", "trials", optarg, 1, 1000000, &trials) != 0; break;
        case 's': bad |= cli_uint("rtlcheck", "seed", optarg, 0, UINT64_MAX, &seed) != 0; break;
        case 'H': fputs(rtlcheck_lut_usage, stdout); return 0;
        default: return 2;
        }
    }
    if (bad || cli_rtlcheck_work(m, n, k, trials) != 0)
        return 2;
    if (optind < argc) {
        cli_err("codesim rtlcheck: '%s': unexpected argument\n", argv[optind]);
        return 2;
    }
    if (ternary) {
        mixed = 0;
        cfg.wq = LUT_WQ_TERNARY;        /* whatever --wq said */
        cfg.w_bits = 2;
    }
    if (!zp_set)
        cfg.zp = 1u << (cfg.w_bits - 1);
    size_table(&cfg, table_set);
    if (cfg.fused) {
        cli_err("codesim rtlcheck: --fused: the RTL implements in-unit precompute only\n");
        return 2;
    }
    cfg.act_buf_bytes = cfg.w_buf_bytes = cfg.out_buf_bytes = 1ull << 30;
    char err[512];
    if (lut_cfg_check(&cfg, err, sizeof err) != 0) {
        cli_flag_err("rtlcheck", err); /* "tile_k: ..." as --tile-k, the flag that set it */
        return 2;
    }
    const lut_rtlcheck_cfg_t chk_cfg = {cfg, ternary, mixed, m, n, k, NULL};
    char params[256], title[96];
    cfg_params(&cfg, ternary, mixed, params, sizeof params);
    snprintf(title, sizeof title, "lut %ux%ux%u g=%u, memory-port activity", cfg.tm, cfg.tn,
             cfg.tk, cfg.g);
    const rtlcheck_t chk = {&lut_rtlcheck, &chk_cfg, NULL, params, title, trials, seed, db_path};
    return rtlcheck_run(&chk, stdout, stderr);
}

/* ---- lutcompare -------------------------------------------------------------- */

static const char lutcompare_usage[] =
    "usage: codesim lutcompare [--m M --n N --k K | --workload FILE] [--w-bits 1|2|3|4|ternary]\n"
    "                          [--hw FILE] [LUT options]\n"
    "\n"
    "Runs each GEMM O[M][N] = A[M][K] x W[K][N] (default M=1 N=4096 K=4096, a decode\n"
    "GEMV, W2) on three machines and prints cycles\n"
    "and event counts side by side (fast path):\n"
    "  lut      the LUT tensor core (models/lut_tc.h): the --hw machine's lut: section\n"
    "           when it has one, else lut_defaults(), changed by the LUT options; a\n"
    "           workload row's w_bits and wq override --w-bits and --wq, as in run\n"
    "  dq+mac   dequantize-then-MAC: the systolic array of --hw (default 32 x 32 os)\n"
    "           on int8 weights, plus one dequantize op per weight element filled\n"
    "  int8     the same systolic array on plain int8 weights\n"
    "LUT options: --tile-m --tile-n --tile-k (default 8 x 128 x 64), --g (4),\n"
    "  --sym-table 0|1 (1), --fused 0|1 (0), --a-bits (8), --wq sym|zp (zp), --zp,\n"
    "  --table-entries (1024), --scale-group, --out-buf-kib (256), --w-buf-kib (512),\n"
    "  --bytes-per-cycle (default: the --hw DRAM's).\n"
    "  --tech NODE   45nm (default), 28nm, 7nm or a technology YAML (reports/tech/)\n"
    "Columns area_mm2 (the machine with its buffers) and energy_pj (the layer, DRAM\n"
    "included) come from models/power.h; each machine's 'power' line gives TOPS,\n"
    "TOPS/W and TOPS/mm^2, whole and for the datapath alone (core: no buffers, no\n"
    "DRAM), and its three largest energy components.  The closing 'power' table\n"
    "sums the workload, with the ratios of lut to both baselines and why.  Time is\n"
    "at the machine's clock (npu.freq_mhz).  This compares one unit with another;\n"
    "codesim run prices the whole machine.\n"
    "\n"
    "EXAMPLES\n"
    "  codesim lutcompare\n"
    "  codesim lutcompare --m 1 --n 4096 --k 4096 --w-bits ternary --hw configs/lut.yaml\n"
    "  codesim lutcompare --workload traces/lowbit.csv\n";

/* One machine's area and energy over the whole run.  "core" is the compute
 * datapath alone: everything but the SRAM buffers and DRAM. */
typedef struct {
    const char *name;
    power_breakdown_t area, energy;
    uint64_t cycles, macs;
    uint64_t lookups;          /* LUT unit only: table reads */
    uint64_t dram_bytes;       /* read + written, as priced */
} machine_t;

static int is_memory(const char *component)
{
    return strncmp(component, "sram.", 5) == 0 || strcmp(component, "dram") == 0;
}

static double core_of(const power_breakdown_t *b)
{
    double v = 0;
    for (size_t i = 0; i < b->n; i++)
        v += is_memory(b->item[i].name) ? 0 : b->item[i].value;
    return v;
}

typedef struct {
    power_metrics_t all;       /* whole machine: buffers and DRAM included */
    double core_tops_per_w;    /* compute datapath energy only */
    double core_tops_per_mm2;  /* compute datapath area only */
} figures_t;

static void figures(const tech_t *t, const machine_t *m, figures_t *f)
{
    power_metrics(t, m->macs, m->cycles, 0, m->energy.total, m->area.total, &f->all);
    const double ce = core_of(&m->energy), ca = core_of(&m->area) * 1e-6;
    f->core_tops_per_w = ce > 0 ? 2.0 * (double)m->macs / ce : 0;
    f->core_tops_per_mm2 = ca > 0 ? f->all.tops / ca : 0;
}

/* "name 41% name 20% name 12%": the three largest energy components. */
static void top_components(const power_breakdown_t *b, char *out, size_t n)
{
    int used[POWER_MAX_ITEMS] = {0};
    size_t len = 0;
    out[0] = 0;
    for (int k = 0; k < 3; k++) {
        size_t best = b->n;
        for (size_t i = 0; i < b->n; i++)
            if (!used[i] && (best == b->n || b->item[i].value > b->item[best].value))
                best = i;
        if (best == b->n || b->total <= 0)
            break;
        used[best] = 1;
        len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s %.0f%%", k ? " " : "",
                                b->item[best].name, 100.0 * b->item[best].value / b->total);
    }
}

static void print_power(const char *unit, const tech_t *t, const power_breakdown_t *area,
                        const power_breakdown_t *energy, uint64_t macs, uint64_t cycles)
{
    machine_t m;
    m.name = unit;
    m.area = *area;
    m.energy = *energy;
    m.cycles = cycles;
    m.macs = macs;
    figures_t f;
    figures(t, &m, &f);
    char top[160];
    top_components(energy, top, sizeof top);
    printf("    %s power: %.3f TOPS, %.3f TOPS/W (core %.3f), %.4f TOPS/mm^2 (core %.4f on "
           "%.4f mm^2); energy %s\n",
           unit, f.all.tops, f.all.tops_per_w, f.core_tops_per_w, f.all.tops_per_mm2,
           f.core_tops_per_mm2, core_of(area) * 1e-6, top);
}

static void print_lut_row(const char *layer, const lut_stats_t *s, double area_um2,
                          double energy_pj)
{
    printf("%-14s %-7s %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12" PRIu64
           " %8.3f %9.3e\n",
           layer, "lut", s->total_cycles, s->compute_cycles, s->stall_cycles, s->dram_read_bytes,
           s->dram_write_bytes, area_um2 * 1e-6, energy_pj);
    printf("    lut events: act_reads=%" PRIu64 " weight_reads=%" PRIu64 " table_writes=%" PRIu64
           " table_reads=%" PRIu64 " precompute_adds=%" PRIu64 " fused_precompute_adds=%" PRIu64
           " rowsum_adds=%" PRIu64 " sign_ops=%" PRIu64 " shifts=%" PRIu64 " acc_adds=%" PRIu64
           " bank_writes=%" PRIu64 " zp_muls=%" PRIu64 " zp_adds=%" PRIu64
           " out_writes=%" PRIu64 " out_acc_reads=%" PRIu64 " scale_muls=%" PRIu64 "\n",
           s->act_reads, s->weight_reads, s->table_writes, s->table_reads, s->precompute_adds,
           s->fused_precompute_adds, s->rowsum_adds, s->sign_ops, s->shifts, s->acc_adds,
           s->bank_writes, s->zp_muls, s->zp_adds, s->out_writes, s->out_acc_reads,
           s->scale_muls);
    printf("    lut cycles: precompute=%" PRIu64 " lookup=%" PRIu64 " move=%" PRIu64
           " move_wait=%" PRIu64 " finish=%" PRIu64 " drain(overlapped)=%" PRIu64
           " scale=%" PRIu64 " steps=%" PRIu64 "\n",
           s->precompute_cycles, s->lookup_cycles, s->move_cycles, s->move_wait_cycles,
           s->finish_cycles, s->drain_cycles, s->scale_cycles, s->steps);
}

/* A systolic machine's row; dram_rd is what it reads from DRAM (dq+mac:
 * the weights at P bits, power_dqmac_dram_read_bytes, the bytes its energy
 * is priced on, though its cycles are the int8 run's). */
static void print_sys_row(const char *layer, const char *unit, const layer_stats_t *s,
                          uint64_t dram_rd, const lut_dequant_cost_t *dq, double area_um2,
                          double energy_pj)
{
    printf("%-14s %-7s %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12" PRIu64
           " %8.3f %9.3e\n",
           layer, unit, s->total_cycles, s->compute_cycles, s->stall_cycles, dram_rd,
           s->dram_write_bytes, area_um2 * 1e-6, energy_pj);
    printf("    %s events: macs=%" PRIu64 " ifmap_reads=%" PRIu64 " filter_reads=%" PRIu64
           " ofmap_reads=%" PRIu64 " ofmap_writes=%" PRIu64 " filter_fills=%" PRIu64,
           unit, s->macs, s->ifmap_reads, s->filter_reads, s->ofmap_reads, s->ofmap_writes,
           s->filter_writes);
    if (dq)
        printf(" dequant_ops=%" PRIu64 " weight_dram_bytes_lowbit=%" PRIu64, dq->dequant_ops,
               dq->weight_dram_bytes_lowbit);
    printf("\n");
}

/* The closing paragraph: the run's ratios, and why they are what they are.
 * m[0] is the LUT unit, m[1] dequantize-then-MAC, m[2] int8. */
static void print_why(const tech_t *t, const lut_cfg_t *cfg, uint32_t sys_rows,
                      const machine_t m[3])
{
    figures_t f[3];
    for (int i = 0; i < 3; i++)
        figures(t, &m[i], &f[i]);
    printf("power (%s, %g MHz; core = datapath without buffers and DRAM):\n", t->node,
           t->clock_mhz);
    for (int i = 0; i < 3; i++)
        printf("  %-7s %9.3f TOPS/W (core %8.3f)  %8.4f TOPS/mm^2 (core %8.4f)  %10.3e pJ  "
               "%7.3f mm^2\n",
               m[i].name, f[i].all.tops_per_w, f[i].core_tops_per_w, f[i].all.tops_per_mm2,
               f[i].core_tops_per_mm2, m[i].energy.total, m[i].area.total * 1e-6);
    for (int i = 1; i < 3; i++)
        printf("  lut / %-7s TOPS/W %.2fx (core %.2fx), TOPS/mm^2 %.2fx (core %.2fx)\n",
               m[i].name, f[0].all.tops_per_w / f[i].all.tops_per_w,
               f[0].core_tops_per_w / f[i].core_tops_per_w,
               f[0].all.tops_per_mm2 / f[i].all.tops_per_mm2,
               f[0].core_tops_per_mm2 / f[i].core_tops_per_mm2);
    /* Per lookup (one table read, sign, shift and 32-bit accumulate, standing
     * for g/P multiply-adds) against one int8 MAC of the array. */
    const double look = (double)m[0].lookups;
    const double lut_pj = look > 0 ? core_of(&m[0].energy) / look : 0;
    const double acc_pj = look > 0 ? power_get(&m[0].energy, "lut.acc") / look : 0;
    const double mac_pj = core_of(&m[2].energy) / (double)m[2].macs;
    const double mem0 = 1 - core_of(&m[0].energy) / m[0].energy.total;
    const double mem1 = 1 - core_of(&m[1].energy) / m[1].energy.total;
    printf("why: the paper claims >10x in both TOPS/W and TOPS/mm^2 for low-bit weights; we get "
           "%.2fx TOPS/W and %.2fx TOPS/mm^2 over dq+mac end to end (%.2fx and %.2fx for the "
           "datapaths alone).  Main reason: one lookup costs %.3f pJ in the LUT datapath, %.0f%% "
           "of it the 32-bit accumulate (adder + accumulator register), against %.3f pJ for the "
           "int8 MAC it is compared with, so standing for g/P = %u/%u multiply-adds buys only "
           "%.2fx per MAC; the paper's >10x is over fp16-activation MAC units (an fp16 multiply "
           "costs 1.1 pJ, an int8 one 0.2 pJ at 45 nm [H14]) and counts the tensor core alone.  "
           "Datapath area per achieved TOPS: %.2fx (a lookup PE has no multiplier and retires "
           "g/P MACs a cycle when it is not waiting for DRAM).  End to end, buffers and DRAM are %.0f%% of the LUT unit's energy and "
           "%.0f%% of dq+mac's, and the lookup does not reduce them: the LUT unit moves %.2f MB "
           "to and from DRAM against %.2f MB for dq+mac (both with %u-bit weights; a "
           "tile of %u rows re-reads the weights every %u rows of M, the array every %u), so %s; "
           "dq+mac's cycles are those of the int8 run (its DMA still moves 8-bit weights), "
           "which favours lut in memory-bound layers.\n",
           f[0].all.tops_per_w / f[1].all.tops_per_w,
           f[0].all.tops_per_mm2 / f[1].all.tops_per_mm2,
           f[0].core_tops_per_w / f[1].core_tops_per_w,
           f[0].core_tops_per_mm2 / f[1].core_tops_per_mm2, lut_pj,
           lut_pj > 0 ? 100 * acc_pj / lut_pj : 0.0, mac_pj, cfg->g, lut_planes(cfg),
           f[0].core_tops_per_w / f[2].core_tops_per_w,
           f[0].core_tops_per_mm2 / f[1].core_tops_per_mm2, 100 * mem0, 100 * mem1,
           (double)m[0].dram_bytes * 1e-6, (double)m[1].dram_bytes * 1e-6, lut_planes(cfg),
           cfg->tm, cfg->tm, sys_rows,
           mem0 > 0.5 ? "the end-to-end energy ratio follows the DRAM-traffic ratio"
                      : "the datapath ratio carries through end to end");
}

int cmd_lutcompare(int argc, char **argv)
{
    const char *wl_path = NULL, *hw_path = NULL, *node = "45nm";
    /* The machine first (the last --hw, as getopt would take it): its LUT
     * unit (lut: section), when it has one, is what the LUT options below
     * change. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--hw") && i + 1 < argc)
            hw_path = argv[++i];
        else if (!strncmp(argv[i], "--hw=", 5))
            hw_path = argv[i] + 5;
    }
    char err[512];
    hw_cfg_t hw;
    if (hw_path ? hw_load(hw_path, &hw, err, sizeof err) : (hw_defaults(&hw), 0)) {
        cli_err("codesim lutcompare: %s\n", err);
        return 1;
    }
    lut_cfg_t cfg;
    lut_defaults(&cfg);
    if (hw.has_lut)
        cfg = hw.lut;
    int ternary = 0, table_set = 0, bad = 0, bw_set = 0;
    uint64_t m = 1, n = 4096, k = 4096;   /* a decode GEMV: one token, 4096 x 4096 W */
    int mnk_given = 0;
    static const struct option opts[] = {
        {"m", required_argument, 0, 'M'},        {"n", required_argument, 0, 'N'},
        {"k", required_argument, 0, 'K'},        {"workload", required_argument, 0, 'w'},
        {"hw", required_argument, 0, 'h'},       {"tech", required_argument, 0, 't'},
        {"help", no_argument, 0, 'H'},           LUT_LONGOPTS,
        {0, 0, 0, 0}};
    int c, zp_set = 0;
    optind = 1;
    while (!bad && (c = cli_getopt("lutcompare", argc, argv, opts, NULL)) != -1) {
        bw_set |= c == O_BW;
        zp_set |= c == O_ZP;
        if (lut_option("lutcompare", c, optarg, &cfg, &ternary, NULL, &table_set, &bad))
            continue;
        mnk_given |= c == 'M' || c == 'N' || c == 'K';
        switch (c) {
        case 'M': bad |= cli_uint("lutcompare", "m", optarg, 1, LUT_MAX_GEMM_DIM, &m) != 0; break;
        case 'N': bad |= cli_uint("lutcompare", "n", optarg, 1, LUT_MAX_GEMM_DIM, &n) != 0; break;
        case 'K': bad |= cli_uint("lutcompare", "k", optarg, 1, LUT_MAX_GEMM_DIM, &k) != 0; break;
        case 'w': wl_path = optarg; break;
        case 'h': break; /* loaded above */
        case 't': node = optarg; break;
        case 'H': fputs(lutcompare_usage, stdout); hw_free(&hw); return 0;
        default: hw_free(&hw); return 2;
        }
    }
    if (bad || optind < argc) {
        if (!bad)
            cli_err("codesim lutcompare: '%s': unexpected argument\n", argv[optind]);
        hw_free(&hw);
        return 2;
    }
    if (wl_path && mnk_given) {
        cli_err("codesim lutcompare: --workload gives the layers' shapes; --m/--n/--k are for "
                "one GEMM without it\n");
        hw_free(&hw);
        return 2;
    }
    if (ternary) {
        cfg.wq = LUT_WQ_TERNARY;
        cfg.w_bits = 2;
    }
    if (!zp_set)
        cfg.zp = 1u << (cfg.w_bits - 1);     /* two's-complement weights */
    tech_t tech;
    char tpath[600];
    tech_path(node, tpath, sizeof tpath);
    if (tech_load(tpath, &tech, err, sizeof err) != 0) {
        cli_err("codesim lutcompare: %s\n", err);
        hw_free(&hw);
        return 1;
    }
    tech.clock_mhz = hw.npu.freq_mhz; /* time at the machine's clock (npu.freq_mhz) */
    if (!bw_set)
        cfg.dma = hw.dma;           /* same DRAM channel for all three machines */
    if (lut_cfg_check(&cfg, err, sizeof err) != 0) {
        cli_err("codesim lutcompare: lut.%s\n", err);
        hw_free(&hw);
        return 2;
    }
    workload_t wl = {0};
    layer_t one = {.name = "gemm", .m = m, .n = n, .k = k};
    if (wl_path && workload_load(wl_path, &wl, err, sizeof err) != 0) {
        cli_err("codesim lutcompare: %s\n", err);
        hw_free(&hw);
        return 1;
    }
    const layer_t *layers = wl_path ? wl.layers : &one;
    const size_t nl = wl_path ? wl.count : 1;
    /* Check every layer first: a bad one prints nothing else. */
    for (size_t i = 0; i < nl; i++) {
        const lut_gemm_t g = {layers[i].m, layers[i].n, layers[i].k};
        const lut_cfg_t lc = layer_cfg(&cfg, &layers[i], zp_set);
        if (lut_gemm_check(&lc, &g, err, sizeof err) != 0) {
            if (wl_path)
                cli_err("codesim lutcompare: %s:%u: %s\n", wl_path, layers[i].line, err);
            else /* "k: ..." is the flag --k here */
                cli_err("codesim lutcompare: %s%s\n",
                        err[0] && strchr("mnk", err[0]) && err[1] == ':' ? "--" : "", err);
            workload_free(&wl);
            hw_free(&hw);
            return 2;
        }
    }
    /* Both baselines: the systolic array with 8-bit weights, on the LUT
     * unit's DRAM channel. */
    hw_cfg_t h8 = hw;
    h8.array.w_bits = 8;
    h8.array.in_bits = cfg.a_bits;
    h8.dma = cfg.dma;
    machine_t mach[3];
    const char *names[3] = {"lut", "dq+mac", "int8"};
    for (int i = 0; i < 3; i++) {
        memset(&mach[i], 0, sizeof mach[i]);
        mach[i].name = names[i];
        power_init(&mach[i].area);
        power_init(&mach[i].energy);
    }
    if (power_lut_area(&tech, &cfg, &mach[0].area, err, sizeof err) != 0 ||
        power_dqmac_area(&tech, &h8, &cfg, &mach[1].area, err, sizeof err) != 0 ||
        power_systolic_area(&tech, &h8, &mach[2].area, err, sizeof err) != 0) {
        cli_err("codesim lutcompare: %s\n", err);
        workload_free(&wl);
        hw_free(&hw);
        return 1;
    }
    char wb[16];
    snprintf(wb, sizeof wb, "W%u", cfg.w_bits);
    printf("codesim lutcompare: %s weights (%s), int%u activations; lut %ux%ux%u g=%u "
           "sym_table=%d fused=%d; systolic %ux%u %s; DRAM %u B/cycle; tech %s\n",
           ternary ? "ternary" : wb, ternary ? "ternary" : lut_wq_name(cfg.wq), cfg.a_bits,
           cfg.tm, cfg.tn, cfg.tk, cfg.g, cfg.sym_table, cfg.fused, hw.array.rows, hw.array.cols,
           systolic_dataflow_name(hw.array.dataflow), cfg.dma.bytes_per_cycle, tech.node);
    printf("%-14s %-7s %12s %12s %10s %12s %12s %8s %9s\n", "layer", "unit", "cycles", "compute",
           "stall", "dram_rd_B", "dram_wr_B", "area_mm2", "energy_pj");
    int rc = 0;
    for (size_t i = 0; i < nl && rc == 0; i++) {
        const lut_gemm_t g = {layers[i].m, layers[i].n, layers[i].k};
        const lut_cfg_t lc = layer_cfg(&cfg, &layers[i], zp_set);
        lut_stats_t ls;
        if (lut_run(&lc, &g, LUT_FAST, NULL, NULL, NULL, &ls, err, sizeof err) != 0) {
            cli_err("codesim lutcompare: %s: lut: %s\n", layers[i].name, err);
            rc = 1;
            break;
        }
        const systolic_gemm_t sg = {g.m, g.n, g.k};
        layer_stats_t ss;
        if (engine_run_gemm(&h8, &sg, ENGINE_FAST, NULL, NULL, NULL, &ss, err, sizeof err) != 0) {
            cli_err("codesim lutcompare: %s: systolic: %s\n", layers[i].name, err);
            rc = 1;
            break;
        }
        lut_dequant_cost_t dq;
        lut_dequant_cost(&lc, ss.filter_writes, &dq);
        power_breakdown_t e[3];
        for (int j = 0; j < 3; j++)
            power_init(&e[j]);
        if (power_lut_energy(&tech, &lc, &ls, &e[0], err, sizeof err) != 0 ||
            power_dqmac_energy(&tech, &h8, &ss, &dq, &e[1], err, sizeof err) != 0 ||
            power_systolic_energy(&tech, &h8, &ss, &e[2], err, sizeof err) != 0) {
            cli_err("codesim lutcompare: %s: %s\n", layers[i].name, err);
            rc = 1;
            break;
        }
        const uint64_t cyc[3] = {ls.total_cycles, ss.total_cycles, ss.total_cycles};
        /* dq+mac's DRAM reads: one number for its row, the why text and
         * its energy (power_dqmac_energy prices the same bytes). */
        const uint64_t dq_rd = power_dqmac_dram_read_bytes(&h8, &ss, &dq);
        mach[0].dram_bytes += ls.dram_read_bytes + ls.dram_write_bytes;
        mach[1].dram_bytes += dq_rd + ss.dram_write_bytes;
        mach[2].dram_bytes += ss.dram_read_bytes + ss.dram_write_bytes;
        print_lut_row(layers[i].name, &ls, mach[0].area.total, e[0].total);
        print_power("lut", &tech, &mach[0].area, &e[0], ls.macs, cyc[0]);
        print_sys_row(layers[i].name, "dq+mac", &ss, dq_rd, &dq, mach[1].area.total,
                      e[1].total);
        print_power("dq+mac", &tech, &mach[1].area, &e[1], ss.macs, cyc[1]);
        print_sys_row(layers[i].name, "int8", &ss, ss.dram_read_bytes, NULL, mach[2].area.total,
                      e[2].total);
        print_power("int8", &tech, &mach[2].area, &e[2], ss.macs, cyc[2]);
        for (int j = 0; j < 3; j++) {
            if (power_merge(&mach[j].energy, &e[j]) != 0) {
                cli_err("codesim lutcompare: energy: more than %d components\n",
                        POWER_MAX_ITEMS);
                rc = 1;
            }
            mach[j].cycles += cyc[j];
            mach[j].macs += j ? ss.macs : ls.macs;
            mach[j].lookups += j ? 0 : ls.table_reads;
        }
    }
    if (rc == 0) {
        print_why(&tech, &cfg, h8.array.rows, mach);
        printf("total cycles: lut %" PRIu64 ", dq+mac %" PRIu64 ", int8 %" PRIu64
               "; speedup of lut over dq+mac %.2fx\n",
               mach[0].cycles, mach[1].cycles, mach[2].cycles,
               mach[0].cycles ? (double)mach[1].cycles / (double)mach[0].cycles : 0.0);
    }
    workload_free(&wl);
    hw_free(&hw);
    return rc;
}

/* ---- bench ------------------------------------------------------------------- */

int bench_lut(void)
{
    lut_cfg_t cfg;
    lut_defaults(&cfg);
    cfg.tm = 4, cfg.tn = 8, cfg.tk = 16;
    cfg.table_entries = cfg.tm * (cfg.tk / cfg.g) * lut_entries(&cfg);
    const lut_gemm_t g = {64, 64, 256};
    char err[512];
    int32_t *a = malloc(g.m * g.k * sizeof *a), *q = malloc(g.k * g.n * sizeof *q);
    int32_t *o = malloc(g.m * g.n * sizeof *o);
    uint8_t *pk = malloc(lut_packed_words(&cfg, &g));
    lut_rtl_t *rtl = NULL;
    int rc = 1;
    if (!a || !q || !o || !pk) {
        cli_err("codesim bench: out of memory\n");
        goto out;
    }
    uint64_t s = 88172645463325252ull;
    for (uint64_t i = 0; i < g.m * g.k; i++)
        a[i] = (int8_t)rtlcheck_rng_next(&s);
    for (uint64_t i = 0; i < g.k * g.n; i++)
        q[i] = (int32_t)(rtlcheck_rng_next(&s) & 3);
    lut_pack_weights(&cfg, &g, q, pk);
    printf("codesim bench: LUT unit, %" PRIu64 " x %" PRIu64 " x %" PRIu64
           " W2 GEMM on a %u x %u x %u tile, g=%u (simulated cycles per wall-clock second)\n",
           g.m, g.n, g.k, cfg.tm, cfg.tn, cfg.tk, cfg.g);
    double rate[3] = {0, 0, 0};
    uint64_t cycles = 0;
    rtl = lut_rtl_open(&cfg, NULL, err, sizeof err);
    if (!rtl) {
        cli_err("codesim bench: %s\n", err);
        goto out;
    }
    for (int what = 0; what < 3; what++) {
        const double budget = what == 0 ? 0.2 : 0.5, t0 = util_now_s();
        uint64_t reps = 0, cyc = 0;
        do {
            lut_stats_t st;
            ports_rec_t act;
            if (what == 2) {
                if (lut_rtl_run(rtl, &cfg, &g, a, pk, o, UINT64_MAX, &act, err, sizeof err) != 0)
                    goto fail;
                cyc += act.cycles;
            } else {
                if (lut_run(&cfg, &g, what ? LUT_CYCLE : LUT_FAST, a, pk, o, &st, err,
                            sizeof err) != 0)
                    goto fail;
                cyc += st.compute_cycles;
                cycles = st.compute_cycles;
            }
            reps++;
        } while (util_now_s() - t0 < budget);
        rate[what] = (double)cyc / (util_now_s() - t0);
    }
    printf("%12s %14s %14s %14s %12s %12s\n", "cycles", "fast cyc/s", "cycle cyc/s", "rtl cyc/s",
           "fast/rtl", "cycle/rtl");
    printf("%12" PRIu64 " %14.3g %14.3g %14.3g %12.0f %12.1f\n", cycles, rate[0], rate[1], rate[2],
           rate[0] / rate[2], rate[1] / rate[2]);
    rc = 0;
    goto out;
fail:
    cli_err("codesim bench: %s\n", err);
out:
    lut_rtl_close(rtl);
    free(a);
    free(q);
    free(o);
    free(pk);
    return rc;
}

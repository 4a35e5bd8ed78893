/* cmd_pim.c - the PIM commands:
 *   codesim rtlcheck --block pim ...   parses the unit's flags and runs the
 *       rtlcheck driver with the unit's glue (sim/harness/pim_rtl.c)
 *       (rtlcheck_pim);
 *   codesim pimgemv ...                a GEMV on PIM vs on the host over the
 *       bus, blocked vs dual row buffers, and the lanes vs tree layouts
 *       (cmd_pimgemv);
 *   bench_pim()                        simulation speed, for codesim bench. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/pim_gemv.h"
#include "../../models/power.h"
#include "../../models/tech.h"
#include "cli.h"
#include "../io/config.h"
#include "../db/db.h"
#include "../harness/pim_rtl.h"
#include "../cost/tech_file.h"

int rtlcheck_pim(int argc, char **argv);
int cmd_pimgemv(int argc, char **argv);
int bench_pim(void);

static const char rtlcheck_pim_usage[] =
    "usage: codesim rtlcheck --block pim [--lanes L] [--prec int8|fp16] [--grf N] [--srf N]\n"
    "                        [--acc N] [--cols C] [--trials T] [--seed S] [--db FILE]\n"
    "\n"
    "Runs T random command sequences (register writes, MAC, MACS, CLR, RDACC with\n"
    "idle cycles between) on the C model of one PIM unit and on its Verilated RTL\n"
    "(rtl/pim_unit.v, built on first use per configuration) over a random open\n"
    "row of C columns.  Compares read-back values bit for bit (also against an\n"
    "independent reference of the arithmetic), cycle counts, and every cycle's\n"
    "row-buffer reads and read-back port.  Every case is logged to the database.\n"
    "The last line is\n"
    "  rtlcheck: <cases> cases, <c> cycle mismatches, <v> value mismatches\n"
    "and the exit status is non-zero on any mismatch.\n"
    "\n"
    "  --lanes L  SIMD lanes (default 16)     --prec  fp16 (default) or int8\n"
    "  --grf, --srf, --acc N  register entries (default 8 each), --cols C (default 32)\n"
    "  --trials T (default 200)  --seed S (default 1)  --db FILE (default results.db)\n"
    "\n"
    "EXAMPLES\n"
    "  codesim rtlcheck --block pim --trials 100\n"
    "  codesim rtlcheck --block pim --lanes 5 --prec int8 --grf 4 --srf 2 --acc 3\n";

int rtlcheck_pim(int argc, char **argv)
{
    const char *db_path = "results.db", *prec_s = "fp16";
    uint64_t lanes = 16, grf = 8, srf = 8, acc = 8, cols = 32, trials = 200, seed = 1;
    static const struct option opts[] = {
        {"block", required_argument, 0, 'b'}, {"lanes", required_argument, 0, 'l'},
        {"prec", required_argument, 0, 'p'},  {"grf", required_argument, 0, 'g'},
        {"srf", required_argument, 0, 'r'},   {"acc", required_argument, 0, 'a'},
        {"cols", required_argument, 0, 'c'},  {"trials", required_argument, 0, 't'},
        {"seed", required_argument, 0, 's'},  {"db", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'H'},        {0, 0, 0, 0}};
    int c, bad = 0;
    optind = 1;
    while (!bad && (c = cli_getopt("rtlcheck --block pim", argc, argv, opts, NULL)) != -1) {
        const char *o = NULL;
        uint64_t *dst = NULL, lo = 1, hi = PIM_MAX_REGS;
        switch (c) {
        case 'b': break; /* the dispatcher already chose pim */
        case 'p': prec_s = optarg; break;
        case 'd': db_path = optarg; break;
        case 'l': o = "lanes"; dst = &lanes; hi = PIM_MAX_LANES; break;
        case 'g': o = "grf"; dst = &grf; break;
        case 'r': o = "srf"; dst = &srf; break;
        case 'a': o = "acc"; dst = &acc; break;
        case 'c': o = "cols"; dst = &cols; hi = PIM_MAX_COLS; break;
        case 't': o = "trials"; dst = &trials; hi = 1000000; break;
        case 's': o = "seed"; dst = &seed; lo = 0; hi = UINT64_MAX; break;
        case 'H': fputs(rtlcheck_pim_usage, stdout); return 0;
        default: return 2;
        }
        if (dst && cli_uint("rtlcheck", o, optarg, lo, hi, dst) != 0)
            bad = 1;
    }
    if (bad)
        return 2;
    pim_cfg_t cfg = {(uint32_t)lanes, PIM_FP16, (uint32_t)grf, (uint32_t)srf, (uint32_t)acc, 1,
                     PIM_REDUCE_LANES};
    if (pim_prec_parse(prec_s, &cfg.prec) != 0) {
        cli_err("codesim rtlcheck: --prec: '%s' is not int8 or fp16\n", prec_s);
        return 2;
    }
    const pim_rtlcheck_cfg_t chk_cfg = {cfg, (uint32_t)cols, NULL};
    char params[160], title[96];
    snprintf(params, sizeof params, "lanes=%u prec=%s grf=%u srf=%u acc=%u cols=%u", cfg.lanes,
             pim_prec_name(cfg.prec), cfg.grf_entries, cfg.srf_entries, cfg.acc_entries,
             (unsigned)cols);
    snprintf(title, sizeof title, "pim %u lanes %s, port activity", cfg.lanes,
             pim_prec_name(cfg.prec));
    const rtlcheck_t chk = {&pim_rtlcheck, &chk_cfg, NULL, params, title, trials, seed, db_path};
    return rtlcheck_run(&chk, stdout, stderr);
}

/* ---- codesim pimgemv ------------------------------------------------------- */

static const char pimgemv_usage[] =
    "usage: codesim pimgemv [--preset HBM2|HBM3|GDDR6] [--groups G] [--m M] [--k K]\n"
    "                       [--prec fp16|int8] [--lanes L] [--banks-per-unit 1|2]\n"
    "                       [--grf N] [--srf N] [--acc N] [--reduce lanes|tree|both]\n"
    "                       [--host-reqs N] [--host-period P] [--host-writes PCT]\n"
    "                       [--tech NODE]\n"
    "       codesim pimgemv --hw FILE [--groups G] [--m M] [--k K] [--reduce ...]\n"
    "                       [host options]\n"
    "\n"
    "With --hw, the DRAM device and PIM units are the machine's (its dram: and\n"
    "pim: sections: the PIM that codesim run --model uses); the unit and preset\n"
    "options then may not be given, --reduce may (it overrides pim.reduce).\n"
    "\n"
    "Times G independent GEMVs y = W x (W is M x K; for attention one per head)\n"
    "on the PIM units of every bank against the host reading the same W over\n"
    "the data bus, on the DRAM timing of the preset, and prints the speedup and\n"
    "the events energy needs.  Then runs the GEMV beside host traffic (N random\n"
    "requests per channel, N up to 1048576, one every P cycles) in blocked mode\n"
    "and with dual row buffers (NeuPIMs).  Default: the score GEMV of a decode\n"
    "step, 32 heads x 2048 context x 128 dims, fp16, HBM2, 16 lanes per unit, one\n"
    "unit per 2 banks.\n"
    "Energy (models/power.h, reports/tech/NODE.yaml, default 45nm): both paths pay\n"
    "dram_act per row activation and dram_core_bit per bit leaving the cell array;\n"
    "bits on the bus pay dram_io_bit; PIM adds pim_mac per lane MAC and its\n"
    "register writes (and, tree layout, its adder trees).  Prints both energies\n"
    "and their ratio host/PIM.\n"
    "\n"
    "  --reduce lanes  the GEMV layout (pim.reduce): one output row per lane,\n"
    "                  x broadcast into the SRFs, MACS (HBM-PIM; the default\n"
    "                  without --hw, the machine's pim.reduce with it)\n"
    "  --reduce tree   a row's K weights across the lanes, x into the GRFs, MACT\n"
    "                  sums the lane products in an adder tree (AiM, PIM-GPT)\n"
    "  --reduce both   the report above in the default layout, then both\n"
    "                  layouts' PIM cycles, speedup of each over lanes, lane MACs,\n"
    "                  energy and area side by side (no host traffic)\n"
    "\n"
    "EXAMPLES\n"
    "  codesim pimgemv\n"
    "  codesim pimgemv --preset HBM3 --groups 32 --m 2048 --k 128 --prec int8\n"
    "  codesim pimgemv --hw configs/npu_pim.yaml --host-reqs 1000 --host-period 20\n"
    "  codesim pimgemv --preset GDDR6 --groups 1 --m 768 --k 768 --reduce tree\n"
    "  codesim pimgemv --hw configs/pimgpt.yaml --groups 1 --m 3072 --k 768 --reduce both\n";

static void print_stats(const char *name, const pim_gemv_stats_t *s, double tck_ns)
{
    printf("%-12s %10" PRIu64 " %10.2f %9.2f %9.2f %8" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
           name, s->cycles, s->cycles * tck_ns / 1000.0, s->bus_bytes / 1048576.0,
           s->bank_bytes / 1048576.0, s->act, s->pim_col_reads, s->host_rd + s->host_wr);
}

static const char *const reduce_names[2] = {"lanes", "tree"};

/* --reduce both: the GEMV in each layout without host traffic, side by side;
 * a layout the GEMV does not fit prints its reason. */
static int print_layouts(const pim_gemv_cfg_t *base, const pim_gemv_t *g, const tech_t *tech)
{
    char err[512];
    pim_gemv_stats_t st[2];
    int ok[2];
    power_breakdown_t e[2], a[2];
    char why[2][512];
    for (int i = 0; i < 2; i++) {
        pim_gemv_cfg_t cfg = *base;
        cfg.unit.reduce = i ? PIM_REDUCE_TREE : PIM_REDUCE_LANES;
        cfg.mode = PIM_BLOCKED;
        memset(&cfg.host, 0, sizeof cfg.host);
        power_init(&e[i]);
        power_init(&a[i]);
        ok[i] = pim_gemv_check(&cfg, g, why[i], sizeof why[i]) == 0;
        if (!ok[i])
            continue;
        if (pim_gemv_time(&cfg, g, &st[i], NULL, err, sizeof err) != 0 ||
            power_pim_energy(tech, &cfg, &st[i], &e[i], err, sizeof err) != 0 ||
            power_pim_area(tech, &cfg, &a[i], err, sizeof err) != 0) {
            cli_err("codesim pimgemv: %s\n", err);
            return 1;
        }
    }
    printf("layouts (pim.reduce, no host traffic):\n");
    printf("%-12s %10s %10s %12s %8s %10s %9s %10s %9s\n", "layout", "PIM cycles", "vs lanes",
           "lane MACs", "useful", "energy uJ", "tree uJ", "PIM mm^2", "tree mm^2");
    for (int i = 0; i < 2; i++) {
        if (!ok[i]) {
            printf("%-12s does not fit: %s\n", reduce_names[i], why[i]);
            continue;
        }
        char vs[16] = "-";
        if (ok[0])
            snprintf(vs, sizeof vs, "%.3fx", (double)st[0].cycles / (double)st[i].cycles);
        printf("%-12s %10" PRIu64 " %10s %12" PRIu64 " %7.1f%% %10.2f %9.2f %10.2f %9.2f\n",
               reduce_names[i], st[i].cycles, vs, st[i].lane_macs,
               st[i].lane_macs ? 100.0 * (double)st[i].useful_macs / (double)st[i].lane_macs : 0.0,
               e[i].total * 1e-6, power_get(&e[i], "pim.tree") * 1e-6, a[i].total * 1e-6,
               power_get(&a[i], "pim.tree") * 1e-6);
    }
    return 0;
}

int cmd_pimgemv(int argc, char **argv)
{
    const char *preset = "HBM2", *prec_s = "fp16", *node = "45nm", *hw_path = NULL;
    const char *unit_opt = NULL; /* a unit or preset option given */
    const char *reduce_s = NULL;
    uint64_t groups = 32, m = 2048, k = 128, lanes = 16, bpu = 2, grf = 8, srf = 8, acc = 8;
    uint64_t hreqs = 200, hperiod = 40, hwr = 30;
    int lanes_set = 0;
    static const struct option opts[] = {
        {"preset", required_argument, 0, 'P'}, {"groups", required_argument, 0, 'G'},
        {"m", required_argument, 0, 'M'},      {"k", required_argument, 0, 'K'},
        {"prec", required_argument, 0, 'p'},   {"lanes", required_argument, 0, 'l'},
        {"banks-per-unit", required_argument, 0, 'u'}, {"grf", required_argument, 0, 'g'},
        {"srf", required_argument, 0, 's'},    {"acc", required_argument, 0, 'a'},
        {"host-reqs", required_argument, 0, 'n'}, {"host-period", required_argument, 0, 'e'},
        {"host-writes", required_argument, 0, 'w'}, {"tech", required_argument, 0, 't'},
        {"hw", required_argument, 0, 'W'},     {"reduce", required_argument, 0, 'R'},
        {"help", no_argument, 0, 'H'},         {0, 0, 0, 0}};
    int c, bad = 0;
    optind = 1;
    int li = 0;
    while (!bad && (c = cli_getopt("pimgemv", argc, argv, opts, &li)) != -1) {
        const char *o = NULL;
        uint64_t *dst = NULL, lo = 1, hi = PIM_MAX_REGS;
        if (strchr("Pplugsa", c))
            unit_opt = opts[li].name; /* a unit or preset option */
        switch (c) {
        case 'W': hw_path = optarg; break;
        case 'R': reduce_s = optarg; break;
        case 'P': preset = optarg; break;
        case 'p': prec_s = optarg; break;
        case 't': node = optarg; break;
        case 'G': o = "groups"; dst = &groups; hi = 1u << 24; break;
        case 'M': o = "m"; dst = &m; hi = 1ull << 32; break;
        case 'K': o = "k"; dst = &k; hi = 1ull << 32; break;
        case 'l': o = "lanes"; dst = &lanes; hi = PIM_MAX_LANES; lanes_set = 1; break;
        case 'u': o = "banks-per-unit"; dst = &bpu; hi = 2; break;
        case 'g': o = "grf"; dst = &grf; break;
        case 's': o = "srf"; dst = &srf; break;
        case 'a': o = "acc"; dst = &acc; break;
        case 'n': o = "host-reqs"; dst = &hreqs; lo = 0; hi = PIM_MAX_HOST_REQS; break;
        case 'e': o = "host-period"; dst = &hperiod; hi = 1u << 24; break;
        case 'w': o = "host-writes"; dst = &hwr; lo = 0; hi = 100; break;
        case 'H': fputs(pimgemv_usage, stdout); return 0;
        default: return 2;
        }
        if (dst && cli_uint("pimgemv", o, optarg, lo, hi, dst) != 0)
            bad = 1;
    }
    if (bad)
        return 2;
    char err[512];
    pim_gemv_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    if (dram_preset(preset, &cfg.dram, err, sizeof err) != 0) {
        cli_err("codesim pimgemv: --%s\n", err);
        return 2;
    }
    cfg.unit = (pim_cfg_t){(uint32_t)lanes, PIM_FP16, (uint32_t)grf, (uint32_t)srf,
                           (uint32_t)acc, (uint32_t)bpu, PIM_REDUCE_LANES};
    if (pim_prec_parse(prec_s, &cfg.unit.prec) != 0) {
        cli_err("codesim pimgemv: --prec: '%s' is not int8 or fp16\n", prec_s);
        return 2;
    }
    if (!lanes_set) /* one DRAM burst of elements */
        cfg.unit.lanes = dram_burst_bytes(&cfg.dram) * 8 / pim_elem_bits(&cfg.unit);
    if (hw_path) {
        /* The machine's PIM, as the NPU's runs configure it. */
        if (unit_opt) {
            cli_err("codesim pimgemv: --%s: with --hw the machine's dram: and pim: "
                            "sections set the device and units\n", unit_opt);
            return 2;
        }
        hw_cfg_t hw;
        if (hw_load(hw_path, &hw, err, sizeof err) != 0) {
            cli_err("codesim pimgemv: %s\n", err);
            return 1;
        }
        const int has_pim = hw.has_pim;
        power_npu_pim_cfg(&hw, PIM_BLOCKED, &cfg);
        hw_free(&hw);
        if (!has_pim) {
            cli_err("codesim pimgemv: %s: pim: the machine has no PIM units\n", hw_path);
            return 1;
        }
    }
    int both = 0;
    if (reduce_s) {
        if (strcmp(reduce_s, "both") == 0)
            both = 1;
        else if (strcmp(reduce_s, "lanes") == 0)
            cfg.unit.reduce = PIM_REDUCE_LANES;
        else if (strcmp(reduce_s, "tree") == 0)
            cfg.unit.reduce = PIM_REDUCE_TREE;
        else {
            cli_err("codesim pimgemv: --reduce: '%s' is not lanes, tree or both\n", reduce_s);
            return 2;
        }
    }
    const int tree = cfg.unit.reduce == PIM_REDUCE_TREE;
    const pim_gemv_t g = {groups, m, k};
    if (pim_gemv_check(&cfg, &g, err, sizeof err) != 0) {
        cli_err("codesim pimgemv: %s\n", err);
        return 1;
    }
    tech_t tech;
    char tpath[4096];
    tech_path(node, tpath, sizeof tpath);
    if (tech_load(tpath, &tech, err, sizeof err) != 0) {
        cli_err("codesim pimgemv: %s\n", err);
        return 1;
    }
    const double tck = cfg.dram.tck_ps / 1000.0;
    printf("codesim pimgemv: %" PRIu64 " x %" PRIu64 " x %" PRIu64 " %s GEMV on %s (%u channels x "
           "%u banks), %u-lane units, one per %u bank(s), %s layout\n",
           groups, m, k, pim_prec_name(cfg.unit.prec), cfg.dram.preset, dram_units(&cfg.dram),
           dram_banks(&cfg.dram), cfg.unit.lanes, cfg.unit.banks_per_unit,
           reduce_names[tree]);
    printf("%-12s %10s %10s %9s %9s %8s %10s %10s\n", "path", "cycles", "us", "bus MiB",
           "bank MiB", "ACT", "PIM reads", "host RD/WR");
    pim_gemv_stats_t host, pim, blk, dual;
    if (pim_gemv_host_time(&cfg, &g, &host, NULL, err, sizeof err) != 0 ||
        pim_gemv_time(&cfg, &g, &pim, NULL, err, sizeof err) != 0) {
        cli_err("codesim pimgemv: %s\n", err);
        return 1;
    }
    print_stats("host (bus)", &host, tck);
    print_stats("pim", &pim, tck);
    const double peak = (double)host.bus_bytes / (dram_peak_bytes_per_s(&cfg.dram) * 1e-9) / tck;
    printf("host reads at %.1f%% of peak bandwidth; PIM speedup %.2fx\n",
           100.0 * peak / (double)host.cycles, (double)host.cycles / (double)pim.cycles);
    /* Energy (models/power.h): both paths priced with the same DRAM split,
     * activation + array-to-bank-edge + bank-edge-to-host, so the ratio
     * compares like with like; PIM adds its lane MACs and registers. */
    power_breakdown_t eh, ep, ap;
    power_init(&eh);
    power_init(&ep);
    power_init(&ap);
    if (power_pim_energy(&tech, &cfg, &host, &eh, err, sizeof err) != 0 ||
        power_pim_energy(&tech, &cfg, &pim, &ep, err, sizeof err) != 0 ||
        power_pim_area(&tech, &cfg, &ap, err, sizeof err) != 0) {
        cli_err("codesim pimgemv: %s\n", err);
        return 1;
    }
    char tree_e[48] = "", tree_a[64] = "";
    if (tree) {
        snprintf(tree_e, sizeof tree_e, " + tree %.1f", power_get(&ep, "pim.tree") * 1e-6);
        snprintf(tree_a, sizeof tree_a, ", of which adder trees %.2f mm^2",
                 power_get(&ap, "pim.tree") * 1e-6);
    }
    printf("energy (%s): host %.1f uJ = act %.1f + core %.1f + io %.1f; PIM %.1f uJ = act %.1f + "
           "core %.1f + io %.1f + MAC %.1f%s + regs %.1f; host/PIM %.2fx\n",
           tech.node, eh.total * 1e-6, power_get(&eh, "dram.act") * 1e-6,
           power_get(&eh, "dram.core") * 1e-6, power_get(&eh, "dram.io") * 1e-6, ep.total * 1e-6,
           power_get(&ep, "dram.act") * 1e-6, power_get(&ep, "dram.core") * 1e-6,
           power_get(&ep, "dram.io") * 1e-6, power_get(&ep, "pim.mac") * 1e-6, tree_e,
           power_get(&ep, "pim.regs") * 1e-6, eh.total / ep.total);
    printf("per bit: act %.3g pJ per 1 KiB ACT, array->bank edge %.3g pJ, bank edge->host %.3g "
           "pJ; PIM units %.2f mm^2 (%u units%s)\n",
           tech.e.dram_act, tech.e.dram_core_bit, tech.e.dram_io_bit, ap.total * 1e-6,
           dram_units(&cfg.dram) * dram_banks(&cfg.dram) / cfg.unit.banks_per_unit, tree_a);
    printf("events: PIM ACT %" PRIu64 " PRE %" PRIu64 " all-bank cmds %" PRIu64 " lane MACs %" PRIu64
           " (useful %" PRIu64 ") %s bursts %" PRIu64 " read-back bursts %" PRIu64 "\n",
           pim.act, pim.pre, pim.ab_cmds, pim.lane_macs, pim.useful_macs, tree ? "GRF" : "SRF",
           pim.vec_bursts, pim.res_bursts);
    cfg.host = (pim_host_t){hreqs, hperiod, (uint32_t)hwr, 1};
    cfg.mode = PIM_BLOCKED;
    if (pim_gemv_time(&cfg, &g, &blk, NULL, err, sizeof err) != 0) {
        cli_err("codesim pimgemv: %s\n", err);
        return 1;
    }
    cfg.mode = PIM_DUAL;
    if (pim_gemv_time(&cfg, &g, &dual, NULL, err, sizeof err) != 0) {
        cli_err("codesim pimgemv: %s\n", err);
        return 1;
    }
    printf("with host traffic (%" PRIu64 " requests per channel, one every %" PRIu64
           " cycles, %" PRIu64 "%% writes):\n",
           hreqs, hperiod, hwr);
    printf("%-12s %10s %10s %12s %12s\n", "mode", "PIM cycles", "slowdown", "host lat avg",
           "host lat max");
    const pim_gemv_stats_t *ms[2] = {&blk, &dual};
    const char *mn[2] = {"blocked", "dual"};
    for (int i = 0; i < 2; i++)
        printf("%-12s %10" PRIu64 " %9.3fx %12.1f %12" PRIu64 "\n", mn[i], ms[i]->cycles,
               (double)ms[i]->cycles / (double)pim.cycles,
               ms[i]->host_reqs ? (double)ms[i]->host_lat_sum / (double)ms[i]->host_reqs : 0.0,
               ms[i]->host_lat_max);
    return both ? print_layouts(&cfg, &g, &tech) : 0;
}

/* ---- bench ------------------------------------------------------------------ */

int bench_pim(void)
{
    char err[512];
    pim_gemv_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    if (dram_preset("HBM2", &cfg.dram, err, sizeof err) != 0) {
        cli_err("codesim bench: %s\n", err);
        return 1;
    }
    cfg.unit = (pim_cfg_t){16, PIM_FP16, 8, 8, 8, 2, PIM_REDUCE_LANES};
    const pim_gemv_t g = {32, 2048, 128};
    pim_gemv_stats_t st;
    double t0 = util_now_s();
    if (pim_gemv_time(&cfg, &g, &st, NULL, err, sizeof err) != 0) {
        cli_err("codesim bench: %s\n", err);
        return 1;
    }
    const double tp = util_now_s() - t0;
    const uint64_t cmds = st.ab_cmds + st.res_bursts;
    t0 = util_now_s();
    pim_gemv_stats_t hs;
    if (pim_gemv_host_time(&cfg, &g, &hs, NULL, err, sizeof err) != 0) {
        cli_err("codesim bench: %s\n", err);
        return 1;
    }
    const double th = util_now_s() - t0;
    const uint64_t hcmds = hs.act + hs.pre + hs.host_rd;
    /* The unit itself: cycle path on a MAC stream. */
    pim_unit_t *u = malloc(sizeof *u);
    uint16_t row[32 * 16];
    if (!u) {
        cli_err("codesim bench: out of memory\n");
        return 1;
    }
    for (int i = 0; i < 32 * 16; i++)
        row[i] = (uint16_t)(0x3C00 + i);
    pim_unit_init(u, &cfg.unit);
    const uint64_t n = 2000000;
    t0 = util_now_s();
    for (uint64_t i = 0; i < n; i++) {
        const pim_cmd_t c = {PIM_MACS, (uint32_t)(i & 7), (uint32_t)(i & 7), (uint32_t)(i & 31), {0}};
        pim_unit_step(u, &c, row, NULL);
    }
    const double tu = util_now_s() - t0;
    free(u);
    printf("pim: GEMV 32x2048x128 fp16 on HBM2: %" PRIu64 " DRAM commands in %.3f s = %.2f M "
           "commands/s (%" PRIu64 " cycles simulated, %.2f M cycles/s)\n",
           cmds, tp, cmds / tp * 1e-6, st.cycles, st.cycles * dram_units(&cfg.dram) / tp * 1e-6);
    printf("pim: host baseline: %" PRIu64 " DRAM commands in %.3f s = %.2f M commands/s\n", hcmds,
           th, hcmds / th * 1e-6);
    printf("pim: unit cycle path (16 fp16 lanes, MACS every cycle): %.2f M cycles/s\n",
           n / tu * 1e-6);
    return 0;
}

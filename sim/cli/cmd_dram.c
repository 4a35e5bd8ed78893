/* cmd_dram.c - `codesim dram`: run a memory trace through the DRAM
 * controller and device model, and report bandwidth, latency percentiles,
 * row-buffer outcome and command counts; every issued command is replayed
 * through the independent timing checker (models/dram_check.h).  Also
 * bench_dram(): DRAM commands simulated per second. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/dram.h"
#include "../../models/dram_check.h"
#include "../../models/dram_ctrl.h"
#include "cli.h"
#include "../io/config.h"
#include "../io/config.h"
#include "../io/dram_trace.h"

int cmd_dram(int argc, char **argv);
int bench_dram(void);

static const char dram_usage[] =
    "usage: codesim dram [--hw FILE] --trace FILE [--preset NAME]\n"
    "\n"
    "Runs a memory trace through the DRAM controller and device model and reports\n"
    "bandwidth (GB/s and fraction of peak), latency percentiles, row-buffer hit\n"
    "rate and command counts.  Every command is replayed through the independent\n"
    "timing checker; any violation makes the exit status non-zero.\n"
    "\n"
    "  --hw FILE      hardware YAML; its `dram:` section sets the device and the\n"
    "                 controller: preset (HBM2 | HBM3 | GDDR6 | HBM2_8Gb_x128 |\n"
    "                 GDDR6_8Gb_x16 | DDR4_8Gb_x8_3200, applied first), any\n"
    "                 field of dram_cfg_t (channels, pseudo_channels, bank_groups,\n"
    "                 banks_per_group, rows, columns, bus_bits, burst_length,\n"
    "                 transfers_per_tck, tck_ps, tRCD, tRP, tRAS, tRC, tCL, tCWL,\n"
    "                 tBL, tCCD_S, tCCD_L, tRRD_S, tRRD_L, tFAW, tWR, tWTR_S,\n"
    "                 tWTR_L, tRTP, tREFI, tRFC; timings in tCK cycles), mapping\n"
    "                 (e.g. RoBaCoBgCh), page_policy (open | close), scheduler\n"
    "                 (frfcfs | fcfs), queue_depth, refresh (on | off),\n"
    "                 tRTRS, dual_cmd, write_queue_depth, write_high, write_low,\n"
    "                 write_idle, bank_queue_depth, row_hit_cap, dual_issue (on |\n"
    "                 off), controller (dramsim3 | default; models/dram_ctrl.h).\n"
    "                 Without --hw: the HBM2 preset, open page, FR-FCFS.\n"
    "  --trace FILE   (required) one request per line: CYCLE ADDR OP (codesim), ADDR OP CYCLE\n"
    "                 (DRAMsim3), ADDR OP or OP ADDR (Ramulator); see\n"
    "                 sim/io/dram_trace.h.\n"
    "  --preset NAME  use this preset's device instead of the file's dram: values\n"
    "                 (default: the --hw file's, else HBM2).\n"
    "\n"
    "EXAMPLES\n"
    "  codesim dram --trace traces/dram/stream.trace\n"
    "  codesim dram --hw configs/npu_pim.yaml --trace traces/dram/stream.trace --preset HBM3\n";


/* ---- running a trace ---------------------------------------------------------- */

typedef struct {
    dram_check_t *chk;   /* NULL: no checking */
    const dram_treq_t *req; /* the trace (arrival cycles), for latency */
    uint64_t *lat;       /* per completed request: [4][n] read/write x arrival/queue */
    size_t n, nlat[4];
    uint64_t end;        /* last command cycle */
    uint64_t last_push;  /* cycle the last request entered a queue */
} run_ctx_t;

/* Latency kinds: reads from arrival, reads from queue entry, writes from
 * arrival, writes from queue entry. */
enum { L_RD_ARR = 0, L_RD_Q, L_WR_ARR, L_WR_Q };

static void on_cmd(void *p, const dram_cmd_t *c)
{
    run_ctx_t *x = p;
    if (x->chk)
        dram_check_cmd(x->chk, c);
    x->end = c->cycle;
}

static void on_refs(void *p, uint16_t unit, uint64_t first, uint64_t count, uint64_t period)
{
    run_ctx_t *x = p;
    if (x->chk)
        dram_check_ref_run(x->chk, unit, first, count, period);
}

static void on_done(void *p, uint64_t tag, int write, uint64_t arrive, uint64_t done)
{
    run_ctx_t *x = p;
    if (!x->lat)
        return;
    const int k = write ? L_WR_ARR : L_RD_ARR;
    x->lat[(size_t)k * x->n + x->nlat[k]++] = done - x->req[tag].cycle;
    x->lat[(size_t)(k + 1) * x->n + x->nlat[k + 1]++] = done - arrive;
}

/* Feeds the requests in trace order (a request whose unit's queue is full
 * waits, and so do those behind it) and runs the controller to the end. */
static int run_trace(const dram_ctrl_cfg_t *cfg, const dram_treq_t *r, size_t n, run_ctx_t *x,
                     dram_ctrl_stats_t *st, char *err, size_t errlen)
{
    dram_ctrl_t c;
    if (dram_ctrl_init(&c, cfg, on_cmd, on_done, x, err, errlen))
        return -1;
    c.on_refs = on_refs;
    /* The device runs from cycle 0, refreshing, whenever the first request
     * arrives: the gap before it is an idle gap like any other (its REFs at
     * their due cycles, in closed form below).  Starting the clock at the
     * first arrival instead issued every REF owed since 0 at once there. */
    uint64_t now = 0;
    size_t i = 0;
    for (;;) {
        while (i < n && r[i].cycle <= now) {
            const int rc = dram_ctrl_push(&c, r[i].addr, r[i].write, now, i, err, errlen);
            if (rc < 0) {
                dram_ctrl_free(&c);
                return -1;
            }
            if (rc > 0)
                break;
            x->last_push = now;
            if (++i == n)
                dram_ctrl_flush(&c, now);
        }
        uint64_t next = dram_ctrl_tick(&c, now);
        if (i == n && c.pending == 0)
            break;
        if (i < n && r[i].cycle > now && r[i].cycle < next)
            next = r[i].cycle;
        /* An idle gap before the next request: its refreshes in closed form. */
        if (i < n && r[i].cycle > next && dram_ctrl_skip_idle(&c, now, r[i].cycle))
            next = r[i].cycle;
        now = next > now ? next : now + 1;
    }
    *st = c.st;
    dram_ctrl_free(&c);
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts v[n] ascending: an LSD radix sort, 11 bits a pass, with only as
 * many passes as the largest value needs (latencies take two or three), in
 * place of qsort's comparison calls; qsort if the scratch buffer cannot be
 * had. */
static void sort_u64(uint64_t *v, size_t n)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = v[i] > max ? v[i] : max;
    uint64_t *tmp = n > 1 ? malloc(n * sizeof *tmp) : NULL;
    if (!tmp) {
        qsort(v, n, sizeof *v, cmp_u64);
        return;
    }
    uint64_t *src = v, *dst = tmp;
    for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += 11) {
        size_t count[2048] = {0};
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 2047]++;
        size_t pos = 0;
        for (size_t d = 0; d < 2048; d++) {
            const size_t c = count[d];
            count[d] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 2047]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
}

/* Nearest-rank percentile of sorted v[n]. */
static uint64_t pct(const uint64_t *v, size_t n, double p)
{
    size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
    return v[k ? k - 1 : 0];
}

static double bw_gbs(const dram_cfg_t *g, const dram_ctrl_stats_t *st)
{
    const uint64_t cyc = st->last_done - st->first_arrival;
    return cyc ? (double)st->bytes / ((double)cyc * g->tck_ps * 1e-12) / 1e9 : 0;
}

int cmd_dram(int argc, char **argv)
{
    const char *hw = NULL, *trace = NULL, *preset = NULL;
    static const struct option opts[] = {{"hw", required_argument, 0, 'h'},
                                         {"trace", required_argument, 0, 't'},
                                         {"preset", required_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'H'},
                                         {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = cli_getopt("dram", argc, argv, opts, NULL)) != -1) {
        switch (o) {
        case 'h': hw = optarg; break;
        case 't': trace = optarg; break;
        case 'p': preset = optarg; break;
        case 'H': fputs(dram_usage, stdout); return 0;
        default: return 2;
        }
    }
    if (optind < argc) {
        cli_err("codesim dram: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!trace) {
        cli_err("codesim dram: --trace: missing (see codesim dram --help)\n");
        return 2;
    }
    char err[512];
    hw_cfg_t hwc;
    if (hw ? hw_load(hw, &hwc, err, sizeof err) : (hw_defaults(&hwc), 0)) {
        cli_err("codesim dram: %s\n", err);
        return 1;
    }
    dram_ctrl_cfg_t cfg = hwc.dram;
    hw_free(&hwc);
    if (preset && dram_ctrl_cfg_set(&cfg, "preset", preset, err, sizeof err)) {
        cli_flag_err("dram", err); /* "preset: reason" as --preset: reason */
        return 1;
    }
    const dram_cfg_t *g = &cfg.dev;
    dram_trace_t tr;
    if (dram_trace_load(trace, dram_capacity(g), &tr, err, sizeof err)) {
        cli_err("codesim dram: %s\n", err);
        return 1;
    }
    run_ctx_t x = {.chk = dram_check_new(g, cfg.refresh), .req = tr.r, .n = tr.n,
                   .lat = malloc(4 * tr.n * sizeof(uint64_t))};
    dram_ctrl_stats_t st;
    const double t0 = util_now_s();
    int rc = (!x.chk || !x.lat) ? (snprintf(err, sizeof err, "out of memory"), -1)
                                : run_trace(&cfg, tr.r, tr.n, &x, &st, err, sizeof err);
    const double wall = util_now_s() - t0;
    if (rc) {
        cli_err("codesim dram: %s\n", err);
        dram_check_free(x.chk);
        free(x.lat);
        dram_trace_free(&tr);
        return 1;
    }
    dram_check_finish(x.chk, x.end);
    for (int k = 0; k < 4; k++)
        sort_u64(x.lat + (size_t)k * tr.n, x.nlat[k]);

    char map[16];
    dram_map_name(&g->map, map);
    const double peak = dram_peak_bytes_per_s(g) / 1e9, bw = bw_gbs(g, &st);
    const uint64_t cyc = st.last_done - st.first_arrival, reqs = st.reads + st.writes;
    uint64_t ncmd = 0;
    for (int k = 0; k < DRAM_CMD_COUNT; k++)
        ncmd += st.cmds[k];
    printf("codesim dram: %s, %u ch x %u pc x %u bit at %.2f Gb/s per pin, %u bank groups x %u "
           "banks, mapping %s, %s page, %s\n",
           g->preset[0] ? g->preset : "custom", g->channels, g->pseudo_channels, g->bus_bits,
           g->transfers_per_tck * 1000.0 / g->tck_ps, g->bank_groups, g->banks_per_group, map,
           cfg.page == DRAM_OPEN_PAGE ? "open" : "close",
           cfg.sched == DRAM_FRFCFS ? "FR-FCFS" : "FCFS");
    printf("trace:         %s, %zu requests (%" PRIu64 " reads, %" PRIu64 " writes)\n", trace,
           tr.n, st.reads, st.writes);
    printf("cycles:        %" PRIu64 " (%.3f us at tCK %.3f ns)\n", cyc,
           (double)cyc * g->tck_ps * 1e-6, g->tck_ps / 1000.0);
    printf("bandwidth:     %.2f GB/s = %.1f%% of peak %.2f GB/s\n", bw, 100.0 * bw / peak, peak);
    static const char *const lname[4] = {"read latency", "  from queue", "write latency",
                                         "  from queue"};
    for (int k = 0; k < 4; k++) {
        const uint64_t *v = x.lat + (size_t)k * tr.n;
        const size_t m = x.nlat[k];
        if (!m)
            continue;
        double mean = 0;
        for (size_t i = 0; i < m; i++)
            mean += (double)v[i];
        mean /= (double)m;
        printf("%-14s p50 %" PRIu64 "  p90 %" PRIu64 "  p99 %" PRIu64 "  max %" PRIu64
               "  mean %.1f cycles (%s to the last data beat)\n",
               lname[k], pct(v, m, 50), pct(v, m, 90), pct(v, m, 99), v[m - 1], mean,
               k & 1 ? "from entering the controller queue" : "from arrival in the trace");
    }
    printf("ends:          last read data at cycle %" PRIu64 ", last write data at cycle %" PRIu64
           ", last request queued at cycle %" PRIu64 "\n",
           st.last_read_done, st.last_write_done, x.last_push);
    printf("row buffer:    hits %.1f%%  misses %.1f%%  conflicts %.1f%%\n",
           100.0 * (double)st.hits / (double)reqs, 100.0 * (double)st.misses / (double)reqs,
           100.0 * (double)st.conflicts / (double)reqs);
    printf("commands:     ");
    for (int k = 0; k < DRAM_CMD_COUNT; k++)
        if (st.cmds[k] || k <= DRAM_REF)
            printf(" %s %" PRIu64, dram_cmd_name((dram_cmd_kind_t)k), st.cmds[k]);
    printf("  (%" PRIu64 " total, %.2f M/s simulated)\n", ncmd, wall > 0 ? (double)ncmd / wall / 1e6 : 0);
    const uint64_t bad = dram_check_total(x.chk);
    printf("timing check:  %" PRIu64 " violations in %" PRIu64 " commands\n", bad,
           dram_check_commands(x.chk));
    size_t nv;
    const dram_violation_t *v = dram_check_first(x.chk, &nv);
    for (size_t i = 0; i < nv; i++) {
        char line[200];
        dram_check_describe(&v[i], line, sizeof line);
        printf("  violation:   %s\n", line);
    }
    dram_check_free(x.chk);
    free(x.lat);
    dram_trace_free(&tr);
    return bad ? 1 : 0;
}

/* ---- bench ------------------------------------------------------------------- */

/* n sequential bursts from address 0 (stream) or n random bursts, all
 * arriving at cycle 0. */
static dram_treq_t *synth(const dram_cfg_t *g, size_t n, int random)
{
    dram_treq_t *r = calloc(n, sizeof *r);
    uint64_t s = 0x9e3779b97f4a7c15ull;
    const uint64_t bursts = dram_capacity(g) / dram_burst_bytes(g);
    for (size_t i = 0; r && i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        r[i].addr = (random ? s % bursts : i % bursts) * dram_burst_bytes(g);
    }
    return r;
}

int bench_dram(void)
{
    static const char *const names[] = {"HBM2", "HBM3", "GDDR6"};
    char err[256] = "";
    printf("codesim bench dram: controller + device model, requests all queued at cycle 0\n");
    printf("%-6s %-7s %9s %10s %12s %12s %10s %9s\n", "preset", "trace", "requests", "commands",
           "cmds/s", "cmds/s chk", "GB/s", "of peak");
    int rc = 0;
    for (int p = 0; p < 3 && !rc; p++)
        for (int random = 0; random < 2 && !rc; random++) {
            dram_ctrl_cfg_t cfg;
            dram_ctrl_defaults(&cfg);
            dram_ctrl_cfg_set(&cfg, "preset", names[p], err, sizeof err);
            const size_t n = 1u << 18;
            dram_treq_t *r = synth(&cfg.dev, n, random);
            if (!r) {
                cli_err("codesim bench: out of memory\n");
                return 1;
            }
            dram_ctrl_stats_t st;
            double rate[2] = {0, 0};
            for (int chk = 0; chk < 2 && !rc; chk++) {
                run_ctx_t x = {.chk = chk ? dram_check_new(&cfg.dev, 1) : NULL, .req = r, .n = n};
                const double t0 = util_now_s();
                rc = run_trace(&cfg, r, n, &x, &st, err, sizeof err);
                const double wall = util_now_s() - t0;
                uint64_t ncmd = 0;
                for (int k = 0; k < DRAM_CMD_COUNT; k++)
                    ncmd += st.cmds[k];
                rate[chk] = (double)ncmd / wall;
                if (chk && !rc && (dram_check_finish(x.chk, x.end), dram_check_total(x.chk))) {
                    cli_err("codesim bench: timing checker found %" PRIu64 " violations\n",
                            dram_check_total(x.chk));
                    rc = -1;
                }
                dram_check_free(x.chk);
            }
            if (!rc) {
                uint64_t ncmd = 0;
                for (int k = 0; k < DRAM_CMD_COUNT; k++)
                    ncmd += st.cmds[k];
                const double bw = bw_gbs(&cfg.dev, &st), peak = dram_peak_bytes_per_s(&cfg.dev) / 1e9;
                printf("%-6s %-7s %9zu %10" PRIu64 " %12.3g %12.3g %10.2f %8.1f%%\n", names[p],
                       random ? "random" : "stream", n, ncmd, rate[0], rate[1], bw,
                       100.0 * bw / peak);
            } else if (err[0]) {
                cli_err("codesim bench: %s\n", err);
            }
            free(r);
        }
    if (!rc) {
        /* Issue 14: an idle gap of 10^12 cycles between two requests; its
         * refreshes are issued in closed form (dram_ctrl_skip_idle). */
        const dram_treq_t gap[2] = {{0, 0, 1, 0}, {1000000000000ull, 64, 2, 0}};
        dram_ctrl_cfg_t cfg;
        dram_ctrl_defaults(&cfg);
        run_ctx_t x = {.chk = dram_check_new(&cfg.dev, 1), .req = gap, .n = 2};
        dram_ctrl_stats_t st;
        const double t0 = util_now_s();
        rc = !x.chk || run_trace(&cfg, gap, 2, &x, &st, err, sizeof err);
        const double ms = (util_now_s() - t0) * 1e3;
        if (!rc)
            printf("HBM2 idle gap of 10^12 cycles: %" PRIu64 " REFs in %.3f ms (checked)\n",
                   st.cmds[DRAM_REF], ms);
        dram_check_free(x.chk);
    }
    return rc ? 1 : 0;
}

/* test_scalesim.c - SCALE-Sim accounting (models/scalesim.h, sim/run/acct.h)
 * against SCALE-Sim v2 itself: ../shared/peers/scale-sim-v2 is run as a
 * subprocess (an argument vector through io_spawn, Debian's /usr/bin/python3
 * with python3-numpy & co from `make scalesim-deps`) on a sample of its
 * shipped layers for os/ws/is on 8x8, 32x32 and 128x128 arrays, USER and
 * CALC, and every layer's Total Cycles, Stall Cycles, SRAM and DRAM access
 * counts must be equal, and the three report files byte for byte the same.  The peer's reports are cached under
 * build/scalesim-peer/<hash of cfg + topology>/, so a second run costs no
 * Python.  `make compare` runs whole topologies (tests/scalesim_compare.sh).
 *
 * A closed form (SCALE-Sim reports folds x lines-per-fold - 1 when nothing
 * stalls; lines per fold T + R + C - 2 for OS, 2R + C + T - 2 for WS/IS)
 * checks the generator without the peer. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../models/scalesim.h"
#include "../models/util.h"
#include "../sim/io/config.h"
#include "../sim/io/spawn.h"
#include "../sim/io/workload.h"
#include "../sim/run/acct.h"
#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

#define PEER CODESIM_ROOT "/../shared/peers/scale-sim-v2"
#define PY "/usr/bin/python3"

/* Rows copied from SCALE-Sim's shipped topologies (file named per row),
 * plus one of ours for what they lack: a depthwise "DP" row, which SCALE-Sim
 * splits into one layer per channel.  Conv16_dw has SCALE-Sim's ceiling
 * output size ((14 - 3 + 2) / 2 = 6.5 -> 7 rows; codesim's default floor
 * gives 6).  The layers are small because the peer is slow (about 30 demand
 * rows per second with 1 kB buffers); `make compare` runs larger ones. */
/* tests/data/scalesim_sample.csv (also in `make compare-scalesim`); its rows:
 *   Conv16_dw          conv_nets/mobilnet_paper.csv
 *   LSTM1              rnn_eval/handwriting_rec.csv
 *   Embedding/Pooling  dlrm/dlrm_fwd.csv
 *   Character_Language_Modelling_gate_x  CSV/DeepBenchLSTM.csv
 *   ConvDP             ours */
#define SAMPLE CODESIM_ROOT "/tests/data/scalesim_sample.csv"

typedef struct {
    const char *df;
    unsigned dim;
    int user;
} combo_t;

static int have_peer(void)
{
    char err[256];
    const char *const argv[] = {PY, "-c", "import numpy, pandas, absl, tqdm", NULL};
    struct stat st;
    return stat(PEER "/scalesim/scale.py", &st) == 0 && access(PY, X_OK) == 0 &&
           io_spawn(argv, "/dev/null", err, sizeof err) == 0;
}

static void make_cfg(char *buf, size_t n, const combo_t *c)
{
    /* USER: small buffers and a narrow port, so that all three ports stall */
    unsigned kb = c->user ? 1 : 64;
    snprintf(buf, n,
             "[general]\nrun_name = t\n\n[architecture_presets]\nArrayHeight: %u\nArrayWidth: %u\n"
             "IfmapSramSzkB: %u\nFilterSramSzkB: %u\nOfmapSramSzkB: %u\nIfmapOffset: 0\n"
             "FilterOffset: 10000000\nOfmapOffset: 20000000\nBandwidth : %u\nDataflow : %s\n"
             "MemoryBanks: 1\n\n[run_presets]\nInterfaceBandwidth: %s\n",
             c->dim, c->dim, kb, kb, kb, c->user ? 4u : 10u, c->df, c->user ? "USER" : "CALC");
}

/* Runs the peer (or finds its cached reports); fills dir with the report
 * folder. */
static void peer_reports(const char *cfg_text, const char *topo_text, char *dir, size_t n)
{
    uint64_t h = util_fnv1a(UTIL_FNV_INIT, cfg_text, strlen(cfg_text));
    h = util_fnv1a(h, topo_text, strlen(topo_text));
    char base[1024];
    snprintf(base, sizeof base, CODESIM_ROOT "/build/scalesim-peer/%016" PRIx64, h);
    snprintf(dir, n, "%s/out/t", base);
    char probe[2400];
    snprintf(probe, sizeof probe, "%s/COMPUTE_REPORT.csv", dir);
    if (access(probe, R_OK) == 0)
        return;
    mkdir(CODESIM_ROOT "/build", 0777);
    mkdir(CODESIM_ROOT "/build/scalesim-peer", 0777);
    mkdir(base, 0777);
    char cfg[1100], topo[1100], out[1100], log[1100];
    snprintf(cfg, sizeof cfg, "%s/t.cfg", base);
    snprintf(topo, sizeof topo, "%s/topo.csv", base);
    snprintf(out, sizeof out, "%s/out", base);
    snprintf(log, sizeof log, "%s/peer.log", base);
    test_write(cfg, cfg_text);
    test_write(topo, topo_text);
    char err[256];
    /* PYTHONPATH through env: no shell; no .pyc into the read-only peer */
    const char *const argv[] = {"env", "PYTHONPATH=" PEER, "PYTHONDONTWRITEBYTECODE=1", PY,
                                PEER "/scalesim/scale.py", "-c", cfg, "-t", topo, "-p", out, NULL};
    int rc = io_spawn(argv, log, err, sizeof err);
    ck_assert_msg(rc == 0, "SCALE-Sim failed (%d %s), see %s", rc, rc < 0 ? err : "", log);
}

/* Column col (0 = LayerID) of data row `row` of a SCALE-Sim report. */
static int report_field(const char *path, size_t row, size_t col, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    char line[4096];
    size_t r = 0;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (r++ != row + 1)
            continue;
        char *s = line;
        for (size_t c = 0; c < col && s; c++) {
            s = strchr(s, ',');
            if (s)
                s++;
        }
        if (s) {
            while (*s == ' ')
                s++;
            size_t k = strcspn(s, ",\n");
            snprintf(out, n, "%.*s", (int)k, s);
            found = 1;
        }
        break;
    }
    fclose(f);
    return found;
}

static int64_t report_int(const char *dir, const char *file, size_t row, size_t col)
{
    char path[2400], v[64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    ck_assert_msg(report_field(path, row, col, v, sizeof v), "%s: no row %zu col %zu", path, row, col);
    return (int64_t)strtod(v, NULL);
}

static size_t report_rows(const char *dir, const char *file)
{
    char path[2400], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s", path);
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        n++;
    fclose(f);
    return n ? n - 1 : 0;
}

static void read_text(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
}

static void check_combo(const combo_t *c)
{
    char cfg_text[1024], dir[1200], err[512], sample_topo[4096];
    read_text(SAMPLE, sample_topo, sizeof sample_topo);
    make_cfg(cfg_text, sizeof cfg_text, c);
    peer_reports(cfg_text, sample_topo, dir, sizeof dir);

    /* codesim: the same two files through its own readers */
    char tmp[64];
    test_tmpdir(tmp, sizeof tmp, "scalesim");
    char cfg[128], topo[128];
    snprintf(cfg, sizeof cfg, "%s/t.cfg", tmp);
    snprintf(topo, sizeof topo, "%s/t.csv", tmp);
    test_write(cfg, cfg_text);
    test_write(topo, sample_topo);
    hw_cfg_t hw;
    workload_t wl;
    ck_assert_msg(hw_load(cfg, &hw, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(hw.accounting, c->user ? HW_ACCT_SCALESIM : HW_ACCT_SCALESIM_CALC);
    ck_assert_msg(workload_load(topo, &wl, err, sizeof err) == 0, "%s", err);
    acct_result_t res;
    ck_assert_msg(acct_run(&hw, &wl, &res, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(res.count, report_rows(dir, "COMPUTE_REPORT.csv"));
    for (size_t i = 0; i < res.count; i++) {
        const scalesim_stats_t *s = &res.rows[i].st;
        const char *what = res.rows[i].name;
        ck_assert_msg((int64_t)s->total_cycles == report_int(dir, "COMPUTE_REPORT.csv", i, 1),
                      "%s %ux%u %s %s: total %" PRIu64 " vs SCALE-Sim %" PRId64, c->df, c->dim,
                      c->dim, c->user ? "USER" : "CALC", what, s->total_cycles,
                      report_int(dir, "COMPUTE_REPORT.csv", i, 1));
        ck_assert_msg((int64_t)s->stall_cycles == report_int(dir, "COMPUTE_REPORT.csv", i, 2),
                      "%s %ux%u %s %s: stall %" PRIu64 " vs SCALE-Sim %" PRId64, c->df, c->dim,
                      c->dim, c->user ? "USER" : "CALC", what, s->stall_cycles,
                      report_int(dir, "COMPUTE_REPORT.csv", i, 2));
        for (int op = 0; op < 3; op++) {
            ck_assert_msg((int64_t)s->sram_access[op] ==
                              report_int(dir, "DETAILED_ACCESS_REPORT.csv", i, 3 + 3 * (size_t)op),
                          "%s %s: SRAM count %d", c->df, what, op);
            ck_assert_msg((int64_t)s->dram_access[op] ==
                                  report_int(dir, "DETAILED_ACCESS_REPORT.csv", i, 12 + 3 * (size_t)op),
                              "%s %ux%u %s: DRAM count %d: %" PRIu64 " vs %" PRId64, c->df, c->dim,
                              c->dim, what, op, s->dram_access[op],
                              report_int(dir, "DETAILED_ACCESS_REPORT.csv", i, 12 + 3 * (size_t)op));
        }
    }
    /* and the three report files, byte for byte */
    ck_assert_msg(acct_write_csv(&res, tmp, err, sizeof err) == 0, "%s", err);
    static const char *const files[] = {"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv",
                                        "DETAILED_ACCESS_REPORT.csv"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        char a[2400], b[200];
        static char ta[1 << 16], tb[1 << 16];
        snprintf(a, sizeof a, "%s/%s", dir, files[i]);
        snprintf(b, sizeof b, "%s/%s", tmp, files[i]);
        read_text(a, ta, sizeof ta);
        read_text(b, tb, sizeof tb);
        ck_assert_msg(strcmp(ta, tb) == 0, "%s %ux%u %s: %s differs from SCALE-Sim's:\n%s\nvs\n%s",
                      c->df, c->dim, c->dim, c->user ? "USER" : "CALC", files[i], tb, ta);
    }
    acct_result_free(&res);
    workload_free(&wl);
    hw_free(&hw);
    test_rmtree(tmp);
}

static const combo_t combos[] = {
    {"os", 8, 1},  {"ws", 8, 1},  {"is", 8, 1},  {"os", 8, 0},  {"ws", 8, 0},  {"is", 8, 0},
    {"os", 32, 1}, {"ws", 32, 1}, {"is", 32, 1}, {"os", 32, 0}, {"ws", 32, 0}, {"is", 32, 0},
    {"os", 128, 1}, {"ws", 128, 1}, {"is", 128, 1}, {"os", 128, 0}, {"ws", 128, 0}, {"is", 128, 0},
};

START_TEST(accounting_equals_scalesim_v2_on_its_layers)
{
    if (!have_peer()) {
        fprintf(stderr, "scalesim: SKIPPED: " PY " with numpy, pandas, absl and tqdm or the peer in "
                        PEER " is missing (make scalesim-deps installs the packages)\n");
        return;
    }
    check_combo(&combos[_i]);
}
END_TEST

/* Without the peer: nothing stalls (CALC, large buffers) -> SCALE-Sim's
 * reported total is the last cycle's index, folds x lines-per-fold - 1. */
START_TEST(calc_total_is_folds_times_lines_minus_one)
{
    const struct {
        scalesim_df_t df;
        uint32_t r, c;
        scalesim_layer_t l;
    } cases[] = {
        {SCALESIM_OS, 8, 8, {16, 16, 3, 3, 4, 8, 1}},
        {SCALESIM_WS, 8, 4, {16, 16, 3, 3, 4, 8, 1}},
        {SCALESIM_IS, 4, 8, {10, 10, 3, 3, 4, 12, 2}},
        {SCALESIM_OS, 5, 7, {33, 17, 5, 3, 3, 9, 3}},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        scalesim_cfg_t cfg = {.rows = cases[i].r, .cols = cases[i].c, .ifmap_bytes = 1 << 20,
                              .filter_bytes = 1 << 20, .ofmap_bytes = 1 << 20, .user_bw = 0,
                              .df = cases[i].df, .filter_off = 10000000, .ofmap_off = 20000000};
        const scalesim_layer_t *l = &cases[i].l;
        uint64_t oh = (l->ifmap_h - l->filt_h + l->stride + l->stride - 1) / l->stride;
        uint64_t ow = (l->ifmap_w - l->filt_w + l->stride + l->stride - 1) / l->stride;
        uint64_t px = oh * ow, win = l->filt_h * l->filt_w * l->channels, nf = l->filters;
        uint64_t R = cfg.rows, C = cfg.cols, Sr, Sc, T, per;
        if (cfg.df == SCALESIM_OS) { Sr = px; Sc = nf; T = win; per = T + R + C - 2; }
        else if (cfg.df == SCALESIM_WS) { Sr = win; Sc = nf; T = px; per = 2 * R + C + T - 2; }
        else { Sr = win; Sc = px; T = nf; per = 2 * R + C + T - 2; }
        uint64_t folds = ((Sr + R - 1) / R) * ((Sc + C - 1) / C);
        scalesim_stats_t st;
        char err[256];
        ck_assert_msg(scalesim_run_layer(&cfg, l, &st, err, sizeof err) == 0, "%s", err);
        ck_assert_uint_eq(st.stall_cycles, 0);
        ck_assert_uint_eq(st.total_cycles, folds * per - 1);
    }
}
END_TEST

/* The report files of a second run into the same folder: an earlier
 * run's regular file is removed and written anew (sim/run/acct.c, not
 * truncated: see there), so a longer old file leaves nothing behind; a
 * symbolic link in its place is written through, not replaced. */
START_TEST(reports_rewritten_in_place_of_old_files_and_through_links)
{
    char tmp[64], err[512], cfg_text[1024];
    test_tmpdir(tmp, sizeof tmp, "scalesim");
    char cfg[128], topo[128], rep[160], real[160], junk[8192];
    static char first[1 << 16], again[1 << 16], topo_text[1 << 16];
    snprintf(cfg, sizeof cfg, "%s/t.cfg", tmp);
    snprintf(topo, sizeof topo, "%s/t.csv", tmp);
    snprintf(rep, sizeof rep, "%s/COMPUTE_REPORT.csv", tmp);
    snprintf(real, sizeof real, "%s/real.csv", tmp);
    const combo_t c = {"ws", 8, 1};
    make_cfg(cfg_text, sizeof cfg_text, &c);
    read_text(SAMPLE, topo_text, sizeof topo_text);
    test_write(cfg, cfg_text);
    test_write(topo, topo_text);
    hw_cfg_t hw;
    workload_t wl;
    acct_result_t res;
    ck_assert_msg(hw_load(cfg, &hw, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(workload_load(topo, &wl, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(acct_run(&hw, &wl, &res, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(acct_write_csv(&res, tmp, err, sizeof err) == 0, "%s", err);
    read_text(rep, first, sizeof first);
    ck_assert_uint_gt(strlen(first), 50);
    /* an old report three times as long as the new one */
    memset(junk, 'x', sizeof junk - 1);
    junk[sizeof junk - 1] = '\0';
    test_write(rep, junk);
    ck_assert_msg(acct_write_csv(&res, tmp, err, sizeof err) == 0, "%s", err);
    read_text(rep, again, sizeof again);
    ck_assert_str_eq(again, first);
    /* a link in the report's place: written through */
    ck_assert_int_eq(rename(rep, real), 0);
    test_write(real, junk);
    ck_assert_int_eq(symlink("real.csv", rep), 0);
    ck_assert_msg(acct_write_csv(&res, tmp, err, sizeof err) == 0, "%s", err);
    struct stat sb;
    ck_assert_int_eq(lstat(rep, &sb), 0);
    ck_assert_msg(S_ISLNK(sb.st_mode), "the link was replaced by a file");
    read_text(real, again, sizeof again);
    ck_assert_str_eq(again, first);
    static const char *const names[] = {"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv",
                                        "DETAILED_ACCESS_REPORT.csv", "real.csv", "t.cfg", "t.csv"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char path[200];
        snprintf(path, sizeof path, "%s/%s", tmp, names[i]);
        unlink(path);
    }
    ck_assert_int_eq(rmdir(tmp), 0);
    acct_result_free(&res);
    workload_free(&wl);
    hw_free(&hw);
}
END_TEST

/* acct_run itself names every option of the machine that SCALE-Sim's plain
 * array leaves out (the commands only print its notes): none on a plain
 * machine, one per option set, each naming its option, and the notes kept
 * when the run fails. */
START_TEST(acct_run_notes_each_option_it_ignores)
{
    static const char *const opts[] = {"addertree", "cube", "matrix2d", "lut", "array.os_drain",
                                       "array.compressed", "array.conv_reads", "dram.timing"};
    char err[256];
    workload_t wl;
    ck_assert_msg(workload_load(CODESIM_ROOT "/traces/scalesim_conv.csv", &wl, err, sizeof err) ==
                      0, "%s", err);
    for (size_t set = 0; set <= ARRAY_LEN(opts) + 1; set++) {
        /* set < 8: that option alone; 8: none; 9: all, on a 0-row array */
        hw_cfg_t hw;
        hw_defaults(&hw);
        hw.accounting = HW_ACCT_SCALESIM;
        const int all = set == ARRAY_LEN(opts) + 1;
        for (int k = 0; k < TE_KINDS; k++)
            hw.has_te[k] = all || set == (size_t)k;
        hw.has_lut = all || set == 3;
        hw.array.os_drain = all || set == 4 ? SYSTOLIC_DRAIN_OVERLAP : SYSTOLIC_DRAIN_SERIAL;
        hw.array.compressed = all || set == 5;
        hw.conv_unique = all || set == 6;
        hw.dma.timing = all || set == 7 ? DMA_CONTROLLER : DMA_FIXED;
        if (all)
            hw.array.rows = 0;
        acct_result_t res;
        const int rc = acct_run(&hw, &wl, &res, err, sizeof err);
        ck_assert_int_eq(rc, all ? -1 : 0);
        ck_assert_uint_eq(res.nnotes, all ? ARRAY_LEN(opts) : set < ARRAY_LEN(opts) ? 1 : 0);
        for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
            if (!all && i != set)
                continue;
            char want[128];
            snprintf(want, sizeof want, "scalesim accounting counts SCALE-Sim's plain array; %s "
                     "is not part of it", opts[i]);
            int found = 0;
            for (size_t n = 0; n < res.nnotes; n++)
                found += strstr(res.notes[n], want) != NULL;
            ck_assert_msg(found == 1, "option %s: %d notes name it", opts[i], found);
        }
        acct_result_free(&res);
    }
    workload_free(&wl);
}
END_TEST

/* The README's "Default-mode differences" commands for the compute gap,
 * run as a user runs them: the codesim binary on configs/scalesim_os8.cfg
 * and configs/scalesim_ws8.cfg with tests/data/scalesim_gemm64.csv, once
 * in SCALE-Sim accounting (COMPUTE_REPORT.csv: Total - Stall Cycles) and
 * once with --accounting rtl (the JSON's compute_cycles).  The difference
 * must be the closed form the README states, computed here from the shape
 * (64 x 64 x 64 GEMM, 8x8 array): 2 + folds x (R + 1) for OS, 2 + folds for
 * WS, folds = ceil(M/R) x ceil(N/C) (OS) or ceil(K/R) x ceil(N/C) (WS). */
static int64_t json_int(const char *path, const char *key)
{
    static char text[1 << 16];
    read_text(path, text, sizeof text);
    const char *p = strstr(text, key);
    ck_assert_msg(p != NULL, "%s: no %s", path, key);
    p = strchr(p, ':');
    ck_assert_ptr_nonnull(p);
    return (int64_t)strtoll(p + 1, NULL, 10);
}

START_TEST(readme_closed_form)
{
    const uint64_t M = 64, N = 64, K = 64, R = 8, C = 8; /* tests/data/scalesim_gemm64.csv, *8.cfg */
    static const char *const dfs[] = {"os", "ws"};
    char tmp[64], err[256];
    test_tmpdir(tmp, sizeof tmp, "ssreadme");
    for (size_t i = 0; i < ARRAY_LEN(dfs); i++) {
        char cfg[600], csv[200], json[200], db[200], log[200];
        snprintf(cfg, sizeof cfg, CODESIM_ROOT "/configs/scalesim_%s8.cfg", dfs[i]);
        snprintf(csv, sizeof csv, "%s/%s", tmp, dfs[i]);
        snprintf(json, sizeof json, "%s/%s.json", tmp, dfs[i]);
        snprintf(db, sizeof db, "%s/r.db", tmp);
        snprintf(log, sizeof log, "%s/log", tmp);
        const char *const ss[] = {test_bin(), "run", "--hw", cfg, "--workload",
                                  CODESIM_ROOT "/tests/data/scalesim_gemm64.csv", "--csv", csv,
                                  "--db", db, NULL};
        ck_assert_msg(io_spawn(ss, log, err, sizeof err) == 0, "%s (%s)", err, log);
        const char *const rtl[] = {test_bin(), "run", "--hw", cfg, "--workload",
                                   CODESIM_ROOT "/tests/data/scalesim_gemm64.csv",
                                   "--accounting", "rtl", "--json", json, "--db", db, NULL};
        ck_assert_msg(io_spawn(rtl, log, err, sizeof err) == 0, "%s (%s)", err, log);
        const int64_t ss_compute = report_int(csv, "COMPUTE_REPORT.csv", 0, 1) -
                                   report_int(csv, "COMPUTE_REPORT.csv", 0, 2);
        const int64_t cs_compute = json_int(json, "\"compute_cycles\"");
        const int os = i == 0;
        const uint64_t folds = os ? ((M + R - 1) / R) * ((N + C - 1) / C)
                                  : ((K + R - 1) / R) * ((N + C - 1) / C);
        const int64_t expect = (int64_t)(2 + folds * (os ? R + 1 : 1));
        ck_assert_msg(cs_compute - ss_compute == expect,
                      "%s: codesim %" PRId64 " - SCALE-Sim %" PRId64 " != %" PRId64, dfs[i],
                      cs_compute, ss_compute, expect);
    }
    test_rmtree(tmp);
}
END_TEST

Suite *scalesim_suite(void)
{
    Suite *s = suite_create("scalesim");
    TCase *tc = tcase_create("peer");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, calc_total_is_folds_times_lines_minus_one);
    tcase_add_test(tc, reports_rewritten_in_place_of_old_files_and_through_links);
    tcase_add_test(tc, readme_closed_form);
    tcase_add_test(tc, acct_run_notes_each_option_it_ignores);
    tcase_add_loop_test(tc, accounting_equals_scalesim_v2_on_its_layers, 0, (int)ARRAY_LEN(combos));
    suite_add_tcase(s, tc);
    return s;
}

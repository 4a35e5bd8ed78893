/* test_sweep.c - sweep files, sweeps run by the real binary ($CODESIM_BIN):
 * every point stored, resume, SIGKILL and rerun, shards run by GNU parallel
 * and merged against one unsharded run, the Slurm script under a stand-in
 * sbatch, Pareto against a brute-force dominance filter, database strings
 * escaped in the report (its plots: tests/test_report.c), and bad inputs. */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../sim/explore/sweep.h"
#include "../models/util.h"
#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

Suite *sweep_suite(void);

/* ---- helpers ----------------------------------------------------------------- */

static void put(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    test_write(p, text);
}

static long long q_int(const char *db, const char *q)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    ck_assert_msg(sqlite3_prepare_v2(s, q, -1, &st, NULL) == SQLITE_OK, "%s: %s", q,
                  sqlite3_errmsg(s));
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static char *q_text(const char *db, const char *q)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(s, q, -1, &st, NULL) == SQLITE_OK, "%s: %s", q,
                  sqlite3_errmsg(s));
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(s);
    return out ? out : strdup("");
}

/* Everything a sweep point stores, as one text, order-independent. */
static const char digest_sql[] =
    "SELECT group_concat(r, ';') FROM (SELECT p.config_hash || ':' || p.workload_hash || ':' ||"
    " p.params || ':' || ifnull(p.total_cycles, 'x') || ':' || ifnull(p.macs, 'x') || ':' ||"
    " ifnull(p.dram_bytes, 'x') || ':' || ifnull(p.error, '') || ':' ||"
    " ifnull(printf('%.9g', p.area_mm2), 'null') || ':' ||"
    " ifnull(printf('%.9g', p.energy_pj), 'null') || ':' ||"
    " ifnull((SELECT group_concat(l.name || '=' || l.total_cycles || '/' || l.dram_read_bytes, ',')"
    "   FROM layers l WHERE l.run_id = p.run_id), '') || ':' ||"
    " ifnull((SELECT count(*) FROM breakdowns b WHERE b.run_id = p.run_id), 0) AS r"
    " FROM sweep_points p ORDER BY p.config_hash, p.workload_hash)";

/* A 24-point sweep of tests/data/tiny.csv: 2 x 3 x 2 x 2. */
static void small_sweep(const char *dir)
{
    put(dir, "small.yaml",
        "name: small\n"
        "workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\n"
        "params:\n"
        "  array.rows: [4, 8]\n"
        "  array.cols: {from: 2, to: 8, times: 2}\n"
        "  array.dataflow: [os, ws]\n"
        "  sram.ifmap_kib: {from: 4, to: 8, step: 4}\n");
}

/* ---- expansion ------------------------------------------------------------------ */

START_TEST(test_sweep_expansion_counts_and_point_order)
{
    char dir[64], path[128], err[512];
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    put(dir, "two.csv", "Layer,M,N,K\nx,8,8,8\n");
    put(dir, "multi.yaml",
        "name: multi\n"
        "workloads: [" CODESIM_ROOT "/tests/data/tiny.csv, two.csv]\n"
        "params:\n"
        "  array.rows: {from: 3, to: 20, step: 4}\n"   /* 3 7 11 15 19 */
        "  sram.ofmap_bytes: [4096, 8192, 65536]\n"
        "  dram.bytes_per_cycle: {from: 1, to: 100, times: 3}\n"); /* 1 3 9 27 81 */
    sweep_t sw;
    snprintf(path, sizeof path, "%s/small.yaml", dir);
    ck_assert_msg(sweep_load(path, &sw, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(sw.npoints, 2 * 3 * 2 * 2);
    /* Point 15 = ((1*3 + 0)*2 + 1)*2 + 1: rows 8, cols 2, ws, ifmap 8 KiB. */
    sweep_point_t pt;
    ck_assert_int_eq(sweep_point(&sw, 15, &pt, err, sizeof err), 0);
    ck_assert_uint_eq(pt.hw.array.rows, 8);
    ck_assert_uint_eq(pt.hw.array.cols, 2);
    ck_assert_int_eq(pt.hw.array.dataflow, SYSTOLIC_WS);
    ck_assert_uint_eq(pt.hw.sram.ifmap_bytes, 8 * 1024);
    char *params = sweep_params_text(&sw, 15);
    ck_assert_str_eq(params, "array.rows=8 array.cols=2 array.dataflow=ws sram.ifmap_kib=8");
    free(params);
    ck_assert_ptr_null(sweep_params_text(&sw, sw.npoints));
    /* Every point distinct. */
    for (size_t i = 0; i < sw.npoints; i++)
        for (size_t j = 0; j < i; j++) {
            sweep_point_t a, b;
            sweep_point(&sw, i, &a, err, sizeof err);
            sweep_point(&sw, j, &b, err, sizeof err);
            ck_assert_str_ne(a.config_hash, b.config_hash);
        }
    ck_assert_int_eq(sweep_point(&sw, sw.npoints, &pt, err, sizeof err), -1);
    sweep_free(&sw);

    snprintf(path, sizeof path, "%s/multi.yaml", dir);
    ck_assert_msg(sweep_load(path, &sw, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(sw.npoints, 5 * 3 * 5 * 2);
    /* Last point: rows 19, ofmap 65536, bpc 81, workload two.csv. */
    ck_assert_int_eq(sweep_point(&sw, sw.npoints - 1, &pt, err, sizeof err), 0);
    ck_assert_uint_eq(pt.hw.array.rows, 19);
    ck_assert_uint_eq(pt.hw.sram.ofmap_bytes, 65536);
    ck_assert_uint_eq(pt.hw.dma.bytes_per_cycle, 81);
    ck_assert_uint_eq(pt.workload, 1);
    /* The same hardware under both workloads has one config hash. */
    sweep_point_t q;
    ck_assert_int_eq(sweep_point(&sw, sw.npoints - 2, &q, err, sizeof err), 0);
    ck_assert_str_eq(q.config_hash, pt.config_hash);
    ck_assert_str_ne(sw.workloads[0].hash, sw.workloads[1].hash);
    sweep_free(&sw);
    test_rmtree(dir);
}
END_TEST

START_TEST(test_sweep_bad_files_name_line_and_key)
{
    static const struct {
        const char *params;   /* after "params:\n" */
        const char *want;     /* in the message, after the file name */
    } bad[] = {
        {"  array.rows: []\n", ":3: array.rows: empty set"},
        {"  array.rows: {from: 16, to: 8}\n", ":3: array.rows: empty range"},
        {"  array.rows: {from: 1, to: 8, step: 0}\n", ":3: array.rows: step must be"},
        {"  array.rows: {from: 1, to: 8, step: 1, times: 2}\n", ":3: array.rows: a range takes"},
        {"  array.rows: {from: 1, to: 8, by: 2}\n", ":3: array.rows.by: unknown range key"},
        {"  array.rows: {to: 8}\n", ":3: array.rows: a range needs"},
        {"  array.rowz: [4]\n", ":3: array.rowz: unknown key"},
        {"  lut.size: [4]\n", ":3: lut.size: unknown key"},
        {"  array.rows: [4, 8, 4]\n", ":3: array.rows: '4' repeats '4'"},
        {"  array.rows: [4, 04]\n", ":3: array.rows: '04' repeats '4'"},
        {"  sram.ifmap_kib: [4]\n  sram.ifmap_bytes: [4096]\n",
         ":4: sram.ifmap_bytes: sets the same field as sram.ifmap_kib on line 3"},
        {"  array.rows: [8, 0]\n", ":3: array.rows: 0 is outside"},
        {"  sram.ifmap_kib: [0, 4]\n", ":3: sram.ifmap_kib:"},
        {"  array.dataflow: [os, xs]\n", ":3: array.dataflow: 'xs' is not a dataflow"},
        {"  array.rows: [a]\n", ":3: array.rows: 'a' is not a whole number"},
        {"  array.rows: {from: 1, to: 1000000000, step: 1}\n", "more than"},
        /* newuser2 defect 13: a whole number, too large, is not "not a whole number" */
        {"  array.rows: {from: 1, to: 18446744073709551615, step: 1}\n",
         ":3: array.rows.to: 18446744073709551615 is too large (at most 999999999999999999)"},
    };
    char dir[64], path[128], err[512], text[512];
    test_tmpdir(dir, sizeof dir, "sweep");
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text,
                 "workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\nparams:\n%s", bad[i].params);
        put(dir, "bad.yaml", text);
        sweep_t sw;
        err[0] = '\0';
        ck_assert_int_eq(sweep_load(path, &sw, err, sizeof err), -1);
        ck_assert_msg(strstr(err, path) == err && strstr(err, bad[i].want),
                      "case %zu: want \"%s\" in: %s", i, bad[i].want, err);
        ck_assert_ptr_null(strchr(err, '\n'));
    }
    static const struct {
        const char *text;
        const char *want;
    } top[] = {
        {"params: {array.rows: [4]}\n", ": workloads: missing"},
        {"workloads: []\n", ":1: workloads: empty list"},
        {"workloads: [nosuch.csv]\n", ":1: workloads: "},
        {"workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\ncolour: red\n", ":2: colour: unknown key"},
        {"workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\npath: slow\n", ":2: path: 'slow'"},
        {"workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\ntech: 3nm\n", ":2: tech: "},
        {"workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\nhw: none.yaml\n", ":2: hw: "},
        {"name: a\nname: b\nworkloads: [x]\n", ":2: name: duplicated key"},
        {"workloads: [a.csv\n", "YAML syntax error"},
        {"", "empty file"},
    };
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
        put(dir, "bad.yaml", top[i].text);
        sweep_t sw;
        err[0] = '\0';
        ck_assert_int_eq(sweep_load(path, &sw, err, sizeof err), -1);
        ck_assert_msg(strstr(err, path) == err && strstr(err, top[i].want),
                      "top case %zu: want \"%s\" in: %s", i, top[i].want, err);
    }
    test_rmtree(dir);
}
END_TEST

/* A second document (with its out-of-range values) was ignored, and
 * 100,000 levels of nesting took the loader seconds: both refused, fast. */
START_TEST(test_sweep_second_document_or_deep_nesting_is_refused)
{
    char dir[64], path[128], err[512];
    test_tmpdir(dir, sizeof dir, "sweep");
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    put(dir, "bad.yaml", "workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\n"
                         "params: {array.rows: [4]}\n---\nparams: {array.rows: [0]}\n");
    sweep_t sw;
    ck_assert_int_eq(sweep_load(path, &sw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) == err && strstr(err, ":4: more than one YAML document"), "%s",
                  err);

    const size_t depth = 100000;
    const char head[] = "workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\nparams: {array.rows: ";
    char *text = malloc(sizeof head + 2 * depth + 8);
    ck_assert_ptr_nonnull(text);
    char *p = text + sizeof head - 1;
    memcpy(text, head, sizeof head - 1);
    memset(p, '[', depth);
    p += depth;
    *p++ = '4';
    memset(p, ']', depth);
    strcpy(p + depth, "}\n");
    put(dir, "bad.yaml", text);
    free(text);
    const double t0 = util_now_s();
    ck_assert_int_eq(sweep_load(path, &sw, err, sizeof err), -1);
    const double dt = util_now_s() - t0;
    ck_assert_msg(strstr(err, path) == err && strstr(err, ":2: nested deeper than 64 levels"), "%s",
                  err);
    ck_assert_msg(dt < 1.0, "took %.2f s", dt);
    test_rmtree(dir);
}
END_TEST

/* Found by a new-user pass (newuser2 defect 9): sweep_points.params was
 * built in a 512-byte buffer and cut silently at 511 bytes, so points of a
 * sweep of 30 parameters could not be told apart or rebuilt from it.  Each
 * point's params, read back from the database, is every key=value in file
 * order, composed here from the file's own list. */
START_TEST(test_sweep_long_params_are_stored_whole)
{
    static const char *const kv[][2] = {
        {"array.rows", "8"}, {"array.cols", "8"}, {"array.dataflow", "os"},
        {"array.in_bits", "8"}, {"array.w_bits", "8"}, {"array.acc_bits", "32"},
        {"array.os_drain", "serial"}, {"array.compressed", "false"},
        {"array.ws_out_reg", "true"}, {"array.conv_reads", "im2col"},
        {"array.accounting", "rtl"}, {"sram.ifmap_kib", "512"}, {"sram.filter_kib", "512"},
        {"sram.ofmap_kib", "256"}, {"dram.bytes_per_cycle", "32"}, {"dram.page_policy", "open"},
        {"dram.scheduler", "frfcfs"}, {"dram.queue_depth", "32"},
        {"dram.write_queue_depth", "0"}, {"dram.row_hit_cap", "0"}, {"npu.cores", "1"},
        {"npu.freq_mhz", "1000"}, {"npu.vector_lanes", "64"}, {"npu.vector_latency", "8"},
        {"dram.refresh", "on"}, {"dram.bank_queue_depth", "0"}, {"dram.write_high", "0"},
        {"dram.write_low", "0"}, {"dram.write_idle", "0"}, {"dram.dual_issue", "off"},
        {"dram.refresh_first", "0"},
    };
    const size_t n = sizeof kv / sizeof kv[0];
    char dir[64], db[128], out[8192], yaml[4096], want[2][2048];
    test_tmpdir(dir, sizeof dir, "sweep");
    snprintf(db, sizeof db, "%s/long.db", dir);
    size_t y = (size_t)snprintf(yaml, sizeof yaml, "name: long\nworkloads: [" CODESIM_ROOT
                                "/tests/data/tiny.csv]\nparams:\n");
    size_t w[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        /* array.rows swept over 8 and 9: two points that differ only there. */
        y += (size_t)snprintf(yaml + y, sizeof yaml - y, "  %s: [%s%s]\n", kv[i][0], kv[i][1],
                              i == 0 ? ", 9" : "");
        for (int p = 0; p < 2; p++)
            w[p] += (size_t)snprintf(want[p] + w[p], sizeof want[p] - w[p], "%s%s=%s",
                                     i ? " " : "", kv[i][0], i == 0 && p ? "9" : kv[i][1]);
    }
    ck_assert_uint_lt(y, sizeof yaml - 1);
    ck_assert_uint_gt(w[0], 511); /* past the old 511-byte cut */
    put(dir, "long.yaml", yaml);
    int rc = test_popen(out, sizeof out, 1, "%s sweep %s/long.yaml --db %s", test_bin(), dir, db);
    ck_assert_msg(rc == 0, "%s", out);
    for (int p = 0; p < 2; p++) {
        char q[96];
        snprintf(q, sizeof q, "SELECT params FROM sweep_points WHERE point = %d", p);
        char *got = q_text(db, q);
        ck_assert_str_eq(got, want[p]);
        free(got);
    }
    test_rmtree(dir);
}
END_TEST

/* Found by tests/fuzz/fuzz_sweep_yaml's large inputs: duplicated keys were
 * looked for by comparing every key with every earlier one before any key
 * was checked, so a 400 KB file of 30,000 params keys took minutes.  Now
 * sorted: refused at once, naming the same repeat the pairwise search named
 * (the first in file order, with its first occurrence). */
START_TEST(test_sweep_many_keys_are_checked_in_n_log_n)
{
    char dir[64], path[128], err[512];
    test_tmpdir(dir, sizeof dir, "sweep");
    snprintf(path, sizeof path, "%s/many.yaml", dir);
    const size_t n = 30000;
    const char head[] = "workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\nparams:\n";
    char *text = malloc(sizeof head + n * 16 + 64);
    ck_assert_ptr_nonnull(text);
    char *p = text + sprintf(text, "%s", head);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "  k%zu: [1]\n", i);
    /* Repeats of k7 (line 3 + 7) and k5 (line 3 + 5), k7's first. */
    sprintf(p, "  k7: [2]\n  k5: [2]\n");
    put(dir, "many.yaml", text);
    sweep_t sw;
    clock_t t0 = clock(); /* CPU time: the machine may be busy */
    ck_assert_int_eq(sweep_load(path, &sw, err, sizeof err), -1);
    double dt = (double)(clock() - t0) / CLOCKS_PER_SEC;
    char want[128];
    snprintf(want, sizeof want, ":%zu: k7: duplicated key (first on line 10)", n + 3);
    ck_assert_msg(strstr(err, want) != NULL, "got '%s', want '%s'", err, want);
    ck_assert_msg(dt < 1.0, "took %.2f s of CPU", dt);

    /* Without repeats: the first key is refused as unknown, as fast. */
    sprintf(p, "  k%zu: [1]\n", n);
    put(dir, "many.yaml", text);
    t0 = clock();
    ck_assert_int_eq(sweep_load(path, &sw, err, sizeof err), -1);
    dt = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ck_assert_msg(strstr(err, ":3:") != NULL && strstr(err, "k0"), "%s", err);
    ck_assert_msg(dt < 1.0, "took %.2f s of CPU", dt);
    free(text);
    test_rmtree(dir);
}
END_TEST

/* ---- Pareto ---------------------------------------------------------------------- */

/* q dominates p: no worse in both, better in one. */
static int dominates(double qx, double qy, double px, double py)
{
    return qx <= px && qy <= py && (qx < px || qy < py);
}

START_TEST(test_sweep_pareto_equals_brute_force_dominance)
{
    unsigned seed = 12345;
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + (size_t)(rand_r(&seed) % 60);
        double x[60], y[60];
        int keep[60];
        for (size_t i = 0; i < n; i++) {
            /* Few distinct values: many ties in x, in y and in both. */
            x[i] = (double)(rand_r(&seed) % 8);
            y[i] = (double)(rand_r(&seed) % 8);
            if (rand_r(&seed) % 17 == 0)
                y[i] = NAN;
        }
        ck_assert_int_eq(sweep_pareto(x, y, n, keep), 0);
        for (size_t i = 0; i < n; i++) {
            int dom = y[i] != y[i];
            for (size_t j = 0; j < n && !dom; j++)
                dom = y[j] == y[j] && dominates(x[j], y[j], x[i], y[i]);
            ck_assert_msg(keep[i] == !dom, "trial %d point %zu (%g, %g)", trial, i, x[i], y[i]);
        }
    }
}
END_TEST

/* ---- runs of the real binary ------------------------------------------------------ */

START_TEST(test_sweep_run_stores_every_point_and_resume_computes_none)
{
    char dir[64], out[8192];
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    int rc = test_popen(out, sizeof out, 1, "%s sweep %s/small.yaml --db %s/s.db --jobs 2", test_bin(), dir, dir);
    ck_assert_msg(rc == 0, "%s", out);
    ck_assert_msg(strstr(out, "ran 24 in"), "%s", out);
    char db[128];
    snprintf(db, sizeof db, "%s/s.db", dir);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points"), 24);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points WHERE error IS NULL"), 24);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), 24);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM layers"), 48);
    /* The MACs of tiny.csv by hand: 24*20*40 + 7*13*3 = 19473 per point. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points WHERE macs = 19473"), 24);
    /* Utilization by hand from the stored counts. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points WHERE abs(utilization -"
                               " 19473.0 / (rows * cols * total_cycles)) > 1e-12"), 0);
    /* Area columns filled, with a breakdown adding up to them. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points p WHERE area_mm2 > 0 AND"
                               " abs((SELECT sum(value) FROM breakdowns b WHERE b.run_id = p.run_id"
                               " AND kind = 'area_um2') * 1e-6 - area_mm2) < 1e-9 * area_mm2"),
                     24);
    rc = test_popen(out, sizeof out, 1, "%s sweep %s/small.yaml --db %s/s.db", test_bin(), dir, dir);
    ck_assert_msg(rc == 0 && strstr(out, "24 already in") && strstr(out, "ran 0 in"),
                  "%s", out);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), 24);
    /* Issue 14: the summary says exactly what was run, skipped and stored
     * (it said "45 of 1800 in DB" when all 1800 were there).  Remove 5
     * points; the rerun runs those 5, skips the 19 stored, and counts 24 of
     * 24 in the database, each number checked against the database. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points WHERE id IN (SELECT id FROM "
                               "sweep_points ORDER BY id LIMIT 5)"), 5);
    sqlite3 *sq;
    ck_assert_int_eq(sqlite3_open(db, &sq), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(sq, "DELETE FROM sweep_points WHERE id IN (SELECT id FROM "
                                      "sweep_points ORDER BY id LIMIT 5)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(sq);
    const long long left = q_int(db, "SELECT count(*) FROM sweep_points");
    ck_assert_int_eq(left, 19);
    rc = test_popen(out, sizeof out, 1, "%s sweep %s/small.yaml --db %s/s.db", test_bin(), dir, dir);
    char want[256];
    snprintf(want, sizeof want, "24 points; ran %lld in ", 24 - left);
    ck_assert_msg(rc == 0 && strstr(out, want), "want \"%s\": %s", want, out);
    snprintf(want, sizeof want,
             "stored %lld (0 of them with the reason they cannot run on their hardware), 0 were "
             "stored meanwhile by another process; skipped %lld already stored; %lld of 24 now in",
             24 - left, left, q_int(db, "SELECT count(*) FROM sweep_points"));
    ck_assert_msg(strstr(out, want), "want \"%s\": %s", want, out);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points"), 24);
    test_rmtree(dir);
}
END_TEST

/* Starts the sweep in its own process group, sends sig to the whole group
 * (parent and workers, as a terminal or a scheduler would) once a few points
 * are stored, then reruns it: nothing lost, nothing twice. */
static void kill_and_rerun(const char *yaml, const char *db, int sig)
{
    char out[8192], errpath[160];
    snprintf(errpath, sizeof errpath, "%s.stderr", db);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        if (!freopen("/dev/null", "w", stdout) || !freopen(errpath, "w", stderr))
            _exit(126);
        execl(test_bin(), test_bin(), "sweep", yaml, "--db", db, "--jobs", "2", (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    long long n = 0;
    for (int i = 0; i < 3000 && n < 4; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (access(db, F_OK) == 0) {
            sqlite3 *s = NULL;
            sqlite3_stmt *st = NULL;
            if (sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
                sqlite3_prepare_v2(s, "SELECT count(*) FROM sweep_points", -1, &st, NULL) ==
                    SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            sqlite3_close(s);
        }
    }
    kill(-pid, sig);
    int status;
    waitpid(pid, &status, 0);
    if (sig == SIGKILL)
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "the sweep finished before it could be killed (%lld points seen)", n);

    if (sig != SIGKILL && !(WIFEXITED(status) && WEXITSTATUS(status) == 130)) {
        test_popen(out, sizeof out, 1, "tr '\\r' '\\n' < %s | tail -5", errpath);
        ck_abort_msg("after signal %d: status %d (%lld points seen): %s", sig, status, n, out);
    }
    const long long before = q_int(db, "SELECT count(*) FROM sweep_points");
    ck_assert_int_ge(before, 4);
    ck_assert_int_lt(before, 48);
    char *ok = q_text(db, "PRAGMA integrity_check");
    ck_assert_str_eq(ok, "ok");
    free(ok);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), before);

    int rc = test_popen(out, sizeof out, 1, "%s sweep %s --db %s --jobs 2", test_bin(), yaml, db);
    ck_assert_msg(rc == 0, "%s", out);
    char want[64];
    snprintf(want, sizeof want, "%lld already in", before);
    ck_assert_msg(strstr(out, want), "want \"%s\": %s", want, out);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points"), 48);
    ck_assert_int_eq(q_int(db, "SELECT count(DISTINCT config_hash || workload_hash) FROM "
                               "sweep_points"), 48);
    /* No orphan runs or layers from the killed transaction. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), 48);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM layers"), 96);
    ok = q_text(db, "PRAGMA integrity_check");
    ck_assert_str_eq(ok, "ok");
    free(ok);
}

/* The pids listed in /proc/PID/task/PID/children (Linux 3.5+), at most max. */
static int proc_children(pid_t pid, pid_t *kids, int max)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    int k = 0;
    for (char *p = buf, *end; k < max; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        kids[k++] = (pid_t)v;
    }
    return k;
}

/* A process counts as alive until it is gone or a zombie (it simulates no more). */
static int proc_alive(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

/* SIGKILL to the sweep parent alone (an OOM killer, a scheduler killing one
 * pid): its workers must die with it, not simulate on as orphans whose
 * results nobody stores.  Each point here takes well over 10 s. */
START_TEST(test_sweep_sigkilled_parent_leaves_no_worker_running)
{
    char dir[64], db[128], yaml[128];
    test_tmpdir(dir, sizeof dir, "sweep");
    put(dir, "w.csv", "Layer,M,N,K\na,2048,2048,2048\n");
    put(dir, "s.yaml", "name: slow\npath: cycle\nworkloads: [w.csv]\nparams:\n"
                       "  array.rows: [2, 3]\n");
    snprintf(yaml, sizeof yaml, "%s/s.yaml", dir);
    snprintf(db, sizeof db, "%s/s.db", dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(126);
        execl(test_bin(), test_bin(), "sweep", yaml, "--db", db, "--jobs", "2", (char *)NULL);
        _exit(127);
    }
    pid_t kids[8];
    int nk = 0;
    for (int i = 0; i < 6000 && nk < 2; i++) { /* up to 60 s for both workers to exist */
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        nk = proc_children(pid, kids, 8);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    ck_assert_msg(nk == 2, "the sweep showed %d workers before it was killed", nk);
    int alive = 0;
    for (int i = 0; i < 1000; i++) { /* 10 s */
        alive = 0;
        for (int k = 0; k < nk; k++)
            alive += proc_alive(kids[k]);
        if (!alive)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int k = 0; k < nk; k++) /* on failure: do not leave them running */
        if (proc_alive(kids[k]))
            kill(kids[k], SIGKILL);
    ck_assert_msg(alive == 0, "%d of %d workers still running 10 s after the parent's SIGKILL",
                  alive, nk);
    test_rmtree(dir);
}
END_TEST

START_TEST(test_sweep_sigkill_or_sigint_mid_run_then_rerun_loses_and_duplicates_nothing)
{
    char dir[64], out[8192], db[128], yaml[128];
    test_tmpdir(dir, sizeof dir, "sweep");
    /* Cycle path on 48 points: slow enough to be killed part way. */
    put(dir, "w.csv", "Layer,M,N,K\na,48,40,56\nb,33,17,64\n");
    put(dir, "k.yaml",
        "name: kill\npath: cycle\nworkloads: [w.csv]\n"
        "params:\n"
        "  array.rows: [2, 3, 4, 5]\n"
        "  array.cols: [2, 3, 4, 6]\n"
        "  array.dataflow: [os, ws, is, os]\n");
    /* os twice is a repeat: the sweep must refuse it; fix and go on. */
    snprintf(yaml, sizeof yaml, "%s/k.yaml", dir);
    snprintf(db, sizeof db, "%s/k.db", dir);
    ck_assert_int_ne(test_popen(out, sizeof out, 1, "%s sweep %s --db %s", test_bin(), yaml, db), 0);
    ck_assert_msg(strstr(out, "k.yaml:7: array.dataflow: 'os' repeats 'os'"), "%s", out);
    ck_assert_int_ne(access(db, F_OK), 0); /* nothing created */
    put(dir, "k.yaml",
        "name: kill\npath: cycle\nworkloads: [w.csv]\n"
        "params:\n"
        "  array.rows: [2, 3, 4, 5]\n"
        "  array.cols: [2, 3, 4, 6]\n"
        "  array.dataflow: [os, ws, is]\n"
        "  dram.bytes_per_cycle: [4]\n");
    kill_and_rerun(yaml, db, SIGKILL);
    char p[160];
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", db, ext[i]);
        unlink(p);
    }
    kill_and_rerun(yaml, db, SIGINT);
    test_rmtree(dir);
}
END_TEST

START_TEST(test_sweep_shards_under_gnu_parallel_merge_equal_one_run)
{
    char dir[64], out[8192];
    ck_assert_msg(test_popen(out, sizeof out, 1, "command -v parallel") == 0,
                  "GNU parallel is not installed (Debian package parallel)");
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    int rc = test_popen(out, sizeof out, 1,
                "parallel --will-cite -j 3 %s sweep %s/small.yaml --shard {}/3 --jobs 1 "
                "--db %s/s{}.db ::: 0 1 2",
                test_bin(), dir, dir);
    ck_assert_msg(rc == 0, "%s", out);
    rc = test_popen(out, sizeof out, 1, "%s db merge %s/m.db %s/s0.db %s/s1.db %s/s2.db", test_bin(), dir, dir,
            dir, dir);
    ck_assert_msg(rc == 0, "%s", out);
    rc = test_popen(out, sizeof out, 1, "%s sweep %s/small.yaml --db %s/one.db", test_bin(), dir, dir);
    ck_assert_msg(rc == 0, "%s", out);
    char m[128], one[128], s0[128];
    snprintf(m, sizeof m, "%s/m.db", dir);
    snprintf(one, sizeof one, "%s/one.db", dir);
    snprintf(s0, sizeof s0, "%s/s0.db", dir);
    ck_assert_int_eq(q_int(s0, "SELECT count(*) FROM sweep_points"), 8);
    char *a = q_text(m, digest_sql), *b = q_text(one, digest_sql);
    ck_assert_uint_gt(strlen(a), 100);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    /* Merging again adds nothing. */
    rc = test_popen(out, sizeof out, 1, "%s db merge %s/m.db %s/s0.db %s/one.db", test_bin(), dir, dir, dir);
    ck_assert_msg(rc == 0 && strstr(out, "0 sweep points added (8 already"), "%s", out);
    ck_assert_int_eq(q_int(m, "SELECT count(*) FROM sweep_points"), 24);
    ck_assert_int_eq(q_int(m, "SELECT count(*) FROM runs"), 24);
    ck_assert_int_eq(q_int(m, "SELECT count(*) FROM layers"), 48);
    test_rmtree(dir);
}
END_TEST

START_TEST(test_sweep_slurm_script_runs_shards_and_merges_with_stand_in_sbatch)
{
    char dir[64], out[8192];
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    /* A stand-in sbatch: an array runs each task in turn, --wrap runs the
     * command; both print a job id as --parsable does. */
    put(dir, "sbatch",
        "#!/bin/bash\n"
        "arr= wrap= script=\n"
        "for a in \"$@\"; do case $a in --array=*) arr=${a#--array=};; --wrap=*) wrap=${a#--wrap=};;"
        " --*) ;; *) if [ \"$prev\" = --wrap ]; then wrap=$a; else script=$a; fi;; esac; prev=$a; done\n"
        "if [ -n \"$arr\" ]; then for ((i=${arr%%-*}; i<=${arr##*-}; i++)); do"
        " SLURM_ARRAY_TASK_ID=$i bash \"$script\" >&2 || exit 1; done; fi\n"
        "if [ -n \"$wrap\" ]; then bash -c \"$wrap\" >&2 || exit 1; fi\n"
        "echo 42\n");
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "chmod +x %s/sbatch", dir), 0);
    int rc = test_popen(out, sizeof out, 1, "%s sweep %s/small.yaml --slurm --shards 4 --db %s/all.db > %s/job.sh",
                test_bin(), dir, dir, dir);
    ck_assert_msg(rc == 0, "%s", out);
    rc = test_popen(out, sizeof out, 1, "cd %s && PATH=%s:$PATH CODESIM=%s bash job.sh", dir, dir, test_bin());
    ck_assert_msg(rc == 0 && strstr(out, "submitted 4 shards"), "%s", out);
    char all[128];
    snprintf(all, sizeof all, "%s/all.db", dir);
    ck_assert_int_eq(q_int(all, "SELECT count(*) FROM sweep_points"), 24);
    test_rmtree(dir);
}
END_TEST

/* Pareto points printed by the command (the database's point column) = a
 * brute-force filter over the rows. */
START_TEST(test_pareto_command_equals_brute_force_over_database)
{
    char dir[64], out[16384], db[128];
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    snprintf(db, sizeof db, "%s/s.db", dir);
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "%s sweep %s/small.yaml --db %s", test_bin(), dir, db), 0);
    static const char *const pairs[][3] = {{"latency", "pes", "total_cycles, pes"},
                                           {"total_cycles", "area_mm2", "total_cycles, area_mm2"},
                                           {"energy_pj", "max:tops_per_w", "energy_pj, -tops_per_w"},
                                           {"max:utilization", "sram_bytes", "-utilization, sram_bytes"}};
    for (size_t k = 0; k < 4; k++) {
        int rc = test_popen(out, sizeof out, 1, "%s pareto --db %s --x %s --y %s", test_bin(), db, pairs[k][0],
                    pairs[k][1]);
        ck_assert_msg(rc == 0, "%s", out);
        int shown[64] = {0}, nshown = 0;
        for (char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
            long id;
            char rest[8];
            if (sscanf(l, "%ld %7s", &id, rest) == 2 && id >= 0 && id < 64) {
                shown[id] = 1;
                nshown++;
            }
        }
        sqlite3 *s = NULL;
        sqlite3_stmt *st = NULL;
        char q[256];
        snprintf(q, sizeof q, "SELECT point, %s FROM sweep_points", pairs[k][2]);
        ck_assert_int_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_prepare_v2(s, q, -1, &st, NULL), SQLITE_OK);
        long ids[64];
        double x[64], y[64];
        int n = 0;
        while (sqlite3_step(st) == SQLITE_ROW && n < 64) {
            ids[n] = (long)sqlite3_column_int64(st, 0);
            x[n] = sqlite3_column_double(st, 1);
            y[n] = sqlite3_column_double(st, 2);
            n++;
        }
        sqlite3_finalize(st);
        sqlite3_close(s);
        ck_assert_int_eq(n, 24);
        int want = 0;
        for (int i = 0; i < n; i++) {
            int dom = 0;
            for (int j = 0; j < n && !dom; j++)
                dom = dominates(x[j], y[j], x[i], y[i]);
            ck_assert_msg(shown[ids[i]] == !dom, "%s vs %s: point %ld shown %d dominated %d\n%s",
                          pairs[k][0], pairs[k][1], ids[i], shown[ids[i]], dom, out);
            want += !dom;
        }
        ck_assert_int_eq(nshown, want);
    }
    test_rmtree(dir);
}
END_TEST

/* Strings from a database (a merged one may be anyone's) are escaped in the
 * report: a component named like markup appears as text, never as markup. */
START_TEST(test_report_escapes_database_strings)
{
    char dir[64];
    enum { OUT_MAX = 1 << 16 };
    char *out = malloc(OUT_MAX);
    ck_assert_ptr_nonnull(out);
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    ck_assert_int_eq(test_popen(out, OUT_MAX, 1, "%s sweep %s/small.yaml --db %s/s.db", test_bin(), dir, dir),
                     0);
    char db[128];
    snprintf(db, sizeof db, "%s/s.db", dir);
    sqlite3 *sq;
    ck_assert_int_eq(sqlite3_open(db, &sq), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(sq,
                                  "UPDATE breakdowns SET component = '<script>bad()</script>' "
                                  "WHERE component = 'dram'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_gt(sqlite3_changes(sq), 0);
    sqlite3_close(sq);
    ck_assert_int_eq(test_popen(out, OUT_MAX, 1, "%s report --db %s --out %s/rep", test_bin(), db, dir), 0);
    ck_assert_int_ne(test_popen(out, OUT_MAX, 1, "grep -c '<script>bad' %s/rep/index.html", dir), 0);
    ck_assert_int_eq(test_popen(out, OUT_MAX, 1, "grep -c '&lt;script&gt;bad' %s/rep/index.html", dir), 0);
    free(out);
    test_rmtree(dir);
}
END_TEST

static int file_has(const char *path, const char *needle, int raw_byte)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 20];
    const size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    return raw_byte >= 0 ? memchr(text, raw_byte, n) != NULL : strstr(text, needle) != NULL;
}

/* Issue 14, escaping: sweep parameters and a workload name from a database
 * (a merged one may be anyone's) holding an ESC sequence, a byte that is not
 * UTF-8, a pipe, a comma and quotes reach the terminal (`pareto`) escaped,
 * report.md with the pipe escaped, and points.csv quoted per RFC 4180.
 * They went out raw before. */
START_TEST(test_database_strings_are_escaped_on_terminal_markdown_and_csv)
{
    char dir[64];
    enum { OUT_MAX = 1 << 16 };
    char *out = malloc(OUT_MAX);
    ck_assert_ptr_nonnull(out);
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    ck_assert_int_eq(test_popen(out, OUT_MAX, 1, "%s sweep %s/small.yaml --db %s/s.db", test_bin(), dir, dir),
                     0);
    char db[128];
    snprintf(db, sizeof db, "%s/s.db", dir);
    sqlite3 *sq;
    ck_assert_int_eq(sqlite3_open(db, &sq), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(sq,
                                  "UPDATE sweep_points SET params = 'p' || char(27) || '[2J|q,\"r\"', "
                                  "workload_file = workload_file || char(27) || ']0;t' || "
                                  "cast(x'ff' as text)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_gt(sqlite3_changes(sq), 0);
    sqlite3_close(sq);
    char p[160];
    snprintf(p, sizeof p, "%s/pareto.txt", dir);
    ck_assert_int_eq(test_popen(out, OUT_MAX, 1, "%s pareto --db %s --x latency --y pes > %s", test_bin(), db, p),
                     0);
    ck_assert(!file_has(p, NULL, 0x1b));
    ck_assert(!file_has(p, NULL, 0xff));
    ck_assert(file_has(p, "p\\x1b[2J|q,\"r\"", -1));
    ck_assert(file_has(p, "\\x1b]0;t\\xff", -1));
    ck_assert_int_eq(test_popen(out, OUT_MAX, 1, "%s report --db %s --out %s/rep", test_bin(), db, dir), 0);
    snprintf(p, sizeof p, "%s/rep/report.md", dir);
    ck_assert(!file_has(p, NULL, 0x1b));
    ck_assert(file_has(p, "p\\x1b[2J\\|q,\"r\"", -1));
    snprintf(p, sizeof p, "%s/rep/points.csv", dir);
    ck_assert(file_has(p, ",\"p\x1b[2J|q,\"\"r\"\"\",", -1));
    free(out);
    test_rmtree(dir);
}
END_TEST

/* Issue 14, concurrency: four writers of the kinds that gave up after 5 s
 * (two sweep shards and two db merges) start while another process holds
 * the database's write lock for 7 s.  Each waits, says so on stderr, exits
 * 0, and every row is stored: 1 + 24 sweep runs + 2 merged runs. */
START_TEST(test_four_writers_wait_for_a_held_lock_and_store_everything)
{
    char dir[64], out[8192], db[128];
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    snprintf(db, sizeof db, "%s/s.db", dir);
    const char *tiny = CODESIM_ROOT "/tests/data/tiny.csv";
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "%s run --workload %s --db %s >/dev/null", test_bin(), tiny, db), 0);
    put(dir, "hw1.yaml", "array:\n  rows: 4\n");
    put(dir, "hw2.yaml", "array:\n  rows: 8\n");
    for (int i = 1; i <= 2; i++)
        ck_assert_int_eq(test_popen(out, sizeof out, 1, "%s run --hw %s/hw%d.yaml --workload %s --db %s/src%d.db "
                            ">/dev/null", test_bin(), dir, i, tiny, dir, i),
                         0);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), 1);
    sqlite3 *holder = NULL;
    ck_assert_int_eq(sqlite3_open(db, &holder), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    char cmd[4000];
    snprintf(cmd, sizeof cmd,
             "cd %s || exit 1; "
             "(%s sweep small.yaml --db s.db --shard 0/2 >w1.out 2>w1.err; echo $? >w1.rc) & "
             "(%s sweep small.yaml --db s.db --shard 1/2 >w2.out 2>w2.err; echo $? >w2.rc) & "
             "(%s db merge s.db src1.db >w3.out 2>w3.err; echo $? >w3.rc) & "
             "(%s db merge s.db src2.db >w4.out 2>w4.err; echo $? >w4.rc) & wait",
             dir, test_bin(), test_bin(), test_bin(), test_bin());
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    sleep(7);
    /* Nothing could be written while the lock was held. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), 1);
    ck_assert_int_eq(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(holder);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    for (int w = 1; w <= 4; w++) {
        char rcs[64] = "", errs[4096] = "", p[160];
        snprintf(p, sizeof p, "%s/w%d.rc", dir, w);
        FILE *f = fopen(p, "r");
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(fgets(rcs, sizeof rcs, f));
        fclose(f);
        snprintf(p, sizeof p, "%s/w%d.err", dir, w);
        f = fopen(p, "r");
        ck_assert_ptr_nonnull(f);
        errs[fread(errs, 1, sizeof errs - 1, f)] = 0;
        fclose(f);
        ck_assert_msg(atoi(rcs) == 0, "writer %d exit %s: %s", w, rcs, errs);
        ck_assert_msg(strstr(errs, "another process holds the write lock; waiting"),
                      "writer %d gave no note: %s", w, errs);
    }
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points"), 24);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), 1 + 24 + 2);
    test_rmtree(dir);
}
END_TEST

/* Issue 14: a refused `db merge` (its input is not a codesim database)
 * leaves no OUT database behind when OUT did not exist (it left an empty
 * one), and leaves an existing OUT as it was. */
START_TEST(test_refused_merge_leaves_no_empty_output)
{
    char dir[64], out[8192];
    test_tmpdir(dir, sizeof dir, "sweep");
    put(dir, "junk.db", "not a database\n");
    ck_assert_int_ne(test_popen(out, sizeof out, 1, "%s db merge %s/new.db %s/junk.db", test_bin(), dir, dir), 0);
    ck_assert_int_ne(test_popen(out, sizeof out, 1, "ls %s/new.db* 2>/dev/null", dir), 0);
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "%s run --workload %s/tests/data/tiny.csv --db %s/old.db",
                        test_bin(), CODESIM_ROOT, dir),
                     0);
    ck_assert_int_ne(test_popen(out, sizeof out, 1, "%s db merge %s/old.db %s/junk.db", test_bin(), dir, dir), 0);
    char db[128];
    snprintf(db, sizeof db, "%s/old.db", dir);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), 1);
    test_rmtree(dir);
}
END_TEST

/* Parameters apply in file order with a preset first, as in a hardware
 * file: every stored point's config has the timing its label says (before,
 * a preset listed first overwrote the swept tRCD and two of four points
 * collapsed into others).  A swept name, outside the point identity, is
 * refused. */
START_TEST(test_sweep_preset_then_timing_and_no_swept_name)
{
    char dir[64];
    enum { OUT_MAX = 1 << 16 };
    char *out = malloc(OUT_MAX);
    ck_assert_ptr_nonnull(out);
    test_tmpdir(dir, sizeof dir, "sweep");
    char path[128];
    snprintf(path, sizeof path, "%s/p.yaml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "name: pt\nworkloads: [%s/traces/transformer.csv]\nparams:\n"
               "  dram.preset: [HBM2, GDDR6]\n  dram.tRCD: [10, 20]\n", CODESIM_ROOT);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(test_popen(out, OUT_MAX, 1, "%s sweep %s --db %s/p.db", test_bin(), path, dir), 0);
    ck_assert_int_eq(test_popen(out, OUT_MAX, 1,
                        "test $(sqlite3 %s/p.db \"SELECT count(*) FROM sweep_points sp JOIN runs r "
                        "ON r.id = sp.run_id WHERE instr(r.hw_canonical, '  tRCD: ' || "
                        "substr(sp.params, instr(sp.params, 'tRCD=') + 5) || char(10)) > 0\") "
                        "-eq 4",
                        dir),
                     0);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "name: pt\nworkloads: [%s/traces/transformer.csv]\nparams:\n"
               "  name: [a, b]\n", CODESIM_ROOT);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_ne(test_popen(out, OUT_MAX, 1, "%s sweep %s --db %s/q.db", test_bin(), path, dir), 0);
    ck_assert_msg(strstr(out, "params.name: not a hardware parameter") != NULL, "%s", out);
    free(out);
    test_rmtree(dir);
}
END_TEST

START_TEST(test_sweep_commands_bad_inputs_one_line_nonzero)
{
    char dir[64], out[8192];
    test_tmpdir(dir, sizeof dir, "sweep");
    small_sweep(dir);
    static const struct {
        const char *args;
        const char *want;
    } bad[] = {
        {"sweep", "missing the sweep FILE"},
        {"sweep DIR/nosuch.yaml", "nosuch.yaml"},
        {"sweep DIR/small.yaml --shard 3/3", "--shard: 3 is outside 0..2"},
        {"sweep DIR/small.yaml --shard x", "--shard: 'x' is not I/N"},
        {"sweep DIR/small.yaml --jobs 0", "--jobs: 0 is outside"},
        {"sweep DIR/small.yaml --db DIR/small.yaml", "not a codesim results database"},
        {"pareto --db DIR/nosuch.db --x latency --y pes", "no such file"},
        {"pareto --db DIR/s.db --x speed --y pes", "unknown metric 'speed'"},
        {"pareto --db DIR/s.db --x latency", "--y: missing"},
        {"report --db DIR/nosuch.db --out DIR/r", "no such file"},
        {"report --db DIR/s.db --out DIR/small.yaml/r", "small.yaml/r"},
        {"db merge DIR/m.db DIR/nosuch.db", "nosuch.db"},
        {"db merge DIR/s.db DIR/s.db", "is the output database"},
        {"db merge DIR/m.db DIR/small.yaml", "not a codesim results database"},
        {"db split", "unknown subcommand 'split'"},
    };
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "%s sweep %s/small.yaml --db %s/s.db", test_bin(), dir, dir),
                     0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char args[512] = "";
        for (const char *s = bad[i].args; *s; s++) {
            if (strncmp(s, "DIR", 3) == 0) {
                strcat(args, dir);
                s += 2;
            } else {
                strncat(args, s, 1);
            }
        }
        int rc = test_popen(out, sizeof out, 1, "%s %s", test_bin(), args);
        ck_assert_msg(rc != 0 && strstr(out, bad[i].want), "%s: want \"%s\": %s", args,
                      bad[i].want, out);
    }
    /* The good database survived all of that. */
    char db[128];
    snprintf(db, sizeof db, "%s/s.db", dir);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points"), 24);
    /* A database of a newer schema: refused, left as it was. */
    char newer[128];
    snprintf(newer, sizeof newer, "%s/n.db", dir);
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "cp %s %s", db, newer), 0);
    {
        sqlite3 *w = NULL;
        ck_assert_int_eq(sqlite3_open(newer, &w), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(w, "UPDATE meta SET value = '99' WHERE key = "
                                         "'schema_version'", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(w);
    }
    int rc = test_popen(out, sizeof out, 1, "%s sweep %s/small.yaml --db %s", test_bin(), dir, newer);
    ck_assert_msg(rc != 0 && strstr(out, "schema version 99, newer than this codesim"), "%s", out);
    ck_assert_int_eq(q_int(newer, "SELECT count(*) FROM sweep_points"), 24);
    /* A locked database: the sweep waits for it (issue 14), see
     * test_four_writers_wait_for_a_held_lock_and_store_everything. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points"), 24);
    test_rmtree(dir);
}
END_TEST

/* ---- LLM points ---------------------------------------------------------------- */

/* sweeps/llm_npu_pim.yaml: GPT-2 on 1, 2, 4 cores x PIM off/on.  Half the
 * points first (a shard), then the whole sweep computes only the rest. */
START_TEST(test_sweep_llm_points_scale_with_cores_and_pim_changes_decode)
{
    char dir[64], out[8192], db[128];
    test_tmpdir(dir, sizeof dir, "sweep");
    snprintf(db, sizeof db, "%s/l.db", dir);
    const char *yaml = CODESIM_ROOT "/sweeps/llm_npu_pim.yaml";
    int rc = test_popen(out, sizeof out, 1, "%s sweep %s --db %s --shard 0/2", test_bin(), yaml, db);
    ck_assert_msg(rc == 0 && strstr(out, "ran 3 in"), "%s", out);
    rc = test_popen(out, sizeof out, 1, "%s sweep %s --db %s --jobs 2", test_bin(), yaml, db);
    ck_assert_msg(rc == 0 && strstr(out, "3 already in") && strstr(out, "ran 3 in"),
                  "%s", out);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points WHERE error IS NULL"), 6);
    /* Every point's run is an LLM run whose cycles the point carries. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points p JOIN llm_runs l ON"
                               " l.run_id = p.run_id WHERE p.total_cycles ="
                               " l.prefill_cycles + l.decode_cycles AND p.macs = l.macs AND"
                               " p.dram_bytes = l.dram_bytes AND l.batch = 4 AND l.prompt = 64"
                               " AND l.gen = 8"), 6);
    /* auto mode: npu without PIM; with PIM at batch 4 (below 2 x 32 array
     * rows, where sub-batches would half-fill the array) pim-blocked. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points p JOIN llm_runs l ON"
                               " l.run_id = p.run_id WHERE (p.params LIKE '%pim.enabled=true%')"
                               " = (l.mode = 'pim-blocked')"), 6);
    /* More cores: fewer cycles, with and without PIM. */
    for (int pim = 0; pim < 2; pim++) {
        long long c[3];
        const int cores[3] = {1, 2, 4};
        for (int i = 0; i < 3; i++) {
            char q[256];
            snprintf(q, sizeof q, "SELECT total_cycles FROM sweep_points WHERE params ="
                                  " 'npu.cores=%d pim.enabled=%s'", cores[i],
                     pim ? "true" : "false");
            c[i] = q_int(db, q);
            ck_assert_int_gt(c[i], 0);
        }
        ck_assert_msg(c[0] > c[1] && c[1] > c[2], "pim %d: %lld %lld %lld", pim, c[0], c[1],
                      c[2]);
    }
    /* PIM changes decode only: prefill runs on the NPU in every mode. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points a JOIN llm_runs la ON"
                               " la.run_id = a.run_id JOIN sweep_points b ON"
                               " substr(a.params, 1, 11) = substr(b.params, 1, 11) JOIN llm_runs"
                               " lb ON lb.run_id = b.run_id WHERE a.params LIKE '%=false' AND"
                               " b.params LIKE '%=true' AND la.prefill_cycles = lb.prefill_cycles"
                               " AND la.decode_cycles != lb.decode_cycles"), 3);
    /* Area: every core has its own array and buffers (so 2 cores are twice
     * one), PIM units add theirs. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points a JOIN sweep_points b ON"
                               " a.params = 'npu.cores=1 pim.enabled=false' AND b.params ="
                               " 'npu.cores=2 pim.enabled=false' WHERE"
                               " abs(b.area_mm2 - 2 * a.area_mm2) < 1e-9 * b.area_mm2"), 1);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points a JOIN sweep_points b ON"
                               " substr(a.params, 1, 11) = substr(b.params, 1, 11) WHERE"
                               " a.params LIKE '%=false' AND b.params LIKE '%=true' AND"
                               " b.area_mm2 > a.area_mm2 AND abs(b.area_mm2 - a.area_mm2 -"
                               " (SELECT sum(value) FROM breakdowns WHERE run_id = b.run_id AND"
                               " kind = 'area_um2' AND component LIKE 'pim.%') * 1e-6) <"
                               " 1e-9 * b.area_mm2"), 3);
    /* Energy: every LLM point is priced (models/power.h, power_npu_energy),
     * its energy_pj the sum of its stored energy breakdown, and PIM points
     * carry the PIM kernels' energy. */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points WHERE energy_pj > 0 AND"
                               " tops_per_w > 0 AND tops_per_mm2 > 0"), 6);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points p WHERE abs(p.energy_pj -"
                               " (SELECT sum(value) FROM breakdowns b WHERE b.run_id = p.run_id"
                               " AND b.kind = 'energy_pj')) <= 1e-9 * p.energy_pj"), 6);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM sweep_points p WHERE p.params LIKE"
                               " '%=true' AND (SELECT value FROM breakdowns b WHERE b.run_id ="
                               " p.run_id AND b.kind = 'energy_pj' AND b.component = 'pim.mac')"
                               " > 0"), 3);
    /* pareto reads them: latency against area. */
    rc = test_popen(out, sizeof out, 1, "%s pareto --db %s --x latency --y area_mm2", test_bin(), db);
    ck_assert_msg(rc == 0 && strstr(out, "npu.cores=4 pim.enabled=false"), "%s", out);
    /* Rerun: nothing left. */
    rc = test_popen(out, sizeof out, 1, "%s sweep %s --db %s", test_bin(), yaml, db);
    ck_assert_msg(rc == 0 && strstr(out, "6 already in") && strstr(out, "ran 0 in"),
                  "%s", out);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM runs"), 6);
    test_rmtree(dir);
}
END_TEST

/* Bad llm: sections: FILE:LINE: llm.KEY: reason. */
START_TEST(test_sweep_bad_llm_keys_name_line_and_key)
{
    static const struct {
        const char *llm;      /* after "llm:" */
        const char *params;   /* params: section or "" */
        const char *want;
    } bad[] = {
        {" {batch: 0}\n", "", ":3: llm.batch: 0 is outside"},
        {" {batch: x}\n", "", ":3: llm.batch: 'x' is not a whole number"},
        {"\n  prompt: 8\n  colour: red\n", "", ":5: llm.colour: unknown key"},
        {" {mode: turbo}\n", "", ":3: llm.mode: 'turbo' is not"},
        {" {gen: 2, gen: 3}\n", "", ":3: llm.gen: duplicated key"},
        {" {wbits: 17}\n", "", ":3: llm.wbits: 17 is outside"},
        {"\n  prompt: 1000\n  gen: 100\n", "", ":5: llm.gen: prompt 1000"},
        {" [1, 2]\n", "", ":3: llm: expected a mapping"},
        {"\n  mode: neupims\n", "params:\n  pim.enabled: [false, true]\n",
         ":4: llm.mode: neupims needs a pim: section (at pim.enabled=false)"},
    };
    char dir[64], path[128], err[512], text[1024];
    test_tmpdir(dir, sizeof dir, "sweep");
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text,
                 "hw: " CODESIM_ROOT "/configs/npu_pim.yaml\n"
                 "workloads: [" CODESIM_ROOT "/traces/models/gpt2.json]\nllm:%s%s", bad[i].llm,
                 bad[i].params);
        put(dir, "bad.yaml", text);
        sweep_t sw;
        err[0] = '\0';
        ck_assert_int_eq(sweep_load(path, &sw, err, sizeof err), -1);
        ck_assert_msg(strstr(err, path) == err && strstr(err, bad[i].want),
                      "case %zu: want \"%s\" in: %s", i, bad[i].want, err);
        ck_assert_ptr_null(strchr(err, '\n'));
    }
    /* llm: with no model to run it on. */
    put(dir, "bad.yaml", "workloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\nllm: {batch: 2}\n");
    sweep_t sw;
    ck_assert_int_eq(sweep_load(path, &sw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, ":2: llm: no workload is a model"), "%s", err);
    /* A good one loads, and its hash follows the options. */
    put(dir, "ok.yaml", "workloads: [" CODESIM_ROOT "/traces/models/gpt2.json]\nllm: {batch: 2}\n");
    snprintf(path, sizeof path, "%s/ok.yaml", dir);
    ck_assert_msg(sweep_load(path, &sw, err, sizeof err) == 0, "%s", err);
    char h1[17];
    memcpy(h1, sw.workloads[0].hash, sizeof h1);
    ck_assert_int_eq(sw.workloads[0].is_model, 1);
    sweep_free(&sw);
    put(dir, "ok.yaml", "workloads: [" CODESIM_ROOT "/traces/models/gpt2.json]\nllm: {batch: 3}\n");
    ck_assert_msg(sweep_load(path, &sw, err, sizeof err) == 0, "%s", err);
    ck_assert_str_ne(h1, sw.workloads[0].hash);
    sweep_free(&sw);
    test_rmtree(dir);
}
END_TEST

Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 300);
    TCase *large = tcase_create("large");  /* CK_RUN_CASE=large: parse-time bounds alone */
    tcase_set_timeout(large, 300);
    tcase_add_test(large, test_sweep_many_keys_are_checked_in_n_log_n);
    suite_add_tcase(s, large);
    TCase *orphan = tcase_create("orphan"); /* CK_RUN_CASE=orphan: the workers die with the parent */
    tcase_set_timeout(orphan, 120);
    tcase_add_test(orphan, test_sweep_sigkilled_parent_leaves_no_worker_running);
    suite_add_tcase(s, orphan);
    tcase_add_test(tc, test_sweep_expansion_counts_and_point_order);
    tcase_add_test(tc, test_sweep_long_params_are_stored_whole);
    tcase_add_test(tc, test_sweep_bad_files_name_line_and_key);
    tcase_add_test(tc, test_sweep_second_document_or_deep_nesting_is_refused);
    tcase_add_test(tc, test_sweep_pareto_equals_brute_force_dominance);
    tcase_add_test(tc, test_four_writers_wait_for_a_held_lock_and_store_everything);
    tcase_add_test(tc, test_refused_merge_leaves_no_empty_output);
    tcase_add_test(tc, test_database_strings_are_escaped_on_terminal_markdown_and_csv);
    tcase_add_test(tc, test_sweep_run_stores_every_point_and_resume_computes_none);
    tcase_add_test(tc, test_sweep_sigkill_or_sigint_mid_run_then_rerun_loses_and_duplicates_nothing);
    tcase_add_test(tc, test_sweep_shards_under_gnu_parallel_merge_equal_one_run);
    tcase_add_test(tc, test_sweep_slurm_script_runs_shards_and_merges_with_stand_in_sbatch);
    tcase_add_test(tc, test_pareto_command_equals_brute_force_over_database);
    tcase_add_test(tc, test_report_escapes_database_strings);
    tcase_add_test(tc, test_sweep_preset_then_timing_and_no_swept_name);
    tcase_add_test(tc, test_sweep_commands_bad_inputs_one_line_nonzero);
    tcase_add_test(tc, test_sweep_llm_points_scale_with_cores_and_pim_changes_decode);
    tcase_add_test(tc, test_sweep_bad_llm_keys_name_line_and_key);
    suite_add_tcase(s, tc);
    return s;
}

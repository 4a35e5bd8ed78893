/* test_machine.c - one machine, one answer: the same hardware file and
 * workload through `codesim run`, `codesim sweep` (a one-point sweep),
 * `codesim area --workload` and, for an LLM, `run --model` against an LLM
 * sweep point, must give the same cycles, area and energy; and `run --json`
 * must hold the numbers the database stores.  Each command is the real
 * binary ($CODESIM_BIN), run with an argument vector. */
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

static char *slurp(const char *path)
{
    static char buf[1 << 16];
    return test_slurp(path, buf, sizeof buf);
}

/* Runs argv (argv[0] replaced by the codesim binary) with stdout and stderr
 * into out; fails unless it exits 0. */
static void expect_ok(char *const argv[], const char *out)
{
    const int rc = test_codesim_argv(argv, out);
    ck_assert_msg(rc == 0, "codesim %s exited %d:\n%s", argv[1], rc, slurp(out));
}

/* One number from one SQL query. */
static double sql_num(const char *db, const char *q)
{
    sqlite3 *s;
    ck_assert_int_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(s, q, -1, &st, NULL) == SQLITE_OK, "%s: %s", q,
                  sqlite3_errmsg(s));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

typedef struct {
    double cycles, area_um2, energy_pj;
} answer_t;

static void expect_same(const char *what, const answer_t *a, const answer_t *b)
{
    ck_assert_msg(a->cycles == b->cycles, "%s: cycles %.0f vs %.0f", what, a->cycles, b->cycles);
    ck_assert_msg(fabs(a->area_um2 - b->area_um2) <= 1e-9 * a->area_um2,
                  "%s: area %.6f vs %.6f um^2", what, a->area_um2, b->area_um2);
    ck_assert_msg(fabs(a->energy_pj - b->energy_pj) <= 1e-9 * a->energy_pj,
                  "%s: energy %.6f vs %.6f pJ", what, a->energy_pj, b->energy_pj);
}

/* codesim run: the runs row and its breakdowns. */
static answer_t from_run(const char *db)
{
    answer_t a;
    a.cycles = sql_num(db, "SELECT total_cycles FROM runs ORDER BY id DESC LIMIT 1");
    a.area_um2 = sql_num(db, "SELECT sum(value) FROM breakdowns WHERE kind = 'area_um2' AND "
                             "run_id = (SELECT max(id) FROM runs)");
    a.energy_pj = sql_num(db, "SELECT sum(value) FROM breakdowns WHERE kind = 'energy_pj' AND "
                              "run_id = (SELECT max(id) FROM runs)");
    return a;
}

static answer_t from_sweep(const char *db)
{
    answer_t a;
    a.cycles = sql_num(db, "SELECT total_cycles FROM sweep_points");
    a.area_um2 = 1e6 * sql_num(db, "SELECT area_mm2 FROM sweep_points");
    a.energy_pj = sql_num(db, "SELECT energy_pj FROM sweep_points");
    return a;
}

/* codesim area --workload prints "workload F: N layers, C cycles, M MACs"
 * and the area (mm^2) and energy (uJ) tables' total rows. */
static answer_t from_area(const char *out)
{
    answer_t a = {0, 0, 0};
    const char *s = slurp(out);
    const char *w = strstr(s, " layers, ");
    ck_assert_msg(w != NULL, "no workload line in:\n%s", s);
    a.cycles = strtod(w + 9, NULL);
    const char *t1 = strstr(s, "\ntotal");
    ck_assert_ptr_nonnull(t1);
    const char *t2 = strstr(t1 + 1, "\ntotal");
    ck_assert_ptr_nonnull(t2);
    a.area_um2 = 1e6 * strtod(t1 + 6, NULL);
    a.energy_pj = 1e6 * strtod(t2 + 6, NULL);
    return a;
}

static void write_file(const char *path, const char *fmt, ...)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    ck_assert_int_eq(fclose(f), 0);
}

/* run, a one-point sweep and area on one machine and one layer workload.
 * area values: area printed to 4 decimals of mm^2, energy to 4 of uJ, so
 * they are compared with that rounding. */
static void same_layers(const char *hw_rel, const char *wl_rel)
{
    char dir[64], hw[512], wl[512], db[128], sdb[128], sw[128], out[128];
    test_tmpdir(dir, sizeof dir, "machine");
    snprintf(hw, sizeof hw, "%s/%s", CODESIM_ROOT, hw_rel);
    snprintf(wl, sizeof wl, "%s/%s", CODESIM_ROOT, wl_rel);
    snprintf(db, sizeof db, "%s/run.db", dir);
    snprintf(sdb, sizeof sdb, "%s/sweep.db", dir);
    snprintf(sw, sizeof sw, "%s/one.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char *const run[] = {"codesim", "run", "--hw", hw, "--workload", wl, "--db", db, NULL};
    expect_ok(run, out);
    const answer_t r = from_run(db);
    /* A sweep of one point: the same hardware file, one value of a key it
     * already has. */
    write_file(sw, "name: one\nhw: %s\nworkloads: [%s]\nparams:\n  npu.chunks: [4]\n", hw, wl);
    char *const sweep[] = {"codesim", "sweep", sw, "--db", sdb, "--jobs", "1", NULL};
    expect_ok(sweep, out);
    const answer_t s = from_sweep(sdb);
    expect_same("run vs sweep", &r, &s);
    char *const area[] = {"codesim", "area", "--hw", hw, "--workload", wl, NULL};
    expect_ok(area, out);
    answer_t a = from_area(out), rr = r;
    /* area prints 4 decimals: round run's numbers the same way */
    rr.area_um2 = 1e6 * (round(r.area_um2 * 1e-6 * 1e4) / 1e4);
    rr.energy_pj = 1e6 * (round(r.energy_pj * 1e-6 * 1e4) / 1e4);
    a.area_um2 = 1e6 * (round(a.area_um2 * 1e-6 * 1e4) / 1e4);
    a.energy_pj = 1e6 * (round(a.energy_pj * 1e-6 * 1e4) / 1e4);
    expect_same("run vs area", &rr, &a);
    test_rmtree(dir);
}

/* The case: five low-bit layers on the LUT unit, one on the array.
 * Before the one entry point, sweep ran all six on the array (127,411 vs
 * 116,293 cycles) and priced no LUT unit (7.32 vs 14.18 mm^2). */
START_TEST(test_lut_machine_same_in_run_sweep_area)
{
    same_layers("configs/lut.yaml", "traces/lowbit.csv");
}
END_TEST

/* A layer CSV on a 4-core NPU machine with PIM runs on those 4 cores in
 * every command, and every command counts the PIM units' area. */
START_TEST(test_multicore_machine_same_in_run_sweep_area)
{
    same_layers("configs/npu_pim.yaml", "traces/transformer.csv");
}
END_TEST

/* run --model against an LLM sweep point of the same machine and options. */
START_TEST(test_llm_run_same_as_sweep_point)
{
    char dir[64], hw[512], model[512], db[128], sdb[128], sw[128], out[128];
    test_tmpdir(dir, sizeof dir, "machine");
    snprintf(hw, sizeof hw, "%s/configs/npu_pim.yaml", CODESIM_ROOT);
    snprintf(model, sizeof model, "%s/traces/models/gpt2.json", CODESIM_ROOT);
    snprintf(db, sizeof db, "%s/run.db", dir);
    snprintf(sdb, sizeof sdb, "%s/sweep.db", dir);
    snprintf(sw, sizeof sw, "%s/llm.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char *const run[] = {"codesim", "run", "--model", model, "--hw", hw, "--batch", "4",
                         "--prompt", "32", "--gen", "3", "--db", db, NULL};
    expect_ok(run, out);
    write_file(sw,
               "name: llm\nhw: %s\nworkloads: [%s]\nllm:\n  batch: 4\n  prompt: 32\n  gen: 3\n"
               "params:\n  npu.cores: [4]\n",
               hw, model);
    char *const sweep[] = {"codesim", "sweep", sw, "--db", sdb, "--jobs", "1", NULL};
    expect_ok(sweep, out);
    const answer_t r = from_run(db), s = from_sweep(sdb);
    expect_same("run --model vs sweep", &r, &s);
    test_rmtree(dir);
}
END_TEST

/* --json parses and holds what the database stores: totals, every layer's
 * counts, every breakdown row. */
START_TEST(test_json_matches_database)
{
    char dir[64], hw[512], wl[512], db[128], js[128], out[128], csv[128];
    test_tmpdir(dir, sizeof dir, "machine");
    snprintf(hw, sizeof hw, "%s/configs/lut.yaml", CODESIM_ROOT);
    snprintf(wl, sizeof wl, "%s/traces/lowbit.csv", CODESIM_ROOT);
    snprintf(db, sizeof db, "%s/run.db", dir);
    snprintf(js, sizeof js, "%s/run.json", dir);
    snprintf(csv, sizeof csv, "%s/csv", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char *const run[] = {"codesim", "run", "--hw", hw, "--workload", wl, "--db", db,
                         "--json", js, "--csv", csv, NULL};
    expect_ok(run, out);
    json_error_t je;
    json_t *doc = json_load_file(js, 0, &je);
    ck_assert_msg(doc != NULL, "%s:%d: %s", js, je.line, je.text);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "layers");
    const json_t *tot = json_object_get(doc, "totals");
    ck_assert_int_eq(json_integer_value(json_object_get(tot, "cycles")),
                     (json_int_t)sql_num(db, "SELECT total_cycles FROM runs"));
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "run_id")),
                     (json_int_t)sql_num(db, "SELECT id FROM runs"));
    const json_t *layers = json_object_get(doc, "layers");
    ck_assert_int_eq((long)json_array_size(layers), (long)sql_num(db, "SELECT count(*) FROM layers"));
    ck_assert_int_gt((long)json_array_size(layers), 1);
    static const char *const cols[] = {"total_cycles", "compute_cycles", "stall_cycles",
                                       "macs", "folds", "steps", "ifmap_reads", "filter_reads",
                                       "ofmap_reads", "ofmap_writes", "dram_read_bytes",
                                       "dram_write_bytes"};
    for (size_t i = 0; i < json_array_size(layers); i++) {
        const json_t *l = json_array_get(layers, i);
        char q[256];
        snprintf(q, sizeof q, "SELECT count(*) FROM layers WHERE idx = %zu AND name = '%s' AND "
                              "unit = '%s'",
                 i, json_string_value(json_object_get(l, "name")),
                 json_string_value(json_object_get(l, "unit")));
        ck_assert_msg(sql_num(db, q) == 1, "layer %zu: %s", i, q);
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
            snprintf(q, sizeof q, "SELECT %s FROM layers WHERE idx = %zu", cols[c], i);
            ck_assert_msg((double)json_integer_value(json_object_get(l, cols[c])) ==
                              sql_num(db, q),
                          "layer %zu %s", i, cols[c]);
        }
    }
    static const char *const kinds[] = {"area_um2", "energy_pj"};
    for (int k = 0; k < 2; k++) {
        const json_t *b = json_object_get(doc, kinds[k]);
        char q[256];
        snprintf(q, sizeof q, "SELECT count(*) FROM breakdowns WHERE kind = '%s'", kinds[k]);
        ck_assert_int_eq((long)json_object_size(b), (long)sql_num(db, q));
        const char *name;
        json_t *v;
        json_object_foreach((json_t *)b, name, v) {
            snprintf(q, sizeof q,
                     "SELECT value FROM breakdowns WHERE kind = '%s' AND component = '%s'",
                     kinds[k], name);
            ck_assert_msg(json_real_value(v) == sql_num(db, q), "%s %s", kinds[k], name);
        }
    }
    json_decref(doc);
    /* The CSV reports: one row per layer plus the header, integers exact. */
    char path[192];
    snprintf(path, sizeof path, "%s/COMPUTE_REPORT.csv", csv);
    const char *text = slurp(path);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq((long)lines, 1 + (long)sql_num(db, "SELECT count(*) FROM layers"));
    ck_assert_ptr_null(strstr(text, "e+"));
    test_rmtree(dir);
}
END_TEST

/* A machine block the workload does not use is said, not ignored. */
START_TEST(test_unused_block_is_noted)
{
    char dir[64], hw[512], wl[512], db[128], out[128];
    test_tmpdir(dir, sizeof dir, "machine");
    snprintf(hw, sizeof hw, "%s/configs/npu_pim.yaml", CODESIM_ROOT);
    snprintf(wl, sizeof wl, "%s/traces/transformer.csv", CODESIM_ROOT);
    snprintf(db, sizeof db, "%s/run.db", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char *const run[] = {"codesim", "run", "--hw", hw, "--workload", wl, "--db", db, NULL};
    expect_ok(run, out);
    const char *s = slurp(out);
    ck_assert_msg(strstr(s, "note: pim: the PIM units take no part") != NULL, "%s", s);
    ck_assert_msg(strstr(s, "4 cores x 32x32 os array") != NULL, "%s", s);
    test_rmtree(dir);
}
END_TEST

/* The multi-core split against a closed form: a layer of N = 4n columns on
 * 4 cores sharing 4B bytes per cycle is four copies of the layer of n
 * columns on one core with B bytes per cycle, side by side, so it takes
 * exactly as many cycles, with four times the MACs and DRAM bytes. */
START_TEST(test_four_cores_are_four_slices)
{
    char dir[64], hw1[128], hw4[128], wl1[128], wl4[128], db[128], out[128];
    test_tmpdir(dir, sizeof dir, "machine");
    snprintf(hw1, sizeof hw1, "%s/one.yaml", dir);
    snprintf(hw4, sizeof hw4, "%s/four.yaml", dir);
    snprintf(wl1, sizeof wl1, "%s/n.csv", dir);
    snprintf(wl4, sizeof wl4, "%s/4n.csv", dir);
    snprintf(db, sizeof db, "%s/run.db", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    write_file(hw1, "name: one\narray: {rows: 16, cols: 16, dataflow: ws}\n"
                    "dram: {bytes_per_cycle: 8}\n");
    write_file(hw4, "name: four\narray: {rows: 16, cols: 16, dataflow: ws}\n"
                    "dram: {bytes_per_cycle: 32}\nnpu: {cores: 4}\n");
    write_file(wl1, "Layer,M,N,K\nl,200,96,300\n");
    write_file(wl4, "Layer,M,N,K\nl,200,384,300\n");
    char *const r1[] = {"codesim", "run", "--hw", hw1, "--workload", wl1, "--db", db, NULL};
    expect_ok(r1, out);
    char *const r4[] = {"codesim", "run", "--hw", hw4, "--workload", wl4, "--db", db, NULL};
    expect_ok(r4, out);
    ck_assert_double_eq(sql_num(db, "SELECT total_cycles FROM layers WHERE run_id = 2"),
                        sql_num(db, "SELECT total_cycles FROM layers WHERE run_id = 1"));
    ck_assert_double_eq(sql_num(db, "SELECT macs FROM layers WHERE run_id = 2"),
                        4 * sql_num(db, "SELECT macs FROM layers WHERE run_id = 1"));
    ck_assert_double_eq(sql_num(db, "SELECT dram_read_bytes FROM layers WHERE run_id = 2"),
                        4 * sql_num(db, "SELECT dram_read_bytes FROM layers WHERE run_id = 1"));
    ck_assert_double_eq(sql_num(db, "SELECT macs FROM layers WHERE run_id = 1"), 200.0 * 96 * 300);
    test_rmtree(dir);
}
END_TEST

/* lutcompare's LUT column is the machine's LUT unit on each row's own
 * weights: its cycles equal what run stores for every LUT layer. */
START_TEST(test_lutcompare_lut_cycles_equal_run)
{
    char dir[64], hw[512], wl[512], db[128], out[128];
    test_tmpdir(dir, sizeof dir, "machine");
    snprintf(hw, sizeof hw, "%s/configs/lut.yaml", CODESIM_ROOT);
    snprintf(wl, sizeof wl, "%s/traces/lowbit.csv", CODESIM_ROOT);
    snprintf(db, sizeof db, "%s/run.db", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    char *const run[] = {"codesim", "run", "--hw", hw, "--workload", wl, "--db", db, NULL};
    expect_ok(run, out);
    char *const cmp[] = {"codesim", "lutcompare", "--hw", hw, "--workload", wl, NULL};
    expect_ok(cmp, out);
    const char *text = slurp(out);
    int seen = 0;
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char name[64], unit[16];
        unsigned long long cycles;
        if (sscanf(line, "%63s %15s %llu", name, unit, &cycles) != 3 || strcmp(unit, "lut"))
            continue;
        char q[256];
        snprintf(q, sizeof q, "SELECT count(*) FROM layers WHERE name = '%s' AND unit = 'lut'",
                 name);
        if (sql_num(db, q) == 0)
            continue; /* an int8 row: lutcompare still runs it at --w-bits */
        snprintf(q, sizeof q, "SELECT total_cycles FROM layers WHERE name = '%s' AND unit = 'lut'",
                 name);
        ck_assert_msg(sql_num(db, q) == (double)cycles, "%s: lutcompare %llu cycles, run %.0f",
                      name, cycles, sql_num(db, q));
        seen++;
    }
    ck_assert_int_eq(seen, (int)sql_num(db, "SELECT count(*) FROM layers WHERE unit = 'lut'"));
    ck_assert_int_ge(seen, 4);
    test_rmtree(dir);
}
END_TEST

Suite *machine_suite(void)
{
    Suite *s = suite_create("machine");
    TCase *tc = tcase_create("one_answer");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_lut_machine_same_in_run_sweep_area);
    tcase_add_test(tc, test_multicore_machine_same_in_run_sweep_area);
    tcase_add_test(tc, test_llm_run_same_as_sweep_point);
    tcase_add_test(tc, test_json_matches_database);
    tcase_add_test(tc, test_unused_block_is_noted);
    tcase_add_test(tc, test_four_cores_are_four_slices);
    tcase_add_test(tc, test_lutcompare_lut_cycles_equal_run);
    suite_add_tcase(s, tc);
    return s;
}

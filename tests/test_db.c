/* test_db.c - the SQLite results database: schema, round trips through the
 * sqlite3 API, refusal of foreign or damaged files (left byte-identical),
 * all-or-nothing writes, migration, a merge that keeps every row of every
 * table, and no SQL outside sim/db/. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../sim/io/config.h"
#include "../sim/db/db.h"
#include "../models/engine.h"
#include "../sim/io/workload.h"
#include "tests.h"

/* ---- scratch directory ---------------------------------------------------- */

typedef struct {
    char dir[64];
    char path[128];   /* dir/results.db */
} scratch_t;

static void scratch_new(scratch_t *s)
{
    test_tmpdir(s->dir, sizeof s->dir, "db");
    snprintf(s->path, sizeof s->path, "%s/results.db", s->dir);
}

static void scratch_free(scratch_t *s)
{
    test_rmtree(s->dir);
}

static int scratch_entries(const scratch_t *s)
{
    int n = 0;
    DIR *d = opendir(s->dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* ---- file bytes --------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Asserts path holds exactly the len bytes at buf. */
static void assert_bytes(const char *path, const char *buf, size_t len)
{
    size_t now_len;
    char *now = slurp(path, &now_len);
    ck_assert_uint_eq(now_len, len);
    ck_assert(memcmp(now, buf, len) == 0);
    free(now);
}

/* ---- direct sqlite3 access, independent of db.c ------------------------ */

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *sql = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    return sql;
}

static void raw_exec(const char *path, const char *q)
{
    sqlite3 *sql = raw_open(path);
    char *msg = NULL;
    int rc = sqlite3_exec(sql, q, NULL, NULL, &msg);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", q, msg ? msg : "?");
    sqlite3_close(sql);
}

static int64_t raw_int(const char *path, const char *q)
{
    sqlite3 *sql = raw_open(path);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(sql, q, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(sql);
    return v;
}

/* ---- fixtures ------------------------------------------------------------ */

typedef struct {
    hw_cfg_t hw;
    layer_t wl_layers[3];
    workload_t wl;
    layer_result_t res[3];
    db_run_t run;
} run_fixture_t;

static void fixture_init(run_fixture_t *f, const char *hw_text)
{
    memset(f, 0, sizeof *f);
    hw_defaults(&f->hw);
    snprintf(f->hw.name, sizeof f->hw.name, "test-array");
    f->hw.text = hw_text ? strdup(hw_text) : NULL;
    static const char *const names[3] = {"conv1", "fc2", "attn_qk"};
    for (size_t i = 0; i < 3; i++) {
        layer_t *l = &f->wl_layers[i];
        snprintf(l->name, sizeof l->name, "%s", names[i]);
        l->m = 16 + i;
        l->n = 32 + i;
        l->k = 64 + i;
        l->line = (unsigned)i + 2;
        layer_result_t *r = &f->res[i];
        snprintf(r->name, sizeof r->name, "%s", names[i]);
        r->m = l->m;
        r->n = l->n;
        r->k = l->k;
        r->dataflow = (systolic_dataflow_t)i;
        layer_stats_t *s = &r->stats;
        uint64_t b = 1000 * (i + 1);
        s->compute_cycles = b + 1;
        s->stall_cycles = b + 2;
        s->total_cycles = s->compute_cycles + s->stall_cycles;
        s->macs = l->m * l->n * l->k;
        s->folds = b + 3;
        s->steps = b + 4;
        s->ifmap_reads = b + 5;
        s->ifmap_writes = b + 6;
        s->filter_reads = b + 7;
        s->filter_writes = b + 8;
        s->ofmap_reads = b + 9;
        s->ofmap_writes = b + 10;
        s->dram_read_bytes = b + 11;
        s->dram_write_bytes = b + 12;
        s->utilization = 0.25 * (double)(i + 1);
    }
    f->wl.layers = f->wl_layers;
    f->wl.count = 3;
    f->wl.text = "Layer,M,N,K\nconv1,16,32,64\nfc2,17,33,65\nattn_qk,18,34,66\n";
    f->run.path = "fast";
    f->run.hw_file = hw_text ? "configs/test.yaml" : NULL;
    f->run.hw = &f->hw;
    f->run.workload_file = "workloads/test.csv";
    f->run.wl = &f->wl;
    f->run.wall_seconds = 0.125;
}

static void fixture_free(run_fixture_t *f)
{
    hw_free(&f->hw);
}

static void open_ok(const char *path, db_t **db)
{
    char err[512] = "";
    int rc = db_open(path, db, err, sizeof err);
    ck_assert_msg(rc == 0, "db_open: %s", err);
    ck_assert_ptr_nonnull(*db);
}

static int64_t record_ok(db_t *db, run_fixture_t *f, size_t n)
{
    char err[512] = "";
    int64_t id = -1;
    int rc = db_record_run(db, &f->run, f->res, n, &id, err, sizeof err);
    ck_assert_msg(rc == 0, "db_record_run: %s", err);
    ck_assert_int_gt(id, 0);
    return id;
}

/* A database with a few runs, closed (WAL checkpointed into the main file). */
static void make_db(const char *path, int runs)
{
    /* Several KB of config text so the file spans many pages. */
    char *text = malloc(20000);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < 19999; i++)
        text[i] = (char)('a' + i % 26);
    text[19999] = '\0';
    run_fixture_t f;
    fixture_init(&f, text);
    free(text);
    db_t *db = NULL;
    open_ok(path, &db);
    for (int i = 0; i < runs; i++)
        record_ok(db, &f, 3);
    db_close(db);
    fixture_free(&f);
}

/* Asserts db_open(path) fails, the message is one line and contains want. */
static void open_refused(const char *path, const char *want, const char *want2)
{
    db_t *db = (db_t *)1;
    char err[512] = "";
    ck_assert_int_eq(db_open(path, &db, err, sizeof err), -1);
    ck_assert_ptr_null(db);
    ck_assert_msg(strstr(err, path) == err, "message does not start with the path: %s", err);
    ck_assert_msg(strstr(err, want), "message lacks \"%s\": %s", want, err);
    if (want2)
        ck_assert_msg(strstr(err, want2), "message lacks \"%s\": %s", want2, err);
    ck_assert_ptr_null(strchr(err, '\n'));
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_db_creates_schema_and_run_rows_read_back_equal)
{
    scratch_t s;
    scratch_new(&s);
    run_fixture_t f;
    fixture_init(&f, "name: test-array\narray: {rows: 32, cols: 32}\n");
    db_t *db = NULL;
    open_ok(s.path, &db);
    int64_t id = record_ok(db, &f, 3);
    db_close(db);

    sqlite3 *sql = raw_open(s.path);
    sqlite3_stmt *st = NULL;

    ck_assert_int_eq(sqlite3_prepare_v2(sql, "SELECT value FROM meta WHERE key='schema_version'",
                                        -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(atoi((const char *)sqlite3_column_text(st, 0)), DB_SCHEMA_VERSION);
    sqlite3_finalize(st);

    ck_assert_int_eq(sqlite3_prepare_v2(sql, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);

    ck_assert_int_eq(sqlite3_prepare_v2(sql,
                                        "SELECT id, started_at, codesim_version, git_rev, path,"
                                        " hw_name, hw_file, hw_text, hw_canonical, hw_hash,"
                                        " workload_file, workload_text, layers, total_cycles,"
                                        " wall_seconds FROM runs",
                                        -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int64(st, 0), id);
    const char *at = (const char *)sqlite3_column_text(st, 1);
    ck_assert_uint_eq(strlen(at), 20);  /* 2026-11-23T16:49:50Z */
    ck_assert(at[4] == '-' && at[7] == '-' && at[10] == 'T' && at[13] == ':' &&
              at[16] == ':' && at[19] == 'Z');
    ck_assert_uint_gt(strlen((const char *)sqlite3_column_text(st, 2)), 0);
    ck_assert_uint_gt(strlen((const char *)sqlite3_column_text(st, 3)), 0);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 4), "fast");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 5), "test-array");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 6), "configs/test.yaml");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 7), f.hw.text);
    char *canon = hw_canonical(&f.hw);
    char hash[17];
    hw_hash(&f.hw, hash);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 8), canon);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 9), hash);
    free(canon);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 10), "workloads/test.csv");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 11), f.wl.text);
    ck_assert_int_eq(sqlite3_column_int64(st, 12), 3);
    uint64_t total = 0;
    for (size_t i = 0; i < 3; i++)
        total += f.res[i].stats.total_cycles;
    ck_assert_int_eq(sqlite3_column_int64(st, 13), (int64_t)total);
    ck_assert_double_eq(sqlite3_column_double(st, 14), 0.125);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);

    ck_assert_int_eq(sqlite3_prepare_v2(sql,
                                        "SELECT run_id, idx, name, m, n, k, unit, dataflow,"
                                        " total_cycles, compute_cycles, stall_cycles, macs,"
                                        " folds, steps, utilization, ifmap_reads, ifmap_writes,"
                                        " filter_reads, filter_writes, ofmap_reads,"
                                        " ofmap_writes, dram_read_bytes, dram_write_bytes"
                                        " FROM layers ORDER BY idx",
                                        -1, &st, NULL), SQLITE_OK);
    static const char *const df[3] = {"os", "ws", "is"};
    for (size_t i = 0; i < 3; i++) {
        const layer_result_t *r = &f.res[i];
        const layer_stats_t *x = &r->stats;
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int64(st, 0), id);
        ck_assert_int_eq(sqlite3_column_int64(st, 1), (int64_t)i);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), r->name);
        ck_assert_int_eq(sqlite3_column_int64(st, 3), (int64_t)r->m);
        ck_assert_int_eq(sqlite3_column_int64(st, 4), (int64_t)r->n);
        ck_assert_int_eq(sqlite3_column_int64(st, 5), (int64_t)r->k);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 6), "systolic");
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 7), df[i]);
        const uint64_t want[] = {x->total_cycles, x->compute_cycles, x->stall_cycles, x->macs,
                                 x->folds, x->steps};
        for (int c = 0; c < 6; c++)
            ck_assert_int_eq(sqlite3_column_int64(st, 8 + c), (int64_t)want[c]);
        ck_assert_double_eq(sqlite3_column_double(st, 14), x->utilization);
        const uint64_t want2[] = {x->ifmap_reads,  x->ifmap_writes,   x->filter_reads,
                                  x->filter_writes, x->ofmap_reads,   x->ofmap_writes,
                                  x->dram_read_bytes, x->dram_write_bytes};
        for (int c = 0; c < 8; c++)
            ck_assert_int_eq(sqlite3_column_int64(st, 15 + c), (int64_t)want2[c]);
    }
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(sql);

    fixture_free(&f);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_default_config_without_text_stores_null)
{
    scratch_t s;
    scratch_new(&s);
    run_fixture_t f;
    fixture_init(&f, NULL);
    db_t *db = NULL;
    open_ok(s.path, &db);
    record_ok(db, &f, 0);
    db_close(db);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs"
                                     " WHERE hw_text IS NULL AND hw_file IS NULL"
                                     " AND hw_canonical IS NOT NULL AND layers = 0"
                                     " AND total_cycles = 0"), 1);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers"), 0);
    fixture_free(&f);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_records_rtlcheck_with_cases)
{
    scratch_t s;
    scratch_new(&s);
    db_t *db = NULL;
    open_ok(s.path, &db);
    systolic_cfg_t arr = {.rows = 4, .cols = 8, .dataflow = SYSTOLIC_WS,
                          .in_bits = 8, .w_bits = 4, .acc_bits = 24};
    db_rtl_check_t chk = {.block = "systolic", .array = &arr, .seed = UINT64_C(0xfedcba9876543210),
                          .cycle_mismatches = 1, .value_mismatches = 2, .count_mismatches = 0};
    db_rtl_case_t cases[2] = {
        {.m = 3, .n = 5, .k = 7, .model_cycles = 40, .rtl_cycles = 40, .value_mismatches = 0,
         .counts_match = 1},
        {.m = 9, .n = 1, .k = 2, .model_cycles = 30, .rtl_cycles = 31, .value_mismatches = 2,
         .counts_match = 0},
    };
    char err[512] = "";
    int64_t id = -1;
    ck_assert_msg(db_record_rtlcheck(db, &chk, cases, 2, &id, err, sizeof err) == 0, "%s", err);
    ck_assert_int_gt(id, 0);
    db_close(db);

    sqlite3 *sql = raw_open(s.path);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(sql,
                                        "SELECT id, started_at, block, rows, cols, dataflow,"
                                        " in_bits, w_bits, acc_bits, seed, cases,"
                                        " cycle_mismatches, value_mismatches, count_mismatches,"
                                        " codesim_version, git_rev FROM rtl_checks",
                                        -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int64(st, 0), id);
    ck_assert_uint_eq(strlen((const char *)sqlite3_column_text(st, 1)), 20);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), "systolic");
    ck_assert_int_eq(sqlite3_column_int64(st, 3), 4);
    ck_assert_int_eq(sqlite3_column_int64(st, 4), 8);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 5), "ws");
    ck_assert_int_eq(sqlite3_column_int64(st, 6), 8);
    ck_assert_int_eq(sqlite3_column_int64(st, 7), 4);
    ck_assert_int_eq(sqlite3_column_int64(st, 8), 24);
    /* the seed keeps all 64 bits */
    ck_assert_uint_eq((uint64_t)sqlite3_column_int64(st, 9), chk.seed);
    ck_assert_int_eq(sqlite3_column_int64(st, 10), 2);
    ck_assert_int_eq(sqlite3_column_int64(st, 11), 1);
    ck_assert_int_eq(sqlite3_column_int64(st, 12), 2);
    ck_assert_int_eq(sqlite3_column_int64(st, 13), 0);
    ck_assert_ptr_nonnull(sqlite3_column_text(st, 14));
    ck_assert_ptr_nonnull(sqlite3_column_text(st, 15));
    sqlite3_finalize(st);

    ck_assert_int_eq(sqlite3_prepare_v2(sql,
                                        "SELECT check_id, idx, m, n, k, model_cycles, rtl_cycles,"
                                        " value_mismatches, counts_match FROM rtl_cases"
                                        " ORDER BY idx",
                                        -1, &st, NULL), SQLITE_OK);
    for (int i = 0; i < 2; i++) {
        const db_rtl_case_t *c = &cases[i];
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int64(st, 0), id);
        ck_assert_int_eq(sqlite3_column_int64(st, 1), i);
        ck_assert_int_eq(sqlite3_column_int64(st, 2), (int64_t)c->m);
        ck_assert_int_eq(sqlite3_column_int64(st, 3), (int64_t)c->n);
        ck_assert_int_eq(sqlite3_column_int64(st, 4), (int64_t)c->k);
        ck_assert_int_eq(sqlite3_column_int64(st, 5), (int64_t)c->model_cycles);
        ck_assert_int_eq(sqlite3_column_int64(st, 6), (int64_t)c->rtl_cycles);
        ck_assert_int_eq(sqlite3_column_int64(st, 7), (int64_t)c->value_mismatches);
        ck_assert_int_eq(sqlite3_column_int64(st, 8), c->counts_match);
    }
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(sql);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_reopen_keeps_old_rows_and_appends)
{
    scratch_t s;
    scratch_new(&s);
    run_fixture_t f;
    fixture_init(&f, "name: test-array\n");
    db_t *db = NULL;
    open_ok(s.path, &db);
    int64_t first = record_ok(db, &f, 3);
    db_close(db);

    open_ok(s.path, &db);
    f.run.path = "cycle";
    int64_t second = record_ok(db, &f, 2);
    db_close(db);

    ck_assert_int_gt(second, first);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs"), 2);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers"), 5);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs WHERE path = 'fast'"), 1);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs WHERE path = 'cycle'"), 1);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM meta"), 1);
    fixture_free(&f);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_two_handles_record_into_one_file)
{
    scratch_t s;
    scratch_new(&s);
    run_fixture_t f;
    fixture_init(&f, NULL);
    db_t *a = NULL, *b = NULL;
    open_ok(s.path, &a);
    open_ok(s.path, &b);
    int64_t ia = record_ok(a, &f, 1);
    int64_t ib = record_ok(b, &f, 2);
    ck_assert_int_ne(ia, ib);
    db_close(a);
    db_close(b);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers"), 3);
    fixture_free(&f);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_refuses_text_file_and_leaves_it_byte_identical)
{
    scratch_t s;
    scratch_new(&s);
    /* Long enough to cover SQLite's 100-byte header and more. */
    char text[600];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)(" layer,M,N,K\n"[i % 13]);
    spit(s.path, text, sizeof text);
    open_refused(s.path, "not a codesim results database", "not a database");
    assert_bytes(s.path, text, sizeof text);
    ck_assert_int_eq(scratch_entries(&s), 1);   /* no -wal, -shm or -journal left */
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_refuses_database_with_other_tables_untouched)
{
    scratch_t s;
    scratch_new(&s);
    sqlite3 *sql = NULL;
    ck_assert_int_eq(sqlite3_open(s.path, &sql), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(sql, "CREATE TABLE photos(id INTEGER PRIMARY KEY, path TEXT);"
                                       "INSERT INTO photos(path) VALUES('a.jpg');",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(sql);
    size_t len;
    char *before = slurp(s.path, &len);
    open_refused(s.path, "not a codesim results database", "has other tables");
    assert_bytes(s.path, before, len);
    free(before);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_refuses_overwritten_page)
{
    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 4);
    size_t len;
    char *buf = slurp(s.path, &len);
    long page = raw_int(s.path, "PRAGMA page_size");
    ck_assert_uint_ge(len, 3 * (size_t)page);
    /* Garble page 2 from its start to past its middle: b-tree header, cell
     * pointers and cells. */
    for (long i = 0; i < page * 3 / 4; i++)
        buf[page + i] = (char)(0xa5 ^ (i * 7));
    spit(s.path, buf, len);
    open_refused(s.path, "not a codesim results database", NULL);
    assert_bytes(s.path, buf, len);
    free(buf);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_refuses_truncated_database)
{
    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 4);
    size_t len;
    char *buf = slurp(s.path, &len);
    long page = raw_int(s.path, "PRAGMA page_size");
    ck_assert_uint_ge(len, 4 * (size_t)page);
    size_t cut = len / 2 + (size_t)page / 3;   /* not on a page boundary */
    ck_assert_int_eq(truncate(s.path, (off_t)cut), 0);
    open_refused(s.path, "not a codesim results database", NULL);
    assert_bytes(s.path, buf, cut);
    free(buf);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_refuses_schema_version_99_naming_both_versions)
{
    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 1);
    raw_exec(s.path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    size_t len;
    char *before = slurp(s.path, &len);
    char mine[32];
    snprintf(mine, sizeof mine, "version %d", DB_SCHEMA_VERSION);
    open_refused(s.path, "99, newer than this codesim", mine);
    assert_bytes(s.path, before, len);
    free(before);
    scratch_free(&s);
}
END_TEST

/* A version-1 file (the tables of versions 2 and 3 dropped, as version 1
 * created none of them) opens as the current version with every row kept,
 * and takes a sweep point. */
START_TEST(test_db_migrates_version_1_in_place_keeping_rows)
{
    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 3);
    raw_exec(s.path, "DROP TABLE sweep_points; DROP TABLE breakdowns; DROP TABLE llm_runs;"
                     " DROP TABLE llm_units; DROP TABLE llm_ops; DROP TABLE synth_checks;"
                     " DROP TABLE synth_sizes;"
                     " UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    const long runs = raw_int(s.path, "SELECT count(*) FROM runs");
    const long layers = raw_int(s.path, "SELECT count(*) FROM layers");
    const long sum = raw_int(s.path, "SELECT sum(total_cycles) FROM layers");
    ck_assert_int_eq(runs, 3);
    ck_assert_int_gt(layers, 0);
    db_t *db = NULL;
    open_ok(s.path, &db);
    hw_cfg_t hw;
    hw_defaults(&hw);
    const db_point_t pt = {"t", 0, "array.rows=32", "0123456789abcdef", "fedcba9876543210",
                           "w.csv", &hw, "cannot run", NAN, NAN, NAN, NAN, NAN, NULL, 0};
    char err[256];
    ck_assert_msg(db_record_point(db, &pt, NULL, NULL, 0, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(db_record_point(db, &pt, NULL, NULL, 0, err, sizeof err), 1);
    db_close(db);
    ck_assert_int_eq(raw_int(s.path, "SELECT value FROM meta WHERE key = 'schema_version'"),
                     DB_SCHEMA_VERSION);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM llm_runs"), 0);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs"), runs);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers"), layers);
    ck_assert_int_eq(raw_int(s.path, "SELECT sum(total_cycles) FROM layers"), sum);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM sweep_points"), 1);
    scratch_free(&s);
}
END_TEST

/* A version-2 file (the version-3 and -4 tables dropped) opens as the current
 * version with every row kept, and takes an LLM run and a synthesis check. */
START_TEST(test_db_migrates_version_2_in_place_keeping_rows)
{
    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 2);
    raw_exec(s.path, "DROP TABLE llm_runs; DROP TABLE llm_units; DROP TABLE llm_ops;"
                     " DROP TABLE synth_checks; DROP TABLE synth_sizes;"
                     " DROP TABLE serve_runs; DROP TABLE serve_requests;"
                     " UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    const long layers = raw_int(s.path, "SELECT count(*) FROM layers");
    db_t *db = NULL;
    open_ok(s.path, &db);
    const db_synth_t chk = {"systolic_grid", "45nm", 8, 32, 0.15, 0};
    const db_synth_size_t z[2] = {{1, 1, 1072, 72, 1369.6, 1012.7, 1, 1, 0, 0.5},
                                  {2, 2, 4921, 320, 6226.3, 4529.1, 4.546, 4.472, -0.0162, 1.5}};
    char err[256];
    int64_t id;
    ck_assert_msg(db_record_synth(db, &chk, z, 2, &id, err, sizeof err) == 0, "%s", err);
    db_close(db);
    ck_assert_int_eq(raw_int(s.path, "SELECT value FROM meta WHERE key = 'schema_version'"),
                     DB_SCHEMA_VERSION);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers"), layers);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM synth_sizes WHERE check_id = 1"), 2);
    ck_assert_int_eq(raw_int(s.path, "SELECT cells FROM synth_sizes WHERE rows = 2"), 4921);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_missing_directory_cannot_write_names_path)
{
    scratch_t s;
    scratch_new(&s);
    char path[256];
    snprintf(path, sizeof path, "%s/no/such/dir/results.db", s.dir);
    open_refused(path, "cannot write", NULL);
    ck_assert_int_eq(scratch_entries(&s), 0);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_read_only_file_cannot_write)
{
    /* root writes through file modes; nothing to test there. */
    if (geteuid() == 0)
        return;
    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 1);
    ck_assert_int_eq(chmod(s.path, 0444), 0);
    open_refused(s.path, "cannot write", NULL);
    scratch_free(&s);
}
END_TEST

START_TEST(test_db_failed_layer_insert_leaves_no_partial_run)
{
    scratch_t s;
    scratch_new(&s);
    run_fixture_t f;
    fixture_init(&f, "name: test-array\n");
    db_t *db = NULL;
    open_ok(s.path, &db);
    record_ok(db, &f, 3);
    /* The second layer of the next run fails after the run row and the
     * first layer row are inserted. */
    raw_exec(s.path, "CREATE TRIGGER fail_layer BEFORE INSERT ON layers WHEN NEW.idx = 1"
                     " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
                     "CREATE TRIGGER fail_case BEFORE INSERT ON rtl_cases WHEN NEW.idx = 1"
                     " BEGIN SELECT RAISE(ABORT, 'injected case failure'); END;");

    char err[512] = "";
    int64_t id = -7;
    ck_assert_int_eq(db_record_run(db, &f.run, f.res, 3, &id, err, sizeof err), -1);
    ck_assert_int_eq(id, -7);
    ck_assert_msg(strstr(err, "injected failure") && strstr(err, "layer 1"), "%s", err);
    ck_assert_ptr_null(strchr(err, '\n'));

    systolic_cfg_t arr = {.rows = 2, .cols = 2, .dataflow = SYSTOLIC_OS,
                          .in_bits = 8, .w_bits = 8, .acc_bits = 32};
    db_rtl_check_t chk = {.block = "systolic", .array = &arr, .seed = 1};
    db_rtl_case_t cases[2] = {{.m = 1, .n = 1, .k = 1, .counts_match = 1},
                              {.m = 2, .n = 2, .k = 2, .counts_match = 1}};
    ck_assert_int_eq(db_record_rtlcheck(db, &chk, cases, 2, &id, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "injected case failure"), "%s", err);

    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs"), 1);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers"), 3);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM rtl_checks"), 0);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM rtl_cases"), 0);

    /* The handle stays usable once the cause is gone. */
    raw_exec(s.path, "DROP TRIGGER fail_layer; DROP TRIGGER fail_case;");
    record_ok(db, &f, 3);
    ck_assert_int_eq(db_record_rtlcheck(db, &chk, cases, 2, &id, err, sizeof err), 0);
    db_close(db);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs"), 2);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers"), 6);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM rtl_cases"), 2);
    fixture_free(&f);
    scratch_free(&s);
}
END_TEST

/* ---- every table: fill, merge ---------------------------------------------- */

static int64_t raw_int_sql(sqlite3 *sql, const char *q)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(sql, q, -1, &st, NULL) == SQLITE_OK, "%s: %s", q,
                  sqlite3_errmsg(sql));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t table_rows(const char *path, const char *table)
{
    char q[128];
    snprintf(q, sizeof q, "SELECT count(*) FROM %s", table);
    return raw_int(path, q);
}

/* Fills every table of path: through the record functions (a plain run with
 * its breakdowns, an RTL check, a sweep point that ran and one that could
 * not, an LLM run and an LLM sweep point, a synthesis check), then one row
 * by plain SQL into any table still empty (a table added later, with no
 * record function known to this test), its parents' ids taken from rows
 * already there.  salt makes the rows of two databases differ. */
static void fill_every_table(const char *path, int salt)
{
    char err[512] = "", name[64];
    run_fixture_t f;
    fixture_init(&f, "name: test-array\narray: {rows: 8, cols: 8}\n");
    snprintf(f.hw.name, sizeof f.hw.name, "array-%d", salt);
    f.run.wall_seconds = 0.5 + salt;
    db_t *db = NULL;
    open_ok(path, &db);

    const db_breakdown_t b[2] = {{"energy_pj", "array.mac", 10.0 + salt},
                                 {"area_um2", "sram.ifmap", 20.0 + salt}};
    int64_t id;
    ck_assert_msg(db_record_run_costs(db, &f.run, f.res, 3, b, 2, &id, err, sizeof err) == 0,
                  "%s", err);

    systolic_cfg_t arr = {.rows = 4, .cols = 4, .dataflow = SYSTOLIC_OS,
                          .in_bits = 8, .w_bits = 8, .acc_bits = 32};
    db_rtl_check_t chk = {.block = "systolic", .array = &arr, .seed = (uint64_t)salt};
    db_rtl_case_t cases[2] = {{.m = 1, .n = 2, .k = 3, .model_cycles = 9, .rtl_cycles = 9,
                               .counts_match = 1},
                              {.m = 4, .n = 5, .k = 6, .model_cycles = 20, .rtl_cycles = 20,
                               .counts_match = 1}};
    ck_assert_msg(db_record_rtlcheck(db, &chk, cases, 2, &id, err, sizeof err) == 0, "%s", err);

    char ch[17], wh[17], ch2[17], ch3[17];
    snprintf(ch, sizeof ch, "%016x", 0x100 + salt);
    snprintf(ch2, sizeof ch2, "%016x", 0x200 + salt);
    snprintf(ch3, sizeof ch3, "%016x", 0x300 + salt);
    snprintf(wh, sizeof wh, "%016x", 0xabc);
    db_point_t pt = {"t", 0, "array.rows=8", ch, wh, "w.csv", &f.hw, NULL,
                     1.5, 2.5, 3.5, 4.5, 5.5, b, 2};
    ck_assert_msg(db_record_point(db, &pt, &f.run, f.res, 3, err, sizeof err) == 0, "%s", err);
    pt.config_hash = ch2;
    pt.point = 1;
    pt.error = "cannot run";
    ck_assert_msg(db_record_point(db, &pt, NULL, NULL, 0, err, sizeof err) == 0, "%s", err);

    mapper_run_t mr = {.batch = 2, .prompt = 16, .gen = 3, .wbits = 8, .abits = 8, .kvbits = 8};
    npu_cfg_t npu;
    npu_defaults(&npu);
    npu_unit_stat_t units[2] = {{"core0.array", 100, 0.5}, {"pim", 50, 0.25}};
    npu_op_stat_t ops[3] = {{"qkv", MAPPER_PREFILL, MAPPER_UNIT_SYSTOLIC, 40, 400},
                            {"attn", MAPPER_DECODE, MAPPER_UNIT_PIM, 30, 300},
                            {"ffn", MAPPER_DECODE, MAPPER_UNIT_SYSTOLIC, 20, 200}};
    npu_result_t res = {.prefill_cycles = 60, .decode_cycles = 40, .decode_steps = 2,
                        .total_cycles = 100, .ttft_s = 1e-6, .tpot_s = 2e-6,
                        .tokens_per_s = 1e6, .macs = 900 + (uint64_t)salt, .mapper_flops = 1800,
                        .dram_bytes = 4096, .dram_gbps = 1.5, .commands = 77,
                        .units = units, .nunits = 2, .ops = ops, .nops = 3};
    snprintf(name, sizeof name, "gpt-%d", salt);
    const db_llm_t llm = {name, "npu", &mr, &npu, 1, (uint64_t)salt, NULL, NULL};
    db_run_t lrun = f.run;
    lrun.path = "npu";
    lrun.wl = NULL;
    ck_assert_msg(db_record_llm_costs(db, &lrun, &llm, &res, b, 2, &id, err, sizeof err) == 0,
                  "%s", err);
    pt.config_hash = ch3;
    pt.point = 2;
    pt.error = NULL;
    ck_assert_msg(db_record_llm_point(db, &pt, &lrun, &llm, &res, err, sizeof err) == 0, "%s",
                  err);

    const db_synth_t syn = {"systolic_grid", "45nm", 8, 32, 0.15 + salt, 0};
    const db_synth_size_t z[2] = {{1, 1, 1072, 72, 1369.6, 1012.7, 1, 1, 0, 0.5},
                                  {2, 2, 4921, 320, 6226.3, 4529.1, 4.546, 4.472, -0.0162, 1.5}};
    ck_assert_msg(db_record_synth(db, &syn, z, 2, &id, err, sizeof err) == 0, "%s", err);
    db_close(db);
    fixture_free(&f);

    /* Any table still empty gets one row by plain SQL. */
    size_t nt;
    const db_table_t *t = db_schema(&nt);
    sqlite3 *sql = raw_open(path);
    for (size_t i = 0; i < nt; i++) {
        char q[8192], cols[2048] = "", vals[2048] = "";
        snprintf(q, sizeof q, "SELECT count(*) FROM %s", t[i].name);
        if (t[i].meta || raw_int_sql(sql, q) > 0)
            continue;
        for (size_t c = 0; c < t[i].ncols; c++) {
            const db_column_t *col = &t[i].cols[c];
            if (t[i].id && strcmp(col->name, t[i].id) == 0)
                continue;
            char v[256];
            if (col->ref)
                snprintf(v, sizeof v, "(SELECT max(rowid) FROM %s)", col->ref);
            else if (strstr(col->type, "INTEGER"))
                snprintf(v, sizeof v, "%d", 1000 + salt);
            else if (strstr(col->type, "REAL"))
                snprintf(v, sizeof v, "%d.25", salt);
            else
                snprintf(v, sizeof v, "'%s-%d'", col->name, salt);
            strcat(cols, *cols ? ", " : "");
            strcat(cols, col->name);
            strcat(vals, *vals ? ", " : "");
            strcat(vals, v);
        }
        snprintf(q, sizeof q, "INSERT INTO %s(%s) VALUES(%s)", t[i].name, cols, vals);
        char *msg = NULL;
        ck_assert_msg(sqlite3_exec(sql, q, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", q, msg);
    }
    sqlite3_close(sql);
}

/* One text per row of table t (in the database attached as schema) and,
 * for its first foreign key, of the parent row it points to: every column
 * but ids and foreign keys, quoted.  So two databases hold the same rows
 * with the same parents exactly when their multisets of texts are equal,
 * whatever ids they got. */
static void row_text_sql(char *q, size_t qlen, const db_table_t *t, const char *schema)
{
    size_t nt;
    const db_table_t *all = db_schema(&nt);
    const db_column_t *fk = NULL;
    char expr[4096] = "''";
    for (size_t c = 0; c < t->ncols; c++) {
        const db_column_t *col = &t->cols[c];
        if (col->ref && !fk)
            fk = col;
        if (col->ref || (t->id && strcmp(col->name, t->id) == 0))
            continue;
        strcat(expr, " || '|' || quote(x.");
        strcat(expr, col->name);
        strcat(expr, ")");
    }
    const db_table_t *parent = NULL;
    for (size_t i = 0; fk && i < nt; i++)
        if (strcmp(all[i].name, fk->ref) == 0)
            parent = &all[i];
    if (parent) {
        strcat(expr, " || ' -> ' || ifnull(''");
        for (size_t c = 0; c < parent->ncols; c++) {
            const db_column_t *col = &parent->cols[c];
            if (col->ref || strcmp(col->name, parent->id) == 0)
                continue;
            strcat(expr, " || '|' || quote(p.");
            strcat(expr, col->name);
            strcat(expr, ")");
        }
        strcat(expr, ", 'no parent')");
        snprintf(q, qlen, "SELECT %s AS r FROM %s.%s x LEFT JOIN %s.%s p ON p.%s = x.%s", expr,
                 schema,
                 t->name, schema, parent->name, parent->id, fk->name);
    } else {
        snprintf(q, qlen, "SELECT %s AS r FROM %s.%s x", expr, schema, t->name);
    }
}

/* Two databases, each with rows in every table (their ids overlapping),
 * merged into a third: it holds every row of both, in every table of the
 * schema, each pointing at the right parent. */
START_TEST(test_db_merge_keeps_every_row_of_every_table)
{
    scratch_t s;
    scratch_new(&s);
    char a[160], b[160];
    snprintf(a, sizeof a, "%s/a.db", s.dir);
    snprintf(b, sizeof b, "%s/b.db", s.dir);
    fill_every_table(a, 1);
    fill_every_table(b, 2);
    size_t nt;
    const db_table_t *t = db_schema(&nt);
    for (size_t i = 0; i < nt; i++) {
        ck_assert_msg(table_rows(a, t[i].name) > 0, "%s: empty", t[i].name);
        ck_assert_msg(table_rows(b, t[i].name) > 0, "%s: empty", t[i].name);
    }

    db_t *db = NULL;
    open_ok(s.path, &db);
    char err[512] = "";
    db_merge_stats_t ms;
    ck_assert_msg(db_merge(db, a, &ms, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(db_merge(db, b, &ms, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < nt; i++)
        if (!t[i].meta)
            ck_assert_msg(ms.added[i] == (uint64_t)table_rows(b, t[i].name) && !ms.skipped[i],
                          "%s: %llu added, %llu skipped", t[i].name,
                          (unsigned long long)ms.added[i], (unsigned long long)ms.skipped[i]);
    /* Again: nothing new. */
    ck_assert_msg(db_merge(db, a, &ms, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < nt; i++)
        ck_assert_msg(ms.added[i] == 0, "%s: %llu added again", t[i].name,
                      (unsigned long long)ms.added[i]);
    db_close(db);

    sqlite3 *sql = raw_open(s.path);
    char q[16384];
    snprintf(q, sizeof q, "ATTACH '%s' AS a; ATTACH '%s' AS b;", a, b);
    ck_assert_int_eq(sqlite3_exec(sql, q, NULL, NULL, NULL), SQLITE_OK);
    for (size_t i = 0; i < nt; i++) {
        const int64_t na = table_rows(a, t[i].name), nb = table_rows(b, t[i].name);
        snprintf(q, sizeof q, "SELECT count(*) FROM main.%s", t[i].name);
        const int64_t nm = raw_int_sql(sql, q);
        if (t[i].meta) {
            ck_assert_int_eq(nm, na);
            continue;
        }
        ck_assert_msg(nm == na + nb, "%s: %lld rows merged from %lld + %lld", t[i].name,
                      (long long)nm, (long long)na, (long long)nb);
        /* The same rows with the same parents: main's texts minus a's and
         * b's leave nothing. */
        char qm[4000], qa[4000], qb[4000];
        row_text_sql(qm, sizeof qm, &t[i], "main");
        row_text_sql(qa, sizeof qa, &t[i], "a");
        row_text_sql(qb, sizeof qb, &t[i], "b");
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM (SELECT r FROM (SELECT r, 1 AS w FROM (%s)"
                 " UNION ALL SELECT r, -1 FROM (%s) UNION ALL SELECT r, -1 FROM (%s))"
                 " GROUP BY r HAVING sum(w) != 0)",
                 qm, qa, qb);
        ck_assert_msg(raw_int_sql(sql, q) == 0, "%s: rows or parents differ after merge",
                      t[i].name);
    }
    ck_assert_int_eq(raw_int_sql(sql, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    sqlite3_close(sql);
    scratch_free(&s);
}
END_TEST

/* A version-2 file without a column added later: the column comes back on
 * open, every row kept. */
START_TEST(test_db_migration_adds_missing_columns)
{
    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 2);
    raw_exec(s.path, "ALTER TABLE runs DROP COLUMN wall_seconds;"
                     " ALTER TABLE layers DROP COLUMN unit;"
                     " DROP TABLE llm_runs; DROP TABLE llm_units; DROP TABLE llm_ops;"
                     " DROP TABLE synth_checks; DROP TABLE synth_sizes;"
                     " DROP TABLE serve_runs; DROP TABLE serve_requests;"
                     " UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    const int64_t layers = raw_int(s.path, "SELECT count(*) FROM layers");
    db_t *db = NULL;
    open_ok(s.path, &db);
    run_fixture_t f;
    fixture_init(&f, NULL);
    record_ok(db, &f, 3);
    db_close(db);
    fixture_free(&f);
    ck_assert_int_eq(raw_int(s.path, "SELECT value FROM meta WHERE key = 'schema_version'"),
                     DB_SCHEMA_VERSION);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs WHERE wall_seconds IS NULL"), 2);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs WHERE wall_seconds = 0.125"), 1);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers WHERE unit IS NULL"), layers);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers"), layers + 3);
    scratch_free(&s);
}
END_TEST

/* The schema list is well formed: parents before children, every reference
 * to a table with an id, owners with a UNIQUE key. */
START_TEST(test_db_schema_refers_only_to_earlier_tables_with_ids)
{
    size_t nt;
    const db_table_t *t = db_schema(&nt);
    ck_assert_uint_le(nt, DB_MAX_TABLES);
    ck_assert_str_eq(t[0].name, "meta");
    for (size_t i = 0; i < nt; i++) {
        int unique = 0, owns = 0, has_id = !t[i].id;
        ck_assert_int_le(t[i].since, DB_SCHEMA_VERSION);
        for (size_t c = 0; c < t[i].ncols; c++) {
            const db_column_t *col = &t[i].cols[c];
            unique |= (col->flags & DB_COL_UNIQUE) != 0;
            owns |= (col->flags & DB_COL_OWNS) != 0;
            has_id |= t[i].id && strcmp(col->name, t[i].id) == 0;
            if (!col->ref)
                continue;
            size_t p = 0;
            while (p < i && strcmp(t[p].name, col->ref) != 0)
                p++;
            ck_assert_msg(p < i && t[p].id, "%s.%s: refers to %s, not an earlier table with an id",
                          t[i].name, col->name, col->ref);
        }
        ck_assert_msg(has_id, "%s: no column %s", t[i].name, t[i].id);
        ck_assert_msg(!owns || unique, "%s: owns rows without a UNIQUE key", t[i].name);
    }
}
END_TEST

/* All SQL lives in sim/db/: no sqlite3 call, include or SQL statement text
 * anywhere else under sim/ (nor in models/ or mapper/). */
START_TEST(test_db_no_sql_outside_sim_db)
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        char *const argv[] = {
            "grep", "-rnE", "--include=*.c", "--include=*.h",
            "(sqlite3|\"[^\"]*\\<(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|"
            "ALTER TABLE|PRAGMA|ATTACH|BEGIN IMMEDIATE)\\>)",
            CODESIM_ROOT "/sim", CODESIM_ROOT "/models", CODESIM_ROOT "/mapper", NULL};
        execvp("grep", argv);
        _exit(127);
    }
    close(fd[1]);
    FILE *in = fdopen(fd[0], "r");
    ck_assert_ptr_nonnull(in);
    char line[1024], bad[4096] = "";
    size_t hits = 0, outside = 0;
    const char *db_dir = CODESIM_ROOT "/sim/db/";
    while (fgets(line, sizeof line, in)) {
        hits++;
        if (strncmp(line, db_dir, strlen(db_dir)) == 0)
            continue;
        outside++;
        if (strlen(bad) + strlen(line) < sizeof bad)
            strcat(bad, line);
    }
    fclose(in);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    /* grep exits 0 with matches, 1 without, 2 on trouble. */
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "grep failed: %d", status);
    ck_assert_msg(hits > 0, "grep found no SQL even in sim/db/");
    ck_assert_msg(outside == 0, "SQL outside sim/db/:\n%s", bad);
}
END_TEST

/* Finding 3 (issue 14): a refused input to db_merge leaves no -wal or -shm
 * file (a read-only connection to a WAL-mode file never removes them). */
START_TEST(test_db_refused_merge_input_leaves_no_wal_or_shm)
{
    scratch_t s;
    scratch_new(&s);
    char in[200], out[200], p[220], err[512] = "";
    snprintf(in, sizeof in, "%s/v99.db", s.dir);
    snprintf(out, sizeof out, "%s/out.db", s.dir);
    make_db(in, 1);
    raw_exec(in, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    db_t *db = NULL;
    open_ok(out, &db);
    db_merge_stats_t st;
    ck_assert_int_eq(db_merge(db, in, &st, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "schema version 99"), "%s", err);
    db_close(db);
    struct stat sb;
    for (const char *suf = "-wal\0-shm\0"; *suf; suf += strlen(suf) + 1) {
        snprintf(p, sizeof p, "%s%s", in, suf);
        ck_assert_msg(stat(p, &sb) != 0, "%s left behind", p);
    }
    /* db_open's own refusals too. */
    open_refused(in, "schema version 99", NULL);
    for (const char *suf = "-wal\0-shm\0"; *suf; suf += strlen(suf) + 1) {
        snprintf(p, sizeof p, "%s%s", in, suf);
        ck_assert_msg(stat(p, &sb) != 0, "%s left behind", p);
    }
    scratch_free(&s);
}
END_TEST

/* Finding 4 (issue 14): a layers table replaced or altered so that a run's
 * write must fail is refused at open, the file untouched; a current file
 * lacking only a column the migration adds is repaired. */
START_TEST(test_db_incompatible_layers_table_refused_at_open)
{
    static const char *const damage[][2] = {
        {"DROP TABLE layers; CREATE TABLE layers(id INTEGER PRIMARY KEY, note TEXT NOT NULL)",
         "table layers"},
        {"ALTER TABLE layers RENAME COLUMN idx TO position", "table layers has no column idx"},
        {"ALTER TABLE layers ADD COLUMN owner TEXT NOT NULL DEFAULT 'x';"
         " CREATE TABLE l2(run_id, idx, name, m, n, k, unit, dataflow, total_cycles,"
         " compute_cycles, stall_cycles, macs, folds, steps, utilization, ifmap_reads,"
         " ifmap_writes, filter_reads, filter_writes, ofmap_reads, ofmap_writes,"
         " dram_read_bytes, dram_write_bytes, owner TEXT NOT NULL); DROP TABLE layers;"
         " ALTER TABLE l2 RENAME TO layers",
         "NOT NULL column owner"},
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        scratch_t s;
        scratch_new(&s);
        make_db(s.path, 1);
        raw_exec(s.path, damage[i][0]);
        size_t len;
        char *before = slurp(s.path, &len);
        open_refused(s.path, "not a codesim results database", damage[i][1]);
        assert_bytes(s.path, before, len);
        ck_assert_int_eq(scratch_entries(&s), 1);
        free(before);
        scratch_free(&s);
    }
    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 1);
    raw_exec(s.path, "ALTER TABLE layers DROP COLUMN unit");
    db_t *db = NULL;
    open_ok(s.path, &db);
    run_fixture_t f;
    fixture_init(&f, NULL);
    record_ok(db, &f, 3);
    db_close(db);
    fixture_free(&f);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM layers WHERE unit IS NULL"), 3);
    scratch_free(&s);
}
END_TEST

/* ---- a full disk, through a VFS that fails writes as a full disk does ---- */

static sqlite3_vfs full_vfs;
static const sqlite3_vfs *real_vfs;
static sqlite3_io_methods full_io;
static const sqlite3_io_methods *real_io;
static int full_now; /* 1: every write fails with ENOSPC */

static int full_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    if (full_now) {
        errno = ENOSPC;
        return SQLITE_FULL; /* what unixWrite() returns on ENOSPC */
    }
    return real_io->xWrite(f, buf, amt, off);
}

static int full_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)v;
    const int rc = real_vfs->xOpen((sqlite3_vfs *)real_vfs, name, f, flags, out);
    /* The -wal file: where a commit writes (its methods differ from the
     * main file's). */
    if (rc == SQLITE_OK && f->pMethods && (flags & SQLITE_OPEN_WAL)) {
        if (!real_io) {
            real_io = f->pMethods;
            full_io = *real_io;
            full_io.xWrite = full_write;
        }
        if (f->pMethods == real_io)
            f->pMethods = &full_io;
    }
    return rc;
}

static int full_last_error(sqlite3_vfs *v, int n, char *buf)
{
    (void)v;
    (void)n;
    (void)buf;
    return full_now ? ENOSPC : 0;
}

/* Finding 2 (issue 14): a write that fails for want of space says the disk
 * is full (SQLite's own words are "database or disk is full"); nothing
 * partial is stored. */
START_TEST(test_db_full_disk_says_the_disk_is_full)
{
    real_vfs = sqlite3_vfs_find(NULL);
    ck_assert_ptr_nonnull(real_vfs);
    full_vfs = *real_vfs;
    full_vfs.zName = "codesim-full";
    full_vfs.xOpen = full_open;
    full_vfs.xGetLastError = full_last_error;
    ck_assert_int_eq(sqlite3_vfs_register(&full_vfs, 1), SQLITE_OK);

    scratch_t s;
    scratch_new(&s);
    make_db(s.path, 1);
    db_t *db = NULL;
    open_ok(s.path, &db);
    run_fixture_t f;
    fixture_init(&f, NULL);
    char err[512] = "";
    full_now = 1;
    ck_assert_int_eq(db_record_run(db, &f.run, f.res, 3, NULL, err, sizeof err), -1);
    full_now = 0;
    ck_assert_msg(strstr(err, "the disk is full") && !strstr(err, "I/O error"), "%s", err);
    ck_assert_ptr_null(strchr(err, '\n'));
    db_close(db);
    fixture_free(&f);
    sqlite3_vfs_unregister(&full_vfs);
    ck_assert_int_eq(raw_int(s.path, "SELECT count(*) FROM runs"), 1);
    scratch_free(&s);
}
END_TEST

Suite *db_suite(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("db");
    tcase_add_test(tc, test_db_creates_schema_and_run_rows_read_back_equal);
    tcase_add_test(tc, test_db_default_config_without_text_stores_null);
    tcase_add_test(tc, test_db_records_rtlcheck_with_cases);
    tcase_add_test(tc, test_db_reopen_keeps_old_rows_and_appends);
    tcase_add_test(tc, test_db_two_handles_record_into_one_file);
    tcase_add_test(tc, test_db_refuses_text_file_and_leaves_it_byte_identical);
    tcase_add_test(tc, test_db_refuses_database_with_other_tables_untouched);
    tcase_add_test(tc, test_db_refuses_overwritten_page);
    tcase_add_test(tc, test_db_refuses_truncated_database);
    tcase_add_test(tc, test_db_refuses_schema_version_99_naming_both_versions);
    tcase_add_test(tc, test_db_migrates_version_2_in_place_keeping_rows);
    tcase_add_test(tc, test_db_migrates_version_1_in_place_keeping_rows);
    tcase_add_test(tc, test_db_missing_directory_cannot_write_names_path);
    tcase_add_test(tc, test_db_read_only_file_cannot_write);
    tcase_add_test(tc, test_db_failed_layer_insert_leaves_no_partial_run);
    tcase_add_test(tc, test_db_merge_keeps_every_row_of_every_table);
    tcase_add_test(tc, test_db_migration_adds_missing_columns);
    tcase_add_test(tc, test_db_schema_refers_only_to_earlier_tables_with_ids);
    tcase_add_test(tc, test_db_no_sql_outside_sim_db);
    tcase_add_test(tc, test_db_refused_merge_input_leaves_no_wal_or_shm);
    tcase_add_test(tc, test_db_incompatible_layers_table_refused_at_open);
    tcase_add_test(tc, test_db_full_disk_says_the_disk_is_full);
    suite_add_tcase(s, tc);
    return s;
}

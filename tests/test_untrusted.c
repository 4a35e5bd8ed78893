/* test_untrusted.c - names and databases codesim did not make: every JSON
 * writer emits valid JSON for any byte string (sim/io/escape.h), and a
 * results database carrying objects or values codesim did not write is
 * refused at open, before any simulation (sim/db/db.c).  The binary runs
 * with an argument vector, never through a shell. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[256];

static void setup(void) { test_tmpdir(tmpdir, sizeof tmpdir, "untrusted"); }

static void teardown(void) { test_rmtree(tmpdir); }

/* codesim ARGS... (NULL-terminated, after the binary); out holds stdout
 * and stderr; returns the exit status. */
static int codesim(char *out, size_t outlen, const char *const *args)
{
    return test_codesim_args(tmpdir, out, outlen, args);
}

static void path_in(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", tmpdir, name);
}

/* The rule, written out by hand for each case (escape.h): every byte that
 * does not belong to a well-formed UTF-8 sequence becomes U+FFFD. */
#define R "\xef\xbf\xbd"
static const struct {
    const char *raw, *json;
} names[] = {
    {"ab\xff", "ab" R},                       /* a byte never in UTF-8 */
    {"\x80x", R "x"},                         /* a lone continuation byte */
    {"c\xc0\xaf", "c" R R},                   /* overlong '/' (2 bytes) */
    {"e\xe0\x80\xaf", "e" R R R},             /* overlong '/' (3 bytes) */
    {"s\xed\xa0\x80", "s" R R R},             /* a UTF-16 surrogate */
    {"t\xe2\x82", "t" R R},                   /* a cut 3-byte sequence */
    {"big\xf4\x90\x80\x80", "big" R R R R},   /* above U+10FFFF */
    {"ok\xc3\xa9\xe2\x82\xac", "ok\xc3\xa9\xe2\x82\xac"}, /* valid: kept */
};

/* --json keeps every layer of a workload whose names and path are not
 * UTF-8, and the document parses; it used to drop such a layer and fail
 * with "out of memory" on such a path (new-user-2 defect 3). */
START_TEST(json_keeps_every_layer_with_non_utf8_names_and_paths)
{
    char wl[300], js[300], db[300], out[8192];
    path_in(wl, sizeof wl, "w\xff\x80.csv");
    path_in(js, sizeof js, "out.json");
    path_in(db, sizeof db, "r.db");
    FILE *f = fopen(wl, "w");
    ck_assert_ptr_nonnull(f);
    fputs("Layer,M,N,K\n", f);
    for (size_t i = 0; i < ARRAY_N(names); i++)
        fprintf(f, "%s,8,8,8\n", names[i].raw);
    fclose(f);
    const char *args[] = {"run", "--workload", wl, "--json", js, "--db", db, NULL};
    ck_assert_msg(codesim(out, sizeof out, args) == 0, "%s", out);
    json_error_t e;
    json_t *doc = json_load_file(js, 0, &e);
    ck_assert_msg(doc, "%s: %s (line %d)", js, e.text, e.line);
    const json_t *layers = json_object_get(doc, "layers");
    ck_assert_uint_eq(json_array_size(layers), ARRAY_N(names));
    for (size_t i = 0; i < ARRAY_N(names); i++) {
        const char *got = json_string_value(json_object_get(json_array_get(layers, i), "name"));
        ck_assert_msg(got && !strcmp(got, names[i].json), "layer %zu: got '%s'", i,
                      got ? got : "(none)");
    }
    char want[300];
    snprintf(want, sizeof want, "%s/w" R R ".csv", tmpdir);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "workload")), want);
    json_decref(doc);
}
END_TEST

/* --timeline of a model whose file name is not UTF-8 parses as JSON and
 * names the process with U+FFFD; it used to copy the raw bytes. */
START_TEST(timeline_of_a_non_utf8_model_name_parses)
{
    char model[300], tl[300], db[300], out[8192], buf[1 << 16];
    path_in(model, sizeof model, "g\xff\xc0.json");
    path_in(tl, sizeof tl, "tl.json");
    path_in(db, sizeof db, "r.db");
    char src[300];
    snprintf(src, sizeof src, "%s/traces/models/gpt2.json", CODESIM_ROOT);
    test_slurp(src, buf, sizeof buf);
    test_write(model, buf);
    const char *args[] = {"run", "--model", model, "--prompt", "8", "--timeline", tl, "--db", db,
                          NULL};
    ck_assert_msg(codesim(out, sizeof out, args) == 0, "%s", out);
    json_error_t e;
    json_t *doc = json_load_file(tl, 0, &e);
    ck_assert_msg(doc, "%s: %s (line %d)", tl, e.text, e.line);
    char *text = json_dumps(doc, 0);
    ck_assert_msg(strstr(text, "g" R R), "no g\\ufffd\\ufffd in the timeline");
    free(text);
    json_decref(doc);
}
END_TEST

/* A results database with one run of tests/data/tiny.csv, at DIR/NAME. */
static void make_db(char *path, size_t len, const char *name)
{
    char out[8192], wl[300];
    path_in(path, len, name);
    snprintf(wl, sizeof wl, "%s/tests/data/tiny.csv", CODESIM_ROOT);
    const char *args[] = {"run", "--workload", wl, "--db", path, NULL};
    ck_assert_msg(codesim(out, sizeof out, args) == 0, "%s", out);
}

/* sql on the file through the SQLite C API (writable_schema allowed). */
static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *)NULL);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql,
                  msg ? msg : "");
    sqlite3_close(db);
}

static long long count(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* New-user-2 defect 17: a crafted database (README: a merged one "may be
 * anyone's") is refused at open, for writing (run) and for reading
 * (pareto, report), naming the file and the object, before any simulation
 * and without a change to its rows: a trigger (it deleted run 1's layers on
 * codesim's next insert), a view, an index codesim did not make (a UNIQUE
 * one failed the write only after simulating), a column declared with
 * another type than codesim's. */
START_TEST(crafted_database_objects_are_refused_at_open)
{
    static const struct {
        const char *name, *sql, *want;
    } cases[] = {
        {"trig.db", "CREATE TRIGGER t AFTER INSERT ON runs BEGIN DELETE FROM layers; END;",
         "trigger t on runs"},
        {"view.db", "CREATE VIEW v AS SELECT * FROM runs;", "view v"},
        {"uidx.db", "CREATE UNIQUE INDEX u ON runs(hw_name);", "index u on runs"},
        {"idx.db", "CREATE INDEX i ON layers(name);", "index i on layers"},
        /* serve_runs is empty, so quick_check finds nothing: only the type differs */
        {"type.db",
         "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = replace(sql,"
         " 'makespan_s REAL', 'makespan_s TEXT') WHERE name = 'serve_runs';",
         "table serve_runs: column makespan_s is declared 'TEXT', codesim's is REAL"},
    };
    for (size_t i = 0; i < ARRAY_N(cases); i++) {
        char db[300], out[8192], wl[300], rep[300];
        make_db(db, sizeof db, cases[i].name);
        exec_sql(db, cases[i].sql);
        const long long layers = count(db, "SELECT count(*) FROM layers");
        snprintf(wl, sizeof wl, "%s/tests/data/tiny.csv", CODESIM_ROOT);
        const char *run[] = {"run", "--workload", wl, "--db", db, NULL};
        ck_assert_int_ne(codesim(out, sizeof out, run), 0);
        ck_assert_msg(strstr(out, cases[i].name) && strstr(out, cases[i].want) &&
                          !strstr(out, "stored as run") && !strstr(out, "cycles"),
                      "%s: %s", cases[i].name, out);
        ck_assert_int_eq(count(db, "SELECT count(*) FROM layers"), layers);
        ck_assert_int_eq(count(db, "SELECT count(*) FROM runs"), 1);
        const char *par[] = {"pareto", "--db", db, "--x", "total_cycles", "--y", "pes", NULL};
        ck_assert_int_ne(codesim(out, sizeof out, par), 0);
        ck_assert_msg(strstr(out, cases[i].want), "pareto %s: %s", cases[i].name, out);
        path_in(rep, sizeof rep, "rep");
        const char *re[] = {"report", "--db", db, "--out", rep, NULL};
        ck_assert_int_ne(codesim(out, sizeof out, re), 0);
        ck_assert_msg(strstr(out, cases[i].want), "report %s: %s", cases[i].name, out);
    }
    /* A UNIQUE constraint in a rebuilt (empty) table: its automatic index
     * is no key of codesim's. */
    {
        char db[300], out[8192], sql[4096], *def = NULL;
        make_db(db, sizeof db, "uniq.db");
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
        ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_master WHERE name ="
                                               " 'serve_requests'", -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        def = strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_master WHERE name ="
                                               " 'serve_runs'", -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        const char *runs = (const char *)sqlite3_column_text(st, 0);
        const size_t n = strlen(runs);
        snprintf(sql, sizeof sql, "DROP TABLE serve_requests; DROP TABLE serve_runs; %.*s,"
                 " UNIQUE (model)); %s;", (int)(n - 1), runs, def);
        sqlite3_finalize(st);
        sqlite3_close(h);
        free(def);
        exec_sql(db, sql);
        ck_assert_int_eq(count(db, "SELECT count(*) FROM pragma_index_list('serve_runs')"), 1);
        char wl[300];
        snprintf(wl, sizeof wl, "%s/tests/data/tiny.csv", CODESIM_ROOT);
        const char *run[] = {"run", "--workload", wl, "--db", db, NULL};
        ck_assert_int_ne(codesim(out, sizeof out, run), 0);
        ck_assert_msg(strstr(out, "index sqlite_autoindex_serve_runs_") &&
                          strstr(out, "on serve_runs"), "%s", out);
    }
    /* The untouched database still takes a run: the checks accept what
     * codesim made (its keys' autoindexes included). */
    char db[300], out[8192], wl[300];
    make_db(db, sizeof db, "ok.db");
    snprintf(wl, sizeof wl, "%s/tests/data/tiny.csv", CODESIM_ROOT);
    const char *run[] = {"run", "--workload", wl, "--db", db, NULL};
    ck_assert_msg(codesim(out, sizeof out, run) == 0, "%s", out);
    ck_assert_int_eq(count(db, "SELECT count(*) FROM runs"), 2);
}
END_TEST

/* Text where a number is read was taken as 0: pareto listed a point with
 * total_cycles 'abc' as optimal.  pareto and report refuse it, naming the
 * file, table, row id and column. */
START_TEST(text_in_a_number_column_is_refused_on_read)
{
    char db[300], out[8192], yaml[300];
    path_in(db, sizeof db, "s.db");
    path_in(yaml, sizeof yaml, "s.yaml");
    FILE *f = fopen(yaml, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "name: s\nworkloads: [%s/tests/data/tiny.csv]\nparams:\n  array.rows: [4, 8, 16]\n",
            CODESIM_ROOT);
    fclose(f);
    const char *sw[] = {"sweep", yaml, "--db", db, NULL};
    ck_assert_msg(codesim(out, sizeof out, sw) == 0, "%s", out);
    const long long id = count(db, "SELECT max(id) FROM sweep_points");
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE sweep_points SET total_cycles = 'abc' WHERE id = %lld", id);
    exec_sql(db, sql);
    char want[400];
    snprintf(want, sizeof want, "%s: table sweep_points, row %lld: column total_cycles: 'abc' "
             "is not a number", db, id);
    const char *par[] = {"pareto", "--db", db, "--x", "total_cycles", "--y", "pes", NULL};
    ck_assert_int_ne(codesim(out, sizeof out, par), 0);
    ck_assert_msg(strstr(out, want), "%s", out);
    char rep[300];
    path_in(rep, sizeof rep, "rep");
    const char *re[] = {"report", "--db", db, "--out", rep, NULL};
    ck_assert_int_ne(codesim(out, sizeof out, re), 0);
    ck_assert_msg(strstr(out, want), "%s", out);
    /* a blob, in a column pareto reads beside the metrics */
    snprintf(sql, sizeof sql, "UPDATE sweep_points SET total_cycles = 1 WHERE id = %lld;"
             " UPDATE sweep_points SET area_mm2 = x'00' WHERE id = %lld", id, id - 1);
    exec_sql(db, sql);
    snprintf(want, sizeof want, "table sweep_points, row %lld: column area_mm2: a blob is not "
             "a number", id - 1);
    ck_assert_int_ne(codesim(out, sizeof out, par), 0);
    ck_assert_msg(strstr(out, want), "%s", out);
}
END_TEST

/* report's charts are JSON inside the page: a run of a workload whose file
 * name is not UTF-8 keeps its name there, with U+FFFD for the bad byte (the
 * database read made such text null, and the chart lost the name). */
START_TEST(report_specs_keep_a_non_utf8_workload_name)
{
    char wl[300], db[300], rep[300], page[320], out[8192];
    path_in(wl, sizeof wl, "w\xff.csv");
    path_in(db, sizeof db, "r.db");
    path_in(rep, sizeof rep, "rep");
    test_write(wl, "Layer,M,N,K\nl1,8,8,8\n");
    const char *run[] = {"run", "--workload", wl, "--db", db, NULL};
    ck_assert_msg(codesim(out, sizeof out, run) == 0, "%s", out);
    const char *re[] = {"report", "--db", db, "--out", rep, NULL};
    ck_assert_msg(codesim(out, sizeof out, re) == 0, "%s", out);
    snprintf(page, sizeof page, "%s/index.html", rep);
    static char html[1 << 20];
    test_slurp(page, html, sizeof html);
    static const char open_tag[] = "<script type=\"application/json\" id=\"specs\">";
    char *a = strstr(html, open_tag);
    ck_assert_ptr_nonnull(a);
    a += sizeof open_tag - 1;
    char *b = strstr(a, "</script>");
    ck_assert_ptr_nonnull(b);
    *b = 0;
    json_error_t e;
    json_t *specs = json_loads(a, 0, &e);
    ck_assert_msg(specs, "specs: %s (column %d)", e.text, e.column);
    char *text = json_dumps(specs, 0);
    ck_assert_msg(strstr(text, "\"w" R ".csv\""), "no \"w\\ufffd.csv\" in the specs");
    free(text);
    json_decref(specs);
}
END_TEST

Suite *untrusted_suite(void)
{
    Suite *s = suite_create("untrusted");
    TCase *tc = tcase_create("json");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, json_keeps_every_layer_with_non_utf8_names_and_paths);
    tcase_add_test(tc, timeline_of_a_non_utf8_model_name_parses);
    tcase_add_test(tc, report_specs_keep_a_non_utf8_workload_name);
    suite_add_tcase(s, tc);
    TCase *db = tcase_create("db");
    tcase_add_checked_fixture(db, setup, teardown);
    tcase_set_timeout(db, 300);
    tcase_add_test(db, crafted_database_objects_are_refused_at_open);
    tcase_add_test(db, text_in_a_number_column_is_refused_on_read);
    suite_add_tcase(s, db);
    return s;
}

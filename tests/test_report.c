/* test_report.c - codesim report as a reader sees it: the page rendered in
 * headless Chromium (reports/web/probe.mjs through playwright-core), the
 * marks drawn in each plot counted in the rendered SVG and compared with the
 * rows of the database, which this file counts itself with SQL and a
 * brute-force Pareto filter.  An empty or missing plot fails.  The page's
 * screenshot is kept as build/report-test/report.png.
 *
 * The database holds a 24-point sweep, a plain run, two LLM runs and an RTL
 * check, so that every plot has rows. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

/* report's stderr holds nothing but codesim's own notes: Vega-Lite printed
 * "WARN Channel fillOpacity should not be used with an unsorted discrete
 * field." on every report with a sweep (new-user-2 defect 16); the Pareto
 * chart's dataflow fill now names its order (sort: ascending). */
START_TEST(test_report_stderr_has_no_vega_warning)
{
    char dir[64], path[160], args[512], out[8192], err[8192];
    test_tmpdir(dir, sizeof dir, "report");
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    test_write(path, "name: s\nworkloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\nparams:\n"
                     "  array.rows: [4, 8]\n  array.dataflow: [os, ws]\n");
    snprintf(args, sizeof args, "sweep %s --db %s/s.db", path, dir);
    ck_assert_msg(test_codesim(dir, args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    snprintf(args, sizeof args, "report --db %s/s.db --out %s/rep", dir, dir);
    ck_assert_msg(test_codesim(dir, args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(!strstr(err, "WARN"), "report's stderr: %s", err);
    test_rmtree(dir);
}
END_TEST

Suite *report_suite(void);

static long long q_int(sqlite3 *s, const char *q)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(s, q, -1, &st, NULL) == SQLITE_OK, "%s: %s", q,
                  sqlite3_errmsg(s));
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* The run ids of the sweep points on their workload's front of
 * (total_cycles, area_mm2), both minimized, by brute-force dominance. */
static size_t front_runs(sqlite3 *s, long long *runs, size_t max)
{
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(s,
                                        "SELECT run_id, workload_hash, total_cycles, area_mm2"
                                        " FROM sweep_points WHERE error IS NULL",
                                        -1, &st, NULL),
                     SQLITE_OK);
    enum { N = 256 };
    long long id[N];
    char wh[N][20];
    double x[N], y[N];
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < N) {
        id[n] = sqlite3_column_int64(st, 0);
        snprintf(wh[n], sizeof wh[n], "%s", (const char *)sqlite3_column_text(st, 1));
        x[n] = sqlite3_column_double(st, 2);
        y[n] = sqlite3_column_double(st, 3);
        n++;
    }
    sqlite3_finalize(st);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int dom = 0;
        for (size_t j = 0; j < n && !dom; j++)
            dom = !strcmp(wh[i], wh[j]) && x[j] <= x[i] && y[j] <= y[i] &&
                  (x[j] < x[i] || y[j] < y[i]);
        if (!dom && k < max)
            runs[k++] = id[i];
    }
    return k;
}

/* SQL list "(a,b,c)" of ids. */
static void id_list(char *out, size_t len, const long long *ids, size_t n)
{
    size_t o = (size_t)snprintf(out, len, "(");
    for (size_t i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%s%lld", i ? "," : "", ids[i]);
    snprintf(out + o, len > o ? len - o : 0, ")");
}

static long long drawn(json_t *plots, const char *plot, const char *mark, const char *out)
{
    json_t *p = json_object_get(plots, plot);
    ck_assert_msg(p != NULL, "plot '%s' is not on the page: %.3000s", plot, out);
    return json_integer_value(json_object_get(p, mark));
}

START_TEST(test_report_draws_one_mark_per_database_row)
{
    enum { OUT_MAX = 1 << 16 };
    char *out = malloc(OUT_MAX);
    ck_assert_ptr_nonnull(out);
    char dir[64];
    test_tmpdir(dir, sizeof dir, "report");
    char path[160];
    snprintf(path, sizeof path, "%s/small.yaml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    /* 16 array shapes: more than Vega's 8 symbols and 10 colours, so the
     * plot must give each its own look (see the looks check below). */
    fputs("name: small\nworkloads: [" CODESIM_ROOT "/tests/data/tiny.csv]\nparams:\n"
          "  array.rows: [2, 4, 8, 16]\n  array.cols: {from: 2, to: 16, times: 2}\n"
          "  array.dataflow: [os, ws]\n  sram.ifmap_kib: {from: 4, to: 8, step: 4}\n", f);
    ck_assert_int_eq(fclose(f), 0);
    const char *R = CODESIM_ROOT;
    ck_assert_msg(test_popen(out, OUT_MAX, 1, "%s sweep %s --db %s/s.db", test_bin(), path, dir) == 0, "%s", out);
    ck_assert_msg(test_popen(out, OUT_MAX, 1, "%s run --hw %s/configs/default.yaml --workload "
                                   "%s/traces/transformer.csv --db %s/s.db", test_bin(), R, R, dir) == 0,
                  "%s", out);
    for (int b = 1; b <= 2; b++)
        ck_assert_msg(test_popen(out, OUT_MAX, 1, "%s run --model %s/traces/models/gpt2.json --hw "
                                       "%s/configs/npu_pim.yaml --batch %d --prompt 16 --gen 2 "
                                       "--db %s/s.db", test_bin(), R, R, b, dir) == 0, "%s", out);
    /* The shape tests/test_rtl.c builds ahead (RTL_TEST_SHAPES). */
    ck_assert_msg(test_popen(out, OUT_MAX, 1, "%s rtlcheck --block systolic --rows 4 --cols 3 --dataflow ws "
                                   "--a-bits 4 --w-bits 6 --acc-bits 12 --trials 6 --db %s/s.db",
                     test_bin(), dir) == 0, "%s", out);
    ck_assert_msg(test_popen(out, OUT_MAX, 1, "%s report --db %s/s.db --out %s/rep", test_bin(), dir, dir) == 0,
                  "%s", out);
    ck_assert_msg(test_popen(out, OUT_MAX, 1, "mkdir -p %s/build/report-test && cd %s/reports/web && "
                                   "timeout 180 node probe.mjs %s/rep/index.html "
                                   "%s/build/report-test/report.png", R, R, dir, R) == 0,
                  "probe failed (make web installs playwright-core): %s", out);
    json_error_t je;
    json_t *res = json_loads(strrchr(out, '{') ? strstr(out, "{\"rendered\"") : out, 0, &je);
    ck_assert_msg(res != NULL, "probe printed no JSON: %s", out);
    ck_assert_msg(json_array_size(json_object_get(res, "errors")) == 0, "page errors: %s", out);
    json_t *plots = json_object_get(res, "plots");

    char db[128];
    snprintf(db, sizeof db, "%s/s.db", dir);
    sqlite3 *s = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    /* Subjects of the breakdowns: the Pareto points and the plain runs. */
    long long subj[128];
    size_t ns = front_runs(s, subj, 100);
    ck_assert_uint_gt(ns, 0);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(s, "SELECT id FROM runs WHERE id NOT IN (SELECT run_id"
                                           " FROM sweep_points WHERE run_id IS NOT NULL) AND id"
                                           " NOT IN (SELECT run_id FROM llm_runs)", -1, &st, NULL),
                     SQLITE_OK);
    size_t nplain = 0;
    while (sqlite3_step(st) == SQLITE_ROW && ns < 128) {
        subj[ns++] = sqlite3_column_int64(st, 0);
        nplain++;
    }
    sqlite3_finalize(st);
    ck_assert_uint_eq(nplain, 1);
    char ids[4096], q[4600];
    id_list(ids, sizeof ids, subj, ns);

    struct {
        const char *plot, *mark, *sql;
    } want[] = {
        {"pareto", "symbol", "SELECT count(*) FROM sweep_points WHERE error IS NULL AND"
                             " total_cycles > 0 AND area_mm2 > 0"},
        {"energy", "rect", "SELECT count(*) FROM breakdowns WHERE kind = 'energy_pj' AND"
                           " value > 0 AND run_id IN %s"},
        {"area", "rect", "SELECT count(*) FROM breakdowns WHERE kind = 'area_um2' AND"
                         " value > 0 AND run_id IN %s"},
        /* The fastest point's layers that did work (one workload). */
        {"roofline", "symbol", "SELECT count(*) FROM layers WHERE macs > 0 AND total_cycles > 0"
                               " AND run_id = (SELECT run_id FROM sweep_points WHERE error IS"
                               " NULL ORDER BY total_cycles, point LIMIT 1)"},
        {"utilization", "rect", "SELECT count(*) FROM layers WHERE utilization > 0 AND (run_id ="
                                " (SELECT run_id FROM sweep_points WHERE error IS NULL ORDER BY"
                                " total_cycles, point LIMIT 1) OR run_id IN %s)"},
        /* TTFT, TPOT and throughput of each LLM run. */
        {"llm", "symbol", "SELECT 3 * count(*) FROM llm_runs WHERE ttft_s > 0 AND tpot_s > 0"
                          " AND tokens_per_s > 0"},
        {"rtl", "symbol", "SELECT count(*) FROM rtl_cases WHERE model_cycles > 0 AND"
                          " rtl_cycles > 0"},
    };
    char plain_ids[64];
    id_list(plain_ids, sizeof plain_ids, subj + ns - 1, 1);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        snprintf(q, sizeof q, want[i].sql, strcmp(want[i].plot, "utilization") ? ids : plain_ids);
        const long long rows = q_int(s, q);
        const long long marks = drawn(plots, want[i].plot, want[i].mark, out);
        ck_assert_msg(rows > 0, "%s: no rows in the database for: %s", want[i].plot, q);
        ck_assert_msg(marks == rows, "%s: %lld %s marks drawn, %lld database rows (%s)\n%s",
                      want[i].plot, marks, want[i].mark, rows, q, out);
    }
    /* Every plot finished drawing. */
    ck_assert_msg(!strcmp(json_string_value(json_object_get(res, "rendered")), "yes"),
                  "the page did not finish drawing: %s", out);
    /* No two array shapes look alike on the Pareto plot: the symbols drawn
     * the same way (path, fill, outline, fill opacity) are of one array
     * shape, and every shape of the sweep is drawn.  (Vega's default 8
     * symbols drew 2x2 and 4x16 alike.) */
    json_t *looks = json_object_get(json_object_get(res, "looks"), "pareto");
    ck_assert_msg(json_object_size(looks) > 0, "no looks: %.2000s", out);
    const char *look;
    json_t *arrays;
    char seen[2048] = "";
    size_t nseen = 0;
    json_object_foreach(looks, look, arrays) {
        ck_assert_msg(json_array_size(arrays) == 1, "these array shapes look alike (%s): %s",
                      look, json_dumps(arrays, 0));
        const char *a = json_string_value(json_array_get(arrays, 0));
        ck_assert_msg(a && *a, "a symbol without its array shape in its aria-label");
        char tag[40];
        snprintf(tag, sizeof tag, " %s ", a);
        if (!strstr(seen, tag)) {
            strncat(seen, tag, sizeof seen - strlen(seen) - 1);
            nseen++;
        }
    }
    ck_assert_uint_eq(nseen, 16);
    /* Tables stay on the page: none reaches past the viewport; each fits
     * its box or says that it scrolls sideways; the Pareto table fits. */
    json_t *page = json_object_get(res, "page");
    ck_assert_int_le(json_integer_value(json_object_get(page, "width")),
                     json_integer_value(json_object_get(page, "viewport")));
    json_t *tables = json_object_get(res, "tables");
    ck_assert_uint_ge(json_object_size(tables), 8);
    const char *tname;
    json_t *tv;
    json_object_foreach(tables, tname, tv) {
        const json_int_t need = json_integer_value(json_object_get(tv, "need"));
        const json_int_t box = json_integer_value(json_object_get(tv, "box"));
        const char *hint = json_string_value(json_object_get(tv, "hint"));
        ck_assert_int_le(json_integer_value(json_object_get(tv, "right")),
                         json_integer_value(json_object_get(page, "viewport")));
        ck_assert_msg(need <= box || (hint && strstr(hint, "scroll sideways")),
                      "%s: %lld px wide in a %lld px box with no hint", tname, (long long)need,
                      (long long)box);
    }
    json_t *pt = json_object_get(tables, "pareto.csv");
    ck_assert_int_le(json_integer_value(json_object_get(pt, "need")),
                     json_integer_value(json_object_get(pt, "box")));
    /* Each column once in pareto.csv (total_cycles and area_mm2, the
     * default metrics, were listed twice). */
    snprintf(path, sizeof path, "%s/rep/pareto.csv", dir);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char header[1024];
    ck_assert_ptr_nonnull(fgets(header, sizeof header, f));
    fclose(f);
    header[strcspn(header, "\r\n")] = '\0';
    ck_assert_msg(!strcmp(header, "point,sweep,workload,params,total_cycles,area_mm2,pes,"
                                  "energy_pj,tops,tops_per_w,tops_per_mm2"), "%s", header);
    /* The Pareto front is drawn as a line, the roofline's roof too. */
    ck_assert_int_ge(drawn(plots, "pareto", "line", out), 1);
    ck_assert_int_ge(drawn(plots, "roofline", "line", out), 1);
    sqlite3_close(s);
    json_decref(res);
    /* Static figures for papers: one SVG per plot. */
    static const char *const figs[] = {"pareto", "energy", "area", "roofline", "utilization",
                                       "llm", "rtl"};
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        snprintf(path, sizeof path, "%s/rep/figures/%s.svg", dir, figs[i]);
        struct stat sb;
        ck_assert_msg(stat(path, &sb) == 0 && sb.st_size > 1000, "%s missing or empty", path);
        /* and a PDF of it (rsvg-convert, Debian librsvg2-bin, from make deps) */
        snprintf(path, sizeof path, "%s/rep/figures/%s.pdf", dir, figs[i]);
        ck_assert_msg(stat(path, &sb) == 0 && sb.st_size > 1000, "%s missing or empty", path);
    }
    test_rmtree(dir);
    free(out);
}
END_TEST

/* A database with only a plain run (`make run`) still gets a report: its
 * breakdowns and per-layer utilization drawn, the run in runs.csv. */
START_TEST(test_report_covers_a_database_of_plain_runs)
{
    char out[8192];
    char dir[64];
    test_tmpdir(dir, sizeof dir, "report");
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "%s run --hw %s/configs/default.yaml --workload "
                                         "%s/traces/transformer.csv --db %s/r.db >/dev/null",
                        test_bin(), CODESIM_ROOT, CODESIM_ROOT, dir), 0);
    ck_assert_msg(test_popen(out, sizeof out, 1, "%s report --db %s/r.db --out %s/rep", test_bin(), dir, dir) == 0,
                  "%s", out);
    ck_assert_msg(strstr(out, "0 sweep points, 3 plots"), "%s", out);
    /* With no sweep points the summary names the default y metric. */
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "grep -c '(total_cycles against area_mm2)' "
                                         "%s/rep/report.md", dir), 0);
    /* --sweep with no points of that sweep: an error as in pareto, and
     * nothing written. */
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "%s report --db %s/r.db --out %s/rep2 --sweep nope",
                        test_bin(), dir, dir), 1);
    char want[160];
    snprintf(want, sizeof want, "codesim report: %s/r.db: no sweep points of sweep nope\n", dir);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "test -e %s/rep2", dir), 1);
    /* runs.csv: the header and the run; utilization.csv: one line per layer. */
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "test $(wc -l < %s/rep/runs.csv) -eq 2", dir), 0);
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "test $(wc -l < %s/rep/utilization.csv) -eq "
                                         "$(($(grep -vc '^ *#' %s/traces/transformer.csv)))",
                        dir, CODESIM_ROOT), 0);
    /* Integers in full: the run's cycles as stored. */
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "grep -q \"$(sqlite3 %s/r.db 'SELECT total_cycles FROM "
                                         "runs')\" %s/rep/runs.csv", dir, dir), 0);
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "grep -c 'e+0' %s/rep/runs.csv", dir), 1);
    test_rmtree(dir);
}
END_TEST


/* The timeline of an LLM run (--timeline) against the Chrome trace-event
 * format (every event's fields by its phase) and against the run's own
 * database row: the prefill and each decode step lie end to end on one time
 * axis and last the cycles stored for them; every unit's boxes are disjoint;
 * boxes name their decoder layer (one per layer of the model's config) and
 * op; DRAM bandwidth and PIM activity are counter tracks. */
typedef struct {
    int tid;
    double ts, end;
} box_t;

static int box_cmp(const void *a, const void *b)
{
    const box_t *x = a, *y = b;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

START_TEST(test_timeline_steps_end_to_end_with_layers_and_counters)
{
    char out[8192];
    char dir[64];
    test_tmpdir(dir, sizeof dir, "report");
    enum { GEN = 4 };
    ck_assert_msg(test_popen(out, sizeof out, 1, "%s run --model %s/traces/models/gpt2.json --hw "
                                      "%s/configs/npu_pim.yaml --batch 2 --prompt 16 --gen %d "
                                      "--mode pim-blocked --timeline %s/t.json --db %s/r.db",
                     test_bin(), CODESIM_ROOT, CODESIM_ROOT, GEN, dir, dir) == 0, "%s", out);
    char path[128];
    snprintf(path, sizeof path, "%s/t.json", dir);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    ck_assert_msg(doc != NULL, "%s: %s at line %d", path, je.text, je.line);
    json_t *ev = json_object_get(doc, "traceEvents");
    ck_assert(json_is_array(ev));
    /* The run's row. */
    snprintf(path, sizeof path, "%s/r.db", dir);
    sqlite3 *s = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    const double freq = (double)q_int(s, "SELECT freq_mhz FROM llm_runs");
    const long long prefill = q_int(s, "SELECT prefill_cycles FROM llm_runs");
    const long long decode = q_int(s, "SELECT decode_cycles FROM llm_runs");
    sqlite3_close(s);
    ck_assert(freq > 0 && prefill > 0 && decode > 0);

    enum { MAXT = 64, MAXB = 1 << 16 };
    box_t *box = malloc(MAXB * sizeof *box);
    ck_assert_ptr_nonnull(box);
    size_t nbox = 0;
    int layer_seen[64] = {0}, steps = 0, dram_c = 0, pim_c = 0, pim_high = 0;
    double step_end = 0, decode_us = 0;
    size_t i;
    json_t *e;
    json_array_foreach(ev, i, e) {
        const char *ph = json_string_value(json_object_get(e, "ph"));
        const char *name = json_string_value(json_object_get(e, "name"));
        ck_assert_msg(ph && name && json_is_integer(json_object_get(e, "pid")),
                      "event %zu lacks ph, name or pid", i);
        if (!strcmp(ph, "M")) {
            ck_assert(!strcmp(name, "process_name") || !strcmp(name, "thread_name"));
            ck_assert(json_is_string(json_object_get(json_object_get(e, "args"), "name")));
        } else if (!strcmp(ph, "X")) {
            const double ts = json_number_value(json_object_get(e, "ts"));
            const double dur = json_number_value(json_object_get(e, "dur"));
            const json_int_t tid = json_integer_value(json_object_get(e, "tid"));
            ck_assert(json_is_number(json_object_get(e, "ts")) && ts >= 0 && dur >= 0);
            ck_assert(tid >= 0 && tid < MAXT);
            if (!strncmp(name, "prefill", 7) || !strncmp(name, "decode step ", 12)) {
                /* The steps track: each where the previous ended. */
                ck_assert_msg(fabs(ts - step_end) < 1e-3, "%s starts at %.4f, not %.4f", name,
                              ts, step_end);
                if (steps == 0)
                    ck_assert_msg(fabs(dur - (double)prefill / freq) < 1e-3, "prefill %.4f us",
                                  dur);
                else
                    decode_us += dur;
                step_end = ts + dur;
                steps++;
                continue;
            }
            if (nbox < MAXB)
                box[nbox++] = (box_t){(int)tid, ts, ts + dur};
            unsigned l;
            if (sscanf(name, "L%u ", &l) == 1 && l < 64)
                layer_seen[l] = 1;
        } else if (!strcmp(ph, "C")) {
            json_t *args = json_object_get(e, "args");
            ck_assert(json_is_object(args) && json_object_size(args) == 1);
            const char *k;
            json_t *v;
            json_object_foreach(args, k, v) ck_assert(json_is_number(v));
            dram_c += !strcmp(name, "DRAM bandwidth");
            if (!strcmp(name, "PIM activity")) {
                pim_c++;
                pim_high += json_number_value(json_object_get(args, "busy")) > 0;
            }
        } else {
            ck_abort_msg("event %zu: phase '%s' is not one codesim writes", i, ph);
        }
    }
    /* One unit runs one command at a time: its boxes, in time order, are
     * disjoint. */
    ck_assert_uint_gt(nbox, 0);
    ck_assert_uint_lt(nbox, MAXB);
    qsort(box, nbox, sizeof *box, box_cmp);
    for (size_t b = 1; b < nbox; b++)
        if (box[b].tid == box[b - 1].tid)
            ck_assert_msg(box[b].ts + 1e-3 >= box[b - 1].end, "tid %d: box at %.4f overlaps one "
                          "ending at %.4f", box[b].tid, box[b].ts, box[b - 1].end);
    free(box);
    ck_assert_int_eq(steps, GEN);
    /* What the run says it wrote is what the file holds: the prefill and
     * GEN - 1 decode steps (it used to say "the first decode step"). */
    char said[96];
    snprintf(said, sizeof said, "timeline of the prefill and %d decode steps: ", steps - 1);
    ck_assert_msg(strstr(out, said), "'%s' not in: %.2000s", said, out);
    ck_assert_msg(fabs(decode_us - (double)decode / freq) < 1e-2, "decode %.4f us vs %.4f",
                  decode_us, (double)decode / freq);
    /* GPT-2 small: n_layer 12 (traces/models/gpt2.json). */
    for (int l = 0; l < 12; l++)
        ck_assert_msg(layer_seen[l], "no box named L%d", l);
    ck_assert(!layer_seen[12]);
    ck_assert_int_gt(dram_c, 2);
    ck_assert_int_gt(pim_high, 0);
    ck_assert_int_gt(pim_c, pim_high);
    json_decref(doc);
    test_rmtree(dir);
}
END_TEST

/* Output files get the user's umask (codesim map wrote its CSVs 0600). */
START_TEST(test_output_files_follow_the_umask)
{
    char out[8192];
    char dir[64];
    test_tmpdir(dir, sizeof dir, "report");
    ck_assert_msg(test_popen(out, sizeof out, 1, "cd %s && umask 022 && %s map --model "
                                      "%s/traces/models/gpt2.json --prompt 16 --out m.csv "
                                      "--scalesim s.csv >/dev/null", dir, test_bin(), CODESIM_ROOT) == 0,
                  "%s", out);
    static const char *const files[] = {"m.csv", "s.csv"};
    for (size_t i = 0; i < 2; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        struct stat sb;
        ck_assert_int_eq(stat(p, &sb), 0);
        ck_assert_msg((sb.st_mode & 0777) == 0644, "%s: mode %o under umask 022", p,
                      (unsigned)(sb.st_mode & 0777));
    }
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "cd %s && umask 077 && %s map --model "
                                         "%s/traces/models/gpt2.json --prompt 16 --out p.csv "
                                         ">/dev/null", dir, test_bin(), CODESIM_ROOT), 0);
    char p[128];
    snprintf(p, sizeof p, "%s/p.csv", dir);
    struct stat sb;
    ck_assert_int_eq(stat(p, &sb), 0);
    ck_assert_uint_eq(sb.st_mode & 0777, 0600);
    test_rmtree(dir);
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_report_draws_one_mark_per_database_row);
    tcase_add_test(tc, test_report_covers_a_database_of_plain_runs);
    tcase_add_test(tc, test_timeline_steps_end_to_end_with_layers_and_counters);
    tcase_add_test(tc, test_output_files_follow_the_umask);
    tcase_add_test(tc, test_report_stderr_has_no_vega_warning);
    suite_add_tcase(s, tc);
    return s;
}

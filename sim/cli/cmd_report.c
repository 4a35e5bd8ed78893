/* cmd_report.c - `codesim report --db FILE --out DIR`: every result in a
 * database (sweep points, plain runs, LLM runs, RTL checks) as one HTML page
 * of Vega-Lite plots, static SVG/PDF figures for papers, and the same numbers
 * as CSV and Markdown tables.
 *
 * Plots are drawn by Vega-Lite (npm packages vega, vega-lite, vega-embed,
 * pinned in reports/web/package.json and installed by `make web`); the three
 * script files are copied into DIR/vendor/ so that the page opens offline.
 * Each plot's data are the database rows, embedded in the page.
 *
 * Files written into DIR (created if absent):
 *   index.html      summary, plots (one <figure data-plot=NAME> each), tables
 *   report.md       every table in Markdown
 *   vendor/vega*.js  vega, vega-lite, vega-embed
 *   figures/NAME.vl.json  each plot's Vega-Lite spec with its data; NAME.svg
 *                   and NAME.pdf from it (reports/web/figures.mjs; needs node,
 *                   and rsvg-convert for the PDF)
 *   points.csv      every sweep point: point (the database's point column),
 *                   sweep, workload, params, hardware fields, results, error
 *   pareto.csv      the Pareto-optimal points of each workload for --x, --y
 *   energy.csv      energy (pJ) of each Pareto point and plain run by component
 *   area.csv        area (um^2), likewise
 *   roofline.csv    each layer of each workload's fastest point: op/byte of
 *                   DRAM traffic, achieved, roof and peak op/cycle (op = 2 MACs)
 *   utilization.csv per-layer MAC utilization of those points and plain runs
 *   runs.csv        plain runs (codesim run on a layer workload)
 *   llm.csv         LLM runs: TTFT, TPOT, throughput against batch and mode
 *   rtl.csv         RTL checks; rtl_cases.csv their cases (model vs RTL cycles)
 * Integers are printed in full; reals with 9 significant digits.
 * Plots: pareto, energy, area, roofline, utilization, llm, rtl (each only
 * when there are rows to draw). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../io/escape.h"

#include <jansson.h>

#include "../db/db.h"
#include "../db/query.h"
#include "../explore/sweep.h"
#include "../io/outfile.h"
#include "../io/paths.h"
#include "../io/spawn.h"
#include "../../models/util.h"

int cmd_report(int argc, char **argv);

static const char report_usage[] =
    "usage: codesim report --db FILE --out DIR [options]\n"
    "\n"
    "Writes DIR/index.html: Vega-Lite plots of everything the database holds\n"
    "(Pareto front of two metrics with each array shape its own colour and\n"
    "symbol and dataflow by fill, stacked energy and area breakdowns, roofline\n"
    "and per-layer utilization, LLM TTFT/TPOT/throughput against batch and\n"
    "mode, RTL cycles against the model's), the same numbers as DIR/*.csv and\n"
    "DIR/report.md, and each plot as DIR/figures/NAME.svg and .pdf for papers.\n"
    "The page opens offline (its scripts are copied into DIR/vendor/).\n"
    "\n"
    "options:\n"
    "  --db FILE       results database to read (required)\n"
    "  --out DIR       directory to write, created if absent (required)\n"
    "  --sweep NAME    only the sweep points of sweep NAME (default: all sweeps);\n"
    "                  an error when the database has none of it\n"
    "  --x METRIC      Pareto x metric (default: total_cycles)\n"
    "  --y METRIC      Pareto y metric (default: area_mm2, or pes when there are\n"
    "                  points and none has an area); prefix max: to maximize;\n"
    "                  metrics as in codesim pareto --help\n"
    "  --help          this text\n"
    "\n"
    "EXAMPLES\n"
    "  codesim sweep sweeps/gpt2_systolic.yaml --db sweep.db\n"
    "  codesim report --db sweep.db --out report\n"
    "  codesim report --db sweep.db --out report --x latency --y max:tops_per_w\n"
    "  codesim run --hw configs/default.yaml --workload traces/transformer.csv --db r.db\n"
    "  codesim report --db r.db --out r-report\n";

typedef struct {
    db_t *db;
    const char *dir;
    FILE *html, *md;
    json_t *specs;           /* NAME -> Vega-Lite spec, in order of appearance */
    json_t *tables;          /* CSV name -> true, the tables this run wrote */
    const char *xm, *ym;     /* Pareto metrics (names) */
    int xmax, ymax;
    char err[1200];
} rep_t;

/* ---- output helpers --------------------------------------------------------- */

/* HTML, CSV and Markdown escaping: one set of rules (sim/io/escape.h). */
#define esc esc_html
#define csvf esc_csv

/* A JSON value as table text: integers in full, reals to 9 digits. */
static void cell(const json_t *v, char *buf, size_t n)
{
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, n, "%.9g", json_real_value(v));
    else if (json_is_string(v))
        snprintf(buf, n, "%s", json_string_value(v));
    else if (json_is_true(v))
        snprintf(buf, n, "yes");
    else if (json_is_false(v))
        snprintf(buf, n, "no");
    else
        buf[0] = '\0';
}

static double num(const json_t *row, const char *key)
{
    const json_t *v = json_object_get(row, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

/* The rows as a table in HTML, Markdown and DIR/csvname; cols name the keys.
 * Returns -1 with r->err when the CSV cannot be written. */
static int table(rep_t *r, const char *csvname, const char *title, const json_t *rows,
                 const char *const *cols, size_t ncols)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", r->dir, csvname);
    io_out_t co;
    if (io_out_begin(&co, path, r->err, sizeof r->err) != 0) {
        io_out_abort(&co);
        return -1;
    }
    FILE *csv = co.f;
    json_object_set_new(r->tables, csvname, json_true());
    fprintf(r->html, "<h3>");
    esc(r->html, title);
    fprintf(r->html, " <a href=\"%s\">(csv)</a></h3>\n<div class=\"tbl\"><table>\n<tr>", csvname);
    fprintf(r->md, "\n### %s\n\n|", title);
    for (size_t i = 0; i < ncols; i++) {
        fprintf(r->html, "<th>%s</th>", cols[i]);
        fprintf(r->md, " %s |", cols[i]);
        fprintf(csv, "%s%s", i ? "," : "", cols[i]);
    }
    fprintf(r->html, "</tr>\n");
    fprintf(r->md, "\n|");
    for (size_t i = 0; i < ncols; i++)
        fprintf(r->md, "---|");
    fprintf(r->md, "\n");
    fputc('\n', csv);
    size_t k;
    const json_t *row;
    json_array_foreach(rows, k, row) {
        fprintf(r->html, "<tr>");
        fprintf(r->md, "|");
        for (size_t i = 0; i < ncols; i++) {
            char c[512];
            const json_t *v = json_object_get(row, cols[i]);
            cell(v, c, sizeof c);
            /* Text (names, paths, parameter lists) wraps; numbers do not.
             * Paths and parameter lists keep a readable width. */
            const int wide = !strcmp(cols[i], "params") || strstr(cols[i], "workload") ||
                             !strcmp(cols[i], "path") || !strcmp(cols[i], "error");
            fprintf(r->html, !json_is_string(v) ? "<td>" : wide ? "<td class=\"t w\">"
                                                                 : "<td class=\"t\">");
            /* NULL (tpot_s of a run with no decode step): "-" on the page,
             * an empty field in the CSV */
            const char *shown = json_is_null(v) ? "-" : c;
            esc(r->html, shown);
            fprintf(r->html, "</td>");
            fputc(' ', r->md);
            esc_md(r->md, shown);
            fprintf(r->md, " |");
            if (i)
                fputc(',', csv);
            csvf(csv, c);
        }
        fprintf(r->html, "</tr>\n");
        fprintf(r->md, "\n");
        fputc('\n', csv);
    }
    fprintf(r->html, "</table></div>\n");
    if (json_array_size(rows) == 0)
        fprintf(r->md, "\n(no rows)\n");
    return io_out_commit(&co, r->err, sizeof r->err);
}

static int query(rep_t *r, db_report_query_t q, const char *const *params, size_t np,
                 json_t **out)
{
    return db_report_rows(r->db, q, params, np, out, r->err, sizeof r->err);
}

/* ---- Vega-Lite specs ---------------------------------------------------------- */

/* Fonts and sizes readable in a paper at a column's width. */
static const char spec_config[] =
    "{\"font\": \"Helvetica, Arial, sans-serif\","
    " \"axis\": {\"labelFontSize\": 12, \"titleFontSize\": 13, \"grid\": true},"
    " \"legend\": {\"labelFontSize\": 12, \"titleFontSize\": 12, \"labelLimit\": 360},"
    " \"header\": {\"labelFontSize\": 12, \"titleFontSize\": 13},"
    " \"title\": {\"fontSize\": 15, \"anchor\": \"start\"}}";

/* A spec from a JSON text of ours (a parse failure is a bug in this file). */
static json_t *spec_text(rep_t *r, const char *text)
{
    json_error_t je;
    json_t *s = json_loads(text, 0, &je);
    if (!s)
        snprintf(r->err, sizeof r->err, "report spec: %s at %d", je.text, je.position);
    return s;
}

/* Adds figure name: <figure> in the page, the spec (data = rows, consumed)
 * in r->specs and DIR/figures/NAME.vl.json. */
static int figure(rep_t *r, const char *name, const char *caption, json_t *spec, json_t *rows)
{
    json_object_set_new(spec, "$schema",
                        json_string("https://vega.github.io/schema/vega-lite/v6.json"));
    json_object_set_new(spec, "config", spec_text(r, spec_config));
    if (rows)
        json_object_set_new(spec, "data", json_pack("{s:o}", "values", rows));
    json_object_set_new(r->specs, name, spec);
    fprintf(r->html, "<figure id=\"fig-%s\" data-plot=\"%s\"><div class=\"vis\"></div>"
                     "<figcaption>", name, name);
    esc(r->html, caption);
    fprintf(r->html, " <a href=\"figures/%s.svg\">(svg)</a> <a href=\"figures/%s.pdf\">(pdf)"
                     "</a></figcaption></figure>\n", name, name);
    char path[1100];
    snprintf(path, sizeof path, "%s/figures/%s.vl.json", r->dir, name);
    io_out_t so;
    if (io_out_begin(&so, path, r->err, sizeof r->err) != 0) {
        io_out_abort(&so);
        return -1;
    }
    if (json_dumpf(spec, so.f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) {
        io_out_abort(&so);
        snprintf(r->err, sizeof r->err, "%s: cannot write", path);
        return -1;
    }
    return io_out_commit(&so, r->err, sizeof r->err);
}

/* A quantitative axis encoding for metric m. */
static json_t *qaxis(const char *field, const char *title, int logscale)
{
    return logscale ? json_pack("{s:s, s:s, s:s, s:{s:s, s:b, s:i}}", "field", field, "type",
                                "quantitative", "title", title, "scale", "type", "log", "nice",
                                0, "padding", 14)
                    : json_pack("{s:s, s:s, s:s, s:{s:b}}", "field", field, "type",
                                "quantitative", "title", title, "scale", "zero", 0);
}

/* ---- sweep points: Pareto, breakdowns, roofline ---------------------------- */


/* Marks each point "front": true when it is on its workload's Pareto front of
 * (xm, ym); points without both metrics (or that failed) are false. */
static int mark_front(rep_t *r, json_t *pts)
{
    const size_t n = json_array_size(pts);
    double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
    int *keep = malloc((n + 1) * sizeof *keep);
    size_t *idx = malloc((n + 1) * sizeof *idx);
    int rc = x && y && keep && idx ? 0 : -1;
    for (size_t g = 0; rc == 0 && g < n;) {
        const char *wh = str(json_array_get(pts, g), "workload_hash");
        size_t e = g, m = 0;
        while (e < n && strcmp(str(json_array_get(pts, e), "workload_hash"), wh) == 0)
            e++;
        for (size_t i = g; i < e; i++) {
            json_t *p = json_array_get(pts, i);
            json_object_set_new(p, "front", json_false());
            const double a = num(p, r->xm), b = num(p, r->ym);
            if (!json_is_null(json_object_get(p, "error")) || isnan(a) || isnan(b))
                continue;
            x[m] = r->xmax ? -a : a;
            y[m] = r->ymax ? -b : b;
            idx[m++] = i;
        }
        if (sweep_pareto(x, y, m, keep) != 0)
            rc = -1;
        for (size_t i = 0; rc == 0 && i < m; i++)
            if (keep[i])
                json_object_set_new(json_array_get(pts, idx[i]), "front", json_true());
        g = e;
    }
    free(x); free(y); free(keep); free(idx);
    if (rc != 0)
        snprintf(r->err, sizeof r->err, "out of memory");
    return rc;
}

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Array shapes by rows, then columns. */
static int array_cmp(const void *a, const void *b)
{
    const long long *x = a, *y = b;
    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Tableau 10 (Vega's default categorical scheme) and Vega's filled symbol
 * shapes. */
static const char *const array_colors[] = {"#4c78a8", "#f58518", "#e45756", "#72b7b2",
                                           "#54a24b", "#eeca3b", "#b279a2", "#ff9da6",
                                           "#9d755d", "#bab0ac"};
static const char *const array_shapes[] = {"circle",        "square",         "triangle-up",
                                           "diamond",       "cross",          "triangle-down",
                                           "triangle-right", "triangle-left"};
enum { ARRAY_LOOKS = ARRAY_LEN(array_colors) * ARRAY_LEN(array_shapes) };

/* The Pareto plot's scales for the array shapes in rows: each shape its own
 * (colour, symbol) pair.  With 10 colours and 8 symbols, shape i = 10q + r
 * gets colour r and symbol (11q + r) mod 8: for a fixed colour r, q -> 3q
 * mod 8 is one-to-one, so the first 80 shapes all differ, and neighbours in
 * the legend differ in both colour and symbol.  (Colour and shape from
 * Vega's own ordinal ranges cycle 10 colours and 8 symbols on different
 * fields: 23 shapes of one sweep came out as 8 symbols, 128x8, 32x32 and
 * 8x128 all diamonds.)  Sets *many when shapes repeat (over 80). */
static json_t *array_scales(const json_t *rows, json_t **shape_scale, int *many)
{
    const size_t n = json_array_size(rows);
    long long (*a)[2] = malloc((n ? n : 1) * sizeof *a);
    size_t m = 0, k;
    const json_t *row;
    if (!a)
        return NULL;
    json_array_foreach(rows, k, row) {
        long long rc[2];
        if (sscanf(str(row, "array"), "%lldx%lld", &rc[0], &rc[1]) != 2)
            continue;
        size_t i = 0;
        while (i < m && (a[i][0] != rc[0] || a[i][1] != rc[1]))
            i++;
        if (i == m) {
            a[m][0] = rc[0];
            a[m][1] = rc[1];
            m++;
        }
    }
    qsort(a, m, sizeof *a, array_cmp);
    json_t *domain = json_array(), *colors = json_array(), *shapes = json_array();
    for (size_t i = 0; i < m; i++) {
        char name[48];
        snprintf(name, sizeof name, "%lldx%lld", a[i][0], a[i][1]);
        const size_t q = i / ARRAY_LEN(array_colors), rr = i % ARRAY_LEN(array_colors);
        json_array_append_new(domain, json_string(name));
        json_array_append_new(colors, json_string(array_colors[rr]));
        json_array_append_new(shapes,
                              json_string(array_shapes[(11 * q + rr) % ARRAY_LEN(array_shapes)]));
    }
    free(a);
    *many = m > ARRAY_LOOKS;
    *shape_scale = json_pack("{s:O, s:o}", "domain", domain, "range", shapes);
    return json_pack("{s:o, s:o}", "domain", domain, "range", colors);
}

static int pareto_section(rep_t *r, json_t *pts, size_t *nfront)
{
    /* Plot rows: points with both metrics, positive when drawn on log axes. */
    json_t *rows = json_array();
    size_t k;
    json_t *p;
    int logx = 1, logy = 1, workloads = 0;
    const char *lastw = NULL;
    json_array_foreach(pts, k, p) {
        const double a = num(p, r->xm), b = num(p, r->ym);
        if (!json_is_null(json_object_get(p, "error")) || isnan(a) || isnan(b))
            continue;
        logx &= a > 0;
        logy &= b > 0;
        if (!lastw || strcmp(lastw, str(p, "workload_hash")) != 0)
            workloads++;
        lastw = str(p, "workload_hash");
        char array[48];
        snprintf(array, sizeof array, "%lldx%lld",
                 (long long)json_integer_value(json_object_get(p, "rows")),
                 (long long)json_integer_value(json_object_get(p, "cols")));
        json_array_append_new(
            rows, json_pack("{s:O, s:o, s:o, s:o, s:s, s:f, s:f, s:O}", "point",
                            json_object_get(p, "point"), "workload",
                            esc_json_string(basename_of(str(p, "workload"))), "params",
                            esc_json_string(str(p, "params")), "dataflow",
                            esc_json_string(str(p, "dataflow")), "array", array, "x", a, "y", b,
                            "front", json_object_get(p, "front")));
    }
    *nfront = 0;
    json_t *front = json_array();
    json_array_foreach(pts, k, p)
        if (json_is_true(json_object_get(p, "front"))) {
            json_array_append(front, p);
            (*nfront)++;
        }
    char title[200], caption[600];
    snprintf(title, sizeof title, "Pareto front: %s (%s) against %s (%s)", r->xm,
             r->xmax ? "max" : "min", r->ym, r->ymax ? "max" : "min");
    fprintf(r->html, "<h2>");
    esc(r->html, title);
    fprintf(r->html, "</h2>\n");
    fprintf(r->md, "\n## %s\n", title);
    int rc = 0;
    if (json_array_size(rows) > 0) {
        json_t *layer_line = spec_text(
            r, "{\"transform\": [{\"filter\": \"datum.front\"}],"
               " \"mark\": {\"type\": \"line\", \"color\": \"#333\", \"strokeWidth\": 1.5},"
               " \"encoding\": {\"order\": {\"field\": \"x\", \"type\": \"quantitative\"}}}");
        json_object_set_new(json_object_get(layer_line, "mark"), "interpolate",
                            json_string(!r->xmax && !r->ymax ? "step-after" : "linear"));
        /* Array shape: colour and symbol together (array_scales), the
         * outline too so that a hollow point keeps its colour; dataflow:
         * the fill (the first solid, the second hollow, a third half). */
        json_t *layer_pts = spec_text(
            r, "{\"mark\": {\"type\": \"point\", \"filled\": true, \"size\": 80,"
               "           \"strokeWidth\": 1.5},"
               " \"encoding\": {"
               "  \"color\": {\"field\": \"array\", \"type\": \"nominal\", \"title\": \"array\"},"
               "  \"stroke\": {\"field\": \"array\", \"type\": \"nominal\", \"title\": \"array\"},"
               "  \"shape\": {\"field\": \"array\", \"type\": \"nominal\", \"title\": \"array\"},"
               "  \"fillOpacity\": {\"field\": \"dataflow\", \"type\": \"nominal\","
               "                  \"sort\": \"ascending\", \"title\": \"dataflow\"},"
               "  \"opacity\": {\"condition\": {\"test\": \"datum.front\", \"value\": 1}, \"value\": 0.35},"
               "  \"tooltip\": [{\"field\": \"point\"}, {\"field\": \"params\"},"
               "               {\"field\": \"x\", \"type\": \"quantitative\"},"
               "               {\"field\": \"y\", \"type\": \"quantitative\"},"
               "               {\"field\": \"front\"}]}}");
        int many = 0;
        json_t *shape_scale = NULL, *color_scale = array_scales(rows, &shape_scale, &many);
        if (!color_scale || !shape_scale) {
            json_decref(color_scale);
            json_decref(shape_scale);
            json_decref(layer_line);
            json_decref(layer_pts);
            json_decref(rows);
            json_decref(front);
            snprintf(r->err, sizeof r->err, "out of memory");
            return -1;
        }
        /* Vega-Lite draws no legend for fillOpacity: the caption says
         * which fill is which dataflow (at most three fills are told
         * apart; more dataflows repeat the last). */
        static const double fills[] = {1, 0, 0.5};
        static const char *const fill_name[] = {"solid", "hollow", "half-filled"};
        const char *flows[8];
        size_t nflows = 0;
        json_array_foreach(rows, k, p) {
            const char *df = str(p, "dataflow");
            size_t i = 0;
            while (i < nflows && strcmp(flows[i], df))
                i++;
            if (i == nflows && nflows < ARRAY_LEN(flows))
                flows[nflows++] = df;
        }
        for (size_t i = 1; i < nflows; i++) /* insertion sort: a few names */
            for (size_t j = i; j > 0 && strcmp(flows[j - 1], flows[j]) > 0; j--) {
                const char *t = flows[j];
                flows[j] = flows[j - 1];
                flows[j - 1] = t;
            }
        json_t *fdom = json_array(), *frange = json_array();
        char fill_note[200] = "";
        size_t fl = 0;
        for (size_t i = 0; i < nflows; i++) {
            const size_t f = i < ARRAY_LEN(fills) ? i : ARRAY_LEN(fills) - 1;
            json_array_append_new(fdom, esc_json_string(flows[i]));
            json_array_append_new(frange, json_real(fills[f]));
            fl += (size_t)snprintf(fill_note + fl, fl < sizeof fill_note ? sizeof fill_note - fl : 0,
                                   "%s%s %s", i ? ", " : "", fill_name[f], flows[i]);
        }
        json_t *pe = json_object_get(layer_pts, "encoding");
        json_object_set_new(json_object_get(pe, "fillOpacity"), "scale",
                            json_pack("{s:o, s:o}", "domain", fdom, "range", frange));
        json_object_set(json_object_get(pe, "color"), "scale", color_scale);
        json_object_set_new(json_object_get(pe, "stroke"), "scale", color_scale);
        json_object_set_new(json_object_get(pe, "shape"), "scale", shape_scale);
        json_t *enc[2] = {json_object_get(layer_line, "encoding"),
                          json_object_get(layer_pts, "encoding")};
        for (int i = 0; i < 2; i++) {
            json_object_set_new(enc[i], "x", qaxis("x", r->xm, logx));
            json_object_set_new(enc[i], "y", qaxis("y", r->ym, logy));
        }
        json_t *spec = json_pack("{s:s, s:{s:{s:s, s:s, s:s}}, s:{s:i, s:i, s:[o, o]}, s:{s:{s:s, s:s}}}",
                                 "title", title, "facet", "row", "field", "workload", "type",
                                 "nominal", "title", "workload", "spec", "width", 560, "height",
                                 340, "layer", layer_line, layer_pts, "resolve", "scale", "x",
                                 "independent", "y", "independent");
        snprintf(caption, sizeof caption,
                 "Every sweep point that ran (%zu, %d workload%s); the line joins the Pareto "
                 "front, faded points are dominated. Colour and symbol: array shape (each its "
                 "own pair%s); fill: dataflow (%s).",
                 json_array_size(rows), workloads, workloads == 1 ? "" : "s",
                 many ? "; past 80 shapes the pairs repeat, hover a point for its parameters"
                      : "", fill_note);
        rc = figure(r, "pareto", caption, spec, rows);
    } else {
        json_decref(rows);
        fprintf(r->html, "<p>No sweep point has both %s and %s.</p>\n", r->xm, r->ym);
    }
    /* The two metrics first, then the others not already there (the
     * defaults total_cycles and area_mm2 were listed twice). */
    static const char *const more[] = {"total_cycles", "pes", "area_mm2", "energy_pj", "tops",
                                       "tops_per_w", "tops_per_mm2"};
    const char *cols[4 + 2 + ARRAY_LEN(more)] = {"point", "sweep", "workload", "params", r->xm};
    size_t ncols = 5;
    if (strcmp(r->ym, r->xm) != 0)
        cols[ncols++] = r->ym;
    for (size_t i = 0; i < ARRAY_LEN(more); i++)
        if (strcmp(more[i], r->xm) != 0 && strcmp(more[i], r->ym) != 0)
            cols[ncols++] = more[i];
    if (rc == 0)
        rc = table(r, "pareto.csv", "Pareto-optimal points", front, cols, ncols);
    json_decref(front);
    return rc;
}

/* Stacked bars of breakdown kind for the Pareto points and the plain runs
 * (subjects: rows with "label", "run_id", "params"). */
static int breakdown_section(rep_t *r, const json_t *subjects, const char *name,
                             const char *kind, const char *title, const char *unit)
{
    json_t *rows = json_array();
    size_t k;
    const json_t *s;
    int rc = 0;
    json_array_foreach(subjects, k, s) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(s, "run_id")));
        const char *params[] = {id, kind};
        json_t *comp = NULL;
        if ((rc = query(r, DB_REPORT_BREAKDOWN, params, 2, &comp)) != 0)
            break;
        size_t j;
        json_t *c;
        json_array_foreach(comp, j, c) {
            json_object_set(c, "label", json_object_get(s, "label"));
            json_object_set(c, "group", json_object_get(s, "group"));
            json_object_set(c, "params", json_object_get(s, "params"));
            json_object_set_new(c, "order", json_integer((json_int_t)k));
            json_array_append(rows, c);
        }
        json_decref(comp);
    }
    fprintf(r->html, "<h2>%s</h2>\n", title);
    fprintf(r->md, "\n## %s\n", title);
    size_t drawn = 0;
    json_array_foreach(rows, k, s)
        drawn += num(s, "value") > 0;
    if (rc == 0 && drawn > 0) {
        json_t *spec = spec_text(
            r, "{\"facet\": {\"row\": {\"field\": \"group\", \"type\": \"nominal\","
               "   \"title\": \"workload\"}},"
               " \"resolve\": {\"scale\": {\"x\": \"independent\", \"y\": \"independent\"}},"
               " \"spec\": {\"width\": 560, \"height\": {\"step\": 22},"
               " \"mark\": {\"type\": \"bar\"},"
               " \"encoding\": {"
               "  \"y\": {\"field\": \"label\", \"type\": \"nominal\", \"title\": null,"
               "         \"sort\": {\"field\": \"order\"}, \"axis\": {\"labelLimit\": 260}},"
               "  \"x\": {\"field\": \"value\", \"type\": \"quantitative\", \"stack\": \"zero\"},"
               "  \"color\": {\"field\": \"component\", \"type\": \"nominal\","
               "             \"title\": \"component\", \"scale\": {\"scheme\": \"tableau20\"}},"
               "  \"order\": {\"field\": \"component\"},"
               "  \"tooltip\": [{\"field\": \"label\"}, {\"field\": \"params\"},"
               "               {\"field\": \"component\"},"
               "               {\"field\": \"value\", \"type\": \"quantitative\"}]}}}");
        json_object_set_new(spec, "title", esc_json_string(title));
        json_object_set_new(
            json_object_get(json_object_get(json_object_get(spec, "spec"), "encoding"), "x"),
            "title", json_string(unit));
        char caption[200];
        snprintf(caption, sizeof caption, "%s by component, one bar per Pareto point or plain run.",
                 unit);
        rc = figure(r, name, caption, spec, json_deep_copy(rows));
    } else if (rc == 0) {
        fprintf(r->html, "<p>No %s breakdown stored for the Pareto points or runs.</p>\n", unit);
    }
    const char *const cols[] = {"group", "label", "params", "component", "value"};
    char csv[64];
    snprintf(csv, sizeof csv, "%s.csv", name);
    if (rc == 0)
        rc = table(r, csv, unit, rows, cols, ARRAY_LEN(cols));
    json_decref(rows);
    return rc;
}


/* The op of a layer name, so that layers of one kind share a color: its
 * last dot-separated part without a trailing number or head suffix
 * ("l3.qkv" and "l7.qkv" -> "qkv", "attn_scores_h0" -> "attn_scores"). */
static void op_of(const char *name, char *out, size_t n)
{
    const char *s = strrchr(name, '.');
    snprintf(out, n, "%s", s && s[1] ? s + 1 : name);
    size_t j = strlen(out);
    while (j > 1 && out[j - 1] >= '0' && out[j - 1] <= '9')
        j--;
    if (j > 2 && out[j - 1] == 'h' && out[j - 2] == '_')
        j -= 2;
    while (j > 1 && out[j - 1] == '_')
        j--;
    out[j] = '\0';
}

/* Whether a point at (ai, perf) lies within a label's reach of one already
 * labelled (log axes: a fixed fraction of a decade). */
static int crowded(const json_t *labelled, double ai, double perf)
{
    size_t k;
    const json_t *q;
    json_array_foreach(labelled, k, q)
        if (fabs(log10(num(q, "op_per_byte") / ai)) < 0.25 &&
            fabs(log10(num(q, "op_per_cycle") / perf)) < 0.12)
            return 1;
    return 0;
}

/* Roofline of each layer of the fastest point of each workload, and the
 * per-layer utilization of those points and of the plain runs. */
static int layer_sections(rep_t *r, const json_t *pts, const json_t *runs)
{
    json_t *roof_rows = json_array(), *util_rows = json_array(), *charts = json_array();
    size_t n = json_array_size(pts), k;
    int rc = 0;
    for (size_t g = 0; rc == 0 && g < n;) {
        const char *wh = str(json_array_get(pts, g), "workload_hash");
        size_t e = g;
        const json_t *best = NULL;
        for (; e < n && strcmp(str(json_array_get(pts, e), "workload_hash"), wh) == 0; e++) {
            const json_t *p = json_array_get(pts, e);
            if (json_is_null(json_object_get(p, "error")) && num(p, "total_cycles") > 0 &&
                (!best || num(p, "total_cycles") < num(best, "total_cycles")))
                best = p;
        }
        g = e;
        if (!best)
            continue;
        char id[32], label[160];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(best, "run_id")));
        snprintf(label, sizeof label, "point %lld (%s)",
                 (long long)json_integer_value(json_object_get(best, "point")),
                 basename_of(str(best, "workload")));
        const char *params[] = {id};
        json_t *ls = NULL;
        if ((rc = query(r, DB_REPORT_LAYERS, params, 1, &ls)) != 0)
            break;
        const double peak = 2.0 * num(best, "pes"), bw = num(best, "dram_bytes_per_cycle");
        json_t *pts_rows = json_array();
        double lo = INFINITY, hi = 0, plo = INFINITY;
        const json_t *l;
        json_array_foreach(ls, k, l) {
            const double macs = num(l, "macs"), cyc = num(l, "total_cycles");
            const double bytes = num(l, "dram_bytes");
            const double ai = bytes > 0 ? 2 * macs / bytes : 2 * macs;
            const double perf = cyc > 0 ? 2 * macs / cyc : 0;
            const double roof = fmin(peak, bw * ai);
            char op[64];
            op_of(str(l, "name"), op, sizeof op);
            json_t *row = json_pack("{s:o, s:O, s:O, s:o, s:f, s:f, s:f, s:f, s:f}", "label",
                                    esc_json_string(label), "idx", json_object_get(l, "idx"),
                                    "name", json_object_get(l, "name"), "op",
                                    esc_json_string(op), "op_per_byte", ai,
                                    "op_per_cycle", perf, "roof_op_per_cycle", roof,
                                    "peak_op_per_cycle", peak, "pct_of_roof",
                                    roof > 0 ? 100 * perf / roof : 0);
            json_array_append(roof_rows, row);
            if (perf > 0 && ai > 0) {
                json_array_append(pts_rows, row);
                lo = fmin(lo, ai);
                hi = fmax(hi, ai);
                plo = fmin(plo, perf);
            }
            json_decref(row);
            json_array_append_new(util_rows,
                                  json_pack("{s:o, s:O, s:O, s:o, s:O}", "label",
                                            esc_json_string(label), "idx",
                                            json_object_get(l, "idx"), "name",
                                            json_object_get(l, "name"), "op",
                                            esc_json_string(op), "utilization",
                                            json_object_get(l, "utilization")));
        }
        json_decref(ls);
        if (json_array_size(pts_rows) == 0 || !(peak > 0) || !(bw > 0)) {
            json_decref(pts_rows);
            continue;
        }
        /* The roof: DRAM slope up to the ridge, then flat at the peak. */
        const double ridge = peak / bw;
        const double x0 = fmin(lo, ridge) / 2, x1 = fmax(hi, ridge) * 2;
        json_t *roof = json_pack("[{s:f, s:f}, {s:f, s:f}, {s:f, s:f}]", "ai", x0, "perf",
                                 fmin(peak, bw * x0), "ai", ridge, "perf", peak, "ai", x1,
                                 "perf", peak);
        char title[240];
        snprintf(title, sizeof title, "%s: peak %.0f op/cycle, DRAM %.0f B/cycle, ridge %.3g op/B",
                 label, peak, bw, ridge);
        json_t *chart = spec_text(
            r, "{\"width\": 560, \"height\": 340, \"layer\": ["
               " {\"mark\": {\"type\": \"line\", \"color\": \"#333\", \"strokeWidth\": 2},"
               "  \"encoding\": {\"x\": {\"field\": \"ai\", \"type\": \"quantitative\","
               "   \"scale\": {\"type\": \"log\"}, \"title\": \"arithmetic intensity (op per DRAM byte)\"},"
               "   \"y\": {\"field\": \"perf\", \"type\": \"quantitative\", \"scale\": {\"type\": \"log\"},"
               "   \"title\": \"op per cycle\"}}},"
               " {\"mark\": {\"type\": \"point\", \"filled\": true, \"size\": 70},"
               "  \"encoding\": {\"x\": {\"field\": \"op_per_byte\", \"type\": \"quantitative\"},"
               "   \"y\": {\"field\": \"op_per_cycle\", \"type\": \"quantitative\"},"
               "   \"color\": {\"field\": \"op\", \"type\": \"nominal\", \"title\": \"op\","
               "               \"scale\": {\"scheme\": \"tableau10\"}},"
               "   \"tooltip\": [{\"field\": \"name\"}, {\"field\": \"op_per_byte\", \"type\": \"quantitative\"},"
               "                 {\"field\": \"op_per_cycle\", \"type\": \"quantitative\"},"
               "                 {\"field\": \"pct_of_roof\", \"type\": \"quantitative\"}]}}]}");
        json_t *layers = json_object_get(chart, "layer");
        json_object_set_new(json_array_get(layers, 0), "data", json_pack("{s:o}", "values", roof));
        json_object_set_new(json_array_get(layers, 1), "data",
                            json_pack("{s:o}", "values", json_deep_copy(pts_rows)));
        json_object_set_new(chart, "title", esc_json_string(title));
        /* Names beside the points where they do not overlap another label;
         * the op colors and tooltips carry the rest. */
        json_t *labelled = json_array();
        const json_t *q;
        json_array_foreach(pts_rows, k, q)
            if (!crowded(labelled, num(q, "op_per_byte"), num(q, "op_per_cycle")))
                json_array_append(labelled, (json_t *)q);
        json_t *text = spec_text(
            r, "{\"mark\": {\"type\": \"text\", \"align\": \"left\", \"dx\": 7, \"dy\": -7,"
               " \"fontSize\": 11},"
               " \"encoding\": {\"x\": {\"field\": \"op_per_byte\", \"type\": \"quantitative\"},"
               "  \"y\": {\"field\": \"op_per_cycle\", \"type\": \"quantitative\"},"
               "  \"text\": {\"field\": \"name\"}}}");
        json_object_set_new(text, "data", json_pack("{s:o}", "values", labelled));
        json_array_append_new(layers, text);
        /* Axes fitted to the roof and the points (no rounding out to decades). */
        json_t *e0 = json_object_get(json_array_get(layers, 0), "encoding");
        json_object_set_new(json_object_get(json_object_get(e0, "x"), "scale"), "domain",
                            json_pack("[f, f]", x0, x1));
        json_object_set_new(json_object_get(json_object_get(e0, "y"), "scale"), "domain",
                            json_pack("[f, f]", fmin(plo, fmin(peak, bw * x0)) / 1.5, peak * 1.5));
        json_object_set_new(json_object_get(json_object_get(e0, "x"), "scale"), "nice", json_false());
        json_object_set_new(json_object_get(json_object_get(e0, "y"), "scale"), "nice", json_false());
        json_decref(pts_rows);
        json_array_append_new(charts, chart);
    }
    fprintf(r->html, "<h2>Roofline of each layer of the fastest point</h2>\n");
    fprintf(r->md, "\n## Roofline of each layer of the fastest point\n");
    if (rc == 0 && json_array_size(charts) > 0) {
        json_t *spec = json_pack("{s:s, s:O, s:{s:{s:s}}}", "title", "Roofline", "vconcat",
                                 charts, "resolve", "scale", "color", "independent");
        rc = figure(r, "roofline", "Each layer of each workload's fastest sweep point against "
                                   "the roof of its array (op = 2 MACs).", spec, NULL);
    } else if (rc == 0) {
        fprintf(r->html, "<p>No sweep point with layers to draw.</p>\n");
    }
    json_decref(charts);
    const char *const rcols[] = {"label", "idx", "name", "op_per_byte", "op_per_cycle",
                                 "roof_op_per_cycle", "peak_op_per_cycle", "pct_of_roof"};
    if (rc == 0)
        rc = table(r, "roofline.csv", "layers of the fastest point", roof_rows, rcols,
                   ARRAY_LEN(rcols));
    json_decref(roof_rows);

    /* Plain runs' layers. */
    const json_t *run;
    json_array_foreach(runs, k, run) {
        if (rc != 0)
            break;
        char id[32], label[160];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(run, "run")));
        snprintf(label, sizeof label, "run %s (%s)", id, basename_of(str(run, "workload_file")));
        const char *params[] = {id};
        json_t *ls = NULL;
        if ((rc = query(r, DB_REPORT_LAYERS, params, 1, &ls)) != 0)
            break;
        const json_t *l;
        size_t j;
        json_array_foreach(ls, j, l) {
            char op[64];
            op_of(str(l, "name"), op, sizeof op);
            json_array_append_new(util_rows,
                                  json_pack("{s:o, s:O, s:O, s:o, s:O}", "label",
                                            esc_json_string(label), "idx",
                                            json_object_get(l, "idx"), "name",
                                            json_object_get(l, "name"), "op",
                                            esc_json_string(op), "utilization",
                                            json_object_get(l, "utilization")));
        }
        json_decref(ls);
    }
    fprintf(r->html, "<h2>Utilization of each layer</h2>\n");
    fprintf(r->md, "\n## Utilization of each layer\n");
    size_t drawn = 0;
    json_array_foreach(util_rows, k, run)
        drawn += num(run, "utilization") > 0;
    if (rc == 0 && drawn > 0) {
        json_t *spec = spec_text(
            r, "{\"title\": \"MAC utilization of each layer\","
               " \"facet\": {\"row\": {\"field\": \"label\", \"type\": \"nominal\", \"title\": null}},"
               " \"resolve\": {\"scale\": {\"x\": \"independent\"}},"
               " \"spec\": {\"width\": 560, \"height\": 140, \"mark\": {\"type\": \"bar\"},"
               "  \"encoding\": {\"x\": {\"field\": \"idx\", \"type\": \"ordinal\", \"title\": \"layer\","
               "    \"axis\": {\"labelOverlap\": \"greedy\"}},"
               "   \"y\": {\"field\": \"utilization\", \"type\": \"quantitative\","
               "    \"scale\": {\"domain\": [0, 1]}, \"axis\": {\"format\": \"%\"}},"
               "   \"color\": {\"field\": \"op\", \"type\": \"nominal\", \"title\": \"op\","
               "               \"scale\": {\"scheme\": \"tableau10\"}},"
               "   \"tooltip\": [{\"field\": \"name\"}, {\"field\": \"utilization\", \"format\": \".1%\"}]}}}");
        rc = figure(r, "utilization", "MAC utilization of each layer of each workload's fastest "
                                      "sweep point and of each plain run.",
                    spec, json_deep_copy(util_rows));
    } else if (rc == 0) {
        fprintf(r->html, "<p>No layers stored.</p>\n");
    }
    const char *const ucols[] = {"label", "idx", "name", "utilization"};
    if (rc == 0)
        rc = table(r, "utilization.csv", "per-layer utilization", util_rows, ucols,
                   ARRAY_LEN(ucols));
    json_decref(util_rows);
    return rc;
}

/* ---- LLM runs ---------------------------------------------------------------- */

static int llm_section(rep_t *r, size_t *nllm)
{
    json_t *rows = NULL;
    if (query(r, DB_REPORT_LLM_RUNS, NULL, 0, &rows) != 0)
        return -1;
    *nllm = json_array_size(rows);
    int rc = 0;
    fprintf(r->html, "<h2>LLM runs: TTFT, TPOT and throughput</h2>\n");
    fprintf(r->md, "\n## LLM runs\n");
    if (*nllm > 0) {
        json_t *spec = spec_text(
            r, "{\"title\": \"LLM latency and throughput against batch\","
               " \"transform\": [{\"fold\": [\"ttft_s\", \"tpot_s\", \"tokens_per_s\"],"
               "                 \"as\": [\"metric\", \"value\"]},"
               "                {\"calculate\": \"datum.model + ' ' + datum.mode + ', ' + datum.cores + ' core(s), ' + datum.hw_name\", \"as\": \"series\"}],"
               " \"facet\": {\"column\": {\"field\": \"metric\", \"type\": \"nominal\", \"title\": null,"
               "   \"sort\": [\"ttft_s\", \"tpot_s\", \"tokens_per_s\"]}},"
               " \"resolve\": {\"scale\": {\"y\": \"independent\"}},"
               " \"spec\": {\"width\": 220, \"height\": 220, \"layer\": ["
               "  {\"mark\": {\"type\": \"line\"}, \"encoding\": {"
               "    \"x\": {\"field\": \"batch\", \"type\": \"ordinal\"},"
               "    \"y\": {\"field\": \"value\", \"type\": \"quantitative\", \"scale\": {\"type\": \"log\"}},"
               "    \"color\": {\"field\": \"series\", \"type\": \"nominal\", \"title\": \"model, mode, hardware\"},"
               "    \"detail\": {\"field\": \"prompt\"}}},"
               "  {\"mark\": {\"type\": \"point\", \"filled\": true, \"size\": 60}, \"encoding\": {"
               "    \"x\": {\"field\": \"batch\", \"type\": \"ordinal\", \"title\": \"batch\", \"axis\": {\"labelAngle\": 0}},"
               "    \"y\": {\"field\": \"value\", \"type\": \"quantitative\", \"title\": null},"
               "    \"color\": {\"field\": \"series\", \"type\": \"nominal\"},"
               "    \"shape\": {\"field\": \"mode\", \"type\": \"nominal\", \"title\": \"mode\"},"
               "    \"tooltip\": [{\"field\": \"run_id\"}, {\"field\": \"model\"}, {\"field\": \"mode\"},"
               "      {\"field\": \"batch\"}, {\"field\": \"prompt\"}, {\"field\": \"gen\"},"
               "      {\"field\": \"value\", \"type\": \"quantitative\"}]}}]}}");
        rc = figure(r, "llm", "Time to first token (s), time per output token (s) and "
                              "throughput (tokens/s) of every LLM run, by batch; color: model "
                              "and mode.", spec, json_deep_copy(rows));
    } else {
        fprintf(r->html, "<p>No LLM runs (codesim run --model) in this database.</p>\n");
    }
    const char *const cols[] = {"run_id", "model", "mode", "hw_name", "batch", "prompt", "gen",
                                "wbits", "abits", "kvbits", "cores", "prefill_cycles",
                                "decode_cycles", "ttft_s", "tpot_s", "tokens_per_s",
                                "dram_gbps"};
    if (rc == 0)
        rc = table(r, "llm.csv", "LLM runs", rows, cols, ARRAY_LEN(cols));
    json_decref(rows);
    return rc;
}

/* ---- RTL checks ------------------------------------------------------------- */

static int rtl_section(rep_t *r, size_t *nchecks)
{
    json_t *checks = NULL, *cases = NULL;
    if (query(r, DB_REPORT_RTL_CHECKS,
              NULL, 0, &checks) != 0)
        return -1;
    if (query(r, DB_REPORT_RTL_CASES, NULL, 0, &cases) != 0) {
        json_decref(checks);
        return -1;
    }
    *nchecks = json_array_size(checks);
    int rc = 0;
    fprintf(r->html, "<h2>RTL against the model</h2>\n");
    fprintf(r->md, "\n## RTL against the model\n");
    size_t k, drawn = 0;
    const json_t *c;
    json_array_foreach(cases, k, c)
        drawn += num(c, "model_cycles") > 0 && num(c, "rtl_cycles") > 0;
    if (drawn > 0) {
        double hi = 1;
        json_array_foreach(cases, k, c)
            hi = fmax(hi, fmax(num(c, "model_cycles"), num(c, "rtl_cycles")));
        json_t *spec = spec_text(
            r, "{\"title\": \"RTL cycles against the model's, every case\","
               " \"width\": 420, \"height\": 420, \"layer\": ["
               " {\"mark\": {\"type\": \"line\", \"color\": \"#999\", \"strokeDash\": [4, 3]},"
               "  \"encoding\": {\"x\": {\"field\": \"v\", \"type\": \"quantitative\", \"scale\": {\"type\": \"log\"}},"
               "   \"y\": {\"field\": \"v\", \"type\": \"quantitative\", \"scale\": {\"type\": \"log\"}}}},"
               " {\"mark\": {\"type\": \"point\", \"filled\": true, \"size\": 60},"
               "  \"encoding\": {\"x\": {\"field\": \"model_cycles\", \"type\": \"quantitative\", \"title\": \"model cycles\"},"
               "   \"y\": {\"field\": \"rtl_cycles\", \"type\": \"quantitative\", \"title\": \"RTL cycles\"},"
               "   \"color\": {\"field\": \"block\", \"type\": \"nominal\", \"title\": \"block\"},"
               "   \"shape\": {\"field\": \"agreement\", \"type\": \"nominal\", \"title\": \"cycles, values, counts\","
               "     \"scale\": {\"domain\": [\"agrees\", \"differs\"], \"range\": [\"circle\", \"cross\"]}},"
               "   \"tooltip\": [{\"field\": \"check_id\"}, {\"field\": \"m\"}, {\"field\": \"n\"}, {\"field\": \"k\"},"
               "     {\"field\": \"model_cycles\"}, {\"field\": \"rtl_cycles\"}, {\"field\": \"value_mismatches\"}]}}]}");
        json_t *layers = json_object_get(spec, "layer");
        json_object_set_new(json_array_get(layers, 0), "data",
                            json_pack("{s:[{s:i}, {s:f}]}", "values", "v", 1, "v", hi * 1.2));
        json_object_set_new(json_array_get(layers, 1), "data",
                            json_pack("{s:O}", "values", cases));
        rc = figure(r, "rtl", "Each case of each codesim rtlcheck: the dashed line is perfect "
                              "agreement; a cross marks a case where cycles, values or counts "
                              "differ.", spec, NULL);
    } else {
        fprintf(r->html, "<p>No RTL checks in this database (run codesim rtlcheck).</p>\n");
    }
    const char *const cols[] = {"id", "started_at", "block", "shape", "dataflow", "widths",
                                "params", "cases", "cycle_mismatches", "value_mismatches",
                                "count_mismatches", "agree"};
    const char *const ccols[] = {"check_id", "block", "idx", "m", "n", "k", "model_cycles",
                                 "rtl_cycles", "value_mismatches", "counts_match"};
    if (rc == 0)
        rc = table(r, "rtl.csv", "rtlcheck runs (codesim rtlcheck)", checks, cols,
                   ARRAY_LEN(cols));
    if (rc == 0)
        rc = table(r, "rtl_cases.csv", "rtlcheck cases", cases, ccols, ARRAY_LEN(ccols));
    json_decref(checks);
    json_decref(cases);
    return rc;
}

/* ---- the page ------------------------------------------------------------------ */

/* JSON inside <script>: '<', '>' and '&' as \u escapes, so that no text from
 * the database can end the script or open a comment. */
static int dump_script_json(const char *buf, size_t size, void *data)
{
    FILE *f = data;
    for (size_t i = 0; i < size; i++) {
        switch (buf[i]) {
        case '<': fputs("\\u003c", f); break;
        case '>': fputs("\\u003e", f); break;
        case '&': fputs("\\u0026", f); break;
        default: fputc(buf[i], f);
        }
    }
    return 0;
}

/* Every plot (figures/NAME.*) and table (NAME.csv) report can write. */
static const char *const fig_names[] = {"pareto", "energy", "area", "roofline",
                                        "utilization", "llm", "rtl"};
static const char *const csv_names[] = {"pareto.csv", "energy.csv", "area.csv",
                                        "roofline.csv", "utilization.csv", "llm.csv",
                                        "rtl.csv", "rtl_cases.csv", "runs.csv", "points.csv"};

static const char *const vendor_js[] = {"vega/build/vega.min.js",
                                        "vega-lite/build/vega-lite.min.js",
                                        "vega-embed/build/vega-embed.min.js"};

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    FILE *in = fopen(from, "rb");
    if (!in) {
        snprintf(err, errlen, "%s: %s (the plotting libraries: run make web)", from,
                 strerror(errno));
        return -1;
    }
    io_out_t o;
    if (io_out_begin(&o, to, err, errlen) != 0) {
        io_out_abort(&o);
        fclose(in);
        return -1;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, o.f) != n)
            break;
    const int bad = ferror(in);
    fclose(in);
    if (bad) {
        io_out_abort(&o);
        snprintf(err, errlen, "%s: cannot read", from);
        return -1;
    }
    return io_out_commit(&o, err, errlen);
}

static int write_report(rep_t *r, const char *sweep, size_t *npoints)
{
    FILE *h = r->html;
    json_t *pts = NULL, *runs = NULL;
    const char *params[] = {sweep};
    if (query(r, DB_REPORT_POINTS, params, 1, &pts) != 0)
        return -1;
    if (query(r, DB_REPORT_PLAIN_RUNS, NULL, 0, &runs) != 0) {
        json_decref(pts);
        return -1;
    }
    *npoints = json_array_size(pts);
    /* The y metric by default: area, or the PE count when there are points
     * and none has an area (with no points the summary names area_mm2, the
     * default --help gives). */
    if (!r->ym) {
        r->ym = json_array_size(pts) ? "pes" : "area_mm2";
        size_t k;
        const json_t *p;
        json_array_foreach(pts, k, p)
            if (num(p, "area_mm2") > 0)
                r->ym = "area_mm2";
    }
    int rc = mark_front(r, pts);
    size_t failed = 0, k;
    const json_t *p;
    json_array_foreach(pts, k, p)
        failed += !json_is_null(json_object_get(p, "error"));
    fprintf(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<title>codesim report</title>\n<style>"
               "body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:72em;"
               "padding:0 1em;color:#222}h2{margin-top:2em;border-bottom:1px solid #ddd}"
               "figure{margin:1em 0}figcaption{font-size:13px;color:#555;max-width:60em}"
               ".tbl{max-height:24em;max-width:100%%;overflow:auto;margin-bottom:1em}"
               "table{border-collapse:collapse;font-size:12px}"
               "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}"
               "td.t{text-align:left;white-space:normal;min-width:4em;overflow-wrap:anywhere}"
               "td.w{min-width:13em}"
               "td:first-child,th:first-child{position:sticky;left:0;background:#fff}"
               "th{background:#f4f4f4;position:sticky;top:0;z-index:1}"
               "th:first-child{background:#f4f4f4;z-index:2}"
               ".tbl.wide{border-right:3px solid #bbb}"
               ".hint{font-weight:normal;color:#777;font-size:13px}</style>\n"
               "<script>window.codesimErrors=[];window.addEventListener('error',function(e){"
               "window.codesimErrors.push(String(e.message));});</script>\n</head><body>\n"
               "<h1>codesim report</h1>\n");
    fprintf(r->md, "# codesim report\n");
    json_t *subjects = json_array();
    json_array_foreach(pts, k, p)
        if (json_is_true(json_object_get(p, "front"))) {
            char label[160];
            snprintf(label, sizeof label, "%s point %lld", str(p, "sweep"),
                     (long long)json_integer_value(json_object_get(p, "point")));
            json_array_append_new(subjects,
                                  json_pack("{s:o, s:o, s:O, s:O}", "label",
                                            esc_json_string(label), "group",
                                            esc_json_string(basename_of(str(p, "workload"))),
                                            "run_id",
                                            json_object_get(p, "run_id"), "params",
                                            json_object_get(p, "params")));
        }
    json_array_foreach(runs, k, p) {
        char label[64];
        snprintf(label, sizeof label, "run %lld",
                 (long long)json_integer_value(json_object_get(p, "run")));
        json_array_append_new(
            subjects, json_pack("{s:o, s:o, s:O, s:o}", "label", esc_json_string(label), "group",
                                esc_json_string(basename_of(str(p, "workload_file"))), "run_id",
                                json_object_get(p, "run"), "params",
                                esc_json_string(str(p, "hw_name"))));
    }
    /* The summary needs the LLM and RTL counts, which their sections find:
     * it is written last into a placeholder the page's script fills. */
    size_t nfront = 0, nllm = 0, nrtl = 0;
    fprintf(h, "<p id=\"summary\"></p>\n");
    if (rc == 0 && *npoints > 0)
        rc = pareto_section(r, pts, &nfront);
    if (rc == 0)
        rc = breakdown_section(r, subjects, "energy", "energy_pj",
                               "Energy breakdown", "energy (pJ)");
    if (rc == 0)
        rc = breakdown_section(r, subjects, "area", "area_um2", "Area breakdown", "area (um^2)");
    if (rc == 0)
        rc = layer_sections(r, pts, runs);
    if (rc == 0)
        rc = llm_section(r, &nllm);
    if (rc == 0)
        rc = rtl_section(r, &nrtl);
    if (rc == 0) {
        fprintf(h, "<h2>Plain runs</h2>\n");
        fprintf(r->md, "\n## Plain runs\n");
        const char *const cols[] = {"run", "started_at", "path", "hw_name", "workload_file",
                                    "layers", "total_cycles", "wall_seconds"};
        rc = table(r, "runs.csv", "codesim run (layer workloads)", runs, cols, ARRAY_LEN(cols));
    }
    if (rc == 0) {
        fprintf(h, "<h2>All sweep points</h2>\n");
        fprintf(r->md, "\n## All sweep points\n");
        const char *const cols[] = {"point", "sweep", "workload", "params", "rows", "cols",
                                    "dataflow", "pes", "total_cycles", "macs", "dram_bytes",
                                    "area_mm2", "energy_pj", "tops", "tops_per_w",
                                    "tops_per_mm2", "ttft_s", "tpot_s", "tokens_per_s",
                                    "error"};
        rc = table(r, "points.csv", "every sweep point", pts, cols, ARRAY_LEN(cols));
    }
    char summary[600];
    snprintf(summary, sizeof summary,
             "%zu sweep points (%zu could not run on their hardware), %zu Pareto-optimal "
             "(%s against %s); %zu plain runs; %zu LLM runs; %zu RTL checks.", *npoints,
             failed, nfront, r->xm, r->ym, json_array_size(runs), nllm, nrtl);
    fprintf(r->md, "\n%s\n", summary);
    fprintf(h, "<script src=\"vendor/vega.min.js\"></script>\n"
               "<script src=\"vendor/vega-lite.min.js\"></script>\n"
               "<script src=\"vendor/vega-embed.min.js\"></script>\n"
               "<script type=\"application/json\" id=\"specs\">");
    json_dump_callback(r->specs, dump_script_json, h, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(h, "</script>\n<script>\n"
               "document.getElementById('summary').textContent = ");
    json_t *s = esc_json_string(summary);
    json_dump_callback(s, dump_script_json, h, JSON_ENCODE_ANY);
    json_decref(s);
    /* Each plot drawn as SVG; window.codesimViews holds the Vega views, and
     * body[data-rendered] says when all are drawn ("yes") or one failed. */
    /* A table wider than the page scrolls sideways in its box (text
     * columns wrap first); its heading says so, and how many columns are
     * out of sight. */
    fprintf(h, ";\ndocument.querySelectorAll('div.tbl').forEach(function(d){\n"
               "  if (d.scrollWidth <= d.clientWidth) return;\n"
               "  var box = d.getBoundingClientRect(), hidden = 0;\n"
               "  d.querySelectorAll('tr:first-child th').forEach(function(th){\n"
               "    if (th.getBoundingClientRect().right > box.right + 1) hidden++; });\n"
               "  var s = document.createElement('small'); s.className = 'hint';\n"
               "  s.textContent = ' scroll sideways: ' + hidden + ' more column' +\n"
               "    (hidden == 1 ? '' : 's') + ' \\u2192';\n"
               "  d.classList.add('wide'); d.previousElementSibling.appendChild(s);\n"
               "});\n");
    fprintf(h, "(function(){\n"
               "  window.codesimViews = {};\n"
               "  var specs = JSON.parse(document.getElementById('specs').textContent);\n"
               "  if (typeof vegaEmbed !== 'function') {\n"
               "    window.codesimErrors.push('vega-embed did not load (vendor/)');\n"
               "    document.body.dataset.rendered = 'error'; return;\n"
               "  }\n"
               "  Promise.all(Object.keys(specs).map(function(k){\n"
               "    return vegaEmbed('#fig-' + k + ' .vis', specs[k], {renderer: 'svg',\n"
               "      actions: {export: true, source: false, compiled: false, editor: false}})\n"
               "      .then(function(res){ window.codesimViews[k] = res.view; });\n"
               "  })).then(function(){ document.body.dataset.rendered = 'yes'; },\n"
               "    function(e){ window.codesimErrors.push(String(e));\n"
               "      document.body.dataset.rendered = 'error'; });\n"
               "})();\n</script>\n</body></html>\n");
    json_decref(subjects);
    json_decref(pts);
    json_decref(runs);
    return rc;
}

/* Removes DIR/figures/NAME.{vl.json,svg,pdf} of each plot and DIR/NAME.csv of
 * each table report knows but this run did not write, so an older report's
 * plots and tables do not stay beside this one.  Other files are kept. */
static void remove_stale(const rep_t *r)
{
    char p[1200];
    static const char *const ext[] = {"vl.json", "svg", "pdf"};
    for (size_t i = 0; i < ARRAY_LEN(fig_names); i++) {
        if (json_object_get(r->specs, fig_names[i]))
            continue;
        for (size_t e = 0; e < ARRAY_LEN(ext); e++) {
            snprintf(p, sizeof p, "%s/figures/%s.%s", r->dir, fig_names[i], ext[e]);
            if (unlink(p) != 0 && errno != ENOENT)
                cli_err("codesim report: note: %s: cannot remove the older figure (%s)\n", p,
                        strerror(errno));
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(csv_names); i++) {
        if (json_object_get(r->tables, csv_names[i]))
            continue;
        snprintf(p, sizeof p, "%s/%s", r->dir, csv_names[i]);
        if (unlink(p) != 0 && errno != ENOENT)
            cli_err("codesim report: note: %s: cannot remove the older table (%s)\n", p,
                    strerror(errno));
    }
}

/* Refuses, before anything is written, an output file of the report that is
 * the database itself (a link to it, or the database stored under a report
 * file's name). */
static int check_outputs(const char *out, const char *db_path)
{
    enum { MAXF = 3 + ARRAY_LEN(csv_names) + 3 * ARRAY_LEN(fig_names) + ARRAY_LEN(vendor_js) };
    static const char *const ext[] = {"vl.json", "svg", "pdf"};
    char paths[MAXF][1200];
    cli_file_t f[MAXF + 1];
    size_t n = 0;
    f[n++] = (cli_file_t){"--db", db_path, 1};
    snprintf(paths[n], sizeof paths[n], "%s/index.html", out);
    f[n] = (cli_file_t){"--out", paths[n], 1}, n++;
    snprintf(paths[n], sizeof paths[n], "%s/report.md", out);
    f[n] = (cli_file_t){"--out", paths[n], 1}, n++;
    for (size_t i = 0; i < ARRAY_LEN(csv_names); i++, n++) {
        snprintf(paths[n], sizeof paths[n], "%s/%s", out, csv_names[i]);
        f[n] = (cli_file_t){"--out", paths[n], 1};
    }
    for (size_t i = 0; i < ARRAY_LEN(fig_names); i++)
        for (size_t e = 0; e < ARRAY_LEN(ext); e++, n++) {
            snprintf(paths[n], sizeof paths[n], "%s/figures/%s.%s", out, fig_names[i], ext[e]);
            f[n] = (cli_file_t){"--out", paths[n], 1};
        }
    for (size_t i = 0; i < ARRAY_LEN(vendor_js); i++, n++) {
        snprintf(paths[n], sizeof paths[n], "%s/vendor/%s", out, basename_of(vendor_js[i]));
        f[n] = (cli_file_t){"--out", paths[n], 1};
    }
    /* the database against each output (outputs with distinct names in
     * DIR are not compared with each other) */
    for (size_t i = 1; i < n; i++) {
        const cli_file_t pair[2] = {f[0], f[i]};
        if (cli_check_files("report", pair, 2) != 0)
            return -1;
    }
    return 0;
}

/* Copies the plotting libraries into DIR/vendor/. */
static int copy_vendor(rep_t *r)
{
    char d[1100];
    snprintf(d, sizeof d, "%s/vendor", r->dir);
    if (mkdir(d, 0777) != 0 && errno != EEXIST) {
        snprintf(r->err, sizeof r->err, "%s: %s", d, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < ARRAY_LEN(vendor_js); i++) {
        char rel[200], from[1100], to[1200];
        snprintf(rel, sizeof rel, "reports/web/node_modules/%s", vendor_js[i]);
        if (io_data_path(rel, from, sizeof from) != 0) {
            snprintf(r->err, sizeof r->err, "%s: path too long", rel);
            return -1;
        }
        snprintf(to, sizeof to, "%s/%s", d, basename_of(vendor_js[i]));
        if (copy_file(from, to, r->err, sizeof r->err) != 0)
            return -1;
    }
    return 0;
}

/* DIR/figures/NAME.svg (and .pdf) from each NAME.vl.json, by
 * reports/web/figures.mjs under node.  A missing node is a note: the page
 * and the tables do not need it. */
static void render_figures(const rep_t *r)
{
    char script[1100], figdir[1100], err[600];
    if (io_data_path("reports/web/figures.mjs", script, sizeof script) != 0)
        return;
    snprintf(figdir, sizeof figdir, "%s/figures", r->dir);
    /* only this run's figures: an older report's specs in the directory
     * are not drawn again */
    const char *argv[4 + ARRAY_LEN(fig_names)] = {"node", script, figdir};
    size_t na = 3;
    const char *key;
    json_t *v;
    json_object_foreach(r->specs, key, v) {
        if (na + 1 >= ARRAY_LEN(argv))
            break;
        argv[na++] = key;
    }
    argv[na] = NULL;
    if (na == 3)
        return;
    const int st = io_spawn(argv, NULL, err, sizeof err);
    if (st < 0)
        cli_err("codesim report: note: static figures not drawn: %s\n", err);
    else if (st != 0)
        cli_err("codesim report: note: static figures not drawn: %s exited with %d\n",
                script, st);
}

int cmd_report(int argc, char **argv)
{
    const char *db_path = NULL, *out = NULL, *sweep = NULL, *xs = "total_cycles", *ys = NULL;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},    {"out", required_argument, 0, 'o'},
        {"sweep", required_argument, 0, 's'}, {"x", required_argument, 0, 'x'},
        {"y", required_argument, 0, 'y'},     {"help", no_argument, 0, 'H'},
        {0, 0, 0, 0}};
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(report_usage, stdout);
            return 0;
        }
    int c;
    optind = 1;
    while ((c = cli_getopt("report", argc, argv, opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_path = optarg; break;
        case 'o': out = optarg; break;
        case 's': sweep = optarg; break;
        case 'x': xs = optarg; break;
        case 'y': ys = optarg; break;
        case 'H': fputs(report_usage, stdout); return 0;
        default: return 2;
        }
    }
    if (optind < argc) {
        cli_err("codesim report: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!db_path || !out) {
        cli_err("codesim report: --%s: missing (see codesim report --help)\n",
                !db_path ? "db" : "out");
        return 2;
    }
    rep_t r;
    memset(&r, 0, sizeof r);
    r.xm = db_point_metric(xs, &r.xmax);
    r.ym = ys ? db_point_metric(ys, &r.ymax) : NULL;
    if (!r.xm || (ys && !r.ym)) {
        cli_err("codesim report: --%s: unknown metric '%s'; known: %s\n",
                r.xm ? "y" : "x", r.xm ? ys : xs, db_point_metric_list());
        return 2;
    }
    if (access(db_path, F_OK) != 0) {
        cli_err("codesim report: %s: no such file\n", db_path);
        return 1;
    }
    r.dir = out;
    db_t *db = NULL;
    if (cli_db_open_read("report", db_path, &db, r.err, sizeof r.err) != 0) {
        cli_err("codesim report: %s\n", r.err);
        return 1;
    }
    r.db = db;
    /* --sweep NAME with no points of that sweep is an error, as in codesim
     * pareto, before anything is written (it used to write an empty
     * report). */
    if (sweep) {
        json_t *pts = NULL;
        const char *params[] = {sweep};
        if (db_report_rows(db, DB_REPORT_POINTS, params, 1, &pts, r.err, sizeof r.err) != 0) {
            cli_err("codesim report: %s: %s\n", db_path, r.err);
            db_close(db);
            return 1;
        }
        const size_t n = json_array_size(pts);
        json_decref(pts);
        if (n == 0) {
            char name[200];
            cli_err("codesim report: %s: no sweep points of sweep %s\n", db_path,
                    esc_text(name, sizeof name, sweep));
            db_close(db);
            return 1;
        }
    }
    if (check_outputs(out, db_path) != 0) {
        db_close(db);
        return 1;
    }
    r.specs = json_object();
    r.tables = json_object();
    io_out_t ho = {0}, mo = {0};
    int rc = 1;
    size_t npoints = 0;
    char hp[1100], mp[1100], fd[1100];
    snprintf(hp, sizeof hp, "%s/index.html", out);
    snprintf(mp, sizeof mp, "%s/report.md", out);
    snprintf(fd, sizeof fd, "%s/figures", out);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        cli_err("codesim report: %s: %s\n", out, strerror(errno));
    } else if (mkdir(fd, 0777) != 0 && errno != EEXIST) {
        cli_err("codesim report: %s: %s\n", fd, strerror(errno));
    } else if (copy_vendor(&r) != 0) {
        cli_err("codesim report: %s\n", r.err);
    } else if (io_out_begin(&ho, hp, r.err, sizeof r.err) != 0 ||
               io_out_begin(&mo, mp, r.err, sizeof r.err) != 0) {
        cli_err("codesim report: %s\n", r.err);
    } else if ((r.html = ho.f, r.md = mo.f, write_report(&r, sweep, &npoints) != 0)) {
        cli_err("codesim report: %s: %s\n", db_path, r.err);
    } else if (io_out_check(&ho, r.err, sizeof r.err) != 0 ||
               io_out_check(&mo, r.err, sizeof r.err) != 0 ||
               io_out_commit(&ho, r.err, sizeof r.err) != 0 ||
               io_out_commit(&mo, r.err, sizeof r.err) != 0) {
        cli_err("codesim report: %s\n", r.err);
    } else {
        rc = 0;
    }
    /* a report that failed half-way does not replace an earlier one's page */
    io_out_abort(&ho);
    io_out_abort(&mo);
    const size_t nfig = json_object_size(r.specs);
    db_close(db);
    if (rc == 0) {
        remove_stale(&r);
        render_figures(&r);
        printf("report: %zu sweep points, %zu plots into %s (index.html, report.md, *.csv, "
               "figures/)\n", npoints, nfig, out);
    }
    json_decref(r.specs);
    json_decref(r.tables);
    return rc;
}

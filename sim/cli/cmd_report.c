/* cmd_report.c - `codesim report --db FILE --out DIR`: one HTML page with
 * inline SVG plots, plus the same tables as CSV and Markdown.
 *
 * Files written into DIR (created if absent):
 *   index.html    summary, plots and tables; no external resources
 *   report.md     every table below in Markdown
 *   points.csv    every sweep point: id, sweep, workload, params, hardware
 *                 fields, total_cycles, area_mm2, energy_pj, tops, tops_per_w,
 *                 tops_per_mm2, error
 *   pareto.csv    the Pareto-optimal points of each workload: latency
 *                 (total_cycles) against area_mm2, or against pes when no
 *                 point has an area
 *   energy.csv    energy breakdown (pJ) of each Pareto point, by component
 *   area.csv      area breakdown (um^2) of each Pareto point, by component
 *   roofline.csv  each layer of each workload's fastest point: op/byte of
 *                 DRAM traffic, achieved and peak op/cycle (op = 2 x MAC)
 *   rtl.csv       RTL-vs-model agreement: one row per rtl_checks row
 * Plots: Pareto scatter (log-log), stacked energy and area bars, roofline.
 * An inline script counts the SVG plots into #selfcheck and records any
 * script error there, so a headless browser can check the page rendered. */
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
#include "../db/db.h"
#include "../explore/sweep.h"

int cmd_report(int argc, char **argv);

static const char report_usage[] =
    "usage: codesim report --db FILE --out DIR [--sweep NAME]\n"
    "\n"
    "Writes DIR/index.html (plots: Pareto scatter of latency against area or PE\n"
    "count, energy and area breakdowns of the Pareto points, a roofline of each\n"
    "layer of the fastest point, the RTL-vs-model agreement table) and the same\n"
    "tables as DIR/*.csv and DIR/report.md.\n";

typedef struct {
    FILE *html, *md;
    const char *dir;
    db_t *db;
    db_point_row_t *pts;
    int *pareto;        /* pareto[i]: pts[i] is on its workload's front */
    size_t n;
    int use_area;       /* y axis: area_mm2 (1) or pes (0) */
    char err[1200];
} rep_t;

/* ---- small output helpers -------------------------------------------------- */

/* HTML, CSV and Markdown escaping: one set of rules (sim/io/escape.h). */
#define esc esc_html
#define csvf esc_csv

static void num(char *buf, size_t n, double v)
{
    if (v != v)
        snprintf(buf, n, "%s", "");
    else
        snprintf(buf, n, "%.6g", v);
}

/* A table written to HTML, Markdown and CSV at once. */
typedef struct {
    rep_t *r;
    FILE *csv;
    size_t ncols;
} table_t;

static int table_open(rep_t *r, table_t *t, const char *csvname, const char *title,
                      const char *const *cols, size_t ncols)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", r->dir, csvname);
    t->r = r;
    t->ncols = ncols;
    if (!(t->csv = fopen(path, "w"))) {
        snprintf(r->err, sizeof r->err, "%s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(r->html, "<h3>%s <a href=\"%s\">(csv)</a></h3>\n<table>\n<tr>", title, csvname);
    fprintf(r->md, "\n### %s\n\n|", title);
    for (size_t i = 0; i < ncols; i++) {
        fprintf(r->html, "<th>");
        esc(r->html, cols[i]);
        fprintf(r->html, "</th>");
        fprintf(r->md, " %s |", cols[i]);
        fprintf(t->csv, "%s%s", i ? "," : "", cols[i]);
    }
    fprintf(r->html, "</tr>\n");
    fprintf(r->md, "\n|");
    for (size_t i = 0; i < ncols; i++)
        fprintf(r->md, "---|");
    fprintf(r->md, "\n");
    fprintf(t->csv, "\n");
    return 0;
}

static void table_row(table_t *t, const char *const *cells)
{
    fprintf(t->r->html, "<tr>");
    fprintf(t->r->md, "|");
    for (size_t i = 0; i < t->ncols; i++) {
        fprintf(t->r->html, "<td>");
        esc(t->r->html, cells[i]);
        fprintf(t->r->html, "</td>");
        fprintf(t->r->md, " ");
        esc_md(t->r->md, cells[i]);
        fprintf(t->r->md, " |");
        if (i)
            fputc(',', t->csv);
        csvf(t->csv, cells[i]);
    }
    fprintf(t->r->html, "</tr>\n");
    fprintf(t->r->md, "\n");
    fputc('\n', t->csv);
}

static int table_close(table_t *t)
{
    fprintf(t->r->html, "</table>\n");
    int bad = ferror(t->csv);
    if (fclose(t->csv) != 0 || bad) {
        snprintf(t->r->err, sizeof t->r->err, "%s: cannot write a CSV file", t->r->dir);
        return -1;
    }
    return 0;
}

/* ---- SVG ---------------------------------------------------------------------- */

#define PW 640.0
#define PH 400.0
#define ML 80.0
#define MR 20.0
#define MT 20.0
#define MB 50.0

typedef struct {
    double lo, hi;   /* log10 range */
} axis_t;

static axis_t log_axis(double lo, double hi)
{
    if (!(lo > 0))
        lo = 1;
    if (!(hi > lo))
        hi = lo * 10;
    axis_t a = {floor(log10(lo)), ceil(log10(hi))};
    if (a.hi <= a.lo)
        a.hi = a.lo + 1;
    return a;
}

static double sx(axis_t a, double v)
{
    return ML + (PW - ML - MR) * (log10(v) - a.lo) / (a.hi - a.lo);
}

static double sy(axis_t a, double v)
{
    return PH - MB - (PH - MT - MB) * (log10(v) - a.lo) / (a.hi - a.lo);
}

static void svg_axes(FILE *f, const char *cls, axis_t ax, axis_t ay, const char *xl,
                     const char *yl)
{
    fprintf(f, "<svg class=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
               "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", cls, PW, PH, PW, PH);
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" "
               "stroke=\"#999\"/>\n", ML, MT, PW - ML - MR, PH - MT - MB);
    for (double e = ax.lo; e <= ax.hi; e++)
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">1e%.0f"
                   "</text>\n", sx(ax, pow(10, e)), PH - MB + 15, e);
    for (double e = ay.lo; e <= ay.hi; e++)
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">1e%.0f"
                   "</text>\n", ML - 5, sy(ay, pow(10, e)) + 4, e);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
            (ML + PW - MR) / 2, PH - 12, xl);
    fprintf(f, "<text x=\"14\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 14 %.0f)\">%s</text>\n", (MT + PH - MB) / 2,
            (MT + PH - MB) / 2, yl);
}

static double yval(const rep_t *r, const db_point_row_t *p)
{
    return r->use_area ? p->area_mm2 : p->pes;
}

static void svg_pareto(rep_t *r, const char *workload_hash)
{
    double xl = INFINITY, xh = 0, yl = INFINITY, yh = 0;
    for (size_t i = 0; i < r->n; i++) {
        const db_point_row_t *p = &r->pts[i];
        if (strcmp(p->workload_hash, workload_hash) || p->error || !(yval(r, p) > 0) ||
            !(p->total_cycles > 0))
            continue;
        xl = fmin(xl, p->total_cycles); xh = fmax(xh, p->total_cycles);
        yl = fmin(yl, yval(r, p)); yh = fmax(yh, yval(r, p));
    }
    axis_t ax = log_axis(xl, xh), ay = log_axis(yl, yh);
    svg_axes(r->html, "plot pareto", ax, ay, "latency (cycles)",
             r->use_area ? "area (mm^2)" : "PEs");
    for (int front = 0; front < 2; front++)
        for (size_t i = 0; i < r->n; i++) {
            const db_point_row_t *p = &r->pts[i];
            if (strcmp(p->workload_hash, workload_hash) || p->error || !(yval(r, p) > 0) ||
                !(p->total_cycles > 0) || r->pareto[i] != front)
                continue;
            fprintf(r->html, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\">"
                             "<title>point %lld: ", sx(ax, p->total_cycles), sy(ay, yval(r, p)),
                    front ? 4 : 3, front ? "#d62728" : "#9fb3c8", (long long)p->id);
            esc(r->html, p->params);
            fprintf(r->html, "</title></circle>\n");
        }
    fprintf(r->html, "</svg>\n");
}

static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* Stacked horizontal bars of one breakdown kind for the Pareto points, and
 * its table.  Returns -1 on a write error. */
static int breakdown(rep_t *r, const char *kind, const char *title, const char *csvname,
                     const char *unit)
{
    char comps[24][32];
    size_t nc = 0;
    /* Components in order of first appearance over the Pareto points. */
    size_t nbars = 0;
    double maxv = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!r->pareto[i])
            continue;
        db_component_t *c = NULL;
        size_t m = 0;
        if (db_read_breakdown(r->db, r->pts[i].run_id, kind, &c, &m, r->err, sizeof r->err) != 0)
            return -1;
        double tot = 0;
        for (size_t j = 0; j < m; j++) {
            tot += c[j].value;
            size_t k = 0;
            while (k < nc && strcmp(comps[k], c[j].component) != 0)
                k++;
            if (k == nc && nc < 24)
                snprintf(comps[nc++], sizeof comps[0], "%s", c[j].component);
        }
        db_components_free(c, m);
        if (tot > 0)
            nbars++;
        maxv = fmax(maxv, tot);
    }
    fprintf(r->html, "<h2>%s</h2>\n", title);
    fprintf(r->md, "\n## %s\n", title);
    if (nbars == 0) {
        fprintf(r->html, "<p>No %s breakdown stored for the Pareto points.</p>\n", unit);
        fprintf(r->md, "\nNo %s breakdown stored for the Pareto points.\n", unit);
        return 0;
    }
    const double bh = 18, top = 10, left = 90, width = 480;
    const double h = top + nbars * (bh + 6) + 30 + 16 * ((nc + 3) / 4);
    fprintf(r->html, "<svg class=\"plot bars\" xmlns=\"http://www.w3.org/2000/svg\" "
                     "width=\"%.0f\" height=\"%.0f\">\n", PW, h);
    const char *cols[26] = {"point", "params"};
    for (size_t k = 0; k < nc; k++)
        cols[2 + k] = comps[k];
    table_t t;
    if (table_open(r, &t, csvname, unit, cols, nc + 2) != 0)
        return -1;
    size_t bar = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!r->pareto[i])
            continue;
        double v[24] = {0}, tot = 0;
        db_component_t *c = NULL;
        size_t m = 0;
        if (db_read_breakdown(r->db, r->pts[i].run_id, kind, &c, &m, r->err, sizeof r->err) !=
            0) {
            table_close(&t);
            return -1;
        }
        for (size_t j = 0; j < m; j++)
            for (size_t k = 0; k < nc; k++)
                if (strcmp(comps[k], c[j].component) == 0)
                    v[k] = c[j].value;
        db_components_free(c, m);
        for (size_t k = 0; k < nc; k++)
            tot += v[k];
        if (!(tot > 0))
            continue;
        const double y = top + bar * (bh + 6);
        fprintf(r->html, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">"
                         "point %lld</text>\n", left - 6, y + 13, (long long)r->pts[i].id);
        double x = left;
        for (size_t k = 0; k < nc; k++) {
            const double w = width * v[k] / maxv;
            fprintf(r->html, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" "
                             "fill=\"%s\"><title>",
                    x, y, w, bh, palette[k % 10]);
            esc(r->html, comps[k]); /* names come from the database: escaped */
            fprintf(r->html, ": %.4g</title></rect>\n", v[k]);
            x += w;
        }
        char cells[26][32], id[24];
        const char *row[26];
        snprintf(id, sizeof id, "%lld", (long long)r->pts[i].id);
        row[0] = id;
        row[1] = r->pts[i].params;
        for (size_t k = 0; k < nc; k++) {
            num(cells[k], sizeof cells[k], v[k]);
            row[2 + k] = cells[k];
        }
        table_row(&t, row);
        bar++;
    }
    const double ly = top + nbars * (bh + 6) + 10;
    for (size_t k = 0; k < nc; k++) {
        const double lx = 10 + 155 * (double)(k % 4), yy = ly + 16 * (double)(k / 4);
        fprintf(r->html, "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                         "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">",
                lx, yy, palette[k % 10], lx + 14, yy + 9);
        esc(r->html, comps[k]);
        fprintf(r->html, "</text>\n");
    }
    fprintf(r->html, "</svg>\n");
    return table_close(&t);
}

/* Roofline of each layer of the fastest point of one workload. */
static int roofline(rep_t *r, const char *workload_hash, table_t *t)
{
    const db_point_row_t *best = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const db_point_row_t *p = &r->pts[i];
        if (!strcmp(p->workload_hash, workload_hash) && !p->error &&
            (!best || p->total_cycles < best->total_cycles))
            best = p;
    }
    if (!best)
        return 0;
    layer_result_t *ls = NULL;
    size_t nls = 0;
    if (db_read_layers(r->db, best->run_id, &ls, &nls, r->err, sizeof r->err) != 0)
        return -1;
    const double peak = 2.0 * best->pes, bw = best->dram_bytes_per_cycle;
    typedef struct { char name[64]; double ai, perf; } lp_t;
    lp_t lp[256];
    size_t nl = 0;
    double al = INFINITY, ah = 0;
    for (; nl < nls && nl < 256; nl++) {
        const layer_stats_t *st = &ls[nl].stats;
        const double macs = (double)st->macs, cyc = (double)st->total_cycles;
        const double bytes = (double)st->dram_read_bytes + (double)st->dram_write_bytes;
        snprintf(lp[nl].name, sizeof lp[nl].name, "%s", ls[nl].name);
        lp[nl].ai = bytes > 0 ? 2 * macs / bytes : 2 * macs; /* no traffic: plot at ops/1B */
        lp[nl].perf = cyc > 0 ? 2 * macs / cyc : 0;
        al = fmin(al, lp[nl].ai);
        ah = fmax(ah, lp[nl].ai);
    }
    free(ls);
    const double ridge = peak / bw;
    axis_t ax = log_axis(fmin(al, ridge) / 2, fmax(ah, ridge) * 2);
    axis_t ay = log_axis(fmin(peak, bw * pow(10, ax.lo)) / 2, peak * 2);
    fprintf(r->html, "<p>Point %lld (", (long long)best->id);
    esc(r->html, best->params);
    fprintf(r->html, "): peak %.0f op/cycle, DRAM %u B/cycle, ridge at %.3g op/B.</p>\n", peak,
            best->dram_bytes_per_cycle, ridge);
    char title[64];
    snprintf(title, sizeof title, "roofline");
    svg_axes(r->html, "plot roofline", ax, ay, "arithmetic intensity (op per DRAM byte)",
             "op per cycle");
    /* The roof: bandwidth slope up to the ridge, then flat at the peak. */
    const double x0 = pow(10, ax.lo), x1 = pow(10, ax.hi);
    const double y0 = fmax(bw * x0, pow(10, ay.lo));
    const double xs0 = y0 / bw;
    fprintf(r->html, "<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"2\" "
                     "points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
            sx(ax, xs0), sy(ay, y0), sx(ax, ridge), sy(ay, peak), sx(ax, x1), sy(ay, peak));
    char c0[32], c1[32], c2[32], c3[32], pk[32];
    for (size_t i = 0; i < nl; i++) {
        if (lp[i].perf > 0) {
            fprintf(r->html, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>",
                    sx(ax, lp[i].ai), sy(ay, lp[i].perf), palette[i % 10]);
            esc(r->html, lp[i].name);
            fprintf(r->html, "</title></circle><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">",
                    sx(ax, lp[i].ai) + 6, sy(ay, lp[i].perf) - 4);
            esc(r->html, lp[i].name);
            fprintf(r->html, "</text>\n");
        }
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)best->id);
        num(c0, sizeof c0, lp[i].ai);
        num(c1, sizeof c1, lp[i].perf);
        num(c2, sizeof c2, fmin(peak, bw * lp[i].ai));
        num(pk, sizeof pk, peak);
        num(c3, sizeof c3, 100 * lp[i].perf / fmin(peak, bw * lp[i].ai));
        const char *row[] = {id, lp[i].name, c0, c1, c2, pk, c3};
        table_row(t, row);
    }
    fprintf(r->html, "</svg>\n");
    return 0;
}

static int load_points(rep_t *r, const char *sweep)
{
    if (db_read_points(r->db, sweep, NULL, NULL, &r->pts, &r->n, r->err, sizeof r->err) != 0)
        return -1;
    if (!(r->pareto = calloc(r->n + 1, sizeof *r->pareto))) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return -1;
    }
    /* Pareto per workload. */
    r->use_area = 0;
    for (size_t i = 0; i < r->n; i++)
        if (!r->pts[i].error && r->pts[i].area_mm2 > 0)
            r->use_area = 1;
    double *x = malloc((r->n + 1) * sizeof *x), *y = malloc((r->n + 1) * sizeof *y);
    int *keep = malloc((r->n + 1) * sizeof *keep);
    if (!x || !y || !keep) {
        free(x); free(y); free(keep);
        snprintf(r->err, sizeof r->err, "out of memory");
        return -1;
    }
    for (size_t g = 0; g < r->n;) {
        size_t h = g;
        while (h < r->n && strcmp(r->pts[h].workload_hash, r->pts[g].workload_hash) == 0)
            h++;
        for (size_t i = g; i < h; i++) {
            x[i - g] = r->pts[i].error ? NAN : r->pts[i].total_cycles;
            y[i - g] = r->pts[i].error ? NAN : yval(r, &r->pts[i]);
        }
        sweep_pareto(x, y, h - g, keep);
        for (size_t i = g; i < h; i++)
            r->pareto[i] = keep[i - g];
        g = h;
    }
    free(x); free(y); free(keep);
    return 0;
}

static int rtl_table(rep_t *r)
{
    static const char *const cols[] = {"id", "started_at", "block", "shape", "dataflow",
                                       "widths", "params", "cases", "cycle_mismatches",
                                       "value_mismatches", "count_mismatches", "agree"};
    db_rtl_check_row_t *chk = NULL;
    size_t n = 0;
    if (db_read_rtl_checks(r->db, &chk, &n, r->err, sizeof r->err) != 0)
        return -1;
    fprintf(r->html, "<h2>RTL against the model</h2>\n");
    fprintf(r->md, "\n## RTL against the model\n");
    table_t t;
    if (table_open(r, &t, "rtl.csv", "rtlcheck runs (codesim rtlcheck)", cols, 12) != 0) {
        db_rtl_checks_free(chk, n);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        const db_rtl_check_row_t *x = &chk[k];
        char c[12][128];
        const char *row[12];
        for (int i = 0; i < 12; i++)
            c[i][0] = '\0';
        snprintf(c[0], sizeof c[0], "%lld", (long long)x->id);
        snprintf(c[1], sizeof c[1], "%s", x->started_at);
        snprintf(c[2], sizeof c[2], "%s", x->block);
        if (x->has_shape)
            snprintf(c[3], sizeof c[3], "%ux%u", x->rows, x->cols);
        snprintf(c[4], sizeof c[4], "%s", x->dataflow);
        if (x->has_widths)
            snprintf(c[5], sizeof c[5], "a%u w%u acc%u", x->in_bits, x->w_bits, x->acc_bits);
        snprintf(c[6], sizeof c[6], "%s", x->params);
        const uint64_t counts[4] = {x->cases, x->cycle_mismatches, x->value_mismatches,
                                    x->count_mismatches};
        for (int i = 0; i < 4; i++)
            snprintf(c[7 + i], sizeof c[7 + i], "%llu", (unsigned long long)counts[i]);
        snprintf(c[11], sizeof c[11], "%s",
                 counts[1] + counts[2] + counts[3] ? "NO" : "yes");
        for (int i = 0; i < 12; i++)
            row[i] = c[i];
        table_row(&t, row);
    }
    db_rtl_checks_free(chk, n);
    if (n == 0) {
        fprintf(r->html, "<p>No RTL checks in this database (run codesim rtlcheck).</p>\n");
        fprintf(r->md, "\nNo RTL checks in this database (run codesim rtlcheck).\n");
    }
    return table_close(&t);
}

static int write_report(rep_t *r)
{
    FILE *h = r->html;
    size_t failed = 0, front = 0;
    for (size_t i = 0; i < r->n; i++) {
        failed += r->pts[i].error != NULL;
        front += r->pareto[i];
    }
    fprintf(h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>codesim report"
               "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:70em}"
               "table{border-collapse:collapse;font-size:12px;margin-bottom:1em}"
               "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
               "svg{display:block;margin:0.5em 0}</style>\n"
               "<script>window.codesimErrors=[];window.addEventListener('error',function(e){"
               "window.codesimErrors.push(String(e.message));});</script>\n</head><body>\n");
    fprintf(h, "<h1>codesim report</h1>\n<p>%zu sweep points (%zu could not run on their "
               "hardware), %zu Pareto-optimal. Latency is in cycles; area from the "
               "technology model%s.</p>\n", r->n, failed, front,
            r->use_area ? "" : " is absent, so PE count stands in for it");
    fprintf(r->md, "# codesim report\n\n%zu sweep points (%zu could not run), %zu "
                   "Pareto-optimal (latency against %s).\n", r->n, failed, front,
            r->use_area ? "area_mm2" : "pes");

    /* Pareto, per workload. */
    fprintf(h, "<h2>Pareto: latency against %s</h2>\n", r->use_area ? "area" : "PE count");
    fprintf(r->md, "\n## Pareto: latency against %s\n", r->use_area ? "area" : "PE count");
    static const char *const pcols[] = {"point", "workload", "params", "total_cycles", "pes",
                                        "area_mm2", "energy_pj", "tops", "tops_per_w",
                                        "tops_per_mm2"};
    table_t t;
    for (size_t g = 0; g < r->n;) {
        size_t e = g;
        while (e < r->n && strcmp(r->pts[e].workload_hash, r->pts[g].workload_hash) == 0)
            e++;
        fprintf(h, "<h3>workload ");
        esc(h, r->pts[g].workload_file);
        fprintf(h, "</h3>\n");
        svg_pareto(r, r->pts[g].workload_hash);
        g = e;
    }
    if (table_open(r, &t, "pareto.csv", "Pareto-optimal points", pcols, 10) != 0)
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        const db_point_row_t *p = &r->pts[i];
        if (!r->pareto[i])
            continue;
        char c[8][32];
        snprintf(c[0], sizeof c[0], "%lld", (long long)p->id);
        num(c[1], 32, p->total_cycles); num(c[2], 32, p->pes); num(c[3], 32, p->area_mm2);
        num(c[4], 32, p->energy_pj); num(c[5], 32, p->tops); num(c[6], 32, p->tops_per_w);
        num(c[7], 32, p->tops_per_mm2);
        const char *row[] = {c[0], p->workload_file, p->params, c[1], c[2],
                             c[3], c[4], c[5], c[6], c[7]};
        table_row(&t, row);
    }
    if (table_close(&t) != 0)
        return -1;

    if (breakdown(r, "energy_pj", "Energy breakdown of the Pareto points", "energy.csv",
                  "energy (pJ)") != 0 ||
        breakdown(r, "area_um2", "Area breakdown of the Pareto points", "area.csv",
                  "area (um^2)") != 0)
        return -1;

    fprintf(h, "<h2>Roofline of each layer</h2>\n");
    fprintf(r->md, "\n## Roofline of each layer\n");
    static const char *const rcols[] = {"point", "layer", "op_per_byte", "op_per_cycle",
                                        "roof_op_per_cycle", "peak_op_per_cycle", "pct_of_roof"};
    if (table_open(r, &t, "roofline.csv", "layers of the fastest point", rcols, 7) != 0)
        return -1;
    for (size_t g = 0; g < r->n;) {
        size_t e = g;
        while (e < r->n && strcmp(r->pts[e].workload_hash, r->pts[g].workload_hash) == 0)
            e++;
        if (roofline(r, r->pts[g].workload_hash, &t) != 0) {
            table_close(&t);
            return -1;
        }
        g = e;
    }
    if (table_close(&t) != 0 || rtl_table(r) != 0)
        return -1;

    static const char *const acols[] = {"point", "sweep", "workload", "params", "rows", "cols",
                                        "dataflow", "total_cycles", "area_mm2", "energy_pj",
                                        "tops", "tops_per_w", "tops_per_mm2", "error"};
    fprintf(h, "<h2>All points</h2>\n");
    fprintf(r->md, "\n## All points\n");
    if (table_open(r, &t, "points.csv", "every sweep point", acols, 14) != 0)
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        const db_point_row_t *p = &r->pts[i];
        char c[10][32];
        snprintf(c[0], 32, "%lld", (long long)p->id);
        snprintf(c[1], 32, "%u", p->rows);
        snprintf(c[2], 32, "%u", p->cols);
        num(c[3], 32, p->total_cycles); num(c[4], 32, p->area_mm2); num(c[5], 32, p->energy_pj);
        num(c[6], 32, p->tops); num(c[7], 32, p->tops_per_w); num(c[8], 32, p->tops_per_mm2);
        const char *row[] = {c[0], p->sweep, p->workload_file, p->params, c[1], c[2], p->dataflow,
                             c[3], c[4], c[5], c[6], c[7], c[8], p->error ? p->error : ""};
        table_row(&t, row);
    }
    if (table_close(&t) != 0)
        return -1;
    fprintf(h, "<pre id=\"selfcheck\"></pre>\n<script>\n"
               "(function(){var n=document.querySelectorAll('svg.plot').length;"
               "var e=window.codesimErrors;document.getElementById('selfcheck').textContent="
               "'plots='+n+' errors='+e.length+(e.length?' '+e.join('; '):'');})();\n"
               "</script>\n</body></html>\n");
    return 0;
}

int cmd_report(int argc, char **argv)
{
    const char *db_path = NULL, *out = NULL, *sweep = NULL;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},    {"out", required_argument, 0, 'o'},
        {"sweep", required_argument, 0, 's'}, {"help", no_argument, 0, 'H'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_path = optarg; break;
        case 'o': out = optarg; break;
        case 's': sweep = optarg; break;
        case 'H': fputs(report_usage, stdout); return 0;
        default: fputs(report_usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "codesim report: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!db_path || !out) {
        fprintf(stderr, "codesim report: --%s: missing (see codesim report --help)\n",
                !db_path ? "db" : "out");
        return 2;
    }
    if (access(db_path, F_OK) != 0) {
        fprintf(stderr, "codesim report: %s: no such database\n", db_path);
        return 1;
    }
    rep_t r;
    memset(&r, 0, sizeof r);
    r.dir = out;
    db_t *db = NULL;
    if (cli_db_open("report", db_path, &db, r.err, sizeof r.err) != 0) {
        fprintf(stderr, "codesim report: %s\n", r.err);
        return 1;
    }
    r.db = db;
    int rc = 1;
    char hp[1024], mp[1024];
    snprintf(hp, sizeof hp, "%s/index.html", out);
    snprintf(mp, sizeof mp, "%s/report.md", out);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "codesim report: %s: %s\n", out, strerror(errno));
    } else if (load_points(&r, sweep) != 0) {
        fprintf(stderr, "codesim report: %s: %s\n", db_path, r.err);
    } else if (!(r.html = fopen(hp, "w")) || !(r.md = fopen(mp, "w"))) {
        fprintf(stderr, "codesim report: %s: %s\n", r.html ? mp : hp, strerror(errno));
    } else if (write_report(&r) != 0) {
        fprintf(stderr, "codesim report: %s\n", r.err);
    } else {
        rc = 0;
    }
    if (r.html && (ferror(r.html) | fclose(r.html)) && rc == 0) {
        fprintf(stderr, "codesim report: %s: cannot write\n", hp);
        rc = 1;
    }
    if (r.md && (ferror(r.md) | fclose(r.md)) && rc == 0) {
        fprintf(stderr, "codesim report: %s: cannot write\n", mp);
        rc = 1;
    }
    if (rc == 0)
        printf("report: %zu points into %s (index.html, report.md, *.csv)\n", r.n, out);
    db_points_free(r.pts, r.n);
    free(r.pareto);
    db_close(db);
    return rc;
}

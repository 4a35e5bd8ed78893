/* cmd_pareto.c - `codesim pareto`: the Pareto-optimal sweep points for two
 * metrics, separately for each workload (points of different workloads do
 * not compete). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../io/escape.h"
#include "../db/db.h"
#include "../explore/sweep.h"

int cmd_pareto(int argc, char **argv);

static const char pareto_usage[] =
    "usage: codesim pareto --db FILE --x METRIC --y METRIC [--sweep NAME]\n"
    "\n"
    "Lists the sweep points no other point beats in both metrics, per workload,\n"
    "sorted by x.  Both metrics are minimized; prefix one with max: to maximize it\n"
    "(e.g. --y max:tops_per_w).  Points that could not run, or lack a metric (no\n"
    "area/energy model; LLM metrics on a layer workload), are left out and\n"
    "counted.  The point column is the database's sweep_points.point.\n"
    "\n"
    "  --db FILE      results database (required)\n"
    "  --x METRIC     x metric (required)\n"
    "  --y METRIC     y metric (required)\n"
    "  --sweep NAME   only the points of sweep NAME (default: every sweep)\n"
    "  --help         this text\n"
    "\n"
    "METRICS\n";

static const char pareto_examples[] =
    "\n"
    "EXAMPLES\n"
    "  codesim pareto --db sweep.db --x latency --y area_mm2\n"
    "  codesim pareto --db llm.db --x ttft_s --y max:tokens_per_s\n"
    "  codesim pareto --db sweep.db --sweep gpt2-systolic --x energy_pj --y max:tops_per_mm2\n";

int cmd_pareto(int argc, char **argv)
{
    const char *db_path = NULL, *xs = NULL, *ys = NULL, *sweep = NULL;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},    {"x", required_argument, 0, 'x'},
        {"y", required_argument, 0, 'y'},     {"sweep", required_argument, 0, 's'},
        {"help", no_argument, 0, 'H'},        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = cli_getopt("pareto", argc, argv, opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_path = optarg; break;
        case 'x': xs = optarg; break;
        case 'y': ys = optarg; break;
        case 's': sweep = optarg; break;
        case 'H':
            fputs(pareto_usage, stdout);
            for (size_t i = 0; i < db_point_metric_count(); i++) {
                const char *what, *name = db_point_metric_at(i, &what);
                printf("  %-21s %s\n", name, what);
            }
            fputs(pareto_examples, stdout);
            return 0;
        default: return 2;
        }
    }
    if (optind < argc) {
        cli_err("codesim pareto: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!db_path || !xs || !ys) {
        cli_err("codesim pareto: --%s: missing (see codesim pareto --help)\n",
                !db_path ? "db" : !xs ? "x" : "y");
        return 2;
    }
    int xmax, ymax;
    const char *xm = db_point_metric(xs, &xmax), *ym = db_point_metric(ys, &ymax);
    if (!xm || !ym) {
        cli_err("codesim pareto: --%s: unknown metric '%s'; known: %s\n", xm ? "y" : "x",
                xm ? ys : xs, db_point_metric_list());
        return 2;
    }
    if (access(db_path, F_OK) != 0) {
        cli_err("codesim pareto: %s: no such file\n", db_path);
        return 1;
    }
    char err[512];
    db_t *db = NULL;
    if (cli_db_open_read("pareto", db_path, &db, err, sizeof err) != 0) {
        cli_err("codesim pareto: %s\n", err);
        return 1;
    }
    db_point_row_t *pts = NULL;
    size_t total = 0;
    if (db_read_points(db, sweep, xm, ym, &pts, &total, err, sizeof err) != 0) {
        cli_err("codesim pareto: %s: %s\n", db_path, err);
        db_close(db);
        return 1;
    }
    db_close(db);
    /* The points come grouped by workload: one front per group. */
    int status = 0;
    size_t groups = 0;
    for (size_t g = 0; g < total && status == 0;) {
        size_t e = g, n = 0, failed = 0, missing = 0;
        while (e < total && strcmp(pts[e].workload_hash, pts[g].workload_hash) == 0)
            e++;
        size_t *idx = malloc((e - g) * sizeof *idx), *ord = malloc((e - g) * sizeof *ord);
        double *x = malloc((e - g) * sizeof *x), *y = malloc((e - g) * sizeof *y);
        int *keep = malloc((e - g) * sizeof *keep);
        if (!idx || !ord || !x || !y || !keep) {
            cli_err("codesim pareto: out of memory\n");
            status = 1;
        }
        for (size_t i = g; i < e && status == 0; i++) {
            const db_point_row_t *p = &pts[i];
            if (p->error) {
                failed++;
            } else if (isnan(p->x) || isnan(p->y)) {
                missing++;
            } else {
                idx[n] = i;
                x[n] = xmax ? -p->x : p->x;
                y[n] = ymax ? -p->y : p->y;
                n++;
            }
        }
        if (status == 0 && sweep_pareto(x, y, n, keep) != 0) {
            cli_err("codesim pareto: out of memory\n");
            status = 1;
        }
        if (status == 0) {
            size_t nk = 0;
            for (size_t i = 0; i < n; i++)
                if (keep[i])
                    ord[nk++] = i;
            /* Sort the front by x as given (insertion sort: fronts are small). */
            for (size_t i = 1; i < nk; i++)
                for (size_t j = i; j > 0 && (x[ord[j]] < x[ord[j - 1]] ||
                                             (x[ord[j]] == x[ord[j - 1]] &&
                                              pts[idx[ord[j]]].point < pts[idx[ord[j - 1]]].point));
                     j--) {
                    size_t t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t;
                }
            /* Workload and params come from the database: escaped (sim/io/escape.h). */
            char file[1024];
            esc_text(file, sizeof file, pts[g].workload_file ? pts[g].workload_file : "?");
            printf("%spareto: %s (%s) vs %s (%s), workload %s: %zu optimal of %zu points",
                   groups ? "\n" : "", xm, xmax ? "max" : "min", ym, ymax ? "max" : "min", file,
                   nk, n);
            if (failed)
                printf(", %zu could not run", failed);
            if (missing)
                printf(", %zu without %s or %s", missing, xm, ym);
            printf("\n%8s  %16s  %16s  %s\n", "point", xm, ym, "params");
            for (size_t i = 0; i < nk; i++) {
                const db_point_row_t *r = &pts[idx[ord[i]]];
                printf("%8lld  %16.10g  %16.10g  ", (long long)r->point, r->x, r->y);
                esc_term(stdout, r->params);
                putchar('\n');
            }
            groups++;
        }
        free(idx); free(ord); free(x); free(y); free(keep);
        g = e;
    }
    db_points_free(pts, total);
    if (status == 0 && total == 0) {
        cli_err("codesim pareto: %s: no sweep points%s%s\n", db_path,
                sweep ? " of sweep " : "", sweep ? sweep : "");
        status = 1;
    }
    return status;
}

/* cmd_pareto.c - `codesim pareto`: the Pareto-optimal sweep points for two
 * metrics, separately for each workload (points of different workloads do
 * not compete). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../db/db.h"
#include "../explore/sweep.h"

int cmd_pareto(int argc, char **argv);

static const char pareto_usage[] =
    "usage: codesim pareto --db FILE --x METRIC --y METRIC [--sweep NAME]\n"
    "\n"
    "Lists the sweep points no other point beats in both metrics, per workload,\n"
    "sorted by x.  Both metrics are minimized; prefix one with max: to maximize it\n"
    "(e.g. --y max:tops_per_w).  Points that could not run, or lack a metric (no\n"
    "area/energy model), are left out and counted.\n";

typedef struct {
    int64_t id;
    double x, y;
    char *params;
} prow_t;

int cmd_pareto(int argc, char **argv)
{
    const char *db_path = NULL, *xs = NULL, *ys = NULL, *sweep = NULL;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},    {"x", required_argument, 0, 'x'},
        {"y", required_argument, 0, 'y'},     {"sweep", required_argument, 0, 's'},
        {"help", no_argument, 0, 'H'},        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_path = optarg; break;
        case 'x': xs = optarg; break;
        case 'y': ys = optarg; break;
        case 's': sweep = optarg; break;
        case 'H': fputs(pareto_usage, stdout); return 0;
        default: fputs(pareto_usage, stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "codesim pareto: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!db_path || !xs || !ys) {
        fprintf(stderr, "codesim pareto: --%s: missing (see codesim pareto --help)\n",
                !db_path ? "db" : !xs ? "x" : "y");
        return 2;
    }
    int xmax, ymax;
    const char *xm = sweep_metric(xs, &xmax), *ym = sweep_metric(ys, &ymax);
    if (!xm || !ym) {
        fprintf(stderr, "codesim pareto: --%s: unknown metric '%s'; known: %s\n", xm ? "y" : "x",
                xm ? ys : xs, sweep_metric_list());
        return 2;
    }
    if (access(db_path, F_OK) != 0) {
        fprintf(stderr, "codesim pareto: %s: no such database\n", db_path);
        return 1;
    }
    char err[512];
    db_t *db = NULL;
    if (db_open(db_path, &db, err, sizeof err) != 0) {
        fprintf(stderr, "codesim pareto: %s\n", err);
        return 1;
    }
    sqlite3 *sql = db_sql(db);
    char q[512];
    snprintf(q, sizeof q,
             "SELECT workload_hash, workload_file, id, %s, %s, params, error IS NOT NULL"
             " FROM sweep_points WHERE (?1 IS NULL OR sweep = ?1)"
             " ORDER BY workload_hash, id",
             xm, ym);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(sql, q, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sweep ? sqlite3_bind_text(st, 1, sweep, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 1);
    prow_t *rows = NULL;
    size_t n = 0, cap = 0, failed = 0, missing = 0, groups = 0, total = 0;
    char group[17] = "", file[512] = "";
    int status = 0;
    for (int more = 1; more;) {
        int step = rc == SQLITE_OK ? sqlite3_step(st) : rc;
        const char *h = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            fprintf(stderr, "codesim pareto: %s: %s\n", db_path, sqlite3_errmsg(sql));
            status = 1;
            break;
        }
        more = step == SQLITE_ROW;
        /* A workload ends: print its front. */
        if ((!more || strcmp(h ? h : "", group) != 0) && (n || failed || missing)) {
            double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
            int *keep = malloc((n ? n : 1) * sizeof *keep);
            size_t *ord = malloc((n ? n : 1) * sizeof *ord), nk = 0;
            if (!x || !y || !keep || !ord) {
                fprintf(stderr, "codesim pareto: out of memory\n");
                free(x); free(y); free(keep); free(ord);
                status = 1;
                break;
            }
            for (size_t i = 0; i < n; i++) {
                x[i] = xmax ? -rows[i].x : rows[i].x;
                y[i] = ymax ? -rows[i].y : rows[i].y;
            }
            sweep_pareto(x, y, n, keep);
            for (size_t i = 0; i < n; i++)
                if (keep[i])
                    ord[nk++] = i;
            /* Sort the front by x as given (insertion sort: fronts are small). */
            for (size_t i = 1; i < nk; i++)
                for (size_t j = i; j > 0 && (x[ord[j]] < x[ord[j - 1]] ||
                                             (x[ord[j]] == x[ord[j - 1]] &&
                                              rows[ord[j]].id < rows[ord[j - 1]].id));
                     j--) {
                    size_t t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t;
                }
            printf("%spareto: %s (%s) vs %s (%s), workload %s: %zu optimal of %zu points",
                   groups ? "\n" : "", xm, xmax ? "max" : "min", ym, ymax ? "max" : "min", file,
                   nk, n);
            if (failed)
                printf(", %zu could not run", failed);
            if (missing)
                printf(", %zu without %s or %s", missing, xm, ym);
            printf("\n%8s  %16s  %16s  %s\n", "point", xm, ym, "params");
            for (size_t i = 0; i < nk; i++) {
                const prow_t *r = &rows[ord[i]];
                printf("%8lld  %16.10g  %16.10g  %s\n", (long long)r->id, r->x, r->y,
                       r->params ? r->params : "");
            }
            groups++;
            free(x); free(y); free(keep); free(ord);
            for (size_t i = 0; i < n; i++)
                free(rows[i].params);
            n = failed = missing = 0;
        }
        if (!more)
            break;
        total++;
        snprintf(group, sizeof group, "%s", h);
        const char *f = (const char *)sqlite3_column_text(st, 1);
        snprintf(file, sizeof file, "%s", f ? f : "?");
        if (sqlite3_column_int(st, 6)) {
            failed++;
            continue;
        }
        if (sqlite3_column_type(st, 3) == SQLITE_NULL || sqlite3_column_type(st, 4) == SQLITE_NULL) {
            missing++;
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            prow_t *p = realloc(rows, cap * sizeof *rows);
            if (!p) {
                fprintf(stderr, "codesim pareto: out of memory\n");
                status = 1;
                break;
            }
            rows = p;
        }
        const char *pr = (const char *)sqlite3_column_text(st, 5);
        rows[n] = (prow_t){sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3),
                           sqlite3_column_double(st, 4), pr ? strdup(pr) : NULL};
        n++;
    }
    for (size_t i = 0; i < n; i++)
        free(rows[i].params);
    free(rows);
    sqlite3_finalize(st);
    db_close(db);
    if (status == 0 && total == 0) {
        fprintf(stderr, "codesim pareto: %s: no sweep points%s%s\n", db_path,
                sweep ? " of sweep " : "", sweep ? sweep : "");
        status = 1;
    }
    return status;
}

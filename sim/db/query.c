/* query.c - the reads of codesim pareto and codesim report: sweep points,
 * breakdowns, layers and RTL checks, into plain structs.  Each returns 0, or
 * -1 with err "reading TABLE: reason" and nothing allocated. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../io/escape.h"

#include <jansson.h>

#include "db_int.h"
#include "query.h"
#include "../../models/util.h"

/* ---- metrics ------------------------------------------------------------------ */

/* The metrics pareto and report accept: a numeric column of sweep_points, or
 * of llm_runs for a point that ran a language model (NULL elsewhere).  The
 * expressions are the only text pasted into a query (db_read_points), so only
 * names of this table reach SQL. */
static const struct {
    const char *name, *expr, *what;
} metrics[] = {
    {"total_cycles", "sp.total_cycles", "cycles of the whole workload (alias: latency)"},
    {"pes", "sp.pes", "processing elements (rows x cols x cores)"},
    {"rows", "sp.rows", "array rows"},
    {"cols", "sp.cols", "array columns"},
    {"in_bits", "sp.in_bits", "activation bits"},
    {"w_bits", "sp.w_bits", "weight bits"},
    {"acc_bits", "sp.acc_bits", "accumulator bits"},
    {"sram_bytes", "sp.sram_bytes", "on-chip buffer bytes"},
    {"ifmap_bytes", "sp.ifmap_bytes", "input buffer bytes"},
    {"filter_bytes", "sp.filter_bytes", "weight buffer bytes"},
    {"ofmap_bytes", "sp.ofmap_bytes", "output buffer bytes"},
    {"dram_bytes_per_cycle", "sp.dram_bytes_per_cycle", "DRAM bandwidth, bytes per cycle"},
    {"dram_bytes", "sp.dram_bytes", "DRAM traffic, bytes"},
    {"macs", "sp.macs", "multiply-accumulates"},
    {"utilization", "sp.utilization", "MAC utilization, 0..1"},
    {"area_mm2", "sp.area_mm2", "area, mm^2"},
    {"energy_pj", "sp.energy_pj", "energy, pJ"},
    {"tops", "sp.tops", "tera-operations per second"},
    {"tops_per_w", "sp.tops_per_w", "TOPS per watt"},
    {"tops_per_mm2", "sp.tops_per_mm2", "TOPS per mm^2"},
    {"ttft_s", "l.ttft_s", "LLM time to first token, s"},
    /* A run with no decode step has none: NULL, also in a database written
     * before codesim stored NULL there (it stored 0.0, new-user-2 defect 12). */
    {"tpot_s", "CASE WHEN l.decode_steps > 0 THEN l.tpot_s END", "LLM time per output token, s"},
    {"tokens_per_s", "l.tokens_per_s", "LLM throughput, tokens/s (alias: throughput)"},
    {"prefill_cycles", "l.prefill_cycles", "LLM prefill cycles"},
    {"decode_cycles", "l.decode_cycles", "LLM decode cycles"},
    {"dram_gbps", "l.dram_gbps", "LLM DRAM bandwidth used, GB/s"},
};

static size_t metric_index(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(metrics); i++)
        if (strcmp(name, metrics[i].name) == 0)
            return i;
    return ARRAY_LEN(metrics);
}

const char *db_point_metric(const char *name, int *maximize)
{
    *maximize = strncmp(name, "max:", 4) == 0;
    if (*maximize)
        name += 4;
    else if (strncmp(name, "min:", 4) == 0)
        name += 4;
    if (strcmp(name, "latency") == 0)
        name = "total_cycles";
    else if (strcmp(name, "throughput") == 0)
        name = "tokens_per_s";
    const size_t i = metric_index(name);
    return i < ARRAY_LEN(metrics) ? metrics[i].name : NULL;
}

const char *db_point_metric_list(void)
{
    return "total_cycles (or latency), pes, rows, cols, in_bits, w_bits, acc_bits, sram_bytes, "
           "ifmap_bytes, filter_bytes, ofmap_bytes, dram_bytes_per_cycle, dram_bytes, macs, "
           "utilization, area_mm2, energy_pj, tops, tops_per_w, tops_per_mm2, ttft_s, tpot_s, "
           "tokens_per_s (or throughput), prefill_cycles, decode_cycles, dram_gbps";
}

size_t db_point_metric_count(void)
{
    return ARRAY_LEN(metrics);
}

const char *db_point_metric_at(size_t i, const char **what)
{
    if (i >= ARRAY_LEN(metrics))
        return NULL;
    if (what)
        *what = metrics[i].what;
    return metrics[i].name;
}

/* ---- column helpers ------------------------------------------------------------ */

/* Column c as a malloc'd string; NULL when NULL, or dflt copied when given.
 * *oom is set when a copy failed. */
static char *text_col(sqlite3_stmt *st, int c, const char *dflt, int *oom)
{
    const unsigned char *s = sqlite3_column_text(st, c);
    if (!s && !dflt)
        return NULL;
    char *p = strdup(s ? (const char *)s : dflt);
    if (!p)
        *oom = 1;
    return p;
}

static double real_col(sqlite3_stmt *st, int c)
{
    return sqlite3_column_type(st, c) == SQLITE_NULL ? NAN : sqlite3_column_double(st, c);
}

static uint64_t u64_col(sqlite3_stmt *st, int c)
{
    const int64_t v = sqlite3_column_int64(st, c);
    return v < 0 ? 0 : (uint64_t)v;
}

/* p (of *cap elements of sz bytes) grown to hold n + 1; NULL when out of
 * memory (p is kept). */
static void *grow(void *p, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return p;
    const size_t c = *cap ? 2 * *cap : 64;
    void *q = realloc(p, c * sz);
    if (q)
        *cap = c;
    return q;
}

/* Not an SQLite code: a read stopped at a value that is no number, err
 * already says where (row_numbers). */
#define NOT_A_NUMBER 0x4000

/* Text or a blob where a number is read: sqlite3_column_double reads 'abc'
 * as 0, which pareto would rank as the best point.  The results tables
 * declare their numbers INTEGER or REAL; a value codesim wrote there is one,
 * so anything else was put there by hand (a crafted or edited file).  Checks
 * each column of the current row declared INTEGER or REAL, and those in
 * force (bit c: an expression without a declared type, read as a number).
 * Returns SQLITE_OK or NOT_A_NUMBER with err "table T, row R: column C:
 * 'abc' is not a number" (the caller names the file, as for every read);
 * R is the first such row of T, or rowid (the
 * row of `table` being read) when the column is an expression. */
static int row_numbers(db_t *db, sqlite3_stmt *st, uint32_t force, const char *table,
                       int64_t rowid, char *err, size_t errlen)
{
    const int nc = sqlite3_column_count(st);
    for (int c = 0; c < nc; c++) {
        const int type = sqlite3_column_type(st, c);
        if (type != SQLITE_TEXT && type != SQLITE_BLOB)
            continue;
        const char *decl = sqlite3_column_decltype(st, c);
        const int numeric = (c < 32 && (force >> c & 1)) ||
                            (decl && (!strncasecmp(decl, "INTEGER", 7) ||
                                      !strncasecmp(decl, "REAL", 4)));
        if (!numeric)
            continue;
        const char *t = sqlite3_column_table_name(st, c);
        const char *col = sqlite3_column_origin_name(st, c);
        int64_t row = rowid;
        if (t && col) {
            char *q = sqlite3_mprintf("SELECT rowid FROM \"%w\" WHERE typeof(\"%w\")"
                                      " IN ('text', 'blob') LIMIT 1", t, col);
            sqlite3_stmt *f = NULL;
            if (q && sqlite3_prepare_v2(db->sql, q, -1, &f, NULL) == SQLITE_OK &&
                sqlite3_step(f) == SQLITE_ROW)
                row = sqlite3_column_int64(f, 0);
            sqlite3_finalize(f);
            sqlite3_free(q);
        } else {
            t = table ? table : "?";
            col = sqlite3_column_name(st, c);
        }
        char val[48];
        const unsigned char *v = type == SQLITE_TEXT ? sqlite3_column_text(st, c) : NULL;
        snprintf(val, sizeof val, "%s%.40s%s", v ? "'" : "", v ? (const char *)v : "a blob",
                 v ? "'" : "");
        db_err(err, errlen, "table %s, row %lld: column %s: %s is not a number", t,
               (long long)row, col ? col : "?", val);
        return NOT_A_NUMBER;
    }
    return SQLITE_OK;
}

/* The error of a read that stopped at rc (SQLITE_NOMEM for our own
 * allocations); NOT_A_NUMBER's is already in err. */
static void read_failed(db_t *db, int rc, const char *table, char *err, size_t errlen)
{
    if (rc == NOT_A_NUMBER)
        return;
    db_err(err, errlen, "reading %s: %s", table,
           rc == SQLITE_NOMEM ? "out of memory" : db_msg(db->sql, rc));
}

/* ---- sweep points -------------------------------------------------------------- */

void db_points_free(db_point_row_t *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].sweep);
        free(rows[i].workload_hash);
        free(rows[i].workload_file);
        free(rows[i].params);
        free(rows[i].error);
    }
    free(rows);
}

int db_read_points(db_t *db, const char *sweep, const char *xm, const char *ym,
                   db_point_row_t **out, size_t *nout, char *err, size_t errlen)
{
    *out = NULL;
    *nout = 0;
    /* Only a column of the metric list is pasted into the query. */
    const char *const m[2] = {xm, ym};
    for (int i = 0; i < 2; i++) {
        int maximize;
        const char *col = m[i] ? db_point_metric(m[i], &maximize) : NULL;
        if (m[i] && (!col || strcmp(col, m[i]) != 0 || metric_index(col) >= ARRAY_LEN(metrics))) {
            db_err(err, errlen, "reading sweep_points: '%s' is not a metric column", m[i]);
            return -1;
        }
    }
    char q[1400];
    snprintf(q, sizeof q,
             "SELECT sp.id, sp.run_id, sp.sweep, sp.workload_hash, sp.workload_file, sp.params,"
             " sp.error, sp.total_cycles, sp.pes, sp.area_mm2, sp.energy_pj, sp.tops,"
             " sp.tops_per_w, sp.tops_per_mm2, sp.rows, sp.cols, sp.dataflow,"
             " sp.dram_bytes_per_cycle, %s, %s, ifnull(sp.point, sp.id)"
             " FROM sweep_points sp LEFT JOIN llm_runs l ON l.run_id = sp.run_id"
             " WHERE (?1 IS NULL OR sp.sweep = ?1) ORDER BY sp.workload_hash, sp.point, sp.id",
             xm ? metrics[metric_index(xm)].expr : "NULL",
             ym ? metrics[metric_index(ym)].expr : "NULL");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql, q, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = db_bind_text(st, 1, sweep);
    db_point_row_t *rows = NULL;
    size_t n = 0, cap = 0;
    int oom = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        void *g = grow(rows, &cap, n, sizeof *rows);
        if (!g) {
            rc = SQLITE_NOMEM;
            break;
        }
        rows = g;
        db_point_row_t *p = &rows[n++];
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(st, 0);
        p->run_id = sqlite3_column_int64(st, 1);
        p->sweep = text_col(st, 2, NULL, &oom);
        p->workload_hash = text_col(st, 3, "", &oom);
        p->workload_file = text_col(st, 4, NULL, &oom);
        p->params = text_col(st, 5, NULL, &oom);
        p->error = text_col(st, 6, NULL, &oom);
        p->total_cycles = real_col(st, 7);
        p->pes = real_col(st, 8);
        p->area_mm2 = real_col(st, 9);
        p->energy_pj = real_col(st, 10);
        p->tops = real_col(st, 11);
        p->tops_per_w = real_col(st, 12);
        p->tops_per_mm2 = real_col(st, 13);
        p->rows = (uint32_t)sqlite3_column_int64(st, 14);
        p->cols = (uint32_t)sqlite3_column_int64(st, 15);
        const unsigned char *df = sqlite3_column_text(st, 16);
        snprintf(p->dataflow, sizeof p->dataflow, "%s", df ? (const char *)df : "");
        p->dram_bytes_per_cycle = (uint32_t)sqlite3_column_int64(st, 17);
        p->x = real_col(st, 18);
        p->y = real_col(st, 19);
        p->point = sqlite3_column_int64(st, 20);
        rc = oom ? SQLITE_NOMEM
                 : row_numbers(db, st, 1u << 18 | 1u << 19, "sweep_points", p->id, err, errlen);
    }
    const int failed = rc != SQLITE_DONE;
    if (failed)
        read_failed(db, rc, "sweep_points", err, errlen);
    sqlite3_finalize(st);
    if (failed) {
        db_points_free(rows, n);
        return -1;
    }
    *out = rows;
    *nout = n;
    return 0;
}

/* ---- breakdowns ---------------------------------------------------------------- */

void db_components_free(db_component_t *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        free(c[i].component);
    free(c);
}

int db_read_breakdown(db_t *db, int64_t run_id, const char *kind, db_component_t **out,
                      size_t *nout, char *err, size_t errlen)
{
    *out = NULL;
    *nout = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql,
                                "SELECT component, value FROM breakdowns WHERE run_id = ?"
                                " AND kind = ? ORDER BY rowid",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 1, run_id);
    if (rc == SQLITE_OK) rc = db_bind_text(st, 2, kind);
    db_component_t *c = NULL;
    size_t n = 0, cap = 0;
    int oom = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        void *g = grow(c, &cap, n, sizeof *c);
        if (!g) {
            rc = SQLITE_NOMEM;
            break;
        }
        c = g;
        c[n].component = text_col(st, 0, "", &oom);
        c[n].value = sqlite3_column_double(st, 1); /* NULL (NaN stored) as 0 */
        n++;
        rc = oom ? SQLITE_NOMEM : row_numbers(db, st, 0, "breakdowns", 0, err, errlen);
    }
    const int failed = rc != SQLITE_DONE;
    if (failed)
        read_failed(db, rc, "breakdowns", err, errlen);
    sqlite3_finalize(st);
    if (failed) {
        db_components_free(c, n);
        return -1;
    }
    *out = c;
    *nout = n;
    return 0;
}

/* ---- layers --------------------------------------------------------------------- */

int db_read_layers(db_t *db, int64_t run_id, layer_result_t **out, size_t *nout, char *err,
                   size_t errlen)
{
    *out = NULL;
    *nout = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql,
                                "SELECT name, m, n, k, dataflow, total_cycles, compute_cycles,"
                                " stall_cycles, macs, folds, steps, utilization, ifmap_reads,"
                                " ifmap_writes, filter_reads, filter_writes, ofmap_reads,"
                                " ofmap_writes, dram_read_bytes, dram_write_bytes"
                                " FROM layers WHERE run_id = ? ORDER BY idx",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 1, run_id);
    layer_result_t *l = NULL;
    size_t n = 0, cap = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        void *g = grow(l, &cap, n, sizeof *l);
        if (!g) {
            rc = SQLITE_NOMEM;
            break;
        }
        l = g;
        layer_result_t *r = &l[n++];
        memset(r, 0, sizeof *r);
        const unsigned char *name = sqlite3_column_text(st, 0);
        snprintf(r->name, sizeof r->name, "%s", name ? (const char *)name : "");
        r->m = u64_col(st, 1);
        r->n = u64_col(st, 2);
        r->k = u64_col(st, 3);
        const char *df = (const char *)sqlite3_column_text(st, 4);
        for (int d = 0; df && d < 3; d++)
            if (strcmp(df, systolic_dataflow_name((systolic_dataflow_t)d)) == 0)
                r->dataflow = (systolic_dataflow_t)d;
        layer_stats_t *s = &r->stats;
        uint64_t *const u[] = {&s->total_cycles, &s->compute_cycles, &s->stall_cycles, &s->macs,
                               &s->folds, &s->steps};
        for (int i = 0; i < 6; i++)
            *u[i] = u64_col(st, 5 + i);
        s->utilization = sqlite3_column_double(st, 11);
        uint64_t *const v[] = {&s->ifmap_reads,  &s->ifmap_writes, &s->filter_reads,
                               &s->filter_writes, &s->ofmap_reads, &s->ofmap_writes,
                               &s->dram_read_bytes, &s->dram_write_bytes};
        for (int i = 0; i < 8; i++)
            *v[i] = u64_col(st, 12 + i);
        rc = row_numbers(db, st, 0, "layers", 0, err, errlen);
    }
    const int failed = rc != SQLITE_DONE;
    if (failed)
        read_failed(db, rc, "layers", err, errlen);
    sqlite3_finalize(st);
    if (failed) {
        free(l);
        return -1;
    }
    *out = l;
    *nout = n;
    return 0;
}

/* ---- RTL checks ----------------------------------------------------------------- */

void db_rtl_checks_free(db_rtl_check_row_t *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].started_at);
        free(rows[i].block);
        free(rows[i].dataflow);
        free(rows[i].params);
    }
    free(rows);
}

int db_read_rtl_checks(db_t *db, db_rtl_check_row_t **out, size_t *nout, char *err,
                       size_t errlen)
{
    *out = NULL;
    *nout = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql,
                                "SELECT id, started_at, block, rows, cols, dataflow, in_bits,"
                                " w_bits, acc_bits, params, cases, cycle_mismatches,"
                                " value_mismatches, count_mismatches FROM rtl_checks ORDER BY id",
                                -1, &st, NULL);
    db_rtl_check_row_t *rows = NULL;
    size_t n = 0, cap = 0;
    int oom = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        void *g = grow(rows, &cap, n, sizeof *rows);
        if (!g) {
            rc = SQLITE_NOMEM;
            break;
        }
        rows = g;
        db_rtl_check_row_t *r = &rows[n++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->started_at = text_col(st, 1, "", &oom);
        r->block = text_col(st, 2, "", &oom);
        r->has_shape = sqlite3_column_type(st, 3) != SQLITE_NULL;
        r->rows = (uint32_t)sqlite3_column_int64(st, 3);
        r->cols = (uint32_t)sqlite3_column_int64(st, 4);
        r->dataflow = text_col(st, 5, "", &oom);
        r->has_widths = sqlite3_column_type(st, 6) != SQLITE_NULL;
        r->in_bits = (uint32_t)sqlite3_column_int64(st, 6);
        r->w_bits = (uint32_t)sqlite3_column_int64(st, 7);
        r->acc_bits = (uint32_t)sqlite3_column_int64(st, 8);
        r->params = text_col(st, 9, "", &oom);
        r->cases = u64_col(st, 10);
        r->cycle_mismatches = u64_col(st, 11);
        r->value_mismatches = u64_col(st, 12);
        r->count_mismatches = u64_col(st, 13);
        rc = oom ? SQLITE_NOMEM : row_numbers(db, st, 0, "rtl_checks", r->id, err, errlen);
    }
    const int failed = rc != SQLITE_DONE;
    if (failed)
        read_failed(db, rc, "rtl_checks", err, errlen);
    sqlite3_finalize(st);
    if (failed) {
        db_rtl_checks_free(rows, n);
        return -1;
    }
    *out = rows;
    *nout = n;
    return 0;
}

/* ---- the report's rows, as JSON ---------------------------------------------- */

/* The report's queries, by db_report_query_t. */
static const char *const report_sql[] = {
    [DB_REPORT_POINTS] =
    "SELECT ifnull(sp.point, sp.id) AS point, sp.run_id, sp.sweep, sp.workload_hash,"
    " sp.workload_file AS workload, sp.params, sp.rows, sp.cols, sp.dataflow, sp.in_bits,"
    " sp.w_bits, sp.acc_bits, sp.ifmap_bytes, sp.filter_bytes, sp.ofmap_bytes, sp.sram_bytes,"
    " sp.dram_bytes_per_cycle, sp.pes, sp.total_cycles, sp.macs, sp.dram_bytes,"
    " sp.utilization, sp.area_mm2, sp.energy_pj, sp.tops, sp.tops_per_w, sp.tops_per_mm2,"
    " l.ttft_s, CASE WHEN l.decode_steps > 0 THEN l.tpot_s END AS tpot_s, l.tokens_per_s,"
    " l.prefill_cycles, l.decode_cycles, l.dram_gbps,"
    " sp.error FROM sweep_points sp LEFT JOIN llm_runs l ON l.run_id = sp.run_id"
    " WHERE (?1 IS NULL OR sp.sweep = ?1) ORDER BY sp.workload_hash, point, sp.id",
    [DB_REPORT_PLAIN_RUNS] =
    "SELECT r.id AS run, r.started_at, r.path, r.hw_name, r.workload_file,"
    " r.layers, r.total_cycles, r.wall_seconds FROM runs r"
    " WHERE NOT EXISTS (SELECT 1 FROM sweep_points s WHERE s.run_id = r.id)"
    " AND NOT EXISTS (SELECT 1 FROM llm_runs l WHERE l.run_id = r.id)"
    " ORDER BY r.id",
    [DB_REPORT_BREAKDOWN] =
    "SELECT component, value FROM breakdowns WHERE run_id = ?1 AND"
    " kind = ?2 ORDER BY rowid",
    [DB_REPORT_LAYERS] =
    "SELECT idx, name, unit, m, n, k, macs, total_cycles, utilization,"
    " dram_read_bytes + dram_write_bytes AS dram_bytes FROM layers WHERE run_id = ?1"
    " ORDER BY idx",
    [DB_REPORT_LLM_RUNS] =
    "SELECT l.run_id, l.model, l.mode, l.batch, l.prompt, l.gen, l.wbits, l.abits,"
    " l.kvbits, l.cores, l.freq_mhz, l.prefill_cycles, l.decode_cycles,"
    " l.decode_steps, l.ttft_s, CASE WHEN l.decode_steps > 0 THEN l.tpot_s END AS tpot_s,"
    " l.tokens_per_s, l.dram_gbps,"
    " r.hw_name FROM llm_runs l JOIN runs r ON r.id = l.run_id"
    " ORDER BY l.model, l.mode, l.batch, l.run_id",
    [DB_REPORT_RTL_CHECKS] =
    "SELECT id, started_at, block, CASE WHEN rows IS NULL THEN '' ELSE rows ||"
    " 'x' || cols END AS shape, dataflow, CASE WHEN in_bits IS NULL THEN '' ELSE"
    " 'a' || in_bits || ' w' || w_bits || ' acc' || acc_bits END AS widths, params,"
    " cases, cycle_mismatches, value_mismatches, count_mismatches,"
    " CASE WHEN cycle_mismatches + value_mismatches + count_mismatches = 0"
    " THEN 'yes' ELSE 'NO' END AS agree FROM rtl_checks ORDER BY id",
    [DB_REPORT_RTL_CASES] =
    "SELECT c.check_id, k.block, c.idx, c.m, c.n, c.k, c.model_cycles,"
    " c.rtl_cycles, c.value_mismatches, c.counts_match,"
    " CASE WHEN c.model_cycles = c.rtl_cycles AND c.value_mismatches = 0 AND"
    " c.counts_match THEN 'agrees' ELSE 'differs' END AS agreement"
    " FROM rtl_cases c JOIN rtl_checks k ON k.id = c.check_id"
    " ORDER BY c.check_id, c.idx",
};

int db_report_rows(db_t *db, db_report_query_t q, const char *const *params, size_t nparams,
                   json_t **out, char *err, size_t errlen)
{
    const char *sql = (size_t)q < ARRAY_LEN(report_sql) ? report_sql[q] : NULL;
    if (!sql) {
        *out = NULL;
        db_err(err, errlen, "no such report query %d", (int)q);
        return -1;
    }
    *out = NULL;
    sqlite3_stmt *st = NULL;
    json_t *rows = json_array();
    int rc = rows ? sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) : SQLITE_NOMEM;
    for (size_t i = 0; rc == SQLITE_OK && i < nparams; i++)
        rc = db_bind_text(st, (int)i + 1, params[i]);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_object();
        if (!row || json_array_append_new(rows, row) != 0) {
            json_decref(row);
            rc = SQLITE_NOMEM;
            break;
        }
        const int nc = sqlite3_column_count(st);
        for (int c = 0; c < nc && rc == SQLITE_ROW; c++) {
            json_t *v = NULL;
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, c)); break;
            case SQLITE_FLOAT: {
                const double d = sqlite3_column_double(st, c);
                v = isfinite(d) ? json_real(d) : json_null();
                break;
            }
            case SQLITE_NULL: v = json_null(); break;
            default: v = esc_json_string((const char *)sqlite3_column_text(st, c)); break;
            }
            /* Text that is not UTF-8 keeps its place, its bad bytes as U+FFFD
             * (escape.h); NULL here is out of memory. */
            if (!v || json_object_set_new(row, sqlite3_column_name(st, c), v) != 0)
                rc = SQLITE_NOMEM;
        }
        if (rc == SQLITE_ROW)
            rc = row_numbers(db, st, 0, NULL, 0, err, errlen);
    }
    const int failed = rc != SQLITE_DONE;
    if (failed)
        read_failed(db, rc, "the database", err, errlen);
    sqlite3_finalize(st);
    if (failed) {
        json_decref(rows);
        return -1;
    }
    *out = rows;
    return 0;
}

/* schema.c - the results database schema as one table list, and the SQL it
 * generates: CREATE TABLE for a new file, CREATE TABLE / ALTER TABLE ADD
 * COLUMN for an older one.  merge.c walks the same list.
 *
 * Invariants:
 *   - Every ref names an earlier table that has an id, so creating, merging
 *     and checking the tables in list order meets parents before children.
 *   - A column added after its table's version has a type ALTER TABLE ADD
 *     COLUMN accepts (no PRIMARY KEY, UNIQUE or NOT NULL without a default):
 *     db_schema_apply() refuses the migration otherwise.
 *   - Adding a table or a column here is the whole change to the schema
 *     (plus DB_SCHEMA_VERSION, README.md and the function that writes it):
 *     new files get it, older files gain it on open, merge copies it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "../../models/util.h"

#define COLS(a) (a), ARRAY_LEN(a)

/* schema_version, as text. */
static const db_column_t meta_cols[] = {
    {"key", "TEXT PRIMARY KEY", NULL, 0},
    {"value", "TEXT", NULL, 0},
};

/* One per codesim run (and per sweep point that ran, per LLM run). */
static const db_column_t runs_cols[] = {
    {"id", "INTEGER", NULL, 0},
    {"started_at", "TEXT", NULL, 0},  /* UTC, ISO-8601 */
    {"codesim_version", "TEXT", NULL, 0},
    {"git_rev", "TEXT", NULL, 0},
    {"path", "TEXT", NULL, 0},        /* fast | cycle | npu */
    {"hw_name", "TEXT", NULL, 0},
    {"hw_file", "TEXT", NULL, 0},
    {"hw_text", "TEXT", NULL, 0},     /* the file as read */
    {"hw_canonical", "TEXT", NULL, 0},
    {"hw_hash", "TEXT", NULL, 0},     /* FNV-1a 64 of hw_canonical */
    {"workload_file", "TEXT", NULL, 0},
    {"workload_text", "TEXT", NULL, 0},
    {"layers", "INTEGER", NULL, 0},
    {"total_cycles", "INTEGER", NULL, 0},
    {"wall_seconds", "REAL", NULL, 0},
};

/* One per layer of a run; buffer counts in elements, DRAM in bytes. */
static const db_column_t layers_cols[] = {
    {"run_id", "INTEGER", "runs", DB_COL_KEY},
    {"idx", "INTEGER", NULL, DB_COL_KEY},
    {"name", "TEXT", NULL, 0},
    {"m", "INTEGER", NULL, 0},
    {"n", "INTEGER", NULL, 0},
    {"k", "INTEGER", NULL, 0},
    {"unit", "TEXT", NULL, 0},        /* systolic | lut */
    {"dataflow", "TEXT", NULL, 0},
    {"total_cycles", "INTEGER", NULL, 0},
    {"compute_cycles", "INTEGER", NULL, 0},
    {"stall_cycles", "INTEGER", NULL, 0},
    {"macs", "INTEGER", NULL, 0},
    {"folds", "INTEGER", NULL, 0},
    {"steps", "INTEGER", NULL, 0},
    {"utilization", "REAL", NULL, 0},
    {"ifmap_reads", "INTEGER", NULL, 0},
    {"ifmap_writes", "INTEGER", NULL, 0},
    {"filter_reads", "INTEGER", NULL, 0},
    {"filter_writes", "INTEGER", NULL, 0},
    {"ofmap_reads", "INTEGER", NULL, 0},
    {"ofmap_writes", "INTEGER", NULL, 0},
    {"dram_read_bytes", "INTEGER", NULL, 0},
    {"dram_write_bytes", "INTEGER", NULL, 0},
};

/* One per codesim rtlcheck; the array shape and widths are NULL for blocks
 * other than the systolic array.  seed keeps all 64 bits (signed). */
static const db_column_t rtl_checks_cols[] = {
    {"id", "INTEGER", NULL, 0},
    {"started_at", "TEXT", NULL, 0},
    {"codesim_version", "TEXT", NULL, 0},
    {"git_rev", "TEXT", NULL, 0},
    {"block", "TEXT", NULL, 0},
    {"rows", "INTEGER", NULL, 0},
    {"cols", "INTEGER", NULL, 0},
    {"dataflow", "TEXT", NULL, 0},
    {"in_bits", "INTEGER", NULL, 0},
    {"w_bits", "INTEGER", NULL, 0},
    {"acc_bits", "INTEGER", NULL, 0},
    {"params", "TEXT", NULL, 0},
    {"seed", "INTEGER", NULL, 0},
    {"cases", "INTEGER", NULL, 0},
    {"cycle_mismatches", "INTEGER", NULL, 0},
    {"value_mismatches", "INTEGER", NULL, 0},
    {"count_mismatches", "INTEGER", NULL, 0},
};

static const db_column_t rtl_cases_cols[] = {
    {"check_id", "INTEGER", "rtl_checks", DB_COL_KEY},
    {"idx", "INTEGER", NULL, DB_COL_KEY},
    {"m", "INTEGER", NULL, 0},
    {"n", "INTEGER", NULL, 0},
    {"k", "INTEGER", NULL, 0},
    {"model_cycles", "INTEGER", NULL, 0},
    {"rtl_cycles", "INTEGER", NULL, 0},
    {"value_mismatches", "INTEGER", NULL, 0},
    {"counts_match", "INTEGER", NULL, 0},
};

/* One per sweep point: run_id NULL and error set when the point cannot run;
 * the result columns NULL then, area to tops_per_mm2 NULL when no area or
 * energy model is built in.  (config_hash, workload_hash) is the point. */
static const db_column_t sweep_points_cols[] = {
    {"id", "INTEGER", NULL, 0},
    {"run_id", "INTEGER", "runs", DB_COL_OWNS},
    {"config_hash", "TEXT NOT NULL", NULL, DB_COL_UNIQUE},
    {"workload_hash", "TEXT NOT NULL", NULL, DB_COL_UNIQUE},
    {"sweep", "TEXT", NULL, 0},
    {"point", "INTEGER", NULL, 0},
    {"params", "TEXT", NULL, 0},      /* "key=value ..." of the swept fields */
    {"workload_file", "TEXT", NULL, 0},
    {"error", "TEXT", NULL, 0},
    {"rows", "INTEGER", NULL, 0},
    {"cols", "INTEGER", NULL, 0},
    {"dataflow", "TEXT", NULL, 0},
    {"in_bits", "INTEGER", NULL, 0},
    {"w_bits", "INTEGER", NULL, 0},
    {"acc_bits", "INTEGER", NULL, 0},
    {"ifmap_bytes", "INTEGER", NULL, 0},
    {"filter_bytes", "INTEGER", NULL, 0},
    {"ofmap_bytes", "INTEGER", NULL, 0},
    {"dram_bytes_per_cycle", "INTEGER", NULL, 0},
    {"pes", "INTEGER", NULL, 0},      /* rows x cols (x NPU cores) */
    {"sram_bytes", "INTEGER", NULL, 0},
    {"total_cycles", "INTEGER", NULL, 0},
    {"macs", "INTEGER", NULL, 0},
    {"dram_bytes", "INTEGER", NULL, 0},
    {"utilization", "REAL", NULL, 0},
    {"area_mm2", "REAL", NULL, 0},
    {"energy_pj", "REAL", NULL, 0},
    {"tops", "REAL", NULL, 0},
    {"tops_per_w", "REAL", NULL, 0},
    {"tops_per_mm2", "REAL", NULL, 0},
};

/* Energy (pJ) and area (um^2) components of a run. */
static const db_column_t breakdowns_cols[] = {
    {"run_id", "INTEGER", "runs", DB_COL_KEY},
    {"kind", "TEXT", NULL, DB_COL_KEY},  /* energy_pj | area_um2 */
    {"component", "TEXT", NULL, DB_COL_KEY},
    {"value", "REAL", NULL, 0},
};

/* One per codesim run --model, beside its runs row (path 'npu'). */
static const db_column_t llm_runs_cols[] = {
    {"run_id", "INTEGER", "runs", DB_COL_KEY},
    {"model", "TEXT", NULL, 0},
    {"mode", "TEXT", NULL, 0},
    {"batch", "INTEGER", NULL, 0},
    {"prompt", "INTEGER", NULL, 0},
    {"gen", "INTEGER", NULL, 0},
    {"wbits", "INTEGER", NULL, 0},
    {"abits", "INTEGER", NULL, 0},
    {"kvbits", "INTEGER", NULL, 0},
    {"cores", "INTEGER", NULL, 0},
    {"freq_mhz", "INTEGER", NULL, 0},
    {"prefill_cycles", "INTEGER", NULL, 0},
    {"decode_cycles", "INTEGER", NULL, 0},
    {"decode_steps", "INTEGER", NULL, 0},
    {"ttft_s", "REAL", NULL, 0},
    {"tpot_s", "REAL", NULL, 0},
    {"tokens_per_s", "REAL", NULL, 0},
    {"macs", "INTEGER", NULL, 0},
    {"mapper_flops", "INTEGER", NULL, 0},
    {"dram_bytes", "INTEGER", NULL, 0},
    {"dram_gbps", "REAL", NULL, 0},
    {"commands", "INTEGER", NULL, 0},
    /* version 5: what else decides a MoE run's result besides the model,
     * the machine and the shape: the routing seed, or the routing trace
     * (its path and the FNV-1a hash of its bytes; NULL without one). */
    {"route_seed", "INTEGER", NULL, 0},
    {"routing_file", "TEXT", NULL, 0},
    {"routing_hash", "TEXT", NULL, 0},
};

static const db_column_t llm_units_cols[] = {
    {"run_id", "INTEGER", "runs", DB_COL_KEY},
    {"unit", "TEXT", NULL, DB_COL_KEY},
    {"busy", "INTEGER", NULL, 0},     /* cycles */
    {"utilization", "REAL", NULL, 0},
};

static const db_column_t llm_ops_cols[] = {
    {"run_id", "INTEGER", "runs", DB_COL_KEY},
    {"idx", "INTEGER", NULL, DB_COL_KEY},
    {"name", "TEXT", NULL, 0},
    {"phase", "TEXT", NULL, 0},
    {"unit", "TEXT", NULL, 0},
    {"cycles", "INTEGER", NULL, 0},
    {"macs", "INTEGER", NULL, 0},
};

/* One per codesim synth: the area model against yosys. */
static const db_column_t synth_checks_cols[] = {
    {"id", "INTEGER", NULL, 0},
    {"started_at", "TEXT", NULL, 0},
    {"codesim_version", "TEXT", NULL, 0},
    {"git_rev", "TEXT", NULL, 0},
    {"block", "TEXT", NULL, 0},
    {"tech", "TEXT", NULL, 0},
    {"bits", "INTEGER", NULL, 0},
    {"acc_bits", "INTEGER", NULL, 0},
    {"tolerance", "REAL", NULL, 0},
    {"sizes", "INTEGER", NULL, 0},
    {"outside", "INTEGER", NULL, 0},
};

static const db_column_t synth_sizes_cols[] = {
    {"check_id", "INTEGER", "synth_checks", DB_COL_KEY},
    {"rows", "INTEGER", NULL, DB_COL_KEY},
    {"cols", "INTEGER", NULL, DB_COL_KEY},
    {"cells", "INTEGER", NULL, 0},
    {"dffs", "INTEGER", NULL, 0},
    {"synth_um2", "REAL", NULL, 0},
    {"model_um2", "REAL", NULL, 0},
    {"synth_ratio", "REAL", NULL, 0},
    {"model_ratio", "REAL", NULL, 0},
    {"deviation", "REAL", NULL, 0},
    {"yosys_seconds", "REAL", NULL, 0},
};

/* One per codesim serve (issue 15): the stream's summary beside its runs
 * row (path 'serve'); times in seconds, percentiles nearest-rank. */
static const db_column_t serve_runs_cols[] = {
    {"run_id", "INTEGER", "runs", DB_COL_KEY},
    {"model", "TEXT", NULL, 0},
    {"requests", "INTEGER", NULL, 0},
    {"max_batch", "INTEGER", NULL, 0},
    {"token_budget", "INTEGER", NULL, 0},
    {"chunk", "INTEGER", NULL, 0},
    {"block_tokens", "INTEGER", NULL, 0},
    {"bucket", "INTEGER", NULL, 0},
    {"preempt", "INTEGER", NULL, 0},
    {"kv_blocks", "INTEGER", NULL, 0},       /* capacity */
    {"kv_peak_blocks", "INTEGER", NULL, 0},
    {"kv_full", "INTEGER", NULL, 0},         /* iterations a waiting request lacked blocks */
    {"preemptions", "INTEGER", NULL, 0},
    {"iterations", "INTEGER", NULL, 0},
    {"makespan_s", "REAL", NULL, 0},
    {"rate", "REAL", NULL, 0},               /* offered arrivals per second */
    {"req_per_s", "REAL", NULL, 0},
    {"tok_per_s", "REAL", NULL, 0},
    {"ttft_p50_s", "REAL", NULL, 0},
    {"ttft_p90_s", "REAL", NULL, 0},
    {"ttft_p99_s", "REAL", NULL, 0},
    {"tpot_p50_s", "REAL", NULL, 0},
    {"tpot_p90_s", "REAL", NULL, 0},
    {"tpot_p99_s", "REAL", NULL, 0},
    {"e2e_p50_s", "REAL", NULL, 0},
    {"e2e_p90_s", "REAL", NULL, 0},
    {"e2e_p99_s", "REAL", NULL, 0},
    {"mean_in_system", "REAL", NULL, 0},
};

/* One per request of a codesim serve. */
static const db_column_t serve_requests_cols[] = {
    {"run_id", "INTEGER", "runs", DB_COL_KEY},
    {"idx", "INTEGER", NULL, DB_COL_KEY},
    {"arrival_s", "REAL", NULL, 0},
    {"prompt", "INTEGER", NULL, 0},
    {"gen", "INTEGER", NULL, 0},
    {"ttft_s", "REAL", NULL, 0},
    {"tpot_s", "REAL", NULL, 0},
    {"e2e_s", "REAL", NULL, 0},
    {"preemptions", "INTEGER", NULL, 0},
    {"slot", "INTEGER", NULL, 0},
};

static const db_table_t tables[] = {
    {"meta", 1, NULL, 1, COLS(meta_cols)},
    {"runs", 1, "id", 0, COLS(runs_cols)},
    {"layers", 1, NULL, 0, COLS(layers_cols)},
    {"rtl_checks", 1, "id", 0, COLS(rtl_checks_cols)},
    {"rtl_cases", 1, NULL, 0, COLS(rtl_cases_cols)},
    {"sweep_points", 2, "id", 0, COLS(sweep_points_cols)},
    {"breakdowns", 2, NULL, 0, COLS(breakdowns_cols)},
    {"llm_runs", 3, NULL, 0, COLS(llm_runs_cols)},
    {"llm_units", 3, NULL, 0, COLS(llm_units_cols)},
    {"llm_ops", 3, NULL, 0, COLS(llm_ops_cols)},
    {"synth_checks", 3, "id", 0, COLS(synth_checks_cols)},
    {"synth_sizes", 3, NULL, 0, COLS(synth_sizes_cols)},
    {"serve_runs", 4, NULL, 0, COLS(serve_runs_cols)},
    {"serve_requests", 4, NULL, 0, COLS(serve_requests_cols)},
};

_Static_assert(ARRAY_LEN(tables) <= DB_MAX_TABLES, "raise DB_MAX_TABLES");

const db_table_t *db_schema(size_t *n)
{
    *n = ARRAY_LEN(tables);
    return tables;
}

int db_table_index(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(tables); i++)
        if (strcmp(tables[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- SQL text ----------------------------------------------------------- */

/* A growing string; oom stays set once an append failed. */
typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} sbuf_t;

static void sb_add(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(sbuf_t *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        const int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 256;
        while (cap <= b->n + (size_t)k)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
}

/* "name TYPE[ PRIMARY KEY][ REFERENCES parent(id)]" */
static void column_sql(sbuf_t *b, const db_table_t *t, const db_column_t *c)
{
    sb_add(b, "%s %s", c->name, c->type);
    if (t->id && strcmp(c->name, t->id) == 0)
        sb_add(b, " PRIMARY KEY");
    if (c->ref) {
        const int p = db_table_index(c->ref);
        sb_add(b, " REFERENCES %s(%s)", c->ref, p >= 0 && tables[p].id ? tables[p].id : "?");
    }
}

/* ", PRIMARY KEY (a, b)" or ", UNIQUE (a, b)" over the columns with flag. */
static void key_sql(sbuf_t *b, const db_table_t *t, unsigned flag, const char *what)
{
    int first = 1;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!(t->cols[i].flags & flag))
            continue;
        if (first)
            sb_add(b, ", %s (%s", what, t->cols[i].name);
        else
            sb_add(b, ", %s", t->cols[i].name);
        first = 0;
    }
    if (!first)
        sb_add(b, ")");
}

static void create_sql(sbuf_t *b, const db_table_t *t)
{
    sb_add(b, "CREATE TABLE %s(", t->name);
    for (size_t i = 0; i < t->ncols; i++) {
        if (i)
            sb_add(b, ", ");
        column_sql(b, t, &t->cols[i]);
    }
    key_sql(b, t, DB_COL_KEY, "PRIMARY KEY");
    key_sql(b, t, DB_COL_UNIQUE, "UNIQUE");
    sb_add(b, ")");
}

int db_table_columns(sqlite3 *sql, const char *schema, const db_table_t *t, int *exists,
                     int *have)
{
    sqlite3_stmt *st = NULL;
    *exists = 0;
    for (size_t i = 0; have && i < t->ncols; i++)
        have[i] = 0;
    int rc = sqlite3_prepare_v2(sql, "SELECT name FROM pragma_table_info(?1, ?2)", -1, &st,
                                NULL);
    if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        *exists = 1;
        for (size_t i = 0; have && name && i < t->ncols; i++)
            if (strcmp(name, t->cols[i].name) == 0)
                have[i] = 1;
        rc = SQLITE_OK;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(st);
    return rc;
}

int db_column_addable(const db_table_t *t, const db_column_t *c)
{
    return !((c->flags & (DB_COL_KEY | DB_COL_UNIQUE)) || strstr(c->type, "NOT NULL") ||
             strstr(c->type, "PRIMARY") || (t->id && strcmp(c->name, t->id) == 0));
}

int db_schema_apply(sqlite3 *sql, char *err, size_t errlen)
{
    int have[256];
    for (size_t ti = 0; ti < ARRAY_LEN(tables); ti++) {
        const db_table_t *t = &tables[ti];
        if (t->ncols > ARRAY_LEN(have)) {
            db_err(err, errlen, "table %s: more than %zu columns", t->name,
                   ARRAY_LEN(have));
            return -1;
        }
        int exists = 0;
        int rc = db_table_columns(sql, "main", t, &exists, have);
        if (rc != SQLITE_OK) {
            db_err(err, errlen, "table %s: %s", t->name, db_msg(sql, rc));
            return -1;
        }
        sbuf_t b = {0};
        if (!exists) {
            create_sql(&b, t);
        } else {
            for (size_t i = 0; i < t->ncols; i++) {
                const db_column_t *c = &t->cols[i];
                if (have[i])
                    continue;
                /* ALTER TABLE cannot add these; such a change needs a table
                 * rebuild written for it. */
                if (!db_column_addable(t, c)) {
                    db_err(err, errlen, "table %s: cannot add key column %s in place", t->name,
                           c->name);
                    free(b.s);
                    return -1;
                }
                sb_add(&b, "ALTER TABLE %s ADD COLUMN ", t->name);
                column_sql(&b, t, c);
                sb_add(&b, ";");
            }
        }
        if (b.oom) {
            free(b.s);
            db_err(err, errlen, "table %s: out of memory", t->name);
            return -1;
        }
        char *msg = NULL;
        if (b.s && sqlite3_exec(sql, b.s, NULL, NULL, &msg) != SQLITE_OK) {
            db_err(err, errlen, "table %s: %s", t->name, msg ? msg : sqlite3_errmsg(sql));
            sqlite3_free(msg);
            free(b.s);
            return -1;
        }
        free(b.s);
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(sql,
                                "INSERT OR REPLACE INTO meta(key, value)"
                                " VALUES('schema_version', ?)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 1, DB_SCHEMA_VERSION);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        db_err(err, errlen, "meta: %s", db_msg(sql, rc));
        return -1;
    }
    return 0;
}

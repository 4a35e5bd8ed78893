/* db.h - the SQLite results database: the one interface of sim/db/.
 *
 * The schema is one table list, db_schema() (sim/db/schema.c): each table's
 * columns with their SQL types, its id column and which columns hold the id
 * of which other table.  That list is the CREATE TABLE text of a new file,
 * the migration of an older one (missing tables and columns are added in
 * place, every row kept) and the merge (every table copied, ids and foreign
 * keys remapped).  Version 1 had meta, runs, layers, rtl_checks and
 * rtl_cases; version 2 added sweep_points and breakdowns; version 3 the LLM
 * runs (llm_runs, llm_units, llm_ops) and the synthesis checks
 * (synth_checks, synth_sizes).  The columns are documented in README.md
 * ("Results database") and beside each table in schema.c.
 *
 * Every write is one transaction: an interrupted run leaves no partial rows.
 * No SQL is written outside sim/db/: commands read through the db_read_*
 * functions below.
 */
#ifndef CODESIM_DB_H
#define CODESIM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "../io/config.h"
#include "../../models/engine.h"
#include "../run/npu.h"
#include "../run/serve.h"
#include "../io/workload.h"

#define DB_SCHEMA_VERSION 5

typedef struct db db_t;

/* Opens (creating if absent) and checks or creates the schema; WAL mode.
 * An older version is migrated in one transaction: the tables and columns
 * of db_schema() it lacks are added, every row kept.
 * A file that is not a codesim database, is corrupt, is of a newer schema
 * version, has a table codesim cannot write (a column it needs missing or
 * of another kind, a NOT NULL column of its own) or cannot be written: -1,
 * err "FILE: reason", file untouched and no -wal or -shm file left behind.
 * A database whose write lock another process holds for longer than the
 * busy timeout (5 s), at open or at a write: "FILE: database is locked by
 * another process ..." (the write's rows are not stored).
 * A full disk: "... the disk is full ..." (SQLITE_FULL or ENOSPC). */
int db_open(const char *path, db_t **out, char *err, size_t errlen);

/* Told, once per handle, that a write has waited DB_WAIT_NOTE_MS (3 s) for
 * another process's lock: msg is "FILE: another process holds ...". */
typedef void (*db_note_fn)(void *ctx, const char *msg);

/* db_open, but every write waits for another process's write lock for as
 * long as it takes (retrying with a backoff up to 100 ms), so a finished
 * simulation's rows are never lost to a lock; note (may be NULL) is called
 * once when a wait passes 3 s.  The library prints nothing itself. */
int db_open_waiting(const char *path, db_note_fn note, void *note_ctx, db_t **out, char *err,
                    size_t errlen);
/* For commands that only read (report, pareto): a file the user may not
 * write (mode 444, a read-only mount) that is a complete codesim database
 * of this version is opened read-only and left as it was (no -wal or -shm
 * file is made beside it unless a -wal file is already there); any other
 * file goes through db_open_waiting(), which creates or migrates it
 * ("FILE: cannot write: ..." when that needs a write it may not make). */
int db_open_read(const char *path, db_note_fn note, void *note_ctx, db_t **out, char *err,
                 size_t errlen);
void db_close(db_t *db);

typedef struct {
    const char *path;            /* "fast" or "cycle" */
    const char *hw_file;
    const hw_cfg_t *hw;
    const char *workload_file;
    const workload_t *wl;
    double wall_seconds;
} db_run_t;

int db_record_run(db_t *db, const db_run_t *run, const layer_result_t *res, size_t n,
                  int64_t *run_id, char *err, size_t errlen);

typedef struct {
    const char *kind;        /* "energy_pj" or "area_um2" */
    const char *component;   /* e.g. "array.mac", "sram.ifmap", "dram" */
    double value;
} db_breakdown_t;

/* db_record_run and the run's nb breakdowns rows (codesim run --workload),
 * in one transaction.  db_record_run is this with none. */
int db_record_run_costs(db_t *db, const db_run_t *run, const layer_result_t *res, size_t n,
                        const db_breakdown_t *b, size_t nb, int64_t *run_id, char *err,
                        size_t errlen);

/* An end-to-end LLM run (codesim run --model): one runs row (path 'npu',
 * workload = the model's config.json) with its llm_runs, llm_units and
 * llm_ops rows, in one transaction. */
typedef struct {
    const char *model;            /* model name */
    const char *mode;             /* npu | pim-blocked | neupims */
    const mapper_run_t *run;
    const npu_cfg_t *npu;
    int moe;                      /* a MoE model: route_seed is stored */
    uint64_t route_seed;          /* MoE: the uniform routing's seed */
    const char *routing_file;     /* MoE: the routing trace, or NULL */
    const char *routing_hash;     /* its FNV-1a hash (hex), or NULL */
} db_llm_t;

typedef struct {
    uint64_t m, n, k;
    uint64_t model_cycles, rtl_cycles;
    uint64_t value_mismatches;
    int counts_match;
} db_rtl_case_t;

typedef struct {
    const char *block;           /* "systolic", "lut", "pim" */
    const systolic_cfg_t *array; /* systolic checks; NULL for other blocks */
    const char *params;          /* block parameters as text, e.g. "g=4 wbits=2"; may be NULL */
    uint64_t seed;
    uint64_t cycle_mismatches, value_mismatches, count_mismatches;
} db_rtl_check_t;

int db_record_rtlcheck(db_t *db, const db_rtl_check_t *chk, const db_rtl_case_t *cases,
                       size_t n, int64_t *check_id, char *err, size_t errlen);

/* ---- sweeps (sim/cli/cmd_sweep.c, cmd_db.c, cmd_pareto.c, cmd_report.c) ---- */

typedef struct {
    const char *sweep;         /* the sweep's name */
    uint64_t point;            /* index in the sweep's expansion */
    const char *params;        /* "array.rows=32 array.dataflow=ws" */
    const char *config_hash;   /* hw_hash() of the point's config without its name */
    const char *workload_hash; /* FNV-1a 64 of the workload file's bytes */
    const char *workload_file;
    const hw_cfg_t *hw;
    const char *error;         /* NULL: it ran; else why it cannot (no run row) */
    double area_mm2, energy_pj, tops, tops_per_w, tops_per_mm2; /* NaN: not modelled */
    const db_breakdown_t *breakdown;
    size_t nbreakdown;
} db_point_t;

/* Whether a point with these hashes is stored. */
int db_has_point(db_t *db, const char *config_hash, const char *workload_hash, int *has,
                 char *err, size_t errlen);

/* Stores one sweep point in one transaction: its run and layers (or its
 * LLM rows) unless pt->error, the sweep_points row and its breakdowns.  Returns 0, or 1 when
 * a point with the same hashes is already stored (nothing written), or -1. */
int db_record_point(db_t *db, const db_point_t *pt, const db_run_t *run,
                    const layer_result_t *res, size_t n, char *err, size_t errlen);

/* The same for a point of a model workload (an LLM sweep point): its run is
 * stored as db_record_llm stores one (runs + llm_runs/units/ops rows, where
 * tokens/s, TTFT and TPOT are, joined by run_id), and the sweep_points row
 * takes total_cycles = prefill + decode, macs and dram_bytes (DMA) from res,
 * pes = rows x cols x npu cores. */
int db_record_llm_point(db_t *db, const db_point_t *pt, const db_run_t *run,
                        const db_llm_t *llm, const npu_result_t *res, char *err, size_t errlen);

/* ---- the schema: one description of each table (sim/db/schema.c) ---- */

/* Column flags. */
#define DB_COL_KEY 1u    /* part of the table's composite PRIMARY KEY (not the id) */
#define DB_COL_UNIQUE 2u /* part of the table's UNIQUE key: two rows with equal keys are one
                            row, so merge keeps the one it has (a sweep point) */
#define DB_COL_OWNS 4u   /* a foreign key whose parent row belongs to this row: merge copies
                            or skips the parent with it (a sweep point's run).  Only in a
                            table with a UNIQUE key. */

typedef struct {
    const char *name;
    const char *type;  /* SQL type and column constraints: "INTEGER", "TEXT NOT NULL" */
    const char *ref;   /* the table whose id this column holds, or NULL */
    unsigned flags;    /* DB_COL_* */
} db_column_t;

typedef struct {
    const char *name;
    int since;                /* the schema version that added the table */
    const char *id;           /* its INTEGER PRIMARY KEY that other tables refer to, or NULL */
    int meta;                 /* 1: schema state (meta), not results: never merged */
    const db_column_t *cols;
    size_t ncols;
} db_table_t;

#define DB_MAX_TABLES 32

/* The tables, each after every table it refers to; *n is their count. */
const db_table_t *db_schema(size_t *n);

/* ---- merge ---- */

typedef struct {
    /* Rows per table of db_schema(), by index: copied, and left out because
     * db holds them already (or they belong to a row db holds). */
    uint64_t added[DB_MAX_TABLES], skipped[DB_MAX_TABLES];
    /* The same, summed as codesim db merge reports them. */
    uint64_t points_added, points_skipped;  /* sweep points, by (config, workload) hash */
    uint64_t runs_added, runs_skipped;      /* plain runs (no sweep point), equal in every column */
    uint64_t checks_added, checks_skipped;  /* rtl checks, equal in every column */
} db_merge_stats_t;

/* Copies from the database at in_path (any version this codesim reads,
 * opened read-only and never written) every row of every table that db
 * lacks, in one transaction.  Rows get new ids in db and the columns that
 * refer to them follow.  A row is left out when db holds it already: a row
 * of a table with a UNIQUE key when db has that key (with the rows it owns);
 * a row with neither parent nor owner when db has one equal in every column
 * but the id; a child row when its parent was left out.  A foreign key that
 * points at no row of the input is an error (nothing merged). */
int db_merge(db_t *db, const char *in_path, db_merge_stats_t *st, char *err, size_t errlen);

/* ---- reads (codesim pareto, codesim report) ---- */

/* A metric for pareto and report: a numeric column of sweep_points or of
 * llm_runs, optionally prefixed "min:" (the default) or "max:" (sets
 * *maximize); "latency" means total_cycles, "throughput" tokens_per_s.
 * Returns the metric's name or NULL.  db_point_metric_at(i) walks the list
 * (NULL past its end), with a one-line description in *what. */
const char *db_point_metric(const char *name, int *maximize);
const char *db_point_metric_list(void);
size_t db_point_metric_count(void);
const char *db_point_metric_at(size_t i, const char **what);

/* One sweep_points row.  NaN where the column is NULL (not modelled, or the
 * point could not run); strings are malloc'd, NULL when NULL. */
typedef struct {
    int64_t id, run_id;  /* run_id 0: no run (the point could not run) */
    int64_t point;       /* the point column (its number in the sweep); id when NULL */
    char *sweep, *workload_hash, *workload_file, *params, *error;
    double total_cycles, pes, area_mm2, energy_pj, tops, tops_per_w, tops_per_mm2;
    uint32_t rows, cols, dram_bytes_per_cycle;
    char dataflow[8];
    double x, y;         /* the metrics asked for by db_read_points */
} db_point_row_t;

/* The sweep points (of sweep, or all when NULL) in order of workload hash,
 * then id; x and y are the columns named by db_point_metric() results xm and
 * ym (NaN when a name is NULL).  workload_hash is "" when NULL.  *rows is
 * malloc'd (free with db_points_free). */
int db_read_points(db_t *db, const char *sweep, const char *xm, const char *ym,
                   db_point_row_t **rows, size_t *n, char *err, size_t errlen);
void db_points_free(db_point_row_t *rows, size_t n);

/* One breakdowns component. */
typedef struct {
    char *component;  /* malloc'd */
    double value;
} db_component_t;

/* The breakdown of kind ("energy_pj", "area_um2") of one run, in the order
 * it was stored.  Free with db_components_free. */
int db_read_breakdown(db_t *db, int64_t run_id, const char *kind, db_component_t **out,
                      size_t *n, char *err, size_t errlen);
void db_components_free(db_component_t *c, size_t n);

/* The layers of one run by idx: name, m, n, k, dataflow and every stats
 * field (unit is left NULL).  *out is malloc'd; free() it. */
int db_read_layers(db_t *db, int64_t run_id, layer_result_t **out, size_t *n, char *err,
                   size_t errlen);

/* One rtl_checks row; strings malloc'd ("" when NULL). */
typedef struct {
    int64_t id;
    char *started_at, *block, *dataflow, *params;
    int has_shape, has_widths; /* rows and cols, the widths are stored (systolic checks) */
    uint32_t rows, cols, in_bits, w_bits, acc_bits;
    uint64_t cases, cycle_mismatches, value_mismatches, count_mismatches;
} db_rtl_check_row_t;

/* Every RTL check by id.  Free with db_rtl_checks_free. */
int db_read_rtl_checks(db_t *db, db_rtl_check_row_t **out, size_t *n, char *err,
                       size_t errlen);
void db_rtl_checks_free(db_rtl_check_row_t *rows, size_t n);

/* A serving run (codesim serve): one runs row (path 'serve', workload = the
 * serve workload or trace file) with its serve_runs row (sum) and one
 * serve_requests row per request, in one transaction. */
typedef struct {
    const char *model;
    const serve_cfg_t *cfg;
    uint64_t total_cycles;
    double rate;                       /* offered: (n - 1) / (last - first arrival) */
    double req_per_s, tok_per_s;
    double ttft[3], tpot[3], e2e[3];   /* p50, p90, p99 */
} db_serve_t;

int db_record_serve(db_t *db, const db_run_t *run, const db_serve_t *sum,
                    const serve_result_t *res, int64_t *run_id, char *err, size_t errlen);

int db_record_llm(db_t *db, const db_run_t *run, const db_llm_t *llm, const npu_result_t *res,
                  int64_t *run_id, char *err, size_t errlen);
/* db_record_llm and the run's nb breakdowns rows (codesim run --model), in
 * one transaction.  db_record_llm is this with none. */
int db_record_llm_costs(db_t *db, const db_run_t *run, const db_llm_t *llm,
                        const npu_result_t *res, const db_breakdown_t *b, size_t nb,
                        int64_t *run_id, char *err, size_t errlen);

/* One area-model vs yosys comparison (codesim synth). */
typedef struct {
    uint32_t rows, cols;
    uint64_t cells, dffs;
    double synth_um2, model_um2, synth_ratio, model_ratio, deviation, yosys_seconds;
} db_synth_size_t;

typedef struct {
    const char *block;            /* "systolic_grid" */
    const char *tech;             /* technology node or file */
    uint32_t bits, acc_bits;
    double tolerance;
    uint64_t outside;             /* sizes whose ratio is outside the tolerance */
} db_synth_t;

int db_record_synth(db_t *db, const db_synth_t *chk, const db_synth_size_t *sizes, size_t n,
                    int64_t *check_id, char *err, size_t errlen);

#endif

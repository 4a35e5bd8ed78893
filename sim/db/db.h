/* db.h - the SQLite results database.
 *
 * Schema (version 2; documented in README.md):
 *   meta(key TEXT PRIMARY KEY, value TEXT)          schema_version = '2'
 *   runs(id INTEGER PRIMARY KEY, started_at TEXT, codesim_version TEXT,
 *        git_rev TEXT, path TEXT, hw_name TEXT, hw_file TEXT, hw_text TEXT,
 *        hw_canonical TEXT, hw_hash TEXT, workload_file TEXT, workload_text TEXT,
 *        layers INTEGER, total_cycles INTEGER, wall_seconds REAL)
 *   layers(run_id INTEGER REFERENCES runs(id), idx INTEGER, name TEXT,
 *        m INTEGER, n INTEGER, k INTEGER, unit TEXT, dataflow TEXT,
 *        total_cycles, compute_cycles, stall_cycles, macs, folds, steps INTEGER,
 *        utilization REAL, ifmap_reads, ifmap_writes, filter_reads,
 *        filter_writes, ofmap_reads, ofmap_writes, dram_read_bytes,
 *        dram_write_bytes INTEGER, PRIMARY KEY (run_id, idx))
 *   rtl_checks(id INTEGER PRIMARY KEY, started_at TEXT, codesim_version TEXT,
 *        git_rev TEXT, block TEXT, rows INTEGER, cols INTEGER, dataflow TEXT,
 *        in_bits INTEGER, w_bits INTEGER, acc_bits INTEGER, params TEXT, seed INTEGER,
 *        cases INTEGER, cycle_mismatches INTEGER, value_mismatches INTEGER,
 *        count_mismatches INTEGER)
 *   rtl_cases(check_id INTEGER REFERENCES rtl_checks(id), idx INTEGER,
 *        m INTEGER, n INTEGER, k INTEGER, model_cycles INTEGER,
 *        rtl_cycles INTEGER, value_mismatches INTEGER, counts_match INTEGER,
 *        PRIMARY KEY (check_id, idx))
 * Added in version 2 (a version-1 file is migrated in place on open, every
 * row kept; a newer version is refused):
 *   sweep_points(id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id)
 *        (NULL when the point cannot run), config_hash TEXT, workload_hash TEXT,
 *        sweep TEXT, point INTEGER, params TEXT ("key=value ..." of the swept
 *        fields), workload_file TEXT, error TEXT (NULL when it ran),
 *        rows, cols, dataflow, in_bits, w_bits, acc_bits, ifmap_bytes,
 *        filter_bytes, ofmap_bytes, dram_bytes_per_cycle, pes (rows*cols),
 *        sram_bytes (sum of the three buffers), total_cycles, macs,
 *        dram_bytes (read + written), utilization REAL,
 *        area_mm2, energy_pj, tops, tops_per_w, tops_per_mm2 REAL (NULL when
 *        no area/energy model is built in), UNIQUE (config_hash, workload_hash))
 *   breakdowns(run_id INTEGER REFERENCES runs(id), kind TEXT ('energy_pj' or
 *        'area_um2'), component TEXT, value REAL, PRIMARY KEY (run_id, kind, component))
 *        (sweep points' runs and codesim run --workload runs)
 * Every write is one transaction: an interrupted run leaves no partial rows.
 */
#ifndef CODESIM_DB_H
#define CODESIM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "../io/config.h"
#include "../../models/engine.h"
#include "../run/npu.h"
#include "../io/workload.h"

#define DB_SCHEMA_VERSION 3

typedef struct db db_t;

/* Opens (creating if absent) and checks or creates the schema; WAL mode.
 * A version-1 database is migrated to version 2 in one transaction.
 * A file that is not a codesim database, is corrupt, is of a newer schema
 * version or cannot be written: -1, err "FILE: reason", file untouched.
 * A database whose write lock another process holds for longer than the
 * busy timeout (5 s): "FILE: database is locked by another process ...". */
int db_open(const char *path, db_t **out, char *err, size_t errlen);
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

typedef struct {
    uint64_t points_added, points_skipped;  /* sweep points, by (config, workload) hash */
    uint64_t runs_added, runs_skipped;      /* plain runs, equal in every column */
    uint64_t checks_added, checks_skipped;  /* rtl checks, equal in every column */
} db_merge_stats_t;

/* Copies from the database at in_path (version 1 or 2, opened read-only and
 * never written) whatever db lacks, in one transaction. */
int db_merge(db_t *db, const char *in_path, db_merge_stats_t *st, char *err, size_t errlen);

/* The connection, for read-only queries by the report commands. */
struct sqlite3 *db_sql(db_t *db);

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

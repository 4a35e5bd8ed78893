/* db.h - the SQLite results database.
 *
 * Schema (version 1; documented in README.md):
 *   meta(key TEXT PRIMARY KEY, value TEXT)          schema_version = '1'
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
 * Every write is one transaction: an interrupted run leaves no partial rows.
 */
#ifndef CODESIM_DB_H
#define CODESIM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "workload.h"

#define DB_SCHEMA_VERSION 1

typedef struct db db_t;

/* Opens (creating if absent) and checks or creates the schema; WAL mode.
 * A file that is not a codesim database, is corrupt, is of another schema
 * version or cannot be written: -1, err "FILE: reason", file untouched. */
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

#endif

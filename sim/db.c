/* db.c - the SQLite results database (schema in db.h and README.md).
 *
 * Invariants:
 *   - db_open() only reads a file until it has proved the file is either an
 *     empty SQLite database or a codesim database of DB_SCHEMA_VERSION; only
 *     then does it switch to WAL (which rewrites the header) or create tables.
 *     So a file we refuse is left byte for byte as it was.
 *   - Every write (schema creation, a run, an RTL check) is one BEGIN
 *     IMMEDIATE ... COMMIT; any failure rolls back, so no partial rows exist.
 *   - Error strings are one line: "FILE: reason" from db_open(); the record
 *     functions leave out FILE ("record run: layer 1 (fc2): reason"), as
 *     their callers already name the database they opened.
 */
#include "db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "../models/systolic.h"

/* The Makefile passes -DCODESIM_VERSION=\"0.1.0\" and writes CODESIM_GIT_REV
 * into build/version.h (on the include path); either may also come as -D. */
#if !defined(CODESIM_GIT_REV) && defined(__has_include)
#if __has_include("version.h")
#include "version.h"
#endif
#endif
#ifndef CODESIM_VERSION
#define CODESIM_VERSION "0.0.0"
#endif
#ifndef CODESIM_GIT_REV
#define CODESIM_GIT_REV "unknown"
#endif

#define DB_BUSY_TIMEOUT_MS 5000

struct db {
    sqlite3 *sql;
    char *path;
};

/* The five tables of schema version 1, created together in one transaction.
 * Keep in step with db.h and README.md. */
static const char *const db_tables[] = {"meta", "runs", "layers", "rtl_checks", "rtl_cases"};
#define DB_NTABLES (sizeof db_tables / sizeof db_tables[0])

static const char db_schema_sql[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, started_at TEXT, codesim_version TEXT,"
    " git_rev TEXT, path TEXT, hw_name TEXT, hw_file TEXT, hw_text TEXT,"
    " hw_canonical TEXT, hw_hash TEXT, workload_file TEXT, workload_text TEXT,"
    " layers INTEGER, total_cycles INTEGER, wall_seconds REAL);"
    "CREATE TABLE layers(run_id INTEGER REFERENCES runs(id), idx INTEGER, name TEXT,"
    " m INTEGER, n INTEGER, k INTEGER, unit TEXT, dataflow TEXT,"
    " total_cycles INTEGER, compute_cycles INTEGER, stall_cycles INTEGER,"
    " macs INTEGER, folds INTEGER, steps INTEGER, utilization REAL,"
    " ifmap_reads INTEGER, ifmap_writes INTEGER, filter_reads INTEGER,"
    " filter_writes INTEGER, ofmap_reads INTEGER, ofmap_writes INTEGER,"
    " dram_read_bytes INTEGER, dram_write_bytes INTEGER,"
    " PRIMARY KEY (run_id, idx));"
    "CREATE TABLE rtl_checks(id INTEGER PRIMARY KEY, started_at TEXT,"
    " codesim_version TEXT, git_rev TEXT, block TEXT, rows INTEGER, cols INTEGER,"
    " dataflow TEXT, in_bits INTEGER, w_bits INTEGER, acc_bits INTEGER,"
    " params TEXT, seed INTEGER, cases INTEGER, cycle_mismatches INTEGER,"
    " value_mismatches INTEGER, count_mismatches INTEGER);"
    "CREATE TABLE rtl_cases(check_id INTEGER REFERENCES rtl_checks(id), idx INTEGER,"
    " m INTEGER, n INTEGER, k INTEGER, model_cycles INTEGER, rtl_cycles INTEGER,"
    " value_mismatches INTEGER, counts_match INTEGER,"
    " PRIMARY KEY (check_id, idx));";

/* ---- helpers ------------------------------------------------------------ */

/* snprintf into err, folding any line break into a space so callers can
 * print the message as one line. */
static void db_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    for (char *p = err; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* Current UTC time as ISO-8601, e.g. 2026-11-23T16:49:50Z. */
static void db_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        strcpy(out, "1970-01-01T00:00:00Z");
}

/* SQLite integers are signed 64-bit; a counter past INT64_MAX would come back
 * negative, so refuse it rather than store a wrong number. */
static int bind_u64(sqlite3_stmt *st, int col, uint64_t v)
{
    if (v > (uint64_t)INT64_MAX)
        return SQLITE_RANGE;
    return sqlite3_bind_int64(st, col, (sqlite3_int64)v);
}

static int bind_text(sqlite3_stmt *st, int col, const char *s)
{
    return s ? sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, col);
}

/* Message for rc from the last call on sql; SQLITE_RANGE from bind_u64 has
 * no connection message of its own. */
static const char *db_msg(sqlite3 *sql, int rc)
{
    if (rc == SQLITE_RANGE)
        return "value exceeds the 64-bit signed integer range";
    if (rc == SQLITE_NOMEM)
        return sqlite3_errstr(rc);
    return sqlite3_errmsg(sql);
}

/* Rolls back if a transaction is still open (SQLite may already have rolled
 * it back itself, e.g. after SQLITE_FULL). */
static void db_rollback(sqlite3 *sql)
{
    if (!sqlite3_get_autocommit(sql))
        sqlite3_exec(sql, "ROLLBACK", NULL, NULL, NULL);
}

/* One-value query; *out is the first column of the first row as text
 * (malloc'd, NULL when there is no row or it is NULL). */
static int db_query_text(sqlite3 *sql, const char *q, const char *arg, char **out)
{
    sqlite3_stmt *st = NULL;
    *out = NULL;
    int rc = sqlite3_prepare_v2(sql, q, -1, &st, NULL);
    if (rc == SQLITE_OK && arg)
        rc = sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            if (t && !(*out = strdup((const char *)t)))
                rc = SQLITE_NOMEM;
            else
                rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static int is_corrupt(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

/* ---- open --------------------------------------------------------------- */

typedef enum { DB_EMPTY, DB_OURS } db_kind_t;

/* Classifies the open file without writing to it.  Returns 0 with *kind, or
 * -1 with err set: "not a codesim results database (why)", or "cannot write"
 * when SQLite cannot even read it (e.g. no room for the -shm file of a WAL
 * database in a read-only directory). */
static int db_inspect(db_t *db, db_kind_t *kind, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    int have[DB_NTABLES] = {0};
    int nobjects = 0, rc;  /* tables, indexes, views, triggers */

    /* Reading sqlite_master is the first access to page 1: a file that is
     * not SQLite fails here with SQLITE_NOTADB. */
    rc = sqlite3_prepare_v2(sql, "SELECT name, type = 'table' FROM sqlite_master", -1, &st,
                            NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int table = sqlite3_column_int(st, 1);
        nobjects++;
        for (size_t i = 0; table && name && i < DB_NTABLES; i++)
            if (strcmp(name, db_tables[i]) == 0)
                have[i] = 1;
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) {
        if (is_corrupt(rc))
            db_err(err, errlen, "%s: not a codesim results database (%s)", db->path,
                   sqlite3_errmsg(sql));
        else
            db_err(err, errlen, "%s: cannot write: %s", db->path, sqlite3_errmsg(sql));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);

    if (nobjects == 0) {
        *kind = DB_EMPTY;
        return 0;
    }

    /* The header parsed; now look at every page we will rely on. */
    char *check = NULL;
    rc = db_query_text(sql, "PRAGMA quick_check(1)", NULL, &check);
    if (rc != SQLITE_OK || !check || strcmp(check, "ok") != 0) {
        /* quick_check reports "*** in database main ***\nPage 2: ..." */
        static const char banner[] = "*** in database main ***\n";
        const char *why = check ? check : "quick_check returned nothing";
        if (strncmp(why, banner, sizeof banner - 1) == 0)
            why += sizeof banner - 1;
        if (rc == SQLITE_OK || is_corrupt(rc))
            db_err(err, errlen, "%s: not a codesim results database (%s)", db->path,
                   rc == SQLITE_OK ? why : sqlite3_errmsg(sql));
        else
            db_err(err, errlen, "%s: cannot write: %s", db->path, db_msg(sql, rc));
        free(check);
        return -1;
    }
    free(check);

    if (!have[0]) {
        db_err(err, errlen, "%s: not a codesim results database (has other tables)",
               db->path);
        return -1;
    }

    char *ver = NULL;
    rc = db_query_text(sql, "SELECT value FROM meta WHERE key = ?", "schema_version", &ver);
    if (rc != SQLITE_OK) {
        db_err(err, errlen, "%s: not a codesim results database (%s)", db->path,
               db_msg(sql, rc));
        return -1;
    }
    if (!ver) {
        db_err(err, errlen, "%s: not a codesim results database (meta has no schema_version)",
               db->path);
        return -1;
    }
    char want[16];
    snprintf(want, sizeof want, "%d", DB_SCHEMA_VERSION);
    if (strcmp(ver, want) != 0) {
        db_err(err, errlen,
               "%s: results database has schema version %s; this codesim reads version %d",
               db->path, ver, DB_SCHEMA_VERSION);
        free(ver);
        return -1;
    }
    free(ver);

    for (size_t i = 1; i < DB_NTABLES; i++) {
        if (!have[i]) {
            db_err(err, errlen, "%s: not a codesim results database (missing table %s)",
                   db->path, db_tables[i]);
            return -1;
        }
    }
    *kind = DB_OURS;
    return 0;
}

/* Creates the schema in one transaction.  Another process may have created
 * it between our inspection and BEGIN IMMEDIATE; re-inspect under the lock. */
static int db_create(db_t *db, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    char *msg = NULL;
    if (sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot write: %s", db->path, sqlite3_errmsg(sql));
        return -1;
    }
    db_kind_t kind;
    if (db_inspect(db, &kind, err, errlen) != 0) {
        db_rollback(sql);
        return -1;
    }
    char meta[96];
    snprintf(meta, sizeof meta, "INSERT INTO meta(key, value) VALUES('schema_version', '%d');",
             DB_SCHEMA_VERSION);
    if ((kind == DB_EMPTY && (sqlite3_exec(sql, db_schema_sql, NULL, NULL, &msg) != SQLITE_OK ||
                              sqlite3_exec(sql, meta, NULL, NULL, &msg) != SQLITE_OK)) ||
        sqlite3_exec(sql, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot write: %s", db->path, msg ? msg : sqlite3_errmsg(sql));
        sqlite3_free(msg);
        db_rollback(sql);
        return -1;
    }
    return 0;
}

int db_open(const char *path, db_t **out, char *err, size_t errlen)
{
    *out = NULL;
    db_t *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        db_err(err, errlen, "%s: cannot open: out of memory", path);
        return -1;
    }

    /* Opening reads nothing yet; an existing file is not modified until the
     * first write, which we make only after db_inspect() accepts it. */
    int rc = sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot write: %s", path,
               db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_timeout(db->sql, DB_BUSY_TIMEOUT_MS);

    /* A read-only file opens silently read-only; refuse it before reading
     * (reading a WAL database would leave -wal and -shm files behind). */
    if (sqlite3_db_readonly(db->sql, "main") == 1) {
        db_err(err, errlen, "%s: cannot write: %s", path, sqlite3_errstr(SQLITE_READONLY));
        goto fail;
    }

    db_kind_t kind;
    if (db_inspect(db, &kind, err, errlen) != 0)
        goto fail;

    char *mode = NULL;
    rc = db_query_text(db->sql, "PRAGMA journal_mode = WAL", NULL, &mode);
    if (rc != SQLITE_OK || !mode ||
        (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)) {
        db_err(err, errlen, "%s: cannot write: %s", path,
               rc != SQLITE_OK ? db_msg(db->sql, rc) : "cannot switch to WAL journal mode");
        free(mode);
        goto fail;
    }
    free(mode);
    if (sqlite3_exec(db->sql, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot open: %s", path, sqlite3_errmsg(db->sql));
        goto fail;
    }

    if (kind == DB_EMPTY && db_create(db, err, errlen) != 0)
        goto fail;

    *out = db;
    return 0;

fail:
    db_close(db);
    return -1;
}

void db_close(db_t *db)
{
    if (!db)
        return;
    sqlite3_close(db->sql); /* NULL-safe; all statements are finalized */
    free(db->path);
    free(db);
}

/* ---- writes --------------------------------------------------------------- */

/* Ends a write: COMMIT when rc is SQLITE_OK, otherwise (or if COMMIT fails)
 * ROLLBACK with "what: sqlite message" in err. */
static int db_finish(db_t *db, int rc, const char *what, char *err, size_t errlen)
{
    if (rc == SQLITE_OK && sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    if (rc == SQLITE_OK)
        rc = sqlite3_extended_errcode(db->sql);
    /* Take the message before ROLLBACK replaces it. */
    db_err(err, errlen, "%s: %s", what, db_msg(db->sql, rc));
    db_rollback(db->sql);
    return -1;
}

/* Steps an INSERT to completion. */
static int db_step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static const char insert_run_sql[] =
    "INSERT INTO runs(started_at, codesim_version, git_rev, path, hw_name, hw_file,"
    " hw_text, hw_canonical, hw_hash, workload_file, workload_text, layers,"
    " total_cycles, wall_seconds) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char insert_layer_sql[] =
    "INSERT INTO layers(run_id, idx, name, m, n, k, unit, dataflow, total_cycles,"
    " compute_cycles, stall_cycles, macs, folds, steps, utilization, ifmap_reads,"
    " ifmap_writes, filter_reads, filter_writes, ofmap_reads, ofmap_writes,"
    " dram_read_bytes, dram_write_bytes)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int bind_layer(sqlite3_stmt *st, int64_t run_id, size_t idx, const layer_result_t *r)
{
    const layer_stats_t *s = &r->stats;
    int c = 1, rc = sqlite3_bind_int64(st, c++, run_id);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, idx);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, r->name);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->m);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->n);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->k);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, "systolic");
    if (rc == SQLITE_OK) rc = bind_text(st, c++, systolic_dataflow_name(r->dataflow));
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->total_cycles);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->compute_cycles);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->stall_cycles);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->macs);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->folds);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->steps);
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, c++, s->utilization);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->ifmap_reads);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->ifmap_writes);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->filter_reads);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->filter_writes);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->ofmap_reads);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->ofmap_writes);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->dram_read_bytes);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, s->dram_write_bytes);
    return rc;
}

int db_record_run(db_t *db, const db_run_t *run, const layer_result_t *res, size_t n,
                  int64_t *run_id, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    char now[32], hash[17];
    const char *what = "record run";
    int rc;

    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (res[i].stats.total_cycles > UINT64_MAX - total) {
            db_err(err, errlen, "record run: total cycles overflow 64 bits");
            return -1;
        }
        total += res[i].stats.total_cycles;
    }
    char *canon = hw_canonical(run->hw);
    if (!canon) {
        db_err(err, errlen, "record run: out of memory");
        return -1;
    }
    hw_hash(run->hw, hash);
    db_now(now);

    if (sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_err(err, errlen, "cannot write: %s", sqlite3_errmsg(sql));
        free(canon);
        return -1;
    }

    rc = sqlite3_prepare_v2(sql, insert_run_sql, -1, &st, NULL);
    int c = 1;
    if (rc == SQLITE_OK) rc = bind_text(st, c++, now);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, CODESIM_VERSION);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, CODESIM_GIT_REV);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, run->path);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, run->hw->name);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, run->hw_file);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, run->hw->text);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, canon);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, hash);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, run->workload_file);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, run->wl ? run->wl->text : NULL);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, n);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, total);
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, c++, run->wall_seconds);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    st = NULL;

    int64_t id = sqlite3_last_insert_rowid(sql);
    char layer_what[128];
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(sql, insert_layer_sql, -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        snprintf(layer_what, sizeof layer_what, "record run: layer %zu (%.64s)", i,
                 res[i].name);
        what = layer_what;
        sqlite3_reset(st);
        rc = bind_layer(st, id, i, &res[i]);
        if (rc == SQLITE_OK)
            rc = db_step(st);
    }
    sqlite3_finalize(st);
    free(canon);

    if (rc == SQLITE_OK)
        what = "record run";
    if (db_finish(db, rc, what, err, errlen) != 0)
        return -1;
    if (run_id)
        *run_id = id;
    return 0;
}

int db_record_rtlcheck(db_t *db, const db_rtl_check_t *chk, const db_rtl_case_t *cases,
                       size_t n, int64_t *check_id, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    const systolic_cfg_t *a = chk->array;
    char now[32], case_what[64];
    const char *what = "record rtl check";
    int rc;

    db_now(now);
    if (sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_err(err, errlen, "cannot write: %s", sqlite3_errmsg(sql));
        return -1;
    }

    rc = sqlite3_prepare_v2(sql,
                            "INSERT INTO rtl_checks(started_at, codesim_version, git_rev,"
                            " block, rows, cols, dataflow, in_bits, w_bits, acc_bits, params,"
                            " seed, cases, cycle_mismatches, value_mismatches,"
                            " count_mismatches) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            -1, &st, NULL);
    int c = 1;
    if (rc == SQLITE_OK) rc = bind_text(st, c++, now);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, CODESIM_VERSION);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, CODESIM_GIT_REV);
    if (rc == SQLITE_OK) rc = bind_text(st, c++, chk->block);
    if (a) {
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->rows);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->cols);
        if (rc == SQLITE_OK) rc = bind_text(st, c++, systolic_dataflow_name(a->dataflow));
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->in_bits);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->w_bits);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->acc_bits);
    } else {
        c += 6; /* not a systolic check: those columns stay NULL */
    }
    if (rc == SQLITE_OK) rc = bind_text(st, c++, chk->params);
    /* A seed is a bit pattern, not a count: store all 64 bits as SQLite's
     * signed integer (read back with a cast to uint64_t). */
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, (sqlite3_int64)chk->seed);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, n);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, chk->cycle_mismatches);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, chk->value_mismatches);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, chk->count_mismatches);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    st = NULL;

    int64_t id = sqlite3_last_insert_rowid(sql);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(sql,
                                "INSERT INTO rtl_cases(check_id, idx, m, n, k, model_cycles,"
                                " rtl_cycles, value_mismatches, counts_match)"
                                " VALUES(?,?,?,?,?,?,?,?,?)",
                                -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        const db_rtl_case_t *k = &cases[i];
        snprintf(case_what, sizeof case_what, "record rtl check: case %zu", i);
        what = case_what;
        sqlite3_reset(st);
        c = 1;
        rc = sqlite3_bind_int64(st, c++, id);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, i);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, k->m);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, k->n);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, k->k);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, k->model_cycles);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, k->rtl_cycles);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, k->value_mismatches);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, c++, k->counts_match != 0);
        if (rc == SQLITE_OK) rc = db_step(st);
    }
    sqlite3_finalize(st);

    if (rc == SQLITE_OK)
        what = "record rtl check";
    if (db_finish(db, rc, what, err, errlen) != 0)
        return -1;
    if (check_id)
        *check_id = id;
    return 0;
}

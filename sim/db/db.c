/* db.c - the SQLite results database: open (inspect, migrate) and the
 * writes.  The schema is schema.c's table list; merge.c merges, query.c reads.
 *
 * Invariants:
 *   - db_open() only reads a file until it has proved the file is either an
 *     empty SQLite database or a codesim database of a version this build
 *     reads; only then does it switch to WAL (which rewrites the header),
 *     create tables or migrate an older version (one transaction that adds
 *     the tables and columns it lacks).  So a file we refuse is left byte
 *     for byte as it was.
 *   - Sweep points are unique by (config_hash, workload_hash); the parent of
 *     `codesim sweep` is their only writer, one transaction per point.
 *   - Every write (schema creation, a run, an RTL check) is one BEGIN
 *     IMMEDIATE ... COMMIT; any failure rolls back, so no partial rows exist.
 *   - A write waits for another connection's lock in db_busy(): 5 s from
 *     db_open(), for as long as it takes from db_open_waiting() (codesim
 *     run, so no finished simulation is lost to a lock).
 *   - db_open() refuses at open a table that a write would fail on
 *     (db_check_tables), not after a whole simulation; and, for writing and
 *     reading alike, a column declared with another type than the schema's
 *     and any trigger, view or index codesim did not make (db_check_objects).
 *   - query.c never reads text or a blob as a number (row_numbers).
 *   - Error strings are one line: "FILE: reason" from db_open(); the record
 *     functions leave out FILE ("record run: layer 1 (fc2): reason"), as
 *     their callers already name the database they opened.
 */
#include "db_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../models/systolic.h"
#include "../../models/util.h"

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

/* ---- helpers ------------------------------------------------------------ */

/* snprintf into err, folding any line break into a space so callers can
 * print the message as one line. */
void db_err(char *err, size_t errlen, const char *fmt, ...)
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

int db_bind_text(sqlite3_stmt *st, int col, const char *s)
{
    return s ? sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, col);
}

/* Message for rc from the last call on sql; SQLITE_RANGE from bind_u64 has
 * no connection message of its own. */
const char *db_msg(sqlite3 *sql, int rc)
{
    /* SQLite says "database or disk is full" for SQLITE_FULL, and "disk I/O
     * error" when growing the -shm or -wal file fails with ENOSPC. */
    const int sys = sqlite3_system_errno(sql);
    if ((rc & 0xff) == SQLITE_FULL ||
        ((rc & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT)))
        return "the disk is full (no space left for the database or its -wal/-shm files)";
    if (rc == SQLITE_RANGE)
        return "value exceeds the 64-bit signed integer range";
    if (rc == SQLITE_NOMEM)
        return sqlite3_errstr(rc);
    return sqlite3_errmsg(sql);
}

/* Rolls back if a transaction is still open (SQLite may already have rolled
 * it back itself, e.g. after SQLITE_FULL). */
void db_rollback(sqlite3 *sql)
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

/* Whether column c is part of the key flag names (DB_COL_KEY, DB_COL_UNIQUE);
 * a column typed "... PRIMARY KEY" (meta.key) is its table's whole key. */
static int in_key(const db_column_t *c, unsigned flag)
{
    return (c->flags & flag) || (flag == DB_COL_KEY && strstr(c->type, "PRIMARY KEY"));
}

/* Whether index `index` of table t (origin "pk" or "u": made by a PRIMARY
 * KEY or UNIQUE constraint) covers exactly the columns flagged `flag`. */
static int index_is_key(sqlite3 *sql, const char *index, const db_table_t *t, unsigned flag,
                        int *rcp)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(sql, "SELECT name FROM pragma_index_info(?1, 'main')", -1, &st,
                                NULL);
    size_t n = 0, want = 0;
    int ok = 1;
    if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        size_t i = 0;
        while (col && i < t->ncols && strcmp(col, t->cols[i].name) != 0)
            i++;
        ok &= col && i < t->ncols && in_key(&t->cols[i], flag);
        n++;
        rc = SQLITE_OK;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(st);
    for (size_t i = 0; i < t->ncols; i++)
        want += in_key(&t->cols[i], flag);
    *rcp = rc;
    return ok && n == want && n > 0;
}

/* codesim makes tables, and the indexes their PRIMARY KEY and UNIQUE
 * constraints imply; nothing else.  A database holding a trigger (it fires
 * on codesim's own writes: it could delete rows), a view, or an index
 * someone else made on a codesim table (a UNIQUE one fails a write only
 * after a whole simulation) is refused at open, naming the object.  A merged
 * file "may be anyone's" (README). */
static int db_check_objects(db_t *db, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    char why[300] = "";
    int rc = sqlite3_prepare_v2(sql, "SELECT type, name, tbl_name FROM sqlite_master"
                                " WHERE type IN ('trigger', 'view') ORDER BY rowid LIMIT 1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *tbl = (const char *)sqlite3_column_text(st, 2);
        const int trig = type && !strcmp(type, "trigger");
        snprintf(why, sizeof why, "%s %.60s%s%.60s: codesim makes no %ss",
                 trig ? "trigger" : "view", name ? name : "?", trig ? " on " : "",
                 trig && tbl ? tbl : "",
                 trig ? "trigger" : "view");
        rc = SQLITE_OK;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(st);
    st = NULL;
    size_t ntables;
    const db_table_t *tables = db_schema(&ntables);
    if (rc == SQLITE_OK && !why[0])
        rc = sqlite3_prepare_v2(sql, "SELECT name, origin, partial"
                                " FROM pragma_index_list(?1, 'main')", -1, &st, NULL);
    for (size_t ti = 0; rc == SQLITE_OK && !why[0] && ti < ntables; ti++) {
        const db_table_t *t = &tables[ti];
        sqlite3_reset(st);
        rc = sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        while (rc == SQLITE_OK && !why[0] && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            const char *origin = (const char *)sqlite3_column_text(st, 1);
            const int partial = sqlite3_column_int(st, 2);
            const unsigned flag = origin && !strcmp(origin, "pk")  ? DB_COL_KEY
                                  : origin && !strcmp(origin, "u") ? DB_COL_UNIQUE
                                                                   : 0;
            int irc = SQLITE_OK;
            if (!flag || partial || !index_is_key(sql, name ? name : "", t, flag, &irc))
                snprintf(why, sizeof why, "index %.60s on %s: codesim makes no indexes beside "
                         "its tables' keys", name ? name : "?", t->name);
            rc = irc;
        }
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot read the schema: %s", db->path, db_msg(sql, rc));
        return -1;
    }
    if (why[0]) {
        db_err(err, errlen, "%s: not a codesim results database (%s)", db->path, why);
        return -1;
    }
    return 0;
}

/* Classifies the open file without writing to it.  Returns 0 with *version
 * (0: empty), or -1 with err set: "not a codesim results database (why)", or
 * "cannot write" when SQLite cannot even read it (e.g. no room for the -shm
 * file of a WAL database in a read-only directory). */
int db_inspect(db_t *db, int *version, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    size_t ntables;
    const db_table_t *tables = db_schema(&ntables);
    int have[DB_MAX_TABLES] = {0};
    int nobjects = 0, rc;  /* tables, indexes, views, triggers */

    /* Reading sqlite_master is the first access to page 1: a file that is
     * not SQLite fails here with SQLITE_NOTADB. */
    rc = sqlite3_prepare_v2(sql, "SELECT name, type = 'table' FROM sqlite_master", -1, &st,
                            NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int table = sqlite3_column_int(st, 1);
        nobjects++;
        for (size_t i = 0; table && name && i < ntables; i++)
            if (strcmp(name, tables[i].name) == 0)
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
        *version = 0;
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
    /* An older version is migrated in place by db_upgrade(); a newer one is
     * refused: its tables may mean things this codesim does not know. */
    char *end = NULL;
    const long v = strtol(ver, &end, 10);
    if (end == ver || *end != '\0' || v < 1 || v > DB_SCHEMA_VERSION) {
        if (end != ver && *end == '\0' && v > DB_SCHEMA_VERSION)
            db_err(err, errlen,
                   "%s: results database has schema version %s, newer than this codesim "
                   "reads (version %d): use a newer codesim",
                   db->path, ver, DB_SCHEMA_VERSION);
        else
            db_err(err, errlen,
                   "%s: results database has schema version %.20s; this codesim reads "
                   "versions 1 to %d",
                   db->path, ver, DB_SCHEMA_VERSION);
        free(ver);
        return -1;
    }
    free(ver);

    /* Every table the file's version had must be there. */
    for (size_t i = 1; i < ntables; i++) {
        if (tables[i].since <= v && !have[i]) {
            db_err(err, errlen, "%s: not a codesim results database (missing table %s)",
                   db->path, tables[i].name);
            return -1;
        }
    }
    *version = (int)v;
    return 0;
}

/* "cannot write: why", or a plain statement that another process holds the
 * write lock (SQLITE_BUSY after the busy timeout). */
void db_write_err(char *err, size_t errlen, const char *path, sqlite3 *sql)
{
    const char *p = path ? path : "", *sep = path ? ": " : "";
    if ((sqlite3_extended_errcode(sql) & 0xff) == SQLITE_BUSY)
        db_err(err, errlen,
               "%s%sdatabase is locked by another process (gave up after %d s); try again "
               "when it has finished",
               p, sep, DB_BUSY_TIMEOUT_MS / 1000);
    else
        db_err(err, errlen, "%s%scannot write: %s", p, sep,
               db_msg(sql, sqlite3_extended_errcode(sql)));
}

/* Every table of db_schema() the file has must take codesim's writes, or
 * a run would fail only at its final write: each column that the migration
 * cannot add (a key, NOT NULL, the id) is there, the id is the primary key,
 * and no column codesim does not know is NOT NULL without a default.
 * *complete = 0 when only columns the migration adds are missing. */
static int db_check_tables(db_t *db, int *complete, char *err, size_t errlen)
{
    size_t ntables;
    const db_table_t *tables = db_schema(&ntables);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql,
                                "SELECT name, \"notnull\" AND dflt_value IS NULL, pk, type"
                                " FROM pragma_table_info(?1, 'main')",
                                -1, &st, NULL);
    *complete = 1;
    for (size_t ti = 0; rc == SQLITE_OK && ti < ntables; ti++) {
        const db_table_t *t = &tables[ti];
        int have[256] = {0}, exists = 0;
        char why[160] = "", typewhy[160] = ""; /* a missing key column says more: first */
        if (t->ncols > sizeof have / sizeof have[0])
            rc = SQLITE_TOOBIG;
        sqlite3_reset(st);
        if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            const int required = sqlite3_column_int(st, 1), pk = sqlite3_column_int(st, 2);
            size_t i = 0;
            exists = 1;
            rc = SQLITE_OK;
            while (name && i < t->ncols && strcmp(name, t->cols[i].name) != 0)
                i++;
            if (i < t->ncols) {
                /* the declared type decides how SQLite stores a value (its
                 * affinity): a REAL column declared TEXT keeps '1e3' as text */
                const char *type = (const char *)sqlite3_column_text(st, 3);
                const char *want = t->cols[i].type;
                const size_t wl = strcspn(want, " ");
                have[i] = 1;
                if ((!type || strlen(type) != wl || strncasecmp(type, want, wl) != 0) &&
                    !typewhy[0])
                    snprintf(typewhy, sizeof typewhy, "table %s: column %.40s is declared '%.20s', "
                             "codesim's is %.*s", t->name, name, type ? type : "", (int)wl, want);
                if (t->id && strcmp(name, t->id) == 0 && pk != 1 && !why[0])
                    snprintf(why, sizeof why, "table %s: %.40s is not its primary key",
                             t->name, name);
            } else if (required && !pk && !why[0]) {
                snprintf(why, sizeof why, "table %s has a NOT NULL column %.40s codesim "
                         "does not fill", t->name, name ? name : "?");
            }
        }
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        for (size_t i = 0; rc == SQLITE_OK && exists && i < t->ncols; i++) {
            if (have[i])
                continue;
            if (db_column_addable(t, &t->cols[i]))
                *complete = 0;
            else if (!why[0])
                snprintf(why, sizeof why, "table %s has no column %s", t->name,
                         t->cols[i].name);
        }
        if (!why[0])
            memcpy(why, typewhy, sizeof why);
        if (rc == SQLITE_OK && why[0]) {
            db_err(err, errlen, "%s: not a codesim results database (%s)", db->path, why);
            sqlite3_finalize(st);
            return -1;
        }
    }
    if (rc != SQLITE_OK)
        db_err(err, errlen, "%s: cannot read the schema: %s", db->path, db_msg(db->sql, rc));
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return -1;
    return db_check_objects(db, err, errlen);
}

/* Milliseconds of CLOCK_MONOTONIC. */
static long long db_clock_ms(void)
{
    return (long long)(util_now_s() * 1000.0);
}

/* SQLite's busy handler: called while another connection holds the lock we
 * need, count = 0 on the first try of each wait.  Sleeps 1, 2, 4 ... up to
 * 100 ms between tries (quick when the other write is short, cheap when it
 * is long); gives up (returns 0: SQLITE_BUSY) after db->wait_ms unless that
 * is negative. */
static int db_busy(void *arg, int count)
{
    db_t *db = arg;
    const long long now = db_clock_ms();
    if (count == 0)
        db->wait_start = now;
    const long long waited = now - db->wait_start;
    if (db->wait_ms >= 0 && waited >= db->wait_ms)
        return 0;
    if (db->note && !db->noted && waited >= DB_WAIT_NOTE_MS) {
        char msg[600];
        db->noted = 1;
        db_err(msg, sizeof msg,
               "%s: another process holds the write lock; waiting for it (the results are "
               "kept)", db->path);
        db->note(db->note_ctx, msg);
    }
    int ms = count < 7 ? 1 << count : 100;
    if (db->wait_ms >= 0 && waited + ms > db->wait_ms)
        ms = (int)(db->wait_ms - waited) + 1;
    sqlite3_sleep(ms);
    return 1;
}

/* Creates the schema (an empty file) or migrates an older version in place
 * (adds the tables and columns it lacks, keeps every row), in one
 * transaction.  Another process may have done it between our inspection and
 * BEGIN IMMEDIATE; re-inspect under the lock. */
static int db_upgrade(db_t *db, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    if (sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_write_err(err, errlen, db->path, sql);
        return -1;
    }
    int version, complete = 1;
    if (db_inspect(db, &version, err, errlen) != 0 ||
        (version > 0 && db_check_tables(db, &complete, err, errlen) != 0)) {
        db_rollback(sql);
        return -1;
    }
    char why[512];
    if (version == DB_SCHEMA_VERSION && complete) { /* another process did it */
        db_rollback(sql);
        return 0;
    }
    if (db_schema_apply(sql, why, sizeof why) != 0) {
        db_err(err, errlen, "%s: cannot write: %s", db->path, why);
        db_rollback(sql);
        return -1;
    }
    if (sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot write: %s", db->path,
               db_msg(sql, sqlite3_extended_errcode(sql)));
        db_rollback(sql);
        return -1;
    }
    return 0;
}

/* db_open and db_open_waiting: wait_ms < 0 waits for a lock until it has it. */
static int db_open_with(const char *path, int wait_ms, db_note_fn note, void *note_ctx,
                        db_t **out, char *err, size_t errlen)
{
    *out = NULL;
    db_t *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        db_err(err, errlen, "%s: cannot open: out of memory", path);
        return -1;
    }
    db->wait_ms = wait_ms;
    db->note = note;
    db->note_ctx = note_ctx;

    /* Opening reads nothing yet; an existing file is not modified until the
     * first write, which we make only after db_inspect() accepts it. */
    int rc = sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot write: %s", path,
               db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_handler(db->sql, db_busy, db);

    /* A read-only file opens silently read-only; refuse it before reading
     * (reading a WAL database would leave -wal and -shm files behind). */
    if (sqlite3_db_readonly(db->sql, "main") == 1) {
        db_err(err, errlen, "%s: cannot write: %s", path, sqlite3_errstr(SQLITE_READONLY));
        goto fail;
    }

    int version, complete = 1;
    if (db_inspect(db, &version, err, errlen) != 0 ||
        (version > 0 && db_check_tables(db, &complete, err, errlen) != 0))
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

    if ((version != DB_SCHEMA_VERSION || !complete) && db_upgrade(db, err, errlen) != 0)
        goto fail;

    *out = db;
    return 0;

fail:
    db_close(db);
    return -1;
}

/* db_open_read's read-only attempt: 0 with *out when the file is a
 * complete codesim database of this version; -1 with *need_write = 1 when
 * it must be created or migrated (the caller then opens it for writing),
 * or -1 with err for a file that is no codesim database. */
static int db_open_ro(const char *path, db_t **out, int *need_write, char *err, size_t errlen)
{
    *out = NULL;
    *need_write = 0;
    db_t *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        db_err(err, errlen, "%s: cannot open: out of memory", path);
        return -1;
    }
    db->wait_ms = DB_BUSY_TIMEOUT_MS;
    int version = 0, complete = 1;
    /* A read-only connection to a WAL database creates -wal and -shm files
     * when there are none, and cannot remove them at close: they would stay
     * behind, owned by us, and break the owner's next write.  Without a
     * -wal file every committed page is in the database file itself, so it
     * is read as immutable (no lock, no -shm); with one (a writer is active
     * or did not close), through the files that exist. */
    char *uri = NULL, *wal = sqlite3_mprintf("%s-wal", path);
    const int has_wal = wal && access(wal, F_OK) == 0;
    sqlite3_free(wal);
    size_t n = 0;
    if ((uri = malloc(3 * strlen(path) + 32))) {
        n += (size_t)sprintf(uri, "file:");
        for (const unsigned char *c = (const unsigned char *)path; *c; c++)
            n += (size_t)(isalnum(*c) || strchr("/._-~", *c) ? sprintf(uri + n, "%c", *c)
                                                             : sprintf(uri + n, "%%%02X", *c));
        sprintf(uri + n, "%s", has_wal ? "?mode=ro" : "?mode=ro&immutable=1");
    }
    int rc = uri ? sqlite3_open_v2(uri, &db->sql, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL)
                 : SQLITE_NOMEM;
    free(uri);
    if (rc != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot open: %s", path,
               db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_handler(db->sql, db_busy, db);
    if (db_inspect(db, &version, err, errlen) != 0 ||
        (version > 0 && db_check_tables(db, &complete, err, errlen) != 0))
        goto fail;
    if (version != DB_SCHEMA_VERSION || !complete) {
        *need_write = 1;
        goto fail;
    }
    *out = db;
    return 0;

fail:
    db_close(db);
    return -1;
}

int db_open_read(const char *path, db_note_fn note, void *note_ctx, db_t **out, char *err,
                 size_t errlen)
{
    /* A file we may write opens as for a run (nothing changes for it); one
     * we may not is read read-only when it needs no migration. */
    int need_write = 1;
    /* A reader never creates: a missing or empty file (a truncated or
     * mistyped database) is refused, not given a schema. */
    struct stat st;
    if (stat(path, &st) != 0) {
        db_err(err, errlen, "%s: %s", path, errno == ENOENT ? "no such file" : strerror(errno));
        return -1;
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        db_err(err, errlen, "%s: empty file, not a codesim results database", path);
        return -1;
    }
    if (access(path, F_OK) == 0 && access(path, W_OK) != 0 &&
        (db_open_ro(path, out, &need_write, err, errlen) == 0 || !need_write))
        return *out ? 0 : -1;
    return db_open_with(path, -1, note, note_ctx, out, err, errlen);
}

int db_open(const char *path, db_t **out, char *err, size_t errlen)
{
    return db_open_with(path, DB_BUSY_TIMEOUT_MS, NULL, NULL, out, err, errlen);
}

int db_open_waiting(const char *path, db_note_fn note, void *note_ctx, db_t **out, char *err,
                    size_t errlen)
{
    return db_open_with(path, -1, note, note_ctx, out, err, errlen);
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
int db_finish(db_t *db, int rc, const char *what, char *err, size_t errlen)
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
int db_step(sqlite3_stmt *st)
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
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, r->name);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->m);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->n);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->k);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, r->unit ? r->unit : "systolic");
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, systolic_dataflow_name(r->dataflow));
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

/* Total cycles of n layers; -1 when the sum overflows 64 bits. */
static int run_total(const layer_result_t *res, size_t n, uint64_t *total)
{
    *total = 0;
    for (size_t i = 0; i < n; i++) {
        if (res[i].stats.total_cycles > UINT64_MAX - *total)
            return -1;
        *total += res[i].stats.total_cycles;
    }
    return 0;
}

/* Inserts one run and its layers inside the caller's transaction.  Returns
 * an SQLite code; on failure what names the row that failed. */
static int run_insert(sqlite3 *sql, const db_run_t *run, const layer_result_t *res, size_t n,
                      uint64_t total, int64_t *id, char *what, size_t whatlen)
{
    sqlite3_stmt *st = NULL;
    char now[32], hash[17];
    snprintf(what, whatlen, "record run");
    char *canon = hw_canonical(run->hw);
    if (!canon)
        return SQLITE_NOMEM;
    hw_hash(run->hw, hash);
    db_now(now);

    int rc = sqlite3_prepare_v2(sql, insert_run_sql, -1, &st, NULL);
    int c = 1;
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, now);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, CODESIM_VERSION);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, CODESIM_GIT_REV);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, run->path);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, run->hw->name);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, run->hw_file);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, run->hw->text);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, canon);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, hash);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, run->workload_file);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, run->wl ? run->wl->text : NULL);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, n);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, total);
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, c++, run->wall_seconds);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    st = NULL;
    free(canon);

    *id = sqlite3_last_insert_rowid(sql);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(sql, insert_layer_sql, -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        snprintf(what, whatlen, "record run: layer %zu (%.64s)", i, res[i].name);
        sqlite3_reset(st);
        rc = bind_layer(st, *id, i, &res[i]);
        if (rc == SQLITE_OK)
            rc = db_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK)
        snprintf(what, whatlen, "record run");
    return rc;
}

/* Inserts run_id's breakdowns rows inside the caller's transaction.  Returns
 * an SQLite code; on failure what names the row. */
static int breakdowns_insert(sqlite3 *sql, int64_t run_id, const db_breakdown_t *b, size_t n,
                             const char *who, char *what, size_t whatlen)
{
    sqlite3_stmt *st = NULL;
    int rc = n ? sqlite3_prepare_v2(sql,
                                    "INSERT INTO breakdowns(run_id, kind, component, value)"
                                    " VALUES(?,?,?,?)",
                                    -1, &st, NULL)
               : SQLITE_OK;
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        snprintf(what, whatlen, "%s: %.20s %.40s", who, b[i].kind, b[i].component);
        sqlite3_reset(st);
        rc = sqlite3_bind_int64(st, 1, run_id);
        if (rc == SQLITE_OK) rc = db_bind_text(st, 2, b[i].kind);
        if (rc == SQLITE_OK) rc = db_bind_text(st, 3, b[i].component);
        if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, 4, b[i].value);
        if (rc == SQLITE_OK) rc = db_step(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int llm_insert(sqlite3 *sql, const db_run_t *run, const db_llm_t *llm,
                      const npu_result_t *res, int64_t *idp, char *what, size_t whatlen);

int db_record_run(db_t *db, const db_run_t *run, const layer_result_t *res, size_t n,
                  int64_t *run_id, char *err, size_t errlen)
{
    return db_record_run_costs(db, run, res, n, NULL, 0, run_id, err, errlen);
}

int db_record_run_costs(db_t *db, const db_run_t *run, const layer_result_t *res, size_t n,
                        const db_breakdown_t *b, size_t nb, int64_t *run_id, char *err,
                        size_t errlen)
{
    char what[128];
    uint64_t total;
    int64_t id = 0;
    if (run_total(res, n, &total) != 0) {
        db_err(err, errlen, "record run: total cycles overflow 64 bits");
        return -1;
    }
    if (sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_write_err(err, errlen, NULL, db->sql);
        return -1;
    }
    int rc = run_insert(db->sql, run, res, n, total, &id, what, sizeof what);
    if (rc == SQLITE_OK)
        rc = breakdowns_insert(db->sql, id, b, nb, "record run", what, sizeof what);
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
        db_write_err(err, errlen, NULL, sql);
        return -1;
    }

    rc = sqlite3_prepare_v2(sql,
                            "INSERT INTO rtl_checks(started_at, codesim_version, git_rev,"
                            " block, rows, cols, dataflow, in_bits, w_bits, acc_bits, params,"
                            " seed, cases, cycle_mismatches, value_mismatches,"
                            " count_mismatches) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            -1, &st, NULL);
    int c = 1;
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, now);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, CODESIM_VERSION);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, CODESIM_GIT_REV);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, chk->block);
    if (a) {
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->rows);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->cols);
        if (rc == SQLITE_OK) rc = db_bind_text(st, c++, systolic_dataflow_name(a->dataflow));
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->in_bits);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->w_bits);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, a->acc_bits);
    } else {
        c += 6; /* not a systolic check: those columns stay NULL */
    }
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, chk->params);
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

/* ---- sweep points ------------------------------------------------------- */

int db_has_point(db_t *db, const char *config_hash, const char *workload_hash, int *has,
                 char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql,
                                "SELECT 1 FROM sweep_points WHERE config_hash = ?"
                                " AND workload_hash = ?",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) rc = db_bind_text(st, 1, config_hash);
    if (rc == SQLITE_OK) rc = db_bind_text(st, 2, workload_hash);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        *has = rc == SQLITE_ROW;
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        db_err(err, errlen, "look up sweep point: %s", db_msg(db->sql, rc));
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* NaN (not modelled) is stored as NULL. */
static int bind_real(sqlite3_stmt *st, int col, double v)
{
    return v == v ? sqlite3_bind_double(st, col, v) : sqlite3_bind_null(st, col);
}

/* db_record_point (llm NULL) and db_record_llm_point (res, n unused). */
static int point_store(db_t *db, const db_point_t *pt, const db_run_t *run,
                       const layer_result_t *res, size_t n, const db_llm_t *llm,
                       const npu_result_t *llm_res, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    char what[128] = "record sweep point";
    int64_t run_id = 0;
    uint64_t total = 0, macs = 0, dram = 0;
    /* An LLM point: prefill + decode cycles, MACs and DMA bytes of the run.
     * Every point's PEs are every core's (a layer workload runs on all the
     * machine's cores too, sim/run/run.h). */
    const uint64_t pes = (uint64_t)pt->hw->array.rows * pt->hw->array.cols *
                         (pt->hw->npu.cores ? pt->hw->npu.cores : 1);
    if (llm) {
        total = llm_res->total_cycles;
        macs = llm_res->macs;
        dram = llm_res->dram_bytes;
    } else if (run_total(res, n, &total) != 0) {
        db_err(err, errlen, "record sweep point: total cycles overflow 64 bits");
        return -1;
    }
    for (size_t i = 0; !llm && i < n; i++) {
        macs += res[i].stats.macs;
        dram += res[i].stats.dram_read_bytes + res[i].stats.dram_write_bytes;
    }
    if (sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_write_err(err, errlen, NULL, sql);
        return -1;
    }
    /* Under the write lock: another writer may have stored it meanwhile. */
    int has = 0;
    if (db_has_point(db, pt->config_hash, pt->workload_hash, &has, err, errlen) != 0) {
        db_rollback(sql);
        return -1;
    }
    if (has) {
        db_rollback(sql);
        return 1;
    }
    int rc = SQLITE_OK;
    if (!pt->error && llm)
        rc = llm_insert(sql, run, llm, llm_res, &run_id, what, sizeof what);
    else if (!pt->error)
        rc = run_insert(sql, run, res, n, total, &run_id, what, sizeof what);
    if (rc == SQLITE_OK) {
        snprintf(what, sizeof what, "record sweep point %llu", (unsigned long long)pt->point);
        rc = sqlite3_prepare_v2(
            sql,
            "INSERT INTO sweep_points(run_id, config_hash, workload_hash, sweep, point, params,"
            " workload_file, error, rows, cols, dataflow, in_bits, w_bits, acc_bits,"
            " ifmap_bytes, filter_bytes, ofmap_bytes, dram_bytes_per_cycle, pes, sram_bytes,"
            " total_cycles, macs, dram_bytes, utilization, area_mm2, energy_pj, tops,"
            " tops_per_w, tops_per_mm2)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            -1, &st, NULL);
    }
    const hw_cfg_t *hw = pt->hw;
    int c = 1;
    if (rc == SQLITE_OK)
        rc = pt->error ? sqlite3_bind_null(st, c) : sqlite3_bind_int64(st, c, run_id);
    c++;
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, pt->config_hash);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, pt->workload_hash);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, pt->sweep);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, pt->point);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, pt->params);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, pt->workload_file);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, pt->error);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->array.rows);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->array.cols);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, systolic_dataflow_name(hw->array.dataflow));
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->array.in_bits);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->array.w_bits);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->array.acc_bits);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->sram.ifmap_bytes);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->sram.filter_bytes);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->sram.ofmap_bytes);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, hw->dma.bytes_per_cycle);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, pes);
    if (rc == SQLITE_OK)
        rc = bind_u64(st, c++, hw->sram.ifmap_bytes + hw->sram.filter_bytes +
                                   hw->sram.ofmap_bytes);
    if (pt->error) {
        c += 4; /* no results: NULL */
    } else {
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, total);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, macs);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, dram);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_double(st, c++,
                                     total ? (double)macs / ((double)pes * (double)total) : 0.0);
    }
    if (rc == SQLITE_OK) rc = bind_real(st, c++, pt->area_mm2);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, pt->energy_pj);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, pt->tops);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, pt->tops_per_w);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, pt->tops_per_mm2);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    st = NULL;

    if (rc == SQLITE_OK && !pt->error) {
        char who[64];
        snprintf(who, sizeof who, "record sweep point %llu", (unsigned long long)pt->point);
        rc = breakdowns_insert(sql, run_id, pt->breakdown, pt->nbreakdown, who, what,
                               sizeof what);
    }
    return db_finish(db, rc, what, err, errlen);
}

int db_record_point(db_t *db, const db_point_t *pt, const db_run_t *run,
                    const layer_result_t *res, size_t n, char *err, size_t errlen)
{
    return point_store(db, pt, run, res, n, NULL, NULL, err, errlen);
}

int db_record_llm_point(db_t *db, const db_point_t *pt, const db_run_t *run,
                        const db_llm_t *llm, const npu_result_t *res, char *err, size_t errlen)
{
    return point_store(db, pt, run, NULL, 0, llm, res, err, errlen);
}

/* ---- LLM runs and synthesis checks (schema version 3) ------------------- */

/* Inserts an LLM run (runs row, llm_runs, llm_units, llm_ops) inside the
 * caller's transaction.  Returns an SQLite code; on failure what names the
 * row that failed. */
static int llm_insert(sqlite3 *sql, const db_run_t *run, const db_llm_t *llm,
                      const npu_result_t *res, int64_t *idp, char *what, size_t whatlen)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    int rc = run_insert(sql, run, NULL, 0, res->total_cycles, &id, what, whatlen);
    *idp = id;
    if (rc == SQLITE_OK)
        snprintf(what, whatlen, "record llm run");
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(sql,
                                "INSERT INTO llm_runs(run_id, model, mode, batch, prompt, gen,"
                                " wbits, abits, kvbits, cores, freq_mhz, prefill_cycles,"
                                " decode_cycles, decode_steps, ttft_s, tpot_s, tokens_per_s,"
                                " macs, mapper_flops, dram_bytes, dram_gbps, commands, route_seed,"
                                " routing_file, routing_hash)"
                                " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                -1, &st, NULL);
    int c = 1;
    const mapper_run_t *r = llm->run;
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, id);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, llm->model);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, llm->mode);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->batch);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->prompt);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->gen);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->wbits);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->abits);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, r->kvbits);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, llm->npu->cores);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, llm->npu->freq_mhz);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->prefill_cycles);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->decode_cycles);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->decode_steps);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, res->ttft_s);
    /* no decode step (gen 1): no time per output token, NULL, which pareto
     * counts as "without tpot_s" (0.0 ranked such a point the best) */
    if (rc == SQLITE_OK) rc = bind_real(st, c++, res->decode_steps ? res->tpot_s : NAN);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, res->tokens_per_s);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->macs);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->mapper_flops);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->dram_bytes);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, res->dram_gbps);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->commands);
    if (rc == SQLITE_OK) {
        /* the seed is a bit pattern, stored as rtl_checks.seed is (signed) */
        rc = llm->moe && !llm->routing_file
                 ? sqlite3_bind_int64(st, c++, (sqlite3_int64)llm->route_seed)
                 : sqlite3_bind_null(st, c++);
    }
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, llm->routing_file);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, llm->routing_hash);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(sql, "INSERT INTO llm_units(run_id, unit,"
                                " busy, utilization) VALUES(?,?,?,?)", -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < res->nunits; i++) {
        sqlite3_reset(st);
        rc = sqlite3_bind_int64(st, 1, id);
        if (rc == SQLITE_OK) rc = db_bind_text(st, 2, res->units[i].name);
        if (rc == SQLITE_OK) rc = bind_u64(st, 3, res->units[i].busy);
        if (rc == SQLITE_OK) rc = bind_real(st, 4, res->units[i].utilization);
        if (rc == SQLITE_OK) rc = db_step(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(sql, "INSERT INTO llm_ops(run_id, idx, name,"
                                " phase, unit, cycles, macs) VALUES(?,?,?,?,?,?,?)", -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < res->nops; i++) {
        const npu_op_stat_t *o = &res->ops[i];
        sqlite3_reset(st);
        rc = sqlite3_bind_int64(st, 1, id);
        if (rc == SQLITE_OK) rc = bind_u64(st, 2, i);
        if (rc == SQLITE_OK) rc = db_bind_text(st, 3, o->name);
        if (rc == SQLITE_OK) rc = db_bind_text(st, 4, mapper_phase_name(o->phase));
        if (rc == SQLITE_OK) rc = db_bind_text(st, 5, mapper_unit_name(o->unit));
        if (rc == SQLITE_OK) rc = bind_u64(st, 6, o->cycles);
        if (rc == SQLITE_OK) rc = bind_u64(st, 7, o->macs);
        if (rc == SQLITE_OK) rc = db_step(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int db_record_llm(db_t *db, const db_run_t *run, const db_llm_t *llm, const npu_result_t *res,
                  int64_t *run_id, char *err, size_t errlen)
{
    return db_record_llm_costs(db, run, llm, res, NULL, 0, run_id, err, errlen);
}

int db_record_llm_costs(db_t *db, const db_run_t *run, const db_llm_t *llm,
                        const npu_result_t *res, const db_breakdown_t *b, size_t nb,
                        int64_t *run_id, char *err, size_t errlen)
{
    char what[128] = "record llm run";
    int64_t id = 0;
    if (sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_write_err(err, errlen, NULL, db->sql);
        return -1;
    }
    int rc = llm_insert(db->sql, run, llm, res, &id, what, sizeof what);
    if (rc == SQLITE_OK)
        rc = breakdowns_insert(db->sql, id, b, nb, "record llm run", what, sizeof what);
    if (db_finish(db, rc, what, err, errlen) != 0)
        return -1;
    if (run_id)
        *run_id = id;
    return 0;
}

int db_record_synth(db_t *db, const db_synth_t *chk, const db_synth_size_t *sizes, size_t n,
                    int64_t *check_id, char *err, size_t errlen)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    char now[32];
    db_now(now);
    if (sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_write_err(err, errlen, NULL, sql);
        return -1;
    }
    int rc = sqlite3_prepare_v2(sql,
                                "INSERT INTO synth_checks(started_at, codesim_version, git_rev,"
                                " block, tech, bits, acc_bits, tolerance, sizes, outside)"
                                " VALUES(?,?,?,?,?,?,?,?,?,?)",
                                -1, &st, NULL);
    int c = 1;
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, now);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, CODESIM_VERSION);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, CODESIM_GIT_REV);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, chk->block);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, chk->tech);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, chk->bits);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, chk->acc_bits);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, chk->tolerance);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, n);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, chk->outside);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    st = NULL;
    const int64_t id = sqlite3_last_insert_rowid(sql);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(sql, "INSERT INTO synth_sizes(check_id, rows, cols, cells,"
                                " dffs, synth_um2, model_um2, synth_ratio, model_ratio,"
                                " deviation, yosys_seconds) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                                -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        const db_synth_size_t *z = &sizes[i];
        sqlite3_reset(st);
        c = 1;
        rc = sqlite3_bind_int64(st, c++, id);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, z->rows);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, z->cols);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, z->cells);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, z->dffs);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, z->synth_um2);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, z->model_um2);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, z->synth_ratio);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, z->model_ratio);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, z->deviation);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, z->yosys_seconds);
        if (rc == SQLITE_OK) rc = db_step(st);
    }
    sqlite3_finalize(st);
    if (db_finish(db, rc, "record synth check", err, errlen) != 0)
        return -1;
    if (check_id)
        *check_id = id;
    return 0;
}

int db_record_serve(db_t *db, const db_run_t *run, const db_serve_t *sum,
                    const serve_result_t *res, int64_t *run_id, char *err, size_t errlen)
{
    char what[128] = "record serve run";
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    if (sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_write_err(err, errlen, NULL, sql);
        return -1;
    }
    int rc = run_insert(sql, run, NULL, 0, sum->total_cycles, &id, what, sizeof what);
    if (rc == SQLITE_OK) {
        snprintf(what, sizeof what, "record serve run");
        rc = sqlite3_prepare_v2(sql,
                                "INSERT INTO serve_runs(run_id, model, requests, max_batch,"
                                " token_budget, chunk, block_tokens, bucket, preempt, kv_blocks,"
                                " kv_peak_blocks, kv_full, preemptions, iterations, makespan_s,"
                                " rate, req_per_s, tok_per_s, ttft_p50_s, ttft_p90_s, ttft_p99_s,"
                                " tpot_p50_s, tpot_p90_s, tpot_p99_s, e2e_p50_s, e2e_p90_s,"
                                " e2e_p99_s, mean_in_system)"
                                " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                -1, &st, NULL);
    }
    int c = 1;
    const serve_cfg_t *cf = sum->cfg;
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, c++, id);
    if (rc == SQLITE_OK) rc = db_bind_text(st, c++, sum->model);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->n);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, cf->max_batch);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, cf->token_budget);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, cf->chunk);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, cf->block_tokens);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, cf->bucket);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, (uint64_t)(cf->preempt != 0));
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->kv_blocks);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->kv_peak_blocks);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->kv_full);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->preemptions);
    if (rc == SQLITE_OK) rc = bind_u64(st, c++, res->iterations);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, res->makespan_s);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, sum->rate);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, sum->req_per_s);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, sum->tok_per_s);
    for (int k = 0; k < 3; k++)
        if (rc == SQLITE_OK) rc = bind_real(st, c++, sum->ttft[k]);
    for (int k = 0; k < 3; k++)
        if (rc == SQLITE_OK) rc = bind_real(st, c++, sum->tpot[k]);
    for (int k = 0; k < 3; k++)
        if (rc == SQLITE_OK) rc = bind_real(st, c++, sum->e2e[k]);
    if (rc == SQLITE_OK) rc = bind_real(st, c++, res->mean_in_system);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(sql, "INSERT INTO serve_requests(run_id, idx, arrival_s, prompt,"
                                " gen, ttft_s, tpot_s, e2e_s, preemptions, slot)"
                                " VALUES(?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < res->n; i++) {
        const serve_req_result_t *q = &res->reqs[i];
        sqlite3_reset(st);
        c = 1;
        rc = sqlite3_bind_int64(st, c++, id);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, i);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, q->arrival_s);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, q->prompt);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, q->gen);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, q->ttft_s);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, q->gen > 1 ? q->tpot_s : NAN);
        if (rc == SQLITE_OK) rc = bind_real(st, c++, q->e2e_s);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, q->preemptions);
        if (rc == SQLITE_OK) rc = bind_u64(st, c++, q->slot);
        if (rc == SQLITE_OK) rc = db_step(st);
    }
    sqlite3_finalize(st);
    if (db_finish(db, rc, what, err, errlen) != 0)
        return -1;
    if (run_id)
        *run_id = id;
    return 0;
}

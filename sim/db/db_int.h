/* db_int.h - private to sim/db/: the connection and the helpers its files
 * share.  Nothing outside sim/db/ includes it; the interface is db.h. */
#ifndef CODESIM_DB_INT_H
#define CODESIM_DB_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "db.h"

#define DB_BUSY_TIMEOUT_MS 5000 /* db_open(): how long a write waits for another's lock */
#define DB_WAIT_NOTE_MS 3000    /* db_open_waiting(): the note after this long a wait */

struct db {
    sqlite3 *sql;
    char *path;
    int wait_ms;           /* how long a write waits for another's lock; < 0: until it has it */
    db_note_fn note;       /* called once, after DB_WAIT_NOTE_MS of waiting; may be NULL */
    void *note_ctx;
    int noted;             /* note was called */
    long long wait_start;  /* ms (CLOCK_MONOTONIC) when the current wait began */
};

/* snprintf into err, any line break folded into a space (one-line messages). */
void db_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The message for rc from the last call on sql; a full disk (SQLITE_FULL, or
 * an I/O error whose errno is ENOSPC or EDQUOT) says so. */
const char *db_msg(sqlite3 *sql, int rc);

/* "[PATH: ]cannot write: why", or that another process holds the write lock. */
void db_write_err(char *err, size_t errlen, const char *path, sqlite3 *sql);

/* Rolls back if a transaction is still open. */
void db_rollback(sqlite3 *sql);

/* Ends a write: COMMIT when rc is SQLITE_OK, otherwise (or if COMMIT fails)
 * ROLLBACK with "what: sqlite message" in err.  0 or -1. */
int db_finish(db_t *db, int rc, const char *what, char *err, size_t errlen);

/* Steps a statement that returns no row: SQLITE_OK or the error. */
int db_step(sqlite3_stmt *st);

/* Binds s, or NULL when s is NULL. */
int db_bind_text(sqlite3_stmt *st, int col, const char *s);

/* Classifies an open file without writing to it: *version is 0 for an empty
 * SQLite file, else its codesim schema version (1..DB_SCHEMA_VERSION, with
 * every table that version had).  -1 with err "PATH: reason" otherwise. */
int db_inspect(db_t *db, int *version, char *err, size_t errlen);

/* ---- schema.c ---- */

/* Whether ALTER TABLE ADD COLUMN can add c to an existing t (not a key, not
 * NOT NULL, not the id): the migration adds these, nothing else. */
int db_column_addable(const db_table_t *t, const db_column_t *c);

/* Which columns of table t the database schema ("main", "src") has:
 * have[i] for t->cols[i] (have may be NULL); *exists whether the table is
 * there at all.  An SQLite code. */
int db_table_columns(sqlite3 *sql, const char *schema, const db_table_t *t, int *exists,
                     int *have);

/* Inside the caller's transaction: creates every table of db_schema() that
 * main lacks and adds every column an existing table lacks; sets
 * meta.schema_version to DB_SCHEMA_VERSION.  0, or -1 with err "reason". */
int db_schema_apply(sqlite3 *sql, char *err, size_t errlen);

/* The index of table name in db_schema(), or -1. */
int db_table_index(const char *name);

#endif

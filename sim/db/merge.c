/* merge.c - `codesim db merge`: every table of db_schema() copied from an
 * input database, generically, in one transaction.
 *
 * The input is attached as "src" to the output's connection and read table
 * by table in schema order (parents first), row by row in rowid order:
 *   - a column that holds another table's id (db_column_t.ref) takes the id
 *     its parent row got in main, found in that table's id map (src id ->
 *     main id, ascending, as the parent rows were read in rowid order);
 *   - a table with a UNIQUE key skips a row whose key main holds (a sweep
 *     point already merged), and so do the rows it owns (DB_COL_OWNS: the
 *     point's run, decided before the run's table is read);
 *   - a row with no parent and no owner (a plain run, an RTL or synthesis
 *     check) is skipped when main has a row equal in every column but the
 *     id that no main row owns;
 *   - a child row follows its parent: skipped with it, else copied.
 * A column the input lacks (an older version) is copied as NULL; a table it
 * lacks has nothing to copy.  The input is never written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "../../models/util.h"

/* Where one src row of an id table went. */
typedef struct {
    int64_t from, to;  /* src id, main id (0 when skipped without a main id) */
    int skipped;
} idmap_ent_t;

typedef struct {
    idmap_ent_t *e;
    size_t n, cap;
} idmap_t;

/* What an owner row decided for the row it owns. */
typedef struct {
    int table;         /* index of the owned row's table */
    int64_t id;        /* its src id */
    int skipped;
} owned_t;

typedef struct {
    sqlite3 *sql;
    const db_table_t *tables;
    size_t ntables;
    idmap_t map[DB_MAX_TABLES];
    owned_t *owned;
    size_t nowned, owned_cap;
    uint64_t owned_added[DB_MAX_TABLES], owned_skipped[DB_MAX_TABLES];
    char what[256];    /* the row that failed */
    int bad;           /* what is the whole reason: the input is inconsistent */
} merge_t;

static int map_add(idmap_t *m, int64_t from, int64_t to, int skipped)
{
    if (m->n == m->cap) {
        const size_t c = m->cap ? 2 * m->cap : 256;
        idmap_ent_t *p = realloc(m->e, c * sizeof *p);
        if (!p)
            return SQLITE_NOMEM;
        m->e = p;
        m->cap = c;
    }
    m->e[m->n++] = (idmap_ent_t){from, to, skipped};
    return SQLITE_OK;
}

static const idmap_ent_t *map_find(const idmap_t *m, int64_t from)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (m->e[mid].from < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && m->e[lo].from == from ? &m->e[lo] : NULL;
}

static int owned_cmp(const void *a, const void *b)
{
    const owned_t *x = a, *y = b;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static const owned_t *owned_find(const merge_t *mg, int table, int64_t id)
{
    const owned_t key = {table, id, 0};
    return mg->nowned ? bsearch(&key, mg->owned, mg->nowned, sizeof key, owned_cmp) : NULL;
}

/* ---- per-table statements --------------------------------------------------- */

/* A growing SQL string (only identifiers from the schema are pasted in). */
typedef struct {
    char s[8192];
    size_t n;
    int overflow;
} qbuf_t;

static void qadd(qbuf_t *q, const char *a, const char *b, const char *c)
{
    const int k = snprintf(q->s + q->n, sizeof q->s - q->n, "%s%s%s", a, b ? b : "", c ? c : "");
    if (k < 0 || (size_t)k >= sizeof q->s - q->n)
        q->overflow = 1;
    else
        q->n += (size_t)k;
}

typedef struct {
    const db_table_t *t;
    int index;
    int have[256];      /* src has column i */
    int id_col;         /* index of the id column, or -1 */
    int root;           /* no column refers to a parent that decides for it */
    int unique;         /* has a UNIQUE key */
    int owned;          /* some table's DB_COL_OWNS column refers to it */
    sqlite3_stmt *sel;  /* src rows, every column of the schema (NULL where src lacks it) */
    sqlite3_stmt *ins;  /* main insert of every column but the id */
    sqlite3_stmt *key;  /* main row with this UNIQUE key */
    sqlite3_stmt *same; /* main row equal in every column but the id, owned by none */
} tstate_t;

static void tstate_free(tstate_t *ts)
{
    sqlite3_finalize(ts->sel);
    sqlite3_finalize(ts->ins);
    sqlite3_finalize(ts->key);
    sqlite3_finalize(ts->same);
}

static int prepare(merge_t *mg, qbuf_t *q, sqlite3_stmt **st)
{
    if (q->overflow)
        return SQLITE_TOOBIG;
    return sqlite3_prepare_v2(mg->sql, q->s, -1, st, NULL);
}

/* Prepares the statements of table index ti; *present = 0 when src lacks it. */
static int tstate_init(merge_t *mg, int ti, tstate_t *ts, int *present)
{
    const db_table_t *t = &mg->tables[ti];
    memset(ts, 0, sizeof *ts);
    ts->t = t;
    ts->index = ti;
    ts->id_col = -1;
    ts->root = 1;
    if (t->ncols > ARRAY_LEN(ts->have))
        return SQLITE_TOOBIG;
    int rc = db_table_columns(mg->sql, "src", t, present, ts->have);
    if (rc != SQLITE_OK || !*present)
        return rc;
    for (size_t i = 0; i < t->ncols; i++) {
        const db_column_t *c = &t->cols[i];
        if (t->id && strcmp(c->name, t->id) == 0)
            ts->id_col = (int)i;
        if (c->ref && !(c->flags & DB_COL_OWNS))
            ts->root = 0;
        if (c->flags & DB_COL_UNIQUE)
            ts->unique = 1;
    }
    for (size_t k = 0; k < mg->ntables; k++)
        for (size_t i = 0; i < mg->tables[k].ncols; i++) {
            const db_column_t *c = &mg->tables[k].cols[i];
            if ((c->flags & DB_COL_OWNS) && c->ref && strcmp(c->ref, t->name) == 0)
                ts->owned = 1;
        }

    qbuf_t q = {.n = 0};
    qadd(&q, "SELECT ", NULL, NULL);
    for (size_t i = 0; i < t->ncols; i++)
        qadd(&q, i ? ", " : "", ts->have[i] ? t->cols[i].name : "NULL", NULL);
    qadd(&q, " FROM src.", t->name, " ORDER BY rowid");
    rc = prepare(mg, &q, &ts->sel);

    q.n = 0;
    qadd(&q, "INSERT INTO main.", t->name, "(");
    const char *sep = "";
    for (size_t i = 0; i < t->ncols; i++) {
        if ((int)i == ts->id_col)
            continue;
        qadd(&q, sep, t->cols[i].name, NULL);
        sep = ", ";
    }
    qadd(&q, ") VALUES(", NULL, NULL);
    sep = "";
    for (size_t i = 0; i < t->ncols; i++) {
        if ((int)i == ts->id_col)
            continue;
        qadd(&q, sep, "?", NULL);
        sep = ", ";
    }
    qadd(&q, ")", NULL, NULL);
    if (rc == SQLITE_OK)
        rc = prepare(mg, &q, &ts->ins);

    /* Parameters of key and same are numbered as the insert's: column i
     * (but the id) is ?p. */
    const char *idexpr = t->id ? t->id : "0";
    if (ts->unique) {
        q.n = 0;
        qadd(&q, "SELECT ", idexpr, " FROM main.");
        qadd(&q, t->name, " WHERE ", NULL);
        sep = "";
        for (size_t i = 0, p = 1; i < t->ncols; i++) {
            if ((int)i == ts->id_col)
                continue;
            if (t->cols[i].flags & DB_COL_UNIQUE) {
                char num[32];
                snprintf(num, sizeof num, " = ?%zu", p);
                qadd(&q, sep, t->cols[i].name, num);
                sep = " AND ";
            }
            p++;
        }
        if (rc == SQLITE_OK)
            rc = prepare(mg, &q, &ts->key);
    }
    if (ts->root) {
        q.n = 0;
        qadd(&q, "SELECT ", idexpr, " FROM main.");
        qadd(&q, t->name, " m WHERE 1", NULL);
        for (size_t i = 0, p = 1; i < t->ncols; i++) {
            if ((int)i == ts->id_col)
                continue;
            char num[32];
            snprintf(num, sizeof num, " IS ?%zu", p++);
            qadd(&q, " AND m.", t->cols[i].name, num);
        }
        /* A main row some row owns is that row's, not a plain one. */
        for (size_t k = 0; ts->owned && t->id && k < mg->ntables; k++)
            for (size_t i = 0; i < mg->tables[k].ncols; i++) {
                const db_column_t *c = &mg->tables[k].cols[i];
                if (!(c->flags & DB_COL_OWNS) || !c->ref || strcmp(c->ref, t->name) != 0)
                    continue;
                qadd(&q, " AND NOT EXISTS (SELECT 1 FROM main.", mg->tables[k].name, " o");
                qadd(&q, " WHERE o.", c->name, " = m.");
                qadd(&q, t->id, ")", NULL);
            }
        qadd(&q, " LIMIT 1", NULL, NULL);
        if (rc == SQLITE_OK)
            rc = prepare(mg, &q, &ts->same);
    }
    return rc;
}

/* Binds the current src row of ts->sel to st (the insert's parameters), its
 * id columns replaced by their main ids.  *child_of_skipped is set when a
 * parent (not an owned row) was skipped.  SQLITE_OK, or an error with
 * mg->what naming the dangling reference. */
static int bind_row(merge_t *mg, tstate_t *ts, sqlite3_stmt *st, int *child_of_skipped)
{
    const db_table_t *t = ts->t;
    int rc = SQLITE_OK;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    *child_of_skipped = 0;
    /* The key lookup names only some of the parameters: bind up to its last. */
    const size_t np = (size_t)sqlite3_bind_parameter_count(st);
    for (size_t i = 0, p = 1; rc == SQLITE_OK && i < t->ncols; i++) {
        if ((int)i == ts->id_col)
            continue;
        const db_column_t *c = &t->cols[i];
        sqlite3_value *v = sqlite3_column_value(ts->sel, (int)i);
        if (p > np)
            break;
        if (!c->ref || sqlite3_value_type(v) == SQLITE_NULL) {
            rc = sqlite3_bind_value(st, (int)p++, v);
            continue;
        }
        const int pi = db_table_index(c->ref);
        const int64_t from = sqlite3_value_int64(v);
        const idmap_ent_t *e = pi >= 0 ? map_find(&mg->map[pi], from) : NULL;
        if (!e) {
            snprintf(mg->what, sizeof mg->what, "%s.%s = %lld: no such row in %s", t->name,
                     c->name, (long long)from, c->ref);
            mg->bad = 1;
            return SQLITE_CONSTRAINT;
        }
        if (e->skipped && !(c->flags & DB_COL_OWNS))
            *child_of_skipped = 1;
        rc = sqlite3_bind_int64(st, (int)p++, e->to);
    }
    return rc;
}

/* Steps a lookup: *found and *id (its first column) when it returned a row. */
static int lookup(sqlite3_stmt *st, int *found, int64_t *id)
{
    const int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Records what the owner rows of table ti decide for the rows they own:
 * skipped exactly when main holds the owner's UNIQUE key. */
static int decide_owned(merge_t *mg, int ti)
{
    const db_table_t *t = &mg->tables[ti];
    int owns = 0;
    for (size_t i = 0; i < t->ncols; i++)
        owns |= (t->cols[i].flags & DB_COL_OWNS) != 0;
    if (!owns)
        return SQLITE_OK;
    tstate_t ts;
    int present = 0, rc = tstate_init(mg, ti, &ts, &present);
    if (rc == SQLITE_OK && present && !ts.key) {
        snprintf(mg->what, sizeof mg->what, "schema: %s owns rows but has no UNIQUE key",
                 t->name);
        mg->bad = 1;
        rc = SQLITE_MISUSE;
    }
    while (rc == SQLITE_OK && present && (rc = sqlite3_step(ts.sel)) == SQLITE_ROW) {
        /* Bind the key's parameters without the id translation: the
         * owned rows have not been read yet. */
        sqlite3_reset(ts.key);
        sqlite3_clear_bindings(ts.key);
        rc = SQLITE_OK;
        for (size_t i = 0, p = 1; rc == SQLITE_OK && i < t->ncols; i++) {
            if ((int)i == ts.id_col)
                continue;
            if (t->cols[i].flags & DB_COL_UNIQUE)
                rc = sqlite3_bind_value(ts.key, (int)p, sqlite3_column_value(ts.sel, (int)i));
            p++;
        }
        int found = 0;
        int64_t id = 0;
        if (rc == SQLITE_OK)
            rc = lookup(ts.key, &found, &id);
        for (size_t i = 0; rc == SQLITE_OK && i < t->ncols; i++) {
            const db_column_t *c = &t->cols[i];
            if (!(c->flags & DB_COL_OWNS) || sqlite3_column_type(ts.sel, (int)i) == SQLITE_NULL)
                continue;
            if (mg->nowned == mg->owned_cap) {
                const size_t cap = mg->owned_cap ? 2 * mg->owned_cap : 256;
                owned_t *o = realloc(mg->owned, cap * sizeof *o);
                if (!o) {
                    rc = SQLITE_NOMEM;
                    break;
                }
                mg->owned = o;
                mg->owned_cap = cap;
            }
            mg->owned[mg->nowned++] =
                (owned_t){db_table_index(c->ref), sqlite3_column_int64(ts.sel, (int)i), found};
        }
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    tstate_free(&ts);
    return rc;
}

/* Copies table ti. */
static int merge_table(merge_t *mg, int ti, db_merge_stats_t *ms)
{
    tstate_t ts;
    int present = 0, rc = tstate_init(mg, ti, &ts, &present);
    const db_table_t *t = &mg->tables[ti];
    while (rc == SQLITE_OK && present && (rc = sqlite3_step(ts.sel)) == SQLITE_ROW) {
        const int64_t from = ts.id_col >= 0 ? sqlite3_column_int64(ts.sel, ts.id_col) : 0;
        int skip = 0, found = 0, owned = 0;
        int64_t to = 0;
        rc = bind_row(mg, &ts, ts.ins, &skip);
        /* Decide, in this order: a child follows its parent; a UNIQUE key
         * main holds; an owned row follows its owner; a root row equal to
         * one in main. */
        if (rc == SQLITE_OK && !skip && ts.key) {
            rc = bind_row(mg, &ts, ts.key, &skip);
            if (rc == SQLITE_OK) rc = lookup(ts.key, &found, &to);
            skip = found;
        }
        if (rc == SQLITE_OK && !skip && !found && ts.owned && ts.id_col >= 0) {
            const owned_t *o = owned_find(mg, ti, from);
            if (o) {
                owned = 1;
                skip = o->skipped;
            }
        }
        if (rc == SQLITE_OK && !skip && !found && !owned && ts.same) {
            rc = bind_row(mg, &ts, ts.same, &skip);
            if (rc == SQLITE_OK) rc = lookup(ts.same, &found, &to);
            skip = found;
        }
        if (rc != SQLITE_OK)
            break;
        if (!skip) {
            rc = sqlite3_step(ts.ins);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
            to = sqlite3_last_insert_rowid(mg->sql);
            if (rc != SQLITE_OK) {
                snprintf(mg->what, sizeof mg->what, "%s row %lld", t->name, (long long)from);
                break;
            }
        }
        if (ts.id_col >= 0 && (rc = map_add(&mg->map[ti], from, to, skip)) != SQLITE_OK)
            break;
        if (skip) {
            ms->skipped[ti]++;
            mg->owned_skipped[ti] += owned;
        } else {
            ms->added[ti]++;
            mg->owned_added[ti] += owned;
        }
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    if (rc != SQLITE_OK && !mg->what[0])
        snprintf(mg->what, sizeof mg->what, "%s", t->name);
    tstate_free(&ts);
    return rc;
}

static int merge_copy(merge_t *mg, db_merge_stats_t *ms)
{
    int rc = SQLITE_OK;
    for (size_t i = 0; rc == SQLITE_OK && i < mg->ntables; i++)
        if (!mg->tables[i].meta)
            rc = decide_owned(mg, (int)i);
    if (rc == SQLITE_OK && mg->nowned)
        qsort(mg->owned, mg->nowned, sizeof *mg->owned, owned_cmp);
    for (size_t i = 0; rc == SQLITE_OK && i < mg->ntables; i++)
        if (!mg->tables[i].meta)
            rc = merge_table(mg, (int)i, ms);
    /* The totals codesim db merge prints. */
    const int p = db_table_index("sweep_points"), r = db_table_index("runs"),
              c = db_table_index("rtl_checks");
    if (p >= 0) {
        ms->points_added = ms->added[p];
        ms->points_skipped = ms->skipped[p];
    }
    if (r >= 0) {
        ms->runs_added = ms->added[r] - mg->owned_added[r];
        ms->runs_skipped = ms->skipped[r] - mg->owned_skipped[r];
    }
    if (c >= 0) {
        ms->checks_added = ms->added[c];
        ms->checks_skipped = ms->skipped[c];
    }
    return rc;
}

int db_merge(db_t *db, const char *in_path, db_merge_stats_t *ms, char *err, size_t errlen)
{
    memset(ms, 0, sizeof *ms);
    /* Inspect the input on its own connection: it must be a codesim
     * database this build reads; it is never written.  Read-write (unless
     * the file is read-only), as ATTACH below opens it: only the last
     * read-write connection to close removes the -wal and -shm files that
     * reading a WAL-mode file creates, so a refused input keeps none. */
    db_t in = {.sql = NULL, .path = (char *)in_path};
    int rc = sqlite3_open_v2(in_path, &in.sql, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot open: %s", in_path,
               in.sql ? sqlite3_errmsg(in.sql) : sqlite3_errstr(rc));
        sqlite3_close(in.sql);
        return -1;
    }
    sqlite3_busy_timeout(in.sql, DB_BUSY_TIMEOUT_MS);
    int version;
    rc = db_inspect(&in, &version, err, errlen);
    sqlite3_close(in.sql);
    if (rc != 0)
        return -1;
    if (version == 0) {
        db_err(err, errlen, "%s: not a codesim results database (empty)", in_path);
        return -1;
    }

    sqlite3 *sql = db->sql;
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(sql, "ATTACH DATABASE ? AS src", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = db_bind_text(st, 1, in_path);
    if (rc == SQLITE_OK) rc = db_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        db_err(err, errlen, "%s: cannot attach: %s", in_path, sqlite3_errmsg(sql));
        return -1;
    }
    if (sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        db_write_err(err, errlen, NULL, sql);
        sqlite3_exec(sql, "DETACH DATABASE src", NULL, NULL, NULL);
        return -1;
    }
    merge_t mg;
    memset(&mg, 0, sizeof mg);
    mg.sql = sql;
    mg.tables = db_schema(&mg.ntables);
    rc = merge_copy(&mg, ms);
    for (size_t i = 0; i < DB_MAX_TABLES; i++)
        free(mg.map[i].e);
    free(mg.owned);
    char what[600];
    if (mg.what[0])
        snprintf(what, sizeof what, "merge %.300s: %s", in_path, mg.what);
    else
        snprintf(what, sizeof what, "merge %.500s", in_path);
    int out;
    if (mg.bad) {
        db_err(err, errlen, "%s", what);
        db_rollback(sql);
        out = -1;
    } else {
        out = db_finish(db, rc, what, err, errlen);
    }
    sqlite3_exec(sql, "DETACH DATABASE src", NULL, NULL, NULL);
    return out;
}

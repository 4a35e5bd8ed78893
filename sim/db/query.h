/* query.h - rows of any fixed query as JSON, for codesim report, which draws
 * and tabulates them.  The rest of the reads are in db.h. */
#ifndef CODESIM_DB_QUERY_H
#define CODESIM_DB_QUERY_H

#include <stddef.h>

#include <jansson.h>

#include "db.h"

/* Runs sql, a query written in codesim's own source (never text from a user),
 * with params[0..nparams) bound to ?1, ?2, ... (NULL binds NULL), and returns
 * its rows as a JSON array of objects keyed by column name: INTEGER as a JSON
 * integer (all 64 bits), REAL as a real (NaN and infinities as null), TEXT as
 * a string, NULL as null.  0, or -1 with err and *out NULL. */
int db_query_rows(db_t *db, const char *sql, const char *const *params, size_t nparams,
                  json_t **out, char *err, size_t errlen);

#endif

/* query.h - the rows of codesim report's queries as JSON, which it draws
 * and tabulates.  The rest of the reads are in db.h. */
#ifndef CODESIM_DB_QUERY_H
#define CODESIM_DB_QUERY_H

#include <stddef.h>

#include <jansson.h>

#include "db.h"

/* The queries of codesim report; params are bound to ?1, ?2, ... */
typedef enum {
    DB_REPORT_POINTS,     /* ?1 sweep or NULL: every sweep point with its LLM metrics,
                             by workload hash, point (point = sweep_points.point) */
    DB_REPORT_PLAIN_RUNS, /* runs that are neither a sweep point nor an LLM run */
    DB_REPORT_BREAKDOWN,  /* ?1 run id, ?2 kind: component, value in stored order */
    DB_REPORT_LAYERS,     /* ?1 run id: its layers by idx, with dram_bytes = read + write */
    DB_REPORT_LLM_RUNS,   /* every llm_runs row with its hardware name */
    DB_REPORT_RTL_CHECKS, /* every rtl_checks row, with shape, widths and agree */
    DB_REPORT_RTL_CASES,  /* every rtl_cases row with its block and agreement */
} db_report_query_t;

/* Runs query q with params[0..nparams) bound to ?1, ?2, ... (NULL binds
 * NULL) and returns its rows as a JSON array of objects keyed by column
 * name: INTEGER as a JSON integer (all 64 bits), REAL as a real (NaN and
 * infinities as null), TEXT as a string, NULL as null.  0, or -1 with err
 * and *out NULL. */
int db_report_rows(db_t *db, db_report_query_t q, const char *const *params, size_t nparams,
                   json_t **out, char *err, size_t errlen);

#endif

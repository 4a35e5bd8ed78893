/* acct.h - a layer workload in SCALE-Sim v2 accounting (array.accounting:
 * scalesim | scalesim-calc, models/scalesim.h): the machine's array, SRAM
 * sizes and Bandwidth as SCALE-Sim reads them, each layer through
 * scalesim_run_layer() (depthwise "DP" rows come split per channel from
 * workload_load, as SCALE-Sim's topology_utils.py splits them). */
#ifndef CODESIM_ACCT_H
#define CODESIM_ACCT_H

#include <stddef.h>

#include "../../models/hw.h"
#include "../../models/scalesim.h"
#include "../io/workload.h"

typedef struct {
    char name[96];
    unsigned line;          /* the workload line */
    scalesim_stats_t st;
} acct_row_t;

typedef struct {
    acct_row_t *rows;
    size_t count;
    uint64_t total_cycles, stall_cycles;
    double wall_seconds;
} acct_result_t;

/* The SCALE-Sim configuration hw describes (sizes in bytes: 1-byte words). */
void acct_cfg(const hw_cfg_t *hw, scalesim_cfg_t *out);

/* -1 with err "LINE: layer NAME: reason". */
int acct_run(const hw_cfg_t *hw, const workload_t *wl, acct_result_t *res, char *err, size_t errlen);
void acct_result_free(acct_result_t *res);

/* SCALE-Sim's COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and
 * DETAILED_ACCESS_REPORT.csv into dir, with its headers (simulator.py) and
 * its number spelling (Python str()).  -1 with err. */
int acct_write_csv(const acct_result_t *res, const char *dir, char *err, size_t errlen);

#endif

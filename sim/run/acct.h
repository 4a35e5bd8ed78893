/* acct.h - a layer workload in SCALE-Sim v2 accounting (array.accounting:
 * scalesim | scalesim-calc, models/scalesim.h): the machine's array, SRAM
 * sizes and Bandwidth as SCALE-Sim reads them, each layer through
 * scalesim_run_layer() (depthwise "DP" rows come split per channel from
 * workload_load, as SCALE-Sim's topology_utils.py splits them). */
#ifndef CODESIM_ACCT_H
#define CODESIM_ACCT_H

#include <stddef.h>
#include <stdio.h>

#include "../../models/hw.h"
#include "../../models/scalesim.h"
#include "../io/workload.h"

typedef struct {
    char name[96];
    unsigned line;          /* the workload line */
    scalesim_stats_t st;
} acct_row_t;

/* At most one note per option SCALE-Sim's plain array leaves out: the three
 * tensor engines, lut, array.os_drain, array.compressed, array.conv_reads,
 * dram.timing. */
#define ACCT_MAX_NOTES 8

typedef struct {
    acct_row_t *rows;
    size_t count;
    uint64_t total_cycles, stall_cycles;
    double wall_seconds;
    /* The machine's options this accounting leaves out, one remark each
     * (commands print them on stderr); set even when acct_run fails. */
    char notes[ACCT_MAX_NOTES][200];
    size_t nnotes;
} acct_result_t;

/* The SCALE-Sim configuration hw describes (sizes in bytes: 1-byte words). */
void acct_cfg(const hw_cfg_t *hw, scalesim_cfg_t *out);

/* -1 with err "LINE: layer NAME: reason".  res->notes name what of hw the
 * accounting ignores (on failure too: rows freed, notes kept). */
int acct_run(const hw_cfg_t *hw, const workload_t *wl, acct_result_t *res, char *err, size_t errlen);
void acct_result_free(acct_result_t *res);

/* One layer's row of SCALE-Sim's three reports, whoever computed it: the
 * accounting path (acct_row_fill) or codesim's own timing (sim/cli/output.c).
 * Operands are indexed ifmap, filter, ofmap. */
typedef struct {
    uint64_t total_cycles, stall_cycles;
    double overall_util, mapping_eff, compute_util;     /* percent */
    int no_mapping;                  /* 1: Mapping Efficiency left empty */
    int sram_times;                  /* 0: SRAM start/stop fields left empty */
    int64_t sram_start[3], sram_stop[3];
    uint64_t sram_access[3];
    int dram_valid[3];               /* 0: that operand's DRAM fields left empty */
    int dram_times[3];               /* 1: DRAM BW = access / (stop - start + 1);
                                        0: start/stop empty, BW = access / total cycles */
    int64_t dram_start[3], dram_stop[3];
    uint64_t dram_access[3];
} ss_report_row_t;

/* The row SCALE-Sim's own accounting gives. */
void acct_row_fill(const scalesim_stats_t *s, ss_report_row_t *out);

/* SCALE-Sim's COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and
 * DETAILED_ACCESS_REPORT.csv into dir, with its headers (simulator.py) and
 * its number spelling (Python str()), one line per row.  -1 with err. */
int ss_report_write(const ss_report_row_t *rows, size_t n, const char *dir, char *err,
                    size_t errlen);
/* The same three reports into out[0..2] (compute, bandwidth, detailed
 * access); write errors are left in the streams' error flags.
 * ss_report_write goes through it into temporary files (sim/io/outfile.h)
 * and puts all three in place only once all three are written. */
void ss_report_fwrite(const ss_report_row_t *rows, size_t n, FILE *const out[3]);
/* ss_report_write of res's rows. */
int acct_write_csv(const acct_result_t *res, const char *dir, char *err, size_t errlen);

#endif

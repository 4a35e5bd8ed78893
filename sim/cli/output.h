/* output.h - one simulation result (sim/run/run.h), several outputs: the
 * terminal table, one JSON document (--json), SCALE-Sim-style CSV reports
 * (--csv DIR) and the breakdown rows the database stores.  Every command
 * that simulates prints through these, so a number reads the same wherever
 * it appears.
 *
 * JSON (--json FILE, "-" = stdout; parse it with any JSON parser):
 *   {"codesim": VERSION, "kind": "layers"|"model", "hw": {"name", "hash",
 *    "cores", "rows", "cols", "dataflow", "clock_mhz"}, "workload": FILE,
 *    "tech": NODE, "path": "fast"|"cycle" (layers) or "npu" (model),
 *    "totals": {"cycles", "macs", "pes", "seconds", "area_um2", "energy_pj",
 *               "tops", "peak_tops", "tops_per_w", "tops_per_mm2", "power_w"},
 *    "layers": [{"name", "unit", "m", "n", "k", "total_cycles",
 *                "compute_cycles", "stall_cycles", "macs", "folds", "steps",
 *                "utilization", "ifmap_reads", "ifmap_writes", "filter_reads",
 *                "filter_writes", "ofmap_reads", "ofmap_writes",
 *                "dram_read_bytes", "dram_write_bytes"}...],      (layers)
 *    "llm": {"model", "mode", "batch", "prompt", "gen", "wbits", "abits",
 *            "kvbits", "prefill_cycles", "decode_cycles", "decode_steps",
 *            "ttft_s", "tpot_s", "tokens_per_s", "dram_bytes",
 *            "units": [{"name", "busy", "utilization"}],
 *            "ops": [{"phase", "op", "unit", "cycles", "macs"}]}, (model)
 *    "area_um2": {COMPONENT: VALUE...}, "energy_pj": {COMPONENT: VALUE...},
 *    "notes": [TEXT...], "run_id": ID (when stored)}
 *   Counts are JSON integers (exact to 2^63), other values doubles.
 *
 * CSV (--csv DIR; the directory is created; integers in full precision):
 *   COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv, DETAILED_ACCESS_REPORT.csv
 *                         layer runs: SCALE-Sim's three reports (its headers,
 *                         sim/run/acct.h ss_report_write) with codesim's
 *                         numbers (README "SCALE-Sim's reports in codesim's
 *                         own timing")
 *   COMPUTE_REPORT.csv    LLM runs: per op: phase, op, unit, cycles, MACs
 *   LAYERS_REPORT.csv     per layer: unit, shape, cycles, compute, stall,
 *                         utilization, MACs, folds, steps
 *   DRAM_REPORT.csv       per layer: DRAM bytes read and written and the
 *                         average DRAM bytes per cycle of each
 *   ACCESS_REPORT.csv     per layer: scratchpad element reads and writes
 *   COST_REPORT.csv       kind (area_um2 | energy_pj), component, value
 *   UNITS_REPORT.csv      LLM runs: busy cycles and utilization per unit */
#ifndef CODESIM_OUTPUT_H
#define CODESIM_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../db/db.h"
#include "../run/run.h"

typedef struct {
    const char *cmd;             /* "run", "sweep"...: the header's first words */
    const hw_cfg_t *hw;
    const tech_t *tech;
    const char *workload_file;
    const char *model_name;      /* model runs */
    int64_t run_id;              /* 0: not stored */
} out_ctx_t;

/* The terminal report: the per-layer (or per-op) table, then the area and
 * energy by component and the derived figures. */
void out_print(FILE *f, const out_ctx_t *c, const sim_result_t *r);
/* Notes on stderr, one line each: "codesim CMD: note: ...". */
void out_notes(const char *cmd, const sim_result_t *r);
/* The area and energy rows as the database stores them (rows has room for
 * 2 x POWER_MAX_ITEMS). */
size_t out_breakdown_rows(const sim_result_t *r, db_breakdown_t *rows);
/* -1 with err "FILE: reason". */
int out_json(const out_ctx_t *c, const sim_result_t *r, const char *path, char *err,
             size_t errlen);
int out_csv(const out_ctx_t *c, const sim_result_t *r, const char *dir, char *err,
            size_t errlen);

#endif

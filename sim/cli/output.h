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
#include "../io/outfile.h"
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
/* The JSON document into f (a file from io_out_begin, or stdout for "-"),
 * flushed; -1 with err "PATH: reason". */
int out_json(const out_ctx_t *c, const sim_result_t *r, FILE *f, const char *path, char *err,
             size_t errlen);

/* Every file name --csv may write in its directory (each kind writes some):
 * an input of that name there would be overwritten (cli_check_files). */
#define OUT_CSV_FILES 8
extern const char *const out_csv_files[OUT_CSV_FILES];

/* --csv DIR in three steps, so a command can prepare every output before it
 * simulates and put them all in place only after all are written:
 * out_csv_begin makes DIR and a temporary file for each report a run of
 * this kind writes (sim/io/outfile.h); out_csv_write fills and checks them;
 * out_csv_commit puts them in place (out_csv_abort drops them, leaving DIR's
 * files as they were).  Each -1 with err "PATH: reason". */
typedef struct {
    io_out_t f[OUT_CSV_FILES]; /* by out_csv_files[] index; f[i].f NULL: not written */
    sim_kind_t kind;
} out_csv_t;
int out_csv_begin(out_csv_t *o, sim_kind_t kind, const char *dir, char *err, size_t errlen);
int out_csv_write(out_csv_t *o, const out_ctx_t *c, const sim_result_t *r, char *err,
                  size_t errlen);
int out_csv_commit(out_csv_t *o, char *err, size_t errlen);
void out_csv_abort(out_csv_t *o);

#endif

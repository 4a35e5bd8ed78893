/* cmd_run.c - `codesim run`: a workload (layer CSV or LLM config.json) on
 * one machine, through sim_run (sim/run/run.h); printed, stored, and
 * optionally written as JSON and CSV reports (output.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/util.h"
#include "../cost/tech_file.h"
#include "../db/db.h"
#include "../io/config.h"
#include "../io/outfile.h"
#include "../io/textfile.h"
#include "../io/workload.h"
#include "../run/acct.h"
#include "../run/run.h"
#include "cli.h"
#include "../io/escape.h"
#include "output.h"

static const char run_usage[] =
    "usage: codesim run --workload FILE [--hw FILE] [--path fast|cycle] [common options]\n"
    "       codesim run --model FILE [--hw FILE] [--batch B] [--prompt L] [--gen G]\n"
    "                   [--mode auto|npu|pim-blocked|neupims|gpu|pimgpt] [--w-bits W] [--a-bits A]\n"
    "                   [--kv-bits V] [--timeline FILE] [--seed S] [--routing FILE]\n"
    "                   [common options]\n"
    "common options:    [--tech NODE] [--db FILE] [--json FILE] [--csv DIR]\n"
    "                   [--accounting rtl|scalesim|scalesim-calc]\n"
    "\n"
    "Simulates a workload on the machine of the hardware file, prices it (area of\n"
    "every block the machine has, energy of the run's events by component, TOPS,\n"
    "TOPS/W and TOPS/mm^2 at the machine's clock npu.freq_mhz) and stores the run\n"
    "with both breakdowns.  `sweep` and `area` run the same machine through the\n"
    "same code and print the same numbers.  One of --workload and --model is\n"
    "required.\n"
    "\n"
    "  --hw FILE        hardware: codesim YAML (configs/*.yaml) or a SCALE-Sim .cfg;\n"
    "                   default: the built-in machine (one core, 32x32 OS array)\n"
    "  --workload FILE  layer CSV: 'Layer,M,N,K[,w_bits,wq]' rows or SCALE-Sim\n"
    "                   convolution rows.  A layer with a w_bits (1..4 or ternary)\n"
    "                   runs on the LUT unit when the machine has a lut: section, else\n"
    "                   on the array with its weights dequantized to int8.  On a\n"
    "                   machine of several cores each layer is split over as many\n"
    "                   of them as make it fastest\n"
    "  --path P         fast (closed form, default) or cycle (every PE, every cycle;\n"
    "                   on the LUT unit every lookup PE); both give the same numbers\n"
    "  --model FILE     Hugging Face config.json (traces/models/): LLM inference,\n"
    "                   the prefill of B prompts of L tokens and G-1 decode steps on\n"
    "                   the machine's NPU, with PIM when it has a pim: section\n"
    "  --batch B        sequences (default 1)     --prompt L  prompt tokens (default 512)\n"
    "  --gen G          new tokens per sequence, the first from prefill (default 2)\n"
    "  --mode M         npu: no PIM; pim-blocked: attention on PIM, DMA waits while\n"
    "                   PIM computes; neupims: dual row buffers and sub-batch\n"
    "                   interleaving.  auto (default): npu without a pim: section;\n"
    "                   with one, neupims when B >= 2 x array rows, else pim-blocked;\n"
    "                   pimgpt: PIM-GPT, every GEMM/GEMV on PIM, the rest on the\n"
    "                   cores' vector units as the controller ASIC (configs/pimgpt.yaml);\n"
    "                   gpu: every op on the gpu: section's roofline (configs/a100.yaml),\n"
    "                   also auto's choice for a machine with gpu: and no pim:\n"
    "  --w-bits, --a-bits, --kv-bits  weight, activation, KV-cache widths (default 8;\n"
    "                   2 for ternary models' weights)\n"
    "  --seed S         MoE models: seed of the uniform top-k routing (default 0)\n"
    "  --routing FILE   MoE models: tokens per expert from a routing trace CSV\n"
    "                   (step,layer,expert,tokens; step 0 = prefill)\n"
    "  --timeline FILE  Chrome trace-event JSON of the prefill and up to 16 decode\n"
    "                   steps end to end: open it in https://ui.perfetto.dev\n"
    "  --tech NODE      technology table: 45nm (default), 28nm, 7nm or a YAML file\n"
    "  --db FILE        SQLite results database (default results.db)\n"
    "  --json FILE      the whole result as one JSON document (- or /dev/stdout for\n"
    "                   stdout; the terminal table then goes to stderr)\n"
    "  --csv DIR        SCALE-Sim's COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and\n"
    "                   DETAILED_ACCESS_REPORT.csv, then LAYERS_REPORT.csv,\n"
    "                   DRAM_REPORT.csv, ACCESS_REPORT.csv, COST_REPORT.csv into\n"
    "                   DIR (LLM: COMPUTE, UNITS, COST; SCALE-Sim accounting:\n"
    "                   SCALE-Sim's three only)\n"
    "  --accounting A   overrides the hardware file's array.accounting: rtl (the\n"
    "                   default: the timing the RTL reaches), scalesim or\n"
    "                   scalesim-calc (SCALE-Sim v2's reported numbers with USER or\n"
    "                   CALC bandwidth; the default for a .cfg).  SCALE-Sim\n"
    "                   accounting prints and writes reports but stores nothing\n"
    "\n"
    "EXAMPLES\n"
    "  codesim run --hw configs/lut.yaml --workload traces/lowbit.csv --json run.json\n"
    "  codesim run --model traces/models/llama-2-7b.json --hw configs/npu_pim.yaml \\\n"
    "      --batch 64 --prompt 512 --gen 16 --mode neupims\n"
    "  codesim run --model traces/models/mixtral-8x7b.json --hw configs/npu_pim.yaml --batch 32 --seed 7\n"
    "  codesim run --hw configs/default.yaml --workload traces/transformer.csv --db results.db\n"
    "  codesim run --path cycle --hw tests/data/tiny.yaml --workload tests/data/tiny.csv\n"
    "  codesim run --model traces/models/gpt2.json --hw configs/npu_pim.yaml --batch 4 \\\n"
    "      --prompt 64 --gen 8 --timeline gpt2.json\n";

/* Every output is checked before the simulation, so a bad path fails with
 * one line and stores nothing: no output may be an input, the database or
 * another output (cli_check_files; --csv's report files each count);
 * --json must not be a directory; --csv is made now
 * (or must already be a directory). */
static int check_outputs(const char *db, const char *json, const char *csv, const char *timeline,
                         const char *const in[][2], size_t nin)
{
    cli_file_t files[16 + OUT_CSV_FILES];
    char csv_paths[OUT_CSV_FILES][4096];
    size_t n = 0;
    for (size_t i = 0; i < nin; i++)
        files[n++] = (cli_file_t){in[i][0], in[i][1], 0};
    files[n++] = (cli_file_t){"--db", db, 1};
    files[n++] = (cli_file_t){"--json", json, 1};
    files[n++] = (cli_file_t){"--timeline", timeline, 1};
    files[n++] = (cli_file_t){"--csv", csv, 1};
    for (size_t i = 0; csv && csv[0] && i < OUT_CSV_FILES; i++) {
        snprintf(csv_paths[i], sizeof csv_paths[i], "%s/%s", csv, out_csv_files[i]);
        files[n++] = (cli_file_t){"--csv", csv_paths[i], 1};
    }
    if (cli_check_files("run", files, n) != 0)
        return -1;
    /* An unwritable --json (or its directory) is found by io_out_begin,
     * on the file a link leads to, before the simulation. */
    struct stat st;
    if (json && strcmp(json, "-") && stat(json, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_err("codesim run: --json: %s: is a directory\n", json);
        return -1;
    }
    if (csv) {
        /* One stat: a second would replace mkdir's errno (EACCES) with its
         * own ENOENT. */
        const int exists = stat(csv, &st) == 0;
        if (exists ? !S_ISDIR(st.st_mode) : mkdir(csv, 0777) != 0) {
            cli_err("codesim run: --csv: %s: %s\n", csv,
                    exists ? "exists and is not a directory" : strerror(errno));
            return -1;
        }
        if (access(csv, W_OK) != 0) {
            cli_err("codesim run: --csv: %s: cannot write (%s)\n", csv, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* A layer workload in SCALE-Sim accounting: SCALE-Sim's per-layer numbers,
 * printed and (--csv) written as its three reports; nothing is stored, since
 * the database holds codesim's timing. */
static int run_scalesim(const hw_cfg_t *hw, const char *wl_path, const char *csv_dir,
                        const char *json_path)
{
    char err[512];
    workload_t wl = {0};
    acct_result_t res;
    if (json_path) {
        cli_err("codesim run: --json: not available in SCALE-Sim accounting (use --csv)\n");
        return 2;
    }
    if (workload_load(wl_path, &wl, err, sizeof err) != 0) {
        cli_err("codesim run: %s\n", err);
        return 1;
    }
    const int bad = acct_run(hw, &wl, &res, err, sizeof err) != 0;
    for (size_t i = 0; i < res.nnotes; i++)
        cli_err("codesim run: note: %s\n", res.notes[i]);
    if (bad) {
        cli_err("codesim run: %s:%s\n", wl_path, err);
        workload_free(&wl);
        return 1;
    }
    printf("SCALE-Sim v2 accounting (%s bandwidth): %ux%u %s, SRAM %llu/%llu/%llu bytes\n",
           hw->accounting == HW_ACCT_SCALESIM_CALC ? "CALC" : "USER", hw->array.rows,
           hw->array.cols, systolic_dataflow_name(hw->array.dataflow),
           (unsigned long long)hw->sram.ifmap_bytes, (unsigned long long)hw->sram.filter_bytes,
           (unsigned long long)hw->sram.ofmap_bytes);
    printf("%-28s %14s %14s %9s %9s %9s\n", "layer", "total cycles", "stall cycles", "util %",
           "map eff %", "comp %");
    for (size_t i = 0; i < res.count; i++) {
        const scalesim_stats_t *s = &res.rows[i].st;
        printf("%-28.28s %14" PRIu64 " %14" PRIu64 " %9.2f %9.2f %9.2f\n", res.rows[i].name,
               s->total_cycles, s->stall_cycles, s->overall_util, s->mapping_eff, s->compute_util);
    }
    printf("%-28s %14" PRIu64 " %14" PRIu64 "\n", "total", res.total_cycles, res.stall_cycles);
    printf("accounting, not hardware: see README, SCALE-Sim accounting (simulated in %.3f s)\n",
           res.wall_seconds);
    int rc = 0;
    if (csv_dir && acct_write_csv(&res, csv_dir, err, sizeof err) != 0) {
        cli_err("codesim run: --csv: %s\n", err);
        rc = 1;
    }
    acct_result_free(&res);
    workload_free(&wl);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    const char *hw_path = NULL, *wl_path = NULL, *model_path = NULL, *db_path = "results.db";
    const char *path_s = NULL, *node = "45nm", *mode_s = NULL, *timeline_path = NULL;
    const char *json_path = NULL, *csv_dir = NULL;
    uint64_t batch = 1, prompt = 512, gen = 2, wbits = 0, abits = 8, kvbits = 8;
    int llm_flag = 0;
    static const struct option opts[] = {
        {"hw", required_argument, 0, 'h'},     {"workload", required_argument, 0, 'w'},
        {"db", required_argument, 0, 'd'},     {"path", required_argument, 0, 'p'},
        {"tech", required_argument, 0, 't'},   {"model", required_argument, 0, 'm'},
        {"batch", required_argument, 0, 'b'},  {"prompt", required_argument, 0, 'P'},
        {"gen", required_argument, 0, 'g'},    {"mode", required_argument, 0, 'M'},
        {"w-bits", required_argument, 0, 'W'}, {"a-bits", required_argument, 0, 'A'},
        {"kv-bits", required_argument, 0, 'K'},
        /* Hidden aliases, the spellings of earlier versions. */
        {"wbits", required_argument, 0, 'W'},  {"abits", required_argument, 0, 'A'},
        {"kvbits", required_argument, 0, 'K'}, {"timeline", required_argument, 0, 'T'},
        {"json", required_argument, 0, 'j'},   {"csv", required_argument, 0, 'c'},
        {"seed", required_argument, 0, 'S'},   {"routing", required_argument, 0, 'R'},
        {"accounting", required_argument, 0, 'a'},
        {"help", no_argument, 0, 'H'},         {0, 0, 0, 0}};
    const char *acct_s = NULL;
    int c, bad = 0;
    uint64_t seed = 0;
    const char *routing_path = NULL;
    mapper_routing_t routing = {0};
    char routing_hash[17] = "";
    optind = 1;
    while ((c = cli_getopt("run", argc, argv, opts, NULL)) != -1) {
        switch (c) {
        case 'h': hw_path = optarg; break;
        case 'w': wl_path = optarg; break;
        case 'd': db_path = optarg; break;
        case 'p': path_s = optarg; break;
        case 't': node = optarg; break;
        case 'm': model_path = optarg; break;
        case 'M': mode_s = optarg; llm_flag = 1; break;
        case 'T': timeline_path = optarg; llm_flag = 1; break;
        case 'j': json_path = optarg; break;
        case 'c': csv_dir = optarg; break;
        case 'a': acct_s = optarg; break;
        case 'b': bad |= cli_uint("run", "batch", optarg, 1, 65536, &batch); llm_flag = 1; break;
        case 'P': bad |= cli_uint("run", "prompt", optarg, 1, 1 << 20, &prompt); llm_flag = 1; break;
        case 'g': bad |= cli_uint("run", "gen", optarg, 1, 1 << 20, &gen); llm_flag = 1; break;
        case 'W': bad |= cli_uint("run", "w-bits", optarg, 1, 16, &wbits); llm_flag = 1; break;
        case 'A': bad |= cli_uint("run", "a-bits", optarg, 1, 16, &abits); llm_flag = 1; break;
        case 'K': bad |= cli_uint("run", "kv-bits", optarg, 1, 16, &kvbits); llm_flag = 1; break;
        case 'S': bad |= cli_uint("run", "seed", optarg, 0, UINT64_MAX, &seed); llm_flag = 1; break;
        case 'R': routing_path = optarg; llm_flag = 1; break;
        case 'H': fputs(run_usage, stdout); return 0;
        default: return 2;
        }
    }
    if (bad)
        return 2;
    if (optind < argc) {
        cli_err("codesim run: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!wl_path == !model_path) {
        cli_err("codesim run: %s (see codesim run --help)\n",
                wl_path ? "--workload and --model: give one, not both"
                        : "--workload or --model: missing");
        return 2;
    }
    if (wl_path && llm_flag) {
        cli_err("codesim run: --batch, --prompt, --gen, --mode, --w-bits, --a-bits, "
                "--kv-bits, --timeline, --seed and --routing are for --model runs\n");
        return 2;
    }
    engine_path_t path = ENGINE_FAST;
    if (path_s && !strcmp(path_s, "cycle")) {
        path = ENGINE_CYCLE;
    } else if (path_s && strcmp(path_s, "fast")) {
        cli_err("codesim run: --path: '%s' is not fast or cycle\n", path_s);
        return 2;
    }
    if (model_path && path_s) {
        cli_err("codesim run: --path: an LLM runs on the NPU's event schedule; --path is "
                        "for --workload runs\n");
        return 2;
    }

    char tech_file[600];
    tech_path(node, tech_file, sizeof tech_file);
    const char *const inputs[][2] = {{"--hw", hw_path},           {"--workload", wl_path},
                                     {"--model", model_path},     {"--routing", routing_path},
                                     {"--tech", tech_file}};
    if (check_outputs(db_path, json_path, csv_dir, timeline_path, inputs,
                      sizeof inputs / sizeof inputs[0]) != 0)
        return 1;
    char err[512];
    hw_cfg_t hw;
    workload_t wl = {0};
    mapper_model_t model;
    db_t *db = NULL;
    sim_result_t res = {0};
    io_out_t tl = {0}, json = {0};
    out_csv_t csv = {0};
    tech_t tech;
    int rc = 1;
    const char *src = wl_path ? wl_path : model_path;
    if (hw_path ? hw_load(hw_path, &hw, err, sizeof err) : (hw_defaults(&hw), 0)) {
        cli_err("codesim run: %s\n", err);
        return 1;
    }
    if (acct_s && hw_accounting_parse(acct_s, &hw.accounting) != 0) {
        cli_err("codesim run: --accounting: '%s' is not rtl, scalesim or scalesim-calc\n", acct_s);
        rc = 2;
        goto out;
    }
    if (hw.accounting != HW_ACCT_RTL && model_path)
        cli_err("codesim run: note: array.accounting %s is for --workload runs; the LLM runs "
                "on the RTL timing\n", hw_accounting_name(hw.accounting));
    if (hw.accounting != HW_ACCT_RTL && wl_path) {
        rc = run_scalesim(&hw, wl_path, csv_dir, json_path);
        goto out;
    }
    /* after the accounting branch, which prices nothing */
    if (tech_load(tech_file, &tech, err, sizeof err) != 0) {
        cli_err("codesim run: --tech: %s\n", err);
        goto out;
    }
    if (model_path) {
        npu_mode_t mode;
        if (sim_mode(&hw, mode_s, batch, &mode, err, sizeof err) != 0) {
            cli_err("codesim run: --%s (%s)\n", err, hw_path ? hw_path : "built-in config");
            rc = 2;
            goto out;
        }
        size_t len;
        if (workload_model_load(model_path, &model, err, sizeof err) != 0 ||
            !(wl.text = textfile_read(model_path, &len, err, sizeof err))) {
            cli_err("codesim run: %s\n", err);
            goto out;
        }
        model.route_seed = seed;
        if (routing_path) {
            if (workload_routing_load(routing_path, &model, &routing, err, sizeof err) != 0) {
                cli_err("codesim run: --routing: %s\n", err);
                goto out;
            }
            model.routing = &routing;
            /* The trace's bytes identify the stored run, not only its path. */
            snprintf(routing_hash, sizeof routing_hash, "%016llx",
                     (unsigned long long)routing.hash);
        }
    } else if (workload_load(wl_path, &wl, err, sizeof err) != 0) {
        cli_err("codesim run: %s\n", err);
        goto out;
    }
    /* Open the database before simulating: a bad database fails fast.  The
     * write waits for another process's lock as long as it takes. */
    if (cli_db_open("run", db_path, &db, err, sizeof err) != 0) {
        cli_err("codesim run: %s\n", err);
        goto out;
    }
    /* Every output file is prepared now, before simulating: each is written
     * to a temporary file and all are put in place together at the end, so
     * one that cannot be made fails here and a failed run replaces none
     * (README "What the output options do to existing files"). */
    if (timeline_path && io_out_begin(&tl, timeline_path, err, sizeof err) != 0) {
        cli_err("codesim run: --timeline: %s\n", err);
        goto out;
    }
    if (json_path && strcmp(json_path, "-") && io_out_begin(&json, json_path, err, sizeof err) != 0) {
        cli_err("codesim run: --json: %s\n", err);
        goto out;
    }
    if (csv_dir && out_csv_begin(&csv, model_path ? SIM_MODEL : SIM_LAYERS, csv_dir, err,
                                 sizeof err) != 0) {
        cli_err("codesim run: --csv: %s\n", err);
        goto out;
    }
    sim_workload_t w = {SIM_LAYERS, &wl, NULL, {0}, path, NULL, NULL};
    if (model_path) {
        /* --prompt, --gen and the widths are flags, not keys of the model
         * file: name the flag (mapper_run_check says "prompt: ..."). */
        const mapper_run_t r = {batch, prompt, gen,
                                wbits ? (uint32_t)wbits : model.native_wbits,
                                (uint32_t)abits, (uint32_t)kvbits};
        if (mapper_run_check(&r, &model, err, sizeof err) != 0) {
            cli_flag_err("run", err);
            rc = 2;
            goto out;
        }
    }
    if (model_path)
        w = (sim_workload_t){SIM_MODEL, NULL, &model,
                             (mapper_run_t){batch, prompt, gen, (uint32_t)wbits, (uint32_t)abits,
                                            (uint32_t)kvbits},
                             ENGINE_FAST, mode_s, tl.f};
    cli_progress_t *prog = cli_progress_start("run", model_path ? "simulating the model"
                                                                : "simulating the workload");
    const int sim_rc = sim_run(&hw, &tech, &w, &res, err, sizeof err);
    cli_progress_stop(prog);
    if (sim_rc != 0) {
        /* a layer's error starts with its line number */
        cli_err("codesim run: %s:%s%s\n", src, err[0] >= '0' && err[0] <= '9' ? "" : " ",
                err);
        goto out;
    }
    if (tl.f && io_out_check(&tl, err, sizeof err) != 0) {
        cli_err("codesim run: --timeline: %s\n", err);
        goto out;
    }
    out_ctx_t oc = {"run", &hw, &tech, src, model_path ? model.name : NULL, 0};
    /* With --json - (or /dev/stdout), stdout carries the document alone. */
    FILE *const so = (json_path && !strcmp(json_path, "-")) || json.is_stdout ? stderr : stdout;
    out_print(so, &oc, &res);
    out_notes("run", &res);
    if (timeline_path) {
        /* What the file holds: the prefill and up to NPU_TIMELINE_DECODE_STEPS
         * decode steps (sim/run/npu.c counts those it writes). */
        const uint64_t tsteps = res.npu.timeline_decode_steps;
        fprintf(so, "\ntimeline of the prefill");
        if (tsteps)
            fprintf(so, " and %s%" PRIu64 " decode step%s",
                    tsteps < res.npu.decode_steps ? "the first " : "", tsteps,
                    tsteps == 1 ? "" : "s");
        fprintf(so, ": %s\n(open it in https://ui.perfetto.dev or chrome://tracing)\n",
                timeline_path);
    }

    /* The CSV reports hold no run id: written (and checked) before the run
     * is stored, so a full disk here stores nothing. */
    if (csv_dir && out_csv_write(&csv, &oc, &res, err, sizeof err) != 0) {
        cli_err("codesim run: --csv: %s\n", err);
        goto out;
    }

    db_breakdown_t rows[2 * POWER_MAX_ITEMS];
    const size_t nrows = out_breakdown_rows(&res, rows);
    const db_run_t run = {model_path ? "npu" : engine_path_name(path), hw_path, &hw, src, &wl,
                          res.wall_seconds};
    int64_t run_id;
    int st;
    if (model_path) {
        const db_llm_t llm = {model.name, npu_mode_name(res.mode), &res.run, &hw.npu,
                              model.experts > 0,  seed, routing_path,
                              routing_path ? routing_hash : NULL};
        st = db_record_llm_costs(db, &run, &llm, &res.npu, rows, nrows, &run_id, err, sizeof err);
    } else {
        st = db_record_run_costs(db, &run, res.layers, res.nlayers, rows, nrows, &run_id, err,
                                 sizeof err);
    }
    if (st != 0) {
        cli_err("codesim run: %s: %s\n", db_path, err);
        goto out;
    }
    char db_shown[1024];
    fprintf(so, "stored as run %lld in %s (simulated in %.3f s)\n", (long long)run_id,
            esc_text(db_shown, sizeof db_shown, db_path), res.wall_seconds);
    oc.run_id = run_id;
    /* The JSON carries the run id, so it is written after the store; a
     * failure now leaves the run stored and no file replaced. */
    if (json_path && out_json(&oc, &res, json.f ? json.f : stdout, json_path, err, sizeof err) != 0) {
        cli_err("codesim run: --json: %s (the run is stored as run %lld; no output file was "
                "replaced)\n", err, (long long)run_id);
        goto out;
    }
    if ((tl.f && io_out_commit(&tl, err, sizeof err) != 0) ||
        (json.f && io_out_commit(&json, err, sizeof err) != 0) ||
        (csv_dir && out_csv_commit(&csv, err, sizeof err) != 0)) {
        cli_err("codesim run: %s (the run is stored as run %lld)\n", err, (long long)run_id);
        goto out;
    }
    rc = 0;
out:
    io_out_abort(&tl);
    io_out_abort(&json);
    out_csv_abort(&csv);
    sim_result_free(&res);
    db_close(db);
    if (model_path)
        free(wl.text);
    else
        workload_free(&wl);
    workload_routing_free(&routing);
    hw_free(&hw);
    return rc;
}

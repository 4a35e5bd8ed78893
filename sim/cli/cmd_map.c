/* cmd_map.c - `codesim map`: an LLM config.json and a run description into
 * tiled, placed operations on the hardware; prints them and writes the
 * trace (format: mapper/trace.c) and optionally a SCALE-Sim topology CSV. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../mapper/model.h"
#include "../../mapper/ops.h"
#include "../../mapper/tiling.h"
#include "../../mapper/trace.h"
#include "../../models/util.h"
#include "cli.h"
#include "../io/escape.h"
#include "../io/outfile.h"
#include "../io/config.h"
#include "../io/paths.h"
#include "../io/workload.h"

int cmd_map(int argc, char **argv);
int bench_map(void);

static const char map_usage[] =
    "usage: codesim map --model FILE [--hw FILE] [--batch B] [--prompt L] [--gen G]\n"
    "                   [--w-bits W] [--a-bits A] [--kv-bits V] [--out FILE] [--scalesim FILE]\n"
    "                   [--seed S] [--routing FILE]\n"
    "\n"
    "Decomposes an LLM (Hugging Face config.json of a family listed in the README,\n"
    "dense, MoE or with latent attention) into the ops of its prefill and decode\n"
    "steps, places each op and searches the tiling of every GEMM/GEMV on the\n"
    "hardware.  With a lut: section, weight GEMMs with 1..4-bit weights go to the\n"
    "LUT tensor core; with a pim: section, decode attention (qk, sv) goes to PIM,\n"
    "whose cycles are DRAM clock cycles.\n"
    "\n"
    "  --model FILE     config.json (see traces/models/) (required)\n"
    "  --hw FILE        hardware config (default: the built-in 32x32 array)\n"
    "  --batch B        sequences (default 1)\n"
    "  --prompt L       prompt tokens per sequence (default 512)\n"
    "  --gen G          new tokens per sequence; the prefill makes the first, then\n"
    "                   G-1 decode steps (default 2, as codesim run --model)\n"
    "  --w-bits W       weight width (default 8; 2 for ternary BitNet)\n"
    "  --a-bits A       activation width (default 8)\n"
    "  --kv-bits V      KV-cache width (default 8)\n"
    "  --out FILE       trace CSV (default MODEL.trace.csv)\n"
    "  --scalesim FILE  also write the GEMM/GEMV ops as a SCALE-Sim topology CSV\n"
    "  --seed S         MoE: seed of the uniform top-k routing (default 0)\n"
    "  --routing FILE   MoE: tokens per expert from a routing trace CSV\n"
    "                   (step,layer,expert,tokens; step 0 = prefill)\n"
    "\n"
    "EXAMPLES\n"
    "  codesim map --model traces/models/gpt2.json --batch 4 --prompt 64 --gen 8\n"
    "  codesim map --model traces/models/bitnet-b1.58-2b-4t.json --hw configs/lut.yaml --out b.csv\n";

/* Writes the trace (and the SCALE-Sim topology) each to its own temporary
 * file (sim/io/outfile.h) and puts them in place only when both are
 * complete: a failed write changes neither file. */
static int write_outputs(const char *out_path, const char *ss_path, int (*out_fn)(FILE *, const void *),
                         int (*ss_fn)(FILE *, const void *), const void *arg, char *err,
                         size_t errlen)
{
    io_out_t o = {0}, ss = {0};
    int rc = -1;
    if (io_out_begin(&o, out_path, err, errlen) != 0 ||
        (ss_path && io_out_begin(&ss, ss_path, err, errlen) != 0))
        goto out;
    const int out_bad = out_fn(o.f, arg) != 0;
    if (out_bad || (ss_path && ss_fn(ss.f, arg) != 0)) {
        snprintf(err, errlen, "%s: write failed", out_bad ? out_path : ss_path);
        goto out;
    }
    if (io_out_check(&o, err, errlen) != 0 || (ss_path && io_out_check(&ss, err, errlen) != 0))
        goto out;
    rc = io_out_commit(&o, err, errlen);
    if (rc == 0 && ss_path)
        rc = io_out_commit(&ss, err, errlen);
out:
    io_out_abort(&o);
    io_out_abort(&ss);
    return rc;
}

typedef struct {
    const mapper_model_t *m;
    const mapper_run_t *r;
    const char *hw_name;
    const mapper_ops_t *ops;
} trace_arg_t;

static int trace_fn(FILE *fp, const void *p)
{
    const trace_arg_t *a = p;
    return mapper_trace_write(fp, a->m, a->r, a->hw_name, a->ops);
}

static int scalesim_fn(FILE *fp, const void *p)
{
    const trace_arg_t *a = p;
    return mapper_scalesim_write(fp, a->ops);
}

static void print_op(const mapper_op_t *o)
{
    const mapper_tiling_t *t = &o->tiling;
    char tiling[64] = "";
    if (o->unit == MAPPER_UNIT_PIM)
        snprintf(tiling, sizeof tiling, "(in the banks)");
    else if (o->kind != MAPPER_VECTOR)
        snprintf(tiling, sizeof tiling, "%" PRIu64 "x%" PRIu64 "x%" PRIu64 " %s", t->tm, t->tn,
                 t->tk, mapper_order_name(t->order));
    printf("%-8s %4u %-14s %3u %-6s %-8s %7" PRIu64 " %7" PRIu64 " %6" PRIu64 " %6" PRIu64
           " %-22s %14" PRIu64 " %14" PRIu64 " %14" PRIu64 "\n",
           mapper_phase_name(o->phase), o->step, o->name, o->repeat, mapper_kind_name(o->kind),
           mapper_unit_name(o->unit), o->m, o->n, o->k, o->count, tiling, t->cycles, o->flops,
           t->dram_bytes - t->compulsory_bytes);
}

/* Per-phase breakdown by op name, summed over steps and layers. */
typedef struct {
    char name[16];
    mapper_kind_t kind;
    mapper_unit_t unit;
    uint64_t cycles, flops, dram, noncomp;
} agg_t;

static void print_breakdown(const mapper_ops_t *ops, mapper_phase_t ph)
{
    agg_t a[32];
    size_t n = 0;
    uint64_t cyc = 0, fl = 0, dram = 0, nc = 0, steps = 0;
    for (size_t i = 0; i < ops->count; i++) {
        const mapper_op_t *o = &ops->ops[i];
        if (o->phase != ph)
            continue;
        size_t j = 0;
        while (j < n && strcmp(a[j].name, o->name))
            j++;
        if (j == n) {
            if (n == ARRAY_LEN(a))
                continue;
            memset(&a[n], 0, sizeof a[n]);
            snprintf(a[n].name, sizeof a[n].name, "%s", o->name);
            a[n].kind = o->kind;
            a[n++].unit = o->unit;
        }
        const uint64_t r = o->repeat;
        a[j].cycles += r * o->tiling.cycles;
        a[j].flops += r * o->flops;
        a[j].dram += r * o->tiling.dram_bytes;
        a[j].noncomp += r * (o->tiling.dram_bytes - o->tiling.compulsory_bytes);
        if (!strcmp(o->name, "lm_head"))
            steps++;
    }
    if (!n)
        return;
    for (size_t j = 0; j < n; j++) {
        cyc += a[j].cycles, fl += a[j].flops, dram += a[j].dram, nc += a[j].noncomp;
    }
    printf("\n%s breakdown (%" PRIu64 " step%s, all layers):\n", mapper_phase_name(ph), steps,
           steps == 1 ? "" : "s");
    printf("%-14s %-6s %-8s %16s %6s %18s %16s %16s\n", "op", "kind", "unit", "cycles", "cyc%",
           "flops", "dram_B", "noncomp_B");
    for (size_t j = 0; j < n; j++)
        printf("%-14s %-6s %-8s %16" PRIu64 " %6.2f %18" PRIu64 " %16" PRIu64 " %16" PRIu64 "\n",
               a[j].name, mapper_kind_name(a[j].kind), mapper_unit_name(a[j].unit), a[j].cycles,
               100.0 * (double)a[j].cycles / (double)(cyc ? cyc : 1), a[j].flops, a[j].dram,
               a[j].noncomp);
    printf("%-14s %-6s %-8s %16" PRIu64 " %6.2f %18" PRIu64 " %16" PRIu64 " %16" PRIu64 "\n",
           "total", "", "", cyc, 100.0, fl, dram, nc);
}

static int parse_bits(const char *opt, const char *s, uint32_t *out)
{
    uint64_t v;
    if (cli_uint("map", opt, s, 1, MAPPER_MAX_BITS, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int cmd_map(int argc, char **argv)
{
    const char *model_path = NULL, *hw_path = NULL, *out_path = NULL, *ss_path = NULL;
    const char *wbits_s = NULL, *routing_path = NULL;
    uint64_t seed = 0;
    mapper_run_t run = {.batch = 1, .prompt = 512, .gen = 2, .abits = 8, .kvbits = 8};
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"hw", required_argument, 0, 'h'},
        {"batch", required_argument, 0, 'b'}, {"prompt", required_argument, 0, 'p'},
        {"gen", required_argument, 0, 'g'},   {"w-bits", required_argument, 0, 'w'},
        {"a-bits", required_argument, 0, 'a'}, {"kv-bits", required_argument, 0, 'k'},
        /* Hidden aliases, the spellings of earlier versions. */
        {"wbits", required_argument, 0, 'w'},
        {"abits", required_argument, 0, 'a'}, {"kvbits", required_argument, 0, 'k'},
        {"out", required_argument, 0, 'o'},   {"scalesim", required_argument, 0, 's'},
        {"seed", required_argument, 0, 'S'},  {"routing", required_argument, 0, 'R'},
        {"help", no_argument, 0, 'H'},        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = cli_getopt("map", argc, argv, opts, NULL)) != -1) {
        switch (c) {
        case 'm': model_path = optarg; break;
        case 'h': hw_path = optarg; break;
        case 'b': if (cli_uint("map", "batch", optarg, 1, MAPPER_MAX_BATCH, &run.batch)) return 2; break;
        case 'p': if (cli_uint("map", "prompt", optarg, 1, 1u << 24, &run.prompt)) return 2; break;
        case 'g': if (cli_uint("map", "gen", optarg, 1, 1u << 24, &run.gen)) return 2; break;
        case 'w': wbits_s = optarg; if (parse_bits("w-bits", optarg, &run.wbits)) return 2; break;
        case 'a': if (parse_bits("a-bits", optarg, &run.abits)) return 2; break;
        case 'k': if (parse_bits("kv-bits", optarg, &run.kvbits)) return 2; break;
        case 'o': out_path = optarg; break;
        case 's': ss_path = optarg; break;
        case 'S': if (cli_uint("map", "seed", optarg, 0, UINT64_MAX, &seed)) return 2; break;
        case 'R': routing_path = optarg; break;
        case 'H': fputs(map_usage, stdout); return 0;
        default: return 2;
        }
    }
    if (optind < argc) {
        cli_err("codesim map: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!model_path) {
        cli_err("codesim map: --model: missing (see codesim map --help)\n");
        return 2;
    }
    const cli_file_t files[] = {{"--model", model_path, 0}, {"--hw", hw_path, 0},
                                {"--routing", routing_path, 0}, {"--out", out_path, 1},
                                {"--scalesim", ss_path, 1}};
    if (cli_check_files("map", files, sizeof files / sizeof files[0]) != 0)
        return 1;
    char err[768];
    mapper_model_t model;
    if (workload_model_load(model_path, &model, err, sizeof err) != 0) {
        cli_err("codesim map: %s\n", err);
        return 1;
    }
    if (!wbits_s)
        run.wbits = model.native_wbits;
    mapper_routing_t routing = {0};
    model.route_seed = seed;
    if (routing_path) {
        if (workload_routing_load(routing_path, &model, &routing, err, sizeof err) != 0) {
            cli_err("codesim map: --routing: %s\n", err);
            return 1;
        }
        model.routing = &routing;
    }
    hw_cfg_t hw;
    if (hw_path) {
        if (hw_load(hw_path, &hw, err, sizeof err) != 0) {
            cli_err("codesim map: %s\n", err);
            workload_routing_free(&routing);
            return 1;
        }
    } else {
        hw_defaults(&hw);
    }
    mapper_ops_t ops = {0};
    mapper_ctx_t *ctx = NULL;
    char *def_out = NULL;
    int rc = 1;
    if (mapper_ops_build(&model, &run, &ops, err, sizeof err) != 0) {
        cli_err("codesim map: --%s\n", err);
        goto out;
    }
    ctx = mapper_ctx_new(&hw);
    if (!ctx) {
        cli_err("codesim map: out of memory\n");
        goto out;
    }
    const double t0 = util_now_s();
    if (mapper_map(ctx, &ops, err, sizeof err) != 0) {
        cli_err("codesim map: %s: %s: %s\n", model_path, hw_path ? hw_path : hw.name, err);
        goto out;
    }
    const double wall = util_now_s() - t0;

    mapper_params_t par;
    mapper_model_params(&model, &par);
    char mn[256], hn[256], eng[64] = "";
    for (int k = 0; k < TE_KINDS; k++) /* the engine the mapper uses: the last present */
        if (hw.has_te[k])
            snprintf(eng, sizeof eng, " + %ux%ux%u %s", hw.te[k].rows, hw.te[k].cols,
                     hw.te[k].depth, te_kind_name((te_kind_t)k));
    printf("codesim map: %s (%s, %.3g params, %" PRIu64 " layers) on %s, %ux%u %s array%s\n",
           esc_text(mn, sizeof mn, model.name), mapper_family_name(model.family),
           (double)par.total, model.layers, esc_text(hn, sizeof hn, hw.name),
           hw.array.rows, hw.array.cols, systolic_dataflow_name(hw.array.dataflow), eng);
    printf("run: batch %" PRIu64 ", prompt %" PRIu64 ", gen %" PRIu64 ", w%u a%u kv%u\n",
           run.batch, run.prompt, run.gen, run.wbits, run.abits, run.kvbits);
    if (model.experts) {
        printf("moe: %" PRIu64 " of %" PRIu64 " MoE layers, %" PRIu64 " routed experts, top-%"
               PRIu64 "%s; params %.4g total, %.4g active per token; routing %s\n",
               par.moe_layers, model.layers, model.experts, model.top_k,
               model.shared_ffn ? ", shared expert" : "", (double)par.total, (double)par.active,
               routing_path ? routing_path : "uniform");
        printf("experts touched (of %" PRIu64 "): prefill %" PRIu64, par.moe_layers * model.experts,
               mapper_experts_touched(&ops, 0));
        for (uint32_t s = 1; s < run.gen && s <= 4; s++)
            printf(", decode step %u %" PRIu64, s, mapper_experts_touched(&ops, s));
        printf("%s\n", run.gen > 5 ? ", ..." : "");
    }
    if (model.mla)
        printf("mla: KV cache %" PRIu64 " values per token per layer (kv_lora_rank %" PRIu64
               " + qk_rope_head_dim %" PRIu64 ")\n", mapper_kv_elems(&model), model.kv_lora,
               model.qk_rope);
    for (size_t i = 0; i < model.nignored; i++)
        printf("ignored %s: %s\n", model.ignored[i].key, model.ignored[i].why);
    printf("%-8s %4s %-14s %3s %-6s %-8s %7s %7s %6s %6s %-22s %14s %14s %14s\n", "phase",
           "step", "op", "rep", "kind", "unit", "M", "N", "K", "count", "tile m x n x k order",
           "cycles", "flops", "noncomp_B");
    /* Every op of the prefill and of the first and last decode steps; the
     * steps in between differ only in context length (all are in the trace). */
    const uint32_t last = run.gen > 1 ? (uint32_t)(run.gen - 1) : 0;
    int elided = 0;
    for (size_t i = 0; i < ops.count; i++) {
        const mapper_op_t *o = &ops.ops[i];
        if (o->step <= 1 || o->step == last) {
            print_op(o);
        } else if (!elided) {
            printf("... decode steps 2..%u elided (in the trace)\n", last - 1);
            elided = 1;
        }
    }
    print_breakdown(&ops, MAPPER_PREFILL);
    print_breakdown(&ops, MAPPER_DECODE);
    for (size_t i = 0; i < ops.count; i++) {
        if (ops.ops[i].unit == MAPPER_UNIT_PIM) {
            printf("\npim cycles are DRAM clock cycles (tCK %u ps), not array cycles; pim "
                   "dram_B are bytes read inside the banks\n", hw.dram.dev.tck_ps);
            break;
        }
    }
    mapper_stats_t ms;
    mapper_ctx_stats(ctx, &ms);
    printf("\nmapped %zu ops (%" PRIu64 " GEMM shapes searched, %" PRIu64 " memo hits, %" PRIu64
           " legal tilings, %" PRIu64 " costed, %" PRIu64 " engine runs, %" PRIu64 " LUT runs, %"
           PRIu64 " PIM kernels) in %.3f ms\n", ops.count, ms.searches, ms.memo_hits, ms.legal,
           ms.candidates, ms.engine_runs, ms.lut_runs, ms.pim_runs, 1e3 * wall);

    if (!out_path) {
        const size_t len = strlen(model.name) + 16;
        def_out = malloc(len);
        if (!def_out) {
            cli_err("codesim map: out of memory\n");
            goto out;
        }
        snprintf(def_out, len, "%s.trace.csv", model.name);
        out_path = def_out;
        const cli_file_t def[] = {{"--model", model_path, 0}, {"--hw", hw_path, 0},
                                  {"--routing", routing_path, 0}, {"--scalesim", ss_path, 1},
                                  {"--out (default)", out_path, 1}};
        if (cli_check_files("map", def, sizeof def / sizeof def[0]) != 0)
            goto out;
    }
    const trace_arg_t ta = {&model, &run, hw.name, &ops};
    if (write_outputs(out_path, ss_path, trace_fn, scalesim_fn, &ta, err, sizeof err) != 0) {
        cli_err("codesim map: %s\n", err);
        goto out;
    }
    printf("trace: %s%s%s\n", out_path, ss_path ? ", SCALE-Sim topology: " : "",
           ss_path ? ss_path : "");
    rc = 0;
out:
    free(def_out);
    mapper_ctx_free(ctx);
    mapper_ops_free(&ops);
    hw_free(&hw);
    workload_routing_free(&routing);
    return rc;
}

/* Mapping time of the closing-note cases (Llama-2-7B on the default array):
 * prefill batch 1 x 512 tokens, and one decode step at batch 32, context 2048. */
int bench_map(void)
{
    static const struct { const char *what; mapper_run_t r; } cases[] = {
        {"llama-2-7b prefill b1 L512", {1, 512, 1, 8, 8, 8}},
        {"llama-2-7b decode b32 ctx2048", {32, 2048, 2, 8, 8, 8}},
        {"llama-2-7b 128 decode steps b1", {1, 512, 129, 8, 8, 8}},
    };
    char err[512], model_file[4096];
    mapper_model_t m;
    io_data_path("traces/models/llama-2-7b.json", model_file, sizeof model_file);
    if (workload_model_load(model_file, &m, err, sizeof err)) {
        cli_err("bench map: %s\n", err);
        return 1;
    }
    hw_cfg_t hw;
    hw_defaults(&hw);
    int rc = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases) && !rc; i++) {
        mapper_ops_t ops;
        mapper_ctx_t *ctx = mapper_ctx_new(&hw);
        const double t0 = util_now_s();
        if (!ctx || mapper_ops_build(&m, &cases[i].r, &ops, err, sizeof err) != 0 ||
            mapper_map(ctx, &ops, err, sizeof err) != 0) {
            cli_err("bench map: %s: %s\n", cases[i].what, ctx ? err : "out of memory");
            rc = 1;
        } else {
            const double wall = util_now_s() - t0;
            mapper_stats_t s;
            mapper_ctx_stats(ctx, &s);
            printf("map %-32s %6zu ops %4" PRIu64 " searches %7" PRIu64 " legal %6" PRIu64
                   " costed %7" PRIu64 " engine runs %9.3f ms\n", cases[i].what, ops.count,
                   s.searches, s.legal, s.candidates, s.engine_runs, 1e3 * wall);
            mapper_ops_free(&ops);
        }
        mapper_ctx_free(ctx);
    }
    hw_free(&hw);
    return rc;
}

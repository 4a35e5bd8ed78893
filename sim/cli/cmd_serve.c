/* cmd_serve.c - `codesim serve`: a request stream served on one machine
 * (sim/run/serve.h); latency percentiles, throughput and goodput printed,
 * every request stored. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../db/db.h"
#include "../io/config.h"
#include "../io/outfile.h"
#include "../io/paths.h"
#include "../io/serve_file.h"
#include "../io/workload.h"
#include "../run/serve.h"
#include "cli.h"

static const char serve_usage[] =
    "usage: codesim serve --model FILE (--workload FILE | --trace FILE) [--hw FILE]\n"
    "                     [--rate R] [--requests N] [--max-batch B] [--token-budget T]\n"
    "                     [--chunk C] [--block K] [--kv-blocks N] [--preempt]\n"
    "                     [--bucket L] [--mode M] [--w-bits W] [--a-bits A] [--kv-bits V]\n"
    "                     [--slo-ttft S] [--slo-tpot S] [--timeline FILE] [--db FILE]\n"
    "                     [--rates R1,R2,... [--plot FILE.svg]]\n"
    "\n"
    "Serves a stream of LLM requests with continuous batching and a paged KV cache\n"
    "on the machine of the hardware file; every iteration is costed by the batch\n"
    "simulator (run --model's prefill and decode steps, cached by shape).\n"
    "\n"
    "  --workload FILE   serve YAML: requests, rate, seed, prompt_min/max, gen_min/max\n"
    "                    (Poisson arrivals, uniform lengths) or trace: FILE\n"
    "  --trace FILE      CSV with TIMESTAMP,ContextTokens,GeneratedTokens (Azure LLM\n"
    "                    inference trace layout; traces/serve_azure_sample.csv)\n"
    "  --rate R          override the workload's arrival rate (requests/s)\n"
    "  --requests N      override the workload's request count\n"
    "  --max-batch B     running requests at most (default 64)\n"
    "  --token-budget T  tokens per iteration, decode + prefill (default 2048)\n"
    "  --chunk C         prefill chunk, tokens (default 512)\n"
    "  --block K         KV block, tokens (default 16)\n"
    "  --kv-blocks N     KV capacity in blocks (default: DRAM capacity - weights)\n"
    "  --preempt         when the KV cache is full, preempt the youngest running\n"
    "                    request and recompute it later (default: admit a request\n"
    "                    only when its prompt + gen fit)\n"
    "  --bucket L        context/prompt bucket for the cost cache (default 64;\n"
    "                    1 simulates every shape exactly)\n"
    "  --slo-ttft S, --slo-tpot S  SLO limits in seconds for goodput (default 0.5, 0.1)\n"
    "  --timeline FILE   Chrome trace-event JSON: one track per batch slot, the KV\n"
    "                    blocks in use and kv_full marks (one run: not with --rates)\n"
    "  --rates R1,R2,... serve the workload's stream at each rate (one stored run\n"
    "                    each) and print throughput, goodput and TTFT percentiles\n"
    "  --plot FILE.svg   with --rates: TTFT p50/p90/p99 (log) and throughput against rate\n"
    "  --model FILE      Hugging Face config.json (traces/models/) (required)\n"
    "  --mode, --w-bits, --a-bits, --kv-bits, --hw, --db  as for codesim run\n"
    "\n"
    "EXAMPLES\n"
    "  codesim serve --model traces/models/llama-2-7b.json --hw configs/npu_pim.yaml \\\n"
    "      --workload traces/serve_poisson.yaml --slo-ttft 0.5 --slo-tpot 0.1\n"
    "  codesim serve --model traces/models/llama-2-7b.json --hw configs/npu_pim.yaml \\\n"
    "      --trace traces/serve_azure_sample.csv --timeline serve.json\n"
    "  codesim serve --model traces/models/llama-2-7b.json --hw configs/npu_pim.yaml \\\n"
    "      --workload traces/serve_poisson.yaml --requests 300 --rates 0.1,0.3,0.5 --plot rates.svg\n";

static int cli_real(const char *opt, const char *s, double *out)
{
    char *end;
    const double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v <= 0) {
        cli_err("codesim serve: --%s: '%s' is not a positive number\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* cli_real, and within the rates a Poisson stream takes (serve_file.h). */
static int cli_rate(const char *opt, const char *s, double *out)
{
    if (cli_real(opt, s, out) != 0)
        return -1;
    if (*out < SERVE_MIN_RATE || *out > SERVE_MAX_RATE) {
        cli_err("codesim serve: --%s: %g is outside %g..%g requests per second\n", opt, *out,
                SERVE_MIN_RATE, SERVE_MAX_RATE);
        return -1;
    }
    return 0;
}

typedef struct {
    double ttft, tpot;
} slo_t;

typedef struct {
    double rate, goodput;
    uint64_t kv_full;
    db_serve_t sum;
} sweep_row_t;

#define SERVE_MAX_RATES 64

/* Serves one stream, prints (verbose) or fills row, stores it.  0 or 1. */
static int serve_once(const hw_cfg_t *hw, const char *hw_path, const mapper_model_t *model,
                      const mapper_run_t *run, const serve_cfg_t *cfg, const serve_stream_t *s,
                      const slo_t *slo, db_t *db, const char *db_path, const char *wl_name,
                      int verbose, sweep_row_t *row)
{
    char err[600];
    serve_result_t res;
    const double t0 = util_now_s();
    if (serve_run(hw, model, run, cfg, s, &res, err, sizeof err) != 0) {
        cli_err("codesim serve: %s\n", err);
        return 1;
    }
    const double wall = util_now_s() - t0;
    double *vals = malloc(3 * res.n * sizeof *vals);
    if (!vals) {
        cli_err("codesim serve: out of memory\n");
        serve_result_free(&res);
        return 1;
    }
    double *ttft = vals, *tpot = vals + res.n, *e2e = vals + 2 * res.n;
    uint64_t tokens = 0, good = 0;
    size_t ntpot = 0;
    for (size_t i = 0; i < res.n; i++) {
        const serve_req_result_t *q = &res.reqs[i];
        ttft[i] = q->ttft_s;
        e2e[i] = q->e2e_s;
        if (q->gen > 1)
            tpot[ntpot++] = q->tpot_s;
        tokens += q->gen;
        good += q->ttft_s <= slo->ttft && (q->gen < 2 || q->tpot_s <= slo->tpot);
    }
    const double ps[3] = {50, 90, 99};
    db_serve_t sum = {model->name, cfg, 0, 0, 0, 0, {0}, {0}, {0}};
    for (int k = 0; k < 3; k++) {
        sum.ttft[k] = serve_percentile(ttft, res.n, ps[k]);
        sum.tpot[k] = ntpot ? serve_percentile(tpot, ntpot, ps[k]) : NAN; /* stored NULL */
        sum.e2e[k] = serve_percentile(e2e, res.n, ps[k]);
    }
    free(vals);
    const double span = res.makespan_s > 0 ? res.makespan_s : 1e-12;
    const double last = s->reqs[s->n - 1].arrival_s - s->reqs[0].arrival_s;
    sum.rate = s->n > 1 && last > 0 ? (double)(s->n - 1) / last : 0;
    sum.req_per_s = (double)res.n / span;
    sum.tok_per_s = (double)tokens / span;
    sum.total_cycles = (uint64_t)llround(res.busy_s * 1e6 * hw->npu.freq_mhz);
    if (verbose) {
        printf("codesim serve: %s on %s, %zu requests, max batch %u, budget %" PRIu64
               " tokens, chunk %" PRIu64 ", %s\n",
               model->name, hw->name, res.n, cfg->max_batch, cfg->token_budget, cfg->chunk,
               cfg->preempt ? "preemption on" : "no preemption");
        printf("KV cache        %" PRIu64 " blocks of %u tokens (%" PRIu64 " bytes each), peak %"
               PRIu64 ", full in %" PRIu64 " iterations, %" PRIu64 " preemptions\n",
               res.kv_blocks, cfg->block_tokens, res.kv_block_bytes, res.kv_peak_blocks,
               res.kv_full, res.preemptions);
        printf("iterations      %" PRIu64 " (%" PRIu64 " step shapes simulated, %" PRIu64
               " cache hits, bucket %u)\n",
               res.iterations, res.shapes_simulated, res.cache_hits, cfg->bucket);
        printf("                p50        p90        p99   (seconds)\n");
        printf("TTFT     %10.4f %10.4f %10.4f\n", sum.ttft[0], sum.ttft[1], sum.ttft[2]);
        if (ntpot)
            printf("TPOT     %10.4f %10.4f %10.4f\n", sum.tpot[0], sum.tpot[1], sum.tpot[2]);
        else
            printf("TPOT     %10s %10s %10s   (no request decodes)\n", "-", "-", "-");
        printf("E2E      %10.4f %10.4f %10.4f\n", sum.e2e[0], sum.e2e[1], sum.e2e[2]);
        /* the offered rate needs two arrivals apart in time: "-" without */
        char offered[32] = "-";
        if (sum.rate > 0)
            snprintf(offered, sizeof offered, "%.3f/s", sum.rate);
        printf("throughput      %.3f requests/s, %.1f tokens/s over %.3f s (offered %s)\n",
               sum.req_per_s, sum.tok_per_s, res.makespan_s, offered);
        printf("goodput         %.3f requests/s (%" PRIu64 " of %zu within TTFT <= %g s, "
               "TPOT <= %g s)\n",
               (double)good / span, good, res.n, slo->ttft, slo->tpot);
        printf("mean in system  %.3f requests\n", res.mean_in_system);
    }
    if (row) {
        row->goodput = (double)good / span;
        row->kv_full = res.kv_full;
        row->sum = sum;
    }
    const db_run_t dr = {"serve", hw_path, hw, wl_name, NULL, wall};
    int64_t run_id;
    const int bad = db_record_serve(db, &dr, &sum, &res, &run_id, err, sizeof err);
    serve_result_free(&res);
    if (bad) {
        cli_err("codesim serve: %s: %s\n", db_path, err);
        return 1;
    }
    if (verbose)
        printf("stored as run %lld in %s (simulated in %.3f s)\n", (long long)run_id, db_path,
               wall);
    return 0;
}

/* An SVG of TTFT p50/p90/p99 (log scale) and throughput against the offered
 * rate. */
static void write_plot(FILE *f, const char *model, const char *hw, const sweep_row_t *r,
                       size_t n)
{
    const double W = 640, H = 400, L = 70, R = 70, T = 40, B = 50;
    double xmax = 0, ymin = 1e300, ymax = 0, tmax = 0;
    for (size_t i = 0; i < n; i++) {
        xmax = fmax(xmax, r[i].rate);
        tmax = fmax(tmax, r[i].sum.req_per_s);
        for (int k = 0; k < 3; k++) {
            if (r[i].sum.ttft[k] > 0)
                ymin = fmin(ymin, r[i].sum.ttft[k]);
            ymax = fmax(ymax, r[i].sum.ttft[k]);
        }
    }
    if (!(ymin < ymax)) {
        ymin = ymax > 0 ? ymax / 10 : 1e-3;
        ymax = ymin * 100;
    }
    const double lo = floor(log10(ymin)), hi = ceil(log10(ymax)) + (ceil(log10(ymax)) == floor(log10(ymin)));
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
    fprintf(f, "<text x=\"%g\" y=\"20\">%s on %s: TTFT percentiles and throughput "
               "against arrival rate</text>\n", L, model, hw);
    fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" "
               "stroke=\"black\"/>\n", L, T, W - L - R, H - T - B);
    for (double e = lo; e <= hi; e++) {
        const double y = H - B - (e - lo) / (hi - lo) * (H - T - B);
        fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">1e%g s</text>\n", L - 4, y + 4, e);
    }
    for (int k = 0; k <= 4; k++) {
        const double x = L + k / 4.0 * (W - L - R);
        fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%.3g</text>\n", x,
                H - B + 16, xmax * k / 4.0);
        fprintf(f, "<text x=\"%g\" y=\"%g\" fill=\"#555\">%.3g</text>\n", W - R + 4,
                H - B - k / 4.0 * (H - T - B) + 4, tmax * k / 4.0);
    }
    fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">arrival rate "
               "(requests/s)</text>\n", (W + L - R) / 2, H - 12);
    fprintf(f, "<text x=\"%g\" y=\"%g\" fill=\"#555\">req/s served</text>\n", W - R - 10, T - 6);
    static const char *const col[4] = {"#1f77b4", "#ff7f0e", "#d62728", "#555"};
    static const char *const name[4] = {"TTFT p50", "TTFT p90", "TTFT p99", "throughput"};
    for (int k = 0; k < 4; k++) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
                col[k], k == 3 ? " stroke-dasharray=\"5,3\"" : "");
        for (size_t i = 0; i < n; i++) {
            const double x = L + (xmax > 0 ? r[i].rate / xmax : 0) * (W - L - R);
            double y;
            if (k == 3)
                y = H - B - (tmax > 0 ? r[i].sum.req_per_s / tmax : 0) * (H - T - B);
            else {
                const double v = r[i].sum.ttft[k] > 0 ? r[i].sum.ttft[k] : pow(10, lo);
                y = H - B - (log10(v) - lo) / (hi - lo) * (H - T - B);
            }
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fprintf(f, "\"/>\n<text x=\"%g\" y=\"%g\" fill=\"%s\">%s</text>\n", L + 8,
                T + 16 + 14 * k, col[k], name[k]);
    }
    fputs("</svg>\n", f);
}

/* --rates R1,R2,...: every entry a positive number; an empty one
 * ("0.1,,0.2", a trailing comma) is refused, not skipped.  Splits s in
 * place. */
static int parse_rates(char *s, double *rv, size_t *nr)
{
    *nr = 0;
    for (char *t = s;;) {
        char *comma = strchr(t, ',');
        if (comma)
            *comma = 0;
        if (*nr == SERVE_MAX_RATES) {
            cli_err("codesim serve: --rates: more than %d rates\n", SERVE_MAX_RATES);
            return -1;
        }
        if (cli_rate("rates", t, &rv[*nr]) != 0)
            return -1;
        ++*nr;
        if (!comma)
            return 0;
        t = comma + 1;
    }
}

int cmd_serve(int argc, char **argv)
{
    const char *hw_path = NULL, *model_path = NULL, *wl_path = NULL, *trace_path = NULL;
    const char *db_path = "results.db", *tl_path = NULL, *plot_path = NULL;
    char *rates = NULL;
    double rate = 0, slo_ttft = 0.5, slo_tpot = 0.1;
    uint64_t requests = 0, wbits = 0, abits = 8, kvbits = 8, v;
    serve_cfg_t cfg;
    serve_cfg_defaults(&cfg);
    static const struct option opts[] = {
        {"hw", required_argument, 0, 'h'},        {"model", required_argument, 0, 'm'},
        {"workload", required_argument, 0, 'w'},  {"trace", required_argument, 0, 'r'},
        {"rate", required_argument, 0, 'R'},      {"requests", required_argument, 0, 'n'},
        {"max-batch", required_argument, 0, 'B'}, {"token-budget", required_argument, 0, 'T'},
        {"chunk", required_argument, 0, 'C'},     {"block", required_argument, 0, 'K'},
        {"kv-blocks", required_argument, 0, 'N'}, {"preempt", no_argument, 0, 'P'},
        {"bucket", required_argument, 0, 'b'},    {"mode", required_argument, 0, 'M'},
        {"w-bits", required_argument, 0, 'W'},    {"a-bits", required_argument, 0, 'A'},
        {"kv-bits", required_argument, 0, 'V'},
        /* Hidden aliases, the spellings of earlier versions. */
        {"wbits", required_argument, 0, 'W'},     {"abits", required_argument, 0, 'A'},
        {"kvbits", required_argument, 0, 'V'},    {"slo-ttft", required_argument, 0, 's'},
        {"slo-tpot", required_argument, 0, 't'},  {"timeline", required_argument, 0, 'L'},
        {"db", required_argument, 0, 'd'},        {"help", no_argument, 0, 'H'},
        {"rates", required_argument, 0, 'x'},     {"plot", required_argument, 0, 'p'},
        {0, 0, 0, 0}};
    int c, bad = 0;
    optind = 1;
    while ((c = cli_getopt("serve", argc, argv, opts, NULL)) != -1) {
        switch (c) {
        case 'h': hw_path = optarg; break;
        case 'm': model_path = optarg; break;
        case 'w': wl_path = optarg; break;
        case 'r': trace_path = optarg; break;
        case 'R': bad |= cli_rate("rate", optarg, &rate); break;
        case 'n': bad |= cli_uint("serve", "requests", optarg, 1, 1u << 24, &requests); break;
        case 'B': bad |= cli_uint("serve", "max-batch", optarg, 1, 65536, &v); cfg.max_batch = (uint32_t)v; break;
        case 'T': bad |= cli_uint("serve", "token-budget", optarg, 1, 1u << 24, &cfg.token_budget); break;
        case 'C': bad |= cli_uint("serve", "chunk", optarg, 1, 1u << 24, &cfg.chunk); break;
        case 'K': bad |= cli_uint("serve", "block", optarg, 1, 1u << 16, &v); cfg.block_tokens = (uint32_t)v; break;
        case 'N': bad |= cli_uint("serve", "kv-blocks", optarg, 1, UINT64_MAX >> 20, &cfg.kv_blocks); break;
        case 'P': cfg.preempt = 1; break;
        case 'b': bad |= cli_uint("serve", "bucket", optarg, 1, 1u << 20, &v); cfg.bucket = (uint32_t)v; break;
        case 'M': cfg.mode = optarg; break;
        case 'W': bad |= cli_uint("serve", "w-bits", optarg, 1, 16, &wbits); break;
        case 'A': bad |= cli_uint("serve", "a-bits", optarg, 1, 16, &abits); break;
        case 'V': bad |= cli_uint("serve", "kv-bits", optarg, 1, 16, &kvbits); break;
        case 's': bad |= cli_real("slo-ttft", optarg, &slo_ttft); break;
        case 't': bad |= cli_real("slo-tpot", optarg, &slo_tpot); break;
        case 'L': tl_path = optarg; break;
        case 'd': db_path = optarg; break;
        case 'x': rates = optarg; break;
        case 'p': plot_path = optarg; break;
        case 'H': fputs(serve_usage, stdout); return 0;
        default: return 2;
        }
    }
    double rv[SERVE_MAX_RATES];
    size_t nr = 0;
    if (!bad && rates && parse_rates(rates, rv, &nr) != 0)
        bad = 1;
    if (bad)
        return 2;
    if (optind < argc) {
        cli_err("codesim serve: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (plot_path && !rates) {
        /* the plot draws the rate sweep: without one there is nothing to draw */
        cli_err("codesim serve: --plot: needs --rates (it plots TTFT and throughput against "
                "rate)\n");
        return 2;
    }
    if (tl_path && rates) {
        /* a timeline shows one run; the sweep runs one per rate */
        cli_err("codesim serve: --timeline: not with --rates (a timeline shows one run: "
                "give --rate R instead)\n");
        return 2;
    }
    if (!model_path || !wl_path == !trace_path) {
        cli_err("codesim serve: %s (see codesim serve --help)\n",
                !model_path ? "--model: missing"
                : wl_path   ? "--workload and --trace: give one, not both"
                            : "--workload or --trace: missing");
        return 2;
    }
    char err[600];
    hw_cfg_t hw;
    mapper_model_t model;
    serve_spec_t spec = {0};
    serve_stream_t stream = {0};
    db_t *db = NULL;
    io_out_t tl = {0}, plot = {0};
    int rc = 1;
    if (hw_path ? hw_load(hw_path, &hw, err, sizeof err) : (hw_defaults(&hw), 0)) {
        cli_err("codesim serve: %s\n", err);
        return 1;
    }
    if (workload_model_load(model_path, &model, err, sizeof err) != 0) {
        cli_err("codesim serve: %s\n", err);
        goto out;
    }
    if (wl_path && serve_spec_load(wl_path, &spec, err, sizeof err) != 0) {
        cli_err("codesim serve: %s\n", err);
        goto out;
    }
    /* after the workload, which may name a trace */
    const cli_file_t files[] = {{"--model", model_path, 0},     {"--hw", hw_path, 0},
                                {"--workload", wl_path, 0},     {"--trace", trace_path, 0},
                                {"--workload's trace", wl_path && spec.trace[0] ? spec.trace : NULL, 0},
                                {"--db", db_path, 1},           {"--timeline", tl_path, 1},
                                {"--plot", plot_path, 1}};
    if (cli_check_files("serve", files, sizeof files / sizeof files[0]) != 0)
        goto out;
    if (wl_path && !spec.trace[0]) {
        const serve_poisson_t p = {requests ? requests : spec.requests, rate > 0 ? rate : spec.rate,
                                   spec.seed, spec.prompt_min, spec.prompt_max, spec.gen_min,
                                   spec.gen_max};
        if (serve_poisson(&p, &stream, err, sizeof err) != 0) {
            cli_err("codesim serve: %s: %s\n", wl_path, err);
            goto out;
        }
        if (serve_check_positions(&stream, model.max_pos, wl_path, &spec, model_path, err,
                                  sizeof err) != 0) {
            cli_err("codesim serve: %s\n", err);
            goto out;
        }
    } else {
        const char *tp = trace_path ? trace_path : spec.trace;
        if (serve_trace_load(tp, &stream, err, sizeof err) != 0) {
            cli_err("codesim serve: %s\n", err);
            goto out;
        }
        if (rate > 0 || requests) {
            /* a trace keeps its own times; --requests takes its first N */
            if (rate > 0) {
                cli_err("codesim serve: --rate: a trace keeps its own arrival times\n");
                rc = 2;
                goto out;
            }
            if (requests < stream.n)
                stream.n = requests;
        }
        if (serve_check_positions(&stream, model.max_pos, tp, NULL, model_path, err,
                                  sizeof err) != 0) {
            cli_err("codesim serve: %s\n", err);
            goto out;
        }
    }
    if (cli_db_open("serve", db_path, &db, err, sizeof err) != 0) {
        cli_err("codesim serve: %s\n", err);
        goto out;
    }
    /* The timeline replaces an earlier file only when the run succeeds. */
    if (tl_path && io_out_begin(&tl, tl_path, err, sizeof err) != 0) {
        cli_err("codesim serve: --timeline: %s\n", err);
        goto out;
    }
    cfg.timeline = tl.f;
    const mapper_run_t run = {1, 1, 1, (uint32_t)wbits, (uint32_t)abits, (uint32_t)kvbits};
    const slo_t slo = {slo_ttft, slo_tpot};
    const char *wl_name = wl_path ? wl_path : trace_path;
    if (!rates) {
        if (serve_once(&hw, hw_path, &model, &run, &cfg, &stream, &slo, db, db_path, wl_name,
                       1, NULL) != 0)
            goto out;
        if (tl.f && io_out_commit(&tl, err, sizeof err) != 0) {
            cli_err("codesim serve: --timeline: %s\n", err);
            goto out;
        }
        if (tl_path)
            printf("timeline: %s (open it in https://ui.perfetto.dev)\n", tl_path);
        rc = 0;
        goto out;
    }
    /* --rates: the same stream's lengths and seed at each rate */
    if (!wl_path || spec.trace[0]) {
        cli_err("codesim serve: --rates: needs a Poisson --workload (not a trace)\n");
        rc = 2;
        goto out;
    }
    sweep_row_t rows[SERVE_MAX_RATES];
    /* The plot is opened before the sweep: an unwritable path fails now,
     * not after every rate has run; it replaces FILE only when complete. */
    if (plot_path && io_out_begin(&plot, plot_path, err, sizeof err) != 0) {
        cli_err("codesim serve: --plot: %s\n", err);
        goto out;
    }
    /* Every rate's stream is drawn once before the table: a rate whose
     * stream cannot be served is the --rates entry's fault, named as such,
     * before anything is printed. */
    for (size_t k = 0; k < nr; k++) {
        serve_stream_free(&stream);
        const serve_poisson_t p = {requests ? requests : spec.requests, rv[k], spec.seed,
                                   spec.prompt_min, spec.prompt_max, spec.gen_min, spec.gen_max};
        if (serve_poisson(&p, &stream, err, sizeof err) != 0) {
            cli_err("codesim serve: --rates: %s\n",
                    strncmp(err, "rate: ", 6) == 0 ? err + 6 : err);
            rc = 2;
            goto out;
        }
    }
    cfg.timeline = NULL;
    printf("%10s %10s %10s %10s %10s %10s %10s %8s\n", "rate", "req/s", "tok/s", "goodput",
           "TTFT p50", "TTFT p90", "TTFT p99", "kv_full");
    for (size_t k = 0; k < nr; k++) {
        serve_stream_free(&stream);
        const serve_poisson_t p = {requests ? requests : spec.requests, rv[k], spec.seed,
                                   spec.prompt_min, spec.prompt_max, spec.gen_min, spec.gen_max};
        if (serve_poisson(&p, &stream, err, sizeof err) != 0) {
            cli_err("codesim serve: %s: %s\n", wl_path, err);
            goto out;
        }
        if (serve_check_positions(&stream, model.max_pos, wl_path, &spec, model_path, err,
                                  sizeof err) != 0) {
            cli_err("codesim serve: %s\n", err);
            goto out;
        }
        rows[k].rate = rv[k];
        if (serve_once(&hw, hw_path, &model, &run, &cfg, &stream, &slo, db, db_path, wl_name, 0,
                       &rows[k]) != 0)
            goto out;
        printf("%10g %10.3f %10.1f %10.3f %10.4f %10.4f %10.4f %8" PRIu64 "\n", rv[k],
               rows[k].sum.req_per_s, rows[k].sum.tok_per_s, rows[k].goodput, rows[k].sum.ttft[0],
               rows[k].sum.ttft[1], rows[k].sum.ttft[2], rows[k].kv_full);
    }
    if (plot.f) {
        write_plot(plot.f, model.name, hw.name, rows, nr);
        if (io_out_commit(&plot, err, sizeof err) != 0) {
            cli_err("codesim serve: --plot: %s\n", err);
            goto out;
        }
    }
    if (plot_path)
        printf("plot: %s\n", plot_path);
    rc = 0;
out:
    io_out_abort(&tl);
    io_out_abort(&plot);
    serve_stream_free(&stream);
    serve_spec_free(&spec);
    db_close(db);
    hw_free(&hw);
    return rc;
}

/* bench: 10,000 Llama-2-7B requests (traces/serve_bench.yaml) on
 * configs/npu_pim.yaml with the default serving parameters; wall and CPU
 * seconds (target under 60 s on one core). */
int bench_serve(void)
{
    char err[600], hw_file[4096], model_file[4096], wl_file[4096];
    io_data_path("configs/npu_pim.yaml", hw_file, sizeof hw_file);
    io_data_path("traces/models/llama-2-7b.json", model_file, sizeof model_file);
    io_data_path("traces/serve_bench.yaml", wl_file, sizeof wl_file);
    hw_cfg_t hw;
    mapper_model_t model;
    serve_spec_t spec = {0};
    serve_stream_t s = {0};
    serve_result_t r = {0};
    int rc = 1;
    if (hw_load(hw_file, &hw, err, sizeof err) != 0) {
        cli_err("bench serve: %s\n", err);
        return 1;
    }
    if (workload_model_load(model_file, &model, err, sizeof err) != 0 ||
        serve_spec_load(wl_file, &spec, err, sizeof err) != 0) {
        cli_err("bench serve: %s\n", err);
        goto out;
    }
    const serve_poisson_t p = {spec.requests, spec.rate, spec.seed, spec.prompt_min,
                               spec.prompt_max, spec.gen_min, spec.gen_max};
    serve_cfg_t cfg;
    serve_cfg_defaults(&cfg);
    const mapper_run_t run = {1, 1, 1, 0, 8, 8};
    const double t0 = util_now_s();
    const clock_t c0 = clock();
    if (serve_poisson(&p, &s, err, sizeof err) != 0 ||
        serve_run(&hw, &model, &run, &cfg, &s, &r, err, sizeof err) != 0) {
        cli_err("bench serve: %s\n", err);
        goto out;
    }
    const double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC, wall = util_now_s() - t0;
    printf("\ncodesim bench: serving %zu Llama-2-7B requests at %g/s on %s (target < 60 s)\n",
           s.n, p.rate, hw.name);
    printf("%.2f s wall, %.2f s CPU; %" PRIu64 " iterations, %" PRIu64
           " step shapes simulated, %" PRIu64 " cache hits\n",
           wall, cpu, r.iterations, r.shapes_simulated, r.cache_hits);
    rc = 0;
out:
    serve_result_free(&r);
    serve_stream_free(&s);
    serve_spec_free(&spec);
    hw_free(&hw);
    return rc;
}

/* serve_file.h - request streams for serving (sim/run/serve.h): a serve
 * workload YAML and request-trace CSVs. */
#ifndef CODESIM_SERVE_FILE_H
#define CODESIM_SERVE_FILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double arrival_s;        /* from the stream's start */
    uint64_t prompt, gen;    /* prompt tokens; new tokens, the first from the prefill */
    unsigned line;           /* its trace line; 0 when drawn from a Poisson spec */
} serve_req_t;

typedef struct {
    serve_req_t *reqs;       /* in arrival order */
    size_t n;
} serve_stream_t;

void serve_stream_free(serve_stream_t *s);

/* Arrivals span at most SERVE_MAX_SPAN_S seconds from the first (10^7 s,
 * 116 days): times the fastest clock npu.freq_mhz allows (10^5 MHz) that is
 * cycle 10^18, below 2^62, so arrival cycles never wrap.  A Poisson rate is
 * SERVE_MIN_RATE (one request per span) .. SERVE_MAX_RATE requests/s. */
#define SERVE_MAX_SPAN_S 1e7
#define SERVE_MIN_RATE 1e-7
#define SERVE_MAX_RATE 1e12

/* Loads a request trace in the column layout of the Azure LLM inference
 * traces (Patel et al., "Splitwise", ISCA 2024; github.com/Azure/
 * AzurePublicDataset, AzureLLMInferenceTrace_*.csv): a header naming
 * TIMESTAMP, ContextTokens and GeneratedTokens (any order, other columns
 * ignored), one request per row.  TIMESTAMP is seconds (a number) or a
 * date-time "YYYY-MM-DD HH:MM:SS[.fraction]" as in the Azure files; times
 * are taken from the first row's, must not decrease and must lie within
 * SERVE_MAX_SPAN_S of it.  '#' lines and
 * blank lines are skipped.  -1 with err "FILE:LINE: FIELD: reason". */
int serve_trace_load(const char *path, serve_stream_t *out, char *err, size_t errlen);

/* A serve workload file (YAML, one flat mapping):
 *   requests: N            Poisson stream of N requests (default 100)
 *   rate: R                arrivals per second (required without trace;
 *                          SERVE_MIN_RATE .. SERVE_MAX_RATE)
 *   seed: S                (default 0)
 *   prompt_min, prompt_max prompt tokens, uniform (default 512, 512)
 *   gen_min, gen_max       new tokens, uniform (default 128, 128)
 *   trace: FILE            a trace CSV instead (relative to this file's folder)
 * trace is mutually exclusive with rate.  -1 with err "FILE[:LINE]: KEY: reason". */
typedef struct {
    uint64_t requests, seed, prompt_min, prompt_max, gen_min, gen_max;
    double rate;             /* 0: not given */
    char trace[4096];        /* "" without; resolved against the file's folder */
    char *text;              /* the file as read, owned */
    unsigned prompt_max_line, gen_max_line; /* where those keys are (0: the default) */
} serve_spec_t;

int serve_spec_load(const char *path, serve_spec_t *spec, char *err, size_t errlen);
void serve_spec_free(serve_spec_t *spec);

/* Refuses a request that needs more than max_pos positions (prompt + gen -
 * 1), naming where its lengths came from: "TRACE:LINE: ContextTokens: ..."
 * for a trace row (spec NULL), "WORKLOAD[:LINE]: prompt_max: ..." (or
 * gen_max) for a Poisson draw of spec read from path.  model names the
 * model file in the reason.  0 or -1. */
int serve_check_positions(const serve_stream_t *s, uint64_t max_pos, const char *path,
                          const serve_spec_t *spec, const char *model, char *err,
                          size_t errlen);

#endif

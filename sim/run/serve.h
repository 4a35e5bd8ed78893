/* serve.h - LLM serving: a stream of requests on one machine, continuous
 * (iteration-level) batching and a bounded paged KV cache.
 *
 * A request arrives at arrival_s with `prompt` tokens and asks for `gen`
 * new tokens (the first from its prefill, as `run --model`).  The simulator
 * advances in iterations, like Orca's iteration-level scheduling and vLLM's
 * scheduler:
 *   1. Arrived requests join the waiting queue (FCFS; a preempted request
 *      goes back to its front).
 *   2. Every running request that has finished its prefill decodes one token
 *      (one token of the iteration's budget each).  Its KV cache grows by a
 *      token; when that needs a new block and none is free, the youngest
 *      running request is preempted (its blocks freed; it recomputes its
 *      prompt and the tokens generated so far as a prefill when it is
 *      re-admitted) if preemption is on.  Without preemption a request is
 *      admitted only when the blocks for its whole prompt + gen are free, so
 *      a running request never waits for a block.
 *   3. Requests still in prefill take chunks of at most `chunk` tokens from
 *      the remaining budget, oldest first; then waiting requests are
 *      admitted (FCFS, no overtaking) while the batch has room (max_batch),
 *      the budget is not spent and the KV cache has the blocks; each takes a
 *      first chunk.  A request that cannot be admitted for want of blocks
 *      counts one kv_full iteration.
 *   4. The iteration takes: the decode step of the decoding requests (one
 *      `run --model` decode step of batch B at their mean context, in the
 *      mode sim_mode picks for batch B, so NeuPIMs' sub-batch interleaving
 *      when B >= 2 x array rows on a PIM machine) plus, for each prefill
 *      chunk covering prompt positions [a, b), P(b) - P(a) where P(L) is the
 *      prefill of one L-token prompt (P(0) = 0).  The parts run one after
 *      the other.  A request whose prefill completes gets its first token at
 *      the iteration's end; one that has its gen tokens retires then.
 *
 * Costs are simulated by sim_model_step (npu_step, the batch simulator's own
 * schedule) and cached by shape: decode steps by (B, context), prefills by
 * L.  With bucket > 1 the context and prefill lengths are simulated only at
 * multiples of bucket and interpolated linearly between them (README: the
 * measured error).  bucket = 1 simulates every shape exactly: then a request
 * served alone has the TTFT and TPOT of a batch-1 `run --model` of its
 * lengths. */
#ifndef CODESIM_SERVE_H
#define CODESIM_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../mapper/model.h"
#include "../../mapper/ops.h"
#include "../../models/hw.h"
#include "../io/serve_file.h"

/* Poisson arrivals: n requests at `rate` per second (exponential gaps),
 * prompt and gen lengths uniform on [min, max]; seeded, so one seed gives
 * one stream.  -1 with err on bad parameters or out of memory. */
typedef struct {
    uint64_t n;
    double rate;
    uint64_t seed;
    uint64_t prompt_min, prompt_max, gen_min, gen_max;
} serve_poisson_t;

int serve_poisson(const serve_poisson_t *p, serve_stream_t *out, char *err, size_t errlen);

typedef struct {
    uint32_t max_batch;      /* running requests at most */
    uint64_t token_budget;   /* tokens per iteration (decode tokens + prefill chunks) */
    uint64_t chunk;          /* prefill chunk, tokens */
    uint32_t block_tokens;   /* KV block, tokens */
    uint64_t kv_blocks;      /* 0: (DRAM capacity - weights) / block bytes */
    int preempt;             /* 1: preempt the youngest and recompute */
    uint32_t bucket;         /* context / prompt bucket, tokens (1 = exact) */
    const char *mode;        /* as run --mode: NULL/auto, npu, pim-blocked, neupims */
    FILE *timeline;          /* Chrome trace: one track per batch slot; may be NULL */
} serve_cfg_t;

/* Defaults: max_batch 64, token_budget 2048, chunk 512, block 16 tokens,
 * kv_blocks from the machine, no preemption, bucket 64, auto mode. */
void serve_cfg_defaults(serve_cfg_t *c);

typedef struct {
    double arrival_s, first_token_s, finish_s;   /* absolute, seconds */
    double ttft_s, tpot_s, e2e_s;                /* tpot 0 when gen = 1 */
    uint64_t prompt, gen;
    uint32_t preemptions;
    uint32_t slot;                               /* batch slot of its last admission */
} serve_req_result_t;

typedef struct {
    serve_req_result_t *reqs;    /* in stream order */
    size_t n;
    uint64_t iterations;
    uint64_t kv_full;            /* iterations in which a waiting request lacked blocks */
    uint64_t preemptions;
    uint64_t kv_blocks;          /* capacity */
    uint64_t kv_peak_blocks;
    uint64_t kv_block_bytes;
    uint64_t shapes_simulated;   /* distinct step costs simulated */
    uint64_t cache_hits;
    double makespan_s;           /* first arrival to last finish */
    double mean_in_system;       /* time average of requests arrived and not finished */
    double busy_s;               /* time in iterations */
} serve_result_t;

/* Serves stream s of model m (run gives the widths; batch, prompt and gen are
 * ignored) on hw.  -1 with err on a bad configuration, a request that can
 * never fit the KV cache, or a failed simulation. */
int serve_run(const hw_cfg_t *hw, const mapper_model_t *m, const mapper_run_t *run,
              const serve_cfg_t *cfg, const serve_stream_t *s, serve_result_t *res, char *err,
              size_t errlen);
void serve_result_free(serve_result_t *res);

/* Percentile p (0..100) of n values (nearest rank on a sorted copy; 0 for
 * n = 0). */
double serve_percentile(const double *v, size_t n, double p);

#endif

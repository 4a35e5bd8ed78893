/* serve.c - LLM serving with continuous batching (see serve.h). */
#include "serve.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/dram.h"
#include "../../models/util.h"
#include "run.h"

/* ---- request streams ---------------------------------------------------- */

/* splitmix64 (Steele, Lea, Flood, OOPSLA 2014): the stream's state is the
 * caller's, so one seed gives one stream. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform on [0, 1). */
static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) * 0x1.0p-53; }

static uint64_t rng_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
    const uint64_t span = hi - lo + 1;
    return span ? lo + rng_next(s) % span : rng_next(s);
}

int serve_poisson(const serve_poisson_t *p, serve_stream_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (p->n < 1 || p->n > (1ull << 24)) {
        snprintf(err, errlen, "requests: %" PRIu64 " is outside 1..%llu", p->n, 1ull << 24);
        return -1;
    }
    if (!(p->rate >= SERVE_MIN_RATE && p->rate <= SERVE_MAX_RATE)) {
        snprintf(err, errlen, "rate: %g is outside %g..%g requests per second", p->rate,
                 SERVE_MIN_RATE, SERVE_MAX_RATE);
        return -1;
    }
    if (p->prompt_min < 1 || p->prompt_min > p->prompt_max) {
        snprintf(err, errlen, "prompt: needs 1 <= min <= max");
        return -1;
    }
    if (p->gen_min < 1 || p->gen_min > p->gen_max) {
        snprintf(err, errlen, "gen: needs 1 <= min <= max");
        return -1;
    }
    out->reqs = calloc(p->n, sizeof *out->reqs);
    if (!out->reqs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    out->n = p->n;
    uint64_t s = p->seed;
    double t = 0;
    for (size_t i = 0; i < out->n; i++) {
        t += -log1p(-rng_unit(&s)) / p->rate; /* exponential gap of mean 1/rate */
        out->reqs[i].arrival_s = t;
        if (!(t <= SERVE_MAX_SPAN_S)) {
            snprintf(err, errlen, "rate: at %g requests per second request %zu arrives at %g s, "
                     "beyond the %g s a serve run may span", p->rate, i, t, SERVE_MAX_SPAN_S);
            serve_stream_free(out);
            return -1;
        }
        out->reqs[i].prompt = rng_range(&s, p->prompt_min, p->prompt_max);
        out->reqs[i].gen = rng_range(&s, p->gen_min, p->gen_max);
    }
    return 0;
}

void serve_cfg_defaults(serve_cfg_t *c)
{
    memset(c, 0, sizeof *c);
    c->max_batch = 64;
    c->token_budget = 2048;
    c->chunk = 512;
    c->block_tokens = 16;
    c->bucket = 64;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double serve_percentile(const double *v, size_t n, double p)
{
    if (!n)
        return 0;
    double *c = malloc(n * sizeof *c);
    if (!c)
        return NAN;
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    /* nearest rank: the smallest value with at least p% of values <= it */
    double r = ceil(p / 100.0 * (double)n);
    size_t k = r < 1 ? 0 : (size_t)r - 1;
    if (k >= n)
        k = n - 1;
    const double x = c[k];
    free(c);
    return x;
}

/* ---- step costs, cached by shape ---------------------------------------- */

typedef struct {
    uint64_t key, cycles;     /* key 0: empty */
} cost_slot_t;

typedef struct {
    const hw_cfg_t *hw;
    const mapper_model_t *m;
    mapper_run_t run;
    const char *mode;
    uint32_t bucket;
    cost_slot_t *tab;
    size_t cap, used;
    uint64_t simulated, hits;
    char *err;
    size_t errlen;
} cost_t;

/* key: kind (1 decode, 2 prefill) | batch << 2 | length << 24 */
static uint64_t cost_key(int kind, uint64_t batch, uint64_t len)
{
    return (uint64_t)kind | batch << 2 | len << 24;
}

static int cost_grow(cost_t *c)
{
    const size_t cap = c->cap ? 2 * c->cap : 1024;
    cost_slot_t *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->tab[i].key)
            continue;
        size_t h = (size_t)util_fnv1a_u64(0xcbf29ce484222325ull, c->tab[i].key) & (cap - 1);
        while (t[h].key)
            h = (h + 1) & (cap - 1);
        t[h] = c->tab[i];
    }
    free(c->tab);
    c->tab = t;
    c->cap = cap;
    return 0;
}

/* The simulated cycles of one shape: decode step of `batch` sequences at
 * context len (kind 1), or the prefill of one len-token prompt (kind 2). */
static int cost_exact(cost_t *c, int kind, uint64_t batch, uint64_t len, uint64_t *cycles)
{
    if (kind == 2 && len == 0) {
        *cycles = 0;
        return 0;
    }
    const uint64_t key = cost_key(kind, batch, len);
    if (2 * (c->used + 1) > c->cap && cost_grow(c) != 0) {
        snprintf(c->err, c->errlen, "out of memory");
        return -1;
    }
    size_t h = (size_t)util_fnv1a_u64(0xcbf29ce484222325ull, key) & (c->cap - 1);
    while (c->tab[h].key && c->tab[h].key != key)
        h = (h + 1) & (c->cap - 1);
    if (c->tab[h].key == key) {
        c->hits++;
        *cycles = c->tab[h].cycles;
        return 0;
    }
    mapper_run_t r = c->run;
    r.batch = batch;
    r.prompt = len;
    r.gen = kind == 1 ? 2 : 1;
    char why[400];
    if (sim_model_step(c->hw, c->m, &r, c->mode, kind == 1 ? 1 : 0, cycles, why, sizeof why)) {
        snprintf(c->err, c->errlen, "%s of batch %" PRIu64 ", %s %" PRIu64 ": %s",
                 kind == 1 ? "decode step" : "prefill", batch,
                 kind == 1 ? "context" : "prompt", len, why);
        return -1;
    }
    c->tab[h].key = key;
    c->tab[h].cycles = *cycles;
    c->used++;
    c->simulated++;
    return 0;
}

/* A shape's cycles, with lengths bucketed: simulated at the multiples of
 * bucket around len (the lowest edge 1 for decode, 0 for prefill; the highest
 * no further than `top`, the longest length the stream reaches) and
 * interpolated linearly between them. */
static int cost_at(cost_t *c, int kind, uint64_t batch, uint64_t len, uint64_t top,
                   uint64_t *cycles)
{
    const uint64_t b = c->bucket;
    if (b <= 1 || len % b == 0)
        return cost_exact(c, kind, batch, len, cycles);
    uint64_t lo = len / b * b, hi = lo + b;
    if (lo == 0 && kind == 1)
        lo = 1;
    if (hi > top)
        hi = top;
    if (hi <= len || lo >= len)
        return cost_exact(c, kind, batch, len, cycles);
    uint64_t cl, ch;
    if (cost_exact(c, kind, batch, lo, &cl) || cost_exact(c, kind, batch, hi, &ch))
        return -1;
    const double t = (double)(len - lo) / (double)(hi - lo);
    const double v = (double)cl + t * ((double)ch - (double)cl);
    *cycles = v <= 0 ? 0 : (uint64_t)llround(v);
    return 0;
}

/* ---- the scheduler ------------------------------------------------------ */

enum { RQ_FUTURE, RQ_WAITING, RQ_RUNNING, RQ_DONE };

typedef struct {
    uint64_t target;      /* tokens to prefill: the prompt, or prompt + generated after preemption */
    uint64_t prefilled;
    uint64_t ctx;         /* tokens in the KV cache */
    uint64_t generated;
    uint64_t blocks;
    uint64_t arrival_c, first_c, finish_c;
    uint64_t seg_c;       /* start of the current timeline segment */
    uint64_t chunk_lo, chunk_hi; /* this iteration's prefill chunk */
    int state, decoding, seg_prefill;
    uint32_t slot, preemptions;
} rq_t;

typedef struct {
    const serve_cfg_t *cfg;
    const serve_stream_t *s;
    rq_t *rq;
    size_t *running, nrun;        /* request indices in admission order */
    size_t *wait;                 /* circular queue of request indices */
    size_t whead, wlen;
    uint32_t *free_slots, nfree_slots;
    uint64_t free_blocks;
    double hz;
    FILE *tl;
    int first_event;
    int tl_failed;
} sv_t;

static uint64_t blocks_for(const sv_t *v, uint64_t tokens)
{
    return util_ceil_div(tokens, v->cfg->block_tokens);
}

static void tl_event(sv_t *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tl_event(sv_t *v, const char *fmt, ...)
{
    if (!v->tl)
        return;
    if (!v->first_event)
        fputs(",\n", v->tl);
    v->first_event = 0;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(v->tl, fmt, ap) < 0)
        v->tl_failed = 1;
    va_end(ap);
}

static double us(const sv_t *v, uint64_t c) { return (double)c / v->hz * 1e6; }

/* Closes request i's current timeline segment at cycle end. */
static void tl_segment(sv_t *v, size_t i, uint64_t end, const char *what)
{
    rq_t *r = &v->rq[i];
    if (end > r->seg_c)
        tl_event(v,
                 "{\"name\":\"req %zu %s\",\"ph\":\"X\",\"pid\":0,\"tid\":%u,\"ts\":%.3f,"
                 "\"dur\":%.3f,\"args\":{\"prompt\":%" PRIu64 ",\"gen\":%" PRIu64 "}}",
                 i, what, r->slot, us(v, r->seg_c), us(v, end) - us(v, r->seg_c),
                 v->s->reqs[i].prompt, v->s->reqs[i].gen);
    r->seg_c = end;
}

static void wait_push_back(sv_t *v, size_t i)
{
    v->wait[(v->whead + v->wlen++) % v->s->n] = i;
}

static void wait_push_front(sv_t *v, size_t i)
{
    v->whead = (v->whead + v->s->n - 1) % v->s->n;
    v->wait[v->whead] = i;
    v->wlen++;
}

static size_t wait_pop(sv_t *v)
{
    const size_t i = v->wait[v->whead];
    v->whead = (v->whead + 1) % v->s->n;
    v->wlen--;
    return i;
}

/* Preempts the youngest running request (recompute): its blocks and slot are
 * freed and it goes back to the front of the queue. */
static void preempt_youngest(sv_t *v, uint64_t now)
{
    const size_t i = v->running[--v->nrun];
    rq_t *r = &v->rq[i];
    tl_segment(v, i, now, "preempted");
    v->free_blocks += r->blocks;
    r->blocks = 0;
    r->target = v->s->reqs[i].prompt + r->generated;
    r->prefilled = 0;
    r->ctx = 0;
    r->decoding = 0;
    r->chunk_lo = r->chunk_hi = 0;
    r->state = RQ_WAITING;
    r->preemptions++;
    v->free_slots[v->nfree_slots++] = r->slot;
    wait_push_front(v, i);
}

/* KV bytes of one token: what the mapper's kv_append writes per layer, over
 * the layers (so MLA's latent cache and GQA's shared heads count as built). */
static int kv_token_bytes(const mapper_model_t *m, const mapper_run_t *run, uint64_t *out,
                          char *err, size_t errlen)
{
    mapper_run_t r = *run;
    r.batch = 1;
    r.prompt = 1;
    r.gen = 1;
    mapper_ops_t ops = {0};
    if (mapper_ops_build(m, &r, &ops, err, errlen) != 0)
        return -1;
    uint64_t b = 0;
    for (size_t i = 0; i < ops.count; i++)
        if (strcmp(ops.ops[i].name, "kv_append") == 0)
            b += ops.ops[i].bytes_written * ops.ops[i].repeat;
    mapper_ops_free(&ops);
    if (!b) {
        snprintf(err, errlen, "model: no KV cache appends in its op list");
        return -1;
    }
    *out = b;
    return 0;
}

static int check_cfg(const serve_cfg_t *c, char *err, size_t errlen)
{
    if (c->max_batch < 1 || c->max_batch > MAPPER_MAX_BATCH) {
        snprintf(err, errlen, "max-batch: %u is outside 1..%u", c->max_batch, MAPPER_MAX_BATCH);
        return -1;
    }
    if (c->token_budget < 1 || c->chunk < 1 || c->block_tokens < 1 || c->bucket < 1) {
        snprintf(err, errlen, "%s: must be at least 1",
                 c->token_budget < 1 ? "token-budget" : c->chunk < 1 ? "chunk"
                 : c->block_tokens < 1 ? "block" : "bucket");
        return -1;
    }
    return 0;
}

int serve_run(const hw_cfg_t *hw, const mapper_model_t *m, const mapper_run_t *run,
              const serve_cfg_t *cfg, const serve_stream_t *s, serve_result_t *res, char *err,
              size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (check_cfg(cfg, err, errlen) != 0)
        return -1;
    if (!s->n) {
        snprintf(err, errlen, "requests: the stream is empty");
        return -1;
    }
    mapper_run_t wr = *run;
    if (!wr.wbits)
        wr.wbits = m->native_wbits;
    /* KV capacity: the DRAM's bytes less the weights, in blocks. */
    uint64_t tok_bytes, block_bytes;
    if (kv_token_bytes(m, &wr, &tok_bytes, err, errlen) != 0)
        return -1;
    if (util_mul_u64(tok_bytes, cfg->block_tokens, &block_bytes)) {
        snprintf(err, errlen, "block: %u tokens of %" PRIu64 " KV bytes do not fit in 64 bits",
                 cfg->block_tokens, tok_bytes);
        return -1;
    }
    uint64_t capacity = cfg->kv_blocks;
    if (!capacity) {
        mapper_params_t par;
        mapper_model_params(m, &par);
        const uint64_t dram = dram_capacity(&hw->dram.dev);
        const __uint128_t wbytes = ((__uint128_t)par.total * wr.wbits + 7) / 8;
        if (wbytes >= dram) {
            snprintf(err, errlen, "dram: %" PRIu64 " bytes hold no KV cache beside the %" PRIu64
                     " bytes of weights (give kv_blocks)", dram, (uint64_t)wbytes);
            return -1;
        }
        capacity = (dram - (uint64_t)wbytes) / block_bytes;
    }
    res->kv_blocks = capacity;
    res->kv_block_bytes = block_bytes;
    /* Every request must fit alone, or it would wait forever. */
    for (size_t i = 0; i < s->n; i++) {
        const serve_req_t *q = &s->reqs[i];
        if (q->prompt < 1 || q->gen < 1 || q->prompt + q->gen - 1 > m->max_pos) {
            snprintf(err, errlen, "request %zu: prompt %" PRIu64 " + gen %" PRIu64
                     " must be >= 1 each and need at most the model's %" PRIu64 " positions",
                     i, q->prompt, q->gen, m->max_pos);
            return -1;
        }
        if (util_ceil_div(q->prompt + q->gen, cfg->block_tokens) > capacity) {
            snprintf(err, errlen, "request %zu: %" PRIu64 " tokens need more than the KV cache's "
                     "%" PRIu64 " blocks of %u tokens", i, q->prompt + q->gen, capacity,
                     cfg->block_tokens);
            return -1;
        }
        if (i && q->arrival_s < s->reqs[i - 1].arrival_s) {
            snprintf(err, errlen, "request %zu: arrives before request %zu", i, i - 1);
            return -1;
        }
        /* arrival_c below: seconds x clock must not wrap (serve_file.h) */
        if (!(q->arrival_s >= 0 && q->arrival_s <= SERVE_MAX_SPAN_S)) {
            snprintf(err, errlen, "request %zu: arrives at %g s, outside the 0..%g s a serve run "
                     "may span", i, q->arrival_s, SERVE_MAX_SPAN_S);
            return -1;
        }
    }
    sv_t v = {.cfg = cfg, .s = s, .hz = 1e6 * hw->npu.freq_mhz, .tl = cfg->timeline,
              .first_event = 1};
    cost_t c = {.hw = hw, .m = m, .run = wr, .mode = cfg->mode, .bucket = cfg->bucket,
                .err = err, .errlen = errlen};
    v.rq = calloc(s->n, sizeof *v.rq);
    v.running = calloc(cfg->max_batch, sizeof *v.running);
    v.wait = calloc(s->n, sizeof *v.wait);
    v.free_slots = calloc(cfg->max_batch, sizeof *v.free_slots);
    res->reqs = calloc(s->n, sizeof *res->reqs);
    int rc = -1;
    if (!v.rq || !v.running || !v.wait || !v.free_slots || !res->reqs) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    res->n = s->n;
    for (uint32_t k = 0; k < cfg->max_batch; k++)
        v.free_slots[k] = cfg->max_batch - 1 - k; /* slot 0 is taken first */
    v.nfree_slots = cfg->max_batch;
    v.free_blocks = capacity;
    for (size_t i = 0; i < s->n; i++)
        v.rq[i].arrival_c = (uint64_t)ceil(s->reqs[i].arrival_s * v.hz);
    if (v.tl) {
        fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", v.tl);
        for (uint32_t k = 0; k < cfg->max_batch; k++)
            tl_event(&v, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":%u,"
                         "\"args\":{\"name\":\"slot %u\"}}", k, k);
    }
    /* Bucket edges stop at the longest length this stream can reach (a
     * prompt plus its tokens, recomputed after a preemption): an edge at the
     * model's last position made a coarse bucket price a short prompt as a
     * slice of a 40,960-token prefill, whose attention is superlinear
     * (TTFT 36x too high at bucket 65536, new-user-2 defect 8). */
    uint64_t reach = 1;
    for (size_t i = 0; i < s->n; i++)
        if (s->reqs[i].prompt + s->reqs[i].gen > reach)
            reach = s->reqs[i].prompt + s->reqs[i].gen;
    const uint64_t dec_top = reach < m->max_pos - 1 ? reach : m->max_pos - 1;
    const uint64_t pf_top = reach < m->max_pos ? reach : m->max_pos;
    size_t next = 0, finished = 0;
    uint64_t now = 0;
    double area = 0; /* integral of requests in system over time, request-cycles */
    while (finished < s->n) {
        while (next < s->n && v.rq[next].arrival_c <= now) {
            v.rq[next].state = RQ_WAITING;
            wait_push_back(&v, next++);
        }
        if (!v.nrun && !v.wlen) {
            now = v.rq[next].arrival_c; /* idle until the next arrival */
            continue;
        }
        uint64_t budget = cfg->token_budget;
        /* 2. decodes, oldest first; preempt the youngest for a block */
        uint64_t ndec = 0, ctx_sum = 0;
        for (size_t k = 0; k < v.nrun && budget; k++) {
            const size_t i = v.running[k];
            rq_t *r = &v.rq[i];
            if (r->prefilled < r->target)
                continue;
            const uint64_t need = blocks_for(&v, r->ctx + 1);
            int self = 0;
            while (need > r->blocks && v.free_blocks < need - r->blocks) {
                if (!cfg->preempt) {
                    snprintf(err, errlen, "internal: a request without preemption lacks a block");
                    goto out;
                }
                self = v.running[v.nrun - 1] == i;
                preempt_youngest(&v, now);
                res->preemptions++;
                if (self)
                    break;
            }
            if (self)
                break; /* it was the youngest; everyone after it is gone too */
            if (need > r->blocks) {
                v.free_blocks -= need - r->blocks;
                r->blocks = need;
            }
            r->decoding = 1;
            ndec++;
            ctx_sum += r->ctx;
            budget--;
        }
        /* 3. prefill chunks of running requests, then admissions */
        int any_chunk = 0;
        for (size_t k = 0; k < v.nrun && budget; k++) {
            rq_t *r = &v.rq[v.running[k]];
            if (r->prefilled >= r->target)
                continue;
            const uint64_t n = util_min_u64(util_min_u64(cfg->chunk, r->target - r->prefilled),
                                            budget);
            r->chunk_lo = r->prefilled;
            r->chunk_hi = r->prefilled + n;
            budget -= n;
            any_chunk = 1;
        }
        int kv_full = 0;
        while (v.wlen && v.nrun < cfg->max_batch && budget) {
            const size_t i = v.wait[v.whead];
            rq_t *r = &v.rq[i];
            if (!r->target)
                r->target = s->reqs[i].prompt;
            const uint64_t need =
                blocks_for(&v, cfg->preempt ? r->target : s->reqs[i].prompt + s->reqs[i].gen);
            if (need > v.free_blocks) {
                kv_full = 1;
                break;
            }
            wait_pop(&v);
            v.free_blocks -= need;
            r->blocks = need;
            r->state = RQ_RUNNING;
            r->slot = v.free_slots[--v.nfree_slots];
            r->seg_c = now;
            r->seg_prefill = 1;
            v.running[v.nrun++] = i;
            const uint64_t n = util_min_u64(util_min_u64(cfg->chunk, r->target), budget);
            r->chunk_lo = 0;
            r->chunk_hi = n;
            budget -= n;
            any_chunk = 1;
        }
        if (kv_full) {
            res->kv_full++;
            tl_event(&v, "{\"name\":\"kv_full\",\"ph\":\"i\",\"s\":\"g\",\"pid\":0,\"tid\":0,"
                         "\"ts\":%.3f}", us(&v, now));
        }
        if (!ndec && !any_chunk) {
            snprintf(err, errlen, "internal: an iteration with nothing to run (budget %" PRIu64
                     ")", cfg->token_budget);
            goto out;
        }
        /* 4. the iteration's cost */
        uint64_t cost = 0, part;
        if (ndec) {
            const uint64_t mean = (ctx_sum + ndec / 2) / ndec;
            if (cost_at(&c, 1, ndec, mean, dec_top, &part) != 0)
                goto out;
            cost += part;
        }
        for (size_t k = 0; k < v.nrun; k++) {
            rq_t *r = &v.rq[v.running[k]];
            if (r->chunk_hi <= r->chunk_lo)
                continue;
            uint64_t a, b;
            if (cost_at(&c, 2, 1, r->chunk_hi, pf_top, &b) != 0 ||
                cost_at(&c, 2, 1, r->chunk_lo, pf_top, &a) != 0)
                goto out;
            cost += b > a ? b - a : 0;
        }
        if (!cost)
            cost = 1; /* time always advances */
        /* requests in system during [now, now + cost): arrivals inside it
         * count from their arrival */
        const uint64_t end = now + cost;
        area += (double)(v.nrun + v.wlen) * (double)cost;
        for (size_t j = next; j < s->n && v.rq[j].arrival_c < end; j++)
            area += (double)(end - v.rq[j].arrival_c);
        now = end;
        res->iterations++;
        res->busy_s += (double)cost / v.hz;
        /* 5. retire and advance */
        size_t keep = 0;
        for (size_t k = 0; k < v.nrun; k++) {
            const size_t i = v.running[k];
            rq_t *r = &v.rq[i];
            if (r->chunk_hi > r->chunk_lo) {
                r->prefilled = r->chunk_hi;
                r->chunk_lo = r->chunk_hi = 0;
                if (r->prefilled == r->target) {
                    r->ctx = r->target;
                    if (!r->generated)
                        r->first_c = now;
                    r->generated++;
                    tl_segment(&v, i, now, "prefill");
                }
            } else if (r->decoding) {
                r->decoding = 0;
                r->ctx++;
                r->generated++;
            }
            if (r->generated >= s->reqs[i].gen) {
                tl_segment(&v, i, now, "decode");
                r->state = RQ_DONE;
                r->finish_c = now;
                v.free_blocks += r->blocks;
                r->blocks = 0;
                v.free_slots[v.nfree_slots++] = r->slot;
                finished++;
                continue;
            }
            v.running[keep++] = i;
        }
        v.nrun = keep;
        const uint64_t used = capacity - v.free_blocks;
        if (used > res->kv_peak_blocks)
            res->kv_peak_blocks = used;
        tl_event(&v, "{\"name\":\"kv_blocks\",\"ph\":\"C\",\"pid\":0,\"ts\":%.3f,"
                     "\"args\":{\"used\":%" PRIu64 "}}", us(&v, now), used);
    }
    if (v.free_blocks != capacity || v.nfree_slots != cfg->max_batch) {
        snprintf(err, errlen, "internal: %" PRIu64 " KV blocks or %u slots not returned",
                 capacity - v.free_blocks, cfg->max_batch - v.nfree_slots);
        goto out;
    }
    if (v.tl && (fputs("]}\n", v.tl) == EOF || ferror(v.tl) || v.tl_failed)) {
        snprintf(err, errlen, "timeline: write failed");
        goto out;
    }
    const uint64_t t0 = v.rq[0].arrival_c;
    res->makespan_s = (double)(now - t0) / v.hz;
    res->mean_in_system = now > t0 ? area / (double)(now - t0) : 0;
    for (size_t i = 0; i < s->n; i++) {
        const rq_t *r = &v.rq[i];
        serve_req_result_t *o = &res->reqs[i];
        o->arrival_s = s->reqs[i].arrival_s;
        o->first_token_s = (double)r->first_c / v.hz;
        o->finish_s = (double)r->finish_c / v.hz;
        o->ttft_s = (double)(r->first_c - r->arrival_c) / v.hz;
        o->e2e_s = (double)(r->finish_c - r->arrival_c) / v.hz;
        o->tpot_s = s->reqs[i].gen > 1
                        ? (double)(r->finish_c - r->first_c) / v.hz / (double)(s->reqs[i].gen - 1)
                        : 0;
        o->prompt = s->reqs[i].prompt;
        o->gen = s->reqs[i].gen;
        o->preemptions = r->preemptions;
        o->slot = r->slot;
    }
    res->shapes_simulated = c.simulated;
    res->cache_hits = c.hits;
    rc = 0;
out:
    free(v.rq);
    free(v.running);
    free(v.wait);
    free(v.free_slots);
    free(c.tab);
    if (rc)
        serve_result_free(res);
    return rc;
}

void serve_result_free(serve_result_t *res)
{
    free(res->reqs);
    res->reqs = NULL;
    res->n = 0;
}

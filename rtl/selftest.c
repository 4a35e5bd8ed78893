/* selftest.c - stand-alone check of a built libvsystolic.so (rtl/build.sh).
 * Not part of any Makefile; build it by hand:
 *
 *     cc -std=c11 -O2 -Wall -Wextra -o selftest rtl/selftest.c -ldl
 *     ./selftest [-n ITERS] [-s SEED] LIB.so [LIB.so ...]
 *     ./selftest --bench LIB.so M N K DF          (DF: os, ws or is)
 *
 * All libraries are dlopen()ed before any test runs, so loading several
 * shapes into one process is exercised too.  Per library and dataflow it
 * runs random GEMMs (M, N, K in 1..3*max(R,C)+1, a few with K much larger
 * than the array, a few edge shapes) with random operands of the built
 * widths, acting as the memory ("the harness is the memory"), and checks:
 *   - the result equals a naive GEMM wrapped to acc_bits (the output buffer
 *     starts as garbage, so plain writes vs accumulating writes matter);
 *   - done rises right after edge 1 + folds * fold_cycles (the start edge
 *     is edge 1);
 *   - the valid read / write counts equal the closed forms;
 *   - every cycle's read addresses, write addresses and o_wacc equal what
 *     the spec (models/systolic.h) prescribes for that phase cycle, idle
 *     write lanes carry data 0, and nothing is accessed in IDLE / DONE;
 *   - the first write of every output element is plain, later ones
 *     accumulate;
 *   - two instances stepped in lockstep do not disturb each other, and a
 *     reset in the middle of a GEMM leaves a clean idle core.
 * Half of the runs drive garbage on idle read lanes (the RTL must ignore it).
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "systolic_shim.h"

/* ---- small helpers ------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}
static uint32_t rng_range(uint32_t lo, uint32_t hi) { return lo + (uint32_t)(rng() % (hi - lo + 1)); }

static int32_t wrap(int64_t v, unsigned bits) {
    uint64_t u = (uint64_t)v & ((bits >= 64) ? ~0ull : ((1ull << bits) - 1));
    if (bits < 64 && (u >> (bits - 1)) & 1) u |= ~0ull << bits;
    return (int32_t)(int64_t)u;
}
static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

static void *xcalloc(size_t n, size_t sz) {
    void *p = calloc(n ? n : 1, sz);
    if (!p) {
        fprintf(stderr, "selftest: out of memory\n");
        exit(2);
    }
    return p;
}

static const char *df_name(int df) { return df == 0 ? "os" : df == 1 ? "ws" : "is"; }

/* ---- spec-derived expected accesses ------------------------------------- */

/* Walks the fold / phase / t sequence exactly as the spec states it and
 * says which addresses each lane must present in the current cycle. */
typedef struct {
    int df;
    int64_t R, C, M, N, K;
    int64_t m0, n0, k0, t;
    int phase; /* 0: OS FEED / LOAD, 1: OS DRAIN / FEED */
    int finished;
} spec_t;

static int64_t spec_len(const spec_t *s) {
    if (s->df == 0) return s->phase == 0 ? s->K + s->R + s->C - 2 : s->R + 1;
    if (s->phase == 0) return s->R;
    return (s->df == 1 ? s->M : s->N) + s->R + s->C - 1;
}

static void spec_advance(spec_t *s) {
    if (++s->t < spec_len(s)) return;
    s->t = 0;
    if (s->phase == 0) {
        s->phase = 1;
        return;
    }
    s->phase = 0;
    if (s->df == 0) { /* m0 outer, n0 inner */
        s->n0 += s->C;
        if (s->n0 >= s->N) {
            s->n0 = 0;
            s->m0 += s->R;
            if (s->m0 >= s->M) s->finished = 1;
        }
    } else { /* k0 inner; n0 (WS) or m0 (IS) outer */
        s->k0 += s->R;
        if (s->k0 >= s->K) {
            s->k0 = 0;
            if (s->df == 1) {
                s->n0 += s->C;
                if (s->n0 >= s->N) s->finished = 1;
            } else {
                s->m0 += s->C;
                if (s->m0 >= s->M) s->finished = 1;
            }
        }
    }
}

static void spec_expect(const spec_t *s, unsigned lanes, unsigned cols, uint32_t *ea, uint32_t *eb,
                        uint32_t *eo, int *ewacc) {
    for (unsigned l = 0; l < lanes; l++) ea[l] = eb[l] = VSYS_NO_ACCESS;
    for (unsigned j = 0; j < cols; j++) eo[j] = VSYS_NO_ACCESS;
    *ewacc = 0;
    if (s->finished) return;
    const int64_t R = s->R, C = s->C, M = s->M, N = s->N, K = s->K, t = s->t;
    if (s->df == 0 && s->phase == 0) { /* OS FEED */
        for (int64_t i = 0; i < R; i++) {
            int64_t k = t - i;
            if (k >= 0 && k < K && s->m0 + i < M) ea[i] = (uint32_t)((s->m0 + i) * K + k);
        }
        for (int64_t j = 0; j < C; j++) {
            int64_t k = t - j;
            if (k >= 0 && k < K && s->n0 + j < N) eb[j] = (uint32_t)(k * N + s->n0 + j);
        }
    } else if (s->df == 0) { /* OS DRAIN */
        if (t >= 1) {
            int64_t row = s->m0 + R - t;
            for (int64_t j = 0; j < C; j++)
                if (row < M && s->n0 + j < N) eo[j] = (uint32_t)(row * N + s->n0 + j);
        }
    } else if (s->phase == 0) { /* LOAD */
        int64_t k = s->k0 + R - 1 - t;
        for (int64_t j = 0; j < C; j++) {
            if (s->df == 1 && k < K && s->n0 + j < N) eb[j] = (uint32_t)(k * N + s->n0 + j);
            if (s->df == 2 && k < K && s->m0 + j < M) ea[j] = (uint32_t)((s->m0 + j) * K + k);
        }
    } else { /* WS / IS FEED */
        *ewacc = s->k0 != 0;
        for (int64_t i = 0; i < R; i++) {
            int64_t x = t - i;
            if (s->df == 1 && x >= 0 && x < M && s->k0 + i < K) ea[i] = (uint32_t)(x * K + s->k0 + i);
            if (s->df == 2 && x >= 0 && x < N && s->k0 + i < K) eb[i] = (uint32_t)((s->k0 + i) * N + x);
        }
        for (int64_t j = 0; j < C; j++) {
            int64_t x = t - R - j;
            if (s->df == 1 && x >= 0 && x < M && s->n0 + j < N) eo[j] = (uint32_t)(x * N + s->n0 + j);
            if (s->df == 2 && x >= 0 && x < N && s->m0 + j < M) eo[j] = (uint32_t)((s->m0 + j) * N + x);
        }
    }
}

/* ---- one GEMM on one instance, stepped a cycle at a time ----------------- */

typedef struct {
    const vsys_api_t *api;
    void *h;
    const char *tag;
    int df;
    uint32_t M, N, K;
    int32_t *A, *B, *O, *ref;
    uint32_t *wcount; /* writes per output element */
    int garbage;      /* drive garbage on idle read lanes */
    int trace;        /* compare every cycle with spec_t */
    spec_t spec;
    uint64_t edges, a_reads, b_reads, writes, expect_cycles;
    int started, finished, errors;
    /* per-cycle buffers */
    uint32_t *ra, *rb, *wo, *ea, *eb, *eo;
    int32_t *da, *db, *wd;
} job_t;

static int job_err(job_t *j, const char *fmt, ...) {
    if (j->errors++ < 8) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "FAIL %s %s M=%" PRIu32 " N=%" PRIu32 " K=%" PRIu32 " edge %" PRIu64 ": ", j->tag,
                df_name(j->df), j->M, j->N, j->K, j->edges);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
    return -1;
}

static int32_t rand_operand(unsigned bits) {
    return wrap((int64_t)(rng() & 0xFFFFFFFFu), bits); /* uniform over the width */
}

static void job_init(job_t *j, const vsys_api_t *api, void *h, const char *tag, int df, uint32_t M,
                     uint32_t N, uint32_t K, int garbage, int trace) {
    memset(j, 0, sizeof *j);
    j->api = api;
    j->h = h;
    j->tag = tag;
    j->df = df;
    j->M = M;
    j->N = N;
    j->K = K;
    j->garbage = garbage;
    j->trace = trace;
    size_t mk = (size_t)M * K, kn = (size_t)K * N, mn = (size_t)M * N;
    j->A = xcalloc(mk, sizeof *j->A);
    j->B = xcalloc(kn, sizeof *j->B);
    j->O = xcalloc(mn, sizeof *j->O);
    j->ref = xcalloc(mn, sizeof *j->ref);
    j->wcount = xcalloc(mn, sizeof *j->wcount);
    for (size_t i = 0; i < mk; i++) j->A[i] = rand_operand(api->in_bits);
    for (size_t i = 0; i < kn; i++) j->B[i] = rand_operand(api->w_bits);
    for (size_t i = 0; i < mn; i++) j->O[i] = (int32_t)rng(); /* garbage */
    if (trace) {
        for (uint32_t m = 0; m < M; m++)
            for (uint32_t n = 0; n < N; n++) {
                int64_t acc = 0;
                for (uint32_t k = 0; k < K; k++) acc += (int64_t)j->A[(size_t)m * K + k] * j->B[(size_t)k * N + n];
                j->ref[(size_t)m * N + n] = wrap(acc, api->acc_bits);
            }
    }
    unsigned L = api->lanes, Cc = api->cols;
    j->ra = xcalloc(L, 4), j->rb = xcalloc(L, 4), j->ea = xcalloc(L, 4), j->eb = xcalloc(L, 4);
    j->da = xcalloc(L, 4), j->db = xcalloc(L, 4);
    j->wo = xcalloc(Cc, 4), j->eo = xcalloc(Cc, 4), j->wd = xcalloc(Cc, 4);
    spec_t *s = &j->spec;
    s->df = df;
    s->R = api->rows, s->C = api->cols, s->M = M, s->N = N, s->K = K;
    uint64_t R = api->rows, C = api->cols, folds, fc;
    if (df == 0) folds = ceil_div(M, R) * ceil_div(N, C), fc = K + 2 * R + C - 1;
    else if (df == 1) folds = ceil_div(N, C) * ceil_div(K, R), fc = M + 2 * R + C - 1;
    else folds = ceil_div(M, C) * ceil_div(K, R), fc = N + 2 * R + C - 1;
    j->expect_cycles = 1 + folds * fc;
}

static void job_free(job_t *j) {
    free(j->A), free(j->B), free(j->O), free(j->ref), free(j->wcount);
    free(j->ra), free(j->rb), free(j->ea), free(j->eb), free(j->da), free(j->db);
    free(j->wo), free(j->eo), free(j->wd);
}

/* One clock cycle.  Returns 1 while the GEMM runs, 0 once done was seen. */
static int job_step(job_t *j) {
    const vsys_api_t *api = j->api;
    unsigned L = api->lanes, Cc = api->cols;
    int in_cmd = !j->started; /* this cycle's edge samples start */
    api->set_inputs(j->h, 0, in_cmd, j->M, j->N, j->K, (uint32_t)j->df);
    api->set_clk_eval(j->h, 0);
    api->get_reads(j->h, j->ra, j->rb);
    int wacc = api->get_writes(j->h, j->wo, j->wd);

    if (j->trace) {
        int ewacc = 0;
        if (in_cmd) { /* IDLE / DONE: nothing may happen */
            for (unsigned l = 0; l < L; l++) j->ea[l] = j->eb[l] = VSYS_NO_ACCESS;
            for (unsigned c = 0; c < Cc; c++) j->eo[c] = VSYS_NO_ACCESS;
        } else {
            spec_expect(&j->spec, L, Cc, j->ea, j->eb, j->eo, &ewacc);
        }
        for (unsigned l = 0; l < L; l++) {
            if (j->ra[l] != j->ea[l])
                job_err(j, "phase %d t %" PRId64 ": ifmap lane %u addr %" PRIu32 " want %" PRIu32, j->spec.phase,
                        j->spec.t, l, j->ra[l], j->ea[l]);
            if (j->rb[l] != j->eb[l])
                job_err(j, "phase %d t %" PRId64 ": filter lane %u addr %" PRIu32 " want %" PRIu32, j->spec.phase,
                        j->spec.t, l, j->rb[l], j->eb[l]);
        }
        for (unsigned c = 0; c < Cc; c++) {
            if (j->wo[c] != j->eo[c])
                job_err(j, "phase %d t %" PRId64 ": out lane %u addr %" PRIu32 " want %" PRIu32, j->spec.phase,
                        j->spec.t, c, j->wo[c], j->eo[c]);
            if (j->wo[c] == VSYS_NO_ACCESS && j->wd[c] != 0)
                job_err(j, "out lane %u idle but o_wdata=%" PRId32, c, j->wd[c]);
        }
        if (wacc != ewacc) job_err(j, "phase %d t %" PRId64 ": o_wacc %d want %d", j->spec.phase, j->spec.t, wacc, ewacc);
    }

    /* Act as the memory: answer reads ... */
    uint64_t mk = (uint64_t)j->M * j->K, kn = (uint64_t)j->K * j->N, mn = (uint64_t)j->M * j->N;
    for (unsigned l = 0; l < L; l++) {
        if (j->ra[l] == VSYS_NO_ACCESS) {
            j->da[l] = j->garbage ? (int32_t)rng() : 0;
        } else if (j->ra[l] >= mk) {
            job_err(j, "ifmap lane %u reads out of range %" PRIu32, l, j->ra[l]);
            j->da[l] = 0;
        } else {
            j->da[l] = j->A[j->ra[l]];
            j->a_reads++;
        }
        if (j->rb[l] == VSYS_NO_ACCESS) {
            j->db[l] = j->garbage ? (int32_t)rng() : 0;
        } else if (j->rb[l] >= kn) {
            job_err(j, "filter lane %u reads out of range %" PRIu32, l, j->rb[l]);
            j->db[l] = 0;
        } else {
            j->db[l] = j->B[j->rb[l]];
            j->b_reads++;
        }
    }
    api->set_read_data(j->h, j->da, j->db);
    /* ... and commit writes. */
    for (unsigned c = 0; c < Cc; c++) {
        uint32_t a = j->wo[c];
        if (a == VSYS_NO_ACCESS) continue;
        if (a >= mn) {
            job_err(j, "out lane %u writes out of range %" PRIu32, c, a);
            continue;
        }
        int32_t d = j->wd[c];
        if (wrap(d, api->acc_bits) != d) job_err(j, "out lane %u data %" PRId32 " not an acc_bits value", c, d);
        if (j->trace && (j->wcount[a] == 0) != (wacc == 0))
            job_err(j, "O[%" PRIu32 "] write %u has o_wacc=%d", a, j->wcount[a], wacc);
        j->wcount[a]++;
        j->O[a] = wacc ? wrap((int64_t)j->O[a] + d, api->acc_bits) : d;
        j->writes++;
    }
    api->set_clk_eval(j->h, 1);
    j->edges++;
    if (in_cmd) j->started = 1;
    else if (j->trace) spec_advance(&j->spec);

    int done = api->done(j->h);
    if (j->trace && done != j->spec.finished)
        job_err(j, "done=%d but spec %s", done, j->spec.finished ? "finished" : "still running");
    if (done) {
        j->finished = 1;
        return 0;
    }
    if (j->edges > j->expect_cycles + 16) {
        job_err(j, "no done after %" PRIu64 " edges (expected %" PRIu64 ")", j->edges, j->expect_cycles);
        j->finished = 1;
        return 0;
    }
    return 1;
}

/* Final checks after done: values, cycles, counts, a quiet idle cycle. */
static int job_check(job_t *j) {
    uint64_t M = j->M, N = j->N, K = j->K, R = j->api->rows, C = j->api->cols;
    uint64_t ea, eb, ew;
    if (j->df == 0) ea = M * K * ceil_div(N, C), eb = K * N * ceil_div(M, R), ew = M * N;
    else if (j->df == 1) ea = M * K * ceil_div(N, C), eb = K * N, ew = M * N * ceil_div(K, R);
    else ea = M * K, eb = K * N * ceil_div(M, C), ew = M * N * ceil_div(K, R);
    if (j->edges != j->expect_cycles)
        job_err(j, "cycles %" PRIu64 " want %" PRIu64, j->edges, j->expect_cycles);
    if (j->a_reads != ea) job_err(j, "ifmap reads %" PRIu64 " want %" PRIu64, j->a_reads, ea);
    if (j->b_reads != eb) job_err(j, "filter reads %" PRIu64 " want %" PRIu64, j->b_reads, eb);
    if (j->writes != ew) job_err(j, "writes %" PRIu64 " want %" PRIu64, j->writes, ew);
    if (j->trace) {
        uint64_t bad = 0;
        for (uint64_t i = 0; i < M * N; i++)
            if (j->O[i] != j->ref[i]) {
                if (!bad) job_err(j, "O[%" PRIu64 "]=%" PRId32 " want %" PRId32, i, j->O[i], j->ref[i]);
                bad++;
            }
        if (bad) job_err(j, "%" PRIu64 " of %" PRIu64 " outputs differ", bad, M * N);
    }
    /* One more cycle with start low: done must hold, nothing accessed. */
    const vsys_api_t *api = j->api;
    api->set_inputs(j->h, 0, 0, 0, 0, 0, 0);
    api->set_clk_eval(j->h, 0);
    api->get_reads(j->h, j->ra, j->rb);
    int wacc = api->get_writes(j->h, j->wo, j->wd);
    for (unsigned l = 0; l < api->lanes; l++)
        if (j->ra[l] != VSYS_NO_ACCESS || j->rb[l] != VSYS_NO_ACCESS) job_err(j, "read in DONE, lane %u", l);
    for (unsigned c = 0; c < api->cols; c++)
        if (j->wo[c] != VSYS_NO_ACCESS) job_err(j, "write in DONE, lane %u", c);
    if (wacc) job_err(j, "o_wacc in DONE");
    api->set_clk_eval(j->h, 1);
    if (!api->done(j->h)) job_err(j, "done dropped without start");
    return j->errors ? -1 : 0;
}

static void reset(const vsys_api_t *api, void *h) {
    for (int i = 0; i < 2; i++) {
        api->set_inputs(h, 1, 0, 0, 0, 0, 0);
        api->set_clk_eval(h, 0);
        api->set_clk_eval(h, 1);
    }
    api->set_inputs(h, 0, 0, 0, 0, 0, 0);
    api->set_clk_eval(h, 0);
}

static int run_one(const vsys_api_t *api, void *h, const char *tag, int df, uint32_t M, uint32_t N, uint32_t K,
                   int garbage) {
    job_t j;
    job_init(&j, api, h, tag, df, M, N, K, garbage, 1);
    while (job_step(&j)) {
    }
    int rc = job_check(&j);
    job_free(&j);
    return rc;
}

/* ---- per-library test plan ----------------------------------------------- */

typedef struct {
    const char *path;
    const vsys_api_t *api;
    char tag[64];
} lib_t;

static int test_lib(lib_t *lb, int iters) {
    const vsys_api_t *api = lb->api;
    unsigned L = api->lanes, R = api->rows, C = api->cols;
    uint32_t hi = 3 * L + 1;
    int fails = 0, runs = 0;
    void *h = api->create();
    if (!h) {
        fprintf(stderr, "FAIL %s: create() returned NULL\n", lb->tag);
        return 1;
    }
    reset(api, h);
    if (api->done(h)) fails++, fprintf(stderr, "FAIL %s: done high after reset\n", lb->tag);

    for (int df = 0; df < 3; df++) {
        /* Edge shapes: all ones, exact multiples, one past a multiple. */
        uint32_t edge[][3] = {{1, 1, 1}, {R, C, R}, {C, C, R}, {R + 1, C + 1, R + 1}, {2 * R, 2 * C, 2 * L}, {1, 1, 5 * L + 3}};
        for (size_t e = 0; e < sizeof edge / sizeof edge[0]; e++, runs++)
            fails += run_one(api, h, lb->tag, df, edge[e][0], edge[e][1], edge[e][2], (int)(e & 1)) != 0;
        for (int it = 0; it < iters; it++, runs++) {
            uint32_t M = rng_range(1, hi), N = rng_range(1, hi), K = rng_range(1, hi);
            if (it % 4 == 3) K = rng_range(8 * L + 8, 16 * L + 64); /* K much larger than the array */
            fails += run_one(api, h, lb->tag, df, M, N, K, it & 1) != 0;
        }
    }

    /* Two instances in lockstep must not disturb each other. */
    void *h2 = api->create();
    if (!h2) {
        fprintf(stderr, "FAIL %s: second create() returned NULL\n", lb->tag);
        fails++;
    } else {
        reset(api, h2);
        for (int rep = 0; rep < 3; rep++, runs += 2) {
            job_t j1, j2;
            job_init(&j1, api, h, lb->tag, rep % 3, rng_range(1, hi), rng_range(1, hi), rng_range(1, hi), 0, 1);
            job_init(&j2, api, h2, lb->tag, (rep + 1) % 3, rng_range(1, hi), rng_range(1, hi), rng_range(1, hi), 1, 1);
            int r1 = 1, r2 = 1;
            while (r1 || r2) {
                if (r1) r1 = job_step(&j1);
                if (r2) r2 = job_step(&j2);
            }
            fails += job_check(&j1) != 0;
            fails += job_check(&j2) != 0;
            job_free(&j1);
            job_free(&j2);
        }
        api->destroy(h2);
    }

    /* Reset in the middle of a GEMM: the core must come back idle and quiet,
     * then run the next GEMM correctly. */
    for (int df = 0; df < 3; df++, runs++) {
        job_t j;
        job_init(&j, api, h, lb->tag, df, hi, hi, hi, 0, 0);
        for (int c = 0; c < 7 + (int)L; c++) job_step(&j);
        job_free(&j);
        reset(api, h);
        uint32_t ra[512], rb[512], wo[256];
        int32_t wd[256];
        api->get_reads(h, ra, rb);
        int wacc = api->get_writes(h, wo, wd);
        int quiet = !wacc && !api->done(h);
        for (unsigned l = 0; l < L; l++) quiet &= ra[l] == VSYS_NO_ACCESS && rb[l] == VSYS_NO_ACCESS;
        for (unsigned c = 0; c < C; c++) quiet &= wo[c] == VSYS_NO_ACCESS && wd[c] == 0;
        if (!quiet) fails++, fprintf(stderr, "FAIL %s: not idle after mid-GEMM reset (%s)\n", lb->tag, df_name(df));
        fails += run_one(api, h, lb->tag, (df + 1) % 3, rng_range(1, hi), rng_range(1, hi), rng_range(1, hi), 1) != 0;
    }
    api->destroy(h);
    printf("%-28s %s: %d GEMMs, %d failed\n", lb->tag, fails ? "FAIL" : "ok", runs, fails);
    return fails != 0;
}

static int load_lib(lib_t *lb, const char *path) {
    lb->path = path;
    void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!so) {
        fprintf(stderr, "selftest: dlopen %s: %s\n", path, dlerror());
        return -1;
    }
    vsys_api_fn get;
    *(void **)(&get) = dlsym(so, VSYS_API_SYMBOL);
    if (!get) {
        fprintf(stderr, "selftest: %s: no symbol %s\n", path, VSYS_API_SYMBOL);
        return -1;
    }
    lb->api = get();
    const vsys_api_t *a = lb->api;
    if (a->lanes > 256 || a->cols > 256) {
        fprintf(stderr, "selftest: %s: unexpected shape\n", path);
        return -1;
    }
    snprintf(lb->tag, sizeof lb->tag, "%ux%u a%u b%u acc%u", a->rows, a->cols, a->in_bits, a->w_bits, a->acc_bits);
    return 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench(const char *path, uint32_t M, uint32_t N, uint32_t K, int df) {
    lib_t lb;
    if (load_lib(&lb, path)) return 2;
    const vsys_api_t *api = lb.api;
    void *h = api->create();
    if (!h) return 2;
    reset(api, h);
    int rc = 0;
    for (int trace = 0; trace < 2; trace++) {
        job_t j;
        job_init(&j, api, h, lb.tag, df, M, N, K, 0, trace);
        double t0 = now_s();
        while (job_step(&j)) {
        }
        double dt = now_s() - t0;
        if (trace) rc |= job_check(&j) != 0;
        printf("%s %s M=%u N=%u K=%u: %" PRIu64 " cycles in %.3f s = %.0f cycles/s (%s)%s\n", lb.tag, df_name(df), M,
               N, K, j.edges, dt, j.edges / dt, trace ? "with per-cycle spec checks" : "plain memory harness",
               trace ? (rc ? "  FAIL" : "  results ok") : "");
        job_free(&j);
    }
    api->destroy(h);
    return rc;
}

int main(int argc, char **argv) {
    int iters = 40;
    uint64_t seed = 1;
    int ai = 1;
    if (argc >= 7 && strcmp(argv[1], "--bench") == 0) {
        int df = strcmp(argv[6], "ws") == 0 ? 1 : strcmp(argv[6], "is") == 0 ? 2 : 0;
        return bench(argv[2], (uint32_t)atoi(argv[3]), (uint32_t)atoi(argv[4]), (uint32_t)atoi(argv[5]), df);
    }
    while (ai < argc && argv[ai][0] == '-') {
        if (strcmp(argv[ai], "-n") == 0 && ai + 1 < argc) iters = atoi(argv[++ai]);
        else if (strcmp(argv[ai], "-s") == 0 && ai + 1 < argc) seed = strtoull(argv[++ai], NULL, 0);
        else {
            fprintf(stderr, "usage: %s [-n ITERS] [-s SEED] LIB.so...\n       %s --bench LIB.so M N K os|ws|is\n",
                    argv[0], argv[0]);
            return 2;
        }
        ai++;
    }
    if (ai >= argc) {
        fprintf(stderr, "usage: %s [-n ITERS] [-s SEED] LIB.so...\n", argv[0]);
        return 2;
    }
    rng_state ^= seed * 0xD1B54A32D192ED03ull;
    if (!rng_state) rng_state = 1;
    int nlib = argc - ai;
    lib_t *libs = xcalloc((size_t)nlib, sizeof *libs);
    for (int i = 0; i < nlib; i++) /* load everything first: shapes must coexist */
        if (load_lib(&libs[i], argv[ai + i])) return 2;
    int bad = 0;
    for (int i = 0; i < nlib; i++) bad += test_lib(&libs[i], iters);
    printf("%s: %d of %d libraries passed (seed %" PRIu64 ", %d random GEMMs per dataflow)\n",
           bad ? "FAILED" : "PASSED", nlib - bad, nlib, seed, iters);
    free(libs);
    return bad ? 1 : 0;
}

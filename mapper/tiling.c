/* tiling.c - unit placement and the tiling search (see tiling.h).
 *
 * DRAM traffic of a tiling (all in bytes at the array's operand widths; ab,
 * bb, ob are the A, B and output element sizes; nm, nn, nk the tile counts;
 * "inner" the innermost loop of the order):
 *   A: M*K*ab once when n is innermost (consecutive tiles share the A tile)
 *      or the whole of A fits one half of the ifmap buffer; else nn times.
 *   B: K*N*bb once when m is innermost or all of B fits one half of the
 *      filter buffer; else nm times.
 *   O: M*N*ob once when nk == 1, or k is innermost and an output tile fits
 *      one half of the ofmap buffer (partial sums stay on chip); otherwise
 *      every K tile writes its partial sums and all but the first read them
 *      back: (2*nk - 1) * M*N*ob.
 *   plus whatever the engine moves inside a tile beyond one A, B and O tile
 *   (its own re-fetches when a tile operand does not fit on chip).
 * Compulsory traffic is A, B and O once each (M*K*ab + K*N*bb + M*N*ob);
 * everything above it is non-compulsory (the COSMA split, PAPERS.md).
 * Reuse across tiles saves bytes but the engine runs each tile from a cold
 * start, so reuse does not shorten cycles: cycles are an upper bound that
 * the search minimizes first, bytes second.
 */
#include "tiling.h"

#include "../sim/engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- memo: (m, n, k) -> value, open addressing ---------------------------- */

typedef struct {
    uint64_t m, n, k;        /* m == 0: empty slot */
    uint64_t cycles, bytes;  /* engine: tile cycles and DRAM bytes */
    mapper_tiling_t t;       /* search: best tiling of one instance */
} memo_ent_t;

typedef struct {
    memo_ent_t *e;
    size_t cap, len;
} memo_t;

static size_t memo_hash(uint64_t m, uint64_t n, uint64_t k, size_t cap)
{
    uint64_t h = m * 0x9e3779b97f4a7c15ull ^ n * 0xc2b2ae3d27d4eb4full ^ k * 0x165667b19e3779f9ull;
    h ^= h >> 29;
    return (size_t)(h & (cap - 1));
}

static memo_ent_t *memo_find(memo_t *t, uint64_t m, uint64_t n, uint64_t k)
{
    if (!t->cap)
        return NULL;
    for (size_t i = memo_hash(m, n, k, t->cap);; i = (i + 1) & (t->cap - 1)) {
        memo_ent_t *e = &t->e[i];
        if (!e->m)
            return NULL;
        if (e->m == m && e->n == n && e->k == k)
            return e;
    }
}

/* Inserts a fresh entry for a key not present; NULL on OOM. */
static memo_ent_t *memo_add(memo_t *t, uint64_t m, uint64_t n, uint64_t k)
{
    if (2 * (t->len + 1) > t->cap) {
        const size_t cap = t->cap ? 2 * t->cap : 256;
        memo_ent_t *e = calloc(cap, sizeof *e);
        if (!e)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->e[i].m)
                continue;
            size_t j = memo_hash(t->e[i].m, t->e[i].n, t->e[i].k, cap);
            while (e[j].m)
                j = (j + 1) & (cap - 1);
            e[j] = t->e[i];
        }
        free(t->e);
        t->e = e;
        t->cap = cap;
    }
    size_t i = memo_hash(m, n, k, t->cap);
    while (t->e[i].m)
        i = (i + 1) & (t->cap - 1);
    memo_ent_t *e = &t->e[i];
    memset(e, 0, sizeof *e);
    e->m = m, e->n = n, e->k = k;
    t->len++;
    return e;
}

/* ---- context -------------------------------------------------------------- */

struct mapper_ctx {
    hw_cfg_t hw;                 /* copy without text */
    uint64_t ab, bb, ob;         /* bytes per A, B, O element on the array */
    uint64_t hi, hf, ho;         /* half of each scratchpad, bytes */
    memo_t engine, search;
    mapper_stats_t st;
};

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

mapper_ctx_t *mapper_ctx_new(const hw_cfg_t *hw)
{
    mapper_ctx_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->hw = *hw;
    c->hw.text = NULL;
    c->ab = ceil_div(hw->array.in_bits, 8);
    c->bb = ceil_div(hw->array.w_bits, 8);
    c->ob = ceil_div(hw->array.acc_bits, 8);
    c->hi = hw->sram.ifmap_bytes / 2;
    c->hf = hw->sram.filter_bytes / 2;
    c->ho = hw->sram.ofmap_bytes / 2;
    return c;
}

void mapper_ctx_free(mapper_ctx_t *c)
{
    if (!c)
        return;
    free(c->engine.e);
    free(c->search.e);
    free(c);
}

void mapper_ctx_stats(const mapper_ctx_t *c, mapper_stats_t *s)
{
    *s = c->st;
}

/* ---- placement ------------------------------------------------------------ */

int mapper_place(const mapper_ctx_t *c, const mapper_op_t *op, mapper_unit_t *unit, char *err,
                 size_t errlen)
{
    if (op->kind == MAPPER_VECTOR) {
        *unit = MAPPER_UNIT_VECTOR;
        return 0;
    }
    /* Later: low-bit weights (op->b_weight, bbits <= the LUT core's widths)
     * to MAPPER_UNIT_LUT; decode attention (kind GEMV, !b_weight) to
     * MAPPER_UNIT_PIM, when the hardware config has those units. */
    const systolic_cfg_t *a = &c->hw.array;
    if (op->abits > a->in_bits || op->bbits > a->w_bits) {
        snprintf(err, errlen, "op %s: %u-bit A and %u-bit %s do not fit the array's %u-bit "
                 "in_bits and %u-bit w_bits", op->name, op->abits, op->bbits,
                 op->b_weight ? "weights" : "K/V", a->in_bits, a->w_bits);
        return -1;
    }
    *unit = MAPPER_UNIT_SYSTOLIC;
    return 0;
}

/* ---- costing -------------------------------------------------------------- */

static int engine_cost(mapper_ctx_t *c, uint64_t m, uint64_t n, uint64_t k, uint64_t *cycles,
                       uint64_t *bytes, char *err, size_t errlen)
{
    memo_ent_t *e = memo_find(&c->engine, m, n, k);
    if (!e) {
        layer_stats_t st;
        const systolic_gemm_t g = {m, n, k};
        if (engine_run_gemm(&c->hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err, errlen) != 0)
            return -1;
        c->st.engine_runs++;
        e = memo_add(&c->engine, m, n, k);
        if (!e) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        e->cycles = st.total_cycles;
        e->bytes = st.dram_read_bytes + st.dram_write_bytes;
    }
    *cycles = e->cycles;
    *bytes = e->bytes;
    return 0;
}

int mapper_tiling_fits(const mapper_ctx_t *c, const mapper_tiling_t *t)
{
    return t->tm * t->tk * c->ab <= c->hi && t->tk * t->tn * c->bb <= c->hf &&
           t->tm * t->tn * c->ob <= c->ho;
}

static char inner_of(mapper_order_t o)
{
    return "knkmnm"[o]; /* innermost loop of mnk, mkn, nmk, nkm, kmn, knm */
}

/* Traffic outside the tiles for order o (see the header comment). */
static uint64_t order_bytes(const mapper_ctx_t *c, const systolic_gemm_t *g, const mapper_tiling_t *t,
                            mapper_order_t o, uint64_t *psum_reads)
{
    const uint64_t nm = ceil_div(g->m, t->tm), nn = ceil_div(g->n, t->tn),
                   nk = ceil_div(g->k, t->tk);
    const uint64_t A = g->m * g->k * c->ab, B = g->k * g->n * c->bb, O = g->m * g->n * c->ob;
    const char in = inner_of(o);
    const int a_once = in == 'n' || A <= c->hi;
    const int b_once = in == 'm' || B <= c->hf;
    const int o_once = nk == 1 || (in == 'k' && t->tm * t->tn * c->ob <= c->ho);
    *psum_reads = o_once ? 0 : (nk - 1) * O;
    return (a_once ? A : nn * A) + (b_once ? B : nm * B) + (o_once ? O : (2 * nk - 1) * O);
}

/* Cycles and in-tile extra bytes of the tile grid, order-independent. */
static int grid_cost(mapper_ctx_t *c, const systolic_gemm_t *g, const mapper_tiling_t *t,
                     uint64_t *cycles, uint64_t *extra, char *err, size_t errlen)
{
    const uint64_t d[3] = {g->m, g->n, g->k}, ts[3] = {t->tm, t->tn, t->tk};
    uint64_t cnt[3][2], sz[3][2];
    for (int i = 0; i < 3; i++) {
        const uint64_t full = d[i] / ts[i], rem = d[i] % ts[i];
        cnt[i][0] = full, sz[i][0] = ts[i];
        cnt[i][1] = rem ? 1 : 0, sz[i][1] = rem;
    }
    *cycles = *extra = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 2; k++) {
                const uint64_t n = cnt[0][a] * cnt[1][b] * cnt[2][k];
                if (!n)
                    continue;
                const uint64_t tm = sz[0][a], tn = sz[1][b], tk = sz[2][k];
                uint64_t cy, by;
                if (engine_cost(c, tm, tn, tk, &cy, &by, err, errlen) != 0)
                    return -1;
                const uint64_t tile = tm * tk * c->ab + tk * tn * c->bb + tm * tn * c->ob;
                *cycles += n * cy;
                *extra += n * (by > tile ? by - tile : 0);
            }
    return 0;
}

/* Fills t's results for its tile sizes, choosing the best order when
 * pick_order, else costing t->order. */
static int cost(mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t count, mapper_tiling_t *t,
                int pick_order, char *err, size_t errlen)
{
    uint64_t cycles, extra;
    if (grid_cost(c, g, t, &cycles, &extra, err, errlen) != 0)
        return -1;
    const uint64_t bpc = c->hw.dma.bytes_per_cycle;
    uint64_t best_cy = UINT64_MAX, best_by = UINT64_MAX;
    for (int o = 0; o < MAPPER_ORDERS; o++) {
        if (!pick_order && o != (int)t->order)
            continue;
        uint64_t psum;
        const uint64_t by = order_bytes(c, g, t, (mapper_order_t)o, &psum) + extra;
        const uint64_t cy = cycles + ceil_div(psum, bpc);
        if (cy < best_cy || (cy == best_cy && by < best_by)) {
            best_cy = cy, best_by = by;
            t->order = (mapper_order_t)o;
        }
    }
    t->tiles = ceil_div(g->m, t->tm) * ceil_div(g->n, t->tn) * ceil_div(g->k, t->tk);
    t->cycles = count * best_cy;
    t->dram_bytes = count * best_by;
    t->compulsory_bytes = count * (g->m * g->k * c->ab + g->k * g->n * c->bb + g->m * g->n * c->ob);
    t->utilization = (double)(count * g->m * g->n * g->k) /
                     ((double)c->hw.array.rows * c->hw.array.cols * (double)t->cycles);
    return 0;
}

int mapper_cost_tiling(mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t count,
                       mapper_tiling_t *t, char *err, size_t errlen)
{
    if (!t->tm || !t->tn || !t->tk || t->order >= MAPPER_ORDERS) {
        snprintf(err, errlen, "tiling: tile sizes must be >= 1 and the order one of six");
        return -1;
    }
    if (t->tm > g->m) t->tm = g->m;
    if (t->tn > g->n) t->tn = g->n;
    if (t->tk > g->k) t->tk = g->k;
    return cost(c, g, count, t, 0, err, errlen);
}

/* ---- the search ----------------------------------------------------------- */

#define MAX_CAND 48

/* Tile sizes for a dimension d on an array side `base`: base * 2^i below d,
 * each also balanced over d (ceil(d / tiles), rounded up to base), and d. */
static size_t dim_candidates(uint64_t d, uint64_t base, uint64_t *out)
{
    size_t n = 0;
    for (uint64_t t = base; t < d && n + 3 < MAX_CAND; t *= 2) {
        out[n++] = t;
        const uint64_t bal = ceil_div(ceil_div(d, ceil_div(d, t)), base) * base;
        if (bal != t && bal < d)
            out[n++] = bal;
    }
    out[n++] = d;
    return n;
}

typedef struct {
    uint64_t tm, tn, tk, lb;
} cand_t;

static int cand_cmp(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    return x->lb < y->lb ? -1 : x->lb > y->lb;
}

/* Lower bound on a tiling's cycles: every tile takes at least its closed-form
 * compute time and the DRAM time of one A, B and O tile. */
static uint64_t lower_bound(const mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t tm,
                            uint64_t tn, uint64_t tk)
{
    const uint64_t d[3] = {g->m, g->n, g->k}, ts[3] = {tm, tn, tk};
    uint64_t cnt[3][2], sz[3][2], lb = 0;
    for (int i = 0; i < 3; i++) {
        cnt[i][0] = d[i] / ts[i], sz[i][0] = ts[i];
        cnt[i][1] = d[i] % ts[i] ? 1 : 0, sz[i][1] = d[i] % ts[i];
    }
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 2; k++) {
                const uint64_t n = cnt[0][a] * cnt[1][b] * cnt[2][k];
                if (!n)
                    continue;
                const systolic_gemm_t tg = {sz[0][a], sz[1][b], sz[2][k]};
                systolic_counts_t sc;
                systolic_count(&c->hw.array, &tg, &sc);
                const uint64_t bytes = tg.m * tg.k * c->ab + tg.k * tg.n * c->bb + tg.m * tg.n * c->ob;
                const uint64_t dma = ceil_div(bytes, c->hw.dma.bytes_per_cycle);
                lb += n * (sc.compute_cycles > dma ? sc.compute_cycles : dma);
            }
    return lb;
}

static int better(const mapper_tiling_t *a, const mapper_tiling_t *b)
{
    if (a->cycles != b->cycles)
        return a->cycles < b->cycles;
    if (a->dram_bytes != b->dram_bytes)
        return a->dram_bytes < b->dram_bytes;
    return a->tiles < b->tiles;
}

static int search(mapper_ctx_t *c, const systolic_gemm_t *g, mapper_tiling_t *best, char *err,
                  size_t errlen)
{
    const uint64_t R = c->hw.array.rows, C = c->hw.array.cols;
    uint64_t vm[MAX_CAND], vn[MAX_CAND], vk[MAX_CAND];
    const size_t nm = dim_candidates(g->m, R, vm), nn = dim_candidates(g->n, C, vn),
                 nk = dim_candidates(g->k, R, vk);
    cand_t *cand = malloc((nm * nn * nk + 1) * sizeof *cand);
    if (!cand) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < nm; i++)
        for (size_t j = 0; j < nn; j++)
            for (size_t l = 0; l < nk; l++) {
                const mapper_tiling_t t = {.tm = vm[i], .tn = vn[j], .tk = vk[l]};
                if (mapper_tiling_fits(c, &t))
                    cand[n++] = (cand_t){vm[i], vn[j], vk[l], lower_bound(c, g, vm[i], vn[j], vk[l])};
            }
    c->st.legal += n;
    /* The whole GEMM as one tile under the engine's own chunking and reuse
     * rules: no cold start per tile, so on a well-fed array it can beat every
     * resident tiling in cycles (at the price of re-fetches). */
    const mapper_tiling_t whole = {.tm = g->m, .tn = g->n, .tk = g->k};
    if (!mapper_tiling_fits(c, &whole))
        cand[n++] = (cand_t){g->m, g->n, g->k, lower_bound(c, g, g->m, g->n, g->k)};
    qsort(cand, n, sizeof *cand, cand_cmp);
    int have = 0;
    for (size_t i = 0; i < n; i++) {
        /* Bound: no candidate from here on can take fewer cycles. */
        if (have && cand[i].lb > best->cycles)
            break;
        mapper_tiling_t t = {.tm = cand[i].tm, .tn = cand[i].tn, .tk = cand[i].tk};
        t.resident = mapper_tiling_fits(c, &t);
        char why[256];
        if (cost(c, g, 1, &t, 1, why, sizeof why) != 0) {
            if (!t.resident)
                continue; /* the engine cannot run the whole GEMM at once */
            snprintf(err, errlen, "%s", why);
            free(cand);
            return -1;
        }
        c->st.candidates++;
        if (!have || better(&t, best)) {
            *best = t;
            have = 1;
        }
    }
    free(cand);
    if (!have) {
        /* No resident tiling, and the engine refused the whole GEMM. */
        const uint64_t tm = vm[0], tn = vn[0], tk = vk[0];
        snprintf(err, errlen, "no tiling of %" PRIu64 "x%" PRIu64 "x%" PRIu64 " fits the "
                 "scratchpads: the smallest tile %" PRIu64 "x%" PRIu64 "x%" PRIu64 " needs %" PRIu64
                 ", %" PRIu64 " and %" PRIu64 " bytes of ifmap, filter and ofmap, one half of each "
                 "buffer holds %" PRIu64 ", %" PRIu64 " and %" PRIu64,
                 g->m, g->n, g->k, tm, tn, tk, tm * tk * c->ab, tk * tn * c->bb, tm * tn * c->ob,
                 c->hi, c->hf, c->ho);
        return -1;
    }
    return 0;
}

int mapper_tile_gemm(mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t count,
                     mapper_tiling_t *best, char *err, size_t errlen)
{
    if (systolic_gemm_check(g, err, errlen) != 0)
        return -1;
    memo_ent_t *e = memo_find(&c->search, g->m, g->n, g->k);
    if (e) {
        c->st.memo_hits++;
    } else {
        mapper_tiling_t t;
        if (search(c, g, &t, err, errlen) != 0)
            return -1;
        c->st.searches++;
        e = memo_add(&c->search, g->m, g->n, g->k);
        if (!e) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        e->t = t;
    }
    *best = e->t;
    best->cycles *= count;
    best->dram_bytes *= count;
    best->compulsory_bytes *= count;
    return 0;
}

int mapper_map(mapper_ctx_t *c, mapper_ops_t *ops, char *err, size_t errlen)
{
    const uint64_t bpc = c->hw.dma.bytes_per_cycle;
    for (size_t i = 0; i < ops->count; i++) {
        mapper_op_t *op = &ops->ops[i];
        char why[400];
        if (mapper_place(c, op, &op->unit, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s (%s step %u)", why, mapper_phase_name(op->phase), op->step);
            return -1;
        }
        mapper_tiling_t *t = &op->tiling;
        memset(t, 0, sizeof *t);
        if (op->unit == MAPPER_UNIT_VECTOR) {
            /* No vector block yet: the time to stream its operands. */
            t->dram_bytes = t->compulsory_bytes = op->bytes_read + op->bytes_written;
            t->cycles = ceil_div(t->dram_bytes, bpc);
            continue;
        }
        const systolic_gemm_t g = {op->m, op->n, op->k};
        if (mapper_tile_gemm(c, &g, op->count, t, why, sizeof why) != 0) {
            snprintf(err, errlen, "op %s (%s step %u): %s", op->name, mapper_phase_name(op->phase),
                     op->step, why);
            return -1;
        }
    }
    return 0;
}

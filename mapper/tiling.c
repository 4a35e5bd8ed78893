/* tiling.c - unit placement, the tiling search, and LUT and PIM costing
 * (see tiling.h).
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
 *
 * On a tensor engine (models/tensor_engine.h) the same search runs with the
 * engine's fold in place of the array: tile sizes are multiples of its R
 * (M), C (N) and D (K), element sizes are its in_bits, w_bits and acc_bits,
 * and a tile costs te_run_layer (models/te_cost.h: folds x ceil(tk/D) + 3
 * compute cycles, against the tile's DRAM traffic) from a cold start.
 *
 * LUT and PIM ops are not tiled here: the LUT tensor core tiles a GEMM
 * itself (models/lut_tc.h) and a PIM kernel is mapped onto the banks by
 * models/pim_gemv.c, so each op costs one run of that model, memoized per
 * shape (and weight width).
 */
#include "tiling.h"

#include "../models/lut_tc.h"
#include "../models/engine.h"
#include "../models/te_cost.h"
#include "../models/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- memo: (m, n, k, v) -> value, open addressing ------------------------- */

typedef struct {
    uint64_t m, n, k;        /* m == 0: empty slot */
    uint64_t v;              /* variant of the shape (LUT: weight width and quantization) */
    uint64_t cycles, bytes;  /* engine: tile cycles and DRAM bytes */
    mapper_tiling_t t;       /* search: best tiling of one instance */
} memo_ent_t;

typedef struct {
    memo_ent_t *e;
    size_t cap, len;
} memo_t;

static size_t memo_hash(uint64_t m, uint64_t n, uint64_t k, uint64_t v, size_t cap)
{
    uint64_t h = m * 0x9e3779b97f4a7c15ull ^ n * 0xc2b2ae3d27d4eb4full ^ k * 0x165667b19e3779f9ull ^
                 v * 0x27d4eb2f165667c5ull;
    h ^= h >> 29;
    return (size_t)(h & (cap - 1));
}

static memo_ent_t *memo_find(memo_t *t, uint64_t m, uint64_t n, uint64_t k, uint64_t v)
{
    if (!t->cap)
        return NULL;
    for (size_t i = memo_hash(m, n, k, v, t->cap);; i = (i + 1) & (t->cap - 1)) {
        memo_ent_t *e = &t->e[i];
        if (!e->m)
            return NULL;
        if (e->m == m && e->n == n && e->k == k && e->v == v)
            return e;
    }
}

/* Inserts a fresh entry for a key not present; NULL on OOM. */
static memo_ent_t *memo_add(memo_t *t, uint64_t m, uint64_t n, uint64_t k, uint64_t v)
{
    if (2 * (t->len + 1) > t->cap) {
        const size_t cap = t->cap ? 2 * t->cap : 256;
        memo_ent_t *e = calloc(cap, sizeof *e);
        if (!e)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->e[i].m)
                continue;
            size_t j = memo_hash(t->e[i].m, t->e[i].n, t->e[i].k, t->e[i].v, cap);
            while (e[j].m)
                j = (j + 1) & (cap - 1);
            e[j] = t->e[i];
        }
        free(t->e);
        t->e = e;
        t->cap = cap;
    }
    size_t i = memo_hash(m, n, k, v, t->cap);
    while (t->e[i].m)
        i = (i + 1) & (t->cap - 1);
    memo_ent_t *e = &t->e[i];
    memset(e, 0, sizeof *e);
    e->m = m, e->n = n, e->k = k, e->v = v;
    t->len++;
    return e;
}

/* ---- context -------------------------------------------------------------- */

/* The matrix unit a tiling is for: the array or a tensor engine. */
typedef struct {
    int te;                      /* 1: the tensor engine of kind `kind` */
    te_kind_t kind;
    uint64_t R, C, D;            /* tile-size bases of M, N and K (array: rows, cols, rows) */
    uint64_t pes;                /* MACs per cycle at full use (array R*C, engine R*C*D) */
    uint64_t ab, bb, ob;         /* bytes per A, B, O element */
    uint64_t v;                  /* memo variant: 0 the array, 1 + kind an engine */
} geom_t;

struct mapper_ctx {
    hw_cfg_t hw;                 /* copy without text */
    uint64_t ab, bb, ob;         /* bytes per A, B, O element on the array */
    uint64_t hi, hf, ho;         /* half of each scratchpad, bytes */
    geom_t arr, eng;             /* the array; the engine when has_eng */
    int has_eng;
    memo_t engine, search;
    memo_t lut, pim;             /* one instance's cost on the LUT / PIM */
    mapper_stats_t st;
};

mapper_ctx_t *mapper_ctx_new(const hw_cfg_t *hw)
{
    mapper_ctx_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->hw = *hw;
    c->hw.text = NULL;
    c->ab = util_ceil_div(hw->array.in_bits, 8);
    c->bb = util_ceil_div(hw->array.w_bits, 8);
    c->ob = util_ceil_div(hw->array.acc_bits, 8);
    c->hi = hw->sram.ifmap_bytes / 2;
    c->hf = hw->sram.filter_bytes / 2;
    c->ho = hw->sram.ofmap_bytes / 2;
    c->arr = (geom_t){0, TE_ADDERTREE, hw->array.rows, hw->array.cols, hw->array.rows,
                      (uint64_t)hw->array.rows * hw->array.cols, c->ab, c->bb, c->ob, 0};
    /* The engine: the last present kind (models/block.c runs a layer on the
     * last present row that takes it, in te_kind_t order). */
    for (int k = 0; k < TE_KINDS; k++) {
        if (!hw->has_te[k])
            continue;
        const te_cfg_t *e = &hw->te[k];
        c->has_eng = 1;
        c->eng = (geom_t){1, (te_kind_t)k, e->rows, e->cols, e->depth,
                          (uint64_t)e->rows * e->cols * e->depth, util_ceil_div(e->in_bits, 8),
                          util_ceil_div(e->w_bits, 8), util_ceil_div(e->acc_bits, 8),
                          1 + (uint64_t)k};
    }
    return c;
}

void mapper_ctx_free(mapper_ctx_t *c)
{
    if (!c)
        return;
    free(c->engine.e);
    free(c->search.e);
    free(c->lut.e);
    free(c->pim.e);
    free(c);
}

void mapper_ctx_stats(const mapper_ctx_t *c, mapper_stats_t *s)
{
    *s = c->st;
}

/* ---- placement ------------------------------------------------------------ */

void mapper_lut_cfg(const hw_cfg_t *hw, const mapper_op_t *op, lut_cfg_t *cfg, lut_gemm_t *g)
{
    *cfg = hw->lut;
    if (op->b_ternary) {
        cfg->wq = LUT_WQ_TERNARY;
        cfg->w_bits = 2;
    } else {
        cfg->w_bits = op->bbits;
        cfg->wq = op->bbits == 1 ? LUT_WQ_SYM : LUT_WQ_ZP;
        cfg->zp = op->bbits == 1 ? 0 : 1u << (op->bbits - 1);
    }
    *g = (lut_gemm_t){op->m, op->n, op->k};
}

void mapper_pim_cfg(const hw_cfg_t *hw, const mapper_op_t *op, pim_gemv_cfg_t *cfg,
                    pim_gemv_t *g)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->unit = hw->pim;
    cfg->dram = hw->dram.dev;
    cfg->mode = PIM_BLOCKED; /* no host requests: the kernel alone */
    *g = (pim_gemv_t){op->count * op->m, op->n, op->k};
}

/* Column blocks of a LUT GEMM.  The unit keeps min(tm, M) output rows of
 * all N columns in its output buffer (lut_gemm_check), so a wider GEMM runs
 * as back-to-back runs over column blocks: nb blocks of w columns (w a
 * multiple of tn when the buffer holds tn columns, balanced over N), the
 * last one `last` wide.  Each run rebuilds its tables and re-reads A.
 * Returns nb, 0 when not one column fits. */
static uint64_t lut_blocks(const lut_cfg_t *cfg, const lut_gemm_t *g, uint64_t *w, uint64_t *last)
{
    const uint64_t rows = util_min_u64(g->m, cfg->tm);
    const uint64_t fit = cfg->out_buf_bytes / (rows * LUT_OUT_BYTES);
    if (fit >= g->n) {
        *w = *last = g->n;
        return 1;
    }
    const uint64_t align = fit >= cfg->tn ? cfg->tn : 1, wmax = fit / align * align;
    if (!wmax)
        return 0;
    *w = util_ceil_div(util_ceil_div(g->n, util_ceil_div(g->n, wmax)), align) * align; /* <= wmax */
    const uint64_t nb = util_ceil_div(g->n, *w);
    *last = g->n - (nb - 1) * *w;
    return nb;
}

typedef struct {
    uint64_t blocks, total_cycles, compute_cycles, dram_bytes, table_reads;
} lut_sum_t;

/* One instance's GEMM as its column blocks, lut_run LUT_FAST per block. */
static int lut_sum(const lut_cfg_t *cfg, const lut_gemm_t *g, lut_sum_t *s, char *err,
                   size_t errlen)
{
    uint64_t w, last;
    memset(s, 0, sizeof *s);
    s->blocks = lut_blocks(cfg, g, &w, &last);
    if (!s->blocks) { /* lut_gemm_check says why */
        if (lut_gemm_check(cfg, g, err, errlen) == 0)
            snprintf(err, errlen, "lut: no output column fits out_buf_bytes");
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        const uint64_t n = i ? 1 : s->blocks - 1; /* full blocks, then the last */
        const lut_gemm_t b = {g->m, i ? last : w, g->k};
        if (!n)
            continue;
        lut_stats_t st;
        if (lut_run(cfg, &b, LUT_FAST, NULL, NULL, NULL, &st, err, errlen) != 0)
            return -1;
        s->total_cycles += n * st.total_cycles;
        s->compute_cycles += n * st.compute_cycles;
        s->dram_bytes += n * (st.dram_read_bytes + st.dram_write_bytes);
        s->table_reads += n * st.table_reads;
    }
    return 0;
}

/* A weight GEMM with 1..4-bit weights that the LUT unit can run. */
static int lut_takes(const mapper_ctx_t *c, const mapper_op_t *op)
{
    if (!c->hw.has_lut || !op->b_weight || op->bbits < 1 || op->bbits > LUT_MAX_PLANES ||
        op->abits > c->hw.lut.a_bits)
        return 0;
    lut_cfg_t cfg;
    lut_gemm_t g;
    uint64_t w, last;
    char why[256];
    mapper_lut_cfg(&c->hw, op, &cfg, &g);
    if (lut_cfg_check(&cfg, why, sizeof why) != 0 || !lut_blocks(&cfg, &g, &w, &last))
        return 0;
    const lut_gemm_t b = {g.m, w, g.k}; /* the widest block run */
    return lut_gemm_check(&cfg, &b, why, sizeof why) == 0;
}

/* A decode attention GEMV (its B is the K/V cache) that fits the PIM units. */
static int pim_takes(const mapper_ctx_t *c, const mapper_op_t *op)
{
    const uint32_t eb = pim_elem_bits(&c->hw.pim);
    if (!c->hw.has_pim || op->kind != MAPPER_GEMV || op->b_weight || op->phase != MAPPER_DECODE ||
        op->abits > eb || op->bbits > eb)
        return 0;
    pim_gemv_cfg_t cfg;
    pim_gemv_t g;
    char why[256];
    mapper_pim_cfg(&c->hw, op, &cfg, &g);
    return pim_gemv_check(&cfg, &g, why, sizeof why) == 0;
}

int mapper_place(const mapper_ctx_t *c, const mapper_op_t *op, mapper_unit_t *unit, char *err,
                 size_t errlen)
{
    if (op->kind == MAPPER_VECTOR) {
        *unit = MAPPER_UNIT_VECTOR;
        return 0;
    }
    if (lut_takes(c, op)) {
        *unit = MAPPER_UNIT_LUT;
        return 0;
    }
    if (pim_takes(c, op)) {
        *unit = MAPPER_UNIT_PIM;
        return 0;
    }
    if (c->has_eng) {
        const te_cfg_t *e = &c->hw.te[c->eng.kind];
        if (op->abits <= e->in_bits && op->bbits <= e->w_bits) {
            *unit = (mapper_unit_t)(MAPPER_UNIT_TE + c->eng.kind);
            return 0;
        }
    }
    const systolic_cfg_t *a = &c->hw.array;
    if (op->abits > a->in_bits || op->bbits > a->w_bits) {
        snprintf(err, errlen, "op %s: %u-bit A and %u-bit %s do not fit the array's %u-bit "
                 "in_bits and %u-bit w_bits%s", op->name, op->abits, op->bbits,
                 op->b_weight ? "weights" : "K/V", a->in_bits, a->w_bits,
                 c->has_eng ? " (nor the engine's)" : "");
        return -1;
    }
    *unit = MAPPER_UNIT_SYSTOLIC;
    return 0;
}

/* ---- costing -------------------------------------------------------------- */

static int engine_cost(mapper_ctx_t *c, const geom_t *u, uint64_t m, uint64_t n, uint64_t k,
                       uint64_t *cycles, uint64_t *bytes, char *err, size_t errlen)
{
    memo_ent_t *e = memo_find(&c->engine, m, n, k, u->v);
    if (!e) {
        layer_stats_t st;
        const systolic_gemm_t g = {m, n, k};
        const te_gemm_t tg = {m, n, k};
        if (u->te ? te_run_layer(&c->hw, u->kind, &tg, &st, NULL, NULL, err, errlen) != 0
                  : engine_run_gemm(&c->hw, &g, ENGINE_FAST, NULL, NULL, NULL, &st, err,
                                    errlen) != 0)
            return -1;
        c->st.engine_runs++;
        e = memo_add(&c->engine, m, n, k, u->v);
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

static int fits(const mapper_ctx_t *c, const geom_t *u, const mapper_tiling_t *t)
{
    return t->tm * t->tk * u->ab <= c->hi && t->tk * t->tn * u->bb <= c->hf &&
           t->tm * t->tn * u->ob <= c->ho;
}

int mapper_tiling_fits(const mapper_ctx_t *c, const mapper_tiling_t *t)
{
    return fits(c, &c->arr, t);
}

static char inner_of(mapper_order_t o)
{
    return "knkmnm"[o]; /* innermost loop of mnk, mkn, nmk, nkm, kmn, knm */
}

/* Traffic outside the tiles for order o (see the header comment). */
static uint64_t order_bytes(const mapper_ctx_t *c, const geom_t *u, const systolic_gemm_t *g,
                            const mapper_tiling_t *t, mapper_order_t o, uint64_t *psum_reads)
{
    const uint64_t nm = util_ceil_div(g->m, t->tm), nn = util_ceil_div(g->n, t->tn),
                   nk = util_ceil_div(g->k, t->tk);
    const uint64_t A = g->m * g->k * u->ab, B = g->k * g->n * u->bb, O = g->m * g->n * u->ob;
    const char in = inner_of(o);
    const int a_once = in == 'n' || A <= c->hi;
    const int b_once = in == 'm' || B <= c->hf;
    const int o_once = nk == 1 || (in == 'k' && t->tm * t->tn * u->ob <= c->ho);
    *psum_reads = o_once ? 0 : (nk - 1) * O;
    return (a_once ? A : nn * A) + (b_once ? B : nm * B) + (o_once ? O : (2 * nk - 1) * O);
}

/* Cycles and in-tile extra bytes of the tile grid, order-independent. */
static int grid_cost(mapper_ctx_t *c, const geom_t *u, const systolic_gemm_t *g,
                     const mapper_tiling_t *t, uint64_t *cycles, uint64_t *extra, char *err,
                     size_t errlen)
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
                if (engine_cost(c, u, tm, tn, tk, &cy, &by, err, errlen) != 0)
                    return -1;
                const uint64_t tile = tm * tk * u->ab + tk * tn * u->bb + tm * tn * u->ob;
                *cycles += n * cy;
                *extra += n * (by > tile ? by - tile : 0);
            }
    return 0;
}

/* t's cycles, DRAM and compulsory bytes times count, checked: -1 with err
 * when a product does not fit in 64 bits (a run that large is refused,
 * never wrapped). */
static int scale_checked(mapper_tiling_t *t, uint64_t count, char *err, size_t errlen)
{
    if (util_mul_u64(t->cycles, count, &t->cycles) ||
        util_mul_u64(t->dram_bytes, count, &t->dram_bytes) ||
        util_mul_u64(t->compulsory_bytes, count, &t->compulsory_bytes)) {
        snprintf(err, errlen, "%llu instances: cycles or DRAM bytes do not fit in 64 bits",
                 (unsigned long long)count);
        return -1;
    }
    return 0;
}

/* Fills t's results for its tile sizes, choosing the best order when
 * pick_order, else costing t->order. */
static int cost(mapper_ctx_t *c, const geom_t *u, const systolic_gemm_t *g, uint64_t count,
                mapper_tiling_t *t, int pick_order, char *err, size_t errlen)
{
    uint64_t cycles, extra;
    if (grid_cost(c, u, g, t, &cycles, &extra, err, errlen) != 0)
        return -1;
    const uint64_t bpc = c->hw.dma.bytes_per_cycle;
    uint64_t best_cy = UINT64_MAX, best_by = UINT64_MAX;
    for (int o = 0; o < MAPPER_ORDERS; o++) {
        if (!pick_order && o != (int)t->order)
            continue;
        uint64_t psum;
        const uint64_t by = order_bytes(c, u, g, t, (mapper_order_t)o, &psum) + extra;
        const uint64_t cy = cycles + util_ceil_div(psum, bpc);
        if (cy < best_cy || (cy == best_cy && by < best_by)) {
            best_cy = cy, best_by = by;
            t->order = (mapper_order_t)o;
        }
    }
    t->tiles = util_ceil_div(g->m, t->tm) * util_ceil_div(g->n, t->tn) * util_ceil_div(g->k, t->tk);
    t->cycles = best_cy;
    t->dram_bytes = best_by;
    /* shapes passed systolic_gemm_check: M*N*K and each operand fit */
    uint64_t comp = 0, x;
    int ovf = util_mul_u64(g->m * g->k, u->ab, &x) || util_acc_u64(&comp, x) ||
              util_mul_u64(g->k * g->n, u->bb, &x) || util_acc_u64(&comp, x) ||
              util_mul_u64(g->m * g->n, u->ob, &x) || util_acc_u64(&comp, x);
    t->compulsory_bytes = comp;
    if (ovf || scale_checked(t, count, err, errlen) != 0) {
        if (ovf)
            snprintf(err, errlen, "compulsory bytes do not fit in 64 bits");
        return -1;
    }
    t->utilization = (double)count * (double)g->m * (double)g->n * (double)g->k /
                     ((double)u->pes * (double)t->cycles);
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
    return cost(c, &c->arr, g, count, t, 0, err, errlen);
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
        const uint64_t bal = util_ceil_div(util_ceil_div(d, util_ceil_div(d, t)), base) * base;
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
static uint64_t lower_bound(const mapper_ctx_t *c, const geom_t *u, const systolic_gemm_t *g,
                            uint64_t tm, uint64_t tn, uint64_t tk)
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
                uint64_t comp;
                if (u->te) {
                    const te_gemm_t eg = {tg.m, tg.n, tg.k};
                    te_counts_t ec;
                    if (te_count(&c->hw.te[u->kind], &eg, &ec, NULL, 0) != 0)
                        return UINT64_MAX;
                    comp = ec.compute_cycles;
                } else {
                    systolic_counts_t sc;
                    if (systolic_count(&c->hw.array, &tg, &sc, NULL, 0) != 0)
                        return UINT64_MAX; /* counts beyond 64 bits: never the best */
                    comp = sc.compute_cycles;
                }
                const uint64_t bytes = tg.m * tg.k * u->ab + tg.k * tg.n * u->bb + tg.m * tg.n * u->ob;
                const uint64_t dma = util_ceil_div(bytes, c->hw.dma.bytes_per_cycle);
                lb += n * util_max_u64(comp, dma);
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

static int search(mapper_ctx_t *c, const geom_t *u, const systolic_gemm_t *g,
                  mapper_tiling_t *best, char *err, size_t errlen)
{
    /* An engine needs one fold's operands and outputs resident (the
     * smallest tile, R x C x D); the hardware file's check says the same. */
    if (u->te && te_fold_check(&c->hw, u->kind, err, errlen) != 0)
        return -1;
    uint64_t vm[MAX_CAND], vn[MAX_CAND], vk[MAX_CAND];
    const size_t nm = dim_candidates(g->m, u->R, vm), nn = dim_candidates(g->n, u->C, vn),
                 nk = dim_candidates(g->k, u->D, vk);
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
                if (fits(c, u, &t))
                    cand[n++] = (cand_t){vm[i], vn[j], vk[l],
                                         lower_bound(c, u, g, vm[i], vn[j], vk[l])};
            }
    c->st.legal += n;
    /* The whole GEMM as one tile under the engine's own chunking and reuse
     * rules: no cold start per tile, so on a well-fed array it can beat every
     * resident tiling in cycles (at the price of re-fetches). */
    const mapper_tiling_t whole = {.tm = g->m, .tn = g->n, .tk = g->k};
    if (!fits(c, u, &whole))
        cand[n++] = (cand_t){g->m, g->n, g->k, lower_bound(c, u, g, g->m, g->n, g->k)};
    qsort(cand, n, sizeof *cand, cand_cmp);
    int have = 0;
    for (size_t i = 0; i < n; i++) {
        /* Bound: no candidate from here on can take fewer cycles. */
        if (have && cand[i].lb > best->cycles)
            break;
        mapper_tiling_t t = {.tm = cand[i].tm, .tn = cand[i].tn, .tk = cand[i].tk};
        t.resident = fits(c, u, &t);
        char why[256];
        if (cost(c, u, g, 1, &t, 1, why, sizeof why) != 0) {
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
                 g->m, g->n, g->k, tm, tn, tk, tm * tk * u->ab, tk * tn * u->bb, tm * tn * u->ob,
                 c->hi, c->hf, c->ho);
        return -1;
    }
    return 0;
}

int mapper_tile_unit(mapper_ctx_t *c, mapper_unit_t unit, const systolic_gemm_t *g,
                     uint64_t count, mapper_tiling_t *best, char *err, size_t errlen)
{
    const geom_t *u = &c->arr;
    if (MAPPER_UNIT_IS_TE(unit)) {
        if (!c->has_eng || c->eng.kind != (te_kind_t)(unit - MAPPER_UNIT_TE)) {
            snprintf(err, errlen, "%s: the machine has no such engine", mapper_unit_name(unit));
            return -1;
        }
        u = &c->eng;
    }
    if (systolic_gemm_check(g, err, errlen) != 0)
        return -1;
    memo_ent_t *e = memo_find(&c->search, g->m, g->n, g->k, u->v);
    if (e) {
        c->st.memo_hits++;
    } else {
        mapper_tiling_t t;
        if (search(c, u, g, &t, err, errlen) != 0)
            return -1;
        c->st.searches++;
        e = memo_add(&c->search, g->m, g->n, g->k, u->v);
        if (!e) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        e->t = t;
    }
    *best = e->t;
    return scale_checked(best, count, err, errlen);
}

int mapper_tile_gemm(mapper_ctx_t *c, const systolic_gemm_t *g, uint64_t count,
                     mapper_tiling_t *best, char *err, size_t errlen)
{
    return mapper_tile_unit(c, MAPPER_UNIT_SYSTOLIC, g, count, best, err, errlen);
}

/* ---- LUT and PIM ---------------------------------------------------------- */

/* One lut_run (LUT_FAST: closed form with the operand-delivery stalls) per
 * instance and column block; the fields as mapper_tiling_t documents for
 * LUT; *compute: the same runs' cycles without memory stalls. */
static int lut_cost(mapper_ctx_t *c, const mapper_op_t *op, mapper_tiling_t *t, uint64_t *compute,
                    char *err, size_t errlen)
{
    lut_cfg_t cfg;
    lut_gemm_t g;
    mapper_lut_cfg(&c->hw, op, &cfg, &g);
    const uint64_t v = cfg.w_bits | (uint64_t)cfg.wq << 8;
    memo_ent_t *e = memo_find(&c->lut, g.m, g.n, g.k, v);
    if (e) {
        c->st.memo_hits++;
    } else {
        lut_sum_t st;
        if (lut_sum(&cfg, &g, &st, err, errlen) != 0)
            return -1;
        c->st.lut_runs++;
        e = memo_add(&c->lut, g.m, g.n, g.k, v);
        if (!e) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        mapper_tiling_t *u = &e->t;
        u->tm = cfg.tm, u->tn = cfg.tn, u->tk = cfg.tk;
        u->order = MAPPER_MKN; /* for m0: for k0: for n0 (tables reused across N) */
        u->tiles = st.blocks;
        u->cycles = st.total_cycles;
        u->dram_bytes = st.dram_bytes;
        e->cycles = st.compute_cycles;
        /* Compulsory: activations at the unit's a_bits (fused precompute:
         * the tables instead), the packed bit-plane weights, the int32
         * outputs, each once. */
        const uint64_t gk = util_ceil_div(g.k, cfg.g);
        const uint64_t a = cfg.fused ? g.m * gk * lut_entries(&cfg) *
                                           util_ceil_div(lut_entry_bits(&cfg), 8)
                                     : g.m * g.k * util_ceil_div(cfg.a_bits, 8);
        const uint64_t comp = a + util_ceil_div(gk * cfg.g * g.n * lut_planes(&cfg), 8) +
                              g.m * g.n * LUT_OUT_BYTES;
        u->compulsory_bytes = util_min_u64(comp, u->dram_bytes);
        u->utilization = (double)st.table_reads / ((double)cfg.tm * cfg.tn * (double)st.total_cycles);
    }
    *t = e->t;
    if (scale_checked(t, op->count, err, errlen) != 0)
        return -1;
    if (util_mul_u64(e->cycles, op->count, compute)) {
        snprintf(err, errlen, "compute cycles do not fit in 64 bits");
        return -1;
    }
    return 0;
}

int mapper_cost_lut(mapper_ctx_t *c, mapper_op_t *op, uint64_t *compute, char *err,
                    size_t errlen)
{
    return lut_cost(c, op, &op->tiling, compute, err, errlen);
}

/* One pim_gemv_time kernel for all instances (they are its groups); cycles
 * in DRAM clock cycles, bytes inside the banks (see mapper_tiling_t). */
static int pim_cost(mapper_ctx_t *c, const mapper_op_t *op, mapper_tiling_t *t, char *err,
                    size_t errlen)
{
    pim_gemv_cfg_t cfg;
    pim_gemv_t g;
    mapper_pim_cfg(&c->hw, op, &cfg, &g);
    memo_ent_t *e = memo_find(&c->pim, g.groups, g.m, g.k, 0);
    if (e) {
        c->st.memo_hits++;
    } else {
        pim_gemv_stats_t st;
        if (pim_gemv_time(&cfg, &g, &st, NULL, err, errlen) != 0)
            return -1;
        c->st.pim_runs++;
        e = memo_add(&c->pim, g.groups, g.m, g.k, 0);
        if (!e) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        mapper_tiling_t *u = &e->t;
        u->tiles = 1;
        u->cycles = st.cycles;
        u->dram_bytes = st.bank_bytes;
        u->utilization = st.lane_macs ? (double)st.useful_macs / (double)st.lane_macs : 0.0;
    }
    *t = e->t;
    /* Each instance's K/V matrix once at the PIM element width (with GQA the
     * query heads sharing it each read it again: non-compulsory). */
    uint64_t comp;
    if (util_mul_u64(op->count, op->n, &comp) || util_mul_u64(comp, op->k, &comp) ||
        util_mul_u64(comp, pim_elem_bits(&cfg.unit) / 8, &comp))
        comp = UINT64_MAX; /* bounded by the bank bytes below */
    t->compulsory_bytes = util_min_u64(comp, t->dram_bytes);
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
            t->cycles = util_ceil_div(t->dram_bytes, bpc);
            continue;
        }
        const systolic_gemm_t g = {op->m, op->n, op->k};
        uint64_t compute;
        const int rc = op->unit == MAPPER_UNIT_LUT   ? lut_cost(c, op, t, &compute, why, sizeof why)
                       : op->unit == MAPPER_UNIT_PIM ? pim_cost(c, op, t, why, sizeof why)
                                                     : mapper_tile_unit(c, op->unit, &g, op->count,
                                                                        t, why, sizeof why);
        if (rc != 0) {
            snprintf(err, errlen, "op %s (%s step %u): %s", op->name, mapper_phase_name(op->phase),
                     op->step, why);
            return -1;
        }
    }
    return 0;
}

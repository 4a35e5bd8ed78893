/* npu.c - LLM inference on a multi-core NPU with PIM (see npu.h). */
#include "npu.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../../mapper/tiling.h"
#include "sched.h"
#include "../../models/util.h"

static const char *const mode_names[] = {"npu", "pim-blocked", "neupims", "gpu", "pimgpt"};

const char *npu_mode_name(npu_mode_t m)
{
    return (unsigned)m < ARRAY_LEN(mode_names) ? mode_names[m] : "?";
}

int npu_mode_parse(const char *s, npu_mode_t *m)
{
    for (unsigned i = 0; i < ARRAY_LEN(mode_names); i++) {
        if (strcmp(s, mode_names[i]) == 0) {
            *m = (npu_mode_t)i;
            return 0;
        }
    }
    return -1;
}

uint32_t npu_devices(const hw_cfg_t *hw)
{
    return hw->has_link ? hw->link.devices : 1;
}

/* ---- lowering --------------------------------------------------------- */

#define NO_CMD UINT32_MAX
/* A command's tag: bit 0 marks a DMA load of the op, bits 1..15 hold the
 * op's slot, bits 16.. the decoder layer + 1 (0 outside the repeated block),
 * which names the timeline's boxes. */
#define TAG_DMA 1u
#define TAG_LAYER_SHIFT 16
#define TAG_OP(tag) (((tag) & 0xffffu) / 2)
#define TAG_LAYER(tag) ((tag) >> TAG_LAYER_SHIFT)
typedef struct {
    uint32_t *ids;
    size_t n, cap;
} idlist_t;

static int idlist_push(idlist_t *l, uint32_t id)
{
    if (l->n == l->cap) {
        const size_t cap = l->cap ? 2 * l->cap : 16;
        uint32_t *p = realloc(l->ids, cap * sizeof *p);
        if (!p)
            return -1;
        l->ids = p;
        l->cap = cap;
    }
    l->ids[l->n++] = id;
    return 0;
}

/* Cached PIM kernel times and events, by shape. */
typedef struct {
    pim_gemv_t g;
    uint64_t npu_cycles;
    pim_gemv_stats_t st;
} pim_memo_t;

typedef struct {
    const npu_hw_t *hw;
    npu_result_t *res;
    mapper_ctx_t *mc;          /* tiles each core's slice of an op */
    sched_t *s;
    uint32_t dram, pim, matrix[64], vector[64];
    uint32_t link, gpu;        /* NO_CMD when the machine has none */
    uint32_t hist[64][2];      /* per core: compute commands two and one chunks back */
    idlist_t barrier[2];       /* per sequence: what its next op waits for */
    idlist_t next;
    uint32_t layer;            /* decoder layer + 1 of the ops being lowered, 0 outside */
    pim_memo_t *memo;
    size_t nmemo, cap_memo;
    char *err;
    size_t errlen;
} lower_t;

static uint64_t split(uint64_t total, uint64_t part_begin, uint64_t part_end, uint64_t whole)
{
    /* total * [begin, end) / whole without overflow for our sizes */
    const __uint128_t t = total;
    return (uint64_t)(t * part_end / whole - t * part_begin / whole);
}

/* The tiles of a tiled GEMM fall into at most 8 shapes (full or remainder
 * in each of M, N, K); calls fn once per shape present with its count
 * (instances included) and returns the sum of fn's cycles. */
typedef uint64_t (*tile_shape_fn)(void *ctx, uint64_t m, uint64_t n, uint64_t k, uint64_t count);

static uint64_t for_each_tile_shape(const mapper_op_t *op, tile_shape_fn fn, void *ctx)
{
    const mapper_tiling_t *t = &op->tiling;
    const uint64_t dim[3] = {op->m, op->n, op->k}, tile[3] = {t->tm, t->tn, t->tk};
    uint64_t cnt[3][2], size[3][2];
    for (int d = 0; d < 3; d++) {
        cnt[d][0] = dim[d] / tile[d];
        size[d][0] = tile[d];
        cnt[d][1] = dim[d] % tile[d] ? 1 : 0;
        size[d][1] = dim[d] % tile[d];
    }
    uint64_t total = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++) {
                const uint64_t n = cnt[0][i] * cnt[1][j] * cnt[2][k] * op->count;
                if (n)
                    total += fn(ctx, size[0][i], size[1][j], size[2][k], n);
            }
    return total;
}

typedef struct {
    const systolic_cfg_t *a;
    power_npu_events_t *ev;
} array_tiles_t;

static uint64_t array_tile_shape(void *ctx, uint64_t m, uint64_t n_, uint64_t k, uint64_t n)
{
    array_tiles_t *x = ctx;
    const systolic_gemm_t g = {m, n_, k};
    systolic_counts_t c;
    /* Tile shapes the mapper costed with engine_run_gemm, which refuses any
     * whose counts do not fit: this cannot fail. */
    (void)systolic_count(x->a, &g, &c, NULL, 0);
    x->ev->array_macs += n * g.m * g.n * g.k;
    x->ev->ifmap_reads += n * c.ifmap_reads;
    x->ev->filter_reads += n * c.filter_reads;
    x->ev->ofmap_writes += n * c.ofmap_writes;
    x->ev->ofmap_acc_reads += n * c.ofmap_acc_reads;
    return n * c.compute_cycles;
}

/* Array cycles of all tiles of a tiled GEMM (no memory stalls); adds the
 * array's MACs and buffer element accesses of the same tiles to ev. */
static uint64_t tiled_compute(const systolic_cfg_t *a, const mapper_op_t *op,
                              power_npu_events_t *ev)
{
    array_tiles_t x = {a, ev};
    return for_each_tile_shape(op, array_tile_shape, &x);
}

typedef struct {
    const te_cfg_t *cfg;
    power_npu_events_t *ev;
} te_tiles_t;

static uint64_t te_tile_shape(void *ctx, uint64_t m, uint64_t n_, uint64_t k, uint64_t n)
{
    te_tiles_t *x = ctx;
    const te_gemm_t g = {m, n_, k};
    te_counts_t c;
    /* Tile shapes the mapper costed with te_run_layer, which refuses any
     * whose counts do not fit: this cannot fail. */
    (void)te_count(x->cfg, &g, &c, NULL, 0);
    power_npu_events_t *ev = x->ev;
    ev->te_macs += n * g.m * g.n * g.k;
    ev->te.folds += n * c.folds;
    ev->te.steps += n * c.steps;
    ev->te.compute_cycles += n * c.compute_cycles;
    ev->te.a_reads += n * c.a_reads;
    ev->te.b_reads += n * c.b_reads;
    ev->te.o_writes += n * c.o_writes;
    ev->te_tiles += n;
    return n * c.compute_cycles;
}

/* Tensor-engine cycles of all tiles of a tiled GEMM (no memory stalls):
 * each tile runs the engine's schedule from a cold start, te_count's
 * folds x ceil(tk/D) + 3 (models/tensor_engine.h); adds the tiles' MACs and
 * port accesses to ev. */
static uint64_t tiled_compute_te(const hw_cfg_t *hw, te_kind_t kind, const mapper_op_t *op,
                                 power_npu_events_t *ev)
{
    te_tiles_t x = {&hw->te[kind], ev};
    const uint64_t total = for_each_tile_shape(op, te_tile_shape, &x);
    ev->te_kind = kind;
    return total;
}

/* LUT events of one core's slice: lut_count of each instance's column
 * blocks.  The mapper splits N into sub->tiling.tiles blocks (each rebuilds
 * its tables and re-reads A); here the blocks are balanced to within one
 * column, which may differ from the mapper's tn-aligned widths by a few
 * columns per block (same total N). */
static void lut_events(const hw_cfg_t *hw, const mapper_op_t *sub, power_npu_events_t *ev)
{
    lut_cfg_t cfg;
    lut_gemm_t g;
    mapper_lut_cfg(hw, sub, &cfg, &g);
    const uint64_t nb = sub->tiling.tiles ? sub->tiling.tiles : 1;
    const uint64_t w = g.n / nb, wide = g.n % nb; /* `wide` blocks of w + 1 */
    for (int i = 0; i < 2; i++) {
        const uint64_t blocks = (i ? wide : nb - wide) * sub->count;
        const lut_gemm_t b = {g.m, w + (uint64_t)i, g.k};
        if (!blocks || !b.n)
            continue;
        lut_stats_t st;
        lut_count(&cfg, &b, &st);
        lut_stats_t *d = &ev->lut;
#define LUT_SUM(f) d->f += blocks * st.f
        LUT_SUM(total_cycles); LUT_SUM(compute_cycles); LUT_SUM(precompute_cycles);
        LUT_SUM(lookup_cycles); LUT_SUM(move_cycles); LUT_SUM(scale_cycles);
        LUT_SUM(move_wait_cycles); LUT_SUM(finish_cycles); LUT_SUM(drain_cycles);
        LUT_SUM(stall_cycles); LUT_SUM(act_reads); LUT_SUM(weight_reads);
        LUT_SUM(table_writes); LUT_SUM(table_reads); LUT_SUM(precompute_adds);
        LUT_SUM(fused_precompute_adds); LUT_SUM(rowsum_adds); LUT_SUM(sign_ops);
        LUT_SUM(shifts); LUT_SUM(acc_adds); LUT_SUM(bank_writes); LUT_SUM(zp_muls);
        LUT_SUM(zp_adds); LUT_SUM(out_writes); LUT_SUM(out_acc_reads); LUT_SUM(scale_muls);
        LUT_SUM(dram_read_bytes); LUT_SUM(dram_write_bytes); LUT_SUM(macs); LUT_SUM(steps);
#undef LUT_SUM
    }
    if (!ev->lut_runs)
        ev->lut_cfg = cfg;
    ev->lut_runs++;
}

static int add(lower_t *L, uint32_t unit, uint64_t dur, uint32_t tag, const uint32_t *deps,
               uint32_t nd, uint32_t *id)
{
    if (tag > 0xffffu || L->layer >= (1u << (32 - TAG_LAYER_SHIFT))) {
        snprintf(L->err, L->errlen, "more ops or layers than a command tag holds");
        return -1;
    }
    const int64_t c = sched_add_cmd(L->s, unit, dur, tag | L->layer << TAG_LAYER_SHIFT, deps,
                                    nd, L->err, L->errlen);
    if (c < 0)
        return -1;
    *id = (uint32_t)c;
    return 0;
}

/* The slice of op that core c of `cores` computes: instances first, then
 * columns of N, then rows of M are divided as evenly as they go. */
static void core_slice(const mapper_op_t *op, uint32_t c, uint32_t cores, mapper_op_t *sub)
{
    *sub = *op;
    uint64_t *dim = op->count >= cores ? &sub->count : op->n >= cores ? &sub->n : &sub->m;
    const uint64_t whole = *dim;
    *dim = whole / cores + (c < whole % cores);
}

static int lower_gemm(lower_t *L, idlist_t *bar, const mapper_op_t *op, uint32_t slot)
{
    const npu_cfg_t *n = &L->hw->npu;
    const uint64_t bpc = L->hw->hw->dma.bytes_per_cycle;
    const uint64_t most = util_max_u64(op->count, util_max_u64(op->n, op->m));
    const uint32_t cores = most < n->cores ? (uint32_t)most : n->cores;
    L->next.n = 0;
    for (uint32_t c = 0; c < cores; c++) {
        /* Each core's slice is tiled on its own (the mapper memoizes shapes). */
        mapper_op_t sub;
        core_slice(op, c, cores, &sub);
        if (sub.m == 0 || sub.n == 0 || sub.count == 0)
            continue;
        uint64_t comp_c, tiles;
        if (op->unit == MAPPER_UNIT_LUT) {
            /* Low-bit weights: the core's LUT tensor core takes the place of
             * its array and runs the slice (its columns of N) as one LUT GEMM:
             * compute = the LUT's cycles without memory stalls, memory = its
             * lut_run DRAM bytes (mapper_cost_lut); chunked by the slice's
             * tiles of N (tile.n columns) so loads overlap compute. */
            if (mapper_cost_lut(L->mc, &sub, &comp_c, L->err, L->errlen) != 0)
                return -1;
            lut_events(L->hw->hw, &sub, &L->res->events);
            L->res->events.lut_macs += sub.m * sub.n * sub.k * sub.count;
            tiles = util_ceil_div(sub.n, sub.tiling.tn) * sub.count;
        } else {
            /* The array, or the core's tensor engine in its place: the slice
             * tiled on that unit's shape and buffers (mapper_tile_unit). */
            const systolic_gemm_t g = {sub.m, sub.n, sub.k};
            if (mapper_tile_unit(L->mc, op->unit, &g, sub.count, &sub.tiling, L->err,
                                 L->errlen) != 0)
                return -1;
            comp_c = MAPPER_UNIT_IS_TE(op->unit)
                         ? tiled_compute_te(L->hw->hw, (te_kind_t)(op->unit - MAPPER_UNIT_TE), &sub,
                                            &L->res->events)
                         : tiled_compute(&L->hw->hw->array, &sub, &L->res->events);
            tiles = sub.tiling.tiles * sub.count;
        }
        const uint64_t bytes_c = sub.tiling.dram_bytes;
        const uint64_t chunks = util_min_u64(tiles, n->chunks);
        uint32_t comp = NO_CMD;
        for (uint64_t j = 0; j < chunks; j++) {
            const uint64_t bj = split(bytes_c, j, j + 1, chunks);
            uint32_t load, deps[2];
            uint32_t nd = 0;
            if (L->hist[c][0] != NO_CMD) /* double buffering: its half is free */
                deps[nd++] = L->hist[c][0];
            if (add(L, L->dram, util_ceil_div(bj, bpc), 2 * slot + TAG_DMA, deps, nd, &load))
                return -1;
            L->res->dram_bytes += bj;
            L->res->events.dram_bytes += bj;
            /* compute: its data, and (first chunk) the previous op's results */
            uint32_t *cd = malloc((bar->n + 1) * sizeof *cd);
            if (!cd)
                goto oom;
            uint32_t ncd = 0;
            cd[ncd++] = load;
            if (j == 0)
                for (size_t b = 0; b < bar->n; b++)
                    cd[ncd++] = bar->ids[b];
            const int rc = add(L, L->matrix[c], split(comp_c, j, j + 1, chunks), 2 * slot, cd,
                               ncd, &comp);
            free(cd);
            if (rc)
                return -1;
            L->hist[c][0] = L->hist[c][1];
            L->hist[c][1] = comp;
        }
        if (comp != NO_CMD && idlist_push(&L->next, comp))
            goto oom;
    }
    return 0;
oom:
    snprintf(L->err, L->errlen, "out of memory");
    return -1;
}

static vector_op_t vector_kind(const mapper_model_t *m, const char *name)
{
    if (strncmp(name, "norm", 4) == 0)
        return m->norm == MAPPER_RMSNORM ? VECTOR_RMSNORM : VECTOR_LAYERNORM;
    if (strncmp(name, "subnorm", 7) == 0)
        return VECTOR_RMSNORM;
    if (strcmp(name, "softmax") == 0)
        return VECTOR_SOFTMAX;
    if (strcmp(name, "rope") == 0)
        return VECTOR_ROPE;
    if (strncmp(name, "act_gate", 8) == 0) /* dense, routed (act_gate_moe), shared experts */
        return VECTOR_SWIGLU;
    if (strcmp(name, "act") == 0)
        return VECTOR_ACT;
    return VECTOR_ADD; /* residual adds, KV append, embedding gather: one pass */
}

static int lower_vector(lower_t *L, const mapper_model_t *m, idlist_t *bar, const mapper_op_t *op,
                        uint32_t slot)
{
    const uint64_t rows = op->m * op->count;
    const uint32_t cores = rows < L->hw->npu.cores ? (uint32_t)rows : L->hw->npu.cores;
    const vector_op_t kind = vector_kind(m, op->name);
    uint32_t passes, barriers;
    vector_op_shape(kind, &passes, &barriers);
    L->res->events.vector_elem_passes += rows * op->n * passes;
    L->next.n = 0;
    for (uint32_t c = 0; c < cores; c++) {
        const uint64_t r = rows / cores + (c < rows % cores);
        uint32_t id;
        if (add(L, L->vector[c], vector_cycles(&L->hw->npu.vector, kind, r, op->n), 2 * slot,
                bar->ids, (uint32_t)bar->n, &id) ||
            idlist_push(&L->next, id)) {
            if (!*L->err)
                snprintf(L->err, L->errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

static int pim_cycles(lower_t *L, const pim_gemv_t *g, uint64_t *out)
{
    for (size_t i = 0; i < L->nmemo; i++) {
        if (!memcmp(&L->memo[i].g, g, sizeof *g)) {
            *out = L->memo[i].npu_cycles;
            power_npu_pim_add(&L->res->events.pim, &L->memo[i].st);
            L->res->events.pim_kernels++;
            return 0;
        }
    }
    pim_gemv_stats_t st;
    if (pim_gemv_time(L->hw->pim, g, &st, NULL, L->err, L->errlen) != 0)
        return -1;
    /* DRAM command-clock cycles to NPU cycles: t = cycles * tCK. */
    const __uint128_t ps = (__uint128_t)st.cycles * L->hw->pim->dram.tck_ps;
    *out = (uint64_t)((ps * L->hw->npu.freq_mhz + 999999) / 1000000);
    if (L->nmemo == L->cap_memo) {
        const size_t cap = L->cap_memo ? 2 * L->cap_memo : 16;
        pim_memo_t *p = realloc(L->memo, cap * sizeof *p);
        if (!p) {
            snprintf(L->err, L->errlen, "out of memory");
            return -1;
        }
        L->memo = p;
        L->cap_memo = cap;
    }
    L->memo[L->nmemo++] = (pim_memo_t){*g, *out, st};
    power_npu_pim_add(&L->res->events.pim, &st);
    L->res->events.pim_kernels++;
    return 0;
}

static int lower_pim(lower_t *L, idlist_t *bar, const mapper_op_t *op, uint32_t slot)
{
    /* One GEMV per query vector: qk reads the K cache (keys x head_dim) as
     * its matrix, sv reads V transposed (head_dim x keys), as NeuPIMs lays
     * the KV cache out in the banks. */
    const pim_gemv_t g = {op->count * op->m, op->n, op->k};
    uint64_t cyc;
    if (pim_cycles(L, &g, &cyc) != 0) {
        /* --mode pimgpt runs every token vector of a weight GEMM as its own
         * GEMV, each over its own copy of the matrix in the banks (PIM-GPT
         * decodes one sequence); the bank capacity then bounds batch x
         * tokens, which the bare GEMV message does not say. */
        if (L->hw->mode == NPU_PIMGPT && strcmp(op->name, "qk") != 0 &&
            strcmp(op->name, "sv") != 0 && strstr(L->err, "bursts per PIM unit")) {
            char why[256];
            snprintf(why, sizeof why, "%s", L->err);
            snprintf(L->err, L->errlen,
                     "mode: pimgpt: %s %s: %" PRIu64 " input vectors (batch x tokens) each "
                     "with its own copy of the matrix do not fit the PIM banks (%s); PIM-GPT "
                     "runs batch 1: use --batch 1 and a shorter prompt",
                     op->phase == MAPPER_DECODE ? "decode" : "prefill", op->name, g.groups,
                     why);
        }
        return -1;
    }
    const uint32_t unit = L->hw->mode == NPU_PIM_BLOCKED ? L->dram : L->pim;
    uint32_t id;
    L->next.n = 0;
    if (add(L, unit, cyc, 2 * slot, bar->ids, (uint32_t)bar->n, &id) || idlist_push(&L->next, id)) {
        if (!*L->err)
            snprintf(L->err, L->errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int on_pim(const npu_hw_t *hw, const mapper_op_t *op)
{
    if (hw->mode == NPU_PIMGPT)
        return op->kind != MAPPER_VECTOR;
    return (hw->mode == NPU_PIM_BLOCKED || hw->mode == NPU_PIM_NEUPIMS) &&
           op->phase == MAPPER_DECODE &&
           (strcmp(op->name, "qk") == 0 || strcmp(op->name, "sv") == 0);
}

/* Nanoseconds to cycles of the machine's clock, rounded up. */
static uint64_t ns_cycles(const lower_t *L, double ns)
{
    const double c = ns * L->hw->npu.freq_mhz / 1000.0;
    return c <= 0 ? 0 : (uint64_t)c + ((double)(uint64_t)c < c);
}

/* --mode gpu: the op is one or more kernel launches on the GPU
 * (models/gpu.h, gpu.eager_kernels), after the previous op. */
static int lower_gpu(lower_t *L, idlist_t *bar, const mapper_op_t *op, uint32_t slot)
{
    const uint64_t bytes = op->bytes_read + op->bytes_written;
    const uint64_t cyc = ns_cycles(L, gpu_op_ns(&L->hw->hw->gpu, op->name,
                                                op->phase == MAPPER_DECODE, op->flops, bytes));
    uint32_t id;
    L->next.n = 0;
    if (add(L, L->gpu, cyc, 2 * slot, bar->ids, (uint32_t)bar->n, &id) || idlist_push(&L->next, id)) {
        if (!*L->err)
            snprintf(L->err, L->errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Tensor parallelism: the projections whose outputs are partial sums over
 * the devices' shares of K (attention output, FFN down) end in an all-reduce
 * of their T x hidden output (models/link.h). */
static int needs_allreduce(const mapper_op_t *op)
{
    return strcmp(op->name, "o_proj") == 0 || strcmp(op->name, "fc2") == 0 ||
           strcmp(op->name, "down") == 0;
}

static int op_slot(npu_result_t *res, const mapper_op_t *op, mapper_unit_t unit, uint32_t *slot);

static int lower_allreduce(lower_t *L, const mapper_op_t *op)
{
    mapper_op_t ar = {.phase = op->phase};
    snprintf(ar.name, sizeof ar.name, "allreduce");
    uint32_t slot, id;
    if (op_slot(L->res, &ar, MAPPER_UNIT_LINK, &slot) != 0) {
        snprintf(L->err, L->errlen, "out of memory");
        return -1;
    }
    const uint64_t bytes = op->bytes_written; /* the op's whole output, at its width */
    const uint64_t cyc = ns_cycles(L, link_allreduce_ns(&L->hw->hw->link, bytes));
    L->res->link_bytes += bytes;
    if (add(L, L->link, cyc, 2 * slot, L->next.ids, (uint32_t)L->next.n, &id))
        return -1;
    L->next.n = 0;
    if (idlist_push(&L->next, id)) {
        snprintf(L->err, L->errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* The op-statistics slot of (name, phase, unit), added when new. */
static int op_slot(npu_result_t *res, const mapper_op_t *op, mapper_unit_t unit, uint32_t *slot)
{
    for (size_t i = 0; i < res->nops; i++) {
        if (res->ops[i].phase == op->phase && res->ops[i].unit == unit &&
            strcmp(res->ops[i].name, op->name) == 0) {
            *slot = (uint32_t)i;
            return 0;
        }
    }
    npu_op_stat_t *p = realloc(res->ops, (res->nops + 1) * sizeof *p);
    if (!p)
        return -1;
    res->ops = p;
    memset(&p[res->nops], 0, sizeof *p);
    snprintf(p[res->nops].name, sizeof p[res->nops].name, "%s", op->name);
    p[res->nops].phase = op->phase;
    p[res->nops].unit = unit;
    *slot = (uint32_t)res->nops++;
    return 0;
}

static int lower_op(lower_t *L, const mapper_model_t *m, int seq, const mapper_op_t *op)
{
    idlist_t *bar = &L->barrier[seq];
    const int pim = on_pim(L->hw, op), gpu = L->hw->mode == NPU_GPU;
    const mapper_unit_t unit = gpu ? MAPPER_UNIT_GPU : pim ? MAPPER_UNIT_PIM : op->unit;
    uint32_t slot;
    if (op_slot(L->res, op, unit, &slot) != 0) {
        snprintf(L->err, L->errlen, "out of memory");
        return -1;
    }
    int rc;
    if (op->kind != MAPPER_VECTOR) {
        const uint64_t macs = op->m * op->n * op->k * op->count;
        L->res->ops[slot].macs += macs;
        L->res->macs += macs;
    }
    if (gpu)
        rc = lower_gpu(L, bar, op, slot);
    else if (op->kind == MAPPER_VECTOR)
        rc = lower_vector(L, m, bar, op, slot);
    else
        rc = pim ? lower_pim(L, bar, op, slot) : lower_gemm(L, bar, op, slot);
    if (rc)
        return -1;
    if (L->link != NO_CMD && needs_allreduce(op) && lower_allreduce(L, op) != 0)
        return -1;
    /* The next op of this sequence waits for this one. */
    idlist_t t = *bar;
    *bar = L->next;
    L->next = t;
    return 0;
}

/* Emits one step: the ops of `step` from each sequence's list, the decoder
 * block once per layer, sequences interleaved layer by layer. */
static int lower_step(lower_t *L, const mapper_model_t *m, const mapper_ops_t *seqs, int nseq,
                      uint32_t step)
{
    size_t lo[2], hi[2], block_lo[2], block_hi[2];
    uint32_t layers = 1;
    for (int q = 0; q < nseq; q++) {
        lo[q] = seqs[q].count;
        hi[q] = 0;
        block_lo[q] = block_hi[q] = SIZE_MAX;
        for (size_t i = 0; i < seqs[q].count; i++) {
            const mapper_op_t *op = &seqs[q].ops[i];
            if (op->step != step)
                continue;
            if (lo[q] == seqs[q].count)
                lo[q] = i;
            hi[q] = i + 1;
            if (op->repeat > 1) {
                if (block_lo[q] == SIZE_MAX)
                    block_lo[q] = i;
                block_hi[q] = i + 1;
                layers = op->repeat;
            }
        }
        if (block_lo[q] == SIZE_MAX)
            block_lo[q] = block_hi[q] = hi[q];
    }
    for (int q = 0; q < nseq; q++) /* before the blocks: embedding */
        for (size_t i = lo[q]; i < block_lo[q]; i++)
            if (lower_op(L, m, q, &seqs[q].ops[i]))
                return -1;
    const uint32_t lbase = layers > 1 ? 1 : 0; /* layer tags: l + 1, or 0 for a lone block */
    if (nseq == 2) {
        /* NeuPIMs' sub-batch interleaving (Heo et al., ASPLOS 2024, Sec. 5,
         * sub-batch pipeline figure): each block splits after attention
         * (sv) into pre (norm, QKV, attention) and post (projection, FFN).
         * Program order on the NPU is A.pre(0), B.pre(0), then per layer
         * A.post(l), A.pre(l+1), B.post(l), B.pre(l+1): the NPU runs one
         * sub-batch's GEMMs while PIM runs the other's attention.  (Emitting
         * whole blocks A(l), B(l) instead puts B's QKV behind A's FFN on
         * each core, which waits for A's attention: no overlap.) */
        size_t mid[2];
        for (int q = 0; q < 2; q++) {
            mid[q] = block_lo[q];
            for (size_t i = block_lo[q]; i < block_hi[q]; i++)
                if (strcmp(seqs[q].ops[i].name, "sv") == 0)
                    mid[q] = i + 1;
        }
        L->layer = lbase;
        for (int q = 0; q < 2; q++)
            for (size_t i = block_lo[q]; i < mid[q]; i++)
                if (lower_op(L, m, q, &seqs[q].ops[i]))
                    return -1;
        for (uint32_t l = 0; l < layers; l++)
            for (int q = 0; q < 2; q++) {
                L->layer = lbase * (l + 1);
                for (size_t i = mid[q]; i < block_hi[q]; i++)
                    if (lower_op(L, m, q, &seqs[q].ops[i]))
                        return -1;
                L->layer = lbase * (l + 2);
                if (l + 1 < layers)
                    for (size_t i = block_lo[q]; i < mid[q]; i++)
                        if (lower_op(L, m, q, &seqs[q].ops[i]))
                            return -1;
            }
    } else {
        for (uint32_t l = 0; l < layers; l++) {
            L->layer = lbase * (l + 1);
            for (size_t i = block_lo[0]; i < block_hi[0]; i++)
                if (lower_op(L, m, 0, &seqs[0].ops[i]))
                    return -1;
        }
    }
    L->layer = 0;
    for (int q = 0; q < nseq; q++) /* after: final norm, LM head */
        for (size_t i = block_hi[q]; i < hi[q]; i++)
            if (lower_op(L, m, q, &seqs[q].ops[i]))
                return -1;
    return 0;
}

static int make_units(lower_t *L)
{
    char name[32];
    L->link = L->gpu = L->dram = L->pim = NO_CMD;
    if (npu_devices(L->hw->hw) > 1) {
        const int l = sched_add_unit(L->s, "link", L->err, L->errlen);
        if (l < 0)
            return -1;
        L->link = (uint32_t)l;
    }
    if (L->hw->mode == NPU_GPU) {
        const int g = sched_add_unit(L->s, "gpu", L->err, L->errlen);
        if (g < 0)
            return -1;
        L->gpu = (uint32_t)g;
        return 0;
    }
    /* A core's matrix unit runs one GEMM at a time on its array or, when
     * the machine has one, on its tensor engine (the mapper's: the last
     * present kind); the row is named after the engine then. */
    const char *mname = "matrix";
    for (int k = 0; k < TE_KINDS; k++)
        if (L->hw->hw->has_te[k])
            mname = te_kind_name((te_kind_t)k);
    for (uint32_t c = 0; c < L->hw->npu.cores; c++) {
        snprintf(name, sizeof name, "core%u.%s", c, mname);
        const int mu = sched_add_unit(L->s, name, L->err, L->errlen);
        snprintf(name, sizeof name, "core%u.vector", c);
        const int vu = sched_add_unit(L->s, name, L->err, L->errlen);
        if (mu < 0 || vu < 0)
            return -1;
        L->matrix[c] = (uint32_t)mu;
        L->vector[c] = (uint32_t)vu;
    }
    const int d = sched_add_unit(L->s, "dram", L->err, L->errlen);
    const int p = sched_add_unit(L->s, "pim", L->err, L->errlen);
    if (d < 0 || p < 0)
        return -1;
    L->dram = (uint32_t)d;
    L->pim = (uint32_t)p;
    return 0;
}

/* The timeline's name of a command: "L3 qkv" (decoder layer 3) or "lm_head",
 * with " (load)" for its DMA. */
typedef struct {
    const npu_result_t *res;
    char buf[64];
} label_ctx_t;

static const char *label(uint32_t tag, void *ctx)
{
    label_ctx_t *c = ctx;
    const char *op = c->res->ops[TAG_OP(tag)].name;
    if (TAG_LAYER(tag))
        snprintf(c->buf, sizeof c->buf, "L%u %s%s", TAG_LAYER(tag) - 1, op,
                 tag & TAG_DMA ? " (load)" : "");
    else
        snprintf(c->buf, sizeof c->buf, "%s%s", op, tag & TAG_DMA ? " (load)" : "");
    return c->buf;
}

/* Counter tracks of one step from t0 (cycles): DRAM bandwidth (GB/s: the DMA
 * moves bytes_per_cycle while it loads) and PIM activity (1 while a PIM
 * kernel runs; in pim-blocked mode those hold the DRAM unit, which then
 * moves no DMA data).  Each unit runs one command at a time, so a counter
 * rises at a command's start and falls at its end unless the next of the
 * same kind begins there. */
static int timeline_counters(const lower_t *L, FILE *f, int pid, uint64_t t0, double freq_mhz)
{
    const double gbps = (double)L->hw->hw->dma.bytes_per_cycle * freq_mhz * 1e6 / 1e9;
    static const char *const name[2] = {"DRAM bandwidth", "PIM activity"};
    static const char *const key[2] = {"GB/s", "busy"};
    const double high[2] = {gbps, 1};
    for (int t = 0; t < 2; t++) {
        uint64_t last_end = UINT64_MAX;
        for (size_t c = 0; c < sched_cmds(L->s); c++) {
            const sched_cmd_t *cmd = sched_cmd(L->s, c);
            const int pim = L->res->ops[TAG_OP(cmd->tag)].unit == MAPPER_UNIT_PIM &&
                            !(cmd->tag & TAG_DMA);
            const int mine = t == 0 ? cmd->unit == L->dram && !pim : pim;
            if (!mine || cmd->duration == 0)
                continue;
            if (cmd->start != last_end && last_end != UINT64_MAX)
                fprintf(f, ",\n{\"name\":\"%s\",\"ph\":\"C\",\"pid\":%d,\"ts\":%.4f,"
                           "\"args\":{\"%s\":0}}", name[t], pid,
                        (double)(t0 + last_end) / freq_mhz, key[t]);
            if (cmd->start != last_end)
                fprintf(f, ",\n{\"name\":\"%s\",\"ph\":\"C\",\"pid\":%d,\"ts\":%.4f,"
                           "\"args\":{\"%s\":%.6g}}", name[t], pid,
                        (double)(t0 + cmd->start) / freq_mhz, key[t], high[t]);
            last_end = cmd->end;
        }
        /* A track that rose falls at its last end; one that never did
         * still gets its zero, so that it appears. */
        fprintf(f, ",\n{\"name\":\"%s\",\"ph\":\"C\",\"pid\":%d,\"ts\":%.4f,"
                   "\"args\":{\"%s\":0}}", name[t], pid,
                (double)(t0 + (last_end == UINT64_MAX ? 0 : last_end)) / freq_mhz, key[t]);
    }
    return ferror(f) ? -1 : 0;
}

void npu_result_free(npu_result_t *res)
{
    free(res->units);
    free(res->ops);
    memset(res, 0, sizeof *res);
}

static int map_ops(mapper_ctx_t *mc, const mapper_model_t *m, const mapper_run_t *r,
                   mapper_ops_t *ops, char *err, size_t errlen)
{
    if (mapper_ops_build(m, r, ops, err, errlen) != 0)
        return -1;
    return mapper_map(mc, ops, err, errlen);
}

/* only: the one step to simulate (NPU_ALL_STEPS: every step). */
#define NPU_ALL_STEPS UINT32_MAX
static int npu_sim(const npu_hw_t *hw, const mapper_model_t *m, const mapper_run_t *r,
                   uint32_t only, npu_result_t *res, FILE *timeline, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (npu_cfg_check(&hw->npu, err, errlen) != 0)
        return -1;
    if (hw->mode == NPU_GPU && !hw->hw->has_gpu) {
        snprintf(err, errlen, "mode: gpu needs a gpu section in the hardware config");
        return -1;
    }
    if ((hw->mode == NPU_PIM_BLOCKED || hw->mode == NPU_PIM_NEUPIMS || hw->mode == NPU_PIMGPT) &&
        !hw->pim) {
        snprintf(err, errlen, "mode: %s needs a pim section in the hardware config",
                 npu_mode_name(hw->mode));
        return -1;
    }
    /* PIM placement is the run mode's (on_pim): NPU-only maps decode attention
     * onto the arrays even when the hardware has a pim: section. */
    hw_cfg_t mhw = *hw->hw;
    if (hw->mode == NPU_ONLY || hw->mode == NPU_GPU)
        mhw.has_pim = 0;
    /* Tensor parallelism: each device runs the model with 1/devices of the
     * heads, of the FFN's inner width and of the vocabulary (Megatron-LM's
     * split; the LM head's final gather is not timed), so every weight GEMM
     * is split along its N (qkv, fc1, lm_head) or K (o_proj, fc2). */
    mapper_model_t dm = *m;
    const uint32_t dev = npu_devices(hw->hw);
    if (dev > 1) {
        if (m->heads % dev || m->kv_heads % dev || m->ffn % dev) {
            snprintf(err, errlen,
                     "link.devices: %u does not divide the model's heads (%" PRIu64
                     "), KV heads (%" PRIu64 ") and FFN width (%" PRIu64 ")",
                     dev, m->heads, m->kv_heads, m->ffn);
            return -1;
        }
        dm.heads /= dev;
        dm.kv_heads /= dev;
        dm.ffn /= dev;
        dm.vocab = util_ceil_div(m->vocab, dev);
        m = &dm;
    }
    mapper_ctx_t *mc = mapper_ctx_new(&mhw);
    mapper_ops_t full = {0}, half[2] = {{0}, {0}};
    lower_t L = {.hw = hw, .res = res, .mc = mc, .err = err, .errlen = errlen};
    int rc = -1;
    if (!mc) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    *err = 0;
    if (map_ops(mc, m, r, &full, err, errlen) != 0)
        goto out;
    /* NeuPIMs: decode runs as two sub-batches (only when there are two). */
    const int split_batch = hw->mode == NPU_PIM_NEUPIMS && r->batch >= 2;
    if (split_batch) {
        mapper_run_t ra = *r, rb = *r;
        ra.batch = (r->batch + 1) / 2;
        rb.batch = r->batch / 2;
        if (map_ops(mc, m, &ra, &half[0], err, errlen) != 0 ||
            map_ops(mc, m, &rb, &half[1], err, errlen) != 0)
            goto out;
    }
    for (size_t i = 0; i < full.count; i++)
        if (full.ops[i].kind != MAPPER_VECTOR)
            res->mapper_flops += full.ops[i].flops * full.ops[i].repeat;
    if (m->experts) {
        mapper_params_t par;
        mapper_model_params(m, &par);
        res->params_total = par.total;
        res->params_active = par.active;
        res->expert_slots = par.moe_layers * m->experts;
        res->experts_prefill = mapper_experts_touched(&full, 0);
        uint64_t dec = 0;
        for (uint32_t s = 1; s < r->gen; s++)
            dec += mapper_experts_touched(&full, s);
        res->experts_per_decode_step = r->gen > 1 ? (double)dec / (double)(r->gen - 1) : 0.0;
    }

    const uint32_t steps = (uint32_t)r->gen; /* step 0 = prefill, 1 .. gen-1 decode */
    if (timeline)
        fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", timeline);
    int first_event = 1;
    for (uint32_t step = 0; step < steps; step++) {
        if (only != NPU_ALL_STEPS && step != only)
            continue;
        L.s = sched_new();
        if (!L.s) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        for (uint32_t c = 0; c < 64; c++)
            L.hist[c][0] = L.hist[c][1] = NO_CMD;
        L.barrier[0].n = L.barrier[1].n = 0;
        const int sub = step > 0 && split_batch;
        if (make_units(&L) != 0 || lower_step(&L, m, sub ? half : &full, sub ? 2 : 1, step) != 0) {
            sched_free(L.s);
            goto out;
        }
        uint64_t span;
        if (sched_run(L.s, &span, err, errlen) != 0) {
            sched_free(L.s);
            goto out;
        }
        if (!res->units) {
            res->nunits = sched_units(L.s);
            res->units = calloc(res->nunits, sizeof *res->units);
            if (!res->units) {
                sched_free(L.s);
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            for (size_t u = 0; u < res->nunits; u++)
                snprintf(res->units[u].name, sizeof res->units[u].name, "%s",
                         sched_unit(L.s, (uint32_t)u)->name);
        }
        for (size_t u = 0; u < res->nunits; u++)
            res->units[u].busy += sched_unit(L.s, (uint32_t)u)->busy;
        for (size_t c = 0; c < sched_cmds(L.s); c++) {
            const sched_cmd_t *cmd = sched_cmd(L.s, c);
            if (cmd->tag & TAG_DMA)
                continue;
            res->ops[TAG_OP(cmd->tag)].cycles += cmd->duration;
            /* pim-blocked runs a PIM kernel on the DRAM channel (it holds
             * it); its time is PIM time in the per-unit table. */
            if (cmd->unit == L.dram && res->ops[TAG_OP(cmd->tag)].unit == MAPPER_UNIT_PIM) {
                res->units[L.dram].busy -= cmd->duration;
                res->units[L.pim].busy += cmd->duration;
            }
        }
        res->commands += sched_cmds(L.s);
        if (step == 0)
            res->prefill_cycles = span;
        else
            res->decode_cycles += span;
        /* The steps end to end on one time axis: step k starts where
         * step k-1 ended (t0, cycles); a "steps" track names each. */
        if (timeline && step <= NPU_TIMELINE_DECODE_STEPS) {
            res->timeline_decode_steps += step > 0;
            const uint64_t t0 = res->prefill_cycles + res->decode_cycles - span;
            label_ctx_t lc = {res, {0}};
            if (sched_trace_events(L.s, timeline, 1, m->name, hw->npu.freq_mhz, t0, label, &lc,
                                   &first_event) != 0 ||
                fprintf(timeline, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,"
                                  "\"tid\":%zu,\"args\":{\"name\":\"steps\"}},\n"
                                  "{\"name\":\"%s%.0u\",\"ph\":\"X\",\"pid\":1,\"tid\":%zu,"
                                  "\"ts\":%.4f,\"dur\":%.4f,\"args\":{\"cycles\":%" PRIu64 "}}",
                        sched_units(L.s), step ? "decode step " : "prefill", step,
                        sched_units(L.s), (double)t0 / hw->npu.freq_mhz,
                        (double)span / hw->npu.freq_mhz, span) < 0 ||
                timeline_counters(&L, timeline, 1, t0, hw->npu.freq_mhz) != 0) {
                sched_free(L.s);
                snprintf(err, errlen, "timeline: write failed");
                goto out;
            }
        }
        sched_free(L.s);
        L.s = NULL;
    }
    if (timeline && (fputs("]}\n", timeline) == EOF || ferror(timeline))) {
        snprintf(err, errlen, "timeline: write failed");
        goto out;
    }
    res->decode_steps = steps - 1;
    res->total_cycles = res->prefill_cycles + res->decode_cycles;
    const double hz = 1e6 * hw->npu.freq_mhz;
    res->ttft_s = (double)res->prefill_cycles / hz;
    res->tpot_s = res->decode_steps ? (double)res->decode_cycles / hz / (double)res->decode_steps
                                    : 0.0;
    res->tokens_per_s = (double)(r->batch * r->gen) / ((double)res->total_cycles / hz);
    res->dram_gbps = (double)res->dram_bytes / ((double)res->total_cycles / hz) / 1e9;
    for (size_t u = 0; u < res->nunits; u++)
        res->units[u].utilization = (double)res->units[u].busy / (double)res->total_cycles;
    rc = 0;
out:
    free(L.barrier[0].ids);
    free(L.barrier[1].ids);
    free(L.next.ids);
    free(L.memo);
    mapper_ops_free(&full);
    mapper_ops_free(&half[0]);
    mapper_ops_free(&half[1]);
    mapper_ctx_free(mc);
    if (rc)
        npu_result_free(res);
    return rc;
}

int npu_run(const npu_hw_t *hw, const mapper_model_t *m, const mapper_run_t *r,
            npu_result_t *res, FILE *timeline, char *err, size_t errlen)
{
    return npu_sim(hw, m, r, NPU_ALL_STEPS, res, timeline, err, errlen);
}

int npu_step(const npu_hw_t *hw, const mapper_model_t *m, const mapper_run_t *r, uint32_t step,
             uint64_t *cycles, char *err, size_t errlen)
{
    if (step >= r->gen) {
        snprintf(err, errlen, "step: %u is beyond the run's %" PRIu64 " steps", step, r->gen);
        return -1;
    }
    npu_result_t res;
    if (npu_sim(hw, m, r, step, &res, NULL, err, errlen) != 0)
        return -1;
    *cycles = step ? res.decode_cycles : res.prefill_cycles;
    npu_result_free(&res);
    return 0;
}

/* scalesim.c - SCALE-Sim v2 accounting (see scalesim.h).
 *
 * The flow follows scale-sim-v2 22f88b17f1dd: scalesim/compute/operand_matrix.py
 * (addresses), compute/systolic_compute_{os,ws,is}.py (prefetch and demand
 * matrices), memory/double_buffered_scratchpad_mem.py (per-row service and
 * stall accumulation), memory/read_buffer.py (USER reads),
 * memory/write_buffer.py (ofmap writes).  Instead of materializing the demand
 * matrices, each fold's rows are generated into one reusable buffer. */
#include "scalesim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NOADDR (-1)

static uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

uint64_t scalesim_ofmap_dim(uint64_t in, uint64_t f, uint64_t s)
{
    /* topology_utils.py: int(math.ceil((ifmap_h - filt_h + stride_h) / stride_h)) */
    return cdiv(in - f + s, s);
}

int scalesim_cfg_check(const scalesim_cfg_t *c, char *err, size_t errlen)
{
    if (c->rows == 0 || c->cols == 0 || c->rows > 4096 || c->cols > 4096)
        return snprintf(err, errlen, "array: rows and cols must be 1..4096"), -1;
    /* its read buffer splits into 100 sets and needs both halves non-empty */
    const uint64_t lim = (uint64_t)1 << 30;
    if (c->ifmap_bytes < 2 || c->filter_bytes < 2 || c->ofmap_bytes < 2 || c->ifmap_bytes > lim ||
        c->filter_bytes > lim || c->ofmap_bytes > lim)
        return snprintf(err, errlen, "sram: each SCALE-Sim buffer must be 2 bytes .. 1 GiB"), -1;
    if (c->user_bw && (c->bandwidth == 0 || c->bandwidth > 65536))
        return snprintf(err, errlen, "Bandwidth: must be 1..65536 words per cycle in USER mode"), -1;
    return 0;
}

/* ---- operand matrices (operand_matrix.py) ---------------------------- */
typedef struct {
    const scalesim_cfg_t *cfg;
    const scalesim_layer_t *l;
    uint64_t oh, ow, px, win, nf;
    uint64_t Sr, Sc, T, row_fold, col_fold;
} lay_t;

static int64_t ifmap_addr(const lay_t *L, uint64_t i, uint64_t j)
{
    const scalesim_layer_t *l = L->l;
    uint64_t orow = i / L->ow, ocol = i % L->ow;
    uint64_t irow = orow * l->stride, icol = ocol * l->stride;
    uint64_t crow = j / (l->filt_w * l->channels), k = j % (l->filt_w * l->channels);
    uint64_t ccol = k / l->channels, cch = k % l->channels;
    if (crow + irow >= l->ifmap_h || ccol + icol >= l->ifmap_w)
        return NOADDR;
    return (int64_t)(((crow * l->ifmap_w + ccol) * l->channels + cch) +
                     (irow * l->ifmap_w + icol) * l->channels + L->cfg->ifmap_off);
}
static int64_t filter_addr(const lay_t *L, uint64_t i, uint64_t j)
{
    const scalesim_layer_t *l = L->l;
    return (int64_t)(j * l->filt_h * l->filt_w * l->channels + i + L->cfg->filter_off);
}
static int64_t ofmap_addr(const lay_t *L, uint64_t i, uint64_t j)
{
    return (int64_t)(L->nf * i + j + L->cfg->ofmap_off);
}

/* ---- one fold of one operand's demand matrix -------------------------- */
enum { OP_IF, OP_FI, OP_OF };

/* The base matrix of fold (fc, fr) for operand op: rows x width, element
 * (r, c), or NOADDR for padding; base_valid counts the unpadded elements
 * (SCALE-Sim's SRAM access counts). */
typedef struct {
    uint64_t rows, width, prefix, suffix;
    int flip, skew;
} fold_shape_t;

static int64_t base_elem(const lay_t *L, int op, uint64_t fc, uint64_t fr, uint64_t r, uint64_t c)
{
    uint64_t R = L->cfg->rows, C = L->cfg->cols;
    switch (L->cfg->df) {
    case SCALESIM_OS:
        if (op == OP_IF) { uint64_t p = fr * R + c; return p < L->Sr ? ifmap_addr(L, p, r) : NOADDR; }
        if (op == OP_FI) { uint64_t f = fc * C + c; return f < L->Sc ? filter_addr(L, r, f) : NOADDR; }
        { uint64_t p = fr * R + r, f = fc * C + c;
          return p < L->Sr && f < L->Sc ? ofmap_addr(L, p, f) : NOADDR; }
    case SCALESIM_WS:
        if (op == OP_IF) { uint64_t w = fr * R + c; return w < L->Sr ? ifmap_addr(L, r, w) : NOADDR; }
        if (op == OP_FI) { uint64_t w = fr * R + r, f = fc * C + c;
                           return w < L->Sr && f < L->Sc ? filter_addr(L, w, f) : NOADDR; }
        { uint64_t f = fc * C + c; return f < L->Sc ? ofmap_addr(L, r, f) : NOADDR; }
    default: /* IS */
        if (op == OP_IF) { uint64_t w = fr * R + r, p = fc * C + c;
                           return w < L->Sr && p < L->Sc ? ifmap_addr(L, p, w) : NOADDR; }
        if (op == OP_FI) { uint64_t w = fr * R + c; return w < L->Sr ? filter_addr(L, w, r) : NOADDR; }
        { uint64_t p = fc * C + c; return p < L->Sc ? ofmap_addr(L, p, r) : NOADDR; }
    }
}

static fold_shape_t fold_shape(const lay_t *L, int op)
{
    uint64_t R = L->cfg->rows, C = L->cfg->cols, T = L->T;
    fold_shape_t s = {0, 0, 0, 0, 0, 1};
    switch (L->cfg->df) {
    case SCALESIM_OS:
        if (op == OP_IF) s = (fold_shape_t){T, R, 0, C - 1, 0, 1};
        else if (op == OP_FI) s = (fold_shape_t){T, C, 0, R - 1, 0, 1};
        else s = (fold_shape_t){R, C, T - 1, 0, 1, 1};
        break;
    case SCALESIM_WS:
        if (op == OP_IF) s = (fold_shape_t){T, R, R, C - 1, 0, 1};
        else if (op == OP_FI) s = (fold_shape_t){R, C, 0, R + C + T - 2, 1, 0};
        else s = (fold_shape_t){T, C, 2 * R - 1, 0, 0, 1};
        break;
    default:
        if (op == OP_IF) s = (fold_shape_t){R, C, 0, R + C + T - 2, 1, 0};
        else if (op == OP_FI) s = (fold_shape_t){T, R, R, C - 1, 0, 1};
        else s = (fold_shape_t){T, C, 2 * R - 1, 0, 0, 1};
        break;
    }
    return s;
}

static uint64_t fold_lines(const fold_shape_t *s)
{
    uint64_t rows = s->prefix + s->rows + s->suffix;
    return s->skew ? rows + s->width - 1 : rows;
}

/* Element (line, c) of the fold's demand matrix after gap rows, flip and skew. */
static int64_t demand_elem(const lay_t *L, int op, const fold_shape_t *s, uint64_t fc, uint64_t fr,
                           uint64_t line, uint64_t c)
{
    uint64_t rows = s->prefix + s->rows + s->suffix;
    uint64_t r = line;
    if (s->skew) {
        if (line < c || line - c >= rows)
            return NOADDR;
        r = line - c;
    }
    if (r < s->prefix || r >= s->prefix + s->rows)
        return NOADDR;
    r -= s->prefix;
    if (s->flip)
        r = s->rows - 1 - r;
    return base_elem(L, op, fc, fr, r, c);
}

/* The columns [*lo, *hi) of line `line` that can hold an address: outside
 * them demand_elem() is NOADDR (a gap row, or the skew's empty corner).
 * The buffers below skip NOADDR and otherwise see the row's elements only
 * in order, so giving them this slice alone changes nothing but the time
 * (on a 128-wide array most of a small layer's lines are padding). */
static void line_range(const fold_shape_t *s, uint64_t line, uint64_t *lo, uint64_t *hi)
{
    *lo = *hi = 0;
    if (line < s->prefix)
        return;
    if (!s->skew) {
        if (line < s->prefix + s->rows)
            *hi = s->width;
        return;
    }
    /* r = line - c in [prefix, prefix + rows) */
    const uint64_t top = line - s->prefix + 1; /* c < top */
    *lo = top > s->rows ? top - s->rows : 0;
    *hi = top < s->width ? top : s->width;
    if (*lo > *hi)
        *lo = *hi;
}

/* ---- prefetch order (create_*_prefetch_mat) --------------------------- */
/* Row r of block `block` of op's stacked prefetch matrix is the base matrix
 * row of that fold (blocks run over column folds for IS ifmap and OS/WS
 * filter, over row folds otherwise). */
static int64_t pf_elem(const lay_t *L, int op, scalesim_df_t df, uint64_t block, uint64_t r, uint64_t c)
{
    int by_col = (op == OP_IF && df == SCALESIM_IS) || (op == OP_FI && df != SCALESIM_IS);
    return base_elem(L, op, by_col ? block : 0, by_col ? 0 : block, r, c);
}

typedef struct { int64_t *v; size_t n; } seq_t;

/* The stacked prefetch matrix for op: `folds` blocks of brows x width; elem
 * (R, c) of block b.  Returns diag: SCALE-Sim's anti-diagonal linearization. */
static int prefetch_dims(const lay_t *L, int op, uint64_t *folds, uint64_t *brows, uint64_t *width)
{
    uint64_t R = L->cfg->rows, C = L->cfg->cols;
    scalesim_df_t df = L->cfg->df;
    if (op == OP_IF) {
        if (df == SCALESIM_IS) { *folds = L->col_fold; *brows = L->Sr; *width = C; return 0; }
        *folds = L->row_fold; *brows = L->T; *width = R; return 1;
    }
    if (df == SCALESIM_WS) { *folds = L->col_fold; *brows = L->Sr; *width = C; return 0; }
    if (df == SCALESIM_IS) { *folds = L->row_fold; *brows = L->T; *width = R; return 1; }
    *folds = L->col_fold; *brows = L->T; *width = C; return 1;
}

static int prefetch_seq(const lay_t *L, int op, seq_t *out, char *err, size_t errlen)
{
    uint64_t folds, brows, width;
    const int diag = prefetch_dims(L, op, &folds, &brows, &width);
    scalesim_df_t df = L->cfg->df;
    uint64_t M, n;
    if (util_mul_u64(folds, brows, &M) || util_mul_u64(M, width, &n) || n > ((uint64_t)1 << 31))
        return snprintf(err, errlen, "layer: prefetch matrix too large for SCALE-Sim accounting"), -1;
    out->v = malloc((size_t)(n ? n : 1) * sizeof *out->v);
    if (!out->v)
        return snprintf(err, errlen, "layer: out of memory"), -1;
    out->n = (size_t)n;
    size_t idx = 0;
#define PF_ELEM(row, col) pf_elem(L, op, df, (row) / brows, (row) % brows, (col))
    for (uint64_t d = 0; diag && d < M + width; d++) {
        uint64_t maxr = d < M - 1 ? d : M - 1;
        uint64_t minr = d + 1 > width ? d - width + 1 : 0;
        for (uint64_t r = maxr + 1; r-- > minr;)
            out->v[idx++] = PF_ELEM(r, d - r);
    }
    for (uint64_t r = 0; !diag && r < M; r++)
        for (uint64_t c = 0; c < width; c++)
            out->v[idx++] = PF_ELEM(r, c);
#undef PF_ELEM
    out->n = idx;
    return 0;
}

/* The layer's cost in this flow, refused above SCALESIM_MAX_WORK and
 * SCALESIM_MAX_BYTES before anything is allocated (in doubles: no product
 * can wrap, and they are exact far beyond both limits).  Work: the demand
 * rows walked plus the addresses served (per fold T x rv + T x cv + rv x cv,
 * the operands in some order in every dataflow, summed over the folds in
 * closed form).  Memory: USER keeps both stacked prefetch matrices (8 bytes
 * an entry) and their set ids (4), and per operand address a CSR start and a
 * fill count (4 + 4); CALC one last-set word per address (8); both keep 4
 * bytes per closed ofmap trace line (one per `bandwidth` writes or drain). */
static int check_size(const lay_t *L, uint64_t flines, char *err, size_t errlen)
{
    const scalesim_cfg_t *cfg = L->cfg;
    const scalesim_layer_t *l = L->l;
    const double T = (double)L->T, Sr = (double)L->Sr, Sc = (double)L->Sc;
    const double rf = (double)L->row_fold, cf = (double)L->col_fold;
    const double work = rf * cf * (double)flines + T * Sr * cf + T * Sc * rf + Sr * Sc;
    if (work > (double)SCALESIM_MAX_WORK)
        return snprintf(err, errlen, "layer: SCALE-Sim accounting work of %.3g (demand rows "
                        "plus addresses served) passes its limit of 2^33; a larger array or "
                        "--accounting rtl runs it", work), -1;
    const double ofw = cfg->df == SCALESIM_OS ? Sr * Sc : T * Sc * rf; /* ofmap writes */
    const double wbw = (double)(cfg->user_bw ? cfg->bandwidth : cfg->cols);
    const double drain = (double)(cfg->ofmap_bytes - cdiv(cfg->ofmap_bytes, 2));
    const double addrs = (double)l->ifmap_h * (double)l->ifmap_w * (double)l->channels +
                         (double)L->win * (double)L->nf;
    double bytes = 8 * addrs + 4 * (ofw / wbw + ofw / (drain > 0 ? drain : 1) + 1);
    for (int op = OP_IF; cfg->user_bw && op <= OP_FI; op++) {
        uint64_t folds, brows, width;
        prefetch_dims(L, op, &folds, &brows, &width);
        bytes += 12 * (double)folds * (double)brows * (double)width;
    }
    if (bytes > (double)SCALESIM_MAX_BYTES)
        return snprintf(err, errlen, "layer: SCALE-Sim accounting memory of %.3g GiB (prefetch "
                        "matrices and buffer state) passes its limit of 2 GiB; a larger array or "
                        "--accounting rtl runs it", bytes / (1u << 30)), -1;
    return 0;
}

/* ---- read buffer, USER mode (memory/read_buffer.py) ------------------- */
typedef struct {
    uint64_t bw, active_size, prefetch_size, fetch_rows;
    uint64_t nsets, n_active_sets, n_prefetch_sets;
    /* CSR: address - base -> sorted set ids */
    int64_t base;
    uint64_t span;
    uint32_t *start;     /* span + 1 */
    uint32_t *ids;
    int full;
    uint64_t act_s, act_e;
    int64_t last_prefetch;
    uint64_t next_line, next_col;
    uint64_t num_access;
    int64_t trace_first, trace_last;
} rdbuf_t;

static void rdbuf_free(rdbuf_t *b)
{
    free(b->start);
    free(b->ids);
}

static int rdbuf_init(rdbuf_t *b, uint64_t size_bytes, uint64_t bw, const seq_t *pf, char *err,
                      size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->bw = bw;
    b->active_size = cdiv(size_bytes, 2);          /* ceil(total * 0.5) */
    b->prefetch_size = size_bytes - b->active_size;
    b->fetch_rows = cdiv(pf->n, bw);
    uint64_t per_set = cdiv(size_bytes, 100);       /* math.ceil(total_size_elems / 100) */
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < pf->n; i++)
        if (pf->v[i] != NOADDR) {
            lo = pf->v[i] < lo ? pf->v[i] : lo;
            hi = pf->v[i] > hi ? pf->v[i] : hi;
        }
    if (lo > hi)
        lo = hi = 0;
    b->base = lo;
    b->span = (uint64_t)(hi - lo) + 1;
    b->start = calloc(b->span + 1, sizeof *b->start);
    size_t nvalid = 0;
    for (size_t i = 0; i < pf->n; i++)
        nvalid += pf->v[i] != NOADDR;
    b->ids = malloc((nvalid ? nvalid : 1) * sizeof *b->ids);
    if (!b->start || !b->ids)
        return snprintf(err, errlen, "layer: out of memory"), -1;
    for (size_t i = 0; i < pf->n; i++)
        if (pf->v[i] != NOADDR)
            b->start[pf->v[i] - lo + 1]++;
    for (uint64_t a = 0; a < b->span; a++)
        b->start[a + 1] += b->start[a];
    uint32_t *fill = calloc(b->span, sizeof *fill);
    if (!fill)
        return snprintf(err, errlen, "layer: out of memory"), -1;
    uint64_t line = 0, ctr = 0;
    for (size_t i = 0; i < pf->n; i++) {
        if (pf->v[i] != NOADDR) {
            uint64_t a = (uint64_t)(pf->v[i] - lo);
            b->ids[b->start[a] + fill[a]++] = (uint32_t)line;
            ctr++;
        }
        if (ctr >= per_set) {
            line++;
            ctr = 0;
        }
    }
    free(fill);
    b->nsets = line + 1;
    uint64_t max_act = cdiv(b->active_size, per_set), max_pf = cdiv(b->prefetch_size, per_set);
    b->n_active_sets = b->nsets > max_act ? max_act : b->nsets;
    uint64_t rem = b->nsets - b->n_active_sets;
    b->n_prefetch_sets = rem > max_pf ? max_pf : rem;
    return 0;
}

/* Does a set in [lo, hi) hold address a? (ids sorted ascending) */
static int has_id_in(const rdbuf_t *b, uint64_t a, uint64_t lo, uint64_t hi)
{
    uint32_t l = b->start[a], r = b->start[a + 1];
    while (l < r) {
        uint32_t m = l + (r - l) / 2;
        if (b->ids[m] < lo) l = m + 1; else r = m;
    }
    return l < b->start[a + 1] && b->ids[l] < hi;
}

static int rdbuf_hit(const rdbuf_t *b, int64_t addr)
{
    if (addr < b->base || (uint64_t)(addr - b->base) >= b->span)
        return 0;
    uint64_t a = (uint64_t)(addr - b->base);
    if (b->act_s < b->act_e)
        return has_id_in(b, a, b->act_s, b->act_e);
    return has_id_in(b, a, b->act_s, b->nsets) || has_id_in(b, a, 0, b->act_e);
}

static void rdbuf_fill_active(rdbuf_t *b, int64_t start_cycle)
{
    uint64_t n = cdiv(b->active_size, b->bw);
    if (n >= b->fetch_rows)
        n = b->fetch_rows;
    uint64_t req = n * b->bw;
    b->num_access += req;
    b->next_col = req > b->active_size ? b->active_size % b->bw : 0;
    /* issued at start - n - latency .. start - 1 - latency, served +1 */
    b->last_prefetch = start_cycle - 1;
    b->trace_first = start_cycle - (int64_t)n;
    b->trace_last = b->last_prefetch;
    b->act_s = 0;
    b->act_e = b->n_active_sets;
    b->full = 1;
    b->next_line = (req > b->active_size ? n : n + 1) % b->fetch_rows;
}

static void rdbuf_new_prefetch(rdbuf_t *b)
{
    b->act_s = (b->act_s + b->n_prefetch_sets) % b->nsets;
    b->act_e = (b->act_s + b->n_active_sets) % b->nsets;
    uint64_t n = cdiv(b->prefetch_size, b->bw);
    uint64_t req = n * b->bw;
    b->num_access += req;
    b->last_prefetch += (int64_t)n + 1;
    b->trace_last = b->last_prefetch;
    /* SCALE-Sim restarts from row n (or n + 1), not from where it left off:
     * the re-fetch the README describes */
    b->next_line = (req > b->active_size ? n : n + 1) % b->fetch_rows;
}

/* One demand row at `cycle`: returns the service offset (>= hit latency 1). */
static int64_t rdbuf_service(rdbuf_t *b, const int64_t *row, uint64_t width, int64_t cycle)
{
    if (!b->full)
        rdbuf_fill_active(b, cycle);
    int64_t off = 1;
    for (uint64_t c = 0; c < width; c++) {
        if (row[c] == NOADDR)
            continue;
        while (!rdbuf_hit(b, row[c])) {
            rdbuf_new_prefetch(b);
            int64_t pot = b->last_prefetch - (cycle + off);
            if (pot > 0)
                off += pot;
        }
    }
    return off;
}


/* ---- read buffer, CALC mode (memory/read_buffer_estimate_bw.py) -------
 * Reads never stall; the buffer only records when it would have had to
 * fetch.  Addresses go into sets of floor(size / 100) unique words in demand
 * order; when 50 sets (the active half) are complete, they are "prefetched"
 * before the first request, later each 50 in the time the previous 50 took.
 * Every address is in at most one live set (a hit never re-adds it), so one
 * "last set id" per address replaces SCALE-Sim's Python sets. */
typedef struct {
    int64_t base;
    uint64_t span;
    int64_t *last_set;      /* per address: the set it was last added to, -1 */
    uint64_t *set_size;     /* words per set id */
    size_t nsets_cap;
    uint64_t per_set, default_bw;
    int64_t cur_set, cur_elems;
    int64_t read_start, read_end, pf_start, pf_end;
    int64_t last_start, last_end, first_req;
    int first_seen, active_done, any_trace;
    uint64_t num_access;
    int64_t trace_first, trace_last;
    int bad;                /* SCALE-Sim would divide by zero here */
} rdest_t;

static int rdest_init(rdest_t *b, uint64_t size_bytes, int64_t base, uint64_t span, char *err,
                      size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->base = base;
    b->span = span;
    b->per_set = size_bytes / 100;
    b->default_bw = 10;                      /* single_layer_sim.py: "arbitrary" 10 */
    b->read_start = 0;
    b->read_end = 49;                        /* int(0.5 * 100) - 1 */
    b->last_start = -2;
    b->last_end = -1;
    b->last_set = malloc((span ? span : 1) * sizeof *b->last_set);
    if (!b->last_set)
        return snprintf(err, errlen, "layer: out of memory"), -1;
    for (uint64_t i = 0; i < span; i++)
        b->last_set[i] = -1;
    if (b->per_set == 0)
        return snprintf(err, errlen, "sram: CALC accounting needs buffers of at least 100 bytes"), -1;
    return 0;
}

static void rdest_free(rdest_t *b)
{
    free(b->last_set);
    free(b->set_size);
}

static int rdest_set_size(rdest_t *b, int64_t id, uint64_t n)
{
    if ((size_t)id >= b->nsets_cap) {
        size_t cap = b->nsets_cap ? 2 * b->nsets_cap : 256;
        while (cap <= (size_t)id)
            cap *= 2;
        uint64_t *p = realloc(b->set_size, cap * sizeof *p);
        if (!p)
            return -1;
        memset(p + b->nsets_cap, 0, (cap - b->nsets_cap) * sizeof *p);
        b->set_size = p;
        b->nsets_cap = cap;
    }
    b->set_size[id] = n;
    return 0;
}

/* prefetch(): the words of sets [s, e] over last_start..last_end at bw. */
static void rdest_prefetch(rdest_t *b, int64_t s, int64_t e)
{
    for (int64_t i = s; i <= e; i++)
        b->num_access += (size_t)i < b->nsets_cap ? b->set_size[i] : 0;
    if (!b->any_trace) {
        b->any_trace = 1;
        b->trace_first = b->last_start + 1;  /* read port latency 1 */
    }
    b->trace_last = b->last_end + 1;
}

static int64_t cdiv_i(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

static int rdest_service(rdest_t *b, const int64_t *row, uint64_t width, int64_t cycle)
{
    if (!b->first_seen)
        for (uint64_t c = 0; c < width; c++)
            if (row[c] != NOADDR) {
                b->first_req = cycle;
                b->first_seen = 1;
                break;
            }
    for (uint64_t c = 0; c < width; c++) {
        if (row[c] == NOADDR)
            continue;
        uint64_t a = (uint64_t)(row[c] - b->base);
        int64_t ls = b->last_set[a];
        int64_t hit_end = b->cur_set < b->read_end + 1 ? b->cur_set : b->read_end + 1;
        if (ls >= b->read_start && ls < hit_end)
            continue;                                   /* check_hit */
        if (ls == b->cur_set)
            continue;                                   /* already in the current set */
        b->last_set[a] = b->cur_set;
        if ((uint64_t)++b->cur_elems != b->per_set)
            continue;
        if (rdest_set_size(b, b->cur_set, b->per_set))
            return -1;
        b->cur_elems = 0;
        b->cur_set++;
        if (b->cur_set != b->read_end + 1)
            continue;
        const int64_t words = 50 * (int64_t)b->per_set;
        if (!b->active_done) {
            b->last_end = b->first_req - 1 - 1;
            b->last_start = b->last_end - cdiv_i(words, (int64_t)b->default_bw) + 1;
            rdest_prefetch(b, 0, 49);
            b->pf_start = b->read_end + 1;
            b->pf_end = b->pf_start + 49;
            b->active_done = 1;
        } else {
            if (b->last_end - b->last_start + 1 <= 0) {
                b->bad = 1;
                return 0;
            }
            rdest_prefetch(b, b->pf_start, b->pf_end);
            b->pf_start += 50;
            b->pf_end += 50;
        }
        b->read_start += 50;
        b->read_end += 50;
        b->last_start = b->last_end + 1;
        b->last_end = cycle;
    }
    return 0;
}

/* complete_all_prefetches() */
static int rdest_finish(rdest_t *b)
{
    if (b->cur_elems > 0) {
        if (rdest_set_size(b, b->cur_set, (uint64_t)b->cur_elems))
            return -1;
    } else {
        b->cur_set--;
    }
    if (!b->active_done) {
        b->last_end = -1 - 1;
        int64_t n = b->cur_set + 1;
        b->last_start = b->last_end - cdiv_i(n * (int64_t)b->per_set, (int64_t)b->default_bw) + 1;
        rdest_prefetch(b, 0, n - 1);
        b->active_done = 1;
    } else {
        if (b->last_end - b->last_start + 1 <= 0) {
            b->bad = 1;
            return 0;
        }
        rdest_prefetch(b, b->pf_start, b->cur_set);
    }
    return 0;
}

/* ---- write buffer (memory/write_buffer.py) ---------------------------- */
typedef struct {
    uint64_t bw, total, drain_size;
    int64_t free_space;      /* may go below 0 as in SCALE-Sim */
    uint32_t *lines;       /* valid words per closed trace line */
    size_t nlines, cap;
    uint64_t line_idx, drain_start;
    int64_t drain_end;
    uint64_t num_access;
    int any;
    int64_t first, last;
} wrbuf_t;

static int wr_close_line(wrbuf_t *w, uint64_t count)
{
    if (w->nlines == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 1024;
        uint32_t *p = realloc(w->lines, cap * sizeof *p);
        if (!p)
            return -1;
        w->lines = p;
        w->cap = cap;
    }
    w->lines[w->nlines++] = (uint32_t)count;
    return 0;
}

static int wr_force(wrbuf_t *w)
{
    if (w->line_idx) {
        if (wr_close_line(w, w->line_idx))
            return -1;
        w->line_idx = 0;
    }
    return 0;
}

static int64_t wr_drain(wrbuf_t *w, int64_t start)
{
    uint64_t lines = cdiv(w->drain_size, w->bw);
    uint64_t end = w->drain_start + lines;
    if (end > w->nlines)
        end = w->nlines;
    uint64_t n = end - w->drain_start;
    if (n == 0)
        return start - 1;
    uint64_t data = n * w->bw - (w->bw - w->lines[end - 1]);
    w->num_access += data;
    if (!w->any) {
        w->any = 1;
        w->first = start;
    }
    w->last = start + (int64_t)n - 1;
    w->free_space += (int64_t)data;
    w->drain_start = end;
    return start + (int64_t)n - 1;
}

/* One demand row arriving at `cycle`: returns the cycle it is served. */
static int wr_service(wrbuf_t *w, const int64_t *row, uint64_t width, int64_t cycle, int64_t *out)
{
    int64_t cur = cycle;
    for (uint64_t c = 0; c < width; c++) {
        if (row[c] == NOADDR)
            continue;
        w->line_idx++;
        w->free_space--;
        if (w->line_idx == w->bw) {
            if (wr_close_line(w, w->bw))
                return -1;
            w->line_idx = 0;
        }
        if (cur < w->drain_end) {
            if (w->free_space <= 0) {
                cur = w->drain_end;
            }
        } else if (w->free_space < (int64_t)(w->total - w->drain_size)) {
            if (wr_force(w))
                return -1;
            w->drain_end = wr_drain(w, cur);
        }
    }
    *out = cur;
    return 0;
}

/* ---- one layer (single_layer_sim.py, service_memory_requests) --------- */
static void sram_note(scalesim_stats_t *st, int op, const int64_t *row, uint64_t width, int64_t out,
                      int *seen)
{
    for (uint64_t c = 0; c < width; c++)
        if (row[c] != NOADDR) {
            if (!seen[op]) {
                seen[op] = 1;
                st->sram_start[op] = out;
            }
            st->sram_stop[op] = out;
            return;
        }
}

int scalesim_run_layer(const scalesim_cfg_t *cfg, const scalesim_layer_t *l, scalesim_stats_t *st,
                       char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    if (scalesim_cfg_check(cfg, err, errlen))
        return -1;
    if (!l->ifmap_h || !l->ifmap_w || !l->filt_h || !l->filt_w || !l->channels || !l->filters ||
        !l->stride || l->filt_h > l->ifmap_h || l->filt_w > l->ifmap_w)
        return snprintf(err, errlen, "layer: every dimension must be >= 1 and the filter within the ifmap"), -1;
    lay_t L = {.cfg = cfg, .l = l};
    L.oh = scalesim_ofmap_dim(l->ifmap_h, l->filt_h, l->stride);
    L.ow = scalesim_ofmap_dim(l->ifmap_w, l->filt_w, l->stride);
    uint64_t t1, t2;
    if (util_mul_u64(L.oh, L.ow, &L.px) || util_mul_u64(l->filt_h, l->filt_w, &t1) ||
        util_mul_u64(t1, l->channels, &L.win) || util_mul_u64(L.px, L.win, &t2) ||
        util_mul_u64(t2, l->filters, &t2) || t2 > ((uint64_t)1 << 50))
        return snprintf(err, errlen, "layer: too large for SCALE-Sim accounting"), -1;
    L.nf = l->filters;
    uint64_t R = cfg->rows, C = cfg->cols;
    switch (cfg->df) {
    case SCALESIM_OS: L.Sr = L.px; L.Sc = L.nf; L.T = L.win; break;
    case SCALESIM_WS: L.Sr = L.win; L.Sc = L.nf; L.T = L.px; break;
    default: L.Sr = L.win; L.Sc = L.px; L.T = L.nf; break;
    }
    L.row_fold = cdiv(L.Sr, R);
    L.col_fold = cdiv(L.Sc, C);

    fold_shape_t sh[3] = {fold_shape(&L, OP_IF), fold_shape(&L, OP_FI), fold_shape(&L, OP_OF)};
    uint64_t flines = fold_lines(&sh[0]);
    if (fold_lines(&sh[1]) != flines || fold_lines(&sh[2]) != flines)
        return snprintf(err, errlen, "layer: internal: operand folds out of step"), -1;
    if (check_size(&L, flines, err, errlen))
        return -1;

    int rc = -1;
    seq_t pfi = {0}, pff = {0};
    rdbuf_t rb[2];
    memset(rb, 0, sizeof rb);
    wrbuf_t wb = {0};
    rdest_t re[2];
    memset(re, 0, sizeof re);
    int64_t *row = malloc((R > C ? R : C) * sizeof *row);
    if (!row) {
        snprintf(err, errlen, "layer: out of memory");
        goto out;
    }
    if (cfg->user_bw) {
        if (prefetch_seq(&L, OP_IF, &pfi, err, errlen) || prefetch_seq(&L, OP_FI, &pff, err, errlen) ||
            rdbuf_init(&rb[0], cfg->ifmap_bytes, cfg->bandwidth, &pfi, err, errlen) ||
            rdbuf_init(&rb[1], cfg->filter_bytes, cfg->bandwidth, &pff, err, errlen))
            goto out;
        free(pfi.v);
        free(pff.v);
        pfi.v = pff.v = NULL;
    }
    if (!cfg->user_bw) {
        /* address ranges: operand_matrix.py's ifmap and filter addresses */
        uint64_t ifsz = l->ifmap_h * l->ifmap_w * l->channels;
        uint64_t fisz = L.win * L.nf;
        if (rdest_init(&re[0], cfg->ifmap_bytes, (int64_t)cfg->ifmap_off, ifsz, err, errlen) ||
            rdest_init(&re[1], cfg->filter_bytes, (int64_t)cfg->filter_off, fisz, err, errlen))
            goto out;
    }
    wb.bw = cfg->user_bw ? cfg->bandwidth : cfg->cols;  /* CALC: ofmap_backing_bw = arr_col */
    wb.total = cfg->ofmap_bytes;
    wb.drain_size = wb.total - cdiv(wb.total, 2);
    wb.free_space = (int64_t)wb.total;

    double map_sum = 0, util_sum = 0;
    uint64_t nfolds = 0, line = 0, stall = 0;
    int64_t last_out = 0;
    int seen[3] = {0, 0, 0};
    for (uint64_t fc = 0; fc < L.col_fold; fc++)
        for (uint64_t fr = 0; fr < L.row_fold; fr++) {
            uint64_t rv = L.Sr - fr * R < R ? L.Sr - fr * R : R;
            uint64_t cv = L.Sc - fc * C < C ? L.Sc - fc * C : C;
            uint64_t fold_cyc;
            if (cfg->df == SCALESIM_OS) {
                st->sram_access[0] += L.T * rv;
                st->sram_access[1] += L.T * cv;
                st->sram_access[2] += rv * cv + R + C;  /* SCALE-Sim adds R + C per fold */
                fold_cyc = L.T - 1 + R + C - 1;
            } else {
                st->sram_access[0] += cfg->df == SCALESIM_WS ? L.T * rv : rv * cv;
                st->sram_access[1] += cfg->df == SCALESIM_WS ? rv * cv : L.T * rv;
                st->sram_access[2] += L.T * cv;
                fold_cyc = 2 * R + C + L.T - 2 + C - 1;
            }
            map_sum += (double)(rv * cv) / (double)(R * C);
            util_sum += (double)(rv * cv * L.T) / (double)(R * C * fold_cyc);
            nfolds++;
            for (uint64_t fl = 0; fl < flines; fl++, line++) {
                int64_t cycle = (int64_t)(line + stall);
                int64_t off[2] = {1, 1};
                uint64_t lo, hi;
                for (int op = OP_IF; op <= OP_FI; op++) {
                    line_range(&sh[op], fl, &lo, &hi);
                    for (uint64_t c = lo; c < hi; c++)
                        row[c - lo] = demand_elem(&L, op, &sh[op], fc, fr, fl, c);
                    if (cfg->user_bw)
                        off[op] = rdbuf_service(&rb[op], row, hi - lo, cycle);
                    else if (rdest_service(&re[op], row, hi - lo, cycle)) {
                        snprintf(err, errlen, "layer: out of memory");
                        goto out;
                    }
                    sram_note(st, op, row, hi - lo, cycle + off[op], seen);
                }
                line_range(&sh[OP_OF], fl, &lo, &hi);
                for (uint64_t c = lo; c < hi; c++)
                    row[c - lo] = demand_elem(&L, OP_OF, &sh[OP_OF], fc, fr, fl, c);
                int64_t of_out;
                if (wr_service(&wb, row, hi - lo, cycle, &of_out)) {
                    snprintf(err, errlen, "layer: out of memory");
                    goto out;
                }
                sram_note(st, OP_OF, row, hi - lo, of_out, seen);
                int64_t s = off[0] - 1;
                if (off[1] - 1 > s) s = off[1] - 1;
                if (of_out - cycle > s) s = of_out - cycle;
                stall += (uint64_t)s;
                last_out = of_out;
            }
        }
    /* empty_all_buffers: the final write-back, after the reported end */
    if (wr_force(&wb)) {
        snprintf(err, errlen, "layer: out of memory");
        goto out;
    }
    for (int64_t cyc = last_out; wb.drain_start < wb.nlines;) {
        wb.drain_end = wr_drain(&wb, cyc);
        cyc = wb.drain_end + 1;
    }
    st->total_cycles = (uint64_t)last_out;
    st->stall_cycles = stall;
    uint64_t ncomp = L.px * L.nf * L.win;
    /* single_layer_sim.py: (num_compute * 100) / (total_cycles * num_mac_unit) */
    st->overall_util = last_out ? (double)(ncomp * 100) / (double)((uint64_t)last_out * R * C) : 0;
    st->mapping_eff = map_sum / (double)nfolds * 100.0;
    st->compute_util = util_sum / (double)nfolds * 100.0;
    st->dram_valid = 1;
    for (int op = 0; op < 2; op++) {
        if (cfg->user_bw) {
            st->dram_access[op] = rb[op].num_access;
            st->dram_start[op] = rb[op].trace_first;
            st->dram_stop[op] = rb[op].trace_last;
            continue;
        }
        if (rdest_finish(&re[op])) {
            snprintf(err, errlen, "layer: out of memory");
            goto out;
        }
        /* where SCALE-Sim itself stops with a division by zero */
        st->dram_valid = st->dram_valid && !re[op].bad;
        st->dram_access[op] = re[op].num_access;
        st->dram_start[op] = re[op].trace_first;
        st->dram_stop[op] = re[op].trace_last;
    }
    st->dram_access[2] = wb.num_access;
    st->dram_start[2] = wb.first;
    st->dram_stop[2] = wb.last;
    rc = 0;
out:
    free(row);
    free(pfi.v);
    free(pff.v);
    rdbuf_free(&rb[0]);
    rdbuf_free(&rb[1]);
    rdest_free(&re[0]);
    rdest_free(&re[1]);
    free(wb.lines);
    return rc;
}

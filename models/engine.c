/* engine.c - one GEMM on the array, its scratchpads and the DRAM channel.
 *
 * The memory model (both paths implement exactly this):
 *  - A fold's stream (OS: K, WS: M, IS: N) is cut into chunks of sc elements
 *    so that a chunk's operands fit one half of each double-buffered
 *    scratchpad.  A step is one chunk of one fold; steps run in fold order.
 *  - Step s uses buffer half s % 2.  Its fetch is issued at cycle 0 for
 *    s < 2, otherwise when step s-2 ends (its half is then free).  When step
 *    s ends, its write-back (if any) is issued right after the fetch of step
 *    s+2.  Step s begins when step s-1 has ended and its fetch is complete.
 *  - The DRAM channel serves requests first come first served, one at a time,
 *    bytes_per_cycle per cycle; a request of b bytes holds it for
 *    ceil(b / bytes_per_cycle) whole cycles; a 0-byte request is complete at
 *    once.  Data is usable the cycle after its last byte moved.
 *  - Cycle 0 accepts the command; the array starts step 0 at cycle 1 at the
 *    earliest.  Total = max(last compute cycle + 1, last write complete).
 *  - Reuse: an operand tile is not fetched again when the whole operand
 *    matrix fits one half of its buffer and the tile was fetched before, or
 *    when the previous fold used the same tile and folds are not chunked.
 *    WS/IS partial sums stay in the ofmap buffer across the K folds when the
 *    fold's output tile fits one half; otherwise every chunk writes its
 *    partial sums back and, after the first K fold, reads them in again.
 *  - Simplifications we own: a step's half is released when its last stream
 *    element enters the array (lanes still skewing read at most R-1 more
 *    cycles), and an output tile is issued for write-back when its step ends
 *    (with array.os_drain: overlap an OS tile's rows still leave the array
 *    during the next fold's first R cycles).
 */
#include "engine.h"

#include "dma.h"
#include "periodic.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *engine_path_name(engine_path_t p)
{
    return p == ENGINE_CYCLE ? "cycle" : "fast";
}

/* ---- the step plan -------------------------------------------------------- */

typedef struct {
    systolic_cfg_t cfg;
    systolic_gemm_t g;
    systolic_folds_t f;
    systolic_counts_t cnt;        /* closed-form array counts (fit 64 bits) */
    uint64_t sc, chunks, steps;
    uint64_t ab, bb, ob;          /* bytes per A, B and output element */
    uint64_t inner;               /* folds of the inner loop */
    uint64_t outers;              /* folds / inner: tiles of the outer loop */
    int spans;                    /* record the DRAM and SRAM spans (layer_stats_t) */
    int a_whole, b_whole;         /* all of A (B) fits one half of its buffer */
    int out_fits;                 /* WS/IS: output tile stays on chip across K folds */
    /* array.conv_reads: unique (engine.h) */
    int unique, resident;         /* unique ifmap reads; all of it fits one half */
    engine_conv_t cv;
    uint64_t ew, wt;              /* output columns, touched input columns */
    uint64_t a_bytes;             /* the ifmap's DRAM footprint (its address region) */
} plan_t;

typedef struct {
    uint64_t fetch_bytes, write_bytes;
    uint64_t a_fill, b_fill;      /* elements DMA writes into ifmap / filter */
    uint64_t o_fill, o_drain;     /* elements DMA writes into / reads from ofmap */
    uint64_t duration;            /* closed-form compute cycles */
} step_t;

/* Input rows the windows of output rows 0..y touch. */
static uint64_t rows_upto(const plan_t *p, uint64_t y)
{
    return y * util_min_u64(p->cv.stride, p->cv.fh) + p->cv.fh;
}

/* Elements of A that a fetch of output pixels p0 .. p0+np-1 and rows k0 ..
 * k0+kr-1 of K writes into the ifmap buffer (engine.h, engine_run_layer):
 * of a region of x elements, floor(x (k0+kr) / K) - floor(x k0 / K), so the
 * K ranges of one region add up to it exactly. */
static uint64_t a_elems(const plan_t *p, uint64_t p0, uint64_t np, uint64_t k0, uint64_t kr)
{
    if (!p->unique || np == 0 || kr == 0)
        return np * kr;
    const engine_conv_t *cv = &p->cv;
    const uint64_t ew = p->ew, pe = p0 + np - 1, y0 = p0 / ew, y1 = pe / ew;
    uint64_t region; /* elements, below 2^62 (checked in plan_init) */
    if (p->resident) {
        const uint64_t before = p0 ? rows_upto(p, (p0 - 1) / ew) : 0;
        region = (rows_upto(p, y1) - before) * p->wt * cv->channels;
    } else if (y0 == y1) {
        region = cv->fh * ((pe % ew - p0 % ew) * util_min_u64(cv->stride, cv->fw) + cv->fw) *
                 cv->channels;
    } else {
        region = (rows_upto(p, y1) - rows_upto(p, y0) + cv->fh) * p->wt * cv->channels;
    }
    uint64_t e = (uint64_t)((__uint128_t)region * (k0 + kr) / p->g.k -
                            (__uint128_t)region * k0 / p->g.k);
    if (!p->resident && e > np * kr)
        e = np * kr;
    return e;
}

/* Checks a convolution against its GEMM and sets the unique-read fields. */
static int plan_conv(plan_t *p, const engine_conv_t *cv, uint64_t half, char *err, size_t errlen)
{
    const systolic_gemm_t *g = &p->g;
    if (cv->stride == 0 || cv->fh == 0 || cv->fw == 0 || cv->channels == 0 || cv->fh > cv->h ||
        cv->fw > cv->w) {
        snprintf(err, errlen, "conv: a filter of %" PRIu64 " x %" PRIu64 " with stride %" PRIu64
                 " and %" PRIu64 " channels does not fit an input of %" PRIu64 " x %" PRIu64,
                 cv->fh, cv->fw, cv->stride, cv->channels, cv->h, cv->w);
        return -1;
    }
    const uint64_t eh = (cv->h - cv->fh) / cv->stride + 1, ew = (cv->w - cv->fw) / cv->stride + 1;
    uint64_t m, k, u;
    if (util_mul_u64(eh, ew, &m) || m != g->m || util_mul_u64(cv->fh, cv->fw, &k) ||
        util_mul_u64(k, cv->channels, &k) || k != g->k) {
        snprintf(err, errlen, "conv: M = %" PRIu64 " and K = %" PRIu64 " are not the output "
                 "pixels and the window of the convolution", g->m, g->k);
        return -1;
    }
    p->cv = *cv;
    p->unique = 1;
    p->ew = ew;
    p->wt = (ew - 1) * util_min_u64(cv->stride, cv->fw) + cv->fw;
    /* Ht <= h, Wt <= w, Ht x Wt x channels <= M x K < 2^48 (K, M <= 2^24) */
    u = rows_upto(p, eh - 1) * p->wt * cv->channels;
    p->a_bytes = u * p->ab;
    p->resident = p->a_bytes <= half;
    return 0;
}

static int plan_init(plan_t *p, const hw_cfg_t *hw, const systolic_gemm_t *g,
                     const engine_conv_t *conv, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->cfg = hw->array;
    p->g = *g;
    systolic_folds(&p->cfg, g, &p->f);
    if (systolic_count(&p->cfg, g, &p->cnt, err, errlen) != 0)
        return -1;
    p->ab = util_ceil_div(p->cfg.in_bits, 8);
    p->bb = util_ceil_div(p->cfg.w_bits, 8);
    p->ob = util_ceil_div(p->cfg.acc_bits, 8);
    const uint64_t R = p->cfg.rows, C = p->cfg.cols;
    const uint64_t hi = hw->sram.ifmap_bytes / 2, hf = hw->sram.filter_bytes / 2,
                   ho = hw->sram.ofmap_bytes / 2;
    uint64_t sc = p->f.stream;
    switch (p->cfg.dataflow) {
    case SYSTOLIC_OS: {
        const uint64_t r = util_min_u64(R, g->m), c = util_min_u64(C, g->n);
        sc = util_min_u64(sc, hi / (r * p->ab));
        sc = util_min_u64(sc, hf / (c * p->bb));
        if (r * c * p->ob > ho) {
            snprintf(err, errlen,
                     "sram.ofmap: an output tile of %" PRIu64 " x %" PRIu64 " needs %" PRIu64
                     " bytes, more than half the buffer (%" PRIu64 ")",
                     r, c, r * c * p->ob, ho);
            return -1;
        }
        p->inner = util_ceil_div(g->n, C);
        break;
    }
    case SYSTOLIC_WS:
    case SYSTOLIC_IS: {
        const int ws = p->cfg.dataflow == SYSTOLIC_WS;
        const uint64_t r = util_min_u64(R, g->k), c = util_min_u64(C, ws ? g->n : g->m);
        const uint64_t st_b = ws ? p->bb : p->ab, str_b = ws ? p->ab : p->bb;
        const uint64_t st_half = ws ? hf : hi, str_half = ws ? hi : hf;
        if (r * c * st_b > st_half) {
            snprintf(err, errlen,
                     "sram.%s: a stationary tile of %" PRIu64 " x %" PRIu64 " needs %" PRIu64
                     " bytes, more than half the buffer (%" PRIu64 ")",
                     ws ? "filter" : "ifmap", r, c, r * c * st_b, st_half);
            return -1;
        }
        sc = util_min_u64(sc, str_half / (r * str_b));
        p->out_fits = p->f.stream * c * p->ob <= ho;
        if (!p->out_fits)
            sc = util_min_u64(sc, ho / (c * p->ob));
        p->inner = util_ceil_div(g->k, R);
        break;
    }
    }
    if (sc == 0) {
        snprintf(err, errlen,
                 "sram: buffers too small: one stream element per array lane does not fit "
                 "half of the ifmap, filter or ofmap buffer");
        return -1;
    }
    p->sc = sc;
    p->outers = p->f.folds / p->inner;
    p->chunks = util_ceil_div(p->f.stream, sc);
    /* A step moves < 2^35 bytes and computes < 2^26 cycles (M, N, K <= 2^24,
     * R, C <= 256), whatever the layer's size; the sums over steps are
     * checked where they are formed. */
    if (util_mul_u64(p->f.folds, p->chunks, &p->steps)) {
        snprintf(err, errlen, "steps: %" PRIu64 " folds x %" PRIu64 " chunks does not fit in 64 bits",
                 p->f.folds, p->chunks);
        return -1;
    }
    p->a_whole = g->m * g->k * p->ab <= hi;
    p->b_whole = g->k * g->n * p->bb <= hf;
    p->a_bytes = g->m * g->k * p->ab;
    if (conv && hw->conv_unique) {
        if (plan_conv(p, conv, hi, err, errlen) != 0)
            return -1;
        p->a_whole = p->resident;
    }
    return 0;
}

/* Whether fold f must fetch its tile of an operand: not when the whole matrix
 * sits in one half and this tile was fetched before (seen), nor when the
 * previous fold used the same tile and folds are not chunked (same). */
static int must_fetch(const plan_t *p, int whole, int seen, int same)
{
    return !((whole && seen) || (p->chunks == 1 && same));
}

static void plan_step(const plan_t *p, uint64_t s, step_t *st)
{
    const uint64_t R = p->cfg.rows, C = p->cfg.cols;
    const systolic_gemm_t *g = &p->g;
    const uint64_t f = s / p->chunks, c = s % p->chunks;
    const uint64_t outer = f / p->inner, in = f % p->inner;
    const uint64_t len = util_min_u64(p->sc, p->f.stream - c * p->sc);
    const int first = c == 0, last = c + 1 == p->chunks;
    memset(st, 0, sizeof *st);
    st->duration = len + (first ? p->f.prologue : 0) + (last ? p->f.tail : 0);
    /* OS overlapped drain (systolic.h): the last fold ends with the drain
     * nothing hides. */
    if (last && f + 1 == p->f.folds)
        st->duration += p->f.last_more;
    switch (p->cfg.dataflow) {
    case SYSTOLIC_OS: {
        /* outer = m tile, in = n tile */
        const uint64_t r = util_min_u64(R, g->m - outer * R), cc = util_min_u64(C, g->n - in * C);
        if (must_fetch(p, p->a_whole, in > 0, in > 0))
            st->a_fill = a_elems(p, outer * R, r, c * p->sc, len);
        if (must_fetch(p, p->b_whole, outer > 0, p->inner == 1 && f > 0))
            st->b_fill = cc * len;
        if (last)
            st->o_drain = r * cc;
        break;
    }
    case SYSTOLIC_WS:
    case SYSTOLIC_IS: {
        const int ws = p->cfg.dataflow == SYSTOLIC_WS;
        /* outer = column tile (WS: n, IS: m), in = k tile */
        const uint64_t r = util_min_u64(R, g->k - in * R);
        const uint64_t cc = util_min_u64(C, (ws ? g->n : g->m) - outer * C);
        const uint64_t stationary = first ? r * cc : 0;
        uint64_t stream = 0;
        if (must_fetch(p, ws ? p->a_whole : p->b_whole, outer > 0, p->inner == 1 && f > 0))
            stream = r * len;
        if (ws) {
            st->b_fill = stationary;
            st->a_fill = stream ? a_elems(p, c * p->sc, len, in * R, r) : 0;
        } else {
            st->a_fill = stationary ? a_elems(p, outer * C, cc, in * R, r) : 0;
            st->b_fill = stream;
        }
        if (p->out_fits) {
            if (last && in + 1 == p->inner)
                st->o_drain = p->f.stream * cc;
        } else {
            st->o_drain = len * cc;
            if (in > 0)
                st->o_fill = len * cc;
        }
        break;
    }
    }
    st->fetch_bytes = st->a_fill * p->ab + st->b_fill * p->bb + st->o_fill * p->ob;
    st->write_bytes = st->o_drain * p->ob;
}

/* The fold cycles [*lo, *hi] in which the array accesses operand op of fold
 * f = outer x inner + in (0 ifmap reads, 1 filter reads, 2 ofmap writes),
 * from the phases of systolic.h: lane l reads stream element t - l at phase
 * cycle t, so each operand's accesses fill one window.  0 when the fold
 * makes none (an overlapped OS fold 0 writes its outputs during fold 1). */
static int fold_window_at(const plan_t *p, uint64_t f, uint64_t outer, uint64_t in, int op,
                          uint64_t *lo, uint64_t *hi)
{
    const uint64_t R = p->cfg.rows, C = p->cfg.cols;
    const systolic_gemm_t *g = &p->g;
    if (p->cfg.dataflow == SYSTOLIC_OS) {
        const uint64_t r = util_min_u64(R, g->m - outer * R), c = util_min_u64(C, g->n - in * C);
        const uint64_t feed = g->k + R + C - 2;
        if (op < 2) {
            *lo = 0;
            *hi = g->k + (op == 0 ? r : c) - 2; /* the last lane's last element */
            return 1;
        }
        /* DRAIN t = 1..R writes row R - t: rows below r from t = R - r + 1 */
        const int last = f + 1 == p->f.folds;
        if (p->cfg.os_drain != SYSTOLIC_DRAIN_OVERLAP) {
            *lo = feed + R - r + 1;
            *hi = feed + R;
            return 1;
        }
        /* overlapped: fold f-1's rows leave during this fold's FEED t =
         * 1..R, as a serial DRAIN's; the last fold then drains serially */
        if (f == 0 && !last)
            return 0;
        const uint64_t rp = f ? util_min_u64(R, g->m - (in ? outer : outer - 1) * R) : r;
        *lo = f ? R - rp + 1 : feed + R - r + 1;
        *hi = last ? feed + R : R;
        return 1;
    }
    /* WS: LOAD the filter, FEED the ifmap; IS: the other way round */
    const int ws = p->cfg.dataflow == SYSTOLIC_WS;
    const uint64_t r = util_min_u64(R, g->k - in * R);
    const uint64_t c = util_min_u64(C, (ws ? g->n : g->m) - outer * C);
    const uint64_t S = p->f.stream, unreg = p->cfg.ws_out_unreg ? 1 : 0;
    if (op == (ws ? 1 : 0)) {           /* LOAD t = R - r .. R - 1 */
        *lo = R - r;
        *hi = R - 1;
    } else if (op < 2) {                /* FEED t = 0 .. S + r - 2 */
        *lo = R;
        *hi = R + S + r - 2;
    } else {                            /* output lane j: FEED t = R + j .. R + j + S - 1 */
        *lo = 2 * R - unreg;
        *hi = 2 * R + S + c - 2 - unreg;
    }
    return 1;
}

static int fold_window(const plan_t *p, uint64_t f, int op, uint64_t *lo, uint64_t *hi)
{
    /* fold f = outer x inner + in; the callers' folds are mostly 0, 1 and
     * the last (no division for those) */
    const uint64_t outer = f == 0 ? 0
                           : f == 1 ? (p->inner == 1 ? 1 : 0)
                           : f + 1 == p->f.folds ? p->outers - 1 : f / p->inner;
    const uint64_t in = f - outer * p->inner;
    return fold_window_at(p, f, outer, in, op, lo, hi);
}

/* ---- results common to both paths --------------------------------------- */

static void add_step(layer_stats_t *st, const step_t *s)
{
    st->ifmap_writes += s->a_fill;
    st->filter_writes += s->b_fill;
    st->ofmap_writes += s->o_fill;
    st->ofmap_reads += s->o_drain;
    st->dram_read_bytes += s->fetch_bytes;
    st->dram_write_bytes += s->write_bytes;
}

static void finish(const plan_t *p, layer_stats_t *st, uint64_t total)
{
    st->total_cycles = total;
    st->stall_cycles = total - st->compute_cycles;
    st->macs = p->g.m * p->g.n * p->g.k;
    /* every ifmap (filter) SRAM write is a fill from DRAM (add_step); a
     * product that cannot fit leaves the split unknown (0) */
    if (util_mul_u64(st->ifmap_writes, p->ab, &st->dram_ifmap_bytes) ||
        util_mul_u64(st->filter_writes, p->bb, &st->dram_filter_bytes))
        st->dram_ifmap_bytes = st->dram_filter_bytes = 0;
    st->folds = p->f.folds;
    st->steps = p->steps;
    st->utilization =
        (double)st->macs / ((double)p->cfg.rows * p->cfg.cols * (double)st->total_cycles);
}

/* The streams of the reported operands (layer_stats_t: ifmap, filter, ofmap
 * writes; memchan.h's order A, B, O reads, O writes). */
static const int op_stream[3] = {MEM_A, MEM_B, MEM_O_WR};

static void set_times(layer_stats_t *st, const uint64_t first[MEM_STREAMS],
                      const uint64_t last[MEM_STREAMS])
{
    st->dram_times = 1;
    for (int op = 0; op < 3; op++) {
        st->dram_first[op] = first[op_stream[op]];
        st->dram_last[op] = first[op_stream[op]] == LAYER_NO_CYCLE ? 0 : last[op_stream[op]];
    }
}

static void set_sram_times(layer_stats_t *st, const uint64_t first[3], const uint64_t last[3])
{
    st->sram_times = 1;
    for (int op = 0; op < 3; op++) {
        st->sram_first[op] = first[op];
        st->sram_last[op] = first[op] == LAYER_NO_CYCLE ? 0 : last[op];
    }
}

/* ---- fast path: closed-form fold timing, event arithmetic ----------------- */

/* The fast path applies the same step rules as the cycle path, in events.  A
 * layer's steps form three nested runs of identical units: the middle chunks
 * of a fold, the middle folds of an outer tile (all but its first and its
 * edge fold), and the middle outer tiles (all but the first and the edge
 * one).  periodic_run (models/periodic.h) finishes each run by arithmetic
 * once the timing state repeats, so the work does not grow with the number
 * of folds; a layer that would walk more than ENGINE_MAX_STEPS steps one by
 * one is refused.
 *
 * The state: end (the reference), the channel's free cycle, the ready cycles
 * of the next two steps and the completion of the latest write-back (each
 * used later only through max(e, x) with e >= end), and the sums. */

enum { S_IFW, S_FLW, S_OFW, S_OFR, S_DRD, S_DWR, S_COMP, S_COUNT };

typedef struct {
    const plan_t *p;
    memchan_t mem;           /* the DRAM (fixed: its free_at is part of the state) */
    uint64_t end;            /* cycle the last step ended (array free) */
    uint64_t r0, r1;         /* cycles from which the next two steps' data is usable */
    uint64_t last_write;     /* completion of the latest write-back */
    uint64_t sum[S_COUNT];   /* fills, drains, DRAM bytes and compute cycles so far */
    uint64_t walked;         /* steps walked one by one */
    /* Scratchpad accesses (layer_stats_t sram_*).  An operand's first
     * access is in fold 0 (an overlapped OS drain's: fold 1), possibly in a
     * middle chunk that a run finished by arithmetic would skip: the chunks
     * of fold 0 up to walk0 and of fold 1 up to walk1 are walked one by one,
     * and walked steps note firsts while `unset` operands have none.  Its
     * last access is in the last fold's first or last step (fold_window's
     * windows end in the last chunk, or in the LOAD of chunk 0), always
     * walked: their begin cycles give it at the end. */
    uint64_t sram_first[3], walk0, walk1, unset;
    uint64_t last_fold_step, begin_last0, begin_last;
    periodic_state_t ps;
    char *err;
    size_t errlen;
} fast_t;

/* Notes step s's scratchpad accesses: it begins at cycle b and covers fold
 * cycles fc0 .. fc0 + duration - 1 of its fold. */
/* (out of line: called only until every operand's first access is seen,
 * it keeps fast_step small enough to inline) */
__attribute__((noinline)) static void fast_sram(fast_t *x, uint64_t s, uint64_t b,
                                                uint64_t duration)
{
    const plan_t *p = x->p;
    const uint64_t f = s / p->chunks, c = s % p->chunks;
    const uint64_t fc0 = c ? p->f.prologue + c * p->sc : 0, fc1 = fc0 + duration - 1;
    for (int op = 0; op < 3; op++) {
        uint64_t lo, hi;
        if (x->sram_first[op] != LAYER_NO_CYCLE || !fold_window(p, f, op, &lo, &hi) ||
            hi < fc0 || lo > fc1)
            continue;
        x->sram_first[op] = b + util_max_u64(lo, fc0) - fc0;
        x->unset--;
    }
}

/* The chunk of the fold cycle fc. */
static uint64_t chunk_of(const plan_t *p, uint64_t fc)
{
    return p->chunks == 1 || fc < p->f.prologue + p->sc ? 0
                                      : util_min_u64((fc - p->f.prologue) / p->sc, p->chunks - 1);
}

/* Operand op's last scratchpad access (fast_t). */
static uint64_t fast_sram_last(const fast_t *x, int op)
{
    const plan_t *p = x->p;
    uint64_t lo, hi;
    if (!fold_window(p, p->f.folds - 1, op, &lo, &hi))
        return 0;
    const uint64_t c = chunk_of(p, hi);
    return (c ? x->begin_last : x->begin_last0) + hi - (c ? p->f.prologue + c * p->sc : 0);
}

/* Issues step st's fetch (write: its write-back) at cycle at. */
static int fast_issue(fast_t *x, uint64_t at, const step_t *st, int write, uint64_t *ready)
{
    const plan_t *p = x->p;
    uint64_t b[MEM_STREAMS] = {0};
    if (write) {
        b[MEM_O_WR] = st->write_bytes;
    } else {
        b[MEM_A] = st->a_fill * p->ab;
        b[MEM_B] = st->b_fill * p->bb;
        b[MEM_O_RD] = st->o_fill * p->ob;
    }
    return memchan_issue(&x->mem, at, b, ready, x->err, x->errlen);
}

/* Walks step s: it starts when the array is free and its data is usable; its
 * end releases a buffer half (fetch of step s+2) and issues its write-back.
 * (Inlined into fast_fold, as it was before it had two callers there: the
 * fast path's hot loop.) */
__attribute__((always_inline)) static inline int fast_step(void *ctx, uint64_t s)
{
    fast_t *x = ctx;
    const plan_t *p = x->p;
    step_t cur;
    plan_step(p, s, &cur);
    if (++x->walked > ENGINE_MAX_STEPS && (x->mem.ctrl || p->unique)) {
        snprintf(x->err, x->errlen,
                 "steps: %s walks every step, and this layer has more than %llu (2^%d); "
                 "split the layer or use %s",
                 x->mem.ctrl ? "dram.timing: controller" : "array.conv_reads: unique",
                 (unsigned long long)ENGINE_MAX_STEPS, ENGINE_MAX_STEPS_LOG2,
                 x->mem.ctrl ? "dram.timing: fixed" : "array.conv_reads: im2col");
        return -1;
    }
    if (x->walked > ENGINE_MAX_STEPS) {
        snprintf(x->err, x->errlen,
                 "steps: the fast path walked %llu steps (2^%d) without the layer's timing "
                 "becoming periodic; split the layer",
                 (unsigned long long)ENGINE_MAX_STEPS, ENGINE_MAX_STEPS_LOG2);
        return -1;
    }
    const uint64_t begin = util_max_u64(x->end, x->r0);
    if (x->unset)
        fast_sram(x, s, begin, cur.duration);
    if (s >= x->last_fold_step) {
        if (s == x->last_fold_step)
            x->begin_last0 = begin;
        x->begin_last = begin; /* the last step is the last one walked */
    }
    x->end = begin + cur.duration;
    x->r0 = x->r1;
    x->r1 = 0;
    if (s + 2 < p->steps) {
        step_t ahead;
        plan_step(p, s + 2, &ahead);
        if (fast_issue(x, x->end, &ahead, 0, &x->r1) != 0)
            return -1;
    }
    if (cur.write_bytes && fast_issue(x, x->end, &cur, 1, &x->last_write) != 0)
        return -1;
    const uint64_t add[S_COUNT] = {cur.a_fill, cur.b_fill, cur.o_fill, cur.o_drain,
                                   cur.fetch_bytes, cur.write_bytes, cur.duration};
    int ovf = 0;
    for (int i = 0; i < S_COUNT; i++)
        ovf |= util_acc_u64(&x->sum[i], add[i]);
    if (ovf || x->end >= PERIODIC_LIMIT || x->mem.fixed.free_at >= PERIODIC_LIMIT ||
        x->r1 >= PERIODIC_LIMIT || x->last_write >= PERIODIC_LIMIT) {
        snprintf(x->err, x->errlen, "cycle or byte count: does not fit in 64 bits (cycles are "
                 "limited to 2^62); split the layer");
        return -1;
    }
    return 0;
}

/* Units first .. first+n-1 of unit_steps steps each, as the first, the run
 * of identical ones and the edge one.  A step looks two steps ahead: two
 * units when a unit is one step, else one. */
static int fast_span(fast_t *x, uint64_t first, uint64_t n, uint64_t unit_steps,
                     int (*fn)(void *, uint64_t))
{
    int rc = 0;
    /* The controller's state (open rows, queues, refresh) is not captured
     * by the periodic state, and unique ifmap fetches differ from tile to
     * tile (the input rows a tile adds): walk every unit. */
    if (n <= 2 || x->mem.ctrl || x->p->unique) {
        for (uint64_t u = 0; u < n && rc == 0; u++)
            rc = fn(x, first + u);
        return rc;
    }
    rc = fn(x, first);
    if (rc == 0)
        rc = periodic_run(&x->ps, first + 1, n - 2, unit_steps >= 2 ? 1 : 2, fn, x, x->err,
                          x->errlen);
    if (rc == 0)
        rc = fn(x, first + n - 1);
    return rc;
}

static int fast_fold(void *ctx, uint64_t f)
{
    fast_t *x = ctx;
    uint64_t first = f * x->p->chunks, n = x->p->chunks;
    if (f < 2 && x->p->spans) {
        /* fold 0's (fold 1's) steps up to the operands' first scratchpad
         * accesses, one by one (fast_t) */
        for (uint64_t c = 0; c <= (f ? x->walk1 : x->walk0) && n > 0; c++, first++, n--)
            if (fast_step(x, first) != 0)
                return -1;
    }
    return fast_span(x, first, n, 1, fast_step);
}

static int fast_outer(void *ctx, uint64_t o)
{
    fast_t *x = ctx;
    return fast_span(x, o * x->p->inner, x->p->inner, x->p->chunks, fast_fold);
}

static int run_fast_on(fast_t *x, layer_stats_t *st)
{
    const plan_t *p = x->p;
    x->ps = (periodic_state_t){.ref = &x->end,
                               .times = {&x->mem.fixed.free_at, &x->r0, &x->r1, &x->last_write},
                               .ntimes = 4,
                               .nsums = S_COUNT};
    for (int i = 0; i < S_COUNT; i++)
        x->ps.sums[i] = &x->sum[i];
    /* each operand's latest transfer start grows with every transfer that
     * carries it (the channel serves one at a time); its byte offset in that
     * transfer is the same in every period */
    x->mem.track = p->spans;
    x->unset = p->spans ? 3 : 0;
    x->last_fold_step = p->spans ? (p->f.folds - 1) * p->chunks : UINT64_MAX;
    for (int op = 0; op < 3 && p->spans; op++) {
        x->ps.marks[op] = &x->mem.last[op_stream[op]];
        x->sram_first[op] = LAYER_NO_CYCLE;
        /* the chunk holding the operand's first access, in fold 0 or 1 */
        uint64_t lo, hi;
        if (fold_window(p, 0, op, &lo, &hi))
            x->walk0 = util_max_u64(x->walk0, chunk_of(p, lo));
        else if (p->f.folds > 1 && fold_window(p, 1, op, &lo, &hi))
            x->walk1 = util_max_u64(x->walk1, chunk_of(p, lo));
    }
    x->ps.nmarks = p->spans ? 3 : 0;
    step_t s0;
    plan_step(p, 0, &s0);
    if (fast_issue(x, 0, &s0, 0, &x->r0) != 0)
        return -1;
    if (p->steps > 1) {
        plan_step(p, 1, &s0);
        if (fast_issue(x, 0, &s0, 0, &x->r1) != 0)
            return -1;
    }
    if (fast_span(x, 0, p->outers, p->inner * p->chunks, fast_outer) != 0)
        return -1;
    st->ifmap_reads = p->cnt.ifmap_reads;
    st->filter_reads = p->cnt.filter_reads;
    st->ifmap_writes = x->sum[S_IFW];
    st->filter_writes = x->sum[S_FLW];
    st->dram_read_bytes = x->sum[S_DRD];
    st->dram_write_bytes = x->sum[S_DWR];
    st->compute_cycles = 1 + x->sum[S_COMP];
    if (util_add_u64(p->cnt.ofmap_writes, x->sum[S_OFW], &st->ofmap_writes) ||
        util_add_u64(p->cnt.ofmap_acc_reads, x->sum[S_OFR], &st->ofmap_reads)) {
        snprintf(x->err, x->errlen, "ofmap access count: does not fit in 64 bits; split the layer");
        return -1;
    }
    finish(p, st, util_max_u64(x->end, x->last_write));
    if (!p->spans)
        return 0;
    uint64_t last[MEM_STREAMS];
    for (int s = 0; s < MEM_STREAMS; s++)
        last[s] = memchan_last(&x->mem, s);
    set_times(st, x->mem.first, last);
    uint64_t slast[3];
    for (int op = 0; op < 3; op++)
        slast[op] = fast_sram_last(x, op);
    set_sram_times(st, x->sram_first, slast);
    return 0;
}

static int run_fast(const plan_t *p, const hw_cfg_t *hw, const mem_trace_t *trace,
                    layer_stats_t *st, char *err, size_t errlen)
{
    fast_t x = {.p = p, .end = 1, .err = err, .errlen = errlen};
    const uint64_t tensor[MEM_STREAMS] = {p->a_bytes, p->g.k * p->g.n * p->bb,
                                          p->g.m * p->g.n * p->ob, 0};
    if (memchan_init(&x.mem, &hw->dma, &hw->dram, hw->npu.freq_mhz, tensor, trace, err,
                     errlen) != 0)
        return -1;
    const int rc = run_fast_on(&x, st);
    memchan_free(&x.mem);
    return rc;
}

/* ---- cycle path: every PE and every DMA byte, cycle by cycle ------------- */

#define WRITE_TAG (1ull << 63)

typedef struct {
    const plan_t *p;
    dma_t dma;
    uint64_t ready[4];     /* cycle from which step s's data is usable, at s % 4 */
    layer_stats_t *st;
    /* the request at the channel's head: its tag, its streams' byte ranges
     * [lo, hi) in the order the channel moves them (memchan.h), and each
     * stream's first and last cycle seen moving */
    uint64_t head_tag, lo[MEM_STREAMS], hi[MEM_STREAMS];
    int have_head;
    uint64_t first[MEM_STREAMS], last[MEM_STREAMS];
    uint64_t sram_first[3], sram_last[3];   /* the array's ports, cycle by cycle */
} cyc_t;

/* Notes the operands the array's ports touched in cycle x. */
static void cyc_sram(cyc_t *c, const systolic_ports_t *pt, uint64_t x)
{
    int used[3] = {0, 0, 0};
    for (uint32_t l = 0; l < pt->lanes; l++) {
        used[0] |= pt->a_addr[l] != SYSTOLIC_NO_ACCESS;
        used[1] |= pt->b_addr[l] != SYSTOLIC_NO_ACCESS;
    }
    for (uint32_t j = 0; j < c->p->cfg.cols; j++)
        used[2] |= pt->o_addr[j] != SYSTOLIC_NO_ACCESS;
    for (int op = 0; op < 3; op++)
        if (used[op]) {
            if (c->sram_first[op] == LAYER_NO_CYCLE)
                c->sram_first[op] = x;
            c->sram_last[op] = x;
        }
}

/* Notes which streams the bytes the channel moves in cycle x belong to: the
 * head request moves min(bytes_per_cycle, remaining) bytes this cycle when
 * it was issued by x (dma_tick). */
static void cyc_watch(cyc_t *c, uint64_t x)
{
    if (c->dma.len == 0)
        return;
    const dma_req_t *r = &c->dma.q[c->dma.head];
    if (r->issued_at > x)
        return;
    if (!c->have_head || c->head_tag != r->tag) {
        step_t st;
        plan_step(c->p, r->tag & ~WRITE_TAG, &st);
        uint64_t b[MEM_STREAMS] = {0};
        if (r->tag & WRITE_TAG) {
            b[MEM_O_WR] = st.write_bytes;
        } else {
            b[MEM_A] = st.a_fill * c->p->ab;
            b[MEM_B] = st.b_fill * c->p->bb;
            b[MEM_O_RD] = st.o_fill * c->p->ob;
        }
        uint64_t off = 0;
        for (int s = 0; s < MEM_STREAMS; s++) {
            c->lo[s] = off;
            off += b[s];
            c->hi[s] = off;
        }
        c->head_tag = r->tag;
        c->have_head = 1;
    }
    const uint64_t total = c->hi[MEM_STREAMS - 1];
    const uint64_t done = total - r->remaining,
                   now = done + util_min_u64(r->remaining, c->dma.bytes_per_cycle);
    for (int s = 0; s < MEM_STREAMS; s++)
        if (c->lo[s] < c->hi[s] && c->lo[s] < now && done < c->hi[s]) {
            if (c->first[s] == LAYER_NO_CYCLE)
                c->first[s] = x;
            c->last[s] = x;
        }
}

static int issue_fetch(cyc_t *c, uint64_t s, uint64_t x)
{
    step_t st;
    plan_step(c->p, s, &st);
    add_step(c->st, &st);
    if (st.fetch_bytes == 0) {
        c->ready[s % 4] = x;
        return 0;
    }
    c->ready[s % 4] = UINT64_MAX;
    return dma_push(&c->dma, x, st.fetch_bytes, s);
}

static int issue_write(cyc_t *c, uint64_t s, uint64_t x)
{
    step_t st;
    plan_step(c->p, s, &st);
    return st.write_bytes ? dma_push(&c->dma, x, st.write_bytes, s | WRITE_TAG) : 0;
}

/* Step index of the array's next cycle and whether that cycle begins it. */
static uint64_t step_at(const plan_t *p, const systolic_pos_t *pos, int *begins)
{
    const uint64_t fc = pos->fold_cycle, pro = p->f.prologue;
    uint64_t c = 0;
    *begins = fc == 0;
    if (fc > pro) {
        const uint64_t u = fc - pro;
        c = u / p->sc;
        if (c >= p->chunks)
            c = p->chunks - 1;
        else if (u % p->sc == 0)
            *begins = 1;
    }
    return pos->fold * p->chunks + c;
}

static int run_cycle(const plan_t *p, const hw_cfg_t *hw, const int32_t *a, const int32_t *b,
                     int32_t *out, layer_stats_t *st, char *err, size_t errlen)
{
    systolic_array_t *sa = systolic_array_new(&p->cfg);
    cyc_t c = {.p = p, .st = st};
    for (int s = 0; s < MEM_STREAMS; s++)
        c.first[s] = LAYER_NO_CYCLE;
    for (int op = 0; op < 3; op++)
        c.sram_first[op] = LAYER_NO_CYCLE;
    if (!sa || dma_init(&c.dma, &hw->dma) != 0) {
        systolic_array_free(sa);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    systolic_array_start(sa, &p->g, a, b, out);
    int rc = 0;
    for (uint64_t s = 0; s < 2 && s < p->steps; s++)
        rc |= issue_fetch(&c, s, 0);
    uint64_t attempted = 1; /* steps whose first attempt has been made */
    uint64_t end = 0, last_write = 0;
    int busy = 1;
    systolic_ports_t ports;
    for (uint64_t x = 0; rc == 0; x++) {
        if (busy) {
            systolic_pos_t pos;
            systolic_array_pos(sa, &pos);
            int go = 1;
            if (!pos.accepting) {
                int begins;
                const uint64_t s = step_at(p, &pos, &begins);
                if (begins && s >= attempted) {
                    /* Step s-1 just ended: its half frees for step s+1. */
                    if (s + 1 < p->steps)
                        rc |= issue_fetch(&c, s + 1, x);
                    rc |= issue_write(&c, s - 1, x);
                    attempted = s + 1;
                }
                go = c.ready[s % 4] <= x;
            }
            if (!go) {
                /* stalled: the array holds every register this cycle */
            } else if (systolic_array_step(sa, &ports)) {
                st->compute_cycles++;
                if (p->spans)
                    cyc_sram(&c, &ports, x);
            } else {
                busy = 0;
                end = x;
                if (p->steps)
                    rc |= issue_write(&c, p->steps - 1, x);
            }
        }
        if (!busy && dma_pending(&c.dma) == 0)
            break;
        uint64_t tag;
        if (p->spans)
            cyc_watch(&c, x);
        if (dma_tick(&c.dma, x, &tag)) {
            if (tag & WRITE_TAG)
                last_write = x + 1;
            else
                c.ready[tag % 4] = x + 1;
        }
    }
    systolic_access_t acc;
    systolic_array_access(sa, &acc);
    st->ifmap_reads += acc.ifmap_reads;
    st->filter_reads += acc.filter_reads;
    st->ofmap_writes += acc.ofmap_writes;
    st->ofmap_reads += acc.ofmap_acc_reads;
    dma_free(&c.dma);
    systolic_array_free(sa);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    finish(p, st, util_max_u64(end, last_write));
    if (p->spans) {
        set_times(st, c.first, c.last);
        set_sram_times(st, c.sram_first, c.sram_last);
    }
    return 0;
}

static int run_gemm(const hw_cfg_t *hw, const systolic_gemm_t *g, const engine_conv_t *conv,
                    engine_path_t path, const mem_trace_t *trace, int spans, const int32_t *a,
                    const int32_t *b, int32_t *out, layer_stats_t *st, char *err,
                    size_t errlen);

int engine_run_gemm(const hw_cfg_t *hw, const systolic_gemm_t *g, engine_path_t path,
                    const int32_t *a, const int32_t *b, int32_t *out, layer_stats_t *st,
                    char *err, size_t errlen)
{
    /* the GEMM API (mapper, benchmarks, LLM runs) keeps the fixed channel */
    if (hw->dma.timing != DMA_FIXED) {
        hw_cfg_t fixed = *hw;
        fixed.dma.timing = DMA_FIXED;
        return run_gemm(&fixed, g, NULL, path, NULL, 0, a, b, out, st, err, errlen);
    }
    return run_gemm(hw, g, NULL, path, NULL, 0, a, b, out, st, err, errlen);
}

int engine_run_layer(const hw_cfg_t *hw, const systolic_gemm_t *g, const engine_conv_t *conv,
                     engine_path_t path, const mem_trace_t *trace, layer_stats_t *st,
                     char *err, size_t errlen)
{
    return run_gemm(hw, g, conv, path, trace, 1, NULL, NULL, NULL, st, err, errlen);
}

static int run_gemm(const hw_cfg_t *hw, const systolic_gemm_t *g, const engine_conv_t *conv,
                    engine_path_t path, const mem_trace_t *trace, int spans, const int32_t *a,
                    const int32_t *b, int32_t *out, layer_stats_t *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    if (systolic_cfg_check(&hw->array, err, errlen) != 0 ||
        sram_cfg_check(&hw->sram, err, errlen) != 0 || dma_cfg_check(&hw->dma, err, errlen) != 0 ||
        systolic_gemm_check(g, err, errlen) != 0)
        return -1;
    if ((a || b || out) && (path != ENGINE_CYCLE || !a || !b || !out)) {
        snprintf(err, errlen, "values: only the cycle path computes values, and needs A, B and O");
        return -1;
    }
    if (a && (g->m * g->k >= SYSTOLIC_NO_ACCESS || g->k * g->n >= SYSTOLIC_NO_ACCESS ||
              g->m * g->n >= SYSTOLIC_NO_ACCESS)) {
        snprintf(err, errlen, "values: a matrix of 2^32 elements or more is not addressable");
        return -1;
    }
    plan_t p;
    if (plan_init(&p, hw, g, conv, err, errlen) != 0)
        return -1;
    p.spans = spans;
    if (path == ENGINE_FAST)
        return run_fast(&p, hw, trace, st, err, errlen);
    if (hw->dma.timing == DMA_CONTROLLER) {
        snprintf(err, errlen, "dram.timing: the controller times the fast path; the cycle path "
                              "ticks the fixed-rate channel (dram.timing: fixed, or --path fast)");
        return -1;
    }
    /* The cycle path ticks every cycle of every step, so its size is bounded
     * (engine.h); the fast path is not. */
    if (p.steps > ENGINE_MAX_STEPS) {
        snprintf(err, errlen,
                 "steps: %" PRIu64 " folds x %" PRIu64 " chunks = %.4g steps, more than the "
                 "cycle path's limit of %llu (2^%d); use the fast path, a larger array or larger "
                 "scratchpads, or split the layer",
                 p.f.folds, p.chunks, (double)p.steps, (unsigned long long)ENGINE_MAX_STEPS,
                 ENGINE_MAX_STEPS_LOG2);
        return -1;
    }
    return run_cycle(&p, hw, a, b, out, st, err, errlen);
}

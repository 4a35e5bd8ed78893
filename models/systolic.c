/* systolic.c - systolic-array tensor core: configuration, fold structure,
 * closed-form counts, and the cycle-by-cycle array.  See systolic.h for the
 * microarchitecture this file and rtl/systolic.v both implement. */
#include "systolic.h"

#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const df_names[] = {"os", "ws", "is"};

const char *systolic_dataflow_name(systolic_dataflow_t df)
{
    return (unsigned)df < 3 ? df_names[df] : "?";
}

int systolic_dataflow_parse(const char *s, systolic_dataflow_t *out)
{
    for (unsigned i = 0; i < 3; i++) {
        if (strcmp(s, df_names[i]) == 0) {
            *out = (systolic_dataflow_t)i;
            return 0;
        }
    }
    return -1;
}

static const char *const drain_names[] = {"serial", "overlap"};

const char *systolic_os_drain_name(systolic_os_drain_t d)
{
    return (unsigned)d < 2 ? drain_names[d] : "?";
}

int systolic_os_drain_parse(const char *s, systolic_os_drain_t *out)
{
    for (unsigned i = 0; i < 2; i++) {
        if (strcmp(s, drain_names[i]) == 0) {
            *out = (systolic_os_drain_t)i;
            return 0;
        }
    }
    return -1;
}

int systolic_cfg_check(const systolic_cfg_t *cfg, char *err, size_t errlen)
{
    if (cfg->rows < 1 || cfg->rows > SYSTOLIC_MAX_DIM) {
        snprintf(err, errlen, "rows: %u is outside 1..%u", cfg->rows, SYSTOLIC_MAX_DIM);
        return -1;
    }
    if (cfg->cols < 1 || cfg->cols > SYSTOLIC_MAX_DIM) {
        snprintf(err, errlen, "cols: %u is outside 1..%u", cfg->cols, SYSTOLIC_MAX_DIM);
        return -1;
    }
    if ((unsigned)cfg->dataflow > SYSTOLIC_IS) {
        snprintf(err, errlen, "dataflow: must be os, ws or is");
        return -1;
    }
    if ((unsigned)cfg->os_drain > SYSTOLIC_DRAIN_OVERLAP) {
        snprintf(err, errlen, "os_drain: must be serial or overlap");
        return -1;
    }
    if (cfg->ws_out_unreg && cfg->compressed) {
        snprintf(err, errlen, "ws_out_reg: false needs MAC PEs: with compressed PEs the column's "
                              "carry-propagate add would follow the 3:2 row in one cycle, longer "
                              "than the PE's own path");
        return -1;
    }
    if (cfg->in_bits < 1 || cfg->in_bits > SYSTOLIC_MAX_OPERAND_BITS) {
        snprintf(err, errlen, "in_bits: %u is outside 1..%u", cfg->in_bits,
                 SYSTOLIC_MAX_OPERAND_BITS);
        return -1;
    }
    if (cfg->w_bits < 1 || cfg->w_bits > SYSTOLIC_MAX_OPERAND_BITS) {
        snprintf(err, errlen, "w_bits: %u is outside 1..%u", cfg->w_bits,
                 SYSTOLIC_MAX_OPERAND_BITS);
        return -1;
    }
    if (cfg->acc_bits < 2 || cfg->acc_bits > SYSTOLIC_MAX_ACC_BITS) {
        snprintf(err, errlen, "acc_bits: %u is outside 2..%u", cfg->acc_bits,
                 SYSTOLIC_MAX_ACC_BITS);
        return -1;
    }
    return numfmt_check_operands(&cfg->in_fmt, &cfg->w_fmt, cfg->in_bits, cfg->w_bits, err,
                                 errlen);
}

int systolic_gemm_check(const systolic_gemm_t *g, char *err, size_t errlen)
{
    const uint64_t d[3] = {g->m, g->n, g->k};
    static const char *const names[3] = {"M", "N", "K"};
    for (int i = 0; i < 3; i++) {
        if (d[i] < 1 || d[i] > SYSTOLIC_MAX_GEMM_DIM) {
            snprintf(err, errlen, "%s: %" PRIu64 " is outside 1..%u", names[i], d[i],
                     SYSTOLIC_MAX_GEMM_DIM);
            return -1;
        }
    }
    /* Each dimension fits 24 bits, so M*N*K (the MAC count) may need 72. */
    uint64_t mn, mnk;
    if (util_mul_u64(g->m, g->n, &mn) || util_mul_u64(mn, g->k, &mnk)) {
        snprintf(err, errlen,
                 "M*N*K: %" PRIu64 " x %" PRIu64 " x %" PRIu64 " = %.4g MACs does not fit in 64 bits",
                 g->m, g->n, g->k, (double)g->m * (double)g->n * (double)g->k);
        return -1;
    }
    return 0;
}

int32_t systolic_wrap(int64_t v, uint32_t bits)
{
    /* Work on unsigned values so that no shift or overflow is undefined. */
    const uint64_t mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;
    const uint64_t sign = 1ull << (bits - 1);
    return (int32_t)(int64_t)((((uint64_t)v & mask) ^ sign) - sign);
}

/* OS with array.os_drain: overlap (systolic.h): every fold is its FEED,
 * K+R+C-2 cycles (the previous fold drains meanwhile, never longer); the
 * last fold adds the serial DRAIN, R+1. */
static void overlap_folds(const systolic_cfg_t *cfg, systolic_folds_t *f)
{
    const uint64_t R = cfg->rows, C = cfg->cols;
    f->prologue = 0;
    f->tail = R + C - 2;
    f->fold_cycles = f->stream + f->tail;
    f->last_more = R + 1;
}

void systolic_folds(const systolic_cfg_t *cfg, const systolic_gemm_t *g, systolic_folds_t *f)
{
    const uint64_t R = cfg->rows, C = cfg->cols;
    switch (cfg->dataflow) {
    case SYSTOLIC_OS:
        f->folds = util_ceil_div(g->m, R) * util_ceil_div(g->n, C);
        f->stream = g->k;
        f->prologue = 0;
        f->tail = (R + C - 2) + (R + 1); /* skew drain of FEED, then DRAIN */
        break;
    case SYSTOLIC_WS:
        f->folds = util_ceil_div(g->n, C) * util_ceil_div(g->k, R);
        f->stream = g->m;
        f->prologue = R;                 /* LOAD */
        f->tail = R + C - 1;             /* last row leaves the bottom-right PE */
        break;
    default: /* SYSTOLIC_IS */
        f->folds = util_ceil_div(g->m, C) * util_ceil_div(g->k, R);
        f->stream = g->n;
        f->prologue = R;
        f->tail = R + C - 1;
        break;
    }
    if (cfg->dataflow != SYSTOLIC_OS && cfg->ws_out_unreg)
        f->tail--; /* array.ws_out_reg: false, the bottom row's sum leaves unregistered */
    f->fold_cycles = f->prologue + f->stream + f->tail;
    f->last_more = 0;
    if (cfg->dataflow == SYSTOLIC_OS && cfg->os_drain == SYSTOLIC_DRAIN_OVERLAP)
        overlap_folds(cfg, f);
}

/* *out = a * b, or -1 with "what: ... does not fit in 64 bits" in err. */
static int count_mul(const char *what, uint64_t a, uint64_t b, uint64_t *out, char *err,
                     size_t errlen)
{
    if (!util_mul_u64(a, b, out))
        return 0;
    snprintf(err, errlen, "%s: %" PRIu64 " x %" PRIu64 " = %.4g does not fit in 64 bits", what, a,
             b, (double)a * (double)b);
    return -1;
}

int systolic_count(const systolic_cfg_t *cfg, const systolic_gemm_t *g, systolic_counts_t *c,
                   char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    systolic_folds_t f;
    systolic_folds(cfg, g, &f);
    const uint64_t R = cfg->rows, C = cfg->cols;
    /* M, N, K < 2^25 (systolic_gemm_check) and R, C <= 256: the pairwise
     * products, folds (< 2^49) and fold_cycles (< 2^25) cannot wrap; their
     * products with a third quantity can, and are checked. */
    const uint64_t mn = g->m * g->n, mk = g->m * g->k, kn = g->k * g->n;
    uint64_t cyc;
    if (count_mul("compute cycles (folds x fold cycles)", f.folds, f.fold_cycles, &cyc, err,
                  errlen) != 0)
        return -1;
    /* OS overlap: the last fold is last_more longer. */
    if (util_add_u64(cyc, 1 + f.last_more, &c->compute_cycles)) {
        snprintf(err, errlen, "compute cycles: 2^64 does not fit in 64 bits");
        return -1;
    }
    const uint64_t col_folds_n = util_ceil_div(g->n, C), k_folds = util_ceil_div(g->k, R);
    switch (cfg->dataflow) {
    case SYSTOLIC_OS: /* A read once per column fold, B once per row fold */
        if (count_mul("ifmap reads (M*K x column folds)", mk, col_folds_n, &c->ifmap_reads, err,
                      errlen) != 0 ||
            count_mul("filter reads (K*N x row folds)", kn, util_ceil_div(g->m, R),
                      &c->filter_reads, err, errlen) != 0)
            return -1;
        c->ofmap_writes = mn;
        c->ofmap_acc_reads = 0;
        break;
    case SYSTOLIC_WS: /* weights loaded once; A streamed once per column fold */
        if (count_mul("ifmap reads (M*K x column folds)", mk, col_folds_n, &c->ifmap_reads, err,
                      errlen) != 0 ||
            count_mul("ofmap writes (M*N x K folds)", mn, k_folds, &c->ofmap_writes, err,
                      errlen) != 0)
            return -1;
        c->filter_reads = kn;
        c->ofmap_acc_reads = c->ofmap_writes - mn; /* M*N x (K folds - 1) */
        break;
    default: /* IS: inputs loaded once; B streamed once per column fold */
        if (count_mul("filter reads (K*N x column folds)", kn, util_ceil_div(g->m, C),
                      &c->filter_reads, err, errlen) != 0 ||
            count_mul("ofmap writes (M*N x K folds)", mn, k_folds, &c->ofmap_writes, err,
                      errlen) != 0)
            return -1;
        c->ifmap_reads = mk;
        c->ofmap_acc_reads = c->ofmap_writes - mn;
        break;
    }
    return 0;
}

/* Minifloat reference: values from the format's formula, products exact in
 * double (at most 7 x 7 significand bits), sum in 128 bits. */
static void reference_float(const systolic_cfg_t *cfg, const systolic_gemm_t *g,
                            const int32_t *a, const int32_t *b, int32_t *out)
{
    const int unit = numfmt_lsb_exp(&cfg->in_fmt) + numfmt_lsb_exp(&cfg->w_fmt);
    for (uint64_t m = 0; m < g->m; m++) {
        for (uint64_t n = 0; n < g->n; n++) {
            __int128 s = 0;
            for (uint64_t k = 0; k < g->k; k++) {
                int ca, cb;
                const double va = numfmt_ref_value(&cfg->in_fmt, (uint32_t)a[m * g->k + k], &ca);
                const double vb = numfmt_ref_value(&cfg->w_fmt, (uint32_t)b[k * g->n + n], &cb);
                if (ca || cb) /* Inf and NaN count as 0 (numfmt.h) */
                    continue;
                s += (__int128)ldexp(va * vb, -unit);
            }
            out[m * g->n + n] = systolic_wrap((int64_t)(uint64_t)(unsigned __int128)s, cfg->acc_bits);
        }
    }
}

void systolic_reference_gemm(const systolic_cfg_t *cfg, const systolic_gemm_t *g,
                             const int32_t *a, const int32_t *b, int32_t *out)
{
    if (numfmt_is_float(&cfg->in_fmt)) {
        reference_float(cfg, g, a, b, out);
        return;
    }
    for (uint64_t m = 0; m < g->m; m++) {
        for (uint64_t n = 0; n < g->n; n++) {
            int64_t s = 0;
            for (uint64_t k = 0; k < g->k; k++)
                s += (int64_t)systolic_wrap(a[m * g->k + k], cfg->in_bits) *
                     systolic_wrap(b[k * g->n + n], cfg->w_bits);
            out[m * g->n + n] = systolic_wrap(s, cfg->acc_bits);
        }
    }
}

/* ---- cycle-by-cycle array ------------------------------------------------ */

enum { ST_IDLE, ST_ACCEPT, ST_RUN, ST_DONE };
enum { ALINE_SLACK = 256 };

/* The inner loops of the array, one PE row each; built for AVX2 too where
 * the compiler can pick at load time. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ROW_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define ROW_KERNEL
#endif

ROW_KERNEL static void mac_row(uint32_t *restrict acc, const int16_t *restrict a,
                               const int16_t *restrict b, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        acc[j] += (uint32_t)((int32_t)a[j] * b[j]);
}

ROW_KERNEL static void psum_row(uint32_t *restrict v, const uint32_t *restrict vup,
                                const int16_t *restrict a, const int16_t *restrict w, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        v[j] = vup[j] + (uint32_t)((int32_t)a[j] * w[j]);
}

ROW_KERNEL static void prod_row(uint32_t *restrict v, const int16_t *restrict a,
                                const int16_t *restrict w, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        v[j] = (uint32_t)((int32_t)a[j] * w[j]);
}
/* The same three for minifloat PEs: packed operands (numfmt_pack). */
static void mac_row_fp(uint32_t *restrict acc, const int16_t *restrict a,
                       const int16_t *restrict b, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        acc[j] += numfmt_packed_mul(a[j], b[j]);
}

static void psum_row_fp(uint32_t *restrict v, const uint32_t *restrict vup,
                        const int16_t *restrict a, const int16_t *restrict w, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        v[j] = vup[j] + numfmt_packed_mul(a[j], w[j]);
}

static void prod_row_fp(uint32_t *restrict v, const int16_t *restrict a,
                        const int16_t *restrict w, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        v[j] = numfmt_packed_mul(a[j], w[j]);
}
/* Compressed-accumulation rows (array.compressed, systolic.h): the sum
 * words s and carry words c of a PE row take one 3:2 step with the product,
 * s <= s_in ^ c_in ^ p, c <= maj(s_in, c_in, p) << 1.  Modulo 2^32 s + c
 * is preserved exactly (a + b + p == (a ^ b ^ p) + 2 maj(a, b, p)), and the
 * low acc_bits of each word are the RTL's, so the resolved value wraps to
 * the MAC PE's.  fp: packed minifloat operands. */
static inline uint32_t cs_prod(int16_t a, int16_t b, int fp)
{
    return fp ? numfmt_packed_mul(a, b) : (uint32_t)((int32_t)a * b);
}

static void csa_row(uint32_t *s, uint32_t *c, const uint32_t *s_in,
                    const uint32_t *c_in, const int16_t *a, const int16_t *b,
                    uint32_t n, int fp)
{
    for (uint32_t j = 0; j < n; j++) {
        const uint32_t x = s_in ? s_in[j] : 0, y = c_in ? c_in[j] : 0, p = cs_prod(a[j], b[j], fp);
        s[j] = x ^ y ^ p;
        c[j] = ((x & y) | (x & p) | (y & p)) << 1;
    }
}
enum { PH_LOAD, PH_FEED, PH_DRAIN };

struct systolic_array {
    systolic_cfg_t cfg;
    int fp;                 /* minifloat operands (packed, numfmt.h) */
    uint32_t R, C, L;
    systolic_gemm_t g;
    const int32_t *a, *b;
    int32_t *out;
    /* PE registers, PE(i,j) at i*C + j.  Operands (at most 16 bits) are
     * int16; partial sums are kept modulo 2^32 in uint32 and wrapped to
     * acc_bits when they leave the array, which equals wrapping at every add
     * since acc_bits <= 32.  Row-wise loops over these arrays vectorize. */
    int16_t *w_reg;
    uint32_t *v_reg, *acc;
    /* Carry words of acc and v_reg (array.compressed only, else NULL). */
    uint32_t *acc_c, *v_c;
    /* The operand pipes are delay lines, so that no cycle moves data:
     * a_reg(i,j) = aline[i*alen + ap + j]: row i's line holds the values that
     *   entered column 0, newest first; every ALINE_SLACK cycles the newest
     *   C-1 are copied back to the end.
     * b_reg(i,j) = bring[((bs + R - i) % R) * C + j]: a ring of the last R
     *   rows that entered at the top (OS only). */
    int16_t *aline, *bring;
    uint32_t alen, ap, bs;
    /* This cycle's lanes. */
    uint32_t *a_addr, *b_addr, *o_addr;
    int16_t *a_val, *b_val;
    int32_t *o_data;
    int o_acc;
    /* Accesses so far (the engine's SRAM counts). */
    systolic_access_t count;
    /* Sequencer. */
    int state, phase;
    uint64_t t, phase_len, m0, n0, k0, fold, fold_cycle;
    /* OS overlapped drain (array.os_drain: overlap): v_reg is the shadow
     * set; dr rows of the tile at (dm0, dn0) are still to leave it, and
     * (pm0, pn0) is the tile the next capture takes. */
    int osd;
    uint64_t dr, dm0, dn0, pm0, pn0;
};

systolic_array_t *systolic_array_new(const systolic_cfg_t *cfg)
{
    char err[128];
    if (systolic_cfg_check(cfg, err, sizeof err) != 0)
        return NULL;
    systolic_array_t *sa = calloc(1, sizeof *sa);
    if (!sa)
        return NULL;
    sa->cfg = *cfg;
    sa->fp = numfmt_is_float(&cfg->in_fmt);
    sa->R = cfg->rows;
    sa->C = cfg->cols;
    sa->L = sa->R > sa->C ? sa->R : sa->C;
    const size_t pes = (size_t)sa->R * sa->C;
    sa->alen = sa->C + ALINE_SLACK;
    sa->ap = ALINE_SLACK;
    sa->aline = calloc((size_t)sa->R * sa->alen, sizeof *sa->aline);
    sa->bring = calloc(pes, sizeof *sa->bring);
    sa->w_reg = calloc(pes, sizeof *sa->w_reg);
    sa->v_reg = calloc(pes, sizeof *sa->v_reg);
    sa->acc = calloc(pes, sizeof *sa->acc);
    sa->a_addr = calloc(sa->L, sizeof *sa->a_addr);
    sa->b_addr = calloc(sa->L, sizeof *sa->b_addr);
    sa->o_addr = calloc(sa->C, sizeof *sa->o_addr);
    sa->a_val = calloc(sa->L, sizeof *sa->a_val);
    sa->b_val = calloc(sa->L, sizeof *sa->b_val);
    sa->o_data = calloc(sa->C, sizeof *sa->o_data);
    if (!sa->aline || !sa->bring || !sa->w_reg || !sa->v_reg || !sa->acc || !sa->a_addr ||
        !sa->b_addr || !sa->o_addr || !sa->a_val || !sa->b_val || !sa->o_data) {
        systolic_array_free(sa);
        return NULL;
    }
    if (cfg->compressed) {
        sa->acc_c = calloc(pes, sizeof *sa->acc_c);
        sa->v_c = calloc(pes, sizeof *sa->v_c);
        if (!sa->acc_c || !sa->v_c) {
            systolic_array_free(sa);
            return NULL;
        }
    }
    sa->state = ST_IDLE;
    return sa;
}

void systolic_array_free(systolic_array_t *sa)
{
    if (!sa)
        return;
    free(sa->aline);
    free(sa->bring);
    free(sa->w_reg);
    free(sa->v_reg);
    free(sa->acc);
    free(sa->acc_c);
    free(sa->v_c);
    free(sa->a_addr);
    free(sa->b_addr);
    free(sa->o_addr);
    free(sa->a_val);
    free(sa->b_val);
    free(sa->o_data);
    free(sa);
}

void systolic_array_start(systolic_array_t *sa, const systolic_gemm_t *g,
                          const int32_t *a, const int32_t *b, int32_t *out)
{
    sa->g = *g;
    sa->a = a;
    sa->b = b;
    sa->out = out;
    sa->state = ST_ACCEPT;
    memset(&sa->count, 0, sizeof sa->count);
    sa->osd = sa->cfg.dataflow == SYSTOLIC_OS && sa->cfg.os_drain == SYSTOLIC_DRAIN_OVERLAP;
    sa->dr = 0;
}

void systolic_array_access(const systolic_array_t *sa, systolic_access_t *c)
{
    *c = sa->count;
}

void systolic_array_pos(const systolic_array_t *sa, systolic_pos_t *pos)
{
    pos->fold = sa->fold;
    pos->fold_cycle = sa->fold_cycle;
    pos->accepting = sa->state == ST_ACCEPT;
}

static void begin_phase(systolic_array_t *sa, int phase)
{
    const uint64_t R = sa->R, C = sa->C;
    sa->phase = phase;
    sa->t = 0;
    switch (sa->cfg.dataflow) {
    case SYSTOLIC_OS:
        sa->phase_len = phase == PH_FEED ? sa->g.k + R + C - 2 : R + 1;
        break;
    case SYSTOLIC_WS:
        sa->phase_len = phase == PH_LOAD ? R : sa->g.m + R + C - 1 - (sa->cfg.ws_out_unreg != 0);
        break;
    default:
        sa->phase_len = phase == PH_LOAD ? R : sa->g.n + R + C - 1 - (sa->cfg.ws_out_unreg != 0);
        break;
    }
}

/* advance() for OS with the overlapped drain (systolic.h): a fold is its
 * FEED; the next fold's FEED follows at once (the previous drain is never
 * longer), or after the last fold the serial DRAIN. */
static int advance_overlap(systolic_array_t *sa)
{
    const systolic_gemm_t *g = &sa->g;
    if (sa->phase == PH_DRAIN)
        return 0;
    if (sa->n0 + sa->C >= g->n && sa->m0 + sa->R >= g->m) {
        begin_phase(sa, PH_DRAIN);
        return 1;
    }
    sa->pm0 = sa->m0;
    sa->pn0 = sa->n0;
    sa->n0 += sa->C;
    if (sa->n0 >= g->n) {
        sa->n0 = 0;
        sa->m0 += sa->R;
    }
    begin_phase(sa, PH_FEED);
    sa->fold++;
    sa->fold_cycle = 0;
    return 1;
}

/* Moves to the next phase or fold; returns 0 when the GEMM is finished. */
static int advance(systolic_array_t *sa)
{
    sa->fold_cycle++;
    if (++sa->t < sa->phase_len)
        return 1;
    if (sa->osd)
        return advance_overlap(sa);
    const systolic_gemm_t *g = &sa->g;
    switch (sa->cfg.dataflow) {
    case SYSTOLIC_OS:
        if (sa->phase == PH_FEED) {
            begin_phase(sa, PH_DRAIN);
            return 1;
        }
        sa->n0 += sa->C;
        if (sa->n0 >= g->n) {
            sa->n0 = 0;
            sa->m0 += sa->R;
        }
        if (sa->m0 >= g->m)
            return 0;
        begin_phase(sa, PH_FEED);
        break;
    case SYSTOLIC_WS:
    case SYSTOLIC_IS:
        if (sa->phase == PH_LOAD) {
            begin_phase(sa, PH_FEED);
            return 1;
        }
        sa->k0 += sa->R;
        if (sa->k0 >= g->k) {
            sa->k0 = 0;
            if (sa->cfg.dataflow == SYSTOLIC_WS)
                sa->n0 += sa->C;
            else
                sa->m0 += sa->C;
        }
        if (sa->n0 >= g->n || sa->m0 >= g->m)
            return 0;
        begin_phase(sa, PH_LOAD);
        break;
    }
    sa->fold++;
    sa->fold_cycle = 0;
    return 1;
}

/* Reads element addr of an operand matrix (0 when the run carries no values),
 * sign-extended from bits, or packed from a minifloat code. */
static int16_t operand(const systolic_array_t *sa, const int32_t *mat, uint64_t addr, int is_b)
{
    if (!mat)
        return 0;
    const uint32_t bits = is_b ? sa->cfg.w_bits : sa->cfg.in_bits;
    if (sa->fp) {
        const uint32_t code = (uint32_t)mat[addr] & ((1u << bits) - 1);
        return numfmt_pack(is_b ? &sa->cfg.w_fmt : &sa->cfg.in_fmt, code);
    }
    const uint32_t sign = 1u << (bits - 1), mask = (sign << 1) - 1;
    return (int16_t)(int32_t)((((uint32_t)mat[addr] & mask) ^ sign) - sign);
}

static void clear_lanes(systolic_array_t *sa)
{
    for (uint32_t l = 0; l < sa->L; l++) {
        sa->a_addr[l] = sa->b_addr[l] = SYSTOLIC_NO_ACCESS;
        sa->a_val[l] = sa->b_val[l] = 0;
    }
    for (uint32_t j = 0; j < sa->C; j++)
        sa->o_addr[j] = SYSTOLIC_NO_ACCESS;
    sa->o_acc = 0;
}

/* Commits output lane j's write of the bottom PE's partial sum. */
static void write_out(systolic_array_t *sa, uint32_t j, uint64_t addr, int acc)
{
    const uint32_t bits = sa->cfg.acc_bits;
    const size_t bot = (size_t)(sa->R - 1) * sa->C + j;
    /* compressed: the column's one carry-propagate add, s + c */
    const uint32_t v = sa->v_reg[bot] + (sa->v_c ? sa->v_c[bot] : 0u);
    const int32_t d = systolic_wrap((int32_t)v, bits);
    sa->o_addr[j] = (uint32_t)addr;
    sa->o_data[j] = d;
    sa->count.ofmap_writes++;
    sa->count.ofmap_acc_reads += acc != 0;
    if (sa->out)
        sa->out[addr] = acc ? systolic_wrap((int64_t)sa->out[addr] + d, bits) : d;
}

/* Every row's horizontal pipe moves one PE right; lane a_val[i] enters
 * column 0 of row i. */
static void shift_rows(systolic_array_t *sa)
{
    const uint32_t R = sa->R, C = sa->C;
    if (sa->ap == 0) {
        for (uint32_t i = 0; i < R; i++) {
            int16_t *line = sa->aline + (size_t)i * sa->alen;
            memmove(line + ALINE_SLACK, line, (C - 1) * sizeof *line);
        }
        sa->ap = ALINE_SLACK;
    }
    sa->ap--;
    for (uint32_t i = 0; i < R; i++)
        sa->aline[(size_t)i * sa->alen + sa->ap] = sa->a_val[i];
}

static const int16_t *a_row(const systolic_array_t *sa, uint32_t i)
{
    return sa->aline + (size_t)i * sa->alen + sa->ap;
}

/* stationary_feed's compressed PE: (s, c) of the row above and the product
 * into the row's (s, c); row 0 has (0, 0) above it. */
static void stationary_feed_cs(systolic_array_t *sa)
{
    const uint32_t R = sa->R, C = sa->C;
    for (uint32_t i = R; i-- > 0;) {
        uint32_t *vs = sa->v_reg + (size_t)i * C, *vc = sa->v_c + (size_t)i * C;
        csa_row(vs, vc, i ? vs - C : NULL, i ? vc - C : NULL, a_row(sa, i),
                sa->w_reg + (size_t)i * C, C, sa->fp);
    }
}

/* Streams row lanes (a_val[i]) left to right and adds a_in * w_reg into the
 * partial sums flowing down: the FEED phase of WS and IS.  Rows go bottom
 * up so that each row still sees the old partial sums of the row above. */
static void stationary_feed(systolic_array_t *sa)
{
    const uint32_t R = sa->R, C = sa->C;
    shift_rows(sa);
    if (sa->v_c) {
        stationary_feed_cs(sa);
        return;
    }
    for (uint32_t i = R; i-- > 1;) {
        uint32_t *vrow = sa->v_reg + (size_t)i * C;
        (sa->fp ? psum_row_fp : psum_row)(vrow, vrow - C, a_row(sa, i), sa->w_reg + (size_t)i * C, C);
    }
    (sa->fp ? prod_row_fp : prod_row)(sa->v_reg, a_row(sa, 0), sa->w_reg, C);
}

/* Shifts the stationary registers down one row; row 0 takes lane[j]. */
static void stationary_load(systolic_array_t *sa, const int16_t *lane)
{
    const uint32_t R = sa->R, C = sa->C;
    for (uint32_t i = R; i-- > 1;)
        memcpy(sa->w_reg + (size_t)i * C, sa->w_reg + (size_t)(i - 1) * C, C * sizeof *sa->w_reg);
    memcpy(sa->w_reg, lane, C * sizeof *sa->w_reg);
}

/* The overlapped drain's part of an OS cycle, before the FEED's MACs: the
 * bottom row of the shadow set leaves (row dm0 + dr - 1) and the set shifts
 * down; then a FEED's first cycle after the first fold captures every acc
 * into the shadow set and restarts acc (the MAC that follows adds to 0).
 * The previous capture's last row leaves in this cycle at the latest
 * (systolic.h), so the capture never overwrites a row still to go. */
static void overlap_cycle(systolic_array_t *sa)
{
    const uint32_t R = sa->R, C = sa->C;
    const systolic_gemm_t *g = &sa->g;
    const size_t pes = (size_t)R * C;
    if (sa->dr > 0) {
        const uint64_t m = sa->dm0 + sa->dr - 1;
        for (uint32_t j = 0; j < C; j++)
            if (m < g->m && sa->dn0 + j < g->n)
                write_out(sa, j, m * g->n + sa->dn0 + j, 0);
        memmove(sa->v_reg + C, sa->v_reg, (pes - C) * sizeof *sa->v_reg);
        memset(sa->v_reg, 0, C * sizeof *sa->v_reg);
        if (sa->v_c) { /* compressed: the carry words drain beside the sums */
            memmove(sa->v_c + C, sa->v_c, (pes - C) * sizeof *sa->v_c);
            memset(sa->v_c, 0, C * sizeof *sa->v_c);
        }
        sa->dr--;
    }
    if (sa->phase == PH_FEED && sa->t == 0 && sa->fold > 0) {
        memcpy(sa->v_reg, sa->acc, pes * sizeof *sa->v_reg);
        memset(sa->acc, 0, pes * sizeof *sa->acc);
        if (sa->acc_c) { /* compressed: the shadow set holds the carry words too */
            memcpy(sa->v_c, sa->acc_c, pes * sizeof *sa->v_c);
            memset(sa->acc_c, 0, pes * sizeof *sa->acc_c);
        }
        sa->dm0 = sa->pm0;
        sa->dn0 = sa->pn0;
        sa->dr = R;
    }
}

static void cycle_os(systolic_array_t *sa)
{
    const uint32_t R = sa->R, C = sa->C;
    const systolic_gemm_t *g = &sa->g;
    const uint64_t t = sa->t;
    if (sa->osd)
        overlap_cycle(sa);
    if (sa->phase == PH_FEED) {
        for (uint32_t i = 0; i < R && i <= t; i++) {
            if (t - i < g->k && sa->m0 + i < g->m) {
                const uint64_t addr = (sa->m0 + i) * g->k + (t - i);
                sa->a_addr[i] = (uint32_t)addr;
                sa->count.ifmap_reads++;
                sa->a_val[i] = operand(sa, sa->a, addr, 0);
            }
        }
        for (uint32_t j = 0; j < C && j <= t; j++) {
            if (t - j < g->k && sa->n0 + j < g->n) {
                const uint64_t addr = (t - j) * g->n + sa->n0 + j;
                sa->b_addr[j] = (uint32_t)addr;
                sa->count.filter_reads++;
                sa->b_val[j] = operand(sa, sa->b, addr, 1);
            }
        }
        shift_rows(sa);
        sa->bs = sa->bs + 1 == R ? 0 : sa->bs + 1;
        memcpy(sa->bring + (size_t)sa->bs * C, sa->b_val, C * sizeof *sa->bring);
        for (uint32_t i = 0; i < R; i++) {
            const uint32_t slot = sa->bs >= i ? sa->bs - i : sa->bs + R - i;
            if (sa->acc_c) { /* compressed: acc (s) and acc_c take a 3:2 step */
                uint32_t *as = sa->acc + (size_t)i * C, *ac = sa->acc_c + (size_t)i * C;
                csa_row(as, ac, as, ac, a_row(sa, i), sa->bring + (size_t)slot * C, C, sa->fp);
                continue;
            }
            (sa->fp ? mac_row_fp : mac_row)(sa->acc + (size_t)i * C, a_row(sa, i),
                                            sa->bring + (size_t)slot * C, C);
        }
        return;
    }
    /* DRAIN */
    const size_t pes = (size_t)R * C;
    if (t == 0) {
        memcpy(sa->v_reg, sa->acc, pes * sizeof *sa->v_reg);
        memset(sa->acc, 0, pes * sizeof *sa->acc);
        memset(sa->aline, 0, (size_t)R * sa->alen * sizeof *sa->aline);
        memset(sa->bring, 0, pes * sizeof *sa->bring);
        if (sa->acc_c) { /* compressed: the carry words drain beside the sums */
            memcpy(sa->v_c, sa->acc_c, pes * sizeof *sa->v_c);
            memset(sa->acc_c, 0, pes * sizeof *sa->acc_c);
        }
        return;
    }
    const uint64_t m = sa->m0 + R - t;
    for (uint32_t j = 0; j < C; j++)
        if (m < g->m && sa->n0 + j < g->n)
            write_out(sa, j, m * g->n + sa->n0 + j, 0);
    memmove(sa->v_reg + C, sa->v_reg, (pes - C) * sizeof *sa->v_reg);
    memset(sa->v_reg, 0, C * sizeof *sa->v_reg);
    if (sa->v_c) {
        memmove(sa->v_c + C, sa->v_c, (pes - C) * sizeof *sa->v_c);
        memset(sa->v_c, 0, C * sizeof *sa->v_c);
    }
}

static void cycle_ws(systolic_array_t *sa)
{
    const uint32_t R = sa->R, C = sa->C;
    const systolic_gemm_t *g = &sa->g;
    const uint64_t t = sa->t;
    if (sa->phase == PH_LOAD) {
        const uint64_t k = sa->k0 + R - 1 - t;
        for (uint32_t j = 0; j < C; j++) {
            if (k < g->k && sa->n0 + j < g->n) {
                const uint64_t addr = k * g->n + sa->n0 + j;
                sa->b_addr[j] = (uint32_t)addr;
                sa->count.filter_reads++;
                sa->b_val[j] = operand(sa, sa->b, addr, 1);
            }
        }
        stationary_load(sa, sa->b_val);
        return;
    }
    for (uint32_t i = 0; i < R && i <= t; i++) {
        if (t - i < g->m && sa->k0 + i < g->k) {
            const uint64_t addr = (t - i) * g->k + sa->k0 + i;
            sa->a_addr[i] = (uint32_t)addr;
                sa->count.ifmap_reads++;
            sa->a_val[i] = operand(sa, sa->a, addr, 0);
        }
    }
    sa->o_acc = sa->k0 != 0;
    /* ws_out_unreg: the sums formed this cycle leave (one row earlier) */
    const uint64_t u = sa->cfg.ws_out_unreg != 0;
    if (u)
        stationary_feed(sa);
    for (uint32_t j = 0; j < C && R + j <= t + u; j++) {
        const uint64_t m = t + u - R - j;
        if (m < g->m && sa->n0 + j < g->n)
            write_out(sa, j, m * g->n + sa->n0 + j, sa->o_acc);
    }
    if (!u)
        stationary_feed(sa);
}

static void cycle_is(systolic_array_t *sa)
{
    const uint32_t R = sa->R, C = sa->C;
    const systolic_gemm_t *g = &sa->g;
    const uint64_t t = sa->t;
    if (sa->phase == PH_LOAD) {
        const uint64_t k = sa->k0 + R - 1 - t;
        for (uint32_t j = 0; j < C; j++) {
            if (k < g->k && sa->m0 + j < g->m) {
                const uint64_t addr = (sa->m0 + j) * g->k + k;
                sa->a_addr[j] = (uint32_t)addr;
                sa->count.ifmap_reads++;
                sa->a_val[j] = operand(sa, sa->a, addr, 0);
            }
        }
        stationary_load(sa, sa->a_val);
        return;
    }
    for (uint32_t i = 0; i < R && i <= t; i++) {
        if (t - i < g->n && sa->k0 + i < g->k) {
            const uint64_t addr = (sa->k0 + i) * g->n + (t - i);
            sa->b_addr[i] = (uint32_t)addr;
                sa->count.filter_reads++;
            sa->a_val[i] = operand(sa, sa->b, addr, 1); /* row lane i */
        }
    }
    sa->o_acc = sa->k0 != 0;
    const uint64_t u = sa->cfg.ws_out_unreg != 0; /* as in cycle_ws */
    if (u)
        stationary_feed(sa);
    for (uint32_t j = 0; j < C && R + j <= t + u; j++) {
        const uint64_t n = t + u - R - j;
        if (n < g->n && sa->m0 + j < g->m)
            write_out(sa, j, (sa->m0 + j) * g->n + n, sa->o_acc);
    }
    if (!u)
        stationary_feed(sa);
}

int systolic_array_step(systolic_array_t *sa, systolic_ports_t *ports)
{
    clear_lanes(sa);
    if (ports) {
        ports->lanes = sa->L;
        ports->a_addr = sa->a_addr;
        ports->b_addr = sa->b_addr;
        ports->o_addr = sa->o_addr;
        ports->o_data = sa->o_data;
        ports->o_acc = 0;
    }
    switch (sa->state) {
    case ST_ACCEPT:
        sa->state = ST_RUN;
        sa->m0 = sa->n0 = sa->k0 = 0;
        sa->fold = sa->fold_cycle = 0;
        begin_phase(sa, sa->cfg.dataflow == SYSTOLIC_OS ? PH_FEED : PH_LOAD);
        return 1;
    case ST_RUN:
        break;
    default:
        return 0;
    }
    switch (sa->cfg.dataflow) {
    case SYSTOLIC_OS:
        cycle_os(sa);
        break;
    case SYSTOLIC_WS:
        cycle_ws(sa);
        break;
    default:
        cycle_is(sa);
        break;
    }
    if (ports)
        ports->o_acc = sa->o_acc;
    if (!advance(sa))
        sa->state = ST_DONE;
    return 1;
}

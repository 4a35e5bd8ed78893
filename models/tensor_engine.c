/* tensor_engine.c - adder-tree, 3D-cube and 2D-matrix engines: shape rules,
 * closed-form counts and the cycle-by-cycle engine (tensor_engine.h; the
 * RTL is rtl/tensor_engine.v). */
#include "tensor_engine.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgkey.h"
#include "util.h"

static const char *const kind_names[TE_KINDS] = {"addertree", "cube", "matrix2d"};

const char *te_kind_name(te_kind_t k) { return (unsigned)k < TE_KINDS ? kind_names[k] : "?"; }

int te_kind_parse(const char *s, te_kind_t *out)
{
    for (unsigned i = 0; i < TE_KINDS; i++)
        if (!strcmp(s, kind_names[i])) {
            *out = (te_kind_t)i;
            return 0;
        }
    return -1;
}

void te_defaults(te_kind_t kind, te_cfg_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = kind;
    cfg->in_bits = cfg->w_bits = 8;
    cfg->acc_bits = 32;
    switch (kind) {
    case TE_ADDERTREE: cfg->rows = 1, cfg->cols = 16, cfg->depth = 16; break;
    case TE_CUBE: cfg->rows = 8, cfg->cols = 8, cfg->depth = 4; break;
    default: cfg->rows = 16, cfg->cols = 16, cfg->depth = 1; break;
    }
}

int te_cfg_check(const te_cfg_t *cfg, char *err, size_t errlen)
{
    const struct {
        const char *name;
        uint32_t v;
    } dims[] = {{"rows", cfg->rows}, {"cols", cfg->cols}, {"depth", cfg->depth}};
    if ((unsigned)cfg->kind >= TE_KINDS) {
        snprintf(err, errlen, "kind: must be addertree, cube or matrix2d");
        return -1;
    }
    for (size_t i = 0; i < ARRAY_LEN(dims); i++)
        if (dims[i].v < 1 || dims[i].v > TE_MAX_DIM) {
            snprintf(err, errlen, "%s: %u is outside 1..%u", dims[i].name, dims[i].v, TE_MAX_DIM);
            return -1;
        }
    if (cfg->kind == TE_ADDERTREE && cfg->rows != 1) {
        snprintf(err, errlen, "rows: %u, but an adder-tree engine has one row of dot-product "
                              "units (rows: 1)", cfg->rows);
        return -1;
    }
    if (cfg->kind == TE_MATRIX2D && cfg->depth != 1) {
        snprintf(err, errlen, "depth: %u, but a 2D-matrix engine's PEs are single MACs "
                              "(depth: 1)", cfg->depth);
        return -1;
    }
    if (cfg->rows * cfg->depth > TE_MAX_LANES || cfg->depth * cfg->cols > TE_MAX_LANES ||
        cfg->rows * cfg->cols > TE_MAX_LANES) {
        snprintf(err, errlen, "depth: rows*depth, depth*cols and rows*cols must each be at "
                              "most %u (read and write lanes)", TE_MAX_LANES);
        return -1;
    }
    if (cfg->in_bits < 1 || cfg->in_bits > TE_MAX_OPERAND_BITS) {
        snprintf(err, errlen, "in_bits: %u is outside 1..%u", cfg->in_bits, TE_MAX_OPERAND_BITS);
        return -1;
    }
    if (cfg->w_bits < 1 || cfg->w_bits > TE_MAX_OPERAND_BITS) {
        snprintf(err, errlen, "w_bits: %u is outside 1..%u", cfg->w_bits, TE_MAX_OPERAND_BITS);
        return -1;
    }
    if (cfg->acc_bits < 2 || cfg->acc_bits > TE_MAX_ACC_BITS) {
        snprintf(err, errlen, "acc_bits: %u is outside 2..%u", cfg->acc_bits, TE_MAX_ACC_BITS);
        return -1;
    }
    /* Minifloat operands: the same rules as the array's (numfmt.h). */
    return numfmt_check_operands(&cfg->in_fmt, &cfg->w_fmt, cfg->in_bits, cfg->w_bits, err,
                                 errlen);
}

/* in_format / w_format / format, as the array's keys (numfmt.h). */
static int te_format_set(te_cfg_t *cfg, const char *key, const char *val, char *err,
                         size_t errlen)
{
    const numfmt_operands_t o = {&cfg->in_fmt, &cfg->w_fmt, &cfg->in_bits, &cfg->w_bits,
                                 TE_MAX_OPERAND_BITS};
    return numfmt_set_key(&o, key, val, err, errlen);
}

int te_cfg_set(te_cfg_t *cfg, const char *key, const char *val, char *err, size_t errlen)
{
    if (!strcmp(key, "compressed"))
        return cfg_parse_bool(key, val, &cfg->compressed, err, errlen);
    if (!strcmp(key, "format") || !strcmp(key, "in_format") || !strcmp(key, "w_format"))
        return te_format_set(cfg, key, val, err, errlen);
    uint32_t *dst = !strcmp(key, "rows")       ? &cfg->rows
                    : !strcmp(key, "cols")     ? &cfg->cols
                    : !strcmp(key, "depth")    ? &cfg->depth
                    : !strcmp(key, "in_bits")  ? &cfg->in_bits
                    : !strcmp(key, "w_bits")   ? &cfg->w_bits
                    : !strcmp(key, "acc_bits") ? &cfg->acc_bits
                                               : NULL;
    if (!dst) {
        snprintf(err, errlen, "%s: unknown key (rows, cols, depth, in_bits, w_bits, acc_bits, "
                              "compressed, format, in_format, w_format, enabled)", key);
        return -1;
    }
    uint64_t v;
    if (cfg_parse_uint(key, val, UINT32_MAX, &v, err, errlen) != 0)
        return -1;
    *dst = (uint32_t)v;
    return 0;
}

int te_count(const te_cfg_t *cfg, const te_gemm_t *g, te_counts_t *c, char *err, size_t errlen)
{
    const uint64_t d[3] = {g->m, g->n, g->k};
    static const char *const names[3] = {"M", "N", "K"};
    for (int i = 0; i < 3; i++)
        if (d[i] < 1 || d[i] > (1u << 24)) {
            snprintf(err, errlen, "%s: %" PRIu64 " is outside 1..%u", names[i], d[i], 1u << 24);
            return -1;
        }
    const uint64_t fm = util_ceil_div(g->m, cfg->rows), fn = util_ceil_div(g->n, cfg->cols);
    const uint64_t s = util_ceil_div(g->k, cfg->depth);
    uint64_t mn, mk, kn;
    memset(c, 0, sizeof *c);
    c->folds = fm * fn; /* each below 2^24 */
    if (util_mul_u64(c->folds, s, &c->steps) || util_add_u64(c->steps, 3, &c->compute_cycles) ||
        util_mul_u64(g->m, g->k, &mk) || util_mul_u64(mk, fn, &c->a_reads) ||
        util_mul_u64(g->k, g->n, &kn) || util_mul_u64(kn, fm, &c->b_reads) ||
        util_mul_u64(g->m, g->n, &mn)) {
        snprintf(err, errlen, "steps: %" PRIu64 " x %" PRIu64 " x %" PRIu64
                              " does not fit in 64 bits", g->m, g->n, g->k);
        return -1;
    }
    c->o_writes = mn;
    return 0;
}

/* ---- cycle-by-cycle engine ------------------------------------------------ */

struct te_engine {
    te_cfg_t cfg;
    te_gemm_t g;
    const int32_t *a, *b;
    int32_t *out;
    uint64_t steps, per_fold, cycle;
    /* the k-step being read: fold origin and k0 */
    uint64_t m0, n0, k0;
    /* stage 1: registered operands of the k-step read last cycle */
    int v1, first1, last1;
    uint64_t m1, n1;
    int32_t *a_q, *b_q;
    /* stage 2: accumulators (sum and carry words when compressed) and the
     * pending write of a finished fold */
    uint32_t *s, *c;
    int wv;
    uint64_t wm, wn;
    uint32_t *a_addr, *b_addr, *o_addr;
    int32_t *o_data;
};

te_engine_t *te_engine_new(const te_cfg_t *cfg)
{
    te_engine_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cfg = *cfg;
    const size_t R = cfg->rows, C = cfg->cols, D = cfg->depth;
    e->a_q = calloc(R * D, sizeof *e->a_q);
    e->b_q = calloc(D * C, sizeof *e->b_q);
    e->s = calloc(R * C, sizeof *e->s);
    e->c = calloc(R * C, sizeof *e->c);
    e->a_addr = calloc(R * D, sizeof *e->a_addr);
    e->b_addr = calloc(D * C, sizeof *e->b_addr);
    e->o_addr = calloc(R * C, sizeof *e->o_addr);
    e->o_data = calloc(R * C, sizeof *e->o_data);
    if (!e->a_q || !e->b_q || !e->s || !e->c || !e->a_addr || !e->b_addr || !e->o_addr ||
        !e->o_data) {
        te_engine_free(e);
        return NULL;
    }
    return e;
}

void te_engine_free(te_engine_t *e)
{
    if (!e)
        return;
    free(e->a_q);
    free(e->b_q);
    free(e->s);
    free(e->c);
    free(e->a_addr);
    free(e->b_addr);
    free(e->o_addr);
    free(e->o_data);
    free(e);
}

void te_engine_start(te_engine_t *e, const te_gemm_t *g, const int32_t *a, const int32_t *b,
                     int32_t *out)
{
    e->g = *g;
    e->a = a, e->b = b, e->out = out;
    e->per_fold = util_ceil_div(g->k, e->cfg.depth);
    e->steps = util_ceil_div(g->m, e->cfg.rows) * util_ceil_div(g->n, e->cfg.cols) * e->per_fold;
    e->cycle = 0;
    e->m0 = e->n0 = e->k0 = 0;
    e->v1 = e->wv = 0;
}

static uint32_t mask_of(uint32_t bits) { return bits >= 32 ? UINT32_MAX : (1u << bits) - 1; }

static int32_t sext(int64_t v, uint32_t bits)
{
    const uint64_t m = bits >= 64 ? ~0ull : (1ull << bits) - 1, sign = 1ull << (bits - 1);
    return (int32_t)(int64_t)((((uint64_t)v & m) ^ sign) - sign);
}

/* A lane's registered operand: sign-extended from its bits, or the packed
 * (off, sig) of a minifloat code (numfmt_pack). */
static int32_t operand(const te_cfg_t *cf, int32_t raw, int is_b)
{
    const uint32_t bits = is_b ? cf->w_bits : cf->in_bits;
    if (numfmt_is_float(&cf->in_fmt))
        return numfmt_pack(is_b ? &cf->w_fmt : &cf->in_fmt, (uint32_t)raw & mask_of(bits));
    return sext(raw, bits);
}

int te_engine_step(te_engine_t *e, te_ports_t *ports)
{
    const te_cfg_t *cf = &e->cfg;
    const uint32_t R = cf->rows, C = cf->cols, D = cf->depth, acc = cf->acc_bits;
    const uint32_t msk = mask_of(acc);
    const int fp = numfmt_is_float(&cf->in_fmt);
    if (e->cycle == e->steps + 3)
        return 0;
    /* Writes: the fold finished in stage 2 last cycle. */
    for (uint32_t i = 0; i < R; i++)
        for (uint32_t j = 0; j < C; j++) {
            const uint32_t l = i * C + j;
            const uint64_t m = e->wm + i, n = e->wn + j;
            if (e->wv && m < e->g.m && n < e->g.n) {
                const int32_t v = sext((int64_t)((e->s[l] + e->c[l]) & msk), acc);
                e->o_addr[l] = (uint32_t)(m * e->g.n + n);
                e->o_data[l] = v;
                if (e->out)
                    e->out[m * e->g.n + n] = v;
            } else {
                e->o_addr[l] = TE_NO_ACCESS;
                e->o_data[l] = 0;
            }
        }
    /* Stage 2: accumulate the operands registered last cycle. */
    const int wv_next = e->v1 && e->last1;
    if (e->v1) {
        for (uint32_t i = 0; i < R; i++)
            for (uint32_t j = 0; j < C; j++) {
                int64_t p = 0;
                if (fp) { /* packed minifloats: products modulo 2^32 */
                    uint32_t q = 0;
                    for (uint32_t d = 0; d < D; d++)
                        q += numfmt_packed_mul((int16_t)e->a_q[i * D + d],
                                               (int16_t)e->b_q[d * C + j]);
                    p = (int64_t)q;
                } else {
                    for (uint32_t d = 0; d < D; d++)
                        p += (int64_t)e->a_q[i * D + d] * e->b_q[d * C + j];
                }
                const uint32_t pu = (uint32_t)(uint64_t)p & msk, l = i * C + j;
                if (e->first1) {
                    e->s[l] = pu, e->c[l] = 0;
                } else if (cf->compressed) {
                    const uint32_t s = e->s[l], c = e->c[l];
                    e->s[l] = (s ^ c ^ pu) & msk;
                    e->c[l] = (((s & c) | (s & pu) | (c & pu)) << 1) & msk;
                } else {
                    e->s[l] = (e->s[l] + pu) & msk; /* c stays 0 */
                }
            }
    }
    e->wv = wv_next;
    e->wm = e->m1, e->wn = e->n1;
    /* Stage 1: read k-step cycle-1 and register it. */
    e->v1 = e->cycle >= 1 && e->cycle <= e->steps;
    for (uint32_t l = 0; l < R * D; l++)
        e->a_addr[l] = TE_NO_ACCESS;
    for (uint32_t l = 0; l < D * C; l++)
        e->b_addr[l] = TE_NO_ACCESS;
    if (e->v1) {
        for (uint32_t i = 0; i < R; i++)
            for (uint32_t d = 0; d < D; d++) {
                const uint64_t m = e->m0 + i, k = e->k0 + d;
                const int ok = m < e->g.m && k < e->g.k;
                e->a_addr[i * D + d] = ok ? (uint32_t)(m * e->g.k + k) : TE_NO_ACCESS;
                e->a_q[i * D + d] = ok && e->a ? operand(cf, e->a[m * e->g.k + k], 0) : 0;
            }
        for (uint32_t d = 0; d < D; d++)
            for (uint32_t j = 0; j < C; j++) {
                const uint64_t k = e->k0 + d, n = e->n0 + j;
                const int ok = k < e->g.k && n < e->g.n;
                e->b_addr[d * C + j] = ok ? (uint32_t)(k * e->g.n + n) : TE_NO_ACCESS;
                e->b_q[d * C + j] = ok && e->b ? operand(cf, e->b[k * e->g.n + n], 1) : 0;
            }
        e->first1 = e->k0 == 0;
        e->last1 = e->k0 + D >= e->g.k;
        e->m1 = e->m0, e->n1 = e->n0;
        if (!e->last1) {
            e->k0 += D;
        } else {
            e->k0 = 0;
            if (e->n0 + C < e->g.n) {
                e->n0 += C;
            } else {
                e->n0 = 0;
                e->m0 += R;
            }
        }
    }
    if (ports) {
        ports->a_addr = e->a_addr;
        ports->b_addr = e->b_addr;
        ports->o_addr = e->o_addr;
        ports->o_data = e->o_data;
    }
    e->cycle++;
    return 1;
}

/* Minifloat reference, from the formats' formula (numfmt_ref_value, not
 * numfmt_decode): products exact in double (at most 7 x 7 significand
 * bits), scaled to units of 2^(q_a + q_b), summed in 128 bits. */
static void reference_float(const te_cfg_t *cfg, const te_gemm_t *g, const int32_t *a,
                            const int32_t *b, int32_t *out)
{
    const int unit = numfmt_lsb_exp(&cfg->in_fmt) + numfmt_lsb_exp(&cfg->w_fmt);
    const uint32_t am = mask_of(cfg->in_bits), bm = mask_of(cfg->w_bits);
    for (uint64_t m = 0; m < g->m; m++)
        for (uint64_t n = 0; n < g->n; n++) {
            __int128 s = 0;
            for (uint64_t k = 0; k < g->k; k++) {
                int ca, cb;
                const double va = numfmt_ref_value(&cfg->in_fmt, (uint32_t)a[m * g->k + k] & am, &ca);
                const double vb = numfmt_ref_value(&cfg->w_fmt, (uint32_t)b[k * g->n + n] & bm, &cb);
                if (ca || cb) /* Inf and NaN count as 0 (numfmt.h) */
                    continue;
                s += (__int128)ldexp(va * vb, -unit);
            }
            out[m * g->n + n] = sext((int64_t)(uint64_t)(unsigned __int128)s, cfg->acc_bits);
        }
}

void te_reference_gemm(const te_cfg_t *cfg, const te_gemm_t *g, const int32_t *a,
                       const int32_t *b, int32_t *out)
{
    if (numfmt_is_float(&cfg->in_fmt)) {
        reference_float(cfg, g, a, b, out);
        return;
    }
    for (uint64_t m = 0; m < g->m; m++)
        for (uint64_t n = 0; n < g->n; n++) {
            uint64_t acc = 0; /* unsigned: wraps without undefined behaviour */
            for (uint64_t k = 0; k < g->k; k++)
                acc += (uint64_t)((int64_t)sext(a[m * g->k + k], cfg->in_bits) *
                                  sext(b[k * g->n + n], cfg->w_bits));
            out[m * g->n + n] = sext((int64_t)acc, cfg->acc_bits);
        }
}

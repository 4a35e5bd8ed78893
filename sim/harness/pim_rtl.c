/* pim_rtl.c - load, build and drive the Verilated PIM unit; the C model's
 * run with the same record; the reference arithmetic; the unit's rtlcheck
 * glue. */
#include "pim_rtl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vlib.h"
#include "../../models/util.h"

struct pim_rtl {
    vlib_t v;
    const vpim_api_t *api;
    pim_cfg_t cfg;
};

pim_rtl_t *pim_rtl_open(const pim_cfg_t *cfg, const vpim_api_t *api, char *err, size_t errlen)
{
    if (pim_cfg_check(cfg, err, errlen) != 0)
        return NULL;
    static const char *const srcs[] = {"rtl/pim_unit.v", "rtl/pim_shim.cpp", "rtl/pim_shim.h",
                                       "rtl/vshim.h",    "rtl/vshim.hpp",    "rtl/pim_build.sh",
                                       "rtl/vbuild.sh"};
    const unsigned fp = cfg->prec == PIM_FP16;
    char what[96], dir[128], args[96];
    snprintf(what, sizeof what, "the PIM unit (%u lanes %s)", cfg->lanes, pim_prec_name(cfg->prec));
    snprintf(dir, sizeof dir, "pim/pim_l%u_fp%u_g%u_s%u_a%u", cfg->lanes, fp,
             cfg->grf_entries, cfg->srf_entries, cfg->acc_entries);
    snprintf(args, sizeof args, "%u %u %u %u %u", cfg->lanes, fp, cfg->grf_entries,
             cfg->srf_entries, cfg->acc_entries);
    const vlib_spec_t spec = {what, dir, "libvpim.so", "rtl/pim_build.sh", args, srcs,
                              ARRAY_LEN(srcs), VPIM_API_SYMBOL};
    pim_rtl_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->cfg = *cfg;
    if (vlib_load(&spec, api ? &api->base : NULL, &r->v, err, errlen) != 0) {
        free(r);
        return NULL;
    }
    r->api = (const vpim_api_t *)r->v.api;
    if (r->api->lanes != cfg->lanes || r->api->fp != fp ||
        r->api->ng != cfg->grf_entries || r->api->ns != cfg->srf_entries ||
        r->api->na != cfg->acc_entries) {
        snprintf(err, errlen, "%s: not the library for this configuration (rebuild it)", dir);
        pim_rtl_close(r);
        return NULL;
    }
    return r;
}

void pim_rtl_close(pim_rtl_t *r)
{
    if (!r)
        return;
    vlib_unload(&r->v);
    free(r);
}

/* One cycle, recorded alike for the RTL and the model runs; read-back words
 * go to rb. */
static void record(ports_rec_t *rec, pim_readback_t *rb, uint32_t lanes, uint64_t cycle, int rd_rb,
                   uint32_t col, int rd_valid, const uint32_t *data)
{
    if (rd_rb)
        ports_record(rec, cycle, PIM_PORT_RB, 1, &col, NULL);
    if (rd_valid) {
        ports_record(rec, cycle, PIM_PORT_RD, lanes, NULL, data);
        if (rb->n < rb->cap)
            memcpy(rb->words + rb->n * lanes, data, lanes * sizeof *data);
        rb->n++;
    }
}

int pim_rtl_run(pim_rtl_t *r, const pim_seq_t *s, uint64_t max_cycles, ports_rec_t *rec,
                pim_readback_t *rb, char *err, size_t errlen)
{
    const vpim_api_t *api = r->api;
    void *h = r->v.h;
    const uint32_t L = r->cfg.lanes;
    ports_init(rec);
    rb->n = 0;
    uint16_t rbd[PIM_MAX_LANES];
    uint32_t rdd[PIM_MAX_LANES];
    /* Synchronous reset: two edges with rst high. */
    api->set_cmd(h, 1, 0, 0, 0, 0, 0, NULL);
    for (int i = 0; i < 2; i++) {
        api->base.set_clk_eval(h, 0);
        api->base.set_clk_eval(h, 1);
    }
    for (uint64_t cyc = 0;; cyc++) {
        if (cyc >= max_cycles) {
            snprintf(err, errlen, "rtl: pipeline not empty after %llu cycles",
                     (unsigned long long)cyc);
            return -1;
        }
        const pim_cmd_t *c = cyc < s->n ? &s->cmd[cyc] : NULL;
        if (c && c->op != PIM_NOP)
            api->set_cmd(h, 0, 1, (uint32_t)c->op, c->dst, c->src, c->col, c->data);
        else
            api->set_cmd(h, 0, 0, 0, 0, 0, 0, NULL);
        api->base.set_clk_eval(h, 0);
        uint32_t col = 0;
        const int rd_rb = api->get_rb(h, &col);
        if (rd_rb && ports_check(cyc, "row-buffer read", 1, &col, s->ncols, err, errlen) != 0)
            return -1;
        for (uint32_t l = 0; l < L; l++)
            rbd[l] = rd_rb ? s->row[(size_t)col * L + l] : 0;
        api->set_rb_data(h, rbd);
        const int rd_valid = api->get_rd(h, rdd);
        record(rec, rb, L, cyc, rd_rb, col, rd_valid, rdd);
        api->base.set_clk_eval(h, 1);
        if (cyc + 1 >= s->n && !api->busy(h)) {
            rec->cycles = cyc + 1;
            return 0;
        }
    }
}

int pim_rtl_model_run(const pim_cfg_t *cfg, const pim_seq_t *s, ports_rec_t *rec,
                      pim_readback_t *rb, char *err, size_t errlen)
{
    pim_unit_t *u = malloc(sizeof *u);
    if (!u) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pim_unit_init(u, cfg);
    ports_init(rec);
    rb->n = 0;
    pim_ports_t p;
    for (uint64_t cyc = 0;; cyc++) {
        const int busy = pim_unit_step(u, cyc < s->n ? &s->cmd[cyc] : NULL, s->row, &p);
        record(rec, rb, cfg->lanes, cyc, p.rb_rd, p.rb_col, p.rd_valid, p.rd_data);
        if (cyc + 1 >= s->n && !busy) {
            rec->cycles = cyc + 1;
            break;
        }
    }
    free(u);
    return 0;
}

/* ---- reference arithmetic ------------------------------------------------ */

static double half_to_double(uint16_t h)
{
    const int e = (h >> 10) & 31, f = h & 1023;
    const double s = (h >> 15) ? -1.0 : 1.0;
    if (e == 31)
        return f ? NAN : s * INFINITY;
    if (e == 0)
        return s * ldexp((double)f, -24);
    return s * ldexp((double)(1024 + f), e - 25);
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

uint32_t pimref_mac(pim_prec_t prec, uint32_t acc, uint16_t row, uint16_t opnd)
{
    if (prec == PIM_INT8) {
        const int64_t p = (int64_t)(int8_t)(row & 0xFF) * (int64_t)(int8_t)(opnd & 0xFF);
        return (uint32_t)((int64_t)acc + p);
    }
    const double prod = half_to_double(row) * half_to_double(opnd); /* exact */
    const double sum = (double)bits_float(acc) + prod;
    const float f = (float)sum;
    return isnan(f) ? PIM_FP32_QNAN : float_bits(f);
}

/* Two accumulator words added in the reference arithmetic: fp32 through
 * double (exact for two floats, then one rounding), int32 modulo 2^32. */
static uint32_t ref_add(pim_prec_t prec, uint32_t a, uint32_t b)
{
    if (prec == PIM_INT8)
        return (uint32_t)((int64_t)(int32_t)a + (int64_t)(int32_t)b);
    const float f = (float)((double)bits_float(a) + (double)bits_float(b));
    return isnan(f) ? PIM_FP32_QNAN : float_bits(f);
}

/* MACT: products exact, then the tree of models/pim.h written as recursion
 * over halves of the zero-padded power-of-two range. */
static uint32_t ref_tree(pim_prec_t prec, const uint32_t *v, uint32_t lo, uint32_t w, uint32_t n)
{
    if (w == 1)
        return lo < n ? v[lo] : 0u;
    return ref_add(prec, ref_tree(prec, v, lo, w / 2, n), ref_tree(prec, v, lo + w / 2, w / 2, n));
}

static uint32_t ref_prod(pim_prec_t prec, uint16_t row, uint16_t opnd)
{
    if (prec == PIM_INT8)
        return (uint32_t)(int32_t)((int8_t)(row & 0xFF) * (int8_t)(opnd & 0xFF));
    const float f = (float)(half_to_double(row) * half_to_double(opnd)); /* exact */
    return isnan(f) ? PIM_FP32_QNAN : float_bits(f);
}

size_t pimref_run(const pim_cfg_t *cfg, const pim_seq_t *s, uint32_t *out)
{
    const uint32_t L = cfg->lanes;
    const uint16_t mask = cfg->prec == PIM_FP16 ? 0xFFFF : 0xFF;
    uint16_t grf[PIM_MAX_REGS][PIM_MAX_LANES] = {{0}}, srf[PIM_MAX_REGS] = {0};
    uint32_t acc[PIM_MAX_REGS][PIM_MAX_LANES] = {{0}};
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const pim_cmd_t *c = &s->cmd[i];
        if (c->op == PIM_MACT) {
            uint32_t p[PIM_MAX_LANES], w = 1;
            for (uint32_t l = 0; l < L; l++)
                p[l] = ref_prod(cfg->prec, s->row[(size_t)c->col * L + l] & mask, grf[c->src][l]);
            while (w < L)
                w *= 2;
            uint32_t *a = &acc[c->dst][c->data[0]];
            *a = ref_add(cfg->prec, *a, ref_tree(cfg->prec, p, 0, w, L));
            continue;
        }
        for (uint32_t l = 0; l < L; l++) {
            switch (c->op) {
            case PIM_WRGRF: grf[c->dst][l] = c->data[l] & mask; break;
            case PIM_WRSRF: srf[c->dst] = c->data[0] & mask; break;
            case PIM_MAC:
            case PIM_MACS: {
                const uint16_t o = c->op == PIM_MAC ? grf[c->src][l] : srf[c->src];
                acc[c->dst][l] =
                    pimref_mac(cfg->prec, acc[c->dst][l], s->row[(size_t)c->col * L + l] & mask, o);
                break;
            }
            case PIM_CLR: acc[c->dst][l] = 0; break;
            case PIM_RDACC: out[n * L + l] = acc[c->dst][l]; break;
            default: break;
            }
        }
        n += c->op == PIM_RDACC;
    }
    return n;
}

/* ---- rtlcheck glue ------------------------------------------------------- */

enum { SEQ_CAP = 256 };   /* commands per case: 48 plus idle cycles and read-backs */

typedef struct {
    pim_rtlcheck_cfg_t cfg;
    pim_rtl_t *rtl;
    pim_cmd_t cmd[SEQ_CAP];
    pim_seq_t s;                 /* the case: cmd over row */
    uint16_t *row;               /* cols x lanes elements */
    uint32_t *ref, *om, *orr;    /* SEQ_CAP x lanes words each */
    size_t nref;                 /* read-backs of the reference */
    pim_readback_t rbm, rbr;     /* model's and RTL's read-backs (into om, orr) */
} check_t;

static void check_close(void *ctx)
{
    check_t *c = ctx;
    pim_rtl_close(c->rtl);
    free(c->row);
    free(c->ref);
    free(c->om);
    free(c->orr);
    free(c);
}

static void *check_open(const void *cfg, char *err, size_t errlen)
{
    check_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = *(const pim_rtlcheck_cfg_t *)cfg;
    c->rtl = pim_rtl_open(&c->cfg.unit, c->cfg.api, err, errlen);
    if (!c->rtl) {
        free(c);
        return NULL;
    }
    const size_t L = c->cfg.unit.lanes;
    c->row = malloc((size_t)c->cfg.cols * L * sizeof *c->row);
    c->ref = malloc(SEQ_CAP * L * sizeof *c->ref);
    c->om = malloc(SEQ_CAP * L * sizeof *c->om);
    c->orr = malloc(SEQ_CAP * L * sizeof *c->orr);
    if (!c->row || !c->ref || !c->om || !c->orr) {
        snprintf(err, errlen, "out of memory");
        check_close(c);
        return NULL;
    }
    c->rbm = (pim_readback_t){c->om, SEQ_CAP, 0};
    c->rbr = (pim_readback_t){c->orr, SEQ_CAP, 0};
    return c;
}

/* A random element: for fp16 mostly moderate normal numbers, plus
 * subnormals, signed zeros, infinities, NaNs and arbitrary bit patterns. */
static uint16_t rand_elem(uint64_t *rng, pim_prec_t prec)
{
    const uint64_t r = rtlcheck_rng_next(rng);
    if (prec == PIM_INT8)
        return (uint16_t)(r & 0xFF);
    const uint16_t sign = (uint16_t)((r >> 20) & 1) << 15, frac = (uint16_t)((r >> 32) & 1023);
    switch (r % 100) {
    case 0: case 1: case 2: return sign;                       /* +-0 */
    case 3: case 4: return sign | 0x7C00;                      /* +-inf */
    case 5: return sign | 0x7C00 | (frac ? frac : 1);          /* NaN */
    default: break;
    }
    if (r % 100 < 15)
        return sign | frac;                                    /* subnormal */
    if (r % 100 < 25)
        return (uint16_t)(r >> 40);                            /* any bits */
    return sign | (uint16_t)((8 + (r >> 44) % 16) << 10) | frac; /* 2^-7 .. 2^8 */
}

/* One random command sequence: 1..48 commands with idle cycles between,
 * ending with a read-back of every accumulator. */
static size_t rand_seq(uint64_t *rng, const pim_cfg_t *cfg, uint32_t ncols, pim_cmd_t *cmd,
                       size_t cap)
{
    const size_t want = 1 + rtlcheck_rng_next(rng) % 48;
    size_t n = 0;
    for (size_t i = 0; i < want && n + cfg->acc_entries + 3 < cap; i++) {
        for (uint64_t gap = rtlcheck_rng_next(rng) % 4; gap == 3 && n < cap / 2;
             gap = rtlcheck_rng_next(rng) % 4)
            cmd[n++] = (pim_cmd_t){PIM_NOP, 0, 0, 0, {0}};
        pim_cmd_t c = {PIM_NOP, 0, 0, 0, {0}};
        const uint64_t r = rtlcheck_rng_next(rng) % 100;
        c.op = r < 15 ? PIM_WRGRF : r < 25 ? PIM_WRSRF : r < 45 ? PIM_MAC : r < 60 ? PIM_MACS
             : r < 75 ? PIM_MACT : r < 85 ? PIM_CLR : PIM_RDACC;
        switch (c.op) {
        case PIM_WRGRF:
            c.dst = (uint32_t)(rtlcheck_rng_next(rng) % cfg->grf_entries);
            for (uint32_t l = 0; l < cfg->lanes; l++)
                c.data[l] = rand_elem(rng, cfg->prec);
            break;
        case PIM_WRSRF:
            c.dst = (uint32_t)(rtlcheck_rng_next(rng) % cfg->srf_entries);
            c.data[0] = rand_elem(rng, cfg->prec);
            break;
        case PIM_MAC:
        case PIM_MACS:
        case PIM_MACT:
            c.dst = (uint32_t)(rtlcheck_rng_next(rng) % cfg->acc_entries);
            c.src = (uint32_t)(rtlcheck_rng_next(rng) %
                               (c.op == PIM_MACS ? cfg->srf_entries : cfg->grf_entries));
            c.col = (uint32_t)(rtlcheck_rng_next(rng) % ncols);
            if (c.op == PIM_MACT)
                c.data[0] = (uint16_t)(rtlcheck_rng_next(rng) % cfg->lanes);
            break;
        default: c.dst = (uint32_t)(rtlcheck_rng_next(rng) % cfg->acc_entries); break;
        }
        cmd[n++] = c;
    }
    for (uint32_t a = 0; a < cfg->acc_entries; a++)
        cmd[n++] = (pim_cmd_t){PIM_RDACC, a, 0, 0, {0}};
    return n;
}

static int check_draw(void *ctx, uint64_t *rng, uint64_t dims[3], char *err, size_t errlen)
{
    (void)err, (void)errlen;
    check_t *c = ctx;
    const pim_cfg_t *cfg = &c->cfg.unit;
    for (size_t i = 0; i < (size_t)c->cfg.cols * cfg->lanes; i++)
        c->row[i] = rand_elem(rng, cfg->prec);
    c->s = (pim_seq_t){c->cmd, rand_seq(rng, cfg, c->cfg.cols, c->cmd, SEQ_CAP), c->row,
                       c->cfg.cols};
    c->nref = pimref_run(cfg, &c->s, c->ref);
    dims[0] = c->s.n, dims[1] = cfg->lanes, dims[2] = c->cfg.cols;
    return 0;
}

static int check_model(void *ctx, ports_rec_t *rec, char *err, size_t errlen)
{
    check_t *c = ctx;
    return pim_rtl_model_run(&c->cfg.unit, &c->s, rec, &c->rbm, err, errlen);
}

/* The time limit is set by the sequence, not the model: 4 cycles a command. */
static int check_rtl(void *ctx, uint64_t model_cycles, ports_rec_t *rec, char *err,
                     size_t errlen)
{
    (void)model_cycles;
    check_t *c = ctx;
    if (pim_rtl_run(c->rtl, &c->s, 4 * c->s.n + 100, rec, &c->rbr, err, errlen) != 0) {
        c->rbr.n = 0;   /* no read-backs: every case has some, so the values differ */
        return -1;
    }
    return 0;
}

/* Read-backs bit for bit: model, RTL and reference. */
static uint64_t check_compare(void *ctx)
{
    const check_t *c = ctx;
    if (c->rbm.n != c->nref || c->rbr.n != c->nref)
        return 1;
    uint64_t vm = 0;
    for (size_t i = 0; i < c->nref * c->cfg.unit.lanes; i++)
        vm += c->om[i] != c->orr[i] || c->om[i] != c->ref[i];
    return vm;
}

static void check_describe(const void *ctx, char *out, size_t n)
{
    const check_t *c = ctx;
    snprintf(out, n, " (%zu commands)", c->s.n);
}

const rtlcheck_block_t pim_rtlcheck = {
    "pim",       check_open, check_close,   check_draw,
    check_model, check_rtl,  check_compare, check_describe,
};

/* lut_rtl.c - load, build and drive the Verilated LUT unit; the model's run
 * with the same record; the unit's rtlcheck glue. */
#include "lut_rtl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vlib.h"
#include "../../models/util.h"

_Static_assert(LUT_NO_ACCESS == PORTS_IDLE && VSHIM_NO_ACCESS == PORTS_IDLE,
               "one idle-lane address for the model, the RTL and the record");

struct lut_rtl {
    vlib_t v;
    const vlut_api_t *api;
    uint32_t *a_addr, *w_addr, *o_addr;
    int32_t *a_data, *w_data, *o_data;
};

lut_rtl_t *lut_rtl_open(const lut_cfg_t *cfg, const vlut_api_t *api, char *err, size_t errlen)
{
    static const char *const srcs[] = {"rtl/lut_tc.v",     "rtl/lut_shim.cpp", "rtl/lut_shim.h",
                                       "rtl/vshim.h",      "rtl/vshim.hpp",    "rtl/lut_build.sh",
                                       "rtl/vbuild.sh"};
    char name[128], what[160], dir[160], args[96];
    snprintf(name, sizeof name, "lut_m%u_n%u_k%u_g%u_p%u_a%u_s%d", cfg->tm, cfg->tn, cfg->tk,
             cfg->g, lut_planes(cfg), cfg->a_bits, cfg->sym_table ? 1 : 0);
    snprintf(what, sizeof what, "the LUT unit %s", name);
    snprintf(dir, sizeof dir, "lut/%s", name);
    snprintf(args, sizeof args, "%u %u %u %u %u %u %d", cfg->tm, cfg->tn, cfg->tk, cfg->g,
             lut_planes(cfg), cfg->a_bits, cfg->sym_table ? 1 : 0);
    const vlib_spec_t spec = {what, dir, "libvlut.so", "rtl/lut_build.sh", args, srcs,
                              ARRAY_LEN(srcs), VLUT_API_SYMBOL};
    lut_rtl_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (vlib_load(&spec, api ? &api->base : NULL, &r->v, err, errlen) != 0) {
        free(r);
        return NULL;
    }
    r->api = (const vlut_api_t *)r->v.api;
    if (r->api->tm != cfg->tm || r->api->tn != cfg->tn || r->api->tk != cfg->tk ||
        r->api->g != cfg->g || r->api->planes != lut_planes(cfg) ||
        r->api->a_bits != cfg->a_bits || r->api->sym != (unsigned)(cfg->sym_table ? 1 : 0)) {
        snprintf(err, errlen, "%s: not the library for this shape (rebuild it)", dir);
        lut_rtl_close(r);
        return NULL;
    }
    const unsigned L = r->api->a_lanes, N = r->api->tn;
    r->a_addr = calloc(L, sizeof *r->a_addr);
    r->a_data = calloc(L, sizeof *r->a_data);
    r->w_addr = calloc(N, sizeof *r->w_addr);
    r->w_data = calloc(N, sizeof *r->w_data);
    r->o_addr = calloc(N, sizeof *r->o_addr);
    r->o_data = calloc(N, sizeof *r->o_data);
    if (!r->a_addr || !r->a_data || !r->w_addr || !r->w_data || !r->o_addr || !r->o_data) {
        snprintf(err, errlen, "out of memory");
        lut_rtl_close(r);
        return NULL;
    }
    return r;
}

void lut_rtl_close(lut_rtl_t *r)
{
    if (!r)
        return;
    vlib_unload(&r->v);
    free(r->a_addr);
    free(r->a_data);
    free(r->w_addr);
    free(r->w_data);
    free(r->o_addr);
    free(r->o_data);
    free(r);
}

/* One cycle's accesses, recorded alike for the RTL and the model. */
static void record(ports_rec_t *rec, uint64_t cycle, unsigned a_lanes, unsigned tn,
                   const uint32_t *a_addr, const uint32_t *w_addr, const uint32_t *o_addr,
                   const int32_t *o_data, int o_acc)
{
    ports_record(rec, cycle, LUT_PORT_A, a_lanes, a_addr, NULL);
    ports_record(rec, cycle, LUT_PORT_W, tn, w_addr, NULL);
    ports_record(rec, cycle, o_acc ? LUT_PORT_O_ACC : LUT_PORT_O, tn, o_addr,
                 (const uint32_t *)o_data);
}

int lut_rtl_run(lut_rtl_t *r, const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *a,
                const uint8_t *packed, int32_t *out, uint64_t max_cycles, ports_rec_t *rec,
                char *err, size_t errlen)
{
    const vlut_api_t *api = r->api;
    const unsigned L = api->a_lanes, N = api->tn;
    void *h = r->v.h;
    int32_t cz;
    uint32_t sh;
    lut_correction(cfg, &cz, &sh);
    ports_init(rec);
    memset(out, 0, g->m * g->n * sizeof *out);
    const uint32_t m = (uint32_t)g->m, n = (uint32_t)g->n, k = (uint32_t)g->k;
    const uint64_t a_size = g->m * g->k, w_size = lut_packed_words(cfg, g), o_size = g->m * g->n;
    api->set_inputs(h, 1, 0, m, n, k, cz, sh);
    for (int i = 0; i < 2; i++) {
        api->base.set_clk_eval(h, 0);
        api->base.set_clk_eval(h, 1);
    }
    api->set_inputs(h, 0, 1, m, n, k, cz, sh);
    for (uint64_t cyc = 0;; cyc++) {
        if (cyc >= max_cycles) {
            snprintf(err, errlen, "rtl: no done after %llu cycles", (unsigned long long)cyc);
            return -1;
        }
        api->base.set_clk_eval(h, 0);
        api->get_reads(h, r->a_addr, r->w_addr);
        if (ports_check(cyc, "activation read", L, r->a_addr, a_size, err, errlen) != 0 ||
            ports_check(cyc, "weight read", N, r->w_addr, w_size, err, errlen) != 0)
            return -1;
        for (unsigned l = 0; l < L; l++)
            r->a_data[l] = r->a_addr[l] == PORTS_IDLE ? 0 : a[r->a_addr[l]];
        for (unsigned c = 0; c < N; c++)
            r->w_data[c] = r->w_addr[c] == PORTS_IDLE ? 0 : packed[r->w_addr[c]];
        api->set_read_data(h, r->a_data, r->w_data);
        const int acc = api->get_writes(h, r->o_addr, r->o_data);
        if (ports_check(cyc, "output write", N, r->o_addr, o_size, err, errlen) != 0)
            return -1;
        for (unsigned c = 0; c < N; c++) {
            const uint32_t o = r->o_addr[c];
            if (o != PORTS_IDLE)
                out[o] = acc ? (int32_t)((uint32_t)out[o] + (uint32_t)r->o_data[c]) : r->o_data[c];
        }
        record(rec, cyc, L, N, r->a_addr, r->w_addr, r->o_addr, r->o_data, acc);
        api->base.set_clk_eval(h, 1);
        if (cyc == 0)
            api->set_inputs(h, 0, 0, m, n, k, cz, sh);
        if (api->done(h)) {
            rec->cycles = cyc + 1;
            return 0;
        }
    }
}

int lut_rtl_model_run(const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *a,
                      const uint8_t *packed, int32_t *out, ports_rec_t *rec)
{
    lut_unit_t *u = lut_unit_new(cfg);
    if (!u)
        return -1;
    ports_init(rec);
    memset(out, 0, g->m * g->n * sizeof *out);
    lut_unit_start(u, g, a, packed, out);
    lut_ports_t p;
    uint64_t cyc = 0;
    while (lut_unit_step(u, &p)) {
        record(rec, cyc, p.a_lanes, cfg->tn, p.a_addr, p.w_addr, p.o_addr, p.o_data, p.o_acc);
        cyc++;
    }
    rec->cycles = cyc;
    lut_unit_free(u);
    return 0;
}

/* ---- rtlcheck glue ------------------------------------------------------- */

typedef struct {
    lut_rtlcheck_cfg_t cfg;
    lut_rtl_t *rtl;
    lut_gemm_t g;               /* the case */
    lut_cfg_t cc;               /* the case's quantization (mixed: drawn) */
    int32_t *a, *q, *om, *orr;  /* activations, weight codes; model and RTL outputs */
    uint8_t *pk;                /* packed weights */
} check_t;

static void free_case(check_t *c)
{
    free(c->a);
    free(c->q);
    free(c->om);
    free(c->orr);
    free(c->pk);
    c->a = c->q = c->om = c->orr = NULL;
    c->pk = NULL;
}

static void *check_open(const void *cfg, char *err, size_t errlen)
{
    check_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = *(const lut_rtlcheck_cfg_t *)cfg;
    c->rtl = lut_rtl_open(&c->cfg.lut, c->cfg.api, err, errlen);
    if (!c->rtl) {
        free(c);
        return NULL;
    }
    return c;
}

static void check_close(void *ctx)
{
    check_t *c = ctx;
    free_case(c);
    lut_rtl_close(c->rtl);
    free(c);
}

static int check_draw(void *ctx, uint64_t *rng, uint64_t dims[3], char *err, size_t errlen)
{
    check_t *c = ctx;
    const lut_cfg_t *cfg = &c->cfg.lut;
    const uint32_t P = lut_planes(cfg);
    c->g.m = c->cfg.m ? c->cfg.m : rtlcheck_rand_dim(rng, cfg->tm, 6);
    c->g.n = c->cfg.n ? c->cfg.n : rtlcheck_rand_dim(rng, cfg->tn, 6);
    c->g.k = c->cfg.k ? c->cfg.k : rtlcheck_rand_dim(rng, cfg->tk, 6);
    const lut_gemm_t *g = &c->g;
    c->cc = *cfg;
    if (c->cfg.mixed) {
        c->cc.wq = rtlcheck_rng_next(rng) & 1 ? LUT_WQ_ZP : LUT_WQ_SYM;
        c->cc.zp = (uint32_t)(rtlcheck_rng_next(rng) % (1u << P));
    }
    if (lut_gemm_check(&c->cc, g, err, errlen) != 0)
        return 2;
    free_case(c);
    c->a = malloc(g->m * g->k * sizeof *c->a);
    c->q = malloc(g->k * g->n * sizeof *c->q);
    c->pk = malloc(lut_packed_words(&c->cc, g));
    c->om = malloc(g->m * g->n * sizeof *c->om);
    c->orr = malloc(g->m * g->n * sizeof *c->orr);
    if (!c->a || !c->q || !c->pk || !c->om || !c->orr) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    for (uint64_t i = 0; i < g->m * g->k; i++) {
        const uint32_t span = 1u << c->cc.a_bits;
        c->a[i] = (int32_t)(rtlcheck_rng_next(rng) % span) - (int32_t)(span / 2);
    }
    for (uint64_t i = 0; i < g->k * g->n; i++)
        c->q[i] = (int32_t)(rtlcheck_rng_next(rng) % (c->cfg.ternary ? 3u : 1u << P));
    lut_pack_weights(&c->cc, g, c->q, c->pk);
    dims[0] = g->m, dims[1] = g->n, dims[2] = g->k;
    return 0;
}

static int check_model(void *ctx, ports_rec_t *rec, char *err, size_t errlen)
{
    check_t *c = ctx;
    if (lut_rtl_model_run(&c->cc, &c->g, c->a, c->pk, c->om, rec) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int check_rtl(void *ctx, uint64_t model_cycles, ports_rec_t *rec, char *err,
                     size_t errlen)
{
    check_t *c = ctx;
    if (lut_rtl_run(c->rtl, &c->cc, &c->g, c->a, c->pk, c->orr, 4 * model_cycles + 1000, rec,
                    err, errlen) != 0) {
        memset(c->orr, 0, c->g.m * c->g.n * sizeof *c->orr);
        return -1;
    }
    return 0;
}

/* Model against RTL, and both against the plain integer GEMM on the
 * dequantized weights. */
static uint64_t check_compare(void *ctx)
{
    const check_t *c = ctx;
    const lut_gemm_t *g = &c->g;
    uint64_t vm = 0;
    for (uint64_t i = 0; i < g->m; i++)
        for (uint64_t j = 0; j < g->n; j++) {
            int64_t s = 0;
            for (uint64_t kk = 0; kk < g->k; kk++)
                s += (int64_t)c->a[i * g->k + kk] * lut_dequant(&c->cc, c->q[kk * g->n + j]);
            const uint64_t o = i * g->n + j;
            vm += c->om[o] != c->orr[o] || (int64_t)c->om[o] != s;
        }
    return vm;
}

static void check_describe(const void *ctx, char *out, size_t n)
{
    const check_t *c = ctx;
    snprintf(out, n, " M=%" PRIu64 " N=%" PRIu64 " K=%" PRIu64 " wq=%s zp=%u", c->g.m, c->g.n,
             c->g.k, lut_wq_name(c->cc.wq), c->cc.zp);
}

const rtlcheck_block_t lut_rtlcheck = {
    "lut",       check_open, check_close,   check_draw,
    check_model, check_rtl,  check_compare, check_describe,
};

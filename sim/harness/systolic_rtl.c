/* systolic_rtl.c - load, build and drive the Verilated systolic array; the
 * model's run with the same record; the array's rtlcheck glue. */
#include "systolic_rtl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vlib.h"
#include "../../models/util.h"

_Static_assert(SYSTOLIC_NO_ACCESS == PORTS_IDLE && VSHIM_NO_ACCESS == PORTS_IDLE,
               "one idle-lane address for the model, the RTL and the record");

struct systolic_rtl {
    vlib_t v;
    const vsys_api_t *api;
    uint32_t *a_addr, *b_addr, *o_addr;
    int32_t *a_data, *b_data, *o_data;
};

systolic_rtl_t *systolic_rtl_open(const systolic_cfg_t *cfg, const vsys_api_t *api, char *err,
                                  size_t errlen)
{
    static const char *const srcs[] = {"rtl/systolic.v", "rtl/mfdec.vh", "rtl/systolic_shim.cpp",
                                       "rtl/systolic_shim.h", "rtl/vshim.h", "rtl/vshim.hpp",
                                       "rtl/build.sh", "rtl/vbuild.sh"};
    char what[64], dir[128], args[96];
    const unsigned af = cfg->in_fmt.e * 16u + cfg->in_fmt.m, bf = cfg->w_fmt.e * 16u + cfg->w_fmt.m;
    const unsigned osd = cfg->os_drain == SYSTOLIC_DRAIN_OVERLAP;
    snprintf(what, sizeof what, "the %ux%u array", cfg->rows, cfg->cols);
    const unsigned wor0 = cfg->ws_out_unreg != 0;
    if (osd || cfg->compressed || wor0) {
        /* array.os_drain: overlap, array.compressed and array.ws_out_reg:
         * false: their own libraries, ..._osd1, ..._cmp1, ..._wor0 (joined
         * when several; build.sh's 9th to 11th arguments); the other shapes
         * keep theirs */
        snprintf(dir, sizeof dir, "rtl/systolic_r%u_c%u_a%u_w%u_acc%u_af%u_bf%u%s%s%s", cfg->rows,
                 cfg->cols, cfg->in_bits, cfg->w_bits, cfg->acc_bits, af, bf, osd ? "_osd1" : "",
                 cfg->compressed ? "_cmp1" : "", wor0 ? "_wor0" : "");
        snprintf(args, sizeof args, "%u %u %u %u %u %u %u %u %u %u", cfg->rows, cfg->cols,
                 cfg->in_bits, cfg->w_bits, cfg->acc_bits, af, bf, osd, cfg->compressed ? 1u : 0u,
                 wor0 ? 0u : 1u);
    } else if (af || bf) {
        snprintf(dir, sizeof dir, "rtl/systolic_r%u_c%u_a%u_w%u_acc%u_af%u_bf%u", cfg->rows,
                 cfg->cols, cfg->in_bits, cfg->w_bits, cfg->acc_bits, af, bf);
        snprintf(args, sizeof args, "%u %u %u %u %u %u %u", cfg->rows, cfg->cols, cfg->in_bits,
                 cfg->w_bits, cfg->acc_bits, af, bf);
    } else {
        snprintf(dir, sizeof dir, "rtl/systolic_r%u_c%u_a%u_w%u_acc%u", cfg->rows, cfg->cols,
                 cfg->in_bits, cfg->w_bits, cfg->acc_bits);
        snprintf(args, sizeof args, "%u %u %u %u %u", cfg->rows, cfg->cols, cfg->in_bits,
                 cfg->w_bits, cfg->acc_bits);
    }
    const vlib_spec_t spec = {what, dir, "libvsystolic.so", "rtl/build.sh", args, srcs,
                              ARRAY_LEN(srcs), VSYS_API_SYMBOL};
    systolic_rtl_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (vlib_load(&spec, api ? &api->base : NULL, &r->v, err, errlen) != 0) {
        free(r);
        return NULL;
    }
    r->api = (const vsys_api_t *)r->v.api;
    if (r->api->rows != cfg->rows || r->api->cols != cfg->cols ||
        r->api->in_bits != cfg->in_bits || r->api->w_bits != cfg->w_bits ||
        r->api->acc_bits != cfg->acc_bits || r->api->in_fmt != af || r->api->w_fmt != bf ||
        r->api->os_drain != osd || r->api->compressed != (unsigned)(cfg->compressed != 0) ||
        r->api->ws_out_reg != !wor0) {
        snprintf(err, errlen, "%s: not the library for this shape (rebuild it)", dir);
        systolic_rtl_close(r);
        return NULL;
    }
    const unsigned L = r->api->lanes, C = r->api->cols;
    r->a_addr = calloc(L, sizeof *r->a_addr);
    r->b_addr = calloc(L, sizeof *r->b_addr);
    r->o_addr = calloc(C, sizeof *r->o_addr);
    r->a_data = calloc(L, sizeof *r->a_data);
    r->b_data = calloc(L, sizeof *r->b_data);
    r->o_data = calloc(C, sizeof *r->o_data);
    if (!r->a_addr || !r->b_addr || !r->o_addr || !r->a_data || !r->b_data || !r->o_data) {
        snprintf(err, errlen, "out of memory");
        systolic_rtl_close(r);
        return NULL;
    }
    return r;
}

void systolic_rtl_close(systolic_rtl_t *r)
{
    if (!r)
        return;
    vlib_unload(&r->v);
    free(r->a_addr);
    free(r->b_addr);
    free(r->o_addr);
    free(r->a_data);
    free(r->b_data);
    free(r->o_data);
    free(r);
}

/* One cycle's accesses; the RTL and the model runs record them alike. */
static void record(ports_rec_t *rec, uint64_t cycle, unsigned lanes, unsigned cols,
                   const uint32_t *a_addr, const uint32_t *b_addr, const uint32_t *o_addr,
                   const int32_t *o_data, int o_acc)
{
    ports_record(rec, cycle, SYSTOLIC_PORT_A, lanes, a_addr, NULL);
    ports_record(rec, cycle, SYSTOLIC_PORT_B, lanes, b_addr, NULL);
    ports_record(rec, cycle, o_acc ? SYSTOLIC_PORT_O_ACC : SYSTOLIC_PORT_O, cols, o_addr,
                 (const uint32_t *)o_data);
}

int systolic_rtl_run(systolic_rtl_t *r, systolic_dataflow_t df, const systolic_gemm_t *g,
                     const int32_t *a, const int32_t *b, int32_t *out, uint64_t max_cycles,
                     ports_rec_t *rec, char *err, size_t errlen)
{
    const vsys_api_t *api = r->api;
    const unsigned L = api->lanes, C = api->cols;
    void *h = r->v.h;
    ports_init(rec);
    memset(out, 0, g->m * g->n * sizeof *out);
    const uint32_t m = (uint32_t)g->m, n = (uint32_t)g->n, k = (uint32_t)g->k;
    const uint64_t a_size = g->m * g->k, b_size = g->k * g->n, o_size = g->m * g->n;
    api->set_inputs(h, 1, 0, m, n, k, (uint32_t)df);
    for (int i = 0; i < 2; i++) {
        api->base.set_clk_eval(h, 0);
        api->base.set_clk_eval(h, 1);
    }
    api->set_inputs(h, 0, 1, m, n, k, (uint32_t)df);
    for (uint64_t cyc = 0;; cyc++) {
        if (cyc >= max_cycles) {
            snprintf(err, errlen, "rtl: no done after %llu cycles", (unsigned long long)cyc);
            return -1;
        }
        api->base.set_clk_eval(h, 0);
        api->get_reads(h, r->a_addr, r->b_addr);
        if (ports_check(cyc, "A read", L, r->a_addr, a_size, err, errlen) != 0 ||
            ports_check(cyc, "B read", L, r->b_addr, b_size, err, errlen) != 0)
            return -1;
        for (unsigned l = 0; l < L; l++) {
            r->a_data[l] = r->a_addr[l] == PORTS_IDLE ? 0 : a[r->a_addr[l]];
            r->b_data[l] = r->b_addr[l] == PORTS_IDLE ? 0 : b[r->b_addr[l]];
        }
        api->set_read_data(h, r->a_data, r->b_data);
        const int acc = api->get_writes(h, r->o_addr, r->o_data);
        if (ports_check(cyc, "O write", C, r->o_addr, o_size, err, errlen) != 0)
            return -1;
        for (unsigned j = 0; j < C; j++) {
            const uint32_t o = r->o_addr[j];
            if (o != PORTS_IDLE)
                out[o] = acc ? systolic_wrap((int64_t)out[o] + r->o_data[j], api->acc_bits)
                             : r->o_data[j];
        }
        record(rec, cyc, L, C, r->a_addr, r->b_addr, r->o_addr, r->o_data, acc);
        api->base.set_clk_eval(h, 1);
        if (cyc == 0)
            api->set_inputs(h, 0, 0, m, n, k, (uint32_t)df);
        if (api->done(h)) {
            rec->cycles = cyc + 1;
            return 0;
        }
    }
}

int systolic_rtl_model_run(const systolic_cfg_t *cfg, const systolic_gemm_t *g, const int32_t *a,
                           const int32_t *b, int32_t *out, ports_rec_t *rec)
{
    systolic_array_t *sa = systolic_array_new(cfg);
    if (!sa)
        return -1;
    ports_init(rec);
    memset(out, 0, g->m * g->n * sizeof *out);
    systolic_array_start(sa, g, a, b, out);
    systolic_ports_t p;
    uint64_t cyc = 0;
    while (systolic_array_step(sa, &p)) {
        record(rec, cyc, p.lanes, cfg->cols, p.a_addr, p.b_addr, p.o_addr, p.o_data, p.o_acc);
        cyc++;
    }
    rec->cycles = cyc;
    systolic_array_free(sa);
    return 0;
}

/* ---- rtlcheck glue ------------------------------------------------------- */

typedef struct {
    systolic_rtlcheck_cfg_t cfg;
    systolic_rtl_t *rtl;
    systolic_gemm_t g;                  /* the case */
    rtlcheck_gemm_bufs_t buf;           /* operands; model, RTL and reference outputs */
} check_t;

static void *check_open(const void *cfg, char *err, size_t errlen)
{
    check_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = *(const systolic_rtlcheck_cfg_t *)cfg;
    c->rtl = systolic_rtl_open(&c->cfg.array, c->cfg.api, err, errlen);
    if (!c->rtl) {
        free(c);
        return NULL;
    }
    return c;
}

static void check_close(void *ctx)
{
    check_t *c = ctx;
    rtlcheck_gemm_bufs_free(&c->buf);
    systolic_rtl_close(c->rtl);
    free(c);
}

static void fill(uint64_t *rng, int32_t *x, uint64_t n, uint32_t bits)
{
    for (uint64_t i = 0; i < n; i++)
        x[i] = systolic_wrap((int64_t)rtlcheck_rng_next(rng), bits);
}

static int check_draw(void *ctx, uint64_t *rng, uint64_t dims[3], char *err, size_t errlen)
{
    check_t *c = ctx;
    const systolic_cfg_t *arr = &c->cfg.array;
    const uint64_t base = util_max_u64(arr->rows, arr->cols);
    c->g.m = c->cfg.m ? c->cfg.m : rtlcheck_rand_dim(rng, base, 12);
    c->g.n = c->cfg.n ? c->cfg.n : rtlcheck_rand_dim(rng, base, 12);
    c->g.k = c->cfg.k ? c->cfg.k : rtlcheck_rand_dim(rng, base, 12);
    const systolic_gemm_t *g = &c->g;
    if (rtlcheck_gemm_bufs_alloc(&c->buf, g->m, g->n, g->k, err, errlen) != 0)
        return 1;
    fill(rng, c->buf.a, g->m * g->k, arr->in_bits);
    fill(rng, c->buf.b, g->k * g->n, arr->w_bits);
    systolic_reference_gemm(arr, g, c->buf.a, c->buf.b, c->buf.oref);
    dims[0] = g->m, dims[1] = g->n, dims[2] = g->k;
    return 0;
}

static int check_model(void *ctx, ports_rec_t *rec, char *err, size_t errlen)
{
    check_t *c = ctx;
    if (systolic_rtl_model_run(&c->cfg.array, &c->g, c->buf.a, c->buf.b, c->buf.om, rec) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int check_rtl(void *ctx, uint64_t model_cycles, ports_rec_t *rec, char *err,
                     size_t errlen)
{
    check_t *c = ctx;
    if (systolic_rtl_run(c->rtl, c->cfg.array.dataflow, &c->g, c->buf.a, c->buf.b, c->buf.orr,
                         4 * model_cycles + 1000, rec, err, errlen) != 0) {
        memset(c->buf.orr, 0, c->g.m * c->g.n * sizeof *c->buf.orr);
        return -1;
    }
    return 0;
}

static uint64_t check_compare(void *ctx)
{
    const check_t *c = ctx;
    uint64_t vm = 0;
    for (uint64_t i = 0; i < c->g.m * c->g.n; i++)
        vm += c->buf.om[i] != c->buf.orr[i] || c->buf.om[i] != c->buf.oref[i];
    return vm;
}

static void check_describe(const void *ctx, char *out, size_t n)
{
    const check_t *c = ctx;
    snprintf(out, n, " M=%" PRIu64 " N=%" PRIu64 " K=%" PRIu64, c->g.m, c->g.n, c->g.k);
}

const rtlcheck_block_t systolic_rtlcheck = {
    "systolic", check_open,  check_close,   check_draw,
    check_model, check_rtl, check_compare, check_describe,
};

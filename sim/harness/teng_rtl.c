/* teng_rtl.c - load, build and drive the Verilated tensor engine; the C
 * model's run with the same port record; the rtlcheck glue. */
#include "teng_rtl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vlib.h"
#include "../../models/util.h"

_Static_assert(TE_NO_ACCESS == PORTS_IDLE && VSHIM_NO_ACCESS == PORTS_IDLE,
               "one idle-lane address for the model, the RTL and the record");

typedef struct {
    teng_rtlcheck_cfg_t cfg;
    vlib_t v;
    const vteng_api_t *api;
    te_gemm_t g;                        /* the case */
    rtlcheck_gemm_bufs_t buf;           /* operands; model, RTL and reference outputs */
    uint32_t *a_addr, *b_addr, *o_addr; /* one cycle's lanes */
    int32_t *a_data, *b_data, *o_data;
} check_t;

static void check_close(void *ctx)
{
    check_t *c = ctx;
    if (!c)
        return;
    rtlcheck_gemm_bufs_free(&c->buf);
    vlib_unload(&c->v);
    free(c->a_addr);
    free(c->b_addr);
    free(c->o_addr);
    free(c->a_data);
    free(c->b_data);
    free(c->o_data);
    free(c);
}

static void *check_open(const void *cfg, char *err, size_t errlen)
{
    static const char *const srcs[] = {"rtl/tensor_engine.v", "rtl/mfdec.vh", "rtl/teng_shim.cpp",
                                       "rtl/teng_shim.h",     "rtl/vshim.h",
                                       "rtl/vshim.hpp",       "rtl/teng_build.sh",
                                       "rtl/vbuild.sh"};
    check_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = *(const teng_rtlcheck_cfg_t *)cfg;
    const te_cfg_t *e = &c->cfg.eng;
    if (te_cfg_check(e, err, errlen) != 0) {
        free(c);
        return NULL;
    }
    char what[80], dir[128], args[96];
    snprintf(what, sizeof what, "the %ux%ux%u %s engine", e->rows, e->cols, e->depth,
             te_kind_name(e->kind));
    const unsigned af = e->in_fmt.e * 16u + e->in_fmt.m, bf = e->w_fmt.e * 16u + e->w_fmt.m;
    snprintf(dir, sizeof dir, "rtl/teng_r%u_c%u_d%u_a%u_w%u_acc%u_x%d", e->rows, e->cols,
             e->depth, e->in_bits, e->w_bits, e->acc_bits, e->compressed);
    snprintf(args, sizeof args, "%u %u %u %u %u %u %d", e->rows, e->cols, e->depth, e->in_bits,
             e->w_bits, e->acc_bits, e->compressed);
    if (af || bf) { /* minifloat engines: own directory, formats as parameters */
        const size_t dl = strlen(dir), al = strlen(args);
        snprintf(dir + dl, sizeof dir - dl, "_af%u_bf%u", af, bf);
        snprintf(args + al, sizeof args - al, " %u %u", af, bf);
    }
    const vlib_spec_t spec = {what, dir, "libvteng.so", "rtl/teng_build.sh", args, srcs,
                              ARRAY_LEN(srcs), VTENG_API_SYMBOL};
    if (vlib_load(&spec, c->cfg.api ? &c->cfg.api->base : NULL, &c->v, err, errlen) != 0) {
        free(c);
        return NULL;
    }
    c->api = (const vteng_api_t *)c->v.api;
    if (c->api->rows != e->rows || c->api->cols != e->cols || c->api->depth != e->depth ||
        c->api->in_bits != e->in_bits || c->api->w_bits != e->w_bits ||
        c->api->acc_bits != e->acc_bits || c->api->compressed != (unsigned)e->compressed ||
        c->api->in_fmt != af || c->api->w_fmt != bf) {
        snprintf(err, errlen, "%s: not the library for this shape (rebuild it)", dir);
        check_close(c);
        return NULL;
    }
    const size_t A = (size_t)e->rows * e->depth, B = (size_t)e->depth * e->cols,
                 O = (size_t)e->rows * e->cols;
    c->a_addr = calloc(A, sizeof *c->a_addr);
    c->b_addr = calloc(B, sizeof *c->b_addr);
    c->o_addr = calloc(O, sizeof *c->o_addr);
    c->a_data = calloc(A, sizeof *c->a_data);
    c->b_data = calloc(B, sizeof *c->b_data);
    c->o_data = calloc(O, sizeof *c->o_data);
    if (!c->a_addr || !c->b_addr || !c->o_addr || !c->a_data || !c->b_data || !c->o_data) {
        snprintf(err, errlen, "out of memory");
        check_close(c);
        return NULL;
    }
    return c;
}

static void record(ports_rec_t *rec, uint64_t cycle, const te_cfg_t *e, const uint32_t *a_addr,
                   const uint32_t *b_addr, const uint32_t *o_addr, const int32_t *o_data)
{
    ports_record(rec, cycle, TENG_PORT_A, e->rows * e->depth, a_addr, NULL);
    ports_record(rec, cycle, TENG_PORT_B, e->depth * e->cols, b_addr, NULL);
    ports_record(rec, cycle, TENG_PORT_O, e->rows * e->cols, o_addr, (const uint32_t *)o_data);
}

static void fill(uint64_t *rng, int32_t *x, uint64_t n, uint32_t bits)
{
    for (uint64_t i = 0; i < n; i++) {
        const uint64_t r = rtlcheck_rng_next(rng);
        const uint64_t m = (1ull << bits) - 1, sign = 1ull << (bits - 1);
        x[i] = (int32_t)(int64_t)(((r & m) ^ sign) - sign);
    }
}

static int check_draw(void *ctx, uint64_t *rng, uint64_t dims[3], char *err, size_t errlen)
{
    check_t *c = ctx;
    const te_cfg_t *e = &c->cfg.eng;
    const uint64_t base = util_max_u64(util_max_u64(e->rows, e->cols), e->depth);
    c->g.m = c->cfg.m ? c->cfg.m : rtlcheck_rand_dim(rng, base, 8);
    c->g.n = c->cfg.n ? c->cfg.n : rtlcheck_rand_dim(rng, base, 8);
    c->g.k = c->cfg.k ? c->cfg.k : rtlcheck_rand_dim(rng, base, 8);
    const te_gemm_t *g = &c->g;
    if (rtlcheck_gemm_bufs_alloc(&c->buf, g->m, g->n, g->k, err, errlen) != 0)
        return 1;
    fill(rng, c->buf.a, g->m * g->k, e->in_bits);
    fill(rng, c->buf.b, g->k * g->n, e->w_bits);
    te_reference_gemm(e, g, c->buf.a, c->buf.b, c->buf.oref);
    dims[0] = g->m, dims[1] = g->n, dims[2] = g->k;
    return 0;
}

static int check_model(void *ctx, ports_rec_t *rec, char *err, size_t errlen)
{
    check_t *c = ctx;
    te_engine_t *eng = te_engine_new(&c->cfg.eng);
    if (!eng) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ports_init(rec);
    memset(c->buf.om, 0, c->g.m * c->g.n * sizeof *c->buf.om);
    te_engine_start(eng, &c->g, c->buf.a, c->buf.b, c->buf.om);
    te_ports_t p;
    uint64_t cyc = 0;
    while (te_engine_step(eng, &p))
        record(rec, cyc++, &c->cfg.eng, p.a_addr, p.b_addr, p.o_addr, p.o_data);
    rec->cycles = cyc;
    te_engine_free(eng);
    return 0;
}

static int rtl_run(check_t *c, uint64_t max_cycles, ports_rec_t *rec, char *err, size_t errlen)
{
    const vteng_api_t *api = c->api;
    const te_cfg_t *e = &c->cfg.eng;
    const unsigned A = e->rows * e->depth, B = e->depth * e->cols, O = e->rows * e->cols;
    void *h = c->v.h;
    const te_gemm_t *g = &c->g;
    const uint32_t m = (uint32_t)g->m, n = (uint32_t)g->n, k = (uint32_t)g->k;
    const uint64_t a_size = g->m * g->k, b_size = g->k * g->n, o_size = g->m * g->n;
    ports_init(rec);
    memset(c->buf.orr, 0, o_size * sizeof *c->buf.orr);
    api->set_inputs(h, 1, 0, m, n, k);
    for (int i = 0; i < 2; i++) {
        api->base.set_clk_eval(h, 0);
        api->base.set_clk_eval(h, 1);
    }
    api->set_inputs(h, 0, 1, m, n, k);
    for (uint64_t cyc = 0;; cyc++) {
        if (cyc >= max_cycles) {
            snprintf(err, errlen, "rtl: no done after %" PRIu64 " cycles", cyc);
            return -1;
        }
        api->base.set_clk_eval(h, 0);
        api->get_reads(h, c->a_addr, c->b_addr);
        if (ports_check(cyc, "A read", A, c->a_addr, a_size, err, errlen) != 0 ||
            ports_check(cyc, "B read", B, c->b_addr, b_size, err, errlen) != 0)
            return -1;
        for (unsigned l = 0; l < A; l++)
            c->a_data[l] = c->a_addr[l] == PORTS_IDLE ? 0 : c->buf.a[c->a_addr[l]];
        for (unsigned l = 0; l < B; l++)
            c->b_data[l] = c->b_addr[l] == PORTS_IDLE ? 0 : c->buf.b[c->b_addr[l]];
        api->set_read_data(h, c->a_data, c->b_data);
        api->get_writes(h, c->o_addr, c->o_data);
        if (ports_check(cyc, "O write", O, c->o_addr, o_size, err, errlen) != 0)
            return -1;
        for (unsigned l = 0; l < O; l++)
            if (c->o_addr[l] != PORTS_IDLE)
                c->buf.orr[c->o_addr[l]] = c->o_data[l];
        record(rec, cyc, e, c->a_addr, c->b_addr, c->o_addr, c->o_data);
        api->base.set_clk_eval(h, 1);
        if (cyc == 0)
            api->set_inputs(h, 0, 0, m, n, k);
        if (api->done(h)) {
            rec->cycles = cyc + 1;
            return 0;
        }
    }
}

static int check_rtl(void *ctx, uint64_t model_cycles, ports_rec_t *rec, char *err,
                     size_t errlen)
{
    check_t *c = ctx;
    if (rtl_run(c, 4 * model_cycles + 1000, rec, err, errlen) != 0) {
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

#define TENG_BLOCK(name) \
    {name, check_open, check_close, check_draw, check_model, check_rtl, check_compare, \
     check_describe}
const rtlcheck_block_t teng_rtlcheck[TE_KINDS] = {
    [TE_ADDERTREE] = TENG_BLOCK("addertree"),
    [TE_CUBE] = TENG_BLOCK("cube"),
    [TE_MATRIX2D] = TENG_BLOCK("matrix2d"),
};

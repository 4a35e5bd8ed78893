/* lut_rtl.c - load, build and drive the Verilated LUT unit. */
#include "lut_rtl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../rtl/lut_shim.h"
#include "vlib.h"

struct rtl_lut {
    void *so;
    const vlut_api_t *api;
    void *h;
    uint32_t *a_addr, *w_addr, *o_addr;
    int32_t *a_data, *w_data, *o_data;
};

void rtl_lut_shape_name(const lut_cfg_t *cfg, char *out, size_t n)
{
    snprintf(out, n, "lut_m%u_n%u_k%u_g%u_p%u_a%u_s%d", cfg->tm, cfg->tn, cfg->tk, cfg->g,
             lut_planes(cfg), cfg->a_bits, cfg->sym_table ? 1 : 0);
}

rtl_lut_t *rtl_lut_open(const lut_cfg_t *cfg, char *err, size_t errlen)
{
    static const char *const srcs[] = {"rtl/lut_tc.v", "rtl/lut_shim.cpp", "rtl/lut_shim.h",
                                       "rtl/lut_build.sh", "rtl/vbuild.sh"};
    char name[128], what[160], dir[160], args[96];
    rtl_lut_shape_name(cfg, name, sizeof name);
    snprintf(what, sizeof what, "the LUT unit %s", name);
    snprintf(dir, sizeof dir, "lut/%s", name);
    snprintf(args, sizeof args, "%u %u %u %u %u %u %d", cfg->tm, cfg->tn, cfg->tk, cfg->g,
             lut_planes(cfg), cfg->a_bits, cfg->sym_table ? 1 : 0);
    const vlib_spec_t spec = {what, dir, "libvlut.so", "rtl/lut_build.sh", args, srcs, 5,
                              VLUT_API_SYMBOL};
    rtl_lut_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->api = vlib_open(&spec, &r->so, err, errlen);
    if (!r->api) {
        free(r);
        return NULL;
    }
    if (r->api->tm != cfg->tm || r->api->tn != cfg->tn || r->api->tk != cfg->tk ||
        r->api->g != cfg->g || r->api->planes != lut_planes(cfg) ||
        r->api->a_bits != cfg->a_bits || r->api->sym != (unsigned)(cfg->sym_table ? 1 : 0)) {
        snprintf(err, errlen, "%s: not the library for this shape (rebuild it)", dir);
        rtl_lut_close(r);
        return NULL;
    }
    const unsigned L = r->api->a_lanes, N = r->api->tn;
    r->h = r->api->create();
    r->a_addr = calloc(L, sizeof *r->a_addr);
    r->a_data = calloc(L, sizeof *r->a_data);
    r->w_addr = calloc(N, sizeof *r->w_addr);
    r->w_data = calloc(N, sizeof *r->w_data);
    r->o_addr = calloc(N, sizeof *r->o_addr);
    r->o_data = calloc(N, sizeof *r->o_data);
    if (!r->h || !r->a_addr || !r->a_data || !r->w_addr || !r->w_data || !r->o_addr ||
        !r->o_data) {
        snprintf(err, errlen, "out of memory");
        rtl_lut_close(r);
        return NULL;
    }
    return r;
}

void rtl_lut_close(rtl_lut_t *r)
{
    if (!r)
        return;
    if (r->h)
        r->api->destroy(r->h);
    free(r->a_addr);
    free(r->a_data);
    free(r->w_addr);
    free(r->w_data);
    free(r->o_addr);
    free(r->o_data);
    vlib_close(r->so);
    free(r);
}


/* One cycle's accesses, hashed the same way for the RTL and the model. */
static void record(rtl_lut_activity_t *act, uint64_t cycle, unsigned a_lanes, unsigned tn,
                   const uint32_t *a_addr, const uint32_t *w_addr, const uint32_t *o_addr,
                   const int32_t *o_data, int o_acc)
{
    for (unsigned l = 0; l < a_lanes; l++) {
        if (a_addr[l] != LUT_NO_ACCESS) {
            act->a_reads++;
            vlib_fnv(&act->trace_hash, cycle);
            vlib_fnv(&act->trace_hash, ((uint64_t)1 << 40) | ((uint64_t)l << 32) | a_addr[l]);
        }
    }
    for (unsigned c = 0; c < tn; c++) {
        if (w_addr[c] != LUT_NO_ACCESS) {
            act->w_reads++;
            vlib_fnv(&act->trace_hash, cycle);
            vlib_fnv(&act->trace_hash, ((uint64_t)2 << 40) | ((uint64_t)c << 32) | w_addr[c]);
        }
        if (o_addr[c] != LUT_NO_ACCESS) {
            act->o_writes++;
            act->o_acc_writes += o_acc != 0;
            vlib_fnv(&act->trace_hash, cycle);
            vlib_fnv(&act->trace_hash,
                ((uint64_t)(3 + (o_acc != 0)) << 40) | ((uint64_t)c << 32) | o_addr[c]);
            vlib_fnv(&act->trace_hash, (uint32_t)o_data[c]);
        }
    }
}

static int out_of_range(char *err, size_t errlen, uint64_t cyc, const char *what, uint32_t x)
{
    snprintf(err, errlen, "rtl: cycle %llu: %s address %u is out of range",
             (unsigned long long)cyc, what, x);
    return -1;
}

int rtl_lut_run(rtl_lut_t *r, const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *a,
                const uint8_t *packed, int32_t *out, uint64_t max_cycles,
                rtl_lut_activity_t *act, char *err, size_t errlen)
{
    const vlut_api_t *api = r->api;
    const unsigned L = api->a_lanes, N = api->tn;
    void *h = r->h;
    int32_t cz;
    uint32_t sh;
    lut_correction(cfg, &cz, &sh);
    memset(act, 0, sizeof *act);
    act->trace_hash = VLIB_FNV_INIT;
    memset(out, 0, g->m * g->n * sizeof *out);
    const uint32_t m = (uint32_t)g->m, n = (uint32_t)g->n, k = (uint32_t)g->k;
    const uint64_t a_size = g->m * g->k, w_size = lut_packed_words(cfg, g), o_size = g->m * g->n;
    api->set_inputs(h, 1, 0, m, n, k, cz, sh);
    for (int i = 0; i < 2; i++) {
        api->set_clk_eval(h, 0);
        api->set_clk_eval(h, 1);
    }
    api->set_inputs(h, 0, 1, m, n, k, cz, sh);
    for (uint64_t cyc = 0;; cyc++) {
        if (cyc >= max_cycles) {
            snprintf(err, errlen, "rtl: no done after %llu cycles", (unsigned long long)cyc);
            return -1;
        }
        api->set_clk_eval(h, 0);
        api->get_reads(h, r->a_addr, r->w_addr);
        /* A wrong address is an RTL bug to report, never a wild access. */
        for (unsigned l = 0; l < L; l++) {
            const uint32_t x = r->a_addr[l];
            if (x != VLUT_NO_ACCESS && x >= a_size)
                return out_of_range(err, errlen, cyc, "activation read", x);
            r->a_data[l] = x == VLUT_NO_ACCESS ? 0 : a[x];
        }
        for (unsigned c = 0; c < N; c++) {
            const uint32_t x = r->w_addr[c];
            if (x != VLUT_NO_ACCESS && x >= w_size)
                return out_of_range(err, errlen, cyc, "weight read", x);
            r->w_data[c] = x == VLUT_NO_ACCESS ? 0 : packed[x];
        }
        api->set_read_data(h, r->a_data, r->w_data);
        const int acc = api->get_writes(h, r->o_addr, r->o_data);
        for (unsigned c = 0; c < N; c++) {
            const uint32_t o = r->o_addr[c];
            if (o != VLUT_NO_ACCESS && o >= o_size)
                return out_of_range(err, errlen, cyc, "output write", o);
            if (o != VLUT_NO_ACCESS)
                out[o] = acc ? (int32_t)((uint32_t)out[o] + (uint32_t)r->o_data[c]) : r->o_data[c];
        }
        record(act, cyc, L, N, r->a_addr, r->w_addr, r->o_addr, r->o_data, acc);
        api->set_clk_eval(h, 1);
        if (cyc == 0)
            api->set_inputs(h, 0, 0, m, n, k, cz, sh);
        if (api->done(h)) {
            act->cycles = cyc + 1;
            return 0;
        }
    }
}

int rtl_lut_model_run(const lut_cfg_t *cfg, const lut_gemm_t *g, const int32_t *a,
                      const uint8_t *packed, int32_t *out, rtl_lut_activity_t *act)
{
    lut_unit_t *u = lut_unit_new(cfg);
    if (!u)
        return -1;
    memset(act, 0, sizeof *act);
    act->trace_hash = VLIB_FNV_INIT;
    memset(out, 0, g->m * g->n * sizeof *out);
    lut_unit_start(u, g, a, packed, out);
    lut_ports_t p;
    uint64_t cyc = 0;
    while (lut_unit_step(u, &p)) {
        record(act, cyc, p.a_lanes, cfg->tn, p.a_addr, p.w_addr, p.o_addr, p.o_data, p.o_acc);
        cyc++;
    }
    act->cycles = cyc;
    lut_unit_free(u);
    return 0;
}

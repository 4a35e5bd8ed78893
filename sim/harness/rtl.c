/* rtl.c - load, build and drive the Verilated systolic array. */
#include "rtl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../rtl/systolic_shim.h"
#include "vlib.h"

struct rtl_systolic {
    void *so;
    const vsys_api_t *api;
    void *h;
    uint32_t *a_addr, *b_addr, *o_addr;
    int32_t *a_data, *b_data, *o_data;
};

rtl_systolic_t *rtl_systolic_open(const systolic_cfg_t *cfg, char *err, size_t errlen)
{
    static const char *const srcs[] = {"rtl/systolic.v", "rtl/systolic_shim.cpp",
                                       "rtl/systolic_shim.h", "rtl/build.sh", "rtl/vbuild.sh"};
    char what[64], dir[128], args[96];
    snprintf(what, sizeof what, "the %ux%u array", cfg->rows, cfg->cols);
    snprintf(dir, sizeof dir, "rtl/systolic_r%u_c%u_a%u_w%u_acc%u", cfg->rows, cfg->cols,
             cfg->in_bits, cfg->w_bits, cfg->acc_bits);
    snprintf(args, sizeof args, "%u %u %u %u %u", cfg->rows, cfg->cols, cfg->in_bits, cfg->w_bits,
             cfg->acc_bits);
    const vlib_spec_t spec = {what, dir, "libvsystolic.so", "rtl/build.sh", args, srcs, 5,
                              VSYS_API_SYMBOL};
    rtl_systolic_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->api = vlib_open(&spec, &r->so, err, errlen);
    if (!r->api) {
        free(r);
        return NULL;
    }
    if (r->api->rows != cfg->rows || r->api->cols != cfg->cols ||
        r->api->in_bits != cfg->in_bits || r->api->w_bits != cfg->w_bits ||
        r->api->acc_bits != cfg->acc_bits) {
        snprintf(err, errlen, "%s: not the library for this shape (rebuild it)", dir);
        rtl_systolic_close(r);
        return NULL;
    }
    const unsigned L = r->api->lanes, C = r->api->cols;
    r->h = r->api->create();
    r->a_addr = calloc(L, sizeof *r->a_addr);
    r->b_addr = calloc(L, sizeof *r->b_addr);
    r->o_addr = calloc(C, sizeof *r->o_addr);
    r->a_data = calloc(L, sizeof *r->a_data);
    r->b_data = calloc(L, sizeof *r->b_data);
    r->o_data = calloc(C, sizeof *r->o_data);
    if (!r->h || !r->a_addr || !r->b_addr || !r->o_addr || !r->a_data || !r->b_data ||
        !r->o_data) {
        snprintf(err, errlen, "out of memory");
        rtl_systolic_close(r);
        return NULL;
    }
    return r;
}

void rtl_systolic_close(rtl_systolic_t *r)
{
    if (!r)
        return;
    if (r->h)
        r->api->destroy(r->h);
    free(r->a_addr);
    free(r->b_addr);
    free(r->o_addr);
    free(r->a_data);
    free(r->b_data);
    free(r->o_data);
    vlib_close(r->so);
    free(r);
}


/* Records one cycle's accesses; shared by the RTL and the model runs so that
 * both are hashed the same way. */
static void record(rtl_activity_t *act, uint64_t cycle, unsigned lanes, unsigned cols,
                   const uint32_t *a_addr, const uint32_t *b_addr, const uint32_t *o_addr,
                   const int32_t *o_data, int o_acc)
{
    for (unsigned l = 0; l < lanes; l++) {
        if (a_addr[l] != SYSTOLIC_NO_ACCESS) {
            act->a_reads++;
            vlib_fnv(&act->trace_hash, cycle);
            vlib_fnv(&act->trace_hash, ((uint64_t)1 << 40) | ((uint64_t)l << 32) | a_addr[l]);
        }
        if (b_addr[l] != SYSTOLIC_NO_ACCESS) {
            act->b_reads++;
            vlib_fnv(&act->trace_hash, cycle);
            vlib_fnv(&act->trace_hash, ((uint64_t)2 << 40) | ((uint64_t)l << 32) | b_addr[l]);
        }
    }
    for (unsigned j = 0; j < cols; j++) {
        if (o_addr[j] != SYSTOLIC_NO_ACCESS) {
            act->o_writes++;
            act->o_acc_writes += o_acc != 0;
            vlib_fnv(&act->trace_hash, cycle);
            vlib_fnv(&act->trace_hash,
                ((uint64_t)(3 + (o_acc != 0)) << 40) | ((uint64_t)j << 32) | o_addr[j]);
            vlib_fnv(&act->trace_hash, (uint32_t)o_data[j]);
        }
    }
}

int rtl_systolic_run(rtl_systolic_t *r, systolic_dataflow_t df, const systolic_gemm_t *g,
                     const int32_t *a, const int32_t *b, int32_t *out, uint64_t max_cycles,
                     rtl_activity_t *act, char *err, size_t errlen)
{
    const vsys_api_t *api = r->api;
    const unsigned L = api->lanes, C = api->cols;
    void *h = r->h;
    memset(act, 0, sizeof *act);
    act->trace_hash = VLIB_FNV_INIT;
    memset(out, 0, g->m * g->n * sizeof *out);
    const uint32_t m = (uint32_t)g->m, n = (uint32_t)g->n, k = (uint32_t)g->k;
    api->set_inputs(h, 1, 0, m, n, k, (uint32_t)df);
    for (int i = 0; i < 2; i++) {
        api->set_clk_eval(h, 0);
        api->set_clk_eval(h, 1);
    }
    api->set_inputs(h, 0, 1, m, n, k, (uint32_t)df);
    for (uint64_t cyc = 0;; cyc++) {
        if (cyc >= max_cycles) {
            snprintf(err, errlen, "rtl: no done after %llu cycles", (unsigned long long)cyc);
            return -1;
        }
        api->set_clk_eval(h, 0);
        api->get_reads(h, r->a_addr, r->b_addr);
        for (unsigned l = 0; l < L; l++) {
            r->a_data[l] = r->a_addr[l] == VSYS_NO_ACCESS ? 0 : a[r->a_addr[l]];
            r->b_data[l] = r->b_addr[l] == VSYS_NO_ACCESS ? 0 : b[r->b_addr[l]];
        }
        api->set_read_data(h, r->a_data, r->b_data);
        const int acc = api->get_writes(h, r->o_addr, r->o_data);
        for (unsigned j = 0; j < C; j++) {
            const uint32_t o = r->o_addr[j];
            if (o != VSYS_NO_ACCESS)
                out[o] = acc ? systolic_wrap((int64_t)out[o] + r->o_data[j], api->acc_bits)
                             : r->o_data[j];
        }
        record(act, cyc, L, C, r->a_addr, r->b_addr, r->o_addr, r->o_data, acc);
        api->set_clk_eval(h, 1);
        if (cyc == 0)
            api->set_inputs(h, 0, 0, m, n, k, (uint32_t)df);
        if (api->done(h)) {
            act->cycles = cyc + 1;
            return 0;
        }
    }
}

int rtl_model_run(const systolic_cfg_t *cfg, const systolic_gemm_t *g, const int32_t *a,
                  const int32_t *b, int32_t *out, rtl_activity_t *act)
{
    systolic_array_t *sa = systolic_array_new(cfg);
    if (!sa)
        return -1;
    memset(act, 0, sizeof *act);
    act->trace_hash = VLIB_FNV_INIT;
    memset(out, 0, g->m * g->n * sizeof *out);
    systolic_array_start(sa, g, a, b, out);
    systolic_ports_t p;
    uint64_t cyc = 0;
    while (systolic_array_step(sa, &p)) {
        record(act, cyc, p.lanes, cfg->cols, p.a_addr, p.b_addr, p.o_addr, p.o_data, p.o_acc);
        cyc++;
    }
    act->cycles = cyc;
    systolic_array_free(sa);
    return 0;
}

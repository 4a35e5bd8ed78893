/* lut_rtl.c - load, build and drive the Verilated LUT unit. */
#include "lut_rtl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../rtl/lut_shim.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

struct rtl_lut {
    void *so;
    const vlut_api_t *api;
    void *h;
    uint32_t *a_addr, *w_addr, *o_addr;
    int32_t *a_data, *w_data, *o_data;
};

static const char *root_dir(void)
{
    const char *r = getenv("CODESIM_ROOT");
    return r && *r ? r : CODESIM_ROOT;
}

static void quote(char *out, size_t n, const char *s)
{
    size_t o = 0;
    if (o + 1 < n)
        out[o++] = '\'';
    for (; *s && o + 5 < n; s++) {
        if (*s == '\'') {
            memcpy(out + o, "'\\''", 4);
            o += 4;
        } else {
            out[o++] = *s;
        }
    }
    if (o + 1 < n)
        out[o++] = '\'';
    out[o] = 0;
}

static int lib_fresh(const char *lib)
{
    static const char *const srcs[] = {"rtl/lut_tc.v", "rtl/lut_shim.cpp", "rtl/lut_shim.h",
                                       "rtl/lut_build.sh"};
    struct stat sl, ss;
    if (stat(lib, &sl) != 0)
        return 0;
    for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", root_dir(), srcs[i]);
        if (stat(p, &ss) == 0 && ss.st_mtime > sl.st_mtime)
            return 0;
    }
    return 1;
}

void rtl_lut_shape_name(const lut_cfg_t *cfg, char *out, size_t n)
{
    snprintf(out, n, "lut_m%u_n%u_k%u_g%u_p%u_a%u_s%d", cfg->tm, cfg->tn, cfg->tk, cfg->g,
             lut_planes(cfg), cfg->a_bits, cfg->sym_table ? 1 : 0);
}

rtl_lut_t *rtl_lut_open(const lut_cfg_t *cfg, char *err, size_t errlen)
{
    char name[128], dir[4096], lib[4200];
    rtl_lut_shape_name(cfg, name, sizeof name);
    snprintf(dir, sizeof dir, "%s/build/lut/%s", root_dir(), name);
    snprintf(lib, sizeof lib, "%s/libvlut.so", dir);
    if (!lib_fresh(lib)) {
        char qs[4400], qd[4400], cmd[9200], script[4200];
        snprintf(script, sizeof script, "%s/rtl/lut_build.sh", root_dir());
        quote(qs, sizeof qs, script);
        quote(qd, sizeof qd, dir);
        snprintf(cmd, sizeof cmd, "%s %s %u %u %u %u %u %u %d 1>&2", qs, qd, cfg->tm, cfg->tn,
                 cfg->tk, cfg->g, lut_planes(cfg), cfg->a_bits, cfg->sym_table ? 1 : 0);
        fprintf(stderr, "rtl: building the LUT unit %s (once per shape)\n", name);
        const int rc = system(cmd);
        if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
            snprintf(err, errlen, "%s: RTL build failed (see the messages above)", script);
            return NULL;
        }
    }
    rtl_lut_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->so = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!r->so) {
        snprintf(err, errlen, "%s: cannot load: %s", lib, dlerror());
        free(r);
        return NULL;
    }
    vlut_api_fn get;
    *(void **)&get = dlsym(r->so, VLUT_API_SYMBOL);
    r->api = get ? get() : NULL;
    if (!r->api || r->api->tm != cfg->tm || r->api->tn != cfg->tn || r->api->tk != cfg->tk ||
        r->api->g != cfg->g || r->api->planes != lut_planes(cfg) ||
        r->api->a_bits != cfg->a_bits || r->api->sym != (unsigned)(cfg->sym_table ? 1 : 0)) {
        snprintf(err, errlen, "%s: not the library for this shape (rebuild it)", lib);
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
    if (r->so)
        dlclose(r->so);
    free(r);
}

static void fnv(uint64_t *h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        *h ^= (v >> (8 * i)) & 0xff;
        *h *= 0x100000001b3ull;
    }
}

/* One cycle's accesses, hashed the same way for the RTL and the model. */
static void record(rtl_lut_activity_t *act, uint64_t cycle, unsigned a_lanes, unsigned tn,
                   const uint32_t *a_addr, const uint32_t *w_addr, const uint32_t *o_addr,
                   const int32_t *o_data, int o_acc)
{
    for (unsigned l = 0; l < a_lanes; l++) {
        if (a_addr[l] != LUT_NO_ACCESS) {
            act->a_reads++;
            fnv(&act->trace_hash, cycle);
            fnv(&act->trace_hash, ((uint64_t)1 << 40) | ((uint64_t)l << 32) | a_addr[l]);
        }
    }
    for (unsigned c = 0; c < tn; c++) {
        if (w_addr[c] != LUT_NO_ACCESS) {
            act->w_reads++;
            fnv(&act->trace_hash, cycle);
            fnv(&act->trace_hash, ((uint64_t)2 << 40) | ((uint64_t)c << 32) | w_addr[c]);
        }
        if (o_addr[c] != LUT_NO_ACCESS) {
            act->o_writes++;
            act->o_acc_writes += o_acc != 0;
            fnv(&act->trace_hash, cycle);
            fnv(&act->trace_hash,
                ((uint64_t)(3 + (o_acc != 0)) << 40) | ((uint64_t)c << 32) | o_addr[c]);
            fnv(&act->trace_hash, (uint32_t)o_data[c]);
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
    act->trace_hash = 0xcbf29ce484222325ull;
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
    act->trace_hash = 0xcbf29ce484222325ull;
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

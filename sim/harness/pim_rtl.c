/* pim_rtl.c - load, build and drive the Verilated PIM unit; the C model's
 * run with the same activity record; the reference arithmetic. */
#include "pim_rtl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../rtl/pim_shim.h"
#include "vlib.h"

struct pim_rtl {
    void *so;
    const vpim_api_t *api;
    void *h;
    pim_cfg_t cfg;
};

pim_rtl_t *pim_rtl_open(const pim_cfg_t *cfg, char *err, size_t errlen)
{
    if (pim_cfg_check(cfg, err, errlen) != 0)
        return NULL;
    static const char *const srcs[] = {"rtl/pim_unit.v", "rtl/pim_shim.cpp", "rtl/pim_shim.h",
                                       "rtl/pim_build.sh", "rtl/vbuild.sh"};
    const unsigned fp = cfg->prec == PIM_FP16;
    char what[96], dir[128], args[96];
    snprintf(what, sizeof what, "the PIM unit (%u lanes %s)", cfg->lanes, pim_prec_name(cfg->prec));
    snprintf(dir, sizeof dir, "pim/pim_l%u_fp%u_g%u_s%u_a%u", cfg->lanes, fp,
             cfg->grf_entries, cfg->srf_entries, cfg->acc_entries);
    snprintf(args, sizeof args, "%u %u %u %u %u", cfg->lanes, fp, cfg->grf_entries,
             cfg->srf_entries, cfg->acc_entries);
    const vlib_spec_t spec = {what, dir, "libvpim.so", "rtl/pim_build.sh", args, srcs, 5,
                              VPIM_API_SYMBOL};
    pim_rtl_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->cfg = *cfg;
    r->api = vlib_open(&spec, &r->so, err, errlen);
    if (!r->api) {
        free(r);
        return NULL;
    }
    if (r->api->lanes != cfg->lanes || r->api->fp != fp ||
        r->api->ng != cfg->grf_entries || r->api->ns != cfg->srf_entries ||
        r->api->na != cfg->acc_entries) {
        snprintf(err, errlen, "%s: not the library for this configuration (rebuild it)", dir);
        pim_rtl_close(r);
        return NULL;
    }
    r->h = r->api->create();
    if (!r->h) {
        snprintf(err, errlen, "out of memory");
        pim_rtl_close(r);
        return NULL;
    }
    return r;
}

void pim_rtl_close(pim_rtl_t *r)
{
    if (!r)
        return;
    if (r->h)
        r->api->destroy(r->h);
    vlib_close(r->so);
    free(r);
}


/* Records one cycle; shared by the RTL and model runs. */
static int record(pim_activity_t *act, size_t *cap, uint32_t lanes, uint64_t cycle, int rb,
                  uint32_t col, int rd, const uint32_t *data)
{
    if (rb) {
        act->rb_reads++;
        vlib_fnv(&act->trace_hash, cycle << 8 | 1);
        vlib_fnv(&act->trace_hash, col);
    }
    if (rd) {
        if ((act->readbacks + 1) * lanes > *cap) {
            const size_t nc = *cap ? 2 * *cap : 64u * lanes;
            uint32_t *o = realloc(act->out, nc * sizeof *o);
            if (!o)
                return -1;
            act->out = o;
            *cap = nc;
        }
        memcpy(act->out + act->readbacks * lanes, data, lanes * sizeof *data);
        act->readbacks++;
        vlib_fnv(&act->trace_hash, cycle << 8 | 2);
        for (uint32_t l = 0; l < lanes; l++)
            vlib_fnv(&act->trace_hash, data[l]);
    }
    return 0;
}

static void act_init(pim_activity_t *act)
{
    memset(act, 0, sizeof *act);
    act->trace_hash = VLIB_FNV_INIT;
}

int pim_rtl_run(pim_rtl_t *r, const pim_seq_t *s, uint64_t max_cycles, pim_activity_t *act,
                char *err, size_t errlen)
{
    const vpim_api_t *api = r->api;
    void *h = r->h;
    const uint32_t L = r->cfg.lanes;
    act_init(act);
    size_t cap = 0;
    uint16_t rbd[PIM_MAX_LANES];
    uint32_t rdd[PIM_MAX_LANES];
    /* Synchronous reset: two edges with rst high. */
    api->set_cmd(h, 1, 0, 0, 0, 0, 0, NULL);
    for (int i = 0; i < 2; i++) {
        api->set_clk_eval(h, 0);
        api->set_clk_eval(h, 1);
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
        api->set_clk_eval(h, 0);
        uint32_t col = 0;
        const int rb = api->get_rb(h, &col);
        for (uint32_t l = 0; l < L; l++)
            rbd[l] = rb && col < s->ncols ? s->row[(size_t)col * L + l] : 0;
        api->set_rb_data(h, rbd);
        const int rd = api->get_rd(h, rdd);
        if (record(act, &cap, L, cyc, rb, col, rd, rdd) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        api->set_clk_eval(h, 1);
        if (cyc + 1 >= s->n && !api->busy(h)) {
            act->cycles = cyc + 1;
            return 0;
        }
    }
}

int pim_model_run(const pim_cfg_t *cfg, const pim_seq_t *s, pim_activity_t *act, char *err,
                  size_t errlen)
{
    pim_unit_t *u = malloc(sizeof *u);
    if (!u) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pim_unit_init(u, cfg);
    act_init(act);
    size_t cap = 0;
    pim_ports_t p;
    for (uint64_t cyc = 0;; cyc++) {
        const int busy = pim_unit_step(u, cyc < s->n ? &s->cmd[cyc] : NULL, s->row, &p);
        if (record(act, &cap, cfg->lanes, cyc, p.rb_rd, p.rb_col, p.rd_valid, p.rd_data) != 0) {
            free(u);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (cyc + 1 >= s->n && !busy) {
            act->cycles = cyc + 1;
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

size_t pimref_run(const pim_cfg_t *cfg, const pim_seq_t *s, uint32_t *out)
{
    const uint32_t L = cfg->lanes;
    const uint16_t mask = cfg->prec == PIM_FP16 ? 0xFFFF : 0xFF;
    uint16_t grf[PIM_MAX_REGS][PIM_MAX_LANES] = {{0}}, srf[PIM_MAX_REGS] = {0};
    uint32_t acc[PIM_MAX_REGS][PIM_MAX_LANES] = {{0}};
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const pim_cmd_t *c = &s->cmd[i];
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

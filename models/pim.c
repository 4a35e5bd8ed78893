/* pim.c - the PIM processing unit: arithmetic, command decode, functional
 * and cycle-by-cycle paths (see pim.h for the exact semantics). */
#include "pim.h"

#include "cfgkey.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

uint32_t pim_elem_bits(const pim_cfg_t *cfg) { return cfg->prec == PIM_FP16 ? 16u : 8u; }

uint32_t pim_col_bytes(const pim_cfg_t *cfg) { return cfg->lanes * pim_elem_bits(cfg) / 8u; }

const char *pim_prec_name(pim_prec_t p) { return p == PIM_FP16 ? "fp16" : "int8"; }

int pim_prec_parse(const char *s, pim_prec_t *out)
{
    if (!strcmp(s, "int8"))
        *out = PIM_INT8;
    else if (!strcmp(s, "fp16"))
        *out = PIM_FP16;
    else
        return -1;
    return 0;
}

static int range(const char *field, uint32_t v, uint32_t lo, uint32_t hi, char *err,
                 size_t errlen)
{
    if (v >= lo && v <= hi)
        return 0;
    snprintf(err, errlen, "%s: %u is outside %u..%u", field, v, lo, hi);
    return -1;
}

int pim_cfg_check(const pim_cfg_t *cfg, char *err, size_t errlen)
{
    if (range("pim.lanes", cfg->lanes, 1, PIM_MAX_LANES, err, errlen) ||
        range("pim.grf_entries", cfg->grf_entries, 1, PIM_MAX_REGS, err, errlen) ||
        range("pim.srf_entries", cfg->srf_entries, 1, PIM_MAX_REGS, err, errlen) ||
        range("pim.acc_entries", cfg->acc_entries, 1, PIM_MAX_REGS, err, errlen) ||
        range("pim.banks_per_unit", cfg->banks_per_unit, 1, 2, err, errlen))
        return -1;
    if (cfg->prec != PIM_INT8 && cfg->prec != PIM_FP16) {
        snprintf(err, errlen, "pim.precision: not int8 or fp16");
        return -1;
    }
    if (cfg->reduce != PIM_REDUCE_LANES && cfg->reduce != PIM_REDUCE_TREE) {
        snprintf(err, errlen, "pim.reduce: not lanes or tree");
        return -1;
    }
    return 0;
}

void pim_defaults(pim_cfg_t *cfg)
{
    *cfg = (pim_cfg_t){16, PIM_FP16, 8, 8, 8, 2, PIM_REDUCE_LANES};
}

int pim_cfg_set(pim_cfg_t *cfg, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "reduce") == 0) {
        if (strcmp(val, "lanes") == 0 || strcmp(val, "tree") == 0) {
            cfg->reduce = strcmp(val, "tree") == 0 ? PIM_REDUCE_TREE : PIM_REDUCE_LANES;
            return 0;
        }
        snprintf(err, errlen, "reduce: '%.40s' is not lanes or tree", val);
        return -1;
    }
    if (strcmp(key, "precision") == 0) {
        if (pim_prec_parse(val, &cfg->prec) != 0) {
            snprintf(err, errlen, "precision: '%.40s' is not int8 or fp16", val);
            return -1;
        }
        return 0;
    }
    static const char *const keys[] = {"lanes", "grf_entries", "srf_entries", "acc_entries",
                                       "banks_per_unit"};
    uint32_t *const dst[] = {&cfg->lanes, &cfg->grf_entries, &cfg->srf_entries,
                             &cfg->acc_entries, &cfg->banks_per_unit};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        if (strcmp(key, keys[i]) == 0) {
            uint64_t v;
            if (cfg_parse_uint(key, val, UINT32_MAX, &v, err, errlen) != 0)
                return -1;
            *dst[i] = (uint32_t)v;
            return 0;
        }
    }
    snprintf(err, errlen,
             "%s: unknown key (lanes, precision, grf_entries, srf_entries, acc_entries, "
             "banks_per_unit, reduce)",
             key);
    return -1;
}

int pim_cmd_check(const pim_cfg_t *cfg, const pim_cmd_t *c, uint32_t ncols, char *err,
                  size_t errlen)
{
    switch (c->op) {
    case PIM_NOP: return 0;
    case PIM_WRGRF: return range("cmd.grf", c->dst, 0, cfg->grf_entries - 1, err, errlen);
    case PIM_WRSRF: return range("cmd.srf", c->dst, 0, cfg->srf_entries - 1, err, errlen);
    case PIM_MAC:
    case PIM_MACS:
    case PIM_MACT:
        if (range("cmd.acc", c->dst, 0, cfg->acc_entries - 1, err, errlen) ||
            range(c->op == PIM_MACS ? "cmd.srf" : "cmd.grf", c->src, 0,
                  (c->op == PIM_MACS ? cfg->srf_entries : cfg->grf_entries) - 1, err, errlen) ||
            (c->op == PIM_MACT && range("cmd.lane", c->data[0], 0, cfg->lanes - 1, err, errlen)))
            return -1;
        if (ncols == 0 || c->col >= ncols) {
            snprintf(err, errlen, "cmd.col: %u is outside the row's %u columns", c->col, ncols);
            return -1;
        }
        return 0;
    case PIM_CLR:
    case PIM_RDACC: return range("cmd.acc", c->dst, 0, cfg->acc_entries - 1, err, errlen);
    }
    snprintf(err, errlen, "cmd.op: %d is not a PIM command", (int)c->op);
    return -1;
}

/* ---- arithmetic ---------------------------------------------------------- */

uint32_t pim_fp16_mul(uint16_t a, uint16_t b)
{
    const uint32_t sign = (uint32_t)((a ^ b) >> 15) << 31;
    const uint32_t ea = (a >> 10) & 31u, eb = (b >> 10) & 31u;
    const uint32_t fa = a & 1023u, fb = b & 1023u;
    const int nan_a = ea == 31 && fa, nan_b = eb == 31 && fb;
    const int inf_a = ea == 31 && !fa, inf_b = eb == 31 && !fb;
    const int zero_a = ea == 0 && !fa, zero_b = eb == 0 && !fb;
    if (nan_a || nan_b || (inf_a && zero_b) || (inf_b && zero_a))
        return PIM_FP32_QNAN;
    if (inf_a || inf_b)
        return sign | 0x7F800000u;
    if (zero_a || zero_b)
        return sign;
    const uint32_t ma = ea ? (1024u | fa) : fa, mb = eb ? (1024u | fb) : fb;
    const uint32_t xa = ea ? ea : 1u, xb = eb ? eb : 1u;
    const uint32_t p = ma * mb; /* < 2^22, exact */
    uint32_t n = 21;            /* position of the leading one */
    while (!(p >> n))
        n--;
    /* value = p * 2^(xa - 15 + xb - 15 - 20) = 1.f * 2^(n + xa + xb - 50) */
    const uint32_t exp = n + xa + xb + 77; /* biased; always within 79..158 */
    const uint32_t frac = (p << (23 - n)) & 0x7FFFFFu;
    return sign | exp << 23 | frac;
}

uint32_t pim_fp32_add(uint32_t a, uint32_t b)
{
    const uint32_t ea = (a >> 23) & 255u, eb = (b >> 23) & 255u;
    const uint32_t fa = a & 0x7FFFFFu, fb = b & 0x7FFFFFu;
    if ((ea == 255 && fa) || (eb == 255 && fb))
        return PIM_FP32_QNAN;
    if (ea == 255 && eb == 255)
        return ((a ^ b) >> 31) ? PIM_FP32_QNAN : a;
    if (ea == 255)
        return a;
    if (eb == 255)
        return b;
    uint32_t sa = a >> 31, sb = b >> 31;
    uint32_t xa = ea ? ea : 1u, xb = eb ? eb : 1u;
    uint32_t ma = ea ? (fa | 0x800000u) : fa, mb = eb ? (fb | 0x800000u) : fb;
    if (xb > xa || (xb == xa && mb > ma)) { /* a has the larger magnitude */
        uint32_t t;
        t = sa, sa = sb, sb = t;
        t = xa, xa = xb, xb = t;
        t = ma, ma = mb, mb = t;
    }
    const uint32_t d = xa - xb;
    uint32_t big = ma << 3, small = mb << 3; /* 3 bits: guard, round, sticky */
    if (d >= 27) {
        small = small != 0;
    } else if (d) {
        const uint32_t lost = small & ((1u << d) - 1u);
        small = (small >> d) | (lost != 0);
    }
    uint32_t sum = sa == sb ? big + small : big - small;
    if (sum == 0)
        return sa == sb ? sa << 31 : 0u; /* exact zero: +0 unless both -0 */
    int32_t x = (int32_t)xa;
    if (sum >> 27) { /* carry out: shift right keeping the sticky bit */
        sum = (sum >> 1) | (sum & 1u);
        x++;
    } else {
        while (!(sum >> 26) && x > 1) {
            sum <<= 1;
            x--;
        }
    }
    uint32_t mant = sum >> 3;
    const uint32_t grs = sum & 7u;
    if (grs > 4 || (grs == 4 && (mant & 1u)))
        mant++;
    if (mant >> 24) {
        mant >>= 1;
        x++;
    }
    if (x >= 255)
        return sa << 31 | 0x7F800000u;
    const uint32_t field = (mant >> 23) ? (uint32_t)x : 0u; /* subnormal when no hidden one */
    return sa << 31 | field << 23 | (mant & 0x7FFFFFu);
}

static uint32_t lane_prod(pim_prec_t prec, uint16_t row, uint16_t opnd)
{
    if (prec == PIM_FP16)
        return pim_fp16_mul(row, opnd);
    return (uint32_t)((int32_t)(int8_t)(uint8_t)row * (int32_t)(int8_t)(uint8_t)opnd);
}

static uint32_t lane_add(pim_prec_t prec, uint32_t acc, uint32_t prod)
{
    return prec == PIM_FP16 ? pim_fp32_add(acc, prod) : acc + prod; /* int32: mod 2^32 */
}

uint32_t pim_lane_mac(pim_prec_t prec, uint32_t acc, uint16_t row, uint16_t opnd)
{
    return lane_add(prec, acc, lane_prod(prec, row, opnd));
}

uint32_t pim_tree_sum(pim_prec_t prec, const uint32_t *prod, uint32_t n)
{
    uint32_t v[PIM_MAX_LANES], w = 1;
    while (w < n)
        w *= 2;
    for (uint32_t i = 0; i < w; i++)
        v[i] = i < n ? prod[i] : 0u; /* +0 (int 0) padding */
    for (; w > 1; w /= 2)
        for (uint32_t i = 0; i < w / 2; i++)
            v[i] = lane_add(prec, v[2 * i], v[2 * i + 1]);
    return v[0];
}

/* ---- the unit ------------------------------------------------------------- */

void pim_unit_init(pim_unit_t *u, const pim_cfg_t *cfg)
{
    memset(u, 0, sizeof *u);
    u->cfg = *cfg;
}

static uint16_t elem_mask(const pim_cfg_t *cfg) { return cfg->prec == PIM_FP16 ? 0xFFFFu : 0xFFu; }

void pim_unit_exec(pim_unit_t *u, const pim_cmd_t *c, const uint16_t *row, uint32_t *out)
{
    const uint32_t L = u->cfg.lanes;
    const uint16_t mask = elem_mask(&u->cfg);
    switch (c->op) {
    case PIM_NOP: break;
    case PIM_WRGRF:
        for (uint32_t l = 0; l < L; l++)
            u->r.grf[c->dst][l] = c->data[l] & mask;
        u->reg_writes++;
        break;
    case PIM_WRSRF:
        u->r.srf[c->dst] = c->data[0] & mask;
        u->reg_writes++;
        break;
    case PIM_MAC:
    case PIM_MACS:
        for (uint32_t l = 0; l < L; l++) {
            const uint16_t o = c->op == PIM_MAC ? u->r.grf[c->src][l] : u->r.srf[c->src];
            u->r.acc[c->dst][l] =
                pim_lane_mac(u->cfg.prec, u->r.acc[c->dst][l], row[(size_t)c->col * L + l] & mask, o);
        }
        u->macs += L;
        u->col_reads++;
        break;
    case PIM_MACT: {
        uint32_t prod[PIM_MAX_LANES] = {0};
        for (uint32_t l = 0; l < L; l++)
            prod[l] = lane_prod(u->cfg.prec, row[(size_t)c->col * L + l] & mask, u->r.grf[c->src][l]);
        uint32_t *a = &u->r.acc[c->dst][c->data[0]];
        *a = lane_add(u->cfg.prec, *a, pim_tree_sum(u->cfg.prec, prod, L));
        u->macs += L;
        u->col_reads++;
        break;
    }
    case PIM_CLR: memset(u->r.acc[c->dst], 0, sizeof u->r.acc[c->dst]); break;
    case PIM_RDACC:
        if (out)
            memcpy(out, u->r.acc[c->dst], L * sizeof *out);
        u->readbacks++;
        break;
    }
}

int pim_unit_step(pim_unit_t *u, const pim_cmd_t *cmd, const uint16_t *row, pim_ports_t *ports)
{
    const uint32_t L = u->cfg.lanes;
    const uint16_t mask = elem_mask(&u->cfg);
    pim_ports_t p;
    memset(&p, 0, sizeof p);

    /* A stage (oldest first: it sees every earlier command's effect). */
    pim_stage_t *a = &u->a;
    if (a->valid) {
        uint32_t *acc = u->r.acc[a->dst];
        switch (a->op) {
        case PIM_MAC:
        case PIM_MACS:
            for (uint32_t l = 0; l < L; l++)
                acc[l] = lane_add(u->cfg.prec, acc[l], a->prod[l]);
            break;
        case PIM_MACT:
            acc[a->lane] = lane_add(u->cfg.prec, acc[a->lane], pim_tree_sum(u->cfg.prec, a->prod, L));
            break;
        case PIM_CLR: memset(acc, 0, L * sizeof *acc); break;
        case PIM_RDACC:
            p.rd_valid = 1;
            memcpy(p.rd_data, acc, L * sizeof *acc);
            u->readbacks++;
            break;
        default: break;
        }
    }
    /* M stage: multiply into the next A stage. */
    pim_stage_t na;
    memset(&na, 0, sizeof na);
    if (u->m.valid) {
        na.valid = 1;
        na.op = u->m.op;
        na.dst = u->m.dst;
        na.lane = u->m.lane;
        if (na.op == PIM_MAC || na.op == PIM_MACS || na.op == PIM_MACT)
            for (uint32_t l = 0; l < L; l++)
                na.prod[l] = lane_prod(u->cfg.prec, u->m.row[l], u->m.opnd[l]);
    }
    /* D stage: read the row buffer and the operand registers; register writes. */
    pim_stage_t nm;
    memset(&nm, 0, sizeof nm);
    if (u->d.valid) {
        const pim_cmd_t *c = &u->d.cmd;
        nm.valid = 1;
        nm.op = c->op;
        nm.dst = c->dst;
        if (c->op == PIM_MAC || c->op == PIM_MACS || c->op == PIM_MACT) {
            p.rb_rd = 1;
            p.rb_col = c->col;
            nm.lane = c->op == PIM_MACT ? c->data[0] : 0;
            for (uint32_t l = 0; l < L; l++) {
                nm.row[l] = row[(size_t)c->col * L + l] & mask;
                nm.opnd[l] = c->op == PIM_MACS ? u->r.srf[c->src] : u->r.grf[c->src][l];
            }
            u->macs += L;
            u->col_reads++;
        } else if (c->op == PIM_WRGRF) {
            for (uint32_t l = 0; l < L; l++)
                u->r.grf[c->dst][l] = c->data[l] & mask;
            u->reg_writes++;
        } else if (c->op == PIM_WRSRF) {
            u->r.srf[c->dst] = c->data[0] & mask;
            u->reg_writes++;
        }
    }
    /* Clock edge. */
    u->a = na;
    u->m = nm;
    memset(&u->d, 0, sizeof u->d);
    if (cmd && cmd->op != PIM_NOP) {
        u->d.valid = 1;
        u->d.cmd = *cmd;
    }
    u->cycle++;
    if (ports)
        *ports = p;
    return u->a.valid || u->m.valid || u->d.valid;
}

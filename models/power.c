/* power.c - energy and area breakdowns over a technology table.
 *
 * The systolic model prices the design of rtl/systolic.v component by
 * component (see power_grid_um2 in power.h); `codesim synth` holds its area
 * ratios between array sizes against yosys synthesis of that RTL. */
#include "power.h"

#include <stdio.h>
#include <string.h>

void power_init(power_breakdown_t *b) { memset(b, 0, sizeof *b); }

int power_add(power_breakdown_t *b, const char *name, double v)
{
    size_t i = 0;
    while (i < b->n && strcmp(b->item[i].name, name))
        i++;
    if (i == b->n) {
        if (b->n == POWER_MAX_ITEMS || strlen(name) >= sizeof b->item[0].name)
            return -1;
        snprintf(b->item[i].name, sizeof b->item[i].name, "%s", name);
        b->item[i].value = 0;
        b->n++;
    }
    b->item[i].value += v;
    b->total += v;
    return 0;
}

int power_merge(power_breakdown_t *dst, const power_breakdown_t *src)
{
    for (size_t i = 0; i < src->n; i++)
        if (power_add(dst, src->item[i].name, src->item[i].value) != 0)
            return -1;
    return 0;
}

double power_get(const power_breakdown_t *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->item[i].name, name))
            return b->item[i].value;
    return 0;
}

static uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static uint64_t bytes_of(uint32_t bits) { return (bits + 7) / 8; } /* as sim/engine.c */

double power_grid_um2(const tech_t *t, uint32_t rows, uint32_t cols, uint32_t in_bits,
                      uint32_t w_bits, uint32_t acc_bits, power_breakdown_t *b)
{
    const double R = rows, C = cols, P = R * C;
    /* The RTL sign-extends both operands to OPW = max(in, w) bits for its
     * registers; the multiplier's useful width is in x w bits. */
    const double opw = max_u32(in_bits, w_bits), acc = acc_bits;
    const double mul = P * tech_mul_um2(t, in_bits, w_bits);
    const double add = (P + (R - 1) * C) * tech_add_um2(t, acc_bits);
    /* Register bits: w, v, acc in every PE; a where a right neighbour reads
     * it; b where a lower neighbour reads it. */
    const double reg_bits = P * (opw + 2 * acc) + R * (C - 1) * opw + (R - 1) * C * opw;
    /* One hold/load mux per register bit, two more per v_reg bit, and the
     * multiplier's b/w operand select. */
    const double mux_bits = reg_bits + P * (2 * acc + opw);
    const double reg = reg_bits * t->a.reg_bit, mux = mux_bits * t->a.mux_bit;
    if (b) {
        power_add(b, "array.mul", mul);
        power_add(b, "array.add", add);
        power_add(b, "array.reg", reg);
        power_add(b, "array.mux", mux);
    }
    return mul + add + reg + mux;
}

int power_systolic_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                        size_t errlen)
{
    const systolic_cfg_t *a = &hw->array;
    power_grid_um2(t, a->rows, a->cols, a->in_bits, a->w_bits, a->acc_bits, out);
    if (power_add(out, "sram.ifmap", tech_sram_um2(t, hw->sram.ifmap_bytes)) ||
        power_add(out, "sram.filter", tech_sram_um2(t, hw->sram.filter_bytes)) ||
        power_add(out, "sram.ofmap", tech_sram_um2(t, hw->sram.ofmap_bytes))) {
        snprintf(err, errlen, "area: more than %d components", POWER_MAX_ITEMS);
        return -1;
    }
    return 0;
}

/* Element accesses to one double-buffered scratchpad: each access touches
 * one half, so the per-byte energy is that of a half-sized array. */
static double sram_pj(const tech_t *t, uint64_t buf_bytes, uint64_t reads, uint64_t writes,
                      uint64_t elem_bytes)
{
    const uint64_t half = buf_bytes / 2 ? buf_bytes / 2 : 1;
    return (double)(reads * elem_bytes) * tech_sram_read_pj_per_byte(t, half) +
           (double)(writes * elem_bytes) * tech_sram_write_pj_per_byte(t, half);
}

int power_systolic_energy(const tech_t *t, const hw_cfg_t *hw, const layer_stats_t *st,
                          power_breakdown_t *out, char *err, size_t errlen)
{
    const systolic_cfg_t *a = &hw->array;
    const double macs = (double)st->macs;
    const double opw = max_u32(a->in_bits, a->w_bits);
    const double mac_pj = tech_mul_pj(t, a->in_bits, a->w_bits) + tech_add_pj(t, a->acc_bits);
    /* Per MAC the PE writes two operand-pipe registers (a and b in OS; a and
     * the stationary operand's share in WS/IS) and its accumulator or partial
     * sum. */
    const double reg_pj = (2 * opw + a->acc_bits) * t->e.reg_bit;
    const uint64_t ab = bytes_of(a->in_bits), bb = bytes_of(a->w_bits), ob = bytes_of(a->acc_bits);
    if (power_add(out, "array.mac", macs * mac_pj) ||
        power_add(out, "array.regs", macs * reg_pj) ||
        power_add(out, "sram.ifmap",
                  sram_pj(t, hw->sram.ifmap_bytes, st->ifmap_reads, st->ifmap_writes, ab)) ||
        power_add(out, "sram.filter",
                  sram_pj(t, hw->sram.filter_bytes, st->filter_reads, st->filter_writes, bb)) ||
        power_add(out, "sram.ofmap",
                  sram_pj(t, hw->sram.ofmap_bytes, st->ofmap_reads, st->ofmap_writes, ob)) ||
        power_add(out, "dram",
                  (double)(st->dram_read_bytes + st->dram_write_bytes) * 8.0 * t->e.dram_bit)) {
        snprintf(err, errlen, "energy: more than %d components", POWER_MAX_ITEMS);
        return -1;
    }
    return 0;
}

void power_metrics(const tech_t *t, uint64_t macs, uint64_t cycles, uint64_t pes,
                   double energy_pj, double area_um2, power_metrics_t *m)
{
    const double hz = t->clock_mhz * 1e6, ops = 2.0 * (double)macs;
    memset(m, 0, sizeof *m);
    m->seconds = (double)cycles / hz;
    m->energy_uj = energy_pj * 1e-6;
    m->area_mm2 = area_um2 * 1e-6;
    m->peak_tops = 2.0 * (double)pes * hz / 1e12;
    if (m->seconds > 0) {
        m->power_w = energy_pj * 1e-12 / m->seconds;
        m->tops = ops / m->seconds / 1e12;
    }
    if (energy_pj > 0)
        m->tops_per_w = ops / energy_pj; /* op/pJ = 10^12 op/J = TOPS/W */
    if (m->area_mm2 > 0)
        m->tops_per_mm2 = m->tops / m->area_mm2;
}

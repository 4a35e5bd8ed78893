/* power.c - energy and area breakdowns over a technology table.
 *
 * The systolic model prices the design of rtl/systolic.v component by
 * component (see power_grid_um2 in power.h); `codesim synth` holds its area
 * ratios between array sizes against yosys synthesis of that RTL. */
#include "power.h"
#include "te_cost.h"

#include "util.h"

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


double power_grid_um2(const tech_t *t, uint32_t rows, uint32_t cols, uint32_t in_bits,
                      uint32_t w_bits, uint32_t acc_bits, power_breakdown_t *b)
{
    const double R = rows, C = cols, P = R * C;
    /* The RTL sign-extends both operands to OPW = max(in, w) bits for its
     * registers; the multiplier's useful width is in x w bits. */
    const double opw = util_max_u64(in_bits, w_bits), acc = acc_bits;
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

/* Bits of a barrel shifter's shift amount for 0 .. max_off_a + max_off_b. */
static uint32_t shift_stages(const systolic_cfg_t *a)
{
    /* The largest product shift is numfmt_product_bits minus the two
     * significand widths and the sign bit. */
    const uint32_t span =
        numfmt_product_bits(&a->in_fmt, &a->w_fmt) - 1 - (a->in_fmt.m + 1u) - (a->w_fmt.m + 1u);
    uint32_t st = 0;
    while ((1ull << st) <= span)
        st++;
    return st;
}

void power_fp_mac(const tech_t *t, const systolic_cfg_t *a, power_fp_mac_t *c)
{
    const uint32_t ma = a->in_fmt.m + 1u, mb = a->w_fmt.m + 1u;
    const uint32_t e = util_max_u64(a->in_fmt.e, a->w_fmt.e) + 1u;
    c->shift_mux_bits = (double)a->acc_bits * shift_stages(a);
    c->mul_um2 = tech_mul_um2(t, ma, mb);
    c->exp_um2 = tech_add_um2(t, e);
    c->shift_um2 = c->shift_mux_bits * t->a.mux_bit;
    c->neg_um2 = tech_add_um2(t, ma + mb);
    c->mac_pj = tech_mul_pj(t, ma, mb) + tech_add_pj(t, e) + c->shift_mux_bits * t->e.mux_bit +
                tech_add_pj(t, ma + mb) + tech_add_pj(t, a->acc_bits);
}

double power_grid_fixed_um2(const tech_t *t, const systolic_cfg_t *a, power_breakdown_t *b)
{
    const double R = a->rows, C = a->cols, P = R * C;
    const double opw = util_max_u64(a->in_bits, a->w_bits), acc = a->acc_bits;
    const double mul = P * tech_mul_um2(t, a->in_bits, a->w_bits);
    double add, reg_bits, mux_bits;
    if (a->dataflow == SYSTOLIC_OS) {
        /* acc <= clear ? 0 : acc + a*b; a moves right, b down; results
         * leave on parallel ports (the paper's OS pe.v/top.v), plus the
         * edge operand registers of its top. */
        add = P * tech_add_um2(t, a->acc_bits);
        reg_bits = P * acc + R * (C - 1) * opw + (R - 1) * C * opw + (R + C) * opw;
        mux_bits = P * acc;   /* the clear */
    } else {
        /* v <= v_in + a*w; w shifts down on load (a load mux per bit); a
         * moves right; row 0 adds a constant 0. */
        add = (R - 1) * C * tech_add_um2(t, a->acc_bits);
        reg_bits = P * (acc + opw) + R * (C - 1) * opw + R * opw;
        mux_bits = P * opw;
    }
    const double reg = reg_bits * t->a.reg_bit, mux = mux_bits * t->a.mux_bit;
    if (b) {
        power_add(b, "array.mul", mul);
        power_add(b, "array.add", add);
        power_add(b, "array.reg", reg);
        power_add(b, "array.mux", mux);
    }
    return mul + add + reg + mux;
}

/* Radix-4 Booth windows of a w-bit multiplier operand. */
static double booth_rows(uint32_t w) { return (w + 1) / 2; }

/* One PE's radix-4 Booth generator: a row of (x_bits + 2) bits per window
 * of the w_bits operand, each bit a two-level select (two mux bits), as the
 * paper's OPT1 PE builds it (shared by its OS array and its cube). */
static double booth_gen_um2(const tech_t *t, uint32_t x_bits, uint32_t w_bits)
{
    return booth_rows(w_bits) * (x_bits + 2) * 2 * t->a.mux_bit;
}

double power_grid_opt1_um2(const tech_t *t, const systolic_cfg_t *a, power_breakdown_t *b)
{
    const double R = a->rows, C = a->cols, P = R * C;
    const double opw = util_max_u64(a->in_bits, a->w_bits), acc = a->acc_bits;
    const double rows = booth_rows(a->w_bits);
    const double booth = P * booth_gen_um2(t, a->in_bits, a->w_bits);
    const double csa = P * rows * tech_add_um2(t, a->acc_bits);
    const double reg_bits = P * 2 * acc + R * (C - 1) * opw + (R - 1) * C * opw + (R + C) * opw;
    const double reg = reg_bits * t->a.reg_bit, mux = P * 2 * acc * t->a.mux_bit;
    if (b) {
        power_add(b, "array.booth", booth);
        power_add(b, "array.csa", csa);
        power_add(b, "array.reg", reg);
        power_add(b, "array.mux", mux);
    }
    return booth + csa + reg + mux;
}

double power_cube_paper_um2(const tech_t *t, uint32_t n, uint32_t w, uint32_t acc, int opt1,
                            power_breakdown_t *b)
{
    const double N = n, P = N * N * N, W = w, A = acc;
    /* operand registers: a in every PE but the last z plane, b in every PE
     * but the last x column, and the top's A_reg and B_reg */
    const double opreg = 2 * N * N * (N - 1) * W + 2 * N * N * W;
    if (!opt1) {
        const double mul = P * tech_mul_um2(t, w, w);
        const double add = N * N * (N - 1) * tech_add_um2(t, acc);
        const double reg = (P * A + opreg) * t->a.reg_bit;
        if (b) {
            power_add(b, "cube.mul", mul);
            power_add(b, "cube.add", add);
            power_add(b, "cube.reg", reg);
        }
        return mul + add + reg;
    }
    const double rows = booth_rows(w);
    const double booth = P * booth_gen_um2(t, w, w);
    /* 3:2 rows: rows + 2 words to two below y = 0, rows words to two at it */
    const double csa = N * N * ((N - 1) * rows + (rows > 2 ? rows - 2 : 0)) *
                       tech_add_um2(t, acc);
    const double reg = (P * 2 * A + opreg) * t->a.reg_bit;
    const double mux = P * 2 * (2 * A) * t->a.mux_bit;
    if (b) {
        power_add(b, "cube.booth", booth);
        power_add(b, "cube.csa", csa);
        power_add(b, "cube.reg", reg);
        power_add(b, "cube.mux", mux);
    }
    return booth + csa + reg + mux;
}

/* array.os_drain: overlap (models/systolic.h, rtl/systolic.v OSD = 1), as
 * the RTL builds it.  The multi-dataflow PE already has v_reg (WS/IS's
 * partial sum, OS's drain pipe) with acc and v_in among its sources: it is
 * the shadow set, and the option adds only the restart gate, acc or 0 into
 * the adder on a capture (acc_bits mux bits per PE).  The OS-only PE
 * (array.fixed_dataflow) has no v_reg: the option adds it, R*C*acc_bits
 * registers, with its capture/shift/hold select (two mux bits per bit); its
 * restart gate is the clear it has.  A fixed WS or IS PE never runs OS:
 * nothing.  The drain counter and tile origin in the controller are not
 * priced (the controller is not, in either mode). */
static double osd_area_um2(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out)
{
    const systolic_cfg_t *a = &hw->array;
    if (a->os_drain != SYSTOLIC_DRAIN_OVERLAP)
        return 0;
    const double pacc = (double)a->rows * a->cols * a->acc_bits;
    double reg_bits = 0, mux_bits = pacc;
    /* Compressed PE (array.compressed): v_c already holds v_reg's carry
     * word with acc_c and c_in among its sources, so the shadow set costs
     * only the carry word's restart gate, acc_bits - 1 mux bits per PE. */
    if (a->compressed)
        mux_bits += (double)a->rows * a->cols * (a->acc_bits - 1);
    if (hw->fixed_dataflow) {
        if (a->dataflow != SYSTOLIC_OS)
            return 0;
        reg_bits = pacc;
        mux_bits = 2 * pacc;
    }
    const double um2 = reg_bits * t->a.reg_bit + mux_bits * t->a.mux_bit;
    return power_add(out, "array.os_drain", um2) != 0 ? -1 : um2;
}

/* array.ws_out_reg: false (models/systolic.h, rtl/systolic.v WOR = 0): the
 * bottom row's sum goes to the output lane unregistered.  A fixed WS or IS
 * PE grid (array.fixed_dataflow) drops the bottom row's v_reg, C*acc_bits
 * registers: a saving, priced negative.  The multi-dataflow grid keeps them
 * (they are the OS drain pipe's last stage) and adds the output lane's
 * select between v_reg (OS) and the adder (WS/IS), C*acc_bits mux bits, as
 * the RTL builds it.  A fixed OS grid: nothing. */
static double wor_area_um2(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out)
{
    const systolic_cfg_t *a = &hw->array;
    if (!a->ws_out_unreg || (hw->fixed_dataflow && a->dataflow == SYSTOLIC_OS))
        return 0;
    const double bits = (double)a->cols * a->acc_bits;
    const double um2 = hw->fixed_dataflow ? -bits * t->a.reg_bit : bits * t->a.mux_bit;
    return power_add(out, "array.ws_out_reg", um2) != 0 ? -1 : 0;
}

double power_grid_cmp_um2(const tech_t *t, const systolic_cfg_t *a, power_breakdown_t *b)
{
    const double R = a->rows, C = a->cols, P = R * C, acc = a->acc_bits;
    power_breakdown_t g;
    power_init(&g);
    power_grid_um2(t, a->rows, a->cols, a->in_bits, a->w_bits, a->acc_bits, &g);
    /* "array.add" keeps its count: each adder became a 3:2 row, priced alike. */
    const double reg = P * 2 * (acc - 1) * t->a.reg_bit;
    const double mux = P * (1 + 3) * (acc - 1) * t->a.mux_bit;
    const double cpa = C * tech_add_um2(t, a->acc_bits);
    if (b) {
        power_merge(b, &g);
        power_add(b, "array.reg", reg);
        power_add(b, "array.mux", mux);
        power_add(b, "array.cpa", cpa);
    }
    return g.total + reg + mux + cpa;
}

int power_systolic_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                        size_t errlen)
{
    const systolic_cfg_t *a = &hw->array;
    if (numfmt_is_float(&a->in_fmt)) {
        /* The integer grid with code-wide registers, its in x w multiplier
         * replaced by the minifloat datapath (power.h). */
        power_breakdown_t g;
        power_init(&g);
        if (hw->fixed_dataflow)
            power_grid_fixed_um2(t, a, &g);
        else if (a->compressed)
            power_grid_cmp_um2(t, a, &g);
        else
            power_grid_um2(t, a->rows, a->cols, a->in_bits, a->w_bits, a->acc_bits, &g);
        power_fp_mac_t c;
        power_fp_mac(t, a, &c);
        const double P = (double)a->rows * a->cols;
        for (size_t i = 0; i < g.n; i++)
            if (strcmp(g.item[i].name, "array.mul") != 0 &&
                power_add(out, g.item[i].name, g.item[i].value) != 0)
                goto full;
        if (power_add(out, "array.mul", P * c.mul_um2) ||
            power_add(out, "array.fp_exp", P * c.exp_um2) ||
            power_add(out, "array.fp_shift", P * c.shift_um2) ||
            power_add(out, "array.fp_neg", P * c.neg_um2))
            goto full;
    } else if (hw->fixed_dataflow) {
        power_grid_fixed_um2(t, a, out);
    } else if (a->compressed) {
        power_grid_cmp_um2(t, a, out);
    } else {
        power_grid_um2(t, a->rows, a->cols, a->in_bits, a->w_bits, a->acc_bits, out);
    }
    if (osd_area_um2(t, hw, out) < 0 || wor_area_um2(t, hw, out) < 0 ||
        power_add(out, "sram.ifmap", tech_sram_um2(t, hw->sram.ifmap_bytes)) ||
        power_add(out, "sram.filter", tech_sram_um2(t, hw->sram.filter_bytes)) ||
        power_add(out, "sram.ofmap", tech_sram_um2(t, hw->sram.ofmap_bytes))) {
        goto full;
    }
    return 0;
full:
    snprintf(err, errlen, "area: more than %d components", POWER_MAX_ITEMS);
    return -1;
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
    const double opw = util_max_u64(a->in_bits, a->w_bits);
    double mac_pj = tech_mul_pj(t, a->in_bits, a->w_bits) + tech_add_pj(t, a->acc_bits);
    if (numfmt_is_float(&a->in_fmt)) {
        power_fp_mac_t c;
        power_fp_mac(t, a, &c);
        mac_pj = c.mac_pj;
    }
    /* Per MAC the PE writes two operand-pipe registers (a and b in OS; a and
     * the stationary operand's share in WS/IS) and its accumulator or partial
     * sum. */
    double reg_pj = (2 * opw + a->acc_bits) * t->e.reg_bit;
    /* Compressed PE (array.compressed), priced as te_cost.c prices its
     * compressed engines: the 3:2 row costs what the accumulate add did
     * (inside mac_pj), the carry word is written beside the sum word, and
     * each value leaving a column (an ofmap write) takes one carry-
     * propagate add. */
    double cpa_pj = 0;
    if (a->compressed) {
        reg_pj += a->acc_bits * t->e.reg_bit;
        cpa_pj = (double)st->ofmap_writes * tech_add_pj(t, a->acc_bits);
    }
    const uint64_t ab = util_ceil_div(a->in_bits, 8), bb = util_ceil_div(a->w_bits, 8),
                   ob = util_ceil_div(a->acc_bits, 8);
    if (power_add(out, "array.mac", macs * mac_pj + cpa_pj) ||
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

/* ---- LUT tensor core ---------------------------------------------------- */

static double ceil_log2(uint32_t x)
{
    uint32_t l = 0;
    while ((1u << l) < x)
        l++;
    return l;
}

/* One batch of power_add() calls: the first failure is reported once. */
typedef struct {
    power_breakdown_t *b;
    int bad;
} adder_t;

static void put(adder_t *a, const char *name, double v)
{
    a->bad |= power_add(a->b, name, v) != 0;
}

static int done(const adder_t *a, const char *what, char *err, size_t errlen)
{
    if (!a->bad)
        return 0;
    snprintf(err, errlen, "%s: more than %d components", what, POWER_MAX_ITEMS);
    return -1;
}

int power_lut_area(const tech_t *t, const lut_cfg_t *cfg, power_breakdown_t *out, char *err,
                   size_t errlen)
{
    if (lut_cfg_check(cfg, err, errlen) != 0)
        return -1;
    const double E = lut_entries(cfg), eb = lut_entry_bits(cfg), P = lut_planes(cfg);
    const double TM = cfg->tm, TN = cfg->tn, PE = TM * TN, g = cfg->g;
    const double tables = (double)(cfg->table_entries / lut_entries(cfg));
    const double reg = t->a.reg_bit, mux = t->a.mux_bit;
    const int zp = cfg->wq != LUT_WQ_SYM;
    adder_t a = {out, 0};
    put(&a, "lut.table", cfg->table_entries * eb * (reg + mux));
    put(&a, "lut.table_sel", (tables > TM ? tables - TM : 0) * E * eb * mux);
    put(&a, "lut.pe_select", PE * (E - 1) * eb * mux);
    put(&a, "lut.pe_sign", cfg->sym_table ? PE * tech_add_um2(t, (uint32_t)eb) : 0);
    put(&a, "lut.pe_shift", PE * ceil_log2((uint32_t)P) * (eb + P - 1) * mux);
    put(&a, "lut.pe_acc", PE * (tech_add_um2(t, 32) + 2 * 32 * reg + 32 * mux));
    double pre = 0;
    if (!cfg->fused) {
        pre = TM * E * (g - 1) * tech_add_um2(t, (uint32_t)eb);
        if (zp)
            pre += TM * (tech_add_um2(t, 32) + 2 * 32 * reg);
    }
    put(&a, "lut.precompute", pre);
    double drain = 0;
    if (zp)
        drain += tech_mul_um2(t, (uint32_t)P + 1, 32) + TN * tech_add_um2(t, 32);
    if (cfg->scale_group)
        drain += TN * tech_mul_um2(t, 32, 16);
    put(&a, "lut.drain", drain);
    put(&a, "sram.act", tech_sram_um2(t, cfg->act_buf_bytes));
    put(&a, "sram.weight", tech_sram_um2(t, cfg->w_buf_bytes));
    put(&a, "sram.out", tech_sram_um2(t, cfg->out_buf_bytes));
    return done(&a, "area", err, errlen);
}

int power_lut_energy(const tech_t *t, const lut_cfg_t *cfg, const lut_stats_t *st,
                     power_breakdown_t *out, char *err, size_t errlen)
{
    if (lut_cfg_check(cfg, err, errlen) != 0)
        return -1;
    const double eb = lut_entry_bits(cfg), P = lut_planes(cfg);
    const double add_eb = tech_add_pj(t, (uint32_t)eb), add32 = tech_add_pj(t, 32);
    const double reg = t->e.reg_bit;
    const uint64_t act_half = cfg->act_buf_bytes / 2 ? cfg->act_buf_bytes / 2 : 1;
    const uint64_t w_half = cfg->w_buf_bytes / 2 ? cfg->w_buf_bytes / 2 : 1;
    adder_t a = {out, 0};
    put(&a, "lut.table_write", (double)st->table_writes * eb * reg);
    put(&a, "lut.table_read", (double)st->table_reads * eb / 8 * t->e.lut_read_byte);
    put(&a, "lut.precompute", (double)st->precompute_adds * add_eb + (double)st->rowsum_adds * add32);
    if (st->fused_precompute_adds)
        put(&a, "upstream.precompute", (double)st->fused_precompute_adds * add_eb);
    put(&a, "lut.sign", (double)st->sign_ops * add_eb);
    put(&a, "lut.shift", (double)st->shifts * ceil_log2((uint32_t)P) * (eb + P - 1) * t->e.mux_bit);
    put(&a, "lut.acc", (double)st->acc_adds * (add32 + 32 * reg) + (double)st->bank_writes * 32 * reg);
    put(&a, "lut.drain", (double)st->zp_muls * tech_mul_pj(t, (uint32_t)P + 1, 32) +
                             (double)st->zp_adds * add32 +
                             (double)st->scale_muls * tech_mul_pj(t, 32, 16));
    put(&a, "sram.act", (double)(st->act_reads * util_ceil_div(cfg->a_bits, 8)) *
                            tech_sram_read_pj_per_byte(t, act_half));
    put(&a, "sram.weight", (double)st->weight_reads * cfg->g / 8.0 *
                               tech_sram_read_pj_per_byte(t, w_half));
    put(&a, "sram.fill", (double)st->dram_read_bytes * tech_sram_write_pj_per_byte(t, w_half));
    put(&a, "sram.out", (double)(st->out_writes * LUT_OUT_BYTES) *
                                tech_sram_write_pj_per_byte(t, cfg->out_buf_bytes) +
                            (double)(st->out_acc_reads * LUT_OUT_BYTES) *
                                tech_sram_read_pj_per_byte(t, cfg->out_buf_bytes));
    put(&a, "dram", (double)(st->dram_read_bytes + st->dram_write_bytes) * 8.0 * t->e.dram_bit);
    return done(&a, "energy", err, errlen);
}

uint64_t power_dqmac_dram_read_bytes(const hw_cfg_t *hw, const layer_stats_t *st,
                                     const lut_dequant_cost_t *dq)
{
    const uint64_t w8 = st->filter_writes * util_ceil_div(hw->array.w_bits, 8);
    return (w8 < st->dram_read_bytes ? st->dram_read_bytes - w8 : 0) +
           dq->weight_dram_bytes_lowbit;
}

int power_dqmac_energy(const tech_t *t, const hw_cfg_t *hw, const layer_stats_t *st,
                       const lut_dequant_cost_t *dq, power_breakdown_t *out, char *err,
                       size_t errlen)
{
    layer_stats_t s = *st;
    const uint64_t w8 = st->filter_writes * util_ceil_div(hw->array.w_bits, 8);
    if (w8 > s.dram_read_bytes) {
        snprintf(err, errlen, "dqmac: %llu filter bytes but %llu DRAM bytes read",
                 (unsigned long long)w8, (unsigned long long)s.dram_read_bytes);
        return -1;
    }
    s.dram_read_bytes = power_dqmac_dram_read_bytes(hw, st, dq);
    if (power_systolic_energy(t, hw, &s, out, err, errlen) != 0)
        return -1;
    adder_t a = {out, 0};
    put(&a, "dequant", (double)dq->dequant_ops * tech_add_pj(t, 8));
    return done(&a, "energy", err, errlen);
}

int power_dqmac_area(const tech_t *t, const hw_cfg_t *hw, const lut_cfg_t *lut,
                     power_breakdown_t *out, char *err, size_t errlen)
{
    if (power_systolic_area(t, hw, out, err, errlen) != 0)
        return -1;
    const double lanes = (double)lut->dma.bytes_per_cycle * 8.0 / lut_planes(lut);
    adder_t a = {out, 0};
    put(&a, "dequant", lanes * tech_add_um2(t, 8));
    return done(&a, "area", err, errlen);
}

/* ---- PIM ---------------------------------------------------------------- */

/* MACT's adder tree (pim.reduce: tree; rtl/pim_unit.v's g_node, tadd and the
 * lane selects).  Per unit the RTL builds a heap of P - 1 adders over the L
 * products padded with zeros to P = the next power of two; the L - 1 nodes
 * that add two subtrees holding products are priced, a node with a padding
 * side passes its other input (x + 0: wires once synthesized, up to the sign
 * of -0).  Then `tadd`, a separate adder of the root into ACC[a][j].  The
 * adders are the accumulate's: binary32 (fp16 elements: the products are
 * exact binary32, models/pim.h) or int32 (int8).  The table's only floating
 * adder is [H14]'s 16b FP add, which pim_unit and pim_mac already use for a
 * lane's binary32 accumulate; the tree uses it likewise ([H14]'s 32b FP add,
 * 4184 um^2 and 0.9 pJ, would be 3.1x and 2.3x of it).  Around them: reading
 * lane j of ACC[a], an L:1 select of 32 bits (L - 1 2:1 mux bits per bit, of
 * which ceil(log2 L) switch on a read), and each lane's write select, its own
 * sum or the tree's (L x 32 mux bits, 32 of them switch). */
static double pim_add_um2(const tech_t *t, const pim_cfg_t *u)
{
    return u->prec == PIM_FP16 ? t->a.fp16_add : tech_add_um2(t, 32);
}

/* The add within one PIM MAC: int8, int32_add of tech_int8_mac_pj; fp16,
 * pim_mac's share of an add, pim_mac x fp16_add / (fp16_mul + fp16_add) ([H14]
 * 0.4 of 1.5 pJ), so that it stays on the DRAM die as pim_mac does. */
static double pim_add_pj(const tech_t *t, const pim_cfg_t *u)
{
    return u->prec == PIM_FP16 ? t->e.pim_mac * t->e.fp16_add / (t->e.fp16_mul + t->e.fp16_add)
                               : tech_add_pj(t, 32);
}

double power_pim_tree_um2(const tech_t *t, const pim_cfg_t *u)
{
    if (u->reduce != PIM_REDUCE_TREE)
        return 0;
    const double L = u->lanes;
    return L * pim_add_um2(t, u) + (2 * L - 1) * 32 * t->a.mux_bit;
}

double power_pim_mact_pj(const tech_t *t, const pim_cfg_t *u)
{
    const double L = u->lanes;
    return (L - 1) * pim_add_pj(t, u) + (ceil_log2(u->lanes) + 1) * 32 * t->e.mux_bit;
}

int power_pim_area(const tech_t *t, const pim_gemv_cfg_t *cfg, power_breakdown_t *out,
                   char *err, size_t errlen)
{
    const pim_cfg_t *u = &cfg->unit;
    if (pim_cfg_check(u, err, errlen) != 0)
        return -1;
    const double units = (double)dram_units(&cfg->dram) * dram_banks(&cfg->dram) /
                         u->banks_per_unit;
    const double L = u->lanes, eb = pim_elem_bits(u);
    const double mac = u->prec == PIM_FP16
                           ? L / 16.0 * t->a.pim_unit
                           : L * (tech_mul_um2(t, 8, 8) + tech_add_um2(t, 32));
    const double bits = u->grf_entries * L * eb + u->srf_entries * eb + u->acc_entries * L * 32;
    adder_t a = {out, 0};
    put(&a, "pim.mac", units * mac);
    put(&a, "pim.regs", units * bits * (t->a.reg_bit + t->a.mux_bit));
    if (u->reduce == PIM_REDUCE_TREE)
        put(&a, "pim.tree", units * power_pim_tree_um2(t, u));
    return done(&a, "area", err, errlen);
}

int power_pim_energy(const tech_t *t, const pim_gemv_cfg_t *cfg, const pim_gemv_stats_t *st,
                     power_breakdown_t *out, char *err, size_t errlen)
{
    const pim_cfg_t *u = &cfg->unit;
    const dram_cfg_t *d = &cfg->dram;
    if (pim_cfg_check(u, err, errlen) != 0)
        return -1;
    const double page_kib = (double)d->columns * d->bus_bits / 8.0 / 1024.0;
    const double burst_bits = 8.0 * dram_burst_bytes(d);
    const double core_bits = (double)(st->host_rd + st->host_wr) * burst_bits +
                             (double)st->bank_bytes * 8.0;
    const double mac = u->prec == PIM_FP16 ? t->e.pim_mac : tech_int8_mac_pj(t);
    const double units_per_channel = (double)dram_banks(d) / u->banks_per_unit;
    const int tree = u->reduce == PIM_REDUCE_TREE;
    if (tree && st->lane_macs % u->lanes != 0) {
        snprintf(err, errlen, "energy: pim.reduce tree: %llu lane MACs are not whole MACTs of %u lanes",
                 (unsigned long long)st->lane_macs, u->lanes);
        return -1;
    }
    /* Every MAC of the tree layout is a MACT of L lane products. */
    const double macts = tree ? (double)(st->lane_macs / u->lanes) : 0;
    /* A MACT writes one accumulator lane; MAC/MACS write every lane. */
    const double acc_writes = tree ? macts : (double)st->lane_macs;
    const double reg_bits = acc_writes * 32 +
                            (double)st->vec_bursts * units_per_channel * burst_bits;
    /* A MACT's L multiplies and its root accumulate stay in pim.mac; its
     * L - 1 tree adds take the place of the other lanes' accumulates. */
    const double tree_adds = macts * (u->lanes - 1.0);
    adder_t a = {out, 0};
    put(&a, "dram.act", (double)st->act * t->e.dram_act * page_kib);
    put(&a, "dram.core", core_bits * t->e.dram_core_bit);
    put(&a, "dram.io", (double)st->bus_bytes * 8.0 * t->e.dram_io_bit);
    put(&a, "pim.mac", (double)st->lane_macs * mac - tree_adds * pim_add_pj(t, u));
    put(&a, "pim.regs", reg_bits * t->e.reg_bit);
    if (tree)
        put(&a, "pim.tree", macts * power_pim_mact_pj(t, u));
    return done(&a, "energy", err, errlen);
}

/* ---- multi-core NPU (sim/run/npu.c) ------------------------------------------ */

void power_npu_pim_cfg(const hw_cfg_t *hw, pim_mode_t mode, pim_gemv_cfg_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->unit = hw->pim;
    cfg->dram = hw->dram.dev;
    cfg->mode = mode;
}

void power_npu_pim_add(pim_gemv_stats_t *s, const pim_gemv_stats_t *st)
{
    s->cycles += st->cycles;
    s->host_done += st->host_done;
    s->act += st->act;
    s->pre += st->pre;
    s->pim_col_reads += st->pim_col_reads;
    s->host_rd += st->host_rd;
    s->host_wr += st->host_wr;
    s->ab_cmds += st->ab_cmds;
    s->lane_macs += st->lane_macs;
    s->useful_macs += st->useful_macs;
    s->vec_bursts += st->vec_bursts;
    s->res_bursts += st->res_bursts;
    s->bus_bytes += st->bus_bytes;
    s->bank_bytes += st->bank_bytes;
    s->host_reqs += st->host_reqs;
    s->host_lat_sum += st->host_lat_sum;
    if (st->host_lat_max > s->host_lat_max)
        s->host_lat_max = st->host_lat_max;
}

int power_npu_energy(const tech_t *t, const hw_cfg_t *hw, const power_npu_events_t *ev,
                     power_breakdown_t *out, char *err, size_t errlen)
{
    /* The array's events and every DMA byte, priced as one layer's. */
    layer_stats_t st;
    memset(&st, 0, sizeof st);
    st.macs = ev->array_macs;
    st.ifmap_reads = ev->ifmap_reads;
    st.filter_reads = ev->filter_reads;
    st.ofmap_writes = ev->ofmap_writes;
    st.ofmap_reads = ev->ofmap_acc_reads;
    st.dram_read_bytes = ev->dram_bytes;
    if (power_systolic_energy(t, hw, &st, out, err, errlen) != 0)
        return -1;
    if (ev->lut_runs) {
        lut_stats_t ls = ev->lut;
        ls.dram_read_bytes = ls.dram_write_bytes = 0; /* priced above, under "dram" */
        if (power_lut_energy(t, &ev->lut_cfg, &ls, out, err, errlen) != 0)
            return -1;
    }
    if (ev->te_tiles && te_energy(t, hw, ev->te_kind, &ev->te, 0, 0, 0, out, err, errlen) != 0)
        return -1;
    adder_t a = {out, 0};
    if (ev->vector_elem_passes)
        put(&a, "vector", (double)ev->vector_elem_passes * t->e.fp16_add);
    if (done(&a, "energy", err, errlen) != 0)
        return -1;
    if (ev->pim_kernels) {
        if (!hw->has_pim) {
            snprintf(err, errlen, "energy: PIM kernels but no pim: section");
            return -1;
        }
        pim_gemv_cfg_t pc;
        power_npu_pim_cfg(hw, PIM_BLOCKED, &pc);
        if (power_pim_energy(t, &pc, &ev->pim, out, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int power_npu_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                   size_t errlen)
{
    power_breakdown_t core;
    power_init(&core);
    if (power_systolic_area(t, hw, &core, err, errlen) != 0 ||
        (hw->has_lut && power_lut_area(t, &hw->lut, &core, err, errlen) != 0))
        return -1;
    adder_t a = {&core, 0};
    put(&a, "vector", (double)hw->npu.vector.lanes * t->a.fp16_add);
    if (done(&a, "area", err, errlen) != 0)
        return -1;
    /* Every core has its own array, scratchpads and vector unit. */
    const uint32_t cores = hw->npu.cores ? hw->npu.cores : 1;
    for (size_t i = 0; i < core.n; i++) {
        if (power_add(out, core.item[i].name, core.item[i].value * cores) != 0) {
            snprintf(err, errlen, "area: more than %d components", POWER_MAX_ITEMS);
            return -1;
        }
    }
    if (hw->has_pim) {
        pim_gemv_cfg_t pc;
        power_npu_pim_cfg(hw, PIM_BLOCKED, &pc);
        if (power_pim_area(t, &pc, out, err, errlen) != 0)
            return -1;
    }
    return 0;
}

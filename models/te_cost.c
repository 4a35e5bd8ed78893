/* te_cost.c - area, energy and layer time of the tensor engines (te_cost.h). */
#include "te_cost.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static uint32_t ceil_log2(uint32_t d)
{
    uint32_t b = 0;
    while ((1u << b) < d)
        b++;
    return b;
}

/* "<kind>.<what>" += v */
static void add(power_breakdown_t *b, const te_cfg_t *cfg, const char *what, double v)
{
    char name[32];
    snprintf(name, sizeof name, "%s.%s", te_kind_name(cfg->kind), what);
    if (b)
        power_add(b, name, v);
}

/* The array's minifloat MAC sized for the engine's formats (power_fp_mac). */
static void fp_mac(const tech_t *t, const te_cfg_t *cfg, power_fp_mac_t *c)
{
    systolic_cfg_t a;
    memset(&a, 0, sizeof a);
    a.in_bits = cfg->in_bits, a.w_bits = cfg->w_bits, a.acc_bits = cfg->acc_bits;
    a.in_fmt = cfg->in_fmt, a.w_fmt = cfg->w_fmt;
    power_fp_mac(t, &a, c);
}

/* Bits of the adder tree's adders (te_cost.h). */
static uint32_t tree_bits(const te_cfg_t *cfg)
{
    if (!numfmt_is_float(&cfg->in_fmt))
        return cfg->in_bits + cfg->w_bits + ceil_log2(cfg->depth);
    const uint32_t pw = numfmt_product_bits(&cfg->in_fmt, &cfg->w_fmt) + ceil_log2(cfg->depth);
    return pw < cfg->acc_bits ? pw : cfg->acc_bits;
}

double te_grid_um2(const tech_t *t, const te_cfg_t *cfg, power_breakdown_t *b)
{
    const double P = (double)cfg->rows * cfg->cols, D = cfg->depth, acc = cfg->acc_bits;
    const uint32_t pw = tree_bits(cfg);
    double mul = P * D * tech_mul_um2(t, cfg->in_bits, cfg->w_bits), fp = 0;
    if (numfmt_is_float(&cfg->in_fmt)) {
        power_fp_mac_t c;
        fp_mac(t, cfg, &c);
        mul = P * D * c.mul_um2;
        add(b, cfg, "fp_exp", P * D * c.exp_um2);
        add(b, cfg, "fp_shift", P * D * c.shift_um2);
        add(b, cfg, "fp_neg", P * D * c.neg_um2);
        fp = P * D * (c.exp_um2 + c.shift_um2 + c.neg_um2);
    }
    const double tree = P * (D - 1) * tech_add_um2(t, pw);
    /* The sum word: acc_bits flip-flops with an enable and a load/add
     * select.  The carry word (compressed): its bit 0 is always 0, so
     * acc_bits - 1 flip-flops, each with an enable; its load-zero is an AND
     * gate, not priced. */
    const double carry = cfg->compressed ? acc - 1 : 0;
    const double accu = P * (cfg->compressed ? 2 : 1) * tech_add_um2(t, cfg->acc_bits);
    const double reg = P * (acc + carry) * t->a.reg_bit;
    const double mux = P * (2 * acc + carry) * t->a.mux_bit;
    add(b, cfg, "mul", mul);
    add(b, cfg, "tree", tree);
    add(b, cfg, "acc", accu);
    add(b, cfg, "reg", reg);
    add(b, cfg, "mux", mux);
    return mul + fp + tree + accu + reg + mux;
}

uint32_t te_add_levels(uint32_t w) { return w > 1 ? 2 * w - 2 : 0; }

uint32_t te_mul_levels(uint32_t n, uint32_t m) { return n + m > 2 ? 2 * (n + m) - 3 : 1; }

uint32_t te_ws_out_levels(const systolic_cfg_t *a)
{
    const uint32_t pw = a->in_bits + a->w_bits;
    const uint32_t ext = a->acc_bits > pw ? a->acc_bits - pw : 0;
    if (a->compressed)
        return te_mul_levels(a->in_bits, a->w_bits) + 3 + te_add_levels(a->acc_bits);
    return te_mul_levels(a->in_bits, a->w_bits) + 2 + 2 * ext;
}

void te_pe_levels(const te_cfg_t *cfg, te_levels_t *out)
{
    const uint32_t pw = cfg->in_bits + cfg->w_bits + ceil_log2(cfg->depth);
    const uint32_t prod = te_mul_levels(cfg->in_bits, cfg->w_bits) + 4 * ceil_log2(cfg->depth);
    const uint32_t sel = 2;
    if (cfg->compressed) {
        out->loop = prod + 3 + sel;   /* the 3:2 row: 3 levels (parts.v csa3) */
        out->write = te_add_levels(cfg->acc_bits);
    } else {
        const uint32_t ext = cfg->acc_bits > pw ? cfg->acc_bits - pw : 0;
        out->loop = prod + 2 + 2 * ext + sel;
        out->write = 0;
    }
    out->path = out->loop > out->write ? out->loop : out->write;
}

uint32_t te_booth_neg_levels(uint32_t n) { return n >= 4 ? n + 2 : n + 4; }

void te_array_pe_levels(const systolic_cfg_t *a, int fixed, int opt1, te_levels_t *out)
{
    if (opt1) {
        uint32_t words = (a->w_bits + 1) / 2 + 2, layers = 0;
        while (words > 2) {
            words = 2 * (words / 3) + words % 3;
            layers++;
        }
        out->loop = te_booth_neg_levels(a->in_bits) + 3 * layers + 1;
    } else {
        const uint32_t pw = a->in_bits + a->w_bits;
        const uint32_t ext = a->acc_bits > pw ? a->acc_bits - pw : 0;
        const uint32_t sel = !fixed ? 2 : a->dataflow == SYSTOLIC_OS ? 1 : 0;
        if (a->compressed && !fixed) {
            out->loop = te_mul_levels(a->in_bits, a->w_bits) + 3 + sel;
            out->write = te_add_levels(a->acc_bits);
            out->path = out->loop > out->write ? out->loop : out->write;
            return;
        }
        out->loop = te_mul_levels(a->in_bits, a->w_bits) + 2 + 2 * ext + sel;
    }
    out->write = 0;
    out->path = out->loop;
}

void te_cube_paper_levels(uint32_t w, uint32_t acc, int opt1, te_levels_t *out)
{
    systolic_cfg_t a;
    memset(&a, 0, sizeof a);
    a.rows = a.cols = 1;
    a.dataflow = opt1 ? SYSTOLIC_OS : SYSTOLIC_WS;
    a.in_bits = a.w_bits = w;
    a.acc_bits = acc;
    te_array_pe_levels(&a, 1, opt1, out);
}

int te_area(const tech_t *t, const te_cfg_t *cfg, power_breakdown_t *out, char *err,
            size_t errlen)
{
    if (te_cfg_check(cfg, err, errlen) != 0)
        return -1;
    power_breakdown_t b;
    power_init(&b);
    te_grid_um2(t, cfg, &b);
    const double opbits = (double)cfg->rows * cfg->depth * cfg->in_bits +
                          (double)cfg->depth * cfg->cols * cfg->w_bits;
    add(&b, cfg, "opreg", opbits * (t->a.reg_bit + t->a.mux_bit));
    if (power_merge(out, &b) != 0) {
        snprintf(err, errlen, "area: more than %d components", POWER_MAX_ITEMS);
        return -1;
    }
    return 0;
}

int te_fold_check(const hw_cfg_t *hw, te_kind_t kind, char *err, size_t errlen)
{
    const te_cfg_t *e = &hw->te[kind];
    /* dimensions at most TE_MAX_DIM (te_cfg_check): no overflow */
    const uint64_t need[3] = {(uint64_t)e->rows * e->depth * util_ceil_div(e->in_bits, 8),
                              (uint64_t)e->depth * e->cols * util_ceil_div(e->w_bits, 8),
                              (uint64_t)e->rows * e->cols * util_ceil_div(e->acc_bits, 8)};
    const uint64_t half[3] = {hw->sram.ifmap_bytes / 2, hw->sram.filter_bytes / 2,
                              hw->sram.ofmap_bytes / 2};
    static const char *const field[3] = {"ifmap", "filter", "ofmap"};
    static const char *const what[3] = {"A operands", "B operands", "outputs"};
    const uint32_t dim[3][2] = {{e->rows, e->depth}, {e->depth, e->cols}, {e->rows, e->cols}};
    const uint32_t bits[3] = {e->in_bits, e->w_bits, e->acc_bits};
    static const char *const bname[3] = {"in_bits", "w_bits", "acc_bits"};
    for (int i = 0; i < 3; i++)
        if (need[i] > half[i]) {
            snprintf(err, errlen,
                     "sram.%s_bytes: one half (%" PRIu64 " bytes) cannot hold one fold of the "
                     "%s's %s (%u x %u at %s %u: %" PRIu64 " bytes)",
                     field[i], half[i], te_kind_name(kind), what[i], dim[i][0], dim[i][1],
                     bname[i], bits[i], need[i]);
            return -1;
        }
    return 0;
}

/* Per-byte energy of one half of a double-buffered scratchpad. */
static double sram_pj(const tech_t *t, uint64_t buf_bytes, double reads, double writes,
                      double elem_bytes)
{
    const uint64_t half = buf_bytes / 2 ? buf_bytes / 2 : 1;
    return reads * elem_bytes * tech_sram_read_pj_per_byte(t, half) +
           writes * elem_bytes * tech_sram_write_pj_per_byte(t, half);
}

int te_energy(const tech_t *t, const hw_cfg_t *hw, te_kind_t kind, const te_counts_t *cnt,
              uint64_t a_fill, uint64_t b_fill, uint64_t bytes, power_breakdown_t *energy,
              char *err, size_t errlen)
{
    const te_cfg_t *cfg = &hw->te[kind];
    const te_counts_t c = *cnt;
    const uint64_t ab = util_ceil_div(cfg->in_bits, 8), bb = util_ceil_div(cfg->w_bits, 8),
                   ob = util_ceil_div(cfg->acc_bits, 8);
    /* Events: every k-step each PE multiplies D pairs, adds them in its
     * tree and accumulates (MAC: one acc_bits add; compressed: the 3:2 row,
     * priced as an acc_bits add, and one carry-propagate add per output
     * written); the operand registers load every k-step. */
    const double P = (double)cfg->rows * cfg->cols, steps = (double)c.steps;
    const uint32_t pw = tree_bits(cfg);
    const double words = cfg->compressed ? 2 : 1;
    /* A minifloat product: the array's fp MAC without its accumulate add. */
    double mul_pj = tech_mul_pj(t, cfg->in_bits, cfg->w_bits);
    if (numfmt_is_float(&cfg->in_fmt)) {
        power_fp_mac_t fm;
        fp_mac(t, cfg, &fm);
        mul_pj = fm.mac_pj - tech_add_pj(t, cfg->acc_bits);
    }
    const double mac = steps * P *
                       (cfg->depth * mul_pj +
                        (cfg->depth - 1) * tech_add_pj(t, pw) + tech_add_pj(t, cfg->acc_bits)) +
                       (cfg->compressed ? (double)c.o_writes * tech_add_pj(t, cfg->acc_bits) : 0);
    const double opbits = (double)cfg->rows * cfg->depth * cfg->in_bits +
                          (double)cfg->depth * cfg->cols * cfg->w_bits;
    const double regs = steps * (P * words * cfg->acc_bits + opbits) * t->e.reg_bit;
    char mname[32], rname[32];
    snprintf(mname, sizeof mname, "%s.mac", te_kind_name(kind));
    snprintf(rname, sizeof rname, "%s.regs", te_kind_name(kind));
    if (power_add(energy, mname, mac) || power_add(energy, rname, regs) ||
        power_add(energy, "sram.ifmap",
                  sram_pj(t, hw->sram.ifmap_bytes, (double)c.a_reads, (double)a_fill, ab)) ||
        power_add(energy, "sram.filter",
                  sram_pj(t, hw->sram.filter_bytes, (double)c.b_reads, (double)b_fill, bb)) ||
        power_add(energy, "sram.ofmap",
                  sram_pj(t, hw->sram.ofmap_bytes, 0, (double)c.o_writes, ob)) ||
        (bytes && power_add(energy, "dram", (double)bytes * 8.0 * t->e.dram_bit))) {
        snprintf(err, errlen, "energy: more than %d components", POWER_MAX_ITEMS);
        return -1;
    }
    return 0;
}

int te_run_layer(const hw_cfg_t *hw, te_kind_t kind, const te_gemm_t *g, layer_stats_t *st,
                 power_breakdown_t *energy, const tech_t *t, char *err, size_t errlen)
{
    const te_cfg_t *cfg = &hw->te[kind];
    te_counts_t c;
    if (te_cfg_check(cfg, err, errlen) != 0 || te_count(cfg, g, &c, err, errlen) != 0)
        return -1;
    const uint64_t ab = util_ceil_div(cfg->in_bits, 8), bb = util_ceil_div(cfg->w_bits, 8),
                   ob = util_ceil_div(cfg->acc_bits, 8);
    /* Elements brought into the scratchpads (te_cost.h): each product below
     * is at most c.a_reads or c.b_reads, which te_count checked. */
    const uint64_t a_fill = (uint64_t)cfg->rows * g->k * ab <= hw->sram.ifmap_bytes / 2
                                ? g->m * g->k
                                : c.a_reads;
    const uint64_t b_fill = g->k * g->n * bb <= hw->sram.filter_bytes / 2 ? g->k * g->n
                                                                           : c.b_reads;
    uint64_t rd, wr, bytes;
    if (util_mul_u64(a_fill, ab, &rd) || util_acc_u64(&rd, b_fill * bb) ||
        util_mul_u64(c.o_writes, ob, &wr) || util_add_u64(rd, wr, &bytes)) {
        snprintf(err, errlen, "DRAM bytes: does not fit in 64 bits");
        return -1;
    }
    const uint64_t dram_cycles = util_ceil_div(bytes, hw->dma.bytes_per_cycle);
    const uint64_t total = util_max_u64(c.compute_cycles, dram_cycles);
    memset(st, 0, sizeof *st);
    st->total_cycles = total;
    st->compute_cycles = c.compute_cycles;
    st->stall_cycles = total - c.compute_cycles;
    st->macs = g->m * g->n * g->k; /* te_count checked the factors' products */
    st->folds = c.folds;
    st->steps = c.steps;
    st->ifmap_reads = c.a_reads;
    st->filter_reads = c.b_reads;
    st->ofmap_writes = c.o_writes;
    st->ifmap_writes = a_fill;
    st->filter_writes = b_fill;
    st->dram_read_bytes = rd;
    st->dram_write_bytes = wr;
    st->dram_ifmap_bytes = a_fill * ab; /* the two terms of rd */
    st->dram_filter_bytes = b_fill * bb;
    /* dram_times 0: the roofline has no DMA timeline (te_cost.h) */
    st->utilization = (double)st->macs / ((double)cfg->rows * cfg->cols * cfg->depth *
                                          (double)total);
    if (!energy)
        return 0;
    return te_energy(t, hw, kind, &c, a_fill, b_fill, bytes, energy, err, errlen);
}

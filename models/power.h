/* power.h - energy and area of the configured hardware from a technology
 * table (tech.h): an energy breakdown of a run's event counts, an area
 * breakdown of the hardware, and the derived TOPS, TOPS/W and TOPS/mm^2.
 *
 * A breakdown is a short list of named components ("array.mac", "sram.ifmap",
 * "dram", ...) with one value each: pJ for energy, um^2 for area.  Every block
 * contributes through its own pair of functions that only call power_add():
 *
 *   int power_<block>_energy(const tech_t *, const <block> cfg, const <block>
 *                            stats, power_breakdown_t *out, char *err, size_t errlen);
 *   int power_<block>_area(const tech_t *, const <block> cfg,
 *                          power_breakdown_t *out, char *err, size_t errlen);
 *
 * The LUT unit (models/lut_tc.h) and PIM (models/pim.h, pim_gemv.h) add
 * theirs below with names under "lut." and "pim.", the DRAM split under
 * "dram.".
 *
 * What the systolic/scratchpad/DRAM model counts (power.c has the details):
 *   array.mac       macs x (multiplier(in_bits x w_bits) + adder(acc_bits)),
 *                   minifloat arrays power_fp_mac's mac_pj
 *   array.regs      macs x (2 operand registers + accumulator) bits x reg_bit
 *   sram.<buffer>   element reads and writes x bytes per element x per-byte
 *                   energy of one half of that buffer (the array and the DMA
 *                   each work in one half, see models/sram.h)
 *   dram            bytes read and written x 8 x dram_bit
 * Not counted: leakage, clock tree, control and address generation.
 */
#ifndef CODESIM_POWER_H
#define CODESIM_POWER_H

#include <stddef.h>
#include <stdint.h>

#include "hw.h"
#include "engine.h"
#include "lut_tc.h"
#include "pim_gemv.h"
#include "tech.h"

#define POWER_MAX_ITEMS 24

typedef struct {
    char name[32];
    double value;       /* pJ or um^2 */
} power_item_t;

typedef struct {
    power_item_t item[POWER_MAX_ITEMS];   /* in order of first power_add() */
    size_t n;
    double total;
} power_breakdown_t;

void power_init(power_breakdown_t *b);
/* Adds v to component name (created on first use).  -1 when the list is full
 * or name is longer than 31 characters. */
int power_add(power_breakdown_t *b, const char *name, double v);
/* Sums every component of src into dst by name. */
int power_merge(power_breakdown_t *dst, const power_breakdown_t *src);
double power_get(const power_breakdown_t *b, const char *name);  /* 0 when absent */

/* ---- systolic array, scratchpads, DRAM channel --------------------------- */

/* Area of the R x C PE grid of rtl/systolic.v, component by component, as
 * synthesis sees it: every PE has a multiplier, the accumulate adder, w_reg,
 * v_reg and acc; a_reg exists only where a right neighbour consumes it
 * (R x (C-1) PEs), b_reg only where a lower neighbour does ((R-1) x C), and
 * the partial-sum adder only below row 0 ((R-1) x C; row 0 adds a constant 0).
 * Register next-state selection is one 2:1 mux per register bit, plus two
 * for v_reg (acc, v_in or v_in + product) and one per operand bit for the
 * multiplier's b / w select.  Adds "array.mul", "array.add", "array.reg",
 * "array.mux" to b (may be NULL) and returns the sum in um^2. */
double power_grid_um2(const tech_t *t, uint32_t rows, uint32_t cols, uint32_t in_bits,
                      uint32_t w_bits, uint32_t acc_bits, power_breakdown_t *b);

/* A minifloat MAC (systolic_cfg_t in_fmt / w_fmt, numfmt.h) as the PE of
 * rtl/systolic.v computes it, each piece sized for the formats: an
 * (m_a+1) x (m_b+1) significand multiplier, an (max(e_a, e_b)+1)-bit
 * exponent adder (off_a + off_b), an alignment shifter of acc_bits x
 * ceil(log2(largest shift + 1)) 2:1 muxes, and a conditional negate of the
 * (m_a+m_b+2)-bit product (an adder), before the same acc_bits accumulate
 * adder as an integer PE.  This is a fixed-point (Kulisch-style) MAC; the
 * minifloat-vs-integer study (PAPERS.md) prices minifloats on FPGAs with
 * the same message, that integers stay smaller at equal bits.  The sizes
 * come from the tech table's laws; the component list is ours.  Operand
 * registers hold the codes (1+e+m bits). */
typedef struct {
    double mul_um2, exp_um2, shift_um2, neg_um2;   /* per PE */
    double shift_mux_bits;
    double mac_pj;     /* the whole MAC including the accumulate add */
} power_fp_mac_t;
void power_fp_mac(const tech_t *t, const systolic_cfg_t *a, power_fp_mac_t *c);

/* The grid plus "sram.ifmap", "sram.filter", "sram.ofmap" (whole buffers);
 * minifloat arrays replace "array.mul" by the power_fp_mac pieces
 * ("array.mul", "array.fp_exp", "array.fp_shift", "array.fp_neg"). */
/* The grid of a fixed-dataflow array (array.fixed_dataflow: true): the
 * same multipliers and adders without the dataflow-select muxes and the
 * registers only other dataflows use.  OS: acc, a and b pipes, a clear mux
 * per acc bit, the edge operand registers, results on parallel ports (as
 * the HPCA 2025 paper's MAC-based OS array, pe.v/top.v); WS/IS: w, a and
 * the partial-sum pipe v, a load mux per w bit.  Same components as
 * power_grid_um2; returns um^2. */
double power_grid_fixed_um2(const tech_t *t, const systolic_cfg_t *a, power_breakdown_t *b);
/* The fixed-dataflow OS grid with the HPCA 2025 paper's optimized (OPT1)
 * PE in place of the MAC (its public array_opt1_based/pe.v, opt1_mac.v): the
 * multiplier's radix-4 Booth partial products (ceil(w/2) rows of in + 2
 * bits), sign-extended to acc_bits, go with the sum and carry words into a
 * carry-save tree to two words (ceil(w/2) rows of 3:2 full adders at
 * acc_bits, each priced as an acc_bits adder as in te_cost.h); no carry-
 * propagate add in the PE.  A Booth partial-product bit is priced as two
 * mux bits (select and negate: 2 x 1.862 = 3.7 um^2 on yosys45, against
 * 4.25 um^2 per bit measured on a standalone Booth row, rtl/synth/parts.v
 * booth_row, 8 -> 16 bits; not one of the compared designs).  Registers:
 * sum and carry (2 acc_bits, a clear gate each priced as a mux bit), the
 * a/b pipes and edge registers as power_grid_fixed_um2.  Adds "array.booth",
 * "array.csa", "array.reg", "array.mux"; returns um^2. */
double power_grid_opt1_um2(const tech_t *t, const systolic_cfg_t *a, power_breakdown_t *b);
/* The HPCA 2025 paper's 3D cube (its public OPT1/cube/array_mac_based and
 * array_opt1_based top.v, PE.v): n x n x n PEs at (z, x, y), each with one
 * multiply (w x w signed operands) and no accumulator.  Operand a enters
 * at z = 0 (the registered input A, a word per (x, y)) and moves along z,
 * b enters at x = 0 (input B, a word per (z, y)) and moves along x, each
 * PE registering what it passes on (o_z_a, o_x_b: w bits; the last plane's
 * copies have no reader and are not built); the partial sum moves along y,
 * registered in every PE (o_y_p <= i_y_p + a*b), 0 into y = 0, and leaves
 * at y = n - 1 as result[z][x] = sum over y of A[x][y] * B[z][y], acc bits
 * (the top's ACC_WIDTH, 2w + ceil(log2 n)).  Asynchronous resets, no
 * enables, no clears.
 *   MAC-based (opt1 = 0): n^3 multipliers, an acc-bit adder in every PE but
 *     y = 0 (it adds a constant 0), n^3 acc-bit partial-sum registers,
 *     2 n^2 (n - 1) w-bit operand registers in the PEs and 2 n^2 w at the
 *     top's inputs ("cube.mul", "cube.add", "cube.reg").
 *   OPT1 (opt1 = 1): the OS OPT1 PE's parts (power_grid_opt1_um2): ceil(w/2)
 *     radix-4 Booth rows of w + 2 bits (two mux bits a bit), sign-extended
 *     to acc bits, into a carry-save tree with the incoming sum and carry
 *     words: ceil(w/2) + 2 words to two, one row of 3:2 full adders (priced
 *     as an acc-bit adder) per word removed; at y = 0 the incoming words are
 *     the constant 0, so ceil(w/2) words, two rows fewer.  The partial sum
 *     travels as sum and carry (2 acc register bits a PE) with no carry-
 *     propagate add anywhere (the cube's outputs are the pairs).  Each of
 *     those bits has two clear gates, each priced as a mux bit: the
 *     registers' synchronous reset (the OS PE's clc) and the PE's output
 *     gate (o_y_p = rst_n ? {sum, carry} : 0).  Operand registers as the
 *     MAC cube ("cube.booth", "cube.csa", "cube.reg", "cube.mux").
 * Adds the parts to b (may be NULL); returns um^2.  Doubles throughout: no
 * integer product of n can overflow. */
double power_cube_paper_um2(const tech_t *t, uint32_t n, uint32_t w, uint32_t acc, int opt1,
                            power_breakdown_t *b);
/* The grid of a compressed-accumulation array (array.compressed: true,
 * systolic.h) with the components te_grid_um2 uses for its compressed PE:
 * power_grid_um2's grid in which every accumulate / partial-sum adder is a
 * row of acc_bits 3:2 full adders (priced as an acc_bits adder, as
 * te_cost.c does), each PE has two carry words (acc_c and v_c, acc_bits - 1
 * flip-flops each: bit 0 is always 0) with the muxes of the sum words they
 * shadow (1 per acc_c bit, 3 per v_c bit), and each column has one
 * acc_bits carry-propagate adder at its bottom ("array.cpa").  Returns um^2. */
double power_grid_cmp_um2(const tech_t *t, const systolic_cfg_t *a, power_breakdown_t *b);
int power_systolic_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                        size_t errlen);

/* The energy of one layer's events (see the list at the top). */
int power_systolic_energy(const tech_t *t, const hw_cfg_t *hw, const layer_stats_t *st,
                          power_breakdown_t *out, char *err, size_t errlen);

/* ---- LUT tensor core (models/lut_tc.h) ------------------------------------ */

/* Area of the configured unit, built from the same parts its events price
 * (E = lut_entries, eb = lut_entry_bits, P = lut_planes, PE = tm x tn):
 *   lut.table      table_entries x eb flip-flops, each with its load mux
 *   lut.table_sel  per tile row, a mux choosing one of the row's tables for
 *                  the broadcast: (table_entries/E - tm) x E x eb mux bits
 *   lut.pe_select  per PE an E:1 entry select: (E - 1) x eb mux bits
 *   lut.pe_sign    per PE an eb-bit negator (adder), with sym_table only
 *   lut.pe_shift   per PE a shifter by plane: ceil(log2 P) x (eb + P - 1) mux bits
 *   lut.pe_acc     per PE a 32-bit adder, accumulator and drain-bank
 *                  registers, and the accumulator's clear/load mux
 *   lut.precompute in-unit precompute only: per tile row E adder trees of
 *                  g - 1 eb-bit adders; with a zero point, the rowsum adder
 *                  and its two 32-bit registers
 *   lut.drain      zero point: one (P+1) x 32 multiplier and tn 32-bit
 *                  adders; scaler: tn 32 x 16 multipliers
 *   sram.act, sram.weight, sram.out   the three buffers, whole */
int power_lut_area(const tech_t *t, const lut_cfg_t *cfg, power_breakdown_t *out, char *err,
                   size_t errlen);

/* Energy of one LUT run from its events (lut_stats_t):
 *   lut.table_write  table_writes x eb x reg_bit
 *   lut.table_read   table_reads x eb/8 x lut_read_byte
 *   lut.precompute   precompute_adds x add(eb) + rowsum_adds x add(32)
 *   upstream.precompute  fused_precompute_adds x add(eb): the same work done
 *                    by the previous operator (priced, not part of the unit)
 *   lut.sign         sign_ops x add(eb)
 *   lut.shift        shifts x ceil(log2 P) x (eb + P - 1) x mux_bit
 *   lut.acc          acc_adds x (add(32) + 32 reg_bit) + bank_writes x 32 reg_bit
 *   lut.drain        zp_muls x mul(P+1, 32) + zp_adds x add(32)
 *                    + scale_muls x mul(32, 16)
 *   sram.act         act_reads x ceil(a_bits/8) B, read from half the buffer
 *   sram.weight      weight_reads x g/8 B, read from half the weight buffer
 *   sram.fill        dram_read_bytes written into half the weight buffer (the
 *                    DMA's fills; the activation buffer has the same size by
 *                    default)
 *   sram.out         out_writes x 4 B written + out_acc_reads x 4 B read (whole buffer)
 *   dram             (dram_read_bytes + dram_write_bytes) x 8 x dram_bit */
int power_lut_energy(const tech_t *t, const lut_cfg_t *cfg, const lut_stats_t *st,
                     power_breakdown_t *out, char *err, size_t errlen);

/* Dequantize-then-MAC baseline on the systolic array hw (8-bit weights in the
 * array): power_systolic_energy of st, except that the weights come from
 * DRAM at P bits (dq->weight_dram_bytes_lowbit instead of one byte per filter
 * fill, as lut_dequant_cost describes), plus "dequant" = dequant_ops x
 * add(8) (one subtract per weight element). */
/* The DRAM bytes the dequantize-then-MAC machine reads for st: st's reads
 * with the 8-bit weight fills (st->filter_writes x ceil(w_bits/8)) replaced
 * by dq->weight_dram_bytes_lowbit, the P-bit weights it stores.  What
 * power_dqmac_energy prices and lutcompare prints in its dq+mac row. */
uint64_t power_dqmac_dram_read_bytes(const hw_cfg_t *hw, const layer_stats_t *st,
                                     const lut_dequant_cost_t *dq);
int power_dqmac_energy(const tech_t *t, const hw_cfg_t *hw, const layer_stats_t *st,
                       const lut_dequant_cost_t *dq, power_breakdown_t *out, char *err,
                       size_t errlen);

/* Its area: power_systolic_area of hw plus "dequant", the dequantizer beside
 * the DMA: one 8-bit subtractor per weight element a DRAM cycle delivers
 * (lut->dma.bytes_per_cycle x 8 / P of them). */
int power_dqmac_area(const tech_t *t, const hw_cfg_t *hw, const lut_cfg_t *lut,
                     power_breakdown_t *out, char *err, size_t errlen);

/* ---- PIM (models/pim.h, models/pim_gemv.h) -------------------------------- */

/* Area of every PIM unit of the DRAM (dram_units x banks / banks_per_unit):
 *   pim.mac   fp16: lanes/16 x pim_unit (the table's 16-lane [L21] datapath);
 *             int8: lanes x (mul(8, 8) + add(32))
 *   pim.regs  (grf x lanes x elem + srf x elem + acc x lanes x 32) bits x
 *             (reg_bit + mux_bit)
 *   pim.tree  pim.reduce tree only: power_pim_tree_um2 per unit */
int power_pim_area(const tech_t *t, const pim_gemv_cfg_t *cfg, power_breakdown_t *out,
                   char *err, size_t errlen);

/* MACT's adder tree beside one unit (models/power.c says what the RTL builds
 * and why it is priced so): 0 unless u->reduce is tree, else
 *   lanes x add + (2 lanes - 1) x 32 x mux_bit
 * with add = fp16_add (fp16: the binary32 accumulate's adder, as in
 * pim_unit) or add(32) (int8): the lanes - 1 tree nodes and the root's
 * accumulate; the mux bits read lane j of an accumulator entry and select
 * each lane's write (its sum or the tree's). */
double power_pim_tree_um2(const tech_t *t, const pim_cfg_t *u);
/* Energy of one MACT's tree beyond its L multiplies and root accumulate
 * (which pim.mac keeps):
 *   (lanes - 1) x add + (ceil(log2 lanes) + 1) x 32 x mux_bit
 * with add = pim_mac x fp16_add / (fp16_mul + fp16_add) (fp16: the add's
 * share of a PIM MAC, on the DRAM die like pim_mac) or add(32) (int8). */
double power_pim_mact_pj(const tech_t *t, const pim_cfg_t *u);

/* Energy of a PIM GEMV (pim_gemv_time) or of the host baseline
 * (pim_gemv_host_time) from the same stats:
 *   dram.act  act x dram_act x page bytes / 1 KiB (each ACT with its PRE)
 *   dram.core bits that leave the cell array: host bursts (host_rd + host_wr)
 *             and PIM reads (bank_bytes), x dram_core_bit
 *   dram.io   bus_bytes x 8 x dram_io_bit (host data, SRF bursts, read-backs:
 *             the latter two never touch the array)
 *   pim.mac   lane_macs x pim_mac (fp16) or the int8 MAC; pim.reduce
 *             tree: less the tree's adds, (lanes - 1) x add per MACT (add
 *             as in power_pim_mact_pj), so a MACT keeps its L multiplies
 *             and its root accumulate here
 *   pim.regs  accumulator writes x 32 bits + SRF/GRF bursts x units per
 *             channel x burst bits, x reg_bit; the writes are lane_macs
 *             (a MAC or MACS writes every lane), or lane_macs / lanes MACTs
 *             (tree: a MACT writes one lane)
 *   pim.tree  pim.reduce tree only: MACTs (lane_macs / lanes) x
 *             power_pim_mact_pj.  The tree's lanes - 1 adds replace the
 *             lanes - 1 accumulates pim.mac would count, so what the tree
 *             changes against pricing its MACTs as lane MACs is its selects'
 *             mux bits and the (lanes - 1) x 32 register bits not written. */
int power_pim_energy(const tech_t *t, const pim_gemv_cfg_t *cfg, const pim_gemv_stats_t *st,
                     power_breakdown_t *out, char *err, size_t errlen);

/* ---- multi-core NPU running an LLM (sim/run/npu.c) --------------------------- */

/* Events of one npu_run, summed over every core, layer and step. */
typedef struct {
    uint64_t array_macs;      /* MACs on the systolic arrays */
    uint64_t lut_macs;        /* MACs the LUT units replaced (lut.macs) */
    /* Array buffer element accesses (systolic_count of every tile shape). */
    uint64_t ifmap_reads, filter_reads, ofmap_writes, ofmap_acc_reads;
    uint64_t vector_elem_passes; /* rows x cols x passes (vector_op_shape) per op */
    uint64_t dram_bytes;      /* moved by the cores' DMA engines */
    lut_stats_t lut;          /* lut_count of every LUT run (no DRAM fields) */
    lut_cfg_t lut_cfg;        /* the unit of the first LUT op (valid when lut_runs) */
    uint64_t lut_runs;
    pim_gemv_stats_t pim;     /* every PIM kernel (power_npu_pim_add) */
    uint64_t pim_kernels;
    /* The tensor engine's tiles (te_count of every tile shape, summed):
     * one engine kind per run (the mapper's). */
    uint64_t te_macs;
    te_counts_t te;
    te_kind_t te_kind;
    uint64_t te_tiles;
} power_npu_events_t;

/* Adds one PIM kernel's stats into sum (counts summed, host_lat_max maxed). */
void power_npu_pim_add(pim_gemv_stats_t *sum, const pim_gemv_stats_t *st);

/* Energy of an NPU run from its events, by component (te_energy of the
 * tensor engine's events when te_tiles, without fills or DRAM, which are
 * priced here as for the array):
 *   array.mac, array.regs, sram.ifmap, sram.filter, sram.ofmap, dram
 *       power_systolic_energy of the array events, with the DRAM bytes of
 *       every DMA load (array and LUT ops alike): dram = dram_bytes x 8 x
 *       dram_bit.  Buffer fills by the DMA are not counted (as the LUT path
 *       of power_lut_energy, which counts its fills from DRAM bytes that
 *       lut_count leaves zero).
 *   lut.*, sram.act, sram.weight, sram.out   power_lut_energy of the LUT
 *       events, priced with ev->lut_cfg (all weight ops of a run share the
 *       run's weight width, so one unit configuration)
 *   vector  vector_elem_passes x fp16_add.  Assumption (ours): one element
 *       pass of the vector unit costs one fp16 add-class op; exp, rsqrt and
 *       multiplies are not priced separately, nor the unit's registers.
 *   dram.act, dram.core, dram.io, pim.mac, pim.regs   power_pim_energy of
 *       the summed PIM kernels (only with pim_kernels > 0; hw must have PIM).
 * Components with no events are not added. */
int power_npu_energy(const tech_t *t, const hw_cfg_t *hw, const power_npu_events_t *ev,
                     power_breakdown_t *out, char *err, size_t errlen);

/* Area of the NPU: npu.cores x (power_systolic_area + power_lut_area when
 * hw has a lut: section + "vector": npu.vector.lanes fp16 adders, the same
 * add-class assumption as the energy) + power_pim_area when hw has a pim:
 * section. */
int power_npu_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                   size_t errlen);

/* The PIM configuration of hw's pim: units on its dram: device (mode as
 * given; energy and area do not depend on it). */
void power_npu_pim_cfg(const hw_cfg_t *hw, pim_mode_t mode, pim_gemv_cfg_t *cfg);

/* ---- derived figures ----------------------------------------------------- */

typedef struct {
    double seconds;        /* cycles / clock */
    double energy_uj;
    double area_mm2;
    double power_w;        /* energy / seconds */
    double tops;           /* 2 x MACs / seconds, in 10^12 op/s */
    double peak_tops;      /* 2 x PEs x clock */
    double tops_per_w;     /* = ops per pJ */
    double tops_per_mm2;
} power_metrics_t;

void power_metrics(const tech_t *t, uint64_t macs, uint64_t cycles, uint64_t pes,
                   double energy_pj, double area_um2, power_metrics_t *m);

#endif

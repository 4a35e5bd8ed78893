/* te_cost.h - the tensor engines (tensor_engine.h) as blocks of a machine:
 * their area, the energy of their events, and one GEMM layer's time on the
 * engine with its core's scratchpads and DRAM channel.
 *
 * Area, component by component as synthesis sees rtl/tensor_engine.v
 * (te_grid_um2 is exactly teng_core; te_area adds the operand registers of
 * teng_top; the scratchpads are the core's, priced with the array):
 *   per PE   D multipliers (in x w bits), D-1 tree adders of PW = in + w +
 *            ceil(log2 D) bits, and
 *            MAC-based:  one acc_bits adder, acc_bits register bits, two
 *                        2:1 mux bits per register bit (enable, load/add);
 *            compressed: one acc_bits row of 3:2 full adders (priced as an
 *                        acc_bits adder: the same full-adder count, no carry
 *                        chain), the final carry-propagate adder at the
 *                        write, the sum word as above and a carry word
 *                        of acc_bits - 1 register bits (its bit 0 is
 *                        always 0) with one enable mux bit each.
 *   operands R*D*in + D*C*w register bits, one mux bit each (idle lanes
 *            load 0).
 *   minifloat operands (in_format / w_format): each multiplier is the
 *            array's minifloat datapath (power_fp_mac: significand
 *            multiplier, exponent adder, alignment shifter, negate; parts
 *            "mul", "fp_exp", "fp_shift", "fp_neg"), and the tree adders
 *            are PW = min(numfmt_product_bits + ceil(log2 D), acc_bits)
 *            bits wide (the aligned products wrap at acc_bits).  The
 *            operand registers hold the codes (1+e+m bits) as priced
 *            above; the per-lane decoders are not priced (as the array's).
 *
 * Layer time: the engine's compute cycles (te_count) against the DRAM
 * traffic over dram.bytes_per_cycle, overlapped by double buffering (a
 * roofline: total = max(compute, DRAM cycles); not the array's step-by-
 * step DMA model).  Traffic: A once when an R-row panel (R x K) fits half
 * the ifmap scratchpad, else once per column fold; B once when it fits half
 * the filter scratchpad, else once per row fold; O written once. */
#ifndef CODESIM_TE_COST_H
#define CODESIM_TE_COST_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "hw.h"
#include "power.h"
#include "tech.h"
#include "tensor_engine.h"

/* Adds "<kind>.mul", ".tree", ".acc", ".reg", ".mux" (PE grid) to b (may be
 * NULL); returns the sum in um^2. */
double te_grid_um2(const tech_t *t, const te_cfg_t *cfg, power_breakdown_t *b);
/* The grid plus the operand registers ("<kind>.opreg"). */
int te_area(const tech_t *t, const te_cfg_t *cfg, power_breakdown_t *out, char *err,
            size_t errlen);

/* Whether one fold of the engine of kind `kind` (the smallest tile the
 * mapper cuts: an R x D A block, a D x C B block and R x C outputs) fits one
 * half of each of hw's double-buffered scratchpads; -1 with
 * "sram.FIELD: one half (N bytes) cannot hold ..." when not. */
int te_fold_check(const hw_cfg_t *hw, te_kind_t kind, char *err, size_t errlen);

/* Timing model: the longest paths through one PE in unit gate delays (one
 * level of yosys' generic two-input gates and 2:1 muxes, what `ltp -noff`
 * counts after `codesim synth`'s ABC mapping; no wire or fan-out delay, no
 * flip-flop overhead).  Component delays, each measured on a standalone
 * module through that same flow (`make synth-timing` re-measures them;
 * none of them is a design compared with the model):
 *   w-bit ripple adder            2w - 2     (w = 4..32: 6, 14, 22, 30, 46, 62)
 *   signed n x m multiplier       2(n+m) - 3 (4x4 13, 6x6 21, 8x4 21, 8x8 30,
 *                                             12x12 46, 16x16 59), its own
 *                                             carry-propagate add included
 *   one adder-tree level          +4         (a0*b0 + a1*b1: 34 = mul 30 + 4)
 *   one row of 3:2 full adders    3          (csa3, 32 bits: 3)
 *   radix-4 Booth row with the    n + 2      (booth_negrow, n = 4..24: 6, 8,
 *   n-bit multiplicand negated               10, 12, 14, 18, 26; n = 2, 3:
 *   in full in front of it                   6, 7, so n + 4 below 4)
 * Composition (assumed from the structure, not fitted): an adder fed by a
 * multiplier (or tree) of PW bits overlaps its low PW bits with that
 * source's own ripple and adds 2 levels, then 2 per bit above PW (its sign
 * extension; c + a*b alone, fmaw 8x8 into 32 bits, measures 57 against this
 * law's 63); the enable and load selects in front of the accumulator flip-
 * flops 2 levels.  A tree of D inputs has ceil(log2 D) levels (balanced;
 * rtl/tensor_engine.v writes it as a chain, which yosys keeps: 4 levels
 * more per input beyond a balanced tree's, see the README).
 *   loop:  into the PE's flip-flops (sets the clock): MAC mul + tree + adder
 *          + selects; compressed mul + tree + 3:2 row + selects
 *   write: the compressed PE's carry-propagate add s + c at the write
 *          (2 acc_bits - 2), a path from its flip-flops to the output; 0
 *          for the MAC PE (its output is the register)
 *   path:  max(loop, write), what `ltp -noff` reports for the whole grid. */
typedef struct {
    uint32_t loop, write, path;
} te_levels_t;
/* The systolic array's PE on the same laws: MAC-based (rtl/systolic.v, or
 * with fixed the paper's fixed-dataflow pe.v: OS a clear gate, 1 level, WS
 * none, in place of the 2 select levels) or, with opt1, the paper's OPT1 OS
 * PE (power_grid_opt1_um2): its Booth generator (te_booth_neg_levels of
 * the multiplicand, in_bits, with windows over w_bits, as
 * power_grid_opt1_um2 prices the rows; the paper's Verilog, 8x8 only,
 * negates the column operand and slices the row operand), a carry-save
 * tree of ceil(w_bits/2) + 2 words to two, 3 levels per layer of 3:2 rows
 * (parts.v csa3: 3), and the clear gate; no carry-propagate add.  8x8:
 * 10 + 3 x 3 + 1 = 20, what yosys measures on the paper's 4x4 and 8x8 OS
 * arrays at 32-bit sums and its 4x4 at 16 and 24 (its PE alone: 19 or 20).
 * write and path as above (no write path: its outputs are registers).
 * With a->compressed (array.compressed, not fixed nor opt1): mul + 3:2 row
 * (3) + selects in the loop, and the column's carry-propagate add s + c
 * (2 acc_bits - 2) as the write path. */
void te_array_pe_levels(const systolic_cfg_t *a, int fixed, int opt1, te_levels_t *out);
uint32_t te_add_levels(uint32_t w);
/* The HPCA 2025 paper's 3D cube (power_cube_paper_um2) on the same laws,
 * w-bit operands, acc-bit partial sums: the MAC-based PE is the fixed WS
 * PE's loop (v <= v_in + a*w: multiplier and adder, no select), the OPT1
 * PE the OS OPT1 PE's (te_array_pe_levels with opt1: Booth generator, the tree
 * of ceil(w/2) + 2 words, the registers' clear); the partial sum's own
 * path (the previous PE's output gate, then the tree) is shorter than the
 * Booth generator's.  write 0, path = loop (the outputs are registers). */
void te_cube_paper_levels(uint32_t w, uint32_t acc, int opt1, te_levels_t *out);
/* Levels of the paper's OPT1 Booth partial-product generator with an n-bit
 * multiplicand: n + 2 (n >= 4), n + 4 below.  It forms -x in full before
 * the rows (array_opt1_based/inv_conveter_8.v: the bits above x's lowest 1
 * inverted, the "a 1 below" flags a serial OR chain, n - 1 levels to the
 * top bit; ABC keeps the chain), then each row picks +-x or +-2x in AND-OR
 * selects (3 more).  A textbook row that inverts x and leaves the +1 to
 * the tree is 5 whatever n (parts.v booth_row).  Measured on rtl/synth/
 * parts.v booth_negrow, that structure written here; the paper's own
 * booth_pp_gen (n = 8) measures 10 = 8 + 2, its inv_converter_8 alone 7. */
uint32_t te_booth_neg_levels(uint32_t n);
/* array.ws_out_reg: false (systolic.h): levels of the unregistered output
 * path, the bottom PE's multiply and add ending at the write port, in
 * te_array_pe_levels' terms: te_mul_levels + 2 + 2*ext for the MAC PE (the
 * loop without its select), + the 3:2 row (3) and the column's carry-
 * propagate add (te_add_levels(acc_bits)) for the compressed PE. */
uint32_t te_ws_out_levels(const systolic_cfg_t *a);
uint32_t te_mul_levels(uint32_t n, uint32_t m);
void te_pe_levels(const te_cfg_t *cfg, te_levels_t *out);

/* One GEMM on the engine of kind `kind` of hw: stats in the array's terms
 * (engine.h: folds, steps and compute_cycles as te_count, ifmap/filter_reads
 * the A/B element reads of its ports, ofmap_writes the O writes,
 * ifmap/filter_writes the scratchpad fills, utilization macs / (R*C*D *
 * total)), and with energy not NULL its events priced into energy. */
int te_run_layer(const hw_cfg_t *hw, te_kind_t kind, const te_gemm_t *g, layer_stats_t *st,
                 power_breakdown_t *energy, const tech_t *t, char *err, size_t errlen);

/* The energy of the engine events c (te_count, summed over any number of
 * GEMMs) with a_fill, b_fill elements written into the scratchpads and
 * `bytes` DRAM bytes, into energy: "<kind>.mac", "<kind>.regs",
 * sram.ifmap, sram.filter, sram.ofmap and, when bytes > 0, dram. */
int te_energy(const tech_t *t, const hw_cfg_t *hw, te_kind_t kind, const te_counts_t *c,
              uint64_t a_fill, uint64_t b_fill, uint64_t bytes, power_breakdown_t *energy,
              char *err, size_t errlen);

#endif

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

/* One GEMM on the engine of kind `kind` of hw: stats in the array's terms
 * (engine.h: folds, steps and compute_cycles as te_count, ifmap/filter_reads
 * the A/B element reads of its ports, ofmap_writes the O writes,
 * ifmap/filter_writes the scratchpad fills, utilization macs / (R*C*D *
 * total)), and with energy not NULL its events priced into energy. */
int te_run_layer(const hw_cfg_t *hw, te_kind_t kind, const te_gemm_t *g, layer_stats_t *st,
                 power_breakdown_t *energy, const tech_t *t, char *err, size_t errlen);

#endif

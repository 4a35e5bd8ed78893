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

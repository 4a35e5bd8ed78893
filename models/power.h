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
 * so the LUT unit (models/lut_tc.h) and PIM (models/pim.h) add theirs with
 * names under "lut." and "pim." and the per-event energies tech_t already has
 * (e.lut_read_byte, e.pim_mac, a.pim_unit) without touching the systolic code.
 *
 * What the systolic/scratchpad/DRAM model counts (power.c has the details):
 *   array.mac       macs x (multiplier(in_bits x w_bits) + adder(acc_bits))
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

#include "../sim/config.h"
#include "../sim/engine.h"
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

/* The grid plus "sram.ifmap", "sram.filter", "sram.ofmap" (whole buffers). */
int power_systolic_area(const tech_t *t, const hw_cfg_t *hw, power_breakdown_t *out, char *err,
                        size_t errlen);

/* The energy of one layer's events (see the list at the top). */
int power_systolic_energy(const tech_t *t, const hw_cfg_t *hw, const layer_stats_t *st,
                          power_breakdown_t *out, char *err, size_t errlen);

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

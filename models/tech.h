/* tech.h - technology tables: energy per event and area per unit for one
 * process node, read from reports/tech/<node>.yaml.
 *
 * A base node file (45nm.yaml) sets every value from published figures.  A
 * derived node file (28nm.yaml, 7nm.yaml) names its base and four scale
 * factors; the loader takes the base's values, multiplies each by the factor
 * of its category and then applies the keys the derived file sets itself:
 *
 *   logic_energy: energy_pj.{int*, fp16_*, reg_bit, mux_bit}
 *   sram_energy:  sram_read_pj_per_byte[*].pj, energy_pj.lut_read_byte
 *   logic_area:   area_um2.{int*, fp16_*, reg_bit, mux_bit, pim_unit}
 *   sram_area:    area_um2.sram_bitcell
 *   not scaled:   energy_pj.{dram_bit, dram_act, dram_core_bit, dram_io_bit,
 *                 pim_mac} (the DRAM die), sram_write_ratio,
 *                 sram_efficiency, clock_mhz
 *
 * Two views of DRAM energy: dram_bit is the all-in cost of a bit moved over
 * an accelerator's off-chip interface (activation amortized, as [J21]
 * quotes it); the PIM comparison needs where that energy goes inside a
 * stacked DRAM, so dram_act (one row activation with its precharge),
 * dram_core_bit (array -> the bank's edge, where a PIM unit sits) and
 * dram_io_bit (bank edge -> die I/O -> TSV -> interface) split it.
 *
 * Units: pJ, um^2, KiB (SRAM law), MHz.  Every loaded value is > 0, and all
 * but the scale factors lie in 1e-12..1e12 (sim/cost/tech_file.c).
 */
#ifndef CODESIM_TECH_H
#define CODESIM_TECH_H

#include <stddef.h>
#include <stdint.h>

#define TECH_SRAM_POINTS 16

typedef struct {
    double kib;      /* SRAM array size */
    double pj;       /* read energy per byte at that size */
} tech_point_t;

typedef struct {
    char node[32];
    char base[32];                  /* "" for a base node */
    double clock_mhz;
    struct {                        /* pJ per event */
        double int8_add, int16_add, int32_add, int8_mul, int32_mul;
        double fp16_add, fp16_mul;
        double reg_bit;             /* one flip-flop bit written */
        double mux_bit;             /* one 2:1 multiplexer bit switching (shifters, selects) */
        double dram_bit;            /* one bit read or written off chip, all in */
        double dram_act;            /* one ACT + its PRE of a 1 KiB row (scale by page size) */
        double dram_core_bit;       /* one bit between the cell array and the bank's edge */
        double dram_io_bit;         /* one bit between the bank's edge and the host */
        double pim_mac;             /* one in-DRAM multiply-accumulate */
        double lut_read_byte;       /* one byte read from a lookup table */
    } e;
    tech_point_t sram_read[TECH_SRAM_POINTS];  /* increasing kib */
    size_t sram_points;
    double sram_write_ratio;        /* write energy / read energy per byte */
    double sram_efficiency;         /* bit-cell area / macro area, 0..1 */
    struct {                        /* um^2 per unit */
        double int8_add, int16_add, int32_add, int8_mul, int32_mul;
        double fp16_add, fp16_mul;
        double reg_bit, mux_bit, sram_bitcell, pim_unit;
    } a;
    struct {                        /* factors applied to the base (1: base node) */
        double logic_energy, sram_energy, logic_area, sram_area;
    } scale;
} tech_t;

/* ---- laws over the table (all > 0 for bits >= 1) ----------------------- */

/* Integer multiplier of a x b bits: power law in a*b through the 8b and 32b
 * points ([H14]: area 282 -> 3495 um^2, energy 0.2 -> 3.1 pJ). */
double tech_mul_pj(const tech_t *t, uint32_t a_bits, uint32_t b_bits);
double tech_mul_um2(const tech_t *t, uint32_t a_bits, uint32_t b_bits);
/* Integer adder: piecewise linear through the 8, 16 and 32 bit points,
 * proportional to width outside them. */
double tech_add_pj(const tech_t *t, uint32_t bits);
double tech_add_um2(const tech_t *t, uint32_t bits);
/* Derived events. */
double tech_int8_mac_pj(const tech_t *t);   /* int8_mul + int32_add */
double tech_fp16_mac_pj(const tech_t *t);   /* fp16_mul + fp16_add */
/* SRAM of `bytes`: energy per byte read (log-log interpolation of the table,
 * extrapolated with the end segments' slopes) and written (x write ratio),
 * and macro area (bits x bit cell / efficiency). */
double tech_sram_read_pj_per_byte(const tech_t *t, uint64_t bytes);
double tech_sram_write_pj_per_byte(const tech_t *t, uint64_t bytes);
double tech_sram_um2(const tech_t *t, uint64_t bytes);

#endif

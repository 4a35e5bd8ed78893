/* test_power.c - technology tables, energy and area breakdowns, and the
 * area model against yosys synthesis of the RTL's PE grid.
 *
 * References: energies computed by hand from a small table with round
 * numbers; published 45 nm / 7 nm figures (Horowitz ISSCC 2014, Jouppi et al.
 * ISCA 2021); LUT and PIM energies and areas worked out by hand from event
 * counts; flip-flop counts derived by hand from rtl/systolic.v; and cell
 * areas from yosys (`codesim synth`, run through the real binary). */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../models/block.h"
#include "../models/power.h"
#include "../models/te_cost.h"
#include "../models/tech.h"
#include "tests.h"
#include "../sim/cost/tech_file.h"
#include "../sim/io/config.h"
#include "../sim/io/spawn.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

/* |got - want| <= rel x |want| */
static void near(double got, double want, double rel, const char *what)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want), "%s = %.9g, want %.9g", what, got, want);
}
#define NEAR(a, b, rel) near((a), (b), (rel), #a)

/* A complete base table with round numbers the hand calculations use:
 * multiplier energy 0.2 pJ (8x8) to 3.2 pJ (32x32) is linear in the operand
 * product, so 8x8 costs 0.2; adders 0.1 pJ at 32 bits; SRAM 1 pJ/B at 1 KiB,
 * 2 pJ/B at 4 KiB (slope 1/2 in log-log); writes 1.5x reads; mux bit 0.002
 * pJ; DRAM: 1000 pJ per 1 KiB activation, 0.5 pJ/bit array to bank edge, 2
 * pJ/bit bank edge to host. */
static const char round_table[] =
    "node: round\n"
    "clock_mhz: 500\n"
    "energy_pj:\n"
    "  int8_add: 0.025\n"
    "  int16_add: 0.05\n"
    "  int32_add: 0.1\n"
    "  int8_mul: 0.2\n"
    "  int32_mul: 3.2\n"
    "  fp16_add: 0.4\n"
    "  fp16_mul: 1.1\n"
    "  reg_bit: 0.01\n"
    "  dram_bit: 10\n"
    "  pim_mac: 1.5\n"
    "  lut_read_byte: 0.1\n"
    "  mux_bit: 0.002\n"
    "  dram_act: 1000\n"
    "  dram_core_bit: 0.5\n"
    "  dram_io_bit: 2\n"
    "sram_read_pj_per_byte:\n"
    "  - {kib: 1, pj: 1}\n"
    "  - {kib: 4, pj: 2}\n"
    "sram_write_ratio: 1.5\n"
    "sram_efficiency: 0.5\n"
    "area_um2:\n"
    "  int8_add: 40\n"
    "  int16_add: 80\n"
    "  int32_add: 160\n"
    "  int8_mul: 300\n"
    "  int32_mul: 4800\n"
    "  fp16_add: 1000\n"
    "  fp16_mul: 1000\n"
    "  reg_bit: 5\n"
    "  mux_bit: 2\n"
    "  sram_bitcell: 0.25\n"
    "  pim_unit: 1000\n";

typedef struct {
    char dir[64];
} tmpdir_t;

static void tmp_open(tmpdir_t *d)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/codesim-power-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d->dir));
}

static void tmp_write(const tmpdir_t *d, const char *name, const char *text, char *path,
                      size_t len)
{
    snprintf(path, len, "%s/%s", d->dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void tmp_close(const tmpdir_t *d)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d->dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void load_round(tech_t *t)
{
    char err[512];
    ck_assert_msg(tech_parse(round_table, "round.yaml", t, err, sizeof err) == 0, "%s", err);
}

static void small_hw(hw_cfg_t *hw)
{
    memset(hw, 0, sizeof *hw);
    snprintf(hw->name, sizeof hw->name, "small");
    hw->array = (systolic_cfg_t){2, 2, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
    hw->sram = (sram_cfg_t){4096, 2048, 8192};
    hw->dma.bytes_per_cycle = 8;
}

/* Energy = events x per-event energies, worked out by hand. */
START_TEST(energy_is_events_times_event_energies)
{
    tech_t t;
    load_round(&t);
    hw_cfg_t hw;
    small_hw(&hw);
    layer_stats_t st = {0};
    st.macs = 100;
    st.ifmap_reads = 40, st.ifmap_writes = 20;
    st.filter_reads = 30, st.filter_writes = 10;
    st.ofmap_reads = 5, st.ofmap_writes = 8;
    st.dram_read_bytes = 64, st.dram_write_bytes = 32;
    power_breakdown_t e;
    power_init(&e);
    char err[256];
    ck_assert_int_eq(power_systolic_energy(&t, &hw, &st, &e, err, sizeof err), 0);
    /* MAC: 8x8 multiply 0.2 + 32-bit add 0.1 pJ. */
    NEAR(power_get(&e, "array.mac"), 100 * 0.3, 1e-12);
    /* Registers: (8 + 8 + 32) bits x 0.01 pJ per MAC. */
    NEAR(power_get(&e, "array.regs"), 100 * 48 * 0.01, 1e-12);
    /* ifmap: 1-byte elements, half of 4 KiB = 2 KiB: 1 x sqrt(2) pJ/B read,
     * 1.5x that written. */
    NEAR(power_get(&e, "sram.ifmap"), 40 * sqrt(2.0) + 20 * 1.5 * sqrt(2.0), 1e-12);
    /* filter: half of 2 KiB = 1 KiB: 1 pJ/B. */
    NEAR(power_get(&e, "sram.filter"), 30 * 1.0 + 10 * 1.5, 1e-12);
    /* ofmap: 4-byte elements, half of 8 KiB = 4 KiB: 2 pJ/B. */
    NEAR(power_get(&e, "sram.ofmap"), 5 * 4 * 2.0 + 8 * 4 * 2.0 * 1.5, 1e-12);
    /* DRAM: 96 bytes x 8 bits x 10 pJ. */
    NEAR(power_get(&e, "dram"), 96 * 8 * 10.0, 1e-12);
    NEAR(e.total, 30 + 48 + 70 * sqrt(2.0) + 45 + 136 + 7680, 1e-12);

    /* TOPS/W is operations per pJ; TOPS at 500 MHz over 50 cycles. */
    power_metrics_t m;
    power_metrics(&t, st.macs, 50, 4, e.total, 1e6, &m);
    NEAR(m.tops_per_w, 200.0 / e.total, 1e-12);
    NEAR(m.tops, 200.0 / (50 / 500e6) / 1e12, 1e-12);
    NEAR(m.peak_tops, 2.0 * 4 * 500e6 / 1e12, 1e-12);
    NEAR(m.tops_per_mm2, m.tops / 1.0, 1e-12);
}
END_TEST

/* SRAM extrapolates with the end segments' slopes; the laws pass through
 * their table points. */
START_TEST(laws_pass_through_table_points)
{
    tech_t t;
    load_round(&t);
    NEAR(tech_sram_read_pj_per_byte(&t, 1024), 1.0, 1e-12);
    NEAR(tech_sram_read_pj_per_byte(&t, 4096), 2.0, 1e-12);
    NEAR(tech_sram_read_pj_per_byte(&t, 16384), 4.0, 1e-12);   /* slope 1/2 beyond */
    NEAR(tech_sram_read_pj_per_byte(&t, 256), 0.5, 1e-12);     /* and below */
    NEAR(tech_mul_pj(&t, 8, 8), 0.2, 1e-12);
    NEAR(tech_mul_pj(&t, 32, 32), 3.2, 1e-12);
    NEAR(tech_mul_pj(&t, 16, 16), 0.8, 1e-12);                 /* linear in a*b here */
    NEAR(tech_add_pj(&t, 24), 0.075, 1e-12);                    /* midway 16..32 */
    NEAR(tech_add_um2(&t, 64), 320, 1e-12);                     /* per bit beyond 32 */
    NEAR(tech_sram_um2(&t, 1024), 1024 * 8 * 0.25 / 0.5, 1e-12);
}
END_TEST

/* A minifloat array: the integer grid with its multiplier replaced by the
 * fp datapath; the shifter by hand: E4M3 x E4M3 shifts by 0..28, 5 stages of
 * 32 muxes per PE; E2M1 by 0..4, 3 stages. */
START_TEST(minifloat_area_replaces_the_multiplier_by_the_fp_datapath)
{
    tech_t t;
    load_round(&t);
    hw_cfg_t hw;
    small_hw(&hw);
    char err[256];
    power_breakdown_t i8, f8;
    power_init(&i8);
    power_init(&f8);
    ck_assert_int_eq(power_systolic_area(&t, &hw, &i8, err, sizeof err), 0);
    hw.array.in_fmt = hw.array.w_fmt = (numfmt_t){4, 3, NUMFMT_OCP_E4M3};
    ck_assert_int_eq(power_systolic_area(&t, &hw, &f8, err, sizeof err), 0);
    NEAR(power_get(&f8, "array.fp_shift"), 4 * 32 * 5 * t.a.mux_bit, 1e-12);
    NEAR(power_get(&f8, "array.fp_exp"), 4 * tech_add_um2(&t, 5), 1e-12);
    NEAR(power_get(&f8, "array.mul"), 4 * tech_mul_um2(&t, 4, 4), 1e-12);
    NEAR(power_get(&f8, "array.fp_neg"), 4 * tech_add_um2(&t, 8), 1e-12);
    NEAR(f8.total - i8.total,
         power_get(&f8, "array.mul") + power_get(&f8, "array.fp_exp") +
             power_get(&f8, "array.fp_shift") + power_get(&f8, "array.fp_neg") -
             power_get(&i8, "array.mul"), 1e-9);
    hw.array.in_fmt = hw.array.w_fmt = (numfmt_t){2, 1, NUMFMT_FINITE};
    hw.array.in_bits = hw.array.w_bits = 4;
    power_breakdown_t f4;
    power_init(&f4);
    ck_assert_int_eq(power_systolic_area(&t, &hw, &f4, err, sizeof err), 0);
    NEAR(power_get(&f4, "array.fp_shift"), 4 * 32 * 3 * t.a.mux_bit, 1e-12);
}
END_TEST

/* Area: the 1 x 1 grid by hand, SRAM by hand, and PE-count scaling. */
START_TEST(area_is_pes_plus_sram)
{
    tech_t t;
    load_round(&t);
    hw_cfg_t hw;
    small_hw(&hw);
    /* One PE of rtl/systolic.v alone: multiplier 300, one 32-bit adder 160
     * (no partial-sum adder in row 0), w + v + acc = 72 flip-flops (a and b
     * have no consumer), muxes 72 + 2 x 32 + 8 = 144. */
    NEAR(power_grid_um2(&t, 1, 1, 8, 8, 32, NULL), 300 + 160 + 72 * 5 + 144 * 2, 1e-12);
    power_breakdown_t a;
    power_init(&a);
    char err[256];
    ck_assert_int_eq(power_systolic_area(&t, &hw, &a, err, sizeof err), 0);
    const double sram = (4096 + 2048 + 8192) * 8 * 0.25 / 0.5;
    NEAR(power_get(&a, "sram.ifmap") + power_get(&a, "sram.filter") + power_get(&a, "sram.ofmap"),
         sram, 1e-12);
    /* 2 x 2 grid: 4 PEs as above plus a_reg in 2, b_reg in 2 and the
     * partial-sum adder in 2 (row 1): 4 x 1108 + 2 x (8 x (5 + 2)) x 2 + 2 x 160. */
    NEAR(a.total - sram, 4 * 1108.0 + 4 * 8 * 7 + 2 * 160, 1e-12);
    /* Large grids: area grows with the PE count. */
    const double g64 = power_grid_um2(&t, 64, 64, 8, 8, 32, NULL);
    const double g128 = power_grid_um2(&t, 128, 128, 8, 8, 32, NULL);
    /* Edges (a_reg, b_reg, row-0 adder) weigh less as the grid grows. */
    ck_assert(g128 / g64 > 4.0 && g128 / g64 < 4.05);
    /* Wider operands cost more. */
    ck_assert(power_grid_um2(&t, 8, 8, 16, 16, 32, NULL) > power_grid_um2(&t, 8, 8, 8, 8, 32, NULL));
}
END_TEST

/* array.os_drain: overlap, priced as rtl/systolic.v builds it (power.c,
 * osd_area_um2), by hand on the round table (flip-flop 5, mux bit 2 um^2):
 * the multi-dataflow PE reuses v_reg as the shadow set and adds the 32-bit
 * restart gate, 4 PEs x 32 x 2 = 256; the OS-only PE adds the shadow
 * register and its two select bits, 4 x 32 x (5 + 2 x 2) = 1152; a WS-only
 * PE never runs OS: 0. */
START_TEST(overlapped_drain_area_is_its_registers_and_muxes)
{
    tech_t t;
    load_round(&t);
    static const struct {
        int fixed, compressed;
        systolic_dataflow_t df;
        double extra;
    } cases[] = {{0, 0, SYSTOLIC_OS, 256}, {0, 0, SYSTOLIC_WS, 256}, {1, 0, SYSTOLIC_OS, 1152},
                 {1, 0, SYSTOLIC_WS, 0},
                 /* compressed: the restart gate on the carry word too, 4 PEs x
                  * (32 + 31) mux bits x 2 = 504 */
                 {0, 1, SYSTOLIC_OS, 504}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hw_cfg_t hw;
        small_hw(&hw);
        hw.fixed_dataflow = cases[i].fixed;
        hw.array.compressed = cases[i].compressed;
        hw.array.dataflow = cases[i].df;
        power_breakdown_t ser, ovl;
        power_init(&ser);
        power_init(&ovl);
        char err[256];
        ck_assert_int_eq(power_systolic_area(&t, &hw, &ser, err, sizeof err), 0);
        hw.array.os_drain = SYSTOLIC_DRAIN_OVERLAP;
        ck_assert_int_eq(power_systolic_area(&t, &hw, &ovl, err, sizeof err), 0);
        NEAR(ovl.total - ser.total + 1, cases[i].extra + 1, 1e-12);
        NEAR(power_get(&ovl, "array.os_drain") + 1, cases[i].extra + 1, 1e-12);
    }
}
END_TEST

/* array.ws_out_reg: false, priced as power.c's wor_area_um2 says, by hand
 * on the round table (flip-flop 5, mux bit 2 um^2), 2x2 array, acc 32: a
 * fixed WS/IS grid drops the bottom row's v_reg, 2 x 32 x 5 = 320 saved; the
 * multi-dataflow grid keeps it (OS drains through it) and adds the output
 * select, 2 x 32 x 2 = 128; a fixed OS grid: 0. */
START_TEST(unregistered_ws_output_area_is_its_saved_registers)
{
    tech_t t;
    load_round(&t);
    static const struct {
        int fixed;
        systolic_dataflow_t df;
        double extra;
    } cases[] = {{1, SYSTOLIC_WS, -320}, {1, SYSTOLIC_IS, -320}, {0, SYSTOLIC_WS, 128},
                 {0, SYSTOLIC_OS, 128}, {1, SYSTOLIC_OS, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hw_cfg_t hw;
        small_hw(&hw);
        hw.fixed_dataflow = cases[i].fixed;
        hw.array.dataflow = cases[i].df;
        power_breakdown_t reg, unr;
        power_init(&reg);
        power_init(&unr);
        char err[256];
        ck_assert_int_eq(power_systolic_area(&t, &hw, &reg, err, sizeof err), 0);
        hw.array.ws_out_unreg = 1;
        ck_assert_int_eq(power_systolic_area(&t, &hw, &unr, err, sizeof err), 0);
        NEAR(unr.total - reg.total + 1000, cases[i].extra + 1000, 1e-12);
    }
}
END_TEST

/* The shipped tables: 45 nm values are Horowitz's, the derived nodes apply
 * the factors their files document, and 7 nm lands on Jouppi's figures. */
START_TEST(node_factors_applied_as_documented)
{
    tech_t t45, t28, t7;
    char path[600], err[512];
    tech_path("45nm", path, sizeof path);
    ck_assert_msg(tech_load(path, &t45, err, sizeof err) == 0, "%s", err);
    tech_path("28nm", path, sizeof path);
    ck_assert_msg(tech_load(path, &t28, err, sizeof err) == 0, "%s", err);
    tech_path("7nm", path, sizeof path);
    ck_assert_msg(tech_load(path, &t7, err, sizeof err) == 0, "%s", err);
    /* Horowitz ISSCC 2014, 45 nm. */
    NEAR(tech_int8_mac_pj(&t45), 0.2 + 0.1, 1e-12);
    NEAR(tech_fp16_mac_pj(&t45), 1.1 + 0.4, 1e-12);
    NEAR(t45.a.int8_mul, 282, 1e-12);
    NEAR(tech_sram_read_pj_per_byte(&t45, 32 * 1024), 20.0 / 8, 1e-12);
    /* 7 nm: logic energy x 0.3333, logic area x 0.095, SRAM energy x 0.5,
     * bit cell x 0.078, DRAM replaced by HBM2 (not scaled), 1050 MHz. */
    NEAR(t7.e.int8_mul, 0.2 * 0.3333, 1e-12);
    NEAR(t7.e.reg_bit, t45.e.reg_bit * 0.3333, 1e-12);
    NEAR(t7.a.int32_add, 137 * 0.095, 1e-12);
    NEAR(t7.a.sram_bitcell, 0.346 * 0.078, 1e-12);
    NEAR(tech_sram_read_pj_per_byte(&t7, 8 * 1024), 1.25 * 0.5, 1e-12);
    NEAR(t7.e.lut_read_byte, t45.e.lut_read_byte * 0.5, 1e-12);
    NEAR(t7.e.dram_bit, 3.9, 1e-12);
    NEAR(t7.e.pim_mac, t45.e.pim_mac, 1e-12);
    NEAR(t7.clock_mhz, 1050, 1e-12);
    NEAR(t7.e.mux_bit, t45.e.mux_bit * 0.3333, 1e-12);
    NEAR(t7.e.dram_act, t45.e.dram_act, 1e-12);
    NEAR(t7.e.dram_core_bit, t45.e.dram_core_bit, 1e-12);
    NEAR(t7.e.dram_io_bit, t45.e.dram_io_bit, 1e-12);
    /* The HBM2 split adds up to Jouppi et al.'s HBM2 figure (250 pJ per
     * 64-bit access, 7nm.yaml's dram_bit) for a fully read 1 KiB row. */
    NEAR(t7.e.dram_act / 8192 + t7.e.dram_core_bit + t7.e.dram_io_bit, 250.0 / 64, 0.01);
    /* Jouppi et al. ISCA 2021: 7 nm 8b mult 0.07 + 32b add 0.03 pJ. */
    NEAR(tech_int8_mac_pj(&t7), 0.07 + 0.03, 1e-3);
    /* 28 nm: the 7 nm energy factors to the power ln(45/28)/ln(45/7). */
    const double x = log(45.0 / 28) / log(45.0 / 7);
    NEAR(t28.scale.logic_energy, pow(0.3333, x), 1e-3);
    NEAR(t28.scale.sram_energy, pow(0.5, x), 1e-3);
    NEAR(t28.e.fp16_mul, 1.1 * t28.scale.logic_energy, 1e-12);
    NEAR(t28.a.int8_mul, 282 * (117.0 * 90) / (160.0 * 150), 1e-3);
    NEAR(t28.a.sram_bitcell, 0.127, 1e-3);
}
END_TEST

/* Bad tables: one line naming file, line and key. */
static void expect_error(const char *text, const char *want)
{
    tech_t t;
    char err[512];
    ck_assert_int_eq(tech_parse(text, "bad.yaml", &t, err, sizeof err), -1);
    ck_assert_msg(strstr(err, want) != NULL, "got '%s', want '%s'", err, want);
    ck_assert_ptr_null(strchr(err, '\n'));
}

static char *replace(const char *text, const char *from, const char *to)
{
    static char buf[4096];
    const char *p = strstr(text, from);
    ck_assert_ptr_nonnull(p);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
    return buf;
}

/* Found by tests/fuzz/fuzz_tech_yaml (corpus/tech_yaml/huge_scale.yaml):
 * factors that are each a valid number but scale a base value past the
 * largest double (or down to 0) gave inf or 0 energies, which models/tech.h
 * promises never happen ("every loaded value is > 0"). */
START_TEST(scale_factors_that_overflow_a_value_are_refused)
{
    char base[600], fname[700], err[512];
    tech_t t;
    tech_path("45nm", base, sizeof base);
    *strrchr(base, '/') = '\0';
    snprintf(fname, sizeof fname, "%s/huge.yaml", base); /* base: 45nm is found beside it */
    const char *up = "node: x\nbase: 45nm\nscale: {logic_energy: 1e308, sram_energy: 1, "
                     "logic_area: 1, sram_area: 1}\n";
    ck_assert_int_eq(tech_parse(up, fname, &t, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "huge.yaml:3: energy_pj.int8_add: ") && strstr(err, "out of range"),
                  "%s", err);
    const char *down = "node: x\nbase: 45nm\nscale: {logic_energy: 1, sram_energy: 1, "
                       "logic_area: 1, sram_area: 5e-324}\n";
    ck_assert_int_eq(tech_parse(down, fname, &t, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "area_um2.sram_bitcell: ") && strstr(err, "out of range"), "%s", err);
    /* A value the file sets itself replaces the scaled one: accepted. */
    const char *own = "node: x\nbase: 45nm\nscale: {logic_energy: 1, sram_energy: 1, "
                      "logic_area: 1, sram_area: 5e-324}\narea_um2: {sram_bitcell: 0.1}\n";
    ck_assert_msg(tech_parse(own, fname, &t, err, sizeof err) == 0, "%s", err);
    NEAR(t.a.sram_bitcell, 0.1, 1e-12);
}
END_TEST

/* Found by a new-user pass (newuser2 defect 5): a repeated node:, base: or
 * scale: was taken silently, the last one winning, so a table could carry
 * one node's label and another's numbers; a second energy_pj: section was
 * merged into the first.  Every repeat, at any level, is refused with both
 * lines (sim/io/yamlscan.c, shared by every YAML reader). */
START_TEST(repeated_keys_at_any_level_are_refused)
{
    expect_error(replace(round_table, "node: round\n", "node: round\nnode: other\n"),
                 "bad.yaml:2: node: duplicated key (first on line 1)");
    expect_error(replace(round_table, "clock_mhz: 500\n",
                         "clock_mhz: 500\nenergy_pj:\n  int8_add: 0.025\n"),
                 "bad.yaml:5: energy_pj: duplicated key (first on line 3)");
    expect_error(replace(round_table, "  - {kib: 4, pj: 2}\n", "  - {kib: 4, pj: 2, kib: 8}\n"),
                 "bad.yaml:21: sram_read_pj_per_byte[1].kib: duplicated key (first on line 21)");
    expect_error(replace(round_table, "sram_write_ratio: 1.5\n",
                         "sram_write_ratio: 1.5\nsram_read_pj_per_byte: []\n"),
                 "bad.yaml:23: sram_read_pj_per_byte: duplicated key (first on line 19)");
    /* A derived node: base: and scale: repeated. */
    static const char derived[] =
        "node: x\nbase: 45nm\nscale: {logic_energy: 1, sram_energy: 1, logic_area: 1, "
        "sram_area: 1}\n";
    char text[512];
    snprintf(text, sizeof text, "%sbase: 7nm\n", derived);
    expect_error(text, "bad.yaml:4: base: duplicated key (first on line 2)");
    snprintf(text, sizeof text, "%sscale: {logic_energy: 2, sram_energy: 1, logic_area: 1, "
             "sram_area: 1}\n", derived);
    expect_error(text, "bad.yaml:4: scale: duplicated key (first on line 3)");
    snprintf(text, sizeof text, "node: x\nbase: 45nm\nscale: {logic_energy: 1, sram_energy: 1, "
             "logic_area: 1, logic_energy: 2, sram_area: 1}\n");
    expect_error(text, "bad.yaml:3: scale.logic_energy: duplicated key (first on line 3)");
}
END_TEST

START_TEST(bad_tables_give_one_line)
{
    expect_error(replace(round_table, "  reg_bit: 0.01\n", "  reg_bit: 0.01\n  bogus: 1\n"),
                 "bad.yaml:12: energy_pj.bogus: unknown key");
    expect_error(replace(round_table, "  int8_mul: 0.2\n", "  int8_mul: -0.2\n"),
                 "bad.yaml:7: energy_pj.int8_mul: -0.2 is negative");
    expect_error(replace(round_table, "  int8_mul: 0.2\n", "  int8_mul: fast\n"),
                 "bad.yaml:7: energy_pj.int8_mul: 'fast' is not a number");
    expect_error(replace(round_table, "  int8_mul: 0.2\n", ""), "bad.yaml: energy_pj.int8_mul: missing");
    expect_error(replace(round_table, "  int8_mul: 0.2\n", "  int8_mul: 0.2\n  int8_mul: 0.3\n"),
                 "bad.yaml:8: energy_pj.int8_mul: duplicated key (first on line 7)");
    expect_error(replace(round_table, "sram_efficiency: 0.5", "sram_efficiency: 2"),
                 "bad.yaml:23: sram_efficiency: 2 is more than 1");
    expect_error(replace(round_table, "  - {kib: 4, pj: 2}\n", "  - {kib: 0.5, pj: 2}\n"),
                 "bad.yaml:21: sram_read_pj_per_byte[1]: kib must increase");
    expect_error(replace(round_table, "node: round\n", "node: round\nscale: {logic_area: 1}\n"),
                 "bad.yaml:2: scale: only a derived node");
    expect_error("node: x\nbase: nowhere\nscale: {logic_energy: 1, sram_energy: 1, "
                 "logic_area: 1, sram_area: 1}\n",
                 "bad.yaml:2: base: nowhere.yaml: ");
    expect_error("node: [1\n", "bad.yaml:");
    /* The keys LUT and PIM pricing added. */
    expect_error(replace(round_table, "  dram_core_bit: 0.5\n", ""),
                 "bad.yaml: energy_pj.dram_core_bit: missing");
    expect_error(replace(round_table, "  dram_act: 1000\n", "  dram_act: -3\n"),
                 "bad.yaml:16: energy_pj.dram_act: -3 is negative");
    expect_error(replace(round_table, "  mux_bit: 0.002\n", "  mux_bit: 0\n"),
                 "bad.yaml:15: energy_pj.mux_bit: must be greater than 0");
    expect_error(replace(round_table, "  dram_io_bit: 2\n", "  dram_io_bit: lots\n"),
                 "bad.yaml:18: energy_pj.dram_io_bit: 'lots' is not a number");

    /* A missing file, and a derived file whose base has an error. */
    tech_t t;
    char err[512];
    ck_assert_int_eq(tech_load("/nonexistent/9nm.yaml", &t, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/nonexistent/9nm.yaml: ") == err, "%s", err);
    tmpdir_t d;
    tmp_open(&d);
    char base[128], derived[128];
    tmp_write(&d, "b.yaml", replace(round_table, "  int8_mul: 0.2\n", "  int8_mul: -1\n"), base,
              sizeof base);
    tmp_write(&d, "d.yaml",
              "node: d\nbase: b\nscale: {logic_energy: 0.5, sram_energy: 1, logic_area: 1, "
              "sram_area: 1}\n",
              derived, sizeof derived);
    ck_assert_int_eq(tech_load(derived, &t, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "d.yaml:2: base: ") && strstr(err, "b.yaml:7: energy_pj.int8_mul: -1 is negative"),
                  "%s", err);
    /* The same base, repaired: the derived file scales it. */
    tmp_write(&d, "b.yaml", round_table, base, sizeof base);
    ck_assert_msg(tech_load(derived, &t, err, sizeof err) == 0, "%s", err);
    NEAR(t.e.int8_mul, 0.1, 1e-12);
    tmp_close(&d);
}
END_TEST

/* Runs the real binary; returns its exit status, output in out. */
static int run_bin(const char *args, char *out, size_t outlen)
{
    const char *bin = getenv("CODESIM_BIN") ? getenv("CODESIM_BIN") : "build/codesim";
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    const int rc = pclose(p);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

START_TEST(cli_area_reports_and_refuses_bad_tech)
{
    char out[8192];
    ck_assert_int_eq(run_bin("area --hw tests/data/tiny.yaml --workload tests/data/tiny.csv "
                             "--tech 7nm", out, sizeof out), 0);
    ck_assert_msg(strstr(out, "on 7nm") && strstr(out, "TOPS/W") && strstr(out, "sram.ifmap"),
                  "%s", out);
    ck_assert_int_eq(run_bin("area --tech /nonexistent/x.yaml", out, sizeof out), 1);
    ck_assert_msg(!strncmp(out, "codesim area: /nonexistent/x.yaml: ", 35) &&
                      strchr(out, '\n') == out + strlen(out) - 1,
                  "%s", out);
}
END_TEST

/* A huge finite table value (int8_mul: 1e300 in a copy of 45nm.yaml) made
 * `area --workload` print "total inf -nan" and `run --json` drop array.mac
 * and the total from energy_pj.  Now a value outside 1e-12..1e12 is refused
 * in one line naming the file, line and key, as is an SRAM law whose
 * extrapolation leaves the doubles; and a table at the edges of that range
 * (every energy and area 1e12, the multiplier law as steep as it can be,
 * 8x8 at 1e-12) keeps every energy and area term of a 2^48-MAC layer run
 * and of an LLM run on a machine with PIM: the same terms as on 45nm, each
 * finite, none dropped. */
static const char edge_table[] =
    "node: edge\n"
    "clock_mhz: 1e12\n"
    "energy_pj: {int8_add: 1e12, int16_add: 1e12, int32_add: 1e12, int8_mul: 1e-12,\n"
    "  int32_mul: 1e12, fp16_add: 1e12, fp16_mul: 1e12, reg_bit: 1e12, dram_bit: 1e12,\n"
    "  pim_mac: 1e12, lut_read_byte: 1e12, mux_bit: 1e12, dram_act: 1e12,\n"
    "  dram_core_bit: 1e12, dram_io_bit: 1e12}\n"
    "sram_read_pj_per_byte:\n"
    "  - {kib: 1e-12, pj: 1e-12}\n"
    "  - {kib: 1e12, pj: 1e12}\n"
    "sram_write_ratio: 1e12\n"
    "sram_efficiency: 1e-12\n"
    "area_um2: {int8_add: 1e12, int16_add: 1e12, int32_add: 1e12, int8_mul: 1e-12,\n"
    "  int32_mul: 1e12, fp16_add: 1e12, fp16_mul: 1e12, reg_bit: 1e12, mux_bit: 1e12,\n"
    "  sram_bitcell: 1e12, pim_unit: 1e12}\n";

/* The keys of the --json document's energy_pj and area_um2 objects into
 * keys, each value a finite number; returns their count. */
static size_t json_terms(const char *path, char *keys, size_t len)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    ck_assert_msg(doc != NULL, "%s: %s", path, je.text);
    size_t n = 0, used = 0;
    keys[0] = '\0';
    const char *objs[2] = {"energy_pj", "area_um2"};
    for (int o = 0; o < 2; o++) {
        json_t *b = json_object_get(doc, objs[o]);
        ck_assert_msg(json_is_object(b), "%s: no %s", path, objs[o]);
        const char *k;
        json_t *v;
        json_object_foreach(b, k, v) {
            ck_assert_msg(json_is_number(v) && isfinite(json_number_value(v)), "%s: %s.%s", path,
                          objs[o], k);
            used += (size_t)snprintf(keys + used, used < len ? len - used : 0, "%s.%s ",
                                     objs[o], k);
            n++;
        }
    }
    json_decref(doc);
    return n;
}

START_TEST(tech_values_out_of_range_are_refused_and_in_range_stay_finite)
{
    expect_error(replace(round_table, "  int8_mul: 0.2\n", "  int8_mul: 1e300\n"),
                 "bad.yaml:7: energy_pj.int8_mul: 1e300 is outside 1e-12..1e+12");
    expect_error(replace(round_table, "  int8_mul: 300\n", "  int8_mul: 1e-300\n"),
                 "bad.yaml:28: area_um2.int8_mul: 1e-300 is outside");
    expect_error(replace(round_table, "sram_write_ratio: 1.5\n", "sram_write_ratio: 1e13\n"),
                 "bad.yaml:22: sram_write_ratio: 1e13 is outside");
    expect_error(replace(round_table, "  - {kib: 4, pj: 2}\n", "  - {kib: 1.000001, pj: 1e12}\n"),
                 "bad.yaml: sram_read_pj_per_byte: the law through the points gives inf pJ per "
                 "byte at 2^64 bytes");
    tech_t t;
    char err[512];
    ck_assert_msg(tech_parse(edge_table, "edge.yaml", &t, err, sizeof err) == 0, "%s", err);

    tmpdir_t d;
    tmp_open(&d);
    char tech[256], wl[256], args[1024], out[8192], j45[256], jedge[256];
    static char k45[8192], kedge[8192];
    tmp_write(&d, "edge.yaml", edge_table, tech, sizeof tech);
    tmp_write(&d, "big.csv", "Layer,M,N,K\nbig,65536,65536,65536\n", wl, sizeof wl);
    snprintf(j45, sizeof j45, "%s/45.json", d.dir);
    snprintf(jedge, sizeof jedge, "%s/edge.json", d.dir);
    for (int r = 0; r < 2; r++) {
        char what[300];
        if (r == 0)
            snprintf(what, sizeof what, "--workload %s", wl);
        else
            snprintf(what, sizeof what, "--model traces/models/gpt2.json --batch 1 --prompt 16 "
                     "--gen 2 --mode pim-blocked");
        snprintf(args, sizeof args, "run %s --hw configs/npu_pim.yaml --json %s --db %s/r.db",
                 what, j45, d.dir);
        ck_assert_msg(run_bin(args, out, sizeof out) == 0, "%s", out);
        snprintf(args, sizeof args, "run %s --hw configs/npu_pim.yaml --tech %s --json %s "
                 "--db %s/r.db", what, tech, jedge, d.dir);
        ck_assert_msg(run_bin(args, out, sizeof out) == 0, "%s", out);
        const size_t n45 = json_terms(j45, k45, sizeof k45);
        ck_assert_uint_gt(n45, 4);
        ck_assert_uint_eq(json_terms(jedge, kedge, sizeof kedge), n45);
        ck_assert_str_eq(kedge, k45);
    }
    snprintf(args, sizeof args, "area --hw configs/npu_pim.yaml --tech %s --workload %s", tech,
             wl);
    ck_assert_msg(run_bin(args, out, sizeof out) == 0, "%s", out);
    ck_assert_msg(!strstr(out, "inf") && !strstr(out, "nan"), "%s", out);
    tmp_close(&d);
}
END_TEST

/* ---- LUT tensor core ---------------------------------------------------- */

/* A small unit for hand arithmetic: int8 activations, g = 4 (eb = 10-bit
 * entries), W2 with a zero point (P = 2), 2 x 4 x 8 tile; buffers of 2 KiB
 * (act: half = 1 KiB, 1 pJ/B), 8 KiB (weights: half = 4 KiB, 2 pJ/B read,
 * 3 pJ/B written) and 4 KiB (out: 2 pJ/B read, 3 written). */
static void small_lut(lut_cfg_t *c)
{
    lut_defaults(c);
    c->a_bits = 8, c->g = 4, c->sym_table = 1, c->w_bits = 2, c->wq = LUT_WQ_ZP, c->zp = 2;
    c->tm = 2, c->tn = 4, c->tk = 8;
    c->table_entries = 2 * 2 * 8;
    c->act_buf_bytes = 2048, c->w_buf_bytes = 8192, c->out_buf_bytes = 4096;
    c->scale_group = 8;
}

START_TEST(lut_energy_is_events_times_event_energies)
{
    tech_t t;
    load_round(&t);
    lut_cfg_t c;
    small_lut(&c);
    lut_stats_t st;
    memset(&st, 0, sizeof st);
    st.act_reads = 11, st.weight_reads = 13, st.table_writes = 17, st.table_reads = 19;
    st.precompute_adds = 23, st.fused_precompute_adds = 5, st.rowsum_adds = 29;
    st.sign_ops = 31, st.shifts = 37, st.acc_adds = 41, st.bank_writes = 43;
    st.zp_muls = 47, st.zp_adds = 53, st.out_writes = 59, st.out_acc_reads = 61;
    st.scale_muls = 67, st.dram_read_bytes = 71, st.dram_write_bytes = 73;
    power_breakdown_t e;
    power_init(&e);
    char err[256];
    ck_assert_msg(power_lut_energy(&t, &c, &st, &e, err, sizeof err) == 0, "%s", err);
    /* Round-table laws by hand: 10-bit add = 0.025 + 0.025 x 2/8 = 0.03125;
     * 32-bit add 0.1; 3 x 32 multiply = 0.2 x 96/64 = 0.3 (linear in a*b);
     * 32 x 16 multiply = 0.2 x 512/64 = 1.6. */
    NEAR(power_get(&e, "lut.table_write"), 17 * 10 * 0.01, 1e-12);
    NEAR(power_get(&e, "lut.table_read"), 19 * 10 / 8.0 * 0.1, 1e-12);
    NEAR(power_get(&e, "lut.precompute"), 23 * 0.03125 + 29 * 0.1, 1e-12);
    NEAR(power_get(&e, "upstream.precompute"), 5 * 0.03125, 1e-12);
    NEAR(power_get(&e, "lut.sign"), 31 * 0.03125, 1e-12);
    /* P = 2: one mux level over 10 + 1 bits. */
    NEAR(power_get(&e, "lut.shift"), 37 * 11 * 0.002, 1e-12);
    NEAR(power_get(&e, "lut.acc"), 41 * (0.1 + 32 * 0.01) + 43 * 32 * 0.01, 1e-12);
    NEAR(power_get(&e, "lut.drain"), 47 * 0.3 + 53 * 0.1 + 67 * 1.6, 1e-12);
    NEAR(power_get(&e, "sram.act"), 11 * 1 * 1.0, 1e-12);
    NEAR(power_get(&e, "sram.weight"), 13 * 0.5 * 2.0, 1e-12);
    NEAR(power_get(&e, "sram.fill"), 71 * 3.0, 1e-12);
    NEAR(power_get(&e, "sram.out"), 59 * 4 * 3.0 + 61 * 4 * 2.0, 1e-12);
    NEAR(power_get(&e, "dram"), (71 + 73) * 8 * 10.0, 1e-12);
    const double sum = 1.7 + 2.375 + (0.71875 + 2.9) + 0.15625 + 0.96875 + 0.814 +
                       (17.22 + 13.76) + (14.1 + 5.3 + 107.2) + 11 + 13 + 213 + (708 + 488) +
                       11520;
    NEAR(e.total, sum, 1e-12);

    /* The dequantize-then-MAC baseline: the array's events, weights from DRAM
     * at 2 bits, and one 8-bit subtract (0.025 pJ) per weight element. */
    hw_cfg_t hw;
    small_hw(&hw);
    layer_stats_t ls = {0};
    ls.macs = 100, ls.filter_writes = 40, ls.dram_read_bytes = 40 + 24, ls.dram_write_bytes = 8;
    const lut_dequant_cost_t dq = {40, 10};
    power_breakdown_t d;
    power_init(&d);
    ck_assert_msg(power_dqmac_energy(&t, &hw, &ls, &dq, &d, err, sizeof err) == 0, "%s", err);
    NEAR(power_get(&d, "dram"), (10 + 24 + 8) * 8 * 10.0, 1e-12);
    NEAR(power_get(&d, "dequant"), 40 * 0.025, 1e-12);
    NEAR(power_get(&d, "array.mac"), 100 * 0.3, 1e-12);
}
END_TEST

/* Area by hand for a 1 x 1 x 4 unit (g = 2, W1 symmetric: E = 2 stored
 * entries of eb = 9 bits, P = 1), then growing the tile and the table. */
START_TEST(lut_area_grows_with_tile_and_table_as_by_hand)
{
    tech_t t;
    load_round(&t);
    lut_cfg_t c;
    lut_defaults(&c);
    c.a_bits = 8, c.g = 2, c.sym_table = 1, c.w_bits = 1, c.wq = LUT_WQ_SYM, c.zp = 0;
    c.tm = 1, c.tn = 1, c.tk = 4, c.table_entries = 4, c.scale_group = 0;
    c.act_buf_bytes = c.w_buf_bytes = c.out_buf_bytes = 1024;
    power_breakdown_t a;
    power_init(&a);
    char err[256];
    ck_assert_msg(power_lut_area(&t, &c, &a, err, sizeof err) == 0, "%s", err);
    /* 9-bit adder: 40 + 40/8 = 45 um^2; flip-flop 5, mux 2 per bit.
     * table: 4 entries x 9 bits x (5 + 2) = 252; table select: 2 tables
     * for 1 row, one 2:1 choice over 2 x 9 bits = 36; entry select: 1 x 9 x 2
     * = 18; sign: 45; shift: none (P = 1); accumulator: 160 + 64 x 5 + 32 x 2
     * = 544; precompute: 2 entries x 1 adder x 45 = 90; no zero point, no
     * scaler.  Buffers: 3 x 1024 B x 8 x 0.25 / 0.5. */
    NEAR(power_get(&a, "lut.table"), 252, 1e-12);
    NEAR(power_get(&a, "lut.table_sel"), 36, 1e-12);
    NEAR(power_get(&a, "lut.pe_select"), 18, 1e-12);
    NEAR(power_get(&a, "lut.pe_sign"), 45, 1e-12);
    NEAR(power_get(&a, "lut.pe_acc"), 544, 1e-12);
    NEAR(power_get(&a, "lut.precompute"), 90, 1e-12);
    ck_assert(power_get(&a, "lut.pe_shift") == 0 && power_get(&a, "lut.drain") == 0);
    NEAR(a.total, 985 + 3 * 4096.0, 1e-12);

    /* Twice the columns: the per-PE parts double (18 + 45 + 544 more). */
    lut_cfg_t c2 = c;
    c2.tn = 2;
    power_breakdown_t a2;
    power_init(&a2);
    ck_assert_msg(power_lut_area(&t, &c2, &a2, err, sizeof err) == 0, "%s", err);
    NEAR(a2.total - a.total, 18 + 45 + 544, 1e-12);
    /* Twice the K depth and table: 8 entries (504) and a 4-way select of
     * 3 x 2 x 9 x 2 = 108. */
    lut_cfg_t c3 = c;
    c3.tk = 8, c3.table_entries = 8;
    power_breakdown_t a3;
    power_init(&a3);
    ck_assert_msg(power_lut_area(&t, &c3, &a3, err, sizeof err) == 0, "%s", err);
    NEAR(a3.total - a.total, (504 - 252) + (108 - 36), 1e-12);
    /* W2 (P = 2) adds a one-level shifter of 9 + 1 bits per PE. */
    lut_cfg_t c4 = c;
    c4.w_bits = 2;
    power_breakdown_t a4;
    power_init(&a4);
    ck_assert_msg(power_lut_area(&t, &c4, &a4, err, sizeof err) == 0, "%s", err);
    NEAR(power_get(&a4, "lut.pe_shift"), 10 * 2, 1e-12);
}
END_TEST

/* ---- PIM ---------------------------------------------------------------- */

static void hbm2_pim(pim_gemv_cfg_t *cfg)
{
    char err[256];
    memset(cfg, 0, sizeof *cfg);
    ck_assert_msg(dram_preset("HBM2", &cfg->dram, err, sizeof err) == 0, "%s", err);
    cfg->unit = (pim_cfg_t){16, PIM_FP16, 8, 8, 8, 2, PIM_REDUCE_LANES};
}

START_TEST(pim_energy_is_events_times_event_energies)
{
    tech_t t;
    load_round(&t);
    pim_gemv_cfg_t cfg;
    hbm2_pim(&cfg);
    /* HBM2: 1 KiB pages (128 columns x 64 bits), 32-byte bursts, 16 banks. */
    ck_assert_uint_eq(cfg.dram.columns * cfg.dram.bus_bits / 8, 1024);
    ck_assert_uint_eq(dram_burst_bytes(&cfg.dram), 32);
    pim_gemv_stats_t st;
    memset(&st, 0, sizeof st);
    st.act = 10, st.host_rd = 3, st.host_wr = 1, st.bank_bytes = 640, st.bus_bytes = 200;
    st.lane_macs = 100, st.vec_bursts = 2;
    power_breakdown_t e;
    power_init(&e);
    char err[256];
    ck_assert_msg(power_pim_energy(&t, &cfg, &st, &e, err, sizeof err) == 0, "%s", err);
    NEAR(power_get(&e, "dram.act"), 10 * 1000.0, 1e-12);
    /* 4 host bursts of 256 bits and 640 bytes into the units leave the array. */
    NEAR(power_get(&e, "dram.core"), (4 * 256 + 640 * 8) * 0.5, 1e-12);
    NEAR(power_get(&e, "dram.io"), 200 * 8 * 2.0, 1e-12);
    NEAR(power_get(&e, "pim.mac"), 100 * 1.5, 1e-12);
    /* 32 accumulator bits per lane MAC; each SRF burst lands in the 16/2 = 8
     * units of its channel. */
    NEAR(power_get(&e, "pim.regs"), (100 * 32 + 2 * 8 * 256) * 0.01, 1e-12);
    NEAR(e.total, 10000 + 3072 + 3200 + 150 + 72.96, 1e-12);

    /* Area: 16 x 16 / 2 units of 16 fp16 lanes (the table's pim_unit, 1000)
     * and 8 x 16 x 16 + 8 x 16 + 8 x 16 x 32 register bits x (5 + 2). */
    power_breakdown_t a;
    power_init(&a);
    ck_assert_msg(power_pim_area(&t, &cfg, &a, err, sizeof err) == 0, "%s", err);
    const double units = dram_units(&cfg.dram) * 16.0 / 2;
    NEAR(power_get(&a, "pim.mac"), units * 1000, 1e-12);
    NEAR(power_get(&a, "pim.regs"), units * (2048 + 128 + 4096) * 7.0, 1e-12);
}
END_TEST

/* MACT's adder tree (pim.reduce: tree), by hand on the round table:
 * per unit L adders (L - 1 tree nodes and the root's accumulate; fp16:
 * fp16_add 1000 um^2, int8: add(32) 160 um^2) and (2L - 1) x 32 select mux
 * bits of 2 um^2.  Per MACT (L lane MACs) the L - 1 tree adds move from
 * pim.mac to pim.tree (fp16: pim_mac 1.5 x 0.4 / (1.1 + 0.4) = 0.4 pJ; int8:
 * add(32) 0.1 pJ), plus (log2 L + 1) x 32 mux bits of 0.002 pJ; a MACT
 * writes one 32-bit accumulator lane, not L. */
START_TEST(pim_tree_area_and_energy_by_hand)
{
    tech_t t;
    load_round(&t);
    char err[256];
    pim_gemv_cfg_t lanes, tree;
    hbm2_pim(&lanes);
    tree = lanes;
    tree.unit.reduce = PIM_REDUCE_TREE;
    const double units = dram_units(&lanes.dram) * 16.0 / 2;

    power_breakdown_t al, at;
    power_init(&al);
    power_init(&at);
    ck_assert_msg(power_pim_area(&t, &lanes, &al, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(power_pim_area(&t, &tree, &at, err, sizeof err) == 0, "%s", err);
    NEAR(power_get(&al, "pim.tree"), 0, 0);
    /* 16 x 1000 + 31 x 32 x 2 = 17984 per unit, and nothing else changes. */
    NEAR(power_get(&at, "pim.tree"), units * 17984, 1e-12);
    NEAR(at.total - al.total, units * 17984, 1e-12);
    /* int8: 16 x 160 + 1984 = 4544. */
    pim_gemv_cfg_t i8 = tree;
    i8.unit.prec = PIM_INT8;
    power_breakdown_t a8;
    power_init(&a8);
    ck_assert_msg(power_pim_area(&t, &i8, &a8, err, sizeof err) == 0, "%s", err);
    NEAR(power_get(&a8, "pim.tree"), units * 4544, 1e-12);
    /* 5 lanes (padded to 8 in the RTL's heap): 4 nodes add products, so
     * 5 x 1000 + 9 x 32 x 2 = 5576. */
    pim_gemv_cfg_t l5 = tree;
    l5.unit.lanes = 5;
    power_breakdown_t a5;
    power_init(&a5);
    ck_assert_msg(power_pim_area(&t, &l5, &a5, err, sizeof err) == 0, "%s", err);
    NEAR(power_get(&a5, "pim.tree"), units * 5576, 1e-12);

    /* 10 MACTs of 16 lanes, 2 GRF bursts into 8 units each. */
    pim_gemv_stats_t st;
    memset(&st, 0, sizeof st);
    st.lane_macs = 160, st.vec_bursts = 2;
    power_breakdown_t el, et;
    power_init(&el);
    power_init(&et);
    ck_assert_msg(power_pim_energy(&t, &lanes, &st, &el, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(power_pim_energy(&t, &tree, &st, &et, err, sizeof err) == 0, "%s", err);
    NEAR(power_get(&el, "pim.mac"), 160 * 1.5, 1e-12);
    NEAR(power_get(&el, "pim.tree"), 0, 0);
    /* 160 x 1.5 - 10 x 15 x 0.4 = 180: 160 multiplies and 10 root adds. */
    NEAR(power_get(&et, "pim.mac"), 180, 1e-12);
    /* 10 x (15 x 0.4 + 5 x 32 x 0.002) = 63.2 */
    NEAR(power_get(&et, "pim.tree"), 63.2, 1e-12);
    /* (10 x 32 + 2 x 8 x 256) x 0.01 against (160 x 32 + 4096) x 0.01. */
    NEAR(power_get(&et, "pim.regs"), 44.16, 1e-12);
    NEAR(power_get(&el, "pim.regs"), 92.16, 1e-12);
    /* The increment: 10 x 0.32 pJ of selects, less 10 x 15 x 32 x 0.01 of
     * accumulator bits not written. */
    NEAR(et.total - el.total, 3.2 - 48, 1e-12);
    /* int8: MAC 0.2 + 0.1; 160 x 0.3 - 150 x 0.1 = 33; tree 10 x (1.5 + 0.32). */
    power_breakdown_t e8;
    power_init(&e8);
    ck_assert_msg(power_pim_energy(&t, &i8, &st, &e8, err, sizeof err) == 0, "%s", err);
    NEAR(power_get(&e8, "pim.mac"), 33, 1e-12);
    NEAR(power_get(&e8, "pim.tree"), 18.2, 1e-12);
    /* Lane MACs that are not whole MACTs are refused. */
    st.lane_macs = 161;
    power_breakdown_t eb;
    power_init(&eb);
    ck_assert_int_eq(power_pim_energy(&t, &tree, &st, &eb, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "161") && strstr(err, "16 lanes"), "%s", err);
}
END_TEST

/* configs/pimgpt.yaml (reduce: tree) with the shipped 45 nm table: its 8 x 16
 * bank units each carry a tree of 16 x 1360 um^2 adders ([H14] 16b FP add)
 * and 31 x 32 mux bits of 1.862 um^2 ([NG45] MUX2_X1), in the machine's area. */
START_TEST(pimgpt_machine_area_has_its_adder_trees)
{
    tech_t t;
    char path[600], err[512];
    tech_path("45nm", path, sizeof path);
    ck_assert_msg(tech_load(path, &t, err, sizeof err) == 0, "%s", err);
    hw_cfg_t hw;
    snprintf(path, sizeof path, "%s/configs/pimgpt.yaml", CODESIM_ROOT);
    ck_assert_msg(hw_load(path, &hw, err, sizeof err) == 0, "%s", err);
    power_breakdown_t a;
    power_init(&a);
    const int rc = power_npu_area(&t, &hw, &a, err, sizeof err);
    hw_free(&hw);
    ck_assert_msg(rc == 0, "%s", err);
    NEAR(power_get(&a, "pim.tree"), 128 * (16 * 1360 + 31 * 32 * 1.862), 1e-9);
}
END_TEST

/* A decode-attention score GEMV (4 heads x 512 context x 128 dims, fp16) on
 * HBM2 with the shipped table: PIM spends less energy than the host reading
 * the same weights over the bus, because the weights never cross the bank
 * edge; and the host pays at least the bus energy of every weight bit. */
START_TEST(pim_saves_energy_on_decode_gemv)
{
    tech_t t;
    char path[600], err[512];
    tech_path("45nm", path, sizeof path);
    ck_assert_msg(tech_load(path, &t, err, sizeof err) == 0, "%s", err);
    pim_gemv_cfg_t cfg;
    hbm2_pim(&cfg);
    const pim_gemv_t g = {4, 512, 128};
    ck_assert_msg(pim_gemv_check(&cfg, &g, err, sizeof err) == 0, "%s", err);
    pim_gemv_stats_t host, pim;
    ck_assert_msg(pim_gemv_host_time(&cfg, &g, &host, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(pim_gemv_time(&cfg, &g, &pim, NULL, err, sizeof err) == 0, "%s", err);
    power_breakdown_t eh, ep;
    power_init(&eh);
    power_init(&ep);
    ck_assert(power_pim_energy(&t, &cfg, &host, &eh, err, sizeof err) == 0);
    ck_assert(power_pim_energy(&t, &cfg, &pim, &ep, err, sizeof err) == 0);
    const double wbits = 4.0 * 512 * 128 * 16;
    ck_assert(eh.total >= wbits * (t.e.dram_core_bit + t.e.dram_io_bit));
    ck_assert_msg(eh.total / ep.total > 1.0, "host %.1f pJ, PIM %.1f pJ", eh.total, ep.total);
}
END_TEST

START_TEST(cli_lutcompare_and_pimgemv_price_and_refuse_bad_tech)
{
    char out[16384];
    ck_assert_int_eq(run_bin("lutcompare --m 1 --n 256 --k 256 --w-bits 1 --tech 7nm", out,
                             sizeof out), 0);
    ck_assert_msg(strstr(out, "tech 7nm") && strstr(out, "lut / dq+mac  TOPS/W") &&
                      strstr(out, "why: ") && !strstr(out, "        -         -"),
                  "%s", out);
    ck_assert_int_eq(run_bin("lutcompare --tech /nonexistent/x.yaml", out, sizeof out), 1);
    ck_assert_msg(!strncmp(out, "codesim lutcompare: /nonexistent/x.yaml: ", 41) &&
                      strchr(out, '\n') == out + strlen(out) - 1,
                  "%s", out);
    ck_assert_int_eq(run_bin("pimgemv --groups 2 --m 256 --k 128 --host-reqs 0", out,
                             sizeof out), 0);
    ck_assert_msg(strstr(out, "host/PIM "), "%s", out);
    /* --reduce both: one row per layout; with 16 lanes and k = 128 the
     * tree's lanes hold only weights (lane MACs = useful ones, 2 x 256 x
     * 128), the lanes layout is its own reference (1.000x). */
    ck_assert_int_eq(run_bin("pimgemv --groups 2 --m 256 --k 128 --host-reqs 0 --reduce both",
                             out, sizeof out), 0);
    const char *lr = strstr(out, "\nlanes "), *tr = strstr(out, "\ntree ");
    ck_assert_msg(strstr(out, "lanes layout") && lr && tr && strstr(lr, " 1.000x "), "%s", out);
    unsigned long long tcyc = 0, tmacs = 0;
    ck_assert_msg(sscanf(tr, " tree %llu %*s %llu", &tcyc, &tmacs) == 2 && tcyc > 0 &&
                      tmacs == 2ull * 256 * 128,
                  "%s", out);
    ck_assert_int_eq(run_bin("pimgemv --groups 2 --m 256 --k 128 --host-reqs 0 --reduce tree",
                             out, sizeof out), 0);
    ck_assert_msg(strstr(out, "tree layout") && strstr(out, " + tree ") &&
                      strstr(out, "of which adder trees") && !strstr(out, "layouts ("),
                  "%s", out);
    ck_assert_int_eq(run_bin("pimgemv --reduce sideways", out, sizeof out), 2);
    ck_assert_msg(strstr(out, "--reduce: 'sideways' is not lanes, tree or both"), "%s", out);
    ck_assert_int_eq(run_bin("pimgemv --tech /nonexistent/y.yaml", out, sizeof out), 1);
    ck_assert_msg(!strncmp(out, "codesim pimgemv: /nonexistent/y.yaml: ", 38) &&
                      strchr(out, '\n') == out + strlen(out) - 1,
                  "%s", out);
}
END_TEST

/* array.compressed: the model's compressed grid against yosys synthesis of
 * rtl/synth/systolic_grid.v (with rtl/systolic.v) at R = C = 4, OPW = 8,
 * ACCW = 32, priced by codesim synth with the yosys45 table:
 *   codesim synth --top systolic_grid --verilog rtl/systolic.v
 *     --verilog rtl/synth/systolic_grid.v --param R=4 --param C=4 --param OPW=8
 *     --param ACCW=32 --param CMP=0|1 --tech yosys45
 * gave 1344 flip-flops and 26292.2 um^2 (CMP=0), 2336 flip-flops and
 * 36904.3 um^2 (CMP=1).  The model's MAC / compressed ratio must be within
 * 3% of synthesis' (0.7124), and the model's extra flip-flops (two carry
 * words of acc_bits - 1 per PE) are synthesis' 2336 - 1344. */
START_TEST(compressed_grid_area_tracks_yosys_ratio)
{
    tech_t t;
    char err[512];
    ck_assert_msg(tech_load("reports/tech/yosys45.yaml", &t, err, sizeof err) == 0, "%s", err);
    systolic_cfg_t a = {4, 4, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0},
                        SYSTOLIC_DRAIN_SERIAL, 1, 0};
    const double mac = power_grid_um2(&t, 4, 4, 8, 8, 32, NULL);
    power_breakdown_t b;
    power_init(&b);
    const double cmp = power_grid_cmp_um2(&t, &a, &b);
    ck_assert_double_eq_tol(b.total, cmp, 1e-6 * cmp);
    ck_assert_msg(fabs((mac / cmp) / (26292.2 / 36904.3) - 1) < 0.03, "model %.4f, yosys %.4f",
                  mac / cmp, 26292.2 / 36904.3);
    ck_assert_uint_eq(16u * 2 * (32 - 1), 2336u - 1344u);
    /* one carry-propagate adder per column */
    ck_assert_double_eq_tol(power_get(&b, "array.cpa"), 4 * tech_add_um2(&t, 32), 1e-9);
    /* fixed_dataflow has no compressed variant: refused by the machine check */
    hw_cfg_t hw;
    hw_defaults(&hw);
    hw.fixed_dataflow = 1;
    hw.array.compressed = 1;
    ck_assert_int_ne(hw_blocks_check(&hw, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "compressed") != NULL, "%s", err);
}
END_TEST

/* The model's area ratios between grid sizes track yosys' within 15%, and
 * the synthesized flip-flops are exactly those rtl/systolic.v needs. */
START_TEST(area_model_tracks_yosys_small_grids)
{
    if (system("command -v yosys >/dev/null 2>&1") != 0) {
        ck_abort_msg("yosys is not installed (Debian package yosys)");
    }
    tmpdir_t d;
    tmp_open(&d);
    char args[256], out[8192];
    snprintf(args, sizeof args, "synth --sizes 1,2,4 --out %s --db %s/s.db", d.dir, d.dir);
    const int rc = run_bin(args, out, sizeof out);
    ck_assert_msg(rc == 0, "codesim synth failed (%d):\n%s", rc, out);
    char path[128], line[512];
    snprintf(path, sizeof path, "%s/synth.csv", d.dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert(!strncmp(line, "rows,cols,bits,acc_bits,cells,dffs,synth_um2,model_um2", 54));
    int rows_seen = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned r, c, b, acc;
        unsigned long long cells, dffs;
        double su, mu, sr, mr, dev;
        ck_assert_int_eq(sscanf(line, "%u,%u,%u,%u,%llu,%llu,%lf,%lf,%*[^,],%lf,%lf,%lf", &r, &c,
                                &b, &acc, &cells, &dffs, &su, &mu, &sr, &mr, &dev),
                         11);
        /* Flip-flops by hand: w, v, acc in every PE, a in all but the last
         * column, b in all but the last row. */
        ck_assert_uint_eq(dffs, (unsigned long long)r * c * (b + 2 * acc) + r * (c - 1) * b +
                                    (r - 1) * c * b);
        ck_assert_msg(fabs(mr / sr - 1) <= 0.15, "%ux%u: model ratio %.3f, yosys %.3f", r, c, mr,
                      sr);
        /* Plain PE counting would miss the edges by more than 15% at 4x4. */
        if (r == 4)
            ck_assert(fabs(16.0 / sr - 1) > 0.15);
        rows_seen++;
    }
    fclose(f);
    ck_assert_int_eq(rows_seen, 3);
    /* The comparison is stored too: one check of three sizes, the same cells. */
    char q[512], got[64] = "";
    snprintf(q, sizeof q,
             "sqlite3 %s/s.db \"SELECT count(*), sum(s.cells) = (SELECT sum(cells) FROM "
             "synth_sizes) FROM synth_checks c JOIN synth_sizes s ON s.check_id = c.id WHERE "
             "c.sizes = 3 AND c.outside = 0\"",
             d.dir);
    FILE *p = popen(q, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(got, sizeof got, p));
    pclose(p);
    ck_assert_str_eq(got, "3|1\n");
    tmp_close(&d);
}
END_TEST

/* The HPCA 2025 paper's 3D cube (its public OPT1/cube top.v, PE.v,
 * opt1_mac.v), counted PE by PE as its generate loops build it, against
 * power_cube_paper_um2's closed form.  PE (z, x, y): a moves along z, b
 * along x, each registered where the next PE reads it (not in the last
 * plane / column: nothing reads those copies); the partial sum moves along
 * y from a constant 0 at y = 0.  MAC PE: multiplier, adder unless y = 0
 * (0 + a*b), acc-bit register.  OPT1 PE: 4 radix-4 Booth rows of 10 bits
 * at two mux bits a bit, a 6-word carry-save tree (4 rows sign-extended
 * plus the incoming sum and carry; 4 words at y = 0 where those are 0)
 * with one 3:2 row (an acc-bit adder) per word removed, sum and carry
 * registers, a clear gate at each register bit (the synchronous reset)
 * and at each output bit (o_y_p = rst_n ? .. : 0).  Plus the top's A_reg
 * and B_reg.  yosys45 prices. */
static double cube_by_pe(const tech_t *t, unsigned n, unsigned acc, int opt1)
{
    const unsigned w = 8;
    double um2 = 2.0 * n * n * w * t->a.reg_bit;   /* A_reg, B_reg */
    for (unsigned z = 0; z < n; z++)
        for (unsigned x = 0; x < n; x++)
            for (unsigned y = 0; y < n; y++) {
                unsigned regs = 0;
                if (z + 1 < n)
                    regs += w;   /* o_z_a, read by (z+1, x, y) */
                if (x + 1 < n)
                    regs += w;   /* o_x_b, read by (z, x+1, y) */
                if (!opt1) {
                    um2 += tech_mul_um2(t, w, w) + (y ? tech_add_um2(t, acc) : 0);
                    regs += acc;
                } else {
                    const unsigned words = 4 + (y ? 2 : 0);
                    um2 += 4 * 10 * 2 * t->a.mux_bit + (words - 2) * tech_add_um2(t, acc);
                    um2 += 2 * acc * 2 * t->a.mux_bit;
                    regs += 2 * acc;
                }
                um2 += regs * t->a.reg_bit;
            }
    return um2;
}

START_TEST(paper_cube_area_is_its_pes_counted_one_by_one)
{
    tech_t t;
    char err[512];
    ck_assert_msg(tech_load("reports/tech/yosys45.yaml", &t, err, sizeof err) == 0, "%s", err);
    static const unsigned ns[] = {1, 2, 3, 4, 8};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        const unsigned n = ns[i];
        unsigned acc = 16;   /* the top's ACC_WIDTH = 2 WIDTH + ceil(log2 N) */
        while ((1u << (acc - 16)) < n)
            acc++;
        for (int opt1 = 0; opt1 <= 1; opt1++) {
            power_breakdown_t b;
            power_init(&b);
            const double got = power_cube_paper_um2(&t, n, 8, acc, opt1, &b);
            const double want = cube_by_pe(&t, n, acc, opt1);
            ck_assert_msg(fabs(got - want) <= 1e-9 * want, "N=%u opt1=%d: %.3f, by PE %.3f", n,
                          opt1, got, want);
            ck_assert_double_eq_tol(b.total, got, 1e-9 * got);
            ck_assert_msg(power_get(&b, opt1 ? "cube.booth" : "cube.mul") > 0, "N=%u", n);
        }
    }
    /* One measured reference, yosys 0.x on the paper's MAC cube at N = 2
     * (`make paper-synth`, --compare cube+mac): 260 flip-flops, the
     * structure's 264 less the top bit of the four y = 0 partial sums (17
     * bits holding a 16-bit product: a copy of its sign bit).  The model's
     * register area is those 264 bits. */
    power_breakdown_t b;
    power_init(&b);
    power_cube_paper_um2(&t, 2, 8, 17, 0, &b);
    ck_assert_double_eq_tol(power_get(&b, "cube.reg"), (260 + 4) * t.a.reg_bit, 1e-9);
}
END_TEST

/* The cube's timing model against yosys' longest path into a flip-flop on
 * the paper's MAC cube (`make paper-synth`: 34 levels at N = 2, 17-bit
 * partial sums; 38 at N = 4, 18 bits), within the 10% --compare holds the
 * engines to; the OPT1 PE's loop (Booth row and carry-save tree, no
 * carry-propagate add) is the shorter, as the paper finds. */
START_TEST(paper_cube_levels_near_yosys)
{
    te_levels_t m2, m4, o2;
    te_cube_paper_levels(8, 17, 0, &m2);
    te_cube_paper_levels(8, 18, 0, &m4);
    te_cube_paper_levels(8, 17, 1, &o2);
    ck_assert_msg(fabs(m2.loop / 34.0 - 1) <= 0.10, "N=2: %u levels, yosys 34", m2.loop);
    ck_assert_msg(fabs(m4.loop / 38.0 - 1) <= 0.10, "N=4: %u levels, yosys 38", m4.loop);
    ck_assert_uint_eq(m2.path, m2.loop);
    ck_assert_uint_eq(m2.write, 0);
    ck_assert_msg(o2.loop < m2.loop, "OPT1 %u, MAC %u", o2.loop, m2.loop);
}
END_TEST

/* Without yosys: `synth --ratios` has the papercube row, the paper's
 * 8x8x8 cube (ACC_WIDTH 19) at the areas counted PE by PE, beside 1.28;
 * and --compare cube+mac / cube+opt1 refuse, before yosys runs, what they
 * cannot model: no Verilog, a --hw (the cube is sized by --param), an
 * OPT1 width other than the paper's 8 bits. */
START_TEST(cli_paper_cube_ratio_row_and_refusals)
{
    tech_t t;
    char err[512], out[16384];
    ck_assert_msg(tech_load("reports/tech/yosys45.yaml", &t, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(run_bin("synth --ratios --tech yosys45", out, sizeof out), 0);
    const char *row = strstr(out, "\npapercube ");
    ck_assert_msg(row != NULL, "%s", out);
    double mac, opt, one, model, paper;
    unsigned lm, lo;
    ck_assert_int_eq(sscanf(row, " papercube 8x8x8 %lf %lf %u %u %lf %lf %lf", &mac, &opt, &lm,
                            &lo, &one, &model, &paper), 7);
    ck_assert_double_eq_tol(mac, cube_by_pe(&t, 8, 19, 0), 0.05);
    ck_assert_double_eq_tol(opt, cube_by_pe(&t, 8, 19, 1), 0.05);
    ck_assert_double_eq_tol(paper, 1.28, 1e-9);
    ck_assert_double_eq_tol(model, mac * lm / (opt * lo), 0.001);
    static const struct {
        const char *args, *says;
    } bad[] = {
        {"synth --compare cube+mac --param N=2", "give the paper's cube Verilog"},
        {"synth --compare cube+opt1 --top top --verilog x.v --hw tests/data/tiny.yaml",
         "not by --hw"},
        {"synth --compare cube+opt1 --top top --verilog x.v --param WIDTH=4", "8-bit operands"},
        {"synth --compare cube+mac --top top --verilog x.v --param N=0", "N must be 1..256"},
        {"synth --compare cube+mac --top top --verilog x.v --param ACC_WIDTH=9",
         "ACC_WIDTH=9"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(run_bin(bad[i].args, out, sizeof out), 2);
        ck_assert_msg(strstr(out, bad[i].says) != NULL, "%s: %s", bad[i].args, out);
    }
}
END_TEST

/* Runs $CODESIM_BIN with an argument vector (no shell between the test and
 * codesim either), its output in out; returns the exit status. */
static int run_argv(const char *const args[], const tmpdir_t *d, char *out, size_t outlen)
{
    const char *bin = getenv("CODESIM_BIN") ? getenv("CODESIM_BIN") : "build/codesim";
    const char *argv[16] = {bin};
    size_t n = 1;
    while (args[n - 1] && n < 15) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/codesim.out", d->dir);
    const int rc = io_spawn(argv, path, err, sizeof err);
    ck_assert_msg(rc >= 0, "%s", err);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    out[fread(out, 1, outlen - 1, f)] = 0;
    fclose(f);
    return rc;
}

/* An --out that a shell would take for commands is one directory name: the
 * known attack (codesim synth --out "o';touch INJECTED;'") creates no
 * INJECTED, and the grids are synthesized into that directory.  Two sizes,
 * not one: --sizes 1 is refused before yosys runs, which would prove
 * nothing. */
START_TEST(synth_out_with_quotes_and_semicolons_runs_no_command)
{
    ck_assert_msg(access("INJECTED", F_OK) != 0, "remove the stale ./INJECTED first");
    tmpdir_t d;
    tmp_open(&d);
    char out_dir[256], db[128], path[384], out[8192];
    snprintf(out_dir, sizeof out_dir, "%s/o';touch INJECTED;'", d.dir);
    snprintf(db, sizeof db, "%s/s.db", d.dir);
    const char *const args[] = {"synth", "--sizes", "1,2", "--out", out_dir, "--db", db, NULL};
    const int rc = run_argv(args, &d, out, sizeof out);
    ck_assert_int_ne(access("INJECTED", F_OK), 0);
    snprintf(path, sizeof path, "%s/INJECTED", d.dir);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_msg(rc == 0, "codesim synth failed (%d):\n%s", rc, out);
    snprintf(path, sizeof path, "%s/synth.csv", out_dir);
    ck_assert_int_eq(access(path, R_OK), 0);
    tmp_close(&d);
}
END_TEST

/* An --out longer than PATH_MAX is refused with one line naming the
 * option, before anything is made, never cut short in a buffer (which once
 * gave "yosys: not found"). */
START_TEST(synth_refuses_an_out_longer_than_path_max)
{
    tmpdir_t d;
    tmp_open(&d);
    char *long_out = malloc(PATH_MAX + 64);
    ck_assert_ptr_nonnull(long_out);
    int n = snprintf(long_out, PATH_MAX + 64, "%s/", d.dir);
    memset(long_out + n, 'x', PATH_MAX + 64 - n - 1);
    long_out[PATH_MAX + 63] = 0;
    char db[128], out[8192];
    snprintf(db, sizeof db, "%s/s.db", d.dir);
    const char *const args[] = {"synth", "--sizes", "1,2", "--out", long_out, "--db", db, NULL};
    const int rc = run_argv(args, &d, out, sizeof out);
    free(long_out);
    ck_assert_int_ne(rc, 0);
    ck_assert_msg(!strncmp(out, "codesim synth: --out: path too long (", 37) &&
                      strchr(out, '\n') == out + strlen(out) - 1,
                  "want one line naming --out, got %zu bytes: %.300s", strlen(out), out);
    ck_assert_int_ne(access(db, F_OK), 0);
    tmp_close(&d);
}
END_TEST

Suite *power_suite(void)
{
    Suite *s = suite_create("power");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, energy_is_events_times_event_energies);
    tcase_add_test(tc, laws_pass_through_table_points);
    tcase_add_test(tc, area_is_pes_plus_sram);
    tcase_add_test(tc, overlapped_drain_area_is_its_registers_and_muxes);
    tcase_add_test(tc, unregistered_ws_output_area_is_its_saved_registers);
    tcase_add_test(tc, minifloat_area_replaces_the_multiplier_by_the_fp_datapath);
    tcase_add_test(tc, compressed_grid_area_tracks_yosys_ratio);
    tcase_add_test(tc, node_factors_applied_as_documented);
    tcase_add_test(tc, bad_tables_give_one_line);
    tcase_add_test(tc, repeated_keys_at_any_level_are_refused);
    tcase_add_test(tc, scale_factors_that_overflow_a_value_are_refused);
    tcase_add_test(tc, lut_energy_is_events_times_event_energies);
    tcase_add_test(tc, lut_area_grows_with_tile_and_table_as_by_hand);
    tcase_add_test(tc, pim_energy_is_events_times_event_energies);
    tcase_add_test(tc, pim_saves_energy_on_decode_gemv);
    tcase_add_test(tc, pim_tree_area_and_energy_by_hand);
    tcase_add_test(tc, pimgpt_machine_area_has_its_adder_trees);
    tcase_add_test(tc, paper_cube_area_is_its_pes_counted_one_by_one);
    tcase_add_test(tc, paper_cube_levels_near_yosys);
    suite_add_tcase(s, tc);
    TCase *cli = tcase_create("cli");
    tcase_add_test(cli, cli_area_reports_and_refuses_bad_tech);
    tcase_add_test(cli, tech_values_out_of_range_are_refused_and_in_range_stay_finite);
    tcase_add_test(cli, cli_lutcompare_and_pimgemv_price_and_refuse_bad_tech);
    tcase_add_test(cli, cli_paper_cube_ratio_row_and_refusals);
    tcase_set_timeout(cli, 60);
    suite_add_tcase(s, cli);
    TCase *syn = tcase_create("yosys");
    tcase_add_test(syn, area_model_tracks_yosys_small_grids);
    tcase_add_test(syn, synth_out_with_quotes_and_semicolons_runs_no_command);
    tcase_add_test(syn, synth_refuses_an_out_longer_than_path_max);
    tcase_set_timeout(syn, 300);
    suite_add_tcase(s, syn);
    return s;
}

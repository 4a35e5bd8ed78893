/* test_power.c - technology tables, energy and area breakdowns, and the
 * area model against yosys synthesis of the RTL's PE grid.
 *
 * References: energies computed by hand from a small table with round
 * numbers; published 45 nm / 7 nm figures (Horowitz ISSCC 2014, Jouppi et al.
 * ISCA 2021); flip-flop counts derived by hand from rtl/systolic.v; and cell
 * areas from yosys (`codesim synth`, run through the real binary). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../models/power.h"
#include "../models/tech.h"
#include "tests.h"

/* |got - want| <= rel x |want| */
static void near(double got, double want, double rel, const char *what)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want), "%s = %.9g, want %.9g", what, got, want);
}
#define NEAR(a, b, rel) near((a), (b), (rel), #a)

/* A complete base table with round numbers the hand calculations use:
 * multiplier energy 0.2 pJ (8x8) to 3.2 pJ (32x32) is linear in the operand
 * product, so 8x8 costs 0.2; adders 0.1 pJ at 32 bits; SRAM 1 pJ/B at 1 KiB,
 * 2 pJ/B at 4 KiB (slope 1/2 in log-log); writes 1.5x reads. */
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
    hw->array = (systolic_cfg_t){2, 2, SYSTOLIC_OS, 8, 8, 32};
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
                 "bad.yaml:8: energy_pj.int8_mul: duplicate key");
    expect_error(replace(round_table, "sram_efficiency: 0.5", "sram_efficiency: 2"),
                 "bad.yaml:19: sram_efficiency: 2 is more than 1");
    expect_error(replace(round_table, "  - {kib: 4, pj: 2}\n", "  - {kib: 0.5, pj: 2}\n"),
                 "bad.yaml:17: sram_read_pj_per_byte[1]: kib must increase");
    expect_error(replace(round_table, "node: round\n", "node: round\nscale: {logic_area: 1}\n"),
                 "bad.yaml:2: scale: only a derived node");
    expect_error("node: x\nbase: nowhere\nscale: {logic_energy: 1, sram_energy: 1, "
                 "logic_area: 1, sram_area: 1}\n",
                 "bad.yaml:2: base: nowhere.yaml: ");
    expect_error("node: [1\n", "bad.yaml:");

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
    snprintf(args, sizeof args, "synth --sizes 1,2,4 --out %s", d.dir);
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
    tcase_add_test(tc, node_factors_applied_as_documented);
    tcase_add_test(tc, bad_tables_give_one_line);
    suite_add_tcase(s, tc);
    TCase *cli = tcase_create("cli");
    tcase_add_test(cli, cli_area_reports_and_refuses_bad_tech);
    tcase_set_timeout(cli, 60);
    suite_add_tcase(s, cli);
    TCase *syn = tcase_create("yosys");
    tcase_add_test(syn, area_model_tracks_yosys_small_grids);
    tcase_set_timeout(syn, 300);
    suite_add_tcase(s, syn);
    return s;
}

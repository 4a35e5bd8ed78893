/* test_harness.c - the RTL harnesses' address check, with C stand-ins for
 * a buggy RTL: each stand-in is an entry-point table like the one a
 * Verilated library returns, driving one address just past the memory it
 * indexes (the off-by-one an RTL bug produces).  The real harness loop
 * must stop with a message naming cycle, port, lane and address, never
 * touch the memory there (this binary runs under ASan, which would report
 * the read or write past the buffer), and the rtlcheck driver must count
 * such a case as a mismatch and log it so.  Also: the library loader
 * (sim/harness/vlib.h) runs a block's build script with an argument vector,
 * never through a shell, shown with a stand-in script. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/harness/lut_rtl.h"
#include "../sim/harness/pim_rtl.h"
#include "../sim/harness/systolic_rtl.h"
#include "../sim/harness/vlib.h"
#include "../sim/io/spawn.h"
#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

/* ---- the recorder's bounds check -------------------------------------------- */

START_TEST(address_check_accepts_idle_and_in_range_refuses_the_end)
{
    char err[256];
    const uint32_t ok[3] = {0, PORTS_IDLE, 9};
    ck_assert_int_eq(ports_check(5, "A read", 3, ok, 10, err, sizeof err), 0);
    const uint32_t bad[3] = {0, PORTS_IDLE, 10};
    ck_assert_int_eq(ports_check(5, "A read", 3, bad, 10, err, sizeof err), -1);
    ck_assert_str_eq(err, "rtl: cycle 5: A read, lane 2: address 10 is out of range (the "
                          "memory has 10 entries)");
}
END_TEST

/* ---- stand-ins ----------------------------------------------------------------- */

/* A stand-in instance: rising edges since reset and the command's
 * dimensions.  The harness resets with two edges, so cycle c of a run sees
 * 2 + c edges. */
typedef struct {
    int clk;
    uint64_t edges;
    uint32_t m, n, k;
} fake_t;

static void *fake_create(void) { return calloc(1, sizeof(fake_t)); }
static void fake_destroy(void *h) { free(h); }
static void fake_clk(void *h, int clk)
{
    fake_t *f = h;
    f->edges += clk && !f->clk;
    f->clk = clk;
}
static uint64_t fake_cycle(const void *h) { return ((const fake_t *)h)->edges - 2; }

/* Systolic array, 2 x 2: A lane 1 reads A[M*K] in cycle 2, or O lane 0
 * writes O[M*N] in cycle 3; otherwise every lane idles. */
static void sys_inputs(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k,
                       uint32_t df)
{
    (void)start, (void)df;
    fake_t *f = h;
    f->m = m, f->n = n, f->k = k;
    f->edges = rst ? 0 : f->edges;
}
static void sys_reads_bad(void *h, uint32_t *a, uint32_t *b)
{
    const fake_t *f = h;
    a[0] = b[0] = b[1] = PORTS_IDLE;
    a[1] = fake_cycle(h) == 2 ? f->m * f->k : PORTS_IDLE;
}
static void sys_reads_idle(void *h, uint32_t *a, uint32_t *b)
{
    (void)h;
    a[0] = a[1] = b[0] = b[1] = PORTS_IDLE;
}
static void sys_data(void *h, const int32_t *a, const int32_t *b) { (void)h, (void)a, (void)b; }
static int sys_writes_idle(void *h, uint32_t *o, int32_t *d)
{
    (void)h;
    o[0] = o[1] = PORTS_IDLE;
    d[0] = d[1] = 0;
    return 0;
}
static int sys_writes_bad(void *h, uint32_t *o, int32_t *d)
{
    const fake_t *f = h;
    o[0] = fake_cycle(h) == 3 ? f->m * f->n : PORTS_IDLE;
    o[1] = PORTS_IDLE;
    d[0] = d[1] = 7;
    return 1;
}
static int fake_done(void *h) { return fake_cycle(h) >= 10; }

static const vsys_api_t sys_bad_read = {{fake_create, fake_destroy, fake_clk}, 2, 2, 2, 8, 8, 32, 0, 0,
                                        sys_inputs, sys_reads_bad, sys_data, sys_writes_idle,
                                        fake_done, 0, 0, 1};
static const vsys_api_t sys_bad_write = {{fake_create, fake_destroy, fake_clk}, 2, 2, 2, 8, 8, 32, 0, 0,
                                         sys_inputs, sys_reads_idle, sys_data, sys_writes_bad,
                                         fake_done, 0, 0, 1};

START_TEST(systolic_harness_refuses_rtl_addresses_past_a_and_o)
{
    const systolic_cfg_t cfg = {2, 2, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0};
    const systolic_gemm_t g = {3, 5, 4};
    int32_t *a = calloc(g.m * g.k, sizeof *a), *b = calloc(g.k * g.n, sizeof *b);
    int32_t *o = calloc(g.m * g.n, sizeof *o);
    ck_assert(a && b && o);
    char err[256];
    ports_rec_t rec;
    systolic_rtl_t *r = systolic_rtl_open(&cfg, &sys_bad_read, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_int_eq(systolic_rtl_run(r, SYSTOLIC_OS, &g, a, b, o, 100, &rec, err, sizeof err), -1);
    ck_assert_str_eq(err, "rtl: cycle 2: A read, lane 1: address 12 is out of range (the memory "
                          "has 12 entries)");
    systolic_rtl_close(r);
    r = systolic_rtl_open(&cfg, &sys_bad_write, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_int_eq(systolic_rtl_run(r, SYSTOLIC_OS, &g, a, b, o, 100, &rec, err, sizeof err), -1);
    ck_assert_str_eq(err, "rtl: cycle 3: O write, lane 0: address 15 is out of range (the memory "
                          "has 15 entries)");
    systolic_rtl_close(r);
    free(a);
    free(b);
    free(o);
}
END_TEST

/* LUT unit, tile 1 x 2 x 4, g = 2: weight lane 1 reads one word past the
 * packed weights in cycle 1 (a 1 x 2 x 4 W2 GEMM packs into 8 words). */
static void lut_inputs(void *h, int rst, int start, uint32_t m, uint32_t n, uint32_t k,
                       int32_t cz, uint32_t sh)
{
    (void)start, (void)cz, (void)sh;
    fake_t *f = h;
    f->m = m, f->n = n, f->k = k;
    f->edges = rst ? 0 : f->edges;
}
static void lut_reads_bad(void *h, uint32_t *a, uint32_t *w)
{
    a[0] = a[1] = w[0] = PORTS_IDLE;
    w[1] = fake_cycle(h) == 1 ? 8 : PORTS_IDLE;
}
static void lut_data(void *h, const int32_t *a, const int32_t *w) { (void)h, (void)a, (void)w; }
static const vlut_api_t lut_bad_read = {{fake_create, fake_destroy, fake_clk}, 1, 2, 4, 2, 2, 8, 1,
                                        2, lut_inputs, lut_reads_bad, lut_data, sys_writes_idle,
                                        fake_done};

START_TEST(lut_harness_refuses_an_rtl_address_past_the_weights)
{
    lut_cfg_t cfg;
    lut_defaults(&cfg);
    cfg.tm = 1, cfg.tn = 2, cfg.tk = 4, cfg.g = 2, cfg.w_bits = 2, cfg.a_bits = 8;
    cfg.sym_table = 1;
    const lut_gemm_t g = {1, 2, 4};
    ck_assert_uint_eq(lut_packed_words(&cfg, &g), 8);
    int32_t a[4] = {0}, o[2];
    uint8_t *pk = calloc(8, 1);
    ck_assert_ptr_nonnull(pk);
    char err[256];
    ports_rec_t rec;
    lut_rtl_t *r = lut_rtl_open(&cfg, &lut_bad_read, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_int_eq(lut_rtl_run(r, &cfg, &g, a, pk, o, 100, &rec, err, sizeof err), -1);
    ck_assert_str_eq(err, "rtl: cycle 1: weight read, lane 1: address 8 is out of range (the "
                          "memory has 8 entries)");
    lut_rtl_close(r);
    free(pk);
}
END_TEST

/* PIM unit, 2 int8 lanes: reads column 7 of a 7-column row in cycle 0. */
static void pim_cmd(void *h, int rst, int valid, uint32_t op, uint32_t dst, uint32_t src,
                    uint32_t col, const uint16_t *data)
{
    (void)valid, (void)op, (void)dst, (void)src, (void)col, (void)data;
    fake_t *f = h;
    f->edges = rst ? 0 : f->edges;
}
static int pim_rb_bad(void *h, uint32_t *col)
{
    *col = 7;
    return fake_cycle(h) == 0;
}
static void pim_rb_data(void *h, const uint16_t *d) { (void)h, (void)d; }
static int pim_rd(void *h, uint32_t *d)
{
    (void)h;
    d[0] = d[1] = 0;
    return 0;
}
static int pim_busy(void *h) { return fake_cycle(h) < 5; }
static const vpim_api_t pim_bad_col = {{fake_create, fake_destroy, fake_clk}, 2, 0, 1, 1, 1,
                                       pim_cmd, pim_rb_bad, pim_rb_data, pim_rd, pim_busy};

START_TEST(pim_harness_refuses_an_rtl_column_past_the_row)
{
    const pim_cfg_t cfg = {2, PIM_INT8, 1, 1, 1, 1, PIM_REDUCE_LANES};
    uint16_t *row = calloc(7 * 2, sizeof *row);
    ck_assert_ptr_nonnull(row);
    const pim_cmd_t cmd[1] = {{PIM_MAC, 0, 0, 6, {0}}};
    const pim_seq_t s = {cmd, 1, row, 7};
    uint32_t words[2];
    pim_readback_t rb = {words, 1, 0};
    char err[256];
    ports_rec_t rec;
    pim_rtl_t *r = pim_rtl_open(&cfg, &pim_bad_col, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_int_eq(pim_rtl_run(r, &s, 100, &rec, &rb, err, sizeof err), -1);
    ck_assert_str_eq(err, "rtl: cycle 0: row-buffer read, lane 0: address 7 is out of range (the "
                          "memory has 7 entries)");
    pim_rtl_close(r);
    free(row);
}
END_TEST

/* ---- the driver counts it -------------------------------------------------------- */

static void slurp(FILE *f, char *buf, size_t n)
{
    rewind(f);
    const size_t got = fread(buf, 1, n - 1, f);
    buf[got] = 0;
}

START_TEST(rtlcheck_counts_an_out_of_range_rtl_address_as_a_mismatch)
{
    char dir[64], db[128], cmd[256], out[4096], log[8192];
    test_tmpdir(dir, sizeof dir, "harness");
    snprintf(db, sizeof db, "%s/r.db", dir);
    const systolic_rtlcheck_cfg_t cfg = {{2, 2, SYSTOLIC_OS, 8, 8, 32, {0, 0, 0}, {0, 0, 0}, SYSTOLIC_DRAIN_SERIAL, 0, 0}, 3, 5, 4, &sys_bad_read};
    const rtlcheck_t chk = {&systolic_rtlcheck, &cfg, &cfg.array, NULL,
                            "os 2x2, memory-port activity", 4, 1, db};
    FILE *fo = tmpfile(), *fl = tmpfile();
    ck_assert(fo && fl);
    ck_assert_int_eq(rtlcheck_run(&chk, fo, fl), 1);
    slurp(fo, out, sizeof out);
    slurp(fl, log, sizeof log);
    fclose(fo);
    fclose(fl);
    ck_assert_msg(strstr(out, "rtlcheck: os 2x2, memory-port activity equal every cycle in 0 of 4 "
                              "cases\nrtlcheck: 4 cases, 4 cycle mismatches, "),
                  "%s", out);
    ck_assert_msg(strstr(log, "codesim rtlcheck: case 3: rtl: cycle 2: A read, lane 1: address 12 "
                              "is out of range"),
                  "%s", log);
    ck_assert_msg(strstr(log, "rtlcheck: case 3 M=3 N=5 K=4: model "), "%s", log);
    ck_assert_msg(strstr(log, "model 55 cycles, RTL 0 cycles, 15 values differ, port activity "
                              "DIFFERS\n"),
                  "%s", log);
    /* Logged as four cases whose cycles and port activity differ. */
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s \"SELECT count(*) FROM rtl_cases WHERE rtl_cycles = 0 AND counts_match "
             "= 0\"",
             db);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(out, sizeof out, p));
    pclose(p);
    ck_assert_int_eq(atoi(out), 4);
    test_rmtree(dir);
}
END_TEST

/* ---- building a library ------------------------------------------------------ */

/* A build directory whose name a shell would run commands from
 * ($CODESIM_CACHE) reaches the build script as one argument and runs
 * nothing; the script's standard output goes to standard error; a failed
 * build, or a missing script, is one message naming the script.  The
 * stand-in tests/data/vlib_args.sh writes its arguments to OUTDIR/args. */
START_TEST(vlib_runs_the_build_script_without_a_shell)
{
    ck_assert_msg(access("INJECTED", F_OK) != 0, "remove the stale ./INJECTED first");
    char dir[64];
    test_tmpdir(dir, sizeof dir, "vlib");
    char cache[256], path[512], got[1024], want[1024], err[512];
    snprintf(cache, sizeof cache, "%s/c';touch INJECTED;' $(touch INJECTED)", dir);
    setenv("CODESIM_CACHE", cache, 1);
    setenv("CODESIM_DATA", CODESIM_ROOT, 1);
    static const char *const srcs[] = {"tests/data/vlib_args.sh"};
    vlib_spec_t spec = {"the stand-in", "stand/in", "libnone.so", "tests/data/vlib_args.sh",
                        "4 12 8", srcs, 1, "none"};
    vlib_t v;
    snprintf(path, sizeof path, "%s/stderr", dir);
    fflush(stderr);
    ck_assert_ptr_nonnull(freopen(path, "w", stderr));
    const int rc = vlib_load(&spec, NULL, &v, err, sizeof err);
    fflush(stderr);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err, CODESIM_ROOT "/tests/data/vlib_args.sh: RTL build failed (see the "
                          "messages above)");
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    got[fread(got, 1, sizeof got - 1, f)] = 0;
    fclose(f);
    ck_assert_str_eq(got, "rtl: building the stand-in (once per configuration)\n"
                          "vlib_args: not building anything\n");
    snprintf(path, sizeof path, "%s/stand/in/args", cache);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: not written", path);
    got[fread(got, 1, sizeof got - 1, f)] = 0;
    fclose(f);
    snprintf(want, sizeof want, "%s/stand/in\n4\n12\n8\n", cache);
    ck_assert_str_eq(got, want);
    ck_assert_int_ne(access("INJECTED", F_OK), 0);
    snprintf(path, sizeof path, "%s/INJECTED", dir);
    ck_assert_int_ne(access(path, F_OK), 0);

    spec.script = "tests/data/no_such_build.sh";
    ck_assert_int_eq(vlib_load(&spec, NULL, &v, err, sizeof err), -1);
    ck_assert_str_eq(err, CODESIM_ROOT "/tests/data/no_such_build.sh: not found");
    test_rmtree(dir);
}
END_TEST

Suite *harness_suite(void)
{
    Suite *s = suite_create("harness");
    TCase *tc = tcase_create("address_check");
    tcase_add_test(tc, address_check_accepts_idle_and_in_range_refuses_the_end);
    tcase_add_test(tc, systolic_harness_refuses_rtl_addresses_past_a_and_o);
    tcase_add_test(tc, lut_harness_refuses_an_rtl_address_past_the_weights);
    tcase_add_test(tc, pim_harness_refuses_an_rtl_column_past_the_row);
    tcase_add_test(tc, rtlcheck_counts_an_out_of_range_rtl_address_as_a_mismatch);
    suite_add_tcase(s, tc);
    TCase *build = tcase_create("build");
    tcase_add_test(build, vlib_runs_the_build_script_without_a_shell);
    suite_add_tcase(s, build);
    return s;
}

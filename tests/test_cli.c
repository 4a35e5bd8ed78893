/* test_cli.c - the codesim binary as a user runs it: help, a real run into
 * the database, and every kind of bad input (one line naming the file and
 * the field, non-zero exit, nothing already stored lost). */
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../models/lut_tc.h"
#include "tests.h"

static char tmpdir[256];

static void setup(void)
{
    test_tmpdir(tmpdir, sizeof tmpdir, "cli");
}

static void teardown(void)
{
    test_rmtree(tmpdir);
}

/* Runs `codesim ARGS` in the source tree; returns the exit status and the
 * captured stdout / stderr. */
static int codesim(const char *args, char *out, size_t outlen, char *err, size_t errlen)
{
    const int rc = test_codesim(tmpdir, args, out, outlen, err, errlen);
    ck_assert_msg(rc >= 0, "codesim %s: did not exit", args);
    return rc;
}

static void write_file(const char *name, const char *text)
{
    char p[400];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    test_write(p, text);
}

/* The first value `sql` (a SELECT of one integer) gives in the test
 * database: a count(*) or one stored number. */
static long long db_value(const char *db, const char *sql)
{
    char cmd[1024], buf[64] = {0};
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/%s' \"%s\"", tmpdir, db, sql);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, p));
    pclose(p);
    return atoll(buf);
}

static long db_count(const char *db, const char *sql)
{
    return (long)db_value(db, sql);
}

static int one_line(const char *s)
{
    const char *nl = strchr(s, '\n');
    return nl && nl[1] == 0;
}

static char out[1 << 16], err[1 << 14];

START_TEST(help_describes_every_command_and_option)
{
    ck_assert_int_eq(codesim("--help", out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(out, "rtlcheck"));
    ck_assert_ptr_nonnull(strstr(out, "bench"));
    ck_assert_int_eq(codesim("run --help", out, sizeof out, err, sizeof err), 0);
    for (const char *o = "--hw\0--workload\0--db\0--path\0"; *o; o += strlen(o) + 1)
        ck_assert_msg(strstr(out, o), "run --help lacks %s", o);
    ck_assert_int_eq(codesim("rtlcheck --help", out, sizeof out, err, sizeof err), 0);
    for (const char *o = "--block\0--rows\0--cols\0--dataflow\0--m\0--n\0--k\0--trials\0--seed\0";
         *o; o += strlen(o) + 1)
        ck_assert_msg(strstr(out, o), "rtlcheck --help lacks %s", o);
    ck_assert_int_eq(codesim("bench --help", out, sizeof out, err, sizeof err), 0);
    ck_assert_int_ne(codesim("frobnicate", out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "frobnicate"));
}
END_TEST

START_TEST(run_prints_layers_and_stores_them)
{
    char args[800];
    snprintf(args, sizeof args,
             "run --hw configs/default.yaml --workload traces/transformer.csv --db %s/r.db",
             tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(out, "qkv_proj"));
    ck_assert_ptr_nonnull(strstr(out, "total"));
    ck_assert_ptr_nonnull(strstr(out, "r.db"));
    ck_assert_int_eq(db_count("r.db", "SELECT count(*) FROM runs"), 1);
    ck_assert_int_ge(db_count("r.db", "SELECT count(*) FROM layers WHERE run_id = 1"), 6);
    ck_assert_int_eq(db_count("r.db", "SELECT count(*) FROM layers WHERE total_cycles < "
                                      "compute_cycles OR macs != m*n*k"), 0);
}
END_TEST

START_TEST(cycle_and_fast_paths_store_the_same_numbers)
{
    char args[800];
    snprintf(args, sizeof args,
             "run --hw tests/data/tiny.yaml --workload tests/data/tiny.csv --db %s/p.db", tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    strcat(args, " --path cycle");
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_int_eq(db_count("p.db", "SELECT count(*) FROM layers a JOIN layers b ON a.idx = b.idx "
                                      "AND a.run_id = 1 AND b.run_id = 2 WHERE a.total_cycles = "
                                      "b.total_cycles AND a.stall_cycles = b.stall_cycles AND "
                                      "a.dram_read_bytes = b.dram_read_bytes AND a.ofmap_reads = "
                                      "b.ofmap_reads"),
                     2);
}
END_TEST

/* traces/lowbit.csv: five low-bit layers (W1, W2, two ternary, W4) and one
 * int8 layer. */
#define LOWBIT_LUT_LAYERS 5
#define LOWBIT_LAYERS 6

START_TEST(lowbit_layers_run_on_the_lut_unit_and_int8_on_the_array)
{
    char args[800];
    snprintf(args, sizeof args,
             "run --hw configs/lut.yaml --workload traces/lowbit.csv --db %s/l.db", tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(out, "LUT unit"));
    ck_assert_ptr_nonnull(strstr(out, "q_proj_w1          lut "));
    ck_assert_ptr_nonnull(strstr(out, "lm_head_int8       systolic "));
    ck_assert_int_eq(db_count("l.db", "SELECT count(*) FROM layers WHERE unit = 'lut' AND name "
                                      "!= 'lm_head_int8'"),
                     LOWBIT_LUT_LAYERS);
    ck_assert_int_eq(db_count("l.db", "SELECT count(*) FROM layers WHERE unit = 'systolic' AND "
                                      "name = 'lm_head_int8'"),
                     1);
    ck_assert_int_eq(db_count("l.db", "SELECT count(*) FROM layers WHERE total_cycles != "
                                      "compute_cycles + stall_cycles OR macs != m*n*k OR "
                                      "utilization <= 0 OR utilization > 1"),
                     0);
    /* The cycle path (every lookup PE, every cycle) stores the same numbers. */
    strcat(args, " --path cycle");
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(db_count("l.db", "SELECT count(*) FROM layers a JOIN layers b ON a.idx = b.idx "
                                      "AND a.run_id = 1 AND b.run_id = 2 WHERE a.unit = b.unit AND "
                                      "a.total_cycles = b.total_cycles AND a.compute_cycles = "
                                      "b.compute_cycles AND a.stall_cycles = b.stall_cycles AND "
                                      "a.folds = b.folds AND a.steps = b.steps AND a.ifmap_reads = "
                                      "b.ifmap_reads AND a.filter_reads = b.filter_reads AND "
                                      "a.ofmap_reads = b.ofmap_reads AND a.ofmap_writes = "
                                      "b.ofmap_writes AND a.dram_read_bytes = b.dram_read_bytes AND "
                                      "a.dram_write_bytes = b.dram_write_bytes"),
                     LOWBIT_LAYERS);
}
END_TEST

/* The stored numbers of a LUT layer are lut_run's for that layer's weights on
 * the lut: section of configs/lut.yaml, set here field by field. */
START_TEST(lut_layer_stores_what_lut_run_gives)
{
    char args[800];
    snprintf(args, sizeof args,
             "run --hw configs/lut.yaml --workload traces/lowbit.csv --db %s/d.db", tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    lut_cfg_t cfg;
    lut_defaults(&cfg);
    cfg.a_bits = 8;
    cfg.g = 4;
    cfg.sym_table = 1;
    cfg.fused = 0;
    cfg.tm = 8;
    cfg.tn = 128;
    cfg.tk = 64;
    cfg.table_entries = 1024;
    cfg.scale_group = 0;
    cfg.act_buf_bytes = 512 * 1024;
    cfg.w_buf_bytes = 512 * 1024;
    cfg.out_buf_bytes = 256 * 1024;
    cfg.dma.bytes_per_cycle = 32; /* dram.bytes_per_cycle */
    static const struct {
        const char *name;
        uint64_t m, n, k;
        uint32_t w_bits, zp;
        lut_wq_t wq;
    } layers[] = {
        {"q_proj_w1", 32, 512, 512, 1, 0, LUT_WQ_SYM},
        {"k_proj_w2", 32, 512, 512, 2, 2, LUT_WQ_ZP},
        {"ffn_gate_ternary", 32, 1376, 512, 2, 0, LUT_WQ_TERNARY},
        {"ffn_down_w4", 32, 512, 1376, 4, 8, LUT_WQ_ZP},
    };
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        cfg.w_bits = layers[i].w_bits;
        cfg.wq = layers[i].wq;
        cfg.zp = layers[i].zp;
        const lut_gemm_t g = {layers[i].m, layers[i].n, layers[i].k};
        lut_stats_t st;
        char why[256];
        ck_assert_msg(lut_run(&cfg, &g, LUT_FAST, NULL, NULL, NULL, &st, why, sizeof why) == 0,
                      "%s", why);
        char sql[300];
#define STORED(col)                                                                          \
    (snprintf(sql, sizeof sql, "SELECT " col " FROM layers WHERE unit = 'lut' AND name = '%s'", \
              layers[i].name),                                                               \
     (uint64_t)db_value("d.db", sql))
        ck_assert_uint_eq(STORED("total_cycles"), st.total_cycles);
        ck_assert_uint_eq(STORED("stall_cycles"), st.stall_cycles);
        ck_assert_uint_eq(STORED("dram_read_bytes"), st.dram_read_bytes);
        ck_assert_uint_eq(STORED("dram_write_bytes"), st.dram_write_bytes);
        ck_assert_uint_eq(STORED("filter_reads"), st.weight_reads);
#undef STORED
    }
}
END_TEST

/* Without a lut: section the low-bit layers run on the array with their
 * weights dequantized to int8: each costs exactly what the same GEMM as a
 * plain int8 layer costs. */
START_TEST(without_a_lut_section_everything_runs_on_the_array)
{
    char args[800];
    snprintf(args, sizeof args,
             "run --hw configs/default.yaml --workload traces/lowbit.csv --db %s/a.db", tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_null(strstr(out, "LUT unit"));
    write_file("int8.csv", "Layer,M,N,K\n"
                           "q_proj_w1,32,512,512\n"
                           "k_proj_w2,32,512,512\n"
                           "ffn_gate_ternary,32,1376,512\n"
                           "ffn_up_ternary,32,1376,512\n"
                           "ffn_down_w4,32,512,1376\n"
                           "lm_head_int8,32,1000,512\n");
    snprintf(args, sizeof args,
             "run --hw configs/default.yaml --workload %s/int8.csv --db %s/a.db", tmpdir, tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(db_count("a.db", "SELECT count(*) FROM layers WHERE unit = 'systolic'"),
                     2 * LOWBIT_LAYERS);
    ck_assert_int_eq(db_count("a.db", "SELECT count(*) FROM layers a JOIN layers b ON a.idx = b.idx "
                                      "AND a.run_id = 1 AND b.run_id = 2 WHERE a.name = b.name AND "
                                      "a.total_cycles = b.total_cycles AND a.dram_read_bytes = "
                                      "b.dram_read_bytes"),
                     LOWBIT_LAYERS);
}
END_TEST

START_TEST(scalesim_config_and_conv_topology_run)
{
    char args[800];
    snprintf(args, sizeof args,
             "run --hw configs/scalesim_example.cfg --accounting rtl --workload "
             "traces/scalesim_conv.csv --db %s/s.db",
             tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    ck_assert_int_ge(db_count("s.db", "SELECT count(*) FROM layers"), 2);
}
END_TEST

/* SCALE-Sim's report header lines, copied from scalesim/simulator.py
 * generate_reports() (../shared/peers/scale-sim-v2). */
static const struct {
const char *file, *head;
} rep[] = {
    {"COMPUTE_REPORT.csv", "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping "
                           "Efficiency %, Compute Util %,\n"},
    {"BANDWIDTH_REPORT.csv", "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM "
                             "BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n"},
    {"DETAILED_ACCESS_REPORT.csv",
     "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter "
     "Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM "
     "OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM "
     "IFMAP Reads, DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM "
     "OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n"},
};

/* A .cfg alone runs in SCALE-Sim accounting: its three reports with its
 * exact header lines (scalesim/simulator.py), one row per layer. */
START_TEST(scalesim_accounting_writes_scalesims_reports)
{
    char args[800], path[600], line[1024];
    snprintf(args, sizeof args,
             "run --hw configs/scalesim_example.cfg --workload traces/scalesim_conv.csv "
             "--db %s/acct.db --csv %s/acct",
             tmpdir, tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(out, "SCALE-Sim v2 accounting"));
    for (size_t i = 0; i < sizeof rep / sizeof rep[0]; i++) {
        snprintf(path, sizeof path, "%s/acct/%s", tmpdir, rep[i].file);
        FILE *f = fopen(path, "r");
        ck_assert_msg(f != NULL, "%s missing", path);
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        ck_assert_str_eq(line, rep[i].head);
        int rows = 0;
        while (fgets(line, sizeof line, f))
            rows++;
        fclose(f);
        ck_assert_int_ge(rows, 2);
    }
}
END_TEST

/* Split one SCALE-Sim report line ("0, 813, 107, 36.9,") into its fields;
 * an empty field reads as NAN.  Returns the number of fields. */
static size_t ss_fields(const char *line, double *v, size_t max)
{
    size_t n = 0;
    const char *p = line;
    while (n < max && *p && *p != '\n') {
        while (*p == ' ')
            p++;
        char *end;
        const double x = strtod(p, &end);
        v[n++] = end == p ? NAN : x;
        p = strchr(end, ',');
        if (!p)
            break;
        p++;
    }
    return n;
}

/* Each row of DIR's BANDWIDTH_REPORT.csv divides the operand's DRAM bytes
 * (DETAILED_ACCESS_REPORT.csv) by its stop - start + 1 cycles, or by the
 * layer's total cycles (COMPUTE_REPORT.csv) where start/stop are empty; at
 * least `min_rows` rows. */
static void expect_dram_bw_over_span(const char *sub, size_t min_rows)
{
    static const char *const names[3] = {"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv",
                                         "DETAILED_ACCESS_REPORT.csv"};
    FILE *f[3];
    char line[3][2048], path[600];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s/%s", tmpdir, sub, names[i]);
        f[i] = fopen(path, "r");
        ck_assert_msg(f[i] != NULL, "%s missing", path);
        ck_assert_ptr_nonnull(fgets(line[i], sizeof line[i], f[i]));
    }
    size_t rows = 0;
    while (fgets(line[0], sizeof line[0], f[0])) {
        ck_assert_ptr_nonnull(fgets(line[1], sizeof line[1], f[1]));
        ck_assert_ptr_nonnull(fgets(line[2], sizeof line[2], f[2]));
        double c[8], b[8], d[32];
        ck_assert_uint_eq(ss_fields(line[0], c, 8), 6);
        ck_assert_uint_eq(ss_fields(line[1], b, 8), 7);
        ck_assert_uint_eq(ss_fields(line[2], d, 32), 19);
        for (size_t op = 0; op < 3; op++) {
            const double start = d[10 + 3 * op], stop = d[11 + 3 * op], bytes = d[12 + 3 * op];
            const double want = isnan(start) ? bytes / c[1] : bytes / (stop - start + 1);
            ck_assert_msg(fabs(b[4 + op] - want) <= 1e-12 * want, "%s row %zu operand %zu: "
                          "BW %.17g, bytes / span %.17g", sub, rows, op, b[4 + op], want);
        }
        rows++;
    }
    for (int i = 0; i < 3; i++)
        fclose(f[i]);
    ck_assert_uint_ge(rows, min_rows);
}

/* Issue 17 item 4: in codesim's own (rtl) timing, --csv writes SCALE-Sim's
 * three reports with its header lines, filled with codesim's numbers: each
 * layer's total and stall cycles as the run reports them (--json), overall
 * util = MACs x 100 / (cycles x PEs) and mapping efficiency by SCALE-Sim's
 * per-fold definition, both recomputed here; codesim's own tables keep
 * their columns under LAYERS_REPORT.csv and DRAM_REPORT.csv. */
START_TEST(rtl_mode_csv_has_scalesims_columns_with_codesims_numbers)
{
    char args[1024], path[600], line[2048];
    snprintf(args, sizeof args,
             "run --hw tests/data/tiny.yaml --workload tests/data/tiny.csv --db %s/r.db "
             "--json %s/r.json --csv %s/rtl",
             tmpdir, tmpdir, tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/r.json", tmpdir);
    json_t *doc = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    const json_t *layers = json_object_get(doc, "layers"), *hw = json_object_get(doc, "hw");
    const json_t *totals = json_object_get(doc, "totals");
    const double pes = (double)json_integer_value(json_object_get(totals, "pes"));
    const double R = (double)json_integer_value(json_object_get(hw, "rows"));
    const double C = (double)json_integer_value(json_object_get(hw, "cols"));
    ck_assert_str_eq(json_string_value(json_object_get(hw, "dataflow")), "ws");
    const size_t nl = json_array_size(layers);
    ck_assert_uint_ge(nl, 2);
    for (size_t r = 0; r < sizeof rep / sizeof rep[0]; r++) {
        snprintf(path, sizeof path, "%s/rtl/%s", tmpdir, rep[r].file);
        FILE *f = fopen(path, "r");
        ck_assert_msg(f != NULL, "%s missing", path);
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        ck_assert_str_eq(line, rep[r].head);
        size_t i = 0;
        for (; fgets(line, sizeof line, f); i++) {
            ck_assert_uint_lt(i, nl);
            const json_t *l = json_array_get(layers, i);
#define LU(key) ((double)json_integer_value(json_object_get(l, key)))
            double v[32];
            const size_t n = ss_fields(line, v, 32);
            ck_assert_double_eq(v[0], (double)i);
            if (r == 0) {
                ck_assert_uint_eq(n, 6);
                ck_assert_double_eq(v[1], LU("total_cycles"));
                ck_assert_double_eq(v[2], LU("stall_cycles"));
                const double util = LU("macs") * 100.0 / (LU("total_cycles") * pes);
                ck_assert_double_eq_tol(v[3], util, 1e-9 * util);
                /* WS maps K on the rows and N on the columns; the mean over
                 * folds of used/all PEs is K N / (ceil(K/R) R ceil(N/C) C) */
                const double map = LU("k") * LU("n") * 100.0 /
                                   (ceil(LU("k") / R) * R * ceil(LU("n") / C) * C);
                ck_assert_double_eq_tol(v[4], map, 1e-9 * map);
                ck_assert(v[5] >= v[3] && v[5] <= 100.0);
            } else if (r == 2) {
                ck_assert_uint_eq(n, 19);
                ck_assert_double_eq(v[3], LU("ifmap_reads"));
                ck_assert_double_eq(v[6], LU("filter_reads"));
                ck_assert_double_eq(v[9], LU("ofmap_writes"));
                /* each operand's SRAM and DRAM start and stop are cycles
                 * of the layer (the array computes from cycle 1) */
                for (size_t op = 0; op < 3; op++) {
                    ck_assert(v[1 + 3 * op] >= 1 && v[1 + 3 * op] <= v[2 + 3 * op]);
                    ck_assert(v[2 + 3 * op] < LU("total_cycles"));
                    ck_assert(v[10 + 3 * op] >= 0 && v[10 + 3 * op] <= v[11 + 3 * op]);
                    ck_assert(v[11 + 3 * op] < LU("total_cycles"));
                }
                ck_assert(v[12] > 0 && v[15] > 0);
                ck_assert(v[12] + v[15] <= LU("dram_read_bytes"));
                ck_assert_double_eq(v[18], LU("dram_write_bytes"));
            }
#undef LU
        }
        fclose(f);
        ck_assert_uint_eq(i, nl);
    }
    json_decref(doc);
    /* DRAM BW = bytes / (stop - start + 1), SCALE-Sim's first-to-last span */
    expect_dram_bw_over_span("rtl", 2);
    /* Layers on the LUT unit: its own utilization, no mapping efficiency. */
    snprintf(args, sizeof args,
             "run --hw configs/lut.yaml --workload traces/lowbit.csv --db %s/l.db "
             "--json %s/l.json --csv %s/lut",
             tmpdir, tmpdir, tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/l.json", tmpdir);
    json_t *ldoc = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(ldoc);
    const json_t *ll = json_object_get(ldoc, "layers");
    snprintf(path, sizeof path, "%s/lut/COMPUTE_REPORT.csv", tmpdir);
    FILE *lf = fopen(path, "r");
    ck_assert_ptr_nonnull(lf);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, lf));
    snprintf(path, sizeof path, "%s/lut/DETAILED_ACCESS_REPORT.csv", tmpdir);
    FILE *df = fopen(path, "r");
    ck_assert_ptr_nonnull(df);
    char dline[2048];
    ck_assert_ptr_nonnull(fgets(dline, sizeof dline, df));
    size_t nlut = 0;
    for (size_t i = 0; fgets(line, sizeof line, lf); i++) {
        const json_t *l = json_array_get(ll, i);
        ck_assert_ptr_nonnull(l);
        double v[8];
        ck_assert_uint_eq(ss_fields(line, v, 8), 6);
        ck_assert(v[3] > 0 && v[3] <= 100.0);
        /* every layer (LUT or array): its reads split into activations and
         * weights, each operand with its DRAM span */
        double d[32];
        ck_assert_ptr_nonnull(fgets(dline, sizeof dline, df));
        ck_assert_uint_eq(ss_fields(dline, d, 32), 19);
        ck_assert(d[12] > 0 && d[15] > 0);
        ck_assert(d[12] + d[15] <=
                  (double)json_integer_value(json_object_get(l, "dram_read_bytes")));
        for (size_t op = 0; op < 3; op++)
            ck_assert(d[10 + 3 * op] >= 0 && d[10 + 3 * op] <= d[11 + 3 * op]);
        const int on_lut = strcmp(json_string_value(json_object_get(l, "unit")), "lut") == 0;
        /* SRAM spans: the array's ports; the LUT unit records none */
        for (size_t op = 0; op < 3; op++)
            ck_assert(on_lut ? isnan(d[1 + 3 * op]) && isnan(d[2 + 3 * op])
                             : d[1 + 3 * op] >= 1 && d[1 + 3 * op] <= d[2 + 3 * op]);
        if (on_lut) {
            nlut++;
            /* the LUT unit reads nothing else (no partial sums) */
            ck_assert_double_eq(
                d[12] + d[15],
                (double)json_integer_value(json_object_get(l, "dram_read_bytes")));
            const double u = 100.0 * json_real_value(json_object_get(l, "utilization"));
            ck_assert_double_eq_tol(v[3], u, 1e-9 * u);
            ck_assert(isnan(v[4]));
        }
    }
    fclose(lf);
    fclose(df);
    ck_assert_uint_ge(nlut, 1);
    json_decref(ldoc);
    expect_dram_bw_over_span("lut", 2);
    /* A tensor engine: reads split, no DMA timeline (start/stop empty, BW
     * over the total cycles) */
    snprintf(args, sizeof args,
             "run --hw configs/cube.yaml --workload tests/data/tiny.csv --db %s/c.db "
             "--json %s/c.json --csv %s/cube",
             tmpdir, tmpdir, tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/c.json", tmpdir);
    json_t *cdoc = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(cdoc);
    snprintf(path, sizeof path, "%s/cube/DETAILED_ACCESS_REPORT.csv", tmpdir);
    FILE *cf = fopen(path, "r");
    ck_assert_ptr_nonnull(cf);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, cf));
    size_t ncube = 0;
    for (size_t i = 0; fgets(line, sizeof line, cf); i++, ncube++) {
        const json_t *l = json_array_get(json_object_get(cdoc, "layers"), i);
        ck_assert_ptr_nonnull(l);
        ck_assert_str_eq(json_string_value(json_object_get(l, "unit")), "cube");
        double d[32];
        ck_assert_uint_eq(ss_fields(line, d, 32), 19);
        ck_assert(d[12] > 0 && d[15] > 0);
        ck_assert_double_eq(d[12] + d[15],
                            (double)json_integer_value(json_object_get(l, "dram_read_bytes")));
        for (size_t op = 0; op < 3; op++)
            ck_assert(isnan(d[1 + 3 * op]) && isnan(d[2 + 3 * op]) && isnan(d[10 + 3 * op]) &&
                      isnan(d[11 + 3 * op]));
    }
    fclose(cf);
    ck_assert_uint_ge(ncube, 2);
    json_decref(cdoc);
    static const char *const own[][2] = {{"LAYERS_REPORT.csv", "Layer,Unit,M,N,K,"},
                                         {"DRAM_REPORT.csv", "Layer,DRAM read bytes,"},
                                         {"ACCESS_REPORT.csv", "Layer,Ifmap reads,"}};
    for (size_t r = 0; r < 3; r++) {
        snprintf(path, sizeof path, "%s/rtl/%s", tmpdir, own[r][0]);
        FILE *f = fopen(path, "r");
        ck_assert_msg(f != NULL, "%s missing", path);
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        fclose(f);
        ck_assert_msg(strncmp(line, own[r][1], strlen(own[r][1])) == 0, "%s: %s", own[r][0], line);
    }
}
END_TEST

/* Each bad input: non-zero exit, one line naming `name` and `field`, and the
 * database's earlier run still there. */
static void expect_refusal(const char *hw, const char *wl, const char *name, const char *field)
{
    char args[1200];
    snprintf(args, sizeof args, "run --hw %s --workload %s --db %s/keep.db", hw, wl, tmpdir);
    ck_assert_int_ne(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_msg(one_line(err), "not one line: %s", err);
    ck_assert_msg(strstr(err, name), "'%s' not named in: %s", name, err);
    ck_assert_msg(strstr(err, field), "'%s' not named in: %s", field, err);
    ck_assert_int_eq(db_count("keep.db", "SELECT count(*) FROM runs"), 1);
}

START_TEST(bad_inputs_get_one_line_and_keep_the_database)
{
    char args[800], p[400];
    snprintf(args, sizeof args,
             "run --hw tests/data/tiny.yaml --workload tests/data/tiny.csv --db %s/keep.db", tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);

    write_file("badkey.yaml", "array:\n  rows: 8\n  colz: 8\n");
    write_file("zero.yaml", "array:\n  rows: 0\n");
    write_file("huge.yaml", "array:\n  cols: 100000\n");
    write_file("syntax.yaml", "array: [rows: 8\n");
    write_file("fields.csv", "Layer,M,N,K\nfc1,12,13\n");
    write_file("zerodim.csv", "Layer,M,N,K\nfc1,12,0,4\n");
    write_file("bigdim.csv", "Layer,M,N,K\nfc1,12,99999999999,4\n");
    write_file("small.yaml", "array:\n  rows: 32\n  cols: 32\n  dataflow: ws\nsram:\n"
                             "  filter_bytes: 1024\n");
#define T(f) (snprintf(p, sizeof p, "%s/%s", tmpdir, f), p)
    char hw_ok[] = "tests/data/tiny.yaml", wl_ok[] = "tests/data/tiny.csv";
    expect_refusal(T("badkey.yaml"), wl_ok, "badkey.yaml:3", "colz");
    expect_refusal(T("zero.yaml"), wl_ok, "zero.yaml:2", "rows");
    expect_refusal(T("huge.yaml"), wl_ok, "huge.yaml", "cols");
    expect_refusal(T("syntax.yaml"), wl_ok, "syntax.yaml", ":");
    expect_refusal(T("missing.yaml"), wl_ok, "missing.yaml", "open");
    expect_refusal(hw_ok, T("fields.csv"), "fields.csv:2", "K");
    expect_refusal(hw_ok, T("zerodim.csv"), "zerodim.csv:2", "N");
    expect_refusal(hw_ok, T("bigdim.csv"), "bigdim.csv:2", "N");
    expect_refusal(hw_ok, T("missing.csv"), "missing.csv", "open");
    /* An impossible tiling: a 32x32 weight tile in a 512-byte half buffer. */
    expect_refusal(T("small.yaml"), "traces/transformer.csv", "transformer.csv", "sram.filter");
#undef T
}
END_TEST

/* Bad low-bit input: one line naming the file, line and field; nothing
 * already stored lost. */
START_TEST(bad_lowbit_inputs_get_one_line_and_keep_the_database)
{
    char args[800], p[400];
    snprintf(args, sizeof args,
             "run --hw tests/data/tiny.yaml --workload tests/data/tiny.csv --db %s/keep.db", tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    write_file("wbits.csv", "Layer,M,N,K,w_bits,wq\nfc1,4,4,4,2,\nfc2,4,4,4,5,\n");
    write_file("wq.csv", "Layer,M,N,K,w_bits,wq\nfc1,4,4,4,2,asym\n");
    write_file("lutout.yaml", "lut:\n  out_buf_kib: 4\n");
    write_file("lutg.yaml", "lut:\n  g: 9\n");
#define T(f) (snprintf(p, sizeof p, "%s/%s", tmpdir, f), p)
    expect_refusal("configs/lut.yaml", T("wbits.csv"), "wbits.csv:3", "w_bits");
    expect_refusal("configs/lut.yaml", T("wq.csv"), "wq.csv:2", "wq");
    /* 8 output rows of N = 512 int32 need 16 KiB of output buffer. */
    expect_refusal(T("lutout.yaml"), "traces/lowbit.csv", "lowbit.csv:9", "lut.out_buf");
    expect_refusal(T("lutg.yaml"), "traces/lowbit.csv", "lutg.yaml", "g");
#undef T
}
END_TEST

START_TEST(corrupt_or_foreign_database_is_refused_untouched)
{
    const char junk[] = "this is not a database, it is a grocery list\n";
    write_file("junk.db", junk);
    char args[800], p[400];
    snprintf(args, sizeof args,
             "run --hw tests/data/tiny.yaml --workload tests/data/tiny.csv --db %s/junk.db", tmpdir);
    ck_assert_int_ne(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_msg(one_line(err) && strstr(err, "junk.db"), "%s", err);
    snprintf(p, sizeof p, "%s/junk.db", tmpdir);
    FILE *f = fopen(p, "r");
    char back[256] = {0};
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(back, 1, sizeof back, f), strlen(junk));
    fclose(f);
    ck_assert_str_eq(back, junk);

    snprintf(args, sizeof args,
             "run --hw tests/data/tiny.yaml --workload tests/data/tiny.csv --db %s/no/such/dir.db",
             tmpdir);
    ck_assert_int_ne(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_msg(one_line(err) && strstr(err, "dir.db"), "%s", err);
}
END_TEST

/* A double the test database gives for sql. */
static double db_real(const char *db, const char *sql)
{
    char cmd[1024], buf[64] = {0};
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/%s' \"%s\"", tmpdir, db, sql);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, p));
    pclose(p);
    return atof(buf);
}

/* The rows "name value ..." of the table after the line containing head, up
 * to its "total" row or a blank line: names and first values. */
static size_t table_rows(const char *text, const char *head, char names[][32], double *v,
                         size_t max)
{
    const char *p = strstr(text, head);
    ck_assert_msg(p != NULL, "no '%s' in: %s", head, text);
    p = strchr(p, '\n');
    size_t n = 0;
    while (p && p[1] && p[1] != '\n' && n < max) {
        p++;
        if (sscanf(p, "%31s %lf", names[n], &v[n]) == 2 && !strcmp(names[n++], "total"))
            break;
        p = strchr(p, '\n');
    }
    return n;
}

/* codesim run prices its run: the stored energy breakdown adds up to the
 * printed total, equals component by component what `codesim area
 * --workload` (its own simulation and pricing) prints for the same workload
 * and node, and scales with the events: the DRAM energy per DRAM byte is the
 * same for two workloads. */
START_TEST(run_prices_its_energy_and_area_and_stores_both_breakdowns)
{
    char args[800];
    snprintf(args, sizeof args, "run --workload traces/transformer.csv --tech 28nm --db %s/e.db",
             tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    char names[48][32];
    double v[48];
    const size_t nrun = table_rows(out, "component", names, v, 48);
    ck_assert_uint_ge(nrun, 8);
    ck_assert_str_eq(names[nrun - 1], "total");
    ck_assert_ptr_nonnull(strstr(out, "TOPS/W"));
    ck_assert_ptr_nonnull(strstr(out, "TOPS/mm^2"));
    /* The printed totals are the sums of the stored components. */
    const char *tl = strstr(strstr(out, "component"), "\ntotal ");
    double a_tot, e_tot;
    ck_assert_int_eq(sscanf(tl, " total %lf %lf", &a_tot, &e_tot), 2);
    const double e_sum =
        db_real("e.db", "SELECT sum(value) FROM breakdowns WHERE run_id = 1 AND kind = 'energy_pj'");
    const double a_sum =
        db_real("e.db", "SELECT sum(value) FROM breakdowns WHERE run_id = 1 AND kind = 'area_um2'");
    ck_assert_double_eq_tol(e_sum * 1e-6, e_tot, 1e-6 + 1e-9 * e_tot);
    ck_assert_double_eq_tol(a_sum * 1e-6, a_tot, 1e-6);
    ck_assert_int_ge(db_count("e.db", "SELECT count(*) FROM breakdowns WHERE run_id = 1"), 10);

    /* codesim area on the same workload and node. */
    ck_assert_int_eq(codesim("area --workload traces/transformer.csv --tech 28nm", out, sizeof out,
                             err, sizeof err),
                     0);
    char an[48][32];
    double av[48];
    const size_t ne = table_rows(out, "\nenergy ", an, av, 48);
    ck_assert_uint_ge(ne, 4);
    for (size_t i = 0; i < ne; i++) {
        char q[300];
        if (!strcmp(an[i], "total")) {
            ck_assert_double_eq_tol(av[i], e_sum * 1e-6, 1e-4 + 1e-7 * av[i]);
            continue;
        }
        snprintf(q, sizeof q, "SELECT value FROM breakdowns WHERE run_id = 1 AND kind = "
                              "'energy_pj' AND component = '%s'", an[i]);
        ck_assert_double_eq_tol(db_real("e.db", q) * 1e-6, av[i], 1e-4 + 1e-7 * av[i]);
    }
    const size_t na = table_rows(out, "\narea ", an, av, 48);
    ck_assert_uint_ge(na, 5);
    for (size_t i = 0; i < na; i++) {
        char q[300];
        snprintf(q, sizeof q, "SELECT %s FROM breakdowns WHERE run_id = 1 AND kind = "
                              "'area_um2'%s%s%s", strcmp(an[i], "total") ? "value" : "sum(value)",
                 strcmp(an[i], "total") ? " AND component = '" : "",
                 strcmp(an[i], "total") ? an[i] : "", strcmp(an[i], "total") ? "'" : "");
        ck_assert_double_eq_tol(db_real("e.db", q) * 1e-6, av[i], 1e-4);
    }

    /* A second workload: DRAM energy per byte moved is the same. */
    snprintf(args, sizeof args, "run --workload tests/data/tiny.csv --tech 28nm --db %s/e.db",
             tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    double per[2];
    for (int r = 0; r < 2; r++) {
        char q[400];
        snprintf(q, sizeof q,
                 "SELECT (SELECT value FROM breakdowns WHERE run_id = %d AND kind = 'energy_pj' "
                 "AND component = 'dram') / (SELECT sum(dram_read_bytes + dram_write_bytes) FROM "
                 "layers WHERE run_id = %d)", r + 1, r + 1);
        per[r] = db_real("e.db", q);
        ck_assert(per[r] > 0);
    }
    ck_assert_double_eq_tol(per[0], per[1], 1e-6 * per[0]);
}
END_TEST

/* LUT layers are priced from the LUT unit's own events, and its area is in
 * the hardware's. */
START_TEST(run_prices_lut_layers_with_the_lut_model)
{
    char args[800];
    snprintf(args, sizeof args, "run --hw configs/lut.yaml --workload traces/lowbit.csv --db %s/l.db",
             tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_int_eq(db_count("l.db", "SELECT count(*) FROM breakdowns WHERE kind = 'energy_pj' "
                                      "AND component = 'lut.table_read' AND value > 0"), 1);
    ck_assert_int_eq(db_count("l.db", "SELECT count(*) FROM breakdowns WHERE kind = 'area_um2' "
                                      "AND component = 'lut.pe_acc' AND value > 0"), 1);
    /* The int8 layer still runs on the array and pays array.mac. */
    ck_assert_int_eq(db_count("l.db", "SELECT count(*) FROM breakdowns WHERE kind = 'energy_pj' "
                                      "AND component = 'array.mac' AND value > 0"), 1);
    snprintf(args, sizeof args, "run --workload tests/data/tiny.csv --tech 3nm --db %s/l.db",
             tmpdir);
    ck_assert_int_ne(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_msg(one_line(err) && strstr(err, "--tech"), "%s", err);
    ck_assert_int_eq(db_count("l.db", "SELECT count(*) FROM runs"), 1);
}
END_TEST

START_TEST(bad_options_are_refused)
{
    ck_assert_int_ne(codesim("run --workload tests/data/tiny.csv --path slow", out, sizeof out,
                             err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "--path"));
    ck_assert_int_ne(codesim("run", out, sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "--workload"));
    ck_assert_int_ne(codesim("rtlcheck --block systolic --rows 0 --cols 4 --dataflow os", out,
                             sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "--rows"));
    ck_assert_int_ne(codesim("rtlcheck --block systolic --rows 4 --cols 4 --dataflow xs", out,
                             sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "--dataflow"));
    ck_assert_int_ne(codesim("rtlcheck --block lut --rows 4 --cols 4 --dataflow os", out,
                             sizeof out, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "--block"));
}
END_TEST

/* Starts `codesim run` on the tiny machine and workload into tmpdir/db with
 * fork and execv; its stdout and stderr go to tmpdir/TAG.out and TAG.err. */
static pid_t spawn_run(const char *db, int tag)
{
    char dbp[400], of[400], ef[400];
    snprintf(dbp, sizeof dbp, "%s/%s", tmpdir, db);
    snprintf(of, sizeof of, "%s/%d.out", tmpdir, tag);
    snprintf(ef, sizeof ef, "%s/%d.err", tmpdir, tag);
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        const int o = open(of, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = open(ef, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(127);
        char *argv[] = {(char *)test_bin(), "run", "--hw", "tests/data/tiny.yaml", "--workload",
                        "tests/data/tiny.csv", "--db", dbp, NULL};
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* `codesim run --hw HW --workload WL` (paths in tmpdir) with fork and execv,
 * killed and failed if it takes more than `limit_s` seconds; returns its exit
 * status with stderr in err. */
static int run_bounded(const char *hw, const char *wl, int limit_s)
{
    char hp[400], wp[400], dbp[400], ef[400];
    snprintf(hp, sizeof hp, "%s/%s", tmpdir, hw);
    snprintf(wp, sizeof wp, "%s/%s", tmpdir, wl);
    snprintf(dbp, sizeof dbp, "%s/big.db", tmpdir);
    snprintf(ef, sizeof ef, "%s/big.err", tmpdir);
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        const int e = open(ef, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (e < 0 || dup2(e, 2) < 0)
            _exit(127);
        char *argv[] = {(char *)test_bin(), "run", "--hw", hp, "--workload", wp, "--db", dbp, NULL};
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    for (int t = 0; waitpid(pid, &status, WNOHANG) == 0; t++) {
        if (t >= limit_s * 20) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            ck_abort_msg("codesim run --hw %s --workload %s still running after %d s", hw, wl,
                         limit_s);
        }
        usleep(50000);
    }
    FILE *f = fopen(ef, "r");
    ck_assert_ptr_nonnull(f);
    const size_t n = fread(err, 1, sizeof err - 1, f);
    err[n] = 0;
    fclose(f);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int has_raw(const char *s, const char *bytes)
{
    return strpbrk(s, bytes) != NULL;
}

/* Issue 14, escaping: an error that echoes a path with an ESC sequence and a
 * byte that is not UTF-8 shows both escaped (they went raw to the terminal);
 * a layer name with a double quote is quoted per RFC 4180 in the CSV
 * reports (it was written raw, shifting every column after it). */
START_TEST(untrusted_text_is_escaped_in_errors_and_csv_reports)
{
    char args[1024];
    write_file("w.csv", "Layer,M,N,K\nq\"uote,8,8,8\n");
    snprintf(args, sizeof args, "run --hw '%s/x\x1b[31m\xff.yaml' --workload %s/w.csv --db %s/e.db",
             tmpdir, tmpdir, tmpdir);
    ck_assert_int_ne(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "x\\x1b[31m\\xff.yaml") != NULL, "%s", err);
    ck_assert_msg(!has_raw(err, "\x1b\xff"), "raw bytes in: %s", err);
    ck_assert_msg(one_line(err), "%s", err);
    snprintf(args, sizeof args, "run --workload %s/w.csv --db %s/e.db --csv %s/rep", tmpdir,
             tmpdir, tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    const char *files[] = {"LAYERS_REPORT.csv", "DRAM_REPORT.csv", "ACCESS_REPORT.csv"};
    for (size_t i = 0; i < 3; i++) {
        char p[512], text[4096] = {0};
        snprintf(p, sizeof p, "%s/rep/%s", tmpdir, files[i]);
        FILE *f = fopen(p, "r");
        ck_assert_ptr_nonnull(f);
        const size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
        ck_assert_msg(strstr(text, "\n\"q\"\"uote\",") != NULL, "%s: %s", files[i], text);
    }
}
END_TEST

/* Issue 14, shell injection: `synth --out "o';touch INJECTED;'"` created
 * the file INJECTED (the --out was pasted into a system() command).  yosys
 * now runs through io_spawn with an argument vector: the quotes are part of
 * the directory's name, nothing else runs, and the results are stored. */
START_TEST(synth_out_with_shell_quotes_runs_no_shell)
{
    char args[1024], p[600];
    snprintf(args, sizeof args, "synth --sizes 1,2 --db %s/syn.db --out \"%s/o';touch INJECTED;'\"",
             tmpdir, tmpdir);
    const int injected_before = access("INJECTED", F_OK) == 0;
    const int rc = codesim(args, out, sizeof out, err, sizeof err);
    ck_assert_msg(rc == 0, "%s%s", out, err);
    /* A shell would have run `touch INJECTED` in our working directory. */
    const int injected = !injected_before && access("INJECTED", F_OK) == 0;
    if (injected)
        unlink("INJECTED");
    ck_assert_msg(!injected, "the --out text ran as a shell command");
    snprintf(p, sizeof p, "%s/o';touch INJECTED;'/synth.csv", tmpdir);
    ck_assert_msg(access(p, F_OK) == 0, "no synth.csv in the quoted directory");
    ck_assert_int_eq(db_count("syn.db", "SELECT count(*) FROM synth_sizes"), 2);
}
END_TEST

/* Issue 14, silent overflow: layers whose MACs, cycles or steps do not fit
 * were stored with wrapped counts (1 cycle and 0 MACs, MACs 0, MACs off by
 * 256x) or ran 2^32 steps on the fast path.  Each is now refused at once with
 * one line naming the layer and the count, and nothing is stored. */
START_TEST(layers_whose_counts_do_not_fit_are_refused_at_once)
{
    write_file("a1.yaml", "array:\n  rows: 1\n  cols: 1\n");
    write_file("os.yaml", "array:\n  rows: 256\n  cols: 256\n  dataflow: os\nsram:\n"
                          "  ifmap_bytes: 68719476736\n  filter_bytes: 68719476736\n"
                          "  ofmap_bytes: 68719476736\n");
    write_file("ws.yaml", "array:\n  rows: 256\n  cols: 256\n  dataflow: ws\n");
    write_file("cube.csv", "Layer,M,N,K\ncube,16777216,16777216,16777216\n");
    write_file("osbig.csv", "Layer,M,N,K\nosbig,16777216,262144,16777216\n");
    write_file("wsbig.csv", "Layer,M,N,K\nwsbig,16777216,65792,16777216\n");
    /* M*N*K = 2^48 x 65534 fits 64 bits but not the database's signed 63
     * (refused before simulating, report 8); 2^48 x 2^14 = 2^62 MACs fit,
     * 2^48 folds x (2^14 + 1) cycles do not fit the models' 2^62 cycles. */
    write_file("thin.csv", "Layer,M,N,K\nthin,16777216,16777216,65534\n");
    write_file("thin62.csv", "Layer,M,N,K\nthin,16777216,16777216,16384\n");
    /* 2^48 MACs in 2^32 folds of one step: the fast path finishes the runs of
     * identical folds by arithmetic, so this one runs (it was refused above
     * 2^26 steps, and before that ran for minutes). */
    write_file("flat.csv", "Layer,M,N,K\nflat,16777216,16777216,1\n");
    const struct {
        const char *hw, *wl, *layer, *what;
    } c[] = {
        {"a1.yaml", "cube.csv", "layer cube", "M*N*K"},
        {"os.yaml", "osbig.csv", "layer osbig", "M*N*K"},
        {"ws.yaml", "wsbig.csv", "layer wsbig", "M*N*K"},
        {"ws.yaml", "cube.csv", "layer cube", "M*N*K"},
        {"a1.yaml", "thin.csv", "layer thin", "M*N*K"},
        {"a1.yaml", "thin62.csv", "layer thin", "cycle count"},
    };
    ck_assert_msg(run_bounded("os.yaml", "flat.csv", 10) == 0, "flat: %s", err);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        ck_assert_int_ne(run_bounded(c[i].hw, c[i].wl, 10), 0);
        ck_assert_msg(one_line(err), "not one line: %s", err);
        ck_assert_msg(strstr(err, c[i].layer) && strstr(err, c[i].what),
                      "%s on %s: '%s' or '%s' not named in: %s", c[i].wl, c[i].hw, c[i].layer,
                      c[i].what, err);
        ck_assert_msg(strstr(err, "64 bits") || strstr(err, "limit"), "%s", err);
    }
}
END_TEST

/* New-user report 8: counts that fit 64 unsigned bits but not the results
 * database's signed ones (above 2^63 - 1) were simulated and printed, then
 * failed to store.  A layer of 2^63 MACs, or layers whose MACs sum past
 * 2^63 - 1, are refused before simulating, with one line naming the file,
 * line, layer and count; a routing seed of 2^63 is a bit pattern and is
 * stored as its signed reinterpretation (as rtl_checks.seed). */
START_TEST(counts_past_the_databases_signed_64_bits_are_refused_before_simulating)
{
    char args[1200];
    write_file("m63.csv", "Layer,M,N,K\nl1,16777216,16777216,32768\n");
    write_file("sum63.csv", "Layer,M,N,K\nl1,16777216,16777216,16384\nl2,16777216,16777216,16384\n");
    const struct { const char *wl, *where; } c[] = {{"m63.csv", "m63.csv:2: layer l1"},
                                                   {"sum63.csv", "sum63.csv:3: layer l2"}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        snprintf(args, sizeof args, "run --hw configs/default.yaml --workload %s/%s --db %s/s.db",
                 tmpdir, c[i].wl, tmpdir);
        ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 1);
        ck_assert_msg(one_line(err), "not one line: %s", err);
        ck_assert_msg(strstr(err, c[i].where) && strstr(err, "MACs") && strstr(err, "2^63 - 1"),
                      "%s", err);
        ck_assert_msg(strstr(out, "total") == NULL, "simulated before refusing: %s", out);
    }
    snprintf(args, sizeof args,
             "run --model traces/models/mixtral-8x7b.json --hw configs/npu_pim.yaml --batch 2 "
             "--prompt 4 --seed 9223372036854775808 --db %s/seed.db",
             tmpdir);
    ck_assert_msg(codesim(args, out, sizeof out, err, sizeof err) == 0, "%s", err);
    ck_assert(db_value("seed.db", "SELECT route_seed = -9223372036854775807 - 1 FROM llm_runs") == 1);
}
END_TEST

/* New-user report 5: SCALE-Sim accounting had no practical bound: a
 * 4096-cube GEMM on a 1x1 array ran for tens of minutes, and `l,128,1,2^24`
 * grew past 5.7 GB (a 2^31-entry prefetch matrix was allowed).  Each is now
 * refused at once, before any buffer is built, with one line naming the
 * file, line, layer and the limit it passes (work or memory), in USER and
 * CALC mode. */
START_TEST(scalesim_accounting_refuses_layers_beyond_its_work_and_memory_limits)
{
    write_file("u1.cfg", "[architecture_presets]\nArrayHeight=1\nArrayWidth=1\nDataflow=os\n"
                         "Bandwidth=10\n");
    write_file("c1.cfg", "[architecture_presets]\nArrayHeight=1\nArrayWidth=1\nDataflow=os\n"
                         "Bandwidth=10\n[run_presets]\nInterfaceBandwidth=CALC\n");
    write_file("cube.csv", "Layer,M,N,K\nl,4096,4096,4096\n");
    write_file("tall.csv", "Layer,M,N,K\nl,128,1,16777216\n");
    const struct { const char *hw, *wl, *what; } c[] = {
        {"u1.cfg", "cube.csv", "work"}, {"u1.cfg", "tall.csv", "memory"},
        {"c1.cfg", "cube.csv", "work"}, {"c1.cfg", "tall.csv", "memory"}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        ck_assert_int_eq(run_bounded(c[i].hw, c[i].wl, 10), 1);
        ck_assert_msg(one_line(err), "not one line: %s", err);
        char where[64];
        snprintf(where, sizeof where, "%s:2: layer l: ", c[i].wl);
        ck_assert_msg(strstr(err, where) && strstr(err, "SCALE-Sim accounting") &&
                          strstr(err, c[i].what) && strstr(err, "limit"),
                      "%s on %s: %s", c[i].wl, c[i].hw, err);
    }
}
END_TEST

/* Issue 14, concurrency: four runs finish while another process holds the
 * write lock for 7 s (longer than the old 5 s busy timeout).  Each waits,
 * says so once on stderr, and every result is stored. */
START_TEST(runs_wait_for_a_held_write_lock_and_store_every_result)
{
    char dbp[400];
    snprintf(dbp, sizeof dbp, "%s/lock.db", tmpdir);
    int status;
    ck_assert_int_eq(waitpid(spawn_run("lock.db", 0), &status, 0) > 0, 1);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sqlite3 *holder = NULL;
    ck_assert_int_eq(sqlite3_open(dbp, &holder), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    pid_t pids[4];
    for (int i = 0; i < 4; i++)
        pids[i] = spawn_run("lock.db", i + 1);
    sleep(7);
    ck_assert_int_eq(db_count("lock.db", "SELECT count(*) FROM runs"), 1);
    ck_assert_int_eq(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(holder);
    for (int i = 0; i < 4; i++) {
        char ef[400], text[4096] = {0};
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        snprintf(ef, sizeof ef, "%s/%d.err", tmpdir, i + 1);
        FILE *f = fopen(ef, "r");
        ck_assert_ptr_nonnull(f);
        const size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "run %d: %s", i + 1, text);
        const char *note = strstr(text, "another process holds the write lock; waiting");
        ck_assert_msg(note && strstr(text, "lock.db"), "run %d: %s", i + 1, text);
        ck_assert_msg(!strstr(note + 1, "another process holds"), "run %d: two notes: %s",
                      i + 1, text);
    }
    ck_assert_int_eq(db_count("lock.db", "SELECT count(*) FROM runs"), 5);
    ck_assert_int_eq(db_count("lock.db", "SELECT count(*) FROM layers"), 10);
}
END_TEST

/* Options a mode or block does not use are named, not dropped in silence:
 * SCALE-Sim accounting lists each option of the machine it leaves out, an
 * engine beside array.conv_reads: unique says the engine reads im2col, and
 * a minifloat array whose products outgrow acc_bits says sums wrap; an
 * unknown --compare block is named as such. */
START_TEST(ignored_options_are_named)
{
    static char out[1 << 16], err[1 << 14];
    write_file("acc.yaml", "array:\n  rows: 8\n  cols: 8\n  accounting: scalesim\n"
                           "  os_drain: overlap\n  conv_reads: unique\n"
                           "cube:\n  rows: 4\n  cols: 4\n  depth: 4\n");
    char args[1024];
    snprintf(args, sizeof args, "run --hw %s/acc.yaml --workload traces/scalesim_conv.csv", tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    for (const char *k = "cube\0array.os_drain\0array.conv_reads\0"; *k; k += strlen(k) + 1) {
        char want[128];
        snprintf(want, sizeof want, "plain array; %s is not part of it", k);
        ck_assert_msg(strstr(err, want), "no note for %s:\n%s", k, err);
    }
    snprintf(args, sizeof args,
             "run --hw %s/acc.yaml --accounting rtl --workload traces/scalesim_conv.csv "
             "--db %s/r.db", tmpdir, tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "a tensor engine reads a conv layer's im2col matrix"), "%s", err);
    ck_assert_msg(!strstr(err, "not part of it"), "%s", err);
    write_file("f8.yaml", "array:\n  format: e4m3\n");
    snprintf(args, sizeof args, "run --hw %s/f8.yaml --workload traces/transformer.csv --db %s/r.db",
             tmpdir, tmpdir);
    ck_assert_int_eq(codesim(args, out, sizeof out, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "spans up to 37 bits; acc_bits 32 keeps sums modulo 2^32"), "%s",
                  err);
    ck_assert_int_eq(codesim("synth --compare foo", out, sizeof out, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "'foo' is not array"), "%s", err);
}
END_TEST

/* Found by a new-user pass (newuser2 defect 15): rtlcheck took --m --n --k
 * up to 16384 with no bound on their product: 4.4e12 MACs through
 * Verilator, 2.1 GB within 30 s, days to finish.  Each dimension is now at
 * most 4096 and MACs x trials at most 2^32, refused before any RTL is built
 * with one line naming the flag and the limit.  Uses the tests and mk/ files
 * make (K = 300, trials 2) pass the bound: a bad --dataflow, checked after
 * it, is what they are refused for here. */
START_TEST(rtlcheck_work_is_bounded)
{
    static char out[4096];
    static const struct {
        const char *args;
        const char *want; /* the whole output */
    } cases[] = {
        {"--block systolic --rows 4 --cols 4 --dataflow os --m 4097 --n 1 --k 1",
         "codesim rtlcheck: --m: 4097 is outside 1..4096\n"},
        {"--block systolic --rows 4 --cols 4 --dataflow os --trials 1 --m 16384 --n 1 --k 1",
         "codesim rtlcheck: --m: 16384 is outside 1..4096\n"},
        {"--block systolic --rows 4 --cols 4 --dataflow os --trials 2 --m 4096 --n 4096 --k 256",
         "codesim rtlcheck: --m 4096 --n 4096 --k 256 x --trials 2: 8.59e+09 multiply-accumulates, "
         "more than 4294967296 (2^32); give smaller dimensions or fewer trials\n"},
        {"--block lut --m 4096 --n 4096 --k 4096 --trials 1",
         "codesim rtlcheck: --m 4096 --n 4096 --k 4096 x --trials 1: 6.87e+10 multiply-accumulates, "
         "more than 4294967296 (2^32); give smaller dimensions or fewer trials\n"},
        {"--block cube --k 5000",
         "codesim rtlcheck: --k: 5000 is outside 1..4096\n"},
        /* At the bound, and the documented uses: refused only for the bad dataflow. */
        {"--block systolic --rows 4 --cols 4 --dataflow xx --trials 1 --m 4096 --n 4096 --k 256",
         "codesim rtlcheck: --dataflow: 'xx' is not os, ws or is\n"},
        {"--block systolic --rows 4 --cols 4 --dataflow xx --trials 2 --m 9 --n 17 --k 300",
         "codesim rtlcheck: --dataflow: 'xx' is not os, ws or is\n"},
        {"--block systolic --rows 12 --cols 12 --dataflow xx --trials 1000000",
         "codesim rtlcheck: --dataflow: 'xx' is not os, ws or is\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int rc = test_popen(out, sizeof out, 1, "%s rtlcheck %s --db /nonexistent/x.db",
                                  test_bin(), cases[i].args);
        ck_assert_msg(rc == 2 && !strcmp(out, cases[i].want), "rtlcheck %s: exit %d:\n%s",
                      cases[i].args, rc, out);
    }
}
END_TEST

/* Found by a new-user pass (newuser2 defect 13): errors that named the
 * wrong thing or broke over two lines.  Each is one whole line here. */
START_TEST(errors_name_the_flag_the_environment_and_keep_one_line)
{
    static char out[8192];
    char path[512];
    /* A newline in an echoed path is shown as \x0a, not a line break (the
     * argument vector carries it: no shell). */
    snprintf(path, sizeof path, "%s/x\ny.trace", tmpdir);
    char *const argv[] = {"codesim", "dram", "--trace", path, NULL};
    char log[600], want[1024];
    snprintf(log, sizeof log, "%s/nl.out", tmpdir);
    ck_assert_int_ne(test_codesim_argv(argv, log), 0);
    ck_assert_ptr_nonnull(test_slurp(log, out, sizeof out));
    snprintf(want, sizeof want, "codesim dram: %s/x\\x0ay.trace: cannot open: No such file or "
             "directory\n", tmpdir);
    ck_assert_str_eq(out, want);
    /* A bad CODESIM_MAX_INPUT_MB is the environment's error, reported once,
     * not blamed on --tech's default table. */
    int rc = test_popen(out, sizeof out, 1, "CODESIM_MAX_INPUT_MB=0 %s run --workload %s/tests/data/tiny.csv",
                        test_bin(), CODESIM_ROOT);
    ck_assert_msg(rc == 2 && !strcmp(out, "codesim: CODESIM_MAX_INPUT_MB: '0' is not a whole "
                                          "number of MiB in 1..1048576\n"), "%d: %s", rc, out);
    /* --prompt past the model's positions names the flag, not a key of the
     * model file. */
    rc = test_popen(out, sizeof out, 1, "%s run --model %s/traces/models/gpt2.json --prompt 4096"
                    " --db %s/p.db", test_bin(), CODESIM_ROOT, tmpdir);
    ck_assert_msg(rc == 2 && !strcmp(out, "codesim run: --prompt: 4096 is outside 1..1024 (the "
                                          "model's max_position_embeddings)\n"), "%d: %s", rc, out);
    rc = test_popen(out, sizeof out, 1, "%s run --model %s/traces/models/gpt2.json --prompt 1000"
                    " --gen 100 --db %s/p.db", test_bin(), CODESIM_ROOT, tmpdir);
    ck_assert_msg(rc == 2 && strstr(out, "codesim run: --gen: prompt 1000 + 100 new tokens") == out,
                  "%d: %s", rc, out);
    /* dram --preset: the prefix once. */
    rc = test_popen(out, sizeof out, 1, "%s dram --preset foo --trace x", test_bin());
    ck_assert_msg(rc != 0 && strstr(out, "codesim dram: --preset: unknown 'foo'") == out &&
                  !strstr(out, "preset: preset"), "%d: %s", rc, out);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, help_describes_every_command_and_option);
    tcase_add_test(tc, run_prints_layers_and_stores_them);
    tcase_add_test(tc, cycle_and_fast_paths_store_the_same_numbers);
    tcase_add_test(tc, scalesim_config_and_conv_topology_run);
    tcase_add_test(tc, scalesim_accounting_writes_scalesims_reports);
    tcase_add_test(tc, rtl_mode_csv_has_scalesims_columns_with_codesims_numbers);
    tcase_add_test(tc, lowbit_layers_run_on_the_lut_unit_and_int8_on_the_array);
    tcase_add_test(tc, lut_layer_stores_what_lut_run_gives);
    tcase_add_test(tc, without_a_lut_section_everything_runs_on_the_array);
    tcase_add_test(tc, bad_lowbit_inputs_get_one_line_and_keep_the_database);
    tcase_add_test(tc, bad_inputs_get_one_line_and_keep_the_database);
    tcase_add_test(tc, corrupt_or_foreign_database_is_refused_untouched);
    tcase_add_test(tc, bad_options_are_refused);
    tcase_add_test(tc, run_prices_its_energy_and_area_and_stores_both_breakdowns);
    tcase_add_test(tc, run_prices_lut_layers_with_the_lut_model);
    tcase_add_test(tc, runs_wait_for_a_held_write_lock_and_store_every_result);
    tcase_add_test(tc, layers_whose_counts_do_not_fit_are_refused_at_once);
    tcase_add_test(tc, counts_past_the_databases_signed_64_bits_are_refused_before_simulating);
    tcase_add_test(tc, scalesim_accounting_refuses_layers_beyond_its_work_and_memory_limits);
    tcase_add_test(tc, untrusted_text_is_escaped_in_errors_and_csv_reports);
    tcase_add_test(tc, synth_out_with_shell_quotes_runs_no_shell);
    tcase_add_test(tc, ignored_options_are_named);
    tcase_add_test(tc, rtlcheck_work_is_bounded);
    tcase_add_test(tc, errors_name_the_flag_the_environment_and_keep_one_line);
    suite_add_tcase(s, tc);
    return s;
}

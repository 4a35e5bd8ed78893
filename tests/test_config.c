/* test_config.c - hardware configuration: codesim YAML and SCALE-Sim .cfg
 * in, validated hw_cfg_t out; every bad input gives -1 and one error line
 * naming file, line, dotted key and reason; canonical text round-trips. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../sim/cost/tech_file.h"
#include "../models/te_cost.h"
#include "../models/util.h"
#include "../sim/io/config.h"
#include "../sim/io/escape.h"
#include "../sim/io/ioerr.h"
#include "tests.h"

/* ---- scratch files ---------------------------------------------------------- */

static char scratch[64];

static void scratch_setup(void)
{
    test_tmpdir(scratch, sizeof scratch, "cfg");
}

static void scratch_teardown(void)
{
    test_rmtree(scratch);
}

/* Writes text to scratch/name; path receives the file's path. */
static void write_file(char path[256], const char *name, const char *text)
{
    snprintf(path, 256, "%s/%s", scratch, name);
    test_write(path, text);
}

/* A file shipped in the source tree: under CODESIM_ROOT (set by the
 * Makefile), else found from this file's own path. */
static void src_path(char out[256], const char *rel)
{
#ifdef CODESIM_ROOT
    snprintf(out, 256, "%s/%s", CODESIM_ROOT, rel);
#else
    const char *f = __FILE__, *t = strstr(f, "tests/test_config.c");
    snprintf(out, 256, "%.*s%s", t ? (int)(t - f) : 0, f, rel);
#endif
}

static void load_ok(const char *name, const char *text, hw_cfg_t *hw)
{
    char path[256], err[256] = "";
    write_file(path, name, text);
    ck_assert_msg(hw_load(path, hw, err, sizeof err) == 0, "hw_load failed: %s", err);
    ck_assert_str_eq(hw->text, text);
}

/* Loads text and expects -1 with an error that starts "PATH:LINE: KEY: "
 * (no line when line is 0, no key when key is NULL) and contains word. */
static void expect_error(const char *name, const char *text, unsigned line, const char *key,
                         const char *word)
{
    char path[256], err[256] = "", want[400];
    hw_cfg_t hw;
    write_file(path, name, text);
    ck_assert_int_eq(hw_load(path, &hw, err, sizeof err), -1);
    if (line)
        snprintf(want, sizeof want, "%s:%u: %s%s", path, line, key ? key : "", key ? ": " : "");
    else
        snprintf(want, sizeof want, "%s: %s%s", path, key ? key : "", key ? ": " : "");
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "error '%s' does not start '%s'", err, want);
    ck_assert_msg(strstr(err, word) != NULL, "error '%s' lacks '%s'", err, word);
    ck_assert_msg(strchr(err, '\n') == NULL, "error '%s' is more than one line", err);
    ck_assert_ptr_null(hw.text);
    hw_free(&hw);
}

static void assert_same_hw(const hw_cfg_t *a, const hw_cfg_t *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_uint_eq(a->array.rows, b->array.rows);
    ck_assert_uint_eq(a->array.cols, b->array.cols);
    ck_assert_int_eq(a->array.dataflow, b->array.dataflow);
    ck_assert_uint_eq(a->array.in_bits, b->array.in_bits);
    ck_assert_uint_eq(a->array.w_bits, b->array.w_bits);
    ck_assert_uint_eq(a->array.acc_bits, b->array.acc_bits);
    ck_assert_uint_eq(a->sram.ifmap_bytes, b->sram.ifmap_bytes);
    ck_assert_uint_eq(a->sram.filter_bytes, b->sram.filter_bytes);
    ck_assert_uint_eq(a->sram.ofmap_bytes, b->sram.ofmap_bytes);
    ck_assert_uint_eq(a->dma.bytes_per_cycle, b->dma.bytes_per_cycle);
    /* block sections: both come from hw_defaults() (zeroed padding) */
    ck_assert_mem_eq(&a->dram, &b->dram, sizeof a->dram);
    ck_assert_mem_eq(&a->npu, &b->npu, sizeof a->npu);
    ck_assert_int_eq(a->has_pim, b->has_pim);
    ck_assert_mem_eq(&a->pim, &b->pim, sizeof a->pim);
    ck_assert_int_eq(a->has_lut, b->has_lut);
    ck_assert_mem_eq(&a->lut, &b->lut, sizeof a->lut);
}

static const char FULL_YAML[] =
    "name: big-128x64\n"
    "array:\n"
    "  rows: 128\n"
    "  cols: 64\n"
    "  dataflow: ws\n"
    "  in_bits: 4\n"
    "  w_bits: 16\n"
    "  acc_bits: 24\n"
    "sram:\n"
    "  ifmap_kib: 1024\n"
    "  filter_bytes: 1000\n"
    "  ofmap_kib: 64\n"
    "dram:\n"
    "  bytes_per_cycle: 128\n";

/* ---- defaults and good YAML ------------------------------------------------------ */

START_TEST(defaults_are_the_documented_32x32_os_array)
{
    hw_cfg_t hw;
    char err[256] = "";
    hw_defaults(&hw);
    ck_assert_str_eq(hw.name, "default-32x32");
    ck_assert_uint_eq(hw.array.rows, 32);
    ck_assert_uint_eq(hw.array.cols, 32);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_OS);
    ck_assert_uint_eq(hw.array.in_bits, 8);
    ck_assert_uint_eq(hw.array.w_bits, 8);
    ck_assert_uint_eq(hw.array.acc_bits, 32);
    ck_assert_uint_eq(hw.sram.ifmap_bytes, 512 * 1024);
    ck_assert_uint_eq(hw.sram.filter_bytes, 512 * 1024);
    ck_assert_uint_eq(hw.sram.ofmap_bytes, 256 * 1024);
    ck_assert_uint_eq(hw.dma.bytes_per_cycle, 32);
    ck_assert_ptr_null(hw.text);
    ck_assert_msg(hw_validate(&hw, NULL, err, sizeof err) == 0, "%s", err);
}
END_TEST

START_TEST(shipped_default_yaml_equals_the_defaults)
{
    char path[256], err[256] = "", h1[17], h2[17];
    hw_cfg_t file, def;
    src_path(path, "configs/default.yaml");
    ck_assert_msg(hw_load(path, &file, err, sizeof err) == 0, "%s", err);
    hw_defaults(&def);
    assert_same_hw(&file, &def);
    hw_hash(&file, h1);
    hw_hash(&def, h2);
    ck_assert_str_eq(h1, h2);
    hw_free(&file);
}
END_TEST

START_TEST(full_yaml_sets_every_field)
{
    hw_cfg_t hw;
    load_ok("full.yaml", FULL_YAML, &hw);
    ck_assert_str_eq(hw.name, "big-128x64");
    ck_assert_uint_eq(hw.array.rows, 128);
    ck_assert_uint_eq(hw.array.cols, 64);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_WS);
    ck_assert_uint_eq(hw.array.in_bits, 4);
    ck_assert_uint_eq(hw.array.w_bits, 16);
    ck_assert_uint_eq(hw.array.acc_bits, 24);
    ck_assert_uint_eq(hw.sram.ifmap_bytes, 1024 * 1024);
    ck_assert_uint_eq(hw.sram.filter_bytes, 1000);
    ck_assert_uint_eq(hw.sram.ofmap_bytes, 64 * 1024);
    ck_assert_uint_eq(hw.dma.bytes_per_cycle, 128);
    hw_free(&hw);
    ck_assert_ptr_null(hw.text);
}
END_TEST

START_TEST(partial_yaml_keeps_defaults_for_keys_left_out)
{
    hw_cfg_t hw, def;
    load_ok("partial.yaml", "# only the shape\narray:\n  rows: 8\n  dataflow: is\n", &hw);
    hw_defaults(&def);
    ck_assert_uint_eq(hw.array.rows, 8);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_IS);
    def.array.rows = 8;
    def.array.dataflow = SYSTOLIC_IS;
    assert_same_hw(&hw, &def);
    hw_free(&hw);
}
END_TEST

START_TEST(yaml_flow_style_and_comments_are_plain_yaml)
{
    hw_cfg_t hw;
    load_ok("flow.yaml", "array: {rows: 16, cols: 8}   # flow mapping\ndram: {bytes_per_cycle: 7}\n",
            &hw);
    ck_assert_uint_eq(hw.array.rows, 16);
    ck_assert_uint_eq(hw.array.cols, 8);
    ck_assert_uint_eq(hw.dma.bytes_per_cycle, 7);
    hw_free(&hw);
}
END_TEST

START_TEST(text_holds_the_file_exactly_as_read)
{
    hw_cfg_t hw;
    const char *text = "name:   spaced  # comment kept\r\narray:\r\n  rows: 2\r\n";
    load_ok("crlf.yaml", text, &hw); /* load_ok compares hw.text with text */
    ck_assert_str_eq(hw.name, "spaced");
    hw_free(&hw);
}
END_TEST

/* ---- bad YAML: each gives -1 and FILE:LINE: KEY: reason ----------------------- */

START_TEST(missing_file_gives_cannot_open_and_strerror)
{
    char err[256] = "";
    hw_cfg_t hw;
    ck_assert_int_eq(hw_load("/nonexistent/dir/hw.yaml", &hw, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/dir/hw.yaml: cannot open: No such file or directory");
    ck_assert_ptr_null(hw.text);
}
END_TEST

START_TEST(directory_instead_of_file_is_unreadable)
{
    char err[256] = "";
    hw_cfg_t hw;
    ck_assert_int_eq(hw_load(scratch, &hw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, scratch) == err && strstr(err, "cannot read"), "%s", err);
}
END_TEST

START_TEST(empty_yaml_file_is_an_error)
{
    expect_error("empty.yaml", "", 0, NULL, "empty");
    expect_error("comment.yaml", "# nothing here\n\n", 0, NULL, "empty");
}
END_TEST

START_TEST(yaml_syntax_error_gives_its_line)
{
    expect_error("syntax.yaml", "name: a\narray:\n  rows: 4\n   cols: 5\n", 4, NULL, "syntax");
    expect_error("flow.yaml", "name: a\narray: {rows: 4\n", 3, NULL, "syntax");
}
END_TEST

START_TEST(yaml_unknown_key_is_an_error)
{
    expect_error("unknown.yaml", "array:\n  rows: 4\n  colz: 4\n", 3, "array.colz", "unknown key");
    expect_error("top.yaml", "name: a\nsystolic:\n  rows: 4\n", 2, "systolic", "unknown key");
    expect_error("merge.yaml", "base: &b {rows: 4}\narray:\n  <<: *b\n", 1, "base", "unknown key");
}
END_TEST

/* Found by a new-user pass (newuser2 defect 7): format: int8 with
 * in_bits: 4 made a 4-bit machine in one key order and an 8-bit one in the
 * other.  Keys that disagree about one operand are refused, naming both with
 * their lines, whatever the order; keys that agree load. */
START_TEST(yaml_format_and_bits_that_disagree_are_refused)
{
    expect_error("fa.yaml", "array:\n  format: int8\n  in_bits: 4\n", 3, "array.in_bits",
                 "4 conflicts with array.format: int8 on line 2");
    expect_error("fb.yaml", "array:\n  in_bits: 4\n  format: int8\n", 3, "array.format",
                 "int8 conflicts with array.in_bits: 4 on line 2");
    expect_error("fc.yaml", "array:\n  w_bits: 6\n  rows: 4\n  format: int8\n", 4,
                 "array.format", "int8 conflicts with array.w_bits: 6 on line 2");
    expect_error("fd.yaml", "array:\n  w_format: int4\n  format: int8\n", 3, "array.format",
                 "int8 conflicts with array.w_format: int4 on line 2");
    expect_error("fe.yaml", "array:\n  in_format: e4m3\n  in_bits: 6\n", 3, "array.in_bits",
                 "6 conflicts with array.in_format: e4m3 on line 2");
    expect_error("ff.yaml", "array:\n  format: e4m3\n  in_format: e5m2\n", 3, "array.in_format",
                 "e5m2 conflicts with array.format: e4m3 on line 2");

    /* Agreeing keys load, and give the same machine in either order. */
    static const char *const ok[][2] = {
        {"array:\n  format: int4\n  in_bits: 4\n  w_bits: 4\n",
         "array:\n  w_bits: 4\n  in_bits: 4\n  format: int4\n"},
        {"array:\n  format: e4m3\n  in_bits: 8\n", "array:\n  in_bits: 8\n  format: e4m3\n"},
        {"array:\n  in_format: int\n  in_bits: 6\n", "array:\n  in_bits: 6\n  in_format: int\n"},
        {"array:\n  w_format: int4\n  in_bits: 6\n", "array:\n  in_bits: 6\n  w_format: int4\n"},
    };
    static const uint32_t want[][2] = {{4, 4}, {8, 8}, {6, 8}, {6, 4}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        for (int j = 0; j < 2; j++) {
            char path[256], err[256] = "";
            hw_cfg_t hw;
            write_file(path, "fok.yaml", ok[i][j]);
            ck_assert_msg(hw_load(path, &hw, err, sizeof err) == 0, "%zu/%d: %s", i, j, err);
            ck_assert_uint_eq(hw.array.in_bits, want[i][0]);
            ck_assert_uint_eq(hw.array.w_bits, want[i][1]);
            hw_free(&hw);
        }
}
END_TEST

START_TEST(yaml_duplicated_key_is_an_error)
{
    /* newuser2 defect 13: the LUT unit's range check said "lut.tile.m" (no
     * such key) and so found no line; it names the key the file gave. */
    expect_error("lt.yaml", "name: x\nlut:\n  tile_m: 100000\n", 3, "lut.tile_m",
                 "100000 is outside 1..64");
    expect_error("lk.yaml", "lut:\n  g: 3\n  tile_k: 8\n", 3, "lut.tile_k",
                 "8 is not a multiple of g = 3");
    expect_error("qd.yaml", "dram:\n  queue_depth: 4294967295\n", 2, "dram.queue_depth",
                 "4294967295 is too large (at most ");
    expect_error("qd2.yaml", "dram:\n  row_hit_cap: 99999999999999999999999\n", 2,
                 "dram.row_hit_cap", "is too large (at most ");
    /* At any depth, in a block's own section too (sim/io/yamlscan.c). */
    expect_error("dupblk.yaml", "dram:\n  preset: HBM2\n  preset: GDDR6\n", 3, "dram.preset",
                 "duplicated key (first on line 2)");
    expect_error("dup.yaml", "array:\n  rows: 4\n  cols: 4\n  rows: 8\n", 4, "array.rows",
                 "duplicated key (first on line 2)");
    expect_error("dupsec.yaml", "array:\n  rows: 4\nname: x\narray:\n  cols: 4\n", 4, "array",
                 "duplicated key");
}
END_TEST

START_TEST(yaml_kib_and_bytes_for_one_buffer_is_an_error)
{
    expect_error("both.yaml", "sram:\n  filter_bytes: 4096\n  ofmap_kib: 4\n  filter_kib: 4\n", 4,
                 "sram.filter_kib", "exactly one");
}
END_TEST

START_TEST(yaml_word_for_number_is_an_error)
{
    expect_error("word.yaml", "array:\n  rows: abc\n", 2, "array.rows", "not a whole number");
}
END_TEST

START_TEST(yaml_fraction_for_number_is_an_error)
{
    expect_error("frac.yaml", "array:\n  rows: 3.5\n", 2, "array.rows", "not a whole number");
    expect_error("exp.yaml", "array:\n  cols: 1e2\n", 2, "array.cols", "not a whole number");
    expect_error("hex.yaml", "array:\n  cols: 0x10\n", 2, "array.cols", "not a whole number");
}
END_TEST

START_TEST(yaml_trailing_junk_after_number_is_an_error)
{
    expect_error("junk.yaml", "sram:\n  ifmap_kib: 512k\n", 2, "sram.ifmap_kib", "not a whole number");
}
END_TEST

START_TEST(yaml_negative_number_is_an_error)
{
    expect_error("neg.yaml", "dram:\n  bytes_per_cycle: -4\n", 2, "dram.bytes_per_cycle", "negative");
}
END_TEST

START_TEST(yaml_quoted_number_is_an_error)
{
    expect_error("quoted.yaml", "array:\n  rows: \"32\"\n", 2, "array.rows", "quoted string");
}
END_TEST

START_TEST(yaml_empty_value_for_number_is_an_error)
{
    expect_error("null.yaml", "array:\n  rows:\n  cols: 4\n", 2, "array.rows", "missing value");
}
END_TEST

START_TEST(yaml_number_too_large_for_its_field_is_an_error)
{
    expect_error("big32.yaml", "array:\n  acc_bits: 4294967296\n", 2, "array.acc_bits", "too large");
    expect_error("big64.yaml", "sram:\n  ofmap_bytes: 18446744073709551616\n", 2, "sram.ofmap_bytes",
                 "too large");
    /* 2^54 KiB does not fit in 64 bits of bytes */
    expect_error("bigkib.yaml", "sram:\n  ofmap_kib: 18014398509481984\n", 2, "sram.ofmap_kib",
                 "too large");
}
END_TEST

START_TEST(yaml_sequence_where_mapping_expected_is_an_error)
{
    expect_error("seq.yaml", "name: a\narray:\n  - rows: 4\n", 2, "array", "got a sequence");
    expect_error("scalar.yaml", "sram: 512\n", 1, "sram", "expected a mapping");
    expect_error("root.yaml", "- rows\n- cols\n", 1, NULL, "mapping");
}
END_TEST

START_TEST(yaml_mapping_where_number_expected_is_an_error)
{
    expect_error("map.yaml", "array:\n  rows: {value: 4}\n", 2, "array.rows", "got a mapping");
    expect_error("list.yaml", "name: [a, b]\n", 1, "name", "got a sequence");
}
END_TEST

START_TEST(yaml_out_of_range_values_are_checked_by_the_models)
{
    /* the example of the error contract, word for word */
    char path[256], err[256] = "", want[300];
    hw_cfg_t hw;
    write_file(path, "hw.yaml", "name: x\narray:\n  cols: 4\n  rows: 0\n");
    ck_assert_int_eq(hw_load(path, &hw, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:4: array.rows: 0 is outside 1..256", path);
    ck_assert_str_eq(err, want);

    expect_error("cols.yaml", "array:\n  cols: 257\n", 2, "array.cols", "outside 1..256");
    expect_error("inbits.yaml", "array:\n  in_bits: 17\n", 2, "array.in_bits", "outside");
    expect_error("wbits.yaml", "array:\n  w_bits: 0\n", 2, "array.w_bits", "outside");
    expect_error("acc.yaml", "array:\n  acc_bits: 1\n", 2, "array.acc_bits", "outside 2..32");
    expect_error("sram0.yaml", "sram:\n  filter_kib: 0\n", 2, "sram.filter_kib", "positive");
    expect_error("sramhuge.yaml", "sram:\n  ifmap_bytes: 68719476737\n", 2, "sram.ifmap_bytes",
                 "larger than");
    expect_error("bw0.yaml", "dram:\n  bytes_per_cycle: 0\n", 2, "dram.bytes_per_cycle", "positive");
    expect_error("bwhuge.yaml", "dram:\n  bytes_per_cycle: 1048577\n", 2, "dram.bytes_per_cycle",
                 "larger than");
}
END_TEST

START_TEST(yaml_unknown_dataflow_is_an_error)
{
    expect_error("df.yaml", "array:\n  dataflow: rs\n", 2, "array.dataflow", "os, ws or is");
    expect_error("dfcase.yaml", "array:\n  dataflow: OS\n", 2, "array.dataflow", "os, ws or is");
}
END_TEST

START_TEST(yaml_bad_names_are_errors)
{
    expect_error("noname.yaml", "name: \"\"\narray:\n  rows: 4\n", 1, "name", "empty");
    expect_error("longname.yaml",
                 "name: 0123456789012345678901234567890123456789012345678901234567890123\n", 1,
                 "name", "longer than 63");
    expect_error("ctrlname.yaml", "name: \"a\\tb\"\n", 1, "name", "printable");
}
END_TEST

START_TEST(yaml_name_of_63_characters_fits)
{
    hw_cfg_t hw;
    load_ok("name63.yaml", "name: 012345678901234567890123456789012345678901234567890123456789012\n",
            &hw);
    ck_assert_uint_eq(strlen(hw.name), 63);
    hw_free(&hw);
}
END_TEST

START_TEST(yaml_second_document_is_an_error)
{
    expect_error("twodoc.yaml", "name: a\n---\nname: b\n", 3, NULL, "more than one");
}
END_TEST

/* "a: " then open, 'x' or nothing, close, each depth times (malloc'd). */
static char *nested(const char *head, const char *open, const char *close, size_t depth)
{
    const size_t h = strlen(head), o = strlen(open), c = strlen(close);
    char *t = malloc(h + depth * (o + c) + 3);
    ck_assert_ptr_nonnull(t);
    char *p = t + h;
    memcpy(t, head, h);
    for (size_t i = 0; i < depth; i++, p += o)
        memcpy(p, open, o);
    *p++ = 'x';
    for (size_t i = 0; i < depth; i++, p += c)
        memcpy(p, close, c);
    strcpy(p, "\n");
    return t;
}

/* libyaml's loader took 24 s on 100,000 levels (quadratic); the pre-scan
 * stops at the 65th, for hardware and technology YAML alike. */
START_TEST(yaml_nested_100000_deep_is_refused_quickly)
{
    char *flow = nested("name: ", "[", "]", 100000), *block = nested("name:\n", "- ", "", 100000);
    const double t0 = util_now_s();
    expect_error("flow.yaml", flow, 1, NULL, "nested deeper than 64 levels");
    expect_error("block.yaml", block, 2, NULL, "nested deeper than 64 levels");
    char err[256];
    tech_t t;
    ck_assert_int_eq(tech_parse(flow, "deep-tech.yaml", &t, err, sizeof err), -1);
    ck_assert_str_eq(err, "deep-tech.yaml:1: nested deeper than 64 levels");
    const double dt = util_now_s() - t0;
    ck_assert_msg(dt < 1.0, "took %.2f s", dt);
    free(flow);
    free(block);
}
END_TEST

/* 64 levels (the top mapping and 63 lists) pass the scan; the loader then
 * says what is wrong with the value. */
START_TEST(yaml_nested_64_deep_passes_the_depth_limit)
{
    char *t = nested("name: ", "[", "]", 63);
    char path[256], err[256] = "";
    hw_cfg_t hw;
    write_file(path, "deep64.yaml", t);
    ck_assert_int_eq(hw_load(path, &hw, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "nested") == NULL && strstr(err, "name") != NULL, "%s", err);
    free(t);
    t = nested("name: ", "[", "]", 64);
    expect_error("deep65.yaml", t, 1, NULL, "nested deeper than 64 levels");
    free(t);
}
END_TEST

/* `--hw /dev/zero` once grew to 2.2 GB: a NUL byte ends the read at once. */
START_TEST(dev_zero_is_refused_at_once)
{
    char err[256] = "";
    hw_cfg_t hw;
    const double t0 = util_now_s();
    ck_assert_int_eq(hw_load("/dev/zero", &hw, err, sizeof err), -1);
    const double dt = util_now_s() - t0;
    ck_assert_str_eq(err, "/dev/zero: contains a NUL byte, not a text file");
    ck_assert_msg(dt < 1.0, "took %.2f s", dt);
}
END_TEST

/* Writes 2 MiB of comments into the FIFO at path, then exits. */
static pid_t fifo_writer(const char *path)
{
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *f = fopen(path, "w");
        for (int i = 0; f && i < (2 << 20) / 8; i++)
            if (fputs("# 3456\n", f) < 0) /* the reader closed early */
                break;
        _exit(0);
    }
    return pid;
}

/* Every input is read whole: past CODESIM_MAX_INPUT_MB it is refused,
 * from a regular file before reading and from a pipe as it is read. */
START_TEST(input_larger_than_the_cap_is_refused)
{
    char path[256], fifo[256], err[256] = "", want[400];
    hw_cfg_t hw;
    snprintf(path, sizeof path, "%s/big.yaml", scratch);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < (2 << 20) / 8; i++)
        fputs("# 3456\n", f);
    fputs("name: big\n", f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(setenv("CODESIM_MAX_INPUT_MB", "1", 1), 0);
    ck_assert_int_eq(hw_load(path, &hw, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: larger than 1 MiB (CODESIM_MAX_INPUT_MB)", path);
    ck_assert_str_eq(err, want);

    snprintf(fifo, sizeof fifo, "%s/pipe.yaml", scratch);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    const pid_t pid = fifo_writer(fifo);
    ck_assert_int_eq(hw_load(fifo, &hw, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: larger than 1 MiB (CODESIM_MAX_INPUT_MB)", fifo);
    ck_assert_str_eq(err, want);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);

    ck_assert_int_eq(setenv("CODESIM_MAX_INPUT_MB", "3", 1), 0);
    ck_assert_msg(hw_load(path, &hw, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(hw.name, "big");
    hw_free(&hw);
    ck_assert_int_eq(setenv("CODESIM_MAX_INPUT_MB", "0", 1), 0);
    ck_assert_int_eq(hw_load(path, &hw, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "CODESIM_MAX_INPUT_MB: '0' is not a whole number"));
    unsetenv("CODESIM_MAX_INPUT_MB");
}
END_TEST

START_TEST(failed_load_leaves_defaults_and_no_text)
{
    char path[256], err[256];
    hw_cfg_t hw, def;
    write_file(path, "half.yaml", "array:\n  rows: 64\n  cols: oops\n");
    ck_assert_int_eq(hw_load(path, &hw, err, sizeof err), -1);
    hw_defaults(&def);
    assert_same_hw(&hw, &def);
    ck_assert_ptr_null(hw.text);
}
END_TEST

/* ---- validation, canonical text and hash ------------------------------------------- */

START_TEST(validate_names_the_dotted_key_and_file)
{
    char err[256];
    hw_cfg_t hw;
    hw_defaults(&hw);
    hw.sram.ofmap_bytes = 0;
    ck_assert_int_eq(hw_validate(&hw, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "sram.ofmap_bytes: must be positive");
    ck_assert_int_eq(hw_validate(&hw, "x.yaml", err, sizeof err), -1);
    ck_assert_str_eq(err, "x.yaml: sram.ofmap_bytes: must be positive");
    hw_defaults(&hw);
    hw.array.dataflow = (systolic_dataflow_t)7;
    ck_assert_int_eq(hw_validate(&hw, "x.yaml", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "x.yaml: array.dataflow: ") == err, "%s", err);
    hw_defaults(&hw);
    hw.name[0] = '\0';
    ck_assert_int_eq(hw_validate(&hw, "x.yaml", err, sizeof err), -1);
    ck_assert_str_eq(err, "x.yaml: name: must not be empty");
}
END_TEST

START_TEST(canonical_lists_every_field_in_bytes_in_fixed_order)
{
    hw_cfg_t hw;
    hw_defaults(&hw);
    char *c = hw_canonical(&hw);
    ck_assert_ptr_nonnull(c);
    static const char head[] = "name: \"default-32x32\"\n"
                               "array:\n"
                               "  rows: 32\n"
                               "  cols: 32\n"
                               "  dataflow: os\n"
                               "  in_bits: 8\n"
                               "  w_bits: 8\n"
                               "  acc_bits: 32\n"
                               "sram:\n"
                               "  ifmap_bytes: 524288\n"
                               "  filter_bytes: 524288\n"
                               "  ofmap_bytes: 262144\n"
                               "dram:\n"
                               "  bytes_per_cycle: 32\n"
                               "  preset: HBM2\n";
    ck_assert_msg(strncmp(c, head, strlen(head)) == 0, "%s", c);
    /* the device's fields, the NPU; no PIM or LUT section by default */
    ck_assert_ptr_nonnull(strstr(c, "  tRCD: "));
    ck_assert_ptr_nonnull(strstr(c, "  mapping: RoBaCoBgCh\n"));
    ck_assert_ptr_nonnull(strstr(c, "npu:\n  cores: 1\n  freq_mhz: 1000\n"));
    ck_assert_ptr_null(strstr(c, "pim:"));
    ck_assert_ptr_null(strstr(c, "lut:"));
    free(c);
}
END_TEST

START_TEST(canonical_text_loads_back_to_the_same_config)
{
    hw_cfg_t a, b;
    char path[256], err[256] = "";
    load_ok("a.yaml", FULL_YAML, &a);
    /* a name YAML would misread unquoted, with a quote and a backslash */
    snprintf(a.name, sizeof a.name, "%s", "yes: #\"odd\\name\"");
    char *c = hw_canonical(&a);
    ck_assert_ptr_nonnull(c);
    write_file(path, "canonical.yaml", c);
    ck_assert_msg(hw_load(path, &b, err, sizeof err) == 0, "%s\n%s", err, c);
    assert_same_hw(&a, &b);
    char *c2 = hw_canonical(&b);
    ck_assert_str_eq(c, c2);
    free(c);
    free(c2);
    hw_free(&a);
    hw_free(&b);
}
END_TEST

START_TEST(hash_is_16_hex_digits_of_fnv1a_over_canonical_text)
{
    hw_cfg_t hw;
    char h[17];
    hw_defaults(&hw);
    hw_hash(&hw, h);
    ck_assert_uint_eq(strlen(h), 16);
    ck_assert_uint_eq(strspn(h, "0123456789abcdef"), 16);
    /* FNV-1a 64 reference, computed here byte by byte */
    char *c = hw_canonical(&hw);
    unsigned long long x = 14695981039346656037ull;
    for (const char *p = c; *p; p++)
        x = (x ^ (unsigned char)*p) * 1099511628211ull;
    char want[17];
    snprintf(want, sizeof want, "%016llx", x);
    ck_assert_str_eq(h, want);
    free(c);
}
END_TEST

START_TEST(hash_is_stable_and_follows_meaning_not_spelling)
{
    hw_cfg_t a, b;
    char ha[17], hb[17];
    load_ok("kib.yaml", "sram:\n  ifmap_kib: 2\n", &a);
    load_ok("bytes.yaml", "# same buffer, other spelling\nsram: {ifmap_bytes: 2048}\n", &b);
    hw_hash(&a, ha);
    hw_hash(&b, hb);
    ck_assert_str_eq(ha, hb);
    hw_hash(&a, hb);
    ck_assert_str_eq(ha, hb);
    hw_free(&a);
    hw_free(&b);
}
END_TEST

START_TEST(hash_differs_for_different_configs)
{
    hw_cfg_t a, b;
    char ha[17], hb[17];
    hw_defaults(&a);
    hw_hash(&a, ha);
    const size_t fields = 11;
    for (size_t i = 0; i < fields; i++) {
        hw_defaults(&b);
        switch (i) {
        case 0: b.name[0] = 'D'; break;
        case 1: b.array.rows = 31; break;
        case 2: b.array.cols = 31; break;
        case 3: b.array.dataflow = SYSTOLIC_WS; break;
        case 4: b.array.in_bits = 7; break;
        case 5: b.array.w_bits = 7; break;
        case 6: b.array.acc_bits = 31; break;
        case 7: b.sram.ifmap_bytes++; break;
        case 8: b.sram.filter_bytes++; break;
        case 9: b.sram.ofmap_bytes++; break;
        case 10: b.dma.bytes_per_cycle = 31; break;
        }
        hw_hash(&b, hb);
        ck_assert_msg(strcmp(ha, hb) != 0, "field %zu does not change the hash", i);
    }
}
END_TEST

/* ---- SCALE-Sim .cfg -------------------------------------------------------------- */

START_TEST(scalesim_cfg_maps_to_codesim_fields)
{
    hw_cfg_t hw;
    load_ok("tpu.cfg",
            "[general]\n"
            "run_name = GoogleTPU_v1_ws\n"
            "\n"
            "[architecture_presets]\n"
            "ArrayHeight:    256\n"
            "ArrayWidth:     128\n"
            "IfmapSramSzkB:    6144\n"
            "FilterSramSzkB:   4096\n"
            "OfmapSramSzkB:    2048\n"
            "IfmapOffset:    0\n"
            "FilterOffset:   10000000\n"
            "OfmapOffset:    20000000\n"
            "Dataflow : ws\n"
            "Bandwidth : 10\n"
            "MemoryBanks: 1\n"
            "\n"
            "[run_presets]\n"
            "InterfaceBandwidth: CALC\n",
            &hw);
    ck_assert_str_eq(hw.name, "GoogleTPU_v1_ws");
    ck_assert_uint_eq(hw.array.rows, 256);
    ck_assert_uint_eq(hw.array.cols, 128);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_WS);
    ck_assert_uint_eq(hw.sram.ifmap_bytes, 6144 * 1024);
    ck_assert_uint_eq(hw.sram.filter_bytes, 4096 * 1024);
    ck_assert_uint_eq(hw.sram.ofmap_bytes, 2048 * 1024);
    ck_assert_uint_eq(hw.dma.bytes_per_cycle, 10); /* 10 one-byte words */
    ck_assert_uint_eq(hw.array.in_bits, 8);        /* not in a .cfg: defaults */
    ck_assert_uint_eq(hw.array.w_bits, 8);
    ck_assert_uint_eq(hw.array.acc_bits, 32);
    /* a .cfg asks for SCALE-Sim's numbers, here with its CALC bandwidth */
    ck_assert_int_eq(hw.accounting, HW_ACCT_SCALESIM_CALC);
    hw_free(&hw);
}
END_TEST

START_TEST(accounting_key_is_read_written_and_switchable)
{
    hw_cfg_t hw;
    char err[256] = "";
    load_ok("user.cfg", "[general]\nrun_name = u\n[architecture_presets]\nArrayHeight: 8\n", &hw);
    ck_assert_int_eq(hw.accounting, HW_ACCT_SCALESIM); /* USER unless the file says CALC */
    char *text = hw_canonical(&hw);
    ck_assert_ptr_nonnull(strstr(text, "  accounting: scalesim\n"));
    free(text);
    ck_assert_int_eq(hw_set(&hw, "array.accounting", "rtl", err, sizeof err), 0);
    ck_assert_int_eq(hw.accounting, HW_ACCT_RTL);
    text = hw_canonical(&hw);
    ck_assert_ptr_null(strstr(text, "accounting")); /* the default is not written */
    free(text);
    ck_assert_int_ne(hw_set(&hw, "array.accounting", "scale", err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "array.accounting"));
    hw_free(&hw);
    load_ok("acct.yaml", "array:\n  rows: 8\n  accounting: scalesim-calc\n", &hw);
    ck_assert_int_eq(hw.accounting, HW_ACCT_SCALESIM_CALC);
    hw_free(&hw);
    hw_defaults(&hw);
    ck_assert_int_eq(hw.accounting, HW_ACCT_RTL);
}
END_TEST

/* array.os_drain: read, written only when not the default, swept, and a
 * bad value named with its line. */
START_TEST(os_drain_key_is_read_written_and_checked)
{
    hw_cfg_t hw;
    char err[256] = "";
    load_ok("osd.yaml", "array:\n  rows: 8\n  os_drain: overlap\n", &hw);
    ck_assert_int_eq(hw.array.os_drain, SYSTOLIC_DRAIN_OVERLAP);
    char *text = hw_canonical(&hw);
    ck_assert_ptr_nonnull(strstr(text, "  os_drain: overlap\n"));
    free(text);
    ck_assert_int_eq(hw_set(&hw, "array.os_drain", "serial", err, sizeof err), 0);
    ck_assert_int_eq(hw.array.os_drain, SYSTOLIC_DRAIN_SERIAL);
    text = hw_canonical(&hw);
    ck_assert_ptr_null(strstr(text, "os_drain")); /* the default is not written */
    free(text);
    hw_free(&hw);
    expect_error("osd_bad.yaml", "array:\n  rows: 8\n  os_drain: sometimes\n", 3, "array.os_drain",
                 "sometimes");
    /* With the compressed PE: both kept and written. */
    load_ok("osd_cmp.yaml", "array:\n  rows: 8\n  os_drain: overlap\n  compressed: true\n", &hw);
    ck_assert_int_eq(hw.array.os_drain, SYSTOLIC_DRAIN_OVERLAP);
    ck_assert_int_eq(hw.array.compressed, 1);
    text = hw_canonical(&hw);
    ck_assert_ptr_nonnull(strstr(text, "  os_drain: overlap\n"));
    ck_assert_ptr_nonnull(strstr(text, "  compressed: true\n"));
    free(text);
    hw_free(&hw);
}
END_TEST

/* array.ws_out_reg: read, written only when false, refused with compressed
 * PEs; the timing rule in te_cost.c's level terms: for the MAC PE the
 * unregistered path (multiply + add) is the PE loop without its select
 * levels, 8x8 acc 32: te_mul_levels(8, 8) = 29, + 2 + 2 x 16 = 63 against
 * the loop's 65 (multi-dataflow, select 2). */
START_TEST(ws_out_reg_key_is_read_written_and_timed)
{
    hw_cfg_t hw;
    char err[256] = "";
    load_ok("wor.yaml", "array:\n  rows: 8\n  dataflow: ws\n  ws_out_reg: false\n", &hw);
    ck_assert_int_eq(hw.array.ws_out_unreg, 1);
    char *text = hw_canonical(&hw);
    ck_assert_ptr_nonnull(strstr(text, "  ws_out_reg: false\n"));
    free(text);
    ck_assert_uint_eq(te_ws_out_levels(&hw.array), 63);
    te_levels_t lv;
    te_array_pe_levels(&hw.array, 0, 0, &lv);
    ck_assert_uint_eq(lv.path, 65);
    ck_assert_int_eq(hw_set(&hw, "array.ws_out_reg", "true", err, sizeof err), 0);
    ck_assert_int_eq(hw.array.ws_out_unreg, 0);
    text = hw_canonical(&hw);
    ck_assert_ptr_null(strstr(text, "ws_out_reg")); /* the default is not written */
    free(text);
    hw_free(&hw);
    expect_error("wor_cmp.yaml", "array:\n  rows: 8\n  compressed: true\n  ws_out_reg: false\n", 0,
                 NULL, "ws_out_reg");
}
END_TEST

START_TEST(shipped_scalesim_example_is_a_32x32_ws_array)
{
    char path[256], err[256] = "";
    hw_cfg_t hw;
    src_path(path, "configs/scalesim_example.cfg");
    ck_assert_msg(hw_load(path, &hw, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(hw.array.rows, 32);
    ck_assert_uint_eq(hw.array.cols, 32);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_WS);
    hw_free(&hw);
}
END_TEST

START_TEST(scalesim_v3_sections_are_accepted)
{
    /* the shape of SCALE-Sim 3's configs/google.cfg */
    hw_cfg_t hw;
    load_ok("v3.cfg",
            "[general]\nrun_name = v3\n\n"
            "[architecture_presets]\nArrayHeight: 16\nArrayWidth: 16\nIfmapSramSzkB: 64\n"
            "FilterSramSzkB: 64\nOfmapSramSzkB: 32\nIfmapOffset: 0\nFilterOffset: 10000000\n"
            "OfmapOffset: 20000000\nDataflow : is\nBandwidth : 8\nReadRequestBuffer: 128\n"
            "WriteRequestBuffer: 128\n\n"
            "[layout]\nIfmapCustomLayout: False\nIfmapSRAMBankBandwidth: 10\nIfmapSRAMBankNum: 10\n"
            "IfmapSRAMBankPort: 2\nFilterCustomLayout: False\nFilterSRAMBankBandwidth: 10\n"
            "FilterSRAMBankNum: 10\nFilterSRAMBankPort: 2\n\n"
            "[sparsity]\nSparsitySupport : false\nSparseRep : ellpack_block\n"
            "OptimizedMapping : false\nBlockSize : 8\nRandomNumberGeneratorSeed : 40\n\n"
            "[run_presets]\nInterfaceBandwidth: USER\nUseRamulatorTrace: False\n",
            &hw);
    ck_assert_uint_eq(hw.array.rows, 16);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_IS);
    ck_assert_uint_eq(hw.dma.bytes_per_cycle, 8);
    hw_free(&hw);
}
END_TEST

START_TEST(scalesim_keys_are_case_insensitive_and_comments_skipped)
{
    hw_cfg_t hw;
    load_ok("case.cfg",
            "; SCALE-Sim style comment\n"
            "# another\n"
            "[architecture_presets]\n"
            "  arrayheight=12\n"
            "ARRAYWIDTH :   10\n"
            "dataFLOW=os\n"
            "bandwidth: 3\r\n",
            &hw);
    ck_assert_uint_eq(hw.array.rows, 12);
    ck_assert_uint_eq(hw.array.cols, 10);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_OS);
    ck_assert_uint_eq(hw.dma.bytes_per_cycle, 3);
    ck_assert_str_eq(hw.name, "default-32x32"); /* no [general]: default name */
    hw_free(&hw);
}
END_TEST

START_TEST(scalesim_bad_inputs_name_section_and_key)
{
    expect_error("range.cfg", "[general]\nrun_name = r\n[architecture_presets]\nArrayHeight: 0\n", 4,
                 "architecture_presets.ArrayHeight", "outside 1..256");
    expect_error("unknown.cfg", "[architecture_presets]\nArrayDepth: 4\n", 2,
                 "architecture_presets.ArrayDepth", "unknown key");
    expect_error("wrongsec.cfg", "[general]\nArrayHeight: 4\n", 2, "general.ArrayHeight",
                 "unknown key");
    expect_error("section.cfg", "[general]\nrun_name = r\n\n[hardware]\n", 4, NULL,
                 "unknown section");
    expect_error("nosec.cfg", "ArrayHeight: 4\n", 1, "ArrayHeight", "before the first [section]");
    expect_error("dupkey.cfg", "[architecture_presets]\nArrayHeight: 4\narrayheight = 8\n", 3,
                 "architecture_presets.arrayheight", "duplicated key (first on line 2)");
    expect_error("dupsec.cfg", "[general]\nrun_name = a\n[general]\n", 3, "general",
                 "duplicated section");
    expect_error("word.cfg", "[architecture_presets]\nIfmapSramSzkB: lots\n", 2,
                 "architecture_presets.IfmapSramSzkB", "not a whole number");
    expect_error("frac.cfg", "[architecture_presets]\nArrayWidth: 2.5\n", 2,
                 "architecture_presets.ArrayWidth", "not a whole number");
    expect_error("neg.cfg", "[architecture_presets]\nBandwidth: -1\n", 2,
                 "architecture_presets.Bandwidth", "negative");
    expect_error("bw0.cfg", "[architecture_presets]\nBandwidth: 0\n", 2,
                 "architecture_presets.Bandwidth", "positive");
    expect_error("bwlist.cfg", "[architecture_presets]\nBandwidth: 10,10,10\n", 2,
                 "architecture_presets.Bandwidth", "one DRAM channel");
    expect_error("df.cfg", "[architecture_presets]\nDataflow: rs\n", 2,
                 "architecture_presets.Dataflow", "os, ws or is");
    expect_error("mode.cfg", "[run_presets]\nInterfaceBandwidth: AUTO\n", 2,
                 "run_presets.InterfaceBandwidth", "CALC or USER");
    expect_error("sparse.cfg", "[sparsity]\nSparsitySupport: true\n", 2, "sparsity.SparsitySupport",
                 "not supported");
    expect_error("noeq.cfg", "[general]\nrun_name\n", 2, NULL, "key = value");
    expect_error("header.cfg", "[general\nrun_name = x\n", 1, NULL, "section header");
    expect_error("longname.cfg",
                 "[general]\nrun_name = 0123456789012345678901234567890123456789012345678901234567890123\n",
                 2, "general.run_name", "longer than 63");
    expect_error("emptyname.cfg", "[general]\nrun_name =\n", 2, "general.run_name", "empty");
}
END_TEST

START_TEST(scalesim_inline_comment_is_part_of_the_value_as_in_configparser)
{
    expect_error("inline.cfg", "[architecture_presets]\nDataflow: ws ; weight stationary\n", 2,
                 "architecture_presets.Dataflow", "os, ws or is");
}
END_TEST

/* An empty .cfg once ran the built-in default under the file's name. */
START_TEST(scalesim_cfg_without_keys_is_refused)
{
    expect_error("empty.cfg", "", 0, NULL, "no key = value line");
    expect_error("bare.cfg", "# a comment\n[general]\n\n[architecture_presets]\n", 0, NULL,
                 "no key = value line");
}
END_TEST

START_TEST(scalesim_missing_file_gives_cannot_open)
{
    char err[256] = "";
    hw_cfg_t hw;
    ck_assert_int_eq(hw_load("/nonexistent/x.cfg", &hw, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/x.cfg: cannot open: No such file or directory");
}
END_TEST

/* hw_set: each dotted key reaches its field, units as in a file (KiB x
 * 1024 written out by hand), errors name the key, ranges left to validate. */
static const char BLOCKS_YAML[] = "dram:\n"
                                  "  tRCD: 30\n"         /* before the preset, still kept */
                                  "  preset: HBM3\n"
                                  "  queue_depth: 16\n"
                                  "  page_policy: close\n"
                                  "npu:\n"
                                  "  cores: 4\n"
                                  "  vector_lanes: 128\n"
                                  "pim:\n"
                                  "  lanes: 32\n"
                                  "  precision: int8\n"
                                  "lut:\n"
                                  "  tile_m: 16\n"
                                  "  sym_table: false\n"
                                  "  table_entries: 4096\n";

START_TEST(block_sections_set_their_blocks_and_round_trip)
{
    hw_cfg_t hw, back, want;
    char path[256], err[256] = "";
    load_ok("blocks.yaml", BLOCKS_YAML, &hw);
    hw_defaults(&want);
    ck_assert_int_eq(dram_ctrl_cfg_set(&want.dram, "preset", "HBM3", err, sizeof err), 0);
    ck_assert_str_eq(hw.dram.dev.preset, "HBM3");
    ck_assert_uint_eq(hw.dram.dev.tRCD, 30);
    ck_assert_uint_eq(hw.dram.dev.channels, want.dram.dev.channels);
    ck_assert_uint_eq(hw.dram.queue_depth, 16);
    ck_assert_int_eq(hw.dram.page, DRAM_CLOSE_PAGE);
    ck_assert_uint_eq(hw.npu.cores, 4);
    ck_assert_uint_eq(hw.npu.vector.lanes, 128);
    ck_assert_int_eq(hw.has_pim, 1);
    ck_assert_uint_eq(hw.pim.lanes, 32);
    ck_assert_int_eq(hw.pim.prec, PIM_INT8);
    ck_assert_int_eq(hw.has_lut, 1);
    ck_assert_uint_eq(hw.lut.tm, 16);
    ck_assert_int_eq(hw.lut.sym_table, 0);
    char *c = hw_canonical(&hw);
    write_file(path, "blocks-canonical.yaml", c);
    ck_assert_msg(hw_load(path, &back, err, sizeof err) == 0, "%s\n%s", err, c);
    assert_same_hw(&hw, &back);
    char h1[17], h2[17];
    hw_hash(&hw, h1);
    hw_hash(&back, h2);
    ck_assert_str_eq(h1, h2);
    free(c);
    hw_free(&hw);
    hw_free(&back);
}
END_TEST

/* Range errors, which the blocks' checks find after the whole file is read,
 * carry the line of the key too (they had none: new-user defect 13), also
 * for a key that overrides a DRAM preset's value. */
START_TEST(block_section_errors_name_the_dotted_key)
{
    expect_error("p1.yaml", "pim:\n  lanez: 4\n", 2, "pim.lanez", "unknown key");
    expect_error("p2.yaml", "pim:\n  lanes: 0\n", 2, "pim.lanes", "outside");
    expect_error("p3.yaml", "npu:\n  cores: many\n", 2, "npu.cores", "whole number");
    expect_error("p4.yaml", "npu:\n  cores: 0\n", 2, "npu.cores", "outside");
    expect_error("p5.yaml", "dram:\n  preset: DDR9\n", 2, "dram.preset", "DDR9");
    expect_error("p6.yaml", "dram:\n  tRC: 1\n", 2, "dram.tRC", "tRAS");
    expect_error("p7.yaml", "lut:\n  sym_table: maybe\n", 2, "lut.sym_table", "true or false");
    expect_error("p8.yaml", "lut:\n  g: 9\n", 2, "lut.g", "");
    expect_error("p9.yaml", "pim:\n  lanes: [4]\n", 2, "pim.lanes", "single value");
    expect_error("q1.yaml", "name: h4\nnpu:\n  cores: 100000000\n", 3, "npu.cores",
                 "outside 1..64");
    expect_error("q2.yaml", "name: h4\nnpu:\n  cores: 2\n  freq_mhz: 0\n", 4, "npu.freq_mhz",
                 "outside");
    expect_error("q3.yaml", "dram:\n  preset: HBM2\n  channels: 0\n", 3, "dram.channels",
                 "outside");
    expect_error("q4.yaml", "dram:\n  preset: HBM2\n\n  queue_depth: 0\n", 4,
                 "dram.queue_depth", "outside");
    expect_error("q5.yaml", "dram:\n  preset: HBM2\n  tRCD: 0\n", 3, "dram.tRCD", "outside");
    expect_error("q6.yaml", "lut:\n  tile_n: 128\n  g: 0\n", 3, "lut.g", "");
}
END_TEST

/* A key of any length in any block section is an unknown key with a
 * one-line error naming it, from the file and from hw_set: a key of 254
 * characters once had the setter's message cut right after its colon and
 * the reason read past the buffer (fuzz_hw_yaml, stack-buffer-overflow). */
START_TEST(block_keys_of_any_length_are_unknown_keys)
{
    static const char *const sections[] = {"pim", "array", "sram", "npu", "dram", "gpu", "lut",
                                           "link", "addertree", "cube", "matrix2d"};
    char name[400], text[512], path[256], err[256], key[450];
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
        for (size_t n = 1; n < sizeof name; n += n < 230 ? 23 : 1) {
            memset(name, 'q', n);
            name[n] = '\0';
            snprintf(text, sizeof text, "%s:\n  %s: 0\n", sections[s], name);
            write_file(path, "longkey.yaml", text);
            hw_cfg_t hw;
            ck_assert_int_eq(hw_load(path, &hw, err, sizeof err), -1);
            ck_assert_msg(strstr(err, "unknown key") && !strchr(err, '\n'),
                          "%s, key of %zu: %s", sections[s], n, err);
            hw_free(&hw);
        }
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
        for (size_t n = 1; n < sizeof name; n += n < 230 ? 23 : 1) {
            memset(name, 'q', n);
            name[n] = '\0';
            hw_cfg_t hw;
            hw_defaults(&hw);
            snprintf(key, sizeof key, "%s.%s", sections[s], name);
            ck_assert_int_eq(hw_set(&hw, key, "0", err, sizeof err), -1);
            ck_assert_msg(strstr(err, "unknown key") != NULL, "hw_set %s, key of %zu: %s",
                          sections[s], n, err);
            hw_free(&hw);
        }
}
END_TEST

START_TEST(hw_set_reaches_block_sections)
{
    hw_cfg_t hw;
    char err[256];
    hw_defaults(&hw);
    ck_assert_int_eq(hw_set(&hw, "npu.cores", "8", err, sizeof err), 0);
    ck_assert_uint_eq(hw.npu.cores, 8);
    ck_assert_int_eq(hw.has_pim, 0);
    ck_assert_int_eq(hw_set(&hw, "pim.lanes", "16", err, sizeof err), 0);
    ck_assert_int_eq(hw.has_pim, 1);
    ck_assert_int_eq(hw_set(&hw, "pim.enabled", "false", err, sizeof err), 0);
    ck_assert_int_eq(hw.has_pim, 0);
    ck_assert_int_eq(hw_set(&hw, "dram.preset", "GDDR6", err, sizeof err), 0);
    ck_assert_str_eq(hw.dram.dev.preset, "GDDR6");
    ck_assert_int_eq(hw_set(&hw, "lut.tile_q", "3", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "lut.tile_q") != NULL, "%s", err);
}
END_TEST

START_TEST(hw_set_sets_fields_by_dotted_key)
{
    hw_cfg_t hw;
    char err[256];
    hw_defaults(&hw);
    ck_assert_int_eq(hw_set(&hw, "array.rows", "12", err, sizeof err), 0);
    ck_assert_int_eq(hw_set(&hw, "array.cols", "5", err, sizeof err), 0);
    ck_assert_int_eq(hw_set(&hw, "array.dataflow", "is", err, sizeof err), 0);
    ck_assert_int_eq(hw_set(&hw, "array.acc_bits", "20", err, sizeof err), 0);
    ck_assert_int_eq(hw_set(&hw, "sram.ifmap_kib", "3", err, sizeof err), 0);
    ck_assert_int_eq(hw_set(&hw, "sram.ofmap_bytes", "5000", err, sizeof err), 0);
    ck_assert_int_eq(hw_set(&hw, "dram.bytes_per_cycle", "7", err, sizeof err), 0);
    ck_assert_int_eq(hw_set(&hw, "name", "x", err, sizeof err), 0);
    ck_assert_uint_eq(hw.array.rows, 12);
    ck_assert_uint_eq(hw.array.cols, 5);
    ck_assert_int_eq(hw.array.dataflow, SYSTOLIC_IS);
    ck_assert_uint_eq(hw.array.acc_bits, 20);
    ck_assert_uint_eq(hw.sram.ifmap_bytes, 3072);
    ck_assert_uint_eq(hw.sram.ofmap_bytes, 5000);
    ck_assert_uint_eq(hw.dma.bytes_per_cycle, 7);
    ck_assert_str_eq(hw.name, "x");
    ck_assert_uint_eq(hw.sram.filter_bytes, 512 * 1024); /* untouched */
    ck_assert_int_eq(hw_set(&hw, "array.rowz", "1", err, sizeof err), -1);
    ck_assert_str_eq(err, "array.rowz: unknown key");
    ck_assert_int_eq(hw_set(&hw, "rows", "1", err, sizeof err), -1);
    ck_assert_str_eq(err, "rows: unknown key");
    ck_assert_int_eq(hw_set(&hw, "array.rows", "-3", err, sizeof err), -1);
    ck_assert_str_eq(err, "array.rows: -3 is negative");
    ck_assert_int_eq(hw_set(&hw, "array.dataflow", "xs", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "array.dataflow: 'xs' is not a dataflow"));
    ck_assert_uint_eq(hw.array.rows, 12);
    /* Ranges are hw_validate()'s. */
    ck_assert_int_eq(hw_set(&hw, "array.rows", "0", err, sizeof err), 0);
    ck_assert_int_eq(hw_validate(&hw, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "array.rows: 0 is outside"));
}
END_TEST

/* Issue 14, escaping (sim/io/escape.h) against hand-written expectations:
 * control bytes and bytes outside well-formed UTF-8 (RFC 3629: overlong,
 * surrogate, above U+10FFFF, stray continuation, cut sequence) as \xNN, valid
 * UTF-8 kept; CSV per RFC 4180; Markdown pipes and markup; and io_fail, which
 * every parser's error goes through, shows input bytes escaped. */
static void file_text(FILE *f, char *buf, size_t n)
{
    rewind(f);
    const size_t got = fread(buf, 1, n - 1, f);
    buf[got] = 0;
    fclose(f);
}

START_TEST(untrusted_text_is_escaped_for_terminal_csv_markdown_and_errors)
{
    static const struct {
        const char *in, *term;
    } t[] = {
        {"plain", "plain"},
        {"a\x1b[31mb", "a\\x1b[31mb"},
        {"tab\there\nnl\x7f", "tab\\x09here\\x0anl\\x7f"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"\xff\xfe", "\\xff\\xfe"},
        {"\xc0\x80", "\\xc0\\x80"},                 /* overlong NUL */
        {"\xed\xa0\x80", "\\xed\\xa0\\x80"},        /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, /* above U+10FFFF */
        {"\x80x", "\\x80x"},                        /* stray continuation */
        {"\xe2\x82", "\\xe2\\x82"},                 /* cut sequence */
    };
    char buf[128];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        ck_assert_str_eq(esc_text(buf, sizeof buf, t[i].in), t[i].term);
    /* Cut at whole pieces: never half an escape. */
    ck_assert_str_eq(esc_text(buf, 7, "ab\x1b\x1b"), "ab\\x1b");

    char text[256];
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    esc_csv(f, "plain");
    fputc(';', f);
    esc_csv(f, "a,b");
    fputc(';', f);
    esc_csv(f, "say \"hi\"");
    fputc(';', f);
    esc_csv(f, "two\nlines");
    file_text(f, text, sizeof text);
    ck_assert_str_eq(text, "plain;\"a,b\";\"say \"\"hi\"\"\";\"two\nlines\"");

    f = tmpfile();
    ck_assert_ptr_nonnull(f);
    esc_md(f, "a|b <i>&\x1b\n");
    file_text(f, text, sizeof text);
    ck_assert_str_eq(text, "a\\|b &lt;i&gt;&amp;\\x1b\\x0a");

    f = tmpfile();
    ck_assert_ptr_nonnull(f);
    esc_html(f, "<b a=\"1\">&\x01");
    file_text(f, text, sizeof text);
    ck_assert_str_eq(text, "&lt;b a=&quot;1&quot;&gt;&amp;&#xfffd;");

    char err[256];
    ck_assert_int_eq(io_fail(err, sizeof err, "w\xff.csv", 3, "name", "'%s' is odd", "\x1b]0;x"),
                     -1);
    ck_assert_str_eq(err, "w\\xff.csv:3: name: '\\x1b]0;x' is odd");
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("yaml");
    tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
    tcase_add_test(tc, defaults_are_the_documented_32x32_os_array);
    tcase_add_test(tc, untrusted_text_is_escaped_for_terminal_csv_markdown_and_errors);
    tcase_add_test(tc, hw_set_sets_fields_by_dotted_key);
    tcase_add_test(tc, block_sections_set_their_blocks_and_round_trip);
    tcase_add_test(tc, block_section_errors_name_the_dotted_key);
    tcase_add_test(tc, block_keys_of_any_length_are_unknown_keys);
    tcase_add_test(tc, hw_set_reaches_block_sections);
    tcase_add_test(tc, shipped_default_yaml_equals_the_defaults);
    tcase_add_test(tc, full_yaml_sets_every_field);
    tcase_add_test(tc, partial_yaml_keeps_defaults_for_keys_left_out);
    tcase_add_test(tc, yaml_flow_style_and_comments_are_plain_yaml);
    tcase_add_test(tc, text_holds_the_file_exactly_as_read);
    tcase_add_test(tc, missing_file_gives_cannot_open_and_strerror);
    tcase_add_test(tc, directory_instead_of_file_is_unreadable);
    tcase_add_test(tc, empty_yaml_file_is_an_error);
    tcase_add_test(tc, yaml_syntax_error_gives_its_line);
    tcase_add_test(tc, yaml_unknown_key_is_an_error);
    tcase_add_test(tc, yaml_duplicated_key_is_an_error);
    tcase_add_test(tc, yaml_format_and_bits_that_disagree_are_refused);
    tcase_add_test(tc, yaml_kib_and_bytes_for_one_buffer_is_an_error);
    tcase_add_test(tc, yaml_word_for_number_is_an_error);
    tcase_add_test(tc, yaml_fraction_for_number_is_an_error);
    tcase_add_test(tc, yaml_trailing_junk_after_number_is_an_error);
    tcase_add_test(tc, yaml_negative_number_is_an_error);
    tcase_add_test(tc, yaml_quoted_number_is_an_error);
    tcase_add_test(tc, yaml_empty_value_for_number_is_an_error);
    tcase_add_test(tc, yaml_number_too_large_for_its_field_is_an_error);
    tcase_add_test(tc, yaml_sequence_where_mapping_expected_is_an_error);
    tcase_add_test(tc, yaml_mapping_where_number_expected_is_an_error);
    tcase_add_test(tc, yaml_out_of_range_values_are_checked_by_the_models);
    tcase_add_test(tc, yaml_unknown_dataflow_is_an_error);
    tcase_add_test(tc, yaml_bad_names_are_errors);
    tcase_add_test(tc, yaml_name_of_63_characters_fits);
    tcase_add_test(tc, yaml_second_document_is_an_error);
    tcase_add_test(tc, yaml_nested_100000_deep_is_refused_quickly);
    tcase_add_test(tc, yaml_nested_64_deep_passes_the_depth_limit);
    tcase_add_test(tc, dev_zero_is_refused_at_once);
    tcase_add_test(tc, input_larger_than_the_cap_is_refused);
    tcase_add_test(tc, failed_load_leaves_defaults_and_no_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("canonical");
    tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
    tcase_add_test(tc, validate_names_the_dotted_key_and_file);
    tcase_add_test(tc, canonical_lists_every_field_in_bytes_in_fixed_order);
    tcase_add_test(tc, canonical_text_loads_back_to_the_same_config);
    tcase_add_test(tc, hash_is_16_hex_digits_of_fnv1a_over_canonical_text);
    tcase_add_test(tc, hash_is_stable_and_follows_meaning_not_spelling);
    tcase_add_test(tc, hash_differs_for_different_configs);
    suite_add_tcase(s, tc);

    tc = tcase_create("scalesim");
    tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
    tcase_add_test(tc, scalesim_cfg_maps_to_codesim_fields);
    tcase_add_test(tc, shipped_scalesim_example_is_a_32x32_ws_array);
    tcase_add_test(tc, accounting_key_is_read_written_and_switchable);
    tcase_add_test(tc, os_drain_key_is_read_written_and_checked);
    tcase_add_test(tc, ws_out_reg_key_is_read_written_and_timed);
    tcase_add_test(tc, scalesim_v3_sections_are_accepted);
    tcase_add_test(tc, scalesim_keys_are_case_insensitive_and_comments_skipped);
    tcase_add_test(tc, scalesim_bad_inputs_name_section_and_key);
    tcase_add_test(tc, scalesim_inline_comment_is_part_of_the_value_as_in_configparser);
    tcase_add_test(tc, scalesim_missing_file_gives_cannot_open);
    tcase_add_test(tc, scalesim_cfg_without_keys_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

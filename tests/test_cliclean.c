/* test_cliclean.c - command-line defects of the third new-user pass
 * (/work/newuser3/REPORT.md): inputs checked before a tool runs, one-line
 * errors naming the flag, contradicting flags refused.  The binary is run
 * with an argument vector, never through a shell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/cli/cli.h"
#include "../sim/io/serve_file.h"
#include "tests.h"

static char tmpdir[256];

static void setup(void) { test_tmpdir(tmpdir, sizeof tmpdir, "cliclean"); }

static void teardown(void) { test_rmtree(tmpdir); }

/* Runs `codesim ARGS...` (NULL-terminated); out holds stdout and stderr. */
static int run(char *out, size_t outlen, const char *const *args)
{
    return test_codesim_args(tmpdir, out, outlen, args);
}

static void put(const char *name, const char *text)
{
    char p[320];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static int have_yosys(void)
{
    return test_sh("/dev/null", "command -v yosys") == 0;
}

/* New-user defect 4: synth handed --verilog paths to yosys unchecked
 * (/dev/zero grew yosys to 2.5 GB; a missing file said only "yosys failed,
 * see LOG"); yosys' own reason stayed in the log; a module of no cells was
 * a failure; --sizes was ignored beside --top. */
START_TEST(synth_checks_verilog_first_and_lifts_yosys_error)
{
    char out[16384], v[300], wire[300], so[300], db[300], missing[300];
    snprintf(so, sizeof so, "%s/so", tmpdir);
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    snprintf(missing, sizeof missing, "%s/nonexist.v", tmpdir);
    const char *const miss[] = {"synth", "--top", "top", "--verilog", missing, "--out", so,
                                "--db", db, NULL};
    ck_assert_int_eq(run(out, sizeof out, miss), 2);
    char want[700];
    snprintf(want, sizeof want, "codesim synth: --verilog: %s: cannot open: No such file or "
                                "directory\n", missing);
    ck_assert_str_eq(out, want);

    put("tq.v", "module top #(parameter W = 4) (input clk, input [W-1:0] a, b, "
                "output reg [W-1:0] y);\n  always @(posedge clk) y <= a + b;\nendmodule\n");
    snprintf(v, sizeof v, "%s/tq.v", tmpdir);
    const char *const sizes[] = {"synth", "--top", "top", "--verilog", v, "--sizes", "2",
                                 "--out", so, "--db", db, NULL};
    ck_assert_int_eq(run(out, sizeof out, sizes), 2);
    ck_assert_msg(strstr(out, "codesim synth: --sizes ") && !strchr(out, '\n')[1], "%s", out);

    const char *const dir[] = {"synth", "--top", "top", "--verilog", tmpdir, "--out", so,
                               "--db", db, NULL};
    ck_assert_int_eq(run(out, sizeof out, dir), 2);
    snprintf(want, sizeof want, "codesim synth: --verilog: %s: not a regular file\n", tmpdir);
    ck_assert_str_eq(out, want);
    /* /dev/zero last: before the check it hung yosys. */
    const char *const zero[] = {"synth", "--top", "top", "--verilog", "/dev/zero", "--out", so,
                                "--db", db, NULL};
    ck_assert_int_eq(run(out, sizeof out, zero), 2);
    ck_assert_str_eq(out, "codesim synth: --verilog: /dev/zero: not a regular file\n");

    if (!have_yosys())
        return;
    /* yosys' reason, in the message (its wording: yosys' own). */
    const char *const param[] = {"synth", "--top", "top", "--verilog", v, "--param", "NOPE=3",
                                 "--out", so, "--db", db, NULL};
    ck_assert_int_eq(run(out, sizeof out, param), 1);
    ck_assert_msg(strstr(out, "yosys failed on top top: ERROR: ") && strstr(out, "NOPE") &&
                      !strchr(out, '\n')[1], "%s", out);
    const char *const top[] = {"synth", "--top", "nope", "--verilog", v, "--out", so, "--db", db,
                               NULL};
    ck_assert_int_eq(run(out, sizeof out, top), 1);
    ck_assert_msg(strstr(out, "yosys failed on top nope: ERROR: ") && strstr(out, "nope"),
                  "%s", out);
    /* A module of wires alone: no cells, no area. */
    put("wire1.v", "module wire1(input a, output b); assign b = a; endmodule\n");
    snprintf(wire, sizeof wire, "%s/wire1.v", tmpdir);
    const char *const w[] = {"synth", "--top", "wire1", "--verilog", wire, "--out", so, "--db",
                             db, NULL};
    ck_assert_int_eq(run(out, sizeof out, w), 0);
    ck_assert_msg(strstr(out, ": 0 cells, 0 flip-flops, 0.0 um^2"), "%s", out);
}
END_TEST

/* New-user defect 8: the 100,000-values limit of one parameter held for
 * ranges only; a list of 100,001 values was accepted. */
START_TEST(sweep_list_longer_than_the_limit_is_refused_at_its_line)
{
    char path[300], out[16384], db[300];
    snprintf(path, sizeof path, "%s/many.yaml", tmpdir);
    snprintf(db, sizeof db, "%s/m.db", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    /* line 1..4 header, 5 the key, 6.. one value a line */
    fprintf(f, "name: many\npath: fast\nworkloads: [%s/tests/data/tiny.csv]\nparams:\n"
            "  dram.bytes_per_cycle:\n", CODESIM_ROOT);
    const unsigned limit = 100000; /* the limit a range already had (report defect 8) */
    for (unsigned i = 1; i <= limit + 1; i++)
        fprintf(f, "    - %u\n", i);
    ck_assert_int_eq(fclose(f), 0);
    const char *const args[] = {"sweep", path, "--db", db, NULL};
    ck_assert_int_eq(run(out, sizeof out, args), 1); /* a bad sweep file, as the others */
    char want[400];
    snprintf(want, sizeof want, "%s:%u: dram.bytes_per_cycle: the list has more than %u values",
             path, 6 + limit, limit);
    ck_assert_msg(strstr(out, want) && !strchr(out, '\n')[1], "want \"%s\" in:\n%s", want, out);
    ck_assert_int_ne(access(db, F_OK), 0);
    /* Defect 10: a name with a newline was refused without a line, "(at array.rows=...)". */
    put("nb.yaml", "name: \"a\\nb\"\npath: fast\nworkloads: [x.csv]\nparams:\n"
                   "  array.rows: [8]\n");
    snprintf(path, sizeof path, "%s/nb.yaml", tmpdir);
    const char *const nb[] = {"sweep", path, "--db", db, NULL};
    ck_assert_int_eq(run(out, sizeof out, nb), 1);
    snprintf(want, sizeof want, "codesim sweep: %s:1: name: must be printable ASCII (byte 2 is "
                                "0x0a)\n", path);
    ck_assert_str_eq(out, want);
}
END_TEST

/* Runs args, asserts exit 2 and that the whole output is the one line want. */
static void one_line(const char *const *args, const char *want)
{
    char out[16384];
    const int rc = run(out, sizeof out, args);
    ck_assert_msg(rc == 2 && !strcmp(out, want), "%s: exit %d, want \"%s\", got:\n%s", args[0],
                  rc, want, out);
}

/* New-user defects 6, 7 and the leftovers: dram without --trace printed
 * its 30-line usage; rtlcheck reported missing flags as bad values
 * ("--block: '' is not a block", "--rows: 0 is outside 1..256" when --rows
 * was not given), printed a line per oversized dimension, and called a
 * number past 64 bits "not a whole number". */
START_TEST(missing_flags_and_huge_numbers_are_one_line)
{
    one_line((const char *const[]){"dram", NULL},
             "codesim dram: --trace: missing (see codesim dram --help)\n");
    one_line((const char *const[]){"rtlcheck", NULL},
             "codesim rtlcheck: --block: missing (systolic, pim, lut, addertree, cube or "
             "matrix2d; see codesim rtlcheck --help)\n");
    one_line((const char *const[]){"rtlcheck", "--block", "systolic", "--cols", "4", NULL},
             "codesim rtlcheck: --rows: missing (see codesim rtlcheck --help)\n");
    one_line((const char *const[]){"rtlcheck", "--block", "systolic", "--rows", "4", "--cols",
                                   "4", NULL},
             "codesim rtlcheck: --dataflow: missing (os, ws or is)\n");
    one_line((const char *const[]){"rtlcheck", "--block", "systolic", "--m", "99999999", "--n",
                                   "99999999", "--k", "99999999", NULL},
             "codesim rtlcheck: --m: 99999999 is outside 1..4096\n");
    for (int b = 0; b < 2; b++) /* the blocks with their own flag parsers: one line too */
        one_line((const char *const[]){"rtlcheck", "--block", b ? "cube" : "lut", "--m", "99999",
                                       "--n", "99999", "--k", "99999", NULL},
                 "codesim rtlcheck: --m: 99999 is outside 1..4096\n");
    one_line((const char *const[]){"lutcompare", "--m", "0", "--n", "0", NULL},
             "codesim lutcompare: --m: 0 is outside 1..16777216\n");
    /* 2^64: one past UINT64_MAX. */
    one_line((const char *const[]){"rtlcheck", "--seed", "18446744073709551616", NULL},
             "codesim rtlcheck: --seed: '18446744073709551616' is too large (at most "
             "18446744073709551615)\n");
    one_line((const char *const[]){"sweep", "x.yaml", "--shard", "0/18446744073709551616", NULL},
             "codesim sweep: --shard: '18446744073709551616' is too large (at most 1000000)\n");
}
END_TEST

/* New-user defect 9: contradicting or ignored flags were accepted silently. */
START_TEST(contradicting_flags_are_refused_on_one_line)
{
    char y[300], wl[300], v[300];
    snprintf(wl, sizeof wl, "%s/tests/data/tiny.csv", CODESIM_ROOT);
    char text[600];
    snprintf(text, sizeof text, "name: two\npath: fast\nworkloads: [%s]\nparams:\n"
                                "  array.rows: [4, 8]\n", wl);
    put("two.yaml", text);
    snprintf(y, sizeof y, "%s/two.yaml", tmpdir);
    one_line((const char *const[]){"sweep", y, "--slurm", "--shard", "0/2", NULL},
             "codesim sweep: --shard with --slurm: the script gives every shard its own "
             "--shard; give one of them\n");
    one_line((const char *const[]){"sweep", y, "--shards", "2", NULL},
             "codesim sweep: --shards is the shard count of a --slurm script; to run one shard "
             "here give --shard I/N\n");
    /* Two points (2 values x 1 workload): a third shard would be empty. */
    one_line((const char *const[]){"sweep", y, "--slurm", "--shards", "3", NULL},
             "codesim sweep: --shards: 3 is more than the sweep's 2 points\n");
    one_line((const char *const[]){"lutcompare", "--workload", wl, "--k", "64", NULL},
             "codesim lutcompare: --workload gives the layers' shapes; --m/--n/--k are for one "
             "GEMM without it\n");
    snprintf(v, sizeof v, "%s/t.v", tmpdir);
    put("t.v", "module t(input a, output b); assign b = a; endmodule\n");
    one_line((const char *const[]){"synth", "--top", "t", "--verilog", v, "--sizes", "2,4", NULL},
             "codesim synth: --sizes sizes the built-in grid; it does not apply with "
             "--top/--verilog/--compare\n");
}
END_TEST

/* New-user defect 12: db merge printed "N sweep points added" for a good
 * first input, then failed on a bad later one and, OUT being new, removed
 * it: the lines claimed rows that were not stored. */
START_TEST(db_merge_prints_no_counts_for_a_merge_that_stored_nothing)
{
    char out[16384], good[300], bad[300], mo[300], hw[300], wl[300];
    snprintf(good, sizeof good, "%s/good.db", tmpdir);
    snprintf(bad, sizeof bad, "%s/g.db", tmpdir);
    snprintf(mo, sizeof mo, "%s/mo.db", tmpdir);
    snprintf(hw, sizeof hw, "%s/tests/data/tiny.yaml", CODESIM_ROOT);
    snprintf(wl, sizeof wl, "%s/tests/data/tiny.csv", CODESIM_ROOT);
    const char *const r[] = {"run", "--hw", hw, "--workload", wl, "--db", good, NULL};
    ck_assert_msg(run(out, sizeof out, r) == 0, "%s", out);
    put("g.db", "garbage\n");
    const char *const m[] = {"db", "merge", mo, good, bad, NULL};
    ck_assert_int_eq(run(out, sizeof out, m), 1);
    char want[400];
    snprintf(want, sizeof want, "codesim db merge: %s: not a codesim results database", bad);
    ck_assert_msg(strncmp(out, want, strlen(want)) == 0 && !strchr(out, '\n')[1],
                  "want the one line \"%s...\", got:\n%s", want, out);
    ck_assert_int_ne(access(mo, F_OK), 0);
    /* The good input alone: its counts are printed (1 run added). */
    const char *const ok[] = {"db", "merge", mo, good, NULL};
    ck_assert_int_eq(run(out, sizeof out, ok), 0);
    ck_assert_msg(strstr(out, "1 runs added (0 already)"), "%s", out);
}
END_TEST

/* New-user defects 11 and 10 (the BOM): a serve trace row with more fields
 * than its header and a hex TIMESTAMP were accepted; a UTF-8 byte-order
 * mark before the header made TIMESTAMP "missing". */
START_TEST(serve_trace_rows_are_read_strictly)
{
    char path[300], err[512];
    serve_stream_t st;
    snprintf(path, sizeof path, "%s/t.csv", tmpdir);
    put("t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n0,16,4,9\n");
    ck_assert_int_eq(serve_trace_load(path, &st, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.csv:2: 4 fields, the header has 3"), "%s", err);
    put("t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n1e-3,16,4\n0x10,16,4\n");
    ck_assert_int_eq(serve_trace_load(path, &st, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.csv:3: TIMESTAMP: '0x10' is not seconds"), "%s", err);
    put("t.csv", "\xEF\xBB\xBFTIMESTAMP,ContextTokens,GeneratedTokens\n0,16,4\n2.5,8,2\n");
    ck_assert_msg(serve_trace_load(path, &st, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(st.n, 2);
    ck_assert_uint_eq(st.reqs[1].prompt, 8);
    serve_stream_free(&st);
}
END_TEST

/* New-user defect 10: errors named the wrong key or source: map said
 * "heads:" for the file's n_head, lutcompare "k:" for the flag --k, and
 * serve blamed the workload file's rate for a --rates entry (after
 * printing the table header). */
START_TEST(errors_name_the_key_the_user_wrote)
{
    char out[16384], model[300], csv[300], wl[300], db[300], gpt2[300];
    snprintf(model, sizeof model, "%s/h.json", tmpdir);
    snprintf(csv, sizeof csv, "%s/m.csv", tmpdir);
    /* GPT-2's config.json keys with n_head 7, which does not divide n_embd 768. */
    put("h.json", "{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\", "
                  "\"n_ctx\": 1024, \"n_embd\": 768, \"n_head\": 7, \"n_layer\": 12, "
                  "\"n_positions\": 1024, \"vocab_size\": 50257}\n");
    const char *const map[] = {"map", "--model", model, "--out", csv, NULL};
    ck_assert_int_ne(run(out, sizeof out, map), 0);
    ck_assert_msg(strstr(out, "h.json: n_head: 7 does not divide the hidden size 768"), "%s",
                  out);
    one_line((const char *const[]){"lutcompare", "--m", "16777216", "--n", "16777216", "--k",
                                   "16777216", NULL},
             "codesim lutcompare: --k: 16777216 could overflow the 32-bit output\n");
    const char *const area[] = {"area", "--tech", "", NULL};
    ck_assert_int_ne(run(out, sizeof out, area), 0);
    ck_assert_str_eq(out, "codesim area: --tech: empty (a node such as 45nm, or a tech YAML "
                          "file)\n");
    put("w.yaml", "requests: 100\nrate: 1\nprompt_min: 4\nprompt_max: 64\ngen_min: 1\n"
                  "gen_max: 8\n");
    snprintf(wl, sizeof wl, "%s/w.yaml", tmpdir);
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    snprintf(gpt2, sizeof gpt2, "%s/traces/models/gpt2.json", CODESIM_ROOT);
    const char *const serve[] = {"serve", "--model", gpt2, "--workload", wl, "--rates", "1e-7",
                                 "--db", db, NULL};
    ck_assert_int_eq(run(out, sizeof out, serve), 2);
    ck_assert_msg(!strncmp(out, "codesim serve: --rates: at 1e-07 requests per second ", 53) &&
                      !strchr(out, '\n')[1], "%s", out);
}
END_TEST

/* cli_err keeps the format's own line breaks and carriage returns (sweep's
 * progress line redraws itself with '\r' on a terminal; it printed a
 * literal "\x0d") and escapes those inside an argument (a file name). */
START_TEST(cli_err_keeps_the_formats_carriage_return_and_escapes_the_arguments)
{
    char path[512], got[256];
    snprintf(path, sizeof path, "%s/stderr", tmpdir);
    fflush(stderr);
    const int saved = dup(2);
    ck_assert_int_ge(saved, 0);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(dup2(fileno(f), 2), 0);
    cli_err("\rsweep [%s] %u%% \n", "a\rb\nc", 7u);
    fflush(stderr);
    ck_assert_int_ge(dup2(saved, 2), 0);
    close(saved);
    fclose(f);
    test_slurp(path, got, sizeof got);
    ck_assert_str_eq(got, "\rsweep [a\\x0db\\x0ac] 7% \n");
}
END_TEST

Suite *cliclean_suite(void)
{
    Suite *s = suite_create("cliclean");
    TCase *tc = tcase_create("cliclean");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, synth_checks_verilog_first_and_lifts_yosys_error);
    tcase_add_test(tc, sweep_list_longer_than_the_limit_is_refused_at_its_line);
    tcase_add_test(tc, missing_flags_and_huge_numbers_are_one_line);
    tcase_add_test(tc, contradicting_flags_are_refused_on_one_line);
    tcase_add_test(tc, db_merge_prints_no_counts_for_a_merge_that_stored_nothing);
    tcase_add_test(tc, serve_trace_rows_are_read_strictly);
    tcase_add_test(tc, errors_name_the_key_the_user_wrote);
    tcase_add_test(tc, cli_err_keeps_the_formats_carriage_return_and_escapes_the_arguments);
    suite_add_tcase(s, tc);
    return s;
}

/* test_clifiles.c - the files a command reads and writes, as a user meets
 * them: an output is kept whole or not touched when a run fails, a
 * read-only database is read, an error names the real reason; and the
 * wording of messages the new-user report found wrong.  The binary is run
 * with an argument vector (io_spawn), never through a shell. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sim/io/spawn.h"
#include "tests.h"

static char tmpdir[256];

static void setup(void) { test_tmpdir(tmpdir, sizeof tmpdir, "clifiles"); }

static void teardown(void) { test_rmtree(tmpdir); }

/* Runs `codesim ARGS...` (NULL-terminated, after the command name) from
 * the source tree, as user nobody when unprivileged (root writes through
 * file modes); returns the exit status, out holds stdout and stderr. */
static int codesim_as(int unprivileged, char *out, size_t outlen, const char *const *args)
{
    const char *argv[48];
    size_t n = 0;
    if (unprivileged && geteuid() == 0) {
        static const char *const drop[] = {"setpriv", "--reuid=65534", "--regid=65534",
                                           "--clear-groups"};
        for (size_t i = 0; i < 4; i++)
            argv[n++] = drop[i];
    }
    argv[n++] = test_bin();
    for (size_t i = 0; args[i] && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char log[300], err[512];
    snprintf(log, sizeof log, "%s/log", tmpdir);
    const int rc = io_spawn(argv, log, err, sizeof err);
    ck_assert_msg(rc >= 0, "%s", err);
    test_slurp(log, out, outlen);
    return rc;
}

static int codesim(char *out, size_t outlen, const char *const *args)
{
    return codesim_as(0, out, outlen, args);
}

/* --csv DIR that cannot be created names mkdir's reason: the check used to
 * stat the path a second time, which replaced mkdir's errno (EACCES,
 * EPERM) with ENOENT, "No such file or directory" (new-user defect 12).
 * /sys refuses a new directory even to root; the reason expected is the
 * one mkdir gives this process. */
START_TEST(csv_dir_that_cannot_be_made_names_mkdirs_reason)
{
    const char *csv = "/sys/codesim-clifiles-no-csv";
    if (mkdir(csv, 0777) == 0) {
        rmdir(csv);
        return; /* a /sys that takes directories: nothing to test */
    }
    const int why = errno;
    ck_assert_int_ne(why, ENOENT);
    char db[300], out[8192], want[512];
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    const char *const args[] = {"run",   "--hw",  "tests/data/tiny.yaml", "--workload",
                                "tests/data/tiny.csv", "--db", db, "--csv", csv, NULL};
    ck_assert_int_ne(codesim(out, sizeof out, args), 0);
    snprintf(want, sizeof want, "codesim run: --csv: %s: %s\n", csv, strerror(why));
    ck_assert_msg(strstr(out, want) != NULL, "want \"%s\" in:\n%s", want, out);
}
END_TEST

/* Writes text to DIR/NAME; returns the path in buf. */
static const char *put(char *buf, size_t len, const char *name, const char *text)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
    FILE *f = fopen(buf, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

/* Entries of tmpdir whose name begins with prefix. */
static int entries_with(const char *prefix)
{
    DIR *d = opendir(tmpdir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* --timeline FILE replaces an earlier FILE only when the run succeeds: a
 * failing run or serve used to leave it empty or a partial JSON (it was
 * opened "w" before simulating; new-user defect 7).  Both failures here
 * come after the file was opened: a prompt past gpt2's 1,024 positions. */
START_TEST(timeline_is_replaced_only_by_a_run_that_succeeds)
{
    char tl[300], db[300], wl[300], out[16384];
    const char *keep = "{\"kept\": 1}\n";
    put(tl, sizeof tl, "t.json", keep);
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    const char *const bad_run[] = {"run",    "--model",    "traces/models/gpt2.json",
                                   "--hw",   "configs/npu_pim.yaml", "--prompt", "4000",
                                   "--gen",  "2", "--timeline", tl, "--db", db, NULL};
    ck_assert_int_ne(codesim(out, sizeof out, bad_run), 0);
    char got[256];
    test_slurp(tl, got, sizeof got);
    ck_assert_str_eq(got, keep);
    ck_assert_int_eq(entries_with("t.json"), 1);

    put(wl, sizeof wl, "s.yaml",
        "requests: 4\nrate: 2.0\nseed: 1\nprompt_min: 900\nprompt_max: 1000\n"
        "gen_min: 100\ngen_max: 200\n");
    const char *const bad_serve[] = {"serve",      "--model", "traces/models/gpt2.json",
                                     "--hw",       "configs/npu_pim.yaml", "--workload", wl,
                                     "--timeline", tl, "--db", db, NULL};
    ck_assert_int_ne(codesim(out, sizeof out, bad_serve), 0);
    test_slurp(tl, got, sizeof got);
    ck_assert_str_eq(got, keep);
    ck_assert_int_eq(entries_with("t.json"), 1);

    const char *const good[] = {"run",  "--model", "traces/models/gpt2.json", "--hw",
                                "configs/npu_pim.yaml", "--prompt", "16", "--gen", "2",
                                "--timeline", tl, "--db", db, NULL};
    ck_assert_msg(codesim(out, sizeof out, good) == 0, "%s", out);
    json_error_t je;
    json_t *doc = json_load_file(tl, 0, &je);
    ck_assert_msg(doc != NULL, "%s: %s", tl, je.text);
    ck_assert(json_is_array(json_object_get(doc, "traceEvents")));
    json_decref(doc);
    ck_assert_int_eq(entries_with("t.json"), 1);

    /* a directory is refused before the run, not at the final rename */
    const char *const to_dir[] = {"run",  "--model", "traces/models/gpt2.json", "--hw",
                                  "configs/npu_pim.yaml", "--prompt", "16", "--gen", "2",
                                  "--timeline", tmpdir, "--db", db, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, to_dir), 1);
    ck_assert_msg(strstr(out, ": is a directory\n") && !strstr(out, "time to first token"), "%s",
                  out);
}
END_TEST

/* serve --rates refuses an empty entry (it was skipped: new-user defect
 * 16) before loading anything, and --plot into a directory that does not
 * exist fails before the first rate is served, not after the sweep. */
START_TEST(serve_rates_refuse_an_empty_entry_and_an_unwritable_plot_up_front)
{
    char db[300], plot[300], out[16384];
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    const char *const empty[] = {"serve",     "--model",  "traces/models/gpt2.json",
                                 "--workload", "traces/serve_poisson.yaml", "--requests", "3",
                                 "--rates",   "0.1,,0.2", "--db", db, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, empty), 2);
    ck_assert_msg(strstr(out, "codesim serve: --rates: '' is not a positive number\n"), "%s",
                  out);
    const char *const trailing[] = {"serve",     "--model",  "traces/models/gpt2.json",
                                    "--workload", "traces/serve_poisson.yaml", "--requests", "3",
                                    "--rates",   "0.1,",     "--db", db, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, trailing), 2);
    ck_assert_int_eq(access(db, F_OK), -1);

    snprintf(plot, sizeof plot, "%s/no/such/dir/p.svg", tmpdir);
    const char *const unwritable[] = {"serve",     "--model",  "traces/models/gpt2.json",
                                      "--workload", "traces/serve_poisson.yaml", "--requests",
                                      "3",         "--rates",  "0.1,0.2", "--plot", plot,
                                      "--db",      db,         NULL};
    ck_assert_int_eq(codesim(out, sizeof out, unwritable), 1);
    ck_assert_msg(strstr(out, "codesim serve: --plot: ") && strstr(out, "p.svg: cannot create"),
                  "%s", out);
    ck_assert_msg(strstr(out, "TTFT p50") == NULL, "served rates before the plot check:\n%s",
                  out);
}
END_TEST

/* New-user defect 19: synth's option errors read "----bits" (the option
 * name was passed with its dashes), its usage synopsis lacked --db, map
 * named the old --wbits/--abits, and --mode pimgpt at batch 2 said only
 * that a GEMV needs more bursts than a bank holds. */
START_TEST(messages_name_options_as_they_are_spelled)
{
    char out[16384];
    static const char *const bad[][3] = {{"--bits", "99", "codesim synth: --bits: 99 "},
                                         {"--acc-bits", "1", "codesim synth: --acc-bits: 1 "},
                                         {"--sizes", "0", "codesim synth: --sizes: 0 "}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *const args[] = {"synth", bad[i][0], bad[i][1], NULL};
        ck_assert_int_eq(codesim(out, sizeof out, args), 2);
        ck_assert_msg(strncmp(out, bad[i][2], strlen(bad[i][2])) == 0, "%s", out);
    }
    const char *const param[] = {"synth", "--top", "t", "--verilog", "t.v", "--param", "A=x",
                                 NULL};
    ck_assert_int_eq(codesim(out, sizeof out, param), 2);
    ck_assert_msg(strncmp(out, "codesim synth: --param: 'x' ", 28) == 0, "%s", out);
    ck_assert_ptr_null(strstr(out, "----"));

    const char *const help[] = {"synth", "--help", NULL};
    ck_assert_int_eq(codesim(out, sizeof out, help), 0);
    *strstr(out, "\n\n") = 0; /* the synopsis: the text before the first blank line */
    ck_assert_msg(strstr(out, "[--db FILE]") != NULL, "%s", out);

    char csv[300];
    snprintf(csv, sizeof csv, "%s/m.csv", tmpdir);
    const char *const map[] = {"map", "--model", "traces/models/deepseek-v2-lite.json", "--out",
                               csv, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, map), 0);
    ck_assert_msg(strstr(out, "torch_dtype: checkpoint dtype (widths are --w-bits/--a-bits)"),
                  "%s", out);

    char db[300];
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    const char *const pimgpt[] = {"run",      "--model",  "traces/models/gpt2.json", "--hw",
                                  "configs/pimgpt.yaml", "--mode", "pimgpt", "--batch", "2",
                                  "--w-bits", "16",       "--a-bits", "16", "--db", db, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, pimgpt), 1);
    ck_assert_msg(strstr(out, "mode: pimgpt: prefill ") &&
                      strstr(out, "1024 input vectors (batch x tokens)") &&
                      strstr(out, "PIM-GPT runs batch 1: use --batch 1"),
                  "%s", out);
}
END_TEST

/* The bytes of a file (at most len - 1); returns how many. */
static size_t file_bytes(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    const size_t n = fread(buf, 1, len, f);
    fclose(f);
    ck_assert_uint_lt(n, len);
    return n;
}

/* report and pareto read a database the user may not write (mode 444):
 * they used to open it for writing and stop with "attempt to write a
 * readonly database" (new-user defect 4).  The file is left byte for byte
 * as it was, with no -wal or -shm file beside it.  Run as nobody when the
 * test runs as root. */
START_TEST(report_and_pareto_read_a_read_only_database)
{
    if (geteuid() == 0 && access("/usr/bin/setpriv", X_OK) != 0)
        return; /* no way to drop root here */
    char db[300], rep[300], out[16384];
    snprintf(db, sizeof db, "%s/mine.db", tmpdir);
    snprintf(rep, sizeof rep, "%s/r", tmpdir);
    const char *const run[] = {"run", "--hw", "tests/data/tiny.yaml", "--workload",
                               "tests/data/tiny.csv", "--db", db, NULL};
    ck_assert_msg(codesim(out, sizeof out, run) == 0, "%s", out);
    ck_assert_int_eq(chmod(db, 0444), 0);
    ck_assert_int_eq(chmod(tmpdir, 0777), 0);
    static char before[1 << 20], after[1 << 20];
    const size_t n = file_bytes(db, before, sizeof before);

    const char *const report[] = {"report", "--db", db, "--out", rep, NULL};
    ck_assert_msg(codesim_as(1, out, sizeof out, report) == 0, "%s", out);
    ck_assert_msg(strstr(out, "report: 0 sweep points") != NULL, "%s", out);
    const char *const pareto[] = {"pareto", "--db", db, "--x", "total_cycles", "--y",
                                  "area_mm2", NULL};
    /* a run stored by `run` is no sweep point: pareto reads and finds none */
    ck_assert_int_eq(codesim_as(1, out, sizeof out, pareto), 1);
    ck_assert_msg(strstr(out, "mine.db: no sweep points") != NULL, "%s", out);

    ck_assert_uint_eq(file_bytes(db, after, sizeof after), n);
    ck_assert(memcmp(before, after, n) == 0);
    ck_assert_int_eq(entries_with("mine.db"), 1);
}
END_TEST

Suite *clifiles_suite(void)
{
    Suite *s = suite_create("clifiles");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, csv_dir_that_cannot_be_made_names_mkdirs_reason);
    tcase_add_test(tc, timeline_is_replaced_only_by_a_run_that_succeeds);
    tcase_add_test(tc, serve_rates_refuse_an_empty_entry_and_an_unwritable_plot_up_front);
    tcase_add_test(tc, report_and_pareto_read_a_read_only_database);
    suite_add_tcase(s, tc);
    TCase *msg = tcase_create("messages");
    tcase_add_checked_fixture(msg, setup, teardown);
    tcase_set_timeout(msg, 120);
    tcase_add_test(msg, messages_name_options_as_they_are_spelled);
    suite_add_tcase(s, msg);
    return s;
}

/* test_clifiles.c - the files a command reads and writes, as a user meets
 * them: an output is kept whole or not touched when a run fails, a
 * read-only database is read, an error names the real reason; and the
 * wording of messages the new-user report found wrong.  The binary is run
 * with an argument vector (io_spawn), never through a shell. */
#define _GNU_SOURCE /* O_TMPFILE, for the probe */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
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

/* The first n bytes of a file as text (n < len), or "" when it is absent. */
static const char *head_of(const char *path, char *buf, size_t len, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f) {
        buf[fread(buf, 1, n < len ? n : len - 1, f)] = '\0';
        fclose(f);
    }
    return buf;
}

/* A child that reads the FIFO at path to its end and copies it to copy;
 * returns its pid. */
static pid_t fifo_reader(const char *path, const char *copy)
{
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        const int in = open(path, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        char buf[65536];
        ssize_t n;
        while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                _exit(1);
        _exit(in < 0 || out < 0);
    }
    return pid;
}

/* Outputs written through a temporary file and a rename (map --out,
 * --scalesim, run --timeline) used to replace whatever the path was: a
 * FIFO, a device or a symbolic link became a regular file (new-user-2
 * defect 1; as root, --timeline /dev/null replaced /dev/null).  Now a FIFO
 * or a device is written in place, as --json writes it, and a link's target
 * is replaced while the link stays.  The device is a null device node made
 * in the scratch directory (root only), never /dev/null itself. */
START_TEST(outputs_write_through_fifos_devices_and_links)
{
    char fifo[300], copy[300], out[16384], got[64];
    snprintf(fifo, sizeof fifo, "%s/fifo.csv", tmpdir);
    snprintf(copy, sizeof copy, "%s/copy.csv", tmpdir);
    ck_assert_int_eq(mkfifo(fifo, 0644), 0);
    const pid_t reader = fifo_reader(fifo, copy);
    const char *const to_fifo[] = {"map", "--model", "traces/models/gpt2.json", "--out", fifo,
                                   NULL};
    const int rc = codesim(out, sizeof out, to_fifo);
    /* A reader still waiting (the FIFO was never opened for writing) gets a
     * writer that closes at once; one blocked on a FIFO that was renamed
     * over is killed. */
    const int w = open(fifo, O_WRONLY | O_NONBLOCK);
    if (w >= 0)
        close(w);
    int st = 0;
    pid_t done = 0;
    for (int i = 0; i < 100 && !(done = waitpid(reader, &st, WNOHANG)); i++)
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    if (!done) {
        kill(reader, SIGKILL);
        waitpid(reader, &st, 0);
    }
    ck_assert_msg(rc == 0, "%.300s", out);
    ck_assert(done == reader && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    struct stat sb;
    ck_assert_int_eq(lstat(fifo, &sb), 0);
    ck_assert_msg(S_ISFIFO(sb.st_mode), "the FIFO was replaced");
    ck_assert_str_eq(head_of(copy, got, sizeof got, 17), "# codesim trace v");

    /* a link (relative, from a subdirectory) to a file of mode 0640: the
     * link stays, its target gets the trace and keeps its mode */
    char sub[300], link[400], target[300];
    snprintf(sub, sizeof sub, "%s/sub", tmpdir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    put(target, sizeof target, "target.csv", "old\n");
    ck_assert_int_eq(chmod(target, 0640), 0);
    snprintf(link, sizeof link, "%s/link.csv", sub);
    ck_assert_int_eq(symlink("../target.csv", link), 0);
    const char *const to_link[] = {"map", "--model", "traces/models/gpt2.json", "--out", link,
                                   NULL};
    ck_assert_msg(codesim(out, sizeof out, to_link) == 0, "%s", out);
    ck_assert_int_eq(lstat(link, &sb), 0);
    ck_assert_msg(S_ISLNK(sb.st_mode), "the link was replaced");
    ck_assert_int_eq(stat(target, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0640);
    ck_assert_str_eq(head_of(target, got, sizeof got, 17), "# codesim trace v");
    /* a dangling link: the file it names is made */
    char dangling[300], made[300];
    snprintf(dangling, sizeof dangling, "%s/dangling.csv", tmpdir);
    snprintf(made, sizeof made, "%s/made.csv", tmpdir);
    ck_assert_int_eq(symlink("made.csv", dangling), 0);
    const char *const to_dangling[] = {"map", "--model", "traces/models/gpt2.json", "--out",
                                       dangling, NULL};
    ck_assert_msg(codesim(out, sizeof out, to_dangling) == 0, "%s", out);
    ck_assert_int_eq(lstat(dangling, &sb), 0);
    ck_assert(S_ISLNK(sb.st_mode));
    ck_assert_str_eq(head_of(made, got, sizeof got, 17), "# codesim trace v");

    /* a character device: our own node for the null device (1, 3) */
    char dev[300], db[300];
    snprintf(dev, sizeof dev, "%s/mynull", tmpdir);
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0)
        return; /* not root: no device to test with */
    const int probe = open(dev, O_WRONLY);
    if (probe < 0) {
        unlink(dev); /* a file system mounted nodev: the node cannot be opened */
        return;
    }
    close(probe);
    const char *const to_dev[] = {"run",  "--model", "traces/models/gpt2.json", "--prompt", "8",
                                  "--timeline", dev, "--db", db, NULL};
    ck_assert_msg(codesim(out, sizeof out, to_dev) == 0, "%s", out);
    ck_assert_int_eq(lstat(dev, &sb), 0);
    ck_assert_msg(S_ISCHR(sb.st_mode), "the device was replaced");
    ck_assert_int_eq(entries_with("mynull"), 1);
}
END_TEST

/* An output that is an input used to overwrite it (new-user-2 defect 2):
 * map --model X --out X replaced the model with its trace.  Every such pair
 * is refused with one line naming both options before anything is read,
 * stored or written; a link to the input is the input (device and inode),
 * and two outputs not yet made are compared by normalized path. */
START_TEST(an_output_that_is_an_input_is_refused_before_anything_runs)
{
    char model[300], wl[300], alias[300], db[300], out[16384], keep[8192], got[8192];
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    test_slurp("traces/models/gpt2.json", keep, sizeof keep);
    put(model, sizeof model, "victim.json", keep);
    put(wl, sizeof wl, "LAYERS_REPORT.csv", "Layer,M,N,K\na,8,8,8\n");
    snprintf(alias, sizeof alias, "%s/alias.json", tmpdir);
    ck_assert_int_eq(symlink("victim.json", alias), 0);
    char dot_json[300], json[300];
    snprintf(json, sizeof json, "%s/new.json", tmpdir);
    snprintf(dot_json, sizeof dot_json, "%s/./new.json", tmpdir);
    const struct {
        const char *args[16];
        const char *want;
    } cases[] = {
        {{"map", "--model", model, "--out", model}, "--out: %s is also the --model input"},
        {{"map", "--model", model, "--scalesim", alias}, "--scalesim: %s is also the --model input"},
        {{"run", "--model", model, "--timeline", alias, "--db", db},
         "--timeline: %s is also the --model input"},
        {{"run", "--workload", wl, "--json", wl, "--db", db}, "--json: %s is also the --workload input"},
        {{"run", "--workload", wl, "--csv", tmpdir, "--db", db},
         "--csv: %s is also the --workload input"},
        {{"run", "--workload", wl, "--db", wl}, "%s is the results database (--db)"},
        {{"run", "--model", model, "--json", json, "--timeline", dot_json, "--db", db},
         "--timeline: %s is also the --json output"},
        {{"serve", "--model", model, "--workload", "traces/serve_poisson.yaml", "--timeline",
          model, "--db", db},
         "--timeline: %s is also the --model input"},
        {{"serve", "--model", model, "--workload", "traces/serve_poisson.yaml", "--rates", "1,2",
          "--plot", alias, "--db", db},
         "--plot: %s is also the --model input"},
    };
    const char *named[] = {model, alias, alias, wl, NULL, wl, dot_json, model, alias};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[600], csv_file[400];
        snprintf(csv_file, sizeof csv_file, "%s/LAYERS_REPORT.csv", tmpdir);
        snprintf(want, sizeof want, cases[i].want, named[i] ? named[i] : csv_file);
        ck_assert_msg(codesim(out, sizeof out, cases[i].args) == 1, "case %zu: %.300s", i, out);
        const char *nl = strchr(out, '\n');
        ck_assert_msg(strstr(out, want) && nl && !nl[1],
                      "case %zu: want one line with \"%s\":\n%.300s", i, want, out);
        ck_assert_str_eq(test_slurp(model, got, sizeof got), keep);
        ck_assert_str_eq(test_slurp(wl, got, sizeof got), "Layer,M,N,K\na,8,8,8\n");
        ck_assert_msg(access(db, F_OK) != 0, "case %zu: the database was made", i);
        ck_assert_int_eq(entries_with("new.json"), 0);
    }
}
END_TEST

/* Results printed to a full device used to be lost with exit status 0
 * (new-user-2 defect 4).  stdout goes to /dev/full (written, as any user
 * may; never replaced), stderr to the pipe. */
START_TEST(a_lost_write_to_stdout_fails_the_command)
{
    struct stat sb;
    if (stat("/dev/full", &sb) != 0 || !S_ISCHR(sb.st_mode))
        return; /* no full device here */
    char out[4096], db[300];
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    const int v = test_popen(out, sizeof out, 1, "'%s' version 2>&1 >/dev/full", test_bin());
    ck_assert_int_eq(v, 1);
    ck_assert_str_eq(out, "codesim: writing standard output: No space left on device\n");
    const int r = test_popen(out, sizeof out, 1,
                             "'%s' run --workload tests/data/tiny.csv --db '%s' 2>&1 >/dev/full",
                             test_bin(), db);
    ck_assert_int_eq(r, 1);
    ck_assert_str_eq(out, "codesim: writing standard output: No space left on device\n");
}
END_TEST

/* Whether process pid holds the output being written in tmpdir: an
 * unnamed file ("DIR/#123 (deleted)" in /proc/PID/fd) or a named
 * NAME.tmpXXXXXX.  Other descriptors in tmpdir (the database, the log) do
 * not count. */
static int holds_output(pid_t pid, const char *real_dir, const char *name)
{
    char fds[64];
    snprintf(fds, sizeof fds, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(fds);
    if (!d)
        return 0;
    const size_t dl = strlen(real_dir);
    char tmp_prefix[300];
    snprintf(tmp_prefix, sizeof tmp_prefix, "%s.tmp", name);
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        char link[400], to[1024];
        snprintf(link, sizeof link, "%s/%s", fds, e->d_name);
        const ssize_t n = readlink(link, to, sizeof to - 1);
        if (n <= 0)
            continue;
        to[n] = '\0';
        found = strncmp(to, real_dir, dl) == 0 && to[dl] == '/' &&
                (to[dl + 1] == '#' || strstr(to + dl, " (deleted)") ||
                 strncmp(to + dl + 1, tmp_prefix, strlen(tmp_prefix)) == 0);
    }
    closedir(d);
    return found;
}

/* Ctrl-C during a run with --timeline used to leave FILE.tmpXXXXXX behind
 * (new-user-2 defect 10).  The timeline is now an unnamed file until the
 * run ends: SIGINT once the run holds it (seen in /proc/PID/fd, at most
 * 60 s), during a run that takes far longer, leaves FILE as it was and,
 * where the scratch directory's file system has O_TMPFILE, nothing beside
 * it. */
START_TEST(an_interrupted_run_leaves_no_temporary_file)
{
    char tl[300], db[300], log[300], got[64], real_dir[PATH_MAX];
    put(tl, sizeof tl, "tl.json", "old\n");
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    snprintf(log, sizeof log, "%s/log", tmpdir);
    ck_assert_ptr_nonnull(realpath(tmpdir, real_dir));
    const int probe = open(tmpdir, O_TMPFILE | O_WRONLY, 0600);
    const int unnamed = probe >= 0;
    if (probe >= 0)
        close(probe);
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        const int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execl(test_bin(), test_bin(), "run", "--model", "traces/models/llama-3-8b.json",
              "--prompt", "1", "--gen", "8000", "--timeline", tl, "--db", db, (char *)NULL);
        _exit(127);
    }
    int st, held = 0;
    pid_t ended = 0;
    for (int i = 0; i < 3000 && !(held = holds_output(pid, real_dir, "tl.json")); i++) {
        if ((ended = waitpid(pid, &st, WNOHANG)) != 0)
            break;
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    }
    if (!ended) {
        ck_assert_int_eq(kill(pid, SIGINT), 0);
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    }
    ck_assert_msg(held, "the run never held the timeline file: %s",
                  test_slurp(log, (char[4096]){0}, 4096));
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "the run ended before the signal: %s",
                  test_slurp(log, (char[4096]){0}, 4096));
    ck_assert_str_eq(test_slurp(tl, got, sizeof got), "old\n");
    if (unnamed) /* without O_TMPFILE the named temporary file stays */
        ck_assert_int_eq(entries_with("tl.json"), 1);
}
END_TEST

/* Runs in the database at path (0 when it has none). */
static int stored_runs(const char *path)
{
    sqlite3 *db;
    int n = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM runs", -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return n;
}

/* A --csv report that cannot be written used to fail after three other
 * reports were replaced and the run stored, so a retry stored it twice
 * (new-user-2 defect 11).  Every output is now prepared before the run:
 * the failure comes first, nothing is stored or replaced; once the way is
 * clear, one run stores once and writes every output. */
START_TEST(a_csv_report_that_cannot_be_written_stores_and_replaces_nothing)
{
    char csv[300], blocker[400], compute[400], json[300], db[300], out[16384], got[64];
    snprintf(csv, sizeof csv, "%s/csv", tmpdir);
    snprintf(blocker, sizeof blocker, "%s/LAYERS_REPORT.csv", csv);
    snprintf(json, sizeof json, "%s/run.json", tmpdir);
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    ck_assert_int_eq(mkdir(csv, 0755), 0);
    ck_assert_int_eq(mkdir(blocker, 0755), 0);
    put(compute, sizeof compute, "csv/COMPUTE_REPORT.csv", "old\n");
    const char *const args[] = {"run",  "--workload", "tests/data/tiny.csv", "--csv", csv,
                                "--json", json, "--db", db, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, args), 1);
    ck_assert_msg(strstr(out, "LAYERS_REPORT.csv: is a directory"), "%s", out);
    ck_assert_str_eq(test_slurp(compute, got, sizeof got), "old\n");
    ck_assert_int_eq(access(json, F_OK), -1);
    ck_assert_int_eq(stored_runs(db), 0);
    ck_assert_int_eq(rmdir(blocker), 0);
    ck_assert_msg(codesim(out, sizeof out, args) == 0, "%s", out);
    ck_assert_int_eq(stored_runs(db), 1);
    ck_assert_str_eq(head_of(compute, got, sizeof got, 7), "LayerID");
    ck_assert_str_eq(head_of(blocker, got, sizeof got, 5), "Layer");
    ck_assert_str_eq(head_of(json, got, sizeof got, 1), "{");
}
END_TEST

/* b66928a took the text of /dev/stdout's link, "pipe:[N]", for a relative
 * path: `run --json /dev/stdout | cat` and `map --out /dev/stderr` failed
 * (they worked before).  A pipe is written in place; with --json on
 * standard output the table goes to stderr, so the pipe carries one JSON
 * document (json_loads refuses anything after it); appended to a file
 * with >>, it follows what the file held.  /dev/null named by two
 * outputs is no clash (it was refused as "also the --out output"); the
 * same pipe named twice is refused (two documents in one stream). */
START_TEST(outputs_to_standard_streams_and_devices_are_written_in_place)
{
    static char out[65536];
    char db[300];
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    test_popen(out, sizeof out, 0,
               "'%s' run --workload tests/data/tiny.csv --db '%s' --json /dev/stdout | cat",
               test_bin(), db);
    json_error_t je;
    json_t *doc = json_loads(out, 0, &je);
    ck_assert_msg(doc != NULL, "not one JSON document (%s):\n%.400s", je.text, out);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "layers");
    json_decref(doc);

    /* standard output appending to a file: written through the
     * descriptor, after what the file held (b66928a replaced the file) */
    char log[300], got[64];
    put(log, sizeof log, "append.log", "first\n");
    test_popen(out, sizeof out, 0,
               "'%s' run --workload tests/data/tiny.csv --db '%s' --json /dev/stdout >> '%s'",
               test_bin(), db, log);
    ck_assert_str_eq(head_of(log, got, sizeof got, 8), "first\n{\n");

    test_popen(out, sizeof out, 0,
               "'%s' map --model traces/models/gpt2.json --out /dev/stderr 2>&1 >/dev/null | cat",
               test_bin());
    ck_assert_msg(strstr(out, "# codesim trace v1 model=gpt2 "), "%.400s", out);

    const char *const twice[] = {"map", "--model", "traces/models/gpt2.json", "--out", "/dev/null",
                                 "--scalesim", "/dev/null", NULL};
    ck_assert_msg(codesim(out, sizeof out, twice) == 0, "%.400s", out);

    test_popen(out, sizeof out, 1,
               "'%s' map --model traces/models/gpt2.json --out /dev/stdout --scalesim /dev/stdout "
               "| cat", test_bin());
    ck_assert_str_eq(out, "codesim map: --scalesim: /dev/stdout is also the --out output\n");
}
END_TEST

/* b66928a read symbolic links itself, past the kernel's
 * fs.protected_symlinks: another user's dangling link in a shared directory
 * chose the file codesim made.  Such a link is now refused (one line, no
 * file made); the user's own dangling link is followed (tested above).
 * Root only: the link is given to uid 65534 with lchown. */
START_TEST(a_dangling_link_of_another_user_is_refused)
{
    if (geteuid() != 0)
        return; /* cannot give a link away */
    char link[300], victim[300], out[16384];
    snprintf(link, sizeof link, "%s/theirs.csv", tmpdir);
    snprintf(victim, sizeof victim, "%s/victim.csv", tmpdir);
    ck_assert_int_eq(symlink("victim.csv", link), 0);
    ck_assert_int_eq(lchown(link, 65534, 65534), 0);
    const char *const args[] = {"map", "--model", "traces/models/gpt2.json", "--out", link, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, args), 1);
    char want[400];
    snprintf(want, sizeof want,
             "codesim map: %s: cannot write (a dangling symbolic link owned by another user", link);
    ck_assert_msg(strstr(out, want), "%.600s", out);
    ck_assert_int_eq(access(victim, F_OK), -1);
    struct stat sb;
    ck_assert_int_eq(lstat(link, &sb), 0);
    ck_assert(S_ISLNK(sb.st_mode));
}
END_TEST

/* A file with a second hard link was replaced by a new inode (b66928a): the
 * other name kept the old data.  It is now written in place: both names
 * are still one file and both read the new trace. */
START_TEST(a_file_with_two_links_is_written_in_place)
{
    char a[300], b[300], out[16384], got[64];
    put(a, sizeof a, "a.csv", "old\n");
    snprintf(b, sizeof b, "%s/b.csv", tmpdir);
    ck_assert_int_eq(link(a, b), 0);
    struct stat before, sa, sb;
    ck_assert_int_eq(stat(a, &before), 0);
    const char *const args[] = {"map", "--model", "traces/models/gpt2.json", "--out", a, NULL};
    ck_assert_msg(codesim(out, sizeof out, args) == 0, "%.400s", out);
    ck_assert_int_eq(stat(a, &sa), 0);
    ck_assert_int_eq(stat(b, &sb), 0);
    ck_assert(sa.st_ino == before.st_ino && sb.st_ino == before.st_ino && sa.st_nlink == 2);
    ck_assert_str_eq(head_of(b, got, sizeof got, 17), "# codesim trace v");
    ck_assert_str_eq(head_of(a, got, sizeof got, 17), "# codesim trace v");
}
END_TEST

/* A replaced file kept its mode & 07777 (b66928a), so a set-user-ID file
 * stayed set-user-ID with codesim's new contents.  Only the permission
 * bits (0777) are kept now. */
START_TEST(a_replaced_file_does_not_keep_set_user_id)
{
    char f[300], out[16384], got[64];
    put(f, sizeof f, "suid.csv", "old\n");
    struct stat sb;
    if (chmod(f, 04755) != 0 || stat(f, &sb) != 0 || (sb.st_mode & 07777) != 04755)
        return; /* the bit cannot be set here */
    const char *const args[] = {"map", "--model", "traces/models/gpt2.json", "--out", f, NULL};
    ck_assert_msg(codesim(out, sizeof out, args) == 0, "%.400s", out);
    ck_assert_int_eq(stat(f, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0755);
    ck_assert_str_eq(head_of(f, got, sizeof got, 17), "# codesim trace v");
}
END_TEST

/* serve --rates with --timeline ran the sweep, wrote no timeline and exited
 * 0.  It is refused before anything runs, like --plot without --rates. */
START_TEST(serve_refuses_a_timeline_with_rates)
{
    char tl[300], db[300], out[16384];
    snprintf(tl, sizeof tl, "%s/tl.json", tmpdir);
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    const char *const args[] = {"serve",   "--model",   "traces/models/gpt2.json", "--workload",
                                "traces/serve_poisson.yaml", "--requests", "3", "--rates",
                                "0.1,0.2", "--timeline", tl, "--db", db, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, args), 2);
    const char *nl = strchr(out, '\n');
    ck_assert_msg(!strncmp(out, "codesim serve: --timeline: not with --rates", 43) && nl && !nl[1],
                  "%.400s", out);
    ck_assert_int_eq(access(tl, F_OK), -1);
    ck_assert_int_eq(access(db, F_OK), -1);
}
END_TEST


/* A run's database at DIR/name; returns its path in buf. */
static const char *run_db(char *buf, size_t len, const char *name)
{
    char out[16384];
    snprintf(buf, len, "%s/%s", tmpdir, name);
    const char *const run[] = {"run", "--hw", "tests/data/tiny.yaml", "--workload",
                               "tests/data/tiny.csv", "--db", buf, NULL};
    ck_assert_msg(codesim(out, sizeof out, run) == 0, "%s", out);
    return buf;
}

/* report --out DIR refuses, before writing anything, a report file that is
 * its --db: a symbolic link DIR/report.md to the database (main truncated
 * the database to 0 bytes), and the database stored as DIR/runs.csv (main
 * overwrote it with the CSV table and exited 0).  New-user pass 3, defect 1. */
START_TEST(report_refuses_an_output_that_is_its_database)
{
    char db[300], rep[300], link[400], out[16384], moved[400];
    static char before[1 << 20], after[1 << 20];
    run_db(db, sizeof db, "victim.db");
    const size_t n = file_bytes(db, before, sizeof before);
    ck_assert_uint_gt(n, 0);

    snprintf(rep, sizeof rep, "%s/rep", tmpdir);
    ck_assert_int_eq(mkdir(rep, 0777), 0);
    snprintf(link, sizeof link, "%s/report.md", rep);
    ck_assert_int_eq(symlink("../victim.db", link), 0);
    const char *const a[] = {"report", "--db", db, "--out", rep, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, a), 1);
    char want[600];
    snprintf(want, sizeof want, "codesim report: --out: %s is the results database (--db)\n",
             link);
    ck_assert_msg(!strcmp(out, want), "want \"%s\", got:\n%s", want, out);
    ck_assert_uint_eq(file_bytes(db, after, sizeof after), n);
    ck_assert(memcmp(before, after, n) == 0);
    snprintf(want, sizeof want, "%s/index.html", rep);
    ck_assert_int_eq(access(want, F_OK), -1); /* nothing written */

    /* the database itself in DIR under a table's name */
    snprintf(moved, sizeof moved, "%s/runs.csv", rep);
    ck_assert_int_eq(unlink(link), 0);
    ck_assert_int_eq(rename(db, moved), 0);
    const char *const b[] = {"report", "--db", moved, "--out", rep, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, b), 1);
    ck_assert_msg(strstr(out, "runs.csv is the results database (--db)") != NULL, "%s", out);
    ck_assert_uint_eq(file_bytes(moved, after, sizeof after), n);
    ck_assert(memcmp(before, after, n) == 0);
}
END_TEST

/* pareto and report only read: an empty --db is refused with one line and
 * left at 0 bytes (main gave it a 106 KB schema, and report exited 0), a
 * missing one is "no such file" and not made.  New-user pass 3, defect 5. */
START_TEST(read_only_commands_refuse_an_empty_or_missing_database)
{
    char zero[300], none[300], rep[300], out[8192], want[600];
    snprintf(zero, sizeof zero, "%s/zero.db", tmpdir);
    snprintf(none, sizeof none, "%s/none.db", tmpdir);
    snprintf(rep, sizeof rep, "%s/rz", tmpdir);
    test_write(zero, "");
    const char *const pareto[] = {"pareto", "--db", zero, "--x", "pes", "--y", "pes", NULL};
    ck_assert_int_eq(codesim(out, sizeof out, pareto), 1);
    snprintf(want, sizeof want,
             "codesim pareto: %s: empty file, not a codesim results database\n", zero);
    ck_assert_msg(!strcmp(out, want), "want \"%s\", got:\n%s", want, out);
    const char *const report[] = {"report", "--db", zero, "--out", rep, NULL};
    ck_assert_int_eq(codesim(out, sizeof out, report), 1);
    snprintf(want, sizeof want,
             "codesim report: %s: empty file, not a codesim results database\n", zero);
    ck_assert_msg(!strcmp(out, want), "want \"%s\", got:\n%s", want, out);
    struct stat st;
    ck_assert_int_eq(stat(zero, &st), 0);
    ck_assert_int_eq(st.st_size, 0);
    ck_assert_int_eq(access(rep, F_OK), -1);

    const char *const p2[] = {"pareto", "--db", none, "--x", "pes", "--y", "pes", NULL};
    ck_assert_int_eq(codesim(out, sizeof out, p2), 1);
    snprintf(want, sizeof want, "codesim pareto: %s: no such file\n", none);
    ck_assert_msg(!strcmp(out, want), "want \"%s\", got:\n%s", want, out);
    ck_assert_int_eq(access(none, F_OK), -1);
}
END_TEST

/* report into a directory that holds an older report: the figures and
 * tables of plots this database does not have are removed (main kept
 * figures/llm.* and re-rendered them with a fresh date), a spec report does
 * not know is not drawn, and files report does not know are kept.
 * New-user pass 3, defect 2. */
START_TEST(report_leaves_no_stale_figures_of_an_older_report)
{
    char db[300], rep[300], p[600], out[16384];
    run_db(db, sizeof db, "r.db");
    snprintf(rep, sizeof rep, "%s/rx", tmpdir);
    const char *const a[] = {"report", "--db", db, "--out", rep, NULL};
    ck_assert_msg(codesim(out, sizeof out, a) == 0, "%s", out);
    /* an older report's LLM plot and table, and the user's own files */
    static const char *const stale[] = {"figures/llm.vl.json", "figures/llm.svg",
                                        "figures/llm.pdf", "pareto.csv"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", rep, stale[i]);
        test_write(p, "{}");
    }
    snprintf(p, sizeof p, "%s/figures/mine.txt", rep);
    test_write(p, "notes");
    /* a valid spec under a name report does not know: kept, never drawn */
    char spec[600], copy[600];
    static char text[1 << 20];
    snprintf(spec, sizeof spec, "%s/figures/energy.vl.json", rep);
    snprintf(copy, sizeof copy, "%s/figures/old.vl.json", rep);
    const int have_spec = access(spec, F_OK) == 0;
    if (have_spec)
        test_write(copy, test_slurp(spec, text, sizeof text));

    ck_assert_msg(codesim(out, sizeof out, a) == 0, "%s", out);
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", rep, stale[i]);
        ck_assert_msg(access(p, F_OK) == -1, "%s stayed", p);
    }
    snprintf(p, sizeof p, "%s/figures/mine.txt", rep);
    ck_assert_int_eq(access(p, F_OK), 0);
    if (have_spec) {
        ck_assert_int_eq(access(copy, F_OK), 0);
        snprintf(p, sizeof p, "%s/figures/old.svg", rep);
        ck_assert_msg(access(p, F_OK) == -1, "an unknown spec was drawn");
    }
}
END_TEST


/* Two outputs both named "-" are refused with one line, and nothing is
 * written: main wrote map's trace to a file named "-", replaced it with the
 * SCALE-Sim topology and exited 0.  New-user pass 3, defect 3 (the
 * collision part). */
START_TEST(two_outputs_named_dash_are_refused)
{
    char out[8192], dash[300], db[300];
    snprintf(dash, sizeof dash, "%s/-", tmpdir);
    snprintf(db, sizeof db, "%s/r.db", tmpdir);
    char log[300];
    snprintf(log, sizeof log, "%s/log", tmpdir);
    /* run from tmpdir so that a file named "-" would land there */
    const char *const map[] = {test_bin(), "map", "--model",
                               CODESIM_ROOT "/traces/models/gpt2.json", "--out", "-",
                               "--scalesim", "-", NULL};
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (chdir(tmpdir) != 0 || !freopen(log, "w", stdout) || dup2(1, 2) < 0)
            _exit(127);
        execv(map[0], (char *const *)map);
        _exit(127);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    ck_assert_int_ne(WEXITSTATUS(st), 0);
    test_slurp(log, out, sizeof out);
    ck_assert_msg(!strcmp(out, "codesim map: --scalesim: - (standard output) is also the --out "
                               "output\n"), "%s", out);
    ck_assert_int_eq(access(dash, F_OK), -1);

    const char *const run[] = {"run", "--model", "traces/models/gpt2.json", "--prompt", "4",
                               "--db", db, "--json", "-", "--timeline", "-", NULL};
    ck_assert_int_ne(codesim(out, sizeof out, run), 0);
    ck_assert_msg(!strcmp(out, "codesim run: --timeline: - (standard output) is also the --json "
                               "output\n"), "%s", out);
    ck_assert_int_eq(access(db, F_OK), -1);
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
    tcase_add_test(tc, outputs_write_through_fifos_devices_and_links);
    tcase_add_test(tc, an_output_that_is_an_input_is_refused_before_anything_runs);
    tcase_add_test(tc, a_lost_write_to_stdout_fails_the_command);
    tcase_add_test(tc, an_interrupted_run_leaves_no_temporary_file);
    tcase_add_test(tc, a_csv_report_that_cannot_be_written_stores_and_replaces_nothing);
    tcase_add_test(tc, outputs_to_standard_streams_and_devices_are_written_in_place);
    tcase_add_test(tc, a_dangling_link_of_another_user_is_refused);
    tcase_add_test(tc, a_file_with_two_links_is_written_in_place);
    tcase_add_test(tc, a_replaced_file_does_not_keep_set_user_id);
    tcase_add_test(tc, serve_refuses_a_timeline_with_rates);
    tcase_add_test(tc, report_refuses_an_output_that_is_its_database);
    tcase_add_test(tc, read_only_commands_refuse_an_empty_or_missing_database);
    tcase_add_test(tc, report_leaves_no_stale_figures_of_an_older_report);
    tcase_add_test(tc, two_outputs_named_dash_are_refused);
    suite_add_tcase(s, tc);
    TCase *msg = tcase_create("messages");
    tcase_add_checked_fixture(msg, setup, teardown);
    tcase_set_timeout(msg, 120);
    tcase_add_test(msg, messages_name_options_as_they_are_spelled);
    suite_add_tcase(s, msg);
    return s;
}

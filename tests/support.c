/* support.c - helpers shared by the Check suites (tests.h): the codesim
 * binary under test, scratch directories, running commands with their
 * output captured, and one RTL cross-check run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../sim/io/spawn.h"
#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

const char *test_bin(void)
{
    const char *b = getenv("CODESIM_BIN");
    return b && *b ? b : CODESIM_ROOT "/build/codesim";
}

void test_tmpdir(char *dir, size_t len, const char *tag)
{
    const int n = snprintf(dir, len, "/tmp/codesim-%s-XXXXXX", tag);
    ck_assert_msg(n > 0 && (size_t)n < len, "test_tmpdir: '%s': name too long", tag);
    ck_assert_msg(mkdtemp(dir) != NULL, "test_tmpdir: %s: cannot create", dir);
}

void test_rmtree(const char *dir)
{
    char err[256];
    const char *const argv[] = {"rm", "-rf", dir, NULL};
    ck_assert_msg(io_spawn(argv, NULL, err, sizeof err) == 0, "rm -rf %s: %s", dir, err);
}

/* The exit status system() or pclose() gave: 0..255, -1 when it did not
 * exit (killed by a signal, or the shell could not be run). */
static int status_of(int rc)
{
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The command a test_sh / test_popen format makes, into body (4000 bytes). */
static void format_cmd(char body[4000], const char *fmt, va_list ap)
{
    const int n = vsnprintf(body, 4000, fmt, ap);
    ck_assert_msg(n >= 0 && n < 4000, "command too long: %.200s...", body);
}

int test_sh(const char *out_path, const char *fmt, ...)
{
    char body[4000], cmd[4400];
    va_list ap;
    va_start(ap, fmt);
    format_cmd(body, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "{ %s ; } > '%s' 2>&1", body, out_path);
    return status_of(system(cmd));
}

int test_popen(char *buf, size_t len, int err2out, const char *fmt, ...)
{
    char body[4000], cmd[4100];
    va_list ap;
    va_start(ap, fmt);
    format_cmd(body, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "{ %s ; } %s", body, err2out ? "2>&1" : "2>/dev/null");
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    const size_t got = fread(buf, 1, len - 1, p);
    buf[got] = '\0';
    const int st = pclose(p);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void test_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s: cannot write", path);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_msg(fclose(f) == 0, "%s: cannot write", path);
}

char *test_slurp(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: cannot read", path);
    const size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

void test_read_lines(const char *path, char *all, size_t n, char *last, size_t ln)
{
    char line[1024];
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: cannot read", path);
    all[0] = last[0] = '\0';
    size_t used = 0;
    while (fgets(line, sizeof line, f)) {
        snprintf(last, ln, "%s", line);
        const size_t l = strlen(line);
        if (used + l < n) {
            memcpy(all + used, line, l + 1);
            used += l;
        }
    }
    fclose(f);
}

int test_codesim(const char *dir, const char *args, char *out, size_t outlen, char *err,
                 size_t errlen)
{
    char of[300], ef[300], cmd[4400];
    snprintf(of, sizeof of, "%s/stdout", dir);
    snprintf(ef, sizeof ef, "%s/stderr", dir);
    if (err)
        snprintf(cmd, sizeof cmd, "cd '%s' && %s %s >'%s' 2>'%s'", CODESIM_ROOT, test_bin(),
                 args, of, ef);
    else
        snprintf(cmd, sizeof cmd, "cd '%s' && %s %s >'%s' 2>&1", CODESIM_ROOT, test_bin(), args,
                 of);
    const int rc = status_of(system(cmd));
    test_slurp(of, out, outlen);
    if (err)
        test_slurp(ef, err, errlen);
    return rc;
}

int test_codesim_argv(char *const argv[], const char *out_path)
{
    const char *const *const av = (const char *const *)argv;
    const char *full[64];
    size_t n = 0;
    full[n++] = test_bin();
    while (av[n] && n + 1 < sizeof full / sizeof full[0]) {
        full[n] = av[n];
        n++;
    }
    ck_assert_msg(!av[n], "test_codesim_argv: more than 62 arguments");
    full[n] = NULL;
    char err[512];
    const int rc = io_spawn(full, out_path, err, sizeof err);
    ck_assert_msg(rc >= 0 || strstr(err, "killed by signal"), "%s", err);
    return rc;
}

int test_codesim_args(const char *dir, char *out, size_t outlen, const char *const *args)
{
    const char *argv[64];
    size_t n = 0;
    argv[n++] = "codesim";
    while (args[n - 1] && n + 1 < sizeof argv / sizeof argv[0]) {
        argv[n] = args[n - 1];
        n++;
    }
    ck_assert_msg(!args[n - 1], "test_codesim_args: more than 62 arguments");
    argv[n] = NULL;
    char log[512];
    snprintf(log, sizeof log, "%s/log", dir);
    const int rc = test_codesim_argv((char *const *)argv, log);
    test_slurp(log, out, outlen);
    return rc;
}

void expect_rtlcheck(const char *block, const char *args, unsigned trials, unsigned seed,
                     const char *activity, const char *params_like)
{
    char dir[64];
    test_tmpdir(dir, sizeof dir, "rtlcheck");
    char path[128], last[512], all[8192];
    snprintf(path, sizeof path, "%s/out", dir);
    const int rc = test_sh(path, "%s rtlcheck --block %s %s --trials %u --seed %u --db %s/r.db",
                           test_bin(), block, args, trials, seed, dir);
    test_read_lines(path, all, sizeof all, last, sizeof last);
    char want[128];
    snprintf(want, sizeof want, "rtlcheck: %u cases, 0 cycle mismatches, 0 value mismatches\n",
             trials);
    ck_assert_msg(rc == 0, "rtlcheck failed:\n%s", all);
    ck_assert_str_eq(last, want);
    ck_assert_msg(strstr(all, activity) != NULL, "no '%s' in:\n%s", activity, all);
    /* Every case is logged under its block (and parameters), all matching. */
    char line[64];
    if (params_like)
        test_popen(line, sizeof line, 0,
                   "sqlite3 %s/r.db \"SELECT count(*) FROM rtl_cases JOIN rtl_checks ON id = "
                   "check_id WHERE block = '%s' AND params LIKE '%%%s%%' AND model_cycles = "
                   "rtl_cycles AND rtl_cases.value_mismatches = 0 AND counts_match = 1\"",
                   dir, block, params_like);
    else /* systolic checks store no params (NULL) */
        test_popen(line, sizeof line, 0,
                   "sqlite3 %s/r.db \"SELECT count(*) FROM rtl_cases JOIN rtl_checks ON id = "
                   "check_id WHERE block = '%s' AND model_cycles = rtl_cycles AND "
                   "rtl_cases.value_mismatches = 0 AND counts_match = 1\"",
                   dir, block);
    ck_assert_int_eq(atoi(line), (int)trials);
    test_rmtree(dir);
}

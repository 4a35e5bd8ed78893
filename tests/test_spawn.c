/* test_spawn.c - running tools with an argument vector (sim/io/spawn.h):
 * exit statuses, a missing program, where the output goes, arguments that
 * a shell would interpret, and the rule that nothing in sim/ runs a shell
 * command.  Each test runs in its own forked process, so redirecting this
 * process's standard error does not leak into other tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/io/spawn.h"
#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

/* Reads a small file into buf (NUL-terminated). */
static void slurp(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: cannot open", path);
    const size_t n = fread(buf, 1, len - 1, f);
    buf[n] = 0;
    fclose(f);
}

START_TEST(io_spawn_returns_the_exit_status)
{
    char err[256];
    const char *const ok[] = {"true", NULL};
    ck_assert_int_eq(io_spawn(ok, "/dev/null", err, sizeof err), 0);
    const char *const three[] = {"sh", "-c", "exit 3", NULL};
    ck_assert_int_eq(io_spawn(three, "/dev/null", err, sizeof err), 3);
    /* A program that itself exits 127 is not "not found". */
    const char *const x127[] = {"sh", "-c", "exit 127", NULL};
    ck_assert_int_eq(io_spawn(x127, "/dev/null", err, sizeof err), 127);
    const char *const killed[] = {"sh", "-c", "kill -9 $$", NULL};
    ck_assert_int_eq(io_spawn(killed, "/dev/null", err, sizeof err), -1);
    ck_assert_msg(!strncmp(err, "sh: killed by signal 9", 22), "%s", err);
}
END_TEST

START_TEST(io_spawn_reports_a_missing_program_as_not_found)
{
    char err[256];
    const char *const in_path[] = {"codesim-no-such-tool", "--version", NULL};
    ck_assert_int_eq(io_spawn(in_path, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "codesim-no-such-tool: not found");
    const char *const by_path[] = {"/nonexistent/bin/tool", NULL};
    ck_assert_int_eq(io_spawn(by_path, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/bin/tool: not found");
    /* Not executable: a different reason, never "not found". */
    const char *const not_exec[] = {CODESIM_ROOT "/README.md", NULL};
    ck_assert_int_eq(io_spawn(not_exec, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, CODESIM_ROOT "/README.md: cannot run: Permission denied");
}
END_TEST

/* With a path, both output streams go to the file, truncated first; every
 * argument arrives as given, quotes and ';' included. */
START_TEST(io_spawn_sends_output_to_a_file_and_passes_arguments_verbatim)
{
    char dir[64];
    test_tmpdir(dir, sizeof dir, "spawn");
    char path[128], got[512], err[256];
    snprintf(path, sizeof path, "%s/out", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("old text, longer than the new one, to be truncated\n", f);
    fclose(f);
    const char *const argv[] = {"sh", "-c", "printf '[%s]\\n' \"$@\"; echo to-stderr >&2",
                                "sh", "o';touch INJECTED;'", "$(touch INJECTED)", "a b", NULL};
    ck_assert_int_eq(io_spawn(argv, path, err, sizeof err), 0);
    slurp(path, got, sizeof got);
    ck_assert_str_eq(got, "[o';touch INJECTED;']\n[$(touch INJECTED)]\n[a b]\nto-stderr\n");
    ck_assert_int_ne(access("INJECTED", F_OK), 0);
    /* An output file that cannot be made is reported as itself. */
    snprintf(path, sizeof path, "%s/no/such/dir/out", dir);
    ck_assert_int_eq(io_spawn(argv, path, err, sizeof err), -1);
    char want[256];
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    ck_assert_str_eq(err, want);
    snprintf(path, sizeof path, "%s/out", dir);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* Without a path the child's standard output goes to our standard error
 * (1>&2), so a tool's chatter never lands in codesim's report. */
START_TEST(io_spawn_without_a_file_sends_output_to_stderr)
{
    char dir[64];
    test_tmpdir(dir, sizeof dir, "spawn");
    char out_path[128], err_path[128], got[256], err[256];
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    fflush(stdout);
    fflush(stderr);
    ck_assert_ptr_nonnull(freopen(out_path, "w", stdout));
    ck_assert_ptr_nonnull(freopen(err_path, "w", stderr));
    const char *const argv[] = {"sh", "-c", "echo to-stdout; echo to-stderr >&2", NULL};
    const int rc = io_spawn(argv, NULL, err, sizeof err);
    fflush(stdout);
    fflush(stderr);
    ck_assert_int_eq(rc, 0);
    slurp(out_path, got, sizeof got);
    ck_assert_str_eq(got, "");
    slurp(err_path, got, sizeof got);
    ck_assert_str_eq(got, "to-stdout\nto-stderr\n");
    unlink(out_path);
    unlink(err_path);
    rmdir(dir);
}
END_TEST

/* The rule the helper serves: no code in sim/ builds a shell command.  grep
 * is itself run with an argument vector; exit 1 means no line matched. */
START_TEST(no_shell_commands_in_sim)
{
    char dir[64];
    test_tmpdir(dir, sizeof dir, "spawn");
    char path[128], got[4096], err[256];
    snprintf(path, sizeof path, "%s/grep", dir);
    const char *const argv[] = {"grep", "-rnE", "--include=*.c", "--include=*.h",
                                "(^|[^A-Za-z0-9_])(system|popen)[[:space:]]*\\(",
                                CODESIM_ROOT "/sim", NULL};
    const int rc = io_spawn(argv, path, err, sizeof err);
    ck_assert_msg(rc >= 0, "%s", err);
    slurp(path, got, sizeof got);
    ck_assert_msg(rc == 1, "sim/ must run tools through io_spawn (sim/io/spawn.h), found:\n%s",
                  got);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *spawn_suite(void)
{
    Suite *s = suite_create("spawn");
    TCase *tc = tcase_create("spawn");
    tcase_add_test(tc, io_spawn_returns_the_exit_status);
    tcase_add_test(tc, io_spawn_reports_a_missing_program_as_not_found);
    tcase_add_test(tc, io_spawn_sends_output_to_a_file_and_passes_arguments_verbatim);
    tcase_add_test(tc, io_spawn_without_a_file_sends_output_to_stderr);
    tcase_add_test(tc, no_shell_commands_in_sim);
    suite_add_tcase(s, tc);
    return s;
}

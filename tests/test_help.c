/* test_help.c - one command-line convention across codesim's commands, run
 * on the real binary ($CODESIM_BIN): every command's --help (also after
 * other flags) exits 0 and has an EXAMPLES section and its defaults; a table
 * of concepts names the one flag each has in every command that takes it
 * (old spellings stay accepted, unlisted); the progress line appears on a
 * terminal only. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

#ifndef CODESIM_ROOT
#define CODESIM_ROOT "."
#endif

Suite *help_suite(void);

/* The commands `codesim --help` lists, so that a new command is covered. */
static size_t commands(char names[40][24])
{
    static char out[16384];
    ck_assert_int_eq(test_popen(out, sizeof out, 0, "%s --help", test_bin()), 0);
    const char *s = strstr(out, "commands:\n");
    ck_assert_ptr_nonnull(s);
    size_t n = 0;
    /* "  NAME  what it does" lines until the blank line; a line indented
     * deeper continues the one before. */
    for (s = strchr(s, '\n') + 1; *s == ' ' && n < 40; s = strchr(s, '\n') + 1) {
        if (s[2] == ' ')
            continue;
        sscanf(s, " %23s", names[n]);
        n++;
    }
    return n;
}

START_TEST(test_every_command_help_exits_0_with_examples_and_defaults_after_any_flag)
{
    char names[40][24];
    const size_t n = commands(names);
    ck_assert_uint_ge(n, 13);
    static char out[32768];
    /* --help alone, after another flag, after an unknown flag, after a
     * subcommand or positional argument. */
    static const char *const before[] = {"", "--db x.db", "--no-such-flag 3", "merge a.db",
                                         "--model traces/models/gpt2.json"};
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < sizeof before / sizeof before[0]; b++) {
            const int rc = test_popen(out, sizeof out, 0, "cd %s && %s %s %s --help", CODESIM_ROOT,
                              test_bin(), names[i], before[b]);
            ck_assert_msg(rc == 0, "codesim %s %s --help: exit %d", names[i], before[b], rc);
            ck_assert_msg(strstr(out, "usage: codesim") == out, "codesim %s %s --help:\n%s",
                          names[i], before[b], out);
            ck_assert_msg(strstr(out, "\nEXAMPLES\n  codesim "), "codesim %s --help: no EXAMPLES",
                          names[i]);
            ck_assert_msg(strstr(out, "default") || strstr(out, "required"),
                          "codesim %s --help: no default or required flag shown", names[i]);
        }
    /* rtlcheck's help is per block, also after other flags. */
    ck_assert_int_eq(test_popen(out, sizeof out, 0, "%s rtlcheck --trials 3 --block pim --help", test_bin()), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: codesim rtlcheck --block pim"));
    /* pareto lists every metric, LLM ones too. */
    ck_assert_int_eq(test_popen(out, sizeof out, 0, "%s pareto --help", test_bin()), 0);
    static const char *const metrics[] = {"total_cycles", "area_mm2", "energy_pj", "tops_per_w",
                                          "ttft_s", "tpot_s", "tokens_per_s"};
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
        ck_assert_msg(strstr(out, metrics[i]), "pareto --help lacks %s", metrics[i]);
}
END_TEST

/* Found by a new-user pass (newuser2 defect 14): a missing value or an
 * unknown option printed getopt's "run: option ... requires an argument"
 * and then the whole usage (44-70 lines).  Now one line with the command's
 * prefix and exit 2, in every command that parses options (rtlcheck's
 * blocks too); the flag that takes a value is the first "--flag VALUE" its
 * own --help shows. */
START_TEST(test_option_errors_are_one_line_and_exit_2)
{
    char names[40][24];
    size_t n = commands(names);
    static const char *const blocks[] = {"lut", "pim", "addertree"};
    static char out[32768];
    char cmd[64], want[320];
    for (size_t i = 0; i < n + 3; i++) {
        if (i < n && (!strcmp(names[i], "db") || !strcmp(names[i], "version")))
            continue; /* no options: db takes a subcommand, version nothing */
        if (i < n)
            snprintf(cmd, sizeof cmd, "%.23s", names[i]);
        else
            snprintf(cmd, sizeof cmd, "rtlcheck --block %s", blocks[i - n]);
        const char *name = cmd; /* a block's errors and help hint name it */
        int rc = test_popen(out, sizeof out, 1, "%s %s --no-such-flag", test_bin(), cmd);
        snprintf(want, sizeof want,
                 "codesim %s: unknown option '--no-such-flag' (codesim %s --help lists them)\n",
                 name, name);
        ck_assert_msg(rc == 2 && !strcmp(out, want), "codesim %s --no-such-flag: exit %d:\n%s",
                      cmd, rc, out);
        /* The first flag with a value in the command's help, given last. */
        ck_assert_int_eq(test_popen(out, sizeof out, 0, "%s %s --help", test_bin(), cmd), 0);
        const char *f = out;
        char flag[40] = "";
        while ((f = strstr(f, "--")) != NULL) {
            size_t len = strspn(f + 2, "abcdefghijklmnopqrstuvwxyz-") + 2;
            if (len > 2 && len < sizeof flag && f[len] == ' ' && f[len + 1] >= 'A' &&
                f[len + 1] <= 'Z') {
                snprintf(flag, sizeof flag, "%.*s", (int)len, f);
                break;
            }
            f += 2;
        }
        ck_assert_msg(flag[0], "codesim %s --help: no --flag VALUE", cmd);
        rc = test_popen(out, sizeof out, 1, "%s %s %s", test_bin(), cmd, flag);
        snprintf(want, sizeof want, "codesim %s: %s: needs a value\n", name, flag);
        ck_assert_msg(rc == 2 && !strcmp(out, want), "codesim %s %s: exit %d:\n%s", cmd, flag,
                      rc, out);
    }
    /* A value given to a flag that takes none. */
    int rc = test_popen(out, sizeof out, 1, "%s run --help=3", test_bin());
    ck_assert_msg(rc == 2 && !strcmp(out, "codesim run: --help: takes no value\n"), "%d: %s", rc,
                  out);
}
END_TEST

/* README's command-line synopsis has every flag and --mode value that run's
 * own synopsis has (it lacked pimgpt and --accounting). */
START_TEST(test_readme_synopsis_has_runs_flags_and_modes)
{
    static char out[32768], readme[1 << 18];
    ck_assert_int_eq(test_popen(out, sizeof out, 0, "%s run --help", test_bin()), 0);
    char *end = strstr(out, "\n\n");
    ck_assert_ptr_nonnull(end);
    *end = 0; /* the synopsis: the text before the first blank line */
    FILE *f = fopen(CODESIM_ROOT "/README.md", "r");
    ck_assert_ptr_nonnull(f);
    readme[fread(readme, 1, sizeof readme - 1, f)] = 0;
    fclose(f);
    char *block = strstr(readme, "## Command line\n\n```\n");
    ck_assert_ptr_nonnull(block);
    char *close = strstr(block + 20, "```");
    ck_assert_ptr_nonnull(close);
    *close = 0;
    const char *mode = strstr(out, "[--mode ");
    ck_assert_ptr_nonnull(mode);
    char want[128];
    snprintf(want, sizeof want, "%.*s", (int)(strchr(mode, ']') - mode + 1), mode);
    ck_assert_msg(strstr(block, want) != NULL, "README synopsis lacks %s", want);
    for (const char *p = out; (p = strstr(p, "[--")); p++) {
        snprintf(want, sizeof want, "%.*s", (int)strcspn(p + 1, " ]"), p + 1);
        ck_assert_msg(strstr(block, want) != NULL, "README synopsis lacks run's %s", want);
    }
}
END_TEST

/* Required flags say so. */
START_TEST(test_required_flags_are_marked)
{
    static const struct {
        const char *cmd, *flag;
    } req[] = {{"rtlcheck", "--block"}, {"rtlcheck", "--dataflow"}, {"map", "--model"},
               {"dram", "--trace"},     {"pareto", "--db"},         {"pareto", "--x"},
               {"report", "--db"},      {"report", "--out"},        {"sweep", "FILE"}};
    static char out[32768];
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
        ck_assert_int_eq(test_popen(out, sizeof out, 0, "%s %s --help", test_bin(), req[i].cmd), 0);
        /* The flag's own line (after the usage lines) says "required". */
        const char *body = strstr(out, "\n\n");
        ck_assert_ptr_nonnull(body);
        char want[64];
        snprintf(want, sizeof want, "\n  %s ", req[i].flag);
        const char *line = strstr(body, want);
        if (!line) {
            snprintf(want, sizeof want, "\n  %s", req[i].flag);
            line = strstr(body, want);
        }
        ck_assert_msg(line, "codesim %s --help: no line for %s", req[i].cmd, req[i].flag);
        const char *end = strchr(line + 1, '\n');
        ck_assert_msg(strstr(line, "required") && strstr(line, "required") < end,
                      "codesim %s --help: %s not marked required", req[i].cmd, req[i].flag);
    }
}
END_TEST

/* One concept, one flag name in every command that takes it; the old
 * spellings are not shown. */
START_TEST(test_one_flag_name_per_concept_across_commands)
{
    static const struct {
        const char *concept, *flag, *old[3], *cmds[8];
    } table[] = {
        {"weight bits", "--w-bits", {"--wbits", "--weight-bits"},
         {"run", "map", "lutcompare", "rtlcheck", "rtlcheck --block lut"}},
        {"activation bits", "--a-bits", {"--abits", "--in-bits"},
         {"run", "map", "lutcompare", "rtlcheck", "rtlcheck --block lut"}},
        {"KV-cache bits", "--kv-bits", {"--kvbits"}, {"run", "map"}},
        {"accumulator bits", "--acc-bits", {"--accbits"}, {"rtlcheck", "synth"}},
        {"results database", "--db", {"--database"},
         {"run", "rtlcheck", "sweep", "pareto", "report", "synth", "rtlcheck --block pim"}},
        {"hardware file", "--hw", {"--hardware", "--config"},
         {"run", "map", "area", "dram", "lutcompare", "pimgemv"}},
        {"technology node", "--tech", {"--node"}, {"run", "area", "synth", "lutcompare", "pimgemv"}},
        {"layer workload", "--workload", {"--trace-csv"}, {"run", "area", "lutcompare"}},
        {"LLM config", "--model", {"--config-json"}, {"run", "map"}},
        {"LLM batch", "--batch", {"--bs"}, {"run", "map"}},
        {"LLM prompt tokens", "--prompt", {"--prompt-len"}, {"run", "map"}},
        {"LLM new tokens", "--gen", {"--gen-len", "--tokens"}, {"run", "map"}},
        {"random seed", "--seed", {"--rng"}, {"rtlcheck", "rtlcheck --block pim", "rtlcheck --block lut"}},
        {"cases", "--trials", {"--cases"}, {"rtlcheck", "rtlcheck --block pim", "rtlcheck --block lut"}},
    };
    static char out[32768];
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        for (size_t c = 0; c < 8 && table[i].cmds[c]; c++) {
            ck_assert_int_eq(test_popen(out, sizeof out, 0, "%s %s --help", test_bin(), table[i].cmds[c]), 0);
            char want[40];
            snprintf(want, sizeof want, "%s ", table[i].flag);
            ck_assert_msg(strstr(out, want) || strstr(out, table[i].flag),
                          "%s: codesim %s --help does not show %s", table[i].concept,
                          table[i].cmds[c], table[i].flag);
            for (size_t o = 0; o < 3 && table[i].old[o]; o++) {
                const char *p = strstr(out, table[i].old[o]);
                const char next = p ? p[strlen(table[i].old[o])] : 0;
                ck_assert_msg(!p || (next >= 'a' && next <= 'z') || next == '-',
                              "%s: codesim %s --help shows %s, not %s", table[i].concept,
                              table[i].cmds[c], table[i].old[o], table[i].flag);
            }
        }
    /* --gen means the same in map and run: both default to 2. */
    static const char *const gen_cmds[] = {"run", "map"};
    for (size_t c = 0; c < 2; c++) {
        ck_assert_int_eq(test_popen(out, sizeof out, 0, "%s %s --help", test_bin(), gen_cmds[c]), 0);
        const char *g = strstr(out, "\n  --gen G");
        ck_assert_msg(g && strstr(g, "(default 2") && strstr(g, "(default 2") < strstr(g, ")"),
                      "%s --help: --gen does not default to 2", gen_cmds[c]);
    }
}
END_TEST

/* The old spellings still work: the same run with --wbits and --w-bits
 * prints the same result; map without --gen maps one decode step. */
START_TEST(test_old_flag_spellings_still_accepted)
{
    static char a[65536], b[65536];
    char dir[64];
    test_tmpdir(dir, sizeof dir, "help");
    const char *run = "%s run --model %s/traces/models/gpt2.json --hw %s/configs/npu_pim.yaml "
                      "--batch 2 --prompt 16 --gen 2 %s 4 --db %s/r.db";
    char fmt_a[512];
    snprintf(fmt_a, sizeof fmt_a, run, test_bin(), CODESIM_ROOT, CODESIM_ROOT, "--w-bits", dir);
    ck_assert_msg(test_popen(a, sizeof a, 1, "%s | grep -v 'stored as run'", fmt_a) == 0, "%s", a);
    snprintf(fmt_a, sizeof fmt_a, run, test_bin(), CODESIM_ROOT, CODESIM_ROOT, "--wbits", dir);
    ck_assert_msg(test_popen(b, sizeof b, 1, "%s | grep -v 'stored as run'", fmt_a) == 0, "%s", b);
    ck_assert_str_eq(a, b);
    ck_assert_ptr_nonnull(strstr(a, "W4"));
    ck_assert_int_eq(test_popen(a, sizeof a, 1, "cd %s && %s map --model %s/traces/models/gpt2.json "
                                        "--prompt 16", dir, test_bin(), CODESIM_ROOT), 0);
    ck_assert_msg(strstr(a, "gen 2") || strstr(a, "2 new tokens"), "%s", a);
    test_rmtree(dir);
}
END_TEST

/* A run longer than a second shows "codesim run: simulating..." on a
 * terminal (script(1) gives it one) and nothing of the kind in a pipe. */
START_TEST(test_progress_line_on_a_terminal_only)
{
    static char out[1 << 16];
    char dir[64];
    test_tmpdir(dir, sizeof dir, "help");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s run --model %s/traces/models/llama-2-7b.json --hw "
                              "%s/configs/npu_pim.yaml --batch 16 --prompt 1024 --gen 12 --db "
                              "%s/r.db", test_bin(), CODESIM_ROOT, CODESIM_ROOT, dir);
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "%s", cmd), 0);
    ck_assert_msg(!strstr(out, "simulating"), "progress in a pipe: %.500s", out);
    ck_assert_int_eq(test_popen(out, sizeof out, 1, "script -qec '%s' /dev/null", cmd), 0);
    ck_assert_msg(strstr(out, "\rcodesim run: simulating the model... 1."), "%.500s", out);
    test_rmtree(dir);
}
END_TEST

Suite *help_suite(void)
{
    Suite *s = suite_create("help");
    TCase *tc = tcase_create("help");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_every_command_help_exits_0_with_examples_and_defaults_after_any_flag);
    tcase_add_test(tc, test_required_flags_are_marked);
    tcase_add_test(tc, test_option_errors_are_one_line_and_exit_2);
    tcase_add_test(tc, test_readme_synopsis_has_runs_flags_and_modes);
    tcase_add_test(tc, test_one_flag_name_per_concept_across_commands);
    tcase_add_test(tc, test_old_flag_spellings_still_accepted);
    tcase_add_test(tc, test_progress_line_on_a_terminal_only);
    suite_add_tcase(s, tc);
    return s;
}

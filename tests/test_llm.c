/* test_llm.c - `codesim run --model` as a user runs it: LLM inference on the
 * NPU with PIM, its report, the stored rows, the timeline file, db merge of
 * LLM runs, and bad input. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests.h"

static char dir[64];

static void setup(void)
{
    test_tmpdir(dir, sizeof dir, "llm");
}

static void teardown(void)
{
    test_rmtree(dir);
}

/* Runs `codesim ARGS` from the source tree; stdout and stderr into out. */
static int run(const char *args, char *out, size_t n)
{
    return test_codesim(dir, args, out, n, NULL, 0);
}

static long q(const char *db, const char *sql)
{
    char cmd[1024], buf[64] = "";
    snprintf(cmd, sizeof cmd, "sqlite3 %s/%s \"%s\"", dir, db, sql);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, p));
    pclose(p);
    return atol(buf);
}

static char out[1 << 16];

START_TEST(llm_run_reports_and_stores_every_unit_and_op)
{
    char args[512];
    snprintf(args, sizeof args,
             "run --model traces/models/gpt2.json --hw configs/npu_pim.yaml --batch 4 "
             "--prompt 32 --gen 3 --mode neupims --timeline %s/tl.json --db %s/r.db",
             dir, dir);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    for (const char *w = "time to first token\0time per output token\0tokens/s\0core3.matrix\0"
                         "pim\0ui.perfetto.dev\0stored as run 1\0";
         *w; w += strlen(w) + 1)
        ck_assert_msg(strstr(out, w), "output lacks '%s':\n%s", w, out);
    ck_assert_int_eq(q("r.db", "SELECT count(*) FROM runs WHERE path = 'npu'"), 1);
    ck_assert_int_eq(q("r.db", "SELECT decode_steps FROM llm_runs WHERE mode = 'neupims'"), 2);
    /* 4 cores x (matrix, vector) + the DRAM channel + PIM */
    ck_assert_int_eq(q("r.db", "SELECT count(*) FROM llm_units"), 10);
    ck_assert_int_gt(q("r.db", "SELECT count(*) FROM llm_ops WHERE unit = 'pim'"), 0);
    ck_assert_int_eq(q("r.db", "SELECT sum(macs) = (SELECT macs FROM llm_runs) FROM llm_ops"), 1);
    ck_assert_int_eq(q("r.db", "SELECT ttft_s > 0 AND tpot_s > 0 AND tokens_per_s > 0 FROM "
                               "llm_runs"),
                     1);
    /* Energy and area, printed and stored with the run (45 nm by default). */
    for (const char *w = "energy and area on 45nm\0TOPS/W\0TOPS/mm^2\0pim.mac\0array.mac\0";
         *w; w += strlen(w) + 1)
        ck_assert_msg(strstr(out, w), "output lacks '%s':\n%s", w, out);
    ck_assert_int_gt(q("r.db", "SELECT count(*) FROM breakdowns WHERE kind = 'energy_pj'"), 5);
    ck_assert_int_gt(q("r.db", "SELECT count(*) FROM breakdowns WHERE kind = 'area_um2'"), 5);
    ck_assert_int_eq(q("r.db", "SELECT count(DISTINCT run_id) FROM breakdowns"), 1);
    ck_assert_int_eq(q("r.db", "SELECT count(*) FROM breakdowns WHERE kind = 'energy_pj' AND"
                               " component = 'pim.mac' AND value > 0"), 1);
    /* The timeline is Chrome trace-event JSON with two processes. */
    char path[128];
    snprintf(path, sizeof path, "%s/tl.json", dir);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    ck_assert_msg(root != NULL, "timeline: %s", je.text);
    json_t *ev = json_object_get(root, "traceEvents");
    ck_assert_int_gt((long)json_array_size(ev), 10);
    json_decref(root);
    /* An LLM run merges into another database with its rows. */
    snprintf(args, sizeof args, "db merge %s/m.db %s/r.db", dir, dir);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    ck_assert_int_eq(q("m.db", "SELECT count(*) FROM llm_runs"), 1);
    ck_assert_int_eq(q("m.db", "SELECT count(*) FROM llm_units"), 10);
    ck_assert_int_eq(q("m.db", "SELECT count(*) FROM llm_ops"),
                     q("r.db", "SELECT count(*) FROM llm_ops"));
}
END_TEST

START_TEST(llm_modes_order_like_neupims_on_the_cli)
{
    /* Llama-2-7B decode at batch 64, context 512, one decode step. */
    double tpot[3];
    const char *modes[3] = {"npu", "pim-blocked", "neupims"};
    for (int m = 0; m < 3; m++) {
        char args[512];
        snprintf(args, sizeof args,
                 "run --model traces/models/llama-2-7b.json --hw configs/npu_pim.yaml --batch 64 "
                 "--prompt 512 --gen 2 --mode %s --db %s/o.db",
                 modes[m], dir);
        ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
        const char *t = strstr(out, "time per output token");
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(sscanf(t, "time per output token %lf", &tpot[m]), 1);
    }
    ck_assert_msg(tpot[2] < tpot[1] && tpot[1] < tpot[0], "TPOT npu %g, blocked %g, neupims %g",
                  tpot[0], tpot[1], tpot[2]);
}
END_TEST

START_TEST(llm_bad_input_is_one_line)
{
    char args[512];
    static const struct {
        const char *args, *want;
    } bad[] = {
        {"run --model traces/models/gpt2.json --mode neupims", "pim: section"},
        {"run --model traces/models/gpt2.json --mode turbo", "--mode"},
        {"run --model traces/models/nosuch.json", "nosuch.json"},
        {"run --model traces/models/gpt2.json --batch 0", "--batch"},
        {"run --model traces/models/gpt2.json --prompt 1000 --gen 100", "gen"},
        {"run --model traces/models/gpt2.json --prompt 2000", "prompt"},
        {"run --model traces/models/gpt2.json --tech 3nm", "--tech"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(args, sizeof args, "%s --db %s/b.db", bad[i].args, dir);
        ck_assert_int_ne(run(args, out, sizeof out), 0);
        ck_assert_msg(strstr(out, bad[i].want) && strchr(out, '\n') == strrchr(out, '\n'),
                      "%s: want one line with '%s': %s", bad[i].args, bad[i].want, out);
    }
}
END_TEST

/* A MoE run's result depends on its routing: the stored row says which seed
 * (uniform routing) or which trace (path and FNV-1a hash of its bytes, so an
 * edited trace under the same name is a different run); a dense model
 * stores none of them. */
START_TEST(llm_moe_run_stores_its_routing)
{
    char args[512];
    snprintf(args, sizeof args,
             "run --model traces/models/qwen1.5-moe-a2.7b.json --hw configs/npu_pim.yaml "
             "--batch 1 --prompt 4 --gen 2 --seed 7 --db %s/r.db", dir);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    ck_assert_int_eq(q("r.db", "SELECT route_seed FROM llm_runs"), 7);
    ck_assert_int_eq(q("r.db", "SELECT routing_file IS NULL AND routing_hash IS NULL FROM llm_runs"),
                     1);
    /* A trace: prefill 4 tokens x top-4 and one decode token x top-4, all
     * layers to experts 0..3; its hash is computed here from the bytes. */
    char path[160];
    snprintf(path, sizeof path, "%s/route.csv", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    char text[1 << 14];
    size_t len = (size_t)snprintf(text, sizeof text, "step,layer,expert,tokens\n");
    for (int l = 0; l < 24; l++)
        for (int e = 0; e < 4; e++)
            len += (size_t)snprintf(text + len, sizeof text - len, "0,%d,%d,4\n1,%d,%d,1\n", l, e,
                                    l, e);
    ck_assert_uint_lt(len, sizeof text);
    fwrite(text, 1, len, f);
    fclose(f);
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
    snprintf(args, sizeof args,
             "run --model traces/models/qwen1.5-moe-a2.7b.json --hw configs/npu_pim.yaml "
             "--batch 1 --prompt 4 --gen 2 --routing %s --db %s/r.db", path, dir);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT route_seed IS NULL AND routing_file = '%s' AND routing_hash = '%016llx' "
             "FROM llm_runs WHERE run_id = 2", path, (unsigned long long)h);
    ck_assert_int_eq(q("r.db", sql), 1);
    snprintf(args, sizeof args,
             "run --model traces/models/gpt2.json --hw configs/npu_pim.yaml --batch 1 "
             "--prompt 4 --gen 2 --db %s/r.db", dir);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    ck_assert_int_eq(q("r.db", "SELECT route_seed IS NULL AND routing_file IS NULL FROM llm_runs "
                               "WHERE run_id = 3"),
                     1);
}
END_TEST

/* A run with one new token has no decode step, so no time per output
 * token: llm_runs.tpot_s is NULL (it was 0.0), --json says null, the table
 * says "-", and pareto counts such points "without tpot_s" rather than
 * ranking them the best, also in a database written before, with 0.0
 * stored (new-user-2 defect 12). */
START_TEST(llm_no_decode_step_has_no_tpot)
{
    char args[1024];
    snprintf(args, sizeof args, "run --model traces/models/gpt2.json --prompt 8 --gen 1"
             " --db %s/g.db --json %s/g.json", dir, dir);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    ck_assert_msg(strstr(out, "time per output token            -"), "%s", out);
    ck_assert_int_eq(q("g.db", "SELECT count(*) FROM llm_runs WHERE tpot_s IS NULL"), 1);
    char path[128];
    snprintf(path, sizeof path, "%s/g.json", dir);
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    ck_assert_msg(doc, "%s", e.text);
    ck_assert(json_is_null(json_object_get(json_object_get(doc, "llm"), "tpot_s")));
    json_decref(doc);
    /* a sweep of two gen-1 points: neither has a tpot_s */
    snprintf(path, sizeof path, "%s/g1.yaml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "name: g1\nworkloads: [%s/traces/models/gpt2.json]\nllm: {gen: 1, prompt: 16}\n"
               "params:\n  array.rows: [8, 16]\n", CODESIM_ROOT);
    fclose(f);
    snprintf(args, sizeof args, "sweep %s --db %s/s.db", path, dir);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    ck_assert_int_eq(q("s.db", "SELECT count(*) FROM llm_runs WHERE tpot_s IS NULL"), 2);
    snprintf(args, sizeof args, "pareto --db %s/s.db --x tpot_s --y pes", dir);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    ck_assert_msg(strstr(out, "0 optimal of 0 points, 2 without tpot_s"), "%s", out);
    /* as an older codesim stored it */
    q("s.db", "UPDATE llm_runs SET tpot_s = 0.0; SELECT 0");
    ck_assert_int_eq(q("s.db", "SELECT count(*) FROM llm_runs WHERE tpot_s = 0.0"), 2);
    ck_assert_msg(run(args, out, sizeof out) == 0, "%s", out);
    ck_assert_msg(strstr(out, "0 optimal of 0 points, 2 without tpot_s"), "%s", out);
}
END_TEST

Suite *llm_suite(void)
{
    Suite *s = suite_create("llm");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, llm_run_reports_and_stores_every_unit_and_op);
    tcase_add_test(tc, llm_modes_order_like_neupims_on_the_cli);
    tcase_add_test(tc, llm_bad_input_is_one_line);
    tcase_add_test(tc, llm_moe_run_stores_its_routing);
    tcase_add_test(tc, llm_no_decode_step_has_no_tpot);
    suite_add_tcase(s, tc);
    return s;
}

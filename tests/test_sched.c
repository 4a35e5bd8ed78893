/* test_sched.c - the event-driven scheduler against a hand-computed schedule,
 * against a naive cycle-stepped scheduler on random programs, and its
 * Chrome trace against a JSON parser. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/run/sched.h"
#include "tests.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(hand_computed_critical_path)
{
    /* Units A, B.  c0: A 10.  c1: B 5.  c2: A 7 after c1 -> A is busy until
     * 10, runs 10..17.  c3: B 20 after c0 -> 10..30.  c4: A 3 after c2, c3 ->
     * 30..33.  Critical path c0 -> c3 -> c4 = 10 + 20 + 3 = 33. */
    char err[128];
    sched_t *s = sched_new();
    ck_assert_int_eq(sched_add_unit(s, "A", err, sizeof err), 0);
    ck_assert_int_eq(sched_add_unit(s, "B", err, sizeof err), 1);
    const uint32_t d1[] = {1}, d0[] = {0}, d23[] = {2, 3};
    ck_assert_int_eq(sched_add_cmd(s, 0, 10, 0, NULL, 0, err, sizeof err), 0);
    ck_assert_int_eq(sched_add_cmd(s, 1, 5, 1, NULL, 0, err, sizeof err), 1);
    ck_assert_int_eq(sched_add_cmd(s, 0, 7, 2, d1, 1, err, sizeof err), 2);
    ck_assert_int_eq(sched_add_cmd(s, 1, 20, 3, d0, 1, err, sizeof err), 3);
    ck_assert_int_eq(sched_add_cmd(s, 0, 3, 4, d23, 2, err, sizeof err), 4);
    uint64_t span;
    ck_assert_int_eq(sched_run(s, &span, err, sizeof err), 0);
    ck_assert_uint_eq(span, 33);
    const uint64_t start[] = {0, 0, 10, 10, 30};
    for (uint64_t c = 0; c < 5; c++)
        ck_assert_uint_eq(sched_cmd(s, c)->start, start[c]);
    ck_assert_uint_eq(sched_unit(s, 0)->busy, 20);
    ck_assert_uint_eq(sched_unit(s, 1)->busy, 25);
    sched_free(s);
}
END_TEST

/* Naive reference: step one cycle at a time; at each cycle first retire
 * commands ending now, then each idle unit starts its lowest-numbered ready
 * command (repeating while zero-length commands finish at once). */
static void naive(const uint32_t *unit, const uint64_t *dur, uint32_t **deps, const uint32_t *nd,
                  uint32_t n, uint32_t units, uint64_t *start)
{
    uint64_t *end = calloc(n, sizeof *end);
    int *state = calloc(n, sizeof *state); /* 0 waiting, 1 running, 2 done */
    int *ubusy = calloc(units, sizeof *ubusy);
    uint32_t left = n;
    for (uint64_t t = 0; left; t++) {
        int changed = 1;
        while (changed) {
            changed = 0;
            for (uint32_t c = 0; c < n; c++) {
                if (state[c] == 1 && end[c] == t) {
                    state[c] = 2;
                    ubusy[unit[c]] = 0;
                    left--;
                    changed = 1;
                }
            }
            for (uint32_t u = 0; u < units; u++) {
                if (ubusy[u])
                    continue;
                for (uint32_t c = 0; c < n; c++) {
                    if (state[c] || unit[c] != u)
                        continue;
                    int ok = 1;
                    for (uint32_t d = 0; d < nd[c]; d++)
                        ok &= state[deps[c][d]] == 2;
                    if (!ok)
                        continue;
                    state[c] = 1;
                    start[c] = t;
                    end[c] = t + dur[c];
                    ubusy[u] = 1;
                    changed = 1;
                    break;
                }
            }
        }
    }
    free(end);
    free(state);
    free(ubusy);
}

START_TEST(event_driven_equals_cycle_stepped_on_random_programs)
{
    uint64_t seed = 77 + (uint64_t)_i;
    char err[128];
    enum { N = 120 };
    const uint32_t units = 1 + (uint32_t)(rnd(&seed) % 5);
    uint32_t unit[N], nd[N], *deps[N];
    uint64_t dur[N], start[N];
    sched_t *s = sched_new();
    for (uint32_t u = 0; u < units; u++)
        ck_assert_int_ge(sched_add_unit(s, "u", err, sizeof err), 0);
    for (uint32_t c = 0; c < N; c++) {
        unit[c] = (uint32_t)(rnd(&seed) % units);
        dur[c] = rnd(&seed) % 4 == 0 ? 0 : rnd(&seed) % 30;
        nd[c] = c ? (uint32_t)(rnd(&seed) % 4) : 0;
        deps[c] = malloc((nd[c] + 1) * sizeof *deps[c]);
        for (uint32_t d = 0; d < nd[c]; d++)
            deps[c][d] = (uint32_t)(rnd(&seed) % c);
        ck_assert_int_eq(sched_add_cmd(s, unit[c], dur[c], c, deps[c], nd[c], err, sizeof err), c);
    }
    uint64_t span, want = 0;
    ck_assert_int_eq(sched_run(s, &span, err, sizeof err), 0);
    naive(unit, dur, deps, nd, N, units, start);
    for (uint32_t c = 0; c < N; c++) {
        ck_assert_msg(sched_cmd(s, c)->start == start[c], "cmd %u: start %llu, naive %llu", c,
                      (unsigned long long)sched_cmd(s, c)->start, (unsigned long long)start[c]);
        if (start[c] + dur[c] > want)
            want = start[c] + dur[c];
        free(deps[c]);
    }
    ck_assert_uint_eq(span, want);
    sched_free(s);
}
END_TEST

START_TEST(one_unit_per_command_gives_the_longest_path)
{
    /* With a unit per command nothing waits for a unit: the makespan is the
     * longest dependency chain, computed here by dynamic programming. */
    uint64_t seed = 5;
    char err[128];
    enum { N = 300 };
    uint64_t finish[N], longest = 0;
    sched_t *s = sched_new();
    for (uint32_t c = 0; c < N; c++) {
        ck_assert_int_eq(sched_add_unit(s, "u", err, sizeof err), (int)c);
        const uint64_t d = rnd(&seed) % 100;
        uint32_t deps[3], nd = c ? (uint32_t)(rnd(&seed) % 4) : 0;
        if (nd > 3)
            nd = 3;
        uint64_t ready = 0;
        for (uint32_t k = 0; k < nd; k++) {
            deps[k] = (uint32_t)(rnd(&seed) % c);
            if (finish[deps[k]] > ready)
                ready = finish[deps[k]];
        }
        finish[c] = ready + d;
        if (finish[c] > longest)
            longest = finish[c];
        ck_assert_int_eq(sched_add_cmd(s, c, d, c, deps, nd, err, sizeof err), c);
    }
    uint64_t span;
    ck_assert_int_eq(sched_run(s, &span, err, sizeof err), 0);
    ck_assert_uint_eq(span, longest);
    sched_free(s);
}
END_TEST

static const char *name_of(uint32_t tag, void *ctx)
{
    (void)ctx;
    return tag % 2 ? "gemm \"q\"" : "dma";
}

START_TEST(timeline_is_valid_chrome_trace_json)
{
    char err[128];
    sched_t *s = sched_new();
    sched_add_unit(s, "core0.matrix", err, sizeof err);
    sched_add_unit(s, "dram", err, sizeof err);
    const uint32_t d0[] = {0};
    sched_add_cmd(s, 1, 100, 0, NULL, 0, err, sizeof err);
    sched_add_cmd(s, 0, 250, 1, d0, 1, err, sizeof err);
    uint64_t span;
    ck_assert_int_eq(sched_run(s, &span, err, sizeof err), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int first = 1;
    fputs("{\"traceEvents\":[", f);
    ck_assert_int_eq(sched_trace_events(s, f, 0, "prefill", 1000.0, 0, name_of, NULL, &first), 0);
    ck_assert_int_eq(sched_trace_events(s, f, 1, "decode", 1000.0, 0, name_of, NULL, &first), 0);
    fputs("]}", f);
    fclose(f);
    json_error_t je;
    json_t *root = json_loads(buf, 0, &je);
    ck_assert_msg(root != NULL, "not JSON: %s (line %d)", je.text, je.line);
    json_t *ev = json_object_get(root, "traceEvents");
    ck_assert(json_is_array(ev));
    int complete = 0;
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        if (strcmp(json_string_value(json_object_get(e, "ph")), "X") != 0)
            continue;
        complete++;
        if (json_integer_value(json_object_get(json_object_get(e, "args"), "cmd")) == 1) {
            ck_assert_str_eq(json_string_value(json_object_get(e, "name")), "gemm \"q\"");
            /* 100 cycles at 1000 MHz = 0.1 us; 250 cycles = 0.25 us */
            ck_assert_double_eq_tol(json_real_value(json_object_get(e, "ts")), 0.1, 1e-9);
            ck_assert_double_eq_tol(json_real_value(json_object_get(e, "dur")), 0.25, 1e-9);
        }
    }
    ck_assert_int_eq(complete, 4); /* two commands in each of two processes */
    json_decref(root);
    free(buf);
    sched_free(s);
}
END_TEST

START_TEST(bad_programs_are_refused)
{
    char err[128];
    sched_t *s = sched_new();
    sched_add_unit(s, "A", err, sizeof err);
    const uint32_t fwd[] = {3};
    ck_assert_int_eq(sched_add_cmd(s, 0, 1, 0, fwd, 1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "dependency 3"));
    ck_assert_int_eq(sched_add_cmd(s, 7, 1, 0, NULL, 0, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unit 7"));
    sched_free(s);
}
END_TEST

Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("scheduler");
    tcase_add_test(tc, hand_computed_critical_path);
    tcase_add_loop_test(tc, event_driven_equals_cycle_stepped_on_random_programs, 0, 20);
    tcase_add_test(tc, one_unit_per_command_gives_the_longest_path);
    tcase_add_test(tc, timeline_is_valid_chrome_trace_json);
    tcase_add_test(tc, bad_programs_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

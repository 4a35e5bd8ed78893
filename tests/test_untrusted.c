/* test_untrusted.c - names and databases codesim did not make: every JSON
 * writer emits valid JSON for any byte string (sim/io/escape.h), and a
 * results database carrying objects or values codesim did not write is
 * refused at open, before any simulation (sim/db/db.c).  The binary runs
 * with an argument vector, never through a shell. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[256];

static void setup(void) { test_tmpdir(tmpdir, sizeof tmpdir, "untrusted"); }

static void teardown(void) { test_rmtree(tmpdir); }

/* codesim ARGS... (NULL-terminated, after the binary) into DIR/log, read
 * back into out; returns the exit status. */
static int codesim(char *out, size_t outlen, const char *const *args)
{
    char *argv[40];
    size_t n = 0;
    argv[n++] = (char *)"codesim";
    for (size_t i = 0; args[i] && n < 39; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    char log[320];
    snprintf(log, sizeof log, "%s/log", tmpdir);
    const int rc = test_codesim_argv(argv, log);
    test_slurp(log, out, outlen);
    return rc;
}

static void path_in(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", tmpdir, name);
}

/* The rule, written out by hand for each case (escape.h): every byte that
 * does not belong to a well-formed UTF-8 sequence becomes U+FFFD. */
#define R "\xef\xbf\xbd"
static const struct {
    const char *raw, *json;
} names[] = {
    {"ab\xff", "ab" R},                       /* a byte never in UTF-8 */
    {"\x80x", R "x"},                         /* a lone continuation byte */
    {"c\xc0\xaf", "c" R R},                   /* overlong '/' (2 bytes) */
    {"e\xe0\x80\xaf", "e" R R R},             /* overlong '/' (3 bytes) */
    {"s\xed\xa0\x80", "s" R R R},             /* a UTF-16 surrogate */
    {"t\xe2\x82", "t" R R},                   /* a cut 3-byte sequence */
    {"big\xf4\x90\x80\x80", "big" R R R R},   /* above U+10FFFF */
    {"ok\xc3\xa9\xe2\x82\xac", "ok\xc3\xa9\xe2\x82\xac"}, /* valid: kept */
};

/* --json keeps every layer of a workload whose names and path are not
 * UTF-8, and the document parses; it used to drop such a layer and fail
 * with "out of memory" on such a path (new-user-2 defect 3). */
START_TEST(json_keeps_every_layer_with_non_utf8_names_and_paths)
{
    char wl[300], js[300], db[300], out[8192];
    path_in(wl, sizeof wl, "w\xff\x80.csv");
    path_in(js, sizeof js, "out.json");
    path_in(db, sizeof db, "r.db");
    FILE *f = fopen(wl, "w");
    ck_assert_ptr_nonnull(f);
    fputs("Layer,M,N,K\n", f);
    for (size_t i = 0; i < ARRAY_N(names); i++)
        fprintf(f, "%s,8,8,8\n", names[i].raw);
    fclose(f);
    const char *args[] = {"run", "--workload", wl, "--json", js, "--db", db, NULL};
    ck_assert_msg(codesim(out, sizeof out, args) == 0, "%s", out);
    json_error_t e;
    json_t *doc = json_load_file(js, 0, &e);
    ck_assert_msg(doc, "%s: %s (line %d)", js, e.text, e.line);
    const json_t *layers = json_object_get(doc, "layers");
    ck_assert_uint_eq(json_array_size(layers), ARRAY_N(names));
    for (size_t i = 0; i < ARRAY_N(names); i++) {
        const char *got = json_string_value(json_object_get(json_array_get(layers, i), "name"));
        ck_assert_msg(got && !strcmp(got, names[i].json), "layer %zu: got '%s'", i,
                      got ? got : "(none)");
    }
    char want[300];
    snprintf(want, sizeof want, "%s/w" R R ".csv", tmpdir);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "workload")), want);
    json_decref(doc);
}
END_TEST

/* --timeline of a model whose file name is not UTF-8 parses as JSON and
 * names the process with U+FFFD; it used to copy the raw bytes. */
START_TEST(timeline_of_a_non_utf8_model_name_parses)
{
    char model[300], tl[300], db[300], out[8192], buf[1 << 16];
    path_in(model, sizeof model, "g\xff\xc0.json");
    path_in(tl, sizeof tl, "tl.json");
    path_in(db, sizeof db, "r.db");
    char src[300];
    snprintf(src, sizeof src, "%s/traces/models/gpt2.json", CODESIM_ROOT);
    test_slurp(src, buf, sizeof buf);
    test_write(model, buf);
    const char *args[] = {"run", "--model", model, "--prompt", "8", "--timeline", tl, "--db", db,
                          NULL};
    ck_assert_msg(codesim(out, sizeof out, args) == 0, "%s", out);
    json_error_t e;
    json_t *doc = json_load_file(tl, 0, &e);
    ck_assert_msg(doc, "%s: %s (line %d)", tl, e.text, e.line);
    char *text = json_dumps(doc, 0);
    ck_assert_msg(strstr(text, "g" R R), "no g\\ufffd\\ufffd in the timeline");
    free(text);
    json_decref(doc);
}
END_TEST

Suite *untrusted_suite(void)
{
    Suite *s = suite_create("untrusted");
    TCase *tc = tcase_create("json");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, json_keeps_every_layer_with_non_utf8_names_and_paths);
    tcase_add_test(tc, timeline_of_a_non_utf8_model_name_parses);
    suite_add_tcase(s, tc);
    return s;
}

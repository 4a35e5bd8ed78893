/* sweep.c - sweep files into points (format in sweep.h).
 *
 * Values go through hw_set(), the hardware parser's own key table and value
 * parsing, so a sweep accepts exactly what a hardware file accepts.  Load
 * checks everything that can be checked without simulating: each value on
 * its own, repeated values (two texts giving the same config), two keys for
 * one field, and every point's whole config against the models' ranges. */
#include "sweep.h"

#include "../../models/block.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../../mapper/ops.h"
#include "../io/textfile.h"
#include "../io/yamlscan.h"
#include "../io/workload.h"
#include "../cost/tech_file.h"
#include "../../models/util.h"

/* "FILE[:LINE]: [KEY: ]reason" as one line; returns -1. */
static int sweep_fail(char *err, size_t errlen, const char *path, unsigned line, const char *key,
                      const char *fmt, ...)
{
    char why[400], at[16] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (line)
        snprintf(at, sizeof at, ":%u", line);
    snprintf(err, errlen, "%s%s: %s%s%s", path, at, key ? key : "", key ? ": " : "", why);
    for (char *p = err; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    return -1;
}

void sweep_hash_bytes(const void *p, size_t len, char out[17])
{
    const uint64_t h = util_fnv1a(UTIL_FNV_INIT, p, len);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- YAML helpers ----------------------------------------------------------- */

typedef struct {
    const char *path;
    yaml_document_t *doc;
    char *err;
    size_t errlen;
} ld_t;

static unsigned line_of(const yaml_node_t *n)
{
    return (unsigned)n->start_mark.line + 1;
}

static const char *kind_of(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a sequence" : "a scalar";
}

static const char *scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A scalar that is a whole number 0..2^63. */
static int whole(ld_t *ld, const yaml_node_t *n, const char *key, uint64_t *out)
{
    const char *s = scalar(n);
    if (!s || !*s || strspn(s, "0123456789") != strlen(s))
        return sweep_fail(ld->err, ld->errlen, ld->path, line_of(n), key,
                          "'%.40s' is not a whole number", s ? s : kind_of(n));
    if (strlen(s) > 18)
        return sweep_fail(ld->err, ld->errlen, ld->path, line_of(n), key,
                          "%.40s is too large (at most 999999999999999999)", s);
    *out = strtoull(s, NULL, 10);
    return 0;
}

static int add_value(sweep_param_t *p, const char *text)
{
    if (p->nvalues == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        char **v = realloc(p->values, cap * sizeof *v);
        if (!v)
            return -1;
        p->values = v;
        p->cap = cap;
    }
    char **v = p->values;
    if (!(v[p->nvalues] = strdup(text)))
        return -1;
    p->nvalues++;
    return 0;
}

/* {from: A, to: B, step: S} or {from: A, to: B, times: T}. */
static int parse_range(ld_t *ld, yaml_node_t *map, sweep_param_t *p)
{
    uint64_t v[4] = {0};
    int have[4] = {0};
    static const char *const names[4] = {"from", "to", "step", "times"};
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < map->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(ld->doc, q->key);
        yaml_node_t *val = yaml_document_get_node(ld->doc, q->value);
        const char *s = scalar(k);
        int i = 0;
        while (i < 4 && !(s && strcmp(s, names[i]) == 0))
            i++;
        char key[128];
        snprintf(key, sizeof key, "%s.%.40s", p->key, s ? s : "?");
        if (i == 4)
            return sweep_fail(ld->err, ld->errlen, ld->path, line_of(k), key,
                              "unknown range key: use from, to and step or times");
        if (whole(ld, val, key, &v[i]))
            return -1;
        have[i] = 1;
    }
    const unsigned line = line_of(map);
    if (!have[0] || !have[1])
        return sweep_fail(ld->err, ld->errlen, ld->path, line, p->key,
                          "a range needs both from and to");
    if (have[2] && have[3])
        return sweep_fail(ld->err, ld->errlen, ld->path, line, p->key,
                          "a range takes step or times, not both");
    if (v[0] > v[1])
        return sweep_fail(ld->err, ld->errlen, ld->path, line, p->key,
                          "empty range: from %llu is above to %llu", (unsigned long long)v[0],
                          (unsigned long long)v[1]);
    if (have[2] && v[2] == 0)
        return sweep_fail(ld->err, ld->errlen, ld->path, line, p->key, "step must be at least 1");
    if (have[3] && (v[3] < 2 || v[0] == 0))
        return sweep_fail(ld->err, ld->errlen, ld->path, line, p->key,
                          "times must be at least 2 and from at least 1");
    const uint64_t step = have[2] ? v[2] : 1;
    for (uint64_t x = v[0]; x <= v[1];) {
        char text[24];
        snprintf(text, sizeof text, "%llu", (unsigned long long)x);
        if (p->nvalues >= SWEEP_MAX_VALUES)
            return sweep_fail(ld->err, ld->errlen, ld->path, line, p->key,
                              "the range has more than %d values", SWEEP_MAX_VALUES);
        if (add_value(p, text))
            return sweep_fail(ld->err, ld->errlen, ld->path, line, p->key, "out of memory");
        if (have[3]) {
            if (x > v[1] / v[3])
                break;
            x *= v[3];
        } else {
            if (x > v[1] - step)
                break;
            x += step;
        }
    }
    return 0;
}

/* "sram.ifmap_kib" and "sram.ifmap_bytes" set one field: the part before
 * the unit suffix names it. */
static size_t field_len(const char *key)
{
    size_t n = strlen(key);
    if (n > 4 && strcmp(key + n - 4, "_kib") == 0)
        return n - 4;
    if (n > 6 && strcmp(key + n - 6, "_bytes") == 0)
        return n - 6;
    return n;
}

typedef struct {
    char hash[17];
    size_t i;
} value_hash_t;

/* By hash, then by position: the later of two equal values is named. */
static int value_hash_cmp(const void *a, const void *b)
{
    const value_hash_t *x = a, *y = b;
    int c = strcmp(x->hash, y->hash);
    return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

static int parse_params(ld_t *ld, sweep_t *sw, yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE)
        return sweep_fail(ld->err, ld->errlen, ld->path, line_of(map), "params",
                          "expected a mapping of dotted keys, got %s", kind_of(map));
    size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    sw->params = calloc(n ? n : 1, sizeof *sw->params);
    if (!sw->params)
        return sweep_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
    char why[256];
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < map->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(ld->doc, q->key);
        yaml_node_t *v = yaml_document_get_node(ld->doc, q->value);
        const char *key = scalar(k);
        if (!key || strlen(key) >= sizeof sw->params[0].key)
            return sweep_fail(ld->err, ld->errlen, ld->path, line_of(k), "params",
                              "keys must be dotted field names like array.rows");
        /* A point's identity is its config hash without the name: swept
         * names would collapse distinct points into one row. */
        if (strcmp(key, "name") == 0)
            return sweep_fail(ld->err, ld->errlen, ld->path, line_of(k), "params.name",
                              "not a hardware parameter: a sweep names its points itself "
                              "(the sweep's name and the point number)");
        sweep_param_t *p = &sw->params[sw->nparams++];
        snprintf(p->key, sizeof p->key, "%s", key);
        p->line = line_of(k);

        /* Two keys for one field contradict each other. */
        for (sweep_param_t *o = sw->params; o < p; o++)
            if (field_len(o->key) == field_len(p->key) &&
                strncmp(o->key, p->key, field_len(p->key)) == 0)
                return sweep_fail(ld->err, ld->errlen, ld->path, p->line, p->key,
                                  "sets the same field as %s on line %u; give one", o->key,
                                  o->line);

        if (v->type == YAML_MAPPING_NODE) {
            if (parse_range(ld, v, p))
                return -1;
        } else if (v->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                yaml_node_t *e = yaml_document_get_node(ld->doc, *it);
                if (!scalar(e))
                    return sweep_fail(ld->err, ld->errlen, ld->path, line_of(e), p->key,
                                      "expected a single value, got %s", kind_of(e));
                if (p->nvalues >= SWEEP_MAX_VALUES) /* as for a range */
                    return sweep_fail(ld->err, ld->errlen, ld->path, line_of(e), p->key,
                                      "the list has more than %d values", SWEEP_MAX_VALUES);
                if (add_value(p, scalar(e)))
                    return sweep_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
            }
        } else if (add_value(p, scalar(v))) {
            return sweep_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
        }
        if (p->nvalues == 0)
            return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), p->key,
                              "empty set: give at least one value");

        /* Each value alone, and no two giving the same config (compared by
         * config hash, sorted, so long ranges stay fast). */
        value_hash_t *vh = calloc(p->nvalues, sizeof *vh);
        int rc = vh ? 0 : sweep_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
        for (size_t i = 0; rc == 0 && i < p->nvalues; i++) {
            hw_cfg_t hw = sw->base;
            hw.text = NULL;
            if (hw_set(&hw, p->key, p->values[i], why, sizeof why) != 0) {
                rc = sweep_fail(ld->err, ld->errlen, ld->path, p->line, NULL, "%s", why);
                break;
            }
            hw_hash(&hw, vh[i].hash);
            vh[i].i = i;
        }
        if (rc == 0) {
            qsort(vh, p->nvalues, sizeof *vh, value_hash_cmp);
            for (size_t i = 1; i < p->nvalues && rc == 0; i++)
                if (strcmp(vh[i].hash, vh[i - 1].hash) == 0)
                    rc = sweep_fail(ld->err, ld->errlen, ld->path, p->line, p->key,
                                    "'%.40s' repeats '%.40s': each value once",
                                    p->values[vh[i].i], p->values[vh[i - 1].i]);
        }
        free(vh);
        if (rc)
            return -1;
    }
    return 0;
}

/* dir of the sweep file + rel, unless rel is absolute. */
static char *resolve(const char *sweep_path, const char *rel)
{
    const char *slash = strrchr(sweep_path, '/');
    size_t d = rel[0] == '/' || !slash ? 0 : (size_t)(slash - sweep_path) + 1;
    char *out = malloc(d + strlen(rel) + 1);
    if (out) {
        memcpy(out, sweep_path, d);
        strcpy(out + d, rel);
    }
    return out;
}

static int parse_workloads(ld_t *ld, sweep_t *sw, yaml_node_t *v)
{
    yaml_node_item_t one = 0, *start = &one, *top = &one + 1;
    if (v->type == YAML_SEQUENCE_NODE) {
        start = v->data.sequence.items.start;
        top = v->data.sequence.items.top;
    } else if (v->type == YAML_SCALAR_NODE) {
        one = (yaml_node_item_t)(v - ld->doc->nodes.start) + 1;
    } else {
        return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), "workloads",
                          "expected a list of workload files, got %s", kind_of(v));
    }
    if (top == start)
        return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), "workloads",
                          "empty list: give at least one workload file");
    sw->workloads = calloc((size_t)(top - start), sizeof *sw->workloads);
    if (!sw->workloads)
        return sweep_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
    char why[512];
    for (yaml_node_item_t *it = start; it < top; it++) {
        yaml_node_t *e = yaml_document_get_node(ld->doc, *it);
        if (!scalar(e) || !*scalar(e))
            return sweep_fail(ld->err, ld->errlen, ld->path, line_of(e), "workloads",
                              "expected a file name, got %s", kind_of(e));
        sweep_workload_t *w = &sw->workloads[sw->nworkloads++];
        w->line = line_of(e);
        if (!(w->file = resolve(sw->path, scalar(e))))
            return sweep_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
        const size_t fl = strlen(w->file);
        w->is_model = fl > 5 && strcmp(w->file + fl - 5, ".json") == 0;
        size_t len;
        if (w->is_model ? workload_model_load(w->file, &w->model, why, sizeof why) != 0 ||
                              !(w->wl.text = textfile_read(w->file, &len, why, sizeof why))
                        : workload_load(w->file, &w->wl, why, sizeof why) != 0)
            return sweep_fail(ld->err, ld->errlen, ld->path, w->line, "workloads", "%s", why);
        sweep_hash_bytes(w->wl.text, strlen(w->wl.text), w->hash);
        for (sweep_workload_t *o = sw->workloads; o < w; o++)
            if (strcmp(o->hash, w->hash) == 0)
                return sweep_fail(ld->err, ld->errlen, ld->path, w->line, "workloads",
                                  "%s has the same contents as %s on line %u", w->file,
                                  o->file, o->line);
    }
    return 0;
}

static const char *const llm_keys[7] = {"batch", "prompt", "gen", "mode",
                                         "wbits", "abits", "kvbits"};

/* llm: {batch, prompt, gen, mode, wbits, abits, kvbits}; ranges as codesim
 * run --model takes them. */
static int parse_llm(ld_t *ld, sweep_t *sw, yaml_node_t *map)
{
    sweep_llm_t *l = &sw->llm;
    l->line = line_of(map);
    if (map->type != YAML_MAPPING_NODE)
        return sweep_fail(ld->err, ld->errlen, ld->path, line_of(map), "llm",
                          "expected a mapping (batch, prompt, gen, mode, wbits, abits, kvbits), "
                          "got %s", kind_of(map));
    static const uint64_t hi[7] = {MAPPER_MAX_BATCH, 1 << 20, 1 << 20, 0,
                                   MAPPER_MAX_BITS, MAPPER_MAX_BITS, MAPPER_MAX_BITS};
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < map->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(ld->doc, q->key);
        yaml_node_t *v = yaml_document_get_node(ld->doc, q->value);
        const char *name = scalar(k);
        size_t i = 0;
        while (i < 7 && !(name && strcmp(name, llm_keys[i]) == 0))
            i++;
        char key[80];
        snprintf(key, sizeof key, "llm.%.40s", name ? name : "?");
        if (i == 7)
            return sweep_fail(ld->err, ld->errlen, ld->path, line_of(k), key,
                              "unknown key (batch, prompt, gen, mode, wbits, abits, kvbits)");
        l->key_line[i] = line_of(v);
        if (i == 3) {
            const char *s = scalar(v);
            npu_mode_t m;
            if (!s || (strcmp(s, "auto") != 0 && npu_mode_parse(s, &m) != 0))
                return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), key,
                                  "'%.40s' is not auto, npu, pim-blocked, neupims, gpu or pimgpt",
                                  s ? s : kind_of(v));
            snprintf(l->mode, sizeof l->mode, "%s", s);
            continue;
        }
        uint64_t x;
        if (whole(ld, v, key, &x))
            return -1;
        if (x < 1 || x > hi[i])
            return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), key,
                              "%llu is outside 1..%llu", (unsigned long long)x,
                              (unsigned long long)hi[i]);
        if (i == 0) l->batch = x;
        else if (i == 1) l->prompt = x;
        else if (i == 2) l->gen = x;
        else if (i == 4) l->wbits = (uint32_t)x;
        else if (i == 5) l->abits = (uint32_t)x;
        else l->kvbits = (uint32_t)x;
    }
    return 0;
}

void sweep_llm_run(const sweep_t *sw, const sweep_workload_t *w, mapper_run_t *r)
{
    const sweep_llm_t *l = &sw->llm;
    *r = (mapper_run_t){l->batch, l->prompt, l->gen, l->wbits ? l->wbits : w->model.native_wbits,
                        l->abits, l->kvbits};
}

/* Every model workload: its run options fit the model, and its hash covers
 * them.  A mismatch names the llm: key that mapper_run_check names. */
static int check_models(ld_t *ld, sweep_t *sw)
{
    int models = 0;
    for (size_t i = 0; i < sw->nworkloads; i++) {
        sweep_workload_t *w = &sw->workloads[i];
        if (!w->is_model)
            continue;
        models = 1;
        mapper_run_t r;
        char why[256];
        sweep_llm_run(sw, w, &r);
        if (mapper_run_check(&r, &w->model, why, sizeof why) != 0) {
            unsigned line = sw->llm.line ? sw->llm.line : w->line;
            for (size_t k = 0; k < 7; k++)
                if (sw->llm.key_line[k] && strncmp(why, llm_keys[k], strlen(llm_keys[k])) == 0 &&
                    why[strlen(llm_keys[k])] == ':')
                    line = sw->llm.key_line[k];
            return sweep_fail(ld->err, ld->errlen, ld->path, line, NULL, "llm.%s (model %s)",
                              why, w->file);
        }
        /* The options as text, hashed with the file. */
        const size_t cap = strlen(w->wl.text) + 160; /* the options take at most 154 */
        char *buf = malloc(cap);
        if (!buf)
            return sweep_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
        snprintf(buf, cap, "%s\nbatch=%llu prompt=%llu gen=%llu mode=%s wbits=%u abits=%u kvbits=%u",
                w->wl.text, (unsigned long long)r.batch, (unsigned long long)r.prompt,
                (unsigned long long)r.gen, sw->llm.mode, r.wbits,
                r.abits, r.kvbits);
        sweep_hash_bytes(buf, strlen(buf), w->hash);
        free(buf);
    }
    if (sw->llm.line && !models)
        return sweep_fail(ld->err, ld->errlen, ld->path, sw->llm.line, "llm",
                          "no workload is a model config (.json) to run it on");
    return 0;
}

static int parse_top(ld_t *ld, sweep_t *sw, yaml_node_t *root, const char **tech,
                     unsigned *tech_line)
{
    if (root->type != YAML_MAPPING_NODE)
        return sweep_fail(ld->err, ld->errlen, ld->path, line_of(root), NULL,
                          "expected a mapping at the top level, got %s", kind_of(root));
    yaml_node_t *params = NULL, *workloads = NULL, *llm = NULL;
    char why[512];
    /* hw first: params are checked against the base config. */
    for (int pass = 0; pass < 2; pass++)
        for (yaml_node_pair_t *q = root->data.mapping.pairs.start;
             q < root->data.mapping.pairs.top; q++) {
            yaml_node_t *k = yaml_document_get_node(ld->doc, q->key);
            yaml_node_t *v = yaml_document_get_node(ld->doc, q->value);
            const char *key = scalar(k);
            if (!key)
                return sweep_fail(ld->err, ld->errlen, ld->path, line_of(k), NULL,
                                  "keys must be plain words, got %s", kind_of(k));
            int is_hw = strcmp(key, "hw") == 0;
            if (is_hw != (pass == 0))
                continue;
            if (strcmp(key, "params") == 0) {
                params = v;
                continue;
            }
            if (strcmp(key, "workloads") == 0) {
                workloads = v;
                continue;
            }
            if (strcmp(key, "llm") == 0) {
                llm = v;
                continue;
            }
            const char *s = scalar(v);
            if (strcmp(key, "name") != 0 && strcmp(key, "hw") != 0 && strcmp(key, "path") != 0 &&
                strcmp(key, "tech") != 0)
                return sweep_fail(ld->err, ld->errlen, ld->path, line_of(k), key,
                                  "unknown key (name, hw, workloads, path, tech, params, llm)");
            if (!s || !*s)
                return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), key,
                                  "expected a single value, got %s", s ? "nothing" : kind_of(v));
            if (strcmp(key, "name") == 0) {
                if (strlen(s) >= sizeof sw->name)
                    return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), key,
                                      "longer than %zu characters", sizeof sw->name - 1);
                /* Checked here, at its line: the machine name it becomes is
                 * otherwise refused later without one, beside a point. */
                for (size_t i = 0; s[i]; i++)
                    if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
                        return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), key,
                                          "must be printable ASCII (byte %zu is 0x%02x)", i + 1,
                                          (unsigned char)s[i]);
                snprintf(sw->name, sizeof sw->name, "%s", s);
            } else if (strcmp(key, "tech") == 0) {
                *tech = s;
                *tech_line = line_of(v);
            } else if (strcmp(key, "path") == 0) {
                if (strcmp(s, "fast") == 0)
                    sw->engine_path = ENGINE_FAST;
                else if (strcmp(s, "cycle") == 0)
                    sw->engine_path = ENGINE_CYCLE;
                else
                    return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), key,
                                      "'%.40s' is not fast or cycle", s);
            } else {
                char *file = resolve(sw->path, s);
                if (!file)
                    return sweep_fail(ld->err, ld->errlen, ld->path, 0, NULL, "out of memory");
                int rc = hw_load(file, &sw->base, why, sizeof why);
                free(file);
                if (rc)
                    return sweep_fail(ld->err, ld->errlen, ld->path, line_of(v), key, "%s", why);
            }
        }
    char file[600];
    tech_path(*tech, file, sizeof file);
    if (tech_load(file, &sw->tech, why, sizeof why) != 0)
        return sweep_fail(ld->err, ld->errlen, ld->path, *tech_line, "tech", "%s", why);
    if (!workloads)
        return sweep_fail(ld->err, ld->errlen, ld->path, 0, "workloads",
                          "missing: list at least one workload file");
    if (parse_workloads(ld, sw, workloads))
        return -1;
    if (llm && parse_llm(ld, sw, llm))
        return -1;
    if (check_models(ld, sw))
        return -1;
    if (params && parse_params(ld, sw, params))
        return -1;
    return 0;
}

/* ---- points ------------------------------------------------------------------ */

/* The config of configuration index cfg (the point index without its
 * workload part): the base with each parameter's value applied. */
/* The value index of parameter i in configuration cfg. */
static size_t value_index(const sweep_t *sw, size_t cfg, size_t i)
{
    for (size_t j = sw->nparams; j-- > i + 1;)
        cfg /= sw->params[j].nvalues;
    return cfg % sw->params[i].nvalues;
}

/* Whether key is a block's `first` key (dram.preset): one that replaces
 * other fields of its section, so it must come before them. */
static int is_first_key(const char *key)
{
    const char *dot = strchr(key, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < hw_nblocks; i++) {
        const hw_block_t *b = &hw_blocks[i];
        const size_t n = strlen(b->section);
        if (b->first && (size_t)(dot - key) == n && strncmp(key, b->section, n) == 0 &&
            strcmp(dot + 1, b->first) == 0)
            return 1;
    }
    return 0;
}

/* Configuration cfg: the base, then the parameters in file order, with a
 * section's `first` key (a DRAM preset) before every other key, as a
 * hardware file applies it; so dram.preset and dram.tRCD swept together
 * give the swept tRCD on top of each preset. */
static int apply(const sweep_t *sw, size_t cfg, hw_cfg_t *hw, char *why, size_t whylen)
{
    *hw = sw->base;
    hw->text = NULL;
    snprintf(hw->name, sizeof hw->name, "%s", sw->name);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < sw->nparams; i++) {
            const sweep_param_t *p = &sw->params[i];
            if (is_first_key(p->key) != (pass == 0))
                continue;
            if (hw_set(hw, p->key, p->values[value_index(sw, cfg, i)], why, whylen) != 0)
                return -1;
        }
    return 0;
}

/* "key=value ..." of configuration cfg's swept fields (cut at len: an
 * error message's context; sweep_params_text sizes len for the whole). */
static void combo_text(const sweep_t *sw, size_t cfg, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sw->nparams; i++) {
        const sweep_param_t *p = &sw->params[i];
        int w = snprintf(out + used, len - used, "%s%s=%s", i ? " " : "", p->key,
                         p->values[value_index(sw, cfg, i)]);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
}

char *sweep_params_text(const sweep_t *sw, size_t index)
{
    if (index >= sw->npoints)
        return NULL;
    const size_t cfg = index / sw->nworkloads;
    /* Each part is a key and a value held in memory: the sum cannot wrap. */
    size_t len = 1;
    for (size_t i = 0; i < sw->nparams; i++)
        len += strlen(sw->params[i].key) + strlen(sw->params[i].values[value_index(sw, cfg, i)]) + 2;
    char *out = malloc(len);
    if (out)
        combo_text(sw, cfg, out, len);
    return out;
}

int sweep_point(const sweep_t *sw, size_t index, sweep_point_t *pt, char *err, size_t errlen)
{
    if (index >= sw->npoints)
        return sweep_fail(err, errlen, sw->path, 0, NULL, "point %zu: out of range 0..%zu",
                          index, sw->npoints - 1);
    memset(pt, 0, sizeof *pt);
    pt->index = index;
    pt->workload = index % sw->nworkloads;
    const size_t cfg = index / sw->nworkloads;
    char why[256];
    if (apply(sw, cfg, &pt->hw, why, sizeof why) != 0)
        return sweep_fail(err, errlen, sw->path, 0, NULL, "%s", why);
    hw_cfg_t anon = pt->hw;
    memset(anon.name, 0, sizeof anon.name);
    hw_hash(&anon, pt->config_hash);
    return 0;
}

int sweep_load(const char *path, sweep_t *sw, char *err, size_t errlen)
{
    memset(sw, 0, sizeof *sw);
    hw_defaults(&sw->base);
    sw->engine_path = ENGINE_FAST;
    /* As codesim run --model's defaults. */
    sw->llm = (sweep_llm_t){.batch = 1, .prompt = 512, .gen = 2, .abits = 8, .kvbits = 8,
                            .mode = "auto"};
    if (!(sw->path = strdup(path)))
        return sweep_fail(err, errlen, path, 0, NULL, "out of memory");
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(sw->name, sizeof sw->name, "%.*s", (int)strcspn(base, "."), base);

    size_t len = 0;
    if (!(sw->text = textfile_read(path, &len, err, errlen))) {
        sweep_free(sw);
        return -1;
    }
    if (yamlscan_check(sw->text, len, path, "params", err, errlen)) {
        sweep_free(sw);
        return -1;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    ld_t ld = {path, &doc, err, errlen};
    int rc = -1;
    if (!yaml_parser_initialize(&parser)) {
        sweep_fail(err, errlen, path, 0, NULL, "out of memory");
        sweep_free(sw);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)sw->text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        sweep_fail(err, errlen, path, (unsigned)parser.problem_mark.line + 1, NULL,
                   "YAML syntax error: %s", parser.problem ? parser.problem : "unknown");
        yaml_parser_delete(&parser);
        sweep_free(sw);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        sweep_fail(err, errlen, path, 0, NULL, "empty file, expected a sweep mapping");
    else
    {
        const char *tech = "45nm";
        unsigned tech_line = 0;
        rc = parse_top(&ld, sw, root, &tech, &tech_line);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);

    /* Count and validate every configuration. */
    size_t ncfg = 1;
    for (size_t i = 0; rc == 0 && i < sw->nparams; i++) {
        if (ncfg > SWEEP_MAX_POINTS / sw->params[i].nvalues / sw->nworkloads)
            rc = sweep_fail(err, errlen, path, sw->params[i].line, sw->params[i].key,
                            "the sweep would have more than %d points", SWEEP_MAX_POINTS);
        ncfg *= sw->params[i].nvalues;
    }
    int models = 0;
    for (size_t w = 0; rc == 0 && w < sw->nworkloads; w++)
        models |= sw->workloads[w].is_model;
    char why[256];
    for (size_t cfg = 0; rc == 0 && cfg < ncfg; cfg++) {
        hw_cfg_t hw;
        npu_mode_t mode;
        char combo[512];
        if (apply(sw, cfg, &hw, why, sizeof why) == 0 &&
            hw_validate(&hw, NULL, why, sizeof why) == 0) {
            /* A model's points need PIM for any mode but npu. */
            if (!models || sim_mode(&hw, sw->llm.mode, sw->llm.batch, &mode, why, sizeof why) == 0)
                continue;
            combo_text(sw, cfg, combo, sizeof combo);
            rc = sweep_fail(err, errlen, path, sw->llm.key_line[3], NULL, "llm.%s (at %s)", why,
                            combo);
            break;
        }
        /* why is "KEY: reason" with the canonical key: name the line of
         * the parameter that sets that field. */
        const sweep_param_t *by = NULL;
        for (size_t i = 0; i < sw->nparams && !by; i++) {
            size_t fl = field_len(sw->params[i].key);
            if (strncmp(why, sw->params[i].key, fl) == 0 && strchr("_:", why[fl]) &&
                why[fl] != '\0')
                by = &sw->params[i];
        }
        const char *reason = strstr(why, ": ");
        combo_text(sw, cfg, combo, sizeof combo);
        if (by && reason)
            rc = sweep_fail(err, errlen, path, by->line, by->key, "%s (at %s)", reason + 2,
                            combo);
        else
            rc = sweep_fail(err, errlen, path, 0, NULL, "%s (at %s)", why, combo);
    }
    if (rc != 0) {
        sweep_free(sw);
        return -1;
    }
    sw->npoints = ncfg * sw->nworkloads;
    return 0;
}

void sweep_free(sweep_t *sw)
{
    if (!sw)
        return;
    for (size_t i = 0; i < sw->nparams; i++) {
        for (size_t j = 0; j < sw->params[i].nvalues; j++)
            free(sw->params[i].values[j]);
        free(sw->params[i].values);
    }
    free(sw->params);
    for (size_t i = 0; i < sw->nworkloads; i++) {
        free(sw->workloads[i].file);
        workload_free(&sw->workloads[i].wl);
    }
    free(sw->workloads);
    hw_free(&sw->base);
    free(sw->text);
    free(sw->path);
    memset(sw, 0, sizeof *sw);
}

int sweep_run(const sweep_t *sw, const sweep_point_t *pt, sim_result_t *res, char *err,
              size_t errlen)
{
    const sweep_workload_t *w = &sw->workloads[pt->workload];
    sim_workload_t wl = {SIM_LAYERS, &w->wl, NULL, {0}, sw->engine_path, NULL, NULL};
    if (w->is_model) {
        wl = (sim_workload_t){SIM_MODEL, NULL, &w->model, {0}, ENGINE_FAST, sw->llm.mode, NULL};
        sweep_llm_run(sw, w, &wl.run);
    }
    return sim_run(&pt->hw, &sw->tech, &wl, res, err, errlen);
}

static void add_items(sweep_costs_t *c, const char *kind, const power_breakdown_t *b)
{
    const size_t cap = ARRAY_LEN(c->breakdown);
    for (size_t i = 0; i < b->n && c->nbreakdown < cap; i++) {
        snprintf(c->breakdown[c->nbreakdown].kind, sizeof c->breakdown[0].kind, "%s", kind);
        snprintf(c->breakdown[c->nbreakdown].component, sizeof c->breakdown[0].component, "%s",
                 b->item[i].name);
        c->breakdown[c->nbreakdown++].value = b->item[i].value;
    }
}

void sweep_costs(const sim_result_t *res, sweep_costs_t *c)
{
    memset(c, 0, sizeof *c);
    c->area_mm2 = res->metrics.area_mm2;
    c->energy_pj = res->energy.total;
    c->tops = res->metrics.tops;
    c->tops_per_w = res->metrics.tops_per_w;
    c->tops_per_mm2 = res->metrics.tops_per_mm2;
    add_items(c, "energy_pj", &res->energy);
    add_items(c, "area_um2", &res->area);
}

/* ---- Pareto ------------------------------------------------------------------- */

typedef struct {
    double x, y;
    size_t i;
} xy_t;

static int xy_cmp(const void *a, const void *b)
{
    const xy_t *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

int sweep_pareto(const double *x, const double *y, size_t n, int *keep)
{
    xy_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        keep[i] = 0;
        if (x[i] == x[i] && y[i] == y[i]) /* NaN: not comparable, not kept */
            v[m++] = (xy_t){x[i], y[i], i};
    }
    qsort(v, m, sizeof *v, xy_cmp);
    /* Sorted by x then y: a point is dominated by one of smaller x with y at
     * most its own, or by one of equal x and smaller y.  best = least y over
     * all smaller x. */
    double best = INFINITY;
    for (size_t g = 0; g < m;) {
        size_t h = g;
        while (h < m && v[h].x == v[g].x)
            h++;
        const double gmin = v[g].y; /* least y of this x */
        for (size_t k = g; k < h && v[k].y == gmin; k++)
            keep[v[k].i] = !(best <= gmin);
        if (gmin < best)
            best = gmin;
        g = h;
    }
    free(v);
    return 0;
}

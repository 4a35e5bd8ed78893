/* tech_file.c - technology tables (reports/tech/<node>.yaml) into a tech_t.
 *
 * One key table drives parsing, the missing-key check and node scaling: each
 * entry names the dotted key, where the value lives in tech_t and which scale
 * category it belongs to.  Files are read with libyaml's document API so that
 * every error names the line.  Every error is one line
 * "FILE[:LINE]: KEY: reason". */
#include "tech_file.h"

#include "../io/paths.h"
#include "../io/textfile.h"
#include "../io/yamlscan.h"
#include "../../models/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TECH_MAX_DEPTH 4 /* base chains longer than this are a cycle */

/* Every value but the scale factors lies in [TECH_MIN, TECH_MAX] once
 * loaded (scaled).  The bounds are physical: no logic or memory event costs
 * a joule (1e12 pJ) and no cell a square metre (1e12 um^2); 1e-12 pJ is far
 * below the Landauer limit kT ln 2 = 2.9e-9 pJ at 300 K (R. Landauer, IBM
 * J. Res. Dev. 5(3), 1961) and 1e-12 um^2 far below one atom; KiB, MHz and
 * ratios in the same range.  Within them every energy and area stays
 * finite: a count below 2^64 (1.8e19) times a law's value (the multiplier's
 * power law through two bounded points reaches at most about 1e48 for
 * operands up to 64 bits) is far below the largest double (1.8e308).  A huge
 * finite value such as int8_mul: 1e300 used to give inf and NaN totals. */
#define TECH_MIN 1e-12
#define TECH_MAX 1e12

typedef enum { C_NONE, C_LOGIC_E, C_SRAM_E, C_LOGIC_A, C_SRAM_A, C_SCALE } cat_t;

typedef struct {
    const char *section;  /* "" = top level */
    const char *key;
    size_t off;           /* double inside tech_t */
    cat_t cat;
    double max;           /* inclusive upper bound, 0 = none */
} key_spec_t;

#define E(k, c) {"energy_pj", #k, offsetof(tech_t, e.k), c, 0}
#define A(k, c) {"area_um2", #k, offsetof(tech_t, a.k), c, 0}
#define S(k) {"scale", #k, offsetof(tech_t, scale.k), C_SCALE, 0}
static const key_spec_t keys[] = {
    {"", "clock_mhz", offsetof(tech_t, clock_mhz), C_NONE, 0},
    {"", "sram_write_ratio", offsetof(tech_t, sram_write_ratio), C_NONE, 0},
    {"", "sram_efficiency", offsetof(tech_t, sram_efficiency), C_NONE, 1.0},
    E(int8_add, C_LOGIC_E), E(int16_add, C_LOGIC_E), E(int32_add, C_LOGIC_E),
    E(int8_mul, C_LOGIC_E), E(int32_mul, C_LOGIC_E), E(fp16_add, C_LOGIC_E),
    E(fp16_mul, C_LOGIC_E), E(reg_bit, C_LOGIC_E), E(mux_bit, C_LOGIC_E),
    E(dram_bit, C_NONE), E(dram_act, C_NONE), E(dram_core_bit, C_NONE), E(dram_io_bit, C_NONE),
    E(pim_mac, C_NONE),
    E(lut_read_byte, C_SRAM_E),
    A(int8_add, C_LOGIC_A), A(int16_add, C_LOGIC_A), A(int32_add, C_LOGIC_A),
    A(int8_mul, C_LOGIC_A), A(int32_mul, C_LOGIC_A), A(fp16_add, C_LOGIC_A),
    A(fp16_mul, C_LOGIC_A), A(reg_bit, C_LOGIC_A), A(mux_bit, C_LOGIC_A),
    A(sram_bitcell, C_SRAM_A), A(pim_unit, C_LOGIC_A),
    S(logic_energy), S(sram_energy), S(logic_area), S(sram_area),
};
#undef E
#undef A
#undef S

static double *slot(tech_t *t, const key_spec_t *k) { return (double *)((char *)t + k->off); }

typedef struct {
    const char *fname;
    char *err;
    size_t errlen;
} ctx_t;

static int fail(ctx_t *c, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (n)
        snprintf(c->err, c->errlen, "%s:%lu: %s: %s", c->fname,
                 (unsigned long)n->start_mark.line + 1, key, why);
    else
        snprintf(c->err, c->errlen, "%s: %s: %s", c->fname, key, why);
    return -1;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A positive finite number, at most max when max > 0; with ranged, also in
 * [TECH_MIN, TECH_MAX]. */
static int number(ctx_t *c, const yaml_node_t *n, const char *key, double max, int ranged,
                  double *out)
{
    const char *s = scalar(n);
    if (!s)
        return fail(c, n, key, "expected a number");
    char *end;
    const double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v))
        return fail(c, n, key, "'%s' is not a number", s);
    if (v < 0)
        return fail(c, n, key, "%s is negative", s);
    if (v == 0)
        return fail(c, n, key, "must be greater than 0");
    if (max > 0 && v > max)
        return fail(c, n, key, "%s is more than %g", s, max);
    if (ranged && (v < TECH_MIN || v > TECH_MAX))
        return fail(c, n, key, "%s is outside %g..%g (energies and areas would not stay finite)",
                    s, TECH_MIN, TECH_MAX);
    *out = v;
    return 0;
}

static int parse_sram(ctx_t *c, yaml_document_t *d, yaml_node_t *seq, tech_t *t)
{
    const char *key = "sram_read_pj_per_byte";
    if (seq->type != YAML_SEQUENCE_NODE)
        return fail(c, seq, key, "expected a list of {kib, pj}");
    size_t n = 0;
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++, n++) {
        yaml_node_t *m = yaml_document_get_node(d, *it);
        char k[64];
        snprintf(k, sizeof k, "%s[%zu]", key, n);
        if (n == TECH_SRAM_POINTS)
            return fail(c, m, k, "more than %d points", TECH_SRAM_POINTS);
        if (m->type != YAML_MAPPING_NODE)
            return fail(c, m, k, "expected {kib: SIZE, pj: ENERGY}");
        tech_point_t p = {0, 0};
        for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
             pr++) {
            yaml_node_t *kn = yaml_document_get_node(d, pr->key);
            yaml_node_t *vn = yaml_document_get_node(d, pr->value);
            const char *name = scalar(kn) ? scalar(kn) : "?";
            char full[96];
            snprintf(full, sizeof full, "%s.%s", k, name);
            double *dst = !strcmp(name, "kib") ? &p.kib : !strcmp(name, "pj") ? &p.pj : NULL;
            if (!dst)
                return fail(c, kn, full, "unknown key");
            if (number(c, vn, full, 0, 1, dst) != 0)
                return -1;
        }
        if (p.kib == 0 || p.pj == 0)
            return fail(c, m, k, "needs both kib and pj");
        if (n && p.kib <= t->sram_read[n - 1].kib)
            return fail(c, m, k, "kib must increase from point to point");
        t->sram_read[n] = p;
    }
    if (n < 2)
        return fail(c, seq, key, "needs at least 2 points");
    t->sram_points = n;
    return 0;
}

static int load_depth(const char *path, tech_t *t, int depth, char *err, size_t errlen);

static void apply_scale(tech_t *t)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        const double f = keys[i].cat == C_LOGIC_E   ? t->scale.logic_energy
                         : keys[i].cat == C_SRAM_E  ? t->scale.sram_energy
                         : keys[i].cat == C_LOGIC_A ? t->scale.logic_area
                         : keys[i].cat == C_SRAM_A  ? t->scale.sram_area
                                                    : 1.0;
        *slot(t, &keys[i]) *= f;
    }
    for (size_t i = 0; i < t->sram_points; i++)
        t->sram_read[i].pj *= t->scale.sram_energy;
}

static int parse_doc(ctx_t *c, yaml_document_t *d, tech_t *t, int depth)
{
    yaml_node_t *root = yaml_document_get_root_node(d);
    if (!root)
        return fail(c, NULL, "node", "empty file");
    if (root->type != YAML_MAPPING_NODE)
        return fail(c, root, "(top)", "expected a mapping of keys");

    /* Pass 1: node name and base.  A derived node starts from its base's
     * values, scaled; a base node starts with every value unset (NaN). */
    yaml_node_t *base = NULL, *node = NULL, *scale = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        const char *k = scalar(yaml_document_get_node(d, p->key));
        yaml_node_t *v = yaml_document_get_node(d, p->value);
        if (k && !strcmp(k, "base")) base = v;
        if (k && !strcmp(k, "node")) node = v;
        if (k && !strcmp(k, "scale")) scale = v;
    }
    if (!node || !scalar(node) || !*scalar(node) || strlen(scalar(node)) >= sizeof t->node)
        return fail(c, node, "node", node ? "expected a name of 1..31 characters" : "missing");
    if (base) {
        const char *b = scalar(base);
        if (!b || !*b || strlen(b) >= sizeof t->base || strchr(b, '/'))
            return fail(c, base, "base", "expected a node name such as 45nm");
        if (!scale)
            return fail(c, base, "scale", "missing (a derived node needs its four factors)");
        char dir[512], bpath[600];
        snprintf(dir, sizeof dir, "%s", c->fname);
        char *slash = strrchr(dir, '/');
        if (slash)
            slash[1] = '\0';
        else
            dir[0] = '\0';
        snprintf(bpath, sizeof bpath, "%s%s.yaml", dir, b);
        if (depth >= TECH_MAX_DEPTH)
            return fail(c, base, "base", "chain of bases longer than %d (a cycle?)",
                        TECH_MAX_DEPTH);
        char berr[400];
        if (load_depth(bpath, t, depth + 1, berr, sizeof berr) != 0)
            return fail(c, base, "base", "%s", berr);
        snprintf(t->base, sizeof t->base, "%s", b);
    } else {
        if (scale)
            return fail(c, scale, "scale", "only a derived node (with base) has scale factors");
        memset(t, 0, sizeof *t);
        for (size_t i = 0; i < ARRAY_LEN(keys); i++)
            *slot(t, &keys[i]) = NAN;
        t->scale.logic_energy = t->scale.sram_energy = 1;
        t->scale.logic_area = t->scale.sram_area = 1;
    }
    snprintf(t->node, sizeof t->node, "%s", scalar(node));

    /* Pass 2: every value.  The scale factors are read first and applied to
     * the base's values before this file's own values override them. */
    int seen[ARRAY_LEN(keys)] = {0};
    for (int scale_pass = 1; scale_pass >= 0; scale_pass--) {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *kn = yaml_document_get_node(d, p->key);
            yaml_node_t *vn = yaml_document_get_node(d, p->value);
            const char *k = scalar(kn);
            if (!k)
                return fail(c, kn, "(top)", "keys must be plain names");
            if (!strcmp(k, "node") || !strcmp(k, "base"))
                continue;
            if (scale_pass != !strcmp(k, "scale"))
                continue;
            if (!strcmp(k, "sram_read_pj_per_byte")) {
                if (parse_sram(c, d, vn, t) != 0)
                    return -1;
                continue;
            }
            /* A top-level value, or a section of values. */
            int is_section = 0;
            for (size_t i = 0; i < ARRAY_LEN(keys); i++)
                is_section |= !strcmp(keys[i].section, k);
            yaml_node_pair_t one = {p->key, p->value};
            yaml_node_pair_t *start = &one, *top = &one + 1;
            const char *section = "";
            if (is_section) {
                if (vn->type != YAML_MAPPING_NODE)
                    return fail(c, vn, k, "expected a mapping of values");
                start = vn->data.mapping.pairs.start;
                top = vn->data.mapping.pairs.top;
                section = k;
            }
            for (yaml_node_pair_t *q = start; q < top; q++) {
                yaml_node_t *qk = yaml_document_get_node(d, q->key);
                yaml_node_t *qv = yaml_document_get_node(d, q->value);
                const char *name = scalar(qk) ? scalar(qk) : "?";
                char full[96];
                snprintf(full, sizeof full, "%s%s%s", section, *section ? "." : "", name);
                size_t i = 0;
                while (i < ARRAY_LEN(keys) &&
                       (strcmp(keys[i].section, section) || strcmp(keys[i].key, name)))
                    i++;
                if (i == ARRAY_LEN(keys))
                    return fail(c, qk, full, "unknown key");
                seen[i] = 1; /* a repeat was refused by yamlscan_check */
                if (number(c, qv, full, keys[i].max, keys[i].cat != C_SCALE,
                           slot(t, &keys[i])) != 0)
                    return -1;
            }
        }
        if (scale_pass && base) {
            for (size_t i = 0; i < ARRAY_LEN(keys); i++)
                if (keys[i].cat == C_SCALE && !seen[i])
                    return fail(c, scale, "scale", "%s: missing", keys[i].key);
            apply_scale(t);
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        const double v = *slot(t, &keys[i]);
        char full[96];
        snprintf(full, sizeof full, "%s%s%s", keys[i].section, *keys[i].section ? "." : "",
                 keys[i].key);
        if (isnan(v))
            return fail(c, NULL, full, "missing");
        /* Each factor and base value is a finite positive number, but their
         * product can leave the doubles or the range (models/tech.h: every
         * value > 0). */
        if (keys[i].cat != C_SCALE && !(v >= TECH_MIN && v <= TECH_MAX))
            return fail(c, scale, full, "the base's value times the scale factor is out of range "
                        "(%g, not in %g..%g)", v, TECH_MIN, TECH_MAX);
    }
    if (!t->sram_points)
        return fail(c, NULL, "sram_read_pj_per_byte", "missing");
    for (size_t i = 0; i < t->sram_points; i++)
        if (!(t->sram_read[i].pj >= TECH_MIN && t->sram_read[i].pj <= TECH_MAX))
            return fail(c, scale, "sram_read_pj_per_byte", "the base's value times the scale "
                        "factor is out of range (%g, not in %g..%g)", t->sram_read[i].pj,
                        TECH_MIN, TECH_MAX);
    /* The SRAM law extrapolates its end segments: two close points with far
     * apart energies make a slope that leaves the doubles at 1 byte or at
     * 2^64 bytes.  Inside the table the law lies between its points. */
    const uint64_t ends[2] = {1, UINT64_MAX};
    for (int e = 0; e < 2; e++) {
        const double pj = tech_sram_read_pj_per_byte(t, ends[e]);
        if (!(pj <= TECH_MAX * TECH_MAX))
            return fail(c, NULL, "sram_read_pj_per_byte", "the law through the points gives %g "
                        "pJ per byte at %s (points too close for their energies)", pj,
                        e ? "2^64 bytes" : "1 byte");
    }
    return 0;
}

static int parse_text(const char *text, size_t len, const char *fname, tech_t *t, int depth,
                      char *err, size_t errlen)
{
    ctx_t c = {fname, err, errlen};
    yaml_parser_t p;
    yaml_document_t d;
    if (yamlscan_check(text, len, fname, NULL, err, errlen))
        return -1;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "%s: out of memory", fname);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &d)) {
        snprintf(err, errlen, "%s:%lu: YAML: %s", fname, (unsigned long)p.problem_mark.line + 1,
                 p.problem ? p.problem : "syntax error");
        yaml_parser_delete(&p);
        return -1;
    }
    tech_t tmp;
    const int rc = parse_doc(&c, &d, &tmp, depth);
    if (rc == 0)
        *t = tmp;
    yaml_document_delete(&d);
    yaml_parser_delete(&p);
    return rc;
}

static int load_depth(const char *path, tech_t *t, int depth, char *err, size_t errlen)
{
    size_t len;
    char *text = textfile_read(path, &len, err, errlen);
    if (!text)
        return -1;
    const int rc = parse_text(text, len, path, t, depth, err, errlen);
    free(text);
    return rc;
}

int tech_parse(const char *text, const char *fname, tech_t *t, char *err, size_t errlen)
{
    return parse_text(text, strlen(text), fname, t, 0, err, errlen);
}

int tech_load(const char *path, tech_t *t, char *err, size_t errlen)
{
    return load_depth(path, t, 0, err, errlen);
}

void tech_path(const char *node, char *out, size_t outlen)
{
    const size_t n = strlen(node);
    if (strchr(node, '/') || (n > 5 && !strcmp(node + n - 5, ".yaml"))) {
        snprintf(out, outlen, "%s", node);
    } else {
        char rel[4096];
        snprintf(rel, sizeof rel, "reports/tech/%s.yaml", node);
        io_data_path(rel, out, outlen);
    }
}


/* yamlscan.c - nesting depth, document count and duplicated keys from
 * libyaml's events. */
#include "yamlscan.h"

#include "ioerr.h"
#include "../../models/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Every scalar key seen, by (mapping, key): a key repeats within its
 * mapping when the same pair is already in the table.  Open addressing,
 * at most half full, so a file of n keys costs O(n). */
typedef struct {
    uint64_t map;  /* serial of the mapping, from 1; 0 = empty slot */
    uint64_t hash;
    char *key;
    size_t len;
    unsigned line;
} seen_t;

typedef struct {
    seen_t *slot;
    size_t cap, used;
} seen_set_t;

static uint64_t seen_hash(uint64_t map, const char *key, size_t len)
{
    return util_fnv1a(util_fnv1a_u64(UTIL_FNV_INIT, map), key, len);
}

/* Returns the entry of an earlier equal key, or NULL after adding this one;
 * sets *oom on a failed allocation. */
static const seen_t *seen_add(seen_set_t *s, uint64_t map, const char *key, size_t len,
                              unsigned line, int *oom)
{
    if (2 * (s->used + 1) > s->cap) {
        const size_t cap = s->cap ? 2 * s->cap : 64;
        seen_t *slot = calloc(cap, sizeof *slot);
        if (!slot) {
            *oom = 1;
            return NULL;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i].map)
                continue;
            size_t j = (size_t)s->slot[i].hash & (cap - 1);
            while (slot[j].map)
                j = (j + 1) & (cap - 1);
            slot[j] = s->slot[i];
        }
        free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    const uint64_t h = seen_hash(map, key, len);
    size_t j = (size_t)h & (s->cap - 1);
    for (; s->slot[j].map; j = (j + 1) & (s->cap - 1)) {
        const seen_t *e = &s->slot[j];
        if (e->map == map && e->hash == h && e->len == len && !memcmp(e->key, key, len))
            return e;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        *oom = 1;
        return NULL;
    }
    memcpy(copy, key, len);
    copy[len] = '\0';
    s->slot[j] = (seen_t){map, h, copy, len, line};
    s->used++;
    return NULL;
}

static void seen_free(seen_set_t *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i].key);
    free(s->slot);
}

/* One open mapping or sequence.  name is how its children are named: the
 * dotted key that holds it ("" at the top, and for the flat section). */
typedef struct {
    int is_map;
    int want_key;       /* mapping: the next node is a key */
    uint64_t map;       /* mapping serial */
    unsigned long idx;  /* sequence: index of the next item */
    char key[72];       /* mapping: the last scalar key, cut to 64 bytes */
    char name[192];
} level_t;

/* The name a new collection's children get, from its parent. */
static void child_name(const level_t *parent, int top, const char *flat, char *out, size_t outlen)
{
    if (!parent) {
        out[0] = '\0';
    } else if (!parent->is_map) {
        snprintf(out, outlen, "%s[%lu]", parent->name, parent->idx);
    } else if (parent->want_key) {
        snprintf(out, outlen, "%s%s?", parent->name, *parent->name ? "." : "");
    } else if (top && flat && !strcmp(parent->key, flat)) {
        out[0] = '\0';
    } else {
        snprintf(out, outlen, "%s%s%s", parent->name, *parent->name ? "." : "", parent->key);
    }
}

int yamlscan_check(const char *text, size_t len, const char *path, const char *flat, char *err,
                   size_t errlen)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    level_t lv[YAMLSCAN_MAX_DEPTH + 1];
    seen_set_t seen = {NULL, 0, 0};
    uint64_t maps = 0;
    unsigned depth = 0, docs = 0;
    int rc = 0, done = 0, ended = 0;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            /* The loader reports an error in the first document; one after
             * it the loader never reads. */
            if (ended) {
                snprintf(err, errlen, "%s:%u: YAML syntax error after the first document: %s", path,
                         (unsigned)p.problem_mark.line + 1, p.problem ? p.problem : "unknown");
                rc = -1;
            }
            break;
        }
        const unsigned line = (unsigned)ev.start_mark.line + 1;
        if (docs > 1) {
            /* At the second document's first node (its "---" may be absent). */
            snprintf(err, errlen, "%s:%u: more than one YAML document", path, line);
            yaml_event_delete(&ev);
            rc = -1;
            break;
        }
        /* A node ends at the current level: a scalar, an alias or a
         * collection's end. */
        int node_done = 0;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            docs++;
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (++depth > YAMLSCAN_MAX_DEPTH) {
                snprintf(err, errlen, "%s:%u: nested deeper than %d levels", path, line,
                         YAMLSCAN_MAX_DEPTH);
                rc = -1;
                break;
            }
            {
                level_t *l = &lv[depth - 1];
                level_t *up = depth > 1 ? &lv[depth - 2] : NULL;
                char name[sizeof l->name];
                child_name(up, depth == 2, flat, name, sizeof name);
                if (up && up->is_map && up->want_key)
                    snprintf(up->key, sizeof up->key, "?"); /* a key that is not a word */
                *l = (level_t){.is_map = ev.type == YAML_MAPPING_START_EVENT, .want_key = 1};
                snprintf(l->name, sizeof l->name, "%s", name);
                if (l->is_map)
                    l->map = ++maps;
            }
            break;
        case YAML_DOCUMENT_END_EVENT:
            ended = 1;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            depth--;
            node_done = 1;
            break;
        case YAML_SCALAR_EVENT:
            if (depth && lv[depth - 1].is_map && lv[depth - 1].want_key) {
                level_t *l = &lv[depth - 1];
                const char *k = (const char *)ev.data.scalar.value;
                const size_t klen = ev.data.scalar.length;
                int oom = 0;
                const seen_t *first = seen_add(&seen, l->map, k, klen, line, &oom);
                char key[320];
                snprintf(key, sizeof key, "%s%s%.64s", l->name, *l->name ? "." : "", k);
                if (oom) {
                    rc = io_fail(err, errlen, path, line, NULL, "out of memory");
                } else if (first) {
                    rc = io_fail(err, errlen, path, line, key, "duplicated key (first on line %u)",
                                 first->line);
                }
                snprintf(l->key, sizeof l->key, "%.64s", k);
            }
            node_done = 1;
            break;
        case YAML_ALIAS_EVENT:
            if (depth && lv[depth - 1].is_map && lv[depth - 1].want_key)
                snprintf(lv[depth - 1].key, sizeof lv[depth - 1].key, "?");
            node_done = 1;
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        if (node_done && depth) {
            level_t *l = &lv[depth - 1];
            if (l->is_map)
                l->want_key = !l->want_key;
            else
                l->idx++;
        }
        yaml_event_delete(&ev);
        if (rc)
            break;
    }
    seen_free(&seen);
    yaml_parser_delete(&p);
    return rc;
}

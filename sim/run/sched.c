/* sched.c - event-driven command scheduler (see sched.h). */
#include "sched.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/escape.h"

/* A binary min-heap of (key, id) pairs. */
typedef struct {
    uint64_t *key;
    uint32_t *id;
    size_t len, cap;
} heap_t;

static int heap_push(heap_t *h, uint64_t key, uint32_t id)
{
    if (h->len == h->cap) {
        const size_t cap = h->cap ? 2 * h->cap : 16;
        uint64_t *k = realloc(h->key, cap * sizeof *k);
        if (!k)
            return -1;
        h->key = k;
        uint32_t *i = realloc(h->id, cap * sizeof *i);
        if (!i)
            return -1;
        h->id = i;
        h->cap = cap;
    }
    size_t c = h->len++;
    while (c > 0) {
        const size_t p = (c - 1) / 2;
        if (h->key[p] < key || (h->key[p] == key && h->id[p] < id))
            break;
        h->key[c] = h->key[p];
        h->id[c] = h->id[p];
        c = p;
    }
    h->key[c] = key;
    h->id[c] = id;
    return 0;
}

static uint32_t heap_pop(heap_t *h)
{
    const uint32_t top = h->id[0];
    const uint64_t key = h->key[--h->len];
    const uint32_t id = h->id[h->len];
    size_t c = 0;
    for (;;) {
        size_t m = 2 * c + 1;
        if (m >= h->len)
            break;
        if (m + 1 < h->len &&
            (h->key[m + 1] < h->key[m] || (h->key[m + 1] == h->key[m] && h->id[m + 1] < h->id[m])))
            m++;
        if (key < h->key[m] || (key == h->key[m] && id < h->id[m]))
            break;
        h->key[c] = h->key[m];
        h->id[c] = h->id[m];
        c = m;
    }
    h->key[c] = key;
    h->id[c] = id;
    return top;
}

static void heap_free(heap_t *h)
{
    free(h->key);
    free(h->id);
}

struct sched {
    sched_unit_t *units;
    size_t nunits, cap_units;
    sched_cmd_t *cmds;
    uint64_t *dep_off;     /* deps of command c: deps[dep_off[c] .. dep_off[c+1]) */
    uint32_t *deps;
    size_t ncmds, cap_cmds, cap_off, ndeps, cap_deps;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

sched_t *sched_new(void)
{
    sched_t *s = calloc(1, sizeof *s);
    if (s && grow((void **)&s->dep_off, &s->cap_off, 1, sizeof *s->dep_off) != 0) {
        free(s);
        return NULL;
    }
    if (s)
        s->dep_off[0] = 0;
    return s;
}

void sched_free(sched_t *s)
{
    if (!s)
        return;
    free(s->units);
    free(s->cmds);
    free(s->dep_off);
    free(s->deps);
    free(s);
}

int sched_add_unit(sched_t *s, const char *name, char *err, size_t errlen)
{
    if (grow((void **)&s->units, &s->cap_units, s->nunits + 1, sizeof *s->units) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sched_unit_t *u = &s->units[s->nunits];
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", name);
    return (int)s->nunits++;
}

int64_t sched_add_cmd(sched_t *s, uint32_t unit, uint64_t duration, uint32_t tag,
                      const uint32_t *deps, uint32_t ndeps, char *err, size_t errlen)
{
    if (unit >= s->nunits) {
        snprintf(err, errlen, "command %zu: unit %u does not exist", s->ncmds, unit);
        return -1;
    }
    if (s->ncmds >= UINT32_MAX) {
        snprintf(err, errlen, "too many commands");
        return -1;
    }
    for (uint32_t i = 0; i < ndeps; i++) {
        if (deps[i] >= s->ncmds) {
            snprintf(err, errlen, "command %zu: dependency %u is not an earlier command", s->ncmds,
                     deps[i]);
            return -1;
        }
    }
    if (grow((void **)&s->cmds, &s->cap_cmds, s->ncmds + 1, sizeof *s->cmds) != 0 ||
        grow((void **)&s->dep_off, &s->cap_off, s->ncmds + 2, sizeof *s->dep_off) != 0 ||
        grow((void **)&s->deps, &s->cap_deps, s->ndeps + ndeps, sizeof *s->deps) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->cmds[s->ncmds] = (sched_cmd_t){unit, duration, tag, 0, 0};
    if (ndeps)
        memcpy(s->deps + s->ndeps, deps, ndeps * sizeof *deps);
    s->ndeps += ndeps;
    s->dep_off[++s->ncmds] = s->ndeps;
    return (int64_t)s->ncmds - 1;
}

int sched_run(sched_t *s, uint64_t *makespan, char *err, size_t errlen)
{
    const size_t n = s->ncmds;
    uint32_t *indeg = calloc(n + 1, sizeof *indeg);
    uint64_t *succ_off = calloc(n + 1, sizeof *succ_off);
    uint32_t *succ = malloc((s->ndeps + 1) * sizeof *succ);
    uint64_t *fill = calloc(n + 1, sizeof *fill);
    heap_t *ready = calloc(s->nunits + 1, sizeof *ready);
    uint8_t *busy = calloc(s->nunits + 1, 1);
    uint32_t *touched = malloc((s->nunits + 1) * sizeof *touched);
    uint8_t *is_touched = calloc(s->nunits + 1, 1);
    heap_t events = {0};
    int rc = -1;
    if (!indeg || !succ_off || !succ || !fill || !ready || !busy || !touched || !is_touched)
        goto out;

    /* Successor lists (CSR) from the dependency lists. */
    for (size_t c = 0; c < n; c++) {
        indeg[c] = (uint32_t)(s->dep_off[c + 1] - s->dep_off[c]);
        for (uint64_t d = s->dep_off[c]; d < s->dep_off[c + 1]; d++)
            succ_off[s->deps[d] + 1]++;
    }
    for (size_t c = 0; c < n; c++)
        succ_off[c + 1] += succ_off[c];
    for (size_t c = 0; c < n; c++)
        for (uint64_t d = s->dep_off[c]; d < s->dep_off[c + 1]; d++)
            succ[succ_off[s->deps[d]] + fill[s->deps[d]]++] = (uint32_t)c;

    for (size_t u = 0; u < s->nunits; u++)
        s->units[u].busy = s->units[u].commands = 0;
    size_t ntouched = 0;
    for (size_t c = 0; c < n; c++) {
        if (indeg[c] == 0) {
            const uint32_t u = s->cmds[c].unit;
            if (heap_push(&ready[u], c, (uint32_t)c) != 0)
                goto out;
            if (!is_touched[u]) {
                is_touched[u] = 1;
                touched[ntouched++] = u;
            }
        }
    }
    uint64_t now = 0, done = 0, end = 0;
    for (;;) {
        /* Start the first ready command on every idle unit touched at `now`. */
        for (size_t i = 0; i < ntouched; i++) {
            const uint32_t u = touched[i];
            is_touched[u] = 0;
            if (busy[u] || ready[u].len == 0)
                continue;
            const uint32_t c = heap_pop(&ready[u]);
            sched_cmd_t *cmd = &s->cmds[c];
            cmd->start = now;
            cmd->end = now + cmd->duration;
            busy[u] = 1;
            s->units[u].busy += cmd->duration;
            s->units[u].commands++;
            if (heap_push(&events, cmd->end, c) != 0)
                goto out;
        }
        ntouched = 0;
        if (events.len == 0)
            break;
        /* Finish every command that ends at the next event time. */
        now = events.key[0];
        while (events.len && events.key[0] == now) {
            const uint32_t c = heap_pop(&events);
            const uint32_t u = s->cmds[c].unit;
            busy[u] = 0;
            done++;
            end = now;
            if (!is_touched[u]) {
                is_touched[u] = 1;
                touched[ntouched++] = u;
            }
            for (uint64_t k = succ_off[c]; k < succ_off[c + 1]; k++) {
                const uint32_t t = succ[k];
                if (--indeg[t] == 0) {
                    const uint32_t tu = s->cmds[t].unit;
                    if (heap_push(&ready[tu], t, t) != 0)
                        goto out;
                    if (!is_touched[tu]) {
                        is_touched[tu] = 1;
                        touched[ntouched++] = tu;
                    }
                }
            }
        }
    }
    if (done != n) {
        snprintf(err, errlen, "scheduler: %" PRIu64 " of %zu commands never became ready", n - done,
                 n);
        goto out_err;
    }
    *makespan = end;
    rc = 0;
    goto done_ok;
out:
    snprintf(err, errlen, "out of memory");
out_err:
    rc = -1;
done_ok:
    if (ready)
        for (size_t u = 0; u < s->nunits; u++)
            heap_free(&ready[u]);
    heap_free(&events);
    free(indeg);
    free(succ_off);
    free(succ);
    free(fill);
    free(ready);
    free(busy);
    free(touched);
    free(is_touched);
    return rc;
}

size_t sched_units(const sched_t *s) { return s->nunits; }
size_t sched_cmds(const sched_t *s) { return s->ncmds; }
const sched_unit_t *sched_unit(const sched_t *s, uint32_t u) { return &s->units[u]; }
const sched_cmd_t *sched_cmd(const sched_t *s, uint64_t c) { return &s->cmds[c]; }

int sched_trace_events(const sched_t *s, FILE *f, int pid, const char *process, double freq_mhz,
                       uint64_t t0, const char *(*label)(uint32_t tag, void *ctx), void *ctx,
                       int *first)
{
    fprintf(f, "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"args\":{\"name\":",
            *first ? "" : ",\n", pid);
    esc_json(f, process);
    fputs("}}", f);
    *first = 0;
    for (size_t u = 0; u < s->nunits; u++) {
        fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%zu,"
                   "\"args\":{\"name\":",
                pid, u);
        esc_json(f, s->units[u].name);
        fputs("}}", f);
    }
    for (size_t c = 0; c < s->ncmds; c++) {
        const sched_cmd_t *cmd = &s->cmds[c];
        fputs(",\n{\"name\":", f);
        esc_json(f, label ? label(cmd->tag, ctx) : "cmd");
        fprintf(f,
                ",\"ph\":\"X\",\"pid\":%d,\"tid\":%u,\"ts\":%.4f,\"dur\":%.4f,"
                "\"args\":{\"cmd\":%zu,\"tag\":%u,\"start_cycle\":%" PRIu64
                ",\"cycles\":%" PRIu64 "}}",
                pid, cmd->unit, (double)(t0 + cmd->start) / freq_mhz,
                (double)cmd->duration / freq_mhz, c, cmd->tag, cmd->start, cmd->duration);
    }
    return ferror(f) ? -1 : 0;
}

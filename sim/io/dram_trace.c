/* dram_trace.c - the trace formats described in dram_trace.h. */
#include "dram_trace.h"

#include "../../models/dram_ctrl.h"

#include "ioerr.h"
#include "textfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 4

/* 0 read, 1 write, -1 not an operation word. */
static int op_of(const char *s, size_t n)
{
    static const char *const rd[] = {"R", "READ", "RD", "LD"}, *const wr[] = {"W", "WRITE", "WR", "ST"};
    for (int i = 0; i < 4; i++) {
        if (strlen(rd[i]) == n && !strncasecmp(s, rd[i], n))
            return 0;
        if (strlen(wr[i]) == n && !strncasecmp(s, wr[i], n))
            return 1;
    }
    return -1;
}

/* Whole number, decimal or (hex_ok) 0x-prefixed hex, into *v; 0 or -1. */
static int num_of(const char *s, size_t n, int hex_ok, uint64_t *v)
{
    uint64_t x = 0;
    size_t i = 0;
    int base = 10;
    if (hex_ok && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == n)
        return -1;
    for (; i < n; i++) {
        int d;
        const char ch = s[i];
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (base == 16 && ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (base == 16 && ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            return -1;
        if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return -1;
        x = x * (uint64_t)base + (uint64_t)d;
    }
    *v = x;
    return 0;
}

/* "NAME:LINE: reason" where fmt takes the offending token as %.*s, cut to
 * 40 characters. */
static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt,
                const char *tok, size_t toklen)
{
    return io_fail(err, errlen, name, line, NULL, fmt, (int)(toklen > 40 ? 40 : toklen), tok);
}

int dram_trace_parse(const char *name, const char *text, size_t len, uint64_t capacity,
                     dram_trace_t *t, char *err, size_t errlen)
{
    t->r = NULL;
    t->n = 0;
    size_t cap = 0;
    uint64_t last = 0;
    unsigned line = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        line++;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *f[MAX_FIELDS + 1];
        size_t fl[MAX_FIELDS + 1];
        int nf = 0;
        const char *q = p;
        while (q < eol) {
            while (q < eol && (*q == ' ' || *q == '\t' || *q == ',' || *q == '\r'))
                q++;
            if (q == eol || (*q == '#' && nf == 0))
                break;
            const char *s = q;
            while (q < eol && *q != ' ' && *q != '\t' && *q != ',' && *q != '\r')
                q++;
            if (nf == MAX_FIELDS) {
                dram_trace_free(t);
                return fail(err, errlen, name, line, "too many fields at '%.*s' (expected "
                            "CYCLE ADDR OP, ADDR OP CYCLE, ADDR OP or OP ADDR)", s, (size_t)(q - s));
            }
            f[nf] = s;
            fl[nf++] = (size_t)(q - s);
        }
        p = eol + 1;
        if (nf == 0)
            continue;
        int ai = -1, oi = -1, ci = -1;
        if (nf == 2 && op_of(f[1], fl[1]) >= 0)
            ai = 0, oi = 1;
        else if (nf == 2 && op_of(f[0], fl[0]) >= 0)
            oi = 0, ai = 1;
        else if (nf == 3 && op_of(f[2], fl[2]) >= 0)
            ci = 0, ai = 1, oi = 2;
        else if (nf == 3 && op_of(f[1], fl[1]) >= 0)
            ai = 0, oi = 1, ci = 2;
        else {
            dram_trace_free(t);
            return fail(err, errlen, name, line, "no R/W operation where expected in '%.*s' "
                        "(CYCLE ADDR OP, ADDR OP CYCLE, ADDR OP or OP ADDR)", f[0],
                        (size_t)(f[nf - 1] + fl[nf - 1] - f[0]));
        }
        dram_treq_t r = {.line = line, .write = (uint8_t)op_of(f[oi], fl[oi])};
        if (num_of(f[ai], fl[ai], 1, &r.addr)) {
            dram_trace_free(t);
            return fail(err, errlen, name, line, "address '%.*s' is not a hex (0x...) or decimal "
                        "number", f[ai], fl[ai]);
        }
        if (capacity && r.addr >= capacity) {
            char why[64];
            snprintf(why, sizeof why, " is beyond the capacity of %llu bytes",
                     (unsigned long long)capacity);
            dram_trace_free(t);
            char fmt[128];
            snprintf(fmt, sizeof fmt, "address %%.*s%s", why);
            return fail(err, errlen, name, line, fmt, f[ai], fl[ai]);
        }
        r.cycle = last;
        if (ci >= 0) {
            if (num_of(f[ci], fl[ci], 0, &r.cycle)) {
                dram_trace_free(t);
                return fail(err, errlen, name, line, "cycle '%.*s' is not a decimal number", f[ci],
                            fl[ci]);
            }
            if (r.cycle > DRAM_MAX_CYCLE) {
                dram_trace_free(t);
                return fail(err, errlen, name, line,
                            "cycle %.*s is beyond the limit of 2^62 (the controller's cycle "
                            "arithmetic needs the headroom)",
                            f[ci], fl[ci]);
            }
            if (r.cycle < last) {
                char fmt[128];
                snprintf(fmt, sizeof fmt, "cycle %%.*s is before the previous line's %llu",
                         (unsigned long long)last);
                dram_trace_free(t);
                return fail(err, errlen, name, line, fmt, f[ci], fl[ci]);
            }
        }
        last = r.cycle;
        if (t->n == cap) {
            cap = cap ? 2 * cap : 1024;
            dram_treq_t *bigger = realloc(t->r, cap * sizeof *bigger);
            if (!bigger) {
                dram_trace_free(t);
                snprintf(err, errlen, "%s: out of memory", name);
                return -1;
            }
            t->r = bigger;
        }
        t->r[t->n++] = r;
    }
    if (t->n == 0) {
        snprintf(err, errlen, "%s: no requests", name);
        return -1;
    }
    return 0;
}

int dram_trace_load(const char *path, uint64_t capacity, dram_trace_t *t, char *err, size_t errlen)
{
    t->r = NULL; /* empty on every error, also one before parsing */
    t->n = 0;
    size_t len;
    char *text = textfile_read(path, &len, err, errlen);
    if (!text)
        return -1;
    const int rc = dram_trace_parse(path, text, len, capacity, t, err, errlen);
    free(text);
    return rc;
}

void dram_trace_free(dram_trace_t *t)
{
    free(t->r);
    t->r = NULL;
    t->n = 0;
}

/* workload.c - layer CSVs into GEMM layers.
 *
 * The header row names the columns; columns[] says which form (GEMM or
 * SCALE-Sim conv) each belongs to and whether it is optional, so a new
 * column is one table entry plus its use in row_to_layer().  An optional
 * column may be absent from the header, and its field empty or, at the end
 * of a row, left off (so a trailing comma cannot be mistaken for a value).
 *
 * Weight precision (GEMM form): w_bits 1..4 or "ternary" says the layer's
 * weights are that narrow, wq picks their grid (sym or zp, as in
 * models/lut_tc.h; default zp, the zero point then being 2^(w_bits-1), i.e.
 * two's-complement codes).  An empty w_bits is an int8 layer.  Fields are split at ',' and may be
 * quoted as RFC 4180 says ("a,b" and "say ""hi""": codesim's own CSV output
 * quotes names so, escape.h); a trailing comma ends a row in SCALE-Sim
 * files.
 *
 * Conv rows become GEMMs the way SCALE-Sim's im2col view does, without
 * padding: E_h = (IFMAP Height - Filter Height) / Strides + 1 (rounded down,
 * as SCALE-Sim 1 does; SCALE-Sim 2 rounds up and counts a partial window at
 * the edge), E_w likewise, M = E_h * E_w, N = Num Filter,
 * K = Filter Height * Filter Width * Channels.
 */
#include "workload.h"

#include "ioerr.h"
#include "textfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../models/systolic.h"
#include "../../models/util.h"


enum { FORM_GEMM = 1, FORM_CONV = 2 };

typedef enum {
    COL_NAME,
    COL_M, COL_N, COL_K,
    COL_IFMAP_H, COL_IFMAP_W, COL_FILTER_H, COL_FILTER_W, COL_CHANNELS, COL_NUM_FILTER,
    COL_STRIDES,
    COL_W_BITS, COL_WQ,
    COL_COUNT
} col_t;

static const struct {
    const char *name; /* header text, compared case-insensitively */
    col_t col;
    unsigned forms;   /* forms the column belongs to */
    int optional;     /* 0: required in those forms */
} columns[] = {
    {"Layer", COL_NAME, FORM_GEMM | FORM_CONV, 0},
    {"Layer name", COL_NAME, FORM_GEMM | FORM_CONV, 0},
    {"M", COL_M, FORM_GEMM, 0},
    {"N", COL_N, FORM_GEMM, 0},
    {"K", COL_K, FORM_GEMM, 0},
    {"IFMAP Height", COL_IFMAP_H, FORM_CONV, 0},
    {"IFMAP Width", COL_IFMAP_W, FORM_CONV, 0},
    {"Filter Height", COL_FILTER_H, FORM_CONV, 0},
    {"Filter Width", COL_FILTER_W, FORM_CONV, 0},
    {"Channels", COL_CHANNELS, FORM_CONV, 0},
    {"Num Filter", COL_NUM_FILTER, FORM_CONV, 0},
    {"Strides", COL_STRIDES, FORM_CONV, 0},
    {"w_bits", COL_W_BITS, FORM_GEMM, 1},
    {"wq", COL_WQ, FORM_GEMM, 1},
};

#define MAX_FIELDS 32

/* The header as read: each position's column and its text (for errors). */
typedef struct {
    unsigned forms;           /* the one form this file is in */
    size_t count;             /* columns in the header */
    col_t col[MAX_FIELDS];
    int optional[MAX_FIELDS]; /* columns[].optional of each position */
    char name[MAX_FIELDS][48];
} header_t;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* Splits a line in place into fields as RFC 4180 reads them: a field is
 * cut at ',' and trimmed of spaces and tabs, or is enclosed in double quotes
 * (around which spaces and tabs are allowed), holding commas, and a doubled
 * double quote stands for one.  A double quote inside an unquoted field is
 * kept as it is (as Python's csv module reads it).  One trailing empty field
 * (the trailing comma) is dropped.  Fields never span lines: a layer name
 * cannot hold a line break.  Returns the count, MAX_FIELDS+1 when there are
 * too many, or 0 with *why set when a quoted field is malformed. */
static size_t split(char *s, char *field[MAX_FIELDS], const char **why)
{
    size_t n = 0;
    *why = NULL;
    for (;;) {
        if (n == MAX_FIELDS)
            return MAX_FIELDS + 1;
        while (*s == ' ' || *s == '\t')
            s++;
        char *end; /* the field's delimiter: ',' or the end of the line */
        if (*s == '"') {
            char *w = s, *r = s + 1;
            for (;;) {
                if (*r == '\0') {
                    *why = "quoted field not closed on its line";
                    return 0;
                }
                if (*r == '"') {
                    if (r[1] != '"')
                        break;
                    r++; /* "" is one " */
                }
                *w++ = *r++;
            }
            end = r + 1;
            while (*end == ' ' || *end == '\t' || *end == '\r')
                end++;
            if (*end != ',' && *end != '\0') {
                *why = "text after a quoted field's closing quote (write a quote inside quotes "
                       "as \"\")";
                return 0;
            }
            *w = '\0';
            field[n++] = s;
        } else {
            end = strchr(s, ',');
            if (end)
                *end = '\0';
            field[n++] = trim(s);
            if (!end)
                break;
            s = end + 1;
            continue;
        }
        if (*end == '\0')
            break;
        s = end + 1;
    }
    if (n > 1 && *field[n - 1] == '\0')
        n--;
    return n;
}

static int parse_header(char *line, unsigned lineno, header_t *h, const char *path, char *err,
                        size_t errlen)
{
    char *field[MAX_FIELDS];
    const char *why;
    size_t n = split(line, field, &why);
    if (why)
        return io_fail(err, errlen, path, lineno, NULL, "%s", why);
    if (n > MAX_FIELDS)
        return io_fail(err, errlen, path, lineno, NULL, "more than %d columns", MAX_FIELDS);
    memset(h, 0, sizeof *h);
    h->count = n;
    h->forms = FORM_GEMM | FORM_CONV;
    unsigned seen = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = 0;
        while (c < ARRAY_LEN(columns) && strcasecmp(columns[c].name, field[i]) != 0)
            c++;
        if (c == ARRAY_LEN(columns))
            return io_fail(err, errlen, path, lineno, *field[i] ? field[i] : NULL,
                           *field[i] ? "unknown column" : "empty column name in the header");
        if ((i == 0) != (columns[c].col == COL_NAME))
            return io_fail(err, errlen, path, lineno, field[i],
                           i ? "only the first column names the layer"
                           : "the first column must be Layer or Layer name");
        if (seen & (1u << columns[c].col))
            return io_fail(err, errlen, path, lineno, field[i], "duplicated column");
        if (!(h->forms & columns[c].forms))
            return io_fail(err, errlen, path, lineno, field[i],
                           "does not belong with the columns before it (GEMM: Layer,M,N,K[,w_bits,wq]; conv: "
                           "Layer name,IFMAP Height,...,Strides)");
        h->forms &= columns[c].forms;
        seen |= 1u << columns[c].col;
        h->col[i] = columns[c].col;
        h->optional[i] = columns[c].optional;
        snprintf(h->name[i], sizeof h->name[i], "%s", field[i]);
    }
    if (h->forms == (FORM_GEMM | FORM_CONV))
        return io_fail(err, errlen, path, lineno, field[0],
                       "expected M,N,K or the SCALE-Sim conv columns after it");
    for (size_t c = 0; c < ARRAY_LEN(columns); c++)
        if ((columns[c].forms & h->forms) && !columns[c].optional &&
            !(seen & (1u << columns[c].col)))
            return io_fail(err, errlen, path, lineno, columns[c].name, "missing column");
    return 0;
}

/* a*b*c when it is at most SYSTOLIC_MAX_GEMM_DIM (all factors >= 1). */
static int product(uint64_t a, uint64_t b, uint64_t c, uint64_t *out)
{
    const uint64_t max = SYSTOLIC_MAX_GEMM_DIM;
    if (a > max || b > max / a || c > max / (a * b))
        return -1;
    *out = a * b * c;
    return 0;
}

/* Fills ly->w_bits and ly->wq from the w_bits and wq fields ("" when empty
 * or absent); names are the columns as the header spells them. */
static int weight_precision(const char *wbits, const char *wbits_name, const char *wq,
                            const char *wq_name, layer_t *ly, unsigned lineno, const char *path,
                            char *err, size_t errlen)
{
    if (*wbits == '\0') {
        if (*wq)
            return io_fail(err, errlen, path, lineno, wq_name,
                           "'%.20s' without a w_bits (an empty w_bits is an int8 layer)", wq);
        return 0;   /* int8 weights: w_bits 0 */
    }
    if (strcmp(wbits, "ternary") == 0) {
        if (*wq)
            return io_fail(err, errlen, path, lineno, wq_name,
                           "'%.20s' with ternary weights (they are {-1, 0, +1}; leave wq empty)", wq);
        ly->w_bits = 2; /* ternary codes {0,1,2} take two bit-planes (lut_tc.h) */
        ly->wq = LUT_WQ_TERNARY;
        return 0;
    }
    if (strlen(wbits) != 1 || wbits[0] < '1' || wbits[0] > '0' + (int)LUT_MAX_PLANES)
        return io_fail(err, errlen, path, lineno, wbits_name,
                       "'%.20s' is not supported (1..%u or ternary; empty for int8)", wbits,
                       LUT_MAX_PLANES);
    ly->w_bits = (uint32_t)(wbits[0] - '0');
    ly->wq = LUT_WQ_ZP;
    if (*wq && (lut_wq_parse(wq, &ly->wq) != 0 || ly->wq == LUT_WQ_TERNARY))
        return io_fail(err, errlen, path, lineno, wq_name,
                       "'%.20s' is not sym or zp (ternary weights: w_bits ternary)", wq);
    return 0;
}

static int row_to_layer(char *line, unsigned lineno, const header_t *h, layer_t *ly,
                        const char *path, char *err, size_t errlen)
{
    char *field[MAX_FIELDS];
    uint64_t v[COL_COUNT] = {0};
    const char *why;
    size_t n = split(line, field, &why);
    if (why)
        return io_fail(err, errlen, path, lineno, NULL, "%s", why);
    const char *wbits = "", *wq = "";      /* optional text fields, "" when empty */
    const char *wbits_name = "w_bits", *wq_name = "wq"; /* as the header spells them */

    memset(ly, 0, sizeof *ly);
    ly->line = lineno;
    for (size_t i = 0; i < h->count; i++) {
        if (i >= n && !h->optional[i])
            return io_fail(err, errlen, path, lineno, h->name[i], "missing field");
        const char *s = i < n ? field[i] : "", *f = h->name[i];
        size_t len = strlen(s);
        if (h->col[i] == COL_W_BITS) {
            wbits = s;
            wbits_name = f;
            continue;
        }
        if (h->col[i] == COL_WQ) {
            wq = s;
            wq_name = f;
            continue;
        }
        if (h->col[i] == COL_NAME) {
            if (len == 0)
                return io_fail(err, errlen, path, lineno, f, "empty layer name");
            if (len >= sizeof ly->name)
                return io_fail(err, errlen, path, lineno, f, "'%.20s...' is longer than %zu characters",
                               s, sizeof ly->name - 1);
            for (size_t b = 0; b < len; b++)
                if ((unsigned char)s[b] < 0x20 || s[b] == 0x7f)
                    return io_fail(err, errlen, path, lineno, f,
                                   "control character 0x%02x at byte %zu of the layer name",
                                   (unsigned char)s[b], b + 1);
            memcpy(ly->name, s, len + 1);
            continue;
        }
        if (len == 0)
            return io_fail(err, errlen, path, lineno, f, "missing value");
        size_t j = s[0] == '-' ? 1 : 0;
        int digits = j < len;
        for (size_t k = j; k < len; k++)
            digits = digits && s[k] >= '0' && s[k] <= '9';
        if (!digits)
            return io_fail(err, errlen, path, lineno, f, "'%.40s' is not a whole number", s);
        if (j)
            return io_fail(err, errlen, path, lineno, f, "%.40s is negative", s);
        uint64_t x = 0;
        for (; j < len; j++) {
            unsigned d = (unsigned)(s[j] - '0');
            if (x > (UINT64_MAX - d) / 10)
                return io_fail(err, errlen, path, lineno, f, "%.40s is too large", s);
            x = x * 10 + d;
        }
        if (x == 0)
            return io_fail(err, errlen, path, lineno, f, "0 is not allowed, must be positive");
        v[h->col[i]] = x;
    }
    if (n > h->count)
        return io_fail(err, errlen, path, lineno, NULL, "more fields than the header's %zu columns",
                       h->count);

    const unsigned max = SYSTOLIC_MAX_GEMM_DIM;
    if (h->forms == FORM_GEMM) {
        static const col_t dims[3] = {COL_M, COL_N, COL_K};
        for (size_t d = 0; d < 3; d++) {
            if (v[dims[d]] > max) {
                size_t i = 0;
                while (h->col[i] != dims[d])
                    i++;
                return io_fail(err, errlen, path, lineno, h->name[i], "%llu is larger than %u",
                               (unsigned long long)v[dims[d]], max);
            }
        }
        ly->m = v[COL_M];
        ly->n = v[COL_N];
        ly->k = v[COL_K];
        /* topology_utils.py load_arrays_gemm: [m, k, 1, k, 1, n, 1] */
        ly->shape = (scalesim_layer_t){ly->m, ly->k, 1, ly->k, 1, ly->n, 1};
        ly->conv = 0;
        return weight_precision(wbits, wbits_name, wq, wq_name, ly, lineno, path, err, errlen);
    }

    if (v[COL_FILTER_H] > v[COL_IFMAP_H])
        return io_fail(err, errlen, path, lineno, "Filter Height", "%llu is larger than IFMAP Height %llu",
                       (unsigned long long)v[COL_FILTER_H], (unsigned long long)v[COL_IFMAP_H]);
    if (v[COL_FILTER_W] > v[COL_IFMAP_W])
        return io_fail(err, errlen, path, lineno, "Filter Width", "%llu is larger than IFMAP Width %llu",
                       (unsigned long long)v[COL_FILTER_W], (unsigned long long)v[COL_IFMAP_W]);
    ly->shape = (scalesim_layer_t){v[COL_IFMAP_H], v[COL_IFMAP_W], v[COL_FILTER_H], v[COL_FILTER_W],
                                   v[COL_CHANNELS], v[COL_NUM_FILTER], v[COL_STRIDES]};
    ly->conv = 1;
    uint64_t eh = (v[COL_IFMAP_H] - v[COL_FILTER_H]) / v[COL_STRIDES] + 1;
    uint64_t ew = (v[COL_IFMAP_W] - v[COL_FILTER_W]) / v[COL_STRIDES] + 1;
    if (product(eh, ew, 1, &ly->m))
        return io_fail(err, errlen, path, lineno, "M", "E_h*E_w = %llu*%llu output pixels is larger than %u",
                       (unsigned long long)eh, (unsigned long long)ew, max);
    if (v[COL_NUM_FILTER] > max)
        return io_fail(err, errlen, path, lineno, "Num Filter", "%llu is larger than %u",
                       (unsigned long long)v[COL_NUM_FILTER], max);
    ly->n = v[COL_NUM_FILTER];
    if (product(v[COL_FILTER_H], v[COL_FILTER_W], v[COL_CHANNELS], &ly->k))
        return io_fail(err, errlen, path, lineno, "K",
                       "Filter Height*Filter Width*Channels = %llu*%llu*%llu is larger than %u",
                       (unsigned long long)v[COL_FILTER_H], (unsigned long long)v[COL_FILTER_W],
                       (unsigned long long)v[COL_CHANNELS], max);
    return 0;
}

/* A convolution row whose name contains "DP" is depthwise, as SCALE-Sim's
 * topology_utils.py reads it: each of its C channels is filtered on its own
 * (no sum across channels), so it becomes C layers of one channel, named
 * <name>Channel_<c>, each M = output pixels, N = Num Filter, K = Fh x Fw.
 * Run densely it would sum C channels it must not (K = Fh x Fw x C). */
#define MAX_DEPTHWISE_CHANNELS 65536u
static int depthwise(workload_t *wl, size_t *cap, unsigned lineno, const char *path, char *err,
                     size_t errlen)
{
    layer_t row = wl->layers[wl->count];
    const uint64_t c = row.shape.channels;
    if (c > MAX_DEPTHWISE_CHANNELS)
        return io_fail(err, errlen, path, lineno, "Channels",
                       "%llu channels in a depthwise (DP) row: at most %u",
                       (unsigned long long)c, MAX_DEPTHWISE_CHANNELS);
    row.shape.channels = 1;
    row.k = row.shape.filt_h * row.shape.filt_w;
    for (uint64_t i = 0; i < c; i++) {
        if (wl->count == *cap) {
            size_t ncap = 2 * *cap;
            layer_t *bigger = realloc(wl->layers, ncap * sizeof *bigger);
            if (!bigger)
                return io_fail(err, errlen, path, lineno, NULL, "out of memory");
            wl->layers = bigger;
            *cap = ncap;
        }
        layer_t *ly = &wl->layers[wl->count++];
        *ly = row;
        if ((size_t)snprintf(ly->name, sizeof ly->name, "%sChannel_%llu", row.name,
                             (unsigned long long)i) >= sizeof ly->name)
            return io_fail(err, errlen, path, lineno, "Layer name",
                           "depthwise (DP) layer name too long for its channel suffix");
    }
    return 0;
}

static int parse(char *s, workload_t *wl, const char *path, char *err, size_t errlen)
{
    header_t h;
    int have_header = 0;
    size_t cap = 0;
    unsigned lineno = 0;

    if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb && (unsigned char)s[2] == 0xbf)
        s += 3; /* UTF-8 byte order mark, as spreadsheets write it */
    for (char *next = s; next;) {
        char *line = next;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        line = trim(line);
        if (*line == '\0' || *line == '#')
            continue;
        if (!have_header) {
            if (parse_header(line, lineno, &h, path, err, errlen))
                return -1;
            have_header = 1;
            continue;
        }
        if (wl->count == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            layer_t *bigger = realloc(wl->layers, ncap * sizeof *bigger);
            if (!bigger)
                return io_fail(err, errlen, path, lineno, NULL, "out of memory");
            wl->layers = bigger;
            cap = ncap;
        }
        if (row_to_layer(line, lineno, &h, &wl->layers[wl->count], path, err, errlen))
            return -1;
        layer_t *ly = &wl->layers[wl->count];
        if (ly->conv && strstr(ly->name, "DP")) {
            if (depthwise(wl, &cap, lineno, path, err, errlen))
                return -1;
            continue;
        }
        wl->count++;
    }
    if (!have_header)
        return io_fail(err, errlen, path, 0, NULL, "no header row (Layer,M,N,K or SCALE-Sim conv)");
    if (wl->count == 0)
        return io_fail(err, errlen, path, 0, NULL, "no layers");
    return 0;
}

/* wl is an output: on error it is empty (nothing to free). */
int workload_load(const char *path, workload_t *wl, char *err, size_t errlen)
{
    memset(wl, 0, sizeof *wl);
    size_t len = 0;
    char *text = textfile_read(path, &len, err, errlen);
    if (!text)
        return -1;
    char *work = malloc(len + 1);
    if (!work) {
        free(text);
        return io_fail(err, errlen, path, 0, NULL, "out of memory");
    }
    memcpy(work, text, len + 1);
    int rc = parse(work, wl, path, err, errlen);
    free(work);
    if (rc) {
        free(text);
        workload_free(wl);
        return -1;
    }
    wl->text = text;
    return 0;
}

void workload_free(workload_t *wl)
{
    if (!wl)
        return;
    free(wl->layers);
    free(wl->text);
    memset(wl, 0, sizeof *wl);
}

int workload_model_load(const char *path, mapper_model_t *m, char *err, size_t errlen)
{
    size_t len;
    char *text = textfile_read(path, &len, err, errlen);
    if (!text)
        return -1;
    const int rc = mapper_model_parse(text, len, path, m, err, errlen);
    free(text);
    return rc;
}

/* One unsigned decimal field of a routing row, in 0..max. */
static int routing_field(const char *s, const char *path, unsigned line, const char *key,
                         uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return io_fail(err, errlen, path, line, key, "'%s' is not a whole number", s);
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(s, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\r')
        end++;
    if (*end || errno || v > max)
        return io_fail(err, errlen, path, line, key, "'%s' is not a whole number in 0..%llu", s,
                       (unsigned long long)max);
    *out = v;
    return 0;
}

int workload_routing_load(const char *path, const mapper_model_t *m, mapper_routing_t *rt,
                          char *err, size_t errlen)
{
    memset(rt, 0, sizeof *rt);
    if (!m->experts)
        return io_fail(err, errlen, path, 0, NULL, "the model has no experts to route to");
    size_t len;
    char *text = textfile_read(path, &len, err, errlen);
    if (!text)
        return -1;
    rt->hash = util_fnv1a(UTIL_FNV_INIT, text, len);
    /* Two passes: the largest step sizes the table, then the counts. */
    static const char *const keys[] = {"step", "layer", "expert", "tokens"};
    const uint64_t max[] = {(1u << 24) - 1, m->layers - 1, m->experts - 1, UINT32_MAX};
    int rc = -1;
    for (int pass = 0; pass < 2; pass++) {
        unsigned line = 0;
        char *work = strdup(text);
        if (!work) {
            io_fail(err, errlen, path, 0, NULL, "out of memory");
            goto out;
        }
        for (char *row = work, *next; row; row = next) {
            next = strchr(row, '\n');
            if (next)
                *next++ = 0;
            line++;
            if (!row[strspn(row, " \t\r")] || row[0] == '#')
                continue;
            if (line == 1 || !strncmp(row, "step", 4)) {
                if (strncmp(row, "step,layer,expert,tokens", 24)) {
                    free(work);
                    io_fail(err, errlen, path, line, NULL,
                            "the header must be step,layer,expert,tokens");
                    goto out;
                }
                continue;
            }
            uint64_t v[4];
            char *f = row;
            for (int i = 0; i < 4; i++) {
                char *comma = strchr(f, ',');
                if ((i < 3) != (comma != NULL)) {
                    free(work);
                    io_fail(err, errlen, path, line, NULL, "want 4 fields: step,layer,expert,tokens");
                    goto out;
                }
                if (comma)
                    *comma = 0;
                if (routing_field(f, path, line, keys[i], max[i], &v[i], err, errlen)) {
                    free(work);
                    goto out;
                }
                f = comma ? comma + 1 : f;
            }
            if (pass == 0) {
                if (v[0] + 1 > rt->steps)
                    rt->steps = (uint32_t)(v[0] + 1);
            } else {
                uint32_t *t = &rt->tokens[(v[0] * rt->layers + v[1]) * rt->experts + v[2]];
                if (*t) {
                    free(work);
                    io_fail(err, errlen, path, line, NULL, "step %llu layer %llu expert %llu "
                            "given twice", (unsigned long long)v[0], (unsigned long long)v[1],
                            (unsigned long long)v[2]);
                    goto out;
                }
                *t = (uint32_t)v[3];
                rt->lines[t - rt->tokens] = line;
            }
        }
        free(work);
        if (pass == 0) {
            if (!rt->steps) {
                io_fail(err, errlen, path, 0, NULL, "no routing rows");
                goto out;
            }
            rt->layers = (uint32_t)m->layers;
            rt->experts = (uint32_t)m->experts;
            uint64_t cells;
            if (util_mul_u64((uint64_t)rt->steps * rt->layers, rt->experts, &cells) ||
                cells > (1ull << 28) || !(rt->tokens = calloc(cells, sizeof *rt->tokens)) ||
                !(rt->lines = calloc(cells, sizeof *rt->lines)) || !(rt->path = strdup(path))) {
                io_fail(err, errlen, path, 0, NULL, "%u steps x %u layers x %u experts do not "
                        "fit in memory", rt->steps, rt->layers, rt->experts);
                goto out;
            }
        }
    }
    rc = 0;
out:
    free(text);
    if (rc)
        workload_routing_free(rt);
    return rc;
}

void workload_routing_free(mapper_routing_t *rt)
{
    free(rt->tokens);
    free(rt->lines);
    free(rt->path);
    memset(rt, 0, sizeof *rt);
}

/* serve_file.c - serve workload YAML and request-trace CSVs (serve_file.h). */
#include "serve_file.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ioerr.h"
#include "textfile.h"
#include "yamlscan.h"

void serve_stream_free(serve_stream_t *s)
{
    free(s->reqs);
    s->reqs = NULL;
    s->n = 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Hinnant's
 * days_from_civil, howardhinnant.github.io/date_algorithms.html). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* Seconds from a number or "YYYY-MM-DD HH:MM:SS[.frac]". */
static int parse_time(const char *s, double *out)
{
    char *end;
    errno = 0;
    /* Decimal seconds only: strtod would also take hex (0x10), inf, nan. */
    const int decimal = s[strspn(s, "0123456789.eE+-")] == '\0';
    const double v = strtod(s, &end);
    if (decimal && end != s && *end == '\0' && errno == 0 && isfinite(v) && v >= 0) {
        *out = v;
        return 0;
    }
    int y, mo, d, h, mi, n = 0;
    double sec;
    if (sscanf(s, "%4d-%2d-%2d%*[ T]%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
        s[n] != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 ||
        sec >= 61)
        return -1;
    *out = (double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 + h * 3600.0 +
           mi * 60.0 + sec;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    const unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > (1ull << 24))
        return -1;
    *out = v;
    return 0;
}

#define TRACE_MAX_COLS 32

int serve_trace_load(const char *path, serve_stream_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t len;
    char *text = textfile_read(path, &len, err, errlen);
    if (!text)
        return -1;
    int col_t = -1, col_p = -1, col_g = -1, have_header = 0, rc = -1, header_nf = 0;
    size_t cap = 0;
    double t0 = 0, prev = 0;
    unsigned line = 0;
    char *save = NULL;
    /* A UTF-8 byte-order mark (spreadsheet exports) is not part of the header. */
    char *body = !strncmp(text, "\xEF\xBB\xBF", 3) ? text + 3 : text;
    for (char *ln = strtok_r(body, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        line++;
        char *l = trim(ln);
        if (!*l || *l == '#')
            continue;
        char *f[TRACE_MAX_COLS];
        int nf = 0;
        for (char *p = l;;) {
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            if (nf == TRACE_MAX_COLS) {
                io_fail(err, errlen, path, line, NULL, "more than %d columns", TRACE_MAX_COLS);
                goto out;
            }
            f[nf++] = trim(p);
            if (!comma)
                break;
            p = comma + 1;
        }
        if (!have_header) {
            for (int i = 0; i < nf; i++) {
                int *col = !strcmp(f[i], "TIMESTAMP")         ? &col_t
                           : !strcmp(f[i], "ContextTokens")   ? &col_p
                           : !strcmp(f[i], "GeneratedTokens") ? &col_g
                                                              : NULL;
                if (!col)
                    continue; /* other columns of a published trace are ignored */
                if (*col >= 0) {
                    /* as the workload CSV: never a silent "last one wins" */
                    io_fail(err, errlen, path, line, f[i], "duplicated column");
                    goto out;
                }
                *col = i;
            }
            if (col_t < 0 || col_p < 0 || col_g < 0) {
                io_fail(err, errlen, path, line,
                        col_t < 0 ? "TIMESTAMP" : col_p < 0 ? "ContextTokens" : "GeneratedTokens",
                        "missing from the header (TIMESTAMP,ContextTokens,GeneratedTokens)");
                goto out;
            }
            have_header = 1;
            header_nf = nf;
            continue;
        }
        if (nf != header_nf) { /* a field too many is a pasting error, as one too few */
            io_fail(err, errlen, path, line, NULL, "%d fields, the header has %d", nf, header_nf);
            goto out;
        }
        double t;
        serve_req_t q;
        if (parse_time(f[col_t], &t) != 0) {
            io_fail(err, errlen, path, line, "TIMESTAMP",
                    "'%.40s' is not seconds or YYYY-MM-DD HH:MM:SS[.frac]", f[col_t]);
            goto out;
        }
        if (parse_count(f[col_p], &q.prompt) != 0 || q.prompt < 1) {
            io_fail(err, errlen, path, line, "ContextTokens", "'%.40s' is not a count 1..2^24",
                    f[col_p]);
            goto out;
        }
        if (parse_count(f[col_g], &q.gen) != 0 || q.gen < 1) {
            io_fail(err, errlen, path, line, "GeneratedTokens",
                    "'%.40s' is not a count 1..2^24", f[col_g]);
            goto out;
        }
        if (!out->n)
            t0 = t;
        else if (t < prev) {
            io_fail(err, errlen, path, line, "TIMESTAMP", "earlier than the row before");
            goto out;
        }
        prev = t;
        q.arrival_s = t - t0;
        q.line = line;
        if (!(q.arrival_s <= SERVE_MAX_SPAN_S)) {
            io_fail(err, errlen, path, line, "TIMESTAMP",
                    "%g s after the first row, beyond the %g s a serve run may span",
                    q.arrival_s, SERVE_MAX_SPAN_S);
            goto out;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 256;
            serve_req_t *p = realloc(out->reqs, cap * sizeof *p);
            if (!p) {
                io_fail(err, errlen, path, 0, NULL, "out of memory");
                goto out;
            }
            out->reqs = p;
        }
        out->reqs[out->n++] = q;
    }
    if (!out->n) {
        io_fail(err, errlen, path, 0, NULL, "no requests");
        goto out;
    }
    rc = 0;
out:
    free(text);
    if (rc)
        serve_stream_free(out);
    return rc;
}

/* ---- serve workload YAML ------------------------------------------------ */

static int spec_uint(const char *path, unsigned line, const char *key, const char *v,
                     uint64_t lo, uint64_t hi, uint64_t *out, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    const unsigned long long x = isdigit((unsigned char)*v) ? strtoull(v, &end, 10) : 0;
    if (!isdigit((unsigned char)*v) || *end || errno || x < lo || x > hi)
        return io_fail(err, errlen, path, line, key, "'%.40s' is not a whole number %llu..%llu",
                       v, (unsigned long long)lo, (unsigned long long)hi);
    *out = x;
    return 0;
}

int serve_spec_load(const char *path, serve_spec_t *sp, char *err, size_t errlen)
{
    memset(sp, 0, sizeof *sp);
    sp->requests = 100;
    sp->prompt_min = sp->prompt_max = 512;
    sp->gen_min = sp->gen_max = 128;
    size_t len;
    sp->text = textfile_read(path, &len, err, errlen);
    if (!sp->text)
        return -1;
    if (yamlscan_check(sp->text, len, path, NULL, err, errlen) != 0)
        return -1;
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p))
        return io_fail(err, errlen, path, 0, NULL, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)sp->text, len);
    if (!yaml_parser_load(&p, &doc)) {
        io_fail(err, errlen, path, (unsigned)p.problem_mark.line + 1, NULL, "%s",
                p.problem ? p.problem : "YAML syntax error");
        yaml_parser_delete(&p);
        return -1;
    }
    int rc = -1;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        io_fail(err, errlen, path, 0, NULL, "not a mapping of keys (requests, rate, ...)");
        goto out;
    }
    /* a key given twice was refused by yamlscan_check above */
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
        const unsigned line = (unsigned)k->start_mark.line + 1;
        if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE) {
            io_fail(err, errlen, path, line, NULL, "every key takes one value");
            goto out;
        }
        const char *key = (const char *)k->data.scalar.value;
        const char *val = (const char *)v->data.scalar.value;
        if (!strcmp(key, "prompt_max"))
            sp->prompt_max_line = line;
        else if (!strcmp(key, "gen_max"))
            sp->gen_max_line = line;
        const uint64_t big = 1ull << 24;
        int bad = 0;
        if (!strcmp(key, "requests"))
            bad = spec_uint(path, line, key, val, 1, big, &sp->requests, err, errlen);
        else if (!strcmp(key, "seed"))
            bad = spec_uint(path, line, key, val, 0, UINT64_MAX, &sp->seed, err, errlen);
        else if (!strcmp(key, "prompt_min"))
            bad = spec_uint(path, line, key, val, 1, big, &sp->prompt_min, err, errlen);
        else if (!strcmp(key, "prompt_max"))
            bad = spec_uint(path, line, key, val, 1, big, &sp->prompt_max, err, errlen);
        else if (!strcmp(key, "gen_min"))
            bad = spec_uint(path, line, key, val, 1, big, &sp->gen_min, err, errlen);
        else if (!strcmp(key, "gen_max"))
            bad = spec_uint(path, line, key, val, 1, big, &sp->gen_max, err, errlen);
        else if (!strcmp(key, "rate")) {
            char *end;
            errno = 0;
            sp->rate = strtod(val, &end);
            if (end == val || *end || errno || !isfinite(sp->rate) || sp->rate <= 0)
                bad = io_fail(err, errlen, path, line, key,
                              "'%.40s' is not a positive number of requests per second", val);
            else if (sp->rate < SERVE_MIN_RATE || sp->rate > SERVE_MAX_RATE)
                bad = io_fail(err, errlen, path, line, key,
                              "%g is outside %g..%g requests per second", sp->rate,
                              SERVE_MIN_RATE, SERVE_MAX_RATE);
        } else if (!strcmp(key, "trace")) {
            const char *slash = strrchr(path, '/');
            const int dir = val[0] != '/' && slash ? (int)(slash - path + 1) : 0;
            if ((size_t)snprintf(sp->trace, sizeof sp->trace, "%.*s%s", dir, path, val) >=
                sizeof sp->trace)
                bad = io_fail(err, errlen, path, line, key, "path too long");
        } else
            bad = io_fail(err, errlen, path, line, key,
                          "unknown key (requests, rate, seed, prompt_min, prompt_max, gen_min, "
                          "gen_max, trace)");
        if (bad)
            goto out;
    }
    if (sp->trace[0] && sp->rate > 0) {
        io_fail(err, errlen, path, 0, "rate", "give rate (Poisson) or trace, not both");
        goto out;
    }
    if (!sp->trace[0] && !(sp->rate > 0)) {
        io_fail(err, errlen, path, 0, "rate", "missing (or give a trace)");
        goto out;
    }
    if (sp->prompt_min > sp->prompt_max || sp->gen_min > sp->gen_max) {
        io_fail(err, errlen, path, 0, sp->prompt_min > sp->prompt_max ? "prompt_min" : "gen_min",
                "larger than its _max");
        goto out;
    }
    rc = 0;
out:
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return rc;
}

int serve_check_positions(const serve_stream_t *s, uint64_t max_pos, const char *path,
                          const serve_spec_t *spec, const char *model, char *err,
                          size_t errlen)
{
    for (size_t i = 0; i < s->n; i++) {
        const serve_req_t *q = &s->reqs[i];
        if (q->prompt + q->gen - 1 <= max_pos)
            continue;
        const int prompt = q->prompt > max_pos;
        if (!spec)
            return io_fail(err, errlen, path, q->line,
                           prompt ? "ContextTokens" : "GeneratedTokens",
                           "%" PRIu64 " + %" PRIu64 " tokens need %" PRIu64
                           " positions, beyond %s's %" PRIu64,
                           q->prompt, q->gen, q->prompt + q->gen - 1, model, max_pos);
        return io_fail(err, errlen, path, prompt ? spec->prompt_max_line : spec->gen_max_line,
                       prompt ? "prompt_max" : "gen_max",
                       "request %zu draws prompt %" PRIu64 " + gen %" PRIu64 ": %" PRIu64
                       " positions, beyond %s's %" PRIu64,
                       i, q->prompt, q->gen, q->prompt + q->gen - 1, model, max_pos);
    }
    return 0;
}

void serve_spec_free(serve_spec_t *sp)
{
    free(sp->text);
    sp->text = NULL;
}

/* acct.c - a layer workload in SCALE-Sim v2 accounting (acct.h). */
#include "acct.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/util.h"
#include "../io/outfile.h"

void acct_cfg(const hw_cfg_t *hw, scalesim_cfg_t *c)
{
    memset(c, 0, sizeof *c);
    c->rows = hw->array.rows;
    c->cols = hw->array.cols;
    c->df = hw->array.dataflow == SYSTOLIC_WS ? SCALESIM_WS
            : hw->array.dataflow == SYSTOLIC_IS ? SCALESIM_IS : SCALESIM_OS;
    c->ifmap_bytes = hw->sram.ifmap_bytes;
    c->filter_bytes = hw->sram.filter_bytes;
    c->ofmap_bytes = hw->sram.ofmap_bytes;
    /* Offsets only move addresses inside each operand's own buffer: no
     * reported number depends on them; SCALE-Sim's defaults. */
    c->ifmap_off = 0;
    c->filter_off = 10000000;
    c->ofmap_off = 20000000;
    /* 1-byte words: a .cfg's Bandwidth (words) became bytes_per_cycle */
    c->bandwidth = hw->dma.bytes_per_cycle;
    c->user_bw = hw->accounting != HW_ACCT_SCALESIM_CALC;
}

static int push(acct_result_t *res, size_t *cap, const char *name, unsigned line,
                const scalesim_stats_t *st)
{
    if (res->count == *cap) {
        size_t n = *cap ? 2 * *cap : 16;
        acct_row_t *p = realloc(res->rows, n * sizeof *p);
        if (!p)
            return -1;
        res->rows = p;
        *cap = n;
    }
    acct_row_t *r = &res->rows[res->count++];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->line = line;
    r->st = *st;
    res->total_cycles += st->total_cycles;
    res->stall_cycles += st->stall_cycles;
    return 0;
}

/* SCALE-Sim's numbers are those of its plain array: say which of the
 * machine's options they leave out rather than drop them silently. */
static void ignored_notes(const hw_cfg_t *hw, acct_result_t *res)
{
    const char *ignored[ACCT_MAX_NOTES];
    size_t ni = 0;
    for (int k = 0; k < TE_KINDS; k++)
        if (hw->has_te[k])
            ignored[ni++] = te_kind_name((te_kind_t)k);
    if (hw->has_lut)
        ignored[ni++] = "lut";
    if (hw->array.os_drain != SYSTOLIC_DRAIN_SERIAL)
        ignored[ni++] = "array.os_drain";
    if (hw->array.compressed)
        ignored[ni++] = "array.compressed";
    if (hw->conv_unique)
        ignored[ni++] = "array.conv_reads";
    if (hw->dma.timing == DMA_CONTROLLER)
        ignored[ni++] = "dram.timing";
    for (size_t i = 0; i < ni; i++)
        snprintf(res->notes[i], sizeof res->notes[i],
                 "%s accounting counts SCALE-Sim's plain array; %s is not part of it (run with "
                 "--accounting rtl to use it)", hw_accounting_name(hw->accounting), ignored[i]);
    res->nnotes = ni;
}

int acct_run(const hw_cfg_t *hw, const workload_t *wl, acct_result_t *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    ignored_notes(hw, res);
    const double t0 = util_now_s();
    scalesim_cfg_t cfg;
    acct_cfg(hw, &cfg);
    char why[200];
    if (scalesim_cfg_check(&cfg, why, sizeof why))
        return snprintf(err, errlen, "SCALE-Sim accounting: %s", why), -1;
    size_t cap = 0;
    for (size_t i = 0; i < wl->count; i++) {
        const layer_t *ly = &wl->layers[i];
        /* depthwise "DP" rows arrive split per channel (workload.h) */
        scalesim_stats_t st;
        if (scalesim_run_layer(&cfg, &ly->shape, &st, why, sizeof why)) {
            acct_result_free(res);
            return snprintf(err, errlen, "%u: layer %s: %s", ly->line, ly->name, why), -1;
        }
        if (push(res, &cap, ly->name, ly->line, &st)) {
            acct_result_free(res);
            return snprintf(err, errlen, "out of memory"), -1;
        }
    }
    res->wall_seconds = util_now_s() - t0;
    return 0;
}

void acct_result_free(acct_result_t *res)
{
    free(res->rows);
    res->rows = NULL;
    res->count = 0;
}

/* Python's str() of a float: the shortest digits that read back to the same
 * double, fixed notation for exponents -4..15, else d.ddde+XX. */
static void pyfloat(FILE *f, double v)
{
    char buf[64];
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    const char *e = strchr(buf, 'e');
    int exp = e ? atoi(e + 1) : 0;
    if (exp >= -4 && exp < 16) {
        int dec = p - 1 - exp;
        if (dec < 1) {
            fprintf(f, "%.0f.0", v);
        } else {
            fprintf(f, "%.*f", dec, v);
        }
        return;
    }
    /* mantissa digits of buf, exponent with at least 2 digits */
    char mant[32];
    size_t n = (size_t)(e - buf);
    memcpy(mant, buf, n);
    mant[n] = '\0';
    fprintf(f, "%se%c%02d", mant, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

static void pyint_as_float(FILE *f, int64_t v)
{
    fprintf(f, "%" PRId64 ".0", v);
}

void acct_row_fill(const scalesim_stats_t *s, ss_report_row_t *o)
{
    memset(o, 0, sizeof *o);
    o->total_cycles = s->total_cycles;
    o->stall_cycles = s->stall_cycles;
    o->overall_util = s->overall_util;
    o->mapping_eff = s->mapping_eff;
    o->compute_util = s->compute_util;
    o->sram_times = 1;
    for (int op = 0; op < 3; op++) {
        o->dram_times[op] = 1;
        o->sram_start[op] = s->sram_start[op];
        o->sram_stop[op] = s->sram_stop[op];
        o->sram_access[op] = s->sram_access[op];
        o->dram_start[op] = s->dram_start[op];
        o->dram_stop[op] = s->dram_stop[op];
        o->dram_access[op] = s->dram_access[op];
        /* CALC read ports: SCALE-Sim's estimate of the fill schedule is not
         * modelled; the ifmap and filter fields are left empty */
        o->dram_valid[op] = op == 2 || s->dram_valid;
    }
}

int acct_write_csv(const acct_result_t *res, const char *dir, char *err, size_t errlen)
{
    ss_report_row_t *rows = res->count ? calloc(res->count, sizeof *rows) : NULL;
    if (res->count && !rows)
        return snprintf(err, errlen, "%s: out of memory", dir), -1;
    for (size_t i = 0; i < res->count; i++)
        acct_row_fill(&res->rows[i].st, &rows[i]);
    const int rc = ss_report_write(rows, res->count, dir, err, errlen);
    free(rows);
    return rc;
}

static void put_time(FILE *f, int valid, int64_t v)
{
    fputs(", ", f);
    if (valid)
        pyint_as_float(f, v);
}

void ss_report_fwrite(const ss_report_row_t *rows, size_t n, FILE *const out[3])
{
    /* headers exactly as scalesim/simulator.py generate_reports() writes them */
    FILE *f = out[0];
    fputs("LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
          "Compute Util %,\n", f);
    for (size_t i = 0; i < n; i++) {
        const ss_report_row_t *s = &rows[i];
        fprintf(f, "%zu, %" PRIu64 ", %" PRIu64 ", ", i, s->total_cycles, s->stall_cycles);
        pyfloat(f, s->overall_util);
        fputs(", ", f);
        if (!s->no_mapping)
            pyfloat(f, s->mapping_eff);
        fputs(", ", f);
        pyfloat(f, s->compute_util);
        fputs(",\n", f);
    }

    f = out[1];
    fputs("LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, "
          "Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n", f);
    for (size_t i = 0; i < n; i++) {
        const ss_report_row_t *s = &rows[i];
        fprintf(f, "%zu", i);
        for (int op = 0; op < 3; op++) {
            fputs(", ", f);
            pyfloat(f, s->total_cycles ? (double)s->sram_access[op] / (double)s->total_cycles : 0);
        }
        for (int op = 0; op < 3; op++) {
            fputs(", ", f);
            if (!s->dram_valid[op])
                continue;
            if (s->dram_times[op])
                pyfloat(f, (double)s->dram_access[op] /
                               (double)(s->dram_stop[op] - s->dram_start[op] + 1));
            else
                pyfloat(f, s->total_cycles ? (double)s->dram_access[op] / (double)s->total_cycles
                                           : 0);
        }
        fputs(",\n", f);
    }

    f = out[2];
    fputs("LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, "
          "SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, "
          "SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, "
          "DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, "
          "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, "
          "DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n", f);
    for (size_t i = 0; i < n; i++) {
        const ss_report_row_t *s = &rows[i];
        fprintf(f, "%zu", i);
        for (int op = 0; op < 3; op++) {
            put_time(f, s->sram_times, s->sram_start[op]);
            put_time(f, s->sram_times, s->sram_stop[op]);
            fprintf(f, ", %" PRIu64, s->sram_access[op]);
        }
        for (int op = 0; op < 3; op++) {
            if (!s->dram_valid[op]) {
                fputs(", , , ", f);
                continue;
            }
            put_time(f, s->dram_times[op], s->dram_start[op]);
            put_time(f, s->dram_times[op], s->dram_stop[op]);
            fprintf(f, ", %" PRIu64, s->dram_access[op]);
        }
        fputs(",\n", f);
    }
}

int ss_report_write(const ss_report_row_t *rows, size_t n, const char *dir, char *err,
                    size_t errlen)
{
    static const char *const names[3] = {"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv",
                                         "DETAILED_ACCESS_REPORT.csv"};
    io_out_t o[3] = {{0}};
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path) {
            snprintf(err, errlen, "%.200s: path too long", dir);
            rc = -1;
            break;
        }
        rc = io_out_begin(&o[i], path, err, errlen);
    }
    if (rc == 0) {
        FILE *const f[3] = {o[0].f, o[1].f, o[2].f};
        ss_report_fwrite(rows, n, f);
        for (int i = 0; i < 3 && rc == 0; i++)
            rc = io_out_check(&o[i], err, errlen);
        for (int i = 0; i < 3 && rc == 0; i++)
            rc = io_out_commit(&o[i], err, errlen);
    }
    for (int i = 0; i < 3; i++)
        io_out_abort(&o[i]);
    return rc;
}

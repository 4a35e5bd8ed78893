/* pim_rtl.h - the Verilated PIM unit (rtl/pim_unit.v), loaded as a shared
 * library per configuration and driven cycle by cycle with this file as its
 * row buffer; the same run on the C model (models/pim.h); and an independent
 * reference of the unit's arithmetic for the value checks.  Missing
 * libraries are built on demand by rtl/pim_build.sh into pim/ of the build
 * directory (sim/io/paths.h: a checkout's build/, else a user cache). */
#ifndef CODESIM_PIM_RTL_H
#define CODESIM_PIM_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/pim.h"

typedef struct pim_rtl pim_rtl_t;

/* Loads the library for cfg (lanes, precision, register counts), building
 * it when absent or older than its sources.  NULL with err on failure. */
pim_rtl_t *pim_rtl_open(const pim_cfg_t *cfg, char *err, size_t errlen);
void pim_rtl_close(pim_rtl_t *r);

/* A command sequence: cmd[i] is presented in cycle i (PIM_NOP = idle cycle);
 * the run continues until the pipeline is empty.  row: the open row, ncols
 * columns of lanes elements (row[col * lanes + l]). */
typedef struct {
    const pim_cmd_t *cmd;
    size_t n;
    const uint16_t *row;
    uint32_t ncols;
} pim_seq_t;

/* What a run showed at the unit's ports. */
typedef struct {
    uint64_t cycles;       /* cycles from the first command to an empty pipeline */
    uint64_t rb_reads;     /* cycles with a row-buffer read */
    uint64_t readbacks;    /* cycles with rd_valid */
    uint64_t trace_hash;   /* FNV-1a over every cycle's rb_col and rd_data */
    uint32_t *out;         /* readbacks x lanes words, in order (caller frees) */
} pim_activity_t;

int pim_rtl_run(pim_rtl_t *r, const pim_seq_t *s, uint64_t max_cycles, pim_activity_t *act,
                char *err, size_t errlen);
int pim_model_run(const pim_cfg_t *cfg, const pim_seq_t *s, pim_activity_t *act, char *err,
                  size_t errlen);

/* Independent reference: one lane's MAC computed through exact double
 * arithmetic (a binary16 product is exact in double; the binary32 sum is
 * rounded by the double addition and then to float, correct by
 * Figueroa's double-rounding theorem since 53 >= 2 * 24 + 2), NaN results
 * canonicalised; int8 through int64 arithmetic wrapped to 32 bits. */
uint32_t pimref_mac(pim_prec_t prec, uint32_t acc, uint16_t row, uint16_t opnd);

/* The expected read-back words of s, from a plain interpreter of the command
 * list over pimref_mac (no pipeline): readbacks x lanes words into out
 * (sized by the caller); returns the number of readbacks. */
size_t pimref_run(const pim_cfg_t *cfg, const pim_seq_t *s, uint32_t *out);

#endif

/* pim_rtl.h - the Verilated PIM unit (rtl/pim_unit.v), loaded as a shared
 * library per configuration and driven cycle by cycle with this file as its
 * row buffer; the same run on the C model (models/pim.h); an independent
 * reference of the unit's arithmetic for the value checks; and the unit's
 * glue for the rtlcheck driver.  Missing libraries are built on demand by
 * rtl/pim_build.sh into pim/ of the build directory (sim/io/paths.h: a
 * checkout's build/, else a user cache). */
#ifndef CODESIM_PIM_RTL_H
#define CODESIM_PIM_RTL_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/pim.h"
#include "../../rtl/pim_shim.h"
#include "ports.h"
#include "rtlcheck.h"

typedef struct pim_rtl pim_rtl_t;

/* The unit's ports in a ports_rec_t: the row-buffer read (one lane, the
 * column as address) and the read-back port (lanes words of data). */
enum { PIM_PORT_RB, PIM_PORT_RD };

/* Loads the library for cfg (lanes, precision, register counts), building
 * it when absent or older than its sources; with api not NULL drives that
 * table instead (a C stand-in, for tests).  NULL with err on failure. */
pim_rtl_t *pim_rtl_open(const pim_cfg_t *cfg, const vpim_api_t *api, char *err, size_t errlen);
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

/* The read-back words of a run, in order: the caller's buffer of cap
 * readbacks x lanes words; n counts every readback, those past cap are
 * counted but not kept. */
typedef struct {
    uint32_t *words;
    size_t cap, n;
} pim_readback_t;

/* Runs s on the RTL; rec.cycles counts from the first command to an empty
 * pipeline.  -1 with err when the pipeline is not empty after max_cycles or
 * the RTL reads a column outside the row (checked before use; the run
 * stops there). */
int pim_rtl_run(pim_rtl_t *r, const pim_seq_t *s, uint64_t max_cycles, ports_rec_t *rec,
                pim_readback_t *rb, char *err, size_t errlen);
/* The same run and record on the C model. */
int pim_rtl_model_run(const pim_cfg_t *cfg, const pim_seq_t *s, ports_rec_t *rec,
                      pim_readback_t *rb, char *err, size_t errlen);

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

/* rtlcheck: random command sequences (1..48 commands with idle cycles
 * between, then a read-back of every accumulator) over a random row of
 * cols columns; read-backs also against pimref_run. */
typedef struct {
    pim_cfg_t unit;
    uint32_t cols;
    const vpim_api_t *api;     /* NULL: the Verilated library (see pim_rtl_open) */
} pim_rtlcheck_cfg_t;

extern const rtlcheck_block_t pim_rtlcheck;

#endif

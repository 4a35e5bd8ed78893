/* dram_check.h - an independent DRAM timing checker.
 *
 * It replays a command stream (dram_cmd_t, in issue order) and flags every
 * violation of the rules listed in dram.h.  It shares no code with dram.c's
 * state machine on purpose: dram.c keeps "next allowed" cycles per command
 * kind; the checker keeps the cycle each kind was LAST issued per bank, group
 * and unit, counts activations in a sliding tFAW window, and tests each rule
 * as "later - earlier >= distance".  A bug in either shows up as a
 * disagreement.  Every DRAM test runs its command stream through it.
 */
#ifndef CODESIM_DRAM_CHECK_H
#define CODESIM_DRAM_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "dram.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DRAM_RULE_STATE = 0, /* command illegal in the bank state (RD to a closed bank, ...) */
    DRAM_RULE_CMD,       /* two commands in one cycle, or out of time order, or out of range */
    DRAM_RULE_RCD, DRAM_RULE_RP, DRAM_RULE_RAS, DRAM_RULE_RC,
    DRAM_RULE_BUS,       /* data bursts overlap (tCL / tCWL + tBL) */
    DRAM_RULE_CCD_S, DRAM_RULE_CCD_L, DRAM_RULE_RRD_S, DRAM_RULE_RRD_L, DRAM_RULE_FAW,
    DRAM_RULE_WR, DRAM_RULE_WTR_S, DRAM_RULE_WTR_L, DRAM_RULE_RTP,
    DRAM_RULE_RFC, DRAM_RULE_REFI,
    DRAM_RULE_RTRS,      /* WR burst closer than tRTRS after a RD burst */
    DRAM_RULE_32AW,      /* a 33rd activation within t32AW */
    DRAM_RULE_COUNT
} dram_rule_t;

/* "state", "cmd", "tRCD", ..., "tREFI". */
const char *dram_rule_name(dram_rule_t r);

typedef struct {
    dram_rule_t rule;
    dram_cmd_t cmd;      /* the command that broke it (kind REF for a missed tREFI) */
    int64_t need;        /* the first cycle it would have been legal, or -1 */
} dram_violation_t;

#define DRAM_CHECK_KEEP 16 /* violations kept in detail */

typedef struct dram_check dram_check_t;

/* refresh = 0 switches the tREFI rule off (for streams without refresh). */
dram_check_t *dram_check_new(const dram_cfg_t *cfg, int refresh);
void dram_check_free(dram_check_t *k);

/* Checks one command; returns how many rules it broke (0 = fine). */
unsigned dram_check_cmd(dram_check_t *k, const dram_cmd_t *c);
/* A run of `count` REF commands to `unit` at first, first + period, ...,
 * with no other command of that unit between them (an idle gap the
 * controller skipped by arithmetic).  The first is checked as any command;
 * for the others only tRFC (period) and tREFI can fail, and both are checked
 * in closed form: the cost does not grow with count. */
unsigned dram_check_ref_run(dram_check_t *k, uint16_t unit, uint64_t first, uint64_t count,
                            uint64_t period);
/* End of the stream at cycle `end`: flags refreshes still owed. */
unsigned dram_check_finish(dram_check_t *k, uint64_t end);

uint64_t dram_check_total(const dram_check_t *k);
uint64_t dram_check_count(const dram_check_t *k, dram_rule_t r);
uint64_t dram_check_commands(const dram_check_t *k);
/* The first min(total, DRAM_CHECK_KEEP) violations. */
const dram_violation_t *dram_check_first(const dram_check_t *k, size_t *n);
/* One line describing v, e.g. "tRCD: RD unit 0 bg 1 bank 2 at cycle 40, legal from 44". */
void dram_check_describe(const dram_violation_t *v, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif
#endif

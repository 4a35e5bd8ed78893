/* pim_gemv.h - GEMV on DRAM PIM units (models/pim.h): mapping of a weight
 * matrix or KV cache across channels, banks and rows, the all-bank PIM
 * command stream, its timing on the DRAM bank timing, host traffic beside it
 * (blocked or NeuPIMs-style dual row buffers), and every event energy needs.
 *
 * Problem: `groups` independent GEMVs of one shape (for attention: one per
 * head), y_g[m] = sum_k W_g[m][k] * x_g[k], W_g is m x k.
 *
 * Mapping, pim.reduce = lanes (HBM-PIM style; every unit of a channel works
 * at once; the tree layout below differs where it says):
 *   - The groups*m output rows are cut into channels (DRAM units: channel x
 *     pseudo-channel) in contiguous blocks of ceil(groups*m / channels) rows;
 *     a channel's block is a list of segments, one per group it touches.
 *   - In a segment of n rows, unit u (U = banks / banks_per_unit units per
 *     channel) owns rows u*ceil(n/U) ... ; all units step in lockstep, since
 *     every PIM command is broadcast to all banks of the channel (all-bank
 *     mode); a unit without a row in a step computes on zero padding.
 *   - Lane l of accumulator entry a holds one output row (row j0 + a*L + l
 *     of the unit's batch of acc_entries * L rows), so a unit finishes whole
 *     dot products and the host only collects them: no cross-lane reduction.
 *     x is streamed in tiles of srf_entries elements into the SRF (one
 *     all-bank PIM_WR_GB burst per tile, broadcast); per tile and entry the
 *     unit runs one MACS per element: ACC[a][l] += W[row(a,l)][k] * SRF[k].
 *     The column read by that MACS holds W[row(a, 0..L-1)][k]: the weights
 *     are stored transposed in blocks of L rows (the mapper's layout).
 *   - Per batch: CLR, then for each tile the SRF burst and the MACS, then the
 *     read-back: every unit's entries over the bus, L x 4 bytes each
 *     (PIM_RD_RES bursts).  Values accumulate over k in order, in the unit's
 *     arithmetic (models/pim.h), starting from zero.
 *   - A unit's columns are laid out in the order its MACS read them, so the
 *     stream walks each DRAM row once.  One PIM_ACT_AB opens the same row in
 *     every bank; with banks_per_unit = 2 the unit reads the row's bursts of
 *     its first bank, then of its second (HBM-PIM's even/odd bank), so each
 *     all-bank MAC feeds U = banks/2 units.
 *
 * Mapping, pim.reduce = tree (PIM-GPT / AiM style): rows are cut into
 * channels and units as above, but a unit holds whole rows: row j's k
 * weights fill ceil(k / L) columns of L consecutive weights (zero-padded past
 * k).  Rows go in batches of acc_entries * L (row b of a batch accumulates in
 * lane b % L of entry b / L); per batch, x is streamed in tiles of
 * grf_entries columns (one all-bank PIM_WR_GB burst per column, into the
 * GRFs), and per tile every row of the batch runs one MACT per column:
 * ACC[b / L][b % L] += TREE(W[j][c*L + l] * x[c*L + l]).  Then the batch's
 * entries are read back as above.  No lane computes on padding except past k
 * and on a unit's missing rows, so few rows per bank (GPT-2 small's 6 per
 * bank) no longer waste lanes; models/power.h prices the adder tree
 * (pim.tree: its area per unit, its adds and selects per MACT).
 *
 * Timing: the command stream goes through models/dram.h (dram_earliest /
 * dram_issue), which holds every JEDEC rule and the all-bank PIM commands'
 * rules (PIM_ACT_AB fills the tFAW window, PIM_MAC_AB is tCCD_L apart,
 * PIM_RD_RES / PIM_WR_GB use the data bus); refresh is issued when due (the
 * stream closes its row, REF, reopens).  Channels run independently; the
 * kernel ends when the slowest channel's last read-back leaves the bus.  CLR
 * needs no DRAM command (the unit clears an entry when told through its own
 * control path; counted as free).
 *
 * Host traffic beside the kernel: requests (arrival cycle, bank, row, column,
 * R/W) queued per channel and served first-ready first-come-first-served over
 * a window of 32 (row hits first; a row command only for the oldest request
 * of its bank), open page.  Each cycle the command that can issue earliest
 * goes; on a tie the PIM stream first.  Modes:
 *   PIM_BLOCKED  one row buffer per bank (one dram_t): host and PIM share
 *                the bank state.  A waiting host request makes the PIM stream
 *                finish the row it has open, close it (PREA) and not open the
 *                next one until no request waits and the host has closed its
 *                rows again (host first at row boundaries).
 *   PIM_DUAL     NeuPIMs: a second row buffer per bank for the host (a second
 *                dram_t), so host commands proceed during PIM compute.  What
 *                the two row buffers still share, and this file enforces
 *                between the two devices: one command per cycle, the data bus
 *                (host RD/WR vs PIM_WR_GB / PIM_RD_RES bursts), tRRD_S after
 *                the other side's ACT and the tFAW window over both sides'
 *                activations; REF closes both and refreshes both at once.
 *                Not modelled: column-to-column spacing between a host access
 *                and a PIM MAC (separate data paths in NeuPIMs).
 */
#ifndef CODESIM_PIM_GEMV_H
#define CODESIM_PIM_GEMV_H

#include <stddef.h>
#include <stdint.h>

#include "dram.h"
#include "pim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PIM_BLOCKED = 0, PIM_DUAL = 1 } pim_mode_t;

typedef struct {
    uint64_t groups, m, k;
} pim_gemv_t;

/* Host requests per channel at most: about a minute of simulation when they
 * all queue at once (every pending request is a candidate each command). */
#define PIM_MAX_HOST_REQS (1u << 20)

typedef struct {
    uint64_t count;          /* host requests per channel (0: none .. PIM_MAX_HOST_REQS) */
    uint64_t period;         /* cycles between arrivals, from cycle 0 */
    uint32_t write_pct;      /* 0..100 */
    uint64_t seed;
} pim_host_t;

typedef struct {
    pim_cfg_t unit;
    dram_cfg_t dram;         /* organisation and timing (models/dram.h) */
    pim_mode_t mode;
    pim_host_t host;
} pim_gemv_cfg_t;

/* cfg usable and the GEMV fits (non-zero dimensions, capacity of every
 * unit, lanes x element bytes = one DRAM burst): else -1, err. */
int pim_gemv_check(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, char *err, size_t errlen);

/* Events, summed over channels (counts are what energy needs). */
typedef struct {
    uint64_t cycles;         /* the PIM kernel: first command to last read-back data */
    uint64_t host_done;      /* cycle the last host request finished (0: none) */
    /* DRAM core */
    uint64_t act, pre;       /* bank activations / precharges (an all-bank ACT counts each bank) */
    uint64_t pim_col_reads;  /* bursts read from row buffers into PIM units (one per unit per MAC) */
    uint64_t host_rd, host_wr; /* host column accesses (bursts) */
    /* PIM */
    uint64_t ab_cmds;        /* all-bank commands: PIM_ACT_AB, PREA, PIM_MAC_AB, PIM_WR_GB */
    uint64_t lane_macs;      /* lane MACs executed by all units, padding included */
    uint64_t useful_macs;    /* groups * m * k */
    uint64_t vec_bursts;     /* PIM_WR_GB: x tiles broadcast into the SRFs */
    uint64_t res_bursts;     /* PIM_RD_RES: accumulators read back */
    /* data moved */
    uint64_t bus_bytes;      /* over the channel data buses (host + WRGRF + RDACC) */
    uint64_t bank_bytes;     /* row buffer -> PIM units, inside the banks */
    /* host requests */
    uint64_t host_reqs;
    uint64_t host_lat_sum, host_lat_max; /* arrival -> data, cycles */
} pim_gemv_stats_t;

/* Optional observer of every DRAM command issued (tests replay the stream
 * through the independent timing checker).  host_side: 1 for commands on the
 * host row buffers in dual mode (a second device state); 0 otherwise. */
typedef struct {
    void (*issued)(void *ctx, int host_side, const dram_cmd_t *c);
    void *ctx;
} pim_gemv_hook_t;

/* Timing and events of the GEMV (and of the host requests beside it);
 * hook may be NULL. */
int pim_gemv_time(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, pim_gemv_stats_t *st,
                  const pim_gemv_hook_t *hook, char *err, size_t errlen);

/* The same data read by the host over the bus instead: every W column is
 * one host read request, all queued at cycle 0 in bank-interleaved order,
 * served FR-FCFS open page by the same channel model. */
int pim_gemv_host_time(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, pim_gemv_stats_t *st,
                       const pim_gemv_hook_t *hook, char *err, size_t errlen);

/* Values: runs every unit's share of the mapping's command stream through
 * pim_unit_exec (CLR, WRSRF, MACS, RDACC) and collects the read-backs.
 * w: groups*m*k elements (row-major W_g one after another), x: groups*k,
 * raw element bits (int8 in the low byte); y: groups*m raw 32-bit results
 * (int32, or binary32 bits). */
int pim_gemv_compute(const pim_gemv_cfg_t *cfg, const pim_gemv_t *g, const uint16_t *w,
                     const uint16_t *x, uint32_t *y, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif

/* memchan.h - the DRAM a layer's DMA transfers are timed on: the fixed-rate
 * channel (dma.h) or, with dram.timing: controller, the DRAM controller and
 * device of the dram: section (dram_ctrl.h).
 *
 * Controller timing.  A transfer (one step's fetch, or one write-back) moves
 * bytes of up to MEM_STREAMS tensors.  Each tensor has its own address region
 * (regions one after the other, each starting on a MEM_REGION_ALIGN
 * boundary, wrapping at the device capacity) and its own cursor: a
 * transfer's bytes of a tensor are ceil(bytes / burst) burst requests at
 * consecutive burst addresses from that cursor, which then moves on (and
 * wraps to the region's start past its end, as a re-read of the tensor
 * does).  So a tensor streams through consecutive addresses and the device's
 * address mapping decides the row-buffer locality.  Requests are pushed in
 * order A, B, O reads, O writes.
 *
 * The requests of a transfer issued at NPU cycle t arrive at DRAM cycle
 * max(ceil(t in tCK), done of the previous transfer): the DMA engine has one
 * transfer in flight, as the fixed-rate channel serves one request at a
 * time.  The controller is driven exactly as `codesim dram` replays a trace
 * (a request waits while its unit's queue is full, idle gaps skip their
 * refreshes in closed form); the transfer is done when the last data beat of
 * its last burst has left the bus, and its data is usable from the first NPU
 * cycle at or after that instant.  With a separate write queue
 * (write_queue_depth) a write transfer flushes it, since the DMA engine
 * waits for its completion.
 *
 * Steady state.  Within a transfer, a stream's bursts between two carries
 * into the address's column field (a run: with the default map RoBaCoBgCh,
 * 64 KB of HBM2, one row of every bank it touches) come in groups of
 * identical requests: a group is one burst per value of the fields below the
 * column (unit_bytes = 2^(the column field's shift) bytes), and the next group
 * differs only in its column.  At each group boundary (before the group's
 * first push) the driver takes the controller's signature (dram_ctrl_sig);
 * when it equals the one of a boundary 1..MEM_HIST groups earlier in the same
 * run, the controller's timing repeats with that period, and the run's
 * groups but the last are pushed by arithmetic (dram_ctrl_advance: cycles,
 * counts and columns moved on by k periods), as long as no refresh falls due
 * within reach of them (dram_ctrl_next_ref, dram_ctrl_reach): the walk then
 * goes on as if it had pushed them one by one, with the same cycles.
 * Requests observed by trace.req are reported for the skipped bursts too.
 * dram.slow (dram_ctrl_cfg_t) turns this off with the controller's own
 * shortcuts; `skipped` counts the bursts pushed by arithmetic.
 *
 * NPU and DRAM clocks: NPU cycle t starts at t x 10^6 / freq_mhz ps, DRAM
 * cycle d at d x tck_ps ps. */
#ifndef CODESIM_MEMCHAN_H
#define CODESIM_MEMCHAN_H

#include <stddef.h>
#include <stdint.h>

#include "dma.h"
#include "dram_ctrl.h"

enum { MEM_A = 0, MEM_B, MEM_O_RD, MEM_O_WR, MEM_STREAMS };

#define MEM_REGION_ALIGN (1ull << 20)

#define MEM_HIST 4 /* group boundaries remembered per run: periods of 1..4 groups */

typedef struct {
    uint64_t now, pushed, pre, hash, xfer_done;
    size_t len; /* 0: no full signature taken */
} mem_snap_t;

/* Observers of the controller path (tests, traces); any may be NULL. */
typedef struct {
    /* each burst request: DRAM arrival cycle, byte address, write */
    void (*req)(void *ctx, uint64_t cycle, uint64_t addr, int write);
    /* each transfer: its last burst's done cycle (DRAM), write transfer */
    void (*done)(void *ctx, uint64_t dram_done, int write);
    void *ctx;
} mem_trace_t;

typedef struct {
    int ctrl;                   /* 0: the fixed-rate channel */
    dma_fast_t fixed;
    dram_ctrl_t c;
    uint64_t ps_npu_num;        /* NPU cycle length = num / den ps */
    uint64_t ps_npu_den;
    uint64_t tck_ps, burst, capacity;
    uint64_t base[MEM_STREAMS], size[MEM_STREAMS], cur[MEM_STREAMS];
    int started;
    uint64_t now, next;         /* driver: last cycle ticked, and what the tick returned */
    uint64_t last_done;         /* DRAM cycle the previous transfer was done */
    uint64_t left, xfer_done;   /* the transfer in flight: bursts not done, max done */
    uint64_t tag;
    mem_trace_t trace;
    int slow;                   /* dram->slow: no shortcuts (see memchan_init) */
    /* steady state (above) */
    uint64_t unit_bytes;        /* bytes of a group: 2^co_sh */
    uint32_t co_sh, co_mask;    /* the column field of an address */
    size_t sig_max, sums_len;   /* 0: no shortcut */
    uint64_t *sig, *sums;       /* MEM_HIST + 1 slots each */
    mem_snap_t hist[MEM_HIST + 1];
    uint64_t nh;                /* boundaries remembered in this run */
    uint64_t run_tag, run_next; /* the run: transfer, next boundary's address */
    int run_s;                  /* and stream */
    uint64_t skipped, jumps;    /* bursts pushed by arithmetic, jumps that did */
    /* Each stream's first NPU cycle on the channel (UINT64_MAX while it has
     * moved nothing; see memchan_issue); its last is memchan_last(): the
     * start cycle of the latest transfer that carried it (fixed channel;
     * controller: that transfer's last cycle) and, fixed, the offset of its
     * last byte in that transfer.  last only grows, transfer by transfer. */
    uint64_t first[MEM_STREAMS], last[MEM_STREAMS], last_off[MEM_STREAMS];
    int track;                  /* 1: keep them (the caller sets it); 0: not */
} memchan_t;

/* Sets up the channel of dma (DMA_FIXED: bytes_per_cycle; DMA_CONTROLLER:
 * the controller of dram at an NPU clock of freq_mhz) with tensor sizes
 * bytes[MEM_A], [MEM_B] and [MEM_O_RD] (the output; MEM_O_WR shares it).
 * -1 with err. */
int memchan_init(memchan_t *m, const dma_cfg_t *dma, const dram_ctrl_cfg_t *dram,
                 uint32_t freq_mhz, const uint64_t bytes[MEM_STREAMS], const mem_trace_t *trace,
                 char *err, size_t errlen);
void memchan_free(memchan_t *m);

/* Issues a transfer at NPU cycle `at` (nondecreasing across calls) moving
 * bytes[s] of each stream; *ready = the NPU cycle its data is usable (at
 * when nothing moves).  -1 with err.
 *
 * With m->track set it also moves first[s] and memchan_last(s) of each
 * stream it carries: the NPU cycles its bytes occupy the channel.  Fixed channel: the transfer's bytes
 * move in stream order A, B, O reads, O writes, bytes_per_cycle a cycle from
 * start = max(at, the channel's free cycle); byte j moves in cycle start +
 * j / bytes_per_cycle, so a stream's cycles are those of its first and last
 * byte.  Controller: a transfer's bursts share one span, from the NPU cycle
 * in which they arrive at the controller to *ready - 1 (the last NPU cycle
 * before its last data beat is usable), the cycles trace.req and
 * trace.done report in DRAM cycles. */
int memchan_issue(memchan_t *m, uint64_t at, const uint64_t bytes[MEM_STREAMS], uint64_t *ready,
                  char *err, size_t errlen);

/* The last NPU cycle in which bytes of stream s moved (0 when none). */
uint64_t memchan_last(const memchan_t *m, int s);

#endif

/* dram_ctrl.h - a DRAM memory controller over dram_t: one request queue per
 * unit (pseudo-channel), open-page or close-page row policy, FR-FCFS or FCFS
 * scheduling, and all-bank refresh every tREFI.
 *
 * Requests are one burst each (dram_burst_bytes(): 32 bytes on every preset).
 * Per unit and cycle at most one command issues, chosen as follows:
 *   1. Refresh.  From the cycle the n-th REF is due (n * tREFI) the unit issues
 *      no ACT or column command: it closes every bank (PREA, once tRAS/tRTP/
 *      tWR allow) and issues REF, then resumes.  The banks are blocked for
 *      tRFC by the timing rules.
 *   2. FR-FCFS: the oldest request whose column command (RD/WR to its open
 *      row) may issue now; else the oldest request whose next command (ACT to
 *      a closed bank, or PRE of a bank open to another row that no queued
 *      request still hits) may issue now.  FCFS: only the oldest request.
 *   3. Close-page: a PRE for a bank whose open row no queued request hits.
 * A request is a row hit when no ACT was issued for it (its row was open when
 * its column command issued and stayed open since it was queued), a miss when
 * its bank was closed, a conflict when another row had to be closed.
 *
 * Time advances by events: after a cycle in which a unit issued nothing, it
 * sleeps until the earliest cycle any of its candidate commands becomes
 * legal (or a new request arrives, or refresh falls due), so an idle or
 * waiting unit costs nothing per cycle.
 *
 * Latency of a read = the cycle its last data beat leaves the bus (RD issue +
 * tCL + tBL) minus its arrival cycle; of a write, WR issue + tCWL + tBL minus
 * arrival.  A request is queued in its arrival cycle and may issue a command
 * in that same cycle, so a read to an idle, closed bank takes exactly
 * tRCD + tCL + tBL.
 */
#ifndef CODESIM_DRAM_CTRL_H
#define CODESIM_DRAM_CTRL_H

#include <stddef.h>
#include <stdint.h>

#include "dram.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { DRAM_OPEN_PAGE = 0, DRAM_CLOSE_PAGE = 1 } dram_page_t;
typedef enum { DRAM_FRFCFS = 0, DRAM_FCFS = 1 } dram_sched_t;

/* Everything the `dram:` YAML section sets: the device (dram.h keys) and the
 * controller keys page_policy (open|close), scheduler (frfcfs|fcfs),
 * queue_depth (1..256 requests per unit) and refresh (on|off), and the
 * options of DRAMsim3's and Ramulator 2's controllers:
 *
 *   write_queue_depth  0: reads and writes share the request queue (above).
 *                N (1..256): writes wait in their own queue of N entries and
 *                the request queue holds reads only.  The unit serves reads
 *                until it starts a write drain: when the write queue holds
 *                write_high or more, or when no read is queued and it holds
 *                more than write_idle; a drain serves writes only and ends
 *                when write_low or fewer are left (DRAMsim3 Controller::
 *                ScheduleTransaction: start when full or > 8 with idle
 *                command queues, drain them all: high = N, idle = 8, low = 0;
 *                Ramulator 2's write-drain watermarks).
 *   write_high, write_low, write_idle   as above (defaults N, 0, 8).
 *   bank_queue_depth  0: the scheduler sees every queued request (FR-FCFS
 *                over the whole queue).  B (1..64): DRAMsim3's two-level
 *                structure (queue_structure = PER_BANK): each cycle, after
 *                issuing, the unit moves one request from the read (or, when
 *                draining, the write) queue, the oldest whose bank queue has
 *                room, into that bank's queue of B entries; the scheduler
 *                visits the bank queues round-robin, starting after the one
 *                it issued from last, and issues the first command that is
 *                legal now of the first request in queue order whose command
 *                is (DRAMsim3 CommandQueue::GetCommandToIssue).  A PRE is
 *                only the first request's, and only when no later request of
 *                the bank hits the open row or the row-hit cap is reached.
 *   row_hit_cap  0: none.  C: once C column commands have hit a bank's open
 *                row since its ACT, a request waiting for another row of
 *                that bank closes it even though queued requests still hit
 *                (DRAMsim3: 4).
 *   refresh_first  cycle of each unit's first REF (0: tREFI; later ones
 *                follow every tREFI).  DRAMsim3 staggers rank refreshes
 *                tREFI / ranks apart starting at that cycle with rank 0, so
 *                the one rank modelled here is refreshed first at tREFI /
 *                ranks (src/refresh.cc).
 *   dual_issue   on: with a device of separate row and column command buses
 *                (dual_cmd), a second command of the other kind may issue in
 *                the same cycle (DRAMsim3 enable_hbm_dual_cmd).
 *
 * `controller: dramsim3` sets the DRAMsim3-like combination: queue_depth 32,
 * write_queue_depth 32 (high 32, low 0, idle 8), bank_queue_depth 8,
 * row_hit_cap 4, dual_issue on (DRAMsim3's [system] defaults of
 * trans_queue_size 32, cmd_queue_size 8). */
typedef struct {
    dram_cfg_t dev;
    dram_page_t page;
    dram_sched_t sched;
    uint32_t queue_depth;
    int refresh;
    uint32_t write_queue_depth, write_high, write_low, write_idle;
    uint32_t bank_queue_depth, row_hit_cap, refresh_first;
    int dual_issue;
    /* 1: the reference walk, no shortcut (dram_ctrl_t.slow, and memchan's
     * steady-state shortcut); for tests and `codesim bench --ctrl`, which
     * compare it with the default walk.  No YAML key sets it. */
    int slow;
} dram_ctrl_cfg_t;

/* Defaults: preset HBM2, open page, FR-FCFS, 32-entry queues, refresh on. */
void dram_ctrl_defaults(dram_ctrl_cfg_t *c);
/* One key of the `dram:` section (device or controller key); -1 with err
 * "KEY: reason" for an unknown key or bad value.  "preset" first, see
 * dram_cfg_set. */
int dram_ctrl_cfg_set(dram_ctrl_cfg_t *c, const char *key, const char *val, char *err,
                      size_t errlen);
int dram_ctrl_cfg_check(const dram_ctrl_cfg_t *c, char *err, size_t errlen);

typedef struct {
    uint64_t cmds[DRAM_CMD_COUNT];
    uint64_t reads, writes;            /* requests completed */
    uint64_t hits, misses, conflicts;  /* row-buffer outcome per request */
    uint64_t bytes;                    /* data moved */
    uint64_t first_arrival, last_done; /* cycles */
    uint64_t last_read_done, last_write_done;
    uint64_t drains;                   /* write drains started */
    uint64_t dual;                     /* cycles with two commands */
} dram_ctrl_stats_t;

/* Called for every command issued (in cycle order per unit; units interleave
 * in nondecreasing cycle order), and for every request completed. */
typedef void (*dram_cmd_fn)(void *ctx, const dram_cmd_t *c);
typedef void (*dram_done_fn)(void *ctx, uint64_t tag, int write, uint64_t arrive, uint64_t done);
/* Called instead of on_cmd for a run of `count` REFs of one unit at first,
 * first + period, ... that dram_ctrl_skip_idle() issued by arithmetic. */
typedef void (*dram_refs_fn)(void *ctx, uint16_t unit, uint64_t first, uint64_t count,
                             uint64_t period);

typedef struct {
    uint64_t arrive, tag;
    dram_loc_t loc;
    uint32_t bi;           /* bank index in the unit: bg * banks_per_group + bank */
    uint8_t write, acted, conflict;
} dram_qent_t;

typedef struct {
    dram_qent_t *q;        /* queue_depth entries, oldest first, within qbuf */
    dram_qent_t *qbuf;     /* 2 x queue_depth entries: q moves up as old entries
                            * leave (see complete), and back when it reaches the end */
    uint32_t len;
    uint64_t wake;         /* earliest cycle worth scheduling this unit */
    uint64_t ref_due;      /* cycle the next REF falls due */
    dram_qent_t *wq;       /* write_queue_depth entries (separate writes) */
    uint32_t wlen;
    int draining;
    dram_qent_t *bq;       /* [banks][bank_queue_depth] (per-bank queues) */
    uint32_t *blen;        /* [banks] */
    uint32_t *hits;        /* [banks] column commands since the bank's ACT */
    uint32_t rr;           /* bank queue issued from last */
    uint64_t *lb;          /* [banks] per-bank queues: no request of the bank can issue
                            * before this cycle (0: unknown); see bank_issue */
    uint64_t *lb_at;       /* [banks] the value of `issued` when lb was found */
    uint64_t issued;       /* commands issued to this unit */
    uint32_t nmiss;        /* col_skip: requests in q whose bank is not open at their row */
    uint32_t *gcnt;        /* col_skip: [bank_groups] requests in q per bank group */
} dram_cunit_t;

typedef struct {
    dram_ctrl_cfg_t cfg;
    dram_t dram;
    dram_cunit_t *u;
    uint32_t pending;      /* queued requests, all units */
    dram_ctrl_stats_t st;
    dram_cmd_fn on_cmd;
    dram_done_fn on_done;
    dram_refs_fn on_refs;  /* optional; set after dram_ctrl_init */
    void *ctx;
    uint8_t *flags;        /* per bank of the unit being scheduled: what is known */
    uint64_t *e_col;       /* [banks][2]: earliest RD, WR (valid per flags) */
    uint64_t *e_row;       /* [banks]: earliest ACT or PRE */
    int flushing;          /* dram_ctrl_flush called: drain every write */
    uint32_t *passed;      /* [banks] per-bank queues: banks a pass skipped (bank_issue) */
    /* Address decoding by shifts (dram_decode's result, precomputed from the
     * map): field dec_f[i] is (addr >> dec_sh[i]) & dec_mask[i]. */
    uint8_t dec_f[DRAM_F_COUNT], dec_sh[DRAM_F_COUNT];
    uint32_t dec_mask[DRAM_F_COUNT];
    uint64_t capacity;
    /* 1: the reference walk (tests): addresses through dram_decode and every
     * command through dram_issue's check; 0 (default): the same results by
     * the shortcuts above.  dram_ctrl_init copies cfg->slow. */
    int slow;
    /* 1 (set by a driver that visits cycle t + 1 after every cycle t with
     * a command, see last_issue; memchan.c): with open page and neither a
     * separate write queue nor bank queues, after a column command that
     * leaves its unit's request queue non-empty with every request it
     * serves a hit on an open row, the unit sleeps until the next column
     * command could be legal (the tCCD bounds of the unit and of the queued
     * requests' bank groups) or its refresh falls due, instead of being
     * scheduled at the next cycle to find nothing: no ACT or PRE is wanted,
     * and no RD or WR goes before those bounds.  A request arriving wakes
     * it at its arrival, or, when it hits an open row, at its own column
     * bounds if earlier than the unit's wake (push_wake).  The commands are
     * the same as with 0. */
    int col_skip;
    uint64_t last_issue;   /* cycle of the latest command (DRAM_NEVER: none yet) */
} dram_ctrl_t;

int dram_ctrl_init(dram_ctrl_t *c, const dram_ctrl_cfg_t *cfg, dram_cmd_fn on_cmd,
                   dram_done_fn on_done, void *ctx, char *err, size_t errlen);
void dram_ctrl_free(dram_ctrl_t *c);

/* Queues a request arriving at cycle `at` (>= every cycle already run).
 * Returns 0, 1 when its unit's queue is full (retry after a later tick), or
 * -1 with err when addr is beyond the capacity. */
int dram_ctrl_push(dram_ctrl_t *c, uint64_t addr, int write, uint64_t at, uint64_t tag,
                   char *err, size_t errlen);

/* Runs cycle `now` (nondecreasing across calls): each unit due issues at
 * most one command.  Returns the next cycle at which anything can happen,
 * refresh included (DRAM_NEVER only with refresh off and nothing queued);
 * a driver stops when c->pending is 0 and it has no more requests. */
uint64_t dram_ctrl_tick(dram_ctrl_t *c, uint64_t now);

/* Maximum cycle a request may arrive at: cycle arithmetic (arrival plus
 * latencies, refresh due times) keeps headroom below 2^64. */
#define DRAM_MAX_CYCLE (1ull << 62)

/* Skips an idle gap: with no request queued and none arriving before
 * `until`, issues every refresh that falls due before `until` exactly as
 * dram_ctrl_tick() would one by one (the REF of an idle unit with all banks
 * closed issues at its due cycle, every tREFI), but in closed form: the first
 * and the last of each unit's REFs go through dram_issue and on_cmd, those
 * between are counted and reported to on_refs.  Returns 1 when it skipped
 * (the caller then continues at `until`), 0 when the state does not allow it
 * (a unit with an open bank, an overdue refresh, a REF not yet legal at its
 * due cycle, or fewer than three refreshes due in the gap): the caller then
 * ticks as usual, and after a unit's next refresh the skip applies. */
int dram_ctrl_skip_idle(dram_ctrl_t *c, uint64_t now, uint64_t until);

/* True when the unit of addr has room (addr must be within capacity). */
int dram_ctrl_room(const dram_ctrl_t *c, uint64_t addr);
/* The same for a read (write 0) or a write, which may have its own queue. */
int dram_ctrl_room_rw(const dram_ctrl_t *c, uint64_t addr, int write);

/* No more requests will come: queued writes drain whatever the watermarks
 * (the driver calls it after its last push, so that the run ends). */
void dram_ctrl_flush(dram_ctrl_t *c, uint64_t now);

/* ---- steady state: a driver's runs of identical request groups ------------
 *
 * The controller's timing is a max-plus recurrence: shifting every cycle of
 * its state by d shifts everything it does later by d.  A driver that pushes
 * groups of requests which differ only in their column (memchan.c: a stream
 * of consecutive bursts within one row of every bank it touches) can finish
 * a run of them by arithmetic when the state at a group boundary repeats,
 * relative to the cycle `now`, the state some groups earlier
 * (models/periodic.h has the idea for a handful of times; the controller has
 * thousands).
 *
 * dram_ctrl_sig() writes the state at cycle `now`, before tick(now), as
 * words: every cycle relative to now, clamped where it can no longer matter
 * (a "next allowed" cycle at or before now is the same as now; an
 * activation older than tFAW no longer counts; ...), queued requests with
 * their column relative to col_base (and, with `arrivals`, their arrival
 * relative to now), and the discrete state (open rows, queue lengths,
 * drains) as is.  The scheduler never reads a request's arrival, only
 * on_done reports it: a driver whose on_done ignores it passes arrivals 0,
 * and after a jump the queued requests' arrivals are then only moved by the
 * shift (they may differ from those of a walk).  The refresh due cycles
 * are left out: the caller must not jump across one (see dram_ctrl_reach).  Returns the number of words, or 0 when the controller
 * has a shape the signature does not cover (bank queues: their bounds cache
 * depends on counts of commands).  Two states with equal signatures and
 * refreshes out of reach evolve the same way, shifted in time.
 *
 * dram_ctrl_sums() writes what only adds up (command and request counts,
 * refreshes) and the last-completion cycles (that move by the period's
 * length or not at all); dram_ctrl_advance() moves the state forward by k
 * periods: every live cycle + shift, every queued request's column + dcol,
 * every sum + k x (its growth over one period, now - then).  -1 when a sum
 * would overflow, a last-completion cycle moved by neither 0 nor the
 * period, or the period issued a REF or PREA (the caller then walks on). */
size_t dram_ctrl_sig_max(const dram_ctrl_t *c);
size_t dram_ctrl_sig(const dram_ctrl_t *c, uint64_t now, uint32_t col_base, int arrivals,
                     uint64_t *sig);
/* A hash of a few words of the signature (queue lengths, the unit's column
 * and bus bounds, its oldest request): equal whenever the signatures are,
 * and cheap, so that a driver builds signatures only where they may match. */
uint64_t dram_ctrl_presig(const dram_ctrl_t *c, uint64_t now, uint32_t col_base, int arrivals);
size_t dram_ctrl_sums_len(const dram_ctrl_t *c);
void dram_ctrl_sums(const dram_ctrl_t *c, uint64_t *sums);
/* dram_ctrl_next_ref: the least refresh due cycle of all units (DRAM_NEVER
 * with refresh off).  dram_ctrl_reach: how far past the current cycle any
 * cycle the scheduler works out can lie in a state whose last period issued
 * no refresh (every timing parameter but tRFC, added up): a jump must end
 * more than that before the due cycle. */
uint64_t dram_ctrl_next_ref(const dram_ctrl_t *c);
uint64_t dram_ctrl_reach(const dram_ctrl_t *c);
int dram_ctrl_advance(dram_ctrl_t *c, uint64_t now, uint64_t k, uint64_t period,
                      uint32_t dcol, const uint64_t *then);

#ifdef __cplusplus
}
#endif
#endif

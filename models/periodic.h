/* periodic.h - finishing a run of identical units of a max-plus timing
 * recurrence by arithmetic.
 *
 * An event-driven fast path (the LUT unit's timeline) walks units (steps,
 * tiles) whose timing is a max-plus recurrence: every new cycle is a max of
 * earlier cycles plus constants.  Shifting all cycles of the state by d then
 * shifts every later cycle by d.  So when the state at a unit boundary, taken
 * relative to a reference cycle, equals the state p units earlier, and the
 * units keep being identical, every further p units repeat the same cycles
 * shifted by the same delta and add the same counts; periodic_run then adds
 * (repeats x delta) instead of walking them.  The work no longer grows with
 * the number of units.
 *
 * The state: ref (the reference cycle, nondecreasing), times (cycles used
 * later only through max(r, x) with r >= ref: compared clamped to ref, so
 * those already passed count as equal), exact (discrete state: compared as
 * is, never shifted), sums (counts that only add up) and marks (the cycle
 * of the latest event of a kind, e.g. the start of the latest transfer that
 * carried an operand: not compared, never read by the recurrence).  A mark
 * that changed during the period moves on by the jump's shift (the same
 * event of the last skipped period happens that much later); one that did
 * not change stays.  A mark must grow strictly each time its event recurs,
 * so that "changed" means "happened in the period". */
#ifndef CODESIM_PERIODIC_H
#define CODESIM_PERIODIC_H

#include <stddef.h>
#include <stdint.h>

#define PERIODIC_MAX 12        /* times, exact values and sums, each at most */
#define PERIODIC_HIST 8        /* unit boundaries remembered per run */
#define PERIODIC_LIMIT (1ull << 62) /* cycles stay below; sums of cycles cannot wrap */

typedef struct {
    uint64_t *ref;
    uint64_t *times[PERIODIC_MAX];
    size_t ntimes;
    uint64_t *exact[PERIODIC_MAX];
    size_t nexact;
    uint64_t *sums[PERIODIC_MAX];
    size_t nsums;
    uint64_t *marks[PERIODIC_MAX];
    size_t nmarks;
} periodic_state_t;

/* Runs units first .. first+n-1 through fn(ctx, unit), all identical in
 * what they do to the state.  A unit may look `tail` units ahead (issue
 * requests for later units), and the unit after the run differs, so only
 * units with `tail` run units after them are finished by arithmetic.
 * Returns 0, fn's nonzero result, or -1 with err "cycle count: does not fit"
 * when a cycle would reach PERIODIC_LIMIT or a sum would wrap. */
int periodic_run(const periodic_state_t *s, uint64_t first, uint64_t n, uint64_t tail,
                 int (*fn)(void *ctx, uint64_t unit), void *ctx, char *err, size_t errlen);

#endif

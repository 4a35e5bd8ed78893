/* sched.h - event-driven command scheduler.
 *
 * A program is a list of commands, each bound to one unit (a core's matrix
 * unit, its vector unit, a DMA engine, a PIM channel, ...) with a busy time in
 * cycles taken from the cycle-exact block models, and dependencies on earlier
 * commands.  A command starts as soon as all its dependencies have finished
 * and its unit is free; a unit runs one command at a time, and among ready
 * commands it takes the one issued first (program order).  Time jumps from
 * event to event; idle cycles cost nothing.
 *
 * Invariants: dependencies name earlier commands only, so the graph is
 * acyclic by construction; every command runs exactly once.
 */
#ifndef CODESIM_SCHED_H
#define CODESIM_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sched sched_t;

typedef struct {
    char name[32];        /* "core0.matrix", "dram", "pim.ch3" */
    uint64_t busy;        /* cycles spent running commands (after sched_run) */
    uint64_t commands;    /* commands run */
} sched_unit_t;

typedef struct {
    uint32_t unit;
    uint64_t duration;    /* cycles the unit is busy */
    uint32_t tag;         /* caller's label, e.g. the op index */
    uint64_t start, end;  /* set by sched_run */
} sched_cmd_t;

sched_t *sched_new(void);
void sched_free(sched_t *s);

/* Adds a unit; returns its index, or -1 with err. */
int sched_add_unit(sched_t *s, const char *name, char *err, size_t errlen);

/* Adds a command on `unit` depending on the commands in deps[0..ndeps)
 * (indices of earlier commands).  Returns its index, or -1 with err. */
int64_t sched_add_cmd(sched_t *s, uint32_t unit, uint64_t duration, uint32_t tag,
                      const uint32_t *deps, uint32_t ndeps, char *err, size_t errlen);

/* Runs the program; *makespan = cycle at which the last command ends. */
int sched_run(sched_t *s, uint64_t *makespan, char *err, size_t errlen);

size_t sched_units(const sched_t *s);
size_t sched_cmds(const sched_t *s);
const sched_unit_t *sched_unit(const sched_t *s, uint32_t u);
const sched_cmd_t *sched_cmd(const sched_t *s, uint64_t c);

/* Chrome trace-event JSON of runs, to open in https://ui.perfetto.dev or
 * chrome://tracing: the caller writes the frame
 *     {"displayTimeUnit":"ns","traceEvents":[  ...events...  ]}
 * and sched_trace_events() adds one run as process `pid` named `process`:
 * one thread per unit and one complete event ("ph":"X") per command, times
 * in microseconds at freq_mhz from t0 cycles on (so that several runs lie
 * end to end on one axis), named by label(tag, ctx).  *first is 1 until
 * the first event is written (it decides the commas).  0, or -1 on a write
 * error. */
int sched_trace_events(const sched_t *s, FILE *f, int pid, const char *process, double freq_mhz,
                       uint64_t t0, const char *(*label)(uint32_t tag, void *ctx), void *ctx,
                       int *first);

#endif

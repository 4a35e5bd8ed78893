/* dram_trace.h - memory request traces for `codesim dram`.
 *
 * One request per line; blank lines and lines whose first non-blank
 * character is '#' are ignored; fields are separated by spaces, tabs or
 * commas.  Three layouts are accepted, told apart line by line by where the
 * operation word stands:
 *
 *   CYCLE ADDR OP    codesim's own:        120 0x1f40 R
 *   ADDR OP CYCLE    DRAMsim3 trace style:  0x1f40 READ 120
 *   ADDR OP          Ramulator style:       0x1f40 R
 *   OP ADDR          Ramulator 2 style:     LD 0x1f40
 *
 * CYCLE is a decimal cycle of the DRAM command clock (tCK) at which the
 * request arrives; a line without one arrives in the cycle of the previous
 * line (0 for the first), i.e. as fast as the controller's queues accept.
 * Cycles must not decrease from line to line, nor exceed 2^62 (DRAM_MAX_CYCLE).  ADDR is a byte address, hex
 * with 0x or decimal, below the device capacity.  OP is R, READ, RD or LD
 * for a read and W, WRITE, WR or ST for a write (any case).  Each request
 * moves one burst (32 bytes on the shipped presets) at the burst containing
 * ADDR.
 *
 * Errors are one line "FILE:LINE: reason".
 */
#ifndef CODESIM_DRAM_TRACE_H
#define CODESIM_DRAM_TRACE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t cycle, addr;
    uint32_t line;
    uint8_t write;
} dram_treq_t;

typedef struct {
    dram_treq_t *r;
    size_t n;
} dram_trace_t;

/* Parses text (len bytes) named `name` in messages.  capacity > 0 refuses
 * addresses at or beyond it.  -1 with err "NAME:LINE: reason"; t is then
 * empty (dram_trace_free on it is harmless). */
int dram_trace_parse(const char *name, const char *text, size_t len, uint64_t capacity,
                     dram_trace_t *t, char *err, size_t errlen);
/* Reads and parses a file; on any error t is empty, as above. */
int dram_trace_load(const char *path, uint64_t capacity, dram_trace_t *t, char *err,
                    size_t errlen);
void dram_trace_free(dram_trace_t *t);

#endif

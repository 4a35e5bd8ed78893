/* ports.h - the port-activity record of a harness run, and the bounds check
 * on the addresses the RTL drives.
 *
 * A run on a block's C model and a run on its Verilated RTL are recorded the
 * same way, cycle by cycle, so that they compare by a few counts and one
 * hash: for every lane that accesses a port in a cycle, the cycle, the port,
 * the lane, the address and (for data the block sends out) the data go
 * into an FNV-1a hash, and the port's count goes up by one.  Each block
 * numbers its own ports (systolic: A read, B read, O write, O accumulate;
 * LUT: A read, W read, O write, O accumulate; PIM: row-buffer read,
 * read-back).
 *
 * Every address the RTL drives is checked against the size of the memory it
 * indexes before the harness uses it: an out-of-range address is an RTL bug
 * to report (the run fails with a message naming cycle, port, lane, address
 * and size), never a wild access. */
#ifndef CODESIM_PORTS_H
#define CODESIM_PORTS_H

#include <stddef.h>
#include <stdint.h>

/* The address of a lane that does not access its port this cycle
 * (SYSTOLIC_NO_ACCESS, LUT_NO_ACCESS and VSHIM_NO_ACCESS are this value). */
#define PORTS_IDLE UINT32_MAX
#define PORTS_MAX 4              /* ports per block */

typedef struct {
    uint64_t cycles;             /* cycles of the run (start edge to done, or to an empty
                                  * pipeline) */
    uint64_t count[PORTS_MAX];   /* lane accesses per port */
    uint64_t hash;               /* FNV-1a over every access: cycle, port, lane, address, data */
} ports_rec_t;

/* An empty record: no cycles, no accesses. */
void ports_init(ports_rec_t *r);

/* Records one cycle's accesses of n lanes on a port: lane l accesses
 * addr[l] unless that is PORTS_IDLE (addr NULL: every lane accesses address
 * 0, for a port without an address such as a read-back bus); when data is
 * not NULL, data[l] is what the lane sends and is recorded too. */
void ports_record(ports_rec_t *r, uint64_t cycle, unsigned port, unsigned n, const uint32_t *addr,
                  const uint32_t *data);

/* The same accesses on every port and the same hash (cycles are compared
 * apart: a cycle mismatch is reported on its own). */
int ports_equal(const ports_rec_t *a, const ports_rec_t *b);

/* The bounds check: 0 when each of the n lanes' addr[l] is PORTS_IDLE or
 * below size; otherwise -1 with err "rtl: cycle C: WHAT, lane L: address X
 * is out of range (the memory has SIZE entries)" for the first lane that is
 * not (WHAT names the port, e.g. "A read"). */
int ports_check(uint64_t cycle, const char *what, unsigned n, const uint32_t *addr, uint64_t size,
                char *err, size_t errlen);

#endif

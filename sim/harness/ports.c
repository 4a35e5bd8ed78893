/* ports.c - the port-activity record and the RTL address check. */
#include "ports.h"

#include "../../models/util.h"

#include <stdio.h>
#include <string.h>

void ports_init(ports_rec_t *r)
{
    memset(r, 0, sizeof *r);
    r->hash = UTIL_FNV_INIT;
}

void ports_record(ports_rec_t *r, uint64_t cycle, unsigned port, unsigned n, const uint32_t *addr,
                  const uint32_t *data)
{
    for (unsigned l = 0; l < n; l++) {
        const uint32_t x = addr ? addr[l] : 0;
        if (x == PORTS_IDLE)
            continue;
        r->count[port]++;
        r->hash = util_fnv1a_u64(r->hash, cycle);
        r->hash = util_fnv1a_u64(r->hash, (uint64_t)(port + 1) << 48 | (uint64_t)l << 32 | x);
        if (data)
            r->hash = util_fnv1a_u64(r->hash, data[l]);
    }
}

int ports_equal(const ports_rec_t *a, const ports_rec_t *b)
{
    return memcmp(a->count, b->count, sizeof a->count) == 0 && a->hash == b->hash;
}

int ports_check(uint64_t cycle, const char *what, unsigned n, const uint32_t *addr, uint64_t size,
                char *err, size_t errlen)
{
    for (unsigned l = 0; l < n; l++) {
        if (addr[l] != PORTS_IDLE && addr[l] >= size) {
            snprintf(err, errlen,
                     "rtl: cycle %llu: %s, lane %u: address %u is out of range (the memory has "
                     "%llu entries)",
                     (unsigned long long)cycle, what, l, addr[l], (unsigned long long)size);
            return -1;
        }
    }
    return 0;
}

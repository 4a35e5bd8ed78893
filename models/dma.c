/* dma.c - DRAM channel configuration checks. */
#include "dma.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>

int dma_cfg_check(const dma_cfg_t *cfg, char *err, size_t errlen)
{
    if (cfg->bytes_per_cycle == 0) {
        snprintf(err, errlen, "bytes_per_cycle: must be positive");
        return -1;
    }
    if (cfg->bytes_per_cycle > DMA_MAX_BYTES_PER_CYCLE) {
        snprintf(err, errlen, "bytes_per_cycle: %u is larger than the limit %u",
                 cfg->bytes_per_cycle, DMA_MAX_BYTES_PER_CYCLE);
        return -1;
    }
    return 0;
}

void dma_fast_init(dma_fast_t *d, const dma_cfg_t *cfg)
{
    d->bytes_per_cycle = cfg->bytes_per_cycle;
    d->free_at = 0;
}

uint64_t dma_fast_issue(dma_fast_t *d, uint64_t at, uint64_t bytes)
{
    if (bytes == 0)
        return at;
    const uint64_t start = util_max_u64(at, d->free_at);
    d->free_at = start + util_ceil_div(bytes, d->bytes_per_cycle);
    return d->free_at;
}

int dma_init(dma_t *d, const dma_cfg_t *cfg)
{
    d->bytes_per_cycle = cfg->bytes_per_cycle;
    d->head = d->len = 0;
    d->cap = 8;
    d->q = malloc(d->cap * sizeof *d->q);
    return d->q ? 0 : -1;
}

void dma_free(dma_t *d)
{
    free(d->q);
    d->q = NULL;
}

int dma_push(dma_t *d, uint64_t at, uint64_t bytes, uint64_t tag)
{
    if (d->len == d->cap) {
        dma_req_t *q = malloc(2 * d->cap * sizeof *q);
        if (!q)
            return -1;
        for (size_t i = 0; i < d->len; i++)
            q[i] = d->q[(d->head + i) % d->cap];
        free(d->q);
        d->q = q;
        d->head = 0;
        d->cap *= 2;
    }
    d->q[(d->head + d->len) % d->cap] = (dma_req_t){bytes, at, tag};
    d->len++;
    return 0;
}

int dma_tick(dma_t *d, uint64_t x, uint64_t *tag)
{
    if (d->len == 0)
        return 0;
    dma_req_t *r = &d->q[d->head];
    if (r->issued_at > x)
        return 0;
    r->remaining -= util_min_u64(r->remaining, d->bytes_per_cycle);
    if (r->remaining > 0)
        return 0;
    *tag = r->tag;
    d->head = (d->head + 1) % d->cap;
    d->len--;
    return 1;
}

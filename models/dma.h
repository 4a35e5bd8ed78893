/* dma.h - the DRAM channel that fills and drains the scratchpads. */
#ifndef CODESIM_DMA_H
#define CODESIM_DMA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a layer's DRAM traffic is timed (dram.timing): DMA_FIXED the
 * fixed-rate channel below (bytes_per_cycle); DMA_CONTROLLER the DRAM
 * controller and device of the dram: section (models/memchan.h). */
typedef enum { DMA_FIXED = 0, DMA_CONTROLLER = 1 } dma_timing_t;

typedef struct {
    uint32_t bytes_per_cycle; /* DRAM bandwidth seen by the array, >= 1 */
    uint32_t timing;          /* dma_timing_t */
} dma_cfg_t;

#define DMA_MAX_BYTES_PER_CYCLE (1u << 20)

int dma_cfg_check(const dma_cfg_t *cfg, char *err, size_t errlen);

/* The channel serves requests first come first served, one at a time, moving
 * bytes_per_cycle bytes per cycle; a request of b bytes holds it for
 * ceil(b / bytes_per_cycle) whole cycles, and its data is usable the cycle
 * after its last byte moved.  A 0-byte request is complete when issued.
 * Two implementations of that one rule: dma_fast_* works in events, dma_*
 * moves bytes cycle by cycle; tests hold them equal. */

/* Event form: issue a request at cycle `at`; returns the cycle from which its
 * data is usable.  Requests must be issued in nondecreasing `at`. */
typedef struct {
    uint32_t bytes_per_cycle;
    uint64_t free_at;          /* first cycle the channel is idle */
} dma_fast_t;

void dma_fast_init(dma_fast_t *d, const dma_cfg_t *cfg);
uint64_t dma_fast_issue(dma_fast_t *d, uint64_t at, uint64_t bytes);

/* Cycle form. */
typedef struct {
    uint64_t remaining, issued_at, tag;
} dma_req_t;

typedef struct {
    uint32_t bytes_per_cycle;
    dma_req_t *q;              /* ring buffer */
    size_t head, len, cap;
} dma_t;

int dma_init(dma_t *d, const dma_cfg_t *cfg);      /* 0, or -1 out of memory */
void dma_free(dma_t *d);
/* Queues a request issued at cycle `at` (bytes > 0); -1 out of memory. */
int dma_push(dma_t *d, uint64_t at, uint64_t bytes, uint64_t tag);
/* Runs cycle x.  Returns 1 and sets *tag when a request finished in it. */
int dma_tick(dma_t *d, uint64_t x, uint64_t *tag);
static inline size_t dma_pending(const dma_t *d) { return d->len; }

#ifdef __cplusplus
}
#endif
#endif

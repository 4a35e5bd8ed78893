/* sram.h - double-buffered scratchpads (ifmap, filter, ofmap).
 *
 * Each scratchpad is split in two halves: the array works out of one half
 * while the DMA fills the other for the next step.  sram_plan() decides how a
 * GEMM's folds are cut into steps that fit a half, and how many DRAM bytes
 * each step must fetch and write back; both execution paths run that plan.
 */
#ifndef CODESIM_SRAM_H
#define CODESIM_SRAM_H

#include <stddef.h>
#include <stdint.h>

#include "systolic.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t ifmap_bytes;   /* whole buffer, both halves */
    uint64_t filter_bytes;
    uint64_t ofmap_bytes;
} sram_cfg_t;

#define SRAM_MAX_BYTES (1ull << 36) /* 64 GiB: anything larger is a typo */

int sram_cfg_check(const sram_cfg_t *cfg, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif

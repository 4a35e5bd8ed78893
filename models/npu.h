/* npu.h - configuration of the NPU around the matrix unit: cores, clock and
 * each core's vector unit (the `npu:` section of the hardware YAML).  The
 * end-to-end model that uses it is sim/run/npu.c. */
#ifndef CODESIM_MODELS_NPU_H
#define CODESIM_MODELS_NPU_H

#include <stddef.h>
#include <stdint.h>

#include "vector.h"

typedef struct {
    uint32_t cores;          /* 1..64 */
    uint32_t freq_mhz;       /* NPU clock, for times in seconds */
    vector_cfg_t vector;     /* keys vector_lanes, vector_latency */
    uint32_t chunks;         /* load/compute pairs per op per core, 1..64 */
} npu_cfg_t;

/* One core at 1 GHz, a 64-lane vector unit of latency 8, 4 chunks. */
void npu_defaults(npu_cfg_t *c);
int npu_cfg_check(const npu_cfg_t *c, char *err, size_t errlen);
/* One key of the `npu:` section: cores, freq_mhz, vector_lanes,
 * vector_latency, chunks.  -1 with err "KEY: reason". */
int npu_cfg_set(npu_cfg_t *c, const char *key, const char *val, char *err, size_t errlen);

#endif

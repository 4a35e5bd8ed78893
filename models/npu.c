/* npu.c - the NPU configuration (see npu.h). */
#include "npu.h"

#include "cfgkey.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

void npu_defaults(npu_cfg_t *c)
{
    c->cores = 1;
    c->freq_mhz = 1000;
    c->vector = (vector_cfg_t){64, 8};
    c->chunks = 4;
}

int npu_cfg_check(const npu_cfg_t *c, char *err, size_t errlen)
{
    if (c->cores < 1 || c->cores > 64) {
        snprintf(err, errlen, "cores: %u is outside 1..64", c->cores);
        return -1;
    }
    if (c->freq_mhz < 1 || c->freq_mhz > 100000) {
        snprintf(err, errlen, "freq_mhz: %u is outside 1..100000", c->freq_mhz);
        return -1;
    }
    if (c->chunks < 1 || c->chunks > 64) {
        snprintf(err, errlen, "chunks: %u is outside 1..64", c->chunks);
        return -1;
    }
    char why[128];
    if (vector_cfg_check(&c->vector, why, sizeof why) != 0) {
        snprintf(err, errlen, "vector_%s", why);
        return -1;
    }
    return 0;
}

int npu_cfg_set(npu_cfg_t *c, const char *key, const char *val, char *err, size_t errlen)
{
    static const char *const keys[] = {"cores", "freq_mhz", "vector_lanes", "vector_latency",
                                       "chunks"};
    uint32_t *const dst[] = {&c->cores, &c->freq_mhz, &c->vector.lanes, &c->vector.latency,
                             &c->chunks};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        if (strcmp(key, keys[i]) == 0) {
            uint64_t v;
            if (cfg_parse_uint(key, val, UINT32_MAX, &v, err, errlen) != 0)
                return -1;
            *dst[i] = (uint32_t)v;
            return 0;
        }
    }
    snprintf(err, errlen, "%s: unknown key (cores, freq_mhz, vector_lanes, vector_latency, chunks)",
             key);
    return -1;
}

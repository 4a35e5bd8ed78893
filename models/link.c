/* link.c - tensor-parallel link and ring all-reduce time (see link.h). */
#include "link.h"

#include "cfgkey.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void link_defaults(link_cfg_t *c)
{
    /* NVLink 3 on A100: 12 links x 25 GB/s per direction = 300 GB/s (NVIDIA
     * A100 datasheet: 600 GB/s bidirectional).  The 1 us step latency is our
     * assumption (no published per-step figure is used); see README. */
    c->devices = 1;
    c->gbytes_per_s = 300.0;
    c->latency_ns = 1000.0;
}

int link_cfg_check(const link_cfg_t *c, char *err, size_t errlen)
{
    if (c->devices < 1 || c->devices > LINK_MAX_DEVICES) {
        snprintf(err, errlen, "devices: %u is outside 1..%u", c->devices, LINK_MAX_DEVICES);
        return -1;
    }
    if (!(c->gbytes_per_s > 0) || !isfinite(c->gbytes_per_s)) {
        snprintf(err, errlen, "gbytes_per_s: must be a positive number");
        return -1;
    }
    if (!(c->latency_ns >= 0) || !isfinite(c->latency_ns)) {
        snprintf(err, errlen, "latency_ns: must be a number >= 0");
        return -1;
    }
    return 0;
}

int link_parse_real(const char *key, const char *val, double lo, double hi, double *out,
                    char *err, size_t errlen)
{
    char *end;
    errno = 0;
    const double v = strtod(val, &end);
    if (end == val || *end || errno || !isfinite(v)) {
        snprintf(err, errlen, "%s: '%.40s' is not a number", key, val);
        return -1;
    }
    if (v < lo || v > hi) {
        snprintf(err, errlen, "%s: %g is outside %g..%g", key, v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int link_cfg_set(link_cfg_t *c, const char *key, const char *val, char *err, size_t errlen)
{
    if (strcmp(key, "devices") == 0) {
        uint64_t v;
        if (cfg_parse_uint(key, val, LINK_MAX_DEVICES, &v, err, errlen) != 0)
            return -1;
        c->devices = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "gbytes_per_s") == 0)
        return link_parse_real(key, val, 1e-3, 1e9, &c->gbytes_per_s, err, errlen);
    if (strcmp(key, "latency_ns") == 0)
        return link_parse_real(key, val, 0, 1e12, &c->latency_ns, err, errlen);
    snprintf(err, errlen, "%s: unknown key (devices, gbytes_per_s, latency_ns)", key);
    return -1;
}

double link_allreduce_ns(const link_cfg_t *c, uint64_t bytes)
{
    if (c->devices <= 1)
        return 0.0;
    const double n = (double)c->devices, steps = 2.0 * (n - 1.0);
    return steps * c->latency_ns + steps / n * (double)bytes / c->gbytes_per_s;
}

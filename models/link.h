/* link.h - the device-to-device link of a tensor-parallel group (the
 * `link:` section of the hardware YAML), and the time of one all-reduce on it.
 *
 * Tensor parallelism (Megatron-LM style, Shoeybi et al. 2019): `devices`
 * identical devices each hold 1/devices of every attention head group and of
 * the FFN's inner width; each decoder block needs two all-reduces of the
 * activations (T x hidden), after the attention output projection and after
 * the FFN's down projection.
 *
 * All-reduce model: a ring of N = devices over links of bandwidth B (bytes
 * per ns = GB/s) per direction and latency L (ns) per transfer step.  A ring
 * all-reduce is a reduce-scatter and an all-gather, 2 (N - 1) steps, each
 * moving bytes / N per device (Patarasuk and Yuan, "Bandwidth optimal
 * all-reduce algorithms for clusters of workstations", JPDC 2009):
 *
 *     t(bytes) = 2 (N - 1) L + 2 (N - 1) / N * bytes / B        (N > 1)
 *     t(bytes) = 0                                               (N = 1)
 */
#ifndef CODESIM_LINK_H
#define CODESIM_LINK_H

#include <stddef.h>
#include <stdint.h>

#define LINK_MAX_DEVICES 64u

typedef struct {
    uint32_t devices;        /* tensor-parallel degree, 1..LINK_MAX_DEVICES */
    double gbytes_per_s;     /* per direction, per device (GB/s = bytes/ns) */
    double latency_ns;       /* per ring step */
} link_cfg_t;

/* One device (no tensor parallelism), 300 GB/s, 1000 ns. */
void link_defaults(link_cfg_t *c);
int link_cfg_check(const link_cfg_t *c, char *err, size_t errlen);
/* One key of the `link:` section: devices, gbytes_per_s, latency_ns.  -1
 * with err "KEY: reason". */
int link_cfg_set(link_cfg_t *c, const char *key, const char *val, char *err, size_t errlen);

/* Nanoseconds of one ring all-reduce of `bytes` (each device's full
 * tensor), by the formula above. */
double link_allreduce_ns(const link_cfg_t *c, uint64_t bytes);

/* A non-negative finite decimal number in [lo, hi]; -1 with err "KEY: reason"
 * (shared by the blocks whose keys are real numbers). */
int link_parse_real(const char *key, const char *val, double lo, double hi, double *out,
                    char *err, size_t errlen);

#endif

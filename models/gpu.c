/* gpu.c - roofline GPU with measured efficiencies (see gpu.h). */
#include "gpu.h"

#include "link.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void gpu_defaults(gpu_cfg_t *c)
{
    /* NVIDIA A100 SXM4 80GB datasheet: 312 TFLOPS dense fp16 tensor,
     * 2039 GB/s HBM2e.  Efficiencies: configs/a100.yaml. */
    c->peak_tflops = 312.0;
    c->hbm_gbytes_per_s = 2039.0;
    c->gemm_eff = 0.869;
    c->gemv_eff = 0.88;
    c->kernel_overhead_us = 0; /* the roofline: no launch overhead */
}

int gpu_cfg_check(const gpu_cfg_t *c, char *err, size_t errlen)
{
    if (!(c->peak_tflops > 0) || !(c->hbm_gbytes_per_s > 0)) {
        snprintf(err, errlen, "%s: must be positive",
                 !(c->peak_tflops > 0) ? "peak_tflops" : "hbm_gbytes_per_s");
        return -1;
    }
    if (!(c->gemm_eff > 0 && c->gemm_eff <= 1) || !(c->gemv_eff > 0 && c->gemv_eff <= 1)) {
        snprintf(err, errlen, "%s: must be in (0, 1]",
                 !(c->gemm_eff > 0 && c->gemm_eff <= 1) ? "gemm_eff" : "gemv_eff");
        return -1;
    }
    if (!(c->kernel_overhead_us >= 0 && c->kernel_overhead_us <= 1e6)) {
        snprintf(err, errlen, "kernel_overhead_us: must be in [0, 1e6]");
        return -1;
    }
    return 0;
}

int gpu_cfg_set(gpu_cfg_t *c, const char *key, const char *val, char *err, size_t errlen)
{
    static const char *const keys[] = {"peak_tflops", "hbm_gbytes_per_s", "gemm_eff", "gemv_eff",
                                       "kernel_overhead_us"};
    double *const dst[] = {&c->peak_tflops, &c->hbm_gbytes_per_s, &c->gemm_eff, &c->gemv_eff,
                           &c->kernel_overhead_us};
    const double lo[] = {1e-9, 1e-9, 1e-9, 1e-9, 0};
    const double hi[] = {1e7, 1e9, 1, 1, 1e6};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return link_parse_real(key, val, lo[i], hi[i], dst[i], err, errlen);
    snprintf(err, errlen,
             "%s: unknown key (peak_tflops, hbm_gbytes_per_s, gemm_eff, gemv_eff, "
             "kernel_overhead_us)",
             key);
    return -1;
}

double gpu_kernel_ns(const gpu_cfg_t *c, uint64_t flops, uint64_t bytes)
{
    /* TFLOPS = 10^3 FLOP/ns; GB/s = 1 byte/ns. */
    const double tc = (double)flops / (c->peak_tflops * 1e3 * c->gemm_eff);
    const double tm = (double)bytes / (c->hbm_gbytes_per_s * c->gemv_eff);
    return (tc > tm ? tc : tm) + c->kernel_overhead_us * 1e3;
}
